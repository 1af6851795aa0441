// SPDX-License-Identifier: GPL-2.0
/*
 * sregs_check_test.c - SET_SREGS takes only state both backends can run,
 * and rejects the same invalid state on both with EINVAL.
 */
#include "kvmini_test.h"
#include "ring3.h"

static int set_sregs(struct kvmini_vcpu *vcpu, struct kvmini_sregs *s)
{
	return ioctl(vcpu->fd, KVMINI_SET_SREGS, s);
}

/*
 * A ring-3 guest makes a system call through an interrupt gate: the CPU
 * switches to the ring-0 stack the TSS names.  With TR set as a busy
 * TSS - the only kind VMX enters with, and what the CPU caches - QEMU's
 * TCG aborted the whole emulator ("qemu: fatal: invalid tss type") on
 * qemu-svm before kvmini began to give SVM an available one.
 */
GUEST_CODE32(syscall_gate,
	"	int $0x20\n"
	"	out %al, $0x30\n"
	"	out %al, $0x3f\n"
	"guest_syscall_gate_handler:\n"
	"	mov %esp, %eax\n"
	"	out %eax, $0x31\n"		/* on the ring-0 stack */
	"	iret\n");
extern const unsigned char guest_syscall_gate_handler[];

TEST(stack_switch_through_busy_tss)
{
	struct kvmini_sregs sregs;
	struct kvmini_vcpu *vcpu;
	uint32_t esp;
	uint8_t *mem;

	vcpu = RING3_GUEST(syscall_gate, &mem, 0, 0x8000);
	set_gate_dpl(mem, 0x20, SEL_CODE0,
		     GUEST_ADDR(syscall_gate, handler), 3);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	ASSERT_EQ(0x31, vcpu->run->io.port);
	memcpy(&esp, kvmini_io_data(vcpu), 4);
	EXPECT_EQ(RING0_STACK - 5 * 4, esp);	/* EIP, CS, EFLAGS, ESP, SS */
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	EXPECT_EQ(0x30, vcpu->run->io.port);
	kvmini_get_sregs(vcpu, &sregs);
	EXPECT_EQ(11, sregs.tr.type);
	guest_destroy(vcpu);
}

/* TR: a present, busy TSS; 32-bit in long mode. */
TEST(tr_must_be_busy_tss)
{
	struct kvmini_vcpu *vcpu;
	struct kvmini_sregs good, bad;
	uint8_t *mem;

	vcpu = RING3_GUEST(syscall_gate, &mem, 0, 0x8000);
	kvmini_get_sregs(vcpu, &good);

	bad = good;
	bad.tr.type = 9;		/* available */
	EXPECT_ERRNO(EINVAL, set_sregs(vcpu, &bad));
	bad = good;
	bad.tr.present = 0;
	EXPECT_ERRNO(EINVAL, set_sregs(vcpu, &bad));
	bad = good;
	bad.tr.unusable = 1;
	EXPECT_ERRNO(EINVAL, set_sregs(vcpu, &bad));
	bad = good;
	bad.tr.s = 1;
	EXPECT_ERRNO(EINVAL, set_sregs(vcpu, &bad));
	bad = good;
	bad.tr.type = 3;		/* 16-bit busy: fine outside long mode */
	EXPECT_EQ(0, set_sregs(vcpu, &bad));
	EXPECT_EQ(0, set_sregs(vcpu, &good));
	guest_destroy(vcpu);
}

/* LDTR: unusable, or a present LDT. */
TEST(ldt_must_be_ldt)
{
	struct kvmini_vcpu *vcpu;
	struct kvmini_sregs good, bad;
	uint8_t *mem;

	vcpu = RING3_GUEST(syscall_gate, &mem, 0, 0x8000);
	kvmini_get_sregs(vcpu, &good);
	bad = good;
	bad.ldt = (struct kvmini_segment) { .type = 9, .present = 1 };
	EXPECT_ERRNO(EINVAL, set_sregs(vcpu, &bad));
	bad.ldt = (struct kvmini_segment) { .type = 2, .present = 1 };
	EXPECT_EQ(0, set_sregs(vcpu, &bad));
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
