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
 *
 * Every other MSR, a bad value, or a non-canonical address raises #GP(0)
 * in the guest, as hardware does for an MSR it does not have.
 */
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "../kvmini_vendor.h"

#define EFER_WRITABLE	(EFER_SCE | EFER_LME | EFER_NX)

static bool canonical(u64 v)
{
	return (s64)(v << 16) >> 16 == v;
}

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

static int msr_read(struct kvmini_vcpu *vcpu, u32 index, u64 *data)
{
	struct kvmini_sregs sregs;

	switch (index) {
	case MSR_IA32_TSC:
		*data = rdtsc();
		return 0;
	case MSR_EFER:
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		kvmini_vendor->get_sregs(vcpu, &sregs);
		*data = index == MSR_EFER ? sregs.efer :
			index == MSR_FS_BASE ? sregs.fs.base : sregs.gs.base;
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
		return -EPERM;
	case MSR_EFER:
		return msr_write_efer(vcpu, data);
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		if (!canonical(data))
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
		if (!canonical(data))
			return -EINVAL;
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
