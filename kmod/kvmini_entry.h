/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmini_entry.h - what the VMX and SVM entry assembly share: byte
 * offsets into vcpu->gprs (enum kvmini_gpr order, checked at build time
 * in core/run.c).  kvmini_entry.inc has the assembly they share.
 */
#ifndef KVMINI_ENTRY_H
#define KVMINI_ENTRY_H

#define GPR_OFF_RAX	(0 * 8)
#define GPR_OFF_RCX	(1 * 8)
#define GPR_OFF_RDX	(2 * 8)
#define GPR_OFF_RBX	(3 * 8)
#define GPR_OFF_RBP	(5 * 8)
#define GPR_OFF_RSI	(6 * 8)
#define GPR_OFF_RDI	(7 * 8)
#define GPR_OFF_R8	(8 * 8)
#define GPR_OFF_R9	(9 * 8)
#define GPR_OFF_R10	(10 * 8)
#define GPR_OFF_R11	(11 * 8)
#define GPR_OFF_R12	(12 * 8)
#define GPR_OFF_R13	(13 * 8)
#define GPR_OFF_R14	(14 * 8)
#define GPR_OFF_R15	(15 * 8)

#endif /* KVMINI_ENTRY_H */
