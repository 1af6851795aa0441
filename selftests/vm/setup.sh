#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# setup.sh CACHE - install what kvmini needs from Debian's archive, then
# unpack the guest kernels into CACHE without touching /boot.
#
# Idempotent: a second run finds everything in place and only asks apt
# which kernel versions are current.  Writes CACHE/versions.mk, which the
# Makefile includes: the exact kernel ABI versions for 6.1 and 6.12.
set -euo pipefail

cache=${1:?usage: setup.sh CACHE}
mkdir -p "$cache"
export DEBIAN_FRONTEND=noninteractive

packages=(build-essential gcc gcc-multilib make libc6-dev kmod cpio xz-utils
	  busybox-static qemu-system-x86 bochs bochs-term bochsbios vgabios
	  isolinux syslinux-common xorriso linux-source-6.1 bsdutils
	  linux-headers-amd64 linux-headers-6.12-amd64)

log() { echo "setup: $*"; }

apt_updated=
apt_update() {
	[ -n "$apt_updated" ] && return
	log "apt-get update"
	apt-get update -qq
	apt_updated=1
}

apt_install() {
	apt_update
	log "apt-get install $*"
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

# The newest ABI of a kernel series, from its headers meta-package:
# "linux-headers-amd64" depends on "linux-headers-6.1.0-NN-amd64".
resolve_kver() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *Depends: linux-headers-\(.*-amd64\)$/\1/p' | head -n1
}

kver_61=$(resolve_kver linux-headers-amd64)
kver_612=$(resolve_kver linux-headers-6.12-amd64)
if [ -z "$kver_61" ] || [ -z "$kver_612" ]; then
	apt_update
	kver_61=$(resolve_kver linux-headers-amd64)
	kver_612=$(resolve_kver linux-headers-6.12-amd64)
fi
[ -n "$kver_61" ] && [ -n "$kver_612" ] || {
	echo "setup: cannot resolve the 6.1 and 6.12 kernel versions" >&2
	exit 1
}

# Headers must match the guest kernels exactly (module vermagic).
for v in "$kver_61" "$kver_612"; do
	[ -d "/usr/src/linux-headers-$v" ] || apt_install "linux-headers-$v"
done

# Downloads into a root-owned temporary directory: no sandbox user.
apt_download() {
	apt-get download -qq -o APT::Sandbox::User=root "$1"
}

# The guest kernel and the modules the VMs load (kvm for coexistence and
# side-by-side runs), unpacked from the image package into the cache.
unpack_kernel() {
	local v=$1 dir=$cache/kernels/$1 tmp
	[ -f "$dir/vmlinuz" ] && return
	log "unpacking linux-image-$v into $dir"
	tmp=$(mktemp -d)
	(cd "$tmp" && { apt_download "linux-image-$v" ||
		{ apt_update; apt_download "linux-image-$v"; }; })
	dpkg-deb -x "$tmp"/linux-image-*.deb "$tmp/root"
	mkdir -p "$dir/modules"
	cp "$tmp/root/boot/vmlinuz-$v" "$dir/vmlinuz"
	find "$tmp/root/lib/modules/$v/kernel" \
		\( -name 'kvm.ko*' -o -name 'kvm-*.ko*' -o -name 'irqbypass.ko*' -o \
		   -name 'ccp.ko*' \) -exec cp {} "$dir/modules/" \;
	# Debian 6.12 compresses modules; busybox insmod wants them plain.
	for m in "$dir"/modules/*.xz; do
		[ -e "$m" ] && xz -d "$m"
	done
	rm -rf "$tmp"
}
unpack_kernel "$kver_61"
unpack_kernel "$kver_612"

# kselftest's harness and checkpatch, from Debian's kernel source tarball.
if [ ! -f "$cache/kselftest/kselftest_harness.h" ] ||
   [ ! -f "$cache/checkpatch/checkpatch.pl" ]; then
	log "extracting kselftest headers and checkpatch from linux-source-6.1"
	tmp=$(mktemp -d)
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$tmp" --wildcards \
		'*/tools/testing/selftests/kselftest.h' \
		'*/tools/testing/selftests/kselftest_harness.h' \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	mkdir -p "$cache/kselftest" "$cache/checkpatch"
	cp "$tmp"/*/tools/testing/selftests/kselftest{,_harness}.h \
		"$cache/kselftest/"
	cp "$tmp"/*/scripts/{checkpatch.pl,spelling.txt,const_structs.checkpatch} \
		"$cache/checkpatch/"
	rm -rf "$tmp"
fi

cat >"$cache/versions.mk.new" <<EOF
KVER_6.1 := $kver_61
KVER_6.12 := $kver_612
EOF
mv "$cache/versions.mk.new" "$cache/versions.mk"
log "kernels $kver_61 and $kver_612 ready in $cache"
