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

/*
 * The buckets of the last exit, found once for a run of exits alike
 * (same reason, side, hardware reason and port): most exits repeat the
 * one before, and then counting them is following three pointers.  The
 * exit whose time is still open is the last one.
 */
struct kvmini_open_exit {
	bool open;
	bool untracked;			/* port I/O with the port table full */
	u32 key;			/* reason, side and port */
	u64 hw_reason;
	struct kvmini_exit_stat *exit;	/* NULL before the first exit */
	struct kvmini_count_stat *hw;
	struct kvmini_count_stat *port;	/* NULL if not port I/O */
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

void kvmini_stats_find(struct kvmini_vcpu_stats *s,
		       const struct kvmini_exit *exit, u32 key);

static inline void kvmini_stats_exit(struct kvmini_vcpu *vcpu,
				     const struct kvmini_exit *exit,
				     bool in_kernel)
{
	struct kvmini_vcpu_stats *s = vcpu->stats;
	struct kvmini_open_exit *o = &s->open;
	u32 key;

	if (!static_branch_likely(&kvmini_stats_on))
		return;
	key = exit->reason | (u32)in_kernel << 8 |
	      (exit->reason == KVMINI_EXIT_IO ? (u32)exit->io.port << 16 : 0);
	if (unlikely(key != o->key || exit->hw.reason != o->hw_reason ||
		     !o->exit))
		kvmini_stats_find(s, exit, key);
	/* Plain increments: only the vCPU's thread writes these. */
	o->exit->count++;
	o->hw->count++;
	if (o->port)
		o->port->count++;
	else if (unlikely(o->untracked))
		s->port_untracked++;
	/* An exit taken while statistics were off has no start time. */
	o->tsc = exit->tsc;
	o->open = exit->tsc != 0;
}

/* Bucket 0 holds 0 cycles; bucket i holds [2^(i-1), 2^i). */
static inline unsigned int kvmini_stats_bucket(u64 cycles)
{
	return min_t(unsigned int, cycles ? fls64(cycles) : 0,
		     KVMINI_STATS_HIST_BUCKETS - 1);
}

/* Backends: call with interrupts off, right before entering the guest. */
static inline void kvmini_stats_entry(struct kvmini_vcpu *vcpu)
{
	struct kvmini_open_exit *o = &vcpu->stats->open;
	struct kvmini_exit_stat *e = o->exit;
	u64 cycles;

	if (!static_branch_likely(&kvmini_stats_on) || !o->open)
		return;
	o->open = false;
	cycles = rdtsc() - o->tsc;
	e->cycles += cycles;
	if (!e->min_cycles || cycles < e->min_cycles)
		e->min_cycles = cycles ?: 1;
	if (cycles > e->max_cycles)
		e->max_cycles = cycles;
	e->hist[kvmini_stats_bucket(cycles)]++;
	o->hw->cycles += cycles;
	if (o->port)
		o->port->cycles += cycles;
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
