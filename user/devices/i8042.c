// SPDX-License-Identifier: GPL-2.0
/*
 * i8042.c - the PS/2 controller at 0x60/0x64, with nothing plugged in.
 *
 *   0x60  data: read the output buffer; write a command's parameter, or a
 *         byte for the keyboard
 *   0x64  read: status; write: a controller command
 *
 * It is here for two things: Linux probes it at boot and should find a
 * controller that answers at once rather than wait out its time-outs;
 * and its reset line is how a PC reboots: command 0xfe (pulse the reset
 * line), or clearing bit 0 of the output port, ends the run with status
 * 0, which is what `reboot -f` does in a guest Linux.
 *
 * The controller answers its own commands: read/write the configuration
 * byte (0x20/0x60), self-test (0xaa -> 0x55), port tests (0xa9, 0xab ->
 * 0x00), enable/disable the ports (0xa7, 0xa8, 0xad, 0xae), the output
 * port (0xd0/0xd1), the echo commands (0xd2, 0xd3), and a byte for the
 * auxiliary device (0xd4).  No keyboard and no mouse are attached: every
 * byte sent to one is answered with 0xfe (resend) and the time-out bit,
 * so Linux's probes fail at once.  Answers queue in a small output
 * buffer; the byte at its head raises IRQ 1 (keyboard) or IRQ 12 (aux)
 * when the configuration byte enables that interrupt.
 */
#include <stdbool.h>
#include <stdint.h>

#include "../device.h"
#include "../irq.h"

#define I8042_DATA	0x60
#define I8042_CMD	0x64
#define KBD_IRQ		1
#define AUX_IRQ		12
#define QUEUE		8

#define STR_OBF		0x01
#define STR_SYS		0x04
#define STR_CMD		0x08	/* the last write was a command */
#define STR_UNLOCKED	0x10	/* keyboard not inhibited */
#define STR_AUXDATA	0x20
#define STR_TIMEOUT	0x40

#define CTR_KBDINT	0x01
#define CTR_AUXINT	0x02
#define CTR_SYS		0x04
#define CTR_KBDDIS	0x10
#define CTR_AUXDIS	0x20
#define CTR_XLATE	0x40

#define OUT_RESET	0x01	/* low: the CPU is held in reset */
#define OUT_A20		0x02

#define NO_DEVICE	0xfe	/* resend: what a port with nothing says */

struct out_byte {
	uint8_t value;
	bool aux, timeout;
};

static struct i8042 {
	struct machine *m;
	uint8_t ctr, out_port, status_cmd;
	uint8_t pending;	/* command waiting for its parameter, or 0 */
	struct out_byte q[QUEUE];
	int head, count;
	uint8_t last;		/* a read of an empty buffer repeats it */
} kbc = {
	.ctr = CTR_KBDINT | CTR_SYS | CTR_XLATE,
	.out_port = OUT_RESET | OUT_A20,
};

static void update_irqs(struct i8042 *k)
{
	struct out_byte *b = &k->q[k->head];

	irq_set_line(KBD_IRQ, k->count && !b->aux && (k->ctr & CTR_KBDINT));
	irq_set_line(AUX_IRQ, k->count && b->aux && (k->ctr & CTR_AUXINT));
}

static void put(struct i8042 *k, uint8_t v, bool aux, bool timeout)
{
	if (k->count == QUEUE)
		return;
	k->q[(k->head + k->count++) % QUEUE] =
		(struct out_byte){ v, aux, timeout };
}

static uint8_t status(struct i8042 *k)
{
	struct out_byte *b = &k->q[k->head];
	uint8_t s = STR_UNLOCKED | k->status_cmd;

	if (k->ctr & CTR_SYS)
		s |= STR_SYS;
	if (k->count)
		s |= STR_OBF | (b->aux ? STR_AUXDATA : 0) |
		     (b->timeout ? STR_TIMEOUT : 0);
	return s;
}

static void reset(struct i8042 *k)
{
	k->m->request_exit(k->m, 0);
}

static void command(struct i8042 *k, uint8_t cmd)
{
	switch (cmd) {
	case 0x20:
		put(k, k->ctr, false, false);
		break;
	case 0xa7:
		k->ctr |= CTR_AUXDIS;
		break;
	case 0xa8:
		k->ctr &= ~CTR_AUXDIS;
		break;
	case 0xa9:		/* aux interface test: no error */
	case 0xab:		/* keyboard interface test: no error */
		put(k, 0x00, false, false);
		break;
	case 0xaa:		/* controller self-test: passed */
		put(k, 0x55, false, false);
		break;
	case 0xad:
		k->ctr |= CTR_KBDDIS;
		break;
	case 0xae:
		k->ctr &= ~CTR_KBDDIS;
		break;
	case 0xd0:
		put(k, k->out_port, false, false);
		break;
	case 0x60:		/* these wait for a byte at the data port */
	case 0xd1:
	case 0xd2:
	case 0xd3:
	case 0xd4:
		k->pending = cmd;
		break;
	default:
		/* 0xf0-0xff pulse output lines whose bit is clear: bit 0 resets. */
		if ((cmd & 0xf0) == 0xf0 && !(cmd & OUT_RESET))
			reset(k);
		break;
	}
}

static void data(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->pending = 0;
	switch (cmd) {
	case 0x60:
		k->ctr = v;
		break;
	case 0xd1:
		k->out_port = v;
		if (!(v & OUT_RESET))
			reset(k);
		break;
	case 0xd2:		/* as if the keyboard had sent it */
		put(k, v, false, false);
		break;
	case 0xd3:		/* as if the mouse had sent it */
		put(k, v, true, false);
		break;
	case 0xd4:		/* to the mouse: nobody there */
		put(k, NO_DEVICE, true, true);
		break;
	default:		/* to the keyboard: nobody there */
		put(k, NO_DEVICE, false, true);
		break;
	}
}

static uint8_t read_data(struct i8042 *k)
{
	if (k->count) {
		k->last = k->q[k->head].value;
		k->head = (k->head + 1) % QUEUE;
		k->count--;
		/* The next byte's interrupt is a new edge. */
		irq_set_line(KBD_IRQ, 0);
		irq_set_line(AUX_IRQ, 0);
	}
	return k->last;
}

static void i8042_io(struct device *dev, uint64_t port, void *buf, int len,
		     bool is_write)
{
	struct i8042 *k = dev->priv;
	uint8_t *v = buf;
	int i;

	/* Byte registers: the rest of a wider read floats. */
	for (i = 1; i < len && !is_write; i++)
		v[i] = 0xff;
	if (port == I8042_CMD && is_write) {
		k->status_cmd = STR_CMD;
		command(k, *v);
	} else if (port == I8042_CMD) {
		*v = status(k);
	} else if (is_write) {
		k->status_cmd = 0;
		data(k, *v);
	} else {
		*v = read_data(k);
	}
	update_irqs(k);
}

static int i8042_init(struct device *dev, struct machine *m)
{
	int r;

	kbc.m = m;
	r = device_add_pio(dev, I8042_DATA, 1, i8042_io);
	if (!r)
		r = device_add_pio(dev, I8042_CMD, 1, i8042_io);
	return r;
}

static struct device i8042 = {
	.name = "i8042",
	.init = i8042_init,
	.priv = &kbc,
};
DEVICE(i8042);
