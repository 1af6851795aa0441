// SPDX-License-Identifier: GPL-2.0
/*
 * mmio_decode.c - what an MMIO access does, from the instruction bytes.
 *
 * Neither EPT violations nor NPT faults (without decode assists) say how
 * wide an access was, what it wrote or where a read goes, so kvmini
 * decodes the instruction itself.  It knows the MOV forms compilers emit
 * for device registers:
 *
 *   88/89    mov r/m, reg        8a/8b    mov reg, r/m
 *   c6/c7    mov r/m, imm        0f b6/b7 movzx reg, r/m8/16
 *   a0-a3    mov al/eax <-> moffs
 *
 * with operand-size, address-size, segment and REX prefixes.  Anything
 * else is left to userspace as an UNHANDLED exit carrying the bytes.
 */
#include <linux/errno.h>
#include <linux/string.h>

#include "../kvmini_core.h"

/* Operand and address sizes are 2, 4 or 8 bytes. */

struct decoder {
	const u8 *p, *end;
	int opsize;		/* 2, 4 or 8 */
	int adsize;		/* 2, 4 or 8 */
	u8 rex;
};

static int next(struct decoder *d)
{
	return d->p < d->end ? *d->p++ : -1;
}

/* Step over a ModRM operand (and SIB and displacement); -1 if cut off. */
static int skip_modrm(struct decoder *d, int *reg)
{
	int modrm = next(d), mod, rm, disp = 0;

	if (modrm < 0)
		return -1;
	mod = modrm >> 6;
	rm = modrm & 7;
	*reg = ((modrm >> 3) & 7) | ((d->rex & 4) << 1);
	if (mod == 3)
		return -1;	/* a register operand cannot fault on memory */

	if (d->adsize == 2) {
		if (mod == 1)
			disp = 1;
		else if (mod == 2 || (mod == 0 && rm == 6))
			disp = 2;
	} else {
		if (rm == 4) {
			int sib = next(d);

			if (sib < 0)
				return -1;
			if (mod == 0 && (sib & 7) == 5)
				disp = 4;
		}
		if (mod == 1)
			disp = 1;
		else if (mod == 2 || (mod == 0 && rm == 5))
			disp = 4;
	}
	if (d->end - d->p < disp)
		return -1;
	d->p += disp;
	return 0;
}

/* The legacy prefixes: lock, rep, segments, operand and address size. */
static bool legacy_prefix(u8 b)
{
	switch (b) {
	case 0xf0: case 0xf2: case 0xf3:
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67:
		return true;
	default:
		return false;
	}
}

/*
 * The length of an instruction whose opcode the exit named, prefixes
 * included: legacy prefixes in any number and, in 64-bit code, REX
 * bytes among them (only the last one before the opcode counts, but all
 * take room), then the opcode.  -EINVAL if the bytes are not that
 * instruction (another vCPU rewrote them after the exit, say) or are
 * cut off: the caller must not guess a length then.
 */
int kvmini_insn_length(const u8 *insn, int len, bool long64,
		       const u8 *opcode, int oplen)
{
	int i = 0;

	while (i < len && (legacy_prefix(insn[i]) ||
			   (long64 && (insn[i] & 0xf0) == 0x40)))
		i++;
	if (len - i < oplen || memcmp(insn + i, opcode, oplen))
		return -EINVAL;
	return i + oplen;
}

/*
 * MOV to/from CRn (0f 22 / 0f 20), MOV to/from DRn (0f 23 / 0f 21) and
 * LMSW (0f 01 /6) with a register operand; returns the instruction's
 * length.  MOV CR ignores the ModRM's
 * mod field: its operand is always a register.  REX.R, or on AMD a LOCK
 * prefix, selects CR8 and up; REX.B the upper eight registers.
 */
int kvmini_decode_cr(const u8 *insn, int len, bool long64,
		     struct kvmini_cr_op *op)
{
	bool lock = false;
	u8 rex = 0, modrm;
	int i;

	for (i = 0; i < len; i++) {
		if (long64 && (insn[i] & 0xf0) == 0x40) {
			rex = insn[i];
			continue;
		}
		if (!legacy_prefix(insn[i]))
			break;
		lock |= insn[i] == 0xf0;
		rex = 0;	/* a REX counts only right before the opcode */
	}
	if (len - i < 3 || insn[i] != 0x0f)
		return -EINVAL;
	modrm = insn[i + 2];
	op->gpr = (modrm & 7) | (rex & 1 ? 8 : 0);
	switch (insn[i + 1]) {
	case 0x20:
	case 0x22:
		op->cr = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0) | (lock ? 8 : 0);
		op->write = insn[i + 1] == 0x22;
		op->lmsw = false;
		op->dr = false;
		break;
	case 0x21:
	case 0x23:
		/* MOV from/to DRn: no LOCK form, REX.R names DR8+ (#UD). */
		if (lock || (rex & 4))
			return -EINVAL;
		op->cr = (modrm >> 3) & 7;
		op->write = insn[i + 1] == 0x23;
		op->lmsw = false;
		op->dr = true;
		break;
	case 0x01:
		if (((modrm >> 3) & 7) != 6 || (modrm >> 6) != 3)
			return -EINVAL;
		op->cr = 0;
		op->write = true;
		op->lmsw = true;
		op->dr = false;
		break;
	default:
		return -EINVAL;
	}
	return i + 3;
}

static u64 read_imm(struct decoder *d, int size)
{
	u64 v = 0;

	memcpy(&v, d->p, size);
	d->p += size;
	return v;
}

int kvmini_mmio_decode(const u8 *insn, int len, bool long64, bool def32,
		       struct kvmini_mmio_op *op)
{
	struct decoder d = { .p = insn, .end = insn + len };
	bool osize_prefix = false, asize_prefix = false;
	int b, reg, imm_size;

	memset(op, 0, sizeof(*op));
	for (;;) {
		b = next(&d);
		if (b == 0x66)
			osize_prefix = true;
		else if (b == 0x67)
			asize_prefix = true;
		else if (b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e ||
			 b == 0x64 || b == 0x65)
			continue;	/* the GPA is known: segments do not matter */
		else
			break;
	}
	if (long64 && b >= 0x40 && b <= 0x4f) {
		d.rex = b;
		b = next(&d);
	}
	if (long64) {
		d.opsize = (d.rex & 8) ? 8 : osize_prefix ? 2 : 4;
		d.adsize = asize_prefix ? 4 : 8;
	} else {
		d.opsize = def32 != osize_prefix ? 4 : 2;
		d.adsize = def32 != asize_prefix ? 4 : 2;
	}

	switch (b) {
	case 0x88: case 0x89: case 0x8a: case 0x8b:
		if (skip_modrm(&d, &reg))
			return -EINVAL;
		op->size = (b & 1) ? d.opsize : 1;
		op->write = b < 0x8a;
		op->reg = reg;
		/* Without REX, byte registers 4-7 are AH, CH, DH, BH. */
		if (op->size == 1 && !d.rex && reg >= 4) {
			op->reg = reg - 4;
			op->high_byte = true;
		}
		op->dest_size = op->size;
		break;
	case 0xc6: case 0xc7:
		if (skip_modrm(&d, &reg) || (reg & 7))
			return -EINVAL;
		op->size = b == 0xc6 ? 1 : d.opsize;
		imm_size = op->size == 8 ? 4 : op->size;
		if (d.end - d.p < imm_size)
			return -EINVAL;
		op->write = true;
		op->reg = -1;
		op->imm = read_imm(&d, imm_size);
		if (op->size == 8)	/* imm32, sign-extended */
			op->imm = (s64)(s32)op->imm;
		break;
	case 0x0f:
		b = next(&d);
		if (b != 0xb6 && b != 0xb7)
			return -EINVAL;
		if (skip_modrm(&d, &reg))
			return -EINVAL;
		op->size = b == 0xb6 ? 1 : 2;
		op->reg = reg;
		op->dest_size = d.opsize;
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		if (d.end - d.p < d.adsize)
			return -EINVAL;
		d.p += d.adsize;
		op->size = (b & 1) ? d.opsize : 1;
		op->write = b >= 0xa2;
		op->reg = 0;	/* AL / AX / EAX / RAX */
		op->dest_size = op->size;
		break;
	default:
		return -EINVAL;
	}
	op->length = d.p - insn;
	return 0;
}
