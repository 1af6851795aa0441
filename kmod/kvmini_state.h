/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmini_state.h - architectural vCPU state shared by both backends:
 * converting between the uapi structs and the hardware formats, and the
 * state a new vCPU starts in.
 */
#ifndef KVMINI_STATE_H
#define KVMINI_STATE_H

#include "kvmini_core.h"

/* DR7 after reset: all breakpoints off, bit 10 reads as one. */
#define KVMINI_DR7_RESET	0x400

/*
 * The VMX access-rights format: type 3:0, S 4, DPL 6:5, P 7, AVL 12,
 * L 13, D/B 14, G 15, unusable 16.  SVM's 12-bit attribute packs the
 * same fields without the gap (svm/svm.c converts).
 */
#define KVMINI_AR_PRESENT	BIT(7)

u32 kvmini_segment_to_ar(const struct kvmini_segment *s);
void kvmini_segment_from_ar(struct kvmini_segment *s, u32 ar);

/* Real mode at 0000:0000 with 64 KiB segments; caches on, paging off. */
void kvmini_sregs_reset(struct kvmini_sregs *sregs);

void kvmini_gprs_to_regs(const unsigned long *gprs, struct kvmini_regs *regs);
void kvmini_regs_to_gprs(const struct kvmini_regs *regs, unsigned long *gprs);

#endif /* KVMINI_STATE_H */
