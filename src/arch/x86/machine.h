/* SPDX-License-Identifier: MIT */
/*
 * The x86 machine state around the CPU that KVM keeps in the kernel:
 * TSC and kvmclock, MTRRs, machine-check banks, paravirtual MSRs, the
 * VM-wide knobs of capabilities (tsc.c, msr_ext.c, mce.c, machine.c).
 */
#ifndef KVMU_X86_MACHINE_H
#define KVMU_X86_MACHINE_H

#include "kvmu_int.h"
#include "arch/x86/hyperv.h"

#define X86_MCE_BANKS		32	/* KVM_MAX_MCE_BANKS */
#define X86_MTRR_VAR		8	/* MTRRcap.VCNT, as KVM */

/* User space's answer to a KVM_EXIT_X86_RDMSR/WRMSR (msr_filter.c). */
struct x86_msr_reply {
	bool valid, write, error;
	u32 index;
	u64 data;
};

struct x86_msr_filter;

/* Per vCPU (KVM's vcpu->arch fields of the same names). */
struct x86_machine_cpu {
	s64 tsc_adjust;			/* IA32_TSC_ADJUST */
	u32 tsc_khz;			/* virtual_tsc_khz */
	u64 system_time;		/* MSR_KVM_SYSTEM_TIME(_NEW) value */
	bool pv_time_enabled;
	u64 pvclock_gpa;
	u64 mtrr_fixed[11];		/* 0x250, 0x258, 0x259, 0x268-0x26f */
	u64 mtrr_var[2 * X86_MTRR_VAR];	/* base/mask pairs 0x200-0x20f */
	u64 mcg_cap, mcg_status, mcg_ctl, mcg_ext_ctl;
	u64 mce_banks[X86_MCE_BANKS * 4];	/* ctl, status, addr, misc */
	u64 smbase;
	bool smm, smi_pending;		/* in SMM; an SMI waits (smm.c) */
	bool smm_inside_nmi;		/* NMIs were blocked at SMM entry */
	u64 platform_info;		/* MSR_PLATFORM_INFO */
	u64 xss;
	u64 perf_caps;
	u64 msr_hwcr;			/* AMD 0xc0010015 */
	u64 power_ctl;			/* MSR_IA32_POWER_CTL */
	u64 pv_eoi, async_pf_en, async_pf_int, steal_time, poll_control;
	u64 pv_msr_ack;			/* MSR_KVM_ASYNC_PF_ACK */
	bool enforce_pv_cpuid;		/* KVM_CAP_ENFORCE_PV_FEATURE_CPUID */
	struct x86_msr_reply msr_reply;
	struct x86_hv_cpu hv;		/* Hyper-V (hyperv.h) */
};

/* Per VM (kvm->arch). */
struct x86_machine_vm {
	u32 max_vcpu_ids;		/* 0: not fixed yet */
	u32 nr_mmu_pages;		/* KVM_SET_NR_MMU_PAGES, 0: default */
	u64 disabled_quirks;
	u32 default_tsc_khz;
	/* kvm_synchronize_tsc's memory of the last write */
	pthread_mutex_t tsc_lock;
	s64 cur_tsc_offset;
	u64 last_tsc_write, last_tsc_host_ns;
	u32 last_tsc_khz;
	bool tsc_written;
	/* kvmclock's master pair (tsc.c): ns master_ns at host TSC master_tsc */
	u64 master_tsc, master_ns;
	u64 wall_clock_gpa;
	struct x86_msr_filter *msr_filter;	/* KVM_X86_SET_MSR_FILTER */
	u32 user_space_msr_mask;	/* KVM_CAP_X86_USER_SPACE_MSR */
	struct x86_hv_vm hv;		/* Hyper-V partition (hyperv.h) */
};

struct x86_cpu;
struct x86_vm;

/* tsc.c */
/* The host TSC frequency in kHz (measured once). */
u32 x86_host_tsc_khz(void);
/* Guest TSC now. */
u64 x86_guest_tsc(struct x86_cpu *cpu);
/* Guest TSC at host TSC value host. */
u64 x86_guest_tsc_at(struct x86_cpu *cpu, u64 host);
/* A new vCPU: TSC 0, synchronised with its siblings as KVM does. */
void x86_tsc_init(struct x86_cpu *cpu);
/* MSR_IA32_TSC / TSC_ADJUST reads and writes (KVM's rules). */
u64 x86_tsc_msr_read(struct x86_cpu *cpu);
void x86_tsc_msr_write(struct x86_cpu *cpu, u64 v, bool host);
int x86_tsc_adjust_write(struct x86_cpu *cpu, u64 v, bool host);
/* kvmclock MSR writes; 0 or -1 (#GP). */
int x86_kvmclock_system_time(struct x86_cpu *cpu, u64 v);
int x86_kvmclock_wall_clock(struct x86_cpu *cpu, u64 gpa);
/*
 * Refresh the guest's pvclock page before entering the guest; 0, or
 * -EFAULT with KVM_EXIT_MEMORY_FAULT when the plane may not write it.
 */
int x86_kvmclock_update(struct x86_cpu *cpu);
/* kvmclock nanoseconds of vm now. */
u64 x86_kvmclock_ns(struct kvmu_vm *vm);
void x86_vm_clock_init(struct kvmu_vm *vm);

/* msr_ext.c: MSRs beyond the CPU's own; 0, or -1 when it does not exist. */
int x86_msr_ext_get(struct x86_cpu *cpu, u32 index, u64 *v, bool host);
/* 0, -1 (#GP / refuse), or 1 when the MSR does not exist. */
int x86_msr_ext_set(struct x86_cpu *cpu, u32 index, u64 v, bool host);
/* Append the extended MSR lists (index, feature); returns the count. */
u32 x86_msr_ext_list(u32 *out, u32 max);
u32 x86_msr_ext_feature_list(u32 *out, u32 max);
/*
 * guest_pv_has: false only when KVM_CAP_ENFORCE_PV_FEATURE_CPUID is on and
 * the guest's CPUID 0x40000001 EAX lacks bit (PV MSRs and hypercalls).
 */
bool x86_guest_pv_has(struct x86_cpu *cpu, int bit);
/* A feature MSR on the system fd (KVM_GET_MSRS); 0 or -1. */
int x86_msr_feature_get(u32 index, u64 *v);
/* Reset values of the machine MSRs (vCPU creation). */
void x86_machine_cpu_init(struct x86_cpu *cpu);

/* msr_filter.c */
/* Guest RDMSR/WRMSR with filter and user-space exits: 0, -1 #GP, 1 exit. */
int x86_msr_guest_read(struct x86_cpu *cpu, u32 index, u64 *val);
int x86_msr_guest_write(struct x86_cpu *cpu, u32 index, u64 val);
/* KVM_RUN after an MSR exit: take run->msr's answer. */
void x86_msr_user_done(struct x86_cpu *cpu);
int x86_msr_user_space_enable(struct kvmu_vm *vm, u64 mask);
void x86_msr_filter_free(struct kvmu_vm *vm);

/* machine.c */
long x86_machine_check_extension(struct kvmu_vm *vm, long cap);
int x86_machine_enable_cap(struct kvmu_vm *vm, const struct kvm_enable_cap *c);
/* KVM_ENABLE_CAP on a vCPU fd. */
long x86_machine_vcpu_enable_cap(struct x86_cpu *cpu,
				 const struct kvm_enable_cap *c);
/* KVM_RUN entry/exit halves of KVM_CAP_SYNC_REGS. */
int x86_sync_regs_in(struct x86_cpu *cpu);
void x86_sync_regs_out(struct x86_cpu *cpu);

#endif /* KVMU_X86_MACHINE_H */
