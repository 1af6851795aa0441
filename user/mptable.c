// SPDX-License-Identifier: GPL-2.0
/*
 * mptable.c - the MultiProcessor Specification 1.4 tables a BIOS would
 * leave for an operating system: which CPUs there are, the IOAPIC, and
 * how the ISA interrupts are wired.  Linux finds them without ACPI by
 * scanning the first KiB of the EBDA for the floating pointer.
 *
 *   floating pointer  "_MP_", spec 1.4, the configuration table's
 *                     address; feature byte 2 bit 7 clear: the 8259A's
 *                     INTR is not behind an IMCR, the APICs start in
 *                     virtual wire mode (devices/apic.c)
 *   "PCMP" table      local APIC at 0xfee00000, then:
 *     processors      one per vCPU: APIC ID = vCPU number, version
 *                     0x14, enabled, vCPU 0 the bootstrap processor
 *     bus 0           "ISA"
 *     IOAPIC          ID = the number of vCPUs, version 0x20, 0xfec00000
 *     I/O interrupts  ISA IRQ 0 (the PIT) at INTIN 2, every other ISA
 *                     IRQ but 2 (the cascade) at the pin of its number;
 *                     all conforming to the bus: edge, active high
 *     local ints      ExtINT on LINT0 and NMI on LINT1, of every APIC
 *
 * The same wiring as irq.c's irq_isa_to_pin().  The tables live at
 * 0x9fc00, the EBDA the loader's BIOS data area points at and the e820
 * map reserves.
 */
#include <stdint.h>
#include <string.h>

#include "irq.h"
#include "loader.h"

#define MP_ADDR			0x9fc00
#define MP_ROOM			0x400
#define MP_SPEC_REV		4
#define LAPIC_ADDR		0xfee00000
#define IOAPIC_ADDR		0xfec00000
#define LAPIC_VERSION		0x14
#define IOAPIC_VERSION		0x20

enum { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_INTSRC, MP_LINTSRC };
enum { MP_INT, MP_NMI, MP_SMI, MP_EXTINT };

#define CPU_ENABLED		1
#define CPU_BOOTPROCESSOR	2

struct mpf {
	char signature[4];
	uint32_t physptr;
	uint8_t length;		/* in 16 bytes */
	uint8_t spec_rev;
	uint8_t checksum;
	uint8_t feature[5];
} __attribute__((packed));

struct mpc_table {
	char signature[4];
	uint16_t length;
	uint8_t spec_rev;
	uint8_t checksum;
	char oem[8];
	char product[12];
	uint32_t oem_ptr;
	uint16_t oem_size;
	uint16_t count;
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type, apic_id, apic_ver, flags;
	uint32_t signature, features;
	uint32_t reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type, id;
	char name[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type, id, version, flags;
	uint32_t addr;
} __attribute__((packed));

struct mpc_int {
	uint8_t type, irq_type;
	uint16_t flags;		/* 0: polarity and trigger conform to the bus */
	uint8_t src_bus, src_irq, dst_apic, dst_pin;
} __attribute__((packed));

static uint8_t checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return -sum;
}

void mptable_build(uint8_t *mem, int nr_cpus)
{
	struct mpf *mpf = (struct mpf *)(mem + MP_ADDR);
	struct mpc_table *t = (struct mpc_table *)(mpf + 1);
	uint8_t *p = (uint8_t *)(t + 1), ioapic_id = nr_cpus;
	uint32_t eax, ebx, ecx, edx;
	int i;

	memset(mpf, 0, MP_ROOM);
	asm("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(1));
	for (i = 0; i < nr_cpus; i++) {
		struct mpc_cpu *c = (struct mpc_cpu *)p;

		c->type = MP_PROCESSOR;
		c->apic_id = i;
		c->apic_ver = LAPIC_VERSION;
		c->flags = CPU_ENABLED | (i ? 0 : CPU_BOOTPROCESSOR);
		c->signature = eax;
		c->features = edx;
		p += sizeof(*c);
		t->count++;
	}
	*(struct mpc_bus *)p = (struct mpc_bus){ MP_BUS, 0, "ISA   " };
	p += sizeof(struct mpc_bus);
	*(struct mpc_ioapic *)p = (struct mpc_ioapic){
		MP_IOAPIC, ioapic_id, IOAPIC_VERSION, CPU_ENABLED, IOAPIC_ADDR
	};
	p += sizeof(struct mpc_ioapic);
	t->count += 2;
	for (i = 0; i < IRQ_LINES; i++) {
		if (i == 2)
			continue;	/* the cascade: no device behind it */
		*(struct mpc_int *)p = (struct mpc_int){
			MP_INTSRC, MP_INT, 0, 0, i, ioapic_id, irq_isa_to_pin(i)
		};
		p += sizeof(struct mpc_int);
		t->count++;
	}
	*(struct mpc_int *)p = (struct mpc_int){
		MP_LINTSRC, MP_EXTINT, 0, 0, 0, 0xff, 0
	};
	p += sizeof(struct mpc_int);
	*(struct mpc_int *)p = (struct mpc_int){
		MP_LINTSRC, MP_NMI, 0, 0, 0, 0xff, 1
	};
	p += sizeof(struct mpc_int);
	t->count += 2;

	memcpy(t->signature, "PCMP", 4);
	t->length = p - (uint8_t *)t;
	t->spec_rev = MP_SPEC_REV;
	memcpy(t->oem, "KVMINI  ", 8);
	memcpy(t->product, "kvmini PC   ", 12);
	t->lapic = LAPIC_ADDR;
	t->checksum = checksum(t, t->length);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = (uint8_t *)t - mem;
	mpf->length = 1;
	mpf->spec_rev = MP_SPEC_REV;
	mpf->checksum = checksum(mpf, sizeof(*mpf));
}
