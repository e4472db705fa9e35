// SPDX-License-Identifier: MIT
/*
 * The KVM VFIO pseudo device (virt/kvm/vfio.c): KVM_DEV_TYPE_VFIO, one
 * per VM, holding the VFIO files user space added with
 * KVM_DEV_VFIO_FILE_ADD.  Adding a group gives it the VM (the KVM
 * association vfio_ap needs to open its device); deleting it or closing
 * the device takes that away, which an already open device does not
 * notice: it keeps the VM it was opened with, as in the kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "vfio_int.h"

struct kvm_vfio {
	pthread_mutex_t lock;
	struct kvmu_obj **files;	/* each holds a reference (get_file) */
	unsigned int nr, cap;
};

static struct kvm_vfio *kv_of(struct kvmu_device *dev)
{
	return dev->priv;
}

/* kvm_vfio_create(): "Only one VFIO device per VM" (vm->lock held). */
static int kvm_vfio_create(struct kvmu_device *dev)
{
	struct kvmu_device *it;
	struct kvm_vfio *kv;

	for (it = dev->vm->devices; it; it = it->next)
		if (it->ops == &kvmu_kvm_vfio_ops)
			return -EBUSY;
	kv = calloc(1, sizeof(*kv));
	if (!kv)
		return -ENOMEM;
	pthread_mutex_init(&kv->lock, NULL);
	dev->priv = kv;
	return 0;
}

static void kvm_vfio_release(struct kvmu_device *dev)
{
	struct kvm_vfio *kv = kv_of(dev);
	unsigned int i;

	for (i = 0; i < kv->nr; i++) {
		kvmu_vfio_file_set_kvm(kv->files[i], NULL);
		kvmu_obj_put(kv->files[i]);
	}
	pthread_mutex_destroy(&kv->lock);
	free(kv->files);
	free(kv);
	dev->priv = NULL;
}

static int find_file(struct kvm_vfio *kv, const struct kvmu_obj *obj)
{
	unsigned int i;

	for (i = 0; i < kv->nr; i++)
		if (kv->files[i] == obj)
			return (int)i;
	return -1;
}

static int file_add(struct kvmu_device *dev, int fd)
{
	struct kvm_vfio *kv = kv_of(dev);
	struct kvmu_obj *obj;
	int ret;

	if (fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	if (kvmu_obj_get(fd, &obj))
		return -EINVAL;		/* not a VFIO file */
	if (!kvmu_vfio_file_is_valid(obj)) {
		kvmu_obj_put(obj);
		return -EINVAL;
	}
	pthread_mutex_lock(&kv->lock);
	ret = find_file(kv, obj) >= 0 ? -EEXIST : 0;
	if (!ret && kv->nr == kv->cap) {
		unsigned int cap = kv->cap ? kv->cap * 2 : 4;
		void *p = realloc(kv->files, cap * sizeof(*kv->files));

		ret = p ? 0 : -ENOMEM;
		if (p) {
			kv->files = p;
			kv->cap = cap;
		}
	}
	if (!ret) {
		kv->files[kv->nr++] = obj;	/* keeps our reference */
		kvmu_vfio_file_set_kvm(obj, dev->vm);
	}
	pthread_mutex_unlock(&kv->lock);
	if (ret)
		kvmu_obj_put(obj);
	return ret;
}

static int file_del(struct kvmu_device *dev, int fd)
{
	struct kvm_vfio *kv = kv_of(dev);
	struct kvmu_obj *obj;
	int i;

	if (fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	if (kvmu_obj_get(fd, &obj))
		return -ENOENT;
	pthread_mutex_lock(&kv->lock);
	i = find_file(kv, obj);
	if (i >= 0) {
		kv->files[i] = kv->files[--kv->nr];
		kvmu_vfio_file_set_kvm(obj, NULL);
		kvmu_obj_put(obj);	/* the list's reference */
	}
	pthread_mutex_unlock(&kv->lock);
	kvmu_obj_put(obj);
	return i >= 0 ? 0 : -ENOENT;
}

static int kvm_vfio_set_attr(struct kvmu_device *dev,
			     const struct kvm_device_attr *a)
{
	s32 fd;
	int ret;

	if (a->group != KVM_DEV_VFIO_FILE)
		return -ENXIO;
	/* GROUP_SET_SPAPR_TCE exists on ppc64 only: -ENXIO elsewhere */
	if (a->attr != KVM_DEV_VFIO_FILE_ADD &&
	    a->attr != KVM_DEV_VFIO_FILE_DEL)
		return -ENXIO;
	ret = kvmu_copy_from_user(&fd, a->addr, sizeof(fd));
	if (ret)
		return ret;
	return a->attr == KVM_DEV_VFIO_FILE_ADD ? file_add(dev, fd) :
		file_del(dev, fd);
}

static int kvm_vfio_has_attr(struct kvmu_device *dev KVMU_UNUSED,
			     const struct kvm_device_attr *a)
{
	if (a->group == KVM_DEV_VFIO_FILE &&
	    (a->attr == KVM_DEV_VFIO_FILE_ADD ||
	     a->attr == KVM_DEV_VFIO_FILE_DEL))
		return 0;
	return -ENXIO;
}

const struct kvmu_device_ops kvmu_kvm_vfio_ops = {
	.name = "kvm-vfio",
	.create = kvm_vfio_create,
	.release = kvm_vfio_release,
	.set_attr = kvm_vfio_set_attr,
	.has_attr = kvm_vfio_has_attr,
};
