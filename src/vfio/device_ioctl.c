// SPDX-License-Identifier: MIT
/*
 * The ioctls of a vfio_ap device file, with the checks and errno of
 * vfio_ap_mdev_ioctl() and, for VFIO_DEVICE_FEATURE, of the VFIO core
 * (vfio_main.c), which answers it before the driver sees it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vfio_int.h"
#include "handlers.h"

#define offsetofend(t, m) (offsetof(t, m) + sizeof(((t *)0)->m))

/* Feature numbers the core answers itself (uapi vfio.h). */
#define FEATURE_MIGRATION		1
#define FEATURE_MIG_DEVICE_STATE	2
#define FEATURE_DMA_LOGGING_START	6
#define FEATURE_DMA_LOGGING_STOP	7
#define FEATURE_DMA_LOGGING_REPORT	8
#define FEATURE_MIG_DATA_SIZE		9

static struct kvmu_vfio_ap *dev_ap(struct kvmu_obj *obj)
{
	return &((struct kvmu_vfio_device *)obj)->group->ap;
}

long vfio_device_get_info(struct kvmu_obj *obj KVMU_UNUSED,
			  struct kvmu_ioctl_req *r)
{
	const size_t minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;
	long ret;

	ret = kvmu_copy_from_user(&info, r->uarg, minsz);
	if (ret)
		return ret;
	if (info.argsz < minsz)
		return -EINVAL;
	info.flags = VFIO_DEVICE_FLAGS_AP | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = 0;
	info.num_irqs = VFIO_AP_NUM_IRQS;
	return kvmu_copy_to_user(r->uarg, &info, minsz);
}

/* ZAPQ every queue of the mdev; -EIO when a reset does not complete. */
long vfio_device_reset(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	(void)r;
	return kvmu_host_mdev_reset(dev_ap(obj)->mdev) ? -EIO : 0;
}

long vfio_device_get_irq_info(struct kvmu_obj *obj KVMU_UNUSED,
			      struct kvmu_ioctl_req *r)
{
	const size_t minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;
	long ret;

	ret = kvmu_copy_from_user(&info, r->uarg, minsz);
	if (ret)
		return ret;
	if (info.argsz < minsz || info.index >= VFIO_AP_NUM_IRQS)
		return -EINVAL;
	info.count = 1;
	info.flags = VFIO_IRQ_INFO_EVENTFD;
	return kvmu_copy_to_user(r->uarg, &info, minsz);
}

/* vfio_set_irqs_validate_and_prepare() for one interrupt per index. */
static int validate_irq_set(const struct vfio_irq_set *s)
{
	const size_t minsz = offsetofend(struct vfio_irq_set, count);
	size_t size;

	if (s->argsz < minsz || s->index >= VFIO_AP_NUM_IRQS ||
	    s->count >= UINT32_MAX - s->start ||
	    s->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
			 VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return -EINVAL;
	if (s->start >= 1 || s->start + s->count > 1)
		return -EINVAL;
	switch (s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		size = 0;
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		size = 1;
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		size = 4;
		break;
	default:
		return -EINVAL;
	}
	if (size && s->argsz - minsz < s->count * size)
		return -EINVAL;
	if (!(s->flags & VFIO_IRQ_SET_ACTION_TRIGGER))
		return -EINVAL;
	return 0;
}

/* eventfd_ctx_fdget(): our own reference (a dup) to an eventfd. */
static int eventfd_get(int fd)
{
	char proc[32], link[64];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, link, sizeof(link) - 1);
	if (n < 0)
		return -EBADF;
	link[n] = 0;
	if (strcmp(link, "anon_inode:[eventfd]"))
		return -EINVAL;
	fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return fd < 0 ? -errno : fd;
}

static int set_trigger(struct kvmu_vfio_ap *ap, int *slot, s32 fd)
{
	int nfd = -1;

	if (fd < -1)
		return -EINVAL;
	if (fd >= 0) {
		nfd = eventfd_get(fd);
		if (nfd < 0)
			return nfd;
	}
	pthread_mutex_lock(&ap->irq_lock);
	if (*slot >= 0)
		close(*slot);
	*slot = nfd;
	pthread_mutex_unlock(&ap->irq_lock);
	return 0;
}

long vfio_device_set_irqs(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	const size_t minsz = offsetofend(struct vfio_irq_set, count);
	struct kvmu_vfio_ap *ap = dev_ap(obj);
	struct vfio_irq_set s;
	s32 fd;
	long ret;

	ret = kvmu_copy_from_user(&s, r->uarg, minsz);
	if (!ret)
		ret = validate_irq_set(&s);
	if (ret)
		return ret;
	if ((s.flags & VFIO_IRQ_SET_DATA_TYPE_MASK) != VFIO_IRQ_SET_DATA_EVENTFD)
		return -EINVAL;
	ret = kvmu_copy_from_user(&fd, r->uarg + minsz, sizeof(fd));
	if (ret)
		return ret;
	return set_trigger(ap, s.index == VFIO_AP_REQ_IRQ_INDEX ?
			   &ap->req_fd : &ap->cfg_fd, fd);
}

/*
 * vfio_ioctl_device_feature(): vfio_ap has no migration, no DMA logging
 * and no device_feature op.
 */
long vfio_device_feature(struct kvmu_obj *obj KVMU_UNUSED,
			 struct kvmu_ioctl_req *r)
{
	const u32 known = VFIO_DEVICE_FEATURE_MASK | VFIO_DEVICE_FEATURE_SET |
			  VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_PROBE;
	struct vfio_device_feature f;
	long ret;

	ret = kvmu_copy_from_user(&f, r->uarg, sizeof(f));
	if (ret)
		return ret;
	if (f.argsz < sizeof(f) || f.flags & ~known)
		return -EINVAL;
	if (!(f.flags & VFIO_DEVICE_FEATURE_PROBE) &&
	    (f.flags & VFIO_DEVICE_FEATURE_SET) &&
	    (f.flags & VFIO_DEVICE_FEATURE_GET))
		return -EINVAL;
	switch (f.flags & VFIO_DEVICE_FEATURE_MASK) {
	case FEATURE_MIGRATION:
	case FEATURE_MIG_DEVICE_STATE:
	case FEATURE_DMA_LOGGING_START:
	case FEATURE_DMA_LOGGING_STOP:
	case FEATURE_DMA_LOGGING_REPORT:
	case FEATURE_MIG_DATA_SIZE:
		return -ENOTTY;
	default:
		return -EINVAL;
	}
}
