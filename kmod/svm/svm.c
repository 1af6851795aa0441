// SPDX-License-Identifier: GPL-2.0
/*
 * svm.c - the AMD SVM backend: EFER.SVME, one VMCB per vCPU, NPT.
 *
 * What a reader needs to know first:
 *  - EFER.SVME and the host save area (VM_HSAVE_PA) are set on every CPU
 *    when the first VM is created (cpu_enable) and cleared after the
 *    last is gone (core/dev.c).
 *  - A VMCB is plain memory, so a vCPU needs nothing per CPU except a
 *    TLB flush when it moves or when another VMCB ran there: all vCPUs
 *    share ASID 1.
 *  - Only what QEMU's TCG offers is assumed: no NRIP save, no decode
 *    assists.  VMCB clean bits are used where the CPU has them (QEMU
 *    ignores them): only what kvmini wrote since the last VMRUN on this
 *    CPU is marked dirty.  The next RIP comes from EXITINFO2 for port
 *    I/O, from the VMCB's next_rip where the CPU saves it (NRIPS), and
 *    otherwise from the instruction itself, read at RIP and decoded with
 *    its prefixes (svm_complete_exit()).
 *  - Exits are decoded in svm_decode_exit() into a struct kvmini_exit.
 *
 * Intercept bits, the VMCB layout and exit codes come from the kernel's
 * <asm/svm.h>.
 */
#define pr_fmt(fmt) "kvmini: svm: " fmt

#include <linux/slab.h>
#include <linux/percpu.h>
/*
 * The NPF error code's bits 32/33 (final address / page-table walk) are
 * named only in KVM's arch header, which needs vmalloc.h first.
 */
#include <linux/vmalloc.h>
#include <asm/kvm_host.h>
#include <asm/svm.h>
#include <asm/trapnr.h>
#include <uapi/asm/kvm.h>	/* the vectors SVM_EXIT_REASONS names */
#include <asm/msr.h>
#include <asm/debugreg.h>
#include <asm/processor.h>
#include <asm/pgtable.h>
#include <asm/msr-index.h>

#include "../kvmini_vendor.h"
#include "../kvmini_state.h"
#include "../kvmini_stats.h"
#include "../kvmini_guest_mode.h"
#include "svm_entry.h"

#define SVM_ASID		1
#define SVM_IOPM_ORDER		2	/* 12 KiB used */
#define SVM_MSRPM_ORDER		1	/* 8 KiB */
#define SVM_PAT_RESET		0x0007040600070406ULL
#define SVM_DR6_RESET		0xffff0ff0ULL
#define SVM_TSS_BUSY		BIT(1)	/* in a TSS descriptor's type */

/*
 * VMCB clean bits (APM vol. 2, "VMCB Clean Bits"): a set bit lets the
 * CPU keep its cached copy of that group of fields.  Named in KVM's
 * private svm.h only.
 */
#define VMCB_CLEAN_INTERCEPTS	BIT(0)	/* intercepts, TSC offset */
#define VMCB_CLEAN_PERM_MAP	BIT(1)	/* IOPM and MSRPM bases */
#define VMCB_CLEAN_ASID		BIT(2)
#define VMCB_CLEAN_INTR		BIT(3)	/* V_TPR, V_IRQ, int_ctl */
#define VMCB_CLEAN_NPT		BIT(4)	/* NP enable, nested CR3, G_PAT */
#define VMCB_CLEAN_CR		BIT(5)	/* CR0, CR3, CR4, EFER */
#define VMCB_CLEAN_DR		BIT(6)	/* DR6, DR7 */
#define VMCB_CLEAN_DT		BIT(7)	/* GDTR, IDTR */
#define VMCB_CLEAN_SEG		BIT(8)	/* CS, DS, SS, ES, CPL */
#define VMCB_CLEAN_CR2		BIT(9)
#define VMCB_CLEAN_LBR		BIT(10)
#define VMCB_CLEAN_AVIC		BIT(11)
#define VMCB_CLEAN_ALL		(BIT(12) - 1)

/* Every port and every MSR access exits: one shared, read-only copy. */
static void *svm_iopm, *svm_msrpm;

struct svm_cpu {
	void *hsave;		/* VM_HSAVE_PA: VMRUN's host state */
	void *host_save;	/* VMSAVE area for FS/GS/TR/syscall MSRs */
	bool on;
	struct vmcb *last_vmcb;	/* whose translations the TLB may hold */
};

static DEFINE_PER_CPU(struct svm_cpu, svm_cpu);

struct kvmini_svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	/*
	 * RIP after the exiting instruction, when next_rip_valid: 0 is a
	 * RIP like any other (a CPUID at 0xfffffffffffffffe wraps to it).
	 */
	u64 next_rip;
	bool next_rip_valid;
	/*
	 * Without next_rip_valid: the opcode the exit names, whose length
	 * svm_complete_exit() decodes at RIP; NULL if none.
	 */
	const u8 *insn_opcode;
	u8 insn_oplen;
	/*
	 * Guest state as it was at the last VMRUN that could fail: one
	 * after userspace or kvmini set state (save_dirty) or with an
	 * event to inject.  Only such state can fail VMRUN's checks (the
	 * guest cannot make its own invalid), and an emulated CPU may then
	 * write its own host state into the save area: put the guest's
	 * back so userspace never reads the host's.  Other VMRUNs copy
	 * nothing.
	 */
	struct vmcb_save_area *user_save;
	bool save_dirty;
	/*
	 * EFER as the guest sees it.  The VMCB holds LME only while long
	 * mode is active (svm_hw_efer()); flush_tlb: the guest's paging
	 * state changed outside the guest (SET_SREGS, an emulated MOV to
	 * CR0), so its ASID's translations are stale.
	 */
	u64 efer;
	bool flush_tlb;
	/* The guest's TSC_AUX is in the CPU (svm_load_tsc_aux()). */
	bool tsc_aux_loaded;
	u64 host_tsc_aux;
	/*
	 * NMI blocking, which SVM does not track for us: set when an NMI
	 * is injected, cleared once the guest's IRET has executed (the
	 * IRET intercept fires before it does: wait until RIP moves on).
	 */
	bool nmi_masked;
	bool nmi_iret_seen;
	u64 nmi_iret_rip;
	/* An external interrupt went in as a virtual one (svm_inject_virq()). */
	bool virq_injected;
};

static struct kvmini_svm_vcpu *to_svm(struct kvmini_vcpu *vcpu)
{
	return vcpu->vendor;
}

/* kvmini wrote fields of these groups: the CPU must read them again. */
static void svm_mark_dirty(struct kvmini_svm_vcpu *svm, u32 groups)
{
	svm->vmcb->control.clean &= ~groups;
}

static void svm_set_intercept(struct kvmini_svm_vcpu *svm, int bit)
{
	svm->vmcb->control.intercepts[bit / 32] |= BIT(bit % 32);
	svm_mark_dirty(svm, VMCB_CLEAN_INTERCEPTS);
}

static void svm_clr_intercept(struct kvmini_svm_vcpu *svm, int bit)
{
	svm->vmcb->control.intercepts[bit / 32] &= ~BIT(bit % 32);
	svm_mark_dirty(svm, VMCB_CLEAN_INTERCEPTS);
}

static bool svm_has_intercept(struct kvmini_svm_vcpu *svm, int bit)
{
	return svm->vmcb->control.intercepts[bit / 32] & BIT(bit % 32);
}

/* Called before every entry: dirty the intercepts only when one changes. */
static void svm_want_intercept(struct kvmini_svm_vcpu *svm, int bit, bool want)
{
	if (want == svm_has_intercept(svm, bit))
		return;
	if (want)
		svm_set_intercept(svm, bit);
	else
		svm_clr_intercept(svm, bit);
}

/*
 * An external interrupt the guest can take now (IF set, no shadow: the
 * core checked) goes in as a virtual interrupt, TPR ignored, rather than
 * through EVENTINJ: the CPU delivers it at the first instruction boundary
 * all the same.  QEMU 7.2 delivers an EVENTINJ interrupt a second time,
 * nested in its own handler, when its TCG loop is kicked before the next
 * #VMEXIT (README, "Notes from the emulators"); a Linux guest entered
 * from user mode then ran its handler on the user's GS base.  Its
 * virtual interrupts are delivered once.  V_IRQ also makes the
 * interrupt window, so an entry that wants a window as well injects
 * through EVENTINJ.
 */
static bool svm_inject_virq(struct kvmini_svm_vcpu *svm, u32 info)
{
	struct vmcb_control_area *c = &svm->vmcb->control;

	if ((info & (KVMINI_EVENT_VALID | KVMINI_EVENT_TYPE_MASK)) !=
	    (KVMINI_EVENT_VALID | KVMINI_EVENT_TYPE_EXTINT) ||
	    svm_has_intercept(svm, INTERCEPT_VINTR))
		return false;
	c->int_vector = info & 0xff;
	c->int_ctl |= V_IRQ_INJECTION_BITS_MASK;
	svm_mark_dirty(svm, VMCB_CLEAN_INTR);
	svm->virq_injected = true;
	return true;
}

/*
 * After the exit.  A virtual interrupt whose delivery the exit
 * interrupted is in EXITINTINFO, to go again; QEMU records it as an
 * exception of its vector (exceptions stop at 31; hardware records an
 * interrupt) and leaves V_IRQ set: give it back its type.  One not taken
 * at all goes back where it came from, the interrupt KVMINI_INTERRUPT
 * queued.
 */
static u32 svm_complete_virq(struct kvmini_vcpu *vcpu, u32 exit_int_info)
{
	struct kvmini_svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;
	u32 type = exit_int_info & SVM_EXITINTINFO_TYPE_MASK;
	bool delivering = (exit_int_info & SVM_EXITINTINFO_VALID) &&
			  (type == SVM_EXITINTINFO_TYPE_EXEPT ||
			   type == SVM_EXITINTINFO_TYPE_INTR) &&
			  (exit_int_info & SVM_EXITINTINFO_VEC_MASK) ==
			  c->int_vector;

	svm->virq_injected = false;
	if (c->int_ctl & V_IRQ_MASK) {
		c->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
		svm_mark_dirty(svm, VMCB_CLEAN_INTR);
		if (!delivering) {
			vcpu->irq_vector = c->int_vector;
			vcpu->irq_pending = true;
		}
	}
	if (delivering)
		exit_int_info = SVM_EXITINTINFO_VALID |
				SVM_EXITINTINFO_TYPE_INTR | c->int_vector;
	return exit_int_info;
}

/*
 * CR8 writes exit while V_IRQ is set (an interrupt window, or an
 * interrupt going in): QEMU 7.2 handles a guest's MOV to CR8 with a
 * virtual interrupt pending by raising it without its big lock, and
 * aborts the whole emulator on the assertion (the fuzzer's random code
 * did so).  Otherwise CR8 is the VMCB's V_TPR, with no exit, as the
 * CPU keeps it.
 */
static void svm_update_cr8_intercept(struct kvmini_svm_vcpu *svm)
{
	svm_want_intercept(svm, INTERCEPT_CR8_WRITE,
			   svm->vmcb->control.int_ctl & V_IRQ_MASK);
}

static void svm_clgi(void)
{
	asm volatile("clgi" ::: "memory");
}

static void svm_stgi(void)
{
	asm volatile("stgi" ::: "memory");
}

/* ------------------------------------------------------------------ */
/* Capabilities and per-CPU enable                                      */
/* ------------------------------------------------------------------ */

static void svm_hardware_unsetup(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct svm_cpu *sc = per_cpu_ptr(&svm_cpu, cpu);

		free_page((unsigned long)sc->hsave);
		free_page((unsigned long)sc->host_save);
		sc->hsave = NULL;
		sc->host_save = NULL;
	}
	free_pages((unsigned long)svm_iopm, SVM_IOPM_ORDER);
	free_pages((unsigned long)svm_msrpm, SVM_MSRPM_ORDER);
	svm_iopm = NULL;
	svm_msrpm = NULL;
}

static int svm_hardware_check(void)
{
	u64 vm_cr;

	rdmsrl(MSR_VM_CR, vm_cr);
	if (vm_cr & SVM_VM_CR_SVM_DIS_MASK) {
		pr_err("SVM is disabled by the firmware (VM_CR=%#llx)\n",
		       vm_cr);
		return -EOPNOTSUPP;
	}
	if (!boot_cpu_has(X86_FEATURE_NPT)) {
		pr_err("nested paging (NPT) is required\n");
		return -EOPNOTSUPP;
	}
	if (cpuid_ebx(SVM_CPUID_FUNC) <= SVM_ASID) {
		pr_err("not enough ASIDs\n");
		return -EOPNOTSUPP;
	}

	svm_iopm = (void *)__get_free_pages(GFP_KERNEL, SVM_IOPM_ORDER);
	svm_msrpm = (void *)__get_free_pages(GFP_KERNEL, SVM_MSRPM_ORDER);
	if (!svm_iopm || !svm_msrpm) {
		svm_hardware_unsetup();
		return -ENOMEM;
	}
	memset(svm_iopm, 0xff, PAGE_SIZE << SVM_IOPM_ORDER);
	memset(svm_msrpm, 0xff, PAGE_SIZE << SVM_MSRPM_ORDER);
	return 0;
}

/* The host save areas, kept until rmmod. */
static int svm_cpu_prepare(unsigned int cpu)
{
	struct svm_cpu *sc = per_cpu_ptr(&svm_cpu, cpu);

	if (!sc->hsave)
		sc->hsave = (void *)get_zeroed_page(GFP_KERNEL);
	if (!sc->host_save)
		sc->host_save = (void *)get_zeroed_page(GFP_KERNEL);
	return sc->hsave && sc->host_save ? 0 : -ENOMEM;
}

static int svm_cpu_enable(void)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpu);
	unsigned long flags;
	u64 efer;
	int r = 0;

	if (!sc->hsave || !sc->host_save)
		return -ENOMEM;

	local_irq_save(flags);
	rdmsrl(MSR_EFER, efer);
	if (efer & EFER_SVME) {
		/* Someone else has SVM on this CPU. */
		r = -EBUSY;
	} else {
		wrmsrl(MSR_VM_HSAVE_PA, __pa(sc->hsave));
		wrmsrl(MSR_EFER, efer | EFER_SVME);
		sc->on = true;
		sc->last_vmcb = NULL;
	}
	local_irq_restore(flags);
	return r;
}

/* Also the emergency-reboot callback: may run in NMI context. */
static void svm_cpu_disable(void)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpu);
	u64 efer;

	if (!sc->on)
		return;
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, 0);
	sc->on = false;
}

/* ------------------------------------------------------------------ */
/* Architectural state                                                  */
/* ------------------------------------------------------------------ */

/* The VMCB's 12-bit attribute is the VMX format without its gap. */
static void svm_get_segment(const struct vmcb_seg *v, struct kvmini_segment *s)
{
	s->selector = v->selector;
	s->base = v->base;
	s->limit = v->limit;
	kvmini_segment_from_ar(s, (v->attrib & 0xff) |
				  ((v->attrib & 0xf00) << 4));
	s->unusable = !s->present;
}

static void svm_set_segment(struct vmcb_seg *v, const struct kvmini_segment *s)
{
	u32 ar = kvmini_segment_to_ar(s);

	if (s->unusable)
		ar &= ~KVMINI_AR_PRESENT;
	v->selector = s->selector;
	v->base = s->base;
	v->limit = s->limit;
	v->attrib = (ar & 0xff) | ((ar >> 4) & 0xf00);
}

/* The VMCB's segments in kvmini_sregs order. */
static struct vmcb_seg *svm_seg(struct vmcb *vmcb, int i)
{
	struct vmcb_save_area *save = &vmcb->save;
	struct vmcb_seg *order[] = {
		&save->cs, &save->ds, &save->es, &save->fs,
		&save->gs, &save->ss, &save->tr, &save->ldtr,
	};

	return order[i];
}

static void svm_get_regs(struct kvmini_vcpu *vcpu, struct kvmini_regs *regs)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;

	kvmini_gprs_to_regs(vcpu->gprs, regs);
	regs->rax = save->rax;
	regs->rsp = save->rsp;
	regs->rip = save->rip;
	regs->rflags = save->rflags;
}

static void svm_set_regs(struct kvmini_vcpu *vcpu,
			 const struct kvmini_regs *regs)
{
	struct vmcb_save_area *save = &to_svm(vcpu)->vmcb->save;

	kvmini_regs_to_gprs(regs, vcpu->gprs);
	save->rax = regs->rax;
	save->rsp = regs->rsp;
	save->rip = regs->rip;
	save->rflags = regs->rflags;
	to_svm(vcpu)->save_dirty = true;
}

static void svm_get_sregs(struct kvmini_vcpu *vcpu,
			  struct kvmini_sregs *sregs)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct kvmini_segment *seg = &sregs->cs;
	int i;

	for (i = 0; i < 8; i++)
		svm_get_segment(svm_seg(vmcb, i), &seg[i]);
	/* The VMCB may hold TR as available (svm_set_sregs()). */
	sregs->tr.type |= SVM_TSS_BUSY;
	sregs->gdt.base = vmcb->save.gdtr.base;
	sregs->gdt.limit = vmcb->save.gdtr.limit;
	sregs->idt.base = vmcb->save.idtr.base;
	sregs->idt.limit = vmcb->save.idtr.limit;
	sregs->cr0 = vmcb->save.cr0;
	sregs->cr2 = vmcb->save.cr2;
	sregs->cr3 = vmcb->save.cr3;
	sregs->cr4 = vmcb->save.cr4;
	sregs->cr8 = vmcb->control.int_ctl & V_TPR_MASK;
	sregs->efer = to_svm(vcpu)->efer;
}

/*
 * The EFER VMRUN gets: SVME, which VMRUN requires, and LME only once
 * paging is on (then LMA is too).  LME with CR0.PG clear is legal, and
 * real AMD CPUs run it, but QEMU 7.2's TCG then fails to restore the
 * host's own CR0.PG at #VMEXIT and its CPU is lost: the guest could hang
 * the test VMs.  As KVM does, LME reaches the VMCB when the guest turns
 * paging on, which the selective CR0 intercept lets kvmini see
 * (core/cr.c): LMA follows LME && PG there.
 */
static u64 svm_hw_efer(u64 efer)
{
	if (!(efer & EFER_LMA))
		efer &= ~EFER_LME;
	return efer | EFER_SVME;
}

static int svm_set_sregs(struct kvmini_vcpu *vcpu,
			 const struct kvmini_sregs *sregs)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	const struct kvmini_segment *seg = &sregs->cs;
	int i;

	if (sregs->cr8 > V_TPR_MASK)
		return -EINVAL;
	for (i = 0; i < 8; i++)
		svm_set_segment(svm_seg(vmcb, i), &seg[i]);
	/*
	 * TR is a busy TSS (core/vcpu.c checks), and a real CPU never looks
	 * at the cached type.  QEMU 7.2's TCG does: it keeps TR "available"
	 * internally and aborts the whole emulator ("invalid tss type") at
	 * the next stack switch through a busy one.  Give it that.
	 */
	vmcb->save.tr.attrib &= ~SVM_TSS_BUSY;
	vmcb->save.gdtr.base = sregs->gdt.base;
	vmcb->save.gdtr.limit = sregs->gdt.limit;
	vmcb->save.idtr.base = sregs->idt.base;
	vmcb->save.idtr.limit = sregs->idt.limit;
	vmcb->save.cr0 = sregs->cr0;
	vmcb->save.cr2 = sregs->cr2;
	vmcb->save.cr3 = sregs->cr3;
	vmcb->save.cr4 = sregs->cr4;
	vmcb->control.int_ctl = (vmcb->control.int_ctl & ~V_TPR_MASK) |
				sregs->cr8;
	to_svm(vcpu)->efer = sregs->efer;
	vmcb->save.efer = svm_hw_efer(sregs->efer);
	to_svm(vcpu)->flush_tlb = true;
	vmcb->save.cpl = (sregs->cr0 & X86_CR0_PE) ? sregs->ss.dpl : 0;
	to_svm(vcpu)->save_dirty = true;
	/* Segments, tables, CRs, CR2, EFER and V_TPR: nearly all of it. */
	vmcb->control.clean = 0;
	return 0;
}

/* The MSRs the VMCB holds; VMLOAD/VMSAVE switch the syscall ones. */
static u64 *svm_msr_slot(struct vmcb_save_area *save, u32 msr)
{
	switch (msr) {
	case MSR_IA32_SYSENTER_CS:
		return &save->sysenter_cs;
	case MSR_IA32_SYSENTER_ESP:
		return &save->sysenter_esp;
	case MSR_IA32_SYSENTER_EIP:
		return &save->sysenter_eip;
	case MSR_STAR:
		return &save->star;
	case MSR_LSTAR:
		return &save->lstar;
	case MSR_CSTAR:
		return &save->cstar;
	case MSR_SYSCALL_MASK:
		return &save->sfmask;
	case MSR_KERNEL_GS_BASE:
		return &save->kernel_gs_base;
	case MSR_IA32_CR_PAT:
		return &save->g_pat;
	default:
		return NULL;
	}
}

static int svm_get_msr(struct kvmini_vcpu *vcpu, u32 msr, u64 *data)
{
	u64 *slot = svm_msr_slot(&to_svm(vcpu)->vmcb->save, msr);

	if (!slot)
		return -ENOENT;
	*data = *slot;
	return 0;
}

static int svm_set_msr(struct kvmini_vcpu *vcpu, u32 msr, u64 data)
{
	u64 *slot = svm_msr_slot(&to_svm(vcpu)->vmcb->save, msr);

	if (!slot)
		return -ENOENT;
	*slot = data;
	to_svm(vcpu)->save_dirty = true;
	if (msr == MSR_IA32_CR_PAT)
		svm_mark_dirty(to_svm(vcpu), VMCB_CLEAN_NPT);
	return 0;
}

/* ------------------------------------------------------------------ */
/* VMCB set-up                                                          */
/* ------------------------------------------------------------------ */

static const u8 svm_intercepts[] = {
	INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_INIT,
	INTERCEPT_SELECTIVE_CR0, INTERCEPT_CR4_WRITE,
	INTERCEPT_RDPMC, INTERCEPT_CPUID, INTERCEPT_INVD, INTERCEPT_HLT,
	INTERCEPT_INVLPGA, INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT,
	INTERCEPT_SHUTDOWN, INTERCEPT_VMRUN, INTERCEPT_VMMCALL,
	INTERCEPT_VMLOAD, INTERCEPT_VMSAVE, INTERCEPT_STGI, INTERCEPT_CLGI,
	INTERCEPT_SKINIT, INTERCEPT_RDTSCP, INTERCEPT_MONITOR,
	INTERCEPT_MWAIT, INTERCEPT_MWAIT_COND, INTERCEPT_XSETBV,
	INTERCEPT_RDPRU, INTERCEPT_ICEBP,
};

static void svm_setup_vmcb(struct kvmini_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	struct vmcb_control_area *c = &vmcb->control;
	struct kvmini_sregs sregs;
	struct kvmini_regs regs = { .rflags = X86_EFLAGS_FIXED };
	int i;

	for (i = 0; i < ARRAY_SIZE(svm_intercepts); i++)
		svm_set_intercept(to_svm(vcpu), svm_intercepts[i]);
	/*
	 * #AC and #DB exit so that a guest making their delivery raise
	 * them again loops through kvmini, not in the CPU's microcode with
	 * interrupts blocked (CVE-2015-5307, CVE-2015-8104); #MC exits so
	 * that the host, not the guest's IDT, handles a machine check.
	 * core/exception.c puts #AC and #DB back into the guest.
	 */
	c->intercepts[INTERCEPT_EXCEPTION] = BIT(X86_TRAP_DB) |
					     BIT(X86_TRAP_AC) | BIT(X86_TRAP_MC);
	/* Debug registers belong to the host: every DR0-7 access exits. */
	c->intercepts[INTERCEPT_DR] = 0x00ff00ff;
	c->iopm_base_pa = __pa(svm_iopm);
	c->msrpm_base_pa = __pa(svm_msrpm);
	c->asid = SVM_ASID;
	/* The guest's IF masks only virtual interrupts, never the host's. */
	c->int_ctl = V_INTR_MASKING_MASK;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = vcpu->vm->gpa_root_pa;

	vmcb->save.g_pat = SVM_PAT_RESET;
	vmcb->save.dr6 = SVM_DR6_RESET;
	vmcb->save.dr7 = KVMINI_DR7_RESET;
	kvmini_sregs_reset(&sregs);
	svm_set_sregs(vcpu, &sregs);
	svm_set_regs(vcpu, &regs);
}

static int svm_vcpu_create(struct kvmini_vcpu *vcpu)
{
	struct kvmini_svm_vcpu *svm;

	svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	if (!svm)
		return -ENOMEM;
	svm->vmcb = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!svm->vmcb) {
		kfree(svm);
		return -ENOMEM;
	}
	svm->user_save = kmalloc(sizeof(*svm->user_save), GFP_KERNEL_ACCOUNT);
	if (!svm->user_save) {
		free_page((unsigned long)svm->vmcb);
		kfree(svm);
		return -ENOMEM;
	}
	svm->vmcb_pa = __pa(svm->vmcb);
	vcpu->vendor = svm;
	svm_setup_vmcb(vcpu);
	return 0;
}

static void svm_vcpu_free(struct kvmini_vcpu *vcpu)
{
	struct kvmini_svm_vcpu *svm = to_svm(vcpu);
	int cpu;

	/* A later VMCB at the same address must not skip its TLB flush. */
	for_each_possible_cpu(cpu)
		cmpxchg(&per_cpu_ptr(&svm_cpu, cpu)->last_vmcb, svm->vmcb,
			NULL);
	free_page((unsigned long)svm->vmcb);
	kfree(svm->user_save);
	kfree(svm);
}

/* The VMCB is memory: nothing to load per CPU. */
static void svm_vcpu_load(struct kvmini_vcpu *vcpu, int cpu)
{
}

/* The host's TSC_AUX goes back before anything else runs here. */
static void svm_vcpu_put(struct kvmini_vcpu *vcpu)
{
	struct kvmini_svm_vcpu *svm = to_svm(vcpu);

	if (svm->tsc_aux_loaded) {
		wrmsrl(MSR_TSC_AUX, svm->host_tsc_aux);
		svm->tsc_aux_loaded = false;
	}
}

/*
 * RDPID cannot be intercepted on SVM: it reads TSC_AUX, which Linux sets
 * to the host CPU's number, and the guest would learn where it runs.
 * Load the guest's (its vCPU id) before its first entry after
 * vcpu_load, as VMX does its syscall MSRs, and put the host's back at
 * vcpu_put; the host kernel itself never reads TSC_AUX.  RDTSCP is not
 * offered (CPUID hides it, as it does RDPID) and raises #UD, as on VMX.
 */
static void svm_load_tsc_aux(struct kvmini_vcpu *vcpu)
{
	struct kvmini_svm_vcpu *svm = to_svm(vcpu);

	if (svm->tsc_aux_loaded || (!boot_cpu_has(X86_FEATURE_RDTSCP) &&
				    !boot_cpu_has(X86_FEATURE_RDPID)))
		return;
	rdmsrl(MSR_TSC_AUX, svm->host_tsc_aux);
	wrmsrl(MSR_TSC_AUX, vcpu->id);
	svm->tsc_aux_loaded = true;
}

/* ------------------------------------------------------------------ */
/* Run                                                                  */
/* ------------------------------------------------------------------ */

/* 64-bit code: EFER.LMA and CS.L. */
static bool svm_long64(struct vmcb_save_area *save)
{
	return (save->efer & EFER_LMA) && (save->cs.attrib & SVM_SELECTOR_L_MASK);
}

/* The instructions whose exits step over them. */
static const u8 svm_op_hlt[] = { 0xf4 };
static const u8 svm_op_cpuid[] = { 0x0f, 0xa2 };
static const u8 svm_op_vmmcall[] = { 0x0f, 0x01, 0xd9 };
static const u8 svm_op_rdmsr[] = { 0x0f, 0x32 };
static const u8 svm_op_wrmsr[] = { 0x0f, 0x30 };
static const u8 svm_op_xsetbv[] = { 0x0f, 0x01, 0xd1 };
static const u8 svm_op_icebp[] = { 0xf1 };

/*
 * The exit is for an instruction with this opcode.  A fixed length
 * would ignore its prefixes (2e f4 is a HLT too) and resume in its
 * middle: take the next RIP the CPU saved, or decode it later.
 */
static void svm_expect_insn(struct kvmini_svm_vcpu *svm, const u8 *opcode,
			    unsigned int oplen)
{
	u64 next = svm->vmcb->control.next_rip;

	if (boot_cpu_has(X86_FEATURE_NRIPS) && next) {
		svm->next_rip = kvmini_rip_add(next, 0,
					       svm_long64(&svm->vmcb->save));
		svm->next_rip_valid = true;
		return;
	}
	svm->insn_opcode = opcode;
	svm->insn_oplen = oplen;
}

/*
 * Without NRIPS: read the instruction at RIP through the guest's page
 * tables and measure it.  If the bytes are gone or are something else
 * now, userspace gets an UNHANDLED exit with RIP still at the
 * instruction, before its handler changed anything.
 */
static void svm_complete_exit(struct kvmini_vcpu *vcpu,
			      struct kvmini_exit *exit)
{
	struct kvmini_svm_vcpu *svm = to_svm(vcpu);
	bool cr_write = exit->reason == KVMINI_EXIT_CR_ACCESS;
	bool dr_access = exit->reason == KVMINI_EXIT_DR_ACCESS;
	struct kvmini_cr_op op;
	struct kvmini_sregs sregs;
	struct kvmini_regs regs;
	bool long64, def32;
	u8 insn[15];
	int n;

	if (!svm->insn_opcode && !cr_write && !dr_access)
		return;
	n = kvmini_read_insn(vcpu, &regs, &sregs, insn, sizeof(insn));
	kvmini_code_mode(&sregs, &long64, &def32);
	if (cr_write) {
		/*
		 * Decode assists would name the register, but not the
		 * length without NRIPS: the bytes say both.  MOV to CR0 or
		 * CR4 is emulated, and LMSW with a register.
		 */
		n = kvmini_decode_cr(insn, n, long64, &op);
		if (n >= 0 && op.write && op.cr == exit->cr.cr &&
		    (!op.lmsw || op.cr == 0)) {
			exit->cr.gpr = op.gpr;
			exit->cr.write = true;
			exit->cr.lmsw = op.lmsw;
		} else {
			n = -EINVAL;
		}
	} else if (dr_access) {
		/* MOV DR: the bytes name the GPR (no decode assists). */
		n = kvmini_decode_cr(insn, n, long64, &op);
		if (n >= 0 && op.dr && op.cr == exit->dr.dr &&
		    op.write == exit->dr.write)
			exit->dr.gpr = op.gpr;
		else
			n = -EINVAL;
	} else {
		n = kvmini_insn_length(insn, n, long64, svm->insn_opcode,
				       svm->insn_oplen);
		svm->insn_opcode = NULL;
	}
	if (n < 0) {
		exit->reason = KVMINI_EXIT_UNHANDLED;
		return;
	}
	svm->next_rip = kvmini_rip_add(regs.rip, n, long64);
	svm->next_rip_valid = true;
}

static void svm_skip_instruction(struct kvmini_vcpu *vcpu)
{
	struct kvmini_svm_vcpu *svm = to_svm(vcpu);

	if (WARN_ON_ONCE(!svm->next_rip_valid))
		return;
	svm->vmcb->save.rip = svm->next_rip;
	svm->next_rip_valid = false;
	svm->vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

static void svm_decode_exit(struct kvmini_svm_vcpu *svm,
			    struct kvmini_exit *exit)
{
	u64 info1 = exit->hw.info1;

	svm->next_rip_valid = false;
	svm->insn_opcode = NULL;
	switch ((u32)exit->hw.reason) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_SMI:
	case SVM_EXIT_INIT:
		/*
		 * An SMI or INIT for the physical CPU arrived in guest mode.
		 * Like an interrupt it is the host's: once GIF is set again
		 * after the exit, the CPU takes it (an INIT resets it, which
		 * is what its sender, a reboot, wanted).  Re-entering is all
		 * there is to do.
		 */
		exit->reason = KVMINI_EXIT_EXTINT;
		break;
	case SVM_EXIT_RDTSCP:
		/* Not offered, as on VMX without "enable RDTSCP". */
		exit->reason = KVMINI_EXIT_EXCEPTION;
		exit->exc.vector = X86_TRAP_UD;
		break;
	case SVM_EXIT_NMI:
		exit->reason = KVMINI_EXIT_NMI;
		break;
	case SVM_EXIT_IOIO:
		exit->reason = KVMINI_EXIT_IO;
		exit->io.in = info1 & SVM_IOIO_TYPE_MASK;
		exit->io.string = !!(info1 & SVM_IOIO_STR_MASK);
		exit->io.rep = !!(info1 & SVM_IOIO_REP_MASK);
		exit->io.size = (info1 & SVM_IOIO_SIZE_MASK) >>
				SVM_IOIO_SIZE_SHIFT;	/* 1, 2 or 4 */
		exit->io.port = info1 >> 16;
		svm->next_rip = exit->hw.info2;
		svm->next_rip_valid = true;
		break;
	case SVM_EXIT_HLT:
		exit->reason = KVMINI_EXIT_HLT;
		svm_expect_insn(svm, svm_op_hlt, sizeof(svm_op_hlt));
		break;
	case SVM_EXIT_CPUID:
		exit->reason = KVMINI_EXIT_CPUID;
		svm_expect_insn(svm, svm_op_cpuid, sizeof(svm_op_cpuid));
		break;
	case SVM_EXIT_VMMCALL:
		exit->reason = KVMINI_EXIT_HYPERCALL;
		svm_expect_insn(svm, svm_op_vmmcall, sizeof(svm_op_vmmcall));
		break;
	case SVM_EXIT_ICEBP:
		/*
		 * INT1 exits before it runs, like any instruction intercept:
		 * RIP is on it.  Left to the #DB intercept, its trap would
		 * be ambiguous: AMD CPUs can report RIP still on the INT1
		 * there (Xen met it behind task gates), where every other
		 * trap has RIP after its instruction.  core/exception.c
		 * steps over it and queues the #DB.
		 */
		exit->reason = KVMINI_EXIT_EXCEPTION;
		exit->exc.vector = X86_TRAP_DB;
		exit->exc.icebp = true;
		svm_expect_insn(svm, svm_op_icebp, sizeof(svm_op_icebp));
		break;
	case SVM_EXIT_MSR:
		exit->reason = KVMINI_EXIT_MSR;
		exit->msr.write = info1 == 1;
		if (exit->msr.write)
			svm_expect_insn(svm, svm_op_wrmsr, sizeof(svm_op_wrmsr));
		else
			svm_expect_insn(svm, svm_op_rdmsr, sizeof(svm_op_rdmsr));
		break;
	case SVM_EXIT_CR0_SEL_WRITE:
	case SVM_EXIT_WRITE_CR4:
	case SVM_EXIT_WRITE_CR8:
		/* MOV to CR0, 4 or 8, LMSW: svm_complete_exit() decodes which. */
		exit->reason = KVMINI_EXIT_CR_ACCESS;
		exit->cr.cr = exit->hw.reason == SVM_EXIT_CR0_SEL_WRITE ? 0 :
			      exit->hw.reason - SVM_EXIT_WRITE_CR0;
		break;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_DB:
	case SVM_EXIT_EXCP_BASE + X86_TRAP_AC:
	case SVM_EXIT_EXCP_BASE + X86_TRAP_MC:
		exit->reason = KVMINI_EXIT_EXCEPTION;
		exit->exc.vector = exit->hw.reason - SVM_EXIT_EXCP_BASE;
		/* #AC's error code (always 0) is in EXITINFO1. */
		exit->exc.has_error = exit->exc.vector == X86_TRAP_AC;
		exit->exc.error = info1;
		/*
		 * The CPU wrote the #DB's cause into the guest's DR6 (the
		 * VMCB's); the guest's own DR6 is kvmini's copy.
		 */
		exit->exc.dr6 = svm->vmcb->save.dr6;
		svm->vmcb->save.dr6 = DR6_RESERVED;
		svm_mark_dirty(svm, VMCB_CLEAN_DR);
		break;
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_WRITE_DR7:
		/* svm_complete_exit() decodes the register from the bytes. */
		exit->reason = KVMINI_EXIT_DR_ACCESS;
		exit->dr.dr = (exit->hw.reason - SVM_EXIT_READ_DR0) & 7;
		exit->dr.write = exit->hw.reason >= SVM_EXIT_WRITE_DR0;
		break;
	case SVM_EXIT_XSETBV:
		exit->reason = KVMINI_EXIT_XSETBV;
		svm_expect_insn(svm, svm_op_xsetbv, sizeof(svm_op_xsetbv));
		break;
	case SVM_EXIT_NPF:
		exit->reason = KVMINI_EXIT_GPA_MAP;
		exit->gpa.gpa = exit->hw.info2;
		exit->gpa.write = !!(info1 & 2);
		exit->gpa.not_insn =
			(svm->vmcb->control.exit_int_info &
			 SVM_EXITINTINFO_VALID) ||
			(info1 & PFERR_GUEST_PAGE_MASK);
		break;
	case SVM_EXIT_SHUTDOWN:
		exit->reason = KVMINI_EXIT_SHUTDOWN;
		break;
	case SVM_EXIT_VINTR:
		exit->reason = KVMINI_EXIT_IRQ_WINDOW;
		break;
	case SVM_EXIT_IRET:
		exit->reason = KVMINI_EXIT_NMI_WINDOW;
		svm_clr_intercept(svm, INTERCEPT_IRET);
		svm->nmi_iret_seen = true;
		svm->nmi_iret_rip = svm->vmcb->save.rip;
		break;
	case (u32)SVM_EXIT_ERR:
		exit->reason = KVMINI_EXIT_FAIL_ENTRY;
		break;
	default:
		exit->reason = KVMINI_EXIT_UNHANDLED;
		break;
	}
}

static bool svm_get_nmi_masked(struct kvmini_vcpu *vcpu)
{
	return to_svm(vcpu)->nmi_masked;
}

/* Masked until an IRET: watch for one, as after an injected NMI. */
static void svm_set_nmi_masked(struct kvmini_vcpu *vcpu, bool masked)
{
	struct kvmini_svm_vcpu *svm = to_svm(vcpu);

	svm->nmi_masked = masked;
	svm->nmi_iret_seen = false;
	if (masked)
		svm_set_intercept(svm, INTERCEPT_IRET);
	else
		svm_clr_intercept(svm, INTERCEPT_IRET);
}

static void svm_run(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit)
{
	struct kvmini_svm_vcpu *svm = to_svm(vcpu);
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpu);
	struct vmcb *vmcb = svm->vmcb;
	int cpu = smp_processor_id();
	bool injected = vcpu->event.info & KVMINI_EVENT_VALID;
	u32 exit_int_info;
	bool saved;

	exit->hw.vendor = KVMINI_VENDOR_SVM;
	vmcb->save.rax = vcpu->gprs[GPR_RAX];
	saved = svm->save_dirty || (vcpu->event.info & KVMINI_EVENT_VALID);
	if (saved) {
		memcpy(svm->user_save, &vmcb->save, sizeof(vmcb->save));
		svm->save_dirty = false;
	}
	if (svm_inject_virq(svm, vcpu->event.info)) {
		vmcb->control.event_inj = 0;
	} else {
		vmcb->control.event_inj = vcpu->event.info;
		vmcb->control.event_inj_err = vcpu->event.error;
	}
	svm_update_cr8_intercept(svm);
	if ((vcpu->event.info & (KVMINI_EVENT_VALID | KVMINI_EVENT_TYPE_MASK)) ==
	    (KVMINI_EVENT_VALID | KVMINI_EVENT_TYPE_NMI)) {
		/* Blocked until its handler's IRET: watch for that. */
		svm->nmi_masked = true;
		svm->nmi_iret_seen = false;
		svm_set_intercept(svm, INTERCEPT_IRET);
	}
	vcpu->event.info = 0;

	local_irq_disable();
	kvmini_guest_fpu_reload();
	/*
	 * One ASID for all: flush when another VMCB may have filled the TLB,
	 * or when mappings were removed.
	 */
	if (kvmini_tlb_flush_needed(vcpu) || vcpu->last_cpu != cpu ||
	    sc->last_vmcb != vmcb || svm->flush_tlb)
		vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	else
		vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	/* What the CPU cached belongs to another VMCB, or another CPU has it. */
	if (vcpu->last_cpu != cpu || sc->last_vmcb != vmcb)
		vmcb->control.clean = 0;
	vcpu->last_cpu = cpu;
	sc->last_vmcb = vmcb;
	svm->flush_tlb = false;
	svm_load_tsc_aux(vcpu);
	kvmini_guest_enter_irqoff(vcpu);
	svm_clgi();
	/* With GIF clear not even an NMI handler sees the guest's PKRU. */
	kvmini_load_guest_pkru(vcpu);
	kvmini_load_guest_xcr0(vcpu, vmcb->save.cr4);
	/*
	 * With V_INTR_MASKING the host's IF at VMRUN decides whether a
	 * physical interrupt exits the guest; GIF=0 keeps it from being
	 * taken here.  Raw sti/cli: no tracing may run with guest FS/GS.
	 */
	native_irq_enable();
	kvmini_svm_enter(svm->vmcb_pa, vcpu->gprs, __pa(sc->host_save));
	native_irq_disable();
	kvmini_load_host_xcr0(vcpu);
	kvmini_load_host_pkru(vcpu);
	svm_stgi();
	exit->tsc = kvmini_exit_tsc();
	/* The CPU wrote back what it changed: everything is clean again. */
	if (boot_cpu_has(X86_FEATURE_VMCBCLEAN))
		vmcb->control.clean = VMCB_CLEAN_ALL;

	vcpu->gprs[GPR_RAX] = vmcb->save.rax;
	if (hw_breakpoint_active())
		hw_breakpoint_restore();

	/* Exit codes are 32 bits wide; VMEXIT_INVALID reads 0xffffffff. */
	exit->hw.reason = vmcb->control.exit_code;
	exit->hw.info1 = vmcb->control.exit_info_1;
	exit->hw.info2 = vmcb->control.exit_info_2;
	exit_int_info = vmcb->control.exit_int_info;
	if (svm->virq_injected)
		exit_int_info = svm_complete_virq(vcpu, exit_int_info);
	/* An interrupted delivery, of a virtual interrupt too, goes again. */
	kvmini_requeue_event(vcpu, exit_int_info,
			     vmcb->control.exit_int_info_err, injected);
	/* The IRET that ends an NMI handler has run once RIP moved on. */
	if (svm->nmi_iret_seen && vmcb->save.rip != svm->nmi_iret_rip) {
		svm->nmi_masked = false;
		svm->nmi_iret_seen = false;
	}
	svm_decode_exit(svm, exit);
	/* Interrupts are still off: the CPU that took it handles it. */
	if (exit->reason == KVMINI_EXIT_EXCEPTION &&
	    exit->exc.vector == X86_TRAP_MC)
		kvmini_machine_check();
	if (exit->reason == KVMINI_EXIT_FAIL_ENTRY) {
		if (saved)
			memcpy(&vmcb->save, svm->user_save,
			       sizeof(vmcb->save));
		svm->save_dirty = true;
		vmcb->control.clean = 0;
		/* Nothing was delivered: the event waits for the next entry. */
		if (vmcb->control.event_inj & SVM_EVTINJ_VALID) {
			vcpu->event.info = vmcb->control.event_inj;
			vcpu->event.error = vmcb->control.event_inj_err;
		}
	}
	/* An NMI held again was not delivered: it blocks nothing yet. */
	if ((vcpu->event.info & (KVMINI_EVENT_VALID | KVMINI_EVENT_TYPE_MASK)) ==
	    (KVMINI_EVENT_VALID | KVMINI_EVENT_TYPE_NMI))
		svm_set_nmi_masked(vcpu, false);
	/* A held interrupt or NMI is taken here, by the host. */
	local_irq_enable();
}

static u64 svm_get_efer(struct kvmini_vcpu *vcpu)
{
	return to_svm(vcpu)->efer;
}

static u64 svm_get_cr4(struct kvmini_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.cr4;
}

static u64 svm_get_rip(struct kvmini_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.rip;
}

/* RIP alone cannot fail VMRUN's checks: no save_dirty. */
static void svm_set_rip(struct kvmini_vcpu *vcpu, u64 rip)
{
	to_svm(vcpu)->vmcb->save.rip = rip;
}

static void svm_get_code_sregs(struct kvmini_vcpu *vcpu,
			       struct kvmini_sregs *sregs)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	svm_get_segment(&vmcb->save.cs, &sregs->cs);
	sregs->cr0 = vmcb->save.cr0;
	sregs->cr3 = vmcb->save.cr3;
	sregs->cr4 = vmcb->save.cr4;
	sregs->efer = to_svm(vcpu)->efer;
}

static u64 svm_get_rflags(struct kvmini_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.rflags;
}

static bool svm_in_shadow(struct kvmini_svm_vcpu *svm)
{
	return svm->vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK;
}

/* SVM keeps the CPL in the VMCB; SS.DPL need not match it. */
static int svm_get_cpl(struct kvmini_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.cpl;
}

static bool svm_interrupt_allowed(struct kvmini_vcpu *vcpu)
{
	struct kvmini_svm_vcpu *svm = to_svm(vcpu);

	return (svm->vmcb->save.rflags & X86_EFLAGS_IF) && !svm_in_shadow(svm);
}

static bool svm_nmi_allowed(struct kvmini_vcpu *vcpu)
{
	struct kvmini_svm_vcpu *svm = to_svm(vcpu);

	return !svm->nmi_masked && !svm_in_shadow(svm);
}

/*
 * The interrupt window is a virtual interrupt the guest would take now
 * (V_IRQ, TPR ignored) whose delivery we intercept.  It also serves an
 * NMI waiting for a shadow to end or for the IRET seen to retire: the
 * first exit after it tells.
 */
static void svm_set_windows(struct kvmini_vcpu *vcpu, bool irq, bool nmi)
{
	struct kvmini_svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;
	bool vintr = irq || (nmi && (svm->nmi_iret_seen || !svm->nmi_masked));
	u32 int_ctl = c->int_ctl & ~V_IRQ_INJECTION_BITS_MASK;

	if (vintr)
		int_ctl |= V_IRQ_MASK | V_INTR_PRIO_MASK | V_IGN_TPR_MASK;
	/* Called before every entry: dirty only what changes. */
	if (int_ctl != c->int_ctl) {
		c->int_ctl = int_ctl;
		svm_mark_dirty(svm, VMCB_CLEAN_INTR);
	}
	svm_want_intercept(svm, INTERCEPT_VINTR, vintr);
}

/* One bit for both kinds of shadow. */
static u32 svm_get_shadow(struct kvmini_vcpu *vcpu)
{
	return svm_in_shadow(to_svm(vcpu)) ?
	       KVMINI_SHADOW_STI | KVMINI_SHADOW_MOV_SS : 0;
}

static void svm_set_shadow(struct kvmini_vcpu *vcpu, u32 shadow)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;

	c->int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
	if (shadow)
		c->int_state |= SVM_INTERRUPT_SHADOW_MASK;
}

static const struct kvmini_hw_exit_name svm_exit_names[] = {
	SVM_EXIT_REASONS
};

/* NPT is walked in the host's paging mode: five levels under LA57. */
static unsigned int svm_gpa_levels(void)
{
	return pgtable_l5_enabled() ? 5 : 4;
}

const struct kvmini_vendor_ops kvmini_svm_ops = {
	.name			= "svm",
	.vendor			= KVMINI_VENDOR_SVM,
	.hw_exit_names		= svm_exit_names,
	.nr_hw_exit_names	= ARRAY_SIZE(svm_exit_names),
	/* NPT walks are user accesses: U/S must be set at every level. */
	.gpa_table_bits		= _PAGE_PRESENT | _PAGE_RW | _PAGE_USER,
	.gpa_leaf_ro_bits	= _PAGE_PRESENT | _PAGE_USER,
	.gpa_leaf_rw_bits	= _PAGE_PRESENT | _PAGE_RW | _PAGE_USER,
	.gpa_levels		= svm_gpa_levels,
	.hardware_check		= svm_hardware_check,
	.hardware_unsetup	= svm_hardware_unsetup,
	.cpu_prepare		= svm_cpu_prepare,
	.cpu_enable		= svm_cpu_enable,
	.cpu_disable		= svm_cpu_disable,
	.vcpu_create		= svm_vcpu_create,
	.vcpu_free		= svm_vcpu_free,
	.vcpu_load		= svm_vcpu_load,
	.vcpu_put		= svm_vcpu_put,
	.get_regs		= svm_get_regs,
	.set_regs		= svm_set_regs,
	.get_sregs		= svm_get_sregs,
	.set_sregs		= svm_set_sregs,
	.get_msr		= svm_get_msr,
	.set_msr		= svm_set_msr,
	.run			= svm_run,
	.interrupt_allowed	= svm_interrupt_allowed,
	.nmi_allowed		= svm_nmi_allowed,
	.set_windows		= svm_set_windows,
	.get_nmi_masked		= svm_get_nmi_masked,
	.set_nmi_masked		= svm_set_nmi_masked,
	.get_shadow		= svm_get_shadow,
	.set_shadow		= svm_set_shadow,
	.get_rflags		= svm_get_rflags,
	.get_cpl		= svm_get_cpl,
	.get_efer		= svm_get_efer,
	.get_cr4		= svm_get_cr4,
	.complete_exit		= svm_complete_exit,
	.get_rip		= svm_get_rip,
	.set_rip		= svm_set_rip,
	.get_code_sregs		= svm_get_code_sregs,
	.skip_instruction	= svm_skip_instruction,
};
