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
#include <linux/version.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/segment.h>
#include "../kvmini_entry.inc"
#include <asm/ibt.h>
#include <asm/unwind_hints.h>


.section .text, "ax"

/*
 * int kvmini_vmx_enter(unsigned long *gprs, bool launched,
 *			unsigned long host_rsp_field, u64 host_spec_ctrl)
 *
 * Returns 0 after a VM exit, 1 if VMLAUNCH/VMRESUME itself failed (the
 * VM-instruction error field says why).  Interrupts must be disabled.
 *
 * The speculation defences are the kernel's own macros, patched in only
 * where the host selected the mitigation: VERW right before the entry,
 * and after the exit, before any RET, IBRS written again (legacy IBRS
 * does not survive a VM exit), the return stack buffer refilled and the
 * branch history cleared.
 */
SYM_FUNC_START(kvmini_vmx_enter)
	PUSH_CALLEE_SAVED
	/* The exit path finds gprs at 0(%rsp), host_spec_ctrl at 8(%rsp). */
	push	%rcx
	push	%rdi

	/* The exit resumes with exactly this stack. */
	vmwrite	%rsp, %rdx
	UNWIND_HINT_SAVE

	/* CF survives the movs and VERW below: launch or resume. */
	bt	$0, %esi

	mov	GPR_OFF_RAX(%rdi), %rax
	mov	GPR_OFF_RCX(%rdi), %rcx
	mov	GPR_OFF_RDX(%rdi), %rdx
	mov	GPR_OFF_RBX(%rdi), %rbx
	mov	GPR_OFF_RBP(%rdi), %rbp
	mov	GPR_OFF_RSI(%rdi), %rsi
	mov	GPR_OFF_R8(%rdi), %r8
	mov	GPR_OFF_R9(%rdi), %r9
	mov	GPR_OFF_R10(%rdi), %r10
	mov	GPR_OFF_R11(%rdi), %r11
	mov	GPR_OFF_R12(%rdi), %r12
	mov	GPR_OFF_R13(%rdi), %r13
	mov	GPR_OFF_R14(%rdi), %r14
	mov	GPR_OFF_R15(%rdi), %r15
	mov	GPR_OFF_RDI(%rdi), %rdi

	/* MDS and friends: as late as possible; VERW clobbers ZF only. */
	CLEAR_CPU_BUFFERS

	jc	.Lresume
	vmlaunch
	jmp	.Lentry_failed
.Lresume:
	vmresume

.Lentry_failed:
	/* The guest never ran: drop what we pushed, report the failure. */
	add	$16, %rsp
	mov	$1, %eax
	jmp	.Lout

SYM_INNER_LABEL(kvmini_vmx_exit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	/* HOST_RIP takes this address, which IBT treats as a branch target. */
	ENDBR
	/* Every register but RSP holds the guest's value here. */
	push	%rax
	mov	8(%rsp), %rax
	mov	%rcx, GPR_OFF_RCX(%rax)
	mov	%rdx, GPR_OFF_RDX(%rax)
	mov	%rbx, GPR_OFF_RBX(%rax)
	mov	%rbp, GPR_OFF_RBP(%rax)
	mov	%rsi, GPR_OFF_RSI(%rax)
	mov	%rdi, GPR_OFF_RDI(%rax)
	mov	%r8, GPR_OFF_R8(%rax)
	mov	%r9, GPR_OFF_R9(%rax)
	mov	%r10, GPR_OFF_R10(%rax)
	mov	%r11, GPR_OFF_R11(%rax)
	mov	%r12, GPR_OFF_R12(%rax)
	mov	%r13, GPR_OFF_R13(%rax)
	mov	%r14, GPR_OFF_R14(%rax)
	mov	%r15, GPR_OFF_R15(%rax)
	pop	%rcx
	mov	%rcx, GPR_OFF_RAX(%rax)

	ALTERNATIVE "jmp .Lspec_ctrl_done", "", X86_FEATURE_KERNEL_IBRS
	mov	$MSR_IA32_SPEC_CTRL, %ecx
	mov	8(%rsp), %eax
	mov	12(%rsp), %edx
	wrmsr
.Lspec_ctrl_done:
	add	$16, %rsp

	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE
	CLEAR_BRANCH_HISTORY_VMEXIT
	xor	%eax, %eax

.Lout:
	SCRUB_AND_RETURN
SYM_FUNC_END(kvmini_vmx_enter)

/* The kernel's NMI entry for VMX, on the current stack: named per kernel. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define KVMINI_NMI_ENTRY	asm_exc_nmi_kvm_vmx
#else
#define KVMINI_NMI_ENTRY	asm_exc_nmi_noist
#endif

/*
 * void kvmini_vmx_do_nmi_irqoff(void)
 *
 * An NMI that caused a VM exit was consumed by it: run the host's NMI
 * handler here, on this CPU, as if the NMI had interrupted this spot.
 * The frame is the one the CPU would push; the handler's IRET returns
 * right behind the call (and unblocks NMIs).
 */
SYM_FUNC_START(kvmini_vmx_do_nmi_irqoff)
	push	%rbp
	mov	%rsp, %rbp
	and	$-16, %rsp
	push	$__KERNEL_DS
	push	%rbp
	pushf
	push	$__KERNEL_CS
	call	KVMINI_NMI_ENTRY
	/* IRET already restored RSP; say so for objtool's stack checks. */
	leave
	RET
SYM_FUNC_END(kvmini_vmx_do_nmi_irqoff)
