// SPDX-License-Identifier: GPL-2.0
/*
 * post.c - port 0x80, where firmware writes its power-on self-test codes
 * and where Linux's outb_p() writes a byte after a slow port to wait
 * "one ISA bus cycle".  A sink: writes are dropped, reads float.
 *
 * It is a device rather than an unclaimed port so that the platform's
 * port map (README) names it, and so that a run's statistics show those
 * delay writes for what they are: on a Linux guest they are a good share
 * of all port exits, and the first candidates for an in-kernel
 * KVMINI_PORT_SINK.
 */
#include <string.h>

#include "../device.h"

#define POST_PORT	0x80

static void post_io(struct device *dev, uint64_t port, void *data, int len,
		    bool is_write)
{
	if (!is_write)
		memset(data, 0xff, len);
}

static int post_init(struct device *dev, struct machine *m)
{
	return device_add_pio(dev, POST_PORT, 1, post_io);
}

static struct device post = {
	.name = "post",
	.init = post_init,
};
DEVICE(post);
