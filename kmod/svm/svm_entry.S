/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svm_entry.S - enter an SVM guest with VMRUN and come back from #VMEXIT.
 *
 * VMRUN switches RAX, RSP, RIP, RFLAGS, CR0/3/4, EFER and the
 * ES/CS/SS/DS and descriptor-table state; VMSAVE/VMLOAD switch the rest
 * of the segment state (FS, GS, TR, LDTR) and the syscall MSRs.  The
 * other general-purpose registers are ours to swap, from and to
 * vcpu->gprs (order: enum kvmini_gpr).
 *
 * The caller has cleared GIF: between the guest's VMLOAD and the host's
 * VMLOAD the CPU holds guest FS/GS/TR, and no NMI or interrupt may see
 * that.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

#define RCX	(1 * 8)
#define RDX	(2 * 8)
#define RBX	(3 * 8)
#define RBP	(5 * 8)
#define RSI	(6 * 8)
#define RDI	(7 * 8)
#define R8	(8 * 8)
#define R9	(9 * 8)
#define R10	(10 * 8)
#define R11	(11 * 8)
#define R12	(12 * 8)
#define R13	(13 * 8)
#define R14	(14 * 8)
#define R15	(15 * 8)

.section .text, "ax"

/*
 * void kvmini_svm_enter(unsigned long vmcb_pa, unsigned long *gprs,
 *			 unsigned long host_save_pa)
 */
SYM_FUNC_START(kvmini_svm_enter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* Stack from here: vmcb_pa, gprs, host_save_pa. */
	push	%rdx
	push	%rsi
	push	%rdi

	mov	%rdx, %rax
	vmsave	%rax
	mov	(%rsp), %rax
	vmload	%rax

	mov	RCX(%rsi), %rcx
	mov	RDX(%rsi), %rdx
	mov	RBX(%rsi), %rbx
	mov	RBP(%rsi), %rbp
	mov	RDI(%rsi), %rdi
	mov	R8(%rsi), %r8
	mov	R9(%rsi), %r9
	mov	R10(%rsi), %r10
	mov	R11(%rsi), %r11
	mov	R12(%rsi), %r12
	mov	R13(%rsi), %r13
	mov	R14(%rsi), %r14
	mov	R15(%rsi), %r15
	mov	RSI(%rsi), %rsi

	/* RAX is the VMCB's address again after #VMEXIT. */
	vmrun	%rax
	vmsave	%rax

	push	%rsi
	mov	16(%rsp), %rsi
	mov	%rcx, RCX(%rsi)
	mov	%rdx, RDX(%rsi)
	mov	%rbx, RBX(%rsi)
	mov	%rbp, RBP(%rsi)
	mov	%rdi, RDI(%rsi)
	mov	%r8, R8(%rsi)
	mov	%r9, R9(%rsi)
	mov	%r10, R10(%rsi)
	mov	%r11, R11(%rsi)
	mov	%r12, R12(%rsi)
	mov	%r13, R13(%rsi)
	mov	%r14, R14(%rsi)
	mov	%r15, R15(%rsi)
	pop	%rax
	mov	%rax, RSI(%rsi)

	mov	16(%rsp), %rax
	vmload	%rax
	add	$24, %rsp

	/* Leave no guest value in a register the compiler may spill. */
	xor	%eax, %eax
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(kvmini_svm_enter)
