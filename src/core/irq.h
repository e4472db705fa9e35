/* SPDX-License-Identifier: MIT */
/*
 * Interrupt routing (the kernel's virt/kvm/irqchip.c and irq_comm.c): GSIs
 * mapped to irqchip pins or MSIs, the arch's irqchip behind two callbacks,
 * and the ack notifiers level-triggered irqfds resample on.  Included by
 * kvmu_int.h.
 */
#ifndef KVMU_IRQ_H
#define KVMU_IRQ_H

#define KVMU_MAX_IRQ_ROUTES	4096	/* KVM_MAX_IRQ_ROUTES */
#define KVMU_NR_IRQCHIPS	4	/* irqchip numbers routing accepts */

/* Source ids as the kernel's. */
#define KVMU_USERSPACE_IRQ_SOURCE_ID		0
#define KVMU_IRQFD_RESAMPLE_IRQ_SOURCE_ID	1

struct kvmu_irqchip_ops {
	/*
	 * Drive pin of irqchip (KVM_IRQCHIP_PIC_MASTER/_SLAVE/_IOAPIC) to
	 * level for source_id; returns >0 delivered, 0 masked/coalesced,
	 * <0 -errno (kvm_set_irq's convention, used by KVM_IRQ_LINE_STATUS).
	 * NULL: a split irqchip (MSI only); irqchip routes are refused.
	 */
	int (*set_pin)(struct kvmu_vm *vm, u32 irqchip, u32 pin, int level,
		       int source_id);
	/* Deliver an MSI (address/data/devid as struct kvm_msi); same returns. */
	int (*msi)(struct kvmu_vm *vm, const struct kvm_msi *msi);
	/*
	 * Optional: may this MSI route be set (kvm_msi_route_invalid)?
	 * 0 or -EINVAL.  NULL: every MSI route is accepted.
	 */
	int (*msi_route_check)(struct kvmu_vm *vm,
			       const struct kvm_irq_routing_entry *e);
	/*
	 * Optional: check entry e beyond the generic checks (the plane its
	 * pad names, for VM planes; the arch's own route types such as
	 * KVM_IRQ_ROUTING_HV_SINT); 0 or -EINVAL.  route_set: deliver e
	 * (any type that passed), with set_pin's returns.  NULL: pad is
	 * ignored as mainline KVM does, IRQCHIP and MSI routes go to set_pin
	 * and msi in plane 0, and route types other than those two are
	 * refused (-EINVAL).
	 */
	int (*route_check)(struct kvmu_vm *vm,
			   const struct kvm_irq_routing_entry *e);
	int (*route_set)(struct kvmu_vm *vm,
			 const struct kvm_irq_routing_entry *e, int source_id,
			 int level);
	/* Optional: the table was replaced (kvm_arch_irq_routing_update) */
	void (*routing_changed)(struct kvmu_vm *vm);
};

/*
 * Install the arch's irqchip (ops, priv) and the default routing table
 * (entries, n): called under vm->lock by the arch's CREATE_IRQCHIP.
 * -EEXIST when one is installed; -EINVAL when the table is invalid.
 */
int kvmu_irq_install(struct kvmu_vm *vm, const struct kvmu_irqchip_ops *ops,
		     void *priv, const struct kvm_irq_routing_entry *e, u32 n);
/* The arch's priv, or NULL when no irqchip is installed. */
void *kvmu_irq_priv(struct kvmu_vm *vm);
/* True once an irqchip is installed (irqchip_in_kernel). */
bool kvmu_irq_in_kernel(struct kvmu_vm *vm);
/* True when it has pins, i.e. is not split (irqchip_kernel). */
bool kvmu_irq_has_pins(struct kvmu_vm *vm);
/*
 * Raise/lower gsi through the routing table (all entries of that gsi).
 * kvm_set_irq's result: the sum of the >= 0 results, -1 when none.
 */
int kvmu_irq_set(struct kvmu_vm *vm, int source_id, u32 gsi, int level);
/* Deliver an MSI through the arch (KVM_SIGNAL_MSI, MSI routes, irqfd). */
int kvmu_irq_msi(struct kvmu_vm *vm, const struct kvm_msi *msi);
/*
 * A level-triggered interrupt on (irqchip, pin) was EOIed: run the ack
 * notifiers (irqfd resamplefd).  pin as in routing entries (the slave
 * PIC's are 0-7).  Called by the arch (IOAPIC/PIC) WITHOUT
 * its own irqchip lock held: a notifier may call kvmu_irq_set().
 */
void kvmu_irq_ack(struct kvmu_vm *vm, u32 irqchip, u32 pin);

/* One ack notifier (kvm_irq_ack_notifier): fn runs on an EOI of gsi. */
struct kvmu_irq_ack_notifier {
	u32 gsi;
	void (*fn)(struct kvmu_irq_ack_notifier *n);
	struct kvmu_irq_ack_notifier *next;
};
/* Add n; it runs until kvmu_irq_unregister_ack returns. */
void kvmu_irq_register_ack(struct kvmu_vm *vm, struct kvmu_irq_ack_notifier *n);
/* Remove n; when this returns n->fn is not running and will not run. */
void kvmu_irq_unregister_ack(struct kvmu_vm *vm,
			     struct kvmu_irq_ack_notifier *n);
/* gsi was acknowledged (kvm_notify_acked_gsi): run its ack notifiers. */
void kvmu_irq_ack_gsi(struct kvmu_vm *vm, u32 gsi);
/* Does any ack notifier exist?  (Cheap check before a route lookup.) */
bool kvmu_irq_has_acks(struct kvmu_vm *vm);
/*
 * The gsi of a route of type whose union u starts with the len bytes at
 * key, or -1 (the last such route, as the table is walked).
 */
int kvmu_irq_route_gsi(struct kvmu_vm *vm, u32 type, const void *key,
		       size_t len);
/* Is there an irqchip route to (irqchip, pin)?  -1: none, else its gsi. */
int kvmu_irq_chip_gsi(struct kvmu_vm *vm, u32 irqchip, u32 pin);
/*
 * Replace the routing table (KVM_SET_GSI_ROUTING after its header checks):
 * validates every entry as kvm_set_irq_routing does.
 */
int kvmu_irq_set_routing(struct kvmu_vm *vm,
			 const struct kvm_irq_routing_entry *e, u32 n);
/* Set up and free the VM's routing state (vm.c). */
int kvmu_irq_vm_init(struct kvmu_vm *vm);
void kvmu_irq_vm_destroy(struct kvmu_vm *vm);

#endif /* KVMU_IRQ_H */
