// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - `kvmini run --trace`: every exit, the ones the kernel
 * handled itself too, as the module's tracepoints print them:
 *
 *   kvmini_exit       vendor, hardware reason by the kernel's own name
 *                     (VMX_EXIT_REASONS/SVM_EXIT_REASONS), RIP, the
 *                     qualification or EXITINFO1/2, the vendor-neutral
 *                     reason, and whether the kernel or userspace ended it
 *   kvmini_pio        port, size, direction, value
 *   kvmini_mmio       address, size, direction, value
 *   kvmini_fastpath   which in-kernel port handler took an access
 *
 * (kvmini_entry stays off: it would double the lines and say nothing the
 * next exit does not.)  On the KVM backend the same comes from KVM's own
 * kvm_exit, kvm_pio and kvm_mmio.
 *
 * The events are enabled in a tracefs instance of our own,
 * instances/kvmini-PID, so nothing else that traces is disturbed, and
 * filtered to this process by set_event_pid; options/event-fork adds
 * every thread created afterwards, so the vCPU threads must start after
 * trace_start().  A thread reads the instance's trace_pipe and copies
 * whole lines out.  At the end a line written to the instance's
 * trace_marker tells the reader that everything before it has been
 * read: trace_pipe gives the events of all CPUs in time order, and the
 * vCPUs are done by then.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"

static struct {
	char dir[PATH_MAX + 64];	/* the instance; empty: not tracing */
	int pipe_fd;		/* its trace_pipe */
	int out_fd;
	bool own_out;		/* --trace=FILE: ours to close */
	pthread_t reader;
	bool reading;
	char marker[48];	/* the line that ends the trace */
} tr = { .pipe_fd = -1, .out_fd = -1 };

/* The events of each backend; the first must exist. */
static const char *const kvmini_events[] = {
	"events/kvmini/enable", NULL
};
static const char *const kvmini_quiet[] = {
	"events/kvmini/kvmini_entry/enable", NULL
};
static const char *const kvm_events[] = {
	"events/kvm/kvm_exit/enable", "events/kvm/kvm_pio/enable",
	"events/kvm/kvm_mmio/enable", NULL
};

/* Where tracefs is: its own mount, or debugfs' tracing directory. */
static int find_tracefs(char *buf, size_t size)
{
	char dev[256], dir[PATH_MAX], type[64], debugfs[PATH_MAX] = "";
	FILE *f = fopen("/proc/mounts", "r");
	struct stat st;

	if (!f)
		return -1;
	while (fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir, type) == 3) {
		if (!strcmp(type, "tracefs")) {
			fclose(f);
			snprintf(buf, size, "%s", dir);
			return 0;
		}
		if (!strcmp(type, "debugfs"))
			snprintf(debugfs, sizeof(debugfs), "%s", dir);
	}
	fclose(f);
	/* debugfs mounts tracefs at tracing/ when it is looked at. */
	snprintf(buf, size, "%s/tracing", debugfs);
	return debugfs[0] && !stat(buf, &st) && S_ISDIR(st.st_mode) ? 0 : -1;
}

/* Write value to a file of the instance (a path in it); 0 or -1. */
static int instance_write(const char *file, const char *value)
{
	char path[sizeof(tr.dir) + 64];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", tr.dir, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, value, strlen(value));
	err = errno;
	close(fd);
	errno = err;
	return n == (ssize_t)strlen(value) ? 0 : -1;
}

static void write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= n;
	}
}

/* Copy whole lines from trace_pipe to the output, up to the marker. */
static void *reader_loop(void *arg)
{
	size_t have = 0, mlen = strlen(tr.marker);
	char buf[16384], *line, *nl;
	ssize_t n;

	for (;;) {
		n = read(tr.pipe_fd, buf + have, sizeof(buf) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		have += n;
		for (line = buf; (nl = memchr(line, '\n', buf + have - line));
		     line = nl + 1) {
			if (memmem(line, nl - line, tr.marker, mlen))
				return NULL;
			write_all(tr.out_fd, line, nl + 1 - line);
		}
		have = buf + have - line;
		memmove(buf, line, have);
		/* A line longer than the buffer goes out in pieces. */
		if (have == sizeof(buf)) {
			write_all(tr.out_fd, buf, have);
			have = 0;
		}
	}
}

static int fail(const char *what)
{
	fprintf(stderr, "kvmini: --trace: %s: %s\n", what, strerror(errno));
	trace_stop();
	return -1;
}

static int enable_events(enum kvmini_backend backend)
{
	const char *const *on = backend == KVMINI_BACKEND_KVM ?
				kvm_events : kvmini_events;
	const char *const *p;

	if (instance_write(on[0], "1")) {
		fprintf(stderr, "kvmini: --trace: no %s events in tracefs%s\n",
			backend == KVMINI_BACKEND_KVM ? "kvm" : "kvmini",
			backend == KVMINI_BACKEND_KVM ? "" :
			": is kvmini.ko loaded?");
		trace_stop();
		return -1;
	}
	/* The others are extras: an older kernel may lack one. */
	for (p = on + 1; *p; p++)
		instance_write(*p, "1");
	if (backend != KVMINI_BACKEND_KVM)
		for (p = kvmini_quiet; *p; p++)
			instance_write(*p, "0");
	return 0;
}

int trace_start(const char *file, enum kvmini_backend backend)
{
	char tracefs[PATH_MAX], path[sizeof(tr.dir) + 16], pid[16];

	if (find_tracefs(tracefs, sizeof(tracefs))) {
		fprintf(stderr, "kvmini: --trace: tracefs is not mounted "
			"(mount -t tracefs tracefs /sys/kernel/tracing)\n");
		return -1;
	}
	snprintf(tr.dir, sizeof(tr.dir), "%s/instances/kvmini-%d", tracefs,
		 (int)getpid());
	/* Left over by a process of the same PID that was killed. */
	rmdir(tr.dir);
	if (mkdir(tr.dir, 0700)) {
		fprintf(stderr, "kvmini: --trace: creating %s: %s\n", tr.dir,
			strerror(errno));
		tr.dir[0] = 0;
		return -1;
	}
	atexit(trace_stop);

	tr.out_fd = STDERR_FILENO;
	if (file) {
		tr.out_fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
				 0644);
		if (tr.out_fd < 0)
			return fail(file);
		tr.own_out = true;
	}

	/* Only us, and the threads we create from now on. */
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (instance_write("options/event-fork", "1") ||
	    instance_write("set_event_pid", pid))
		return fail("restricting events to this process");
	if (enable_events(backend))
		return -1;

	snprintf(path, sizeof(path), "%s/trace_pipe", tr.dir);
	tr.pipe_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (tr.pipe_fd < 0)
		return fail(path);
	snprintf(tr.marker, sizeof(tr.marker), "kvmini-%d: end of trace",
		 (int)getpid());
	errno = pthread_create(&tr.reader, NULL, reader_loop, NULL);
	if (errno)
		return fail("starting the trace reader");
	tr.reading = true;
	return 0;
}

void trace_stop(void)
{
	struct timespec deadline;

	if (!tr.dir[0])
		return;
	instance_write("events/enable", "0");
	if (tr.reading) {
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += 5;
		/* Without the marker the reader would wait for ever. */
		if (instance_write("trace_marker", tr.marker) ||
		    pthread_timedjoin_np(tr.reader, NULL, &deadline)) {
			fprintf(stderr, "kvmini: --trace: the end of the trace "
				"did not arrive; it may be incomplete\n");
			pthread_cancel(tr.reader);
			pthread_join(tr.reader, NULL);
		}
		tr.reading = false;
	}
	if (tr.pipe_fd >= 0)
		close(tr.pipe_fd);
	if (tr.own_out)
		close(tr.out_fd);
	tr.pipe_fd = tr.out_fd = -1;
	tr.own_out = false;
	if (rmdir(tr.dir))
		fprintf(stderr, "kvmini: --trace: removing %s: %s\n", tr.dir,
			strerror(errno));
	tr.dir[0] = 0;
}
