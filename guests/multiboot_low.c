// SPDX-License-Identifier: GPL-2.0
/*
 * multiboot_low.c - a Multiboot image that loads low, at 0x8000, where a
 * loader that puts its boot information at a fixed address (kvmini's did,
 * at 0x9000) writes it over the program.  The information must start
 * after the image's last byte, and the image must read back as it was
 * linked: 4 KiB of known words in .data cover 0x9000 whatever the size
 * of the code before them.
 *
 * test: multiboot_low_mb.elf --cmdline "low" => 1
 */
#include "guest.h"
#include "multiboot.h"

#define WORDS		1024
#define PATTERN(i)	(0x5a000000u | (i))

/* Initialised one by one, so the words differ: a copy would show. */
#define W4(i)	PATTERN(i), PATTERN(i + 1), PATTERN(i + 2), PATTERN(i + 3)
#define W16(i)	W4(i), W4(i + 4), W4(i + 8), W4(i + 12)
#define W64(i)	W16(i), W16(i + 16), W16(i + 32), W16(i + 48)
#define W256(i)	W64(i), W64(i + 64), W64(i + 128), W64(i + 192)
static volatile uint32_t canary[WORDS] = {
	W256(0), W256(256), W256(512), W256(768)
};

extern char _start[], _end[];

int main(unsigned long magic, unsigned long info, unsigned int cpu)
{
	const struct mb_info *mbi = (const void *)info;
	int i, bad = 0;

	for (i = 0; i < WORDS; i++)
		if (canary[i] != PATTERN(i))
			bad++;
	printf("multiboot_low: loaded below 0x9000: %s, magic %s\n",
	       (unsigned long)_start < 0x9000 ? "yes" : "no",
	       magic == MB_BOOT_MAGIC ? "ok" : "bad");
	printf("multiboot_low: image intact: %s\n", bad ? "no" : "yes");
	printf("multiboot_low: information after the image: %s\n",
	       info >= (unsigned long)_end ? "yes" : "no");
	printf("multiboot_low: cmdline '%s'\n", (const char *)mbi->cmdline);
	return magic != MB_BOOT_MAGIC || bad || info < (unsigned long)_end;
}
