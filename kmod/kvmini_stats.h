/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvmini_stats.h - counting and timing every exit.
 *
 * The run loop calls kvmini_stats_exit() once per VM exit, after the exit
 * was handled: the exit is counted at once under its vendor-neutral
 * reason, its hardware reason and (port I/O) its port, as handled in the
 * kernel or forwarded to userspace.  Its cost, the TSC cycles from the VM
 * exit to the next VM entry, is only known at that entry: the backend
 * calls kvmini_stats_entry() just before it enters the guest, which adds
 * the time to the same buckets.
 *
 * The counters belong to the vCPU thread; readers (the stats fd, debugfs)
 * may see them mid-update, one u64 at a time, never torn.  core/stats.c
 * turns them into the self-describing stats format of uapi/kvmini.h.
 */
#ifndef KVMINI_STATS_H
#define KVMINI_STATS_H

#include <linux/jump_label.h>
#include <asm/msr.h>
#include "kvmini_core.h"

/* A compact index for each vendor-neutral reason in KVMINI_EXITS. */
enum kvmini_exit_stat_index {
#define KVMINI_EXIT_STAT_ENUM(name, nr, str)	KVMINI_STAT_##name,
	KVMINI_EXITS(KVMINI_EXIT_STAT_ENUM)
#undef KVMINI_EXIT_STAT_ENUM
	KVMINI_STAT_EXIT_NR,
};

enum kvmini_stat_side { KVMINI_STAT_KERNEL, KVMINI_STAT_USER, KVMINI_STAT_SIDES };

struct kvmini_exit_stat {
	u64 count;
	u64 cycles;
	u64 min_cycles;			/* 0 until the first timed exit */
	u64 max_cycles;
	u64 hist[KVMINI_STATS_HIST_BUCKETS];
};

struct kvmini_count_stat {
	u64 count;
	u64 cycles;
};

/* Which buckets the exit whose time is still open went to. */
struct kvmini_open_exit {
	bool open;
	u8 side;
	u8 exit;			/* enum kvmini_exit_stat_index */
	u8 hw;				/* index into the vendor's name table */
	s8 port;			/* port slot, or -1 */
	u64 tsc;
};

struct kvmini_vcpu_stats {
	struct kvmini_exit_stat exit[KVMINI_STAT_EXIT_NR][KVMINI_STAT_SIDES];
	u64 port_id[KVMINI_STATS_PORTS];	/* port + 1; 0: free */
	struct kvmini_count_stat port[KVMINI_STATS_PORTS][KVMINI_STAT_SIDES];
	u64 port_untracked;
	struct kvmini_open_exit open;
	/* Then one pair per hardware reason the vendor names, and "other". */
	struct kvmini_count_stat hw[][KVMINI_STAT_SIDES];
};

/* Statistics cost nothing when the stats module parameter is off. */
DECLARE_STATIC_KEY_TRUE(kvmini_stats_on);

void __kvmini_stats_exit(struct kvmini_vcpu *vcpu,
			 const struct kvmini_exit *exit, bool in_kernel);
void __kvmini_stats_entry(struct kvmini_vcpu *vcpu, u64 now);

static inline void kvmini_stats_exit(struct kvmini_vcpu *vcpu,
				     const struct kvmini_exit *exit,
				     bool in_kernel)
{
	if (static_branch_likely(&kvmini_stats_on))
		__kvmini_stats_exit(vcpu, exit, in_kernel);
}

/* Backends: call with interrupts off, right before entering the guest. */
static inline void kvmini_stats_entry(struct kvmini_vcpu *vcpu)
{
	if (static_branch_likely(&kvmini_stats_on))
		__kvmini_stats_entry(vcpu, rdtsc());
}

/* Backends: the TSC right after the guest left. */
static inline u64 kvmini_exit_tsc(void)
{
	return static_branch_likely(&kvmini_stats_on) ? rdtsc() : 0;
}

int kvmini_stats_setup(void);
void kvmini_stats_unsetup(void);
struct kvmini_vcpu_stats *kvmini_vcpu_stats_alloc(void);
void kvmini_vcpu_stats_free(struct kvmini_vcpu_stats *stats);
long kvmini_vm_stats_fd(struct kvmini_vm *vm);
long kvmini_vcpu_stats_fd(struct kvmini_vcpu *vcpu, struct file *vcpu_file);
void kvmini_vm_debugfs_create(struct kvmini_vm *vm);
void kvmini_vm_debugfs_remove(struct kvmini_vm *vm);
int kvmini_debugfs_init(void);
void kvmini_debugfs_exit(void);

#endif /* KVMINI_STATS_H */
