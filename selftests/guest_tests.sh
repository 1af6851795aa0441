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
backend=$1 dir=$2 kvmini=$3
n=0

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
	out=$(printf '%s\n' "$input" |
	      timeout 120 "$kvmini" run -q -b "$backend" "$@" "$dir/$bin")
	got=$?
	want=$(cat "$dir/${bin%.*}.expected")
	n=$((n + 1))
	if [ "$got" = "$status" ] && [ "$out" = "$want" ]; then
		echo "ok $n guest $bin on $backend"
	else
		echo "not ok $n guest $bin on $backend (status $got, want $status)"
		printf '%s\n' "$out" | sed 's/^/# got:  /'
		printf '%s\n' "$want" | sed 's/^/# want: /'
	fi
done <"$dir/tests.txt"
[ "$n" -gt 0 ] || echo "not ok 1 no guest tests found in $dir/tests.txt"
