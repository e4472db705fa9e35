// SPDX-License-Identifier: MIT
/*
 * The machine around the x86 CPU, through the public API: the TSC and
 * IA32_TSC_ADJUST, KVM_GET/SET_TSC_KHZ, kvmclock and KVM_GET/SET_CLOCK,
 * MTRRs, machine checks, MSR_PLATFORM_INFO, SYNC_REGS, the MSR filter with
 * user-space exits, binary stats, MAX_VCPU_ID, the MMU page budget and the
 * KVM CPUID leaves.  Expected values are those of arch/x86/kvm/x86.c and
 * Documentation/virt/kvm/api.rst.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <x86intrin.h>

#include "x86_guest.h"
#include "kvmu/kvmu.h"

#define UNITY		(1ULL << 30)
#define MSR_TSC		0x10
#define MSR_TSC_ADJUST	0x3b
#define MSR_SFMASK	0xc0000084

static int setup(void **state)
{
	struct tguest *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	assert_int_equal(tg_create(g, &tg_kvmu), 0);
	assert_int_equal(tg_set_supported_cpuid(g), 0);
	assert_int_equal(tg_long_mode(g, TG_CODE, TG_STACK_TOP), 0);
	*state = g;
	return 0;
}

static int teardown(void **state)
{
	tg_destroy(*state);
	free(*state);
	return 0;
}

/* KVM_GET/SET_MSRS of one MSR: the ioctl's count (1 done, 0 refused). */
static int get_msr(struct tguest *g, uint32_t i, uint64_t *v)
{
	struct { struct kvm_msrs h; struct kvm_msr_entry e; } m = {
		.h.nmsrs = 1, .e.index = i };
	int r = kvmu_ioctl(g->vcpu, KVM_GET_MSRS, &m);

	*v = m.e.data;
	return r;
}

static int set_msr(struct tguest *g, uint32_t i, uint64_t v)
{
	struct { struct kvm_msrs h; struct kvm_msr_entry e; } m = {
		.h.nmsrs = 1, .e.index = i, .e.data = v };

	return kvmu_ioctl(g->vcpu, KVM_SET_MSRS, &m);
}

static uint64_t rounded(uint64_t v)
{
	return (v + UNITY / 2) & ~(UNITY - 1);
}

/* Run code from TG_CODE up to its HLT; returns the exit reason. */
static int run_code(struct tguest *g, const uint8_t *code, size_t n,
		    struct kvm_regs *r)
{
	tg_put(g, TG_CODE, code, n);
	g->mem[TG_CODE + n] = 0xf4;
	r->rip = TG_CODE;
	r->rsp = TG_STACK_TOP;
	r->rflags = 2;
	assert_int_equal(tg_set_regs(g, r), 0);
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_RUN, 0), 0);
	return (int)g->run->exit_reason;
}

static void test_tsc_and_adjust(void **state)
{
	static const uint8_t wrmsr[] = { 0x0f, 0x30 };
	struct tguest *g = *state;
	struct kvm_regs r = { 0 };
	uint64_t v;

	/* a new vCPU's TSC starts at 0 */
	assert_int_equal(get_msr(g, MSR_TSC, &v), 1);
	assert_int_equal(rounded(v), 0);
	assert_int_equal(get_msr(g, MSR_TSC_ADJUST, &v), 1);
	assert_int_equal(v, 0);
	/* guest write of the TSC moves TSC_ADJUST by the same amount */
	r.rcx = MSR_TSC;
	r.rax = (uint32_t)(4 * UNITY);
	r.rdx = (4 * UNITY) >> 32;
	assert_int_equal(run_code(g, wrmsr, sizeof(wrmsr), &r), KVM_EXIT_HLT);
	assert_int_equal(get_msr(g, MSR_TSC, &v), 1);
	assert_int_equal(rounded(v), 4 * UNITY);
	assert_int_equal(get_msr(g, MSR_TSC_ADJUST, &v), 1);
	assert_int_equal(rounded(v), 4 * UNITY);
	/* host write of the TSC leaves TSC_ADJUST alone */
	assert_int_equal(set_msr(g, MSR_TSC, 64 * UNITY), 1);
	assert_int_equal(get_msr(g, MSR_TSC_ADJUST, &v), 1);
	assert_int_equal(rounded(v), 4 * UNITY);
	/* host write of TSC_ADJUST leaves the TSC alone */
	assert_int_equal(set_msr(g, MSR_TSC_ADJUST, 7 * UNITY), 1);
	assert_int_equal(get_msr(g, MSR_TSC, &v), 1);
	assert_int_equal(rounded(v), 64 * UNITY);
	/* guest write of TSC_ADJUST moves the TSC */
	r.rcx = MSR_TSC_ADJUST;
	r.rax = (uint32_t)(9 * UNITY);
	r.rdx = (9 * UNITY) >> 32;
	assert_int_equal(run_code(g, wrmsr, sizeof(wrmsr), &r), KVM_EXIT_HLT);
	assert_int_equal(get_msr(g, MSR_TSC, &v), 1);
	assert_int_equal(rounded(v), 66 * UNITY);
}

static void test_tsc_khz(void **state)
{
	struct tguest *g = *state;
	int khz = kvmu_ioctl(g->vcpu, KVM_GET_TSC_KHZ, 0);

	assert_true(khz > 0);
	assert_int_equal(kvmu_ioctl(g->vm, KVM_GET_TSC_KHZ, 0), khz);
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_SET_TSC_KHZ, khz / 2), 0);
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_GET_TSC_KHZ, 0), khz / 2);
	/* 0 means the host's rate */
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_SET_TSC_KHZ, 0), 0);
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_GET_TSC_KHZ, 0), khz);
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_SET_TSC_KHZ, 0x7fffffff), -1);
	assert_int_equal(errno, EINVAL);
	/* the VM default only before the first vCPU */
	assert_int_equal(kvmu_ioctl(g->vm, KVM_SET_TSC_KHZ, 1000), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_tsc_offset_attr(void **state)
{
	struct tguest *g = *state;
	uint64_t off = 1ULL << 50, got = 0, v, t0, t1;
	struct kvm_device_attr a = { .group = KVM_VCPU_TSC_CTRL,
				     .attr = KVM_VCPU_TSC_OFFSET,
				     .addr = (uintptr_t)&off };

	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_HAS_DEVICE_ATTR, &a), 0);
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_SET_DEVICE_ATTR, &a), 0);
	a.addr = (uintptr_t)&got;
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_GET_DEVICE_ATTR, &a), 0);
	assert_int_equal(got, off);
	/* the guest TSC is the host's plus the offset (same rate) */
	t0 = __rdtsc();
	assert_int_equal(get_msr(g, MSR_TSC, &v), 1);
	t1 = __rdtsc();
	assert_true(v >= t0 + off && v <= t1 + off);
	a.attr = 1;
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_HAS_DEVICE_ATTR, &a), -1);
	assert_int_equal(errno, ENXIO);
	a.attr = KVM_VCPU_TSC_OFFSET;
	a.addr = 8;
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_GET_DEVICE_ATTR, &a), -1);
	assert_int_equal(errno, EFAULT);
}

static void test_kvmclock(void **state)
{
	static const uint8_t wrmsr[] = { 0x0f, 0x30 };
	struct tguest *g = *state;
	struct kvm_clock_data c = { .clock = 1000000000000ULL };
	struct kvm_regs r = { 0 };
	uint8_t *pv = g->mem + TG_DATA;
	uint32_t ver, mul;

	assert_int_equal(kvmu_ioctl(g->vm, KVM_SET_CLOCK, &c), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(kvmu_ioctl(g->vm, KVM_GET_CLOCK, &c), 0);
	assert_true(c.clock >= 1000000000000ULL);
	assert_int_equal(c.flags & (KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC),
			 KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC);
	c.flags = 0x100;
	assert_int_equal(kvmu_ioctl(g->vm, KVM_SET_CLOCK, &c), -1);
	assert_int_equal(errno, EINVAL);
	/* MSR_KVM_SYSTEM_TIME_NEW: the pvclock page, even version */
	r.rcx = 0x4b564d01;
	r.rax = TG_DATA | 1;
	assert_int_equal(run_code(g, wrmsr, sizeof(wrmsr), &r), KVM_EXIT_HLT);
	memcpy(&ver, pv, 4);
	memcpy(&mul, pv + 24, 4);
	assert_true(ver != 0 && !(ver & 1));
	assert_true(mul >= 0x80000000U);
	assert_int_equal(pv[29] & 1, 1);		/* TSC_STABLE */
}

static void test_mtrr_mce(void **state)
{
	struct tguest *g = *state;
	uint64_t v, cap = 0;

	assert_int_equal(get_msr(g, 0xfe, &v), 1);
	assert_int_equal(v, 0x508);
	assert_int_equal(set_msr(g, 0x200, 0x6), 1);	/* WB base */
	assert_int_equal(set_msr(g, 0x200, 0x2), 0);	/* type 2: reserved */
	assert_int_equal(set_msr(g, 0x201, 0x7ff), 0);	/* mask bits 0-10 */
	assert_int_equal(set_msr(g, 0x250, 0x0606060606060606ULL), 1);
	assert_int_equal(set_msr(g, 0x268, 0x0706060606060606ULL), 0);
	assert_int_equal(get_msr(g, 0x250, &v), 1);
	assert_int_equal(v, 0x0606060606060606ULL);

	assert_int_equal(kvmu_ioctl(g->sys, KVM_X86_GET_MCE_CAP_SUPPORTED,
				    &cap), 0);
	assert_true(cap & (1ULL << 8));			/* MCG_CTL_P */
	v = 0;
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_X86_SETUP_MCE, &v), -1);
	v = 33;
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_X86_SETUP_MCE, &v), -1);
	v = 10 | (1ULL << 8);
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_X86_SETUP_MCE, &v), 0);
	assert_int_equal(get_msr(g, 0x179, &v), 1);
	assert_int_equal(v, 10 | (1ULL << 8));
	assert_int_equal(get_msr(g, 0x400, &v), 1);	/* MC0_CTL */
	assert_int_equal(v, ~0ULL);
	assert_int_equal(set_msr(g, 0x400, 0x1234), 0);	/* not 0 or ~0 */
	assert_int_equal(set_msr(g, 0x401, 0x1234), 1);	/* host: status */
	assert_int_equal(get_msr(g, 0x428, &v), 0);	/* past bank 9 */
	assert_int_equal(set_msr(g, 0x17b, 5), 0);	/* MCG_CTL */
}

static void test_set_mce(void **state)
{
	struct tguest *g = *state;
	struct kvm_x86_mce m = { .bank = 1,
				 .status = (1ULL << 63) | (1ULL << 61),
				 .mcg_status = 5 };
	struct kvm_sregs s;
	struct kvm_regs r = { 0 };
	uint64_t v = 4 | (1ULL << 8);

	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_X86_SETUP_MCE, &v), 0);
	m.bank = 4;
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_X86_SET_MCE, &m), -1);
	assert_int_equal(errno, EINVAL);
	m.bank = 1;
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_GET_SREGS, &s), 0);
	s.cr4 |= 1ULL << 6;				/* CR4.MCE */
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_SET_SREGS, &s), 0);
	/* KVM_SET_REGS drops a pending exception: registers first */
	g->mem[TG_CODE] = 0xf4;
	r.rip = TG_CODE;
	r.rsp = TG_STACK_TOP;
	r.rflags = 2;
	assert_int_equal(tg_set_regs(g, &r), 0);
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_X86_SET_MCE, &m), 0);
	assert_int_equal(get_msr(g, 0x405, &v), 1);	/* MC1_STATUS */
	assert_int_equal(v, m.status);
	/* the uncorrected error is a #MC in the guest */
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_RUN, 0), 0);
	assert_int_equal(g->run->exit_reason, KVM_EXIT_HLT);
	assert_int_equal(tg_get_regs(g, &r), 0);
	assert_int_equal(tg_exception_at(r.rip), 18);
}

/* The batch QEMU 7.2 writes at vCPU reset (kvm_put_msrs), after SETUP_MCE. */
static void test_qemu_reset_batch(void **state)
{
	struct tguest *g = *state;
	struct { struct kvm_msrs h; struct kvm_msr_entry e[80]; } m;
	uint64_t cap = 10 | (1ULL << 8) | (1ULL << 24);
	uint32_t n = 0, i;

	memset(&m, 0, sizeof(m));
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_X86_SETUP_MCE, &cap), 0);
#define PUT(idx, val) (m.e[n].index = (idx), m.e[n++].data = (val))
	PUT(0x11, 0);
	PUT(0x12, 0);
	PUT(0x4b564d00, 0);
	PUT(0x4b564d01, 0);
	PUT(0x3b, 0);
	PUT(0x2ff, 0);
	PUT(0x250, 0);
	PUT(0x258, 0);
	PUT(0x259, 0);
	for (i = 0x268; i <= 0x26f; i++)
		PUT(i, 0);
	for (i = 0x200; i < 0x210; i++)
		PUT(i, 0);
	PUT(0x17a, 0);
	PUT(0x17b, ~0ULL);
	for (i = 0x400; i < 0x428; i++)
		PUT(i, (i & 3) == 0 ? ~0ULL : 0);
#undef PUT
	m.h.nmsrs = n;
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_SET_MSRS, &m), (int)n);
}

static void test_platform_info(void **state)
{
	struct tguest *g = *state;
	uint64_t v;

	assert_int_equal(set_msr(g, 0xce, 0x8000ff00ULL), 1);
	assert_int_equal(get_msr(g, 0xce, &v), 1);
	assert_int_equal(v, 0x8000ff00ULL);
}

static void test_sync_regs(void **state)
{
	static const uint8_t code[] = { 0x48, 0xff, 0xc0 };	/* inc rax */
	struct tguest *g = *state;
	struct kvm_regs r = { 0 };

	assert_int_equal(kvmu_ioctl(g->sys, KVM_CHECK_EXTENSION,
				    KVM_CAP_SYNC_REGS), 7);
	tg_put(g, TG_CODE, code, sizeof(code));
	g->mem[TG_CODE + sizeof(code)] = 0xf4;
	r.rip = TG_CODE;
	r.rsp = TG_STACK_TOP;
	r.rflags = 2;
	assert_int_equal(tg_set_regs(g, &r), 0);
	g->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	g->run->kvm_dirty_regs = KVM_SYNC_X86_REGS;
	g->run->s.regs.regs = r;
	g->run->s.regs.regs.rax = 41;
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_RUN, 0), 0);
	assert_int_equal(g->run->exit_reason, KVM_EXIT_HLT);
	assert_int_equal(g->run->s.regs.regs.rax, 42);
	assert_int_equal(g->run->kvm_dirty_regs, 0);
	assert_true(g->run->s.regs.sregs.cr0 & 1);
	g->run->kvm_valid_regs = 1U << 5;
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_RUN, 0), -1);
	assert_int_equal(errno, EINVAL);
	g->run->kvm_valid_regs = 0;
}

/* rdmsr SFMASK; wrmsr SFMASK; hlt, with reads and writes filtered. */
static void test_msr_filter(void **state)
{
	static const uint8_t code[] = { 0x0f, 0x32, 0x0f, 0x30 };
	struct tguest *g = *state;
	uint8_t deny[8] = { 0 };
	struct kvm_msr_filter f = { .flags = KVM_MSR_FILTER_DEFAULT_ALLOW };
	struct kvm_regs r = { .rcx = MSR_SFMASK };

	f.ranges[0] = (struct kvm_msr_filter_range){
		.flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE,
		.nmsrs = 1, .base = MSR_SFMASK, .bitmap = deny };
	assert_int_equal(kvmu_ioctl(g->vm, KVM_ENABLE_CAP,
		&(struct kvm_enable_cap){ .cap = KVM_CAP_X86_USER_SPACE_MSR,
					  .args[0] = 8 }), -1);
	assert_int_equal(kvmu_ioctl(g->vm, KVM_ENABLE_CAP,
		&(struct kvm_enable_cap){ .cap = KVM_CAP_X86_USER_SPACE_MSR,
			.args[0] = KVM_MSR_EXIT_REASON_FILTER }), 0);
	assert_int_equal(kvmu_ioctl(g->vm, KVM_X86_SET_MSR_FILTER, &f), 0);
	assert_int_equal(run_code(g, code, sizeof(code), &r),
			 KVM_EXIT_X86_RDMSR);
	assert_int_equal(g->run->msr.index, MSR_SFMASK);
	assert_int_equal(g->run->msr.reason, KVM_MSR_EXIT_REASON_FILTER);
	g->run->msr.data = 0x1234567800000042ULL;
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_RUN, 0), 0);
	assert_int_equal(g->run->exit_reason, KVM_EXIT_X86_WRMSR);
	assert_int_equal(g->run->msr.data, 0x1234567800000042ULL);
	g->run->msr.error = 1;				/* #GP */
	assert_int_equal(kvmu_ioctl(g->vcpu, KVM_RUN, 0), 0);
	assert_int_equal(g->run->exit_reason, KVM_EXIT_HLT);
	assert_int_equal(tg_get_regs(g, &r), 0);
	assert_int_equal(tg_exception_at(r.rip), 13);
	/* bad filters */
	f.flags = 2;
	assert_int_equal(kvmu_ioctl(g->vm, KVM_X86_SET_MSR_FILTER, &f), -1);
	memset(&f, 0, sizeof(f));
	f.flags = KVM_MSR_FILTER_DEFAULT_DENY;		/* deny with no range */
	assert_int_equal(kvmu_ioctl(g->vm, KVM_X86_SET_MSR_FILTER, &f), -1);
	f.ranges[0] = (struct kvm_msr_filter_range){
		.flags = KVM_MSR_FILTER_READ, .nmsrs = 0x600 * 8 + 64,
		.bitmap = deny };
	assert_int_equal(kvmu_ioctl(g->vm, KVM_X86_SET_MSR_FILTER, &f), -1);
	assert_int_equal(errno, EINVAL);
	f.ranges[0].nmsrs = 1;
	f.ranges[0].flags = 0;
	assert_int_equal(kvmu_ioctl(g->vm, KVM_X86_SET_MSR_FILTER, &f), -1);
}

static void test_stats_fd(void **state)
{
	struct tguest *g = *state;
	struct kvm_stats_header h;
	char id[48], name[48];
	uint64_t exits;
	int fd;

	assert_int_equal(kvmu_ioctl(g->sys, KVM_CHECK_EXTENSION,
				    KVM_CAP_BINARY_STATS_FD), 1);
	assert_int_equal(run_code(g, (const uint8_t *)"\x90", 1,
				  &(struct kvm_regs){ 0 }), KVM_EXIT_HLT);
	fd = kvmu_ioctl(g->vcpu, KVM_GET_STATS_FD, 0);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(read(fd, &h, sizeof(h)), sizeof(h));
	assert_int_equal(h.name_size, 48);
	assert_true(h.num_desc >= 1);
	assert_int_equal(h.id_offset, sizeof(h));
	assert_int_equal(read(fd, id, sizeof(id)), sizeof(id));
	assert_memory_equal(id, "kvm-", 4);
	assert_non_null(strstr(id, "/vcpu-0"));
	assert_int_equal(pread(fd, name, sizeof(name), h.desc_offset + 16),
			 sizeof(name));
	assert_string_equal(name, "exits");
	assert_int_equal(pread(fd, &exits, 8, h.data_offset), 8);
	assert_true(exits >= 1);
	assert_int_equal(write(fd, &exits, 8), -1);	/* read-only */
	close(fd);
	fd = kvmu_ioctl(g->vm, KVM_GET_STATS_FD, 0);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &h, sizeof(h), 0), sizeof(h));
	assert_int_equal(pread(fd, id, sizeof(id), h.id_offset), sizeof(id));
	assert_memory_equal(id, "kvm-", 4);
	close(fd);
}

static void test_vm_knobs(void **state)
{
	struct tguest *g = *state;
	struct kvm_enable_cap c = { .cap = KVM_CAP_MAX_VCPU_ID, .args[0] = 8 };
	int sys = kvmu_open(KVMU_ARCH_X86_64, 0), vm, fd;

	(void)state;
	/* a vCPU exists: the limit is locked at 4096 */
	assert_int_equal(kvmu_ioctl(g->vm, KVM_ENABLE_CAP, &c), -1);
	c.args[0] = 4096;
	assert_int_equal(kvmu_ioctl(g->vm, KVM_ENABLE_CAP, &c), 0);
	assert_true(sys >= 0);
	vm = kvmu_ioctl(sys, KVM_CREATE_VM, 0);
	assert_true(vm >= 0);
	c.args[0] = 4097;
	assert_int_equal(kvmu_ioctl(vm, KVM_ENABLE_CAP, &c), -1);
	c.args[0] = 3;
	assert_int_equal(kvmu_ioctl(vm, KVM_ENABLE_CAP, &c), 0);
	assert_int_equal(kvmu_ioctl(vm, KVM_ENABLE_CAP, &c), 0);
	c.args[0] = 4;
	assert_int_equal(kvmu_ioctl(vm, KVM_ENABLE_CAP, &c), -1);
	assert_int_equal(kvmu_ioctl(vm, KVM_CREATE_VCPU, 3), -1);
	assert_int_equal(errno, EINVAL);
	fd = kvmu_ioctl(vm, KVM_CREATE_VCPU, 2);
	assert_true(fd >= 0);
	close(fd);
	/* the MMU page budget */
	assert_int_equal(kvmu_ioctl(vm, KVM_GET_NR_MMU_PAGES, 0), 64);
	assert_int_equal(kvmu_ioctl(vm, KVM_SET_NR_MMU_PAGES, 63), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(kvmu_ioctl(vm, KVM_SET_NR_MMU_PAGES, 100), 0);
	assert_int_equal(kvmu_ioctl(vm, KVM_GET_NR_MMU_PAGES, 0), 100);
	close(vm);
	close(sys);
}

static void test_cpuid_and_cr4(void **state)
{
	struct tguest *g = *state;
	int sys = kvmu_open(KVMU_ARCH_X86_64, 0), vm, cpu;
	struct kvm_sregs s;
	uint32_t o[4];

	assert_int_equal(tg_supported_cpuid(g, 0x40000000, 0, o), 0);
	assert_int_equal(o[0], 0x40000001);
	assert_memory_equal(&o[1], "KVMKVMKVM\0\0\0", 12);
	assert_int_equal(tg_supported_cpuid(g, 0x40000001, 0, o), 0);
	assert_int_equal(o[0] & 9, 9);		/* CLOCKSOURCE, CLOCKSOURCE2 */
	/* before KVM_SET_CPUID2, CR4.VME/PVI/OSXSAVE are accepted */
	vm = kvmu_ioctl(sys, KVM_CREATE_VM, 0);
	cpu = kvmu_ioctl(vm, KVM_CREATE_VCPU, 0);
	assert_true(cpu >= 0);
	assert_int_equal(kvmu_ioctl(cpu, KVM_GET_SREGS, &s), 0);
	s.cr4 |= 0x3 | (1ULL << 18);
	assert_int_equal(kvmu_ioctl(cpu, KVM_SET_SREGS, &s), 0);
	s.cr4 |= 1ULL << 22;				/* PKE: not offered */
	assert_int_equal(kvmu_ioctl(cpu, KVM_SET_SREGS, &s), -1);
	close(cpu);
	close(vm);
	close(sys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_tsc_and_adjust), T(test_tsc_khz),
		T(test_tsc_offset_attr), T(test_kvmclock),
		T(test_mtrr_mce), T(test_set_mce), T(test_qemu_reset_batch),
		T(test_platform_info),
		T(test_sync_regs), T(test_msr_filter), T(test_stats_fd),
		T(test_vm_knobs), T(test_cpuid_and_cr4),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
