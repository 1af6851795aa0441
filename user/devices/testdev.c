// SPDX-License-Identifier: GPL-2.0
/*
 * testdev.c - an MMIO test device at TESTDEV_BASE (one 4 KiB page):
 *
 *   +0x00  u32  ID, read-only: 0x544d564b ("KVMT")
 *   +0x08  u8   scratch
 *   +0x10  u16  scratch
 *   +0x18  u32  scratch
 *   +0x20  u64  scratch
 *   +0x28  u32  access log: the width in bytes of the last write
 *
 * Each scratch register reads back what was last written to it, at any
 * width up to its own; everything else reads as zero and ignores
 * writes.  Guests use it to check MMIO exits of each width end to end.
 */
#include <string.h>

#include "../device.h"
#include "testdev.h"

static uint8_t regs[0x30];

static bool scratch(uint64_t off, int len)
{
	static const struct { uint64_t off; int width; } scratch_regs[] = {
		{ 0x08, 1 }, { 0x10, 2 }, { 0x18, 4 }, { 0x20, 8 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(scratch_regs) / sizeof(scratch_regs[0]); i++)
		if (off == scratch_regs[i].off && len <= scratch_regs[i].width)
			return true;
	return false;
}

static void testdev_io(struct device *dev, uint64_t addr, void *data,
		       int len, bool is_write)
{
	uint64_t off = addr - TESTDEV_BASE;
	uint32_t id = TESTDEV_ID;

	if (is_write) {
		if (scratch(off, len)) {
			memcpy(regs + off, data, len);
			memcpy(regs + TESTDEV_LAST_WIDTH, &len, 4);
		}
		return;
	}
	memset(data, 0, len);
	if (off == TESTDEV_ID_REG && len == 4)
		memcpy(data, &id, 4);
	else if (scratch(off, len) || off == TESTDEV_LAST_WIDTH)
		memcpy(data, regs + off, len);
}

static int testdev_init(struct device *dev, struct machine *m)
{
	return device_add_mmio(dev, TESTDEV_BASE, 0x1000, testdev_io);
}

static struct device testdev = {
	.name = "mmio-testdev",
	.init = testdev_init,
};
DEVICE(testdev);
