// SPDX-License-Identifier: MIT
/*
 * ioctl dispatch: find the object, check the caller may use it, find the
 * request in the generic list and then the architecture's, move the
 * argument across the user boundary, run the handler.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "kvmu_int.h"
#include "handlers.h"
#include "kvmu/abi/vfio.h"

#define KVMU_IOCTL(req, kind, mode, fn) \
	{ req, KVMU_OBJ_##kind, KVMU_ARG_##mode, #req, fn },
static const struct kvmu_ioctl_desc generic_ioctls[] = {
#include "ioctls.def"
#include "vfio/ioctls.def"
};
#undef KVMU_IOCTL

/* What an unknown request answers, by object kind (kvm_main.c + arch). */
static const int unknown_errno[KVMU_OBJ_NR] = {
	[KVMU_OBJ_SYSTEM] = EINVAL,
	[KVMU_OBJ_VM] = ENOTTY,
	[KVMU_OBJ_VCPU] = EINVAL,
	[KVMU_OBJ_DEVICE] = ENOTTY,
	[KVMU_OBJ_PLANE] = ENOTTY,
	[KVMU_OBJ_STATS] = ENOTTY,
	[KVMU_OBJ_VFIO_CONTAINER] = EINVAL,	/* no IOMMU driver set yet */
	[KVMU_OBJ_VFIO_GROUP] = ENOTTY,
	[KVMU_OBJ_VFIO_DEVICE] = EOPNOTSUPP,	/* vfio_ap_mdev_ioctl */
};

static const struct kvmu_ioctl_desc *
find_desc(const struct kvmu_ioctl_desc *tab, size_t n, enum kvmu_kind kind,
	  unsigned int cmd)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i].cmd == cmd && tab[i].kind == kind)
			return &tab[i];
	return NULL;
}

static const struct kvmu_ioctl_desc *lookup(const struct kvmu_arch_ops *arch,
					    enum kvmu_kind kind,
					    unsigned int cmd)
{
	const struct kvmu_ioctl_desc *d;

	d = find_desc(generic_ioctls, ARRAY_SIZE(generic_ioctls), kind, cmd);
	if (!d && arch)
		d = find_desc(arch->ioctls, arch->nr_ioctls, kind, cmd);
	return d;
}

const char *kvmu_ioctl_name(enum kvmu_arch arch, unsigned long request)
{
	const struct kvmu_arch_ops *ops = kvmu_arch_lookup(arch);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(generic_ioctls); i++)
		if (generic_ioctls[i].cmd == (unsigned int)request)
			return generic_ioctls[i].name;
	for (i = 0; ops && i < ops->nr_ioctls; i++)
		if (ops->ioctls[i].cmd == (unsigned int)request)
			return ops->ioctls[i].name;
	return NULL;
}

/* Run d with the argument copied as its mode says. */
static long call_handler(struct kvmu_obj *obj,
			 const struct kvmu_ioctl_desc *d, unsigned int cmd,
			 unsigned long arg)
{
	size_t size = _IOC_SIZE(cmd);
	struct kvmu_ioctl_req r = { .cmd = cmd, .uarg = arg };
	u8 buf[4096] __attribute__((aligned(16)));
	long ret;

	if (d->mode == KVMU_ARG_VAL || d->mode == KVMU_ARG_PTR)
		return d->fn(obj, &r);
	if (size > sizeof(buf))
		return -EINVAL;
	r.karg = buf;
	memset(buf, 0, size);
	if (d->mode == KVMU_ARG_IN || d->mode == KVMU_ARG_INOUT) {
		ret = kvmu_copy_from_user(buf, arg, size);
		if (ret)
			return ret;
	}
	ret = d->fn(obj, &r);
	if (ret >= 0 && (d->mode == KVMU_ARG_OUT || d->mode == KVMU_ARG_INOUT)) {
		int err = kvmu_copy_to_user(arg, buf, size);

		if (err)
			return err;
	}
	return ret;
}

long kvmu_obj_ioctl(struct kvmu_obj *obj, unsigned int cmd, unsigned long arg)
{
	const struct kvmu_ioctl_desc *d;
	struct kvmu_vcpu *vcpu;
	long ret;

	if (obj->kind != KVMU_OBJ_SYSTEM && obj->owner != kvmu_pid())
		return -EIO;
	if (obj->kind == KVMU_OBJ_VCPU && _IOC_TYPE(cmd) != KVMIO)
		return -EINVAL;
	d = lookup(obj->arch, obj->kind, cmd);
	if (!d && obj->kind == KVMU_OBJ_VCPU && obj->arch->unknown_vcpu_errno)
		return -(long)obj->arch->unknown_vcpu_errno;
	if (!d && obj->kind == KVMU_OBJ_VM && obj->arch->unknown_vm_errno)
		return -(long)obj->arch->unknown_vm_errno;
	if (!d && obj->kind == KVMU_OBJ_VFIO_CONTAINER)
		return kvmu_vfio_container_unknown(obj);
	if (!d)
		return -unknown_errno[obj->kind];
	if (obj->kind != KVMU_OBJ_VCPU)
		return call_handler(obj, d, cmd, arg);
	/* like vcpu->mutex: one ioctl at a time per vCPU */
	vcpu = (struct kvmu_vcpu *)obj;
	pthread_mutex_lock(&vcpu->mutex);
	ret = call_handler(obj, d, cmd, arg);
	pthread_mutex_unlock(&vcpu->mutex);
	return ret;
}

int kvmu_ioctl(int fd, unsigned long request, ...)
{
	struct kvmu_obj *obj;
	unsigned long arg;
	va_list ap;
	long ret;

	va_start(ap, request);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	ret = kvmu_obj_get(fd, &obj);
	if (!ret) {
		ret = kvmu_obj_ioctl(obj, (unsigned int)request, arg);
		if (kvmu_trace_stream)
			kvmu_trace_ioctl(obj, (unsigned int)request, arg, ret);
		kvmu_obj_put(obj);
	}
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return (int)ret;
}
