// SPDX-License-Identifier: GPL-2.0
/*
 * stat.c - exit statistics for people: `kvmini run --stat` and
 * `kvmini stat`.
 *
 * Both read the module's self-describing statistics (user/stats.c): a
 * VM's stats fd at the end of a run, or the same bytes from debugfs
 * (kvmini/PID-ID/stats) for a VM that is running.  The report has three
 * tables, like `perf kvm stat report`:
 *
 *   exit reasons     vendor-neutral (KVMINI_EXITS), split into exits the
 *                    kernel completed and exits userspace served: count,
 *                    share of all exits, share of all time, and min/avg/
 *                    max TSC cycles from the exit to the next entry (over
 *                    the exits that have one: not a vCPU's last)
 *   hardware reasons VMX or SVM, named as the kernel's VMX_EXIT_REASONS/
 *                    SVM_EXIT_REASONS name them (the names come with the
 *                    descriptors): count and shares
 *   ports            port I/O by port: count, shares, average
 *
 * Every row name comes from a descriptor, so a module with more exit
 * reasons than this tool knows still reports all of them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stat.h"

#define DEBUGFS_DIR	"kvmini"	/* under the debugfs mount */

static const char *const side_names[] = { "kernel", "user" };
#define NR_SIDES	2

struct row {
	char name[KVMINI_STATS_NAME_SIZE];
	const char *side;
	uint64_t count, cycles, min, max;
	uint64_t timed;		/* exits with a time: the average's */
};

struct table {
	struct row *rows;
	unsigned int nr;
	uint64_t count, cycles;	/* over every exit, for the shares */
};

static void table_add(struct table *t, const struct row *r)
{
	t->rows = realloc(t->rows, (t->nr + 1) * sizeof(*t->rows));
	if (!t->rows)
		kvmini_die("realloc");
	t->rows[t->nr++] = *r;
}

/* Most exits first; the same count: most time first. */
static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->cycles != y->cycles)
		return x->cycles < y->cycles ? 1 : -1;
	return strcmp(x->name, y->name);
}

/*
 * How many of a row's exits were timed.  An exit's time ends at the next
 * entry, so a vCPU's last exit never gets one; the histogram counts
 * exactly the timed exits.  Rows without one (ports) can only divide by
 * the count.
 */
static uint64_t timed_exits(const struct kvmini_stats *s, const char *prefix,
			    const struct row *r)
{
	char name[2 * KVMINI_STATS_NAME_SIZE];
	const uint64_t *hist;
	uint64_t timed = 0;
	uint32_t i, n;

	snprintf(name, sizeof(name), "%s%s.%s.hist", prefix, r->name,
		 r->side);
	hist = kvmini_stats_find(s, name, &n);
	if (!hist)
		return r->count;
	for (i = 0; i < n; i++)
		timed += hist[i];
	return timed;
}

/*
 * The rows of one family of descriptors, "PREFIX.NAME.SIDE.count" with
 * "....cycles" (and for exit reasons "min_cycles", "max_cycles" and
 * "hist") beside it; only rows that counted something.
 */
static void table_collect(struct table *t, const struct kvmini_stats *s,
			  const char *prefix)
{
	size_t plen = strlen(prefix), len;
	uint32_t i, side;

	for (i = 0; i < s->hdr.num_desc; i++) {
		const char *name = kvmini_stats_desc(s, i)->name;
		struct row r = {};
		char suffix[32];
		size_t slen = 0;

		len = strnlen(name, s->hdr.name_size);
		if (strncmp(name, prefix, plen))
			continue;
		for (side = 0; side < NR_SIDES; side++) {
			slen = snprintf(suffix, sizeof(suffix), ".%s.count",
					side_names[side]);
			if (len > plen + slen &&
			    !strcmp(name + len - slen, suffix))
				break;
		}
		if (side == NR_SIDES)
			continue;
		r.side = side_names[side];
		snprintf(r.name, sizeof(r.name), "%.*s",
			 (int)(len - plen - slen), name + plen);
		r.count = s->data[kvmini_stats_desc(s, i)->offset / 8];
		if (!r.count)
			continue;
		r.cycles = kvmini_stats_get(s, "%s%s.%s.cycles", prefix,
					    r.name, r.side);
		r.min = kvmini_stats_get(s, "%s%s.%s.min_cycles", prefix,
					 r.name, r.side);
		r.max = kvmini_stats_get(s, "%s%s.%s.max_cycles", prefix,
					 r.name, r.side);
		r.timed = timed_exits(s, prefix, &r);
		table_add(t, &r);
	}
	qsort(t->rows, t->nr, sizeof(*t->rows), row_cmp);
}

/* Port slots: port.id is port + 1, 0 for a free slot. */
static void table_collect_ports(struct table *t,
				const struct kvmini_stats *s)
{
	const uint64_t *id = kvmini_stats_find(s, "port.id", NULL);
	uint32_t i, side, nr = 0;

	if (!id || !kvmini_stats_find(s, "port.id", &nr))
		return;
	for (i = 0; i < nr; i++) {
		for (side = 0; id[i] && side < NR_SIDES; side++) {
			char name[KVMINI_STATS_NAME_SIZE];
			const uint64_t *count, *cycles;
			struct row r = { .side = side_names[side] };

			snprintf(name, sizeof(name), "port.%s.count", r.side);
			count = kvmini_stats_find(s, name, NULL);
			snprintf(name, sizeof(name), "port.%s.cycles", r.side);
			cycles = kvmini_stats_find(s, name, NULL);
			if (!count || !cycles || !count[i])
				continue;
			snprintf(r.name, sizeof(r.name), "%#" PRIx64,
				 id[i] - 1);
			r.timed = r.count = count[i];
			r.cycles = cycles[i];
			table_add(t, &r);
		}
	}
	qsort(t->rows, t->nr, sizeof(*t->rows), row_cmp);
}

static double share(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * part / whole : 0;
}

/* "-" where nothing was timed: the run's last exit has no next entry. */
static void print_cycles(FILE *out, uint64_t v, bool timed)
{
	if (timed)
		fprintf(out, " %9" PRIu64, v);
	else
		fprintf(out, " %9s", "-");
}

/* The columns after count and share of exits, each adding to the last. */
enum columns {
	COUNT_ONLY,		/* no times: the KVM backend's */
	TIME_SHARE,		/* share of the time */
	AVG,			/* and the average */
	MIN_AVG_MAX,		/* and min and max around it */
};

/* One table; what names the first column, width is its width. */
static void table_print(FILE *out, const struct table *t,
			const struct table *all, const char *what, int width,
			enum columns cols)
{
	unsigned int i;

	if (!t->nr)
		return;
	fprintf(out, "\n%-*s %-6s %10s %7s", width, what, "where", "count",
		"exits%");
	if (cols >= TIME_SHARE)
		fprintf(out, " %7s", "time%");
	if (cols >= MIN_AVG_MAX)
		fprintf(out, " %9s", "min");
	if (cols >= AVG)
		fprintf(out, " %9s", "avg");
	if (cols >= MIN_AVG_MAX)
		fprintf(out, " %9s", "max");
	fputc('\n', out);
	for (i = 0; i < t->nr; i++) {
		const struct row *r = &t->rows[i];
		bool timed = r->timed && (r->cycles || r->min);

		fprintf(out, "%-*s %-6s %10" PRIu64 " %6.2f%%", width,
			r->name, r->side, r->count,
			share(r->count, all->count));
		if (cols >= TIME_SHARE)
			fprintf(out, " %6.2f%%", share(r->cycles, all->cycles));
		if (cols >= MIN_AVG_MAX)
			print_cycles(out, r->min, timed);
		if (cols >= AVG)
			print_cycles(out, timed ? r->cycles / r->timed : 0,
				     timed);
		if (cols >= MIN_AVG_MAX)
			print_cycles(out, r->max, timed);
		fputc('\n', out);
	}
}

static void table_free(struct table *t)
{
	free(t->rows);
}

void stat_report(FILE *out, const struct kvmini_stats *s, const char *title)
{
	struct table exits = {}, hw = {}, ports = {};
	uint64_t untracked = kvmini_stats_get(s, "port.untracked");
	unsigned int i;

	table_collect(&exits, s, "exit.");
	for (i = 0; i < exits.nr; i++) {
		exits.count += exits.rows[i].count;
		exits.cycles += exits.rows[i].cycles;
	}
	table_collect(&hw, s, "hw.");
	table_collect_ports(&ports, s);

	fprintf(out, "%s: %" PRIu64 " exits, %" PRIu64
		" TSC cycles from exit to entry\n", title, exits.count,
		exits.cycles);
	if (!exits.count)
		fprintf(out, "(nothing counted: is kvmini.ko's stats "
			"parameter off?)\n");
	table_print(out, &exits, &exits, "exit reason", 12, MIN_AVG_MAX);
	/*
	 * No average per hardware reason: without a histogram there is no
	 * telling how many of its exits were timed, and one untimed exit
	 * (isa-debug-exit's OUT among a few console batches, say) would
	 * halve it.  A port's row has the same flaw, but there the last
	 * exit mostly sits alone (port 0xf4).
	 */
	table_print(out, &hw, &exits, "hardware reason", 26, TIME_SHARE);
	table_print(out, &ports, &exits, "port", 12, AVG);
	if (untracked)
		fprintf(out, "(%" PRIu64 " port exits not by port: more "
			"ports than %d)\n", untracked, KVMINI_STATS_PORTS);
	table_free(&exits);
	table_free(&hw);
	table_free(&ports);
}

void stat_report_user_exits(FILE *out, const uint64_t *counts)
{
	struct table t = {};
	unsigned int i;

	for (i = 0; i < KVMINI_EXIT_NR; i++) {
		struct row r = { .side = "user", .count = counts[i] };

		if (!counts[i])
			continue;
		snprintf(r.name, sizeof(r.name), "%s", kvmini_exit_name(i));
		t.count += counts[i];
		table_add(&t, &r);
	}
	qsort(t.rows, t.nr, sizeof(*t.rows), row_cmp);
	fprintf(out, "kvm backend, exits to userspace: %" PRIu64
		" (KVM's in-kernel exits are not visible here)\n", t.count);
	table_print(out, &t, &t, "exit reason", 12, COUNT_ONLY);
	table_free(&t);
}

/* ------------------------------------------------------------------ */
/* kvmini stat: running VMs, from debugfs                               */
/* ------------------------------------------------------------------ */

void stat_usage(FILE *out)
{
	fprintf(out,
		"usage: kvmini stat [VM...]\n"
		"\n"
		"Reports the exit statistics of running kvmini VMs, from debugfs\n"
		"(DEBUGFS/kvmini/PID-ID/stats).  A VM is given as its directory\n"
		"there, by path or by name (PID-ID), or as a PID (all of its VMs);\n"
		"without one, every VM is reported.  The columns are those of\n"
		"kvmini run --stat.\n"
		"\n"
		"options:\n"
		"  -h, --help   this text\n");
}

/* Where debugfs is mounted, from /proc/mounts; NULL if it is not. */
static char *debugfs_mount(void)
{
	char dev[256], dir[4096], type[64];
	char *found = NULL;
	FILE *f = fopen("/proc/mounts", "r");

	if (!f)
		return NULL;
	while (!found && fscanf(f, "%255s %4095s %63s %*[^\n]", dev, dir,
				type) == 3)
		if (!strcmp(type, "debugfs"))
			found = strdup(dir);
	fclose(f);
	return found;
}

/* Report the VM in directory dir; 0, or -1 after saying why not. */
static int report_dir(const char *dir, const char *title)
{
	char path[4096];
	struct kvmini_stats *s;
	int fd;

	snprintf(path, sizeof(path), "%s/stats", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "kvmini stat: %s: %s\n", path,
			errno == ENOENT ? "no such VM" : strerror(errno));
		return -1;
	}
	s = kvmini_stats_open(fd);
	if (!s) {
		fprintf(stderr, "kvmini stat: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	stat_report(stdout, s, title);
	kvmini_stats_close(s);
	return 0;
}

/* A VM directory's name is PID-ID. */
static bool is_vm_name(const char *name, const char *pid)
{
	size_t n = strspn(name, "0123456789");

	if (!n || name[n] != '-' || !name[n + 1] ||
	    strspn(name + n + 1, "0123456789") != strlen(name + n + 1))
		return false;
	return !pid || (strlen(pid) == n && !strncmp(name, pid, n));
}

/* Every VM under root, or those of one PID; how many were reported. */
static int report_all(const char *root, const char *pid, int *failed)
{
	struct dirent **names;
	char dir[4096 + 256];
	int i, n, found = 0;

	n = scandir(root, &names, NULL, alphasort);
	if (n < 0)
		return 0;
	for (i = 0; i < n; i++) {
		if (is_vm_name(names[i]->d_name, pid)) {
			snprintf(dir, sizeof(dir), "%s/%s", root,
				 names[i]->d_name);
			if (found++)
				putchar('\n');
			/* A VM that ended meanwhile is no failure. */
			if (report_dir(dir, names[i]->d_name) &&
			    access(dir, F_OK) == 0)
				(*failed)++;
		}
		free(names[i]);
	}
	free(names);
	return found;
}

/* DEBUGFS/kvmini into root; 0, or -1 after saying why it is missing. */
static int find_root(char *root, size_t size)
{
	char *debugfs = debugfs_mount();

	if (!debugfs) {
		fprintf(stderr, "kvmini stat: debugfs is not mounted "
			"(mount -t debugfs debugfs /sys/kernel/debug)\n");
		return -1;
	}
	snprintf(root, size, "%s/" DEBUGFS_DIR, debugfs);
	free(debugfs);
	if (access(root, F_OK)) {
		fprintf(stderr, "kvmini stat: no %s: is kvmini.ko loaded?\n",
			root);
		return -1;
	}
	return 0;
}

static bool is_pid(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

int cmd_stat(int argc, char **argv)
{
	int i, first, failed = 0, reported = 0;
	char root[4096] = "";

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			stat_usage(stdout);
			return 0;
		}
		fprintf(stderr, "kvmini stat: unknown option %s\n"
			"Try 'kvmini stat --help'.\n", argv[i]);
		return 2;
	}
	for (first = i; i < argc; i++)
		if (!strchr(argv[i], '/') && !is_vm_name(argv[i], NULL) &&
		    !is_pid(argv[i])) {
			fprintf(stderr, "kvmini stat: %s: not a VM (PID-ID, a "
				"PID or a directory)\n"
				"Try 'kvmini stat --help'.\n", argv[i]);
			return 2;
		}

	if (first == argc) {
		if (find_root(root, sizeof(root)))
			return 1;
		if (!report_all(root, NULL, &failed)) {
			fprintf(stderr,
				"kvmini stat: no kvmini VM is running\n");
			return 1;
		}
		return failed ? 1 : 0;
	}
	for (i = first; i < argc; i++) {
		const char *vm = argv[i];
		char dir[sizeof(root) + 64];

		if (reported++)
			putchar('\n');
		/* A path needs no debugfs lookup. */
		if (strchr(vm, '/')) {
			failed += report_dir(vm, vm) != 0;
			continue;
		}
		if (!root[0] && find_root(root, sizeof(root)))
			return 1;
		if (is_vm_name(vm, NULL)) {
			snprintf(dir, sizeof(dir), "%s/%s", root, vm);
			failed += report_dir(dir, vm) != 0;
		} else if (!report_all(root, vm, &failed)) {
			fprintf(stderr, "kvmini stat: process %s has no kvmini "
				"VM\n", vm);
			failed++;
		}
	}
	return failed ? 1 : 0;
}
