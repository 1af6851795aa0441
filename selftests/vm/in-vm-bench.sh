#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# in-vm-bench.sh - what `make bench` runs inside one VM: the benchmark
# (bin/bench, selftests/bench/bench.c) on kvmini and on KVM, both with
# their defaults, then on VMX the exits of both without their L1D flush
# ("kvmini-noflush", "kvm-matched").  Every figure is a "bench:" line on
# the console; selftests/bench/report.c reads them on the build machine.
cd /kvmini

# Bochs runs about 15 times slower than QEMU: fewer iterations there,
# and less memory to touch (its VM has 512 MiB).
size=--small
vendor_dmi=$(cat /sys/class/dmi/id/sys_vendor 2>/dev/null)
case "$vendor_dmi" in
QEMU*) size= ;;
esac
mib=$(free -m | awk '/Mem:/ {print $2}')
echo "# bench: machine '$vendor_dmi', $(nproc) CPUs, $mib MiB"
grep . /sys/devices/system/cpu/vulnerabilities/* 2>/dev/null |
	sed 's|.*/||; s/^/# bench: vulnerability /'

if grep -qw vmx /proc/cpuinfo; then
	kvm_vendor=kvm-intel
else
	kvm_vendor=kvm-amd
fi
kvm_mod=$(echo $kvm_vendor | tr - _)

# param LABEL MODULE NAME: record a module parameter with the figures.
param() {
	echo "bench: env $1 param $2.$3=$(cat /sys/module/$2/parameters/$3)"
}

# kvmini with its defaults, as on hardware: no VMX time slice.  The
# benchmark's guests run with IF set, so Bochs does not need it.
if insmod kvmini.ko; then
	for p in /sys/module/kvmini/parameters/*; do
		param kvmini kvmini "${p##*/}"
	done
	bench run --backend kvmini $size
	rmmod kvmini
else
	echo "bench: error: insmod kvmini.ko failed"
fi
if [ $kvm_vendor = kvm-intel ] && insmod kvmini.ko l1d_flush=never; then
	param kvmini-noflush kvmini l1d_flush
	bench run --backend kvmini --label kvmini-noflush --exits-only $size
	rmmod kvmini
fi

# linux_rows BACKEND: the Linux boots of linux_tests.sh (two on one vCPU,
# one on 2 and on 4), their times to /init as rows linux_N, in seconds.
linux_rows() {
	sh linux_tests.sh "$1" linux bin/kvmini >/tmp/linux-bench.tap 2>&1
	grep '^not ok' /tmp/linux-bench.tap | sed "s/^/bench: note $1 linux: /"
	sed -n 's|^# [a-z]*, \([0-9]*\) vCPU(s): /init after \([0-9.]*\) s$|\1 \2|p' \
		/tmp/linux-bench.tap | sort -k1,1n -k2,2n |
	awk -v label="$1" '
		function q(c, f,   pos, lo) {
			pos = f * (n[c] - 1); lo = int(pos)
			if (lo + 1 >= n[c]) return v[c, n[c] - 1]
			return v[c, lo] + (pos - lo) * (v[c, lo + 1] - v[c, lo])
		}
		{ v[$1, n[$1]++] = $2 }
		END {
			for (c in n)
				printf "bench: %s linux_%d %.2f %.2f %.2f %d -\n",
				       label, c, q(c, 0.5), q(c, 0.25),
				       q(c, 0.75), n[c]
		}'
}

# Not under Bochs, where each boot takes minutes (make check-linux
# boots Linux there).
if [ -z "$size" ] && insmod kvmini.ko; then
	linux_rows kvmini
	rmmod kvmini
fi

# load_kvm LABEL KVM_ARGS VENDOR_ARGS - load KVM as in-vm-tests.sh does,
# and record the parameters that decide its mitigations.
load_kvm() {
	insmod modules/irqbypass.ko 2>/dev/null
	insmod modules/kvm.ko $2 || return 1
	[ -e modules/ccp.ko ] && insmod modules/ccp.ko 2>/dev/null
	insmod modules/$kvm_vendor.ko $3 || { rmmod kvm; return 1; }
	param $1 kvm nx_huge_pages
	if [ -e /sys/module/kvm_intel/parameters/vmentry_l1d_flush ]; then
		param $1 kvm_intel vmentry_l1d_flush
	fi
}

unload_kvm() {
	rmmod $kvm_mod
	rmmod kvm
}

if load_kvm kvm "" ""; then
	bench run --backend kvm $size
	[ -n "$size" ] || linux_rows kvm
	unload_kvm
else
	echo "bench: error: loading $kvm_vendor failed"
fi

# On VMX both flush L1D on VM entry (L1TF) by default; both turn it off
# with a module parameter.  Without it, once more, the exits only.
# (kvm.nx_huge_pages stays as it is: it decides only whether KVM maps
# guest memory with huge pages, and a run with it off as well made no
# progress in KVM's first touch under Bochs for 5 minutes.)  On AMD no
# flush is done and no module parameter changes an exit's mitigations.
if [ $kvm_vendor = kvm-intel ]; then
	if load_kvm kvm-matched "" vmentry_l1d_flush=never; then
		bench run --backend kvm --label kvm-matched --exits-only $size
		unload_kvm
	else
		echo "bench: error: $kvm_vendor vmentry_l1d_flush=never failed"
	fi
fi
