// SPDX-License-Identifier: GPL-2.0
/*
 * host_isolation_test.c - CPU state a guest can change that belongs to
 * the process running it: after RUN the VMM must find its own values.
 * PKRU (protection keys), then TSC_AUX (the CPU number RDPID reads),
 * then the FPU registers of two guests that share a CPU.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <cpuid.h>
#include "kvmini_test.h"

#define GUEST_PKRU	0x12345670u	/* any value: guest pages are not user pages */
#define CPUID7_ECX_PKU	(1u << 3)
#define CPUID7_ECX_OSPKE (1u << 4)

static uint32_t host_rdpkru(void)
{
	uint32_t eax, edx;

	asm volatile("rdpkru" : "=a"(eax), "=d"(edx) : "c"(0));
	return eax;
}

static struct kvmini_vcpu *long_guest(const unsigned char *start,
				      const unsigned char *end)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	uint8_t *mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	struct kvmini_vcpu *vcpu;

	memcpy(mem + GUEST_LOAD_ADDR, start, end - start);
	vcpu = kvmini_vcpu_create(vm, 0);
	kvmini_vcpu_setup_long_mode(vcpu, mem, GUEST_LOAD_ADDR, 0x8000);
	return vcpu;
}

static uint32_t io_u32(struct kvmini_vcpu *vcpu)
{
	uint32_t v;

	memcpy(&v, kvmini_io_data(vcpu), 4);
	return v;
}

/*
 * The guest writes its PKRU, exits to userspace, and reads its PKRU back
 * after the next entry.  CR4.PKE is reserved for guests (CPUID offers no
 * protection keys), so it goes the way that needs no CR4.PKE: XRSTOR of
 * the PKRU component, which the host's XCR0 (the guest's too) enables,
 * and XSAVE to read it back.  The standard-format area is at 0x20000,
 * zeroed; CPUID leaf 0xd, subleaf 9, gives PKRU's offset in it.
 */
GUEST_CODE64(wrpkru,
	"	mov %cr4, %rax\n"
	"	bts $18, %rax\n"			/* CR4.OSXSAVE */
	"	mov %rax, %cr4\n"
	"	mov $0xd, %eax\n"
	"	mov $9, %ecx\n"
	"	cpuid\n"				/* EBX: PKRU's offset */
	"	mov $0x20000, %edi\n"
	"	movl $0x12345670, (%rdi,%rbx)\n"	/* GUEST_PKRU */
	"	movq $0x200, 512(%rdi)\n"		/* XSTATE_BV: PKRU */
	"	mov $0x200, %eax\n"
	"	xor %edx, %edx\n"
	"	xrstor (%rdi)\n"
	"	out %eax, $0x30\n"
	"	movl $0, (%rdi,%rbx)\n"
	"	mov $0x200, %eax\n"
	"	xor %edx, %edx\n"
	"	xsave (%rdi)\n"
	"	mov (%rdi,%rbx), %eax\n"
	"	out %eax, $0x31\n"
	"	hlt\n");

/* CPUID leaf 7's ECX as the guest sees it. */
GUEST_CODE64(cpuid7,
	"	mov $7, %eax\n"
	"	xor %ecx, %ecx\n"
	"	cpuid\n"
	"	mov %ecx, %eax\n"
	"	out %eax, $0x30\n"
	"	hlt\n");

static sigjmp_buf pkey_jmp;
static volatile int pkey_faults;

static void pkey_segv(int sig, siginfo_t *si, void *uc)
{
	if (si->si_code == SEGV_PKUERR)
		pkey_faults++;
	siglongjmp(pkey_jmp, 1);
}

/* Read *p; true if a protection-key fault stopped the read. */
static bool read_faults(volatile uint8_t *p)
{
	struct sigaction sa = { .sa_sigaction = pkey_segv,
				.sa_flags = SA_SIGINFO }, old;
	int before = pkey_faults;
	bool faulted;

	sigaction(SIGSEGV, &sa, &old);
	if (!sigsetjmp(pkey_jmp, 1))
		(void)*p;
	faulted = pkey_faults != before;
	sigaction(SIGSEGV, &old, NULL);
	return faulted;
}

/*
 * The VMM denies itself a page with a protection key; a guest that
 * rewrites PKRU must not lift that.  Seen before the fix on both SVM
 * targets (with CR4.PKE and WRPKRU, before CR4.PKE became reserved):
 * after RUN the VMM's PKRU was the guest's and the read went through.
 * The guest keeps its own PKRU across exits either way.
 */
TEST(guest_pkru_stays_in_guest)
{
	struct kvmini_vcpu *vcpu;
	uint32_t host_pkru;
	uint8_t *page;
	int pkey;

	pkey = pkey_alloc(0, 0);
	if (pkey < 0) {
		unsigned int a, b, c, d;

		/*
		 * No protection keys in this host (Bochs boots nopku): the
		 * VMM has no PKRU to lose, and the guest must not be
		 * offered a PKRU that kvmini would not switch.
		 */
		TH_LOG("no protection keys in the host (%s): the guest must not be offered PKU",
		       strerror(errno));
		__cpuid_count(7, 0, a, b, c, d);
		EXPECT_EQ(0, c & CPUID7_ECX_OSPKE);
		vcpu = long_guest(guest_cpuid7_start, guest_cpuid7_end);
		expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
		EXPECT_EQ(0, io_u32(vcpu) & (CPUID7_ECX_PKU | CPUID7_ECX_OSPKE));
		guest_destroy(vcpu);
		return;
	}
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	page[0] = 1;
	ASSERT_EQ(0, pkey_mprotect(page, 4096, PROT_READ | PROT_WRITE, pkey));
	ASSERT_EQ(0, pkey_set(pkey, PKEY_DISABLE_ACCESS));
	host_pkru = host_rdpkru();
	ASSERT_TRUE(read_faults(page));

	vcpu = long_guest(guest_wrpkru_start, guest_wrpkru_end);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	EXPECT_EQ(0x30, vcpu->run->io.port);
	EXPECT_EQ(host_pkru, host_rdpkru());
	EXPECT_TRUE(read_faults(page));

	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	EXPECT_EQ(0x31, vcpu->run->io.port);
	EXPECT_EQ(GUEST_PKRU, io_u32(vcpu));
	expect_exit(_metadata, vcpu, KVMINI_EXIT_HLT);
	EXPECT_EQ(host_pkru, host_rdpkru());
	EXPECT_TRUE(read_faults(page));
	guest_destroy(vcpu);
	pkey_set(pkey, 0);
	pkey_free(pkey);
	munmap(page, 4096);
}

/*
 * RDTSCP and RDPID read TSC_AUX, which Linux sets to the host CPU's
 * number.  CPUID offers neither to guests.  VMX makes both raise #UD
 * ("enable RDTSCP" is off); SVM intercepts RDTSCP, which now raises #UD
 * too (it ended RUN as unhandled), but cannot intercept RDPID, which
 * read the host's TSC_AUX: it must read the guest's, its vCPU id.  The
 * guest reports #UD on port 0x3e, else the value on port 0x30.
 */
#define TSC_AUX_VCPU	5

#define TSC_AUX_GUEST(name, insn)					\
	GUEST_CODE16(name,						\
		"	call 1f\n"					\
		"1:	pop %bx\n"					\
		"	add $(2f - 1b), %bx\n"				\
		"	movw %bx, 6 * 4\n"				\
		"	movw $0, 6 * 4 + 2\n"				\
		"	xor %ecx, %ecx\n"				\
		insn							\
		"	out %eax, $0x30\n"				\
		"	hlt\n"						\
		"2:	out %al, $0x3e\n"				\
		"	hlt\n")

TSC_AUX_GUEST(rdtscp, "	.byte 0x0f, 0x01, 0xf9\n	mov %ecx, %eax\n");
TSC_AUX_GUEST(rdpid, "	.byte 0xf3, 0x0f, 0xc7, 0xf8\n");

static void expect_no_host_cpu(struct __test_metadata *_metadata,
			       const unsigned char *start,
			       const unsigned char *end, const char *what)
{
	struct kvmini_vm *vm = kvmini_vm_create();
	uint8_t *mem = kvmini_vm_add_memory(vm, 0, GUEST_MEM_SIZE);
	struct kvmini_vcpu *vcpu = kvmini_vcpu_create(vm, TSC_AUX_VCPU);
	cpu_set_t cpu0;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpu0), &cpu0));
	memcpy(mem + GUEST_LOAD_ADDR, start, end - start);
	kvmini_vcpu_setup_real_mode(vcpu, GUEST_LOAD_ADDR, 0x8000);
	expect_exit(_metadata, vcpu, KVMINI_EXIT_IO);
	if (vcpu->run->io.port == 0x3e) {
		TH_LOG("%s: #UD in the guest", what);
	} else {
		EXPECT_EQ(0x30, vcpu->run->io.port);
		EXPECT_EQ(TSC_AUX_VCPU, io_u32(vcpu));
	}
	/* The VMM's getcpu (RDPID or RDTSCP in the vDSO) names its CPU. */
	EXPECT_EQ(0, sched_getcpu());
	guest_destroy(vcpu);
}

TEST(rdtscp_does_not_name_host_cpu)
{
	expect_no_host_cpu(_metadata, guest_rdtscp_start, guest_rdtscp_end,
			   "RDTSCP");
}

TEST(rdpid_does_not_name_host_cpu)
{
	expect_no_host_cpu(_metadata, guest_rdpid_start, guest_rdpid_end,
			   "RDPID");
}

/*
 * Two guests on one host CPU, each keeping its own value in XMM0 while
 * it takes CPUID exits, which the kernel answers without leaving RUN:
 * the scheduler switches between their threads inside RUN, and each
 * guest must find its value again after every exit.  (Reported on port
 * 0x30 when all were kept, else on 0x31 with what XMM0 held.)
 */
GUEST_CODE64(xmm_keeper,
	"	mov %cr4, %rax\n"
	"	or $0x600, %rax\n"		/* OSFXSR, OSXMMEXCPT */
	"	mov %rax, %cr4\n"
	"	movq %rdi, %xmm0\n"
	"	mov $20000, %r8d\n"
	"1:	xor %eax, %eax\n"
	"	cpuid\n"
	"	movq %xmm0, %rax\n"
	"	cmp %rdi, %rax\n"
	"	jne 2f\n"
	"	dec %r8d\n"
	"	jnz 1b\n"
	"	out %al, $0x30\n"
	"	hlt\n"
	"2:	out %eax, $0x31\n"
	"	hlt\n");

struct xmm_run {
	uint64_t value;
	uint16_t port;		/* where the guest reported */
	uint32_t seen;		/* XMM0's low half, if lost */
	int r;
};

static void *xmm_keeper_thread(void *arg)
{
	struct xmm_run *x = arg;
	struct kvmini_vcpu *vcpu = long_guest(guest_xmm_keeper_start,
					      guest_xmm_keeper_end);
	struct kvmini_regs regs;
	cpu_set_t cpu0;

	CPU_ZERO(&cpu0);
	CPU_SET(0, &cpu0);
	x->r = sched_setaffinity(0, sizeof(cpu0), &cpu0);
	kvmini_get_regs(vcpu, &regs);
	regs.rdi = x->value;
	kvmini_set_regs(vcpu, &regs);
	if (!x->r)
		x->r = kvmini_vcpu_run(vcpu);
	if (!x->r && vcpu->run->exit_reason == KVMINI_EXIT_IO) {
		x->port = vcpu->run->io.port;
		x->seen = io_u32(vcpu);
	}
	guest_destroy(vcpu);
	return NULL;
}

TEST(guests_sharing_a_cpu_keep_their_fpu_registers)
{
	struct xmm_run runs[2] = {
		{ .value = 0x1111111111111111ull },
		{ .value = 0x2222222222222222ull },
	};
	pthread_t threads[2];
	int i;

	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&threads[i], NULL,
					    xmm_keeper_thread, &runs[i]));
	for (i = 0; i < 2; i++) {
		pthread_join(threads[i], NULL);
		EXPECT_EQ(0, runs[i].r);
		EXPECT_EQ(0x30, runs[i].port) {
			TH_LOG("guest %d found %#x in XMM0", i, runs[i].seen);
		}
	}
}

TEST_HARNESS_MAIN
