#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# linux_tests.sh BACKEND LINUX_DIR KVMINI - boot a Linux kernel in kvmini
# on BACKEND (kvmini or kvm), on one vCPU twice, then on 2 and 4, and
# report TAP.
#
# LINUX_DIR holds vmlinuz (in the test VMs, the VM's own kernel) and
# initramfs.cpio.gz (guests/linux/mkinitramfs.sh).  Each boot runs
#
#   kvmini run -b BACKEND --kernel vmlinuz --initrd initramfs.cpio.gz \
#              --append "console=ttyS0 earlyprintk=ttyS0 ... \
#                        kvmini.end=poweroff|reboot"
#
# (earlyprintk: a kernel that dies before its console starts still says
# why, in the log shown on failure)
#
# with stdin on a FIFO, and passes when /init runs, prints the same
# `uname -r` as this kernel, sees the timer count rise, reads the line
# typed here once it asks for it, and `poweroff -f` (first boot) or
# `reboot -f` (second) ends kvmini with status 0.  The SMP boots
# (--cpus 2 and 4, poweroff) also pass only when /proc/cpuinfo lists
# every vCPU, work pinned to each with taskset runs there, each counts
# local APIC timer interrupts (LOC) and rescheduling and function-call
# IPIs (RES, CAL) were taken.  The time
# from starting kvmini to /init is printed.  KVMINI_LINUX_TIMEOUT
# (seconds, default 900) bounds a boot, KVMINI_LINUX_MEM (MiB, default
# 256) its memory, KVMINI_LINUX_APPEND adds to its command line.
backend=$1 dir=$2 kvmini=$3
timeout=${KVMINI_LINUX_TIMEOUT:-900}
mem=${KVMINI_LINUX_MEM:-256}
line="typed on the host"
n=0

tap() {
	n=$((n + 1))
	[ "$1" = 0 ] || boot_failed=1
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}

uptime_s() {
	cut -d' ' -f1 /proc/uptime
}

# One boot of $end on $cpus vCPUs: sets start, at_init, status and out.
boot_run() {
	log=/tmp/linux-$backend-$end-$cpus.log
	fifo=/tmp/linux-$backend-$end-$cpus.in
	rm -f "$fifo"
	: >"$log"
	mkfifo "$fifo"
	start=$(uptime_s)
	timeout "$timeout" "$kvmini" run -b "$backend" -m "$mem" -c "$cpus" \
		--kernel "$dir/vmlinuz" --initrd "$dir/initramfs.cpio.gz" \
		--append "console=ttyS0 earlyprintk=ttyS0 panic=-1 kvmini.end=$end ${KVMINI_LINUX_APPEND:-}" \
		<"$fifo" >"$log" 2>&1 &
	pid=$!
	# Held open, so kvmini's input does not end before the line.
	exec 3>"$fifo"
	at_init= typed= last_bytes=
	report_every=20 next_report=20
	while kill -0 "$pid" 2>/dev/null; do
		# Under Bochs a boot takes minutes: say how it goes every 20 s
		# by the VM's clock, which runs about four times slower than
		# the wall's there (one turn of this loop takes seconds, and
		# the VM's watchdog wants output within 300 s of the wall's).
		secs=$(echo "$start $(uptime_s)" | awk '{ printf "%d", $2 - $1 }')
		if [ "$secs" -ge "$next_report" ]; then
			next_report=$((next_report + report_every))
			bytes=$(wc -c <"$log")
			echo "# $backend: $secs s, the guest has" \
			     "printed $bytes bytes"
			# Silent for 20 s: show where it stopped, as the
			# VM's watchdog may end everything before our timeout.
			[ "$bytes" = "${last_bytes:-}" ] &&
				tr -d '\r' <"$log" | tail -n 30 | sed 's/^/#   /'
			last_bytes=$bytes
		fi
		if [ -z "$at_init" ] &&
		   grep -q 'linux-guest: /init runs' "$log"; then
			at_init=$(uptime_s)
		fi
		# Typed only when asked: the kernel empties the UART's
		# FIFO when it opens the port.
		if [ -z "$typed" ] &&
		   grep -q 'linux-guest: type a line:' "$log"; then
			echo "$line" >&3
			typed=1
		fi
		sleep 0.2
	done
	wait "$pid"
	status=$?
	exec 3>&-
	rm -f "$fifo"
	out=$(tr -d '\r' <"$log")
}

boot() {
	end=$1 cpus=${2:-1}
	boot_failed=
	boot_run
	# KVM's guests die at times under QEMU 7.2's nested SVM, which can
	# deliver an injected interrupt twice (README, emulator notes;
	# kvmini injects differently): a KVM guest kernel that panicked
	# before /init boots once more.  kvmini's never get a second try.
	if [ "$backend" = kvm ] && [ -z "$at_init" ] &&
	   echo "$out" | grep -q 'Kernel panic'; then
		echo "$out" | grep -m 1 -E 'BUG:|RIP:|Kernel panic' |
			sed 's/^/# kvm, first boot: /'
		echo "# kvm: the guest kernel died before /init; once more"
		boot_run
	fi

	on="$backend, $cpus vCPU(s)"
	if [ -n "$at_init" ]; then
		secs=$(echo "$start $at_init" | awk '{ printf "%.1f", $2 - $1 }')
		echo "# $on: /init after $secs s"
		tap 0 "Linux boots to /init on $on (kvmini.end=$end, $secs s)"
	else
		tap 1 "Linux boots to /init on $on (kvmini.end=$end)"
	fi
	if [ "$cpus" -gt 1 ]; then
		echo "$out" | grep -qx "linux-guest: cpus $cpus"
		tap $? "/proc/cpuinfo lists $cpus CPUs on $on"
		echo "$out" | grep -qx "linux-guest: pinned to each CPU in turn, ran on $(seq -s ' ' 0 $((cpus - 1)))"
		tap $? "work pinned with taskset runs on each CPU on $on"
		echo "$out" | grep -E '^linux-guest: +(LOC|RES|CAL):' | sed 's/^/# /'
		echo "$out" | awk -v n="$cpus" '
			$2 == "LOC:" { for (i = 3; i < 3 + n; i++) if ($i > 0) loc++ }
			$2 == "RES:" { for (i = 3; i < 3 + n; i++) res += $i }
			$2 == "CAL:" { for (i = 3; i < 3 + n; i++) cal += $i }
			END { exit !(loc == n && res > 0 && cal > 0) }'
		tap $? "LOC on every CPU, RES and CAL IPIs in /proc/interrupts on $on"
	fi
	echo "$out" | grep -qx "linux-guest: uname -r $(uname -r)"
	tap $? "/init prints uname -r $(uname -r) on $on"
	ticks=$(echo "$out" | sed -n 's/^linux-guest: timer interrupts \([0-9]*\) -> \([0-9]*\)$/\1 \2/p')
	echo "$ticks" | awk '{ exit !($2 > $1 && $1 > 0) }'
	tap $? "the timer count rises in /proc/interrupts on $on ($ticks)"
	echo "$out" | grep -qx "linux-guest: read '$line'"
	tap $? "a line typed on the serial console reaches /init on $on"
	tap "$([ "$status" = 0 ]; echo $?)" \
		"$end -f ends kvmini with status 0 on $on (status $status)"
	if [ -n "$boot_failed" ]; then
		echo "$out" | tail -n 120 | sed 's/^/# /'
	fi
}

boot poweroff
boot reboot
boot poweroff 2
boot poweroff 4
