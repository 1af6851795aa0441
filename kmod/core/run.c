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
 * Every exit is counted in run->exit_count[] by its vendor-neutral reason.
 * MMIO exits continue in core/mmio.c.
 */
#include <linux/sched/signal.h>
#include <linux/mm.h>
#include <asm/trapnr.h>

#include "../kvmini_vendor.h"
#include "../kvmini_entry.h"

/* The entry assembly indexes vcpu->gprs with these. */
static_assert(GPR_OFF_RCX == GPR_RCX * 8 && GPR_OFF_RBP == GPR_RBP * 8 &&
	      GPR_OFF_RDI == GPR_RDI * 8 && GPR_OFF_R15 == GPR_R15 * 8);

static void *run_io_data(struct kvmini_vcpu *vcpu)
{
	return (u8 *)vcpu->run + KVMINI_RUN_IO_DATA_OFFSET;
}

/* Write size bytes of data into a register the way x86 does. */
static void gpr_write(unsigned long *r, u64 data, int size, bool high_byte)
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
		memcpy(&data, run_io_data(vcpu), p->size);
		break;
	}
	gpr_write(&vcpu->gprs[p->reg], data, p->dest_size, p->high_byte);
	p->active = false;
}

/*
 * Port I/O that userspace emulates: describe it in the run page.  String
 * I/O continues in core/string_io.c.
 */
static int handle_io(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit)
{
	struct kvmini_run *run = vcpu->run;

	if (exit->io.string)
		return kvmini_handle_string_io(vcpu, exit);

	run->io.direction = exit->io.in ? KVMINI_IO_IN : KVMINI_IO_OUT;
	run->io.size = exit->io.size;
	run->io.port = exit->io.port;
	run->io.count = 1;
	run->io.data_offset = KVMINI_RUN_IO_DATA_OFFSET;
	if (exit->io.in)
		vcpu->pending = (struct kvmini_pending_read) {
			.active = true, .size = exit->io.size,
			.dest_size = exit->io.size, .reg = GPR_RAX,
		};
	else
		memcpy(run_io_data(vcpu), &vcpu->gprs[GPR_RAX], exit->io.size);
	kvmini_vendor->skip_instruction(vcpu);
	return 0;
}

/*
 * VMCALL/VMMCALL: to userspace if the VM asked for hypercalls, else #UD
 * as on bare metal.
 */
static int handle_hypercall(struct kvmini_vcpu *vcpu,
			    struct kvmini_exit *exit)
{
	unsigned long *gprs = vcpu->gprs;
	struct kvmini_run *run = vcpu->run;

	if (!(vcpu->vm->flags & KVMINI_VM_HYPERCALLS)) {
		kvmini_queue_exception(vcpu, X86_TRAP_UD, false, 0);
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

	r = kvmini_gpa_map_fault(vcpu->vm, exit->gpa.gpa, exit->gpa.write,
				 &is_mmio);
	if (r)
		return r;
	return is_mmio ? kvmini_handle_mmio(vcpu, exit) : 1;
}

/* > 0: enter the guest again; 0: return to userspace; < 0: error. */
static int kvmini_handle_exit(struct kvmini_vcpu *vcpu,
			      struct kvmini_exit *exit)
{
	switch (exit->reason) {
	case KVMINI_EXIT_EXTINT:
	case KVMINI_EXIT_NMI:
	case KVMINI_EXIT_TIMESLICE:
		return 1;
	case KVMINI_EXIT_GPA_MAP:
		return handle_gpa_fault(vcpu, exit);
	case KVMINI_EXIT_IO:
		return handle_io(vcpu, exit);
	case KVMINI_EXIT_HLT:
		kvmini_vendor->skip_instruction(vcpu);
		return 0;
	case KVMINI_EXIT_CPUID:
		kvmini_handle_cpuid(vcpu);
		return 1;
	case KVMINI_EXIT_MSR:
		kvmini_handle_msr(vcpu, exit);
		return 1;
	case KVMINI_EXIT_HYPERCALL:
		return handle_hypercall(vcpu, exit);
	case KVMINI_EXIT_UNHANDLED:
		return kvmini_fetch_insn(vcpu);
	default:
		/* Shutdown and failed entries stop here. */
		return 0;
	}
}

int kvmini_vcpu_run(struct kvmini_vcpu *vcpu)
{
	struct kvmini_run *run = vcpu->run;
	struct kvmini_exit exit;
	int r;

	if (vcpu->pending.active)
		complete_pending_read(vcpu);
	if (vcpu->pending_ins.active)
		kvmini_complete_string_in(vcpu);

	if (READ_ONCE(run->immediate_exit)) {
		run->exit_reason = KVMINI_EXIT_INTR;
		return -EINTR;
	}

	/* The guest's FPU state is live in the registers while in RUN. */
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, true);
	do {
		if (signal_pending(current)) {
			exit.reason = KVMINI_EXIT_INTR;
			r = -EINTR;
			break;
		}
		cond_resched();

		memset(&exit, 0, sizeof(exit));
		preempt_disable();
		kvmini_vendor->run(vcpu, &exit);
		preempt_enable();

		run->hw = exit.hw;
		r = kvmini_handle_exit(vcpu, &exit);
		run->exit_count[exit.reason]++;
	} while (r > 0);
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, false);

	run->exit_reason = exit.reason;
	return r;
}
