/* SPDX-License-Identifier: GPL-2.0 */
/*
 * intr64.S - interrupt entry for 64-bit guests: one stub per vector
 * 0-47.  A stub makes every frame look alike (an error code, zero if the
 * CPU pushed none, then the vector), saves the registers C may clobber
 * and calls interrupt_entry(vector) in intr.c.  The stack stays 16-byte
 * aligned for the call: the CPU aligns it before its five-word frame.
 */
	.code64
	.text

/* Vectors whose exceptions push an error code. */
#define HAS_ERROR(n) ((n) == 8 || ((n) >= 10 && (n) <= 14) || (n) == 17 || \
		      (n) == 21 || (n) == 29 || (n) == 30)

	.macro stub n
	.align	16
	.if !HAS_ERROR(\n)
	push	$0
	.endif
	push	$\n
	jmp	common
	.endm

	.globl	intr_stubs
	.align	16
intr_stubs:
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23
	stub	\n
	.endr
	.irp	n, 24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	stub	\n
	.endr

common:
	push	%rax
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	mov	72(%rsp), %rdi		/* the vector */
	call	interrupt_entry
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rax
	add	$16, %rsp		/* vector and error code */
	iretq
