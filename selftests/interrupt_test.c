// SPDX-License-Identifier: GPL-2.0
/*
 * interrupt_test.c - interrupts and NMIs queued by userspace: delivery,
 * the STI and MOV SS shadows, the interrupt window, HLT wake-up,
 * re-delivery when the delivery itself exits, NMI blocking until IRET,
 * and the rejected requests.
 *
 * The guests are real mode.  Their handlers report the return address
 * they find on the stack through port 0xf2, so a test sees exactly
 * where the interrupt came in.
 */
#include "kvmini_test.h"

#define IRQ_VECTOR	0x20
#define REPORT_PORT	0xf2	/* a handler: the return IP */
#define SYNC_PORT	0xf3	/* the guest stops here for the test */
#define AFTER_PORT	0xf4	/* the guest went on */
#define IRET_PORT	0xf6	/* an NMI handler is about to IRET */

/* Point IVT vector v at label h (CS = 0: the label's address). */
#define SET_VECTOR(v, h, tag)						\
	"	call " tag "\n"						\
	tag ":	pop %bx\n"						\
	"	add $(" h " - " tag "), %bx\n"				\
	"	movw %bx, " #v " * 4\n"					\
	"	movw $0, " #v " * 4 + 2\n"

/* A handler that reports its return IP and returns. */
#define REPORT_HANDLER(h)						\
	h ":	push %bp\n"						\
	"	mov %sp, %bp\n"						\
	"	mov 2(%bp), %ax\n"					\
	"	out %ax, $0xf2\n"					\
	"	pop %bp\n"						\
	"	iret\n"

/* Halted with interrupts on; each wake-up reports, then halts again. */
GUEST_CODE16(hlt_wake,
	SET_VECTOR(0x20, "hw_handler", "hw_1")
	"	sti\n"
	"hw_loop:\n"
	"	hlt\n"
	"hw_after:\n"
	"	out %al, $0xf4\n"
	"	jmp hw_loop\n"
	REPORT_HANDLER("hw_handler"));

/* sti; hlt: the HLT sits in the STI shadow, the classic idle loop. */
GUEST_CODE16(sti_hlt,
	SET_VECTOR(0x20, "sh_handler", "sh_1")
	"	cli\n"
	"	out %al, $0xf3\n"
	"	sti\n"
	"	hlt\n"
	"sh_after:\n"
	"	out %al, $0xf4\n"
	"	hlt\n"
	REPORT_HANDLER("sh_handler"));

/*
 * The OUT sits in MOV SS's shadow and exits there; once it is done the
 * shadow is over, so an interrupt queued then comes in right after it.
 */
GUEST_CODE16(mov_ss,
	SET_VECTOR(0x20, "ms_handler", "ms_1")
	"	mov %ss, %ax\n"
	"	sti\n"
	"	nop\n"
	"	mov %ax, %ss\n"
	"	out %al, $0xf3\n"
	"ms_after:\n"
	"	out %al, $0xf4\n"
	"	hlt\n"
	REPORT_HANDLER("ms_handler"));

/* Interrupts come on after STI and the instruction behind it. */
GUEST_CODE16(window,
	"	cli\n"
	"	out %al, $0xf3\n"
	"	nop\n"
	"	sti\n"
	"	nop\n"
	"win_open:\n"
	"	nop\n"
	"	out %al, $0xf4\n"
	"	hlt\n");

/* NMIs: the handler stops twice, on entry and before its IRET. */
GUEST_CODE16(nmi,
	SET_VECTOR(2, "nmi_handler", "nmi_1")
	"	cli\n"
	"	out %al, $0xf3\n"
	"	sti\n"
	"nmi_loop:\n"
	"	hlt\n"
	"	jmp nmi_loop\n"
	"nmi_handler:\n"
	"	out %al, $0xf2\n"
	"	out %al, $0xf6\n"
	"	iret\n");

extern const unsigned char hw_after[], sh_after[], ms_after[], win_open[];

/* Where a label of a guest is in guest memory. */
#define GUEST_ADDR(guest, label)					\
	(GUEST_LOAD_ADDR + (label - guest_##guest##_start))

static uint64_t rip_of(struct kvmini_vcpu *vcpu)
{
	struct kvmini_regs regs;

	kvmini_get_regs(vcpu, &regs);
	return regs.rip;
}

/*
 * What the vCPU holds when an expectation fails: where it stopped, the
 * hardware's last reason, and the events kvmini keeps for it (an NMI
 * that went missing shows up here as pending, masked or neither).
 */
static void show_vcpu(struct __test_metadata *_metadata,
		      struct kvmini_vcpu *vcpu)
{
	struct kvmini_vcpu_events ev;

	kvmini_get_events(vcpu, &ev);
	TH_LOG("exit %s at rip 0x%llx, hardware reason %s (0x%llx)",
	       kvmini_exit_name(vcpu->run->exit_reason),
	       (unsigned long long)rip_of(vcpu),
	       kvmini_hw_exit_name(vcpu->run->hw.vendor, vcpu->run->hw.reason),
	       (unsigned long long)vcpu->run->hw.reason);
	TH_LOG("events: event valid %u type %u vector %u, nmi pending %u "
	       "masked %u, interrupt pending %u, shadow 0x%x",
	       ev.event.valid, ev.event.type, ev.event.vector, ev.nmi.pending,
	       ev.nmi.masked, ev.interrupt.pending, ev.shadow);
}

static void expect_port(struct __test_metadata *_metadata,
			struct kvmini_vcpu *vcpu, uint16_t port)
{
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	if (strcmp("io", kvmini_exit_name(vcpu->run->exit_reason)) ||
	    vcpu->run->io.port != port)
		show_vcpu(_metadata, vcpu);
	ASSERT_STREQ("io", kvmini_exit_name(vcpu->run->exit_reason));
	ASSERT_EQ(port, vcpu->run->io.port);
}

/* The next exit is a handler reporting the return IP ip. */
static void expect_handler(struct __test_metadata *_metadata,
			   struct kvmini_vcpu *vcpu, uint64_t ip)
{
	uint16_t seen;

	expect_port(_metadata, vcpu, REPORT_PORT);
	memcpy(&seen, kvmini_io_data(vcpu), 2);
	EXPECT_EQ(ip, seen);
}

static int queue(struct kvmini_vcpu *vcpu, uint32_t vector)
{
	struct kvmini_interrupt irq = { .vector = vector };

	return ioctl(vcpu->fd, KVMINI_INTERRUPT, &irq);
}

TEST(hlt_wakes_on_interrupt)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(hlt_wake);
	int i;

	for (i = 0; i < 3; i++) {
		expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
		EXPECT_EQ(1, vcpu->run->if_flag);
		EXPECT_EQ(1, vcpu->run->ready_for_interrupt_injection);
		ASSERT_EQ(0, queue(vcpu, IRQ_VECTOR));
		/* The handler returns to the instruction after the HLT. */
		expect_handler(_metadata, vcpu, GUEST_ADDR(hlt_wake, hw_after));
		expect_port(_metadata, vcpu, AFTER_PORT);
	}
	guest_destroy(vcpu);
}

/* Queued with IF=0, the interrupt waits for STI and its shadow. */
TEST(sti_shadow)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(sti_hlt);
	struct kvmini_stats *stats;

	expect_port(_metadata, vcpu, SYNC_PORT);
	EXPECT_EQ(0, vcpu->run->if_flag);
	EXPECT_EQ(0, vcpu->run->ready_for_interrupt_injection);
	ASSERT_EQ(0, queue(vcpu, IRQ_VECTOR));
	/* sti; hlt: taken after the HLT, which never reaches userspace. */
	expect_handler(_metadata, vcpu, GUEST_ADDR(sti_hlt, sh_after));
	expect_port(_metadata, vcpu, AFTER_PORT);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	/* Two HLTs: the one the interrupt ended, in the kernel; the last. */
	stats = kvmini_vcpu_stats(vcpu);
	EXPECT_EQ(1, kvmini_stats_get(stats, "exit.hlt.kernel.count"));
	EXPECT_EQ(1, kvmini_stats_get(stats, "exit.hlt.user.count"));
	kvmini_stats_close(stats);
	guest_destroy(vcpu);
}

TEST(mov_ss_shadow)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(mov_ss);

	expect_port(_metadata, vcpu, SYNC_PORT);
	EXPECT_EQ(1, vcpu->run->ready_for_interrupt_injection);
	ASSERT_EQ(0, queue(vcpu, IRQ_VECTOR));
	expect_handler(_metadata, vcpu, GUEST_ADDR(mov_ss, ms_after));
	expect_port(_metadata, vcpu, AFTER_PORT);
	guest_destroy(vcpu);
}

/* Userspace asks for the window: RUN returns once the guest can take one. */
TEST(interrupt_window)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(window);
	struct kvmini_run *run = vcpu->run;

	expect_port(_metadata, vcpu, SYNC_PORT);
	run->request_interrupt_window = 1;
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IRQ_WINDOW);
	EXPECT_EQ(GUEST_ADDR(window, win_open), rip_of(vcpu));
	EXPECT_EQ(1, run->ready_for_interrupt_injection);
	EXPECT_EQ(1, run->if_flag);
	/* Still asking, and still open: at once, without entering. */
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IRQ_WINDOW);
	EXPECT_EQ(GUEST_ADDR(window, win_open), rip_of(vcpu));
	run->request_interrupt_window = 0;
	expect_port(_metadata, vcpu, AFTER_PORT);
	guest_destroy(vcpu);
}

/*
 * The delivery itself exits: the IVT and the stack are on pages the
 * guest never touched, so EPT/NPT maps them during the delivery.  The
 * interrupt comes in once, all the same.
 */
TEST(redelivered_after_exit)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(hlt_wake);
	struct kvmini_regs regs;

	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	kvmini_get_regs(vcpu, &regs);
	regs.rsp = 0x30000;		/* a page nobody touched */
	kvmini_set_regs(vcpu, &regs);
	ASSERT_EQ(0, queue(vcpu, IRQ_VECTOR));
	expect_handler(_metadata, vcpu, GUEST_ADDR(hlt_wake, hw_after));
	expect_port(_metadata, vcpu, AFTER_PORT);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	guest_destroy(vcpu);
}

/* A second NMI waits for the first handler's IRET. */
TEST(nmi_blocked_until_iret)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(nmi);

	expect_port(_metadata, vcpu, SYNC_PORT);
	/* IF=0 does not hold NMIs back. */
	ASSERT_EQ(0, ioctl(vcpu->fd, KVMINI_NMI, 0));
	expect_port(_metadata, vcpu, REPORT_PORT);
	ASSERT_EQ(0, ioctl(vcpu->fd, KVMINI_NMI, 0));
	/* The first handler finishes before the second NMI comes in. */
	expect_port(_metadata, vcpu, IRET_PORT);
	expect_port(_metadata, vcpu, REPORT_PORT);
	expect_port(_metadata, vcpu, IRET_PORT);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	/* An NMI wakes the halted guest. */
	ASSERT_EQ(0, ioctl(vcpu->fd, KVMINI_NMI, 0));
	expect_port(_metadata, vcpu, REPORT_PORT);
	expect_port(_metadata, vcpu, IRET_PORT);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	guest_destroy(vcpu);
}

/* NMIs queued together merge into one, as on hardware. */
TEST(nmis_merge)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(nmi);

	expect_port(_metadata, vcpu, SYNC_PORT);
	ASSERT_EQ(0, ioctl(vcpu->fd, KVMINI_NMI, 0));
	ASSERT_EQ(0, ioctl(vcpu->fd, KVMINI_NMI, 0));
	expect_port(_metadata, vcpu, REPORT_PORT);
	expect_port(_metadata, vcpu, IRET_PORT);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	guest_destroy(vcpu);
}

/* CR8, the task priority, reads back what was written (VMX exits on it). */
GUEST_CODE64(cr8,
	"	mov $5, %rax\n"
	"	mov %rax, %cr8\n"
	"	mov %cr8, %rbx\n"
	"	hlt\n");

/* A vCPU in long mode at the guest's code. */
static struct kvmini_vcpu *long_guest(const unsigned char *start,
				      const unsigned char *end)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	uint8_t *mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	struct kvmini_vcpu *vcpu = kvmini_vcpu_create(vm, 0);

	memcpy(mem + GUEST_LOAD_ADDR, start, end - start);
	kvmini_vcpu_setup_long_mode(vcpu, mem, GUEST_LOAD_ADDR, 0x8000);
	return vcpu;
}

TEST(cr8)
{
	struct kvmini_vcpu *vcpu = long_guest(guest_cr8_start, guest_cr8_end);
	struct kvmini_sregs sregs;
	struct kvmini_regs regs;

	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	kvmini_get_regs(vcpu, &regs);
	EXPECT_EQ(5, regs.rbx);
	kvmini_get_sregs(vcpu, &sregs);
	EXPECT_EQ(5, sregs.cr8);
	guest_destroy(vcpu);
}

/*
 * The same while an interrupt window is asked for with IF clear, so the
 * window waits: the write must still land (SVM then exits on it, as an
 * emulator aborted on a CR8 write with a virtual interrupt pending), and
 * the window opens at the STI.
 */
GUEST_CODE64(cr8_window,
	"	cli\n"
	"	out %al, $0x30\n"
	"	mov $7, %rax\n"
	"	mov %rax, %cr8\n"
	"	mov %cr8, %rbx\n"
	"	sti\n"
	"	nop\n"
	"	hlt\n");

TEST(cr8_with_window_pending)
{
	struct kvmini_vcpu *vcpu = long_guest(guest_cr8_window_start,
					      guest_cr8_window_end);
	struct kvmini_sregs sregs;
	struct kvmini_regs regs;

	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	vcpu->run->request_interrupt_window = 1;
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IRQ_WINDOW);
	vcpu->run->request_interrupt_window = 0;
	kvmini_get_regs(vcpu, &regs);
	EXPECT_EQ(7, regs.rbx);
	kvmini_get_sregs(vcpu, &sregs);
	EXPECT_EQ(7, sregs.cr8);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	guest_destroy(vcpu);
}

TEST(bad_interrupt)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(hlt_wake);
	struct kvmini_interrupt irq = { .vector = IRQ_VECTOR };

	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	EXPECT_ERRNO(EINVAL, queue(vcpu, 256));
	irq.flags = 1;
	EXPECT_ERRNO(EINVAL, ioctl(vcpu->fd, KVMINI_INTERRUPT, &irq));
	irq.flags = 0;
	irq.reserved[1] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(vcpu->fd, KVMINI_INTERRUPT, &irq));
	EXPECT_ERRNO(EFAULT, ioctl(vcpu->fd, KVMINI_INTERRUPT, NULL));
	EXPECT_ERRNO(EINVAL, ioctl(vcpu->fd, KVMINI_NMI, 1));
	/* Nothing was queued by the failures: no handler ran... */
	expect_port(_metadata, vcpu, AFTER_PORT);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	/* ...and one queued interrupt is all there can be. */
	ASSERT_EQ(0, queue(vcpu, IRQ_VECTOR));
	EXPECT_ERRNO(EEXIST, queue(vcpu, IRQ_VECTOR + 1));
	expect_handler(_metadata, vcpu, GUEST_ADDR(hlt_wake, hw_after));
	EXPECT_EQ(1, ioctl(open("/dev/kvmini", O_RDWR), KVMINI_CHECK_CAP,
			   KVMINI_CAP_INTERRUPTS));
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
