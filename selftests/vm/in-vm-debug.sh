#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# in-vm-debug.sh [fuzz] - what `make check-debug` runs inside the debug
# kernel's VM (no argument), or `make fuzz` inside any VM ("fuzz").
#
# check-debug: every selftest with the module-level checks
# (in-vm-tests.sh), then the ioctl fuzzer for 100,000 calls (four runs
# of 25,000 from kvmini.fuzz_seed=S, default 1), then rmmod and a
# kmemleak scan.
# fuzz: the fuzzer for kvmini.fuzz_seconds=N seconds (runs of 20,000 calls,
# or kvmini.fuzz_calls=C; seeds S, S+1, ...), then rmmod and the scan.
#
# Either way the kernel's reports are counted from /dev/kmsg, read from
# boot on whatever the tests do to the log (dmesg -c): KASAN, KFENCE,
# UBSAN, lockdep, WARN, BUG, oopses, RCU stalls, soft lockups, hung
# tasks, ODEBUG, unchecked MSR accesses, and every object kmemleak calls
# unreferenced.  Each report is shown (prefixed "# report| ") and the
# last lines are TAP results and "kvmini-debug: reports K".
cd /kvmini
export KVMINI_KO=/kvmini/kvmini.ko
mode=${1:-debug}
n=1000
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}

cat /dev/kmsg >/tmp/kmsg &
kmsg_reader=$!

param() {
	sed -n "s/.*kvmini\.$1=\([0-9a-fx]*\).*/\1/p" /proc/cmdline
}
seed=$(param fuzz_seed)
kvmini_args=
grep -qw vmx /proc/cpuinfo && kvmini_args=vmx_timeslice_us=1000

# What was already leaked at boot is not ours: scan once and forget it.
kmemleak=/sys/kernel/debug/kmemleak
if [ -w $kmemleak ]; then
	echo scan >$kmemleak
	echo clear >$kmemleak
fi

if [ "$mode" = debug ]; then
	sh /kvmini/in-vm-tests.sh
	calls="--runs 4 --calls 25000"
	what="100000 calls"
else
	seconds=$(param fuzz_seconds)
	calls="--seconds ${seconds:-60}"
	per_run=$(param fuzz_calls)
	[ -z "$per_run" ] || calls="$calls --calls $per_run"
	what="${seconds:-60} s"
fi

insmod kvmini.ko $kvmini_args
echo "# kvmini-fuzz ${seed:+--seed $seed }$calls"
bin/kvmini-fuzz ${seed:+--seed $seed} $calls
result $? "the ioctl fuzzer, $what"
rmmod kvmini
result $? "rmmod kvmini after the fuzzer"

leaks=0
if [ -w $kmemleak ]; then
	# An object counts once it is 5 s old; a second scan settles it.
	sleep 6
	echo scan >$kmemleak
	echo scan >$kmemleak
	cat $kmemleak >/tmp/leaks
	leaks=$(grep -c 'unreferenced object' /tmp/leaks)
	sed 's/^/# report| /' /tmp/leaks | head -n 100
	result "$leaks" "kmemleak: $leaks unreferenced objects"
else
	echo "# no kmemleak in this kernel"
fi

# One line per report: the line that starts it.
sleep 1
kill $kmsg_reader
sed -n 's/^[0-9]*,[0-9]*,[0-9]*,[^;]*;//p' /tmp/kmsg >/tmp/klog
starts='BUG: |WARNING: |UBSAN: |Oops|general protection fault|kernel BUG at|rcu: INFO: .*stall|soft lockup|hard LOCKUP|blocked for more than|ODEBUG: |unchecked MSR access|Kernel panic'
reports=$(grep -cE "$starts" /tmp/klog)
grep -E -A25 "$starts" /tmp/klog | head -n 300 | sed 's/^/# report| /'
result "$reports" "the kernel reported nothing"
echo "kvmini-debug: reports $((reports + leaks))"
