// SPDX-License-Identifier: GPL-2.0
/*
 * trace_test.c - the tracepoints fire, once per event, with the right
 * fields, on either vendor.  Each test records into a tracefs instance
 * of its own, limited to its own process, and reads the text back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "kvmini_test.h"

#define TRACEFS		"/sys/kernel/tracing"
#define INSTANCE	TRACEFS "/instances/kvmini_selftest"
#define MMIO_GPA	0xfe000000

/*
 * An OUT to 0xf1 (forwarded), an OUT to 0x80 (a sink), a CPUID, an MMIO
 * write of 0x1234 to MMIO_GPA (ES based there), then HLT.
 */
GUEST_CODE16(mix,
	"	mov $0x41, %al\n"
	"	out %al, $0xf1\n"
	"	out %al, $0x80\n"
	"	xor %eax, %eax\n"
	"	cpuid\n"
	"	mov $0x1234, %ax\n"
	"	mov %ax, %es:0x10\n"
	"	hlt\n");

static void write_file(struct __test_metadata *_metadata, const char *path,
		       const char *text)
{
	int fd = open(path, O_WRONLY | O_TRUNC);

	ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
	ASSERT_EQ(strlen(text), write(fd, text, strlen(text)))
		TH_LOG("%s: %s", path, strerror(errno));
	close(fd);
}

/* The instance's whole trace, as text (caller frees). */
static char *read_trace(void)
{
	static const char path[] = INSTANCE "/trace";
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY);
	ssize_t n;

	while (fd >= 0 && (n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 4096)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = 0;
	if (fd >= 0)
		close(fd);
	return buf;
}

static int count_lines(const char *text, const char *a, const char *b)
{
	const char *line = text;
	int n = 0;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		char *l = strndup(line, end ? end - line : strlen(line));

		n += strstr(l, a) && (!b || strstr(l, b));
		free(l);
		line = end ? end + 1 : NULL;
	}
	return n;
}

FIXTURE(tr) {
	struct kvmini_vcpu *vcpu;
	char *trace;
};

FIXTURE_SETUP(tr)
{
	struct kvmini_sregs sregs;
	char pid[32];

	if (access(TRACEFS "/instances", F_OK))
		mount("tracefs", TRACEFS, "tracefs", 0, NULL);
	ASSERT_EQ(0, access(TRACEFS "/events/kvmini", F_OK));
	rmdir(INSTANCE);
	ASSERT_EQ(0, mkdir(INSTANCE, 0755));
	snprintf(pid, sizeof(pid), "%d", getpid());
	write_file(_metadata, INSTANCE "/set_event_pid", pid);
	write_file(_metadata, INSTANCE "/events/kvmini/enable", "1");

	self->vcpu = GUEST_CREATE(mix);
	kvmini_get_sregs(self->vcpu, &sregs);
	sregs.es.base = MMIO_GPA;
	kvmini_set_sregs(self->vcpu, &sregs);
	ASSERT_EQ(0, ioctl(self->vcpu->vm->fd, KVMINI_ATTACH_PORT_HANDLER,
			   &(struct kvmini_port_handler){
				   .first_port = 0x80, .last_port = 0x80,
				   .kind = KVMINI_PORT_SINK }));
	expect_exit(_metadata, self->vcpu, KVMINI_EXIT_IO);
	expect_exit(_metadata, self->vcpu, KVMINI_EXIT_MMIO);
	expect_exit(_metadata, self->vcpu, KVMINI_EXIT_HLT);
	write_file(_metadata, INSTANCE "/events/kvmini/enable", "0");
	self->trace = read_trace();
}

FIXTURE_TEARDOWN(tr)
{
	if (self->trace && !_metadata->passed)
		TH_LOG("trace:\n%s", self->trace);
	free(self->trace);
	guest_destroy(self->vcpu);
	rmdir(INSTANCE);
}

static bool is_vmx(struct kvmini_vcpu *vcpu)
{
	return vcpu->run->hw.vendor == KVMINI_VENDOR_VMX;
}

/* Exits name their hardware reason through the kernel's own table. */
TEST_F(tr, exit)
{
	const char *io = is_vmx(self->vcpu) ? "vmx IO_INSTRUCTION" : "svm io ";
	const char *cpuid = is_vmx(self->vcpu) ? "vmx CPUID" : "svm cpuid";
	const char *hlt = is_vmx(self->vcpu) ? "vmx HLT" : "svm hlt";

	EXPECT_EQ(1, count_lines(self->trace, io, ": io, user"));
	EXPECT_EQ(1, count_lines(self->trace, io, ": io, kernel"));
	EXPECT_EQ(1, count_lines(self->trace, cpuid, ": cpuid, kernel"));
	EXPECT_EQ(1, count_lines(self->trace, hlt, ": hlt, user"));
	EXPECT_EQ(1, count_lines(self->trace, "kvmini_exit:", ": mmio, user"));
	/* RIP is the exiting instruction's: the first OUT is at +2. */
	EXPECT_EQ(1, count_lines(self->trace, "kvmini_exit:", "rip 0x1002 "));
	/* Every exit is traced once, and each has an entry before it. */
	EXPECT_EQ(count_lines(self->trace, "kvmini_exit:", NULL),
		  count_lines(self->trace, "kvmini_entry:", NULL));
	/* The first entry, and again after its page was mapped. */
	EXPECT_LE(1, count_lines(self->trace, "kvmini_entry:", "rip 0x1000"));
}

TEST_F(tr, pio)
{
	EXPECT_EQ(1, count_lines(self->trace, "kvmini_pio:",
				 "out port 0xf1 size 1 count 1 value 0x41 (user)"));
	EXPECT_EQ(1, count_lines(self->trace, "kvmini_pio:",
				 "out port 0x80 size 1 count 1 value 0x41 (kernel)"));
}

TEST_F(tr, mmio)
{
	EXPECT_EQ(1, count_lines(self->trace, "kvmini_mmio:",
				 "write gpa 0xfe000010 len 2 value 0x1234"));
}

TEST_F(tr, fastpath)
{
	EXPECT_EQ(1, count_lines(self->trace, "kvmini_fastpath:",
				 "sink out port 0x80 size 1 value 0x41: done"));
	EXPECT_EQ(1, count_lines(self->trace, "kvmini_fastpath:", NULL));
}

TEST_HARNESS_MAIN
