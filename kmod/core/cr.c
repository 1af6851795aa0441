// SPDX-License-Identifier: GPL-2.0
/*
 * cr.c - control registers: the writes kvmini carries out for the guest
 * (MOV to CR0 and LMSW, MOV to CR4), and what SET_SREGS accepts.
 *
 * VMX exits on a MOV to CR0 that changes a bit the host owns (NE); SVM
 * on every write that changes more than TS and MP (the selective CR0
 * intercept), because its VMCB must not hold EFER.LME before paging is
 * on (svm_hw_efer() in svm/svm.c says why).  The write is checked and
 * done here as the CPU does it, long mode included: turning paging on
 * with EFER.LME set activates long mode (EFER.LMA), turning it off
 * leaves it.  The backend's set_sregs puts the result in the hardware.
 *
 * CR4 bits the CPU has but kvmini does not offer the guest (PKE, VMXE,
 * ...) exit on VMX (they are host-owned); on SVM every MOV to CR4 exits.
 * Setting one raises #GP, as a reserved bit does.
 *
 * SET_SREGS takes only what both backends can run (kvmini_sregs_valid()):
 * the consistency rules of MOV to CR0/CR4 and of VM entry, the same on
 * VMX and SVM, where VMX used to drop reserved bits and accept CR8 > 15
 * and SVM to fail the entry.
 */
#include <asm/msr-index.h>
#include <asm/processor-flags.h>

#include "../kvmini_vendor.h"

/* CR0 bits the CPU has; writes to the other bits of 31:0 are ignored. */
#define CR0_DEFINED	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | \
			 X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | \
			 X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)

/* CR4 bits a guest may set: what the CPU has and kvmini offers. */
u64 kvmini_cr4_valid_bits(void)
{
	u64 bits = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |
		   X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE |
		   X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;

	if (boot_cpu_has(X86_FEATURE_UMIP))
		bits |= X86_CR4_UMIP;
	if (boot_cpu_has(X86_FEATURE_FSGSBASE))
		bits |= X86_CR4_FSGSBASE;
	if (boot_cpu_has(X86_FEATURE_PCID))
		bits |= X86_CR4_PCIDE;
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		bits |= X86_CR4_OSXSAVE;
	if (boot_cpu_has(X86_FEATURE_SMEP))
		bits |= X86_CR4_SMEP;
	if (boot_cpu_has(X86_FEATURE_SMAP))
		bits |= X86_CR4_SMAP;
	if (boot_cpu_has(X86_FEATURE_LA57))
		bits |= X86_CR4_LA57;
	/*
	 * Not PKE: CPUID offers no protection keys (core/cpuid.c).  PKRU
	 * is still switched around the guest, which can reach it with
	 * XRSTOR.  Nor VMXE, SMXE, CET or PKS: none is offered.
	 */
	return bits;
}

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

/* Would MOV to CR4 of cr4 raise #GP in the state s? */
static bool cr4_write_faults(const struct kvmini_sregs *s, u64 cr4)
{
	bool lma = s->efer & EFER_LMA;

	if (cr4 & ~kvmini_cr4_valid_bits())
		return true;
	/* Long mode keeps PAE, and its paging depth. */
	if (lma && (!(cr4 & X86_CR4_PAE) || ((cr4 ^ s->cr4) & X86_CR4_LA57)))
		return true;
	/* PCIDs go on only in long mode, and with PCID 0 in CR3. */
	if ((cr4 & ~s->cr4 & X86_CR4_PCIDE) && (!lma || (s->cr3 & 0xfff)))
		return true;
	return false;
}

/* The value a MOV to a control register writes: its register. */
static u64 cr_source(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit,
		     struct kvmini_regs *regs, struct kvmini_sregs *sregs)
{
	bool long64, def32;
	u64 v;

	kvmini_vendor->get_regs(vcpu, regs);
	kvmini_vendor->get_sregs(vcpu, sregs);
	kvmini_code_mode(sregs, &long64, &def32);
	/* RSP lives in the VMCS/VMCB: regs has it. */
	v = exit->cr.gpr == GPR_RSP ? regs->rsp : vcpu->gprs[exit->cr.gpr];
	return long64 ? v : (u32)v;
}

/* MOV to CR4 from exit->cr.gpr. */
int kvmini_handle_cr4_write(struct kvmini_vcpu *vcpu,
			    struct kvmini_exit *exit)
{
	struct kvmini_sregs sregs;
	struct kvmini_regs regs;
	u64 cr4 = cr_source(vcpu, exit, &regs, &sregs);

	if (cr4_write_faults(&sregs, cr4)) {
		kvmini_inject_gp(vcpu);
		return 1;
	}
	sregs.cr4 = cr4;
	kvmini_vendor->set_sregs(vcpu, &sregs);
	kvmini_vendor->skip_instruction(vcpu);
	return 1;
}

/*
 * SET_SREGS: the state must be one the CPU could be in, by the rules of
 * MOV to CR0/CR4 and of VM entry (which KVM's kvm_is_valid_sregs() and
 * VMX's guest-state checks share).  Segment and table bases are checked
 * for what the hardware loads as addresses.
 */
bool kvmini_sregs_valid(const struct kvmini_sregs *s)
{
	const struct kvmini_segment *seg;
	bool lma = s->efer & EFER_LMA;

	if (s->cr8 > 15)
		return false;
	if ((s->cr0 & ~(u64)CR0_DEFINED) ||
	    ((s->cr0 & X86_CR0_PG) && !(s->cr0 & X86_CR0_PE)) ||
	    ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD)))
		return false;
	if (s->cr4 & ~kvmini_cr4_valid_bits())
		return false;
	if (s->cr3 >> boot_cpu_data.x86_phys_bits)
		return false;
	/* Long mode is on exactly when LME and PG are: then PAE and LMA. */
	if ((s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG)) {
		if (!(s->cr4 & X86_CR4_PAE) || !lma ||
		    (s->cs.l && s->cs.db))
			return false;
	} else if (lma || s->cs.l) {
		return false;
	}
	if (!kvmini_canonical(s->fs.base) || !kvmini_canonical(s->gs.base) ||
	    !kvmini_canonical(s->tr.base) || !kvmini_canonical(s->gdt.base) ||
	    !kvmini_canonical(s->idt.base) ||
	    (!s->ldt.unusable && !kvmini_canonical(s->ldt.base)))
		return false;
	/* CS, DS, ES and SS bases have 32 bits. */
	if (s->cs.base >> 32)
		return false;
	for (seg = &s->ds; seg <= &s->ss; seg++)
		if (seg != &s->fs && seg != &s->gs && seg->present &&
		    !seg->unusable && (seg->base >> 32))
			return false;
	return true;
}

/* MOV to CR0 from exit->cr.gpr, or LMSW from it. */
int kvmini_handle_cr0_write(struct kvmini_vcpu *vcpu,
			    struct kvmini_exit *exit)
{
	struct kvmini_sregs sregs;
	struct kvmini_regs regs;
	u64 cr0 = cr_source(vcpu, exit, &regs, &sregs);
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
