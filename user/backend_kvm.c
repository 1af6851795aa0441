// SPDX-License-Identifier: GPL-2.0
/*
 * backend_kvm.c - libkvmini over /dev/kvm, so every guest and every tool
 * runs on KVM too, side by side with kvmini.
 *
 * KVM's structs for registers and segments have kvmini's layout, so they
 * copy across.  Its run page does not: this backend keeps a struct
 * kvmini_run of its own and translates each exit into it, and the data of
 * an IN, an MMIO read or immediate_exit back before the next KVM_RUN.
 * Exits KVM handles in the kernel are not seen here, so exit counts are
 * only of the exits userspace saw.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

#include "backend.h"

/* Where real mode's TSS and identity map may live on Intel: top of 4G. */
#define KVM_TSS_ADDR		0xfffbd000
#define KVM_MAX_CPUID		256

_Static_assert(sizeof(struct kvm_regs) ==
	       offsetof(struct kvmini_regs, reserved), "kvm_regs layout");
_Static_assert(sizeof(struct kvm_segment) == sizeof(struct kvmini_segment),
	       "kvm_segment layout");
_Static_assert(sizeof(struct kvm_dtable) == sizeof(struct kvmini_dtable),
	       "kvm_dtable layout");
_Static_assert(offsetof(struct kvm_sregs, efer) ==
	       offsetof(struct kvmini_sregs, efer), "kvm_sregs layout");

static int ret(int r)
{
	return r < 0 ? -errno : 0;
}

static int kvm_vm_create(struct kvmini_vm *vm, unsigned long flags)
{
	/*
	 * kvmini's hypercall exits have no KVM equivalent; a local APIC in
	 * userspace is what KVM without an in-kernel irqchip expects.
	 */
	if (flags & ~KVMINI_VM_LOCAL_APIC)
		return -EINVAL;
	vm->sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0)
		return -errno;
	if (ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		return -EPROTO;
	vm->fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return -errno;
	/* Intel without unrestricted guest needs it; elsewhere harmless. */
	ioctl(vm->fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR);
	return 0;
}

static int kvm_set_slot(struct kvmini_vm *vm,
			const struct kvmini_memory_slot *slot)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot->slot,
		.flags = (slot->flags & KVMINI_MEM_READONLY) ?
			 KVM_MEM_READONLY : 0,
		.guest_phys_addr = slot->guest_phys_addr,
		.memory_size = slot->memory_size,
		.userspace_addr = slot->userspace_addr,
	};

	return ret(ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region));
}

/* CPUID bits kvmini hides (see KVMINI_SET_CPUID in kvmini.h). */
#define CPUID_1_ECX_MONITOR	(1u << 3)
#define CPUID_1_ECX_VMX		(1u << 5)
#define CPUID_1_ECX_X2APIC	(1u << 21)
#define CPUID_1_ECX_TSC_DEADLINE (1u << 24)
#define CPUID_1_ECX_HYPERVISOR	(1u << 31)
#define CPUID_1_EDX_APIC	(1u << 9)
#define CPUID_8000_0001_ECX_SVM	(1u << 2)
#define CPUID_HYPERVISOR_LEAVES	0x40000000

/*
 * KVM checks EFER.LME against the guest's CPUID: give it what KVM
 * supports, seen as kvmini shows it: no x2APIC or TSC deadline timer,
 * the local APIC only if the tool emulates one (KVMINI_VM_LOCAL_APIC;
 * without an in-kernel irqchip KVM has none of its own), no VMX, SVM or
 * MONITOR, the hypervisor bit set, and none of KVM's own leaves, so a
 * guest finds the same machine on both backends.
 */
static void kvm_filter_cpuid(struct kvm_cpuid2 *cpuid, bool apic)
{
	unsigned int i, n = 0;

	for (i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if ((e->function & 0xffffff00) == CPUID_HYPERVISOR_LEAVES)
			continue;
		if (e->function == 1) {
			e->ecx &= ~(CPUID_1_ECX_MONITOR | CPUID_1_ECX_VMX |
				    CPUID_1_ECX_X2APIC |
				    CPUID_1_ECX_TSC_DEADLINE);
			e->ecx |= CPUID_1_ECX_HYPERVISOR;
			if (!apic)
				e->edx &= ~CPUID_1_EDX_APIC;
		}
		if (e->function == 0x80000001)
			e->ecx &= ~CPUID_8000_0001_ECX_SVM;
		cpuid->entries[n++] = *e;
	}
	cpuid->nent = n;
}

static int kvm_set_cpuid(struct kvmini_vcpu *vcpu)
{
	struct kvm_cpuid2 *cpuid;
	int r;

	cpuid = calloc(1, sizeof(*cpuid) +
		       KVM_MAX_CPUID * sizeof(struct kvm_cpuid_entry2));
	if (!cpuid)
		return -ENOMEM;
	cpuid->nent = KVM_MAX_CPUID;
	r = ret(ioctl(vcpu->vm->sys_fd, KVM_GET_SUPPORTED_CPUID, cpuid));
	if (!r) {
		kvm_filter_cpuid(cpuid,
				 vcpu->vm->flags & KVMINI_VM_LOCAL_APIC);
		r = ret(ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid));
	}
	free(cpuid);
	return r;
}

#define MSR_IA32_APICBASE	0x1b
#define APIC_BASE_DEFAULT	0xfee00000ull
#define APIC_BASE_BSP		(1ull << 8)
#define APIC_BASE_ENABLE	(1ull << 11)

/*
 * Without an in-kernel irqchip KVM still keeps IA32_APIC_BASE for the
 * guest, starting at 0: give it the power-on value kvmini's module has
 * (uapi: KVMINI_VM_LOCAL_APIC).  After the CPUID, which KVM checks the
 * value against.
 */
static int kvm_set_apic_base(struct kvmini_vcpu *vcpu, uint32_t id)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = {
		.hdr.nmsrs = 1,
		.e.index = MSR_IA32_APICBASE,
		.e.data = APIC_BASE_DEFAULT | APIC_BASE_ENABLE |
			  (id ? 0 : APIC_BASE_BSP),
	};
	int r = ioctl(vcpu->fd, KVM_SET_MSRS, &m);

	return r < 0 ? -errno : r == 1 ? 0 : -EINVAL;
}

static int kvm_vcpu_create(struct kvmini_vcpu *vcpu, uint32_t id)
{
	int size, r;

	vcpu->fd = ioctl(vcpu->vm->fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0)
		return -errno;
	size = ioctl(vcpu->vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0)
		return -errno;
	vcpu->backend_run_size = size;
	vcpu->backend_run = mmap(NULL, size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, vcpu->fd, 0);
	if (vcpu->backend_run == MAP_FAILED)
		return -errno;
	vcpu->run = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vcpu->run == MAP_FAILED)
		return -errno;
	r = kvm_set_cpuid(vcpu);
	if (!r && (vcpu->vm->flags & KVMINI_VM_LOCAL_APIC))
		r = kvm_set_apic_base(vcpu, id);
	return r;
}

static void kvm_vcpu_free(struct kvmini_vcpu *vcpu)
{
	munmap(vcpu->run, getpagesize());
	munmap(vcpu->backend_run, vcpu->backend_run_size);
	close(vcpu->fd);
}

static int kvm_get_regs(struct kvmini_vcpu *vcpu, struct kvmini_regs *regs)
{
	memset(regs, 0, sizeof(*regs));
	return ret(ioctl(vcpu->fd, KVM_GET_REGS, regs));
}

static int kvm_set_regs(struct kvmini_vcpu *vcpu,
			const struct kvmini_regs *regs)
{
	return ret(ioctl(vcpu->fd, KVM_SET_REGS, regs));
}

static int kvm_get_sregs(struct kvmini_vcpu *vcpu,
			 struct kvmini_sregs *sregs)
{
	struct kvm_sregs k;
	int r = ret(ioctl(vcpu->fd, KVM_GET_SREGS, &k));

	memset(sregs, 0, sizeof(*sregs));
	memcpy(sregs, &k, offsetof(struct kvmini_sregs, reserved));
	return r;
}

static int kvm_set_sregs(struct kvmini_vcpu *vcpu,
			 const struct kvmini_sregs *sregs)
{
	struct kvm_sregs k;
	int r = ret(ioctl(vcpu->fd, KVM_GET_SREGS, &k));

	if (r)
		return r;
	/* Keep KVM's APIC base and pending interrupts as they are. */
	memcpy(&k, sregs, offsetof(struct kvmini_sregs, reserved));
	/* KVM loads CR8 from the run page at the next RUN: keep them one. */
	((struct kvm_run *)vcpu->backend_run)->cr8 = sregs->cr8;
	return ret(ioctl(vcpu->fd, KVM_SET_SREGS, &k));
}

/* Hand back what userspace answered to the last exit. */
static void kvm_complete(struct kvmini_vcpu *vcpu, struct kvm_run *k)
{
	struct kvmini_run *run = vcpu->run;

	/*
	 * Only ever set here: a kick's signal handler may set it between a
	 * load and a store of this copy (kvm_set_immediate_exit).
	 */
	if (run->immediate_exit)
		k->immediate_exit = 1;
	k->request_interrupt_window = run->request_interrupt_window;
	if (run->exit_reason == KVMINI_EXIT_IO &&
	    run->io.direction == KVMINI_IO_IN)
		memcpy((uint8_t *)k + k->io.data_offset,
		       (uint8_t *)run + run->io.data_offset,
		       run->io.size * run->io.count);
	else if (run->exit_reason == KVMINI_EXIT_MMIO && !run->mmio.is_write)
		memcpy(k->mmio.data, run->mmio.data, sizeof(k->mmio.data));
}

/* Describe KVM's exit the way /dev/kvmini would. */
static uint32_t kvm_translate(struct kvmini_vcpu *vcpu, struct kvm_run *k)
{
	struct kvmini_run *run = vcpu->run;

	memset(&run->hw, 0, sizeof(run->hw));
	run->hw.reason = k->exit_reason;
	switch (k->exit_reason) {
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		return KVMINI_EXIT_IRQ_WINDOW;
	case KVM_EXIT_IO:
		run->io.direction = k->io.direction == KVM_EXIT_IO_OUT ?
				    KVMINI_IO_OUT : KVMINI_IO_IN;
		run->io.size = k->io.size;
		run->io.port = k->io.port;
		run->io.count = k->io.count;
		run->io.data_offset = KVMINI_RUN_IO_DATA_OFFSET;
		if (k->io.direction == KVM_EXIT_IO_OUT)
			memcpy((uint8_t *)run + KVMINI_RUN_IO_DATA_OFFSET,
			       (uint8_t *)k + k->io.data_offset,
			       k->io.size * k->io.count);
		return KVMINI_EXIT_IO;
	case KVM_EXIT_MMIO:
		run->mmio.phys_addr = k->mmio.phys_addr;
		run->mmio.len = k->mmio.len;
		run->mmio.is_write = k->mmio.is_write;
		memcpy(run->mmio.data, k->mmio.data, sizeof(run->mmio.data));
		return KVMINI_EXIT_MMIO;
	case KVM_EXIT_HLT:
		return KVMINI_EXIT_HLT;
	case KVM_EXIT_SHUTDOWN:
		return KVMINI_EXIT_SHUTDOWN;
	case KVM_EXIT_FAIL_ENTRY:
		run->hw.info1 = k->fail_entry.hardware_entry_failure_reason;
		return KVMINI_EXIT_FAIL_ENTRY;
	case KVM_EXIT_INTR:
	/*
	 * The guest lowered CR8, which KVM without an in-kernel APIC hands
	 * to userspace: an interrupt the TPR held back may be due now.
	 * Nothing else to do: the next RUN looks at the interrupts.
	 */
	case KVM_EXIT_SET_TPR:
		return KVMINI_EXIT_INTR;
	default:
		run->unhandled.insn_len = 0;
		return KVMINI_EXIT_UNHANDLED;
	}
}

static int kvm_run_op(struct kvmini_vcpu *vcpu)
{
	struct kvm_run *k = vcpu->backend_run;
	struct kvmini_run *run = vcpu->run;
	int r;

	kvm_complete(vcpu, k);
	r = ioctl(vcpu->fd, KVM_RUN, 0);
	/* RUN has returned: whatever asked for that has it. */
	k->immediate_exit = 0;
	if (r < 0 && errno != EINTR)
		return -errno;
	/* KVM fills these on every return, EINTR included. */
	run->ready_for_interrupt_injection = k->ready_for_interrupt_injection;
	run->if_flag = k->if_flag;
	run->exit_reason = r < 0 ? KVMINI_EXIT_INTR : kvm_translate(vcpu, k);
	vcpu->user_exits[run->exit_reason]++;
	return r < 0 ? -EINTR : 0;
}

/* Without an in-kernel irqchip KVM takes vectors as kvmini does. */
static int kvm_interrupt(struct kvmini_vcpu *vcpu, uint8_t vector)
{
	struct kvm_interrupt irq = { .irq = vector };

	return ret(ioctl(vcpu->fd, KVM_INTERRUPT, &irq));
}

static int kvm_nmi(struct kvmini_vcpu *vcpu)
{
	return ret(ioctl(vcpu->fd, KVM_NMI, 0));
}

/* KVM loads CR8 from its run page at every RUN and stores it at exits. */
static unsigned int kvm_get_cr8(struct kvmini_vcpu *vcpu)
{
	return ((struct kvm_run *)vcpu->backend_run)->cr8;
}

static void kvm_set_cr8(struct kvmini_vcpu *vcpu, unsigned int cr8)
{
	((struct kvm_run *)vcpu->backend_run)->cr8 = cr8;
}

/* KVM reads immediate_exit from its own page; the handler may run anytime. */
static void kvm_set_immediate_exit(struct kvmini_vcpu *vcpu, bool on)
{
	struct kvm_run *k = vcpu->backend_run;

	k->immediate_exit = on;
}

static int kvm_exit_count(struct kvmini_vcpu *vcpu, uint32_t reason,
			  uint64_t *count)
{
	*count = vcpu->user_exits[reason];
	return 0;
}

/*
 * In-kernel port handlers on KVM: KVM_IOEVENTFD, KVM's only in-kernel
 * port I/O.  An ioeventfd completes an OUT in the kernel and signals an
 * eventfd, which is exactly kvmini's EVENTFD kind; a SINK is the same on
 * an eventfd nobody reads.  Every IN still goes to userspace (a SINK's
 * IN then reads what the tool's device model answers, all ones where no
 * device sits).  The other kinds have no KVM counterpart.
 *
 * KVM matches an ioeventfd by exact port, and by exact access size
 * unless the size is 0 ("any length", KVM_CAP_IOEVENTFD_ANY_LENGTH,
 * which cannot be combined with DATAMATCH).  A range of ports therefore
 * becomes one ioeventfd per port, or, with a value to match or without
 * ANY_LENGTH, one per port and access size.  KVM limits how many a VM
 * may have (ENOSPC past that).
 */
struct kvm_port_range {
	struct kvm_port_range *next;
	uint16_t first, last;
	uint32_t flags;			/* KVMINI_PORT_MATCH_VALUE */
	uint64_t value;
	int fd;				/* the eventfd KVM signals */
	bool own_fd;			/* a SINK's: ours to close */
	bool any_length;
};

/* The registrations of one port: len 0 (any length) or 1, 2 and 4. */
static int ioeventfd_port(struct kvmini_vm *vm, const struct kvm_port_range *r,
			  uint16_t port, uint32_t extra_flags)
{
	static const uint32_t sizes[] = { 1, 2, 4 };
	struct kvm_ioeventfd io = {
		.addr = port,
		.fd = r->fd,
		.flags = KVM_IOEVENTFD_FLAG_PIO | extra_flags,
	};
	unsigned int i;
	int err = 0, e;

	if (r->any_length)
		return ret(ioctl(vm->fd, KVM_IOEVENTFD, &io));
	if (r->flags & KVMINI_PORT_MATCH_VALUE) {
		io.flags |= KVM_IOEVENTFD_FLAG_DATAMATCH;
		io.datamatch = r->value;
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		/*
		 * kvmini compares the zero-extended data: a value wider
		 * than the access never matches, so KVM needs no entry.
		 */
		if (sizes[i] < 8 && r->value >> (sizes[i] * 8))
			continue;
		io.len = sizes[i];
		e = ret(ioctl(vm->fd, KVM_IOEVENTFD, &io));
		/* Adding stops at the first error; removing goes on. */
		if (e && !(extra_flags & KVM_IOEVENTFD_FLAG_DEASSIGN))
			return e;
		err = err ?: e;
	}
	return err;
}

/* Remove the registrations of ports first..last - 1 (all, or a prefix). */
static void ioeventfd_remove(struct kvmini_vm *vm,
			     const struct kvm_port_range *r, uint32_t last)
{
	uint32_t port;

	for (port = r->first; port < last; port++)
		ioeventfd_port(vm, r, port, KVM_IOEVENTFD_FLAG_DEASSIGN);
}

static void port_range_free(struct kvm_port_range *r)
{
	if (r->own_fd)
		close(r->fd);
	free(r);
}

static int kvm_attach_port(struct kvmini_vm *vm,
			   const struct kvmini_port_handler *h)
{
	struct kvm_port_range **list = (struct kvm_port_range **)&vm->backend;
	struct kvm_port_range *r;
	unsigned int i;
	uint32_t port;
	int err;

	/* The checks /dev/kvmini makes, in its order of errors. */
	for (i = 0; i < sizeof(h->reserved) / sizeof(h->reserved[0]); i++)
		if (h->reserved[i])
			return -EINVAL;
	if (h->last_port < h->first_port || (h->flags & ~KVMINI_PORT_FLAGS) ||
	    (!(h->flags & KVMINI_PORT_MATCH_VALUE) && h->value))
		return -EINVAL;
	if (h->kind != KVMINI_PORT_SINK && h->kind != KVMINI_PORT_EVENTFD)
		return h->kind >= KVMINI_PORT_SINK &&
		       h->kind <= KVMINI_PORT_EVENTFD ? -EOPNOTSUPP : -EINVAL;
	if (h->kind == KVMINI_PORT_SINK && (h->fd || h->flags))
		return -EINVAL;
	for (r = *list; r; r = r->next)
		if (r->first <= h->last_port && h->first_port <= r->last)
			return -EEXIST;

	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->first = h->first_port;
	r->last = h->last_port;
	r->flags = h->flags;
	r->value = h->value;
	r->any_length = !(h->flags & KVMINI_PORT_MATCH_VALUE) &&
			ioctl(vm->fd, KVM_CHECK_EXTENSION,
			      KVM_CAP_IOEVENTFD_ANY_LENGTH) > 0;
	if (h->kind == KVMINI_PORT_SINK) {
		r->fd = eventfd(0, EFD_CLOEXEC);
		r->own_fd = true;
		if (r->fd < 0) {
			err = -errno;
			free(r);
			return err;
		}
	} else {
		r->fd = h->fd;
	}

	for (port = r->first; port <= r->last; port++) {
		err = ioeventfd_port(vm, r, port, 0);
		if (err) {
			/* A failed attach changes nothing. */
			ioeventfd_remove(vm, r, port + 1);
			port_range_free(r);
			/* KVM says EINVAL for an fd that is no eventfd. */
			return err == -EINVAL &&
			       h->kind == KVMINI_PORT_EVENTFD ? -EBADF : err;
		}
	}
	r->next = *list;
	*list = r;
	return 0;
}

static int kvm_detach_port(struct kvmini_vm *vm,
			   const struct kvmini_port_handler *h)
{
	struct kvm_port_range *r, **p = (struct kvm_port_range **)&vm->backend;

	if (h->kind || h->flags || h->fd || h->value)
		return -EINVAL;
	for (; (r = *p); p = &r->next) {
		if (r->first != h->first_port || r->last != h->last_port)
			continue;
		ioeventfd_remove(vm, r, r->last + 1u);
		*p = r->next;
		port_range_free(r);
		return 0;
	}
	return -ENOENT;
}

/* KVM has no CONSOLE kind: nothing is ever buffered. */
static int kvm_read_console(struct kvmini_vcpu *vcpu, void *buf,
			    uint32_t size, uint16_t *port)
{
	return 0;
}

/* Closing the VM fd drops its ioeventfds; the SINKs' eventfds are ours. */
static void kvm_vm_free(struct kvmini_vm *vm)
{
	struct kvm_port_range *r = vm->backend, *next;

	for (; r; r = next) {
		next = r->next;
		port_range_free(r);
	}
	vm->backend = NULL;
}

const struct kvmini_backend_ops kvmini_backend_kvm = {
	.name		= "kvm",
	.vm_create	= kvm_vm_create,
	.vm_free	= kvm_vm_free,
	.set_slot	= kvm_set_slot,
	.vcpu_create	= kvm_vcpu_create,
	.vcpu_free	= kvm_vcpu_free,
	.get_regs	= kvm_get_regs,
	.set_regs	= kvm_set_regs,
	.get_sregs	= kvm_get_sregs,
	.set_sregs	= kvm_set_sregs,
	.run		= kvm_run_op,
	.exit_count	= kvm_exit_count,
	.interrupt	= kvm_interrupt,
	.nmi		= kvm_nmi,
	.get_cr8	= kvm_get_cr8,
	.set_cr8	= kvm_set_cr8,
	.set_immediate_exit = kvm_set_immediate_exit,
	.attach_port	= kvm_attach_port,
	.detach_port	= kvm_detach_port,
	.read_console	= kvm_read_console,
};
