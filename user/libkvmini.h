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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "kvmini.h"

struct kvmini_backend_ops;

struct kvmini_vm {
	const struct kvmini_backend_ops *ops;
	int sys_fd;		/* /dev/kvmini or /dev/kvm */
	int fd;			/* the VM */
	uint32_t nr_slots;
	unsigned long flags;	/* KVMINI_VM_* it was created with */
	void *backend;		/* the backend's own state, if any */
};

struct kvmini_vcpu {
	struct kvmini_vm *vm;
	int fd;
	struct kvmini_run *run;	/* the exit, on either backend */
	void *backend_run;	/* KVM's own run page */
	size_t backend_run_size;
	struct kvmini_stats *stats;	/* kvmini: opened on first use */
	uint64_t user_exits[KVMINI_EXIT_NR];	/* KVM: the exits seen */
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
/*
 * The events kvmini holds for the vCPU (kvmini backend only).  A reset
 * sets them all to zero: kvmini_clear_events().
 */
void kvmini_get_events(struct kvmini_vcpu *vcpu,
		       struct kvmini_vcpu_events *events);
void kvmini_set_events(struct kvmini_vcpu *vcpu,
		       const struct kvmini_vcpu_events *events);
void kvmini_clear_events(struct kvmini_vcpu *vcpu);

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

/*
 * Queue an external interrupt (the vector the userspace PIC or APIC
 * chose) or an NMI; call from the vCPU's own thread, between RUNs.
 * 0 or -errno (-EEXIST: one is still queued).  See uapi/kvmini.h for
 * how a vCPU inside RUN is kicked.
 */
int kvmini_vcpu_interrupt(struct kvmini_vcpu *vcpu, uint8_t vector);
int kvmini_vcpu_nmi(struct kvmini_vcpu *vcpu);

/*
 * Set or clear immediate_exit where the backend's RUN reads it (on KVM,
 * its own run page).  Async-signal-safe: a vCPU thread's kick signal
 * handler calls it, so a kick that lands just before RUN still ends it.
 */
void kvmini_vcpu_set_immediate_exit(struct kvmini_vcpu *vcpu, bool on);

/*
 * CR8, the task priority a local APIC's TPR mirrors (bits 7-4), where
 * the backend keeps it: on kvmini in the vCPU's state (SREGS), on KVM
 * without an in-kernel APIC in its run page, which KVM loads at every
 * RUN and fills at every exit.  From the vCPU's own thread, between RUNs.
 */
unsigned int kvmini_vcpu_get_cr8(struct kvmini_vcpu *vcpu);
void kvmini_vcpu_set_cr8(struct kvmini_vcpu *vcpu, unsigned int cr8);

/* Port I/O data of the current KVMINI_EXIT_IO. */
static inline void *kvmini_io_data(struct kvmini_vcpu *vcpu)
{
	return (uint8_t *)vcpu->run + vcpu->run->io.data_offset;
}

/* The name of a vendor-neutral exit reason, from KVMINI_EXITS; "?". */
const char *kvmini_exit_name(uint32_t reason);

/*
 * The name of a hardware exit reason (run->hw.reason) of a vendor
 * (KVMINI_VENDOR_*), from the kernel's VMX_EXIT_REASONS/SVM_EXIT_REASONS:
 * "IO_INSTRUCTION" on VMX, "io" on SVM.  NULL if the table has no such
 * code, or the vendor is unknown (the KVM backend reports none).
 */
const char *kvmini_hw_exit_name(uint32_t vendor, uint64_t code);

/*
 * Exits of a reason on this vCPU so far, handled in the kernel or not.
 * On KVM only the exits userspace saw are counted.
 */
uint64_t kvmini_exit_count(struct kvmini_vcpu *vcpu, uint32_t reason);

/*
 * In-kernel port handlers; 0 or -errno.  On KVM, SINK and EVENTFD
 * become a KVM_IOEVENTFD (a SINK's eventfd is never read); other kinds
 * give -EOPNOTSUPP.
 */
int kvmini_vm_attach_port(struct kvmini_vm *vm,
			  const struct kvmini_port_handler *h);
int kvmini_vm_detach_port(struct kvmini_vm *vm, uint16_t first_port,
			  uint16_t last_port);

/*
 * Take up to size bytes a CONSOLE handler holds for this vCPU
 * (KVMINI_READ_CONSOLE); *port is the console's first port.  Returns
 * the number of bytes, 0 when none are buffered (always, on KVM), or
 * -errno.
 */
int kvmini_vcpu_read_console(struct kvmini_vcpu *vcpu, void *buf,
			     uint32_t size, uint16_t *port);

/*
 * A stats fd (user/stats.c), from KVMINI_GET_STATS_FD or a debugfs
 * kvmini/PID-ID/stats file.  Descriptors are read once; refresh re-reads
 * the values.
 */
struct kvmini_stats {
	int fd;
	struct kvmini_stats_header hdr;
	char id[KVMINI_STATS_ID_SIZE];
	uint8_t *descs;		/* hdr.num_desc x hdr.desc_size bytes */
	uint64_t *data;
};

/* Takes over fd; NULL with errno set on failure. */
struct kvmini_stats *kvmini_stats_open(int fd);
int kvmini_stats_refresh(struct kvmini_stats *s);
void kvmini_stats_close(struct kvmini_stats *s);
static inline const struct kvmini_stats_desc *
kvmini_stats_desc(const struct kvmini_stats *s, uint32_t i)
{
	return (const struct kvmini_stats_desc *)(s->descs +
						   i * s->hdr.desc_size);
}
/* The values of a descriptor by name, or NULL; *size says how many. */
const uint64_t *kvmini_stats_find(const struct kvmini_stats *s,
				  const char *name, uint32_t *size);
/* One value by printf-style name; 0 if there is no such descriptor. */
uint64_t kvmini_stats_get(const struct kvmini_stats *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The stats of a VM or a vCPU on the kvmini backend; die on failure. */
struct kvmini_stats *kvmini_vm_stats(struct kvmini_vm *vm);
struct kvmini_stats *kvmini_vcpu_stats(struct kvmini_vcpu *vcpu);

#endif /* LIBKVMINI_H */
