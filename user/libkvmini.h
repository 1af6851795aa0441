/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libkvmini.h - a small library for running guests, on /dev/kvmini or on
 * /dev/kvm: the calls and the run page are the same on both backends.
 *
 * Two levels, as in KVM's selftests: the kvmini_*() calls below die with a
 * message naming the call and errno when something fails; raw ioctl() on
 * the fds in the structs is there for tests that expect a failure (on the
 * kvmini backend).
 */
#ifndef LIBKVMINI_H
#define LIBKVMINI_H

#include <stddef.h>
#include <stdint.h>
#include "kvmini.h"

struct kvmini_backend_ops;

struct kvmini_vm {
	const struct kvmini_backend_ops *ops;
	int sys_fd;		/* /dev/kvmini or /dev/kvm */
	int fd;			/* the VM */
	uint32_t nr_slots;
};

struct kvmini_vcpu {
	struct kvmini_vm *vm;
	int fd;
	struct kvmini_run *run;	/* the exit, on either backend */
	void *backend_run;	/* KVM's own run page */
	size_t backend_run_size;
};

enum kvmini_backend {
	KVMINI_BACKEND_KVMINI,
	KVMINI_BACKEND_KVM,
};

/* Print "kvmini: <what>: <strerror>" and exit(1). */
void kvmini_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* A VM on /dev/kvmini. */
struct kvmini_vm *kvmini_vm_create(void);
/* A VM on either backend; flags are KVMINI_VM_* (kvmini only). */
struct kvmini_vm *kvmini_vm_create_on(enum kvmini_backend backend,
				      unsigned long flags);
const char *kvmini_backend_name(const struct kvmini_vm *vm);
/* "kvmini" or "kvm"; -1 for anything else. */
int kvmini_backend_parse(const char *name);
void kvmini_vm_free(struct kvmini_vm *vm);

/* Anonymous memory mapped at gpa in the next free slot; returns it. */
void *kvmini_vm_add_memory(struct kvmini_vm *vm, uint64_t gpa, size_t size);

struct kvmini_vcpu *kvmini_vcpu_create(struct kvmini_vm *vm, uint32_t id);
void kvmini_vcpu_free(struct kvmini_vcpu *vcpu);

void kvmini_get_regs(struct kvmini_vcpu *vcpu, struct kvmini_regs *regs);
void kvmini_set_regs(struct kvmini_vcpu *vcpu, const struct kvmini_regs *regs);
void kvmini_get_sregs(struct kvmini_vcpu *vcpu, struct kvmini_sregs *sregs);
void kvmini_set_sregs(struct kvmini_vcpu *vcpu,
		      const struct kvmini_sregs *sregs);

/* Real mode: CS:IP = 0:rip, all segments based at 0, SP = rsp. */
void kvmini_vcpu_setup_real_mode(struct kvmini_vcpu *vcpu, uint64_t rip,
				 uint64_t rsp);

/*
 * The protected- and long-mode set-ups build their tables in guest
 * memory at KVMINI_SYS_BASE (mem is the host mapping of guest-physical
 * 0, which must reach KVMINI_SYS_END):
 *
 *   SYS_BASE + 0x0000  GDT: null, 64-bit code (0x08), 32-bit code (0x10),
 *                      data (0x18)
 *   SYS_BASE + 0x1000  PML4
 *   SYS_BASE + 0x2000  PDPT
 *   SYS_BASE + 0x3000  four page directories: the first 4 GiB,
 *                      identity-mapped with 2 MiB pages
 */
#define KVMINI_SYS_BASE		0x10000
#define KVMINI_SYS_END		(KVMINI_SYS_BASE + 0x7000)
#define KVMINI_SEL_CODE64	0x08
#define KVMINI_SEL_CODE32	0x10
#define KVMINI_SEL_DATA		0x18

/* Flat 32-bit protected mode, paging off, at rip with stack rsp. */
void kvmini_vcpu_setup_protected_mode(struct kvmini_vcpu *vcpu, void *mem,
				      uint64_t rip, uint64_t rsp);

/* 64-bit long mode with the first 4 GiB identity-mapped. */
void kvmini_vcpu_setup_long_mode(struct kvmini_vcpu *vcpu, void *mem,
				 uint64_t rip, uint64_t rsp);

/* KVMINI_RUN; returns 0 or -errno (EINTR is not an error here). */
int kvmini_vcpu_run(struct kvmini_vcpu *vcpu);

/* Port I/O data of the current KVMINI_EXIT_IO. */
static inline void *kvmini_io_data(struct kvmini_vcpu *vcpu)
{
	return (uint8_t *)vcpu->run + vcpu->run->io.data_offset;
}

const char *kvmini_exit_name(uint32_t reason);

/* One line per non-zero counter: "  io          6". */
void kvmini_print_exit_counts(const struct kvmini_run *run, int fd);

#endif /* LIBKVMINI_H */
