// SPDX-License-Identifier: GPL-2.0
/*
 * counter.c - counts every IN and OUT to its ports; IN reads the count,
 * itself included.  vCPUs may count at once: the count is atomic.
 */
#include "../kvmini_fastpath.h"

static enum kvmini_pio_result counter_io(struct kvmini_vcpu *vcpu,
					 struct kvmini_port_range *r, u16 port,
					 int size, bool in, u32 *data)
{
	u64 count = atomic64_inc_return(&r->state);

	if (in)
		*data = count & kvmini_pio_ones(size);
	return KVMINI_PIO_DONE;
}

const struct kvmini_port_kind kvmini_port_counter = {
	.name	= "counter",
	.io	= counter_io,
};
