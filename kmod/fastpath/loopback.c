// SPDX-License-Identifier: GPL-2.0
/*
 * loopback.c - OUT stores a value, IN reads the last one stored (0 at
 * first), truncated to the size read.  One value for the whole range.
 */
#include "../kvmini_fastpath.h"

static enum kvmini_pio_result loopback_io(struct kvmini_vcpu *vcpu,
					  struct kvmini_port_range *r,
					  u16 port, int size, bool in,
					  u32 *data)
{
	if (in)
		*data = atomic64_read(&r->state) & kvmini_pio_ones(size);
	else
		atomic64_set(&r->state, *data & kvmini_pio_ones(size));
	return KVMINI_PIO_DONE;
}

const struct kvmini_port_kind kvmini_port_loopback = {
	.name	= "loopback",
	.io	= loopback_io,
};
