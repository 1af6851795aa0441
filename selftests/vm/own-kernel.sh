#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# own-kernel.sh KERNEL KDIR OUT - prepare a developer's own kernel for the
# QEMU test VM (make check KERNEL=... KDIR=...): check KDIR's .config for
# what the VM and the tests need, saying clearly what is missing, and put
# the kernel and the KVM modules the coexistence checks load into OUT
# (OUT/vmlinuz, OUT/modules/), as setup.sh does for Debian's kernels.
#
# The options come from selftests/config.  Exits 1 if the VM could not
# boot, load kvmini.ko or run the tests; options that only some checks
# need are warnings, and those checks then fail.
set -uo pipefail

kernel=$1 kdir=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
config=$kdir/.config
fatal=0

[ -f "$kernel" ] || { echo "own-kernel: no kernel image '$kernel'" >&2; exit 1; }
[ -f "$config" ] || { echo "own-kernel: no .config in KDIR '$kdir'" >&2; exit 1; }
if [ ! -f "$kdir/Module.symvers" ]; then
	echo "own-kernel: $kdir has no Module.symvers: build the kernel there" \
	     "(make) before building modules against it" >&2
	exit 1
fi

value() { sed -n "s/^$1=//p" "$config"; }

# Every option of selftests/config, with the comment lines before it as
# why.
why= in_comment=
while read -r line; do
	case "$line" in
	"#"*)
		line=${line#\#}
		if [ -n "$in_comment" ]; then
			why="$why$line"
		else
			why=${line# }
		fi
		in_comment=1
		continue
		;;
	CONFIG_*=*)
		in_comment=
		opt=${line%%=*} want=${line#*=} have=$(value "${line%%=*}")
		[ "$have" = "$want" ] && continue
		case "$why" in
		"[VM] "*)
			echo "own-kernel: $opt=${have:-n} here, the VM needs $want: ${why#\[VM\] }" >&2
			fatal=1
			;;
		*)
			echo "own-kernel: warning: $opt=${have:-n} here, want $want: $why" >&2
			;;
		esac
		;;
	*)
		in_comment=
		;;
	esac
done <"$here/../config"
if [ "$(value CONFIG_MODULE_SIG_FORCE)" = y ]; then
	echo "own-kernel: CONFIG_MODULE_SIG_FORCE=y: kvmini.ko must be signed" >&2
	fatal=1
fi
[ "$fatal" = 0 ] || exit 1

# The KVM modules, from the build tree.
rm -rf "$out"
mkdir -p "$out/modules"
cp "$kernel" "$out/vmlinuz"
for m in irqbypass kvm kvm-amd ccp; do
	ko=$(find "$kdir" -name "$m.ko" -print -quit)
	[ -n "$ko" ] && cp "$ko" "$out/modules/"
done
if [ "$(value CONFIG_KVM_AMD)" = m ] && [ ! -f "$out/modules/kvm-amd.ko" ]; then
	echo "own-kernel: warning: no kvm-amd.ko under $kdir: run make modules there" >&2
fi
exit 0
