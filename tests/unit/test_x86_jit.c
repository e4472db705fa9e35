// SPDX-License-Identifier: MIT
/*
 * The JIT (KVMU_ENGINE=jit, src/arch/x86/jit.c) where it must be exact:
 * a page fault in the middle of a block that runs as host code (rip,
 * registers, flags and the exception frame those of the reference
 * interpreter), self-modifying code in a JIT block and in a hot routine,
 * a rewrite by the VMM of a hot routine, MMIO writes and reads in the
 * middle of a JIT block (one exit each, in order, at the same rip as the
 * reference), and interrupts arriving between blocks while a hot loop
 * runs (stopped from another thread, an interrupt injected, nothing lost
 * or repeated).  Each case runs with host code from a block's first
 * entry (KVMU_JIT_HOT=1) and with the default threshold, against
 * KVMU_ENGINE=ref.  The guest code (Intel syntax) is in the comments.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "x86_guest.h"

/*
 * fault:  mov ecx,50
 *   loop: mov eax,ecx; add eax,7; shl rax,3; mov [rbx],rax; mov rsi,rbx
 *         cmp ecx,1; cmove rsi,rdi
 *   F_ADD: add rax,[rsi]        (rdi unmapped: #PF on the last pass)
 *         inc rdx; dec ecx; jnz loop; out 0xe9,al
 * smc:    mov ecx,40
 *   loop: mov eax,ecx; add eax,1; mov byte [rip+patch+1],al
 *  patch: mov edx,0x11111111; add r8,rdx; dec ecx; jnz loop
 *         mov ecx,40
 *     l2: call later; add r9,r11; dec ecx; jnz l2
 *         mov byte [rip+later+2],0x44; call later; add r9,r11; out 0xe9,al
 *  AGAIN: call later; mov r10,r11; out 0xe9,al
 *  LATER: mov r11d,0x01000000; add r11d,ecx; xor r11d,0x5a; ret
 * mmio:   mov ecx,30
 *   loop: mov eax,ecx; add eax,3; mov [rsi],eax; add r8,rax
 *         mov edx,[rsi+8]; add r9,rdx; dec ecx; jnz loop; out 0xe9,al
 * irq:    loop: add rax,1; I_MOV: mov [rbx],rax; xor rdx,rax; cmp r10,3
 *         jb loop; out 0xe9,al
 * handler: add r10,1; out 0x31,al; iretq
 */
static const uint8_t g_fault[] = {
	0xb9, 0x32, 0x00, 0x00, 0x00, 0x89, 0xc8, 0x83, 0xc0, 0x07, 0x48, 0xc1,
	0xe0, 0x03, 0x48, 0x89, 0x03, 0x48, 0x89, 0xde, 0x83, 0xf9, 0x01, 0x48,
	0x0f, 0x44, 0xf7, 0x48, 0x03, 0x06, 0x48, 0xff, 0xc2, 0xff, 0xc9, 0x75,
	0xe0, 0xe6, 0xe9,
};
static const uint8_t g_smc[] = {
	0xb9, 0x28, 0x00, 0x00, 0x00, 0x89, 0xc8, 0x83, 0xc0, 0x01, 0x88, 0x05,
	0x01, 0x00, 0x00, 0x00, 0xba, 0x11, 0x11, 0x11, 0x11, 0x49, 0x01, 0xd0,
	0xff, 0xc9, 0x75, 0xe9, 0xb9, 0x28, 0x00, 0x00, 0x00, 0xe8, 0x22, 0x00,
	0x00, 0x00, 0x4d, 0x01, 0xd9, 0xff, 0xc9, 0x75, 0xf4, 0xc6, 0x05, 0x16,
	0x00, 0x00, 0x00, 0x44, 0xe8, 0x0f, 0x00, 0x00, 0x00, 0x4d, 0x01, 0xd9,
	0xe6, 0xe9, 0xe8, 0x05, 0x00, 0x00, 0x00, 0x4d, 0x89, 0xda, 0xe6, 0xe9,
	0x41, 0xbb, 0x00, 0x00, 0x00, 0x01, 0x41, 0x01, 0xcb, 0x41, 0x83, 0xf3,
	0x5a, 0xc3,
};
static const uint8_t g_mmio[] = {
	0xb9, 0x1e, 0x00, 0x00, 0x00, 0x89, 0xc8, 0x83, 0xc0, 0x03, 0x89, 0x06,
	0x49, 0x01, 0xc0, 0x8b, 0x56, 0x08, 0x49, 0x01, 0xd1, 0xff, 0xc9, 0x75,
	0xec, 0xe6, 0xe9,
};
static const uint8_t g_irq[] = {
	0x48, 0x83, 0xc0, 0x01, 0x48, 0x89, 0x03, 0x48, 0x31, 0xc2, 0x49, 0x83,
	0xfa, 0x03, 0x72, 0xf0, 0xe6, 0xe9,
};
static const uint8_t g_handler[] = {
	0x49, 0x83, 0xc2, 0x01, 0xe6, 0x31, 0x48, 0xcf,
};

#define F_ADD		0x1b
#define S_AGAIN		0x3e
#define S_LATER		0x48
#define I_MOV		0x04
#define HANDLER		(TG_CODE + 0x800)
#define VEC		0x31
#define MMIO		TG_MEM_SIZE	/* right after RAM */
#define UNMAPPED	0x300000ULL
#define MAX_MMIO	64

struct result {
	struct kvm_regs regs;
	uint64_t frame[6];		/* the kernel stack's top */
	uint64_t data[2];
	int nmmio;
	uint64_t mmio_rip[MAX_MMIO];	/* rip at each MMIO exit */
	uint64_t mmio_val[MAX_MMIO];	/* what was written, or 0 */
};

/* A vCPU at CPL 3 on code with engine and hot (NULL: unset). */
static void start(struct tguest *g, const char *engine, const char *hot,
		  const uint8_t *code, size_t len)
{
	setenv("KVMU_ENGINE", engine, 1);	/* read by vCPU creation */
	if (hot)
		setenv("KVMU_JIT_HOT", hot, 1);
	else
		unsetenv("KVMU_JIT_HOT");
	assert_int_equal(tg_create(g, &tg_kvmu), 0);
	tg_put(g, TG_CODE, code, len);
	assert_int_equal(tg_user_mode(g, TG_CODE, TG_STACK_TOP), 0);
}

static void finish(struct tguest *g, struct result *r)
{
	assert_int_equal(tg_get_regs(g, &r->regs), 0);
	memcpy(r->frame, g->mem + TG_KSTACK_TOP - sizeof(r->frame),
	       sizeof(r->frame));
	memcpy(r->data, g->mem + TG_DATA, sizeof(r->data));
	tg_destroy(g);
}

static void same(const struct result *a, const struct result *b)
{
	assert_memory_equal(&a->regs, &b->regs, sizeof(a->regs));
	assert_memory_equal(a->frame, b->frame, sizeof(a->frame));
	assert_memory_equal(a->data, b->data, sizeof(a->data));
	assert_int_equal(a->nmmio, b->nmmio);
	assert_memory_equal(a->mmio_rip, b->mmio_rip, sizeof(a->mmio_rip));
	assert_memory_equal(a->mmio_val, b->mmio_val, sizeof(a->mmio_val));
}

/* ---- a page fault in the middle of a JIT block ---- */

static void run_fault(const char *engine, const char *hot, struct result *r)
{
	struct kvm_regs regs;
	struct tguest g;

	memset(r, 0, sizeof(*r));
	start(&g, engine, hot, g_fault, sizeof(g_fault));
	assert_int_equal(tg_get_regs(&g, &regs), 0);
	regs.rbx = TG_DATA;
	regs.rdi = UNMAPPED;
	regs.rdx = 0;
	assert_int_equal(tg_set_regs(&g, &regs), 0);
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(g.run->exit_reason, KVM_EXIT_HLT);
	assert_int_equal(tg_get_regs(&g, &regs), 0);
	assert_int_equal(tg_exception_at(regs.rip), 14);
	finish(&g, r);
}

static void test_fault(void **state)
{
	static const char *const hot[] = { "1", NULL };
	struct result ref, r;
	size_t i;

	(void)state;
	run_fault("ref", NULL, &ref);
	/* frame: error code, rip, cs, rflags, rsp, ss */
	assert_int_equal(ref.frame[1], TG_CODE + F_ADD);
	assert_int_equal(ref.regs.rax, (1 + 7) << 3);
	assert_int_equal(ref.regs.rdx, 49);
	assert_int_equal(ref.regs.rcx, 1);
	assert_int_equal(ref.frame[3] & 0x8d5, 0x44);	/* ZF PF of cmp */
	for (i = 0; i < 2; i++) {
		run_fault("jit", hot[i], &r);
		same(&ref, &r);
	}
}

/* ---- self-modifying code, and the VMM rewriting a hot routine ---- */

static void run_smc(const char *engine, const char *hot, struct result *r)
{
	static const uint8_t b77 = 0x77;
	struct kvm_regs regs;
	struct tguest g;

	memset(r, 0, sizeof(*r));
	start(&g, engine, hot, g_smc, sizeof(g_smc));
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(g.run->exit_reason, KVM_EXIT_IO);
	/* the VMM rewrites the hot routine's immediate, then runs it */
	tg_put(&g, TG_CODE + S_LATER + 4, &b77, 1);
	assert_int_equal(tg_get_regs(&g, &regs), 0);
	regs.rip = TG_CODE + S_AGAIN;
	assert_int_equal(tg_set_regs(&g, &regs), 0);
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(g.run->exit_reason, KVM_EXIT_IO);
	finish(&g, r);
}

static void test_smc(void **state)
{
	static const char *const hot[] = { "1", NULL };
	uint64_t r8 = 0, r9 = 0;
	struct result ref, r;
	uint32_t c;
	size_t i;

	(void)state;
	for (c = 40; c; c--) {
		r8 += 0x11111100u | ((c + 1) & 0xff);
		r9 += (0x01000000u + c) ^ 0x5a;
	}
	r9 += 0x01000044u ^ 0x5a;
	run_smc("ref", NULL, &ref);
	assert_int_equal(ref.regs.r8, r8);
	assert_int_equal(ref.regs.r9, r9);
	assert_int_equal(ref.regs.r10, 0x01770044u ^ 0x5a);
	for (i = 0; i < 2; i++) {
		run_smc("jit", hot[i], &r);
		same(&ref, &r);
	}
}

/* ---- MMIO in the middle of a JIT block ---- */

static void run_mmio(const char *engine, const char *hot, struct result *r)
{
	uint64_t pde = MMIO | 0x87;	/* P W U PS: 2 MiB..4 MiB */
	struct kvm_regs regs;
	struct tguest g;

	memset(r, 0, sizeof(*r));
	start(&g, engine, hot, g_mmio, sizeof(g_mmio));
	memcpy(g.mem + TG_PD + 8, &pde, 8);
	assert_int_equal(tg_get_regs(&g, &regs), 0);
	regs.rsi = MMIO + 0x40;
	assert_int_equal(tg_set_regs(&g, &regs), 0);
	for (;;) {
		struct kvm_run *run = g.run;
		uint32_t v = 0;

		assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_RUN, NULL), 0);
		if (run->exit_reason == KVM_EXIT_IO)
			break;
		assert_int_equal(run->exit_reason, KVM_EXIT_MMIO);
		assert_true(r->nmmio < MAX_MMIO);
		assert_int_equal(run->mmio.len, 4);
		assert_int_equal(run->mmio.phys_addr,
				 MMIO + 0x40 + (run->mmio.is_write ? 0 : 8));
		assert_int_equal(tg_get_regs(&g, &regs), 0);
		r->mmio_rip[r->nmmio] = regs.rip;
		if (run->mmio.is_write) {
			memcpy(&v, run->mmio.data, 4);
			r->mmio_val[r->nmmio] = v;
		} else {
			v = 1000u + (uint32_t)r->nmmio;
			memcpy(run->mmio.data, &v, 4);
		}
		r->nmmio++;
	}
	finish(&g, r);
}

static void test_mmio(void **state)
{
	static const char *const hot[] = { "1", NULL };
	struct result ref, r;
	uint64_t r8 = 0, r9 = 0;
	uint32_t c;
	size_t i;

	(void)state;
	run_mmio("ref", NULL, &ref);
	assert_int_equal(ref.nmmio, 60);
	for (c = 30; c; c--) {
		r8 += c + 3;
		r9 += 1000 + 2 * (30 - c) + 1;
		assert_int_equal(ref.mmio_val[2 * (30 - c)], c + 3);
	}
	assert_int_equal(ref.regs.r8, r8);
	assert_int_equal(ref.regs.r9, r9);
	for (i = 0; i < 2; i++) {
		run_mmio("jit", hot[i], &r);
		same(&ref, &r);
	}
}

/* ---- interrupts between blocks of a hot loop ---- */

struct stopper {
	struct tguest *g;
	uint64_t until;		/* stop once the guest's counter is here */
};

/* Wait for the guest to count to s->until, then stop its KVM_RUN. */
static void *stop_later(void *arg)
{
	struct stopper *s = arg;
	const uint64_t *count = (const uint64_t *)(s->g->mem + TG_DATA);

	while (__atomic_load_n(count, __ATOMIC_RELAXED) < s->until)
		sched_yield();
	__atomic_store_n(&s->g->run->immediate_exit, 1, __ATOMIC_RELAXED);
	return NULL;
}

/* A 64-bit interrupt gate for VEC and an IDT limit that covers it. */
static void add_gate(struct tguest *g)
{
	uint64_t lo = (HANDLER & 0xffff) | (0x8ULL << 16) | (0x8eULL << 40) |
		      ((HANDLER >> 16 & 0xffff) << 48), hi = 0;
	struct kvm_sregs s;

	memcpy(g->mem + TG_IDT + 16 * VEC, &lo, 8);
	memcpy(g->mem + TG_IDT + 16 * VEC + 8, &hi, 8);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	s.idt.limit = 256 * 16 - 1;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_SREGS, &s), 0);
}

static uint64_t xor_upto(uint64_t n)
{
	uint64_t x = 0, k;

	for (k = 1; k <= n; k++)
		x ^= k;
	return x;
}

/* Stopped between two instructions: the loop's invariants hold. */
static void check_boundary(const struct kvm_regs *r, uint64_t count)
{
	assert_true(r->rip >= TG_CODE && r->rip < TG_CODE + sizeof(g_irq));
	if (r->rip == TG_CODE + I_MOV) {	/* added, not yet stored */
		assert_int_equal(count, r->rax - 1);
		assert_int_equal(r->rdx, xor_upto(r->rax - 1));
	} else {
		assert_int_equal(count, r->rax);
	}
}

static void one_interrupt(struct tguest *g, uint64_t until, uint64_t k)
{
	struct kvm_interrupt irq = { .irq = VEC };
	struct stopper s = { g, until };
	struct kvm_regs regs;
	uint64_t count;
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, stop_later, &s), 0);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), -1);
	assert_int_equal(errno, EINTR);
	pthread_join(t, NULL);
	g->run->immediate_exit = 0;
	memcpy(&count, g->mem + TG_DATA, 8);
	assert_int_equal(tg_get_regs(g, &regs), 0);
	check_boundary(&regs, count);
	/* taken at the boundary where the loop stopped */
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_INTERRUPT, &irq), 0);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(g->run->exit_reason, KVM_EXIT_IO);
	assert_int_equal(g->run->io.port, VEC);
	memcpy(&count, g->mem + TG_KSTACK_TOP - 40, 8);
	assert_int_equal(count, regs.rip);
	assert_int_equal(tg_get_regs(g, &regs), 0);
	assert_int_equal(regs.r10, k);
}

static void run_irq(const char *hot)
{
	struct kvm_regs regs;
	struct tguest g;
	uint64_t count, k;

	start(&g, "jit", hot, g_irq, sizeof(g_irq));
	tg_put(&g, HANDLER, g_handler, sizeof(g_handler));
	add_gate(&g);
	assert_int_equal(tg_get_regs(&g, &regs), 0);
	regs.rbx = TG_DATA;
	regs.rax = regs.rdx = regs.r10 = 0;
	regs.rflags |= 0x200;			/* IF */
	assert_int_equal(tg_set_regs(&g, &regs), 0);
	for (k = 1; k <= 3; k++)
		one_interrupt(&g, k * 20000, k);
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(g.run->exit_reason, KVM_EXIT_IO);
	assert_int_equal(g.run->io.port, 0xe9);
	assert_int_equal(tg_get_regs(&g, &regs), 0);
	memcpy(&count, g.mem + TG_DATA, 8);
	assert_int_equal(count, regs.rax);
	assert_true(regs.rax >= 60000);
	assert_int_equal(regs.rdx, xor_upto(regs.rax));
	assert_int_equal(regs.r10, 3);
	tg_destroy(&g);
}

static void test_irq(void **state)
{
	(void)state;
	run_irq("1");
	run_irq(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault),
		cmocka_unit_test(test_smc),
		cmocka_unit_test(test_mmio),
		cmocka_unit_test(test_irq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
