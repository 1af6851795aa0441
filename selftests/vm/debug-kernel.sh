#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# debug-kernel.sh CACHE - build the kernel of `make check-debug` (once).
#
# Debian's linux-source-6.12 (downloaded and unpacked, never installed),
# configured from tinyconfig plus selftests/vm/debug.config (KASAN,
# KMEMLEAK, lockdep, UBSAN, KFENCE, DEBUG_OBJECTS and what the QEMU VM
# needs), built with `nice -n 19`.  The result is cached in
#
#   CACHE/debug/KEY/{src,build}       the tree kvmini.ko is built against
#   CACHE/kernels/KVER -> ../debug/KEY/install   vmlinuz, modules/
#
# where KEY is the source package's version plus a hash of the config
# fragment and the compiler, so a new Debian release, a config change or
# a new gcc builds a new kernel and anything else reuses the last one.
# Writes CACHE/debug-kernel.mk (KVER_debug, KDIR_debug) for the Makefile
# and run-vm.sh (target qemu-svm-debug).  KVMINI_LINUX_SOURCE may name a linux-source-6.12 .deb
# or its tarball to use instead of downloading one.
#
# On the 2-core build machines the whole of it, download and unpack
# included, takes 8 to 12 minutes (CPU time: 7 min user, 1 min system).
set -euo pipefail

cache=${1:?usage: debug-kernel.sh CACHE}
here=$(cd "$(dirname "$0")" && pwd)
fragment=$here/debug.config
pkg=linux-source-6.12
export DEBIAN_FRONTEND=noninteractive

log() { echo "debug-kernel: $*"; }

# The packages a kernel build needs beyond set-up's compilers.
need=(bc bison flex libelf-dev libssl-dev cpio xz-utils)
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q '^install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	log "apt-get install ${missing[*]}"
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The source version: the given package, or apt's candidate.
source=${KVMINI_LINUX_SOURCE:-}
if [ -n "$source" ] && [[ $source == *.deb ]]; then
	version=$(dpkg-deb -f "$source" Version)
elif [ -n "$source" ]; then
	version=local-$(stat -c %s "$source")
else
	version=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
	if [ -z "$version" ] || [ "$version" = "(none)" ]; then
		apt-get update -qq
		version=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
	fi
fi
[ -n "$version" ] && [ "$version" != "(none)" ] || {
	echo "debug-kernel: apt knows no $pkg" >&2
	exit 1
}

hash=$( { grep -v '^#' "$fragment"; gcc --version | head -n1; } |
	sha256sum | cut -c1-12)
key=$version-$hash
key=${key//[^A-Za-z0-9.+-]/_}
dir=$cache/debug/$key

publish() {
	local kver
	kver=$(cat "$dir/install/kernel-version")
	mkdir -p "$cache/kernels"
	ln -sfn "../debug/$key/install" "$cache/kernels/$kver"
	cat >"$cache/debug-kernel.mk.new" <<EOF
KVER_debug := $kver
KDIR_debug := $dir/build
EOF
	# Rewritten only when it changes: kvmini.ko is rebuilt when it does.
	if cmp -s "$cache/debug-kernel.mk.new" "$cache/debug-kernel.mk"; then
		rm "$cache/debug-kernel.mk.new"
	else
		mv "$cache/debug-kernel.mk.new" "$cache/debug-kernel.mk"
	fi
}

if [ -f "$dir/install/done" ]; then
	publish
	exit 0
fi

# Old kernels make room for the new one.
for old in "$cache/debug"/*; do
	[ -d "$old" ] && [ "$old" != "$dir" ] || continue
	log "removing the old debug kernel $(basename "$old")"
	for link in "$cache/kernels"/*; do
		[ "$(readlink "$link")" = "../debug/$(basename "$old")/install" ] &&
			rm -f "$link"
	done
	rm -rf "$old"
done
# Built in place (the build tree records its source's path): a build cut
# short leaves no install/done, and the next run starts it again.
work=$dir
rm -rf "$work"
mkdir -p "$work"

tarball=
if [ -n "$source" ] && [[ $source != *.deb ]]; then
	tarball=$source
else
	deb=$source
	if [ -z "$deb" ]; then
		log "downloading $pkg $version"
		(cd "$work" && apt-get download -qq -o APT::Sandbox::User=root \
			"$pkg=$version")
		deb=$(ls "$work"/${pkg}_*.deb)
	fi
	log "unpacking the tarball from $(basename "$deb")"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$work" --wildcards "./usr/src/$pkg.tar.xz"
	tarball=$work/usr/src/$pkg.tar.xz
fi
log "unpacking $(basename "$tarball")"
mkdir -p "$work/src"
tar -xJf "$tarball" -C "$work/src" --strip-components=1
rm -rf "$work/usr" "$work"/*.deb

# tinyconfig, then the fragment; every line of it must survive.
log "configuring (tinyconfig + $(basename "$fragment"))"
make -s -C "$work/src" O="$work/build" tinyconfig >/dev/null
"$work/src/scripts/kconfig/merge_config.sh" -m -O "$work/build" \
	"$work/build/.config" "$fragment" >/dev/null
make -s -C "$work/src" O="$work/build" olddefconfig >/dev/null
bad=0
while IFS= read -r line; do
	opt=${line%%=*}
	val=${line#*=}
	got=$(grep -E "^$opt=|^# $opt is not set" "$work/build/.config" || true)
	if [ "$val" = n ]; then
		[ -z "$got" ] || [ "$got" = "# $opt is not set" ] && continue
	else
		[ "$got" = "$line" ] && continue
	fi
	echo "debug-kernel: $line did not take (.config: ${got:-nothing})" >&2
	bad=1
done < <(grep -E '^CONFIG_' "$fragment")
[ "$bad" = 0 ] || exit 1

log "building with $(nproc) jobs at nice 19 (8 to 12 minutes on 2 cores)"
start=$(date +%s)
if ! nice -n 19 make -s -C "$work/src" O="$work/build" -j"$(nproc)" \
	bzImage modules >"$work/build.log" 2>&1; then
	tail -n 40 "$work/build.log" | sed 's/^/debug-kernel| /' >&2
	echo "debug-kernel: the build failed (log: $work/build.log)" >&2
	exit 1
fi
log "built in $(( ($(date +%s) - start) / 60 )) min"

# What a VM boots: the kernel and KVM's modules (for the coexistence
# checks), laid out like the Debian kernels under CACHE/kernels, build
# being the tree modules are built against.
mkdir -p "$work/install/modules"
ln -s ../build "$work/install/build"
cp "$work/build/arch/x86/boot/bzImage" "$work/install/vmlinuz"
find "$work/build" -name '*.ko' \( -name 'kvm*.ko' -o -name 'irqbypass.ko' \) \
	-exec cp {} "$work/install/modules/" \;
make -s -C "$work/src" O="$work/build" kernelrelease \
	>"$work/install/kernel-version"
# Object files are not needed to build modules against the tree.
find "$work/build" -name '*.o' ! -name 'vmlinux.o' -delete
rm -f "$work/build/vmlinux.o"
echo "$version" >"$work/install/done"
publish
log "$(cat "$dir/install/kernel-version") ready in $dir"
