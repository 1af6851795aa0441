/* SPDX-License-Identifier: GPL-2.0 */
/*
 * backend.h - what a hypervisor backend gives libkvmini.
 *
 * libkvmini's calls are the same whichever hypervisor runs the guest;
 * each backend fills this table: backend_kvmini.c over /dev/kvmini,
 * backend_kvm.c over /dev/kvm.  Every op returns 0 or -errno and leaves
 * dying to the library.
 */
#ifndef KVMINI_BACKEND_H
#define KVMINI_BACKEND_H

#include "libkvmini.h"

struct kvmini_backend_ops {
	const char *name;
	/* Open the device and create the VM: vm->sys_fd and vm->fd. */
	int (*vm_create)(struct kvmini_vm *vm, unsigned long flags);
	/* Optional: release vm->backend; the library closes the fds. */
	void (*vm_free)(struct kvmini_vm *vm);
	int (*set_slot)(struct kvmini_vm *vm,
			const struct kvmini_memory_slot *slot);
	/* vcpu->fd and vcpu->run, a struct kvmini_run in any case. */
	int (*vcpu_create)(struct kvmini_vcpu *vcpu, uint32_t id);
	void (*vcpu_free)(struct kvmini_vcpu *vcpu);
	int (*get_regs)(struct kvmini_vcpu *vcpu, struct kvmini_regs *regs);
	int (*set_regs)(struct kvmini_vcpu *vcpu,
			const struct kvmini_regs *regs);
	int (*get_sregs)(struct kvmini_vcpu *vcpu, struct kvmini_sregs *sregs);
	int (*set_sregs)(struct kvmini_vcpu *vcpu,
			 const struct kvmini_sregs *sregs);
	/* Optional (kvmini only): KVMINI_GET/SET_VCPU_EVENTS. */
	int (*get_events)(struct kvmini_vcpu *vcpu,
			  struct kvmini_vcpu_events *events);
	int (*set_events)(struct kvmini_vcpu *vcpu,
			  const struct kvmini_vcpu_events *events);
	/* One KVMINI_RUN, with the exit described in vcpu->run. */
	int (*run)(struct kvmini_vcpu *vcpu);
	/* Exits of a reason so far (see kvmini_exit_count). */
	int (*exit_count)(struct kvmini_vcpu *vcpu, uint32_t reason,
			  uint64_t *count);
	/* Queue an interrupt vector or an NMI for the next entries. */
	int (*interrupt)(struct kvmini_vcpu *vcpu, uint8_t vector);
	int (*nmi)(struct kvmini_vcpu *vcpu);
	/* Optional: CR8 where the backend keeps it outside SREGS. */
	unsigned int (*get_cr8)(struct kvmini_vcpu *vcpu);
	void (*set_cr8)(struct kvmini_vcpu *vcpu, unsigned int cr8);
	/* Backends with a run page of their own: set immediate_exit there. */
	void (*set_immediate_exit)(struct kvmini_vcpu *vcpu, bool on);
	int (*attach_port)(struct kvmini_vm *vm,
			   const struct kvmini_port_handler *h);
	/* h holds only the range. */
	int (*detach_port)(struct kvmini_vm *vm,
			   const struct kvmini_port_handler *h);
	/* Bytes or -errno (see kvmini_vcpu_read_console). */
	int (*read_console)(struct kvmini_vcpu *vcpu, void *buf,
			    uint32_t size, uint16_t *port);
};

extern const struct kvmini_backend_ops kvmini_backend_kvmini;
extern const struct kvmini_backend_ops kvmini_backend_kvm;

#endif /* KVMINI_BACKEND_H */
