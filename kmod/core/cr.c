// SPDX-License-Identifier: GPL-2.0
/*
 * cr.c - writes to CR0 that kvmini carries out for the guest: MOV to CR0
 * and LMSW.
 *
 * VMX exits on a MOV to CR0 that changes a bit the host owns (NE); SVM
 * on every write that changes more than TS and MP (the selective CR0
 * intercept), because its VMCB must not hold EFER.LME before paging is
 * on (svm_hw_efer() in svm/svm.c says why).  The write is checked and
 * done here as the CPU does it, long mode included: turning paging on
 * with EFER.LME set activates long mode (EFER.LMA), turning it off
 * leaves it.  The backend's set_sregs puts the result in the hardware.
 */
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "../kvmini_vendor.h"

/* CR0 bits the CPU has; writes to the other bits of 31:0 are ignored. */
#define CR0_DEFINED	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | \
			 X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | \
			 X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)

/* Would MOV to CR0 of cr0 raise #GP in the state s? */
static bool cr0_write_faults(const struct kvmini_sregs *s, u64 cr0)
{
	bool paging_on = !(s->cr0 & X86_CR0_PG) && (cr0 & X86_CR0_PG);
	bool paging_off = (s->cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PG);

	if (cr0 >> 32)
		return true;
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return true;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return true;
	/* Activating long mode needs PAE and a code segment not yet 64-bit. */
	if (paging_on && (s->efer & EFER_LME) &&
	    (!(s->cr4 & X86_CR4_PAE) || s->cs.l))
		return true;
	/* Paging cannot go off in 64-bit code, nor with PCIDs on. */
	if (paging_off && (((s->efer & EFER_LMA) && s->cs.l) ||
			   (s->cr4 & X86_CR4_PCIDE)))
		return true;
	return false;
}

/* MOV to CR0 from exit->cr.gpr, or LMSW from it. */
int kvmini_handle_cr0_write(struct kvmini_vcpu *vcpu,
			    struct kvmini_exit *exit)
{
	struct kvmini_sregs sregs;
	struct kvmini_regs regs;
	bool long64, def32;
	u64 cr0;

	kvmini_vendor->get_regs(vcpu, &regs);
	kvmini_vendor->get_sregs(vcpu, &sregs);
	kvmini_code_mode(&sregs, &long64, &def32);
	/* RSP lives in the VMCS/VMCB: regs has it. */
	cr0 = exit->cr.gpr == GPR_RSP ? regs.rsp : vcpu->gprs[exit->cr.gpr];
	if (!long64)
		cr0 = (u32)cr0;
	/* LMSW writes PE, MP, EM and TS, and can set PE but not clear it. */
	if (exit->cr.lmsw)
		cr0 = (sregs.cr0 & ~0xfULL) | (cr0 & 0xf) |
		      (sregs.cr0 & X86_CR0_PE);
	/* ET is hardwired to 1; the undefined low bits ignore writes. */
	cr0 = (cr0 & (CR0_DEFINED | GENMASK_ULL(63, 32))) | X86_CR0_ET;
	if (cr0_write_faults(&sregs, cr0)) {
		kvmini_inject_gp(vcpu);
		return 1;
	}
	if (sregs.efer & EFER_LME) {
		if (cr0 & X86_CR0_PG)
			sregs.efer |= EFER_LMA;
		else
			sregs.efer &= ~EFER_LMA;
	}
	sregs.cr0 = cr0;
	kvmini_vendor->set_sregs(vcpu, &sregs);
	kvmini_vendor->skip_instruction(vcpu);
	return 1;
}
