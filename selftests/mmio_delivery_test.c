// SPDX-License-Identifier: GPL-2.0
/*
 * mmio_delivery_test.c - a guest-physical access outside every slot that
 * the instruction at RIP did not make: the CPU delivering an exception
 * through an IDT that is not in memory, or walking page tables that are
 * not.  That is no MMIO access: RUN must end with an unhandled exit,
 * RIP unmoved, and the exception must still be delivered once memory
 * is there.
 */
#include "kvmini_test.h"

#define IDT_GPA		0xd0000000ull	/* identity-mapped, no slot */
#define PDPT_GPA	0xd0001000ull
#define UNMAPPED	0x200000000ull	/* 8 GiB: past the identity map */
#define NONCANONICAL	0x8000000000000000ull
#define VEC_GP		13
#define VEC_PF		14

/*
 * The load at guest_delivery_mov faults (RDI says where); the handler,
 * once there is an IDT, reports the RIP its exception frame holds.
 */
GUEST_CODE64(delivery,
	"guest_delivery_mov:\n"
	"	mov (%rdi), %eax\n"
	"	out %al, $0x30\n"
	"	hlt\n"
	"guest_delivery_handler:\n"
	"	mov 8(%rsp), %rax\n"		/* past the error code */
	"	out %eax, $0x31\n"
	"	hlt\n");
extern const unsigned char guest_delivery_mov[], guest_delivery_handler[];

#define GUEST_ADDR(sym)	(GUEST_LOAD_ADDR + (sym - guest_delivery_start))

static struct kvmini_vcpu *delivery_guest(uint8_t **mem, uint64_t address)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	struct kvmini_vcpu *vcpu;
	struct kvmini_sregs sregs;
	struct kvmini_regs regs;

	*mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	memcpy(*mem + GUEST_LOAD_ADDR, guest_delivery_start,
	       guest_delivery_end - guest_delivery_start);
	vcpu = kvmini_vcpu_create(vm, 0);
	kvmini_vcpu_setup_long_mode(vcpu, *mem, GUEST_LOAD_ADDR, 0x8000);
	kvmini_get_sregs(vcpu, &sregs);
	sregs.idt.base = IDT_GPA;
	sregs.idt.limit = 256 * 16 - 1;
	kvmini_set_sregs(vcpu, &sregs);
	kvmini_get_regs(vcpu, &regs);
	regs.rdi = address;
	kvmini_set_regs(vcpu, &regs);
	return vcpu;
}

static uint64_t rip_of(struct kvmini_vcpu *vcpu)
{
	struct kvmini_regs regs;

	kvmini_get_regs(vcpu, &regs);
	return regs.rip;
}

/* RUN ends unhandled (not as MMIO), with RIP still at the load. */
static void expect_not_mmio(struct __test_metadata *_metadata,
			    struct kvmini_vcpu *vcpu)
{
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	EXPECT_STREQ("unhandled", kvmini_exit_name(vcpu->run->exit_reason));
	if (vcpu->run->exit_reason == KVMINI_EXIT_MMIO)
		TH_LOG("reported as a %u-byte MMIO %s of %#llx",
		       vcpu->run->mmio.len,
		       vcpu->run->mmio.is_write ? "write" : "read",
		       (unsigned long long)vcpu->run->mmio.phys_addr);
	EXPECT_EQ(GUEST_ADDR(guest_delivery_mov), rip_of(vcpu));
}

/*
 * With the IDT in memory now, the next RUN delivers the exception that
 * was waiting: the handler sees the load's address as the return RIP.
 */
static void expect_delivered(struct __test_metadata *_metadata,
			     struct kvmini_vcpu *vcpu, int vector)
{
	uint8_t *idt = kvmini_vm_add_memory(vcpu->vm, IDT_GPA, 4096);
	uint64_t handler = GUEST_ADDR(guest_delivery_handler);
	uint32_t *gate = (uint32_t *)(idt + vector * 16);
	uint32_t rip;

	gate[0] = KVMINI_SEL_CODE64 << 16 | (handler & 0xffff);
	gate[1] = (handler & 0xffff0000) | 0x8e00;	/* interrupt gate */
	gate[2] = handler >> 32;
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	ASSERT_EQ(0x31, vcpu->run->io.port);
	memcpy(&rip, kvmini_io_data(vcpu), 4);
	EXPECT_EQ(GUEST_ADDR(guest_delivery_mov), rip);
}

/*
 * #PF with the IDT outside every slot.  Before the fix (both SVM
 * targets) the IDT read came back as a 4-byte MMIO read by the MOV at
 * RIP, RIP moved past it, and the #PF was later delivered with the
 * wrong return address.
 */
TEST(page_fault_with_idt_in_mmio)
{
	struct kvmini_vcpu *vcpu;
	uint8_t *mem;

	vcpu = delivery_guest(&mem, UNMAPPED);
	expect_not_mmio(_metadata, vcpu);
	expect_delivered(_metadata, vcpu, VEC_PF);
	guest_destroy(vcpu);
}

/* #GP (a non-canonical load) with the IDT outside every slot. */
TEST(general_protection_with_idt_in_mmio)
{
	struct kvmini_vcpu *vcpu;
	uint8_t *mem;

	vcpu = delivery_guest(&mem, NONCANONICAL);
	expect_not_mmio(_metadata, vcpu);
	expect_delivered(_metadata, vcpu, VEC_GP);
	guest_destroy(vcpu);
}

/*
 * The guest's page-directory-pointer table for 512 GiB up is outside
 * every slot: translating the load's address reads it, which is no
 * access of the MOV either.
 */
TEST(page_walk_in_mmio)
{
	struct kvmini_vcpu *vcpu;
	uint64_t *pml4;
	uint8_t *mem;

	vcpu = delivery_guest(&mem, 512ull << 30);
	pml4 = (uint64_t *)(mem + KVMINI_SYS_BASE + 0x1000);
	pml4[1] = PDPT_GPA | 3;
	expect_not_mmio(_metadata, vcpu);
	guest_destroy(vcpu);
}

/* An ordinary MMIO load still is one. */
TEST(plain_mmio_load_still_mmio)
{
	struct kvmini_vcpu *vcpu;
	uint8_t *mem;

	vcpu = delivery_guest(&mem, IDT_GPA + 0x100);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_MMIO);
	EXPECT_EQ(IDT_GPA + 0x100, vcpu->run->mmio.phys_addr);
	EXPECT_EQ(4, vcpu->run->mmio.len);
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
