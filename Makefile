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

LIB_SRCS	:= user/libkvmini.c
LIB_HDRS	:= user/libkvmini.h kmod/uapi/kvmini.h
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

$(BIN)/kvmini: user/kvmini.c $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ user/kvmini.c $(LIB_SRCS)

guests: $(GUESTS)

$(BUILD)/guests/%.bin: guests/real/%.S guests/real/real.ld
	@mkdir -p $(BUILD)/guests
	$(CC) -m32 -c $< -o $(BUILD)/guests/$*.o
	ld -m elf_i386 -T guests/real/real.ld $(BUILD)/guests/$*.o -o $@

selftests: $(SELFTESTS)

$(BIN)/%_test: selftests/%_test.c selftests/*.h $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) -Wno-sign-compare -I$(CACHE)/kselftest $(LDFLAGS) -o $@ $< \
		$(LIB_SRCS) -lpthread

$(BIN)/kvm_helper: selftests/kvm_helper.c
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $<

# --- the VMs ----------------------------------------------------------

INITRAMFS = $(BUILD)/initramfs-$(1).cpio.gz

$(BUILD)/initramfs-%.cpio.gz: $(BUILD)/mod-%/kmod/kvmini.ko $(BIN)/kvmini \
		$(SELFTESTS) $(GUESTS) selftests/vm/mkinitramfs.sh \
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

checkpatch:
	perl $(CACHE)/checkpatch/checkpatch.pl --no-tree --strict \
		--ignore SPDX_LICENSE_TAG -f $(filter %.c %.h,$(KMOD_SRCS))

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
