// SPDX-License-Identifier: MIT
/*
 * The CPU_MODEL VM attributes: the machine kvmu's CPU is (facilities,
 * CPU id, features, subfunctions) and the processor a VM presents to its
 * guest, settable until the first vCPU exists.  The guest sees the
 * processor model through STFL/STFLE (vm->fac), STIDP (vm->cpuid), the
 * facility gating of insn.def and the CPACF query functions (cpacf.c).
 * Behaviour follows arch/s390/kvm/kvm-s390.c; the differences are in
 * docs/s390x.md.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "s390.h"

/* The modelled host: no IBC (lowest and unblocked 0), this CPU id. */
#define MACHINE_CPUID	0x0000000020970000ULL	/* version 00, 2097 */
#define MACHINE_IBC	0

/*
 * Facilities kvmu's CPU implements beyond the base list in s390.c (the
 * kernel's FACILITIES_KVM_CPUMODEL kind); s390_cpumodel_init adds them.
 */
static const u8 ext_facilities[] = { FAC_MSA, FAC_MSA3 };

/* Features the CPU really has: ESOP (mem.c sets the TEID as ESOP says). */
static const u16 machine_features[] = { KVMU_S390_VM_CPU_FEAT_ESOP };

/* Subfunction blocks: function 0 (query) is what cpacf.c executes. */
static const struct {
	size_t off;
	u8 fc;
} machine_subfuncs[] = {
	{ offsetof(struct kvmu_s390_vm_cpu_subfunc, kmac), 0 },
	{ offsetof(struct kvmu_s390_vm_cpu_subfunc, kmc), 0 },
	{ offsetof(struct kvmu_s390_vm_cpu_subfunc, km), 0 },
	{ offsetof(struct kvmu_s390_vm_cpu_subfunc, kimd), 0 },
	{ offsetof(struct kvmu_s390_vm_cpu_subfunc, klmd), 0 },
	{ offsetof(struct kvmu_s390_vm_cpu_subfunc, pckmo), 0 },
};

static void set_bit_msb(void *map, unsigned int nr)
{
	((u8 *)map)[nr / 8] |= (u8)(0x80 >> (nr % 8));
}

static void machine_subfunc(u8 *blk)
{
	size_t i;

	memset(blk, 0, sizeof(struct kvmu_s390_vm_cpu_subfunc));
	for (i = 0; i < ARRAY_SIZE(machine_subfuncs); i++)
		set_bit_msb(blk + machine_subfuncs[i].off,
			    machine_subfuncs[i].fc);
}

static void machine_feat(__u64 *feat)
{
	size_t i;

	memset(feat, 0, 16 * sizeof(u64));
	for (i = 0; i < ARRAY_SIZE(machine_features); i++)
		feat[machine_features[i] / 64] |=
			BIT64(machine_features[i] % 64);
}

void s390_cpumodel_init(struct s390_vm *vm)
{
	size_t i;

	/*
	 * The default processor is the whole machine, as the kernel starts a
	 * VM with the host's facilities: MSA and MSAX3 included, so the CRYCB
	 * is format 2 (the query functions tell the guest which CPACF
	 * functions exist, and they say: none but query).
	 */
	for (i = 0; i < ARRAY_SIZE(ext_facilities); i++)
		vm->fac[ext_facilities[i] / 64] |=
			BIT64(ext_facilities[i] % 64);
	memcpy(vm->fac_mask, vm->fac, sizeof(vm->fac_mask));
	vm->ibc = MACHINE_IBC;
	/* as kvm_arch_init_vm: no features until set, all subfunctions */
	memset(vm->feat, 0, sizeof(vm->feat));
	machine_subfunc(vm->subfunc);
	vm->uv_feat = 0;
	s390_crycb_update_format(vm);
}

/*
 * CRYCB format 2 needs MSAX3 (facility 76) and APXA; the modelled host
 * has APXA, so facility 76 alone decides between format 0 and 2.
 */
void s390_crycb_update_format(struct s390_vm *vm)
{
	vm->crycb.format = s390_fac(vm, FAC_MSA3) ? 2 : 0;
}

void s390_subfunc_query(const struct s390_vm *vm, size_t off, u8 blk[16])
{
	u8 mach[sizeof(struct kvmu_s390_vm_cpu_subfunc)];
	size_t i;

	/* the processor block may name functions kvmu cannot execute */
	machine_subfunc(mach);
	for (i = 0; i < 16; i++)
		blk[i] = off + i < sizeof(mach) ?
			 vm->subfunc[off + i] & mach[off + i] : 0;
}

static int get_processor(struct kvmu_vm *kvm, u64 addr)
{
	struct s390_vm *vm = s390_vm(kvm);
	struct kvmu_s390_vm_cpu_processor *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	pthread_mutex_lock(&kvm->lock);
	p->cpuid = vm->cpuid;
	p->ibc = vm->ibc;
	memcpy(p->fac_list, vm->fac, sizeof(vm->fac));
	pthread_mutex_unlock(&kvm->lock);
	ret = kvmu_copy_to_user(addr, p, sizeof(*p));
	free(p);
	return ret;
}

/* Facility bits outside the machine mask: kvmu could not execute them. */
static bool beyond_mask(const struct s390_vm *vm, const __u64 *list)
{
	size_t i;

	for (i = 0; i < KVMU_S390_FAC_LIST_U64; i++) {
		u64 mask = i < ARRAY_SIZE(vm->fac_mask) ? vm->fac_mask[i] : 0;

		if (list[i] & ~mask)
			return true;
	}
	return false;
}

static int set_processor(struct kvmu_vm *kvm, u64 addr)
{
	struct s390_vm *vm = s390_vm(kvm);
	struct kvmu_s390_vm_cpu_processor *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	pthread_mutex_lock(&kvm->lock);
	ret = -EBUSY;
	if (s390_vcpus_exist(kvm))
		goto out;
	ret = kvmu_copy_from_user(p, addr, sizeof(*p));
	if (ret)
		goto out;
	ret = -EINVAL;
	if (beyond_mask(vm, p->fac_list))
		goto out;
	/* without IBC (lowest level 0) the kernel keeps ibc unchanged */
	vm->cpuid = p->cpuid;
	pthread_mutex_lock(&vm->lock);
	memcpy(vm->fac, p->fac_list, sizeof(vm->fac));
	s390_crycb_update_format(vm);
	pthread_mutex_unlock(&vm->lock);
	ret = 0;
out:
	pthread_mutex_unlock(&kvm->lock);
	free(p);
	return ret;
}

static int get_machine(struct kvmu_vm *kvm, u64 addr)
{
	struct s390_vm *vm = s390_vm(kvm);
	struct kvmu_s390_vm_cpu_machine *m = calloc(1, sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	m->cpuid = MACHINE_CPUID;
	m->ibc = MACHINE_IBC;
	/* the host is kvmu's CPU: its STFLE list is what the mask allows */
	memcpy(m->fac_mask, vm->fac_mask, sizeof(vm->fac_mask));
	memcpy(m->fac_list, vm->fac_mask, sizeof(vm->fac_mask));
	ret = kvmu_copy_to_user(addr, m, sizeof(*m));
	free(m);
	return ret;
}

static int set_feat(struct kvmu_vm *kvm, u64 addr)
{
	struct s390_vm *vm = s390_vm(kvm);
	struct kvmu_s390_vm_cpu_feat f;
	__u64 mach[16];
	size_t i;
	int ret;

	ret = kvmu_copy_from_user(&f, addr, sizeof(f));
	if (ret)
		return ret;
	machine_feat(mach);
	for (i = 0; i < 16; i++)
		if (f.feat[i] & ~mach[i])
			return -EINVAL;
	pthread_mutex_lock(&kvm->lock);
	ret = -EBUSY;
	if (!s390_vcpus_exist(kvm)) {
		memcpy(vm->feat, f.feat, sizeof(vm->feat));
		ret = 0;
	}
	pthread_mutex_unlock(&kvm->lock);
	return ret;
}

static int get_feat(struct kvmu_vm *kvm, u64 addr, bool machine)
{
	struct kvmu_s390_vm_cpu_feat f;

	if (machine) {
		machine_feat(f.feat);
	} else {
		pthread_mutex_lock(&kvm->lock);
		memcpy(f.feat, s390_vm(kvm)->feat, sizeof(f.feat));
		pthread_mutex_unlock(&kvm->lock);
	}
	return kvmu_copy_to_user(addr, &f, sizeof(f));
}

/* As the kernel: any block is accepted; the guest sees it ∩ machine. */
static int set_subfunc(struct kvmu_vm *kvm, u64 addr)
{
	struct s390_vm *vm = s390_vm(kvm);
	int ret = -EBUSY;

	pthread_mutex_lock(&kvm->lock);
	if (!s390_vcpus_exist(kvm))
		ret = kvmu_copy_from_user(vm->subfunc, addr,
					  sizeof(vm->subfunc));
	pthread_mutex_unlock(&kvm->lock);
	return ret;
}

static int get_subfunc(struct kvmu_vm *kvm, u64 addr, bool machine)
{
	u8 *blk = malloc(sizeof(struct kvmu_s390_vm_cpu_subfunc));
	int ret;

	if (!blk)
		return -ENOMEM;
	if (machine) {
		machine_subfunc(blk);
	} else {
		pthread_mutex_lock(&kvm->lock);
		memcpy(blk, s390_vm(kvm)->subfunc, sizeof(s390_vm(kvm)->subfunc));
		pthread_mutex_unlock(&kvm->lock);
	}
	ret = kvmu_copy_to_user(addr, blk,
				sizeof(struct kvmu_s390_vm_cpu_subfunc));
	free(blk);
	return ret;
}

/*
 * UV features a protected guest may use: the kernel filters them by the
 * ultravisor's, and kvmu has no ultravisor, so the machine offers none.
 */
static int set_uv_feat(struct kvmu_vm *kvm, u64 addr)
{
	u64 data, machine = 0;
	int ret;

	ret = kvmu_copy_from_user(&data, addr, sizeof(data));
	if (ret)
		return ret;
	if (data & ~machine)
		return -EINVAL;
	pthread_mutex_lock(&kvm->lock);
	ret = -EBUSY;
	if (!s390_vcpus_exist(kvm)) {
		s390_vm(kvm)->uv_feat = data;
		ret = 0;
	}
	pthread_mutex_unlock(&kvm->lock);
	return ret;
}

static int get_uv_feat(struct kvmu_vm *kvm, u64 addr, bool machine)
{
	u64 data = machine ? 0 : s390_vm(kvm)->uv_feat;

	return kvmu_copy_to_user(addr, &data, sizeof(data));
}

int s390_cpumodel_get(struct kvmu_vm *kvm, const struct kvm_device_attr *a)
{
	switch (a->attr) {
	case KVMU_S390_VM_CPU_PROCESSOR:
		return get_processor(kvm, a->addr);
	case KVMU_S390_VM_CPU_MACHINE:
		return get_machine(kvm, a->addr);
	case KVMU_S390_VM_CPU_PROCESSOR_FEAT:
	case KVMU_S390_VM_CPU_MACHINE_FEAT:
		return get_feat(kvm, a->addr,
				a->attr == KVMU_S390_VM_CPU_MACHINE_FEAT);
	case KVMU_S390_VM_CPU_PROCESSOR_SUBFUNC:
	case KVMU_S390_VM_CPU_MACHINE_SUBFUNC:
		return get_subfunc(kvm, a->addr,
				   a->attr == KVMU_S390_VM_CPU_MACHINE_SUBFUNC);
	case KVMU_S390_VM_CPU_PROCESSOR_UV_FEAT_GUEST:
	case KVMU_S390_VM_CPU_MACHINE_UV_FEAT_GUEST:
		return get_uv_feat(kvm, a->addr, a->attr ==
				   KVMU_S390_VM_CPU_MACHINE_UV_FEAT_GUEST);
	default:
		return -ENXIO;
	}
}

int s390_cpumodel_set(struct kvmu_vm *kvm, const struct kvm_device_attr *a)
{
	switch (a->attr) {
	case KVMU_S390_VM_CPU_PROCESSOR:
		return set_processor(kvm, a->addr);
	case KVMU_S390_VM_CPU_PROCESSOR_FEAT:
		return set_feat(kvm, a->addr);
	case KVMU_S390_VM_CPU_PROCESSOR_SUBFUNC:
		return set_subfunc(kvm, a->addr);
	case KVMU_S390_VM_CPU_PROCESSOR_UV_FEAT_GUEST:
		return set_uv_feat(kvm, a->addr);
	default:
		return -ENXIO;
	}
}

int s390_cpumodel_has(const struct kvm_device_attr *a)
{
	return a->attr <= KVMU_S390_VM_CPU_MACHINE_UV_FEAT_GUEST ? 0 : -ENXIO;
}
