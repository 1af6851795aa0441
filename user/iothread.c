// SPDX-License-Identifier: GPL-2.0
/*
 * iothread.c - one thread, one epoll set, every timer and input of the
 * platform.  See iothread.h for what it is for.
 *
 * The epoll set is level-triggered: a device that does not consume its
 * input (a UART whose FIFO is full, or whose input has ended) disables
 * its watch instead, and the thread goes back to sleep rather than spin
 * on a ready fd.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "device.h"
#include "iothread.h"

#define MAX_EVENTS	16

static int epoll_fd = -1;

uint64_t io_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static int epoll_set(void)
{
	if (epoll_fd < 0)
		epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	return epoll_fd < 0 ? -errno : 0;
}

int io_watch_add(struct io_watch *w)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };
	int r = epoll_set();

	if (r)
		return r;
	w->enabled = true;
	return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, w->fd, &ev) ? -errno : 0;
}

/*
 * Out of the set, not just without EPOLLIN: epoll reports a hung-up fd
 * (a pipe whose writer is gone) whatever events it was asked for.
 */
void io_watch_enable(struct io_watch *w, bool on)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

	if (w->enabled == on)
		return;
	w->enabled = on;
	epoll_ctl(epoll_fd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, w->fd, &ev);
}

/*
 * A timerfd became readable.  The read returns the expirations since the
 * last read, or fails with EAGAIN when the device re-armed or stopped the
 * timer after epoll saw it fire: that tick belongs to the old setting.
 */
static void timer_ready(struct io_watch *w)
{
	struct io_timer *t = w->priv;
	uint64_t n;

	if (read(w->fd, &n, sizeof(n)) == sizeof(n) && n)
		t->fn(t, n);
}

int io_timer_init(struct io_timer *t,
		  void (*fn)(struct io_timer *t, uint64_t expirations),
		  void *priv)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	t->fn = fn;
	t->priv = priv;
	t->watch = (struct io_watch){ .fd = fd, .fn = timer_ready, .priv = t };
	return io_watch_add(&t->watch);
}

static struct timespec to_timespec(uint64_t ns)
{
	return (struct timespec){ ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };
}

void io_timer_arm(struct io_timer *t, uint64_t first_ns, uint64_t period_ns)
{
	struct itimerspec its = {
		.it_value = to_timespec(first_ns ? first_ns : 1),
		.it_interval = to_timespec(period_ns),
	};

	/* An absolute time already past fires at once, as it should. */
	timerfd_settime(t->watch.fd, TFD_TIMER_ABSTIME, &its, NULL);
}

void io_timer_stop(struct io_timer *t)
{
	struct itimerspec its = {};

	timerfd_settime(t->watch.fd, 0, &its, NULL);
}

static void *io_thread(void *arg)
{
	struct epoll_event ev[MAX_EVENTS];
	int i, n;

	for (;;) {
		n = epoll_wait(epoll_fd, ev, MAX_EVENTS, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		machine_lock();
		for (i = 0; i < n; i++) {
			struct io_watch *w = ev[i].data.ptr;

			/* Disabled since epoll_wait returned: not now. */
			if (w->enabled)
				w->fn(w);
		}
		machine_unlock();
	}
	return NULL;
}

int io_thread_start(void)
{
	pthread_t thread;
	sigset_t all, old;
	int r = epoll_set();

	if (r)
		return r;
	/* The vCPU kick signal is for vCPU threads only. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = -pthread_create(&thread, NULL, io_thread, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!r)
		pthread_detach(thread);
	return r;
}
