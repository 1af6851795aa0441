// SPDX-License-Identifier: GPL-2.0
/*
 * fastpath_test.c - in-kernel port handlers: each kind, attaching and
 * detaching (also while the guest runs, under a signal storm), and every
 * rejected request, which must leave the table as it was.
 *
 * The guests are tiny real-mode loops whose port, count and data come in
 * registers, so one VM serves a whole test.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include "kvmini_test.h"

/* CX times: OUT AL to port DX; then HLT. */
GUEST_CODE16(out_loop,
	"1:	out %al, %dx\n"
	"	loop 1b\n"
	"	hlt\n");

/* Every access size against one port (DX); results in BL, SI, EDI. */
GUEST_CODE16(io_probe,
	"	mov $0x12345678, %eax\n"
	"	out %eax, %dx\n"
	"	in %dx, %al\n"
	"	mov %al, %bl\n"
	"	in %dx, %ax\n"
	"	mov %ax, %si\n"
	"	mov $0xab, %al\n"
	"	out %al, %dx\n"
	"	in %dx, %eax\n"
	"	mov %eax, %edi\n"
	"	hlt\n");

/* CX bytes from DS:SI to port DX, one OUT each; then HLT. */
GUEST_CODE16(write_string,
	"1:	lodsb\n"
	"	out %al, %dx\n"
	"	loop 1b\n"
	"	hlt\n");

/* One IN from port DX into AL; then HLT. */
GUEST_CODE16(in_once,
	"	in %dx, %al\n"
	"	hlt\n");

/* CX bytes from DS:SI to port DX, then one IN from port BX; HLT. */
GUEST_CODE16(write_then_in,
	"1:	lodsb\n"
	"	out %al, %dx\n"
	"	loop 1b\n"
	"	mov %bx, %dx\n"
	"	in %dx, %al\n"
	"	hlt\n");

#define OUT_LOOP	0x1000
#define IO_PROBE	0x1100
#define WRITE_STRING	0x1200
#define IN_ONCE		0x1300
#define WRITE_THEN_IN	0x1400
#define STRING_ADDR	0x2000

FIXTURE(fp) {
	struct kvmini_vm *vm;
	struct kvmini_vcpu *vcpu;
	uint8_t *mem;
};

FIXTURE_SETUP(fp)
{
	self->vm = kvmini_vm_create();
	self->mem = kvmini_vm_add_memory(self->vm, 0, GUEST_MEM_SIZE);
	memcpy(self->mem + OUT_LOOP, guest_out_loop_start,
	       guest_out_loop_end - guest_out_loop_start);
	memcpy(self->mem + IO_PROBE, guest_io_probe_start,
	       guest_io_probe_end - guest_io_probe_start);
	memcpy(self->mem + WRITE_STRING, guest_write_string_start,
	       guest_write_string_end - guest_write_string_start);
	memcpy(self->mem + IN_ONCE, guest_in_once_start,
	       guest_in_once_end - guest_in_once_start);
	memcpy(self->mem + WRITE_THEN_IN, guest_write_then_in_start,
	       guest_write_then_in_end - guest_write_then_in_start);
	self->vcpu = kvmini_vcpu_create(self->vm, 0);
}

FIXTURE_TEARDOWN(fp)
{
	kvmini_vcpu_free(self->vcpu);
	kvmini_vm_free(self->vm);
}

/* Start the guest at rip with ax, cx, dx and si set. */
static void start(struct kvmini_vcpu *vcpu, uint64_t rip, uint64_t ax,
		  uint64_t cx, uint64_t dx, uint64_t si)
{
	struct kvmini_regs regs;

	kvmini_vcpu_setup_real_mode(vcpu, rip, 0x8000);
	kvmini_get_regs(vcpu, &regs);
	regs.rax = ax;
	regs.rcx = cx;
	regs.rdx = dx;
	regs.rsi = si;
	kvmini_set_regs(vcpu, &regs);
}

/*
 * Run until HLT; returns how many OUTs to port reached userspace, and
 * fails the test on any other exit.
 */
static int run_to_hlt(struct __test_metadata *_metadata,
		      struct kvmini_vcpu *vcpu, uint16_t port)
{
	struct kvmini_run *run = vcpu->run;
	int outs = 0;

	for (;;) {
		EXPECT_EQ(0, kvmini_vcpu_run(vcpu));
		if (run->exit_reason == KVMINI_EXIT_HLT)
			return outs;
		if (run->exit_reason == KVMINI_EXIT_INTR)
			continue;
		EXPECT_EQ(KVMINI_EXIT_IO, run->exit_reason);
		EXPECT_EQ(port, run->io.port);
		if (run->exit_reason != KVMINI_EXIT_IO || run->io.port != port)
			return -1;
		outs += run->io.count;
	}
}

/* How many of n OUTs to port reach userspace. */
static int outs_forwarded(struct __test_metadata *_metadata,
			  struct kvmini_vcpu *vcpu, uint16_t port, int n)
{
	start(vcpu, OUT_LOOP, 0x5a, n, port, 0);
	return run_to_hlt(_metadata, vcpu, port);
}

static int attach(struct kvmini_vm *vm, uint16_t first, uint16_t last,
		  uint32_t kind)
{
	struct kvmini_port_handler h = {
		.first_port = first, .last_port = last, .kind = kind,
	};

	return ioctl(vm->fd, KVMINI_ATTACH_PORT_HANDLER, &h);
}

static int detach(struct kvmini_vm *vm, uint16_t first, uint16_t last)
{
	struct kvmini_port_handler h = {
		.first_port = first, .last_port = last,
	};

	return ioctl(vm->fd, KVMINI_DETACH_PORT_HANDLER, &h);
}

static void probe(struct __test_metadata *_metadata,
		  struct kvmini_vcpu *vcpu, uint16_t port, uint32_t *bl,
		  uint32_t *si, uint32_t *edi)
{
	struct kvmini_regs regs;

	start(vcpu, IO_PROBE, 0, 0, port, 0);
	ASSERT_EQ(0, run_to_hlt(_metadata, vcpu, port));
	kvmini_get_regs(vcpu, &regs);
	*bl = regs.rbx & 0xff;
	*si = regs.rsi & 0xffff;
	*edi = (uint32_t)regs.rdi;
}

TEST_F(fp, sink)
{
	uint32_t bl, si, edi;

	ASSERT_EQ(0, attach(self->vm, 0x80, 0x80, KVMINI_PORT_SINK));
	probe(_metadata, self->vcpu, 0x80, &bl, &si, &edi);
	EXPECT_EQ(0xff, bl);
	EXPECT_EQ(0xffff, si);
	EXPECT_EQ(0xffffffff, edi);
	EXPECT_EQ(0, outs_forwarded(_metadata, self->vcpu, 0x80, 100));
	/* Five accesses of the probe and a hundred OUTs, none forwarded. */
	EXPECT_EQ(105, kvmini_exit_count(self->vcpu, KVMINI_EXIT_IO));
}

TEST_F(fp, counter)
{
	uint32_t bl, si, edi;

	ASSERT_EQ(0, attach(self->vm, 0x90, 0x93, KVMINI_PORT_COUNTER));
	/* OUT, IN (2), IN (3), OUT, IN (5): each IN reads itself counted. */
	probe(_metadata, self->vcpu, 0x92, &bl, &si, &edi);
	EXPECT_EQ(2, bl);
	EXPECT_EQ(3, si);
	EXPECT_EQ(5, edi);
	/* One count for the whole range: 0x90 continues from 5. */
	EXPECT_EQ(0, outs_forwarded(_metadata, self->vcpu, 0x90, 250));
	probe(_metadata, self->vcpu, 0x93, &bl, &si, &edi);
	EXPECT_EQ(257 & 0xff, bl);
	EXPECT_EQ(258, si);
	EXPECT_EQ(260, edi);
}

TEST_F(fp, loopback)
{
	uint32_t bl, si, edi;

	ASSERT_EQ(0, attach(self->vm, 0x70, 0x70, KVMINI_PORT_LOOPBACK));
	probe(_metadata, self->vcpu, 0x70, &bl, &si, &edi);
	EXPECT_EQ(0x78, bl);		/* of 0x12345678 */
	EXPECT_EQ(0x5678, si);
	EXPECT_EQ(0xab, edi);		/* a byte OUT stores one byte */
}

/* Until attached, and again once detached, the port is userspace's. */
TEST_F(fp, detach_forwards_again)
{
	EXPECT_EQ(10, outs_forwarded(_metadata, self->vcpu, 0x80, 10));
	ASSERT_EQ(0, attach(self->vm, 0x80, 0x80, KVMINI_PORT_SINK));
	EXPECT_EQ(0, outs_forwarded(_metadata, self->vcpu, 0x80, 10));
	ASSERT_EQ(0, detach(self->vm, 0x80, 0x80));
	EXPECT_EQ(10, outs_forwarded(_metadata, self->vcpu, 0x80, 10));
	/* Reattaching the same range works: the slot was freed. */
	ASSERT_EQ(0, attach(self->vm, 0x80, 0x80, KVMINI_PORT_SINK));
	EXPECT_EQ(0, outs_forwarded(_metadata, self->vcpu, 0x80, 10));
}

/* A range covers its ports and no others. */
TEST_F(fp, range_bounds)
{
	ASSERT_EQ(0, attach(self->vm, 0x100, 0x10f, KVMINI_PORT_SINK));
	EXPECT_EQ(0, outs_forwarded(_metadata, self->vcpu, 0x100, 3));
	EXPECT_EQ(0, outs_forwarded(_metadata, self->vcpu, 0x10f, 3));
	EXPECT_EQ(3, outs_forwarded(_metadata, self->vcpu, 0xff, 3));
	EXPECT_EQ(3, outs_forwarded(_metadata, self->vcpu, 0x110, 3));
	ASSERT_EQ(0, attach(self->vm, 0xffff, 0xffff, KVMINI_PORT_SINK));
	EXPECT_EQ(0, outs_forwarded(_metadata, self->vcpu, 0xffff, 3));
	ASSERT_EQ(0, attach(self->vm, 0, 0, KVMINI_PORT_SINK));
	EXPECT_EQ(0, outs_forwarded(_metadata, self->vcpu, 0, 3));
}

/* ------------------------------------------------------------------ */
/* The console                                                          */
/* ------------------------------------------------------------------ */

static void write_string(struct kvmini_vcpu *vcpu, uint8_t *mem,
			 uint16_t port, const char *s, size_t len)
{
	memcpy(mem + STRING_ADDR, s, len);
	start(vcpu, WRITE_STRING, 0, len, port, STRING_ADDR);
}

/* Expect one batch of console bytes. */
static void expect_batch(struct __test_metadata *_metadata,
			 struct kvmini_vcpu *vcpu, uint16_t port,
			 const char *want, size_t len)
{
	struct kvmini_run *run = vcpu->run;

	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_EQ(KVMINI_EXIT_IO, run->exit_reason);
	EXPECT_EQ(KVMINI_IO_OUT, run->io.direction);
	EXPECT_EQ(1, run->io.size);
	EXPECT_EQ(port, run->io.port);
	ASSERT_EQ(len, run->io.count);
	EXPECT_EQ(0, memcmp(want, kvmini_io_data(vcpu), len));
}

/* Lines go out whole; what is left goes out before the HLT. */
TEST_F(fp, console_lines)
{
	ASSERT_EQ(0, attach(self->vm, 0xe9, 0xe9, KVMINI_PORT_CONSOLE));
	write_string(self->vcpu, self->mem, 0xe9, "one\ntwo\nthr", 11);
	expect_batch(_metadata, self->vcpu, 0xe9, "one\n", 4);
	expect_batch(_metadata, self->vcpu, 0xe9, "two\n", 4);
	expect_batch(_metadata, self->vcpu, 0xe9, "thr", 3);
	expect_exit(_metadata, self->vcpu, KVMINI_EXIT_HLT);
	/* Eleven OUTs and one HLT, each counted once. */
	EXPECT_EQ(11, kvmini_exit_count(self->vcpu, KVMINI_EXIT_IO));
	EXPECT_EQ(1, kvmini_exit_count(self->vcpu, KVMINI_EXIT_HLT));
}

/* Without a newline, a full buffer goes out in one exit. */
TEST_F(fp, console_full)
{
	char buf[KVMINI_CONSOLE_BUF + 10];

	memset(buf, 'x', sizeof(buf));
	ASSERT_EQ(0, attach(self->vm, 0xe9, 0xe9, KVMINI_PORT_CONSOLE));
	write_string(self->vcpu, self->mem, 0xe9, buf, sizeof(buf));
	expect_batch(_metadata, self->vcpu, 0xe9, buf, KVMINI_CONSOLE_BUF);
	expect_batch(_metadata, self->vcpu, 0xe9, buf, 10);
	expect_exit(_metadata, self->vcpu, KVMINI_EXIT_HLT);
}

/*
 * Write "text" to the console at port, then IN from the forwarded port
 * 0x60: the vCPU stops there with the text still buffered.
 */
static void write_then_in(struct __test_metadata *_metadata,
			  struct kvmini_vcpu *vcpu, uint8_t *mem,
			  uint16_t port, const char *text)
{
	struct kvmini_regs regs;

	memcpy(mem + STRING_ADDR, text, strlen(text));
	start(vcpu, WRITE_THEN_IN, 0, strlen(text), port, STRING_ADDR);
	kvmini_get_regs(vcpu, &regs);
	regs.rbx = 0x60;
	kvmini_set_regs(vcpu, &regs);
}

static void expect_in_0x60(struct __test_metadata *_metadata,
			   struct kvmini_vcpu *vcpu)
{
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_EQ(KVMINI_EXIT_IO, vcpu->run->exit_reason);
	EXPECT_EQ(KVMINI_IO_IN, vcpu->run->io.direction);
	EXPECT_EQ(0x60, vcpu->run->io.port);
}

/* Take up to size buffered bytes; check them and their port. */
static void expect_read(struct __test_metadata *_metadata,
			struct kvmini_vcpu *vcpu, uint32_t size,
			const char *want, uint16_t port)
{
	struct kvmini_console_read req = { .size = size };
	char buf[16] = {};

	req.buf = (uintptr_t)buf;
	ASSERT_EQ(strlen(want), ioctl(vcpu->fd, KVMINI_READ_CONSOLE, &req));
	EXPECT_STREQ(want, buf);
	if (*want)
		EXPECT_EQ(port, req.port);
}

/* KVMINI_READ_CONSOLE takes buffered bytes whenever userspace asks. */
TEST_F(fp, console_read)
{
	ASSERT_EQ(0, attach(self->vm, 0xe9, 0xe9, KVMINI_PORT_CONSOLE));
	expect_read(_metadata, self->vcpu, 8, "", 0);
	write_then_in(_metadata, self->vcpu, self->mem, 0xe9, "xyz");
	expect_in_0x60(_metadata, self->vcpu);
	/* A short read leaves the rest first in line. */
	expect_read(_metadata, self->vcpu, 2, "xy", 0xe9);
	expect_read(_metadata, self->vcpu, 8, "z", 0xe9);
	expect_read(_metadata, self->vcpu, 8, "", 0);
	/* Nothing left to deliver before the HLT. */
	expect_exit(_metadata, self->vcpu, KVMINI_EXIT_HLT);
}

/* Two consoles: the bytes of the first go out before the second's. */
TEST_F(fp, console_two_ports)
{
	ASSERT_EQ(0, attach(self->vm, 0xe9, 0xe9, KVMINI_PORT_CONSOLE));
	ASSERT_EQ(0, attach(self->vm, 0x402, 0x403, KVMINI_PORT_CONSOLE));
	write_then_in(_metadata, self->vcpu, self->mem, 0xe9, "ab");
	expect_in_0x60(_metadata, self->vcpu);
	/* The first OUT to 0x403 hands "ab" over, then "cd" waits. */
	write_then_in(_metadata, self->vcpu, self->mem, 0x403, "cd");
	expect_batch(_metadata, self->vcpu, 0xe9, "ab", 2);
	expect_in_0x60(_metadata, self->vcpu);
	/* A range's bytes go out under its first port. */
	expect_read(_metadata, self->vcpu, 8, "cd", 0x402);
	/* Two IN and four OUT exits, whether batched or not. */
	EXPECT_EQ(6, kvmini_exit_count(self->vcpu, KVMINI_EXIT_IO));
}

/* ------------------------------------------------------------------ */
/* The eventfd                                                          */
/* ------------------------------------------------------------------ */

static int attach_eventfd(struct kvmini_vm *vm, uint16_t port, int fd,
			  uint32_t flags, uint64_t value)
{
	struct kvmini_port_handler h = {
		.first_port = port, .last_port = port,
		.kind = KVMINI_PORT_EVENTFD, .fd = fd, .flags = flags,
		.value = value,
	};

	return ioctl(vm->fd, KVMINI_ATTACH_PORT_HANDLER, &h);
}

TEST_F(fp, eventfd)
{
	int efd = eventfd(0, EFD_NONBLOCK);
	uint64_t n = 0;

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, attach_eventfd(self->vm, 0x500, efd, 0, 0));
	EXPECT_EQ(0, outs_forwarded(_metadata, self->vcpu, 0x500, 5));
	ASSERT_EQ(8, read(efd, &n, 8));
	EXPECT_EQ(5, n);
	/* An IN is not a doorbell: it goes to userspace. */
	start(self->vcpu, IN_ONCE, 0, 0, 0x500, 0);
	ASSERT_EQ(0, kvmini_vcpu_run(self->vcpu));
	EXPECT_EQ(KVMINI_EXIT_IO, self->vcpu->run->exit_reason);
	EXPECT_EQ(KVMINI_IO_IN, self->vcpu->run->io.direction);
	/* The range holds its own reference: closing our fd is fine. */
	close(efd);
	EXPECT_EQ(0, outs_forwarded(_metadata, self->vcpu, 0x500, 2));
}

TEST_F(fp, eventfd_match_value)
{
	int efd = eventfd(0, EFD_NONBLOCK);
	uint64_t n = 0;

	ASSERT_LE(0, efd);
	ASSERT_EQ(0, attach_eventfd(self->vm, 0x501, efd,
				    KVMINI_PORT_MATCH_VALUE, 0x5a));
	/* outs_forwarded writes 0x5a: all signal. */
	EXPECT_EQ(0, outs_forwarded(_metadata, self->vcpu, 0x501, 3));
	ASSERT_EQ(8, read(efd, &n, 8));
	EXPECT_EQ(3, n);
	/* Another value goes to userspace, and signals nothing. */
	start(self->vcpu, OUT_LOOP, 0x5b, 4, 0x501, 0);
	EXPECT_EQ(4, run_to_hlt(_metadata, self->vcpu, 0x501));
	EXPECT_EQ(-1, read(efd, &n, 8));
	EXPECT_EQ(EAGAIN, errno);
	close(efd);
}

/* ------------------------------------------------------------------ */
/* Rejected requests: a precise errno, and nothing changed              */
/* ------------------------------------------------------------------ */

/* The table the bad-input tests start from and must find unchanged. */
static void expect_table_unchanged(struct __test_metadata *_metadata,
				   struct kvmini_vcpu *vcpu)
{
	EXPECT_EQ(0, outs_forwarded(_metadata, vcpu, 0x80, 2));
	EXPECT_EQ(2, outs_forwarded(_metadata, vcpu, 0x81, 2));
	EXPECT_EQ(2, outs_forwarded(_metadata, vcpu, 0x7f, 2));
}

#define EXPECT_REJECTED(err, call)					\
	do {								\
		EXPECT_ERRNO(err, call);				\
		expect_table_unchanged(_metadata, self->vcpu);		\
	} while (0)

TEST_F(fp, bad_overlap)
{
	ASSERT_EQ(0, attach(self->vm, 0x80, 0x80, KVMINI_PORT_SINK));
	EXPECT_REJECTED(EEXIST, attach(self->vm, 0x80, 0x80,
				       KVMINI_PORT_COUNTER));
	EXPECT_REJECTED(EEXIST, attach(self->vm, 0x7f, 0x81,
				       KVMINI_PORT_SINK));
	EXPECT_REJECTED(EEXIST, attach(self->vm, 0, 0xffff,
				       KVMINI_PORT_SINK));
}

TEST_F(fp, bad_kind)
{
	ASSERT_EQ(0, attach(self->vm, 0x80, 0x80, KVMINI_PORT_SINK));
	EXPECT_REJECTED(EINVAL, attach(self->vm, 0x81, 0x81, 0));
	EXPECT_REJECTED(EINVAL, attach(self->vm, 0x81, 0x81, 6));
	EXPECT_REJECTED(EINVAL, attach(self->vm, 0x81, 0x81, 0xffffffff));
}

TEST_F(fp, bad_fields)
{
	struct kvmini_port_handler h = {
		.first_port = 0x81, .last_port = 0x81,
		.kind = KVMINI_PORT_SINK,
	};
	unsigned int i;

	ASSERT_EQ(0, attach(self->vm, 0x80, 0x80, KVMINI_PORT_SINK));
	h.flags = 2;
	EXPECT_REJECTED(EINVAL, ioctl(self->vm->fd,
				      KVMINI_ATTACH_PORT_HANDLER, &h));
	/* MATCH_VALUE and fd belong to eventfds only. */
	h.flags = KVMINI_PORT_MATCH_VALUE;
	EXPECT_REJECTED(EINVAL, ioctl(self->vm->fd,
				      KVMINI_ATTACH_PORT_HANDLER, &h));
	h.flags = 0;
	h.fd = 1;
	EXPECT_REJECTED(EINVAL, ioctl(self->vm->fd,
				      KVMINI_ATTACH_PORT_HANDLER, &h));
	h.fd = 0;
	h.value = 1;
	EXPECT_REJECTED(EINVAL, ioctl(self->vm->fd,
				      KVMINI_ATTACH_PORT_HANDLER, &h));
	h.value = 0;
	for (i = 0; i < 4; i++) {
		h.reserved[i] = 1;
		EXPECT_REJECTED(EINVAL, ioctl(self->vm->fd,
					      KVMINI_ATTACH_PORT_HANDLER, &h));
		h.reserved[i] = 0;
	}
	/* A backwards range. */
	EXPECT_REJECTED(EINVAL, attach(self->vm, 0x82, 0x81,
				       KVMINI_PORT_SINK));
	/* The same request, corrected, works. */
	EXPECT_EQ(0, ioctl(self->vm->fd, KVMINI_ATTACH_PORT_HANDLER, &h));
	EXPECT_EQ(0, outs_forwarded(_metadata, self->vcpu, 0x81, 2));
}

TEST_F(fp, bad_value_without_match)
{
	int efd = eventfd(0, 0);

	ASSERT_EQ(0, attach(self->vm, 0x80, 0x80, KVMINI_PORT_SINK));
	EXPECT_REJECTED(EINVAL, attach_eventfd(self->vm, 0x81, efd, 0, 7));
	close(efd);
}

TEST_F(fp, bad_eventfd)
{
	int null = open("/dev/null", O_RDWR), efd = eventfd(0, 0);

	ASSERT_EQ(0, attach(self->vm, 0x80, 0x80, KVMINI_PORT_SINK));
	EXPECT_REJECTED(EBADF, attach_eventfd(self->vm, 0x81, -1, 0, 0));
	EXPECT_REJECTED(EBADF, attach_eventfd(self->vm, 0x81, null, 0, 0));
	close(efd);
	EXPECT_REJECTED(EBADF, attach_eventfd(self->vm, 0x81, efd, 0, 0));
	close(null);
}

TEST_F(fp, bad_too_many)
{
	int i;

	for (i = 0; i < KVMINI_MAX_PORT_HANDLERS; i++)
		ASSERT_EQ(0, attach(self->vm, 0x200 + i, 0x200 + i,
				    KVMINI_PORT_SINK));
	EXPECT_ERRNO(ENOSPC, attach(self->vm, 0x80, 0x80, KVMINI_PORT_SINK));
	EXPECT_EQ(2, outs_forwarded(_metadata, self->vcpu, 0x80, 2));
	ASSERT_EQ(0, detach(self->vm, 0x205, 0x205));
	EXPECT_EQ(0, attach(self->vm, 0x80, 0x80, KVMINI_PORT_SINK));
	EXPECT_EQ(0, outs_forwarded(_metadata, self->vcpu, 0x80, 2));
	EXPECT_EQ(2, outs_forwarded(_metadata, self->vcpu, 0x205, 2));
}

TEST_F(fp, bad_detach)
{
	struct kvmini_port_handler h = {
		.first_port = 0x80, .last_port = 0x80,
		.kind = KVMINI_PORT_SINK,
	};

	ASSERT_EQ(0, attach(self->vm, 0x80, 0x80, KVMINI_PORT_SINK));
	/* Detach names the range exactly as attached, nothing else. */
	EXPECT_REJECTED(ENOENT, detach(self->vm, 0x81, 0x81));
	EXPECT_REJECTED(ENOENT, detach(self->vm, 0x80, 0x81));
	EXPECT_REJECTED(EINVAL, ioctl(self->vm->fd,
				      KVMINI_DETACH_PORT_HANDLER, &h));
	h.kind = 0;
	h.reserved[3] = 1;
	EXPECT_REJECTED(EINVAL, ioctl(self->vm->fd,
				      KVMINI_DETACH_PORT_HANDLER, &h));
	EXPECT_REJECTED(EFAULT, ioctl(self->vm->fd,
				      KVMINI_DETACH_PORT_HANDLER, NULL));
	EXPECT_REJECTED(EFAULT, ioctl(self->vm->fd,
				      KVMINI_ATTACH_PORT_HANDLER, NULL));
}

TEST_F(fp, bad_read_console)
{
	struct kvmini_console_read req = { .size = 8 };

	req.padding = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->vcpu->fd, KVMINI_READ_CONSOLE, &req));
	req.padding = 0;
	req.port = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->vcpu->fd, KVMINI_READ_CONSOLE, &req));
	req.port = 0;
	req.reserved[1] = 1;
	EXPECT_ERRNO(EINVAL, ioctl(self->vcpu->fd, KVMINI_READ_CONSOLE, &req));
	EXPECT_ERRNO(EFAULT, ioctl(self->vcpu->fd, KVMINI_READ_CONSOLE, NULL));
}

/* ------------------------------------------------------------------ */
/* Moving a port while the guest runs                                   */
/* ------------------------------------------------------------------ */

#define MOVING_OUTS	3000

struct mover {
	struct kvmini_vm *vm;
	pthread_t vcpu_thread;
	volatile int done;
	int toggles;
};

static void on_signal(int sig)
{
}

/* Moves the port between the kernel and userspace until the guest ends. */
static void *move_port(void *arg)
{
	struct mover *m = arg;

	while (!m->done) {
		if (!attach(m->vm, 0x80, 0x80, KVMINI_PORT_COUNTER))
			m->toggles++;
		pthread_kill(m->vcpu_thread, SIGUSR1);
		usleep(200);
		detach(m->vm, 0x80, 0x80);
		pthread_kill(m->vcpu_thread, SIGUSR1);
		usleep(200);
	}
	return NULL;
}

/*
 * A guest does exactly MOVING_OUTS OUTs while another thread keeps
 * attaching and detaching the port and signalling the vCPU thread.
 * Every OUT is handled once: the ones userspace saw plus the ones the
 * kernel handled make MOVING_OUTS, in the exit and port statistics too.
 */
TEST_F(fp, move_while_running)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct mover m = { .vm = self->vm, .vcpu_thread = pthread_self() };
	struct kvmini_stats *stats;
	const uint64_t *id, *pk, *pu;
	uint64_t kernel, user;
	pthread_t t;
	int seen, i;

	sigaction(SIGUSR1, &sa, NULL);
	start(self->vcpu, OUT_LOOP, 0x5a, MOVING_OUTS, 0x80, 0);
	ASSERT_EQ(0, pthread_create(&t, NULL, move_port, &m));
	seen = run_to_hlt(_metadata, self->vcpu, 0x80);
	m.done = 1;
	pthread_join(t, NULL);
	signal(SIGUSR1, SIG_DFL);

	stats = kvmini_vcpu_stats(self->vcpu);
	kernel = kvmini_stats_get(stats, "exit.io.kernel.count");
	user = kvmini_stats_get(stats, "exit.io.user.count");
	TH_LOG("%d toggles, %d OUTs in userspace, %llu in the kernel",
	       m.toggles, seen, (unsigned long long)kernel);
	EXPECT_EQ(seen, user);
	EXPECT_EQ(MOVING_OUTS, kernel + user);
	id = kvmini_stats_find(stats, "port.id", NULL);
	pk = kvmini_stats_find(stats, "port.kernel.count", NULL);
	pu = kvmini_stats_find(stats, "port.user.count", NULL);
	ASSERT_NE(NULL, id);
	for (i = 0; i < KVMINI_STATS_PORTS; i++)
		if (id[i] == 0x80 + 1)
			break;
	ASSERT_LT(i, KVMINI_STATS_PORTS);
	EXPECT_EQ(kernel, pk[i]);
	EXPECT_EQ(user, pu[i]);
	kvmini_stats_close(stats);
}

TEST_HARNESS_MAIN
