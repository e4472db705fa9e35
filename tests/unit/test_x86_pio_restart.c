// SPDX-License-Identifier: MIT
/*
 * A port access pending in user space is dropped when the VMM moves the
 * guest before the next KVM_RUN (the kernel's complete_fast_pio_* compare
 * the linear RIP): the next KVM_RUN starts at the new RIP.  Run on kvmu,
 * and on /dev/kvm when it is usable.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "x86_guest.h"

/* out 0x10,al; out 0x11,al; out 0x12,al; out 0x13,al */
static const uint8_t code[] = { 0xe6, 0x10, 0xe6, 0x11, 0xe6, 0x12,
				0xe6, 0x13 };

static int run_once(struct tguest *g)
{
	if (tg_ioctl(g, g->vcpu, KVM_RUN, NULL) < 0)
		return -1;
	return (int)g->run->exit_reason;
}

static void check_backend(const struct tg_backend *be)
{
	struct kvm_regs regs;
	struct tguest g;

	if (tg_create(&g, be) < 0) {
		assert_ptr_equal(be, &tg_kvm);	/* only /dev/kvm may be absent */
		return;
	}
	tg_put(&g, TG_CODE, code, sizeof(code));
	assert_int_equal(tg_user_mode(&g, TG_CODE, TG_STACK_TOP), 0);
	assert_int_equal(run_once(&g), KVM_EXIT_IO);
	assert_int_equal(g.run->io.port, 0x10);
	/* move the guest to the third OUT while the first is pending */
	assert_int_equal(tg_get_regs(&g, &regs), 0);
	regs.rip = TG_CODE + 4;
	assert_int_equal(tg_set_regs(&g, &regs), 0);
	assert_int_equal(run_once(&g), KVM_EXIT_IO);
	assert_int_equal(g.run->io.port, 0x12);
	/* an untouched pending OUT completes and the guest goes on */
	assert_int_equal(run_once(&g), KVM_EXIT_IO);
	assert_int_equal(g.run->io.port, 0x13);
	tg_destroy(&g);
}

static void test_kvmu(void **state)
{
	(void)state;
	check_backend(&tg_kvmu);
}

static void test_kernel(void **state)
{
	(void)state;
	check_backend(&tg_kvm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kvmu),
		cmocka_unit_test(test_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
