// SPDX-License-Identifier: GPL-2.0
/*
 * debug_exit.c - isa-debug-exit at port 0xf4: a write ends the run with
 * exit status (value << 1) | 1, as QEMU's device does, so a guest's
 * "exit(0)" is status 1 and no guest can fake a clean 0.
 */
#include <string.h>

#include "../device.h"

static struct machine *machine;

static void debug_exit_io(struct device *dev, uint64_t port, void *data,
			  int len, bool is_write)
{
	uint32_t value = 0;

	if (!is_write) {
		memset(data, 0xff, len);
		return;
	}
	memcpy(&value, data, len);
	machine->request_exit(machine, (value << 1) | 1);
}

static int debug_exit_init(struct device *dev, struct machine *m)
{
	machine = m;
	return device_add_pio(dev, 0xf4, 4, debug_exit_io);
}

static struct device debug_exit = {
	.name = "isa-debug-exit",
	.init = debug_exit_init,
};
DEVICE(debug_exit);
