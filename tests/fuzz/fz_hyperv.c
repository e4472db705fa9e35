// SPDX-License-Identifier: MIT
/*
 * Hyper-V: KVM_GET_SUPPORTED_HV_CPUID on the system and vCPU fds (any
 * nent, any pointer), the vCPU capabilities SYNIC, SYNIC2 and
 * ENFORCE_CPUID with fuzzed arguments, host writes of the synthetic MSRs
 * (pages and timers pointing anywhere) and the Hyper-V CPUID leaves, so
 * that guest code run by op_run meets the hypercalls and MSRs enabled;
 * KVM_HYPERV_EVENTFD with fuzzed ids and flags on eventfds, other files
 * and junk descriptors.
 */
#define _GNU_SOURCE
#include <sys/eventfd.h>

#include "fz.h"

static void hv_cpuid(struct fdp *f, int fd)
{
	static const u64 nent[] = { 0, 1, 9, 10, 11, 256, 0xffffffff };
	struct kvm_cpuid2 *c = (void *)arena_tail(sizeof(*c) + 16 *
					sizeof(struct kvm_cpuid_entry2));

	c->nent = (u32)CHOOSE(f, nent);
	if (c->nent > 16 && pick(f, 2))
		c->nent = 16;
	xioctl(fd, KVM_GET_SUPPORTED_HV_CPUID,
	       pick(f, 4) ? (unsigned long)c : make_ptr(pick_ptr(f), 8));
}

static void hv_cap(struct fdp *f, int fd)
{
	static const u64 caps[] = { KVM_CAP_HYPERV_SYNIC, KVM_CAP_HYPERV_SYNIC2,
				    KVM_CAP_HYPERV_ENFORCE_CPUID };
	struct kvm_enable_cap *c = (void *)arena_tail(sizeof(*c));

	memset(c, 0, sizeof(*c));
	c->cap = (u32)CHOOSE(f, caps);
	c->flags = pick(f, 8) ? 0 : (u32)take(f, 4);
	c->args[0] = pick(f, 2) ? pick(f, 2) : take(f, 8);
	xioctl(fd, KVM_ENABLE_CAP, (unsigned long)c);
}

/* Host writes (and reads) of the synthetic MSRs. */
static void hv_msrs(struct fdp *f, int fd)
{
	static const u64 idx[] = {
		0x40000000, 0x40000001, 0x40000002, 0x40000003, 0x40000010,
		0x40000020, 0x40000021, 0x40000022, 0x40000070, 0x40000071,
		0x40000072, 0x40000073, 0x40000080, 0x40000081, 0x40000082,
		0x40000083, 0x40000084, 0x40000090, 0x4000009f, 0x400000b0,
		0x400000b1, 0x400000b6, 0x400000f1, 0x400000f5, 0x400000ff,
		0x40000100, 0x40000105, 0x40000106, 0x40000107, 0x40000108,
	};
	static const u64 vals[] = { 0, 1, 0x1001, 0x100001, 0x10000,
				    0x8100ULL << 48, 0xfffff001, ~0ULL };
	struct kvm_msrs *m = (void *)arena_tail(sizeof(*m) + 4 *
					sizeof(struct kvm_msr_entry));
	u32 i, n = 1 + (u32)pick(f, 4);

	memset(m, 0, sizeof(*m) + 4 * sizeof(struct kvm_msr_entry));
	m->nmsrs = n;
	for (i = 0; i < n; i++) {
		m->entries[i].index = (u32)CHOOSE(f, idx);
		m->entries[i].data = pick(f, 2) ? CHOOSE(f, vals) : take(f, 8);
	}
	xioctl(fd, pick(f, 3) ? KVM_SET_MSRS : KVM_GET_MSRS,
	       (unsigned long)m);
}

/* The vCPU's CPUID with the Hyper-V leaves (so the guest may use them). */
static void hv_set_cpuid(struct fdp *f, int sys, int fd)
{
	struct kvm_cpuid2 *c = (void *)arena_tail(sizeof(*c) + 16 *
					sizeof(struct kvm_cpuid_entry2));

	c->nent = 16;
	if (xioctl(sys, KVM_GET_SUPPORTED_HV_CPUID, (unsigned long)c) < 0)
		return;
	if (pick(f, 2))
		c->entries[3].eax = (u32)take(f, 4);	/* features */
	xioctl(fd, KVM_SET_CPUID2, (unsigned long)c);
}

/* KVM_HYPERV_EVENTFD: assign and deassign (the VM keeps its own dup). */
static void hv_eventfd(struct fdp *f, int vm)
{
	static const u64 ids[] = { 0, 1, 4, 0xffffff, 0x1000000, ~0ULL };
	struct kvm_hyperv_eventfd *a = (void *)arena_tail(sizeof(*a));
	int kind = pick_ptr(f), made = -1;

	memset(a, 0, sizeof(*a));
	a->conn_id = pick(f, 2) ? (u32)pick(f, 8) : (u32)CHOOSE(f, ids);
	a->flags = pick(f, 4) ? (u32)pick(f, 2) : (u32)take(f, 4);
	switch (pick(f, 4)) {
	case 0:
		a->fd = (int)take(f, 4);
		break;
	case 1:
		a->fd = G.null_fd;
		break;
	default:
		made = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		a->fd = made;
		break;
	}
	if (kind != PTR_GOOD && kind != PTR_RO)
		expect_fail(xioctl(vm, KVM_HYPERV_EVENTFD,
				   make_ptr(kind, sizeof(*a))),
			    KVM_HYPERV_EVENTFD, ptr_names[kind]);
	else
		xioctl(vm, KVM_HYPERV_EVENTFD, (unsigned long)a);
	if (made >= 0)
		close(made);
}

void op_hyperv(struct fz *z, struct fdp *f)
{
	int sys = pick_fd(f, z->sys, MAX_SYS);
	struct fz_vcpu *c = pick_vcpu(z, f);

	int vm = pick_fd(f, z->vm, MAX_VMS);

	switch (pick(f, 6)) {
	case 0:
		if (sys >= 0)
			hv_cpuid(f, sys);
		break;
	case 5:
		if (vm >= 0)
			hv_eventfd(f, vm);
		break;
	case 1:
		if (c)
			hv_cpuid(f, c->fd);
		break;
	case 2:
		if (c)
			hv_cap(f, c->fd);
		break;
	case 3:
		if (c && sys >= 0)
			hv_set_cpuid(f, sys, c->fd);
		break;
	default:
		if (c)
			hv_msrs(f, c->fd);
		break;
	}
}
