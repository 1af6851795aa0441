// SPDX-License-Identifier: GPL-2.0
/*
 * memslot_test.c - KVMINI_SET_MEMORY_SLOT: good slots and every way to
 * get one wrong.  A rejected slot must leave the VM as it was, which the
 * tests check by adding the good slot afterwards.
 */
#include "kvmini_test.h"

#define MB	(1ull << 20)

FIXTURE(slot) {
	struct kvmini_vm *vm;
	void *mem;
	struct kvmini_memory_slot good;
};

FIXTURE_SETUP(slot)
{
	self->vm = kvmini_vm_create();
	self->mem = mmap(NULL, 4 * MB, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	self->good = (struct kvmini_memory_slot) {
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = 2 * MB,
		.userspace_addr = (uintptr_t)self->mem,
	};
}

FIXTURE_TEARDOWN(slot)
{
	kvmini_vm_free(self->vm);
	munmap(self->mem, 4 * MB);
}

static int set_slot(struct kvmini_vm *vm, struct kvmini_memory_slot *s)
{
	return ioctl(vm->fd, KVMINI_SET_MEMORY_SLOT, s);
}

/* The rejected slot changed nothing: the good one still goes in. */
#define EXPECT_REJECTED(err, bad)					\
	do {								\
		EXPECT_ERRNO(err, set_slot(self->vm, &(bad)));		\
		EXPECT_EQ(0, set_slot(self->vm, &self->good));		\
	} while (0)

TEST_F(slot, good)
{
	struct kvmini_memory_slot second = self->good;

	EXPECT_EQ(0, set_slot(self->vm, &self->good));
	second.slot = 1;
	second.guest_phys_addr = 16 * MB;
	second.userspace_addr += 2 * MB;
	EXPECT_EQ(0, set_slot(self->vm, &second));
}

TEST_F(slot, reserved_nonzero)
{
	struct kvmini_memory_slot bad = self->good;

	bad.reserved[3] = 1;
	EXPECT_REJECTED(EINVAL, bad);
}

TEST_F(slot, unknown_flags)
{
	struct kvmini_memory_slot bad = self->good;

	bad.flags = 1u << 31;
	EXPECT_REJECTED(EINVAL, bad);
}

TEST_F(slot, unaligned_gpa)
{
	struct kvmini_memory_slot bad = self->good;

	bad.guest_phys_addr = 0x800;
	EXPECT_REJECTED(EINVAL, bad);
}

TEST_F(slot, unaligned_size)
{
	struct kvmini_memory_slot bad = self->good;

	bad.memory_size = MB + 1;
	EXPECT_REJECTED(EINVAL, bad);
}

TEST_F(slot, unaligned_uaddr)
{
	struct kvmini_memory_slot bad = self->good;

	bad.userspace_addr += 8;
	EXPECT_REJECTED(EINVAL, bad);
}

TEST_F(slot, gpa_wraps)
{
	struct kvmini_memory_slot bad = self->good;

	bad.guest_phys_addr = -MB;
	EXPECT_REJECTED(EINVAL, bad);
}

TEST_F(slot, gpa_beyond_52_bits)
{
	struct kvmini_memory_slot bad = self->good;

	bad.guest_phys_addr = 1ull << 52;
	EXPECT_REJECTED(EINVAL, bad);
}

TEST_F(slot, slot_number_too_big)
{
	struct kvmini_memory_slot bad = self->good;

	bad.slot = KVMINI_MAX_MEM_SLOTS;
	EXPECT_REJECTED(EINVAL, bad);
}

TEST_F(slot, kernel_address)
{
	struct kvmini_memory_slot bad = self->good;

	bad.userspace_addr = 0xffff888000000000ull;
	EXPECT_REJECTED(EFAULT, bad);
}

TEST_F(slot, bad_pointer)
{
	EXPECT_ERRNO(EFAULT, ioctl(self->vm->fd, KVMINI_SET_MEMORY_SLOT,
				   NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->vm->fd, KVMINI_SET_MEMORY_SLOT,
				   (void *)8));
	EXPECT_EQ(0, set_slot(self->vm, &self->good));
}

TEST_F(slot, overlap)
{
	struct kvmini_memory_slot other = self->good;

	ASSERT_EQ(0, set_slot(self->vm, &self->good));
	other.slot = 1;
	other.guest_phys_addr = MB;	/* inside [0, 2 MiB) */
	EXPECT_ERRNO(EEXIST, set_slot(self->vm, &other));
	other.guest_phys_addr = 2 * MB;	/* just after: fine */
	EXPECT_EQ(0, set_slot(self->vm, &other));
}

TEST_F(slot, overlap_from_below)
{
	struct kvmini_memory_slot high = self->good, low = self->good;

	high.guest_phys_addr = 4 * MB;
	ASSERT_EQ(0, set_slot(self->vm, &high));
	low.slot = 1;
	low.guest_phys_addr = 3 * MB;	/* [3, 5) meets [4, 6) */
	EXPECT_ERRNO(EEXIST, set_slot(self->vm, &low));
}

TEST_F(slot, slot_in_use)
{
	struct kvmini_memory_slot again = self->good;

	ASSERT_EQ(0, set_slot(self->vm, &self->good));
	again.guest_phys_addr = 64 * MB;
	EXPECT_ERRNO(EEXIST, set_slot(self->vm, &again));
}

TEST_F(slot, delete_missing)
{
	struct kvmini_memory_slot del = { .slot = 5 };

	EXPECT_ERRNO(ENOENT, set_slot(self->vm, &del));
}

TEST_F(slot, delete_and_reuse)
{
	struct kvmini_memory_slot del = { .slot = 0 };

	ASSERT_EQ(0, set_slot(self->vm, &self->good));
	EXPECT_EQ(0, set_slot(self->vm, &del));
	/* The number and the range are free again. */
	EXPECT_EQ(0, set_slot(self->vm, &self->good));
}

/* Deleting takes only slot and size 0; anything else must be zero too. */
TEST_F(slot, delete_with_reserved)
{
	struct kvmini_memory_slot del = { .slot = 0, .reserved[0] = 1 };

	ASSERT_EQ(0, set_slot(self->vm, &self->good));
	EXPECT_ERRNO(EINVAL, set_slot(self->vm, &del));
	/* Still there. */
	EXPECT_ERRNO(EEXIST, set_slot(self->vm, &self->good));
}

TEST_F(slot, readonly_flag)
{
	struct kvmini_memory_slot ro = self->good;

	ro.flags = KVMINI_MEM_READONLY;
	EXPECT_EQ(0, set_slot(self->vm, &ro));
	EXPECT_EQ(1, ioctl(self->vm->sys_fd, KVMINI_CHECK_CAP,
			   KVMINI_CAP_READONLY_MEM));
}

TEST_F(slot, all_slots)
{
	struct kvmini_memory_slot s = self->good;
	int i;

	s.memory_size = 4096;
	for (i = 0; i < KVMINI_MAX_MEM_SLOTS; i++) {
		s.slot = i;
		s.guest_phys_addr = i * MB;
		ASSERT_EQ(0, set_slot(self->vm, &s));
	}
	/* There is no 33rd: slot numbers stop at the limit. */
	s.slot = KVMINI_MAX_MEM_SLOTS;
	s.guest_phys_addr = 64 * MB;
	EXPECT_ERRNO(EINVAL, set_slot(self->vm, &s));
}

TEST_F(slot, unknown_vm_ioctl)
{
	EXPECT_ERRNO(ENOTTY, ioctl(self->vm->fd, _IO(KVMINI_IO, 0x1f), 0));
	EXPECT_ERRNO(ENOTTY, ioctl(self->vm->fd, KVMINI_CREATE_VM, 0));
	EXPECT_ERRNO(ENOTTY, ioctl(self->vm->fd, KVMINI_RUN, 0));
}

TEST_HARNESS_MAIN
