// SPDX-License-Identifier: GPL-2.0
/*
 * kvmini.c - the kvmini command.
 *
 *   kvmini run [options] GUEST.bin
 *
 * Loads a flat binary into guest memory, starts one vCPU in real mode at
 * the load address and services its exits until the guest halts: bytes
 * written to the debug port 0xf1 go to stdout, and the exits counted by
 * reason go to stderr at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libkvmini.h"

#define DEBUG_PORT	0xf1

struct options {
	const char *guest;
	uint64_t mem_size;
	uint64_t load_addr;
	int quiet;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: kvmini run [options] GUEST.bin\n"
		"\n"
		"Runs a flat real-mode binary under /dev/kvmini until it halts.\n"
		"What the guest writes to port 0xf1 is printed on stdout; the\n"
		"exits counted by reason are printed on stderr at the end.\n"
		"\n"
		"options:\n"
		"  -m, --mem SIZE     guest memory in MiB (default 1)\n"
		"  -a, --addr ADDR    load and start address (default 0x1000)\n"
		"  -q, --quiet        no exit summary\n"
		"  -h, --help         this text\n");
}

static void load_flat(const char *path, uint8_t *mem, uint64_t mem_size,
		      uint64_t addr)
{
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		kvmini_die("%s", path);
	if (addr >= mem_size || (uint64_t)st.st_size > mem_size - addr) {
		errno = EFBIG;
		kvmini_die("%s does not fit at %#llx", path,
			   (unsigned long long)addr);
	}
	if (read(fd, mem + addr, st.st_size) != st.st_size)
		kvmini_die("read %s", path);
	close(fd);
}

/* Emulate the exit; returns 1 to run on, 0 when the guest is done. */
static int handle_exit(struct kvmini_vcpu *vcpu)
{
	struct kvmini_run *run = vcpu->run;

	switch (run->exit_reason) {
	case KVMINI_EXIT_IO:
		if (run->io.port == DEBUG_PORT &&
		    run->io.direction == KVMINI_IO_OUT) {
			fwrite(kvmini_io_data(vcpu), run->io.size,
			       run->io.count, stdout);
			fflush(stdout);
		} else if (run->io.direction == KVMINI_IO_IN) {
			/* Nothing is there: reads float high. */
			memset(kvmini_io_data(vcpu), 0xff,
			       run->io.size * run->io.count);
		}
		return 1;
	case KVMINI_EXIT_HLT:
		return 0;
	default:
		fprintf(stderr,
			"kvmini: guest stopped: %s (hw reason %#llx info %#llx %#llx)\n",
			kvmini_exit_name(run->exit_reason),
			(unsigned long long)run->hw.reason,
			(unsigned long long)run->hw.info1,
			(unsigned long long)run->hw.info2);
		return -1;
	}
}

static int cmd_run(const struct options *opt)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	struct kvmini_vcpu *vcpu;
	uint8_t *mem;
	int r, status;

	mem = kvmini_vm_add_memory(vm, 0, opt->mem_size);
	load_flat(opt->guest, mem, opt->mem_size, opt->load_addr);
	vcpu = kvmini_vcpu_create(vm, 0);
	kvmini_vcpu_setup_real_mode(vcpu, opt->load_addr, opt->load_addr);

	do {
		r = kvmini_vcpu_run(vcpu);
		if (r) {
			errno = -r;
			kvmini_die("KVMINI_RUN");
		}
		status = handle_exit(vcpu);
	} while (status > 0);

	if (!opt->quiet) {
		fprintf(stderr, "kvmini: exits by reason:\n");
		kvmini_print_exit_counts(vcpu->run, STDERR_FILENO);
	}
	kvmini_vcpu_free(vcpu);
	kvmini_vm_free(vm);
	return status < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "addr", required_argument, NULL, 'a' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct options opt = { .mem_size = 1 << 20, .load_addr = 0x1000 };
	int c;

	if (argc >= 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		usage(stdout);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "run")) {
		usage(stderr);
		return 2;
	}
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "m:a:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			opt.mem_size = strtoull(optarg, NULL, 0) << 20;
			break;
		case 'a':
			opt.load_addr = strtoull(optarg, NULL, 0);
			break;
		case 'q':
			opt.quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || !opt.mem_size || opt.mem_size & 0xfff) {
		usage(stderr);
		return 2;
	}
	opt.guest = argv[optind];
	return cmd_run(&opt);
}
