# SPDX-License-Identifier: GPL-2.0
#
# kvmini - build, run and test everything.
#
#   make                 set up, then build the module, tool, guests, tests
#   make run             boot the default VM and run the hello guest in it
#   make check           run the selftests in every VM target
#   make check VM=NAME   ... in one target (see TARGETS)
#   make shell VM=NAME   an interactive VM with kvmini loaded
#   make checkpatch      the kernel's checkpatch on kmod/
#   make clean
#
# On a real host with VMX or SVM:
#   make module KDIR=/lib/modules/$(uname -r)/build
# builds kmod/kvmini.ko for the running kernel.

CACHE	?= /var/cache/kvmini
BUILD	:= $(CURDIR)/build
BIN	:= $(BUILD)/bin

# Written by selftests/vm/setup.sh: KVER_6.1 and KVER_6.12.
-include $(CACHE)/versions.mk

TARGETS	:= qemu-svm-6.1 qemu-svm-6.12 bochs-vmx-6.1
VM	?=
RUN_VM	:= $(or $(VM),qemu-svm-6.1)
KVERS	:= $(KVER_6.1) $(KVER_6.12)

# The default module build is for the kernel the default VM boots.
KDIR	?= /usr/src/linux-headers-$(KVER_6.1)

CC	:= gcc
CFLAGS	:= -O2 -g -Wall -Wextra -Wno-unused-parameter -std=gnu11 \
	   -I$(CURDIR)/kmod/uapi -I$(CURDIR)/user
# The VMs' initramfs has no C library: link everything statically.
LDFLAGS	:= -static

LIB_SRCS	:= user/libkvmini.c user/backend_kvmini.c user/backend_kvm.c \
		   user/stats.c
LIB_HDRS	:= user/libkvmini.h user/backend.h kmod/uapi/kvmini.h
KMOD_SRCS	:= Kbuild $(shell find kmod \( -name '*.[chS]' -o -name '*.inc' -o \
		   -name Kbuild \) \
		   ! -name '*.mod.c')
SELFTESTS	:= $(patsubst selftests/%.c,$(BIN)/%,$(wildcard selftests/*_test.c)) \
		   $(BIN)/kvm_helper
GUESTS		:= $(patsubst guests/real/%.S,$(BUILD)/guests/%.bin,$(wildcard guests/real/*.S))

.PHONY: all build setup module modules user guests selftests run check \
	shell checkpatch clean vm-images

all: setup
	$(MAKE) build

setup:
	@bash selftests/vm/setup.sh $(CACHE)

build: module user guests selftests

# --- the module -----------------------------------------------------

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# One build directory per guest kernel, so both can coexist.
$(BUILD)/mod-%/kmod/kvmini.ko: $(KMOD_SRCS)
	@rm -rf $(BUILD)/mod-$*
	@mkdir -p $(BUILD)/mod-$*
	@cp -r Kbuild kmod $(BUILD)/mod-$*/
	$(MAKE) -C /usr/src/linux-headers-$* M=$(BUILD)/mod-$* modules

modules: $(foreach v,$(KVERS),$(BUILD)/mod-$(v)/kmod/kvmini.ko)

# --- userspace: the tool, the guests, the selftests -----------------

user: $(BIN)/kvmini

TOOL_SRCS	:= user/kvmini.c user/device.c user/loader.c user/bzimage.c \
		   user/irq.c user/iothread.c $(wildcard user/devices/*.c)
TOOL_HDRS	:= user/device.h user/loader.h user/multiboot.h user/irq.h \
		   user/iothread.h $(wildcard user/devices/*.h)

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
GUESTS_C64	:= hello testdev uart exits smp
GUESTS		+= $(patsubst %,$(BUILD)/guests/%32.elf,$(GUESTS_C32)) \
		   $(patsubst %,$(BUILD)/guests/%_mb.elf,$(GUESTS_MB)) \
		   $(patsubst %,$(BUILD)/guests/%64.elf,$(GUESTS_C64))
GUEST_LIB	:= guests/lib/printf.c guests/lib/guest.h guests/lib/guest.ld \
		   user/devices/testdev.h user/multiboot.h

# A Multiboot image at 0x8000, below the library's tables at 0x10000: one
# vCPU's stack keeps it small enough.
GUESTS		+= $(BUILD)/guests/multiboot_low_mb.elf

$(BUILD)/guests/multiboot_low_mb.elf: guests/multiboot_low.c guests/lib/crt32.S \
		guests/lib/multiboot.S $(GUEST_LIB)
	@mkdir -p $(BUILD)/guests
	$(CC) $(GUEST_CFLAGS32) -DGUEST_STACKS=1 -Wl,-m,elf_i386 \
		-Wl,--defsym,GUEST_BASE=0x8000 -Wl,-T,guests/lib/guest.ld \
		-Wl,--build-id=none -o $@ guests/lib/multiboot.S \
		guests/lib/crt32.S guests/lib/printf.c $< -lgcc

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

$(BUILD)/guests/%32.elf: guests/%.c guests/lib/crt32.S $(GUEST_LIB)
	@mkdir -p $(BUILD)/guests
	$(CC) $(GUEST_CFLAGS32) -Wl,-m,elf_i386 -Wl,-T,guests/lib/guest.ld \
		-Wl,--build-id=none -o $@ guests/lib/crt32.S \
		guests/lib/printf.c $< -lgcc

$(BUILD)/guests/%_mb.elf: guests/%.c guests/lib/crt32.S guests/lib/multiboot.S \
		$(GUEST_LIB)
	@mkdir -p $(BUILD)/guests
	$(CC) $(GUEST_CFLAGS32) -Wl,-m,elf_i386 -Wl,-T,guests/lib/guest.ld \
		-Wl,--build-id=none -o $@ guests/lib/multiboot.S \
		guests/lib/crt32.S guests/lib/printf.c $< -lgcc

$(BUILD)/guests/%64.elf: guests/%.c guests/lib/crt64.S $(GUEST_LIB)
	@mkdir -p $(BUILD)/guests
	$(CC) $(GUEST_CFLAGS64) -Wl,-T,guests/lib/guest.ld \
		-Wl,--build-id=none -o $@ guests/lib/crt64.S \
		guests/lib/printf.c $<

selftests: $(SELFTESTS)

$(BIN)/%_test: selftests/%_test.c selftests/*.h $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) -Wno-sign-compare -I$(CACHE)/kselftest $(LDFLAGS) -o $@ $< \
		$(LIB_SRCS) -lpthread

# The device models' test drives the tool's devices directly: no guest.
DEVICE_SRCS	:= user/device.c user/irq.c user/iothread.c \
		   $(wildcard user/devices/*.c)

$(BIN)/devices_test: selftests/devices_test.c $(DEVICE_SRCS) $(TOOL_HDRS) \
		$(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) -Wno-sign-compare -I$(CACHE)/kselftest $(LDFLAGS) -o $@ $< \
		$(DEVICE_SRCS) $(LIB_SRCS) -lpthread

$(BIN)/kvm_helper: selftests/kvm_helper.c
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# --- the VMs ----------------------------------------------------------

INITRAMFS = $(BUILD)/initramfs-$(1).cpio.gz

$(BUILD)/initramfs-%.cpio.gz: $(BUILD)/mod-%/kmod/kvmini.ko $(BIN)/kvmini \
		$(SELFTESTS) $(GUESTS) $(BUILD)/guests/tests.txt \
		selftests/guest_tests.sh selftests/vm/mkinitramfs.sh \
		selftests/vm/init.sh selftests/vm/in-vm-tests.sh
	bash selftests/vm/mkinitramfs.sh $@ $* $(CACHE)/kernels/$* \
		$(BUILD)/mod-$*/kmod/kvmini.ko $(BIN) $(BUILD)/guests

vm-images: $(foreach v,$(KVERS),$(call INITRAMFS,$(v)))

run: setup
	$(MAKE) vm-images
	@bash selftests/vm/run-vm.sh $(RUN_VM) run $(BUILD) $(CACHE)

shell: setup
	$(MAKE) vm-images
	@bash selftests/vm/run-vm.sh $(RUN_VM) shell $(BUILD) $(CACHE)

check: setup
	$(MAKE) vm-images
	@bash selftests/vm/check.sh $(BUILD) $(CACHE) $(or $(VM),$(TARGETS))

# Three files are written the way the kernel writes such things, in forms
# checkpatch flags wherever they appear: the exit table is an X-macro
# (like VMX_EXIT_REASONS, used as initializers), the tracepoints are
# TRACE_EVENT()s (as in include/trace/events/), and one call changed its
# signature between the two supported kernels.  Only those checks, only
# there, are relaxed.
CHECKPATCH	:= perl $(CACHE)/checkpatch/checkpatch.pl --no-tree --strict \
		   --ignore SPDX_LICENSE_TAG
CP_XMACRO	:= kmod/uapi/kvmini.h kmod/core/stats.c
CP_TRACE	:= kmod/kvmini_trace.h
CP_VERSION	:= kmod/fastpath/eventfd.c
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

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
