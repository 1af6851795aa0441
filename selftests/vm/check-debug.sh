#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-debug.sh BUILD CACHE TARGET MODE - boot TARGET in MODE debug
# (`make check-debug`) or fuzz (`make fuzz`), see in-vm-debug.sh, and
# judge it.  The last two lines:
#
#   debug: N passed, M failed       (fuzz: for make fuzz)
#   reports: K
#
# A TAP "not ok", a skip, or a VM that did not finish fails; so does any
# report of the kernel (KASAN, UBSAN, lockdep, WARN, BUG, RCU stall, soft
# lockup, kmemleak...).  When the VM did not finish, the reports are
# counted from its serial console instead.  Exits non-zero on failure.
set -uo pipefail

build=$1 cache=$2 target=$3 mode=$4
here=$(cd "$(dirname "$0")" && pwd)
log=$build/logs/$target.log

bash "$here/run-vm.sh" "$target" "$mode" "$build" "$cache"
out=$(tr -d '\r' <"$log" 2>/dev/null)

tap=$(grep -E '^(not )?ok [0-9]+|^1\.\.0' <<<"$out")
pass=$(grep -E '^ok ' <<<"$tap" | grep -vc '# SKIP')
fail=$(grep -Ec '^not ok |# SKIP|^1\.\.0' <<<"$tap")
grep -E '^not ok |# SKIP|^1\.\.0' <<<"$tap" | sed "s/^/$target: /"
# The fuzzer's own lines: failures with their seeds, and its summary.
grep -E '^fuzz: (FAIL|seed .* died|[0-9]+ runs)' <<<"$out" | head -n 40
[ -f "$build/logs/$target.time" ] && cat "$build/logs/$target.time"

reports=$(sed -n 's/^kvmini-debug: reports //p' <<<"$out" | tail -n 1)
if ! grep -q 'kvmini-vm: done' <<<"$out" || [ -z "$reports" ]; then
	if [ -s "$build/logs/$target.diag" ]; then
		echo "$target: the VM was stopped (see $log):"
		sed "s/^/$target| /" "$build/logs/$target.diag"
	else
		echo "$target: the VM did not finish (see $log); its last lines:"
		tail -n 40 <<<"$out" | sed "s/^/$target| /"
	fi
	fail=$((fail + 1))
	# The kernel's own lines on the console ("[   12.345678] BUG: ...").
	starts='BUG: |WARNING: |UBSAN: |Oops|general protection fault|kernel BUG at|rcu: INFO: .*stall|soft lockup|hard LOCKUP|blocked for more than|ODEBUG: |unchecked MSR access|Kernel panic'
	reports=$(grep -cE "^\[ *[0-9]+\.[0-9]+\] .*($starts)" <<<"$out")
else
	grep '^# report| ' <<<"$out" | head -n 80
fi
[ "$pass" = 0 ] && [ "$fail" = 0 ] && { echo "$target: no test reported"; fail=1; }

echo "$mode: $pass passed, $fail failed"
echo "reports: $reports"
[ "$fail" = 0 ] && [ "$reports" = 0 ]
