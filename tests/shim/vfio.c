// SPDX-License-Identifier: MIT
/*
 * An ordinary program passing a vfio_ap mdev to a VM the way QEMU's
 * hw/vfio/ap.c does, with nothing but open(2), ioctl(2) and the system
 * headers: /dev/kvm, /dev/vfio/vfio, /dev/vfio/<N>, the KVM VFIO device.
 * Under the kvmu shim it must print the expected transcript.
 * usage: vfio GROUP UUID
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what, int ret)
{
	if (ret < 0)
		printf("%s: -1 %s\n", what, strerror(errno));
	else
		printf("%s: %d\n", what, ret);
}

static int file_attr(int dev, unsigned long req, int attr, int fd)
{
	int32_t v = fd;
	struct kvm_device_attr a = { .group = 1, .attr = attr,
				     .addr = (unsigned long)&v };

	return ioctl(dev, req, &a);
}

int main(int argc, char **argv)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_VFIO };
	char path[64];
	struct stat sb;
	int kvm, vm, c, g, d, d2, efd;
	struct {
		struct vfio_irq_set s;
		int32_t fd;
	} irq = { { sizeof(irq), VFIO_IRQ_SET_DATA_EVENTFD |
		    VFIO_IRQ_SET_ACTION_TRIGGER, 1, 0, 1 }, -1 };

	if (argc != 3)
		return 2;
	snprintf(path, sizeof(path), "/dev/vfio/%s", argv[1]);
	show("access container", access("/dev/vfio/vfio", R_OK | W_OK));
	show("stat group is chr", stat(path, &sb) ? -1 : S_ISCHR(sb.st_mode));
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	show("DEVICE_CTRL", ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_DEVICE_CTRL));
	c = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	show("API_VERSION", ioctl(c, VFIO_GET_API_VERSION));
	show("TYPE1v2", ioctl(c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU));
	g = open(path, O_RDWR | O_CLOEXEC);
	show("group open again", open(path, O_RDWR));
	show("GET_STATUS", ioctl(g, VFIO_GROUP_GET_STATUS, &st));
	printf("viable: %d\n", !!(st.flags & VFIO_GROUP_FLAGS_VIABLE));
	show("SET_CONTAINER", ioctl(g, VFIO_GROUP_SET_CONTAINER, &c));
	show("SET_IOMMU", ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	show("GET_DEVICE_FD w/o KVM",
	     ioctl(g, VFIO_GROUP_GET_DEVICE_FD, argv[2]));
	show("CREATE_DEVICE", ioctl(vm, KVM_CREATE_DEVICE, &cd));
	show("FILE_ADD", file_attr(cd.fd, KVM_SET_DEVICE_ATTR, 1, g));
	show("FILE_ADD again", file_attr(cd.fd, KVM_SET_DEVICE_ATTR, 1, g));
	d = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, argv[2]);
	show("GET_DEVICE_FD ok", d >= 0 ? 0 : -1);
	show("DEVICE_GET_INFO", ioctl(d, VFIO_DEVICE_GET_INFO, &info));
	printf("flags %#x regions %u irqs %u\n", info.flags, info.num_regions,
	       info.num_irqs);
	efd = eventfd(0, EFD_CLOEXEC);
	irq.fd = efd;
	show("SET_IRQS cfg_chg", ioctl(d, VFIO_DEVICE_SET_IRQS, &irq));
	show("DEVICE_RESET", ioctl(d, VFIO_DEVICE_RESET));
	show("REGION_INFO", ioctl(d, VFIO_DEVICE_GET_REGION_INFO, &info));
	d2 = dup(d);
	show("dup works", ioctl(d2, VFIO_DEVICE_RESET));
	close(d);
	show("UNSET busy", ioctl(g, VFIO_GROUP_UNSET_CONTAINER));
	close(d2);
	show("UNSET", ioctl(g, VFIO_GROUP_UNSET_CONTAINER));
	/* every device fd closed: the mdev is no longer in use */
	fflush(stdout);
	if (fork() == 0) {
		execlp("sh", "sh", "-c", "\"$KVMU\" host mdev remove \"$0\" "
		       "&& echo remove: ok", argv[2], NULL);
		_exit(127);
	}
	wait(NULL);
	return 0;
}
