#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# install-test.sh - `make install` into a DESTDIR: the files it installs,
# a program built against the installed library with pkg-config, and
# `make uninstall`.  Prints TAP; run by check.sh as the target "install".
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/tap.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mk() { make -C "$top" --no-print-directory "$@" >>"$tmp/make.log" 2>&1; }
files() { (cd "$1" && find . ! -type d | sort); }

check "make install DESTDIR=... PREFIX=/usr" \
	mk install DESTDIR="$tmp/usr" PREFIX=/usr
release=$(modinfo -F vermagic "$top/kmod/kvmini.ko" | cut -d' ' -f1)
cat >"$tmp/expected" <<LIST
./etc/udev/rules.d/60-kvmini.rules
./lib/modules/$release/updates/kmod/kvmini.ko
./usr/bin/kvmini
./usr/include/kvmini/kvmini.h
./usr/include/kvmini/libkvmini.h
./usr/lib/libkvmini.a
./usr/lib/pkgconfig/libkvmini.pc
./usr/share/man/man1/kvmini.1
LIST
check "it installs exactly the expected files" \
	diff -u "$tmp/expected" <(files "$tmp/usr")
check "the udev rule gives /dev/kvmini to group kvmini, mode 0660" \
	grep -q 'KERNEL=="kvmini".*GROUP="kvmini", MODE="0660"' \
	"$tmp/usr/etc/udev/rules.d/60-kvmini.rules"
man_clean() { [ -z "$(groff -man -ww -z "$1" 2>&1)" ]; }
check "the man page formats without warnings" \
	man_clean "$tmp/usr/usr/share/man/man1/kvmini.1"

# A program of a library user: only the installed files, via pkg-config.
cat >"$tmp/user.c" <<'C'
#include <libkvmini.h>

int main(void)
{
	struct kvmini_vm *vm = kvmini_vm_create_on(KVMINI_BACKEND_KVM, 0);

	return vm ? 0 : 1;
}
C
pc() {
	PKG_CONFIG_SYSROOT_DIR=$tmp/usr \
	PKG_CONFIG_LIBDIR=$tmp/usr/usr/lib/pkgconfig pkg-config "$@" libkvmini
}
build_user() {
	gcc $(pc --cflags) -o "$tmp/user" "$tmp/user.c" $(pc --libs) \
		2>>"$tmp/make.log"
}
check "pkg-config knows libkvmini $(pc --modversion 2>/dev/null)" pc --exists
check "a program builds against the installed header and library" build_user

uninstall_all() {
	mk uninstall DESTDIR="$tmp/usr" PREFIX=/usr && [ -z "$(files "$tmp/usr")" ]
}
default_prefix() {
	mk install-user DESTDIR="$tmp/local" && [ -x "$tmp/local/usr/local/bin/kvmini" ]
}
check "make uninstall removes it all" uninstall_all
check "PREFIX defaults to /usr/local" default_prefix
[ "$tap_failed" = 0 ] || sed 's/^/# /' "$tmp/make.log"
tap_done
