/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmini_test.h - what every kvmini selftest shares: the harness, raw
 * ioctl helpers for negative tests, and a way to write tiny real-mode
 * guests next to the host code that runs them.
 */
#ifndef KVMINI_TEST_H
#define KVMINI_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kvmini_require.h"
#include "libkvmini.h"

/* Expect `call` to fail with -1 and errno `err`. */
#define EXPECT_ERRNO(err, call)						\
	do {								\
		errno = 0;						\
		EXPECT_EQ(-1, (call));					\
		EXPECT_EQ(err, errno);					\
	} while (0)

/*
 * A guest written in assembly inside a C file, for 16-, 32- or 64-bit
 * code:
 *
 *	GUEST_CODE16(name,
 *		"mov $'H', %al\n"
 *		"out %al, $0xf1\n"
 *		"hlt\n");
 *
 * defines guest_name_start[] and guest_name_end[].  The code must be
 * position independent: the test copies it to the guest's load address.
 */
#define GUEST_CODE(name, bits, text)					\
	extern const unsigned char guest_##name##_start[];		\
	extern const unsigned char guest_##name##_end[];		\
	asm(".pushsection .rodata.guest_" #name ", \"a\"\n"		\
	    ".code" #bits "\n"						\
	    "guest_" #name "_start:\n"					\
	    text							\
	    "guest_" #name "_end:\n"					\
	    ".code64\n"							\
	    ".popsection\n")
#define GUEST_CODE16(name, text)	GUEST_CODE(name, 16, text)
#define GUEST_CODE32(name, text)	GUEST_CODE(name, 32, text)
#define GUEST_CODE64(name, text)	GUEST_CODE(name, 64, text)

#define GUEST_LOAD_ADDR		0x1000
#define GUEST_MEM_SIZE		(1 << 20)

/*
 * A VM with mem_size bytes of memory at 0, the guest copied to 0x1000 and
 * one vCPU starting there.  The memory is returned in *mem if asked for.
 */
static inline struct kvmini_vcpu *
guest_create_mem(const unsigned char *start, const unsigned char *end,
		 size_t mem_size, uint8_t **mem)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	struct kvmini_vcpu *vcpu;
	uint8_t *m;

	m = kvmini_vm_add_memory(vm, 0, mem_size);
	memcpy(m + GUEST_LOAD_ADDR, start, end - start);
	vcpu = kvmini_vcpu_create(vm, 0);
	kvmini_vcpu_setup_real_mode(vcpu, GUEST_LOAD_ADDR, 0x8000);
	if (mem)
		*mem = m;
	return vcpu;
}

static inline struct kvmini_vcpu *
guest_create(const unsigned char *start, const unsigned char *end)
{
	return guest_create_mem(start, end, GUEST_MEM_SIZE, NULL);
}

#define GUEST_CREATE(name)						\
	guest_create(guest_##name##_start, guest_##name##_end)

static inline void guest_destroy(struct kvmini_vcpu *vcpu)
{
	struct kvmini_vm *vm = vcpu->vm;

	kvmini_vcpu_free(vcpu);
	kvmini_vm_free(vm);
}

/* RUN once and require the given exit; names make a mismatch readable. */
static inline void expect_exit(struct __test_metadata *_metadata,
			       struct kvmini_vcpu *vcpu, uint32_t reason)
{
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_STREQ(kvmini_exit_name(reason),
		     kvmini_exit_name(vcpu->run->exit_reason));
}

#endif /* KVMINI_TEST_H */
