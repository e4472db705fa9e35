// SPDX-License-Identifier: MIT
/*
 * VM planes under the fuzzer (docs/planes.md): KVM_CREATE_PLANE with any
 * id, the plane fd's requests (CHECK_EXTENSION, SIGNAL_MSI,
 * SET_MEMORY_ATTRIBUTES, CREATE_VCPU_PLANE with every kind of fd) and
 * others it refuses, plane vCPU ioctls with bad pointers, memory attributes
 * on the VM fd, GSI routes naming planes in their pad, and KVM_RUN with a
 * fuzzed kvm_run->plane and req_exit_planes.  The fds an operation makes
 * are closed before it returns; the planes and plane vCPUs stay with their
 * VM.
 */
#include "fz.h"
#include "kvmu/abi/planes.h"

static const u64 plane_reqs[] = {
	KVM_CHECK_EXTENSION, KVM_SIGNAL_MSI, KVM_SET_MEMORY_ATTRIBUTES,
	KVM_CREATE_VCPU_PLANE, KVM_RUN, KVM_CREATE_VCPU, KVM_CREATE_PLANE,
	KVM_GET_REGS, KVM_SET_USER_MEMORY_REGION, KVM_IRQFD,
};

static const u64 pvcpu_reqs[] = {
	KVM_GET_REGS, KVM_SET_REGS, KVM_GET_SREGS, KVM_SET_SREGS,
	KVM_GET_FPU, KVM_SET_FPU, KVM_GET_LAPIC, KVM_SET_LAPIC,
	KVM_GET_MSRS, KVM_SET_MSRS, KVM_GET_VCPU_EVENTS, KVM_SET_VCPU_EVENTS,
	KVM_GET_XSAVE, KVM_SET_XSAVE, KVM_GET_XCRS, KVM_SET_XCRS,
	KVM_GET_DEBUGREGS, KVM_SET_DEBUGREGS, KVM_TRANSLATE, KVM_RUN,
	KVM_SET_CPUID2, KVM_NMI, KVM_GET_STATS_FD, KVM_SET_SIGNAL_MASK,
};

/* The argument of a plane-fd or plane-vCPU request: value or pointer. */
static unsigned long plane_arg(struct fdp *f, unsigned long req, int kind,
			       int vcpu)
{
	size_t len = _IOC_SIZE(req);

	if (req == KVM_CREATE_VCPU_PLANE) {
		switch (pick(f, 6)) {
		case 0:
			return (unsigned long)G.null_fd;
		case 1:
			return CLOSED_FD;
		case 2:
			return take(f, 8);
		default:
			return (unsigned long)vcpu;
		}
	}
	if (_IOC_DIR(req) == _IOC_NONE)
		return pick(f, 2) ? pick(f, 300) : take(f, 8);
	if (kind == PTR_GOOD) {
		u8 *p = arena_tail(len ? len : 8);

		fill(f, p, len);
		return (unsigned long)p;
	}
	return make_ptr(kind, len);
}

static void attrs(int fd, struct fdp *f, int kind)
{
	static const u64 addrs[] = { 0, CODE_GPA, STACK_GPA, 0x1000, 1,
				     ~0xfffULL, 0x100000000ULL };
	struct kvm_memory_attributes *a = (void *)arena_tail(sizeof(*a));

	a->address = CHOOSE(f, addrs);
	a->size = pick(f, 4) ? PG << pick(f, 4) : take(f, 8);
	a->attributes = pick(f, 4) ? pick(f, 8) : take(f, 8);
	a->flags = pick(f, 8) ? 0 : take(f, 8);
	xioctl(fd, KVM_SET_MEMORY_ATTRIBUTES, make_ptr(kind, sizeof(*a)));
}

/*
 * GSI routes naming a plane in their pad (MSI and irqchip routes, planes
 * past the last), then each route's GSI raised and lowered: interrupts
 * reach other planes' APICs, IOAPIC pins take a plane.
 */
static void plane_routes(int vm, struct fdp *f)
{
	struct kvm_irq_routing *r;
	struct kvm_irq_level *l;
	u32 n = 1 + (u32)pick(f, 4), i;

	r = (void *)arena_tail(sizeof(*r) + n * sizeof(r->entries[0]));
	r->nr = n;
	r->flags = 0;
	for (i = 0; i < n; i++) {
		struct kvm_irq_routing_entry *e = &r->entries[i];

		memset(e, 0, sizeof(*e));
		e->gsi = (u32)pick(f, 24);
		e->type = 1 + (u32)pick(f, 2);
		e->pad = pick(f, 4) ? (u32)pick(f, 18) : (u32)take(f, 4);
		fill(f, &e->u, 16);
		if (e->type == KVM_IRQ_ROUTING_IRQCHIP) {
			e->u.irqchip.irqchip = (u32)pick(f, 3);
			e->u.irqchip.pin = (u32)pick(f, 24);
		}
	}
	if (xioctl(vm, KVM_SET_GSI_ROUTING, (unsigned long)r) < 0)
		return;
	l = (void *)arena_tail(sizeof(*l));
	for (i = 0; i < n; i++) {
		l->irq = r->entries[i].gsi;
		l->level = 1;
		xioctl(vm, KVM_IRQ_LINE, (unsigned long)l);
		l->level = 0;
		xioctl(vm, KVM_IRQ_LINE, (unsigned long)l);
	}
}

static void run_plane(struct fz *z, struct fdp *f)
{
	struct fz_vcpu *c = pick_vcpu(z, f);
	struct kvmu_run_planes *rp;

	if (!c || z->runs++ >= MAX_RUNS)
		return;
	rp = (struct kvmu_run_planes *)c->run;
	rp->plane = (u8)(pick(f, 4) ? pick(f, 3) : take(f, 1));
	rp->req_exit_planes = (u16)(pick(f, 2) ? 0 : take(f, 2));
	c->run->immediate_exit = pick(f, 16) == 0;
	timed_ioctl(c->fd, c->run, KVM_RUN, 0);
	rp->plane = 0;
	rp->req_exit_planes = 0;
}

void op_planes(struct fz *z, struct fdp *f)
{
	int vm = pick_fd(f, z->vm, MAX_VMS), kind = pick_ptr(f);
	struct fz_vcpu *c = pick_vcpu(z, f);
	int plane, pv = -1, i, n;
	unsigned long req;

	if (vm < 0)
		return;
	if (pick(f, 4) == 0) {
		attrs(vm, f, kind);
		run_plane(z, f);
		return;
	}
	if (pick(f, 4) == 0) {
		plane_routes(vm, f);
		run_plane(z, f);
		return;
	}
	plane = xioctl(vm, KVM_CREATE_PLANE, pick(f, 4) ? 1 + pick(f, 2) :
						      take(f, 8));
	if (plane < 0)
		return;
	n = 1 + (int)pick(f, 4);
	for (i = 0; i < n; i++) {
		req = CHOOSE(f, plane_reqs);
		if (req == KVM_SET_MEMORY_ATTRIBUTES && pick(f, 2))
			attrs(plane, f, kind);
		else if (req == KVM_CREATE_VCPU_PLANE && c && pv < 0)
			pv = xioctl(plane, req, plane_arg(f, req, kind, c->fd));
		else if (req == KVM_CHECK_EXTENSION)
			xioctl(plane, req, pick(f, 2) ? 239 + pick(f, 2) :
							take(f, 2));
		else
			xioctl(plane, req, plane_arg(f, req, kind, -1));
	}
	for (i = 0; pv >= 0 && i < n; i++) {
		req = CHOOSE(f, pvcpu_reqs);
		xioctl(pv, req, plane_arg(f, req, pick_ptr(f), -1));
	}
	if (pick(f, 2))
		run_plane(z, f);
	if (pv >= 0)
		close(pv);
	close(plane);
}
