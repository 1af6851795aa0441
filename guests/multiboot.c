// SPDX-License-Identifier: GPL-2.0
/*
 * multiboot.c - what a Multiboot v1 loader hands over: the magic in EAX,
 * and in EBX memory sizes, a memory map and the command line.
 *
 * test: multiboot_mb.elf --mem 32 --cmdline "console=debugcon quiet" => 1
 */
#include "guest.h"
#include "multiboot.h"

int main(unsigned long magic, unsigned long info, unsigned int cpu)
{
	const struct mb_info *mbi = (const void *)info;
	uint32_t off;

	if (magic != MB_BOOT_MAGIC) {
		printf("multiboot: bad magic %lx\n", magic);
		return 1;
	}
	printf("multiboot: flags %x, mem_lower %u KiB, mem_upper %u KiB\n",
	       mbi->flags, mbi->mem_lower, mbi->mem_upper);
	printf("multiboot: cmdline '%s'\n", (const char *)mbi->cmdline);
	for (off = 0; off < mbi->mmap_length; ) {
		const struct mb_mmap_entry *e =
			(const void *)(mbi->mmap_addr + off);

		printf("multiboot: mmap %llx +%llx type %u\n",
		       (unsigned long long)e->addr,
		       (unsigned long long)e->len, e->type);
		off += e->size + 4;
	}
	return 0;
}
