// SPDX-License-Identifier: GPL-2.0
/*
 * mc146818.c - the CMOS real-time clock at 0x70/0x71, on IRQ 8.
 *
 *   0x70  index of the register to reach through 0x71 (bit 7 is the
 *         NMI mask on PCs; kvmini has no NMI sources, so it is ignored)
 *   0x71  the register
 *
 *   0x00 seconds  0x02 minutes  0x04 hours  0x06 day of week (1 = Sunday)
 *   0x07 day of month  0x08 month  0x09 year (two digits)  0x32 century
 *   0x01, 0x03, 0x05  the alarm's seconds, minutes, hours (0xc0-0xff in
 *         a field matches any value)
 *   0x0a A: bit 7 update in progress (read-only), bits 6-4 the divider,
 *         bits 3-0 the periodic interrupt's rate
 *   0x0b B: bit 7 SET (updates stop while the guest sets the time), 6
 *         periodic, 5 alarm, 4 update-ended interrupt enables, bit 2
 *         binary (else BCD), bit 1 24-hour (else 12-hour, bit 7 of the
 *         hour is PM)
 *   0x0c C: interrupt flags, cleared (and IRQ 8 dropped) by reading:
 *         bit 7 any enabled, 6 periodic, 5 alarm, 4 update ended
 *   0x0d D: bit 7, valid RAM and time: always set
 *   0x0e-0x7f  battery-backed RAM, zero at start
 *
 * The time is the host's UTC clock plus an offset the guest sets by
 * writing the time registers; nothing is stored and nothing ticks.  The
 * update-in-progress bit is set during the last 244 us of every second,
 * as the datasheet's timing says, so a guest that waits for it to clear
 * reads a stable time.  The interrupt flags are set by host timers while
 * their interrupts are enabled: the periodic one at the rate register A
 * asks (up to 8192 Hz), the update-ended one at every second boundary,
 * which also checks the alarm.
 */
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "../device.h"
#include "../iothread.h"
#include "../irq.h"

#define RTC_PORT	0x70
#define RTC_IRQ		8
#define RTC_REGS	128

#define REG_SEC		0x00
#define REG_SEC_ALARM	0x01
#define REG_MIN		0x02
#define REG_MIN_ALARM	0x03
#define REG_HOUR	0x04
#define REG_HOUR_ALARM	0x05
#define REG_WDAY	0x06
#define REG_MDAY	0x07
#define REG_MONTH	0x08
#define REG_YEAR	0x09
#define REG_A		0x0a
#define REG_B		0x0b
#define REG_C		0x0c
#define REG_D		0x0d
#define REG_CENTURY	0x32

#define A_UIP		0x80
#define A_DV_MASK	0x70
#define A_DV_NORMAL	0x20	/* 32.768 kHz time base, running */
#define A_RATE_MASK	0x0f
#define B_SET		0x80
#define B_PIE		0x40
#define B_AIE		0x20
#define B_UIE		0x10
#define B_BINARY	0x04
#define B_24H		0x02
#define C_IRQF		0x80
#define C_PF		0x40
#define C_AF		0x20
#define C_UF		0x10
#define D_VRT		0x80
#define HOUR_PM		0x80
#define ALARM_ANY	0xc0

#define UIP_NS		244000ull

static struct rtc {
	uint8_t index;
	uint8_t ram[RTC_REGS];	/* A, B, C, alarms and the RAM live here */
	int64_t offset;		/* guest time - host time, seconds */
	time_t frozen;		/* the guest's time while B.SET is set */
	struct io_timer periodic, update;
} rtc;

static uint8_t to_bcd(int v)
{
	return (v / 10) << 4 | v % 10;
}

static int from_bcd(uint8_t v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

static struct timespec host_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

/* The guest's time now, in seconds since the epoch. */
static time_t rtc_time(struct rtc *r)
{
	if (r->ram[REG_B] & B_SET)
		return r->frozen;
	return host_now().tv_sec + r->offset;
}

/* A field of the clock as the guest reads it: BCD or binary, 12/24 h. */
static uint8_t rtc_encode(struct rtc *r, int reg, int v)
{
	bool pm = false;

	if (reg == REG_HOUR && !(r->ram[REG_B] & B_24H)) {
		pm = v >= 12;
		v = v % 12 ? v % 12 : 12;
	}
	v = (r->ram[REG_B] & B_BINARY) ? v : to_bcd(v);
	return v | (pm ? HOUR_PM : 0);
}

static int rtc_decode(struct rtc *r, int reg, uint8_t v)
{
	bool pm = reg == REG_HOUR && !(r->ram[REG_B] & B_24H) &&
		  (v & HOUR_PM);
	int n;

	if (pm)
		v &= ~HOUR_PM;
	n = (r->ram[REG_B] & B_BINARY) ? v : from_bcd(v);
	if (reg == REG_HOUR && !(r->ram[REG_B] & B_24H))
		n = n % 12 + (pm ? 12 : 0);
	return n;
}

static int rtc_field(struct tm *tm, int reg)
{
	switch (reg) {
	case REG_SEC:	return tm->tm_sec;
	case REG_MIN:	return tm->tm_min;
	case REG_HOUR:	return tm->tm_hour;
	case REG_WDAY:	return tm->tm_wday + 1;
	case REG_MDAY:	return tm->tm_mday;
	case REG_MONTH:	return tm->tm_mon + 1;
	case REG_YEAR:	return tm->tm_year % 100;
	default:	return (tm->tm_year + 1900) / 100;	/* century */
	}
}

static bool is_time_reg(int reg)
{
	return reg == REG_SEC || reg == REG_MIN || reg == REG_HOUR ||
	       (reg >= REG_WDAY && reg <= REG_YEAR) || reg == REG_CENTURY;
}

/* The guest wrote one field: the clock now reads that. */
static void rtc_set_field(struct rtc *r, int reg, uint8_t v)
{
	time_t t = rtc_time(r);
	int n = rtc_decode(r, reg, v);
	struct tm tm;

	gmtime_r(&t, &tm);
	switch (reg) {
	case REG_SEC:	tm.tm_sec = n; break;
	case REG_MIN:	tm.tm_min = n; break;
	case REG_HOUR:	tm.tm_hour = n; break;
	case REG_WDAY:	return;		/* follows from the date */
	case REG_MDAY:	tm.tm_mday = n; break;
	case REG_MONTH:	tm.tm_mon = n - 1; break;
	case REG_YEAR:
		tm.tm_year = (tm.tm_year + 1900) / 100 * 100 + n - 1900;
		break;
	default:
		tm.tm_year = n * 100 + tm.tm_year % 100 - 1900;
	}
	t = timegm(&tm);
	if (r->ram[REG_B] & B_SET)
		r->frozen = t;
	else
		r->offset = t - host_now().tv_sec;
}

static void rtc_update_irq(struct rtc *r)
{
	uint8_t enabled = r->ram[REG_B] & (B_PIE | B_AIE | B_UIE);

	/* The flags and enables share bit positions 6-4. */
	if (r->ram[REG_C] & enabled)
		r->ram[REG_C] |= C_IRQF;
	irq_set_line(RTC_IRQ, !!(r->ram[REG_C] & C_IRQF));
}

static bool alarm_matches(struct rtc *r, struct tm *tm)
{
	static const int regs[] = { REG_SEC_ALARM, REG_MIN_ALARM,
				    REG_HOUR_ALARM };
	static const int fields[] = { REG_SEC, REG_MIN, REG_HOUR };
	int i;

	for (i = 0; i < 3; i++) {
		uint8_t a = r->ram[regs[i]];

		if ((a & ALARM_ANY) != ALARM_ANY &&
		    a != rtc_encode(r, fields[i], rtc_field(tm, fields[i])))
			return false;
	}
	return true;
}

/* Periodic interrupt: 32768 >> (rate - 1) Hz; rates 1 and 2 are as 8, 9. */
static uint64_t periodic_ns(struct rtc *r)
{
	int rate = r->ram[REG_A] & A_RATE_MASK;

	if (!rate || (r->ram[REG_A] & A_DV_MASK) != A_DV_NORMAL)
		return 0;
	if (rate < 3)
		rate += 7;
	return NSEC_PER_SEC * (1ull << (rate - 1)) / 32768;
}

/* (Re)arm the timers for the interrupts enabled now. */
static void rtc_arm(struct rtc *r)
{
	uint64_t now = io_now(), period = periodic_ns(r);
	struct timespec wall = host_now();

	if ((r->ram[REG_B] & B_PIE) && period)
		io_timer_arm(&r->periodic, now + period, period);
	else
		io_timer_stop(&r->periodic);
	if ((r->ram[REG_B] & (B_UIE | B_AIE)) && !(r->ram[REG_B] & B_SET))
		io_timer_arm(&r->update, now + NSEC_PER_SEC - wall.tv_nsec,
			     NSEC_PER_SEC);
	else
		io_timer_stop(&r->update);
}

static void rtc_periodic_fired(struct io_timer *t, uint64_t n)
{
	struct rtc *r = t->priv;

	r->ram[REG_C] |= C_PF;
	rtc_update_irq(r);
}

static void rtc_update_fired(struct io_timer *t, uint64_t n)
{
	struct rtc *r = t->priv;
	time_t now = rtc_time(r);
	struct tm tm;

	gmtime_r(&now, &tm);
	r->ram[REG_C] |= C_UF;
	if (alarm_matches(r, &tm))
		r->ram[REG_C] |= C_AF;
	rtc_update_irq(r);
}

static uint8_t rtc_read(struct rtc *r, int reg)
{
	struct timespec wall;
	uint8_t v;
	time_t t;
	struct tm tm;

	if (is_time_reg(reg)) {
		t = rtc_time(r);
		gmtime_r(&t, &tm);
		return rtc_encode(r, reg, rtc_field(&tm, reg));
	}
	switch (reg) {
	case REG_A:
		wall = host_now();
		v = r->ram[REG_A] & ~A_UIP;
		if (!(r->ram[REG_B] & B_SET) &&
		    wall.tv_nsec >= (long)(NSEC_PER_SEC - UIP_NS))
			v |= A_UIP;
		return v;
	case REG_C:
		v = r->ram[REG_C];
		r->ram[REG_C] = 0;
		rtc_update_irq(r);
		return v;
	case REG_D:
		return D_VRT;
	default:
		return r->ram[reg];
	}
}

static void rtc_write(struct rtc *r, int reg, uint8_t v)
{
	if (is_time_reg(reg)) {
		rtc_set_field(r, reg, v);
		return;
	}
	switch (reg) {
	case REG_A:
		r->ram[REG_A] = v & ~A_UIP;
		break;
	case REG_B:
		if ((v & B_SET) && !(r->ram[REG_B] & B_SET))
			r->frozen = rtc_time(r);
		else if (!(v & B_SET) && (r->ram[REG_B] & B_SET))
			r->offset = r->frozen - host_now().tv_sec;
		r->ram[REG_B] = v;
		rtc_update_irq(r);
		break;
	case REG_C:
	case REG_D:
		return;		/* read-only */
	default:
		r->ram[reg] = v;
		return;
	}
	rtc_arm(r);
}

static void rtc_io(struct device *dev, uint64_t port, void *data, int len,
		   bool is_write)
{
	struct rtc *r = dev->priv;
	uint8_t *v = data;

	if (port == RTC_PORT) {
		if (is_write)
			r->index = *v & 0x7f;
		else
			*v = 0xff;	/* write-only */
	} else if (is_write) {
		rtc_write(r, r->index, *v);
	} else {
		*v = rtc_read(r, r->index);
	}
}

/* One byte per port: a word access reaches index and data in turn. */
static void rtc_bytes(struct device *dev, uint64_t port, void *data, int len,
		      bool is_write)
{
	uint8_t *bytes = data;
	int i;

	for (i = 0; i < len; i++) {
		if (port + i <= RTC_PORT + 1)
			rtc_io(dev, port + i, bytes + i, 1, is_write);
		else if (!is_write)
			bytes[i] = 0xff;
	}
}

static int rtc_init(struct device *dev, struct machine *m)
{
	struct rtc *r = dev->priv;
	int e;

	r->ram[REG_A] = A_DV_NORMAL | 6;	/* 1024 Hz, as firmware sets */
	r->ram[REG_B] = B_24H;
	e = io_timer_init(&r->periodic, rtc_periodic_fired, r);
	if (!e)
		e = io_timer_init(&r->update, rtc_update_fired, r);
	if (!e)
		e = device_add_pio(dev, RTC_PORT, 2, rtc_bytes);
	return e;
}

static struct device mc146818 = {
	.name = "mc146818",
	.init = rtc_init,
	.priv = &rtc,
};
DEVICE(mc146818);
