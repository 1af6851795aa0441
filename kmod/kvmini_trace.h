/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmini_trace.h - tracepoints on the exit path, in tracefs as
 * events/kvmini/: entry, exit, port I/O, MMIO and fast-path hits.
 *
 * Hardware reasons print by name through the kernel's own tables
 * (VMX_EXIT_REASONS, SVM_EXIT_REASONS); vendor-neutral ones through
 * KVMINI_EXITS.  Both stay readable to trace-cmd and perf, which parse
 * the format files.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kvmini

#if !defined(KVMINI_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define KVMINI_TRACE_H

#include <linux/tracepoint.h>
#include <uapi/asm/vmx.h>
#include <uapi/asm/svm.h>
#include <uapi/asm/kvm.h>	/* the vectors SVM_EXIT_REASONS names */
#include "kvmini_core.h"

#define KVMINI_EXIT_SYM(name, nr, str)	{ nr, str },
#define kvmini_print_exit(r)						\
	__print_symbolic(r, KVMINI_EXITS(KVMINI_EXIT_SYM)		\
			 { KVMINI_EXIT_NR, "?" })

/* SVM's table has its "invalid" code as -1: compare as a long. */
#define kvmini_print_hw(vendor, hw)					\
	((vendor) == KVMINI_VENDOR_VMX ?				\
	 __print_symbolic(hw, VMX_EXIT_REASONS) :			\
	 __print_symbolic(hw, SVM_EXIT_REASONS))

TRACE_EVENT(kvmini_entry,
	TP_PROTO(u32 vcpu_id, u64 rip),
	TP_ARGS(vcpu_id, rip),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u64, rip)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->rip = rip;
	),

	TP_printk("vcpu %u rip 0x%llx", __entry->vcpu_id, __entry->rip)
);

TRACE_EVENT(kvmini_exit,
	TP_PROTO(u32 vcpu_id, const struct kvmini_exit *exit, bool in_kernel),
	TP_ARGS(vcpu_id, exit, in_kernel),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u32, vendor)
		__field(unsigned long, hw)
		__field(u32, reason)
		__field(bool, in_kernel)
		__field(u64, rip)
		__field(u64, info1)
		__field(u64, info2)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->vendor = exit->hw.vendor;
		__entry->hw = exit->hw.vendor == KVMINI_VENDOR_SVM ?
			      (unsigned long)(long)(s32)exit->hw.reason :
			      (unsigned long)exit->hw.reason;
		__entry->reason = exit->reason;
		__entry->in_kernel = in_kernel;
		__entry->rip = exit->rip;
		__entry->info1 = exit->hw.info1;
		__entry->info2 = exit->hw.info2;
	),

	TP_printk("vcpu %u %s %s rip 0x%llx info 0x%llx 0x%llx: %s, %s",
		  __entry->vcpu_id,
		  __entry->vendor == KVMINI_VENDOR_VMX ? "vmx" : "svm",
		  kvmini_print_hw(__entry->vendor, __entry->hw),
		  __entry->rip, __entry->info1, __entry->info2,
		  kvmini_print_exit(__entry->reason),
		  __entry->in_kernel ? "kernel" : "user")
);

TRACE_EVENT(kvmini_pio,
	TP_PROTO(u32 vcpu_id, u16 port, u8 size, bool in, u32 count,
		 u32 value, bool in_kernel),
	TP_ARGS(vcpu_id, port, size, in, count, value, in_kernel),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u16, port)
		__field(u8, size)
		__field(bool, in)
		__field(u32, count)
		__field(u32, value)
		__field(bool, in_kernel)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->port = port;
		__entry->size = size;
		__entry->in = in;
		__entry->count = count;
		__entry->value = value;
		__entry->in_kernel = in_kernel;
	),

	TP_printk("vcpu %u %s port 0x%x size %u count %u value 0x%x (%s)",
		  __entry->vcpu_id, __entry->in ? "in" : "out", __entry->port,
		  __entry->size, __entry->count, __entry->value,
		  __entry->in_kernel ? "kernel" : "user")
);

TRACE_EVENT(kvmini_mmio,
	TP_PROTO(u32 vcpu_id, u64 gpa, u32 len, bool write, u64 value),
	TP_ARGS(vcpu_id, gpa, len, write, value),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u64, gpa)
		__field(u32, len)
		__field(bool, write)
		__field(u64, value)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->gpa = gpa;
		__entry->len = len;
		__entry->write = write;
		__entry->value = value;
	),

	TP_printk("vcpu %u %s gpa 0x%llx len %u value 0x%llx",
		  __entry->vcpu_id, __entry->write ? "write" : "read",
		  __entry->gpa, __entry->len, __entry->value)
);

TRACE_EVENT(kvmini_fastpath,
	TP_PROTO(u32 vcpu_id, u16 port, const char *kind, bool in, u8 size,
		 u32 value, int result),
	TP_ARGS(vcpu_id, port, kind, in, size, value, result),

	TP_STRUCT__entry(
		__field(u32, vcpu_id)
		__field(u16, port)
		__array(char, kind, 12)
		__field(bool, in)
		__field(u8, size)
		__field(u32, value)
		__field(int, result)
	),

	TP_fast_assign(
		__entry->vcpu_id = vcpu_id;
		__entry->port = port;
		strscpy(__entry->kind, kind, sizeof(__entry->kind));
		__entry->in = in;
		__entry->size = size;
		__entry->value = value;
		__entry->result = result;
	),

	TP_printk("vcpu %u %s %s port 0x%x size %u value 0x%x: %s",
		  __entry->vcpu_id, __entry->kind,
		  __entry->in ? "in" : "out", __entry->port, __entry->size,
		  __entry->value,
		  __print_symbolic(__entry->result, { 0, "done" },
				   { 1, "forwarded" }, { 2, "done, exit" }))
);

#endif /* KVMINI_TRACE_H */

/* Out of tree: define_trace.h finds this file through -I$(src). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE kvmini_trace
#include <trace/define_trace.h>
