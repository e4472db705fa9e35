// SPDX-License-Identifier: MIT
/*
 * Interrupt routing, as virt/kvm/irqchip.c and arch/x86/kvm/irq_comm.c:
 * a table maps each GSI to up to one pin per irqchip or to one MSI.  The
 * table is replaced whole (KVM_SET_GSI_ROUTING); raising a GSI copies its
 * entries under a short lock and calls the arch without it, so the arch's
 * callbacks may run ack notifiers that raise GSIs again.
 *
 * The core names no interrupt controller: which irqchip numbers exist and
 * how many pins each has is the arch's data (kvmu_arch_ops.irqchip_pins).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kvmu_int.h"

/* Entries one GSI can have: one pin per irqchip, or one MSI. */
#define GSI_MAX_ENTRIES KVMU_NR_IRQCHIPS

struct kvmu_irq_table {
	u32 nr_gsi;			/* highest gsi + 1 */
	u32 nr;
	u32 *start;			/* nr_gsi + 1 offsets into e[] */
	struct kvm_irq_routing_entry e[];	/* sorted by gsi */
};

struct kvmu_irq {
	pthread_mutex_t lock;		/* ops, priv, table */
	const struct kvmu_irqchip_ops *ops;
	void *priv;
	struct kvmu_irq_table *table;
	pthread_mutex_t ack_lock;	/* held while notifiers run */
	struct kvmu_irq_ack_notifier *acks;
	atomic_int nr_acks;
};

int kvmu_irq_vm_init(struct kvmu_vm *vm)
{
	struct kvmu_irq *irq = calloc(1, sizeof(*irq));

	if (!irq)
		return -ENOMEM;
	pthread_mutex_init(&irq->lock, NULL);
	pthread_mutex_init(&irq->ack_lock, NULL);
	vm->irq = irq;
	return 0;
}

void kvmu_irq_vm_destroy(struct kvmu_vm *vm)
{
	struct kvmu_irq *irq = vm->irq;

	if (!irq)
		return;
	free(irq->table);
	pthread_mutex_destroy(&irq->lock);
	pthread_mutex_destroy(&irq->ack_lock);
	free(irq);
	vm->irq = NULL;
}

/* kvm_set_routing_entry's checks of one entry on its own. */
static int check_entry(struct kvmu_vm *vm, const struct kvmu_irqchip_ops *ops,
		       const struct kvm_irq_routing_entry *e)
{
	const u16 *pins = vm->obj.arch->irqchip_pins;
	int ret = ops->route_check ? ops->route_check(vm, e) : 0;

	if (ret)
		return ret;
	switch (e->type) {
	case KVM_IRQ_ROUTING_IRQCHIP:
		if (e->flags || !ops->set_pin)
			return -EINVAL;
		if (e->u.irqchip.irqchip >= KVMU_NR_IRQCHIPS ||
		    e->u.irqchip.pin >= pins[e->u.irqchip.irqchip])
			return -EINVAL;
		return 0;
	case KVM_IRQ_ROUTING_MSI:
		if (e->flags & ~KVM_MSI_VALID_DEVID)
			return -EINVAL;
		return ops->msi_route_check ? ops->msi_route_check(vm, e) : 0;
	default:
		/* the arch's own route types, accepted by route_check above */
		if (e->flags || !ops->route_check || !ops->route_set)
			return -EINVAL;
		return 0;
	}
}

/* May b join a gsi that already has a? Only pins of different chips. */
static bool entries_clash(const struct kvm_irq_routing_entry *a,
			  const struct kvm_irq_routing_entry *b)
{
	return a->type != KVM_IRQ_ROUTING_IRQCHIP ||
	       b->type != KVM_IRQ_ROUTING_IRQCHIP ||
	       a->u.irqchip.irqchip == b->u.irqchip.irqchip;
}

/* Sort ue[] by gsi into t (counting sort, stable) and check each gsi. */
static int fill_table(struct kvmu_irq_table *t,
		      const struct kvm_irq_routing_entry *ue, u32 n)
{
	u32 i, g, j;

	for (i = 0; i < n; i++)
		t->start[ue[i].gsi + 1]++;
	for (g = 0; g < t->nr_gsi; g++)
		t->start[g + 1] += t->start[g];
	for (i = 0; i < n; i++) {
		u32 *slot = &t->start[ue[i].gsi];

		t->e[(*slot)++] = ue[i];
	}
	for (g = t->nr_gsi; g > 0; g--)
		t->start[g] = t->start[g - 1];
	t->start[0] = 0;
	for (g = 0; g < t->nr_gsi; g++) {
		if (t->start[g + 1] - t->start[g] > GSI_MAX_ENTRIES)
			return -EINVAL;
		for (i = t->start[g]; i < t->start[g + 1]; i++)
			for (j = t->start[g]; j < i; j++)
				if (entries_clash(&t->e[j], &t->e[i]))
					return -EINVAL;
	}
	return 0;
}

/* Validate ue[] as kvm_set_irq_routing and build its table. */
static int build_table(struct kvmu_vm *vm, const struct kvmu_irqchip_ops *ops,
		       const struct kvm_irq_routing_entry *ue, u32 n,
		       struct kvmu_irq_table **out)
{
	struct kvmu_irq_table *t;
	u32 i, nr_gsi = 0;
	int ret;

	if (n > KVMU_MAX_IRQ_ROUTES)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (ue[i].gsi >= KVMU_MAX_IRQ_ROUTES)
			return -EINVAL;
		if (ue[i].gsi + 1 > nr_gsi)
			nr_gsi = ue[i].gsi + 1;
	}
	for (i = 0; i < n; i++) {
		ret = check_entry(vm, ops, &ue[i]);
		if (ret)
			return ret;
	}
	t = calloc(1, sizeof(*t) + n * sizeof(t->e[0]) +
		      (nr_gsi + 1) * sizeof(u32));
	if (!t)
		return -ENOMEM;
	t->nr_gsi = nr_gsi;
	t->nr = n;
	t->start = (u32 *)&t->e[n];
	ret = fill_table(t, ue, n);
	if (ret) {
		free(t);
		return ret;
	}
	*out = t;
	return 0;
}

int kvmu_irq_install(struct kvmu_vm *vm, const struct kvmu_irqchip_ops *ops,
		     void *priv, const struct kvm_irq_routing_entry *e, u32 n)
{
	struct kvmu_irq *irq = vm->irq;
	struct kvmu_irq_table *t = NULL;
	int ret;

	if (!ops || !ops->msi)
		return -EINVAL;
	ret = build_table(vm, ops, e, n, &t);
	if (ret)
		return ret;
	pthread_mutex_lock(&irq->lock);
	if (irq->ops) {
		pthread_mutex_unlock(&irq->lock);
		free(t);
		return -EEXIST;
	}
	irq->table = t;
	irq->priv = priv;
	__atomic_store_n(&irq->ops, ops, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&irq->lock);
	return 0;
}

void *kvmu_irq_priv(struct kvmu_vm *vm)
{
	struct kvmu_irq *irq = vm->irq;

	if (!irq || !__atomic_load_n(&irq->ops, __ATOMIC_ACQUIRE))
		return NULL;
	return irq->priv;
}

bool kvmu_irq_in_kernel(struct kvmu_vm *vm)
{
	return vm->irq && __atomic_load_n(&vm->irq->ops, __ATOMIC_ACQUIRE);
}

bool kvmu_irq_has_pins(struct kvmu_vm *vm)
{
	const struct kvmu_irqchip_ops *ops =
		vm->irq ? __atomic_load_n(&vm->irq->ops, __ATOMIC_ACQUIRE) : NULL;

	return ops && ops->set_pin;
}

int kvmu_irq_set_routing(struct kvmu_vm *vm,
			 const struct kvm_irq_routing_entry *e, u32 n)
{
	struct kvmu_irq *irq = vm->irq;
	const struct kvmu_irqchip_ops *ops;
	struct kvmu_irq_table *t = NULL, *old;
	int ret;

	ops = __atomic_load_n(&irq->ops, __ATOMIC_ACQUIRE);
	if (!ops)
		return -EINVAL;
	ret = build_table(vm, ops, e, n, &t);
	if (ret)
		return ret;
	pthread_mutex_lock(&irq->lock);
	old = irq->table;
	irq->table = t;
	pthread_mutex_unlock(&irq->lock);
	free(old);
	if (ops->routing_changed)
		ops->routing_changed(vm);
	return 0;
}

static void entry_msi(const struct kvm_irq_routing_entry *e,
		      struct kvm_msi *m)
{
	memset(m, 0, sizeof(*m));
	m->address_lo = e->u.msi.address_lo;
	m->address_hi = e->u.msi.address_hi;
	m->data = e->u.msi.data;
	m->flags = e->flags;
	m->devid = e->u.msi.devid;
}

/* One entry's delivery (kvm_set_pic_irq / kvm_set_ioapic_irq / kvm_set_msi) */
static int entry_set(struct kvmu_vm *vm, const struct kvmu_irqchip_ops *ops,
		     const struct kvm_irq_routing_entry *e, int source_id,
		     int level)
{
	struct kvm_msi m;

	if (ops->route_set)
		return ops->route_set(vm, e, source_id, level);
	if (e->type == KVM_IRQ_ROUTING_IRQCHIP)
		return ops->set_pin(vm, e->u.irqchip.irqchip,
				    e->u.irqchip.pin, level, source_id);
	if (!level)
		return -1;
	entry_msi(e, &m);
	return ops->msi(vm, &m);
}

int kvmu_irq_set(struct kvmu_vm *vm, int source_id, u32 gsi, int level)
{
	struct kvm_irq_routing_entry set[GSI_MAX_ENTRIES];
	struct kvmu_irq *irq = vm->irq;
	const struct kvmu_irqchip_ops *ops;
	int i, n = 0, ret = -1;

	pthread_mutex_lock(&irq->lock);
	ops = irq->ops;
	if (ops && irq->table && gsi < irq->table->nr_gsi) {
		struct kvmu_irq_table *t = irq->table;

		for (i = (int)t->start[gsi]; i < (int)t->start[gsi + 1]; i++)
			set[n++] = t->e[i];
	}
	pthread_mutex_unlock(&irq->lock);
	if (!ops)
		return -ENXIO;
	/* the kernel walks the gsi's entries last to first */
	while (n--) {
		int r = entry_set(vm, ops, &set[n], source_id, level);

		if (r < 0)
			continue;
		ret = r + (ret < 0 ? 0 : ret);
	}
	return ret;
}

int kvmu_irq_msi(struct kvmu_vm *vm, const struct kvm_msi *msi)
{
	const struct kvmu_irqchip_ops *ops =
		__atomic_load_n(&vm->irq->ops, __ATOMIC_ACQUIRE);

	if (!ops)
		return -EINVAL;
	return ops->msi(vm, msi);
}

int kvmu_irq_route_gsi(struct kvmu_vm *vm, u32 type, const void *key,
		       size_t len)
{
	struct kvmu_irq *irq = vm->irq;
	int gsi = -1;
	u32 i;

	if (len > sizeof(irq->table->e[0].u))
		return -1;
	pthread_mutex_lock(&irq->lock);
	for (i = 0; irq->table && i < irq->table->nr; i++) {
		const struct kvm_irq_routing_entry *e = &irq->table->e[i];

		if (e->type == type && !memcmp(&e->u, key, len))
			gsi = (int)e->gsi;
	}
	pthread_mutex_unlock(&irq->lock);
	return gsi;
}

int kvmu_irq_chip_gsi(struct kvmu_vm *vm, u32 irqchip, u32 pin)
{
	struct kvm_irq_routing_irqchip key = { irqchip, pin };

	return kvmu_irq_route_gsi(vm, KVM_IRQ_ROUTING_IRQCHIP, &key,
				  sizeof(key));
}

bool kvmu_irq_has_acks(struct kvmu_vm *vm)
{
	return vm->irq && atomic_load(&vm->irq->nr_acks);
}

void kvmu_irq_ack_gsi(struct kvmu_vm *vm, u32 gsi)
{
	struct kvmu_irq *irq = vm->irq;
	struct kvmu_irq_ack_notifier *n;

	pthread_mutex_lock(&irq->ack_lock);
	for (n = irq->acks; n; n = n->next)
		if (n->gsi == gsi)
			n->fn(n);
	pthread_mutex_unlock(&irq->ack_lock);
}

void kvmu_irq_ack(struct kvmu_vm *vm, u32 irqchip, u32 pin)
{
	int gsi;

	if (!atomic_load(&vm->irq->nr_acks))
		return;
	gsi = kvmu_irq_chip_gsi(vm, irqchip, pin);
	if (gsi >= 0)
		kvmu_irq_ack_gsi(vm, (u32)gsi);
}

void kvmu_irq_register_ack(struct kvmu_vm *vm, struct kvmu_irq_ack_notifier *n)
{
	struct kvmu_irq *irq = vm->irq;

	pthread_mutex_lock(&irq->ack_lock);
	n->next = irq->acks;
	irq->acks = n;
	atomic_fetch_add(&irq->nr_acks, 1);
	pthread_mutex_unlock(&irq->ack_lock);
}

void kvmu_irq_unregister_ack(struct kvmu_vm *vm,
			     struct kvmu_irq_ack_notifier *n)
{
	struct kvmu_irq *irq = vm->irq;
	struct kvmu_irq_ack_notifier **p;

	pthread_mutex_lock(&irq->ack_lock);
	for (p = &irq->acks; *p; p = &(*p)->next) {
		if (*p == n) {
			*p = n->next;
			atomic_fetch_sub(&irq->nr_acks, 1);
			break;
		}
	}
	pthread_mutex_unlock(&irq->ack_lock);
}
