// SPDX-License-Identifier: MIT
/*
 * The generic interrupt ioctls under the fuzzer: KVM_IRQ_LINE(_STATUS),
 * KVM_SET_GSI_ROUTING, KVM_SIGNAL_MSI, KVM_IRQFD and KVM_IOEVENTFD with
 * fuzzed fields, real eventfds, non-eventfd and stale descriptors, and
 * pointers of every kind.  The eventfds an operation makes are closed
 * before it returns (irqfds and ioeventfds keep their own until the VM
 * goes, which the harness's descriptor count then checks).
 */
#define _GNU_SOURCE
#include <sys/eventfd.h>

#include "fz.h"

/* An fd for the eventfd fields: fresh eventfd, a non-eventfd, or junk. */
static int pick_efd(struct fdp *f, int *made)
{
	switch (pick(f, 6)) {
	case 0:
		return G.null_fd;
	case 1:
		return (int)take(f, 4);
	case 2:
		return -1;
	default:
		if (*made < 0)
			*made = eventfd(0, EFD_CLOEXEC);
		return *made;
	}
}

static void irq_routing(int vm, struct fdp *f, int kind)
{
	static const u64 nrs[] = { 0, 1, 2, 24, 4096, 4097, 0x80000000 };
	u32 nr = (u32)CHOOSE(f, nrs), i, room;
	struct kvm_irq_routing *r;
	size_t len;

	room = (u32)((ARENA_SIZE - sizeof(*r)) / sizeof(r->entries[0]));
	len = sizeof(*r) + (nr < room ? nr : room) * sizeof(r->entries[0]);
	r = (void *)arena_tail(len);
	r->nr = nr;
	r->flags = pick(f, 8) ? 0 : (u32)take(f, 4);
	for (i = 0; i < nr && i < room && i < 64; i++) {
		struct kvm_irq_routing_entry *e = &r->entries[i];

		memset(e, 0, sizeof(*e));
		e->gsi = pick(f, 4) ? (u32)pick(f, 32) : (u32)take(f, 4);
		/* IRQCHIP, MSI, HV_SINT, or anything */
		e->type = pick(f, 4) ? 1 + pick(f, 2) + 2 * !pick(f, 4) :
				       (u32)take(f, 4);
		e->flags = pick(f, 6) ? 0 : (u32)take(f, 4);
		fill(f, &e->u, 16);
	}
	if (kind != PTR_GOOD && kind != PTR_RO)
		expect_fail(xioctl(vm, KVM_SET_GSI_ROUTING, make_ptr(kind, len)),
			    KVM_SET_GSI_ROUTING, ptr_names[kind]);
	else
		xioctl(vm, KVM_SET_GSI_ROUTING, (unsigned long)r);
}

static void irq_fd(int vm, struct fdp *f, int kind, int *made, int *made2)
{
	struct kvm_irqfd *a = (void *)arena_tail(sizeof(*a));

	memset(a, 0, sizeof(*a));
	a->fd = (u32)pick_efd(f, made);
	a->gsi = pick(f, 4) ? (u32)pick(f, 32) : (u32)take(f, 4);
	a->flags = pick(f, 4) ? (u32)pick(f, 4) : (u32)take(f, 4);
	a->resamplefd = (u32)pick_efd(f, made2);
	if (kind != PTR_GOOD && kind != PTR_RO)
		expect_fail(xioctl(vm, KVM_IRQFD, make_ptr(kind, sizeof(*a))),
			    KVM_IRQFD, ptr_names[kind]);
	else
		xioctl(vm, KVM_IRQFD, make_ptr(kind, sizeof(*a)));
}

static void io_eventfd(int vm, struct fdp *f, int kind, int *made)
{
	static const u64 addrs[] = { 0x3f8, 0x80, 0xe9, 0x10, 0x100000,
				     0xfee00000, 0, ~0ULL - 3, CODE_GPA };
	struct kvm_ioeventfd *a = (void *)arena_tail(sizeof(*a));

	memset(a, 0, sizeof(*a));
	a->datamatch = pick(f, 2) ? pick(f, 256) : take(f, 8);
	a->addr = CHOOSE(f, addrs);
	a->len = pick(f, 8) ? (u32)(1U << pick(f, 4)) >> 1 : (u32)take(f, 4);
	a->fd = pick_efd(f, made);
	a->flags = pick(f, 4) ? (u32)pick(f, 8) : (u32)take(f, 4);
	if (kind != PTR_GOOD && kind != PTR_RO)
		expect_fail(xioctl(vm, KVM_IOEVENTFD,
				   make_ptr(kind, sizeof(*a))),
			    KVM_IOEVENTFD, ptr_names[kind]);
	else
		xioctl(vm, KVM_IOEVENTFD, make_ptr(kind, sizeof(*a)));
}

void op_irq(struct fz *z, struct fdp *f)
{
	int vm = pick_fd(f, z->vm, MAX_VMS), kind = pick_ptr(f);
	int made = -1, made2 = -1;
	struct kvm_irq_level *l = (void *)arena_tail(sizeof(*l));
	struct kvm_msi *m = (void *)arena_tail(sizeof(*m));
	unsigned long req;

	if (vm < 0)
		return;
	switch (pick(f, 5)) {
	case 0:
		req = pick(f, 2) ? KVM_IRQ_LINE : KVM_IRQ_LINE_STATUS;
		l->irq = pick(f, 4) ? (u32)pick(f, 32) : (u32)take(f, 4);
		l->level = (u32)take(f, 1);
		if (kind != PTR_GOOD && kind != PTR_RO)
			expect_fail(xioctl(vm, req, make_ptr(kind, sizeof(*l))),
				    req, ptr_names[kind]);
		else
			xioctl(vm, req, make_ptr(kind, sizeof(*l)));
		break;
	case 1:
		irq_routing(vm, f, kind);
		break;
	case 2:
		fill(f, m, sizeof(*m));
		if (pick(f, 2))
			m->flags &= KVM_MSI_VALID_DEVID;
		if (kind != PTR_GOOD && kind != PTR_RO)
			expect_fail(xioctl(vm, KVM_SIGNAL_MSI,
					   make_ptr(kind, sizeof(*m))),
				    KVM_SIGNAL_MSI, ptr_names[kind]);
		else
			xioctl(vm, KVM_SIGNAL_MSI, make_ptr(kind, sizeof(*m)));
		break;
	case 3:
		irq_fd(vm, f, kind, &made, &made2);
		break;
	default:
		io_eventfd(vm, f, kind, &made);
		break;
	}
	if (made >= 0) {
		/* signalled now and then: irqfd threads and guests see it */
		if (pick(f, 2))
			(void)!eventfd_write(made, 1);
		close(made);
	}
	if (made2 >= 0)
		close(made2);
}
