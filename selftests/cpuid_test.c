// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid_test.c - CPUID answered in the kernel: the host's values filtered,
 * kvmini's signature, userspace overrides, and KVMINI_SET_CPUID's errors.
 */
#include <cpuid.h>
#include "kvmini_test.h"

/* cpuid for the leaf in EAX / subleaf in ECX, all four results out. */
GUEST_CODE16(cpuid,
	"	cpuid\n"
	"	out %eax, $0x30\n"
	"	mov %ebx, %eax\n"
	"	out %eax, $0x30\n"
	"	mov %ecx, %eax\n"
	"	out %eax, $0x30\n"
	"	mov %edx, %eax\n"
	"	out %eax, $0x30\n"
	"	hlt\n");

static void guest_cpuid(struct __test_metadata *_metadata,
			struct kvmini_vcpu *vcpu, uint32_t leaf,
			uint32_t index, uint32_t *r)
{
	struct kvmini_regs regs;
	int i;

	kvmini_get_regs(vcpu, &regs);
	regs.rip = GUEST_LOAD_ADDR;
	regs.rax = leaf;
	regs.rcx = index;
	kvmini_set_regs(vcpu, &regs);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
		ASSERT_EQ(KVMINI_EXIT_IO, vcpu->run->exit_reason);
		memcpy(&r[i], kvmini_io_data(vcpu), 4);
	}
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_EQ(KVMINI_EXIT_HLT, vcpu->run->exit_reason);
}

FIXTURE(cpuid) {
	struct kvmini_vcpu *vcpu;
};

FIXTURE_SETUP(cpuid)
{
	self->vcpu = GUEST_CREATE(cpuid);
}

FIXTURE_TEARDOWN(cpuid)
{
	guest_destroy(self->vcpu);
}

/* Leaf 0: the host's vendor string and maximum leaf, in the kernel. */
TEST_F(cpuid, host_vendor)
{
	uint32_t g[4], h[4];

	__cpuid(0, h[0], h[1], h[2], h[3]);
	guest_cpuid(_metadata, self->vcpu, 0, 0, g);
	EXPECT_EQ(h[0], g[0]);
	EXPECT_EQ(h[1], g[1]);
	EXPECT_EQ(h[2], g[2]);
	EXPECT_EQ(h[3], g[3]);
	/* Handled in the kernel: counted, never a userspace exit. */
	EXPECT_EQ(1, kvmini_exit_count(self->vcpu, KVMINI_EXIT_CPUID));
}

/* Leaf 1: hypervisor bit on; VMX, MWAIT, APIC, x2APIC off; APIC id 0. */
TEST_F(cpuid, leaf1_filtered)
{
	uint32_t g[4], h[4];

	__cpuid(1, h[0], h[1], h[2], h[3]);
	guest_cpuid(_metadata, self->vcpu, 1, 0, g);
	EXPECT_EQ(h[0], g[0]);			/* family/model/stepping */
	EXPECT_NE(0, g[2] & (1u << 31));	/* hypervisor */
	EXPECT_EQ(0, g[2] & (1u << 5));		/* VMX */
	EXPECT_EQ(0, g[2] & (1u << 3));		/* MONITOR/MWAIT */
	EXPECT_EQ(0, g[2] & (1u << 21));	/* x2APIC */
	EXPECT_EQ(0, g[3] & (1u << 9));		/* APIC */
	EXPECT_EQ(0, g[1] >> 24);		/* APIC id = vCPU id */
	EXPECT_EQ(h[2] & (1u << 0), g[2] & (1u << 0));	/* SSE3 passes */
}

/*
 * Features whose MSRs kvmini does not back stay hidden, so a kernel
 * never reaches for them: machine check, debug store, thermal and
 * power, the PMU, XSAVES, speculation controls, RDTSCP/RDPID.
 */
TEST_F(cpuid, msr_features_hidden)
{
	uint32_t g[4];

	guest_cpuid(_metadata, self->vcpu, 1, 0, g);
	EXPECT_EQ(0, g[3] & (1u << 7));		/* MCE */
	EXPECT_EQ(0, g[3] & (1u << 14));	/* MCA */
	EXPECT_EQ(0, g[3] & (1u << 21));	/* DS */
	EXPECT_EQ(0, g[3] & (1u << 22));	/* ACPI thermal MSRs */
	EXPECT_EQ(0, g[2] & (1u << 15));	/* PDCM */
	EXPECT_EQ(0, g[2] & (1u << 7));		/* EST */
	guest_cpuid(_metadata, self->vcpu, 6, 0, g);
	EXPECT_EQ(0, g[0] | g[1] | g[2] | g[3]);
	guest_cpuid(_metadata, self->vcpu, 0xa, 0, g);
	EXPECT_EQ(0, g[0] | g[1] | g[2] | g[3]);
	guest_cpuid(_metadata, self->vcpu, 0xd, 1, g);
	EXPECT_EQ(0, g[0] & (1u << 3));		/* XSAVES */
	guest_cpuid(_metadata, self->vcpu, 7, 0, g);
	EXPECT_EQ(0, g[1] & (1u << 1));		/* TSC_ADJUST */
	EXPECT_EQ(0, g[2] & (1u << 22));	/* RDPID */
	EXPECT_EQ(0, g[3] & (1u << 26));	/* SPEC_CTRL */
	EXPECT_EQ(0, g[3] & (1u << 29));	/* ARCH_CAPABILITIES */
	guest_cpuid(_metadata, self->vcpu, 0x80000001, 0, g);
	EXPECT_EQ(0, g[3] & (1u << 27));	/* RDTSCP */
}

/*
 * No crystal or base clock (leaves 0x15, 0x16): Linux would take the
 * crystal as its local APIC timer's rate and skip calibrating it, and
 * userspace's APIC counts at a rate of its own.
 */
TEST_F(cpuid, clock_leaves_empty)
{
	uint32_t g[4];

	guest_cpuid(_metadata, self->vcpu, 0x15, 0, g);
	EXPECT_EQ(0, g[0] | g[1] | g[2] | g[3]);
	guest_cpuid(_metadata, self->vcpu, 0x16, 0, g);
	EXPECT_EQ(0, g[0] | g[1] | g[2] | g[3]);
}

TEST_F(cpuid, svm_hidden)
{
	uint32_t g[4];

	guest_cpuid(_metadata, self->vcpu, 0x80000001, 0, g);
	EXPECT_EQ(0, g[2] & (1u << 2));		/* SVM */
}

TEST_F(cpuid, signature)
{
	uint32_t g[4];

	guest_cpuid(_metadata, self->vcpu, KVMINI_CPUID_SIGNATURE, 0, g);
	EXPECT_EQ(KVMINI_CPUID_SIGNATURE, g[0]);
	EXPECT_EQ(0, memcmp(&g[1], "kvminikvmini", 12));
}

TEST_F(cpuid, override)
{
	struct kvmini_cpuid c = {
		.nent = 2,
		.entries = {
			{ .function = 1, .eax = 0x11, .ebx = 0x22,
			  .ecx = 0x33, .edx = 0x44 },
			{ .function = 7, .index = 1,
			  .flags = KVMINI_CPUID_INDEXED, .eax = 0x77 },
		},
	};
	uint32_t g[4], h[4];

	ASSERT_EQ(0, ioctl(self->vcpu->vm->fd, KVMINI_SET_CPUID, &c));
	guest_cpuid(_metadata, self->vcpu, 1, 0, g);
	EXPECT_EQ(0x11, g[0]);
	EXPECT_EQ(0x22, g[1]);
	EXPECT_EQ(0x33, g[2]);
	EXPECT_EQ(0x44, g[3]);
	guest_cpuid(_metadata, self->vcpu, 7, 1, g);
	EXPECT_EQ(0x77, g[0]);
	/* Subleaf 0 of leaf 7 still comes from the host. */
	__cpuid_count(7, 0, h[0], h[1], h[2], h[3]);
	guest_cpuid(_metadata, self->vcpu, 7, 0, g);
	EXPECT_EQ(h[0], g[0]);
	/* nent 0 drops the overrides. */
	c.nent = 0;
	ASSERT_EQ(0, ioctl(self->vcpu->vm->fd, KVMINI_SET_CPUID, &c));
	guest_cpuid(_metadata, self->vcpu, 1, 0, g);
	EXPECT_NE(0x11, g[0]);
}

/*
 * A VM whose userspace emulates the local APIC sees the APIC bit in leaf
 * 1; x2APIC and the TSC deadline timer stay hidden, the APIC id is still
 * the vCPU's.
 */
TEST(local_apic_shown_with_the_flag)
{
	struct kvmini_vm *vm = kvmini_vm_create_on(KVMINI_BACKEND_KVMINI,
						   KVMINI_VM_LOCAL_APIC);
	uint8_t *mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	struct kvmini_vcpu *vcpu;
	uint32_t g[4];

	memcpy(mem + GUEST_LOAD_ADDR, guest_cpuid_start,
	       guest_cpuid_end - guest_cpuid_start);
	vcpu = kvmini_vcpu_create(vm, 3);
	kvmini_vcpu_setup_real_mode(vcpu, GUEST_LOAD_ADDR, 0x8000);
	guest_cpuid(_metadata, vcpu, 1, 0, g);
	EXPECT_TRUE(g[3] & (1u << 9));		/* APIC */
	EXPECT_FALSE(g[2] & (1u << 21));	/* x2APIC */
	EXPECT_FALSE(g[2] & (1u << 24));	/* TSC deadline */
	EXPECT_EQ(3, g[1] >> 24);
	guest_destroy(vcpu);
}

/* Rejected tables leave the installed one in place. */
static void expect_rejected(struct __test_metadata *_metadata,
			    struct kvmini_vcpu *vcpu, struct kvmini_cpuid *bad,
			    int err)
{
	uint32_t g[4];

	EXPECT_ERRNO(err, ioctl(vcpu->vm->fd, KVMINI_SET_CPUID, bad));
	guest_cpuid(_metadata, vcpu, 0x40000001, 0, g);
	EXPECT_EQ(0xabc, g[0]);
}

TEST_F(cpuid, bad_tables)
{
	struct kvmini_cpuid good = {
		.nent = 1,
		.entries = { { .function = 0x40000001, .eax = 0xabc } },
	}, bad;

	ASSERT_EQ(0, ioctl(self->vcpu->vm->fd, KVMINI_SET_CPUID, &good));

	bad = good;
	bad.nent = KVMINI_MAX_CPUID + 1;
	expect_rejected(_metadata, self->vcpu, &bad, E2BIG);
	bad = good;
	bad.padding = 1;
	expect_rejected(_metadata, self->vcpu, &bad, EINVAL);
	bad = good;
	bad.entries[0].padding = 1;
	expect_rejected(_metadata, self->vcpu, &bad, EINVAL);
	bad = good;
	bad.entries[0].flags = 2;
	expect_rejected(_metadata, self->vcpu, &bad, EINVAL);
	bad = good;
	bad.entries[0].index = 3;	/* an index without INDEXED */
	expect_rejected(_metadata, self->vcpu, &bad, EINVAL);
	bad = good;
	bad.nent = 2;
	bad.entries[1] = bad.entries[0];	/* the same leaf twice */
	expect_rejected(_metadata, self->vcpu, &bad, EINVAL);
	EXPECT_ERRNO(EFAULT, ioctl(self->vcpu->vm->fd, KVMINI_SET_CPUID, 16));
}

TEST_HARNESS_MAIN
