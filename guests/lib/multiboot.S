/* SPDX-License-Identifier: GPL-2.0 */
/*
 * multiboot.S - the Multiboot v1 header that makes a 32-bit guest a
 * Multiboot image: flags 0x3 ask for page-aligned modules and memory
 * information.  guest.ld puts it first.
 */
	.section .multiboot, "a"
	.align	4
	.long	0x1badb002
	.long	0x3
	.long	-(0x1badb002 + 0x3)
