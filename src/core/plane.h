/* SPDX-License-Identifier: MIT */
/* Private to plane.c and memattr.c: the VM's and a vCPU's plane state. */
#ifndef KVMU_PLANE_H
#define KVMU_PLANE_H

#include "kvmu_int.h"

/* One range of pages with the same attributes, [start, end). */
struct kvmu_attr_range {
	u64 start, end, attrs;
};

/* One plane's memory attributes: sorted, non-overlapping ranges. */
struct kvmu_memattr {
	pthread_rwlock_t lock;
	struct kvmu_attr_range *r;
	int n, cap;
	atomic_bool any;		/* some range restricts access */
};

/* A plane fd (plane 0 is the VM itself and has none). */
struct kvmu_plane {
	struct kvmu_obj obj;
	struct kvmu_vm *vm;		/* referenced while the fd lives */
	int id;
};

struct kvmu_vm_planes {
	struct kvmu_plane *p[KVMU_MAX_PLANES];	/* [0] unused */
	struct kvmu_memattr attrs[KVMU_MAX_PLANES];
	bool fpu_shared;		/* KVM_CAP_PLANES_FPU */
	int nr_plane_vcpus;		/* plane vCPUs created */
};

/* Shared by the planes of one vCPU id, owned by the plane-0 vCPU. */
struct kvmu_vcpu_planes {
	struct kvmu_vcpu *v[KVMU_MAX_PLANES];	/* [0]: the plane-0 vCPU */
	void (*destroy0)(struct kvmu_obj *obj);	/* plane 0's own destroy */
	int fpu_owner;			/* plane holding the shared FPU */
	int last;			/* the plane that ran last */
	u16 suspended;			/* kvm_run->suspended_planes */
};

/* The VM's plane state, allocated on first use (under vm->lock). */
struct kvmu_vm_planes *kvmu_vm_planes_get(struct kvmu_vm *vm);
void kvmu_memattr_init(struct kvmu_memattr *m);
void kvmu_memattr_fini(struct kvmu_memattr *m);

#endif
