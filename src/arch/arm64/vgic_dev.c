// SPDX-License-Identifier: MIT
/*
 * KVM_DEV_TYPE_ARM_VGIC_V3: the device's life cycle and attributes as
 * arch/arm64/kvm/vgic/{vgic-init,vgic-kvm-device,vgic-mmio-v3}.c give
 * them: one per VM (EEXIST), refused once a vCPU has run (EBUSY); the
 * distributor and redistributor (region) addresses with their alignment,
 * overlap and IPA-size checks; the number of interrupts; CTRL_INIT; the
 * register groups (which need CTRL_INIT: EBUSY); the checks of the first
 * KVM_RUN (ENXIO, EINVAL, EBUSY).  Redistributors are handed to vCPUs in
 * creation order, from the first region with room, as the kernel does.
 * The GIC belongs to the VM: closing the device fd leaves it in place.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arm64.h"

#define RD_SIZE		KVMU_VGIC_V3_REDIST_SIZE
#define DIST_SIZE	KVMU_VGIC_V3_DIST_SIZE
#define SZ_64K		0x10000ULL

static int nr_vcpus(struct vgic *g)
{
	return atomic_load(&g->kvm->nr_vcpus);
}

static u64 region_size(struct vgic *g, const struct vgic_region *r)
{
	return (r->count ? r->count : (u64)nr_vcpus(g)) * RD_SIZE;
}

/* vgic_check_iorange */
static int check_iorange(struct vgic *g, u64 cur, u64 addr, u64 align,
			 u64 size)
{
	u64 top = 1ULL << arm64_vm(g->kvm)->ipa_bits;

	if (cur != VGIC_UNDEF)
		return -EEXIST;
	if ((addr & (align - 1)) || (size & (align - 1)))
		return -EINVAL;
	if (addr + size < addr)
		return -EINVAL;
	if (addr >= top || addr + size > top)
		return -E2BIG;
	return 0;
}

static bool overlap(u64 a, u64 alen, u64 b, u64 blen)
{
	return a + alen > b && a < b + blen;
}

static bool rdist_overlap(struct vgic *g, u64 base, u64 size)
{
	u32 i;

	for (i = 0; i < g->nr_regions; i++)
		if (overlap(base, size, g->regions[i].base,
			    region_size(g, &g->regions[i])))
			return true;
	return false;
}

/* vgic_v3_check_base: every region inside the IPA space, none on DIST. */
static bool check_base(struct vgic *g)
{
	u32 i;

	if (g->dist_base != VGIC_UNDEF && g->dist_base + DIST_SIZE <
	    g->dist_base)
		return false;
	for (i = 0; i < g->nr_regions; i++)
		if (check_iorange(g, VGIC_UNDEF, g->regions[i].base, SZ_64K,
				  region_size(g, &g->regions[i])))
			return false;
	if (g->dist_base == VGIC_UNDEF)
		return true;
	return !rdist_overlap(g, g->dist_base, DIST_SIZE);
}

/* vgic_register_redist_iodev's bookkeeping: give c a redistributor. */
static int assign_rd(struct vgic *g, struct a64_cpu *c)
{
	struct vgic_region *r = NULL;
	u32 i;

	if (c->gic.rd_base != VGIC_UNDEF)
		return 0;
	for (i = 0; i < g->nr_regions && !r; i++)
		if (!g->regions[i].count ||
		    g->regions[i].free < g->regions[i].count)
			r = &g->regions[i];
	if (!r)
		return 0;	/* later, when a region comes */
	if (!check_base(g))
		return -EINVAL;
	c->gic.rdreg = (int)i - 1;
	c->gic.rdreg_slot = r->free;
	c->gic.rd_base = r->base + r->free * RD_SIZE;
	r->free++;
	return 0;
}

/* Hand redistributors to every vCPU lacking one; undone on failure. */
static int assign_all(struct vgic *g)
{
	int i, j, n = nr_vcpus(g), ret = 0;
	struct a64_cpu *c;

	for (i = 0; i < n && !ret; i++) {
		c = vgic_cpu_at(g->kvm, i);
		if (c)
			ret = assign_rd(g, c);
	}
	if (!ret)
		return 0;
	for (j = 0; j < i - 1; j++) {
		c = vgic_cpu_at(g->kvm, j);
		if (c && c->gic.rdreg == (int)g->nr_regions - 1) {
			c->gic.rd_base = VGIC_UNDEF;
			c->gic.rdreg = -1;
		}
	}
	g->nr_regions--;		/* the new region goes */
	return ret;
}

bool vgic_rd_is_last(struct vgic *g, struct a64_cpu *c)
{
	const struct vgic_region *r;
	u64 end;
	u32 i;

	if (c->gic.rdreg < 0)
		return false;
	r = &g->regions[c->gic.rdreg];
	if (c->gic.rdreg_slot + 1 < r->free)
		return false;
	if (r->count && c->gic.rdreg_slot == r->count - 1) {
		end = r->base + r->count * RD_SIZE;
		for (i = 0; i < g->nr_regions; i++)
			if (g->regions[i].base == end && g->regions[i].free)
				return false;
	}
	return true;
}

/* vgic_v3_alloc_redist_region + vgic_v3_set_redist_base */
static int add_region(struct vgic *g, u32 index, u64 base, u32 count)
{
	u64 size = (count ? count : (u64)nr_vcpus(g)) * RD_SIZE;
	struct vgic_region *last, *nr;
	int ret;

	if (base + size < base)
		return -EINVAL;
	if (!g->nr_regions) {
		if (index != 0)
			return -EINVAL;
	} else {
		last = &g->regions[g->nr_regions - 1];
		if (!count && last->count)
			return -EINVAL;
		if (!count)
			return -EEXIST;
		if (index != last->index + 1)
			return -EINVAL;
	}
	if (!count && g->dist_base != VGIC_UNDEF &&
	    overlap(base, size, g->dist_base, DIST_SIZE))
		return -EINVAL;
	if (rdist_overlap(g, base, size))
		return -EINVAL;
	ret = check_iorange(g, VGIC_UNDEF, base, SZ_64K, size);
	if (ret)
		return ret;
	if (g->nr_regions == g->cap_regions) {
		u32 cap = g->cap_regions ? g->cap_regions * 2 : 4;

		nr = realloc(g->regions, cap * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		g->regions = nr;
		g->cap_regions = cap;
	}
	g->regions[g->nr_regions++] = (struct vgic_region){ base, count,
							    index, 0 };
	return assign_all(g);
}

static const struct vgic_region *region_by_index(struct vgic *g, u32 index)
{
	u32 i;

	for (i = 0; i < g->nr_regions; i++)
		if (g->regions[i].index == index)
			return &g->regions[i];
	return NULL;
}

/* kvm_vgic_addr; -ENODEV for an unknown type (the caller makes ENXIO). */
static int addr_attr(struct vgic *g, u64 type, u64 *addr, bool write)
{
	const struct vgic_region *r;
	u64 a = *addr;
	int ret;

	switch (type) {
	case KVMU_VGIC_V3_ADDR_TYPE_DIST:
		if (!write) {
			*addr = g->dist_base;
			return 0;
		}
		ret = check_iorange(g, g->dist_base, a, SZ_64K, DIST_SIZE);
		if (!ret)
			g->dist_base = a;
		return ret;
	case KVMU_VGIC_V3_ADDR_TYPE_REDIST:
		if (write)
			return add_region(g, 0, a, 0);
		*addr = g->nr_regions ? g->regions[0].base : VGIC_UNDEF;
		return 0;
	case KVMU_VGIC_V3_ADDR_TYPE_REDIST_REGION:
		if (write) {
			u32 count = (u32)(a >> KVMU_VGIC_V3_RDIST_COUNT_SHIFT);

			if (!count || ((a >> KVMU_VGIC_V3_RDIST_FLAGS_SHIFT) &
				       KVMU_VGIC_V3_RDIST_FLAGS_MASK))
				return -EINVAL;
			return add_region(g, (u32)(a &
					  KVMU_VGIC_V3_RDIST_INDEX_MASK),
					  a & KVMU_VGIC_V3_RDIST_BASE_MASK,
					  count);
		}
		r = region_by_index(g, (u32)(a & KVMU_VGIC_V3_RDIST_INDEX_MASK));
		if (!r)
			return -ENOENT;
		*addr = r->index | r->base |
			(u64)r->count << KVMU_VGIC_V3_RDIST_COUNT_SHIFT;
		return 0;
	default:
		return -ENODEV;
	}
}

static int group_addr(struct vgic *g, const struct kvm_device_attr *at,
		      bool write)
{
	u64 addr = 0;
	int ret = 0;

	if (write || at->attr == KVMU_VGIC_V3_ADDR_TYPE_REDIST_REGION)
		ret = kvmu_copy_from_user(&addr, at->addr, sizeof(addr));
	if (ret)
		return ret;
	pthread_mutex_lock(&g->lock);
	ret = addr_attr(g, at->attr, &addr, write);
	pthread_mutex_unlock(&g->lock);
	if (ret == -ENODEV)
		return -ENXIO;
	if (!ret && !write)
		ret = kvmu_copy_to_user(at->addr, &addr, sizeof(addr));
	return ret;
}

/* vgic_init: freeze the SPI count, reset the interrupts, route GSIs. */
static int gic_init(struct vgic *g)
{
	struct kvm_irq_routing_entry *e;
	u32 i;
	int n;

	pthread_mutex_lock(&g->lock);
	if (g->initialized) {
		pthread_mutex_unlock(&g->lock);
		return 0;
	}
	if (!g->nr_spis)
		g->nr_spis = VGIC_DEFAULT_IRQS - VGIC_NR_PRIVATE;
	g->spis = calloc(g->nr_spis, sizeof(*g->spis));
	e = calloc(g->nr_spis, sizeof(*e));
	if (!g->spis || !e) {
		free(g->spis);
		g->spis = NULL;
		free(e);
		pthread_mutex_unlock(&g->lock);
		return -ENOMEM;
	}
	for (i = 0; i < g->nr_spis; i++) {
		g->spis[i].group = 1;		/* level, vCPU 0 */
		e[i].gsi = i;
		e[i].type = KVM_IRQ_ROUTING_IRQCHIP;
		e[i].u.irqchip.pin = i;
	}
	n = nr_vcpus(g);
	for (i = 0; i < (u32)n; i++)
		if (vgic_cpu_at(g->kvm, (int)i))
			vgic_cpu_reset(vgic_cpu_at(g->kvm, (int)i));
	g->initialized = true;
	pthread_mutex_unlock(&g->lock);
	/* kvm_vgic_setup_default_irq_routing: GSI n is SPI 32 + n */
	n = kvmu_irq_set_routing(g->kvm, e, g->nr_spis);
	free(e);
	return n;
}

static int group_nr_irqs(struct vgic *g, const struct kvm_device_attr *at,
			 bool write)
{
	u32 v;
	int ret;

	if (!write) {
		pthread_mutex_lock(&g->lock);
		v = g->nr_spis + VGIC_NR_PRIVATE;
		pthread_mutex_unlock(&g->lock);
		return kvmu_copy_to_user(at->addr, &v, sizeof(v));
	}
	ret = kvmu_copy_from_user(&v, at->addr, sizeof(v));
	if (ret)
		return ret;
	if (v < VGIC_NR_PRIVATE + 32 || v > VGIC_MAX_RESERVED || (v & 31))
		return -EINVAL;
	pthread_mutex_lock(&g->lock);
	if (g->ready || g->nr_spis)
		ret = -EBUSY;
	else
		g->nr_spis = v - VGIC_NR_PRIVATE;
	pthread_mutex_unlock(&g->lock);
	return ret;
}

/* kvm_trylock_all_vcpus: a vCPU inside KVM_RUN makes the caller wait. */
static bool any_running(struct vgic *g)
{
	int i, n = nr_vcpus(g);

	for (i = 0; i < n; i++)
		if (g->kvm->vcpus[i] && atomic_load(&g->kvm->vcpus[i]->in_run))
			return true;
	return false;
}

static int group_ctrl(struct vgic *g, const struct kvm_device_attr *at)
{
	switch (at->attr) {
	case KVMU_DEV_ARM_VGIC_CTRL_INIT:
		return gic_init(g);
	case KVMU_DEV_ARM_VGIC_SAVE_PENDING_TABLES:
		/* no ITS, so no LPIs and no pending table to write */
		return any_running(g) ? -EBUSY : 0;
	default:
		return -ENXIO;
	}
}

/* vgic_v3_parse_attr: the vCPU an attribute names (DIST: vCPU 0). */
static struct a64_cpu *attr_vcpu(struct vgic *g,
				 const struct kvm_device_attr *at)
{
	u64 m = at->attr >> KVMU_DEV_ARM_VGIC_V3_MPIDR_SHIFT;

	if (at->group == KVMU_DEV_ARM_VGIC_GRP_DIST_REGS)
		return nr_vcpus(g) ? vgic_cpu_at(g->kvm, 0) : NULL;
	/* VGIC_TO_MPIDR: Aff3 moves from bits 31:24 to 39:32 */
	return vgic_cpu_by_mpidr(g->kvm, (m & 0xffffff) | (m >> 24) << 32);
}

static int level_info(struct vgic *g, struct a64_cpu *c, u64 attr,
		      bool write, u32 *val)
{
	u32 info = (u32)((attr >> KVMU_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT) &
			 KVMU_DEV_ARM_VGIC_LINE_LEVEL_INFO_MASK);
	u32 intid = attr & KVMU_DEV_ARM_VGIC_LINE_LEVEL_INTID_MASK, i;
	struct vgic_irq *irq;

	if (info != KVMU_VGIC_LEVEL_INFO_LINE_LEVEL || intid % 32)
		return -EINVAL;
	if (!write)
		*val = 0;
	for (i = 0; i < 32; i++) {
		irq = intid + i < VGIC_NR_SGIS ? NULL :
		      vgic_irq(g, c, intid + i);
		if (!irq || irq->edge)
			continue;
		if (write)
			irq->level = (*val >> i) & 1;
		else if (irq->level)
			*val |= 1u << i;
	}
	if (write)
		vgic_update_all(g);
	return 0;
}

static int regs_locked(struct vgic *g, struct a64_cpu *c,
		       const struct kvm_device_attr *at, bool write, u64 *v)
{
	u32 off = (u32)(at->attr & KVMU_DEV_ARM_VGIC_OFFSET_MASK), v32;
	int ret;

	switch (at->group) {
	case KVMU_DEV_ARM_VGIC_GRP_DIST_REGS:
	case KVMU_DEV_ARM_VGIC_GRP_REDIST_REGS:
		return vgic_mmio(g, c, at->group ==
				 KVMU_DEV_ARM_VGIC_GRP_REDIST_REGS ? c : NULL,
				 off, 4, v, write, true);
	case KVMU_DEV_ARM_VGIC_GRP_CPU_SYSREGS:
		ret = vgic_sysreg_uaccess(c, (u32)(at->attr &
				KVMU_DEV_ARM_VGIC_SYSREG_INSTR_MASK), write, v);
		if (!ret && write)
			vgic_update(g, c);
		return ret;
	default:
		v32 = (u32)*v;
		ret = level_info(g, c, at->attr, write, &v32);
		*v = v32;
		return ret;
	}
}

/* vgic_v3_attr_regs_access */
static int group_regs(struct vgic *g, const struct kvm_device_attr *at,
		      bool write)
{
	bool sys = at->group == KVMU_DEV_ARM_VGIC_GRP_CPU_SYSREGS;
	size_t size = sys ? sizeof(u64) : sizeof(u32);
	struct a64_cpu *c = attr_vcpu(g, at);
	u64 v = 0;
	int ret;

	if (!c)
		return -EINVAL;
	if (write && !sys) {
		ret = kvmu_copy_from_user(&v, at->addr, size);
		if (ret)
			return ret;
	}
	if (any_running(g))
		return -EBUSY;
	pthread_mutex_lock(&g->lock);
	ret = g->initialized ? 0 : -EBUSY;
	pthread_mutex_unlock(&g->lock);
	if (!ret && write && sys)
		ret = kvmu_copy_from_user(&v, at->addr, size);
	if (ret)
		return ret;
	pthread_mutex_lock(&g->lock);
	ret = regs_locked(g, c, at, write, &v);
	pthread_mutex_unlock(&g->lock);
	if (!ret && !write)
		ret = kvmu_copy_to_user(at->addr, &v, size);
	return ret;
}

static int attr_access(struct kvmu_device *dev,
		       const struct kvm_device_attr *at, bool write)
{
	struct vgic *g = dev->priv;

	switch (at->group) {
	case KVMU_DEV_ARM_VGIC_GRP_DIST_REGS:
	case KVMU_DEV_ARM_VGIC_GRP_REDIST_REGS:
	case KVMU_DEV_ARM_VGIC_GRP_CPU_SYSREGS:
	case KVMU_DEV_ARM_VGIC_GRP_LEVEL_INFO:
		return group_regs(g, at, write);
	case KVMU_DEV_ARM_VGIC_GRP_ADDR:
		return group_addr(g, at, write);
	case KVMU_DEV_ARM_VGIC_GRP_NR_IRQS:
		return group_nr_irqs(g, at, write);
	case KVMU_DEV_ARM_VGIC_GRP_CTRL:
		return write ? group_ctrl(g, at) : -ENXIO;
	default:
		return -ENXIO;
	}
}

static int vgic_set_attr(struct kvmu_device *dev,
			 const struct kvm_device_attr *at)
{
	return attr_access(dev, at, true);
}

static int vgic_get_attr(struct kvmu_device *dev,
			 const struct kvm_device_attr *at)
{
	return attr_access(dev, at, false);
}

static int has_regs(struct vgic *g, const struct kvm_device_attr *at)
{
	struct a64_cpu *c = attr_vcpu(g, at);
	u32 off = (u32)(at->attr & KVMU_DEV_ARM_VGIC_OFFSET_MASK);
	bool ok;

	if (!c)
		return -EINVAL;
	if (at->group == KVMU_DEV_ARM_VGIC_GRP_CPU_SYSREGS)
		return vgic_sysreg_uaccess(NULL, (u32)(at->attr &
				KVMU_DEV_ARM_VGIC_SYSREG_INSTR_MASK), false,
				NULL);
	if (off & 3)
		return -ENXIO;
	pthread_mutex_lock(&g->lock);
	ok = vgic_mmio_has(g, at->group == KVMU_DEV_ARM_VGIC_GRP_DIST_REGS,
			   off);
	pthread_mutex_unlock(&g->lock);
	return ok ? 0 : -ENXIO;
}

static int vgic_has_attr(struct kvmu_device *dev,
			 const struct kvm_device_attr *at)
{
	struct vgic *g = dev->priv;

	switch (at->group) {
	case KVMU_DEV_ARM_VGIC_GRP_ADDR:
		return at->attr == KVMU_VGIC_V3_ADDR_TYPE_DIST ||
		       at->attr == KVMU_VGIC_V3_ADDR_TYPE_REDIST ||
		       at->attr == KVMU_VGIC_V3_ADDR_TYPE_REDIST_REGION ?
		       0 : -ENXIO;
	case KVMU_DEV_ARM_VGIC_GRP_DIST_REGS:
	case KVMU_DEV_ARM_VGIC_GRP_REDIST_REGS:
	case KVMU_DEV_ARM_VGIC_GRP_CPU_SYSREGS:
		return has_regs(g, at);
	case KVMU_DEV_ARM_VGIC_GRP_NR_IRQS:
		return 0;
	case KVMU_DEV_ARM_VGIC_GRP_LEVEL_INFO:
		return ((at->attr >> KVMU_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT) &
			KVMU_DEV_ARM_VGIC_LINE_LEVEL_INFO_MASK) ==
		       KVMU_VGIC_LEVEL_INFO_LINE_LEVEL ? 0 : -ENXIO;
	case KVMU_DEV_ARM_VGIC_GRP_CTRL:
		return at->attr == KVMU_DEV_ARM_VGIC_CTRL_INIT ||
		       at->attr == KVMU_DEV_ARM_VGIC_SAVE_PENDING_TABLES ?
		       0 : -ENXIO;
	default:
		return -ENXIO;
	}
}

/* ---- the irqchip behind KVM_IRQFD and GSI routing ---- */

static int gic_set_pin(struct kvmu_vm *kvm, u32 irqchip KVMU_UNUSED,
		       u32 pin, int level, int source KVMU_UNUSED)
{
	struct vgic *g = vgic_of(kvm);

	/* vgic_irqfd_set_irq */
	if (!g || pin >= g->nr_spis)
		return -EINVAL;
	return vgic_inject(g, NULL, pin + VGIC_NR_PRIVATE, level != 0, false);
}

static int gic_msi(struct kvmu_vm *kvm KVMU_UNUSED,
		   const struct kvm_msi *msi KVMU_UNUSED)
{
	return -ENODEV;		/* kvm_set_msi without an ITS */
}

static const struct kvmu_irqchip_ops gic_irqchip_ops = {
	.set_pin = gic_set_pin,
	.msi = gic_msi,
};

/* kvm_vgic_create (under vm->lock) */
static int vgic_create(struct kvmu_device *dev)
{
	struct kvmu_vm *kvm = dev->vm;
	struct arm64_vm *vm = arm64_vm(kvm);
	struct vgic *g;
	int i, ret;

	if (vgic_of(kvm))
		return -EEXIST;
	if (__atomic_load_n(&kvm->vcpu_has_run, __ATOMIC_RELAXED))
		return -EBUSY;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	pthread_mutex_init(&g->lock, NULL);
	g->kvm = kvm;
	g->dist_base = VGIC_UNDEF;
	g->rev = VGIC_IMP_REV;
	g->dist_dev.ops = &vgic_dist_io_ops;
	g->dist_dev.priv = g;
	ret = kvmu_irq_install(kvm, &gic_irqchip_ops, g, NULL, 0);
	if (ret) {
		pthread_mutex_destroy(&g->lock);
		free(g);
		return ret;
	}
	for (i = 0; i < atomic_load(&kvm->nr_vcpus); i++) {
		struct a64_cpu *c = vgic_cpu_at(kvm, i);

		if (!c)
			continue;
		vgic_cpu_reset(c);
		c->gic.rd_base = VGIC_UNDEF;
		c->gic.rdreg = -1;
	}
	atomic_store(&vm->gic, g);
	dev->priv = g;
	return 0;
}

const struct kvmu_device_ops vgic_v3_device_ops = {
	.name = "kvm-arm-vgic-v3",
	.create = vgic_create,
	.set_attr = vgic_set_attr,
	.get_attr = vgic_get_attr,
	.has_attr = vgic_has_attr,
};

int vgic_vcpu_create(struct a64_cpu *c)
{
	struct vgic *g = vgic_of(c->kvm);
	int ret;

	c->gic.rd_base = VGIC_UNDEF;
	c->gic.rdreg = -1;
	vgic_cpu_reset(c);
	if (!g)
		return 0;
	pthread_mutex_lock(&g->lock);
	ret = g->initialized ? -EBUSY : assign_rd(g, c);
	pthread_mutex_unlock(&g->lock);
	return ret;
}

static int map_locked(struct vgic *g)
{
	int i, n = nr_vcpus(g), ret;
	struct a64_cpu *c;

	for (i = 0; i < n; i++) {
		c = vgic_cpu_at(g->kvm, i);
		if (c && c->gic.rd_base == VGIC_UNDEF)
			return -ENXIO;
	}
	if (g->dist_base == VGIC_UNDEF)
		return -ENXIO;
	if (!check_base(g))
		return -EINVAL;
	if (!g->initialized)
		return -EBUSY;		/* a GICv3 needs an explicit INIT */
	ret = kvmu_io_bus_register(g->kvm, KVMU_BUS_MMIO, g->dist_base,
				   (u32)DIST_SIZE, &g->dist_dev);
	for (i = 0; i < n && !ret; i++) {
		c = vgic_cpu_at(g->kvm, i);
		c->gic.rd_dev.ops = &vgic_rd_io_ops;
		c->gic.rd_dev.priv = c;
		ret = kvmu_io_bus_register(g->kvm, KVMU_BUS_MMIO,
					   c->gic.rd_base, (u32)RD_SIZE,
					   &c->gic.rd_dev);
		/* the timer owns its PPIs from now on (kvm_timer_enable) */
		c->gic.irq[VGIC_PPI_VTIMER].timer = true;
		c->gic.irq[VGIC_PPI_PTIMER].timer = true;
	}
	return ret;
}

int vgic_map_resources(struct kvmu_vm *kvm)
{
	struct vgic *g = vgic_of(kvm);
	int ret = 0;

	if (!g)
		return 0;
	pthread_mutex_lock(&g->lock);
	if (!g->ready) {
		ret = map_locked(g);
		g->ready = !ret;
	}
	pthread_mutex_unlock(&g->lock);
	return ret;
}

int vgic_irq_line(struct kvmu_vm *kvm, u32 type, int vcpu_id, u32 num,
		  bool level)
{
	int i, n = atomic_load(&kvm->nr_vcpus);
	struct a64_cpu *c = NULL;

	if (type == KVMU_ARM_IRQ_TYPE_SPI) {
		if (num < VGIC_NR_PRIVATE)
			return -EINVAL;
		return vgic_inject(vgic_of(kvm), NULL, num, level, false);
	}
	for (i = 0; i < n && !c; i++)
		if (kvm->vcpus[i] && kvm->vcpus[i]->id == vcpu_id)
			c = vgic_cpu_at(kvm, i);
	if (!c || num < VGIC_NR_SGIS || num >= VGIC_NR_PRIVATE)
		return -EINVAL;
	return vgic_inject(vgic_of(kvm), c, num, level, false);
}

void vgic_destroy(struct kvmu_vm *kvm)
{
	struct vgic *g = vgic_of(kvm);

	if (!g)
		return;
	atomic_store(&arm64_vm(kvm)->gic, NULL);
	free(g->regions);
	free(g->spis);
	pthread_mutex_destroy(&g->lock);
	free(g);
}
