// SPDX-License-Identifier: GPL-2.0
/*
 * stats_test.c - the statistics: the self-describing stats fd of VMs and
 * vCPUs, what it counts and times, its lifetime, debugfs, and the stats
 * module parameter.
 */
#include <dirent.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include "kvmini_test.h"

#define NR_OUTS		100
#define PORT		0xf1

/* CX times: OUT AL to port DX; then HLT. */
GUEST_CODE16(out_loop,
	"1:	out %al, %dx\n"
	"	loop 1b\n"
	"	hlt\n");

static struct kvmini_vcpu *out_guest(struct kvmini_vm *vm, uint8_t *mem,
				     uint32_t id, uint16_t port, int n)
{
	struct kvmini_vcpu *vcpu = kvmini_vcpu_create(vm, id);
	struct kvmini_regs regs;

	memcpy(mem + GUEST_LOAD_ADDR, guest_out_loop_start,
	       guest_out_loop_end - guest_out_loop_start);
	kvmini_vcpu_setup_real_mode(vcpu, GUEST_LOAD_ADDR, 0x8000);
	kvmini_get_regs(vcpu, &regs);
	regs.rcx = n;
	regs.rdx = port;
	kvmini_set_regs(vcpu, &regs);
	return vcpu;
}

/* Run to HLT, serving nothing: OUTs need no answer. */
static void run_to_hlt(struct __test_metadata *_metadata,
		       struct kvmini_vcpu *vcpu)
{
	do {
		ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	} while (vcpu->run->exit_reason == KVMINI_EXIT_IO);
	ASSERT_EQ(KVMINI_EXIT_HLT, vcpu->run->exit_reason);
}

FIXTURE(st) {
	struct kvmini_vm *vm;
	uint8_t *mem;
	struct kvmini_vcpu *vcpu;
};

FIXTURE_SETUP(st)
{
	self->vm = kvmini_vm_create();
	self->mem = kvmini_vm_add_memory(self->vm, 0, GUEST_MEM_SIZE);
	self->vcpu = out_guest(self->vm, self->mem, 0, PORT, NR_OUTS);
}

FIXTURE_TEARDOWN(st)
{
	if (self->vcpu)
		kvmini_vcpu_free(self->vcpu);
	kvmini_vm_free(self->vm);
}

/* The layout is what the header says, and every name is unique. */
TEST_F(st, format)
{
	struct kvmini_stats *s = kvmini_vcpu_stats(self->vcpu);
	const struct kvmini_stats_header *h = &s->hdr;
	uint64_t data = 0;
	uint32_t i, j;

	EXPECT_EQ(0, h->flags);
	EXPECT_EQ(KVMINI_STATS_NAME_SIZE, h->name_size);
	EXPECT_EQ(sizeof(struct kvmini_stats_desc) + KVMINI_STATS_NAME_SIZE,
		  h->desc_size);
	EXPECT_EQ(sizeof(*h), h->id_offset);
	EXPECT_EQ(h->id_offset + KVMINI_STATS_ID_SIZE, h->desc_offset);
	EXPECT_EQ(h->desc_offset + (uint64_t)h->num_desc * h->desc_size,
		  h->data_offset);
	EXPECT_STREQ("kvmini-vm-", strndup(s->id, 10));
	for (i = 0; i < h->num_desc; i++) {
		const struct kvmini_stats_desc *d = kvmini_stats_desc(s, i);
		uint32_t type = d->flags & KVMINI_STATS_TYPE_MASK;

		ASSERT_NE(0, d->size);
		EXPECT_EQ(data, d->offset);
		data += d->size * sizeof(uint64_t);
		EXPECT_LT(strnlen(d->name, KVMINI_STATS_NAME_SIZE),
			  KVMINI_STATS_NAME_SIZE);
		EXPECT_LE(type, KVMINI_STATS_TYPE_LOG_HIST);
		EXPECT_EQ(0, d->flags & ~(KVMINI_STATS_TYPE_MASK |
					  KVMINI_STATS_UNIT_MASK));
		for (j = 0; j < i; j++)
			ASSERT_STRNE(d->name, kvmini_stats_desc(s, j)->name);
	}
	EXPECT_EQ(data, h->data_size);
	/* Reading past the end gives nothing. */
	EXPECT_EQ(0, pread(s->fd, &data, 8, h->data_offset + h->data_size));
	kvmini_stats_close(s);
}

/* Every reason of the exit table has its descriptors. */
TEST_F(st, names_from_exit_table)
{
	static const char *const fields[] = {
		"count", "cycles", "min_cycles", "max_cycles", "hist",
	};
	struct kvmini_stats *s = kvmini_vm_stats(self->vm);
	char name[KVMINI_STATS_NAME_SIZE];
	uint32_t r, f, size;

	for (r = 0; r < KVMINI_EXIT_NR; r++) {
		if (!strcmp(kvmini_exit_name(r), "?"))
			continue;
		for (f = 0; f < 5; f++) {
			snprintf(name, sizeof(name), "exit.%s.user.%s",
				 kvmini_exit_name(r), fields[f]);
			EXPECT_NE(NULL, kvmini_stats_find(s, name, &size))
				TH_LOG("no %s", name);
		}
	}
	ASSERT_NE(NULL, kvmini_stats_find(s, "exit.io.kernel.hist", &size));
	EXPECT_EQ(KVMINI_STATS_HIST_BUCKETS, size);
	ASSERT_NE(NULL, kvmini_stats_find(s, "port.id", &size));
	EXPECT_EQ(KVMINI_STATS_PORTS, size);
	kvmini_stats_close(s);
}

/* N forwarded OUTs: N in the reason, the hardware reason and the port. */
TEST_F(st, counts_forwarded_outs)
{
	struct kvmini_stats *s;
	const char *hw;
	const uint64_t *id, *hist;
	uint64_t sum = 0, min, max, cycles;
	uint32_t i, size;

	run_to_hlt(_metadata, self->vcpu);
	/* One more RUN closes the HLT's time; its exit is the same. */
	s = kvmini_vcpu_stats(self->vcpu);
	EXPECT_EQ(NR_OUTS, kvmini_stats_get(s, "exit.io.user.count"));
	EXPECT_EQ(0, kvmini_stats_get(s, "exit.io.kernel.count"));
	EXPECT_EQ(1, kvmini_stats_get(s, "exit.hlt.user.count"));
	hw = self->vcpu->run->hw.vendor == KVMINI_VENDOR_VMX ?
	     "IO_INSTRUCTION" : "io";
	EXPECT_EQ(NR_OUTS, kvmini_stats_get(s, "hw.%s.user.count", hw));

	/* Every OUT was followed by an entry: all timed. */
	cycles = kvmini_stats_get(s, "exit.io.user.cycles");
	min = kvmini_stats_get(s, "exit.io.user.min_cycles");
	max = kvmini_stats_get(s, "exit.io.user.max_cycles");
	EXPECT_LT(0, min);
	EXPECT_LE(min, max);
	EXPECT_LE(min * NR_OUTS, cycles);
	EXPECT_GE(max * NR_OUTS, cycles);
	EXPECT_EQ(cycles, kvmini_stats_get(s, "hw.%s.user.cycles", hw));
	hist = kvmini_stats_find(s, "exit.io.user.hist", &size);
	ASSERT_NE(NULL, hist);
	for (i = 0; i < size; i++)
		sum += hist[i];
	EXPECT_EQ(NR_OUTS, sum);

	id = kvmini_stats_find(s, "port.id", &size);
	for (i = 0; i < size && id[i] != PORT + 1; i++)
		;
	ASSERT_LT(i, size);
	EXPECT_EQ(NR_OUTS, kvmini_stats_find(s, "port.user.count", NULL)[i]);
	EXPECT_EQ(cycles, kvmini_stats_find(s, "port.user.cycles", NULL)[i]);
	EXPECT_EQ(0, kvmini_stats_find(s, "port.kernel.count", NULL)[i]);
	kvmini_stats_close(s);
}

/* The same OUTs into a sink count as handled in the kernel. */
TEST_F(st, counts_kernel_outs)
{
	struct kvmini_port_handler h = {
		.first_port = PORT, .last_port = PORT,
		.kind = KVMINI_PORT_SINK,
	};
	struct kvmini_stats *s;

	ASSERT_EQ(0, ioctl(self->vm->fd, KVMINI_ATTACH_PORT_HANDLER, &h));
	expect_exit(_metadata, self->vcpu, KVMINI_EXIT_HLT);
	s = kvmini_vcpu_stats(self->vcpu);
	EXPECT_EQ(NR_OUTS, kvmini_stats_get(s, "exit.io.kernel.count"));
	EXPECT_EQ(0, kvmini_stats_get(s, "exit.io.user.count"));
	EXPECT_LT(0, kvmini_stats_get(s, "exit.io.kernel.min_cycles"));
	kvmini_stats_close(s);
}

/* A VM's stats are the sum of its vCPUs'. */
TEST_F(st, vm_sums_vcpus)
{
	struct kvmini_vcpu *second;
	struct kvmini_stats *vm, *v0, *v1;
	uint64_t max0, max1;

	second = out_guest(self->vm, self->mem, 1, PORT + 1, NR_OUTS / 2);
	run_to_hlt(_metadata, self->vcpu);
	run_to_hlt(_metadata, second);
	vm = kvmini_vm_stats(self->vm);
	v0 = kvmini_vcpu_stats(self->vcpu);
	v1 = kvmini_vcpu_stats(second);
	EXPECT_EQ(NR_OUTS, kvmini_stats_get(v0, "exit.io.user.count"));
	EXPECT_EQ(NR_OUTS / 2, kvmini_stats_get(v1, "exit.io.user.count"));
	EXPECT_EQ(NR_OUTS + NR_OUTS / 2,
		  kvmini_stats_get(vm, "exit.io.user.count"));
	EXPECT_EQ(kvmini_stats_get(v0, "exit.io.user.cycles") +
		  kvmini_stats_get(v1, "exit.io.user.cycles"),
		  kvmini_stats_get(vm, "exit.io.user.cycles"));
	max0 = kvmini_stats_get(v0, "exit.io.user.max_cycles");
	max1 = kvmini_stats_get(v1, "exit.io.user.max_cycles");
	EXPECT_EQ(max0 > max1 ? max0 : max1,
		  kvmini_stats_get(vm, "exit.io.user.max_cycles"));
	kvmini_stats_close(vm);
	kvmini_stats_close(v0);
	kvmini_stats_close(v1);
	kvmini_vcpu_free(second);
}

/* Values move; the descriptors do not. */
TEST_F(st, refresh)
{
	struct kvmini_stats *s = kvmini_vm_stats(self->vm);

	EXPECT_EQ(0, kvmini_stats_get(s, "exit.io.user.count"));
	run_to_hlt(_metadata, self->vcpu);
	EXPECT_EQ(0, kvmini_stats_get(s, "exit.io.user.count"));
	ASSERT_EQ(0, kvmini_stats_refresh(s));
	EXPECT_EQ(NR_OUTS, kvmini_stats_get(s, "exit.io.user.count"));
	kvmini_stats_close(s);
}

/* A stats fd keeps its VM or vCPU readable after their fds are gone. */
TEST_F(st, outlives_fds)
{
	struct kvmini_stats *vs, *vm;

	run_to_hlt(_metadata, self->vcpu);
	vs = kvmini_vcpu_stats(self->vcpu);
	vm = kvmini_vm_stats(self->vm);
	kvmini_vcpu_free(self->vcpu);
	self->vcpu = NULL;
	ASSERT_EQ(0, kvmini_stats_refresh(vs));
	EXPECT_EQ(NR_OUTS, kvmini_stats_get(vs, "exit.io.user.count"));
	kvmini_stats_close(vs);
	/* The vCPU is gone now; the VM's sum no longer has it. */
	ASSERT_EQ(0, kvmini_stats_refresh(vm));
	EXPECT_EQ(0, kvmini_stats_get(vm, "exit.io.user.count"));
	close(self->vm->fd);
	self->vm->fd = -1;
	ASSERT_EQ(0, kvmini_stats_refresh(vm));
	kvmini_stats_close(vm);
}

TEST_F(st, bad_requests)
{
	struct kvmini_stats *s = kvmini_vm_stats(self->vm);
	void *bad = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	char c = 0;

	EXPECT_ERRNO(EINVAL, ioctl(self->vm->fd, KVMINI_GET_STATS_FD, 1));
	EXPECT_ERRNO(EINVAL, ioctl(self->vcpu->fd, KVMINI_GET_STATS_FD, 1));
	/* Read-only. */
	EXPECT_ERRNO(EBADF, write(s->fd, &c, 1));
	/* A buffer the caller cannot write. */
	ASSERT_NE(MAP_FAILED, bad);
	EXPECT_ERRNO(EFAULT, pread(s->fd, bad, 8, 0));
	EXPECT_ERRNO(EFAULT, pread(s->fd, bad, 8, s->hdr.data_offset));
	munmap(bad, 4096);
	kvmini_stats_close(s);
}

/*
 * A buffer whose end is unmapped: the header fits, the data does not.
 * The read fails whole and the file offset stays, so the next read
 * starts again at the header.
 */
TEST_F(st, read_failing_midway_moves_nothing)
{
	struct kvmini_stats *s = kvmini_vm_stats(self->vm);
	size_t head = s->hdr.data_offset, room = (head + 4095) & ~4095ul;
	char *buf = mmap(NULL, room + 4096, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvmini_stats_header hdr;

	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, mprotect(buf + room, 4096, PROT_NONE));
	ASSERT_EQ(0, lseek(s->fd, 0, SEEK_SET));
	EXPECT_ERRNO(EFAULT, read(s->fd, buf + room - head, head + 8));
	EXPECT_EQ(0, lseek(s->fd, 0, SEEK_CUR));
	ASSERT_EQ(sizeof(hdr), read(s->fd, &hdr, sizeof(hdr)));
	EXPECT_EQ(0, memcmp(&hdr, &s->hdr, sizeof(hdr)));
	munmap(buf, room + 4096);
	kvmini_stats_close(s);
}

/* ------------------------------------------------------------------ */
/* debugfs                                                              */
/* ------------------------------------------------------------------ */

#define DEBUGFS		"/sys/kernel/debug"

/* This process's VM directory: PID-ID, the ID from the stats id. */
static void vm_debugfs_dir(struct __test_metadata *_metadata,
			   struct kvmini_vm *vm, char *dir, size_t len)
{
	struct kvmini_stats *s = kvmini_vm_stats(vm);
	unsigned int id;

	ASSERT_EQ(1, sscanf(s->id, "kvmini-vm-%u", &id));
	snprintf(dir, len, DEBUGFS "/kvmini/%d-%u", getpid(), id);
	kvmini_stats_close(s);
}

TEST_F(st, debugfs)
{
	char dir[128], path[160], line[256];
	struct kvmini_stats *s;
	struct stat st;
	int found = 0;
	FILE *f;

	if (access(DEBUGFS "/kvmini", F_OK))
		mount("debugfs", DEBUGFS, "debugfs", 0, NULL);
	ASSERT_EQ(0, access(DEBUGFS "/kvmini", F_OK));
	vm_debugfs_dir(_metadata, self->vm, dir, sizeof(dir));
	run_to_hlt(_metadata, self->vcpu);

	/* The binary file is the stats fd's format. */
	snprintf(path, sizeof(path), "%s/stats", dir);
	s = kvmini_stats_open(open(path, O_RDONLY));
	ASSERT_NE(NULL, s);
	EXPECT_EQ(NR_OUTS, kvmini_stats_get(s, "exit.io.user.count"));
	kvmini_stats_close(s);

	/* The text file, for people. */
	snprintf(path, sizeof(path), "%s/exits", dir);
	f = fopen(path, "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		found |= !strcmp(line, "exit.io.user.count 100\n");
	fclose(f);
	EXPECT_TRUE(found);

	/* Gone with the VM. */
	kvmini_vcpu_free(self->vcpu);
	self->vcpu = NULL;
	close(self->vm->fd);
	self->vm->fd = -1;
	EXPECT_NE(0, stat(dir, &st));
}

/* ------------------------------------------------------------------ */
/* The stats parameter                                                  */
/* ------------------------------------------------------------------ */

#define STATS_PARAM	"/sys/module/kvmini/parameters/stats"

static void set_param(struct __test_metadata *_metadata, const char *v)
{
	int fd = open(STATS_PARAM, O_WRONLY);

	ASSERT_LE(0, fd);
	ASSERT_EQ(1, write(fd, v, 1));
	close(fd);
}

/* Statistics off: nothing is counted; on again: counting resumes. */
TEST_F(st, param_off)
{
	struct kvmini_stats *s;

	set_param(_metadata, "N");
	run_to_hlt(_metadata, self->vcpu);
	set_param(_metadata, "Y");
	s = kvmini_vcpu_stats(self->vcpu);
	EXPECT_EQ(0, kvmini_stats_get(s, "exit.io.user.count"));
	EXPECT_EQ(0, kvmini_stats_get(s, "exit.hlt.user.count"));
	kvmini_stats_close(s);
	self->vcpu->run->immediate_exit = 0;
	kvmini_vcpu_free(self->vcpu);
	self->vcpu = out_guest(self->vm, self->mem, 0, PORT, 3);
	run_to_hlt(_metadata, self->vcpu);
	s = kvmini_vcpu_stats(self->vcpu);
	EXPECT_EQ(3, kvmini_stats_get(s, "exit.io.user.count"));
	kvmini_stats_close(s);
}

TEST_HARNESS_MAIN
