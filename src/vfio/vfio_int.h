/* SPDX-License-Identifier: MIT */
/*
 * kvmu's VFIO layer: the container (drivers/vfio/container.c with the
 * type1 IOMMU driver), the group (group.c) and the vfio_ap device file
 * (vfio_main.c + drivers/s390/crypto/vfio_ap_ops.c), as kvmu objects.
 * Functions return 0 or -errno.
 */
#ifndef KVMU_VFIO_INT_H
#define KVMU_VFIO_INT_H

#include "kvmu_int.h"
#include "kvmu/abi/vfio.h"
#include "kvmu/host.h"
#include "kvmu/vfio.h"

/* Handlers named in vfio/ioctls.def. */
#define KVMU_IOCTL(req, kind, mode, fn) \
	long fn(struct kvmu_obj *obj, struct kvmu_ioctl_req *r);
#include "vfio/ioctls.def"
#undef KVMU_IOCTL

/* The errno of an ioctl the container does not know (-EINVAL/-ENOTTY). */
long kvmu_vfio_container_unknown(struct kvmu_obj *obj);
/* Register the VFIO object kinds with the dispatcher (idempotent). */
void kvmu_vfio_register_kinds(void);

/* A DMA mapping: bookkeeping only, an mdev-only container pins nothing. */
struct kvmu_vfio_dma {
	u64 iova;
	u64 size;
	u64 vaddr;
};

struct kvmu_vfio_container {
	struct kvmu_obj obj;
	pthread_mutex_t lock;
	int nr_groups;
	unsigned long iommu;		/* 0, VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU */
	bool dirty_tracking;
	struct kvmu_vfio_dma *dma;	/* sorted by iova */
	unsigned int nr_dma, cap_dma;
	unsigned int dma_avail;
};

struct kvmu_vfio_group;

/* The opened vfio_ap device, shared by every device fd of the group. */
struct kvmu_vfio_ap {
	int open_count;
	struct kvmu_host_mdev *mdev;
	struct kvmu_vm *vm;		/* referenced while open */
	bool attached;			/* arch->vfio_attach succeeded */
	pthread_mutex_t irq_lock;	/* req_fd, cfg_fd (the watcher's) */
	int req_fd;			/* eventfds (our dups), -1: none */
	int cfg_fd;
	pthread_t watcher;
	int stop_fd;			/* eventfd telling the watcher to end */
	bool watching;
	unsigned long requests;		/* remove requests relayed */
};

struct kvmu_vfio_group {
	struct kvmu_obj obj;
	pthread_mutex_t lock;		/* everything below */
	int id;				/* the iommu_group number */
	char uuid[37];			/* its one mdev */
	struct kvmu_host *host;
	struct kvmu_vfio_container *container;	/* referenced */
	int container_users;		/* 1 + open devices, as the kernel */
	struct kvmu_vm *kvm;		/* set by a KVM VFIO device */
	struct kvmu_vfio_ap ap;
	struct kvmu_vfio_group *next;	/* open groups of this process */
};

struct kvmu_vfio_device {
	struct kvmu_obj obj;
	struct kvmu_vfio_group *group;	/* referenced, as the device file's */
};

/* container.c */
int kvmu_vfio_container_open(int cloexec);
/* A group joins or leaves the container (group->lock held). */
int kvmu_vfio_container_attach(struct kvmu_vfio_container *c);
void kvmu_vfio_container_detach(struct kvmu_vfio_container *c);
bool kvmu_vfio_container_has_iommu(struct kvmu_vfio_container *c);

/* group.c */
int kvmu_vfio_group_open(int id, int cloexec);
/* Set (vm) or clear (NULL) the KVM association of a VFIO file object. */
void kvmu_vfio_file_set_kvm(struct kvmu_obj *obj, struct kvmu_vm *vm);
/* Is obj a file KVM_DEV_VFIO_FILE_ADD accepts (group or device)? */
bool kvmu_vfio_file_is_valid(const struct kvmu_obj *obj);

/* device.c */
/* First open of the group's device: KVM association, mdev, arch hook. */
int kvmu_vfio_ap_open(struct kvmu_vfio_group *g);
/* Last close: detach, release (zeroize), drop the VM. */
void kvmu_vfio_ap_close(struct kvmu_vfio_group *g);
/* A new device fd for g (after kvmu_vfio_ap_open). */
int kvmu_vfio_device_install(struct kvmu_vfio_group *g);
/* The mdev behind a device fd's object (tests). */
struct kvmu_host_mdev *kvmu_vfio_device_mdev(struct kvmu_obj *obj);

#endif /* KVMU_VFIO_INT_H */
