// SPDX-License-Identifier: GPL-2.0
/*
 * pci.c - configuration mechanism #1 on an empty bus: the address
 * register keeps what was written, every function reads as absent.
 *
 * test: pci32.elf => 1
 */
#include "guest.h"

int main(unsigned long magic, unsigned long info, unsigned int cpu)
{
	uint32_t vendor;

	outl(0xcf8, 0x80000000);		/* bus 0, device 0, reg 0 */
	if (inl(0xcf8) != 0x80000000)
		return 2;
	vendor = inl(0xcfc);
	printf("pci: 00:00.0 reads %x\n", vendor);
	printf("pci: byte %x, word %x\n", inb(0xcfe), inw(0xcfc));
	return vendor == 0xffffffff ? 0 : 3;
}
