// SPDX-License-Identifier: MIT
/*
 * kvmclock as kvm-unit-tests' kvmclock_test reads it, without
 * kvm-unit-tests: three vCPUs on three threads read their own pvclock
 * page in a loop (version protocol, RDTSC, the guest's scale arithmetic)
 * and check every reading against the largest any vCPU has published, so
 * a clock that goes back on one vCPU, or jumps, is seen.  The first test
 * must create the process's first VM: kvmu once took that VM's clock
 * base from a TSC read older than its own calibration, and every reading
 * was ~2^63 ns (kvmclock_test's "warp of -8.8e18").  Ordering and bounds
 * only: a reading lies between KVM_GET_CLOCK before and after the run.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "kvmu/kvmu.h"
#include "x86_guest.h"

#define MSR_KVM_WALL_CLOCK_NEW	0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01
#define WALL_CLOCK		(TG_DATA + 0x300)
#define NR_VCPUS		3
#define LOOPS			20000
/* 4-aligned, not 32, as kvm-unit-tests places them */
#define PVCLOCK(i)		(TG_DATA + 0x20 * (i) + 0x0c)
#define SHARED_MAX		(TG_DATA + 0x100)
#define WARPS(i)		(TG_DATA + 0x200 + 0x20 * (i))
/* a bound no sane clock of a VM made seconds ago reaches: one hour */
#define SANE_NS			3600000000000ULL

/*
 * rbx: pvclock page, rsi: shared maximum, rdi: warp record, r12: loops.
 * loop: r9 = [rsi]; read the clock (retry while the version is odd or
 * changed); below r9: count a warp and keep (r9, t); publish t as the
 * maximum with LOCK CMPXCHG; dec r12; jnz loop; hlt
 */
static const uint8_t reader[] = {
	0x4c, 0x8b, 0x0e, 0x44, 0x8b, 0x13, 0x41, 0xf7, 0xc2, 0x01, 0x00, 0x00,
	0x00, 0x75, 0xf4, 0x0f, 0xae, 0xe8, 0x0f, 0x31, 0x48, 0xc1, 0xe2, 0x20,
	0x48, 0x09, 0xd0, 0x48, 0x2b, 0x43, 0x08, 0x0f, 0xbe, 0x4b, 0x1c, 0x85,
	0xc9, 0x78, 0x05, 0x48, 0xd3, 0xe0, 0xeb, 0x05, 0xf7, 0xd9, 0x48, 0xd3,
	0xe8, 0x8b, 0x53, 0x18, 0x48, 0xf7, 0xe2, 0x48, 0x0f, 0xac, 0xd0, 0x20,
	0x48, 0x03, 0x43, 0x10, 0x0f, 0xae, 0xe8, 0x44, 0x3b, 0x13, 0x75, 0xbb,
	0x4c, 0x39, 0xc8, 0x73, 0x0b, 0x48, 0xff, 0x07, 0x4c, 0x89, 0x4f, 0x08,
	0x48, 0x89, 0x47, 0x10, 0x49, 0x89, 0xc5, 0x48, 0x8b, 0x06, 0x49, 0x39,
	0xc5, 0x76, 0x07, 0xf0, 0x4c, 0x0f, 0xb1, 0x2e, 0x75, 0xf4, 0x49, 0xff,
	0xcc, 0x75, 0x91, 0xf4,
};

struct runner {
	struct tguest *g;
	int vcpu;
	struct kvm_run *run;
	int exit;
};

static struct tguest guest;
static bool have_guest;

static uint64_t vm_clock(struct tguest *g)
{
	struct kvm_clock_data d;

	memset(&d, 0, sizeof(d));
	assert_int_equal(tg_ioctl(g, g->vm, KVM_GET_CLOCK, &d), 0);
	return d.clock;
}

static uint64_t get64(struct tguest *g, uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, g->mem + gpa, 8);
	return v;
}

static void put64(struct tguest *g, uint64_t gpa, uint64_t v)
{
	memcpy(g->mem + gpa, &v, 8);
}

/* Must run first: this VM is the first the process creates. */
static void test_first_vm_clock(void **state)
{
	uint64_t c;

	(void)state;
	assert_int_equal(tg_create(&guest, &tg_kvmu), 0);
	have_guest = true;
	c = vm_clock(&guest);
	/* a new VM's kvmclock starts at 0 (kvm_arch_init_vm) */
	assert_true(c < SANE_NS);
}

static void *run_thread(void *p)
{
	struct runner *r = p;

	r->exit = -1;
	if (tg_ioctl(r->g, r->vcpu, KVM_RUN, NULL) == 0)
		r->exit = (int)r->run->exit_reason;
	return NULL;
}

static void setup_vcpu(struct tguest *g, struct runner *r, int i,
		       const struct kvm_sregs *s)
{
	struct kvm_regs regs = {
		.rip = TG_CODE, .rsp = TG_STACK_TOP - 0x1000UL * i,
		.rflags = 2, .rbx = PVCLOCK(i), .rsi = SHARED_MAX,
		.rdi = WARPS(i), .r12 = LOOPS };
	struct { struct kvm_msrs h; struct kvm_msr_entry e; } m = {
		.h.nmsrs = 1, .e.index = MSR_KVM_SYSTEM_TIME_NEW,
		.e.data = PVCLOCK(i) | 1 };

	r->g = g;
	if (i == 0) {
		r->vcpu = g->vcpu;
		r->run = g->run;
	} else {
		r->vcpu = tg_ioctl(g, g->vm, KVM_CREATE_VCPU, (void *)(long)i);
		assert_true(r->vcpu >= 0);
		r->run = mmap(NULL, g->run_size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, r->vcpu, 0);
		assert_true(r->run != MAP_FAILED);
	}
	assert_int_equal(tg_ioctl(g, r->vcpu, KVM_SET_SREGS, (void *)s), 0);
	assert_int_equal(tg_ioctl(g, r->vcpu, KVM_SET_REGS, &regs), 0);
	assert_int_equal(tg_ioctl(g, r->vcpu, KVM_SET_MSRS, &m), 1);
}

static void test_readers_monotonic(void **state)
{
	struct tguest *g = &guest;
	struct runner r[NR_VCPUS];
	pthread_t t[NR_VCPUS];
	struct kvm_sregs s;
	uint64_t c0, c1, max;
	int i;

	(void)state;
	assert_true(have_guest);
	assert_int_equal(tg_long_mode(g, TG_CODE, TG_STACK_TOP), 0);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	memset(g->mem + TG_DATA, 0, 0x400);
	tg_put(g, TG_CODE, reader, sizeof(reader));
	for (i = 0; i < NR_VCPUS; i++)
		setup_vcpu(g, &r[i], i, &s);
	/* every reading must be at least the clock before the run */
	c0 = vm_clock(g);
	put64(g, SHARED_MAX, c0);
	for (i = 0; i < NR_VCPUS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, run_thread,
						&r[i]), 0);
	for (i = 0; i < NR_VCPUS; i++)
		pthread_join(t[i], NULL);
	c1 = vm_clock(g);
	for (i = 0; i < NR_VCPUS; i++) {
		assert_int_equal(r[i].exit, KVM_EXIT_HLT);
		if (get64(g, WARPS(i)))
			print_error("vCPU %d: %llu warps, last %llu after %llu\n",
				    i, (unsigned long long)get64(g, WARPS(i)),
				    (unsigned long long)get64(g, WARPS(i) + 16),
				    (unsigned long long)get64(g, WARPS(i) + 8));
		assert_int_equal(get64(g, WARPS(i)), 0);
	}
	max = get64(g, SHARED_MAX);
	assert_true(max > c0);		/* the clock moved */
	assert_true(max <= c1);		/* and no reading jumped ahead */
	assert_true(c1 < SANE_NS);
	for (i = 1; i < NR_VCPUS; i++) {
		munmap(r[i].run, g->run_size);
		close(r[i].vcpu);
	}
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * The wall clock (boot time) plus kvmclock is the host's real time: it
 * lies between CLOCK_REALTIME read before and after (1 ms of slack for
 * the rounding of the two clocks, no speed involved).
 */
static void test_wall_clock(void **state)
{
	struct tguest *g = &guest;
	struct { struct kvm_msrs h; struct kvm_msr_entry e; } m = {
		.h.nmsrs = 1, .e.index = MSR_KVM_WALL_CLOCK_NEW,
		.e.data = WALL_CLOCK };
	uint64_t r0, r1, wall;
	uint32_t sec, nsec, ver;

	(void)state;
	assert_true(have_guest);
	r0 = realtime_ns();
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_MSRS, &m), 1);
	memcpy(&ver, g->mem + WALL_CLOCK, 4);
	memcpy(&sec, g->mem + WALL_CLOCK + 4, 4);
	memcpy(&nsec, g->mem + WALL_CLOCK + 8, 4);
	wall = (uint64_t)sec * 1000000000ULL + nsec + vm_clock(g);
	r1 = realtime_ns();
	assert_int_equal(ver & 1, 0);
	assert_true(nsec < 1000000000U);
	assert_true(wall + 1000000 >= r0);
	assert_true(wall <= r1 + 1000000);
}

/* KVM_SET_CLOCK moves every vCPU's reading, still one clock. */
static void test_set_clock_moves_pages(void **state)
{
	struct kvm_clock_data d = { .clock = 5000000000000ULL };
	struct tguest *g = &guest;
	struct runner r;
	struct kvm_sregs s;
	uint64_t c1;

	(void)state;
	assert_true(have_guest);
	assert_int_equal(tg_ioctl(g, g->vm, KVM_SET_CLOCK, &d), 0);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	memset(g->mem + TG_DATA, 0, 0x400);
	put64(g, SHARED_MAX, d.clock);
	setup_vcpu(g, &r, 0, &s);
	run_thread(&r);
	c1 = vm_clock(g);
	assert_int_equal(r.exit, KVM_EXIT_HLT);
	assert_int_equal(get64(g, WARPS(0)), 0);
	assert_true(get64(g, SHARED_MAX) > d.clock);
	assert_true(get64(g, SHARED_MAX) <= c1);
	tg_destroy(g);
	have_guest = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_vm_clock),
		cmocka_unit_test(test_readers_monotonic),
		cmocka_unit_test(test_wall_clock),
		cmocka_unit_test(test_set_clock_moves_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
