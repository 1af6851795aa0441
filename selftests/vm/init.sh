#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of kvmini's test VMs.  The kernel command line picks what to do:
#   kvmini.mode=check  run the selftests (in-vm-tests.sh), print TAP
#   kvmini.mode=run    load kvmini and run the hello guest
#   kvmini.mode=shell  load kvmini and give a shell on the console
#   kvmini.mode=linux  load kvmini and boot this kernel in it, with a
#                      shell on its console
#   kvmini.mode=bench  the benchmark on kvmini and on KVM (in-vm-bench.sh)
#   kvmini.mode=debug  everything of check, the fuzzer, rmmod and a
#                      kmemleak scan, counting the kernel's reports
#                      (in-vm-debug.sh, for the debug kernel)
#   kvmini.mode=fuzz   the ioctl fuzzer for kvmini.fuzz_seconds=N
#                      seconds from kvmini.fuzz_seed=S, then the kernel
#                      log (make fuzz)
# and the VM powers off afterwards.  With kvmini.hang on the command line
# it hangs instead, silent, as a stuck test would: run-vm.sh's watchdog
# must end it (selftests/vm/watchdog-test.sh).
export PATH=/kvmini/bin:/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
# Statistics and traces live there: the tests and the tool read them.
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing
cd /kvmini

mode=$(sed -n 's/.*kvmini\.mode=\([a-z]*\).*/\1/p' /proc/cmdline)
echo "kvmini-vm: kernel $(uname -r), mode ${mode:-none}"
if grep -qw kvmini.hang /proc/cmdline; then
	echo "kvmini-vm: kvmini.hang: hanging on purpose"
	while :; do sleep 3600; done
fi
case "$mode" in
check)
	sh /kvmini/in-vm-tests.sh
	;;
bench)
	sh /kvmini/in-vm-bench.sh
	;;
run)
	insmod kvmini.ko && timeout 20 kvmini run guests/hello.bin
	rmmod kvmini
	;;
debug)
	sh /kvmini/in-vm-debug.sh
	;;
fuzz)
	sh /kvmini/in-vm-debug.sh fuzz
	;;
linux)
	# kvmini.backend=kvm: the same on KVM, kvm_amd or kvm_intel loaded.
	backend=$(sed -n 's/.*kvmini\.backend=\([a-z]*\).*/\1/p' /proc/cmdline)
	if [ "${backend:=kvmini}" = kvm ]; then
		insmod modules/irqbypass.ko
		insmod modules/kvm.ko
		[ -e modules/ccp.ko ] && insmod modules/ccp.ko 2>/dev/null
		insmod modules/kvm-amd.ko 2>/dev/null ||
			insmod modules/kvm-intel.ko
	else
		insmod kvmini.ko
	fi
	echo "kvmini-vm: booting this kernel in kvmini on $backend;" \
	     "Ctrl-A x quits kvmini"
	setsid cttyhack kvmini run -b "$backend" -m 256 --kernel linux/vmlinuz \
		--initrd linux/initramfs.cpio.gz \
		--append "console=ttyS0 kvmini.end=shell"
	;;
shell)
	insmod kvmini.ko
	echo "kvmini-vm: kvmini.ko is loaded; guests in /kvmini/guests," \
	     "tests in /kvmini/bin.  'exit' powers off."
	setsid cttyhack sh -l
	;;
esac
echo "kvmini-vm: done"
# Let the UART drain: Bochs' transmits at its emulated baud rate.
sleep 2
poweroff -f
