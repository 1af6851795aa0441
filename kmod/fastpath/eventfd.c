// SPDX-License-Identifier: GPL-2.0
/*
 * eventfd.c - an OUT signals an eventfd and the guest goes on at once,
 * like KVM's ioeventfd: userspace serves the doorbell from another
 * thread.  With KVMINI_PORT_MATCH_VALUE only an OUT of that value does;
 * any other access, and every IN, goes to userspace.
 */
#include <linux/err.h>
#include <linux/eventfd.h>
#include <linux/version.h>

#include "../kvmini_fastpath.h"

static int eventfd_init(struct kvmini_port_range *r,
			const struct kvmini_port_handler *h)
{
	struct eventfd_ctx *ctx = eventfd_ctx_fdget(h->fd);

	/* Not an fd, or an fd that is not an eventfd: both are EBADF. */
	if (IS_ERR(ctx))
		return -EBADF;
	r->priv = ctx;
	return 0;
}

static void eventfd_cleanup(struct kvmini_port_range *r)
{
	eventfd_ctx_put(r->priv);
}

static enum kvmini_pio_result eventfd_io(struct kvmini_vcpu *vcpu,
					 struct kvmini_port_range *r, u16 port,
					 int size, bool in, u32 *data)
{
	if (in || ((r->flags & KVMINI_PORT_MATCH_VALUE) && *data != r->value))
		return KVMINI_PIO_FORWARD;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 8, 0)
	eventfd_signal(r->priv);
#else
	eventfd_signal(r->priv, 1);
#endif
	return KVMINI_PIO_DONE;
}

const struct kvmini_port_kind kvmini_port_eventfd = {
	.name		= "eventfd",
	.init		= eventfd_init,
	.cleanup	= eventfd_cleanup,
	.io		= eventfd_io,
};
