/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench_guest.S - the guest side of the benchmark: one timed loop per
 * exit, each with the loop it is compared against.
 *
 * The same bytes run on kvmini and on KVM.  bench.c copies everything
 * between bench_guest_start and bench_guest_end into guest memory at a
 * 4 KiB-aligned address (the alignment here is kept) and starts a vCPU
 * in 64-bit mode at one of the bench_* labels with:
 *
 *   r13  iterations          r10  port (PIO rows)
 *   r11  address (MMIO, first touch)   r14  0 (counts interrupts)
 *   rdi  where first touch stores its per-block times
 *   RFLAGS.IF set: Bochs freezes on a nested guest that spins with IF=0
 *   (see test-machines.md), and the interrupt rows need it anyway.
 *
 * A loop reads the TSC, runs its body r13 times, reads the TSC again and
 * leaves the difference in r12, then writes to BENCH_DONE_PORT: that
 * exit, always forwarded, tells the host the loop is over.  The TSC
 * reads are serialized with LFENCE.  Each timed loop has a baseline
 * (bench_empty, or a *_base loop with the same body minus the exiting
 * instruction): the host subtracts it, so what is left is the exit.
 */
#include "bench.h"

.macro TSC dst
	lfence
	rdtsc
	shl	$32, %rdx
	or	%rax, %rdx
	mov	%rdx, \dst
	lfence
.endm

/* Start a timed loop: the body follows, up to ENDLOOP. */
.macro LOOP name
	.p2align 6
	.globl	bench_\name
bench_\name:
	TSC	%r8
	mov	%r10d, %edx
1:
.endm

.macro ENDLOOP
	dec	%r13
	jnz	1b
	TSC	%r9
	sub	%r8, %r9
	mov	%r9, %r12
	mov	$BENCH_DONE_PORT, %edx
	out	%al, %dx
	hlt			/* never resumed: the host sets a new RIP */
.endm

	.section .rodata.bench_guest, "a"
	.p2align 12
	.globl	bench_guest_start
bench_guest_start:

/* The baseline of every row whose body is a single instruction. */
LOOP empty
ENDLOOP

/* OUT %al to port r10: in the kernel (SINK, ioeventfd) or forwarded. */
LOOP pio_out
	out	%al, %dx
ENDLOOP

/* IN from port r10, forwarded; the value is whatever userspace left. */
LOOP pio_in
	in	%dx, %al
ENDLOOP

/* 4-byte MOV to and from r11, an address outside every slot. */
LOOP mmio_write
	mov	%eax, (%r11)
ENDLOOP

LOOP mmio_read
	mov	(%r11), %eax
ENDLOOP

/* CPUID leaf 1, subleaf 0: answered in the kernel on both. */
LOOP cpuid
	mov	$1, %eax
	xor	%ecx, %ecx
	cpuid
ENDLOOP

LOOP cpuid_base
	mov	$1, %eax
	xor	%ecx, %ecx
ENDLOOP

/*
 * RDMSR of EFER: both intercept it and answer in the kernel.  (KVM's
 * VMX lets RDMSR of the TSC through without an exit, so the TSC MSR
 * would not compare like for like.)
 */
LOOP rdmsr
	mov	$MSR_EFER, %ecx
	rdmsr
ENDLOOP

LOOP rdmsr_base
	mov	$MSR_EFER, %ecx
ENDLOOP

/*
 * A hypercall neither knows: kvmini (without KVMINI_VM_HYPERCALLS) and
 * KVM both put -1000 (-KVM_ENOSYS) in RAX in the kernel.  VMX needs
 * VMCALL and SVM VMMCALL: the other one is #UD (KVM would patch it).
 */
LOOP vmcall
	mov	$BENCH_HYPERCALL_NR, %eax
	vmcall
ENDLOOP

LOOP vmmcall
	mov	$BENCH_HYPERCALL_NR, %eax
	vmmcall
ENDLOOP

LOOP hypercall_base
	mov	$BENCH_HYPERCALL_NR, %eax
ENDLOOP

/*
 * A device rings (OUT to the doorbell port r10, forwarded) and the host
 * answers with an interrupt, which the guest takes before its next
 * instruction: bench_irq_handler counts it in r14.
 */
LOOP irq
	out	%al, %dx
ENDLOOP

/* HLT with IF set; the host wakes it with an interrupt every time. */
LOOP hlt
	hlt
ENDLOOP

	.p2align 4
	.globl	bench_irq_handler
bench_irq_handler:
	inc	%r14
	iretq

/*
 * First touch: write one byte to each 4 KiB page from r11 on, r14
 * blocks of r13 pages, and store each block's TSC cycles at rdi, rdi +
 * 8, ...  (The three loop instructions per page are not subtracted:
 * a first touch costs thousands.)
 */
	.p2align 6
	.globl	bench_touch
bench_touch:
2:	TSC	%r8
	mov	%r13, %rcx
1:	movb	$1, (%r11)
	add	$4096, %r11
	dec	%rcx
	jnz	1b
	TSC	%r9
	sub	%r8, %r9
	mov	%r9, (%rdi)
	add	$8, %rdi
	dec	%r14
	jnz	2b
	mov	$BENCH_DONE_PORT, %edx
	out	%al, %dx
	hlt

	.globl	bench_guest_end
bench_guest_end:
	.previous
	.section .note.GNU-stack, "", @progbits
