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
 * The kernel's speculation macros surround VMRUN where the host selected
 * those mitigations: VERW before it, and after #VMEXIT, before any RET,
 * the return stack buffer refilled and return predictions untrained.
 *
 * The caller has cleared GIF: between the guest's VMLOAD and the host's
 * VMLOAD the CPU holds guest FS/GS/TR, and no NMI or interrupt may see
 * that.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>
#include "../kvmini_entry.inc"


.section .text, "ax"

/*
 * void kvmini_svm_enter(unsigned long vmcb_pa, unsigned long *gprs,
 *			 unsigned long host_save_pa)
 */
SYM_FUNC_START(kvmini_svm_enter)
	PUSH_CALLEE_SAVED
	/* Stack from here: vmcb_pa, gprs, host_save_pa. */
	push	%rdx
	push	%rsi
	push	%rdi

	mov	%rdx, %rax
	vmsave	%rax
	mov	(%rsp), %rax
	vmload	%rax

	mov	GPR_OFF_RCX(%rsi), %rcx
	mov	GPR_OFF_RDX(%rsi), %rdx
	mov	GPR_OFF_RBX(%rsi), %rbx
	mov	GPR_OFF_RBP(%rsi), %rbp
	mov	GPR_OFF_RDI(%rsi), %rdi
	mov	GPR_OFF_R8(%rsi), %r8
	mov	GPR_OFF_R9(%rsi), %r9
	mov	GPR_OFF_R10(%rsi), %r10
	mov	GPR_OFF_R11(%rsi), %r11
	mov	GPR_OFF_R12(%rsi), %r12
	mov	GPR_OFF_R13(%rsi), %r13
	mov	GPR_OFF_R14(%rsi), %r14
	mov	GPR_OFF_R15(%rsi), %r15
	mov	GPR_OFF_RSI(%rsi), %rsi

	/* MDS-class buffers, where the host clears them for guests. */
	VM_CLEAR_CPU_BUFFERS
	/* RAX is the VMCB's address again after #VMEXIT. */
	vmrun	%rax
	vmsave	%rax

	push	%rsi
	mov	16(%rsp), %rsi
	mov	%rcx, GPR_OFF_RCX(%rsi)
	mov	%rdx, GPR_OFF_RDX(%rsi)
	mov	%rbx, GPR_OFF_RBX(%rsi)
	mov	%rbp, GPR_OFF_RBP(%rsi)
	mov	%rdi, GPR_OFF_RDI(%rsi)
	mov	%r8, GPR_OFF_R8(%rsi)
	mov	%r9, GPR_OFF_R9(%rsi)
	mov	%r10, GPR_OFF_R10(%rsi)
	mov	%r11, GPR_OFF_R11(%rsi)
	mov	%r12, GPR_OFF_R12(%rsi)
	mov	%r13, GPR_OFF_R13(%rsi)
	mov	%r14, GPR_OFF_R14(%rsi)
	mov	%r15, GPR_OFF_R15(%rsi)
	pop	%rax
	mov	%rax, GPR_OFF_RSI(%rsi)

	mov	16(%rsp), %rax
	vmload	%rax
	add	$24, %rsp

	/* Before any RET: the guest's return predictions are not ours. */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT
#ifdef UNTRAIN_RET_VM
	UNTRAIN_RET_VM
#else
	UNTRAIN_RET
#endif

	xor	%eax, %eax
	SCRUB_AND_RETURN
SYM_FUNC_END(kvmini_svm_enter)
