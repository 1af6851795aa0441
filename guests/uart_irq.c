// SPDX-License-Identifier: GPL-2.0
/*
 * uart_irq.c - the 8250 driven by its interrupts on IRQ 4, the way an
 * interrupt-driven console is: a line goes out one byte per THRE
 * interrupt, and a line comes in one byte per receive interrupt, the
 * guest halting in between.  Nothing polls LSR.
 *
 * test: uart_irq64.elf <<< "ping" => 1
 */
#include "guest.h"

#define COM1		0x3f8
#define UART_VECTOR	0x24		/* IRQ 4 with vectors at 0x20 */
#define IER_RDA		0x01
#define IER_THRE	0x02
#define IIR_NONE	0x01
#define IIR_THRE	0x02
#define IIR_RDA		0x04
#define MCR_OUT2	0x08

static const char *volatile tx;		/* what is left to send */
static volatile char rx[32];
static volatile unsigned int rx_len, rx_done;

/*
 * Every reason the UART has, until IIR says there is none: its line
 * stays high while any is pending, and an edge-triggered PIC interrupts
 * again only after it drops.
 */
static void on_uart(unsigned int vector)
{
	uint8_t iir;

	while (!((iir = inb(COM1 + 2)) & IIR_NONE)) {
		if ((iir & 0x0e) == IIR_RDA) {
			char c = inb(COM1);

			if (c == '\n' || rx_len == sizeof(rx) - 1)
				rx_done = 1;
			else
				rx[rx_len++] = c;
		} else if ((iir & 0x0e) == IIR_THRE) {
			if (*tx)
				outb(COM1, *tx++);
			else		/* all sent: no more THRE */
				outb(COM1 + 1, IER_RDA);
		}
	}
	pic_eoi(4);
}

/* Start sending s; the THRE interrupts do the rest. */
static void send(const char *s)
{
	tx = s;
	outb(COM1 + 1, IER_RDA | IER_THRE);
	while (*tx || (inb(COM1 + 1) & IER_THRE))
		sti_hlt();
	cli();
}

int main(unsigned long magic, unsigned long info, unsigned int cpu)
{
	intr_init();
	intr_handler(UART_VECTOR, on_uart);
	pic_init(0x20, 0xffef);		/* IRQ 4 only */
	outb(COM1 + 3, 0x03);		/* 8N1 */
	outb(COM1 + 4, MCR_OUT2);	/* the IRQ line reaches the PIC */
	outb(COM1 + 1, IER_RDA);

	send("uart_irq: sent by THRE interrupts\n");
	while (!rx_done)
		sti_hlt();
	cli();
	rx[rx_len] = 0;
	send("uart_irq: received by RDA interrupts: '");
	send((const char *)rx);
	send("'\n");
	return 0;
}
