#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-test.sh CACHE - dkms.conf at work: `make dkms-src`, then dkms add,
# build and install against the cached headers of every guest kernel,
# all in a private DKMS tree.  Prints TAP; run by check.sh as the target
# "dkms".
#
# DKMS signs what it builds with a key it creates in /var/lib/dkms when
# there is none; where a mount namespace is possible, that directory is a
# throwaway one, so the test leaves the machine as it found it.
set -uo pipefail

cache=$1
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/dkms.conf")
kvers=$(sed -n 's/^KVER_[0-9.]* := //p' "$cache/versions.mk")
log=$tmp/dkms.log

dkms_src() {
	make -C "$top" --no-print-directory dkms-src DESTDIR="$tmp" >>"$log" 2>&1 &&
		[ -f "$tmp/usr/src/kvmini-$version/dkms.conf" ]
}
check "make dkms-src puts the sources in /usr/src/kvmini-$version" dkms_src
mkdir -p "$tmp/dkms" "$tmp/install"

# Every dkms command, in the private tree.
dkms_() {
	dkms "$@" --dkmstree "$tmp/dkms" --sourcetree "$tmp/usr/src" \
		--installtree "$tmp/install" >>"$log" 2>&1
}
# All of them in one process, so one throwaway /var/lib/dkms serves all.
run_dkms() {
	local v
	dkms_ add "kvmini/$version" || return
	for v in $kvers; do
		mkdir -p "$tmp/install/$v"
		dkms_ install --no-depmod "kvmini/$version" -k "$v" \
			--kernelsourcedir "$cache/kernels/$v/build" || return
	done
}
if unshare -m true 2>/dev/null; then
	export -f run_dkms dkms_
	export tmp log version kvers cache
	unshare -m bash -c 'mount -t tmpfs dkms /var/lib/dkms && run_dkms'
else
	run_dkms
fi
check "dkms add, build and install for $(echo $kvers)" [ $? = 0 ]

built_for() {	# RELEASE: the installed module is built for it
	local ko
	ko=$(ls "$tmp/install/$1/updates/dkms/kvmini.ko"* 2>/dev/null) &&
		[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$1" ]
}
for v in $kvers; do
	check "the module DKMS installed for $v is built for it" built_for "$v"
done
[ "$tap_failed" = 0 ] || sed 's/^/# /' "$log"
tap_done
