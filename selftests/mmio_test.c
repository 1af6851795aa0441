// SPDX-License-Identifier: GPL-2.0
/*
 * mmio_test.c - guest accesses outside every slot, writes to read-only
 * slots, and slots that go away under a running guest.
 *
 * The guests are real-mode: memory is 512 KiB at 0, so anything from
 * 0x80000 up is MMIO.  They reach it through ES = 0x9000 (0x90000).
 */
#include "kvmini_test.h"

#define MEM_SIZE	(512 << 10)
#define MMIO_BASE	0x90000

static struct kvmini_vcpu *mmio_guest(const unsigned char *start,
				      const unsigned char *end)
{
	return guest_create_mem(start, end, MEM_SIZE, NULL);
}

#define MMIO_GUEST(name) mmio_guest(guest_##name##_start, guest_##name##_end)

static void expect_mmio(struct __test_metadata *_metadata,
			struct kvmini_vcpu *vcpu, int write, int len,
			uint64_t addr)
{
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_EQ(KVMINI_EXIT_MMIO, vcpu->run->exit_reason);
	EXPECT_EQ(write, vcpu->run->mmio.is_write);
	EXPECT_EQ(len, vcpu->run->mmio.len);
	EXPECT_EQ(addr, vcpu->run->mmio.phys_addr);
}

static uint64_t mmio_data(struct kvmini_vcpu *vcpu)
{
	uint64_t v = 0;

	memcpy(&v, vcpu->run->mmio.data, 8);
	return v;
}

static void set_mmio_data(struct kvmini_vcpu *vcpu, uint64_t v)
{
	memcpy(vcpu->run->mmio.data, &v, 8);
}

/*
 * Fresh anonymous memory as slot 1 at MMIO_BASE, where the guests'
 * ES points; *slot is what was set, for deleting it later.
 */
static void *add_slot1(struct __test_metadata *_metadata,
		       struct kvmini_vcpu *vcpu, size_t size, uint32_t flags,
		       struct kvmini_memory_slot *slot)
{
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	EXPECT_NE(MAP_FAILED, mem);
	*slot = (struct kvmini_memory_slot) {
		.slot = 1, .flags = flags, .guest_phys_addr = MMIO_BASE,
		.memory_size = size, .userspace_addr = (uintptr_t)mem,
	};
	EXPECT_EQ(0, ioctl(vcpu->vm->fd, KVMINI_SET_MEMORY_SLOT, slot));
	return mem;
}

static int delete_slot(struct kvmini_vcpu *vcpu,
		       struct kvmini_memory_slot *slot)
{
	slot->memory_size = 0;
	return ioctl(vcpu->vm->fd, KVMINI_SET_MEMORY_SLOT, slot);
}

/* Stores of each width and form: register, high byte, immediate, moffs. */
GUEST_CODE16(stores,
	"	mov $0x9000, %ax\n"
	"	mov %ax, %es\n"
	"	mov $0x10, %bx\n"
	"	mov $0x11223344, %ecx\n"
	"	mov %cl, %es:(%bx)\n"		/* 1 byte */
	"	mov %ch, %es:1(%bx)\n"		/* 1 byte, high register */
	"	mov %cx, %es:0x100(%bx)\n"	/* 2 bytes, disp16 */
	"	mov %ecx, %es:(%bx,%si)\n"	/* 4 bytes */
	"	movb $0x5a, %es:(%bx)\n"	/* imm8 */
	"	movl $0xcafef00d, %es:(%bx)\n"	/* imm32 */
	"	mov %cx, %ax\n"
	"	mov %ax, %es:0x20\n"		/* moffs */
	"	hlt\n");

TEST(stores)
{
	struct kvmini_vcpu *vcpu = MMIO_GUEST(stores);

	expect_mmio(_metadata, vcpu, 1, 1, MMIO_BASE + 0x10);
	EXPECT_EQ(0x44, mmio_data(vcpu));
	expect_mmio(_metadata, vcpu, 1, 1, MMIO_BASE + 0x11);
	EXPECT_EQ(0x33, mmio_data(vcpu));
	expect_mmio(_metadata, vcpu, 1, 2, MMIO_BASE + 0x110);
	EXPECT_EQ(0x3344, mmio_data(vcpu));
	expect_mmio(_metadata, vcpu, 1, 4, MMIO_BASE + 0x10);
	EXPECT_EQ(0x11223344, mmio_data(vcpu));
	expect_mmio(_metadata, vcpu, 1, 1, MMIO_BASE + 0x10);
	EXPECT_EQ(0x5a, mmio_data(vcpu));
	expect_mmio(_metadata, vcpu, 1, 4, MMIO_BASE + 0x10);
	EXPECT_EQ(0xcafef00d, mmio_data(vcpu));
	expect_mmio(_metadata, vcpu, 1, 2, MMIO_BASE + 0x20);
	EXPECT_EQ(0x3344, mmio_data(vcpu));
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	EXPECT_EQ(KVMINI_EXIT_HLT, vcpu->run->exit_reason);
	EXPECT_EQ(7, kvmini_exit_count(vcpu, KVMINI_EXIT_MMIO));
	guest_destroy(vcpu);
}

/*
 * Loads: the value userspace supplies lands in the right register with
 * the right width, and the guest echoes it through port 0x30.
 */
GUEST_CODE16(loads,
	"	mov $0x9000, %ax\n"
	"	mov %ax, %es\n"
	"	mov $0xffffffff, %edx\n"
	"	mov %es:0x40, %dl\n"		/* 1 byte into DL */
	"	mov %edx, %eax\n"
	"	out %eax, $0x30\n"
	"	mov %es:0x41, %dh\n"		/* 1 byte into DH */
	"	mov %edx, %eax\n"
	"	out %eax, $0x30\n"
	"	mov %es:0x42, %dx\n"		/* 2 bytes */
	"	mov %edx, %eax\n"
	"	out %eax, $0x30\n"
	"	mov %es:0x44, %edx\n"		/* 4 bytes */
	"	mov %edx, %eax\n"
	"	out %eax, $0x30\n"
	"	movzbl %es:0x48, %edx\n"	/* movzx from 1 byte */
	"	mov %edx, %eax\n"
	"	out %eax, $0x30\n"
	"	movzwl %es:0x4a, %edx\n"	/* movzx from 2 bytes */
	"	mov %edx, %eax\n"
	"	out %eax, $0x30\n"
	"	hlt\n");

TEST(loads)
{
	struct kvmini_vcpu *vcpu = MMIO_GUEST(loads);
	static const struct {
		int len, off;
		uint64_t value;
		uint32_t echo;
	} steps[] = {
		{ 1, 0x40, 0x11, 0xffffff11 },
		{ 1, 0x41, 0x22, 0xffff2211 },
		{ 2, 0x42, 0x3344, 0xffff3344 },
		{ 4, 0x44, 0x55667788, 0x55667788 },
		{ 1, 0x48, 0xfe, 0x000000fe },
		{ 2, 0x4a, 0xbeef, 0x0000beef },
	};
	uint32_t echo;
	int i;

	for (i = 0; i < 6; i++) {
		expect_mmio(_metadata, vcpu, 0, steps[i].len,
			    MMIO_BASE + steps[i].off);
		set_mmio_data(vcpu, steps[i].value);
		ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
		ASSERT_EQ(KVMINI_EXIT_IO, vcpu->run->exit_reason);
		memcpy(&echo, kvmini_io_data(vcpu), 4);
		EXPECT_EQ(steps[i].echo, echo);
	}
	guest_destroy(vcpu);
}

/* An instruction kvmini does not decode comes out raw, with its bytes. */
GUEST_CODE16(add_to_mmio,
	"	mov $0x9000, %ax\n"
	"	mov %ax, %es\n"
	"	addb $1, %es:0x10\n"
	"	hlt\n");

TEST(undecodable_is_unhandled)
{
	struct kvmini_vcpu *vcpu = MMIO_GUEST(add_to_mmio);
	struct kvmini_regs regs;

	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_EQ(KVMINI_EXIT_UNHANDLED, vcpu->run->exit_reason);
	/* es: prefix, then 80 /0 ib: add imm8 to r/m8 */
	EXPECT_EQ(0x26, vcpu->run->unhandled.insn[0]);
	EXPECT_EQ(0x80, vcpu->run->unhandled.insn[1]);
	kvmini_get_regs(vcpu, &regs);
	EXPECT_EQ(GUEST_LOAD_ADDR + 5, regs.rip);	/* not skipped */
	guest_destroy(vcpu);
}

/* Reads of a read-only slot are memory; writes exit as MMIO. */
GUEST_CODE16(rom,
	"	mov $0x9000, %ax\n"
	"	mov %ax, %es\n"
	"	mov %es:0x8, %eax\n"
	"	out %eax, $0x30\n"
	"	movl $0x12345678, %es:0x8\n"
	"	mov %es:0x8, %eax\n"
	"	out %eax, $0x30\n"
	"	hlt\n");

TEST(readonly_slot)
{
	struct kvmini_vcpu *vcpu = MMIO_GUEST(rom);
	struct kvmini_memory_slot slot;
	uint8_t *rom = add_slot1(_metadata, vcpu, 4096, KVMINI_MEM_READONLY,
				 &slot);
	uint32_t v = 0xdeadbeef, echo;

	memcpy(rom + 8, &v, 4);

	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_EQ(KVMINI_EXIT_IO, vcpu->run->exit_reason);
	memcpy(&echo, kvmini_io_data(vcpu), 4);
	EXPECT_EQ(0xdeadbeef, echo);
	expect_mmio(_metadata, vcpu, 1, 4, MMIO_BASE + 8);
	EXPECT_EQ(0x12345678, mmio_data(vcpu));
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	memcpy(&echo, kvmini_io_data(vcpu), 4);
	EXPECT_EQ(0xdeadbeef, echo);	/* the write did not land */
	EXPECT_EQ(0xdeadbeef, *(uint32_t *)(rom + 8));
	guest_destroy(vcpu);
	munmap(rom, 4096);
}

/*
 * A slot deleted while the guest has it mapped: the guest's next access
 * is MMIO, and a new slot at the same address shows the new memory, not
 * a stale translation of the old.
 */
GUEST_CODE16(read_twice,
	"	mov $0x9000, %ax\n"
	"	mov %ax, %es\n"
	"1:	mov %es:0x0, %eax\n"
	"	out %eax, $0x30\n"
	"	jmp 1b\n");

TEST(delete_slot_under_guest)
{
	struct kvmini_vcpu *vcpu = MMIO_GUEST(read_twice);
	struct kvmini_memory_slot slot;
	uint32_t *a = add_slot1(_metadata, vcpu, 4096, 0, &slot), *b;
	uint32_t echo;

	*a = 0xaaaa;
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	memcpy(&echo, kvmini_io_data(vcpu), 4);
	EXPECT_EQ(0xaaaa, echo);

	ASSERT_EQ(0, delete_slot(vcpu, &slot));
	/* Deleting twice: it is gone. */
	EXPECT_ERRNO(ENOENT, delete_slot(vcpu, &slot));
	expect_mmio(_metadata, vcpu, 0, 4, MMIO_BASE);
	set_mmio_data(vcpu, 0x1234);
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	memcpy(&echo, kvmini_io_data(vcpu), 4);
	EXPECT_EQ(0x1234, echo);

	b = add_slot1(_metadata, vcpu, 4096, 0, &slot);
	*b = 0xbbbb;
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	memcpy(&echo, kvmini_io_data(vcpu), 4);
	EXPECT_EQ(0xbbbb, echo);
	guest_destroy(vcpu);
	munmap(a, 4096);
	munmap(b, 4096);
}

/* The guest's writes to a slot land in the user memory behind it. */
GUEST_CODE16(write_mem,
	"	mov $0x9000, %ax\n"
	"	mov %ax, %es\n"
	"	movl $0x600dcafe, %es:0x0\n"
	"	hlt\n");

TEST(deleted_slot_kept_guest_writes)
{
	struct kvmini_vcpu *vcpu = MMIO_GUEST(write_mem);
	struct kvmini_memory_slot slot;
	uint32_t *a = add_slot1(_metadata, vcpu, 4096, 0, &slot);

	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_EQ(KVMINI_EXIT_HLT, vcpu->run->exit_reason);
	ASSERT_EQ(0, delete_slot(vcpu, &slot));
	EXPECT_EQ(0x600dcafe, *a);
	guest_destroy(vcpu);
	munmap(a, 4096);
}

/*
 * The kernel's count of FOLL_PIN pins taken or dropped so far.  The
 * counters are kept per CPU and folded lazily: stat_refresh folds them.
 */
static long vmstat(const char *name)
{
	char key[64];
	long value;
	FILE *f;
	int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);

	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			value = -1;
		close(fd);
	}
	f = fopen("/proc/vmstat", "r");

	while (f && fscanf(f, "%63s %ld", key, &value) == 2)
		if (!strcmp(key, name)) {
			fclose(f);
			return value;
		}
	if (f)
		fclose(f);
	return -1;
}

/*
 * Pages a guest touched stay pinned while mapped, and are unpinned when
 * their slot is deleted and when the VM goes away.
 */
GUEST_CODE16(touch_three,
	"	mov $0x9000, %ax\n"
	"	mov %ax, %es\n"
	"	movb $1, %es:0x0000\n"
	"	movb $1, %es:0x1000\n"
	"	movb $1, %es:0x2000\n"
	"	hlt\n");

TEST(pins_released)
{
	long acquired = vmstat("nr_foll_pin_acquired");
	long released = vmstat("nr_foll_pin_released");
	struct kvmini_memory_slot slot;
	struct kvmini_vcpu *vcpu;
	void *extra;
	long pinned;

	ASSERT_LE(0, acquired) TH_LOG("no nr_foll_pin_* in /proc/vmstat");
	vcpu = MMIO_GUEST(touch_three);
	extra = add_slot1(_metadata, vcpu, 3 * 4096, 0, &slot);
	ASSERT_EQ(0, kvmini_vcpu_run(vcpu));
	ASSERT_EQ(KVMINI_EXIT_HLT, vcpu->run->exit_reason);

	/* Code page, stack-less guest: at least the three it wrote. */
	pinned = (vmstat("nr_foll_pin_acquired") - acquired) -
		 (vmstat("nr_foll_pin_released") - released);
	EXPECT_LE(4, pinned);
	ASSERT_EQ(0, delete_slot(vcpu, &slot));
	EXPECT_EQ(pinned - 3,
		  (vmstat("nr_foll_pin_acquired") - acquired) -
		  (vmstat("nr_foll_pin_released") - released));

	guest_destroy(vcpu);
	EXPECT_EQ(vmstat("nr_foll_pin_acquired") - acquired,
		  vmstat("nr_foll_pin_released") - released);
	munmap(extra, 3 * 4096);
}

TEST_HARNESS_MAIN
