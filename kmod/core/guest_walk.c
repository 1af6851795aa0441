// SPDX-License-Identifier: GPL-2.0
/*
 * guest_walk.c - reading guest memory by linear address: the guest's own
 * page tables, walked in software.
 *
 * Needed when kvmini has to look at an instruction itself (an MMIO
 * access to decode, an unhandled exit to report).  The hardware already
 * checked permissions when it ran the instruction, so this walk only
 * translates.  Paging modes: none, 32-bit (with 4 MiB pages), PAE, 4-level
 * and 5-level (with 2 MiB and 1 GiB pages).  A Linux guest runs 5-level
 * wherever CPUID shows LA57, as it does under QEMU's -cpu max.
 */
#include <linux/mm.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>

#include "../kvmini_core.h"

#define PTE_P		BIT_ULL(0)
#define PTE_PS		BIT_ULL(7)
#define PTE_FRAME	GENMASK_ULL(51, 12)

static int read_pte(struct kvmini_vm *vm, u64 gpa, int size, u64 *pte)
{
	*pte = 0;
	return kvmini_read_guest(vm, gpa, pte, size);
}

/* A 64-bit (PAE, 4- or 5-level) walk from the table at pa, levels deep. */
static int walk64(struct kvmini_vm *vm, u64 table, int levels, u64 linear,
		  u64 *gpa)
{
	int level;

	for (level = levels - 1; level >= 0; level--) {
		int shift = 12 + 9 * level;
		u64 pte;

		if (read_pte(vm, (table & PTE_FRAME) +
			     ((linear >> shift) & 511) * 8, 8, &pte) ||
		    !(pte & PTE_P))
			return -EFAULT;
		/* A large page ends the walk at level 1 (2M) or 2 (1G). */
		if (level && level < 3 && (pte & PTE_PS)) {
			*gpa = (pte & PTE_FRAME & ~(BIT_ULL(shift) - 1)) |
			       (linear & (BIT_ULL(shift) - 1));
			return 0;
		}
		table = pte;
	}
	*gpa = (table & PTE_FRAME) | (linear & ~PAGE_MASK);
	return 0;
}

int kvmini_guest_linear_to_gpa(struct kvmini_vcpu *vcpu,
			       const struct kvmini_sregs *sregs, u64 linear,
			       u64 *gpa)
{
	struct kvmini_vm *vm = vcpu->vm;
	u64 pde, pdpte, pte;

	if (!(sregs->cr0 & X86_CR0_PG)) {
		*gpa = (sregs->efer & EFER_LMA) ? linear : (u32)linear;
		return 0;
	}
	if (sregs->efer & EFER_LMA)
		return walk64(vm, sregs->cr3,
			      sregs->cr4 & X86_CR4_LA57 ? 5 : 4, linear, gpa);

	linear = (u32)linear;
	if (sregs->cr4 & X86_CR4_PAE) {
		/* Four PDPTEs at CR3 (32-byte aligned), then two levels. */
		if (read_pte(vm, (sregs->cr3 & ~0x1fULL) + (linear >> 30) * 8,
			     8, &pdpte) || !(pdpte & PTE_P))
			return -EFAULT;
		return walk64(vm, pdpte, 2, linear, gpa);
	}

	/* 32-bit paging: 4-byte entries, 4 MiB pages with CR4.PSE. */
	if (read_pte(vm, (sregs->cr3 & 0xfffff000) + (linear >> 22) * 4, 4,
		     &pde) || !(pde & PTE_P))
		return -EFAULT;
	if ((sregs->cr4 & X86_CR4_PSE) && (pde & PTE_PS)) {
		*gpa = (pde & 0xffc00000) | (linear & 0x3fffff);
		return 0;
	}
	if (read_pte(vm, (pde & 0xfffff000) + ((linear >> 12) & 1023) * 4, 4,
		     &pte) || !(pte & PTE_P))
		return -EFAULT;
	*gpa = (pte & 0xfffff000) | (linear & 0xfff);
	return 0;
}

/*
 * Copy up to len bytes at a linear address; returns how many it could.
 * One walk and one copy per page: a page is mapped, and inside a slot,
 * as a whole or not at all.
 */
static int linear_copy(struct kvmini_vcpu *vcpu,
		       const struct kvmini_sregs *sregs, u64 linear, u8 *buf,
		       int len, bool write)
{
	int n = 0;

	while (n < len) {
		int chunk = min_t(int, len - n,
				  PAGE_SIZE - offset_in_page(linear + n));
		u64 gpa;

		if (kvmini_guest_linear_to_gpa(vcpu, sregs, linear + n, &gpa))
			break;
		if (write ? kvmini_write_guest(vcpu->vm, gpa, buf + n, chunk) :
			    kvmini_read_guest(vcpu->vm, gpa, buf + n, chunk))
			break;
		n += chunk;
	}
	return n;
}

int kvmini_read_guest_linear(struct kvmini_vcpu *vcpu,
			     const struct kvmini_sregs *sregs, u64 linear,
			     void *buf, int len)
{
	return linear_copy(vcpu, sregs, linear, buf, len, false);
}

int kvmini_write_guest_linear(struct kvmini_vcpu *vcpu,
			      const struct kvmini_sregs *sregs, u64 linear,
			      const void *buf, int len)
{
	return linear_copy(vcpu, sregs, linear, (u8 *)buf, len, true);
}
