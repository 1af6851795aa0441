// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_hold.c - keep a KVM VM alive until killed, so KVM holds VMX/SVM
 * and in-vm-tests.sh can check that kvmini then refuses to load.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR);
	int vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);

	if (vm < 0) {
		perror("kvm_hold: KVM_CREATE_VM");
		return 1;
	}
	for (;;)
		pause();
}
