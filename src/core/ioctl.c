// SPDX-License-Identifier: MIT
/*
 * ioctl dispatch: find the object, check the caller may use it, find the
 * request in its kind's table (the registry below) and then the
 * architecture's, move the argument across the user boundary, run the
 * handler.  The core knows its own kinds; families register theirs.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

#include "kvmu_int.h"
#include "handlers.h"

#define KVMU_IOCTL(req, kind, mode, fn) \
	{ req, KVMU_OBJ_##kind, KVMU_ARG_##mode, #req, fn },
static const struct kvmu_ioctl_desc generic_ioctls[] = {
#include "ioctls.def"
};
#undef KVMU_IOCTL

#define CORE_KIND(n, e) { .name = n, .ioctls = generic_ioctls, \
			  .nr_ioctls = ARRAY_SIZE(generic_ioctls), \
			  .unknown_errno = e }
/* The core's kinds; unknown requests answer as kvm_main.c's (+ arch). */
static const struct kvmu_kind_ops core_kinds[] = {
	[KVMU_OBJ_SYSTEM] = CORE_KIND("kvm", EINVAL),
	[KVMU_OBJ_VM] = CORE_KIND("vm", ENOTTY),
	[KVMU_OBJ_VCPU] = CORE_KIND("vcpu", EINVAL),
	[KVMU_OBJ_DEVICE] = CORE_KIND("device", ENOTTY),
	[KVMU_OBJ_PLANE] = CORE_KIND("plane", ENOTTY),
	[KVMU_OBJ_STATS] = CORE_KIND("stats", ENOTTY),
};
#undef CORE_KIND

static _Atomic(const struct kvmu_kind_ops *) kinds[KVMU_OBJ_NR] = {
	[KVMU_OBJ_SYSTEM] = &core_kinds[KVMU_OBJ_SYSTEM],
	[KVMU_OBJ_VM] = &core_kinds[KVMU_OBJ_VM],
	[KVMU_OBJ_VCPU] = &core_kinds[KVMU_OBJ_VCPU],
	[KVMU_OBJ_DEVICE] = &core_kinds[KVMU_OBJ_DEVICE],
	[KVMU_OBJ_PLANE] = &core_kinds[KVMU_OBJ_PLANE],
	[KVMU_OBJ_STATS] = &core_kinds[KVMU_OBJ_STATS],
};

void kvmu_kind_register(enum kvmu_kind kind, const struct kvmu_kind_ops *ops)
{
	const struct kvmu_kind_ops *none = NULL;

	if ((unsigned int)kind < KVMU_OBJ_NR)
		atomic_compare_exchange_strong(&kinds[kind], &none, ops);
}

static const struct kvmu_kind_ops *kind_ops(enum kvmu_kind kind)
{
	return atomic_load_explicit(&kinds[kind], memory_order_acquire);
}

const char *kvmu_kind_name(enum kvmu_kind kind)
{
	const struct kvmu_kind_ops *k =
		(unsigned int)kind < KVMU_OBJ_NR ? kind_ops(kind) : NULL;

	return k ? k->name : "?";
}

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
					    const struct kvmu_kind_ops *k,
					    enum kvmu_kind kind,
					    unsigned int cmd)
{
	const struct kvmu_ioctl_desc *d;

	d = find_desc(k->ioctls, k->nr_ioctls, kind, cmd);
	if (!d && arch)
		d = find_desc(arch->ioctls, arch->nr_ioctls, kind, cmd);
	return d;
}

static const char *name_in(const struct kvmu_ioctl_desc *tab, size_t n,
			   unsigned int cmd)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i].cmd == cmd)
			return tab[i].name;
	return NULL;
}

const char *kvmu_ioctl_name(enum kvmu_arch arch, unsigned long request)
{
	const struct kvmu_arch_ops *ops = kvmu_arch_lookup(arch);
	const char *name = NULL;
	int k;

	for (k = 0; k < KVMU_OBJ_NR && !name; k++)
		if (kind_ops(k))
			name = name_in(kind_ops(k)->ioctls,
				       kind_ops(k)->nr_ioctls,
				       (unsigned int)request);
	if (!name && ops)
		name = name_in(ops->ioctls, ops->nr_ioctls,
			       (unsigned int)request);
	return name;
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
	const struct kvmu_kind_ops *k = kind_ops(obj->kind);
	const struct kvmu_ioctl_desc *d;
	struct kvmu_vcpu *vcpu;
	long ret;

	if (obj->kind != KVMU_OBJ_SYSTEM && obj->owner != kvmu_pid())
		return -EIO;
	if (obj->kind == KVMU_OBJ_VCPU && _IOC_TYPE(cmd) != KVMIO)
		return -EINVAL;
	if (!k)
		return -ENOTTY;
	d = lookup(obj->arch, k, obj->kind, cmd);
	if (!d && obj->kind == KVMU_OBJ_VCPU &&
	    ((struct kvmu_vcpu *)obj)->plane0)
		return -EINVAL;		/* plane vCPUs: the RFC's EINVAL */
	if (!d && obj->kind == KVMU_OBJ_VCPU && obj->arch->unknown_vcpu_errno)
		return -(long)obj->arch->unknown_vcpu_errno;
	if (!d && obj->kind == KVMU_OBJ_VM && obj->arch->unknown_vm_errno)
		return -(long)obj->arch->unknown_vm_errno;
	if (!d)
		return k->unknown ? k->unknown(obj) : -(long)k->unknown_errno;
	if (obj->kind != KVMU_OBJ_VCPU)
		return call_handler(obj, d, cmd, arg);
	/* like vcpu->mutex: one ioctl at a time per vCPU (all its planes) */
	vcpu = (struct kvmu_vcpu *)obj;
	pthread_mutex_lock(&kvmu_vcpu_runner(vcpu)->mutex);
	ret = vcpu->planes ? kvmu_plane_vcpu_ioctl_check(vcpu, cmd) : 0;
	if (!ret)
		ret = call_handler(obj, d, cmd, arg);
	pthread_mutex_unlock(&kvmu_vcpu_runner(vcpu)->mutex);
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
