// SPDX-License-Identifier: GPL-2.0
/*
 * smp.c - vCPU 0 starts the other three itself, as an operating system
 * does: INIT and STARTUP through its local APIC, a trampoline at 0x8000
 * taking each AP from real mode to long mode (lib/ap64.S).  Then fixed
 * IPIs, each waited for: to every AP by physical APIC ID, to all of them
 * at once by a logical (flat) destination, by the all-but-self
 * shorthand, and lowest priority to the logical group.  And what must
 * not work: an IPI to an APIC ID no vCPU has (send accept error), an
 * illegal vector (send illegal vector), a STARTUP to a running AP (it
 * goes on, not restarted), a self-IPI below the TPR (held until the TPR
 * drops).  Last, the APIC timer: periodic ticks, then a one-shot that
 * interrupts exactly once.
 *
 * test: smp64.elf --cpus 4 => 1
 */
#include "guest.h"

#define NR_CPUS		4
#define TRAMPOLINE	0x8000
#define IPI_VECTOR	0x28
#define TIMER_VECTOR	0x29
#define SPURIOUS_VECTOR	0x2f
#define SPINS		20000000ul
/* The bound on waiting for what must happen: generous, never reached. */
#define MUST_SPINS	(SPINS * 5)

static volatile unsigned int arrived, started[NR_CPUS];
static volatile unsigned int ipis[NR_CPUS], ticks;

static unsigned int apic_id(void)
{
	return apic_read(APIC_ID) >> 24;
}

static void on_ipi(unsigned int vector)
{
	__atomic_fetch_add(&ipis[apic_id()], 1, __ATOMIC_SEQ_CST);
	apic_eoi();
}

static void on_timer(unsigned int vector)
{
	ticks++;
	apic_eoi();
}

/* Interrupts on; flat logical ID: one bit per vCPU. */
static void apic_setup(unsigned int id)
{
	apic_write(APIC_DFR, 0xffffffff);
	apic_write(APIC_LDR, (1u << id) << 24);
	apic_enable(SPURIOUS_VECTOR);
}

void ap_main(unsigned int id)
{
	intr_init();
	apic_setup(id);
	started[id]++;
	__atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
	for (;;)
		sti_hlt();
}

/* Wait until *v reaches want; false if it does not in time. */
static bool wait_for(volatile unsigned int *v, unsigned int want)
{
	unsigned long spins;

	for (spins = 0; *v < want && spins < MUST_SPINS; spins++)
		asm volatile("" : : : "memory");
	return *v >= want;
}

static unsigned int total_ipis(void)
{
	unsigned int i, n = 0;

	for (i = 1; i < NR_CPUS; i++)
		n += ipis[i];
	return n;
}

int main(unsigned long magic, unsigned long info, unsigned int cpu)
{
	unsigned int i, ok = 1, before;

	intr_init();
	intr_handler(IPI_VECTOR, on_ipi);
	intr_handler(TIMER_VECTOR, on_timer);
	apic_setup(0);
	printf("smp: APIC ID %u, version 0x%x\n", apic_id(),
	       apic_read(APIC_VERSION) & 0xff);
	/*
	 * Wait with interrupts on: nothing but the IPI and timer vectors
	 * comes here, and under Bochs a nested VMX guest spinning with IF
	 * clear stops the whole emulator, the APs' CPUs with it (README,
	 * "Notes from the emulators").
	 */
	sti();

	/*
	 * One at a time: the trampoline page is an AP's until it arrived,
	 * and the next copy would clear its fields under it.
	 */
	arrived = 1;
	for (i = 1; i < NR_CPUS; i++) {
		smp_start_ap(i, TRAMPOLINE);
		ok &= wait_for(&arrived, i + 1);
	}
	printf("smp: %u vCPUs arrived\n", arrived);

	for (i = 1; i < NR_CPUS; i++) {
		apic_ipi(i, APIC_DM_FIXED | IPI_VECTOR);
		ok &= wait_for(&ipis[i], 1);
	}
	printf("smp: a fixed IPI to each AP by APIC ID: %u handled\n",
	       total_ipis());
	apic_ipi(0xe, APIC_LOGICAL | APIC_DM_FIXED | IPI_VECTOR);
	ok &= wait_for(&ipis[3], 2) && wait_for(&ipis[2], 2) &&
	      wait_for(&ipis[1], 2);
	printf("smp: logical destination 0xe: %u handled\n", total_ipis());
	apic_ipi(0, APIC_DEST_ALL_BUT_SELF | APIC_DM_FIXED | IPI_VECTOR);
	ok &= wait_for(&ipis[3], 3) && wait_for(&ipis[2], 3) &&
	      wait_for(&ipis[1], 3);
	printf("smp: all but self: %u handled, vCPU 0 took %u\n",
	       total_ipis(), ipis[0]);
	before = total_ipis();
	apic_ipi(0xe, APIC_LOGICAL | APIC_DM_LOWEST | IPI_VECTOR);
	for (i = 0; i < MUST_SPINS && total_ipis() == before; i++)
		asm volatile("" : : : "memory");
	printf("smp: lowest priority to 0xe: %u AP took it\n",
	       total_ipis() - before);

	/* What must not work. */
	apic_esr();
	apic_ipi(7, APIC_DM_FIXED | IPI_VECTOR);
	printf("smp: an IPI to APIC ID 7: ESR 0x%x\n", apic_esr());
	apic_ipi(1, APIC_DM_FIXED | 5);
	printf("smp: vector 5: ESR 0x%x\n", apic_esr());
	apic_ipi(1, APIC_DM_STARTUP | (TRAMPOLINE >> 12));
	for (i = 0; i < SPINS; i++)
		asm volatile("" : : : "memory");
	printf("smp: a STARTUP to a running AP: started %u time(s), "
	       "%u arrived\n", started[1], arrived);

	/* A self-IPI of class 2 waits while the TPR says class 3. */
	cli();
	apic_write(APIC_TPR, 0x30);
	apic_ipi(0, APIC_DEST_SELF | APIC_DM_FIXED | IPI_VECTOR);
	sti();
	for (i = 0; i < 1000; i++)
		asm volatile("" : : : "memory");
	printf("smp: TPR 0x30: PPR 0x%x, self-IPI handled %u\n",
	       apic_read(APIC_PPR), ipis[0]);
	apic_write(APIC_TPR, 0);
	asm volatile("nop");
	printf("smp: TPR 0: self-IPI handled %u\n", ipis[0]);

	/* The timer: divide by 1, 1 ms at the APIC's 1 GHz. */
	apic_write(APIC_TIMER_DIVIDE, 0xb);
	apic_write(APIC_LVT_TIMER, APIC_TIMER_PERIODIC | TIMER_VECTOR);
	apic_write(APIC_TIMER_INITIAL, 1000000);
	while (ticks < 5)
		sti_hlt();
	/*
	 * A tick may come between the fifth and the write that stops the
	 * timer (the exit takes real time): stop it with IF clear, let a
	 * tick already raised in, and count "at least 5".
	 */
	cli();
	apic_write(APIC_TIMER_INITIAL, 0);
	sti();
	asm volatile("nop");
	cli();
	printf("smp: APIC timer: %s periodic ticks\n",
	       ticks >= 5 ? "at least 5" : "fewer than 5");
	ticks = 0;
	apic_write(APIC_LVT_TIMER, TIMER_VECTOR);
	apic_write(APIC_TIMER_INITIAL, 2000000);
	sti_hlt();
	for (i = 0; i < SPINS / 4; i++)
		asm volatile("" : : : "memory");
	printf("smp: APIC timer: a one-shot interrupted %u time(s), "
	       "current count %u\n", ticks, apic_read(APIC_TIMER_CURRENT));
	return ok ? 0 : 1;
}
