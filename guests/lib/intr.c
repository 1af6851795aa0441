// SPDX-License-Identifier: GPL-2.0
/*
 * intr.c - interrupts for guests: an IDT for vectors 0-47 and the 8259A.
 *
 * intr_init() points every vector at its stub (intr32.S / intr64.S) and
 * loads the IDT; a handler set with intr_handler() then runs for its
 * vector with interrupts off, as an interrupt gate does.  An exception or
 * interrupt nobody handles prints its vector and ends the guest with
 * exit code 0x7f, so a test fails loudly instead of looping.
 *
 * A PIC vector whose IRQ the 8259A has not put in service was never
 * acknowledged: nothing raised it, so no handler runs for it (Linux
 * checks IRQ 7 the same way).  Two sources: the PIC's spurious IRQ 7 and
 * 15, and QEMU 7.2's VMRUN, which can deliver an interrupt injected with
 * EVENTINJ a second time, nested in its own handler (README, "Notes from
 * the emulators").
 */
#include "guest.h"

#define VECTORS		48
#define STUB_SIZE	16
#define GATE_INTERRUPT	0x8e	/* present, DPL 0, interrupt gate */

#ifdef __x86_64__
struct gate {
	uint16_t offset0, selector;
	uint8_t ist, type;
	uint16_t offset1;
	uint32_t offset2, reserved;
};
#else
struct gate {
	uint16_t offset0, selector;
	uint8_t zero, type;
	uint16_t offset1;
};
#endif

struct idt_pointer {
	uint16_t limit;
	uintptr_t base;
} __attribute__((packed));

extern char intr_stubs[];
static struct gate idt[VECTORS] __attribute__((aligned(16)));
static intr_fn handlers[VECTORS];
static int pic_base = -1;	/* vector of IRQ 0, once pic_init() ran */

/* OCW3 selects the ISR for reads of the command port, then the IRR again. */
static bool pic_in_service(unsigned int irq)
{
	uint16_t port = irq < 8 ? PIC_MASTER : PIC_SLAVE;
	uint8_t isr;

	outb(port, 0x0b);
	isr = inb(port);
	outb(port, 0x0a);
	return isr & (1 << (irq & 7));
}

void interrupt_entry(unsigned long vector)
{
	if (pic_base >= 0 && vector - pic_base < 16 &&
	    !pic_in_service(vector - pic_base))
		return;
	if (vector < VECTORS && handlers[vector]) {
		handlers[vector](vector);
		return;
	}
	printf("intr: unexpected vector %lu\n", vector);
	exit(0x7f);
}

void intr_handler(unsigned int vector, intr_fn fn)
{
	handlers[vector] = fn;
}

void intr_init(void)
{
	struct idt_pointer p = { sizeof(idt) - 1, (uintptr_t)idt };
	uint16_t cs;
	int i;

	asm volatile("mov %%cs, %0" : "=r"(cs));
	for (i = 0; i < VECTORS; i++) {
		uintptr_t a = (uintptr_t)intr_stubs + i * STUB_SIZE;

		idt[i].offset0 = a;
		idt[i].selector = cs;
		idt[i].type = GATE_INTERRUPT;
		idt[i].offset1 = a >> 16;
#ifdef __x86_64__
		idt[i].offset2 = a >> 32;
#endif
	}
	asm volatile("lidt %0" : : "m"(p));
}

void pic_init(uint8_t base, uint16_t mask)
{
	outb(PIC_MASTER, 0x11);		/* ICW1: edge, cascade, ICW4 */
	outb(PIC_MASTER + 1, base);	/* ICW2: vectors */
	outb(PIC_MASTER + 1, 1 << 2);	/* ICW3: the slave is on IRQ 2 */
	outb(PIC_MASTER + 1, 0x01);	/* ICW4: 8086 mode */
	outb(PIC_SLAVE, 0x11);
	outb(PIC_SLAVE + 1, base + 8);
	outb(PIC_SLAVE + 1, 2);		/* ICW3: my cascade identity */
	outb(PIC_SLAVE + 1, 0x01);
	outb(PIC_MASTER + 1, mask);
	outb(PIC_SLAVE + 1, mask >> 8);
	pic_base = base;
}

void pic_eoi(unsigned int irq)
{
	if (irq >= 8)
		outb(PIC_SLAVE, 0x20);
	outb(PIC_MASTER, 0x20);
}
