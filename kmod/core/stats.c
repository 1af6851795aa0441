// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - exit statistics: accounting, the stats fd and debugfs.
 *
 * kvmini_stats.h says what is counted and when.  Here the counters of one
 * vCPU, or the sum of a VM's vCPUs, become the self-describing format of
 * uapi/kvmini.h: the descriptors are built once at module load from the
 * exit table (KVMINI_EXITS) and the vendor's table of hardware reasons;
 * each descriptor points at a u64 (or an array of them) in a struct
 * kvmini_vcpu_stats, so reading the data is walking the descriptors over
 * a snapshot.
 *
 * The same bytes are in debugfs as kvmini/PID-ID/stats, next to a text
 * rendering (exits) for people.
 */
#define pr_fmt(fmt) "kvmini: " fmt

#include <linux/anon_inodes.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "../kvmini_vendor.h"
#include "../kvmini_stats.h"

DEFINE_STATIC_KEY_TRUE(kvmini_stats_on);

static int stats_param_set(const char *val, const struct kernel_param *kp)
{
	bool on;
	int r = kstrtobool(val, &on);

	if (r)
		return r;
	if (on)
		static_branch_enable(&kvmini_stats_on);
	else
		static_branch_disable(&kvmini_stats_on);
	return 0;
}

static int stats_param_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%c\n",
			  static_key_enabled(&kvmini_stats_on) ? 'Y' : 'N');
}

static const struct kernel_param_ops stats_param_ops = {
	.set = stats_param_set,
	.get = stats_param_get,
};
module_param_cb(stats, &stats_param_ops, NULL, 0644);
MODULE_PARM_DESC(stats, "Count and time every exit (default Y); N costs nothing on the exit path");

/* ------------------------------------------------------------------ */
/* Accounting                                                           */
/* ------------------------------------------------------------------ */

/* The exit table's reason numbers, by compact index... */
static const u8 exit_stat_reason[KVMINI_STAT_EXIT_NR] = {
#define KVMINI_EXIT_NUMBER(name, nr, str)	nr,
	KVMINI_EXITS(KVMINI_EXIT_NUMBER)
#undef KVMINI_EXIT_NUMBER
};

/* ... and the other way round, filled at load. */
static u8 exit_stat_index[KVMINI_EXIT_NR];

static const char *const exit_stat_names[KVMINI_STAT_EXIT_NR] = {
#define KVMINI_EXIT_STR(name, nr, str)	str,
	KVMINI_EXITS(KVMINI_EXIT_STR)
#undef KVMINI_EXIT_STR
};

/*
 * Hardware reason -> index into the vendor's name table; nr_hw is the
 * "other" bucket.  Every code of both tables but SVM's "invalid" (-1)
 * is below 0x500; the rest are looked up by search.
 */
#define HW_MAP_SIZE	0x500
static u8 hw_map[HW_MAP_SIZE];
static unsigned int nr_hw;

static unsigned int hw_index(u64 code)
{
	unsigned int i;

	if (code < HW_MAP_SIZE)
		return hw_map[code];
	for (i = 0; i < nr_hw; i++)
		if (kvmini_vendor->hw_exit_names[i].code == code)
			return i;
	return nr_hw;
}

/* A port's slot in the vCPU's table, taking a free one; -1 if full. */
static int port_slot(struct kvmini_vcpu_stats *s, u16 port)
{
	unsigned int i, slot;

	/* Open addressing from a hash of the port: usually one probe. */
	slot = hash_32(port, ilog2(KVMINI_STATS_PORTS));
	for (i = 0; i < KVMINI_STATS_PORTS; i++) {
		u64 *id = &s->port_id[(slot + i) % KVMINI_STATS_PORTS];

		if (*id == port + 1u)
			return (slot + i) % KVMINI_STATS_PORTS;
		if (!*id) {
			WRITE_ONCE(*id, port + 1u);
			return (slot + i) % KVMINI_STATS_PORTS;
		}
	}
	return -1;
}

/*
 * An exit unlike the last one: find its buckets (kvmini_stats_exit()
 * counts it).  A port's slot, once taken, is never given back, so the
 * pointers stay good for the vCPU's life.
 */
void kvmini_stats_find(struct kvmini_vcpu_stats *s,
		       const struct kvmini_exit *exit, u32 key)
{
	struct kvmini_open_exit *o = &s->open;
	int side = key & BIT(8) ? KVMINI_STAT_KERNEL : KVMINI_STAT_USER;
	int port;

	o->key = key;
	o->hw_reason = exit->hw.reason;
	o->exit = &s->exit[exit_stat_index[exit->reason]][side];
	o->hw = &s->hw[hw_index(exit->hw.reason)][side];
	o->port = NULL;
	o->untracked = false;
	if (exit->reason == KVMINI_EXIT_IO) {
		port = port_slot(s, exit->io.port);
		if (port < 0)
			o->untracked = true;
		else
			o->port = &s->port[port][side];
	}
}

static size_t vcpu_stats_size(void)
{
	return sizeof(struct kvmini_vcpu_stats) +
	       (nr_hw + 1) * sizeof(((struct kvmini_vcpu_stats *)0)->hw[0]);
}

struct kvmini_vcpu_stats *kvmini_vcpu_stats_alloc(void)
{
	return kvzalloc(vcpu_stats_size(), GFP_KERNEL_ACCOUNT);
}

void kvmini_vcpu_stats_free(struct kvmini_vcpu_stats *stats)
{
	kvfree(stats);
}

/* ------------------------------------------------------------------ */
/* Descriptors                                                          */
/* ------------------------------------------------------------------ */

/* A descriptor, and where its values are in a struct kvmini_vcpu_stats. */
struct stats_desc {
	u32 flags;
	u16 size;
	u32 src;			/* byte offset of the first value */
	u32 stride;			/* between values of an array */
	u32 offset;			/* of its values in the data part */
	char name[KVMINI_STATS_NAME_SIZE];
};

static struct stats_desc *descs;
static unsigned int nr_descs;
static const char *const side_names[] = { "kernel", "user" };

static __printf(5, 6) void add_desc(u32 flags, u16 size, size_t src, size_t stride,
		     const char *fmt, ...)
{
	struct stats_desc *d = &descs[nr_descs];
	va_list ap;

	d->offset = nr_descs ? d[-1].offset + d[-1].size * sizeof(u64) : 0;
	nr_descs++;
	d->flags = flags;
	d->size = size;
	d->src = src;
	d->stride = stride;
	va_start(ap, fmt);
	vsnprintf(d->name, sizeof(d->name), fmt, ap);
	va_end(ap);
}

#define STAT_OFF(field)	offsetof(struct kvmini_vcpu_stats, field)

static void add_exit_descs(void)
{
	unsigned int r, side;

	for (r = 0; r < KVMINI_STAT_EXIT_NR; r++) {
		for (side = 0; side < KVMINI_STAT_SIDES; side++) {
			const char *n = exit_stat_names[r];
			const char *w = side_names[side];

			add_desc(KVMINI_STATS_TYPE_CUMULATIVE, 1,
				 STAT_OFF(exit[r][side].count), 0,
				 "exit.%s.%s.count", n, w);
			add_desc(KVMINI_STATS_TYPE_CUMULATIVE |
				 KVMINI_STATS_UNIT_CYCLES, 1,
				 STAT_OFF(exit[r][side].cycles), 0,
				 "exit.%s.%s.cycles", n, w);
			add_desc(KVMINI_STATS_TYPE_MIN |
				 KVMINI_STATS_UNIT_CYCLES, 1,
				 STAT_OFF(exit[r][side].min_cycles), 0,
				 "exit.%s.%s.min_cycles", n, w);
			add_desc(KVMINI_STATS_TYPE_MAX |
				 KVMINI_STATS_UNIT_CYCLES, 1,
				 STAT_OFF(exit[r][side].max_cycles), 0,
				 "exit.%s.%s.max_cycles", n, w);
			add_desc(KVMINI_STATS_TYPE_LOG_HIST |
				 KVMINI_STATS_UNIT_CYCLES,
				 KVMINI_STATS_HIST_BUCKETS,
				 STAT_OFF(exit[r][side].hist), sizeof(u64),
				 "exit.%s.%s.hist", n, w);
		}
	}
}

static void add_hw_descs(void)
{
	unsigned int i, side;

	for (i = 0; i <= nr_hw; i++) {
		const char *n = i < nr_hw ?
				kvmini_vendor->hw_exit_names[i].name : "other";

		for (side = 0; side < KVMINI_STAT_SIDES; side++) {
			add_desc(KVMINI_STATS_TYPE_CUMULATIVE, 1,
				 STAT_OFF(hw) + sizeof(struct kvmini_count_stat) *
				 (i * KVMINI_STAT_SIDES + side), 0,
				 "hw.%s.%s.count", n, side_names[side]);
			add_desc(KVMINI_STATS_TYPE_CUMULATIVE |
				 KVMINI_STATS_UNIT_CYCLES, 1,
				 STAT_OFF(hw) + sizeof(struct kvmini_count_stat) *
				 (i * KVMINI_STAT_SIDES + side) +
				 offsetof(struct kvmini_count_stat, cycles), 0,
				 "hw.%s.%s.cycles", n, side_names[side]);
		}
	}
}

static void add_port_descs(void)
{
	size_t stride = sizeof(struct kvmini_count_stat) * KVMINI_STAT_SIDES;
	unsigned int side;

	add_desc(KVMINI_STATS_TYPE_INSTANT, KVMINI_STATS_PORTS,
		 STAT_OFF(port_id), sizeof(u64), "port.id");
	for (side = 0; side < KVMINI_STAT_SIDES; side++) {
		add_desc(KVMINI_STATS_TYPE_CUMULATIVE, KVMINI_STATS_PORTS,
			 STAT_OFF(port[0][side].count), stride,
			 "port.%s.count", side_names[side]);
		add_desc(KVMINI_STATS_TYPE_CUMULATIVE |
			 KVMINI_STATS_UNIT_CYCLES, KVMINI_STATS_PORTS,
			 STAT_OFF(port[0][side].cycles), stride,
			 "port.%s.cycles", side_names[side]);
	}
	add_desc(KVMINI_STATS_TYPE_CUMULATIVE, 1, STAT_OFF(port_untracked), 0,
		 "port.untracked");
}

static size_t desc_bytes(void)
{
	return sizeof(struct kvmini_stats_desc) + KVMINI_STATS_NAME_SIZE;
}

static size_t data_bytes(void)
{
	const struct stats_desc *last = &descs[nr_descs - 1];

	return last->offset + last->size * sizeof(u64);
}

int kvmini_stats_setup(void)
{
	unsigned int i, max;

	for (i = 0; i < KVMINI_STAT_EXIT_NR; i++)
		exit_stat_index[exit_stat_reason[i]] = i;

	nr_hw = min(kvmini_vendor->nr_hw_exit_names, 254u);
	memset(hw_map, nr_hw, sizeof(hw_map));
	for (i = 0; i < nr_hw; i++) {
		u32 code = kvmini_vendor->hw_exit_names[i].code;

		if (code < HW_MAP_SIZE)
			hw_map[code] = i;
	}

	max = KVMINI_STAT_EXIT_NR * KVMINI_STAT_SIDES * 5 +
	      (nr_hw + 1) * KVMINI_STAT_SIDES * 2 + 2 * KVMINI_STAT_SIDES + 2;
	descs = kcalloc(max, sizeof(*descs), GFP_KERNEL);
	if (!descs)
		return -ENOMEM;
	nr_descs = 0;
	add_exit_descs();
	add_hw_descs();
	add_port_descs();
	WARN_ON_ONCE(nr_descs > max);
	return 0;
}

void kvmini_stats_unsetup(void)
{
	kfree(descs);
	descs = NULL;
}

/* ------------------------------------------------------------------ */
/* Snapshots                                                            */
/* ------------------------------------------------------------------ */

static void merge_exit(struct kvmini_exit_stat *to,
		       const struct kvmini_exit_stat *from)
{
	unsigned int i;

	to->count += READ_ONCE(from->count);
	to->cycles += READ_ONCE(from->cycles);
	if (from->min_cycles &&
	    (!to->min_cycles || from->min_cycles < to->min_cycles))
		to->min_cycles = READ_ONCE(from->min_cycles);
	to->max_cycles = max(to->max_cycles, READ_ONCE(from->max_cycles));
	for (i = 0; i < KVMINI_STATS_HIST_BUCKETS; i++)
		to->hist[i] += READ_ONCE(from->hist[i]);
}

/* Add one vCPU's ports to the snapshot's, matching them by port. */
static void merge_ports(struct kvmini_vcpu_stats *to,
			const struct kvmini_vcpu_stats *from)
{
	unsigned int i, j, side;

	to->port_untracked += READ_ONCE(from->port_untracked);
	for (i = 0; i < KVMINI_STATS_PORTS; i++) {
		u64 id = READ_ONCE(from->port_id[i]);
		u64 n = 0;

		if (!id)
			continue;
		for (j = 0; j < KVMINI_STATS_PORTS; j++)
			if (!to->port_id[j] || to->port_id[j] == id)
				break;
		if (j == KVMINI_STATS_PORTS) {
			for (side = 0; side < KVMINI_STAT_SIDES; side++)
				n += READ_ONCE(from->port[i][side].count);
			to->port_untracked += n;
			continue;
		}
		to->port_id[j] = id;
		for (side = 0; side < KVMINI_STAT_SIDES; side++) {
			to->port[j][side].count +=
				READ_ONCE(from->port[i][side].count);
			to->port[j][side].cycles +=
				READ_ONCE(from->port[i][side].cycles);
		}
	}
}

static void merge_stats(struct kvmini_vcpu_stats *to,
			const struct kvmini_vcpu_stats *from)
{
	unsigned int i, side;

	for (i = 0; i < KVMINI_STAT_EXIT_NR; i++)
		for (side = 0; side < KVMINI_STAT_SIDES; side++)
			merge_exit(&to->exit[i][side], &from->exit[i][side]);
	for (i = 0; i <= nr_hw; i++)
		for (side = 0; side < KVMINI_STAT_SIDES; side++) {
			to->hw[i][side].count +=
				READ_ONCE(from->hw[i][side].count);
			to->hw[i][side].cycles +=
				READ_ONCE(from->hw[i][side].cycles);
		}
	merge_ports(to, from);
}

/*
 * The stats of one vCPU, or of every vCPU of a VM, as the data part of
 * the stats format.  Returns a kvmalloc'ed buffer of data_bytes().
 */
static u64 *stats_data(struct kvmini_vm *vm, struct kvmini_vcpu *vcpu)
{
	struct kvmini_vcpu_stats *snap;
	unsigned int i, k;
	u64 *data, *p;

	snap = kvmini_vcpu_stats_alloc();
	data = kvzalloc(data_bytes(), GFP_KERNEL_ACCOUNT);
	if (!snap || !data) {
		kvfree(snap);
		kvfree(data);
		return NULL;
	}
	if (vcpu) {
		merge_stats(snap, vcpu->stats);
	} else {
		mutex_lock(&vm->vcpus_lock);
		for (i = 0; i < KVMINI_MAX_VCPUS; i++)
			if (vm->vcpus[i])
				merge_stats(snap, vm->vcpus[i]->stats);
		mutex_unlock(&vm->vcpus_lock);
	}

	p = data;
	for (i = 0; i < nr_descs; i++) {
		const struct stats_desc *d = &descs[i];

		for (k = 0; k < d->size; k++)
			*p++ = *(u64 *)((u8 *)snap + d->src + k * d->stride);
	}
	kvfree(snap);
	return data;
}

/* ------------------------------------------------------------------ */
/* The stats file: header, id, descriptors, data                        */
/* ------------------------------------------------------------------ */

struct stats_file {
	struct kvmini_vm *vm;
	struct kvmini_vcpu *vcpu;	/* NULL: the whole VM */
	struct file *vcpu_file;		/* keeps the vCPU alive */
	size_t head_size;
	u8 *head;			/* header, id and descriptors */
};

static struct stats_file *stats_file_create(struct kvmini_vm *vm,
					    struct kvmini_vcpu *vcpu)
{
	struct kvmini_stats_header *h;
	struct stats_file *sf;
	unsigned int i;
	u8 *p;

	sf = kzalloc(sizeof(*sf), GFP_KERNEL_ACCOUNT);
	if (!sf)
		return NULL;
	sf->head_size = sizeof(*h) + KVMINI_STATS_ID_SIZE +
			nr_descs * desc_bytes();
	sf->head = kvzalloc(sf->head_size, GFP_KERNEL_ACCOUNT);
	if (!sf->head) {
		kfree(sf);
		return NULL;
	}
	sf->vm = vm;
	sf->vcpu = vcpu;

	h = (struct kvmini_stats_header *)sf->head;
	h->name_size = KVMINI_STATS_NAME_SIZE;
	h->num_desc = nr_descs;
	h->desc_size = desc_bytes();
	h->id_offset = sizeof(*h);
	h->desc_offset = h->id_offset + KVMINI_STATS_ID_SIZE;
	h->data_offset = sf->head_size;
	h->data_size = data_bytes();
	if (vcpu)
		snprintf(sf->head + h->id_offset, KVMINI_STATS_ID_SIZE,
			 "kvmini-vm-%u-vcpu-%u", vm->id, vcpu->id);
	else
		snprintf(sf->head + h->id_offset, KVMINI_STATS_ID_SIZE,
			 "kvmini-vm-%u", vm->id);

	p = sf->head + h->desc_offset;
	for (i = 0; i < nr_descs; i++, p += desc_bytes()) {
		struct kvmini_stats_desc *d = (struct kvmini_stats_desc *)p;

		d->flags = descs[i].flags;
		d->size = descs[i].size;
		d->offset = descs[i].offset;
		strscpy(d->name, descs[i].name, KVMINI_STATS_NAME_SIZE);
	}
	return sf;
}

static void stats_file_free(struct stats_file *sf)
{
	kvfree(sf->head);
	kfree(sf);
}

static ssize_t stats_file_read(struct stats_file *sf, char __user *buf,
			       size_t len, loff_t *ppos)
{
	size_t total = sf->head_size + data_bytes();
	size_t pos = *ppos, n, done = 0;
	u64 *data;

	if (*ppos < 0 || pos >= total)
		return 0;
	len = min(len, total - pos);
	if (pos < sf->head_size) {
		n = min(len, sf->head_size - pos);
		if (copy_to_user(buf, sf->head + pos, n))
			return -EFAULT;
		done = n;
	}
	/* All or nothing: a failed read moves no offset, as KVM's stats fd. */
	if (done < len) {
		/* The data, one consistent-enough snapshot per read. */
		data = stats_data(sf->vm, sf->vcpu);
		if (!data)
			return -ENOMEM;
		n = len - done;
		if (copy_to_user(buf + done,
				 (u8 *)data + (pos + done - sf->head_size), n)) {
			kvfree(data);
			return -EFAULT;
		}
		kvfree(data);
		done += n;
	}
	*ppos = pos + done;
	return done;
}

static ssize_t stats_fd_read(struct file *file, char __user *buf, size_t len,
			     loff_t *ppos)
{
	return stats_file_read(file->private_data, buf, len, ppos);
}

static int stats_fd_release(struct inode *inode, struct file *file)
{
	struct stats_file *sf = file->private_data;

	if (sf->vcpu_file)
		fput(sf->vcpu_file);
	else
		kvmini_vm_put(sf->vm);
	stats_file_free(sf);
	return 0;
}

static const struct file_operations stats_fops = {
	.owner		= THIS_MODULE,
	.read		= stats_fd_read,
	.release	= stats_fd_release,
	.llseek		= noop_llseek,
};

static long stats_fd_install(struct stats_file *sf)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	file = anon_inode_getfile("kvmini-stats", &stats_fops, sf, O_RDONLY);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	/* Read with pread() at any offset, as KVM's stats fd. */
	file->f_mode |= FMODE_PREAD;
	fd_install(fd, file);
	return fd;
}

long kvmini_vm_stats_fd(struct kvmini_vm *vm)
{
	struct stats_file *sf = stats_file_create(vm, NULL);
	long r;

	if (!sf)
		return -ENOMEM;
	kref_get(&vm->ref);
	r = stats_fd_install(sf);
	if (r < 0) {
		kvmini_vm_put(vm);
		stats_file_free(sf);
	}
	return r;
}

long kvmini_vcpu_stats_fd(struct kvmini_vcpu *vcpu, struct file *vcpu_file)
{
	struct stats_file *sf = stats_file_create(vcpu->vm, vcpu);
	long r;

	if (!sf)
		return -ENOMEM;
	sf->vcpu_file = get_file(vcpu_file);
	r = stats_fd_install(sf);
	if (r < 0) {
		fput(vcpu_file);
		stats_file_free(sf);
	}
	return r;
}

/* ------------------------------------------------------------------ */
/* debugfs: kvmini/PID-ID/{stats,exits}                                 */
/* ------------------------------------------------------------------ */

static struct dentry *debugfs_root;

/*
 * debugfs files live no longer than their VM: the VM removes its
 * directory before it is freed, and removal waits for readers.
 */
static int debugfs_stats_open(struct inode *inode, struct file *file)
{
	file->private_data = stats_file_create(inode->i_private, NULL);
	return file->private_data ? 0 : -ENOMEM;
}

static int debugfs_stats_release(struct inode *inode, struct file *file)
{
	stats_file_free(file->private_data);
	return 0;
}

static const struct file_operations debugfs_stats_fops = {
	.owner		= THIS_MODULE,
	.open		= debugfs_stats_open,
	.read		= stats_fd_read,
	.release	= debugfs_stats_release,
	.llseek		= default_llseek,
};

/* One line per nonzero value: "exit.io.user.count 6". */
static int debugfs_exits_show(struct seq_file *m, void *unused)
{
	struct kvmini_vm *vm = m->private;
	unsigned int i, k;
	u64 *data, *p;

	data = stats_data(vm, NULL);
	if (!data)
		return -ENOMEM;
	p = data;
	for (i = 0; i < nr_descs; p += descs[i].size, i++) {
		bool any = false;

		for (k = 0; k < descs[i].size; k++)
			any |= p[k] != 0;
		if (!any)
			continue;
		seq_puts(m, descs[i].name);
		for (k = 0; k < descs[i].size; k++)
			seq_printf(m, " %llu", p[k]);
		seq_putc(m, '\n');
	}
	kvfree(data);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(debugfs_exits);

void kvmini_vm_debugfs_create(struct kvmini_vm *vm)
{
	char name[32];

	if (IS_ERR_OR_NULL(debugfs_root))
		return;
	snprintf(name, sizeof(name), "%d-%u", task_pid_nr(current), vm->id);
	vm->debugfs = debugfs_create_dir(name, debugfs_root);
	debugfs_create_file("stats", 0400, vm->debugfs, vm,
			    &debugfs_stats_fops);
	debugfs_create_file("exits", 0400, vm->debugfs, vm,
			    &debugfs_exits_fops);
}

void kvmini_vm_debugfs_remove(struct kvmini_vm *vm)
{
	debugfs_remove_recursive(vm->debugfs);
}

int kvmini_debugfs_init(void)
{
	debugfs_root = debugfs_create_dir("kvmini", NULL);
	return 0;
}

void kvmini_debugfs_exit(void)
{
	debugfs_remove_recursive(debugfs_root);
}
