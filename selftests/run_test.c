// SPDX-License-Identifier: GPL-2.0
/*
 * run_test.c - KVMINI_RUN and the exits of a real-mode guest: port I/O
 * in and out, HLT, unhandled instructions, triple faults, failed entries,
 * running without memory, and the ways RUN returns early.
 *
 * Each guest is a few lines of 16-bit assembly beside the test that
 * runs it.
 */
#include <signal.h>
#include <sys/time.h>
#include "kvmini_test.h"

#define DEBUG_PORT	0xf1

static void expect_io(struct __test_metadata *_metadata,
		      struct kvmini_vcpu *vcpu, int dir, int size, int port)
{
	struct kvmini_run *run = vcpu->run;

	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_EQ(KVMINI_EXIT_IO, run->exit_reason);
	EXPECT_EQ(dir, run->io.direction);
	EXPECT_EQ(size, run->io.size);
	EXPECT_EQ(port, run->io.port);
	EXPECT_EQ(1, run->io.count);
}

static uint64_t rip_of(struct kvmini_vcpu *vcpu)
{
	struct kvmini_regs regs;

	kvmini_get_regs(vcpu, &regs);
	return regs.rip;
}

/* The seed program: "Hello\n" byte by byte, then hlt. */
GUEST_CODE16(hello,
	"	call 1f\n"		/* find our own address: PIC */
	"1:	pop %si\n"
	"	add $(2f - 1b), %si\n"
	"3:	cs lodsb\n"
	"	test %al, %al\n"
	"	jz 4f\n"
	"	out %al, $0xf1\n"
	"	jmp 3b\n"
	"4:	hlt\n"
	"2:	.asciz \"Hello\\n\"\n");

TEST(hello)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(hello);
	const char *want = "Hello\n";
	int i;

	for (i = 0; want[i]; i++) {
		expect_io(_metadata, vcpu, KVMINI_IO_OUT, 1, DEBUG_PORT);
		EXPECT_EQ(want[i], *(char *)kvmini_io_data(vcpu));
	}
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	/* Every exit is counted by its reason. */
	EXPECT_EQ(6, kvmini_exit_count(vcpu, KVMINI_EXIT_IO));
	EXPECT_EQ(1, kvmini_exit_count(vcpu, KVMINI_EXIT_HLT));
	EXPECT_LE(1, kvmini_exit_count(vcpu, KVMINI_EXIT_GPA_MAP));
	/* The raw hardware reason comes along: HLT is 12 / 0x78. */
	EXPECT_EQ(vcpu->run->hw.vendor == KVMINI_VENDOR_VMX ? 12 : 0x78,
		  vcpu->run->hw.reason);
	guest_destroy(vcpu);
}

/* out of every size: the data is the low bytes of eax. */
GUEST_CODE16(out_sizes,
	"	mov $0x12345678, %eax\n"
	"	out %al, $0x10\n"
	"	out %ax, $0x11\n"
	"	out %eax, $0x12\n"
	"	mov $0x3f8, %dx\n"
	"	out %al, %dx\n"
	"	hlt\n");

TEST(out_sizes)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(out_sizes);
	uint32_t data;

	expect_io(_metadata, vcpu, KVMINI_IO_OUT, 1, 0x10);
	EXPECT_EQ(0x78, *(uint8_t *)kvmini_io_data(vcpu));
	expect_io(_metadata, vcpu, KVMINI_IO_OUT, 2, 0x11);
	EXPECT_EQ(0x5678, *(uint16_t *)kvmini_io_data(vcpu));
	expect_io(_metadata, vcpu, KVMINI_IO_OUT, 4, 0x12);
	memcpy(&data, kvmini_io_data(vcpu), 4);
	EXPECT_EQ(0x12345678, data);
	expect_io(_metadata, vcpu, KVMINI_IO_OUT, 1, 0x3f8);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	guest_destroy(vcpu);
}

/*
 * in of every size: the guest echoes what it read to port 0x20.  An
 * 8- or 16-bit in keeps the rest of eax; a 32-bit one replaces it.
 */
GUEST_CODE16(in_sizes,
	"	mov $0xaabbccdd, %eax\n"
	"	in $0x10, %al\n"
	"	out %eax, $0x20\n"
	"	in $0x11, %ax\n"
	"	out %eax, $0x20\n"
	"	in $0x12, %eax\n"
	"	out %eax, $0x20\n"
	"	hlt\n");

TEST(in_sizes)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(in_sizes);
	static const struct {
		int size, port;
		uint32_t value, echo;
	} steps[] = {
		{ 1, 0x10, 0x11, 0xaabbcc11 },
		{ 2, 0x11, 0x2233, 0xaabb2233 },
		{ 4, 0x12, 0x44556677, 0x44556677 },
	};
	uint32_t echo;
	int i;

	for (i = 0; i < 3; i++) {
		expect_io(_metadata, vcpu, KVMINI_IO_IN, steps[i].size,
			  steps[i].port);
		memcpy(kvmini_io_data(vcpu), &steps[i].value, steps[i].size);
		expect_io(_metadata, vcpu, KVMINI_IO_OUT, 4, 0x20);
		memcpy(&echo, kvmini_io_data(vcpu), 4);
		EXPECT_EQ(steps[i].echo, echo);
	}
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	guest_destroy(vcpu);
}

/*
 * The kernel keeps its own copy of a pending IN: whatever userspace
 * writes over the exit's description, only the data bytes count, and
 * only as many as the instruction reads.
 */
GUEST_CODE16(in_then_echo,
	"	mov $0xaabbccdd, %eax\n"
	"	in $0x10, %al\n"
	"	out %eax, $0x20\n"
	"	hlt\n");

TEST(in_ignores_edited_exit)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(in_then_echo);
	struct kvmini_run *run = vcpu->run;
	uint32_t value = 0x44332211, echo;

	expect_io(_metadata, vcpu, KVMINI_IO_IN, 1, 0x10);
	memcpy(kvmini_io_data(vcpu), &value, 4);
	run->exit_reason = KVMINI_EXIT_MMIO;
	run->io.direction = KVMINI_IO_OUT;
	run->io.size = 4;
	run->io.port = 0x99;
	run->io.count = 1000;
	run->io.data_offset = 0;
	expect_io(_metadata, vcpu, KVMINI_IO_OUT, 4, 0x20);
	memcpy(&echo, kvmini_io_data(vcpu), 4);
	EXPECT_EQ(0xaabbcc11, echo);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	guest_destroy(vcpu);
}

/* hlt exits with RIP past it, so RUN again continues the guest. */
GUEST_CODE16(hlt_twice,
	"	hlt\n"
	"	out %al, $0x21\n"
	"	hlt\n");

TEST(hlt_resumes)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(hlt_twice);

	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	EXPECT_EQ(GUEST_LOAD_ADDR + 1, rip_of(vcpu));
	expect_io(_metadata, vcpu, KVMINI_IO_OUT, 1, 0x21);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	EXPECT_EQ(GUEST_LOAD_ADDR + 4, rip_of(vcpu));
	guest_destroy(vcpu);
}

/* The guest's registers survive exits, and the host's values reach it. */
GUEST_CODE16(regs_echo,
	"	add $1, %ebx\n"
	"	add $2, %ecx\n"
	"	add $3, %edx\n"
	"	add $4, %esi\n"
	"	add $5, %edi\n"
	"	add $6, %ebp\n"
	"	out %al, $0x22\n"
	"	hlt\n");

TEST(registers_reach_guest)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(regs_echo);
	struct kvmini_regs regs;

	kvmini_get_regs(vcpu, &regs);
	regs.rbx = 100;
	regs.rcx = 200;
	regs.rdx = 300;
	regs.rsi = 400;
	regs.rdi = 500;
	regs.rbp = 600;
	regs.r8 = 0x88;
	regs.r15 = 0xff;
	kvmini_set_regs(vcpu, &regs);
	expect_io(_metadata, vcpu, KVMINI_IO_OUT, 1, 0x22);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	kvmini_get_regs(vcpu, &regs);
	EXPECT_EQ(101, regs.rbx);
	EXPECT_EQ(202, regs.rcx);
	EXPECT_EQ(303, regs.rdx);
	EXPECT_EQ(404, regs.rsi);
	EXPECT_EQ(505, regs.rdi);
	EXPECT_EQ(606, regs.rbp);
	EXPECT_EQ(0x88, regs.r8);
	EXPECT_EQ(0xff, regs.r15);
	guest_destroy(vcpu);
}

/* The guest sees the memory the host wrote and the host sees its writes. */
GUEST_CODE16(memory,
	"	mov $0x3000, %bx\n"
	"	mov (%bx), %eax\n"
	"	add $1, %eax\n"
	"	mov %eax, 4(%bx)\n"
	"	hlt\n");

TEST(guest_memory)
{
	uint8_t *mem;
	struct kvmini_vcpu *vcpu = guest_create_mem(guest_memory_start,
						     guest_memory_end,
						     GUEST_MEM_SIZE, &mem);
	uint32_t v = 41, got;

	memcpy(mem + 0x3000, &v, 4);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	memcpy(&got, mem + 0x3004, 4);
	EXPECT_EQ(42, got);
	guest_destroy(vcpu);
}

/* No slot at all: nothing to fetch the first instruction from. */
TEST(run_without_memory)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	struct kvmini_vcpu *vcpu = kvmini_vcpu_create(vm, 0);

	kvmini_vcpu_setup_real_mode(vcpu, GUEST_LOAD_ADDR, 0x8000);
	EXPECT_ERRNO(EFAULT, ioctl(vcpu->fd, KVMINI_RUN, 0));
	EXPECT_EQ(GUEST_LOAD_ADDR, rip_of(vcpu));
	/* Adding memory afterwards makes the same vCPU runnable. */
	memcpy((uint8_t *)kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE) +
	       GUEST_LOAD_ADDR, guest_hlt_twice_start,
	       guest_hlt_twice_end - guest_hlt_twice_start);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	kvmini_vcpu_free(vcpu);
	kvmini_vm_free(vm);
}

/* A jump past the end of memory: again nothing to fetch. */
GUEST_CODE16(jump_out,
	"	ljmp $0xf000, $0x0000\n");	/* 0xf0000 > 512 KiB */

TEST(execute_outside_memory)
{
	struct kvmini_vcpu *vcpu = guest_create_mem(guest_jump_out_start,
						     guest_jump_out_end,
						     512 << 10, NULL);

	EXPECT_ERRNO(EFAULT, ioctl(vcpu->fd, KVMINI_RUN, 0));
	guest_destroy(vcpu);
}

/*
 * A debug-register write that would arm a breakpoint (L0 in DR7) exits
 * and nothing handles it: the raw exit comes out, with the instruction's
 * bytes.
 */
GUEST_CODE16(mov_dr7,
	"	mov $0x401, %eax\n"
	"	mov %eax, %dr7\n"
	"	hlt\n");

TEST(unhandled_exit_is_raw)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(mov_dr7);
	struct kvmini_run *run = vcpu->run;

	expect_exit(_metadata, vcpu, KVMINI_EXIT_UNHANDLED);
	/* VMX exit reason 29 (DR access), SVM exit code 0x37 (DR7 write). */
	EXPECT_EQ(run->hw.vendor == KVMINI_VENDOR_VMX ? 29 : 0x37,
		  run->hw.reason);
	ASSERT_EQ(15, run->unhandled.insn_len);
	EXPECT_EQ(0x0f, run->unhandled.insn[0]);
	EXPECT_EQ(0x23, run->unhandled.insn[1]);
	EXPECT_EQ(0xf8, run->unhandled.insn[2]);
	EXPECT_EQ(0xf4, run->unhandled.insn[3]);
	EXPECT_EQ(GUEST_LOAD_ADDR + 6, rip_of(vcpu));
	EXPECT_EQ(1, kvmini_exit_count(vcpu, KVMINI_EXIT_UNHANDLED));
	guest_destroy(vcpu);
}

/* An exception with an empty IVT escalates to a triple fault. */
GUEST_CODE16(triple_fault,
	"	int3\n"
	"	hlt\n");

TEST(triple_fault_is_shutdown)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(triple_fault);
	struct kvmini_sregs sregs;

	kvmini_get_sregs(vcpu, &sregs);
	sregs.idt.limit = 0;
	kvmini_set_sregs(vcpu, &sregs);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_SHUTDOWN);
	guest_destroy(vcpu);
}

/*
 * State the ioctls accept but the CPU refuses at entry: CR0.PG without
 * PE (VMX's check) and CR0.NW without CD (SVM's).  The exit says so,
 * and a good state afterwards runs again.
 */
/*
 * State no CPU could be in (PG without PE, NW without CD) used to reach
 * VM entry, which refused it (VMX: 33, SVM: VMEXIT_INVALID).  SET_SREGS
 * refuses it now, the same on both vendors, and the vCPU is as it was.
 */
TEST(failed_entry)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(hello);
	struct kvmini_sregs good, bad, after;

	kvmini_get_sregs(vcpu, &good);
	bad = good;
	bad.cr0 = (1u << 31) | (1u << 29) | 0x10;
	EXPECT_ERRNO(EINVAL, ioctl(vcpu->fd, KVMINI_SET_SREGS, &bad));
	kvmini_get_sregs(vcpu, &after);
	EXPECT_EQ(0, memcmp(&good, &after, sizeof(good)));
	expect_io(_metadata, vcpu, KVMINI_IO_OUT, 1, DEBUG_PORT);
	EXPECT_EQ(0, kvmini_exit_count(vcpu, KVMINI_EXIT_FAIL_ENTRY));
	guest_destroy(vcpu);
}

TEST(immediate_exit)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(hello);

	vcpu->run->immediate_exit = 1;
	EXPECT_ERRNO(EINTR, ioctl(vcpu->fd, KVMINI_RUN, 0));
	EXPECT_EQ(KVMINI_EXIT_INTR, vcpu->run->exit_reason);
	EXPECT_EQ(GUEST_LOAD_ADDR, rip_of(vcpu));
	vcpu->run->immediate_exit = 0;
	expect_io(_metadata, vcpu, KVMINI_IO_OUT, 1, DEBUG_PORT);
	guest_destroy(vcpu);
}

TEST(run_nonzero_arg)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(hello);

	EXPECT_ERRNO(EINVAL, ioctl(vcpu->fd, KVMINI_RUN, 1));
	EXPECT_EQ(GUEST_LOAD_ADDR, rip_of(vcpu));
	guest_destroy(vcpu);
}

/* A guest that never exits on its own still yields to a signal. */
GUEST_CODE16(spin,
	"	cli\n"
	"1:	jmp 1b\n");

static void on_alarm(int sig)
{
}

TEST(signal_interrupts_spinning_guest)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(spin);
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { .tv_usec = 200000 } };

	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	EXPECT_ERRNO(EINTR, ioctl(vcpu->fd, KVMINI_RUN, 0));
	EXPECT_EQ(KVMINI_EXIT_INTR, vcpu->run->exit_reason);
	/* Host interrupts (or, on VMX, the time slice) made it exit. */
	EXPECT_LE(1, kvmini_exit_count(vcpu, KVMINI_EXIT_EXTINT) +
		     kvmini_exit_count(vcpu, KVMINI_EXIT_TIMESLICE));
	/* 200 ms of spinning is many 1 ms VMX time slices. */
	if (vcpu->run->hw.vendor == KVMINI_VENDOR_VMX)
		EXPECT_LE(10, kvmini_exit_count(vcpu, KVMINI_EXIT_TIMESLICE));
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
