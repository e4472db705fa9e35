// SPDX-License-Identifier: MIT
/*
 * VFIO groups, /dev/vfio/<N>: one per vfio_ap mdev, N being the mdev's
 * iommu_group in the host model.  As in drivers/vfio/group.c a group is
 * open at most once, joins one container, and hands out device files by
 * device name (the mdev's UUID); its release (after its last descriptor
 * and every device file and KVM VFIO device holding it) leaves the
 * container.  Also kvmu_vfio_open(), the library's open() of /dev/vfio.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "vfio_int.h"
#include "handlers.h"

static pthread_mutex_t groups_lock = PTHREAD_MUTEX_INITIALIZER;
static struct kvmu_vfio_group *groups;	/* open in this process */

static struct kvmu_vfio_group *to_group(struct kvmu_obj *obj)
{
	return (struct kvmu_vfio_group *)obj;
}

static void group_destroy(struct kvmu_obj *obj)
{
	struct kvmu_vfio_group *g = to_group(obj), **pp;

	pthread_mutex_lock(&groups_lock);
	for (pp = &groups; *pp && *pp != g; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = g->next;
	pthread_mutex_unlock(&groups_lock);
	if (g->container)
		kvmu_vfio_container_detach(g->container);
	kvmu_host_close(g->host);
	pthread_mutex_destroy(&g->ap.irq_lock);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

/* Register g as open; -EBUSY when group id already is (opened_file). */
static int group_claim(struct kvmu_vfio_group *g)
{
	struct kvmu_vfio_group *it;
	int ret = 0;

	pthread_mutex_lock(&groups_lock);
	for (it = groups; it; it = it->next)
		if (it->id == g->id)
			ret = -EBUSY;
	if (!ret) {
		g->next = groups;
		groups = g;
	}
	pthread_mutex_unlock(&groups_lock);
	return ret;
}

static struct kvmu_vfio_group *group_new(int id)
{
	struct kvmu_vfio_group *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->obj.kind = KVMU_OBJ_VFIO_GROUP;
	g->obj.destroy = group_destroy;
	g->id = id;
	g->ap.req_fd = -1;
	g->ap.cfg_fd = -1;
	g->ap.stop_fd = -1;
	pthread_mutex_init(&g->lock, NULL);
	pthread_mutex_init(&g->ap.irq_lock, NULL);
	return g;
}

int kvmu_vfio_group_open(int id, int cloexec)
{
	struct kvmu_vfio_group *g;
	int ret;

	kvmu_obj_reap();	/* a closed group is released first */
	g = group_new(id);
	if (!g)
		return -ENOMEM;
	ret = kvmu_host_open(NULL, 0, &g->host);
	if (!ret)
		ret = kvmu_host_iommu_group_mdev(g->host, id, g->uuid);
	if (!ret)
		ret = group_claim(g);
	if (ret) {
		kvmu_host_close(g->host);
		pthread_mutex_destroy(&g->ap.irq_lock);
		pthread_mutex_destroy(&g->lock);
		free(g);
		return ret;
	}
	ret = kvmu_obj_install(&g->obj, "vfio-group", 0, cloexec);
	if (ret < 0)
		group_destroy(&g->obj);
	return ret;
}

void kvmu_vfio_file_set_kvm(struct kvmu_obj *obj, struct kvmu_vm *vm)
{
	struct kvmu_vfio_group *g;

	/* a device file only matters for the cdev interface, not modelled */
	if (obj->kind != KVMU_OBJ_VFIO_GROUP)
		return;
	g = to_group(obj);
	pthread_mutex_lock(&g->lock);
	g->kvm = vm;
	pthread_mutex_unlock(&g->lock);
}

bool kvmu_vfio_file_is_valid(const struct kvmu_obj *obj)
{
	return obj->kind == KVMU_OBJ_VFIO_GROUP ||
	       obj->kind == KVMU_OBJ_VFIO_DEVICE;
}

/* ---- ioctls ---- */

long vfio_group_get_status(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vfio_group *g = to_group(obj);
	struct vfio_group_status st;
	long ret;

	ret = kvmu_copy_from_user(&st, r->uarg, sizeof(st));
	if (ret)
		return ret;
	if (st.argsz < sizeof(st))
		return -EINVAL;
	pthread_mutex_lock(&g->lock);
	st.flags = VFIO_GROUP_FLAGS_VIABLE;
	if (g->container)
		st.flags |= VFIO_GROUP_FLAGS_CONTAINER_SET;
	pthread_mutex_unlock(&g->lock);
	return kvmu_copy_to_user(r->uarg, &st, sizeof(st));
}

long vfio_group_set_container(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vfio_group *g = to_group(obj);
	struct kvmu_obj *c;
	s32 fd;
	long ret;

	ret = kvmu_copy_from_user(&fd, r->uarg, sizeof(fd));
	if (ret)
		return ret;
	if (fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	pthread_mutex_lock(&g->lock);
	if (g->container) {
		ret = -EINVAL;
	} else if (kvmu_obj_get(fd, &c)) {
		ret = -EBADFD;		/* not a container: not recognised */
	} else {
		if (c->kind == KVMU_OBJ_VFIO_CONTAINER) {
			g->container = (struct kvmu_vfio_container *)c;
			g->container_users = 1;
			ret = kvmu_vfio_container_attach(g->container);
		} else {
			ret = -EBADFD;
		}
		kvmu_obj_put(c);
	}
	pthread_mutex_unlock(&g->lock);
	return ret;
}

long vfio_group_unset_container(struct kvmu_obj *obj,
				struct kvmu_ioctl_req *r KVMU_UNUSED)
{
	struct kvmu_vfio_group *g = to_group(obj);
	long ret = 0;

	kvmu_obj_reap();	/* device files closed by now let go first */
	pthread_mutex_lock(&g->lock);
	if (!g->container) {
		ret = -EINVAL;
	} else if (g->container_users != 1) {
		ret = -EBUSY;
	} else {
		kvmu_vfio_container_detach(g->container);
		g->container = NULL;
		g->container_users = 0;
	}
	pthread_mutex_unlock(&g->lock);
	return ret;
}

/*
 * strndup_user(arg, PAGE_SIZE): read up to the NUL, a chunk at a time so
 * that a short string at the end of a mapping does not fault.
 */
static int read_name(unsigned long uptr, char *buf, size_t size)
{
	size_t n = 0;

	while (n < size) {
		size_t chunk = KVMU_PAGE_SIZE - ((uptr + n) & (KVMU_PAGE_SIZE - 1));
		int ret;

		if (chunk > size - n)
			chunk = size - n;
		ret = kvmu_copy_from_user(buf + n, uptr + n, chunk);
		if (ret)
			return ret;
		if (memchr(buf + n, 0, chunk))
			return 0;
		n += chunk;
	}
	return -EINVAL;		/* no NUL within a page */
}

long vfio_group_get_device_fd(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vfio_group *g = to_group(obj);
	char name[KVMU_PAGE_SIZE];
	long ret;

	ret = read_name(r->uarg, name, sizeof(name));
	if (ret)
		return ret;
	if (strcmp(name, g->uuid))
		return -ENODEV;		/* vfio_device_get_from_name() */
	kvmu_obj_reap();		/* a closed device file is released first */
	pthread_mutex_lock(&g->lock);
	if (!g->container)
		ret = -EINVAL;		/* vfio_df_group_open(): no IOMMU */
	else
		ret = kvmu_vfio_ap_open(g);
	if (!ret) {
		ret = kvmu_vfio_device_install(g);
		if (ret < 0)
			kvmu_vfio_ap_close(g);
	}
	pthread_mutex_unlock(&g->lock);
	return ret;
}

/* ---- the library's open() of /dev/vfio ---- */

#define VFIO_DIR "/dev/vfio/"

int kvmu_vfio_is_path(const char *path)
{
	return path && !strncmp(path, VFIO_DIR, strlen(VFIO_DIR)) &&
	       path[strlen(VFIO_DIR)] && !strchr(path + strlen(VFIO_DIR), '/');
}

/* A group node name: decimal, no sign or leading zero, as dev_set_name. */
static int parse_group(const char *s)
{
	long v = 0;

	if (!*s || (*s == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (1L << 30))
			return -1;
		v = v * 10 + (*s - '0');
	}
	return (int)v;
}

#define KVMU_IOCTL(req, kind, mode, fn) \
	{ req, KVMU_OBJ_##kind, KVMU_ARG_##mode, #req, fn },
static const struct kvmu_ioctl_desc vfio_ioctls[] = {
#include "vfio/ioctls.def"
};
#undef KVMU_IOCTL

#define VFIO_KIND(n, e, u) { .name = n, .ioctls = vfio_ioctls, \
			     .nr_ioctls = ARRAY_SIZE(vfio_ioctls), \
			     .unknown_errno = e, .unknown = u }
/* Unknown requests: the container's depend on its IOMMU driver. */
static const struct kvmu_kind_ops vfio_kinds[] = {
	VFIO_KIND("vfio", EINVAL, kvmu_vfio_container_unknown),
	VFIO_KIND("vfio-group", ENOTTY, NULL),
	VFIO_KIND("vfio-device", EOPNOTSUPP, NULL),	/* vfio_ap_mdev_ioctl */
};
#undef VFIO_KIND

void kvmu_vfio_register_kinds(void)
{
	kvmu_kind_register(KVMU_OBJ_VFIO_CONTAINER, &vfio_kinds[0]);
	kvmu_kind_register(KVMU_OBJ_VFIO_GROUP, &vfio_kinds[1]);
	kvmu_kind_register(KVMU_OBJ_VFIO_DEVICE, &vfio_kinds[2]);
}

int kvmu_vfio_open(const char *path, int flags)
{
	const char *name;
	int id, ret;

	/* every VFIO object comes from here: its kinds exist from now on */
	kvmu_vfio_register_kinds();

	if (!kvmu_vfio_is_path(path)) {
		errno = ENOENT;
		return -1;
	}
	name = path + strlen(VFIO_DIR);
	if (!strcmp(name, "vfio")) {
		ret = kvmu_vfio_container_open(flags & O_CLOEXEC);
	} else {
		id = parse_group(name);
		ret = id < 0 ? -ENOENT :
			kvmu_vfio_group_open(id, flags & O_CLOEXEC);
	}
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}
