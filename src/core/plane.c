// SPDX-License-Identifier: MIT
/*
 * VM planes, as the April 2025 RFC ("KVM: VM planes") defines them: plane
 * fds (KVM_CREATE_PLANE on the VM fd; plane 0 is the VM itself), plane
 * vCPU fds (KVM_CREATE_VCPU_PLANE on a plane fd, given a plane-0 vCPU fd),
 * and the plane half of KVM_RUN: kvm_run->plane picks which plane's state
 * runs, req_exit_planes asks for KVM_EXIT_PLANE_EVENT when another plane
 * has an interrupt pending.
 *
 * A plane vCPU is an ordinary vCPU object with its own architecture state
 * (registers, local APIC, events); its runner is the plane-0 vCPU of its
 * id, whose kvm_run page, thread, signal mask, kicks and sleeps it uses.
 * KVM_RUN exists only on plane 0's fd, and every ioctl of any plane of an
 * id holds the runner's mutex: one id never runs two planes at once.
 *
 * Lifetime: a plane holds its VM while its fd lives, and the VM holds the
 * plane until it goes.  A plane vCPU holds the VM and its plane-0 vCPU
 * (whose kvm_run page it uses); the plane-0 vCPU holds its plane vCPUs
 * until it is released with the VM (closed hook), as kernel vCPUs live
 * as long as their VM.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plane.h"
#include "handlers.h"

static const struct kvmu_plane_ops *ops_of(struct kvmu_vm *vm)
{
	return vm->obj.arch->planes;
}

struct kvmu_vm_planes *kvmu_vm_planes_get(struct kvmu_vm *vm)
{
	struct kvmu_vm_planes *p = vm->planes;
	int i;

	if (p)
		return p;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	for (i = 0; i < KVMU_MAX_PLANES; i++)
		kvmu_memattr_init(&p->attrs[i]);
	__atomic_store_n(&vm->planes, p, __ATOMIC_RELEASE);
	return p;
}

void kvmu_planes_vm_destroy(struct kvmu_vm *vm)
{
	struct kvmu_vm_planes *p = vm->planes;
	int i;

	if (!p)
		return;
	for (i = 1; i < KVMU_MAX_PLANES; i++)
		if (p->p[i])
			kvmu_obj_put(&p->p[i]->obj);
	for (i = 0; i < KVMU_MAX_PLANES; i++)
		kvmu_memattr_fini(&p->attrs[i]);
	free(p);
	vm->planes = NULL;
}

/* Plane 0 alone where the architecture has no planes. */
static long nr_planes(const struct kvmu_arch_ops *arch)
{
	return arch->planes ? arch->planes->nr_planes : 1;
}

long kvmu_plane_check_extension(const struct kvmu_arch_ops *arch,
				struct kvmu_vm *vm KVMU_UNUSED, long cap,
				bool *known)
{
	/*
	 * Only where planes exist: elsewhere 239/240 keep their mainline
	 * meaning (arm64), which the architecture answers.
	 */
	*known = arch->planes != NULL;
	if (!*known)
		return 0;
	switch (cap) {
	case KVMU_CAP_PLANES:
		return nr_planes(arch);
	case KVMU_CAP_PLANES_FPU:
		return arch->planes->enable_fpu ? 1 : 0;
	case KVM_CAP_MEMORY_ATTRIBUTES:
		return (long)arch->planes->mem_attributes;
	default:
		*known = false;
		return 0;
	}
}

/* ---- the plane object ---- */

static void plane_destroy(struct kvmu_obj *obj)
{
	free(obj);
}

/* The plane fd is gone: the plane no longer pins its VM. */
static void plane_closed(struct kvmu_obj *obj)
{
	kvmu_obj_put(&((struct kvmu_plane *)obj)->vm->obj);
}

long vm_create_plane(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;
	struct kvmu_vm_planes *vp;
	struct kvmu_plane *p;
	char name[24];
	long ret;

	if (!obj->arch->planes)
		return -ENOTTY;		/* 0xd6 means nothing there */
	if (r->uarg >= (unsigned long)nr_planes(obj->arch))
		return -EINVAL;
	if (r->uarg == 0)
		return -EEXIST;		/* plane 0 is the VM */
	pthread_mutex_lock(&vm->lock);
	vp = kvmu_vm_planes_get(vm);
	ret = -ENOMEM;
	if (!vp)
		goto out;
	ret = -EEXIST;
	if (vp->p[r->uarg])
		goto out;
	ret = -ENOMEM;
	p = calloc(1, sizeof(*p));
	if (!p)
		goto out;
	p->obj.kind = KVMU_OBJ_PLANE;
	p->obj.arch = obj->arch;
	p->obj.destroy = plane_destroy;
	p->obj.closed = plane_closed;
	p->vm = vm;
	p->id = (int)r->uarg;
	snprintf(name, sizeof(name), "kvm-plane:%d", p->id);
	kvmu_obj_ref(&vm->obj);
	ret = kvmu_obj_install(&p->obj, name, 0, 1);
	if (ret < 0) {
		kvmu_obj_put(&vm->obj);
		free(p);
		goto out;
	}
	kvmu_obj_ref(&p->obj);		/* the VM's reference */
	vp->p[p->id] = p;
out:
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

long plane_check_extension(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	/* the RFC's kvm_plane_ioctl_check_extension: three answers only */
	switch ((long)r->uarg) {
	case KVM_CAP_SIGNAL_MSI:
		return obj->arch->irqchip_capable ? 1 : 0;
	case KVM_CAP_CHECK_EXTENSION_VM:
		return 1;
	case KVM_CAP_MEMORY_ATTRIBUTES:
		return obj->arch->planes ?
		       (long)obj->arch->planes->mem_attributes : 0;
	default:
		return 0;	/* KVM_CAP_PLANES included */
	}
}

long plane_signal_msi(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_plane *p = (struct kvmu_plane *)obj;
	const struct kvm_msi *m = r->karg;

	if (!kvmu_irq_in_kernel(p->vm) || (m->flags & ~KVM_MSI_VALID_DEVID))
		return -EINVAL;
	if (!ops_of(p->vm) || !ops_of(p->vm)->msi)
		return -EINVAL;
	return ops_of(p->vm)->msi(p->vm, p->id, m);
}

long plane_set_memory_attributes(struct kvmu_obj *obj,
				 struct kvmu_ioctl_req *r)
{
	struct kvmu_plane *p = (struct kvmu_plane *)obj;
	const struct kvm_memory_attributes *a = r->karg;

	if (a->attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE)
		return -EINVAL;		/* plane 0 only */
	return kvmu_memattr_set(p->vm, p->id, a);
}

long vm_set_memory_attributes(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	if (!obj->arch->planes)
		return -ENOTTY;		/* no CONFIG_KVM_GENERIC_MEMORY_ATTRIBUTES */
	return kvmu_memattr_set((struct kvmu_vm *)obj, 0, r->karg);
}

/* ---- plane vCPUs ---- */

static void plane_vcpu_destroy(struct kvmu_obj *obj)
{
	struct kvmu_vcpu *v = (struct kvmu_vcpu *)obj;

	if (obj->arch->vcpu_destroy)
		obj->arch->vcpu_destroy(v);
	pthread_mutex_destroy(&v->mutex);
	kvmu_obj_put(&v->vm->obj);
	kvmu_obj_put(&v->plane0->obj);
	free(v);
}

/* The plane-0 vCPU is released with its VM: let its planes go too. */
static void vcpu0_closed(struct kvmu_obj *obj)
{
	struct kvmu_vcpu_planes *pl = ((struct kvmu_vcpu *)obj)->planes;
	int i;

	for (i = 1; i < KVMU_MAX_PLANES; i++) {
		struct kvmu_vcpu *v = pl->v[i];

		pl->v[i] = NULL;
		if (v)
			kvmu_obj_put(&v->obj);
	}
}

static void vcpu0_destroy(struct kvmu_obj *obj)
{
	struct kvmu_vcpu *v = (struct kvmu_vcpu *)obj;
	void (*destroy)(struct kvmu_obj *) = v->planes->destroy0;

	free(v->planes);
	v->planes = NULL;
	destroy(obj);
}

/* The plane state of vcpu0, created on its first plane vCPU. */
static struct kvmu_vcpu_planes *vcpu_planes(struct kvmu_vcpu *vcpu0)
{
	struct kvmu_vcpu_planes *pl = vcpu0->planes;

	if (pl)
		return pl;
	pl = calloc(1, sizeof(*pl));
	if (!pl)
		return NULL;
	pl->v[0] = vcpu0;
	pl->destroy0 = vcpu0->obj.destroy;
	vcpu0->obj.destroy = vcpu0_destroy;
	vcpu0->obj.closed = vcpu0_closed;
	__atomic_store_n(&vcpu0->planes, pl, __ATOMIC_RELEASE);
	return pl;
}

static struct kvmu_vcpu *plane_vcpu_alloc(struct kvmu_plane *p,
					  struct kvmu_vcpu *vcpu0,
					  struct kvmu_vcpu_planes *pl)
{
	struct kvmu_vcpu *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->obj.kind = KVMU_OBJ_VCPU;
	v->obj.arch = vcpu0->obj.arch;
	v->vm = p->vm;
	v->id = vcpu0->id;
	v->index = vcpu0->index;
	v->map = vcpu0->map;		/* the runner's: never unmapped here */
	v->run = vcpu0->run;
	v->wake_fd = v->sig_fd = -1;
	v->plane0 = vcpu0;
	v->planes = pl;
	v->plane = (u8)p->id;
	pthread_mutex_init(&v->mutex, NULL);
	return v;
}

/* Create plane p's instance of vcpu0; under vm->lock; returns its fd. */
static long plane_vcpu_create(struct kvmu_plane *p, struct kvmu_vcpu *vcpu0)
{
	const struct kvmu_plane_ops *ops = ops_of(p->vm);
	struct kvmu_vcpu_planes *pl = vcpu_planes(vcpu0);
	struct kvmu_vcpu *v;
	char name[40];
	long ret;

	if (!pl)
		return -ENOMEM;
	if (pl->v[p->id])
		return -EEXIST;
	v = plane_vcpu_alloc(p, vcpu0, pl);
	if (!v)
		return -ENOMEM;
	ret = p->vm->obj.arch->vcpu_init(v);
	if (!ret && ops->vcpu_init)
		ret = ops->vcpu_init(v, vcpu0);
	snprintf(name, sizeof(name), "kvm-vcpu-plane%d:%d", p->id, v->id);
	if (!ret)
		ret = kvmu_obj_install(&v->obj, name, 0, 1);
	if (ret < 0) {
		if (v->arch_data && v->obj.arch->vcpu_destroy)
			v->obj.arch->vcpu_destroy(v);
		pthread_mutex_destroy(&v->mutex);
		free(v);
		return ret;
	}
	kvmu_obj_ref(&p->vm->obj);
	kvmu_obj_ref(&vcpu0->obj);
	kvmu_obj_ref(&v->obj);		/* plane 0's reference */
	v->obj.destroy = plane_vcpu_destroy;
	pl->v[p->id] = v;
	p->vm->planes->nr_plane_vcpus++;
	return ret;
}

long plane_create_vcpu_plane(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_plane *p = (struct kvmu_plane *)obj;
	struct kvmu_vcpu *vcpu0;
	struct kvmu_obj *o;
	long ret;

	if (r->uarg > 0x7fffffffUL)
		return -EBADF;
	ret = kvmu_obj_get((int)r->uarg, &o);
	if (ret)
		return ret == -EBADF ? -EBADF : -EINVAL;
	vcpu0 = (struct kvmu_vcpu *)o;
	ret = -EINVAL;
	if (o->kind != KVMU_OBJ_VCPU || vcpu0->vm != p->vm || vcpu0->plane0)
		goto out;
	pthread_mutex_lock(&p->vm->lock);
	ret = plane_vcpu_create(p, vcpu0);
	pthread_mutex_unlock(&p->vm->lock);
out:
	kvmu_obj_put(o);
	return ret;
}

struct kvmu_vcpu *kvmu_plane_vcpu(struct kvmu_vcpu *vcpu0, int p)
{
	struct kvmu_vcpu_planes *pl = vcpu0->planes;

	if (p < 0 || p >= KVMU_MAX_PLANES)
		return NULL;
	if (p == 0)
		return vcpu0;
	return pl ? pl->v[p] : NULL;
}

int kvmu_plane_vcpu_ioctl_check(struct kvmu_vcpu *vcpu, unsigned int cmd)
{
	const struct kvmu_plane_ops *ops = ops_of(vcpu->vm);
	int ret = 0;

	if (!ops)
		return 0;
	if (vcpu->plane0 && !ops->vcpu_ioctl_ok(cmd))
		return -EINVAL;
	if (!vcpu->plane0 && ops->vcpu0_ioctl_check)
		ret = ops->vcpu0_ioctl_check(vcpu, cmd);
	if (!ret && ops->sync)
		ops->sync(vcpu, cmd);
	return ret;
}

/* ---- KVM_RUN ---- */

/* Fill KVM_EXIT_PLANE_EVENT if a plane of req has an event; true if so. */
static bool event_exit(struct kvmu_vcpu *v0, int cur, u16 req)
{
	const struct kvmu_plane_ops *ops = ops_of(v0->vm);
	struct kvmu_run_planes *rp = (struct kvmu_run_planes *)v0->run;
	struct kvmu_plane_event_exit *ev;
	u16 pending = 0;
	int i;

	if (!v0->planes || !ops->pending)
		return false;
	for (i = 0; i < KVMU_MAX_PLANES; i++) {
		struct kvmu_vcpu *v = v0->planes->v[i];

		if (i != cur && v && ops->pending(v))
			pending |= (u16)(1u << i);
	}
	if (!(pending & req))
		return false;
	rp->exit_reason = KVMU_EXIT_PLANE_EVENT;
	ev = kvmu_run_plane_event(v0->run);
	memset(ev, 0, sizeof(*ev));
	ev->cause = KVMU_PLANE_EVENT_INTERRUPT;
	ev->pending_event_planes = pending;
	ev->target = pending & req;
	return true;
}

bool kvmu_plane_event_exit(struct kvmu_vcpu *v)
{
	return event_exit(kvmu_vcpu_runner(v), v->plane, v->plane_req);
}

/*
 * suspended_planes: a switch to a more privileged (higher) plane suspends
 * the plane that ran; running a plane resumes it and drops the planes
 * above it from the chain (docs/planes.md).
 */
static u16 suspended_after(const struct kvmu_vcpu_planes *pl, int p)
{
	u16 s = pl->suspended;

	if (pl->last < p)
		s |= (u16)(1u << pl->last);
	return s & (u16)((1u << p) - 1);
}

int kvmu_plane_enter(struct kvmu_vcpu *vcpu0, struct kvmu_vcpu **run)
{
	const struct kvmu_plane_ops *ops = ops_of(vcpu0->vm);
	struct kvmu_run_planes *rp = (struct kvmu_run_planes *)vcpu0->run;
	u8 p = __atomic_load_n(&rp->plane, __ATOMIC_ACQUIRE);
	struct kvmu_vcpu_planes *pl;
	struct kvmu_vcpu *v;
	u16 req;

	if (!ops)
		return 0;		/* no planes: upstream padding */
	v = kvmu_plane_vcpu(vcpu0, p);
	if (!v || p >= ops->nr_planes)
		return -EINVAL;
	pl = vcpu0->planes;
	rp->suspended_planes = pl ? pl->suspended : 0;
	req = __atomic_load_n(&rp->req_exit_planes, __ATOMIC_ACQUIRE);
	v->plane_req = req & (u16)~(1u << p);	/* own bit ignored */
	if (v->plane_req && event_exit(vcpu0, p, v->plane_req))
		return 1;		/* nothing ran: no switch */
	if (pl) {
		pl->suspended = rp->suspended_planes = suspended_after(pl, p);
		pl->last = p;
	}
	v->immediate = vcpu0->immediate;
	if (ops->sync)
		ops->sync(v, 0);
	*run = v;
	return 0;
}
