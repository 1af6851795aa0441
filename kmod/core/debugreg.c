// SPDX-License-Identifier: GPL-2.0
/*
 * debugreg.c - MOV to and from DR0-DR7: the guest's debug registers kept
 * in software, never in the hardware.
 *
 * The hardware's DR0-DR7 stay the host's while the guest runs (both
 * backends exit on every MOV DR, and the VMCS/VMCB keep DR7 at its reset
 * value), so a guest can never arm a breakpoint on the host's behalf.
 * What the guest writes is kept here and read back, which is all a
 * booting kernel does with them (Linux clears DR0-DR3, DR6 and DR7 on
 * every CPU).  A write to DR7 that would arm a breakpoint (L0-L3, G0-G3)
 * or general detection (GD) asks for something kvmini does not do: RUN
 * ends with an UNHANDLED exit, RIP still at the MOV, rather than the
 * guest waiting for a breakpoint that never fires.
 *
 * As on the CPU: DR4 and DR5 are DR6 and DR7 unless CR4.DE is set, and
 * then #UD; MOV DR at CPL > 0 is #GP(0); setting bits 63:32 of DR6 or
 * DR7 is #GP(0); outside 64-bit mode the operand is 32 bits.
 */
#include <linux/percpu.h>
#include <asm/debugreg.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "../kvmini_vendor.h"

/* DR6 and DR7 after reset: every reserved bit as the CPU shows it. */
#define DR6_RESET	DR6_RESERVED		/* 0xffff0ff0 */
#define DR7_RESET	0x400ULL		/* bit 10 reads as 1 */
/* DR6 bits a MOV can change: B0-B3, BD (13), BS, BT (15). */
#define DR6_WRITABLE	(DR_TRAP_BITS | DR_STEP | BIT(13) | BIT(15))
/* DR7 bits the CPU keeps: the enables, LE/GE, RTM, GD and 31:16. */
#define DR7_WRITABLE	0xffff2bffULL
/* What arms something: L0-L3, G0-G3, GD (general detect, bit 13). */
#define DR7_ARMS	(0xffULL | BIT(13))

void kvmini_dr_reset(struct kvmini_vcpu *vcpu)
{
	memset(vcpu->db, 0, sizeof(vcpu->db));
	vcpu->dr6 = DR6_RESET;
	vcpu->dr7 = DR7_RESET;
}

/* A #DB goes into the guest: DR6 says why, as the CPU's would. */
void kvmini_dr6_note_debug(struct kvmini_vcpu *vcpu, u32 dr6_bits)
{
	vcpu->dr6 = (vcpu->dr6 & ~(unsigned long)DR_TRAP_BITS) |
		    (dr6_bits & DR6_WRITABLE);
}

static int dr_write(struct kvmini_vcpu *vcpu, int dr, unsigned long val)
{
	switch (dr) {
	case 0 ... 3:
		vcpu->db[dr] = val;
		return 1;
	case 6:
		if (val >> 32)
			break;
		vcpu->dr6 = (val & DR6_WRITABLE) | DR6_RESET;
		return 1;
	default:	/* 7 */
		if (val >> 32)
			break;
		if (val & DR7_ARMS)
			return 0;
		vcpu->dr7 = (val & DR7_WRITABLE) | DR7_RESET;
		return 1;
	}
	kvmini_inject_gp(vcpu);
	return -1;
}

static unsigned long dr_read(struct kvmini_vcpu *vcpu, int dr)
{
	if (dr < 4)
		return vcpu->db[dr];
	return dr == 6 ? vcpu->dr6 : vcpu->dr7;
}

int kvmini_handle_dr_access(struct kvmini_vcpu *vcpu,
			    struct kvmini_exit *exit)
{
	struct kvmini_sregs sregs;
	struct kvmini_regs regs;
	unsigned long *reg;
	bool long64, def32;
	int dr = exit->dr.dr, r;

	kvmini_vendor->get_sregs(vcpu, &sregs);
	if (dr == 4 || dr == 5) {
		if (sregs.cr4 & X86_CR4_DE) {
			kvmini_queue_exception(vcpu, X86_TRAP_UD, false, 0);
			return 1;
		}
		dr += 2;
	}
	if (kvmini_vendor->get_cpl(vcpu)) {
		kvmini_inject_gp(vcpu);
		return 1;
	}
	kvmini_code_mode(&sregs, &long64, &def32);
	kvmini_vendor->get_regs(vcpu, &regs);
	/* RSP lives in the VMCS/VMCB: go through regs for it. */
	reg = exit->dr.gpr == GPR_RSP ? (unsigned long *)&regs.rsp :
	      &vcpu->gprs[exit->dr.gpr];
	if (exit->dr.write) {
		r = dr_write(vcpu, dr, long64 ? *reg : (u32)*reg);
		if (r < 0)
			return 1;
		if (!r) {
			exit->reason = KVMINI_EXIT_UNHANDLED;
			return kvmini_fetch_insn(vcpu);
		}
	} else {
		*reg = long64 ? dr_read(vcpu, dr) : (u32)dr_read(vcpu, dr);
		if (exit->dr.gpr == GPR_RSP)
			kvmini_vendor->set_regs(vcpu, &regs);
	}
	kvmini_vendor->skip_instruction(vcpu);
	return 1;
}
