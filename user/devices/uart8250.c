// SPDX-License-Identifier: GPL-2.0
/*
 * uart8250.c - a 16550A UART at 0x3f8 (COM1) on IRQ 4.
 *
 *   +0 RBR (read) / THR (write), or DLL with LCR.DLAB
 *   +1 IER, or DLM with LCR.DLAB
 *   +2 IIR (read) / FCR (write)
 *   +3 LCR    +4 MCR    +5 LSR    +6 MSR    +7 SCR (scratch)
 *
 * Output goes to the machine's output at once: the transmitter is always
 * empty again by the time the guest looks.  Input comes from the
 * machine's input (stdin), read by the I/O thread into the receive FIFO
 * (16 bytes, 1 with FIFOs off) only while it has room, so typing ahead
 * waits in the host's pipe or terminal rather than overrunning.
 *
 * Interrupts, as IIR reports them, highest first (IER enables each):
 *   RDA   data in the receive FIFO (IER bit 0; IIR 0x04).  There are no
 *         trigger levels: any byte interrupts at once.
 *   THRE  the transmit holding register is empty (IER bit 1; IIR 0x02):
 *         raised by each byte sent and when the guest enables it, cleared
 *         by reading IIR while it is the reason, or by writing THR.
 *   MSI   a modem status line changed (IER bit 3; IIR 0x00).
 * The line to the PIC is high while one is pending and MCR.OUT2 is set:
 * PC boards gate it that way, and Linux sets OUT2 when it wants them.
 * Each byte written drops THRE and raises it again, so an edge-triggered
 * PIC sees every one.
 *
 * Loopback (MCR bit 4): THR feeds RBR, the modem outputs feed the modem
 * inputs (RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD) and the IRQ line is
 * disconnected, as Linux's probe expects.
 *
 * When stdin is a terminal it is switched to raw mode for the run, so
 * keys reach the guest as typed; Ctrl-A x ends the run (status 0) and
 * Ctrl-A Ctrl-A sends a Ctrl-A, as in QEMU.
 */
#include <errno.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "../device.h"
#include "../iothread.h"
#include "../irq.h"

#define UART_BASE	0x3f8
#define UART_IRQ	4
#define FIFO_SIZE	16

#define IER_RDA		0x01
#define IER_THRE	0x02
#define IER_MSI		0x08
#define IIR_NONE	0x01
#define IIR_MSI		0x00
#define IIR_THRE	0x02
#define IIR_RDA		0x04
#define IIR_FIFO	0xc0
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MSR_DELTAS	0x0f
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80
#define MSR_TERI	0x04	/* RI went from on to off */

#define CTRL_A		0x01

struct uart {
	struct machine *m;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	uint8_t msr;		/* status lines and their deltas */
	bool thre_pending;
	uint8_t rx[FIFO_SIZE];
	int rx_head, rx_count;
	struct io_watch input;
	bool input_polled;	/* a file: read when there is room */
	bool eof;
	bool escape;		/* Ctrl-A seen on a terminal */
	bool tty;
};

static struct uart uart;
static struct termios saved_termios;

static int rx_room(struct uart *u)
{
	return ((u->fcr & FCR_ENABLE) ? FIFO_SIZE : 1) - u->rx_count;
}

static void rx_push(struct uart *u, uint8_t c)
{
	if (rx_room(u) <= 0)
		return;		/* overrun: only loopback can get here */
	u->rx[(u->rx_head + u->rx_count++) % FIFO_SIZE] = c;
}

static uint8_t iir(struct uart *u)
{
	uint8_t fifo = (u->fcr & FCR_ENABLE) ? IIR_FIFO : 0;

	if ((u->ier & IER_RDA) && u->rx_count)
		return fifo | IIR_RDA;
	if ((u->ier & IER_THRE) && u->thre_pending)
		return fifo | IIR_THRE;
	if ((u->ier & IER_MSI) && (u->msr & MSR_DELTAS))
		return fifo | IIR_MSI;
	return fifo | IIR_NONE;
}

static void uart_update_irq(struct uart *u)
{
	bool level = !(iir(u) & IIR_NONE) && (u->mcr & MCR_OUT2) &&
		     !(u->mcr & MCR_LOOP);

	irq_set_line(UART_IRQ, level);
}

/* The modem inputs: constant in normal use, the outputs in loopback. */
static void uart_set_modem_inputs(struct uart *u)
{
	uint8_t in = MSR_DCD | MSR_DSR | MSR_CTS, old = u->msr & 0xf0;

	if (u->mcr & MCR_LOOP)
		in = (u->mcr & MCR_RTS ? MSR_CTS : 0) |
		     (u->mcr & MCR_DTR ? MSR_DSR : 0) |
		     (u->mcr & MCR_OUT1 ? MSR_RI : 0) |
		     (u->mcr & MCR_OUT2 ? MSR_DCD : 0);
	/* Delta bits 0, 1, 3 follow CTS, DSR, DCD; bit 2 a falling RI. */
	u->msr |= ((in ^ old) >> 4) & (MSR_DELTAS & ~MSR_TERI);
	if ((old & MSR_RI) && !(in & MSR_RI))
		u->msr |= MSR_TERI;
	u->msr = (u->msr & MSR_DELTAS) | in;
}

static void uart_fill(struct uart *u);

/* The I/O thread: input is readable.  Take what fits. */
static void uart_input(struct io_watch *w)
{
	struct uart *u = w->priv;
	uint8_t buf[FIFO_SIZE];
	int room = rx_room(u), i;
	ssize_t n;

	if (room <= 0 || u->eof) {
		io_watch_enable(w, false);
		return;
	}
	n = read(w->fd, buf, room);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		u->eof = true;
		io_watch_enable(w, false);
		return;
	}
	for (i = 0; i < n; i++) {
		if (u->tty && u->escape) {
			u->escape = false;
			if (buf[i] == 'x') {
				u->m->request_exit(u->m, 0);
				return;
			}
			if (buf[i] != CTRL_A)
				rx_push(u, CTRL_A);
		} else if (u->tty && buf[i] == CTRL_A) {
			u->escape = true;
			continue;
		}
		rx_push(u, buf[i]);
	}
	if (rx_room(u) <= 0)
		io_watch_enable(w, false);
	uart_update_irq(u);
}

/* There may be room again: take more input. */
static void uart_fill(struct uart *u)
{
	if (u->input.fd < 0 || u->eof || rx_room(u) <= 0)
		return;
	if (u->input_polled)
		uart_input(&u->input);
	else
		io_watch_enable(&u->input, true);
}

static uint8_t uart_read(struct uart *u, int reg)
{
	uint8_t v;

	switch (reg) {
	case 0:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		if (!u->rx_count)
			return 0;
		v = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % FIFO_SIZE;
		u->rx_count--;
		uart_fill(u);
		return v;
	case 1:
		return (u->lcr & LCR_DLAB) ? u->dlm : u->ier;
	case 2:
		v = iir(u);
		if ((v & 0x0f) == IIR_THRE)
			u->thre_pending = false;
		return v;
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		return LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0);
	case 6:
		v = u->msr;
		u->msr &= ~MSR_DELTAS;
		return v;
	default:
		return u->scr;
	}
}

static void uart_write(struct uart *u, int reg, uint8_t v)
{
	uint8_t changed;

	switch (reg) {
	case 0:
		if (u->lcr & LCR_DLAB) {
			u->dll = v;
			break;
		}
		/* THR empties at once: THRE drops and rises again. */
		u->thre_pending = false;
		uart_update_irq(u);
		if (u->mcr & MCR_LOOP)
			rx_push(u, v);
		else if (write(u->m->out_fd, &v, 1) != 1)
			break;
		u->thre_pending = true;
		break;
	case 1:
		if (u->lcr & LCR_DLAB) {
			u->dlm = v;
			break;
		}
		changed = (u->ier ^ v) & IER_THRE;
		u->ier = v & 0x0f;
		/* Enabling THRE while THR is empty interrupts, every time. */
		if (changed)
			u->thre_pending = u->ier & IER_THRE;
		break;
	case 2:
		if ((v ^ u->fcr) & FCR_ENABLE || v & FCR_CLEAR_RX)
			u->rx_head = u->rx_count = 0;
		u->fcr = v & 0xc9;	/* enable, DMA mode, trigger level */
		uart_fill(u);
		break;
	case 3:
		u->lcr = v;
		break;
	case 4:
		u->mcr = v & 0x1f;
		uart_set_modem_inputs(u);
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
	uart_update_irq(u);
}

static void restore_terminal(void)
{
	tcsetattr(uart.input.fd, TCSAFLUSH, &saved_termios);
}

/* Keys go to the guest as typed; the guest echoes what it wants to. */
static void raw_terminal(struct uart *u)
{
	struct termios t;

	if (tcgetattr(u->input.fd, &saved_termios))
		return;
	t = saved_termios;
	t.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
	t.c_iflag &= ~(ICRNL | INLCR | IXON);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(u->input.fd, TCSAFLUSH, &t))
		return;
	u->tty = true;
	atexit(restore_terminal);
}

static int uart_init(struct device *dev, struct machine *m)
{
	struct uart *u = dev->priv;
	int r;

	u->m = m;
	uart_set_modem_inputs(u);
	u->msr &= ~MSR_DELTAS;
	u->input = (struct io_watch){ .fd = m->in_fd, .fn = uart_input,
				      .priv = u };
	if (m->in_fd >= 0) {
		if (isatty(m->in_fd))
			raw_terminal(u);
		r = io_watch_add(&u->input);
		/* A regular file cannot be polled: it is always ready. */
		if (r == -EPERM) {
			u->input_polled = true;
			u->input.enabled = false;	/* never in the set */
			uart_fill(u);
		} else if (r) {
			return r;
		}
	}
	return device_add_pio(dev, UART_BASE, 8, uart_io);
}

static struct device uart8250 = {
	.name = "uart8250",
	.init = uart_init,
	.priv = &uart,
};
DEVICE(uart8250);
