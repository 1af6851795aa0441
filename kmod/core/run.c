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
 *     -> userspace emulates the device and calls RUN again; an IN gets
 *        its data from the run page here, before the guest runs again.
 *
 * Every exit is counted in run->exit_count[] by its vendor-neutral reason.
 */
#include <linux/sched/signal.h>
#include <linux/mm.h>
#include <asm/processor-flags.h>

#include "../kvmini_vendor.h"
#include "../kvmini_entry.h"

/* The entry assembly indexes vcpu->gprs with these. */
static_assert(GPR_OFF_RCX == GPR_RCX * 8 && GPR_OFF_RBP == GPR_RBP * 8 &&
	      GPR_OFF_RDI == GPR_RDI * 8 && GPR_OFF_R15 == GPR_R15 * 8);

static void *run_io_data(struct kvmini_vcpu *vcpu)
{
	return (u8 *)vcpu->run + KVMINI_RUN_IO_DATA_OFFSET;
}

/* Port I/O that userspace emulates: describe it in the run page. */
static int handle_io(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit)
{
	struct kvmini_run *run = vcpu->run;

	if (exit->io.string) {
		/* rep ins/outs need the guest's segments: not yet. */
		exit->reason = KVMINI_EXIT_UNHANDLED;
		return 0;
	}

	run->io.direction = exit->io.in ? KVMINI_IO_IN : KVMINI_IO_OUT;
	run->io.size = exit->io.size;
	run->io.port = exit->io.port;
	run->io.count = 1;
	run->io.data_offset = KVMINI_RUN_IO_DATA_OFFSET;
	if (exit->io.in) {
		vcpu->pending_in = true;
		vcpu->pending_in_size = exit->io.size;
	} else {
		memcpy(run_io_data(vcpu), &vcpu->gprs[GPR_RAX], exit->io.size);
	}
	kvmini_vendor->skip_instruction(vcpu);
	return 0;
}

/* Finish an IN with the data userspace left in the run page. */
static void complete_pending_in(struct kvmini_vcpu *vcpu)
{
	unsigned long *rax = &vcpu->gprs[GPR_RAX];
	u32 data = 0;

	memcpy(&data, run_io_data(vcpu), vcpu->pending_in_size);
	switch (vcpu->pending_in_size) {
	case 1:
		*rax = (*rax & ~0xffUL) | data;
		break;
	case 2:
		*rax = (*rax & ~0xffffUL) | data;
		break;
	default:
		/* A 32-bit destination zero-extends, as on hardware. */
		*rax = data;
		break;
	}
	vcpu->pending_in = false;
}

/*
 * Copy the instruction at RIP into the run page, for an exit userspace
 * has to make sense of.  Without paging the linear address is physical;
 * with paging it needs a guest page walk, and insn_len stays 0.  Returns
 * -EFAULT if not even one byte is in guest memory: the guest is executing
 * outside every slot.
 */
static int fetch_insn(struct kvmini_vcpu *vcpu)
{
	struct kvmini_run *run = vcpu->run;
	struct kvmini_sregs sregs;
	struct kvmini_regs regs;
	u64 linear;
	int n;

	run->unhandled.insn_len = 0;
	kvmini_vendor->get_regs(vcpu, &regs);
	kvmini_vendor->get_sregs(vcpu, &sregs);
	if (sregs.cr0 & X86_CR0_PG)
		return 0;
	linear = (u32)(sregs.cs.base + regs.rip);
	for (n = 0; n < 15; n++)
		if (kvmini_read_guest(vcpu->vm, linear + n,
				      &run->unhandled.insn[n], 1))
			break;
	run->unhandled.insn_len = n;
	return n ? 0 : -EFAULT;
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
	if (!is_mmio)
		return 1;
	/* MMIO needs the instruction decoded: until then, show it raw. */
	exit->reason = KVMINI_EXIT_UNHANDLED;
	return fetch_insn(vcpu);
}

/* > 0: enter the guest again; 0: return to userspace; < 0: error. */
static int kvmini_handle_exit(struct kvmini_vcpu *vcpu,
			      struct kvmini_exit *exit)
{
	switch (exit->reason) {
	case KVMINI_EXIT_EXTINT:
	case KVMINI_EXIT_NMI:
		return 1;
	case KVMINI_EXIT_GPA_MAP:
		return handle_gpa_fault(vcpu, exit);
	case KVMINI_EXIT_IO:
		return handle_io(vcpu, exit);
	case KVMINI_EXIT_HLT:
		kvmini_vendor->skip_instruction(vcpu);
		return 0;
	case KVMINI_EXIT_UNHANDLED:
		return fetch_insn(vcpu);
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

	if (vcpu->pending_in)
		complete_pending_in(vcpu);

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
