/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmini_fastpath.h - in-kernel port I/O handlers.
 *
 * A VM's port table (core/fastpath.c) maps port ranges to handlers of a
 * kind; each kind is one file under fastpath/ that fills a struct
 * kvmini_port_kind, plus one row in core/fastpath.c's kinds[].  The
 * smallest, fastpath/sink.c, is a dozen lines.
 */
#ifndef KVMINI_FASTPATH_H
#define KVMINI_FASTPATH_H

#include <linux/atomic.h>
#include <linux/rcupdate.h>
#include "kvmini_core.h"

/* What a handler did with one IN or OUT. */
enum kvmini_pio_result {
	KVMINI_PIO_DONE,	/* completed: re-enter the guest */
	KVMINI_PIO_FORWARD,	/* not for us: userspace emulates it */
	/* completed, and the run page holds an exit (a console batch) */
	KVMINI_PIO_DONE_EXIT,
};

struct kvmini_port_range {
	u16 first, last;		/* (c) inclusive */
	u32 flags;			/* (c) KVMINI_PORT_* flags */
	u64 value;			/* (c) MATCH_VALUE */
	const struct kvmini_port_kind *kind;	/* (c) */
	atomic64_t state;		/* the kind's: a count, a value */
	void *priv;			/* (c) the kind's: an eventfd */
	struct rcu_head rcu;
};

struct kvmini_port_kind {
	const char *name;
	/*
	 * Optional: validate the request and take what the handler needs
	 * (0 or -errno; nothing to undo on failure).  Runs before the range
	 * is visible to any vCPU.
	 */
	int (*init)(struct kvmini_port_range *r,
		    const struct kvmini_port_handler *h);
	/* Optional: release it, once no vCPU can see the range any more. */
	void (*cleanup)(struct kvmini_port_range *r);
	/*
	 * One IN or OUT of size bytes; *data is the value written, or
	 * receives the value read.  Called under rcu_read_lock(): must not
	 * sleep.  Runs on the vCPU's thread; other vCPUs may be in the same
	 * handler at once.
	 */
	enum kvmini_pio_result (*io)(struct kvmini_vcpu *vcpu,
				     struct kvmini_port_range *r, u16 port,
				     int size, bool in, u32 *data);
};

extern const struct kvmini_port_kind kvmini_port_sink;
extern const struct kvmini_port_kind kvmini_port_counter;
extern const struct kvmini_port_kind kvmini_port_loopback;
extern const struct kvmini_port_kind kvmini_port_console;
extern const struct kvmini_port_kind kvmini_port_eventfd;

/* All ones of an access's size: what an IN from nothing reads. */
static inline u32 kvmini_pio_ones(int size)
{
	return size == 4 ? ~0u : (1u << (size * 8)) - 1;
}

#endif /* KVMINI_FASTPATH_H */
