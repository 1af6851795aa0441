// SPDX-License-Identifier: GPL-2.0
/*
 * system_test.c - the ioctls of /dev/kvmini itself: API version,
 * capabilities, VM creation, the run page size, and what is not an ioctl.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "kvmini_test.h"

FIXTURE(sys) {
	int fd;
};

FIXTURE_SETUP(sys)
{
	self->fd = open("/dev/kvmini", O_RDWR);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(sys)
{
	close(self->fd);
}

TEST_F(sys, api_version)
{
	EXPECT_EQ(KVMINI_API_VERSION,
		  ioctl(self->fd, KVMINI_GET_API_VERSION, 0));
}

TEST_F(sys, api_version_nonzero_arg)
{
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, KVMINI_GET_API_VERSION, 1));
}

/* The vendor capability agrees with what the CPU advertises. */
TEST_F(sys, cap_vendor)
{
	char line[4096];
	int want = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");

	ASSERT_NE(NULL, f);
	while (!want && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		if (strstr(line, " vmx"))
			want = KVMINI_VENDOR_VMX;
		else if (strstr(line, " svm"))
			want = KVMINI_VENDOR_SVM;
	}
	fclose(f);
	ASSERT_NE(0, want);
	EXPECT_EQ(want, ioctl(self->fd, KVMINI_CHECK_CAP, KVMINI_CAP_VENDOR));
}

TEST_F(sys, cap_limits)
{
	EXPECT_EQ(KVMINI_MAX_VCPUS,
		  ioctl(self->fd, KVMINI_CHECK_CAP, KVMINI_CAP_MAX_VCPUS));
	EXPECT_EQ(KVMINI_MAX_MEM_SLOTS,
		  ioctl(self->fd, KVMINI_CHECK_CAP, KVMINI_CAP_MAX_SLOTS));
	EXPECT_EQ(KVMINI_MAX_PORT_HANDLERS,
		  ioctl(self->fd, KVMINI_CHECK_CAP, KVMINI_CAP_PORT_HANDLERS));
	EXPECT_EQ(1, ioctl(self->fd, KVMINI_CHECK_CAP, KVMINI_CAP_STATS_FD));
}

/* A misc device with a fixed minor, so devname aliases can create it. */
TEST_F(sys, device_number)
{
	struct stat st;

	ASSERT_EQ(0, stat("/dev/kvmini", &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(10, major(st.st_rdev));
	EXPECT_EQ(243, minor(st.st_rdev));
}

/* As with KVM, new userspace can probe an older module: 0, not an error. */
TEST_F(sys, cap_unknown)
{
	EXPECT_EQ(0, ioctl(self->fd, KVMINI_CHECK_CAP, 0));
	EXPECT_EQ(0, ioctl(self->fd, KVMINI_CHECK_CAP, 1000));
	EXPECT_EQ(0, ioctl(self->fd, KVMINI_CHECK_CAP, ~0UL));
}

/* The ioctl code is kvmini's own, not one registered to nsfs (0xB7). */
TEST_F(sys, ioctl_magic)
{
	EXPECT_EQ(0xA9, _IOC_TYPE(KVMINI_CHECK_CAP));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(0xB7, 0x01), 0));
}

TEST_F(sys, vcpu_mmap_size)
{
	EXPECT_EQ(getpagesize(),
		  ioctl(self->fd, KVMINI_GET_VCPU_MMAP_SIZE, 0));
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, KVMINI_GET_VCPU_MMAP_SIZE, 1));
}

TEST_F(sys, create_vm)
{
	int vm = ioctl(self->fd, KVMINI_CREATE_VM, 0);

	ASSERT_LE(0, vm);
	/* The fd is close-on-exec, like every fd kvmini hands out. */
	EXPECT_EQ(FD_CLOEXEC, fcntl(vm, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, close(vm));
}

TEST_F(sys, create_vm_flags)
{
	int vm = ioctl(self->fd, KVMINI_CREATE_VM, KVMINI_VM_HYPERCALLS);

	EXPECT_LE(0, vm);
	close(vm);
	vm = ioctl(self->fd, KVMINI_CREATE_VM, KVMINI_VM_FLAGS);
	EXPECT_LE(0, vm);
	close(vm);
	/* The first flag not defined. */
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, KVMINI_CREATE_VM,
				   (KVMINI_VM_FLAGS << 1) & ~KVMINI_VM_FLAGS));
	EXPECT_ERRNO(EINVAL, ioctl(self->fd, KVMINI_CREATE_VM, 1ul << 63));
}

TEST_F(sys, many_vms)
{
	int vms[16], i;

	for (i = 0; i < 16; i++) {
		vms[i] = ioctl(self->fd, KVMINI_CREATE_VM, 0);
		ASSERT_LE(0, vms[i]);
	}
	for (i = 0; i < 16; i++)
		EXPECT_EQ(0, close(vms[i]));
}

TEST_F(sys, unknown_ioctl)
{
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, _IO(KVMINI_IO, 0x7f), 0));
	/* vCPU and VM commands mean nothing on the system fd. */
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, KVMINI_RUN, 0));
	EXPECT_ERRNO(ENOTTY, ioctl(self->fd, KVMINI_CREATE_VCPU, 0));
}

TEST(bad_fd)
{
	int null = open("/dev/null", O_RDWR);

	EXPECT_ERRNO(EBADF, ioctl(-1, KVMINI_GET_API_VERSION, 0));
	/* Not a kvmini fd: the command is not the device's to answer. */
	ASSERT_LE(0, null);
	EXPECT_ERRNO(ENOTTY, ioctl(null, KVMINI_CREATE_VM, 0));
	close(null);
}

TEST(mmap_system_fd)
{
	int fd = open("/dev/kvmini", O_RDWR);

	ASSERT_LE(0, fd);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0));
	EXPECT_EQ(ENODEV, errno);
	close(fd);
}

TEST_HARNESS_MAIN
