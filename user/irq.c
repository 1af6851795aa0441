// SPDX-License-Identifier: GPL-2.0
/*
 * irq.c - interrupt lines, vCPU kicks, HLT, INIT/SIPI and injection.
 *
 * irq.h tells the path of an interrupt, the kick protocol and the vCPU
 * life cycle; this file is the vCPU half of it.  Everything here runs
 * under the machine lock except the signal handler, which only writes
 * immediate_exit.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "device.h"
#include "irq.h"

/* Without local APICs the PIC's INTR is wired to this vCPU. */
#define IRQ_TARGET	0

static const struct irq_chip *chip;
static const struct irq_lapic *lapic;
static const struct irq_ioapic *ioapic;

static struct irq_vcpu {
	struct kvmini_vcpu *vcpu;	/* NULL before it starts, after it ends */
	pthread_t thread;
	bool halted;		/* waiting in irq_halted() or for a SIPI */
	bool kicked;		/* a signal is on its way, RUN will end */
	int held_vector;	/* acknowledged, not queued yet; -1: none */
	bool nmi;		/* an NMI to queue before the next RUN */
	bool nmi_held;		/* the backend had one queued still */
	bool wait_sipi;		/* stopped, until a SIPI */
	bool init;		/* an INIT came while it ran */
	int sipi_vector;	/* a SIPI came while it waited; -1: none */
	bool live;		/* counted in nr_live */
	struct kvmini_sregs reset_sregs;	/* its power-on state */
} vcpus[IRQ_MAX_CPUS];

static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool stopping;
/*
 * vCPUs that run or may run on their own: not waiting for a SIPI, not
 * halted with interrupts off.  When none is left nothing can ever wake
 * the others: the run is over (finished).
 */
static int nr_live;
static bool finished;

/* The vCPU this thread runs, for the signal handler and the APICs. */
static __thread struct kvmini_vcpu *this_vcpu;
static __thread int this_cpu = -1;

void irq_set_chip(const struct irq_chip *c)
{
	chip = c;
}

void irq_set_lapic(const struct irq_lapic *l)
{
	lapic = l;
}

void irq_set_ioapic(const struct irq_ioapic *io)
{
	ioapic = io;
}

bool irq_have_lapic(void)
{
	return lapic;
}

int irq_isa_to_pin(int irq)
{
	return irq == 0 ? 2 : irq;
}

void irq_set_line(int irq, int level)
{
	if (irq < 0 || irq >= IRQ_LINES)
		return;
	if (chip)
		chip->set_line(irq, level);
	if (ioapic)
		ioapic->set_pin(irq_isa_to_pin(irq), level);
}

void irq_pulse(int irq)
{
	irq_set_line(irq, 0);
	irq_set_line(irq, 1);
}

int irq_current_cpu(void)
{
	return this_cpu;
}

void irq_set_current_cpu(int cpu)
{
	this_cpu = cpu;
}

/* Make v look at the machine again soon. */
static void kick(struct irq_vcpu *v)
{
	if (!v->vcpu)
		return;		/* it looks before its first RUN anyway */
	if (v->halted) {
		pthread_cond_broadcast(&wake);
	} else if (!v->kicked && !pthread_equal(v->thread, pthread_self())) {
		/* Its own exit raised the line: it looks before the next RUN. */
		v->kicked = true;
		pthread_kill(v->thread, IRQ_KICK_SIGNAL);
	}
}

bool irq_pic_intr(void)
{
	return chip && chip->intr();
}

int irq_pic_inta(void)
{
	return chip->inta();
}

bool irq_cpu_pending(int cpu)
{
	if (lapic)
		return lapic->intr(cpu);
	return cpu == IRQ_TARGET && irq_pic_intr();
}

int irq_cpu_acknowledge(int cpu)
{
	return lapic ? lapic->inta(cpu) : irq_pic_inta();
}

bool irq_pending(void)
{
	return irq_cpu_pending(IRQ_TARGET);
}

int irq_acknowledge(void)
{
	return irq_cpu_acknowledge(IRQ_TARGET);
}

int irq_deliver(const struct irq_msg *m)
{
	return lapic ? lapic->deliver(m) : 0;
}

void irq_eoi_broadcast(uint8_t vector)
{
	if (ioapic)
		ioapic->eoi(vector);
}

/* What would end a HLT with interrupts on. */
static bool interrupt_waiting(int cpu)
{
	struct irq_vcpu *v = &vcpus[cpu];

	return v->held_vector >= 0 || v->nmi || v->nmi_held || v->init ||
	       irq_cpu_pending(cpu);
}

void irq_chip_changed(void)
{
	int i;

	for (i = 0; i < IRQ_MAX_CPUS; i++)
		if (irq_cpu_pending(i))
			kick(&vcpus[i]);
}

void irq_cpu_kick(int cpu)
{
	kick(&vcpus[cpu]);
}

void irq_cpu_nmi(int cpu)
{
	vcpus[cpu].nmi = true;
	kick(&vcpus[cpu]);
}

bool irq_cpu_nmi_pending(int cpu)
{
	return vcpus[cpu].nmi || vcpus[cpu].nmi_held;
}

int irq_cpu_state(int cpu)
{
	struct irq_vcpu *v = &vcpus[cpu];

	return v->wait_sipi && v->sipi_vector < 0 ? IRQ_CPU_WAIT_SIPI :
	       IRQ_CPU_RUNNING;
}

void irq_cpu_init(int cpu)
{
	struct irq_vcpu *v = &vcpus[cpu];

	if (v->wait_sipi) {
		v->sipi_vector = -1;	/* INIT after SIPI: wait again */
		return;
	}
	v->init = true;
	kick(v);
}

void irq_tpr_written(int cpu, unsigned int cr8)
{
	if (this_vcpu && this_cpu == cpu)
		kvmini_vcpu_set_cr8(this_vcpu, cr8);
}

bool irq_cpu_sipi(int cpu, uint8_t vector)
{
	struct irq_vcpu *v = &vcpus[cpu];

	if (!v->wait_sipi || v->sipi_vector >= 0 || finished)
		return false;
	/* Live from now on: the run cannot end under it. */
	v->sipi_vector = vector;
	v->live = true;
	nr_live++;
	pthread_cond_broadcast(&wake);
	return true;
}

/* v no longer runs on its own; the last one ends the run. */
static void not_live(struct irq_vcpu *v)
{
	if (!v->live)
		return;
	v->live = false;
	if (--nr_live == 0) {
		finished = true;
		pthread_cond_broadcast(&wake);
	}
}

void irq_stop(void)
{
	int i;

	stopping = true;
	for (i = 0; i < IRQ_MAX_CPUS; i++)
		kick(&vcpus[i]);
	pthread_cond_broadcast(&wake);
}

static void on_kick(int sig)
{
	if (this_vcpu)
		kvmini_vcpu_set_immediate_exit(this_vcpu, true);
}

void irq_init(void)
{
	/* No SA_RESTART: the signal must end a vCPU's RUN. */
	struct sigaction sa = { .sa_handler = on_kick };
	int i;

	sigemptyset(&sa.sa_mask);
	sigaction(IRQ_KICK_SIGNAL, &sa, NULL);
	for (i = 0; i < IRQ_MAX_CPUS; i++) {
		vcpus[i].held_vector = -1;
		vcpus[i].sipi_vector = -1;
	}
}

void irq_vcpu_created(int id, struct kvmini_vcpu *vcpu, bool waits_for_sipi)
{
	struct irq_vcpu *v = &vcpus[id];

	/* devices_test has no vCPUs: only the life cycle, no registers. */
	if (vcpu)
		kvmini_get_sregs(vcpu, &v->reset_sregs);
	machine_lock();
	v->wait_sipi = waits_for_sipi;
	v->live = !waits_for_sipi;
	if (v->live)
		nr_live++;
	machine_unlock();
}

void irq_vcpu_init(int id, struct kvmini_vcpu *vcpu)
{
	this_vcpu = vcpu;
	this_cpu = id;
	machine_lock();
	vcpus[id].vcpu = vcpu;
	vcpus[id].thread = pthread_self();
	machine_unlock();
}

void irq_vcpu_done(int id)
{
	machine_lock();
	vcpus[id].vcpu = NULL;
	not_live(&vcpus[id]);
	machine_unlock();
	this_vcpu = NULL;
	this_cpu = -1;
}

/*
 * Hand the guest the interrupt waiting for it, if it can take one now;
 * else ask RUN to stop as soon as it can.  ready_for_interrupt_injection
 * is what the last RUN left: on KVM without an irqchip a vector queued
 * while the guest cannot take it would be delivered anyway, so it is
 * queued only when the flag says so.  The controller has moved an
 * acknowledged vector to in-service: one the backend refuses (EEXIST:
 * one is queued still) is held and queued before a later RUN, never
 * lost.  NMIs go as they come; the backend holds one until the guest
 * can take it.
 */
static void inject(int id)
{
	struct irq_vcpu *v = &vcpus[id];
	struct kvmini_run *run = v->vcpu->run;
	int vector, r;

	if (v->nmi || v->nmi_held) {
		r = kvmini_vcpu_nmi(v->vcpu);
		if (r && r != -EEXIST) {
			errno = -r;
			kvmini_die("queueing an NMI");
		}
		/* One queued still: this one waits (NMIs do not stack). */
		v->nmi_held = r == -EEXIST;
		v->nmi = false;
	}
	if (lapic)
		lapic->sync_tpr(id, v->vcpu);
	if ((v->held_vector >= 0 || irq_cpu_pending(id)) &&
	    run->ready_for_interrupt_injection) {
		vector = v->held_vector >= 0 ? v->held_vector :
			 irq_cpu_acknowledge(id);
		r = kvmini_vcpu_interrupt(v->vcpu, vector);
		if (r && r != -EEXIST) {
			errno = -r;
			kvmini_die("queueing interrupt vector %#x", vector);
		}
		v->held_vector = r ? vector : -1;
	}
	run->request_interrupt_window = v->held_vector >= 0 ||
					 irq_cpu_pending(id);
}

/* INIT's state: real mode at the reset vector's segment, as at power-on. */
static void start_at_sipi(struct irq_vcpu *v, uint8_t vector)
{
	struct kvmini_sregs sregs = v->reset_sregs;
	struct kvmini_regs regs = { .rflags = 2 };

	sregs.cs.selector = vector << 8;
	sregs.cs.base = (uint32_t)vector << 12;
	sregs.cs.limit = 0xffff;
	kvmini_set_sregs(v->vcpu, &sregs);
	kvmini_set_regs(v->vcpu, &regs);
	kvmini_vcpu_set_cr8(v->vcpu, 0);
}

/*
 * Wait for a SIPI, without a host CPU; lock held.  false when the run
 * is over first.
 */
static bool wait_for_sipi(int id)
{
	struct irq_vcpu *v = &vcpus[id];
	int vector;

	v->wait_sipi = true;
	v->init = false;
	v->nmi = v->nmi_held = false;
	v->held_vector = -1;
	not_live(v);
	v->halted = true;
	while (!stopping && !finished && v->sipi_vector < 0)
		pthread_cond_wait(&wake, &machine_mutex);
	v->halted = false;
	if (stopping || v->sipi_vector < 0)
		return false;
	vector = v->sipi_vector;
	v->sipi_vector = -1;
	v->wait_sipi = false;
	/* Register state is the vCPU thread's own business: no lock needed. */
	machine_unlock();
	start_at_sipi(v, vector);
	machine_lock();
	return true;
}

bool irq_before_run(int id)
{
	struct irq_vcpu *v = &vcpus[id];
	bool go;

	/* A kick that came since the last RUN has done its job. */
	kvmini_vcpu_set_immediate_exit(v->vcpu, false);
	machine_lock();
	v->kicked = false;
	go = !stopping;
	if (go && (v->wait_sipi || v->init))
		go = wait_for_sipi(id);
	if (go && (lapic || id == IRQ_TARGET))
		inject(id);
	machine_unlock();
	return go;
}

/*
 * HLT.  With interrupts on, wait until one is there (live meanwhile: a
 * timer may wake it).  With them off only an NMI or an INIT can; without
 * APICs nothing can, and the vCPU ends at once.
 */
bool irq_halted(int id)
{
	struct irq_vcpu *v = &vcpus[id];
	bool if_flag = v->vcpu->run->if_flag, go;

	if (!lapic && (id != IRQ_TARGET || !if_flag))
		return false;
	machine_lock();
	if (if_flag && lapic)
		lapic->sync_tpr(id, v->vcpu);
	if (!if_flag)
		not_live(v);
	v->halted = true;
	while (!stopping && !finished &&
	       !(if_flag ? interrupt_waiting(id) : v->nmi || v->init))
		pthread_cond_wait(&wake, &machine_mutex);
	v->halted = false;
	go = !stopping && !finished;
	if (go && !v->live) {
		v->live = true;
		nr_live++;
	}
	machine_unlock();
	return go;
}
