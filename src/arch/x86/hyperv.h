/* SPDX-License-Identifier: MIT */
/*
 * Hyper-V enlightenments for x86 guests, as arch/x86/kvm/hyperv.c offers
 * them: the Hyper-V CPUID leaves (KVM_GET_SUPPORTED_HV_CPUID), the
 * synthetic MSRs (hyperv.c, hyperv_vp.c), the SynIC and its synthetic timers
 * (hyperv_synic.c) and the hypercalls (hyperv_hcall.c).
 *
 * A vCPU is "Hyper-V enabled" when its CPUID 0x40000001 EAX is "Hv#1"
 * (KVM's hyperv_enabled); only then may the guest touch the synthetic
 * MSRs, and its VMCALL goes to the Hyper-V hypercall handler once the
 * guest OS id is set.  KVM_CAP_HYPERV_ENFORCE_CPUID further limits the
 * guest to the features its CPUID 0x40000003/4/0x40000082 grant.
 */
#ifndef KVMU_X86_HYPERV_H
#define KVMU_X86_HYPERV_H

#include <stdatomic.h>
#include <pthread.h>

#include "kvmu_int.h"

#define X86_HV_SINTS		16
#define X86_HV_STIMERS		4
#define X86_HV_MAX_VCPUS	1024	/* KVM_MAX_VCPUS: VP index bound */
#define X86_HV_BANKS		(X86_HV_MAX_VCPUS / 64)

/* One synthetic timer (HV_X64_MSR_STIMERn_CONFIG/COUNT). */
struct x86_hv_stimer {
	u64 config;
	u64 count;
	u64 exp_time;			/* reference time (100 ns) of expiry */
	bool pending;			/* check it at the next entry */
	bool msg_pending;		/* expired, message not delivered */
};

/* Per vCPU (KVM's struct kvm_vcpu_hv), owned by the vCPU thread. */
struct x86_hv_cpu {
	_Atomic u32 vp_index;		/* read by other vCPUs' hypercalls */
	bool enforce_cpuid;		/* KVM_CAP_HYPERV_ENFORCE_CPUID */
	u64 vp_assist;			/* HV_X64_MSR_VP_ASSIST_PAGE */
	s64 runtime_offset;		/* VP_RUNTIME = thread CPU time + it */
	/* SynIC */
	bool synic_active;		/* KVM_CAP_HYPERV_SYNIC(2) enabled */
	bool dont_zero_pages;		/* SYNIC2 */
	u64 scontrol, sversion, siefp, simp;
	_Atomic u64 sint[X86_HV_SINTS];
	struct x86_hv_stimer stimer[X86_HV_STIMERS];
	u64 stimer_deadline[X86_HV_STIMERS];	/* host ns, 0: not armed */
	/* an exit to take after the current instruction retires */
	u32 exit_kind;			/* X86_HV_EXIT_* */
	struct kvm_hyperv_exit exit;
	/* an exit user space answers on the next KVM_RUN (X86_HV_WAIT_*) */
	u8 wait;
	u32 hcall_len;			/* the VMCALL to retire then */
	/* remote TLB flush requests (HvCallFlushVirtualAddress*) */
	_Atomic u64 flush_req;
	_Atomic u64 flush_ack;
	/* hypercalls served in kvmu, by kind (docs/hyperv.md) */
	_Atomic u64 nr_hcalls, nr_ipi_hcalls, nr_flush_hcalls;
};

enum { X86_HV_EXIT_NONE, X86_HV_EXIT_HYPERV, X86_HV_EXIT_CRASH,
       X86_HV_EXIT_RESET };
enum { X86_HV_WAIT_NONE, X86_HV_WAIT_HCALL, X86_HV_WAIT_SYNDBG };

/* The TSC page states of KVM's hv_tsc_page_status. */
enum { X86_HV_TSC_UNSET, X86_HV_TSC_GUEST_CHANGED, X86_HV_TSC_HOST_CHANGED,
       X86_HV_TSC_SET, X86_HV_TSC_BROKEN };

/* A connection id bound by KVM_HYPERV_EVENTFD (our dup of the eventfd). */
struct x86_hv_conn {
	u32 id;
	int fd;
};

/* Per VM: the partition-wide MSRs (KVM's struct kvm_hv). */
struct x86_hv_vm {
	pthread_mutex_t lock;
	bool lock_init;
	u64 guest_os_id, hypercall, tsc_page_msr;
	_Atomic int tsc_status;		/* read unlocked at entry */
	u64 tsc_scale;			/* what the TSC page holds */
	s64 tsc_offset;
	u32 tsc_seq;
	u64 crash[5], crash_ctl;
	u64 reenlightenment, tsc_emul_ctl, tsc_emul_status;
	u64 syndbg_control, syndbg_status, syndbg_send, syndbg_recv,
	    syndbg_pending, syndbg_options;
	struct x86_hv_conn *conns;	/* KVM_HYPERV_EVENTFD, under lock */
	u32 nr_conns, cap_conns;
};

struct x86_cpu;
struct kvmu_obj;
struct kvmu_ioctl_req;

/* ---- hyperv.c ---- */

/* A new vCPU: VP index = its position, SynIC masked (kvm_hv_vcpu_init). */
void x86_hv_cpu_init(struct x86_cpu *cpu);
/* VM creation/destruction of the partition-wide state. */
void x86_hv_vm_init(struct x86_hv_vm *hv);
void x86_hv_vm_destroy(struct x86_hv_vm *hv);
/* KVM_CHECK_EXTENSION for the Hyper-V capabilities; 0: not ours. */
long x86_hv_check_extension(long cap);
/* KVM_ENABLE_CAP on a vCPU: 1 not ours, else 0 or -errno. */
long x86_hv_vcpu_enable_cap(struct x86_cpu *cpu,
			    const struct kvm_enable_cap *c);
/* KVM_GET_SUPPORTED_HV_CPUID on the system (cpu NULL) or a vCPU. */
long x86_hv_get_supported_cpuid(struct x86_cpu *cpu,
				struct kvmu_ioctl_req *r);
/* CPUID 0x40000001 EAX is "Hv#1": the guest may use Hyper-V. */
bool x86_hv_enabled(struct x86_cpu *cpu);
/* The value of one register of a Hyper-V CPUID leaf in the VMM's table. */
u32 x86_hv_cpuid_reg(struct x86_cpu *cpu, u32 leaf, int reg);
/* The synthetic MSRs: 0 done, -1 #GP, 1 not a Hyper-V MSR. */
int x86_hv_msr_get(struct x86_cpu *cpu, u32 index, u64 *v, bool host);
int x86_hv_msr_set(struct x86_cpu *cpu, u32 index, u64 v, bool host);
/* Append the Hyper-V MSRs VMMs save (KVM_GET_MSR_INDEX_LIST). */
u32 x86_hv_msr_list(u32 *out, u32 max);
/* Reference time in 100 ns units (HV_X64_MSR_TIME_REF_COUNT). */
u64 x86_hv_ref_time(struct x86_cpu *cpu);
/* Before guest entry: refresh the TSC page, run the timers, flush. */
void x86_hv_entry(struct x86_cpu *cpu);
/* KVM_SET_CLOCK moved kvmclock: the TSC page follows at the next entry. */
void x86_hv_clock_changed(struct kvmu_vm *vm);
/* After a WRMSR retired: the exit it asked for; X86_OK if none. */
int x86_hv_after_wrmsr(struct x86_cpu *cpu);
/* KVM_RUN after an exit waiting for user space (io_wait X86_WAIT_HV). */
void x86_hv_complete(struct x86_cpu *cpu);
/* Take remote TLB flush requests addressed to this vCPU. */
void x86_hv_flush_self(struct x86_cpu *cpu);
static inline bool x86_hv_flush_wanted(struct x86_hv_cpu *hv)
{
	return atomic_load_explicit(&hv->flush_req, memory_order_acquire) !=
	       atomic_load_explicit(&hv->flush_ack, memory_order_relaxed);
}

/* ---- hyperv_vp.c ---- */

/* The per-VP MSRs once allowed: 0 done, -1 #GP. */
int x86_hv_vp_set(struct x86_cpu *cpu, u32 index, u64 v, bool host);
int x86_hv_vp_get(struct x86_cpu *cpu, u32 index, u64 *v, bool host);

/* ---- hyperv_synic.c ---- */

int x86_hv_synic_get(struct x86_cpu *cpu, u32 index, u64 *v, bool host);
int x86_hv_synic_set(struct x86_cpu *cpu, u32 index, u64 v, bool host);
int x86_hv_stimer_get(struct x86_cpu *cpu, u32 index, u64 *v);
int x86_hv_stimer_set(struct x86_cpu *cpu, u32 index, u64 v, bool host);
/* Expire due synthetic timers and restart them (kvm_hv_process_stimers);
 * the next deadline in kvmu_now_ns() time, 0: none. */
u64 x86_hv_stimers_run(struct x86_cpu *cpu, u64 now_ns);
/* Reset SINTs and timers as synic_init/stimer_init. */
void x86_hv_synic_init(struct x86_hv_cpu *hv);
/* The LAPIC EOIed vector: SINTs on it are acknowledged (send_eoi). */
void x86_hv_synic_eoi(struct x86_cpu *cpu, int vector);
/* Is vector an auto-EOI SINT's (no ISR bit when taken)? */
bool x86_hv_synic_auto_eoi(struct x86_cpu *cpu, int vector);

/* ---- hyperv_route.c ---- */

/* KVM_IRQ_ROUTING_HV_SINT entries, for the irqchip's routing hooks. */
int x86_hv_sint_route_check(struct kvmu_vm *vm,
			    const struct kvm_irq_routing_entry *e);
int x86_hv_sint_route_set(struct kvmu_vm *vm,
			  const struct kvm_irq_routing_entry *e, int level);
/* Raise SINT sint of the vCPU with VP index vp; kvm_set_irq's returns. */
int x86_hv_synic_set_irq(struct kvmu_vm *vm, u32 vp, u32 sint);
/* The guest is done with sint: acknowledge its HV_SINT route's GSI. */
void x86_hv_sint_route_ack(struct x86_cpu *cpu, u32 sint);
/* KVM_HYPERV_EVENTFD (VM ioctl). */
long x86_vm_hyperv_eventfd(struct kvmu_obj *obj, struct kvmu_ioctl_req *r);
/* Close the bound eventfds (VM destruction). */
void x86_hv_conns_free(struct x86_hv_vm *hv);
/* HvCallSignalEvent's lookup; a Hyper-V status (17: no such port). */
u64 x86_hv_signal_event(struct x86_cpu *cpu, u64 in, bool fast);

/* ---- hyperv_hcall.c ---- */

/* VMCALL/VMMCALL when Hyper-V hypercalls are on (guest OS id set). */
bool x86_hv_hypercall_enabled(struct x86_cpu *cpu);
/* Serve a Hyper-V hypercall of the instruction of len bytes; x86 status. */
int x86_hv_hypercall(struct x86_cpu *cpu, u32 len);
/* KVM_RUN after KVM_EXIT_HYPERV_HCALL: the VMM's result into RAX. */
void x86_hv_hcall_complete(struct x86_cpu *cpu);

#endif /* KVMU_X86_HYPERV_H */
