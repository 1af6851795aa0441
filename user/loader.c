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
 *                 information (memory sizes, memory map, command line);
 *   Linux         a bzImage, with --kernel: see bzimage.c.
 *
 * Images started in protected or long mode must leave the library's GDT
 * and page tables alone (KVMINI_SYS_BASE to KVMINI_SYS_END, libkvmini.h):
 * the vCPU set-up writes them after loading.  Boot information goes
 * after the highest byte an image loads, never at a fixed address the
 * image could cover.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libkvmini.h"
#include "loader.h"
#include "multiboot.h"

#define MB_SEARCH		8192
#define PAGE_SIZE		4096ull
#define ALIGN_UP(x, a)		(((x) + (a) - 1) & ~((uint64_t)(a) - 1))

int load_fail(const char *path, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "kvmini: %s: ", path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static int fail(const char *path, const char *why)
{
	return load_fail(path, "%s", why);
}

uint8_t *load_file(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		load_fail(path, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc(st.st_size + 1);
	if (!buf || read(fd, buf, st.st_size) != st.st_size) {
		load_fail(path, "cannot read");
		free(buf);
		buf = NULL;
	}
	close(fd);
	*size = st.st_size;
	return buf;
}

static bool overlaps(uint64_t a, uint64_t a_len, uint64_t b, uint64_t b_len)
{
	return a < b + b_len && b < a + a_len;
}

int load_place(const struct guest_memory *gm, struct guest_image *img,
	       uint64_t paddr, const void *src, uint64_t filesz,
	       uint64_t memsz)
{
	if (filesz > memsz || paddr > gm->size || memsz > gm->size - paddr)
		return -1;
	memcpy(gm->mem + paddr, src, filesz);
	memset(gm->mem + paddr + filesz, 0, memsz - filesz);
	if (paddr + memsz > img->end)
		img->end = paddr + memsz;
	if (overlaps(paddr, memsz, KVMINI_SYS_BASE,
		     KVMINI_SYS_END - KVMINI_SYS_BASE))
		img->hits_sys = true;
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
		if (load_place(gm, img, paddr, buf + off, filesz, memsz))
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

/*
 * The boot information: the info structure, the memory map and the
 * command line, in one block after the highest byte the image loaded
 * (past the library's tables if it would land on them).
 */
static int multiboot_info(const char *path, const struct guest_memory *gm,
			  const char *cmdline, struct guest_image *img)
{
	struct mb_info info = {
		.flags = MB_INFO_MEM | MB_INFO_MMAP | MB_INFO_CMDLINE,
		.mem_lower = 640,
		.mem_upper = gm->size > (1 << 20) ? (gm->size >> 10) - 1024 : 0,
	};
	struct mb_mmap_entry map[2] = {
		{ 20, 0, 640 << 10, 1 },
		{ 20, 1 << 20, gm->size - (1 << 20), 1 },
	};
	uint64_t cmd_len = strlen(cmdline ? cmdline : "") + 1;
	uint64_t size = sizeof(info) + sizeof(map) + cmd_len;
	uint64_t addr = ALIGN_UP(img->end, PAGE_SIZE);

	if (overlaps(addr, size, KVMINI_SYS_BASE,
		     KVMINI_SYS_END - KVMINI_SYS_BASE))
		addr = KVMINI_SYS_END;
	if (addr + size > gm->size || addr + size > 0xffffffff)
		return fail(path, "no room for the multiboot information");
	info.mmap_addr = addr + sizeof(info);
	info.mmap_length = sizeof(map);
	info.cmdline = info.mmap_addr + sizeof(map);
	memcpy(gm->mem + addr, &info, sizeof(info));
	memcpy(gm->mem + info.mmap_addr, map, sizeof(map));
	memcpy(gm->mem + info.cmdline, cmdline ? cmdline : "", cmd_len);
	img->ebx = addr;
	return 0;
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
		    load_place(gm, img, h->load_addr, buf + file_off,
			       end - h->load_addr, bss - h->load_addr))
			return fail(path, "multiboot addresses do not fit");
		img->entry = h->entry_addr;
	} else {
		if (buf[EI_CLASS] != ELFCLASS32 ||
		    load_elf(path, buf, size, gm, img))
			return fail(path, "multiboot image is not ELF32");
	}
	img->mode = GUEST_MODE_PROTECTED;
	img->multiboot = true;
	img->eax = MB_BOOT_MAGIC;
	return multiboot_info(path, gm, opt->cmdline, img);
}

int load_guest(const char *path, const struct guest_memory *gm,
	       const struct load_options *opt, struct guest_image *img)
{
	const struct mb_header *mb;
	size_t size, mb_off;
	uint8_t *buf;
	int r;

	memset(img, 0, sizeof(*img));
	if (opt->is_linux)
		return load_linux(path, gm, opt, img);
	buf = load_file(path, &size);
	if (!buf)
		return -1;

	mb = find_multiboot(buf, size, &mb_off);
	if (mb) {
		r = load_multiboot(path, buf, size, mb, mb_off, gm, opt, img);
	} else if (size >= SELFMAG && !memcmp(buf, ELFMAG, SELFMAG)) {
		r = load_elf(path, buf, size, gm, img);
	} else {
		r = load_place(gm, img, opt->load_addr, buf, size, size);
		if (r)
			fail(path, "does not fit at the load address");
		img->entry = opt->load_addr;
		img->mode = opt->mode;
	}
	free(buf);
	if (!r && img->hits_sys && img->mode != GUEST_MODE_REAL)
		r = load_fail(path, "loads over %#x-%#x, where kvmini puts the "
			      "GDT and page tables of protected and long mode",
			      KVMINI_SYS_BASE, KVMINI_SYS_END - 1);
	return r;
}
