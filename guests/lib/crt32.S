/* SPDX-License-Identifier: GPL-2.0 */
/*
 * crt32.S - entry for 32-bit guests: flat protected mode, paging off.
 * Each vCPU takes its own 4 KiB of the stack area (ESI = its number),
 * then main(EAX, EBX, cpu); main's value goes to exit().  The area has
 * room for GUEST_STACKS vCPUs (8 unless the build says otherwise).
 */
#ifndef GUEST_STACKS
#define GUEST_STACKS	8
#endif
	.code32
	.text
	.globl	_start
_start:
	mov	%esi, %ecx
	shl	$12, %ecx
	mov	$stack_top, %esp
	sub	%ecx, %esp
	push	%esi
	push	%ebx
	push	%eax
	call	main
	push	%eax
	call	exit

	.bss
	.align	16
	.space	GUEST_STACKS * 4096
stack_top:
