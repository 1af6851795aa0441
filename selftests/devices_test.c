// SPDX-License-Identifier: GPL-2.0
/*
 * devices_test.c - the platform's device models, driven through their
 * ports the way a guest drives them, with no guest and no hypervisor.
 *
 * The test links the tool's device files, its machine lock, interrupt
 * plumbing and I/O thread.  Each test runs in its own process (the
 * harness forks), so it starts from power-on state: it initialises the
 * devices, starts the I/O thread if it needs timers or input, and looks
 * at interrupts where the CPU would: the PIC's INTR and its acknowledge
 * cycle (irq_pending(), irq_acknowledge()).  Tests that depend on time
 * use the host's clock with wide margins.
 */
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "device.h"
#include "iothread.h"
#include "irq.h"

static int exit_requests, exit_status;

static void request_exit(struct machine *m, int status)
{
	exit_requests++;
	exit_status = status;
}

static struct machine machine = {
	.out_fd = -1,
	.in_fd = -1,
	.mem_size = 64 << 20,
	.nr_cpus = 3,
	.request_exit = request_exit,
};

static int setup(int in_fd, int out_fd, bool thread)
{
	machine.in_fd = in_fd;
	machine.out_fd = out_fd;
	if (devices_init(&machine))
		return -1;
	return thread ? io_thread_start() : 0;
}

static void outb(uint16_t port, uint8_t v)
{
	device_pio(port, &v, 1, true);
}

static uint8_t inb(uint16_t port)
{
	uint8_t v;

	device_pio(port, &v, 1, false);
	return v;
}

static void outw(uint16_t port, uint16_t v)
{
	device_pio(port, &v, 2, true);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* What the vCPU side does, under the lock the I/O thread also takes. */
static bool pending(void)
{
	bool r;

	machine_lock();
	r = irq_pending();
	machine_unlock();
	return r;
}

static int inta(void)
{
	int v;

	machine_lock();
	v = irq_acknowledge();
	machine_unlock();
	return v;
}

static void line(int irq, int level)
{
	machine_lock();
	irq_set_line(irq, level);
	machine_unlock();
}

/* Linux's init_8259A: vectors 0x30 and 0x38, cascade on 2, 8086 mode. */
static void pic_init(uint8_t imr_master, uint8_t imr_slave)
{
	outb(0x20, 0x11);
	outb(0x21, 0x30);
	outb(0x21, 0x04);
	outb(0x21, 0x01);
	outb(0xa0, 0x11);
	outb(0xa1, 0x38);
	outb(0xa1, 0x02);
	outb(0xa1, 0x01);
	outb(0x21, imr_master);
	outb(0xa1, imr_slave);
}

static uint8_t pic_isr(uint16_t base)
{
	outb(base, 0x0b);
	return inb(base);
}

static uint8_t pic_irr(uint16_t base)
{
	outb(base, 0x0a);
	return inb(base);
}

/* ------------------------------------------------------------------ */
/* 8259A                                                                */
/* ------------------------------------------------------------------ */

TEST(pic_masked_until_initialised)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	EXPECT_EQ(0xff, inb(0x21));
	line(3, 1);
	EXPECT_FALSE(pending());
	pic_init(0, 0);
	/* Initialisation resets edge detection: 3 must rise again. */
	EXPECT_FALSE(pending());
	line(3, 0);
	line(3, 1);
	EXPECT_TRUE(pending());
}

TEST(pic_vector_isr_eoi)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	pic_init(0, 0);
	EXPECT_EQ(0, inb(0x21));
	line(3, 1);
	EXPECT_TRUE(pending());
	EXPECT_EQ(0x08, pic_irr(0x20));
	EXPECT_EQ(0x33, inta());
	EXPECT_EQ(0x08, pic_isr(0x20));
	EXPECT_EQ(0, pic_irr(0x20));
	EXPECT_FALSE(pending());
	outb(0x20, 0x20);		/* non-specific EOI */
	EXPECT_EQ(0, pic_isr(0x20));
	/* Edge-triggered: a line held high asks once. */
	EXPECT_FALSE(pending());
	line(3, 0);
	line(3, 1);
	EXPECT_EQ(0x33, inta());
}

TEST(pic_priority_and_nesting)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	pic_init(0, 0);
	line(5, 1);
	line(3, 1);
	EXPECT_EQ(0x33, inta());
	/* 5 ranks below 3, which is in service. */
	EXPECT_FALSE(pending());
	line(1, 1);
	EXPECT_TRUE(pending());		/* 1 ranks above: it nests */
	EXPECT_EQ(0x31, inta());
	EXPECT_EQ(0x0a, pic_isr(0x20));
	outb(0x20, 0x20);		/* ends 1, the highest in service */
	EXPECT_EQ(0x08, pic_isr(0x20));
	EXPECT_FALSE(pending());
	outb(0x20, 0x63);		/* specific EOI for 3 */
	EXPECT_EQ(0, pic_isr(0x20));
	EXPECT_EQ(0x35, inta());
}

TEST(pic_mask)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	pic_init(0x10, 0);
	EXPECT_EQ(0x10, inb(0x21));
	line(4, 1);
	EXPECT_FALSE(pending());
	EXPECT_EQ(0x10, pic_irr(0x20));	/* requested, but masked */
	outb(0x21, 0);
	EXPECT_EQ(0x34, inta());
}

TEST(pic_cascade)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	pic_init(0, 0);
	line(10, 1);
	EXPECT_TRUE(pending());
	EXPECT_EQ(0x3a, inta());
	EXPECT_EQ(0x04, pic_isr(0x20));
	EXPECT_EQ(0x04, pic_isr(0xa0));
	/* Masking the slave's input on the master hides it. */
	outb(0xa0, 0x20);
	outb(0x20, 0x20);
	line(10, 0);
	outb(0x21, 0x04);
	line(10, 1);
	EXPECT_FALSE(pending());
	outb(0x21, 0);
	EXPECT_EQ(0x3a, inta());
}

TEST(pic_level_and_elcr)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	pic_init(0, 0);
	outb(0x4d0, 0xff);
	EXPECT_EQ(0xf8, inb(0x4d0));	/* IRQ 0-2 are edge-only */
	outb(0x4d1, 0xff);
	EXPECT_EQ(0xde, inb(0x4d1));	/* and so are 8 and 13 */
	outb(0x4d0, 0x20);
	line(5, 1);
	EXPECT_EQ(0x35, inta());
	/* Level: the request stays while the line is high. */
	EXPECT_EQ(0x20, pic_irr(0x20));
	outb(0x20, 0x20);
	EXPECT_TRUE(pending());
	line(5, 0);
	EXPECT_FALSE(pending());
	EXPECT_EQ(0, pic_irr(0x20));
}

TEST(pic_spurious_7_and_15)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	pic_init(0, 0);
	outb(0x4d0, 0x20);
	outb(0x4d1, 0x02);		/* IRQ 9 level-triggered */
	line(5, 1);
	EXPECT_TRUE(pending());
	line(5, 0);			/* gone before the acknowledge */
	EXPECT_EQ(0x37, inta());
	EXPECT_EQ(0, pic_isr(0x20));	/* a spurious one is not served */
	/* The master latched the cascade's edge; the slave has nothing. */
	line(9, 1);
	line(9, 0);
	EXPECT_EQ(0x3f, inta());
	EXPECT_EQ(0, pic_isr(0xa0));
	EXPECT_EQ(0x04, pic_isr(0x20));
}

TEST(pic_auto_eoi_rotation_poll)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	outb(0x20, 0x11);
	outb(0x21, 0x40);
	outb(0x21, 0x04);
	outb(0x21, 0x03);		/* auto-EOI */
	outb(0x21, 0);
	line(6, 1);
	EXPECT_EQ(0x46, inta());
	EXPECT_EQ(0, pic_isr(0x20));
	/* Set priority: 6 becomes the lowest, so 7 now outranks 0. */
	outb(0x20, 0xc6);
	line(0, 1);
	line(7, 1);
	EXPECT_EQ(0x47, inta());
	EXPECT_EQ(0x40, inta());
	/* Poll: the read is the acknowledge. */
	line(2, 1);
	outb(0x20, 0x0c);
	EXPECT_EQ(0x82, inb(0x20));
	outb(0x20, 0x0c);
	EXPECT_EQ(0x00, inb(0x20));
}

TEST(pic_special_mask)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	pic_init(0, 0);
	line(1, 1);
	EXPECT_EQ(0x31, inta());
	line(4, 1);
	EXPECT_FALSE(pending());	/* below 1, in service */
	outb(0x21, 0x02);
	outb(0x20, 0x68);		/* special mask: masked ISR bits */
	EXPECT_EQ(0x34, inta());	/* ... no longer block */
	outb(0x20, 0x48);
}

/* ------------------------------------------------------------------ */
/* 8254 and port 0x61                                                   */
/* ------------------------------------------------------------------ */

static uint16_t pit_read16(uint16_t port)
{
	uint8_t lo = inb(port);

	return lo | inb(port) << 8;
}

static uint16_t pit_latched(int counter)
{
	outb(0x43, counter << 6);	/* counter latch */
	return pit_read16(0x40 + counter);
}

TEST(pit_counts_down_in_real_time)
{
	uint16_t a, b;

	ASSERT_EQ(0, setup(-1, -1, false));
	outb(0x61, 0x01);		/* gate 2 on */
	outb(0x43, 0xb0);		/* counter 2, LSB then MSB, mode 0 */
	outb(0x42, 0xff);
	outb(0x42, 0xff);
	a = pit_read16(0x42);
	sleep_ms(10);
	b = pit_read16(0x42);
	/* 10 ms are 11932 ticks; allow for a slow host. */
	EXPECT_GT(a - b, 11000);
	EXPECT_LT(a - b, 30000);
	EXPECT_EQ(0, inb(0x61) & 0x20);	/* not at zero yet */
	sleep_ms(60);
	EXPECT_EQ(0x20, inb(0x61) & 0x20);	/* OUT2 went high */
	EXPECT_EQ(0x01, inb(0x61) & 0x03);
}

TEST(pit_latch_and_read_back)
{
	uint16_t a, b;
	uint8_t status;

	ASSERT_EQ(0, setup(-1, -1, false));
	outb(0x43, 0x74);		/* counter 1, word, mode 2 */
	/* Read-back before a count: null count set, OUT high. */
	outb(0x43, 0xe4);		/* status only, counter 1 */
	EXPECT_EQ(0xf4, inb(0x41));
	outb(0x41, 0x00);
	outb(0x41, 0x80);		/* 0x8000 */
	outb(0x43, 0x40);		/* latch counter 1 */
	sleep_ms(5);
	outb(0x43, 0x40);		/* a second latch changes nothing */
	a = pit_read16(0x41);
	b = pit_latched(1);
	EXPECT_GT(a - b, 5000);		/* 5 ms later: ~5966 ticks */
	/* Read-back of status and count: status first. */
	outb(0x43, 0xc4);
	status = inb(0x41);
	EXPECT_EQ(0x34, status & 0x7f);
	a = pit_read16(0x41);
	EXPECT_LE(a, 0x8000);
	EXPECT_EQ(0xff, inb(0x43));	/* the control port is write-only */
}

TEST(pit_gate_pauses_mode_0)
{
	uint16_t a, b;

	ASSERT_EQ(0, setup(-1, -1, false));
	outb(0x61, 0x01);
	outb(0x43, 0xb0);
	outb(0x42, 0xff);
	outb(0x42, 0xff);
	sleep_ms(2);
	outb(0x61, 0x00);		/* gate off: counting stops */
	a = pit_latched(2);
	sleep_ms(5);
	b = pit_latched(2);
	EXPECT_EQ(a, b);
	EXPECT_LT(a, 0xffff);
	outb(0x61, 0x01);		/* and goes on from there */
	sleep_ms(2);
	EXPECT_LT(pit_latched(2), b);
}

TEST(pit_bcd_and_byte_access)
{
	uint16_t v;

	ASSERT_EQ(0, setup(-1, -1, false));
	outb(0x43, 0x71);		/* counter 1, word, mode 0, BCD */
	outb(0x41, 0x99);
	outb(0x41, 0x99);		/* 9999 ticks: 8.4 ms */
	sleep_ms(1);
	v = pit_latched(1);
	EXPECT_LE(v & 0xf, 9);
	EXPECT_LE((v >> 4) & 0xf, 9);
	EXPECT_LE((v >> 8) & 0xf, 9);
	EXPECT_LT(v, 0x9999);		/* counted down ... */
	EXPECT_GT(v, 0x2000);		/* ... in decimal */
	outb(0x43, 0x60);		/* counter 1, MSB only */
	outb(0x41, 0x40);		/* 0x4000 */
	EXPECT_LE(inb(0x41), 0x40);	/* MSB only, every read */
	EXPECT_LE(inb(0x41), 0x40);
}

TEST(pit_modes_2_and_3_on_counter_2)
{
	int i, high = 0, low = 0, bad = 0;
	uint64_t end;
	uint16_t v;

	ASSERT_EQ(0, setup(-1, -1, false));
	outb(0x61, 0x01);
	outb(0x43, 0xb4);		/* mode 2, N = 100: counts 100..1 */
	outb(0x42, 100);
	outb(0x42, 0);
	for (i = 0; i < 2000; i++) {
		v = pit_latched(2);
		bad += v < 1 || v > 100;
	}
	EXPECT_EQ(0, bad);
	outb(0x43, 0xb6);		/* mode 3, N = 2000: counts by two */
	outb(0x42, 2000 & 0xff);
	outb(0x42, 2000 >> 8);
	/* 20 ms: a dozen periods of 1.7 ms. */
	for (end = io_now() + 20000000; io_now() < end; ) {
		v = pit_latched(2);
		bad += (v & 1) || v < 2 || v > 2000;
		if (inb(0x61) & 0x20)
			high++;
		else
			low++;
	}
	EXPECT_EQ(0, bad);
	/* A square wave: high about as often as low. */
	EXPECT_GT(high * 10, (high + low) * 4);
	EXPECT_GT(low * 10, (high + low) * 4);
}

/* Counter 0 in a mode: count its interrupts over ms milliseconds. */
static int count_ticks(uint8_t mode, unsigned int count, int ms)
{
	uint64_t end;
	int ticks = 0;

	pic_init(0xfe, 0xff);
	outb(0x43, 0x30 | mode << 1);
	outb(0x40, count & 0xff);
	outb(0x40, count >> 8);
	end = io_now() + ms * 1000000ull;
	while (io_now() < end) {
		struct timespec ts = { 0, 100000 };

		if (pending()) {
			if (inta() == 0x30)
				ticks++;
			outb(0x20, 0x20);
		}
		nanosleep(&ts, NULL);
	}
	return ticks;
}

TEST(pit_irq0_periodic)
{
	int ticks;

	ASSERT_EQ(0, setup(-1, -1, true));
	ticks = count_ticks(2, 11932, 200);	/* 100 Hz for 200 ms */
	EXPECT_GE(ticks, 15);
	EXPECT_LE(ticks, 22);
}

TEST(pit_irq0_square_wave)
{
	int ticks;

	ASSERT_EQ(0, setup(-1, -1, true));
	ticks = count_ticks(3, 5966, 200);	/* 200 Hz for 200 ms */
	EXPECT_GE(ticks, 30);
	EXPECT_LE(ticks, 42);
}

TEST(pit_irq0_one_shot)
{
	ASSERT_EQ(0, setup(-1, -1, true));
	/* Mode 0, 10 ms: exactly one interrupt, however long we wait. */
	EXPECT_EQ(1, count_ticks(0, 11932, 100));
	/* Re-arming after expiry fires again. */
	outb(0x40, 100);
	outb(0x40, 0);
	sleep_ms(5);
	EXPECT_TRUE(pending());
}

/* ------------------------------------------------------------------ */
/* 16550A                                                               */
/* ------------------------------------------------------------------ */

#define COM1	0x3f8

TEST(uart_registers)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	outb(COM1 + 7, 0x5a);
	EXPECT_EQ(0x5a, inb(COM1 + 7));
	outb(COM1 + 3, 0x80);		/* DLAB */
	outb(COM1 + 0, 0x0c);
	outb(COM1 + 1, 0x00);
	EXPECT_EQ(0x0c, inb(COM1 + 0));
	outb(COM1 + 3, 0x03);
	EXPECT_EQ(0x03, inb(COM1 + 3));
	outb(COM1 + 1, 0xff);
	EXPECT_EQ(0x0f, inb(COM1 + 1));	/* IER has four bits */
	outb(COM1 + 1, 0);
	EXPECT_EQ(0x01, inb(COM1 + 2));	/* nothing pending, no FIFO */
	outb(COM1 + 2, 0x01);
	EXPECT_EQ(0xc1, inb(COM1 + 2));	/* FIFOs on: a 16550A */
	EXPECT_EQ(0x60, inb(COM1 + 5));	/* THRE, TEMT */
}

TEST(uart_thre_interrupt)
{
	int out[2];
	char c;

	ASSERT_EQ(0, pipe(out));
	ASSERT_EQ(0, setup(-1, out[1], false));
	pic_init(0xef, 0xff);
	outb(COM1 + 4, 0x08);		/* OUT2: the line reaches the PIC */
	outb(COM1 + 1, 0x02);		/* THRE: empty now, so at once */
	EXPECT_TRUE(pending());
	EXPECT_EQ(0x34, inta());
	EXPECT_EQ(0x02, inb(COM1 + 2));	/* and reading IIR clears it */
	EXPECT_EQ(0x01, inb(COM1 + 2));
	outb(0x20, 0x20);
	EXPECT_FALSE(pending());
	/* Every byte sent raises it again: a new edge. */
	outb(COM1, 'k');
	EXPECT_TRUE(pending());
	ASSERT_EQ(1, read(out[0], &c, 1));
	EXPECT_EQ('k', c);
	/* Without OUT2 the line stays low. */
	EXPECT_EQ(0x34, inta());
	outb(0x20, 0x20);
	outb(COM1 + 4, 0x00);
	outb(COM1, 'l');
	EXPECT_FALSE(pending());
	EXPECT_EQ(0x02, inb(COM1 + 2));	/* yet IIR says so */
}

static bool wait_lsr_dr(void)
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (inb(COM1 + 5) & 0x01)
			return true;
		sleep_ms(1);
	}
	return false;
}

TEST(uart_receive_interrupt_and_fifo)
{
	char text[41] = "0123456789abcdefghijklmnopqrstuvwxyzABCD", got[41];
	int in[2], i;

	ASSERT_EQ(0, pipe(in));
	ASSERT_EQ(0, setup(in[0], -1, true));
	pic_init(0xef, 0xff);
	outb(COM1 + 2, 0x01);		/* FIFOs on */
	outb(COM1 + 4, 0x08);
	outb(COM1 + 1, 0x01);		/* receive interrupts */
	EXPECT_FALSE(pending());
	ASSERT_EQ(40, write(in[1], text, 40));
	ASSERT_TRUE(wait_lsr_dr());
	EXPECT_TRUE(pending());
	EXPECT_EQ(0xc4, inb(COM1 + 2));
	/* 40 bytes through a 16-byte FIFO, in order: the I/O thread
	 * refills it as the guest drains it. */
	for (i = 0; i < 40; i++) {
		ASSERT_TRUE(wait_lsr_dr());
		got[i] = inb(COM1);
	}
	got[40] = 0;
	EXPECT_STREQ(text, got);
	EXPECT_EQ(0, inb(COM1 + 5) & 0x01);
	EXPECT_EQ(0xc1, inb(COM1 + 2));
	EXPECT_EQ(0x34, inta());	/* the edge was latched */
	outb(0x20, 0x20);
	EXPECT_FALSE(pending());
	/* Clearing the receive FIFO drops what it holds. */
	ASSERT_EQ(2, write(in[1], "xy", 2));
	ASSERT_TRUE(wait_lsr_dr());
	outb(COM1 + 2, 0x03);
	EXPECT_EQ(0, inb(COM1 + 5) & 0x01);
}

TEST(uart_loopback)
{
	int out[2], n;
	char buf[4];

	ASSERT_EQ(0, pipe(out));
	ASSERT_EQ(0, setup(-1, out[1], false));
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	pic_init(0xef, 0xff);
	outb(COM1 + 1, 0x01);
	/* Linux's probe: loopback with RTS and OUT2 reads CTS and DCD. */
	outb(COM1 + 4, 0x1a);
	EXPECT_EQ(0x90, inb(COM1 + 6) & 0xf0);
	outb(COM1, 'q');
	EXPECT_EQ(0x01, inb(COM1 + 5) & 0x01);
	EXPECT_FALSE(pending());	/* the IRQ line is disconnected */
	EXPECT_EQ('q', inb(COM1));
	n = read(out[0], buf, sizeof(buf));
	EXPECT_EQ(-1, n);		/* nothing went out */
	/* Back to normal: DSR came on (a delta), until MSR is read. */
	outb(COM1 + 4, 0x08);
	EXPECT_EQ(0xb2, inb(COM1 + 6));
	EXPECT_EQ(0xb0, inb(COM1 + 6));
}

/* ------------------------------------------------------------------ */
/* CMOS RTC                                                             */
/* ------------------------------------------------------------------ */

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static void cmos_write(uint8_t reg, uint8_t v)
{
	outb(0x70, reg);
	outb(0x71, v);
}

static int bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

TEST(rtc_host_time_bcd_binary_12h)
{
	struct tm tm;
	time_t now;
	int i, hour;

	ASSERT_EQ(0, setup(-1, -1, false));
	EXPECT_EQ(0x80, cmos(0x0d));	/* valid RAM and time */
	EXPECT_EQ(0x02, cmos(0x0b));	/* 24-hour BCD */
	for (i = 0; i < 3; i++) {
		now = time(NULL);
		gmtime_r(&now, &tm);
		if (bcd(cmos(0x00)) == tm.tm_sec)
			break;		/* no second boundary in between */
	}
	EXPECT_EQ(tm.tm_min, bcd(cmos(0x02)));
	EXPECT_EQ(tm.tm_hour, bcd(cmos(0x04)));
	EXPECT_EQ(tm.tm_wday + 1, bcd(cmos(0x06)));
	EXPECT_EQ(tm.tm_mday, bcd(cmos(0x07)));
	EXPECT_EQ(tm.tm_mon + 1, bcd(cmos(0x08)));
	EXPECT_EQ(tm.tm_year % 100, bcd(cmos(0x09)));
	EXPECT_EQ((tm.tm_year + 1900) / 100, bcd(cmos(0x32)));

	cmos_write(0x0b, 0x06);		/* binary, 24-hour */
	EXPECT_EQ(tm.tm_year % 100, cmos(0x09));
	EXPECT_EQ(tm.tm_mday, cmos(0x07));
	cmos_write(0x0b, 0x04);		/* binary, 12-hour */
	hour = cmos(0x04);
	EXPECT_EQ(tm.tm_hour >= 12 ? 0x80 : 0, hour & 0x80);
	EXPECT_EQ(tm.tm_hour % 12 ? tm.tm_hour % 12 : 12, hour & 0x7f);
}

TEST(rtc_set_time)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	cmos_write(0x0b, 0x82);		/* SET: the clock stops */
	cmos_write(0x32, 0x19);
	cmos_write(0x09, 0x99);
	cmos_write(0x08, 0x12);
	cmos_write(0x07, 0x31);
	cmos_write(0x04, 0x23);
	cmos_write(0x02, 0x59);
	cmos_write(0x00, 0x58);
	EXPECT_EQ(0x58, cmos(0x00));
	EXPECT_EQ(0, cmos(0x0a) & 0x80);	/* no update while SET */
	cmos_write(0x0b, 0x02);		/* and runs on from there */
	sleep_ms(2100);
	EXPECT_EQ(0x00, cmos(0x09));	/* 2000: into the next year */
	EXPECT_EQ(0x20, cmos(0x32));
	EXPECT_EQ(0x01, cmos(0x08));
	EXPECT_EQ(0x01, cmos(0x07));
	EXPECT_EQ(0x00, cmos(0x04));
	EXPECT_LE(cmos(0x00), 0x02);
	EXPECT_EQ(0x07, cmos(0x06));	/* 1 January 2000: a Saturday */
}

TEST(rtc_update_in_progress)
{
	long polls = 0, set = 0, windows = 0;
	uint64_t end;
	bool uip, was = false;

	ASSERT_EQ(0, setup(-1, -1, false));
	/* 244 us before every second: once in 1.1 s, a small share. */
	end = io_now() + 1100000000ull;
	while (io_now() < end) {
		uip = cmos(0x0a) & 0x80;
		polls++;
		set += uip;
		windows += uip && !was;
		was = uip;
	}
	EXPECT_GE(windows, 1);
	EXPECT_LE(windows, 2);
	EXPECT_LT(set * 50, polls);
	EXPECT_EQ(0x26, cmos(0x0a) & 0x7f);
}

TEST(rtc_periodic_interrupt_through_the_slave)
{
	uint8_t c;
	int i;

	ASSERT_EQ(0, setup(-1, -1, true));
	pic_init(0xfb, 0xfe);		/* cascade and IRQ 8 open */
	EXPECT_EQ(0, cmos(0x0c));
	cmos_write(0x0b, 0x42);		/* periodic, 1024 Hz (rate 6) */
	for (i = 0; i < 100 && !pending(); i++)
		sleep_ms(1);
	EXPECT_TRUE(pending());
	EXPECT_EQ(0x38, inta());
	c = cmos(0x0c);
	EXPECT_EQ(0xc0, c & 0xc0);	/* IRQF and PF, cleared by reading */
	cmos_write(0x0b, 0x02);
	cmos(0x0c);
	sleep_ms(5);
	EXPECT_EQ(0, cmos(0x0c));	/* nothing since: disabled */
	/* The CMOS RAM keeps what is written. */
	cmos_write(0x40, 0xa5);
	EXPECT_EQ(0xa5, cmos(0x40));
	EXPECT_EQ(0xff, inb(0x70));	/* the index is write-only */
}

/* ------------------------------------------------------------------ */
/* i8042, fw_cfg, port 0x80                                             */
/* ------------------------------------------------------------------ */

TEST(i8042_commands)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	EXPECT_EQ(0, inb(0x64) & 0x01);	/* nothing to read */
	outb(0x64, 0xaa);		/* self-test */
	EXPECT_EQ(0x01, inb(0x64) & 0x01);
	EXPECT_EQ(0x55, inb(0x60));
	outb(0x64, 0x20);		/* read the configuration byte */
	EXPECT_EQ(0x45, inb(0x60));
	outb(0x64, 0x60);
	outb(0x60, 0x47);
	outb(0x64, 0x20);
	EXPECT_EQ(0x47, inb(0x60));
	outb(0x64, 0xd3);		/* aux loop: comes back as aux data */
	outb(0x60, 0x5a);
	EXPECT_EQ(0x21, inb(0x64) & 0x21);
	EXPECT_EQ(0x5a, inb(0x60));
	outb(0x64, 0xab);
	EXPECT_EQ(0x00, inb(0x60));
	EXPECT_EQ(0, exit_requests);
}

TEST(i8042_no_keyboard_and_irq1)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	pic_init(0xfd, 0xff);
	outb(0x60, 0xf2);		/* keyboard: identify */
	EXPECT_EQ(0x41, inb(0x64) & 0x41);	/* data, and a time-out */
	EXPECT_TRUE(pending());
	EXPECT_EQ(0x31, inta());
	EXPECT_EQ(0xfe, inb(0x60));	/* nobody there: resend */
	EXPECT_EQ(0, inb(0x64) & 0x01);
}

TEST(i8042_reset_ends_the_run)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	outb(0x64, 0xfe);
	EXPECT_EQ(1, exit_requests);
	EXPECT_EQ(0, exit_status);
	outb(0x64, 0xd1);		/* output port, reset line low */
	outb(0x60, 0x02);
	EXPECT_EQ(2, exit_requests);
	outb(0x64, 0xd1);		/* A20 on, not a reset */
	outb(0x60, 0x03);
	EXPECT_EQ(2, exit_requests);
}

static void fw_cfg_read(uint16_t key, uint8_t *buf, int len)
{
	int i;

	outw(0x510, key);
	for (i = 0; i < len; i++)
		buf[i] = inb(0x511);
}

TEST(fw_cfg_items)
{
	uint8_t buf[8];
	uint64_t ram = 0;
	int i;

	ASSERT_EQ(0, setup(-1, -1, false));
	fw_cfg_read(0x0000, buf, 5);
	EXPECT_EQ(0, memcmp(buf, "QEMU\0", 5));	/* 0 past the end */
	fw_cfg_read(0x0005, buf, 2);
	EXPECT_EQ(3, buf[0] | buf[1] << 8);
	fw_cfg_read(0x000f, buf, 2);
	EXPECT_EQ(3, buf[0] | buf[1] << 8);
	fw_cfg_read(0x0001, buf, 4);
	EXPECT_EQ(1, buf[0]);
	fw_cfg_read(0x0003, buf, 8);
	for (i = 0; i < 8; i++)
		ram |= (uint64_t)buf[i] << (8 * i);
	EXPECT_EQ(64 << 20, ram);
	fw_cfg_read(0x0019, buf, 4);
	EXPECT_EQ(0, buf[0] | buf[1] | buf[2] | buf[3]);
	fw_cfg_read(0x1234, buf, 2);
	EXPECT_EQ(0, buf[0] | buf[1]);
	/* Reselecting starts the item over. */
	fw_cfg_read(0x0000, buf, 2);
	fw_cfg_read(0x0000, buf, 4);
	EXPECT_EQ(0, memcmp(buf, "QEMU", 4));
}

TEST(port_0x80_sink)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	outb(0x80, 0x12);
	EXPECT_EQ(0xff, inb(0x80));
	/* A port nobody claims floats too, and is reported as unclaimed. */
	EXPECT_TRUE(device_pio(0x80, &(uint8_t){ 0 }, 1, true));
	EXPECT_FALSE(device_pio(0x2f8, &(uint8_t){ 0 }, 1, true));
}

/* ------------------------------------------------------------------ */
/* Local APICs (three vCPUs) and the IOAPIC                             */
/* ------------------------------------------------------------------ */

#define APIC		0xfee00000
#define IOAPIC		0xfec00000

/* An APIC register as vCPU cpu sees it: its own APIC. */
static uint32_t apic_rd(int cpu, uint32_t reg)
{
	uint32_t v;

	irq_set_current_cpu(cpu);
	device_mmio(APIC + reg, &v, 4, false);
	return v;
}

static void apic_wr(int cpu, uint32_t reg, uint32_t v)
{
	irq_set_current_cpu(cpu);
	device_mmio(APIC + reg, &v, 4, true);
}

static uint32_t apic_esr(int cpu)
{
	apic_wr(cpu, 0x280, 0);
	return apic_rd(cpu, 0x280);
}

/* ICR: destination, then the command, from vCPU cpu. */
static void ipi(int cpu, uint8_t dest, uint32_t icr)
{
	apic_wr(cpu, 0x310, (uint32_t)dest << 24);
	apic_wr(cpu, 0x300, icr);
}

static bool cpu_pending(int cpu)
{
	bool r;

	machine_lock();
	r = irq_cpu_pending(cpu);
	machine_unlock();
	return r;
}

static int cpu_inta(int cpu)
{
	int v;

	machine_lock();
	v = irq_cpu_acknowledge(cpu);
	machine_unlock();
	return v;
}

/* Every APIC software-enabled (spurious vector 0xff), LINT0 masked. */
static void apics_enable(void)
{
	int cpu;

	for (cpu = 0; cpu < 3; cpu++) {
		apic_wr(cpu, 0xf0, 0x1ff);
		apic_wr(cpu, 0x350, 0x10000);
	}
}

TEST(apic_after_reset)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	EXPECT_EQ(0, apic_rd(0, 0x20));
	EXPECT_EQ(2u << 24, apic_rd(2, 0x20));
	EXPECT_EQ(0x00050014, apic_rd(1, 0x30));
	EXPECT_EQ(0xffffffff, apic_rd(1, 0xe0));
	/* vCPU 0: virtual wire mode, as a BIOS leaves it. */
	EXPECT_EQ(0x1ff, apic_rd(0, 0xf0));
	EXPECT_EQ(0x700, apic_rd(0, 0x350));
	EXPECT_EQ(0x400, apic_rd(0, 0x360));
	/* The others: disabled, every LVT masked, and they stay masked. */
	EXPECT_EQ(0xff, apic_rd(1, 0xf0));
	EXPECT_EQ(0x10000, apic_rd(1, 0x320));
	apic_wr(1, 0x350, 0x700);
	EXPECT_EQ(0x10700, apic_rd(1, 0x350));
	/* An APIC's registers are its vCPU's own. */
	apic_wr(1, 0x80, 0x20);
	EXPECT_EQ(0x20, apic_rd(1, 0x80));
	EXPECT_EQ(0, apic_rd(2, 0x80));
}

TEST(apic_read_only_and_missing_registers)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	apics_enable();
	apic_wr(0, 0x30, 0);		/* version */
	apic_wr(0, 0xa0, 0xff);		/* PPR */
	apic_wr(0, 0x200 + 0x10, ~0u);	/* IRR */
	apic_wr(0, 0x100 + 0x10, ~0u);	/* ISR */
	apic_wr(0, 0x390, 1234);	/* current count */
	EXPECT_EQ(0x00050014, apic_rd(0, 0x30));
	EXPECT_EQ(0, apic_rd(0, 0xa0));
	EXPECT_EQ(0, apic_rd(0, 0x210));
	EXPECT_EQ(0, apic_rd(0, 0x110));
	EXPECT_EQ(0, apic_rd(0, 0x390));
	EXPECT_EQ(0, apic_esr(0));
	/* No register at 0x2f0 (no CMCI) nor 0x400: illegal address. */
	apic_rd(0, 0x2f0);
	EXPECT_EQ(0x80, apic_esr(0));
	apic_wr(0, 0x400, 1);
	EXPECT_EQ(0x80, apic_esr(0));
	EXPECT_EQ(0, apic_esr(0));
	/* The delivery status bit of ICR and LINT's remote IRR: read-only. */
	apic_wr(0, 0x300, 0x10000 | 0x1000 | 0x40 | (2u << 18));
	EXPECT_EQ(0, apic_rd(0, 0x300) & 0x1000);
	apic_wr(0, 0x350, 0x4000 | 0x10000);
	EXPECT_EQ(0x10000, apic_rd(0, 0x350));
}

TEST(apic_fixed_ipi_priorities_and_eoi)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	apics_enable();
	EXPECT_FALSE(cpu_pending(1));
	ipi(0, 1, 0x45);
	ipi(0, 1, 0x81);
	EXPECT_FALSE(cpu_pending(0));
	EXPECT_FALSE(cpu_pending(2));
	ASSERT_TRUE(cpu_pending(1));
	EXPECT_EQ((1u << 5) | 0, apic_rd(1, 0x200 + 0x20) & (1u << 5));
	EXPECT_EQ(0x81, cpu_inta(1));		/* the highest first */
	EXPECT_EQ(0x80, apic_rd(1, 0xa0));	/* PPR: its class */
	EXPECT_EQ(2, apic_rd(1, 0x100 + 0x40));	/* ISR bit 0x81 */
	EXPECT_FALSE(cpu_pending(1));		/* 0x45 waits */
	ipi(2, 1, 0x91);			/* a higher class nests */
	EXPECT_TRUE(cpu_pending(1));
	EXPECT_EQ(0x91, cpu_inta(1));
	apic_wr(1, 0xb0, 0);			/* EOI ends 0x91 */
	EXPECT_EQ(0x80, apic_rd(1, 0xa0));
	apic_wr(1, 0xb0, 0);			/* and 0x81 */
	EXPECT_EQ(0, apic_rd(1, 0xa0));
	EXPECT_EQ(0x45, cpu_inta(1));
	apic_wr(1, 0xb0, 0);
	/* An EOI with nothing in service changes nothing. */
	apic_wr(1, 0xb0, 0);
	EXPECT_EQ(0, apic_rd(1, 0xa0));
	EXPECT_FALSE(cpu_pending(1));
	/* A software-disabled APIC takes no fixed interrupt. */
	apic_wr(2, 0xf0, 0xff);
	ipi(0, 2, 0x50);
	EXPECT_FALSE(cpu_pending(2));
	EXPECT_EQ(4, apic_esr(0));
}

TEST(apic_tpr_holds_lower_classes)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	apics_enable();
	apic_wr(1, 0x80, 0x50);
	ipi(0, 1, 0x45);
	ipi(0, 1, 0x55);
	EXPECT_FALSE(cpu_pending(1));		/* class 4 and 5: held */
	EXPECT_EQ(0x50, apic_rd(1, 0xa0));
	apic_wr(1, 0x80, 0x4f);
	EXPECT_TRUE(cpu_pending(1));
	EXPECT_EQ(0x55, cpu_inta(1));
	EXPECT_FALSE(cpu_pending(1));		/* 0x45: ISR's class 5 */
	apic_wr(1, 0xb0, 0);
	EXPECT_FALSE(cpu_pending(1));		/* TPR class 4 */
	apic_wr(1, 0x80, 0);
	EXPECT_EQ(0x45, cpu_inta(1));
}

TEST(apic_bad_ipis)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	apics_enable();
	apic_esr(0);
	/* APIC ID 5: no such vCPU (there are three). */
	ipi(0, 5, 0x40);
	EXPECT_EQ(4, apic_esr(0));		/* send accept error */
	EXPECT_FALSE(cpu_pending(0) || cpu_pending(1) || cpu_pending(2));
	ipi(0, 5, 0x400);			/* NMI */
	EXPECT_EQ(4, apic_esr(0));
	ipi(0, 5, 0x500 | 0x4000);		/* INIT */
	EXPECT_EQ(4, apic_esr(0));
	/* Vectors 0-15 are illegal: the sender's error, nothing sent. */
	ipi(0, 1, 0x05);
	EXPECT_EQ(0x20, apic_esr(0));
	EXPECT_FALSE(cpu_pending(1));
	EXPECT_EQ(0, apic_esr(1));
	/* The error LVT raises its vector on an error. */
	apic_wr(0, 0x370, 0xfe);
	ipi(0, 6, 0x40);
	EXPECT_TRUE(cpu_pending(0));
	EXPECT_EQ(0xfe, cpu_inta(0));
	EXPECT_EQ(4, apic_esr(0));
}

TEST(apic_logical_destinations_and_shorthands)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	apics_enable();
	/* Flat: a bit per APIC. */
	apic_wr(0, 0xd0, 0x01000000);
	apic_wr(1, 0xd0, 0x02000000);
	apic_wr(2, 0xd0, 0x04000000);
	ipi(0, 0x06, 0x800 | 0x40);
	EXPECT_FALSE(cpu_pending(0));
	EXPECT_EQ(0x40, cpu_inta(1));
	EXPECT_EQ(0x40, cpu_inta(2));
	/* Cluster: cluster 1, members 1 and 2; cluster 2, member 1. */
	apic_wr(0, 0xe0, 0x0fffffff);
	apic_wr(1, 0xe0, 0x0fffffff);
	apic_wr(2, 0xe0, 0x0fffffff);
	apic_wr(0, 0xd0, 0x11000000);
	apic_wr(1, 0xd0, 0x12000000);
	apic_wr(2, 0xd0, 0x21000000);
	EXPECT_EQ(0x0fffffff, apic_rd(1, 0xe0));
	ipi(2, 0x13, 0x800 | 0x50);
	EXPECT_EQ(0x50, cpu_inta(0));
	EXPECT_EQ(0x50, cpu_inta(1));
	EXPECT_FALSE(cpu_pending(2));
	/* Shorthands: self, all, all but self. */
	ipi(1, 0, (1u << 18) | 0x60);
	EXPECT_FALSE(cpu_pending(0) || cpu_pending(2));
	EXPECT_EQ(0x60, cpu_inta(1));
	ipi(1, 0, (3u << 18) | 0x70);
	EXPECT_FALSE(cpu_pending(1));
	EXPECT_EQ(0x70, cpu_inta(0));
	EXPECT_EQ(0x70, cpu_inta(2));
	apic_wr(0, 0xb0, 0);
	apic_wr(1, 0xb0, 0);
	apic_wr(2, 0xb0, 0);
	ipi(1, 0, (2u << 18) | 0x71);
	EXPECT_EQ(0x71, cpu_inta(0));
	EXPECT_EQ(0x71, cpu_inta(1));
	EXPECT_EQ(0x71, cpu_inta(2));
	apic_wr(0, 0xb0, 0);
	apic_wr(1, 0xb0, 0);
	apic_wr(2, 0xb0, 0);
	/* Physical broadcast. */
	ipi(0, 0xff, 0x72);
	EXPECT_TRUE(cpu_pending(0) && cpu_pending(1) && cpu_pending(2));
}

TEST(apic_lowest_priority)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	apics_enable();
	apic_wr(1, 0x80, 0x20);
	apic_wr(2, 0x80, 0x10);
	apic_wr(0, 0x80, 0x30);
	ipi(0, 0xff, 0x100 | 0x90);
	EXPECT_FALSE(cpu_pending(0) || cpu_pending(1));
	EXPECT_EQ(0x90, cpu_inta(2));
}

TEST(apic_init_startup_nmi)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	irq_init();
	irq_vcpu_created(0, NULL, false);
	irq_vcpu_created(1, NULL, true);
	irq_vcpu_created(2, NULL, true);
	apics_enable();
	apic_wr(1, 0xd0, 0x02000000);
	EXPECT_EQ(IRQ_CPU_WAIT_SIPI, irq_cpu_state(1));
	/* INIT resets the APIC but for its ID; the de-assert does nothing. */
	ipi(0, 1, 0x500 | 0x4000 | 0x8000);
	EXPECT_EQ(0xff, apic_rd(1, 0xf0));
	EXPECT_EQ(0, apic_rd(1, 0xd0));
	EXPECT_EQ(1u << 24, apic_rd(1, 0x20));
	apic_wr(1, 0xf0, 0x1ff);
	ipi(0, 1, 0x500 | 0x8000);
	EXPECT_EQ(0x1ff, apic_rd(1, 0xf0));
	EXPECT_EQ(IRQ_CPU_WAIT_SIPI, irq_cpu_state(1));
	/* STARTUP: it runs; a second one finds it running. */
	ipi(0, 1, 0x600 | 0x08);
	EXPECT_EQ(IRQ_CPU_RUNNING, irq_cpu_state(1));
	machine_lock();
	EXPECT_FALSE(irq_cpu_sipi(1, 0x09));
	EXPECT_TRUE(irq_cpu_sipi(2, 0x09));
	machine_unlock();
	/* NMI: to vCPU 2 only. */
	ipi(0, 2, 0x400);
	EXPECT_TRUE(irq_cpu_nmi_pending(2));
	EXPECT_FALSE(irq_cpu_nmi_pending(1));
	EXPECT_EQ(0, apic_esr(0));
}

TEST(apic_timer_periodic_and_one_shot)
{
	uint32_t c1, c2;
	int ticks = 0, i;

	ASSERT_EQ(0, setup(-1, -1, true));
	apics_enable();
	/* Divide by 1: 1 GHz; periodic every 2 ms. */
	apic_wr(1, 0x3e0, 0xb);
	apic_wr(1, 0x320, 0x20000 | 0x40);
	apic_wr(1, 0x380, 2000000);
	c1 = apic_rd(1, 0x390);
	sleep_ms(1);
	c2 = apic_rd(1, 0x390);
	EXPECT_LT(c2, c1);
	for (i = 0; i < 100; i++) {
		sleep_ms(1);
		if (cpu_pending(1)) {
			EXPECT_EQ(0x40, cpu_inta(1));
			apic_wr(1, 0xb0, 0);
			ticks++;
		}
	}
	EXPECT_GE(ticks, 20);
	EXPECT_LE(ticks, 55);
	/* One-shot, divide by 2: 10 ms, once; then the count reads 0. */
	apic_wr(1, 0x380, 0);
	apic_wr(1, 0x3e0, 0);
	apic_wr(1, 0x320, 0x40);
	apic_wr(1, 0x380, 5000000);
	sleep_ms(3);
	EXPECT_FALSE(cpu_pending(1));
	sleep_ms(30);
	EXPECT_EQ(0x40, cpu_inta(1));
	apic_wr(1, 0xb0, 0);
	sleep_ms(30);
	EXPECT_FALSE(cpu_pending(1));
	EXPECT_EQ(0, apic_rd(1, 0x390));
	/* Masked, the timer counts but interrupts nobody. */
	apic_wr(1, 0x320, 0x10040);
	apic_wr(1, 0x380, 100000);
	sleep_ms(5);
	EXPECT_FALSE(cpu_pending(1));
}

static uint32_t ioapic_rd(uint8_t reg)
{
	uint32_t v = reg;

	device_mmio(IOAPIC, &v, 4, true);
	device_mmio(IOAPIC + 0x10, &v, 4, false);
	return v;
}

static void ioapic_wr(uint8_t reg, uint32_t v)
{
	uint32_t sel = reg;

	device_mmio(IOAPIC, &sel, 4, true);
	device_mmio(IOAPIC + 0x10, &v, 4, true);
}

TEST(ioapic_registers)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	EXPECT_EQ(0x00170020, ioapic_rd(1));
	EXPECT_EQ(3u << 24, ioapic_rd(0));	/* after the three APICs */
	EXPECT_EQ(0x10000, ioapic_rd(0x10 + 2 * 23));
	/* Read-only: version, delivery status, remote IRR. */
	ioapic_wr(1, 0);
	EXPECT_EQ(0x00170020, ioapic_rd(1));
	ioapic_wr(0x10 + 2 * 5, 0x5000 | 0x41);
	EXPECT_EQ(0x41, ioapic_rd(0x10 + 2 * 5));
	ioapic_wr(0x11 + 2 * 5, 0xff123456);
	EXPECT_EQ(0xff000000, ioapic_rd(0x11 + 2 * 5));
	/* Beyond the 24 entries: nothing there. */
	ioapic_wr(0x10 + 2 * 24, 0x41);
	EXPECT_EQ(0, ioapic_rd(0x10 + 2 * 24));
}

TEST(ioapic_edge_routes_isa_irqs)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	apics_enable();
	/* IRQ 4 (the UART) at pin 4 to APIC 1; IRQ 0 (the PIT) at pin 2. */
	ioapic_wr(0x10 + 2 * 4, 0x34);
	ioapic_wr(0x11 + 2 * 4, 1u << 24);
	ioapic_wr(0x10 + 2 * 2, 0x30);
	ioapic_wr(0x11 + 2 * 2, 2u << 24);
	ioapic_wr(0x10 + 2 * 0, 0x3f);
	line(4, 1);
	EXPECT_EQ(0x34, cpu_inta(1));
	line(4, 1);			/* no new edge */
	EXPECT_FALSE(cpu_pending(1));
	apic_wr(1, 0xb0, 0);
	line(4, 0);
	line(4, 1);
	EXPECT_EQ(0x34, cpu_inta(1));
	line(0, 0);
	line(0, 1);
	EXPECT_EQ(0x30, cpu_inta(2));
	apic_wr(2, 0xb0, 0);
	/* Masked: the edge is lost. */
	ioapic_wr(0x10 + 2 * 4, 0x10034);
	line(4, 0);
	line(4, 1);
	apic_wr(1, 0xb0, 0);
	EXPECT_FALSE(cpu_pending(1));
	/* Lowest priority, logical: APIC 2 has the lower TPR. */
	apic_wr(1, 0xd0, 0x01000000);
	apic_wr(2, 0xd0, 0x01000000);
	apic_wr(1, 0x80, 0x20);
	ioapic_wr(0x10 + 2 * 3, 0x100 | 0x800 | 0x33);
	ioapic_wr(0x11 + 2 * 3, 0x01000000);
	line(3, 1);
	EXPECT_FALSE(cpu_pending(1));
	EXPECT_EQ(0x33, cpu_inta(2));
}

TEST(ioapic_level_remote_irr_and_eoi)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	apics_enable();
	/* Pin 10, level, active high, to APIC 0. */
	ioapic_wr(0x10 + 2 * 10, 0x8000 | 0x3a);
	line(10, 1);
	EXPECT_EQ(0x3a, cpu_inta(0));
	EXPECT_TRUE(ioapic_rd(0x10 + 2 * 10) & 0x4000);	/* remote IRR */
	EXPECT_TRUE(apic_rd(0, 0x180 + 0x10) & (1u << 26));	/* TMR */
	/* The EOI of a line still high sends it again. */
	apic_wr(0, 0xb0, 0);
	EXPECT_EQ(0x3a, cpu_inta(0));
	line(10, 0);
	apic_wr(0, 0xb0, 0);
	EXPECT_FALSE(ioapic_rd(0x10 + 2 * 10) & 0x4000);
	EXPECT_FALSE(cpu_pending(0));
	/* Masked while high: unmasking sends it. */
	ioapic_wr(0x10 + 2 * 10, 0x18000 | 0x3a);
	line(10, 1);
	EXPECT_FALSE(cpu_pending(0));
	ioapic_wr(0x10 + 2 * 10, 0x8000 | 0x3a);
	EXPECT_EQ(0x3a, cpu_inta(0));
	/* The IOAPIC's own EOI register clears remote IRR too. */
	line(10, 0);
	{
		uint32_t v = 0x3a;

		device_mmio(IOAPIC + 0x40, &v, 4, true);
	}
	EXPECT_FALSE(ioapic_rd(0x10 + 2 * 10) & 0x4000);
}

/* With LINT0 masked the 8259A's INTR no longer reaches vCPU 0. */
TEST(apic_lint0_extint_carries_the_pic)
{
	ASSERT_EQ(0, setup(-1, -1, false));
	pic_init(0xef, 0xff);		/* IRQ 4 only */
	line(4, 1);
	EXPECT_TRUE(cpu_pending(0));
	EXPECT_FALSE(cpu_pending(1));
	apic_wr(0, 0x350, 0x10700);
	EXPECT_FALSE(cpu_pending(0));
	apic_wr(0, 0x350, 0x700);
	EXPECT_EQ(0x34, cpu_inta(0));
}

TEST_HARNESS_MAIN
