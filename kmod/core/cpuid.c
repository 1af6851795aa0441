// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid.c - CPUID, answered in the kernel.
 *
 * The guest sees the host's CPUID minus what kvmini does not virtualize
 * (see the comment in uapi/kvmini.h), unless userspace installed an
 * override for the leaf with KVMINI_SET_CPUID.  Either way the exit
 * never leaves the kernel.  Each vCPU keeps the answers it computed, so
 * a leaf asked again costs neither a host CPUID (an exit of its own
 * when the host is itself a guest), nor the filters, nor the VM's lock.
 */
#include <linux/hash.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/processor.h>
#include <asm/cpufeatures.h>
#include <asm/fpu/xstate.h>

#include "../kvmini_vendor.h"

/* The kernel's X86_FEATURE_* numbers are word * 32 + bit. */
#define CPUID_BIT(feature)	BIT((feature) & 31)

enum { EAX, EBX, ECX, EDX };
#define ANY_INDEX	(~0u)

/*
 * What the guest must not see: virtualization extensions kvmini does not
 * nest, the local APIC unless userspace emulates one (KVMINI_VM_LOCAL_APIC,
 * shown again in cpuid_vcpu_fields()), and features whose MSRs it
 * does not back.  A kernel finding one of those would reach for the MSR
 * without a safe accessor (machine-check MSRs even panic on #GP).
 */
static const struct cpuid_hide {
	u32 leaf, index;
	u8 reg;
	u32 bits;
} hidden[] = {
	{ 1, ANY_INDEX, ECX,
	  CPUID_BIT(X86_FEATURE_DTES64) | CPUID_BIT(X86_FEATURE_MWAIT) |
	  CPUID_BIT(X86_FEATURE_DSCPL) | CPUID_BIT(X86_FEATURE_VMX) |
	  CPUID_BIT(X86_FEATURE_EST) | CPUID_BIT(X86_FEATURE_TM2) |
	  CPUID_BIT(X86_FEATURE_XTPR) | CPUID_BIT(X86_FEATURE_PDCM) |
	  CPUID_BIT(X86_FEATURE_X2APIC) |
	  CPUID_BIT(X86_FEATURE_TSC_DEADLINE_TIMER) },
	{ 1, ANY_INDEX, EDX,
	  CPUID_BIT(X86_FEATURE_MCE) | CPUID_BIT(X86_FEATURE_APIC) |
	  CPUID_BIT(X86_FEATURE_MCA) | CPUID_BIT(X86_FEATURE_DS) |
	  CPUID_BIT(X86_FEATURE_ACPI) | CPUID_BIT(X86_FEATURE_ACC) |
	  CPUID_BIT(X86_FEATURE_PBE) },
	{ 7, 0, EBX,
	  CPUID_BIT(X86_FEATURE_TSC_ADJUST) | CPUID_BIT(X86_FEATURE_SGX) |
	  CPUID_BIT(X86_FEATURE_CQM) | CPUID_BIT(X86_FEATURE_MPX) |
	  CPUID_BIT(X86_FEATURE_RDT_A) | CPUID_BIT(X86_FEATURE_INTEL_PT) },
	{ 7, 0, ECX,
	  CPUID_BIT(X86_FEATURE_PKU) | CPUID_BIT(X86_FEATURE_OSPKE) |
	  CPUID_BIT(X86_FEATURE_WAITPKG) | CPUID_BIT(X86_FEATURE_TME) |
	  CPUID_BIT(X86_FEATURE_RDPID) | CPUID_BIT(X86_FEATURE_SGX_LC) },
	{ 7, 0, EDX,
	  CPUID_BIT(X86_FEATURE_SPEC_CTRL) |
	  CPUID_BIT(X86_FEATURE_INTEL_STIBP) |
	  CPUID_BIT(X86_FEATURE_FLUSH_L1D) |
	  CPUID_BIT(X86_FEATURE_ARCH_CAPABILITIES) |
	  CPUID_BIT(X86_FEATURE_CORE_CAPABILITIES) |
	  CPUID_BIT(X86_FEATURE_SPEC_CTRL_SSBD) },
	{ 0xd, 1, EAX,
	  CPUID_BIT(X86_FEATURE_XSAVES) | CPUID_BIT(X86_FEATURE_XFD) },
	{ 0x80000001, ANY_INDEX, ECX,
	  CPUID_BIT(X86_FEATURE_SVM) | CPUID_BIT(X86_FEATURE_IBS) |
	  CPUID_BIT(X86_FEATURE_LWP) | CPUID_BIT(X86_FEATURE_PERFCTR_CORE) |
	  CPUID_BIT(X86_FEATURE_PERFCTR_NB) |
	  CPUID_BIT(X86_FEATURE_PERFCTR_LLC) | CPUID_BIT(X86_FEATURE_MWAITX) },
	{ 0x80000001, ANY_INDEX, EDX, CPUID_BIT(X86_FEATURE_RDTSCP) },
	{ 0x80000008, ANY_INDEX, EBX,
	  CPUID_BIT(X86_FEATURE_AMD_IBPB) | CPUID_BIT(X86_FEATURE_AMD_IBRS) |
	  CPUID_BIT(X86_FEATURE_AMD_STIBP) | CPUID_BIT(X86_FEATURE_AMD_SSBD) |
	  CPUID_BIT(X86_FEATURE_VIRT_SSBD) },
};

/*
 * Leaves that describe only hardware the guest does not get: power and
 * thermal management, the PMU, resource director, SGX, processor trace,
 * SVM, SEV.  And the clock leaves 0x15 and 0x16: Linux takes the crystal
 * of 0x15 as its local APIC timer's rate (the APIC userspace emulates
 * counts at its own), and an emulator's values need not match its TSC.
 * Without them a guest calibrates both against the PIT, as under KVM.
 */
static const u32 empty_leaves[] = {
	6, 0xa, 0xf, 0x10, 0x12, 0x14, 0x15, 0x16, 0x8000000a, 0x8000001f,
};

/* What every vCPU of the VM sees in a leaf of the host's. */
static void cpuid_filter(u32 leaf, u32 index, u32 *r)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(empty_leaves); i++)
		if (leaf == empty_leaves[i])
			memset(r, 0, 4 * sizeof(*r));
	for (i = 0; i < ARRAY_SIZE(hidden); i++)
		if (hidden[i].leaf == leaf &&
		    (hidden[i].index == ANY_INDEX || hidden[i].index == index))
			r[hidden[i].reg] &= ~hidden[i].bits;
	if (kvmini_vendor->cpuid_filter)
		kvmini_vendor->cpuid_filter(leaf, index, r);

	switch (leaf) {
	case 1:
		r[ECX] |= CPUID_BIT(X86_FEATURE_HYPERVISOR);
		break;
	case 0xd:
		/*
		 * XCR0's features: what a guest may enable (core/xsave.c);
		 * the size for the guest's own XCR0 is per vCPU, below.
		 */
		if (index == 0) {
			u64 allowed = kvmini_guest_xcr0_allowed();

			r[EAX] &= (u32)allowed;
			r[EDX] &= allowed >> 32;
			r[ECX] = kvmini_xsave_size(allowed);
		} else if (index < 64 && (XFEATURE_MASK_XTILE & BIT_ULL(index))) {
			memset(r, 0, 4 * sizeof(*r));	/* AMX: not offered */
		}
		break;
	case KVMINI_CPUID_SIGNATURE:
		r[EAX] = KVMINI_CPUID_SIGNATURE;
		memcpy(&r[EBX], "kvmi", 4);
		memcpy(&r[ECX], "nikv", 4);
		memcpy(&r[EDX], "mini", 4);
		break;
	}
}

/*
 * Does the leaf have fields that differ per vCPU (cpuid_vcpu_fields())?
 * The topology leaves only where they exist: above the last leaf Intel
 * CPUs repeat that one.
 */
static bool cpuid_has_vcpu_fields(u32 leaf, u32 index)
{
	switch (leaf) {
	case 1:
		return true;
	case 0xd:
		return index == 0;
	case 0xb:
	case 0x1f:
		return leaf <= cpuid_eax(0);
	case 0x8000001e:
		return leaf <= cpuid_eax(0x80000000);
	default:
		return false;
	}
}

static void cpuid_vcpu_fields(struct kvmini_vcpu *vcpu, u32 leaf, u32 *r)
{
	switch (leaf) {
	case 0xd:
		/* The save area's size for the guest's XCR0, not the host's. */
		r[EBX] = kvmini_xsave_size(vcpu->xcr0);
		break;
	case 1:
		if (vcpu->vm->flags & KVMINI_VM_LOCAL_APIC)
			r[EDX] |= CPUID_BIT(X86_FEATURE_APIC);
		/* Initial APIC id: the vCPU id. */
		r[EBX] = (r[EBX] & 0x00ffffff) | vcpu->id << 24;
		/* OSXSAVE mirrors the guest's CR4, not the host's. */
		r[ECX] &= ~CPUID_BIT(X86_FEATURE_OSXSAVE);
		if (kvmini_vendor->get_cr4(vcpu) & X86_CR4_OSXSAVE)
			r[ECX] |= CPUID_BIT(X86_FEATURE_OSXSAVE);
		break;
	case 0xb:
	case 0x1f:
		/*
		 * The topology leaves' x2APIC id is the vCPU's, not that of
		 * the CPU the vCPU happens to run on.
		 */
		r[EDX] = vcpu->id;
		break;
	case 0x8000001e:
		/* AMD's extended APIC id, likewise. */
		r[EAX] = vcpu->id;
		break;
	}
}

/* An override for leaf/index, copied out under the lock. */
static bool cpuid_override(struct kvmini_vm *vm, u32 leaf, u32 index,
			   u32 *regs)
{
	struct kvmini_cpuid_entry *e;
	bool found = false;
	int i;

	mutex_lock(&vm->cpuid_lock);
	for (i = 0; i < vm->cpuid_nent && !found; i++) {
		e = &vm->cpuid[i];
		if (e->function != leaf ||
		    ((e->flags & KVMINI_CPUID_INDEXED) && e->index != index))
			continue;
		regs[0] = e->eax;
		regs[1] = e->ebx;
		regs[2] = e->ecx;
		regs[3] = e->edx;
		found = true;
	}
	mutex_unlock(&vm->cpuid_lock);
	return found;
}

/*
 * The vCPU's cached answer for leaf/index, computed first if need be.
 * A table SET_CPUID installs meanwhile applies from the next CPUID, as
 * if it came after this one.
 */
static const struct kvmini_cpuid_cached *
cpuid_lookup(struct kvmini_vcpu *vcpu, u32 leaf, u32 index)
{
	u32 gen = READ_ONCE(vcpu->vm->cpuid_gen);
	struct kvmini_cpuid_cached *c;

	c = &vcpu->cpuid_cache[hash_32(leaf ^ index * 0x9e37,
				       ilog2(KVMINI_CPUID_CACHE))];
	if (c->gen == gen && c->leaf == leaf && c->index == index)
		return c;
	c->leaf = leaf;
	c->index = index;
	c->gen = gen;
	c->vcpu_fields = false;
	if (!cpuid_override(vcpu->vm, leaf, index, c->regs)) {
		cpuid_count(leaf, index, &c->regs[EAX], &c->regs[EBX],
			    &c->regs[ECX], &c->regs[EDX]);
		cpuid_filter(leaf, index, c->regs);
		c->vcpu_fields = cpuid_has_vcpu_fields(leaf, index);
	}
	return c;
}

/* The CPUID exit: answer from RAX/RCX into RAX/RBX/RCX/RDX, step over. */
void kvmini_handle_cpuid(struct kvmini_vcpu *vcpu)
{
	unsigned long *gprs = vcpu->gprs;
	u32 leaf = gprs[GPR_RAX], index = gprs[GPR_RCX], r[4];
	const struct kvmini_cpuid_cached *c = cpuid_lookup(vcpu, leaf, index);

	memcpy(r, c->regs, sizeof(r));
	if (c->vcpu_fields)
		cpuid_vcpu_fields(vcpu, leaf, r);
	/* 32-bit results zero-extend into the 64-bit registers. */
	gprs[GPR_RAX] = r[0];
	gprs[GPR_RBX] = r[1];
	gprs[GPR_RCX] = r[2];
	gprs[GPR_RDX] = r[3];
	kvmini_vendor->skip_instruction(vcpu);
}

static bool cpuid_table_ok(const struct kvmini_cpuid *c)
{
	int i, j;

	if (c->padding)
		return false;
	for (i = 0; i < c->nent; i++) {
		const struct kvmini_cpuid_entry *e = &c->entries[i];

		if (e->padding || (e->flags & ~KVMINI_CPUID_INDEXED) ||
		    (!(e->flags & KVMINI_CPUID_INDEXED) && e->index))
			return false;
		for (j = 0; j < i; j++)
			if (c->entries[j].function == e->function &&
			    c->entries[j].index == e->index)
				return false;
	}
	return true;
}

long kvmini_vm_set_cpuid(struct kvmini_vm *vm, void __user *argp)
{
	struct kvmini_cpuid *c;
	long r = 0;

	c = memdup_user(argp, sizeof(*c));
	if (IS_ERR(c))
		return PTR_ERR(c);
	if (c->nent > KVMINI_MAX_CPUID)
		r = -E2BIG;
	else if (!cpuid_table_ok(c))
		r = -EINVAL;
	if (!r) {
		mutex_lock(&vm->cpuid_lock);
		memcpy(vm->cpuid, c->entries, sizeof(vm->cpuid));
		vm->cpuid_nent = c->nent;
		WRITE_ONCE(vm->cpuid_gen, vm->cpuid_gen + 1 ?: 1);
		mutex_unlock(&vm->cpuid_lock);
	}
	kfree(c);
	return r;
}
