// SPDX-License-Identifier: MIT
/*
 * One TSC per VM: vCPUs created at different times, and vCPUs whose TSC
 * the VMM resets to 0 one after the other (QEMU does it at every reset),
 * read one clock, as kvm_synchronize_tsc makes them; and
 * KVM_GET_SUPPORTED_CPUID reports the invariant TSC (0x80000007 EDX bit
 * 8) exactly when the host has it, as KVM does, so that Linux on two
 * vCPUs does not mark the TSC unstable.  Ordering checks only: a TSC read
 * on one vCPU between two reads on another lies between them.
 */
#include <cpuid.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "kvmu/kvmu.h"
#include "x86_guest.h"

#define MSR_TSC		0x10

static uint64_t tsc_of(int vcpu)
{
	struct { struct kvm_msrs h; struct kvm_msr_entry e; } m = {
		.h.nmsrs = 1, .e.index = MSR_TSC };

	assert_int_equal(kvmu_ioctl(vcpu, KVM_GET_MSRS, &m), 1);
	return m.e.data;
}

static void set_tsc(int vcpu, uint64_t v)
{
	struct { struct kvm_msrs h; struct kvm_msr_entry e; } m = {
		.h.nmsrs = 1, .e.index = MSR_TSC, .e.data = v };

	assert_int_equal(kvmu_ioctl(vcpu, KVM_SET_MSRS, &m), 1);
}

/* a's TSC, then b's, then a's again: one clock means b's is between. */
static void assert_one_clock(int a, int b)
{
	uint64_t t0 = tsc_of(a), t1 = tsc_of(b), t2 = tsc_of(a);

	assert_true(t0 <= t1);
	assert_true(t1 <= t2);
}

static void test_created_apart(void **state)
{
	struct tguest g;
	int v1;

	(void)state;
	assert_int_equal(tg_create(&g, &tg_kvmu), 0);
	/* unsynchronised, vCPU 1 would read less: it started at 0 later */
	while (tsc_of(g.vcpu) < 1000000)
		;
	v1 = kvmu_ioctl(g.vm, KVM_CREATE_VCPU, 1);
	assert_true(v1 >= 0);
	assert_one_clock(g.vcpu, v1);
	assert_one_clock(v1, g.vcpu);

	/* a VMM's reset writes 0 to each in turn: they stay together */
	set_tsc(g.vcpu, 0);
	while (tsc_of(g.vcpu) < 1000000)
		;
	set_tsc(v1, 0);
	assert_one_clock(g.vcpu, v1);
	assert_one_clock(v1, g.vcpu);
	close(v1);
	tg_destroy(&g);
}

static void test_invariant_tsc_cpuid(void **state)
{
	unsigned int a, b, c, d, host = 0;
	uint32_t out[4];
	struct tguest g;

	(void)state;
	if (__get_cpuid(0x80000000, &a, &b, &c, &d) && a >= 0x80000007) {
		__cpuid(0x80000007, a, b, c, d);
		host = d & (1U << 8);
	}
	assert_int_equal(tg_create(&g, &tg_kvmu), 0);
	assert_int_equal(tg_supported_cpuid(&g, 0x80000007, 0, out), 0);
	assert_int_equal(out[3] & (1U << 8), host);
	/* and leaf 0x80000000 covers it */
	assert_int_equal(tg_supported_cpuid(&g, 0x80000000, 0, out), 0);
	assert_true(out[0] >= 0x80000007);
	tg_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_created_apart),
		cmocka_unit_test(test_invariant_tsc_cpuid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
