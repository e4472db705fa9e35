// SPDX-License-Identifier: MIT
/*
 * The per-VP synthetic MSRs of Hyper-V (kvm_hv_set/get_msr): VP index,
 * VP runtime, the APIC access MSRs (EOI, ICR, TPR), the VP assist page
 * and the frequency MSRs; the SynIC and timer MSRs go on to
 * hyperv_synic.c.  Access rules are checked by hyperv.c before.
 */
#define _GNU_SOURCE
#include <string.h>
#include <time.h>

#include "arch/x86/x86_int.h"
#include "arch/x86/irqchip.h"

#define HV_MSR_VP_INDEX		0x40000002
#define HV_MSR_VP_RUNTIME	0x40000010
#define HV_MSR_TSC_FREQ		0x40000022
#define HV_MSR_APIC_FREQ	0x40000023
#define HV_MSR_EOI		0x40000070
#define HV_MSR_ICR		0x40000071
#define HV_MSR_TPR		0x40000072
#define HV_MSR_VP_ASSIST	0x40000073
#define HV_MSR_STIMER0_CONFIG	0x400000b0
#define HV_MSR_STIMER3_COUNT	0x400000b7
#define APIC_BUS_HZ		1000000000ULL	/* kvmu's LAPIC: 1 ns cycles */

/* VP runtime: CPU time of the calling thread in 100 ns, as KVM's. */
static u64 runtime_100ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ((u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec) / 100;
}

/*
 * The APIC access MSRs write the LAPIC register as kvm_lapic_msr_write:
 * the ICR as one 64-bit value (destination in its high half), the
 * others with bits 63:32 reserved.  EOI's value does not matter.
 */
static int apic_write(struct x86_cpu *cpu, u32 i, u64 v)
{
	struct x86_lapic *a = cpu->apic;
	u64 now = kvmu_now_ns();
	u32 lo = (u32)v, hi = (u32)(v >> 32);

	if (!a || (i != HV_MSR_ICR && hi))
		return -1;
	if (x86_lapic_x2apic(a)) {
		if (i == HV_MSR_EOI)
			return x86_lapic_msr_write(a, now, 0x80b, 0);
		return x86_lapic_msr_write(a, now, i == HV_MSR_ICR ? 0x830 :
					   0x808, i == HV_MSR_TPR ? lo : v);
	}
	if (i == HV_MSR_ICR) {
		x86_lapic_mmio_write(a, now, 0x310, 4, &hi);
		return x86_lapic_mmio_write(a, now, 0x300, 4, &lo);
	}
	return x86_lapic_mmio_write(a, now, i == HV_MSR_EOI ? 0xb0 : 0x80, 4,
				    &lo);
}

static int apic_read(struct x86_cpu *cpu, u32 i, u64 *v)
{
	struct x86_lapic *a = cpu->apic;
	u64 now = kvmu_now_ns();
	u32 lo = 0, hi = 0;

	if (!a || i == HV_MSR_EOI)
		return -1;	/* EOI is write-only */
	if (x86_lapic_x2apic(a))
		return x86_lapic_msr_read(a, now, i == HV_MSR_ICR ? 0x830 :
					  0x808, v);
	if (i == HV_MSR_ICR) {
		x86_lapic_mmio_read(a, now, 0x300, 4, &lo);
		x86_lapic_mmio_read(a, now, 0x310, 4, &hi);
		*v = lo | (u64)hi << 32;
		return 0;
	}
	x86_lapic_mmio_read(a, now, 0x80, 4, &lo);
	*v = lo;
	return 0;
}

int x86_hv_vp_set(struct x86_cpu *cpu, u32 i, u64 v, bool host)
{
	struct x86_hv_cpu *hv = &cpu->m.hv;
	u8 *p;

	switch (i) {
	case HV_MSR_VP_INDEX:
		if (!host || (u32)v >= X86_HV_MAX_VCPUS)
			return -1;
		atomic_store(&hv->vp_index, (u32)v);
		return 0;
	case HV_MSR_VP_ASSIST:
		if (v & 1) {
			/* clear apic_assist only; the rest may be live data */
			p = x86_phys_ptr(cpu, v & ~0xfffULL, 4, true);
			if (!p)
				return -1;
			memset(p, 0, 4);
		}
		hv->vp_assist = v;
		return 0;
	case HV_MSR_EOI: case HV_MSR_ICR: case HV_MSR_TPR:
		return apic_write(cpu, i, v);
	case HV_MSR_VP_RUNTIME:
		if (!host)
			return -1;
		hv->runtime_offset = (s64)(v - runtime_100ns());
		return 0;
	case HV_MSR_TSC_FREQ: case HV_MSR_APIC_FREQ:
		return host ? 0 : -1;	/* read-only; host writes ignored */
	case HV_MSR_STIMER0_CONFIG ... HV_MSR_STIMER3_COUNT:
		return x86_hv_stimer_set(cpu, i, v, host);
	default:
		return x86_hv_synic_set(cpu, i, v, host);
	}
}

int x86_hv_vp_get(struct x86_cpu *cpu, u32 i, u64 *v, bool host)
{
	struct x86_hv_cpu *hv = &cpu->m.hv;

	switch (i) {
	case HV_MSR_VP_INDEX: *v = atomic_load(&hv->vp_index); return 0;
	case HV_MSR_VP_ASSIST: *v = hv->vp_assist; return 0;
	case HV_MSR_EOI: case HV_MSR_ICR: case HV_MSR_TPR:
		return apic_read(cpu, i, v);
	case HV_MSR_VP_RUNTIME:
		*v = runtime_100ns() + (u64)hv->runtime_offset;
		return 0;
	case HV_MSR_TSC_FREQ:
		*v = (u64)(cpu->m.tsc_khz ? cpu->m.tsc_khz :
			   x86_host_tsc_khz()) * 1000ULL;
		return 0;
	case HV_MSR_APIC_FREQ: *v = APIC_BUS_HZ; return 0;
	case HV_MSR_STIMER0_CONFIG ... HV_MSR_STIMER3_COUNT:
		return x86_hv_stimer_get(cpu, i, v);
	default:
		return x86_hv_synic_get(cpu, i, v, host);
	}
}
