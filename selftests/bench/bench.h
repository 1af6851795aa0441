/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench.h - what the benchmark's host side (bench.c) and guest side
 * (bench_guest.S) agree on: ports, addresses, the guest's memory map.
 */
#ifndef KVMINI_BENCH_H
#define KVMINI_BENCH_H

/* Ports: one for an in-kernel handler, one forwarded, the doorbell. */
#define BENCH_PORT_KERNEL	0x510
#define BENCH_PORT_USER		0x511
#define BENCH_PORT_DOORBELL	0x512
#define BENCH_DONE_PORT		0x51f

/* A hypercall number neither kvmini nor KVM knows. */
#define BENCH_HYPERCALL_NR	0xbe
#define MSR_EFER		0xc0000080
#define BENCH_IRQ_VECTOR	0x30

/*
 * Guest-physical memory: one 2 MiB slot at 0 holding the library's GDT
 * and page tables (KVMINI_SYS_BASE), the IDT, the stacks, the results
 * of first touch and the code.  MMIO goes to an address in no slot; the
 * first-touch slot sits at 1 GiB.  The library's page tables map the
 * first 4 GiB, so all of it is reachable.
 */
#define BENCH_MEM_SIZE		0x200000
#define BENCH_IDT_GPA		0x20000
#define BENCH_RESULTS_GPA	0x30000
/* vCPU i's stack starts i * 0x4000 below BENCH_STACK_TOP. */
#define BENCH_STACK_TOP		0x80000
#define BENCH_CODE_GPA		0x100000
#define BENCH_MMIO_GPA		0xd0000000
#define BENCH_TOUCH_GPA		0x40000000

#ifndef __ASSEMBLER__
extern const unsigned char bench_guest_start[], bench_guest_end[];
extern const unsigned char bench_empty[], bench_pio_out[], bench_pio_in[],
	bench_mmio_write[], bench_mmio_read[], bench_cpuid[],
	bench_cpuid_base[], bench_rdmsr[], bench_rdmsr_base[],
	bench_vmcall[], bench_vmmcall[], bench_hypercall_base[], bench_irq[],
	bench_hlt[], bench_irq_handler[], bench_touch[];
#endif

#endif /* KVMINI_BENCH_H */
