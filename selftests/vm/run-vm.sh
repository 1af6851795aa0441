#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-vm.sh TARGET MODE BUILD CACHE - boot one test VM.
#
# TARGET is qemu-svm-6.1, qemu-svm-6.12 or bochs-vmx-6.1; MODE is check,
# run or shell (see init.sh).  In check and run mode the serial console
# is written to BUILD/logs/TARGET.log, and a VM still running after
# KVMINI_TIMEOUT seconds (default: 600 for QEMU, 2400 for Bochs) is
# killed.  Exits 0 if the VM finished on its own.
set -uo pipefail

target=$1 mode=$2 build=$3 cache=$4
series=${target##*-}
kver=$(sed -n "s/^KVER_$series := //p" "$cache/versions.mk")
[ -n "$kver" ] || { echo "run-vm: unknown target $target" >&2; exit 2; }
kernel=$cache/kernels/$kver/vmlinuz
initrd=$build/initramfs-$kver.cpio.gz
append="console=ttyS0 quiet panic=-1 kvmini.mode=$mode"
log=$build/logs/$target.log
mkdir -p "$build/logs"

qemu_cmd() {
	# One TCG thread for both vCPUs.  With a thread per vCPU, QEMU 7.2
	# can keep running stale translated code after the guest kernel
	# patches its own text: a static key flipped while the other CPU is
	# in __schedule (KVM flips preempt_notifier_key with every VM it
	# creates and destroys) and that CPU hit the int3 of a finished
	# text_poke_bp: the VM hung or oopsed.
	local accel=tcg,thread=single
	# Nested SVM through the host's KVM only where the host really has it.
	if grep -qw svm /proc/cpuinfo && [ -w /dev/kvm ]; then
		accel=kvm
	fi
	echo qemu-system-x86_64 -accel $accel -cpu max -m 512 -smp 2 \
		-nographic -no-reboot -kernel "$kernel" -initrd "$initrd" \
		-append "'$append'"
}

# Bochs boots an ISO: isolinux with the same kernel and initramfs.
bochs_prepare() {
	local dir=$build/bochs-$target iso
	mkdir -p "$dir/iso/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 \
		"$dir/iso/isolinux/"
	cp "$kernel" "$dir/iso/vmlinuz"
	cp "$initrd" "$dir/iso/initrd.gz"
	# Bochs' TSC runs at its ips rate: tell Linux, or time crawls.
	# Bochs 2.7's CPUID 0xD.1 gives the standard XSAVE size for the
	# compacted form; Linux sees the sizes disagree and turns XSAVE off,
	# and AVX with it.  Without XSAVEC and XSAVES it uses the standard
	# form, whose size Bochs reports right (measured with PKU off too).
	local extra="tsc_early_khz=200000 noxsaves clearcpuid=xsavec nopku"
	cat >"$dir/iso/isolinux/isolinux.cfg" <<CFG
default kvmini
prompt 0
label kvmini
  kernel /vmlinuz
  append initrd=/initrd.gz $append $extra
CFG
	iso=$dir/kvmini.iso
	xorriso -as mkisofs -quiet -o "$iso" -b isolinux/isolinux.bin \
		-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 \
		-boot-info-table "$dir/iso" 2>/dev/null
	cat >"$dir/bochsrc" <<RC
cpu: model=corei7_skylake_x, count=2, ips=200000000
megs: 512
clock: sync=none
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path=$iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$log
display_library: term
speaker: enabled=0
sound: waveoutdrv=dummy
log: $dir/bochs.log
panic: action=fatal
error: action=report
RC
	echo c >"$dir/cmds"
	echo "$dir"
}

case "$target" in
qemu-svm-*)
	if [ "$mode" = shell ]; then
		eval exec "$(qemu_cmd)"
	fi
	timeout=${KVMINI_TIMEOUT:-600}
	if [ "$mode" = run ]; then
		eval timeout -k 5 "$timeout" "$(qemu_cmd)" </dev/null | tee "$log"
	else
		eval timeout -k 5 "$timeout" "$(qemu_cmd)" </dev/null >"$log" 2>&1
	fi
	;;
bochs-vmx-*)
	dir=$(bochs_prepare)
	: >"$log"
	if [ "$mode" = shell ]; then
		echo "run-vm: Bochs has no interactive console here; use a qemu target" >&2
		exit 2
	fi
	timeout=${KVMINI_TIMEOUT:-2400}
	# Bochs' term display needs a sized terminal; the console is com1.
	timeout -k 5 "$timeout" script -qec \
		"stty rows 30 cols 100; bochs -q -f $dir/bochsrc -rc $dir/cmds" \
		/dev/null </dev/null >"$dir/screen.log" 2>&1
	[ "$mode" = run ] && cat "$log"
	;;
*)
	echo "run-vm: unknown target $target" >&2
	exit 2
	;;
esac
grep -q 'kvmini-vm: done' "$log"
