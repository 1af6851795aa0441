// SPDX-License-Identifier: GPL-2.0
/*
 * sink.c - the smallest in-kernel port handler: OUT is dropped, IN reads
 * all ones, as from a port with nothing behind it.
 */
#include "../kvmini_fastpath.h"

static enum kvmini_pio_result sink_io(struct kvmini_vcpu *vcpu,
				      struct kvmini_port_range *r, u16 port,
				      int size, bool in, u32 *data)
{
	if (in)
		*data = kvmini_pio_ones(size);
	return KVMINI_PIO_DONE;
}

const struct kvmini_port_kind kvmini_port_sink = {
	.name	= "sink",
	.io	= sink_io,
};
