// SPDX-License-Identifier: GPL-2.0
/*
 * report.c - `bench report TARGET EMULATOR LOG DAT`: turn the "bench:"
 * lines a VM printed (bench.c says what each is) into the markdown
 * tables of `make bench`, on stdout, and write the per-exit figures for
 * gnuplot (selftests/bench/plot.gp) to DAT.
 *
 * Runs on the build machine after the VM powered off.  Every number in
 * the tables comes from the log; this file only knows what each row
 * means and how to print it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The runs one VM boot makes (selftests/vm/in-vm-bench.sh). */
enum config {
	CFG_KVMINI,
	CFG_KVM,
	CFG_KVM_MATCHED,	/* KVM without its L1D flush (VMX) */
	CFG_NOSTATS,		/* kvmini, statistics off */
	CFG_TRACE,		/* kvmini, tracing on */
	CFG_KVMINI_NOFLUSH,	/* kvmini without its L1D flush (VMX) */
	NR_CFG,
};

static const char *const cfg_label[NR_CFG] = {
	"kvmini", "kvm", "kvm-matched", "kvmini-nostats", "kvmini-trace",
	"kvmini-noflush",
};

enum unit { U_EXIT, U_LIFE, U_PAGE, U_RATE, U_BOOT };

struct row_info {
	const char *id;
	const char *title;
	const char *plot;	/* x-axis label; NULL: not plotted */
	enum unit unit;
};

static const struct row_info rows[] = {
	{ "pio_kernel", "PIO out in the kernel: kvmini SINK / KVM ioeventfd",
	  "PIO kernel", U_EXIT },
	{ "pio_out", "PIO out, forwarded to userspace", "PIO out", U_EXIT },
	{ "pio_in", "PIO in, forwarded to userspace", "PIO in", U_EXIT },
	{ "mmio_write", "MMIO write (4 bytes), forwarded", "MMIO write",
	  U_EXIT },
	{ "mmio_read", "MMIO read (4 bytes), forwarded", "MMIO read",
	  U_EXIT },
	{ "cpuid", "CPUID leaf 1, in the kernel", "CPUID", U_EXIT },
	{ "rdmsr_efer", "RDMSR of EFER, in the kernel", "RDMSR", U_EXIT },
	{ "hypercall", "unknown hypercall, -1000 in RAX in the kernel",
	  "hypercall", U_EXIT },
	{ "irq", "interrupt round trip: doorbell OUT, injected, handler, IRET",
	  "IRQ", U_EXIT },
	{ "hlt", "HLT, woken by an injected interrupt", "HLT", U_EXIT },
	{ "vm_create", "VM create+destroy, the only VM", NULL, U_LIFE },
	{ "vm_create_held", "VM create+destroy, another VM open", NULL,
	  U_LIFE },
	{ "vm_first_exit",
	  "VM, 1 vCPU, 2 MiB: create, run to the first exit, destroy", NULL,
	  U_LIFE },
	{ "touch_2", "first touch, 2 MiB, per 4 KiB page", NULL, U_PAGE },
	{ "touch_16", "first touch, 16 MiB, per 4 KiB page", NULL, U_PAGE },
	{ "touch_64", "first touch, 64 MiB, per 4 KiB page", NULL, U_PAGE },
	{ "touch_256", "first touch, 256 MiB, per 4 KiB page", NULL, U_PAGE },
	{ "touch_1024", "first touch, 1024 MiB, per 4 KiB page", NULL,
	  U_PAGE },
	{ "rate_kernel_1", "exits/s, 1 vCPU, in-kernel PIO", NULL, U_RATE },
	{ "rate_kernel_2", "exits/s, 2 vCPUs, in-kernel PIO", NULL, U_RATE },
	{ "rate_kernel_4", "exits/s, 4 vCPUs, in-kernel PIO", NULL, U_RATE },
	{ "rate_user_1", "exits/s, 1 vCPU, forwarded PIO out", NULL, U_RATE },
	{ "rate_user_2", "exits/s, 2 vCPUs, forwarded PIO out", NULL,
	  U_RATE },
	{ "rate_user_4", "exits/s, 4 vCPUs, forwarded PIO out", NULL,
	  U_RATE },
	{ "linux_1", "Linux to /init, 1 vCPU", NULL, U_BOOT },
	{ "linux_2", "Linux to /init, 2 vCPUs", NULL, U_BOOT },
	{ "linux_4", "Linux to /init, 4 vCPUs", NULL, U_BOOT },
};

#define NR_ROWS	(sizeof(rows) / sizeof(rows[0]))

struct fig {
	bool valid;
	double med, q1, q3, exits;	/* exits < 0: not counted */
	int n;
};

static struct fig figs[NR_CFG][NR_ROWS];
static char env_kernel[256], env_vendor[256], env_iters[256], env_reps[256];
static char kvm_params[NR_CFG][1024];
static double khz;		/* TSC rate, kHz */
static bool bochs;		/* unit: emulated instructions */

static int cfg_of(const char *label)
{
	int i;

	for (i = 0; i < NR_CFG; i++)
		if (!strcmp(label, cfg_label[i]))
			return i;
	return -1;
}

static int row_of(const char *id)
{
	unsigned int i;

	for (i = 0; i < NR_ROWS; i++)
		if (!strcmp(id, rows[i].id))
			return i;
	return -1;
}

static void parse_env(const char *label, const char *key, const char *val)
{
	int c = cfg_of(label);

	if (!strcmp(key, "kernel"))
		snprintf(env_kernel, sizeof(env_kernel), "%s", val);
	else if (!strcmp(key, "vendor"))
		snprintf(env_vendor, sizeof(env_vendor), "%s", val);
	else if (!strcmp(key, "iters") && c == CFG_KVMINI)
		snprintf(env_iters, sizeof(env_iters), "%s", val);
	else if (!strcmp(key, "reps") && c == CFG_KVMINI)
		snprintf(env_reps, sizeof(env_reps), "%s", val);
	else if (!strcmp(key, "tsc_khz") && c == CFG_KVMINI)
		khz = atof(val);
	else if (!strcmp(key, "param") && c >= 0)
		snprintf(kvm_params[c] + strlen(kvm_params[c]),
			 sizeof(kvm_params[c]) - strlen(kvm_params[c]),
			 "%s`%s`", kvm_params[c][0] ? ", " : "", val);
}

static void parse(FILE *f)
{
	char line[512], label[64], id[64], key[64], val[256];
	struct fig x;
	int c, r;

	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = 0;
		if (sscanf(line, "bench: env %63s %63s %255[^\n]", label, key,
			   val) == 3) {
			parse_env(label, key, val);
			continue;
		}
		if (sscanf(line, "bench: %63s %63s %lf %lf %lf %d %63s", label,
			   id, &x.med, &x.q1, &x.q3, &x.n, val) != 7)
			continue;
		c = cfg_of(label);
		r = row_of(id);
		if (c < 0 || r < 0)
			continue;
		x.exits = val[0] == '-' ? -1 : atof(val);
		x.valid = true;
		figs[c][r] = x;
	}
}

/* 1234567 -> "1,234,567" */
static char *group(char *buf, size_t size, double v)
{
	char digits[32];
	int len, i, o = 0;

	snprintf(digits, sizeof(digits), "%.0f", v);
	len = strlen(digits);
	for (i = 0; i < len && o < (int)size - 2; i++) {
		buf[o++] = digits[i];
		if (digits[i] != '-' && (len - i - 1) % 3 == 0 && i < len - 1)
			buf[o++] = ',';
	}
	buf[o] = 0;
	return buf;
}

/* Time for n TSC ticks, with a unit that suits it. */
static void fmt_time(char *buf, size_t size, double ticks)
{
	double ns = ticks * 1e6 / khz;

	if (ns < 1e3)
		snprintf(buf, size, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, size, "%.1f µs", ns / 1e3);
	else
		snprintf(buf, size, "%.1f ms", ns / 1e6);
}

/* One table cell: the median, the quartiles, a time under QEMU. */
static void cell(char *buf, size_t size, const struct row_info *ri,
		 const struct fig *f)
{
	char m[32], a[32], b[32], t[32];

	if (!f->valid) {
		snprintf(buf, size, "-");
		return;
	}
	if (ri->unit == U_BOOT) {
		snprintf(buf, size, "%.1f s (%.1f–%.1f)", f->med, f->q1,
			 f->q3);
		return;
	}
	if (ri->unit == U_RATE) {
		snprintf(buf, size, "%s/s (%s–%s)", group(m, 32, f->med),
			 group(a, 32, f->q1), group(b, 32, f->q3));
		return;
	}
	if (bochs || !khz) {
		snprintf(buf, size, "%s (%s–%s)", group(m, 32, f->med),
			 group(a, 32, f->q1), group(b, 32, f->q3));
		return;
	}
	fmt_time(t, sizeof(t), f->med);
	snprintf(buf, size, "%s cyc (%s–%s), %s", group(m, 32, f->med),
		 group(a, 32, f->q1), group(b, 32, f->q3), t);
}

static void ratio(char *buf, size_t size, const struct fig *a,
		  const struct fig *b)
{
	/* Two decimals, or two significant digits for the tiny ones. */
	if (a->valid && b->valid && b->med > 0)
		snprintf(buf, size, a->med / b->med < 0.1 ? "%.2g" : "%.2f",
			 a->med / b->med);
	else
		snprintf(buf, size, "-");
}

/* Both backends also ran without their L1D flush, for rows of unit. */
static bool have_matched(enum unit unit)
{
	unsigned int r;

	for (r = 0; r < NR_ROWS; r++)
		if (rows[r].unit == unit && figs[CFG_KVM_MATCHED][r].valid &&
		    figs[CFG_KVMINI_NOFLUSH][r].valid)
			return true;
	return false;
}

static void table(enum unit unit, const char *what)
{
	bool matched = have_matched(unit);
	char k[128], v[128], m[128], n[128], r1[16], r2[16];
	unsigned int r, rows_there = 0;

	for (r = 0; r < NR_ROWS; r++)
		rows_there += rows[r].unit == unit && figs[CFG_KVMINI][r].valid;
	if (!rows_there)
		return;		/* not measured on this target */

	printf("%s\n\n| exit | kvmini | kvm | kvmini/kvm |%s\n", what,
	       matched ? " kvmini, no L1D flush | kvm, no L1D flush | "
			 "kvmini/kvm, no L1D flush |" : "");
	printf("| --- | --- | --- | --- |%s\n",
	       matched ? " --- | --- | --- |" : "");
	for (r = 0; r < NR_ROWS; r++) {
		const struct fig *fk = &figs[CFG_KVMINI][r];
		const struct fig *fn = &figs[CFG_KVMINI_NOFLUSH][r];
		const struct fig *fm = &figs[CFG_KVM_MATCHED][r];

		if (rows[r].unit != unit || !fk->valid)
			continue;
		cell(k, sizeof(k), &rows[r], fk);
		cell(v, sizeof(v), &rows[r], &figs[CFG_KVM][r]);
		ratio(r1, sizeof(r1), fk, &figs[CFG_KVM][r]);
		printf("| %s | %s | %s | %s |", rows[r].title, k, v, r1);
		if (matched) {
			cell(n, sizeof(n), &rows[r], fn);
			cell(m, sizeof(m), &rows[r], fm);
			ratio(r2, sizeof(r2), fn, fm);
			printf(" %s | %s | %s |", n, m, r2);
		}
		printf("\n");
	}
	printf("\n");
}

/* Rows whose exits per iteration are not the one exit they measure. */
static void exit_counts(void)
{
	static const int cfgs[] = { CFG_KVMINI, CFG_KVM, CFG_KVMINI_NOFLUSH,
				    CFG_KVM_MATCHED };
	bool any = false;
	unsigned int r, c;

	for (c = 0; c < 4; c++) {
		for (r = 0; r < NR_ROWS; r++) {
			const struct fig *f = &figs[cfgs[c]][r];

			if (rows[r].unit != U_EXIT || !f->valid ||
			    f->exits < 0 || (f->exits > 0.95 &&
					     f->exits < 1.05))
				continue;
			printf("%s%s %s: %.2f", any ? "; " : "Exits per "
			       "iteration other than 1, as each hypervisor "
			       "counted them: ", cfg_label[cfgs[c]],
			       rows[r].id, f->exits);
			any = true;
		}
	}
	printf("%s\n\n", any ? "." : "Every exit row took one exit per "
	       "iteration on every backend, as each hypervisor counted "
	       "them.");
}

static void stats_table(void)
{
	char on[128], off[128], tr[128];
	unsigned int r;

	if (!figs[CFG_NOSTATS][0].valid)
		return;
	printf("kvmini's statistics (module parameter `stats`) and "
	       "tracepoints (`events/kvmini`) on an in-kernel exit:\n\n"
	       "| exit | stats on (default) | stats off | cost of stats | "
	       "tracing on |\n| --- | --- | --- | --- | --- |\n");
	for (r = 0; r < NR_ROWS; r++) {
		const struct fig *a = &figs[CFG_KVMINI][r];
		const struct fig *b = &figs[CFG_NOSTATS][r];

		if (!b->valid)
			continue;
		cell(on, sizeof(on), &rows[r], a);
		cell(off, sizeof(off), &rows[r], b);
		cell(tr, sizeof(tr), &rows[r], &figs[CFG_TRACE][r]);
		printf("| %s | %s | %s | %+.1f %% | %s |\n", rows[r].title,
		       on, off, (a->med / b->med - 1) * 100, tr);
	}
	printf("\n");
}

/* Label, then median and quartiles: kvmini, kvm, and both unflushed. */
static void write_dat(const char *path)
{
	static const int cfgs[] = { CFG_KVMINI, CFG_KVM, CFG_KVMINI_NOFLUSH,
				    CFG_KVM_MATCHED };
	unsigned int r, c, nr_cfg = have_matched(U_EXIT) ? 4 : 2;
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	for (r = 0; r < NR_ROWS; r++) {
		if (!rows[r].plot || !figs[CFG_KVMINI][r].valid)
			continue;
		fprintf(f, "%s", rows[r].plot);
		for (c = 0; c < nr_cfg; c++) {
			const struct fig *x = &figs[cfgs[c]][r];

			fprintf(f, "\t%.1f\t%.1f\t%.1f", x->med, x->q1, x->q3);
		}
		fprintf(f, "\n");
	}
	fclose(f);
}

int bench_report(int argc, char **argv)
{
	const char *target, *emulator;
	char date[32];
	time_t now = time(NULL);
	FILE *f;

	if (argc != 4) {
		fprintf(stderr,
			"usage: bench report TARGET EMULATOR LOG DAT\n");
		return 2;
	}
	target = argv[0];
	emulator = argv[1];
	f = fopen(argv[2], "r");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	parse(f);
	fclose(f);
	if (!figs[CFG_KVMINI][0].valid) {
		fprintf(stderr, "bench: no figures for kvmini in %s\n",
			argv[2]);
		return 1;
	}
	bochs = !strncmp(target, "bochs", 5);
	strftime(date, sizeof(date), "%Y-%m-%d", gmtime(&now));

	printf("### %s: %s, %s, kernel %s, %s\n\n", target, emulator,
	       env_vendor, env_kernel, date);
	printf("Cost of one exit, measured in the guest: a loop of the "
	       "exiting instruction between two RDTSCs minus the same loop "
	       "without it, per iteration; the median of %s repetitions of "
	       "%s iterations, and (first–third quartile).  ", env_reps,
	       env_iters);
	if (bochs)
		printf("Unit: emulated instructions (Bochs' TSC counts "
		       "them).  ");
	else
		printf("Unit: the host's TSC cycles as QEMU/TCG passes them "
		       "through (%.2f GHz, measured in the VM), and time.  ",
		       khz / 1e6);
	printf("kvmini/kvm below 1: kvmini is cheaper.  ");
	if (kvm_params[CFG_KVMINI][0])
		printf("kvmini with its defaults (%s).  ",
		       kvm_params[CFG_KVMINI]);
	printf("KVM with its defaults%s%s%s.\n\n",
	       kvm_params[CFG_KVM][0] ? " (" : "", kvm_params[CFG_KVM],
	       kvm_params[CFG_KVM][0] ? ")" : "");
	if (have_matched(U_EXIT))
		printf("Both also ran without their L1D flush on VM entry "
		       "(L1TF), the one mitigation on the exit path both turn "
		       "off with a module parameter: kvmini %s, KVM %s.\n\n",
		       kvm_params[CFG_KVMINI_NOFLUSH],
		       kvm_params[CFG_KVM_MATCHED]);
	table(U_EXIT, "Exits:");
	exit_counts();
	table(U_LIFE, bochs ? "VM life cycle, TSC ticks (emulated "
	      "instructions) read by the benchmark process:" :
	      "VM life cycle, TSC read by the benchmark process:");
	table(U_PAGE, "First touch of guest memory, per 4 KiB page, each "
	      "region in 16 blocks (the spread is over the blocks):");
	table(U_RATE, bochs ? "Exits per second of all vCPUs together, by "
	      "the VM's clock (Bochs: 200 million emulated instructions a "
	      "second); above 1 kvmini is faster:" :
	      "Exits per second of all vCPUs together; above 1 kvmini is "
	      "faster:");
	table(U_BOOT, "Linux booted in the VM: its own kernel, a busybox "
	      "initramfs, the tool's userspace devices (KVM without an "
	      "in-kernel irqchip); seconds by the VM's clock from starting "
	      "the tool to /init's first line, over the boots of "
	      "`selftests/linux_tests.sh` (two on 1 vCPU, one on 2 and on "
	      "4; QEMU targets only):");
	stats_table();
	write_dat(argv[3]);
	return 0;
}
