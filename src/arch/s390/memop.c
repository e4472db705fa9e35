// SPDX-License-Identifier: MIT
/*
 * KVM_S390_MEM_OP (vCPU: logical accesses through the vCPU's DAT; VM:
 * absolute accesses) and KVM_S390_GET/SET_SKEYS.  A positive return is
 * the program-interruption code the access would raise, as api.rst says;
 * with KVM_S390_MEMOP_F_INJECT_EXCEPTION it is also injected.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "s390.h"
#include "s390_handlers.h"

#define MEM_OP_MAX	65536

static int validate(struct kvm_s390_mem_op *m, u64 flags)
{
	if ((m->flags & ~flags) || !m->size)
		return -EINVAL;
	if (m->size > MEM_OP_MAX)
		return -E2BIG;
	if (m->flags & KVM_S390_MEMOP_F_SKEY_PROTECTION) {
		if (m->key > 0xf)
			return -EINVAL;
	} else {
		m->key = 0;
	}
	return 0;
}

static int inject(struct s390_cpu *c, int code, u8 ar)
{
	struct kvm_s390_irq irq = { .type = KVM_S390_PROGRAM_INT };

	irq.u.pgm.code = (u16)code;
	irq.u.pgm.trans_exc_code = c->teid;
	irq.u.pgm.exc_access_id = ar;
	return s390_inject_vcpu(c, &irq);
}

/* Logical access: check every page first so nothing is half written. */
static long logical(struct s390_cpu *c, struct kvm_s390_mem_op *m, u8 *buf)
{
	enum s390_acc acc = m->op == KVM_S390_MEMOP_LOGICAL_READ ? ACC_FETCH :
							     ACC_STORE;
	long r;

	c->mask = c->run->psw_mask;
	r = s390_access(c, m->gaddr, NULL, m->size, acc, m->key);
	if (r || !buf)
		return r;
	if (acc == ACC_STORE) {
		r = kvmu_copy_from_user(buf, m->buf, m->size);
		return r ? r : s390_access(c, m->gaddr, buf, m->size, acc,
					   m->key);
	}
	r = s390_access(c, m->gaddr, buf, m->size, acc, m->key);
	return r ? r : kvmu_copy_to_user(m->buf, buf, m->size);
}

long s390_vcpu_mem_op(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct s390_cpu *c = s390_cpu((struct kvmu_vcpu *)obj);
	struct kvm_s390_mem_op *m = r->karg;
	u8 *buf = NULL;
	long ret;

	if (m->op == KVM_S390_MEMOP_SIDA_READ ||
	    m->op == KVM_S390_MEMOP_SIDA_WRITE)
		return s390_pv_sida_op(c, m);
	if (m->op != KVM_S390_MEMOP_LOGICAL_READ &&
	    m->op != KVM_S390_MEMOP_LOGICAL_WRITE)
		return -EINVAL;
	if (c->pv_cpu)		/* its storage is the Ultravisor's */
		return -EINVAL;
	ret = validate(m, KVM_S390_MEMOP_F_CHECK_ONLY |
		       KVM_S390_MEMOP_F_INJECT_EXCEPTION |
		       KVM_S390_MEMOP_F_SKEY_PROTECTION);
	if (ret)
		return ret;
	if (m->ar >= 16)
		return -EINVAL;
	if (!(m->flags & KVM_S390_MEMOP_F_CHECK_ONLY)) {
		buf = malloc(m->size);
		if (!buf)
			return -ENOMEM;
	}
	ret = logical(c, m, buf);
	free(buf);
	if (ret > 0 && (m->flags & KVM_S390_MEMOP_F_INJECT_EXCEPTION))
		inject(c, (int)ret, m->ar);
	return ret;
}

/* Key-controlled protection for an absolute access (no CR0 overrides). */
static int abs_check(struct kvmu_vm *kvm, u64 gpa, u64 len, bool store,
		     u8 key)
{
	struct s390_vm *vm = s390_vm(kvm);
	u64 a;

	for (a = gpa & ~0xfffULL; a < gpa + len; a += 4096) {
		u8 sk;

		if (!s390_abs_host(kvm, a < gpa ? gpa : a, 1, NULL))
			return PGM_ADDRESSING;
		sk = s390_key_get(vm, a);
		if (key && (sk >> 4) != key && (store || (sk & 0x08)))
			return PGM_PROTECTION;
	}
	return 0;
}

/* Copy between buf and absolute storage, page by page. */
static void abs_copy(struct kvmu_vm *kvm, u64 gpa, u8 *buf, u64 len,
		     bool store)
{
	const struct kvmu_memslot *slot;

	while (len) {
		u64 n = 4096 - (gpa & 0xfff);
		u8 *p;

		n = n > len ? len : n;
		p = s390_abs_host(kvm, gpa, n, &slot);
		if (store) {
			memcpy(p, buf, n);
			kvmu_memslot_mark_dirty(slot, gpa);
		} else {
			memcpy(buf, p, n);
		}
		gpa += n;
		buf += n;
		len -= n;
	}
}

long s390_vm_mem_op(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *kvm = (struct kvmu_vm *)obj;
	struct kvm_s390_mem_op *m = r->karg;
	bool store = m->op == KVM_S390_MEMOP_ABSOLUTE_WRITE;
	u8 *buf;
	long ret;

	ret = validate(m, KVM_S390_MEMOP_F_CHECK_ONLY |
		       KVM_S390_MEMOP_F_SKEY_PROTECTION);
	if (ret)
		return ret;
	if (!store && m->op != KVM_S390_MEMOP_ABSOLUTE_READ)
		return -EINVAL;
	if (s390_pv(s390_vm(kvm)))	/* the VM has a PV handle */
		return -EINVAL;
	ret = abs_check(kvm, m->gaddr, m->size, store, m->key);
	if (ret || (m->flags & KVM_S390_MEMOP_F_CHECK_ONLY))
		return ret;
	buf = malloc(m->size);
	if (!buf)
		return -ENOMEM;
	if (store) {
		ret = kvmu_copy_from_user(buf, m->buf, m->size);
		if (!ret)
			abs_copy(kvm, m->gaddr, buf, m->size, true);
	} else {
		abs_copy(kvm, m->gaddr, buf, m->size, false);
		ret = kvmu_copy_to_user(m->buf, buf, m->size);
	}
	free(buf);
	return ret;
}

static int skeys_args(const struct kvm_s390_skeys *k)
{
	if (k->flags)
		return -EINVAL;
	if (k->count < 1 || k->count > KVM_S390_SKEYS_MAX)
		return -EINVAL;
	return 0;
}

long s390_vm_get_skeys(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *kvm = (struct kvmu_vm *)obj;
	const struct kvm_s390_skeys *k = r->karg;
	u8 *keys;
	u64 i;
	long ret = skeys_args(k);

	if (ret)
		return ret;
	if (!atomic_load(&s390_vm(kvm)->skeys_enabled))
		return KVM_S390_GET_SKEYS_NONE;
	keys = malloc(k->count);
	if (!keys)
		return -ENOMEM;
	for (i = 0; i < k->count && !ret; i++) {
		u64 a = (k->start_gfn + i) << 12;

		if (!s390_abs_host(kvm, a, 1, NULL))
			ret = -EFAULT;
		else
			keys[i] = s390_key_get(s390_vm(kvm), a);
	}
	if (!ret)
		ret = kvmu_copy_to_user(k->skeydata_addr, keys, k->count);
	free(keys);
	return ret;
}

long s390_vm_set_skeys(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *kvm = (struct kvmu_vm *)obj;
	const struct kvm_s390_skeys *k = r->karg;
	u8 *keys;
	u64 i;
	long ret = skeys_args(k);

	if (ret)
		return ret;
	keys = malloc(k->count);
	if (!keys)
		return -ENOMEM;
	ret = kvmu_copy_from_user(keys, k->skeydata_addr, k->count);
	if (!ret)
		atomic_store(&s390_vm(kvm)->skeys_enabled, true);
	for (i = 0; i < k->count && !ret; i++) {
		u64 a = (k->start_gfn + i) << 12;

		if (keys[i] & 0x01)
			ret = -EINVAL;
		else if (!s390_abs_host(kvm, a, 1, NULL))
			ret = -EFAULT;
		else
			ret = s390_key_set(s390_vm(kvm), a, keys[i]);
	}
	free(keys);
	return ret;
}
