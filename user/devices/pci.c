// SPDX-License-Identifier: GPL-2.0
/*
 * pci.c - PCI configuration mechanism #1 with an empty bus: the address
 * register at 0xcf8 holds what was written, and the data window at
 * 0xcfc-0xcff reads all ones (no device at any address).
 */
#include <string.h>

#include "../device.h"

static uint32_t config_address;

static void pci_address_io(struct device *dev, uint64_t port, void *data,
			   int len, bool is_write)
{
	/* Only 32-bit accesses reach the address register. */
	if (len != 4) {
		if (!is_write)
			memset(data, 0xff, len);
		return;
	}
	if (is_write)
		memcpy(&config_address, data, 4);
	else
		memcpy(data, &config_address, 4);
}

static void pci_data_io(struct device *dev, uint64_t port, void *data,
			int len, bool is_write)
{
	if (!is_write)
		memset(data, 0xff, len);
}

static int pci_init(struct device *dev, struct machine *m)
{
	return device_add_pio(dev, 0xcf8, 4, pci_address_io) ?:
	       device_add_pio(dev, 0xcfc, 4, pci_data_io);
}

static struct device pci = {
	.name = "pci-host",
	.init = pci_init,
};
DEVICE(pci);
