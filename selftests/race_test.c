// SPDX-License-Identifier: GPL-2.0
/*
 * race_test.c - things that happen while vCPUs run: fds closed and run
 * pages unmapped, rmmod attempts, the module unloaded right after the
 * last close, memory slots deleted and replaced under a running guest,
 * signal storms, two threads calling RUN on one vCPU, VM and vCPU fds
 * passed to another process, port handlers attached and detached, and
 * stats fds read while vCPUs come and go.
 *
 * Each test checks what the API promises (every exit seen once, EIO in
 * another process, no guest write after a slot is gone, pinned pages all
 * released, the module's reference count back where it was) and leaves
 * the kernel's own checks (KASAN, lockdep, in `make check-debug`) to see
 * the rest.  The guests are real-mode loops, so both vendors run them.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include "kvmini_test.h"

/* OUTs to 0x80 (a kernel counter), and every 256th one to 0x81. */
GUEST_CODE16(spin_out,
	"	sti\n"
	"1:	out %al, $0x80\n"
	"	inc %cx\n"
	"	test $0xff, %cl\n"
	"	jnz 1b\n"
	"	out %al, $0x81\n"
	"	jmp 1b\n");

/*
 * Increments the 32-bit words of the window at 0x80000 (DS = 0x8000)
 * from SI on, 0x4000 bytes round and round; an OUT to 0x82 every 256
 * words.  Plain MOVs, so the words become MMIO when the slot is gone.
 */
GUEST_CODE16(window_writer,
	"	mov $0x8000, %ax\n"
	"	mov %ax, %ds\n"
	"	xor %bx, %bx\n"
	"1:	mov (%bx,%si), %eax\n"
	"	inc %eax\n"
	"	mov %eax, (%bx,%si)\n"
	"	add $4, %bx\n"
	"	and $0x3ffc, %bx\n"
	"	test $0x3fc, %bx\n"
	"	jnz 1b\n"
	"	out %al, $0x82\n"
	"	jmp 1b\n");

/* IN a value from 0x85, OUT it to 0x86, for ever. */
GUEST_CODE16(echo,
	"1:	in $0x85, %eax\n"
	"	out %eax, $0x86\n"
	"	jmp 1b\n");

/* CX times: count in the word at BX, OUT AL to port DX; then HLT. */
GUEST_CODE16(count_out,
	"1:	incl (%bx)\n"
	"	out %al, %dx\n"
	"	loop 1b\n"
	"	hlt\n");

#define SPIN_OUT	0x1000
#define WINDOW_WRITER	0x1100
#define ECHO		0x1200
#define COUNT_OUT	0x1300
#define COUNTERS	0x3000		/* one word per vCPU */
#define WINDOW_GPA	0x80000
#define WINDOW_SIZE	0x10000

static void load_guests(uint8_t *mem)
{
	memcpy(mem + SPIN_OUT, guest_spin_out_start,
	       guest_spin_out_end - guest_spin_out_start);
	memcpy(mem + WINDOW_WRITER, guest_window_writer_start,
	       guest_window_writer_end - guest_window_writer_start);
	memcpy(mem + ECHO, guest_echo_start, guest_echo_end - guest_echo_start);
	memcpy(mem + COUNT_OUT, guest_count_out_start,
	       guest_count_out_end - guest_count_out_start);
}

/* A vCPU at rip in real mode, with BX, CX, DX and SI set. */
static struct kvmini_vcpu *start_vcpu(struct kvmini_vm *vm, int id,
				      uint64_t rip, uint64_t bx, uint64_t cx,
				      uint64_t dx, uint64_t si)
{
	struct kvmini_vcpu *vcpu = kvmini_vcpu_create(vm, id);
	struct kvmini_regs regs;

	kvmini_vcpu_setup_real_mode(vcpu, rip, 0x8000 - id * 0x200);
	kvmini_get_regs(vcpu, &regs);
	regs.rbx = bx;
	regs.rcx = cx;
	regs.rdx = dx;
	regs.rsi = si;
	kvmini_set_regs(vcpu, &regs);
	return vcpu;
}

static void on_signal(int sig)
{
}

/* SIGUSR1 interrupts RUN (no SA_RESTART). */
static void catch_sigusr1(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGUSR1, &sa, NULL);
}

/*
 * Every test runs in a fixture for its timeout: Bochs is about 15 times
 * slower than QEMU.
 */
FIXTURE(race) {
};

FIXTURE_SETUP(race)
{
	catch_sigusr1();
}

FIXTURE_TEARDOWN(race)
{
}

#define RACE_TEST(name)	TEST_F_TIMEOUT(race, name, 300)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The module's reference count, from sysfs; -1 if it cannot be read. */
static long module_refcnt(void)
{
	FILE *f = fopen("/sys/module/kvmini/refcnt", "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/*
 * The module's parameters as they are now ("stats=Y vmx_timeslice_us=1000
 * ..."), to load it again the way the VM's script loaded it.
 */
static void module_params(char *buf, size_t len)
{
	static const char dir[] = "/sys/module/kvmini/parameters";
	char path[320], value[64];
	struct dirent *d;
	DIR *dp = opendir(dir);
	size_t n = 0;

	buf[0] = 0;
	while (dp && (d = readdir(dp))) {
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(value, sizeof(value), f)) {
			value[strcspn(value, "\n")] = 0;
			n += snprintf(buf + n, len - n, "%s%s=%s", n ? " " : "",
				      d->d_name, value);
		}
		fclose(f);
		if (n >= len)
			break;
	}
	if (dp)
		closedir(dp);
}

/* An rmmod that must fail: the module is in use.  Returns errno. */
static int try_rmmod(void)
{
	if (syscall(SYS_delete_module, "kvmini", O_NONBLOCK) == 0)
		return 0;
	return errno;
}

/* ------------------------------------------------------------------ */
/* Close, munmap and rmmod attempts while vCPUs run                     */
/* ------------------------------------------------------------------ */

struct runner {
	int fd;
	volatile int stop;
	int exits, eintr, ebadf, bad, last_errno;
	pthread_t t;
};

/* RUN until the fd is gone (EBADF) or stop; the run page is not used. */
static void *run_blind(void *arg)
{
	struct runner *r = arg;

	while (!r->stop) {
		if (ioctl(r->fd, KVMINI_RUN, 0) == 0) {
			r->exits++;
		} else if (errno == EINTR) {
			r->eintr++;
		} else if (errno == EBADF) {
			r->ebadf++;
			break;
		} else {
			r->bad++;
			r->last_errno = errno;
			break;
		}
	}
	return NULL;
}

#define RACE_VCPUS	4

static int rmmod_refused(struct __test_metadata *_metadata)
{
	int err = try_rmmod();

	EXPECT_NE(0, err) TH_LOG("kvmini was unloaded while in use");
	return err == EAGAIN || err == EWOULDBLOCK || err == EBUSY;
}

RACE_TEST(close_munmap_rmmod_while_running)
{
	struct kvmini_port_handler h = {
		.first_port = 0x80, .last_port = 0x80,
		.kind = KVMINI_PORT_COUNTER,
	};
	struct runner r[RACE_VCPUS] = {};
	struct kvmini_vcpu *vcpu[RACE_VCPUS];
	struct kvmini_vm *vm;
	long refs_before;
	int keep, i, refused = 0;
	uint8_t *mem;

	/* Our own /dev/kvmini fd keeps the module whatever else happens. */
	keep = open("/dev/kvmini", O_RDWR);
	ASSERT_LE(0, keep);
	refs_before = module_refcnt();

	vm = kvmini_vm_create();
	mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	load_guests(mem);
	ASSERT_EQ(0, kvmini_vm_attach_port(vm, &h));
	for (i = 0; i < RACE_VCPUS; i++) {
		vcpu[i] = start_vcpu(vm, i, SPIN_OUT, 0, 0, 0, 0);
		r[i].fd = vcpu[i]->fd;
		ASSERT_EQ(0, pthread_create(&r[i].t, NULL, run_blind, &r[i]));
	}
	usleep(100 * 1000);
	refused += rmmod_refused(_metadata);

	/* Pull everything away from under the running vCPUs. */
	for (i = 0; i < RACE_VCPUS; i++) {
		munmap(vcpu[i]->run, getpagesize());
		refused += rmmod_refused(_metadata);
	}
	close(vm->fd);
	close(vm->sys_fd);
	refused += rmmod_refused(_metadata);
	for (i = 0; i < RACE_VCPUS; i++) {
		close(vcpu[i]->fd);	/* its thread is inside RUN */
		refused += rmmod_refused(_metadata);
	}
	usleep(20 * 1000);
	for (i = 0; i < RACE_VCPUS; i++) {
		r[i].stop = 1;
		pthread_kill(r[i].t, SIGUSR1);
	}
	for (i = 0; i < RACE_VCPUS; i++) {
		pthread_join(r[i].t, NULL);
		EXPECT_EQ(0, r[i].bad) TH_LOG("vCPU %d: RUN failed with %s",
					      i, strerror(r[i].last_errno));
		EXPECT_LT(0, r[i].exits);
		free(vcpu[i]);
	}
	refused += rmmod_refused(_metadata);
	EXPECT_EQ(RACE_VCPUS * 2 + 3, refused);
	/* Every VM and vCPU reference is gone: back to our one fd. */
	EXPECT_EQ(refs_before, module_refcnt());
	free(vm);
	close(keep);
}

/*
 * The module goes the moment its last user is gone: a process with a
 * VM, a vCPU and a spinning guest is killed while rmmod is retried in a
 * loop.  The release path must not run module code after its reference
 * is dropped (KASAN and the kernel's text checks see it if it does).
 * Loads the module again each time, from KVMINI_KO (default: where the
 * test VMs keep it).
 */
#define RMMOD_ROUNDS	8

GUEST_CODE16(spin,
	"	sti\n"
	"1:	jmp 1b\n");

RACE_TEST(rmmod_right_after_last_close)
{
	const char *ko = getenv("KVMINI_KO") ?: "/kvmini/kvmini.ko";
	int kofd = open(ko, O_RDONLY | O_CLOEXEC), round;
	char params[512];

	if (kofd < 0)
		SKIP(return, "%s not found: set KVMINI_KO to reload kvmini", ko);
	module_params(params, sizeof(params));
	TH_LOG("reloading %s with \"%s\"", ko, params);
	for (round = 0; round < RMMOD_ROUNDS; round++) {
		int pipefd[2], status, err = 0;
		double deadline;
		char c;
		pid_t pid;

		ASSERT_EQ(0, pipe(pipefd));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			struct kvmini_vcpu *vcpu = GUEST_CREATE(spin);

			write(pipefd[1], "r", 1);
			kvmini_vcpu_run(vcpu);
			_exit(0);
		}
		ASSERT_EQ(1, read(pipefd[0], &c, 1));
		close(pipefd[0]);
		close(pipefd[1]);
		usleep(1000 * (round % 4));
		kill(pid, SIGKILL);
		/* rmmod as soon as it can succeed, while the child exits. */
		deadline = now() + 30;
		while ((err = try_rmmod()) && now() < deadline)
			ASSERT_TRUE(err == EAGAIN || err == EWOULDBLOCK ||
				    err == EBUSY) TH_LOG("rmmod: %s",
							 strerror(err));
		ASSERT_EQ(0, err) TH_LOG("rmmod never succeeded");
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_EQ(0, syscall(SYS_finit_module, kofd, params, 0))
			TH_LOG("loading %s again: %s", ko, strerror(errno));
	}
	close(kofd);
}

/* ------------------------------------------------------------------ */
/* Memory slots deleted and replaced under a running guest              */
/* ------------------------------------------------------------------ */

struct writer {
	struct kvmini_vcpu *vcpu;
	volatile int stop;
	int progress, mmio, bad;
	pthread_t t;
};

/* Serve the window writer: MMIO reads get 0 while the slot is away. */
static void *run_writer(void *arg)
{
	struct writer *w = arg;
	struct kvmini_run *run = w->vcpu->run;

	while (!w->stop) {
		if (ioctl(w->vcpu->fd, KVMINI_RUN, 0)) {
			if (errno != EINTR)
				w->bad++;
			continue;
		}
		if (run->exit_reason == KVMINI_EXIT_MMIO) {
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0, 8);
			w->mmio++;
		} else if (run->exit_reason == KVMINI_EXIT_IO &&
			   run->io.port == 0x82) {
			w->progress++;
		} else {
			w->bad++;
		}
	}
	return NULL;
}

static long vmstat(const char *name)
{
	char key[64];
	long value = -1, v;
	FILE *f;
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			value = -1;
		close(fd);
	}
	f = fopen("/proc/vmstat", "r");
	while (f && fscanf(f, "%63s %ld", key, &v) == 2)
		if (!strcmp(key, name))
			value = v;
	if (f)
		fclose(f);
	return value;
}

static int set_window(struct kvmini_vm *vm, void *mem, uint64_t size)
{
	struct kvmini_memory_slot s = {
		.slot = 1, .guest_phys_addr = WINDOW_GPA, .memory_size = size,
		.userspace_addr = (uintptr_t)mem,
	};

	return ioctl(vm->fd, KVMINI_SET_MEMORY_SLOT, &s);
}

#define SLOT_ROUNDS	40

RACE_TEST(slot_delete_and_replace_under_running_guest)
{
	long acquired = vmstat("nr_foll_pin_acquired");
	long released = vmstat("nr_foll_pin_released");
	struct writer w[2] = {};
	struct kvmini_vm *vm;
	uint8_t *mem, *buf[2], *snap;
	int i, round, late_writes = 0;

	vm = kvmini_vm_create();
	mem = kvmini_vm_add_memory(vm, 0, WINDOW_GPA);
	load_guests(mem);
	snap = malloc(WINDOW_SIZE);
	for (i = 0; i < 2; i++) {
		buf[i] = mmap(NULL, WINDOW_SIZE, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, buf[i]);
	}
	ASSERT_EQ(0, set_window(vm, buf[0], WINDOW_SIZE));
	for (i = 0; i < 2; i++) {
		w[i].vcpu = start_vcpu(vm, i, WINDOW_WRITER, 0, 0, 0,
				       i * 0x4000);
		ASSERT_EQ(0, pthread_create(&w[i].t, NULL, run_writer, &w[i]));
	}
	for (round = 0; round < SLOT_ROUNDS; round++) {
		uint8_t *old = buf[round % 2];

		usleep(2000);
		ASSERT_EQ(0, set_window(vm, NULL, 0));
		/* Gone means gone: the guest writes nothing there now. */
		memcpy(snap, old, WINDOW_SIZE);
		usleep(3000);
		late_writes += !!memcmp(snap, old, WINDOW_SIZE);
		usleep(1000);	/* MMIO exits meanwhile */
		ASSERT_EQ(0, set_window(vm, buf[(round + 1) % 2],
					WINDOW_SIZE));
	}
	/* Up to 2 s for the guest to write in the window it has now. */
	for (i = 0; i < 2000 && !memcmp(snap, buf[SLOT_ROUNDS % 2], 64) &&
	     !memcmp(buf[SLOT_ROUNDS % 2], buf[(SLOT_ROUNDS + 1) % 2], 64);
	     i++)
		usleep(1000);
	for (i = 0; i < 2; i++) {
		w[i].stop = 1;
		pthread_kill(w[i].t, SIGUSR1);
		pthread_join(w[i].t, NULL);
		EXPECT_EQ(0, w[i].bad);
		EXPECT_LT(0, w[i].progress);
		TH_LOG("vCPU %d: %d rounds of the window, %d MMIO exits", i,
		       w[i].progress, w[i].mmio);
	}
	EXPECT_EQ(0, late_writes) TH_LOG("the guest wrote to memory of a deleted slot");
	/* Some words moved on in the window the guest has now. */
	EXPECT_FALSE(memcmp(snap, buf[SLOT_ROUNDS % 2], 64) == 0 &&
		     memcmp(buf[SLOT_ROUNDS % 2], buf[(SLOT_ROUNDS + 1) % 2],
			    64) == 0);
	kvmini_vcpu_free(w[0].vcpu);
	kvmini_vcpu_free(w[1].vcpu);
	kvmini_vm_free(vm);
	/* Every page the guest touched was unpinned. */
	if (acquired >= 0)
		EXPECT_EQ(vmstat("nr_foll_pin_acquired") - acquired,
			  vmstat("nr_foll_pin_released") - released);
	free(snap);
}

/* ------------------------------------------------------------------ */
/* Signal storms                                                        */
/* ------------------------------------------------------------------ */

#define ECHO_ROUNDS	600

struct echoer {
	struct kvmini_vcpu *vcpu;
	uint32_t next;		/* the value the next IN gets */
	int rounds, eintr, bad;
	uint32_t bad_value, bad_want;
	pthread_t t;
	volatile int done;
};

/*
 * Each IN gets the next number, and the OUT after it must give that
 * number back: an exit lost, repeated or completed with stale data
 * around a signal shows as a wrong value.
 */
static void *run_echo(void *arg)
{
	struct echoer *e = arg;
	struct kvmini_run *run = e->vcpu->run;
	bool in_next = true;

	while (e->rounds < ECHO_ROUNDS && !e->bad) {
		if (ioctl(e->vcpu->fd, KVMINI_RUN, 0)) {
			if (errno != EINTR) {
				e->bad++;
				break;
			}
			e->eintr++;
			run->immediate_exit = 0;
			continue;
		}
		if (run->exit_reason != KVMINI_EXIT_IO || run->io.size != 4) {
			e->bad++;
		} else if (in_next && run->io.port == 0x85 &&
			   run->io.direction == KVMINI_IO_IN) {
			memcpy(kvmini_io_data(e->vcpu), &e->next, 4);
			in_next = false;
		} else if (!in_next && run->io.port == 0x86 &&
			   run->io.direction == KVMINI_IO_OUT) {
			uint32_t v;

			memcpy(&v, kvmini_io_data(e->vcpu), 4);
			if (v != e->next) {
				e->bad++;
				e->bad_value = v;
				e->bad_want = e->next;
			}
			e->next++;
			e->rounds++;
			in_next = true;
		} else {
			e->bad++;
		}
	}
	e->done = 1;
	return NULL;
}

RACE_TEST(signal_storm_loses_no_exit)
{
	struct echoer e[2] = {};
	struct kvmini_vm *vm;
	uint8_t *mem;
	unsigned int kicks = 0;
	int i;

	vm = kvmini_vm_create();
	mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	load_guests(mem);
	for (i = 0; i < 2; i++) {
		e[i].vcpu = start_vcpu(vm, i, ECHO, 0, 0, 0, 0);
		e[i].next = 0x1000000 * (i + 1);
		ASSERT_EQ(0, pthread_create(&e[i].t, NULL, run_echo, &e[i]));
	}
	/* Signals as fast as they go; now and then the documented kick. */
	while (!e[0].done || !e[1].done) {
		for (i = 0; i < 2; i++) {
			if (e[i].done)
				continue;
			if (++kicks % 7 == 0)
				e[i].vcpu->run->immediate_exit = 1;
			pthread_kill(e[i].t, SIGUSR1);
		}
		if (kicks % 64 == 0)
			usleep(100);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(e[i].t, NULL);
		TH_LOG("vCPU %d: %d round trips, %d EINTR", i, e[i].rounds,
		       e[i].eintr);
		EXPECT_EQ(0, e[i].bad) TH_LOG("vCPU %d: got %#x, expected %#x",
					      i, e[i].bad_value, e[i].bad_want);
		EXPECT_EQ(ECHO_ROUNDS, e[i].rounds);
		EXPECT_LT(0, e[i].eintr);
		EXPECT_GE(2 * ECHO_ROUNDS,
			  kvmini_exit_count(e[i].vcpu, KVMINI_EXIT_IO));
		EXPECT_LE(2 * ECHO_ROUNDS - 1,
			  kvmini_exit_count(e[i].vcpu, KVMINI_EXIT_IO));
		kvmini_vcpu_free(e[i].vcpu);
	}
	kvmini_vm_free(vm);
}

/* ------------------------------------------------------------------ */
/* Two threads calling RUN on one vCPU                                  */
/* ------------------------------------------------------------------ */

struct sharer {
	struct kvmini_vcpu *vcpu;
	volatile int *stop;
	int ok, eintr, other;
	pthread_t t;
};

static void *run_shared(void *arg)
{
	struct sharer *s = arg;

	while (!*s->stop) {
		if (ioctl(s->vcpu->fd, KVMINI_RUN, 0) == 0)
			s->ok++;
		else if (errno == EINTR)
			s->eintr++;
		else
			s->other++;
	}
	return NULL;
}

RACE_TEST(two_threads_run_one_vcpu)
{
	struct sharer s[2] = {};
	struct kvmini_vcpu *vcpu;
	struct kvmini_vm *vm;
	volatile int stop = 0;
	uint32_t counter;
	uint64_t outs;
	uint8_t *mem;
	int i, k;

	vm = kvmini_vm_create();
	mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	load_guests(mem);
	vcpu = start_vcpu(vm, 0, COUNT_OUT, COUNTERS, 0, 0x87, 0);
	for (i = 0; i < 2; i++) {
		s[i] = (struct sharer){ .vcpu = vcpu, .stop = &stop };
		ASSERT_EQ(0, pthread_create(&s[i].t, NULL, run_shared, &s[i]));
	}
	for (k = 0; k < 100; k++) {
		usleep(2000);
		pthread_kill(s[k % 2].t, SIGUSR1);
	}
	stop = 1;
	for (i = 0; i < 2; i++) {
		pthread_kill(s[i].t, SIGUSR1);
		pthread_join(s[i].t, NULL);
		EXPECT_EQ(0, s[i].other);
		TH_LOG("thread %d: %d exits, %d EINTR", i, s[i].ok, s[i].eintr);
	}
	/* Each OUT left the guest once, whichever thread ran it. */
	memcpy(&counter, mem + COUNTERS, 4);
	outs = kvmini_exit_count(vcpu, KVMINI_EXIT_IO);
	EXPECT_EQ(s[0].ok + s[1].ok, outs);
	EXPECT_TRUE(counter == outs || counter == outs + 1)
		TH_LOG("the guest counted %u OUTs, the stats %llu", counter,
		       (unsigned long long)outs);
	EXPECT_LT(0, outs);
	guest_destroy(vcpu);
}

/* ------------------------------------------------------------------ */
/* A VM fd passed to another process                                    */
/* ------------------------------------------------------------------ */

/* The parent's fds, taken with pidfd_getfd(): no sockets needed. */
static int take_fds(pid_t from, const int *fds, int *mine, int n)
{
	int pidfd = syscall(SYS_pidfd_open, from, 0), i;

	if (pidfd < 0)
		return -1;
	for (i = 0; i < n; i++) {
		mine[i] = syscall(SYS_pidfd_getfd, pidfd, fds[i], 0);
		if (mine[i] < 0)
			return -1;
	}
	close(pidfd);
	return 0;
}

/*
 * The child's half: every call on the VM and vCPU fds is refused with
 * EIO; the child's close of the vCPU fd is the last one, so the vCPU and
 * the VM are freed in a process that is not their creator.
 */
static int other_process(int in, int out)
{
	struct kvmini_memory_slot slot = { .slot = 3, .memory_size = 4096 };
	struct kvmini_regs regs;
	uint8_t buf[256];
	int parent_fds[3], fds[3], bad = 0;
	char c;

	/* fds: VM, vCPU, the VM's stats fd. */
	if (read(in, parent_fds, sizeof(parent_fds)) != sizeof(parent_fds) ||
	    take_fds(getppid(), parent_fds, fds, 3))
		return 100;
	bad |= !(ioctl(fds[0], KVMINI_CREATE_VCPU, 1) == -1 && errno == EIO);
	bad |= !(ioctl(fds[0], KVMINI_SET_MEMORY_SLOT, &slot) == -1 &&
		 errno == EIO) << 1;
	bad |= !(ioctl(fds[0], KVMINI_GET_STATS_FD, 0) == -1 &&
		 errno == EIO) << 2;
	bad |= !(ioctl(fds[1], KVMINI_RUN, 0) == -1 && errno == EIO) << 3;
	bad |= !(ioctl(fds[1], KVMINI_GET_REGS, &regs) == -1 &&
		 errno == EIO) << 4;
	bad |= !(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fds[1], 0) ==
		 MAP_FAILED && errno == EIO) << 5;
	/* A stats fd only describes: reading it anywhere is harmless. */
	pread(fds[2], buf, sizeof(buf), 0);
	close(fds[0]);
	close(fds[2]);
	/* Wait until the parent let go of its own fds: ours is the last. */
	if (write(out, "d", 1) != 1 || read(in, &c, 1) != 1)
		return 101;
	close(fds[1]);
	return bad;
}

RACE_TEST(vm_fd_in_another_process)
{
	struct runner r = {};
	struct kvmini_vcpu *vcpu;
	struct kvmini_vm *vm;
	int to_child[2], to_parent[2], fds[3], status, stats_fd;
	long refs_before;
	char c;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	/* A process that never shared the VM's memory, forked first. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(other_process(to_child[0], to_parent[1]));

	refs_before = module_refcnt();
	vcpu = GUEST_CREATE(spin);
	vm = vcpu->vm;
	stats_fd = ioctl(vm->fd, KVMINI_GET_STATS_FD, 0);
	ASSERT_LE(0, stats_fd);
	r.fd = vcpu->fd;
	ASSERT_EQ(0, pthread_create(&r.t, NULL, run_blind, &r));
	usleep(20 * 1000);
	fds[0] = vm->fd;
	fds[1] = vcpu->fd;
	fds[2] = stats_fd;
	ASSERT_EQ(sizeof(fds), write(to_child[1], fds, sizeof(fds)));

	/* The child tries its calls while our vCPU runs. */
	ASSERT_EQ(1, read(to_parent[0], &c, 1))
		TH_LOG("the child could not take the fds");
	r.stop = 1;
	pthread_kill(r.t, SIGUSR1);
	pthread_join(r.t, NULL);
	EXPECT_EQ(0, r.bad);
	kvmini_vcpu_free(vcpu);
	close(stats_fd);
	close(vm->fd);
	close(vm->sys_fd);
	free(vm);
	/* Now the child holds the vCPU, and with it the VM: it lets go. */
	ASSERT_EQ(1, write(to_child[1], "c", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("calls not refused with EIO: mask %#x",
		       WEXITSTATUS(status));
	EXPECT_EQ(refs_before, module_refcnt());
}

/* ------------------------------------------------------------------ */
/* Port handlers attached and detached while vCPUs use them             */
/* ------------------------------------------------------------------ */

#define PORT_VCPUS	4
#define PORT_OUTS	3000

struct port_user {
	struct kvmini_vcpu *vcpu;
	int halted, bad;
	uint64_t user_outs;
	pthread_t t;
};

/* Run to HLT, taking console batches and single OUTs alike. */
static void *run_port_user(void *arg)
{
	struct port_user *p = arg;
	struct kvmini_run *run = p->vcpu->run;

	while (!p->halted && !p->bad) {
		if (ioctl(p->vcpu->fd, KVMINI_RUN, 0)) {
			if (errno != EINTR)
				p->bad++;
			continue;
		}
		if (run->exit_reason == KVMINI_EXIT_HLT)
			p->halted = 1;
		else if (run->exit_reason == KVMINI_EXIT_IO &&
			 run->io.direction == KVMINI_IO_OUT)
			p->user_outs++;
		else
			p->bad++;
	}
	return NULL;
}

struct port_mover {
	struct kvmini_vm *vm;
	struct port_user *users;
	volatile int done;
	int attached, efd;
};

/* Random kinds on random ranges over ports 0x500-0x503, then away. */
static void *move_handlers(void *arg)
{
	static const uint32_t kinds[] = {
		KVMINI_PORT_SINK, KVMINI_PORT_COUNTER, KVMINI_PORT_LOOPBACK,
		KVMINI_PORT_CONSOLE, KVMINI_PORT_EVENTFD,
	};
	struct port_mover *m = arg;
	unsigned int seed = 1;
	uint64_t v;
	int i;

	while (!m->done) {
		struct kvmini_port_handler h = {
			.first_port = 0x500 + rand_r(&seed) % 4,
			.kind = kinds[rand_r(&seed) % 5],
		};

		h.last_port = h.first_port + rand_r(&seed) % 2;
		if (h.kind == KVMINI_PORT_EVENTFD)
			h.fd = m->efd;
		if (!kvmini_vm_attach_port(m->vm, &h))
			m->attached++;
		for (i = 0; i < PORT_VCPUS; i++)
			if (!m->users[i].halted)
				pthread_kill(m->users[i].t, SIGUSR1);
		usleep(100);
		kvmini_vm_detach_port(m->vm, h.first_port, h.last_port);
		read(m->efd, &v, sizeof(v));
	}
	return NULL;
}

RACE_TEST(port_handlers_move_while_running)
{
	struct port_user u[PORT_VCPUS] = {};
	struct port_mover m = {};
	struct kvmini_stats *stats;
	struct kvmini_vm *vm;
	uint64_t kernel, user;
	pthread_t mover;
	uint8_t *mem;
	int i;

	vm = kvmini_vm_create();
	mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	load_guests(mem);
	m.vm = vm;
	m.users = u;
	m.efd = eventfd(0, EFD_NONBLOCK);
	for (i = 0; i < PORT_VCPUS; i++) {
		u[i].vcpu = start_vcpu(vm, i, COUNT_OUT, COUNTERS + 4 * i,
				       PORT_OUTS, 0x500 + i, 0);
		ASSERT_EQ(0, pthread_create(&u[i].t, NULL, run_port_user,
					    &u[i]));
	}
	ASSERT_EQ(0, pthread_create(&mover, NULL, move_handlers, &m));
	for (i = 0; i < PORT_VCPUS; i++)
		pthread_join(u[i].t, NULL);
	m.done = 1;
	pthread_join(mover, NULL);

	stats = kvmini_vm_stats(vm);
	kernel = kvmini_stats_get(stats, "exit.io.kernel.count");
	user = kvmini_stats_get(stats, "exit.io.user.count");
	kvmini_stats_close(stats);
	TH_LOG("%d handlers attached; %llu OUTs in the kernel, %llu in userspace",
	       m.attached, (unsigned long long)kernel,
	       (unsigned long long)user);
	for (i = 0; i < PORT_VCPUS; i++) {
		uint32_t count;

		memcpy(&count, mem + COUNTERS + 4 * i, 4);
		EXPECT_EQ(0, u[i].bad);
		EXPECT_TRUE(u[i].halted);
		EXPECT_EQ(PORT_OUTS, count);
	}
	/* Every OUT handled once, by a handler or by userspace. */
	EXPECT_EQ(PORT_VCPUS * PORT_OUTS, kernel + user);
	EXPECT_LT(0, m.attached);

	/* Handlers attached, vCPUs spinning, the VM fd closed. */
	for (i = 0; i < PORT_VCPUS; i++) {
		struct kvmini_port_handler h = {
			.first_port = 0x500 + i, .last_port = 0x500 + i,
			.kind = i == 3 ? KVMINI_PORT_EVENTFD :
				KVMINI_PORT_COUNTER,
			.fd = i == 3 ? m.efd : 0,
		};

		EXPECT_EQ(0, kvmini_vm_attach_port(vm, &h));
		memset(mem + COUNTERS + 4 * i, 0, 4);
		kvmini_vcpu_setup_real_mode(u[i].vcpu, COUNT_OUT, 0x8000);
		u[i].halted = 0;
		ASSERT_EQ(0, pthread_create(&u[i].t, NULL, run_port_user,
					    &u[i]));
	}
	close(m.efd);
	usleep(20 * 1000);
	close(vm->fd);
	for (i = 0; i < PORT_VCPUS; i++) {
		pthread_join(u[i].t, NULL);
		EXPECT_EQ(0, u[i].bad);
		kvmini_vcpu_free(u[i].vcpu);
	}
	close(vm->sys_fd);
	free(vm);
}

/* ------------------------------------------------------------------ */
/* Stats fds read while vCPUs run and are destroyed                     */
/* ------------------------------------------------------------------ */

#define STATS_VCPUS	4
#define STATS_ROUNDS	6

struct stats_reader {
	pthread_rwlock_t lock;		/* write-held to change the fds */
	int vm_fd;
	int vcpu_fd[STATS_VCPUS];	/* -1: none */
	uint64_t last[STATS_VCPUS];	/* io count last read */
	int debugfs_fd;
	volatile int stop;
	int reads, errors, backwards;
	struct kvmini_stats *layout;	/* where exit.io.user.count is */
	uint64_t io_offset;
};

static void *read_stats(void *arg)
{
	struct stats_reader *s = arg;
	uint64_t v;
	char buf[4096];
	int i;

	while (!s->stop) {
		pthread_rwlock_rdlock(&s->lock);
		if (pread(s->vm_fd, buf, sizeof(buf), 0) < 0)
			s->errors++;
		for (i = 0; i < STATS_VCPUS; i++) {
			if (s->vcpu_fd[i] < 0)
				continue;
			if (pread(s->vcpu_fd[i], &v, 8, s->io_offset) != 8) {
				s->errors++;
				continue;
			}
			/* Cumulative: a vCPU's count never goes back. */
			s->backwards += v < s->last[i];
			s->last[i] = v;
			s->reads++;
		}
		if (s->debugfs_fd >= 0)
			pread(s->debugfs_fd, buf, sizeof(buf), 0);
		pthread_rwlock_unlock(&s->lock);
	}
	return NULL;
}

/* Offset in the file of the first value of a named descriptor. */
static uint64_t value_offset(struct kvmini_stats *st, const char *name)
{
	uint32_t i;

	for (i = 0; i < st->hdr.num_desc; i++) {
		const struct kvmini_stats_desc *d = kvmini_stats_desc(st, i);

		if (!strcmp(d->name, name))
			return st->hdr.data_offset + d->offset * 8;
	}
	return 0;
}

RACE_TEST(stats_read_while_vcpus_come_and_go)
{
	struct runner r[STATS_VCPUS];
	struct stats_reader s = { .debugfs_fd = -1 };
	struct kvmini_port_handler h = {
		.first_port = 0x80, .last_port = 0x80,
		.kind = KVMINI_PORT_COUNTER,
	};
	struct kvmini_vcpu *vcpu[STATS_VCPUS];
	pthread_rwlockattr_t attr;
	struct kvmini_vm *vm;
	pthread_t reader[2];
	char path[128];
	uint8_t *mem;
	int i, round;

	vm = kvmini_vm_create();
	mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	load_guests(mem);
	ASSERT_EQ(0, kvmini_vm_attach_port(vm, &h));
	/* glibc's default lets readers starve the writer for ever. */
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr,
				      PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&s.lock, &attr);
	s.vm_fd = ioctl(vm->fd, KVMINI_GET_STATS_FD, 0);
	ASSERT_LE(0, s.vm_fd);
	s.layout = kvmini_stats_open(dup(s.vm_fd));
	ASSERT_NE(NULL, s.layout);
	s.io_offset = value_offset(s.layout, "exit.io.user.count");
	ASSERT_NE(0, s.io_offset);
	for (i = 0; i < STATS_VCPUS; i++)
		s.vcpu_fd[i] = -1;
	/* The VM's debugfs file, if debugfs is there: open across the end. */
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	ASSERT_EQ(1, sscanf(s.layout->id, "kvmini-vm-%d", &i));
	snprintf(path, sizeof(path), "/sys/kernel/debug/kvmini/%d-%d/exits",
		 getpid(), i);
	s.debugfs_fd = open(path, O_RDONLY);
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&reader[i], NULL, read_stats, &s));

	for (round = 0; round < STATS_ROUNDS; round++) {
		for (i = 0; i < STATS_VCPUS; i++) {
			int fd;

			vcpu[i] = start_vcpu(vm, i, SPIN_OUT, 0, 0, 0, 0);
			fd = ioctl(vcpu[i]->fd, KVMINI_GET_STATS_FD, 0);
			ASSERT_LE(0, fd);
			pthread_rwlock_wrlock(&s.lock);
			s.vcpu_fd[i] = fd;
			s.last[i] = 0;
			pthread_rwlock_unlock(&s.lock);
			r[i] = (struct runner){ .fd = vcpu[i]->fd };
			ASSERT_EQ(0, pthread_create(&r[i].t, NULL, run_blind,
						    &r[i]));
		}
		usleep(30 * 1000);
		/* vCPUs go while running; their stats fds keep them. */
		for (i = 0; i < STATS_VCPUS; i++) {
			munmap(vcpu[i]->run, getpagesize());
			close(vcpu[i]->fd);
		}
		usleep(10 * 1000);
		for (i = 0; i < STATS_VCPUS; i++) {
			r[i].stop = 1;
			pthread_kill(r[i].t, SIGUSR1);
			pthread_join(r[i].t, NULL);
			EXPECT_EQ(0, r[i].bad);
			free(vcpu[i]);
		}
		/* The last holder of each vCPU: its stats fd. */
		pthread_rwlock_wrlock(&s.lock);
		for (i = 0; i < STATS_VCPUS; i++) {
			close(s.vcpu_fd[i]);
			s.vcpu_fd[i] = -1;
		}
		pthread_rwlock_unlock(&s.lock);
	}
	/* The VM goes too; its stats fd still reads, the debugfs file not. */
	close(vm->fd);
	close(vm->sys_fd);
	usleep(10 * 1000);
	s.stop = 1;
	for (i = 0; i < 2; i++)
		pthread_join(reader[i], NULL);
	{
		char buf[64];

		EXPECT_EQ(64, pread(s.vm_fd, buf, 64, 0));
	}
	TH_LOG("%d vCPU stats reads", s.reads);
	EXPECT_EQ(0, s.errors);
	EXPECT_EQ(0, s.backwards);
	EXPECT_LT(0, s.reads);
	kvmini_stats_close(s.layout);
	close(s.vm_fd);
	if (s.debugfs_fd >= 0)
		close(s.debugfs_fd);
	free(vm);
}

TEST_HARNESS_MAIN
