// SPDX-License-Identifier: GPL-2.0
/*
 * msr_test.c - RDMSR/WRMSR in the kernel: the documented set round-trips,
 * everything else raises #GP in the guest, bad values too, and the
 * syscall MSRs a guest sets really drive its SYSCALL.
 */
#include "msr_guest.h"

#define MSR_TSC			0x10
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_PAT			0x277
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_KERNEL_GS_BASE	0xc0000102

static void expect_round_trip(struct __test_metadata *_metadata,
			      uint32_t msr, uint64_t value)
{
	uint64_t got = 0;

	ASSERT_EQ(0, msr_round_trip(_metadata, msr, value, &got));
	EXPECT_EQ(value, got);
}

static void expect_gp(struct __test_metadata *_metadata, uint32_t msr,
		      uint64_t value)
{
	uint64_t got;

	EXPECT_EQ(1, msr_round_trip(_metadata, msr, value, &got));
}

TEST(documented_msrs)
{
	expect_round_trip(_metadata, MSR_SYSENTER_CS, 0x10);
	expect_round_trip(_metadata, MSR_SYSENTER_ESP, 0xffff800012345678ull);
	expect_round_trip(_metadata, MSR_STAR, 0x0023001000000000ull);
	expect_round_trip(_metadata, MSR_LSTAR, 0xffffffff81000000ull);
	expect_round_trip(_metadata, MSR_KERNEL_GS_BASE, 0x7f0000001000ull);
	expect_round_trip(_metadata, MSR_PAT, 0x0007010600070106ull);
	expect_round_trip(_metadata, MSR_EFER, 0x801);	/* NX, SCE */
}

/* What a booting kernel reads without a safe accessor. */
#define MSR_UCODE_REV		0x8b
#define MSR_MTRRCAP		0xfe
#define MSR_MISC_ENABLE		0x1a0
#define MSR_MTRR_DEF_TYPE	0x2ff

TEST(platform_msrs)
{
	uint64_t got = 0;

	/* Fast strings on; no BTS (bit 11), no PEBS (bit 12). */
	expect_round_trip(_metadata, MSR_MISC_ENABLE, 0x1801);
	expect_round_trip(_metadata, MSR_MISC_ENABLE, 0x1801 | 1 << 22);
	/* No microcode: writes are ignored, reads give 0. */
	ASSERT_EQ(0, msr_round_trip(_metadata, MSR_UCODE_REV, 0, &got));
	EXPECT_EQ(0, got);
	/* Enabled, fixed ranges on, default WB or UC. */
	expect_round_trip(_metadata, MSR_MTRR_DEF_TYPE, 0xc06);
	expect_round_trip(_metadata, MSR_MTRR_DEF_TYPE, 0x800);
}

TEST(platform_msrs_bad_values_gp)
{
	/* The bits that describe the CPU cannot change. */
	expect_gp(_metadata, MSR_MISC_ENABLE, 0x1800);
	expect_gp(_metadata, MSR_MISC_ENABLE, 0x0801);
	/* Reserved bits and reserved memory types. */
	expect_gp(_metadata, MSR_MTRR_DEF_TYPE, 0x1006);
	expect_gp(_metadata, MSR_MTRR_DEF_TYPE, 0x802);
	expect_gp(_metadata, MSR_MTRR_DEF_TYPE, 0x807);
	/* MTRRcap is read-only. */
	expect_gp(_metadata, MSR_MTRRCAP, 0);
}

TEST(unknown_msr_gp)
{
	expect_gp(_metadata, 0x12345678, 0);
	expect_gp(_metadata, 0x1b, 0xfee00900);		/* APIC_BASE */
	expect_gp(_metadata, 0x3a, 0);			/* FEATURE_CONTROL */
}

TEST(bad_values_gp)
{
	expect_gp(_metadata, MSR_LSTAR, 0x8000000000000000ull);	/* 48 or 57 bits */
	expect_gp(_metadata, MSR_PAT, 0x0000000000000002ull);
	expect_gp(_metadata, MSR_EFER, 1ull << 12);	/* SVME */
	expect_gp(_metadata, MSR_TSC, 0);		/* read-only */
}

/* RDMSR of TSC moves forward and is the host's clock. */
GUEST_CODE16(read_tsc,
	"	mov $0x10, %ecx\n"
	"	rdmsr\n"
	"	out %eax, $0x30\n"
	"	mov %edx, %eax\n"
	"	out %eax, $0x30\n"
	"	hlt\n");

TEST(tsc_reads_host_clock)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(read_tsc);
	uint32_t lo, hi;
	uint64_t before, guest;

	before = __builtin_ia32_rdtsc();
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	memcpy(&lo, kvmini_io_data(vcpu), 4);
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	memcpy(&hi, kvmini_io_data(vcpu), 4);
	guest = (uint64_t)hi << 32 | lo;
	EXPECT_LT(before, guest);
	EXPECT_LT(guest, __builtin_ia32_rdtsc());
	guest_destroy(vcpu);
}

/*
 * Long mode: the guest sets EFER.SCE, STAR and LSTAR, then SYSCALL must
 * land on its handler.  On VMX this needs the guest's LSTAR in the
 * hardware; afterwards this very process makes system calls through the
 * host's LSTAR, so it must be back.
 */
GUEST_CODE64(syscall,
	"	mov $0xc0000080, %ecx\n"
	"	rdmsr\n"
	"	or $1, %eax\n"
	"	wrmsr\n"				/* EFER.SCE */
	"	mov $0xc0000081, %ecx\n"
	"	xor %eax, %eax\n"
	"	mov $0x00100008, %edx\n"		/* SYSCALL CS 0x08 */
	"	wrmsr\n"
	"	lea handler(%rip), %rax\n"
	"	mov %rax, %rdx\n"
	"	shr $32, %rdx\n"
	"	mov $0xc0000082, %ecx\n"
	"	wrmsr\n"
	"	syscall\n"
	"	hlt\n"
	"handler:\n"
	"	mov $0x5c, %al\n"
	"	out %al, $0x32\n"
	"	hlt\n");

TEST(guest_syscall_uses_guest_lstar)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	uint8_t *mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	struct kvmini_vcpu *vcpu;

	memcpy(mem + GUEST_LOAD_ADDR, guest_syscall_start,
	       guest_syscall_end - guest_syscall_start);
	vcpu = kvmini_vcpu_create(vm, 0);
	kvmini_vcpu_setup_long_mode(vcpu, mem, GUEST_LOAD_ADDR, 0x8000);
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_EQ(KVMINI_EXIT_IO, vcpu->run->exit_reason);
	EXPECT_EQ(0x32, vcpu->run->io.port);
	EXPECT_EQ(0x5c, *(uint8_t *)kvmini_io_data(vcpu));
	/* The host's own system calls still work. */
	EXPECT_EQ(getpid(), getpid());
	guest_destroy(vcpu);
}

/*
 * SWAPGS exchanges GS's base with KERNEL_GS_BASE without an exit, as a
 * guest kernel does on every return to user mode.  The guest's value
 * must survive a trip to userspace and back (VMX switches this MSR in
 * software).
 */
GUEST_CODE64(swapgs_across_exit,
	"	mov $0xc0000101, %ecx\n"	/* GS_BASE */
	"	mov $0x1111000, %eax\n"
	"	xor %edx, %edx\n"
	"	wrmsr\n"
	"	mov $0xc0000102, %ecx\n"	/* KERNEL_GS_BASE */
	"	mov $0x2222000, %eax\n"
	"	wrmsr\n"
	"	swapgs\n"
	"	out %al, $0x30\n"		/* to userspace and back */
	"	mov $0xc0000102, %ecx\n"
	"	rdmsr\n"
	"	out %eax, $0x31\n"
	"	mov $0xc0000101, %ecx\n"
	"	rdmsr\n"
	"	out %eax, $0x31\n"
	"	hlt\n");

TEST(kernel_gs_base_survives_swapgs_and_exit)
{
	struct kvmini_vcpu *vcpu;
	uint32_t kgsb, gsb;
	uint8_t *mem;

	vcpu = guest_create_mem(guest_swapgs_across_exit_start,
				guest_swapgs_across_exit_end, GUEST_MEM_SIZE,
				&mem);
	kvmini_vcpu_setup_long_mode(vcpu, mem, GUEST_LOAD_ADDR, 0x8000);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	ASSERT_EQ(0x30, vcpu->run->io.port);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	ASSERT_EQ(0x31, vcpu->run->io.port);
	memcpy(&kgsb, kvmini_io_data(vcpu), 4);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	memcpy(&gsb, kvmini_io_data(vcpu), 4);
	EXPECT_EQ(0x1111000, kgsb);
	EXPECT_EQ(0x2222000, gsb);
	guest_destroy(vcpu);
}

/*
 * With a local APIC in userspace the base MSR reads the xAPIC's fixed
 * base, enabled, and the BSP flag on vCPU 0 only; the enable bit is the
 * one a write may change.
 */
#define MSR_APIC_BASE		0x1b
#define APIC_BASE		0xfee00000ull
#define APIC_BASE_BSP		(1ull << 8)
#define APIC_BASE_EXTD		(1ull << 10)
#define APIC_BASE_EN		(1ull << 11)

TEST(apic_base_with_local_apic)
{
	uint64_t got = 0;

	/* Writing what it holds reads it back, on the BSP and on an AP. */
	ASSERT_EQ(0, msr_round_trip_on(_metadata, KVMINI_VM_LOCAL_APIC, 0,
				       MSR_APIC_BASE, APIC_BASE |
				       APIC_BASE_BSP | APIC_BASE_EN, &got));
	EXPECT_EQ(APIC_BASE | APIC_BASE_BSP | APIC_BASE_EN, got);
	ASSERT_EQ(0, msr_round_trip_on(_metadata, KVMINI_VM_LOCAL_APIC, 1,
				       MSR_APIC_BASE, APIC_BASE | APIC_BASE_EN,
				       &got));
	EXPECT_EQ(APIC_BASE | APIC_BASE_EN, got);
	/* Global disable. */
	ASSERT_EQ(0, msr_round_trip_on(_metadata, KVMINI_VM_LOCAL_APIC, 1,
				       MSR_APIC_BASE, APIC_BASE, &got));
	EXPECT_EQ(APIC_BASE, got);
	/* An AP cannot claim to be the BSP, nor the BSP drop the flag. */
	EXPECT_EQ(1, msr_round_trip_on(_metadata, KVMINI_VM_LOCAL_APIC, 1,
				       MSR_APIC_BASE, APIC_BASE |
				       APIC_BASE_BSP | APIC_BASE_EN, &got));
	EXPECT_EQ(1, msr_round_trip_on(_metadata, KVMINI_VM_LOCAL_APIC, 0,
				       MSR_APIC_BASE, APIC_BASE | APIC_BASE_EN,
				       &got));
	/* No other base, no x2APIC mode, no reserved bits. */
	EXPECT_EQ(1, msr_round_trip_on(_metadata, KVMINI_VM_LOCAL_APIC, 0,
				       MSR_APIC_BASE, 0xfec00000 |
				       APIC_BASE_BSP | APIC_BASE_EN, &got));
	EXPECT_EQ(1, msr_round_trip_on(_metadata, KVMINI_VM_LOCAL_APIC, 0,
				       MSR_APIC_BASE, APIC_BASE | APIC_BASE_BSP |
				       APIC_BASE_EN | APIC_BASE_EXTD, &got));
	EXPECT_EQ(1, msr_round_trip_on(_metadata, KVMINI_VM_LOCAL_APIC, 0,
				       MSR_APIC_BASE, APIC_BASE | APIC_BASE_BSP |
				       APIC_BASE_EN | 1, &got));
}

TEST_HARNESS_MAIN
