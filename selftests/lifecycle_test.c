// SPDX-License-Identifier: GPL-2.0
/*
 * lifecycle_test.c - vCPUs in threads, VMs side by side, a guest that
 * never exits killed by SIGKILL, and file descriptors closed in any order
 * while a vCPU runs.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include "kvmini_test.h"

#define LOOPS	200

/* LOOPS port writes of the vCPU's own tag (BL), then hlt. */
GUEST_CODE16(counter,
	"	mov $200, %cx\n"
	"1:	mov %bl, %al\n"
	"	out %al, $0x40\n"
	"	loop 1b\n"
	"	hlt\n");

struct runner {
	struct kvmini_vcpu *vcpu;
	int outs, bad;
};

/* Service one vCPU until it halts, counting its port writes. */
static void *run_counter(void *arg)
{
	struct runner *r = arg;
	struct kvmini_run *run = r->vcpu->run;
	struct kvmini_regs regs;
	uint8_t tag;

	kvmini_get_regs(r->vcpu, &regs);
	tag = regs.rbx;
	for (;;) {
		if (kvmini_vcpu_run(r->vcpu)) {
			r->bad++;
			break;
		}
		if (run->exit_reason == KVMINI_EXIT_HLT)
			break;
		if (run->exit_reason != KVMINI_EXIT_IO ||
		    *(uint8_t *)kvmini_io_data(r->vcpu) != tag) {
			r->bad++;
			break;
		}
		r->outs++;
	}
	return NULL;
}

static void set_tag(struct kvmini_vcpu *vcpu, int tag)
{
	struct kvmini_regs regs;

	kvmini_get_regs(vcpu, &regs);
	regs.rbx = tag;
	kvmini_set_regs(vcpu, &regs);
}

TEST(vcpus_in_threads)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	uint8_t *mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	struct runner r[4] = {};
	pthread_t t[4];
	int i;

	memcpy(mem + GUEST_LOAD_ADDR, guest_counter_start,
	       guest_counter_end - guest_counter_start);
	for (i = 0; i < 4; i++) {
		r[i].vcpu = kvmini_vcpu_create(vm, i);
		kvmini_vcpu_setup_real_mode(r[i].vcpu, GUEST_LOAD_ADDR,
					    0x8000 - i * 0x100);
		set_tag(r[i].vcpu, 0x10 + i);
	}
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, run_counter, &r[i]));
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, r[i].bad);
		EXPECT_EQ(LOOPS, r[i].outs);
		EXPECT_EQ(LOOPS, kvmini_exit_count(r[i].vcpu, KVMINI_EXIT_IO));
		kvmini_vcpu_free(r[i].vcpu);
	}
	kvmini_vm_free(vm);
}

TEST(vms_side_by_side)
{
	struct runner r[3] = {};
	pthread_t t[3];
	int i;

	for (i = 0; i < 3; i++) {
		r[i].vcpu = GUEST_CREATE(counter);
		set_tag(r[i].vcpu, 0x20 + i);
	}
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, run_counter, &r[i]));
	for (i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, r[i].bad);
		EXPECT_EQ(LOOPS, r[i].outs);
		guest_destroy(r[i].vcpu);
	}
}

/*
 * A guest in `cli; jmp .` never exits on its own; SIGKILL must still end
 * its process promptly.  (Under Bochs a host interrupt does not exit a
 * VMX guest spinning with IF=0; the VMX preemption timer does.)
 */
GUEST_CODE16(spin_cli,
	"	cli\n"
	"1:	jmp 1b\n");
GUEST_CODE16(spin_sti,
	"	sti\n"
	"1:	jmp 1b\n");

static void on_alarm(int sig)
{
}

TEST(sigkill_spinning_guest)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct kvmini_vcpu *vcpu = GUEST_CREATE(spin_cli);

		kvmini_vcpu_run(vcpu);
		_exit(3);	/* RUN must not return before the kill */
	}
	usleep(300 * 1000);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	/* Bounded: a kill that does not land leaves waitpid to EINTR. */
	sigaction(SIGALRM, &sa, NULL);
	alarm(20);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	alarm(0);
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
}

/*
 * Everything is closed and unmapped while a thread is inside RUN; the
 * vCPU lives until that RUN returns, and nothing is left behind (the
 * in-VM script's rmmod after the tests fails on a leaked reference).
 */
struct spinner {
	struct kvmini_vcpu *vcpu;
	int fd;
	int ret, err;
};

static void *run_spinner(void *arg)
{
	struct spinner *s = arg;

	s->ret = ioctl(s->fd, KVMINI_RUN, 0);
	s->err = errno;
	return NULL;
}

static void on_usr1(int sig)
{
}

TEST(close_everything_while_running)
{
	struct kvmini_vcpu *vcpu = GUEST_CREATE(spin_sti);
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct spinner s = { .vcpu = vcpu, .fd = vcpu->fd };
	pthread_t t;

	ASSERT_EQ(0, sigaction(SIGUSR1, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&t, NULL, run_spinner, &s));
	usleep(200 * 1000);
	munmap(vcpu->run, getpagesize());
	close(vcpu->vm->fd);
	close(vcpu->vm->sys_fd);
	close(vcpu->fd);
	/* The running vCPU still holds its file: a signal ends its RUN. */
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	EXPECT_EQ(-1, s.ret);
	EXPECT_EQ(EINTR, s.err);
	free(vcpu->vm);
	free(vcpu);
}

TEST_HARNESS_MAIN
