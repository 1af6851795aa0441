// SPDX-License-Identifier: GPL-2.0
/*
 * events.c - interrupts and NMIs that userspace queues for the guest.
 *
 * The interrupt controllers are in userspace.  KVMINI_INTERRUPT leaves
 * a vector here and KVMINI_NMI an NMI; before every entry the run loop
 * calls kvmini_inject_events(), which moves what the guest can take now
 * into vcpu->event (the one event the backend delivers at the entry)
 * and otherwise asks the backend for a window exit: an interrupt window
 * when the guest sets IF or leaves an STI/MOV SS shadow, an NMI window
 * when its NMI handler IRETs.  Exceptions already in vcpu->event (an
 * interrupted delivery, a #GP from an MSR) go first; the rest waits.
 *
 * Next: core/run.c, which calls this file and handles the window exits.
 */
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "../kvmini_vendor.h"

long kvmini_vcpu_queue_interrupt(struct kvmini_vcpu *vcpu, void __user *argp)
{
	struct kvmini_interrupt irq;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	if (irq.vector > 255 || irq.flags || irq.reserved[0] ||
	    irq.reserved[1])
		return -EINVAL;
	if (vcpu->irq_pending)
		return -EEXIST;
	vcpu->irq_vector = irq.vector;
	vcpu->irq_pending = true;
	return 0;
}

long kvmini_vcpu_queue_nmi(struct kvmini_vcpu *vcpu, unsigned long arg)
{
	if (arg)
		return -EINVAL;
	/* One pending NMI at most: more merge into it, as on hardware. */
	vcpu->nmi_pending = true;
	return 0;
}

/* An event is on its way into the guest at the next entry. */
static bool event_queued(struct kvmini_vcpu *vcpu)
{
	return vcpu->event.info & KVMINI_EVENT_VALID;
}

/* Userspace could queue an interrupt now and have it taken at entry. */
bool kvmini_ready_for_interrupt(struct kvmini_vcpu *vcpu)
{
	return !vcpu->irq_pending && !event_queued(vcpu) &&
	       kvmini_vendor->interrupt_allowed(vcpu);
}

/*
 * Before an entry, with the vCPU loaded: inject what can be taken, ask
 * for a window for what cannot.  userspace_window: run's
 * request_interrupt_window.
 */
void kvmini_inject_events(struct kvmini_vcpu *vcpu, bool userspace_window)
{
	bool irq_window, nmi_window;

	if (!event_queued(vcpu) && vcpu->nmi_pending &&
	    kvmini_vendor->nmi_allowed(vcpu)) {
		vcpu->event.info = KVMINI_EVENT_VALID | KVMINI_EVENT_TYPE_NMI |
				   X86_TRAP_NMI;
		vcpu->nmi_pending = false;
	}
	if (!event_queued(vcpu) && vcpu->irq_pending &&
	    kvmini_vendor->interrupt_allowed(vcpu)) {
		vcpu->event.info = KVMINI_EVENT_VALID | KVMINI_EVENT_TYPE_EXTINT |
				   vcpu->irq_vector;
		vcpu->irq_pending = false;
	}
	irq_window = vcpu->irq_pending || userspace_window;
	nmi_window = vcpu->nmi_pending;
	kvmini_vendor->set_windows(vcpu, irq_window, nmi_window);
}

/* After a HLT: something queued the guest can take ends the halt. */
bool kvmini_wakes_from_hlt(struct kvmini_vcpu *vcpu)
{
	return (vcpu->nmi_pending && kvmini_vendor->nmi_allowed(vcpu)) ||
	       (vcpu->irq_pending && kvmini_vendor->interrupt_allowed(vcpu));
}
