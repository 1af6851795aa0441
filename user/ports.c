// SPDX-License-Identifier: GPL-2.0
/*
 * ports.c - `kvmini run --in-kernel PORT[-LAST]=KIND`: ports the kernel
 * completes itself, so the same guest runs with fewer exits to userspace.
 *
 *   sink        OUT dropped, IN all ones
 *   counter     IN reads how many accesses there were
 *   loopback    IN reads the last value an OUT stored
 *   console     bytes are buffered in the kernel and arrive as one I/O
 *               exit of many bytes (a line, a full buffer, before HLT);
 *               the device model gets them byte by byte as before
 *   eventfd     an OUT rings a doorbell (an eventfd) and the guest goes
 *               on; eventfd:VALUE rings only for an OUT of VALUE.  A
 *               thread here counts the doorbells (run --stat shows them).
 *
 * On the KVM backend only sink and eventfd exist (KVM_IOEVENTFD).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "ports.h"
#include "device.h"

static const char *const kind_names[] = {
	[KVMINI_PORT_SINK]	= "sink",
	[KVMINI_PORT_COUNTER]	= "counter",
	[KVMINI_PORT_LOOPBACK]	= "loopback",
	[KVMINI_PORT_CONSOLE]	= "console",
	[KVMINI_PORT_EVENTFD]	= "eventfd",
};
#define NR_KINDS	(sizeof(kind_names) / sizeof(kind_names[0]))

static struct port_spec {
	const char *text;		/* as given, for messages */
	struct kvmini_port_handler h;
	uint64_t doorbells;		/* EVENTFD: rung so far */
} specs[KVMINI_MAX_PORT_HANDLERS];
static unsigned int nr_specs;

static bool have_console;
static int stop_fd = -1;		/* wakes the doorbell thread */
static pthread_t doorbell_thread;

/* Decimal, or hexadecimal after 0x; nothing else may follow. */
static int parse_number(const char *s, const char *end, uint64_t max,
			uint64_t *v)
{
	int base = 10;
	char *e;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (s == end || !(base == 16 ? strchr("0123456789abcdefABCDEF", *s)
					: strchr("0123456789", *s)))
		return -1;
	errno = 0;
	*v = strtoull(s, &e, base);
	return e != end || errno || *v > max ? -1 : 0;
}

const char *ports_parse(const char *spec)
{
	static char why[96];
	const char *eq = strchr(spec, '='), *dash, *kind, *colon;
	struct kvmini_port_handler h = {};
	uint64_t first, last, value = 0;
	unsigned int i, k;
	size_t len;

	if (!eq)
		return "want PORT[-LAST]=KIND";
	dash = memchr(spec, '-', eq - spec);
	if (parse_number(spec, dash ?: eq, 0xffff, &first) ||
	    (dash && parse_number(dash + 1, eq, 0xffff, &last)))
		return "ports are 0-0xffff, in decimal or 0x-hex";
	if (!dash)
		last = first;
	if (last < first)
		return "the last port is below the first";

	kind = eq + 1;
	colon = strchr(kind, ':');
	len = colon ? (size_t)(colon - kind) : strlen(kind);
	for (k = 1; k < NR_KINDS; k++)
		if (strlen(kind_names[k]) == len &&
		    !strncmp(kind, kind_names[k], len))
			break;
	if (k == NR_KINDS)
		return "KIND is sink, counter, loopback, console or "
		       "eventfd[:VALUE]";
	if (colon && k != KVMINI_PORT_EVENTFD)
		return "only eventfd takes a :VALUE to match";
	if (colon && parse_number(colon + 1, colon + strlen(colon),
				  UINT32_MAX, &value))
		return "VALUE is a number of at most 32 bits";

	for (i = 0; i < nr_specs; i++)
		if (specs[i].h.first_port <= last &&
		    first <= specs[i].h.last_port) {
			snprintf(why, sizeof(why), "overlaps %s",
				 specs[i].text);
			return why;
		}
	if (nr_specs == KVMINI_MAX_PORT_HANDLERS) {
		snprintf(why, sizeof(why), "at most %d ranges",
			 KVMINI_MAX_PORT_HANDLERS);
		return why;
	}

	h.first_port = first;
	h.last_port = last;
	h.kind = k;
	if (colon) {
		h.flags = KVMINI_PORT_MATCH_VALUE;
		h.value = value;
	}
	specs[nr_specs++] = (struct port_spec){ .text = spec, .h = h };
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Doorbells                                                            */
/* ------------------------------------------------------------------ */

/* An eventfd's counter is the sum of the signals since the last read. */
static void doorbell_count(struct port_spec *s)
{
	uint64_t n;

	if (read(s->h.fd, &n, sizeof(n)) == sizeof(n))
		s->doorbells += n;
}

/*
 * The I/O thread: sleeps in epoll until a doorbell rings or stop_fd
 * says the run is over.  It is the only writer of the counts until
 * ports_stop() has joined it.
 */
static void *doorbell_loop(void *arg)
{
	int ep = (int)(intptr_t)arg;
	struct epoll_event ev[8];
	int i, n;

	for (;;) {
		n = epoll_wait(ep, ev, 8, -1);
		for (i = 0; i < n; i++) {
			if (!ev[i].data.ptr)
				return NULL;
			doorbell_count(ev[i].data.ptr);
		}
	}
}

static int doorbells_start(void)
{
	struct epoll_event ev = { .events = EPOLLIN };
	unsigned int i;
	int ep;

	ep = epoll_create1(EPOLL_CLOEXEC);
	stop_fd = eventfd(0, EFD_CLOEXEC);
	if (ep < 0 || stop_fd < 0)
		return -1;
	ev.data.ptr = NULL;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, stop_fd, &ev))
		return -1;
	for (i = 0; i < nr_specs; i++) {
		if (specs[i].h.kind != KVMINI_PORT_EVENTFD)
			continue;
		ev.data.ptr = &specs[i];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, specs[i].h.fd, &ev))
			return -1;
	}
	errno = pthread_create(&doorbell_thread, NULL, doorbell_loop,
			       (void *)(intptr_t)ep);
	return errno ? -1 : 0;
}

void ports_stop(void)
{
	uint64_t one = 1;
	unsigned int i;

	if (stop_fd < 0)
		return;
	if (write(stop_fd, &one, sizeof(one)) == sizeof(one))
		pthread_join(doorbell_thread, NULL);
	close(stop_fd);
	stop_fd = -1;
	/* The vCPUs are done: whatever rang since the thread's last read. */
	for (i = 0; i < nr_specs; i++)
		if (specs[i].h.kind == KVMINI_PORT_EVENTFD)
			doorbell_count(&specs[i]);
}

void ports_report(FILE *out)
{
	unsigned int i;

	for (i = 0; i < nr_specs; i++)
		if (specs[i].h.kind == KVMINI_PORT_EVENTFD)
			fprintf(out, "eventfd %s: %" PRIu64 " doorbells\n",
				specs[i].text, specs[i].doorbells);
}

/* ------------------------------------------------------------------ */
/* Attaching                                                            */
/* ------------------------------------------------------------------ */

static const char *attach_error(const struct kvmini_vm *vm, int err,
				const struct port_spec *s)
{
	static char why[96];

	switch (err) {
	case -EOPNOTSUPP:
		snprintf(why, sizeof(why), "%s is kvmini-only (the %s backend "
			 "has sink and eventfd)", kind_names[s->h.kind],
			 kvmini_backend_name(vm));
		return why;
	case -EEXIST:
		return "overlaps a range already in the kernel";
	case -ENOSPC:
		return "no room for another in-kernel range";
	case -ENOTTY:
		return "this kvmini.ko has no in-kernel port handlers";
	default:
		return strerror(-err);
	}
}

int ports_attach(struct kvmini_vm *vm)
{
	bool doorbells = false;
	struct port_spec *s;
	unsigned int i;
	int r;

	for (i = 0; i < nr_specs; i++) {
		s = &specs[i];
		if (s->h.kind == KVMINI_PORT_EVENTFD) {
			/* Non-blocking: the last count must not wait. */
			s->h.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
			if (s->h.fd < 0)
				kvmini_die("eventfd for --in-kernel %s",
					   s->text);
			doorbells = true;
		}
		r = kvmini_vm_attach_port(vm, &s->h);
		if (r) {
			fprintf(stderr, "kvmini: --in-kernel %s: %s\n",
				s->text, attach_error(vm, r, s));
			return -1;
		}
		if (s->h.kind == KVMINI_PORT_CONSOLE)
			have_console = true;
	}
	if (doorbells && doorbells_start())
		kvmini_die("starting the doorbell thread");
	return 0;
}

void ports_drain_console(struct kvmini_vcpu *vcpu)
{
	uint8_t buf[KVMINI_CONSOLE_BUF];
	uint16_t port;
	int i, n;

	if (!have_console)
		return;
	while ((n = kvmini_vcpu_read_console(vcpu, buf, sizeof(buf),
					     &port)) > 0)
		for (i = 0; i < n; i++)
			device_pio(port, &buf[i], 1, true);
	if (n < 0) {
		errno = -n;
		kvmini_die("KVMINI_READ_CONSOLE");
	}
}
