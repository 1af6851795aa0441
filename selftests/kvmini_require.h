/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmini_require.h - skip, with the reason, where a test cannot run, as
 * KVM's selftests do (TEST_REQUIRE): the program exits with KSFT_SKIP
 * (4), which kselftest runners report as "# SKIP", not as a failure.
 *
 * Three levels:
 *
 *   - Every program that includes kvmini_test.h (which includes this)
 *     is skipped as a whole before its first test when /dev/kvmini does
 *     not exist or has no driver behind it:
 *
 *	1..0 # SKIP /dev/kvmini: No such file or directory (is kvmini.ko loaded?)
 *
 *     Any other error opening it (EACCES, say) is left to the tests to
 *     report: that is a broken set-up, not a missing one.  A program that
 *     needs no /dev/kvmini defines KVMINI_NO_DEV_REQUIRE before the include.
 *
 *   - TEST_REQUIRE(cond) skips the whole program, before or between
 *     tests (in main(), a constructor, or a FIXTURE_SETUP whose every
 *     test needs cond).
 *
 *   - KVMINI_REQUIRE(cond) inside a TEST() or TEST_F() skips that test
 *     only, through the harness's SKIP().
 *
 * The VMs of `make check` have everything the tests need, so there
 * selftests/vm/check.sh counts every skip as a failure.
 */
#ifndef KVMINI_REQUIRE_H
#define KVMINI_REQUIRE_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "kselftest.h"

#define KVMINI_DEV_PATH	"/dev/kvmini"

#define TEST_REQUIRE(cond)						\
	do {								\
		if (!(cond))						\
			ksft_exit_skip("- Requirement not met: %s\n", #cond); \
	} while (0)

#define KVMINI_REQUIRE(cond)						\
	do {								\
		if (!(cond))						\
			SKIP(return, "Requirement not met: %s", #cond);	\
	} while (0)

#ifndef KVMINI_NO_DEV_REQUIRE
/* Runs before the harness's main(): skips the program without kvmini. */
static void __attribute__((constructor)) kvmini_require_dev(void)
{
	int fd = open(KVMINI_DEV_PATH, O_RDWR);

	if (fd >= 0) {
		close(fd);
		return;
	}
	if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
		ksft_exit_skip("%s: %s (is kvmini.ko loaded?)\n",
			       KVMINI_DEV_PATH, strerror(errno));
}
#endif

#endif /* KVMINI_REQUIRE_H */
