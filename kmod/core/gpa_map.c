// SPDX-License-Identifier: GPL-2.0
/*
 * gpa_map.c - the guest-physical page table (EPT on VMX, NPT on SVM).
 *
 * The table starts empty.  When the guest touches a guest-physical page
 * that is not mapped, the hardware exits (EPT violation / NPT fault) and
 * the run loop calls kvmini_gpa_map_fault(): if a slot covers the address
 * we pin the user page behind it and install a 4 KiB leaf; if none does,
 * the access is MMIO and goes to userspace.
 *
 * EPT and NPT have the same shape (four levels of 512 entries, frame at
 * bits 51:12, bit 0 set in every present entry), so one walker serves
 * both; the backend only says which permission bits to use.
 */
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>

#include "../kvmini_vendor.h"

#define GPA_PTE_FRAME	GENMASK_ULL(51, 12)
#define GPA_PTE_WRITE	BIT_ULL(1)	/* EPT W and NPT R/W are both bit 1 */

static unsigned int gpa_index(u64 gpa, int level)
{
	return (gpa >> (12 + 9 * level)) & 511;
}

static u64 *gpa_table_alloc(u64 *pa)
{
	u64 *table = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

	if (table)
		*pa = virt_to_phys(table);
	return table;
}

/* The guest-physical address space the table can map. */
u64 kvmini_gpa_limit(void)
{
	return BIT_ULL(min(12 + 9 * kvmini_vendor->gpa_levels(), 52U));
}

int kvmini_gpa_map_init(struct kvmini_vm *vm)
{
	vm->gpa_root = gpa_table_alloc(&vm->gpa_root_pa);
	return vm->gpa_root ? 0 : -ENOMEM;
}

/*
 * The leaf entry for gpa.  The tables above it are allocated when alloc
 * is set; otherwise NULL if one is missing.  Caller holds gpa_lock.
 */
static u64 *gpa_leaf(struct kvmini_vm *vm, u64 gpa, bool alloc)
{
	u64 *table = vm->gpa_root;
	int level;

	for (level = kvmini_vendor->gpa_levels() - 1; level > 0; level--) {
		u64 *pte = &table[gpa_index(gpa, level)];
		u64 pa;

		if (!(*pte & 1)) {
			if (!alloc || !gpa_table_alloc(&pa))
				return NULL;
			WRITE_ONCE(*pte, pa | kvmini_vendor->gpa_table_bits);
		}
		table = phys_to_virt(*pte & GPA_PTE_FRAME);
	}
	return &table[gpa_index(gpa, 0)];
}

/*
 * A guest access to gpa faulted.  Map the page if a slot covers it and
 * allows the access; otherwise the access is MMIO (*is_mmio), which
 * includes writes to read-only slots.
 *
 * The page is pinned without slots_lock held: pinning can sleep for
 * long, on I/O or on a userfaultfd handler, and that handler may well
 * want slots_lock itself (to add a slot) before it resolves the fault.
 * A slot deleted meanwhile bumps slots_gen under slots_lock, and its
 * pages are unmapped before slots_lock is dropped; so the mapping is
 * installed only if slots_gen, checked under slots_lock again, is what
 * it was.  If not, the pin is dropped and the access simply faults
 * again (0, not MMIO).
 */
static int gpa_map_fault(struct kvmini_vm *vm, u64 gpa, bool write,
			 bool *is_mmio, struct kvmini_vcpu *vcpu)
{
	struct kvmini_slot *slot;
	struct page *page;
	bool writable;
	u64 uaddr, *pte;
	u32 gen;
	int r;

	gpa &= PAGE_MASK;
	mutex_lock(&vm->slots_lock);
	slot = kvmini_slot_find(vm, gpa);
	writable = slot && !(slot->flags & KVMINI_MEM_READONLY);
	*is_mmio = !slot || (write && !writable);
	if (*is_mmio) {
		if (!slot && vcpu) {
			vcpu->mmio_page = gpa;
			vcpu->mmio_gen = vm->slots_gen;
		}
		mutex_unlock(&vm->slots_lock);
		return 0;
	}
	uaddr = slot->uaddr + (gpa - slot->gpa);
	gen = vm->slots_gen;
	mutex_unlock(&vm->slots_lock);

	r = pin_user_pages_fast(uaddr, 1,
				FOLL_LONGTERM | (writable ? FOLL_WRITE : 0),
				&page);
	if (r != 1)
		return r < 0 ? r : -EFAULT;

	mutex_lock(&vm->slots_lock);
	mutex_lock(&vm->gpa_lock);
	pte = vm->slots_gen == gen ? gpa_leaf(vm, gpa, true) : NULL;
	if (vm->slots_gen != gen) {
		r = 1;			/* the slot changed: fault again */
	} else if (!pte) {
		r = -ENOMEM;
	} else if (*pte & 1) {
		/* Another vCPU mapped it first: keep its pin, drop ours. */
		r = 1;
	} else {
		WRITE_ONCE(*pte, page_to_phys(page) | (writable ?
			   kvmini_vendor->gpa_leaf_rw_bits :
			   kvmini_vendor->gpa_leaf_ro_bits));
		r = 0;
	}
	mutex_unlock(&vm->gpa_lock);
	mutex_unlock(&vm->slots_lock);
	if (r)
		unpin_user_page(page);
	return r < 0 ? r : 0;
}

int kvmini_gpa_map_fault(struct kvmini_vm *vm, u64 gpa, bool write,
			 bool *is_mmio)
{
	return gpa_map_fault(vm, gpa, write, is_mmio, NULL);
}

/*
 * The same for a vCPU's own access, which also remembers the last page
 * found in no slot: device registers are hit again and again, and the
 * answer holds until a slot comes or goes (slots_gen), so the next
 * access there is MMIO without slots_lock and a look at every slot.  A
 * slot added meanwhile makes the access one that came just before it.
 */
int kvmini_gpa_vcpu_fault(struct kvmini_vcpu *vcpu, u64 gpa, bool write,
			  bool *is_mmio)
{
	if ((gpa & PAGE_MASK) == vcpu->mmio_page &&
	    vcpu->mmio_gen == READ_ONCE(vcpu->vm->slots_gen)) {
		*is_mmio = true;
		return 0;
	}
	return gpa_map_fault(vcpu->vm, gpa, write, is_mmio, vcpu);
}

/*
 * Copy len bytes (within one page) to or from guest-physical gpa for the
 * kernel's own use (guest page tables, instruction bytes, string I/O).
 * The copy goes through the page kvmini has pinned for the guest, under
 * gpa_lock, which the unpinning of a deleted slot's pages also takes:
 * no user memory is touched with a lock held, and a page is never
 * copied after kvmini let go of it.  Not mapped yet: map it as a guest
 * access would, and look again.  -EFAULT outside every slot, and for a
 * write to a read-only slot.
 */
int kvmini_gpa_copy(struct kvmini_vm *vm, u64 gpa, void *buf,
		    unsigned int len, bool write)
{
	bool is_mmio;
	int tries, r;

	for (tries = 0; tries < 3; tries++) {
		u64 *pte;

		mutex_lock(&vm->gpa_lock);
		pte = gpa_leaf(vm, gpa & PAGE_MASK, false);
		if (pte && (*pte & 1) && (!write || (*pte & GPA_PTE_WRITE))) {
			struct page *page = pfn_to_page((*pte & GPA_PTE_FRAME) >>
							PAGE_SHIFT);
			u8 *p = kmap_local_page(page);

			if (write)
				memcpy(p + offset_in_page(gpa), buf, len);
			else
				memcpy(buf, p + offset_in_page(gpa), len);
			kunmap_local(p);
			mutex_unlock(&vm->gpa_lock);
			return 0;
		}
		mutex_unlock(&vm->gpa_lock);
		r = kvmini_gpa_map_fault(vm, gpa, write, &is_mmio);
		if (r)
			return r;
		if (is_mmio)
			return -EFAULT;
	}
	/* Slots kept changing under us: let the caller fail this time. */
	return -EFAULT;
}

/*
 * What one pass of kvmini_gpa_unmap() does to each leaf in the range:
 * first make it not present (keeping its frame), later unpin its page.
 */
enum gpa_unmap_pass { GPA_UNMAP_CLEAR, GPA_UNMAP_RELEASE };

/*
 * Apply pass to the leaves of [start, end) under table, a table of the
 * given level that maps guest-physical addresses from base.  Only tables
 * that exist are visited: a missing entry skips the whole subtree it
 * would cover, so a huge slot the guest never touched costs a few
 * entries, not one step per 4 KiB page.  Caller holds gpa_lock, a mutex:
 * rescheduling after each last-level table keeps a large mapped range
 * from stalling its CPU.
 */
static void gpa_unmap_range(u64 *table, int level, u64 base, u64 start,
			    u64 end, enum gpa_unmap_pass pass, bool dirty)
{
	u64 span = BIT_ULL(12 + 9 * level);
	unsigned int i = start > base ? gpa_index(start, level) : 0;
	u64 *pte;

	for (; i < 512 && base + i * span < end; i++) {
		pte = &table[i];
		if (level > 0) {
			if (*pte & 1)
				gpa_unmap_range(phys_to_virt(*pte & GPA_PTE_FRAME),
						level - 1, base + i * span, start,
						end, pass, dirty);
			continue;
		}
		if (pass == GPA_UNMAP_CLEAR) {
			if (*pte & 1)
				WRITE_ONCE(*pte, *pte & GPA_PTE_FRAME);
		} else if (*pte) {
			struct page *page = pfn_to_page((*pte & GPA_PTE_FRAME) >>
							PAGE_SHIFT);

			unpin_user_pages_dirty_lock(&page, 1, dirty);
			WRITE_ONCE(*pte, 0);
		}
	}
	if (level == 1)
		cond_resched();
}

static void gpa_unmap_pass(struct kvmini_vm *vm, u64 gpa, u64 size,
			   enum gpa_unmap_pass pass, bool dirty)
{
	mutex_lock(&vm->gpa_lock);
	gpa_unmap_range(vm->gpa_root, kvmini_vendor->gpa_levels() - 1, 0, gpa,
			gpa + size, pass, dirty);
	mutex_unlock(&vm->gpa_lock);
}

/*
 * Unmap [gpa, gpa + size) and unpin its pages; the caller holds
 * slots_lock and has already removed the slot.  First the leaves are
 * made not-present (their frames kept), then every vCPU is made to flush
 * what it cached, and only then are the pages unpinned: a guest never
 * reaches a page after kvmini has let go of it.
 */
void kvmini_gpa_unmap(struct kvmini_vm *vm, u64 gpa, u64 size, bool dirty)
{
	gpa_unmap_pass(vm, gpa, size, GPA_UNMAP_CLEAR, dirty);
	kvmini_vm_flush_tlbs(vm);
	gpa_unmap_pass(vm, gpa, size, GPA_UNMAP_RELEASE, dirty);
}

/* Free a table and everything below it, unpinning the guest's pages. */
static void gpa_table_free(u64 *table, int level)
{
	int i;

	for (i = 0; i < 512; i++) {
		u64 pte = table[i];
		struct page *page;

		if (!(pte & 1))
			continue;
		if (level > 0) {
			gpa_table_free(phys_to_virt(pte & GPA_PTE_FRAME),
				       level - 1);
			continue;
		}
		page = pfn_to_page((pte & GPA_PTE_FRAME) >> PAGE_SHIFT);
		unpin_user_pages_dirty_lock(&page, 1, pte & GPA_PTE_WRITE);
	}
	free_page((unsigned long)table);
	/* Unpinning a big guest takes a while: let others run meanwhile. */
	if (level == 1)
		cond_resched();
}

/* Called when the last reference to the VM is gone: no vCPU can run. */
void kvmini_gpa_map_free(struct kvmini_vm *vm)
{
	gpa_table_free(vm->gpa_root, kvmini_vendor->gpa_levels() - 1);
}
