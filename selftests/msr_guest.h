/* SPDX-License-Identifier: GPL-2.0 */
/*
 * msr_guest.h - one real-mode guest that writes an MSR and reads it back,
 * shared by the MSR tests.
 */
#ifndef KVMINI_MSR_GUEST_H
#define KVMINI_MSR_GUEST_H

#include "kvmini_test.h"

/*
 * Real mode.  The guest points IVT vector 13 (#GP) at a handler that
 * reports through port 0x31, then writes ECX with EDX:EAX, reads it back
 * and reports EAX and EDX through port 0x30.
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

/*
 * Run the guest on one MSR, on vCPU id of a VM created with flags: 1 if
 * it took #GP, else the value read back.
 */
static int msr_round_trip_on(struct __test_metadata *_metadata,
			     unsigned long flags, uint32_t id, uint32_t msr,
			     uint64_t value, uint64_t *read_back)
{
	struct kvmini_vm *vm = kvmini_vm_create_on(KVMINI_BACKEND_KVMINI,
						   flags);
	uint8_t *mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	struct kvmini_vcpu *vcpu;
	struct kvmini_regs regs;
	uint32_t lo, hi;
	int gp = 0;

	memcpy(mem + GUEST_LOAD_ADDR, guest_wrmsr_rdmsr_start,
	       guest_wrmsr_rdmsr_end - guest_wrmsr_rdmsr_start);
	vcpu = kvmini_vcpu_create(vm, id);
	kvmini_vcpu_setup_real_mode(vcpu, GUEST_LOAD_ADDR, 0x8000);
	kvmini_get_regs(vcpu, &regs);
	regs.rcx = msr;
	regs.rax = (uint32_t)value;
	regs.rdx = value >> 32;
	kvmini_set_regs(vcpu, &regs);
	EXPECT_EQ(0, kvmini_vcpu_run(vcpu));
	EXPECT_EQ(KVMINI_EXIT_IO, vcpu->run->exit_reason);
	if (vcpu->run->io.port == 0x31) {
		gp = 1;
	} else {
		memcpy(&lo, kvmini_io_data(vcpu), 4);
		EXPECT_EQ(0, kvmini_vcpu_run(vcpu));
		memcpy(&hi, kvmini_io_data(vcpu), 4);
		*read_back = (uint64_t)hi << 32 | lo;
	}
	EXPECT_LE(1, kvmini_exit_count(vcpu, KVMINI_EXIT_MSR));
	guest_destroy(vcpu);
	return gp;
}

/* The same on vCPU 0 of a plain VM. */
static int msr_round_trip(struct __test_metadata *_metadata, uint32_t msr,
			  uint64_t value, uint64_t *read_back)
{
	return msr_round_trip_on(_metadata, 0, 0, msr, value, read_back);
}

#endif /* KVMINI_MSR_GUEST_H */
