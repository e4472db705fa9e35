// SPDX-License-Identifier: MIT
/*
 * KVM_CREATE_VCPU whose mapping of the new vCPU's memfd fails: the ioctl
 * fails with the mmap's errno, the VM lives on (its other vCPU still runs)
 * and the same id can be created afterwards.  Before the fix the close of
 * the unmapped memfd let the reap destroy the half-made vCPU (and drop its
 * VM reference), then KVM_CREATE_VCPU freed it again: a double free.
 *
 * The fault is injected by this program's own mmap(), which the library
 * (linked statically into it) calls instead of libc's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "x86_int_util.h"

/* Fail the next mmap of a descriptor (not anonymous memory) with ENOMEM. */
static volatile int fail_fd_mmap;

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	if (fd >= 0 && __atomic_exchange_n(&fail_fd_mmap, 0, __ATOMIC_SEQ_CST)) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

static void test_mmap_fails(void **state)
{
	struct tguest *g = *state;
	struct kvm_regs r = { .rflags = 2 };
	static const uint8_t nop = 0x90;
	int i, fd;

	/* twice: a wrongly dropped VM reference shows the second time */
	for (i = 0; i < 2; i++) {
		fail_fd_mmap = 1;
		errno = 0;
		assert_int_equal(tg_ioctl(g, g->vm, KVM_CREATE_VCPU,
					  (void *)1UL), -1);
		assert_int_equal(errno, ENOMEM);
		assert_int_equal(fail_fd_mmap, 0);
		/* the VM and its first vCPU are intact */
		assert_int_equal(xi_run(g, &nop, 1, &r), -1);
	}
	fd = tg_ioctl(g, g->vm, KVM_CREATE_VCPU, (void *)1UL);
	assert_true(fd >= 0);
	assert_int_equal(tg_ioctl(g, g->vm, KVM_CREATE_VCPU, (void *)1UL), -1);
	assert_int_equal(errno, EEXIST);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mmap_fails, xi_setup,
						xi_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
