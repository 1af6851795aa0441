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
name=watchdog-$target
log=$build/logs/$name.log
diag=$build/logs/$name.diag
n=0 failed=0

result() {	# STATUS TEXT
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=1
	fi
}

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

result "$([ "$status" != 0 ]; echo $?)" "run-vm.sh fails for a VM that hangs"
result "$(grep -q 'kvmini.hang: hanging on purpose' "$log"; echo $?)" \
	"the VM reached /init and hung there"
result "$(grep -q "no serial output for $stall s" "$diag" 2>/dev/null; echo $?)" \
	"the diagnostics say the serial log stopped moving"
result "$(grep -q 'hanging on purpose' "$diag" 2>/dev/null; echo $?)" \
	"the diagnostics show the serial log's tail"
result "$([ "$took" -lt $((stall + boot)) ]; echo $?)" \
	"the VM was stopped within $((stall + boot)) s (took $took s)"
case "$target" in
bochs-*)
	result "$(grep -q "Bochs' log" "$diag" 2>/dev/null; echo $?)" \
		"the diagnostics show Bochs' log"
	result "$(grep -q 'Breakpoint 1' "$build/bochs-$name/screen.log"; echo $?)" \
		"the VM met the debugger stop, and went on from it"
	;;
esac
# In make check, the Bochs target already runs: it is in $before.
left=$(comm -13 <(sort <<<"$before") <(emulators | sort) | xargs)
result "$([ -z "$left" ]; echo $?)" "no emulator process is left${left:+ (left: $left)}"
echo "kvmini-vm: done"
exit $failed
