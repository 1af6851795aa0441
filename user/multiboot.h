/* SPDX-License-Identifier: GPL-2.0 */
/*
 * multiboot.h - the parts of Multiboot v1 kvmini uses: the image header,
 * and the boot information the loader (user/loader.c) builds and guests
 * (guests/multiboot.c) read.
 */
#ifndef KVMINI_MULTIBOOT_H
#define KVMINI_MULTIBOOT_H

#include <stdint.h>

#define MB_HEADER_MAGIC		0x1badb002
#define MB_BOOT_MAGIC		0x2badb002
#define MB_FLAG_AOUT_KLUDGE	(1u << 16)
#define MB_INFO_MEM		(1u << 0)
#define MB_INFO_CMDLINE		(1u << 2)
#define MB_INFO_MMAP		(1u << 6)

struct mb_header {
	uint32_t magic, flags, checksum;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
	uint32_t entry_addr;
};

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4];
	uint32_t mmap_length, mmap_addr;
};

/* size counts the bytes after itself. */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

#endif /* KVMINI_MULTIBOOT_H */
