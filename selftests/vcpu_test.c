// SPDX-License-Identifier: GPL-2.0
/*
 * vcpu_test.c - KVMINI_CREATE_VCPU, the run page mapping, and the
 * register ioctls: round trips and rejected input that changes nothing.
 */
#include <sys/wait.h>
#include "kvmini_test.h"

FIXTURE(vcpu) {
	struct kvmini_vm *vm;
	struct kvmini_vcpu *vcpu;
};

FIXTURE_SETUP(vcpu)
{
	self->vm = kvmini_vm_create();
	self->vcpu = kvmini_vcpu_create(self->vm, 0);
}

FIXTURE_TEARDOWN(vcpu)
{
	kvmini_vcpu_free(self->vcpu);
	kvmini_vm_free(self->vm);
}

TEST_F(vcpu, id_too_big)
{
	EXPECT_ERRNO(EINVAL, ioctl(self->vm->fd, KVMINI_CREATE_VCPU,
				   KVMINI_MAX_VCPUS));
	EXPECT_ERRNO(EINVAL, ioctl(self->vm->fd, KVMINI_CREATE_VCPU, -1ul));
}

TEST_F(vcpu, id_in_use)
{
	EXPECT_ERRNO(EEXIST, ioctl(self->vm->fd, KVMINI_CREATE_VCPU, 0));
}

TEST_F(vcpu, max_vcpus)
{
	int fds[KVMINI_MAX_VCPUS], i;

	for (i = 1; i < KVMINI_MAX_VCPUS; i++) {
		fds[i] = ioctl(self->vm->fd, KVMINI_CREATE_VCPU, i);
		ASSERT_LE(0, fds[i]);
	}
	for (i = 1; i < KVMINI_MAX_VCPUS; i++)
		close(fds[i]);
	/* Closing a vCPU frees its id. */
	fds[1] = ioctl(self->vm->fd, KVMINI_CREATE_VCPU, 1);
	EXPECT_LE(0, fds[1]);
	close(fds[1]);
}

TEST_F(vcpu, run_page_starts_clear)
{
	EXPECT_EQ(KVMINI_EXIT_NONE, self->vcpu->run->exit_reason);
	EXPECT_EQ(0, self->vcpu->run->immediate_exit);
}

TEST_F(vcpu, mmap_bad_offset)
{
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED,
				   self->vcpu->fd, 4096));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(vcpu, mmap_too_big)
{
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED,
				   self->vcpu->fd, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(vcpu, regs_round_trip)
{
	struct kvmini_regs in = {
		.rax = 0x1111, .rbx = 0x2222, .rcx = 0x3333, .rdx = 0x4444,
		.rsi = 0x5555, .rdi = 0x6666, .rsp = 0x7777, .rbp = 0x8888,
		.r8 = 8, .r9 = 9, .r10 = 10, .r11 = 11, .r12 = 12, .r13 = 13,
		.r14 = 14, .r15 = 15, .rip = 0x1234, .rflags = 0x202,
	}, out;

	kvmini_set_regs(self->vcpu, &in);
	kvmini_get_regs(self->vcpu, &out);
	EXPECT_EQ(0, memcmp(&in, &out, sizeof(in)));
}

TEST_F(vcpu, regs_reserved_nonzero)
{
	struct kvmini_regs before, bad, after;

	kvmini_get_regs(self->vcpu, &before);
	bad = before;
	bad.rax = 0xdead;
	bad.reserved[0] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->vcpu->fd, KVMINI_SET_REGS, &bad));
	kvmini_get_regs(self->vcpu, &after);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
}

TEST_F(vcpu, regs_bad_rflags)
{
	struct kvmini_regs before, bad, after;

	kvmini_get_regs(self->vcpu, &before);
	bad = before;
	bad.rflags = 0;			/* bit 1 must be set */
	EXPECT_ERRNO(EINVAL, ioctl(self->vcpu->fd, KVMINI_SET_REGS, &bad));
	bad.rflags = 2 | (1ull << 40);	/* reserved */
	EXPECT_ERRNO(EINVAL, ioctl(self->vcpu->fd, KVMINI_SET_REGS, &bad));
	kvmini_get_regs(self->vcpu, &after);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
}

TEST_F(vcpu, regs_bad_pointer)
{
	EXPECT_ERRNO(EFAULT, ioctl(self->vcpu->fd, KVMINI_GET_REGS, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->vcpu->fd, KVMINI_SET_REGS, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(self->vcpu->fd, KVMINI_GET_SREGS, 8));
	EXPECT_ERRNO(EFAULT, ioctl(self->vcpu->fd, KVMINI_SET_SREGS, 8));
}

/* A new vCPU starts in real mode at 0000:0000. */
TEST_F(vcpu, sregs_reset_state)
{
	struct kvmini_sregs s;

	kvmini_get_sregs(self->vcpu, &s);
	EXPECT_EQ(0, s.cr0 & 1);
	EXPECT_EQ(0, s.cs.base);
	EXPECT_EQ(0, s.cs.selector);
	EXPECT_EQ(0xffff, s.cs.limit);
	EXPECT_EQ(1, s.cs.present);
	EXPECT_EQ(0, s.efer);
	EXPECT_EQ(0, s.reserved[0]);
}

TEST_F(vcpu, sregs_round_trip)
{
	struct kvmini_sregs in, out;

	kvmini_get_sregs(self->vcpu, &in);
	in.cs.selector = 0x100;
	in.cs.base = 0x1000;
	in.ds.base = 0x2000;
	in.ds.selector = 0x200;
	in.gdt.base = 0x3000;
	in.gdt.limit = 0x27;
	in.idt.base = 0x4000;
	in.idt.limit = 0x3ff;
	in.cr2 = 0x5000;
	in.cr3 = 0x6000;
	kvmini_set_sregs(self->vcpu, &in);
	kvmini_get_sregs(self->vcpu, &out);
	EXPECT_EQ(0, memcmp(&in, &out, sizeof(in)));
}

static void expect_sregs_rejected(struct __test_metadata *_metadata,
				  struct kvmini_vcpu *vcpu,
				  struct kvmini_sregs *bad)
{
	struct kvmini_sregs before, after;

	kvmini_get_sregs(vcpu, &before);
	EXPECT_ERRNO(EINVAL, ioctl(vcpu->fd, KVMINI_SET_SREGS, bad));
	kvmini_get_sregs(vcpu, &after);
	EXPECT_EQ(0, memcmp(&before, &after, sizeof(before)));
}

TEST_F(vcpu, sregs_reserved_nonzero)
{
	struct kvmini_sregs bad;

	kvmini_get_sregs(self->vcpu, &bad);
	bad.cs.base = 0x9000;
	bad.reserved[7] = 1;
	expect_sregs_rejected(_metadata, self->vcpu, &bad);
}

TEST_F(vcpu, sregs_segment_padding)
{
	struct kvmini_sregs bad;

	kvmini_get_sregs(self->vcpu, &bad);
	bad.ss.padding = 1;
	expect_sregs_rejected(_metadata, self->vcpu, &bad);
	kvmini_get_sregs(self->vcpu, &bad);
	bad.idt.padding[2] = 1;
	expect_sregs_rejected(_metadata, self->vcpu, &bad);
}

TEST_F(vcpu, sregs_segment_field_range)
{
	struct kvmini_sregs bad;

	kvmini_get_sregs(self->vcpu, &bad);
	bad.cs.type = 16;
	expect_sregs_rejected(_metadata, self->vcpu, &bad);
	kvmini_get_sregs(self->vcpu, &bad);
	bad.ds.dpl = 4;
	expect_sregs_rejected(_metadata, self->vcpu, &bad);
	kvmini_get_sregs(self->vcpu, &bad);
	bad.es.present = 2;
	expect_sregs_rejected(_metadata, self->vcpu, &bad);
}

TEST_F(vcpu, sregs_bad_efer)
{
	struct kvmini_sregs bad;

	kvmini_get_sregs(self->vcpu, &bad);
	bad.efer = 1ull << 12;		/* SVME is never the guest's */
	expect_sregs_rejected(_metadata, self->vcpu, &bad);
}

TEST_F(vcpu, unknown_vcpu_ioctl)
{
	EXPECT_ERRNO(ENOTTY, ioctl(self->vcpu->fd, _IO(KVMINI_IO, 0x2f), 0));
	EXPECT_ERRNO(ENOTTY, ioctl(self->vcpu->fd, KVMINI_CREATE_VCPU, 1));
	EXPECT_ERRNO(ENOTTY, ioctl(self->vcpu->fd, KVMINI_SET_MEMORY_SLOT,
				   NULL));
}

/* A VM or vCPU fd inherited across fork() is the parent's only. */
TEST_F(vcpu, other_process_gets_eio)
{
	struct kvmini_regs regs;
	int status;
	pid_t pid = fork();

	ASSERT_LE(0, pid);
	if (pid == 0) {
		int bad = 0;

		bad |= ioctl(self->vcpu->fd, KVMINI_GET_REGS, &regs) != -1 ||
		       errno != EIO;
		bad |= ioctl(self->vm->fd, KVMINI_CREATE_VCPU, 3) != -1 ||
		       errno != EIO;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* ... and the parent still works. */
	kvmini_get_regs(self->vcpu, &regs);
}

/* Closing the VM fd first is fine: the vCPU keeps the VM alive. */
TEST(close_vm_before_vcpu)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	struct kvmini_vcpu *vcpu = kvmini_vcpu_create(vm, 0);
	struct kvmini_regs regs;

	close(vm->fd);
	kvmini_get_regs(vcpu, &regs);
	kvmini_set_regs(vcpu, &regs);
	close(vcpu->fd);
	/* The run page mapping outlives both fds. */
	EXPECT_EQ(KVMINI_EXIT_NONE, vcpu->run->exit_reason);
	munmap(vcpu->run, getpagesize());
	close(vm->sys_fd);
}

TEST_HARNESS_MAIN
