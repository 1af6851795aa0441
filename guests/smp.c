// SPDX-License-Identifier: GPL-2.0
/*
 * smp.c - four vCPUs, each in its own host thread, meet at a counter;
 * vCPU 0 waits for all of them and reports.  No IPIs needed.
 *
 * test: smp64.elf --cpus 4 => 1
 */
#include "guest.h"

#define NR_CPUS	4

static volatile unsigned int arrived;

int main(unsigned long magic, unsigned long info, unsigned int cpu)
{
	unsigned long spins;

	__atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
	if (cpu != 0) {
		for (;;)
			asm volatile("hlt");
	}
	for (spins = 0; arrived < NR_CPUS && spins < 100000000; spins++)
		asm volatile("pause");
	printf("smp: %u vCPUs arrived\n", arrived);
	return arrived == NR_CPUS ? 0 : 1;
}
