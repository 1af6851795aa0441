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
 * Without local APICs only vCPU 0 takes interrupts: the PIC's INTR is
 * wired to the boot CPU.  With them (devices/apic.c, one per vCPU) each
 * vCPU takes what its APIC has for it: fixed interrupts from the IOAPIC
 * (devices/ioapic.c), from other APICs (IPIs) and from its own timer,
 * and the PIC's INTR where LINT0 is programmed ExtINT (virtual wire mode,
 * which vCPU 0's APIC is in after reset, as a BIOS leaves it).  Every ISA
 * line goes to both the PIC and the IOAPIC; the guest masks one of them.
 *
 * vCPU life cycle with APICs.  The boot CPU runs from the start; the
 * others wait for a SIPI (INIT, then STARTUP from another APIC), without
 * a host CPU: their threads sleep on a condition variable.  A SIPI starts
 * one in real mode at CS = vector << 8, IP 0; an INIT sends a running
 * vCPU back to waiting.  A HLT with interrupts off waits for an NMI or an
 * INIT.  The run ends when no vCPU can run again: every one waits for a
 * SIPI or sits in a HLT with interrupts off (or isa-debug-exit, a reset
 * or a signal stopped the machine).

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
#include <stdint.h>

#include "libkvmini.h"

#define IRQ_LINES	16	/* ISA IRQ 0-15 */
#define IRQ_MAX_CPUS	KVMINI_MAX_VCPUS
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

/*
 * An interrupt message, as an IOAPIC redirection entry or an APIC's ICR
 * sends it (their bit layout, unpacked).
 */
enum irq_delivery {
	IRQ_DM_FIXED	= 0,
	IRQ_DM_LOWEST	= 1,
	IRQ_DM_SMI	= 2,
	IRQ_DM_NMI	= 4,
	IRQ_DM_INIT	= 5,
	IRQ_DM_STARTUP	= 6,
	IRQ_DM_EXTINT	= 7,
};

enum irq_shorthand {
	IRQ_DEST_FIELD,		/* dest, physical or logical */
	IRQ_DEST_SELF,
	IRQ_DEST_ALL,
	IRQ_DEST_ALL_BUT_SELF,
};

struct irq_msg {
	uint8_t vector;
	uint8_t delivery;	/* enum irq_delivery */
	bool logical;		/* dest is a logical destination */
	bool level;		/* level-triggered: its EOI goes to the IOAPIC */
	bool assert;		/* INIT: false is the level de-assert */
	uint8_t dest;
	uint8_t shorthand;	/* enum irq_shorthand */
	int source;		/* the sending vCPU (shorthands); -1: IOAPIC */
};

/* The local APICs (devices/apic.c). */
struct irq_lapic {
	/* A message on the APIC bus: how many APICs accepted it. */
	int (*deliver)(const struct irq_msg *m);
	/* An interrupt waits for the vCPU (fixed above PPR, or ExtINT). */
	bool (*intr)(int cpu);
	/* The acknowledge cycle: the vector, now in service. */
	int (*inta)(int cpu);
	/* Before a RUN, on the vCPU's thread: take CR8 into the TPR. */
	void (*sync_tpr)(int cpu, struct kvmini_vcpu *vcpu);
};

/* The IOAPIC (devices/ioapic.c). */
struct irq_ioapic {
	void (*set_pin)(int pin, int level);
	/* An APIC's EOI of a level-triggered vector. */
	void (*eoi)(uint8_t vector);
};

void irq_set_lapic(const struct irq_lapic *lapic);
void irq_set_ioapic(const struct irq_ioapic *ioapic);
bool irq_have_lapic(void);
/* The IOAPIC pin an ISA IRQ arrives at: the PIT's IRQ 0 at pin 2. */
int irq_isa_to_pin(int irq);

/* For the APICs and the IOAPIC, machine lock held. */
int irq_deliver(const struct irq_msg *m);
void irq_eoi_broadcast(uint8_t vector);
/* The vCPU's APIC has something new for it: make it look. */
void irq_cpu_kick(int cpu);
void irq_cpu_nmi(int cpu);
/* INIT: the vCPU stops and waits for a SIPI. */
void irq_cpu_init(int cpu);
/* The vCPU's own APIC took a TPR write: bits 7-4 go to its CR8. */
void irq_tpr_written(int cpu, unsigned int cr8);
/* STARTUP: false if the vCPU does not wait for one (it runs). */
bool irq_cpu_sipi(int cpu, uint8_t vector);
/*
 * The vCPU whose thread makes this access (an APIC's registers are its
 * own vCPU's); -1 on a thread that runs none.  Tests pretend with
 * irq_set_current_cpu().
 */
int irq_current_cpu(void);
void irq_set_current_cpu(int cpu);
/* Every vCPU's view: INTR and the acknowledge cycle. */
bool irq_cpu_pending(int cpu);
int irq_cpu_acknowledge(int cpu);
/* For tests: an NMI waits for the vCPU; a SIPI started it (vector). */
bool irq_cpu_nmi_pending(int cpu);
int irq_cpu_state(int cpu);
#define IRQ_CPU_RUNNING		0
#define IRQ_CPU_WAIT_SIPI	1

/* For devices and the controller; machine lock held. */
void irq_set_line(int irq, int level);
/* Two edges: for edge-triggered sources that tick (the PIT). */
void irq_pulse(int irq);
/* The controller's INTR may have risen: kick the vCPU it goes to. */
void irq_chip_changed(void);
/* The PIC alone: its INTR and acknowledge cycle (for the APICs' ExtINT). */
bool irq_pic_intr(void);
int irq_pic_inta(void);
/* vCPU 0's side: INTR, and the acknowledge cycle. */
bool irq_pending(void);
int irq_acknowledge(void);

/* Install the kick signal's handler; before any vCPU runs. */
void irq_init(void);

/*
 * For kvmini.c: a vCPU was created, in its power-on state (what INIT
 * goes back to); waits_for_sipi: an AP that starts only on a SIPI.
 */
void irq_vcpu_created(int id, struct kvmini_vcpu *vcpu, bool waits_for_sipi);
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
