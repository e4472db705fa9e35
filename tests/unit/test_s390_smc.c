// SPDX-License-Identifier: MIT
/*
 * Self-modifying code and code rewritten by the VMM on the s390x CPU,
 * with translated blocks and with the plain interpreter (KVMU_ENGINE,
 * read when the vCPU is created): a guest store into the running block,
 * a guest store into a routine it has already run (another page), and
 * the VMM rewriting, between two KVM_RUNs, code that the first run
 * reached through a direct link between blocks -- with a plain write
 * into its mapping and with KVM_S390_MEM_OP.  A stale block gives other
 * register values in each case (see docs/engine.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <cmocka.h>

#include "s390_test_util.h"

#define CODE	0x10000
#define NR_ENGINES	2

static const char *const engines[NR_ENGINES] = { "block", "interp" };

static struct s390vm *open_vm(const char *engine)
{
	struct s390vm *v = calloc(1, sizeof(*v));

	assert_non_null(v);
	assert_int_equal(setenv("KVMU_ENGINE", engine, 1), 0);
	assert_int_equal(s390vm_open(v), 0);
	return v;
}

static void close_vm(struct s390vm *v)
{
	s390vm_close(v);
	free(v);
	unsetenv("KVMU_ENGINE");
}

/* Run from the PSW in kvm_run to the guest's diag 0x501. */
static void run_to_stub(struct s390vm *v)
{
	assert_int_equal(s390_run(v), 0);
	assert_int_equal(v->run->exit_reason, KVM_EXIT_S390_SIEIC);
	assert_int_equal(v->run->s390_sieic.ipa, 0x8300);
	assert_int_equal(v->run->s390_sieic.ipb, 0x05010000);
}

static void start(struct s390vm *v, const char *src)
{
	assert_int_equal(s390_asm(v, CODE, src), 0);
	v->run->psw_mask = PSW_64;
	v->run->psw_addr = CODE;
}

/* The guest patches the instruction after its store, in the same block. */
static void test_patch_own_block(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NR_ENGINES; i++) {
		struct s390vm *v = open_vm(engines[i]);

		start(v, "larl %r1,target\n larl %r4,newins\n"
			 " l %r3,0(%r4)\n st %r3,0(%r1)\n"
			 "target: lghi %r2,1\n diag 0,0,0x501\n"
			 "newins: .long 0xa7290002\n");	/* lghi %r2,2 */
		run_to_stub(v);
		assert_int_equal(v->run->s.regs.gprs[2], 2);
		close_vm(v);
	}
}

/* The guest rewrites a routine (another page) it has already called. */
static void test_patch_routine(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NR_ENGINES; i++) {
		struct s390vm *v = open_vm(engines[i]);

		start(v, "lghi %r3,0\n brasl %r14,routine\n agr %r3,%r2\n"
			 " larl %r1,routine\n larl %r4,newins\n"
			 " l %r5,0(%r4)\n st %r5,0(%r1)\n"
			 " brasl %r14,routine\n agr %r3,%r2\n"
			 " diag 0,0,0x501\n"
			 "newins: .long 0xa7290009\n"	/* lghi %r2,9 */
			 " .org 0x1000\n"
			 "routine: lghi %r2,1\n br %r14\n");
		run_to_stub(v);
		assert_int_equal(v->run->s.regs.gprs[3], 1 + 9);
		close_vm(v);
	}
}

/*
 * Every run goes top -> body and stops at the diag in body; the second
 * run links top to body (all blocks exist after it).  The VMM then
 * rewrites body's first instruction, and the third run, which inserts no
 * block, must run the new one: the link from the second run is void.
 */
#define LOOP_SRC \
	"lghi %r3,0\n" \
	"top: j body\n" \
	" .org 0x40\n" \
	"body: lghi %r4,1\n agr %r3,%r4\n diag 0,0,0x501\n j top\n"

static void vmm_rewrite(bool memop)
{
	static const uint8_t lghi_r4_7[4] = { 0xa7, 0x49, 0x00, 0x07 };
	struct kvm_s390_mem_op m = { .gaddr = CODE + 0x40, .size = 4,
				     .op = KVM_S390_MEMOP_ABSOLUTE_WRITE,
				     .buf = (uintptr_t)lghi_r4_7 };
	size_t i;

	for (i = 0; i < NR_ENGINES; i++) {
		struct s390vm *v = open_vm(engines[i]);

		start(v, LOOP_SRC);
		run_to_stub(v);
		run_to_stub(v);
		assert_int_equal(v->run->s.regs.gprs[3], 2);
		if (memop)
			assert_int_equal(kvmu_ioctl(v->vm, KVM_S390_MEM_OP,
						    &m), 0);
		else
			memcpy(v->mem + CODE + 0x40, lghi_r4_7, 4);
		run_to_stub(v);
		assert_int_equal(v->run->s.regs.gprs[3], 2 + 7);
		close_vm(v);
	}
}

static void test_vmm_rewrite(void **state)
{
	(void)state;
	vmm_rewrite(false);
}

static void test_vmm_rewrite_memop(void **state)
{
	(void)state;
	vmm_rewrite(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_patch_own_block),
		cmocka_unit_test(test_patch_routine),
		cmocka_unit_test(test_vmm_rewrite),
		cmocka_unit_test(test_vmm_rewrite_memop),
	};

	if (!s390_have_toolchain()) {
		printf("SKIP: no s390x-linux-gnu-as\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
