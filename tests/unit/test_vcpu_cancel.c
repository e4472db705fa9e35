// SPDX-License-Identifier: MIT
/*
 * A vCPU thread cancelled asynchronously inside KVM_RUN (as the KVM
 * selftest xapic_ipi_test does before kvm_vm_free): a memslot change
 * afterwards must not wait for that vCPU to acknowledge it.  Before the
 * fix the deletion below spun forever (the runner's timeout fails it).
 */
#include <pthread.h>
#include <sched.h>

#include "x86_int_util.h"

struct spin {
	struct tguest *g;
};

static void *spin_thread(void *p)
{
	struct tguest *g = ((struct spin *)p)->g;

	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, NULL);
	for (;;)
		tg_ioctl(g, g->vcpu, KVM_RUN, NULL);
	return NULL;
}

static void test_cancel_in_run(void **state)
{
	/* 1: incl TG_DATA; jmp 1b */
	static const uint8_t c[] = { 0xff, 0x04, 0x25, 0x00, 0x00, 0x04, 0x00,
				     0xeb, 0xf7 };
	struct tguest *g = *state;
	struct kvm_userspace_memory_region r = { .slot = 0 };
	struct kvm_regs regs = { .rip = TG_CODE, .rsp = TG_STACK_TOP,
				 .rflags = 2 };
	struct spin s = { .g = g };
	volatile uint32_t *count = (volatile uint32_t *)(g->mem + TG_DATA);
	pthread_t t;
	void *ret;

	tg_put(g, TG_CODE, c, sizeof(c));
	*count = 0;
	assert_int_equal(tg_set_regs(g, &regs), 0);
	assert_int_equal(pthread_create(&t, NULL, spin_thread, &s), 0);
	/*
	 * Cancel once the loop has gone round many times: the thread is then
	 * in KVM_RUN's steady state, not inside the allocator translating
	 * the loop (an asynchronous cancel there leaves the allocator's lock
	 * held, and the sanitizers' exit-time leak check waits on it forever).
	 */
	while (*count < 100000)
		sched_yield();
	assert_int_equal(pthread_cancel(t), 0);
	assert_int_equal(pthread_join(t, &ret), 0);
	assert_ptr_equal(ret, PTHREAD_CANCELED);
	assert_int_equal(tg_ioctl(g, g->vm, KVM_SET_USER_MEMORY_REGION, &r),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cancel_in_run, xi_setup,
						xi_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
