// SPDX-License-Identifier: GPL-2.0
/*
 * msr.c - RDMSR and WRMSR, answered in the kernel.
 *
 * Every MSR access exits (the MSR bitmaps are all ones), so a guest never
 * reads or writes a host MSR.  A documented set is emulated:
 *
 *   EFER                      SCE, LME, NX writable; LMA read-only
 *   FS_BASE, GS_BASE          the segment bases
 *   KERNEL_GS_BASE, STAR, LSTAR, CSTAR, SYSCALL_MASK
 *   SYSENTER_CS, SYSENTER_ESP, SYSENTER_EIP
 *   PAT                       each byte a valid memory type
 *   TSC                       reads the host TSC (as RDTSC does);
 *                             writes are refused
 *   MISC_ENABLE               fast strings, no BTS, no PEBS; writes
 *                             keep what they set
 *   UCODE_REV (PATCH_LEVEL)   reads 0: no microcode; writes ignored
 *   MTRRcap                   0: no variable or fixed ranges, no WC
 *   MTRRdefType               enable, fixed-enable and the default type
 *                             (WB after reset), nothing else
 *   APIC_BASE                 only in a VM whose userspace emulates the
 *                             local APIC (KVMINI_VM_LOCAL_APIC): the base
 *                             0xfee00000, the BSP flag on vCPU 0, the
 *                             enable bit (the one bit a write may change)
 *
 * The guest boots Linux with these: CPUID hides the features whose MSRs
 * kvmini does not back (core/cpuid.c), so a kernel never reaches for
 * one without a safe accessor.
 *
 * Every other MSR, a bad value, or a non-canonical address raises #GP(0)
 * in the guest, as hardware does for an MSR it does not have.  Nothing
 * unchecked reaches the hardware: VMX loads the syscall MSRs into the
 * CPU with wrmsrl() while the guest runs.
 */
#include <asm/msr.h>
#include <asm/mtrr.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "../kvmini_vendor.h"

#define EFER_WRITABLE	(EFER_SCE | EFER_LME | EFER_NX)

/* Memory types 0 (UC), 1 (WC), 4 (WT), 5 (WP), 6 (WB), 7 (UC-). */
static bool pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 type = pat >> (i * 8);

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

/* Queue #GP(0); real mode has no error code. */
void kvmini_inject_gp(struct kvmini_vcpu *vcpu)
{
	struct kvmini_sregs sregs;

	kvmini_vendor->get_sregs(vcpu, &sregs);
	kvmini_queue_exception(vcpu, X86_TRAP_GP, sregs.cr0 & X86_CR0_PE, 0);
}

#ifndef MTRR_DEF_TYPE_E		/* named from 6.4 on */
#define MTRR_DEF_TYPE_FE	BIT(10)
#define MTRR_DEF_TYPE_E		BIT(11)
#endif

#define MISC_ENABLE_FIXED	(MSR_IA32_MISC_ENABLE_FAST_STRING | \
				 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL | \
				 MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL)
#define MTRR_DEF_TYPE_VALID	(0xff | MTRR_DEF_TYPE_FE | MTRR_DEF_TYPE_E)

/* MTRR memory types: UC 0, WC 1, WT 4, WP 5, WB 6. */
static bool mtrr_type_valid(u8 type)
{
	return type < 7 && type != 2 && type != 3;
}

/* MSR values a vCPU starts with. */
/*
 * The xAPIC lives in userspace at its power-on base, which does not move:
 * its MMIO range is where userspace's device model is.
 */
#define APIC_BASE_DEFAULT	0xfee00000ull
#define APIC_BASE_FIXED		(APIC_BASE_DEFAULT | MSR_IA32_APICBASE_BSP)

void kvmini_msr_reset(struct kvmini_vcpu *vcpu)
{
	vcpu->apic_base = APIC_BASE_DEFAULT | MSR_IA32_APICBASE_ENABLE |
			  (vcpu->id ? 0 : MSR_IA32_APICBASE_BSP);
	vcpu->misc_enable = MISC_ENABLE_FIXED;
	vcpu->mtrr_def_type = MTRR_DEF_TYPE_E | MTRR_TYPE_WRBACK;
}

static int msr_read(struct kvmini_vcpu *vcpu, u32 index, u64 *data)
{
	struct kvmini_sregs sregs;

	switch (index) {
	case MSR_IA32_TSC:
		*data = rdtsc();
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*data = vcpu->misc_enable;
		return 0;
	case MSR_IA32_UCODE_REV:
	case MSR_MTRRcap:
		*data = 0;
		return 0;
	case MSR_MTRRdefType:
		*data = vcpu->mtrr_def_type;
		return 0;
	case MSR_IA32_APICBASE:
		if (!(vcpu->vm->flags & KVMINI_VM_LOCAL_APIC))
			return -EINVAL;
		*data = vcpu->apic_base;
		return 0;
	case MSR_EFER:
		*data = kvmini_vendor->get_efer(vcpu);
		return 0;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		kvmini_vendor->get_sregs(vcpu, &sregs);
		*data = index == MSR_FS_BASE ? sregs.fs.base : sregs.gs.base;
		return 0;
	default:
		return kvmini_vendor->get_msr(vcpu, index, data);
	}
}

static int msr_write_efer(struct kvmini_vcpu *vcpu, u64 data)
{
	struct kvmini_sregs sregs;

	kvmini_vendor->get_sregs(vcpu, &sregs);
	if (data & ~(EFER_WRITABLE | EFER_LMA))
		return -EINVAL;
	/* LME cannot change while paging is on. */
	if ((sregs.cr0 & X86_CR0_PG) && ((data ^ sregs.efer) & EFER_LME))
		return -EINVAL;
	sregs.efer = (data & EFER_WRITABLE) | (sregs.efer & EFER_LMA);
	return kvmini_vendor->set_sregs(vcpu, &sregs);
}

static int msr_write(struct kvmini_vcpu *vcpu, u32 index, u64 data)
{
	struct kvmini_sregs sregs;

	switch (index) {
	case MSR_IA32_TSC:
	case MSR_MTRRcap:
		return -EPERM;
	case MSR_IA32_MISC_ENABLE:
		/* The bits that describe the CPU stay as they are. */
		if ((data ^ vcpu->misc_enable) & MISC_ENABLE_FIXED)
			return -EINVAL;
		vcpu->misc_enable = data;
		return 0;
	case MSR_IA32_UCODE_REV:
		return 0;
	case MSR_MTRRdefType:
		if ((data & ~MTRR_DEF_TYPE_VALID) || !mtrr_type_valid(data))
			return -EINVAL;
		vcpu->mtrr_def_type = data;
		return 0;
	case MSR_IA32_APICBASE:
		if (!(vcpu->vm->flags & KVMINI_VM_LOCAL_APIC) ||
		    (data & ~MSR_IA32_APICBASE_ENABLE) !=
		    (vcpu->apic_base & APIC_BASE_FIXED))
			return -EINVAL;
		vcpu->apic_base = data;
		return 0;
	case MSR_EFER:
		return msr_write_efer(vcpu, data);
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		if (!kvmini_canonical(data))
			return -EINVAL;
		kvmini_vendor->get_sregs(vcpu, &sregs);
		if (index == MSR_FS_BASE)
			sregs.fs.base = data;
		else
			sregs.gs.base = data;
		return kvmini_vendor->set_sregs(vcpu, &sregs);
	case MSR_IA32_CR_PAT:
		if (!pat_valid(data))
			return -EINVAL;
		break;
	case MSR_KERNEL_GS_BASE:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!kvmini_canonical(data))
			return -EINVAL;
		break;
	case MSR_SYSCALL_MASK:
		/*
		 * Bits 63:32 are reserved: VMX loads the value into the host
		 * MSR with wrmsrl(), which would fault in the host.
		 */
		if (data >> 32)
			return -EINVAL;
		break;
	case MSR_IA32_SYSENTER_CS:
		/*
		 * A 32-bit MSR on both vendors: VMX keeps it in a 32-bit
		 * VMCS field, which drops the high half; the VMCB would
		 * have kept it for VMLOAD.  Drop it everywhere.
		 */
		data = (u32)data;
		break;
	}
	return kvmini_vendor->set_msr(vcpu, index, data);
}

/* The MSR exit: emulate it, or #GP; either way the guest goes on. */
void kvmini_handle_msr(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit)
{
	unsigned long *gprs = vcpu->gprs;
	u32 index = gprs[GPR_RCX];
	u64 data;
	int r;

	if (exit->msr.write) {
		data = (u32)gprs[GPR_RAX] | (u64)gprs[GPR_RDX] << 32;
		r = msr_write(vcpu, index, data);
	} else {
		r = msr_read(vcpu, index, &data);
		if (!r) {
			gprs[GPR_RAX] = (u32)data;
			gprs[GPR_RDX] = data >> 32;
		}
	}
	if (r)
		kvmini_inject_gp(vcpu);
	else
		kvmini_vendor->skip_instruction(vcpu);
}
