// SPDX-License-Identifier: GPL-2.0
/*
 * nmi_test.c - an NMI that arrives while a guest runs is the host's.
 *
 * A guest spins on one CPU; writing 'l' to /proc/sysrq-trigger from
 * another CPU sends every CPU an NMI (the NMI backtrace).  The spinning
 * CPU must leave the guest, hand the NMI to the host (which prints its
 * backtrace) and go on.  Needs two CPUs; prints NMI backtraces in the
 * kernel log, so the in-VM script runs it after its kernel-log check.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include "kvmini_test.h"

GUEST_CODE16(spin,
	"	sti\n"
	"1:	jmp 1b\n");

struct spinner {
	struct kvmini_vcpu *vcpu;
	int ret, err;
};

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *spin_on_cpu1(void *arg)
{
	struct spinner *s = arg;

	pin(1);
	s->ret = ioctl(s->vcpu->fd, KVMINI_RUN, 0);
	s->err = errno;
	return NULL;
}

static void on_usr1(int sig)
{
}

TEST(nmi_during_guest_reaches_host)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct spinner s = { .vcpu = GUEST_CREATE(spin) };
	pthread_t t;
	int fd, i;

	ASSERT_LE(2, sysconf(_SC_NPROCESSORS_ONLN))
		TH_LOG("needs two CPUs: one in the guest, one sending NMIs");
	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	pin(0);
	ASSERT_EQ(0, pthread_create(&t, NULL, spin_on_cpu1, &s));
	usleep(500 * 1000);

	/*
	 * An NMI can land while CPU 1 is between two guest entries (handling
	 * a timer exit): try a bounded number of times.
	 */
	fd = open("/proc/sysrq-trigger", O_WRONLY);
	ASSERT_LE(0, fd);
	for (i = 0; i < 20 && !kvmini_exit_count(s.vcpu, KVMINI_EXIT_NMI); i++) {
		ASSERT_EQ(1, write(fd, "l", 1));
		usleep(200 * 1000);
	}
	close(fd);

	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	EXPECT_EQ(-1, s.ret);
	EXPECT_EQ(EINTR, s.err);
	EXPECT_LE(1, kvmini_exit_count(s.vcpu, KVMINI_EXIT_NMI));
	guest_destroy(s.vcpu);
}

TEST_HARNESS_MAIN
