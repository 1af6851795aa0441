// SPDX-License-Identifier: GPL-2.0
/*
 * backend_kvmini.c - libkvmini over /dev/kvmini: every op is one ioctl.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend.h"

static int ret(int r)
{
	return r < 0 ? -errno : 0;
}

static int kvmini_vm_create_op(struct kvmini_vm *vm, unsigned long flags)
{
	vm->sys_fd = open("/dev/kvmini", O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0)
		return -errno;
	if (ioctl(vm->sys_fd, KVMINI_GET_API_VERSION, 0) != KVMINI_API_VERSION)
		return -EPROTO;
	vm->fd = ioctl(vm->sys_fd, KVMINI_CREATE_VM, flags);
	return ret(vm->fd);
}

static int kvmini_set_slot(struct kvmini_vm *vm,
			   const struct kvmini_memory_slot *slot)
{
	return ret(ioctl(vm->fd, KVMINI_SET_MEMORY_SLOT, slot));
}

static int kvmini_vcpu_create_op(struct kvmini_vcpu *vcpu, uint32_t id)
{
	long size;

	vcpu->fd = ioctl(vcpu->vm->fd, KVMINI_CREATE_VCPU, id);
	if (vcpu->fd < 0)
		return -errno;
	size = ioctl(vcpu->vm->sys_fd, KVMINI_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0)
		return -errno;
	vcpu->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 vcpu->fd, 0);
	return vcpu->run == MAP_FAILED ? -errno : 0;
}

static void kvmini_vcpu_free_op(struct kvmini_vcpu *vcpu)
{
	if (vcpu->stats)
		kvmini_stats_close(vcpu->stats);
	munmap(vcpu->run, getpagesize());
	close(vcpu->fd);
}

static int kvmini_get_regs_op(struct kvmini_vcpu *vcpu,
			      struct kvmini_regs *regs)
{
	return ret(ioctl(vcpu->fd, KVMINI_GET_REGS, regs));
}

static int kvmini_set_regs_op(struct kvmini_vcpu *vcpu,
			      const struct kvmini_regs *regs)
{
	return ret(ioctl(vcpu->fd, KVMINI_SET_REGS, regs));
}

static int kvmini_get_sregs_op(struct kvmini_vcpu *vcpu,
			       struct kvmini_sregs *sregs)
{
	return ret(ioctl(vcpu->fd, KVMINI_GET_SREGS, sregs));
}

static int kvmini_set_sregs_op(struct kvmini_vcpu *vcpu,
			       const struct kvmini_sregs *sregs)
{
	return ret(ioctl(vcpu->fd, KVMINI_SET_SREGS, sregs));
}

static int kvmini_get_events_op(struct kvmini_vcpu *vcpu,
				struct kvmini_vcpu_events *events)
{
	return ret(ioctl(vcpu->fd, KVMINI_GET_VCPU_EVENTS, events));
}

static int kvmini_set_events_op(struct kvmini_vcpu *vcpu,
				const struct kvmini_vcpu_events *events)
{
	return ret(ioctl(vcpu->fd, KVMINI_SET_VCPU_EVENTS, events));
}

static int kvmini_run_op(struct kvmini_vcpu *vcpu)
{
	return ret(ioctl(vcpu->fd, KVMINI_RUN, 0));
}

/* Kernel and userspace exits of the reason, from the vCPU's stats fd. */
static int kvmini_exit_count_op(struct kvmini_vcpu *vcpu, uint32_t reason,
				uint64_t *count)
{
	const char *name = kvmini_exit_name(reason);

	if (!vcpu->stats) {
		int fd = ioctl(vcpu->fd, KVMINI_GET_STATS_FD, 0);

		if (fd < 0)
			return -errno;
		vcpu->stats = kvmini_stats_open(fd);
		if (!vcpu->stats)
			return -errno;
	}
	if (kvmini_stats_refresh(vcpu->stats))
		return -errno;
	*count = kvmini_stats_get(vcpu->stats, "exit.%s.kernel.count", name) +
		 kvmini_stats_get(vcpu->stats, "exit.%s.user.count", name);
	return 0;
}

static int kvmini_interrupt_op(struct kvmini_vcpu *vcpu, uint8_t vector)
{
	struct kvmini_interrupt irq = { .vector = vector };

	return ret(ioctl(vcpu->fd, KVMINI_INTERRUPT, &irq));
}

static int kvmini_nmi_op(struct kvmini_vcpu *vcpu)
{
	return ret(ioctl(vcpu->fd, KVMINI_NMI, 0));
}

static int kvmini_attach_port_op(struct kvmini_vm *vm,
				 const struct kvmini_port_handler *h)
{
	return ret(ioctl(vm->fd, KVMINI_ATTACH_PORT_HANDLER, h));
}

static int kvmini_detach_port_op(struct kvmini_vm *vm,
				 const struct kvmini_port_handler *h)
{
	return ret(ioctl(vm->fd, KVMINI_DETACH_PORT_HANDLER, h));
}

static int kvmini_read_console_op(struct kvmini_vcpu *vcpu, void *buf,
				  uint32_t size, uint16_t *port)
{
	struct kvmini_console_read req = {
		.buf = (uintptr_t)buf,
		.size = size,
	};
	int n = ioctl(vcpu->fd, KVMINI_READ_CONSOLE, &req);

	if (n < 0)
		return -errno;
	*port = req.port;
	return n;
}

const struct kvmini_backend_ops kvmini_backend_kvmini = {
	.name		= "kvmini",
	.vm_create	= kvmini_vm_create_op,
	.set_slot	= kvmini_set_slot,
	.vcpu_create	= kvmini_vcpu_create_op,
	.vcpu_free	= kvmini_vcpu_free_op,
	.get_regs	= kvmini_get_regs_op,
	.set_regs	= kvmini_set_regs_op,
	.get_sregs	= kvmini_get_sregs_op,
	.set_sregs	= kvmini_set_sregs_op,
	.get_events	= kvmini_get_events_op,
	.set_events	= kvmini_set_events_op,
	.run		= kvmini_run_op,
	.exit_count	= kvmini_exit_count_op,
	.interrupt	= kvmini_interrupt_op,
	.nmi		= kvmini_nmi_op,
	.attach_port	= kvmini_attach_port_op,
	.detach_port	= kvmini_detach_port_op,
	.read_console	= kvmini_read_console_op,
};
