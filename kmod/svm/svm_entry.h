/* SPDX-License-Identifier: GPL-2.0 */
/* svm_entry.h - the assembly in svm_entry.S, as C sees it. */
#ifndef KVMINI_SVM_ENTRY_H
#define KVMINI_SVM_ENTRY_H

/*
 * VMSAVE the host's segment state to host_save_pa, VMLOAD the guest's,
 * VMRUN with vcpu->gprs loaded, then the reverse.  Call with GIF clear.
 */
void kvmini_svm_enter(unsigned long vmcb_pa, unsigned long *gprs,
		      unsigned long host_save_pa);

#endif /* KVMINI_SVM_ENTRY_H */
