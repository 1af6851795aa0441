// SPDX-License-Identifier: GPL-2.0
/*
 * dev.c - the device and the module's lifetime.
 *
 * At load we pick the vendor backend, turn VMX/SVM on in every online CPU
 * through a CPU hotplug state (so CPUs that come and go later are handled
 * the same way), register the emergency-reboot callback and finally the
 * misc device /dev/kvmini.  rmmod undoes it in reverse order; it cannot
 * happen while any VM or vCPU fd is open, because each holds the module.
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

static struct miscdevice kvmini_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "kvmini",
	.fops	= &kvmini_dev_fops,
	.mode	= 0600,
};

static int kvmini_cpu_online(unsigned int cpu)
{
	int r = kvmini_vendor->cpu_enable();

	if (r)
		pr_err("cannot enable %s on CPU %u (%d)%s\n",
		       kvmini_vendor->name, cpu, r,
		       r == -EBUSY ? ": in use by another hypervisor (kvm?)" :
		       "");
	return r;
}

static int kvmini_cpu_offline(unsigned int cpu)
{
	kvmini_vendor->cpu_disable();
	return 0;
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
	r = kvmini_stats_setup();
	if (r)
		goto out_unsetup_vendor;
	kvmini_debugfs_init();

	/* vCPUs follow their thread across CPUs with preempt notifiers. */
	preempt_notifier_inc();
	r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "kvmini:online",
			      kvmini_cpu_online, kvmini_cpu_offline);
	if (r < 0)
		goto out_unsetup;
	kvmini_cpuhp_state = r;

	/* A crash or reboot must leave VMX/SVM so the next kernel boots. */
	cpu_emergency_register_virt_callback(kvmini_vendor->cpu_disable);

	r = misc_register(&kvmini_miscdev);
	if (r)
		goto out_unregister_emergency;

	pr_info("loaded, using %s\n", kvmini_vendor->name);
	kvmini_report_mitigations();
	return 0;

out_unregister_emergency:
	cpu_emergency_unregister_virt_callback(kvmini_vendor->cpu_disable);
	cpuhp_remove_state(kvmini_cpuhp_state);
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
	cpu_emergency_unregister_virt_callback(kvmini_vendor->cpu_disable);
	cpuhp_remove_state(kvmini_cpuhp_state);
	preempt_notifier_dec();
	kvmini_debugfs_exit();
	kvmini_stats_unsetup();
	kvmini_vendor->hardware_unsetup();
	pr_info("unloaded\n");
}

module_init(kvmini_init);
module_exit(kvmini_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("kvmini: a small, readable hypervisor");
