# SPDX-License-Identifier: GPL-2.0
#
# kvmini - build, run and test everything.
#
#   make                 build the module, the tool, the guests and the tests
#   make setup           install and unpack what the VMs need (Debian, root)
#   make run             set up, boot the default VM, run the hello guest
#   make check           set up, run the selftests in every VM target
#   make check VM=NAME   ... in one target (see TARGETS and CHECKS)
#   make check VM=NAME ONLY=torture_test,linux   ... only these, for a
#                        quicker round while working on something
#   make check-watchdog  a VM that hangs on purpose must be stopped
#   make check KERNEL=path/to/bzImage KDIR=path/to/its/tree
#                        the QEMU target on your own kernel (also run, shell)
#   make check-linux     Linux booted in kvmini in every target, Bochs too
#   make check-debug     every selftest, the fuzzer and a kmemleak scan on a
#                        KASAN/lockdep/UBSAN kernel built from linux-source
#   make fuzz SECONDS=N SEED=S [VM=NAME]   the ioctl fuzzer, in a VM
#   make shell VM=NAME   an interactive VM with kvmini loaded
#   make linux VM=NAME [BACKEND=kvm]
#                        ... and the VM's own kernel booted in kvmini, a shell
#   make bench [VM=NAME] kvmini's cost per exit next to KVM's, per target
#   make checkpatch      the kernel's checkpatch on kmod/
#   make install         the module, the tool, the headers, libkvmini.a
#                        with its pkg-config file, the man page, the udev
#                        rule (DESTDIR, PREFIX: /usr/local)
#   make dkms-install    the module's sources into /usr/src, then DKMS
#   make clean
#
# On a real host with VMX or SVM, `make` builds kmod/kvmini.ko for the
# running kernel (KDIR defaults to /lib/modules/$(uname -r)/build when it
# exists); elsewhere for the default VM's kernel, from the headers that
# `make setup` unpacked into the cache.

CACHE	?= /var/cache/kvmini
BUILD	:= $(CURDIR)/build
BIN	:= $(BUILD)/bin

# Written by selftests/vm/setup.sh: KVER_6.1 and KVER_6.12.
-include $(CACHE)/versions.mk
# Written by selftests/vm/debug-kernel.sh: KVER_debug, the debug kernel.
-include $(CACHE)/debug-kernel.mk

TARGETS	:= qemu-svm-6.1 qemu-svm-6.12 bochs-vmx-6.1
# make check also checks the test bed's watchdog, make install and DKMS.
CHECKS	:= $(TARGETS) watchdog install dkms
VM	?=
RUN_VM	:= $(or $(VM),qemu-svm-6.1)
KVERS	:= $(KVER_6.1) $(KVER_6.12)

# Your own kernel: make check|run|shell KERNEL=path/to/bzImage KDIR=path/to/
# its build tree boots it in the QEMU target qemu-svm-own, with kvmini.ko
# built against KDIR ("own" stands for its version below).
KERNEL	?=
ifneq ($(KERNEL),)
ifeq ($(origin KDIR),undefined)
$(error KERNEL=$(KERNEL) needs KDIR=, the tree that kernel was built in)
endif
CHECKS	:= qemu-svm-own
RUN_VM	:= $(or $(VM),qemu-svm-own)
KVERS	:= own
endif

# Each guest kernel: the directory with its image and KVM modules, and the
# headers to build against (for Debian's, what `make setup` unpacked).
KERNELDIR = $(if $(filter own,$(1)),$(BUILD)/kernel-own,$(CACHE)/kernels/$(1))
KHEADERS = $(if $(filter own,$(1)),$(KDIR),$(CACHE)/kernels/$(1)/build)
HOST_KDIR := $(shell d=/lib/modules/$$(uname -r)/build; \
		     [ -f $$d/Makefile ] && echo $$d)
KDIR	?= $(or $(HOST_KDIR),$(call KHEADERS,$(KVER_6.1)))

# DKMS wants the version in dkms.conf: it is read from there.
VERSION	:= $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(CURDIR)/dkms.conf)

CC	:= gcc
CFLAGS	:= -O2 -g -Wall -Wextra -Wno-unused-parameter -std=gnu11 \
	   -I$(CURDIR)/kmod/uapi -I$(CURDIR)/user -DKVMINI_VERSION='"$(VERSION)"'
# The VMs' initramfs has no C library: link everything statically.
LDFLAGS	:= -static

include user/libkvmini.mk
LIB_SRCS	:= $(addprefix user/,$(LIBKVMINI_SRCS))
LIB_HDRS	:= $(addprefix user/,$(LIBKVMINI_HDRS)) kmod/uapi/kvmini.h
KMOD_SRCS	:= Kbuild $(shell find kmod \( -name '*.[chS]' -o -name '*.inc' -o \
		   -name Kbuild \) \
		   ! -name '*.mod.c')
SELFTESTS	:= $(patsubst selftests/%.c,$(BIN)/%,$(wildcard selftests/*_test.c)) \
		   $(BIN)/kvm_helper $(BIN)/kvmini-fuzz
GUESTS		:= $(patsubst guests/real/%.S,$(BUILD)/guests/%.bin,$(wildcard guests/real/*.S))

.PHONY: FORCE all build setup module modules user lib guests selftests run check \
	check-watchdog shell linux checkpatch clean vm-images install \
	install-module install-user uninstall dkms-src dkms-install bench \
	check-debug debug-image fuzz check-linux

all: build

setup:
	@bash selftests/vm/setup.sh $(CACHE)

build: module user lib guests selftests

# --- the module -----------------------------------------------------

module:
	@[ -f "$(KDIR)/Makefile" ] || { echo "No kernel headers in" \
		"'$(KDIR)': pass KDIR=, or run 'make setup' on Debian" >&2; \
		exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# One build directory per guest kernel, so both can coexist.
$(BUILD)/mod-%/kmod/kvmini.ko: $(KMOD_SRCS)
	@rm -rf $(BUILD)/mod-$*
	@mkdir -p $(BUILD)/mod-$*
	@cp -r Kbuild kmod $(BUILD)/mod-$*/
	$(MAKE) -C $(call KHEADERS,$*) M=$(BUILD)/mod-$* modules

modules: $(foreach v,$(KVERS),$(BUILD)/mod-$(v)/kmod/kvmini.ko)

# A rebuilt debug kernel (same version string) needs the module again.
ifneq ($(KVER_debug),)
$(BUILD)/mod-$(KVER_debug)/kmod/kvmini.ko: $(CACHE)/debug-kernel.mk
endif

# --- userspace: the tool, the guests, the selftests -----------------

user: $(BIN)/kvmini

# The library for other programs, as an archive: libkvmini.a.
LIB_OBJS	:= $(patsubst user/%.c,$(BUILD)/lib/%.o,$(LIB_SRCS))
lib: $(BUILD)/lib/libkvmini.a

$(BUILD)/lib/%.o: user/%.c $(LIB_HDRS)
	@mkdir -p $(BUILD)/lib
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/lib/libkvmini.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

TOOL_SRCS	:= user/kvmini.c user/device.c user/loader.c user/bzimage.c \
		   user/mptable.c \
		   user/irq.c user/iothread.c user/ports.c user/stat.c \
		   user/trace.c $(wildcard user/devices/*.c)
TOOL_HDRS	:= user/device.h user/loader.h user/multiboot.h user/irq.h \
		   user/iothread.h user/ports.h user/stat.h user/trace.h \
		   $(wildcard user/devices/*.h)

$(BIN)/kvmini: $(TOOL_SRCS) $(TOOL_HDRS) $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(TOOL_SRCS) $(LIB_SRCS) -lpthread

# C guests on guests/lib: NAME32.elf (ELF32), NAME_mb.elf (Multiboot),
# NAME64.elf (ELF64).  No SSE: the guests run with CR4.OSFXSR clear.
GUEST_CFLAGS	:= -O2 -Wall -ffreestanding -fno-pic -fno-pie -nostdlib -static \
		   -Wl,--no-warn-rwx-segments -Wl,-z,noexecstack \
		   -fno-stack-protector -fno-asynchronous-unwind-tables \
		   -Iguests/lib -Iuser/devices -Iuser
GUEST_CFLAGS32	:= $(GUEST_CFLAGS) -m32 -march=i686
GUEST_CFLAGS64	:= $(GUEST_CFLAGS) -m64 -mno-red-zone -mgeneral-regs-only
GUESTS_C32	:= hello testdev pci
GUESTS_MB	:= hello multiboot
GUESTS_C64	:= hello testdev uart exits smp timer uart_irq rtc
GUESTS		+= $(patsubst %,$(BUILD)/guests/%32.elf,$(GUESTS_C32)) \
		   $(patsubst %,$(BUILD)/guests/%_mb.elf,$(GUESTS_MB)) \
		   $(patsubst %,$(BUILD)/guests/%64.elf,$(GUESTS_C64))
GUEST_LIB	:= guests/lib/printf.c guests/lib/guest.h guests/lib/guest.ld \
		   guests/lib/intr.c guests/lib/apic.c guests/lib/ap64.S user/devices/testdev.h user/multiboot.h
# The runtime every guest links, after its entry code.
GUEST_RT32	:= guests/lib/intr32.S guests/lib/printf.c guests/lib/intr.c
GUEST_RT64	:= guests/lib/intr64.S guests/lib/printf.c guests/lib/intr.c \
		   guests/lib/apic.c guests/lib/ap64.S

# A Multiboot image at 0x8000, below the library's tables at 0x10000: one
# vCPU's stack keeps it small enough.
GUESTS		+= $(BUILD)/guests/multiboot_low_mb.elf

$(BUILD)/guests/multiboot_low_mb.elf: guests/multiboot_low.c guests/lib/crt32.S \
		guests/lib/multiboot.S guests/lib/intr32.S $(GUEST_LIB)
	@mkdir -p $(BUILD)/guests
	$(CC) $(GUEST_CFLAGS32) -DGUEST_STACKS=1 -Wl,-m,elf_i386 \
		-Wl,--defsym,GUEST_BASE=0x8000 -Wl,-T,guests/lib/guest.ld \
		-Wl,--build-id=none -o $@ guests/lib/multiboot.S \
		guests/lib/crt32.S $(GUEST_RT32) $< -lgcc

# A flat 64-bit image, for the loader's --mode long.
GUESTS		+= $(BUILD)/guests/hello64.bin
GUEST_SRCS	:= $(wildcard guests/*.c guests/real/*.S)
GUEST_EXPECTED	:= $(wildcard guests/*.expected guests/real/*.expected)

guests: $(GUESTS) $(BUILD)/guests/tests.txt

$(BUILD)/guests/hello64.bin: $(BUILD)/guests/hello64.elf
	objcopy -O binary $< $@

# The "test:" lines of the guests' sources, and their expected outputs.
$(BUILD)/guests/tests.txt: $(GUEST_SRCS) $(GUEST_EXPECTED)
	@mkdir -p $(BUILD)/guests
	cp $(GUEST_EXPECTED) $(BUILD)/guests/
	sed -n 's/^ \* test: //p' $(GUEST_SRCS) >$@

$(BUILD)/guests/%.bin: guests/real/%.S guests/real/real.ld
	@mkdir -p $(BUILD)/guests
	$(CC) -m32 -c $< -o $(BUILD)/guests/$*.o
	ld -m elf_i386 -T guests/real/real.ld $(BUILD)/guests/$*.o -o $@

$(BUILD)/guests/%32.elf: guests/%.c guests/lib/crt32.S guests/lib/intr32.S \
		$(GUEST_LIB)
	@mkdir -p $(BUILD)/guests
	$(CC) $(GUEST_CFLAGS32) -Wl,-m,elf_i386 -Wl,-T,guests/lib/guest.ld \
		-Wl,--build-id=none -o $@ guests/lib/crt32.S \
		$(GUEST_RT32) $< -lgcc

$(BUILD)/guests/%_mb.elf: guests/%.c guests/lib/crt32.S guests/lib/multiboot.S \
		guests/lib/intr32.S $(GUEST_LIB)
	@mkdir -p $(BUILD)/guests
	$(CC) $(GUEST_CFLAGS32) -Wl,-m,elf_i386 -Wl,-T,guests/lib/guest.ld \
		-Wl,--build-id=none -o $@ guests/lib/multiboot.S \
		guests/lib/crt32.S $(GUEST_RT32) $< -lgcc

$(BUILD)/guests/%64.elf: guests/%.c guests/lib/crt64.S guests/lib/intr64.S \
		$(GUEST_LIB)
	@mkdir -p $(BUILD)/guests
	$(CC) $(GUEST_CFLAGS64) -Wl,-T,guests/lib/guest.ld \
		-Wl,--build-id=none -o $@ guests/lib/crt64.S \
		$(GUEST_RT64) $<

# selftests/Makefile builds them, with kselftest's conventions; linked
# statically for the VMs.
KSFT_INC	?= $(CACHE)/kselftest
selftests: $(SELFTESTS) $(BIN)/bench

$(SELFTESTS) &: $(wildcard selftests/*.c selftests/*.h selftests/fuzz/*) \
		selftests/Makefile \
		$(LIB_SRCS) $(LIB_HDRS)
	$(MAKE) -C selftests OUTPUT=$(BIN) KSFT_INC=$(KSFT_INC) \
		USERLDFLAGS=-static

# The benchmark (selftests/bench/bench.c says why it lives there).
BENCH_SRCS	:= selftests/bench/bench.c selftests/bench/report.c \
		   selftests/bench/bench_guest.S
$(BIN)/bench: $(BENCH_SRCS) selftests/bench/bench.h $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(BENCH_SRCS) $(LIB_SRCS) -lpthread

# --- the VMs ----------------------------------------------------------

INITRAMFS = $(BUILD)/initramfs-$(1).cpio.gz

$(BUILD)/initramfs-%.cpio.gz: $(BUILD)/mod-%/kmod/kvmini.ko $(BIN)/kvmini \
		$(SELFTESTS) $(BIN)/bench $(GUESTS) $(BUILD)/guests/tests.txt \
		selftests/guest_tests.sh selftests/vm/mkinitramfs.sh \
		selftests/vm/init.sh selftests/vm/in-vm-tests.sh \
		selftests/vm/in-vm-bench.sh selftests/vm/in-vm-debug.sh \
		selftests/linux_tests.sh \
		guests/linux/init.sh guests/linux/mkinitramfs.sh
	bash selftests/vm/mkinitramfs.sh $@ $* $(call KERNELDIR,$*) \
		$(BUILD)/mod-$*/kmod/kvmini.ko $(BIN) $(BUILD)/guests

# Your own kernel, checked against selftests/config first; kernel-own.id
# changes with KERNEL or KDIR, so that another kernel means a rebuild.
$(BUILD)/kernel-own.id: FORCE
	@mkdir -p $(BUILD)
	@echo "$(abspath $(KERNEL)) $(abspath $(KDIR))" | cmp -s - $@ || \
		echo "$(abspath $(KERNEL)) $(abspath $(KDIR))" >$@
$(BUILD)/kernel-own/vmlinuz: $(BUILD)/kernel-own.id $(KERNEL) $(KDIR)/.config \
		selftests/config selftests/vm/own-kernel.sh
	bash selftests/vm/own-kernel.sh $(KERNEL) $(KDIR) $(BUILD)/kernel-own
$(BUILD)/mod-own/kmod/kvmini.ko: $(BUILD)/kernel-own/vmlinuz
$(BUILD)/initramfs-own.cpio.gz: $(BUILD)/kernel-own/vmlinuz

vm-images: $(foreach v,$(KVERS),$(call INITRAMFS,$(v)))

run: setup
	$(MAKE) vm-images
	@bash selftests/vm/run-vm.sh $(RUN_VM) run $(BUILD) $(CACHE)

shell: setup
	$(MAKE) vm-images
	@bash selftests/vm/run-vm.sh $(RUN_VM) shell $(BUILD) $(CACHE)

# The VM's own kernel booted in kvmini inside the VM, with a shell.
# BACKEND=kvm: on the VM's KVM instead.
linux: setup
	$(MAKE) vm-images
	@KVMINI_APPEND="$(if $(BACKEND),kvmini.backend=$(BACKEND))" \
		bash selftests/vm/run-vm.sh $(RUN_VM) linux $(BUILD) $(CACHE)

# VM= may also name the checks that are not VM targets: make check VM=dkms.
# ONLY=NAME,...: in the VMs, just these selftests (torture_test) or
# sections (guests, linux, bench, kvm, nmi), for a quicker round.
# LINUX_APPEND=A,B: more for the command line of the Linux booted in
# kvmini (nopti,nopcid), for hunting a boot problem.
check: setup
	$(MAKE) vm-images
	@KVMINI_APPEND="$(if $(ONLY),kvmini.only=$(ONLY)) $(if $(LINUX_APPEND),kvmini.linux_append=$(LINUX_APPEND))" \
		bash selftests/vm/check.sh $(BUILD) $(CACHE) $(or $(VM),$(CHECKS))

# The VMs' own kernels booted in kvmini and on KVM in every target,
# Bochs' included: make check leaves those out under Bochs (minutes each).
check-linux: setup
	$(MAKE) vm-images
	@KVMINI_APPEND="kvmini.only=linux $(if $(LINUX_APPEND),kvmini.linux_append=$(LINUX_APPEND))" \
		bash selftests/vm/check.sh $(BUILD) $(CACHE) $(or $(VM),$(TARGETS))

# The debug kernel (built once, then cached), every selftest, the fuzzer
# (seeds SEED to SEED+3, default 1) and kmemleak on it, in QEMU (SVM);
# see selftests/vm/in-vm-debug.sh.
# VMX is not included: one Bochs boot of the debug kernel would not
# finish within CI's time (README).
check-debug: setup
	bash selftests/vm/debug-kernel.sh $(CACHE)
	$(MAKE) debug-image
	@KVMINI_APPEND="kvmini.fuzz_seed=$(or $(SEED),1)" \
		bash selftests/vm/check-debug.sh $(BUILD) $(CACHE) qemu-svm-debug debug

debug-image:
	$(if $(KVER_debug),,$(error no debug kernel: run make check-debug))
	$(MAKE) $(call INITRAMFS,$(KVER_debug))

# The soak: `make fuzz SECONDS=3600 SEED=42` (SEED: default the time;
# VM: default qemu-svm-6.12; qemu-svm-debug for the debug kernel).
# CALLS=N: calls per run (default 20000); a failure check-debug reports
# ("seed 0x2 call 20342") comes back with SEED=2 CALLS=25000.
SECONDS	?= 300
SEED	?=
CALLS	?=
FUZZ_VM	:= $(or $(VM),qemu-svm-6.12)
fuzz: setup
	$(if $(filter qemu-svm-debug,$(FUZZ_VM)), \
		bash selftests/vm/debug-kernel.sh $(CACHE) && $(MAKE) debug-image, \
		$(MAKE) vm-images)
	@KVMINI_TIMEOUT=$$(($(SECONDS) + 1200)) \
	KVMINI_APPEND="kvmini.fuzz_seconds=$(SECONDS) $(if $(SEED),kvmini.fuzz_seed=$(SEED)) $(if $(CALLS),kvmini.fuzz_calls=$(CALLS))" \
		bash selftests/vm/check-debug.sh $(BUILD) $(CACHE) $(FUZZ_VM) fuzz

# The watchdog on a VM that hangs on purpose: VM=bochs-vmx-6.1 for Bochs.
check-watchdog: setup
	$(MAKE) vm-images
	@bash selftests/vm/watchdog-test.sh $(RUN_VM) $(BUILD) $(CACHE)

# Tables in build/bench/NAME.md, plots in build/bench/NAME.svg.
bench: setup
	$(MAKE) vm-images
	@bash selftests/vm/bench.sh $(BUILD) $(CACHE) $(or $(VM),$(TARGETS))

# A few files are written the way the kernel writes such things, in forms
# checkpatch flags wherever they appear: the exit table is an X-macro
# (like VMX_EXIT_REASONS, used as initializers), the tracepoints are
# TRACE_EVENT()s (as in include/trace/events/), and one call changed its
# signature (eventfd_signal()), one its name (vm_flags_set()) between the
# two supported kernels.  Only those checks, only there, are relaxed.
CHECKPATCH	:= perl $(CACHE)/checkpatch/checkpatch.pl --no-tree --strict \
		   --ignore SPDX_LICENSE_TAG
CP_XMACRO	:= kmod/uapi/kvmini.h kmod/core/stats.c
CP_TRACE	:= kmod/kvmini_trace.h
CP_VERSION	:= kmod/fastpath/eventfd.c kmod/core/vcpu.c
CP_PLAIN	:= $(filter-out $(CP_XMACRO) $(CP_TRACE) $(CP_VERSION), \
		   $(filter %.c %.h,$(KMOD_SRCS)))

checkpatch:
	$(CHECKPATCH) -f $(CP_PLAIN)
	$(CHECKPATCH) --ignore COMPLEX_MACRO,MACRO_ARG_REUSE,BIT_MACRO \
		-f $(CP_XMACRO)
	$(CHECKPATCH) --ignore OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT,MACRO_ARG_REUSE \
		-f $(CP_TRACE)
	$(CHECKPATCH) --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON \
		-f $(CP_VERSION)

# --- installing ---------------------------------------------------------

PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
LIBDIR		?= $(PREFIX)/lib
INCLUDEDIR	?= $(PREFIX)/include
MANDIR		?= $(PREFIX)/share/man
PKGCONFIGDIR	?= $(LIBDIR)/pkgconfig
# udev reads its rules from /etc and /usr/lib only, whatever PREFIX is.
UDEVRULESDIR	?= /etc/udev/rules.d

install: install-module install-user

# As every out-of-tree module: kbuild's modules_install, into
# /lib/modules/RELEASE/updates.  It signs the module only with the kernel
# tree's own key (Debian's headers have none: DKMS signs with its MOK
# key), and runs depmod only with a System.map (the headers have none).
SIGN_KEY	= $(shell sed -n 's/^CONFIG_MODULE_SIG_KEY="\(.*\)"/\1/p' \
		    $(KDIR)/.config 2>/dev/null)
NO_SIGN		= $(if $(wildcard $(SIGN_KEY) $(KDIR)/$(SIGN_KEY)),,CONFIG_MODULE_SIG_ALL=)
RELEASE		= $(firstword $(shell modinfo -F vermagic kmod/kvmini.ko))

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		INSTALL_MOD_DIR=updates $(NO_SIGN) modules_install
	@[ -n "$(DESTDIR)" ] || depmod -a $(RELEASE)

install-user: user lib
	install -D -m 755 $(BIN)/kvmini $(DESTDIR)$(BINDIR)/kvmini
	install -D -m 644 kmod/uapi/kvmini.h $(DESTDIR)$(INCLUDEDIR)/kvmini/kvmini.h
	install -D -m 644 user/libkvmini.h $(DESTDIR)$(INCLUDEDIR)/kvmini/libkvmini.h
	install -D -m 644 $(BUILD)/lib/libkvmini.a $(DESTDIR)$(LIBDIR)/libkvmini.a
	mkdir -p $(DESTDIR)$(PKGCONFIGDIR)
	sed -e 's|@PREFIX@|$(PREFIX)|; s|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|; s|@VERSION@|$(VERSION)|' \
	    user/libkvmini.pc.in >$(DESTDIR)$(PKGCONFIGDIR)/libkvmini.pc
	install -D -m 644 user/kvmini.1 $(DESTDIR)$(MANDIR)/man1/kvmini.1
	install -D -m 644 user/60-kvmini.rules \
		$(DESTDIR)$(UDEVRULESDIR)/60-kvmini.rules
	@# On the system itself: the rule's group, and udev told.
	@if [ -z "$(DESTDIR)" ]; then \
		getent group kvmini >/dev/null || groupadd --system kvmini; \
		udevadm control --reload 2>/dev/null || true; \
	fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kvmini $(DESTDIR)$(LIBDIR)/libkvmini.a \
	      $(DESTDIR)$(PKGCONFIGDIR)/libkvmini.pc \
	      $(DESTDIR)$(MANDIR)/man1/kvmini.1 \
	      $(DESTDIR)$(UDEVRULESDIR)/60-kvmini.rules \
	      $(DESTDIR)/lib/modules/*/updates/kmod/kvmini.ko*
	rm -rf $(DESTDIR)$(INCLUDEDIR)/kvmini

# DKMS: the module's sources and dkms.conf in /usr/src/kvmini-VERSION,
# which DKMS builds and installs for every kernel, now and after updates.
DKMS_SRC	:= $(DESTDIR)/usr/src/kvmini-$(VERSION)
dkms-src:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp --parents dkms.conf $(KMOD_SRCS) $(DKMS_SRC)/

dkms-install: dkms-src
	dkms status kvmini/$(VERSION) | grep -q . || dkms add kvmini/$(VERSION)
	dkms install kvmini/$(VERSION)

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
