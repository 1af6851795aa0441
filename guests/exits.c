// SPDX-License-Identifier: GPL-2.0
/*
 * exits.c - one of each exit a 64-bit guest can cause, with what it
 * should see: CPUID (hypervisor bit), RDMSR (EFER.LMA), IN from a port
 * nobody claims (all ones), REP OUTSB to the debug console, an MMIO read
 * outside memory and devices (all ones), then HLT ends the vCPU.
 *
 * test: exits64.elf => 0
 */
#include "guest.h"

int main(unsigned long magic, unsigned long info, unsigned int cpu)
{
	static const char msg[] = "exits: rep outsb\n";
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	printf("exits: cpuid hypervisor bit %u\n", c >> 31);
	printf("exits: rdmsr EFER.LMA %u\n",
	       (unsigned int)(rdmsr(0xc0000080) >> 10) & 1);
	printf("exits: in from port 0x99: %x\n", inb(0x99));
	asm volatile("rep outsb" : : "S"(msg), "c"(sizeof(msg) - 1),
		     "d"(DEBUGCON_PORT) : "memory");
	printf("exits: mmio outside memory: %x\n",
	       mmio_read32(0xc0000000));
	printf("exits: hlt\n");
	asm volatile("cli; hlt");
	return 1;	/* not reached: hlt ends the vCPU */
}
