// SPDX-License-Identifier: GPL-2.0
/*
 * vm.c - the VM object: its fd, its memory slots, and vCPU creation.
 *
 * A VM lives until its fd is closed and every vCPU is gone: each vCPU
 * holds a reference.  Slots only describe memory; pages are pinned when
 * the guest first touches them (core/gpa_map.c).
 *
 * Next: core/vcpu.c.
 */
#include <linux/anon_inodes.h>
#include <linux/smp.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../kvmini_vendor.h"
#include "../kvmini_stats.h"

/* Names VMs in debugfs and in stats ids. */
static atomic_t kvmini_vm_ids = ATOMIC_INIT(0);

/*
 * Why the module cannot go while this runs, and why a VM takes no
 * module reference of its own:
 *
 * Every VM reference is held by an open file whose file_operations name
 * THIS_MODULE as owner: the VM fd, each vCPU fd (vcpu->vm), each VM
 * stats fd (a vCPU stats fd holds its vCPU's file).  The VFS takes a
 * module reference when it creates such a file and drops it in __fput()
 * only after ->release() has returned.  So the last kvmini_vm_put()
 * runs inside a ->release() of one of them, or inside an ioctl on one of
 * them or on /dev/kvmini (an error path), and the caller's file keeps
 * the module's text alive until this function and its callers have
 * returned.  Debugfs files hold no VM reference: they are removed here,
 * and removal waits for their readers; their own fops are owned too.
 * Nothing is left behind to run later: no timers, no work items, and
 * kfree_rcu() calls no module code.
 *
 * The module_put() that ended this function before dropped a reference
 * taken at creation, possibly the last one, while the code that called
 * it still had to return through the module.
 */
static void kvmini_vm_release_ref(struct kref *ref)
{
	struct kvmini_vm *vm = container_of(ref, struct kvmini_vm, ref);

	kvmini_vm_debugfs_remove(vm);
	kvmini_fastpath_free(vm);
	kvmini_gpa_map_free(vm);
	mmdrop(vm->mm);
	kfree(vm);
	kvmini_virt_put();
}

void kvmini_vm_put(struct kvmini_vm *vm)
{
	kref_put(&vm->ref, kvmini_vm_release_ref);
}

/* The slot that contains gpa, or NULL.  Caller holds slots_lock. */
struct kvmini_slot *kvmini_slot_find(struct kvmini_vm *vm, u64 gpa)
{
	int i;

	for (i = 0; i < KVMINI_MAX_MEM_SLOTS; i++) {
		struct kvmini_slot *s = &vm->slots[i];

		if (s->size && gpa >= s->gpa && gpa - s->gpa < s->size)
			return s;
	}
	return NULL;
}

/*
 * Copy to or from guest-physical memory, a page at a time, through the
 * pages kvmini pinned for the guest (kvmini_gpa_copy()).  Writes to
 * read-only slots fail like writes outside every slot: -EFAULT.
 */
static int guest_copy(struct kvmini_vm *vm, u64 gpa, void *buf,
		      unsigned int len, bool write)
{
	while (len) {
		unsigned int n = min_t(u64, len, PAGE_SIZE - offset_in_page(gpa));
		int r = kvmini_gpa_copy(vm, gpa, buf, n, write);

		if (r)
			return r;
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

int kvmini_read_guest(struct kvmini_vm *vm, u64 gpa, void *buf,
		      unsigned int len)
{
	return guest_copy(vm, gpa, buf, len, false);
}

int kvmini_write_guest(struct kvmini_vm *vm, u64 gpa, const void *buf,
		       unsigned int len)
{
	return guest_copy(vm, gpa, (void *)buf, len, true);
}

static void kvmini_kicked(void *unused)
{
}

/*
 * Every vCPU drops cached guest-physical translations before re-entry:
 * only the CPUs this VM's vCPUs entered on need the IPI that throws a
 * vCPU out of guest mode (kvmini_tlb_flush_needed() says why that is
 * enough).  Waiting for the IPI waits for the exit.
 */
void kvmini_vm_flush_tlbs(struct kvmini_vm *vm)
{
	cpumask_var_t cpus;
	int i, cpu;

	atomic_inc_return(&vm->tlb_gen);	/* a full barrier */
	if (!zalloc_cpumask_var(&cpus, GFP_KERNEL)) {
		kick_all_cpus_sync();
		return;
	}
	mutex_lock(&vm->vcpus_lock);
	for (i = 0; i < KVMINI_MAX_VCPUS; i++) {
		if (!vm->vcpus[i])
			continue;
		cpu = READ_ONCE(vm->vcpus[i]->entry_cpu);
		if (cpu >= 0)
			cpumask_set_cpu(cpu, cpus);
	}
	mutex_unlock(&vm->vcpus_lock);
	on_each_cpu_mask(cpus, kvmini_kicked, NULL, true);
	free_cpumask_var(cpus);
}

static bool kvmini_slot_overlaps(struct kvmini_vm *vm, u64 gpa, u64 size)
{
	int i;

	for (i = 0; i < KVMINI_MAX_MEM_SLOTS; i++) {
		struct kvmini_slot *s = &vm->slots[i];

		if (s->size && gpa < s->gpa + s->size && s->gpa < gpa + size)
			return true;
	}
	return false;
}

static int kvmini_slot_check(const struct kvmini_memory_slot *m)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(m->reserved); i++)
		if (m->reserved[i])
			return -EINVAL;
	if (m->slot >= KVMINI_MAX_MEM_SLOTS)
		return -EINVAL;
	if (m->flags & ~KVMINI_MEM_FLAGS)
		return -EINVAL;
	if (!PAGE_ALIGNED(m->guest_phys_addr) ||
	    !PAGE_ALIGNED(m->memory_size) ||
	    !PAGE_ALIGNED(m->userspace_addr))
		return -EINVAL;
	/* Neither range may wrap; the guest's must fit the EPT/NPT table. */
	if (m->guest_phys_addr + m->memory_size < m->guest_phys_addr ||
	    m->guest_phys_addr + m->memory_size > kvmini_gpa_limit() ||
	    m->userspace_addr + m->memory_size < m->userspace_addr)
		return -EINVAL;
	if (m->memory_size &&
	    !access_ok((void __user *)(unsigned long)m->userspace_addr,
		       m->memory_size))
		return -EFAULT;
	return 0;
}

static long kvmini_vm_set_slot(struct kvmini_vm *vm, void __user *argp)
{
	struct kvmini_memory_slot m;
	struct kvmini_slot *s;
	int r;

	if (copy_from_user(&m, argp, sizeof(m)))
		return -EFAULT;
	r = kvmini_slot_check(&m);
	if (r)
		return r;

	mutex_lock(&vm->slots_lock);
	s = &vm->slots[m.slot];
	if (!m.memory_size) {
		r = s->size ? 0 : -ENOENT;
		if (s->size) {
			struct kvmini_slot gone = *s;

			s->size = 0;
			/* Pins taken meanwhile must not be mapped. */
			WRITE_ONCE(vm->slots_gen, vm->slots_gen + 1);
			kvmini_gpa_unmap(vm, gone.gpa, gone.size,
					 !(gone.flags & KVMINI_MEM_READONLY));
		}
	} else if (s->size ||
		   kvmini_slot_overlaps(vm, m.guest_phys_addr, m.memory_size)) {
		r = -EEXIST;
	} else {
		s->gpa = m.guest_phys_addr;
		s->uaddr = m.userspace_addr;
		s->flags = m.flags;
		s->size = m.memory_size;
		/* An address that was MMIO may be memory now. */
		WRITE_ONCE(vm->slots_gen, vm->slots_gen + 1);
	}
	mutex_unlock(&vm->slots_lock);
	return r;
}

static long kvmini_vm_ioctl(struct file *filp, unsigned int cmd,
			    unsigned long arg)
{
	struct kvmini_vm *vm = filp->private_data;

	if (!kvmini_owner_ok(vm))
		return -EIO;

	switch (cmd) {
	case KVMINI_SET_MEMORY_SLOT:
		return kvmini_vm_set_slot(vm, (void __user *)arg);
	case KVMINI_CREATE_VCPU:
		return kvmini_vcpu_create(vm, arg);
	case KVMINI_SET_CPUID:
		return kvmini_vm_set_cpuid(vm, (void __user *)arg);
	case KVMINI_ATTACH_PORT_HANDLER:
		return kvmini_vm_attach_port(vm, (void __user *)arg);
	case KVMINI_DETACH_PORT_HANDLER:
		return kvmini_vm_detach_port(vm, (void __user *)arg);
	case KVMINI_GET_STATS_FD:
		return arg ? -EINVAL : kvmini_vm_stats_fd(vm);
	default:
		return -ENOTTY;
	}
}

static int kvmini_vm_release(struct inode *inode, struct file *filp)
{
	kvmini_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations kvmini_vm_fops = {
	.owner		= THIS_MODULE,
	.release	= kvmini_vm_release,
	.unlocked_ioctl	= kvmini_vm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

long kvmini_vm_create(unsigned long flags)
{
	struct kvmini_vm *vm;
	int r;

	if (flags & ~KVMINI_VM_FLAGS)
		return -EINVAL;
	r = kvmini_virt_get();
	if (r)
		return r;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm) {
		kvmini_virt_put();
		return -ENOMEM;
	}
	kref_init(&vm->ref);
	vm->flags = flags;
	mutex_init(&vm->slots_lock);
	mutex_init(&vm->gpa_lock);
	mutex_init(&vm->vcpus_lock);
	mutex_init(&vm->cpuid_lock);
	vm->cpuid_gen = 1;		/* 0 marks unused cache slots */
	kvmini_fastpath_init(vm);
	vm->id = atomic_inc_return(&kvmini_vm_ids);
	vm->mm = current->mm;
	mmgrab(vm->mm);

	r = kvmini_gpa_map_init(vm);
	if (r)
		goto out_free;

	/* The files holding the VM pin the module (kvmini_vm_release_ref()). */
	kvmini_vm_debugfs_create(vm);
	r = anon_inode_getfd("kvmini-vm", &kvmini_vm_fops, vm,
			     O_RDWR | O_CLOEXEC);
	if (r < 0)
		kvmini_vm_put(vm);
	return r;

out_free:
	mmdrop(vm->mm);
	kfree(vm);
	kvmini_virt_put();
	return r;
}
