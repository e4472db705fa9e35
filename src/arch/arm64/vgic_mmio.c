// SPDX-License-Identifier: MIT
/*
 * The GICv3 distributor and redistributor registers as tables (the
 * register layout of arch/arm64/kvm/vgic/vgic-mmio-v3.c): one line per
 * register range with its allowed access widths, the bits each interrupt
 * takes (per-interrupt registers) and its kind.  The distributor's
 * per-interrupt registers leave the 32 private interrupts to the
 * redistributors (RAZ/WI there); intids beyond the configured number
 * have no register.  A guest access that matches no line reads as zero
 * and is ignored (as KVM); a user access (device attribute) gets ENXIO.
 * No LPIs (no ITS): PROPBASER/PENDBASER/INVLPIR/INVALLR/SYNCR are RAZ/WI.
 */
#include <errno.h>
#include <string.h>

#include "arm64.h"

enum reg_kind {
	R_RAZ, R_RAO, R_MISC, R_GROUP, R_SENABLE, R_CENABLE, R_SPEND,
	R_CPEND, R_SACTIVE, R_CACTIVE, R_PRIO, R_CFG, R_ROUTER, R_IDREGS,
	R_RCTLR, R_RIIDR, R_RTYPER,
};

#define A8	1
#define A32	4
#define A64	8

struct vgic_reg {
	u32 off, len;
	u8 bpi;			/* bits per interrupt, 0: plain register */
	u8 acc;			/* allowed widths (bytes, or-ed) */
	u8 kind;
	bool shared;		/* distributor: the private part is RAZ/WI */
};

#define SHARED(o, bpi, acc, k) { o, (bpi) * 1024 / 8, bpi, acc, k, true }
#define PLAIN(o, len, acc, k)  { o, len, 0, acc, k, false }
#define PRIV(o, bpi, acc, k)   { o, (bpi) * 32 / 8, bpi, acc, k, false }

static const struct vgic_reg dist_regs[] = {
	PLAIN(0x0000, 16, A32, R_MISC),		/* CTLR TYPER IIDR TYPER2 */
	PLAIN(0x0010, 4, A32, R_RAO),		/* STATUSR, as KVM */
	SHARED(0x0080, 1, A32, R_GROUP),
	SHARED(0x0100, 1, A32, R_SENABLE),
	SHARED(0x0180, 1, A32, R_CENABLE),
	SHARED(0x0200, 1, A32, R_SPEND),
	SHARED(0x0280, 1, A32, R_CPEND),
	SHARED(0x0300, 1, A32, R_SACTIVE),
	SHARED(0x0380, 1, A32, R_CACTIVE),
	SHARED(0x0400, 8, A32 | A8, R_PRIO),
	SHARED(0x0800, 8, A32 | A8, R_RAZ),	/* ITARGETSR: ARE is 1 */
	SHARED(0x0c00, 2, A32, R_CFG),
	SHARED(0x0d00, 1, A32, R_RAZ),		/* IGRPMODR */
	SHARED(0x6000, 64, A64 | A32, R_ROUTER),
	PLAIN(0xffd0, 48, A32, R_IDREGS),
};

#define SGI	0x10000
static const struct vgic_reg rd_regs[] = {
	PLAIN(0x0000, 4, A32, R_RCTLR),
	PLAIN(0x0004, 4, A32, R_RIIDR),
	PLAIN(0x0008, 8, A64 | A32, R_RTYPER),
	PLAIN(0x0010, 4, A32, R_RAZ),		/* STATUSR */
	PLAIN(0x0014, 4, A32, R_RAZ),		/* WAKER: never asleep */
	PLAIN(0x0070, 8, A64 | A32, R_RAZ),	/* PROPBASER */
	PLAIN(0x0078, 8, A64 | A32, R_RAZ),	/* PENDBASER */
	PLAIN(0x00a0, 8, A64 | A32, R_RAZ),	/* INVLPIR */
	PLAIN(0x00b0, 8, A64 | A32, R_RAZ),	/* INVALLR */
	PLAIN(0x00c0, 4, A32, R_RAZ),		/* SYNCR: never busy */
	PLAIN(0xffd0, 48, A32, R_IDREGS),
	PRIV(SGI + 0x0080, 1, A32, R_GROUP),
	PRIV(SGI + 0x0100, 1, A32, R_SENABLE),
	PRIV(SGI + 0x0180, 1, A32, R_CENABLE),
	PRIV(SGI + 0x0200, 1, A32, R_SPEND),
	PRIV(SGI + 0x0280, 1, A32, R_CPEND),
	PRIV(SGI + 0x0300, 1, A32, R_SACTIVE),
	PRIV(SGI + 0x0380, 1, A32, R_CACTIVE),
	PRIV(SGI + 0x0400, 8, A32 | A8, R_PRIO),
	PRIV(SGI + 0x0c00, 2, A32, R_CFG),
	PLAIN(SGI + 0x0d00, 4, A32, R_RAZ),	/* IGRPMODR0 */
	PLAIN(SGI + 0x0e00, 4, A32, R_RAZ),	/* NSACR */
};

/* vgic_get_mmio_region: the line for an access, or NULL. */
static const struct vgic_reg *find(struct vgic *g, bool dist, u32 off,
				   u32 len)
{
	const struct vgic_reg *t = dist ? dist_regs : rd_regs, *r;
	size_t i, n = dist ? ARRAY_SIZE(dist_regs) : ARRAY_SIZE(rd_regs);
	u32 nr_irqs = VGIC_NR_PRIVATE + g->nr_spis;

	for (i = 0; i < n; i++) {
		r = &t[i];
		if (off < r->off || off >= r->off + r->len)
			continue;
		if (!(r->acc & len) || (off & (len - 1)))
			return NULL;
		if (r->shared && (off - r->off) * 8 / r->bpi >= nr_irqs)
			return NULL;
		return r;
	}
	return NULL;
}

bool vgic_mmio_has(struct vgic *g, bool dist, u32 off)
{
	return find(g, dist, off, 4) != NULL;
}

static u32 misc_read(struct vgic *g, u32 off)
{
	switch (off & 0xc) {
	case 0x0:		/* CTLR: EnableGrp1NS, ARE_NS, DS */
		return (g->enabled ? BIT(1) : 0) | BIT(4) | BIT(6);
	case 0x4:		/* TYPER: ITLinesNumber, 10 id bits */
		return (((VGIC_NR_PRIVATE + g->nr_spis) >> 5) - 1) | (9u << 19);
	case 0x8:		/* IIDR: KVM's product id, Arm implementer */
		return 0x4b000000u | g->rev << 12 | 0x43b;
	default:
		return 0;
	}
}

static int misc_write(struct vgic *g, u32 off, u32 v, bool uaccess)
{
	switch (off & 0xc) {
	case 0x0:
		g->enabled = v & BIT(1);
		if (!uaccess)
			vgic_update_all(g);
		return 0;
	case 0x8:
		if (!uaccess)
			return 0;
		/* only the revision may differ: 2 or 3 */
		if ((v ^ misc_read(g, off)) & ~0xf000u)
			return -EINVAL;
		if (BITS(v, 15, 12) != 2 && BITS(v, 15, 12) != 3)
			return -EINVAL;
		g->rev = BITS(v, 15, 12);
		return 0;
	default:
		return 0;
	}
}

static u64 rd_typer(struct vgic *g, struct a64_cpu *rd)
{
	u64 v = (rd->sr[SR_MPIDR_EL1] & 0xffffffULL) << 32 |
		((u64)rd->vcpu->id & 0xffff) << 8;

	if (vgic_rd_is_last(g, rd))
		v |= BIT(4);
	return v;
}

/* The bpi-bit field of one interrupt in a per-interrupt register. */
static u64 irq_field(struct vgic *g, const struct vgic_irq *irq, u8 kind,
		     bool uaccess)
{
	switch (kind) {
	case R_GROUP: return irq->group;
	case R_SENABLE: case R_CENABLE: return irq->enabled;
	case R_SPEND:
		/* user space saves the line level apart (LEVEL_INFO) */
		return uaccess ? irq->latch : vgic_irq_pending(irq);
	case R_CPEND: return uaccess ? 0 : vgic_irq_pending(irq);
	case R_SACTIVE: case R_CACTIVE: return irq->active;
	case R_PRIO: return irq->prio;
	case R_CFG: return irq->edge ? 2 : 0;
	case R_ROUTER: return g ? irq->mpidr : 0;
	default: return 0;
	}
}

static void irq_set_field(struct vgic_irq *irq, u32 intid, u8 kind, u64 f,
			  bool uaccess)
{
	switch (kind) {
	case R_GROUP: irq->group = f & 1; break;
	case R_SENABLE: if (f & 1) irq->enabled = true; break;
	case R_CENABLE: if (f & 1) irq->enabled = false; break;
	case R_SPEND:
		if (f & 1)
			irq->latch = true;
		else if (uaccess)
			irq->latch = false;
		break;
	case R_CPEND: if ((f & 1) && !uaccess) irq->latch = false; break;
	case R_SACTIVE: if (f & 1) irq->active = true; break;
	case R_CACTIVE: if (f & 1) irq->active = false; break;
	case R_PRIO: irq->prio = (u8)f & VGIC_PRI_MASK; break;
	case R_CFG:
		/* SGIs are edge, PPIs level: only SPIs are configurable */
		if (intid >= VGIC_NR_PRIVATE)
			irq->edge = f & 2;
		break;
	case R_ROUTER: irq->mpidr = (u32)f & 0xffffff; break;
	}
}

/* A per-interrupt register: len bytes at byte off of the line's range. */
static void per_irq(struct vgic *g, struct a64_cpu *c, const struct vgic_reg *r,
		    u32 off, u32 len, u64 *val, bool write, bool uaccess)
{
	u32 first = (off - r->off) * 8 / r->bpi, n = len * 8 / r->bpi, i;
	u64 mask = r->bpi == 64 ? ~0ULL : (1ULL << r->bpi) - 1;
	u32 shift = r->bpi == 64 ? (off & 4) * 8 : 0;
	struct vgic_irq *irq;

	if (r->bpi == 64)
		n = 1;		/* IROUTER: one register, either half */
	if (!write)
		*val = 0;
	for (i = 0; i < n; i++) {
		irq = vgic_irq(g, c, first + i);
		if (!irq || (r->shared && first + i < VGIC_NR_PRIVATE))
			continue;
		if (!write) {
			*val |= (irq_field(g, irq, r->kind, uaccess) & mask)
				<< (i * r->bpi) >> shift;
			continue;
		}
		if (r->bpi == 64) {
			if (!(off & 4))	/* the upper word (Aff3) is WI */
				irq_set_field(irq, first, r->kind, *val,
					      uaccess);
		} else {
			irq_set_field(irq, first + i, r->kind,
				      (*val >> (i * r->bpi)) & mask, uaccess);
		}
		if (r->kind == R_ROUTER)
			vgic_update_all(g);
		else if (!uaccess)
			vgic_update_irq(g, c, first + i);
	}
	if (uaccess && write && r->kind != R_ROUTER)
		vgic_update_all(g);
}

int vgic_mmio(struct vgic *g, struct a64_cpu *vc, struct a64_cpu *rd,
	      u32 off, u32 len, u64 *val, bool write, bool uaccess)
{
	const struct vgic_reg *r = find(g, !rd, off, len);
	u32 sub = off - (r ? r->off : 0);

	if (!r) {
		if (!write)
			*val = 0;
		return uaccess ? -ENXIO : 0;
	}
	if (r->bpi) {
		per_irq(g, rd ? rd : vc, r, off, len, val, write, uaccess);
		return 0;
	}
	if (write) {
		if (r->kind == R_MISC)
			return misc_write(g, off, (u32)*val, uaccess);
		return 0;	/* the rest of the plain registers ignore writes */
	}
	switch (r->kind) {
	case R_RAO: *val = ~0u; break;
	case R_MISC: *val = misc_read(g, off); break;
	case R_IDREGS: *val = (off & 0xffff) == 0xffe8 ? 0x3b : 0; break;
	case R_RCTLR: *val = g->rev >= 3 ? 0x6 : 0; break;	/* IR, CES */
	case R_RIIDR: *val = 0x4b000000u | 0x43b; break;
	case R_RTYPER:
		*val = rd_typer(g, rd) >> ((sub & 4) * 8);
		if (len == 4)
			*val &= 0xffffffffULL;
		break;
	default: *val = 0; break;
	}
	return 0;
}

/* ---- the guest's accesses through the I/O bus ---- */

static int bus_access(struct kvmu_io_dev *dev, struct kvmu_vcpu *vcpu,
		      u64 addr, u32 len, void *val, bool write, bool dist)
{
	struct a64_cpu *rd = dist ? NULL : dev->priv;
	struct vgic *g = dist ? dev->priv : vgic_of(rd->kvm);
	struct a64_cpu *vc = vcpu ? a64_cpu(vcpu) : NULL;
	u64 base = dist ? g->dist_base : rd->gic.rd_base, v = 0;

	if (!vc)
		return -EOPNOTSUPP;
	if (write)
		memcpy(&v, val, len);
	pthread_mutex_lock(&g->lock);
	vgic_mmio(g, vc, rd, (u32)(addr - base), len, &v, write, false);
	pthread_mutex_unlock(&g->lock);
	if (!write)
		memcpy(val, &v, len);
	return 0;
}

static int dist_read(struct kvmu_io_dev *d, struct kvmu_vcpu *v, u64 a,
		     u32 len, void *val)
{
	return bus_access(d, v, a, len, val, false, true);
}

static int dist_write(struct kvmu_io_dev *d, struct kvmu_vcpu *v, u64 a,
		      u32 len, const void *val)
{
	return bus_access(d, v, a, len, (void *)val, true, true);
}

static int rd_read(struct kvmu_io_dev *d, struct kvmu_vcpu *v, u64 a,
		   u32 len, void *val)
{
	return bus_access(d, v, a, len, val, false, false);
}

static int rd_write(struct kvmu_io_dev *d, struct kvmu_vcpu *v, u64 a,
		    u32 len, const void *val)
{
	return bus_access(d, v, a, len, (void *)val, true, false);
}

const struct kvmu_io_dev_ops vgic_dist_io_ops = { dist_read, dist_write };
const struct kvmu_io_dev_ops vgic_rd_io_ops = { rd_read, rd_write };
