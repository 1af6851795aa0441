// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_helper.c - what the in-VM script needs from KVM itself:
 *
 *   kvm_helper hold    keep a KVM VM open until killed, so KVM holds
 *                      VMX/SVM and kvmini must refuse to load;
 *   kvm_helper hello   run a real-mode guest that writes "Hello" to port
 *                      0xf1, to show KVM works after kvmini is unloaded.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

static int die(const char *what)
{
	perror(what);
	return 1;
}

/* "Hello" through port 0xf1, then hlt; loaded at 0x1000. */
static const unsigned char hello[] = {
	0xbe, 0x0d, 0x10,	/* mov $0x100d, %si */
	0xac,			/* 1: lodsb */
	0x84, 0xc0,		/* test %al, %al */
	0x74, 0x04,		/* jz 2f */
	0xe6, 0xf1,		/* out %al, $0xf1 */
	0xeb, 0xf7,		/* jmp 1b */
	0xf4,			/* 2: hlt */
	'H', 'e', 'l', 'l', 'o', 0,
};

static int run_hello(int kvm, int vm)
{
	struct kvm_userspace_memory_region region = {
		.memory_size = 0x10000,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 2 };
	struct kvm_run *run;
	char out[16] = "";
	int vcpu, n = 0;
	void *mem;

	mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy((char *)mem + 0x1000, hello, sizeof(hello));
	region.userspace_addr = (unsigned long)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		return die("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return die("KVM_CREATE_VCPU");
	run = mmap(NULL, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0),
		   PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		return die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) ||
	    ioctl(vcpu, KVM_SET_REGS, &regs))
		return die("KVM_SET_REGS");
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0))
			return die("KVM_RUN");
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		if (run->exit_reason != KVM_EXIT_IO || n >= 15) {
			fprintf(stderr, "kvm_helper: exit %u\n",
				run->exit_reason);
			return 1;
		}
		out[n++] = *((char *)run + run->io.data_offset);
	}
	printf("%s\n", out);
	return strcmp(out, "Hello") != 0;
}

int main(int argc, char **argv)
{
	int kvm = open("/dev/kvm", O_RDWR);
	int vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);

	if (vm < 0)
		return die("kvm_helper: KVM_CREATE_VM");
	if (argc > 1 && !strcmp(argv[1], "hello"))
		return run_hello(kvm, vm);
	for (;;)
		pause();
}
