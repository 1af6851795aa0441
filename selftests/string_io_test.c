// SPDX-License-Identifier: GPL-2.0
/*
 * string_io_test.c - INS and OUTS: with and without REP, both directions
 * of DF, and counts larger than one run page holds.
 */
#include "kvmini_test.h"

#define BUF	0x4000		/* guest buffer for the strings */

static struct kvmini_vcpu *string_guest(const unsigned char *start,
					const unsigned char *end,
					uint8_t **mem)
{
	return guest_create_mem(start, end, GUEST_MEM_SIZE, mem);
}

#define STRING_GUEST(name, mem) \
	string_guest(guest_##name##_start, guest_##name##_end, mem)

static void expect_string(struct __test_metadata *_metadata,
			  struct kvmini_vcpu *vcpu, int dir, int size,
			  int port, uint32_t count)
{
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_EQ(KVMINI_EXIT_IO, vcpu->run->exit_reason);
	EXPECT_EQ(dir, vcpu->run->io.direction);
	EXPECT_EQ(size, vcpu->run->io.size);
	EXPECT_EQ(port, vcpu->run->io.port);
	EXPECT_EQ(count, vcpu->run->io.count);
}

/* rep outsb: six bytes in one exit, SI and CX updated. */
GUEST_CODE16(rep_outsb,
	"	mov $0x4000, %si\n"
	"	mov $6, %cx\n"
	"	mov $0xf1, %dx\n"
	"	cld\n"
	"	rep outsb\n"
	"	hlt\n");

TEST(rep_outsb)
{
	uint8_t *mem;
	struct kvmini_vcpu *vcpu = STRING_GUEST(rep_outsb, &mem);
	struct kvmini_regs regs;

	memcpy(mem + BUF, "Hello\n", 6);
	expect_string(_metadata, vcpu, KVMINI_IO_OUT, 1, 0xf1, 6);
	EXPECT_EQ(0, memcmp(kvmini_io_data(vcpu), "Hello\n", 6));
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	EXPECT_EQ(KVMINI_EXIT_HLT, vcpu->run->exit_reason);
	kvmini_get_regs(vcpu, &regs);
	EXPECT_EQ(BUF + 6, regs.rsi & 0xffff);
	EXPECT_EQ(0, regs.rcx & 0xffff);
	guest_destroy(vcpu);
}

/* rep outsw backwards (DF=1): the words come out last to first. */
GUEST_CODE16(rep_outsw_down,
	"	mov $0x4004, %si\n"
	"	mov $3, %cx\n"
	"	mov $0x60, %dx\n"
	"	std\n"
	"	rep outsw\n"
	"	cld\n"
	"	hlt\n");

TEST(rep_outsw_backwards)
{
	uint8_t *mem;
	struct kvmini_vcpu *vcpu = STRING_GUEST(rep_outsw_down, &mem);
	uint16_t words[3] = { 0x1111, 0x2222, 0x3333 }, got[3];
	struct kvmini_regs regs;

	memcpy(mem + BUF, words, sizeof(words));
	expect_string(_metadata, vcpu, KVMINI_IO_OUT, 2, 0x60, 3);
	memcpy(got, kvmini_io_data(vcpu), sizeof(got));
	EXPECT_EQ(0x3333, got[0]);
	EXPECT_EQ(0x2222, got[1]);
	EXPECT_EQ(0x1111, got[2]);
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	kvmini_get_regs(vcpu, &regs);
	EXPECT_EQ(BUF - 2, regs.rsi & 0xffff);
	guest_destroy(vcpu);
}

/* rep insb: userspace's bytes land in guest memory at ES:DI. */
GUEST_CODE16(rep_insb,
	"	mov $0x4000, %di\n"
	"	mov $4, %cx\n"
	"	mov $0x70, %dx\n"
	"	cld\n"
	"	rep insb\n"
	"	mov 0x4000, %eax\n"
	"	out %eax, $0x30\n"
	"	hlt\n");

TEST(rep_insb)
{
	uint8_t *mem;
	struct kvmini_vcpu *vcpu = STRING_GUEST(rep_insb, &mem);
	uint32_t echo;

	expect_string(_metadata, vcpu, KVMINI_IO_IN, 1, 0x70, 4);
	memcpy(kvmini_io_data(vcpu), "abcd", 4);
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_EQ(KVMINI_EXIT_IO, vcpu->run->exit_reason);
	memcpy(&echo, kvmini_io_data(vcpu), 4);
	EXPECT_EQ(0, memcmp(&echo, "abcd", 4));
	EXPECT_EQ(0, memcmp(mem + BUF, "abcd", 4));
	guest_destroy(vcpu);
}

/*
 * A larger count written into the run page does not make the kernel
 * store more than the four items the instruction asked for.
 */
TEST(rep_insb_ignores_edited_count)
{
	uint8_t *mem, zero[64] = { 0 };
	struct kvmini_vcpu *vcpu = STRING_GUEST(rep_insb, &mem);

	expect_string(_metadata, vcpu, KVMINI_IO_IN, 1, 0x70, 4);
	memset(kvmini_io_data(vcpu), 'x', 256);
	memcpy(kvmini_io_data(vcpu), "abcd", 4);
	vcpu->run->io.count = 256;
	vcpu->run->io.size = 4;
	vcpu->run->io.data_offset = 0;
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_EQ(KVMINI_EXIT_IO, vcpu->run->exit_reason);
	EXPECT_EQ(0, memcmp(mem + BUF, "abcd", 4));
	EXPECT_EQ(0, memcmp(mem + BUF + 4, zero, sizeof(zero)));
	guest_destroy(vcpu);
}

/* More than a run page: the instruction continues over several exits. */
GUEST_CODE16(rep_outsb_big,
	"	mov $0x4000, %si\n"
	"	mov $4000, %cx\n"
	"	mov $0x80, %dx\n"
	"	cld\n"
	"	rep outsb\n"
	"	hlt\n");

TEST(rep_outsb_larger_than_page)
{
	uint8_t *mem;
	struct kvmini_vcpu *vcpu = STRING_GUEST(rep_outsb_big, &mem);
	uint8_t out[4000];
	uint32_t got = 0;
	int i;

	for (i = 0; i < 4000; i++)
		mem[BUF + i] = i * 7;
	while (got < 4000) {
		ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
		ASSERT_EQ(KVMINI_EXIT_IO, vcpu->run->exit_reason);
		ASSERT_LT(0, vcpu->run->io.count);
		ASSERT_GE(4000, got + vcpu->run->io.count);
		memcpy(out + got, kvmini_io_data(vcpu), vcpu->run->io.count);
		got += vcpu->run->io.count;
	}
	EXPECT_EQ(0, memcmp(out, mem + BUF, 4000));
	EXPECT_LE(2, kvmini_exit_count(vcpu, KVMINI_EXIT_IO));
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	EXPECT_EQ(KVMINI_EXIT_HLT, vcpu->run->exit_reason);
	guest_destroy(vcpu);
}

/* Without REP: one item, CX untouched. */
GUEST_CODE16(outsd_once,
	"	mov $0x4000, %si\n"
	"	mov $0x1234, %cx\n"
	"	mov $0x90, %dx\n"
	"	outsl\n"
	"	hlt\n");

TEST(outsd_without_rep)
{
	uint8_t *mem;
	struct kvmini_vcpu *vcpu = STRING_GUEST(outsd_once, &mem);
	struct kvmini_regs regs;
	uint32_t v = 0xfeedface, got;

	memcpy(mem + BUF, &v, 4);
	expect_string(_metadata, vcpu, KVMINI_IO_OUT, 4, 0x90, 1);
	memcpy(&got, kvmini_io_data(vcpu), 4);
	EXPECT_EQ(v, got);
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	kvmini_get_regs(vcpu, &regs);
	EXPECT_EQ(0x1234, regs.rcx & 0xffff);
	EXPECT_EQ(BUF + 4, regs.rsi & 0xffff);
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
