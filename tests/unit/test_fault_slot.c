// SPDX-License-Identifier: MIT
/*
 * A guest access to a memory slot whose host memory is not accessible
 * (PROT_NONE here; unmapped is the same) fails KVM_RUN with EFAULT instead
 * of crashing the program, and works once the program fixes the mapping.
 * Run on kvmu, and on /dev/kvm when it is usable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/kvm.h>

#include "kvmu/kvmu.h"

#define BAD_GPA 0x10000UL

/* mov ax,0x1000; mov ds,ax; mov al,[0]; hlt  (reads gpa 0x10000) */
static const uint8_t code[] = { 0xb8, 0x00, 0x10, 0x8e, 0xd8, 0xa0, 0x00,
				0x00, 0xf4 };

struct backend {
	int (*open)(void);
	int (*ioctl)(int fd, unsigned long req, void *arg);
};

static int kvmu_open_x86(void) { return kvmu_open(KVMU_ARCH_X86_64, 0); }
static int kvmu_call(int fd, unsigned long r, void *a)
{
	return kvmu_ioctl(fd, r, a);
}
static int kvm_open_dev(void) { return open("/dev/kvm", O_RDWR | O_CLOEXEC); }
static int kvm_call(int fd, unsigned long r, void *a) { return ioctl(fd, r, a); }

static int add_slot(const struct backend *be, int vm, int id, uint64_t gpa,
		    void *hva, uint64_t size)
{
	struct kvm_userspace_memory_region r = {
		.slot = (uint32_t)id, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uint64_t)hva,
	};

	return be->ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r);
}

static void set_real_mode(const struct backend *be, int vcpu)
{
	struct kvm_sregs sr;
	struct kvm_regs regs;

	assert_int_equal(be->ioctl(vcpu, KVM_GET_SREGS, &sr), 0);
	sr.cs.base = 0;
	sr.cs.selector = 0;
	assert_int_equal(be->ioctl(vcpu, KVM_SET_SREGS, &sr), 0);
	memset(&regs, 0, sizeof(regs));
	regs.rip = 0x1000;
	regs.rflags = 2;
	assert_int_equal(be->ioctl(vcpu, KVM_SET_REGS, &regs), 0);
}

static void check(const struct backend *be)
{
	uint8_t *ram, *bad;
	struct kvm_run *run;
	int sys, vm, vcpu;

	sys = be->open();
	if (sys < 0) {
		assert_ptr_not_equal(be->open, kvmu_open_x86);
		return;		/* no /dev/kvm here: nothing to compare */
	}
	vm = be->ioctl(sys, KVM_CREATE_VM, 0);
	assert_true(vm >= 0);
	ram = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bad = mmap(NULL, 0x1000, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		   0);
	assert_true(ram != MAP_FAILED && bad != MAP_FAILED);
	memcpy(ram + 0x1000, code, sizeof(code));
	assert_int_equal(add_slot(be, vm, 0, 0, ram, 0x10000), 0);
	assert_int_equal(add_slot(be, vm, 1, BAD_GPA, bad, 0x1000), 0);
	vcpu = be->ioctl(vm, KVM_CREATE_VCPU, 0);
	assert_true(vcpu >= 0);
	run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	assert_true(run != MAP_FAILED);
	set_real_mode(be, vcpu);
	if (be->open == kvm_open_dev && access("/sys/module/kvm_pvm", F_OK) == 0) {
		/*
		 * kvm_pvm runs this code in KVM's instruction emulator, whose
		 * failed guest read becomes MMIO; KVM on VT-x/AMD-V faults the
		 * page in and fails with EFAULT.  docs/kvm-pvm-deviations.md.
		 */
		assert_int_equal(be->ioctl(vcpu, KVM_RUN, NULL), 0);
		assert_int_equal(run->exit_reason, KVM_EXIT_MMIO);
		assert_int_equal(run->mmio.phys_addr, BAD_GPA);
		goto out;
	}
	assert_int_equal(be->ioctl(vcpu, KVM_RUN, NULL), -1);
	assert_int_equal(errno, EFAULT);
	/* the program repairs its mapping: the access now succeeds */
	assert_int_equal(mprotect(bad, 0x1000, PROT_READ | PROT_WRITE), 0);
	bad[0] = 0x5a;
	assert_int_equal(be->ioctl(vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(run->exit_reason, KVM_EXIT_HLT);
out:
	munmap(run, 4096);
	close(vcpu);
	close(vm);
	close(sys);
	munmap(ram, 0x10000);
	munmap(bad, 0x1000);
}

static void test_kvmu(void **state)
{
	static const struct backend be = { kvmu_open_x86, kvmu_call };

	(void)state;
	check(&be);
}

static void test_kernel(void **state)
{
	static const struct backend be = { kvm_open_dev, kvm_call };

	(void)state;
	check(&be);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kvmu),
		cmocka_unit_test(test_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
