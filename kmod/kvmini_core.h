/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmini_core.h - the objects of the vendor-neutral core: VMs, vCPUs,
 * memory slots, guest-physical mappings and the vendor-neutral exit.
 *
 * Read this first, then kvmini_vendor.h (the ops table a backend fills),
 * then core/dev.c (the device), core/vm.c, core/vcpu.c and core/run.c
 * (the path of one exit).
 *
 * Field tags say when a field is set and what protects it:
 *   (c) set at creation, constant afterwards
 *   (v) owned by the thread running the vCPU ioctl (vcpu->mutex)
 *   (s) vm->slots_lock
 *   (m) vm->gpa_lock
 */
#ifndef KVMINI_CORE_H
#define KVMINI_CORE_H

#include <linux/types.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <asm/cpufeature.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/mce.h>
#include <asm/page.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>
#include <asm/trapnr.h>
#include "uapi/kvmini.h"

/* The order of the general-purpose registers in the entry code. */
enum kvmini_gpr {
	GPR_RAX, GPR_RCX, GPR_RDX, GPR_RBX, GPR_RSP, GPR_RBP, GPR_RSI, GPR_RDI,
	GPR_R8, GPR_R9, GPR_R10, GPR_R11, GPR_R12, GPR_R13, GPR_R14, GPR_R15,
	GPR_NR,
};

struct kvmini_port_table;
struct kvmini_vcpu_stats;

struct kvmini_slot {
	u64 gpa;			/* (s) 0 size means unused */
	u64 size;			/* (s) */
	u64 uaddr;			/* (s) */
	u32 flags;			/* (s) KVMINI_MEM_* */
};

struct kvmini_vm {
	struct kref ref;		/* fd + one per vCPU */
	struct mm_struct *mm;		/* (c) creator; grabbed with mmgrab */
	u32 flags;			/* (c) KVMINI_VM_* */

	struct mutex slots_lock;	/* the slots array */
	struct kvmini_slot slots[KVMINI_MAX_MEM_SLOTS];	/* (s) */
	u32 slots_gen;			/* (s) bumped when a slot comes or goes */

	/*
	 * The guest-physical page table (EPT or NPT), built lazily from the
	 * slots.  Leaves point at pinned user pages; freeing the table
	 * unpins them.
	 */
	struct mutex gpa_lock;		/* the EPT/NPT table below */
	u64 *gpa_root;			/* (c) */
	u64 gpa_root_pa;		/* (c) */
	/*
	 * Bumped when mappings are removed; a vCPU whose tlb_gen differs
	 * flushes its cached translations before it next enters.
	 */
	atomic_t tlb_gen;

	struct mutex cpuid_lock;	/* the CPUID overrides */
	u32 cpuid_nent;			/* (cpuid_lock) */
	struct kvmini_cpuid_entry cpuid[KVMINI_MAX_CPUID]; /* (cpuid_lock) */
	/* Bumped with each new table: vCPUs' cached answers expire. */
	u32 cpuid_gen;			/* (cpuid_lock), read without it */

	struct mutex vcpus_lock;	/* the vcpus array */
	struct kvmini_vcpu *vcpus[KVMINI_MAX_VCPUS];	/* (vcpus_lock) */

	/*
	 * In-kernel port handlers (core/fastpath.c): replaced as a whole
	 * under ports_lock, read under RCU by the vCPUs.
	 */
	struct mutex ports_lock;
	struct kvmini_port_table __rcu *ports;	/* (ports_lock, RCU) */

	u32 id;				/* (c) names it in debugfs and stats */
	struct dentry *debugfs;		/* (c) its debugfs directory */
};

/* What the backend saw, in vendor-neutral form. */
struct kvmini_exit {
	u32 reason;			/* enum kvmini_exit_reason */
	struct kvmini_hw_exit hw;
	u32 user_reason;		/* if not 0: what userspace sees */
	u64 tsc;			/* when the guest left */
	u64 rip;			/* at the exit; filled only for tracing */
	union {
		struct {
			u16 port;
			u8 size;
			u8 in;
			u8 string;
			u8 rep;
		} io;
		struct {
			u64 gpa;
			bool write;
			/*
			 * Not the access of the instruction at RIP: the CPU
			 * was delivering an event (IDT, GDT, stack) or
			 * walking the guest's page tables.  MMIO emulation
			 * must not decode RIP's instruction for it.
			 */
			bool not_insn;
		} gpa;
		struct {
			bool write;
		} msr;
		struct {
			u8 cr;
			u8 gpr;		/* enum kvmini_gpr */
			bool write;
			bool lmsw;	/* LMSW: CR0's low four bits */
		} cr;
		struct {
			u8 vector;	/* X86_TRAP_DB, _AC, _MC (or _UD) */
			bool icebp;	/* #DB from INT1, RIP on it: skip it */
			bool has_error;
			u32 error;
			u32 dr6;	/* #DB: its B0-B3, BD, BS bits */
		} exc;
		struct {
			u8 dr;		/* 0-7 */
			u8 gpr;		/* enum kvmini_gpr */
			bool write;	/* MOV to DRn */
		} dr;
	};
};

/*
 * An event for the guest's IDT, in the layout VMX's interruption
 * information and SVM's EVENTINJ share: vector 7:0, type 10:8, error
 * code valid 11, valid 31.
 */
#define KVMINI_EVENT_VALID		BIT(31)
#define KVMINI_EVENT_HAS_ERROR		BIT(11)
#define KVMINI_EVENT_TYPE_MASK		(7 << 8)
#define KVMINI_EVENT_TYPE_SHIFT		8
#define KVMINI_EVENT_TYPE_EXTINT	(KVMINI_EVENT_EXTINT << KVMINI_EVENT_TYPE_SHIFT)
#define KVMINI_EVENT_TYPE_NMI		(KVMINI_EVENT_NMI << KVMINI_EVENT_TYPE_SHIFT)
#define KVMINI_EVENT_TYPE_EXCEPTION	(KVMINI_EVENT_EXCEPTION << KVMINI_EVENT_TYPE_SHIFT)

struct kvmini_event {
	u32 info;
	u32 error;
};

/* A decoded MMIO instruction (core/mmio_decode.c). */
struct kvmini_mmio_op {
	int length;		/* of the instruction, in bytes */
	int size;		/* of the access: 1, 2, 4 or 8 */
	bool write;
	int reg;		/* enum kvmini_gpr read or written; -1: imm */
	bool high_byte;		/* AH, CH, DH or BH */
	int dest_size;		/* register bytes a read fills (movzx) */
	u64 imm;
};

enum kvmini_read_source {
	KVMINI_READ_IO,		/* the run page's I/O data */
	KVMINI_READ_MMIO,	/* run->mmio.data */
	KVMINI_READ_HYPERCALL,	/* run->hypercall.ret */
};

/* A read from userspace (IN, MMIO, hypercall) completed at the next RUN. */
struct kvmini_pending_read {
	bool active;
	u8 source;		/* where the data is: enum kvmini_read_source */
	u8 size;		/* bytes of data */
	u8 dest_size;		/* bytes of the register written */
	u8 reg;			/* enum kvmini_gpr */
	bool high_byte;
};

/* An INS whose items userspace supplies before the next RUN. */
struct kvmini_pending_ins {
	bool active;
	bool wrap32;		/* linear addresses are 32-bit */
	u8 size;		/* bytes per item */
	int step;		/* +size, or -size with DF */
	u32 count;
	u64 base, index, mask;	/* ES base, DI before, address-size mask */
};

/* Console bytes a vCPU buffered in the kernel (fastpath/console.c). */
struct kvmini_console {
	u16 port;			/* the console's first port */
	u16 len;
	u8 buf[KVMINI_CONSOLE_BUF];
};

/*
 * One CPUID answer a vCPU already computed (core/cpuid.c), valid while
 * gen is the VM's cpuid_gen.
 */
struct kvmini_cpuid_cached {
	u32 leaf, index;
	u32 gen;
	bool vcpu_fields;		/* vCPU-specific fields to fill in */
	u32 regs[4];
};

#define KVMINI_CPUID_CACHE	32

struct kvmini_vcpu {
	struct kvmini_vm *vm;		/* (c) holds a reference */
	u32 id;				/* (c) */
	struct mutex mutex;		/* serialises the vCPU's ioctls */
	struct preempt_notifier preempt_notifier;	/* (v) */
	struct kvmini_run *run;		/* (c) the shared page */
	struct page *run_page;		/* (c) */

	unsigned long gprs[GPR_NR];	/* (v) rsp/rip/rflags live in VMCS/VMCB */
	struct fpu_guest guest_fpu;	/* (v) */

	struct kvmini_pending_read pending;	/* (v) */
	struct kvmini_pending_ins pending_ins;	/* (v) */
	struct kvmini_event event;	/* (v) delivered at the next entry */
	/*
	 * (v) event is an exception the guest raised itself, and RIP is
	 * still on the instruction that raises it again (kvmini_requeue_event).
	 */
	bool event_refaults;
	bool irq_pending;		/* (v) KVMINI_INTERRUPT's vector waits */
	u8 irq_vector;			/* (v) */
	bool nmi_pending;		/* (v) KVMINI_NMI waits */
	bool userspace_window;		/* (v) request_interrupt_window */
	bool l1d_flush_needed;		/* (v) host code ran since the flush */
	unsigned long db[4];		/* (v) DR0-DR3 as the guest set them */
	unsigned long dr6, dr7;		/* (v) DR6, DR7 likewise (debugreg.c) */
	u64 xcr0;			/* (v) the guest's XCR0 (xsave.c) */
	bool xcr0_loaded;		/* (v) in the CPU, until the exit */
	u64 apic_base;			/* (v) MSRs core/msr.c keeps */
	u64 misc_enable;		/* (v) */
	u64 mtrr_def_type;		/* (v) */
	struct kvmini_cpuid_cached cpuid_cache[KVMINI_CPUID_CACHE]; /* (v) */

	struct kvmini_console console;	/* (v) */
	bool hlt_pending;		/* (v) HLT to report at the next RUN */
	/*
	 * The last guest-physical page found in no slot, while slots_gen
	 * was mmio_gen: MMIO again without slots_lock (gpa_map.c).
	 */
	u64 mmio_page;			/* (v) 1 (no page): none yet */
	u32 mmio_gen;			/* (v) */
	struct kvmini_vcpu_stats *stats;	/* (c); its counters (v) */

	/*
	 * The guest's PKRU while the host's is loaded, and the host's while
	 * the guest's is (kvmini_load_guest_pkru()).
	 */
	u32 pkru;			/* (v) 0 after reset */
	u32 host_pkru;			/* (v) */

	int last_cpu;			/* (v) -1 before the first run */
	int entry_cpu;			/* (v) CPU of the last entry */
	int tlb_gen;			/* (v) vm->tlb_gen last flushed for */
	void *vendor;			/* (c) struct kvmini_vmx_vcpu / svm */
};

/* core/dev.c: VMX/SVM on in every CPU while there are VMs */
int kvmini_virt_get(void);
void kvmini_virt_put(void);

/* core/vm.c */
void kvmini_vm_put(struct kvmini_vm *vm);
long kvmini_vm_create(unsigned long flags);
struct kvmini_slot *kvmini_slot_find(struct kvmini_vm *vm, u64 gpa);
int kvmini_read_guest(struct kvmini_vm *vm, u64 gpa, void *buf,
		      unsigned int len);
int kvmini_write_guest(struct kvmini_vm *vm, u64 gpa, const void *buf,
		       unsigned int len);

/* core/gpa_map.c */
u64 kvmini_gpa_limit(void);
int kvmini_gpa_map_init(struct kvmini_vm *vm);
void kvmini_gpa_map_free(struct kvmini_vm *vm);
int kvmini_gpa_vcpu_fault(struct kvmini_vcpu *vcpu, u64 gpa, bool write,
			  bool *is_mmio);
int kvmini_gpa_map_fault(struct kvmini_vm *vm, u64 gpa, bool write,
			 bool *is_mmio);
int kvmini_gpa_copy(struct kvmini_vm *vm, u64 gpa, void *buf,
		    unsigned int len, bool write);
void kvmini_gpa_unmap(struct kvmini_vm *vm, u64 gpa, u64 size, bool dirty);
void kvmini_vm_flush_tlbs(struct kvmini_vm *vm);

/*
 * Called by a backend with interrupts disabled, just before entering:
 * true if mappings were removed since this vCPU last flushed.
 *
 * A removal bumps tlb_gen, then reads every vCPU's entry_cpu and
 * interrupts those CPUs, waiting until each took the IPI (so has left
 * guest mode).  Here entry_cpu is written before tlb_gen is read, with a
 * full barrier between, as the removal has between its bump and its
 * reads: either the removal sees this CPU and waits for this vCPU to
 * leave the guest, or this vCPU sees the new tlb_gen and flushes first.
 */
static inline bool kvmini_tlb_flush_needed(struct kvmini_vcpu *vcpu)
{
	int gen;

	WRITE_ONCE(vcpu->entry_cpu, smp_processor_id());
	/* Pairs with the atomic_inc_return() in kvmini_vm_flush_tlbs(). */
	smp_mb();
	gen = atomic_read(&vcpu->vm->tlb_gen);

	if (gen == vcpu->tlb_gen)
		return false;
	vcpu->tlb_gen = gen;
	return true;
}

/*
 * PKRU is not part of the state fpu_swap_kvm_fpstate() switches (the
 * kernel leaves it to the hypervisor), yet a guest can change it: with
 * CR4.PKE and WRPKRU, or with XRSTOR, as the guest runs with the host's
 * XCR0.  Left alone, the guest's value would reach the VMM process and
 * decide what its protection keys allow.  Backends call these with
 * interrupts off, right around the entry, so no host code (user copies
 * included) runs with the guest's PKRU.  Without OSPKE the host neither
 * uses PKRU nor lets it be read here, and guests are not offered PKU
 * (core/cpuid.c).
 */
static inline void kvmini_load_guest_pkru(struct kvmini_vcpu *vcpu)
{
	if (!cpu_feature_enabled(X86_FEATURE_OSPKE))
		return;
	vcpu->host_pkru = rdpkru();
	if (vcpu->pkru != vcpu->host_pkru)
		wrpkru(vcpu->pkru);
}

static inline void kvmini_load_host_pkru(struct kvmini_vcpu *vcpu)
{
	if (!cpu_feature_enabled(X86_FEATURE_OSPKE))
		return;
	vcpu->pkru = rdpkru();
	if (vcpu->pkru != vcpu->host_pkru)
		wrpkru(vcpu->host_pkru);
}

/*
 * A linear address in an MSR or a descriptor-table or segment base must
 * be canonical for the CPU's linear-address width: 57 bits where the
 * CPU has 5-level paging, whatever the guest's CR4.LA57 says, as WRMSR
 * checks on the CPU (KVM's is_noncanonical_msr_address() does the same).
 * Some of these reach the host's own MSRs on VMX.
 */
static inline bool kvmini_canonical(u64 la)
{
	return __is_canonical_address(la, boot_cpu_has(X86_FEATURE_LA57) ?
					  57 : 48);
}

/*
 * RIP after an instruction of len bytes.  64-bit code wraps at 2^64 (a
 * next RIP of 0 is as good as any); everything else wraps at 2^32, as
 * KVM's skip and emulator do: a 32-bit guest at EIP 0xfffffffe steps
 * to 0, never to 0x100000000, which would fail the next entry.
 */
static inline u64 kvmini_rip_add(u64 rip, unsigned int len, bool long64)
{
	rip += len;
	return long64 ? rip : (u32)rip;
}

/* core/vcpu.c */
long kvmini_vcpu_create(struct kvmini_vm *vm, unsigned long id);

/* core/guest_walk.c */
int kvmini_guest_linear_to_gpa(struct kvmini_vcpu *vcpu,
			       const struct kvmini_sregs *sregs, u64 linear,
			       u64 *gpa);
int kvmini_read_guest_linear(struct kvmini_vcpu *vcpu,
			     const struct kvmini_sregs *sregs, u64 linear,
			     void *buf, int len);
int kvmini_write_guest_linear(struct kvmini_vcpu *vcpu,
			      const struct kvmini_sregs *sregs, u64 linear,
			      const void *buf, int len);

/* core/string_io.c */
int kvmini_handle_string_io(struct kvmini_vcpu *vcpu,
			    struct kvmini_exit *exit);
void kvmini_complete_string_in(struct kvmini_vcpu *vcpu);

/* core/mmio_decode.c */
int kvmini_insn_length(const u8 *insn, int len, bool long64,
		       const u8 *opcode, int oplen);

/* A MOV to or from a control register, or LMSW with a register. */
struct kvmini_cr_op {
	int cr;			/* or the debug register, with dr */
	int gpr;		/* enum kvmini_gpr */
	bool write;		/* to the control register */
	bool lmsw;
	bool dr;		/* MOV to or from a debug register */
};

int kvmini_decode_cr(const u8 *insn, int len, bool long64,
		     struct kvmini_cr_op *op);
int kvmini_mmio_decode(const u8 *insn, int len, bool long64, bool def32,
		       struct kvmini_mmio_op *op);

static inline void kvmini_queue_exception(struct kvmini_vcpu *vcpu,
					  u8 vector, bool has_error,
					  u32 error)
{
	vcpu->event.info = KVMINI_EVENT_VALID | KVMINI_EVENT_TYPE_EXCEPTION |
			   (has_error ? KVMINI_EVENT_HAS_ERROR : 0) | vector;
	vcpu->event.error = error;
	vcpu->event_refaults = false;
}

/*
 * The hardware was delivering an event through the guest's IDT when it
 * exited (to map a page of the IDT or the stack, say): deliver it again.
 * That is an exception, an external interrupt or an NMI; software
 * interrupts and INT3/INTO need nothing: RIP still points at the
 * instruction, which raises them again.
 *
 * injected: the entry injected an event.  If it did not, an exception
 * came from the guest's own instructions, and all but #DB (which can
 * be a trap, after its instruction) and #MC leave RIP on the
 * instruction that raised them, having changed nothing: run again, it
 * raises the exception again (event_refaults).  A #DF too: it comes
 * from such a fault's own delivery.
 */
static inline void kvmini_requeue_event(struct kvmini_vcpu *vcpu, u32 info,
					u32 error, bool injected)
{
	u32 type = info & KVMINI_EVENT_TYPE_MASK;
	u8 vector = info & 0xff;

	vcpu->event_refaults = false;
	if (!(info & KVMINI_EVENT_VALID))
		return;
	if (type == KVMINI_EVENT_TYPE_EXCEPTION ? vector == 3 || vector == 4 :
	    type != KVMINI_EVENT_TYPE_EXTINT && type != KVMINI_EVENT_TYPE_NMI)
		return;
	vcpu->event.info = info & (KVMINI_EVENT_VALID | KVMINI_EVENT_HAS_ERROR |
				   KVMINI_EVENT_TYPE_MASK | 0xff);
	vcpu->event.error = error;
	vcpu->event_refaults = !injected &&
			       type == KVMINI_EVENT_TYPE_EXCEPTION &&
			       vector != X86_TRAP_DB && vector != X86_TRAP_MC;
}

/* core/exception.c */
int kvmini_handle_exception(struct kvmini_vcpu *vcpu,
			    struct kvmini_exit *exit);

/*
 * A machine check hit while the guest ran and the exit took it: the
 * host's handler must run, on this CPU and with interrupts still off,
 * as if the check had hit user code (KVM's kvm_machine_check()).
 */
static inline void kvmini_machine_check(void)
{
	struct pt_regs regs = {
		.cs = 3,	/* user mode: whatever the guest ran at */
		.flags = X86_EFLAGS_IF,
	};

	if (IS_ENABLED(CONFIG_X86_MCE))
		do_machine_check(&regs);
}

/* core/xsave.c */
extern u64 kvmini_host_xcr0;
void kvmini_xsave_setup(void);
u64 kvmini_guest_xcr0_allowed(void);
u64 kvmini_guest_xcr0_reset(void);
u32 kvmini_xsave_size(u64 xcr0);
int kvmini_handle_xsetbv(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit);

/*
 * Backends call these with interrupts off, right around the entry.  The
 * guest's XCR0 matters only while its CR4.OSXSAVE is set (XGETBV and
 * XSAVE #UD otherwise), so a guest that never set it pays nothing.
 */
static inline void kvmini_load_guest_xcr0(struct kvmini_vcpu *vcpu,
					  unsigned long guest_cr4)
{
	if ((guest_cr4 & X86_CR4_OSXSAVE) && vcpu->xcr0 != kvmini_host_xcr0) {
		xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
		vcpu->xcr0_loaded = true;
	}
}

/*
 * Read back rather than trusted: whatever the guest ran (an XSETBV a
 * CPU or emulator failed to intercept included), the host's XCR0 is in
 * place before any host code runs.  A value the entry did not leave
 * there is one the guest set without an exit (QEMU's SVM has no XSETBV
 * intercept): it is the guest's XCR0 from now on, or the next entry
 * would hand the guest another one, and its XSAVEs would write state
 * its own buffers have no room for.
 */
static inline void kvmini_load_host_xcr0(struct kvmini_vcpu *vcpu)
{
	u64 xcr0;

	if (!kvmini_host_xcr0)
		return;
	xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	if (xcr0 != (vcpu->xcr0_loaded ? vcpu->xcr0 : kvmini_host_xcr0))
		vcpu->xcr0 = xcr0;
	if (xcr0 != kvmini_host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, kvmini_host_xcr0);
	vcpu->xcr0_loaded = false;
}

/* core/debugreg.c */
int kvmini_handle_dr_access(struct kvmini_vcpu *vcpu,
			    struct kvmini_exit *exit);
void kvmini_dr_reset(struct kvmini_vcpu *vcpu);
void kvmini_dr6_note_debug(struct kvmini_vcpu *vcpu, u32 dr6_bits);

/* core/cr.c */
int kvmini_handle_cr0_write(struct kvmini_vcpu *vcpu,
			    struct kvmini_exit *exit);
int kvmini_handle_cr4_write(struct kvmini_vcpu *vcpu,
			    struct kvmini_exit *exit);
u64 kvmini_cr4_valid_bits(void);
bool kvmini_sregs_valid(const struct kvmini_sregs *sregs);

/* core/msr.c */
void kvmini_inject_gp(struct kvmini_vcpu *vcpu);
void kvmini_msr_reset(struct kvmini_vcpu *vcpu);
void kvmini_handle_msr(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit);

/* core/cpuid.c */
void kvmini_handle_cpuid(struct kvmini_vcpu *vcpu);
long kvmini_vm_set_cpuid(struct kvmini_vm *vm, void __user *argp);

/* core/mmio.c */
void kvmini_code_mode(const struct kvmini_sregs *sregs, bool *long64,
		      bool *def32);
int kvmini_read_insn(struct kvmini_vcpu *vcpu, struct kvmini_regs *regs,
		     struct kvmini_sregs *sregs, u8 *insn, int len);
int kvmini_fetch_insn(struct kvmini_vcpu *vcpu);
int kvmini_handle_mmio(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit);

/* core/events.c */
long kvmini_vcpu_queue_interrupt(struct kvmini_vcpu *vcpu, void __user *argp);
long kvmini_vcpu_queue_nmi(struct kvmini_vcpu *vcpu, unsigned long arg);
bool kvmini_ready_for_interrupt(struct kvmini_vcpu *vcpu);
void kvmini_inject_events(struct kvmini_vcpu *vcpu, bool userspace_window);
bool kvmini_wakes_from_hlt(struct kvmini_vcpu *vcpu);
long kvmini_vcpu_get_events(struct kvmini_vcpu *vcpu, void __user *argp);
long kvmini_vcpu_set_events(struct kvmini_vcpu *vcpu, void __user *argp);

/* core/run.c */
int kvmini_vcpu_run(struct kvmini_vcpu *vcpu);
void *kvmini_run_io_data(struct kvmini_vcpu *vcpu);
void kvmini_gpr_write(unsigned long *r, u64 data, int size, bool high_byte);

/* core/fastpath.c, fastpath/console.c */
void kvmini_fastpath_init(struct kvmini_vm *vm);
void kvmini_fastpath_free(struct kvmini_vm *vm);
long kvmini_vm_attach_port(struct kvmini_vm *vm, void __user *argp);
long kvmini_vm_detach_port(struct kvmini_vm *vm, void __user *argp);
int kvmini_fastpath_io(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit);
void kvmini_console_flush(struct kvmini_vcpu *vcpu);
long kvmini_vcpu_read_console(struct kvmini_vcpu *vcpu, void __user *argp);

/* Caller must be the process that created the object (EIO otherwise). */
static inline bool kvmini_owner_ok(struct kvmini_vm *vm)
{
	return current->mm == vm->mm;
}

#endif /* KVMINI_CORE_H */
