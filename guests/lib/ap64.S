/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ap64.S - where an application processor starts: a STARTUP IPI puts it
 * in real mode at CS = vector << 8, IP 0, so this trampoline is copied to
 * a page below 1 MiB (apic.c's smp_start_aps()) with the boot CPU's GDT,
 * CR3 and the 64-bit entry filled in.  It takes the AP straight to long
 * mode (PAE, LME, paging and protection on, a far jump to the 64-bit
 * code selector), onto a stack of its own, and calls ap_main(APIC ID).
 * It uses only CS-relative data: it runs wherever it was copied.
 */
#define AP_STACK_SIZE	4096
#define AP_STACKS	8

	.text
	.code16
	.globl	ap_trampoline, ap_trampoline_end
	.globl	ap_tramp_gdtr, ap_tramp_cr3, ap_tramp_jump
ap_trampoline:
	cli
	mov	%cs, %ax
	mov	%ax, %ds
	lgdtl	ap_tramp_gdtr - ap_trampoline
	mov	%cr4, %eax
	or	$0x20, %eax			/* PAE */
	mov	%eax, %cr4
	movl	ap_tramp_cr3 - ap_trampoline, %eax
	mov	%eax, %cr3
	mov	$0xc0000080, %ecx		/* EFER */
	rdmsr
	or	$0x100, %eax			/* LME */
	wrmsr
	mov	%cr0, %eax
	or	$0x80000001, %eax		/* PG, PE */
	mov	%eax, %cr0
	ljmpl	*(ap_tramp_jump - ap_trampoline)
	.align	8
ap_tramp_gdtr:
	.word	0
	.long	0
	.align	4
ap_tramp_cr3:
	.long	0
ap_tramp_jump:
	.long	0				/* offset: ap_entry64 */
	.word	0				/* the 64-bit code selector */
ap_trampoline_end:

	.code64
	.globl	ap_entry64
ap_entry64:
	xor	%eax, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	$0xfee00020, %eax		/* the APIC ID */
	mov	(%rax), %edi
	shr	$24, %edi
	mov	%rdi, %rax
	inc	%rax
	shl	$12, %rax
	lea	ap_stacks(%rip), %rsp
	add	%rax, %rsp
	call	ap_main
1:	cli
	hlt
	jmp	1b

	.bss
	.align	16
ap_stacks:
	.space	AP_STACKS * AP_STACK_SIZE
