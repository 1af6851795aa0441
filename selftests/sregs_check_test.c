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

/*
 * The state a plain 32-bit protected-mode guest starts in, and one bad
 * change at a time: each is refused with EINVAL on both vendors, and
 * the good state still goes in afterwards.  Before, VMX took CR8 > 15
 * and dropped reserved CR0/CR4 bits, SVM failed the entry instead.
 */
GUEST_CODE32(idle,
	"	hlt\n");

#define EXPECT_SREGS_REJECTED(change)					\
	do {								\
		struct kvmini_sregs bad = good;				\
									\
		change;							\
		EXPECT_ERRNO(EINVAL, set_sregs(vcpu, &bad));		\
		EXPECT_EQ(0, set_sregs(vcpu, &good));			\
	} while (0)

static struct kvmini_vcpu *prot_idle(struct kvmini_sregs *good)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	uint8_t *mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	struct kvmini_vcpu *vcpu = kvmini_vcpu_create(vm, 0);

	kvmini_vcpu_setup_protected_mode(vcpu, mem, GUEST_LOAD_ADDR, 0x8000);
	kvmini_get_sregs(vcpu, good);
	return vcpu;
}

TEST(cr8_above_15)
{
	struct kvmini_sregs good;
	struct kvmini_vcpu *vcpu = prot_idle(&good);

	EXPECT_SREGS_REJECTED(bad.cr8 = 16);
	EXPECT_SREGS_REJECTED(bad.cr8 = 1ull << 63);
	guest_destroy(vcpu);
}

TEST(cr0_reserved_and_inconsistent)
{
	struct kvmini_sregs good;
	struct kvmini_vcpu *vcpu = prot_idle(&good);

	EXPECT_SREGS_REJECTED(bad.cr0 |= 1ull << 6);	/* reserved */
	EXPECT_SREGS_REJECTED(bad.cr0 |= 1ull << 32);
	EXPECT_SREGS_REJECTED(bad.cr0 = 0x80000010);	/* PG without PE */
	EXPECT_SREGS_REJECTED(bad.cr0 |= 1ull << 29);	/* NW without CD */
	guest_destroy(vcpu);
}

TEST(cr4_reserved)
{
	struct kvmini_sregs good;
	struct kvmini_vcpu *vcpu = prot_idle(&good);

	EXPECT_SREGS_REJECTED(bad.cr4 |= 1ull << 15);	/* reserved */
	EXPECT_SREGS_REJECTED(bad.cr4 |= 1ull << 13);	/* VMXE: not offered */
	EXPECT_SREGS_REJECTED(bad.cr4 |= 1ull << 32);
	guest_destroy(vcpu);
}

TEST(long_mode_consistency)
{
	struct kvmini_sregs good;
	struct kvmini_vcpu *vcpu = prot_idle(&good);

	EXPECT_SREGS_REJECTED(bad.efer = 0x400);	/* LMA alone */
	EXPECT_SREGS_REJECTED(bad.cs.l = 1);		/* 64-bit CS, no LMA */
	/* LME and PG without PAE. */
	EXPECT_SREGS_REJECTED(bad.efer = 0x500; bad.cr0 |= 0x80000000);
	EXPECT_SREGS_REJECTED(bad.cr3 = 1ull << 62);	/* beyond MAXPHYADDR */
	guest_destroy(vcpu);
}

TEST(bases_the_cpu_loads)
{
	struct kvmini_sregs good;
	struct kvmini_vcpu *vcpu = prot_idle(&good);

	EXPECT_SREGS_REJECTED(bad.fs.base = 0x8000000000000000ull);
	EXPECT_SREGS_REJECTED(bad.gdt.base = 0x0100000000000000ull);
	EXPECT_SREGS_REJECTED(bad.cs.base = 1ull << 32);
	EXPECT_SREGS_REJECTED(bad.ss.base = 1ull << 32);
	guest_destroy(vcpu);
}

/*
 * An exception kvmini holds for the guest when userspace changes the
 * mode under it.  Here a #GP with an error code (a bad selector loaded
 * into DS, 32-bit protected mode) waits, because the guest's IDT is not
 * in memory (finding 9: RUN ends unhandled, the #GP stays queued).
 * Userspace then switches the vCPU to real mode, where exceptions have
 * no error code, with an IVT whose #GP vector leads to an OUT to 0x33.
 * On VMX the queued error code made every later entry fail.
 */
GUEST_CODE32(bad_selector,
	"	mov $0x1234, %ax\n"
	"	mov %ax, %ds\n"			/* #GP(0x1234) */
	"	hlt\n");

static void real_mode_segment(struct kvmini_segment *s, uint8_t type)
{
	*s = (struct kvmini_segment) {
		.limit = 0xffff, .type = type, .present = 1, .s = 1,
	};
}

TEST(queued_exception_after_mode_change)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	uint8_t *mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	struct kvmini_vcpu *vcpu = kvmini_vcpu_create(vm, 0);
	static const uint8_t handler[] = { 0xe6, 0x33, 0xf4 };	/* out; hlt */
	struct kvmini_sregs sregs;
	struct kvmini_segment *seg;

	memcpy(mem + GUEST_LOAD_ADDR, guest_bad_selector_start,
	       guest_bad_selector_end - guest_bad_selector_start);
	kvmini_vcpu_setup_protected_mode(vcpu, mem, GUEST_LOAD_ADDR, 0x8000);
	kvmini_get_sregs(vcpu, &sregs);
	sregs.idt.base = 0xd0000000;		/* no memory there */
	sregs.idt.limit = 0x7ff;
	kvmini_set_sregs(vcpu, &sregs);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_UNHANDLED);

	/* Real mode, IVT vector 13 -> 0000:5000. */
	memcpy(mem + 0x5000, handler, sizeof(handler));
	*(uint32_t *)(mem + 13 * 4) = 0x5000;
	kvmini_get_sregs(vcpu, &sregs);
	sregs.cr0 = 0x10;
	sregs.cr4 = 0;
	sregs.efer = 0;
	real_mode_segment(&sregs.cs, 11);
	for (seg = &sregs.ds; seg <= &sregs.ss; seg++)
		real_mode_segment(seg, 3);
	sregs.idt.base = 0;
	sregs.idt.limit = 0x3ff;
	kvmini_set_sregs(vcpu, &sregs);

	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	EXPECT_EQ(0x33, vcpu->run->io.port);
	guest_destroy(vcpu);
}

/*
 * The guest itself sets a CR4 bit kvmini does not offer: #GP, as for a
 * reserved bit, on both vendors.  VMX exits on it (the bit is
 * host-owned) - VMXE used to end RUN as unhandled there, PKE went
 * through; SVM intercepts every MOV to CR4.  A bit it offers goes in.
 * The IDT at 0x3000 sends every vector to a handler on port 0x31.
 */
GUEST_CODE32(set_cr4_bit,
	"	call 1f\n"
	"1:	pop %esi\n"
	"	lea (gp - 1b)(%esi), %edx\n"
	"	mov $0x3000, %edi\n"
	"	mov $32, %ecx\n"
	"2:	mov %dx, (%edi)\n"
	"	movw $0x10, 2(%edi)\n"
	"	movw $0x8e00, 4(%edi)\n"
	"	mov %edx, %eax\n"
	"	shr $16, %eax\n"
	"	mov %ax, 6(%edi)\n"
	"	add $8, %edi\n"
	"	loop 2b\n"
	"	lidt (idtr - 1b)(%esi)\n"
	"	mov %cr4, %eax\n"
	"	or %ebx, %eax\n"
	"	mov %eax, %cr4\n"
	"	out %al, $0x30\n"
	"	hlt\n"
	"gp:	out %al, $0x31\n"
	"	hlt\n"
	"idtr:	.word 32 * 8 - 1\n"
	"	.long 0x3000\n");

static int guest_sets_cr4(struct __test_metadata *_metadata, uint32_t bit,
			  uint64_t *cr4)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	uint8_t *mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	struct kvmini_vcpu *vcpu = kvmini_vcpu_create(vm, 0);
	struct kvmini_sregs sregs;
	struct kvmini_regs regs;
	int port;

	memcpy(mem + GUEST_LOAD_ADDR, guest_set_cr4_bit_start,
	       guest_set_cr4_bit_end - guest_set_cr4_bit_start);
	kvmini_vcpu_setup_protected_mode(vcpu, mem, GUEST_LOAD_ADDR, 0x8000);
	kvmini_get_regs(vcpu, &regs);
	regs.rbx = bit;
	kvmini_set_regs(vcpu, &regs);
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	EXPECT_STREQ("io", kvmini_exit_name(vcpu->run->exit_reason));
	port = vcpu->run->io.port;
	kvmini_get_sregs(vcpu, &sregs);
	*cr4 = sregs.cr4;
	guest_destroy(vcpu);
	return port;
}

TEST(guest_cr4_bits_not_offered_gp)
{
	uint64_t cr4;

	EXPECT_EQ(0x31, guest_sets_cr4(_metadata, 1u << 13, &cr4)); /* VMXE */
	EXPECT_EQ(0, cr4 & (1u << 13));
	EXPECT_EQ(0x31, guest_sets_cr4(_metadata, 1u << 22, &cr4)); /* PKE */
	EXPECT_EQ(0, cr4 & (1u << 22));
	EXPECT_EQ(0x30, guest_sets_cr4(_metadata, 1u << 7, &cr4));  /* PGE */
	EXPECT_EQ(1u << 7, cr4 & (1u << 7));
}

TEST_HARNESS_MAIN
