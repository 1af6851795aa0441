// SPDX-License-Identifier: GPL-2.0
/*
 * exception_test.c - the guest exceptions kvmini intercepts (#DB, #AC,
 * #MC) and gives back: the guest's handler must run as without
 * kvmini, every one must pass through kvmini (an "exception" exit), and
 * an exception whose delivery raises it again must leave the host in
 * control.
 *
 * The guests run at CPL 3 in flat 32-bit protected mode: alignment
 * checking exists only there.  Their handlers run at CPL 0.
 */
#include <signal.h>
#include <sys/time.h>
#include "kvmini_test.h"
#include "ring3.h"

static int next_port(struct __test_metadata *_metadata,
		     struct kvmini_vcpu *vcpu)
{
	EXPECT_EQ(0, kvmini_vcpu_run(vcpu));
	if (vcpu->run->exit_reason != KVMINI_EXIT_IO) {
		TH_LOG("exit %s", kvmini_exit_name(vcpu->run->exit_reason));
		return -1;
	}
	return vcpu->run->io.port;
}

/*
 * Single-stepping: the guest sets TF with POPF, so the instruction after
 * it traps with #DB; the handler (port 0x32) clears TF in the frame.
 * Every #DB exits to kvmini and goes back into the guest.
 */
GUEST_CODE32(single_step,
	"	pushf\n"
	"	orl $0x100, (%esp)\n"
	"	popf\n"
	"	nop\n"				/* #DB after this */
	"	out %al, $0x30\n"
	"	out %al, $0x3f\n"
	"guest_single_step_db:\n"
	"	out %al, $0x32\n"
	"	andl $~0x100, 8(%esp)\n"	/* EFLAGS.TF in the frame */
	"	iret\n");
extern const unsigned char guest_single_step_db[];

TEST(db_reaches_guest_through_kvmini)
{
	struct kvmini_vcpu *vcpu;
	uint8_t *mem;

	vcpu = RING3_GUEST(single_step, &mem, 0, 0x8000);
	set_gate(mem, VEC_DB, SEL_CODE0, GUEST_ADDR(single_step, db));
	EXPECT_EQ(0x32, next_port(_metadata, vcpu));
	EXPECT_EQ(0x30, next_port(_metadata, vcpu));
	EXPECT_EQ(0x3f, next_port(_metadata, vcpu));
	EXPECT_EQ(1, kvmini_exit_count(vcpu, KVMINI_EXIT_EXCEPTION));
	guest_destroy(vcpu);
}

/*
 * Alignment checking on (CPL 3, CR0.AM, EFLAGS.AC): a misaligned load
 * raises #AC and the handler reports on port 0x31.  The #AC must pass
 * through kvmini.  QEMU's TCG never raises #AC: there the load just
 * works (port 0x30), which the test says and accepts; Bochs raises it.
 */
GUEST_CODE32(misaligned,
	"	mov $0x2001, %ebx\n"
	"	mov (%ebx), %eax\n"		/* #AC */
	"	out %al, $0x30\n"
	"	out %al, $0x3f\n"
	"guest_misaligned_ac:\n"
	"	out %al, $0x31\n"
	"	hlt\n");
extern const unsigned char guest_misaligned_ac[];

TEST(ac_reaches_guest_through_kvmini)
{
	struct kvmini_vcpu *vcpu;
	uint8_t *mem;
	int port;

	vcpu = RING3_GUEST(misaligned, &mem, RFLAGS_AC, 0x8000);
	set_gate(mem, VEC_AC, SEL_CODE0, GUEST_ADDR(misaligned, ac));
	port = next_port(_metadata, vcpu);
	if (port == 0x30) {
		TH_LOG("this CPU does not raise #AC (QEMU's TCG): nothing to intercept");
		EXPECT_EQ(0, kvmini_exit_count(vcpu, KVMINI_EXIT_EXCEPTION));
	} else {
		EXPECT_EQ(0x31, port);
		EXPECT_EQ(1, kvmini_exit_count(vcpu, KVMINI_EXIT_EXCEPTION));
	}
	guest_destroy(vcpu);
}

static void on_alarm(int sig)
{
}

/*
 * The CVE-2015-5307 loop: #AC's gate leads to CPL 3 code, so delivering
 * it pushes onto the guest's own misaligned stack with alignment checks
 * on, which raises #AC again, forever.  On hardware without the #AC
 * intercept the CPU spins in microcode and the host never gets it back.
 * Here every round exits to kvmini, and a signal ends RUN.
 */
GUEST_CODE32(ac_loop,
	"	mov $0x2001, %ebx\n"
	"	mov (%ebx), %eax\n"		/* #AC, delivered on a bad stack */
	"	out %al, $0x30\n"
	"	out %al, $0x3f\n"
	"guest_ac_loop_ac:\n"
	"	out %al, $0x31\n"		/* never reached */
	"	out %al, $0x3f\n");
extern const unsigned char guest_ac_loop_ac[];

TEST(ac_delivery_loop_leaves_host_in_control)
{
	struct itimerval t = { .it_value.tv_usec = 300000 };
	struct sigaction sa = { .sa_handler = on_alarm };
	struct kvmini_vcpu *vcpu;
	uint8_t *mem;

	vcpu = RING3_GUEST(ac_loop, &mem, RFLAGS_AC, 0x8001);
	set_gate(mem, VEC_AC, SEL_CODE3, GUEST_ADDR(ac_loop, ac));
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &t, NULL);
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	if (vcpu->run->exit_reason == KVMINI_EXIT_IO &&
	    vcpu->run->io.port == 0x30) {
		TH_LOG("this CPU does not raise #AC (QEMU's TCG): no loop");
	} else {
		EXPECT_STREQ("intr", kvmini_exit_name(vcpu->run->exit_reason));
		EXPECT_LT(1, kvmini_exit_count(vcpu, KVMINI_EXIT_EXCEPTION));
		TH_LOG("%llu rounds of #AC before the signal",
		       (unsigned long long)kvmini_exit_count(vcpu,
						KVMINI_EXIT_EXCEPTION));
	}
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
