// SPDX-License-Identifier: GPL-2.0
/*
 * kvmini-fuzz - run kvmini's ioctl fuzzer (fuzz.c) for as long as asked.
 *
 *   kvmini-fuzz --seed S --calls N         one run, as "seed S" reported
 *   kvmini-fuzz --seconds T [--seed S]     runs of --calls calls each
 *                                          (default 20000) with seeds
 *                                          S, S+1, ... until T seconds
 *   kvmini-fuzz --runs R [--seed S]        R such runs
 *
 * Each run is a child process, so a run that crashes or hangs is
 * reported with its seed and the call it was at, and the next one goes
 * on.  The last line says how many calls were made and which seeds
 * failed; the exit status is 1 if any did.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "fuzz.h"

struct child_report {
	struct fuzz_progress progress;
	struct fuzz_result result;
	int done;
	int fault_signal;	/* SIGSEGV or SIGBUS in the child, or 0 */
	int fault_in_main;	/* on the thread that makes the calls */
	void *fault_addr;
};

static struct child_report *this_report;

/* Where a crashing run faulted, for its report; then die of it. */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	this_report->fault_signal = sig;
	this_report->fault_addr = si->si_addr;
	this_report->fault_in_main = gettid() == getpid();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: kvmini-fuzz [--seed S] [--calls N] [--seconds T | --runs R]\n"
		"                   [--no-scribbler] [--trace] [--stuck SECONDS]\n");
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One seed in a child; 0 if it passed. */
static int run_one(const struct fuzz_opts *opts, struct child_report *rep,
		   uint64_t *calls)
{
	int status;
	pid_t pid;

	memset(rep, 0, sizeof(*rep));
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("kvmini-fuzz: fork");
		exit(2);
	}
	if (pid == 0) {
		struct sigaction sa = {
			.sa_sigaction = on_fault,
			.sa_flags = SA_SIGINFO,
		};
		uint64_t failures;

		this_report = rep;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		failures = fuzz_run(opts, &rep->result, &rep->progress);

		fuzz_print_result(opts, &rep->result);
		rep->done = 1;
		_exit(failures ? 1 : 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	*calls += rep->done ? rep->result.calls : rep->progress.call;
	if (rep->done && WIFEXITED(status))
		return WEXITSTATUS(status) != 0;
	printf("fuzz: FAIL seed %#llx call %llu (%s): the run %s %d\n",
	       (unsigned long long)opts->seed,
	       (unsigned long long)rep->progress.call, rep->progress.op,
	       WIFSIGNALED(status) ? "was killed by signal" : "exited with",
	       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	if (rep->fault_signal)
		printf("fuzz: seed %#llx: %s at address %p, on the %s thread\n",
		       (unsigned long long)opts->seed,
		       strsignal(rep->fault_signal), rep->fault_addr,
		       rep->fault_in_main ? "main" : "scribbler or watchdog");
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "calls", required_argument, NULL, 'n' },
		{ "seconds", required_argument, NULL, 't' },
		{ "runs", required_argument, NULL, 'r' },
		{ "no-scribbler", no_argument, NULL, 'S' },
		{ "trace", no_argument, NULL, 'x' },
		{ "stuck", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	struct fuzz_opts opts = { .calls = 20000 };
	struct child_report *rep;
	uint64_t first, calls = 0, runs = 0, failed = 0;
	double seconds = 0, start;
	long nruns = 0;
	char failed_seeds[512] = "";
	int c;

	opts.seed = time(NULL);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			opts.seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			opts.calls = strtoull(optarg, NULL, 0);
			break;
		case 't':
			seconds = strtod(optarg, NULL);
			break;
		case 'r':
			nruns = strtol(optarg, NULL, 0);
			break;
		case 'S':
			opts.no_scribbler = true;
			break;
		case 'x':
			opts.trace = true;
			break;
		case 'k':
			opts.stuck_seconds = strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (!seconds && !nruns)
		nruns = 1;

	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rep == MAP_FAILED) {
		perror("kvmini-fuzz: mmap");
		return 2;
	}
	first = opts.seed;
	start = now();
	printf("fuzz: first seed %#llx, %llu calls per run\n",
	       (unsigned long long)first, (unsigned long long)opts.calls);
	while (nruns ? runs < (uint64_t)nruns : now() - start < seconds) {
		if (seconds) {
			double left = seconds - (now() - start);

			/* The last run is cut to the time that is left. */
			opts.seconds = left > 0 ? left : 0.001;
		}
		if (run_one(&opts, rep, &calls)) {
			failed++;
			if (strlen(failed_seeds) < sizeof(failed_seeds) - 24)
				sprintf(failed_seeds + strlen(failed_seeds),
					" %#llx", (unsigned long long)opts.seed);
		}
		runs++;
		opts.seed++;
	}
	printf("fuzz: %llu runs (seeds %#llx-%#llx), %llu calls in %.0f s; %llu failed%s%s\n",
	       (unsigned long long)runs, (unsigned long long)first,
	       (unsigned long long)(opts.seed - 1), (unsigned long long)calls,
	       now() - start, (unsigned long long)failed,
	       failed ? ":" : "", failed_seeds);
	return failed ? 1 : 0;
}
