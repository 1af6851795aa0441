/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ports.h - the tool's --in-kernel port handlers: PORT[-LAST]=KIND specs,
 * attached to the VM before its vCPUs start (see ports.c).
 */
#ifndef KVMINI_PORTS_H
#define KVMINI_PORTS_H

#include <stdio.h>
#include "libkvmini.h"

/* Record one spec; NULL, or what is wrong with it (a usage error). */
const char *ports_parse(const char *spec);

/*
 * Attach every recorded spec to vm, with an eventfd and a thread that
 * counts its doorbells for each EVENTFD; 0, or -1 after saying which
 * spec failed and why.
 */
int ports_attach(struct kvmini_vm *vm);

/*
 * A vCPU is done: bytes its in-kernel console still holds go to the
 * device model, as a batch exit would have taken them.  Call from the
 * vCPU's thread after its last RUN.
 */
void ports_drain_console(struct kvmini_vcpu *vcpu);

/* Stop counting doorbells; every doorbell rung so far is counted. */
void ports_stop(void);

/* One line per EVENTFD spec: its doorbells. */
void ports_report(FILE *out);

#endif /* KVMINI_PORTS_H */
