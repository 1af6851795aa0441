// SPDX-License-Identifier: GPL-2.0
/*
 * mode_switch_test.c - EFER.LME and paging: set by userspace or by the
 * guest with paging off, then long mode turned on and off by the guest
 * itself.  On SVM the LME bit waits outside the VMCB until CR0.PG is
 * set: QEMU 7.2 loses its own CPU after a #VMEXIT from a guest whose
 * VMCB has LME without PG.
 */
#include "kvmini_test.h"

#define EFER_LME	(1ull << 8)
#define EFER_LMA	(1ull << 10)
#define CR0_PG		(1ull << 31)
#define CR4_PAE		(1ull << 5)

static struct kvmini_vcpu *prot_guest(const unsigned char *start,
				      const unsigned char *end, uint8_t **mem)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	struct kvmini_vcpu *vcpu;

	*mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	memcpy(*mem + GUEST_LOAD_ADDR, start, end - start);
	vcpu = kvmini_vcpu_create(vm, 0);
	kvmini_vcpu_setup_protected_mode(vcpu, *mem, GUEST_LOAD_ADDR, 0x8000);
	return vcpu;
}

#define PROT_GUEST(name, mem)						\
	prot_guest(guest_##name##_start, guest_##name##_end, mem)

static struct kvmini_sregs sregs_of(struct kvmini_vcpu *vcpu)
{
	struct kvmini_sregs sregs;

	kvmini_get_sregs(vcpu, &sregs);
	return sregs;
}

GUEST_CODE32(out_hlt,
	"	out %al, $0x30\n"
	"	hlt\n");

/*
 * 32-bit protected mode, paging and PAE off, EFER.LME set by SET_SREGS:
 * the guest runs and halts, and GET_SREGS shows LME as it was set
 * (LMA clear).  Before the fix the qemu-svm VM hung in this test.
 */
TEST(lme_from_set_sregs_with_paging_off)
{
	struct kvmini_sregs sregs;
	struct kvmini_vcpu *vcpu;
	uint8_t *mem;

	vcpu = PROT_GUEST(out_hlt, &mem);
	kvmini_get_sregs(vcpu, &sregs);
	sregs.efer = EFER_LME;
	kvmini_set_sregs(vcpu, &sregs);
	EXPECT_EQ(EFER_LME, sregs_of(vcpu).efer);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	EXPECT_EQ(EFER_LME, sregs_of(vcpu).efer);
	EXPECT_EQ(0, sregs_of(vcpu).cr0 & CR0_PG);
	guest_destroy(vcpu);
}

/* The same, the guest setting LME itself with WRMSR. */
GUEST_CODE32(wrmsr_lme,
	"	mov $0xc0000080, %ecx\n"
	"	rdmsr\n"
	"	bts $8, %eax\n"
	"	wrmsr\n"
	"	out %al, $0x30\n"
	"	rdmsr\n"
	"	out %eax, $0x31\n"
	"	hlt\n");

TEST(lme_from_guest_wrmsr_with_paging_off)
{
	struct kvmini_vcpu *vcpu;
	uint32_t efer;
	uint8_t *mem;

	vcpu = PROT_GUEST(wrmsr_lme, &mem);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	EXPECT_EQ(EFER_LME, sregs_of(vcpu).efer);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	memcpy(&efer, kvmini_io_data(vcpu), 4);
	EXPECT_EQ(EFER_LME, efer);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	guest_destroy(vcpu);
}

/*
 * The guest enters long mode the way a boot loader does, from 32-bit
 * protected mode: PAE, CR3 (the library's identity tables), EFER.LME,
 * then CR0.PG - the write kvmini must see on SVM to activate long mode -
 * and a far jump to the 64-bit code segment.  There it reports, returns
 * to the 32-bit segment and turns paging off, which leaves long mode.
 */
GUEST_CODE32(enter_long_mode,
	"	mov %cr4, %eax\n"
	"	or $0x20, %eax\n"			/* PAE */
	"	mov %eax, %cr4\n"
	"	mov $0x11000, %eax\n"			/* KVMINI_SYS_BASE + 0x1000 */
	"	mov %eax, %cr3\n"
	"	mov $0xc0000080, %ecx\n"
	"	rdmsr\n"
	"	bts $8, %eax\n"				/* LME */
	"	wrmsr\n"
	"	mov %cr0, %eax\n"
	"	bts $31, %eax\n"			/* PG: long mode on */
	"	mov %eax, %cr0\n"
	"	out %al, $0x30\n"			/* compatibility mode */
	"	ljmp $0x08, $(1f - guest_enter_long_mode_start + 0x1000)\n"
	".code64\n"
	"1:	mov $0x1122334455667788, %rax\n"
	"	shr $32, %rax\n"			/* 64-bit only */
	"	out %eax, $0x31\n"
	"	pushq $0x10\n"
	"	pushq $(2f - guest_enter_long_mode_start + 0x1000)\n"
	"	lretq\n"
	".code32\n"
	"2:	mov %cr0, %eax\n"
	"	btr $31, %eax\n"			/* PG off: long mode off */
	"	mov %eax, %cr0\n"
	"	out %al, $0x32\n"
	"	hlt\n");

TEST(guest_enters_and_leaves_long_mode)
{
	struct kvmini_sregs sregs;
	struct kvmini_vcpu *vcpu;
	uint32_t v;
	uint8_t *mem;

	vcpu = PROT_GUEST(enter_long_mode, &mem);
	/* The library's GDT and identity tables, which long mode uses. */
	kvmini_vcpu_setup_long_mode(vcpu, mem, GUEST_LOAD_ADDR, 0x8000);
	kvmini_vcpu_setup_protected_mode(vcpu, mem, GUEST_LOAD_ADDR, 0x8000);

	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	ASSERT_EQ(0x30, vcpu->run->io.port);
	sregs = sregs_of(vcpu);
	EXPECT_EQ(EFER_LME | EFER_LMA, sregs.efer);
	EXPECT_EQ(CR0_PG, sregs.cr0 & CR0_PG);
	EXPECT_EQ(0, sregs.cs.l);
	/* SVM saw the write that turned paging on (VMX needs not). */
	if (vcpu->run->hw.vendor == KVMINI_VENDOR_SVM)
		EXPECT_LE(1, kvmini_exit_count(vcpu, KVMINI_EXIT_CR_ACCESS));

	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	ASSERT_EQ(0x31, vcpu->run->io.port);
	memcpy(&v, kvmini_io_data(vcpu), 4);
	EXPECT_EQ(0x11223344, v);
	EXPECT_EQ(1, sregs_of(vcpu).cs.l);

	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	ASSERT_EQ(0x32, vcpu->run->io.port);
	sregs = sregs_of(vcpu);
	EXPECT_EQ(EFER_LME, sregs.efer);
	EXPECT_EQ(0, sregs.cr0 & CR0_PG);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	guest_destroy(vcpu);
}

/*
 * Turning paging on with LME but without PAE raises #GP, as on the CPU;
 * the guest's handler (IDT at 0x3000, all 32 vectors) reports it.
 */
GUEST_CODE32(lme_without_pae,
	"	call 1f\n"
	"1:	pop %ebx\n"
	"	lea (gp - 1b)(%ebx), %edx\n"
	"	mov $0x3000, %edi\n"
	"	mov $32, %ecx\n"
	"2:	mov %dx, (%edi)\n"			/* offset 15:0 */
	"	movw $0x10, 2(%edi)\n"			/* 32-bit code */
	"	movw $0x8e00, 4(%edi)\n"		/* interrupt gate */
	"	mov %edx, %eax\n"
	"	shr $16, %eax\n"
	"	mov %ax, 6(%edi)\n"			/* offset 31:16 */
	"	add $8, %edi\n"
	"	loop 2b\n"
	"	lidt (idtr - 1b)(%ebx)\n"
	"	mov $0xc0000080, %ecx\n"
	"	rdmsr\n"
	"	bts $8, %eax\n"
	"	wrmsr\n"
	"	mov %cr0, %eax\n"
	"	bts $31, %eax\n"
	"	mov %eax, %cr0\n"
	"	out %al, $0x30\n"			/* not reached */
	"	hlt\n"
	"gp:	out %al, $0x31\n"
	"	hlt\n"
	"idtr:	.word 32 * 8 - 1\n"
	"	.long 0x3000\n");

TEST(paging_on_with_lme_without_pae_faults)
{
	struct kvmini_vcpu *vcpu;
	uint8_t *mem;

	vcpu = PROT_GUEST(lme_without_pae, &mem);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	EXPECT_EQ(0x31, vcpu->run->io.port);
	EXPECT_EQ(0, sregs_of(vcpu).cr0 & CR0_PG);
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
