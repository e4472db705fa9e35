// SPDX-License-Identifier: MIT
/*
 * The s390 VM attributes: KVM_SET/GET/HAS_DEVICE_ATTR on the VM fd with
 * the groups MEM_CTRL, TOD, CRYPTO, CPU_MODEL (cpumodel.c), MIGRATION and
 * CPU_TOPOLOGY, each answering the errno kvm_s390_vm_{set,get,has}_attr
 * gives.  kvm_device_attr.addr is a user pointer, read and written only
 * through the core's copy helpers.  See docs/s390x.md, "VM attributes".
 */
#include <errno.h>
#include <string.h>

#include <openssl/rand.h>

#include "s390.h"
#include "s390_handlers.h"

/* The modelled host has no highest-address limit: TASK_SIZE_MAX bounds. */
#define S390_TASK_SIZE_MAX	(~0ULL - 4095)

/* Region sizes that decide the ASCE type gmap_create picks. */
#define REGION3_SIZE		(1ULL << 31)
#define REGION2_SIZE		(1ULL << 42)
#define REGION1_SIZE		(1ULL << 53)

u64 s390_asce_limit(u64 limit)
{
	u64 last = limit - 1;

	if (last < REGION3_SIZE)
		return REGION3_SIZE - 1;	/* segment table */
	if (last < REGION2_SIZE)
		return REGION2_SIZE - 1;	/* region-third table */
	if (last < REGION1_SIZE)
		return REGION1_SIZE - 1;	/* region-second table */
	return ~0ULL;
}

int s390_attr_check_memslot(struct kvmu_vm *kvm,
			    const struct kvm_userspace_memory_region *r)
{
	struct s390_vm *vm = s390_vm(kvm);
	u64 end = r->guest_phys_addr + r->memory_size;

	if (end > vm->mem_limit || end - 1 > vm->asce_limit)
		return -EINVAL;
	/* migration keeps its CMMA bitmap in the dirty log */
	if (atomic_load(&vm->migration_mode) &&
	    !(r->flags & KVM_MEM_LOG_DIRTY_PAGES))
		atomic_store(&vm->migration_mode, false);
	return 0;
}

/* ---- MEM_CTRL ---- */

/* Would a slot lie above a new limit?  The caller holds slots_lock. */
static bool slot_above(struct kvmu_vm *kvm, u64 limit)
{
	struct kvmu_memslots *s = atomic_load(&kvm->slots[0]);
	int i;

	for (i = 0; s && i < s->nr; i++)
		if (kvmu_memslots_nth(s, i)->gpa +
		    kvmu_memslots_nth(s, i)->size > limit)
			return true;
	return false;
}

static int set_limit(struct kvmu_vm *kvm, u64 addr)
{
	struct s390_vm *vm = s390_vm(kvm);
	u64 limit;
	int ret;

	ret = kvmu_copy_from_user(&limit, addr, sizeof(limit));
	if (ret)
		return ret;
	if (vm->mem_limit != KVMU_S390_NO_MEM_LIMIT && limit > vm->mem_limit)
		return -E2BIG;
	if (!limit)
		return -EINVAL;
	pthread_mutex_lock(&kvm->lock);
	pthread_mutex_lock(&kvm->slots_lock);
	ret = -EBUSY;
	/* a slot above the new ASCE could no longer be reached */
	if (!s390_vcpus_exist(kvm) && !slot_above(kvm, limit)) {
		/* like gmap_create: the limit picks the ASCE, mem_limit stays */
		vm->asce_limit = s390_asce_limit(limit);
		ret = 0;
	}
	pthread_mutex_unlock(&kvm->slots_lock);
	pthread_mutex_unlock(&kvm->lock);
	return ret;
}

static int set_mem_ctrl(struct kvmu_vm *kvm, const struct kvm_device_attr *a)
{
	struct s390_vm *vm = s390_vm(kvm);
	int ret;

	switch (a->attr) {
	case KVMU_S390_VM_MEM_ENABLE_CMMA:
		/* huge-page backing (EINVAL) cannot be enabled in kvmu */
		pthread_mutex_lock(&kvm->lock);
		ret = -EBUSY;
		if (!s390_vcpus_exist(kvm)) {
			vm->use_cmma = true;
			ret = 0;
		}
		pthread_mutex_unlock(&kvm->lock);
		return ret;
	case KVMU_S390_VM_MEM_CLR_CMMA:
		if (!vm->use_cmma)
			return -EINVAL;
		s390_cmma_reset(vm);
		return 0;
	case KVMU_S390_VM_MEM_LIMIT_SIZE:
		return set_limit(kvm, a->addr);
	default:
		return -ENXIO;
	}
}

static int get_mem_ctrl(struct kvmu_vm *kvm, const struct kvm_device_attr *a)
{
	u64 limit = s390_vm(kvm)->mem_limit;

	if (a->attr != KVMU_S390_VM_MEM_LIMIT_SIZE)
		return -ENXIO;
	return kvmu_copy_to_user(a->addr, &limit, sizeof(limit));
}

/* ---- TOD ---- */

static int set_tod_attr(struct kvmu_vm *kvm, const struct kvm_device_attr *a)
{
	struct s390_vm *vm = s390_vm(kvm);
	struct kvmu_s390_vm_tod_clock ext;
	u64 low;
	u8 high;
	int ret;

	if (a->flags)
		return -EINVAL;
	/* protected guests (EOPNOTSUPP in the kernel) do not exist yet */
	switch (a->attr) {
	case KVMU_S390_VM_TOD_EXT:
		ret = kvmu_copy_from_user(&ext, a->addr, sizeof(ext));
		if (ret)
			return ret;
		if (!s390_fac(vm, FAC_MEF) && ext.epoch_idx)
			return -EINVAL;
		s390_vm_set_tod(vm, ext.tod);
		return 0;
	case KVMU_S390_VM_TOD_HIGH:
		ret = kvmu_copy_from_user(&high, a->addr, sizeof(high));
		if (ret)
			return ret;
		return high ? -EINVAL : 0;
	case KVMU_S390_VM_TOD_LOW:
		ret = kvmu_copy_from_user(&low, a->addr, sizeof(low));
		if (ret)
			return ret;
		s390_vm_set_tod(vm, low);
		return 0;
	default:
		return -ENXIO;
	}
}

static int get_tod_attr(struct kvmu_vm *kvm, const struct kvm_device_attr *a)
{
	struct kvmu_s390_vm_tod_clock ext;
	u64 low;
	u8 high = 0;

	if (a->flags)
		return -EINVAL;
	switch (a->attr) {
	case KVMU_S390_VM_TOD_EXT:
		/* the epoch index stays 0: facility 139 is not modelled */
		memset(&ext, 0, sizeof(ext));
		ext.tod = s390_vm_tod(s390_vm(kvm));
		return kvmu_copy_to_user(a->addr, &ext, sizeof(ext));
	case KVMU_S390_VM_TOD_HIGH:
		return kvmu_copy_to_user(a->addr, &high, sizeof(high));
	case KVMU_S390_VM_TOD_LOW:
		low = s390_vm_tod(s390_vm(kvm));
		return kvmu_copy_to_user(a->addr, &low, sizeof(low));
	default:
		return -ENXIO;
	}
}

/* ---- CRYPTO ---- */

/* A new wrapping-key mask, as get_random_bytes gives the kernel. */
static int new_key(u8 *key, size_t len)
{
	return RAND_bytes(key, (int)len) == 1 ? 0 : -EIO;
}

/*
 * vCPUs read the CRYCB under vm->lock at every instruction that uses it,
 * so changing it under the lock is what the kernel's block-all-vCPUs and
 * crypto reset achieve.
 */
static int set_crypto(struct kvmu_vm *kvm, const struct kvm_device_attr *a)
{
	struct s390_vm *vm = s390_vm(kvm);
	struct s390_crycb *cb = &vm->crycb;
	int ret = 0;

	if (a->attr > KVMU_S390_VM_CRYPTO_DISABLE_APIE)
		return -ENXIO;
	pthread_mutex_lock(&vm->lock);
	/* key wrapping needs MSAX3; AP instructions are always there */
	if (a->attr <= KVMU_S390_VM_CRYPTO_DISABLE_DEA_KW &&
	    !s390_fac(vm, FAC_MSA3))
		ret = -EINVAL;
	else if (a->attr == KVMU_S390_VM_CRYPTO_ENABLE_AES_KW)
		ret = new_key(cb->aes_wk, sizeof(cb->aes_wk));
	else if (a->attr == KVMU_S390_VM_CRYPTO_ENABLE_DEA_KW)
		ret = new_key(cb->dea_wk, sizeof(cb->dea_wk));
	if (ret) {
		pthread_mutex_unlock(&vm->lock);
		return ret;
	}
	switch (a->attr) {
	case KVMU_S390_VM_CRYPTO_ENABLE_AES_KW:
		cb->aes_kw = true;
		break;
	case KVMU_S390_VM_CRYPTO_ENABLE_DEA_KW:
		cb->dea_kw = true;
		break;
	case KVMU_S390_VM_CRYPTO_DISABLE_AES_KW:
		cb->aes_kw = false;
		memset(cb->aes_wk, 0, sizeof(cb->aes_wk));
		break;
	case KVMU_S390_VM_CRYPTO_DISABLE_DEA_KW:
		cb->dea_kw = false;
		memset(cb->dea_wk, 0, sizeof(cb->dea_wk));
		break;
	default:
		cb->apie = a->attr == KVMU_S390_VM_CRYPTO_ENABLE_APIE;
		break;
	}
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

/* ---- MIGRATION ---- */

static int start_migration(struct kvmu_vm *kvm)
{
	struct s390_vm *vm = s390_vm(kvm);
	struct kvmu_memslots *s = atomic_load(&kvm->slots[0]);
	int ret;

	if (atomic_load(&vm->migration_mode))
		return 0;
	if (!s || !s->nr)
		return -EINVAL;
	if (vm->use_cmma) {
		ret = s390_cmma_start_migration(kvm);
		if (ret)
			return ret;
	}
	atomic_store(&vm->migration_mode, true);
	return 0;
}

static int set_migration(struct kvmu_vm *kvm, const struct kvm_device_attr *a)
{
	int ret = -ENXIO;

	pthread_mutex_lock(&kvm->slots_lock);
	if (a->attr == KVMU_S390_VM_MIGRATION_START)
		ret = start_migration(kvm);
	else if (a->attr == KVMU_S390_VM_MIGRATION_STOP) {
		atomic_store(&s390_vm(kvm)->migration_mode, false);
		ret = 0;
	}
	pthread_mutex_unlock(&kvm->slots_lock);
	return ret;
}

static int get_migration(struct kvmu_vm *kvm, const struct kvm_device_attr *a)
{
	u64 mode = atomic_load(&s390_vm(kvm)->migration_mode);

	if (a->attr != KVMU_S390_VM_MIGRATION_STATUS)
		return -ENXIO;
	return kvmu_copy_to_user(a->addr, &mode, sizeof(mode));
}

/* ---- the ioctls ---- */

/*
 * CPU_TOPOLOGY needs facility 11 in the model; it is outside kvmu's
 * machine mask, so every access answers ENXIO as the kernel does then.
 */
static int topology(struct kvmu_vm *kvm KVMU_UNUSED)
{
	return -ENXIO;
}

long s390_vm_set_attr(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *kvm = (struct kvmu_vm *)obj;
	const struct kvm_device_attr *a = r->karg;

	switch (a->group) {
	case KVMU_S390_VM_MEM_CTRL:
		return set_mem_ctrl(kvm, a);
	case KVMU_S390_VM_TOD:
		return set_tod_attr(kvm, a);
	case KVMU_S390_VM_CPU_MODEL:
		return s390_cpumodel_set(kvm, a);
	case KVMU_S390_VM_CRYPTO:
		return set_crypto(kvm, a);
	case KVMU_S390_VM_MIGRATION:
		return set_migration(kvm, a);
	case KVMU_S390_VM_CPU_TOPOLOGY:
		return topology(kvm);
	default:
		return -ENXIO;
	}
}

long s390_vm_get_attr(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *kvm = (struct kvmu_vm *)obj;
	const struct kvm_device_attr *a = r->karg;

	switch (a->group) {
	case KVMU_S390_VM_MEM_CTRL:
		return get_mem_ctrl(kvm, a);
	case KVMU_S390_VM_TOD:
		return get_tod_attr(kvm, a);
	case KVMU_S390_VM_CPU_MODEL:
		return s390_cpumodel_get(kvm, a);
	case KVMU_S390_VM_MIGRATION:
		return get_migration(kvm, a);
	case KVMU_S390_VM_CPU_TOPOLOGY:
		return topology(kvm);
	default:
		return -ENXIO;
	}
}

/* What kvm_s390_vm_has_attr answers; it never reads addr. */
long s390_vm_has_attr(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *kvm = (struct kvmu_vm *)obj;
	const struct kvm_device_attr *a = r->karg;

	switch (a->group) {
	case KVMU_S390_VM_MEM_CTRL:
		return a->attr <= KVMU_S390_VM_MEM_LIMIT_SIZE ? 0 : -ENXIO;
	case KVMU_S390_VM_TOD:
		/* EXT is settable but not reported, as in the kernel */
		return a->attr <= KVMU_S390_VM_TOD_HIGH ? 0 : -ENXIO;
	case KVMU_S390_VM_CPU_MODEL:
		return s390_cpumodel_has(a);
	case KVMU_S390_VM_CRYPTO:
		return a->attr <= KVMU_S390_VM_CRYPTO_DISABLE_APIE ? 0 : -ENXIO;
	case KVMU_S390_VM_MIGRATION:
		return 0;
	case KVMU_S390_VM_CPU_TOPOLOGY:
		return topology(kvm);
	default:
		return -ENXIO;
	}
}
