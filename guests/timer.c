// SPDX-License-Identifier: GPL-2.0
/*
 * timer.c - the PIT's IRQ 0 through the 8259A, waited for with HLT.
 *
 * Program the PIC (vectors 0x20-0x2f, only IRQ 0 open) and counter 0 as
 * a 200 Hz rate generator, enable interrupts and halt until nine ticks
 * have come; counter 2, a one-shot counting the same 1.193182 MHz clock
 * on its own, must have counted meanwhile.  How long the eight periods
 * took is not judged: an emulated CPU under load takes the ticks late
 * (host-devices measures the counters' rates on the build machine).
 * Then counter 0 in mode 0 must interrupt exactly once.
 *
 * test: timer64.elf => 1
 */
#include "guest.h"

#define TIMER_VECTOR	0x20
#define RATE_COUNT	5966		/* 200 Hz */

static volatile unsigned int ticks;

static void on_timer(unsigned int vector)
{
	ticks++;
	pic_eoi(0);
}

/* Counter 2 from 0xffff in mode 0, its gate open: 55 ms to count. */
static void counter2_start(void)
{
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0);
	outb(0x42, 0xff);
	outb(0x42, 0xff);
}

static uint16_t counter2(void)
{
	uint8_t lo;

	outb(0x43, 0x80);		/* latch counter 2 */
	lo = inb(0x42);
	return lo | inb(0x42) << 8;
}

static bool counter2_expired(void)
{
	return inb(0x61) & 0x20;
}

static void wait_ticks(unsigned int n)
{
	while (ticks < n)
		sti_hlt();
	cli();
}

int main(unsigned long magic, unsigned long info, unsigned int cpu)
{
	uint16_t start;
	bool counted;

	intr_init();
	intr_handler(TIMER_VECTOR, on_timer);
	pic_init(TIMER_VECTOR, 0xfffe);

	outb(0x43, 0x34);		/* counter 0, LSB then MSB, mode 2 */
	outb(0x40, RATE_COUNT & 0xff);
	outb(0x40, RATE_COUNT >> 8);
	wait_ticks(1);
	counter2_start();
	start = counter2();
	wait_ticks(9);
	counted = counter2_expired() || counter2() != start;
	/* One more may come between the last HLT and CLI: at least 9. */
	printf("timer: 9 ticks of a 200 Hz rate generator, each waited "
	       "for with hlt\n");
	printf("timer: counter 2 %s while they came\n",
	       counted ? "counted" : "did not count");

	/*
	 * Mode 0: one interrupt 2 ms from now, and no more.  The control
	 * word stops the rate generator; ticks that came while interrupts
	 * were off wait in IRR, and initialising the PIC again drops them.
	 */
	outb(0x43, 0x30);
	pic_init(TIMER_VECTOR, 0xfffe);
	ticks = 0;
	outb(0x40, 2386 & 0xff);
	outb(0x40, 2386 >> 8);
	wait_ticks(1);
	counter2_start();
	sti();
	while (!counter2_expired())	/* 55 ms with interrupts on */
		;
	cli();
	printf("timer: a one-shot interrupted %u time%s\n", ticks,
	       ticks == 1 ? "" : "s");
	return !(counted && ticks == 1);
}
