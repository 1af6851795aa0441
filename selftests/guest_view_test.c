// SPDX-License-Identifier: GPL-2.0
/*
 * guest_view_test.c - what a guest, or the VMM, learns that it should
 * not: the host's APIC ids and CR4 through CPUID, the VMM through a
 * hypercall from guest user mode, a kernel-only exit reason in the run
 * page.
 */
#include <cpuid.h>
#include "kvmini_test.h"
#include "ring3.h"

#define VCPU_ID		5	/* no CPU of the test VMs has that number */
#define CR4_OSXSAVE	(1u << 18)
#define CPUID1_OSXSAVE	(1u << 27)
#define CPUID1_XSAVE	(1u << 26)

static uint32_t io_u32(struct kvmini_vcpu *vcpu)
{
	uint32_t v;

	memcpy(&v, kvmini_io_data(vcpu), 4);
	return v;
}

/* CPUID leaf EAX (subleaf 0): EDX to port 0x30, ECX to 0x31. */
GUEST_CODE16(cpuid_leaf,
	"	xor %ecx, %ecx\n"
	"	cpuid\n"
	"	mov %edx, %eax\n"
	"	out %eax, $0x30\n"
	"	mov %ecx, %eax\n"
	"	out %eax, $0x31\n"
	"	hlt\n");

/* Run the guest above for one leaf on vCPU VCPU_ID: EDX and ECX. */
static void guest_cpuid(struct __test_metadata *_metadata, uint32_t leaf,
			uint32_t cr4, uint32_t *edx, uint32_t *ecx)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	uint8_t *mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	struct kvmini_vcpu *vcpu = kvmini_vcpu_create(vm, VCPU_ID);
	struct kvmini_sregs sregs;
	struct kvmini_regs regs;

	memcpy(mem + GUEST_LOAD_ADDR, guest_cpuid_leaf_start,
	       guest_cpuid_leaf_end - guest_cpuid_leaf_start);
	kvmini_vcpu_setup_real_mode(vcpu, GUEST_LOAD_ADDR, 0x8000);
	kvmini_get_sregs(vcpu, &sregs);
	sregs.cr4 = cr4;
	kvmini_set_sregs(vcpu, &sregs);
	kvmini_get_regs(vcpu, &regs);
	regs.rax = leaf;
	kvmini_set_regs(vcpu, &regs);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	*edx = io_u32(vcpu);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	*ecx = io_u32(vcpu);
	guest_destroy(vcpu);
}

/*
 * Leaf 0xB's x2APIC id (EDX) is the vCPU's, as leaf 1's initial APIC id
 * already was; it used to be the id of the host CPU the vCPU ran on.
 */
TEST(topology_leaf_gives_vcpu_id)
{
	uint32_t edx, ecx;

	if (__get_cpuid_max(0, NULL) < 0xb) {
		TH_LOG("this CPU has no leaf 0xb: nothing to leak");
		return;
	}
	guest_cpuid(_metadata, 0xb, 0, &edx, &ecx);
	EXPECT_EQ(VCPU_ID, edx);
}

/*
 * CPUID.1:ECX.OSXSAVE reads the guest's CR4.OSXSAVE, not the host's:
 * clear for a real-mode guest, set once the guest's CR4 has it.
 */
TEST(osxsave_follows_guest_cr4)
{
	unsigned int a, b, c, d;
	uint32_t edx, ecx;

	__cpuid(1, a, b, c, d);
	guest_cpuid(_metadata, 1, 0, &edx, &ecx);
	EXPECT_EQ(0, ecx & CPUID1_OSXSAVE);
	if (!(c & CPUID1_XSAVE)) {
		TH_LOG("no XSAVE here: CR4.OSXSAVE cannot be set");
		return;
	}
	guest_cpuid(_metadata, 1, CR4_OSXSAVE, &edx, &ecx);
	EXPECT_EQ(CPUID1_OSXSAVE, ecx & CPUID1_OSXSAVE);
}

/*
 * A hypercall from the guest's user mode (CPL 3) in a VM that opted in
 * to hypercalls: it fails with -KVM_EPERM (-1) in RAX, as on KVM, and
 * never reaches the VMM.  Before, it came out as a hypercall exit.
 */
GUEST_CODE32(user_hypercall,
	"	mov $0x1234, %eax\n"
	"	cmpb $0, (guest_user_hypercall_svm - guest_user_hypercall_start + 0x1000)\n"
	"	jz 1f\n"
	"	vmmcall\n"
	"	jmp 2f\n"
	"1:	vmcall\n"
	"2:	out %eax, $0x30\n"
	"	out %al, $0x3f\n"
	"guest_user_hypercall_svm:\n"
	"	.byte 0\n");
extern const unsigned char guest_user_hypercall_svm[];

TEST(hypercall_from_user_mode_eperm)
{
	struct kvmini_vm *vm = kvmini_vm_create_on(KVMINI_BACKEND_KVMINI,
						   KVMINI_VM_HYPERCALLS);
	struct kvmini_vcpu *vcpu;
	uint8_t *mem;

	vcpu = ring3_guest_in(vm, guest_user_hypercall_start,
			      guest_user_hypercall_end, &mem, 0, 0x8000);
	mem[GUEST_ADDR(user_hypercall, svm)] =
		ioctl(vm->sys_fd, KVMINI_CHECK_CAP, KVMINI_CAP_VENDOR) ==
		KVMINI_VENDOR_SVM;
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_STREQ("io", kvmini_exit_name(vcpu->run->exit_reason));
	EXPECT_EQ(0x30, vcpu->run->io.port);
	EXPECT_EQ(0xffffffff, io_u32(vcpu));
	guest_destroy(vcpu);
}

/*
 * RUN that fails leaves no kernel-only reason in the run page: a vCPU
 * without memory ends RUN with EFAULT while handling a "gpa_map" exit,
 * which userspace must not see.
 */
TEST(efault_leaves_no_kernel_reason)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	struct kvmini_vcpu *vcpu = kvmini_vcpu_create(vm, 0);

	kvmini_vcpu_setup_real_mode(vcpu, GUEST_LOAD_ADDR, 0x8000);
	vcpu->run->exit_reason = KVMINI_EXIT_HLT;
	EXPECT_ERRNO(EFAULT, ioctl(vcpu->fd, KVMINI_RUN, 0));
	EXPECT_STREQ("none", kvmini_exit_name(vcpu->run->exit_reason));
	kvmini_vcpu_free(vcpu);
	kvmini_vm_free(vm);
}

TEST_HARNESS_MAIN
