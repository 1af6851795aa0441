// SPDX-License-Identifier: GPL-2.0
/*
 * cpuid.c - CPUID, answered in the kernel.
 *
 * The guest sees the host's CPUID minus what kvmini does not virtualize
 * (see the comment in uapi/kvmini.h), unless userspace installed an
 * override for the leaf with KVMINI_SET_CPUID.  Either way the exit
 * never leaves the kernel.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/processor.h>
#include <asm/cpufeatures.h>

#include "../kvmini_vendor.h"

/* The kernel's X86_FEATURE_* numbers are word * 32 + bit. */
#define CPUID_BIT(feature)	BIT((feature) & 31)

static void cpuid_filter(struct kvmini_vcpu *vcpu, u32 leaf, u32 *eax,
			 u32 *ebx, u32 *ecx, u32 *edx)
{
	switch (leaf) {
	case 1:
		*ecx &= ~(CPUID_BIT(X86_FEATURE_VMX) |
			  CPUID_BIT(X86_FEATURE_MWAIT) |
			  CPUID_BIT(X86_FEATURE_X2APIC) |
			  CPUID_BIT(X86_FEATURE_TSC_DEADLINE_TIMER));
		*ecx |= CPUID_BIT(X86_FEATURE_HYPERVISOR);
		*edx &= ~CPUID_BIT(X86_FEATURE_APIC);
		/* Initial APIC id: the vCPU id. */
		*ebx = (*ebx & 0x00ffffff) | vcpu->id << 24;
		break;
	case 0x80000001:
		*ecx &= ~CPUID_BIT(X86_FEATURE_SVM);
		break;
	case KVMINI_CPUID_SIGNATURE:
		*eax = KVMINI_CPUID_SIGNATURE;
		memcpy(ebx, "kvmi", 4);
		memcpy(ecx, "nikv", 4);
		memcpy(edx, "mini", 4);
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

/* The CPUID exit: answer from RAX/RCX into RAX/RBX/RCX/RDX, step over. */
void kvmini_handle_cpuid(struct kvmini_vcpu *vcpu)
{
	unsigned long *gprs = vcpu->gprs;
	u32 leaf = gprs[GPR_RAX], index = gprs[GPR_RCX], r[4];

	if (!cpuid_override(vcpu->vm, leaf, index, r)) {
		cpuid_count(leaf, index, &r[0], &r[1], &r[2], &r[3]);
		cpuid_filter(vcpu, leaf, &r[0], &r[1], &r[2], &r[3]);
	}
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
		mutex_unlock(&vm->cpuid_lock);
	}
	kfree(c);
	return r;
}
