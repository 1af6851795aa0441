#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# guest_tests.sh BACKEND GUEST_DIR KVMINI - run every guest the way its
# source says, on BACKEND (kvmini or kvm), and compare: TAP on stdout.
#
# GUEST_DIR holds the guests, their NAME.expected outputs and tests.txt,
# the "test:" lines collected from the guests' sources:
#
#   BINARY [OPTIONS] [<<< "INPUT"] => STATUS
#
# A guest passes when `kvmini run -b BACKEND OPTIONS BINARY`, with INPUT
# on stdin, prints exactly NAME.expected and exits with STATUS.
#
# Then the tool's own features on BACKEND: --in-kernel, --stat, --trace
# and `kvmini stat`.  --trace needs tracefs and `kvmini stat` debugfs:
# on the kvmini backend their absence is a failure (the test VMs mount
# both); on KVM, where only the host's /dev/kvm may be at hand, the trace
# test runs where tracefs is mounted.
backend=$1 dir=$2 kvmini=$3
n=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}

# The command line first: --help names every option, mistakes are
# status 2, a missing guest is status 1.
help=$("$kvmini" run --help)
missing=
for o in --mem --cpus --mode --addr --entry --cmdline --backend --quiet \
	 --in-kernel --stat --trace; do
	case "$help" in *"$o"*) ;; *) missing="$missing $o" ;; esac
done
tap "$([ -z "$missing" ]; echo $?)" "kvmini run --help covers every option$missing"
for cmd in "--help" "help" "help run" "help stat" "stat --help"; do
	# shellcheck disable=SC2086
	"$kvmini" $cmd | grep -q '^usage: kvmini'
	tap $? "kvmini $cmd prints a usage"
done
"$kvmini" --version | grep -Eq '^kvmini [0-9][0-9.]*, /dev/kvmini API [0-9]+$'
tap $? "kvmini --version names the version and the API"
"$kvmini" 2>/dev/null
tap "$([ $? = 2 ]; echo $?)" "kvmini: no command is a usage error"
"$kvmini" nosuch 2>/dev/null
tap "$([ $? = 2 ]; echo $?)" "kvmini: an unknown command is a usage error"
"$kvmini" run -b nosuch "$dir/hello.bin" 2>/dev/null
tap "$([ $? = 2 ]; echo $?)" "kvmini: an unknown backend is a usage error"
"$kvmini" run --cpus 99 "$dir/hello.bin" 2>/dev/null
tap "$([ $? = 2 ]; echo $?)" "kvmini: too many vCPUs is a usage error"
"$kvmini" run -q -b "$backend" "$dir/no-such-guest" 2>/dev/null
tap "$([ $? = 1 ]; echo $?)" "kvmini: a missing guest is status 1"

while read -r line; do
	[ -n "$line" ] || continue
	status=${line##*=> }
	cmd=${line% => *}
	input=
	case "$cmd" in
	*"<<< "*)
		input=${cmd#*<<< }
		cmd=${cmd%% <<< *}
		input=$(eval "printf '%s' $input")
		;;
	esac
	bin=${cmd%% *}
	opts=
	[ "$bin" = "$cmd" ] || opts=${cmd#* }
	eval "set -- $opts"
	# 300 s: smp64 alone takes about 28 s of CPU on the build machine's
	# KVM, and CI runs three emulators beside it.
	out=$(printf '%s\n' "$input" |
	      timeout 300 "$kvmini" run -q -b "$backend" "$@" "$dir/$bin")
	got=$?
	want=$(cat "$dir/${bin%.*}.expected")
	if [ "$got" = "$status" ] && [ "$out" = "$want" ]; then
		tap 0 "guest $bin on $backend"
	else
		tap 1 "guest $bin on $backend (status $got, want $status)"
		printf '%s\n' "$out" | sed 's/^/# got:  /'
		printf '%s\n' "$want" | sed 's/^/# want: /'
	fi
done <"$dir/tests.txt"
[ "$n" -gt 12 ] || tap 1 "guest tests found in $dir/tests.txt"

# ------------------------------------------------------------------
# --in-kernel, --stat, --trace, kvmini stat
# ------------------------------------------------------------------

hello=$dir/hello64.elf
hello_out=$(cat "$dir/hello64.expected")

# run [OPTIONS...]: hello64.elf on the backend, stdout to $tmp/out,
# stderr to $tmp/err; the status is returned.
run() {
	timeout 120 "$kvmini" run -b "$backend" "$@" >"$tmp/out" 2>"$tmp/err"
}

# has REGEX FILE: a line of FILE matches; says what it looked for if not.
has() {
	grep -Eq "$1" "$2" && return 0
	echo "# no line matches '$1' in:"
	sed 's/^/#   /' "$2"
	return 1
}

# count N REGEX FILE: exactly N lines of FILE match.
count() {
	c=$(grep -Ec "$2" "$3")
	[ "$c" = "$1" ] && return 0
	echo "# $c lines, not $1, match '$2' in:"
	sed 's/^/#   /' "$3"
	return 1
}

for spec in 0xe9 0xe9=nosuch 0x10000=sink 0xe9-0xe0=sink 0xe9=sink:1 \
	    0xe9=eventfd:x 0x=sink; do
	run -k "$spec" "$hello"
	st=$?
	[ "$st" = 2 ] && has "in-kernel $spec: " "$tmp/err" >/dev/null
	tap $? "--in-kernel $spec is a usage error, named (status $st)"
done
run -k 0xe0-0xef=sink -k 0xe9=console "$hello"
st=$?
[ "$st" = 2 ] && has 'overlaps 0xe0-0xef=sink' "$tmp/err"
tap $? "overlapping --in-kernel ranges are a usage error (status $st)"

# A sink swallows the output; an eventfd too, and counts its doorbells;
# with a value, only OUTs of that value ring (the two l's of "Hello").
run -k 0xe9=sink "$hello"
st=$?
[ "$st" = 1 ] && [ ! -s "$tmp/out" ]
tap $? "--in-kernel 0xe9=sink on $backend: no output (status $st)"
run -s -k 0xe9=eventfd "$hello"
st=$?
[ "$st" = 1 ] && [ ! -s "$tmp/out" ] &&
	has '^eventfd 0xe9=eventfd: 21 doorbells$' "$tmp/err"
tap $? "--in-kernel 0xe9=eventfd on $backend: 21 doorbells (status $st)"
run -s -k 233=eventfd:0x6c "$hello"
st=$?
[ "$st" = 1 ] && [ "$(cat "$tmp/out")" = "Heo from C, 64-bit" ] &&
	has '^eventfd 233=eventfd:0x6c: 2 doorbells$' "$tmp/err"
tap $? "--in-kernel 233=eventfd:0x6c on $backend: only the l's ring"

if [ "$backend" = kvm ]; then
	for kind in counter loopback console; do
		run -k 0xe9=$kind "$hello"
		st=$?
		[ "$st" = 1 ] && has "0xe9=$kind: $kind is kvmini-only" "$tmp/err"
		tap $? "--in-kernel 0xe9=$kind on kvm says kvmini-only (status $st)"
	done
	run -s "$hello"
	has '^kvm backend, exits to userspace: 22 ' "$tmp/err" &&
		has '^io +user +22 ' "$tmp/err"
	tap $? "--stat on kvm: the 22 I/O exits userspace saw"
fi

if [ "$backend" = kvmini ]; then
	grep -qw vmx /proc/cpuinfo && io=IO_INSTRUCTION vendor=vmx ||
		io=io vendor=svm

	# The console: the same output, 20 bytes completed in the kernel,
	# the line reaching userspace in one exit.
	run -s -k 0xe9=console "$hello"
	st=$?
	[ "$st" = 1 ] && [ "$(cat "$tmp/out")" = "$hello_out" ]
	tap $? "--in-kernel 0xe9=console: the same output (status $st)"
	has '^io +kernel +20 ' "$tmp/err" && has '^io +user +2 ' "$tmp/err" &&
		has '^0xe9 +kernel +20 ' "$tmp/err" &&
		has '^0xe9 +user +1 ' "$tmp/err" &&
		has "^$io +kernel +20 " "$tmp/err"
	tap $? "--stat: the console's 20 bytes in the kernel, one batch exit"
	run -s "$hello"
	has '^kvmini-vm-[0-9]+: 2[0-9] exits' "$tmp/err" &&
		has '^io +user +22 +[0-9.]+% +[0-9.]+% +[0-9]+ +[0-9]+ +[0-9]+$' \
		    "$tmp/err" && has "^$io +user +22 " "$tmp/err" &&
		has '^0xf4 +user +1 ' "$tmp/err"
	tap $? "--stat: the io row, the $io row and the ports"

	# Bytes the console still holds when isa-debug-exit ends the run
	# are printed at the end (real mode: out 'X' to 0xe9, out 0 to 0xf4).
	printf '\260X\346\351\260\000\346\364\364' >"$tmp/nonl.bin"
	run -k 0xe9=console "$tmp/nonl.bin"
	st=$?
	[ "$st" = 1 ] && [ "$(cat "$tmp/out")" = X ]
	tap $? "--in-kernel 0xe9=console: the last bytes without a newline"

	# counter and loopback answer exits64's IN from port 0x99.
	run -k 0x99=counter "$dir/exits64.elf"
	has '^exits: in from port 0x99: 1$' "$tmp/out"
	tap $? "--in-kernel 0x99=counter: the IN reads 1"
	run -k 0x99=loopback "$dir/exits64.elf"
	has '^exits: in from port 0x99: 0$' "$tmp/out"
	tap $? "--in-kernel 0x99=loopback: the IN reads 0"

	# A stop on an exit nobody serves names the hardware reason
	# (real mode: mov $0x401, %eax; mov %eax, %dr7 - a breakpoint).
	printf '\146\270\001\004\000\000\017\043\370\364' >"$tmp/dr7.bin"
	run "$tmp/dr7.bin"
	st=$?
	[ "$vendor" = vmx ] && name='0x1d DR_ACCESS' || name='0x37 write_dr7'
	[ "$st" = 1 ] && has "stopped: unhandled at rip 0x1006 \(hw reason $name info" \
		"$tmp/err"
	tap $? "a vCPU stopped on mov dr7 names its hardware reason (status $st)"
fi

tracefs=$(awk '$3 == "tracefs" { print $2; exit }' /proc/mounts)
if [ "$backend" = kvmini ] || [ -n "$tracefs" ]; then
	run -q -t"$tmp/trace" "$hello"
	st=$?
	if [ "$backend" = kvmini ]; then
		# Every exit: 22 OUTs to userspace, whatever the kernel did.
		[ "$st" = 1 ] && [ "$(cat "$tmp/out")" = "$hello_out" ] &&
		has "kvmini_exit: vcpu 0 $vendor $io rip 0x[0-9a-f]+ info 0x[0-9a-f]+ 0x[0-9a-f]+: io, user$" \
			"$tmp/trace" &&
		count 22 ': io, user$' "$tmp/trace" &&
		count 21 'kvmini_pio: vcpu 0 out port 0xe9 size 1 count 1 ' \
		      "$tmp/trace" &&
		count 0 kvmini_entry "$tmp/trace"
	else
		[ "$st" = 1 ] &&
		has "kvm_exit: .*reason (IO_INSTRUCTION|io) rip" "$tmp/trace"
	fi
	tap $? "--trace on $backend: every exit by its hardware name (status $st)"
	ls -d "$tracefs"/instances/kvmini-* >/dev/null 2>&1
	tap "$([ $? != 0 ]; echo $?)" "--trace removes its tracefs instance"
fi
if [ "$backend" = kvmini ]; then
	run -q -t"$tmp/trace" -k 0xe9=console "$hello"
	count 20 'kvmini_fastpath: vcpu 0 console out port 0xe9 size 1 value 0x[0-9a-f]+: done$' \
	      "$tmp/trace" &&
		has 'kvmini_fastpath: .* value 0xa: done, exit$' "$tmp/trace" &&
		count 20 'kvmini_exit: .*: io, kernel$' "$tmp/trace"
	tap $? "--trace shows the console's in-kernel exits"

	# kvmini stat: a guest that writes '.' and spins (real mode: out to
	# 0xe9, jmp .) until SIGTERM ends the run cleanly (128 + 15).
	printf '\260.\346\351\353\376' >"$tmp/spin.bin"
	"$kvmini" run -q "$tmp/spin.bin" >/dev/null 2>&1 &
	pid=$!
	tries=0
	until "$kvmini" stat "$pid" >"$tmp/stat" 2>&1 &&
	      grep -Eq '^0xe9 +user +1 ' "$tmp/stat" || [ $tries = 60 ]; do
		sleep 0.5
		tries=$((tries + 1))
	done
	has "^$pid-[0-9]+: " "$tmp/stat" && has '^io +user +1 ' "$tmp/stat"
	tap $? "kvmini stat PID finds the running VM and its exit"
	"$kvmini" stat >"$tmp/stat" 2>&1
	has "^$pid-[0-9]+: " "$tmp/stat"
	tap $? "kvmini stat finds every running VM"
	kill -TERM "$pid"
	wait "$pid"
	st=$?
	tap "$([ $st = 143 ]; echo $?)" "SIGTERM ends a run with status 143 (got $st)"
	# The same with an AP that waits for a STARTUP that never comes: the
	# signal must stop it too.  Bounded: a missed wakeup hangs for good.
	"$kvmini" run -q -c 2 "$tmp/spin.bin" >/dev/null 2>&1 &
	pid=$!
	sleep 1
	kill -TERM "$pid"
	tries=0
	while kill -0 "$pid" 2>/dev/null && [ $tries -lt 100 ]; do
		sleep 0.1
		tries=$((tries + 1))
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	wait "$pid"
	st=$?
	tap "$([ $st = 143 ]; echo $?)" \
		"SIGTERM ends a run whose AP waits for STARTUP (got $st)"
	"$kvmini" stat >/dev/null 2>"$tmp/err"
	st=$?
	[ "$st" = 1 ] && has 'no kvmini VM is running' "$tmp/err"
	tap $? "kvmini stat without a VM says so (status $st)"
fi
