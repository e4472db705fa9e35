// SPDX-License-Identifier: MIT
/*
 * kvmu run --ap UUID: pass a vfio_ap mdev through with the public API,
 * in the order QEMU's hw/vfio/ap.c (via the VFIO container code) uses:
 * the mdev's iommu_group, the container, the group (viable?), the group
 * into the container, the IOMMU type, a KVM VFIO device with the group
 * added, then the device by its UUID (which attaches it to the VM).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <kvmu/kvmu.h>
#include <kvmu/host.h>
#include <kvmu/vfio.h>
#include <kvmu/abi/vfio.h>

#include "run.h"

static int ap_error(const char *uuid, const char *what, int err)
{
	fprintf(stderr, "kvmu run: --ap %s: %s: %s\n", uuid, what,
		strerror(err));
	return -1;
}

/* The N of /dev/vfio/N, from the host model (QEMU reads sysfs). */
static int ap_group(const char *uuid)
{
	struct kvmu_host *h;
	int g, rc = kvmu_host_open(NULL, 0, &h);

	if (rc)
		return ap_error(uuid, "host model", -rc);
	g = kvmu_host_mdev_iommu_group(h, uuid);
	kvmu_host_close(h);
	if (g < 0)
		return ap_error(uuid, "no such mdev", -g);
	return g;
}

static int ap_container(struct run_ap *ap, const char *uuid, int group)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[32];

	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	ap->container = kvmu_vfio_open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (ap->container < 0)
		return ap_error(uuid, "/dev/vfio/vfio", errno);
	ap->group = kvmu_vfio_open(path, O_RDWR | O_CLOEXEC);
	if (ap->group < 0)
		return ap_error(uuid, path, errno);
	if (kvmu_ioctl(ap->group, VFIO_GROUP_GET_STATUS, &st))
		return ap_error(uuid, "VFIO_GROUP_GET_STATUS", errno);
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		return ap_error(uuid, "group not viable", EPERM);
	if (kvmu_ioctl(ap->group, VFIO_GROUP_SET_CONTAINER, &ap->container))
		return ap_error(uuid, "VFIO_GROUP_SET_CONTAINER", errno);
	if (kvmu_ioctl(ap->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) &&
	    kvmu_ioctl(ap->container, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU))
		return ap_error(uuid, "VFIO_SET_IOMMU", errno);
	return 0;
}

static int ap_kvm_device(struct run_ap *ap, int vm_fd, const char *uuid)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };
	int32_t fd = ap->group;
	struct kvm_device_attr a = {
		.group = KVM_DEV_VFIO_FILE, .attr = KVM_DEV_VFIO_FILE_ADD,
		.addr = (uintptr_t)&fd,
	};

	if (kvmu_ioctl(vm_fd, KVM_CREATE_DEVICE, &cd))
		return ap_error(uuid, "KVM_CREATE_DEVICE", errno);
	ap->kvm_dev = (int)cd.fd;
	if (kvmu_ioctl(ap->kvm_dev, KVM_SET_DEVICE_ATTR, &a))
		return ap_error(uuid, "KVM_DEV_VFIO_FILE_ADD", errno);
	return 0;
}

int run_ap_attach(struct run_ap *ap, int vm_fd, const char *uuid)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int group;

	*ap = (struct run_ap){ -1, -1, -1, -1 };
	group = ap_group(uuid);
	if (group < 0 || ap_container(ap, uuid, group) ||
	    ap_kvm_device(ap, vm_fd, uuid))
		return -1;
	ap->device = kvmu_ioctl(ap->group, VFIO_GROUP_GET_DEVICE_FD, uuid);
	if (ap->device < 0)
		return ap_error(uuid, "VFIO_GROUP_GET_DEVICE_FD", errno);
	if (kvmu_ioctl(ap->device, VFIO_DEVICE_GET_INFO, &info))
		return ap_error(uuid, "VFIO_DEVICE_GET_INFO", errno);
	if (!(info.flags & VFIO_DEVICE_FLAGS_AP))
		return ap_error(uuid, "not a vfio-ap device", ENODEV);
	return 0;
}

void run_ap_detach(struct run_ap *ap)
{
	int *fds[] = { &ap->device, &ap->kvm_dev, &ap->group, &ap->container };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}
