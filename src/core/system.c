// SPDX-License-Identifier: MIT
/* The system object: what open("/dev/kvm") gives. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kvmu_int.h"
#include "handlers.h"

#define KVM_API_VERSION_NR 12

struct kvmu_system {
	struct kvmu_obj obj;
};

/*
 * The architectures: one line each, the names the CLI, the shim's
 * KVMU_ARCH and the API accept (the first is the canonical one), and the
 * ops table where this build has the architecture (NULL: named, not built).
 */
static const struct {
	enum kvmu_arch arch;
	const char *names[4];
	const struct kvmu_arch_ops *ops;
} arches[] = {
	{ KVMU_ARCH_X86_64, { "x86_64", "x86-64", "amd64", "x86" },
	  &kvmu_x86_ops },
	{ KVMU_ARCH_S390X, { "s390x", "s390" }, &kvmu_s390_ops },
	{ KVMU_ARCH_ARM64, { "arm64", "aarch64" }, NULL },
};

static enum kvmu_arch host_arch(void)
{
#if defined(__s390x__)
	return KVMU_ARCH_S390X;
#elif defined(__aarch64__)
	return KVMU_ARCH_ARM64;
#else
	return KVMU_ARCH_X86_64;
#endif
}

static int arch_index(enum kvmu_arch arch)
{
	size_t i;

	if (arch == KVMU_ARCH_HOST)
		arch = host_arch();
	for (i = 0; i < ARRAY_SIZE(arches); i++)
		if (arches[i].arch == arch)
			return (int)i;
	return -1;
}

int kvmu_arch_from_name(const char *name)
{
	size_t i, j;

	if (name && !strcasecmp(name, "host"))
		return (int)KVMU_ARCH_HOST;
	for (i = 0; name && i < ARRAY_SIZE(arches); i++)
		for (j = 0; j < ARRAY_SIZE(arches[i].names); j++)
			if (arches[i].names[j] &&
			    !strcasecmp(name, arches[i].names[j]))
				return (int)arches[i].arch;
	return -1;
}

const char *kvmu_arch_name(enum kvmu_arch arch)
{
	int i = arch_index(arch);

	return i < 0 ? NULL : arches[i].names[0];
}

const struct kvmu_arch_ops *kvmu_arch_lookup(enum kvmu_arch arch)
{
	int i = arch_index(arch);

	return i < 0 ? NULL : arches[i].ops;
}

static void system_destroy(struct kvmu_obj *obj)
{
	free(obj);
}

static void trace_from_env(void)
{
	const char *t = getenv("KVMU_TRACE");

	if (t && *t && strcmp(t, "0") && !kvmu_trace_stream)
		kvmu_trace_set(stderr);
}

int kvmu_open(enum kvmu_arch arch, int flags)
{
	const struct kvmu_arch_ops *ops;
	struct kvmu_system *sys;
	int fd;

	if (flags & ~KVMU_OPEN_CLOEXEC) {
		errno = EINVAL;
		return -1;
	}
	ops = kvmu_arch_lookup(arch);
	if (!ops) {
		errno = EOPNOTSUPP;
		return -1;
	}
	trace_from_env();
	kvmu_obj_reap();
	sys = calloc(1, sizeof(*sys));
	if (!sys) {
		errno = ENOMEM;
		return -1;
	}
	sys->obj.kind = KVMU_OBJ_SYSTEM;
	sys->obj.arch = ops;
	sys->obj.destroy = system_destroy;
	fd = kvmu_obj_install(&sys->obj, "kvm", 0,
			      flags & KVMU_OPEN_CLOEXEC);
	if (fd < 0) {
		free(sys);
		errno = -fd;
		return -1;
	}
	return fd;
}

long sys_get_api_version(struct kvmu_obj *obj KVMU_UNUSED,
			 struct kvmu_ioctl_req *r)
{
	if (r->uarg)
		return -EINVAL;
	return KVM_API_VERSION_NR;
}

long sys_create_vm(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	kvmu_obj_reap();
	return kvmu_vm_create(obj->arch, r->uarg);
}

long sys_check_extension(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	bool known = false;
	long v = kvmu_check_extension_generic(obj->arch, NULL, (long)r->uarg, &known);

	if (known)
		return v;
	return obj->arch->check_extension(NULL, (long)r->uarg);
}

long sys_get_vcpu_mmap_size(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	if (r->uarg)
		return -EINVAL;
	return (long)(obj->arch->vcpu_mmap_pages * KVMU_PAGE_SIZE);
}
