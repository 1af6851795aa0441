/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest.h - the runtime every C guest shares.
 *
 * A guest is one C file with
 *
 *	int main(unsigned long magic, unsigned long info, unsigned int cpu)
 *
 * built as a 32-bit ELF (crt32.S), a Multiboot image (crt32.S plus
 * multiboot.S) or a 64-bit ELF (crt64.S).  magic and info are EAX and
 * EBX at entry (Multiboot's magic and information), cpu is the vCPU's
 * number.  Returning from main exits through isa-debug-exit with main's
 * value: the tool's status is then (value << 1) | 1.
 */
#ifndef KVMINI_GUEST_H
#define KVMINI_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#define DEBUGCON_PORT	0xe9
#define DEBUG_EXIT_PORT	0xf4

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* MMIO: one access of exactly this width, never merged or split. */
#define MMIO_ACCESSORS(bits)						\
static inline uint##bits##_t mmio_read##bits(uintptr_t addr)		\
{									\
	return *(volatile uint##bits##_t *)addr;			\
}									\
static inline void mmio_write##bits(uintptr_t addr, uint##bits##_t v)	\
{									\
	*(volatile uint##bits##_t *)addr = v;				\
}
MMIO_ACCESSORS(8)
MMIO_ACCESSORS(16)
MMIO_ACCESSORS(32)
#ifdef __x86_64__
MMIO_ACCESSORS(64)
#endif

static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b,
			 uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "a"(leaf), "c"(0));
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

/* Interrupts (intr.c): an IDT for vectors 0-47, the 8259A pair. */
#define PIC_MASTER	0x20
#define PIC_SLAVE	0xa0

typedef void (*intr_fn)(unsigned int vector);

void intr_init(void);
void intr_handler(unsigned int vector, intr_fn fn);
/* Vectors base..base+15; mask bit n masks IRQ n (bit 2: the slave). */
void pic_init(uint8_t base, uint16_t mask);
void pic_eoi(unsigned int irq);

static inline void sti(void)
{
	asm volatile("sti" : : : "memory");
}

static inline void cli(void)
{
	asm volatile("cli" : : : "memory");
}

/* Wait for an interrupt: STI's shadow covers the HLT, so none is lost. */
static inline void sti_hlt(void)
{
	asm volatile("sti; hlt" : : : "memory");
}

/* The local APIC (apic.c, 64-bit guests): xAPIC registers by MMIO. */
#define APIC_BASE		0xfee00000
#define APIC_ID			0x020
#define APIC_VERSION		0x030
#define APIC_TPR		0x080
#define APIC_PPR		0x0a0
#define APIC_EOI		0x0b0
#define APIC_LDR		0x0d0
#define APIC_DFR		0x0e0
#define APIC_SPIV		0x0f0
#define APIC_ISR		0x100
#define APIC_IRR		0x200
#define APIC_ESR		0x280
#define APIC_ICR_LOW		0x300
#define APIC_ICR_HIGH		0x310
#define APIC_LVT_TIMER		0x320
#define APIC_LVT_LINT0		0x350
#define APIC_TIMER_INITIAL	0x380
#define APIC_TIMER_CURRENT	0x390
#define APIC_TIMER_DIVIDE	0x3e0
#define APIC_SPIV_ENABLE	(1u << 8)
#define APIC_LVT_MASKED		(1u << 16)
#define APIC_TIMER_PERIODIC	(1u << 17)
#define APIC_DM_FIXED		(0u << 8)
#define APIC_DM_LOWEST		(1u << 8)
#define APIC_DM_NMI		(4u << 8)
#define APIC_DM_INIT		(5u << 8)
#define APIC_DM_STARTUP		(6u << 8)
#define APIC_LOGICAL		(1u << 11)
#define APIC_ASSERT		(1u << 14)
#define APIC_LEVEL		(1u << 15)
#define APIC_DEST_SELF		(1u << 18)
#define APIC_DEST_ALL		(2u << 18)
#define APIC_DEST_ALL_BUT_SELF	(3u << 18)
#define APIC_ESR_SEND_ACCEPT	(1u << 2)
#define APIC_ESR_SEND_ILLEGAL	(1u << 5)

uint32_t apic_read(uint32_t reg);
void apic_write(uint32_t reg, uint32_t v);
uint32_t apic_esr(void);
void apic_enable(uint8_t spurious_vector);
void apic_eoi(void);
/* Send icr (the low half) to dest (the high half's APIC ID or mask). */
void apic_ipi(uint8_t dest, uint32_t icr);
/*
 * Start the AP with this APIC ID: the trampoline (ap64.S) goes to page
 * (below 1 MiB, 4 KiB-aligned), then INIT and STARTUP; the AP calls
 * ap_main(its APIC ID) in long mode, on its own stack.
 */
void smp_start_ap(uint8_t apic_id, uintptr_t page);
void ap_main(unsigned int apic_id);

/* printf to the debug console: %c %s %d %u %x %p, and l/ll for sizes. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);

/* Leave through isa-debug-exit; halts if no such device answers. */
void exit(int code) __attribute__((noreturn));

int main(unsigned long magic, unsigned long info, unsigned int cpu);

#endif /* KVMINI_GUEST_H */
