// SPDX-License-Identifier: GPL-2.0
/*
 * vcpu.c - the vCPU object: its fd, its run page and its register ioctls.
 *
 * Every vCPU ioctl runs between vcpu_load() and vcpu_put(), like KVM's:
 * while the thread is on a CPU the backend's per-CPU state (the current
 * VMCS on VMX) belongs to this vCPU, and preempt notifiers move it when
 * the scheduler moves the thread.  Userspace state that the backend never
 * sees is validated here, so a backend only gets well-formed requests.
 *
 * Next: core/run.c, the RUN ioctl.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/version.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/processor-flags.h>

#include "../kvmini_vendor.h"
#include "../kvmini_stats.h"

/* RFLAGS bits a guest may hold; bit 1 must be set. */
#define RFLAGS_VALID	(X86_EFLAGS_CF | X86_EFLAGS_FIXED | X86_EFLAGS_PF | \
			 X86_EFLAGS_AF | X86_EFLAGS_ZF | X86_EFLAGS_SF | \
			 X86_EFLAGS_TF | X86_EFLAGS_IF | X86_EFLAGS_DF | \
			 X86_EFLAGS_OF | X86_EFLAGS_IOPL | X86_EFLAGS_NT | \
			 X86_EFLAGS_RF | X86_EFLAGS_VM | X86_EFLAGS_AC | \
			 X86_EFLAGS_VIF | X86_EFLAGS_VIP | X86_EFLAGS_ID)
/* EFER bits a guest may hold. */
#define EFER_VALID	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

static struct kvmini_vcpu *preempt_to_vcpu(struct preempt_notifier *pn)
{
	return container_of(pn, struct kvmini_vcpu, preempt_notifier);
}

/*
 * The last VM whose vCPU ran on each CPU.  Another VM's guest must not
 * inherit its branch predictions: an IBPB (where the host uses IBPB at
 * all) when a CPU switches between VMs.  VM ids are never reused.
 */
static DEFINE_PER_CPU(u32, last_vm_id);

static void vcpu_switch_to(struct kvmini_vcpu *vcpu, int cpu)
{
	if (per_cpu(last_vm_id, cpu) != vcpu->vm->id) {
		per_cpu(last_vm_id, cpu) = vcpu->vm->id;
		indirect_branch_prediction_barrier();
	}
	/* Whatever ran here before may have left data in L1D. */
	vcpu->l1d_flush_needed = true;
	kvmini_vendor->vcpu_load(vcpu, cpu);
}

static void kvmini_sched_in(struct preempt_notifier *pn, int cpu)
{
	vcpu_switch_to(preempt_to_vcpu(pn), cpu);
}

static void kvmini_sched_out(struct preempt_notifier *pn,
			     struct task_struct *next)
{
	kvmini_vendor->vcpu_put(preempt_to_vcpu(pn));
}

static struct preempt_ops kvmini_preempt_ops = {
	.sched_in	= kvmini_sched_in,
	.sched_out	= kvmini_sched_out,
};

static void vcpu_load(struct kvmini_vcpu *vcpu)
{
	int cpu = get_cpu();

	preempt_notifier_register(&vcpu->preempt_notifier);
	vcpu_switch_to(vcpu, cpu);
	put_cpu();
}

static void vcpu_put(struct kvmini_vcpu *vcpu)
{
	preempt_disable();
	kvmini_vendor->vcpu_put(vcpu);
	preempt_notifier_unregister(&vcpu->preempt_notifier);
	preempt_enable();
}

static bool reserved_zero(const u64 *r, int n)
{
	while (n--)
		if (r[n])
			return false;
	return true;
}

static long vcpu_get_regs(struct kvmini_vcpu *vcpu, void __user *argp)
{
	struct kvmini_regs regs = {};

	kvmini_vendor->get_regs(vcpu, &regs);
	return copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
}

static long vcpu_set_regs(struct kvmini_vcpu *vcpu, void __user *argp)
{
	struct kvmini_regs regs;

	if (copy_from_user(&regs, argp, sizeof(regs)))
		return -EFAULT;
	if (!reserved_zero(regs.reserved, ARRAY_SIZE(regs.reserved)))
		return -EINVAL;
	if ((regs.rflags & ~RFLAGS_VALID) || !(regs.rflags & X86_EFLAGS_FIXED))
		return -EINVAL;
	kvmini_vendor->set_regs(vcpu, &regs);
	return 0;
}

static long vcpu_get_sregs(struct kvmini_vcpu *vcpu, void __user *argp)
{
	struct kvmini_sregs sregs = {};

	kvmini_vendor->get_sregs(vcpu, &sregs);
	return copy_to_user(argp, &sregs, sizeof(sregs)) ? -EFAULT : 0;
}

static bool segment_ok(const struct kvmini_segment *s)
{
	return !s->padding && s->type < 16 && s->dpl < 4 && s->present < 2 &&
	       s->db < 2 && s->s < 2 && s->l < 2 && s->g < 2 && s->avl < 2 &&
	       s->unusable < 2;
}

/*
 * TR must be a present busy TSS (32-bit in long mode) and LDTR, when
 * usable, an LDT: VMX's entry checks want it, and SVM, which checks
 * nothing, would hand the guest state an emulator may not survive (QEMU
 * aborts at the next stack switch through a TR that is no TSS).
 */
static bool system_segments_ok(const struct kvmini_sregs *sregs)
{
	const struct kvmini_segment *tr = &sregs->tr, *ldt = &sregs->ldt;

	if (tr->unusable || !tr->present || tr->s ||
	    (tr->type != 11 && (tr->type != 3 || (sregs->efer & EFER_LMA))))
		return false;
	return ldt->unusable || (ldt->present && !ldt->s && ldt->type == 2);
}

static long vcpu_set_sregs(struct kvmini_vcpu *vcpu, void __user *argp)
{
	const struct kvmini_segment *seg;
	struct kvmini_sregs sregs;
	long r;

	if (copy_from_user(&sregs, argp, sizeof(sregs)))
		return -EFAULT;
	if (!reserved_zero(sregs.reserved, ARRAY_SIZE(sregs.reserved)))
		return -EINVAL;
	for (seg = &sregs.cs; seg <= &sregs.ldt; seg++)
		if (!segment_ok(seg))
			return -EINVAL;
	if (sregs.gdt.padding[0] | sregs.gdt.padding[1] | sregs.gdt.padding[2] |
	    sregs.idt.padding[0] | sregs.idt.padding[1] | sregs.idt.padding[2])
		return -EINVAL;
	if (sregs.efer & ~EFER_VALID)
		return -EINVAL;
	if (!system_segments_ok(&sregs) || !kvmini_sregs_valid(&sregs))
		return -EINVAL;
	r = kvmini_vendor->set_sregs(vcpu, &sregs);
	/*
	 * An exception kvmini queued (a #GP from an MSR, one whose delivery
	 * an exit interrupted) has an error code only in protected mode:
	 * if userspace left it, drop the code, as KVM does at injection.
	 * VMX refuses the entry otherwise, and refused every later one.
	 */
	if (!r && !(sregs.cr0 & X86_CR0_PE))
		vcpu->event.info &= ~KVMINI_EVENT_HAS_ERROR;
	return r;
}

static long kvmini_vcpu_ioctl(struct file *filp, unsigned int cmd,
			      unsigned long arg)
{
	struct kvmini_vcpu *vcpu = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	if (!kvmini_owner_ok(vcpu->vm))
		return -EIO;

	/* Neither needs the vCPU loaded, nor waits for a running RUN. */
	if (cmd == KVMINI_GET_STATS_FD)
		return arg ? -EINVAL : kvmini_vcpu_stats_fd(vcpu, filp);

	switch (cmd) {
	case KVMINI_RUN:
	case KVMINI_READ_CONSOLE:
	case KVMINI_INTERRUPT:
	case KVMINI_NMI:
	case KVMINI_GET_REGS:
	case KVMINI_SET_REGS:
	case KVMINI_GET_SREGS:
	case KVMINI_SET_SREGS:
	case KVMINI_GET_VCPU_EVENTS:
	case KVMINI_SET_VCPU_EVENTS:
		break;
	default:
		return -ENOTTY;
	}

	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	vcpu_load(vcpu);
	switch (cmd) {
	case KVMINI_RUN:
		r = arg ? -EINVAL : kvmini_vcpu_run(vcpu);
		break;
	case KVMINI_GET_REGS:
		r = vcpu_get_regs(vcpu, argp);
		break;
	case KVMINI_SET_REGS:
		r = vcpu_set_regs(vcpu, argp);
		break;
	case KVMINI_GET_SREGS:
		r = vcpu_get_sregs(vcpu, argp);
		break;
	case KVMINI_READ_CONSOLE:
		r = kvmini_vcpu_read_console(vcpu, argp);
		break;
	case KVMINI_INTERRUPT:
		r = kvmini_vcpu_queue_interrupt(vcpu, argp);
		break;
	case KVMINI_NMI:
		r = kvmini_vcpu_queue_nmi(vcpu, arg);
		break;
	case KVMINI_GET_VCPU_EVENTS:
		r = kvmini_vcpu_get_events(vcpu, argp);
		break;
	case KVMINI_SET_VCPU_EVENTS:
		r = kvmini_vcpu_set_events(vcpu, argp);
		break;
	default:
		r = vcpu_set_sregs(vcpu, argp);
		break;
	}
	vcpu_put(vcpu);
	mutex_unlock(&vcpu->mutex);
	return r;
}

/* The run page is the only thing the vCPU fd maps, at offset 0. */
static vm_fault_t kvmini_run_page_fault(struct vm_fault *vmf)
{
	struct kvmini_vcpu *vcpu = vmf->vma->vm_file->private_data;

	if (vmf->pgoff != 0)
		return VM_FAULT_SIGBUS;
	get_page(vcpu->run_page);
	vmf->page = vcpu->run_page;
	return 0;
}

static const struct vm_operations_struct kvmini_run_vm_ops = {
	.fault = kvmini_run_page_fault,
};

static int kvmini_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct kvmini_vcpu *vcpu = filp->private_data;

	if (!kvmini_owner_ok(vcpu->vm))
		return -EIO;
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start > PAGE_SIZE)
		return -EINVAL;
	/*
	 * One page for good.  Otherwise the mm merges a later mapping of
	 * this file at offset 1 into this one without asking us, and
	 * mremap() grows it: pages the fault handler cannot serve (SIGBUS),
	 * mapped past the check above.
	 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, VM_DONTEXPAND);
#else
	vma->vm_flags |= VM_DONTEXPAND;
#endif
	vma->vm_ops = &kvmini_run_vm_ops;
	return 0;
}

static void kvmini_vcpu_destroy(struct kvmini_vcpu *vcpu)
{
	struct kvmini_vm *vm = vcpu->vm;

	mutex_lock(&vm->vcpus_lock);
	vm->vcpus[vcpu->id] = NULL;
	mutex_unlock(&vm->vcpus_lock);

	kvmini_vendor->vcpu_free(vcpu);
	fpu_free_guest_fpstate(&vcpu->guest_fpu);
	kvmini_vcpu_stats_free(vcpu->stats);
	__free_page(vcpu->run_page);
	kfree(vcpu);
	kvmini_vm_put(vm);
}

static int kvmini_vcpu_release(struct inode *inode, struct file *filp)
{
	kvmini_vcpu_destroy(filp->private_data);
	return 0;
}

static const struct file_operations kvmini_vcpu_fops = {
	.owner		= THIS_MODULE,
	.release	= kvmini_vcpu_release,
	.unlocked_ioctl	= kvmini_vcpu_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= kvmini_vcpu_mmap,
	.llseek		= noop_llseek,
};

long kvmini_vcpu_create(struct kvmini_vm *vm, unsigned long id)
{
	struct kvmini_vcpu *vcpu;
	int r;

	if (id >= KVMINI_MAX_VCPUS)
		return -EINVAL;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->last_cpu = -1;
	vcpu->entry_cpu = -1;
	vcpu->mmio_page = 1;		/* no page is known MMIO yet */
	kvmini_msr_reset(vcpu);
	kvmini_dr_reset(vcpu);
	vcpu->xcr0 = kvmini_guest_xcr0_reset();
	mutex_init(&vcpu->mutex);
	preempt_notifier_init(&vcpu->preempt_notifier, &kvmini_preempt_ops);

	r = -ENOMEM;
	vcpu->run_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vcpu->run_page)
		goto out_free_vcpu;
	vcpu->run = page_address(vcpu->run_page);
	vcpu->stats = kvmini_vcpu_stats_alloc();
	if (!vcpu->stats)
		goto out_free_run;
	if (!fpu_alloc_guest_fpstate(&vcpu->guest_fpu))
		goto out_free_stats;
	r = kvmini_vendor->vcpu_create(vcpu);
	if (r)
		goto out_free_fpu;

	mutex_lock(&vm->vcpus_lock);
	if (vm->vcpus[id]) {
		mutex_unlock(&vm->vcpus_lock);
		r = -EEXIST;
		goto out_free_vendor;
	}
	vm->vcpus[id] = vcpu;
	kref_get(&vm->ref);
	mutex_unlock(&vm->vcpus_lock);

	r = anon_inode_getfd("kvmini-vcpu", &kvmini_vcpu_fops, vcpu,
			     O_RDWR | O_CLOEXEC);
	if (r < 0)
		kvmini_vcpu_destroy(vcpu);
	return r;

out_free_vendor:
	kvmini_vendor->vcpu_free(vcpu);
out_free_fpu:
	fpu_free_guest_fpstate(&vcpu->guest_fpu);
out_free_stats:
	kvmini_vcpu_stats_free(vcpu->stats);
out_free_run:
	__free_page(vcpu->run_page);
out_free_vcpu:
	kfree(vcpu);
	return r;
}
