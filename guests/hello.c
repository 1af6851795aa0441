// SPDX-License-Identifier: GPL-2.0
/*
 * hello.c - the smallest C guest: printf to the debug console, then
 * exit(0) through isa-debug-exit.  Built three ways.
 *
 * test: hello32.elf => 1
 * test: hello64.elf => 1
 * test: hello_mb.elf => 1
 * test: hello64.bin --mode long --addr 0x100000 => 1
 */
#include "guest.h"

int main(unsigned long magic, unsigned long info, unsigned int cpu)
{
#ifdef __x86_64__
	printf("Hello from C, %d-bit\n", 64);
#else
	printf("Hello from C, %d-bit\n", 32);
#endif
	return 0;
}
