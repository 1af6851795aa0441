// SPDX-License-Identifier: GPL-2.0
/*
 * loader.c - putting a guest image into guest memory.
 *
 *   flat binary   copied to the load address, started there in the mode
 *                 asked for (real mode unless told otherwise);
 *   ELF32         PT_LOAD segments at their physical addresses, started
 *                 at e_entry in flat 32-bit protected mode;
 *   ELF64         the same, in long mode with the first 4 GiB identity
 *                 mapped;
 *   Multiboot v1  an image with a multiboot header in its first 8 KiB
 *                 (ELF32, or the header's own load addresses): loaded as
 *                 above, started as the specification says — protected
 *                 mode, paging off, EAX = 0x2BADB002, EBX = the boot
 *                 information (memory sizes, memory map, command line).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "loader.h"
#include "multiboot.h"

#define MB_SEARCH		8192

/* Boot information lives below the library's GDT and page tables. */
#define MB_INFO_ADDR		0x9000
#define MB_MMAP_ADDR		0x9100
#define MB_CMDLINE_ADDR		0x9200
#define MB_CMDLINE_MAX		0x0e00

static int fail(const char *path, const char *why)
{
	fprintf(stderr, "kvmini: %s: %s\n", path, why);
	return -1;
}

/* Copy filesz bytes and zero up to memsz at paddr, if it fits. */
static int place(const struct guest_memory *gm, uint64_t paddr,
		 const void *src, uint64_t filesz, uint64_t memsz)
{
	if (filesz > memsz || paddr > gm->size || memsz > gm->size - paddr)
		return -1;
	memcpy(gm->mem + paddr, src, filesz);
	memset(gm->mem + paddr + filesz, 0, memsz - filesz);
	return 0;
}

static int load_elf(const char *path, const uint8_t *buf, size_t size,
		    const struct guest_memory *gm, struct guest_image *img)
{
	const Elf64_Ehdr *e64 = (const void *)buf;
	const Elf32_Ehdr *e32 = (const void *)buf;
	bool is64 = buf[EI_CLASS] == ELFCLASS64;
	uint64_t phoff = is64 ? e64->e_phoff : e32->e_phoff;
	int phnum = is64 ? e64->e_phnum : e32->e_phnum;
	size_t phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	int i;

	if (size < sizeof(Elf64_Ehdr) || buf[EI_DATA] != ELFDATA2LSB ||
	    (is64 ? e64->e_machine != EM_X86_64 : e32->e_machine != EM_386))
		return fail(path, "not a little-endian x86 ELF executable");
	if (phoff > size || phnum * phsize > size - phoff)
		return fail(path, "program headers outside the file");

	for (i = 0; i < phnum; i++) {
		const uint8_t *ph = buf + phoff + i * phsize;
		uint64_t type, off, paddr, filesz, memsz;

		if (is64) {
			const Elf64_Phdr *p = (const void *)ph;

			type = p->p_type;
			off = p->p_offset;
			paddr = p->p_paddr;
			filesz = p->p_filesz;
			memsz = p->p_memsz;
		} else {
			const Elf32_Phdr *p = (const void *)ph;

			type = p->p_type;
			off = p->p_offset;
			paddr = p->p_paddr;
			filesz = p->p_filesz;
			memsz = p->p_memsz;
		}
		if (type != PT_LOAD)
			continue;
		if (off > size || filesz > size - off)
			return fail(path, "segment outside the file");
		if (place(gm, paddr, buf + off, filesz, memsz))
			return fail(path, "segment outside guest memory");
	}
	img->entry = is64 ? e64->e_entry : e32->e_entry;
	img->mode = is64 ? GUEST_MODE_LONG : GUEST_MODE_PROTECTED;
	return 0;
}

static const struct mb_header *find_multiboot(const uint8_t *buf,
					      size_t size, size_t *offset)
{
	size_t off;

	for (off = 0; off + sizeof(struct mb_header) <= size &&
		      off < MB_SEARCH; off += 4) {
		const struct mb_header *h = (const void *)(buf + off);

		if (h->magic == MB_HEADER_MAGIC &&
		    h->magic + h->flags + h->checksum == 0) {
			*offset = off;
			return h;
		}
	}
	return NULL;
}

/* The boot information at MB_INFO_ADDR: memory, memory map, cmdline. */
static void multiboot_info(const struct guest_memory *gm, const char *cmdline)
{
	struct mb_info *info = (void *)(gm->mem + MB_INFO_ADDR);
	struct mb_mmap_entry *map = (void *)(gm->mem + MB_MMAP_ADDR);

	memset(info, 0, sizeof(*info));
	info->flags = MB_INFO_MEM | MB_INFO_MMAP | MB_INFO_CMDLINE;
	info->mem_lower = 640;
	info->mem_upper = gm->size > (1 << 20) ? (gm->size >> 10) - 1024 : 0;
	map[0] = (struct mb_mmap_entry){ 20, 0, 640 << 10, 1 };
	map[1] = (struct mb_mmap_entry){ 20, 1 << 20,
					 gm->size - (1 << 20), 1 };
	info->mmap_addr = MB_MMAP_ADDR;
	info->mmap_length = 2 * sizeof(*map);
	snprintf((char *)gm->mem + MB_CMDLINE_ADDR, MB_CMDLINE_MAX, "%s",
		 cmdline ? cmdline : "");
	info->cmdline = MB_CMDLINE_ADDR;
}

static int load_multiboot(const char *path, const uint8_t *buf, size_t size,
			  const struct mb_header *h, size_t h_off,
			  const struct guest_memory *gm,
			  const struct load_options *opt,
			  struct guest_image *img)
{
	if (gm->size < (2 << 20))
		return fail(path, "multiboot wants at least 2 MiB of memory");
	if (h->flags & MB_FLAG_AOUT_KLUDGE) {
		/* The header says where the file goes. */
		uint64_t file_off = h_off - (h->header_addr - h->load_addr);
		uint64_t end = h->load_end_addr ? h->load_end_addr :
			       h->load_addr + (size - file_off);
		uint64_t bss = h->bss_end_addr ? h->bss_end_addr : end;

		if (file_off > size || end < h->load_addr || bss < end ||
		    end - h->load_addr > size - file_off ||
		    place(gm, h->load_addr, buf + file_off,
			  end - h->load_addr, bss - h->load_addr))
			return fail(path, "multiboot addresses do not fit");
		img->entry = h->entry_addr;
	} else {
		if (buf[EI_CLASS] != ELFCLASS32 ||
		    load_elf(path, buf, size, gm, img))
			return fail(path, "multiboot image is not ELF32");
	}
	multiboot_info(gm, opt->cmdline);
	img->mode = GUEST_MODE_PROTECTED;
	img->multiboot = true;
	img->eax = MB_BOOT_MAGIC;
	img->ebx = MB_INFO_ADDR;
	return 0;
}

int load_guest(const char *path, const struct guest_memory *gm,
	       const struct load_options *opt, struct guest_image *img)
{
	const struct mb_header *mb;
	struct stat st;
	size_t mb_off;
	uint8_t *buf;
	int fd, r;

	memset(img, 0, sizeof(*img));
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		return fail(path, strerror(errno));
	buf = malloc(st.st_size + 1);
	if (!buf || read(fd, buf, st.st_size) != st.st_size) {
		close(fd);
		free(buf);
		return fail(path, "cannot read");
	}
	close(fd);

	mb = find_multiboot(buf, st.st_size, &mb_off);
	if (mb) {
		r = load_multiboot(path, buf, st.st_size, mb, mb_off, gm, opt,
				   img);
	} else if (st.st_size >= SELFMAG && !memcmp(buf, ELFMAG, SELFMAG)) {
		r = load_elf(path, buf, st.st_size, gm, img);
	} else {
		r = place(gm, opt->load_addr, buf, st.st_size, st.st_size);
		if (r)
			fail(path, "does not fit at the load address");
		img->entry = opt->load_addr;
		img->mode = opt->mode;
	}
	free(buf);
	return r;
}
