// SPDX-License-Identifier: MIT
/*
 * What the guest sees of the s390 VM attributes: STFLE, STFL and STIDP
 * return the CPU_MODEL processor, STCK/STCKE/STCKF the TOD set through
 * the TOD group, the CPACF query functions the processor subfunctions,
 * and ESSA works only with CMMA enabled and feeds GET_CMMA_BITS.  Guest
 * code is assembled at test time (skips, exit 77, without binutils).
 */
#include <setjmp.h>
#include <time.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "s390_test_util.h"

#define CODE	0x10000
#define STUB	0x2000		/* diag 0,0,0x501: "interruption taken" */
#define DATA	0x30000

/* A VM with memory but no vCPU yet: the model is set first. */
static int setup(void **state)
{
	struct s390vm *v = calloc(1, sizeof(*v));
	struct kvm_userspace_memory_region r = { .memory_size = S390_MEM };

	if (!v)
		return -1;
	v->sys = kvmu_open(KVMU_ARCH_S390X, 0);
	v->vm = kvmu_ioctl(v->sys, KVM_CREATE_VM, 0);
	v->mem = s390_alloc(S390_MEM);
	if (v->sys < 0 || v->vm < 0 || !v->mem)
		return -1;
	r.userspace_addr = (uintptr_t)v->mem;
	if (kvmu_ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &r))
		return -1;
	s390_lc_psw(v, 0x1d0, PSW_64, STUB);	/* program new PSW */
	put64(v->mem + STUB, 0x8300050100000000ULL);
	*state = v;
	return 0;
}

static int teardown(void **state)
{
	s390vm_close(*state);
	free(*state);
	return 0;
}

static void start_vcpu(struct s390vm *v)
{
	v->vcpu = kvmu_ioctl(v->vm, KVM_CREATE_VCPU, 0);
	assert_true(v->vcpu >= 0);
	v->run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	assert_true(v->run != MAP_FAILED);
}

static int attr(struct s390vm *v, unsigned long req, uint32_t group,
		uint64_t a, const void *addr)
{
	struct kvm_device_attr da = {
		.group = group, .attr = a, .addr = (uintptr_t)addr,
	};

	return kvmu_ioctl(v->vm, req, &da) ? errno : 0;
}

/* Run src to its final diag 0x501; returns the program code or 0. */
static int go(struct s390vm *v, const char *src)
{
	char buf[2048];

	snprintf(buf, sizeof(buf), "%s\n diag %%r0,%%r0,0x501\n", src);
	memset(v->mem + 0x8e, 0, 2);
	assert_int_equal(s390_asm(v, CODE, buf), 0);
	v->run->psw_mask = PSW_64;
	v->run->psw_addr = CODE;
	assert_int_equal(s390_run(v), 0);
	assert_int_equal(v->run->exit_reason, KVM_EXIT_S390_SIEIC);
	assert_int_equal(v->run->s390_sieic.ipb, 0x05010000);
	return get16(v->mem + 0x8e);
}

static void model(struct s390vm *v, uint64_t cpuid, const unsigned int *on,
		  size_t n)
{
	struct kvmu_s390_vm_cpu_processor *p = calloc(1, sizeof(*p));
	size_t i;

	assert_int_equal(attr(v, KVM_GET_DEVICE_ATTR, KVMU_S390_VM_CPU_MODEL,
			      KVMU_S390_VM_CPU_PROCESSOR, p), 0);
	p->cpuid = cpuid;
	for (i = 0; i < n; i++)
		p->fac_list[on[i] / 64] |= 1ULL << (63 - on[i] % 64);
	assert_int_equal(attr(v, KVM_SET_DEVICE_ATTR, KVMU_S390_VM_CPU_MODEL,
			      KVMU_S390_VM_CPU_PROCESSOR, p), 0);
	free(p);
}

static void test_facilities(void **state)
{
	struct s390vm *v = *state;
	static const unsigned int on[] = { 17, 76 };
	struct kvmu_s390_vm_cpu_processor *p = calloc(1, sizeof(*p));

	model(v, 0xff0000112964abcdULL, on, 2);
	assert_int_equal(attr(v, KVM_GET_DEVICE_ATTR, KVMU_S390_VM_CPU_MODEL,
			      KVMU_S390_VM_CPU_PROCESSOR, p), 0);
	start_vcpu(v);
	assert_int_equal(go(v, " lgfi %r2,0x30000\n stidp 0(%r2)\n"
			    " lghi %r0,3\n stfle 16(%r2)\n"
			    " stfl 0\n ipm %r3\n"), 0);
	assert_true(get64(v->mem + DATA) == 0xff0000112964abcdULL);
	assert_true(get64(v->mem + DATA + 16) == p->fac_list[0]);
	assert_true(get64(v->mem + DATA + 24) == p->fac_list[1]);
	assert_true(get64(v->mem + DATA + 16) >> 32 == get32(v->mem + 200));
	/* bit 17 (MSA) and 76 (MSA3) as the model says */
	assert_true(v->mem[DATA + 16 + 2] & 0x40);
	assert_true(v->mem[DATA + 16 + 9] & 0x08);
	free(p);
}

/* Host microseconds since an arbitrary start (CLOCK_MONOTONIC). */
static uint64_t host_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000 + (uint64_t)t.tv_nsec / 1000;
}

/*
 * The clocks read the TOD set: at least the value set, and no further on
 * than the host time that passed around it (TOD bit 51 is 1 us, so a
 * microsecond is 4096 units); not a timing check, the bound is measured.
 */
static void test_tod(void **state)
{
	struct s390vm *v = *state;
	uint64_t tod = 0x4000000000000000ULL, a, b, c, t0, lim;

	t0 = host_us();
	assert_int_equal(attr(v, KVM_SET_DEVICE_ATTR, KVMU_S390_VM_TOD,
			      KVMU_S390_VM_TOD_LOW, &tod), 0);
	start_vcpu(v);
	assert_int_equal(go(v, " lgfi %r2,0x30000\n stck 0(%r2)\n"
			    " stcke 16(%r2)\n stckf 8(%r2)\n"), 0);
	lim = (host_us() - t0 + 1000) << 12;
	a = get64(v->mem + DATA);
	b = get64(v->mem + DATA + 8);
	c = get64(v->mem + DATA + 17);		/* STCKE: index byte first */
	assert_int_equal(v->mem[DATA + 16], 0);	/* epoch index 0 */
	assert_true(a >= tod && a - tod < lim);
	assert_true(b >= a && c >= a && c - tod < lim);
}

/* KM query: GR0 = 0, parameter block at GR1. */
#define KM_QUERY  " lgfi %r1,0x30000\n lghi %r0,0\n .insn rre,0xb92e0000,2,4\n"
#define KIMD_QUERY " lgfi %r1,0x30010\n lghi %r0,0\n .insn rre,0xb93e0000,0,2\n"
#define PCKMO_QUERY " lgfi %r1,0x30020\n lghi %r0,0\n .insn rre,0xb9280000,0,0\n"

static void test_cpacf_query(void **state)
{
	struct s390vm *v = *state;
	static const unsigned int on[] = { 17, 76 };
	struct kvmu_s390_vm_cpu_subfunc *s = calloc(1, sizeof(*s));

	model(v, 0xff00000020970000ULL, on, 2);
	/* the processor may drop KIMD query: then it is not installed */
	assert_int_equal(attr(v, KVM_GET_DEVICE_ATTR, KVMU_S390_VM_CPU_MODEL,
			      KVMU_S390_VM_CPU_PROCESSOR_SUBFUNC, s), 0);
	s->kimd[0] = 0;
	s->km[5] = 0xff;	/* functions kvmu lacks stay hidden */
	assert_int_equal(attr(v, KVM_SET_DEVICE_ATTR, KVMU_S390_VM_CPU_MODEL,
			      KVMU_S390_VM_CPU_PROCESSOR_SUBFUNC, s), 0);
	start_vcpu(v);
	memset(v->mem + DATA, 0xaa, 48);
	assert_int_equal(go(v, KM_QUERY PCKMO_QUERY " ipm %r3\n"), 0);
	assert_int_equal(v->mem[DATA], 0x80);
	assert_int_equal(v->mem[DATA + 5], 0);
	assert_int_equal(v->mem[DATA + 32], 0x80);
	assert_int_equal(v->mem[DATA + 33], 0);
	assert_int_equal(go(v, KIMD_QUERY), 6);		/* specification */
	/* a function code nothing implements */
	assert_int_equal(go(v, " lgfi %r1,0x30000\n lghi %r0,18\n"
			    " .insn rre,0xb92e0000,2,4\n"), 6);
	free(s);
}

static void test_cpacf_off(void **state)
{
	struct s390vm *v = *state;

	struct kvmu_s390_vm_cpu_processor *p = calloc(1, sizeof(*p));

	/* a model without MSA and MSA3: the instructions are not there */
	assert_int_equal(attr(v, KVM_GET_DEVICE_ATTR, KVMU_S390_VM_CPU_MODEL,
			      KVMU_S390_VM_CPU_PROCESSOR, p), 0);
	p->fac_list[0] &= ~(1ULL << (63 - 17));
	p->fac_list[1] &= ~(1ULL << (63 - 76 % 64));
	assert_int_equal(attr(v, KVM_SET_DEVICE_ATTR, KVMU_S390_VM_CPU_MODEL,
			      KVMU_S390_VM_CPU_PROCESSOR, p), 0);
	free(p);
	start_vcpu(v);
	assert_int_equal(go(v, KM_QUERY), 1);
	assert_int_equal(go(v, PCKMO_QUERY), 1);
}

#define ESSA(orc) " .insn rrf,0xb9ab0000,4,2," #orc ",0\n"

/* Without ENABLE_CMMA, ESSA is an operation exception (handle_essa). */
static void test_essa_off(void **state)
{
	struct s390vm *v = *state;

	start_vcpu(v);
	assert_int_equal(go(v, " lgfi %r2,0x20000\n" ESSA(2)), 1);
}

static void test_essa(void **state)
{
	struct s390vm *v = *state;
	uint8_t val[8];
	struct kvm_s390_cmma_log l = {
		.start_gfn = 0x20, .count = 8, .flags = KVM_S390_CMMA_PEEK,
		.values = (uintptr_t)val,
	};

	assert_int_equal(attr(v, KVM_SET_DEVICE_ATTR, KVMU_S390_VM_MEM_CTRL,
			      KVMU_S390_VM_MEM_ENABLE_CMMA, NULL), 0);
	start_vcpu(v);
	/* set unused, then extract: R4 has the state before each */
	assert_int_equal(go(v, " lgfi %r2,0x20000\n" ESSA(2)
			    " lgr %r5,%r4\n" ESSA(0) " lgr %r6,%r4\n"
			    " lgfi %r2,0x21000\n" ESSA(3)
			    ESSA(1) " lgr %r7,%r4\n"), 0);
	assert_true(v->run->s.regs.gprs[5] == 0);	/* was stable */
	assert_true(v->run->s.regs.gprs[6] == 1 << 2);	/* unused */
	assert_true(v->run->s.regs.gprs[7] == 3 << 2);	/* volatile */
	assert_int_equal(kvmu_ioctl(v->vm, KVM_S390_GET_CMMA_BITS, &l), 0);
	assert_int_equal(l.count, 8);
	assert_int_equal(val[0], 1);
	assert_int_equal(val[1], 0);
	assert_int_equal(go(v, " lgfi %r2,0x20000\n" ESSA(7)), 6);
	assert_int_equal(go(v, " llihl %r2,1\n" ESSA(0)), 5);
	/* problem state */
	assert_int_equal(s390_asm(v, CODE, " lgfi %r2,0x20000\n" ESSA(0)), 0);
	v->run->psw_mask = PSW_64 | PSW_PROBLEM;
	v->run->psw_addr = CODE;
	memset(v->mem + 0x8e, 0, 2);
	assert_int_equal(s390_run(v), 0);
	assert_int_equal(get16(v->mem + 0x8e), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_facilities, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tod, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpacf_query, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cpacf_off, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_essa_off, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_essa, setup, teardown),
	};

	if (!s390_have_toolchain()) {
		printf("skip: s390x-linux-gnu-as not installed\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
