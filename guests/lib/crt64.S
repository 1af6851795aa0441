/* SPDX-License-Identifier: GPL-2.0 */
/*
 * crt64.S - entry for 64-bit guests: long mode, the first 4 GiB
 * identity-mapped.  Each vCPU takes its own 4 KiB of the stack area
 * (RSI = its number), then main(EAX, EBX, cpu); main's value goes to
 * exit().
 */
	.code64
	.text
	.globl	_start
_start:
	mov	%esi, %edx
	mov	%edx, %ecx
	shl	$12, %rcx
	lea	stack_top(%rip), %rsp
	sub	%rcx, %rsp
	mov	%eax, %edi
	mov	%ebx, %esi
	call	main
	mov	%eax, %edi
	call	exit

	.bss
	.align	16
	.space	8 * 4096
stack_top:
