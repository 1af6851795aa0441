/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kvmini.h - the whole userspace contract of /dev/kvmini.
 *
 * Three levels of file descriptor, as in KVM:
 *
 *   open("/dev/kvmini")            system fd: version, capabilities, CREATE_VM
 *     ioctl(KVMINI_CREATE_VM)   -> VM fd:     memory slots, CREATE_VCPU
 *       ioctl(KVMINI_CREATE_VCPU) -> vCPU fd: registers, RUN, mmap(run page)
 *
 * Conventions that hold for every call:
 *  - every struct has a fixed size, natural alignment and explicit padding;
 *  - flags, padding and reserved fields must be zero on input (-EINVAL),
 *    and are written as zero on output;
 *  - a call that fails changes nothing;
 *  - unknown commands fail with -ENOTTY;
 *  - a VM or vCPU fd used from a process other than its creator: -EIO.
 */
#ifndef _UAPI_KVMINI_H
#define _UAPI_KVMINI_H

#include <linux/const.h>
#include <linux/types.h>
#include <linux/ioctl.h>

#define KVMINI_API_VERSION	1

/* Limits, also reported through KVMINI_CHECK_CAP. */
#define KVMINI_MAX_VCPUS	8
#define KVMINI_MAX_MEM_SLOTS	32

/* ------------------------------------------------------------------ */
/* Memory slots                                                         */
/* ------------------------------------------------------------------ */

/* Guest writes to the slot are not done; they exit as MMIO writes. */
#define KVMINI_MEM_READONLY	_BITUL(0)
#define KVMINI_MEM_FLAGS	KVMINI_MEM_READONLY

/*
 * Maps [guest_phys_addr, guest_phys_addr + memory_size) of the guest onto
 * the user memory at userspace_addr.  All three must be page aligned.  A
 * memory_size of 0 deletes the slot.  A slot that exists already cannot be
 * changed: delete it first.
 *
 * Errors: EINVAL (alignment, wrap, flags, reserved, slot number), EEXIST
 * (overlaps another slot, or the slot number is in use), ENOENT (deleting a
 * slot that does not exist), EFAULT (userspace_addr is not user memory).
 */
struct kvmini_memory_slot {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 reserved[4];
};

/* ------------------------------------------------------------------ */
/* CPUID                                                                */
/* ------------------------------------------------------------------ */

/*
 * CPUID runs in the kernel.  By default a guest sees the host's values,
 * filtered: VMX, SVM, MONITOR/MWAIT, the local APIC, x2APIC and the TSC
 * deadline timer are hidden (kvmini does not virtualize them), the
 * hypervisor bit is set, leaf 1 reports the vCPU id as the APIC id, and
 * leaf 0x40000000 says "kvminikvmini".  KVMINI_SET_CPUID replaces the
 * VM's table of overrides: an entry answers its leaf (and, with
 * KVMINI_CPUID_INDEXED, only its subleaf) instead of the host.
 *
 * Errors: E2BIG (nent > KVMINI_MAX_CPUID), EINVAL (flags, padding, or the
 * same leaf twice), EFAULT.  nent 0 removes every override.
 */
#define KVMINI_MAX_CPUID	64
#define KVMINI_CPUID_INDEXED	_BITUL(0)	/* match index (ECX) too */

struct kvmini_cpuid_entry {
	__u32 function;
	__u32 index;
	__u32 flags;
	__u32 eax, ebx, ecx, edx;
	__u32 padding;
};

struct kvmini_cpuid {
	__u32 nent;
	__u32 padding;
	struct kvmini_cpuid_entry entries[KVMINI_MAX_CPUID];
};

#define KVMINI_CPUID_SIGNATURE	0x40000000

/* ------------------------------------------------------------------ */
/* vCPU state                                                           */
/* ------------------------------------------------------------------ */

struct kvmini_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
	__u64 reserved[6];
};

/*
 * One segment register, unpacked.  type/s/dpl/present/avl/l/db/g are the
 * descriptor's fields; unusable marks a null-loaded segment (VMX's
 * "unusable" bit).  On SVM, unusable is reported as !present.
 */
struct kvmini_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u8  type;
	__u8  present;
	__u8  dpl;
	__u8  db;
	__u8  s;
	__u8  l;
	__u8  g;
	__u8  avl;
	__u8  unusable;
	__u8  padding;
};

struct kvmini_dtable {
	__u64 base;
	__u16 limit;
	__u16 padding[3];
};

struct kvmini_sregs {
	struct kvmini_segment cs, ds, es, fs, gs, ss;
	struct kvmini_segment tr, ldt;
	struct kvmini_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, cr8;
	__u64 efer;
	__u64 reserved[8];
};

/* ------------------------------------------------------------------ */
/* The run page                                                         */
/* ------------------------------------------------------------------ */

/*
 * Why the vCPU stopped (run->exit_reason), and the buckets of the exit
 * statistics (run->exit_count[]).  Reasons below KVMINI_EXIT_NR_USER are
 * ones userspace sees; the rest are handled in the kernel and only counted.
 */
enum kvmini_exit_reason {
	KVMINI_EXIT_NONE = 0,		/* no exit yet */
	KVMINI_EXIT_IO = 1,		/* run->io */
	KVMINI_EXIT_MMIO = 2,		/* run->mmio */
	KVMINI_EXIT_HLT = 3,
	KVMINI_EXIT_SHUTDOWN = 4,	/* triple fault */
	KVMINI_EXIT_FAIL_ENTRY = 5,	/* run->hw: why the CPU refused */
	KVMINI_EXIT_UNHANDLED = 6,	/* run->hw, run->unhandled */
	KVMINI_EXIT_HYPERCALL = 7,	/* run->hypercall */
	KVMINI_EXIT_INTR = 8,		/* signal or immediate_exit: -EINTR */
	KVMINI_EXIT_NR_USER = 9,

	/* Handled in the kernel, counted only. */
	KVMINI_EXIT_EXTINT = 9,		/* host interrupt */
	KVMINI_EXIT_NMI = 10,
	KVMINI_EXIT_CPUID = 11,
	KVMINI_EXIT_MSR = 12,
	KVMINI_EXIT_GPA_MAP = 13,	/* EPT/NPT fault that mapped memory */
	KVMINI_EXIT_FASTPATH_IO = 14,	/* port I/O completed in the kernel */
	KVMINI_EXIT_TIMESLICE = 15,	/* VMX preemption timer: time's up */
	KVMINI_EXIT_NR = 16,
};

#define KVMINI_IO_IN		0
#define KVMINI_IO_OUT		1

/* The exit's raw hardware description, filled on every exit. */
struct kvmini_hw_exit {
	__u32 vendor;		/* KVMINI_VENDOR_* */
	__u32 padding;
	__u64 reason;		/* VMX basic exit reason / SVM exit code */
	__u64 info1;		/* VMX exit qualification / SVM EXITINFO1 */
	/* VMX: instruction error or guest-physical address; SVM: EXITINFO2 */
	__u64 info2;
};

#define KVMINI_VENDOR_VMX	1
#define KVMINI_VENDOR_SVM	2

/*
 * The vCPU fd maps this page (offset 0, KVMINI_GET_VCPU_MMAP_SIZE bytes).
 * Userspace writes only immediate_exit and the data of an I/O or MMIO read
 * before the next RUN; everything else is written by the kernel.
 */
struct kvmini_run {
	/* in */
	__u8  immediate_exit;
	__u8  padding1[7];

	/* out */
	__u32 exit_reason;	/* enum kvmini_exit_reason */
	__u32 padding2;
	struct kvmini_hw_exit hw;

	union {
		/*
		 * KVMINI_EXIT_IO: size bytes per item, count items, at
		 * data_offset from the start of this page.  For IN, userspace
		 * fills the data before the next RUN.  count is 1 except for
		 * INS/OUTS (with REP: up to a page's worth; the guest goes
		 * on with the rest after the next RUN).
		 */
		struct {
			__u8  direction;	/* KVMINI_IO_IN / _OUT */
			__u8  size;		/* 1, 2 or 4 */
			__u16 port;
			__u32 count;
			__u64 data_offset;
		} io;
		/* KVMINI_EXIT_MMIO: for a read, userspace fills data. */
		struct {
			__u64 phys_addr;
			__u8  data[8];
			__u32 len;
			__u8  is_write;
			__u8  padding[3];
		} mmio;
		/*
		 * KVMINI_EXIT_UNHANDLED: the instruction at RIP, when the
		 * kernel could read it (insn_len 0 otherwise).
		 */
		struct {
			__u8  insn_len;
			__u8  padding[7];
			__u8  insn[16];
		} unhandled;
		/* KVMINI_EXIT_HYPERCALL: rax in, rax written back. */
		struct {
			__u64 nr;
			__u64 args[5];
			__u64 ret;
		} hypercall;
		__u8 exit_padding[256];
	};

	/* Exits counted by reason since the vCPU was created. */
	__u64 exit_count[KVMINI_EXIT_NR];

	/* Port I/O data lives in the rest of the page. */
};

#define KVMINI_RUN_IO_DATA_OFFSET	1024

/* ------------------------------------------------------------------ */
/* Capabilities                                                         */
/* ------------------------------------------------------------------ */

#define KVMINI_CAP_VENDOR	1	/* KVMINI_VENDOR_* of this host */
#define KVMINI_CAP_MAX_VCPUS	2
#define KVMINI_CAP_MAX_SLOTS	3
#define KVMINI_CAP_READONLY_MEM	4
#define KVMINI_CAP_HYPERCALLS	5

/* ------------------------------------------------------------------ */
/* ioctls                                                               */
/* ------------------------------------------------------------------ */

#define KVMINI_IO	0xB7

/*
 * KVMINI_CREATE_VM flags.  KVMINI_VM_HYPERCALLS: VMCALL (VMX) and VMMCALL
 * (SVM) exit to userspace as KVMINI_EXIT_HYPERCALL with nr = RAX and
 * args = RBX, RCX, RDX, RSI, RDI; run->hypercall.ret goes to RAX at the
 * next RUN.  Without it they raise #UD in the guest, as on a machine
 * without a hypervisor.
 */
#define KVMINI_VM_HYPERCALLS	_BITUL(0)
#define KVMINI_VM_FLAGS		KVMINI_VM_HYPERCALLS

/* /dev/kvmini */
#define KVMINI_GET_API_VERSION	_IO(KVMINI_IO, 0x00)
#define KVMINI_CHECK_CAP	_IO(KVMINI_IO, 0x01)	/* arg: cap; >= 0 */
#define KVMINI_CREATE_VM	_IO(KVMINI_IO, 0x02)	/* arg: flags */
#define KVMINI_GET_VCPU_MMAP_SIZE _IO(KVMINI_IO, 0x03)

/* VM fd */
#define KVMINI_SET_MEMORY_SLOT	_IOW(KVMINI_IO, 0x10, struct kvmini_memory_slot)
#define KVMINI_CREATE_VCPU	_IO(KVMINI_IO, 0x11)	/* arg: vcpu id */
#define KVMINI_SET_CPUID	_IOW(KVMINI_IO, 0x12, struct kvmini_cpuid)

/*
 * vCPU fd.  KVMINI_RUN (arg 0) runs the guest until an exit userspace must
 * see; run->exit_reason says which.  Errors: EINTR (a signal is pending or
 * immediate_exit was set; exit_reason KVMINI_EXIT_INTR), EFAULT (the user
 * memory behind a slot is gone, or the guest fetched an instruction from
 * outside every slot: a VM without memory, say), EINVAL (arg != 0).
 */
#define KVMINI_RUN		_IO(KVMINI_IO, 0x20)
#define KVMINI_GET_REGS		_IOR(KVMINI_IO, 0x21, struct kvmini_regs)
#define KVMINI_SET_REGS		_IOW(KVMINI_IO, 0x22, struct kvmini_regs)
#define KVMINI_GET_SREGS	_IOR(KVMINI_IO, 0x23, struct kvmini_sregs)
#define KVMINI_SET_SREGS	_IOW(KVMINI_IO, 0x24, struct kvmini_sregs)

#endif /* _UAPI_KVMINI_H */
