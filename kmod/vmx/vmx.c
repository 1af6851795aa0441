// SPDX-License-Identifier: GPL-2.0
/*
 * vmx.c - the Intel VMX backend: VMXON, one VMCS per vCPU, EPT.
 *
 * What a reader needs to know first:
 *  - VMXON runs on every CPU when the first VM is created (cpu_enable),
 *    VMXOFF after the last is gone (core/dev.c).
 *  - A vCPU's VMCS stays active on the last CPU that loaded it, across
 *    returns to userspace and reschedules, as KVM keeps it: RUN after RUN
 *    on one CPU needs no VMPTRLD and resumes with VMRESUME.  It is
 *    VMCLEARed only when the vCPU moves (an IPI to the old CPU), when it
 *    is freed, and before VMXOFF (each CPU lists what is active on it).
 *  - Guests run with EPT and "unrestricted guest", so real mode and
 *    unpaged protected mode run natively.
 *  - Exits are decoded in vmx_decode_exit() into a struct kvmini_exit.
 *
 * Control bits, VMCS field names and exit reasons come from the kernel's
 * <asm/vmx.h>.
 */
#define pr_fmt(fmt) "kvmini: vmx: " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <linux/moduleparam.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/percpu.h>
#include <linux/user-return-notifier.h>
#include <asm/vmx.h>
#include <asm/trapnr.h>
#include <asm/msr.h>
#include <asm/desc.h>
#include <asm/debugreg.h>
#include <asm/tlbflush.h>
#include <asm/cpu_entry_area.h>
#include <asm/special_insns.h>
#include <asm/apic.h>
#include <asm/mtrr.h>
#include <asm/tsc.h>
#include <asm/nospec-branch.h>
/*
 * load_gs_index(): asm/gsseg.h since 6.2 (paravirt.h only with
 * PARAVIRT_XXL); mmu_context.h includes it there and has it on 6.1.
 */
#include <asm/mmu_context.h>

#include "../kvmini_vendor.h"
#include "../kvmini_state.h"
#include "../kvmini_stats.h"
#include "../kvmini_guest_mode.h"
#include "vmx_entry.h"

#ifndef VMX_BASIC_TRUE_CTLS
#define VMX_BASIC_TRUE_CTLS	BIT_ULL(55)	/* not named in older kernels */
#endif

/* What this CPU model lets us use, computed once at load. */
static struct {
	u32 revision_id;
	u32 pin, proc, proc2, exit, entry;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	bool invept_single;
	u32 timeslice;		/* preemption-timer ticks, or 0 */
	int l1d_flush;		/* L1D_FLUSH_NEVER, _COND or _ALWAYS */
	struct page *l1d_flush_buf;	/* without MSR_IA32_FLUSH_CMD */
} vmx_cfg;

static DEFINE_PER_CPU(void *, vmxon_region);
static DEFINE_PER_CPU(bool, vmx_on);
/* The VMCS VMPTRLD made current here, and every VMCS active here. */
static DEFINE_PER_CPU(void *, current_vmcs);
static DEFINE_PER_CPU(struct list_head, loaded_vmcss);

/*
 * MSRs VMX does not switch.  The host needs the syscall MSRs (all but
 * the last) only in user mode: the guest's stay in the CPU until some
 * task returns to userspace there (a user-return notifier, as KVM's
 * kvm_user_return_msrs), so a vCPU that runs again without that writes
 * none.  KERNEL_GS_BASE is the host task's user GS base, which a context
 * switch saves: the guest's is loaded before its first entry after
 * vcpu_load and the host's put back at vcpu_put.
 */
static const u32 vmx_switched_msrs[] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
};

#define VMX_NR_SWITCHED	ARRAY_SIZE(vmx_switched_msrs)
#define VMX_NR_URET	(VMX_NR_SWITCHED - 1)
/* The one the guest changes without an exit: SWAPGS swaps it with GS. */
#define VMX_KGS		VMX_NR_URET

/* The syscall MSRs of one CPU: the host's, and what the CPU holds. */
struct vmx_uret_msrs {
	struct user_return_notifier urn;
	bool registered;	/* curr may differ from host */
	u64 host[VMX_NR_URET];
	u64 curr[VMX_NR_URET];
};

static DEFINE_PER_CPU(struct vmx_uret_msrs, vmx_uret_msrs);

#define PAT_RESET	0x0007040600070406ULL

struct kvmini_vmx_vcpu {
	void *vmcs;
	u64 vmcs_pa;
	/*
	 * The CPU the VMCS is active on, or -1; loaded_link is then in that
	 * CPU's loaded_vmcss.  Both change only on that CPU, with interrupts
	 * off, or on the loading CPU once the VMCS is off every list.
	 */
	int cpu;
	struct list_head loaded_link;
	bool loaded;		/* between vcpu_load and vcpu_put */
	bool launched;		/* VMLAUNCH done since the last VMCLEAR */
	bool entered;		/* host segment state needs restoring */
	bool flush_ept;		/* new CPU: drop stale EPT translations */
	unsigned long cr2, cr8;
	unsigned long host_cr3, host_cr4;
	u16 host_ds, host_es, host_fs, host_gs;
	unsigned long host_fs_base;	/* in HOST_FS_BASE */
	unsigned long host_kernel_gs_base;
	struct desc_ptr host_idt;
	unsigned long host_debugctl;	/* IA32_DEBUGCTL of this task */
	u32 proc;		/* the primary controls in the VMCS */
	bool msrs_loaded;	/* guest_msrs are in the hardware */
	u64 guest_msrs[VMX_NR_SWITCHED];
};

static struct kvmini_vmx_vcpu *to_vmx(struct kvmini_vcpu *vcpu)
{
	return vcpu->vendor;
}

/* ------------------------------------------------------------------ */
/* VMX instructions                                                     */
/* ------------------------------------------------------------------ */

static unsigned long vmcs_read(unsigned long field)
{
	unsigned long value;

	asm volatile("vmread %1, %0" : "=rm"(value) : "r"(field) : "cc");
	return value;
}

static void vmcs_write(unsigned long field, unsigned long value)
{
	bool fail;

	asm volatile("vmwrite %2, %1" CC_SET(na)
		     : CC_OUT(na)(fail) : "r"(field), "rm"(value));
	WARN_ONCE(fail, "kvmini: vmwrite %lx=%lx failed (error %lu)\n",
		  field, value, vmcs_read(VM_INSTRUCTION_ERROR));
}

static void vmcs_load(u64 pa)
{
	bool fail;

	asm volatile("vmptrld %1" CC_SET(na)
		     : CC_OUT(na)(fail) : "m"(pa) : "memory");
	WARN_ONCE(fail, "kvmini: vmptrld failed\n");
}

static void vmcs_clear(u64 pa)
{
	bool fail;

	asm volatile("vmclear %1" CC_SET(na)
		     : CC_OUT(na)(fail) : "m"(pa) : "memory");
	WARN_ONCE(fail, "kvmini: vmclear failed\n");
}

/* VMXON; true if it failed or faulted (the fault is fixed up). */
static bool vmx_insn_vmxon(u64 pa)
{
	u8 failed = 1;

	asm volatile("1: vmxon %1\n\t"
		     "setna %0\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : "+qm"(failed) : "m"(pa) : "cc", "memory");
	return failed;
}

static void invept_single(u64 eptp)
{
	struct { u64 eptp, zero; } desc = { eptp, 0 };
	unsigned long type = vmx_cfg.invept_single ? VMX_EPT_EXTENT_CONTEXT :
						     VMX_EPT_EXTENT_GLOBAL;

	asm volatile("invept %0, %1" : : "m"(desc), "r"(type) : "cc", "memory");
}

/* ------------------------------------------------------------------ */
/* Capabilities and per-CPU enable                                      */
/* ------------------------------------------------------------------ */

/* Required bits must be allowed; optional ones are taken if allowed. */
static int vmx_adjust(u32 msr, u32 required, u32 optional, u32 *out)
{
	u64 caps;
	u32 allowed0, allowed1, want;

	rdmsrl(msr, caps);
	allowed0 = (u32)caps;
	allowed1 = caps >> 32;
	want = (required | optional | allowed0) & allowed1;
	if ((want & required) != required) {
		pr_err("MSR %#x lacks required controls %#x\n", msr,
		       required & ~allowed1);
		return -EOPNOTSUPP;
	}
	*out = want;
	return 0;
}

/*
 * With vmx_timeslice_us set, a guest runs at most that long before it
 * exits, whatever it does with its interrupt flag: a backstop for
 * signals and scheduling should a host interrupt fail to exit the guest.
 * Hardware never needs it; Bochs 2.7 does (a nested guest spinning with
 * IF=0 never takes the host's interrupt exit there), so the test VMs
 * load the module with vmx_timeslice_us=1000.  The timer counts the TSC
 * shifted right by the rate in IA32_VMX_MISC.
 */
static unsigned int vmx_timeslice_us;
module_param(vmx_timeslice_us, uint, 0444);
MODULE_PARM_DESC(vmx_timeslice_us, "VMX: exit a guest after this many microseconds of running (VMX preemption timer; 0, the default, is off)");

static u32 vmx_timeslice_ticks(void)
{
	u64 misc, ticks;

	if (!vmx_timeslice_us ||
	    !(vmx_cfg.pin & PIN_BASED_VMX_PREEMPTION_TIMER) || !tsc_khz)
		return 0;
	rdmsrl(MSR_IA32_VMX_MISC, misc);
	ticks = ((u64)tsc_khz * vmx_timeslice_us / 1000) >>
		vmx_misc_preemption_timer_rate(misc);
	return clamp_t(u64, ticks, 1, U32_MAX);
}

/*
 * L1 terminal fault: on an affected CPU a guest can read what the host
 * left in L1D, so L1D is flushed before entering, following the host's
 * l1tf= policy the way KVM's vmentry_l1d_flush=auto does: never when
 * the host turned the mitigation off, on every entry for full,force,
 * otherwise (cond) only when host code ran since the last flush: a
 * return from userspace, a host interrupt or NMI, a reschedule, a page
 * mapped or an MMIO instruction read.  Exits kvmini handles in place
 * (CPUID, MSRs, port handlers) do not flush.
 */
enum { L1D_FLUSH_AUTO, L1D_FLUSH_NEVER, L1D_FLUSH_COND, L1D_FLUSH_ALWAYS };
static const char *const l1d_flush_names[] = { "auto", "never", "cond",
					       "always" };
static int l1d_flush_mode = L1D_FLUSH_AUTO;

static int l1d_flush_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(l1d_flush_names, val);

	if (i < 0)
		return i;
	l1d_flush_mode = i;
	return 0;
}

static int l1d_flush_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", l1d_flush_names[vmx_cfg.l1d_flush]);
}

static const struct kernel_param_ops l1d_flush_ops = {
	.set = l1d_flush_set,
	.get = l1d_flush_get,
};
module_param_cb(l1d_flush, &l1d_flush_ops, NULL, 0444);
MODULE_PARM_DESC(l1d_flush, "VMX: flush L1D before entries: auto (follow l1tf=), never, cond, always");

#define L1D_FLUSH_BUF_ORDER	4	/* 64 KiB: twice the L1D of any CPU */

static int vmx_l1d_flush_setup(void)
{
	int mode = l1d_flush_mode;

	if (mode == L1D_FLUSH_AUTO) {
		if (!boot_cpu_has_bug(X86_BUG_L1TF) ||
		    l1tf_mitigation == L1TF_MITIGATION_OFF)
			mode = L1D_FLUSH_NEVER;
		else if (l1tf_mitigation == L1TF_MITIGATION_FULL_FORCE)
			mode = L1D_FLUSH_ALWAYS;
		else
			mode = L1D_FLUSH_COND;
	}
	vmx_cfg.l1d_flush = mode;
	pr_info("L1D flush before VM entries: %s%s\n", l1d_flush_names[mode],
		mode != L1D_FLUSH_NEVER && !boot_cpu_has(X86_FEATURE_FLUSH_L1D) ?
		" (in software)" : "");
	if (mode == L1D_FLUSH_NEVER || boot_cpu_has(X86_FEATURE_FLUSH_L1D))
		return 0;
	vmx_cfg.l1d_flush_buf = alloc_pages(GFP_KERNEL | __GFP_ZERO,
					    L1D_FLUSH_BUF_ORDER);
	return vmx_cfg.l1d_flush_buf ? 0 : -ENOMEM;
}

/* With interrupts off, right before an entry. */
static void vmx_l1d_flush(struct kvmini_vcpu *vcpu)
{
	const u8 *buf;
	int i;

	if (vmx_cfg.l1d_flush == L1D_FLUSH_NEVER ||
	    (vmx_cfg.l1d_flush == L1D_FLUSH_COND && !vcpu->l1d_flush_needed))
		return;
	vcpu->l1d_flush_needed = false;
	if (boot_cpu_has(X86_FEATURE_FLUSH_L1D)) {
		native_wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
		return;
	}
	/*
	 * Without the MSR: read a buffer twice the size of L1D, one line at
	 * a time, after touching each page so no TLB miss interrupts it.
	 */
	buf = page_address(vmx_cfg.l1d_flush_buf);
	for (i = 0; i < PAGE_SIZE << L1D_FLUSH_BUF_ORDER; i += PAGE_SIZE)
		READ_ONCE(buf[i]);
	for (i = 0; i < PAGE_SIZE << L1D_FLUSH_BUF_ORDER; i += L1_CACHE_BYTES)
		READ_ONCE(buf[i]);
}

static int vmx_hardware_check(void)
{
	u64 basic, feat, ept;
	bool true_ctls;
	int cpu, r;

	for_each_possible_cpu(cpu)
		INIT_LIST_HEAD(&per_cpu(loaded_vmcss, cpu));

	rdmsrl(MSR_IA32_FEAT_CTL, feat);
	if (!(feat & FEAT_CTL_LOCKED) ||
	    !(feat & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("VMX is disabled by the firmware (IA32_FEATURE_CONTROL=%#llx)\n",
		       feat);
		return -EOPNOTSUPP;
	}

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	vmx_cfg.revision_id = basic & 0x7fffffff;
	true_ctls = basic & VMX_BASIC_TRUE_CTLS;
	if (((basic >> 32) & 0x1fff) > PAGE_SIZE) {
		pr_err("VMCS larger than a page\n");
		return -EOPNOTSUPP;
	}

	r = vmx_adjust(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
		       MSR_IA32_VMX_PINBASED_CTLS,
		       PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING |
		       PIN_BASED_VIRTUAL_NMIS,
		       PIN_BASED_VMX_PREEMPTION_TIMER, &vmx_cfg.pin);
	if (!r)
		r = vmx_adjust(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			       MSR_IA32_VMX_PROCBASED_CTLS,
			       CPU_BASED_HLT_EXITING |
			       CPU_BASED_UNCOND_IO_EXITING |
			       CPU_BASED_MOV_DR_EXITING |
			       CPU_BASED_CR8_LOAD_EXITING |
			       CPU_BASED_CR8_STORE_EXITING |
			       CPU_BASED_MWAIT_EXITING |
			       CPU_BASED_MONITOR_EXITING |
			       CPU_BASED_RDPMC_EXITING |
			       CPU_BASED_INTR_WINDOW_EXITING |
			       CPU_BASED_NMI_WINDOW_EXITING |
			       CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, 0,
			       &vmx_cfg.proc);
	if (!r)
		r = vmx_adjust(MSR_IA32_VMX_PROCBASED_CTLS2,
			       SECONDARY_EXEC_ENABLE_EPT |
			       SECONDARY_EXEC_UNRESTRICTED_GUEST,
			       SECONDARY_EXEC_ENABLE_INVPCID,
			       &vmx_cfg.proc2);
	if (!r)
		r = vmx_adjust(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
			       MSR_IA32_VMX_EXIT_CTLS,
			       VM_EXIT_HOST_ADDR_SPACE_SIZE |
			       VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER |
			       VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT,
			       0, &vmx_cfg.exit);
	if (!r)
		r = vmx_adjust(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
			       MSR_IA32_VMX_ENTRY_CTLS,
			       VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT,
			       0, &vmx_cfg.entry);
	if (r)
		return r;
	/* Exit-time interrupt acknowledge: let the host's IDT take it. */
	vmx_cfg.exit &= ~VM_EXIT_ACK_INTR_ON_EXIT;
	/* Set per entry from the guest's EFER.LMA. */
	vmx_cfg.entry &= ~VM_ENTRY_IA32E_MODE;
	/* The window exits are turned on per vCPU when needed. */
	vmx_cfg.proc &= ~(CPU_BASED_INTR_WINDOW_EXITING |
			  CPU_BASED_NMI_WINDOW_EXITING);
	/* Untouched CR3 accesses need no exit with EPT. */
	vmx_cfg.proc &= ~(CPU_BASED_CR3_LOAD_EXITING |
			  CPU_BASED_CR3_STORE_EXITING |
			  CPU_BASED_INVLPG_EXITING);

	rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, ept);
	if (!(ept & VMX_EPT_PAGE_WALK_4_BIT) || !(ept & VMX_EPTP_WB_BIT) ||
	    !(ept & VMX_EPT_INVEPT_BIT) ||
	    !(ept & (VMX_EPT_EXTENT_CONTEXT_BIT | VMX_EPT_EXTENT_GLOBAL_BIT))) {
		pr_err("EPT lacks 4-level walks, WB, or INVEPT (%#llx)\n", ept);
		return -EOPNOTSUPP;
	}
	vmx_cfg.invept_single = ept & VMX_EPT_EXTENT_CONTEXT_BIT;

	vmx_cfg.timeslice = vmx_timeslice_ticks();
	r = vmx_l1d_flush_setup();
	if (r)
		return r;

	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, vmx_cfg.cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, vmx_cfg.cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, vmx_cfg.cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, vmx_cfg.cr4_fixed1);
	/* Unrestricted guest lifts the PE and PG requirements. */
	vmx_cfg.cr0_fixed0 &= ~(X86_CR0_PE | X86_CR0_PG);
	return 0;
}

static void vmx_hardware_unsetup(void)
{
	int cpu;

	if (vmx_cfg.l1d_flush_buf)
		__free_pages(vmx_cfg.l1d_flush_buf, L1D_FLUSH_BUF_ORDER);
	vmx_cfg.l1d_flush_buf = NULL;

	for_each_possible_cpu(cpu) {
		free_page((unsigned long)per_cpu(vmxon_region, cpu));
		per_cpu(vmxon_region, cpu) = NULL;
	}
}

/* Some task returns to userspace on this CPU: the host's values back. */
static void vmx_on_user_return(struct user_return_notifier *urn)
{
	struct vmx_uret_msrs *u = container_of(urn, struct vmx_uret_msrs, urn);
	unsigned long flags;
	int i;

	/* Also called by vmx_cpu_disable(), with interrupts on. */
	local_irq_save(flags);
	if (u->registered) {
		u->registered = false;
		user_return_notifier_unregister(urn);
	}
	local_irq_restore(flags);
	for (i = 0; i < VMX_NR_URET; i++) {
		if (u->curr[i] != u->host[i]) {
			wrmsrl(vmx_switched_msrs[i], u->host[i]);
			u->curr[i] = u->host[i];
		}
	}
}

/* The host's syscall MSRs are the kernel's, set once per CPU at boot. */
static void vmx_uret_msrs_init(void)
{
	struct vmx_uret_msrs *u = this_cpu_ptr(&vmx_uret_msrs);
	int i;

	for (i = 0; i < VMX_NR_URET; i++) {
		rdmsrl(vmx_switched_msrs[i], u->host[i]);
		u->curr[i] = u->host[i];
	}
	u->urn.on_user_return = vmx_on_user_return;
}

/* The VMXON region, kept until rmmod. */
static int vmx_cpu_prepare(unsigned int cpu)
{
	void *region = per_cpu(vmxon_region, cpu);

	if (!region) {
		region = (void *)get_zeroed_page(GFP_KERNEL);
		if (!region)
			return -ENOMEM;
		per_cpu(vmxon_region, cpu) = region;
	}
	*(u32 *)region = vmx_cfg.revision_id;
	return 0;
}

static int vmx_cpu_enable(void)
{
	void *region = this_cpu_read(vmxon_region);
	u64 pa;
	unsigned long flags;
	int r = 0;

	if (!region)
		return -ENOMEM;
	pa = __pa(region);

	local_irq_save(flags);
	if (__read_cr4() & X86_CR4_VMXE) {
		/* Someone else is in VMX operation on this CPU. */
		r = -EBUSY;
		goto out;
	}
	cr4_update_irqsoff(X86_CR4_VMXE, 0);
	if (vmx_insn_vmxon(pa)) {
		cr4_update_irqsoff(0, X86_CR4_VMXE);
		r = -EIO;
	} else {
		this_cpu_write(vmx_on, true);
		vmx_uret_msrs_init();
	}
out:
	local_irq_restore(flags);
	return r;
}

/*
 * VMCLEAR a VMCS on the CPU it is active on, with interrupts off: its
 * data reaches memory, and the next VMPTRLD may be on any CPU.
 */
static void vmx_vmcs_clear_local(void *arg)
{
	struct kvmini_vmx_vcpu *vmx = arg;
	int cpu = raw_smp_processor_id();

	/* Cleared meanwhile by this CPU going offline. */
	if (vmx->cpu != cpu)
		return;
	if (per_cpu(current_vmcs, cpu) == vmx->vmcs)
		per_cpu(current_vmcs, cpu) = NULL;
	vmcs_clear(vmx->vmcs_pa);
	list_del(&vmx->loaded_link);
	/* Off this CPU's list before another CPU may put it on its own. */
	smp_wmb();
	vmx->cpu = -1;
	vmx->launched = false;
}

static void vmx_vmcs_clear(struct kvmini_vmx_vcpu *vmx)
{
	int cpu = READ_ONCE(vmx->cpu);

	if (cpu != -1)
		smp_call_function_single(cpu, vmx_vmcs_clear_local, vmx, 1);
}

/*
 * Also the emergency-reboot callback: may run in NMI context.  Every
 * VMCS active here is VMCLEARed first: after VMXOFF its data would be
 * lost, and a crash kernel would find stale VMCS regions.
 */
static void vmx_cpu_disable(void)
{
	struct kvmini_vmx_vcpu *vmx, *tmp;
	unsigned long flags;

	if (!this_cpu_read(vmx_on))
		return;
	local_irq_save(flags);
	list_for_each_entry_safe(vmx, tmp, this_cpu_ptr(&loaded_vmcss),
				 loaded_link)
		vmx_vmcs_clear_local(vmx);
	this_cpu_write(current_vmcs, NULL);
	local_irq_restore(flags);
	/* No notifier may outlive the module: the host's MSRs back now. */
	vmx_on_user_return(this_cpu_ptr(&vmx_uret_msrs.urn));
	/* A fault here means VMX was already off: fine either way. */
	asm volatile("1: vmxoff\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b) : : : "cc", "memory");
	cr4_update_irqsoff(0, X86_CR4_VMXE);
	this_cpu_write(vmx_on, false);
}

/* ------------------------------------------------------------------ */
/* Segments, control registers, the architectural state                 */
/* ------------------------------------------------------------------ */

/* VMCS fields of one segment register, in kvmini_sregs order. */
static const struct vmx_seg_fields {
	u32 sel, base, limit, ar;
} vmx_segs[] = {
	{ GUEST_CS_SELECTOR, GUEST_CS_BASE, GUEST_CS_LIMIT, GUEST_CS_AR_BYTES },
	{ GUEST_DS_SELECTOR, GUEST_DS_BASE, GUEST_DS_LIMIT, GUEST_DS_AR_BYTES },
	{ GUEST_ES_SELECTOR, GUEST_ES_BASE, GUEST_ES_LIMIT, GUEST_ES_AR_BYTES },
	{ GUEST_FS_SELECTOR, GUEST_FS_BASE, GUEST_FS_LIMIT, GUEST_FS_AR_BYTES },
	{ GUEST_GS_SELECTOR, GUEST_GS_BASE, GUEST_GS_LIMIT, GUEST_GS_AR_BYTES },
	{ GUEST_SS_SELECTOR, GUEST_SS_BASE, GUEST_SS_LIMIT, GUEST_SS_AR_BYTES },
	{ GUEST_TR_SELECTOR, GUEST_TR_BASE, GUEST_TR_LIMIT, GUEST_TR_AR_BYTES },
	{ GUEST_LDTR_SELECTOR, GUEST_LDTR_BASE, GUEST_LDTR_LIMIT,
	  GUEST_LDTR_AR_BYTES },
};

static void vmx_get_segment(int i, struct kvmini_segment *s)
{
	s->selector = vmcs_read(vmx_segs[i].sel);
	s->base = vmcs_read(vmx_segs[i].base);
	s->limit = vmcs_read(vmx_segs[i].limit);
	kvmini_segment_from_ar(s, vmcs_read(vmx_segs[i].ar));
}

static void vmx_set_segment(int i, const struct kvmini_segment *s)
{
	vmcs_write(vmx_segs[i].sel, s->selector);
	vmcs_write(vmx_segs[i].base, s->base);
	vmcs_write(vmx_segs[i].limit, s->limit);
	vmcs_write(vmx_segs[i].ar, kvmini_segment_to_ar(s));
}

/*
 * Bits VMX forces in CR0/CR4 (NE, VMXE) are owned by the host: the guest
 * reads its own value from the read shadow, and writing a different one
 * exits.
 */
static void vmx_set_cr0(unsigned long cr0)
{
	unsigned long forced = vmx_cfg.cr0_fixed0;

	vmcs_write(CR0_GUEST_HOST_MASK, forced);
	vmcs_write(CR0_READ_SHADOW, cr0);
	vmcs_write(GUEST_CR0, (cr0 | forced) & vmx_cfg.cr0_fixed1);
}

static void vmx_set_cr4(unsigned long cr4)
{
	unsigned long forced = vmx_cfg.cr4_fixed0;
	/*
	 * Also host-owned: what the CPU allows but kvmini does not give the
	 * guest (core/cr.c), so that setting it exits and raises #GP.
	 */
	unsigned long owned = forced |
			      (vmx_cfg.cr4_fixed1 & ~kvmini_cr4_valid_bits());

	vmcs_write(CR4_GUEST_HOST_MASK, owned);
	vmcs_write(CR4_READ_SHADOW, cr4);
	vmcs_write(GUEST_CR4, (cr4 | forced) & vmx_cfg.cr4_fixed1);
}

static unsigned long vmx_guest_cr(unsigned long field, unsigned long mask,
				  unsigned long shadow)
{
	unsigned long m = vmcs_read(mask);

	return (vmcs_read(field) & ~m) | (vmcs_read(shadow) & m);
}

static void vmx_set_efer(u64 efer)
{
	u32 entry = vmx_cfg.entry;

	if (efer & EFER_LMA)
		entry |= VM_ENTRY_IA32E_MODE;
	vmcs_write(VM_ENTRY_CONTROLS, entry);
	vmcs_write(GUEST_IA32_EFER, efer);
}

static u64 vmx_get_efer(struct kvmini_vcpu *vcpu)
{
	return vmcs_read(GUEST_IA32_EFER);
}

static u64 vmx_get_cr4(struct kvmini_vcpu *vcpu)
{
	return vmx_guest_cr(GUEST_CR4, CR4_GUEST_HOST_MASK, CR4_READ_SHADOW);
}

static void vmx_get_regs(struct kvmini_vcpu *vcpu, struct kvmini_regs *regs)
{
	kvmini_gprs_to_regs(vcpu->gprs, regs);
	regs->rsp = vmcs_read(GUEST_RSP);
	regs->rip = vmcs_read(GUEST_RIP);
	regs->rflags = vmcs_read(GUEST_RFLAGS);
}

static void vmx_set_regs(struct kvmini_vcpu *vcpu,
			 const struct kvmini_regs *regs)
{
	kvmini_regs_to_gprs(regs, vcpu->gprs);
	vmcs_write(GUEST_RSP, regs->rsp);
	vmcs_write(GUEST_RIP, regs->rip);
	vmcs_write(GUEST_RFLAGS, regs->rflags);
}

static void vmx_get_sregs(struct kvmini_vcpu *vcpu,
			  struct kvmini_sregs *sregs)
{
	struct kvmini_segment *seg = &sregs->cs;
	int i;

	for (i = 0; i < ARRAY_SIZE(vmx_segs); i++)
		vmx_get_segment(i, &seg[i]);
	sregs->gdt.base = vmcs_read(GUEST_GDTR_BASE);
	sregs->gdt.limit = vmcs_read(GUEST_GDTR_LIMIT);
	sregs->idt.base = vmcs_read(GUEST_IDTR_BASE);
	sregs->idt.limit = vmcs_read(GUEST_IDTR_LIMIT);
	sregs->cr0 = vmx_guest_cr(GUEST_CR0, CR0_GUEST_HOST_MASK,
				  CR0_READ_SHADOW);
	sregs->cr4 = vmx_guest_cr(GUEST_CR4, CR4_GUEST_HOST_MASK,
				  CR4_READ_SHADOW);
	sregs->cr2 = to_vmx(vcpu)->cr2;
	sregs->cr3 = vmcs_read(GUEST_CR3);
	sregs->cr8 = to_vmx(vcpu)->cr8;
	sregs->efer = vmcs_read(GUEST_IA32_EFER);
}

static int vmx_set_sregs(struct kvmini_vcpu *vcpu,
			 const struct kvmini_sregs *sregs)
{
	const struct kvmini_segment *seg = &sregs->cs;
	int i;

	for (i = 0; i < ARRAY_SIZE(vmx_segs); i++)
		vmx_set_segment(i, &seg[i]);
	vmcs_write(GUEST_GDTR_BASE, sregs->gdt.base);
	vmcs_write(GUEST_GDTR_LIMIT, sregs->gdt.limit);
	vmcs_write(GUEST_IDTR_BASE, sregs->idt.base);
	vmcs_write(GUEST_IDTR_LIMIT, sregs->idt.limit);
	vmx_set_cr0(sregs->cr0);
	vmx_set_cr4(sregs->cr4);
	vmcs_write(GUEST_CR3, sregs->cr3);
	to_vmx(vcpu)->cr2 = sregs->cr2;
	to_vmx(vcpu)->cr8 = sregs->cr8;
	vmx_set_efer(sregs->efer);
	return 0;
}

static int vmx_switched_index(u32 msr)
{
	int i;

	for (i = 0; i < VMX_NR_SWITCHED; i++)
		if (vmx_switched_msrs[i] == msr)
			return i;
	return -1;
}

static int vmx_msr_field(u32 msr)
{
	switch (msr) {
	case MSR_IA32_SYSENTER_CS:
		return GUEST_SYSENTER_CS;
	case MSR_IA32_SYSENTER_ESP:
		return GUEST_SYSENTER_ESP;
	case MSR_IA32_SYSENTER_EIP:
		return GUEST_SYSENTER_EIP;
	case MSR_IA32_CR_PAT:
		return GUEST_IA32_PAT;
	default:
		return -1;
	}
}

/* While the guest's values are live, its KERNEL_GS_BASE is only there. */
static void vmx_save_kernel_gs_base(struct kvmini_vmx_vcpu *vmx)
{
	if (vmx->msrs_loaded)
		rdmsrl(MSR_KERNEL_GS_BASE,
		       vmx->guest_msrs[VMX_KGS]);
}

static int vmx_get_msr(struct kvmini_vcpu *vcpu, u32 msr, u64 *data)
{
	int field = vmx_msr_field(msr), i = vmx_switched_index(msr);

	if (field >= 0) {
		*data = vmcs_read(field);
	} else if (i >= 0) {
		preempt_disable();
		vmx_save_kernel_gs_base(to_vmx(vcpu));
		*data = to_vmx(vcpu)->guest_msrs[i];
		preempt_enable();
	} else {
		return -ENOENT;
	}
	return 0;
}

static int vmx_set_msr(struct kvmini_vcpu *vcpu, u32 msr, u64 data)
{
	struct kvmini_vmx_vcpu *vmx = to_vmx(vcpu);
	int field = vmx_msr_field(msr), i = vmx_switched_index(msr);

	if (field >= 0) {
		vmcs_write(field, data);
	} else if (i >= 0) {
		/* If the guest's values are live, this one must be too. */
		preempt_disable();
		vmx->guest_msrs[i] = data;
		if (vmx->msrs_loaded) {
			wrmsrl(msr, data);
			if (i < VMX_NR_URET)
				this_cpu_write(vmx_uret_msrs.curr[i], data);
		}
		preempt_enable();
	} else {
		return -ENOENT;
	}
	return 0;
}

/* With interrupts off, before the first entry after vcpu_load. */
static void vmx_load_guest_msrs(struct kvmini_vmx_vcpu *vmx)
{
	struct vmx_uret_msrs *u = this_cpu_ptr(&vmx_uret_msrs);
	int i;

	for (i = 0; i < VMX_NR_URET; i++) {
		if (vmx->guest_msrs[i] != u->curr[i]) {
			wrmsrl(vmx_switched_msrs[i], vmx->guest_msrs[i]);
			u->curr[i] = vmx->guest_msrs[i];
		}
	}
	if (!u->registered) {
		user_return_notifier_register(&u->urn);
		u->registered = true;
	}
	/* vcpu_load saved the host's. */
	wrmsrl(MSR_KERNEL_GS_BASE, vmx->guest_msrs[VMX_KGS]);
	vmx->msrs_loaded = true;
}

static void vmx_put_host_msrs(struct kvmini_vmx_vcpu *vmx)
{
	wrmsrl(MSR_KERNEL_GS_BASE, vmx->host_kernel_gs_base);
	vmx->msrs_loaded = false;
}

/* ------------------------------------------------------------------ */
/* VMCS set-up                                                          */
/* ------------------------------------------------------------------ */

static void vmx_setup_controls(struct kvmini_vcpu *vcpu)
{
	/* Without a usable TSC rate the timer stays off. */
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_cfg.timeslice ? vmx_cfg.pin :
		   vmx_cfg.pin & ~PIN_BASED_VMX_PREEMPTION_TIMER);
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx_cfg.proc);
	to_vmx(vcpu)->proc = vmx_cfg.proc;
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, vmx_cfg.proc2);
	vmcs_write(VM_EXIT_CONTROLS, vmx_cfg.exit);
	vmcs_write(VM_ENTRY_CONTROLS, vmx_cfg.entry);
	/*
	 * #AC and #DB exit so that a guest making their delivery raise
	 * them again loops through kvmini, not in the CPU's microcode with
	 * interrupts blocked (CVE-2015-5307, CVE-2015-8104); #MC exits so
	 * that the host, not the guest's IDT, handles a machine check.
	 * core/exception.c puts #AC and #DB back into the guest.
	 */
	vmcs_write(EXCEPTION_BITMAP, BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC) |
		   BIT(X86_TRAP_MC));
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write(VMCS_LINK_POINTER, -1ull);
	vmcs_write(EPT_POINTER, vcpu->vm->gpa_root_pa | VMX_EPTP_MT_WB |
		   VMX_EPTP_PWL_4);
}

/* Host state that is the same for every entry on every CPU. */
static void vmx_setup_host_constants(void)
{
	u64 efer;

	vmcs_write(HOST_CR0, read_cr0());
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	/* Null data selectors; vcpu_put reloads the real ones. */
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	/* The task's goes in at vcpu_load, when it differs. */
	vmcs_write(HOST_FS_BASE, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmcs_write(HOST_RIP, (unsigned long)kvmini_vmx_exit);
	rdmsrl(MSR_EFER, efer);
	vmcs_write(HOST_IA32_EFER, efer);
	rdmsrl(MSR_IA32_CR_PAT, efer);
	vmcs_write(HOST_IA32_PAT, efer);
}

/* The architectural reset state, but starting at 0000:0000. */
static void vmx_setup_guest_state(struct kvmini_vcpu *vcpu)
{
	struct kvmini_sregs sregs;
	struct kvmini_regs regs = { .rflags = X86_EFLAGS_FIXED };

	kvmini_sregs_reset(&sregs);
	vmx_set_sregs(vcpu, &sregs);
	vmx_set_regs(vcpu, &regs);
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(GUEST_DR7, KVMINI_DR7_RESET);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_IA32_PAT, PAT_RESET);
}

static int vmx_vcpu_create(struct kvmini_vcpu *vcpu)
{
	struct kvmini_vmx_vcpu *vmx;

	vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);
	if (!vmx)
		return -ENOMEM;
	vmx->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vmx->vmcs) {
		kfree(vmx);
		return -ENOMEM;
	}
	*(u32 *)vmx->vmcs = vmx_cfg.revision_id;
	vmx->vmcs_pa = __pa(vmx->vmcs);
	vmx->cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded_link);
	vcpu->vendor = vmx;

	/*
	 * Set up the VMCS here and clear it again: it becomes active on a
	 * CPU at the first vcpu_load.  It replaces whatever VMCS was
	 * current here, which stays active and is loaded again when needed.
	 */
	preempt_disable();
	this_cpu_write(current_vmcs, NULL);
	vmcs_clear(vmx->vmcs_pa);
	vmcs_load(vmx->vmcs_pa);
	vmx_setup_controls(vcpu);
	vmx_setup_host_constants();
	vmx_setup_guest_state(vcpu);
	vmcs_clear(vmx->vmcs_pa);
	preempt_enable();
	return 0;
}

static void vmx_vcpu_free(struct kvmini_vcpu *vcpu)
{
	struct kvmini_vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_vmcs_clear(vmx);
	free_page((unsigned long)vmx->vmcs);
	kfree(vmx);
}

/* ------------------------------------------------------------------ */
/* Load, put, run                                                       */
/* ------------------------------------------------------------------ */

/* Host state that differs per CPU: written when the VMCS moves here. */
static void vmx_set_host_cpu_state(struct kvmini_vmx_vcpu *vmx, int cpu)
{
	unsigned long base;
	struct desc_ptr gdt;

	vmcs_write(HOST_TR_BASE,
		   (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	native_store_gdt(&gdt);
	vmcs_write(HOST_GDTR_BASE, gdt.address);
	store_idt(&vmx->host_idt);
	vmcs_write(HOST_IDTR_BASE, vmx->host_idt.address);
	rdmsrl(MSR_GS_BASE, base);
	vmcs_write(HOST_GS_BASE, base);
	rdmsrl(MSR_IA32_SYSENTER_CS, base);
	vmcs_write(HOST_IA32_SYSENTER_CS, base);
	rdmsrl(MSR_IA32_SYSENTER_ESP, base);
	vmcs_write(HOST_IA32_SYSENTER_ESP, base);
	rdmsrl(MSR_IA32_SYSENTER_EIP, base);
	vmcs_write(HOST_IA32_SYSENTER_EIP, base);
}

static void vmx_vcpu_load(struct kvmini_vcpu *vcpu, int cpu)
{
	struct kvmini_vmx_vcpu *vmx = to_vmx(vcpu);
	bool moved = vmx->cpu != cpu;
	unsigned long base;

	if (moved) {
		vmx_vmcs_clear(vmx);
		local_irq_disable();
		/* Pairs with vmx_vmcs_clear_local(): off the old list first. */
		smp_rmb();
		list_add(&vmx->loaded_link, this_cpu_ptr(&loaded_vmcss));
		local_irq_enable();
	}
	if (this_cpu_read(current_vmcs) != vmx->vmcs) {
		this_cpu_write(current_vmcs, vmx->vmcs);
		vmcs_load(vmx->vmcs_pa);
	}
	if (moved) {
		vmx_set_host_cpu_state(vmx, cpu);
		vmx->cpu = cpu;
	}
	vmx->loaded = true;
	if (vcpu->last_cpu != cpu)
		vmx->flush_ept = true;
	vcpu->last_cpu = cpu;

	/* The task's FS base: another thread may run this vCPU next. */
	rdmsrl(MSR_FS_BASE, base);
	if (base != vmx->host_fs_base) {
		vmcs_write(HOST_FS_BASE, base);
		vmx->host_fs_base = base;
	}

	/* A VM exit clears IA32_DEBUGCTL: vmx_run() puts this back. */
	vmx->host_debugctl = get_debugctlmsr();

	savesegment(ds, vmx->host_ds);
	savesegment(es, vmx->host_es);
	savesegment(fs, vmx->host_fs);
	savesegment(gs, vmx->host_gs);
	rdmsrl(MSR_KERNEL_GS_BASE, vmx->host_kernel_gs_base);
}

/*
 * A VM exit leaves null data selectors, GDT and IDT limits of 0xffff and
 * a TR limit of 0x67.  Put back what the host had before anything else
 * runs in this task's place.
 */
static void vmx_restore_host(struct kvmini_vmx_vcpu *vmx)
{
	unsigned long fsbase;

	if (vmx->host_ds)
		loadsegment(ds, vmx->host_ds);
	if (vmx->host_es)
		loadsegment(es, vmx->host_es);
	if (vmx->host_fs) {
		rdmsrl(MSR_FS_BASE, fsbase);
		loadsegment(fs, vmx->host_fs);
		wrmsrl(MSR_FS_BASE, fsbase);
	}
	if (vmx->host_gs) {
		load_gs_index(vmx->host_gs);
		wrmsrl(MSR_KERNEL_GS_BASE, vmx->host_kernel_gs_base);
	}
	load_fixmap_gdt(raw_smp_processor_id());
	load_idt(&vmx->host_idt);
	invalidate_tss_limit();
}

static void vmx_vcpu_put(struct kvmini_vcpu *vcpu)
{
	struct kvmini_vmx_vcpu *vmx = to_vmx(vcpu);

	if (!vmx->loaded)
		return;
	/* Before the host's segments: reloading GS clobbers it. */
	vmx_save_kernel_gs_base(vmx);
	if (vmx->entered)
		vmx_restore_host(vmx);
	vmx->entered = false;
	/* After the segments: reloading GS clobbers KERNEL_GS_BASE. */
	if (vmx->msrs_loaded)
		vmx_put_host_msrs(vmx);
	vmx->loaded = false;
}

static void vmx_skip_instruction(struct kvmini_vcpu *vcpu)
{
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);
	u64 rip = vmcs_read(GUEST_RIP);
	u64 next = rip + vmcs_read(VM_EXIT_INSTRUCTION_LEN);

	/*
	 * Outside 64-bit code EIP wraps at 4 GiB (kvmini_rip_add()); only
	 * a carry out of bit 31 makes the mode worth reading.
	 */
	if (unlikely((next ^ rip) >> 32))
		next = kvmini_rip_add(rip, next - rip,
				      (vmcs_read(GUEST_IA32_EFER) & EFER_LMA) &&
				      (vmcs_read(GUEST_CS_AR_BYTES) &
				       VMX_AR_L_MASK));
	vmcs_write(GUEST_RIP, next);
	/* Stepping over an instruction ends an STI or MOV SS shadow. */
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
			   intr & ~(GUEST_INTR_STATE_STI |
				    GUEST_INTR_STATE_MOV_SS));
}

/* An exception or NMI exit; intr: VM_EXIT_INTR_INFO. */
static void vmx_decode_exception(struct kvmini_exit *exit, u32 intr)
{
	u32 type = intr & INTR_INFO_INTR_TYPE_MASK;
	u8 vector = intr & INTR_INFO_VECTOR_MASK;

	if (type == INTR_TYPE_NMI_INTR) {
		exit->reason = KVMINI_EXIT_NMI;
		return;
	}
	exit->reason = KVMINI_EXIT_UNHANDLED;
	if (vector != X86_TRAP_DB && vector != X86_TRAP_AC &&
	    vector != X86_TRAP_MC)
		return;
	exit->reason = KVMINI_EXIT_EXCEPTION;
	exit->exc.vector = vector;
	/* INT1 (ICEBP) exits as an instruction would: RIP is at it. */
	exit->exc.icebp = type == INTR_TYPE_PRIV_SW_EXCEPTION;
	/* A #DB's qualification holds what it would have put in DR6. */
	if (vector == X86_TRAP_DB)
		exit->exc.dr6 = exit->hw.info1;
	if (intr & INTR_INFO_DELIVER_CODE_MASK) {
		exit->exc.has_error = true;
		exit->exc.error = vmcs_read(VM_EXIT_INTR_ERROR_CODE);
	}
}

static void vmx_decode_exit(struct kvmini_exit *exit)
{
	u32 basic = exit->hw.reason;
	u64 qual = exit->hw.info1;

	switch (basic) {
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		exit->reason = KVMINI_EXIT_EXTINT;
		break;
	case EXIT_REASON_EXCEPTION_NMI:
		exit->hw.info2 = vmcs_read(VM_EXIT_INTR_INFO);
		vmx_decode_exception(exit, exit->hw.info2);
		break;
	case EXIT_REASON_IO_INSTRUCTION:
		exit->reason = KVMINI_EXIT_IO;
		exit->io.size = (qual & 7) + 1;
		exit->io.in = !!(qual & 8);
		exit->io.string = !!(qual & 16);
		exit->io.rep = !!(qual & 32);
		exit->io.port = qual >> 16;
		break;
	case EXIT_REASON_HLT:
		exit->reason = KVMINI_EXIT_HLT;
		break;
	case EXIT_REASON_PREEMPTION_TIMER:
		exit->reason = KVMINI_EXIT_TIMESLICE;
		break;
	case EXIT_REASON_CPUID:
		exit->reason = KVMINI_EXIT_CPUID;
		break;
	case EXIT_REASON_VMCALL:
		exit->reason = KVMINI_EXIT_HYPERCALL;
		break;
	case EXIT_REASON_MSR_READ:
	case EXIT_REASON_MSR_WRITE:
		exit->reason = KVMINI_EXIT_MSR;
		exit->msr.write = basic == EXIT_REASON_MSR_WRITE;
		break;
	case EXIT_REASON_EPT_VIOLATION:
		exit->reason = KVMINI_EXIT_GPA_MAP;
		exit->hw.info2 = vmcs_read(GUEST_PHYSICAL_ADDRESS);
		exit->gpa.gpa = exit->hw.info2;
		exit->gpa.write = !!(qual & 2);
		/* Bit 8 clear with bit 7 set: a guest page-table access. */
		exit->gpa.not_insn =
			(vmcs_read(IDT_VECTORING_INFO_FIELD) &
			 VECTORING_INFO_VALID_MASK) ||
			(qual & (EPT_VIOLATION_GVA_IS_VALID |
				 EPT_VIOLATION_GVA_TRANSLATED)) ==
			EPT_VIOLATION_GVA_IS_VALID;
		break;
	case EXIT_REASON_TRIPLE_FAULT:
		exit->reason = KVMINI_EXIT_SHUTDOWN;
		break;
	case EXIT_REASON_INTERRUPT_WINDOW:
		exit->reason = KVMINI_EXIT_IRQ_WINDOW;
		break;
	case EXIT_REASON_NMI_WINDOW:
		exit->reason = KVMINI_EXIT_NMI_WINDOW;
		break;
	case EXIT_REASON_XSETBV:
		exit->reason = KVMINI_EXIT_XSETBV;
		break;
	case EXIT_REASON_DR_ACCESS:
		/* DR number 2:0, direction 4 (1: MOV from DR), GPR 11:8. */
		exit->reason = KVMINI_EXIT_DR_ACCESS;
		exit->dr.dr = qual & 7;
		exit->dr.write = !(qual & BIT(4));
		exit->dr.gpr = qual >> 8 & 15;
		break;
	case EXIT_REASON_CR_ACCESS:
		/* CR number 3:0, access type 5:4 (0: MOV to, 1: MOV from). */
		exit->reason = (qual >> 4 & 3) <= 1 ? KVMINI_EXIT_CR_ACCESS :
			       KVMINI_EXIT_UNHANDLED;
		exit->cr.cr = qual & 15;
		exit->cr.write = !(qual & BIT(4));
		exit->cr.gpr = qual >> 8 & 15;	/* the SDM's order is ours */
		break;
	default:
		exit->reason = KVMINI_EXIT_UNHANDLED;
		break;
	}
}

static bool vmx_get_nmi_masked(struct kvmini_vcpu *vcpu)
{
	return vmcs_read(GUEST_INTERRUPTIBILITY_INFO) & GUEST_INTR_STATE_NMI;
}

static void vmx_set_nmi_masked(struct kvmini_vcpu *vcpu, bool masked)
{
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO) &
		   ~GUEST_INTR_STATE_NMI;

	vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
		   intr | (masked ? GUEST_INTR_STATE_NMI : 0));
}

/*
 * The entry failed: the event it was to deliver waits in vcpu->event
 * again, and leaves the VMCS, where it would be tried with every later
 * entry, also after SET_SREGS made it deliverable or dropped it.
 */
static void vmx_entry_failed(struct kvmini_vcpu *vcpu)
{
	u32 info = vmcs_read(VM_ENTRY_INTR_INFO_FIELD);

	if (info & INTR_INFO_VALID_MASK) {
		vcpu->event.info = info;
		vcpu->event.error = vmcs_read(VM_ENTRY_EXCEPTION_ERROR_CODE);
		vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	}
}

/* Host CR3 and CR4 change with the task and with PCID/TSD switches. */
static void vmx_update_host_crs(struct kvmini_vmx_vcpu *vmx)
{
	unsigned long cr3 = __read_cr3(), cr4 = __read_cr4();

	if (cr3 != vmx->host_cr3) {
		vmcs_write(HOST_CR3, cr3);
		vmx->host_cr3 = cr3;
	}
	if (cr4 != vmx->host_cr4) {
		vmcs_write(HOST_CR4, cr4);
		vmx->host_cr4 = cr4;
	}
}

static void vmx_run(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit)
{
	struct kvmini_vmx_vcpu *vmx = to_vmx(vcpu);
	bool injected = vcpu->event.info & KVMINI_EVENT_VALID;
	int failed;

	exit->hw.vendor = KVMINI_VENDOR_VMX;
	local_irq_disable();
	kvmini_guest_fpu_reload();
	if (kvmini_tlb_flush_needed(vcpu) || vmx->flush_ept) {
		invept_single(vmcs_read(EPT_POINTER));
		vmx->flush_ept = false;
	}
	vmx_update_host_crs(vmx);
	if (!vmx->msrs_loaded)
		vmx_load_guest_msrs(vmx);
	if (vmx_cfg.timeslice)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmx_cfg.timeslice);
	if (vcpu->event.info & KVMINI_EVENT_VALID) {
		vmcs_write(VM_ENTRY_INTR_INFO_FIELD, vcpu->event.info);
		if (vcpu->event.info & KVMINI_EVENT_HAS_ERROR)
			vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE,
				   vcpu->event.error);
		vcpu->event.info = 0;
	}
	/* CR2 is not switched by VMX: the guest's is live while it runs. */
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);

	vmx_l1d_flush(vcpu);
	vmx->entered = true;
	kvmini_load_guest_pkru(vcpu);
	kvmini_load_guest_xcr0(vcpu, vmcs_read(GUEST_CR4));
	kvmini_guest_enter_irqoff(vcpu);
	failed = kvmini_vmx_enter(vcpu->gprs, vmx->launched, HOST_RSP,
				  this_cpu_read(x86_spec_ctrl_current));
	exit->tsc = kvmini_exit_tsc();
	kvmini_load_host_xcr0(vcpu);
	kvmini_load_host_pkru(vcpu);
	/*
	 * Every VM exit clears IA32_DEBUGCTL.  The host task's bits (BTF for
	 * a debugger's block stepping, LBR for perf) go back at once, as
	 * KVM does; most tasks have none and pay nothing.
	 */
	if (vmx->host_debugctl)
		update_debugctlmsr(vmx->host_debugctl);

	vmx->cr2 = native_read_cr2();
	if (hw_breakpoint_active())
		hw_breakpoint_restore();

	if (failed) {
		exit->reason = KVMINI_EXIT_FAIL_ENTRY;
		exit->hw.info2 = vmcs_read(VM_INSTRUCTION_ERROR);
		vmx_entry_failed(vcpu);
		goto out;
	}
	exit->hw.reason = (u32)vmcs_read(VM_EXIT_REASON);
	exit->hw.info1 = vmcs_read(EXIT_QUALIFICATION);
	if (exit->hw.reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		/*
		 * Invalid guest state: the guest never ran, and the launch
		 * state is what it was (as KVM keeps it): a VMCS that stays
		 * active across RUNs may be launched already.
		 */
		exit->reason = KVMINI_EXIT_FAIL_ENTRY;
		exit->hw.reason &= 0xffff;
		/* Or a machine check during the entry: the host's to handle. */
		if (exit->hw.reason == EXIT_REASON_MCE_DURING_VMENTRY)
			kvmini_machine_check();
		vmx_entry_failed(vcpu);
		goto out;
	}
	vmx->launched = true;
	exit->hw.reason &= 0xffff;
	kvmini_requeue_event(vcpu, vmcs_read(IDT_VECTORING_INFO_FIELD),
			     vmcs_read(IDT_VECTORING_ERROR_CODE), injected);
	/*
	 * An NMI held again was not delivered, and VM entry refuses to
	 * inject one with NMIs blocked (KVM clears the bit here too).
	 */
	if ((vcpu->event.info & (KVMINI_EVENT_VALID | KVMINI_EVENT_TYPE_MASK)) ==
	    (KVMINI_EVENT_VALID | KVMINI_EVENT_TYPE_NMI))
		vmx_set_nmi_masked(vcpu, false);
	vmx_decode_exit(exit);
	if (exit->reason == KVMINI_EXIT_EXCEPTION &&
	    exit->exc.vector == X86_TRAP_MC)
		kvmini_machine_check();

	/*
	 * An NMI that exited was consumed by the exit: the host handles it
	 * now, on this CPU, before anything else runs.
	 */
	if (exit->reason == KVMINI_EXIT_NMI)
		kvmini_vmx_do_nmi_irqoff();
	/* Host code ran (an interrupt, an NMI): L1D may hold its data. */
	if (exit->reason == KVMINI_EXIT_NMI || exit->reason == KVMINI_EXIT_EXTINT)
		vcpu->l1d_flush_needed = true;
out:
	local_irq_enable();
}

static u64 vmx_get_rip(struct kvmini_vcpu *vcpu)
{
	return vmcs_read(GUEST_RIP);
}

static void vmx_set_rip(struct kvmini_vcpu *vcpu, u64 rip)
{
	vmcs_write(GUEST_RIP, rip);
}

static void vmx_get_code_sregs(struct kvmini_vcpu *vcpu,
			       struct kvmini_sregs *sregs)
{
	vmx_get_segment(0, &sregs->cs);
	sregs->cr0 = vmx_guest_cr(GUEST_CR0, CR0_GUEST_HOST_MASK,
				  CR0_READ_SHADOW);
	sregs->cr4 = vmx_guest_cr(GUEST_CR4, CR4_GUEST_HOST_MASK,
				  CR4_READ_SHADOW);
	sregs->cr3 = vmcs_read(GUEST_CR3);
	sregs->efer = vmcs_read(GUEST_IA32_EFER);
}

static u64 vmx_get_rflags(struct kvmini_vcpu *vcpu)
{
	return vmcs_read(GUEST_RFLAGS);
}

/* SS.DPL is the CPL; unrestricted real mode keeps it 0. */
static int vmx_get_cpl(struct kvmini_vcpu *vcpu)
{
	if (vmcs_read(GUEST_RFLAGS) & X86_EFLAGS_VM)
		return 3;
	return VMX_AR_DPL(vmcs_read(GUEST_SS_AR_BYTES));
}

static bool vmx_interrupt_allowed(struct kvmini_vcpu *vcpu)
{
	return (vmcs_read(GUEST_RFLAGS) & X86_EFLAGS_IF) &&
	       !(vmcs_read(GUEST_INTERRUPTIBILITY_INFO) &
		 (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

/* Virtual NMIs: the CPU tracks the guest's NMI blocking for us. */
static bool vmx_nmi_allowed(struct kvmini_vcpu *vcpu)
{
	return !(vmcs_read(GUEST_INTERRUPTIBILITY_INFO) &
		 (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS |
		  GUEST_INTR_STATE_NMI));
}

static void vmx_set_windows(struct kvmini_vcpu *vcpu, bool irq, bool nmi)
{
	struct kvmini_vmx_vcpu *vmx = to_vmx(vcpu);
	u32 proc = vmx->proc & ~(CPU_BASED_INTR_WINDOW_EXITING |
				 CPU_BASED_NMI_WINDOW_EXITING);

	if (irq)
		proc |= CPU_BASED_INTR_WINDOW_EXITING;
	if (nmi)
		proc |= CPU_BASED_NMI_WINDOW_EXITING;
	if (proc != vmx->proc) {
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL, proc);
		vmx->proc = proc;
	}
}

static u32 vmx_get_shadow(struct kvmini_vcpu *vcpu)
{
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);

	return (intr & GUEST_INTR_STATE_STI ? KVMINI_SHADOW_STI : 0) |
	       (intr & GUEST_INTR_STATE_MOV_SS ? KVMINI_SHADOW_MOV_SS : 0);
}

static void vmx_set_shadow(struct kvmini_vcpu *vcpu, u32 shadow)
{
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO) &
		   ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
	u64 dbg = vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS) & ~DR_STEP;

	/* VM entry refuses both at once; MOV SS blocks more. */
	if (shadow & KVMINI_SHADOW_MOV_SS)
		intr |= GUEST_INTR_STATE_MOV_SS;
	else if (shadow & KVMINI_SHADOW_STI)
		intr |= GUEST_INTR_STATE_STI;
	/*
	 * In a shadow, VM entry wants TF's single step recorded as
	 * pending, as an exit there records it.
	 */
	if (shadow && (vmcs_read(GUEST_RFLAGS) & X86_EFLAGS_TF))
		dbg |= DR_STEP;
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, intr);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, dbg);
}

static const struct kvmini_hw_exit_name vmx_exit_names[] = {
	VMX_EXIT_REASONS
};

/* The EPT pointer asks for four levels (VMX_EPTP_PWL_4). */
static unsigned int vmx_gpa_levels(void)
{
	return 4;
}

/*
 * Without "enable INVPCID" the instruction raises #UD in the guest,
 * which a kernel that found it in CPUID does not expect (Linux dies
 * flushing its TLB at boot).
 */
static void vmx_cpuid_filter(u32 leaf, u32 index, u32 *r)
{
	if (leaf == 7 && index == 0 &&
	    !(vmx_cfg.proc2 & SECONDARY_EXEC_ENABLE_INVPCID))
		r[1] &= ~BIT(X86_FEATURE_INVPCID & 31);
}

const struct kvmini_vendor_ops kvmini_vmx_ops = {
	.cpuid_filter		= vmx_cpuid_filter,
	.name			= "vmx",
	.vendor			= KVMINI_VENDOR_VMX,
	.hw_exit_names		= vmx_exit_names,
	.nr_hw_exit_names	= ARRAY_SIZE(vmx_exit_names),
	.gpa_table_bits		= VMX_EPT_READABLE_MASK |
				  VMX_EPT_WRITABLE_MASK |
				  VMX_EPT_EXECUTABLE_MASK,
	.gpa_leaf_ro_bits	= VMX_EPT_READABLE_MASK |
				  VMX_EPT_EXECUTABLE_MASK |
				  (MTRR_TYPE_WRBACK << VMX_EPT_MT_EPTE_SHIFT),
	.gpa_leaf_rw_bits	= VMX_EPT_READABLE_MASK |
				  VMX_EPT_WRITABLE_MASK |
				  VMX_EPT_EXECUTABLE_MASK |
				  (MTRR_TYPE_WRBACK << VMX_EPT_MT_EPTE_SHIFT),
	.gpa_levels		= vmx_gpa_levels,
	.hardware_check		= vmx_hardware_check,
	.hardware_unsetup	= vmx_hardware_unsetup,
	.cpu_prepare		= vmx_cpu_prepare,
	.cpu_enable		= vmx_cpu_enable,
	.cpu_disable		= vmx_cpu_disable,
	.vcpu_create		= vmx_vcpu_create,
	.vcpu_free		= vmx_vcpu_free,
	.vcpu_load		= vmx_vcpu_load,
	.vcpu_put		= vmx_vcpu_put,
	.get_regs		= vmx_get_regs,
	.set_regs		= vmx_set_regs,
	.get_sregs		= vmx_get_sregs,
	.set_sregs		= vmx_set_sregs,
	.get_msr		= vmx_get_msr,
	.set_msr		= vmx_set_msr,
	.run			= vmx_run,
	.interrupt_allowed	= vmx_interrupt_allowed,
	.nmi_allowed		= vmx_nmi_allowed,
	.set_windows		= vmx_set_windows,
	.get_nmi_masked		= vmx_get_nmi_masked,
	.set_nmi_masked		= vmx_set_nmi_masked,
	.get_shadow		= vmx_get_shadow,
	.set_shadow		= vmx_set_shadow,
	.get_rflags		= vmx_get_rflags,
	.get_cpl		= vmx_get_cpl,
	.get_efer		= vmx_get_efer,
	.get_cr4		= vmx_get_cr4,
	.get_rip		= vmx_get_rip,
	.set_rip		= vmx_set_rip,
	.get_code_sregs		= vmx_get_code_sregs,
	.skip_instruction	= vmx_skip_instruction,
};
