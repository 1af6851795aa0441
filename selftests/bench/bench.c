// SPDX-License-Identifier: GPL-2.0
/*
 * bench.c - what an exit costs on kvmini, next to KVM, in the same boot.
 *
 *   bench run --backend kvmini|kvm --label NAME [--small] [--exits-only]
 *	measure every row (or only the exits) on one backend; one "bench:"
 *	line per figure
 *   bench smoke --backend kvmini|kvm
 *	every row once, with a few iterations, as TAP: each figure is
 *	produced and positive.  Nothing is timed against a limit, ever.
 *   bench report TARGET LOG DAT
 *	on the build machine: the "bench:" lines of a VM's serial log as
 *	markdown tables on stdout, and the per-exit figures for gnuplot
 *	in DAT (selftests/bench/plot.gp draws them)
 *
 * It lives in selftests/ rather than user/ because it is no tool a user
 * installs: like the selftests it is built statically on libkvmini,
 * shipped in the test VMs' initramfs and run there (by `make bench`
 * through selftests/vm/in-vm-bench.sh, and once by `make check`).
 *
 * How a row is measured.  The guest code is bench_guest.S, the same
 * bytes on both backends, in 64-bit mode.  A loop runs the exiting
 * instruction N times between two RDTSCs, then a loop without it (the
 * baseline) runs N times; (loop - baseline) / N is one repetition's
 * cost per exit, and a row reports the median and quartiles of R
 * repetitions after one warm-up.  Exits that reach userspace are served
 * here with each backend's raw RUN ioctl and nothing else (no data is
 * even written for an IN or an MMIO read), so neither backend pays for
 * libkvmini's translation of KVM's run page.  Each hypervisor's own
 * exit counter is read around every loop: a row also says how many
 * exits one iteration took, which shows that both did the same work.
 *
 * Units are the guest's TSC: under QEMU/TCG the host's TSC cycles
 * (converted to time with the rate measured here, in the VM), under
 * Bochs emulated instructions (its TSC counts them).  VM life-cycle
 * rows use the same TSC, read in this process; exits per second use the
 * VM's CLOCK_MONOTONIC.
 */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>
#include <linux/kvm.h>

#include "libkvmini.h"
#include "bench.h"

#define MAX_VCPUS	4
#define MAX_REPS	64
#define TOUCH_BLOCKS	16

static void die(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t tsc(void)
{
	uint64_t t;

	_mm_lfence();
	t = __rdtsc();
	_mm_lfence();
	return t;
}

/* ------------------------------------------------------------------ */
/* What a run measures                                                  */
/* ------------------------------------------------------------------ */

struct opts {
	enum kvmini_backend backend;
	const char *label;
	int iters, reps;	/* per-exit rows */
	int life_reps;		/* VM create+destroy */
	int touch_mib[4], nr_touch;
	int rate_iters, rate_reps;
	bool smoke;
	bool exits_only;	/* a second configuration of one backend */
};

/* Full figures under QEMU; --small for Bochs, ~15x slower. */
static const struct opts opts_full = {
	.iters = 2000, .reps = 11, .life_reps = 15,
	.touch_mib = { 64, 256, 1024 }, .nr_touch = 3,
	.rate_iters = 2000, .rate_reps = 5,
};

static const struct opts opts_small = {
	.iters = 300, .reps = 7, .life_reps = 5,
	.touch_mib = { 16, 64 }, .nr_touch = 2,
	.rate_iters = 300, .rate_reps = 3,
};

/* make check: every row once, only to see that it produces a figure. */
static const struct opts opts_smoke = {
	.iters = 20, .reps = 1, .life_reps = 1,
	.touch_mib = { 2 }, .nr_touch = 1,
	.rate_iters = 20, .rate_reps = 1, .smoke = true,
};

/* ------------------------------------------------------------------ */
/* A guest: the code, an IDT, one to four vCPUs in 64-bit mode          */
/* ------------------------------------------------------------------ */

struct kvm_stats;
static void kvm_stats_close(struct kvm_stats *k);

struct gvm {
	struct kvmini_vm *vm;
	bool kvm;
	uint8_t *mem;
	uint8_t *touch;		/* the first-touch slot, if any */
	size_t touch_size;
	int nr_vcpus;
	struct kvmini_vcpu *vcpu[MAX_VCPUS];
	/* Each vCPU's counters, opened on first use. */
	struct kvm_stats *kvm_stats[MAX_VCPUS];
	struct kvmini_stats *stats[MAX_VCPUS];
};

static uint64_t guest_addr(const unsigned char *sym)
{
	return BENCH_CODE_GPA + (sym - bench_guest_start);
}

/* One 64-bit interrupt gate, for the vector the host injects. */
static void write_idt(uint8_t *mem)
{
	uint64_t h = guest_addr(bench_irq_handler);
	uint64_t *gate = (uint64_t *)(mem + BENCH_IDT_GPA +
				      BENCH_IRQ_VECTOR * 16);

	gate[0] = (h & 0xffff) | (uint64_t)KVMINI_SEL_CODE64 << 16 |
		  0x8eull << 40 | (h >> 16 & 0xffff) << 48;
	gate[1] = h >> 32;
}

static void gvm_create(struct gvm *g, enum kvmini_backend backend,
		       int nr_vcpus, size_t touch_size)
{
	struct kvmini_sregs sregs;
	int i;

	memset(g, 0, sizeof(*g));
	g->vm = kvmini_vm_create_on(backend, 0);
	g->kvm = backend == KVMINI_BACKEND_KVM;
	g->mem = kvmini_vm_add_memory(g->vm, 0, BENCH_MEM_SIZE);
	memcpy(g->mem + BENCH_CODE_GPA, bench_guest_start,
	       bench_guest_end - bench_guest_start);
	write_idt(g->mem);
	if (touch_size) {
		g->touch = kvmini_vm_add_memory(g->vm, BENCH_TOUCH_GPA,
						touch_size);
		g->touch_size = touch_size;
	}
	g->nr_vcpus = nr_vcpus;
	for (i = 0; i < nr_vcpus; i++) {
		g->vcpu[i] = kvmini_vcpu_create(g->vm, i);
		kvmini_vcpu_setup_long_mode(g->vcpu[i], g->mem,
					    BENCH_CODE_GPA, BENCH_STACK_TOP);
		kvmini_get_sregs(g->vcpu[i], &sregs);
		sregs.idt.base = BENCH_IDT_GPA;
		sregs.idt.limit = 256 * 16 - 1;
		kvmini_set_sregs(g->vcpu[i], &sregs);
	}
}

static void gvm_destroy(struct gvm *g)
{
	int i;

	for (i = 0; i < g->nr_vcpus; i++) {
		if (g->stats[i])
			kvmini_stats_close(g->stats[i]);
		if (g->kvm_stats[i])
			kvm_stats_close(g->kvm_stats[i]);
		kvmini_vcpu_free(g->vcpu[i]);
	}
	kvmini_vm_free(g->vm);
	/* The library leaves guest memory mapped: give it back. */
	munmap(g->mem, BENCH_MEM_SIZE);
	if (g->touch)
		munmap(g->touch, g->touch_size);
}

/* ------------------------------------------------------------------ */
/* Exits counted by the hypervisor itself                               */
/* ------------------------------------------------------------------ */

#define MAX_COUNTERS	512

/* A vCPU's counters at one moment, by name, and its exits in all. */
struct counters {
	int n;
	const char *name[MAX_COUNTERS];
	uint64_t val[MAX_COUNTERS];
	uint64_t exits;
};

/* KVM's binary stats of a vCPU: the descriptors, read once. */
struct kvm_stats {
	int fd;
	struct kvm_stats_header h;
	size_t desc_size, data_size;
	uint8_t *descs;
	uint64_t *data;
};

static struct kvm_stats *kvm_stats_open(struct kvmini_vcpu *v)
{
	struct kvm_stats *k = calloc(1, sizeof(*k));
	size_t len;
	uint32_t i;

	if (!k)
		die("calloc");
	k->fd = ioctl(v->fd, KVM_GET_STATS_FD, NULL);
	if (k->fd < 0 || pread(k->fd, &k->h, sizeof(k->h), 0) != sizeof(k->h))
		die("KVM_GET_STATS_FD: %s", strerror(errno));
	k->desc_size = sizeof(struct kvm_stats_desc) + k->h.name_size;
	len = k->desc_size * k->h.num_desc;
	k->descs = malloc(len);
	if (!k->descs || pread(k->fd, k->descs, len, k->h.desc_offset) !=
			 (ssize_t)len)
		die("reading KVM's stats descriptors");
	for (i = 0; i < k->h.num_desc; i++) {
		struct kvm_stats_desc *d;

		d = (void *)(k->descs + i * k->desc_size);
		size_t end = d->offset + d->size * sizeof(uint64_t);

		if (end > k->data_size)
			k->data_size = end;
	}
	k->data = malloc(k->data_size);
	if (!k->data)
		die("malloc");
	return k;
}

static void kvm_stats_close(struct kvm_stats *k)
{
	close(k->fd);
	free(k->descs);
	free(k->data);
	free(k);
}

static void kvm_counters(struct kvm_stats *k, struct counters *c)
{
	uint32_t i;

	if (pread(k->fd, k->data, k->data_size, k->h.data_offset) !=
	    (ssize_t)k->data_size)
		die("reading KVM's stats");
	c->n = 0;
	c->exits = 0;
	for (i = 0; i < k->h.num_desc && c->n < MAX_COUNTERS; i++) {
		struct kvm_stats_desc *d;

		d = (void *)(k->descs + i * k->desc_size);

		if (d->size != 1)
			continue;
		c->name[c->n] = d->name;
		c->val[c->n] = k->data[d->offset / sizeof(uint64_t)];
		if (!strcmp(d->name, "exits"))
			c->exits = c->val[c->n];
		c->n++;
	}
}

/* kvmini: every exit.REASON.{kernel,user}.count; their sum. */
static void kvmini_counters(struct kvmini_stats *s, struct counters *c)
{
	uint32_t i;

	if (kvmini_stats_refresh(s))
		die("reading kvmini's stats: %s", strerror(errno));
	c->n = 0;
	c->exits = 0;
	for (i = 0; i < s->hdr.num_desc && c->n < MAX_COUNTERS; i++) {
		const struct kvmini_stats_desc *d = kvmini_stats_desc(s, i);
		size_t len = strlen(d->name);

		if (strncmp(d->name, "exit.", 5) || len < 6 ||
		    strcmp(d->name + len - 6, ".count"))
			continue;
		c->name[c->n] = d->name;
		c->val[c->n] = s->data[d->offset / sizeof(uint64_t)];
		c->exits += c->val[c->n];
		c->n++;
	}
}

static void counters_now(struct gvm *g, int i, struct counters *c)
{
	if (g->kvm) {
		if (!g->kvm_stats[i])
			g->kvm_stats[i] = kvm_stats_open(g->vcpu[i]);
		kvm_counters(g->kvm_stats[i], c);
		return;
	}
	if (!g->stats[i])
		g->stats[i] = kvmini_vcpu_stats(g->vcpu[i]);
	kvmini_counters(g->stats[i], c);
}

/*
 * A row that took other than one exit per iteration: say which of the
 * hypervisor's counters moved, per iteration, so the table can tell.
 * c0..c1 is the baseline loop, c1..c2 the row's.
 */
static void explain_exits(const char *label, const char *row,
			  const struct counters *c0, const struct counters *c1,
			  const struct counters *c2, uint64_t iters)
{
	int i;

	printf("bench: note %s %s, per iteration:", label, row);
	for (i = 0; i < c2->n && i < c1->n && i < c0->n; i++) {
		double d = ((double)(c2->val[i] - c1->val[i]) -
			    (double)(c1->val[i] - c0->val[i])) / iters;

		if (d >= 0.05)
			printf(" %s %.2f", c2->name[i], d);
	}
	printf("\n");
}

/* ------------------------------------------------------------------ */
/* Running one loop                                                     */
/* ------------------------------------------------------------------ */

enum action {
	ACT_NONE,
	ACT_FORWARD,		/* exits on the row's port or address */
	ACT_IRQ_DOORBELL,	/* each doorbell OUT: inject an interrupt */
	ACT_IRQ_HLT,		/* each HLT: inject an interrupt */
};

struct loop {
	const unsigned char *entry;
	uint64_t iters;
	uint16_t port;
	uint64_t addr;
	enum action act;
	uint64_t rdi, blocks;	/* first touch */
	const char *what;	/* the row, for messages */
};

enum exit_kind { EXIT_IO, EXIT_MMIO, EXIT_HLT, EXIT_OTHER };

struct exit_view {
	enum exit_kind kind;
	uint16_t port;
	bool ready;		/* an interrupt queued now is taken */
	uint32_t raw;
};

/*
 * One RUN, and what it stopped for: the bare ioctl of each backend, so
 * that a forwarded exit costs what it costs any VMM.
 */
static void raw_run(struct gvm *g, struct kvmini_vcpu *v, struct exit_view *e)
{
	unsigned long cmd = g->kvm ? KVM_RUN : KVMINI_RUN;

	while (ioctl(v->fd, cmd, 0) < 0)
		if (errno != EINTR)
			die("RUN: %s", strerror(errno));
	if (g->kvm) {
		struct kvm_run *k = v->backend_run;

		e->raw = k->exit_reason;
		e->ready = k->ready_for_interrupt_injection;
		e->kind = k->exit_reason == KVM_EXIT_IO ? EXIT_IO :
			  k->exit_reason == KVM_EXIT_MMIO ? EXIT_MMIO :
			  k->exit_reason == KVM_EXIT_HLT ? EXIT_HLT :
			  EXIT_OTHER;
		e->port = k->io.port;
	} else {
		struct kvmini_run *r = v->run;

		e->raw = r->exit_reason;
		e->ready = r->ready_for_interrupt_injection;
		e->kind = r->exit_reason == KVMINI_EXIT_IO ? EXIT_IO :
			  r->exit_reason == KVMINI_EXIT_MMIO ? EXIT_MMIO :
			  r->exit_reason == KVMINI_EXIT_HLT ? EXIT_HLT :
			  EXIT_OTHER;
		e->port = r->io.port;
	}
}

static void inject(struct kvmini_vcpu *v, const struct exit_view *e)
{
	int r;

	/* The guest runs with IF set and no shadow: never expected. */
	if (!e->ready)
		die("the guest cannot take an interrupt now");
	r = kvmini_vcpu_interrupt(v, BENCH_IRQ_VECTOR);
	if (r)
		die("queueing an interrupt: %s", strerror(-r));
}

/* Run a loop of bench_guest.S on vCPU i; returns its TSC difference. */
static uint64_t run_loop(struct gvm *g, int i, const struct loop *l)
{
	struct kvmini_vcpu *v = g->vcpu[i];
	struct kvmini_regs regs = {
		.rip = guest_addr(l->entry),
		.rsp = BENCH_STACK_TOP - i * 0x4000,
		.rflags = 0x202,	/* IF */
		.r13 = l->iters, .r10 = l->port, .r11 = l->addr,
		.rdi = l->rdi, .r14 = l->blocks,
	};
	struct exit_view e;

	kvmini_set_regs(v, &regs);
	for (;;) {
		raw_run(g, v, &e);
		if (e.kind == EXIT_IO && e.port == BENCH_DONE_PORT)
			break;
		if (e.kind == EXIT_IO && e.port == l->port &&
		    (l->act == ACT_FORWARD || l->act == ACT_IRQ_DOORBELL)) {
			if (l->act == ACT_IRQ_DOORBELL)
				inject(v, &e);
			continue;
		}
		if (e.kind == EXIT_MMIO && l->act == ACT_FORWARD && l->addr)
			continue;
		if (e.kind == EXIT_HLT && l->act == ACT_IRQ_HLT) {
			inject(v, &e);
			continue;
		}
		die("%s: unexpected exit %u (port %#x)", g->kvm ? "kvm" :
		    "kvmini", e.raw, e.kind == EXIT_IO ? e.port : 0);
	}
	kvmini_get_regs(v, &regs);
	/* Worth knowing, but the time is still the time. */
	if ((l->act == ACT_IRQ_DOORBELL || l->act == ACT_IRQ_HLT) &&
	    regs.r14 != l->iters)
		printf("bench: note %s %s: the guest took %llu interrupts, "
		       "%llu were injected\n", g->kvm ? "kvm" : "kvmini",
		       l->what ?: "", (unsigned long long)regs.r14,
		       (unsigned long long)l->iters);
	return regs.r12;
}

/* ------------------------------------------------------------------ */
/* Figures                                                              */
/* ------------------------------------------------------------------ */

struct figure {
	double med, q1, q3;
	int n;
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* A quantile by linear interpolation between the sorted samples. */
static double quantile(const double *v, int n, double q)
{
	double pos = q * (n - 1);
	int lo = (int)pos;

	if (lo + 1 >= n)
		return v[n - 1];
	return v[lo] + (pos - lo) * (v[lo + 1] - v[lo]);
}

static struct figure summarize(double *v, int n)
{
	struct figure f = { .n = n };

	qsort(v, n, sizeof(*v), cmp_double);
	f.med = quantile(v, n, 0.5);
	f.q1 = quantile(v, n, 0.25);
	f.q3 = quantile(v, n, 0.75);
	return f;
}

static int tap_count;

/*
 * "bench: LABEL ROW MEDIAN Q1 Q3 N EXITS" - one figure; EXITS is the
 * exits per iteration, or - where not counted.  In smoke mode a TAP
 * line instead.
 */
static void report(const struct opts *o, const char *row,
		   struct figure f, double exits)
{
	if (o->smoke) {
		bool ok = f.med > 0 && f.n > 0;

		printf("%s %d %s %s: %.1f\n", ok ? "ok" : "not ok",
		       ++tap_count, o->label, row, f.med);
		return;
	}
	printf("bench: %s %s %.2f %.2f %.2f %d ", o->label, row, f.med, f.q1,
	       f.q3, f.n);
	if (exits < 0)
		printf("-\n");
	else
		printf("%.2f\n", exits);
}

/* ------------------------------------------------------------------ */
/* Per-exit rows                                                        */
/* ------------------------------------------------------------------ */

struct row {
	const char *id;
	const unsigned char *loop, *base;
	uint16_t port;
	uint64_t addr;
	enum action act;
};

static bool host_is_vmx(void)
{
	unsigned int a, b, c, d;

	return __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 5));
}

/* The exits, in the order of the tables. */
static const struct row exit_rows[] = {
	{ .id = "pio_kernel", .loop = bench_pio_out, .base = bench_empty,
	  .port = BENCH_PORT_KERNEL },
	{ .id = "pio_out", .loop = bench_pio_out, .base = bench_empty,
	  .port = BENCH_PORT_USER, .act = ACT_FORWARD },
	{ .id = "pio_in", .loop = bench_pio_in, .base = bench_empty,
	  .port = BENCH_PORT_USER, .act = ACT_FORWARD },
	{ .id = "mmio_write", .loop = bench_mmio_write, .base = bench_empty,
	  .addr = BENCH_MMIO_GPA, .act = ACT_FORWARD },
	{ .id = "mmio_read", .loop = bench_mmio_read, .base = bench_empty,
	  .addr = BENCH_MMIO_GPA, .act = ACT_FORWARD },
	{ .id = "cpuid", .loop = bench_cpuid, .base = bench_cpuid_base },
	{ .id = "rdmsr_efer", .loop = bench_rdmsr, .base = bench_rdmsr_base },
	/* VMCALL or VMMCALL, by vendor: measure_exit() picks. */
	{ .id = "hypercall", .base = bench_hypercall_base },
	{ .id = "irq", .loop = bench_irq, .base = bench_empty,
	  .port = BENCH_PORT_DOORBELL, .act = ACT_IRQ_DOORBELL },
	{ .id = "hlt", .loop = bench_hlt, .base = bench_empty,
	  .act = ACT_IRQ_HLT },
};

#define NR_EXIT_ROWS	(sizeof(exit_rows) / sizeof(exit_rows[0]))

/* In-kernel port I/O: kvmini's SINK, KVM's ioeventfd on one port. */
static void attach_kernel_port(struct gvm *g)
{
	struct kvmini_port_handler h = {
		.first_port = BENCH_PORT_KERNEL,
		.last_port = BENCH_PORT_KERNEL,
		.kind = KVMINI_PORT_SINK,
	};
	struct kvm_ioeventfd io = {
		.addr = BENCH_PORT_KERNEL,
		.len = 1,
		.flags = KVM_IOEVENTFD_FLAG_PIO,
	};
	int r = kvmini_vm_attach_port(g->vm, &h);

	if (r == -EOPNOTSUPP && g->kvm) {
		/*
		 * A library without SINK on KVM: do what it does, an
		 * ioeventfd on an eventfd nobody reads, matching the
		 * guest's 1-byte OUT.
		 */
		io.fd = eventfd(0, EFD_CLOEXEC);
		r = io.fd < 0 || ioctl(g->vm->fd, KVM_IOEVENTFD, &io) ?
		    -errno : 0;
	}
	if (r)
		die("in-kernel handler on port %#x: %s", BENCH_PORT_KERNEL,
		    strerror(-r));
}

/* Median cost per iteration of row against its baseline. */
static struct figure measure_exit(const struct opts *o, struct gvm *g,
				  int cpu, const struct row *r,
				  const char *label, bool counting,
				  double *exits)
{
	struct loop l = {
		.entry = r->loop, .iters = o->iters, .port = r->port,
		.addr = r->addr, .act = r->act, .what = r->id,
	};
	struct loop base = {
		.entry = r->base, .iters = o->iters, .port = r->port,
		.addr = r->addr, .act = ACT_NONE, .what = r->id,
	};
	static struct counters c0, c1, c2;
	double v[MAX_REPS], e[MAX_REPS];
	uint64_t t, tb;
	int i;

	if (!l.entry)
		l.entry = host_is_vmx() ? bench_vmcall : bench_vmmcall;
	/* Warm up: translations, KVM's MMIO SPTEs, caches. */
	l.iters = o->iters / 10 + 1;
	run_loop(g, cpu, &l);
	l.iters = o->iters;
	for (i = 0; i < o->reps; i++) {
		counters_now(g, cpu, &c0);
		tb = run_loop(g, cpu, &base);
		counters_now(g, cpu, &c1);
		t = run_loop(g, cpu, &l);
		counters_now(g, cpu, &c2);
		v[i] = ((double)t - (double)tb) / o->iters;
		/* The baseline's exits (host interrupts, the done port)
		 * happen in both. */
		e[i] = ((double)(c2.exits - c1.exits) -
			(double)(c1.exits - c0.exits)) / o->iters;
	}
	*exits = summarize(e, o->reps).med;
	if (counting && !o->smoke && (*exits < 0.95 || *exits > 1.05))
		explain_exits(label, r->id, &c0, &c1, &c2, o->iters);
	return summarize(v, o->reps);
}

static void bench_exits(const struct opts *o, const char *label,
			const struct row *only, size_t nr_only, bool counting)
{
	struct opts ol = *o;
	struct gvm g;
	struct figure f;
	double exits;
	size_t i;

	ol.label = label;
	gvm_create(&g, o->backend, 1, 0);
	attach_kernel_port(&g);
	for (i = 0; i < nr_only; i++) {
		f = measure_exit(o, &g, 0, &only[i], label, counting, &exits);
		/* Without statistics kvmini counts nothing. */
		report(&ol, only[i].id, f, counting ? exits : -1);
	}
	gvm_destroy(&g);
}

/* ------------------------------------------------------------------ */
/* VM life cycle                                                        */
/* ------------------------------------------------------------------ */

/* The smallest VM from nothing to its first exit, and gone again. */
static void tiny_vm_to_first_exit(enum kvmini_backend backend)
{
	struct loop l = { .entry = bench_empty, .iters = 1 };
	struct gvm g;

	gvm_create(&g, backend, 1, 0);
	run_loop(&g, 0, &l);
	gvm_destroy(&g);
}

static void bench_life(const struct opts *o)
{
	static const char *const ids[] = {
		"vm_create", "vm_create_held", "vm_first_exit",
	};
	double v[MAX_REPS];
	struct kvmini_vm *held = NULL, *vm;
	uint64_t t;
	int kind, i;

	for (kind = 0; kind < 3; kind++) {
		/*
		 * The first row creates the only VM; the others keep one
		 * more open, as a VMM with a VM running would: KVM then
		 * neither enables the hardware nor flips its static key.
		 */
		if (kind == 1)
			held = kvmini_vm_create_on(o->backend, 0);
		for (i = 0; i < o->life_reps; i++) {
			t = tsc();
			if (kind < 2) {
				vm = kvmini_vm_create_on(o->backend, 0);
				kvmini_vm_free(vm);
			} else {
				tiny_vm_to_first_exit(o->backend);
			}
			v[i] = tsc() - t;
		}
		report(o, ids[kind], summarize(v, o->life_reps), -1);
	}
	kvmini_vm_free(held);
}

/* ------------------------------------------------------------------ */
/* First touch                                                          */
/* ------------------------------------------------------------------ */

/* Cycles per 4 KiB page; the spread is over the blocks of one run. */
static void bench_touch_one(const struct opts *o, int mib)
{
	size_t size = (size_t)mib << 20;
	uint64_t pages = size / 4096 / TOUCH_BLOCKS;
	struct loop l = {
		.entry = bench_touch, .iters = pages,
		.addr = BENCH_TOUCH_GPA, .rdi = BENCH_RESULTS_GPA,
		.blocks = TOUCH_BLOCKS,
	};
	double v[TOUCH_BLOCKS];
	uint64_t *block;
	char id[32];
	struct gvm g;
	int i;

	gvm_create(&g, o->backend, 1, size);
	run_loop(&g, 0, &l);
	block = (uint64_t *)(g.mem + BENCH_RESULTS_GPA);
	for (i = 0; i < TOUCH_BLOCKS; i++)
		v[i] = (double)block[i] / pages;
	gvm_destroy(&g);
	snprintf(id, sizeof(id), "touch_%d", mib);
	report(o, id, summarize(v, TOUCH_BLOCKS), -1);
}

/* ------------------------------------------------------------------ */
/* Exits per second with several vCPUs                                  */
/* ------------------------------------------------------------------ */

struct rate_thread {
	const struct opts *o;
	struct gvm *g;
	int cpu;
	struct loop l;
	pthread_barrier_t *start, *done;
	pthread_t thread;
	uint64_t t0[MAX_REPS + 1], t1[MAX_REPS + 1];	/* ns */
};

/*
 * One vCPU thread for all repetitions, as in a VMM: KVM waits for an
 * RCU grace period whenever a vCPU's first RUN comes from a new thread.
 * Round 0 warms up.
 */
static void *rate_vcpu(void *arg)
{
	struct rate_thread *t = arg;
	int rep;

	for (rep = 0; rep <= t->o->rate_reps; rep++) {
		t->l.iters = rep ? t->o->rate_iters : t->o->rate_iters / 10 + 1;
		pthread_barrier_wait(t->start);
		t->t0[rep] = now_ns();
		run_loop(t->g, t->cpu, &t->l);
		t->t1[rep] = now_ns();
		pthread_barrier_wait(t->done);
	}
	return NULL;
}

/*
 * Every vCPU in its own thread runs the same loop; exits per second of
 * all of them, from the first one's start (they are released together)
 * until the last one's end.
 */
static void bench_rate(const struct opts *o, const char *kind,
		       const struct row *r, int nr_vcpus)
{
	struct rate_thread t[MAX_VCPUS];
	pthread_barrier_t start, done;
	double v[MAX_REPS];
	uint64_t t0, t1;
	char id[32];
	struct gvm g;
	int i, rep;

	gvm_create(&g, o->backend, nr_vcpus, 0);
	attach_kernel_port(&g);
	pthread_barrier_init(&start, NULL, nr_vcpus + 1);
	pthread_barrier_init(&done, NULL, nr_vcpus + 1);
	for (i = 0; i < nr_vcpus; i++) {
		t[i] = (struct rate_thread) {
			.o = o, .g = &g, .cpu = i, .start = &start,
			.done = &done,
			.l = {
				.entry = r->loop, .port = r->port,
				.act = r->act, .what = r->id,
			},
		};
		if (pthread_create(&t[i].thread, NULL, rate_vcpu, &t[i]))
			die("pthread_create");
	}
	for (rep = 0; rep <= o->rate_reps; rep++) {
		pthread_barrier_wait(&start);
		pthread_barrier_wait(&done);
		t0 = UINT64_MAX;
		t1 = 0;
		for (i = 0; i < nr_vcpus; i++) {
			t0 = t[i].t0[rep] < t0 ? t[i].t0[rep] : t0;
			t1 = t[i].t1[rep] > t1 ? t[i].t1[rep] : t1;
		}
		if (rep)
			v[rep - 1] = (double)nr_vcpus * o->rate_iters * 1e9 /
				     (t1 - t0);
	}
	for (i = 0; i < nr_vcpus; i++)
		pthread_join(t[i].thread, NULL);
	pthread_barrier_destroy(&start);
	pthread_barrier_destroy(&done);
	gvm_destroy(&g);
	snprintf(id, sizeof(id), "rate_%s_%d", kind, nr_vcpus);
	report(o, id, summarize(v, o->rate_reps), -1);
}

/* ------------------------------------------------------------------ */
/* kvmini's statistics and tracing, off and on                         */
/* ------------------------------------------------------------------ */

static bool write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	bool ok;

	if (fd < 0)
		return false;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok;
}

#define STATS_PARAM	"/sys/module/kvmini/parameters/stats"
#define TRACE_ENABLE	"/sys/kernel/tracing/events/kvmini/enable"

/* The fast paths again: statistics off (static key), then tracing on. */
static void bench_stats(const struct opts *o)
{
	const struct row fast[] = { exit_rows[0], exit_rows[5] };

	if (!write_file(STATS_PARAM, "N"))
		die("cannot write %s", STATS_PARAM);
	bench_exits(o, "kvmini-nostats", fast, 2, false);
	if (!write_file(STATS_PARAM, "Y"))
		die("cannot write %s", STATS_PARAM);
	if (!write_file(TRACE_ENABLE, "1")) {
		printf("bench: note tracing: %s is not there\n",
		       TRACE_ENABLE);
		return;
	}
	bench_exits(o, "kvmini-trace", fast, 2, true);
	write_file(TRACE_ENABLE, "0");
}

/* ------------------------------------------------------------------ */
/* The whole run                                                        */
/* ------------------------------------------------------------------ */

/* The TSC's rate, against CLOCK_MONOTONIC over a tenth of a second. */
static double tsc_khz(void)
{
	uint64_t t0 = tsc(), n0 = now_ns(), t1, n1;

	do {
		t1 = tsc();
		n1 = now_ns();
	} while (n1 - n0 < 100000000);
	return (double)(t1 - t0) * 1e6 / (n1 - n0);
}

static void bench_all(const struct opts *o)
{
	static const int vcpus[] = { 1, 2, 4 };
	struct utsname u;
	unsigned int i;

	uname(&u);
	if (!o->smoke) {
		printf("bench: env %s kernel %s\n", o->label, u.release);
		printf("bench: env %s vendor %s\n", o->label,
		       host_is_vmx() ? "vmx" : "svm");
		printf("bench: env %s tsc_khz %.0f\n", o->label, tsc_khz());
		printf("bench: env %s iters %d\n", o->label, o->iters);
		printf("bench: env %s reps %d\n", o->label, o->reps);
	}
	bench_exits(o, o->label, exit_rows, NR_EXIT_ROWS, true);
	if (o->exits_only)
		return;
	bench_life(o);
	for (i = 0; i < (unsigned int)o->nr_touch; i++)
		bench_touch_one(o, o->touch_mib[i]);
	for (i = 0; i < 3; i++) {
		bench_rate(o, "kernel", &exit_rows[0], vcpus[i]);
		bench_rate(o, "user", &exit_rows[1], vcpus[i]);
	}
	if (!o->smoke && o->backend == KVMINI_BACKEND_KVMINI)
		bench_stats(o);
}

int bench_report(int argc, char **argv);

static void usage(void)
{
	fprintf(stderr,
		"usage: bench run --backend kvmini|kvm [--label NAME] [--small]"
		" [--exits-only]\n"
		"       bench smoke --backend kvmini|kvm\n"
		"       bench report TARGET LOG DAT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o;
	int backend = KVMINI_BACKEND_KVMINI, i;
	const char *label = NULL;
	bool small = false, exits_only = false;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "report"))
		return bench_report(argc - 2, argv + 2);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--backend") && i + 1 < argc)
			backend = kvmini_backend_parse(argv[++i]);
		else if (!strcmp(argv[i], "--label") && i + 1 < argc)
			label = argv[++i];
		else if (!strcmp(argv[i], "--small"))
			small = true;
		else if (!strcmp(argv[i], "--exits-only"))
			exits_only = true;
		else
			usage();
	}
	if (backend < 0)
		usage();
	if (!strcmp(argv[1], "run"))
		o = small ? opts_small : opts_full;
	else if (!strcmp(argv[1], "smoke"))
		o = opts_smoke;
	else
		usage();
	o.backend = backend;
	o.exits_only = exits_only;
	o.label = label ?: backend == KVMINI_BACKEND_KVM ? "kvm" : "kvmini";
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (o.smoke)
		printf("TAP version 13\n");
	bench_all(&o);
	if (o.smoke)
		printf("1..%d\n", tap_count);
	return 0;
}
