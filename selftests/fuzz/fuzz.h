/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz.h - kvmini's ioctl fuzzer (fuzz.c), shared by the short run of
 * `make check` (selftests/fuzz_test.c) and the soak binary
 * (selftests/fuzz/kvmini-fuzz.c).
 *
 * One run is one seed: the seed alone decides the sequence of calls, so
 * `kvmini-fuzz --seed S --calls N` replays a failure reported as
 * "seed S call N".  What the kernel does in between (signals, the thread
 * that rewrites the run page) is timing, not seed, so a replay may need
 * a few tries.
 */
#ifndef KVMINI_FUZZ_H
#define KVMINI_FUZZ_H

#include <stdbool.h>
#include <stdint.h>

#include "kvmini.h"

struct fuzz_opts {
	uint64_t seed;
	uint64_t calls;		/* stop after this many calls; 0: no limit */
	double seconds;		/* ... or after this long; 0: no limit */
	bool no_scribbler;	/* no thread rewriting the run page */
	bool trace;		/* print every call before making it */
	unsigned int stuck_seconds;	/* one call this long: fail (60) */
};

/* Where a run is, for a parent watching it from another process. */
struct fuzz_progress {
	uint64_t seed;
	uint64_t call;
	char op[32];
};

struct fuzz_result {
	uint64_t calls;		/* ioctls, mmaps, closes, reads, forks */
	uint64_t walk_calls;	/* of them, before the final teardown */
	uint64_t failures;	/* answers the API does not document */
	uint64_t first_failure;	/* its call number */
	uint64_t runs;		/* KVMINI_RUN calls */
	uint64_t exits[KVMINI_EXIT_NR];	/* RUN returned 0 with this reason */
	uint64_t run_errors[64];	/* RUN failed with this errno */
	double seconds;
};

/*
 * Make one run.  Every call's answer is checked against what the uapi
 * header and README document; the first few mismatches are printed as
 * "fuzz: FAIL seed S call N (op): ...".  progress, if not NULL, is kept
 * up to date (for a watchdog in another process).  Returns the number
 * of failures.
 */
uint64_t fuzz_run(const struct fuzz_opts *opts, struct fuzz_result *res,
		  struct fuzz_progress *progress);

/* One line: calls, runs, exits by reason, time. */
void fuzz_print_result(const struct fuzz_opts *opts,
		       const struct fuzz_result *res);

#endif /* KVMINI_FUZZ_H */
