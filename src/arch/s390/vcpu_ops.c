// SPDX-License-Identifier: MIT
/*
 * s390 vCPU ioctls and KVM_RUN state transfer.  As in KVM, the general,
 * access and floating-point registers and the PSW live in kvm_run between
 * runs (the sync-regs area is always valid for them), while the prefix,
 * control registers and timers live in the vCPU and are copied into
 * kvm_run on every exit and taken back only when kvm_dirty_regs says so.
 */
#include <errno.h>
#include <string.h>

#include "s390.h"
#include "s390_handlers.h"

#define PFAULT_TOKEN_INVALID	(~0ULL)
#define FPC_VALID		0xf8f8ff07u

static struct s390_cpu *cpu_of(struct kvmu_obj *obj)
{
	return s390_cpu((struct kvmu_vcpu *)obj);
}

static bool fpc_valid(u32 fpc)
{
	u32 rm = fpc & 7;

	return !(fpc & ~FPC_VALID) && (rm < 4 || rm == 7);
}

void s390_vcpu_start(struct s390_cpu *c)
{
	c->stopped = false;
}

void s390_vcpu_stop(struct s390_cpu *c)
{
	c->stopped = true;
}

static void normal_reset(struct s390_cpu *c)
{
	c->pft = PFAULT_TOKEN_INVALID;
	memset(c->run->s.regs.riccb, 0, sizeof(c->run->s.regs.riccb));
	if (!c->vm->user_cpu_state_ctrl)
		s390_vcpu_stop(c);
	s390_clear_local_irqs(c);
}

void s390_initial_reset(struct s390_cpu *c)
{
	struct kvmu_s390_sync_regs *s = &c->run->s.regs;

	normal_reset(c);
	c->run->psw_mask = 0;
	c->run->psw_addr = 0;
	c->prefix = 0;
	s390_set_cputm(c, 0);
	c->ckc = 0;
	memset(c->crs, 0, sizeof(c->crs));
	c->crs[0] = CR0_INITIAL;
	c->crs[14] = CR14_INITIAL;
	c->gbea = 1;
	c->pp = 0;
	c->todpr = 0;
	s->fpc = 0;
	s->bpbc = 0;
	s->prefix = 0;
	s->cputm = 0;
	s->ckc = 0;
	s->todpr = 0;
	s->pp = 0;
	s->gbea = 1;
	memcpy(s->crs, c->crs, sizeof(s->crs));
	s390_tlb_flush(c);
}

static void clear_reset(struct s390_cpu *c)
{
	struct kvmu_s390_sync_regs *s = &c->run->s.regs;

	s390_initial_reset(c);
	memset(s->gprs, 0, sizeof(s->gprs));
	memset(s->vrs, 0, sizeof(s->vrs));
	memset(s->acrs, 0, sizeof(s->acrs));
	memset(s->gscb, 0, sizeof(s->gscb));
	s->etoken = 0;
	s->etoken_extension = 0;
}

/* The resets of a protected vCPU also reset it in the UV. */
long s390_initial_reset_ioctl(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	(void)r;
	s390_initial_reset(cpu_of(obj));
	return s390_pv_cpu_reset(cpu_of(obj), 0x0311);
}

long s390_normal_reset_ioctl(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	(void)r;
	normal_reset(cpu_of(obj));
	return s390_pv_cpu_reset(cpu_of(obj), 0x0310);
}

long s390_clear_reset_ioctl(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	(void)r;
	clear_reset(cpu_of(obj));
	return s390_pv_cpu_reset(cpu_of(obj), 0x0321);
}

long s390_get_regs(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	memcpy(r->karg, cpu_of(obj)->run->s.regs.gprs, 128);
	return 0;
}

long s390_set_regs(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	memcpy(cpu_of(obj)->run->s.regs.gprs, r->karg, 128);
	return 0;
}

long s390_get_sregs(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_s390_sregs *sr = r->karg;
	struct s390_cpu *c = cpu_of(obj);

	memcpy(sr->acrs, c->run->s.regs.acrs, sizeof(sr->acrs));
	memcpy(sr->crs, c->crs, sizeof(sr->crs));
	return 0;
}

long s390_set_sregs(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	const struct kvmu_s390_sregs *sr = r->karg;
	struct s390_cpu *c = cpu_of(obj);

	memcpy(c->run->s.regs.acrs, sr->acrs, sizeof(sr->acrs));
	memcpy(c->crs, sr->crs, sizeof(sr->crs));
	s390_tlb_flush(c);
	return 0;
}

long s390_get_fpu(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_s390_fpu *f = r->karg;
	struct s390_cpu *c = cpu_of(obj);

	f->fpc = c->run->s.regs.fpc;
	memcpy(f->fprs, c->run->s.regs.fprs, sizeof(f->fprs));
	return 0;
}

long s390_set_fpu(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	const struct kvmu_s390_fpu *f = r->karg;
	struct s390_cpu *c = cpu_of(obj);

	if (!fpc_valid(f->fpc))
		return -EINVAL;
	c->run->s.regs.fpc = f->fpc;
	memcpy(c->run->s.regs.fprs, f->fprs, sizeof(f->fprs));
	return 0;
}

long s390_set_initial_psw(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	const struct kvm_s390_psw *psw = r->karg;
	struct s390_cpu *c = cpu_of(obj);

	if (!c->stopped)
		return -EBUSY;
	c->run->psw_mask = psw->mask;
	c->run->psw_addr = psw->addr;
	return 0;
}

/* The ONE_REG register behind id, with its size; NULL when unknown. */
static u64 *one_reg(struct s390_cpu *c, u64 id, size_t *size)
{
	*size = 8;
	switch (id) {
	case KVMU_REG_S390_TODPR:
		*size = 4;
		return &c->todpr;
	case KVMU_REG_S390_EPOCHDIFF:
		return &c->vm->tod_epoch;
	case KVMU_REG_S390_CPU_TIMER:
		return &c->cputm;
	case KVMU_REG_S390_CLOCK_COMP:
		return &c->ckc;
	case KVMU_REG_S390_PFTOKEN:
		return &c->pft;
	case KVMU_REG_S390_PFCOMPARE:
		return &c->pfc;
	case KVMU_REG_S390_PFSELECT:
		return &c->pfs;
	case KVMU_REG_S390_PP:
		return &c->pp;
	case KVMU_REG_S390_GBEA:
		return &c->gbea;
	default:
		return NULL;
	}
}

/* ONE_REG: refused for a protected vCPU before the argument is read. */
static int one_reg_in(struct s390_cpu *c, struct kvmu_ioctl_req *r,
		      struct kvm_one_reg *reg)
{
	if (c->pv_cpu)
		return -EINVAL;
	return kvmu_copy_from_user(reg, r->uarg, sizeof(*reg));
}

long s390_get_one_reg(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvm_one_reg one, *reg = &one;
	struct s390_cpu *c = cpu_of(obj);
	size_t size;
	u64 *p, v;
	u32 v32;
	int ret = one_reg_in(c, r, reg);

	if (ret)
		return ret;
	p = one_reg(c, reg->id, &size);
	if (!p)
		return -EINVAL;
	v = reg->id == KVMU_REG_S390_CPU_TIMER ? c->cputm : *p;
	v32 = (u32)v;
	return kvmu_copy_to_user((unsigned long)reg->addr,
				 size == 4 ? (void *)&v32 : (void *)&v, size);
}

long s390_set_one_reg(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvm_one_reg one, *reg = &one;
	struct s390_cpu *c = cpu_of(obj);
	size_t size;
	u64 *p, v = 0;
	u32 v32;
	int ret = one_reg_in(c, r, reg);

	if (ret)
		return ret;
	p = one_reg(c, reg->id, &size);
	if (!p)
		return -EINVAL;
	ret = kvmu_copy_from_user(size == 4 ? (void *)&v32 : (void *)&v,
				  (unsigned long)reg->addr, size);
	if (ret)
		return ret;
	if (size == 4)
		v = v32;
	if (reg->id == KVMU_REG_S390_CPU_TIMER)
		s390_set_cputm(c, v);
	else
		*p = v;
	return 0;
}

long s390_get_mp_state(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvm_mp_state *mp = r->karg;

	mp->mp_state = cpu_of(obj)->stopped ? KVM_MP_STATE_STOPPED :
					      KVM_MP_STATE_OPERATING;
	return 0;
}

long s390_set_mp_state(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	const struct kvm_mp_state *mp = r->karg;
	struct s390_cpu *c = cpu_of(obj);

	c->vm->user_cpu_state_ctrl = true;
	if (c->pv_cpu)
		return s390_pv_set_mp_state(c, mp->mp_state);
	switch (mp->mp_state) {
	case KVM_MP_STATE_STOPPED:
		s390_vcpu_stop(c);
		return 0;
	case KVM_MP_STATE_OPERATING:
		s390_vcpu_start(c);
		return 0;
	default:	/* LOAD (protected guests only), CHECK_STOP */
		return -ENXIO;
	}
}

long s390_vcpu_interrupt(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	const struct kvm_s390_interrupt *in = r->karg;
	struct kvm_s390_irq irq = { .type = in->type };

	switch (in->type) {
	case KVM_S390_PROGRAM_INT:
		if (in->parm & 0xffff0000)
			return -EINVAL;
		irq.u.pgm.code = (u16)in->parm;
		break;
	case KVM_S390_SIGP_SET_PREFIX:
		irq.u.prefix.address = in->parm;
		break;
	case KVM_S390_SIGP_STOP:
		irq.u.stop.flags = in->parm;
		break;
	case KVM_S390_INT_EXTERNAL_CALL:
		if (in->parm & 0xffff0000)
			return -EINVAL;
		irq.u.extcall.code = (u16)in->parm;
		break;
	case KVM_S390_INT_EMERGENCY:
		if (in->parm & 0xffff0000)
			return -EINVAL;
		irq.u.emerg.code = (u16)in->parm;
		break;
	}
	return s390_inject_vcpu(cpu_of(obj), &irq);
}

long s390_vcpu_irq(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return s390_inject_vcpu(cpu_of(obj), r->karg);
}

/* Store status (PoP "Store Status") at absolute save-area base. */
static int store_status(struct s390_cpu *c, u64 base)
{
	struct kvmu_s390_sync_regs *s = &c->run->s.regs;
	u8 b[0x200] = { 0 };
	int i;

	for (i = 0; i < 16; i++) {
		put_be64(b + i * 8, s->fprs[i]);
		put_be64(b + 0x80 + i * 8, s->gprs[i]);
		put_be32(b + 0x140 + i * 4, s->acrs[i]);
		put_be64(b + 0x180 + i * 8, c->crs[i]);
	}
	put_be64(b + 0x100, c->run->psw_mask);
	put_be64(b + 0x108, c->run->psw_addr);
	put_be32(b + 0x118, c->prefix);
	put_be32(b + 0x11c, s->fpc);
	put_be32(b + 0x124, (u32)c->todpr);
	put_be64(b + 0x128, s390_cputm(c));
	put_be64(b + 0x130, c->ckc >> 8);
	return s390_abs_write(c, base + 0x1200, b, sizeof(b));
}

long s390_store_status_ioctl(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct s390_cpu *c = cpu_of(obj);
	u64 a = r->uarg;
	u8 arch = 1;

	if (a == (u64)KVM_S390_STORE_STATUS_NOADDR) {
		if (s390_abs_write(c, 163, &arch, 1))
			return -EFAULT;
		a = 0;
	} else if (a == (u64)KVM_S390_STORE_STATUS_PREFIXED) {
		a = c->prefix;
	} else {
		a -= 0x1200;
	}
	return store_status(c, a);
}

/* kvm_run -> vCPU at KVM_RUN entry. */
static void sync_in(struct s390_cpu *c)
{
	struct kvmu_s390_run *run = c->run;
	struct kvmu_s390_sync_regs *s = &run->s.regs;
	u64 dirty = run->kvm_dirty_regs;

	c->mask = run->psw_mask;
	c->addr = run->psw_addr;
	if (dirty & KVMU_SYNC_PREFIX)
		c->prefix = (u32)s->prefix & 0x7fffe000u;
	if (dirty & KVMU_SYNC_CRS)
		memcpy(c->crs, s->crs, sizeof(c->crs));
	if (dirty & KVMU_SYNC_ARCH0) {
		c->cputm = s->cputm;
		c->ckc = s->ckc;
		c->todpr = s->todpr;
		c->pp = s->pp;
		c->gbea = s->gbea;
	}
	if (dirty & KVMU_SYNC_PFAULT) {
		c->pft = s->pft;
		c->pfs = s->pfs;
		c->pfc = s->pfc;
	}
	if (dirty & KVMU_SYNC_DIAG318)
		c->diag318 = s->diag318;
	memcpy(c->gprs, s->gprs, sizeof(c->gprs));
	memcpy(c->acrs, s->acrs, sizeof(c->acrs));
	memcpy(c->fprs, s->fprs, sizeof(c->fprs));
	c->fpc = fpc_valid(s->fpc) ? s->fpc : 0;
	run->kvm_dirty_regs = 0;
	s390_set_cputm(c, c->cputm);
	s390_tlb_flush(c);
}

/* vCPU -> kvm_run at KVM_RUN exit. */
static void sync_out(struct s390_cpu *c)
{
	struct kvmu_s390_run *run = c->run;
	struct kvmu_s390_sync_regs *s = &run->s.regs;

	run->psw_mask = c->mask;
	run->psw_addr = c->addr;
	c->cputm = s390_cputm(c);
	s->prefix = c->prefix;
	memcpy(s->crs, c->crs, sizeof(c->crs));
	s->cputm = c->cputm;
	s->ckc = c->ckc;
	s->todpr = c->todpr;
	s->pp = c->pp;
	s->gbea = c->gbea;
	s->pft = c->pft;
	s->pfs = c->pfs;
	s->pfc = c->pfc;
	s->diag318 = c->diag318;
	memcpy(s->gprs, c->gprs, sizeof(c->gprs));
	memcpy(s->acrs, c->acrs, sizeof(c->acrs));
	memcpy(s->fprs, c->fprs, sizeof(c->fprs));
	s->fpc = c->fpc;
}

int s390_vcpu_run(struct kvmu_vcpu *vcpu)
{
	struct s390_cpu *c = s390_cpu(vcpu);
	struct kvmu_s390_run *run = c->run;
	int rc;

	bool pv = c->pv_cpu != 0;

	if ((run->kvm_valid_regs | run->kvm_dirty_regs) &
	    ~KVMU_SYNC_VALID_FIELDS)
		return -EINVAL;
	if (c->vm->pv_dumping)		/* no vCPU runs during a PV dump */
		return -EINVAL;
	if (!c->vm->user_cpu_state_ctrl)
		s390_vcpu_start(c);
	else if (c->stopped)
		return -EINVAL;
	if (pv) {
		rc = s390_pv_run_enter(c);
		if (rc)
			return rc;
	} else {
		sync_in(c);
	}
	rc = s390_deliver_irqs(c);
	c->icptcode = 0;
	if (rc == S390_EXIT)
		rc = 0;
	else if (rc >= 0)
		rc = s390_cpu_run(c);
	if (pv)
		s390_pv_run_exit(c);
	else
		sync_out(c);
	return rc;
}
