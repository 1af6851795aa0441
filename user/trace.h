/* SPDX-License-Identifier: GPL-2.0 */
/*
 * trace.h - `kvmini run --trace`: the exit tracepoints of this process's
 * vCPUs, from a private tracefs instance (see trace.c).
 */
#ifndef KVMINI_TRACE_H
#define KVMINI_TRACE_H

#include "libkvmini.h"

/*
 * Start tracing this process and the threads it creates from now on, to
 * file (stderr if NULL).  0, or -1 after saying why not.
 */
int trace_start(const char *file, enum kvmini_backend backend);

/* Print what is still buffered, then remove the instance.  Idempotent. */
void trace_stop(void);

#endif /* KVMINI_TRACE_H */
