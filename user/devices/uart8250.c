// SPDX-License-Identifier: GPL-2.0
/*
 * uart8250.c - an 8250/16550 UART at 0x3f8 (COM1), polled: enough for
 * Linux's early console and for guests that wait on LSR.
 *
 *   +0 RBR (read) / THR (write), or DLL with LCR.DLAB
 *   +1 IER, or DLM with LCR.DLAB
 *   +2 IIR (read: no interrupt pending) / FCR (write)
 *   +3 LCR    +4 MCR    +5 LSR    +6 MSR    +7 SCR (scratch)
 *
 * Output goes to the machine's output; input comes from its input (stdin),
 * read without blocking when the guest looks at LSR or RBR.  No
 * interrupts are raised: kvmini has no interrupt controller yet.
 */
#include <poll.h>
#include <unistd.h>

#include "../device.h"

#define UART_BASE	0x3f8

#define LCR_DLAB	0x80
#define LSR_DR		0x01	/* data ready */
#define LSR_THRE	0x20	/* transmit holding register empty */
#define LSR_TEMT	0x40	/* transmitter empty */
#define IIR_NO_INT	0x01
#define IIR_FIFO	0xc0
#define MSR_DCD_DSR_CTS	0xb0

struct uart {
	struct machine *m;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	int rx;			/* the byte waiting, or -1 */
	bool eof;
};

static struct uart uart = { .rx = -1 };

/* Fetch a byte of input if one is there, without waiting. */
static void uart_poll_input(struct uart *u)
{
	struct pollfd p = { .fd = u->m->in_fd, .events = POLLIN };
	uint8_t c;

	if (u->rx >= 0 || u->eof || u->m->in_fd < 0)
		return;
	if (poll(&p, 1, 0) != 1)
		return;
	if (read(u->m->in_fd, &c, 1) == 1)
		u->rx = c;
	else
		u->eof = true;
}

static uint8_t uart_read(struct uart *u, int reg)
{
	uint8_t v;

	switch (reg) {
	case 0:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		uart_poll_input(u);
		v = u->rx < 0 ? 0 : u->rx;
		u->rx = -1;
		return v;
	case 1:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case 2:
		return IIR_NO_INT | ((u->fcr & 1) ? IIR_FIFO : 0);
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		uart_poll_input(u);
		return LSR_THRE | LSR_TEMT | (u->rx >= 0 ? LSR_DR : 0);
	case 6:
		return MSR_DCD_DSR_CTS;
	default:
		return u->scr;
	}
}

static void uart_write(struct uart *u, int reg, uint8_t v)
{
	switch (reg) {
	case 0:
		if (u->lcr & LCR_DLAB)
			u->dll = v;
		else if (write(u->m->out_fd, &v, 1) != 1)
			return;
		break;
	case 1:
		if (u->lcr & LCR_DLAB)
			u->dlm = v;
		else
			u->ier = v & 0x0f;
		break;
	case 2:
		u->fcr = v;
		break;
	case 3:
		u->lcr = v;
		break;
	case 4:
		u->mcr = v & 0x1f;
		break;
	case 7:
		u->scr = v;
		break;
	}
}

/* Byte registers: wider accesses touch consecutive registers. */
static void uart_io(struct device *dev, uint64_t port, void *data, int len,
		    bool is_write)
{
	struct uart *u = dev->priv;
	uint8_t *bytes = data;
	int i;

	for (i = 0; i < len; i++) {
		int reg = (port - UART_BASE + i) & 7;

		if (is_write)
			uart_write(u, reg, bytes[i]);
		else
			bytes[i] = uart_read(u, reg);
	}
}

static int uart_init(struct device *dev, struct machine *m)
{
	uart.m = m;
	return device_add_pio(dev, UART_BASE, 8, uart_io);
}

static struct device uart8250 = {
	.name = "uart8250",
	.init = uart_init,
	.priv = &uart,
};
DEVICE(uart8250);
