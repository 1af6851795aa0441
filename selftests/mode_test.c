// SPDX-License-Identifier: GPL-2.0
/*
 * mode_test.c - guests in 32-bit protected mode and 64-bit long mode, set
 * up by the library's GDT and identity page-table helpers; MMIO decoding
 * in each mode; a 1 GiB guest.
 */
#include "kvmini_test.h"

#define MMIO_ADDR	0xd0000000ull	/* identity-mapped, outside memory */

static struct kvmini_vcpu *mode_guest(const unsigned char *start,
				      const unsigned char *end, int long64,
				      size_t mem_size, uint8_t **mem_out)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	struct kvmini_vcpu *vcpu;
	uint8_t *mem = kvmini_vm_add_memory(vm, 0, mem_size);

	memcpy(mem + GUEST_LOAD_ADDR, start, end - start);
	vcpu = kvmini_vcpu_create(vm, 0);
	if (long64)
		kvmini_vcpu_setup_long_mode(vcpu, mem, GUEST_LOAD_ADDR, 0x8000);
	else
		kvmini_vcpu_setup_protected_mode(vcpu, mem, GUEST_LOAD_ADDR,
						 0x8000);
	if (mem_out)
		*mem_out = mem;
	return vcpu;
}

#define GUEST32(name) mode_guest(guest_##name##_start, guest_##name##_end, \
				 0, GUEST_MEM_SIZE, NULL)
#define GUEST64(name) mode_guest(guest_##name##_start, guest_##name##_end, \
				 1, GUEST_MEM_SIZE, NULL)

static uint64_t io_u32(struct kvmini_vcpu *vcpu)
{
	uint32_t v;

	memcpy(&v, kvmini_io_data(vcpu), 4);
	return v;
}

static uint64_t mmio_u64(struct kvmini_vcpu *vcpu)
{
	uint64_t v;

	memcpy(&v, vcpu->run->mmio.data, 8);
	return v;
}

/* 32-bit: port I/O, the stack, and MMIO with 32-bit addressing. */
GUEST_CODE32(prot,
	"	mov $0x11223344, %eax\n"
	"	push %eax\n"
	"	pop %ecx\n"
	"	out %eax, $0x30\n"
	"	mov $0xd0000000, %ebx\n"
	"	mov %ecx, 0x10(%ebx)\n"
	"	mov 0x20(%ebx), %edx\n"
	"	mov %edx, %eax\n"
	"	out %eax, $0x30\n"
	"	hlt\n");

TEST(protected_mode)
{
	struct kvmini_vcpu *vcpu = GUEST32(prot);
	struct kvmini_sregs sregs;

	kvmini_get_sregs(vcpu, &sregs);
	EXPECT_EQ(1, sregs.cr0 & 1);
	EXPECT_EQ(1, sregs.cs.db);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	EXPECT_EQ(0x11223344, io_u32(vcpu));
	expect_exit(_metadata, vcpu, KVMINI_EXIT_MMIO);
	EXPECT_EQ(MMIO_ADDR + 0x10, vcpu->run->mmio.phys_addr);
	EXPECT_EQ(4, vcpu->run->mmio.len);
	EXPECT_EQ(0x11223344, mmio_u64(vcpu));
	expect_exit(_metadata, vcpu, KVMINI_EXIT_MMIO);
	EXPECT_EQ(MMIO_ADDR + 0x20, vcpu->run->mmio.phys_addr);
	EXPECT_EQ(0, vcpu->run->mmio.is_write);
	memcpy(vcpu->run->mmio.data, "\x78\x56\x34\x12", 4);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	EXPECT_EQ(0x12345678, io_u32(vcpu));
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	guest_destroy(vcpu);
}

/*
 * 64-bit: 8-byte MMIO through the identity map, REX registers, a 32-bit
 * load that zero-extends, and a RIP-relative store.
 */
GUEST_CODE64(long64,
	"	mov $0x1122334455667788, %rax\n"
	"	mov $0xd0000000, %rbx\n"
	"	mov %rax, (%rbx)\n"		/* 8-byte store */
	"	mov $-1, %r9\n"
	"	mov 8(%rbx), %r9\n"		/* 8-byte load into r9 */
	"	mov %r9, %rax\n"
	"	shr $32, %rax\n"
	"	out %eax, $0x30\n"
	"	mov $-1, %r10\n"
	"	mov 16(%rbx), %r10d\n"		/* 4-byte load zero-extends */
	"	mov %r10, %rax\n"
	"	shr $32, %rax\n"
	"	out %eax, $0x30\n"
	"	movq $-2, 24(%rbx)\n"		/* imm32 sign-extended to 8 */
	"	hlt\n");

TEST(long_mode)
{
	struct kvmini_vcpu *vcpu = GUEST64(long64);
	struct kvmini_sregs sregs;

	kvmini_get_sregs(vcpu, &sregs);
	EXPECT_EQ(0x500, sregs.efer);
	EXPECT_EQ(1, sregs.cs.l);

	expect_exit(_metadata, vcpu, KVMINI_EXIT_MMIO);
	EXPECT_EQ(MMIO_ADDR, vcpu->run->mmio.phys_addr);
	EXPECT_EQ(8, vcpu->run->mmio.len);
	EXPECT_EQ(1, vcpu->run->mmio.is_write);
	EXPECT_EQ(0x1122334455667788ull, mmio_u64(vcpu));

	expect_exit(_metadata, vcpu, KVMINI_EXIT_MMIO);
	EXPECT_EQ(MMIO_ADDR + 8, vcpu->run->mmio.phys_addr);
	EXPECT_EQ(8, vcpu->run->mmio.len);
	memcpy(vcpu->run->mmio.data, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	EXPECT_EQ(0x08070605, io_u32(vcpu));

	expect_exit(_metadata, vcpu, KVMINI_EXIT_MMIO);
	EXPECT_EQ(4, vcpu->run->mmio.len);
	memcpy(vcpu->run->mmio.data, "\xaa\xbb\xcc\xdd", 4);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	EXPECT_EQ(0, io_u32(vcpu));

	expect_exit(_metadata, vcpu, KVMINI_EXIT_MMIO);
	EXPECT_EQ(8, vcpu->run->mmio.len);
	EXPECT_EQ(-2ull, mmio_u64(vcpu));
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	guest_destroy(vcpu);
}

/* The long-mode state reads back as it was set. */
TEST(long_mode_sregs_round_trip)
{
	struct kvmini_vcpu *vcpu = GUEST64(long64);
	struct kvmini_sregs a, b;

	kvmini_get_sregs(vcpu, &a);
	kvmini_set_sregs(vcpu, &a);
	kvmini_get_sregs(vcpu, &b);
	EXPECT_EQ(0, memcmp(&a, &b, sizeof(a)));
	guest_destroy(vcpu);
}

/* A 1 GiB guest writes its first and last pages; the host sees both. */
GUEST_CODE64(touch_gig,
	"	mov $0x3ffff000, %rbx\n"
	"	movl $0x1a57, (%rbx)\n"
	"	movl $0xf125, 0x2000\n"
	"	hlt\n");

TEST(one_gib_guest)
{
	uint8_t *mem;
	struct kvmini_vcpu *vcpu = mode_guest(guest_touch_gig_start,
					      guest_touch_gig_end, 1,
					      1ull << 30, &mem);

	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	EXPECT_EQ(0x1a57, *(uint32_t *)(mem + 0x3ffff000));
	EXPECT_EQ(0xf125, *(uint32_t *)(mem + 0x2000));
	guest_destroy(vcpu);
}

/* A page walk that finds nothing: the guest's own #PF, unhandled here. */
GUEST_CODE64(bad_pointer,
	"	mov $0x200000000, %rbx\n"	/* 8 GiB: not mapped */
	"	mov (%rbx), %eax\n"
	"	hlt\n");

TEST(guest_page_fault_is_not_mmio)
{
	struct kvmini_vcpu *vcpu = GUEST64(bad_pointer);

	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	/* No IDT: #PF escalates to a triple fault. */
	EXPECT_EQ(KVMINI_EXIT_SHUTDOWN, vcpu->run->exit_reason);
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
