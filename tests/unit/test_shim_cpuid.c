// SPDX-License-Identifier: MIT
/*
 * The shim's answer to a faulting cpuid (src/shim/cpuid.c), driven by a
 * hand-made SIGSEGV context because CPUID faulting may be missing on the
 * test machine: a kernel #GP (SI_KERNEL) at 0f a2 gets the host's CPUID
 * with VMX (Intel) or SVM (AMD) added, RIP moves by 2; anything else is
 * not answered and goes on to the previous handler.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "../../src/shim/cpuid.c"

#if defined(__x86_64__)
static const uint8_t insn[] = { 0x0f, 0xa2, 0x90 };

static void context(siginfo_t *si, ucontext_t *uc, int code, uint32_t leaf)
{
	memset(si, 0, sizeof(*si));
	memset(uc, 0, sizeof(*uc));
	si->si_signo = SIGSEGV;
	si->si_code = code;
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)insn;
	uc->uc_mcontext.gregs[REG_RAX] = leaf;
	uc->uc_mcontext.gregs[REG_RCX] = 0;
}

static void test_answers_with_virt_bit(void **state)
{
	uint32_t r[4], h[4];
	siginfo_t si;
	ucontext_t uc;
	greg_t *g = uc.uc_mcontext.gregs;

	(void)state;
	__cpuid(0, h[0], h[1], h[2], h[3]);
	host_vendor = vendor_of(h[1]);
	context(&si, &uc, SI_KERNEL, 0);
	assert_true(emulate(&si, &uc));
	assert_int_equal(g[REG_RIP], (greg_t)(uintptr_t)insn + 2);
	assert_int_equal(g[REG_RBX], h[1]);
	assert_int_equal(g[REG_RDX], h[3]);
	assert_int_equal(g[REG_RCX], h[2]);
	if (host_vendor == VENDOR_INTEL) {
		context(&si, &uc, SI_KERNEL, 1);
		assert_true(emulate(&si, &uc));
		assert_true(g[REG_RCX] & CPUID_VMX);
	} else if (host_vendor == VENDOR_AMD) {
		context(&si, &uc, SI_KERNEL, 0x80000001);
		assert_true(emulate(&si, &uc));
		assert_true(g[REG_RCX] & CPUID_SVM);
	}
	/* the bit follows the vendor, whatever the host has */
	host_vendor = VENDOR_INTEL;
	context(&si, &uc, SI_KERNEL, 1);
	assert_true(emulate(&si, &uc));
	__cpuid(1, r[0], r[1], r[2], r[3]);
	assert_int_equal((uint32_t)g[REG_RCX], r[2] | CPUID_VMX);
	assert_int_equal((uint32_t)g[REG_RAX], r[0]);
	host_vendor = VENDOR_AMD;
	context(&si, &uc, SI_KERNEL, 0x80000001);
	assert_true(emulate(&si, &uc));
	__cpuid(0x80000001, r[0], r[1], r[2], r[3]);
	assert_int_equal((uint32_t)g[REG_RCX], r[2] | CPUID_SVM);
	context(&si, &uc, SI_KERNEL, 1);	/* no VMX on AMD */
	assert_true(emulate(&si, &uc));
	__cpuid(1, r[0], r[1], r[2], r[3]);
	assert_int_equal((uint32_t)g[REG_RCX], r[2]);
}

static int chained;

static void prev_handler(int sig)
{
	chained = sig;
}

static void test_other_faults_chain(void **state)
{
	static const uint8_t other[] = { 0x0f, 0x0b };
	siginfo_t si;
	ucontext_t uc;

	(void)state;
	context(&si, &uc, SEGV_MAPERR, 1);	/* a page fault at 0f a2 */
	assert_false(emulate(&si, &uc));
	assert_int_equal(uc.uc_mcontext.gregs[REG_RIP],
			 (greg_t)(uintptr_t)insn);
	context(&si, &uc, SI_KERNEL, 1);
	uc.uc_mcontext.gregs[REG_RIP] = (greg_t)(uintptr_t)other;
	assert_false(emulate(&si, &uc));
	memset(&old_segv, 0, sizeof(old_segv));
	old_segv.sa_handler = prev_handler;
	on_segv(SIGSEGV, &si, &uc);
	assert_int_equal(chained, SIGSEGV);
}

static void test_switch_off(void **state)
{
	(void)state;
	setenv("KVMU_CPUID_FAULTING", "0", 1);
	assert_false(wanted());
	setenv("KVMU_CPUID_FAULTING", "1", 1);
	assert_true(wanted());
	unsetenv("KVMU_CPUID_FAULTING");
	assert_true(wanted());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_answers_with_virt_bit),
		cmocka_unit_test(test_other_faults_chain),
		cmocka_unit_test(test_switch_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
#else
int main(void)
{
	return 77;
}
#endif
