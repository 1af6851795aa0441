// SPDX-License-Identifier: GPL-2.0
/*
 * events_test.c - KVMINI_GET_VCPU_EVENTS and KVMINI_SET_VCPU_EVENTS:
 * every field goes in and comes back, the guest takes what was set, every
 * bad input fails with its errno and changes nothing, and an exception
 * kvmini holds after an exit during its delivery shows up in GET and is
 * gone once SET clears it, as a reset of the vCPU needs.
 */
#include "kvmini_test.h"

#define IDT		0x3000		/* 256 gates of 8 bytes */
#define STUBS		0x4000		/* 8 bytes per vector */
#define PORT_VECTOR	0x31		/* the stubs: AL = vector */
#define STACK		0x8000
#define RFLAGS_IF	0x200

/* Protected mode, a gate for every vector to "mov $v, %al; out; hlt". */
static struct kvmini_vcpu *pm_guest(const unsigned char *start,
				    const unsigned char *end, uint8_t **memp)
{
	struct kvmini_vcpu *vcpu;
	struct kvmini_sregs sregs;
	uint8_t *mem;
	int v;

	vcpu = guest_create_mem(start, end, GUEST_MEM_SIZE, &mem);
	kvmini_vcpu_setup_protected_mode(vcpu, mem, GUEST_LOAD_ADDR, STACK);
	for (v = 0; v < 256; v++) {
		uint32_t h = STUBS + v * 8;
		uint8_t stub[] = { 0xb0, v, 0xe6, PORT_VECTOR, 0xf4 };
		uint64_t gate = (h & 0xffff) |
				(uint64_t)KVMINI_SEL_CODE32 << 16 |
				(uint64_t)0x8e << 40 |
				(uint64_t)(h >> 16) << 48;

		memcpy(mem + h, stub, sizeof(stub));
		memcpy(mem + IDT + v * 8, &gate, 8);
	}
	kvmini_get_sregs(vcpu, &sregs);
	sregs.idt.base = IDT;
	sregs.idt.limit = 256 * 8 - 1;
	kvmini_set_sregs(vcpu, &sregs);
	if (memp)
		*memp = mem;
	return vcpu;
}

GUEST_CODE32(sti_hlt,
	"	sti\n"
	"	hlt\n"
	"	hlt\n");

static void set_rflags(struct kvmini_vcpu *vcpu, uint64_t rflags)
{
	struct kvmini_regs regs;

	kvmini_get_regs(vcpu, &regs);
	regs.rflags = rflags | 2;
	kvmini_set_regs(vcpu, &regs);
}

static bool is_vmx(struct kvmini_vcpu *vcpu)
{
	return ioctl(vcpu->vm->sys_fd, KVMINI_CHECK_CAP, KVMINI_CAP_VENDOR) ==
	       KVMINI_VENDOR_VMX;
}

/* RUN; a stub reported vector v (and the error code is on the stack). */
static void expect_vector(struct __test_metadata *_metadata,
			  struct kvmini_vcpu *vcpu, int v)
{
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	ASSERT_EQ(PORT_VECTOR, vcpu->run->io.port);
	EXPECT_EQ(v, *(uint8_t *)kvmini_io_data(vcpu));
}

/* The top of the stack a stub left: an error code, or the return EIP. */
static uint32_t pushed_error(struct kvmini_vcpu *vcpu, const uint8_t *mem)
{
	struct kvmini_regs regs;
	uint32_t err;

	kvmini_get_regs(vcpu, &regs);
	memcpy(&err, mem + regs.rsp, 4);
	return err;
}

TEST(none_after_create)
{
	struct kvmini_vcpu *vcpu = pm_guest(guest_sti_hlt_start,
					    guest_sti_hlt_end, NULL);
	struct kvmini_vcpu_events ev, none = { 0 };

	memset(&ev, 0xa5, sizeof(ev));
	kvmini_get_events(vcpu, &ev);
	EXPECT_EQ(0, memcmp(&ev, &none, sizeof(ev)));
	guest_destroy(vcpu);
}

/* Set, read back, and see the guest take it. */
TEST(exception_round_trip)
{
	uint8_t *mem;
	struct kvmini_vcpu *vcpu = pm_guest(guest_sti_hlt_start,
					    guest_sti_hlt_end, &mem);
	struct kvmini_vcpu_events ev = {
		.event = { .valid = 1, .type = KVMINI_EVENT_EXCEPTION,
			   .vector = 13, .has_error = 1,
			   .error_code = 0x1234 },
	}, got;

	kvmini_set_events(vcpu, &ev);
	kvmini_get_events(vcpu, &got);
	EXPECT_EQ(0, memcmp(&ev, &got, sizeof(ev)));
	expect_vector(_metadata, vcpu, 13);
	EXPECT_EQ(0x1234, pushed_error(vcpu, mem));
	kvmini_get_events(vcpu, &got);
	EXPECT_EQ(0, got.event.valid);

	/* No error code: #UD. */
	ev.event = (typeof(ev.event)){ .valid = 1, .vector = 6,
				       .type = KVMINI_EVENT_EXCEPTION };
	kvmini_set_events(vcpu, &ev);
	kvmini_get_events(vcpu, &got);
	EXPECT_EQ(0, memcmp(&ev, &got, sizeof(ev)));
	expect_vector(_metadata, vcpu, 6);
	guest_destroy(vcpu);
}

TEST(extint_and_nmi_event_round_trip)
{
	struct kvmini_vcpu *vcpu = pm_guest(guest_sti_hlt_start,
					    guest_sti_hlt_end, NULL);
	struct kvmini_vcpu_events ev = {
		.event = { .valid = 1, .type = KVMINI_EVENT_EXTINT,
			   .vector = 0x40 },
	}, got;

	set_rflags(vcpu, RFLAGS_IF);
	kvmini_set_events(vcpu, &ev);
	kvmini_get_events(vcpu, &got);
	EXPECT_EQ(0, memcmp(&ev, &got, sizeof(ev)));
	expect_vector(_metadata, vcpu, 0x40);

	ev.event = (typeof(ev.event)){ .valid = 1, .vector = 2,
				       .type = KVMINI_EVENT_NMI };
	kvmini_set_events(vcpu, &ev);
	kvmini_get_events(vcpu, &got);
	EXPECT_EQ(0, memcmp(&ev, &got, sizeof(ev)));
	expect_vector(_metadata, vcpu, 2);
	/* Its handler has not returned: NMIs are blocked now. */
	kvmini_get_events(vcpu, &got);
	EXPECT_EQ(1, got.nmi.masked);
	EXPECT_EQ(0, got.event.valid);
	guest_destroy(vcpu);
}

/* KVMINI_INTERRUPT's vector, seen and set; taken once IF is set. */
TEST(pending_interrupt_round_trip)
{
	struct kvmini_vcpu *vcpu = pm_guest(guest_sti_hlt_start,
					    guest_sti_hlt_end, NULL);
	struct kvmini_vcpu_events ev = {
		.interrupt = { .pending = 1, .vector = 0x51 },
	}, got;

	ASSERT_EQ(0, kvmini_vcpu_interrupt(vcpu, 0x50));
	kvmini_get_events(vcpu, &got);
	EXPECT_EQ(1, got.interrupt.pending);
	EXPECT_EQ(0x50, got.interrupt.vector);
	/* Replaced, not added: KVMINI_INTERRUPT sees none queued after. */
	kvmini_set_events(vcpu, &ev);
	kvmini_get_events(vcpu, &got);
	EXPECT_EQ(0, memcmp(&ev, &got, sizeof(ev)));
	expect_vector(_metadata, vcpu, 0x51);

	ASSERT_EQ(0, kvmini_vcpu_interrupt(vcpu, 0x52));
	kvmini_clear_events(vcpu);
	kvmini_get_events(vcpu, &got);
	EXPECT_EQ(0, got.interrupt.pending);
	EXPECT_EQ(0, kvmini_vcpu_interrupt(vcpu, 0x53));
	guest_destroy(vcpu);
}

TEST(nmi_pending_and_masked_round_trip)
{
	struct kvmini_vcpu *vcpu = pm_guest(guest_sti_hlt_start,
					    guest_sti_hlt_end, NULL);
	struct kvmini_vcpu_events ev = { .nmi = { .pending = 1, .masked = 1 } };
	struct kvmini_vcpu_events got;

	kvmini_set_events(vcpu, &ev);
	kvmini_get_events(vcpu, &got);
	EXPECT_EQ(0, memcmp(&ev, &got, sizeof(ev)));
	/* Masked: the guest runs its STI; HLT instead of the NMI handler. */
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	kvmini_get_events(vcpu, &got);
	EXPECT_EQ(1, got.nmi.pending);

	/* Unmasked, the pending NMI goes in at once. */
	ev.nmi.masked = 0;
	kvmini_set_events(vcpu, &ev);
	expect_vector(_metadata, vcpu, 2);
	kvmini_get_events(vcpu, &got);
	EXPECT_EQ(0, got.nmi.pending);
	EXPECT_EQ(1, got.nmi.masked);
	guest_destroy(vcpu);
}

/* The shadow, as each vendor keeps it (SVM: one bit for both). */
TEST(shadow_round_trip)
{
	uint8_t *mem;
	struct kvmini_vcpu *vcpu = pm_guest(guest_sti_hlt_start,
					    guest_sti_hlt_end, &mem);
	const uint32_t both = KVMINI_SHADOW_STI | KVMINI_SHADOW_MOV_SS;
	struct kvmini_vcpu_events ev = { 0 }, got;
	uint32_t s;

	set_rflags(vcpu, RFLAGS_IF);
	for (s = 1; s <= both; s++) {
		ev.shadow = s;
		kvmini_set_events(vcpu, &ev);
		kvmini_get_events(vcpu, &got);
		if (!is_vmx(vcpu)) {
			EXPECT_EQ(both, got.shadow);
		} else if (s & KVMINI_SHADOW_MOV_SS) {
			EXPECT_EQ(KVMINI_SHADOW_MOV_SS, got.shadow);
		} else {
			EXPECT_EQ(KVMINI_SHADOW_STI, got.shadow);
		}
	}
	ev.shadow = 0;
	kvmini_set_events(vcpu, &ev);
	kvmini_get_events(vcpu, &got);
	EXPECT_EQ(0, got.shadow);

	/*
	 * In the shadow an interrupt waits one instruction: the STI runs
	 * first, then the interrupt, whose frame returns after the STI.
	 * Only VMX can show it here: QEMU 7.2's VMRUN does not load the
	 * VMCB's shadow (README, "Notes from the emulators").
	 */
	ev.shadow = KVMINI_SHADOW_STI;
	ev.interrupt.pending = 1;
	ev.interrupt.vector = 0x60;
	kvmini_set_events(vcpu, &ev);
	expect_vector(_metadata, vcpu, 0x60);
	if (is_vmx(vcpu))
		EXPECT_EQ(GUEST_LOAD_ADDR + 1, pushed_error(vcpu, mem));
	guest_destroy(vcpu);
}

/*
 * A state with something in every field; each bad input must fail with
 * its errno and leave it exactly so.
 */
static const struct kvmini_vcpu_events some = {
	.event = { .valid = 1, .type = KVMINI_EVENT_EXCEPTION, .vector = 14,
		   .has_error = 1, .error_code = 2 },
	.interrupt = { .pending = 1, .vector = 0x70 },
	.nmi = { .pending = 1, .masked = 1 },
	.shadow = KVMINI_SHADOW_MOV_SS,
};

#define EXPECT_EVENTS_REJECTED(err, change)				\
	do {								\
		struct kvmini_vcpu_events bad = some, now;		\
									\
		int r_;							\
									\
		change;							\
		errno = 0;						\
		r_ = ioctl(vcpu->fd, KVMINI_SET_VCPU_EVENTS, &bad);	\
		EXPECT_EQ(-1, r_) TH_LOG("%s", #change);		\
		EXPECT_EQ(err, errno) TH_LOG("%s", #change);		\
		kvmini_get_events(vcpu, &now);				\
		EXPECT_EQ(0, memcmp(&now, &before, sizeof(now)))	\
			TH_LOG("%s changed the events", #change);	\
	} while (0)

TEST(bad_inputs_change_nothing)
{
	struct kvmini_vcpu *vcpu = pm_guest(guest_sti_hlt_start,
					    guest_sti_hlt_end, NULL);
	struct kvmini_vcpu_events before, bad;

	kvmini_set_events(vcpu, &some);
	kvmini_get_events(vcpu, &before);

	EXPECT_EVENTS_REJECTED(EINVAL, bad.flags = 1);
	EXPECT_EVENTS_REJECTED(EINVAL, bad.reserved[0] = 1);
	EXPECT_EVENTS_REJECTED(EINVAL, bad.reserved[3] = 1ull << 63);
	EXPECT_EVENTS_REJECTED(EINVAL, bad.interrupt.padding[0] = 1);
	EXPECT_EVENTS_REJECTED(EINVAL, bad.nmi.padding[5] = 0x80);
	EXPECT_EVENTS_REJECTED(EINVAL, bad.event.valid = 2);
	EXPECT_EVENTS_REJECTED(EINVAL, bad.event.has_error = 2);
	EXPECT_EVENTS_REJECTED(EINVAL, bad.interrupt.pending = 2);
	EXPECT_EVENTS_REJECTED(EINVAL, bad.nmi.pending = 2);
	EXPECT_EVENTS_REJECTED(EINVAL, bad.nmi.masked = 0xff);
	EXPECT_EVENTS_REJECTED(EINVAL, bad.shadow = 4);
	EXPECT_EVENTS_REJECTED(EINVAL, bad.shadow = 1u << 31);
	/* Types: 1 (reserved), 4 (software interrupt), 7. */
	EXPECT_EVENTS_REJECTED(EINVAL, bad.event.type = 1);
	EXPECT_EVENTS_REJECTED(EINVAL, bad.event.type = 4);
	EXPECT_EVENTS_REJECTED(EINVAL, bad.event.type = 7);
	/* Exception vectors above 31, and 2 (an NMI is no exception). */
	EXPECT_EVENTS_REJECTED(EINVAL, (bad.event.vector = 32,
					bad.event.has_error = 0,
					bad.event.error_code = 0));
	EXPECT_EVENTS_REJECTED(EINVAL, (bad.event.vector = 255,
					bad.event.has_error = 0,
					bad.event.error_code = 0));
	EXPECT_EVENTS_REJECTED(EINVAL, (bad.event.vector = 2,
					bad.event.has_error = 0,
					bad.event.error_code = 0));
	/* An NMI is vector 2, has no error code, and is not masked yet. */
	EXPECT_EVENTS_REJECTED(EINVAL, (bad.event.type = KVMINI_EVENT_NMI,
					bad.event.vector = 3,
					bad.event.has_error = 0,
					bad.event.error_code = 0,
					bad.nmi.masked = 0,
					bad.shadow = 0));
	EXPECT_EVENTS_REJECTED(EINVAL, (bad.event.type = KVMINI_EVENT_NMI,
					bad.event.vector = 2,
					bad.nmi.masked = 0,
					bad.shadow = 0));
	EXPECT_EVENTS_REJECTED(EINVAL, (bad.event.type = KVMINI_EVENT_NMI,
					bad.event.vector = 2,
					bad.event.has_error = 0,
					bad.event.error_code = 0,
					bad.shadow = 0));
	EXPECT_EVENTS_REJECTED(EINVAL, (bad.event.type = KVMINI_EVENT_NMI,
					bad.event.vector = 2,
					bad.event.has_error = 0,
					bad.event.error_code = 0,
					bad.nmi.masked = 0,
					bad.shadow = KVMINI_SHADOW_MOV_SS));
	/* An interrupt: no error code, IF set (it is clear here), no shadow. */
	EXPECT_EVENTS_REJECTED(EINVAL, (bad.event.type = KVMINI_EVENT_EXTINT,
					bad.event.vector = 0x40));
	EXPECT_EVENTS_REJECTED(EINVAL, (bad.event.type = KVMINI_EVENT_EXTINT,
					bad.event.vector = 0x40,
					bad.event.has_error = 0,
					bad.event.error_code = 0,
					bad.shadow = 0));
	/* Error codes: only 8, 10-14, 17, 21; none without has_error. */
	EXPECT_EVENTS_REJECTED(EINVAL, bad.event.vector = 6);
	EXPECT_EVENTS_REJECTED(EINVAL, bad.event.vector = 0);
	EXPECT_EVENTS_REJECTED(EINVAL, bad.event.vector = 9);
	EXPECT_EVENTS_REJECTED(EINVAL, bad.event.vector = 18);
	EXPECT_EVENTS_REJECTED(EINVAL, bad.event.has_error = 0);
	/* Nothing where there is no event or interrupt. */
	EXPECT_EVENTS_REJECTED(EINVAL, (bad.event.valid = 0,
					bad.event.has_error = 0,
					bad.event.error_code = 0));
	EXPECT_EVENTS_REJECTED(EINVAL, (bad.event = (typeof(bad.event)){
						.error_code = 0 },
					bad.event.type = 3));
	EXPECT_EVENTS_REJECTED(EINVAL, bad.interrupt.pending = 0);
	/* No CPU is in STI's shadow with IF clear (it is clear here). */
	EXPECT_EVENTS_REJECTED(EINVAL, bad.shadow = KVMINI_SHADOW_STI);
	EXPECT_ERRNO(EFAULT, ioctl(vcpu->fd, KVMINI_SET_VCPU_EVENTS, NULL));
	EXPECT_ERRNO(EFAULT, ioctl(vcpu->fd, KVMINI_GET_VCPU_EVENTS, NULL));

	guest_destroy(vcpu);

	/* Real mode pushes no error code: the same state is refused there. */
	vcpu = GUEST_CREATE(sti_hlt);
	kvmini_get_events(vcpu, &before);
	EXPECT_EVENTS_REJECTED(EINVAL, (void)0);
	bad = some;
	bad.event.has_error = 0;
	bad.event.error_code = 0;
	EXPECT_EQ(0, ioctl(vcpu->fd, KVMINI_SET_VCPU_EVENTS, &bad));
	guest_destroy(vcpu);
}

/*
 * A #GP with an error code (a bad selector loaded into DS) whose IDT is
 * in no slot: RUN ends unhandled and kvmini holds the #GP for the next
 * entry.  GET shows it; cleared by SET, it is gone, and a good state
 * (an IDT in memory, RIP at a HLT) halts.  Without the clearing, the
 * old #GP reaches the new state's #GP handler first.
 */
GUEST_CODE32(bad_selector,
	"	mov $0x1234, %ax\n"
	"	mov %ax, %ds\n"			/* #GP(0x1234) */
	"	hlt\n");

static struct kvmini_vcpu *held_gp(struct __test_metadata *_metadata,
				   uint8_t **mem)
{
	struct kvmini_vcpu *vcpu = pm_guest(guest_bad_selector_start,
					    guest_bad_selector_end, mem);
	struct kvmini_vcpu_events got;
	struct kvmini_sregs sregs;

	kvmini_get_sregs(vcpu, &sregs);
	sregs.idt.base = 0xd0000000;		/* no memory there */
	kvmini_set_sregs(vcpu, &sregs);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_UNHANDLED);
	kvmini_get_events(vcpu, &got);
	EXPECT_EQ(1, got.event.valid);
	EXPECT_EQ(KVMINI_EVENT_EXCEPTION, got.event.type);
	EXPECT_EQ(13, got.event.vector);
	EXPECT_EQ(1, got.event.has_error);
	EXPECT_EQ(0x1234, got.event.error_code);
	return vcpu;
}

/* The reset: the IDT back in memory, RIP at the HLT after the MOV. */
static void good_state(struct kvmini_vcpu *vcpu)
{
	struct kvmini_sregs sregs;
	struct kvmini_regs regs;

	kvmini_get_sregs(vcpu, &sregs);
	sregs.idt.base = IDT;
	kvmini_set_sregs(vcpu, &sregs);
	kvmini_get_regs(vcpu, &regs);
	regs.rip = GUEST_LOAD_ADDR + (guest_bad_selector_end -
				      guest_bad_selector_start) - 1;
	regs.rsp = STACK;
	kvmini_set_regs(vcpu, &regs);
}

TEST(held_exception_seen_and_cleared)
{
	struct kvmini_vcpu_events got, none = { 0 };
	struct kvmini_vcpu *vcpu;
	uint8_t *mem;

	vcpu = held_gp(_metadata, &mem);
	kvmini_clear_events(vcpu);
	kvmini_get_events(vcpu, &got);
	EXPECT_EQ(0, memcmp(&got, &none, sizeof(got)));
	good_state(vcpu);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	guest_destroy(vcpu);

	/* Not cleared: SET_REGS and SET_SREGS keep it, the guest takes it. */
	vcpu = held_gp(_metadata, &mem);
	good_state(vcpu);
	expect_vector(_metadata, vcpu, 13);
	EXPECT_EQ(0x1234, pushed_error(vcpu, mem));
	guest_destroy(vcpu);
}

TEST_HARNESS_MAIN
