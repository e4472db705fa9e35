// SPDX-License-Identifier: MIT
/*
 * The x86 in-kernel irqchip put together, as arch/x86/kvm/{irq,irq_comm,
 * x86}.c do: KVM_CREATE_IRQCHIP (PICs, IOAPIC, a LAPIC per vCPU created
 * afterwards, the kernel's default routing), KVM_CAP_SPLIT_IRQCHIP (LAPICs
 * only, MSI routes), the PIT, the devices on the I/O bus, delivery of
 * IOAPIC/MSI/IPI messages to LAPICs, and the vCPU side: events at block
 * boundaries, INIT/SIPI, HLT that sleeps, timers that wake the vCPU.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/x86_int.h"
#include "arch/x86/irqchip.h"

static struct x86_irqchip *chip_of(struct kvmu_vm *vm)
{
	return __atomic_load_n(&x86_vm_of(vm)->irqchip, __ATOMIC_ACQUIRE);
}

static struct x86_lapic *apic_of(struct kvmu_vcpu *v)
{
	struct x86_cpu *cpu = v ? x86_cpu_of(v) : NULL;

	return cpu ? cpu->apic : NULL;
}

bool x86_is_bsp(struct kvmu_vcpu *vcpu)
{
	return (u32)vcpu->id == x86_vm_of(vcpu->vm)->bsp_vcpu_id;
}

/* ---- delivery to the local APICs (kvm_irq_delivery_to_apic) ---- */

static int deliver(struct x86_irqchip *c, struct x86_lapic *src,
		   const struct x86_apic_irq *m)
{
	struct kvmu_vm *vm = c->vm;
	int i, n = atomic_load(&vm->nr_vcpus), ret = -1;
	struct x86_lapic *lowest = NULL;
	/* an IPI stays in its sender's plane; others name theirs */
	int plane = src ? ((struct kvmu_vcpu *)src->owner)->plane : m->plane;
	u32 best = ~0u;

	for (i = 0; i < n; i++) {
		struct x86_lapic *a = apic_of(plane && vm->vcpus[i] ?
			kvmu_plane_vcpu(vm->vcpus[i], plane) : vm->vcpus[i]);

		if (!a || !x86_lapic_hw_enabled(a) ||
		    !x86_lapic_match(a, src, m))
			continue;
		if (m->delivery_mode == X86_DM_LOWEST) {
			/* lowest TPR wins; ties go to the first, as a hash */
			u32 tpr = (u32)x86_lapic_get_cr8(a);

			if (!lowest || tpr < best) {
				lowest = a;
				best = tpr;
			}
			continue;
		}
		ret = (ret < 0 ? 0 : ret) + x86_lapic_accept(a, m);
	}
	if (lowest)
		ret = x86_lapic_accept(lowest, m);
	return ret;
}

int x86_irqchip_deliver(struct kvmu_vm *vm, const struct x86_apic_irq *m)
{
	struct x86_irqchip *c = x86_vm_of(vm)->irqchip;

	return c ? deliver(c, NULL, m) : -ENXIO;
}

static int ioapic_deliver(void *opaque, const struct x86_apic_irq *m)
{
	int r = deliver(opaque, NULL, m);

	return r < 0 ? 0 : r;
}

static void apic_ipi(void *opaque, struct x86_lapic *src,
		     const struct x86_apic_irq *m)
{
	deliver(opaque, src, m);
}

static void apic_kick(void *opaque KVMU_UNUSED, struct x86_lapic *a)
{
	kvmu_vcpu_wake(a->owner);
}

static void apic_eoi(void *opaque, struct x86_lapic *a, int vector,
		     bool level)
{
	struct x86_irqchip *c = opaque;

	x86_hv_synic_eoi(x86_cpu_of(a->owner), vector);	/* synic_send_eoi */
	if (c->split) {
		/* user space's IOAPIC learns of level EOIs by an exit */
		if (level)
			a->eoi_exit = vector + 1;
		return;
	}
	x86_ioapic_eoi(&c->ioapic, ((struct kvmu_vcpu *)a->owner)->plane,
		       vector, level);
}

static void pic_kick(void *opaque)
{
	struct x86_irqchip *c = opaque;
	struct kvmu_vm *vm = c->vm;
	int i, n = atomic_load(&vm->nr_vcpus);

	for (i = 0; i < n; i++) {
		struct x86_lapic *a = apic_of(vm->vcpus[i]);

		if (a && x86_lapic_accepts_pic(a)) {
			atomic_store(&a->attention, true);
			kvmu_vcpu_wake(vm->vcpus[i]);
		}
	}
}

static void pic_ack(void *opaque, int irq)
{
	struct x86_irqchip *c = opaque;

	kvmu_irq_ack(c->vm, irq < 8 ? KVM_IRQCHIP_PIC_MASTER :
			    KVM_IRQCHIP_PIC_SLAVE, (u32)irq & 7);
}

static void ioapic_ack(void *opaque, int pin)
{
	struct x86_irqchip *c = opaque;

	kvmu_irq_ack(c->vm, KVM_IRQCHIP_IOAPIC, (u32)pin);
}

static void pit_irq(void *opaque)
{
	struct x86_irqchip *c = opaque;

	kvmu_irq_set(c->vm, X86_PIT_SOURCE_ID, 0, 1);
	kvmu_irq_set(c->vm, X86_PIT_SOURCE_ID, 0, 0);
}

/* ---- the routing callbacks ---- */

static int set_pin(struct kvmu_vm *vm, u32 irqchip, u32 pin, int level,
		   int source)
{
	struct x86_irqchip *c = chip_of(vm);

	switch (irqchip) {
	case KVM_IRQCHIP_PIC_MASTER:
	case KVM_IRQCHIP_PIC_SLAVE:
		return x86_pic_set_irq(&c->pic, (int)(pin + 8 * irqchip),
				       source, level);
	case KVM_IRQCHIP_IOAPIC:
		return x86_ioapic_set_irq(&c->ioapic, (int)pin, source, level);
	default:
		return -EINVAL;
	}
}

/* An MSI (address/data as struct kvm_msi) to plane's local APICs. */
static int msi_plane(struct kvmu_vm *vm, u32 address_lo, u32 data,
		     u8 plane)
{
	struct x86_irqchip *c = chip_of(vm);
	struct x86_apic_irq irq = {
		.dest = (address_lo >> 12) & 0xff,
		.dest_mode = (address_lo >> 2) & 1,
		.vector = (u8)data,
		.delivery_mode = (data >> 8) & 7,
		.trig_mode = (data >> 15) & 1,
		.level = 1,
		.plane = plane,
	};

	return c ? deliver(c, NULL, &irq) : -EINVAL;
}

static int msi(struct kvmu_vm *vm, const struct kvm_msi *m)
{
	return msi_plane(vm, m->address_lo, m->data, 0);
}

/*
 * VM planes: a route's pad names the plane it reaches (docs/planes.md).
 * The PICs feed plane 0's LINT0 only, so their routes stay in plane 0.
 * Route types beyond IRQCHIP and MSI: Hyper-V's SINT routes only.
 */
static int route_check(struct kvmu_vm *vm,
		       const struct kvm_irq_routing_entry *e)
{
	if (e->pad >= (u32)vm->obj.arch->planes->nr_planes)
		return -EINVAL;
	if (e->pad && e->type == KVM_IRQ_ROUTING_IRQCHIP &&
	    e->u.irqchip.irqchip != KVM_IRQCHIP_IOAPIC)
		return -EINVAL;
	if (e->type == KVM_IRQ_ROUTING_IRQCHIP ||
	    e->type == KVM_IRQ_ROUTING_MSI)
		return 0;
	/* a SINT names a VP index, whose SynIC is plane 0's */
	if (e->pad)
		return -EINVAL;
	return x86_hv_sint_route_check(vm, e);
}

/* An IOAPIC pin takes the plane of the route that raises it. */
static int route_set(struct kvmu_vm *vm,
		     const struct kvm_irq_routing_entry *e, int source,
		     int level)
{
	struct x86_irqchip *c = chip_of(vm);
	u32 pin = e->u.irqchip.pin;

	if (e->type == KVM_IRQ_ROUTING_HV_SINT)
		return x86_hv_sint_route_set(vm, e, level);
	if (e->type == KVM_IRQ_ROUTING_MSI)
		return level ? msi_plane(vm, e->u.msi.address_lo,
					 e->u.msi.data, (u8)e->pad) : -1;
	if (e->u.irqchip.irqchip == KVM_IRQCHIP_IOAPIC && level && c &&
	    pin < X86_IOAPIC_PINS)
		__atomic_store_n(&c->ioapic.pin_plane[pin], (u8)e->pad,
				 __ATOMIC_RELAXED);
	return set_pin(vm, e->u.irqchip.irqchip, pin, level, source);
}

static const struct kvmu_irqchip_ops full_ops = {
	.set_pin = set_pin,
	.msi = msi,
	.route_check = route_check,
	.route_set = route_set,
};

static const struct kvmu_irqchip_ops split_ops = {
	.msi = msi,
	.route_check = route_check,
	.route_set = route_set,
};

/* ---- the devices on the I/O bus ---- */

static int pic_read(struct kvmu_io_dev *d, struct kvmu_vcpu *v KVMU_UNUSED,
		    u64 addr, u32 len, void *val)
{
	struct x86_irqchip *c = d->priv;

	memset(val, 0xff, len);
	return x86_pic_pio(&c->pic, (u16)addr, false, val);
}

static int pic_write(struct kvmu_io_dev *d, struct kvmu_vcpu *v KVMU_UNUSED,
		     u64 addr, u32 len KVMU_UNUSED, const void *val)
{
	struct x86_irqchip *c = d->priv;
	u8 b = *(const u8 *)val;

	return x86_pic_pio(&c->pic, (u16)addr, true, &b);
}

static const struct kvmu_io_dev_ops pic_ops = { pic_read, pic_write };

static int ioapic_read(struct kvmu_io_dev *d, struct kvmu_vcpu *v KVMU_UNUSED,
		       u64 addr, u32 len, void *val)
{
	struct x86_irqchip *c = d->priv;

	return x86_ioapic_read(&c->ioapic, addr - X86_IOAPIC_BASE, len, val);
}

static int ioapic_write(struct kvmu_io_dev *d,
			struct kvmu_vcpu *v KVMU_UNUSED, u64 addr, u32 len,
			const void *val)
{
	struct x86_irqchip *c = d->priv;

	return x86_ioapic_write(&c->ioapic, addr - X86_IOAPIC_BASE, len, val);
}

static const struct kvmu_io_dev_ops ioapic_ops = { ioapic_read, ioapic_write };

static int pit_read(struct kvmu_io_dev *d, struct kvmu_vcpu *v KVMU_UNUSED,
		    u64 addr, u32 len, void *val)
{
	struct x86_irqchip *c = d->priv;

	memset(val, 0, len);
	return x86_pit_pio(c->pit, kvmu_now_ns(), (u16)addr, false, val);
}

static int pit_write(struct kvmu_io_dev *d, struct kvmu_vcpu *v KVMU_UNUSED,
		     u64 addr, u32 len KVMU_UNUSED, const void *val)
{
	struct x86_irqchip *c = d->priv;
	u8 b = *(const u8 *)val;

	return x86_pit_pio(c->pit, kvmu_now_ns(), (u16)addr, true, &b);
}

static const struct kvmu_io_dev_ops pit_ops = { pit_read, pit_write };

/* The accessing vCPU's own APIC, when addr is inside its page. */
static struct x86_lapic *apic_at(struct kvmu_vcpu *v, u64 addr)
{
	struct x86_lapic *a = apic_of(v);
	u64 page = a ? a->base & ~0xfffULL & ((1ULL << 52) - 1) : 0;

	if (!a || (addr & ~0xfffULL) != page)
		return NULL;
	return a;
}

static int apic_read(struct kvmu_io_dev *d KVMU_UNUSED, struct kvmu_vcpu *v,
		     u64 addr, u32 len, void *val)
{
	struct x86_lapic *a = apic_at(v, addr);
	struct x86_cpu *cpu;

	if (!a)
		return -EOPNOTSUPP;
	cpu = x86_cpu_of(v);
	x86_irqchip_sync_cr8(cpu);	/* a MOV to CR8 shows in the TPR */
	return x86_lapic_mmio_read(a, kvmu_now_ns(), (u32)(addr & 0xfff),
				   len, val);
}

static int apic_write(struct kvmu_io_dev *d KVMU_UNUSED, struct kvmu_vcpu *v,
		      u64 addr, u32 len, const void *val)
{
	struct x86_lapic *a = apic_at(v, addr);
	struct x86_cpu *cpu;
	int ret;

	if (!a)
		return -EOPNOTSUPP;
	cpu = x86_cpu_of(v);
	a->tsc_deadline_ok = x86_guest_has(cpu, 1, 0, 2, 24);
	ret = x86_lapic_mmio_write(a, kvmu_now_ns(), (u32)(addr & 0xfff),
				   len, val);
	cpu->cr8 = cpu->apic_cr8 = x86_lapic_get_cr8(a);
	return ret;
}

static const struct kvmu_io_dev_ops apic_ops = { apic_read, apic_write };

/* Make sure the APIC page at base is on the MMIO bus (relocation). */
void x86_irqchip_map_base(struct x86_irqchip *c, u64 base)
{
	int i;

	base &= ~0xfffULL & ((1ULL << 52) - 1);
	pthread_mutex_lock(&c->base_lock);
	for (i = 0; i < c->nr_apic_bases; i++)
		if (c->apic_bases[i] == base)
			goto out;
	if (c->nr_apic_bases < X86_MAX_APIC_BASES &&
	    !kvmu_io_bus_register(c->vm, KVMU_BUS_MMIO, base, 0x1000,
				  &c->apic_dev))
		c->apic_bases[c->nr_apic_bases++] = base;
out:
	pthread_mutex_unlock(&c->base_lock);
}

static u64 guest_tsc(void *opaque KVMU_UNUSED, struct x86_lapic *a,
		     u32 *khz)
{
	struct x86_cpu *cpu = x86_cpu_of(a->owner);

	*khz = cpu->m.tsc_khz;
	return x86_guest_tsc(cpu);
}

static struct x86_irqchip *chip_new(struct kvmu_vm *vm, bool split)
{
	struct x86_irqchip *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->vm = vm;
	c->split = split;
	pthread_mutex_init(&c->pic.lock, NULL);
	pthread_mutex_init(&c->ioapic.lock, NULL);
	pthread_mutex_init(&c->base_lock, NULL);
	c->env = (struct x86_lapic_env){
		.opaque = c, .ipi = apic_ipi, .eoi = apic_eoi,
		.kick = apic_kick, .tsc = guest_tsc,
	};
	c->pic = (struct x86_pic){ .lock = c->pic.lock, .opaque = c,
				   .kick = pic_kick, .ack = pic_ack };
	x86_pic_init(&c->pic);
	c->ioapic.opaque = c;
	c->ioapic.deliver = ioapic_deliver;
	c->ioapic.ack = ioapic_ack;
	x86_ioapic_init(&c->ioapic);
	c->pic_dev = (struct kvmu_io_dev){ &pic_ops, c };
	c->ioapic_dev = (struct kvmu_io_dev){ &ioapic_ops, c };
	c->apic_dev = (struct kvmu_io_dev){ &apic_ops, c };
	c->pit_dev = (struct kvmu_io_dev){ &pit_ops, c };
	c->speaker_dev = (struct kvmu_io_dev){ &pit_ops, c };
	return c;
}

static void chip_free(struct x86_irqchip *c)
{
	if (!c)
		return;
	if (c->pit)
		pthread_mutex_destroy(&c->pit->lock);
	free(c->pit);
	pthread_mutex_destroy(&c->pic.lock);
	pthread_mutex_destroy(&c->ioapic.lock);
	pthread_mutex_destroy(&c->base_lock);
	free(c);
}

void x86_irqchip_vm_destroy(struct kvmu_vm *vm)
{
	chip_free(x86_vm_of(vm)->irqchip);
	x86_vm_of(vm)->irqchip = NULL;
}

/* The kernel's default table: GSI 0-15 to a PIC and the IOAPIC, 16-23. */
static u32 default_routes(struct kvm_irq_routing_entry *e)
{
	u32 n = 0, g;

	for (g = 0; g < X86_IOAPIC_PINS; g++) {
		e[n].gsi = g;
		e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		e[n].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		e[n++].u.irqchip.pin = g;
		if (g >= 16)
			continue;
		e[n].gsi = g;
		e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		e[n].u.irqchip.irqchip = g < 8 ? KVM_IRQCHIP_PIC_MASTER :
						 KVM_IRQCHIP_PIC_SLAVE;
		e[n++].u.irqchip.pin = g & 7;
	}
	return n;
}

static int bus_add(struct x86_irqchip *c)
{
	static const u16 pic_ports[][2] = {
		{ 0x20, 2 }, { 0xa0, 2 }, { 0x4d0, 2 },
	};
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < ARRAY_SIZE(pic_ports); i++)
		ret = kvmu_io_bus_register(c->vm, KVMU_BUS_PIO,
					   pic_ports[i][0], pic_ports[i][1],
					   &c->pic_dev);
	if (!ret)
		ret = kvmu_io_bus_register(c->vm, KVMU_BUS_MMIO,
					   X86_IOAPIC_BASE, 0x100,
					   &c->ioapic_dev);
	return ret;
}

/* Install under vm->lock: the kernel's checks, then publish. */
static int install(struct kvmu_vm *vm, bool split, u32 pins)
{
	struct x86_vm *xv = x86_vm_of(vm);
	struct kvm_irq_routing_entry *e = NULL;
	struct x86_irqchip *c;
	u32 n = 0;
	int ret;

	if (kvmu_irq_in_kernel(vm))
		return -EEXIST;
	if (atomic_load(&vm->nr_vcpus))
		return split ? -EEXIST : -EINVAL;
	c = chip_new(vm, split);
	if (!c)
		return -ENOMEM;
	c->reserved_pins = pins;
	if (!split) {
		e = calloc(40, sizeof(*e));
		if (!e) {
			chip_free(c);
			return -ENOMEM;
		}
		n = default_routes(e);
	}
	ret = split ? 0 : bus_add(c);
	if (!ret) {
		ret = kvmu_irq_install(vm, split ? &split_ops : &full_ops, c,
				       e, n);
	}
	free(e);
	if (ret) {
		kvmu_io_bus_unregister(vm, KVMU_BUS_PIO, &c->pic_dev);
		kvmu_io_bus_unregister(vm, KVMU_BUS_MMIO, &c->ioapic_dev);
		chip_free(c);
		return ret;
	}
	x86_irqchip_map_base(c, X86_APIC_DEFAULT_BASE);
	__atomic_store_n(&xv->irqchip, c, __ATOMIC_RELEASE);
	return 0;
}

long x86_vm_create_irqchip(struct kvmu_obj *obj,
			   struct kvmu_ioctl_req *r KVMU_UNUSED)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;
	int ret;

	pthread_mutex_lock(&vm->lock);
	ret = install(vm, false, 0);
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

/* Called under vm->lock (KVM_ENABLE_CAP holds it). */
int x86_irqchip_enable_split(struct kvmu_vm *vm, u64 pins)
{
	if (pins > 48)		/* MAX_NR_RESERVED_IOAPIC_PINS */
		return -EINVAL;
	return install(vm, true, (u32)pins);
}

/* The full irqchip (PIC and IOAPIC in kvmu), or NULL. */
static struct x86_irqchip *full_chip(struct kvmu_vm *vm)
{
	struct x86_irqchip *c = chip_of(vm);

	return c && !c->split ? c : NULL;
}

long x86_vm_get_irqchip(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_irqchip *c = full_chip((struct kvmu_vm *)obj);
	struct kvm_irqchip *k = r->karg;

	if (!c)
		return -ENXIO;
	switch (k->chip_id) {
	case KVM_IRQCHIP_PIC_MASTER:
	case KVM_IRQCHIP_PIC_SLAVE:
		x86_pic_get(&c->pic, (int)k->chip_id, &k->chip.pic);
		return 0;
	case KVM_IRQCHIP_IOAPIC:
		x86_ioapic_get(&c->ioapic, &k->chip.ioapic);
		return 0;
	default:
		return -EINVAL;
	}
}

long x86_vm_set_irqchip(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_irqchip *c = full_chip((struct kvmu_vm *)obj);
	const struct kvm_irqchip *k = r->karg;

	if (!c)
		return -ENXIO;
	switch (k->chip_id) {
	case KVM_IRQCHIP_PIC_MASTER:
	case KVM_IRQCHIP_PIC_SLAVE:
		x86_pic_set(&c->pic, (int)k->chip_id, &k->chip.pic);
		return 0;
	case KVM_IRQCHIP_IOAPIC:
		x86_ioapic_set(&c->ioapic, &k->chip.ioapic);
		return 0;
	default:
		return -EINVAL;
	}
}

long x86_vm_set_boot_cpu_id(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;
	int ret = 0;

	pthread_mutex_lock(&vm->lock);
	if (atomic_load(&vm->nr_vcpus))
		ret = -EBUSY;
	else if (r->uarg > KVMU_MAX_VCPU_ID)
		ret = -EINVAL;
	else
		x86_vm_of(vm)->bsp_vcpu_id = (u32)r->uarg;
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

/* ---- the PIT ---- */

static int pit_create(struct kvmu_vm *vm, u32 flags)
{
	struct x86_irqchip *c = full_chip(vm);
	struct x86_pit *p;
	int ret;

	pthread_mutex_lock(&vm->lock);
	ret = -ENOENT;		/* as KVM: no PIT without the PIC */
	if (!c)
		goto out;
	ret = -EEXIST;
	if (c->pit)
		goto out;
	ret = -ENOMEM;
	p = calloc(1, sizeof(*p));
	if (!p)
		goto out;
	pthread_mutex_init(&p->lock, NULL);
	p->opaque = c;
	p->irq = pit_irq;
	x86_pit_init(p, kvmu_now_ns());
	__atomic_store_n(&c->pit, p, __ATOMIC_RELEASE);
	ret = kvmu_io_bus_register(vm, KVMU_BUS_PIO, 0x40, 4, &c->pit_dev);
	if (!ret && !(flags & KVM_PIT_SPEAKER_DUMMY))
		ret = kvmu_io_bus_register(vm, KVMU_BUS_PIO, 0x61, 1,
					   &c->speaker_dev);
	if (ret) {
		kvmu_io_bus_unregister(vm, KVMU_BUS_PIO, &c->pit_dev);
		__atomic_store_n(&c->pit, NULL, __ATOMIC_RELEASE);
		pthread_mutex_destroy(&p->lock);
		free(p);
	}
out:
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

long x86_vm_create_pit2(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	const struct kvm_pit_config *k = r->karg;

	return pit_create((struct kvmu_vm *)obj, k->flags);
}

long x86_vm_create_pit(struct kvmu_obj *obj,
		       struct kvmu_ioctl_req *r KVMU_UNUSED)
{
	return pit_create((struct kvmu_vm *)obj, KVM_PIT_SPEAKER_DUMMY);
}

static struct x86_pit *pit_of(struct kvmu_obj *obj)
{
	struct x86_irqchip *c = chip_of((struct kvmu_vm *)obj);

	return c ? __atomic_load_n(&c->pit, __ATOMIC_ACQUIRE) : NULL;
}

long x86_vm_get_pit2(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_pit *p = pit_of(obj);

	if (!p)
		return -ENXIO;
	x86_pit_get(p, kvmu_now_ns(), r->karg);
	return 0;
}

long x86_vm_set_pit2(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_pit *p = pit_of(obj);

	if (!p)
		return -ENXIO;
	x86_pit_set(p, kvmu_now_ns(), r->karg);
	return 0;
}

long x86_vm_get_pit(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_pit *p = pit_of(obj);
	struct kvm_pit_state2 s;

	if (!p)
		return -ENXIO;
	x86_pit_get(p, kvmu_now_ns(), &s);
	memcpy(r->karg, s.channels, sizeof(struct kvm_pit_state));
	return 0;
}

long x86_vm_set_pit(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_pit *p = pit_of(obj);
	struct kvm_pit_state2 s;

	if (!p)
		return -ENXIO;
	/* the legacy call keeps the flags (HPET legacy) as they are */
	x86_pit_get(p, kvmu_now_ns(), &s);
	memcpy(s.channels, r->karg, sizeof(struct kvm_pit_state));
	x86_pit_set(p, kvmu_now_ns(), &s);
	return 0;
}
