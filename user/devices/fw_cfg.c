// SPDX-License-Identifier: GPL-2.0
/*
 * fw_cfg.c - QEMU's firmware configuration interface, the port version.
 *
 *   0x510  selector (16-bit write): which item to read, from its start
 *   0x511  data (8-bit read): the item's next byte; 0 past its end
 *
 * Firmware and guests written for QEMU find the machine's facts here.
 * kvmini offers the traditional interface only (no DMA at 0x514, bit 1
 * of FW_CFG_ID clear) and these items, little-endian as in QEMU:
 *
 *   0x0000  FW_CFG_SIGNATURE  "QEMU"
 *   0x0001  FW_CFG_ID         u32: 1, the traditional interface
 *   0x0002  FW_CFG_UUID       16 bytes, all zero
 *   0x0003  FW_CFG_RAM_SIZE   u64: guest RAM in bytes
 *   0x0005  FW_CFG_NB_CPUS    u16: vCPUs
 *   0x000f  FW_CFG_MAX_CPUS   u16: vCPUs
 *   0x0019  FW_CFG_FILE_DIR   the file directory: a big-endian u32
 *                             count, 0 here
 *
 * Other selectors read as zeros; writes to the data port are ignored.
 */
#include <stdint.h>
#include <string.h>

#include "../device.h"

#define FW_CFG_PORT		0x510
#define FW_CFG_SIGNATURE	0x0000
#define FW_CFG_ID		0x0001
#define FW_CFG_UUID		0x0002
#define FW_CFG_RAM_SIZE		0x0003
#define FW_CFG_NB_CPUS		0x0005
#define FW_CFG_MAX_CPUS		0x000f
#define FW_CFG_FILE_DIR		0x0019
#define FW_CFG_ID_TRADITIONAL	1

struct item {
	uint16_t key;
	uint8_t data[16];
	uint32_t size;
};

static struct fw_cfg {
	struct item items[8];
	int nr_items;
	const struct item *selected;	/* NULL: an unknown selector */
	uint32_t offset;
} fw_cfg;

static void add_item(struct fw_cfg *f, uint16_t key, const void *data,
		     uint32_t size)
{
	struct item *it = &f->items[f->nr_items++];

	it->key = key;
	it->size = size;
	memcpy(it->data, data, size);
}

/* Little-endian, on any host. */
static void add_le(struct fw_cfg *f, uint16_t key, uint64_t v, int size)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < size; i++)
		b[i] = v >> (8 * i);
	add_item(f, key, b, size);
}

static void fw_cfg_select(struct fw_cfg *f, uint16_t key)
{
	int i;

	f->selected = NULL;
	f->offset = 0;
	for (i = 0; i < f->nr_items; i++)
		if (f->items[i].key == key)
			f->selected = &f->items[i];
}

static void fw_cfg_io(struct device *dev, uint64_t port, void *data, int len,
		      bool is_write)
{
	struct fw_cfg *f = dev->priv;
	uint8_t *bytes = data;
	uint16_t key = 0;

	if (port == FW_CFG_PORT) {
		if (is_write) {
			memcpy(&key, data, len < 2 ? len : 2);
			fw_cfg_select(f, key);
		} else {
			memset(data, 0xff, len);
		}
		return;
	}
	if (is_write)
		return;
	/* The data port is a byte wide: wider reads float above it. */
	memset(data, 0xff, len);
	if (f->selected && f->offset < f->selected->size)
		bytes[0] = f->selected->data[f->offset++];
	else
		bytes[0] = 0;
}

static int fw_cfg_init(struct device *dev, struct machine *m)
{
	static const uint8_t uuid[16], no_files[4];
	struct fw_cfg *f = dev->priv;

	f->nr_items = 0;
	add_item(f, FW_CFG_SIGNATURE, "QEMU", 4);
	add_le(f, FW_CFG_ID, FW_CFG_ID_TRADITIONAL, 4);
	add_item(f, FW_CFG_UUID, uuid, sizeof(uuid));
	add_le(f, FW_CFG_RAM_SIZE, m->mem_size, 8);
	add_le(f, FW_CFG_NB_CPUS, m->nr_cpus, 2);
	add_le(f, FW_CFG_MAX_CPUS, m->nr_cpus, 2);
	add_item(f, FW_CFG_FILE_DIR, no_files, sizeof(no_files));
	return device_add_pio(dev, FW_CFG_PORT, 2, fw_cfg_io);
}

static struct device fw_cfg_dev = {
	.name = "fw_cfg",
	.init = fw_cfg_init,
	.priv = &fw_cfg,
};
DEVICE(fw_cfg_dev);
