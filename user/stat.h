/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stat.h - exit statistics reports, like `perf kvm stat report`: for
 * `kvmini run --stat` and `kvmini stat` (see stat.c).
 */
#ifndef KVMINI_STAT_H
#define KVMINI_STAT_H

#include <stdio.h>
#include "libkvmini.h"

/* The report of one stats file: a VM's or a vCPU's. */
void stat_report(FILE *out, const struct kvmini_stats *s, const char *title);

/*
 * The KVM backend's report: only counts of the exits userspace saw,
 * indexed by vendor-neutral reason.
 */
void stat_report_user_exits(FILE *out, const uint64_t *counts);

/* kvmini stat [VM...]; argv[0] is "stat". */
int cmd_stat(int argc, char **argv);
void stat_usage(FILE *out);

#endif /* KVMINI_STAT_H */
