// SPDX-License-Identifier: MIT
/*
 * The GICv3 interrupt model and its CPU interface (ICC_* system
 * registers): which interrupt a vCPU is signalled, acknowledge, priority
 * drop and deactivation, SGIs with affinity routing, injection from the
 * VMM and the timer.  Single security state (GICD_CTLR.DS = 1): group 1
 * interrupts are IRQs, group 0 ones FIQs, as KVM's vGICv3 presents them.
 * Five priority bits, so one active-priority register per group.
 */
#include <errno.h>

#include "arm64.h"

#define CTLR_CBPR	BIT(0)
#define CTLR_EOIMODE	BIT(1)
#define CTLR_RO		(4ULL << 8 | BIT(15))	/* PRIbits 5, 16-bit ids, A3V */
#define SRE_VALUE	0x7			/* SRE, DFB, DIB */
#define MPIDR_AFF	0xffffffULL

struct vgic *vgic_of(struct kvmu_vm *kvm)
{
	return atomic_load(&arm64_vm(kvm)->gic);
}

struct a64_cpu *vgic_cpu_at(struct kvmu_vm *kvm, int i)
{
	struct kvmu_vcpu *v = kvm->vcpus[i];

	return v ? a64_cpu(v) : NULL;
}

struct a64_cpu *vgic_cpu_by_mpidr(struct kvmu_vm *kvm, u64 mpidr)
{
	int i, n = atomic_load(&kvm->nr_vcpus);
	struct a64_cpu *c;

	for (i = 0; i < n; i++) {
		c = vgic_cpu_at(kvm, i);
		if (c && ((__atomic_load_n(&c->sr[SR_MPIDR_EL1],
					   __ATOMIC_RELAXED) ^ mpidr) &
			  0xff00ffffffULL) == 0)
			return c;
	}
	return NULL;
}

struct vgic_irq *vgic_irq(struct vgic *g, struct a64_cpu *c, u32 intid)
{
	if (intid < VGIC_NR_PRIVATE)
		return c ? &c->gic.irq[intid] : NULL;
	if (!g->spis || intid - VGIC_NR_PRIVATE >= g->nr_spis)
		return NULL;
	return &g->spis[intid - VGIC_NR_PRIVATE];
}

bool vgic_irq_pending(const struct vgic_irq *irq)
{
	return irq->latch || (!irq->edge && irq->level);
}

static bool spi_targets(const struct vgic_irq *irq, const struct a64_cpu *c)
{
	return (c->sr[SR_MPIDR_EL1] & MPIDR_AFF) == irq->mpidr;
}

/* Group priority of prio for group grp under c's binary points. */
static u32 group_prio(const struct a64_cpu *c, unsigned int grp, u32 prio)
{
	u32 mask;

	if (grp == 0 || (c->gic.ctlr & CTLR_CBPR))
		mask = 0xffu << (c->gic.bpr0 + 1);
	else
		mask = 0xffu << c->gic.bpr1;
	return prio & mask & VGIC_PRI_MASK;
}

/* ICC_RPR_EL1: the highest active priority, 0xff when idle. */
static u32 running_prio(const struct a64_cpu *c)
{
	u32 ap = c->gic.ap[0] | c->gic.ap[1];

	return ap ? (u32)__builtin_ctz(ap) << 3 : 0xff;
}

/*
 * The highest-priority pending, enabled, inactive interrupt of group grp
 * for c (lowest id on a tie), or VGIC_SPURIOUS.  signalled: only one the
 * CPU interface would signal (group enabled, PMR, running priority).
 */
static u32 best_pending(struct vgic *g, struct a64_cpu *c, unsigned int grp,
			bool signalled)
{
	u32 i, best = VGIC_SPURIOUS, bp = 0x100;
	const struct vgic_irq *irq;

	if (signalled && (!g->enabled || !c->gic.igrpen[grp]))
		return VGIC_SPURIOUS;
	for (i = 0; i < VGIC_NR_PRIVATE + g->nr_spis; i++) {
		irq = i < VGIC_NR_PRIVATE ? &c->gic.irq[i] :
		      &g->spis[i - VGIC_NR_PRIVATE];
		if (!irq->enabled || irq->active || irq->group != grp ||
		    !vgic_irq_pending(irq) || irq->prio >= bp)
			continue;
		if (i >= VGIC_NR_PRIVATE && !spi_targets(irq, c))
			continue;
		best = i;
		bp = irq->prio;
	}
	if (best == VGIC_SPURIOUS || !signalled)
		return best;
	if (bp >= c->gic.pmr || group_prio(c, grp, bp) >= running_prio(c))
		return VGIC_SPURIOUS;
	return best;
}

void vgic_update(struct vgic *g, struct a64_cpu *c)
{
	u32 want = 0, old;

	if (best_pending(g, c, 1, true) != VGIC_SPURIOUS)
		want |= 1;		/* IRQ */
	if (best_pending(g, c, 0, true) != VGIC_SPURIOUS)
		want |= 2;		/* FIQ */
	old = atomic_exchange(&c->lines, want);
	if (want & ~old)
		kvmu_vcpu_wake(c->vcpu);
}

void vgic_update_all(struct vgic *g)
{
	int i, n = atomic_load(&g->kvm->nr_vcpus);
	struct a64_cpu *c;

	for (i = 0; i < n; i++) {
		c = vgic_cpu_at(g->kvm, i);
		if (c)
			vgic_update(g, c);
	}
}

void vgic_update_irq(struct vgic *g, struct a64_cpu *c, u32 intid)
{
	struct vgic_irq *irq;

	if (intid < VGIC_NR_PRIVATE) {
		if (c)
			vgic_update(g, c);
		return;
	}
	irq = vgic_irq(g, NULL, intid);
	c = irq ? vgic_cpu_by_mpidr(g->kvm, irq->mpidr) : NULL;
	if (c)
		vgic_update(g, c);
}

int vgic_inject(struct vgic *g, struct a64_cpu *c, u32 intid, bool level,
		bool timer)
{
	struct vgic_irq *irq;
	int ret = 0;

	pthread_mutex_lock(&g->lock);
	if (!g->initialized) {
		ret = -EBUSY;		/* no lazy init for a GICv3 */
		goto out;
	}
	irq = vgic_irq(g, c, intid);
	if (!irq) {
		ret = -EINVAL;
		goto out;
	}
	if (irq->timer && !timer) {
		ret = -EPERM;
		goto out;
	}
	/* vgic_validate_injection: a level that does not change is a no-op */
	if (irq->edge) {
		if (!level)
			goto out;
		irq->latch = true;
	} else {
		if (irq->level == level)
			goto out;
		irq->level = level;
	}
	vgic_update_irq(g, c, intid);
out:
	pthread_mutex_unlock(&g->lock);
	return ret;
}

void vgic_cpu_reset(struct a64_cpu *c)
{
	struct vgic_cpu *v = &c->gic;
	unsigned int i;

	for (i = 0; i < VGIC_NR_PRIVATE; i++) {
		v->irq[i] = (struct vgic_irq){ .group = 1 };
		v->irq[i].edge = i < VGIC_NR_SGIS;
		v->irq[i].enabled = i < VGIC_NR_SGIS;	/* as KVM's reset */
	}
	v->pmr = 0;
	v->bpr0 = 2;
	v->bpr1 = 3;
	v->ctlr = 0;
	v->igrpen[0] = v->igrpen[1] = 0;
	v->ap[0] = v->ap[1] = 0;
	v->timer_level[0] = v->timer_level[1] = false;
}

/* Deactivate intid; an EOIed level SPI is reported after the unlock. */
static int deactivate(struct vgic *g, struct a64_cpu *c, u32 intid)
{
	struct vgic_irq *irq = vgic_irq(g, c, intid);

	if (!irq || !irq->active)
		return -1;
	irq->active = false;
	vgic_update_irq(g, c, intid);
	return intid >= VGIC_NR_PRIVATE && !irq->edge ?
	       (int)(intid - VGIC_NR_PRIVATE) : -1;
}

/* ICC_IAR{0,1}_EL1: acknowledge the signalled interrupt. */
static u32 acknowledge(struct vgic *g, struct a64_cpu *c, unsigned int grp)
{
	u32 intid = best_pending(g, c, grp, true);
	struct vgic_irq *irq;

	if (intid == VGIC_SPURIOUS)
		return intid;
	irq = vgic_irq(g, c, intid);
	irq->active = true;
	irq->latch = false;
	c->gic.ap[grp] |= 1u << (group_prio(c, grp, irq->prio) >> 3);
	vgic_update(g, c);
	return intid;
}

/* ICC_EOIR{0,1}_EL1: priority drop, and deactivation unless EOImode. */
static int end_of_irq(struct vgic *g, struct a64_cpu *c, unsigned int grp,
		      u32 intid)
{
	u32 ap = c->gic.ap[grp];

	if (intid >= 1020 && intid <= 1023)
		return -1;
	if (ap)
		c->gic.ap[grp] = ap & (ap - 1);
	vgic_update(g, c);
	if (c->gic.ctlr & CTLR_EOIMODE)
		return -1;
	return deactivate(g, c, intid);
}

/* ICC_SGI{0,1}R_EL1 / ICC_ASGI1R_EL1: vgic_v3_dispatch_sgi. */
static void send_sgi(struct vgic *g, struct a64_cpu *src, u64 v, bool g1)
{
	u32 sgi = BITS(v, 27, 24), rs = BITS(v, 47, 44);
	int i, n = atomic_load(&g->kvm->nr_vcpus);
	u64 aff = BITS(v, 23, 16) << 8 | BITS(v, 39, 32) << 16 |
		  BITS(v, 55, 48) << 32;
	struct a64_cpu *t;
	u32 bit;

	for (i = 0; i < n; i++) {
		struct vgic_irq *irq;
		u64 m;

		t = vgic_cpu_at(g->kvm, i);
		if (!t)
			continue;
		m = t->sr[SR_MPIDR_EL1];
		if (v & BIT(40)) {		/* IRM: everyone but me */
			if (t == src)
				continue;
		} else {
			bit = (u32)(m & 0xff);
			if (((m & 0xff00ffff00ULL) != aff) || bit / 16 != rs ||
			    !(v & (1u << (bit % 16))))
				continue;
		}
		irq = &t->gic.irq[sgi];
		if (irq->group && !g1)
			continue;	/* a group 0 request makes group 0 only */
		irq->latch = true;
		vgic_update(g, t);
	}
}

static u32 apr_read(struct a64_cpu *c, unsigned int grp, unsigned int n)
{
	return n ? 0 : c->gic.ap[grp];		/* 5 bits: APxR0 only */
}

static void apr_write(struct a64_cpu *c, unsigned int grp, unsigned int n,
		      u64 v)
{
	if (!n)
		c->gic.ap[grp] = (u32)v;
}

/* Registers both the guest and KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS reach. */
static bool common_read(struct a64_cpu *c, int idx, u64 *v)
{
	struct vgic_cpu *s = &c->gic;

	switch (idx) {
	case SR_ICC_PMR_EL1: *v = s->pmr; return true;
	case SR_ICC_BPR0_EL1: *v = s->bpr0; return true;
	case SR_ICC_BPR1_EL1:
		*v = (s->ctlr & CTLR_CBPR) ? s->bpr0 + 1 : s->bpr1;
		if (*v > 7)
			*v = 7;
		return true;
	case SR_ICC_CTLR_EL1: *v = CTLR_RO | (s->ctlr & 3); return true;
	case SR_ICC_SRE_EL1: *v = SRE_VALUE; return true;
	case SR_ICC_IGRPEN0_EL1: *v = s->igrpen[0]; return true;
	case SR_ICC_IGRPEN1_EL1: *v = s->igrpen[1]; return true;
	case SR_ICC_AP0R0_EL1: case SR_ICC_AP0R1_EL1:
	case SR_ICC_AP0R2_EL1: case SR_ICC_AP0R3_EL1:
		*v = apr_read(c, 0, (unsigned int)(idx - SR_ICC_AP0R0_EL1));
		return true;
	case SR_ICC_AP1R0_EL1: case SR_ICC_AP1R1_EL1:
	case SR_ICC_AP1R2_EL1: case SR_ICC_AP1R3_EL1:
		*v = apr_read(c, 1, (unsigned int)(idx - SR_ICC_AP1R0_EL1));
		return true;
	default:
		return false;
	}
}

static bool common_write(struct a64_cpu *c, int idx, u64 v)
{
	struct vgic_cpu *s = &c->gic;

	switch (idx) {
	case SR_ICC_PMR_EL1: s->pmr = (u32)v & VGIC_PRI_MASK; return true;
	case SR_ICC_BPR0_EL1: s->bpr0 = v < 2 ? 2 : (u32)v & 7; return true;
	case SR_ICC_BPR1_EL1:
		if (!(s->ctlr & CTLR_CBPR))
			s->bpr1 = v < 3 ? 3 : (u32)v & 7;
		return true;
	case SR_ICC_CTLR_EL1: s->ctlr = (u32)v & 3; return true;
	case SR_ICC_SRE_EL1: return true;
	case SR_ICC_IGRPEN0_EL1: s->igrpen[0] = v & 1; return true;
	case SR_ICC_IGRPEN1_EL1: s->igrpen[1] = v & 1; return true;
	case SR_ICC_AP0R0_EL1: case SR_ICC_AP0R1_EL1:
	case SR_ICC_AP0R2_EL1: case SR_ICC_AP0R3_EL1:
		apr_write(c, 0, (unsigned int)(idx - SR_ICC_AP0R0_EL1), v);
		return true;
	case SR_ICC_AP1R0_EL1: case SR_ICC_AP1R1_EL1:
	case SR_ICC_AP1R2_EL1: case SR_ICC_AP1R3_EL1:
		apr_write(c, 1, (unsigned int)(idx - SR_ICC_AP1R0_EL1), v);
		return true;
	default:
		return false;
	}
}

/* The guest's write-only registers and IAR/HPPIR/RPR; -1 SPI to ack. */
static int guest_special(struct vgic *g, struct a64_cpu *c, int idx,
			 bool read, u64 *v)
{
	switch (idx) {
	case SR_ICC_IAR0_EL1: *v = acknowledge(g, c, 0); return -1;
	case SR_ICC_IAR1_EL1: *v = acknowledge(g, c, 1); return -1;
	case SR_ICC_HPPIR0_EL1: *v = best_pending(g, c, 0, false); return -1;
	case SR_ICC_HPPIR1_EL1: *v = best_pending(g, c, 1, false); return -1;
	case SR_ICC_RPR_EL1: *v = running_prio(c); return -1;
	case SR_ICC_EOIR0_EL1: return end_of_irq(g, c, 0, *v & 0xffffff);
	case SR_ICC_EOIR1_EL1: return end_of_irq(g, c, 1, *v & 0xffffff);
	case SR_ICC_DIR_EL1: return deactivate(g, c, *v & 0xffffff);
	case SR_ICC_SGI1R_EL1: send_sgi(g, c, *v, true); return -1;
	case SR_ICC_SGI0R_EL1:
	case SR_ICC_ASGI1R_EL1: send_sgi(g, c, *v, false); return -1;
	}
	if (read)
		common_read(c, idx, v);
	else if (common_write(c, idx, *v))
		vgic_update(g, c);
	return -1;
}

int vgic_sysreg(struct a64_cpu *c, int idx, bool read, u64 *val)
{
	struct vgic *g = vgic_of(c->kvm);
	int spi;

	if (!g)
		return -1;		/* no GICv3: the ICC registers UNDEF */
	pthread_mutex_lock(&g->lock);
	spi = guest_special(g, c, idx, read, val);
	pthread_mutex_unlock(&g->lock);
	if (spi >= 0)
		kvmu_irq_ack(c->kvm, 0, (u32)spi);	/* resamplefds */
	return 0;
}

#define KEY(op0, op1, crn, crm, op2) \
	((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))

/* KVM's gic_v3_icc_reg_descs: the registers user space may save. */
static const struct { u32 key; int idx; } uregs[] = {
	{ KEY(3, 0, 4, 6, 0), SR_ICC_PMR_EL1 },
	{ KEY(3, 0, 12, 8, 3), SR_ICC_BPR0_EL1 },
	{ KEY(3, 0, 12, 8, 4), SR_ICC_AP0R0_EL1 },
	{ KEY(3, 0, 12, 8, 5), SR_ICC_AP0R1_EL1 },
	{ KEY(3, 0, 12, 8, 6), SR_ICC_AP0R2_EL1 },
	{ KEY(3, 0, 12, 8, 7), SR_ICC_AP0R3_EL1 },
	{ KEY(3, 0, 12, 9, 0), SR_ICC_AP1R0_EL1 },
	{ KEY(3, 0, 12, 9, 1), SR_ICC_AP1R1_EL1 },
	{ KEY(3, 0, 12, 9, 2), SR_ICC_AP1R2_EL1 },
	{ KEY(3, 0, 12, 9, 3), SR_ICC_AP1R3_EL1 },
	{ KEY(3, 0, 12, 12, 3), SR_ICC_BPR1_EL1 },
	{ KEY(3, 0, 12, 12, 4), SR_ICC_CTLR_EL1 },
	{ KEY(3, 0, 12, 12, 5), SR_ICC_SRE_EL1 },
	{ KEY(3, 0, 12, 12, 6), SR_ICC_IGRPEN0_EL1 },
	{ KEY(3, 0, 12, 12, 7), SR_ICC_IGRPEN1_EL1 },
};

int vgic_sysreg_uaccess(struct a64_cpu *c, u32 key, bool write, u64 *val)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(uregs) && uregs[i].key != key; i++)
		;
	if (i == ARRAY_SIZE(uregs))
		return -ENXIO;
	if (!c)
		return 0;		/* has_attr */
	if (!write)
		return common_read(c, uregs[i].idx, val) ? 0 : -ENXIO;
	/* set_gic_ctlr/set_gic_sre: the read-only fields must match */
	if (uregs[i].idx == SR_ICC_CTLR_EL1 && (*val & ~3ULL) != CTLR_RO)
		return -EINVAL;
	if (uregs[i].idx == SR_ICC_SRE_EL1 && !(*val & 1))
		return -EINVAL;
	common_write(c, uregs[i].idx, *val);
	return 0;
}
