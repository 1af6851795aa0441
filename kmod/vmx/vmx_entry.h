/* SPDX-License-Identifier: GPL-2.0 */
/* vmx_entry.h - the assembly in vmx_entry.S, as C sees it. */
#ifndef KVMINI_VMX_ENTRY_H
#define KVMINI_VMX_ENTRY_H

#include <linux/types.h>

/*
 * Load vcpu->gprs, VMLAUNCH (or VMRESUME if launched), and on the VM exit
 * store them back.  Returns 0 after a VM exit, 1 if the instruction
 * itself failed.  host_rsp_field is HOST_RSP, passed in so the assembly
 * needs no VMCS encodings of its own; host_spec_ctrl is the value legacy
 * IBRS needs written back right after the exit.
 */
int kvmini_vmx_enter(unsigned long *gprs, bool launched,
		     unsigned long host_rsp_field, u64 host_spec_ctrl);

/* Run the host's NMI handler for an NMI a VM exit consumed. */
void kvmini_vmx_do_nmi_irqoff(void);

/* Where a VM exit lands: the VMCS's HOST_RIP. */
extern const char kvmini_vmx_exit[];

#endif /* KVMINI_VMX_ENTRY_H */
