// SPDX-License-Identifier: MIT
/*
 * The vCPU side of the in-kernel irqchip: the LAPIC of each vCPU, events
 * taken at block boundaries (kvm_apic_accept_events, inject_pending_event:
 * INIT/SIPI, NMI, ExtINT from the PIC through LINT0, the LAPIC's highest
 * vector when IF=1 and no shadow), the MP states, HLT that sleeps in
 * KVM_RUN until an event (kvmu_vcpu_block, with the next timer as the
 * deadline), the APIC MSRs, KVM_GET/SET_LAPIC and KVM_INTERRUPT.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/x86_int.h"
#include "arch/x86/irqchip.h"

#define MSR_APIC_BASE		0x1b
#define MSR_TSC_DEADLINE	0x6e0

static struct x86_irqchip *chip_of(struct kvmu_vm *vm)
{
	return __atomic_load_n(&x86_vm_of(vm)->irqchip, __ATOMIC_ACQUIRE);
}

int x86_irqchip_vcpu_init(struct x86_cpu *cpu)
{
	struct x86_irqchip *c = chip_of(cpu->vcpu->vm);
	struct x86_lapic *a;
	bool bsp = x86_is_bsp(cpu->vcpu);

	cpu->pending_extint = -1;
	if (!c)
		return 0;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	pthread_mutex_init(&a->lock, NULL);
	a->vcpu_id = (u32)cpu->vcpu->id;
	a->env = &c->env;
	a->owner = cpu->vcpu;
	x86_lapic_reset(a, false, bsp);
	cpu->apic = a;
	cpu->apic_base = a->base;
	cpu->mp_state = bsp ? KVM_MP_STATE_RUNNABLE :
			      KVM_MP_STATE_UNINITIALIZED;
	return 0;
}

void x86_irqchip_vcpu_destroy(struct x86_cpu *cpu)
{
	if (!cpu->apic)
		return;
	pthread_mutex_destroy(&cpu->apic->lock);
	free(cpu->apic);
	cpu->apic = NULL;
}

/* INIT: the reset of kvm_vcpu_reset(init_event), the APIC base kept. */
static void do_init(struct x86_cpu *cpu)
{
	struct x86_lapic *a = cpu->apic;
	u64 base = cpu->apic_base, tsc = cpu->tsc_offset;

	x86_cpu_reset(cpu);
	cpu->apic_base = base;
	cpu->tsc_offset = tsc;
	cpu->check_entry = false;
	x86_lapic_reset(a, true, x86_is_bsp(cpu->vcpu));
	cpu->cr8 = cpu->apic_cr8 = 0;
	cpu->mp_state = x86_is_bsp(cpu->vcpu) ? KVM_MP_STATE_RUNNABLE :
						KVM_MP_STATE_INIT_RECEIVED;
	x86_tlb_flush(cpu);
	x86_decode_flush(cpu);
}

static void do_sipi(struct x86_cpu *cpu, u8 vector)
{
	struct x86_seg *cs = &cpu->seg[X86_CS];

	cs->sel = (u16)(vector << 8);
	cs->base = (u64)vector << 12;
	cpu->rip = 0;
	cpu->mp_state = KVM_MP_STATE_RUNNABLE;
	x86_update_mode(cpu);
}

/* kvm_apic_accept_events. */
static void accept_init_sipi(struct x86_cpu *cpu)
{
	struct x86_lapic *a = cpu->apic;
	unsigned int pe;
	u8 vec;

	/* INIT is latched while in SMM (kvm_apic_init_sipi_allowed) */
	if (!atomic_load(&a->pending) || cpu->m.smm)
		return;
	pe = atomic_exchange(&a->pending, 0);
	if (pe & X86_APIC_INIT)
		do_init(cpu);
	if ((pe & X86_APIC_SIPI) &&
	    cpu->mp_state == KVM_MP_STATE_INIT_RECEIVED) {
		pthread_mutex_lock(&a->lock);
		vec = a->sipi_vector;
		pthread_mutex_unlock(&a->lock);
		do_sipi(cpu, vec);
	}
}

static void take_nmis(struct x86_cpu *cpu)
{
	unsigned int n = atomic_exchange(&cpu->apic->nmi, 0);

	if (atomic_exchange(&cpu->apic->smi, false))
		cpu->m.smi_pending = true;	/* kvm_inject_smi */

	while (n--) {
		/* as KVM_NMI: at most two queued, one if one is in service */
		if (cpu->nr_nmi < ((cpu->nmi_masked || cpu->nmi_injected) ?
				   1 : 2))
			cpu->nr_nmi++;
	}
	if ((cpu->nr_nmi || cpu->m.smi_pending) &&
	    cpu->mp_state == KVM_MP_STATE_HALTED)
		cpu->mp_state = KVM_MP_STATE_RUNNABLE;
}

/* An ExtINT is waiting: the PIC's INTR, or split mode's KVM_INTERRUPT. */
static bool has_extint(struct x86_cpu *cpu, struct x86_irqchip *c)
{
	if (!x86_lapic_accepts_pic(cpu->apic))
		return false;
	if (c->split)
		return cpu->pending_extint >= 0;
	return atomic_load(&c->pic.output);
}

static int take_extint(struct x86_cpu *cpu, struct x86_irqchip *c)
{
	int v;

	if (c->split) {
		v = cpu->pending_extint;
		cpu->pending_extint = -1;
		return v;
	}
	return x86_pic_read_irq(&c->pic);
}

/* Inject one interrupt if the CPU takes one now (inject_pending_event). */
static void inject_irq(struct x86_cpu *cpu, struct x86_irqchip *c)
{
	int v = -1;

	if (has_extint(cpu, c)) {
		if (x86_ready_for_injection(cpu))
			v = take_extint(cpu, c);
		cpu->apic_want = v < 0;
	} else {
		int cand = x86_lapic_has_interrupt(cpu->apic);

		if (cand >= 0 && x86_ready_for_injection(cpu)) {
			x86_lapic_ack_eoi(cpu->apic, cand,
					  !x86_hv_synic_auto_eoi(cpu, cand));
			v = cand;
		}
		cpu->apic_want = cand >= 0 && v < 0;
	}
	if (v < 0)
		return;
	cpu->interrupt.injected = true;
	cpu->interrupt.nr = (u8)v;
	cpu->interrupt_soft = false;
	if (cpu->mp_state == KVM_MP_STATE_HALTED)
		cpu->mp_state = KVM_MP_STATE_RUNNABLE;
	/* another may be waiting behind this one */
	atomic_store(&cpu->apic->attention, true);
}

void x86_irqchip_sync_cr8(struct x86_cpu *cpu)
{
	if (cpu->cr8 != cpu->apic_cr8) {
		x86_lapic_set_cr8(cpu->apic, cpu->cr8);
		cpu->apic_cr8 = cpu->cr8;
	}
}

int x86_irqchip_events(struct x86_cpu *cpu)
{
	struct x86_irqchip *c = chip_of(cpu->vcpu->vm);
	struct x86_lapic *a = cpu->apic;
	struct kvm_run *run = cpu->run;

	atomic_store(&a->attention, false);
	x86_irqchip_sync_cr8(cpu);
	accept_init_sipi(cpu);
	if (cpu->mp_state == KVM_MP_STATE_UNINITIALIZED ||
	    cpu->mp_state == KVM_MP_STATE_INIT_RECEIVED)
		return 0;
	take_nmis(cpu);
	if (a->eoi_exit) {
		run->exit_reason = KVM_EXIT_IOAPIC_EOI;
		run->eoi.vector = (u8)(a->eoi_exit - 1);
		a->eoi_exit = 0;
		return 1;
	}
	/*
	 * KVM_GUESTDBG_BLOCKIRQ: the debugger asked that no interrupt be
	 * taken (kvm_check_and_inject_events stops before them); keep
	 * asking so it is taken once the flag is cleared.
	 */
	if (cpu->guest_debug & KVM_GUESTDBG_BLOCKIRQ)
		cpu->apic_want = true;
	else
		inject_irq(cpu, c);
	return 0;
}

static u64 min_deadline(u64 a, u64 b)
{
	if (!a)
		return b;
	return b && b < a ? b : a;
}

/* Run due timers; returns the next deadline (0: none). */
static u64 run_timers(struct x86_cpu *cpu)
{
	struct x86_irqchip *c = chip_of(cpu->vcpu->vm);
	u64 now = kvmu_now_ns(), next;
	struct x86_pit *pit;

	next = x86_lapic_timer(cpu->apic, now);
	pit = c ? __atomic_load_n(&c->pit, __ATOMIC_ACQUIRE) : NULL;
	if (pit) {
		x86_pit_tick(pit, now);
		next = min_deadline(next, atomic_load(&pit->next_ns));
	}
	next = min_deadline(next, x86_hv_stimers_run(cpu, now));
	if (unlikely(cpu->vcpu->plane_req))	/* another plane's timer */
		next = min_deadline(next, x86_plane_timers(cpu, now));
	return next;
}

/*
 * KVM_SET_VAPIC_ADDR's page: TPR in, TPR/ISR/IRR summary out, as
 * kvm_lapic_sync_from_vapic/_to_vapic do at exits and entries; here at
 * the run loop's check points.
 */
/* Highest vector set in the 8-word register at reg (0 when none). */
static u32 highest(const struct x86_lapic *a, u32 reg)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = a->regs[(reg >> 2) + 4 * (u32)i];

		if (w)
			return (u32)(i * 32 + 31 - __builtin_clz(w));
	}
	return 0;
}

/* false: the plane may not read or write the page (an exit is filled) */
static bool sync_vapic(struct x86_cpu *cpu)
{
	struct x86_lapic *a = cpu->apic;
	const struct kvmu_memslot *s;
	u32 data, tpr;
	u8 *p;

	if (x86_plane_kernel_denied(cpu, a->vapic_addr, 4, X86_ACC_READ,
				    true) ||
	    x86_plane_kernel_denied(cpu, a->vapic_addr, 4, X86_ACC_WRITE,
				    true))
		return false;
	s = kvmu_memslot_find(cpu->vcpu->vm, 0, a->vapic_addr);
	if (!s || a->vapic_addr + 4 > s->gpa + s->size)
		return true;
	p = (u8 *)(uintptr_t)(s->hva + (a->vapic_addr - s->gpa));
	memcpy(&data, p, 4);
	pthread_mutex_lock(&a->lock);
	a->regs[0x80 >> 2] = tpr = data & 0xff;
	data = tpr | ((highest(a, 0x100) & 0xf0) << 8) |
	       (highest(a, 0x200) << 24);
	pthread_mutex_unlock(&a->lock);
	atomic_store(&a->attention, true);
	cpu->cr8 = cpu->apic_cr8 = tpr >> 4;
	memcpy(p, &data, 4);
	kvmu_memslot_mark_dirty(s, a->vapic_addr);
	return true;
}

bool x86_irqchip_timers(struct x86_cpu *cpu)
{
	/* the clock is read every 256 instructions, not at every branch */
	if (cpu->icount - cpu->apic_icount < 256)
		return false;
	cpu->apic_icount = cpu->icount;
	run_timers(cpu);
	return cpu->apic->vapic_addr && !sync_vapic(cpu);
}

void x86_irqchip_halt(struct x86_cpu *cpu)
{
	cpu->mp_state = KVM_MP_STATE_HALTED;
}

int x86_irqchip_block(struct x86_cpu *cpu)
{
	struct kvmu_vcpu *vcpu = cpu->vcpu;
	u64 next;
	int ret;

	for (;;) {
		next = run_timers(cpu);
		/* an event of another plane that req_exit_planes names? */
		kvmu_vcpu_take_wake(vcpu);
		if (unlikely(vcpu->plane_req) && kvmu_plane_event_exit(vcpu))
			return 1;
		if (x86_irqchip_events(cpu))
			return 1;
		/*
		 * kvm_vcpu_has_events: a pending exception (the single-step
		 * #DB of a HLT with TF) ends the halt, delivered after it
		 */
		if (cpu->mp_state == KVM_MP_STATE_HALTED &&
		    (cpu->exception.pending || cpu->exception.injected))
			cpu->mp_state = KVM_MP_STATE_RUNNABLE;
		if (cpu->mp_state == KVM_MP_STATE_RUNNABLE)
			break;
		if (atomic_load(&cpu->apic->attention))
			continue;
		ret = kvmu_vcpu_block(vcpu, next);
		if (ret)
			return ret;
	}
	if (kvmu_vcpu_slots_changed(vcpu)) {
		x86_tlb_flush(cpu);
		x86_decode_flush(cpu);
	}
	return 0;
}

int x86_irqchip_wait_init(struct x86_cpu *cpu)
{
	struct kvmu_vcpu *vcpu = cpu->vcpu;

	if (vcpu->immediate) {
		cpu->run->exit_reason = KVM_EXIT_INTR;
		return -EINTR;
	}
	/* kvm_arch_vcpu_ioctl_run: block once, take INIT/SIPI, -EAGAIN */
	while (!atomic_load(&cpu->apic->pending)) {
		if (kvmu_vcpu_block(vcpu, 0)) {
			cpu->run->exit_reason = KVM_EXIT_INTR;
			return -EINTR;
		}
		if (kvmu_vcpu_take_wake(vcpu) ||
		    atomic_load(&cpu->apic->pending))
			break;
	}
	x86_irqchip_events(cpu);
	return -EAGAIN;
}

/* ---- MSRs ---- */

int x86_irqchip_msr_get(struct x86_cpu *cpu, u32 msr, u64 *v,
			bool host KVMU_UNUSED)
{
	struct x86_lapic *a = cpu->apic;

	if (msr == MSR_TSC_DEADLINE) {	/* 0 without a LAPIC, as KVM */
		*v = a ? x86_lapic_get_tscdeadline(a) : 0;
		return 0;
	}
	if (!a)
		return 1;
	if (msr < 0x800 || msr > 0x8ff)
		return 1;
	if (msr == 0x808)
		x86_irqchip_sync_cr8(cpu);
	return x86_lapic_msr_read(a, kvmu_now_ns(), msr, v);
}

static int set_base(struct x86_cpu *cpu, u64 v, bool host)
{
	struct x86_irqchip *c = chip_of(cpu->vcpu->vm);
	u64 rsvd = (~0ULL << x86_maxphyaddr(cpu)) | 0x2ff;

	if (!x86_guest_has(cpu, 1, 0, 2, 21) && !host)
		rsvd |= X86_APIC_BASE_EXTD;
	if (v & rsvd)
		return -1;
	if (x86_lapic_set_base(cpu->apic, v, host))
		return -1;
	cpu->apic_base = v;
	if (v & X86_APIC_BASE_ENABLE)
		x86_irqchip_map_base(c, v);
	return 0;
}

int x86_irqchip_msr_set(struct x86_cpu *cpu, u32 msr, u64 v, bool host)
{
	struct x86_lapic *a = cpu->apic;
	int ret;

	if (msr == MSR_TSC_DEADLINE) {	/* dropped without a LAPIC */
		if (a) {
			a->tsc_deadline_ok = x86_guest_has(cpu, 1, 0, 2, 24);
			x86_lapic_set_tscdeadline(a, kvmu_now_ns(), v);
		}
		return 0;
	}
	if (!a)
		return 1;
	if (msr == MSR_APIC_BASE)
		return set_base(cpu, v, host);
	if (msr < 0x800 || msr > 0x8ff)
		return 1;
	a->tsc_deadline_ok = x86_guest_has(cpu, 1, 0, 2, 24);
	ret = x86_lapic_msr_write(a, kvmu_now_ns(), msr, v);
	cpu->cr8 = cpu->apic_cr8 = x86_lapic_get_cr8(a);
	return ret;
}

/* KVM_GET_SUPPORTED_CPUID leaf 1: the APIC and x2APIC, as KVM always. */
void x86_irqchip_cpuid(u32 r[4])
{
	r[3] |= 1U << 9;	/* APIC */
	r[2] |= 1U << 21;	/* x2APIC */
	r[2] |= 1U << 24;	/* TSC-deadline timer */
}

/* ---- ioctls ---- */

long x86_irqchip_interrupt(struct x86_cpu *cpu, u32 irq)
{
	struct x86_irqchip *c = chip_of(cpu->vcpu->vm);

	if (!c->split)
		return -ENXIO;
	if (cpu->pending_extint >= 0)
		return -EEXIST;
	cpu->pending_extint = (int)(irq & 0xff);
	atomic_store(&cpu->apic->attention, true);
	return 0;
}

u32 x86_irqchip_get_mp_state(struct x86_cpu *cpu)
{
	accept_init_sipi(cpu);
	return cpu->mp_state;
}

long x86_irqchip_set_mp_state(struct x86_cpu *cpu, u32 state)
{
	switch (state) {
	case KVM_MP_STATE_RUNNABLE:
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_INIT_RECEIVED:
	case KVM_MP_STATE_HALTED:
	case KVM_MP_STATE_SIPI_RECEIVED:
	case KVM_MP_STATE_AP_RESET_HOLD:
		break;
	default:
		return -EINVAL;
	}
	if (state == KVM_MP_STATE_SIPI_RECEIVED) {
		cpu->mp_state = KVM_MP_STATE_INIT_RECEIVED;
		atomic_fetch_or(&cpu->apic->pending, X86_APIC_SIPI);
	} else {
		cpu->mp_state = state;
	}
	atomic_store(&cpu->apic->attention, true);
	return 0;
}

void x86_irqchip_post_run(struct x86_cpu *cpu)
{
	struct x86_irqchip *c = chip_of(cpu->vcpu->vm);

	cpu->run->cr8 = cpu->cr8;
	if (!c->split) {
		cpu->run->ready_for_interrupt_injection = 1;
		return;
	}
	cpu->run->ready_for_interrupt_injection =
		x86_ready_for_injection(cpu) &&
		x86_lapic_accepts_pic(cpu->apic) && cpu->pending_extint < 0;
}

bool x86_irqchip_window_ok(struct x86_cpu *cpu)
{
	struct x86_irqchip *c = chip_of(cpu->vcpu->vm);

	/* a full in-kernel PIC never asks user space for a window */
	return c->split && x86_lapic_accepts_pic(cpu->apic) &&
	       cpu->pending_extint < 0;
}

long x86_get_lapic(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);

	if (!cpu->apic)
		return -EINVAL;
	x86_irqchip_sync_cr8(cpu);
	x86_lapic_get_state(cpu->apic, kvmu_now_ns(), r->karg);
	return 0;
}

long x86_set_lapic(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	int ret;

	if (!cpu->apic)
		return -EINVAL;
	ret = x86_lapic_set_state(cpu->apic, kvmu_now_ns(), r->karg);
	cpu->cr8 = cpu->apic_cr8 = x86_lapic_get_cr8(cpu->apic);
	return ret;
}

long x86_set_vapic_addr(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	const struct kvm_vapic_addr *va = r->karg;
	const struct kvmu_memslot *s;

	if (!cpu->apic)
		return -EINVAL;
	if (va->vapic_addr) {
		s = kvmu_memslot_find(cpu->vcpu->vm, 0, va->vapic_addr);
		if (!s || va->vapic_addr + 4 > s->gpa + s->size)
			return -EINVAL;
	}
	cpu->apic->vapic_addr = va->vapic_addr;
	return 0;
}

long x86_tpr_access_reporting(struct kvmu_obj *obj KVMU_UNUSED,
			      struct kvmu_ioctl_req *r)
{
	const struct kvm_tpr_access_ctl *t = r->karg;

	/*
	 * Accepted as KVM does; no KVM_EXIT_TPR_ACCESS is ever produced, as
	 * on hosts with accelerated TPR (KVM_CAP_VAPIC reads 0 here too).
	 */
	return t->flags ? -EINVAL : 0;
}
