/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmini_vendor.h - the one table a hardware backend fills.
 *
 * The core never touches VMX or SVM directly: it calls kvmini_vendor->op.
 * vmx/vmx.c and svm/svm.c each define one table at their bottom; the
 * device layer (core/dev.c) picks one at module load.  Backends know
 * nothing of devices or slots: they enter the guest, and describe each
 * exit in a struct kvmini_exit.
 */
#ifndef KVMINI_VENDOR_H
#define KVMINI_VENDOR_H

#include "kvmini_core.h"

/* One row of the kernel's VMX_EXIT_REASONS or SVM_EXIT_REASONS. */
struct kvmini_hw_exit_name {
	u32 code;
	const char *name;
};

struct kvmini_vendor_ops {
	const char *name;		/* "vmx" or "svm" */
	u32 vendor;			/* KVMINI_VENDOR_* */

	/*
	 * The hardware's exit reasons by name, straight from the kernel's
	 * own table: statistics and traces name raw reasons with it.
	 */
	const struct kvmini_hw_exit_name *hw_exit_names;
	unsigned int nr_hw_exit_names;

	/*
	 * Entries of the guest-physical page table.  EPT and NPT both use
	 * levels of 512 entries with the frame at bits 51:12, and bit 0 set
	 * in every present entry; only the permission and type bits, and
	 * the number of levels, differ.
	 */
	u64 gpa_table_bits;		/* a non-leaf entry */
	u64 gpa_leaf_ro_bits;		/* a read-only, executable leaf */
	u64 gpa_leaf_rw_bits;		/* a writable, executable leaf */

	/*
	 * Levels of the table: EPT's are chosen in the EPT pointer, NPT's
	 * follow the host's paging mode (5 with LA57).  Valid once
	 * hardware_check has succeeded.
	 */
	unsigned int (*gpa_levels)(void);

	/*
	 * Module load: is the hardware there and usable?  Runs once, on one
	 * CPU, before any cpu_enable.  Returns -ENODEV or -EOPNOTSUPP with a
	 * message saying why not.
	 */
	int (*hardware_check)(void);
	void (*hardware_unsetup)(void);

	/*
	 * Optional: hide what CPUID shows but this backend cannot run
	 * (VMX's INVPCID needs a control the CPU may lack).  r[] is EAX,
	 * EBX, ECX, EDX, after the core's own filtering.
	 */
	void (*cpuid_filter)(u32 leaf, u32 index, u32 *r);

	/*
	 * Turn virtualization on/off on the calling CPU, with the first VM
	 * and after the last (by IPI, interrupts off) and when a CPU comes
	 * online or goes offline meanwhile.  cpu_prepare allocates what
	 * cpu_enable needs on that CPU, in process context, before.
	 * cpu_enable fails with -EBUSY if another hypervisor holds VMX/SVM
	 * on this CPU.  cpu_disable does nothing on a CPU it is not on, and
	 * must be safe from NMI context: it also serves as the
	 * emergency-reboot callback.
	 */
	int (*cpu_prepare)(unsigned int cpu);
	int (*cpu_enable)(void);
	void (*cpu_disable)(void);

	/* Allocate and free the vendor part of a vCPU (vcpu->vendor). */
	int (*vcpu_create)(struct kvmini_vcpu *vcpu);
	void (*vcpu_free)(struct kvmini_vcpu *vcpu);

	/*
	 * Registers.  Called with vcpu->mutex held and preemption enabled.
	 * set_sregs returns -EINVAL for a state the backend cannot express;
	 * a state the hardware rejects later ends the next RUN in a
	 * KVMINI_EXIT_FAIL_ENTRY instead.
	 */
	void (*get_regs)(struct kvmini_vcpu *vcpu, struct kvmini_regs *regs);
	void (*set_regs)(struct kvmini_vcpu *vcpu,
			 const struct kvmini_regs *regs);
	void (*get_sregs)(struct kvmini_vcpu *vcpu, struct kvmini_sregs *sregs);
	int (*set_sregs)(struct kvmini_vcpu *vcpu,
			 const struct kvmini_sregs *sregs);

	/*
	 * The MSRs of the documented set (core/msr.c) that the backend
	 * stores: SYSENTER_*, STAR, LSTAR, CSTAR, SYSCALL_MASK,
	 * KERNEL_GS_BASE and PAT.  -ENOENT for any other; values arrive
	 * validated.
	 */
	int (*get_msr)(struct kvmini_vcpu *vcpu, u32 index, u64 *data);
	int (*set_msr)(struct kvmini_vcpu *vcpu, u32 index, u64 data);

	/*
	 * Enter the guest once and describe why it left.  Right before the
	 * entry instruction, with interrupts off, call kvmini_stats_entry();
	 * right after it, set exit->tsc = kvmini_exit_tsc().  A valid
	 * vcpu->event is delivered on this entry and cleared; an exception
	 * the exit interrupted is put back there (kvmini_requeue_event).  Called with
	 * preemption disabled; interrupts are enabled on return, so a host
	 * interrupt that caused the exit has been handled.
	 */
	void (*run)(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit);

	/*
	 * Events (core/events.c), with the vCPU loaded.  interrupt_allowed:
	 * RFLAGS.IF is set and no STI or MOV SS shadow blocks; nmi_allowed:
	 * no NMI is being handled (blocked until its IRET) and no shadow.
	 * set_windows turns the interrupt- and NMI-window exits on or off;
	 * a window exit is reported as KVMINI_EXIT_IRQ_WINDOW or
	 * KVMINI_EXIT_NMI_WINDOW.  A valid vcpu->event of type NMI starts
	 * NMI blocking when it is delivered.
	 */
	bool (*interrupt_allowed)(struct kvmini_vcpu *vcpu);
	bool (*nmi_allowed)(struct kvmini_vcpu *vcpu);
	void (*set_windows)(struct kvmini_vcpu *vcpu, bool irq, bool nmi);
	u64 (*get_rflags)(struct kvmini_vcpu *vcpu);

	/*
	 * KVMINI_GET/SET_VCPU_EVENTS, with the vCPU loaded: NMI blocking
	 * and the STI/MOV SS shadow (KVMINI_SHADOW_*).  Values arrive
	 * validated.
	 */
	bool (*get_nmi_masked)(struct kvmini_vcpu *vcpu);
	void (*set_nmi_masked)(struct kvmini_vcpu *vcpu, bool masked);
	u32 (*get_shadow)(struct kvmini_vcpu *vcpu);
	void (*set_shadow)(struct kvmini_vcpu *vcpu, u32 shadow);

	/* The guest's current privilege level, 0-3. */
	int (*get_cpl)(struct kvmini_vcpu *vcpu);

	/*
	 * EFER and CR4 as get_sregs reports them, without reading every
	 * segment: RDMSR of EFER and CPUID leaf 1 need only these.
	 */
	u64 (*get_efer)(struct kvmini_vcpu *vcpu);
	u64 (*get_cr4)(struct kvmini_vcpu *vcpu);

	/*
	 * Optional.  Right after run, with preemption enabled, before the
	 * exit is handled: finish describing the exit where that needs
	 * guest memory (SVM without NRIPS reads the instruction to learn
	 * its length).  An exit it cannot describe becomes
	 * KVMINI_EXIT_UNHANDLED, before any handler had a side effect.
	 */
	void (*complete_exit)(struct kvmini_vcpu *vcpu,
			      struct kvmini_exit *exit);

	/* The guest's RIP, cheaply: traces read it at every exit. */
	u64 (*get_rip)(struct kvmini_vcpu *vcpu);
	/* Set RIP alone: past an instruction kvmini carried out itself. */
	void (*set_rip)(struct kvmini_vcpu *vcpu, u64 rip);
	/*
	 * CS, CR0, CR3, CR4 and EFER as get_sregs reports them, the other
	 * fields left as they were: reading and decoding the instruction at
	 * RIP needs no more, and an MMIO exit pays for no more.
	 */
	void (*get_code_sregs)(struct kvmini_vcpu *vcpu,
			       struct kvmini_sregs *sregs);

	/* Move RIP past the instruction that caused the current exit. */
	void (*skip_instruction)(struct kvmini_vcpu *vcpu);

	/* The vCPU thread is scheduled in/out: load or release the vCPU. */
	void (*vcpu_load)(struct kvmini_vcpu *vcpu, int cpu);
	void (*vcpu_put)(struct kvmini_vcpu *vcpu);
};

extern const struct kvmini_vendor_ops *kvmini_vendor;
extern const struct kvmini_vendor_ops kvmini_vmx_ops;
extern const struct kvmini_vendor_ops kvmini_svm_ops;

#endif /* KVMINI_VENDOR_H */
