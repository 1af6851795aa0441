// SPDX-License-Identifier: GPL-2.0
/*
 * apic.c - the local APIC from a guest: registers, IPIs, and starting
 * the other vCPUs with INIT and STARTUP (64-bit guests).
 */
#include "guest.h"

extern char ap_trampoline[], ap_trampoline_end[];
extern char ap_tramp_gdtr[], ap_tramp_cr3[], ap_tramp_jump[], ap_entry64[];

struct gdtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

uint32_t apic_read(uint32_t reg)
{
	return mmio_read32(APIC_BASE + reg);
}

void apic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(APIC_BASE + reg, v);
}

/* The error status: a write latches what happened since the last one. */
uint32_t apic_esr(void)
{
	apic_write(APIC_ESR, 0);
	return apic_read(APIC_ESR);
}

void apic_enable(uint8_t spurious_vector)
{
	apic_write(APIC_SPIV, APIC_SPIV_ENABLE | spurious_vector);
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

void apic_ipi(uint8_t dest, uint32_t icr)
{
	apic_write(APIC_ICR_HIGH, (uint32_t)dest << 24);
	apic_write(APIC_ICR_LOW, icr);
}

void smp_start_ap(uint8_t apic_id, uintptr_t page)
{
	uintptr_t offset = (uintptr_t)ap_entry64;
	struct gdtr gdtr;
	uint64_t cr3;
	uint16_t cs;
	char *dst = (char *)page;
	int i;

	asm volatile("sgdt %0; mov %%cr3, %1; mov %%cs, %2"
		     : "=m"(gdtr), "=r"(cr3), "=r"(cs));
	for (i = 0; i < ap_trampoline_end - ap_trampoline; i++)
		dst[i] = ap_trampoline[i];
	/* Fields at the same offsets in the copy. */
	*(uint16_t *)(dst + (ap_tramp_gdtr - ap_trampoline)) = gdtr.limit;
	*(uint32_t *)(dst + (ap_tramp_gdtr - ap_trampoline) + 2) = gdtr.base;
	*(uint32_t *)(dst + (ap_tramp_cr3 - ap_trampoline)) = cr3;
	*(uint32_t *)(dst + (ap_tramp_jump - ap_trampoline)) = offset;
	*(uint16_t *)(dst + (ap_tramp_jump - ap_trampoline) + 4) = cs;

	/* INIT, its level de-assert, then STARTUP twice, as the MP spec says. */
	apic_ipi(apic_id, APIC_DM_INIT | APIC_LEVEL | APIC_ASSERT);
	apic_ipi(apic_id, APIC_DM_INIT | APIC_LEVEL);
	for (i = 0; i < 2; i++)
		apic_ipi(apic_id, APIC_DM_STARTUP | (page >> 12));
}

/* Guests that start no AP need none. */
__attribute__((weak)) void ap_main(unsigned int apic_id)
{
}
