// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_test.c - a short, fixed-seed run of the ioctl fuzzer
 * (selftests/fuzz/fuzz.c): a few thousand calls of every kind, every
 * answer checked against the documented errors.  The same seed every
 * time, so a failure here replays with
 *
 *	kvmini-fuzz --seed 0x6b766d69 --calls 3000
 *
 * `make check-debug` and `make fuzz` run the fuzzer for longer.
 */
#include "kvmini_test.h"
#include "fuzz/fuzz.h"

#define FUZZ_SEED	0x6b766d69	/* "kvmi" */
#define FUZZ_CALLS	3000

FIXTURE(fuzz) {
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

/* Bochs is about 15x slower than QEMU: the timeout is for it. */
TEST_F_TIMEOUT(fuzz, fixed_seed, 600)
{
	struct fuzz_opts opts = {
		.seed = FUZZ_SEED, .calls = FUZZ_CALLS, .stuck_seconds = 120,
	};
	struct fuzz_result res;

	EXPECT_EQ(0, fuzz_run(&opts, &res, NULL));
	fuzz_print_result(&opts, &res);
	/*
	 * The last step may make a few calls more than asked for; closing
	 * whatever is still open at the end adds as many as there is.
	 */
	EXPECT_LE(FUZZ_CALLS, res.walk_calls);
	EXPECT_GT(FUZZ_CALLS + 20, res.walk_calls);
	/* The walk must reach the guest, not only the argument checks. */
	EXPECT_LT(FUZZ_CALLS / 20, res.runs);
}

TEST_HARNESS_MAIN
