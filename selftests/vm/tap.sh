# SPDX-License-Identifier: GPL-2.0
#
# tap.sh - sourced by the host-side tests: TAP lines that check.sh counts.
#
#   check NAME COMMAND...   "ok N NAME" if COMMAND succeeds, else "not ok"
#   tap_done                the end marker check.sh looks for; exits 1 if
#                           anything failed
tap_n=0
tap_failed=0

check() {
	local name=$1
	shift
	tap_n=$((tap_n + 1))
	if "$@"; then
		echo "ok $tap_n $name"
	else
		echo "not ok $tap_n $name"
		tap_failed=1
	fi
}

tap_done() {
	echo "kvmini-vm: done"
	exit $tap_failed
}
