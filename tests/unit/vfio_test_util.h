/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the VFIO tests: a private host with two mdevs whose queues
 * are bound to vfio_ap, a test architecture counting the vfio_attach and
 * vfio_detach hooks, and the QEMU-like open sequence.
 */
#ifndef VFIO_TEST_UTIL_H
#define VFIO_TEST_UTIL_H

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "test_host_util.h"
#include "host/ap/ap_int.h"
#include "kvmu/kvmu.h"
#include "vfio/vfio_int.h"

#define U1 "0fe903a0-a323-44db-9daf-134c68627d61"
#define U2 "62177883-f1bb-47f0-914d-32a22e3a8804"

static const char vfio_test_config[] =
	"apxa on\nmax-adapter-id 255\nmax-domain-id 255\n"
	"adapter 0x05 CEX5 accel\nadapter 0x06 CEX5 accel\n"
	"usage-domains 0x04,0x47\ncontrol-domains 0-15\n";

/* ioctl through the library: -errno or the result. */
#define IOC(fd, req, arg) \
	(kvmu_ioctl((fd), (req), (arg)) < 0 ? -errno : 0)
#define IOCV(fd, req, arg) \
	({ int r_ = kvmu_ioctl((fd), (req), (arg)); r_ < 0 ? -errno : r_; })

/* The test architecture: x86 plus counting hooks, one mdev per VM. */
static int attach_calls, detach_calls;
static struct kvmu_vm *attached_vm[8];

static int test_attach(struct kvmu_vm *vm, struct kvmu_host_mdev *m)
{
	(void)m;
	for (int i = 0; i < 8; i++)
		if (attached_vm[i] == vm)
			return -EPERM;
	for (int i = 0; i < 8; i++)
		if (!attached_vm[i]) {
			attached_vm[i] = vm;
			break;
		}
	attach_calls++;
	return 0;
}

static void test_detach(struct kvmu_vm *vm, struct kvmu_host_mdev *m)
{
	(void)m;
	for (int i = 0; i < 8; i++)
		if (attached_vm[i] == vm)
			attached_vm[i] = NULL;
	detach_calls++;
}

static struct kvmu_arch_ops test_arch;

/* A VM of the test architecture (hooks) or of plain x86 (no hooks). */
static inline int test_vm(bool hooks)
{
	test_arch = kvmu_x86_ops;
	test_arch.vfio_attach = test_attach;
	test_arch.vfio_detach = test_detach;
	return kvmu_vm_create(hooks ? &test_arch : &kvmu_x86_ops, 0);
}

/* A host with U1 (06.0004, 06.0047) and U2 (05.0004) ready for guests. */
static inline char *vfio_host(struct kvmu_host **h)
{
	char *dir = host_tmpdir();

	setenv("KVMU_HOST_DIR", dir, 1);
	if (kvmu_host_open(dir, 0, h) ||
	    kvmu_host_init(*h, vfio_test_config, NULL, 0) ||
	    host_echo(*h, "bus/ap/apmask", "-5,-6") ||
	    host_echo(*h, "bus/ap/aqmask", "-4,-0x47") ||
	    host_echo(*h, TYPE "create", U1) ||
	    host_echo(*h, TYPE "create", U2) ||
	    mdev_echo(*h, U1, "assign_adapter", "6") ||
	    mdev_echo(*h, U1, "assign_domain", "4") ||
	    mdev_echo(*h, U1, "assign_domain", "0x47") ||
	    mdev_echo(*h, U2, "assign_adapter", "5") ||
	    mdev_echo(*h, U2, "assign_domain", "4")) {
		fprintf(stderr, "cannot set up the test host\n");
		exit(1);
	}
	return dir;
}

static inline int group_path(struct kvmu_host *h, const char *uuid,
			     char *buf, size_t n)
{
	int g = kvmu_host_mdev_iommu_group(h, uuid);

	snprintf(buf, n, "/dev/vfio/%d", g);
	return g;
}

/* Container + group of uuid joined, type1v2 set; the group fd. */
static inline int open_group(struct kvmu_host *h, const char *uuid,
			     int *container)
{
	char path[64];
	int g;

	group_path(h, uuid, path, sizeof(path));
	*container = kvmu_vfio_open("/dev/vfio/vfio", O_RDWR);
	g = kvmu_vfio_open(path, O_RDWR);
	if (*container < 0 || g < 0 ||
	    kvmu_ioctl(g, VFIO_GROUP_SET_CONTAINER, container) ||
	    kvmu_ioctl(*container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		return -1;
	return g;
}

/* KVM_CREATE_DEVICE(VFIO) on vm; the device fd or -errno. */
static inline int kvm_vfio_dev(int vm)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };

	if (kvmu_ioctl(vm, KVM_CREATE_DEVICE, &cd))
		return -errno;
	return (int)cd.fd;
}

static inline int vfio_file(int dev, unsigned int attr, int fd)
{
	int32_t v = fd;
	struct kvm_device_attr a = {
		.group = KVM_DEV_VFIO_FILE, .attr = attr,
		.addr = (uintptr_t)&v,
	};

	return IOC(dev, KVM_SET_DEVICE_ATTR, &a);
}

/* The host's reset count of queue apid.apqi (ZAPQs done so far). */
static int resets_fn(struct ap_state *st, void *arg)
{
	unsigned int apqn = *(unsigned int *)arg;
	struct ap_qctr *q = ap_qctr_get(st, apqn >> 8, apqn & 0xff, false);

	return q ? (int)q->resets : 0;
}

static inline int queue_resets(struct kvmu_host *h, unsigned int apqn)
{
	return ap_view(h, resets_fn, &apqn);
}

/* Is the eventfd signalled within ms? (and consume the count) */
static inline bool signalled(int efd, int ms)
{
	struct pollfd p = { .fd = efd, .events = POLLIN };
	uint64_t v;

	if (poll(&p, 1, ms) != 1)
		return false;
	return read(efd, &v, sizeof(v)) == sizeof(v) && v > 0;
}

#endif
