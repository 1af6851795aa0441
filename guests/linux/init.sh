#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the small Linux that kvmini boots (guests/linux/mkinitramfs.sh
# packs it with busybox).  It shows that the platform works from the
# inside: the kernel's version, the timer interrupt counting, a line read
# from the serial console; then it ends the way the kernel command line's
# kvmini.end= says: poweroff (poweroff -f), reboot (reboot -f) or shell
# (an interactive shell, then poweroff -f).  Every line it prints for a
# test starts with "linux-guest:".
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

end=$(sed -n 's/.*kvmini\.end=\([a-z]*\).*/\1/p' /proc/cmdline)
echo "linux-guest: /init runs, $(cut -d' ' -f1 /proc/uptime) s after the kernel started"
echo "linux-guest: uname -r $(uname -r)"

cpus=$(grep -c '^processor' /proc/cpuinfo)
echo "linux-guest: cpus $cpus"
# Work pinned to each CPU runs there: field 39 of /proc/self/stat is the
# CPU the task (awk itself) last ran on.
ran=
for c in $(seq 0 $((cpus - 1))); do
	ran="$ran $(taskset -c "$c" awk '{ print $39 }' /proc/self/stat)"
done
echo "linux-guest: pinned to each CPU in turn, ran on$ran"

# The timer: the local APICs' (LOC, every CPU's) and IRQ 0, the PIT's,
# summed.  Linux ticks with the local APIC timer, or with the PIT when it
# finds that one unusable (on a loaded emulator LOC once stopped at 27
# while IRQ 0 counted on).  The count must rise while we wait.
timer() {
	awk '$1 == "LOC:" || $1 == "0:" {
		for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++)
			n += $i
	     }
	     END { print n + 0 }' /proc/interrupts
}
t1=$(timer)
sleep 1
t2=$(timer)
echo "linux-guest: timer interrupts $t1 -> $t2"
grep -E '^ *(0|4|LOC|RES|CAL|TLB):' /proc/interrupts | sed 's/^/linux-guest: /'

case "$end" in
shell)
	echo "linux-guest: a shell on ttyS0; 'exit' powers off (Ctrl-A x quits kvmini)"
	setsid cttyhack sh -l
	poweroff -f
	;;
esac

echo "linux-guest: type a line:"
read -r line
echo "linux-guest: read '$line'"
case "$end" in
reboot)
	reboot -f
	;;
*)
	poweroff -f
	;;
esac
