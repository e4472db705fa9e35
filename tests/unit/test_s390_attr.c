// SPDX-License-Identifier: MIT
/*
 * The s390 VM attributes through the public API: every group and
 * attribute of KVM_SET/GET/HAS_DEVICE_ATTR with the errno the kernel
 * gives, set-then-get round trips, EFAULT for bad pointers, the memory
 * limit on memslots, CMMA migration, and the CRYCB state the attributes
 * leave (read through the internal headers).  Guest visibility is in
 * test_s390_attr_guest.c.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "s390_test_util.h"
#include "kvmu_int.h"
#include "arch/s390/s390.h"

#define BAD_PTR		8UL		/* unmapped in every process */
#define DEFAULT_LIMIT	0xfffffffffffff000ULL

struct avm {
	int sys, vm;
	uint8_t *mem;
};

static int setup(void **state)
{
	struct avm *v = calloc(1, sizeof(*v));

	if (!v)
		return -1;
	v->sys = kvmu_open(KVMU_ARCH_S390X, 0);
	v->vm = kvmu_ioctl(v->sys, KVM_CREATE_VM, 0);
	v->mem = s390_alloc(S390_MEM);
	if (v->sys < 0 || v->vm < 0 || !v->mem)
		return -1;
	*state = v;
	return 0;
}

static int teardown(void **state)
{
	struct avm *v = *state;

	close(v->vm);
	close(v->sys);
	free(v);
	return 0;
}

static int slot(struct avm *v, uint32_t id, uint64_t gpa, uint32_t flags)
{
	struct kvm_userspace_memory_region r = {
		.slot = id, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = S390_MEM, .userspace_addr = (uintptr_t)v->mem,
	};

	return kvmu_ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &r) ? errno : 0;
}

/* Run one attribute ioctl; 0 or the errno. */
static int attr(struct avm *v, unsigned long req, uint32_t group,
		uint64_t a, const void *addr)
{
	struct kvm_device_attr da = {
		.group = group, .attr = a, .addr = (uintptr_t)addr,
	};

	errno = 0;
	return kvmu_ioctl(v->vm, req, &da) ? errno : 0;
}

#define SET(v, g, a, p)	attr(v, KVM_SET_DEVICE_ATTR, g, a, p)
#define GET(v, g, a, p)	attr(v, KVM_GET_DEVICE_ATTR, g, a, p)
#define HAS(v, g, a)	attr(v, KVM_HAS_DEVICE_ATTR, g, a, NULL)

static struct s390_vm *internal(int vmfd, struct kvmu_obj **obj)
{
	assert_int_equal(kvmu_obj_get(vmfd, obj), 0);
	return s390_vm((struct kvmu_vm *)*obj);
}

static int add_vcpu(struct avm *v)
{
	int fd = kvmu_ioctl(v->vm, KVM_CREATE_VCPU, 0);

	assert_true(fd >= 0);
	return fd;
}

static void test_dispatch(void **state)
{
	struct avm *v = *state;
	uint64_t x = 0;

	assert_int_equal(kvmu_ioctl(v->vm, KVM_CHECK_EXTENSION,
				    KVM_CAP_VM_ATTRIBUTES), 1);
	assert_int_equal(kvmu_ioctl(v->sys, KVM_CHECK_EXTENSION,
				    KVM_CAP_S390_CMMA_MIGRATION), 1);
	assert_int_equal(SET(v, 6, 0, &x), ENXIO);
	assert_int_equal(GET(v, 6, 0, &x), ENXIO);
	assert_int_equal(HAS(v, 6, 0), ENXIO);
	/* the kvm_device_attr itself unreadable */
	assert_int_equal(kvmu_ioctl(v->vm, KVM_SET_DEVICE_ATTR, BAD_PTR), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(kvmu_ioctl(v->vm, KVM_HAS_DEVICE_ATTR, BAD_PTR), -1);
	assert_int_equal(errno, EFAULT);
	/* CPU_TOPOLOGY needs facility 11 */
	assert_int_equal(SET(v, KVMU_S390_VM_CPU_TOPOLOGY, 1, &x), ENXIO);
	assert_int_equal(GET(v, KVMU_S390_VM_CPU_TOPOLOGY, 0, &x), ENXIO);
	assert_int_equal(HAS(v, KVMU_S390_VM_CPU_TOPOLOGY, 0), ENXIO);
}

static void test_mem_limit(void **state)
{
	struct avm *v = *state;
	uint64_t lim = 0, big = ~0ULL, zero = 0, g1 = 1ULL << 30;
	int cpu;

	assert_int_equal(HAS(v, KVMU_S390_VM_MEM_CTRL, 2), 0);
	assert_int_equal(HAS(v, KVMU_S390_VM_MEM_CTRL, 3), ENXIO);
	assert_int_equal(GET(v, KVMU_S390_VM_MEM_CTRL, 2, &lim), 0);
	assert_true(lim == DEFAULT_LIMIT);
	assert_int_equal(GET(v, KVMU_S390_VM_MEM_CTRL, 2, (void *)BAD_PTR),
			 EFAULT);
	assert_int_equal(GET(v, KVMU_S390_VM_MEM_CTRL, 0, &lim), ENXIO);
	assert_int_equal(SET(v, KVMU_S390_VM_MEM_CTRL, 2, (void *)BAD_PTR),
			 EFAULT);
	assert_int_equal(SET(v, KVMU_S390_VM_MEM_CTRL, 2, &big), E2BIG);
	assert_int_equal(SET(v, KVMU_S390_VM_MEM_CTRL, 2, &zero), EINVAL);
	assert_int_equal(SET(v, KVMU_S390_VM_MEM_CTRL, 9, &zero), ENXIO);
	/* 1 GiB: the ASCE is a segment table, 2 GiB of guest space */
	assert_int_equal(SET(v, KVMU_S390_VM_MEM_CTRL, 2, &g1), 0);
	assert_int_equal(GET(v, KVMU_S390_VM_MEM_CTRL, 2, &lim), 0);
	assert_true(lim == DEFAULT_LIMIT);	/* the kernel's reading */
	assert_int_equal(slot(v, 0, (1ULL << 31) - S390_MEM, 0), 0);
	assert_int_equal(slot(v, 1, 1ULL << 31, 0), EINVAL);
	/* a limit below an existing slot */
	lim = 1ULL << 20;
	assert_int_equal(SET(v, KVMU_S390_VM_MEM_CTRL, 2, &lim), EBUSY);
	lim = 1ULL << 40;	/* region-third table: up to 4 TiB */
	assert_int_equal(SET(v, KVMU_S390_VM_MEM_CTRL, 2, &lim), 0);
	assert_int_equal(slot(v, 1, 1ULL << 31, 0), 0);
	assert_int_equal(slot(v, 2, 1ULL << 42, 0), EINVAL);
	cpu = add_vcpu(v);
	assert_int_equal(SET(v, KVMU_S390_VM_MEM_CTRL, 2, &g1), EBUSY);
	close(cpu);
}

static void test_cmma_ctrl(void **state)
{
	struct avm *v = *state;
	struct kvmu_obj *obj;
	struct s390_vm *vm = internal(v->vm, &obj);
	uint8_t unused_nodat = 0x41;
	struct kvm_s390_cmma_log set = {
		.start_gfn = 3, .count = 1, .mask = ~0ULL,
		.values = (uintptr_t)&unused_nodat,
	};
	int cpu;

	assert_int_equal(HAS(v, KVMU_S390_VM_MEM_CTRL, 0), 0);
	assert_int_equal(HAS(v, KVMU_S390_VM_MEM_CTRL, 1), 0);
	assert_int_equal(SET(v, KVMU_S390_VM_MEM_CTRL, 1, NULL), EINVAL);
	assert_int_equal(SET(v, KVMU_S390_VM_MEM_CTRL, 0, NULL), 0);
	assert_true(vm->use_cmma);
	assert_int_equal(slot(v, 0, 0, 0), 0);
	/* CLR_CMMA puts every page back to stable */
	assert_int_equal(kvmu_ioctl(v->vm, KVM_S390_SET_CMMA_BITS, &set), 0);
	assert_int_equal(s390_cmma_get(vm, 3 << 12), 0x41);
	assert_int_equal(SET(v, KVMU_S390_VM_MEM_CTRL, 1, NULL), 0);
	assert_int_equal(s390_cmma_get(vm, 3 << 12), 0);
	cpu = add_vcpu(v);
	assert_int_equal(SET(v, KVMU_S390_VM_MEM_CTRL, 0, NULL), EBUSY);
	assert_int_equal(SET(v, KVMU_S390_VM_MEM_CTRL, 1, NULL), 0);
	close(cpu);
	kvmu_obj_put(obj);
}

static void test_tod(void **state)
{
	struct avm *v = *state;
	struct kvmu_s390_vm_tod_clock ext = { .tod = 0 };
	struct kvm_device_attr da = { .flags = 1, .group = 1 };
	uint64_t low = 0x1000000000000000ULL, got;
	uint8_t high = 1;

	assert_int_equal(HAS(v, KVMU_S390_VM_TOD, KVMU_S390_VM_TOD_LOW), 0);
	assert_int_equal(HAS(v, KVMU_S390_VM_TOD, KVMU_S390_VM_TOD_HIGH), 0);
	/* the kernel's has_attr does not report EXT */
	assert_int_equal(HAS(v, KVMU_S390_VM_TOD, KVMU_S390_VM_TOD_EXT), ENXIO);
	assert_int_equal(SET(v, KVMU_S390_VM_TOD, 0, &low), 0);
	assert_int_equal(GET(v, KVMU_S390_VM_TOD, 0, &got), 0);
	/* 2^12 TOD units per microsecond: allow a second */
	assert_true(got >= low && got - low < (4096ULL << 20));
	assert_int_equal(GET(v, KVMU_S390_VM_TOD, 2, &ext), 0);
	assert_int_equal(ext.epoch_idx, 0);
	assert_true(ext.tod >= low && ext.tod - low < (4096ULL << 20));
	ext.tod = 0x2000000000000000ULL;
	assert_int_equal(SET(v, KVMU_S390_VM_TOD, 2, &ext), 0);
	assert_int_equal(GET(v, KVMU_S390_VM_TOD, 0, &got), 0);
	assert_true(got >= ext.tod && got - ext.tod < (4096ULL << 20));
	ext.epoch_idx = 1;		/* needs facility 139 */
	assert_int_equal(SET(v, KVMU_S390_VM_TOD, 2, &ext), EINVAL);
	assert_int_equal(SET(v, KVMU_S390_VM_TOD, 1, &high), EINVAL);
	high = 0;
	assert_int_equal(SET(v, KVMU_S390_VM_TOD, 1, &high), 0);
	high = 7;
	assert_int_equal(GET(v, KVMU_S390_VM_TOD, 1, &high), 0);
	assert_int_equal(high, 0);
	assert_int_equal(SET(v, KVMU_S390_VM_TOD, 3, &low), ENXIO);
	assert_int_equal(GET(v, KVMU_S390_VM_TOD, 3, &low), ENXIO);
	assert_int_equal(SET(v, KVMU_S390_VM_TOD, 0, (void *)BAD_PTR), EFAULT);
	assert_int_equal(GET(v, KVMU_S390_VM_TOD, 2, (void *)BAD_PTR), EFAULT);
	da.addr = (uintptr_t)&low;
	assert_int_equal(kvmu_ioctl(v->vm, KVM_SET_DEVICE_ATTR, &da), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(kvmu_ioctl(v->vm, KVM_GET_DEVICE_ATTR, &da), -1);
	assert_int_equal(errno, EINVAL);
}

/* The host-order u64 words of a facility list, MSB-0 bit numbers. */
static bool fac(const __u64 *list, unsigned int nr)
{
	return list[nr / 64] & (1ULL << (63 - nr % 64));
}

static void add_fac(__u64 *list, unsigned int nr)
{
	list[nr / 64] |= 1ULL << (63 - nr % 64);
}

/* Turn MSA and MSA3 on or off in the processor model. */
static void set_msa3(struct avm *v, bool on)
{
	struct kvmu_s390_vm_cpu_processor *p = calloc(1, sizeof(*p));

	assert_int_equal(GET(v, KVMU_S390_VM_CPU_MODEL, 0, p), 0);
	add_fac(p->fac_list, 17);
	add_fac(p->fac_list, 76);
	if (!on) {
		p->fac_list[0] &= ~(1ULL << (63 - 17));
		p->fac_list[1] &= ~(1ULL << (63 - 76 % 64));
	}
	assert_int_equal(SET(v, KVMU_S390_VM_CPU_MODEL, 0, p), 0);
	free(p);
}

static void enable_msa3(struct avm *v)
{
	set_msa3(v, true);
}

static void test_crypto(void **state)
{
	struct avm *v = *state;
	struct kvmu_obj *obj;
	struct s390_vm *vm = internal(v->vm, &obj);
	uint8_t zero[32] = { 0 }, first[32];
	unsigned int a;

	for (a = 0; a <= 5; a++)
		assert_int_equal(HAS(v, KVMU_S390_VM_CRYPTO, a), 0);
	assert_int_equal(HAS(v, KVMU_S390_VM_CRYPTO, 6), ENXIO);
	assert_int_equal(SET(v, KVMU_S390_VM_CRYPTO, 6, NULL), ENXIO);
	assert_int_equal(GET(v, KVMU_S390_VM_CRYPTO, 0, zero), ENXIO);
	/* the default model is the machine: MSAX3, CRYCB format 2 */
	assert_int_equal(vm->crycb.format, 2);
	set_msa3(v, false);
	/* without MSAX3 key wrapping is refused, CRYCB format 0 */
	assert_int_equal(vm->crycb.format, 0);
	for (a = 0; a <= 3; a++)
		assert_int_equal(SET(v, KVMU_S390_VM_CRYPTO, a, NULL), EINVAL);
	assert_int_equal(SET(v, KVMU_S390_VM_CRYPTO, 4, NULL), 0);
	assert_true(vm->crycb.apie);
	assert_int_equal(SET(v, KVMU_S390_VM_CRYPTO, 5, NULL), 0);
	assert_false(vm->crycb.apie);
	enable_msa3(v);
	assert_int_equal(vm->crycb.format, 2);
	assert_int_equal(SET(v, KVMU_S390_VM_CRYPTO, 0, NULL), 0);
	assert_true(vm->crycb.aes_kw);
	assert_memory_not_equal(vm->crycb.aes_wk, zero, 32);
	memcpy(first, vm->crycb.aes_wk, 32);
	/* every enable draws a new key */
	assert_int_equal(SET(v, KVMU_S390_VM_CRYPTO, 0, NULL), 0);
	assert_memory_not_equal(vm->crycb.aes_wk, first, 32);
	assert_int_equal(SET(v, KVMU_S390_VM_CRYPTO, 1, NULL), 0);
	assert_true(vm->crycb.dea_kw);
	assert_memory_not_equal(vm->crycb.dea_wk, zero, 24);
	assert_int_equal(SET(v, KVMU_S390_VM_CRYPTO, 2, NULL), 0);
	assert_false(vm->crycb.aes_kw);
	assert_memory_equal(vm->crycb.aes_wk, zero, 32);
	assert_int_equal(SET(v, KVMU_S390_VM_CRYPTO, 3, NULL), 0);
	assert_false(vm->crycb.dea_kw);
	assert_memory_equal(vm->crycb.dea_wk, zero, 24);
	kvmu_obj_put(obj);
}

static void test_processor(void **state)
{
	struct avm *v = *state;
	struct kvmu_s390_vm_cpu_machine *m = calloc(1, sizeof(*m));
	struct kvmu_s390_vm_cpu_processor *p = calloc(1, sizeof(*p));
	static const unsigned int base[] = { 0, 1, 2, 7, 8, 18, 21, 25, 34 };
	unsigned int i;
	int cpu;

	for (i = 0; i <= 7; i++)
		assert_int_equal(HAS(v, KVMU_S390_VM_CPU_MODEL, i), 0);
	assert_int_equal(HAS(v, KVMU_S390_VM_CPU_MODEL, 8), ENXIO);
	assert_int_equal(GET(v, KVMU_S390_VM_CPU_MODEL, 8, p), ENXIO);
	assert_int_equal(SET(v, KVMU_S390_VM_CPU_MODEL, 1, m), ENXIO);
	assert_int_equal(GET(v, KVMU_S390_VM_CPU_MODEL, 1, m), 0);
	assert_true(m->cpuid == 0x0000000020970000ULL);
	assert_int_equal(m->ibc, 0);
	for (i = 0; i < ARRAY_SIZE(base); i++)
		assert_true(fac(m->fac_mask, base[i]));
	assert_true(fac(m->fac_mask, 17) && fac(m->fac_mask, 76));
	assert_false(fac(m->fac_mask, 139) || fac(m->fac_mask, 11));
	assert_memory_equal(m->fac_list, m->fac_mask, sizeof(m->fac_mask));
	assert_int_equal(GET(v, KVMU_S390_VM_CPU_MODEL, 0, p), 0);
	assert_true(p->cpuid == 0xff00000020970000ULL);
	for (i = 0; i < ARRAY_SIZE(base); i++)
		assert_true(fac(p->fac_list, base[i]));
	/* the default processor is the whole machine, as in the kernel */
	assert_true(fac(p->fac_list, 17) && fac(p->fac_list, 76));
	/* round trip */
	p->cpuid = 0xff0123452964abcdULL;
	p->ibc = 0x123;		/* no IBC on the machine: ignored */
	add_fac(p->fac_list, 76);
	assert_int_equal(SET(v, KVMU_S390_VM_CPU_MODEL, 0, p), 0);
	memset(p, 0, sizeof(*p));
	assert_int_equal(GET(v, KVMU_S390_VM_CPU_MODEL, 0, p), 0);
	assert_true(p->cpuid == 0xff0123452964abcdULL);
	assert_int_equal(p->ibc, 0);
	assert_true(fac(p->fac_list, 76));
	/* facilities the machine lacks */
	add_fac(p->fac_list, 139);
	assert_int_equal(SET(v, KVMU_S390_VM_CPU_MODEL, 0, p), EINVAL);
	p->fac_list[2] = 0;
	p->fac_list[200] = 1;
	assert_int_equal(SET(v, KVMU_S390_VM_CPU_MODEL, 0, p), EINVAL);
	assert_int_equal(SET(v, KVMU_S390_VM_CPU_MODEL, 0, (void *)BAD_PTR),
			 EFAULT);
	assert_int_equal(GET(v, KVMU_S390_VM_CPU_MODEL, 0, (void *)BAD_PTR),
			 EFAULT);
	assert_int_equal(GET(v, KVMU_S390_VM_CPU_MODEL, 1, (void *)BAD_PTR),
			 EFAULT);
	cpu = add_vcpu(v);
	p->fac_list[200] = 0;
	assert_int_equal(SET(v, KVMU_S390_VM_CPU_MODEL, 0, p), EBUSY);
	assert_int_equal(GET(v, KVMU_S390_VM_CPU_MODEL, 0, p), 0);
	close(cpu);
	free(m);
	free(p);
}

static void test_feat_subfunc_uv(void **state)
{
	struct avm *v = *state;
	struct kvmu_s390_vm_cpu_feat f = { { 0 } }, mf;
	struct kvmu_s390_vm_cpu_subfunc *s = calloc(1, sizeof(*s));
	struct kvmu_s390_vm_cpu_subfunc *ms = calloc(1, sizeof(*ms));
	uint64_t uv = 1;
	int cpu;

	assert_int_equal(GET(v, KVMU_S390_VM_CPU_MODEL, 3, &mf), 0);
	assert_true(fac(mf.feat, KVMU_S390_VM_CPU_FEAT_ESOP));
	assert_false(fac(mf.feat, KVMU_S390_VM_CPU_FEAT_SIEF2));
	assert_int_equal(GET(v, KVMU_S390_VM_CPU_MODEL, 2, &f), 0);
	assert_true(f.feat[0] == 0);
	add_fac(f.feat, KVMU_S390_VM_CPU_FEAT_CMMA);
	assert_int_equal(SET(v, KVMU_S390_VM_CPU_MODEL, 2, &f), EINVAL);
	memcpy(&f, &mf, sizeof(f));
	assert_int_equal(SET(v, KVMU_S390_VM_CPU_MODEL, 2, &f), 0);
	memset(&f, 0, sizeof(f));
	assert_int_equal(GET(v, KVMU_S390_VM_CPU_MODEL, 2, &f), 0);
	assert_memory_equal(&f, &mf, sizeof(f));
	/* subfunctions: query of the CPACF instructions */
	assert_int_equal(GET(v, KVMU_S390_VM_CPU_MODEL, 5, ms), 0);
	assert_int_equal(ms->km[0], 0x80);
	assert_int_equal(ms->kimd[0], 0x80);
	assert_int_equal(ms->pckmo[0], 0x80);
	assert_int_equal(ms->plo[0], 0);
	assert_int_equal(GET(v, KVMU_S390_VM_CPU_MODEL, 4, s), 0);
	assert_memory_equal(s, ms, sizeof(*s));
	s->km[0] = 0;
	s->kma[3] = 0x10;	/* accepted, as the kernel does */
	assert_int_equal(SET(v, KVMU_S390_VM_CPU_MODEL, 4, s), 0);
	memset(s, 0, sizeof(*s));
	assert_int_equal(GET(v, KVMU_S390_VM_CPU_MODEL, 4, s), 0);
	assert_int_equal(s->km[0], 0);
	assert_int_equal(s->kma[3], 0x10);
	assert_int_equal(SET(v, KVMU_S390_VM_CPU_MODEL, 4, (void *)BAD_PTR),
			 EFAULT);
	/* no ultravisor: no UV features */
	assert_int_equal(GET(v, KVMU_S390_VM_CPU_MODEL, 7, &uv), 0);
	assert_true(uv == 0);
	uv = 1ULL << (63 - KVMU_S390_VM_CPU_UV_FEAT_AP);
	assert_int_equal(SET(v, KVMU_S390_VM_CPU_MODEL, 6, &uv), EINVAL);
	uv = 0;
	assert_int_equal(SET(v, KVMU_S390_VM_CPU_MODEL, 6, &uv), 0);
	uv = 5;
	assert_int_equal(GET(v, KVMU_S390_VM_CPU_MODEL, 6, &uv), 0);
	assert_true(uv == 0);
	cpu = add_vcpu(v);
	assert_int_equal(SET(v, KVMU_S390_VM_CPU_MODEL, 2, &mf), EBUSY);
	assert_int_equal(SET(v, KVMU_S390_VM_CPU_MODEL, 4, s), EBUSY);
	assert_int_equal(SET(v, KVMU_S390_VM_CPU_MODEL, 6, &uv), EBUSY);
	close(cpu);
	free(s);
	free(ms);
}

static void test_migration(void **state)
{
	struct avm *v = *state;
	uint64_t st = 9;

	for (st = 0; st < 5; st++)	/* the kernel reports every attr */
		assert_int_equal(HAS(v, KVMU_S390_VM_MIGRATION, st), 0);
	assert_int_equal(SET(v, KVMU_S390_VM_MIGRATION, 1, NULL), EINVAL);
	assert_int_equal(GET(v, KVMU_S390_VM_MIGRATION, 2, &st), 0);
	assert_true(st == 0);
	assert_int_equal(slot(v, 0, 0, 0), 0);
	assert_int_equal(SET(v, KVMU_S390_VM_MIGRATION, 1, NULL), 0);
	assert_int_equal(GET(v, KVMU_S390_VM_MIGRATION, 2, &st), 0);
	assert_true(st == 1);
	assert_int_equal(SET(v, KVMU_S390_VM_MIGRATION, 2, NULL), ENXIO);
	assert_int_equal(GET(v, KVMU_S390_VM_MIGRATION, 1, &st), ENXIO);
	assert_int_equal(GET(v, KVMU_S390_VM_MIGRATION, 2, (void *)BAD_PTR),
			 EFAULT);
	assert_int_equal(SET(v, KVMU_S390_VM_MIGRATION, 0, NULL), 0);
	assert_int_equal(GET(v, KVMU_S390_VM_MIGRATION, 2, &st), 0);
	assert_true(st == 0);
	/* with CMMA, every slot must log dirty pages */
	assert_int_equal(SET(v, KVMU_S390_VM_MEM_CTRL, 0, NULL), 0);
	assert_int_equal(SET(v, KVMU_S390_VM_MIGRATION, 1, NULL), EINVAL);
	assert_int_equal(slot(v, 0, 0, KVM_MEM_LOG_DIRTY_PAGES), 0);
	assert_int_equal(SET(v, KVMU_S390_VM_MIGRATION, 1, NULL), 0);
	/* turning the log off ends migration mode */
	assert_int_equal(slot(v, 0, 0, 0), 0);
	assert_int_equal(GET(v, KVMU_S390_VM_MIGRATION, 2, &st), 0);
	assert_true(st == 0);
}

static int cmma_log(struct avm *v, unsigned long req,
		    struct kvm_s390_cmma_log *l)
{
	errno = 0;
	return kvmu_ioctl(v->vm, req, l) ? errno : 0;
}

static void test_cmma_bits(void **state)
{
	struct avm *v = *state;
	uint8_t val[600], in[4] = { 0x01, 0x42, 0x03, 0x80 };
	struct kvm_s390_cmma_log l = {
		.count = sizeof(val), .values = (uintptr_t)val,
	};
	struct kvm_s390_cmma_log s = {
		.start_gfn = 10, .count = 4, .mask = ~0ULL,
		.values = (uintptr_t)in,
	};

	assert_int_equal(cmma_log(v, KVM_S390_GET_CMMA_BITS, &l), ENXIO);
	assert_int_equal(cmma_log(v, KVM_S390_SET_CMMA_BITS, &s), ENXIO);
	assert_int_equal(SET(v, KVMU_S390_VM_MEM_CTRL, 0, NULL), 0);
	assert_int_equal(slot(v, 0, 0, KVM_MEM_LOG_DIRTY_PAGES), 0);
	/* not migrating: only PEEK */
	assert_int_equal(cmma_log(v, KVM_S390_GET_CMMA_BITS, &l), EINVAL);
	l.flags = 2;
	assert_int_equal(cmma_log(v, KVM_S390_GET_CMMA_BITS, &l), EINVAL);
	l.flags = KVM_S390_CMMA_PEEK;
	/* nothing used CMMA yet: an empty answer */
	assert_int_equal(cmma_log(v, KVM_S390_GET_CMMA_BITS, &l), 0);
	assert_int_equal(l.count, 0);
	s.flags = 1;
	assert_int_equal(cmma_log(v, KVM_S390_SET_CMMA_BITS, &s), EINVAL);
	s.flags = 0;
	s.values = BAD_PTR;
	assert_int_equal(cmma_log(v, KVM_S390_SET_CMMA_BITS, &s), EFAULT);
	s.values = (uintptr_t)in;
	assert_int_equal(cmma_log(v, KVM_S390_SET_CMMA_BITS, &s), 0);
	l = (struct kvm_s390_cmma_log){ .start_gfn = 9, .count = 6,
		.flags = KVM_S390_CMMA_PEEK, .values = (uintptr_t)val };
	assert_int_equal(cmma_log(v, KVM_S390_GET_CMMA_BITS, &l), 0);
	assert_int_equal(l.count, 6);
	assert_int_equal(val[0], 0);
	assert_int_equal(val[1], 0x01);
	assert_int_equal(val[2], 0x42);
	assert_int_equal(val[3], 0x03);
	assert_int_equal(val[4], 0);		/* 0x80 is not a CMMA bit */
	assert_true(l.remaining == 0);
	/* peeking past memory: partial, then EFAULT at the first frame */
	l.start_gfn = 510;
	assert_int_equal(cmma_log(v, KVM_S390_GET_CMMA_BITS, &l), 0);
	assert_int_equal(l.count, 2);
	l.start_gfn = 512;
	assert_int_equal(cmma_log(v, KVM_S390_GET_CMMA_BITS, &l), EFAULT);
	/* migration: every page dirty, then drained in blocks */
	assert_int_equal(SET(v, KVMU_S390_VM_MIGRATION, 1, NULL), 0);
	l = (struct kvm_s390_cmma_log){ .start_gfn = 0, .count = 600,
		.values = (uintptr_t)val };
	assert_int_equal(cmma_log(v, KVM_S390_GET_CMMA_BITS, &l), 0);
	assert_true(l.start_gfn == 0);
	assert_int_equal(l.count, 512);
	assert_int_equal(val[11], 0x42);
	assert_true(l.remaining == 0);
	/* nothing left to send */
	l.count = 600;
	assert_int_equal(cmma_log(v, KVM_S390_GET_CMMA_BITS, &l), 0);
	assert_int_equal(l.count, 0);
	s.count = (1U << 20) + 1;
	assert_int_equal(cmma_log(v, KVM_S390_SET_CMMA_BITS, &s), EINVAL);
	s = (struct kvm_s390_cmma_log){ .start_gfn = 511, .count = 2,
		.mask = ~0ULL, .values = (uintptr_t)in };
	assert_int_equal(cmma_log(v, KVM_S390_SET_CMMA_BITS, &s), EFAULT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dispatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mem_limit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cmma_ctrl, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tod, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crypto, setup, teardown),
		cmocka_unit_test_setup_teardown(test_processor, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_feat_subfunc_uv, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_migration, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_cmma_bits, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
