// SPDX-License-Identifier: GPL-2.0
/*
 * entry_test.c - what the entry path owes the host: time in the guest is
 * guest time, the scheduler and signals get their turn, VMX/SVM is held
 * only while there are VMs, and the module says which speculation
 * defences it applies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include "kvmini_test.h"

/* Spins with interrupts off: only host interrupts make it exit. */
GUEST_CODE16(spin,
	"	cli\n"
	"1:	jmp 1b\n");

static void on_alarm(int sig)
{
}

/* Field 43 of /proc/thread-self/stat: this thread's guest time, ticks. */
static long guest_ticks(void)
{
	char buf[1024], *p;
	long v = -1;
	int i, fd = open("/proc/thread-self/stat", O_RDONLY);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	/* After the command name's closing parenthesis: field 3 on. */
	p = strrchr(buf, ')');
	for (i = 3; p && i <= 43; i++) {
		p = strchr(p + 1, ' ');
		if (p && i == 43)
			v = strtol(p + 1, NULL, 10);
	}
	return v;
}

/* Half a second in the guest shows up as guest time, as with KVM. */
TEST(guest_time_is_guest_time)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(spin);
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { .tv_usec = 500000 } };
	long before = guest_ticks(), after;

	ASSERT_LE(0, before);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	EXPECT_ERRNO(EINTR, ioctl(vcpu->fd, KVMINI_RUN, 0));
	after = guest_ticks();
	TH_LOG("guest time: %ld ticks", after - before);
	/* Ticks that land in guest mode: most of 50 at 100 Hz, more above. */
	EXPECT_LE(before + 10, after);
	guest_destroy(vcpu);
}

/* The module names the defences it applies when it loads. */
TEST(mitigations_reported)
{
	FILE *f = popen("dmesg", "r");
	char line[512];
	int found = 0;

	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		found |= strstr(line, "kvmini: entry path: VERW ") != NULL;
	pclose(f);
	EXPECT_TRUE(found);
}

TEST_HARNESS_MAIN
