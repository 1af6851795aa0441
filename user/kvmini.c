// SPDX-License-Identifier: GPL-2.0
/*
 * kvmini.c - the kvmini command: kvmini's small QEMU.
 *
 *   kvmini run [options] GUEST    run a guest
 *   kvmini run [options] --kernel BZIMAGE [--initrd FILE] [--append TEXT]
 *   kvmini stat [VM...]           exit statistics of running VMs (stat.c)
 *   kvmini help [COMMAND]
 *   kvmini --version
 *
 * Read top-down: options, then the machine (memory, devices, the guest
 * image, ports put in the kernel), then one thread per vCPU running the
 * exit loop, then the end: an exit status and the exits counted by
 * reason (or the full statistics, stat.c).  --trace (trace.c) and
 * --in-kernel (ports.c) each live in a file of their own.
 *
 * Exit status: 0 when every vCPU halted (a vCPU that halts with
 * interrupts on waits for one instead) or the guest reset the machine;
 * (value << 1) | 1 when the guest wrote value to isa-debug-exit (port
 * 0xf4); 128 + the signal when SIGINT or SIGTERM ended the run; 1 when
 * the guest did not load, the machine could not be set up, or a vCPU
 * stopped on an exit the tool cannot serve (shutdown, failed entry,
 * unhandled); 2 for a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>

#include "libkvmini.h"
#include "device.h"
#include "iothread.h"
#include "irq.h"
#include "loader.h"
#include "ports.h"
#include "stat.h"
#include "trace.h"

#define MAX_CPUS	KVMINI_MAX_VCPUS
#define STACK_TOP	0x80000		/* per-vCPU stacks grow down from here */
#define STACK_SIZE	0x1000

struct options {
	const char *guest;
	uint64_t mem_size;
	int cpus;
	enum kvmini_backend backend;
	struct load_options load;
	uint64_t entry;		/* 0: the image's */
	int quiet;
	int stat;		/* --stat: the statistics at the end */
	int trace;		/* --trace[=FILE] */
	const char *trace_file;	/* NULL: stderr */
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: kvmini COMMAND [options]\n"
		"\n"
		"kvmini runs guests on the kvmini hypervisor (/dev/kvmini) or on KVM.\n"
		"\n"
		"commands:\n"
		"  run [options] GUEST   run a guest (kvmini run --help)\n"
		"  stat [VM...]          exit statistics of running VMs\n"
		"                        (kvmini stat --help)\n"
		"  help [COMMAND]        this text, or a command's\n"
		"\n"
		"  -h, --help            this text\n"
		"  -V, --version         the version, and the API it speaks\n");
}

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: kvmini run [options] GUEST\n"
		"       kvmini run [options] --kernel BZIMAGE [--initrd FILE] [--append TEXT]\n"
		"\n"
		"Runs GUEST until every vCPU halts or the guest writes to the\n"
		"isa-debug-exit port 0xf4.  GUEST is a flat binary, an ELF32 or\n"
		"ELF64 executable, or a Multiboot v1 image; or a Linux kernel.\n"
		"\n"
		"options:\n"
		"  -m, --mem MIB         guest memory in MiB (default 16)\n"
		"  -c, --cpus N          vCPUs, each in its own thread (default 1, max %d);\n"
		"                        vCPU 0 starts, the others wait for INIT and\n"
		"                        STARTUP IPIs from it (real mode at vector << 8)\n"
		"      --mode MODE       real, protected or long: how to start a flat\n"
		"                        binary (default real; ELF and Multiboot pick);\n"
		"                        Linux's 32-bit or 64-bit entry (default 64)\n"
		"  -a, --addr ADDR       load address of a flat binary (default 0x1000)\n"
		"  -e, --entry ADDR      start here instead of the image's entry\n"
		"      --cmdline TEXT    the Multiboot or Linux command line\n"
		"      --kernel BZIMAGE  boot Linux (boot protocol 2.10+; an MP table\n"
		"                        tells it the vCPUs and the IOAPIC)\n"
		"      --initrd FILE     Linux's initial RAM disk\n"
		"      --append TEXT     the same as --cmdline\n"
		"  -b, --backend NAME    kvmini (/dev/kvmini, default) or kvm (/dev/kvm)\n"
		"  -k, --in-kernel PORT[-LAST]=KIND\n"
		"                        the kernel completes accesses to these ports\n"
		"                        (repeatable; ports decimal or 0x-hex).  KIND:\n"
		"                        sink      OUT dropped, IN all ones\n"
		"                        counter   IN reads the number of accesses\n"
		"                        loopback  IN reads the last OUT\n"
		"                        console   OUT bytes reach the devices in batches\n"
		"                        eventfd[:VALUE]  an OUT (of VALUE) rings a\n"
		"                                  doorbell, counted by an I/O thread\n"
		"                        On kvm only sink and eventfd (KVM_IOEVENTFD).\n"
		"  -s, --stat            at the end, the exit statistics: per reason,\n"
		"                        hardware reason and port; count, shares,\n"
		"                        min/avg/max TSC cycles, kernel and userspace\n"
		"  -t, --trace[=FILE]    every exit as it happens, in-kernel ones too,\n"
		"                        from the kvmini tracepoints (needs tracefs), to\n"
		"                        stderr or FILE\n"
		"  -q, --quiet           no exit summary on stderr\n"
		"  -h, --help            this text\n"
		"\n"
		"devices: a local APIC per vCPU at 0xfee00000, an IOAPIC at 0xfec00000\n"
		"(24 pins; ISA IRQ n at pin n, the PIT's IRQ 0 at pin 2),\n"
		"8259A PICs (0x20, 0xa0, ELCR 0x4d0), 8254 PIT (0x40, port B\n"
		"0x61) on IRQ 0, a 16550A UART at 0x3f8 on IRQ 4 (stdin, stdout; on a\n"
		"terminal Ctrl-A x quits), CMOS RTC (0x70) on IRQ 8, i8042 (0x60,\n"
		"0x64; 0xfe resets: the run ends), fw_cfg (0x510), POST port 0x80,\n"
		"debug consoles on ports 0xe9 and 0xf1, isa-debug-exit at 0xf4 (exit\n"
		"status (value << 1) | 1), PCI configuration ports 0xcf8/0xcfc with an\n"
		"empty bus, and an MMIO test device at 0xfe000000 (see\n"
		"user/devices/testdev.c).  Output goes to stdout; the summary, the\n"
		"statistics and the trace to stderr.\n"
		"\n"
		"exit status: 0 when every vCPU halted with interrupts off, or the\n"
		"guest reset the machine; (value << 1) | 1 from isa-debug-exit;\n"
		"128 + N when signal N (SIGINT, SIGTERM) ended the run; 1 when the\n"
		"guest stopped on an exit nobody serves, did not load, or the machine\n"
		"could not be set up; 2 for a usage error.\n",
		MAX_CPUS);
}

/* Say what is wrong and where help is; the status of a usage error. */
static int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kvmini%s%s: ", cmd ? " " : "", cmd ?: "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'kvmini %s%s--help'.\n", cmd ?: "",
		cmd ? " " : "");
	return 2;
}

static int parse_mode(const char *s, enum guest_mode *mode)
{
	static const char *const names[] = { "real", "protected", "long" };
	int i;

	for (i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			*mode = i;
			return 0;
		}
	return -1;
}

/* A whole number (decimal, 0x-hex or 0-octal) and nothing else. */
static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || *s == '-' ? -1 : 0;
}

/* 0, 2 after a usage error was printed, or -1 for --help (printed). */
static int parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "mode", required_argument, NULL, 'M' },
		{ "addr", required_argument, NULL, 'a' },
		{ "entry", required_argument, NULL, 'e' },
		{ "cmdline", required_argument, NULL, 'C' },
		{ "append", required_argument, NULL, 'C' },
		{ "kernel", required_argument, NULL, 'K' },
		{ "initrd", required_argument, NULL, 'I' },
		{ "backend", required_argument, NULL, 'b' },
		{ "in-kernel", required_argument, NULL, 'k' },
		{ "stat", no_argument, NULL, 's' },
		{ "trace", optional_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const char *why;
	uint64_t v;
	int c, b;

	/* Messages are ours: usage_error names the command and the help. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":m:c:a:e:b:k:st::qh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_u64(optarg, &v) || !v || v > (1 << 20))
				return usage_error("run", "--mem %s: a size in "
						   "MiB, 1 or more", optarg);
			opt->mem_size = v << 20;
			break;
		case 'c':
			if (parse_u64(optarg, &v) || !v || v > MAX_CPUS)
				return usage_error("run", "--cpus %s: 1 to %d",
						   optarg, MAX_CPUS);
			opt->cpus = v;
			break;
		case 'M':
			if (parse_mode(optarg, &opt->load.mode))
				return usage_error("run", "--mode %s: real, "
						   "protected or long", optarg);
			opt->load.mode_given = true;
			break;
		case 'a':
			if (parse_u64(optarg, &opt->load.load_addr))
				return usage_error("run", "--addr %s: not an "
						   "address", optarg);
			break;
		case 'e':
			if (parse_u64(optarg, &opt->entry))
				return usage_error("run", "--entry %s: not an "
						   "address", optarg);
			break;
		case 'C':
			opt->load.cmdline = optarg;
			break;
		case 'K':
			opt->guest = optarg;
			opt->load.is_linux = true;
			break;
		case 'I':
			opt->load.initrd = optarg;
			break;
		case 'b':
			b = kvmini_backend_parse(optarg);
			if (b < 0)
				return usage_error("run", "--backend %s: "
						   "kvmini or kvm", optarg);
			opt->backend = b;
			break;
		case 'k':
			why = ports_parse(optarg);
			if (why)
				return usage_error("run", "--in-kernel %s: %s",
						   optarg, why);
			break;
		case 's':
			opt->stat = 1;
			break;
		case 't':
			opt->trace = 1;
			opt->trace_file = optarg;
			break;
		case 'q':
			opt->quiet = 1;
			break;
		case 'h':
			run_usage(stdout);
			return -1;
		case ':':
			return usage_error("run", "%s needs a value",
					   argv[optind - 1]);
		default:
			return usage_error("run", "unknown option %s",
					   argv[optind - 1]);
		}
	}
	if (opt->load.is_linux) {
		if (optind != argc)
			return usage_error("run", "--kernel runs no GUEST, "
					   "not '%s'", argv[optind]);
		return 0;
	}
	if (opt->load.initrd)
		return usage_error("run", "--initrd goes with --kernel");
	if (optind == argc)
		return usage_error("run", "no GUEST to run");
	if (optind != argc - 1)
		return usage_error("run", "one GUEST only, not '%s' too",
				   argv[optind + 1]);
	opt->guest = argv[optind];
	return 0;
}

/* ------------------------------------------------------------------ */
/* The machine                                                          */
/* ------------------------------------------------------------------ */

static struct vcpu_thread {
	struct kvmini_vcpu *vcpu;
	pthread_t thread;
	int status;		/* 0 halted, 1 stopped on an exit */
} cpus[MAX_CPUS];
static int nr_cpus;

static volatile int exit_requested;
static int exit_status;

/*
 * isa-debug-exit or a reset: stop every vCPU, with the kick protocol of
 * irq.h.  Device code calls this, under the machine lock.
 */
static void request_exit(struct machine *m, int status)
{
	if (__sync_lock_test_and_set(&exit_requested, 1))
		return;
	exit_status = status;
	irq_stop();
}

static struct machine machine = {
	.out_fd = STDOUT_FILENO,
	.in_fd = STDIN_FILENO,
	.request_exit = request_exit,
};

/* The vCPU's first state: the image's mode, entry and registers. */
static void setup_vcpu(struct kvmini_vcpu *vcpu, int id, uint8_t *mem,
		       const struct guest_image *img, uint64_t entry)
{
	uint64_t rsp = STACK_TOP - id * STACK_SIZE;
	struct kvmini_regs regs;

	if (img->is_linux) {
		linux_setup_vcpu(vcpu, mem, img);
		return;
	}
	switch (img->mode) {
	case GUEST_MODE_REAL:
		kvmini_vcpu_setup_real_mode(vcpu, entry, entry);
		break;
	case GUEST_MODE_PROTECTED:
		kvmini_vcpu_setup_protected_mode(vcpu, mem, entry, rsp);
		break;
	case GUEST_MODE_LONG:
		kvmini_vcpu_setup_long_mode(vcpu, mem, entry, rsp);
		break;
	}
	kvmini_get_regs(vcpu, &regs);
	regs.rax = img->eax;
	regs.rbx = img->ebx;
	regs.rsi = id;		/* which vCPU this is */
	kvmini_set_regs(vcpu, &regs);
}

/* ------------------------------------------------------------------ */
/* The exit loop                                                        */
/* ------------------------------------------------------------------ */

static void report_stop(struct kvmini_vcpu *vcpu, int id)
{
	struct kvmini_run *run = vcpu->run;
	const char *hw = kvmini_hw_exit_name(run->hw.vendor, run->hw.reason);
	struct kvmini_regs regs;
	int i;

	kvmini_get_regs(vcpu, &regs);
	fprintf(stderr, "kvmini: vCPU %d stopped: %s at rip %#llx "
		"(hw reason %#llx%s%s info %#llx %#llx)", id,
		kvmini_exit_name(run->exit_reason),
		(unsigned long long)regs.rip,
		(unsigned long long)run->hw.reason, hw ? " " : "", hw ?: "",
		(unsigned long long)run->hw.info1,
		(unsigned long long)run->hw.info2);
	if (run->exit_reason == KVMINI_EXIT_UNHANDLED)
		for (i = 0; i < run->unhandled.insn_len; i++)
			fprintf(stderr, "%s%02x", i ? " " : " bytes ",
				run->unhandled.insn[i]);
	fputc('\n', stderr);
}

/* Serve one exit: 1 to run on, 0 when this vCPU is done. */
static int serve_exit(struct vcpu_thread *t)
{
	struct kvmini_run *run = t->vcpu->run;
	uint8_t *data;
	uint32_t i;

	switch (run->exit_reason) {
	case KVMINI_EXIT_IO:
		data = kvmini_io_data(t->vcpu);
		for (i = 0; i < run->io.count && !exit_requested; i++)
			device_pio(run->io.port, data + i * run->io.size,
				   run->io.size,
				   run->io.direction == KVMINI_IO_OUT);
		return 1;
	case KVMINI_EXIT_MMIO:
		device_mmio(run->mmio.phys_addr, run->mmio.data,
			    run->mmio.len, run->mmio.is_write);
		return 1;
	case KVMINI_EXIT_INTR:
	case KVMINI_EXIT_IRQ_WINDOW:
		return 1;		/* irq_before_run() does the rest */
	case KVMINI_EXIT_HLT:
		if (irq_halted(t - cpus))
			return 1;	/* an interrupt woke it */
		t->status = 0;
		return 0;
	default:
		t->status = 1;
		return 0;
	}
}

/* Every vCPU thread exists before any vCPU runs (see request_exit). */
static pthread_barrier_t start_barrier;

static void *vcpu_loop(void *arg)
{
	struct vcpu_thread *t = arg;
	int r;

	irq_vcpu_init(t - cpus, t->vcpu);
	pthread_barrier_wait(&start_barrier);
	while (irq_before_run(t - cpus)) {
		r = kvmini_vcpu_run(t->vcpu);
		if (r) {
			/* Where it was matters more than dying at once. */
			fprintf(stderr, "kvmini: vCPU %ld: RUN failed: %s\n",
				(long)(t - cpus), strerror(-r));
			t->status = 1;
			break;
		}
		if (exit_requested || !serve_exit(t))
			break;
	}
	ports_drain_console(t->vcpu);
	irq_vcpu_done(t - cpus);
	if (t->status && !exit_requested)
		report_stop(t->vcpu, t - cpus);
	return NULL;
}

/*
 * SIGINT, SIGTERM: end the run as isa-debug-exit would, cleanly.  They
 * stay blocked in every thread and arrive through a signalfd on the I/O
 * thread, under the machine lock like any device's request_exit(): a
 * handler could not take the lock, and its wakeup of a vCPU waiting for
 * STARTUP or an interrupt could land between that vCPU's look at
 * `stopping` and its sleep, and be lost.
 */
static void stop_signal_ready(struct io_watch *w)
{
	struct signalfd_siginfo si;

	if (read(w->fd, &si, sizeof(si)) == sizeof(si))
		request_exit(&machine, 128 + si.ssi_signo);
}

static struct io_watch stop_watch = { .fn = stop_signal_ready };

/*
 * The end of the run: the exits counted by reason, or with --stat the
 * full statistics.  The KVM backend counts only what userspace saw.
 */
static void report_exits(const struct options *opt, struct kvmini_vm *vm)
{
	uint64_t total[KVMINI_EXIT_NR] = {};
	struct kvmini_stats *s;
	int i, j;

	if (opt->quiet && !opt->stat)
		return;
	if (opt->stat && opt->backend == KVMINI_BACKEND_KVMINI) {
		s = kvmini_vm_stats(vm);
		stat_report(stderr, s, s->id);
		kvmini_stats_close(s);
		ports_report(stderr);
		return;
	}
	for (i = 0; i < nr_cpus; i++)
		for (j = 0; j < KVMINI_EXIT_NR; j++)
			total[j] += kvmini_exit_count(cpus[i].vcpu, j);
	if (opt->stat) {
		stat_report_user_exits(stderr, total);
		ports_report(stderr);
		return;
	}
	fprintf(stderr, "kvmini: exits by reason (%s backend):\n",
		kvmini_backend_name(vm));
	for (j = 0; j < KVMINI_EXIT_NR; j++)
		if (total[j])
			fprintf(stderr, "  %-12s %llu\n", kvmini_exit_name(j),
				(unsigned long long)total[j]);
}

static int cmd_run(const struct options *opt)
{
	struct guest_memory gm = { .size = opt->mem_size };
	struct guest_image img;
	struct kvmini_vm *vm;
	sigset_t stop_signals;
	int i, status = 0;

	/* SIGUSR1 kicks vCPUs out of RUN (irq.h). */
	irq_init();
	/*
	 * SIGINT and SIGTERM stay blocked for good, in every thread (they
	 * inherit the mask): the I/O thread reads them (stop_signal_ready()).
	 */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	stop_watch.fd = signalfd(-1, &stop_signals, SFD_NONBLOCK | SFD_CLOEXEC);

	machine.mem_size = opt->mem_size;
	machine.nr_cpus = opt->cpus;
	if (stop_watch.fd < 0 || io_watch_add(&stop_watch) ||
	    devices_init(&machine) || io_thread_start()) {
		fprintf(stderr, "kvmini: cannot set up the devices\n");
		return 1;
	}
	/* The APICs are the tool's: the hypervisor shows them in CPUID. */
	vm = kvmini_vm_create_on(opt->backend, irq_have_lapic() ?
				 KVMINI_VM_LOCAL_APIC : 0);
	gm.mem = kvmini_vm_add_memory(vm, 0, gm.size);
	if (load_guest(opt->guest, &gm, &opt->load, &img))
		return 1;
	if (ports_attach(vm))
		return 1;

	nr_cpus = opt->cpus;
	for (i = 0; i < nr_cpus; i++) {
		/*
		 * With local APICs only the boot CPU starts at the entry; the
		 * others wait for the guest to start them (INIT, STARTUP),
		 * in the state irq.c keeps for INIT: power-on.
		 */
		bool ap = i && irq_have_lapic();

		cpus[i].vcpu = kvmini_vcpu_create(vm, i);
		irq_vcpu_created(i, cpus[i].vcpu, ap);
		if (!ap)
			setup_vcpu(cpus[i].vcpu, i, gm.mem, &img,
				   opt->entry ? opt->entry : img.entry);
	}
	/* Tracing follows the threads created after it starts. */
	if (opt->trace && trace_start(opt->trace_file, opt->backend))
		return 1;
	pthread_barrier_init(&start_barrier, NULL, nr_cpus + 1);
	for (i = 0; i < nr_cpus; i++)
		pthread_create(&cpus[i].thread, NULL, vcpu_loop, &cpus[i]);
	pthread_barrier_wait(&start_barrier);

	for (i = 0; i < nr_cpus; i++) {
		pthread_join(cpus[i].thread, NULL);
		status |= cpus[i].status;
	}
	ports_stop();
	trace_stop();
	report_exits(opt, vm);

	for (i = 0; i < nr_cpus; i++)
		kvmini_vcpu_free(cpus[i].vcpu);
	kvmini_vm_free(vm);
	return exit_requested ? exit_status : status;
}

static int version(void)
{
	printf("kvmini %s, /dev/kvmini API %d\n", KVMINI_VERSION,
	       KVMINI_API_VERSION);
	return 0;
}

/* kvmini help [COMMAND] */
static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		run_usage(stdout);
	else if (!strcmp(argv[1], "stat"))
		stat_usage(stdout);
	else if (!strcmp(argv[1], "help"))
		usage(stdout);
	else
		return usage_error(NULL, "unknown command '%s'", argv[1]);
	return 0;
}

int main(int argc, char **argv)
{
	struct options opt = {
		.mem_size = 16 << 20,
		.cpus = 1,
		.load = { .load_addr = 0x1000, .mode = GUEST_MODE_REAL },
	};
	const char *cmd = argc > 1 ? argv[1] : NULL;
	int r;

	if (!cmd) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help"))
		return cmd_help(1, argv);
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version"))
		return version();
	if (!strcmp(cmd, "help"))
		return cmd_help(argc - 1, argv + 1);
	if (!strcmp(cmd, "stat"))
		return cmd_stat(argc - 1, argv + 1);
	if (strcmp(cmd, "run"))
		return usage_error(NULL, "unknown command '%s'", cmd);
	r = parse_options(argc - 1, argv + 1, &opt);
	if (r)
		return r < 0 ? 0 : r;
	opt.load.cpus = opt.cpus;
	return cmd_run(&opt);
}
