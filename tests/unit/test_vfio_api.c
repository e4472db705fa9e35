// SPDX-License-Identifier: MIT
/*
 * VFIO container, group and KVM VFIO device: every request and errno the
 * kernel gives (container.c, vfio_iommu_type1.c, group.c, virt/kvm/vfio.c,
 * kvm_main.c), without opening the vfio_ap device (test_vfio_device.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "vfio_test_util.h"

#define BADPTR 8UL	/* unmapped */

struct fixture {
	char *dir;
	struct kvmu_host *h;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->dir = vfio_host(&f->h);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	kvmu_obj_reap();
	kvmu_host_close(f->h);
	host_rmdir(f->dir);
	free(f);
	return 0;
}

static void test_container(void **state)
{
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	int c = kvmu_vfio_open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	static const unsigned long yes[] = { 1, 3, 9 };
	static const unsigned long no[] = { 0, 2, 4, 5, 6, 7, 8, 10, 11, 99 };

	(void)state;
	assert_true(c >= 0);
	assert_true(fcntl(c, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(IOCV(c, VFIO_GET_API_VERSION, 0), VFIO_API_VERSION);
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		assert_int_equal(IOCV(c, VFIO_CHECK_EXTENSION, yes[i]), 1);
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		assert_int_equal(IOCV(c, VFIO_CHECK_EXTENSION, no[i]), 0);
	/* no group yet: no IOMMU may be set; no driver: EINVAL for the rest */
	assert_int_equal(IOC(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), -EINVAL);
	assert_int_equal(IOC(c, VFIO_IOMMU_GET_INFO, &info), -EINVAL);
	assert_int_equal(IOC(c, _IO(VFIO_TYPE, VFIO_BASE + 40), 0), -EINVAL);
	assert_int_equal(IOC(c, KVM_GET_API_VERSION, 0), -EINVAL);
	close(c);
	errno = 0;
	assert_int_equal(kvmu_vfio_open("/dev/vfio/nope", O_RDWR), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(kvmu_vfio_open("/dev/kvm", O_RDWR), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_group(void **state)
{
	struct fixture *f = *state;
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64], odd[80];
	int g, c, pipefd[2], id, bad = -1;

	id = group_path(f->h, U1, path, sizeof(path));
	assert_true(id >= 0);
	assert_int_not_equal(id, kvmu_host_mdev_iommu_group(f->h, U2));
	snprintf(odd, sizeof(odd), "/dev/vfio/0%d", id);
	assert_int_equal(kvmu_vfio_open(odd, O_RDWR), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(kvmu_vfio_open("/dev/vfio/99999", O_RDWR), -1);
	assert_int_equal(errno, ENOENT);
	g = kvmu_vfio_open(path, O_RDWR);
	assert_true(g >= 0);
	assert_int_equal(kvmu_vfio_open(path, O_RDWR), -1);
	assert_int_equal(errno, EBUSY);		/* opened_file */
	assert_int_equal(IOC(g, VFIO_GROUP_GET_STATUS, &st), 0);
	assert_int_equal(st.flags, VFIO_GROUP_FLAGS_VIABLE);
	st.argsz = 4;
	assert_int_equal(IOC(g, VFIO_GROUP_GET_STATUS, &st), -EINVAL);
	assert_int_equal(IOC(g, VFIO_GROUP_GET_STATUS, BADPTR), -EFAULT);
	assert_int_equal(IOC(g, VFIO_GROUP_UNSET_CONTAINER, 0), -EINVAL);
	assert_int_equal(IOC(g, VFIO_GROUP_SET_CONTAINER, BADPTR), -EFAULT);
	assert_int_equal(IOC(g, VFIO_GROUP_SET_CONTAINER, &bad), -EBADF);
	assert_int_equal(pipe(pipefd), 0);
	assert_int_equal(IOC(g, VFIO_GROUP_SET_CONTAINER, &pipefd[0]),
			 -EBADFD);
	assert_int_equal(IOC(g, VFIO_GROUP_SET_CONTAINER, &g), -EBADFD);
	c = kvmu_vfio_open("/dev/vfio/vfio", O_RDWR);
	assert_int_equal(IOC(g, VFIO_GROUP_SET_CONTAINER, &c), 0);
	assert_int_equal(IOC(g, VFIO_GROUP_SET_CONTAINER, &c), -EINVAL);
	st.argsz = sizeof(st);
	assert_int_equal(IOC(g, VFIO_GROUP_GET_STATUS, &st), 0);
	assert_int_equal(st.flags, VFIO_GROUP_FLAGS_VIABLE |
			 VFIO_GROUP_FLAGS_CONTAINER_SET);
	assert_int_equal(IOC(g, VFIO_GROUP_UNSET_CONTAINER, 0), 0);
	assert_int_equal(IOC(g, VFIO_GROUP_UNSET_CONTAINER, 0), -EINVAL);
	assert_int_equal(IOC(g, VFIO_DEVICE_GET_INFO, 0), -ENOTTY);
	/* closed and released: the group may be opened again */
	close(g);
	kvmu_obj_reap();
	g = kvmu_vfio_open(path, O_RDWR);
	assert_true(g >= 0);
	close(g);
	close(c);
	close(pipefd[0]);
	close(pipefd[1]);
}

static void test_iommu(void **state)
{
	struct fixture *f = *state;
	struct {
		struct vfio_iommu_type1_info i;
		uint8_t caps[64];
	} info = { .i.argsz = 16 };
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map), .flags = VFIO_DMA_MAP_FLAG_READ,
		.vaddr = 0x10000, .iova = 0x100000, .size = 0x4000,
	};
	struct vfio_iommu_type1_dma_unmap un = { .argsz = sizeof(un) };
	char path[64];
	int c = kvmu_vfio_open("/dev/vfio/vfio", O_RDWR), g;
	uint16_t id;
	uint32_t avail;

	group_path(f->h, U1, path, sizeof(path));
	g = kvmu_vfio_open(path, O_RDWR);
	assert_int_equal(IOC(g, VFIO_GROUP_SET_CONTAINER, &c), 0);
	assert_int_equal(IOC(c, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_IOMMU), -ENODEV);
	assert_int_equal(IOC(c, VFIO_SET_IOMMU, VFIO_NOIOMMU_IOMMU), -ENODEV);
	assert_int_equal(IOC(c, VFIO_SET_IOMMU, VFIO_UNMAP_ALL), -EINVAL);
	assert_int_equal(IOC(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), 0);
	assert_int_equal(IOC(c, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU), -EINVAL);
	assert_int_equal(IOCV(c, VFIO_CHECK_EXTENSION, VFIO_DMA_CC_IOMMU), 1);
	assert_int_equal(IOCV(c, VFIO_CHECK_EXTENSION, VFIO_UPDATE_VADDR), 0);
	assert_int_equal(IOC(c, _IO(VFIO_TYPE, VFIO_BASE + 40), 0), -ENOTTY);
	/* GET_INFO: too small, then the size the capabilities need */
	info.i.argsz = 8;
	assert_int_equal(IOC(c, VFIO_IOMMU_GET_INFO, &info), -EINVAL);
	info.i.argsz = 16;
	assert_int_equal(IOC(c, VFIO_IOMMU_GET_INFO, &info), 0);
	assert_int_equal(info.i.argsz, sizeof(info.i) + 48);
	assert_int_equal(info.i.flags, VFIO_IOMMU_INFO_PGSIZES |
			 VFIO_IOMMU_INFO_CAPS);
	assert_true(info.i.iova_pgsizes == ~0xfffULL);
	assert_int_equal(IOC(c, VFIO_IOMMU_GET_INFO, &info), 0);
	assert_int_equal(info.i.cap_offset, sizeof(info.i));
	memcpy(&id, info.caps, 2);
	assert_int_equal(id, VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION);
	memcpy(&id, info.caps + 32, 2);
	assert_int_equal(id, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL);
	memcpy(&avail, info.caps + 40, 4);
	assert_int_equal(avail, 65535);
	/* MAP / UNMAP: bookkeeping with the kernel's checks */
	assert_int_equal(IOC(c, VFIO_IOMMU_MAP_DMA, &map), 0);
	assert_int_equal(IOC(c, VFIO_IOMMU_MAP_DMA, &map), -EEXIST);
	map.iova += 0x1000;
	assert_int_equal(IOC(c, VFIO_IOMMU_MAP_DMA, &map), -EEXIST);
	map.iova = 0x200001;
	assert_int_equal(IOC(c, VFIO_IOMMU_MAP_DMA, &map), -EINVAL);
	map.iova = 0x200000;
	map.flags = 0;
	assert_int_equal(IOC(c, VFIO_IOMMU_MAP_DMA, &map), -EINVAL);
	map.flags = VFIO_DMA_MAP_FLAG_VADDR;
	assert_int_equal(IOC(c, VFIO_IOMMU_MAP_DMA, &map), -ENOENT);
	map.flags = 1U << 7;
	assert_int_equal(IOC(c, VFIO_IOMMU_MAP_DMA, &map), -EINVAL);
	map.flags = VFIO_DMA_MAP_FLAG_WRITE;
	assert_int_equal(IOC(c, VFIO_IOMMU_MAP_DMA, &map), 0);
	un.iova = 0x101000;
	un.size = 0x1000;
	assert_int_equal(IOC(c, VFIO_IOMMU_UNMAP_DMA, &un), -EINVAL); /* v2 */
	un.flags = VFIO_DMA_UNMAP_FLAG_VADDR;
	assert_int_equal(IOC(c, VFIO_IOMMU_UNMAP_DMA, &un), -EBUSY);
	un.flags = VFIO_DMA_UNMAP_FLAG_ALL;
	assert_int_equal(IOC(c, VFIO_IOMMU_UNMAP_DMA, &un), -EINVAL);
	un.flags = 0;
	un.iova = 0x100000;
	un.size = 0x4000;
	assert_int_equal(IOC(c, VFIO_IOMMU_UNMAP_DMA, &un), 0);
	assert_int_equal(un.size, 0x4000);
	assert_int_equal(IOC(c, VFIO_IOMMU_UNMAP_DMA, &un), 0);
	assert_int_equal(un.size, 0);
	un = (struct vfio_iommu_type1_dma_unmap){
		.argsz = sizeof(un), .flags = VFIO_DMA_UNMAP_FLAG_ALL };
	assert_int_equal(IOC(c, VFIO_IOMMU_UNMAP_DMA, &un), 0);
	assert_int_equal(un.size, 0x4000);
	assert_int_equal(IOC(c, VFIO_IOMMU_UNMAP_DMA, BADPTR), -EFAULT);
	/* the last group leaving deprivileges the container */
	assert_int_equal(IOC(g, VFIO_GROUP_UNSET_CONTAINER, 0), 0);
	assert_int_equal(IOC(c, VFIO_IOMMU_GET_INFO, &info), -EINVAL);
	close(g);
	close(c);
}

static void test_kvm_device(void **state)
{
	struct fixture *f = *state;
	struct kvm_create_device cd = { .type = 99 };
	struct kvm_device_attr a = { .group = KVM_DEV_VFIO_FILE,
				     .attr = KVM_DEV_VFIO_FILE_ADD };
	int sys = kvmu_open(KVMU_ARCH_X86_64, 0), vm, dev, g, c, g2, p[2];

	vm = kvmu_ioctl(sys, KVM_CREATE_VM, 0);
	assert_int_equal(IOCV(sys, KVM_CHECK_EXTENSION, KVM_CAP_DEVICE_CTRL), 1);
	assert_int_equal(IOCV(vm, KVM_CHECK_EXTENSION, KVM_CAP_DEVICE_CTRL), 1);
	assert_int_equal(IOC(vm, KVM_CREATE_DEVICE, &cd), -ENODEV);
	cd.type = KVM_DEV_TYPE_FSL_MPIC_20;
	assert_int_equal(IOC(vm, KVM_CREATE_DEVICE, &cd), -ENODEV);
	assert_int_equal(IOC(vm, KVM_CREATE_DEVICE, BADPTR), -EFAULT);
	cd = (struct kvm_create_device){ .type = KVM_DEV_TYPE_VFIO,
					 .flags = KVM_CREATE_DEVICE_TEST };
	assert_int_equal(IOC(vm, KVM_CREATE_DEVICE, &cd), 0);
	dev = kvm_vfio_dev(vm);
	assert_true(dev >= 0);
	assert_true(fcntl(dev, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(kvm_vfio_dev(vm), -EBUSY);	/* one per VM */
	assert_int_equal(IOC(vm, KVM_CREATE_DEVICE, &cd), 0);	/* TEST */
	/* HAS / GET / unknown */
	assert_int_equal(IOC(dev, KVM_HAS_DEVICE_ATTR, &a), 0);
	a.attr = KVM_DEV_VFIO_FILE_DEL;
	assert_int_equal(IOC(dev, KVM_HAS_DEVICE_ATTR, &a), 0);
	a.attr = KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE;
	assert_int_equal(IOC(dev, KVM_HAS_DEVICE_ATTR, &a), -ENXIO);
	assert_int_equal(IOC(dev, KVM_SET_DEVICE_ATTR, &a), -ENXIO);
	a.group = 2;
	assert_int_equal(IOC(dev, KVM_HAS_DEVICE_ATTR, &a), -ENXIO);
	assert_int_equal(IOC(dev, KVM_SET_DEVICE_ATTR, &a), -ENXIO);
	assert_int_equal(IOC(dev, KVM_GET_DEVICE_ATTR, &a), -EPERM);
	assert_int_equal(IOC(dev, KVM_GET_DEVICE_ATTR, BADPTR), -EPERM);
	assert_int_equal(IOC(dev, KVM_SET_DEVICE_ATTR, BADPTR), -EFAULT);
	assert_int_equal(IOC(dev, KVM_RUN, 0), -ENOTTY);
	a = (struct kvm_device_attr){ .group = KVM_DEV_VFIO_FILE,
				      .attr = KVM_DEV_VFIO_FILE_ADD,
				      .addr = BADPTR };
	assert_int_equal(IOC(dev, KVM_SET_DEVICE_ATTR, &a), -EFAULT);
	/* FILE_ADD / FILE_DEL */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(vfio_file(dev, KVM_DEV_VFIO_FILE_ADD, -1), -EBADF);
	assert_int_equal(vfio_file(dev, KVM_DEV_VFIO_FILE_ADD, 4000), -EBADF);
	assert_int_equal(vfio_file(dev, KVM_DEV_VFIO_FILE_ADD, p[0]), -EINVAL);
	assert_int_equal(vfio_file(dev, KVM_DEV_VFIO_FILE_ADD, vm), -EINVAL);
	assert_int_equal(vfio_file(dev, KVM_DEV_VFIO_FILE_ADD, dev), -EINVAL);
	g = open_group(f->h, U1, &c);
	assert_true(g >= 0);
	assert_int_equal(vfio_file(dev, KVM_DEV_VFIO_FILE_ADD, c), -EINVAL);
	assert_int_equal(vfio_file(dev, KVM_DEV_VFIO_FILE_ADD, g), 0);
	assert_int_equal(vfio_file(dev, KVM_DEV_VFIO_FILE_ADD, g), -EEXIST);
	g2 = dup(g);
	assert_int_equal(vfio_file(dev, KVM_DEV_VFIO_FILE_ADD, g2), -EEXIST);
	assert_int_equal(vfio_file(dev, KVM_DEV_VFIO_FILE_DEL, -1), -EBADF);
	assert_int_equal(vfio_file(dev, KVM_DEV_VFIO_FILE_DEL, p[0]), -ENOENT);
	assert_int_equal(vfio_file(dev, KVM_DEV_VFIO_FILE_DEL, c), -ENOENT);
	assert_int_equal(vfio_file(dev, KVM_DEV_VFIO_FILE_DEL, g2), 0);
	assert_int_equal(vfio_file(dev, KVM_DEV_VFIO_FILE_DEL, g), -ENOENT);
	assert_int_equal(vfio_file(dev, KVM_DEV_VFIO_FILE_ADD, g), 0);
	/* the device holds the group: closing it does not release it */
	close(g);
	close(g2);
	kvmu_obj_reap();
	{
		char path[64];

		group_path(f->h, U1, path, sizeof(path));
		assert_int_equal(kvmu_vfio_open(path, O_RDWR), -1);
		assert_int_equal(errno, EBUSY);
		/* closing the KVM device lets go; then one may be made again */
		close(dev);
		kvmu_obj_reap();
		g = kvmu_vfio_open(path, O_RDWR);
		assert_true(g >= 0);
		close(g);
	}
	dev = kvm_vfio_dev(vm);
	assert_true(dev >= 0);
	close(dev);
	close(c);
	close(p[0]);
	close(p[1]);
	close(vm);
	close(sys);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_container, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_iommu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kvm_device, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
