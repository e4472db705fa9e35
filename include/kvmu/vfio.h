/* SPDX-License-Identifier: MIT */
/*
 * kvmu VFIO: the kernel's VFIO container, group and device files for the
 * vfio_ap mediated devices of the kvmu host model (include/kvmu/host.h).
 *
 * kvmu_vfio_open() stands for open() of "/dev/vfio/vfio" (a container) or
 * "/dev/vfio/<N>" (the group of the mdev whose iommu_group is N, see
 * kvmu_host_mdev_iommu_group()).  The descriptors it returns, and the
 * device descriptors VFIO_GROUP_GET_DEVICE_FD gives, take kvmu_ioctl()
 * (or ioctl() under the LD_PRELOAD shim) with the kernel's arguments,
 * return values and errno.  A VMM attaches an mdev to a VM as QEMU does:
 * container, group, VFIO_GROUP_SET_CONTAINER, VFIO_SET_IOMMU, a
 * KVM_DEV_TYPE_VFIO device with KVM_DEV_VFIO_FILE_ADD of the group, then
 * VFIO_GROUP_GET_DEVICE_FD with the mdev's UUID.  See docs/vfio.md.
 *
 * The host is the one kvmu_host_open(NULL, ...) finds: $KVMU_HOST_DIR,
 * else /var/lib/kvmu.
 */
#ifndef KVMU_VFIO_H
#define KVMU_VFIO_H

#include <kvmu/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Open path ("/dev/vfio/vfio" or "/dev/vfio/<N>") with open(2) flags
 * (O_CLOEXEC is honoured; the access mode is not checked).  Returns a
 * descriptor or -1 with errno: ENOENT (no such node, no mdev has group N),
 * EBUSY (the group is already open in this process), or the host's errno.
 */
KVMU_API
int kvmu_vfio_open(const char *path, int flags);

/* Nonzero when path names a VFIO node kvmu serves ("/dev/vfio/..."). */
KVMU_API
int kvmu_vfio_is_path(const char *path);

#ifdef __cplusplus
}
#endif
#endif /* KVMU_VFIO_H */
