// SPDX-License-Identifier: MIT
/*
 * KVM_CREATE_DEVICE and the device fds (kvm_main.c): a table of device
 * types, each with create/release and the three attribute accessors; an
 * architecture adds its own types (kvmu_arch_ops.device_types).  A
 * device holds its VM (kvm_get_kvm) until its fd is gone, and its release
 * runs when that happens, as kvm_device_release() does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>

#include "kvmu_int.h"
#include "handlers.h"

/* kvm_device_ops_table: only the types kvmu implements are present. */
static const struct kvmu_device_ops *const device_types[] = {
	[KVM_DEV_TYPE_VFIO] = &kvmu_kvm_vfio_ops,
};

static void device_closed(struct kvmu_obj *obj)
{
	struct kvmu_device *dev = (struct kvmu_device *)obj, **pp;

	pthread_mutex_lock(&dev->vm->lock);
	for (pp = &dev->vm->devices; *pp && *pp != dev; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = dev->next;
	pthread_mutex_unlock(&dev->vm->lock);
	if (dev->ops->release)
		dev->ops->release(dev);
}

static void device_destroy(struct kvmu_obj *obj)
{
	struct kvmu_device *dev = (struct kvmu_device *)obj;

	kvmu_obj_put(&dev->vm->obj);
	free(dev);
}

/* kvm_ioctl_create_device(): returns the fd, or -errno. */
static int device_create(struct kvmu_vm *vm, const struct kvmu_device_ops *ops)
{
	struct kvmu_device *dev = calloc(1, sizeof(*dev));
	int ret;

	if (!dev)
		return -ENOMEM;
	dev->obj.kind = KVMU_OBJ_DEVICE;
	dev->obj.arch = vm->obj.arch;
	dev->obj.destroy = device_destroy;
	dev->obj.closed = device_closed;
	dev->ops = ops;
	dev->vm = vm;
	pthread_mutex_lock(&vm->lock);
	ret = ops->create(dev);
	if (!ret) {
		dev->next = vm->devices;
		vm->devices = dev;
	}
	pthread_mutex_unlock(&vm->lock);
	if (ret) {
		free(dev);
		return ret;
	}
	kvmu_obj_ref(&vm->obj);
	ret = kvmu_obj_install(&dev->obj, ops->name, 0, 1);
	if (ret < 0) {
		device_closed(&dev->obj);
		device_destroy(&dev->obj);
	}
	return ret;
}

long vm_create_device(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;
	const struct kvmu_device_ops *ops = NULL;
	struct kvm_create_device cd;
	long ret;

	ret = kvmu_copy_from_user(&cd, r->uarg, sizeof(cd));
	if (ret)
		return ret;
	if (cd.type < obj->arch->nr_device_types)
		ops = obj->arch->device_types[cd.type];
	if (!ops && cd.type < ARRAY_SIZE(device_types))
		ops = device_types[cd.type];
	if (!ops)
		return -ENODEV;
	if (!(cd.flags & KVM_CREATE_DEVICE_TEST)) {
		kvmu_obj_reap();	/* a closed device lets go first */
		ret = device_create(vm, ops);
		if (ret < 0)
			return ret;
		cd.fd = (u32)ret;
	}
	return kvmu_copy_to_user(r->uarg, &cd, sizeof(cd));
}

typedef int (*attr_fn)(struct kvmu_device *, const struct kvm_device_attr *);

/* kvm_device_ioctl_attr(): no accessor is -EPERM, before the copy. */
static long device_attr(struct kvmu_obj *obj, struct kvmu_ioctl_req *r,
			attr_fn fn)
{
	struct kvm_device_attr a;
	long ret;

	if (!fn)
		return -EPERM;
	ret = kvmu_copy_from_user(&a, r->uarg, sizeof(a));
	if (ret)
		return ret;
	return fn((struct kvmu_device *)obj, &a);
}

long device_set_attr(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return device_attr(obj, r, ((struct kvmu_device *)obj)->ops->set_attr);
}

long device_get_attr(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return device_attr(obj, r, ((struct kvmu_device *)obj)->ops->get_attr);
}

long device_has_attr(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return device_attr(obj, r, ((struct kvmu_device *)obj)->ops->has_attr);
}
