// SPDX-License-Identifier: MIT
/*
 * The vfio_ap device file: what VFIO_GROUP_GET_DEVICE_FD hands out for a
 * matrix mdev.  The first open needs the group's KVM association (else
 * -EINVAL, vfio_ap_mdev_open_device), takes the mdev from the host model
 * (in use until the last close; -EBUSY if another process has it) and
 * calls the architecture's vfio_attach hook (s390: the mdev's queues go
 * into the CRYCB; -EPERM for a second mdev on one VM).  The last close
 * detaches and releases the mdev, which zeroizes its queues.  The ioctls
 * are vfio_ap_mdev_ioctl()'s, behind the VFIO core's VFIO_DEVICE_FEATURE.
 * A watcher thread relays host events to the registered eventfds: the
 * guest matrix changing (CFG_CHG) and a refused remove of the mdev (REQ).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "vfio_int.h"
#include "handlers.h"

#define offsetofend(t, m) (offsetof(t, m) + sizeof(((t *)0)->m))

static struct kvmu_vfio_group *dev_group(struct kvmu_obj *obj)
{
	return ((struct kvmu_vfio_device *)obj)->group;
}

struct kvmu_host_mdev *kvmu_vfio_device_mdev(struct kvmu_obj *obj)
{
	return obj->kind == KVMU_OBJ_VFIO_DEVICE ? dev_group(obj)->ap.mdev :
		NULL;
}

static void signal_fd(int fd)
{
	u64 one = 1;

	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0)
		return;		/* a saturated counter: the kernel drops too */
}

/* ---- the watcher: host events to eventfds ---- */

struct watch {
	struct kvmu_vfio_group *g;
	int ino;
	struct kvmu_host_matrix last;
};

/* The state file was replaced: has the guest matrix changed? */
static void check_matrix(struct watch *w)
{
	struct kvmu_host_matrix m;

	if (kvmu_host_mdev_guest_matrix(w->g->ap.mdev, &m, NULL) ||
	    !memcmp(&m, &w->last, sizeof(m)))
		return;
	w->last = m;
	pthread_mutex_lock(&w->g->ap.irq_lock);
	signal_fd(w->g->ap.cfg_fd);
	pthread_mutex_unlock(&w->g->ap.irq_lock);
}

/* A remove of the mdev was refused: relay the device request. */
static void relay_request(struct watch *w)
{
	struct kvmu_vfio_ap *ap = &w->g->ap;

	pthread_mutex_lock(&ap->irq_lock);
	if (ap->attached)
		signal_fd(ap->cfg_fd);
	signal_fd(ap->req_fd);
	ap->requests++;
	pthread_mutex_unlock(&ap->irq_lock);
}

static void handle_events(struct watch *w, int inuse_wd)
{
	char buf[4096] __attribute__((aligned(8)));
	const struct inotify_event *ev;
	bool state = false, req = false;
	ssize_t n, off;

	while ((n = read(w->ino, buf, sizeof(buf))) > 0)
		for (off = 0; off < n; off += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(buf + off);
			if (ev->wd == inuse_wd && ev->len &&
			    !strcmp(ev->name, w->g->uuid))
				req = true;
			else if (ev->wd != inuse_wd && ev->len &&
				 !strcmp(ev->name, "state"))
				state = true;
		}
	if (state)
		check_matrix(w);
	if (req)
		relay_request(w);
}

static void *watcher(void *arg)
{
	struct watch *w = arg;
	char inuse[4200];
	struct pollfd p[2];
	int inuse_wd;

	snprintf(inuse, sizeof(inuse), "%s/inuse", kvmu_host_dir(w->g->host));
	inotify_add_watch(w->ino, kvmu_host_dir(w->g->host), IN_MOVED_TO);
	inuse_wd = inotify_add_watch(w->ino, inuse, IN_ATTRIB);
	p[0] = (struct pollfd){ .fd = w->ino, .events = POLLIN };
	p[1] = (struct pollfd){ .fd = w->g->ap.stop_fd, .events = POLLIN };
	while (poll(p, 2, -1) >= 0 || errno == EINTR) {
		if (p[1].revents)
			break;
		if (p[0].revents)
			handle_events(w, inuse_wd);
	}
	close(w->ino);
	free(w);
	return NULL;
}

static int watcher_start(struct kvmu_vfio_group *g)
{
	struct watch *w = calloc(1, sizeof(*w));
	int ret = -ENOMEM;

	if (!w)
		return ret;
	w->g = g;
	w->ino = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	g->ap.stop_fd = eventfd(0, EFD_CLOEXEC);
	if (w->ino < 0 || g->ap.stop_fd < 0)
		goto fail;
	kvmu_host_mdev_guest_matrix(g->ap.mdev, &w->last, NULL);
	ret = -pthread_create(&g->ap.watcher, NULL, watcher, w);
	if (!ret) {
		g->ap.watching = true;
		return 0;
	}
fail:
	if (w->ino >= 0)
		close(w->ino);
	if (g->ap.stop_fd >= 0)
		close(g->ap.stop_fd);
	g->ap.stop_fd = -1;
	free(w);
	return ret ? ret : -EMFILE;
}

static void watcher_stop(struct kvmu_vfio_group *g)
{
	if (!g->ap.watching)
		return;
	signal_fd(g->ap.stop_fd);
	pthread_join(g->ap.watcher, NULL);
	close(g->ap.stop_fd);
	g->ap.stop_fd = -1;
	g->ap.watching = false;
}

/* ---- open and close ---- */

int kvmu_vfio_ap_open(struct kvmu_vfio_group *g)
{
	struct kvmu_vfio_ap *ap = &g->ap;
	struct kvmu_host_mdev *mdev;
	struct kvmu_vm *vm = g->kvm;
	int ret;

	if (ap->open_count) {
		ap->open_count++;
		return 0;
	}
	if (!kvmu_vfio_container_has_iommu(g->container) || !vm)
		return -EINVAL;	/* no IOMMU driver set; no KVM */
	ret = kvmu_host_mdev_open(g->host, g->uuid, &mdev);
	if (ret)
		return ret;
	ap->mdev = mdev;
	ret = watcher_start(g);
	if (!ret && vm->obj.arch->vfio_attach) {
		ret = vm->obj.arch->vfio_attach(vm, mdev);
		if (ret)
			watcher_stop(g);
	}
	if (ret) {
		kvmu_host_mdev_release(mdev);
		ap->mdev = NULL;
		return ret;
	}
	ap->attached = vm->obj.arch->vfio_attach != NULL;
	kvmu_obj_ref(&vm->obj);		/* vfio_device_get_kvm_safe() */
	ap->vm = vm;
	ap->open_count = 1;
	g->container_users++;
	return 0;
}

void kvmu_vfio_ap_close(struct kvmu_vfio_group *g)
{
	struct kvmu_vfio_ap *ap = &g->ap;

	if (--ap->open_count)
		return;
	watcher_stop(g);
	if (ap->attached && ap->vm->obj.arch->vfio_detach)
		ap->vm->obj.arch->vfio_detach(ap->vm, ap->mdev);
	ap->attached = false;
	kvmu_host_mdev_release(ap->mdev);	/* resets, zeroizes */
	ap->mdev = NULL;
	kvmu_obj_put(&ap->vm->obj);
	ap->vm = NULL;
	pthread_mutex_lock(&ap->irq_lock);
	if (ap->req_fd >= 0)
		close(ap->req_fd);
	if (ap->cfg_fd >= 0)
		close(ap->cfg_fd);
	ap->req_fd = ap->cfg_fd = -1;
	pthread_mutex_unlock(&ap->irq_lock);
	g->container_users--;
}

/* The device file is gone: vfio_df_group_close(). */
static void device_closed(struct kvmu_obj *obj)
{
	struct kvmu_vfio_group *g = dev_group(obj);

	pthread_mutex_lock(&g->lock);
	kvmu_vfio_ap_close(g);
	pthread_mutex_unlock(&g->lock);
}

static void device_destroy(struct kvmu_obj *obj)
{
	kvmu_obj_put(&dev_group(obj)->obj);
	free(obj);
}

int kvmu_vfio_device_install(struct kvmu_vfio_group *g)
{
	struct kvmu_vfio_device *d = calloc(1, sizeof(*d));
	int fd;

	if (!d)
		return -ENOMEM;
	d->obj.kind = KVMU_OBJ_VFIO_DEVICE;
	d->obj.destroy = device_destroy;
	d->obj.closed = device_closed;
	d->group = g;
	kvmu_obj_ref(&g->obj);
	fd = kvmu_obj_install(&d->obj, "vfio-device", 0, 1);
	if (fd < 0) {
		kvmu_obj_put(&g->obj);
		free(d);
	}
	return fd;
}
