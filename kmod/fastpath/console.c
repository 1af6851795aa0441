// SPDX-License-Identifier: GPL-2.0
/*
 * console.c - a debug console that does not exit on every byte.
 *
 * Each vCPU buffers the bytes it writes (vcpu->console) and hands them
 * to userspace as one KVMINI_EXIT_IO of count bytes, as if the guest had
 * done a REP OUTSB: on a newline, when the buffer is full, before a HLT
 * exit (core/run.c), or when userspace asks with KVMINI_READ_CONSOLE.
 * The buffer is the vCPU's own, so no lock: only its thread touches it.
 */
#include <linux/uaccess.h>

#include "../kvmini_fastpath.h"

/* Describe the buffered bytes as an OUT exit in the run page. */
void kvmini_console_flush(struct kvmini_vcpu *vcpu)
{
	struct kvmini_console *c = &vcpu->console;
	struct kvmini_run *run = vcpu->run;

	run->io.direction = KVMINI_IO_OUT;
	run->io.size = 1;
	run->io.port = c->port;
	run->io.count = c->len;
	run->io.data_offset = KVMINI_RUN_IO_DATA_OFFSET;
	memcpy(kvmini_run_io_data(vcpu), c->buf, c->len);
	c->len = 0;
}

static enum kvmini_pio_result console_io(struct kvmini_vcpu *vcpu,
					 struct kvmini_port_range *r, u16 port,
					 int size, bool in, u32 *data)
{
	struct kvmini_console *c = &vcpu->console;
	bool flushed = false;
	u8 byte = *data;

	if (in) {
		*data = kvmini_pio_ones(size);
		return KVMINI_PIO_DONE;
	}
	/* Bytes of another console go out first, in order. */
	if (c->len && c->port != r->first) {
		kvmini_console_flush(vcpu);
		flushed = true;
	}
	c->port = r->first;
	c->buf[c->len++] = byte;
	if (!flushed && (byte == '\n' || c->len == sizeof(c->buf))) {
		kvmini_console_flush(vcpu);
		flushed = true;
	}
	return flushed ? KVMINI_PIO_DONE_EXIT : KVMINI_PIO_DONE;
}

const struct kvmini_port_kind kvmini_port_console = {
	.name	= "console",
	.io	= console_io,
};

/* KVMINI_READ_CONSOLE: userspace takes the buffered bytes itself. */
long kvmini_vcpu_read_console(struct kvmini_vcpu *vcpu, void __user *argp)
{
	struct kvmini_console *c = &vcpu->console;
	struct kvmini_console_read req;
	u32 n;

	if (copy_from_user(&req, argp, sizeof(req)))
		return -EFAULT;
	if (req.padding || req.reserved[0] || req.reserved[1] || req.port)
		return -EINVAL;
	n = min_t(u32, req.size, c->len);
	if (copy_to_user(u64_to_user_ptr(req.buf), c->buf, n))
		return -EFAULT;
	req.port = c->port;
	if (copy_to_user(argp, &req, sizeof(req)))
		return -EFAULT;
	/* Whatever did not fit stays, first in line. */
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
	return n;
}
