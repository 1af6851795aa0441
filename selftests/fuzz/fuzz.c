// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz.c - kvmini's ioctl fuzzer.
 *
 * One seeded random walk over the whole uapi: /dev/kvmini, VM and vCPU
 * fds; every struct filled with boundary values or random bytes
 * (reserved fields and padding included); bad pointers; fds closed and
 * run pages unmapped at random points; fork()ed children that must get
 * EIO; and RUN on guests in real, protected and long mode with random
 * code and random register state, while a second thread rewrites the
 * run page and a timer signal bounds every RUN.
 *
 * Every answer is checked against the errors the uapi header and README
 * document for that call.  Where the documented rules decide the answer
 * (a nonzero reserved field, a slot overlapping one the fuzzer knows is
 * there, a vCPU id in use) the exact errno is predicted; elsewhere the
 * errno must at least be one the call documents.  Whatever the kernel
 * logs meanwhile (KASAN, lockdep, WARN...) is the in-VM script's part.
 *
 * Read from the bottom: fuzz_run() sets up, then calls one random op
 * from ops[] per step.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "fuzz.h"
#include "libkvmini.h"
#include "backend.h"

#define PAGE		4096UL
#define MAX_VMS		3
#define MAX_STATS_FDS	6
#define MAIN_MEM	(2UL << 20)	/* slot 0 at gpa 0: code, tables */
#define EXTRA_MEM	(256UL << 10)
#define CODE_BASE	0x1000
#define CODE_END	KVMINI_SYS_BASE
#define MAX_PRINTED	20

/* ------------------------------------------------------------------ */
/* Random numbers: splitmix64, one stream per run                       */
/* ------------------------------------------------------------------ */

static uint64_t rng_step(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ------------------------------------------------------------------ */
/* The fuzzer's view of the kernel's objects                            */
/* ------------------------------------------------------------------ */

struct fz_slot {
	uint64_t gpa, size;		/* size 0: free */
};

struct fz_port {
	uint16_t first, last;
	bool used;
};

struct fz_vcpu {
	int fd;				/* -1: closed */
	struct kvmini_run *run;		/* NULL: not mapped */
	int stats_refs;			/* stats fds holding the vCPU file */
	int mode;			/* 0 real, 1 protected, 2 long */
	bool set_up;			/* a mode was set up */
};

struct fz_vm {
	bool used;
	int fd;				/* -1: closed, vCPUs may live on */
	unsigned long flags;
	uint8_t *mem;			/* MAIN_MEM, slot 0 at creation */
	uint8_t *extra;			/* EXTRA_MEM, unmapped at times */
	struct fz_slot slots[KVMINI_MAX_MEM_SLOTS];
	struct fz_port ports[KVMINI_MAX_PORT_HANDLERS];
	struct fz_vcpu vcpus[KVMINI_MAX_VCPUS];
	int efd;			/* an eventfd for EVENTFD handlers */
	unsigned int id;		/* from the stats id; names debugfs */
};

struct fz_stats_fd {
	int fd;				/* -1: free */
	struct fz_vm *vm;
	int vcpu;			/* -1: the VM's */
};

enum scribble { SCRIB_NONE, SCRIB_IN, SCRIB_WILD };

static struct {
	const struct fuzz_opts *o;
	struct fuzz_result *res;
	struct fuzz_progress *progress;
	uint64_t rng;
	uint64_t call;
	const char *op;
	struct timespec start;

	int sys_fd;
	struct fz_vm vms[MAX_VMS];
	struct fz_stats_fd stats[MAX_STATS_FDS];
	uint64_t gpa_limit;		/* measured at start */

	/* Memory that must fault: read-only, PROT_NONE, unmapped. */
	uint8_t *ro, *none, *gone, *edge;	/* edge: RW page, then none */
	

	/* RUN: the timer that bounds it, the thread that scribbles. */
	timer_t timer;
	pthread_t main_thread, scribbler, watchdog;
	pthread_mutex_t scrib_lock;	/* held while the page is written */
	pthread_cond_t scrib_cond;
	struct kvmini_run *scrib_page;	/* (scrib_lock) */
	int scrib_mode;			/* (scrib_lock) */
	volatile bool stop;
	uint64_t scrib_rng;
} fz;

static uint64_t rnd(void)
{
	return rng_step(&fz.rng);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static bool one_in(unsigned int n)
{
	return below(n) == 0;
}

static void random_bytes(void *p, size_t n)
{
	uint8_t *b = p;

	while (n--)
		*b++ = rnd();
}

/* Values at the edges of the ranges the kernel checks. */
static uint64_t pick_u64(void)
{
	static const uint64_t edges[] = {
		0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0xffff,
		0x10000, 0x7fffffff, 0x80000000, 0xfffff000, 0xffffffff,
		0x100000000ULL, 0x7ffffffff000ULL, 0x800000000000ULL,
		0xffff800000000000ULL, 0x00fffffffffff000ULL,
		0x7fffffffffffffffULL, 0x8000000000000000ULL,
		0xfffffffffffff000ULL, 0xfffffffffffffffeULL, ~0ULL,
	};
	uint64_t v;

	switch (below(4)) {
	case 0:
		return edges[below(sizeof(edges) / sizeof(edges[0]))];
	case 1:
		v = 1ULL << below(64);
		return v + below(3) - 1;
	case 2:
		return below(0x10000);
	default:
		return rnd();
	}
}

static uint32_t pick_u32(void)
{
	return one_in(2) ? (uint32_t)pick_u64() : (uint32_t)rnd();
}

/* ------------------------------------------------------------------ */
/* Checking answers                                                     */
/* ------------------------------------------------------------------ */

#define E(e)		(1ULL << (e))
#define UNKNOWN		-1		/* no exact prediction */
/* Resources can always run out. */
#define E_ALWAYS	(E(ENOMEM) | E(EMFILE) | E(ENFILE))

static void fail(const char *fmt, ...)
{
	va_list ap;

	if (!fz.res->failures++)
		fz.res->first_failure = fz.call;
	if (fz.res->failures > MAX_PRINTED)
		return;
	printf("fuzz: FAIL seed %#llx call %llu (%s): ",
	       (unsigned long long)fz.o->seed, (unsigned long long)fz.call,
	       fz.op);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static const char *err_name(int e)
{
	const char *n = e ? strerrorname_np(e) : "success";

	return n ? n : "?";
}

/*
 * Check one answer: r < 0 means the call failed with err.  allowed is
 * the set of errnos the call documents (E(x) | ...); predicted is the
 * exact answer the rules give (0 or an errno), or UNKNOWN.
 */
static void check(long r, int err, uint64_t allowed, int predicted)
{
	int got = r < 0 ? err : 0;

	allowed |= E_ALWAYS;
	if (r < 0 && (err >= 64 || !(allowed & E(err))))
		fail("%s, which this call does not document", err_name(err));
	else if (predicted != UNKNOWN && got != predicted &&
		 !(r < 0 && (E(err) & E_ALWAYS)))
		fail("expected %s, got %s", err_name(predicted),
		     err_name(got));
}

/* Start one call: count it, name it, tell whoever watches. */
static void begin(const char *op)
{
	fz.call++;
	fz.op = op;
	if (fz.progress) {
		fz.progress->call = fz.call;
		strncpy(fz.progress->op, op, sizeof(fz.progress->op) - 1);
	}
	if (fz.o->trace) {
		printf("fuzz: call %llu %s\n", (unsigned long long)fz.call, op);
		fflush(stdout);
	}
}

/* A pointer the kernel cannot use for a struct of n bytes; NULL if none. */
static void *bad_pointer(size_t n, bool for_write)
{
	switch (below(for_write ? 6 : 5)) {
	case 0:
		return NULL;
	case 1:
		return fz.none;
	case 2:
		return fz.gone;
	case 3:
		return (void *)0xffffffff81000000UL;	/* kernel text */
	case 4:
		/* Straddles the end of a mapped page. */
		return fz.edge + PAGE - (n > 1 ? 1 + below(n - 1) : 1);
	default:
		return fz.ro;		/* readable, not writable */
	}
}

/* ------------------------------------------------------------------ */
/* Objects                                                              */
/* ------------------------------------------------------------------ */

static int sys_fd(void)
{
	if (fz.sys_fd < 0) {
		begin("open /dev/kvmini");
		fz.sys_fd = open("/dev/kvmini", O_RDWR | O_CLOEXEC);
		if (fz.sys_fd < 0)
			fail("open /dev/kvmini: %s", err_name(errno));
	}
	return fz.sys_fd;
}

static bool vcpu_alive(const struct fz_vcpu *v)
{
	return v->fd >= 0 || v->run || v->stats_refs;
}

static void *map_anon(size_t size, int prot)
{
	void *p = mmap(NULL, size, prot, MAP_PRIVATE | MAP_ANONYMOUS |
		       MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED) {
		perror("fuzz: mmap");
		exit(2);
	}
	return p;
}

static void vcpu_unmap(struct fz_vcpu *v)
{
	if (!v->run)
		return;
	pthread_mutex_lock(&fz.scrib_lock);
	begin("munmap run page");
	if (munmap(v->run, PAGE))
		fail("munmap of the run page: %s", err_name(errno));
	v->run = NULL;
	pthread_mutex_unlock(&fz.scrib_lock);
}

static void vcpu_close(struct fz_vcpu *v)
{
	if (v->fd < 0)
		return;
	begin("close vcpu");
	if (close(v->fd))
		fail("close: %s", err_name(errno));
	v->fd = -1;
}

static void stats_close(int i)
{
	struct fz_stats_fd *s = &fz.stats[i];

	if (s->fd < 0)
		return;
	begin("close stats fd");
	if (close(s->fd))
		fail("close: %s", err_name(errno));
	if (s->vcpu >= 0)
		s->vm->vcpus[s->vcpu].stats_refs--;
	s->fd = -1;
}

static void vm_close(struct fz_vm *vm)
{
	if (vm->fd < 0)
		return;
	begin("close vm");
	if (close(vm->fd))
		fail("close: %s", err_name(errno));
	vm->fd = -1;
}

/* Everything of one VM, in a random order. */
static void vm_destroy(struct fz_vm *vm)
{
	int i, order = below(3);

	if (!vm->used)
		return;
	if (order == 0)
		vm_close(vm);
	for (i = 0; i < MAX_STATS_FDS; i++)
		if (fz.stats[i].fd >= 0 && fz.stats[i].vm == vm)
			stats_close(i);
	for (i = 0; i < KVMINI_MAX_VCPUS; i++) {
		if (order == 1) {
			vcpu_unmap(&vm->vcpus[i]);
			vcpu_close(&vm->vcpus[i]);
		} else {
			vcpu_close(&vm->vcpus[i]);
			vcpu_unmap(&vm->vcpus[i]);
		}
	}
	vm_close(vm);
	munmap(vm->mem, MAIN_MEM);
	if (vm->extra)
		munmap(vm->extra, EXTRA_MEM);
	close(vm->efd);
	memset(vm, 0, sizeof(*vm));
}

static struct fz_vm *vm_slot_free(void)
{
	int i;

	for (i = 0; i < MAX_VMS; i++)
		if (!fz.vms[i].used)
			return &fz.vms[i];
	return NULL;
}

static void vm_init(struct fz_vm *vm, int fd, unsigned long flags)
{
	struct kvmini_memory_slot m = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MAIN_MEM,
	};
	struct kvmini_stats_header hdr;
	char id[KVMINI_STATS_ID_SIZE] = "";
	int i, sfd;

	memset(vm, 0, sizeof(*vm));
	vm->used = true;
	vm->fd = fd;
	vm->flags = flags;
	for (i = 0; i < KVMINI_MAX_VCPUS; i++)
		vm->vcpus[i].fd = -1;
	vm->mem = map_anon(MAIN_MEM, PROT_READ | PROT_WRITE);
	vm->extra = map_anon(EXTRA_MEM, PROT_READ | PROT_WRITE);
	vm->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	/* A halt everywhere to start with. */
	memset(vm->mem, 0xf4, CODE_END);

	/* The VM's id, from its stats: its debugfs directory is PID-ID. */
	begin("GET_STATS_FD (id)");
	sfd = ioctl(fd, KVMINI_GET_STATS_FD, 0);
	if (sfd >= 0) {
		if (pread(sfd, &hdr, sizeof(hdr), 0) == sizeof(hdr) &&
		    pread(sfd, id, sizeof(id), hdr.id_offset) == sizeof(id))
			sscanf(id, "kvmini-vm-%u", &vm->id);
		close(sfd);
	}

	m.userspace_addr = (uintptr_t)vm->mem;
	begin("set main slot");
	if (ioctl(fd, KVMINI_SET_MEMORY_SLOT, &m))
		fail("slot 0 at gpa 0: %s", err_name(errno));
	else
		vm->slots[0] = (struct fz_slot){ 0, MAIN_MEM };
}

/* A VM with an open fd, created if there is none. */
static struct fz_vm *some_vm(void)
{
	struct fz_vm *open[MAX_VMS], *vm;
	int n = 0, i, fd;

	for (i = 0; i < MAX_VMS; i++)
		if (fz.vms[i].used && fz.vms[i].fd >= 0)
			open[n++] = &fz.vms[i];
	if (n && (n == MAX_VMS || !one_in(8)))
		return open[below(n)];

	vm = vm_slot_free();
	if (!vm) {
		vm = &fz.vms[below(MAX_VMS)];
		vm_destroy(vm);
	}
	begin("create vm");
	fd = ioctl(sys_fd(), KVMINI_CREATE_VM, 0);
	check(fd, errno, E(EBUSY), UNKNOWN);
	if (fd < 0)
		return NULL;
	vm_init(vm, fd, 0);
	return vm;
}

/* A vCPU with an open fd, created if the VM has none. */
static struct fz_vcpu *some_vcpu(struct fz_vm **vmp)
{
	struct fz_vm *vm = NULL;
	struct fz_vcpu *v;
	int i, id, n = 0, open[KVMINI_MAX_VCPUS];

	/* A VM whose fd is closed may still have vCPUs to run. */
	for (i = 0; i < MAX_VMS && !vm; i++) {
		struct fz_vm *c = &fz.vms[(i + below(MAX_VMS)) % MAX_VMS];

		if (c->used && c->fd < 0)
			for (id = 0; id < KVMINI_MAX_VCPUS; id++)
				if (c->vcpus[id].fd >= 0 && one_in(2))
					vm = c;
	}
	if (!vm)
		vm = some_vm();
	if (!vm)
		return NULL;
	*vmp = vm;
	for (i = 0; i < KVMINI_MAX_VCPUS; i++)
		if (vm->vcpus[i].fd >= 0)
			open[n++] = i;
	if (n && (vm->fd < 0 || !one_in(6)))
		return &vm->vcpus[open[below(n)]];
	if (vm->fd < 0)
		return NULL;

	id = below(KVMINI_MAX_VCPUS);
	v = &vm->vcpus[id];
	if (vcpu_alive(v))
		return v->fd >= 0 ? v : NULL;
	begin("create vcpu");
	v->fd = ioctl(vm->fd, KVMINI_CREATE_VCPU, id);
	check(v->fd, errno, 0, 0);
	if (v->fd < 0)
		return NULL;
	v->run = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->fd, 0);
	if (v->run == MAP_FAILED) {
		fail("mmap of a new vCPU's run page: %s", err_name(errno));
		v->run = NULL;
	}
	return v;
}

/* ------------------------------------------------------------------ */
/* /dev/kvmini                                                          */
/* ------------------------------------------------------------------ */

static void op_api_version(void)
{
	unsigned long arg = one_in(4) ? pick_u64() : 0;
	long r;

	begin("GET_API_VERSION");
	r = ioctl(sys_fd(), KVMINI_GET_API_VERSION, arg);
	check(r, errno, E(EINVAL), arg ? EINVAL : 0);
	if (!arg && r >= 0 && r != KVMINI_API_VERSION)
		fail("API version %ld", r);
}

static void op_check_cap(void)
{
	unsigned long cap = one_in(3) ? pick_u64() : below(12);
	long r, want;

	begin("CHECK_CAP");
	r = ioctl(sys_fd(), KVMINI_CHECK_CAP, cap);
	check(r, errno, 0, 0);
	switch (cap) {
	case KVMINI_CAP_VENDOR:
		if (r != KVMINI_VENDOR_VMX && r != KVMINI_VENDOR_SVM)
			fail("vendor %ld", r);
		return;
	case KVMINI_CAP_MAX_VCPUS:
		want = KVMINI_MAX_VCPUS;
		break;
	case KVMINI_CAP_MAX_SLOTS:
		want = KVMINI_MAX_MEM_SLOTS;
		break;
	case KVMINI_CAP_PORT_HANDLERS:
		want = KVMINI_MAX_PORT_HANDLERS;
		break;
	case KVMINI_CAP_READONLY_MEM:
	case KVMINI_CAP_HYPERCALLS:
	case KVMINI_CAP_STATS_FD:
	case KVMINI_CAP_INTERRUPTS:
		want = 1;
		break;
	default:
		/* A newer module may know more; never an error. */
		return;
	}
	if (r >= 0 && r != want)
		fail("capability %lu is %ld, not %ld", cap, r, want);
}

static void op_mmap_size(void)
{
	unsigned long arg = one_in(4) ? pick_u64() : 0;
	long r;

	begin("GET_VCPU_MMAP_SIZE");
	r = ioctl(sys_fd(), KVMINI_GET_VCPU_MMAP_SIZE, arg);
	check(r, errno, E(EINVAL), arg ? EINVAL : 0);
	if (!arg && r >= 0 && r != (long)PAGE)
		fail("run page size %ld", r);
}

static void op_create_vm(void)
{
	unsigned long flags = one_in(3) ? pick_u64() : below(2);
	struct fz_vm *vm;
	int fd;

	begin("CREATE_VM");
	fd = ioctl(sys_fd(), KVMINI_CREATE_VM, flags);
	check(fd, errno, E(EINVAL) | E(EBUSY),
	      flags & ~KVMINI_VM_FLAGS ? EINVAL : UNKNOWN);
	if (fd < 0)
		return;
	vm = vm_slot_free();
	if (!vm) {
		vm = &fz.vms[below(MAX_VMS)];
		vm_destroy(vm);
	}
	vm_init(vm, fd, flags);
}

static void op_reopen_sys(void)
{
	if (fz.sys_fd < 0)
		return;
	begin("close /dev/kvmini");
	close(fz.sys_fd);
	fz.sys_fd = -1;
}

/* Commands each kind of fd knows; anything else is ENOTTY. */
static const unsigned long sys_cmds[] = {
	KVMINI_GET_API_VERSION, KVMINI_CHECK_CAP, KVMINI_CREATE_VM,
	KVMINI_GET_VCPU_MMAP_SIZE,
};
static const unsigned long vm_cmds[] = {
	KVMINI_SET_MEMORY_SLOT, KVMINI_CREATE_VCPU, KVMINI_SET_CPUID,
	KVMINI_ATTACH_PORT_HANDLER, KVMINI_DETACH_PORT_HANDLER,
	KVMINI_GET_STATS_FD,
};
static const unsigned long vcpu_cmds[] = {
	KVMINI_RUN, KVMINI_GET_REGS, KVMINI_SET_REGS, KVMINI_GET_SREGS,
	KVMINI_SET_SREGS, KVMINI_READ_CONSOLE, KVMINI_INTERRUPT, KVMINI_NMI,
	KVMINI_GET_STATS_FD, KVMINI_GET_VCPU_EVENTS, KVMINI_SET_VCPU_EVENTS,
};
static const unsigned long *const all_cmds[] = { sys_cmds, vm_cmds, vcpu_cmds };
static const int nr_cmds[] = { 4, 6, 11 };

/* A command number near the real ones that the fd does not know. */
static unsigned long unknown_cmd(int kind)
{
	for (;;) {
		const unsigned long *c = all_cmds[below(3)];
		unsigned long cmd;
		int i, known = 0;

		switch (below(4)) {
		case 0:		/* another fd's command, or this one's */
			cmd = c[below(nr_cmds[c == sys_cmds ? 0 :
					      c == vm_cmds ? 1 : 2])];
			break;
		case 1:		/* the right number, another size/dir */
			cmd = c[0] ^ (1UL << (16 + below(16)));
			break;
		case 2:		/* another number of ours */
			cmd = _IO(KVMINI_IO, below(256));
			break;
		default:	/* any size, direction and number of ours */
			cmd = ((uint32_t)rnd() & ~0xff00U) | KVMINI_IO << 8;
			break;
		}
		for (i = 0; i < nr_cmds[kind]; i++)
			known |= (uint32_t)all_cmds[kind][i] == (uint32_t)cmd;
		if (!known)
			return cmd;
	}
}

static void op_unknown_cmd(void)
{
	struct fz_vm *vm = NULL;
	struct fz_vcpu *v = NULL;
	int kind = below(3), fd = -1;
	uint8_t buf[4096] = { 0 };
	long r;

	if (kind == 0)
		fd = sys_fd();
	else if (kind == 1 && (vm = some_vm()))
		fd = vm->fd;
	else if (kind == 2 && (v = some_vcpu(&vm)))
		fd = v->fd;
	if (fd < 0)
		return;
	begin("unknown command");
	r = ioctl(fd, unknown_cmd(kind), buf);
	check(r, errno, E(ENOTTY), ENOTTY);
}

/* ------------------------------------------------------------------ */
/* VM fd                                                                */
/* ------------------------------------------------------------------ */

static uint64_t pick_gpa(struct fz_vm *vm)
{
	const struct fz_slot *s = &vm->slots[below(KVMINI_MAX_MEM_SLOTS)];

	switch (below(7)) {
	case 0:
		return s->gpa + (one_in(2) ? s->size : 0) -
		       (one_in(2) ? PAGE : 0);
	case 1:
		return fz.gpa_limit - PAGE * below(3);
	case 2:
		return below(0x100000) * PAGE;		/* below 4 GiB */
	case 3:
		return 0xfe000000;
	case 4:
		return pick_u64() & ~(PAGE - 1);
	case 5:
		return pick_u64();
	default:
		return (1ULL << (32 + below(26))) - PAGE * below(2);
	}
}

static uint64_t pick_size(void)
{
	switch (below(7)) {
	case 0:
		return 0;
	case 1:
		return PAGE;
	case 2:
		return (1 + below(64)) * PAGE;
	case 3:
		return MAIN_MEM;
	case 4:
		return 1ULL << (20 + below(28));	/* 1 MiB - 128 TiB */
	case 5:
		return pick_u64() & ~(PAGE - 1);
	default:
		return pick_u64();
	}
}

static uint64_t pick_uaddr(struct fz_vm *vm, uint64_t size)
{
	struct fz_vcpu *v = &vm->vcpus[below(KVMINI_MAX_VCPUS)];

	switch (below(10)) {
	case 0:
	case 1:
		return (uintptr_t)vm->mem + PAGE * below(MAIN_MEM / PAGE);
	case 2:
		return vm->extra ? (uintptr_t)vm->extra : (uintptr_t)fz.gone;
	case 3:
		return (uintptr_t)fz.ro;
	case 4:
		return (uintptr_t)fz.none;
	case 5:
		return (uintptr_t)fz.gone;
	case 6:
		return v->run ? (uintptr_t)v->run : (uintptr_t)vm->mem;
	case 7:		/* right at the top of user space */
		return (1ULL << (47 + below(10))) - PAGE * below(3) - size;
	case 8:
		return pick_u64() & ~(PAGE - 1);
	default:
		return pick_u64();
	}
}

static bool inside(uint64_t start, uint64_t end, const void *base,
		   uint64_t size)
{
	return base && start >= (uintptr_t)base &&
	       end <= (uintptr_t)base + size;
}

/*
 * Would a slot over [start, start + size) give the guest memory the
 * fuzzer itself lives in (its stacks, heap, data)?  The memory meant for
 * guests is not: guest memory, the PROT_NONE and read-only regions, run
 * pages.  Nor is anything outside user space's mappings: below the
 * binary, or above 2^47 where this process never maps anything.
 */
static bool own_memory(uint64_t start, uint64_t size)
{
	uint64_t end = start + size;
	int i, j;

	if (end < start || end <= 0x400000 || start >= 1ULL << 47)
		return false;
	if (inside(start, end, fz.ro, 16 * PAGE) ||
	    inside(start, end, fz.none, 16 * PAGE))
		return false;
	for (i = 0; i < MAX_VMS; i++) {
		const struct fz_vm *vm = &fz.vms[i];

		if (!vm->used)
			continue;
		if (inside(start, end, vm->mem, MAIN_MEM) ||
		    inside(start, end, vm->extra, EXTRA_MEM))
			return false;
		for (j = 0; j < KVMINI_MAX_VCPUS; j++)
			if (inside(start, end, vm->vcpus[j].run, PAGE))
				return false;
	}
	return true;
}

/* What SET_MEMORY_SLOT must answer, from the documented rules. */
static int predict_slot(struct fz_vm *vm, const struct kvmini_memory_slot *m,
			uint64_t *allowed)
{
	uint64_t end = m->guest_phys_addr + m->memory_size;
	uint64_t uend = m->userspace_addr + m->memory_size;
	int i;

	for (i = 0; i < 4; i++)
		if (m->reserved[i])
			return EINVAL;
	if (m->slot >= KVMINI_MAX_MEM_SLOTS || m->flags & ~KVMINI_MEM_FLAGS)
		return EINVAL;
	if ((m->guest_phys_addr | m->memory_size | m->userspace_addr) &
	    (PAGE - 1))
		return EINVAL;
	if (end < m->guest_phys_addr || end > fz.gpa_limit ||
	    uend < m->userspace_addr)
		return EINVAL;
	/*
	 * Where user space ends depends on the kernel and its paging mode
	 * (47 or 56 bits): between the two, both answers are right.
	 */
	if (m->memory_size && uend > (1ULL << 47) - PAGE) {
		if (uend > (1ULL << 57))
			return EFAULT;
		*allowed |= E(EFAULT);
		return UNKNOWN;
	}
	if (!m->memory_size)
		return vm->slots[m->slot].size ? 0 : ENOENT;
	if (vm->slots[m->slot].size)
		return EEXIST;
	for (i = 0; i < KVMINI_MAX_MEM_SLOTS; i++) {
		const struct fz_slot *s = &vm->slots[i];

		if (s->size && m->guest_phys_addr < s->gpa + s->size &&
		    s->gpa < end)
			return EEXIST;
	}
	return 0;
}

static void op_set_slot(void)
{
	struct fz_vm *vm = some_vm();
	struct kvmini_memory_slot m = { 0 };
	uint64_t allowed = E(EINVAL) | E(EEXIST) | E(ENOENT) | E(EFAULT);
	void *arg = &m;
	int predicted;
	long r;

	if (!vm)
		return;
	m.slot = one_in(8) ? pick_u32() : below(KVMINI_MAX_MEM_SLOTS + 2);
	m.flags = one_in(8) ? pick_u32() : one_in(4);
	m.guest_phys_addr = pick_gpa(vm);
	m.memory_size = pick_size();
	m.userspace_addr = pick_uaddr(vm, m.memory_size);
	if (one_in(10))
		m.reserved[below(4)] = pick_u64() | 1;
	if (one_in(3) && m.slot < KVMINI_MAX_MEM_SLOTS &&
	    vm->slots[m.slot].size)
		m.memory_size = 0;	/* deletes are worth more */
	predicted = predict_slot(vm, &m, &allowed);
	if (one_in(25)) {
		arg = bad_pointer(sizeof(m), false);
		predicted = EFAULT;
	}
	begin("SET_MEMORY_SLOT");
	r = ioctl(vm->fd, KVMINI_SET_MEMORY_SLOT, arg);
	check(r, errno, allowed, predicted);
	if (r || arg != &m)
		return;
	if (!m.memory_size) {
		vm->slots[m.slot].size = 0;
		return;
	}
	vm->slots[m.slot] = (struct fz_slot){ m.guest_phys_addr,
					      m.memory_size };
	if (own_memory(m.userspace_addr, m.memory_size)) {
		/* The guest must not write over the fuzzer itself. */
		begin("SET_MEMORY_SLOT (delete)");
		m.memory_size = 0;
		r = ioctl(vm->fd, KVMINI_SET_MEMORY_SLOT, &m);
		check(r, errno, 0, 0);
		vm->slots[m.slot].size = 0;
	}
}

static void op_create_vcpu(void)
{
	struct fz_vm *vm = some_vm();
	unsigned long id = one_in(6) ? pick_u64() : below(KVMINI_MAX_VCPUS + 2);
	struct fz_vcpu *v;
	int fd, predicted;

	if (!vm)
		return;
	v = id < KVMINI_MAX_VCPUS ? &vm->vcpus[id] : NULL;
	predicted = !v ? EINVAL : vcpu_alive(v) ? EEXIST : 0;
	begin("CREATE_VCPU");
	fd = ioctl(vm->fd, KVMINI_CREATE_VCPU, id);
	check(fd, errno, E(EINVAL) | E(EEXIST), predicted);
	if (fd < 0)
		return;
	if (!v || vcpu_alive(v)) {
		close(fd);
		return;
	}
	v->fd = fd;
	v->set_up = false;
}

static void op_set_cpuid(void)
{
	static const uint32_t leaves[] = {
		0, 1, 4, 6, 7, 0xb, 0xd, 0x14, 0x1f, 0x40000000, 0x40000001,
		0x80000000, 0x80000001, 0x80000008, 0x8000000a, 0xffffffff,
	};
	struct fz_vm *vm = some_vm();
	struct kvmini_cpuid *c;
	void *arg;
	int predicted = 0, i, j;
	long r;

	if (!vm)
		return;
	c = calloc(1, sizeof(*c));
	c->nent = one_in(8) ? pick_u32() : below(KVMINI_MAX_CPUID + 2);
	for (i = 0; i < KVMINI_MAX_CPUID; i++) {
		struct kvmini_cpuid_entry *e = &c->entries[i];

		e->function = one_in(4) ? (uint32_t)rnd() :
			      leaves[below(sizeof(leaves) / 4)];
		e->flags = one_in(20) ? pick_u32() : one_in(3);
		e->index = e->flags & KVMINI_CPUID_INDEXED ? below(4) :
			   one_in(30) ? 1 : 0;
		random_bytes(&e->eax, 16);
		e->padding = one_in(40) ? pick_u32() | 1 : 0;
	}
	c->padding = one_in(30);

	if (c->nent > KVMINI_MAX_CPUID) {
		predicted = E2BIG;
	} else {
		predicted = c->padding ? EINVAL : 0;
		for (i = 0; i < (int)c->nent && !predicted; i++) {
			const struct kvmini_cpuid_entry *e = &c->entries[i];

			if (e->padding || e->flags & ~KVMINI_CPUID_INDEXED ||
			    (!(e->flags & KVMINI_CPUID_INDEXED) && e->index))
				predicted = EINVAL;
			for (j = 0; j < i; j++)
				if (c->entries[j].function == e->function &&
				    c->entries[j].index == e->index)
					predicted = EINVAL;
		}
	}
	arg = c;
	if (one_in(20)) {
		arg = bad_pointer(sizeof(*c), false);
		predicted = EFAULT;
	}
	begin("SET_CPUID");
	r = ioctl(vm->fd, KVMINI_SET_CPUID, arg);
	check(r, errno, E(E2BIG) | E(EINVAL) | E(EFAULT), predicted);
	free(c);
}

static uint16_t pick_port(void)
{
	static const uint16_t ports[] = {
		0x0, 0x40, 0x60, 0x70, 0x80, 0xe9, 0xf1, 0xf4, 0x3f8, 0xcf8,
		0xcfc, 0x1000, 0xfffe, 0xffff,
	};

	return one_in(3) ? (uint16_t)rnd() : ports[below(sizeof(ports) / 2)];
}

static void op_attach_port(void)
{
	struct fz_vm *vm = some_vm();
	struct kvmini_port_handler h = { 0 };
	int predicted = 0, used = 0, i;
	void *arg = &h;
	long r;

	if (!vm)
		return;
	h.first_port = pick_port();
	h.last_port = one_in(8) ? pick_port() :
		      h.first_port + (one_in(2) ? 0 : below(8));
	if (h.last_port < h.first_port && !one_in(4))
		h.last_port = h.first_port;
	h.kind = one_in(10) ? pick_u32() : below(7);
	h.flags = one_in(10) ? pick_u32() : h.kind == KVMINI_PORT_EVENTFD &&
		  one_in(2);
	if (h.kind == KVMINI_PORT_EVENTFD)
		h.fd = one_in(5) ? (int32_t)pick_u32() : vm->efd;
	else if (one_in(10))
		h.fd = vm->efd;
	h.value = (h.flags & KVMINI_PORT_MATCH_VALUE) || one_in(20) ?
		  pick_u64() & 0xff : 0;
	if (one_in(12))
		h.reserved[below(4)] = pick_u64() | 1;

	for (i = 0; i < 4; i++)
		if (h.reserved[i])
			predicted = EINVAL;
	if (h.last_port < h.first_port || h.kind < KVMINI_PORT_SINK ||
	    h.kind > KVMINI_PORT_EVENTFD || h.flags & ~KVMINI_PORT_FLAGS ||
	    (!(h.flags & KVMINI_PORT_MATCH_VALUE) && h.value) ||
	    (h.kind != KVMINI_PORT_EVENTFD &&
	     (h.fd || h.flags & KVMINI_PORT_MATCH_VALUE)))
		predicted = EINVAL;
	else if (h.kind == KVMINI_PORT_EVENTFD && h.fd != vm->efd)
		predicted = UNKNOWN;	/* EBADF, unless fd is an eventfd */
	if (!predicted) {
		for (i = 0; i < KVMINI_MAX_PORT_HANDLERS; i++) {
			const struct fz_port *p = &vm->ports[i];

			used += p->used;
			if (p->used && p->first <= h.last_port &&
			    h.first_port <= p->last)
				predicted = EEXIST;
		}
		if (!predicted && used == KVMINI_MAX_PORT_HANDLERS)
			predicted = ENOSPC;
	}
	if (one_in(25)) {
		arg = bad_pointer(sizeof(h), false);
		predicted = EFAULT;
	}
	begin("ATTACH_PORT_HANDLER");
	r = ioctl(vm->fd, KVMINI_ATTACH_PORT_HANDLER, arg);
	check(r, errno, E(EINVAL) | E(EEXIST) | E(ENOSPC) | E(EBADF) |
	      E(EFAULT), predicted);
	if (r || arg != &h)
		return;
	for (i = 0; i < KVMINI_MAX_PORT_HANDLERS; i++) {
		if (!vm->ports[i].used) {
			vm->ports[i] = (struct fz_port){ h.first_port,
							 h.last_port, true };
			break;
		}
	}
}

static void op_detach_port(void)
{
	struct fz_vm *vm = some_vm();
	struct kvmini_port_handler h = { 0 };
	struct fz_port *p, *found = NULL;
	int predicted, i;
	void *arg = &h;
	long r;

	if (!vm)
		return;
	p = &vm->ports[below(KVMINI_MAX_PORT_HANDLERS)];
	if (p->used && !one_in(4)) {
		h.first_port = p->first;
		h.last_port = p->last;
	} else {
		h.first_port = pick_port();
		h.last_port = h.first_port + below(3);
	}
	switch (below(12)) {
	case 0:
		h.kind = pick_u32() | 1;
		break;
	case 1:
		h.fd = vm->efd;
		break;
	case 2:
		h.reserved[below(4)] = 1;
		break;
	case 3:
		h.value = 1;
		break;
	}
	for (i = 0; i < KVMINI_MAX_PORT_HANDLERS; i++)
		if (vm->ports[i].used && vm->ports[i].first == h.first_port &&
		    vm->ports[i].last == h.last_port)
			found = &vm->ports[i];
	predicted = h.kind || h.fd || h.value || h.reserved[0] ||
		    h.reserved[1] || h.reserved[2] || h.reserved[3] ||
		    h.last_port < h.first_port ? EINVAL :
		    found ? 0 : ENOENT;
	if (one_in(25)) {
		arg = bad_pointer(sizeof(h), false);
		predicted = EFAULT;
	}
	begin("DETACH_PORT_HANDLER");
	r = ioctl(vm->fd, KVMINI_DETACH_PORT_HANDLER, arg);
	check(r, errno, E(EINVAL) | E(ENOENT) | E(EFAULT), predicted);
	if (!r && found)
		found->used = false;
}

static int stats_slot(void)
{
	int i = below(MAX_STATS_FDS);

	stats_close(i);
	return i;
}

static void op_vm_stats_fd(void)
{
	struct fz_vm *vm = some_vm();
	unsigned long arg = one_in(5) ? pick_u64() : 0;
	int i, fd;

	if (!vm)
		return;
	i = stats_slot();
	begin("GET_STATS_FD (vm)");
	fd = ioctl(vm->fd, KVMINI_GET_STATS_FD, arg);
	check(fd, errno, E(EINVAL), arg ? EINVAL : 0);
	if (fd >= 0)
		fz.stats[i] = (struct fz_stats_fd){ fd, vm, -1 };
}

/* The header must describe the file the way uapi/kvmini.h says. */
static void check_stats_header(const struct kvmini_stats_header *h)
{
	uint64_t descs = (uint64_t)h->num_desc * h->desc_size;

	if (h->flags || h->name_size != KVMINI_STATS_NAME_SIZE ||
	    !h->num_desc ||
	    h->desc_size != sizeof(struct kvmini_stats_desc) + h->name_size ||
	    h->id_offset != sizeof(*h) ||
	    h->desc_offset != h->id_offset + KVMINI_STATS_ID_SIZE ||
	    h->data_offset != h->desc_offset + descs || !h->data_size ||
	    h->data_size % 8)
		fail("stats header: flags %u name_size %u num_desc %u desc_size %u offsets %llu %llu %llu size %llu",
		     h->flags, h->name_size, h->num_desc, h->desc_size,
		     (unsigned long long)h->id_offset,
		     (unsigned long long)h->desc_offset,
		     (unsigned long long)h->data_offset,
		     (unsigned long long)h->data_size);
}

static void op_read_stats(void)
{
	struct fz_stats_fd *s = &fz.stats[below(MAX_STATS_FDS)];
	static uint8_t buf[64 << 10];
	size_t len = one_in(3) ? sizeof(buf) : below(4096);
	off_t off = one_in(3) ? 0 : one_in(2) ? (off_t)below(64 << 10) :
		    (off_t)pick_u64();
	void *p = buf;
	int predicted = UNKNOWN;
	ssize_t r;

	if (s->fd < 0)
		return;
	if (one_in(15) && len) {
		p = bad_pointer(len, true);
		/* Ending on the unmapped page: what fits before it is read. */
		predicted = (uint8_t *)p >= fz.edge &&
			    (uint8_t *)p < fz.edge + PAGE ? UNKNOWN : EFAULT;
	}
	begin("pread stats");
	r = pread(s->fd, p, len, off);
	if (off || !len)
		predicted = UNKNOWN;	/* past the end, nothing is copied */
	check(r, errno, E(EFAULT) | E(EINVAL), off < 0 ? EINVAL : predicted);
	if (r >= (ssize_t)sizeof(struct kvmini_stats_header) && !off &&
	    p == buf)
		check_stats_header((void *)buf);
}

/* The VM's debugfs files, whose reads race nothing here but its end. */
static void op_debugfs(void)
{
	static const char *const names[] = { "stats", "exits" };
	struct fz_vm *vm = some_vm();
	char path[128], buf[4096];
	int fd;

	if (!vm || !vm->id)
		return;
	snprintf(path, sizeof(path), "/sys/kernel/debug/kvmini/%d-%u/%s",
		 getpid(), vm->id, names[below(2)]);
	begin("read debugfs");
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return;		/* debugfs is not mounted */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

/* ------------------------------------------------------------------ */
/* vCPU fd: registers                                                   */
/* ------------------------------------------------------------------ */

#define RFLAGS_VALID	0x3f7fd7ULL	/* every defined RFLAGS bit */

static bool zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

static bool sregs_padding_zero(const struct kvmini_sregs *s)
{
	const struct kvmini_segment *seg;

	for (seg = &s->cs; seg <= &s->ldt; seg++)
		if (seg->padding)
			return false;
	return zero(s->gdt.padding, sizeof(s->gdt.padding)) &&
	       zero(s->idt.padding, sizeof(s->idt.padding)) &&
	       zero(s->reserved, sizeof(s->reserved));
}

static void op_get_regs(void)
{
	struct fz_vm *vm;
	struct fz_vcpu *v = some_vcpu(&vm);
	struct kvmini_regs regs;
	bool bad = one_in(20);
	long r;

	if (!v)
		return;
	memset(&regs, 0xa5, sizeof(regs));
	begin("GET_REGS");
	r = ioctl(v->fd, KVMINI_GET_REGS,
		  bad ? bad_pointer(sizeof(regs), true) : &regs);
	check(r, errno, E(EFAULT), bad ? EFAULT : 0);
	if (!r && !bad && !zero(regs.reserved, sizeof(regs.reserved)))
		fail("reserved fields of GET_REGS are not zero");
}

static void op_get_sregs(void)
{
	struct fz_vm *vm;
	struct fz_vcpu *v = some_vcpu(&vm);
	struct kvmini_sregs sregs;
	bool bad = one_in(20);
	long r;

	if (!v)
		return;
	memset(&sregs, 0xa5, sizeof(sregs));
	begin("GET_SREGS");
	r = ioctl(v->fd, KVMINI_GET_SREGS,
		  bad ? bad_pointer(sizeof(sregs), true) : &sregs);
	check(r, errno, E(EFAULT), bad ? EFAULT : 0);
	if (!r && !bad && !sregs_padding_zero(&sregs))
		fail("padding or reserved fields of GET_SREGS are not zero");
}

/* An address for a register: guest memory, MMIO, edges, anything. */
static uint64_t pick_address(void)
{
	switch (below(6)) {
	case 0:
		return CODE_BASE + below(CODE_END - CODE_BASE);
	case 1:
		return MAIN_MEM - below(16);		/* end of slot 0 */
	case 2:
		return 0xfe000000 + below(0x1010);	/* testdev, beyond */
	case 3:
		return 0x100000000ULL - below(16);
	case 4:
		return PAGE * below(1 << 20) - below(8);
	default:
		return pick_u64();
	}
}

static void random_regs(struct kvmini_regs *regs)
{
	__u64 *gpr = &regs->rax;
	int i;

	for (i = 0; i < 16; i++)
		if (one_in(2))
			gpr[i] = one_in(2) ? pick_address() : pick_u64();
	if (one_in(4))
		regs->rcx = one_in(2) ? pick_u64() : below(100000);
	if (one_in(3))
		regs->rflags = (pick_u64() & RFLAGS_VALID) | 2;
	if (one_in(4))
		regs->rip = pick_address();
	if (one_in(4))
		regs->rsp = pick_address();
}

static void op_set_regs(void)
{
	struct fz_vm *vm;
	struct fz_vcpu *v = some_vcpu(&vm);
	struct kvmini_regs regs, back;
	int predicted;
	void *arg = &regs;
	long r;

	if (!v)
		return;
	begin("GET_REGS");
	if (ioctl(v->fd, KVMINI_GET_REGS, &regs)) {
		check(-1, errno, 0, 0);
		return;
	}
	random_regs(&regs);
	if (one_in(8))
		regs.rflags = pick_u64();
	if (one_in(10))
		regs.reserved[below(6)] = pick_u64() | 1;
	predicted = !zero(regs.reserved, sizeof(regs.reserved)) ||
		    regs.rflags & ~RFLAGS_VALID || !(regs.rflags & 2) ?
		    EINVAL : 0;
	if (one_in(25)) {
		arg = bad_pointer(sizeof(regs), false);
		predicted = EFAULT;
	}
	begin("SET_REGS");
	r = ioctl(v->fd, KVMINI_SET_REGS, arg);
	check(r, errno, E(EINVAL) | E(EFAULT), predicted);
	if (r || arg != &regs)
		return;
	begin("GET_REGS");
	r = ioctl(v->fd, KVMINI_GET_REGS, &back);
	check(r, errno, 0, 0);
	if (!r && memcmp(&back, &regs, sizeof(regs)))
		fail("GET_REGS after SET_REGS differs (rip %#llx/%#llx rflags %#llx/%#llx)",
		     (unsigned long long)regs.rip,
		     (unsigned long long)back.rip,
		     (unsigned long long)regs.rflags,
		     (unsigned long long)back.rflags);
}

static void random_segment(struct kvmini_segment *s)
{
	switch (below(10)) {
	case 0:
		s->type = below(16);
		break;
	case 1:
		s->present ^= 1;
		break;
	case 2:
		s->dpl = below(4);
		break;
	case 3:
		s->db ^= 1;
		break;
	case 4:
		s->l ^= 1;
		break;
	case 5:
		s->s ^= 1;
		break;
	case 6:
		s->unusable ^= 1;
		break;
	case 7:
		s->limit = pick_u32();
		s->g ^= one_in(2);
		break;
	case 8:
		s->base = pick_u64();
		break;
	default:
		s->selector = rnd();
		break;
	}
}

/* One mutation of the system registers: each field can be broken. */
static void random_sregs(struct kvmini_sregs *s)
{
	struct kvmini_segment *seg = &s->cs + below(8);

	switch (below(12)) {
	case 0:
		s->cr0 ^= 1ULL << below(32);
		break;
	case 1:
		s->cr4 ^= 1ULL << below(25);
		break;
	case 2:
		s->efer ^= (const uint64_t[]){ 1, 0x100, 0x400, 0x800,
					       0x1000, 0x2000 }[below(6)];
		break;
	case 3:
	case 4:
		random_segment(seg);
		break;
	case 5:
		s->gdt.base = pick_address();
		s->gdt.limit = rnd();
		break;
	case 6:
		s->idt.base = pick_address();
		s->idt.limit = rnd();
		break;
	case 7:
		s->cr3 = one_in(2) ? pick_address() & ~0xfffULL : pick_u64();
		break;
	case 8:
		s->cr8 = below(20);
		s->cr2 = pick_u64();
		break;
	case 9:		/* bytes of a segment that must be 0 or 1 */
		((uint8_t *)&seg->present)[below(8)] = 1 + below(255);
		break;
	case 10:
		s->cr0 = pick_u64();
		s->cr4 = pick_u64() & 0x7fffff;
		break;
	default:
		random_bytes(s, offsetof(struct kvmini_sregs, reserved));
		break;
	}
}

static bool segment_bytes_ok(const struct kvmini_segment *s)
{
	return s->type < 16 && s->dpl < 4 && s->present < 2 && s->db < 2 &&
	       s->s < 2 && s->l < 2 && s->g < 2 && s->avl < 2 &&
	       s->unusable < 2;
}

static void op_set_sregs(void)
{
	struct fz_vm *vm;
	struct fz_vcpu *v = some_vcpu(&vm);
	struct kvmini_sregs sregs;
	const struct kvmini_segment *seg;
	int predicted = UNKNOWN, i, n = 1 + below(3);
	void *arg = &sregs;
	long r;

	if (!v)
		return;
	begin("GET_SREGS");
	if (ioctl(v->fd, KVMINI_GET_SREGS, &sregs)) {
		check(-1, errno, 0, 0);
		return;
	}
	for (i = 0; i < n; i++)
		random_sregs(&sregs);
	if (one_in(12))
		sregs.reserved[below(8)] = pick_u64() | 1;
	if (one_in(20))
		(&sregs.cs + below(8))->padding = 1 + below(255);
	if (!sregs_padding_zero(&sregs))
		predicted = EINVAL;
	for (seg = &sregs.cs; seg <= &sregs.ldt; seg++)
		if (!segment_bytes_ok(seg))
			predicted = EINVAL;
	if (one_in(25)) {
		arg = bad_pointer(sizeof(sregs), false);
		predicted = EFAULT;
	}
	begin("SET_SREGS");
	r = ioctl(v->fd, KVMINI_SET_SREGS, arg);
	check(r, errno, E(EINVAL) | E(EFAULT), predicted);
}

/* ------------------------------------------------------------------ */
/* vCPU fd: guest code and modes                                        */
/* ------------------------------------------------------------------ */

/* A valid state in a random mode: the kernel must take it. */
static void set_mode(struct fz_vm *vm, struct fz_vcpu *v)
{
	struct kvmini_vm shim_vm = { .ops = &kvmini_backend_kvmini };
	struct kvmini_vcpu shim = { .vm = &shim_vm };
	uint64_t rip = CODE_BASE + below(CODE_END - CODE_BASE - 64);
	uint64_t rsp = 0x100000 + below(0x1000) * 16;

	shim_vm.fd = vm->fd;
	shim.fd = v->fd;
	v->mode = below(3);
	v->set_up = true;
	/* GET_SREGS, SET_SREGS, SET_REGS; the library dies on a failure. */
	begin(v->mode == 0 ? "set up real mode" :
	      v->mode == 1 ? "set up protected mode" : "set up long mode");
	fz.call += 2;
	if (v->mode == 0)
		kvmini_vcpu_setup_real_mode(&shim, rip, rsp);
	else if (v->mode == 1)
		kvmini_vcpu_setup_protected_mode(&shim, vm->mem, rip, rsp);
	else
		kvmini_vcpu_setup_long_mode(&shim, vm->mem, rip, rsp);
}

static void op_set_mode(void)
{
	struct fz_vm *vm;
	struct fz_vcpu *v = some_vcpu(&vm);

	if (v)
		set_mode(vm, v);
}

/*
 * Instructions worth executing in a guest: every one that exits on some
 * vendor, the ones that change modes or fault, and MMIO moves.  Bytes
 * after the opcode (ModRM, immediates) are random.
 */
static const struct insn {
	uint8_t len;		/* opcode bytes */
	uint8_t extra;		/* random bytes after them */
	uint8_t op[3];
} insns[] = {
	{ 1, 1, { 0xe6 } }, { 1, 1, { 0xe4 } }, { 1, 1, { 0xe7 } },
	{ 1, 1, { 0xe5 } }, { 1, 0, { 0xee } }, { 1, 0, { 0xec } },
	{ 1, 0, { 0xef } }, { 1, 0, { 0xed } }, { 1, 0, { 0x6c } },
	{ 1, 0, { 0x6d } }, { 1, 0, { 0x6e } }, { 1, 0, { 0x6f } },
	{ 2, 0, { 0x0f, 0xa2 } }, { 2, 0, { 0x0f, 0x32 } },
	{ 2, 0, { 0x0f, 0x30 } }, { 2, 0, { 0x0f, 0x31 } },
	{ 2, 0, { 0x0f, 0x33 } }, { 3, 0, { 0x0f, 0x01, 0xf9 } },
	{ 3, 0, { 0x0f, 0x01, 0xc1 } }, { 3, 0, { 0x0f, 0x01, 0xd9 } },
	{ 3, 0, { 0x0f, 0x01, 0xd8 } }, { 3, 0, { 0x0f, 0x01, 0xda } },
	{ 3, 0, { 0x0f, 0x01, 0xdb } }, { 3, 0, { 0x0f, 0x01, 0xdc } },
	{ 3, 0, { 0x0f, 0x01, 0xdd } }, { 3, 0, { 0x0f, 0x01, 0xde } },
	{ 3, 0, { 0x0f, 0x01, 0xdf } }, { 1, 0, { 0xf4 } },
	{ 1, 0, { 0xfa } }, { 1, 0, { 0xfb } }, { 1, 0, { 0xcc } },
	{ 1, 1, { 0xcd } }, { 1, 0, { 0xce } }, { 1, 0, { 0xf1 } },
	{ 2, 0, { 0x0f, 0x0b } }, { 3, 0, { 0x0f, 0x01, 0xd0 } },
	{ 3, 0, { 0x0f, 0x01, 0xd1 } }, { 2, 0, { 0x0f, 0x09 } },
	{ 2, 0, { 0x0f, 0x08 } }, { 3, 0, { 0x0f, 0x01, 0xc8 } },
	{ 3, 0, { 0x0f, 0x01, 0xc9 } }, { 2, 1, { 0x0f, 0x22 } },
	{ 2, 1, { 0x0f, 0x20 } }, { 2, 1, { 0x0f, 0x23 } },
	{ 2, 1, { 0x0f, 0x21 } }, { 2, 1, { 0x0f, 0x00 } },
	{ 2, 5, { 0x0f, 0x01 } }, { 1, 1, { 0x8e } }, { 1, 0, { 0x9c } },
	{ 1, 0, { 0x9d } }, { 1, 0, { 0xcf } }, { 2, 0, { 0x0f, 0x05 } },
	{ 2, 0, { 0x0f, 0x07 } }, { 2, 0, { 0x0f, 0x34 } },
	{ 2, 0, { 0x0f, 0x35 } }, { 2, 0, { 0x0f, 0xaa } },
	{ 2, 1, { 0x0f, 0x78 } }, { 2, 1, { 0x0f, 0x79 } },
	{ 2, 5, { 0x0f, 0xc7 } }, { 3, 0, { 0x0f, 0x01, 0xc4 } },
	{ 3, 0, { 0x0f, 0x01, 0xc2 } }, { 3, 0, { 0x0f, 0x01, 0xc3 } },
	{ 2, 5, { 0x0f, 0xae } }, { 3, 0, { 0x0f, 0x01, 0xee } },
	{ 3, 0, { 0x0f, 0x01, 0xef } }, { 3, 0, { 0x0f, 0x01, 0xfa } },
	{ 1, 5, { 0x88 } }, { 1, 5, { 0x89 } }, { 1, 5, { 0x8a } },
	{ 1, 5, { 0x8b } }, { 1, 8, { 0xa0 } }, { 1, 8, { 0xa1 } },
	{ 1, 8, { 0xa2 } }, { 1, 8, { 0xa3 } }, { 1, 6, { 0xc6 } },
	{ 1, 9, { 0xc7 } }, { 2, 5, { 0x0f, 0xb6 } },
	{ 2, 5, { 0x0f, 0xb7 } }, { 1, 1, { 0xeb } }, { 1, 4, { 0xe9 } },
	{ 1, 6, { 0xea } }, { 1, 1, { 0xff } }, { 1, 1, { 0x8f } },
	{ 1, 2, { 0xc2 } }, { 1, 0, { 0xc3 } }, { 2, 0, { 0x0f, 0xa8 } },
	{ 2, 0, { 0x0f, 0x06 } }, { 2, 5, { 0x0f, 0x0d } },
	{ 1, 1, { 0xd8 } }, { 1, 1, { 0xdf } }, { 2, 1, { 0x0f, 0x17 } },
};

static const uint8_t prefixes[] = {
	0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65,
};

/* One instruction at p, prefixes and all; returns its length. */
static int gen_insn(uint8_t *p, bool long64)
{
	const struct insn *in = &insns[below(sizeof(insns) / sizeof(*in))];
	int n = 0, np = 0, i;

	if (one_in(3))
		np = one_in(4) ? below(15) : below(4);
	for (i = 0; i < np; i++)
		p[n++] = prefixes[below(sizeof(prefixes))];
	if (long64 && one_in(3))
		p[n++] = 0x40 | below(16);
	memcpy(p + n, in->op, in->len);
	n += in->len;
	random_bytes(p + n, in->extra);
	return n + in->extra;
}

static void write_code(struct fz_vm *vm, struct fz_vcpu *v)
{
	struct kvmini_regs regs;
	uint8_t *p, *end = vm->mem + CODE_END;
	int n = 1 + below(12);

	if (ioctl(v->fd, KVMINI_GET_REGS, &regs) || regs.rip < CODE_BASE ||
	    regs.rip >= CODE_END - 64)
		regs.rip = CODE_BASE + below(CODE_END - CODE_BASE - 256);
	p = vm->mem + regs.rip;
	if (one_in(4)) {
		random_bytes(p, 1 + below(64));
		return;
	}
	while (n-- && p + 32 < end)
		p += gen_insn(p, v->mode == 2);
	*p = one_in(2) ? 0xf4 : 0xeb;		/* hlt, or jmp back */
	p[1] = 0xfe - below(32);
}

/* ------------------------------------------------------------------ */
/* vCPU fd: RUN                                                         */
/* ------------------------------------------------------------------ */

static void on_alarm(int sig)
{
}

/*
 * The scribbler: rewrites the run page of the vCPU in RUN, one field
 * (SCRIB_IN: what userspace may write) or one random byte (SCRIB_WILD)
 * at a time, holding scrib_lock for each write; it sleeps while no RUN
 * is in progress.
 */
static void scribble(struct kvmini_run *run, int mode)
{
	uint64_t x = rng_step(&fz.scrib_rng);
	uint8_t *page = (uint8_t *)run;

	if (mode == SCRIB_WILD) {
		page[(x >> 8) % PAGE] = x;
		return;
	}
	switch (x % 6) {
	case 0:
		run->immediate_exit = x >> 8 & 1;
		break;
	case 1:
		run->request_interrupt_window = x >> 8 & 1;
		break;
	case 2:
		memcpy(run->mmio.data, &x, 8);
		break;
	case 3:
		run->hypercall.ret = x;
		break;
	default:
		page[KVMINI_RUN_IO_DATA_OFFSET +
		     (x >> 8) % (PAGE - KVMINI_RUN_IO_DATA_OFFSET)] = x;
		break;
	}
}

static void *scribbler(void *arg)
{
	sigset_t set;

	sigfillset(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_mutex_lock(&fz.scrib_lock);
	while (!fz.stop) {
		if (fz.scrib_mode == SCRIB_NONE || !fz.scrib_page) {
			pthread_cond_wait(&fz.scrib_cond, &fz.scrib_lock);
			continue;
		}
		scribble(fz.scrib_page, fz.scrib_mode);
		/* Let the main thread take the lock between writes. */
		pthread_mutex_unlock(&fz.scrib_lock);
		pthread_mutex_lock(&fz.scrib_lock);
	}
	pthread_mutex_unlock(&fz.scrib_lock);
	return NULL;
}

static void arm_timer(long ns)
{
	struct itimerspec its = { .it_value.tv_nsec = ns };

	timer_settime(fz.timer, 0, &its, NULL);
}

/* What the run page says after RUN returned 0, checked field by field. */
static void check_exit(struct fz_vm *vm, struct fz_vcpu *v, bool asked_window)
{
	struct kvmini_run *run = v->run;
	uint32_t reason = run->exit_reason;

	if (reason >= KVMINI_EXIT_KERNEL_FIRST ||
	    !strcmp(kvmini_exit_name(reason), "?")) {
		fail("RUN returned 0 with exit reason %u", reason);
		return;
	}
	fz.res->exits[reason]++;
	switch (reason) {
	case KVMINI_EXIT_NONE:
	case KVMINI_EXIT_INTR:
		fail("RUN returned 0 with exit reason %s",
		     kvmini_exit_name(reason));
		break;
	case KVMINI_EXIT_IO:
		if ((run->io.size != 1 && run->io.size != 2 &&
		     run->io.size != 4) || run->io.direction > 1 ||
		    !run->io.count ||
		    run->io.data_offset != KVMINI_RUN_IO_DATA_OFFSET ||
		    (uint64_t)run->io.count * run->io.size >
		    PAGE - KVMINI_RUN_IO_DATA_OFFSET)
			fail("io exit: dir %u size %u port %#x count %u offset %llu",
			     run->io.direction, run->io.size, run->io.port,
			     run->io.count,
			     (unsigned long long)run->io.data_offset);
		break;
	case KVMINI_EXIT_MMIO:
		if ((run->mmio.len != 1 && run->mmio.len != 2 &&
		     run->mmio.len != 4 && run->mmio.len != 8) ||
		    run->mmio.is_write > 1)
			fail("mmio exit: len %u write %u at %#llx",
			     run->mmio.len, run->mmio.is_write,
			     (unsigned long long)run->mmio.phys_addr);
		break;
	case KVMINI_EXIT_UNHANDLED:
		if (run->unhandled.insn_len > 15)
			fail("unhandled exit: insn_len %u",
			     run->unhandled.insn_len);
		break;
	case KVMINI_EXIT_HYPERCALL:
		if (!(vm->flags & KVMINI_VM_HYPERCALLS))
			fail("hypercall exit in a VM that did not ask for them");
		break;
	case KVMINI_EXIT_IRQ_WINDOW:
		if (!asked_window)
			fail("irq_window exit nobody asked for");
		else if (!run->ready_for_interrupt_injection)
			fail("irq_window exit, but not ready for an interrupt");
		break;
	}
	if (run->ready_for_interrupt_injection > 1 || run->if_flag > 1)
		fail("ready_for_interrupt_injection %u, if_flag %u",
		     run->ready_for_interrupt_injection, run->if_flag);
	if (run->ready_for_interrupt_injection && !run->if_flag)
		fail("ready for an interrupt with IF clear");
}

static void trace_segment(const char *name, const struct kvmini_segment *g)
{
	printf("fuzz:   %s sel %#x base %#llx limit %#x type %u s %u dpl %u p %u l %u db %u g %u unusable %u\n",
	       name, g->selector, (unsigned long long)g->base, g->limit,
	       g->type, g->s, g->dpl, g->present, g->l, g->db, g->g,
	       g->unusable);
}

/* With --trace: the state a RUN starts from, to replay it by hand. */
static void trace_state(struct fz_vm *vm, struct fz_vcpu *v)
{
	struct kvmini_sregs s;
	struct kvmini_regs r;
	int i;

	if (ioctl(v->fd, KVMINI_GET_REGS, &r) ||
	    ioctl(v->fd, KVMINI_GET_SREGS, &s))
		return;
	printf("fuzz:   rip %#llx rsp %#llx rflags %#llx rax %#llx rbx %#llx rcx %#llx rdx %#llx rsi %#llx rdi %#llx\n",
	       (unsigned long long)r.rip, (unsigned long long)r.rsp,
	       (unsigned long long)r.rflags, (unsigned long long)r.rax,
	       (unsigned long long)r.rbx, (unsigned long long)r.rcx,
	       (unsigned long long)r.rdx, (unsigned long long)r.rsi,
	       (unsigned long long)r.rdi);
	printf("fuzz:   cr0 %#llx cr2 %#llx cr3 %#llx cr4 %#llx cr8 %#llx efer %#llx gdt %#llx/%#x idt %#llx/%#x\n",
	       (unsigned long long)s.cr0, (unsigned long long)s.cr2,
	       (unsigned long long)s.cr3, (unsigned long long)s.cr4,
	       (unsigned long long)s.cr8, (unsigned long long)s.efer,
	       (unsigned long long)s.gdt.base, s.gdt.limit,
	       (unsigned long long)s.idt.base, s.idt.limit);
	trace_segment("cs", &s.cs);
	trace_segment("ss", &s.ss);
	trace_segment("ds", &s.ds);
	trace_segment("tr", &s.tr);
	if (vm->mem && r.rip < MAIN_MEM - 16) {
		printf("fuzz:   code");
		for (i = 0; i < 16; i++)
			printf(" %02x", vm->mem[r.rip + i]);
		printf("\n");
	}
	fflush(stdout);
}

static void op_run(void)
{
	struct fz_vm *vm;
	struct fz_vcpu *v = some_vcpu(&vm);
	unsigned long arg = one_in(40) ? pick_u64() : 0;
	struct kvmini_regs regs;
	bool asked_window = false;
	int mode, err;
	long r;

	if (!v)
		return;
	if (!v->set_up || one_in(10))
		set_mode(vm, v);
	if (vm->mem && one_in(2))
		write_code(vm, v);
	if (one_in(3) && !ioctl(v->fd, KVMINI_GET_REGS, &regs)) {
		random_regs(&regs);
		begin("SET_REGS (random)");
		r = ioctl(v->fd, KVMINI_SET_REGS, &regs);
		check(r, errno, 0, 0);
	}
	if (one_in(8)) {
		struct kvmini_sregs sregs;

		if (!ioctl(v->fd, KVMINI_GET_SREGS, &sregs)) {
			random_sregs(&sregs);
			begin("SET_SREGS (random)");
			r = ioctl(v->fd, KVMINI_SET_SREGS, &sregs);
			check(r, errno, E(EINVAL), UNKNOWN);
		}
	}

	mode = fz.o->no_scribbler || !v->run ? SCRIB_NONE :
	       one_in(10) ? SCRIB_WILD : one_in(2) ? SCRIB_IN : SCRIB_NONE;
	if (v->run) {
		random_bytes((uint8_t *)v->run + KVMINI_RUN_IO_DATA_OFFSET,
			     64);
		random_bytes(v->run->mmio.data, 8);
		v->run->immediate_exit = one_in(30);
		asked_window = one_in(8);
		v->run->request_interrupt_window = asked_window;
	}
	pthread_mutex_lock(&fz.scrib_lock);
	fz.scrib_page = v->run;
	fz.scrib_mode = mode;
	pthread_cond_signal(&fz.scrib_cond);
	pthread_mutex_unlock(&fz.scrib_lock);

	if (fz.o->trace)
		trace_state(vm, v);
	begin("RUN");
	fz.res->runs++;
	arm_timer(1000000 + below(8) * 1000000);
	r = ioctl(v->fd, KVMINI_RUN, arg);
	err = errno;
	arm_timer(0);

	/* Once we hold the lock, the scribbler is out of the page. */
	pthread_mutex_lock(&fz.scrib_lock);
	fz.scrib_mode = SCRIB_NONE;
	fz.scrib_page = NULL;
	pthread_mutex_unlock(&fz.scrib_lock);

	check(r, err, E(EINTR) | E(EFAULT) | E(EINVAL),
	      arg ? EINVAL : UNKNOWN);
	if (r && err < 64)
		fz.res->run_errors[err]++;
	if (!v->run || mode != SCRIB_NONE || arg)
		return;
	if (!r) {
		check_exit(vm, v, asked_window);
	} else if (err == EINTR && v->run->exit_reason != KVMINI_EXIT_INTR) {
		fail("RUN failed with EINTR, exit reason %s",
		     kvmini_exit_name(v->run->exit_reason));
	} else if (err == EFAULT &&
		   v->run->exit_reason >= KVMINI_EXIT_KERNEL_FIRST) {
		fail("RUN failed with EFAULT, exit reason %u",
		     v->run->exit_reason);
	}
}

static void op_interrupt(void)
{
	struct fz_vm *vm;
	struct fz_vcpu *v = some_vcpu(&vm);
	struct kvmini_interrupt irq = { 0 };
	int predicted = UNKNOWN;	/* 0, or EEXIST if one is queued */
	void *arg = &irq;
	long r;

	if (!v)
		return;
	irq.vector = one_in(8) ? pick_u32() : below(256);
	if (one_in(10))
		irq.flags = pick_u32() | 1;
	if (one_in(10))
		irq.reserved[below(2)] = pick_u64() | 1;
	if (irq.vector > 255 || irq.flags || irq.reserved[0] ||
	    irq.reserved[1])
		predicted = EINVAL;
	if (one_in(25)) {
		arg = bad_pointer(sizeof(irq), false);
		predicted = EFAULT;
	}
	begin("INTERRUPT");
	r = ioctl(v->fd, KVMINI_INTERRUPT, arg);
	check(r, errno, E(EINVAL) | E(EEXIST) | E(EFAULT), predicted);
}

static void op_nmi(void)
{
	struct fz_vm *vm;
	struct fz_vcpu *v = some_vcpu(&vm);
	unsigned long arg = one_in(5) ? pick_u64() : 0;
	long r;

	if (!v)
		return;
	begin("NMI");
	r = ioctl(v->fd, KVMINI_NMI, arg);
	check(r, errno, E(EINVAL), arg ? EINVAL : 0);
}

static void op_get_events(void)
{
	struct fz_vm *vm;
	struct fz_vcpu *v = some_vcpu(&vm);
	struct kvmini_vcpu_events ev;
	bool bad = one_in(20);
	long r;

	if (!v)
		return;
	memset(&ev, 0xa5, sizeof(ev));
	begin("GET_VCPU_EVENTS");
	r = ioctl(v->fd, KVMINI_GET_VCPU_EVENTS,
		  bad ? bad_pointer(sizeof(ev), true) : &ev);
	check(r, errno, E(EFAULT), bad ? EFAULT : 0);
	if (r || bad)
		return;
	if (ev.flags || ev.reserved[0] || ev.reserved[1] || ev.reserved[2] ||
	    ev.reserved[3] || ev.event.valid > 1 || ev.interrupt.pending > 1 ||
	    ev.nmi.pending > 1 || ev.nmi.masked > 1 ||
	    ev.shadow & ~(KVMINI_SHADOW_STI | KVMINI_SHADOW_MOV_SS) ||
	    (!ev.event.has_error && ev.event.error_code))
		fail("GET_VCPU_EVENTS returned fields no event has");
}

/* Exceptions with an error code: #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP. */
#define ERROR_VECTORS	(1U << 8 | 0x1fU << 10 | 1U << 17 | 1U << 21)

/*
 * One change to no events at all, with the errno the header documents;
 * UNKNOWN where the answer depends on the vCPU's state (an error code
 * needs protected mode, an interrupt event and the STI shadow need
 * RFLAGS.IF).
 */
static void op_set_events(void)
{
	struct fz_vm *vm;
	struct fz_vcpu *v = some_vcpu(&vm);
	struct kvmini_vcpu_events ev = { 0 };
	int predicted = 0;
	void *arg = &ev;
	long r;

	if (!v)
		return;
	switch (below(10)) {
	case 0:
		ev.flags = pick_u32() | 1;
		predicted = EINVAL;
		break;
	case 1:
		ev.reserved[below(4)] = pick_u64() | 1;
		predicted = EINVAL;
		break;
	case 2:
		if (one_in(2))
			ev.interrupt.padding[below(6)] = 1 + below(255);
		else
			ev.nmi.padding[below(6)] = 1 + below(255);
		predicted = EINVAL;
		break;
	case 3:
		ev.event.valid = 1;
		ev.event.type = below(8);
		ev.event.vector = below(256);
		if (ev.event.type == KVMINI_EVENT_EXCEPTION)
			predicted = ev.event.vector > 31 || ev.event.vector == 2 ?
				    EINVAL : 0;
		else if (ev.event.type == KVMINI_EVENT_NMI)
			predicted = ev.event.vector == 2 ? 0 : EINVAL;
		else if (ev.event.type == KVMINI_EVENT_EXTINT)
			predicted = UNKNOWN;	/* needs RFLAGS.IF */
		else
			predicted = EINVAL;
		break;
	case 4:
		ev.event.valid = 1;
		ev.event.type = KVMINI_EVENT_EXCEPTION;
		ev.event.vector = below(32);
		ev.event.has_error = 1;
		ev.event.error_code = pick_u32();
		predicted = ev.event.vector == 2 ||
			    !(ERROR_VECTORS & 1U << ev.event.vector) ?
			    EINVAL : UNKNOWN;
		break;
	case 5:
		ev.interrupt.pending = below(3);
		ev.interrupt.vector = below(256);
		if (ev.interrupt.pending > 1 ||
		    (!ev.interrupt.pending && ev.interrupt.vector))
			predicted = EINVAL;
		break;
	case 6:
		ev.nmi.pending = below(3);
		ev.nmi.masked = below(3);
		if (ev.nmi.pending > 1 || ev.nmi.masked > 1)
			predicted = EINVAL;
		break;
	case 7:
		ev.shadow = one_in(4) ? pick_u32() : below(4);
		predicted = ev.shadow & ~3U ? EINVAL :
			    ev.shadow == KVMINI_SHADOW_STI ? UNKNOWN : 0;
		break;
	case 8:
		ev.event.valid = 1 + below(255);
		predicted = EINVAL;
		break;
	default:
		arg = bad_pointer(sizeof(ev), false);
		predicted = EFAULT;
		break;
	}
	begin("SET_VCPU_EVENTS");
	r = ioctl(v->fd, KVMINI_SET_VCPU_EVENTS, arg);
	check(r, errno, E(EINVAL) | E(EFAULT), predicted);
}

static void op_read_console(void)
{
	struct fz_vm *vm;
	struct fz_vcpu *v = some_vcpu(&vm);
	struct kvmini_console_read req = { 0 };
	static uint8_t buf[KVMINI_CONSOLE_BUF * 2];
	int predicted = 0;
	void *arg = &req;
	long r;

	if (!v)
		return;
	req.buf = (uintptr_t)buf;
	req.size = one_in(3) ? pick_u32() : below(sizeof(buf));
	if (req.size > sizeof(buf))
		req.size = sizeof(buf);
	if (one_in(12)) {
		req.buf = (uintptr_t)bad_pointer(16, true);
		predicted = UNKNOWN;	/* EFAULT if anything is buffered */
	}
	if (one_in(12))
		req.padding = 1 + below(0xffff);
	if (one_in(12))
		req.reserved[below(2)] = pick_u64() | 1;
	if (req.padding || req.reserved[0] || req.reserved[1])
		predicted = EINVAL;
	if (one_in(20))
		req.port = 1 + below(0xffff);	/* an out field */
	if (req.port && !predicted)
		predicted = UNKNOWN;
	if (one_in(25)) {
		arg = bad_pointer(sizeof(req), true);
		predicted = EFAULT;
	}
	begin("READ_CONSOLE");
	r = ioctl(v->fd, KVMINI_READ_CONSOLE, arg);
	check(r, errno, E(EINVAL) | E(EFAULT), predicted);
	if (r > (long)req.size || r > KVMINI_CONSOLE_BUF)
		fail("READ_CONSOLE returned %ld for %u bytes", r, req.size);
}

static void op_vcpu_stats_fd(void)
{
	struct fz_vm *vm;
	struct fz_vcpu *v = some_vcpu(&vm);
	unsigned long arg = one_in(5) ? pick_u64() : 0;
	int i, fd;

	if (!v)
		return;
	i = stats_slot();
	begin("GET_STATS_FD (vcpu)");
	fd = ioctl(v->fd, KVMINI_GET_STATS_FD, arg);
	check(fd, errno, E(EINVAL), arg ? EINVAL : 0);
	if (fd < 0)
		return;
	fz.stats[i] = (struct fz_stats_fd){ fd, vm, (int)(v - vm->vcpus) };
	v->stats_refs++;
}

/* The run page: mapped and unmapped, with bad offsets, sizes, flags. */
static void op_mmap(void)
{
	struct fz_vm *vm;
	struct fz_vcpu *v = some_vcpu(&vm);
	int prot = PROT_READ | (one_in(4) ? 0 : PROT_WRITE);
	int flags = one_in(4) ? MAP_PRIVATE : MAP_SHARED;
	size_t len = one_in(8) ? PAGE * (2 + below(3)) : PAGE;
	off_t off = one_in(8) ? PAGE * (1 + below(4)) : 0;
	void *p;

	if (!v)
		return;
	if (v->run && one_in(2)) {
		vcpu_unmap(v);
		return;
	}
	begin("mmap run page");
	p = mmap(NULL, len, prot, flags, v->fd, off);
	check(p == MAP_FAILED ? -1 : 0, errno, E(EINVAL) | E(EACCES),
	      len != PAGE || off ? EINVAL : 0);
	if (p == MAP_FAILED)
		return;
	/* Touch it: the kernel's page, or a private copy of it. */
	(void)*(volatile uint8_t *)p;
	if (!v->run && len == PAGE && prot & PROT_WRITE &&
	    flags == MAP_SHARED) {
		v->run = p;
		return;
	}
	if (len == PAGE && one_in(4)) {
		/* Grown past the run page: the second page is never touched. */
		void *q = mremap(p, PAGE, 2 * PAGE, MREMAP_MAYMOVE);

		begin("mremap run page");
		if (q != MAP_FAILED) {
			munmap(q, 2 * PAGE);
			return;
		}
	}
	begin("munmap");
	munmap(p, len);
}

static void op_close(void)
{
	struct fz_vm *vm;
	struct fz_vcpu *v;

	switch (below(5)) {
	case 0:
		vm = &fz.vms[below(MAX_VMS)];
		if (vm->used)
			vm_close(vm);
		break;
	case 1:
		vm = &fz.vms[below(MAX_VMS)];
		vm_destroy(vm);
		break;
	case 2:
		stats_close(below(MAX_STATS_FDS));
		break;
	default:
		v = some_vcpu(&vm);
		if (v)
			vcpu_close(v);
		break;
	}
}

/* The extra memory behind slots goes away, and comes back elsewhere. */
static void op_remap_extra(void)
{
	struct fz_vm *vm = some_vm();

	if (!vm)
		return;
	begin("munmap/mmap guest memory");
	if (vm->extra) {
		munmap(vm->extra, EXTRA_MEM);
		vm->extra = NULL;
	} else {
		vm->extra = map_anon(EXTRA_MEM, PROT_READ | PROT_WRITE);
	}
}

/* Another process gets EIO from every call on a VM or vCPU fd. */
static void op_fork(void)
{
	struct fz_vm *vm;
	struct fz_vcpu *v = some_vcpu(&vm);
	struct kvmini_regs regs;
	int status;
	pid_t pid;

	if (!v)
		return;
	begin("fork: EIO in the child");
	pid = fork();
	if (pid < 0) {
		fail("fork: %s", err_name(errno));
		return;
	}
	if (pid == 0) {
		int bad = 0;

		if (vm->fd >= 0 &&
		    (ioctl(vm->fd, KVMINI_CREATE_VCPU, 7) != -1 ||
		     errno != EIO))
			bad |= 1;
		if (ioctl(v->fd, KVMINI_RUN, 0) != -1 || errno != EIO)
			bad |= 2;
		if (ioctl(v->fd, KVMINI_GET_REGS, &regs) != -1 ||
		    errno != EIO)
			bad |= 4;
		if (mmap(NULL, PAGE, PROT_READ, MAP_SHARED, v->fd, 0) !=
		    MAP_FAILED || errno != EIO)
			bad |= 8;
		if (ioctl(v->fd, KVMINI_GET_STATS_FD, 0) != -1 ||
		    errno != EIO)
			bad |= 16;
		_exit(bad);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fail("a child process was not refused with EIO (%#x)",
		     status);
}

/* ------------------------------------------------------------------ */
/* The run                                                              */
/* ------------------------------------------------------------------ */

static const struct op {
	void (*fn)(void);
	int weight;
} ops[] = {
	{ op_api_version, 2 }, { op_check_cap, 2 }, { op_mmap_size, 1 },
	{ op_create_vm, 2 }, { op_reopen_sys, 1 }, { op_unknown_cmd, 3 },
	{ op_set_slot, 10 }, { op_create_vcpu, 4 }, { op_set_cpuid, 3 },
	{ op_attach_port, 6 }, { op_detach_port, 4 }, { op_vm_stats_fd, 2 },
	{ op_read_stats, 3 }, { op_debugfs, 1 }, { op_get_regs, 3 },
	{ op_set_regs, 5 }, { op_get_sregs, 3 }, { op_set_sregs, 6 },
	{ op_set_mode, 4 }, { op_run, 30 }, { op_interrupt, 3 },
	{ op_nmi, 2 }, { op_read_console, 2 }, { op_vcpu_stats_fd, 2 },
	{ op_get_events, 1 }, { op_set_events, 2 },
	{ op_mmap, 4 }, { op_close, 3 }, { op_remap_extra, 1 },
	{ op_fork, 1 },
};

static double elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - fz.start.tv_sec +
	       (now.tv_nsec - fz.start.tv_nsec) / 1e9;
}

/* A call that does not return: kick it, then give up on the run. */
static void *watchdog(void *arg)
{
	uint64_t last = 0;
	int still = 0;

	while (!fz.stop) {
		sleep(1);
		if (fz.call != last) {
			last = fz.call;
			still = 0;
			continue;
		}
		if (++still >= 2)
			pthread_kill(fz.main_thread, SIGALRM);
		if (still >= (int)fz.o->stuck_seconds) {
			fail("stuck for %d s", still);
			fflush(stdout);
			_exit(3);
		}
	}
	return NULL;
}

/*
 * The guest-physical limit: 2^48 with four-level EPT/NPT, 2^52 with
 * five (NPT follows the host's paging; physical addresses stop at 52).
 */
static uint64_t measure_gpa_limit(void)
{
	static const int bits[] = { 57, 52, 48 };
	struct kvmini_memory_slot m = {
		.slot = 1, .memory_size = PAGE,
		.userspace_addr = (uintptr_t)fz.ro,
	};
	uint64_t limit = 1ULL << 48;
	int fd = ioctl(sys_fd(), KVMINI_CREATE_VM, 0), i;

	if (fd < 0)
		return limit;
	for (i = 0; i < 3; i++) {
		m.guest_phys_addr = (1ULL << bits[i]) - PAGE;
		if (!ioctl(fd, KVMINI_SET_MEMORY_SLOT, &m)) {
			limit = 1ULL << bits[i];
			break;
		}
	}
	close(fd);
	return limit;
}

static void print_seed_at_exit(void)
{
	if (fz.o && !fz.stop)
		printf("fuzz: seed %#llx died at call %llu (%s)\n",
		       (unsigned long long)fz.o->seed,
		       (unsigned long long)fz.call, fz.op ? fz.op : "-");
}

static void setup(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = SIGALRM,
	};
	int i;

	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: RUN gets EINTR */
	sev._sigev_un._tid = syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, &fz.timer)) {
		perror("fuzz: timer_create");
		exit(2);
	}
	fz.sys_fd = -1;
	for (i = 0; i < MAX_STATS_FDS; i++)
		fz.stats[i].fd = -1;
	fz.ro = map_anon(16 * PAGE, PROT_READ);
	fz.none = map_anon(16 * PAGE, PROT_NONE);
	/* Below a static binary's text, above mmap_min_addr: never mapped. */
	fz.gone = (uint8_t *)0x200000;
	fz.edge = map_anon(2 * PAGE, PROT_READ | PROT_WRITE);
	mprotect(fz.edge + PAGE, PAGE, PROT_NONE);
	fz.gpa_limit = measure_gpa_limit();

	pthread_mutex_init(&fz.scrib_lock, NULL);
	pthread_cond_init(&fz.scrib_cond, NULL);
	fz.main_thread = pthread_self();
	pthread_create(&fz.scribbler, NULL, scribbler, NULL);
	pthread_create(&fz.watchdog, NULL, watchdog, NULL);
	atexit(print_seed_at_exit);
}

static void teardown(void)
{
	int i;

	for (i = 0; i < MAX_VMS; i++)
		vm_destroy(&fz.vms[i]);
	for (i = 0; i < MAX_STATS_FDS; i++)
		stats_close(i);
	if (fz.sys_fd >= 0)
		close(fz.sys_fd);
	pthread_mutex_lock(&fz.scrib_lock);
	fz.stop = true;
	pthread_cond_signal(&fz.scrib_cond);
	pthread_mutex_unlock(&fz.scrib_lock);
	pthread_join(fz.scribbler, NULL);
	pthread_join(fz.watchdog, NULL);
	timer_delete(fz.timer);
	munmap(fz.ro, 16 * PAGE);
	munmap(fz.none, 16 * PAGE);
	munmap(fz.edge, 2 * PAGE);
}

uint64_t fuzz_run(const struct fuzz_opts *opts, struct fuzz_result *res,
		  struct fuzz_progress *progress)
{
	int total = 0, i;

	memset(&fz, 0, sizeof(fz));
	memset(res, 0, sizeof(*res));
	fz.o = opts;
	fz.res = res;
	fz.progress = progress;
	fz.rng = opts->seed;
	fz.scrib_rng = opts->seed ^ 0x5c81bb1e5c81bb1eULL;
	if (progress)
		progress->seed = opts->seed;
	if (!fz.o->stuck_seconds)
		((struct fuzz_opts *)fz.o)->stuck_seconds = 60;
	clock_gettime(CLOCK_MONOTONIC, &fz.start);
	setup();

	for (i = 0; i < (int)(sizeof(ops) / sizeof(ops[0])); i++)
		total += ops[i].weight;
	while ((!opts->calls || fz.call < opts->calls) &&
	       (!opts->seconds || elapsed() < opts->seconds)) {
		int w = below(total);

		for (i = 0; w >= ops[i].weight; i++)
			w -= ops[i].weight;
		ops[i].fn();
		/* Now and then, everything goes and starts again. */
		if (one_in(3000))
			for (i = 0; i < MAX_VMS; i++)
				vm_destroy(&fz.vms[i]);
	}
	res->walk_calls = fz.call;
	teardown();
	res->calls = fz.call;
	res->seconds = elapsed();
	return res->failures;
}

void fuzz_print_result(const struct fuzz_opts *opts,
		       const struct fuzz_result *res)
{
	int i;

	printf("fuzz: seed %#llx: %llu calls, %llu RUNs in %.1f s, %llu failures",
	       (unsigned long long)opts->seed,
	       (unsigned long long)res->calls, (unsigned long long)res->runs,
	       res->seconds, (unsigned long long)res->failures);
	if (res->failures)
		printf(" (first at call %llu)",
		       (unsigned long long)res->first_failure);
	printf("\nfuzz: exits:");
	for (i = 0; i < KVMINI_EXIT_NR; i++)
		if (res->exits[i])
			printf(" %s %llu", kvmini_exit_name(i),
			       (unsigned long long)res->exits[i]);
	printf("; RUN errors:");
	for (i = 0; i < 64; i++)
		if (res->run_errors[i])
			printf(" %s %llu", err_name(i),
			       (unsigned long long)res->run_errors[i]);
	printf("\n");
	fflush(stdout);
}
