#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh OUT KVER KERNEL_DIR KVMINI_KO BIN_DIR GUESTS_DIR
#
# The test VM's whole root file system: busybox, /init, kvmini.ko built
# for KVER, the kernel's own kvm modules, the kvmini tool, the guests and
# the selftests.  Everything lives under /kvmini inside.
set -euo pipefail

out=$1 kver=$2 kernel_dir=$3 ko=$4 bin=$5 guests=$6
here=$(cd "$(dirname "$0")" && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,root} \
	 "$root"/kvmini/{bin,guests,modules}
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
	[ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
# The kernel opens /dev/console before /init can mount devtmpfs.
mknod -m 600 "$root/dev/console" c 5 1

install -m 755 "$here/init.sh" "$root/init"
install -m 755 "$here/in-vm-tests.sh" "$root/kvmini/in-vm-tests.sh"
install -m 755 "$here/in-vm-bench.sh" "$root/kvmini/in-vm-bench.sh"
install -m 755 "$here/in-vm-debug.sh" "$root/kvmini/in-vm-debug.sh"
cp "$ko" "$root/kvmini/kvmini.ko"
# (A kernel of one's own may have none: KVM built in, or not at all.)
for m in "$kernel_dir"/modules/*.ko; do
	[ -e "$m" ] && cp "$m" "$root/kvmini/modules/"
done
cp "$bin"/* "$root/kvmini/bin/"
cp "$guests"/*.bin "$guests"/*.elf "$guests"/*.expected \
	"$guests"/tests.txt "$root/kvmini/guests/"
install -m 755 "$here/../guest_tests.sh" "$root/kvmini/guest_tests.sh"
echo "$kver" >"$root/kvmini/kernel-version"

# A Linux for kvmini to boot: this same kernel, and a small initramfs.
mkdir -p "$root/kvmini/linux"
cp "$kernel_dir/vmlinuz" "$root/kvmini/linux/vmlinuz"
sh "$here/../../guests/linux/mkinitramfs.sh" \
	"$root/kvmini/linux/initramfs.cpio.gz"
install -m 755 "$here/../linux_tests.sh" "$root/kvmini/linux_tests.sh"

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
