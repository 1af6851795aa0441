/* SPDX-License-Identifier: GPL-2.0 */
/*
 * irq.h - interrupts, from a device's line to the guest's handler.
 *
 * The interrupt controller lives in userspace, as with KVM without an
 * in-kernel irqchip (see "Interrupts" in kmod/uapi/kvmini.h).  The path
 * of one interrupt, with the machine lock held until the vCPU's part:
 *
 *   a device       irq_set_line(4, 1), from any thread
 *   the controller the 8259A pair latches the line in IRR; if it outranks
 *                  what is in service, INTR goes up: irq_chip_changed()
 *   the vCPU       kicked: woken if it waits in a HLT, else signalled out
 *                  of RUN (the kick protocol below)
 *   its thread     before its next RUN, irq_before_run(): if the guest can
 *                  take an interrupt now (run->ready_for_interrupt_injection)
 *                  the controller answers the acknowledge cycle (INTA) with
 *                  a vector and kvmini_vcpu_interrupt() queues it; if not,
 *                  run->request_interrupt_window asks RUN to come back
 *                  (KVMINI_EXIT_IRQ_WINDOW) the moment the guest can.
 *
 * Only vCPU 0 takes interrupts: the PIC's INTR is wired to the boot CPU,
 * as on a PC without local APICs.
 *
 * The kick protocol.  A thread that changed something a vCPU must see
 * (an interrupt for it, or the machine stopping) does so under the
 * machine lock, then sends the vCPU's thread SIGUSR1.  The signal handler
 * sets immediate_exit in the run page (kvmini_vcpu_set_immediate_exit()),
 * so whichever way the signal lands the vCPU comes back to userspace: in
 * RUN, the pending signal ends it with EINTR; just before RUN,
 * immediate_exit makes RUN return EINTR at once; after RUN, the next RUN
 * does.  irq_before_run() clears immediate_exit first and then looks at
 * the machine under the lock, so no change made after that look goes
 * unseen.  A halted vCPU waits on a condition variable instead and is
 * woken without a signal.
 */
#ifndef KVMINI_IRQ_H
#define KVMINI_IRQ_H

#include <stdbool.h>

#include "libkvmini.h"

#define IRQ_LINES	16	/* ISA IRQ 0-15 */
#define IRQ_KICK_SIGNAL	SIGUSR1

/* An interrupt controller: the 8259A pair (devices/i8259.c). */
struct irq_chip {
	/* A device's line changed level. */
	void (*set_line)(int irq, int level);
	/* INTR: an interrupt waits for the CPU to acknowledge it. */
	bool (*intr)(void);
	/* The acknowledge cycle: the vector, now in service. */
	int (*inta)(void);
};

void irq_set_chip(const struct irq_chip *chip);

/* For devices and the controller; machine lock held. */
void irq_set_line(int irq, int level);
/* Two edges: for edge-triggered sources that tick (the PIT). */
void irq_pulse(int irq);
/* The controller's INTR may have risen: kick the vCPU it goes to. */
void irq_chip_changed(void);
/* The CPU's side of the controller: INTR, and the acknowledge cycle. */
bool irq_pending(void);
int irq_acknowledge(void);

/* Install the kick signal's handler; before any vCPU runs. */
void irq_init(void);

/* For the vCPU threads, from kvmini.c's exit loop. */
void irq_vcpu_init(int id, struct kvmini_vcpu *vcpu);	/* on its thread */
/* Before each RUN: inject or ask for a window; false: stop running. */
bool irq_before_run(int id);
/*
 * After a HLT exit: wait until an interrupt is there for the guest and
 * return true, or return false when nothing can ever wake it (IF clear,
 * or a vCPU interrupts do not reach) or the machine stops.
 */
bool irq_halted(int id);
/* The vCPU's loop ended: no more kicks for its thread. */
void irq_vcpu_done(int id);

/* Stop every vCPU: kicked out of RUN, woken from HLT.  Lock held. */
void irq_stop(void);

#endif /* KVMINI_IRQ_H */
