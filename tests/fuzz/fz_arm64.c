// SPDX-License-Identifier: MIT
/*
 * The fuzzer's arm64 operation: an arm64 system, a VM of a fuzzed machine
 * type (IPA size), fuzzed memslots in the pool, one or two vCPUs, then the
 * arm64 ioctls with fuzzed arguments and pointers: KVM_ARM_PREFERRED_TARGET,
 * KVM_ARM_VCPU_INIT, KVM_GET/SET_ONE_REG, KVM_GET_REG_LIST, the SMCCC
 * filter attribute, KVM_IRQ_LINE, MP state, vCPU events, KVM_ENABLE_CAP,
 * the GICv3 device (KVM_CREATE_DEVICE and every attribute group with
 * fuzzed attributes and pointers), KVM_IRQ_LINE(_STATUS) in the arm
 * encoding, irqfd, GSI routing, MSI, ioeventfd, KVM_CREATE_IRQCHIP,
 * and a timed KVM_RUN of fuzzed guest code.  Everything is closed again
 * within the operation.
 */
#define _GNU_SOURCE
#include <sys/eventfd.h>

#include "fz.h"
#include "kvmu/abi/arm64.h"

#define A64_MAX_CALLS	24

static const u64 vm_types[] = {
	0, 32, 36, 40, 44, 48, 49, 31, 1, 0x100, 0x8000000000000020ULL, 52,
};

static const u64 reg_ids[] = {
	KVMU_REG_ARM64_CORE(KVM_REG_SIZE_U64, regs.pc),
	KVMU_REG_ARM64_CORE(KVM_REG_SIZE_U64, regs.pstate),
	KVMU_REG_ARM64_CORE(KVM_REG_SIZE_U64, regs.regs[0]),
	KVMU_REG_ARM64_CORE(KVM_REG_SIZE_U128, fp_regs.vregs[3]),
	KVMU_REG_ARM64_CORE(KVM_REG_SIZE_U32, fp_regs.fpcr),
	KVMU_REG_ARM64_CORE(KVM_REG_SIZE_U32, regs.pc),
	KVMU_REG_ARM64 | KVM_REG_SIZE_U64 | KVMU_REG_ARM_CORE | 215,
	KVMU_REG_ARM_PSCI_VERSION, KVMU_REG_ARM_SMCCC_WA2,
	KVMU_REG_ARM64_SYSREG_ID(3, 0, 1, 0, 0),	/* SCTLR_EL1 */
	KVMU_REG_ARM64_SYSREG_ID(3, 0, 0, 0, 5),	/* MPIDR_EL1 */
	KVMU_REG_ARM64_SYSREG_ID(3, 0, 0, 7, 0),	/* ID_AA64MMFR0 */
	KVMU_REG_ARM_TIMER_CNT, KVMU_REG_ARM_TIMER_CVAL,
	KVMU_REG_ARM64_SYSREG_ID(3, 0, 15, 15, 7),
	KVMU_REG_ARM64 | KVM_REG_SIZE_U2048 | KVMU_REG_ARM64_SVE,
};

static const u64 filter_bases[] = {
	0, 0x80000000, 0x8000ffff, 0xc0000000, 0xc3000000, 0x84000000,
	0xffffffff, 0x82000000,
};

static const u64 gic_addrs[] = {
	0, 0x08000000, 0x080a0000, 0x1000, 1ULL << 40, (1ULL << 40) - 0x10000,
	(2ULL << 52) | 0x200000, (1ULL << 52) | 0x240000 | 1,
	(4095ULL << 52) | 0xfff, ~0ULL,
};

struct a64 {
	int sys, vm, vcpu[2], gic;
	struct kvm_run *run[2];
};

static int a64_open(struct a64 *a, struct fdp *f)
{
	struct kvm_userspace_memory_region2 r = { 0 };

	a->sys = kvmu_open(KVMU_ARCH_ARM64, 0);
	if (a->sys < 0)
		fz_fail("kvmu_open(arm64): errno %d", errno);
	a->vm = xioctl(a->sys, KVM_CREATE_VM, CHOOSE(f, vm_types));
	if (a->vm < 0)
		return -1;
	r.slot = (u32)pick(f, 3);
	r.guest_phys_addr = pick(f, 4) ? 0 : (take(f, 8) & ~(PG - 1));
	r.memory_size = POOL_SIZE;
	r.userspace_addr = (u64)(uintptr_t)G.pool;
	r.flags = pick(f, 4) ? 0 : KVM_MEM_READONLY;
	set_region(a->vm, &r, false);
	for (int i = 0; i < 2; i++) {
		a->vcpu[i] = xioctl(a->vm, KVM_CREATE_VCPU, i);
		a->run[i] = MAP_FAILED;
		if (a->vcpu[i] >= 0)
			a->run[i] = mmap(NULL, G.map_size,
					 PROT_READ | PROT_WRITE, MAP_SHARED,
					 a->vcpu[i], 0);
	}
	return 0;
}

static void a64_close(struct a64 *a)
{
	if (a->gic >= 0)
		close(a->gic);
	for (int i = 0; i < 2; i++) {
		if (a->run[i] != MAP_FAILED)
			munmap(a->run[i], G.map_size);
		if (a->vcpu[i] >= 0)
			close(a->vcpu[i]);
	}
	if (a->vm >= 0)
		close(a->vm);
	close(a->sys);
}

static void a64_init(struct a64 *a, struct fdp *f, int v)
{
	struct kvmu_arm64_vcpu_init *in = (void *)arena_tail(sizeof(*in));
	int kind = pick_ptr(f);

	memset(in, 0, sizeof(*in));
	in->target = pick(f, 8) ? KVMU_ARM_TARGET_GENERIC_V8 : (u32)take(f, 4);
	in->features[0] = pick(f, 2) ? 1u << KVMU_ARM_VCPU_PSCI_0_2 :
				       (u32)take(f, 4);
	if (!pick(f, 8))
		in->features[pick(f, 7)] |= (u32)take(f, 4);
	xioctl(a->vcpu[v], KVMU_ARM_VCPU_INIT,
	       kind == PTR_GOOD ? (unsigned long)in :
	       make_ptr(kind, sizeof(*in)));
}

static void a64_one_reg(struct a64 *a, struct fdp *f, int v, bool set)
{
	struct kvm_one_reg *r = (void *)arena_tail(sizeof(*r) + 256);
	u8 *val = (u8 *)(r + 1);

	r->id = pick(f, 4) ? CHOOSE(f, reg_ids) : take(f, 8);
	fill(f, val, 16);
	r->addr = pick(f, 8) ? (u64)(uintptr_t)val :
			       make_ptr(pick_ptr(f), 16);
	xioctl(a->vcpu[v], set ? KVM_SET_ONE_REG : KVM_GET_ONE_REG,
	       (unsigned long)r);
}

static void a64_reg_list(struct a64 *a, struct fdp *f, int v)
{
	size_t cap = 1 + pick(f, 300);
	struct kvm_reg_list *l = (void *)arena_tail(sizeof(*l) + cap * 8);

	l->n = pick(f, 4) ? cap : take(f, 8);
	if (l->n > cap && pick(f, 2))
		l->n = cap;
	xioctl(a->vcpu[v], KVM_GET_REG_LIST, pick(f, 8) ? (unsigned long)l :
	       make_ptr(pick_ptr(f), sizeof(*l)));
}

static void a64_filter(struct a64 *a, struct fdp *f)
{
	struct kvm_device_attr *at = (void *)arena_tail(sizeof(*at) + 32);
	struct kvmu_smccc_filter *flt = (void *)(at + 1);

	memset(flt, 0, sizeof(*flt));
	flt->base = pick(f, 2) ? (u32)take(f, 4) : (u32)CHOOSE(f,
		filter_bases);
	flt->nr_functions = pick(f, 2) ? 1 + pick(f, 0x200) : (u32)take(f, 4);
	flt->action = (u8)pick(f, 4);
	if (!pick(f, 8))
		flt->pad[pick(f, 15)] = (u8)take(f, 1);
	at->flags = pick(f, 8) ? 0 : (u32)take(f, 4);
	at->group = pick(f, 8) ? KVMU_ARM_VM_SMCCC_CTRL : (u32)take(f, 4);
	at->attr = pick(f, 8) ? KVMU_ARM_VM_SMCCC_FILTER : take(f, 8);
	at->addr = pick(f, 8) ? (u64)(uintptr_t)flt :
				make_ptr(pick_ptr(f), sizeof(*flt));
	xioctl(a->vm, pick(f, 4) ? KVM_SET_DEVICE_ATTR : KVM_HAS_DEVICE_ATTR,
	       (unsigned long)at);
}

static void a64_misc(struct a64 *a, struct fdp *f, int v)
{
	u8 *buf = arena_tail(64);
	struct kvm_enable_cap *cap = (void *)arena_tail(sizeof(*cap));

	fill(f, buf, 64);
	switch (pick(f, 7)) {
	case 0:
		xioctl(a->vm, KVMU_ARM_PREFERRED_TARGET,
		       make_ptr(pick_ptr(f), 32));
		break;
	case 1: {
		struct kvm_irq_level *l = (void *)buf;

		if (pick(f, 2))
			l->irq = (u32)pick(f, 3) << 24 | pick(f, 2) << 16 |
				 pick(f, 3);
		xioctl(a->vm, KVM_IRQ_LINE, (unsigned long)l);
		break;
	}
	case 2:
		xioctl(a->vcpu[v], KVM_SET_MP_STATE, (unsigned long)buf);
		break;
	case 3:
		xioctl(a->vcpu[v], KVM_GET_MP_STATE, make_ptr(pick_ptr(f), 4));
		break;
	case 4:
		if (pick(f, 2))
			memset(buf + 3, 0, 61);
		xioctl(a->vcpu[v], KVMU_ARM64_SET_VCPU_EVENTS,
		       (unsigned long)buf);
		break;
	case 5:
		xioctl(a->vcpu[v], KVMU_ARM64_GET_VCPU_EVENTS,
		       make_ptr(pick_ptr(f), 64));
		break;
	default:
		memset(cap, 0, sizeof(*cap));
		cap->cap = pick(f, 2) ? KVM_CAP_ARM_NISV_TO_USER : take(f, 2);
		cap->flags = pick(f, 8) ? 0 : (u32)take(f, 4);
		xioctl(a->vm, KVM_ENABLE_CAP, (unsigned long)cap);
	}
}

/* The GICv3: create it, then a fuzzed attribute of a fuzzed group. */
static void a64_gic(struct a64 *a, struct fdp *f)
{
	struct kvm_device_attr *at = (void *)arena_tail(sizeof(*at) + 16);
	u64 *val = (u64 *)(at + 1);
	static const unsigned long reqs[] = {
		KVM_SET_DEVICE_ATTR, KVM_GET_DEVICE_ATTR, KVM_HAS_DEVICE_ATTR,
	};

	if (a->gic < 0 || !pick(f, 16)) {
		struct kvm_create_device *cd = (void *)arena_tail(sizeof(*cd));

		memset(cd, 0, sizeof(*cd));
		cd->type = pick(f, 4) ? KVM_DEV_TYPE_ARM_VGIC_V3 :
					(u32)pick(f, 12);
		cd->flags = pick(f, 4) ? 0 : (u32)take(f, 4);
		if (xioctl(a->vm, KVM_CREATE_DEVICE, pick(f, 16) ?
			   (unsigned long)cd : make_ptr(pick_ptr(f),
							sizeof(*cd))) == 0 &&
		    !(cd->flags & KVM_CREATE_DEVICE_TEST) && a->gic < 0)
			a->gic = (int)cd->fd;
		return;
	}
	at->flags = pick(f, 8) ? 0 : (u32)take(f, 4);
	at->group = (u32)pick(f, 10);
	switch (pick(f, 4)) {
	case 0: at->attr = pick(f, 8); break;
	case 1: at->attr = (u64)pick(f, 3) << 32 | take(f, 2); break;
	case 2: at->attr = 0xc000 | pick(f, 0x4000); break;	/* ICC_* */
	default: at->attr = take(f, 8); break;
	}
	*val = pick(f, 2) ? CHOOSE(f, gic_addrs) : take(f, 8);
	val[1] = take(f, 8);
	at->addr = pick(f, 8) ? (u64)(uintptr_t)val :
				make_ptr(pick_ptr(f), 8);
	xioctl(a->gic, CHOOSE(f, reqs), (unsigned long)at);
}

/* The VM's interrupt ioctls with the GIC present or not. */
static void a64_irq(struct a64 *a, struct fdp *f)
{
	u8 *buf = arena_tail(256);

	fill(f, buf, 256);
	switch (pick(f, 6)) {
	case 0: {
		struct kvm_irq_level *l = (void *)buf;

		l->irq = (u32)pick(f, 4) << 24 | pick(f, 2) << 16 |
			 pick(f, 1024);
		xioctl(a->vm, pick(f, 2) ? KVM_IRQ_LINE : KVM_IRQ_LINE_STATUS,
		       (unsigned long)l);
		break;
	}
	case 1: {
		struct kvm_irqfd *q = (void *)buf;

		q->fd = (u32)eventfd(0, EFD_CLOEXEC);
		q->gsi = pick(f, 2) ? pick(f, 300) : (u32)take(f, 4);
		q->flags = pick(f, 4) ? 0 : (u32)pick(f, 4);
		xioctl(a->vm, KVM_IRQFD, (unsigned long)q);
		if (pick(f, 2))
			eventfd_write((int)q->fd, 1);
		close((int)q->fd);
		break;
	}
	case 2: {
		struct kvm_irq_routing *r = (void *)buf;

		r->nr = pick(f, 4) ? pick(f, 7) : (u32)take(f, 4);
		r->flags = pick(f, 8) ? 0 : (u32)take(f, 4);
		if (r->nr <= 7)
			for (u32 i = 0; i < r->nr; i++)
				r->entries[i].type = 1 + pick(f, 2);
		xioctl(a->vm, KVM_SET_GSI_ROUTING, (unsigned long)r);
		break;
	}
	case 3:
		xioctl(a->vm, KVM_SIGNAL_MSI, (unsigned long)buf);
		break;
	case 4:
		xioctl(a->vm, KVM_CREATE_IRQCHIP, 0);
		break;
	default: {
		struct kvm_ioeventfd *e = (void *)buf;

		e->fd = eventfd(0, EFD_CLOEXEC);
		e->addr = pick(f, 2) ? 0x08000000 : take(f, 8);
		e->len = pick(f, 9);
		e->flags &= pick(f, 4) ? 0 : 0x1f;
		xioctl(a->vm, KVM_IOEVENTFD, (unsigned long)e);
		close(e->fd);
	}
	}
}

static void a64_run(struct a64 *a, struct fdp *f, int v)
{
	if (a->run[v] == MAP_FAILED)
		return;
	fill(f, G.pool + CODE_GPA % POOL_SIZE, 64);
	a->run[v]->immediate_exit = pick(f, 16) == 0;
	timed_ioctl(a->vcpu[v], a->run[v], KVM_RUN, 0);
}

void op_arm64(struct fz *z, struct fdp *f)
{
	struct a64 a = { .vm = -1, .vcpu = { -1, -1 }, .gic = -1 };
	unsigned int n = 1 + pick(f, A64_MAX_CALLS), v;

	(void)z;
	if (a64_open(&a, f) < 0) {
		a64_close(&a);
		return;
	}
	while (n--) {
		v = pick(f, 2);
		if (a.vcpu[v] < 0)
			continue;
		switch (pick(f, 10)) {
		case 0: a64_init(&a, f, (int)v); break;
		case 1: a64_one_reg(&a, f, (int)v, false); break;
		case 2: a64_one_reg(&a, f, (int)v, true); break;
		case 3: a64_reg_list(&a, f, (int)v); break;
		case 4: a64_filter(&a, f); break;
		case 5: a64_misc(&a, f, (int)v); break;
		case 6: a64_gic(&a, f); break;
		case 7: a64_irq(&a, f); break;
		default: a64_run(&a, f, (int)v); break;
		}
	}
	a64_close(&a);
}
