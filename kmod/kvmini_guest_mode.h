/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmini_guest_mode.h - what every entry into the guest does right
 * before the VMLAUNCH/VMRESUME/VMRUN, with interrupts off, and what the
 * core does once the exit's interrupt was taken.
 *
 * Time in guest mode is guest time, as with KVM: the task carries
 * PF_VCPU (or vtime's guest state on nohz_full CPUs) from here until
 * kvmini_guest_timing_exit(), so the tick that ends a guest's slice, and
 * top, perf and /proc/stat, count it as guest time.
 */
#ifndef KVMINI_GUEST_MODE_H
#define KVMINI_GUEST_MODE_H

#include <linux/vtime.h>
#include <asm/fpu/api.h>
#include "kvmini_stats.h"

/*
 * First thing once interrupts are off: RUN swapped the guest's FPU state
 * in, but a reschedule since (another vCPU's thread, any task) or an
 * interrupt's kernel_fpu_begin() saved it and left the registers to be
 * reloaded on the way back to user mode, which a guest entry is not.
 * Entered as they are, the guest would run on another task's FPU and
 * SIMD registers: its own state lost, the other's shown to it.  Before
 * the guest's XCR0 goes in, so XRSTOR sees the host's.
 */
static __always_inline void kvmini_guest_fpu_reload(void)
{
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
}

static __always_inline void kvmini_guest_enter_irqoff(struct kvmini_vcpu *vcpu)
{
	kvmini_stats_entry(vcpu);
	instrumentation_begin();
	vtime_account_guest_enter();
	instrumentation_end();
}

/* After the backend's run op, which took the exit's interrupt. */
static inline void kvmini_guest_timing_exit(void)
{
	local_irq_disable();
	vtime_account_guest_exit();
	local_irq_enable();
}

#endif /* KVMINI_GUEST_MODE_H */
