// SPDX-License-Identifier: MIT
/*
 * The arm64 vCPU ioctls: KVM_ARM_VCPU_INIT, KVM_GET/SET_ONE_REG and
 * KVM_GET_REG_LIST (core, firmware, timer and system registers),
 * KVM_GET/SET_MP_STATE, KVM_GET/SET_VCPU_EVENTS and KVM_RUN.  Errors
 * follow arch/arm64/kvm/{arm,guest,reset}.c: ENOEXEC before the first
 * KVM_ARM_VCPU_INIT, ENOENT for undefined feature bits and unknown
 * registers, EINVAL for unsupported features and wrong sizes.
 */
#include <errno.h>
#include <string.h>

#include "arm64.h"
#include "arm64_handlers.h"
#include "psci.h"

#define SUPPORTED_FEATURES \
	(BIT(KVMU_ARM_VCPU_POWER_OFF) | BIT(KVMU_ARM_VCPU_PSCI_0_2))
#define NR_CORE_U32	(sizeof(struct kvmu_arm64_regs) / sizeof(u32))
#define REG_SIZE(id)	(1U << (((id) & KVM_REG_SIZE_MASK) >> KVM_REG_SIZE_SHIFT))

static struct a64_cpu *cpu_of(struct kvmu_obj *obj)
{
	return a64_cpu((struct kvmu_vcpu *)obj);
}

static int check_features(const struct kvmu_arm64_vcpu_init *in)
{
	u32 f = in->features[0];
	size_t i;

	if (f & ~(u32)(BIT(KVMU_ARM_VCPU_MAX_FEATURES) - 1))
		return -ENOENT;
	for (i = 1; i < ARRAY_SIZE(in->features); i++)
		if (in->features[i])
			return -ENOENT;
	if (f & ~SUPPORTED_FEATURES)
		return -EINVAL;
	return 0;
}

long arm64_vcpu_init(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct a64_cpu *c = cpu_of(obj);
	const struct kvmu_arm64_vcpu_init *in = r->karg;
	struct arm64_vm *vm = c->vm;
	u32 f = in->features[0] & ~(u32)BIT(KVMU_ARM_VCPU_POWER_OFF);
	int rc;

	if (in->target != KVMU_ARM_TARGET_GENERIC_V8)
		return -EINVAL;
	rc = check_features(in);
	if (rc)
		return rc;
	pthread_mutex_lock(&vm->lock);
	if ((vm->features_set && vm->features != f) ||
	    (c->initialized && c->features != f)) {
		pthread_mutex_unlock(&vm->lock);
		return -EINVAL;
	}
	vm->features = f;
	vm->features_set = true;
	pthread_mutex_unlock(&vm->lock);
	c->features = f;
	a64_reset(c);
	c->initialized = true;
	atomic_store(&c->power, (in->features[0] &
			BIT(KVMU_ARM_VCPU_POWER_OFF)) ? PWR_OFF : PWR_ON);
	return 0;
}

long arm64_preferred_target(struct kvmu_obj *obj KVMU_UNUSED,
			    struct kvmu_ioctl_req *r)
{
	struct kvmu_arm64_vcpu_init *out = r->karg;

	memset(out, 0, sizeof(*out));
	out->target = KVMU_ARM_TARGET_GENERIC_V8;
	return 0;
}

/* ---- core registers: struct kvm_regs indexed in u32 units ---- */

static void regs_get(struct a64_cpu *c, struct kvmu_arm64_regs *k)
{
	memcpy(k->regs.regs, c->x, sizeof(c->x));
	k->regs.sp = c->sp_el0;
	k->regs.pc = c->pc;
	k->regs.pstate = c->pstate;
	k->sp_el1 = c->sp_el1;
	k->elr_el1 = c->elr_el1;
	memcpy(k->spsr, c->spsr, sizeof(c->spsr));
	memcpy(k->fp_regs.vregs, c->v, sizeof(c->v));
	k->fp_regs.fpsr = c->fpsr;
	k->fp_regs.fpcr = c->fpcr;
	k->fp_regs.reserved[0] = k->fp_regs.reserved[1] = 0;
}

static void regs_set(struct a64_cpu *c, const struct kvmu_arm64_regs *k)
{
	memcpy(c->x, k->regs.regs, sizeof(c->x));
	c->sp_el0 = k->regs.sp;
	c->pc = k->regs.pc;
	c->pstate = k->regs.pstate;
	c->sp_el1 = k->sp_el1;
	c->elr_el1 = k->elr_el1;
	memcpy(c->spsr, k->spsr, sizeof(c->spsr));
	memcpy(c->v, k->fp_regs.vregs, sizeof(c->v));
	c->fpsr = k->fp_regs.fpsr;
	c->fpcr = k->fp_regs.fpcr;
}

/* core_reg_size_from_offset: the register's size, or -EINVAL. */
static int core_size(u64 off)
{
	const u64 vr = KVMU_REG_ARM_CORE_REG(fp_regs.vregs[0]);
	int size;

	if (off <= KVMU_REG_ARM_CORE_REG(spsr[KVMU_ARM64_NR_SPSR - 1]))
		size = 8;
	else if (off >= vr && off <= KVMU_REG_ARM_CORE_REG(fp_regs.vregs[31]))
		size = 16;
	else if (off == KVMU_REG_ARM_CORE_REG(fp_regs.fpsr) ||
		 off == KVMU_REG_ARM_CORE_REG(fp_regs.fpcr))
		size = 4;
	else
		return -EINVAL;
	if (off % (u64)(size / 4))
		return -EINVAL;
	return size;
}

static int core_reg(struct a64_cpu *c, const struct kvm_one_reg *r, bool set)
{
	u64 off = r->id & ~(KVM_REG_ARCH_MASK | KVM_REG_SIZE_MASK |
			    KVMU_REG_ARM_CORE);
	unsigned int size = REG_SIZE(r->id);
	struct kvmu_arm64_regs k;
	u64 mode = 0;
	int rc;

	if (off >= NR_CORE_U32 || off + size / 4 >= NR_CORE_U32)
		return -ENOENT;
	if (core_size(off) != (int)size)
		return -EINVAL;
	regs_get(c, &k);
	if (!set)
		return kvmu_copy_to_user(r->addr, (u8 *)&k + off * 4, size);
	rc = kvmu_copy_from_user((u8 *)&k + off * 4, r->addr, size);
	if (rc)
		return rc;
	if (off == KVMU_REG_ARM_CORE_REG(regs.pstate)) {
		mode = k.regs.pstate & PST_M;
		if (mode != PST_EL0t && mode != PST_EL1t && mode != PST_EL1h)
			return -EINVAL;
	}
	regs_set(c, &k);
	return 0;
}

/* ---- firmware pseudo-registers ---- */

static int fw_get(struct a64_cpu *c, u64 id, u64 *v)
{
	if (id == KVMU_REG_ARM_PSCI_VERSION)
		*v = (c->features & BIT(KVMU_ARM_VCPU_PSCI_0_2)) ?
		     c->vm->psci_version : PSCI_VERSION_0_1;
	else if (id == KVMU_REG_ARM_SMCCC_WA1 || id == KVMU_REG_ARM_SMCCC_WA3)
		*v = 2;		/* NOT_REQUIRED */
	else if (id == KVMU_REG_ARM_SMCCC_WA2)
		*v = 3;		/* NOT_REQUIRED */
	else
		return -ENOENT;
	return 0;
}

static int fw_set(struct a64_cpu *c, u64 id, u64 v)
{
	bool v02 = c->features & BIT(KVMU_ARM_VCPU_PSCI_0_2);

	if (id == KVMU_REG_ARM_PSCI_VERSION) {
		if (v == PSCI_VERSION_0_1)
			return v02 ? -EINVAL : 0;
		if (v != PSCI_VERSION_0_2 && v != PSCI_VERSION_1_0 &&
		    v != PSCI_VERSION_1_1)
			return -EINVAL;
		if (!v02)
			return -EINVAL;
		__atomic_store_n(&c->vm->psci_version, (u32)v,
				 __ATOMIC_RELAXED);
		return 0;
	}
	if (id == KVMU_REG_ARM_SMCCC_WA1 || id == KVMU_REG_ARM_SMCCC_WA3)
		return v <= 2 ? 0 : -EINVAL;
	if (id == KVMU_REG_ARM_SMCCC_WA2)
		return v <= 3 ? 0 : -EINVAL;
	return -ENOENT;
}

static int u64_reg(struct a64_cpu *c, const struct kvm_one_reg *r, bool set)
{
	u64 v = 0;
	int idx, rc;
	bool fw = (r->id & KVMU_REG_ARM_COPROC_MASK) == KVMU_REG_ARM_FW;

	idx = fw ? 0 : a64_sysreg_from_id(r->id);
	if (idx < 0)
		return -ENOENT;
	if (!set) {
		rc = fw ? fw_get(c, r->id, &v) : a64_sysreg_get(c, idx, &v);
		return rc ? rc : kvmu_copy_to_user(r->addr, &v, sizeof(v));
	}
	if (fw && fw_get(c, r->id, &v))
		return -ENOENT;
	rc = kvmu_copy_from_user(&v, r->addr, sizeof(v));
	if (rc)
		return rc;
	return fw ? fw_set(c, r->id, v) : a64_sysreg_set(c, idx, v);
}

static long one_reg(struct kvmu_obj *obj, const struct kvm_one_reg *r,
		    bool set)
{
	struct a64_cpu *c = cpu_of(obj);

	if (!c->initialized)
		return -ENOEXEC;
	if ((r->id & ~KVM_REG_SIZE_MASK) >> 32 != KVMU_REG_ARM64 >> 32)
		return -EINVAL;
	switch (r->id & KVMU_REG_ARM_COPROC_MASK) {
	case KVMU_REG_ARM_CORE:
		return core_reg(c, r, set);
	case KVMU_REG_ARM64_SVE:
	case KVMU_REG_ARM_FW_FEAT_BMAP:
	case KVMU_REG_ARM_DEMUX:
		return -ENOENT;
	default:
		return u64_reg(c, r, set);
	}
}

long arm64_get_one_reg(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return one_reg(obj, r->karg, false);
}

long arm64_set_one_reg(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return one_reg(obj, r->karg, true);
}

static const u64 fw_ids[] = {
	KVMU_REG_ARM_PSCI_VERSION, KVMU_REG_ARM_SMCCC_WA1,
	KVMU_REG_ARM_SMCCC_WA2, KVMU_REG_ARM_SMCCC_WA3,
};

/* Every register id, in KVM's order: core, firmware, system. */
static unsigned int reg_ids(u64 *ids, unsigned int max)
{
	unsigned int n = 0, i;
	int size;

	for (i = 0; i < NR_CORE_U32; i++) {
		size = core_size(i);
		if (size < 0)
			continue;
		if (ids && n < max)
			ids[n] = KVMU_REG_ARM64 | KVMU_REG_ARM_CORE | i |
				 (size == 4 ? KVM_REG_SIZE_U32 : size == 8 ?
				  KVM_REG_SIZE_U64 : KVM_REG_SIZE_U128);
		n++;
	}
	for (i = 0; i < ARRAY_SIZE(fw_ids); i++, n++)
		if (ids && n < max)
			ids[n] = fw_ids[i];
	return n + a64_sysreg_list(ids ? ids + n : NULL,
				   max > n ? max - n : 0);
}

long arm64_get_reg_list(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct a64_cpu *c = cpu_of(obj);
	struct kvm_reg_list hdr;
	u64 ids[256];
	unsigned int n;
	int rc;

	if (!c->initialized)
		return -ENOEXEC;
	rc = kvmu_copy_from_user(&hdr, r->uarg, sizeof(hdr));
	if (rc)
		return rc;
	n = reg_ids(ids, ARRAY_SIZE(ids));
	if (hdr.n < n) {
		hdr.n = n;
		rc = kvmu_copy_to_user(r->uarg, &hdr, sizeof(hdr));
		return rc ? rc : -E2BIG;
	}
	hdr.n = n;
	rc = kvmu_copy_to_user(r->uarg, &hdr, sizeof(hdr));
	if (rc)
		return rc;
	return kvmu_copy_to_user(r->uarg + sizeof(hdr), ids, n * sizeof(u64));
}

long arm64_get_mp_state(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvm_mp_state *mp = r->karg;

	mp->mp_state = atomic_load(&cpu_of(obj)->power) == PWR_OFF ?
		       KVM_MP_STATE_STOPPED : KVM_MP_STATE_RUNNABLE;
	return 0;
}

long arm64_set_mp_state(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	const struct kvm_mp_state *mp = r->karg;
	struct a64_cpu *c = cpu_of(obj);

	switch (mp->mp_state) {
	case KVM_MP_STATE_RUNNABLE:
		atomic_store(&c->power, PWR_ON);
		return 0;
	case KVM_MP_STATE_STOPPED:
		atomic_store(&c->power, PWR_OFF);
		return 0;
	default:
		return -EINVAL;
	}
}

long arm64_get_vcpu_events(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_arm64_vcpu_events *e = r->karg;
	struct a64_cpu *c = cpu_of(obj);

	memset(e, 0, sizeof(*e));
	e->exception.serror_pending = c->serror_pending;
	return 0;
}

long arm64_set_vcpu_events(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	const struct kvmu_arm64_vcpu_events *e = r->karg;
	struct a64_cpu *c = cpu_of(obj);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(e->reserved); i++)
		if (e->reserved[i])
			return -EINVAL;
	for (i = 0; i < sizeof(e->exception.pad); i++)
		if (e->exception.pad[i])
			return -EINVAL;
	/* no RAS extension: an SError syndrome cannot be chosen */
	if (e->exception.serror_pending && e->exception.serror_has_esr)
		return -EINVAL;
	if (e->exception.serror_pending) {
		c->serror_pending = true;
		c->serror_esr = 0;
	}
	if (e->exception.ext_dabt_pending)
		c->dabt_pending = true;
	return 0;
}

int arm64_vcpu_run(struct kvmu_vcpu *vcpu)
{
	struct a64_cpu *c = a64_cpu(vcpu);

	if (!c->initialized)
		return -ENOEXEC;
	/* an MMIO access completes even when KVM_RUN returns at once */
	a64_mmio_complete(c);
	if (c->dabt_pending) {
		c->dabt_pending = false;
		c->ipc = c->pc;
		a64_sync_exc(c, (u32)(a64_el(c) ? EC_DABT_CUR : EC_DABT_LOW)
			     << 26 | FSC_EXT, 0, false);
	}
	return a64_cpu_run(c);
}
