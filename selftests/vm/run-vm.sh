#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run-vm.sh TARGET MODE BUILD CACHE [NAME] - boot one test VM.
#
# TARGET is qemu-svm-6.1, qemu-svm-6.12, bochs-vmx-6.1, qemu-svm-own (the
# kernel of make KERNEL=...) or qemu-svm-debug (the debug kernel of
# `make check-debug`, selftests/vm/debug-kernel.sh); MODE is check, run,
# bench, shell, linux, debug or fuzz (see init.sh; shell and linux are
# interactive).  In check, run and bench mode the serial console
# is written to BUILD/logs/NAME.log (NAME defaults to TARGET) and a
# watchdog ends the VM when
#   - the serial log has not grown for KVMINI_STALL seconds (default 180
#     for QEMU; 300 for Bochs, whose boot alone is silent for 70 s),
#   - it still runs after KVMINI_TIMEOUT seconds (default 600 and 2400),
#   - or it printed "kvmini-vm: done" but did not power off in 30 s.
# A VM stopped for the first two reasons leaves BUILD/logs/NAME.diag: why,
# the serial log's tail and the emulator's own output and log, which
# check.sh prints.  BUILD/logs/NAME.time says how long the VM ran and its
# longest silence.  Exits 0 if the VM printed "kvmini-vm: done".
#
# Also from the environment:
#   KVMINI_APPEND     added to the guest kernel's command line, e.g.
#                     kvmini.hang (init.sh then hangs on purpose)
#   KVMINI_BOCHS_DBG  Bochs debugger commands to run before the VM starts,
#                     e.g. a breakpoint (every stop is continued)
set -uo pipefail

target=$1 mode=$2 build=$3 cache=$4 name=${5:-$1}
series=${target##*-}
if [ "$series" = own ]; then
	# make KERNEL=... KDIR=...: the developer's kernel (own-kernel.sh).
	kernel=$build/kernel-own/vmlinuz
	initrd=$build/initramfs-own.cpio.gz
else
	kver=$(sed -n "s/^KVER_$series := //p" "$cache/versions.mk" \
		"$cache/debug-kernel.mk" 2>/dev/null)
	[ -n "$kver" ] || { echo "run-vm: unknown target $target" >&2; exit 2; }
	kernel=$cache/kernels/$kver/vmlinuz
	initrd=$build/initramfs-$kver.cpio.gz
fi
append="console=ttyS0 quiet panic=-1 kvmini.mode=$mode ${KVMINI_APPEND:-}"
mem=512
if [ "$series" = debug ]; then
	# Warnings reach the console too (lockdep's, WARN's), so a VM that
	# dies still shows them; KASAN's shadow and kmemleak want memory.
	append=${append/quiet/loglevel=5}
	mem=1024
fi
logs=$build/logs
log=$logs/$name.log
# The benchmark's QEMU VMs touch up to 1 GiB of guest memory.
[ "$mode" = bench ] && mem=2048
diag=$logs/$name.diag
mkdir -p "$logs"
rm -f "$diag" "$logs/$name.time"

qemu_args() {
	# One TCG thread for both vCPUs.  With a thread per vCPU, QEMU 7.2
	# can keep running stale translated code after the guest kernel
	# patches its own text: a static key flipped while the other CPU is
	# in __schedule (KVM flips preempt_notifier_key with every VM it
	# creates and destroys) and that CPU hit the int3 of a finished
	# text_poke_bp: the VM hung or oopsed.
	local accel=tcg,thread=single
	# Nested SVM through the host's KVM only where the host really has it.
	if grep -qw svm /proc/cpuinfo && [ -w /dev/kvm ]; then
		accel=kvm
	fi
	qemu=(qemu-system-x86_64 -accel "$accel" -cpu max -m "$mem" -smp 2
	      -nographic -no-reboot -kernel "$kernel" -initrd "$initrd"
	      -append "$append")
}

# Bochs boots an ISO: isolinux with the same kernel and initramfs.
bochs_prepare() {
	local iso=$dir/kvmini.iso
	mkdir -p "$dir/iso/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 \
		"$dir/iso/isolinux/"
	cp "$kernel" "$dir/iso/vmlinuz"
	cp "$initrd" "$dir/iso/initrd.gz"
	# Bochs' TSC runs at its ips rate: tell Linux, or time crawls.
	# Bochs 2.7's CPUID 0xD.1 gives the standard XSAVE size for the
	# compacted form; Linux sees the sizes disagree and turns XSAVE off,
	# and AVX with it.  Without XSAVEC and XSAVES it uses the standard
	# form, whose size Bochs reports right (measured with PKU off too).
	local extra="tsc_early_khz=200000 noxsaves clearcpuid=xsavec nopku"
	cat >"$dir/iso/isolinux/isolinux.cfg" <<CFG
default kvmini
prompt 0
label kvmini
  kernel /vmlinuz
  append initrd=/initrd.gz $append $extra
CFG
	xorriso -as mkisofs -quiet -o "$iso" -b isolinux/isolinux.bin \
		-c isolinux/boot.cat -no-emul-boot -boot-load-size 4 \
		-boot-info-table "$dir/iso" 2>/dev/null
	cat >"$dir/bochsrc" <<RC
cpu: model=corei7_skylake_x, count=2, ips=200000000
megs: 512
clock: sync=none
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path=$iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=$log
display_library: term
speaker: enabled=0
sound: waveoutdrv=dummy
log: $dir/bochs.log
panic: action=fatal
error: action=report
RC
	# The debugger starts stopped and reads this file first: continue.
	{ [ -n "${KVMINI_BOCHS_DBG:-}" ] && echo "$KVMINI_BOCHS_DBG"
	  echo c; } >"$dir/cmds"
}

# Every later debugger stop (a breakpoint, or one of the guest events
# Bochs stops on) reads its next command from the terminal, and with
# nothing there Bochs waits at its prompt for ever (seen with stdin from
# /dev/null).  So the terminal always has a "continue" waiting: one a
# second, which never fills the pty's buffers.
feed_continue() {
	while :; do
		echo c || exit 0
		sleep 1
	done
}

# Bochs' term display draws the guest's screen with curses on a second
# pseudo-terminal that Bochs opens itself and names on its own terminal.
# Nobody reads it, so it fills up and Bochs blocks writing to it: drain
# it into vga.log, in raw mode so nothing is echoed back as keystrokes.
drain_screen() {
	local pts= i
	for ((i = 0; i < 120; i++)); do
		pts=$(tr -d '\r' <"$dir/screen.log" 2>/dev/null |
		      sed -n 's|^Bochs connected to screen "\(/dev/pts/[0-9]*\)"$|\1|p')
		[ -n "$pts" ] && break
		kill -0 "$vm" 2>/dev/null || return
		sleep 0.5
	done
	[ -n "$pts" ] || return
	{ stty raw -echo 2>/dev/null; exec cat; } <"$pts" >"$dir/vga.log" 2>/dev/null
}

# A process and everything it started (script puts Bochs in a session of
# its own, so a process group would miss it).
tree() {
	local c
	echo "$1"
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		tree "$c"
	done
}

alive() {
	local p
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && return 0
	done
	return 1
}

# The emulator first, then whatever started it: each parent reaps its
# child (an orphan would stay a zombie where init does not reap).
stop_vm() {
	local pids p i
	pids=$(tree "$vm" | tac)
	for p in $pids; do
		# Bochs' term display quits on SIGHUP and ignores SIGTERM.
		kill -HUP "$p" 2>/dev/null
		kill -TERM "$p" 2>/dev/null
		for ((i = 0; i < 10; i++)); do
			alive "$p" || break
			sleep 0.2
		done
	done
	for ((i = 0; i < 10; i++)); do
		alive $pids || return
		sleep 0.5
	done
	kill -KILL $pids 2>/dev/null
}

tail_of() {	# TITLE FILE LINES
	[ -s "$2" ] || return
	echo "--- $1 ($2), last $3 lines:"
	tr -d '\r' <"$2" | tail -n "$3"
}

# Why the VM was stopped, and what it and its emulator said last.
write_diag() {
	{
		echo "run-vm: $name: $1"
		tail_of "serial console" "$log" 40
		case "$target" in
		qemu-*)
			tail_of "QEMU's own output" "$emu_log" 20
			;;
		bochs-*)
			tail_of "Bochs' terminal" "$dir/screen.log" 30
			tail_of "Bochs' log" "$dir/bochs.log" 20
			# The curses stream, reduced to its text.
			if [ -s "$dir/vga.log" ]; then
				echo "--- the guest's VGA screen ($dir/vga.log), text only:"
				sed 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1b[()][0-9A-Za-z]//g' \
					"$dir/vga.log" | tr -s '\r ' '\n ' |
					grep -a '[[:alnum:]]' | tail -n 10
			fi
			;;
		esac
	} >"$diag"
}

# Wait for the VM, ending it when it goes silent or runs too long.
watch_vm() {
	local start=$SECONDS last=$SECONDS size=0 now_size silence=0 done_at=
	local why= first=
	while kill -0 "$vm" 2>/dev/null; do
		sleep 1
		now_size=$(stat -c %s "$log" 2>/dev/null || echo 0)
		if [ "$now_size" != "$size" ]; then
			size=$now_size
			last=$SECONDS
			: "${first:=$((SECONDS - start))}"
		fi
		((SECONDS - last > silence)) && silence=$((SECONDS - last))
		if [ -z "$done_at" ] && grep -q 'kvmini-vm: done' "$log"; then
			done_at=$SECONDS
		fi
		if [ -n "$done_at" ]; then
			if ((SECONDS - done_at >= 30)); then
				echo "run-vm: $name finished but did not power off: stopped" >&2
				stop_vm
				break
			fi
		elif ((SECONDS - last >= stall)); then
			why="no serial output for $stall s (KVMINI_STALL), after $((SECONDS - start)) s: stopped"
		elif ((SECONDS - start >= timeout)); then
			why="still running after $timeout s (KVMINI_TIMEOUT): stopped"
		fi
		if [ -n "$why" ]; then
			stop_vm
			write_diag "$why"
			break
		fi
	done
	wait "$vm" 2>/dev/null
	echo "$name: the VM ran $((SECONDS - start)) s, first output after" \
	     "${first:--} s, longest silence $silence s" >"$logs/$name.time"
}

: >"$log"
case "$target" in
qemu-svm-*)
	qemu_args
	if [ "$mode" = shell ] || [ "$mode" = linux ]; then
		exec "${qemu[@]}"
	fi
	stall=${KVMINI_STALL:-180}
	timeout=${KVMINI_TIMEOUT:-600}
	# The debug kernel runs everything several times slower.
	[ "$series" = debug ] && timeout=${KVMINI_TIMEOUT:-3600}
	emu_log=$logs/$name.qemu.log
	"${qemu[@]}" </dev/null >"$log" 2>"$emu_log" &
	vm=$!
	;;
bochs-vmx-*)
	if [ "$mode" = shell ] || [ "$mode" = linux ]; then
		echo "run-vm: Bochs has no interactive console here; use a qemu target" >&2
		exit 2
	fi
	dir=$build/bochs-$name
	bochs_prepare
	stall=${KVMINI_STALL:-300}
	timeout=${KVMINI_TIMEOUT:-2400}
	# The last run's screen.log names a terminal that is gone (or now
	# someone else's): drain_screen must not find it before Bochs'
	# redirection below empties the file.
	rm -f "$dir/vga.log" "$dir/screen.log" "$dir/cmds.fifo"
	mkfifo "$dir/cmds.fifo"
	feed_continue >"$dir/cmds.fifo" &
	feeder=$!
	# Bochs' term display needs a sized terminal; the console is com1.
	# Nothing echoes the fed commands.  Its terminal output goes to a
	# file, which never blocks.
	TERM=vt100 script -qfec "stty rows 30 cols 100 -echo; \
		exec bochs -q -f $dir/bochsrc -rc $dir/cmds" /dev/null \
		<"$dir/cmds.fifo" >"$dir/screen.log" 2>&1 &
	vm=$!
	drain_screen &
	drainer=$!
	;;
*)
	echo "run-vm: unknown target $target" >&2
	exit 2
	;;
esac

# The watchdog says how the VM ended, not the shell's job messages.
disown -a
# In run mode, show the console as it comes.
if [ "$mode" = run ]; then
	tail -n +1 -f --pid="$vm" "$log" &
	tailer=$!
fi
watch_vm
kill ${feeder:-} ${drainer:-} 2>/dev/null
if [ -n "${tailer:-}" ]; then
	wait "$tailer"
fi
# check.sh and check-debug.sh print the diagnosis themselves.
if [ -s "$diag" ] && [ "$mode" = run ]; then
	cat "$diag" >&2
fi
grep -q 'kvmini-vm: done' "$log"
