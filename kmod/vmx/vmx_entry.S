/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmx_entry.S - enter a VMX guest and come back from its VM exit.
 *
 * The VMCS switches RIP, RSP, RFLAGS and the segment state; the other
 * general-purpose registers are ours to swap, from and to the array
 * vcpu->gprs (order: enum kvmini_gpr).  A VM exit lands at kvmini_vmx_exit
 * with the stack pointer we wrote to HOST_RSP just before entering.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include <asm/ibt.h>
#include <asm/unwind_hints.h>

/* Byte offsets into vcpu->gprs, in enum kvmini_gpr order. */
#define RAX	(0 * 8)
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
 * int kvmini_vmx_enter(unsigned long *gprs, bool launched,
 *			unsigned long host_rsp_field)
 *
 * Returns 0 after a VM exit, 1 if VMLAUNCH/VMRESUME itself failed (the
 * VM-instruction error field says why).  Interrupts must be disabled.
 */
SYM_FUNC_START(kvmini_vmx_enter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* Keep gprs on the stack: the exit path finds it at 0(%rsp). */
	push	%rdi

	/* The exit resumes with exactly this stack. */
	vmwrite	%rsp, %rdx
	UNWIND_HINT_SAVE

	/* Flags survive the movs below: they choose launch or resume. */
	test	%sil, %sil

	mov	RAX(%rdi), %rax
	mov	RCX(%rdi), %rcx
	mov	RDX(%rdi), %rdx
	mov	RBX(%rdi), %rbx
	mov	RBP(%rdi), %rbp
	mov	RSI(%rdi), %rsi
	mov	R8(%rdi), %r8
	mov	R9(%rdi), %r9
	mov	R10(%rdi), %r10
	mov	R11(%rdi), %r11
	mov	R12(%rdi), %r12
	mov	R13(%rdi), %r13
	mov	R14(%rdi), %r14
	mov	R15(%rdi), %r15
	mov	RDI(%rdi), %rdi

	jnz	.Lresume
	vmlaunch
	jmp	.Lentry_failed
.Lresume:
	vmresume

.Lentry_failed:
	/* The guest never ran: drop gprs and report the failure. */
	add	$8, %rsp
	mov	$1, %eax
	jmp	.Lout

SYM_INNER_LABEL(kvmini_vmx_exit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	/* HOST_RIP takes this address, which IBT treats as a branch target. */
	ENDBR
	/* Every register but RSP holds the guest's value here. */
	push	%rax
	mov	8(%rsp), %rax
	mov	%rcx, RCX(%rax)
	mov	%rdx, RDX(%rax)
	mov	%rbx, RBX(%rax)
	mov	%rbp, RBP(%rax)
	mov	%rsi, RSI(%rax)
	mov	%rdi, RDI(%rax)
	mov	%r8, R8(%rax)
	mov	%r9, R9(%rax)
	mov	%r10, R10(%rax)
	mov	%r11, R11(%rax)
	mov	%r12, R12(%rax)
	mov	%r13, R13(%rax)
	mov	%r14, R14(%rax)
	mov	%r15, R15(%rax)
	pop	%rcx
	mov	%rcx, RAX(%rax)
	add	$8, %rsp
	xor	%eax, %eax

.Lout:
	/* Leave no guest value in a register the compiler may spill. */
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
SYM_FUNC_END(kvmini_vmx_enter)
