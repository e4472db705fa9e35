// SPDX-License-Identifier: MIT
/*
 * The MSRs of the machine around the CPU, as kvm_get/set_msr_common keeps
 * them: IA32_TSC_ADJUST, kvmclock, MTRRs, machine-check banks, SMBASE,
 * XSS, the AMD registers Linux and QEMU touch, and the feature MSR
 * PERF_CAPABILITIES.  msr.c asks here for what it does not know.
 */
#include <string.h>

#include "arch/x86/x86_int.h"

#define MSR_KVM_WALL_CLOCK	0x11
#define MSR_KVM_SYSTEM_TIME	0x12
#define MSR_TSC_ADJUST		0x3b
#define MSR_SMBASE		0x9e
#define MSR_POWER_CTL		0x1fc
#define MSR_MTRRCAP		0xfe
#define MSR_MCG_CAP		0x179
#define MSR_MCG_STATUS		0x17a
#define MSR_MCG_CTL		0x17b
#define MSR_MTRR_BASE0		0x200
#define MSR_MTRR_FIX64K		0x250
#define MSR_MTRR_FIX16K_80	0x258
#define MSR_MTRR_FIX16K_A0	0x259
#define MSR_MTRR_FIX4K_C0	0x268
#define MSR_PERF_CAPS		0x345
#define MSR_MC0_CTL		0x400
#define MSR_XSS			0xda0
#define MSR_KVM_WALL_CLOCK_NEW	0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01
#define MSR_AMD_PERF_CTL0	0xc0010000
#define MSR_AMD_PERF_CTR3	0xc0010007
#define MSR_P6_PERFCTR0		0xc1
#define MSR_P6_PERFCTR1		0xc2
#define MSR_P6_EVNTSEL0		0x186
#define MSR_P6_EVNTSEL1		0x187
#define MSR_AMD_HWCR		0xc0010015
#define MSR_AMD_INT_PENDING	0xc0010055
#define MSR_AMD_NB_CFG		0xc001001f

#define MCG_CTL_P		(1ULL << 8)
#define KVM_FEATURE_CLOCKSOURCE	0
#define KVM_FEATURE_CLOCKSOURCE2 3

/* Saved and restored by VMMs: appended to KVM_GET_MSR_INDEX_LIST. */
static const u32 ext_list[] = {
	MSR_KVM_WALL_CLOCK, MSR_KVM_SYSTEM_TIME, MSR_KVM_WALL_CLOCK_NEW,
	MSR_KVM_SYSTEM_TIME_NEW, MSR_TSC_ADJUST, MSR_SMBASE, MSR_MCG_STATUS,
	MSR_MCG_CTL, MSR_POWER_CTL,
};

static const u32 feature_msrs[] = { MSR_PERF_CAPS };

u32 x86_msr_ext_list(u32 *out, u32 max)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(ext_list) && i < max; i++)
		out[i] = ext_list[i];
	return i + x86_hv_msr_list(out + i, max - i);
}

u32 x86_msr_ext_feature_list(u32 *out, u32 max)
{
	u32 i;

	for (i = 0; i < ARRAY_SIZE(feature_msrs) && i < max; i++)
		out[i] = feature_msrs[i];
	return i;
}

int x86_msr_feature_get(u32 index, u64 *v)
{
	if (index == MSR_PERF_CAPS) {
		*v = 0;		/* no PMU, no LBR, no PEBS */
		return 0;
	}
	return -1;
}

void x86_machine_cpu_init(struct x86_cpu *cpu)
{
	memset(&cpu->m, 0, sizeof(cpu->m));
	cpu->m.mcg_cap = X86_MCE_BANKS;		/* as kvm_arch_vcpu_create */
	cpu->m.smbase = 0x30000;
	cpu->m.platform_info = 1ULL << 31;	/* CPUID faulting, as KVM */
	x86_hv_cpu_init(cpu);
	x86_tsc_init(cpu);
}

bool x86_guest_pv_has(struct x86_cpu *cpu, int bit)
{
	return !cpu->m.enforce_pv_cpuid ||
	       x86_guest_has(cpu, 0x40000001, 0, 0, bit);
}

/* The kvmclock MSR pairs: 0x11/0x12 and 0x4b564d00/01. */
static int pv_time_bit(u32 i)
{
	return i == MSR_KVM_WALL_CLOCK || i == MSR_KVM_SYSTEM_TIME ?
	       KVM_FEATURE_CLOCKSOURCE : KVM_FEATURE_CLOCKSOURCE2;
}

static bool mtrr_type_ok(u64 t)
{
	return t == 0 || t == 1 || t == 4 || t == 5 || t == 6;
}

/* Index into mtrr_fixed of a fixed-range MTRR, or -1. */
static int mtrr_fixed_idx(u32 i)
{
	if (i == MSR_MTRR_FIX64K)
		return 0;
	if (i == MSR_MTRR_FIX16K_80 || i == MSR_MTRR_FIX16K_A0)
		return 1 + (int)(i - MSR_MTRR_FIX16K_80);
	if (i >= MSR_MTRR_FIX4K_C0 && i < MSR_MTRR_FIX4K_C0 + 8)
		return 3 + (int)(i - MSR_MTRR_FIX4K_C0);
	return -1;
}

static bool is_mtrr_var(u32 i)
{
	return i >= MSR_MTRR_BASE0 && i < MSR_MTRR_BASE0 + 2 * X86_MTRR_VAR;
}

/* kvm_mtrr_valid */
static bool mtrr_ok(struct x86_cpu *cpu, u32 i, u64 v)
{
	u64 rsvd;
	int b;

	if (mtrr_fixed_idx(i) >= 0) {
		for (b = 0; b < 8; b++)
			if (!mtrr_type_ok((v >> (8 * b)) & 0xff))
				return false;
		return true;
	}
	rsvd = ~0ULL << x86_maxphyaddr(cpu);
	if (!(i & 1)) {
		if (!mtrr_type_ok(v & 0xff))
			return false;
		rsvd |= 0xf00;
	} else {
		rsvd |= 0x7ff;
	}
	return !(v & rsvd);
}

static u64 *mce_reg(struct x86_cpu *cpu, u32 i)
{
	u32 banks = cpu->m.mcg_cap & 0xff;

	if (i < MSR_MC0_CTL || i >= MSR_MC0_CTL + 4 * banks)
		return NULL;
	return &cpu->m.mce_banks[i - MSR_MC0_CTL];
}

int x86_msr_ext_get(struct x86_cpu *cpu, u32 i, u64 *v, bool host)
{
	int f = mtrr_fixed_idx(i);
	u64 *b = mce_reg(cpu, i);

	if (f >= 0) {
		*v = cpu->m.mtrr_fixed[f];
		return 0;
	}
	if (is_mtrr_var(i)) {
		*v = cpu->m.mtrr_var[i - MSR_MTRR_BASE0];
		return 0;
	}
	if (b) {
		*v = *b;
		return 0;
	}
	switch (i) {
	case MSR_TSC_ADJUST: *v = (u64)cpu->m.tsc_adjust; return 0;
	case MSR_KVM_WALL_CLOCK: case MSR_KVM_WALL_CLOCK_NEW:
		if (!x86_guest_pv_has(cpu, pv_time_bit(i)))
			return -1;
		*v = x86_cpu_vm(cpu)->m.wall_clock_gpa;
		return 0;
	case MSR_KVM_SYSTEM_TIME: case MSR_KVM_SYSTEM_TIME_NEW:
		if (!x86_guest_pv_has(cpu, pv_time_bit(i)))
			return -1;
		*v = cpu->m.system_time;
		return 0;
	case MSR_MTRRCAP:
		*v = 0x500 | X86_MTRR_VAR;	/* WC, fixed ranges, 8 variable */
		return 0;
	case MSR_SMBASE:
		if (!host)
			return -1;	/* only SMM code may read it */
		*v = cpu->m.smbase;
		return 0;
	case MSR_MCG_CAP: *v = cpu->m.mcg_cap; return 0;
	case MSR_MCG_STATUS: *v = cpu->m.mcg_status; return 0;
	case MSR_MCG_CTL:
		if (!(cpu->m.mcg_cap & MCG_CTL_P) && !host)
			return -1;
		*v = cpu->m.mcg_ctl;
		return 0;
	case MSR_XSS:
		if (!host && !x86_guest_has(cpu, 0xd, 1, 0, 3))
			return -1;
		*v = cpu->m.xss;
		return 0;
	case MSR_AMD_HWCR: *v = cpu->m.msr_hwcr; return 0;
	case MSR_POWER_CTL: *v = cpu->m.power_ctl; return 0;
	case MSR_AMD_INT_PENDING: *v = 0; return 0;
	case MSR_AMD_NB_CFG: *v = 0; return 0;	/* as KVM: reads 0 */
	case MSR_AMD_PERF_CTL0 ... MSR_AMD_PERF_CTR3:
	case MSR_P6_PERFCTR0: case MSR_P6_PERFCTR1:
	case MSR_P6_EVNTSEL0: case MSR_P6_EVNTSEL1:
		*v = 0;		/* no PMU: the counters read 0, as KVM's */
		return 0;
	default:
		return x86_hv_msr_get(cpu, i, v, host) ? -1 : 0;
	}
}

/* set_msr_mce */
static int mce_set(struct x86_cpu *cpu, u32 i, u64 v, bool host)
{
	u64 *b = mce_reg(cpu, i);
	u32 off;

	if (i == MSR_MCG_STATUS) {
		cpu->m.mcg_status = v;
		return 0;
	}
	if (i == MSR_MCG_CTL) {
		if (!(cpu->m.mcg_cap & MCG_CTL_P) && (v || !host))
			return -1;
		if (v != 0 && v != ~0ULL)
			return -1;
		cpu->m.mcg_ctl = v;
		return 0;
	}
	if (!b)
		return 1;
	off = i - MSR_MC0_CTL;
	/* MCi_CTL: 0 or all ones (bit 10 and bit 0 may be clear) */
	if ((off & 3) == 0 && v && (v | (1ULL << 10) | 1) != ~0ULL)
		return -1;
	/* MCi_STATUS: the guest may write only 0, unless AMD's McStatusWrEn */
	if ((off & 3) == 1 && v && !host && !(cpu->m.msr_hwcr & (1ULL << 18)))
		return -1;
	*b = v;
	return 0;
}

static int pv_time_set(struct x86_cpu *cpu, u32 i, u64 v)
{
	if (!x86_guest_pv_has(cpu, pv_time_bit(i)))
		return -1;
	if (i == MSR_KVM_WALL_CLOCK || i == MSR_KVM_WALL_CLOCK_NEW)
		return x86_kvmclock_wall_clock(cpu, v);
	return x86_kvmclock_system_time(cpu, v);
}

int x86_msr_ext_set(struct x86_cpu *cpu, u32 i, u64 v, bool host)
{
	int f = mtrr_fixed_idx(i);

	if (f >= 0 || is_mtrr_var(i)) {
		if (!mtrr_ok(cpu, i, v))
			return -1;
		if (f >= 0)
			cpu->m.mtrr_fixed[f] = v;
		else
			cpu->m.mtrr_var[i - MSR_MTRR_BASE0] = v;
		return 0;
	}
	if (i == MSR_MCG_STATUS || i == MSR_MCG_CTL ||
	    (i >= MSR_MC0_CTL && i < MSR_MC0_CTL + 4 * X86_MCE_BANKS))
		return mce_set(cpu, i, v, host) ? -1 : 0;
	switch (i) {
	case MSR_TSC_ADJUST: return x86_tsc_adjust_write(cpu, v, host);
	case MSR_KVM_WALL_CLOCK: case MSR_KVM_SYSTEM_TIME:
	case MSR_KVM_WALL_CLOCK_NEW: case MSR_KVM_SYSTEM_TIME_NEW:
		return pv_time_set(cpu, i, v);
	case MSR_SMBASE:
		if (!host)
			return -1;
		cpu->m.smbase = v;
		return 0;
	case MSR_MCG_CAP:
		return -1;		/* set through KVM_X86_SETUP_MCE */
	case MSR_XSS:
		/* no supervisor state component is supported */
		if (v || (!host && !x86_guest_has(cpu, 0xd, 1, 0, 3)))
			return -1;
		cpu->m.xss = v;
		return 0;
	case MSR_AMD_HWCR:
		/* flush filter, IGNNE, TLB cache bits are ignored; of the
		 * rest only McStatusWrEn and TscFreqSel may be set */
		v &= ~0x148ULL;
		if (v & ~((1ULL << 24) | (1ULL << 18)))
			return -1;
		cpu->m.msr_hwcr = v;
		return 0;
	case MSR_POWER_CTL:
		cpu->m.power_ctl = v;	/* kept, as KVM does; no effect */
		return 0;
	case MSR_AMD_INT_PENDING:
	case MSR_AMD_NB_CFG:	/* Linux's amd_bus_cpu_online sets a bit */
		return 0;	/* KVM ignores writes to both */
	case MSR_AMD_PERF_CTL0 ... MSR_AMD_PERF_CTR3:
	case MSR_P6_PERFCTR0: case MSR_P6_PERFCTR1:
	case MSR_P6_EVNTSEL0: case MSR_P6_EVNTSEL1:
		/* without a PMU KVM drops every write to the legacy
		 * counters and event selects (logged when not 0) */
		return 0;
	default:
		return x86_hv_msr_set(cpu, i, v, host);
	}
}
