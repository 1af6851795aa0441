// SPDX-License-Identifier: GPL-2.0
/*
 * mmio.c - exits that need the guest's instruction: MMIO accesses, and
 * unhandled exits, which carry the instruction's bytes to userspace.
 *
 * An EPT violation or NPT fault outside every slot (or a write to a
 * read-only slot) lands here from core/run.c.  The instruction is read
 * through the guest's page tables (core/guest_walk.c), decoded
 * (core/mmio_decode.c) and described in run->mmio; RIP steps over it at
 * once, and a read completes at the next RUN like an IN.
 */
#include <linux/mm.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "../kvmini_vendor.h"
#include "../kvmini_trace.h"

/* The guest's code segment: 64-bit, or 32-bit default operand size. */
void kvmini_code_mode(const struct kvmini_sregs *sregs, bool *long64,
		      bool *def32)
{
	*long64 = (sregs->efer & EFER_LMA) && sregs->cs.l;
	*def32 = !*long64 && (sregs->cr0 & X86_CR0_PE) && sregs->cs.db;
}

/*
 * Read the instruction at CS:rip, given CS, the control registers and
 * EFER in *sregs; returns how many bytes were there.
 */
static int read_insn_at(struct kvmini_vcpu *vcpu,
			const struct kvmini_sregs *sregs, u64 rip, u8 *insn,
			int len)
{
	bool long64, def32;

	kvmini_code_mode(sregs, &long64, &def32);
	return kvmini_read_guest_linear(vcpu, sregs, long64 ? rip :
					(u32)(sregs->cs.base + rip),
					insn, len);
}

/*
 * Read the instruction at CS:RIP, with the registers it was read with;
 * returns how many bytes were there.
 */
int kvmini_read_insn(struct kvmini_vcpu *vcpu, struct kvmini_regs *regs,
		     struct kvmini_sregs *sregs, u8 *insn, int len)
{
	kvmini_vendor->get_regs(vcpu, regs);
	kvmini_vendor->get_sregs(vcpu, sregs);
	return read_insn_at(vcpu, sregs, regs->rip, insn, len);
}

/*
 * Put the instruction at RIP into run->unhandled.  -EFAULT if not even
 * one byte is in guest memory: the guest executes outside every slot.
 */
int kvmini_fetch_insn(struct kvmini_vcpu *vcpu)
{
	struct kvmini_run *run = vcpu->run;
	struct kvmini_sregs sregs;
	struct kvmini_regs regs;
	int n;

	n = kvmini_read_insn(vcpu, &regs, &sregs, run->unhandled.insn, 15);
	run->unhandled.insn_len = n;
	return n ? 0 : -EFAULT;
}

/*
 * The instruction of an MMIO exit, with only what its decoding needs: RIP
 * and the CS, control registers and EFER of get_code_sregs (the other
 * fields of *sregs stay unset).  The registers it reads or writes are in
 * vcpu->gprs already.
 */
static int mmio_read_insn(struct kvmini_vcpu *vcpu, u64 *rip,
			  struct kvmini_sregs *sregs, u8 *insn, int len)
{
	kvmini_vendor->get_code_sregs(vcpu, sregs);
	*rip = kvmini_vendor->get_rip(vcpu);
	return read_insn_at(vcpu, sregs, *rip, insn, len);
}

int kvmini_handle_mmio(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit)
{
	struct kvmini_run *run = vcpu->run;
	struct kvmini_mmio_op op;
	struct kvmini_sregs sregs;
	bool long64, def32;
	u8 insn[15];
	u64 data = 0, rip;
	int n;

	/*
	 * The CPU was delivering an event or walking page tables when it
	 * touched this address: the MOV at RIP did not, and no instruction
	 * does what the CPU was doing.  Userspace gets the raw exit, with
	 * RIP unmoved and the event still queued: once memory is there,
	 * the next RUN delivers it.
	 */
	if (exit->gpa.not_insn) {
		exit->reason = KVMINI_EXIT_UNHANDLED;
		kvmini_fetch_insn(vcpu);
		return 0;
	}
	n = mmio_read_insn(vcpu, &rip, &sregs, insn, sizeof(insn));
	if (!n)
		return -EFAULT;
	vcpu->l1d_flush_needed = true;
	kvmini_code_mode(&sregs, &long64, &def32);
	if (kvmini_mmio_decode(insn, n, long64, def32, &op) ||
	    op.reg == GPR_RSP) {
		/* Not a MOV kvmini knows: userspace gets the bytes. */
		exit->reason = KVMINI_EXIT_UNHANDLED;
		run->unhandled.insn_len = n;
		memcpy(run->unhandled.insn, insn, n);
		return 0;
	}

	run->mmio.phys_addr = exit->gpa.gpa;
	run->mmio.len = op.size;
	run->mmio.is_write = op.write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (op.write) {
		data = op.reg < 0 ? op.imm : vcpu->gprs[op.reg];
		if (op.high_byte)
			data >>= 8;
		memcpy(run->mmio.data, &data, op.size);
	} else {
		vcpu->pending = (struct kvmini_pending_read) {
			.active = true, .source = KVMINI_READ_MMIO,
			.size = op.size,
			.dest_size = op.dest_size, .reg = op.reg,
			.high_byte = op.high_byte,
		};
	}

	trace_kvmini_mmio(vcpu->id, exit->gpa.gpa, op.size, op.write,
			  op.write ? data & GENMASK_ULL(op.size * 8 - 1, 0) : 0);
	rip += op.length;
	if (!long64)
		rip = def32 ? (u32)rip : (u16)rip;
	kvmini_vendor->set_rip(vcpu, rip);
	exit->reason = KVMINI_EXIT_MMIO;
	return 0;
}
