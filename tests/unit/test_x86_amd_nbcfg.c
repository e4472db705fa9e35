// SPDX-License-Identifier: MIT
/*
 * AMD's NB_CFG (0xc001001f), which Linux reads and writes on every CPU it
 * brings online (amd_bus_cpu_online): KVM reads it as 0 and drops writes;
 * kvmu refused both with #GP (an "unchecked MSR access error" trace per
 * CPU under kvmtool).  From the guest and from the host.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "kvmu/kvmu.h"
#include "x86_guest.h"

/*
 * mov ecx,0xc001001f; rdmsr; out 0x10,al;
 * mov edx,0x4000; xor eax,eax; wrmsr; rdmsr; out 0x11,al; hlt
 */
static const uint8_t code[] = {
	0xb9, 0x1f, 0x00, 0x01, 0xc0, 0x0f, 0x32, 0xe6, 0x10,
	0xba, 0x00, 0x40, 0x00, 0x00, 0x31, 0xc0, 0x0f, 0x30, 0x0f, 0x32,
	0xe6, 0x11, 0xf4,
};

static void test_nb_cfg(void **state)
{
	struct { struct kvm_msrs h; struct kvm_msr_entry e; } m = {
		.h.nmsrs = 1, .e.index = 0xc001001f, .e.data = 1ULL << 46 };
	struct kvm_regs r;
	struct tguest g;

	(void)state;
	assert_int_equal(tg_create(&g, &tg_kvmu), 0);
	assert_int_equal(tg_set_supported_cpuid(&g), 0);
	tg_put(&g, TG_CODE, code, sizeof(code));
	assert_int_equal(tg_long_mode(&g, TG_CODE, TG_STACK_TOP), 0);
	assert_int_equal(kvmu_ioctl(g.vcpu, KVM_RUN, 0), 0);
	assert_int_equal(g.run->exit_reason, KVM_EXIT_IO);
	assert_int_equal(g.run->io.port, 0x10);
	assert_int_equal(tg_get_regs(&g, &r), 0);
	assert_int_equal(r.rax, 0);
	assert_int_equal(r.rdx, 0);
	assert_int_equal(kvmu_ioctl(g.vcpu, KVM_RUN, 0), 0);
	assert_int_equal(g.run->io.port, 0x11);
	assert_int_equal(tg_get_regs(&g, &r), 0);
	assert_int_equal(r.rax, 0);
	assert_int_equal(r.rdx, 0);
	assert_int_equal(tg_run(&g, 4), KVM_EXIT_HLT);
	assert_int_equal(tg_get_regs(&g, &r), 0);
	assert_int_equal(r.rip, TG_CODE + sizeof(code));	/* no #GP */
	/* the host's KVM_SET/GET_MSRS: accepted, still 0 */
	assert_int_equal(kvmu_ioctl(g.vcpu, KVM_SET_MSRS, &m), 1);
	assert_int_equal(kvmu_ioctl(g.vcpu, KVM_GET_MSRS, &m), 1);
	assert_int_equal(m.e.data, 0);
	tg_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nb_cfg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
