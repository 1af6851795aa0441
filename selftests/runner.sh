#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# runner.sh TEST... - run kselftest programs the way the kernel's runner
# (tools/testing/selftests/kselftest/runner.sh) does, for `make run_tests`
# outside a kernel tree: TAP version 13, one "ok"/"not ok" line per
# program with its output before it prefixed by "# ", exit status 4 is a
# skip, and each program is killed after the "timeout" of ./settings
# (45 s without one).  Exits non-zero if a program failed.
timeout=45
if [ -r settings ]; then
	t=$(sed -n 's/^timeout=//p' settings)
	[ -n "$t" ] && timeout=$t
fi
collection=${COLLECTION:-kvmini}
tmp_rc=$(mktemp)
trap 'rm -f "$tmp_rc"' EXIT

echo "TAP version 13"
echo "1..$#"
n=0
failed=0
for test in "$@"; do
	n=$((n + 1))
	name=$(basename "$test")
	title="selftests: $collection: $name"
	echo "# timeout set to $timeout"
	echo "# $title"
	if [ ! -x "$test" ]; then
		echo "not ok $n $title # no such program"
		failed=1
		continue
	fi
	# The program's output first; its status through a file, since the
	# pipe's status is sed's.
	(timeout --foreground "$timeout" "$test" 2>&1; echo $? >"$tmp_rc") |
		sed 's/^/# /'
	rc=$(cat "$tmp_rc")
	case "$rc" in
	0) echo "ok $n $title" ;;
	4) echo "ok $n $title # SKIP" ;;
	124) echo "not ok $n $title # TIMEOUT $timeout seconds"; failed=1 ;;
	*) echo "not ok $n $title # exit=$rc"; failed=1 ;;
	esac
done
exit $failed
