// SPDX-License-Identifier: GPL-2.0
/*
 * module_ref_test.c - what keeps kvmini.ko loaded.  Exactly its open
 * files do: each kvmini fd holds one module reference, taken by the VFS
 * and dropped only after the file's release has returned.  A reference
 * the module took and dropped itself could be the last one while its
 * own release code still had to return (from the code: no emulator
 * shows freed module text).  What a test can see is the count: no more
 * references than open files, in any order of closing.
 */
#include <stdio.h>
#include "kvmini_test.h"

static long module_refs(void)
{
	FILE *f = fopen("/sys/module/kvmini/refcnt", "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/*
 * /dev/kvmini, a VM, a vCPU and a stats fd of each: four, then five
 * references.  Closing the device and the VM fd leaves the vCPU and the
 * stats fds - and their references only: before, the VM kept one more
 * of its own until its last file went.
 */
TEST(references_follow_open_files)
{
	long base = module_refs();
	int sys, vm, vcpu, vm_stats, vcpu_stats;

	ASSERT_LE(0, base);
	sys = open("/dev/kvmini", O_RDWR);
	ASSERT_LE(0, sys);
	EXPECT_EQ(base + 1, module_refs());
	vm = ioctl(sys, KVMINI_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	EXPECT_EQ(base + 2, module_refs());
	vcpu = ioctl(vm, KVMINI_CREATE_VCPU, 0);
	ASSERT_LE(0, vcpu);
	EXPECT_EQ(base + 3, module_refs());
	vm_stats = ioctl(vm, KVMINI_GET_STATS_FD, 0);
	vcpu_stats = ioctl(vcpu, KVMINI_GET_STATS_FD, 0);
	ASSERT_LE(0, vm_stats);
	ASSERT_LE(0, vcpu_stats);
	EXPECT_EQ(base + 5, module_refs());

	close(sys);
	close(vm);
	EXPECT_EQ(base + 3, module_refs());
	/* The vCPU stats fd keeps the vCPU's file, and with it the VM. */
	close(vcpu);
	EXPECT_EQ(base + 3, module_refs());
	close(vcpu_stats);
	EXPECT_EQ(base + 1, module_refs());
	/* The last holder of the VM. */
	close(vm_stats);
	EXPECT_EQ(base, module_refs());
}

/* A VM whose only file is its vCPU: that file is the last reference. */
TEST(vcpu_fd_alone_holds_the_module)
{
	long base = module_refs();
	int sys, vm, vcpu;

	sys = open("/dev/kvmini", O_RDWR);
	vm = ioctl(sys, KVMINI_CREATE_VM, 0);
	vcpu = ioctl(vm, KVMINI_CREATE_VCPU, 0);
	ASSERT_LE(0, vcpu);
	close(vm);
	close(sys);
	EXPECT_EQ(base + 1, module_refs());
	close(vcpu);
	EXPECT_EQ(base, module_refs());
}

TEST_HARNESS_MAIN
