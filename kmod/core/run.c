// SPDX-License-Identifier: GPL-2.0
/*
 * run.c - the RUN ioctl: the path of one exit.
 *
 *   guest executes `out %al, $0xf1`
 *     -> the backend's run op enters the guest, takes the VM exit and
 *        decodes it into a struct kvmini_exit (port 0xf1, size 1, out)
 *     -> kvmini_handle_exit() below either completes it in the kernel
 *        (return 1: enter the guest again at once) or fills the run page
 *        (return 0: RUN returns to userspace)
 *     -> userspace emulates the device and calls RUN again; an IN or an
 *        MMIO read gets its data from the run page here, before the guest
 *        runs again.
 *
 * Every exit is counted and timed (kvmini_stats.h) and traced
 * (kvmini_trace.h) once, after its handler decided where it ends.  Port
 * I/O first asks the VM's in-kernel handlers (core/fastpath.c); MMIO
 * exits continue in core/mmio.c.
 */
#include <linux/sched/signal.h>
#include <linux/mm.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include <uapi/linux/kvm_para.h>

#include "../kvmini_vendor.h"
#include "../kvmini_entry.h"
#include "../kvmini_stats.h"
#include "../kvmini_guest_mode.h"
#include "../kvmini_trace.h"

/* The entry assembly indexes vcpu->gprs with these. */
static_assert(GPR_OFF_RCX == GPR_RCX * 8 && GPR_OFF_RBP == GPR_RBP * 8 &&
	      GPR_OFF_RDI == GPR_RDI * 8 && GPR_OFF_R15 == GPR_R15 * 8);

void *kvmini_run_io_data(struct kvmini_vcpu *vcpu)
{
	return (u8 *)vcpu->run + KVMINI_RUN_IO_DATA_OFFSET;
}

/* Write size bytes of data into a register the way x86 does. */
void kvmini_gpr_write(unsigned long *r, u64 data, int size, bool high_byte)
{
	switch (size) {
	case 1:
		if (high_byte)
			*r = (*r & ~0xff00UL) | (data & 0xff) << 8;
		else
			*r = (*r & ~0xffUL) | (data & 0xff);
		break;
	case 2:
		*r = (*r & ~0xffffUL) | (data & 0xffff);
		break;
	case 4:
		/* A 32-bit destination zero-extends. */
		*r = (u32)data;
		break;
	default:
		*r = data;
		break;
	}
}

/*
 * Finish an IN or MMIO read with the data userspace left in the run
 * page.  The data is copied once: userspace may change the page while
 * we look at it, and must not be able to make us act on two values.
 */
static void complete_pending_read(struct kvmini_vcpu *vcpu)
{
	struct kvmini_pending_read *p = &vcpu->pending;
	u64 data = 0;

	switch (p->source) {
	case KVMINI_READ_MMIO:
		memcpy(&data, vcpu->run->mmio.data, p->size);
		break;
	case KVMINI_READ_HYPERCALL:
		data = READ_ONCE(vcpu->run->hypercall.ret);
		break;
	default:
		memcpy(&data, kvmini_run_io_data(vcpu), p->size);
		break;
	}
	kvmini_gpr_write(&vcpu->gprs[p->reg], data, p->dest_size, p->high_byte);
	p->active = false;
}

/*
 * Port I/O: an in-kernel handler first (core/fastpath.c), else userspace
 * emulates it from the run page.  String I/O goes on in core/string_io.c.
 */
static int handle_io(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit)
{
	struct kvmini_run *run = vcpu->run;
	u32 value = 0;
	int r;

	if (exit->io.string)
		return kvmini_handle_string_io(vcpu, exit);

	r = kvmini_fastpath_io(vcpu, exit);
	if (r != -ENOENT) {
		/* Done in the kernel: RAX holds what was written or read. */
		memcpy(&value, &vcpu->gprs[GPR_RAX], exit->io.size);
		trace_kvmini_pio(vcpu->id, exit->io.port, exit->io.size,
				 exit->io.in, 1, value, true);
		return r;
	}

	run->io.direction = exit->io.in ? KVMINI_IO_IN : KVMINI_IO_OUT;
	run->io.size = exit->io.size;
	run->io.port = exit->io.port;
	run->io.count = 1;
	run->io.data_offset = KVMINI_RUN_IO_DATA_OFFSET;
	if (exit->io.in) {
		vcpu->pending = (struct kvmini_pending_read) {
			.active = true, .size = exit->io.size,
			.dest_size = exit->io.size, .reg = GPR_RAX,
		};
	} else {
		memcpy(kvmini_run_io_data(vcpu), &vcpu->gprs[GPR_RAX],
		       exit->io.size);
		memcpy(&value, &vcpu->gprs[GPR_RAX], exit->io.size);
	}
	trace_kvmini_pio(vcpu->id, exit->io.port, exit->io.size, exit->io.in,
			 1, value, false);
	kvmini_vendor->skip_instruction(vcpu);
	return 0;
}

/*
 * HLT goes to userspace.  Console bytes still buffered go first: the
 * vCPU hands them over as an OUT exit and reports the HLT at the next
 * RUN, so output and halt arrive in the order the guest made them.
 */
static int handle_hlt(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit)
{
	kvmini_vendor->skip_instruction(vcpu);
	/* A queued interrupt the guest can take ends the halt at once. */
	if (kvmini_wakes_from_hlt(vcpu))
		return 1;
	if (vcpu->console.len) {
		kvmini_console_flush(vcpu);
		exit->user_reason = KVMINI_EXIT_IO;
		vcpu->hlt_pending = true;
	}
	return 0;
}

/*
 * A triple fault.  If it came while an event was being delivered, the
 * backend queued that event to be delivered again at the next entry,
 * as after any exit during delivery; here that would shut the guest down
 * again at every RUN, whatever state userspace sets meanwhile.  The
 * event died with the guest: drop it.
 */
static int handle_shutdown(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit)
{
	vcpu->event.info = 0;
	return 0;
}

/* What KVM answers an unknown hypercall: -KVM_ENOSYS in RAX. */
#define KVMINI_HYPERCALL_ENOSYS	1000

/*
 * VMCALL/VMMCALL: to userspace if the VM asked for hypercalls; else the
 * guest gets the error KVM gives for a hypercall it does not know, so a
 * guest probing for KVM's hypercalls carries on.
 */
static int handle_hypercall(struct kvmini_vcpu *vcpu,
			    struct kvmini_exit *exit)
{
	unsigned long *gprs = vcpu->gprs;
	struct kvmini_run *run = vcpu->run;

	/*
	 * Only the guest's kernel may call the hypervisor: from user mode
	 * the call fails with -KVM_EPERM, as on KVM, and never reaches the
	 * VMM, to which a guest's user code could otherwise talk.
	 */
	if (kvmini_vendor->get_cpl(vcpu)) {
		gprs[GPR_RAX] = -KVM_EPERM;
		kvmini_vendor->skip_instruction(vcpu);
		return 1;
	}
	if (!(vcpu->vm->flags & KVMINI_VM_HYPERCALLS)) {
		gprs[GPR_RAX] = -KVMINI_HYPERCALL_ENOSYS;
		kvmini_vendor->skip_instruction(vcpu);
		return 1;
	}
	run->hypercall.nr = gprs[GPR_RAX];
	run->hypercall.args[0] = gprs[GPR_RBX];
	run->hypercall.args[1] = gprs[GPR_RCX];
	run->hypercall.args[2] = gprs[GPR_RDX];
	run->hypercall.args[3] = gprs[GPR_RSI];
	run->hypercall.args[4] = gprs[GPR_RDI];
	run->hypercall.ret = 0;
	vcpu->pending = (struct kvmini_pending_read) {
		.active = true, .source = KVMINI_READ_HYPERCALL, .size = 8,
		.dest_size = 8, .reg = GPR_RAX,
	};
	kvmini_vendor->skip_instruction(vcpu);
	return 0;
}

static int handle_gpa_fault(struct kvmini_vcpu *vcpu,
			    struct kvmini_exit *exit)
{
	bool is_mmio;
	int r;

	/* Page tables and guest memory were touched on the host's behalf. */
	vcpu->l1d_flush_needed = true;
	r = kvmini_gpa_vcpu_fault(vcpu, exit->gpa.gpa, exit->gpa.write,
				  &is_mmio);
	if (r)
		return r;
	if (is_mmio)
		return kvmini_handle_mmio(vcpu, exit);
	/*
	 * The page is there now.  An exception of the guest's own whose
	 * delivery needed it is raised again by the instruction at RIP,
	 * and the CPU then applies its rules for an exception during
	 * delivery (#NP while delivering #PF is #DF) that an injected
	 * exception gets only from a CPU: QEMU's TCG delivers an
	 * injected one without them.  Every other event goes in again.
	 */
	if (vcpu->event_refaults)
		vcpu->event.info = 0;
	return 1;
}

static int handle_cpuid(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit)
{
	kvmini_handle_cpuid(vcpu);
	return 1;
}

static int handle_msr(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit)
{
	kvmini_handle_msr(vcpu, exit);
	return 1;
}

static int handle_unhandled(struct kvmini_vcpu *vcpu,
			    struct kvmini_exit *exit)
{
	return kvmini_fetch_insn(vcpu);
}

/*
 * The guest can take an interrupt now.  A queued one is injected at the
 * next entry; userspace hears of it only if it asked and has nothing
 * queued.
 */
static int handle_irq_window(struct kvmini_vcpu *vcpu,
			     struct kvmini_exit *exit)
{
	return vcpu->userspace_window && kvmini_ready_for_interrupt(vcpu) ?
	       0 : 1;
}

/*
 * MOV to or from CR8, the task priority: VMX exits on them, SVM on a
 * write while a virtual interrupt is pending.  The value lives in the
 * vCPU's CR8 (SET/GET_SREGS); bits 63:4 are reserved.
 */
static int handle_cr_access(struct kvmini_vcpu *vcpu,
			    struct kvmini_exit *exit)
{
	struct kvmini_sregs sregs;
	struct kvmini_regs regs;
	unsigned long *reg;

	if (exit->cr.cr == 0 && exit->cr.write)
		return kvmini_handle_cr0_write(vcpu, exit);
	if (exit->cr.cr == 4 && exit->cr.write)
		return kvmini_handle_cr4_write(vcpu, exit);
	if (exit->cr.cr != 8) {
		exit->reason = KVMINI_EXIT_UNHANDLED;
		return kvmini_fetch_insn(vcpu);
	}
	kvmini_vendor->get_regs(vcpu, &regs);
	kvmini_vendor->get_sregs(vcpu, &sregs);
	/* RSP lives in the VMCS/VMCB: go through regs for it. */
	reg = exit->cr.gpr == GPR_RSP ? (unsigned long *)&regs.rsp :
	      &vcpu->gprs[exit->cr.gpr];
	if (exit->cr.write) {
		if (*reg & ~0xfUL) {
			kvmini_inject_gp(vcpu);
			return 1;
		}
		sregs.cr8 = *reg;
		kvmini_vendor->set_sregs(vcpu, &sregs);
	} else {
		*reg = sregs.cr8;
		if (exit->cr.gpr == GPR_RSP)
			kvmini_vendor->set_regs(vcpu, &regs);
	}
	kvmini_vendor->skip_instruction(vcpu);
	return 1;
}

/*
 * The host took its interrupt or NMI, the time slice ended, or the
 * guest's NMI handler returned (a queued NMI goes in at the next entry).
 */
static int handle_reenter(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit)
{
	return 1;
}

/*
 * The dispatch: one handler per vendor-neutral reason of KVMINI_EXITS.
 * A handler returns > 0 to enter the guest again, 0 to return to
 * userspace with the run page filled, < 0 for an error.  Reasons without
 * a handler (a failed entry) go to userspace as they are.
 */
typedef int (*kvmini_exit_handler_t)(struct kvmini_vcpu *vcpu,
				     struct kvmini_exit *exit);

static const kvmini_exit_handler_t exit_handlers[KVMINI_EXIT_NR] = {
	[KVMINI_EXIT_IO]		= handle_io,
	[KVMINI_EXIT_HLT]		= handle_hlt,
	[KVMINI_EXIT_SHUTDOWN]		= handle_shutdown,
	[KVMINI_EXIT_UNHANDLED]		= handle_unhandled,
	[KVMINI_EXIT_HYPERCALL]		= handle_hypercall,
	[KVMINI_EXIT_EXTINT]		= handle_reenter,
	[KVMINI_EXIT_NMI]		= handle_reenter,
	[KVMINI_EXIT_CPUID]		= handle_cpuid,
	[KVMINI_EXIT_MSR]		= handle_msr,
	[KVMINI_EXIT_GPA_MAP]		= handle_gpa_fault,
	[KVMINI_EXIT_TIMESLICE]		= handle_reenter,
	[KVMINI_EXIT_IRQ_WINDOW]	= handle_irq_window,
	[KVMINI_EXIT_NMI_WINDOW]	= handle_reenter,
	[KVMINI_EXIT_CR_ACCESS]		= handle_cr_access,
	[KVMINI_EXIT_DR_ACCESS]		= kvmini_handle_dr_access,
	[KVMINI_EXIT_XSETBV]		= kvmini_handle_xsetbv,
	[KVMINI_EXIT_EXCEPTION]		= kvmini_handle_exception,
};

static int kvmini_handle_exit(struct kvmini_vcpu *vcpu,
			      struct kvmini_exit *exit)
{
	kvmini_exit_handler_t handler = exit_handlers[exit->reason];

	return handler ? handler(vcpu, exit) : 0;
}

/* Enter the guest once; the exit comes back decoded in *exit. */
static void enter_guest(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit)
{
	memset(exit, 0, sizeof(*exit));
	kvmini_inject_events(vcpu, vcpu->userspace_window);
	preempt_disable();
	if (trace_kvmini_entry_enabled())
		trace_kvmini_entry(vcpu->id, kvmini_vendor->get_rip(vcpu));
	kvmini_vendor->run(vcpu, exit);
	kvmini_guest_timing_exit();
	if (trace_kvmini_exit_enabled())
		exit->rip = kvmini_vendor->get_rip(vcpu);
	preempt_enable();
	/* What the backend needs guest memory for (it may sleep). */
	if (kvmini_vendor->complete_exit)
		kvmini_vendor->complete_exit(vcpu, exit);
}

/* Leave RUN: the reason, and whether an interrupt could go in now. */
static int run_done(struct kvmini_vcpu *vcpu, u32 reason, int r)
{
	struct kvmini_run *run = vcpu->run;

	/* An error ends RUN: no kernel-only reason leaks into the page. */
	run->exit_reason = reason < KVMINI_EXIT_KERNEL_FIRST ? reason :
			   KVMINI_EXIT_NONE;
	run->if_flag = !!(kvmini_vendor->get_rflags(vcpu) & X86_EFLAGS_IF);
	run->ready_for_interrupt_injection = kvmini_ready_for_interrupt(vcpu);
	return r;
}

int kvmini_vcpu_run(struct kvmini_vcpu *vcpu)
{
	struct kvmini_run *run = vcpu->run;
	struct kvmini_exit exit;
	bool in_kernel;
	int r;

	if (vcpu->pending.active)
		complete_pending_read(vcpu);
	if (vcpu->pending_ins.active)
		kvmini_complete_string_in(vcpu);
	/* A HLT that waited behind console output (handle_hlt). */
	if (vcpu->hlt_pending) {
		vcpu->hlt_pending = false;
		return run_done(vcpu, KVMINI_EXIT_HLT, 0);
	}

	if (READ_ONCE(run->immediate_exit))
		return run_done(vcpu, KVMINI_EXIT_INTR, -EINTR);
	/* Userspace ran on this CPU since the last entry. */
	vcpu->l1d_flush_needed = true;
	/* Read once: userspace may change the page while we run. */
	vcpu->userspace_window = READ_ONCE(run->request_interrupt_window);
	if (vcpu->userspace_window && kvmini_ready_for_interrupt(vcpu))
		return run_done(vcpu, KVMINI_EXIT_IRQ_WINDOW, 0);

	/* The guest's FPU state is live in the registers while in RUN. */
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, true);
	do {
		/*
		 * The kernel's pending work before each entry, as KVM's
		 * xfer_to_guest_mode_handle_work() does it: a signal ends
		 * RUN, a reschedule happens here.  TIF_NOTIFY_RESUME work
		 * (task work, rseq) waits until RUN returns to userspace,
		 * where the kernel runs it: a module cannot call it here.
		 */
		if (signal_pending(current)) {
			exit.reason = KVMINI_EXIT_INTR;
			exit.user_reason = 0;
			r = -EINTR;
			break;
		}
		if (need_resched()) {
			vcpu->l1d_flush_needed = true;
			schedule();
		}

		enter_guest(vcpu, &exit);
		run->hw = exit.hw;
		r = kvmini_handle_exit(vcpu, &exit);

		/* Counted and traced once, where it ended up. */
		in_kernel = r > 0;
		kvmini_stats_exit(vcpu, &exit, in_kernel);
		trace_kvmini_exit(vcpu->id, &exit, in_kernel);
	} while (r > 0);
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, false);

	return run_done(vcpu, exit.user_reason ?: exit.reason, r);
}
