// SPDX-License-Identifier: MIT
/*
 * The ioctls of the x86 machine around the CPU: clocks and TSC rate, the
 * MMU page budget, the MSR filter (bitmaps anywhere), machine checks and
 * binary stats descriptors (which must be closed again).
 */
#include "fz.h"

/* KVM_X86_SET_MSR_FILTER with up to 16 ranges of fuzzed shape. */
static void msr_filter(struct fdp *f, int vm)
{
	static const u64 nmsrs[] = { 0, 1, 8, 64, 0x3000, 0x3001, 0xffffffff };
	static const u64 bases[] = { 0, 0x10, 0xc0000080, 0x800, 0xffffffff };
	struct kvm_msr_filter *fl = (void *)arena_tail(sizeof(*fl) + 0x600);
	u8 *bitmap = (u8 *)(fl + 1);
	int i, n = (int)pick(f, 17);

	memset(fl, 0, sizeof(*fl));
	fill(f, bitmap, 0x600);
	fl->flags = pick(f, 4) ? (u32)pick(f, 2) : (u32)take(f, 4);
	for (i = 0; i < n; i++) {
		struct kvm_msr_filter_range *r = &fl->ranges[i];

		r->flags = pick(f, 4) ? 1 + pick(f, 3) : (u32)take(f, 4);
		r->nmsrs = (u32)CHOOSE(f, nmsrs);
		r->base = (u32)CHOOSE(f, bases);
		r->bitmap = pick(f, 4) ? bitmap : (u8 *)make_ptr(pick_ptr(f), 8);
	}
	xioctl(vm, KVM_X86_SET_MSR_FILTER, (unsigned long)fl);
}

static void clock_ops(struct fdp *f, int vm)
{
	struct kvm_clock_data *c = (void *)arena_tail(sizeof(*c));

	if (pick(f, 2)) {
		xioctl(vm, KVM_GET_CLOCK, (unsigned long)c);
		return;
	}
	fill(f, c, sizeof(*c));
	if (pick(f, 2))
		c->flags &= KVM_CLOCK_REALTIME;
	xioctl(vm, KVM_SET_CLOCK, make_ptr(pick(f, 4) ? PTR_GOOD :
					   pick_ptr(f), sizeof(*c)));
}

static void stats_fd(int fd)
{
	int s = xioctl(fd, KVM_GET_STATS_FD, 0);
	struct kvm_stats_header h;

	if (s < 0)
		return;
	if (pread(s, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    h.name_size != 48)
		fz_fail("stats fd without a header");
	close(s);
}

static void vcpu_ops(struct fdp *f, struct fz_vcpu *c)
{
	static const u64 khz[] = { 0, 1, 1000, 2000000, 0x7fffffff, ~0ULL };
	u64 *p = (u64 *)arena_tail(sizeof(struct kvm_x86_mce));

	switch (pick(f, 5)) {
	case 0:
		xioctl(c->fd, pick(f, 2) ? KVM_GET_TSC_KHZ : KVM_SET_TSC_KHZ,
		       CHOOSE(f, khz));
		break;
	case 1:
		*p = pick(f, 2) ? pick(f, 40) | (pick(f, 2) << 8) :
				  take(f, 8);
		xioctl(c->fd, KVM_X86_SETUP_MCE,
		       make_ptr(pick(f, 4) ? PTR_GOOD : pick_ptr(f), 8));
		break;
	case 2:
		fill(f, p, sizeof(struct kvm_x86_mce));
		xioctl(c->fd, KVM_X86_SET_MCE, (unsigned long)p);
		break;
	default:
		stats_fd(c->fd);
		break;
	}
}

void op_machine(struct fz *z, struct fdp *f)
{
	static const u64 pages[] = { 0, 63, 64, 1000, 0xffffffff, ~0ULL };
	int vm = pick_fd(f, z->vm, MAX_VMS), sys = pick_fd(f, z->sys, MAX_SYS);
	struct fz_vcpu *c = pick_vcpu(z, f);

	switch (pick(f, 8)) {
	case 0:
		if (vm >= 0)
			msr_filter(f, vm);
		break;
	case 1:
		if (vm >= 0)
			clock_ops(f, vm);
		break;
	case 2:
		if (vm >= 0)
			xioctl(vm, pick(f, 2) ? KVM_SET_NR_MMU_PAGES :
						KVM_GET_NR_MMU_PAGES,
			       CHOOSE(f, pages));
		break;
	case 3:
		if (vm >= 0)
			xioctl(vm, pick(f, 2) ? KVM_SET_TSC_KHZ :
						KVM_GET_TSC_KHZ,
			       pick(f, 3000000));
		break;
	case 4:
		if (vm >= 0)
			stats_fd(vm);
		break;
	case 5:
		if (sys >= 0)
			xioctl(sys, KVM_X86_GET_MCE_CAP_SUPPORTED,
			       make_ptr(pick(f, 4) ? PTR_GOOD : pick_ptr(f),
					8));
		break;
	default:
		if (c)
			vcpu_ops(f, c);
		break;
	}
}
