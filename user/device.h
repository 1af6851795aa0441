/* SPDX-License-Identifier: GPL-2.0 */
/*
 * device.h - the kvmini tool's device model.
 *
 * A device is one file under user/devices/ that ends with DEVICE(name).
 * Its init registers port or MMIO ranges; accesses to them arrive at one
 * callback, whatever their kind:
 *
 *	void fn(struct device *dev, uint64_t addr, void *data, int len,
 *		bool is_write);
 *
 * addr is the port or the guest-physical address, data holds len bytes
 * (written by the guest, or to be filled for a read).  Accesses nobody
 * claims read as all ones and are otherwise dropped, as on a bus with
 * nothing behind the address.
 *
 * Device code always runs under the machine lock (machine_lock()): a vCPU
 * thread takes it around every access it routes here, the I/O thread
 * (iothread.h) around every timer or input event it hands to a device.
 * One lock for the whole platform, like QEMU's big lock: devices need no
 * locks of their own, and a line a device raises reaches the interrupt
 * controller and the vCPU (irq.h) in one consistent step.
 */
#ifndef KVMINI_DEVICE_H
#define KVMINI_DEVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <pthread.h>

struct machine;
struct device;

typedef void (*device_io_fn)(struct device *dev, uint64_t addr, void *data,
			     int len, bool is_write);

struct device {
	const char *name;
	/* Register ranges; 0 or -errno. */
	int (*init)(struct device *dev, struct machine *m);
	void *priv;
};

/* What devices may ask of the machine they sit in. */
struct machine {
	int out_fd;		/* where consoles write */
	int in_fd;		/* where the UART reads */
	uint64_t mem_size;	/* guest RAM in bytes, from guest-physical 0 */
	int nr_cpus;
	/* Stop every vCPU; the tool exits with status. */
	void (*request_exit)(struct machine *m, int status);
};

int device_add_pio(struct device *dev, uint16_t base, uint16_t len,
		   device_io_fn fn);
int device_add_mmio(struct device *dev, uint64_t base, uint64_t len,
		    device_io_fn fn);

extern pthread_mutex_t machine_mutex;

static inline void machine_lock(void)
{
	pthread_mutex_lock(&machine_mutex);
}

static inline void machine_unlock(void)
{
	pthread_mutex_unlock(&machine_mutex);
}

/* Every DEVICE() in the binary, initialised. */
int devices_init(struct machine *m);

/*
 * Route an access, taking the machine lock; false if no device claimed
 * it (reads get all ones).
 */
bool device_pio(uint16_t port, void *data, int len, bool is_write);
bool device_mmio(uint64_t addr, void *data, int len, bool is_write);

#define DEVICE(dev)							\
	static struct device *const __device_##dev			\
	__attribute__((used, section("kvmini_devices"))) = &(dev)

#endif /* KVMINI_DEVICE_H */
