// SPDX-License-Identifier: GPL-2.0
/*
 * hypercall_test.c - VMCALL/VMMCALL: an exit to userspace when the VM
 * asked for hypercalls (KVMINI_VM_HYPERCALLS); when not, the error KVM
 * gives for a hypercall it does not know (-KVM_ENOSYS in RAX).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include "kvmini_test.h"

/*
 * Real mode.  IVT vector 6 (#UD) reports through port 0x31.  The
 * hypercall's result comes back through port 0x30.  The test patches the
 * instruction to VMMCALL on SVM.
 */
GUEST_CODE16(hypercall,
	"	call 1f\n"
	"1:	pop %bx\n"
	"	add $(ud_handler - 1b), %bx\n"
	"	movw %bx, 6 * 4\n"
	"	movw $0, 6 * 4 + 2\n"
	"	mov $42, %eax\n"
	"	mov $1, %ebx\n"
	"	mov $2, %ecx\n"
	"	mov $3, %edx\n"
	"	mov $4, %esi\n"
	"	mov $5, %edi\n"
	"hypercall_insn:\n"
	"	vmcall\n"
	"	out %eax, $0x30\n"
	"	hlt\n"
	"ud_handler:\n"
	"	out %al, $0x31\n"
	"	hlt\n");

static struct kvmini_vcpu *hypercall_guest(unsigned long vm_flags)
{
	struct kvmini_vm *vm = kvmini_vm_create_on(KVMINI_BACKEND_KVMINI,
						   vm_flags);
	size_t len = guest_hypercall_end - guest_hypercall_start;
	struct kvmini_vcpu *vcpu;
	uint8_t *mem, *insn;

	mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	memcpy(mem + GUEST_LOAD_ADDR, guest_hypercall_start, len);
	/* vmcall is 0f 01 c1; AMD's vmmcall is 0f 01 d9. */
	insn = memmem(mem + GUEST_LOAD_ADDR, len, "\x0f\x01\xc1", 3);
	if (insn && ioctl(vm->sys_fd, KVMINI_CHECK_CAP, KVMINI_CAP_VENDOR) ==
		    KVMINI_VENDOR_SVM)
		insn[2] = 0xd9;
	vcpu = kvmini_vcpu_create(vm, 0);
	kvmini_vcpu_setup_real_mode(vcpu, GUEST_LOAD_ADDR, 0x8000);
	return vcpu;
}

TEST(hypercall_exit)
{
	struct kvmini_vcpu *vcpu = hypercall_guest(KVMINI_VM_HYPERCALLS);
	struct kvmini_run *run = vcpu->run;
	uint32_t echo;
	int i;

	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_EQ(KVMINI_EXIT_HYPERCALL, run->exit_reason);
	EXPECT_EQ(42, run->hypercall.nr);
	for (i = 0; i < 5; i++)
		EXPECT_EQ(i + 1, run->hypercall.args[i]);
	run->hypercall.ret = 0x600d;
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_EQ(KVMINI_EXIT_IO, run->exit_reason);
	EXPECT_EQ(0x30, run->io.port);
	memcpy(&echo, kvmini_io_data(vcpu), 4);
	EXPECT_EQ(0x600d, echo);
	EXPECT_EQ(1, kvmini_exit_count(vcpu, KVMINI_EXIT_HYPERCALL));
	guest_destroy(vcpu);
}

/* No #UD: the guest goes on after the instruction with RAX = -1000. */
TEST(hypercall_without_opt_in_is_enosys)
{
	struct kvmini_vcpu *vcpu = hypercall_guest(0);
	uint32_t eax;

	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_EQ(KVMINI_EXIT_IO, vcpu->run->exit_reason);
	EXPECT_EQ(0x30, vcpu->run->io.port);
	memcpy(&eax, kvmini_io_data(vcpu), 4);
	EXPECT_EQ((uint32_t)-1000, eax);
	EXPECT_EQ(1, kvmini_exit_count(vcpu, KVMINI_EXIT_HYPERCALL));
	guest_destroy(vcpu);
}

TEST(hypercall_cap)
{
	int fd = open("/dev/kvmini", O_RDWR);

	EXPECT_EQ(1, ioctl(fd, KVMINI_CHECK_CAP, KVMINI_CAP_HYPERCALLS));
	close(fd);
}

TEST_HARNESS_MAIN
