// SPDX-License-Identifier: GPL-2.0
/*
 * device.c - finding the device behind a port or an address.
 *
 * Ranges live in two small tables searched in order; kvmini's devices
 * are few, and a linear search reads plainly.
 */
#include <errno.h>
#include <string.h>

#include "device.h"

#define MAX_RANGES	32

struct range {
	uint64_t base, len;
	struct device *dev;
	device_io_fn fn;
};

static struct range pio[MAX_RANGES], mmio[MAX_RANGES];
static int nr_pio, nr_mmio;

pthread_mutex_t machine_mutex = PTHREAD_MUTEX_INITIALIZER;

static int add(struct range *table, int *nr, struct device *dev,
	       uint64_t base, uint64_t len, device_io_fn fn)
{
	int i;

	if (*nr == MAX_RANGES || !len || base + len < base)
		return -EINVAL;
	for (i = 0; i < *nr; i++)
		if (base < table[i].base + table[i].len &&
		    table[i].base < base + len)
			return -EEXIST;
	table[(*nr)++] = (struct range){ base, len, dev, fn };
	return 0;
}

int device_add_pio(struct device *dev, uint16_t base, uint16_t len,
		   device_io_fn fn)
{
	if ((uint32_t)base + len > 0x10000)
		return -EINVAL;
	return add(pio, &nr_pio, dev, base, len, fn);
}

int device_add_mmio(struct device *dev, uint64_t base, uint64_t len,
		    device_io_fn fn)
{
	return add(mmio, &nr_mmio, dev, base, len, fn);
}

/* The tables are written only before the vCPUs start: no lock needed. */
static struct range *lookup(struct range *table, int nr, uint64_t addr)
{
	int i;

	for (i = 0; i < nr; i++)
		if (addr - table[i].base < table[i].len)
			return &table[i];
	return NULL;
}

static bool dispatch(struct range *table, int nr, uint64_t addr, void *data,
		     int len, bool is_write)
{
	struct range *r = lookup(table, nr, addr);

	if (!r) {
		if (!is_write)
			memset(data, 0xff, len);
		return false;
	}
	machine_lock();
	r->fn(r->dev, addr, data, len, is_write);
	machine_unlock();
	return true;
}

bool device_pio(uint16_t port, void *data, int len, bool is_write)
{
	return dispatch(pio, nr_pio, port, data, len, is_write);
}

bool device_mmio(uint64_t addr, void *data, int len, bool is_write)
{
	return dispatch(mmio, nr_mmio, addr, data, len, is_write);
}

/* The linker collects the DEVICE() pointers into this section. */
extern struct device *const __start_kvmini_devices[];
extern struct device *const __stop_kvmini_devices[];

int devices_init(struct machine *m)
{
	struct device *const *d;
	int r;

	for (d = __start_kvmini_devices; d < __stop_kvmini_devices; d++) {
		r = (*d)->init(*d, m);
		if (r)
			return r;
	}
	return 0;
}
