#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# in-vm-tests.sh - everything `make check` runs inside one VM, as TAP.
#
# Module-level checks (load, hello, unload, coexistence with KVM, a clean
# kernel log) are lines of their own; each selftest binary adds its own
# kselftest lines.  The host counts every "ok" and "not ok" line.
cd /kvmini
n=0
# kvmini.only=A,B (make check ONLY=A,B): just these selftests and
# sections (guests, linux, bench, kvm, nmi); the module checks always run.
only=$(sed -n 's/.*kvmini\.only=\([^ ]*\).*/\1/p' /proc/cmdline)
# kvmini.linux_append=A,B (make check LINUX_APPEND=A,B): more for the
# command line of the Linux the tests boot in kvmini.
KVMINI_LINUX_APPEND=$(sed -n 's/.*kvmini\.linux_append=\([^ ]*\).*/\1/p' \
	/proc/cmdline | tr , ' ')
export KVMINI_LINUX_APPEND
want() {
	[ -z "$only" ] || echo ",$only," | grep -q ",$1,"
}
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}
check() {
	name=$1
	shift
	"$@"
	result $? "$name"
}

if grep -qw vmx /proc/cpuinfo; then
	vendor=vmx
	kvm_vendor=kvm-intel
elif grep -qw svm /proc/cpuinfo; then
	vendor=svm
	kvm_vendor=kvm-amd
else
	vendor=none
fi
echo "# kvmini: vendor $vendor, kernel $(uname -r)"
# Linux boots take minutes each under Bochs, and on the debug kernel
# (which is what boots nested there): on those they run only when asked
# for by name (make check-linux), not in every make check.
want_linux() {
	case "$vendor $(uname -r)" in
	vmx\ * | *-kvmini-debug)
		echo ",$only," | grep -q ",linux," ;;
	*)
		want linux ;;
	esac
}
# VMX runs under Bochs here, whose nested guests spinning with IF=0 need
# the preemption-timer time slice to come back (README, emulator notes).
kvmini_args=
[ "$vendor" = vmx ] && kvmini_args=vmx_timeslice_us=1000
check "the CPU offers VMX or SVM" [ "$vendor" != none ]

# Splats only: some CPUs' boot messages contain a plain "WARNING:".
splat='WARNING: CPU:|BUG:|Oops|soft lockup|Call Trace|general protection fault|blocked for more than'
# The last check judges what the tests did: start from an empty log, and
# show what the emulated machine's boot already complained about.
dmesg | grep -E "$splat" | sed 's/^/# boot, before the tests: /'
# Which FPU state the kernel manages: the FPU tests depend on it.
dmesg | grep -E 'x86/fpu|XSAVE' | sed 's/^/# boot: /'
dmesg -c >/dev/null

check "insmod kvmini.ko" insmod kvmini.ko $kvmini_args
check "kvmini reports the $vendor backend" \
	sh -c "dmesg | grep -q 'kvmini: loaded, using $vendor'"
check "/dev/kvmini is root-only" \
	sh -c "[ \"\$(stat -c %a /dev/kvmini)\" = 600 ]"

for t in bin/*_test; do
	# NMI backtraces fill the kernel log: that test runs after its check.
	[ "$t" = bin/nmi_test ] && continue
	# The device models need no hypervisor, and their timers measure
	# real time, which an emulated CPU under load does not keep: that
	# test runs on the build machine instead (host-devices).
	[ "$t" = bin/devices_test ] && continue
	want "${t#bin/}" || continue
	echo "# running $t"
	"$t"
done

out=$(kvmini run -q guests/hello.bin 2>&1)
check "kvmini run hello.bin prints Hello" [ "$out" = "Hello" ]

if want guests; then
	echo "# guests on the kvmini backend"
	sh guest_tests.sh kvmini guests bin/kvmini
fi
if want_linux; then
	echo "# Linux on the kvmini backend"
	sh linux_tests.sh kvmini linux bin/kvmini
fi

# The benchmark's guests once, as a smoke test: every figure is produced
# and positive.  No timing is judged here; `make bench` measures.
if want bench; then
	echo "# benchmark smoke test on the kvmini backend"
	check "bench smoke on kvmini runs to the end" \
		bin/bench smoke --backend kvmini
fi

check "rmmod kvmini" rmmod kvmini

# Another hypervisor holding VMX/SVM.  kvmini turns VMX/SVM on with its
# first VM and off after its last, so the two take turns without unloading
# each other: while KVM holds the hardware, creating a kvmini VM fails
# (EBUSY) and the kernel log says why; once KVM lets go, it works.  6.12's
# KVM holds the hardware from load (enable_virt_at_load); turn that off
# so it, too, only holds it while it has VMs.
if want kvm || want guests || want linux || want bench; then
	insmod kvmini.ko $kvmini_args
	insmod modules/irqbypass.ko
	kvm_params=
	case $(uname -r) in 6.1.*) ;; *) kvm_params=enable_virt_at_load=0 ;; esac
	insmod modules/kvm.ko $kvm_params
	[ -e modules/ccp.ko ] && insmod modules/ccp.ko 2>/dev/null
	if insmod modules/$kvm_vendor.ko; then
		bin/kvm_helper hold &
		holder=$!
		sleep 1
		out=$(kvmini run -q guests/hello.bin 2>&1)
		check "no kvmini VM while KVM holds $vendor (EBUSY)" \
			sh -c "echo '$out' | grep -q 'Device or resource busy'"
		check "the refusal names the other hypervisor" \
			sh -c "dmesg | grep -q 'in use by another hypervisor'"
		kill $holder
		wait $holder 2>/dev/null
		out=$(kvmini run -q guests/hello.bin 2>&1)
		check "a kvmini VM once KVM has no VM, both modules loaded" \
			[ "$out" = "Hello" ]
		check "KVM runs a guest once kvmini has no VM, both loaded" \
			sh -c "bin/kvm_helper hello | grep -qx Hello"
		check "rmmod kvmini with KVM loaded" rmmod kvmini
		# ... and KVM goes on after kvmini left.
		check "KVM runs a guest after kvmini is unloaded" \
			sh -c "bin/kvm_helper hello | grep -qx Hello"
		if want guests; then
			echo "# the same guests on the KVM backend"
			sh guest_tests.sh kvm guests bin/kvmini
		fi
		if want_linux; then
			echo "# Linux on the KVM backend"
			sh linux_tests.sh kvm linux bin/kvmini
		fi
		if want bench; then
			echo "# benchmark smoke test on the KVM backend"
			check "bench smoke on KVM runs to the end" \
				bin/bench smoke --backend kvm
		fi
		rmmod "$(echo $kvm_vendor | tr - _)"
		check "insmod kvmini after KVM is unloaded" insmod kvmini.ko $kvmini_args
		check "rmmod kvmini after KVM" rmmod kvmini
	else
		result 1 "insmod $kvm_vendor for the coexistence checks"
		rmmod kvmini
	fi
fi

# What kvmini itself said (its notes are below the console's level).
dmesg | grep 'kvmini' | sed 's/^/# dmesg: /' | tail -n 20
if dmesg | grep -qE "$splat"; then
	result 1 "kernel log has no warnings"
	dmesg | grep -E -A12 "$splat" | head -n 40 | sed 's/^/# /'
else
	result 0 "kernel log has no warnings"
fi

# Last: the NMI test, which makes the kernel print NMI backtraces.  After
# it, only real splats count.
if want nmi || want nmi_test; then
	echo "# running bin/nmi_test"
	insmod kvmini.ko $kvmini_args
	bin/nmi_test
	check "rmmod kvmini after the NMI test" rmmod kvmini
fi
if dmesg | grep -qE 'WARNING: CPU:|BUG:|Oops|soft lockup|general protection fault'; then
	result 1 "kernel log has no warnings after the NMI test"
	dmesg | grep -E -A12 'WARNING: CPU:|BUG:|Oops|soft lockup' | head -n 40 | sed 's/^/# /'
else
	result 0 "kernel log has no warnings after the NMI test"
fi
