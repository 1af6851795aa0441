// SPDX-License-Identifier: GPL-2.0
/*
 * ioapic.c - the I/O APIC: 24 interrupt pins, at 0xfec00000.
 *
 *   0xfec00000  IOREGSEL  which register the window shows (8 bits)
 *   0xfec00010  IOWIN     the register, 32 bits
 *   0xfec00040  EOI       (version 0x20 chips) a vector's EOI
 *
 * Registers behind the window:
 *
 *   0x00        ID, bits 27-24: the number of vCPUs after reset, the
 *               first APIC ID no vCPU has
 *   0x01        version: 0x00170020, 24 entries (maximum 0x17), version
 *               0x20 (the EOI register exists)
 *   0x02        arbitration ID: the ID (read-only)
 *   0x10-0x3f   redirection table, two registers per pin: low half
 *               vector (7-0), delivery mode (10-8: fixed, lowest
 *               priority, NMI, INIT, ExtINT), logical destination (11),
 *               delivery status (12, read-only: idle), polarity (13,
 *               1 = active low), remote IRR (14, read-only), trigger
 *               (15, 1 = level), mask (16); high half destination
 *               (63-56)
 *
 * Entries start masked.  Every ISA line reaches a pin as well as the
 * 8259A (irq.c): IRQ n at pin n, but the PIT's IRQ 0 at pin 2, as on PCs
 * and as the MP table says (an interrupt source override).
 *
 * An edge-triggered pin sends its message on each rising edge of its
 * asserted level while unmasked.  A level-triggered one sends while it
 * is asserted, unmasked and remote IRR is clear, and sets remote IRR;
 * the EOI (an APIC's EOI of that vector, broadcast; or the EOI
 * register) clears it, and a pin still asserted sends again.  ExtINT
 * entries are accepted but send nothing (the APICs' LINT0 carries the
 * 8259A instead).  Registers outside the table read as zero; writes to
 * read-only ones and bits are ignored.
 *
 * Everything runs under the machine lock (device.h).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../device.h"
#include "../irq.h"

#define IOAPIC_BASE		0xfec00000
#define IOAPIC_SIZE		0x100
#define IOREGSEL		0x00
#define IOWIN			0x10
#define IOAPIC_EOI		0x40

#define IOAPIC_REG_ID		0x00
#define IOAPIC_REG_VERSION	0x01
#define IOAPIC_REG_ARB		0x02
#define IOAPIC_REG_TABLE	0x10

#define NR_PINS			24
#define IOAPIC_VERSION		(((NR_PINS - 1) << 16) | 0x20)

#define RTE_MASKED		(1ull << 16)
#define RTE_LEVEL		(1ull << 15)
#define RTE_REMOTE_IRR		(1ull << 14)
#define RTE_ACTIVE_LOW		(1ull << 13)
#define RTE_LOGICAL		(1ull << 11)
#define RTE_DM(e)		(((e) >> 8) & 7)
/* Vector, delivery and destination mode, polarity, trigger, mask, dest. */
#define RTE_WRITABLE		(0xff00000000000000ull | 0x1afff)

static struct ioapic {
	uint8_t regsel;
	uint32_t id;
	uint64_t rte[NR_PINS];
	uint32_t lines;		/* input levels, as the devices drive them */
} ioapic;

static bool asserted(int pin)
{
	bool high = ioapic.lines & (1u << pin);

	return (ioapic.rte[pin] & RTE_ACTIVE_LOW) ? !high : high;
}

static void ioapic_send(int pin)
{
	uint64_t e = ioapic.rte[pin];
	struct irq_msg m = {
		.vector = e & 0xff,
		.delivery = RTE_DM(e),
		.logical = e & RTE_LOGICAL,
		.level = e & RTE_LEVEL,
		.assert = true,
		.dest = e >> 56,
		.shorthand = IRQ_DEST_FIELD,
		.source = -1,
	};

	if (m.delivery == IRQ_DM_EXTINT)
		return;
	if (m.level)
		ioapic.rte[pin] |= RTE_REMOTE_IRR;
	irq_deliver(&m);
}

/* A level-triggered pin sends while asserted, once per EOI. */
static void level_check(int pin)
{
	uint64_t e = ioapic.rte[pin];

	if ((e & RTE_LEVEL) && !(e & (RTE_MASKED | RTE_REMOTE_IRR)) &&
	    asserted(pin))
		ioapic_send(pin);
}

static void ioapic_set_pin(int pin, int level)
{
	bool was;

	if (pin < 0 || pin >= NR_PINS)
		return;
	was = asserted(pin);
	if (level)
		ioapic.lines |= 1u << pin;
	else
		ioapic.lines &= ~(1u << pin);
	if (ioapic.rte[pin] & RTE_LEVEL)
		level_check(pin);
	else if (!was && asserted(pin) && !(ioapic.rte[pin] & RTE_MASKED))
		ioapic_send(pin);
}

static void ioapic_eoi(uint8_t vector)
{
	int pin;

	for (pin = 0; pin < NR_PINS; pin++) {
		uint64_t e = ioapic.rte[pin];

		if ((e & 0xff) != vector || !(e & RTE_REMOTE_IRR))
			continue;
		ioapic.rte[pin] &= ~RTE_REMOTE_IRR;
		level_check(pin);
	}
}

static uint32_t ioapic_read(uint8_t reg)
{
	int pin = (reg - IOAPIC_REG_TABLE) >> 1;

	switch (reg) {
	case IOAPIC_REG_ID:
	case IOAPIC_REG_ARB:
		return ioapic.id;
	case IOAPIC_REG_VERSION:
		return IOAPIC_VERSION;
	}
	if (reg < IOAPIC_REG_TABLE || pin >= NR_PINS)
		return 0;
	return reg & 1 ? ioapic.rte[pin] >> 32 : (uint32_t)ioapic.rte[pin];
}

static void ioapic_write(uint8_t reg, uint32_t v)
{
	int pin = (reg - IOAPIC_REG_TABLE) >> 1;
	uint64_t e;

	if (reg == IOAPIC_REG_ID) {
		ioapic.id = v & 0x0f000000;
		return;
	}
	if (reg < IOAPIC_REG_TABLE || pin >= NR_PINS)
		return;
	e = ioapic.rte[pin];
	if (reg & 1)
		e = (e & 0xffffffffull) | (uint64_t)v << 32;
	else
		e = (e & ~0xffffffffull) | v;
	ioapic.rte[pin] = (e & RTE_WRITABLE) |
			  (ioapic.rte[pin] & RTE_REMOTE_IRR);
	/* Edge-triggered entries have no remote IRR. */
	if (!(ioapic.rte[pin] & RTE_LEVEL))
		ioapic.rte[pin] &= ~RTE_REMOTE_IRR;
	level_check(pin);	/* unmasked on an asserted level */
}

static void ioapic_mmio(struct device *dev, uint64_t addr, void *data,
			int len, bool is_write)
{
	uint32_t off = addr - IOAPIC_BASE, v = 0;

	if (is_write)
		memcpy(&v, data, len < 4 ? len : 4);
	switch (off) {
	case IOREGSEL:
		if (is_write)
			ioapic.regsel = v;
		else
			v = ioapic.regsel;
		break;
	case IOWIN:
		if (len != 4)
			break;
		if (is_write)
			ioapic_write(ioapic.regsel, v);
		else
			v = ioapic_read(ioapic.regsel);
		break;
	case IOAPIC_EOI:
		if (is_write)
			ioapic_eoi(v);
		break;
	}
	if (!is_write) {
		memset(data, 0, len);
		memcpy(data, &v, len < 4 ? len : 4);
	}
}

static const struct irq_ioapic ioapic_ops = {
	.set_pin = ioapic_set_pin,
	.eoi = ioapic_eoi,
};

static int ioapic_init(struct device *dev, struct machine *m)
{
	int pin;

	memset(&ioapic, 0, sizeof(ioapic));
	/* On the APIC bus after the vCPUs' APICs (the MP table says so). */
	ioapic.id = m->nr_cpus << 24;
	for (pin = 0; pin < NR_PINS; pin++)
		ioapic.rte[pin] = RTE_MASKED;
	irq_set_ioapic(&ioapic_ops);
	return device_add_mmio(dev, IOAPIC_BASE, IOAPIC_SIZE, ioapic_mmio);
}

static struct device ioapic_dev = {
	.name = "ioapic",
	.init = ioapic_init,
};
DEVICE(ioapic_dev);
