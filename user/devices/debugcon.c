// SPDX-License-Identifier: GPL-2.0
/*
 * debugcon.c - debug consoles on ports 0xe9 (Bochs/QEMU debugcon) and
 * 0xf1 (kvmini's own): every byte written goes to the output.  Reading
 * 0xe9 returns 0xe9, which is how guests detect the port.
 */
#include <unistd.h>

#include "../device.h"

static struct machine *machine;

static void debugcon_io(struct device *dev, uint64_t port, void *data,
			int len, bool is_write)
{
	if (is_write) {
		if (write(machine->out_fd, data, 1) != 1)
			return;
	} else {
		*(uint8_t *)data = 0xe9;
	}
}

static int debugcon_init(struct device *dev, struct machine *m)
{
	machine = m;
	return device_add_pio(dev, 0xe9, 1, debugcon_io) ?:
	       device_add_pio(dev, 0xf1, 1, debugcon_io);
}

static struct device debugcon = {
	.name = "debugcon",
	.init = debugcon_init,
};
DEVICE(debugcon);
