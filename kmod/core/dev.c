// SPDX-License-Identifier: GPL-2.0
/*
 * dev.c - the device and the module's lifetime.
 *
 * At load we pick the vendor backend and register the misc device
 * /dev/kvmini.  VMX/SVM is turned on in
 * every online CPU when the first VM is created, through a CPU hotplug
 * state (so CPUs that come and go meanwhile are handled the same way),
 * and off again when the last VM is gone: kvmini and KVM can take turns
 * without unloading each other.  rmmod cannot happen while any kvmini
 * fd is open: each one's file_operations are owned by the module
 * (core/vm.c says why that is enough).
 *
 * Next: core/vm.c, what KVMINI_CREATE_VM returns.
 */
#define pr_fmt(fmt) "kvmini: " fmt

#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/fs.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/preempt.h>
#include <asm/processor.h>
#include <asm/reboot.h>

#include "../kvmini_vendor.h"
#include "../kvmini_stats.h"

const struct kvmini_vendor_ops *kvmini_vendor;

/*
 * VMX/SVM is on in every CPU while there are VMs.  kvmini_virt_on
 * changes under kvmini_virt_lock and cpus_read_lock(), so a CPU coming
 * online (kvmini_cpu_online(), under the hotplug lock) sees it settled.
 */
static DEFINE_MUTEX(kvmini_virt_lock);
static unsigned int kvmini_virt_users;		/* (kvmini_virt_lock) */
static bool kvmini_virt_on;
static enum cpuhp_state kvmini_cpuhp_state;

static long kvmini_check_cap(unsigned long cap)
{
	switch (cap) {
	case KVMINI_CAP_VENDOR:
		return kvmini_vendor->vendor;
	case KVMINI_CAP_MAX_VCPUS:
		return KVMINI_MAX_VCPUS;
	case KVMINI_CAP_MAX_SLOTS:
		return KVMINI_MAX_MEM_SLOTS;
	case KVMINI_CAP_READONLY_MEM:
	case KVMINI_CAP_HYPERCALLS:
	case KVMINI_CAP_STATS_FD:
	case KVMINI_CAP_INTERRUPTS:
		return 1;
	case KVMINI_CAP_PORT_HANDLERS:
		return KVMINI_MAX_PORT_HANDLERS;
	default:
		/* New userspace probing an older module. */
		return 0;
	}
}

static long kvmini_dev_ioctl(struct file *filp, unsigned int cmd,
			     unsigned long arg)
{
	switch (cmd) {
	case KVMINI_GET_API_VERSION:
		return arg ? -EINVAL : KVMINI_API_VERSION;
	case KVMINI_CHECK_CAP:
		return kvmini_check_cap(arg);
	case KVMINI_CREATE_VM:
		return kvmini_vm_create(arg);
	case KVMINI_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : PAGE_SIZE;
	default:
		return -ENOTTY;
	}
}

static const struct file_operations kvmini_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= kvmini_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

/*
 * A fixed minor from the range devices.txt reserves for local use, so
 * the node can exist before the module is loaded (the devname alias
 * below, as /dev/kvm has), and opening it loads the module.
 */
#define KVMINI_MINOR	243

static struct miscdevice kvmini_miscdev = {
	.minor	= KVMINI_MINOR,
	.name	= "kvmini",
	.fops	= &kvmini_dev_fops,
	.mode	= 0600,
};

static void kvmini_report_enable_error(unsigned int cpu, int r)
{
	pr_err_ratelimited("cannot enable %s on CPU %u (%d)%s\n",
			   kvmini_vendor->name, cpu, r,
			   r == -EBUSY ?
			   ": in use by another hypervisor (kvm?)" : "");
}

/* A CPU comes online: on with the others if there are VMs. */
static int kvmini_cpu_online(unsigned int cpu)
{
	int r;

	if (!kvmini_virt_on)
		return 0;
	r = kvmini_vendor->cpu_prepare(cpu);
	if (!r)
		r = kvmini_vendor->cpu_enable();
	if (r)
		kvmini_report_enable_error(cpu, r);
	return r;
}

static int kvmini_cpu_offline(unsigned int cpu)
{
	if (kvmini_virt_on)
		kvmini_vendor->cpu_disable();
	return 0;
}

/* error: the first CPU's errno, as the hotplug core would return it. */
static void kvmini_cpu_enable_ipi(void *error)
{
	int r = kvmini_vendor->cpu_enable();

	if (r) {
		atomic_cmpxchg(error, 0, r);
		kvmini_report_enable_error(smp_processor_id(), r);
	}
}

static void kvmini_cpu_disable_ipi(void *unused)
{
	kvmini_vendor->cpu_disable();
}

/*
 * On or off in every online CPU at once, by IPI: cheaper than adding and
 * removing a hotplug state, whose callbacks run in each CPU's hotplug
 * thread (a VM creation paid about 40 million instructions for it under
 * Bochs).  The per-CPU pages are allocated first, where sleeping is fine.
 */
static int kvmini_virt_enable_all(void)
{
	atomic_t error = ATOMIC_INIT(0);
	unsigned int cpu;
	int r = 0;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		r = kvmini_vendor->cpu_prepare(cpu);
		if (r)
			goto out;
	}
	on_each_cpu(kvmini_cpu_enable_ipi, &error, 1);
	r = atomic_read(&error);
	if (r) {
		/* cpu_disable leaves alone a CPU it did not turn on. */
		on_each_cpu(kvmini_cpu_disable_ipi, NULL, 1);
	} else {
		kvmini_virt_on = true;
	}
out:
	cpus_read_unlock();
	return r;
}

static void kvmini_virt_disable_all(void)
{
	cpus_read_lock();
	kvmini_virt_on = false;
	on_each_cpu(kvmini_cpu_disable_ipi, NULL, 1);
	cpus_read_unlock();
}

/*
 * A crash or reboot must leave VMX/SVM, or the next kernel may not come
 * up (INIT is blocked in VMX root operation).  The kernel keeps one
 * emergency callback for that, and KVM takes it too (6.1 from load, 6.12
 * while it holds the hardware), warning if it is taken already.  So
 * kvmini takes it only while it has VMs and KVM is not loaded; with KVM
 * loaded, KVM's callback turns VMX/SVM off on every CPU whoever turned
 * it on.
 */
static bool kvmini_emergency_registered;	/* (kvmini_virt_lock) */

static bool kvm_loaded(void)
{
	void *sym = __symbol_get("kvm_rebooting");

	if (!sym)
		return false;
	__symbol_put("kvm_rebooting");
	return true;
}

/*
 * Called by every VM creation: turn VMX/SVM on in every CPU for the
 * first.  -EBUSY while another hypervisor holds it (the kernel log names
 * the CPU); nothing is left on then (kvmini_virt_enable_all()).
 */
int kvmini_virt_get(void)
{
	int r = 0;

	mutex_lock(&kvmini_virt_lock);
	if (!kvmini_virt_users) {
		kvmini_emergency_registered = !kvm_loaded();
		if (kvmini_emergency_registered)
			cpu_emergency_register_virt_callback(kvmini_vendor->cpu_disable);
		r = kvmini_virt_enable_all();
		if (r && kvmini_emergency_registered)
			cpu_emergency_unregister_virt_callback(kvmini_vendor->cpu_disable);
	}
	if (!r)
		kvmini_virt_users++;
	mutex_unlock(&kvmini_virt_lock);
	return r;
}

/* Called when a VM is freed: the last one turns VMX/SVM off again. */
void kvmini_virt_put(void)
{
	mutex_lock(&kvmini_virt_lock);
	if (!--kvmini_virt_users) {
		kvmini_virt_disable_all();
		if (kvmini_emergency_registered)
			cpu_emergency_unregister_virt_callback(kvmini_vendor->cpu_disable);
	}
	mutex_unlock(&kvmini_virt_lock);
}

/*
 * Which of the host's speculation defences the entry path applies: they
 * follow the host's own choices (mitigations=, spectre_v2=, l1tf=...),
 * patched in by the kernel's alternatives.
 */
static void __init kvmini_report_mitigations(void)
{
	bool verw = boot_cpu_has(kvmini_vendor->vendor == KVMINI_VENDOR_VMX ?
				 X86_FEATURE_CLEAR_CPU_BUF :
				 X86_FEATURE_CLEAR_CPU_BUF_VM);

	pr_info("entry path: VERW %s, RSB refill %s, legacy IBRS %s, IBPB between VMs %s\n",
		verw ? "on" : "off",
		boot_cpu_has(X86_FEATURE_RSB_VMEXIT) ? "on" :
		boot_cpu_has(X86_FEATURE_RSB_VMEXIT_LITE) ? "lite" : "off",
		boot_cpu_has(X86_FEATURE_KERNEL_IBRS) ? "on" : "off",
		boot_cpu_has(X86_FEATURE_USE_IBPB) ? "on" : "off");
}

static int __init kvmini_pick_vendor(void)
{
	if (boot_cpu_has(X86_FEATURE_VMX)) {
		kvmini_vendor = &kvmini_vmx_ops;
	} else if (boot_cpu_has(X86_FEATURE_SVM)) {
		kvmini_vendor = &kvmini_svm_ops;
	} else {
		pr_err("this CPU has neither VMX nor SVM\n");
		return -ENODEV;
	}
	return kvmini_vendor->hardware_check();
}

static int __init kvmini_init(void)
{
	int r;

	r = kvmini_pick_vendor();
	if (r)
		return r;
	kvmini_xsave_setup();
	r = kvmini_stats_setup();
	if (r)
		goto out_unsetup_vendor;
	kvmini_debugfs_init();

	/* vCPUs follow their thread across CPUs with preempt notifiers. */
	preempt_notifier_inc();

	/* CPUs that come online while there are VMs: nothing to call now. */
	r = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "kvmini:online",
				      kvmini_cpu_online, kvmini_cpu_offline);
	if (r < 0)
		goto out_unsetup;
	kvmini_cpuhp_state = r;

	r = misc_register(&kvmini_miscdev);
	if (r == -EBUSY) {
		pr_warn("misc minor %d is taken; using a dynamic one\n",
			KVMINI_MINOR);
		kvmini_miscdev.minor = MISC_DYNAMIC_MINOR;
		r = misc_register(&kvmini_miscdev);
	}
	if (r)
		goto out_remove_cpuhp;

	pr_info("loaded, using %s\n", kvmini_vendor->name);
	kvmini_report_mitigations();
	return 0;

out_remove_cpuhp:
	cpuhp_remove_state_nocalls(kvmini_cpuhp_state);
out_unsetup:
	preempt_notifier_dec();
	kvmini_debugfs_exit();
	kvmini_stats_unsetup();
out_unsetup_vendor:
	kvmini_vendor->hardware_unsetup();
	return r;
}

static void __exit kvmini_exit(void)
{
	misc_deregister(&kvmini_miscdev);
	cpuhp_remove_state_nocalls(kvmini_cpuhp_state);
	preempt_notifier_dec();
	kvmini_debugfs_exit();
	kvmini_stats_unsetup();
	kvmini_vendor->hardware_unsetup();
	pr_info("unloaded\n");
}

module_init(kvmini_init);
module_exit(kvmini_exit);
MODULE_LICENSE("GPL");
MODULE_ALIAS_MISCDEV(KVMINI_MINOR);
MODULE_ALIAS("devname:kvmini");
MODULE_DESCRIPTION("kvmini: a small, readable hypervisor");
