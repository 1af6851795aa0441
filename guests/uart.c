// SPDX-License-Identifier: GPL-2.0
/*
 * uart.c - the 8250 at 0x3f8, polled the way early consoles do: set the
 * divisor, write through THR when LSR says it is empty, check the
 * scratch register, then read a line of input as LSR reports it.
 *
 * test: uart64.elf <<< "ping" => 1
 */
#include "guest.h"

#define COM1	0x3f8
#define LSR_DR	0x01
#define LSR_THRE 0x20

static void uart_putc(char c)
{
	while (!(inb(COM1 + 5) & LSR_THRE))
		;
	outb(COM1, c);
}

static void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

int main(unsigned long magic, unsigned long info, unsigned int cpu)
{
	char line[32];
	int n = 0, polls;

	outb(COM1 + 3, 0x80);		/* DLAB */
	outb(COM1 + 0, 1);		/* 115200 baud */
	outb(COM1 + 1, 0);
	if (inb(COM1 + 0) != 1)
		return 2;
	outb(COM1 + 3, 0x03);		/* 8N1, DLAB off */
	outb(COM1 + 7, 0x5a);
	if (inb(COM1 + 7) != 0x5a)
		return 3;
	uart_puts("uart: hello through THR\n");

	/* Input: bounded, so a missing line cannot hang the guest. */
	for (polls = 0; polls < 1000000 && n < 31; polls++) {
		if (!(inb(COM1 + 5) & LSR_DR))
			continue;
		line[n] = inb(COM1);
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = 0;
	uart_puts("uart: read '");
	uart_puts(line);
	uart_puts("'\n");
	return 0;
}
