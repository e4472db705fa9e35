// SPDX-License-Identifier: MIT
/*
 * Self-modifying code and code the VMM rewrites: the guest patches the
 * instruction that follows a store in the same translated block, and a
 * routine it has already run (a later, cached block); then the VMM
 * rewrites that routine through its own mapping between two KVM_RUNs.
 * Every patched instruction must run as patched.  Run on kvmu with each
 * execution engine (KVMU_ENGINE=block, interp), and on /dev/kvm when it is
 * usable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "x86_guest.h"

/*
 *  0: xor edx,edx             13: loop: call later     27: again: call later
 *  2: mov ecx,2               18: add edx,ebx          2c: out 0xe9,al
 *  7: mov byte [patch1+1],0x22  1a: mov byte [later+1],0x44
 *  e: patch1: mov eax,0x11111111 21: dec ecx; jnz loop  2e: later:
 *                             25: out 0xe9,al              mov ebx,0x01000000
 *                                                      33: ret
 */
static const uint8_t code[] = {
	0x31, 0xd2, 0xb9, 0x02, 0x00, 0x00, 0x00,
	0xc6, 0x05, 0x01, 0x00, 0x00, 0x00, 0x22,
	0xb8, 0x11, 0x11, 0x11, 0x11,
	0xe8, 0x16, 0x00, 0x00, 0x00, 0x01, 0xda,
	0xc6, 0x05, 0x0e, 0x00, 0x00, 0x00, 0x44,
	0xff, 0xc9, 0x75, 0xee, 0xe6, 0xe9,
	0xe8, 0x02, 0x00, 0x00, 0x00, 0xe6, 0xe9,
	0xbb, 0x00, 0x00, 0x00, 0x01, 0xc3,
};
#define AGAIN	0x27
#define LATER	0x2e

static void run_out(struct tguest *g)
{
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(g->run->exit_reason, KVM_EXIT_IO);
	assert_int_equal(g->run->io.port, 0xe9);
}

static void check_backend(const struct tg_backend *be, const char *engine)
{
	static const uint8_t later[] = { 0xbb, 0x78, 0x56, 0x34, 0x12 };
	struct kvm_regs regs;
	struct tguest g;

	if (engine)
		setenv("KVMU_ENGINE", engine, 1); /* read by vCPU creation */
	if (tg_create(&g, be) < 0) {
		assert_ptr_equal(be, &tg_kvm); /* only /dev/kvm may lack */
		return;
	}
	tg_put(&g, TG_CODE, code, sizeof(code));
	assert_int_equal(tg_user_mode(&g, TG_CODE, TG_STACK_TOP), 0);
	run_out(&g);
	assert_int_equal(tg_get_regs(&g, &regs), 0);
	assert_int_equal(regs.rax, 0x11111122);		/* same block */
	assert_int_equal(regs.rbx, 0x01000044);		/* later block */
	assert_int_equal(regs.rdx, 0x02000044);
	assert_int_equal(regs.rcx, 0);
	/* the VMM rewrites "later" and runs it again */
	tg_put(&g, TG_CODE + LATER, later, sizeof(later));
	regs.rip = TG_CODE + AGAIN;
	assert_int_equal(tg_set_regs(&g, &regs), 0);
	run_out(&g);
	assert_int_equal(tg_get_regs(&g, &regs), 0);
	assert_int_equal(regs.rbx, 0x12345678);
	/* from the start again, after a VMM write the guest then undoes */
	tg_put(&g, TG_CODE + 0xf, "\x33", 1);
	regs.rip = TG_CODE;
	assert_int_equal(tg_set_regs(&g, &regs), 0);
	run_out(&g);
	assert_int_equal(tg_get_regs(&g, &regs), 0);
	assert_int_equal(regs.rax, 0x11111122);
	assert_int_equal(regs.rbx, 0x12345644);
	assert_int_equal(regs.rdx, 0x2468acbc);
	tg_destroy(&g);
}

static void test_block(void **state)
{
	(void)state;
	check_backend(&tg_kvmu, "block");
}

static void test_interp(void **state)
{
	(void)state;
	check_backend(&tg_kvmu, "interp");
}

static void test_kernel(void **state)
{
	(void)state;
	check_backend(&tg_kvm, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block),
		cmocka_unit_test(test_interp),
		cmocka_unit_test(test_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
