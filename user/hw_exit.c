// SPDX-License-Identifier: GPL-2.0
/*
 * hw_exit.c - hardware exit reasons by name, for either vendor.
 *
 * The names are the kernel's own: VMX_EXIT_REASONS from <asm/vmx.h> and
 * SVM_EXIT_REASONS from <asm/svm.h>, the tables KVM's tracepoints and
 * kvmini's statistics print with, so the tool, the traces and the
 * statistics always agree on a name.  Nothing here is a copy.
 */
#include <stdint.h>
#include <asm/kvm.h>	/* the exception vectors SVM_EXIT_REASONS names */
#include <asm/svm.h>
#include <asm/vmx.h>

#include "libkvmini.h"

struct hw_exit_name {
	int64_t code;
	const char *name;
};

static const struct hw_exit_name vmx_names[] = { VMX_EXIT_REASONS };
static const struct hw_exit_name svm_names[] = { SVM_EXIT_REASONS };

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static const char *lookup(const struct hw_exit_name *t, unsigned int n,
			  uint32_t code)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if ((uint32_t)t[i].code == code)
			return t[i].name;
	return NULL;
}

const char *kvmini_hw_exit_name(uint32_t vendor, uint64_t code)
{
	switch (vendor) {
	case KVMINI_VENDOR_VMX:
		/*
		 * The basic exit reason is bits 15:0; the bits above flag
		 * a failed entry or an exit from an enclave.
		 */
		return lookup(vmx_names, ARRAY_SIZE(vmx_names), code & 0xffff);
	case KVMINI_VENDOR_SVM:
		/*
		 * Exit codes are 64 bits wide, but every code the table
		 * names fits in 32, and -1 (invalid guest state) is
		 * 0xffffffff where only the low half is kept.
		 */
		if (code >> 32 && code != UINT64_MAX)
			return NULL;
		return lookup(svm_names, ARRAY_SIZE(svm_names), code);
	default:
		return NULL;
	}
}
