// SPDX-License-Identifier: GPL-2.0
/*
 * irq.c - interrupt lines, vCPU kicks, HLT and injection.
 *
 * irq.h tells the path of an interrupt and the kick protocol; this file
 * is the vCPU half of it.  Everything here runs under the machine lock
 * except the signal handler, which only writes immediate_exit.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "device.h"
#include "irq.h"

/* The vCPU the PIC's INTR is wired to. */
#define IRQ_TARGET	0

static const struct irq_chip *chip;

static struct irq_vcpu {
	struct kvmini_vcpu *vcpu;	/* NULL before it starts, after it ends */
	pthread_t thread;
	bool halted;		/* waiting in irq_halted() */
	bool kicked;		/* a signal is on its way, RUN will end */
	int held_vector;	/* acknowledged, not queued yet; -1: none */
} vcpus[KVMINI_MAX_VCPUS];

static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static bool stopping;

/* The vCPU this thread runs, for the signal handler. */
static __thread struct kvmini_vcpu *this_vcpu;

void irq_set_chip(const struct irq_chip *c)
{
	chip = c;
}

void irq_set_line(int irq, int level)
{
	if (chip && irq >= 0 && irq < IRQ_LINES)
		chip->set_line(irq, level);
}

void irq_pulse(int irq)
{
	irq_set_line(irq, 0);
	irq_set_line(irq, 1);
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

bool irq_pending(void)
{
	return chip && chip->intr();
}

int irq_acknowledge(void)
{
	return chip->inta();
}

static bool interrupt_waiting(struct irq_vcpu *v)
{
	return v->held_vector >= 0 || irq_pending();
}

void irq_chip_changed(void)
{
	if (irq_pending())
		kick(&vcpus[IRQ_TARGET]);
}

void irq_stop(void)
{
	int i;

	stopping = true;
	for (i = 0; i < KVMINI_MAX_VCPUS; i++)
		kick(&vcpus[i]);
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
	for (i = 0; i < KVMINI_MAX_VCPUS; i++)
		vcpus[i].held_vector = -1;
}

void irq_vcpu_init(int id, struct kvmini_vcpu *vcpu)
{
	this_vcpu = vcpu;
	machine_lock();
	vcpus[id].vcpu = vcpu;
	vcpus[id].thread = pthread_self();
	machine_unlock();
}

void irq_vcpu_done(int id)
{
	machine_lock();
	vcpus[id].vcpu = NULL;
	machine_unlock();
	this_vcpu = NULL;
}

/*
 * Hand the guest the interrupt waiting for it, if it can take one now;
 * else ask RUN to stop as soon as it can.  ready_for_interrupt_injection
 * is what the last RUN left: on KVM without an irqchip a vector queued
 * while the guest cannot take it would be delivered anyway, so it is
 * queued only when the flag says so.  The PIC has moved an acknowledged
 * vector to in-service: one the backend refuses (EEXIST: one is queued
 * still) is held and queued before a later RUN, never lost.
 */
static void inject(struct irq_vcpu *v)
{
	struct kvmini_run *run = v->vcpu->run;
	int vector, r;

	if (interrupt_waiting(v) && run->ready_for_interrupt_injection) {
		vector = v->held_vector >= 0 ? v->held_vector :
			 irq_acknowledge();
		r = kvmini_vcpu_interrupt(v->vcpu, vector);
		if (r && r != -EEXIST) {
			errno = -r;
			kvmini_die("queueing interrupt vector %#x", vector);
		}
		v->held_vector = r ? vector : -1;
	}
	run->request_interrupt_window = interrupt_waiting(v);
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
	if (go && id == IRQ_TARGET)
		inject(v);
	machine_unlock();
	return go;
}

bool irq_halted(int id)
{
	struct irq_vcpu *v = &vcpus[id];
	bool go;

	if (id != IRQ_TARGET || !v->vcpu->run->if_flag)
		return false;
	machine_lock();
	v->halted = true;
	while (!stopping && !interrupt_waiting(v))
		pthread_cond_wait(&wake, &machine_mutex);
	v->halted = false;
	go = !stopping;
	machine_unlock();
	return go;
}
