// SPDX-License-Identifier: GPL-2.0
/*
 * insn_skip_test.c - the kernel steps over the instructions it emulates
 * (CPUID, RDMSR, WRMSR, HLT, hypercalls): RIP must land right after the
 * instruction, wherever it is and however it is encoded.
 */
#include "kvmini_test.h"

#define PAGE		4096ull
#define MB		(1ull << 20)

static uint64_t rip_of(struct kvmini_vcpu *vcpu)
{
	struct kvmini_regs regs;

	kvmini_get_regs(vcpu, &regs);
	return regs.rip;
}

static void set_rip(struct kvmini_vcpu *vcpu, uint64_t rip)
{
	struct kvmini_regs regs;

	kvmini_get_regs(vcpu, &regs);
	regs.rip = rip;
	regs.rax = 0;
	regs.rcx = 0;
	kvmini_set_regs(vcpu, &regs);
}

/* CPUID leaf 0 answered: EBX holds the first four vendor bytes. */
static void expect_cpuid_done(struct __test_metadata *_metadata,
			      struct kvmini_vcpu *vcpu)
{
	struct kvmini_regs regs;

	kvmini_get_regs(vcpu, &regs);
	EXPECT_NE(0, regs.rax);
	EXPECT_TRUE(regs.rbx == 0x756e6547 || regs.rbx == 0x68747541);
}

/*
 * Long mode, CPUID at 0xfffffffffffffffe: the next RIP is 0, where a HLT
 * waits.  The top 2 MiB of the address space map guest-physical 2 MiB
 * (PML4[511] -> PDPT[511] -> PD[511], a large page).  On SVM the next
 * RIP 0 hit WARN_ON_ONCE(!next_rip) and the vCPU re-executed CPUID in
 * the kernel until a signal: the harness's timeout ends that here.
 */
TEST(rip_wraps_to_zero_in_long_mode)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	uint8_t *mem = kvmini_vm_add_memory(vm, 0, 4 * MB);
	uint64_t *pml4 = (uint64_t *)(mem + KVMINI_SYS_BASE + 0x1000);
	uint64_t *pdpt_hi = (uint64_t *)(mem + 0x20000);
	uint64_t *pd_hi = (uint64_t *)(mem + 0x21000);
	struct kvmini_vcpu *vcpu = kvmini_vcpu_create(vm, 0);

	kvmini_vcpu_setup_long_mode(vcpu, mem, GUEST_LOAD_ADDR, 0x8000);
	pml4[511] = 0x20000 | 3;
	pdpt_hi[511] = 0x21000 | 3;
	pd_hi[511] = 0x200000 | 0x83;
	mem[0x3ffffe] = 0x0f;		/* cpuid */
	mem[0x3fffff] = 0xa2;
	mem[0] = 0xf4;			/* hlt at linear 0 */
	set_rip(vcpu, 0xfffffffffffffffeull);

	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	EXPECT_EQ(1, rip_of(vcpu));
	expect_cpuid_done(_metadata, vcpu);
	guest_destroy(vcpu);
}

/*
 * 32-bit protected mode without paging, CPUID at EIP 0xfffffffe: EIP
 * wraps to 0.  On VMX the skip wrote 0x100000000 to GUEST_RIP and the
 * next entry failed.
 */
TEST(eip_wraps_to_zero_in_protected_mode)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	uint8_t *mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	uint8_t *top = kvmini_vm_add_memory(vm, 0x100000000ull - PAGE, PAGE);
	struct kvmini_vcpu *vcpu = kvmini_vcpu_create(vm, 0);

	kvmini_vcpu_setup_protected_mode(vcpu, mem, GUEST_LOAD_ADDR, 0x8000);
	top[PAGE - 2] = 0x0f;		/* cpuid */
	top[PAGE - 1] = 0xa2;
	mem[0] = 0xf4;			/* hlt */
	set_rip(vcpu, 0xfffffffeull);

	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	EXPECT_EQ(1, rip_of(vcpu));
	expect_cpuid_done(_metadata, vcpu);
	guest_destroy(vcpu);
}

/* The same with HLT itself as the last byte below 4 GiB. */
TEST(hlt_at_top_of_4gib)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	uint8_t *mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	uint8_t *top = kvmini_vm_add_memory(vm, 0x100000000ull - PAGE, PAGE);
	struct kvmini_vcpu *vcpu = kvmini_vcpu_create(vm, 0);

	kvmini_vcpu_setup_protected_mode(vcpu, mem, GUEST_LOAD_ADDR, 0x8000);
	top[PAGE - 1] = 0xf4;
	set_rip(vcpu, 0xffffffffull);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	EXPECT_EQ(0, rip_of(vcpu));
	guest_destroy(vcpu);
}

/*
 * Prefixed forms of the instructions the kernel emulates, each followed
 * by an OUT that names it.  A skip that ignored the prefixes resumed in
 * the instruction's middle on SVM: after 66 0f a2 the a2 byte ran as
 * "mov %al, moffs16" and swallowed the OUT, after 2e 0f 32 the 32 byte
 * ran as "xor", after 2e f4 the HLT ran again.  The HLT tests read RIP:
 * it must be right after the f4.
 */
GUEST_CODE16(prefixed,
	"	xor %eax, %eax\n"
	"	.byte 0x66, 0x0f, 0xa2\n"		/* cpuid */
	"	out %al, $0x30\n"
	"	xor %eax, %eax\n"
	"	.byte 0xf3, 0x0f, 0xa2\n"		/* cpuid */
	"	out %al, $0x31\n"
	"	xor %eax, %eax\n"
	"	.byte 0x2e, 0x3e, 0x26, 0x64, 0x65, 0x66, 0x67, 0x0f, 0xa2\n"
	"	out %al, $0x32\n"
	"	mov $0x277, %ecx\n"			/* PAT */
	"	.byte 0x2e, 0x0f, 0x32\n"		/* rdmsr */
	"	out %al, $0x33\n"
	"	.byte 0x66, 0x3e, 0x0f, 0x30\n"	/* wrmsr, same value */
	"	out %al, $0x34\n"
	"	.byte 0x2e, 0xf4\n"			/* hlt */
	"guest_prefixed_hlt1:\n"
	"	out %al, $0x35\n"
	"	.byte 0xf3, 0x2e, 0xf4\n"		/* hlt */
	"guest_prefixed_hlt2:\n"
	"	out %al, $0x36\n"
	"	hlt\n");
extern const unsigned char guest_prefixed_hlt1[], guest_prefixed_hlt2[];

TEST(prefixed_instructions_resume_after_themselves)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(prefixed);
	uint64_t hlt1 = GUEST_LOAD_ADDR +
			(guest_prefixed_hlt1 - guest_prefixed_start);
	uint64_t hlt2 = GUEST_LOAD_ADDR +
			(guest_prefixed_hlt2 - guest_prefixed_start);
	int port;

	for (port = 0x30; port <= 0x34; port++) {
		expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
		ASSERT_EQ(port, vcpu->run->io.port);
	}
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	EXPECT_EQ(hlt1, rip_of(vcpu));
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	ASSERT_EQ(0x35, vcpu->run->io.port);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	EXPECT_EQ(hlt2, rip_of(vcpu));
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	ASSERT_EQ(0x36, vcpu->run->io.port);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	guest_destroy(vcpu);
}

/*
 * 64-bit code: REX prefixes, alone and mixed with legacy ones, and a
 * hypercall (VMCALL on VMX, VMMCALL on SVM: the VM did not opt in, so
 * the kernel answers it and steps over it).
 */
GUEST_CODE64(prefixed64,
	"	xor %eax, %eax\n"
	"	.byte 0x48, 0x0f, 0xa2\n"		/* rex.w cpuid */
	"	out %al, $0x30\n"
	"	xor %eax, %eax\n"
	"	.byte 0x66, 0x41, 0x0f, 0xa2\n"	/* cpuid */
	"	out %al, $0x31\n"
	"	xor %eax, %eax\n"
	"	.byte 0x40, 0x2e, 0x4f, 0x0f, 0xa2\n"	/* cpuid */
	"	out %al, $0x32\n"
	"	mov $0x277, %ecx\n"
	"	.byte 0x48, 0x0f, 0x32\n"		/* rdmsr */
	"	out %al, $0x33\n"
	"	.byte 0x2e, 0x48, 0x0f, 0x30\n"	/* wrmsr */
	"	out %al, $0x34\n"
	"	cmpb $0, guest_prefixed64_svm(%rip)\n"
	"	jz 1f\n"
	"	.byte 0x2e, 0x0f, 0x01, 0xd9\n"	/* vmmcall */
	"	jmp 2f\n"
	"1:	.byte 0x2e, 0x0f, 0x01, 0xc1\n"	/* vmcall */
	"2:	out %al, $0x35\n"
	"	.byte 0x48, 0xf4\n"			/* hlt */
	"guest_prefixed64_hlt:\n"
	"	out %al, $0x36\n"
	"	hlt\n"
	"guest_prefixed64_svm:\n"
	"	.byte 0\n");
extern const unsigned char guest_prefixed64_hlt[], guest_prefixed64_svm[];

TEST(prefixed_instructions_resume_after_themselves_64)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	uint8_t *mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	size_t len = guest_prefixed64_end - guest_prefixed64_start;
	uint64_t hlt = GUEST_LOAD_ADDR +
		       (guest_prefixed64_hlt - guest_prefixed64_start);
	struct kvmini_vcpu *vcpu;
	int port;

	memcpy(mem + GUEST_LOAD_ADDR, guest_prefixed64_start, len);
	mem[GUEST_LOAD_ADDR + (guest_prefixed64_svm - guest_prefixed64_start)] =
		ioctl(vm->sys_fd, KVMINI_CHECK_CAP, KVMINI_CAP_VENDOR) ==
		KVMINI_VENDOR_SVM;
	vcpu = kvmini_vcpu_create(vm, 0);
	kvmini_vcpu_setup_long_mode(vcpu, mem, GUEST_LOAD_ADDR, 0x8000);
	for (port = 0x30; port <= 0x35; port++) {
		expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
		ASSERT_EQ(port, vcpu->run->io.port);
	}
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	EXPECT_EQ(hlt, rip_of(vcpu));
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	ASSERT_EQ(0x36, vcpu->run->io.port);
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
