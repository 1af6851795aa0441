/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ring3.h - guests that start at CPL 3, for tests of what only user mode
 * does (alignment checks, stack switches, privileged instructions):
 * flat 32-bit protected mode, ring-0 and ring-3 code and data segments,
 * a TSS with the ring-0 stack and an IDT of 64 empty gates to fill.
 */
#ifndef KVMINI_RING3_H
#define KVMINI_RING3_H

#include "kvmini_test.h"

#define CR0_AM		(1u << 18)
#define RFLAGS_IOPL3	(3u << 12)
#define RFLAGS_AC	(1u << 18)

#define GDT_BASE	0x4000
#define TSS_BASE	0x5000
#define IDT_BASE	0x3000
#define RING0_STACK	0x9000
#define SEL_CODE0	0x08
#define SEL_DATA0	0x10
#define SEL_CODE3	0x1b
#define SEL_DATA3	0x23
#define SEL_TSS		0x28

#define VEC_DB		1
#define VEC_AC		17

static inline uint64_t gdt_desc(uint32_t base, uint32_t limit,
				uint8_t access, uint8_t flags)
{
	return (limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)access << 40 | (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)flags << 52 | (uint64_t)(base >> 24) << 56;
}

static inline struct kvmini_segment ring3_seg(uint16_t sel, uint8_t type,
					     uint8_t dpl)
{
	return (struct kvmini_segment) {
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = dpl, .db = 1, .s = 1, .g = 1,
	};
}

/* 32-bit interrupt gate to sel:offset; INT n needs dpl 3 from ring 3. */
static inline void set_gate_dpl(uint8_t *mem, int vector, uint16_t sel,
				uint32_t offset, int dpl)
{
	uint32_t *gate = (uint32_t *)(mem + IDT_BASE + vector * 8);

	gate[0] = (uint32_t)sel << 16 | (offset & 0xffff);
	gate[1] = (offset & 0xffff0000) | 0x8e00 | dpl << 13;
}

static inline void set_gate(uint8_t *mem, int vector, uint16_t sel,
			    uint32_t offset)
{
	set_gate_dpl(mem, vector, sel, offset, 0);
}

/*
 * A VM whose guest starts at CPL 3 at 0x1000 (IOPL 3: OUT works there),
 * with ring-0 code and data segments, a TSS giving the ring-0 stack and
 * an empty IDT of 64 gates.
 */
static inline struct kvmini_vcpu *ring3_guest_in(struct kvmini_vm *vm,
						 const unsigned char *start,
						 const unsigned char *end,
						 uint8_t **mem, uint32_t rflags,
						 uint32_t esp)
{
	struct kvmini_regs regs = {
		.rip = GUEST_LOAD_ADDR, .rsp = esp,
		.rflags = 2 | RFLAGS_IOPL3 | rflags,
	};
	struct kvmini_vcpu *vcpu;
	struct kvmini_sregs sregs;
	uint64_t *gdt;

	*mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	memcpy(*mem + GUEST_LOAD_ADDR, start, end - start);
	gdt = (uint64_t *)(*mem + GDT_BASE);
	gdt[0] = 0;
	gdt[1] = gdt_desc(0, 0xfffff, 0x9a, 0xc);
	gdt[2] = gdt_desc(0, 0xfffff, 0x92, 0xc);
	gdt[3] = gdt_desc(0, 0xfffff, 0xfa, 0xc);
	gdt[4] = gdt_desc(0, 0xfffff, 0xf2, 0xc);
	gdt[5] = gdt_desc(TSS_BASE, 0x67, 0x8b, 0);
	*(uint32_t *)(*mem + TSS_BASE + 4) = RING0_STACK;	/* esp0 */
	*(uint32_t *)(*mem + TSS_BASE + 8) = SEL_DATA0;		/* ss0 */

	vcpu = kvmini_vcpu_create(vm, 0);
	kvmini_get_sregs(vcpu, &sregs);
	sregs.cs = ring3_seg(SEL_CODE3, 11, 3);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss =
		ring3_seg(SEL_DATA3, 3, 3);
	sregs.tr = (struct kvmini_segment) {
		.base = TSS_BASE, .limit = 0x67, .selector = SEL_TSS,
		.type = 11, .present = 1,
	};
	sregs.ldt = (struct kvmini_segment) { .type = 2, .unusable = 1 };
	sregs.gdt.base = GDT_BASE;
	sregs.gdt.limit = 6 * 8 - 1;
	sregs.idt.base = IDT_BASE;
	sregs.idt.limit = 64 * 8 - 1;
	sregs.cr0 = 0x11 | CR0_AM;	/* PE, ET, AM */
	sregs.cr4 = 0;
	sregs.efer = 0;
	kvmini_set_sregs(vcpu, &sregs);
	kvmini_set_regs(vcpu, &regs);
	return vcpu;
}

static inline struct kvmini_vcpu *ring3_guest(const unsigned char *start,
					      const unsigned char *end,
					      uint8_t **mem, uint32_t rflags,
					      uint32_t esp)
{
	return ring3_guest_in(kvmini_vm_create(), start, end, mem, rflags,
			      esp);
}

#define RING3_GUEST(name, mem, rflags, esp)				\
	ring3_guest(guest_##name##_start, guest_##name##_end, mem, rflags, esp)

/* Flat 32-bit protected mode at CPL 0, with the same GDT and IDT. */
static inline struct kvmini_vcpu *cpl0_guest(const unsigned char *start,
					     const unsigned char *end,
					     uint8_t **mem, uint32_t cr4)
{
	struct kvmini_vcpu *vcpu = ring3_guest(start, end, mem, 0, 0x8000);
	struct kvmini_sregs sregs;

	kvmini_get_sregs(vcpu, &sregs);
	sregs.cs = ring3_seg(SEL_CODE0, 11, 0);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss =
		ring3_seg(SEL_DATA0, 3, 0);
	sregs.cr4 = cr4;
	kvmini_set_sregs(vcpu, &sregs);
	return vcpu;
}

#define CPL0_GUEST(name, mem, cr4)					\
	cpl0_guest(guest_##name##_start, guest_##name##_end, mem, cr4)

/*
 * #UD and #GP handlers that report on ports of their own and halt:
 * "out %al, $0x36; hlt" and "out %al, $0x3d; hlt".
 */
#define VEC_UD		6
#define VEC_GP		13
#define PORT_UD		0x36
#define PORT_GP		0x3d
#define HANDLER_UD	0x6000
#define HANDLER_GP	0x6100

static inline void set_fault_handlers(uint8_t *mem)
{
	static const uint8_t ud[] = { 0xe6, PORT_UD, 0xf4 };
	static const uint8_t gp[] = { 0xe6, PORT_GP, 0xf4 };

	memcpy(mem + HANDLER_UD, ud, sizeof(ud));
	memcpy(mem + HANDLER_GP, gp, sizeof(gp));
	set_gate(mem, VEC_UD, SEL_CODE0, HANDLER_UD);
	set_gate(mem, VEC_GP, SEL_CODE0, HANDLER_GP);
}

#define GUEST_ADDR(name, label)						\
	(GUEST_LOAD_ADDR + (guest_##name##_##label - guest_##name##_start))

#endif /* KVMINI_RING3_H */
