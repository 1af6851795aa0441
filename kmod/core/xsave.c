// SPDX-License-Identifier: GPL-2.0
/*
 * xsave.c - the guest's XCR0: XSETBV, and the XCR0 the CPU runs the guest
 * with.
 *
 * XCR0 is not part of the state VMX or SVM switch.  VMX exits on every
 * XSETBV, SVM intercepts it; kvmini checks the value as the CPU does and
 * keeps it per vCPU.  The backends load it right before the entry, with
 * interrupts off, and put the host's back right after the exit, so no
 * host code (an interrupt handler's kernel_fpu_begin() included) ever
 * runs with the guest's XCR0.
 *
 * A vCPU starts with every feature it may enable enabled (on these
 * hosts, the host's XCR0), not with x87 alone as a CPU after reset: a
 * guest that never sets XCR0 then costs no switching, and guest code
 * that uses AVX without setting XCR0 first keeps working as it did
 * before kvmini kept XCR0.  A guest kernel sets its own anyway.
 *
 * Guests may enable what the host has enabled, less AMX's tile state
 * (the guest's FPU state has no room for it).  CPUID leaf 0xD follows:
 * the features offered, and the save-area sizes for the guest's XCR0.
 */
#include <linux/types.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "../kvmini_vendor.h"

#define XCR0_AVX512	(XFEATURE_MASK_OPMASK | XFEATURE_MASK_ZMM_Hi256 | \
			 XFEATURE_MASK_Hi16_ZMM)
#define XCR0_MPX	(XFEATURE_MASK_BNDREGS | XFEATURE_MASK_BNDCSR)

u64 kvmini_host_xcr0 __read_mostly;

void kvmini_xsave_setup(void)
{
	if (boot_cpu_has(X86_FEATURE_OSXSAVE))
		kvmini_host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
}

/* What a guest may put in XCR0. */
u64 kvmini_guest_xcr0_allowed(void)
{
	return kvmini_host_xcr0 & ~XFEATURE_MASK_XTILE;
}

u64 kvmini_guest_xcr0_reset(void)
{
	return kvmini_host_xcr0 ? kvmini_guest_xcr0_allowed() :
				  XFEATURE_MASK_FP;
}

/* The checks XSETBV makes on the CPU (SDM, XSETBV; KVM's __kvm_set_xcr). */
static bool xcr0_valid(u64 xcr0)
{
	if (!(xcr0 & XFEATURE_MASK_FP))
		return false;
	if (xcr0 & ~kvmini_guest_xcr0_allowed())
		return false;
	if ((xcr0 & XFEATURE_MASK_YMM) && !(xcr0 & XFEATURE_MASK_SSE))
		return false;
	if (!!(xcr0 & XFEATURE_MASK_BNDREGS) != !!(xcr0 & XFEATURE_MASK_BNDCSR))
		return false;
	if (xcr0 & XCR0_AVX512) {
		if ((xcr0 & XCR0_AVX512) != XCR0_AVX512)
			return false;
		if (!(xcr0 & XFEATURE_MASK_YMM))
			return false;
	}
	return true;
}

int kvmini_handle_xsetbv(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit)
{
	u64 xcr0 = (u32)vcpu->gprs[GPR_RAX] |
		   (u64)(u32)vcpu->gprs[GPR_RDX] << 32;
	struct kvmini_sregs sregs;

	kvmini_vendor->get_sregs(vcpu, &sregs);
	if (!(sregs.cr4 & X86_CR4_OSXSAVE)) {
		kvmini_queue_exception(vcpu, X86_TRAP_UD, false, 0);
		return 1;
	}
	if (kvmini_vendor->get_cpl(vcpu) ||
	    (u32)vcpu->gprs[GPR_RCX] != XCR_XFEATURE_ENABLED_MASK ||
	    !xcr0_valid(xcr0)) {
		kvmini_inject_gp(vcpu);
		return 1;
	}
	vcpu->xcr0 = xcr0;
	kvmini_vendor->skip_instruction(vcpu);
	return 1;
}

/* The bytes XSAVE needs for the features in xcr0 (standard format). */
u32 kvmini_xsave_size(u64 xcr0)
{
	u32 size = 512 + 64;	/* legacy area and header */
	u32 eax, ebx, ecx, edx;
	int i;

	for (i = 2; i < 64; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &eax, &ebx, &ecx, &edx);
		size = max(size, ebx + eax);
	}
	return size;
}
