// SPDX-License-Identifier: MIT
/*
 * Hyper-V enlightenments: the CPUID leaves KVM_GET_SUPPORTED_HV_CPUID
 * reports, the capabilities, and the synthetic MSRs of the partition
 * (guest OS id, hypercall page, reference counter and TSC page, crash and
 * reset, re-enlightenment, synthetic debugger) and of each VP (VP index,
 * VP runtime, APIC access, VP assist page, frequencies), as
 * arch/x86/kvm/hyperv.c keeps them.  SynIC and timers: hyperv_synic.c;
 * hypercalls: hyperv_hcall.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <x86intrin.h>

#include "arch/x86/x86_int.h"
#include "arch/x86/irqchip.h"

#define HV_SIGNATURE_EAX	0x31237648	/* "Hv#1" */
#define HV_MSR_OS_ID		0x40000000
#define HV_MSR_HYPERCALL	0x40000001
#define HV_MSR_VP_INDEX		0x40000002
#define HV_MSR_RESET		0x40000003
#define HV_MSR_VP_RUNTIME	0x40000010
#define HV_MSR_TIME_REF		0x40000020
#define HV_MSR_REF_TSC		0x40000021
#define HV_MSR_TSC_FREQ		0x40000022
#define HV_MSR_APIC_FREQ	0x40000023
#define HV_MSR_EOI		0x40000070
#define HV_MSR_ICR		0x40000071
#define HV_MSR_TPR		0x40000072
#define HV_MSR_VP_ASSIST	0x40000073
#define HV_MSR_SCONTROL		0x40000080
#define HV_MSR_SINT15		0x4000009f
#define HV_MSR_STIMER0_CONFIG	0x400000b0
#define HV_MSR_STIMER3_COUNT	0x400000b7
#define HV_MSR_SYNDBG_CONTROL	0x400000f1
#define HV_MSR_SYNDBG_PENDING	0x400000f5
#define HV_MSR_SYNDBG_OPTIONS	0x400000ff
#define HV_MSR_CRASH_P0		0x40000100
#define HV_MSR_CRASH_P4		0x40000104
#define HV_MSR_CRASH_CTL	0x40000105
#define HV_MSR_REENLIGHT	0x40000106
#define HV_MSR_TSC_EMUL_CTL	0x40000107
#define HV_MSR_TSC_EMUL_STATUS	0x40000108

/* CPUID 0x40000003 EAX: MSR access bits */
#define F_VP_RUNTIME		(1U << 0)
#define F_TIME_REF		(1U << 1)
#define F_SYNIC			(1U << 2)
#define F_STIMER		(1U << 3)
#define F_APIC_ACCESS		(1U << 4)
#define F_HYPERCALL		(1U << 5)
#define F_VP_INDEX		(1U << 6)
#define F_RESET			(1U << 7)
#define F_REF_TSC		(1U << 9)
#define F_FREQ			(1U << 11)
#define F_REENLIGHT		(1U << 13)
/* EBX */
#define F_POST_MESSAGES		(1U << 4)
#define F_SIGNAL_EVENTS		(1U << 5)
#define F_DEBUGGING		(1U << 11)
/* EDX */
#define F_GUEST_DEBUGGING	(1U << 1)
#define F_XMM_INPUT		(1U << 4)
#define F_FREQ_AVAILABLE	(1U << 8)
#define F_CRASH			(1U << 10)
#define F_DEBUG_MSRS		(1U << 11)
#define F_STIMER_DIRECT		(1U << 19)
/* 0x40000004 EAX */
#define R_REMOTE_TLB_FLUSH	(1U << 2)
#define R_APIC_ACCESS		(1U << 3)
#define R_RELAXED_TIMING	(1U << 5)
#define R_DEPRECATING_AEOI	(1U << 9)
#define R_CLUSTER_IPI		(1U << 10)
#define R_EX_MASKS		(1U << 11)
#define R_NO_NONARCH_CORESHARING (1U << 18)
#define SYNDBG_ALLOW_KERNEL	(1U << 1)

#define TSC_PAGE_ENABLE		1ULL
#define CRASH_NOTIFY		(1ULL << 63)

/* ---- CPUID ---- */

/* /sys/devices/system/cpu/smt/control, as cpu_smt_possible() */
static bool smt_possible(void)
{
	char buf[16] = "";
	FILE *f = fopen("/sys/devices/system/cpu/smt/control", "re");
	bool r = true;

	if (!f)
		return true;
	if (fgets(buf, sizeof(buf), f) &&
	    (!strncmp(buf, "forceoff", 8) || !strncmp(buf, "notsupported", 12)))
		r = false;
	fclose(f);
	return r;
}

static void put(struct kvm_cpuid_entry2 *e, u32 fn, u32 a, u32 b, u32 c,
		u32 d)
{
	memset(e, 0, sizeof(*e));
	e->function = fn;
	e->eax = a;
	e->ebx = b;
	e->ecx = c;
	e->edx = d;
}

/* kvm_get_hv_cpuid: ten leaves; direct timers and cluster IPIs need an
 * in-kernel LAPIC (always true on the system fd). */
static int hv_leaves(struct x86_cpu *cpu, struct kvm_cpuid_entry2 *e)
{
	bool lapic = !cpu || cpu->apic;
	u32 feat_a, feat_d, rec;

	put(&e[0], 0x40000000, 0x40000082, 0x756e694c, 0x564b2078,
	    0x7648204d);			/* "Linux KVM Hv" */
	put(&e[1], 0x40000001, HV_SIGNATURE_EAX, 0, 0, 0);
	put(&e[2], 0x40000002, 0x00003839, 0x000a0000, 0, 0);
	feat_a = F_VP_RUNTIME | F_TIME_REF | F_SYNIC | F_STIMER |
		 F_APIC_ACCESS | F_HYPERCALL | F_VP_INDEX | F_RESET |
		 F_REF_TSC | F_FREQ | F_REENLIGHT;
	feat_d = F_XMM_INPUT | F_FREQ_AVAILABLE | F_CRASH | F_GUEST_DEBUGGING |
		 F_DEBUG_MSRS | (lapic ? F_STIMER_DIRECT : 0);
	put(&e[3], 0x40000003, feat_a,
	    F_POST_MESSAGES | F_SIGNAL_EVENTS | F_DEBUGGING, 0, feat_d);
	rec = R_REMOTE_TLB_FLUSH | R_APIC_ACCESS | R_RELAXED_TIMING |
	      (lapic ? R_CLUSTER_IPI : 0) | R_EX_MASKS | R_DEPRECATING_AEOI |
	      (smt_possible() ? 0 : R_NO_NONARCH_CORESHARING);
	put(&e[4], 0x40000004, rec, 0xfff, 0, 0);
	put(&e[5], 0x40000005, X86_HV_MAX_VCPUS, 64, 0, 0);
	put(&e[6], 0x40000080, 0, 0x756e694c, 0x564b2078, 0x7648204d);
	put(&e[7], 0x40000081, 0x31235356, 0, 0, 0);	/* "VS#1" */
	put(&e[8], 0x40000082, SYNDBG_ALLOW_KERNEL, 0, 0, 0);
	/* no enlightened VMCS (no VMX): only the MSR-bitmap and
	 * PERF_GLOBAL_CTRL bits KVM always sets */
	put(&e[9], 0x4000000a, 1U << 19, 1U << 0, 0, 0);
	return 10;
}

long x86_hv_get_supported_cpuid(struct x86_cpu *cpu, struct kvmu_ioctl_req *r)
{
	struct kvm_cpuid_entry2 e[10];
	struct kvm_cpuid2 hdr;
	u32 n;
	int ret;

	ret = kvmu_copy_from_user(&hdr, r->uarg, sizeof(hdr));
	if (ret)
		return ret;
	n = (u32)hv_leaves(cpu, e);
	if (hdr.nent < n)
		return -E2BIG;
	hdr.nent = n;
	ret = kvmu_copy_to_user(r->uarg + sizeof(hdr), e, n * sizeof(e[0]));
	if (ret)
		return ret;
	return kvmu_copy_to_user(r->uarg, &hdr, sizeof(hdr));
}

long x86_sys_get_supported_hv_cpuid(struct kvmu_obj *obj KVMU_UNUSED,
				    struct kvmu_ioctl_req *r)
{
	return x86_hv_get_supported_cpuid(NULL, r);
}

long x86_get_supported_hv_cpuid(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return x86_hv_get_supported_cpuid(x86_obj_cpu(obj), r);
}

u32 x86_hv_cpuid_reg(struct x86_cpu *cpu, u32 leaf, int reg)
{
	int i;

	for (i = 0; i < cpu->nr_cpuid; i++) {
		const struct kvm_cpuid_entry2 *e = &cpu->cpuid[i];

		if (e->function != leaf)
			continue;
		return reg == 0 ? e->eax : reg == 1 ? e->ebx :
		       reg == 2 ? e->ecx : e->edx;
	}
	return 0;
}

bool x86_hv_enabled(struct x86_cpu *cpu)
{
	return x86_hv_cpuid_reg(cpu, 0x40000001, 0) == HV_SIGNATURE_EAX;
}

/* ---- capabilities ---- */

long x86_hv_check_extension(long cap)
{
	switch (cap) {
	case KVM_CAP_HYPERV:
	case KVM_CAP_HYPERV_VAPIC:
	case KVM_CAP_HYPERV_SPIN:
	case KVM_CAP_HYPERV_TIME:
	case KVM_CAP_HYPERV_SYNIC:
	case KVM_CAP_HYPERV_SYNIC2:
	case KVM_CAP_HYPERV_VP_INDEX:
	case KVM_CAP_HYPERV_TLBFLUSH:
	case KVM_CAP_HYPERV_SEND_IPI:
	case KVM_CAP_HYPERV_CPUID:
	case KVM_CAP_HYPERV_ENFORCE_CPUID:
	case KVM_CAP_SYS_HYPERV_CPUID:
	case KVM_CAP_HYPERV_EVENTFD:
		return 1;
	default:
		return 0;
	}
}

/* kvm_vcpu_ioctl_enable_cap for SYNIC, SYNIC2 and ENFORCE_CPUID. */
long x86_hv_vcpu_enable_cap(struct x86_cpu *cpu,
			    const struct kvm_enable_cap *c)
{
	struct x86_hv_cpu *hv = &cpu->m.hv;

	switch (c->cap) {
	case KVM_CAP_HYPERV_SYNIC2:
		if (c->args[0])
			return -EINVAL;
		/* fall through */
	case KVM_CAP_HYPERV_SYNIC:
		if (!x86_cpu_vm(cpu)->irqchip)
			return -EINVAL;
		/* read by other threads' SINT routes (hyperv_route.c) */
		__atomic_store_n(&hv->synic_active, true, __ATOMIC_RELEASE);
		hv->dont_zero_pages = c->cap == KVM_CAP_HYPERV_SYNIC2;
		hv->scontrol = 1;	/* HV_SYNIC_CONTROL_ENABLE */
		return 0;
	case KVM_CAP_HYPERV_ENFORCE_CPUID:
		hv->enforce_cpuid = c->args[0] != 0;
		return 0;
	default:
		return 1;
	}
}

/* ---- life cycle ---- */

void x86_hv_cpu_init(struct x86_cpu *cpu)
{
	struct x86_hv_cpu *hv = &cpu->m.hv;

	atomic_store(&hv->vp_index, (u32)cpu->vcpu->index);
	x86_hv_synic_init(hv);
}

void x86_hv_vm_init(struct x86_hv_vm *hv)
{
	memset(hv, 0, sizeof(*hv));
	pthread_mutex_init(&hv->lock, NULL);
	hv->lock_init = true;
}

void x86_hv_vm_destroy(struct x86_hv_vm *hv)
{
	x86_hv_conns_free(hv);
	if (hv->lock_init)
		pthread_mutex_destroy(&hv->lock);
	hv->lock_init = false;
}

/* ---- access rules (hv_check_msr_access) ---- */

static bool msr_allowed(struct x86_cpu *cpu, u32 i)
{
	u32 a, d;

	if (!cpu->m.hv.enforce_cpuid)
		return true;
	a = x86_hv_cpuid_reg(cpu, 0x40000003, 0);
	d = x86_hv_cpuid_reg(cpu, 0x40000003, 3);
	switch (i) {
	case HV_MSR_OS_ID: case HV_MSR_HYPERCALL: return a & F_HYPERCALL;
	case HV_MSR_VP_RUNTIME: return a & F_VP_RUNTIME;
	case HV_MSR_TIME_REF: return a & F_TIME_REF;
	case HV_MSR_VP_INDEX: return a & F_VP_INDEX;
	case HV_MSR_RESET: return a & F_RESET;
	case HV_MSR_REF_TSC: return a & F_REF_TSC;
	case HV_MSR_SCONTROL ... HV_MSR_SINT15: return a & F_SYNIC;
	case HV_MSR_STIMER0_CONFIG ... HV_MSR_STIMER3_COUNT:
		return a & F_STIMER;
	case HV_MSR_EOI ... HV_MSR_VP_ASSIST: return a & F_APIC_ACCESS;
	case HV_MSR_TSC_FREQ: case HV_MSR_APIC_FREQ: return a & F_FREQ;
	case HV_MSR_REENLIGHT ... HV_MSR_TSC_EMUL_STATUS:
		return a & F_REENLIGHT;
	case HV_MSR_CRASH_P0 ... HV_MSR_CRASH_CTL: return d & F_CRASH;
	case HV_MSR_SYNDBG_OPTIONS:
	case HV_MSR_SYNDBG_CONTROL ... HV_MSR_SYNDBG_PENDING:
		return d & F_DEBUG_MSRS;
	default:
		return false;
	}
}

static bool is_hv_msr(u32 i)
{
	switch (i) {
	case HV_MSR_OS_ID ... HV_MSR_RESET:
	case HV_MSR_VP_RUNTIME:
	case HV_MSR_TIME_REF ... HV_MSR_APIC_FREQ:
	case HV_MSR_EOI ... HV_MSR_VP_ASSIST:
	case HV_MSR_SCONTROL ... HV_MSR_SCONTROL + 4:
	case HV_MSR_SCONTROL + 0x10 ... HV_MSR_SINT15:
	case HV_MSR_STIMER0_CONFIG ... HV_MSR_STIMER3_COUNT:
	case HV_MSR_SYNDBG_CONTROL ... HV_MSR_SYNDBG_PENDING:
	case HV_MSR_SYNDBG_OPTIONS:
	case HV_MSR_CRASH_P0 ... HV_MSR_TSC_EMUL_STATUS:
		return true;
	default:
		return false;
	}
}

static bool syndbg_enabled(struct x86_cpu *cpu)
{
	return x86_hv_cpuid_reg(cpu, 0x40000082, 0) & SYNDBG_ALLOW_KERNEL;
}

/* ---- reference time and the TSC page ---- */

/* get_time_ref_counter, with hv->lock held. */
static u64 ref_time_locked(struct x86_cpu *cpu, struct x86_hv_vm *hv)
{
	if (hv->tsc_status == X86_HV_TSC_SET)
		return (u64)(((unsigned __int128)x86_guest_tsc(cpu) *
			      hv->tsc_scale) >> 64) + (u64)hv->tsc_offset;
	return x86_kvmclock_ns(cpu->vcpu->vm) / 100;
}

u64 x86_hv_ref_time(struct x86_cpu *cpu)
{
	struct x86_hv_vm *hv = &x86_cpu_vm(cpu)->m.hv;
	u64 t;

	pthread_mutex_lock(&hv->lock);
	t = ref_time_locked(cpu, hv);
	pthread_mutex_unlock(&hv->lock);
	return t;
}

/*
 * compute_tsc_page_parameters on kvmclock's own (TSC, ns) pair: kvmclock
 * is a linear function of the guest TSC, so scale and offset follow.
 */
static void tsc_page_params(struct x86_cpu *cpu, u64 *scale, s64 *offset)
{
	u64 host = __rdtsc(), tsc = x86_guest_tsc_at(cpu, host);
	u64 ns = x86_kvmclock_ns(cpu->vcpu->vm);
	u64 khz = cpu->m.tsc_khz ? cpu->m.tsc_khz : x86_host_tsc_khz();

	/* 100 ns units per tick (10^4 / kHz) in 0.64 fixed point */
	*scale = (u64)(((unsigned __int128)10000ULL << 64) / khz);
	*offset = (s64)(ns / 100) -
		  (s64)(((unsigned __int128)tsc * *scale) >> 64);
}

/* kvm_hv_setup_tsc_page, at entry after the MSR or the clock changed. */
static void tsc_page_update(struct x86_cpu *cpu, struct x86_hv_vm *hv)
{
	u64 gpa = hv->tsc_page_msr & ~0xfffULL;
	u8 *p;
	u32 seq;

	if (hv->tsc_status != X86_HV_TSC_GUEST_CHANGED &&
	    hv->tsc_status != X86_HV_TSC_HOST_CHANGED)
		return;
	p = x86_phys_ptr(cpu, gpa, 24, true);
	if (!p) {
		hv->tsc_status = X86_HV_TSC_BROKEN;
		return;
	}
	memcpy(&seq, p, 4);
	/* TSC emulation on: keep what the guest saw (tsc_page_update_unsafe) */
	if (seq && hv->tsc_status != X86_HV_TSC_GUEST_CHANGED &&
	    hv->tsc_emul_ctl) {
		memcpy(&hv->tsc_scale, p + 8, 8);
		memcpy(&hv->tsc_offset, p + 16, 8);
		hv->tsc_status = X86_HV_TSC_SET;
		return;
	}
	atomic_store((_Atomic u32 *)p, 0);
	tsc_page_params(cpu, &hv->tsc_scale, &hv->tsc_offset);
	memcpy(p + 8, &hv->tsc_scale, 8);
	memcpy(p + 16, &hv->tsc_offset, 8);
	seq++;
	if (seq == 0xffffffff || seq == 0)
		seq = 1;
	atomic_store((_Atomic u32 *)p, seq);
	hv->tsc_seq = seq;
	hv->tsc_status = X86_HV_TSC_SET;
}

void x86_hv_clock_changed(struct kvmu_vm *vm)
{
	struct x86_hv_vm *hv = &x86_vm_of(vm)->m.hv;

	pthread_mutex_lock(&hv->lock);
	/* kvm_hv_request_tsc_page_update */
	if (hv->tsc_status == X86_HV_TSC_SET &&
	    !(hv->tsc_status != X86_HV_TSC_GUEST_CHANGED && hv->tsc_emul_ctl))
		hv->tsc_status = X86_HV_TSC_HOST_CHANGED;
	pthread_mutex_unlock(&hv->lock);
}

void x86_hv_entry(struct x86_cpu *cpu)
{
	struct x86_hv_vm *hv = &x86_cpu_vm(cpu)->m.hv;

	if (hv->tsc_status == X86_HV_TSC_GUEST_CHANGED ||
	    hv->tsc_status == X86_HV_TSC_HOST_CHANGED) {
		pthread_mutex_lock(&hv->lock);
		tsc_page_update(cpu, hv);
		pthread_mutex_unlock(&hv->lock);
	}
	if (x86_hv_flush_wanted(&cpu->m.hv))
		x86_hv_flush_self(cpu);
}

void x86_hv_flush_self(struct x86_cpu *cpu)
{
	struct x86_hv_cpu *hv = &cpu->m.hv;
	u64 req = atomic_load_explicit(&hv->flush_req, memory_order_acquire);

	x86_tlb_flush(cpu);
	atomic_store_explicit(&hv->flush_ack, req, memory_order_release);
}

/* ---- partition-wide MSRs (kvm_hv_set/get_msr_pw), under hv->lock ---- */

static bool partition_wide(u32 i)
{
	switch (i) {
	case HV_MSR_OS_ID: case HV_MSR_HYPERCALL: case HV_MSR_REF_TSC:
	case HV_MSR_TIME_REF: case HV_MSR_RESET:
	case HV_MSR_CRASH_P0 ... HV_MSR_TSC_EMUL_STATUS:
	case HV_MSR_SYNDBG_OPTIONS:
	case HV_MSR_SYNDBG_CONTROL ... HV_MSR_SYNDBG_PENDING:
		return true;
	default:
		return false;
	}
}

/* The stub KVM writes: the vendor's hypercall instruction, then RET. */
static int hypercall_page(struct x86_cpu *cpu, struct x86_hv_vm *hv, u64 v)
{
	u8 code[4] = { 0x0f, 0x01, x86_guest_amd(cpu) ? 0xd9 : 0xc1, 0xc3 };
	u8 *p;

	if (!hv->guest_os_id)
		return 0;	/* stays disabled until the OS id is set */
	if (v & 1) {
		p = x86_phys_ptr(cpu, v & ~0xfffULL, sizeof(code), true);
		if (!p)
			return -1;
		memcpy(p, code, sizeof(code));
	}
	hv->hypercall = v;
	return 0;
}

static void syndbg_exit(struct x86_cpu *cpu, struct x86_hv_vm *hv, u32 msr)
{
	struct kvm_hyperv_exit *e = &cpu->m.hv.exit;

	memset(e, 0, sizeof(*e));
	e->type = KVM_EXIT_HYPERV_SYNDBG;
	e->u.syndbg.msr = msr;
	e->u.syndbg.control = hv->syndbg_control;
	e->u.syndbg.send_page = hv->syndbg_send;
	e->u.syndbg.recv_page = hv->syndbg_recv;
	e->u.syndbg.pending_page = hv->syndbg_pending;
	cpu->m.hv.exit_kind = X86_HV_EXIT_HYPERV;
}

static int syndbg_set(struct x86_cpu *cpu, struct x86_hv_vm *hv, u32 i,
		      u64 v, bool host)
{
	if (!host && !syndbg_enabled(cpu))
		return -1;
	switch (i) {
	case HV_MSR_SYNDBG_CONTROL:
		hv->syndbg_control = v;
		if (!host)
			syndbg_exit(cpu, hv, i);
		break;
	case HV_MSR_SYNDBG_CONTROL + 1: hv->syndbg_status = v; break;
	case HV_MSR_SYNDBG_CONTROL + 2: hv->syndbg_send = v; break;
	case HV_MSR_SYNDBG_CONTROL + 3: hv->syndbg_recv = v; break;
	case HV_MSR_SYNDBG_PENDING:
		hv->syndbg_pending = v;
		if (!host)
			syndbg_exit(cpu, hv, i);
		break;
	default: hv->syndbg_options = v; break;
	}
	return 0;
}

static int syndbg_get(struct x86_cpu *cpu, struct x86_hv_vm *hv, u32 i,
		      u64 *v, bool host)
{
	if (!host && !syndbg_enabled(cpu))
		return -1;
	switch (i) {
	case HV_MSR_SYNDBG_CONTROL: *v = hv->syndbg_control; break;
	case HV_MSR_SYNDBG_CONTROL + 1: *v = hv->syndbg_status; break;
	case HV_MSR_SYNDBG_CONTROL + 2: *v = hv->syndbg_send; break;
	case HV_MSR_SYNDBG_CONTROL + 3: *v = hv->syndbg_recv; break;
	case HV_MSR_SYNDBG_PENDING: *v = hv->syndbg_pending; break;
	default: *v = hv->syndbg_options; break;
	}
	return 0;
}

static int pw_set(struct x86_cpu *cpu, struct x86_hv_vm *hv, u32 i, u64 v,
		  bool host)
{
	switch (i) {
	case HV_MSR_OS_ID:
		/* read without the lock by every VMCALL */
		__atomic_store_n(&hv->guest_os_id, v, __ATOMIC_RELAXED);
		if (!v)		/* an OS id of 0 disables the hypercall page */
			hv->hypercall &= ~1ULL;
		return 0;
	case HV_MSR_HYPERCALL:
		return hypercall_page(cpu, hv, v);
	case HV_MSR_REF_TSC:
		hv->tsc_page_msr = v;
		hv->tsc_status = !(v & TSC_PAGE_ENABLE) ? X86_HV_TSC_UNSET :
				 host ? X86_HV_TSC_HOST_CHANGED :
					X86_HV_TSC_GUEST_CHANGED;
		return 0;
	case HV_MSR_CRASH_P0 ... HV_MSR_CRASH_P4:
		hv->crash[i - HV_MSR_CRASH_P0] = v;
		return 0;
	case HV_MSR_CRASH_CTL:
		if (host)
			hv->crash_ctl = v & CRASH_NOTIFY;
		else if (v & CRASH_NOTIFY)
			cpu->m.hv.exit_kind = X86_HV_EXIT_CRASH;
		return 0;
	case HV_MSR_RESET:
		if (v == 1)
			cpu->m.hv.exit_kind = X86_HV_EXIT_RESET;
		return 0;
	case HV_MSR_REENLIGHT: hv->reenlightenment = v; return 0;
	case HV_MSR_TSC_EMUL_CTL: hv->tsc_emul_ctl = v; return 0;
	case HV_MSR_TSC_EMUL_STATUS:
		if (v && !host)
			return -1;
		hv->tsc_emul_status = v;
		return 0;
	case HV_MSR_TIME_REF:
		return host ? 0 : -1;	/* read-only; host writes ignored */
	default:
		return syndbg_set(cpu, hv, i, v, host);
	}
}

static int pw_get(struct x86_cpu *cpu, struct x86_hv_vm *hv, u32 i, u64 *v,
		  bool host)
{
	switch (i) {
	case HV_MSR_OS_ID: *v = hv->guest_os_id; return 0;
	case HV_MSR_HYPERCALL: *v = hv->hypercall; return 0;
	case HV_MSR_TIME_REF: *v = ref_time_locked(cpu, hv); return 0;
	case HV_MSR_REF_TSC: *v = hv->tsc_page_msr; return 0;
	case HV_MSR_CRASH_P0 ... HV_MSR_CRASH_P4:
		*v = hv->crash[i - HV_MSR_CRASH_P0];
		return 0;
	case HV_MSR_CRASH_CTL: *v = hv->crash_ctl; return 0;
	case HV_MSR_RESET: *v = 0; return 0;
	case HV_MSR_REENLIGHT: *v = hv->reenlightenment; return 0;
	case HV_MSR_TSC_EMUL_CTL: *v = hv->tsc_emul_ctl; return 0;
	case HV_MSR_TSC_EMUL_STATUS: *v = hv->tsc_emul_status; return 0;
	default:
		return syndbg_get(cpu, hv, i, v, host);
	}
}

/* Hyper-V enabled in CPUID (or the host), and allowed under ENFORCE. */
static int msr_check(struct x86_cpu *cpu, u32 i, bool host)
{
	if (!is_hv_msr(i))
		return 1;
	if (!host && (!x86_hv_enabled(cpu) || !msr_allowed(cpu, i)))
		return -1;
	return 0;
}

int x86_hv_msr_set(struct x86_cpu *cpu, u32 i, u64 v, bool host)
{
	struct x86_hv_vm *hv = &x86_cpu_vm(cpu)->m.hv;
	int r = msr_check(cpu, i, host);

	if (r)
		return r;
	if (!partition_wide(i))
		return x86_hv_vp_set(cpu, i, v, host);
	pthread_mutex_lock(&hv->lock);
	r = pw_set(cpu, hv, i, v, host);
	pthread_mutex_unlock(&hv->lock);
	return r;
}

int x86_hv_msr_get(struct x86_cpu *cpu, u32 i, u64 *v, bool host)
{
	struct x86_hv_vm *hv = &x86_cpu_vm(cpu)->m.hv;
	int r = msr_check(cpu, i, host);

	if (r)
		return r;
	if (!partition_wide(i))
		return x86_hv_vp_get(cpu, i, v, host);
	pthread_mutex_lock(&hv->lock);
	r = pw_get(cpu, hv, i, v, host);
	pthread_mutex_unlock(&hv->lock);
	return r;
}

/* emulated_msrs_all: the Hyper-V MSRs a VMM saves and restores */
static const u32 hv_list[] = {
	HV_MSR_OS_ID, HV_MSR_HYPERCALL, HV_MSR_TIME_REF, HV_MSR_REF_TSC,
	HV_MSR_TSC_FREQ, HV_MSR_APIC_FREQ, HV_MSR_CRASH_P0, HV_MSR_CRASH_P0 + 1,
	HV_MSR_CRASH_P0 + 2, HV_MSR_CRASH_P0 + 3, HV_MSR_CRASH_P4,
	HV_MSR_CRASH_CTL, HV_MSR_RESET, HV_MSR_VP_INDEX, HV_MSR_VP_RUNTIME,
	HV_MSR_SCONTROL, HV_MSR_STIMER0_CONFIG, HV_MSR_VP_ASSIST,
	HV_MSR_REENLIGHT, HV_MSR_TSC_EMUL_CTL, HV_MSR_TSC_EMUL_STATUS,
	HV_MSR_SYNDBG_OPTIONS, HV_MSR_SYNDBG_CONTROL, HV_MSR_SYNDBG_CONTROL + 1,
	HV_MSR_SYNDBG_CONTROL + 2, HV_MSR_SYNDBG_CONTROL + 3,
	HV_MSR_SYNDBG_PENDING,
};

u32 x86_hv_msr_list(u32 *out, u32 max)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(hv_list) && i < max; i++)
		out[i] = hv_list[i];
	return i;
}

/* The exit a WRMSR asked for, once it retired (KVM's requests). */
int x86_hv_after_wrmsr(struct x86_cpu *cpu)
{
	struct x86_hv_cpu *hv = &cpu->m.hv;
	struct kvm_run *run = cpu->run;
	u32 kind = hv->exit_kind;

	/* a new TSC page is filled before the guest's next instruction */
	x86_hv_entry(cpu);
	if (kind == X86_HV_EXIT_NONE)
		return X86_OK;
	hv->exit_kind = X86_HV_EXIT_NONE;
	if (kind == X86_HV_EXIT_HYPERV) {
		run->exit_reason = KVM_EXIT_HYPERV;
		run->hyperv = hv->exit;
		if (hv->exit.type == KVM_EXIT_HYPERV_SYNDBG) {
			hv->wait = X86_HV_WAIT_SYNDBG;
			cpu->io_wait = X86_WAIT_HV;
		}
		return X86_EXIT_RETIRED;
	}
	run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	memset(&run->system_event, 0, sizeof(run->system_event));
	run->system_event.type = kind == X86_HV_EXIT_CRASH ?
				 KVM_SYSTEM_EVENT_CRASH :
				 KVM_SYSTEM_EVENT_RESET;
	return X86_EXIT_RETIRED;
}

/* KVM_RUN after a KVM_EXIT_HYPERV that waits for user space's answer. */
void x86_hv_complete(struct x86_cpu *cpu)
{
	struct x86_hv_cpu *hv = &cpu->m.hv;
	struct x86_hv_vm *vm = &x86_cpu_vm(cpu)->m.hv;

	if (hv->wait == X86_HV_WAIT_HCALL) {
		x86_hv_hcall_complete(cpu);
	} else if (hv->wait == X86_HV_WAIT_SYNDBG &&
		   cpu->run->hyperv.u.syndbg.msr == HV_MSR_SYNDBG_CONTROL) {
		pthread_mutex_lock(&vm->lock);
		vm->syndbg_status = cpu->run->hyperv.u.syndbg.status;
		pthread_mutex_unlock(&vm->lock);
	}
	hv->wait = X86_HV_WAIT_NONE;
	cpu->io_wait = X86_WAIT_NONE;
}
