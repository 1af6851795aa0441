// SPDX-License-Identifier: GPL-2.0
/*
 * exception.c - the guest's own exceptions that kvmini intercepts: #DB,
 * #AC and #MC (both backends set them in their exception bitmaps).
 *
 * #AC and #DB are the guest's: they go straight back into it.  They are
 * intercepted only so that one whose delivery raises it again (an #AC
 * pushing onto a misaligned stack, a #DB on the stack the #DB frame
 * goes to) loops through kvmini, which checks for signals and
 * rescheduling at every turn, rather than inside the CPU with the host
 * locked out (CVE-2015-5307, CVE-2015-8104).  #MC belongs to the host:
 * the backend already ran the host's machine-check handler with
 * interrupts still off (kvmini_machine_check()); the guest goes on.
 * A backend may also raise #UD here for an instruction it intercepts
 * but does not offer.
 */
#include <asm/cpu.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "../kvmini_vendor.h"

/* The guest asked for alignment checks: CPL 3, CR0.AM and RFLAGS.AC. */
static bool guest_alignment_checks(struct kvmini_vcpu *vcpu)
{
	struct kvmini_sregs sregs;

	kvmini_vendor->get_sregs(vcpu, &sregs);
	return kvmini_vendor->get_cpl(vcpu) == 3 &&
	       (sregs.cr0 & X86_CR0_AM) &&
	       (kvmini_vendor->get_rflags(vcpu) & X86_EFLAGS_AC);
}

/*
 * An #AC the guest did not ask for comes from the host's split-lock
 * detection: the kernel decides (warn and let the task go on without
 * detection, or SIGBUS), as it does for KVM's guests.
 */
static int handle_ac(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit)
{
	if (boot_cpu_has(X86_FEATURE_SPLIT_LOCK_DETECT) &&
	    !guest_alignment_checks(vcpu)) {
		if (handle_guest_split_lock(kvmini_vendor->get_rip(vcpu)))
			return 1;
		exit->reason = KVMINI_EXIT_UNHANDLED;
		return kvmini_fetch_insn(vcpu);
	}
	kvmini_queue_exception(vcpu, X86_TRAP_AC, exit->exc.has_error,
			       exit->exc.error);
	return 1;
}

int kvmini_handle_exception(struct kvmini_vcpu *vcpu,
			    struct kvmini_exit *exit)
{
	switch (exit->exc.vector) {
	case X86_TRAP_AC:
		return handle_ac(vcpu, exit);
	case X86_TRAP_DB:
		/* INT1 exited before it ran (VMX, SVM's INT1 intercept). */
		if (exit->exc.icebp)
			kvmini_vendor->skip_instruction(vcpu);
		kvmini_dr6_note_debug(vcpu, exit->exc.dr6);
		kvmini_queue_exception(vcpu, X86_TRAP_DB, false, 0);
		return 1;
	case X86_TRAP_UD:
		/* An instruction kvmini does not offer (SVM's RDTSCP). */
		kvmini_queue_exception(vcpu, X86_TRAP_UD, false, 0);
		return 1;
	default:
		/* #MC: handled by the host already. */
		return 1;
	}
}
