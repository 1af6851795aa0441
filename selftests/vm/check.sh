#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh BUILD CACHE TARGET... - run the selftests in each VM target and
# print one summary line per target and a total:
#
#   qemu-svm-6.1: 14 passed, 0 failed
#   ...
#   total: 42 passed, 0 failed
#
# A TAP "ok" line passes; "not ok", a skip (of one test or of a whole
# program: inside the VMs everything a test needs is there), and a VM
# that did not finish fail.  Exits non-zero on any failure.  Bochs is
# slow and uses one core, so it runs in the background while the QEMU
# targets run one by one, and with them the checks of the test bed and
# of the installation: "watchdog" (a VM that hangs on purpose must be
# stopped, watchdog-test.sh), "install" (install-test.sh) and "dkms"
# (dkms-test.sh).
set -uo pipefail

build=$1 cache=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
pids=()
mkdir -p "$build/logs"

for t in "$@"; do
	case "$t" in
	bochs-*)
		bash "$here/run-vm.sh" "$t" check "$build" "$cache" &
		pids+=($!)
		;;
	esac
done
for t in "$@"; do
	case "$t" in
	bochs-*) ;;
	watchdog)
		bash "$here/watchdog-test.sh" qemu-svm-6.1 "$build" "$cache" \
			>"$build/logs/watchdog.log" 2>&1
		;;
	install)
		bash "$here/install-test.sh" >"$build/logs/install.log" 2>&1
		;;
	dkms)
		bash "$here/dkms-test.sh" "$cache" >"$build/logs/dkms.log" 2>&1
		;;
	*) bash "$here/run-vm.sh" "$t" check "$build" "$cache" ;;
	esac
done
for p in "${pids[@]}"; do
	wait "$p"
done

# The user tool's KVM backend also runs on this machine's own /dev/kvm,
# when it has one that works: no VM needed.
host=()
if [ -w /dev/kvm ] && [ -x "$build/bin/kvmini" ]; then
	host+=(host-kvm)
	{ sh "$here/../guest_tests.sh" kvm "$build/guests" "$build/bin/kvmini"
	  echo "kvmini-vm: done"; } >"$build/logs/host-kvm.log" 2>&1
else
	echo "host-kvm: no usable /dev/kvm here, the KVM backend runs in the VMs only"
fi

# The device models need no hypervisor: their test runs here as well.
host+=(host-devices)
mkdir -p "$build/logs"
{ "$build/bin/devices_test"
  echo "kvmini-vm: done"; } >"$build/logs/host-devices.log" 2>&1

total_pass=0
total_fail=0
for t in "$@" "${host[@]}"; do
	log=$build/logs/$t.log
	tap=$(tr -d '\r' <"$log" 2>/dev/null | grep -E '^(not )?ok [0-9]+|^1\.\.0')
	pass=$(grep -E '^ok ' <<<"$tap" | grep -vc '# SKIP')
	fail=$(grep -Ec '^not ok |# SKIP|^1\.\.0' <<<"$tap")
	# Name the failures so the CI log says what broke.
	grep -E '^not ok |# SKIP|^1\.\.0' <<<"$tap" | sed "s/^/$t: /"
	[ -f "$build/logs/$t.time" ] && cat "$build/logs/$t.time"
	if ! grep -q 'kvmini-vm: done' "$log" 2>/dev/null; then
		# CI keeps only this output: show how the VM ended.
		if [ -s "$build/logs/$t.diag" ]; then
			echo "$t: the VM was stopped (see $log):"
			sed "s/^/$t| /" "$build/logs/$t.diag"
		else
			echo "$t: the VM did not finish (see $log); its last lines:"
			tr -d '\r' <"$log" 2>/dev/null | tail -n 40 | sed "s/^/$t| /"
		fi
		fail=$((fail + 1))
	fi
	if [ "$pass" = 0 ] && [ "$fail" = 0 ]; then
		echo "$t: no test reported"
		fail=1
	fi
	echo "$t: $pass passed, $fail failed"
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
done
echo "total: $total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
