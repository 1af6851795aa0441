// SPDX-License-Identifier: GPL-2.0
/*
 * fastpath.c - the VM's table of in-kernel port handlers.
 *
 * The table is an immutable, sorted array of ranges behind one RCU
 * pointer.  ATTACH and DETACH build a new array under ports_lock, publish
 * it with rcu_assign_pointer() and free the old one (and a detached
 * range) after a grace period.  A vCPU looks a port up and calls the
 * handler inside one RCU read-side section (kvmini_fastpath_io), so
 * every exit sees exactly one table, whole: the one published before the
 * lookup, or a newer one.  That is the whole race argument: an exit that
 * starts after ATTACH/DETACH returned sees the new table (the pointer
 * was published before the ioctl returned), an exit in flight finishes
 * with the table it looked up (the old ranges stay alive until it leaves
 * its read-side section), and either way it is handled, and counted,
 * once.
 *
 * A new kind: one file under fastpath/ and one row in kinds[] below.
 */
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../kvmini_vendor.h"
#include "../kvmini_fastpath.h"
#include "../kvmini_trace.h"

static const struct kvmini_port_kind *const kinds[] = {
	[KVMINI_PORT_SINK]	= &kvmini_port_sink,
	[KVMINI_PORT_COUNTER]	= &kvmini_port_counter,
	[KVMINI_PORT_LOOPBACK]	= &kvmini_port_loopback,
	[KVMINI_PORT_CONSOLE]	= &kvmini_port_console,
	[KVMINI_PORT_EVENTFD]	= &kvmini_port_eventfd,
};

struct kvmini_port_table {
	unsigned int nr;
	struct rcu_head rcu;
	struct kvmini_port_range *ranges[];	/* sorted by first */
};

void kvmini_fastpath_init(struct kvmini_vm *vm)
{
	mutex_init(&vm->ports_lock);
	RCU_INIT_POINTER(vm->ports, NULL);
}

static void range_free(struct kvmini_port_range *r)
{
	if (r->kind->cleanup)
		r->kind->cleanup(r);
	kfree(r);
}

/* The VM is going away: no vCPU is left to look anything up. */
void kvmini_fastpath_free(struct kvmini_vm *vm)
{
	struct kvmini_port_table *t = rcu_dereference_protected(vm->ports, 1);
	unsigned int i;

	if (!t)
		return;
	for (i = 0; i < t->nr; i++)
		range_free(t->ranges[i]);
	kfree(t);
}

static int copy_request(struct kvmini_port_handler *h, void __user *argp)
{
	unsigned int i;

	if (copy_from_user(h, argp, sizeof(*h)))
		return -EFAULT;
	for (i = 0; i < ARRAY_SIZE(h->reserved); i++)
		if (h->reserved[i])
			return -EINVAL;
	return h->last_port < h->first_port ? -EINVAL : 0;
}

static struct kvmini_port_table *table_alloc(unsigned int nr)
{
	struct kvmini_port_table *t;

	t = kzalloc(struct_size(t, ranges, nr), GFP_KERNEL_ACCOUNT);
	if (t)
		t->nr = nr;
	return t;
}

/* Publish t as the VM's table; the old one goes after a grace period. */
static void table_replace(struct kvmini_vm *vm, struct kvmini_port_table *t)
{
	struct kvmini_port_table *old;

	old = rcu_replace_pointer(vm->ports, t,
				  lockdep_is_held(&vm->ports_lock));
	if (old)
		kfree_rcu(old, rcu);
}

static struct kvmini_port_table *table_locked(struct kvmini_vm *vm)
{
	return rcu_dereference_protected(vm->ports,
					 lockdep_is_held(&vm->ports_lock));
}

static int attach_locked(struct kvmini_vm *vm, struct kvmini_port_range *r)
{
	struct kvmini_port_table *old = table_locked(vm), *t;
	unsigned int i, nr = old ? old->nr : 0;

	for (i = 0; i < nr; i++)
		if (old->ranges[i]->first <= r->last &&
		    r->first <= old->ranges[i]->last)
			return -EEXIST;
	if (nr == KVMINI_MAX_PORT_HANDLERS)
		return -ENOSPC;
	t = table_alloc(nr + 1);
	if (!t)
		return -ENOMEM;
	/* Keep the array sorted: r goes before the first range above it. */
	for (i = 0; i < nr && old->ranges[i]->first < r->first; i++)
		t->ranges[i] = old->ranges[i];
	t->ranges[i] = r;
	for (; i < nr; i++)
		t->ranges[i + 1] = old->ranges[i];
	table_replace(vm, t);
	return 0;
}

long kvmini_vm_attach_port(struct kvmini_vm *vm, void __user *argp)
{
	const struct kvmini_port_kind *kind;
	struct kvmini_port_handler h;
	struct kvmini_port_range *r;
	int ret;

	ret = copy_request(&h, argp);
	if (ret)
		return ret;
	if (h.kind >= ARRAY_SIZE(kinds) || !kinds[h.kind] ||
	    (h.flags & ~KVMINI_PORT_FLAGS))
		return -EINVAL;
	if (!(h.flags & KVMINI_PORT_MATCH_VALUE) && h.value)
		return -EINVAL;
	/* Only eventfds take an fd or match a value. */
	if (h.kind != KVMINI_PORT_EVENTFD &&
	    (h.fd || (h.flags & KVMINI_PORT_MATCH_VALUE)))
		return -EINVAL;
	kind = kinds[h.kind];

	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->first = h.first_port;
	r->last = h.last_port;
	r->flags = h.flags;
	r->value = h.value;
	r->kind = kind;
	ret = kind->init ? kind->init(r, &h) : 0;
	if (ret) {
		kfree(r);
		return ret;
	}

	mutex_lock(&vm->ports_lock);
	ret = attach_locked(vm, r);
	mutex_unlock(&vm->ports_lock);
	if (ret)
		range_free(r);
	return ret;
}

long kvmini_vm_detach_port(struct kvmini_vm *vm, void __user *argp)
{
	struct kvmini_port_range *gone = NULL;
	struct kvmini_port_table *old, *t;
	struct kvmini_port_handler h;
	unsigned int i, j;
	int ret;

	ret = copy_request(&h, argp);
	if (ret)
		return ret;
	if (h.kind || h.flags || h.fd || h.value)
		return -EINVAL;

	mutex_lock(&vm->ports_lock);
	old = table_locked(vm);
	for (i = 0; old && i < old->nr; i++)
		if (old->ranges[i]->first == h.first_port &&
		    old->ranges[i]->last == h.last_port)
			gone = old->ranges[i];
	ret = -ENOENT;
	if (!gone)
		goto out_unlock;
	ret = -ENOMEM;
	t = old->nr > 1 ? table_alloc(old->nr - 1) : NULL;
	if (old->nr > 1 && !t)
		goto out_unlock;
	for (i = 0, j = 0; i < old->nr; i++)
		if (old->ranges[i] != gone)
			t->ranges[j++] = old->ranges[i];
	table_replace(vm, t);
	ret = 0;
out_unlock:
	mutex_unlock(&vm->ports_lock);
	if (gone) {
		/* No vCPU may still be inside its handler. */
		synchronize_rcu();
		range_free(gone);
	}
	return ret;
}

static struct kvmini_port_range *lookup(struct kvmini_port_table *t, u16 port)
{
	unsigned int i;

	for (i = 0; t && i < t->nr && t->ranges[i]->first <= port; i++)
		if (port <= t->ranges[i]->last)
			return t->ranges[i];
	return NULL;
}

/*
 * An IN or OUT exit: complete it here if a handler owns the port.
 * Returns 1 (re-enter), 0 (the run page holds an exit for userspace) or
 * -ENOENT (no handler took it: forward it as usual).
 */
int kvmini_fastpath_io(struct kvmini_vcpu *vcpu, struct kvmini_exit *exit)
{
	enum kvmini_pio_result res = KVMINI_PIO_FORWARD;
	struct kvmini_port_range *r;
	u32 data = 0;

	if (!rcu_access_pointer(vcpu->vm->ports))
		return -ENOENT;
	if (!exit->io.in)
		memcpy(&data, &vcpu->gprs[GPR_RAX], exit->io.size);

	rcu_read_lock();
	r = lookup(rcu_dereference(vcpu->vm->ports), exit->io.port);
	if (r) {
		res = r->kind->io(vcpu, r, exit->io.port, exit->io.size,
				  exit->io.in, &data);
		trace_kvmini_fastpath(vcpu->id, exit->io.port, r->kind->name,
				      exit->io.in, exit->io.size, data, res);
	}
	rcu_read_unlock();

	if (res == KVMINI_PIO_FORWARD)
		return -ENOENT;
	if (exit->io.in)
		kvmini_gpr_write(&vcpu->gprs[GPR_RAX], data, exit->io.size,
				 false);
	kvmini_vendor->skip_instruction(vcpu);
	return res == KVMINI_PIO_DONE ? 1 : 0;
}
