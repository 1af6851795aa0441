/* SPDX-License-Identifier: GPL-2.0 */
/* loader.h - guest images: flat, ELF32, ELF64, Multiboot v1. */
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
	enum guest_mode mode;	/* flat binaries */
	const char *cmdline;	/* multiboot */
};

struct guest_image {
	enum guest_mode mode;
	uint64_t entry;
	bool multiboot;
	uint32_t eax, ebx;	/* multiboot's magic and information */
};

/* 0, or -1 after saying why on stderr. */
int load_guest(const char *path, const struct guest_memory *gm,
	       const struct load_options *opt, struct guest_image *img);

#endif /* KVMINI_LOADER_H */
