// SPDX-License-Identifier: MIT
/*
 * Instructions a hypervisor answers rather than the CPU: the KVM
 * hypercall (VMCALL/VMMCALL) as kvm_emulate_hypercall serves it, and the
 * instructions KVM refuses because its CPUID says the guest lacks them:
 * INVPCID without the CPUID.7.EBX bit, RDPRU (never exposed), RDPMC
 * without a virtual PMU.
 *
 * Hypercall ABI (Documentation/virt/kvm/x86/hypercalls.rst): number in
 * RAX, arguments in RBX, RCX, RDX, RSI, result in RAX; outside 64-bit mode
 * everything is truncated to 32 bits.  Above CPL 0 the result is
 * -KVM_EPERM, an unknown number gives -KVM_ENOSYS, and so does a call whose
 * PV feature bit the guest's CPUID 0x40000001 lacks when user space enabled
 * KVM_CAP_ENFORCE_PV_FEATURE_CPUID.  The instruction of the
 * other vendor (VMMCALL on Intel, VMCALL on AMD) is rewritten in guest
 * memory to the native one and run again, as KVM does with its default
 * KVM_X86_QUIRK_FIX_HYPERCALL_INSN; with that quirk disabled
 * (KVM_CAP_DISABLE_QUIRKS2) it raises #UD.
 */
#include <errno.h>
#include <sched.h>

#include "arch/x86/exec_int.h"
#include "arch/x86/x86_int.h"

#define KVM_ENOSYS_		1000
#define KVM_EPERM_		1
#define KVM_EOPNOTSUPP_		95

#define HC_VAPIC_POLL_IRQ	1
#define HC_KICK_CPU		5
#define HC_CLOCK_PAIRING	9
#define HC_SEND_IPI		10
#define HC_SCHED_YIELD		11
#define HC_MAP_GPA_RANGE	12

struct hc_args {
	u64 a[4];		/* RBX, RCX, RDX, RSI */
	bool op64;
};

typedef s64 (*hc_fn)(struct x86_cpu *cpu, const struct hc_args *h);

static s64 hc_poll_irq(struct x86_cpu *cpu KVMU_UNUSED,
		       const struct hc_args *h KVMU_UNUSED)
{
	return 0;
}

/* a1: APIC ID of the vCPU to wake; KVM answers 0 whatever happened. */
static s64 hc_kick_cpu(struct x86_cpu *cpu, const struct hc_args *h)
{
	x86_lapic_pv_kick(cpu, (u32)h->a[1]);
	sched_yield();
	return 0;
}

/*
 * KVM needs a TSC-based host clocksource and kvmclock to pair clocks;
 * it answers -KVM_EOPNOTSUPP without them, and so do we.
 */
static s64 hc_clock_pairing(struct x86_cpu *cpu KVMU_UNUSED,
			    const struct hc_args *h KVMU_UNUSED)
{
	return -KVM_EOPNOTSUPP_;
}

/* a0/a1: 128-bit destination bitmap, a2: its first APIC ID, a3: ICR. */
static s64 hc_send_ipi(struct x86_cpu *cpu, const struct hc_args *h)
{
	return x86_lapic_pv_send_ipi(cpu, h->a[0], h->a[1], (u32)h->a[2],
				     h->a[3], h->op64);
}

static s64 hc_sched_yield(struct x86_cpu *cpu KVMU_UNUSED,
			  const struct hc_args *h KVMU_UNUSED)
{
	sched_yield();
	return 0;
}

/*
 * Served only when user space enabled its exit (KVM_CAP_EXIT_HYPERCALL),
 * which kvmu does not offer: -KVM_ENOSYS, as KVM answers then.
 */
static s64 hc_map_gpa_range(struct x86_cpu *cpu KVMU_UNUSED,
			    const struct hc_args *h KVMU_UNUSED)
{
	return -KVM_ENOSYS_;
}

/* KVM_FEATURE_* bits of CPUID 0x40000001 EAX that gate a hypercall */
#define PV_UNHALT		7
#define PV_SEND_IPI		11
#define PV_SCHED_YIELD		13

static const hc_fn hypercalls[] = {
	[HC_VAPIC_POLL_IRQ] = hc_poll_irq,
	[HC_KICK_CPU] = hc_kick_cpu,
	[HC_CLOCK_PAIRING] = hc_clock_pairing,
	[HC_SEND_IPI] = hc_send_ipi,
	[HC_SCHED_YIELD] = hc_sched_yield,
	[HC_MAP_GPA_RANGE] = hc_map_gpa_range,
};

/*
 * The feature bit each hypercall needs, plus one (0: ungated), as
 * kvm_emulate_hypercall checks guest_pv_has.  MAP_GPA_RANGE is gated by
 * its exit being enabled instead, which hc_map_gpa_range answers.
 */
static const u8 hypercall_pv_bit[ARRAY_SIZE(hypercalls)] = {
	[HC_KICK_CPU] = PV_UNHALT + 1,
	[HC_SEND_IPI] = PV_SEND_IPI + 1,
	[HC_SCHED_YIELD] = PV_SCHED_YIELD + 1,
};

static bool hypercall_allowed(struct x86_cpu *cpu, u64 nr)
{
	if (nr >= ARRAY_SIZE(hypercalls) || !hypercalls[nr])
		return false;
	return !hypercall_pv_bit[nr] ||
	       x86_guest_pv_has(cpu, hypercall_pv_bit[nr] - 1);
}

bool x86_guest_amd(struct x86_cpu *cpu)
{
	u32 v[4];

	x86_cpuid(cpu, 0, 0, v);
	/* "AuthenticAMD" or "HygonGenuine" in EBX */
	return v[1] == 0x68747541 || v[1] == 0x6f677948;
}

static enum x86_status hypercall(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	struct hc_args h = { .op64 = cpu->mode == X86_MODE_LONG64 };
	u64 nr = cpu->gpr[X86_RAX], mask = h.op64 ? ~0ULL : 0xffffffffULL;
	s64 ret = -KVM_ENOSYS_;

	/* Hyper-V's calls once the guest set its OS id (hyperv_hcall.c) */
	if (x86_hv_hypercall_enabled(cpu))
		return (enum x86_status)x86_hv_hypercall(cpu, in->len);
	h.a[0] = cpu->gpr[X86_RBX] & mask;
	h.a[1] = cpu->gpr[X86_RCX] & mask;
	h.a[2] = cpu->gpr[X86_RDX] & mask;
	h.a[3] = cpu->gpr[X86_RSI] & mask;
	nr &= mask;
	if (x86_cpl(cpu) != 0)
		ret = -KVM_EPERM_;
	else if (hypercall_allowed(cpu, nr))
		ret = hypercalls[nr](cpu, &h);
	cpu->gpr[X86_RAX] = (u64)ret & mask;
	return X86_OK;
}

/* The other vendor's form: patch in the native one and run it again. */
static enum x86_status fix_hypercall(struct x86_cpu *cpu, bool amd)
{
	u8 insn[3] = { 0x0f, 0x01, amd ? 0xd9 : 0xc1 };
	u64 lin = cpu->seg[X86_CS].base + cpu->rip;
	enum x86_status st;

	/* KVM_CAP_DISABLE_QUIRKS2 took the quirk away: a plain #UD */
	if (x86_cpu_vm(cpu)->m.disabled_quirks &
	    KVM_X86_QUIRK_FIX_HYPERCALL_INSN)
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	if (cpu->mode != X86_MODE_LONG64)
		lin &= 0xffffffffULL;
	st = x86_write_lin(cpu, lin, insn, sizeof(insn), X86_ACC_WRITE);
	return st == X86_OK ? X86_JUMP : st;
}

static X86_HANDLER(h_vmcall)
{
	return x86_guest_amd(cpu) ? fix_hypercall(cpu, true) :
				    hypercall(cpu, in);
}

static X86_HANDLER(h_vmmcall)
{
	return x86_guest_amd(cpu) ? hypercall(cpu, in) :
				    fix_hypercall(cpu, false);
}

/*
 * INVPCID: #UD unless CPUID.(7,0):EBX[10]; then CPL 0 only, a type of at
 * most 3 and a descriptor with PCID < 4096 (and a canonical address for
 * type 0).  kvmu's TLB is not tagged by PCID, so every type flushes it.
 */
static X86_HANDLER(h_invpcid)
{
	const struct x86_operand *m = &in->op[1];
	u64 type, desc[2];
	enum x86_status st;
	u32 v[4];

	x86_cpuid(cpu, 7, 0, v);
	if (!(v[1] & (1U << 10)))
		return x86_ud(cpu);
	if (x86_cpl(cpu) != 0)
		return x86_raise(cpu, X86_GP, 0);
	st = x86_op_read(cpu, in, 0, &type);
	if (st == X86_OK)
		st = x86_read(cpu, m->seg, x86_ea(cpu, in, m), desc, 16);
	if (st != X86_OK)
		return st;
	if (type > 3 || (desc[0] >> 12) ||
	    (type == 0 && !x86_canonical(desc[1])))
		return x86_raise(cpu, X86_GP, 0);
	x86_tlb_flush(cpu);
	return X86_OK;
}

/* KVM never exposes RDPRU (svm: intercepted, #UD). */
static X86_HANDLER(h_rdpru)
{
	return x86_ud(cpu);
}

/*
 * RDPMC: #GP above CPL 0 without CR4.PCE; kvmu has no virtual PMU
 * (CPUID.0xA.EAX version 0), so every counter is invalid: #GP(0), as
 * kvm_emulate_rdpmc answers when kvm_pmu_rdpmc fails.
 */
static X86_HANDLER(h_rdpmc)
{
	return x86_raise(cpu, X86_GP, 0);
}

/*
 * MONITOR/MWAIT (kvm_emulate_monitor_mwait): #UD above CPL 0; else NOPs,
 * unless user space disabled KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS and the
 * guest's CPUID lacks MONITOR (leaf 1 ECX bit 3), then #UD.
 */
static X86_HANDLER(h_monitor_mwait)
{
	if (x86_cpl(cpu) > 0)
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	if ((x86_cpu_vm(cpu)->m.disabled_quirks &
	     KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS) &&
	    !x86_guest_has(cpu, 1, 0, 2, 3))
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	return X86_OK;
}

const struct x86_op_entry x86_ops_hyper[] = {
	{ ZYDIS_MNEMONIC_MONITOR, h_monitor_mwait },
	{ ZYDIS_MNEMONIC_MWAIT, h_monitor_mwait },
	{ ZYDIS_MNEMONIC_VMCALL, h_vmcall },
	{ ZYDIS_MNEMONIC_VMMCALL, h_vmmcall },
	{ ZYDIS_MNEMONIC_INVPCID, h_invpcid },
	{ ZYDIS_MNEMONIC_RDPRU, h_rdpru },
	{ ZYDIS_MNEMONIC_RDPMC, h_rdpmc },
	{ 0, NULL },
};
