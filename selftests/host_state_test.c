// SPDX-License-Identifier: GPL-2.0
/*
 * host_state_test.c - after a guest runs, the host's state is exactly as
 * it was: SSE registers, MXCSR and the x87 control word, FS and GS bases
 * (and through them TLS), data segment selectors, the TSS limit (an I/O
 * bitmap from ioperm) and a hardware watchpoint (DR7).  The guest sets
 * its own values for all of those it can reach.  Checked on every CPU.
 * A second test does the same for the AVX state (the YMM upper halves),
 * which only the XSAVE path of the FPU switch carries.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <sys/io.h>
#include <sys/syscall.h>
#include "kvmini_test.h"

/*
 * 64-bit guest: new values in every XMM register, MXCSR and the x87
 * control word; FS, GS and KERNEL_GS bases through WRMSR; then hlt.
 */
GUEST_CODE64(clobber,
	"	pcmpeqd %xmm0, %xmm0\n"
	"	movdqa %xmm0, %xmm1\n"
	"	movdqa %xmm0, %xmm7\n"
	"	movdqa %xmm0, %xmm8\n"
	"	movdqa %xmm0, %xmm15\n"
	"	movl $0x7f80, -8(%rsp)\n"	/* MXCSR: all masked, RZ */
	"	ldmxcsr -8(%rsp)\n"
	"	movw $0x0c7f, -8(%rsp)\n"	/* FCW: round toward zero */
	"	fldcw -8(%rsp)\n"
	"	xor %eax, %eax\n"
	"	mov $0x1234, %edx\n"	/* canonical: 0x123400000000 */
	"	mov $0xc0000100, %ecx\n"	/* FS_BASE */
	"	wrmsr\n"
	"	mov $0xc0000101, %ecx\n"	/* GS_BASE */
	"	wrmsr\n"
	"	mov $0xc0000102, %ecx\n"	/* KERNEL_GS_BASE */
	"	wrmsr\n"
	"	hlt\n");

static __thread volatile int tls_canary = 0x1234;
static volatile int watched;

/*
 * Load XMM0-15, MXCSR and FCW, RUN with a bare syscall (no library code
 * in between may touch them), then store them back.
 */
struct fp_state {
	uint8_t xmm[16][16];
	uint32_t mxcsr;
	uint16_t fcw;
};

static long run_with_fp(int fd, const struct fp_state *in,
			struct fp_state *out)
{
	long ret;

	asm volatile(
		"movdqu 0x00(%[in]), %%xmm0\n\t"  "movdqu 0x10(%[in]), %%xmm1\n\t"
		"movdqu 0x20(%[in]), %%xmm2\n\t"  "movdqu 0x30(%[in]), %%xmm3\n\t"
		"movdqu 0x40(%[in]), %%xmm4\n\t"  "movdqu 0x50(%[in]), %%xmm5\n\t"
		"movdqu 0x60(%[in]), %%xmm6\n\t"  "movdqu 0x70(%[in]), %%xmm7\n\t"
		"movdqu 0x80(%[in]), %%xmm8\n\t"  "movdqu 0x90(%[in]), %%xmm9\n\t"
		"movdqu 0xa0(%[in]), %%xmm10\n\t" "movdqu 0xb0(%[in]), %%xmm11\n\t"
		"movdqu 0xc0(%[in]), %%xmm12\n\t" "movdqu 0xd0(%[in]), %%xmm13\n\t"
		"movdqu 0xe0(%[in]), %%xmm14\n\t" "movdqu 0xf0(%[in]), %%xmm15\n\t"
		"ldmxcsr 0x100(%[in])\n\t"
		"fldcw 0x104(%[in])\n\t"
		"syscall\n\t"
		"movdqu %%xmm0, 0x00(%[out])\n\t"  "movdqu %%xmm1, 0x10(%[out])\n\t"
		"movdqu %%xmm2, 0x20(%[out])\n\t"  "movdqu %%xmm3, 0x30(%[out])\n\t"
		"movdqu %%xmm4, 0x40(%[out])\n\t"  "movdqu %%xmm5, 0x50(%[out])\n\t"
		"movdqu %%xmm6, 0x60(%[out])\n\t"  "movdqu %%xmm7, 0x70(%[out])\n\t"
		"movdqu %%xmm8, 0x80(%[out])\n\t"  "movdqu %%xmm9, 0x90(%[out])\n\t"
		"movdqu %%xmm10, 0xa0(%[out])\n\t" "movdqu %%xmm11, 0xb0(%[out])\n\t"
		"movdqu %%xmm12, 0xc0(%[out])\n\t" "movdqu %%xmm13, 0xd0(%[out])\n\t"
		"movdqu %%xmm14, 0xe0(%[out])\n\t" "movdqu %%xmm15, 0xf0(%[out])\n\t"
		"stmxcsr 0x100(%[out])\n\t"
		"fnstcw 0x104(%[out])\n\t"
		: "=a"(ret)
		: "a"((long)SYS_ioctl), "D"((long)fd), "S"((long)KVMINI_RUN),
		  "d"(0L), [in] "r"(in), [out] "r"(out)
		: "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3",
		  "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
		  "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	return ret;
}

static int watchpoint(void)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_BREAKPOINT,
		.size = sizeof(attr),
		.bp_type = HW_BREAKPOINT_W,
		.bp_addr = (uintptr_t)&watched,
		.bp_len = HW_BREAKPOINT_LEN_4,
		.exclude_kernel = 1,
	};

	return syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
}

/* Run the rest of this thread on one CPU. */
static int pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* A long-mode guest with SSE on, and the extra CR4 bits it asks for. */
static struct kvmini_vcpu *fp_guest(const unsigned char *start,
				    const unsigned char *end, uint64_t cr4)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	uint8_t *mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	struct kvmini_vcpu *vcpu;
	struct kvmini_sregs sregs;

	memcpy(mem + GUEST_LOAD_ADDR, start, end - start);
	vcpu = kvmini_vcpu_create(vm, 0);
	kvmini_vcpu_setup_long_mode(vcpu, mem, GUEST_LOAD_ADDR, 0x8000);
	kvmini_get_sregs(vcpu, &sregs);
	sregs.cr4 |= 0x600 | cr4;	/* OSFXSR, OSXMMEXCPT: SSE on */
	sregs.cr0 = (sregs.cr0 & ~4ul) | 2;	/* EM off, MP on */
	kvmini_set_sregs(vcpu, &sregs);
	return vcpu;
}

/* Call check(cpu) pinned to each CPU this process may use. */
static void on_every_cpu(struct __test_metadata *_metadata,
			 void (*check)(struct __test_metadata *, int))
{
	cpu_set_t all;
	int cpu, n = 0;

	ASSERT_EQ(0, sched_getaffinity(0, sizeof(all), &all));
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &all))
			continue;
		ASSERT_EQ(0, pin_to_cpu(cpu));
		check(_metadata, cpu);
		n++;
	}
	EXPECT_LE(1, n);
}

static void check_on_cpu(struct __test_metadata *_metadata, int cpu)
{
	struct kvmini_vcpu *vcpu = fp_guest(guest_clobber_start,
					    guest_clobber_end, 0);
	struct fp_state in, out;
	unsigned long fs_before, fs_after, gs_after;
	unsigned long gs_before = 0x7f1234560000ul;
	uint16_t ds = 0x2b, ds_after;	/* __USER_DS */
	struct { uint16_t limit; uint64_t base; } __attribute__((packed))
		gdt[2], idt[2];
	uint64_t hits = 0;
	int wp, i;

	for (i = 0; i < 16 * 16; i++)
		in.xmm[i / 16][i % 16] = i * 13 + cpu;
	in.mxcsr = 0x1f80;
	in.fcw = 0x037f;

	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_SET_GS, gs_before));
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_before));
	ASSERT_EQ(0, ioperm(0x80, 1, 1));
	wp = watchpoint();
	ASSERT_LE(0, wp) TH_LOG("perf_event_open breakpoint: %s",
				strerror(errno));
	/*
	 * A VM exit leaves GDT and IDT limits of 0xffff.  With UMIP the
	 * kernel answers SGDT/SIDT itself and this compares its fixed
	 * values; without (Bochs' CPU) it compares the real registers.
	 */
	asm volatile("sgdt %0; sidt %1" : "=m"(gdt[0]), "=m"(idt[0]));
	asm volatile("mov %0, %%ds" : : "r"(ds));

	ASSERT_EQ(0, run_with_fp(vcpu->fd, &in, &out));

	asm volatile("mov %%ds, %0" : "=r"(ds_after));
	asm volatile("sgdt %0; sidt %1" : "=m"(gdt[1]), "=m"(idt[1]));
	EXPECT_EQ(gdt[0].limit, gdt[1].limit);
	EXPECT_EQ(gdt[0].base, gdt[1].base);
	EXPECT_EQ(idt[0].limit, idt[1].limit);
	EXPECT_EQ(idt[0].base, idt[1].base);
	EXPECT_EQ(ds, ds_after);
	if (vcpu->run->exit_reason != KVMINI_EXIT_HLT) {
		struct kvmini_regs r;

		kvmini_get_regs(vcpu, &r);
		TH_LOG("guest stopped (%s) at offset %#llx",
		       kvmini_exit_name(vcpu->run->exit_reason),
		       (unsigned long long)r.rip - GUEST_LOAD_ADDR);
	}
	EXPECT_EQ(KVMINI_EXIT_HLT, vcpu->run->exit_reason);
	EXPECT_EQ(0, memcmp(in.xmm, out.xmm, sizeof(in.xmm)));
	EXPECT_EQ(in.mxcsr, out.mxcsr);
	EXPECT_EQ(in.fcw, out.fcw);
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_after));
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_GET_GS, &gs_after));
	EXPECT_EQ(fs_before, fs_after);
	EXPECT_EQ(gs_before, gs_after);
	EXPECT_EQ(0x1234, tls_canary);
	/* With a TSS limit cut to 0x67 this would raise #GP (SIGSEGV). */
	outb(0, 0x80);
	watched = 1;
	EXPECT_EQ(sizeof(hits), read(wp, &hits, sizeof(hits)));
	EXPECT_EQ(1, hits);

	close(wp);
	ioperm(0x80, 1, 0);
	guest_destroy(vcpu);
}

TEST(host_state_restored_on_every_cpu)
{
	on_every_cpu(_metadata, check_on_cpu);
}

/* 64-bit guest with CR4.OSXSAVE: all ones in every YMM register. */
GUEST_CODE64(clobber_ymm,
	"	vpcmpeqd %ymm0, %ymm0, %ymm0\n"
	"	vmovdqa %ymm0, %ymm1\n"
	"	vmovdqa %ymm0, %ymm7\n"
	"	vmovdqa %ymm0, %ymm8\n"
	"	vmovdqa %ymm0, %ymm15\n"
	"	hlt\n");

/* Load YMM0, 1, 7, 8 and 15, RUN with a bare syscall, store them back. */
static long run_with_ymm(int fd, const uint8_t in[5][32], uint8_t out[5][32])
{
	long ret;

	asm volatile(
		"vmovdqu 0x00(%[in]), %%ymm0\n\t"
		"vmovdqu 0x20(%[in]), %%ymm1\n\t"
		"vmovdqu 0x40(%[in]), %%ymm7\n\t"
		"vmovdqu 0x60(%[in]), %%ymm8\n\t"
		"vmovdqu 0x80(%[in]), %%ymm15\n\t"
		"syscall\n\t"
		"vmovdqu %%ymm0, 0x00(%[out])\n\t"
		"vmovdqu %%ymm1, 0x20(%[out])\n\t"
		"vmovdqu %%ymm7, 0x40(%[out])\n\t"
		"vmovdqu %%ymm8, 0x60(%[out])\n\t"
		"vmovdqu %%ymm15, 0x80(%[out])\n\t"
		"vzeroupper\n\t"
		: "=a"(ret)
		: "a"((long)SYS_ioctl), "D"((long)fd), "S"((long)KVMINI_RUN),
		  "d"(0L), [in] "r"(in), [out] "r"(out)
		: "rcx", "r11", "memory", "xmm0", "xmm1", "xmm7", "xmm8",
		  "xmm15");
	return ret;
}

/* AVX usable here: the CPU has it and the kernel enabled YMM in XCR0. */
static bool host_has_avx(void)
{
	uint32_t eax, ebx, ecx, edx, xcr0_lo, xcr0_hi;

	asm volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx)
		     : "a"(1), "c"(0));
	if (!(ecx & (1u << 27)) || !(ecx & (1u << 28)))	/* OSXSAVE, AVX */
		return false;
	asm volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
	return (xcr0_lo & 6) == 6;				/* SSE and YMM */
}

static void check_ymm_on_cpu(struct __test_metadata *_metadata, int cpu)
{
	struct kvmini_vcpu *vcpu = fp_guest(guest_clobber_ymm_start,
					    guest_clobber_ymm_end,
					    1ul << 18);	/* OSXSAVE */
	uint8_t in[5][32], out[5][32];
	int i;

	for (i = 0; i < 5 * 32; i++)
		in[i / 32][i % 32] = i * 7 + cpu + 1;
	ASSERT_EQ(0, run_with_ymm(vcpu->fd, in, out));
	EXPECT_EQ(KVMINI_EXIT_HLT, vcpu->run->exit_reason)
		TH_LOG("guest stopped: %s",
		       kvmini_exit_name(vcpu->run->exit_reason));
	EXPECT_EQ(0, memcmp(in, out, sizeof(in)))
		TH_LOG("YMM registers changed on CPU %d", cpu);
	guest_destroy(vcpu);
}

TEST(host_ymm_restored_on_every_cpu)
{
	if (!host_has_avx())
		SKIP(return, "no AVX on this CPU");
	on_every_cpu(_metadata, check_ymm_on_cpu);
}

TEST_HARNESS_MAIN
