// SPDX-License-Identifier: GPL-2.0
/*
 * xsave_test.c - the guest's XCR0: XSETBV (the xsetbv exit), what XGETBV
 * and CPUID leaf 0xD then say, the CPU's checks on the value, and the
 * host's XCR0 untouched by anything a guest sets.
 *
 * The guests run at CPL 0 in flat 32-bit protected mode with CR4.OSXSAVE
 * (ring3.h's cpl0_guest()), #UD and #GP reported on ports of their own.
 */
#include <cpuid.h>
#include "kvmini_test.h"
#include "ring3.h"

#define CR4_OSXSAVE	(1u << 18)
#define XCR0_X87_SSE	0x3
#define XCR0_YMM	0x4

static uint64_t host_xgetbv(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0));
	return (uint64_t)hi << 32 | lo;
}

/* The XSAVE area's size for xcr0, from this CPU's own leaf 0xD. */
static uint32_t xsave_size(uint64_t xcr0)
{
	uint32_t size = 576, eax, ebx, ecx, edx;
	int i;

	for (i = 2; i < 64; i++) {
		if (!(xcr0 & (1ULL << i)))
			continue;
		__cpuid_count(0xd, i, eax, ebx, ecx, edx);
		if (ebx + eax > size)
			size = ebx + eax;
	}
	return size;
}

/*
 * XSETBV with EDX:EAX from the test, then XGETBV into EBX, leaf 0xD's
 * EBX (the size for the current XCR0) into ESI, and XGETBV after that
 * exit into EDI.
 */
GUEST_CODE32(set_get,
	"	mov %eax, %edi\n"
	"	xor %ecx, %ecx\n"
	"	xsetbv\n"
	"	xor %ecx, %ecx\n"
	"	xgetbv\n"
	"	mov %eax, %ebp\n"
	"	mov $0xd, %eax\n"
	"	xor %ecx, %ecx\n"
	"	cpuid\n"
	"	mov %ebx, %esi\n"
	"	xor %ecx, %ecx\n"
	"	xgetbv\n"
	"	mov %eax, %edi\n"
	"	mov %ebp, %ebx\n"
	"	hlt\n");

static struct kvmini_vcpu *set_get_guest(uint8_t **mem, uint32_t eax,
					 uint32_t ecx_override)
{
	struct kvmini_vcpu *vcpu = CPL0_GUEST(set_get, mem, CR4_OSXSAVE);
	struct kvmini_regs regs;

	set_fault_handlers(*mem);
	kvmini_get_regs(vcpu, &regs);
	regs.rax = eax;
	regs.rdx = 0;
	kvmini_set_regs(vcpu, &regs);
	if (ecx_override)
		/* "xor %ecx, %ecx" before XSETBV becomes "mov $1, %cl". */
		memcpy(*mem + GUEST_LOAD_ADDR + 2, "\xb1\x01", 2);
	return vcpu;
}

static void expect_xcr0(struct __test_metadata *_metadata, uint64_t xcr0)
{
	uint64_t host = host_xgetbv();
	struct kvmini_vcpu *vcpu;
	struct kvmini_regs regs;
	uint8_t *mem;

	vcpu = set_get_guest(&mem, xcr0, 0);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	kvmini_get_regs(vcpu, &regs);
	EXPECT_EQ(xcr0, regs.rbx);
	/*
	 * QEMU 7.2's SVM has no XSETBV intercept: the guest's XCR0 went to
	 * the CPU unseen, and kvmini learns it at the next exit (CPUID's),
	 * before it answers.  Either way leaf 0xD describes it, and it is
	 * still the guest's after that exit.
	 */
	if (!kvmini_exit_count(vcpu, KVMINI_EXIT_XSETBV))
		TH_LOG("this CPU did not intercept XSETBV");
	EXPECT_EQ(xsave_size(xcr0), regs.rsi);
	EXPECT_EQ(xcr0, regs.rdi);
	/* The guest's XCR0 stayed in the guest. */
	EXPECT_EQ(host, host_xgetbv());
	guest_destroy(vcpu);
}

TEST(xcr0_x87_sse)
{
	expect_xcr0(_metadata, XCR0_X87_SSE);
}

TEST(xcr0_avx)
{
	if (!(host_xgetbv() & XCR0_YMM))
		SKIP(return, "this CPU has no AVX state in XCR0");
	expect_xcr0(_metadata, XCR0_X87_SSE | XCR0_YMM);
}

/* Each value the CPU refuses: #GP, and XCR0 keeps what it had. */
static void expect_gp(struct __test_metadata *_metadata, uint32_t eax,
		      int ecx_one)
{
	struct kvmini_vcpu *vcpu;
	uint8_t *mem;

	vcpu = set_get_guest(&mem, eax, ecx_one);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	EXPECT_EQ(PORT_GP, vcpu->run->io.port)
		TH_LOG("XSETBV ecx %d eax %#x", ecx_one, eax);
	guest_destroy(vcpu);
}

TEST(bad_values_get_gp)
{
	uint32_t eax, ebx, ecx, edx, bad;

	expect_gp(_metadata, 0x2, 0);		/* no x87 */
	expect_gp(_metadata, 0x3, 1);		/* XCR1 */
	/* The highest bit of 31:2 this CPU does not support at all. */
	__cpuid_count(0xd, 0, eax, ebx, ecx, edx);
	bad = ~eax & ~3u;
	ASSERT_NE(0, bad);
	expect_gp(_metadata, 3 | 1u << (31 - __builtin_clz(bad)), 0);
	if (host_xgetbv() & XCR0_YMM)
		expect_gp(_metadata, 0x5, 0);	/* AVX without SSE */
}

GUEST_CODE32(xsetbv_only,
	"	xor %ecx, %ecx\n"
	"	xor %edx, %edx\n"
	"	mov $3, %eax\n"
	"	xsetbv\n"
	"	hlt\n");

TEST(without_osxsave_ud)
{
	struct kvmini_vcpu *vcpu;
	uint8_t *mem;

	vcpu = CPL0_GUEST(xsetbv_only, &mem, 0);
	set_fault_handlers(mem);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	EXPECT_EQ(PORT_UD, vcpu->run->io.port);
	guest_destroy(vcpu);
}

TEST(cpl3_gp)
{
	struct kvmini_vcpu *vcpu;
	struct kvmini_sregs sregs;
	uint8_t *mem;

	vcpu = RING3_GUEST(xsetbv_only, &mem, 0, 0x8000);
	kvmini_get_sregs(vcpu, &sregs);
	sregs.cr4 |= CR4_OSXSAVE;
	kvmini_set_sregs(vcpu, &sregs);
	set_fault_handlers(mem);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	EXPECT_EQ(PORT_GP, vcpu->run->io.port);
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
