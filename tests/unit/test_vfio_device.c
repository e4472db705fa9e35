// SPDX-License-Identifier: MIT
/*
 * The vfio_ap device file: the kernel's ordering (container + IOMMU +
 * KVM association before GET_DEVICE_FD), the arch vfio_attach/detach
 * hooks, the mdev in use while open, zeroize on VFIO_DEVICE_RESET and on
 * the last close (seen in the host's queue counters), the device ioctls'
 * errno, the eventfds, and the iommu_group links of the host tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "vfio_test_util.h"

#define BADPTR 8UL
#define Q6_47 KVMU_AP_APQN(6, 0x47)

struct fixture {
	char *dir;
	struct kvmu_host *h;
	int vm, dev, c, g;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->dir = vfio_host(&f->h);
	attach_calls = detach_calls = 0;
	memset(attached_vm, 0, sizeof(attached_vm));
	f->vm = test_vm(true);
	f->dev = kvm_vfio_dev(f->vm);
	f->g = open_group(f->h, U1, &f->c);
	*state = f;
	return f->vm < 0 || f->dev < 0 || f->g < 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	close(f->g);
	close(f->c);
	close(f->dev);
	close(f->vm);
	kvmu_obj_reap();
	kvmu_host_close(f->h);
	host_rmdir(f->dir);
	free(f);
	return 0;
}

/* Put a request on a queue of the mdev (a reply becomes pending). */
static void enqueue(struct kvmu_host_mdev *m, unsigned int apqn)
{
	static const uint8_t msg[64] = { 0, 0x50 };
	struct kvmu_ap_result r;

	assert_int_equal(kvmu_ap_nqap(kvmu_host_mdev_ap(m),
				      apqn | KVMU_AP_GR0_NQAP_LAST, 7, msg,
				      sizeof(msg), 0, &r), 0);
	assert_int_equal(r.cc, 0);
}

/* The response code DQAP gives on the queue: 0 or 0x10 (nothing). */
static unsigned int dequeue_rc(struct kvmu_host_mdev *m, unsigned int apqn)
{
	uint8_t buf[1024];
	struct kvmu_ap_result r;

	assert_int_equal(kvmu_ap_dqap(kvmu_host_mdev_ap(m),
				      apqn | KVMU_AP_GR0_DQAP, buf,
				      sizeof(buf), &r), 0);
	return KVMU_AP_ST_RC(r.status);
}

static struct kvmu_host_mdev *mdev_of(int fd)
{
	struct kvmu_obj *obj;
	struct kvmu_host_mdev *m;

	assert_int_equal(kvmu_obj_get(fd, &obj), 0);
	m = kvmu_vfio_device_mdev(obj);
	kvmu_obj_put(obj);
	return m;
}

/* GET_DEVICE_FD refuses until the kernel's conditions hold. */
static void test_ordering(void **state)
{
	struct fixture *f = *state;
	char path[64], big[5000];
	int g2, c2, d;

	memset(big, 'a', sizeof(big));
	assert_int_equal(IOC(f->g, VFIO_GROUP_GET_DEVICE_FD, U1), -EINVAL);
	assert_int_equal(IOC(f->g, VFIO_GROUP_GET_DEVICE_FD, U2), -ENODEV);
	assert_int_equal(IOC(f->g, VFIO_GROUP_GET_DEVICE_FD,
			     "0FE903A0-A323-44DB-9DAF-134C68627D61"), -ENODEV);
	assert_int_equal(IOC(f->g, VFIO_GROUP_GET_DEVICE_FD, BADPTR), -EFAULT);
	assert_int_equal(IOC(f->g, VFIO_GROUP_GET_DEVICE_FD, big), -EINVAL);
	/* a group with a container but no IOMMU set, then no container */
	group_path(f->h, U2, path, sizeof(path));
	g2 = kvmu_vfio_open(path, O_RDWR);
	c2 = kvmu_vfio_open("/dev/vfio/vfio", O_RDWR);
	assert_int_equal(vfio_file(f->dev, KVM_DEV_VFIO_FILE_ADD, g2), 0);
	assert_int_equal(IOC(g2, VFIO_GROUP_GET_DEVICE_FD, U2), -EINVAL);
	assert_int_equal(IOC(g2, VFIO_GROUP_SET_CONTAINER, &c2), 0);
	assert_int_equal(IOC(g2, VFIO_GROUP_GET_DEVICE_FD, U2), -EINVAL);
	assert_int_equal(attach_calls, 0);
	/* the mdev was never taken: another user may have it */
	{
		struct kvmu_host_mdev *m;

		assert_int_equal(kvmu_host_mdev_open(f->h, U2, &m), 0);
		kvmu_host_mdev_release(m);
	}
	/* with the association: open, hook called once */
	assert_int_equal(vfio_file(f->dev, KVM_DEV_VFIO_FILE_ADD, f->g), 0);
	d = IOCV(f->g, VFIO_GROUP_GET_DEVICE_FD, U1);
	assert_true(d >= 0);
	assert_true(fcntl(d, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(attach_calls, 1);
	/* a second mdev on the same VM: the hook's -EPERM, mdev not held */
	assert_int_equal(IOC(c2, VFIO_SET_IOMMU, VFIO_TYPE1_IOMMU), 0);
	assert_int_equal(IOC(g2, VFIO_GROUP_GET_DEVICE_FD, U2), -EPERM);
	{
		struct kvmu_host_mdev *m;

		assert_int_equal(kvmu_host_mdev_open(f->h, U2, &m), 0);
		kvmu_host_mdev_release(m);
	}
	close(d);
	kvmu_obj_reap();
	assert_int_equal(detach_calls, 1);
	close(g2);
	close(c2);
}

/* In use while open, released (and zeroized) on the last close. */
static void test_lifecycle(void **state)
{
	struct fixture *f = *state;
	struct kvmu_host_mdev *m;
	int d1, d2, before;

	assert_int_equal(vfio_file(f->dev, KVM_DEV_VFIO_FILE_ADD, f->g), 0);
	d1 = IOCV(f->g, VFIO_GROUP_GET_DEVICE_FD, U1);
	assert_true(d1 >= 0);
	assert_int_equal(kvmu_host_mdev_open(f->h, U1, &m), -EBUSY);
	assert_int_equal(host_echo(f->h, MATRIX U1 "/remove", "1"), -EBUSY);
	/* a second device file shares the open device: no second attach */
	d2 = IOCV(f->g, VFIO_GROUP_GET_DEVICE_FD, U1);
	assert_true(d2 >= 0);
	assert_int_equal(attach_calls, 1);
	assert_ptr_equal(mdev_of(d1), mdev_of(d2));
	assert_int_equal(IOC(f->g, VFIO_GROUP_UNSET_CONTAINER, 0), -EBUSY);
	/* FILE_DEL while open: the device keeps its VM and stays attached */
	assert_int_equal(vfio_file(f->dev, KVM_DEV_VFIO_FILE_DEL, f->g), 0);
	assert_int_equal(detach_calls, 0);
	enqueue(mdev_of(d1), Q6_47);
	before = queue_resets(f->h, Q6_47);
	close(d1);
	kvmu_obj_reap();
	assert_int_equal(detach_calls, 0);	/* d2 still open */
	assert_int_equal(dequeue_rc(mdev_of(d2), Q6_47), 0);
	/* the VM fd may go first: the device keeps the VM alive */
	close(f->vm);
	close(f->dev);
	f->vm = f->dev = -1;
	kvmu_obj_reap();
	assert_int_equal(detach_calls, 0);
	close(d2);
	kvmu_obj_reap();
	assert_int_equal(detach_calls, 1);
	assert_int_equal(queue_resets(f->h, Q6_47), before + 1);
	assert_int_equal(kvmu_host_mdev_open(f->h, U1, &m), 0);
	assert_int_equal(dequeue_rc(m, Q6_47), KVMU_AP_RC_NO_PENDING_REPLY);
	kvmu_host_mdev_release(m);
	assert_int_equal(IOC(f->g, VFIO_GROUP_UNSET_CONTAINER, 0), 0);
}

/* A VM whose architecture has no hook (x86): the open succeeds. */
static void test_no_hook(void **state)
{
	struct fixture *f = *state;
	int sys = kvmu_open(KVMU_ARCH_X86_64, 0);
	int vm = kvmu_ioctl(sys, KVM_CREATE_VM, 0), dev, d;

	dev = kvm_vfio_dev(vm);
	assert_int_equal(vfio_file(dev, KVM_DEV_VFIO_FILE_ADD, f->g), 0);
	d = IOCV(f->g, VFIO_GROUP_GET_DEVICE_FD, U1);
	assert_true(d >= 0);
	assert_int_equal(attach_calls, 0);
	close(d);
	close(dev);
	close(vm);
	close(sys);
	kvmu_obj_reap();
	assert_int_equal(detach_calls, 0);
}

static void test_device_ioctls(void **state)
{
	struct fixture *f = *state;
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_irq_info irq = { .argsz = sizeof(irq) };
	struct vfio_device_feature feat = { .argsz = sizeof(feat) };
	int d, before;

	assert_int_equal(vfio_file(f->dev, KVM_DEV_VFIO_FILE_ADD, f->g), 0);
	d = IOCV(f->g, VFIO_GROUP_GET_DEVICE_FD, U1);
	assert_int_equal(IOC(d, VFIO_DEVICE_GET_INFO, &info), 0);
	assert_int_equal(info.flags, VFIO_DEVICE_FLAGS_AP |
			 VFIO_DEVICE_FLAGS_RESET);
	assert_int_equal(info.num_regions, 0);
	assert_int_equal(info.num_irqs, 2);
	info.argsz = 8;
	assert_int_equal(IOC(d, VFIO_DEVICE_GET_INFO, &info), -EINVAL);
	assert_int_equal(IOC(d, VFIO_DEVICE_GET_INFO, BADPTR), -EFAULT);
	for (irq.index = 0; irq.index < 2; irq.index++) {
		assert_int_equal(IOC(d, VFIO_DEVICE_GET_IRQ_INFO, &irq), 0);
		assert_int_equal(irq.count, 1);
		assert_int_equal(irq.flags, VFIO_IRQ_INFO_EVENTFD);
	}
	assert_int_equal(IOC(d, VFIO_DEVICE_GET_IRQ_INFO, &irq), -EINVAL);
	assert_int_equal(IOC(d, VFIO_DEVICE_GET_REGION_INFO, &irq),
			 -EOPNOTSUPP);
	assert_int_equal(IOC(d, VFIO_DEVICE_PCI_HOT_RESET, 0), -EOPNOTSUPP);
	feat.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION;
	assert_int_equal(IOC(d, VFIO_DEVICE_FEATURE, &feat), -ENOTTY);
	feat.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET | 3;
	assert_int_equal(IOC(d, VFIO_DEVICE_FEATURE, &feat), -EINVAL);
	feat.flags = VFIO_DEVICE_FEATURE_PROBE | 3;
	assert_int_equal(IOC(d, VFIO_DEVICE_FEATURE, &feat), -EINVAL);
	/* RESET zeroizes the queues (and counts a ZAPQ in the host) */
	enqueue(mdev_of(d), Q6_47);
	before = queue_resets(f->h, Q6_47);
	assert_int_equal(IOC(d, VFIO_DEVICE_RESET, 0), 0);
	assert_int_equal(queue_resets(f->h, Q6_47), before + 1);
	assert_int_equal(dequeue_rc(mdev_of(d), Q6_47),
			 KVMU_AP_RC_NO_PENDING_REPLY);
	close(d);
}

struct irq_set1 {
	struct vfio_irq_set s;
	int32_t fd;
};

static int set_irq(int d, unsigned int index, int32_t fd, uint32_t flags)
{
	struct irq_set1 a = {
		.s = { .argsz = sizeof(a), .flags = flags, .index = index,
		       .count = 1 },
		.fd = fd,
	};

	return IOC(d, VFIO_DEVICE_SET_IRQS, &a);
}

static void test_irqs(void **state)
{
	struct fixture *f = *state;
	const uint32_t ev = VFIO_IRQ_SET_DATA_EVENTFD |
			    VFIO_IRQ_SET_ACTION_TRIGGER;
	int d, req = eventfd(0, 0), cfg = eventfd(0, 0), p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(vfio_file(f->dev, KVM_DEV_VFIO_FILE_ADD, f->g), 0);
	d = IOCV(f->g, VFIO_GROUP_GET_DEVICE_FD, U1);
	assert_int_equal(set_irq(d, 2, req, ev), -EINVAL);
	assert_int_equal(set_irq(d, 0, req, VFIO_IRQ_SET_DATA_EVENTFD |
				 VFIO_IRQ_SET_ACTION_MASK), -EINVAL);
	assert_int_equal(set_irq(d, 0, req, VFIO_IRQ_SET_DATA_NONE |
				 VFIO_IRQ_SET_ACTION_TRIGGER), -EINVAL);
	assert_int_equal(set_irq(d, 0, -2, ev), -EINVAL);
	assert_int_equal(set_irq(d, 0, 4000, ev), -EBADF);
	assert_int_equal(set_irq(d, 0, p[0], ev), -EINVAL);
	assert_int_equal(IOC(d, VFIO_DEVICE_SET_IRQS, BADPTR), -EFAULT);
	assert_int_equal(set_irq(d, VFIO_AP_REQ_IRQ_INDEX, req, ev), 0);
	assert_int_equal(set_irq(d, VFIO_AP_CFG_CHG_IRQ_INDEX, cfg, ev), 0);
	assert_false(signalled(cfg, 50));
	/* the guest matrix changes: CFG_CHG */
	assert_int_equal(mdev_echo(f->h, U1, "unassign_domain", "0x47"), 0);
	assert_true(signalled(cfg, 3000));
	/* an unrelated change does not signal */
	assert_int_equal(mdev_echo(f->h, U2, "assign_domain", "0x47"), 0);
	assert_false(signalled(cfg, 200));
	/* a remove of the open mdev is refused and relayed as a request */
	assert_int_equal(host_echo(f->h, MATRIX U1 "/remove", "1"), -EBUSY);
	assert_true(signalled(req, 3000));
	assert_true(signalled(cfg, 3000));	/* attached: cfg too */
	/* unregistered: nothing more */
	assert_int_equal(set_irq(d, VFIO_AP_REQ_IRQ_INDEX, -1, ev), 0);
	assert_int_equal(host_echo(f->h, MATRIX U1 "/remove", "1"), -EBUSY);
	assert_false(signalled(req, 200));
	close(d);
	close(req);
	close(cfg);
	close(p[0]);
	close(p[1]);
}

/* The iommu_group links of the host tree, and the C calls. */
static void test_tree(void **state)
{
	struct fixture *f = *state;
	char path[160], uuid[37];
	int id = kvmu_host_mdev_iommu_group(f->h, U1);

	assert_true(id >= 0);
	assert_int_equal(kvmu_host_iommu_group_mdev(f->h, id, uuid), 0);
	assert_string_equal(uuid, U1);
	assert_int_equal(kvmu_host_iommu_group_mdev(f->h, 1 << 29, uuid),
			 -ENOENT);
	assert_int_equal(kvmu_host_mdev_iommu_group(f->h, "nope"), -ENODEV);
	snprintf(path, sizeof(path), "bus/mdev/devices/" U1
		 "/iommu_group/devices/" U1 "/matrix");
	assert_string_equal(host_cat(f->h, path), "06.0004\n06.0047\n");
	snprintf(path, sizeof(path), "kernel/iommu_groups/%d/reserved_regions",
		 id);
	assert_int_equal(kvmu_host_read(f->h, path, uuid, sizeof(uuid)), 0);
	/* a group number stays with its mdev when another is removed */
	assert_int_equal(host_echo(f->h, MATRIX U2 "/remove", "1"), 0);
	assert_int_equal(kvmu_host_mdev_iommu_group(f->h, U1), id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ordering, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lifecycle, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_hook, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_ioctls, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_irqs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
