// SPDX-License-Identifier: MIT
/*
 * HvCallSendSyntheticClusterIpi (0x0b) and ...Ex (0x15) on three vCPUs
 * whose VP indexes the host set to 0, 2 and 65 (HV_X64_MSR_VP_INDEX): the
 * sender is vCPU 0 (VP 0, interrupts off, on this thread); vCPUs 1 and 2
 * (VP 2 and VP 65) wait in STI;HLT loops on their own threads, and their
 * handlers count each vector (and EOI through HV_X64_MSR_EOI).  Every form
 * is used once with its own vector: slow (input page), fast (registers),
 * XMM fast, sparse VP sets over banks 0 and 1, "all", and malformed calls
 * that must reach nobody.  The counts must match exactly; the sender's
 * own IPIs stay in its IRR.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "x86_hv_util.h"

#define NCPU		3
#define VEC0		0x30
#define NVEC		16
#define IDT_CPU(c)	(0x20000UL + 0x1000UL * (c))	/* c = 1, 2 */
#define STUBS(c)	(0x24000UL + 0x800UL * (c))
#define COUNTS(c)	(0x27000UL + 0x100UL * (c))
#define TOTAL(c)	(COUNTS(c) + 0x80UL)	/* interrupts handled */
#define TARGET(c)	(COUNTS(c) + 0x88UL)	/* how many to wait for */
#define WAIT_CODE	0x29000UL
#define IN_PAGE		0x2a000UL

static const uint32_t vp_of[NCPU] = { 0, 2, 65 };

struct ipi_vm {
	struct tguest g;
	int fd[NCPU];
	struct kvm_run *run[NCPU];
	pthread_t thr[NCPU];
	int exit_reason[NCPU];
	int done;			/* waiters that left KVM_RUN */
};

/* Handler of vector v on vCPU c: count it, EOI by the Hyper-V MSR. */
static void put_stub(struct tguest *g, int c, int v)
{
	uint32_t ctr = (uint32_t)(COUNTS(c) + 8 * (v - VEC0));
	uint32_t tot = (uint32_t)TOTAL(c);
	uint8_t s[] = {
		0xf0, 0x48, 0xff, 0x04, 0x25, 0, 0, 0, 0, /* lock inc [ctr] */
		0xf0, 0x48, 0xff, 0x04, 0x25, 0, 0, 0, 0, /* lock inc [tot] */
		0x50, 0x51, 0x52,			/* push rax rcx rdx */
		0xb9, 0x70, 0x00, 0x00, 0x40,		/* mov ecx, HV EOI */
		0x31, 0xc0, 0x31, 0xd2,			/* xor eax/edx */
		0x0f, 0x30,				/* wrmsr */
		0x5a, 0x59, 0x58, 0x48, 0xcf,		/* pop; iretq */
	};
	uint64_t h = STUBS(c) + 64UL * (uint64_t)(v - VEC0);
	uint8_t gate[16] = { 0 };

	memcpy(&s[5], &ctr, 4);
	memcpy(&s[14], &tot, 4);
	tg_put(g, h, s, sizeof(s));
	gate[0] = (uint8_t)h;
	gate[1] = (uint8_t)(h >> 8);
	gate[2] = 0x08;			/* CS */
	gate[5] = 0x8e;			/* present, 64-bit interrupt gate */
	gate[6] = (uint8_t)(h >> 16);
	gate[7] = (uint8_t)(h >> 24);
	tg_put(g, IDT_CPU(c) + 16UL * (uint64_t)v, gate, sizeof(gate));
}

/*
 * R12 = &TOTAL, R13 = &TARGET.  loop: mov rax,[r12]; cmp rax,[r13];
 * jae out; sti; hlt; cli; jmp loop; out: OUT 0x80.  A vCPU leaves once
 * it handled as many interrupts as the host expects (set at the end).
 */
static const uint8_t wait_code[] = {
	0x49, 0x8b, 0x04, 0x24, 0x49, 0x3b, 0x45, 0x00,
	0x73, 0x05, 0xfb, 0xf4, 0xfa, 0xeb, 0xf1, 0xe6, 0x80,
};

static void add_vcpu(struct ipi_vm *v, int c)
{
	struct tguest *g = &v->g;
	struct kvm_sregs s;
	struct kvm_regs r = { .rip = WAIT_CODE, .rflags = 2 };
	struct kvm_mp_state mp = { KVM_MP_STATE_RUNNABLE };
	int v2;

	v->fd[c] = tg_ioctl(g, g->vm, KVM_CREATE_VCPU, (void *)(long)c);
	assert_true(v->fd[c] >= 0);
	v->run[c] = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, v->fd[c], 0);
	assert_true(v->run[c] != MAP_FAILED);
	hv_set_cpuid(g, v->fd[c]);
	hv_apic_enable(g, v->fd[c]);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	memcpy(g->mem + IDT_CPU(c), g->mem + TG_IDT, 32 * 16);
	s.idt.base = IDT_CPU(c);
	s.idt.limit = 256 * 16 - 1;
	assert_int_equal(tg_ioctl(g, v->fd[c], KVM_SET_SREGS, &s), 0);
	r.rsp = TG_STACK_TOP - 0x1000UL * (uint64_t)c;
	r.r12 = TOTAL(c);
	r.r13 = TARGET(c);
	memset(g->mem + TARGET(c), 0xff, 8);
	assert_int_equal(tg_ioctl(g, v->fd[c], KVM_SET_REGS, &r), 0);
	/* an AP waits for INIT/SIPI: start it directly, as a VMM may */
	assert_int_equal(tg_ioctl(g, v->fd[c], KVM_SET_MP_STATE, &mp), 0);
	for (v2 = VEC0; v2 < VEC0 + NVEC; v2++)
		put_stub(g, c, v2);
}

struct thr_arg {
	struct ipi_vm *v;
	int c;
};

static void *run_thread(void *arg)
{
	struct thr_arg *a = arg;
	struct ipi_vm *v = a->v;

	/* KVM_RUN until the wait loop's OUT (or anything unexpected) */
	if (tg_ioctl(&v->g, v->fd[a->c], KVM_RUN, NULL) < 0)
		v->exit_reason[a->c] = -1;
	else
		v->exit_reason[a->c] = (int)v->run[a->c]->exit_reason;
	__atomic_fetch_add(&v->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* One hypercall of vCPU 0: control, RDX, R8 and XMM0-5; RAX back. */
static uint64_t send(struct ipi_vm *v, uint64_t ctl, uint64_t in,
		     uint64_t out, const uint64_t *xmm)
{
	static const uint64_t zero[12];

	hv_set_xmm(&v->g, v->g.vcpu, xmm ? xmm : zero);
	return hv_call(&v->g, ctl, in, out);
}

/* The input page of a slow call: n 64-bit words. */
static uint64_t page(struct ipi_vm *v, const uint64_t *w, size_t n)
{
	tg_put(&v->g, IN_PAGE, w, n * 8);
	return IN_PAGE;
}

#define IPI		0x0bULL
#define IPI_EX		0x15ULL
#define FAST		(1ULL << 16)
#define VAR(n)		((uint64_t)(n) << 17)
#define BIT(vp)		(1ULL << ((vp) % 64))

/* vectors each VP should receive, as bits of (vector - VEC0) */
static uint32_t expect[NCPU];

static void want(int vec, bool vp0, bool vp2, bool vp65)
{
	uint32_t b = 1U << (vec - VEC0);

	expect[0] |= vp0 ? b : 0;
	expect[1] |= vp2 ? b : 0;
	expect[2] |= vp65 ? b : 0;
}

static void all_forms(struct ipi_vm *v)
{
	uint64_t x[12] = { 0 };

	/* 0x0b slow: vector, reserved, cpu_mask {VP 0, VP 2} */
	assert_int_equal(send(v, IPI, page(v, (uint64_t[]){ 0x30,
			 BIT(0) | BIT(2) }, 2), 0, NULL), 0);
	want(0x30, true, true, false);
	/* 0x0b fast: vector in RDX, mask in R8 {VP 2} */
	assert_int_equal(send(v, IPI | FAST, 0x31, BIT(2), NULL), 0);
	want(0x31, false, true, false);
	/* 0x15 slow, sparse banks 0 and 1: {VP 0} and {VP 65} */
	assert_int_equal(send(v, IPI_EX | VAR(2), page(v, (uint64_t[]){ 0x32,
			 0, 3, BIT(0), BIT(65) }, 5), 0, NULL), 0);
	want(0x32, true, false, true);
	/* 0x15 slow, only bank 1 valid: its one bank is VPs 64-127 */
	assert_int_equal(send(v, IPI_EX | VAR(1), page(v, (uint64_t[]){ 0x33,
			 0, 2, BIT(65) }, 4), 0, NULL), 0);
	want(0x33, false, false, true);
	/* 0x15 slow, format "all" */
	assert_int_equal(send(v, IPI_EX, page(v, (uint64_t[]){ 0x34, 1, 0 },
			 3), 0, NULL), 0);
	want(0x34, true, true, true);
	/* 0x15 XMM fast: vector RDX, format R8, mask and banks in XMM */
	x[0] = 3;		/* valid_bank_mask: banks 0 and 1 */
	x[1] = BIT(2);		/* bank 0 */
	x[2] = BIT(65);		/* bank 1 */
	assert_int_equal(send(v, IPI_EX | FAST | VAR(2), 0x35, 0, x), 0);
	want(0x35, false, true, true);
	/* 0x15 XMM fast "all" */
	assert_int_equal(send(v, IPI_EX | FAST, 0x36, 1, NULL), 0);
	want(0x36, true, true, true);
	/* a sparse set naming no existing VP: success, nobody */
	assert_int_equal(send(v, IPI_EX | VAR(1), page(v, (uint64_t[]){ 0x37,
			 0, 1, BIT(5) }, 4), 0, NULL), 0);
	/* malformed: vector < 16, var_cnt != popcount, reserved RDX half,
	 * var_cnt on 0x0b, a rep count: INVALID_HYPERCALL_INPUT, nobody */
	assert_int_equal(send(v, IPI | FAST, 0x0f, BIT(2), NULL), 3);
	assert_int_equal(send(v, IPI_EX | VAR(1), page(v, (uint64_t[]){ 0x38,
			 0, 3, BIT(0), BIT(65) }, 5), 0, NULL), 3);
	assert_int_equal(send(v, IPI | FAST, 0x100000038ULL, BIT(2), NULL),
			 3);
	assert_int_equal(send(v, IPI | FAST | VAR(1), 0x38, BIT(2), NULL), 3);
	assert_int_equal(send(v, IPI | FAST | (1ULL << 32), 0x38, BIT(2),
			 NULL), 3);
	/* XMM fast with more banks than the XMM registers hold */
	assert_int_equal(send(v, IPI_EX | FAST | VAR(12), 0x38, 0, NULL), 3);
}

/*
 * Join the waiters.  Should an IPI be lost, a waiter never leaves: after
 * a generous bound (a hang guard, not a timing check) the host lowers its
 * target and sends one more IPI, and the exact counts then fail.
 */
static void join_all(struct ipi_vm *v)
{
	int c, i;

	for (i = 0; i < 2000; i++) {
		if (__atomic_load_n(&v->done, __ATOMIC_ACQUIRE) == NCPU - 1)
			break;
		usleep(10000);
	}
	if (i == 2000) {
		for (c = 1; c < NCPU; c++)
			__atomic_store_n((uint64_t *)(v->g.mem + TARGET(c)), 0,
					 __ATOMIC_SEQ_CST);
		send(v, IPI_EX | FAST, 0x3d, 1, NULL);
	}
	for (c = 1; c < NCPU; c++) {
		assert_int_equal(pthread_join(v->thr[c], NULL), 0);
		assert_int_equal(v->exit_reason[c], KVM_EXIT_IO);
	}
}

static void test_send_ipi_forms(void **state)
{
	struct thr_arg a[NCPU];
	struct ipi_vm v;
	uint64_t *cnt;
	int c, vec;

	(void)state;
	memset(&v, 0, sizeof(v));
	memset(expect, 0, sizeof(expect));
	hv_guest(&v.g, true);
	v.fd[0] = v.g.vcpu;
	v.run[0] = v.g.run;
	tg_put(&v.g, WAIT_CODE, wait_code, sizeof(wait_code));
	for (c = 1; c < NCPU; c++)
		add_vcpu(&v, c);
	for (c = 0; c < NCPU; c++)
		assert_int_equal(hv_host_set(&v.g, v.fd[c], HV_VP_INDEX,
					     vp_of[c]), 1);
	assert_int_equal(hv_host_get(&v.g, v.fd[2], HV_VP_INDEX), 65);
	assert_int_equal(hv_host_set(&v.g, v.fd[0], HV_OS_ID, LINUX_OS_ID), 1);
	for (c = 1; c < NCPU; c++) {
		a[c] = (struct thr_arg){ &v, c };
		assert_int_equal(pthread_create(&v.thr[c], NULL, run_thread,
						&a[c]), 0);
	}
	all_forms(&v);
	assert_int_equal(send(&v, IPI_EX | FAST, 0x3f, 1, NULL), 0);
	want(0x3f, true, true, true);
	/*
	 * Now the waiters may leave, once they took all that is due.  The
	 * target counts the last IPI (0x3e) too: a waiter that had just
	 * handled 0x3f would otherwise see its target met and leave before
	 * 0x3e reached it.
	 */
	want(0x3e, true, true, true);
	for (c = 1; c < NCPU; c++)
		__atomic_store_n((uint64_t *)(v.g.mem + TARGET(c)),
				 (uint64_t)__builtin_popcount(expect[c]),
				 __ATOMIC_SEQ_CST);
	assert_int_equal(send(&v, IPI_EX | FAST, 0x3e, 1, NULL), 0);
	join_all(&v);
	for (c = 1; c < NCPU; c++) {
		cnt = (uint64_t *)(v.g.mem + COUNTS(c));
		for (vec = 0; vec < NVEC; vec++)
			assert_int_equal(cnt[vec], (expect[c] >> vec) & 1);
	}
	for (vec = 0; vec < NVEC; vec++)
		assert_int_equal(hv_irr(&v.g, v.fd[0], VEC0 + vec),
				 (expect[0] >> vec) & 1);
	for (c = 1; c < NCPU; c++) {
		munmap(v.run[c], v.g.run_size);
		close(v.fd[c]);
	}
	tg_destroy(&v.g);
}

/*
 * HvCallFlushVirtualAddressSpace from vCPU 0 for VP 2 (vCPU 1): vCPU 1
 * keeps reading linear page 0x30000 (mapped to A) on its thread; the host
 * remaps it to B, vCPU 0 flushes VP 2, and once the call returned the host
 * raises a flag: vCPU 1's next read must go through the new mapping.
 */
#define FL_GO		0x2c000UL
#define FL_STARTED	0x2c008UL
#define FL_RESULT	0x2c010UL
#define FL_CODE		0x2b000UL
#define FL_LIN		0x30000UL
#define FL_PAGE_A	0x31000UL
#define FL_PAGE_B	0x32000UL

static const uint8_t reader_code[] = {
	0xc6, 0x04, 0x25, 0x08, 0xc0, 0x02, 0x00, 0x01,	/* [STARTED] = 1 */
	0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x03, 0x00,	/* loop: rax = [LIN] */
	0x80, 0x3c, 0x25, 0x00, 0xc0, 0x02, 0x00, 0x00,	/* cmp byte [GO], 0 */
	0x74, 0xee,					/* je loop */
	0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x03, 0x00,	/* rax = [LIN] */
	0x48, 0x89, 0x04, 0x25, 0x10, 0xc0, 0x02, 0x00,	/* [RESULT] = rax */
	0xe6, 0x80,					/* out 0x80 */
};

static void test_remote_flush(void **state)
{
	uint64_t *pte, a = 0x1111, b = 0x2222, in[3] = { 0, 0, BIT(2) };
	struct kvm_regs r = { .rip = FL_CODE, .rflags = 2,
			      .rsp = TG_STACK_TOP - 0x1000 };
	struct thr_arg arg;
	struct ipi_vm v;
	int i;

	(void)state;
	memset(&v, 0, sizeof(v));
	hv_guest(&v.g, true);
	v.fd[0] = v.g.vcpu;
	v.run[0] = v.g.run;
	add_vcpu(&v, 1);
	assert_int_equal(tg_ioctl(&v.g, v.fd[1], KVM_SET_REGS, &r), 0);
	assert_int_equal(hv_host_set(&v.g, v.fd[1], HV_VP_INDEX, 2), 1);
	assert_int_equal(hv_host_set(&v.g, v.fd[0], HV_OS_ID, LINUX_OS_ID), 1);
	tg_put(&v.g, FL_CODE, reader_code, sizeof(reader_code));
	tg_put(&v.g, FL_PAGE_A, &a, 8);
	tg_put(&v.g, FL_PAGE_B, &b, 8);
	pte = (uint64_t *)(v.g.mem + TG_PT) + FL_LIN / 4096;
	*pte = (*pte & 0xfff) | FL_PAGE_A;
	arg = (struct thr_arg){ &v, 1 };
	assert_int_equal(pthread_create(&v.thr[1], NULL, run_thread, &arg), 0);
	for (i = 0; i < 3000 && !__atomic_load_n(v.g.mem + FL_STARTED,
						 __ATOMIC_ACQUIRE); i++)
		usleep(10000);	/* a hang guard only */
	usleep(20000);		/* let it read through the old mapping */
	__atomic_store_n(pte, (*pte & 0xfff) | FL_PAGE_B, __ATOMIC_SEQ_CST);
	assert_int_equal(send(&v, 0x0002, page(&v, in, 3), 0, NULL), 0);
	__atomic_store_n(v.g.mem + FL_GO, 1, __ATOMIC_SEQ_CST);
	assert_int_equal(pthread_join(v.thr[1], NULL), 0);
	assert_int_equal(v.exit_reason[1], KVM_EXIT_IO);
	assert_int_equal(*(uint64_t *)(v.g.mem + FL_RESULT), b);
	munmap(v.run[1], v.g.run_size);
	close(v.fd[1]);
	tg_destroy(&v.g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_send_ipi_forms),
		cmocka_unit_test(test_remote_flush),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
