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

tap() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then echo "ok $n $2"; else echo "not ok $n $2"; fi
}

# The command line first: --help names every option, mistakes are
# status 2, a missing guest is status 1.
help=$("$kvmini" run --help)
missing=
for o in --mem --cpus --mode --addr --entry --cmdline --backend --quiet; do
	case "$help" in *"$o"*) ;; *) missing="$missing $o" ;; esac
done
tap "$([ -z "$missing" ]; echo $?)" "kvmini run --help covers every option$missing"
for cmd in "--help" "help" "help run"; do
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
	out=$(printf '%s\n' "$input" |
	      timeout 120 "$kvmini" run -q -b "$backend" "$@" "$dir/$bin")
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
[ "$n" -gt 10 ] || tap 1 "guest tests found in $dir/tests.txt"
