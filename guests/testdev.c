// SPDX-License-Identifier: GPL-2.0
/*
 * testdev.c - MMIO of every width, end to end: the test device's
 * registers read back what was written, at 1, 2, 4 and 8 bytes.
 *
 * test: testdev64.elf => 1
 * test: testdev32.elf => 1
 */
#include "guest.h"
#include "testdev.h"

#define REG(off)	((uintptr_t)TESTDEV_BASE + (off))

static int failures;

static void check(const char *what, unsigned long long got,
		  unsigned long long want)
{
	if (got == want)
		return;
	printf("testdev: %s: got %llx, want %llx\n", what, got, want);
	failures++;
}

int main(unsigned long magic, unsigned long info, unsigned int cpu)
{
	check("id", mmio_read32(REG(TESTDEV_ID_REG)), TESTDEV_ID);
	mmio_write8(REG(TESTDEV_U8), 0xa5);
	check("u8", mmio_read8(REG(TESTDEV_U8)), 0xa5);
	check("width 1", mmio_read32(REG(TESTDEV_LAST_WIDTH)), 1);
	mmio_write16(REG(TESTDEV_U16), 0xbeef);
	check("u16", mmio_read16(REG(TESTDEV_U16)), 0xbeef);
	check("width 2", mmio_read32(REG(TESTDEV_LAST_WIDTH)), 2);
	mmio_write32(REG(TESTDEV_U32), 0xcafef00d);
	check("u32", mmio_read32(REG(TESTDEV_U32)), 0xcafef00d);
	check("width 4", mmio_read32(REG(TESTDEV_LAST_WIDTH)), 4);
#ifdef __x86_64__
	mmio_write64(REG(TESTDEV_U64), 0x0123456789abcdefull);
	check("u64", mmio_read64(REG(TESTDEV_U64)), 0x0123456789abcdefull);
	check("width 8", mmio_read32(REG(TESTDEV_LAST_WIDTH)), 8);
#endif
	/* Nothing answers just past the device: all ones. */
	check("unclaimed", mmio_read32(REG(0x1000)), 0xffffffff);
	printf("testdev: %s\n", failures ? "FAILED" : "ok");
	return failures;
}
