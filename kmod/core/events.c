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
 * KVMINI_GET/SET_VCPU_EVENTS show and replace all of that state, with
 * the backend's NMI blocking and interrupt shadow.
 *
 * Next: core/run.c, which calls this file and handles the window exits.
 */
#include <linux/string.h>
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

/* Exceptions that push an error code: #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP. */
#define EXCEPTIONS_WITH_ERROR	(BIT(X86_TRAP_DF) | BIT(X86_TRAP_TS) | \
				 BIT(X86_TRAP_NP) | BIT(X86_TRAP_SS) | \
				 BIT(X86_TRAP_GP) | BIT(X86_TRAP_PF) | \
				 BIT(X86_TRAP_AC) | BIT(X86_TRAP_CP))

long kvmini_vcpu_get_events(struct kvmini_vcpu *vcpu, void __user *argp)
{
	struct kvmini_vcpu_events ev = {};
	u32 info = vcpu->event.info;

	if (info & KVMINI_EVENT_VALID) {
		ev.event.valid = 1;
		ev.event.type = (info & KVMINI_EVENT_TYPE_MASK) >>
				KVMINI_EVENT_TYPE_SHIFT;
		ev.event.vector = info & 0xff;
		if (info & KVMINI_EVENT_HAS_ERROR) {
			ev.event.has_error = 1;
			ev.event.error_code = vcpu->event.error;
		}
	}
	if (vcpu->irq_pending) {
		ev.interrupt.pending = 1;
		ev.interrupt.vector = vcpu->irq_vector;
	}
	ev.nmi.pending = vcpu->nmi_pending;
	ev.nmi.masked = kvmini_vendor->get_nmi_masked(vcpu);
	ev.shadow = kvmini_vendor->get_shadow(vcpu);
	return copy_to_user(argp, &ev, sizeof(ev)) ? -EFAULT : 0;
}

/* Is the held event one the hardware can inject, in this mode? */
static bool event_valid(struct kvmini_vcpu *vcpu,
			const struct kvmini_vcpu_events *ev)
{
	struct kvmini_sregs sregs;

	if (!ev->event.valid)
		return !ev->event.type && !ev->event.vector &&
		       !ev->event.has_error && !ev->event.error_code;
	if (ev->event.valid > 1 || ev->event.has_error > 1 ||
	    (!ev->event.has_error && ev->event.error_code))
		return false;
	switch (ev->event.type) {
	case KVMINI_EVENT_EXTINT:
		/* Taken only with IF set and no shadow (VM entry checks). */
		return !ev->event.has_error && !ev->shadow &&
		       (kvmini_vendor->get_rflags(vcpu) & X86_EFLAGS_IF);
	case KVMINI_EVENT_NMI:
		/* Not delivered yet, so not blocking NMIs yet either. */
		return ev->event.vector == X86_TRAP_NMI &&
		       !ev->event.has_error && !ev->nmi.masked && !ev->shadow;
	case KVMINI_EVENT_EXCEPTION:
		if (ev->event.vector > 31 || ev->event.vector == X86_TRAP_NMI)
			return false;
		if (!ev->event.has_error)
			return true;
		/* Real mode pushes no error code; VM entry refuses one. */
		kvmini_vendor->get_sregs(vcpu, &sregs);
		return (EXCEPTIONS_WITH_ERROR & BIT(ev->event.vector)) &&
		       (sregs.cr0 & X86_CR0_PE);
	default:
		return false;
	}
}

static bool events_valid(struct kvmini_vcpu *vcpu,
			 const struct kvmini_vcpu_events *ev)
{
	if (ev->flags || ev->reserved[0] || ev->reserved[1] ||
	    ev->reserved[2] || ev->reserved[3] ||
	    memchr_inv(ev->interrupt.padding, 0, sizeof(ev->interrupt.padding)) ||
	    memchr_inv(ev->nmi.padding, 0, sizeof(ev->nmi.padding)))
		return false;
	if (ev->interrupt.pending > 1 ||
	    (!ev->interrupt.pending && ev->interrupt.vector) ||
	    ev->nmi.pending > 1 || ev->nmi.masked > 1)
		return false;
	if (ev->shadow & ~(KVMINI_SHADOW_STI | KVMINI_SHADOW_MOV_SS))
		return false;
	/* STI sets IF: no CPU is in its shadow with IF clear. */
	if (ev->shadow == KVMINI_SHADOW_STI &&
	    !(kvmini_vendor->get_rflags(vcpu) & X86_EFLAGS_IF))
		return false;
	return event_valid(vcpu, ev);
}

long kvmini_vcpu_set_events(struct kvmini_vcpu *vcpu, void __user *argp)
{
	struct kvmini_vcpu_events ev;

	if (copy_from_user(&ev, argp, sizeof(ev)))
		return -EFAULT;
	if (!events_valid(vcpu, &ev))
		return -EINVAL;

	vcpu->event.info = 0;
	vcpu->event.error = 0;
	if (ev.event.valid) {
		vcpu->event.info = KVMINI_EVENT_VALID | ev.event.vector |
				   ev.event.type << KVMINI_EVENT_TYPE_SHIFT |
				   (ev.event.has_error ? KVMINI_EVENT_HAS_ERROR : 0);
		vcpu->event.error = ev.event.error_code;
	}
	vcpu->event_refaults = false;
	vcpu->irq_pending = ev.interrupt.pending;
	vcpu->irq_vector = ev.interrupt.vector;
	vcpu->nmi_pending = ev.nmi.pending;
	kvmini_vendor->set_nmi_masked(vcpu, ev.nmi.masked);
	kvmini_vendor->set_shadow(vcpu, ev.shadow);
	return 0;
}
