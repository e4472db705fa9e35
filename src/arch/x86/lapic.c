// SPDX-License-Identifier: MIT
/*
 * The local APIC of one vCPU, as KVM's lapic.c models it: the 1 KiB
 * register page (also the KVM_GET/SET_LAPIC format), xAPIC MMIO and
 * x2APIC MSRs, TPR/PPR and CR8, IRR/ISR/TMR, EOI, SVR, the LVTs, IPIs
 * through the ICR and destination matching (physical, logical flat and
 * cluster, x2APIC cluster, shorthands), INIT/SIPI, and the timer
 * (one-shot, periodic, TSC-deadline).  The timer counts APIC bus cycles
 * of 1 ns, as KVM does; a periodic period is at least 200 us, as KVM's
 * min_timer_period_us.  Other threads deliver into IRR/TMR under the
 * lock, then raise `attention` and kick the vCPU.
 */
#include <errno.h>
#include <string.h>

#include "arch/x86/irqchip.h"

enum {
	R_ID = 0x20, R_LVR = 0x30, R_TPR = 0x80, R_APR = 0x90, R_PPR = 0xa0,
	R_EOI = 0xb0, R_RRR = 0xc0, R_LDR = 0xd0, R_DFR = 0xe0, R_SVR = 0xf0,
	R_ISR = 0x100, R_TMR = 0x180, R_IRR = 0x200, R_ESR = 0x280,
	R_CMCI = 0x2f0, R_ICR = 0x300, R_ICR2 = 0x310, R_LVTT = 0x320,
	R_LVTTHMR = 0x330, R_LVTPC = 0x340, R_LVT0 = 0x350, R_LVT1 = 0x360,
	R_LVTERR = 0x370, R_TMICT = 0x380, R_TMCCT = 0x390, R_TDCR = 0x3e0,
	R_SELF_IPI = 0x3f0,
};

#define APIC_VERSION	0x14
#define NR_LVT		6
#define LVT_MASKED	(1u << 16)
#define LVT_PENDING	(1u << 12)
#define LVT_LEVEL	(1u << 15)
#define LVT_DM(v)	(((v) >> 8) & 7)
#define SVR_ENABLE	(1u << 8)
#define TIMER_MODE(v)	(((v) >> 17) & 3)
#define TIMER_PERIODIC	1
#define TIMER_DEADLINE	2
#define MIN_PERIOD_NS	200000ULL
#define LVT_MASK	0x110ffu	/* masked, pending, vector */
#define LINT_MASK	0x1f7ffu

static const u32 lvt_regs[NR_LVT] = {
	R_LVTT, R_LVTTHMR, R_LVTPC, R_LVT0, R_LVT1, R_LVTERR,
};
static const u32 lvt_mask[NR_LVT] = {
	LVT_MASK, LVT_MASK | 0x700, LVT_MASK | 0x700, LINT_MASK, LINT_MASK,
	LVT_MASK,
};

static u32 get(const struct x86_lapic *a, u32 reg)
{
	return a->regs[reg >> 2];
}

static void put(struct x86_lapic *a, u32 reg, u32 v)
{
	a->regs[reg >> 2] = v;
}

static bool vec_test(const struct x86_lapic *a, u32 base, int v)
{
	return get(a, base + 0x10 * (u32)(v >> 5)) & (1u << (v & 31));
}

static void vec_set(struct x86_lapic *a, u32 base, int v, bool on)
{
	u32 *w = &a->regs[(base + 0x10 * (u32)(v >> 5)) >> 2];

	if (on)
		*w |= 1u << (v & 31);
	else
		*w &= ~(1u << (v & 31));
}

/* Highest set vector of an 8-word vector register, or -1. */
static int vec_highest(const struct x86_lapic *a, u32 base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = get(a, base + 0x10 * (u32)i);

		if (w)
			return i * 32 + 31 - __builtin_clz(w);
	}
	return -1;
}

static bool sw_enabled(const struct x86_lapic *a)
{
	return get(a, R_SVR) & SVR_ENABLE;
}

static u32 ppr(const struct x86_lapic *a)
{
	u32 tpr = get(a, R_TPR);
	int isr = vec_highest(a, R_ISR);
	u32 isrv = isr < 0 ? 0 : (u32)isr;

	return (tpr & 0xf0) >= (isrv & 0xf0) ? tpr & 0xff : isrv & 0xf0;
}

static void flag(struct x86_lapic *a)
{
	atomic_store(&a->attention, true);
	if (a->env && a->env->kick)
		a->env->kick(a->env->opaque, a);
}

u32 x86_lapic_id(const struct x86_lapic *a)
{
	return x86_lapic_x2apic(a) ? get(a, R_ID) : get(a, R_ID) >> 24;
}

static u32 x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

void x86_lapic_reset(struct x86_lapic *a, bool init_event, bool bsp)
{
	int i;

	pthread_mutex_lock(&a->lock);
	if (!init_event)
		a->base = X86_APIC_DEFAULT_BASE | X86_APIC_BASE_ENABLE |
			  (bsp ? X86_APIC_BASE_BSP : 0);
	memset(a->regs, 0, sizeof(a->regs));
	put(a, R_ID, x86_lapic_x2apic(a) ? a->vcpu_id : a->vcpu_id << 24);
	put(a, R_LVR, APIC_VERSION | ((NR_LVT - 1) << 16));
	for (i = 0; i < NR_LVT; i++)
		put(a, lvt_regs[i], LVT_MASKED);
	/* KVM's LINT0_REENABLED quirk: the BSP takes the PIC at reset */
	if (bsp)
		put(a, R_LVT0, X86_DM_EXTINT << 8);
	put(a, R_DFR, 0xffffffffu);
	put(a, R_SVR, 0xff);
	if (x86_lapic_x2apic(a))
		put(a, R_LDR, x2apic_ldr(a->vcpu_id));
	a->deadline_ns = a->period_ns = a->start_ns = 0;
	a->tscdeadline = 0;
	a->divide = 2;
	atomic_store(&a->nmi, 0);
	pthread_mutex_unlock(&a->lock);
	flag(a);
}

/* ---- destinations ---- */

static bool match_logical(const struct x86_lapic *a, u32 mda)
{
	u32 ldr = get(a, R_LDR);

	if (x86_lapic_x2apic(a))
		return (ldr >> 16) == (mda >> 16) && (ldr & mda & 0xffff);
	ldr >>= 24;
	if (mda == 0xff)
		return true;
	if (get(a, R_DFR) == 0xffffffffu)		/* flat */
		return (ldr & mda) != 0;
	if (get(a, R_DFR) == 0x0fffffffu)		/* cluster */
		return (ldr >> 4) == (mda >> 4) && (ldr & mda & 0xf);
	return false;
}

bool x86_lapic_match(struct x86_lapic *a, struct x86_lapic *src,
		     const struct x86_apic_irq *m)
{
	u32 dest = m->dest, bcast;
	bool ret;

	switch (m->shorthand) {
	case X86_SH_SELF: return a == src;
	case X86_SH_ALL: return true;
	case X86_SH_ALL_BUT_SELF: return a != src;
	default: break;
	}
	pthread_mutex_lock(&a->lock);
	bcast = x86_lapic_x2apic(a) ? 0xffffffffu : 0xff;
	/* KVM's x2APIC broadcast quirk: 0xff from an I/O source is all */
	if (!src && dest == 0xff)
		dest = bcast;
	if (!m->dest_mode)
		ret = dest == bcast || x86_lapic_id(a) == dest;
	else
		ret = match_logical(a, dest);
	pthread_mutex_unlock(&a->lock);
	return ret;
}

/* ---- accepting interrupts ---- */

int x86_lapic_accept(struct x86_lapic *a, const struct x86_apic_irq *m)
{
	int ret = 0;

	switch (m->delivery_mode) {
	case X86_DM_FIXED:
	case X86_DM_LOWEST:
		if (m->trig_mode && !m->level)
			break;		/* the de-assert of a level IPI */
		pthread_mutex_lock(&a->lock);
		vec_set(a, R_TMR, m->vector, m->trig_mode);
		vec_set(a, R_IRR, m->vector, true);
		pthread_mutex_unlock(&a->lock);
		ret = 1;
		break;
	case X86_DM_NMI:
		atomic_fetch_add(&a->nmi, 1);
		ret = 1;
		break;
	case X86_DM_INIT:
		if (m->trig_mode && !m->level)
			break;
		atomic_store(&a->pending, X86_APIC_INIT);
		ret = 1;
		break;
	case X86_DM_SIPI:
		pthread_mutex_lock(&a->lock);
		a->sipi_vector = m->vector;
		pthread_mutex_unlock(&a->lock);
		atomic_fetch_or(&a->pending, X86_APIC_SIPI);
		ret = 1;
		break;
	case X86_DM_SMI:
		atomic_store(&a->smi, true);
		ret = 1;
		break;
	default:		/* remote read, ExtINT */
		break;
	}
	if (ret)
		flag(a);
	return ret;
}

int x86_lapic_has_interrupt(struct x86_lapic *a)
{
	int v;

	if (!x86_lapic_hw_enabled(a))
		return -1;
	pthread_mutex_lock(&a->lock);
	v = vec_highest(a, R_IRR);
	if (v >= 0 && (u32)(v & 0xf0) <= ppr(a))
		v = -1;
	pthread_mutex_unlock(&a->lock);
	return v;
}

void x86_lapic_ack(struct x86_lapic *a, int vector)
{
	x86_lapic_ack_eoi(a, vector, true);
}

void x86_lapic_ack_eoi(struct x86_lapic *a, int vector, bool in_service)
{
	pthread_mutex_lock(&a->lock);
	vec_set(a, R_IRR, vector, false);
	if (in_service)
		vec_set(a, R_ISR, vector, true);
	pthread_mutex_unlock(&a->lock);
}

bool x86_lapic_accepts_pic(struct x86_lapic *a)
{
	u32 lvt0;
	bool on;

	pthread_mutex_lock(&a->lock);
	lvt0 = get(a, R_LVT0);
	on = x86_lapic_hw_enabled(a);
	pthread_mutex_unlock(&a->lock);
	if (!on)
		return true;
	return !(lvt0 & LVT_MASKED) && LVT_DM(lvt0) == X86_DM_EXTINT;
}

/* Deliver through one LVT entry (timer, LINT1 NMI ...), unlocked. */
static void local_deliver(struct x86_lapic *a, u32 lvt)
{
	u32 v = get(a, lvt);
	struct x86_apic_irq m = {
		.vector = (u8)v, .delivery_mode = (u8)LVT_DM(v),
		.trig_mode = !!(v & LVT_LEVEL), .level = 1,
	};

	if (!x86_lapic_hw_enabled(a) || (v & LVT_MASKED))
		return;
	if (lvt == R_LVTT)
		m.delivery_mode = X86_DM_FIXED, m.trig_mode = 0;
	x86_lapic_accept(a, &m);
}

static void do_eoi(struct x86_lapic *a)
{
	int v;
	bool level;

	pthread_mutex_lock(&a->lock);
	v = vec_highest(a, R_ISR);
	if (v < 0) {
		pthread_mutex_unlock(&a->lock);
		return;
	}
	vec_set(a, R_ISR, v, false);
	level = vec_test(a, R_TMR, v);
	pthread_mutex_unlock(&a->lock);
	atomic_store(&a->attention, true);
	/* directed EOI is not offered (SVR bit 12 cannot be set) */
	if (a->env && a->env->eoi)
		a->env->eoi(a->env->opaque, a, v, level);
}

static void send_ipi(struct x86_lapic *a, u32 lo, u32 hi)
{
	struct x86_apic_irq m = {
		.vector = (u8)lo, .delivery_mode = (u8)((lo >> 8) & 7),
		.dest_mode = (lo >> 11) & 1, .level = (lo >> 14) & 1,
		.trig_mode = (lo >> 15) & 1, .shorthand = (lo >> 18) & 3,
		.dest = x86_lapic_x2apic(a) ? hi : hi >> 24,
	};

	if (a->env && a->env->ipi)
		a->env->ipi(a->env->opaque, a, &m);
}

/* ---- the timer ---- */

static u32 divisor(u32 tdcr)
{
	u32 t = ((tdcr & 3) | ((tdcr & 8) >> 1)) + 1;

	return 1u << (t & 7);
}

static void timer_cancel(struct x86_lapic *a)
{
	a->deadline_ns = 0;
	a->period_ns = 0;
}

static void timer_start(struct x86_lapic *a, u64 now)
{
	u64 ns = (u64)get(a, R_TMICT) * a->divide;

	timer_cancel(a);
	if (!ns || TIMER_MODE(get(a, R_LVTT)) == TIMER_DEADLINE)
		return;
	if (TIMER_MODE(get(a, R_LVTT)) == TIMER_PERIODIC) {
		if (ns < MIN_PERIOD_NS)
			ns = MIN_PERIOD_NS;
		a->period_ns = ns;
	}
	a->start_ns = now;
	a->deadline_ns = now + ns;
}

static void deadline_start(struct x86_lapic *a, u64 now)
{
	u64 tsc;
	u32 khz = 0;

	timer_cancel(a);
	if (!a->tscdeadline || !a->env || !a->env->tsc)
		return;
	tsc = a->env->tsc(a->env->opaque, a, &khz);
	if (!khz)
		return;
	if (a->tscdeadline <= tsc)
		a->deadline_ns = now;
	else
		a->deadline_ns = now + (u64)((unsigned __int128)
			(a->tscdeadline - tsc) * 1000000ULL / khz);
	if (!a->deadline_ns)
		a->deadline_ns = 1;
}

u64 x86_lapic_timer(struct x86_lapic *a, u64 now)
{
	if (!a->deadline_ns || now < a->deadline_ns)
		return a->deadline_ns;
	local_deliver(a, R_LVTT);
	if (a->period_ns) {
		u64 late = now - a->deadline_ns;

		/* missed periods coalesce into this one interrupt */
		a->deadline_ns += a->period_ns * (1 + late / a->period_ns);
	} else {
		a->deadline_ns = 0;
		if (TIMER_MODE(get(a, R_LVTT)) == TIMER_DEADLINE)
			a->tscdeadline = 0;
	}
	return a->deadline_ns;
}

static u32 current_count(const struct x86_lapic *a, u64 now)
{
	u64 ns, period;

	if (!get(a, R_TMICT) || !a->deadline_ns ||
	    TIMER_MODE(get(a, R_LVTT)) == TIMER_DEADLINE)
		return 0;
	period = (u64)get(a, R_TMICT) * a->divide;
	if (now >= a->deadline_ns) {
		/* a periodic timer reloads at expiry even if nobody polled */
		if (!a->period_ns || !period)
			return 0;
		ns = period - (now - a->deadline_ns) % period;
	} else {
		ns = a->deadline_ns - now;
	}
	if (a->period_ns && period)
		ns %= period;
	return (u32)(ns / a->divide);
}

u64 x86_lapic_get_tscdeadline(struct x86_lapic *a)
{
	if (TIMER_MODE(get(a, R_LVTT)) != TIMER_DEADLINE)
		return 0;
	return a->tscdeadline;
}

void x86_lapic_set_tscdeadline(struct x86_lapic *a, u64 now, u64 val)
{
	if (TIMER_MODE(get(a, R_LVTT)) != TIMER_DEADLINE)
		return;		/* ignored outside TSC-deadline mode */
	a->tscdeadline = val;
	deadline_start(a, now);
	/* a deadline already passed fires before the next instruction, as
	 * KVM's expiry on the WRMSR exit does, not at the next timer poll */
	if (a->deadline_ns && a->deadline_ns <= now)
		x86_lapic_timer(a, now);
}

/* ---- register reads and writes ---- */

static bool readable(const struct x86_lapic *a, u32 reg)
{
	bool x2 = x86_lapic_x2apic(a);

	switch (reg) {
	case R_ID: case R_LVR: case R_TPR: case R_PPR: case R_LDR:
	case R_SVR: case R_ESR: case R_ICR: case R_LVTT: case R_LVTTHMR:
	case R_LVTPC: case R_LVT0: case R_LVT1: case R_LVTERR:
	case R_TMICT: case R_TMCCT: case R_TDCR:
		return true;
	case R_APR: case R_DFR: case R_ICR2:
		return !x2;
	default:
		return reg >= R_ISR && reg < R_ESR && !(reg & 0xf);
	}
}

static u32 read_reg(struct x86_lapic *a, u64 now, u32 reg)
{
	switch (reg) {
	case R_TMCCT: return current_count(a, now);
	case R_PPR: return ppr(a);
	case R_APR: return 0;
	default: return get(a, reg);
	}
}

static void set_svr(struct x86_lapic *a, u32 val)
{
	int i;

	put(a, R_SVR, val & 0x3ff);
	if (val & SVR_ENABLE)
		return;
	for (i = 0; i < NR_LVT; i++)
		put(a, lvt_regs[i], get(a, lvt_regs[i]) | LVT_MASKED);
}

static void write_lvtt(struct x86_lapic *a, u32 val)
{
	u32 mode_mask = a->tsc_deadline_ok ? 0x60000 : 0x20000;
	u32 old = get(a, R_LVTT);

	if (!sw_enabled(a))
		val |= LVT_MASKED;
	val &= LVT_MASK | mode_mask;
	put(a, R_LVTT, val);
	if (TIMER_MODE(old) == TIMER_MODE(val))
		return;
	if (TIMER_MODE(old) == TIMER_DEADLINE ||
	    TIMER_MODE(val) == TIMER_DEADLINE) {
		/* apic_update_lvtt: only a switch to or from TSC-deadline
		 * stops the timer and clears TMICT */
		timer_cancel(a);
		put(a, R_TMICT, 0);
		a->tscdeadline = 0;
		return;
	}
	/* one-shot <-> periodic: the count goes on from where it is, and
	 * the mode at expiry decides whether it reloads */
	if (!a->deadline_ns) {
		a->period_ns = 0;
	} else if (TIMER_MODE(val) == TIMER_PERIODIC) {
		a->period_ns = (u64)get(a, R_TMICT) * a->divide;
		if (a->period_ns < MIN_PERIOD_NS)
			a->period_ns = MIN_PERIOD_NS;
	} else {
		a->period_ns = 0;
	}
}

static int write_lvt(struct x86_lapic *a, u32 reg, u32 val)
{
	int i;

	for (i = 1; i < NR_LVT; i++) {
		if (lvt_regs[i] != reg)
			continue;
		if (!sw_enabled(a))
			val |= LVT_MASKED;
		put(a, reg, val & lvt_mask[i]);
		return 0;
	}
	return 1;
}

/* kvm_lapic_reg_write: 0 done, 1 invalid (x2APIC: #GP). */
static int write_reg(struct x86_lapic *a, u64 now, u32 reg, u32 val,
		     bool *eoi, bool *ipi)
{
	bool x2 = x86_lapic_x2apic(a);

	switch (reg) {
	case R_ID:
		if (x2)
			return 1;
		put(a, R_ID, val & 0xff000000u);
		break;
	case R_TPR:
		put(a, R_TPR, val & 0xff);
		break;
	case R_EOI:
		*eoi = true;
		break;
	case R_LDR:
		if (x2)
			return 1;
		put(a, R_LDR, val & 0xff000000u);
		break;
	case R_DFR:
		if (x2)
			return 1;
		put(a, R_DFR, val | 0x0fffffffu);
		break;
	case R_SVR:
		set_svr(a, val);
		break;
	case R_ICR:
		put(a, R_ICR, val & ~LVT_PENDING);
		*ipi = true;
		break;
	case R_ICR2:
		put(a, R_ICR2, x2 ? val : val & 0xff000000u);
		break;
	case R_LVTT:
		write_lvtt(a, val);
		break;
	case R_TMICT:
		if (TIMER_MODE(get(a, R_LVTT)) == TIMER_DEADLINE)
			break;
		put(a, R_TMICT, val);
		timer_start(a, now);
		break;
	case R_TDCR:
		put(a, R_TDCR, val & 0xb);
		a->divide = divisor(val);
		break;
	case R_ESR:
		return x2 && val;
	default:
		return write_lvt(a, reg, val);
	}
	return 0;
}

/* Write reg and run what the write triggers (EOI, IPI) unlocked. */
static int write_run(struct x86_lapic *a, u64 now, u32 reg, u32 val,
		     u32 hi)
{
	bool eoi = false, ipi = false;
	u32 lo;
	int ret;

	pthread_mutex_lock(&a->lock);
	if (reg == R_ICR && x86_lapic_x2apic(a))
		put(a, R_ICR2, hi);
	ret = write_reg(a, now, reg, val, &eoi, &ipi);
	lo = get(a, R_ICR);
	hi = get(a, R_ICR2);
	pthread_mutex_unlock(&a->lock);
	if (eoi)
		do_eoi(a);
	if (ipi)
		send_ipi(a, lo, hi);
	if (!ret)
		atomic_store(&a->attention, true);
	return ret;
}

int x86_lapic_mmio_read(struct x86_lapic *a, u64 now, u32 off, u32 len,
			void *val)
{
	u32 reg = off & 0xff0, align = off & 0xf, r = 0;

	if (!x86_lapic_hw_enabled(a) || x86_lapic_x2apic(a)) {
		memset(val, 0xff, len);	/* KVM's LAPIC_MMIO_HOLE quirk */
		return 0;
	}
	if (off >= 0x400 || align + len > 4 || !readable(a, reg)) {
		memset(val, 0, len);
		return 0;
	}
	pthread_mutex_lock(&a->lock);
	r = read_reg(a, now, reg);
	pthread_mutex_unlock(&a->lock);
	memcpy(val, (u8 *)&r + align, len);
	return 0;
}

int x86_lapic_mmio_write(struct x86_lapic *a, u64 now, u32 off, u32 len,
			 const void *val)
{
	u32 v;

	if (!x86_lapic_hw_enabled(a) || x86_lapic_x2apic(a))
		return 0;		/* dropped, as the quirk does */
	if (len != 4 || (off & 0xf) || off >= 0x400)
		return 0;		/* KVM ignores odd-sized writes */
	memcpy(&v, val, 4);
	write_run(a, now, off, v, 0);
	return 0;
}

int x86_lapic_msr_read(struct x86_lapic *a, u64 now, u32 msr, u64 *val)
{
	u32 reg = (msr - 0x800) << 4;

	if (!x86_lapic_x2apic(a) || msr < 0x800 || msr > 0x8ff ||
	    reg == R_DFR || reg == R_ICR2 || reg == R_APR ||
	    !readable(a, reg))
		return -1;
	pthread_mutex_lock(&a->lock);
	*val = read_reg(a, now, reg);
	if (reg == R_ICR)
		*val |= (u64)get(a, R_ICR2) << 32;
	pthread_mutex_unlock(&a->lock);
	return 0;
}

int x86_lapic_msr_write(struct x86_lapic *a, u64 now, u32 msr, u64 val)
{
	u32 reg = (msr - 0x800) << 4;

	if (!x86_lapic_x2apic(a) || msr < 0x800 || msr > 0x8ff)
		return -1;
	/* reserved bits of x2APIC registers other than the ICR fault */
	if (reg != R_ICR && (val >> 32))
		return -1;
	switch (reg) {
	case R_SELF_IPI:
		if (val & ~0xffULL)
			return -1;
		return write_run(a, now, R_ICR, (u32)val | (X86_SH_SELF << 18),
				 0) ? -1 : 0;
	case R_EOI:
		if (val)
			return -1;
		break;
	case R_ICR:
		return write_run(a, now, R_ICR, (u32)val, (u32)(val >> 32)) ?
		       -1 : 0;
	case R_ID: case R_LVR: case R_PPR: case R_LDR: case R_TMCCT:
	case R_ICR2: case R_DFR: case R_APR:
		return -1;
	default:
		if (reg >= R_ISR && reg < R_ESR)
			return -1;
		break;
	}
	return write_run(a, now, reg, (u32)val, 0) ? -1 : 0;
}

int x86_lapic_set_base(struct x86_lapic *a, u64 val, bool host)
{
	u64 old = a->base;
	u64 en = X86_APIC_BASE_ENABLE, ex = X86_APIC_BASE_EXTD;

	/* kvm_set_apic_base: invalid states and transitions fault */
	if ((val & (en | ex)) == ex)
		return -1;
	if (!host && (old & (en | ex)) == (en | ex) &&
	    (val & (en | ex)) == en)
		return -1;
	if (!host && !(old & en) && (val & (en | ex)) == (en | ex))
		return -1;
	pthread_mutex_lock(&a->lock);
	a->base = val;
	if ((old ^ val) & en) {
		if (val & en) {		/* hardware enable: ID back to vcpu */
			put(a, R_ID, a->vcpu_id << 24);
		} else {
			timer_cancel(a);
		}
	}
	if (!(old & ex) && x86_lapic_x2apic(a)) {
		put(a, R_ID, a->vcpu_id);
		put(a, R_LDR, x2apic_ldr(a->vcpu_id));
	}
	pthread_mutex_unlock(&a->lock);
	atomic_store(&a->attention, true);
	return 0;
}

void x86_lapic_set_cr8(struct x86_lapic *a, u64 cr8)
{
	pthread_mutex_lock(&a->lock);
	put(a, R_TPR, (u32)(cr8 & 0xf) << 4);
	pthread_mutex_unlock(&a->lock);
	atomic_store(&a->attention, true);
}

u64 x86_lapic_get_cr8(struct x86_lapic *a)
{
	u32 tpr;

	pthread_mutex_lock(&a->lock);
	tpr = get(a, R_TPR);
	pthread_mutex_unlock(&a->lock);
	return (tpr & 0xf0) >> 4;
}

void x86_lapic_get_state(struct x86_lapic *a, u64 now,
			 struct kvm_lapic_state *s)
{
	u32 *r = (u32 *)s->regs;

	pthread_mutex_lock(&a->lock);
	memcpy(s->regs, a->regs, sizeof(s->regs));
	r[R_TMCCT >> 2] = current_count(a, now);
	if (x86_lapic_x2apic(a))	/* without KVM_CAP_X2APIC_API */
		r[R_ID >> 2] <<= 24;
	pthread_mutex_unlock(&a->lock);
}

int x86_lapic_set_state(struct x86_lapic *a, u64 now,
			const struct kvm_lapic_state *s)
{
	pthread_mutex_lock(&a->lock);
	memcpy(a->regs, s->regs, sizeof(a->regs));
	if (x86_lapic_x2apic(a)) {
		put(a, R_ID, get(a, R_ID) >> 24);
		put(a, R_LDR, x2apic_ldr(get(a, R_ID)));
	}
	put(a, R_LVR, APIC_VERSION | ((NR_LVT - 1) << 16));
	put(a, R_SVR, get(a, R_SVR) & 0x3ff);
	a->divide = divisor(get(a, R_TDCR));
	a->tscdeadline = 0;
	timer_start(a, now);
	pthread_mutex_unlock(&a->lock);
	flag(a);
	return 0;
}
