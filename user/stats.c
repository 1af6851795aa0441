// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - reading kvmini's self-describing statistics: a header, an
 * id, descriptors that name every value, then the values (see
 * uapi/kvmini.h).  The same reader serves a stats fd from
 * KVMINI_GET_STATS_FD and a debugfs kvmini/PID-ID/stats file.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "libkvmini.h"

/* pread exactly len bytes at off. */
static int read_at(int fd, void *buf, size_t len, off_t off)
{
	ssize_t n;

	while (len) {
		n = pread(fd, buf, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = EIO;
			return -1;
		}
		buf = (char *)buf + n;
		len -= n;
		off += n;
	}
	return 0;
}

struct kvmini_stats *kvmini_stats_open(int fd)
{
	struct kvmini_stats *s = calloc(1, sizeof(*s));
	size_t desc_len;

	if (!s)
		return NULL;
	s->fd = fd;
	if (read_at(fd, &s->hdr, sizeof(s->hdr), 0))
		goto fail;
	if (s->hdr.desc_size < sizeof(struct kvmini_stats_desc) +
			       s->hdr.name_size || !s->hdr.num_desc) {
		errno = EPROTO;
		goto fail;
	}
	desc_len = (size_t)s->hdr.num_desc * s->hdr.desc_size;
	s->descs = malloc(desc_len);
	s->data = malloc(s->hdr.data_size);
	if (!s->descs || !s->data)
		goto fail;
	if (read_at(fd, s->id, sizeof(s->id), s->hdr.id_offset) ||
	    read_at(fd, s->descs, desc_len, s->hdr.desc_offset) ||
	    kvmini_stats_refresh(s))
		goto fail;
	s->id[sizeof(s->id) - 1] = 0;
	return s;
fail:
	kvmini_stats_close(s);
	return NULL;
}

int kvmini_stats_refresh(struct kvmini_stats *s)
{
	return read_at(s->fd, s->data, s->hdr.data_size, s->hdr.data_offset);
}

void kvmini_stats_close(struct kvmini_stats *s)
{
	int err = errno;

	close(s->fd);
	free(s->descs);
	free(s->data);
	free(s);
	errno = err;
}

const uint64_t *kvmini_stats_find(const struct kvmini_stats *s,
				  const char *name, uint32_t *size)
{
	uint32_t i;

	for (i = 0; i < s->hdr.num_desc; i++) {
		const struct kvmini_stats_desc *d = kvmini_stats_desc(s, i);

		if (strncmp(d->name, name, s->hdr.name_size))
			continue;
		if (size)
			*size = d->size;
		return s->data + d->offset / sizeof(uint64_t);
	}
	return NULL;
}

uint64_t kvmini_stats_get(const struct kvmini_stats *s, const char *fmt, ...)
{
	char name[KVMINI_STATS_NAME_SIZE + 1];
	const uint64_t *v;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	v = kvmini_stats_find(s, name, NULL);
	return v ? *v : 0;
}

static struct kvmini_stats *stats_of(int fd, const char *what)
{
	struct kvmini_stats *s;
	int sfd = ioctl(fd, KVMINI_GET_STATS_FD, 0);

	if (sfd < 0)
		kvmini_die("KVMINI_GET_STATS_FD on the %s", what);
	s = kvmini_stats_open(sfd);
	if (!s)
		kvmini_die("reading the %s's stats", what);
	return s;
}

struct kvmini_stats *kvmini_vm_stats(struct kvmini_vm *vm)
{
	return stats_of(vm->fd, "VM");
}

struct kvmini_stats *kvmini_vcpu_stats(struct kvmini_vcpu *vcpu)
{
	return stats_of(vcpu->fd, "vCPU");
}
