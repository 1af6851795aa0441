// SPDX-License-Identifier: GPL-2.0
/*
 * rtc.c - the CMOS clock: a date and time that make sense, and its
 * periodic interrupt on IRQ 8, which reaches the CPU through the slave
 * 8259A and the cascade on the master's IRQ 2.  Sixteen interrupts at
 * 1024 Hz, each acknowledged by reading register C and ended at both
 * PICs, while PIT counter 2 counts.  How long they took is not judged:
 * an emulated CPU under load takes them late (host-devices measures the
 * rate on the build machine).
 *
 * test: rtc64.elf => 1
 */
#include "guest.h"

#define RTC_VECTOR	0x28		/* IRQ 8 with vectors at 0x20 */

static volatile unsigned int ticks, bad_flags;

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

static void on_rtc(unsigned int vector)
{
	/* Reading C acknowledges: IRQF and PF must be set. */
	if ((cmos(0x0c) & 0xc0) != 0xc0)
		bad_flags++;
	ticks++;
	pic_eoi(8);
}

static bool bcd_in(uint8_t v, int lo, int hi)
{
	int n = (v >> 4) * 10 + (v & 0xf);

	return (v & 0xf) <= 9 && n >= lo && n <= hi;
}

static uint16_t counter2(void)
{
	uint8_t lo;

	outb(0x43, 0x80);
	lo = inb(0x42);
	return lo | inb(0x42) << 8;
}

int main(unsigned long magic, unsigned long info, unsigned int cpu)
{
	uint8_t sec, min, hour, day, mon, year, century;
	uint16_t start;
	bool counted;
	bool valid;

	while (cmos(0x0a) & 0x80)	/* update in progress */
		;
	sec = cmos(0x00);
	min = cmos(0x02);
	hour = cmos(0x04);
	day = cmos(0x07);
	mon = cmos(0x08);
	year = cmos(0x09);
	century = cmos(0x32);
	valid = bcd_in(sec, 0, 59) && bcd_in(min, 0, 59) &&
		bcd_in(hour, 0, 23) && bcd_in(day, 1, 31) &&
		bcd_in(mon, 1, 12) && bcd_in(year, 0, 99) &&
		bcd_in(century, 20, 21);
	printf("rtc: the date and time %s\n",
	       valid ? "are valid BCD in 24-hour mode" : "are not valid");

	intr_init();
	intr_handler(RTC_VECTOR, on_rtc);
	pic_init(0x20, 0xfefb);		/* the cascade and IRQ 8 */
	cmos(0x0c);			/* nothing stale */
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0);		/* counter 2: 55 ms to count */
	outb(0x42, 0xff);
	outb(0x42, 0xff);
	start = counter2();
	cmos_write(0x0a, 0x26);		/* 32.768 kHz base, 1024 Hz */
	cmos_write(0x0b, cmos(0x0b) | 0x40);
	while (ticks < 16)
		sti_hlt();
	cli();
	cmos_write(0x0b, cmos(0x0b) & ~0x40);
	/* Counter 2's output goes high when it ran out. */
	counted = (inb(0x61) & 0x20) || counter2() != start;
	/* One more may come between the last HLT and CLI: at least 16. */
	printf("rtc: 16 periodic interrupts through the slave PIC, flags %s\n",
	       bad_flags ? "wrong" : "right");
	printf("rtc: PIT counter 2 %s while they came\n",
	       counted ? "counted" : "did not count");
	return !valid || bad_flags || !counted;
}
