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
# A TAP "ok" line passes; "not ok", a skip, and a VM that did not finish
# fail.  Exits non-zero on any failure.  Bochs is slow and uses one core,
# so it runs in the background while the QEMU targets run one by one.
set -uo pipefail

build=$1 cache=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
pids=()

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
	*) bash "$here/run-vm.sh" "$t" check "$build" "$cache" ;;
	esac
done
for p in "${pids[@]}"; do
	wait "$p"
done

# The user tool's KVM backend also runs on this machine's own /dev/kvm,
# when it has one that works: no VM needed.
host_kvm=
if [ -w /dev/kvm ] && [ -x "$build/bin/kvmini" ]; then
	host_kvm=host-kvm
	mkdir -p "$build/logs"
	{ sh "$here/../guest_tests.sh" kvm "$build/guests" "$build/bin/kvmini"
	  echo "kvmini-vm: done"; } >"$build/logs/host-kvm.log" 2>&1
else
	echo "host-kvm: no usable /dev/kvm here, the KVM backend runs in the VMs only"
fi

# The device models need no hypervisor: their test runs here as well.
host_devices=
if [ -x "$build/bin/devices_test" ]; then
	host_devices=host-devices
	mkdir -p "$build/logs"
	{ "$build/bin/devices_test"
	  echo "kvmini-vm: done"; } >"$build/logs/host-devices.log" 2>&1
fi

total_pass=0
total_fail=0
for t in "$@" $host_kvm $host_devices; do
	log=$build/logs/$t.log
	tap=$(tr -d '\r' <"$log" 2>/dev/null | grep -E '^(not )?ok [0-9]+')
	pass=$(grep -E '^ok ' <<<"$tap" | grep -vc '# SKIP')
	fail=$(grep -Ec '^not ok |# SKIP' <<<"$tap")
	# Name the failures so the CI log says what broke.
	grep -E '^not ok |# SKIP' <<<"$tap" | sed "s/^/$t: /"
	if ! grep -q 'kvmini-vm: done' "$log" 2>/dev/null; then
		echo "$t: the VM did not finish (see $log); its last lines:"
		# CI keeps only this output: show how the VM ended.
		tr -d '\r' <"$log" 2>/dev/null | tail -n 40 | sed "s/^/$t| /"
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
