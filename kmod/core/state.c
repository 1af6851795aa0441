// SPDX-License-Identifier: GPL-2.0
/*
 * state.c - vendor-neutral helpers for the architectural vCPU state.
 */
#include <linux/string.h>
#include <asm/processor-flags.h>

#include "../kvmini_state.h"

u32 kvmini_segment_to_ar(const struct kvmini_segment *s)
{
	return s->type | s->s << 4 | s->dpl << 5 | s->present << 7 |
	       s->avl << 12 | s->l << 13 | s->db << 14 | s->g << 15 |
	       s->unusable << 16;
}

void kvmini_segment_from_ar(struct kvmini_segment *s, u32 ar)
{
	s->type = ar & 15;
	s->s = (ar >> 4) & 1;
	s->dpl = (ar >> 5) & 3;
	s->present = (ar >> 7) & 1;
	s->avl = (ar >> 12) & 1;
	s->l = (ar >> 13) & 1;
	s->db = (ar >> 14) & 1;
	s->g = (ar >> 15) & 1;
	s->unusable = (ar >> 16) & 1;
}

static void real_mode_segment(struct kvmini_segment *s, u8 type)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
}

void kvmini_sregs_reset(struct kvmini_sregs *sregs)
{
	struct kvmini_segment *seg;

	memset(sregs, 0, sizeof(*sregs));
	/* Code: execute/read, accessed.  Data: read/write, accessed. */
	real_mode_segment(&sregs->cs, 11);
	for (seg = &sregs->ds; seg <= &sregs->ss; seg++)
		real_mode_segment(seg, 3);
	/* A busy 32-bit TSS and an unusable LDT, as entry checks want. */
	sregs->tr.limit = 0xffff;
	sregs->tr.type = 11;
	sregs->tr.present = 1;
	sregs->ldt.type = 2;
	sregs->ldt.unusable = 1;
	sregs->gdt.limit = 0xffff;
	sregs->idt.limit = 0xffff;
	sregs->cr0 = X86_CR0_ET;
}

void kvmini_gprs_to_regs(const unsigned long *gprs, struct kvmini_regs *regs)
{
	regs->rax = gprs[GPR_RAX];
	regs->rbx = gprs[GPR_RBX];
	regs->rcx = gprs[GPR_RCX];
	regs->rdx = gprs[GPR_RDX];
	regs->rsi = gprs[GPR_RSI];
	regs->rdi = gprs[GPR_RDI];
	regs->rbp = gprs[GPR_RBP];
	regs->r8 = gprs[GPR_R8];
	regs->r9 = gprs[GPR_R9];
	regs->r10 = gprs[GPR_R10];
	regs->r11 = gprs[GPR_R11];
	regs->r12 = gprs[GPR_R12];
	regs->r13 = gprs[GPR_R13];
	regs->r14 = gprs[GPR_R14];
	regs->r15 = gprs[GPR_R15];
}

void kvmini_regs_to_gprs(const struct kvmini_regs *regs, unsigned long *gprs)
{
	gprs[GPR_RAX] = regs->rax;
	gprs[GPR_RBX] = regs->rbx;
	gprs[GPR_RCX] = regs->rcx;
	gprs[GPR_RDX] = regs->rdx;
	gprs[GPR_RSI] = regs->rsi;
	gprs[GPR_RDI] = regs->rdi;
	gprs[GPR_RBP] = regs->rbp;
	gprs[GPR_R8] = regs->r8;
	gprs[GPR_R9] = regs->r9;
	gprs[GPR_R10] = regs->r10;
	gprs[GPR_R11] = regs->r11;
	gprs[GPR_R12] = regs->r12;
	gprs[GPR_R13] = regs->r13;
	gprs[GPR_R14] = regs->r14;
	gprs[GPR_R15] = regs->r15;
}
