// SPDX-License-Identifier: MIT
/*
 * The Hyper-V synthetic interrupt controller (SCONTROL, SVERSION, SIEFP,
 * SIMP, EOM, SINT0-15) and the four synthetic timers of each VP, as
 * arch/x86/kvm/hyperv.c models them.  The SynIC exists once user space
 * enabled KVM_CAP_HYPERV_SYNIC(2) on the vCPU; the guest's writes of
 * SCONTROL, SIEFP and SIMP exit to user space (KVM_EXIT_HYPERV_SYNIC).
 *
 * A timer counts reference time (100 ns).  Expired, it either writes an
 * HVMSG_TIMER_EXPIRED message into its SINT's slot of the message page and
 * raises the SINT's vector (a slot still in use sets msg_pending and the
 * timer waits for the guest's EOM), or, in direct mode, raises its own
 * APIC vector.  Timers are looked at by the vCPU thread with the LAPIC
 * timers (irqchip_vcpu.c), which also sleep until the next deadline.
 * A SINT with auto-EOI is taken without an ISR bit; EOM, and the EOI of a
 * SINT's vector, retry the timers waiting for a free slot and acknowledge
 * the SINT's GSI route (hyperv_route.c).
 */
#include <string.h>

#include "arch/x86/x86_int.h"
#include "arch/x86/irqchip.h"

#define MSR_SCONTROL		0x40000080
#define MSR_SVERSION		0x40000081
#define MSR_SIEFP		0x40000082
#define MSR_SIMP		0x40000083
#define MSR_EOM			0x40000084
#define MSR_SINT0		0x40000090
#define MSR_SINT15		0x4000009f
#define MSR_STIMER0_CONFIG	0x400000b0

#define SINT_MASKED		(1ULL << 16)
#define SINT_AUTO_EOI		(1ULL << 17)
#define SINT_VECTOR(v)		((u32)((v) & 0xff))
#define FIRST_VALID_VECTOR	16
#define SYNIC_VERSION_1		1

#define CFG_ENABLE		(1ULL << 0)
#define CFG_PERIODIC		(1ULL << 1)
#define CFG_AUTO_ENABLE		(1ULL << 3)
#define CFG_VECTOR(c)		((u32)(((c) >> 4) & 0xff))
#define CFG_DIRECT		(1ULL << 12)
#define CFG_SINT(c)		((u32)(((c) >> 16) & 0xf))
#define STIMER_DIRECT_AVAILABLE	(1U << 19)	/* CPUID 0x40000003 EDX */

#define MSG_TIMER_EXPIRED	0x80000010U
#define MSG_SIZE		256		/* struct hv_message */
#define MSG_PENDING		1		/* message_flags.msg_pending */

void x86_hv_synic_init(struct x86_hv_cpu *hv)
{
	int i;

	hv->sversion = SYNIC_VERSION_1;
	for (i = 0; i < X86_HV_SINTS; i++)
		atomic_store(&hv->sint[i], SINT_MASKED);
	memset(hv->stimer, 0, sizeof(hv->stimer));
	memset(hv->stimer_deadline, 0, sizeof(hv->stimer_deadline));
}

static void synic_exit(struct x86_cpu *cpu, u32 msr)
{
	struct x86_hv_cpu *hv = &cpu->m.hv;
	struct kvm_hyperv_exit *e = &hv->exit;

	memset(e, 0, sizeof(*e));
	e->type = KVM_EXIT_HYPERV_SYNIC;
	e->u.synic.msr = msr;
	e->u.synic.control = hv->scontrol;
	e->u.synic.evt_page = hv->siefp;
	e->u.synic.msg_page = hv->simp;
	hv->exit_kind = X86_HV_EXIT_HYPERV;
}

/* SIEFP/SIMP enabled by the guest: the page is cleared (not for SYNIC2). */
static int synic_page(struct x86_cpu *cpu, u64 v, bool host)
{
	u8 *p;

	if (!(v & 1) || host || cpu->m.hv.dont_zero_pages)
		return 0;
	p = x86_phys_ptr(cpu, v & ~0xfffULL, 4096, true);
	if (!p)
		return -1;
	memset(p, 0, 4096);
	return 0;
}

/* The guest is done with a message slot: retry the timers that wait. */
static void sint_acked(struct x86_cpu *cpu, u32 sint)
{
	struct x86_hv_cpu *hv = &cpu->m.hv;
	int i;

	for (i = 0; i < X86_HV_STIMERS; i++) {
		struct x86_hv_stimer *t = &hv->stimer[i];

		if (t->msg_pending && (t->config & CFG_ENABLE) &&
		    !(t->config & CFG_DIRECT) && CFG_SINT(t->config) == sint)
			t->pending = true;
	}
	x86_hv_sint_route_ack(cpu, sint);
}

void x86_hv_synic_eoi(struct x86_cpu *cpu, int vector)
{
	struct x86_hv_cpu *hv = &cpu->m.hv;
	u32 s;

	if (!hv->synic_active)
		return;
	for (s = 0; s < X86_HV_SINTS; s++) {
		u64 sv = atomic_load(&hv->sint[s]);

		if (!(sv & SINT_MASKED) && SINT_VECTOR(sv) == (u32)vector)
			sint_acked(cpu, s);
	}
}

bool x86_hv_synic_auto_eoi(struct x86_cpu *cpu, int vector)
{
	struct x86_hv_cpu *hv = &cpu->m.hv;
	u32 s;

	if (!hv->synic_active)
		return false;
	for (s = 0; s < X86_HV_SINTS; s++) {
		u64 sv = atomic_load(&hv->sint[s]);

		if (!(sv & SINT_MASKED) && (sv & SINT_AUTO_EOI) &&
		    SINT_VECTOR(sv) == (u32)vector)
			return true;
	}
	return false;
}

int x86_hv_synic_set(struct x86_cpu *cpu, u32 i, u64 v, bool host)
{
	struct x86_hv_cpu *hv = &cpu->m.hv;
	u32 s;

	if (!hv->synic_active && (!host || v))
		return -1;
	switch (i) {
	case MSR_SCONTROL:
		hv->scontrol = v;
		break;
	case MSR_SVERSION:
		if (!host)
			return -1;
		hv->sversion = v;
		return 0;
	case MSR_SIEFP:
	case MSR_SIMP:
		if (synic_page(cpu, v, host))
			return -1;
		*(i == MSR_SIEFP ? &hv->siefp : &hv->simp) = v;
		break;
	case MSR_EOM:
		for (s = 0; hv->synic_active && s < X86_HV_SINTS; s++)
			sint_acked(cpu, s);
		return 0;
	case MSR_SINT0 ... MSR_SINT15:
		/* vectors 0-15 are invalid, but masked or host zeroing is ok */
		if (SINT_VECTOR(v) < FIRST_VALID_VECTOR && !host &&
		    !(v & SINT_MASKED))
			return -1;
		atomic_store(&hv->sint[i - MSR_SINT0], v);
		return 0;
	default:
		return -1;
	}
	if (!host)
		synic_exit(cpu, i);
	return 0;
}

int x86_hv_synic_get(struct x86_cpu *cpu, u32 i, u64 *v, bool host)
{
	struct x86_hv_cpu *hv = &cpu->m.hv;

	if (!hv->synic_active && !host)
		return -1;
	switch (i) {
	case MSR_SCONTROL: *v = hv->scontrol; return 0;
	case MSR_SVERSION: *v = hv->sversion; return 0;
	case MSR_SIEFP: *v = hv->siefp; return 0;
	case MSR_SIMP: *v = hv->simp; return 0;
	case MSR_EOM: *v = 0; return 0;
	case MSR_SINT0 ... MSR_SINT15:
		*v = atomic_load(&hv->sint[i - MSR_SINT0]);
		return 0;
	default:
		return -1;
	}
}

/* ---- synthetic timers ---- */

static void stimer_cleanup(struct x86_cpu *cpu, int n)
{
	struct x86_hv_stimer *t = &cpu->m.hv.stimer[n];

	cpu->m.hv.stimer_deadline[n] = 0;
	t->pending = false;
	t->msg_pending = false;
	t->exp_time = 0;
}

int x86_hv_stimer_get(struct x86_cpu *cpu, u32 i, u64 *v)
{
	struct x86_hv_stimer *t = &cpu->m.hv.stimer[(i - MSR_STIMER0_CONFIG) / 2];

	*v = (i & 1) ? t->count : t->config;
	return 0;
}

static int stimer_config(struct x86_cpu *cpu, int n, u64 v, bool host)
{
	struct x86_hv_cpu *hv = &cpu->m.hv;
	struct x86_hv_stimer *t = &hv->stimer[n];
	bool was_enabled = t->config & CFG_ENABLE;

	if (!host && hv->enforce_cpuid && (v & CFG_DIRECT) &&
	    !(x86_hv_cpuid_reg(cpu, 0x40000003, 3) & STIMER_DIRECT_AVAILABLE))
		return -1;
	stimer_cleanup(cpu, n);
	/* a message timer on SINT 0 does not stay enabled */
	if (was_enabled && !(v & CFG_DIRECT) && CFG_SINT(v) == 0)
		v &= ~CFG_ENABLE;
	t->config = v;
	t->pending = v & CFG_ENABLE;
	return 0;
}

static int stimer_count(struct x86_cpu *cpu, int n, u64 v, bool host)
{
	struct x86_hv_stimer *t = &cpu->m.hv.stimer[n];

	stimer_cleanup(cpu, n);
	t->count = v;
	if (!host) {
		if (!v)
			t->config &= ~CFG_ENABLE;
		else if (t->config & CFG_AUTO_ENABLE)
			t->config |= CFG_ENABLE;
	}
	t->pending = t->config & CFG_ENABLE;
	return 0;
}

int x86_hv_stimer_set(struct x86_cpu *cpu, u32 i, u64 v, bool host)
{
	int n = (int)(i - MSR_STIMER0_CONFIG) / 2;

	if (!cpu->m.hv.synic_active && (!host || v))
		return -1;
	return (i & 1) ? stimer_count(cpu, n, v, host) :
			 stimer_config(cpu, n, v, host);
}

/* Raise the vector of sint on this vCPU's LAPIC; 0, or -1 masked/refused. */
static int synic_irq(struct x86_cpu *cpu, u32 vector)
{
	struct x86_apic_irq irq = {
		.vector = (u8)vector, .delivery_mode = 0 /* fixed */,
	};

	if (!cpu->apic || !x86_lapic_hw_enabled(cpu->apic))
		return -1;
	return x86_lapic_accept(cpu->apic, &irq) ? 0 : -1;
}

/* synic_deliver_msg of an HVMSG_TIMER_EXPIRED; 0 delivered (or dropped). */
static int stimer_send_msg(struct x86_cpu *cpu, int n, u64 ref_now)
{
	struct x86_hv_cpu *hv = &cpu->m.hv;
	struct x86_hv_stimer *t = &hv->stimer[n];
	u32 sint = CFG_SINT(t->config), type = MSG_TIMER_EXPIRED;
	u64 sv = atomic_load(&hv->sint[sint]);
	u8 msg[16 + 24] = { 0 };
	u32 idx = (u32)n;
	u8 *p;

	if (!(hv->simp & 1))
		return -1;
	p = x86_phys_ptr(cpu, (hv->simp & ~0xfffULL) + sint * MSG_SIZE,
			 sizeof(msg), true);
	if (!p)
		return -1;
	if (p[0] | p[1] | p[2] | p[3]) {	/* slot busy */
		if (t->config & CFG_PERIODIC)
			return 0;	/* lazy: a lost periodic tick */
		p[5] |= MSG_PENDING;
		return -1;
	}
	memcpy(msg, &type, 4);
	msg[4] = 24;				/* payload_size */
	memcpy(msg + 16, &idx, 4);
	memcpy(msg + 24, &t->exp_time, 8);
	memcpy(msg + 32, &ref_now, 8);
	memcpy(p, msg, sizeof(msg));
	if (sv & SINT_MASKED)
		return -1;
	return synic_irq(cpu, SINT_VECTOR(sv));
}

static void stimer_expire(struct x86_cpu *cpu, int n, u64 ref_now)
{
	struct x86_hv_stimer *t = &cpu->m.hv.stimer[n];
	int r;

	t->msg_pending = true;
	if (t->config & CFG_DIRECT)
		r = synic_irq(cpu, CFG_VECTOR(t->config));
	else
		r = stimer_send_msg(cpu, n, ref_now);
	if (!r) {
		t->msg_pending = false;
		if (!(t->config & CFG_PERIODIC))
			t->config &= ~CFG_ENABLE;
	}
}

/* Host ns of reference time exp, saturating. */
static u64 deadline_of(u64 now_ns, u64 ref_now, u64 exp)
{
	u64 d = exp > ref_now ? exp - ref_now : 0;

	if (d >= (~0ULL - now_ns) / 100)
		return ~0ULL;
	return now_ns + d * 100;
}

/* stimer_start: arm the timer, or mark a one-shot in the past due. */
static void stimer_start(struct x86_cpu *cpu, int n, u64 now_ns, u64 ref)
{
	struct x86_hv_stimer *t = &cpu->m.hv.stimer[n];

	if (t->config & CFG_PERIODIC) {
		if (!t->exp_time)
			t->exp_time = ref + t->count;
		else if (ref >= t->exp_time)
			t->exp_time = ref + t->count -
				      (ref - t->exp_time) % t->count;
	} else {
		t->exp_time = t->count;
		if (ref >= t->count) {
			t->pending = true;
			return;
		}
	}
	cpu->m.hv.stimer_deadline[n] = deadline_of(now_ns, ref, t->exp_time);
}

/* kvm_hv_process_stimers for one timer that is due for a look. */
static void stimer_process(struct x86_cpu *cpu, int n, u64 now_ns)
{
	struct x86_hv_stimer *t = &cpu->m.hv.stimer[n];
	u64 ref = x86_hv_ref_time(cpu);

	t->pending = false;
	if (!(t->config & CFG_ENABLE))
		return;
	if (t->exp_time && ref >= t->exp_time)
		stimer_expire(cpu, n, ref);
	if ((t->config & CFG_ENABLE) && t->count) {
		if (!t->msg_pending)
			stimer_start(cpu, n, now_ns, ref);
	} else {
		stimer_cleanup(cpu, n);
	}
}

u64 x86_hv_stimers_run(struct x86_cpu *cpu, u64 now_ns)
{
	struct x86_hv_cpu *hv = &cpu->m.hv;
	u64 next = 0;
	int n, pass;

	if (!hv->synic_active)
		return 0;
	for (n = 0; n < X86_HV_STIMERS; n++) {
		u64 *d = &hv->stimer_deadline[n];

		if (*d && now_ns >= *d) {
			*d = 0;
			hv->stimer[n].pending = true;
		}
		/* a one-shot found in the past expires on the second pass */
		for (pass = 0; pass < 2 && hv->stimer[n].pending; pass++)
			stimer_process(cpu, n, now_ns);
		if (*d && (!next || *d < next))
			next = *d;
	}
	return next;
}
