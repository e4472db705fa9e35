// SPDX-License-Identifier: MIT
/*
 * LOCK on kvmu: two vCPU threads hammer the same counters with LOCK INC
 * and LOCK ADD (aligned: host compare-and-swap; one that crosses a page:
 * the serialised fallback) and no update may be lost.  Then LOCK
 * CMPXCHG success and failure, and CMPXCHG16B with its alignment #GP.
 */
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "x86_int_util.h"

#define ITER 100000

/*
 * 0: lock inc qword [rbx]; lock add qword [rbx+8], 3;
 *    lock inc qword [rbx+0xffc]; dec ecx; jnz 0; hlt
 */
static const uint8_t hammer[] = {
	0xf0, 0x48, 0xff, 0x03,
	0xf0, 0x48, 0x83, 0x43, 0x08, 0x03,
	0xf0, 0x48, 0xff, 0x83, 0xfc, 0x0f, 0x00, 0x00,
	0xff, 0xc9,
	0x75, 0xea,
	0xf4,
};

struct runner {
	struct tguest *g;
	int vcpu;
	struct kvm_run *run;
	int exit;
};

static void *run_thread(void *p)
{
	struct runner *r = p;

	r->exit = -1;
	if (tg_ioctl(r->g, r->vcpu, KVM_RUN, NULL) == 0)
		r->exit = (int)r->run->exit_reason;
	return NULL;
}

static int second_vcpu(struct tguest *g, struct runner *r)
{
	struct kvm_regs regs = { .rip = TG_CODE, .rsp = TG_STACK_TOP - 0x1000,
				 .rflags = 2, .rbx = TG_DATA, .rcx = ITER };
	struct kvm_sregs s;

	r->g = g;
	r->vcpu = tg_ioctl(g, g->vm, KVM_CREATE_VCPU, (void *)1UL);
	if (r->vcpu < 0)
		return -1;
	r->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      r->vcpu, 0);
	if (r->run == MAP_FAILED)
		return -1;
	if (tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s) < 0 ||
	    tg_ioctl(g, r->vcpu, KVM_SET_SREGS, &s) < 0 ||
	    tg_ioctl(g, r->vcpu, KVM_SET_REGS, &regs) < 0)
		return -1;
	return 0;
}

static void test_lock_two_vcpus(void **state)
{
	struct tguest *g = *state;
	struct kvm_regs regs = { .rip = TG_CODE, .rsp = TG_STACK_TOP,
				 .rflags = 2, .rbx = TG_DATA, .rcx = ITER };
	struct runner r[2] = { { g, g->vcpu, g->run, 0 } };
	pthread_t t[2];
	uint64_t v[3];
	int i;

	memset(g->mem + TG_DATA, 0, 0x2000);
	tg_put(g, TG_CODE, hammer, sizeof(hammer));
	assert_int_equal(tg_set_regs(g, &regs), 0);
	assert_int_equal(second_vcpu(g, &r[1]), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, run_thread,
						&r[i]), 0);
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(r[i].exit, KVM_EXIT_HLT);
	}
	memcpy(&v[0], g->mem + TG_DATA, 8);
	memcpy(&v[1], g->mem + TG_DATA + 8, 8);
	memcpy(&v[2], g->mem + TG_DATA + 0xffc, 8);
	assert_int_equal(v[0], 2 * ITER);
	assert_int_equal(v[1], 6 * ITER);
	assert_int_equal(v[2], 2 * ITER);
	munmap(r[1].run, g->run_size);
	close(r[1].vcpu);
}

/* lock cmpxchg [rbx], ecx: equal stores ECX, different loads EAX. */
static void test_lock_cmpxchg(void **state)
{
	static const uint8_t c[] = { 0xf0, 0x0f, 0xb1, 0x0b };
	struct tguest *g = *state;
	struct kvm_regs r = { .rax = 5, .rcx = 9, .rbx = TG_DATA };
	uint32_t m = 5;

	memcpy(g->mem + TG_DATA, &m, 4);
	assert_int_equal(xi_run(g, c, sizeof(c), &r), -1);
	memcpy(&m, g->mem + TG_DATA, 4);
	assert_int_equal(m, 9);
	assert_true(r.rflags & FL_ZF);
	r.rax = 0xffffffff00000005ULL;
	r.rflags = 0;
	assert_int_equal(xi_run(g, c, sizeof(c), &r), -1);
	assert_int_equal(r.rax, 9);	/* loaded, zero-extended */
	assert_false(r.rflags & FL_ZF);
}

/* lock cmpxchg16b [rbx]: needs CPUID CX16 and a 16-byte aligned operand. */
static void test_cmpxchg16b(void **state)
{
	static const uint8_t c[] = { 0xf0, 0x48, 0x0f, 0xc7, 0x0b };
	struct tguest *g = *state;
	struct kvm_regs r = { .rax = 1, .rdx = 2, .rbx = 3, .rcx = 4 };
	uint64_t m[2] = { 1, 2 };
	uint32_t leaf1[4] = { 0 };

	assert_int_equal(tg_supported_cpuid(g, 1, 0, leaf1), 0);
	r.rbx = TG_DATA;
	r.rcx = 4;
	memcpy(g->mem + TG_DATA, m, 16);
	if (!(leaf1[2] & (1u << 13))) {
		assert_int_equal(xi_run(g, c, sizeof(c), &r), 6);
		return;
	}
	assert_int_equal(xi_run(g, c, sizeof(c), &r), -1);
	memcpy(m, g->mem + TG_DATA, 16);
	assert_int_equal(m[0], TG_DATA);	/* RBX */
	assert_int_equal(m[1], 4);		/* RCX */
	assert_true(r.rflags & FL_ZF);
	r.rbx = TG_DATA + 8;
	assert_int_equal(xi_run(g, c, sizeof(c), &r), 13);	/* #GP */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, xi_setup, xi_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_lock_two_vcpus), T(test_lock_cmpxchg),
		T(test_cmpxchg16b),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
