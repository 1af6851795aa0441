// SPDX-License-Identifier: GPL-2.0
/*
 * apic.c - a local APIC per vCPU (xAPIC), at 0xfee00000.
 *
 * Every vCPU sees its own APIC at the same address: an access belongs to
 * the APIC of the vCPU whose thread makes it (irq_current_cpu()).  Each
 * access is an MMIO exit to this file, which makes the APIC the place to
 * watch how an operating system drives one: kvmini keeps it in userspace
 * on both backends.  Registers are 32 bits wide, 16-byte aligned; other
 * widths and offsets read as zero and are otherwise ignored.
 *
 *   0x020 ID            bits 31-24, the vCPU's number after reset
 *   0x030 version       0x00050014: integrated APIC, LVT entries 0-5
 *   0x080 TPR           task priority; bits 7-4 are the vCPU's CR8
 *   0x090 APR, 0x0c0 RRD  read 0
 *   0x0a0 PPR           processor priority (read-only)
 *   0x0b0 EOI           a write ends the highest interrupt in service; a
 *                       level-triggered one is broadcast to the IOAPIC
 *   0x0d0 LDR           logical ID, bits 31-24
 *   0x0e0 DFR           model, bits 31-28: flat (0xf) or cluster (0x0)
 *   0x0f0 SPIV          spurious vector (7-0), software enable (8),
 *                       focus check off (9); clearing 8 masks every LVT
 *   0x100-0x170 ISR, 0x180-0x1f0 TMR, 0x200-0x270 IRR  (read-only)
 *   0x280 ESR           a write latches the errors since, and clears them
 *   0x300/0x310 ICR     the interrupt command: a write of the low half
 *                       sends; delivery status always reads idle
 *   0x320 LVT timer     one-shot (mode 0) or periodic (mode 1); no TSC
 *                       deadline (CPUID does not offer it)
 *   0x330 thermal, 0x340 performance counters: kept, nothing drives them
 *   0x350 LINT0, 0x360 LINT1, 0x370 error
 *   0x380 initial count, 0x390 current count (read-only), 0x3e0 divide
 *
 * Read-only registers ignore writes.  An access to an offset with no
 * register sets "illegal register address" (ESR bit 7).
 *
 * Priorities: PPR is the TPR or the class of the highest vector in
 * service, whichever is higher; the highest vector in IRR whose class
 * (bits 7-4) is above PPR's is the one the vCPU takes (irq.c injects it
 * as it injects the PIC's).  Vectors 0-15 are illegal: sending one sets
 * ESR bit 5, receiving one bit 6, and neither gets into IRR.
 *
 * The ICR (and the IOAPIC, through irq_deliver()) sends fixed,
 * lowest-priority, NMI, INIT and STARTUP messages, to a physical APIC ID
 * (0xff: all), a logical destination (flat: a bit per APIC in LDR;
 * cluster: cluster in bits 7-4 and a bit per APIC in 3-0) or a shorthand
 * (self, all, all but self).  Lowest priority goes to the APIC of lowest
 * TPR among the destinations, then to the one after the last chosen.
 * INIT resets the target's APIC (its ID stays) and stops the vCPU until
 * a STARTUP (irq.c); the INIT level de-assert (level 0, trigger level)
 * changes nothing.  A STARTUP reaches only a vCPU waiting for one: one
 * that runs ignores it.  A message no APIC accepts (a destination no
 * vCPU has) sets "send accept error" (ESR bit 2), as the P6's APIC bus
 * reported it.  A software-disabled APIC accepts NMI, INIT and STARTUP
 * only.
 *
 * After reset vCPU 0's APIC is in virtual wire mode, as a BIOS leaves it
 * (MP specification 3.6.2.2): software-enabled, LINT0 ExtINT and LINT1
 * NMI, unmasked, so the 8259A's INTR reaches vCPU 0 until the guest
 * programs the APIC otherwise.  The other APICs start disabled with every
 * LVT masked.
 *
 * The timer counts at 1 GHz divided by the divide configuration, from
 * the host's monotonic clock; a host timer on the I/O thread raises its
 * interrupt.  Reading the current count computes it from the clock.
 *
 * Everything runs under the machine lock (device.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../device.h"
#include "../iothread.h"
#include "../irq.h"

#define APIC_BASE		0xfee00000
#define APIC_SIZE		0x1000

#define APIC_ID			0x020
#define APIC_VERSION		0x030
#define APIC_TPR		0x080
#define APIC_APR		0x090
#define APIC_PPR		0x0a0
#define APIC_EOI		0x0b0
#define APIC_RRD		0x0c0
#define APIC_LDR		0x0d0
#define APIC_DFR		0x0e0
#define APIC_SPIV		0x0f0
#define APIC_ISR		0x100
#define APIC_TMR		0x180
#define APIC_IRR		0x200
#define APIC_ESR		0x280
#define APIC_ICR_LOW		0x300
#define APIC_ICR_HIGH		0x310
#define APIC_LVT_TIMER		0x320
#define APIC_LVT_THERMAL	0x330
#define APIC_LVT_PERF		0x340
#define APIC_LVT_LINT0		0x350
#define APIC_LVT_LINT1		0x360
#define APIC_LVT_ERROR		0x370
#define APIC_TIMER_INITIAL	0x380
#define APIC_TIMER_CURRENT	0x390
#define APIC_TIMER_DIVIDE	0x3e0

#define APIC_VERSION_VALUE	0x00050014
#define NR_LVT			6	/* timer, thermal, perf, LINT0/1, error */

#define SPIV_ENABLE		(1u << 8)
#define SPIV_WRITABLE		0x3ff

#define LVT_MASKED		(1u << 16)
#define LVT_LEVEL		(1u << 15)
#define LVT_REMOTE_IRR		(1u << 14)
#define LVT_DM(v)		(((v) >> 8) & 7)
#define LVT_TIMER_PERIODIC	(1u << 17)
#define LVT_TIMER_WRITABLE	(0xff | LVT_MASKED | LVT_TIMER_PERIODIC)
#define LVT_LINT_WRITABLE	(0xff | 0x700 | (1u << 13) | LVT_LEVEL | \
				 LVT_MASKED)
#define LVT_ERROR_WRITABLE	(0xff | LVT_MASKED)
#define LVT_OTHER_WRITABLE	(0xff | 0x700 | LVT_MASKED)

#define ICR_WRITABLE		0x000ccfff	/* all but delivery status */
#define ICR_DM(v)		(((v) >> 8) & 7)
#define ICR_LOGICAL		(1u << 11)
#define ICR_ASSERT		(1u << 14)
#define ICR_LEVEL		(1u << 15)
#define ICR_SHORTHAND(v)	(((v) >> 18) & 3)

#define ESR_SEND_ACCEPT		(1u << 2)
#define ESR_SEND_ILLEGAL	(1u << 5)
#define ESR_RECEIVE_ILLEGAL	(1u << 6)
#define ESR_ILLEGAL_REGISTER	(1u << 7)

#define DFR_FLAT		0xf
#define BUS_HZ			1000000000ull	/* the timer's input clock */

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR };

struct apic {
	int cpu;
	uint32_t id, tpr, ldr, dfr, spiv;
	uint32_t esr;		/* what reads see: latched at the last write */
	uint32_t esr_pending;	/* errors since */
	uint32_t icr_low, icr_high;
	uint32_t lvt[NR_LVT];
	uint32_t irr[8], isr[8], tmr[8];
	/* The timer: */
	uint32_t initial, divide_conf;
	uint64_t start_ns;	/* when the count was last loaded */
	bool timer_running;
	struct io_timer timer;
};

static struct apic apics[IRQ_MAX_CPUS];
static int nr_apics;
static int lowest_rr;		/* lowest priority: the last APIC chosen */

static bool test_vec(const uint32_t *r, int v)
{
	return r[v >> 5] & (1u << (v & 31));
}

static void set_vec(uint32_t *r, int v, bool on)
{
	if (on)
		r[v >> 5] |= 1u << (v & 31);
	else
		r[v >> 5] &= ~(1u << (v & 31));
}

/* The highest vector set in r, or -1. */
static int highest(const uint32_t *r)
{
	int i;

	for (i = 7; i >= 0; i--)
		if (r[i])
			return i * 32 + 31 - __builtin_clz(r[i]);
	return -1;
}

static bool sw_enabled(const struct apic *a)
{
	return a->spiv & SPIV_ENABLE;
}

static uint32_t ppr(const struct apic *a)
{
	int isrv = highest(a->isr);
	uint32_t isr_class = isrv < 0 ? 0 : isrv & 0xf0;

	return (a->tpr & 0xf0) >= isr_class ? a->tpr & 0xff : isr_class;
}

/* An error: latched in ESR at the next write, and the error LVT fires. */
static void apic_accept(struct apic *a, uint8_t vector, bool level);

static void apic_error(struct apic *a, uint32_t bit)
{
	a->esr_pending |= bit;
	if (!(a->lvt[LVT_ERROR] & LVT_MASKED))
		apic_accept(a, a->lvt[LVT_ERROR] & 0xff, false);
}

/* A fixed interrupt arrives: IRR, and TMR says its trigger mode. */
static void apic_accept(struct apic *a, uint8_t vector, bool level)
{
	if (vector < 16) {
		/* The error interrupt itself may be illegal: no loop. */
		if (!(a->esr_pending & ESR_RECEIVE_ILLEGAL))
			apic_error(a, ESR_RECEIVE_ILLEGAL);
		return;
	}
	set_vec(a->irr, vector, true);
	set_vec(a->tmr, vector, level);
	irq_cpu_kick(a->cpu);
}

/* The PIC's INTR reaches this vCPU through LINT0 in ExtINT mode. */
static bool extint_open(const struct apic *a)
{
	uint32_t lint0 = a->lvt[LVT_LINT0];

	return !(lint0 & LVT_MASKED) && LVT_DM(lint0) == IRQ_DM_EXTINT;
}

static bool apic_intr(int cpu)
{
	struct apic *a = &apics[cpu];
	int v;

	if (cpu >= nr_apics)
		return false;
	if (extint_open(a) && irq_pic_intr())
		return true;
	v = highest(a->irr);
	return v >= 0 && sw_enabled(a) && (v & 0xf0) > (ppr(a) & 0xf0);
}

static int apic_inta(int cpu)
{
	struct apic *a = &apics[cpu];
	int v = highest(a->irr);
	bool fixed = v >= 0 && sw_enabled(a) &&
		     (v & 0xf0) > (ppr(a) & 0xf0);

	/*
	 * ExtINT first; and with nothing of its own the cycle goes to the
	 * 8259A, which answers a request that went away with its spurious
	 * IRQ 7, as it does without an APIC.
	 */
	if (extint_open(a) && (irq_pic_intr() || !fixed))
		return irq_pic_inta();
	if (!fixed)
		return a->spiv & 0xff;		/* spurious */
	set_vec(a->irr, v, false);
	set_vec(a->isr, v, true);
	return v;
}

/* TPR bits 7-4 are CR8: the guest may have changed it without an exit. */
static void apic_sync_tpr(int cpu, struct kvmini_vcpu *vcpu)
{
	struct apic *a = &apics[cpu];
	unsigned int cr8;

	if (highest(a->irr) < 0)
		return;		/* nothing it could hold back */
	cr8 = kvmini_vcpu_get_cr8(vcpu);
	if (cr8 != a->tpr >> 4)
		a->tpr = cr8 << 4;
}

/* ------------------------------------------------------------------ */
/* The timer                                                            */
/* ------------------------------------------------------------------ */

static uint64_t timer_divisor(const struct apic *a)
{
	uint32_t d = (a->divide_conf & 3) | ((a->divide_conf >> 1) & 4);

	return d == 7 ? 1 : 2ull << d;
}

static uint64_t ticks_to_ns(const struct apic *a, uint64_t ticks)
{
	return ticks * timer_divisor(a) * (NSEC_PER_SEC / BUS_HZ);
}

static void timer_arm(struct apic *a)
{
	uint64_t period = ticks_to_ns(a, a->initial);

	if (!a->initial) {
		a->timer_running = false;
		io_timer_stop(&a->timer);
		return;
	}
	a->timer_running = true;
	io_timer_arm(&a->timer, a->start_ns + period,
		     (a->lvt[LVT_TIMER] & LVT_TIMER_PERIODIC) ? period : 0);
}

static uint32_t timer_current(const struct apic *a)
{
	uint64_t period = ticks_to_ns(a, a->initial), elapsed;

	if (!a->timer_running || !period)
		return 0;
	elapsed = io_now() - a->start_ns;
	if (a->lvt[LVT_TIMER] & LVT_TIMER_PERIODIC)
		elapsed %= period;
	else if (elapsed >= period)
		return 0;
	return a->initial - elapsed / ticks_to_ns(a, 1);
}

static void timer_fired(struct io_timer *t, uint64_t expirations)
{
	struct apic *a = t->priv;

	if (!(a->lvt[LVT_TIMER] & LVT_TIMER_PERIODIC))
		a->timer_running = false;
	/* A masked timer counts on but interrupts nobody. */
	if (!(a->lvt[LVT_TIMER] & LVT_MASKED))
		apic_accept(a, a->lvt[LVT_TIMER] & 0xff, false);
}

/* ------------------------------------------------------------------ */
/* Reset and messages                                                   */
/* ------------------------------------------------------------------ */

/* Power-on and INIT state; INIT keeps the ID. */
static void apic_reset(struct apic *a, bool power_on)
{
	int i;

	if (power_on)
		a->id = a->cpu << 24;
	a->tpr = a->ldr = 0;
	a->dfr = 0xffffffff;
	a->spiv = 0xff;
	a->esr = a->esr_pending = 0;
	a->icr_low = a->icr_high = 0;
	for (i = 0; i < NR_LVT; i++)
		a->lvt[i] = LVT_MASKED;
	memset(a->irr, 0, sizeof(a->irr));
	memset(a->isr, 0, sizeof(a->isr));
	memset(a->tmr, 0, sizeof(a->tmr));
	a->initial = a->divide_conf = 0;
	a->timer_running = false;
	io_timer_stop(&a->timer);
	if (power_on && a->cpu == 0) {
		/* Virtual wire mode, as a BIOS leaves the boot CPU's. */
		a->spiv |= SPIV_ENABLE;
		a->lvt[LVT_LINT0] = IRQ_DM_EXTINT << 8;
		a->lvt[LVT_LINT1] = IRQ_DM_NMI << 8;
	}
}

static bool logical_match(const struct apic *a, uint8_t dest)
{
	uint8_t ldr = a->ldr >> 24;

	if ((a->dfr >> 28) == DFR_FLAT)
		return dest & ldr;
	/* Cluster: 0xff is everyone, else the cluster and a bit in it. */
	return dest == 0xff ||
	       ((dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf));
}

static bool is_destination(const struct apic *a, const struct irq_msg *m)
{
	switch (m->shorthand) {
	case IRQ_DEST_SELF:
		return a->cpu == m->source;
	case IRQ_DEST_ALL:
		return true;
	case IRQ_DEST_ALL_BUT_SELF:
		return a->cpu != m->source;
	}
	if (m->logical)
		return logical_match(a, m->dest);
	return m->dest == 0xff || m->dest == a->id >> 24;
}

/* One APIC takes a message; false if it would not. */
static bool apic_receive(struct apic *a, const struct irq_msg *m)
{
	switch (m->delivery) {
	case IRQ_DM_FIXED:
	case IRQ_DM_LOWEST:
		if (!sw_enabled(a))
			return false;
		apic_accept(a, m->vector, m->level);
		return true;
	case IRQ_DM_NMI:
		irq_cpu_nmi(a->cpu);
		return true;
	case IRQ_DM_INIT:
		if (!m->assert && m->level)
			return true;	/* level de-assert: nothing to do */
		apic_reset(a, false);
		irq_cpu_init(a->cpu);
		return true;
	case IRQ_DM_STARTUP:
		/* A vCPU that runs ignores it: it has still received it. */
		irq_cpu_sipi(a->cpu, m->vector);
		return true;
	default:
		return false;	/* SMI, ExtINT: not offered */
	}
}

static int apic_deliver(const struct irq_msg *m)
{
	struct apic *best = NULL;
	int i, n = 0;

	if (m->delivery == IRQ_DM_LOWEST) {
		/* The lowest TPR wins; ties go round, after the last one. */
		for (i = 1; i <= nr_apics; i++) {
			struct apic *a = &apics[(lowest_rr + i) % nr_apics];

			if (is_destination(a, m) && sw_enabled(a) &&
			    (!best || (a->tpr & 0xf0) < (best->tpr & 0xf0)))
				best = a;
		}
		if (!best)
			return 0;
		lowest_rr = best->cpu;
		return apic_receive(best, m);
	}
	for (i = 0; i < nr_apics; i++)
		if (is_destination(&apics[i], m) && apic_receive(&apics[i], m))
			n++;
	return n;
}

/* A write of ICR's low half sends. */
static void apic_send(struct apic *a)
{
	struct irq_msg m = {
		.vector = a->icr_low & 0xff,
		.delivery = ICR_DM(a->icr_low),
		.logical = a->icr_low & ICR_LOGICAL,
		.level = a->icr_low & ICR_LEVEL,
		.assert = a->icr_low & ICR_ASSERT,
		.dest = a->icr_high >> 24,
		.shorthand = ICR_SHORTHAND(a->icr_low),
		.source = a->cpu,
	};

	if ((m.delivery == IRQ_DM_FIXED || m.delivery == IRQ_DM_LOWEST) &&
	    m.vector < 16) {
		apic_error(a, ESR_SEND_ILLEGAL);
		return;
	}
	/* Fixed IPIs are edge-triggered, whatever the trigger bit says. */
	if (m.delivery != IRQ_DM_INIT)
		m.level = false;
	if (!apic_deliver(&m))
		apic_error(a, ESR_SEND_ACCEPT);
}

static void apic_eoi(struct apic *a)
{
	int v = highest(a->isr);

	if (v < 0)
		return;
	set_vec(a->isr, v, false);
	if (test_vec(a->tmr, v)) {
		set_vec(a->tmr, v, false);
		irq_eoi_broadcast(v);
	}
	irq_cpu_kick(a->cpu);
}

/* ------------------------------------------------------------------ */
/* Registers                                                            */
/* ------------------------------------------------------------------ */

static int lvt_index(uint32_t reg)
{
	return (reg - APIC_LVT_TIMER) >> 4;
}

static bool apic_read(struct apic *a, uint32_t reg, uint32_t *v)
{
	switch (reg) {
	case APIC_ID:
		*v = a->id;
		break;
	case APIC_VERSION:
		*v = APIC_VERSION_VALUE;
		break;
	case APIC_TPR:
		*v = a->tpr;
		break;
	case APIC_APR:
	case APIC_RRD:
	case APIC_EOI:
		*v = 0;
		break;
	case APIC_PPR:
		*v = ppr(a);
		break;
	case APIC_LDR:
		*v = a->ldr;
		break;
	case APIC_DFR:
		*v = a->dfr;
		break;
	case APIC_SPIV:
		*v = a->spiv;
		break;
	case APIC_ISR ... APIC_ISR + 0x70:
		*v = a->isr[(reg - APIC_ISR) >> 4];
		break;
	case APIC_TMR ... APIC_TMR + 0x70:
		*v = a->tmr[(reg - APIC_TMR) >> 4];
		break;
	case APIC_IRR ... APIC_IRR + 0x70:
		*v = a->irr[(reg - APIC_IRR) >> 4];
		break;
	case APIC_ESR:
		*v = a->esr;
		break;
	case APIC_ICR_LOW:
		*v = a->icr_low;	/* delivery status: always idle */
		break;
	case APIC_ICR_HIGH:
		*v = a->icr_high;
		break;
	case APIC_LVT_TIMER ... APIC_LVT_ERROR:
		*v = a->lvt[lvt_index(reg)];
		break;
	case APIC_TIMER_INITIAL:
		*v = a->initial;
		break;
	case APIC_TIMER_CURRENT:
		*v = timer_current(a);
		break;
	case APIC_TIMER_DIVIDE:
		*v = a->divide_conf;
		break;
	default:
		return false;
	}
	return true;
}

static void lvt_write(struct apic *a, int i, uint32_t v)
{
	static const uint32_t writable[NR_LVT] = {
		[LVT_TIMER] = LVT_TIMER_WRITABLE,
		[LVT_THERMAL] = LVT_OTHER_WRITABLE,
		[LVT_PERF] = LVT_OTHER_WRITABLE,
		[LVT_LINT0] = LVT_LINT_WRITABLE,
		[LVT_LINT1] = LVT_LINT_WRITABLE,
		[LVT_ERROR] = LVT_ERROR_WRITABLE,
	};
	bool was_periodic = a->lvt[LVT_TIMER] & LVT_TIMER_PERIODIC;

	v &= writable[i];
	/* Software-disabled: the masks stay set. */
	if (!sw_enabled(a))
		v |= LVT_MASKED;
	a->lvt[i] = v | (a->lvt[i] & LVT_REMOTE_IRR);
	if (i == LVT_TIMER && a->timer_running &&
	    was_periodic != !!(v & LVT_TIMER_PERIODIC))
		timer_arm(a);
	if (i == LVT_LINT0)
		irq_cpu_kick(a->cpu);	/* ExtINT may have opened */
}

static bool apic_write(struct apic *a, uint32_t reg, uint32_t v)
{
	int i;

	switch (reg) {
	case APIC_ID:
		a->id = v & 0xff000000;
		break;
	case APIC_TPR:
		a->tpr = v & 0xff;
		if (irq_current_cpu() == a->cpu)
			irq_tpr_written(a->cpu, a->tpr >> 4);
		irq_cpu_kick(a->cpu);
		break;
	case APIC_EOI:
		apic_eoi(a);
		break;
	case APIC_LDR:
		a->ldr = v & 0xff000000;
		break;
	case APIC_DFR:
		a->dfr = v | 0x0fffffff;
		break;
	case APIC_SPIV:
		a->spiv = v & SPIV_WRITABLE;
		if (!sw_enabled(a))
			for (i = 0; i < NR_LVT; i++)
				a->lvt[i] |= LVT_MASKED;
		irq_cpu_kick(a->cpu);
		break;
	case APIC_ESR:
		a->esr = a->esr_pending;
		a->esr_pending = 0;
		break;
	case APIC_ICR_LOW:
		a->icr_low = v & ICR_WRITABLE;
		apic_send(a);
		break;
	case APIC_ICR_HIGH:
		a->icr_high = v & 0xff000000;
		break;
	case APIC_LVT_TIMER ... APIC_LVT_ERROR:
		lvt_write(a, lvt_index(reg), v);
		break;
	case APIC_TIMER_INITIAL:
		a->initial = v;
		a->start_ns = io_now();
		timer_arm(a);
		break;
	case APIC_TIMER_DIVIDE:
		/* The count goes on at the new rate from what it reached. */
		a->divide_conf = v & 0xb;
		if (a->timer_running) {
			a->initial = timer_current(a);
			a->start_ns = io_now();
			timer_arm(a);
		}
		break;
	case APIC_VERSION:
	case APIC_APR:
	case APIC_PPR:
	case APIC_RRD:
	case APIC_ISR ... APIC_ISR + 0x70:
	case APIC_TMR ... APIC_TMR + 0x70:
	case APIC_IRR ... APIC_IRR + 0x70:
	case APIC_TIMER_CURRENT:
		break;		/* read-only */
	default:
		return false;
	}
	return true;
}

static void apic_mmio(struct device *dev, uint64_t addr, void *data, int len,
		      bool is_write)
{
	int cpu = irq_current_cpu();
	uint32_t reg = addr - APIC_BASE, v = 0;
	struct apic *a;
	bool ok;

	if (cpu < 0 || cpu >= nr_apics || len != 4 || (reg & 0xf)) {
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	a = &apics[cpu];
	if (is_write) {
		memcpy(&v, data, 4);
		ok = apic_write(a, reg, v);
	} else {
		ok = apic_read(a, reg, &v);
		memcpy(data, &v, 4);
	}
	if (!ok)
		apic_error(a, ESR_ILLEGAL_REGISTER);
}

static const struct irq_lapic apic_ops = {
	.deliver = apic_deliver,
	.intr = apic_intr,
	.inta = apic_inta,
	.sync_tpr = apic_sync_tpr,
};

static int apic_init(struct device *dev, struct machine *m)
{
	int i, r;

	nr_apics = m->nr_cpus;
	lowest_rr = 0;
	for (i = 0; i < nr_apics; i++) {
		apics[i].cpu = i;
		r = io_timer_init(&apics[i].timer, timer_fired, &apics[i]);
		if (r)
			return r;
		apic_reset(&apics[i], true);
	}
	r = device_add_mmio(dev, APIC_BASE, APIC_SIZE, apic_mmio);
	if (!r)
		irq_set_lapic(&apic_ops);
	return r;
}

static struct device apic = {
	.name = "apic",
	.init = apic_init,
};
DEVICE(apic);
