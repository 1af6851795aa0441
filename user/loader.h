/* SPDX-License-Identifier: GPL-2.0 */
/* loader.h - guest images: flat, ELF32, ELF64, Multiboot v1, Linux. */
#ifndef KVMINI_LOADER_H
#define KVMINI_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum guest_mode {
	GUEST_MODE_REAL,
	GUEST_MODE_PROTECTED,
	GUEST_MODE_LONG,
};

struct guest_memory {
	uint8_t *mem;		/* guest-physical 0 */
	uint64_t size;
};

struct load_options {
	uint64_t load_addr;	/* flat binaries */
	enum guest_mode mode;	/* flat binaries; Linux's entry */
	bool mode_given;	/* --mode was on the command line */
	const char *cmdline;	/* Multiboot and Linux */
	bool is_linux;		/* the image is a Linux bzImage */
	const char *initrd;	/* Linux */
	int cpus;		/* Linux: the vCPUs the MP table lists */
};

struct guest_image {
	enum guest_mode mode;
	uint64_t entry;
	bool multiboot;
	uint32_t eax, ebx;	/* multiboot's magic and information */
	bool is_linux;
	uint64_t boot_params;	/* Linux: the zero page */
	/* Filled while loading: */
	uint64_t end;		/* past the highest byte loaded */
	bool hits_sys;		/* loaded over KVMINI_SYS_BASE..END */
};

/* 0, or -1 after saying why on stderr. */
int load_guest(const char *path, const struct guest_memory *gm,
	       const struct load_options *opt, struct guest_image *img);

/* Helpers shared by the loaders (loader.c). */
int load_fail(const char *path, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The whole file, malloc'ed; NULL after saying why. */
uint8_t *load_file(const char *path, size_t *size);
/* Copy filesz bytes and zero up to memsz at paddr, if it fits; 0 or -1. */
int load_place(const struct guest_memory *gm, struct guest_image *img,
	       uint64_t paddr, const void *src, uint64_t filesz,
	       uint64_t memsz);

/* bzimage.c: the Linux/x86 boot protocol. */
int load_linux(const char *path, const struct guest_memory *gm,
	       const struct load_options *opt, struct guest_image *img);
/* mptable.c: the MP tables in the EBDA, for Linux. */
void mptable_build(uint8_t *mem, int nr_cpus);
struct kvmini_vcpu;
void linux_setup_vcpu(struct kvmini_vcpu *vcpu, uint8_t *mem,
		      const struct guest_image *img);

#endif /* KVMINI_LOADER_H */
