// SPDX-License-Identifier: GPL-2.0
/*
 * kvmini.c - the kvmini command: kvmini's small QEMU.
 *
 *   kvmini run [options] GUEST
 *   kvmini run [options] --kernel BZIMAGE [--initrd FILE] [--append TEXT]
 *
 * Read top-down: options, then the machine (memory, devices, the guest
 * image), then one thread per vCPU running the exit loop, then the end:
 * an exit status and the exits counted by reason.
 *
 * Exit status: 0 when every vCPU halted (a vCPU that halts with
 * interrupts on waits for one instead) or the guest reset the machine;
 * (value << 1) | 1 when the guest wrote value to isa-debug-exit (port
 * 0xf4); 1 when the guest did not load or a vCPU stopped on an exit the
 * tool cannot serve (shutdown, failed entry, unhandled); 2 for a usage
 * error.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libkvmini.h"
#include "device.h"
#include "iothread.h"
#include "irq.h"
#include "loader.h"

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
};

static void usage(FILE *out)
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
		"  -c, --cpus N          vCPUs, each in its own thread (default 1, max %d)\n"
		"      --mode MODE       real, protected or long: how to start a flat\n"
		"                        binary (default real; ELF and Multiboot pick);\n"
		"                        Linux's 32-bit or 64-bit entry (default 64)\n"
		"  -a, --addr ADDR       load address of a flat binary (default 0x1000)\n"
		"  -e, --entry ADDR      start here instead of the image's entry\n"
		"      --cmdline TEXT    the Multiboot or Linux command line\n"
		"      --kernel BZIMAGE  boot Linux (boot protocol 2.10+, one vCPU)\n"
		"      --initrd FILE     Linux's initial RAM disk\n"
		"      --append TEXT     the same as --cmdline\n"
		"  -b, --backend NAME    kvmini (/dev/kvmini, default) or kvm (/dev/kvm)\n"
		"  -q, --quiet           no exit summary on stderr\n"
		"  -h, --help            this text\n"
		"\n"
		"devices: 8259A PICs (0x20, 0xa0, ELCR 0x4d0), 8254 PIT (0x40, port B\n"
		"0x61) on IRQ 0, a 16550A UART at 0x3f8 on IRQ 4 (stdin, stdout; on a\n"
		"terminal Ctrl-A x quits), CMOS RTC (0x70) on IRQ 8, i8042 (0x60,\n"
		"0x64; 0xfe resets: the run ends), fw_cfg (0x510), POST port 0x80,\n"
		"debug consoles on ports 0xe9 and 0xf1, isa-debug-exit at 0xf4 (exit\n"
		"status (value << 1) | 1), PCI configuration ports 0xcf8/0xcfc with an\n"
		"empty bus, and an MMIO test device at 0xfe000000 (see\n"
		"user/devices/testdev.c).  Output goes to stdout.\n"
		"\n"
		"exit status: 0 when every vCPU halted with interrupts off, or the\n"
		"guest reset the machine; (value << 1) | 1 from isa-debug-exit; 1\n"
		"when the guest stopped on an exit nobody serves or did not load;\n"
		"2 for a usage error.\n",
		MAX_CPUS);
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
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	int c, b;

	while ((c = getopt_long(argc, argv, "m:c:a:e:b:qh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'm':
			opt->mem_size = strtoull(optarg, NULL, 0) << 20;
			break;
		case 'c':
			opt->cpus = atoi(optarg);
			break;
		case 'M':
			if (parse_mode(optarg, &opt->load.mode))
				return -1;
			opt->load.mode_given = true;
			break;
		case 'a':
			opt->load.load_addr = strtoull(optarg, NULL, 0);
			break;
		case 'e':
			opt->entry = strtoull(optarg, NULL, 0);
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
				return -1;
			opt->backend = b;
			break;
		case 'q':
			opt->quiet = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind != argc - !opt->load.is_linux || !opt->mem_size ||
	    opt->mem_size & 0xfff || opt->cpus < 1 || opt->cpus > MAX_CPUS)
		return -1;
	/* Without local APICs nobody can start a second CPU for Linux. */
	if (opt->load.is_linux ? opt->cpus != 1 : opt->load.initrd != NULL)
		return -1;
	if (!opt->load.is_linux)
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
	struct kvmini_regs regs;
	int i;

	kvmini_get_regs(vcpu, &regs);
	fprintf(stderr, "kvmini: vCPU %d stopped: %s at rip %#llx "
		"(hw reason %#llx info %#llx %#llx)", id,
		kvmini_exit_name(run->exit_reason),
		(unsigned long long)regs.rip,
		(unsigned long long)run->hw.reason,
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

static void *vcpu_loop(void *arg)
{
	struct vcpu_thread *t = arg;
	int r;

	irq_vcpu_init(t - cpus, t->vcpu);
	while (irq_before_run(t - cpus)) {
		r = kvmini_vcpu_run(t->vcpu);
		if (r) {
			errno = -r;
			kvmini_die("running vCPU %ld", (long)(t - cpus));
		}
		if (exit_requested || !serve_exit(t))
			break;
	}
	irq_vcpu_done(t - cpus);
	if (t->status && !exit_requested)
		report_stop(t->vcpu, t - cpus);
	return NULL;
}

static int cmd_run(const struct options *opt)
{
	struct guest_memory gm = { .size = opt->mem_size };
	uint64_t total[KVMINI_EXIT_NR] = {};
	struct guest_image img;
	struct kvmini_vm *vm;
	int i, j, status = 0;

	irq_init();
	machine.mem_size = opt->mem_size;
	machine.nr_cpus = opt->cpus;
	if (devices_init(&machine) || io_thread_start()) {
		fprintf(stderr, "kvmini: cannot set up the devices\n");
		return 1;
	}
	vm = kvmini_vm_create_on(opt->backend, 0);
	gm.mem = kvmini_vm_add_memory(vm, 0, gm.size);
	if (load_guest(opt->guest, &gm, &opt->load, &img))
		return 1;

	nr_cpus = opt->cpus;
	for (i = 0; i < nr_cpus; i++) {
		cpus[i].vcpu = kvmini_vcpu_create(vm, i);
		setup_vcpu(cpus[i].vcpu, i, gm.mem, &img,
			   opt->entry ? opt->entry : img.entry);
	}
	for (i = 0; i < nr_cpus; i++)
		pthread_create(&cpus[i].thread, NULL, vcpu_loop, &cpus[i]);
	for (i = 0; i < nr_cpus; i++) {
		pthread_join(cpus[i].thread, NULL);
		status |= cpus[i].status;
		for (j = 0; j < KVMINI_EXIT_NR; j++)
			total[j] += kvmini_exit_count(cpus[i].vcpu, j);
	}

	if (!opt->quiet) {
		fprintf(stderr, "kvmini: exits by reason (%s backend):\n",
			kvmini_backend_name(vm));
		for (j = 0; j < KVMINI_EXIT_NR; j++)
			if (total[j])
				fprintf(stderr, "  %-12s %llu\n",
					kvmini_exit_name(j),
					(unsigned long long)total[j]);
	}
	for (i = 0; i < nr_cpus; i++)
		kvmini_vcpu_free(cpus[i].vcpu);
	kvmini_vm_free(vm);
	return exit_requested ? exit_status : status;
}

int main(int argc, char **argv)
{
	struct options opt = {
		.mem_size = 16 << 20,
		.cpus = 1,
		.load = { .load_addr = 0x1000, .mode = GUEST_MODE_REAL },
	};

	if (argc >= 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "run") ||
	    parse_options(argc - 1, argv + 1, &opt)) {
		usage(stderr);
		return 2;
	}
	return cmd_run(&opt);
}
