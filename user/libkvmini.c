// SPDX-License-Identifier: GPL-2.0
/*
 * libkvmini.c - the library over the /dev/kvmini ioctls.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend.h"

void kvmini_die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, "kvmini: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

static const struct kvmini_backend_ops *const backends[] = {
	[KVMINI_BACKEND_KVMINI] = &kvmini_backend_kvmini,
	[KVMINI_BACKEND_KVM] = &kvmini_backend_kvm,
};

int kvmini_backend_parse(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!strcmp(name, backends[i]->name))
			return i;
	return -1;
}

const char *kvmini_backend_name(const struct kvmini_vm *vm)
{
	return vm->ops->name;
}

/* Die naming the call if a backend op failed. */
#define CHECK(call, ...)						\
	do {								\
		int r_ = (call);					\
		if (r_ < 0) {						\
			errno = -r_;					\
			kvmini_die(__VA_ARGS__);			\
		}							\
	} while (0)

struct kvmini_vm *kvmini_vm_create_on(enum kvmini_backend backend,
				      unsigned long flags)
{
	struct kvmini_vm *vm = calloc(1, sizeof(*vm));

	if (!vm)
		kvmini_die("calloc");
	vm->ops = backends[backend];
	vm->sys_fd = vm->fd = -1;
	vm->flags = flags;
	CHECK(vm->ops->vm_create(vm, flags), "creating a VM on %s%s",
	      vm->ops->name, backend == KVMINI_BACKEND_KVMINI ?
	      " (is kvmini.ko loaded?)" : "");
	return vm;
}

struct kvmini_vm *kvmini_vm_create(void)
{
	return kvmini_vm_create_on(KVMINI_BACKEND_KVMINI, 0);
}

void kvmini_vm_free(struct kvmini_vm *vm)
{
	if (vm->ops->vm_free)
		vm->ops->vm_free(vm);
	close(vm->fd);
	close(vm->sys_fd);
	free(vm);
}

void *kvmini_vm_add_memory(struct kvmini_vm *vm, uint64_t gpa, size_t size)
{
	struct kvmini_memory_slot slot = {
		.slot = vm->nr_slots,
		.guest_phys_addr = gpa,
		.memory_size = size,
	};
	void *mem;

	mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		kvmini_die("mmap %zu bytes of guest memory", size);
	slot.userspace_addr = (uintptr_t)mem;
	CHECK(vm->ops->set_slot(vm, &slot), "memory slot gpa %#llx size %#zx",
	      (unsigned long long)gpa, size);
	vm->nr_slots++;
	return mem;
}

struct kvmini_vcpu *kvmini_vcpu_create(struct kvmini_vm *vm, uint32_t id)
{
	struct kvmini_vcpu *vcpu = calloc(1, sizeof(*vcpu));

	if (!vcpu)
		kvmini_die("calloc");
	vcpu->vm = vm;
	CHECK(vm->ops->vcpu_create(vcpu, id), "creating vCPU %u", id);
	return vcpu;
}

void kvmini_vcpu_free(struct kvmini_vcpu *vcpu)
{
	vcpu->vm->ops->vcpu_free(vcpu);
	free(vcpu);
}

void kvmini_get_regs(struct kvmini_vcpu *vcpu, struct kvmini_regs *regs)
{
	CHECK(vcpu->vm->ops->get_regs(vcpu, regs), "KVMINI_GET_REGS");
}

void kvmini_set_regs(struct kvmini_vcpu *vcpu, const struct kvmini_regs *regs)
{
	CHECK(vcpu->vm->ops->set_regs(vcpu, regs), "KVMINI_SET_REGS");
}

void kvmini_get_sregs(struct kvmini_vcpu *vcpu, struct kvmini_sregs *sregs)
{
	CHECK(vcpu->vm->ops->get_sregs(vcpu, sregs), "KVMINI_GET_SREGS");
}

void kvmini_set_sregs(struct kvmini_vcpu *vcpu,
		      const struct kvmini_sregs *sregs)
{
	CHECK(vcpu->vm->ops->set_sregs(vcpu, sregs), "KVMINI_SET_SREGS");
}

void kvmini_get_events(struct kvmini_vcpu *vcpu,
		       struct kvmini_vcpu_events *events)
{
	const struct kvmini_backend_ops *ops = vcpu->vm->ops;

	CHECK(ops->get_events ? ops->get_events(vcpu, events) : -ENOTTY,
	      "KVMINI_GET_VCPU_EVENTS");
}

void kvmini_set_events(struct kvmini_vcpu *vcpu,
		       const struct kvmini_vcpu_events *events)
{
	const struct kvmini_backend_ops *ops = vcpu->vm->ops;

	CHECK(ops->set_events ? ops->set_events(vcpu, events) : -ENOTTY,
	      "KVMINI_SET_VCPU_EVENTS");
}

void kvmini_clear_events(struct kvmini_vcpu *vcpu)
{
	struct kvmini_vcpu_events none = {};

	kvmini_set_events(vcpu, &none);
}

void kvmini_vcpu_setup_real_mode(struct kvmini_vcpu *vcpu, uint64_t rip,
				 uint64_t rsp)
{
	struct kvmini_sregs sregs;
	struct kvmini_regs regs = {
		.rip = rip,
		.rsp = rsp,
		.rflags = 2,	/* bit 1 is always set */
	};

	struct kvmini_segment *seg;

	/*
	 * The state after reset, whatever mode the vCPU was in: a used one
	 * may have paging, PAE or long mode on, which real mode must not
	 * keep.  Segments at 0 with 64 KiB limits, a busy 32-bit TSS and an
	 * unusable LDT, as VM entry wants them.
	 */
	kvmini_get_sregs(vcpu, &sregs);
	for (seg = &sregs.cs; seg <= &sregs.ss; seg++)
		*seg = (struct kvmini_segment) {
			.limit = 0xffff, .type = seg == &sregs.cs ? 11 : 3,
			.present = 1, .s = 1,
		};
	sregs.tr = (struct kvmini_segment) {
		.limit = 0xffff, .type = 11, .present = 1,
	};
	sregs.ldt = (struct kvmini_segment) { .type = 2, .unusable = 1 };
	sregs.gdt.base = sregs.idt.base = 0;
	sregs.gdt.limit = sregs.idt.limit = 0xffff;
	sregs.cr0 = 0x10;		/* ET */
	sregs.cr3 = sregs.cr4 = sregs.cr8 = 0;
	sregs.efer = 0;
	kvmini_set_sregs(vcpu, &sregs);
	kvmini_set_regs(vcpu, &regs);
}

/* Flat segments (base 0, 4 GiB) for the GDT and for the segment registers. */
static void flat_segment(struct kvmini_segment *s, uint16_t sel, int code,
			 int l, int db)
{
	*s = (struct kvmini_segment) {
		.base = 0, .limit = 0xffffffff, .selector = sel,
		.type = code ? 11 : 3,	/* execute/read or read/write, accessed */
		.present = 1, .s = 1, .l = l, .db = db, .g = 1,
	};
}

static uint64_t gdt_entry(const struct kvmini_segment *s)
{
	uint64_t limit = s->g ? s->limit >> 12 : s->limit;

	return (limit & 0xffff) | (s->base & 0xffffff) << 16 |
	       (uint64_t)(s->type | s->s << 4 | s->dpl << 5 |
			  s->present << 7) << 40 |
	       ((limit >> 16) & 0xf) << 48 |
	       (uint64_t)(s->avl | s->l << 1 | s->db << 2 | s->g << 3) << 52 |
	       (s->base >> 24 & 0xff) << 56;
}

/* GDT at KVMINI_SYS_BASE and the segment registers for one mode. */
static void setup_segments(struct kvmini_sregs *sregs, void *mem, int long64)
{
	struct kvmini_segment code64, code32, data, *seg;
	uint64_t *gdt = (uint64_t *)((uint8_t *)mem + KVMINI_SYS_BASE);

	flat_segment(&code64, KVMINI_SEL_CODE64, 1, 1, 0);
	flat_segment(&code32, KVMINI_SEL_CODE32, 1, 0, 1);
	flat_segment(&data, KVMINI_SEL_DATA, 0, 0, 1);
	gdt[0] = 0;
	gdt[1] = gdt_entry(&code64);
	gdt[2] = gdt_entry(&code32);
	gdt[3] = gdt_entry(&data);
	sregs->gdt.base = KVMINI_SYS_BASE;
	sregs->gdt.limit = 4 * 8 - 1;

	sregs->cs = long64 ? code64 : code32;
	for (seg = &sregs->ds; seg <= &sregs->ss; seg++)
		*seg = data;
	/* A busy TSS, as VM entry requires a usable TR. */
	sregs->tr = (struct kvmini_segment) {
		.limit = 0x67, .type = 11, .present = 1,
	};
	sregs->ldt = (struct kvmini_segment) { .type = 2, .unusable = 1 };
}

void kvmini_vcpu_setup_protected_mode(struct kvmini_vcpu *vcpu, void *mem,
				      uint64_t rip, uint64_t rsp)
{
	struct kvmini_regs regs = { .rip = rip, .rsp = rsp, .rflags = 2 };
	struct kvmini_sregs sregs;

	kvmini_get_sregs(vcpu, &sregs);
	setup_segments(&sregs, mem, 0);
	sregs.cr0 = 0x11;		/* PE, ET */
	sregs.cr3 = 0;			/* a used vCPU's may not fit this mode */
	sregs.cr4 = 0;
	sregs.efer = 0;
	kvmini_set_sregs(vcpu, &sregs);
	kvmini_set_regs(vcpu, &regs);
}

void kvmini_vcpu_setup_long_mode(struct kvmini_vcpu *vcpu, void *mem,
				 uint64_t rip, uint64_t rsp)
{
	struct kvmini_regs regs = { .rip = rip, .rsp = rsp, .rflags = 2 };
	uint8_t *sys = (uint8_t *)mem + KVMINI_SYS_BASE;
	uint64_t *pml4 = (uint64_t *)(sys + 0x1000);
	uint64_t *pdpt = (uint64_t *)(sys + 0x2000);
	uint64_t *pd = (uint64_t *)(sys + 0x3000);
	struct kvmini_sregs sregs;
	int i;

	/* Present, writable; PS in the directories: 2 MiB pages. */
	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = (KVMINI_SYS_BASE + 0x2000) | 3;
	for (i = 0; i < 4; i++)
		pdpt[i] = (KVMINI_SYS_BASE + 0x3000 + i * 0x1000) | 3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | 0x83;

	kvmini_get_sregs(vcpu, &sregs);
	setup_segments(&sregs, mem, 1);
	sregs.cr3 = KVMINI_SYS_BASE + 0x1000;
	sregs.cr4 = 0x20;		/* PAE */
	sregs.cr0 = 0x80010011;		/* PG, WP, ET, PE */
	sregs.efer = 0x500;		/* LME, LMA */
	kvmini_set_sregs(vcpu, &sregs);
	kvmini_set_regs(vcpu, &regs);
}

int kvmini_vcpu_run(struct kvmini_vcpu *vcpu)
{
	int r = vcpu->vm->ops->run(vcpu);

	return r == -EINTR ? 0 : r;
}

static const char *const exit_names[KVMINI_EXIT_NR] = {
#define EXIT_NAME(name, nr, str)	[nr] = str,
	KVMINI_EXITS(EXIT_NAME)
#undef EXIT_NAME
};

const char *kvmini_exit_name(uint32_t reason)
{
	if (reason < KVMINI_EXIT_NR && exit_names[reason])
		return exit_names[reason];
	return "?";
}

uint64_t kvmini_exit_count(struct kvmini_vcpu *vcpu, uint32_t reason)
{
	uint64_t n = 0;
	int r = reason < KVMINI_EXIT_NR ?
		vcpu->vm->ops->exit_count(vcpu, reason, &n) : -EINVAL;

	if (r < 0) {
		errno = -r;
		kvmini_die("counting %s exits", kvmini_exit_name(reason));
	}
	return n;
}

int kvmini_vcpu_interrupt(struct kvmini_vcpu *vcpu, uint8_t vector)
{
	return vcpu->vm->ops->interrupt(vcpu, vector);
}

int kvmini_vcpu_nmi(struct kvmini_vcpu *vcpu)
{
	return vcpu->vm->ops->nmi(vcpu);
}

void kvmini_vcpu_set_immediate_exit(struct kvmini_vcpu *vcpu, bool on)
{
	vcpu->run->immediate_exit = on;
	if (vcpu->vm->ops->set_immediate_exit)
		vcpu->vm->ops->set_immediate_exit(vcpu, on);
}

unsigned int kvmini_vcpu_get_cr8(struct kvmini_vcpu *vcpu)
{
	struct kvmini_sregs sregs;

	if (vcpu->vm->ops->get_cr8)
		return vcpu->vm->ops->get_cr8(vcpu);
	kvmini_get_sregs(vcpu, &sregs);
	return sregs.cr8;
}

void kvmini_vcpu_set_cr8(struct kvmini_vcpu *vcpu, unsigned int cr8)
{
	struct kvmini_sregs sregs;

	if (vcpu->vm->ops->set_cr8) {
		vcpu->vm->ops->set_cr8(vcpu, cr8);
		return;
	}
	kvmini_get_sregs(vcpu, &sregs);
	sregs.cr8 = cr8;
	kvmini_set_sregs(vcpu, &sregs);
}

int kvmini_vm_attach_port(struct kvmini_vm *vm,
			  const struct kvmini_port_handler *h)
{
	return vm->ops->attach_port(vm, h);
}

int kvmini_vm_detach_port(struct kvmini_vm *vm, uint16_t first_port,
			  uint16_t last_port)
{
	struct kvmini_port_handler h = {
		.first_port = first_port, .last_port = last_port,
	};

	return vm->ops->detach_port(vm, &h);
}

int kvmini_vcpu_read_console(struct kvmini_vcpu *vcpu, void *buf,
			     uint32_t size, uint16_t *port)
{
	return vcpu->vm->ops->read_console(vcpu, buf, size, port);
}
