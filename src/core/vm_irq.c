// SPDX-License-Identifier: MIT
/*
 * The VM's generic interrupt ioctls (kvm_vm_ioctl in kvm_main.c): the
 * order of their checks, and so which errno wins, is the kernel's.  The
 * arch says what exists: has_irq_line (__KVM_HAVE_IRQ_LINE), iobus_*
 * (ioeventfds can fire); routing needs an installed irqchip.
 */
#include <errno.h>
#include <stdlib.h>

#include "kvmu_int.h"
#include "handlers.h"
#include "eventfd.h"

long vm_irq_line(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;
	struct kvm_irq_level l;
	int ret;

	if (!obj->arch->has_irq_line)
		return -ENOTTY;
	ret = kvmu_copy_from_user(&l, r->uarg, sizeof(l));
	if (ret)
		return ret;
	if (!kvmu_irq_in_kernel(vm))
		return -ENXIO;
	l.status = kvmu_irq_set(vm, KVMU_USERSPACE_IRQ_SOURCE_ID, l.irq,
				(int)l.level);
	if (r->cmd == KVM_IRQ_LINE_STATUS)
		return kvmu_copy_to_user(r->uarg, &l, sizeof(l));
	return 0;
}

long vm_set_gsi_routing(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;
	struct kvm_irq_routing_entry *e = NULL;
	struct kvm_irq_routing h;
	int ret;

	ret = kvmu_copy_from_user(&h, r->uarg, sizeof(h));
	if (ret)
		return ret;
	if (!kvmu_irq_in_kernel(vm) || h.nr > KVMU_MAX_IRQ_ROUTES || h.flags)
		return -EINVAL;
	if (h.nr) {
		e = malloc(h.nr * sizeof(*e));
		if (!e)
			return -ENOMEM;
		ret = kvmu_copy_from_user(e, r->uarg + sizeof(h),
					  h.nr * sizeof(*e));
	}
	if (!ret)
		ret = kvmu_irq_set_routing(vm, e, h.nr);
	free(e);
	return ret;
}

long vm_signal_msi(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;
	const struct kvm_msi *m = r->karg;

	/* kvm_send_userspace_msi; -1 (no destination) reads as EPERM */
	if (!kvmu_irq_in_kernel(vm) || (m->flags & ~KVM_MSI_VALID_DEVID))
		return -EINVAL;
	return kvmu_irq_msi(vm, m);
}

long vm_irqfd(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return kvmu_irqfd((struct kvmu_vm *)obj, r->karg);
}

long vm_ioeventfd(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvm_ioeventfd a;
	int ret;

	/* no CPU path offers accesses to the bus: not implemented */
	if (!obj->arch->iobus_pio && !obj->arch->iobus_mmio)
		return -ENOTTY;
	ret = kvmu_copy_from_user(&a, r->uarg, sizeof(a));
	if (ret)
		return ret;
	return kvmu_ioeventfd((struct kvmu_vm *)obj, &a);
}
