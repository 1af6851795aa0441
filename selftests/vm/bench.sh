#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh BUILD CACHE TARGET... - `make bench`: boot each VM target once
# in bench mode (init.sh runs in-vm-bench.sh: kvmini, then KVM, in the
# same boot) and turn its figures into BUILD/bench/TARGET.md, printed
# too, and a plot, BUILD/bench/TARGET.svg.
#
# The targets run one after the other, never side by side as check.sh
# runs Bochs: two emulators on the same cores would slow each other down
# and blur the figures.  Exits non-zero if a target gave no figures.
set -uo pipefail

build=$1 cache=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
out=$build/bench
mkdir -p "$out"
status=0

emulator() {
	local v
	case "$1" in
	qemu-*)
		v=$(qemu-system-x86_64 --version |
		    sed -n 's/^QEMU emulator version \([^ ]*\).*/\1/p')
		echo "QEMU $v (TCG, one thread)"
		;;
	bochs-*)
		v=$(dpkg-query -W -f='${Version}' bochs)
		echo "Bochs $v (corei7_skylake_x)"
		;;
	esac
}

for t in "$@"; do
	start=$SECONDS
	# QEMU's figures are wall-clock: say how busy the machine was.
	load0=$(cut -d' ' -f1-3 /proc/loadavg)
	bash "$here/run-vm.sh" "$t" bench "$build" "$cache" "bench-$t"
	took=$((SECONDS - start))
	load1=$(cut -d' ' -f1-3 /proc/loadavg)
	log=$build/logs/bench-$t.log
	if ! "$build/bin/bench" report "$t" "$(emulator "$t")" "$log" \
		"$out/$t.dat" >"$out/$t.md"; then
		echo "$t: no figures; the VM's last lines ($log):"
		tr -d '\r' <"$log" 2>/dev/null | tail -n 30 | sed "s/^/$t| /"
		status=1
		continue
	fi
	# What the VM had to say besides figures, quoted.
	grep -E '^bench: (error|note)' "$log" | tr -d '\r' |
		sed 's/^bench: /> /' >>"$out/$t.md"
	echo "The VM ran for $took s (boot included); the build machine's" \
	     "load average was $load0 before and $load1 after." >>"$out/$t.md"
	# Four series (both also without the L1D flush): 13 columns.
	matched=0
	cols=$(awk -F'\t' 'NR == 1 { print NF }' "$out/$t.dat")
	[ "${cols:-0}" -ge 13 ] && matched=1
	unit="cycles per exit (log scale)"
	case "$t" in
	bochs-*) unit="emulated instructions per exit (log scale)" ;;
	esac
	gnuplot -e "dat='$out/$t.dat'; out='$out/$t.svg'; matched=$matched" \
		-e "title='$t: $(emulator "$t")'; unit='$unit'" \
		"$here/../bench/plot.gp" || status=1
	cat "$out/$t.md"
	echo
done
exit $status
