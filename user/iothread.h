/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iothread.h - the I/O thread: the one place the platform waits.
 *
 * Devices that have to act on their own, not in answer to a guest access
 * (the PIT's ticks, the RTC's update interrupts, bytes arriving on the
 * UART), hand a file descriptor to the I/O thread: a timerfd or an input
 * fd.  The thread sleeps in epoll_wait() until one is ready, then calls
 * the device with the machine lock held (device.h).  So a vCPU thread
 * only ever runs its guest and serves its own exits, no device spins, and
 * an idle guest costs the host nothing but the timers it programmed.
 *
 * All times are CLOCK_MONOTONIC nanoseconds (io_now()).
 */
#ifndef KVMINI_IOTHREAD_H
#define KVMINI_IOTHREAD_H

#include <stdbool.h>
#include <stdint.h>

#define NSEC_PER_SEC	1000000000ull

uint64_t io_now(void);

/* A descriptor the thread watches for input (EPOLLIN). */
struct io_watch {
	int fd;
	void (*fn)(struct io_watch *w);	/* machine lock held */
	void *priv;
	bool enabled;
};

/* Watch w->fd from now on (enabled); 0 or -errno. */
int io_watch_add(struct io_watch *w);
/*
 * Stop or restart watching, without closing: a device whose buffer is
 * full stops reading its input until the guest makes room.
 */
void io_watch_enable(struct io_watch *w, bool on);

/* A host timer (a timerfd) that calls fn with the expirations since. */
struct io_timer {
	struct io_watch watch;
	void (*fn)(struct io_timer *t, uint64_t expirations);
	void *priv;
};

/* 0 or -errno. */
int io_timer_init(struct io_timer *t,
		  void (*fn)(struct io_timer *t, uint64_t expirations),
		  void *priv);
/*
 * Fire first at the absolute time first_ns, then every period_ns (0: once).
 * Re-arming or stopping drops expirations not delivered yet: a device that
 * reprograms its timer under the machine lock never sees a stale tick.
 */
void io_timer_arm(struct io_timer *t, uint64_t first_ns, uint64_t period_ns);
void io_timer_stop(struct io_timer *t);

/* Start the thread, once the devices have added what they watch. */
int io_thread_start(void);

#endif /* KVMINI_IOTHREAD_H */
