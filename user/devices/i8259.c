// SPDX-License-Identifier: GPL-2.0
/*
 * i8259.c - the PC's two 8259A interrupt controllers, cascaded.
 *
 *   master  0x20 (command, ISR/IRR)  0x21 (data, IMR)  IRQ 0-7
 *   slave   0xa0                     0xa1              IRQ 8-15, on IRQ2
 *   ELCR    0x4d0 (IRQ 0-7)          0x4d1 (IRQ 8-15)  edge (0) / level (1)
 *
 * Each chip has three 8-bit registers, one bit per input:
 *
 *   IRR  requests: an edge-triggered input sets its bit on a rising edge,
 *        a level-triggered one holds it while the line is high;
 *   IMR  the mask the guest writes to the data port;
 *   ISR  in service: set when the CPU acknowledges (INTA), cleared by an
 *        end-of-interrupt (EOI) command or at once in auto-EOI mode.
 *
 * A chip raises its output when an unmasked request has a higher
 * priority than everything in service.  Priorities rotate: "lowest" is
 * the input with the lowest priority (7 after initialisation), so
 * lowest + 1 is the highest.  The slave's output is the master's input 2;
 * the master's output is the CPU's INTR (irq.c).  When the CPU
 * acknowledges, the master names the vector, or hands the cycle to the
 * slave if the winner is input 2.  A request that went away between INTR
 * and INTA yields the chip's IRQ 7, without setting ISR: the spurious
 * interrupt Linux counts and ignores.
 *
 * Programming, as in the 8259A datasheet:
 *
 *   command port, bit 4 set    ICW1: start initialisation; bit 0 says an
 *                              ICW4 follows, bit 1 single (no ICW3), bit 3
 *                              level-triggered inputs
 *   data port, then            ICW2 vector base (bits 7-3), ICW3 cascade
 *                              wiring (ignored: the wiring is fixed), ICW4
 *                              (bit 1 auto-EOI, bit 4 special fully nested)
 *   command port, bits 4-3 00  OCW2: EOI (non-specific 0x20, specific
 *                              0x60 | irq), rotations (0xa0, 0xc0 | irq,
 *                              0xe0 | irq), rotate in auto-EOI (0x80 / 0x00)
 *   command port, bits 4-3 01  OCW3: read IRR (0x0a) or ISR (0x0b) at the
 *                              command port, poll (0x0c), special mask
 *                              (0x68 on, 0x48 off)
 *   data port                  OCW1: IMR
 *
 * Everything runs under the machine lock (device.h).
 */
#include <stdbool.h>
#include <stdint.h>

#include "../device.h"
#include "../irq.h"

#define PIC_MASTER	0x20
#define PIC_SLAVE	0xa0
#define PIC_ELCR	0x4d0
#define CASCADE_IRQ	2

#define ICW1		0x10
#define ICW1_ICW4	0x01
#define ICW1_SINGLE	0x02
#define ICW1_LTIM	0x08
#define ICW4_AEOI	0x02
#define ICW4_SFNM	0x10
#define OCW3		0x08
#define OCW3_RR		0x02	/* bit 0 then picks ISR or IRR */
#define OCW3_POLL	0x04
#define OCW3_ESMM	0x40	/* bit 5 then sets the special mask */

struct pic {
	uint8_t irr, isr, imr;
	uint8_t lines;		/* input levels, for edges */
	uint8_t elcr;		/* level-triggered inputs (ELCR) */
	uint8_t elcr_mask;	/* inputs the ELCR may make level-triggered */
	uint8_t base;		/* ICW2: vector of input 0 */
	uint8_t lowest;		/* input with the lowest priority */
	uint8_t init_step;	/* 0, or the ICW the data port expects */
	bool need_icw4, single, ltim;
	bool auto_eoi, rotate_on_aeoi, sfnm, special_mask;
	bool read_isr, poll;
	bool is_master;
};

/*
 * PC wiring: the timer, keyboard and cascade (and RTC, FPU) are edge-only.
 * There is no firmware to program the chips before the guest: they start
 * fully masked, so nothing reaches a vector base nobody has set.
 */
static struct pic pics[2] = {
	{ .is_master = true, .elcr_mask = 0xf8, .lowest = 7, .imr = 0xff },
	{ .elcr_mask = 0xde, .lowest = 7, .imr = 0xff },
};
#define master	(&pics[0])
#define slave	(&pics[1])

static uint8_t level_inputs(struct pic *p)
{
	return p->ltim ? 0xff : p->elcr;
}

/* 0 for the highest priority, 7 the lowest, 8 for none of mask. */
static int priority(struct pic *p, uint8_t mask)
{
	int pri;

	for (pri = 0; pri < 8; pri++)
		if (mask & (1 << ((p->lowest + 1 + pri) & 7)))
			return pri;
	return 8;
}

static int input_of(struct pic *p, int pri)
{
	return (p->lowest + 1 + pri) & 7;
}

/*
 * The input the chip would have the CPU serve now, or -1.  In special
 * mask mode masked inputs in service do not block others; in special
 * fully nested mode the master lets the slave interrupt itself (a higher
 * slave input while a slave interrupt is in service).
 */
static int pic_winner(struct pic *p)
{
	uint8_t in_service = p->isr;
	int pri = priority(p, p->irr & ~p->imr);

	if (pri == 8)
		return -1;
	if (p->special_mask)
		in_service &= ~p->imr;
	if (p->sfnm && p->is_master)
		in_service &= ~(1 << CASCADE_IRQ);
	return pri < priority(p, in_service) ? input_of(p, pri) : -1;
}

static void pic_input(struct pic *p, int irq, int level);

/* Outputs may have changed: the slave's feeds master input 2. */
static void pic_update(void)
{
	pic_input(master, CASCADE_IRQ, pic_winner(slave) >= 0);
}

static void pic_input(struct pic *p, int irq, int level)
{
	uint8_t bit = 1 << irq;

	if (level_inputs(p) & bit) {
		if (level)
			p->irr |= bit;
		else
			p->irr &= ~bit;
	} else if (level && !(p->lines & bit)) {
		p->irr |= bit;		/* rising edge */
	}
	p->lines = level ? p->lines | bit : p->lines & ~bit;
	if (p == slave)
		pic_update();
	else
		irq_chip_changed();
}

static void pic_set_line(int irq, int level)
{
	if (irq < 8)
		pic_input(master, irq, level);
	else
		pic_input(slave, irq - 8, level);
}

static bool pic_intr(void)
{
	return pic_winner(master) >= 0;
}

/* The CPU acknowledges input irq of p: it goes in service. */
static void pic_ack(struct pic *p, int irq)
{
	uint8_t bit = 1 << irq;

	if (!p->auto_eoi)
		p->isr |= bit;
	else if (p->rotate_on_aeoi)
		p->lowest = irq;
	/* A level-triggered request stays until its line drops. */
	if (!(level_inputs(p) & bit))
		p->irr &= ~bit;
}

/* The acknowledge cycle: which vector, and what goes in service. */
static int pic_inta(void)
{
	int irq = pic_winner(master), irq2, vector;

	if (irq < 0)
		return master->base | 7;		/* spurious IRQ 7 */
	if (irq == CASCADE_IRQ) {
		irq2 = pic_winner(slave);
		if (irq2 >= 0) {
			pic_ack(slave, irq2);
			vector = slave->base | irq2;
		} else {
			vector = slave->base | 7;	/* spurious IRQ 15 */
		}
	} else {
		vector = master->base | irq;
	}
	pic_ack(master, irq);
	pic_update();
	return vector;
}

/* OCW2: end of interrupt and priority rotation. */
static void pic_ocw2(struct pic *p, uint8_t v)
{
	int irq = v & 7, pri = priority(p, p->isr);

	switch (v >> 5) {
	case 0:		/* rotate in auto-EOI mode: clear */
	case 4:		/* ... set */
		p->rotate_on_aeoi = v >> 7;
		return;
	case 1:		/* non-specific EOI: the highest in service */
	case 5:		/* ... and rotate: it becomes the lowest */
		if (pri == 8)
			return;
		irq = input_of(p, pri);
		p->isr &= ~(1 << irq);
		if (v >> 7)
			p->lowest = irq;
		break;
	case 3:		/* specific EOI */
		p->isr &= ~(1 << irq);
		break;
	case 6:		/* set priority: irq becomes the lowest */
		p->lowest = irq;
		break;
	case 7:		/* specific EOI and rotate */
		p->isr &= ~(1 << irq);
		p->lowest = irq;
		break;
	default:	/* 2: no operation */
		return;
	}
	pic_update();
	irq_chip_changed();
}

static void pic_write_command(struct pic *p, uint8_t v)
{
	if (v & ICW1) {
		/* Initialisation forgets everything but the ELCR. */
		p->imr = p->isr = 0;
		p->irr &= level_inputs(p) & p->lines;
		p->lowest = 7;
		p->need_icw4 = v & ICW1_ICW4;
		p->single = v & ICW1_SINGLE;
		p->ltim = v & ICW1_LTIM;
		p->auto_eoi = p->rotate_on_aeoi = false;
		p->sfnm = p->special_mask = false;
		p->read_isr = p->poll = false;
		p->init_step = 2;
		pic_update();
		irq_chip_changed();
	} else if (v & OCW3) {
		if (v & OCW3_POLL)
			p->poll = true;
		if (v & OCW3_RR)
			p->read_isr = v & 1;
		if (v & OCW3_ESMM)
			p->special_mask = (v >> 5) & 1;
		pic_update();
		irq_chip_changed();
	} else {
		pic_ocw2(p, v);
	}
}

static void pic_write_data(struct pic *p, uint8_t v)
{
	switch (p->init_step) {
	case 0:
		p->imr = v;
		pic_update();
		irq_chip_changed();
		return;
	case 2:
		p->base = v & 0xf8;
		p->init_step = p->single ? 4 : 3;
		break;
	case 3:
		p->init_step = 4;
		break;
	case 4:
		p->auto_eoi = v & ICW4_AEOI;
		p->sfnm = v & ICW4_SFNM;
		p->init_step = 0;
		return;
	}
	if (p->init_step == 4 && !p->need_icw4)
		p->init_step = 0;
}

/*
 * Poll mode: the read is the acknowledge, without a vector: bit 7 says
 * an interrupt was there, bits 2-0 which.
 */
static uint8_t pic_poll(struct pic *p)
{
	int irq = pic_winner(p);

	p->poll = false;
	if (irq < 0)
		return 0;
	pic_ack(p, irq);
	pic_update();
	irq_chip_changed();
	return 0x80 | irq;
}

static void pic_io(struct device *dev, uint64_t port, void *data, int len,
		   bool is_write)
{
	struct pic *p = (port & 0xf0) == PIC_MASTER ? master : slave;
	uint8_t *v = data;
	bool command = !(port & 1);

	if (is_write) {
		if (command)
			pic_write_command(p, *v);
		else
			pic_write_data(p, *v);
	} else if (p->poll) {
		*v = pic_poll(p);
	} else {
		*v = !command ? p->imr : p->read_isr ? p->isr : p->irr;
	}
}

static void elcr_io(struct device *dev, uint64_t port, void *data, int len,
		    bool is_write)
{
	struct pic *p = &pics[port - PIC_ELCR];
	uint8_t *v = data;

	if (!is_write) {
		*v = p->elcr;
		return;
	}
	p->elcr = *v & p->elcr_mask;
	/* A line held high now requests if it became level-triggered. */
	p->irr |= p->elcr & p->lines;
	pic_update();
	irq_chip_changed();
}

/* Byte registers: wider accesses reach the registers that follow. */
static void pic_bytes(struct device *dev, uint64_t port, void *data, int len,
		      bool is_write)
{
	uint8_t *bytes = data;
	int i;

	for (i = 0; i < len; i++) {
		uint16_t p = port + i;

		if (p == PIC_MASTER || p == PIC_MASTER + 1 ||
		    p == PIC_SLAVE || p == PIC_SLAVE + 1)
			pic_io(dev, p, bytes + i, 1, is_write);
		else if (p == PIC_ELCR || p == PIC_ELCR + 1)
			elcr_io(dev, p, bytes + i, 1, is_write);
		else if (!is_write)
			bytes[i] = 0xff;
	}
}

static const struct irq_chip i8259_chip = {
	.set_line = pic_set_line,
	.intr = pic_intr,
	.inta = pic_inta,
};

static int i8259_init(struct device *dev, struct machine *m)
{
	int r;

	r = device_add_pio(dev, PIC_MASTER, 2, pic_bytes);
	if (!r)
		r = device_add_pio(dev, PIC_SLAVE, 2, pic_bytes);
	if (!r)
		r = device_add_pio(dev, PIC_ELCR, 2, pic_bytes);
	if (!r)
		irq_set_chip(&i8259_chip);
	return r;
}

static struct device i8259 = {
	.name = "i8259",
	.init = i8259_init,
};
DEVICE(i8259);
