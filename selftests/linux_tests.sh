#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# linux_tests.sh BACKEND LINUX_DIR KVMINI - boot a Linux kernel in kvmini
# on BACKEND (kvmini or kvm), twice, and report TAP.
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
# `reboot -f` (second) ends kvmini with status 0.  The time from starting
# kvmini to /init is printed.  KVMINI_LINUX_TIMEOUT (seconds, default
# 900) bounds a boot, KVMINI_LINUX_MEM (MiB, default 256) its memory,
# KVMINI_LINUX_APPEND adds to its command line.
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

boot() {
	end=$1
	boot_failed=
	log=/tmp/linux-$backend-$end.log
	fifo=/tmp/linux-$backend-$end.in
	rm -f "$fifo"
	: >"$log"
	mkfifo "$fifo"
	start=$(uptime_s)
	timeout "$timeout" "$kvmini" run -b "$backend" -m "$mem" \
		--kernel "$dir/vmlinuz" --initrd "$dir/initramfs.cpio.gz" \
		--append "console=ttyS0 earlyprintk=ttyS0 panic=-1 kvmini.end=$end ${KVMINI_LINUX_APPEND:-}" \
		<"$fifo" >"$log" 2>&1 &
	pid=$!
	# Held open, so kvmini's input does not end before the line.
	exec 3>"$fifo"
	at_init= typed= ticks=0
	while kill -0 "$pid" 2>/dev/null; do
		# Under Bochs a boot takes minutes: say how it goes.
		ticks=$((ticks + 1))
		if [ $((ticks % 300)) = 0 ]; then
			echo "# $backend: $((ticks / 5)) s, the guest has" \
			     "printed $(wc -c <"$log") bytes"
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

	if [ -n "$at_init" ]; then
		secs=$(echo "$start $at_init" | awk '{ printf "%.1f", $2 - $1 }')
		echo "# $backend: /init after $secs s"
		tap 0 "Linux boots to /init on $backend (kvmini.end=$end, $secs s)"
	else
		tap 1 "Linux boots to /init on $backend (kvmini.end=$end)"
	fi
	echo "$out" | grep -qx "linux-guest: uname -r $(uname -r)"
	tap $? "/init prints uname -r $(uname -r) on $backend"
	ticks=$(echo "$out" | sed -n 's/^linux-guest: timer interrupts \([0-9]*\) -> \([0-9]*\)$/\1 \2/p')
	echo "$ticks" | awk '{ exit !($2 > $1 && $1 > 0) }'
	tap $? "the timer count rises in /proc/interrupts on $backend ($ticks)"
	echo "$out" | grep -qx "linux-guest: read '$line'"
	tap $? "a line typed on the serial console reaches /init on $backend"
	tap "$([ "$status" = 0 ]; echo $?)" \
		"$end -f ends kvmini with status 0 on $backend (status $status)"
	if [ -n "$boot_failed" ]; then
		echo "$out" | tail -n 120 | sed 's/^/# /'
	fi
}

boot poweroff
boot reboot
