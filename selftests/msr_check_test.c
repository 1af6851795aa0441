// SPDX-License-Identifier: GPL-2.0
/*
 * msr_check_test.c - values a guest writes to the MSRs kvmini emulates
 * are checked as the CPU checks them before anything reaches hardware:
 * reserved bits raise #GP, 32-bit MSRs keep 32 bits, and addresses are
 * canonical for the CPU's real linear-address width.
 */
#include <stdio.h>
#include "kvmini_test.h"

#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_EIP	0x176
#define MSR_LSTAR		0xc0000082
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_KERNEL_GS_BASE	0xc0000102

/*
 * Real mode.  IVT vector 13 (#GP) reports on port 0x31; otherwise the
 * guest writes ECX with EDX:EAX, reads it back and reports EAX and EDX
 * on port 0x30.
 */
GUEST_CODE16(wrmsr_rdmsr,
	"	call 1f\n"
	"1:	pop %bx\n"
	"	add $(gp_handler - 1b), %bx\n"
	"	movw %bx, 13 * 4\n"
	"	movw $0, 13 * 4 + 2\n"
	"	wrmsr\n"
	"	xor %eax, %eax\n"
	"	xor %edx, %edx\n"
	"	rdmsr\n"
	"	out %eax, $0x30\n"
	"	mov %edx, %eax\n"
	"	out %eax, $0x30\n"
	"	hlt\n"
	"gp_handler:\n"
	"	out %al, $0x31\n"
	"	hlt\n");

/* 1 if the write took #GP, else 0 and the value read back. */
static int write_msr(struct __test_metadata *_metadata, uint32_t msr,
		     uint64_t value, uint64_t *read_back)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(wrmsr_rdmsr);
	struct kvmini_regs regs;
	uint32_t lo, hi;
	int gp = 0;

	kvmini_get_regs(vcpu, &regs);
	regs.rcx = msr;
	regs.rax = (uint32_t)value;
	regs.rdx = value >> 32;
	kvmini_set_regs(vcpu, &regs);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	if (vcpu->run->io.port == 0x31) {
		gp = 1;
	} else {
		memcpy(&lo, kvmini_io_data(vcpu), 4);
		expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
		memcpy(&hi, kvmini_io_data(vcpu), 4);
		*read_back = (uint64_t)hi << 32 | lo;
	}
	guest_destroy(vcpu);
	return gp;
}

static void expect_gp(struct __test_metadata *_metadata, uint32_t msr,
		      uint64_t value)
{
	uint64_t got;

	EXPECT_EQ(1, write_msr(_metadata, msr, value, &got));
}

static void expect_reads(struct __test_metadata *_metadata, uint32_t msr,
			 uint64_t value, uint64_t want)
{
	uint64_t got = ~0ull;

	ASSERT_EQ(0, write_msr(_metadata, msr, value, &got));
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
		EXPECT_EQ(!la57, write_msr(_metadata, msrs[i],
					  0x0080000000000000ull, &got));
		if (la57)
			EXPECT_EQ(0x0080000000000000ull, got);
		expect_gp(_metadata, msrs[i], 0x0100000000000000ull);
		expect_reads(_metadata, msrs[i], 0xffff800000001000ull,
			     0xffff800000001000ull);
	}
}

TEST_HARNESS_MAIN
