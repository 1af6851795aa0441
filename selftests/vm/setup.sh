#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# setup.sh CACHE - install what kvmini needs from Debian's archive, then
# unpack the guest kernels and their headers into CACHE.
#
# Nothing here installs a kernel: the image and header packages are
# downloaded and unpacked (dpkg-deb -x) into CACHE/kernels/VERSION, which
# holds vmlinuz, the kvm modules the VMs load, and build/, the headers
# to build modules against (as /lib/modules/VERSION/build on a host).
# Installing Debian's 6.12 headers would pull their image into /boot.
#
# Idempotent: a second run finds everything in place and only asks apt
# which kernel versions are current.  Writes CACHE/versions.mk, which the
# Makefile includes: the exact kernel ABI versions for 6.1 and 6.12.
set -euo pipefail

cache=${1:?usage: setup.sh CACHE}
mkdir -p "$cache"
export DEBIAN_FRONTEND=noninteractive

# gcc-12 is the compiler Debian's bookworm kernels are built with; dkms
# builds the module as a system would (make check-dkms); gnuplot draws
# make bench's plots.
packages=(build-essential gcc gcc-12 gcc-multilib make libc6-dev kmod cpio
	  xz-utils procps busybox-static qemu-system-x86 bochs bochs-term
	  bochsbios vgabios isolinux syslinux-common xorriso linux-source-6.1
	  bsdutils dkms gnuplot-nox)

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

# Installs those of its arguments that are not installed yet.
install_missing() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q '^install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}
install_missing "${packages[@]}"

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

# A package's dependencies, first alternatives, without versions.
deb_depends() {
	dpkg-deb -f "$1" Depends | tr ',' '\n' |
		sed 's/|.*//; s/(.*)//; s/:any//; s/[[:space:]]//g' | grep . || true
}

# The headers of one kernel (they must match it exactly: vermagic), as
# Debian splits them: linux-headers-VERSION, the -common half it
# includes and the linux-kbuild package with the build scripts and
# tools, unpacked together so that their relative links meet.  What
# these packages need to run (the compiler, libelf, pahole...) is
# installed; their kernel image is not.
unpack_headers() {
	local v=$1 dir=$cache/kernels/$1 tmp dep deps=() root deb link
	if [ ! -f "$dir/build/Module.symvers" ]; then
		log "unpacking the headers of $v into $dir/headers"
		tmp=$(mktemp -d)
		(cd "$tmp" && { apt_download "linux-headers-$v" ||
			{ apt_update; apt_download "linux-headers-$v"; }; })
		for dep in $(deb_depends "$tmp"/linux-headers-*.deb); do
			case "$dep" in
			linux-headers-*|linux-kbuild-*)
				(cd "$tmp" && apt_download "$dep")
				;;
			esac
		done
		root=$dir/headers.new
		rm -rf "$root"
		for deb in "$tmp"/*.deb; do
			dpkg-deb -x "$deb" "$root"
			deb_depends "$deb" >>"$root/depends"
		done
		rm -rf "$tmp"
		# The headers' Makefile names its -common half by absolute
		# path, and lib/modules/VERSION/{build,source} are absolute
		# links: point them into the cache.
		sed -i "s|^include /usr/src/|include $dir/headers/usr/src/|" \
			"$root/usr/src/linux-headers-$v/Makefile"
		for link in "$root/lib/modules/$v"/*; do
			ln -sfn "../../..$(readlink "$link")" "$link"
		done
		rm -rf "$dir/headers"
		mv "$root" "$dir/headers"
		ln -sfn "headers/usr/src/linux-headers-$v" "$dir/build"
	fi
	# What the unpacked packages need to run, other kernel packages aside.
	mapfile -t deps < <(grep -v '^linux-' \
		"$dir/headers/depends" | sort -u)
	install_missing "${deps[@]}"
}

for v in "$kver_61" "$kver_612"; do
	unpack_kernel "$v"
	unpack_headers "$v"
done

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
