// SPDX-License-Identifier: GPL-2.0
/*
 * bzimage.c - booting Linux the way a boot loader does, without a BIOS.
 *
 * The Linux/x86 boot protocol (Documentation/arch/x86/boot.rst) lets a
 * loader skip the kernel's real-mode setup code: it fills in the "zero
 * page" (struct boot_params, <asm/bootparam.h>) that the setup code would
 * have built from BIOS calls, copies the protected-mode kernel where the
 * header says it may run, and jumps to its 32-bit entry (code32_start,
 * protected mode) or, with protocol 2.12's XLF_KERNEL_64, its 64-bit
 * entry 0x200 bytes further (long mode, identity-mapped).  kvmini needs
 * protocol 2.10 or later: init_size and pref_address tell it how much
 * memory the kernel needs where.
 *
 * What the guest finds, guest-physical:
 *
 *   0x00000-0x00fff  interrupt vectors (zero) and the BIOS data area: the
 *                    EBDA segment (0x40e) and base memory in KiB (0x413),
 *                    which the kernel reads to place its trampoline
 *   0x07000          the zero page; RSI/ESI points here at entry
 *   0x10000-0x16fff  the library's GDT and identity page tables
 *   0x20000          the command line
 *   0x9fc00-0xfffff  reserved: the EBDA (the MP tables, mptable.c) and
 *                    the ISA hole
 *   pref_address     the kernel (16 MiB for Debian's), init_size bytes
 *                    from there for it to decompress into
 *   top of RAM       the initrd, page-aligned, below initrd_addr_max
 *
 * and the e820 map says the same: RAM below 0x9fc00, reserved to 1 MiB,
 * RAM from 1 MiB to the end of guest memory.  There is no ACPI: the MP
 * tables in the EBDA (mptable.c) list the vCPUs, their local APICs and
 * the IOAPIC, and Linux starts the other vCPUs with INIT and STARTUP.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/bootparam.h>

#include "irq.h"
#include "libkvmini.h"
#include "loader.h"

#define SETUP_HEADER_OFFSET	0x1f1
#define BOOT_FLAG_OFFSET	0x1fe
#define BOOT_FLAG		0xaa55
#define HEADER_MAGIC_OFFSET	0x202
#define HEADER_END_OFFSET	0x201	/* the jump: the header ends after */
#define MIN_PROTOCOL		0x020a
#define PROTOCOL_KERNEL_64	0x020c	/* xloadflags appeared in 2.12 */
#define ENTRY_64_OFFSET		0x200
#define LOADER_UNDEFINED	0xff

#define BDA_EBDA_SEGMENT	0x40e
#define BDA_BASE_MEMORY_KIB	0x413
#define ZERO_PAGE		0x7000
#define CMDLINE_ADDR		0x20000
#define CMDLINE_ROOM		0x10000
#define EBDA_START		0x9fc00
#define HIGH_MEMORY		0x100000
#define E820_RAM		1
#define E820_RESERVED		2

#define BOOT_CS			0x10	/* __BOOT_CS of the boot protocol */

#define PAGE_MASK		(~0xfffull)
#define MIB(x)			((unsigned long long)(x) >> 20)

static void e820_add(struct boot_params *bp, uint64_t addr, uint64_t size,
		     uint32_t type)
{
	struct boot_e820_entry *e = &bp->e820_table[bp->e820_entries++];

	e->addr = addr;
	e->size = size;
	e->type = type;
}

/* What a BIOS would have left: the memory map and the BDA. */
static void bios_facts(const struct guest_memory *gm, struct boot_params *bp)
{
	uint16_t ebda_segment = EBDA_START >> 4, base_kib = EBDA_START >> 10;

	e820_add(bp, 0, EBDA_START, E820_RAM);
	e820_add(bp, EBDA_START, HIGH_MEMORY - EBDA_START, E820_RESERVED);
	e820_add(bp, HIGH_MEMORY, gm->size - HIGH_MEMORY, E820_RAM);
	memcpy(gm->mem + BDA_EBDA_SEGMENT, &ebda_segment, 2);
	memcpy(gm->mem + BDA_BASE_MEMORY_KIB, &base_kib, 2);
}

/* The initrd, as high as the kernel allows, above the kernel's room. */
static int load_initrd(const char *path, const struct guest_memory *gm,
		       struct boot_params *bp, uint64_t kernel_end)
{
	uint64_t top = gm->size, addr;
	size_t size;
	uint8_t *buf;

	if ((uint64_t)bp->hdr.initrd_addr_max + 1 < top)
		top = (uint64_t)bp->hdr.initrd_addr_max + 1;
	buf = load_file(path, &size);
	if (!buf)
		return -1;
	addr = (top - size) & PAGE_MASK;
	if (size > top || addr < kernel_end) {
		free(buf);
		return load_fail(path, "the initrd (%llu MiB) does not fit "
				 "between the kernel's end (%llu MiB) and %llu "
				 "MiB: give more memory with --mem",
				 MIB(size + (1 << 20) - 1), MIB(kernel_end),
				 MIB(top));
	}
	memcpy(gm->mem + addr, buf, size);
	free(buf);
	bp->hdr.ramdisk_image = addr;
	bp->hdr.ramdisk_size = size;
	return 0;
}

int load_linux(const char *path, const struct guest_memory *gm,
	       const struct load_options *opt, struct guest_image *img)
{
	const struct setup_header *hdr;
	struct boot_params *bp;
	uint64_t setup_size, load, need;
	size_t size, cmd_len, hdr_len;
	const char *cmdline = opt->cmdline ? opt->cmdline : "";
	bool long64;
	uint8_t *buf;
	int r = -1;

	buf = load_file(path, &size);
	if (!buf)
		return -1;
	hdr = (const void *)(buf + SETUP_HEADER_OFFSET);
	if (size < HEADER_MAGIC_OFFSET + 4 + 0x100 ||
	    *(uint16_t *)(buf + BOOT_FLAG_OFFSET) != BOOT_FLAG ||
	    memcmp(buf + HEADER_MAGIC_OFFSET, "HdrS", 4)) {
		load_fail(path, "not a Linux bzImage (no boot header)");
		goto out;
	}
	if (hdr->version < MIN_PROTOCOL) {
		load_fail(path, "boot protocol %u.%02u is too old: kvmini "
			  "needs 2.10 or later", hdr->version >> 8,
			  hdr->version & 0xff);
		goto out;
	}
	if (!(hdr->loadflags & LOADED_HIGH)) {
		load_fail(path, "a zImage: kvmini boots bzImages only");
		goto out;
	}
	long64 = hdr->version >= PROTOCOL_KERNEL_64 &&
		 (hdr->xloadflags & XLF_KERNEL_64);
	if (opt->mode_given && opt->mode == GUEST_MODE_REAL) {
		load_fail(path, "Linux cannot start in real mode here: there "
			  "is no BIOS (use --mode protected or long)");
		goto out;
	}
	if (opt->mode_given && opt->mode == GUEST_MODE_LONG && !long64) {
		load_fail(path, "this kernel has no 64-bit entry");
		goto out;
	}
	if (opt->mode_given && opt->mode == GUEST_MODE_PROTECTED)
		long64 = false;

	/*
	 * A relocatable kernel runs where it prefers (it would move itself
	 * there anyway); an old fixed one at 1 MiB.  init_size counts from
	 * there: the decompressor, the kernel and its early allocations.
	 */
	setup_size = ((hdr->setup_sects ? hdr->setup_sects : 4) + 1) * 512;
	if (setup_size >= size) {
		load_fail(path, "truncated: no protected-mode kernel");
		goto out;
	}
	load = hdr->relocatable_kernel ? hdr->pref_address : HIGH_MEMORY;
	need = hdr->init_size > size - setup_size ? hdr->init_size :
	       size - setup_size;
	if (load + need > gm->size) {
		load_fail(path, "the kernel needs %llu MiB of memory from "
			  "%#llx; --mem gives %llu MiB", MIB(load + need +
			  (1 << 20) - 1), (unsigned long long)load,
			  MIB(gm->size));
		goto out;
	}
	cmd_len = strlen(cmdline);
	if (cmd_len > hdr->cmdline_size || cmd_len >= CMDLINE_ROOM) {
		load_fail(path, "the command line is longer than the kernel's "
			  "limit of %u bytes", hdr->cmdline_size);
		goto out;
	}
	if (load_place(gm, img, load, buf + setup_size, size - setup_size,
		       size - setup_size))
		goto out;

	/* The zero page: the kernel's own header, then what we add. */
	bp = (struct boot_params *)(gm->mem + ZERO_PAGE);
	memset(bp, 0, sizeof(*bp));
	hdr_len = HEADER_MAGIC_OFFSET + buf[HEADER_END_OFFSET] -
		  SETUP_HEADER_OFFSET;
	memcpy(&bp->hdr, hdr, hdr_len < sizeof(bp->hdr) ? hdr_len :
	       sizeof(bp->hdr));
	bp->hdr.type_of_loader = LOADER_UNDEFINED;
	bp->hdr.code32_start = load;
	bp->hdr.cmd_line_ptr = CMDLINE_ADDR;
	memcpy(gm->mem + CMDLINE_ADDR, cmdline, cmd_len + 1);
	bios_facts(gm, bp);
	/* With local APICs, the MP tables tell Linux the CPUs and IOAPIC. */
	if (irq_have_lapic())
		mptable_build(gm->mem, opt->cpus);
	if (opt->initrd && load_initrd(opt->initrd, gm, bp, load + need))
		goto out;

	img->is_linux = true;
	img->boot_params = ZERO_PAGE;
	img->mode = long64 ? GUEST_MODE_LONG : GUEST_MODE_PROTECTED;
	img->entry = long64 ? load + ENTRY_64_OFFSET : load;
	r = 0;
out:
	free(buf);
	return r;
}

/*
 * The CPU as the boot protocol asks: flat segments with __BOOT_CS = 0x10
 * and __BOOT_DS = 0x18 (the library's GDT has its 32-bit code there; the
 * 64-bit entry wants 64-bit code at 0x10, so that entry is made one),
 * interrupts off, paging off or (64-bit) the identity map, ESI/RSI the
 * zero page, EBP, EDI and EBX zero.
 */
void linux_setup_vcpu(struct kvmini_vcpu *vcpu, uint8_t *mem,
		      const struct guest_image *img)
{
	struct kvmini_sregs sregs;
	struct kvmini_regs regs;
	uint64_t *gdt = (uint64_t *)(mem + KVMINI_SYS_BASE);

	if (img->mode == GUEST_MODE_LONG) {
		kvmini_vcpu_setup_long_mode(vcpu, mem, img->entry, 0);
		gdt[BOOT_CS / 8] = gdt[KVMINI_SEL_CODE64 / 8];
		kvmini_get_sregs(vcpu, &sregs);
		sregs.cs.selector = BOOT_CS;
		kvmini_set_sregs(vcpu, &sregs);
	} else {
		kvmini_vcpu_setup_protected_mode(vcpu, mem, img->entry, 0);
	}
	memset(&regs, 0, sizeof(regs));
	regs.rip = img->entry;
	regs.rflags = 2;
	regs.rsi = img->boot_params;
	kvmini_set_regs(vcpu, &regs);
}
