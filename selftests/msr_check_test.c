// SPDX-License-Identifier: GPL-2.0
/*
 * msr_check_test.c - values a guest writes to the MSRs kvmini emulates
 * are checked as the CPU checks them before anything reaches hardware:
 * reserved bits raise #GP, 32-bit MSRs keep 32 bits, and addresses are
 * canonical for the CPU's real linear-address width.
 */
#include <stdio.h>
#include "msr_guest.h"

#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_EIP	0x176
#define MSR_LSTAR		0xc0000082
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_KERNEL_GS_BASE	0xc0000102

static void expect_gp(struct __test_metadata *_metadata, uint32_t msr,
		      uint64_t value)
{
	uint64_t got;

	EXPECT_EQ(1, msr_round_trip(_metadata, msr, value, &got));
}

static void expect_reads(struct __test_metadata *_metadata, uint32_t msr,
			 uint64_t value, uint64_t want)
{
	uint64_t got = ~0ull;

	ASSERT_EQ(0, msr_round_trip(_metadata, msr, value, &got));
	EXPECT_EQ(want, got);
}

/*
 * IA32_FMASK bits 63:32 are reserved.  VMX loads the guest's value into
 * the CPU with wrmsrl(): before the check, bochs-vmx logged "unchecked
 * MSR access error" from the host; SVM took it into the VMCB.
 */
TEST(syscall_mask_high_bits_gp)
{
	expect_gp(_metadata, MSR_SYSCALL_MASK, 1ull << 32);
	expect_gp(_metadata, MSR_SYSCALL_MASK, 0xffffffff00000000ull);
	expect_reads(_metadata, MSR_SYSCALL_MASK, 0x47700, 0x47700);
}

/* SYSENTER_CS keeps 32 bits on both vendors (VMX's VMCS field has 32). */
TEST(sysenter_cs_is_32_bits)
{
	expect_reads(_metadata, MSR_SYSENTER_CS, 0x0000000500000010ull, 0x10);
	expect_reads(_metadata, MSR_SYSENTER_CS, 0xffffffffffff0008ull,
		     0xffff0008);
}

/* The kernel's view of 5-level paging, which kvmini follows. */
static int host_has_la57(void)
{
	char line[4096];
	FILE *f = fopen("/proc/cpuinfo", "r");
	int found = 0;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5)) {
			found = strstr(line, " la57") != NULL;
			break;
		}
	if (f)
		fclose(f);
	return found;
}

/*
 * Canonical means canonical for this CPU: with LA57, 0x0080000000000000
 * (bit 55 set, 63:56 clear) is a valid address, without it it is not;
 * 0x0100000000000000 is valid for neither.  The 48-bit check refused the
 * first one on the LA57 qemu-svm targets.
 */
TEST(canonical_follows_cpu_width)
{
	static const uint32_t msrs[] = {
		MSR_LSTAR, MSR_KERNEL_GS_BASE, MSR_SYSENTER_EIP,
	};
	int la57 = host_has_la57();
	uint64_t got;
	int i;

	TH_LOG("host CPU has %d-bit linear addresses", la57 ? 57 : 48);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(!la57, msr_round_trip(_metadata, msrs[i],
					  0x0080000000000000ull, &got));
		if (la57)
			EXPECT_EQ(0x0080000000000000ull, got);
		expect_gp(_metadata, msrs[i], 0x0100000000000000ull);
		expect_reads(_metadata, msrs[i], 0xffff800000001000ull,
			     0xffff800000001000ull);
	}
}

TEST_HARNESS_MAIN
