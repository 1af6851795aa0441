#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# watchdog-test.sh TARGET BUILD CACHE - boot TARGET with kvmini.hang, so
# that its /init hangs without a word, and check that run-vm.sh's watchdog
# ends the VM soon after KVMINI_STALL seconds of silence, leaves the
# diagnostics check.sh prints, and leaves no process behind.  Prints TAP.
#
# KVMINI_STALL defaults to 20 s here (120 s on Bochs, whose boot is
# silent for over a minute: make check-watchdog VM=bochs-vmx-6.1 takes
# about four minutes).  On Bochs the VM also meets a
# debugger stop (a breakpoint on the BIOS's entry) that nothing in the -rc
# file continues: the VM only gets as far as /init if run-vm.sh answers
# the stop from Bochs' terminal.
set -uo pipefail

target=$1 build=$2 cache=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
name=watchdog-$target
log=$build/logs/$name.log
diag=$build/logs/$name.diag

case "$target" in
qemu-*)
	stall=${KVMINI_STALL:-20}
	boot=60		# the longest a boot to /init may take
	;;
bochs-*)
	stall=${KVMINI_STALL:-120}
	boot=300
	export KVMINI_BOCHS_DBG="vbreak 0xf000:0xe05b"
	;;
esac

# Emulator processes, zombies included (an orphan stays one where init
# does not reap): those that were there before the test are not its own.
emulators() {
	ps -eo pid=,comm= | awk '$2 == "bochs-bin" || $2 ~ /^qemu-system/ {print $1}'
}
before=$(emulators)

echo "# $target with kvmini.hang, KVMINI_STALL=$stall"
start=$SECONDS
KVMINI_STALL=$stall KVMINI_TIMEOUT=$((stall + boot + 60)) \
	KVMINI_APPEND=kvmini.hang \
	bash "$here/run-vm.sh" "$target" check "$build" "$cache" "$name"
status=$?
took=$((SECONDS - start))
echo "# run-vm.sh returned $status after $took s"
[ -s "$diag" ] && sed 's/^/# | /' "$diag"

check "run-vm.sh fails for a VM that hangs" [ "$status" != 0 ]
check "the VM reached /init and hung there" \
	grep -q 'kvmini.hang: hanging on purpose' "$log"
check "the diagnostics say the serial log stopped moving" \
	grep -q "no serial output for $stall s" "$diag"
check "the diagnostics show the serial log's tail" \
	grep -q 'hanging on purpose' "$diag"
check "the VM was stopped within $((stall + boot)) s (took $took s)" \
	[ "$took" -lt $((stall + boot)) ]
case "$target" in
bochs-*)
	check "the diagnostics show Bochs' log" grep -q "Bochs' log" "$diag"
	check "the VM met the debugger stop, and went on from it" \
		grep -q 'Breakpoint 1' "$build/bochs-$name/screen.log"
	;;
esac
# In make check, the Bochs target already runs: it is in $before.
left=$(comm -13 <(sort <<<"$before") <(emulators | sort) | xargs)
check "no emulator process is left${left:+ (left: $left)}" [ -z "$left" ]
tap_done
