// SPDX-License-Identifier: GPL-2.0
/*
 * string_io.c - INS and OUTS, with or without REP.
 *
 * The exit says port, size and direction; the rest comes from the
 * instruction (address size, segment override) and the registers
 * (SI/DI, CX, DF).  One exit carries up to a run page's worth of items:
 * OUTS copies them from guest memory into the run page; INS takes them
 * from the run page at the next RUN.  If CX is not used up, RIP stays
 * on the instruction and the next entry continues it.
 */
#include <linux/mm.h>
#include <asm/processor-flags.h>

#include "../kvmini_vendor.h"

#define STRING_IO_MAX_BYTES	(PAGE_SIZE - KVMINI_RUN_IO_DATA_OFFSET)

/* Where the items live: segment base, index register, its width. */
struct string_walk {
	u64 base;
	u64 index;
	u64 mask;		/* address size: 0xffff, 0xffffffff or ~0 */
	int step;		/* +size, or -size with DF */
	bool wrap32;		/* linear addresses are 32-bit */
};

static u64 walk_linear(const struct string_walk *w, u32 i)
{
	u64 linear = w->base + ((w->index + (s64)i * w->step) & w->mask);

	return w->wrap32 ? (u32)linear : linear;
}

/* Address size and segment from the prefixes of the instruction. */
static void decode_prefixes(const u8 *insn, int len, bool long64, bool def32,
			    int *adsize, int *seg)
{
	bool asize_prefix = false;
	int i;

	*seg = -1;
	for (i = 0; i < len; i++) {
		switch (insn[i]) {
		case 0x67:
			asize_prefix = true;
			continue;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
		case 0x64: case 0x65:
			*seg = insn[i];
			continue;
		case 0x66: case 0xf2: case 0xf3:
			continue;
		}
		if (!(long64 && (insn[i] & 0xf0) == 0x40))
			break;
	}
	if (long64)
		*adsize = asize_prefix ? 4 : 8;
	else
		*adsize = def32 != asize_prefix ? 4 : 2;
}

static u64 segment_base(const struct kvmini_sregs *sregs, int prefix,
			bool long64)
{
	switch (prefix) {
	case 0x64:
		return sregs->fs.base;
	case 0x65:
		return sregs->gs.base;
	}
	/* In 64-bit mode CS, DS, ES and SS have base 0. */
	if (long64)
		return 0;
	switch (prefix) {
	case 0x26:
		return sregs->es.base;
	case 0x2e:
		return sregs->cs.base;
	case 0x36:
		return sregs->ss.base;
	default:
		return sregs->ds.base;
	}
}

int kvmini_handle_string_io(struct kvmini_vcpu *vcpu,
			    struct kvmini_exit *exit)
{
	struct kvmini_run *run = vcpu->run;
	u8 *data = (u8 *)run + KVMINI_RUN_IO_DATA_OFFSET;
	unsigned long *index_reg, *cx = &vcpu->gprs[GPR_RCX];
	int size = exit->io.size, adsize, seg, len;
	struct kvmini_sregs sregs;
	struct kvmini_regs regs;
	struct string_walk w;
	bool long64, def32;
	u32 count, n;
	u8 insn[15];

	len = kvmini_read_insn(vcpu, &regs, &sregs, insn, sizeof(insn));
	if (!len)
		return -EFAULT;
	kvmini_code_mode(&sregs, &long64, &def32);
	decode_prefixes(insn, len, long64, def32, &adsize, &seg);

	w.mask = adsize == 8 ? ~0ULL : BIT_ULL(adsize * 8) - 1;
	w.step = (regs.rflags & X86_EFLAGS_DF) ? -size : size;
	w.wrap32 = !long64;
	if (exit->io.in) {
		/* INS always writes ES:DI. */
		index_reg = &vcpu->gprs[GPR_RDI];
		w.base = long64 ? 0 : sregs.es.base;
	} else {
		index_reg = &vcpu->gprs[GPR_RSI];
		w.base = segment_base(&sregs, seg, long64);
	}
	w.index = *index_reg;

	count = exit->io.rep ? min_t(u64, *cx & w.mask, U32_MAX) : 1;
	n = min_t(u32, count, STRING_IO_MAX_BYTES / size);
	if (!exit->io.in) {
		u32 i;

		for (i = 0; i < n; i++)
			if (kvmini_read_guest_linear(vcpu, &sregs,
						     walk_linear(&w, i),
						     data + i * size,
						     size) != size)
				break;
		n = i;
	}
	if (!n && count) {
		/* The first item is not in guest memory. */
		exit->reason = KVMINI_EXIT_UNHANDLED;
		run->unhandled.insn_len = len;
		memcpy(run->unhandled.insn, insn, len);
		return 0;
	}

	*index_reg = (*index_reg & ~w.mask) |
		     ((*index_reg + (s64)n * w.step) & w.mask);
	if (exit->io.rep)
		*cx = (*cx & ~w.mask) | ((*cx - n) & w.mask);
	/* Done when no REP count is left; else the next entry continues. */
	if (!exit->io.rep || !(*cx & w.mask))
		kvmini_vendor->skip_instruction(vcpu);
	if (!n)
		return 1;	/* REP with CX = 0: nothing to do */

	if (exit->io.in)
		vcpu->pending_ins = (struct kvmini_pending_ins) {
			.active = true, .base = w.base, .index = w.index,
			.mask = w.mask, .step = w.step, .wrap32 = w.wrap32,
			.size = size, .count = n,
		};
	run->io.direction = exit->io.in ? KVMINI_IO_IN : KVMINI_IO_OUT;
	run->io.size = size;
	run->io.port = exit->io.port;
	run->io.count = n;
	run->io.data_offset = KVMINI_RUN_IO_DATA_OFFSET;
	return 0;
}

/*
 * Store the items userspace supplied for an INS.  A store that falls
 * outside writable guest memory is dropped, as a device's DMA to nowhere
 * would be.
 */
void kvmini_complete_string_in(struct kvmini_vcpu *vcpu)
{
	struct kvmini_pending_ins *p = &vcpu->pending_ins;
	const u8 *data = (u8 *)vcpu->run + KVMINI_RUN_IO_DATA_OFFSET;
	struct string_walk w = {
		.base = p->base, .index = p->index, .mask = p->mask,
		.step = p->step, .wrap32 = p->wrap32,
	};
	struct kvmini_sregs sregs;
	u8 item[4];
	u32 i;

	kvmini_vendor->get_sregs(vcpu, &sregs);
	for (i = 0; i < p->count; i++) {
		/* One copy from the shared page per item: no double fetch. */
		memcpy(item, data + i * p->size, p->size);
		kvmini_write_guest_linear(vcpu, &sregs, walk_linear(&w, i),
					  item, p->size);
	}
	p->active = false;
}
