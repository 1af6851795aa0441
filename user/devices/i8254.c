// SPDX-License-Identifier: GPL-2.0
/*
 * i8254.c - the programmable interval timer, and port 0x61 beside it.
 *
 *   0x40-0x42  counters 0-2: the count (LSB, MSB or both, as programmed)
 *   0x43       control word: counter, access, mode, BCD; counter latch;
 *              read-back
 *   0x61       "port B": bit 0 counter 2's gate, bit 1 speaker data,
 *              bit 4 refresh toggle, bit 5 counter 2's output
 *
 * Three 16-bit down-counters clocked at 1.193182 MHz.  Counter 0's output
 * is IRQ 0, the system timer; counter 1 once refreshed DRAM and is only a
 * counter here; counter 2's gate and output are bits of port 0x61, which
 * is how Linux calibrates the TSC: it opens the gate, starts a one-shot
 * count and watches the output bit or reads the count as it falls.
 *
 * Nothing ticks in kvmini: a counter remembers when it started and how
 * many ticks it had counted before a pause, and every read computes the
 * count and output from the host's monotonic clock, so what the guest
 * sees follows real time however rarely it looks.  Only counter 0 needs
 * to act by itself: it arms a host timer (iothread.h) for the moment its
 * output rises, and the I/O thread raises IRQ 0 then.  Ticks the guest
 * has not taken yet merge into one request, as on the real chip.
 *
 * Modes (control word bits 3-1), with N the count written:
 *   0  interrupt on terminal count: output low, high after N ticks
 *   1  one-shot, started by a rising gate (counter 2 only)
 *   2  rate generator: a one-tick low pulse every N ticks
 *   3  square wave: high for N/2 ticks, low for N/2, counting by two
 *   4  software strobe: a one-tick low pulse after N ticks
 *   5  hardware strobe: as 4, started by a rising gate
 *
 * A guest could ask for a period of a few ticks; counter 0's host timer
 * never fires faster than every PIT_MIN_PERIOD_NS, so no guest can make
 * the I/O thread spin.
 */
#include <stdbool.h>
#include <stdint.h>

#include "../device.h"
#include "../iothread.h"
#include "../irq.h"

#define PIT_BASE	0x40
#define PIT_CONTROL	0x43
#define PORT_B		0x61
#define PIT_HZ		1193182ull
#define PIT_IRQ		0
#define PIT_MIN_PERIOD_NS 20000ull	/* 50 kHz */
#define REFRESH_NS	15085ull	/* port B bit 4 toggles this often */

#define ACCESS_LATCH	0
#define ACCESS_LSB	1
#define ACCESS_MSB	2
#define ACCESS_WORD	3
#define READ_BACK	3		/* the "counter" of a read-back */
#define RB_NO_COUNT	0x20
#define RB_NO_STATUS	0x10

#define PORT_B_GATE2	0x01
#define PORT_B_SPEAKER	0x02
#define PORT_B_WRITABLE	0x0f
#define PORT_B_REFRESH	0x10
#define PORT_B_OUT2	0x20

struct pit_counter {
	int id;
	uint8_t mode, access;
	bool bcd;
	uint32_t n;		/* the count loaded: 1..0x10000 (10000 BCD) */
	bool loaded;		/* a count was written since the control word */
	bool running;		/* counting now */
	bool gate;
	uint64_t start_ns;	/* when it last started counting */
	uint64_t ticks_before;	/* counted before a gate pause */
	uint16_t idle_count;	/* what reads show while nothing is loaded */
	/* Writes of LSB then MSB. */
	bool write_msb;
	uint8_t write_lsb;
	/* Reads: the live count, or what a latch command froze. */
	bool read_msb;
	bool count_latched, status_latched;
	uint16_t latch;
	uint8_t status;
	struct io_timer timer;	/* counter 0 */
};

static struct pit {
	struct pit_counter c[3];
	uint8_t port_b;
} pit = {
	.c = { { .id = 0, .gate = true }, { .id = 1, .gate = true },
	       { .id = 2 } },
};

static uint64_t ticks_to_ns(uint64_t ticks)
{
	return (ticks * NSEC_PER_SEC + PIT_HZ - 1) / PIT_HZ;
}

/* Ticks counted since the count was loaded, pauses left out. */
static uint64_t elapsed(struct pit_counter *c, uint64_t now)
{
	if (!c->running)
		return c->ticks_before;
	return c->ticks_before +
	       (unsigned __int128)(now - c->start_ns) * PIT_HZ / NSEC_PER_SEC;
}

static uint32_t modulus(struct pit_counter *c)
{
	return c->bcd ? 10000 : 0x10000;
}

/* The counting element's value now. */
static uint16_t pit_count(struct pit_counter *c, uint64_t now)
{
	uint64_t d = elapsed(c, now);
	uint32_t n = c->n, m = modulus(c);

	if (!c->loaded)
		return c->idle_count;
	switch (c->mode) {
	case 2:
		return n - d % n;
	case 3:
		return n - (2 * d) % n;
	default:	/* 0, 1, 4, 5: down through zero and on */
		return (n + m - d % m) % m;
	}
}

static bool pit_out(struct pit_counter *c, uint64_t now)
{
	uint64_t d = elapsed(c, now);
	uint32_t n = c->n;

	if (!c->loaded)
		return c->mode != 0;
	switch (c->mode) {
	case 0:
		return d >= n;
	case 1:
		return c->running ? d >= n : true;
	case 2:
		return !c->running || d % n != n - 1;
	case 3:
		return !c->running || d % n < (n + 1) / 2;
	default:	/* 4, 5 */
		return d != n;
	}
}

static uint16_t to_bcd(uint16_t v)
{
	return (v / 1000 % 10) << 12 | (v / 100 % 10) << 8 |
	       (v / 10 % 10) << 4 | v % 10;
}

static uint32_t from_bcd(uint16_t v)
{
	return (v >> 12 & 0xf) * 1000 + (v >> 8 & 0xf) * 100 +
	       (v >> 4 & 0xf) * 10 + (v & 0xf);
}

/* Counter 0: arm the host timer for the next rise of its output. */
static void pit_arm(struct pit_counter *c, uint64_t now)
{
	uint64_t period, first, d;

	if (c->id != 0)
		return;
	if (!c->running) {
		io_timer_stop(&c->timer);
		return;
	}
	d = elapsed(c, now);
	switch (c->mode) {
	case 2:
	case 3:
		period = ticks_to_ns(c->n);
		if (period < PIT_MIN_PERIOD_NS)
			period = PIT_MIN_PERIOD_NS;
		first = c->start_ns + ticks_to_ns(c->n - c->ticks_before);
		io_timer_arm(&c->timer, first, period);
		break;
	case 0:
	case 4:
		/* Mode 0 rises at N; mode 4's pulse ends at N + 1. */
		if (d > c->n) {
			io_timer_stop(&c->timer);
			break;
		}
		first = c->start_ns + ticks_to_ns(c->n + (c->mode == 4) -
						  c->ticks_before);
		io_timer_arm(&c->timer, first, 0);
		break;
	default:	/* 1, 5: counter 0's gate never rises */
		io_timer_stop(&c->timer);
	}
}

/* The I/O thread: counter 0's output rose. */
static void pit_timer_fired(struct io_timer *t, uint64_t expirations)
{
	struct pit_counter *c = t->priv;

	if (c->mode == 0)
		irq_set_line(PIT_IRQ, 1);	/* and stays high */
	else
		irq_pulse(PIT_IRQ);
}

static void pit_start(struct pit_counter *c, uint64_t now)
{
	c->ticks_before = 0;
	c->start_ns = now;
	c->running = c->gate;
	pit_arm(c, now);
}

/* A whole count arrived: it loads and counting starts (gate allowing). */
static void pit_load(struct pit_counter *c, uint16_t value, uint64_t now)
{
	uint32_t n = c->bcd ? from_bcd(value) : value;

	c->n = n ? n : modulus(c);
	c->loaded = true;
	if (c->mode == 1 || c->mode == 5) {
		/* Armed: the gate's next rising edge starts it. */
		c->running = false;
		c->ticks_before = 0;
		return;
	}
	pit_start(c, now);
}

static void pit_set_gate(struct pit_counter *c, bool gate, uint64_t now)
{
	if (gate == c->gate)
		return;
	c->gate = gate;
	if (!c->loaded)
		return;
	if (gate) {
		if (c->mode == 0 || c->mode == 4) {
			/* Counting resumes where it paused. */
			c->start_ns = now;
			c->running = true;
			pit_arm(c, now);
		} else {
			/* 1, 5 trigger; 2, 3 start over. */
			pit_start(c, now);
		}
	} else if (c->mode != 1 && c->mode != 5 && c->running) {
		c->ticks_before = elapsed(c, now);
		c->running = false;
		pit_arm(c, now);
	}
}

static uint8_t pit_status(struct pit_counter *c, uint64_t now)
{
	return pit_out(c, now) << 7 | !c->loaded << 6 | c->access << 4 |
	       c->mode << 1 | c->bcd;
}

static void pit_latch_count(struct pit_counter *c, uint64_t now)
{
	uint16_t count = pit_count(c, now);

	/* A second latch before the first is read changes nothing. */
	if (c->count_latched)
		return;
	c->latch = c->bcd ? to_bcd(count) : count;
	c->count_latched = true;
	c->read_msb = c->access == ACCESS_MSB;
}

static void pit_control(uint8_t v, uint64_t now)
{
	int id = v >> 6, i;
	struct pit_counter *c;

	if (id == READ_BACK) {
		for (i = 0; i < 3; i++) {
			c = &pit.c[i];
			if (!(v & (2 << i)))
				continue;
			/* The status first, if both are latched. */
			if (!(v & RB_NO_STATUS) && !c->status_latched) {
				c->status = pit_status(c, now);
				c->status_latched = true;
			}
			if (!(v & RB_NO_COUNT))
				pit_latch_count(c, now);
		}
		return;
	}
	c = &pit.c[id];
	if (((v >> 4) & 3) == ACCESS_LATCH) {
		pit_latch_count(c, now);
		return;
	}
	/* A new mode: the counter stops until its count is written. */
	c->idle_count = pit_count(c, now);
	c->access = (v >> 4) & 3;
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;		/* 6 and 7 are 2 and 3 */
	c->bcd = v & 1;
	c->loaded = c->running = false;
	c->write_msb = c->read_msb = false;
	c->count_latched = c->status_latched = false;
	if (c->id == 0) {
		io_timer_stop(&c->timer);
		irq_set_line(PIT_IRQ, c->mode != 0);
	}
}

static void pit_write(struct pit_counter *c, uint8_t v, uint64_t now)
{
	switch (c->access) {
	case ACCESS_LSB:
		pit_load(c, v, now);
		break;
	case ACCESS_MSB:
		pit_load(c, v << 8, now);
		break;
	case ACCESS_WORD:
		if (!c->write_msb) {
			c->write_lsb = v;
			c->write_msb = true;
			/* Mode 0 stops at the first byte, its output low. */
			if (c->mode == 0 && c->loaded) {
				c->idle_count = pit_count(c, now);
				c->loaded = c->running = false;
				if (c->id == 0) {
					io_timer_stop(&c->timer);
					irq_set_line(PIT_IRQ, 0);
				}
			}
			break;
		}
		c->write_msb = false;
		pit_load(c, c->write_lsb | v << 8, now);
		break;
	}
}

/* One byte of a 16-bit value, as the access mode and flip-flop say. */
static uint8_t pit_byte(struct pit_counter *c, uint16_t v, bool *done)
{
	bool msb = c->access == ACCESS_MSB ||
		   (c->access == ACCESS_WORD && c->read_msb);

	*done = c->access != ACCESS_WORD || c->read_msb;
	if (c->access == ACCESS_WORD)
		c->read_msb = !c->read_msb;
	return msb ? v >> 8 : v & 0xff;
}

static uint8_t pit_read(struct pit_counter *c, uint64_t now)
{
	uint16_t count;
	bool done;
	uint8_t v;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->count_latched) {
		v = pit_byte(c, c->latch, &done);
		if (done)
			c->count_latched = false;
		return v;
	}
	count = pit_count(c, now);
	return pit_byte(c, c->bcd ? to_bcd(count) : count, &done);
}

static uint8_t port_b_read(uint64_t now)
{
	uint8_t v = pit.port_b & PORT_B_WRITABLE;

	if ((now / REFRESH_NS) & 1)
		v |= PORT_B_REFRESH;
	if (pit_out(&pit.c[2], now))
		v |= PORT_B_OUT2;
	return v;
}

static void pit_io(struct device *dev, uint64_t port, void *data, int len,
		   bool is_write)
{
	uint64_t now = io_now();
	uint8_t *bytes = data;
	int i;

	for (i = 0; i < len; i++) {
		uint16_t p = port + i;
		uint8_t *v = &bytes[i];

		if (p == PORT_B && is_write) {
			pit.port_b = *v & PORT_B_WRITABLE;
			pit_set_gate(&pit.c[2], *v & PORT_B_GATE2, now);
		} else if (p == PORT_B) {
			*v = port_b_read(now);
		} else if (p == PIT_CONTROL) {
			if (is_write)
				pit_control(*v, now);
			else
				*v = 0xff;	/* write-only */
		} else if (p >= PIT_BASE && p < PIT_CONTROL) {
			if (is_write)
				pit_write(&pit.c[p - PIT_BASE], *v, now);
			else
				*v = pit_read(&pit.c[p - PIT_BASE], now);
		} else if (!is_write) {
			*v = 0xff;
		}
	}
}

static int i8254_init(struct device *dev, struct machine *m)
{
	int r;

	r = io_timer_init(&pit.c[0].timer, pit_timer_fired, &pit.c[0]);
	if (!r)
		r = device_add_pio(dev, PIT_BASE, 4, pit_io);
	if (!r)
		r = device_add_pio(dev, PORT_B, 1, pit_io);
	return r;
}

static struct device i8254 = {
	.name = "i8254",
	.init = i8254_init,
};
DEVICE(i8254);
