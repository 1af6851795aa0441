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

#define KVMINI_API_VERSION	2

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
 * filtered: VMX, SVM, MONITOR/MWAIT, the local APIC (unless the VM was
 * created with KVMINI_VM_LOCAL_APIC), x2APIC and the TSC deadline timer
 * are hidden (kvmini does not virtualize them), the clock leaves 0x15
 * and 0x16 are empty (a userspace APIC has its own timer rate), the
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
 * Every vendor-neutral exit reason, defined once: X(NAME, number, "name").
 * The enum below, the module's dispatch table, its statistics and the
 * tool's names all come from this table.
 *
 * Numbers 0-63 are reasons userspace can see in run->exit_reason; 64-127
 * are exits the kernel always handles itself, which appear only in the
 * statistics and traces.  A new reason takes the next free number of its
 * range: nothing is renumbered and no uapi array grows.
 */
#define KVMINI_EXIT_USER_FIRST		0
#define KVMINI_EXIT_KERNEL_FIRST	64
#define KVMINI_EXIT_NR			128

#define KVMINI_EXITS(X)							\
	X(NONE,		0,	"none")		/* no exit yet */	\
	X(IO,		1,	"io")		/* run->io */		\
	X(MMIO,		2,	"mmio")		/* run->mmio */		\
	X(HLT,		3,	"hlt")					\
	X(SHUTDOWN,	4,	"shutdown")	/* triple fault */	\
	X(FAIL_ENTRY,	5,	"fail_entry")	/* run->hw */		\
	X(UNHANDLED,	6,	"unhandled")	/* run->unhandled */	\
	X(HYPERCALL,	7,	"hypercall")	/* run->hypercall */	\
	X(INTR,		8,	"intr")		/* RUN got -EINTR */	\
	X(IRQ_WINDOW,	9,	"irq_window")	/* see request_... */	\
	X(EXTINT,	64,	"extint")	/* host interrupt */	\
	X(NMI,		65,	"nmi")					\
	X(CPUID,	66,	"cpuid")				\
	X(MSR,		67,	"msr")					\
	X(GPA_MAP,	68,	"gpa_map")	/* EPT/NPT mapped */	\
	X(TIMESLICE,	69,	"timeslice")	/* VMX time slice */	\
	X(NMI_WINDOW,	70,	"nmi_window")	/* NMIs unblocked */	\
	X(CR_ACCESS,	71,	"cr_access")	/* MOV to/from CR8 */	\
	X(EXCEPTION,	72,	"exception")	/* #DB, #AC, #MC */	\
	X(DR_ACCESS,	73,	"dr_access")	/* MOV to/from DRn */	\
	X(XSETBV,	74,	"xsetbv")	/* the guest's XCR0 */

enum kvmini_exit_reason {
#define KVMINI_EXIT_ENUM(name, nr, str)	KVMINI_EXIT_##name = nr,
	KVMINI_EXITS(KVMINI_EXIT_ENUM)
#undef KVMINI_EXIT_ENUM
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
	/*
	 * Set: RUN returns KVMINI_EXIT_IRQ_WINDOW as soon as the guest can
	 * take an external interrupt (at once if it can now).
	 */
	__u8  request_interrupt_window;
	__u8  padding1[6];

	/* out */
	__u32 exit_reason;	/* enum kvmini_exit_reason */
	/*
	 * When RUN returned: an interrupt queued now would be taken at the
	 * next entry (RFLAGS.IF set, no STI or MOV SS shadow, no event
	 * being delivered, none queued); and RFLAGS.IF itself.
	 */
	__u8  ready_for_interrupt_injection;
	__u8  if_flag;
	__u16 padding2;
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

	/* Port I/O data lives in the rest of the page. */
};

#define KVMINI_RUN_IO_DATA_OFFSET	1024

/* ------------------------------------------------------------------ */
/* Interrupts                                                           */
/* ------------------------------------------------------------------ */

/*
 * The interrupt controllers live in userspace, as with KVM without an
 * in-kernel irqchip.  A device raises a line on the userspace PIC, which
 * picks a vector for a vCPU; the vCPU's thread (kicked out of RUN with a
 * signal and immediate_exit if it is inside) queues the vector with
 * KVMINI_INTERRUPT before its next RUN.  The kernel delivers it at the
 * first entry where the guest can take it, opening an interrupt window
 * itself if needed.  A queued interrupt ends a HLT: the guest resumes
 * after the HLT, in the handler.
 *
 * KVMINI_INTERRUPT errors: EINVAL (vector > 255, flags, reserved),
 * EEXIST (an interrupt is queued and not delivered yet).
 *
 * KVMINI_NMI (arg 0) queues an NMI, delivered once NMIs are not
 * blocked; NMIs queued while one is queued merge into it, as NMIs do on
 * hardware.  EINVAL if arg != 0.
 */
struct kvmini_interrupt {
	__u32 vector;
	__u32 flags;		/* 0 */
	__u64 reserved[2];
};

/*
 * KVMINI_GET_VCPU_EVENTS / KVMINI_SET_VCPU_EVENTS (vCPU fd): the events
 * kvmini holds for the guest and the state that decides when it takes
 * them.  A VMM saves and restores them with the registers; a reset
 * (INIT, reboot) sets them to zero, or an event held for the old state
 * reaches the new one at the next RUN.
 *
 *   event      the exception, external interrupt or NMI that goes into
 *              the guest at the next entry: one whose delivery an exit
 *              interrupted (its IDT or stack outside every slot, say;
 *              it survives SET_REGS and SET_SREGS), one kvmini raised
 *              (#GP for an MSR, the #DB or #AC it intercepted), or the
 *              interrupt or NMI below once the guest could take it.
 *              type: KVMINI_EVENT_*.
 *   interrupt  the vector KVMINI_INTERRUPT queued, until the guest can
 *              take it.
 *   nmi        pending: KVMINI_NMI queued one; masked: the guest is
 *              handling an NMI (NMIs are blocked until its IRET).
 *   shadow     KVMINI_SHADOW_*: the last instruction was STI or MOV SS,
 *              and interrupts wait one more instruction.  SVM has one
 *              bit for both: GET reports both, SET takes either.  SET
 *              takes the shadow with RFLAGS as they are: set the
 *              registers first.
 *
 * SET replaces all of it.  Errors: EINVAL (flags, padding or reserved
 * fields not 0; a flag field above 1; fields of an event, interrupt or
 * error code that is not there not 0; an unknown type or shadow bit;
 * an exception vector above 31 or 2, an NMI vector other than 2; an
 * error code for an interrupt or NMI, for an exception that has none -
 * all but 8, 10-14, 17 and 21 - or outside protected mode; an NMI event
 * with NMIs masked or in a shadow, an interrupt event in a shadow or
 * with RFLAGS.IF clear; the STI shadow with RFLAGS.IF clear), EFAULT.
 */
#define KVMINI_EVENT_EXTINT	0	/* the hardware's event types */
#define KVMINI_EVENT_NMI	2
#define KVMINI_EVENT_EXCEPTION	3

#define KVMINI_SHADOW_STI	_BITUL(0)
#define KVMINI_SHADOW_MOV_SS	_BITUL(1)

struct kvmini_vcpu_events {
	struct {
		__u8  valid;
		__u8  type;		/* KVMINI_EVENT_* */
		__u8  vector;
		__u8  has_error;
		__u32 error_code;
	} event;
	struct {
		__u8  pending;
		__u8  vector;
		__u8  padding[6];
	} interrupt;
	struct {
		__u8  pending;
		__u8  masked;
		__u8  padding[6];
	} nmi;
	__u32 shadow;		/* KVMINI_SHADOW_* */
	__u32 flags;		/* 0 */
	__u64 reserved[4];
};

/* ------------------------------------------------------------------ */
/* In-kernel port I/O handlers (fast paths)                             */
/* ------------------------------------------------------------------ */

/*
 * A VM can hand a range of ports to a handler in the kernel: an IN or OUT
 * to them is then completed without leaving the kernel, and the guest is
 * re-entered at once.  String I/O (INS/OUTS) always goes to userspace.
 *
 *   SINK      OUT is dropped; IN reads all ones.
 *   COUNTER   every access counts; IN reads the count, this access
 *             included (truncated to the access size).
 *   LOOPBACK  OUT stores the value; IN reads the last value stored (0
 *             before the first OUT), truncated to the access size.
 *   CONSOLE   OUT bytes (the low byte of each OUT) are buffered per vCPU
 *             and reach userspace as one KVMINI_EXIT_IO of count bytes
 *             (size 1, OUT, port first_port) when a newline arrives, when
 *             KVMINI_CONSOLE_BUF bytes are buffered, and before a HLT exit;
 *             KVMINI_READ_CONSOLE takes them at any other time.  IN reads
 *             all ones.
 *   EVENTFD   OUT signals the eventfd `fd` and the guest goes on; with
 *             KVMINI_PORT_MATCH_VALUE only an OUT of `value` (the
 *             zero-extended data) does, others go to userspace.  IN goes
 *             to userspace.
 *
 * Attaching or detaching takes effect for every exit that begins after
 * the ioctl returns, on every vCPU, also while they run; an exit that is
 * being handled meanwhile is handled exactly once, by the old table or by
 * the new one.  Bytes a console has already buffered stay with their vCPU.
 *
 * Errors: EINVAL (unknown kind, flags, nonzero reserved fields, value
 * without MATCH_VALUE, fd for a kind other than EVENTFD, last_port <
 * first_port), EEXIST (overlaps an attached range), ENOSPC (already
 * KVMINI_MAX_PORT_HANDLERS), EBADF (fd is not an eventfd).  DETACH takes
 * the range exactly as attached, every other field zero; ENOENT if no
 * handler has that range.
 */
#define KVMINI_PORT_SINK	1
#define KVMINI_PORT_COUNTER	2
#define KVMINI_PORT_LOOPBACK	3
#define KVMINI_PORT_CONSOLE	4
#define KVMINI_PORT_EVENTFD	5

#define KVMINI_PORT_MATCH_VALUE	_BITUL(0)	/* EVENTFD only */
#define KVMINI_PORT_FLAGS	KVMINI_PORT_MATCH_VALUE

#define KVMINI_MAX_PORT_HANDLERS	16
#define KVMINI_CONSOLE_BUF		1024

struct kvmini_port_handler {
	__u16 first_port;
	__u16 last_port;	/* inclusive */
	__u32 kind;		/* KVMINI_PORT_* */
	__u32 flags;
	__s32 fd;		/* EVENTFD: the eventfd; else 0 */
	__u64 value;		/* KVMINI_PORT_MATCH_VALUE: the value */
	__u64 reserved[4];
};

/*
 * KVMINI_READ_CONSOLE (vCPU fd): move up to `size` bytes the vCPU's
 * console has buffered to `buf`; returns the number of bytes and sets
 * `port` to the console's first port.  0 when nothing is buffered.
 * Errors: EINVAL (nonzero padding or reserved), EFAULT.
 */
struct kvmini_console_read {
	__u64 buf;
	__u32 size;
	__u16 port;		/* out */
	__u16 padding;
	__u64 reserved[2];
};

/* ------------------------------------------------------------------ */
/* Statistics                                                           */
/* ------------------------------------------------------------------ */

/*
 * KVMINI_GET_STATS_FD (VM or vCPU fd) returns a read-only fd whose
 * contents describe themselves, like KVM's binary stats:
 *
 *   offset 0            struct kvmini_stats_header
 *   header.id_offset    a NUL-terminated name, KVMINI_STATS_ID_SIZE bytes
 *   header.desc_offset  num_desc x struct kvmini_stats_desc, each followed
 *                       by its name (name_size bytes, NUL-terminated)
 *   header.data_offset  the values: desc.size __u64s at data_offset +
 *                       desc.offset
 *
 * The header and descriptors never change for the fd's lifetime; pread()
 * the data again for current values.  A VM's fd sums its vCPUs.
 *
 * Every exit is counted once, when it happens, under its vendor-neutral
 * reason and its hardware reason, as handled in the kernel or forwarded
 * to userspace; port I/O also under its port.  Its cost is the time from
 * the VM exit to the next VM entry in TSC cycles, added at that entry.
 * The names:
 *
 *   exit.REASON.{kernel,user}.{count,cycles,min_cycles,max_cycles,hist}
 *   hw.NAME.{kernel,user}.{count,cycles}   NAME from the kernel's own
 *                       VMX_EXIT_REASONS / SVM_EXIT_REASONS; hw.other for
 *                       codes missing there
 *   port.id             KVMINI_STATS_PORTS slots: port + 1, 0 if unused
 *   port.{kernel,user}.{count,cycles}      per slot
 *   port.untracked      port exits that found no free slot
 *
 * hist is a log2 histogram: bucket 0 counts 0 cycles, bucket i > 0 counts
 * [2^(i-1), 2^i), the last bucket everything above.
 */
#define KVMINI_STATS_TYPE_SHIFT		0
#define KVMINI_STATS_TYPE_MASK		(0xf << KVMINI_STATS_TYPE_SHIFT)
#define KVMINI_STATS_TYPE_CUMULATIVE	(0 << KVMINI_STATS_TYPE_SHIFT)
#define KVMINI_STATS_TYPE_INSTANT	(1 << KVMINI_STATS_TYPE_SHIFT)
#define KVMINI_STATS_TYPE_MIN		(2 << KVMINI_STATS_TYPE_SHIFT)
#define KVMINI_STATS_TYPE_MAX		(3 << KVMINI_STATS_TYPE_SHIFT)
#define KVMINI_STATS_TYPE_LOG_HIST	(4 << KVMINI_STATS_TYPE_SHIFT)

#define KVMINI_STATS_UNIT_SHIFT		4
#define KVMINI_STATS_UNIT_MASK		(0xf << KVMINI_STATS_UNIT_SHIFT)
#define KVMINI_STATS_UNIT_NONE		(0 << KVMINI_STATS_UNIT_SHIFT)
#define KVMINI_STATS_UNIT_CYCLES	(1 << KVMINI_STATS_UNIT_SHIFT)

#define KVMINI_STATS_NAME_SIZE		48
#define KVMINI_STATS_ID_SIZE		48
#define KVMINI_STATS_HIST_BUCKETS	32
#define KVMINI_STATS_PORTS		64

struct kvmini_stats_header {
	__u32 flags;		/* 0 */
	__u32 name_size;	/* KVMINI_STATS_NAME_SIZE */
	__u32 num_desc;
	__u32 desc_size;	/* of one descriptor, its name included */
	__u64 id_offset;
	__u64 desc_offset;
	__u64 data_offset;
	__u64 data_size;	/* bytes */
};

struct kvmini_stats_desc {
	__u32 flags;		/* KVMINI_STATS_TYPE_* | KVMINI_STATS_UNIT_* */
	__u16 size;		/* number of __u64 values */
	__u16 padding;
	__u32 offset;		/* of the first value, from data_offset */
	__u32 padding2;
	char name[];		/* name_size bytes */
};

/* ------------------------------------------------------------------ */
/* Capabilities                                                         */
/* ------------------------------------------------------------------ */

/* KVMINI_CHECK_CAP returns 0 for a capability this module does not know. */
#define KVMINI_CAP_VENDOR	1	/* KVMINI_VENDOR_* of this host */
#define KVMINI_CAP_MAX_VCPUS	2
#define KVMINI_CAP_MAX_SLOTS	3
#define KVMINI_CAP_READONLY_MEM	4
#define KVMINI_CAP_HYPERCALLS	5
#define KVMINI_CAP_PORT_HANDLERS 6	/* KVMINI_MAX_PORT_HANDLERS */
#define KVMINI_CAP_STATS_FD	7
#define KVMINI_CAP_INTERRUPTS	8	/* KVMINI_INTERRUPT, KVMINI_NMI */

/* ------------------------------------------------------------------ */
/* ioctls                                                               */
/* ------------------------------------------------------------------ */

/* Listed as free in ioctl-number.rst of Linux 6.1 and 6.12. */
#define KVMINI_IO	0xA9

/*
 * KVMINI_CREATE_VM flags.  KVMINI_VM_HYPERCALLS: VMCALL (VMX) and VMMCALL
 * (SVM) exit to userspace as KVMINI_EXIT_HYPERCALL with nr = RAX and
 * args = RBX, RCX, RDX, RSI, RDI; run->hypercall.ret goes to RAX at the
 * next RUN.  Without it they raise #UD in the guest, as on a machine
 * without a hypervisor.
 *
 * KVMINI_VM_LOCAL_APIC: userspace emulates a local APIC per vCPU (xAPIC,
 * MMIO at 0xfee00000, every access an mmio exit).  CPUID leaf 1 then shows
 * the APIC (x2APIC and the TSC deadline timer stay hidden), and the
 * IA32_APIC_BASE MSR (0x1b) is kept in the kernel: it reads 0xfee00000
 * with the global enable (bit 11) and, on vCPU 0, the BSP flag (bit 8).
 * A write may clear or set the enable bit only; another base, BSP or
 * x2APIC mode, or a reserved bit raise #GP.  Without the flag the MSR
 * raises #GP, as on a CPU without an APIC.
 */
#define KVMINI_VM_HYPERCALLS	_BITUL(0)
#define KVMINI_VM_LOCAL_APIC	_BITUL(1)
#define KVMINI_VM_FLAGS		(KVMINI_VM_HYPERCALLS | KVMINI_VM_LOCAL_APIC)

/* /dev/kvmini */
#define KVMINI_GET_API_VERSION	_IO(KVMINI_IO, 0x00)
#define KVMINI_CHECK_CAP	_IO(KVMINI_IO, 0x01)	/* arg: cap; >= 0 */
#define KVMINI_CREATE_VM	_IO(KVMINI_IO, 0x02)	/* arg: flags */
#define KVMINI_GET_VCPU_MMAP_SIZE _IO(KVMINI_IO, 0x03)

/* VM fd */
#define KVMINI_SET_MEMORY_SLOT	_IOW(KVMINI_IO, 0x10, struct kvmini_memory_slot)
#define KVMINI_CREATE_VCPU	_IO(KVMINI_IO, 0x11)	/* arg: vcpu id */
#define KVMINI_SET_CPUID	_IOW(KVMINI_IO, 0x12, struct kvmini_cpuid)
#define KVMINI_ATTACH_PORT_HANDLER \
	_IOW(KVMINI_IO, 0x13, struct kvmini_port_handler)
#define KVMINI_DETACH_PORT_HANDLER \
	_IOW(KVMINI_IO, 0x14, struct kvmini_port_handler)
/* VM or vCPU fd; arg 0 (EINVAL otherwise); returns the stats fd. */
#define KVMINI_GET_STATS_FD	_IO(KVMINI_IO, 0x15)

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
#define KVMINI_READ_CONSOLE	_IOWR(KVMINI_IO, 0x25, struct kvmini_console_read)
#define KVMINI_INTERRUPT	_IOW(KVMINI_IO, 0x26, struct kvmini_interrupt)
#define KVMINI_NMI		_IO(KVMINI_IO, 0x27)
#define KVMINI_GET_VCPU_EVENTS	_IOR(KVMINI_IO, 0x28, struct kvmini_vcpu_events)
#define KVMINI_SET_VCPU_EVENTS	_IOW(KVMINI_IO, 0x29, struct kvmini_vcpu_events)

#endif /* _UAPI_KVMINI_H */
