// SPDX-License-Identifier: GPL-2.0
/*
 * debugreg_test.c - MOV to and from DR0-DR7, the dr_access exit.
 *
 * kvmini keeps the guest's debug registers in software (the hardware's
 * stay the host's): what the guest writes reads back, with DR6's and
 * DR7's fixed bits as a CPU shows them.  Arming a breakpoint is not
 * offered: that MOV ends RUN as unhandled and changes nothing.  The
 * CPU's own rules hold: #GP at CPL 3 and for bits 63:32 of DR6/DR7, #UD
 * for DR4/DR5 with CR4.DE, DR4/DR5 are DR6/DR7 without it.
 */
#include "kvmini_test.h"
#include "ring3.h"

#define CR4_DE		(1u << 3)
#define DR6_RESET	0xffff0ff0u
#define DR7_RESET	0x400u

/* Every register written, then read back; ESP on both paths. */
GUEST_CODE32(round_trip32,
	"	mov $0x11111111, %eax\n"
	"	mov %eax, %db0\n"
	"	mov $0x22222222, %ebx\n"
	"	mov %ebx, %db1\n"
	"	mov $0x33333333, %ecx\n"
	"	mov %ecx, %db2\n"
	"	mov $0x44444444, %esp\n"
	"	mov %esp, %db3\n"
	"	xor %eax, %eax\n"
	"	mov %eax, %db6\n"		/* reads DR6_RESET */
	"	mov $0x300, %eax\n"
	"	mov %eax, %db7\n"		/* LE, GE: arms nothing */
	"	mov %db0, %eax\n"
	"	mov %db1, %ebx\n"
	"	mov %db2, %ecx\n"
	"	mov %db3, %edx\n"
	"	mov %db4, %esi\n"		/* DR6, CR4.DE clear */
	"	mov %db5, %edi\n"		/* DR7 */
	"	mov %db0, %esp\n"
	"	hlt\n");

TEST(round_trip_32bit)
{
	struct kvmini_vcpu *vcpu;
	struct kvmini_regs regs;
	uint8_t *mem;

	vcpu = CPL0_GUEST(round_trip32, &mem, 0);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	kvmini_get_regs(vcpu, &regs);
	EXPECT_EQ(0x11111111, regs.rax);
	EXPECT_EQ(0x22222222, regs.rbx);
	EXPECT_EQ(0x33333333, regs.rcx);
	EXPECT_EQ(0x44444444, regs.rdx);
	EXPECT_EQ(DR6_RESET, regs.rsi);
	EXPECT_EQ(DR7_RESET | 0x300, regs.rdi);
	EXPECT_EQ(0x11111111, regs.rsp);
	EXPECT_EQ(13, kvmini_exit_count(vcpu, KVMINI_EXIT_DR_ACCESS));
	guest_destroy(vcpu);
}

/* 64-bit values, REX.B registers (SVM reads the GPR from the bytes). */
GUEST_CODE64(round_trip64,
	"	mov $0x123456789abc, %r9\n"
	"	mov %r9, %db2\n"
	"	mov %db2, %r10\n"
	"	mov %db6, %r11\n"
	"	mov %db7, %r12\n"
	"	hlt\n");

TEST(round_trip_64bit)
{
	struct kvmini_vcpu *vcpu;
	struct kvmini_regs regs;
	uint8_t *mem;

	vcpu = guest_create_mem(guest_round_trip64_start,
				guest_round_trip64_end, GUEST_MEM_SIZE, &mem);
	kvmini_vcpu_setup_long_mode(vcpu, mem, GUEST_LOAD_ADDR, 0x8000);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	kvmini_get_regs(vcpu, &regs);
	EXPECT_EQ(0x123456789abcULL, regs.r10);
	EXPECT_EQ(DR6_RESET, regs.r11);
	EXPECT_EQ(DR7_RESET, regs.r12);
	guest_destroy(vcpu);
}

/*
 * L0 or GD set in DR7: not offered.  RUN ends unhandled at the MOV; past
 * it (userspace skipped the three bytes), DR7 is what it was.
 */
GUEST_CODE32(arm_l0,
	"	mov $0x401, %eax\n"
	"	mov %eax, %db7\n"
	"	mov %db7, %ebx\n"
	"	hlt\n");
GUEST_CODE32(arm_gd,
	"	mov $0x2400, %eax\n"
	"	mov %eax, %db7\n"
	"	mov %db7, %ebx\n"
	"	hlt\n");

static void expect_arming_refused(struct __test_metadata *_metadata,
				  const unsigned char *start,
				  const unsigned char *end)
{
	struct kvmini_vcpu *vcpu;
	struct kvmini_regs regs;
	uint8_t *mem;

	vcpu = cpl0_guest(start, end, &mem, 0);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_UNHANDLED);
	EXPECT_EQ(vcpu->run->hw.vendor == KVMINI_VENDOR_VMX ? 29 : 0x37,
		  vcpu->run->hw.reason);
	kvmini_get_regs(vcpu, &regs);
	ASSERT_EQ(GUEST_LOAD_ADDR + 5, regs.rip);
	EXPECT_EQ(0x0f, vcpu->run->unhandled.insn[0]);
	EXPECT_EQ(0x23, vcpu->run->unhandled.insn[1]);
	regs.rip += 3;
	kvmini_set_regs(vcpu, &regs);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	kvmini_get_regs(vcpu, &regs);
	EXPECT_EQ(DR7_RESET, regs.rbx);
	guest_destroy(vcpu);
}

TEST(arming_a_breakpoint_is_unhandled)
{
	expect_arming_refused(_metadata, guest_arm_l0_start, guest_arm_l0_end);
}

TEST(general_detect_is_unhandled)
{
	expect_arming_refused(_metadata, guest_arm_gd_start, guest_arm_gd_end);
}

static void expect_port(struct __test_metadata *_metadata,
			struct kvmini_vcpu *vcpu, int port)
{
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	EXPECT_EQ(port, vcpu->run->io.port);
}

GUEST_CODE32(write_dr0,
	"	mov %eax, %db0\n"
	"	hlt\n");

TEST(cpl3_gets_gp)
{
	struct kvmini_vcpu *vcpu;
	uint8_t *mem;

	vcpu = RING3_GUEST(write_dr0, &mem, 0, 0x8000);
	set_fault_handlers(mem);
	expect_port(_metadata, vcpu, PORT_GP);
	guest_destroy(vcpu);
}

GUEST_CODE32(read_dr4,
	"	mov %db4, %eax\n"
	"	hlt\n");

TEST(dr4_with_cr4_de_gets_ud)
{
	struct kvmini_vcpu *vcpu;
	uint8_t *mem;

	vcpu = CPL0_GUEST(read_dr4, &mem, CR4_DE);
	set_fault_handlers(mem);
	expect_port(_metadata, vcpu, PORT_UD);
	guest_destroy(vcpu);
}

/*
 * Bits 63:32 of DR6 or DR7: #GP.  The long-mode guest has no IDT, so the
 * #GP ends in a triple fault, where an accepted write would reach HLT.
 */
GUEST_CODE64(dr7_high,
	"	mov $0x100000400, %rax\n"
	"	mov %rax, %db7\n"
	"	hlt\n");
GUEST_CODE64(dr6_high,
	"	mov $0x1ffff0ff0, %rax\n"
	"	mov %rax, %db6\n"
	"	hlt\n");

static void expect_gp64(struct __test_metadata *_metadata,
			const unsigned char *start, const unsigned char *end)
{
	struct kvmini_vcpu *vcpu;
	uint8_t *mem;

	vcpu = guest_create_mem(start, end, GUEST_MEM_SIZE, &mem);
	kvmini_vcpu_setup_long_mode(vcpu, mem, GUEST_LOAD_ADDR, 0x8000);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_SHUTDOWN);
	guest_destroy(vcpu);
}

TEST(dr7_bits_63_32_get_gp)
{
	expect_gp64(_metadata, guest_dr7_high_start, guest_dr7_high_end);
}

TEST(dr6_bits_63_32_get_gp)
{
	expect_gp64(_metadata, guest_dr6_high_start, guest_dr6_high_end);
}

/*
 * A single step's #DB: its handler finds BS in DR6, as on a CPU.  The
 * guest sets TF at CPL 3; the handler (CPL 0) reports DR6 on port 0x32.
 */
GUEST_CODE32(single_step,
	"	pushf\n"
	"	orl $0x100, (%esp)\n"
	"	popf\n"
	"	nop\n"
	"	hlt\n"
	"guest_single_step_db:\n"
	"	mov %db6, %eax\n"
	"	out %eax, $0x32\n"
	"	hlt\n");
extern const unsigned char guest_single_step_db[];

TEST(single_step_sets_dr6_bs)
{
	struct kvmini_vcpu *vcpu;
	uint32_t dr6;
	uint8_t *mem;

	vcpu = RING3_GUEST(single_step, &mem, 0, 0x8000);
	set_gate(mem, VEC_DB, SEL_CODE0, GUEST_ADDR(single_step, db));
	expect_port(_metadata, vcpu, 0x32);
	memcpy(&dr6, kvmini_io_data(vcpu), 4);
	EXPECT_EQ(0x4000, dr6 & 0x4000) TH_LOG("DR6 %#x", dr6);
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
