// SPDX-License-Identifier: MIT
/*
 * The generic timer's interrupt outputs (arch/arm64/kvm/arch_timer.c):
 * each of the virtual and physical EL1 timers drives a level-sensitive
 * PPI (27 and 30) while it is enabled, unmasked and CVAL has passed.  The
 * run loop samples them at block boundaries, after writes of their
 * registers and while WFI sleeps (until the nearest deadline).  Without
 * an in-kernel GIC the outputs go nowhere, as in KVM without
 * KVM_CAP_ARM_USER_IRQ.
 */
#include "arm64.h"

static const struct {
	int ctl, cval;
	u32 ppi;
} timers[2] = {
	{ SR_CNTV_CTL_EL0, SR_CNTV_CVAL_EL0, VGIC_PPI_VTIMER },
	{ SR_CNTP_CTL_EL0, SR_CNTP_CVAL_EL0, VGIC_PPI_PTIMER },
};

/* ENABLE set, IMASK clear: the timer can fire. */
static bool armed(const struct a64_cpu *c, unsigned int t)
{
	return (c->sr[timers[t].ctl] & 3) == 1;
}

void a64_timer_sync(struct a64_cpu *c)
{
	struct vgic *g = vgic_of(c->kvm);
	unsigned int t;
	bool level;

	if (!g || !__atomic_load_n(&g->ready, __ATOMIC_RELAXED))
		return;
	for (t = 0; t < 2; t++) {
		level = armed(c, t) &&
			a64_counter(c) >= c->sr[timers[t].cval];
		if (level == c->gic.timer_level[t])
			continue;
		c->gic.timer_level[t] = level;
		vgic_inject(g, c, timers[t].ppi, level, true);
	}
}

u64 a64_timer_deadline(struct a64_cpu *c)
{
	u64 base = __atomic_load_n(&c->vm->cnt_base_ns, __ATOMIC_RELAXED);
	u64 best = 0, d;
	unsigned int t;

	if (!vgic_of(c->kvm))
		return 0;
	for (t = 0; t < 2; t++) {
		/* a raised output wakes the vCPU through the GIC instead */
		if (!armed(c, t) || c->gic.timer_level[t])
			continue;
		d = base + c->sr[timers[t].cval];
		if (d < base)
			continue;	/* beyond the end of time */
		if (!best || d < best)
			best = d;
	}
	return best;
}
