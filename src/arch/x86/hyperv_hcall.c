// SPDX-License-Identifier: MIT
/*
 * Hyper-V hypercalls, as kvm_hv_hypercall decodes and serves them.
 *
 * Input: the control word (code, fast bit, variable header size, rep
 * count and start index) in RCX, input and output GPAs in RDX and R8 for a
 * 64-bit caller; EDX:EAX, EBX:ECX and EDI:ESI for a 32-bit one.  A fast
 * call passes its input in those two registers instead, an XMM fast call
 * continues in XMM0-XMM5.  The status (and reps completed) goes to RAX, or
 * EDX:EAX.  CPL > 0 and real mode get #UD.
 *
 * Served here: HvCallSendSyntheticClusterIpi(Ex), HvCallFlushVirtual-
 * AddressSpace/List(Ex) and HvCallNotifyLongSpinWait.  HvCallPostMessage,
 * HvCallSignalEvent for a connection without a KVM_HYPERV_EVENTFD
 * (hyperv_route.c) and the synthetic
 * debugger calls exit to user space with KVM_EXIT_HYPERV_HCALL, and the
 * VMM's result reaches the guest on the next KVM_RUN; unknown codes answer
 * HV_STATUS_INVALID_HYPERCALL_CODE, as KVM does.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/x86_int.h"
#include "arch/x86/irqchip.h"

#define HVCALL_FLUSH_SPACE	0x0002
#define HVCALL_FLUSH_LIST	0x0003
#define HVCALL_SPIN_WAIT	0x0008
#define HVCALL_SEND_IPI		0x000b
#define HVCALL_FLUSH_SPACE_EX	0x0013
#define HVCALL_FLUSH_LIST_EX	0x0014
#define HVCALL_SEND_IPI_EX	0x0015
#define HVCALL_POST_MESSAGE	0x005c
#define HVCALL_SIGNAL_EVENT	0x005d
#define HVCALL_POST_DEBUG	0x0069
#define HVCALL_RETRIEVE_DEBUG	0x006a
#define HVCALL_RESET_DEBUG	0x006b

#define ST_SUCCESS		0
#define ST_INVALID_CODE		2
#define ST_INVALID_INPUT	3
#define ST_INVALID_PARAMETER	5
#define ST_ACCESS_DENIED	6
#define ST_OPERATION_DENIED	8
#define ST_INVALID_PORT_ID	17

#define CTL_FAST		(1ULL << 16)
#define CTL_RSVD		(0x1fULL << 27 | 0xfULL << 44 | 0xfULL << 60)
#define XMM_REGS		6
#define FLUSH_ALL_PROCESSORS	1ULL
#define SET_SPARSE_4K		0
#define SET_ALL			1
#define IPI_LOW_VECTOR		0x10

/* CPUID bits that gate calls under ENFORCE_CPUID */
#define F_POST_MESSAGES		(1U << 4)	/* 0x40000003 EBX */
#define F_SIGNAL_EVENTS		(1U << 5)
#define F_DEBUGGING		(1U << 11)
#define F_XMM_INPUT		(1U << 4)	/* 0x40000003 EDX */
#define R_REMOTE_TLB_FLUSH	(1U << 2)	/* 0x40000004 EAX */
#define R_CLUSTER_IPI		(1U << 10)
#define R_EX_MASKS		(1U << 11)
#define SYNDBG_ALLOW_KERNEL	(1U << 1)	/* 0x40000082 EAX */
#define SYNDBG_USE_HCALLS	(1ULL << 2)	/* SYNDBG_OPTIONS */

struct hcall {
	u64 param, ingpa, outgpa;
	u16 code, var_cnt, rep_cnt, rep_idx;
	bool fast, rep;
	u64 xmm[2 * XMM_REGS];		/* XMM0-5, low then high halves */
};

/* A set of vCPU positions (vm->vcpus indexes) a call addresses. */
struct vcpu_set {
	bool all;
	u64 banks[X86_HV_BANKS];	/* by VP index */
};

/*
 * KVMU_HV_TRACE=1: one line on stderr at the 1st, 10th, 100th, ... call
 * of each kind served per vCPU, so that a boot shows which paravirtual
 * paths the guest takes (docs/hyperv.md).
 */
static pthread_once_t trace_once = PTHREAD_ONCE_INIT;
static bool trace_on;

static void trace_init(void)
{
	const char *e = getenv("KVMU_HV_TRACE");

	trace_on = e && *e && *e != '0';
}

static void count(struct x86_cpu *cpu, _Atomic u64 *ctr, const char *what)
{
	u64 n = atomic_fetch_add(ctr, 1) + 1, p = 1;

	pthread_once(&trace_once, trace_init);
	if (!trace_on)
		return;
	while (p < n && p <= ~0ULL / 10)
		p *= 10;
	if (p == n)
		fprintf(stderr, "kvmu-hv: vcpu %d: %llu %s\n", cpu->vcpu->id,
			(unsigned long long)n, what);
}

bool x86_hv_hypercall_enabled(struct x86_cpu *cpu)
{
	struct x86_hv_vm *hv = &x86_cpu_vm(cpu)->m.hv;

	return __atomic_load_n(&hv->guest_os_id, __ATOMIC_RELAXED) &&
	       x86_hv_enabled(cpu);
}

/* hv_check_hypercall_access */
static bool call_allowed(struct x86_cpu *cpu, u16 code)
{
	u32 fb, rec;

	if (!cpu->m.hv.enforce_cpuid)
		return true;
	fb = x86_hv_cpuid_reg(cpu, 0x40000003, 1);
	rec = x86_hv_cpuid_reg(cpu, 0x40000004, 0);
	switch (code) {
	case HVCALL_SPIN_WAIT: {
		u32 n = x86_hv_cpuid_reg(cpu, 0x40000004, 1);

		return n && n != 0xffffffffU;
	}
	case HVCALL_POST_MESSAGE: return fb & F_POST_MESSAGES;
	case HVCALL_SIGNAL_EVENT: return fb & F_SIGNAL_EVENTS;
	case HVCALL_POST_DEBUG: case HVCALL_RETRIEVE_DEBUG:
	case HVCALL_RESET_DEBUG:
		/* with SynDBG off the answer is INVALID_CODE, not DENIED */
		return !(x86_hv_cpuid_reg(cpu, 0x40000082, 0) &
			 SYNDBG_ALLOW_KERNEL) || (fb & F_DEBUGGING);
	case HVCALL_FLUSH_LIST_EX: case HVCALL_FLUSH_SPACE_EX:
		if (!(rec & R_EX_MASKS))
			return false;
		/* fall through */
	case HVCALL_FLUSH_LIST: case HVCALL_FLUSH_SPACE:
		return rec & R_REMOTE_TLB_FLUSH;
	case HVCALL_SEND_IPI_EX:
		if (!(rec & R_EX_MASKS))
			return false;
		/* fall through */
	case HVCALL_SEND_IPI:
		return rec & R_CLUSTER_IPI;
	default:
		return true;
	}
}

static bool xmm_call(u16 code)
{
	return code == HVCALL_FLUSH_LIST || code == HVCALL_FLUSH_SPACE ||
	       code == HVCALL_FLUSH_LIST_EX || code == HVCALL_FLUSH_SPACE_EX ||
	       code == HVCALL_SEND_IPI_EX;
}

/* Guest-physical input: NULL when it is not RAM of one slot. */
static const u8 *input(struct x86_cpu *cpu, u64 gpa, u32 len)
{
	return x86_phys_ptr(cpu, gpa, len, false);
}

/*
 * kvm_get_sparse_vp_set: var_cnt banks follow the header, in memory at
 * ingpa + off or in the XMM halves after the `used` ones.  The banks fill
 * the VP-index bitmap in the order of the set bits of valid.
 */
static int sparse_set(struct x86_cpu *cpu, const struct hcall *hc, int used,
		      u32 off, u64 valid, struct vcpu_set *s)
{
	u64 b[64];
	u16 n = hc->var_cnt;
	int bank, k = 0;
	const u8 *p;

	if (n > 64)
		return -1;
	if (hc->fast) {
		if (n > 2 * XMM_REGS - used)
			return -1;
		memcpy(b, &hc->xmm[used], n * sizeof(u64));
	} else if (n) {
		p = input(cpu, hc->ingpa + off, n * 8U);
		if (!p)
			return -1;
		memcpy(b, p, n * sizeof(u64));
	}
	for (bank = 0; bank < 64 && k < n; bank++) {
		if (!(valid >> bank & 1))
			continue;
		if (bank < X86_HV_BANKS)
			s->banks[bank] = b[k];
		k++;
	}
	return 0;
}

static struct x86_cpu *nth_cpu(struct kvmu_vm *vm, int i)
{
	return vm->vcpus[i] ? x86_cpu_of(vm->vcpus[i]) : NULL;
}

static bool in_set(const struct vcpu_set *s, struct x86_cpu *t)
{
	u32 vp = atomic_load_explicit(&t->m.hv.vp_index,
				      memory_order_relaxed);

	return s->all || (vp < X86_HV_MAX_VCPUS &&
			  (s->banks[vp / 64] >> (vp % 64) & 1));
}

/* kvm_send_ipi_to_many: a fixed interrupt to every APIC of the set. */
static void send_ipis(struct x86_cpu *cpu, const struct vcpu_set *s,
		      u32 vector)
{
	struct kvmu_vm *vm = cpu->vcpu->vm;
	struct x86_apic_irq irq = { .vector = (u8)vector };
	int i, n = atomic_load(&vm->nr_vcpus);

	for (i = 0; i < n; i++) {
		/* the sender's plane's APICs (docs/planes.md) */
		struct kvmu_vcpu *v = vm->vcpus[i] ?
			kvmu_plane_vcpu(vm->vcpus[i], cpu->vcpu->plane) : NULL;
		struct x86_cpu *t = v ? x86_cpu_of(v) : NULL;

		if (t && t->apic && x86_lapic_hw_enabled(t->apic) &&
		    in_set(s, t))
			x86_lapic_accept(t->apic, &irq);
	}
}

static u64 send_ipi(struct x86_cpu *cpu, const struct hcall *hc)
{
	struct vcpu_set s = { .all = false };
	u64 valid, format = 0;
	u32 vector;
	const u8 *p;

	if (!cpu->apic)
		return ST_INVALID_INPUT;
	if (hc->code == HVCALL_SEND_IPI) {
		/* struct hv_send_ipi: vector, reserved, cpu_mask */
		if (hc->fast) {
			if (hc->ingpa >> 32)
				return ST_INVALID_INPUT;
			vector = (u32)hc->ingpa;
			s.banks[0] = hc->outgpa;
		} else {
			p = input(cpu, hc->ingpa, 16);
			if (!p)
				return ST_INVALID_INPUT;
			memcpy(&vector, p, 4);
			memcpy(&s.banks[0], p + 8, 8);
		}
	} else {
		/* struct hv_send_ipi_ex: vector, reserved, vp_set */
		if (hc->fast) {
			vector = (u32)hc->ingpa;
			format = hc->outgpa;
			valid = hc->xmm[0];
		} else {
			p = input(cpu, hc->ingpa, 24);
			if (!p)
				return ST_INVALID_INPUT;
			memcpy(&vector, p, 4);
			memcpy(&format, p + 8, 8);
			memcpy(&valid, p + 16, 8);
		}
		s.all = format == SET_ALL;
		if (hc->var_cnt != __builtin_popcountll(valid))
			return ST_INVALID_INPUT;
		if (!s.all && !hc->var_cnt)
			return ST_SUCCESS;
		if (!s.all && sparse_set(cpu, hc, 1, 24, valid, &s))
			return ST_INVALID_INPUT;
	}
	if (vector < IPI_LOW_VECTOR || vector > 0xff)
		return ST_INVALID_INPUT;
	send_ipis(cpu, &s, vector);
	count(cpu, &cpu->m.hv.nr_ipi_hcalls, "HvCallSendSyntheticClusterIpi(Ex)");
	return ST_SUCCESS;
}

/*
 * Flush t's TLB: our own now; another running vCPU flushes at its next
 * block boundary (run.c) and we wait for it, as KVM's request waits, so
 * no vCPU of the set translates through a stale entry once the call
 * returned.  A vCPU outside KVM_RUN or asleep flushes before it runs.
 */
static void flush_one(struct x86_cpu *cpu, struct x86_cpu *t)
{
	struct x86_hv_cpu *hv = &t->m.hv;
	u64 want, spins;

	if (t == cpu) {
		x86_tlb_flush(cpu);
		return;
	}
	want = atomic_fetch_add(&hv->flush_req, 1) + 1;
	kvmu_vcpu_wake(t->vcpu);
	for (spins = 0; spins < 10000000; spins++) {
		if (atomic_load(&hv->flush_ack) >= want ||
		    !atomic_load(&t->vcpu->in_run) ||
		    atomic_load(&t->vcpu->sleeping))
			return;
		/* two vCPUs flushing each other: take ours meanwhile */
		if (x86_hv_flush_wanted(&cpu->m.hv))
			x86_hv_flush_self(cpu);
		sched_yield();
	}
}

static u64 flush_tlb(struct x86_cpu *cpu, const struct hcall *hc)
{
	struct kvmu_vm *vm = cpu->vcpu->vm;
	struct vcpu_set s = { .all = false };
	u64 flags, mask, format, valid;
	const u8 *p;
	int i, n;

	if (hc->code == HVCALL_FLUSH_LIST || hc->code == HVCALL_FLUSH_SPACE) {
		/* struct hv_tlb_flush: address_space, flags, processor_mask */
		if (hc->fast) {
			flags = hc->outgpa;
			mask = hc->xmm[0];
		} else {
			p = input(cpu, hc->ingpa, 24);
			if (!p)
				return ST_INVALID_INPUT;
			memcpy(&flags, p + 8, 8);
			memcpy(&mask, p + 16, 8);
		}
		s.banks[0] = mask;
		/* WS2012 sends an empty mask meaning all, as KVM assumes */
		s.all = (flags & FLUSH_ALL_PROCESSORS) || !mask;
	} else {
		/* struct hv_tlb_flush_ex: address_space, flags, vp_set */
		if (hc->fast) {
			format = hc->xmm[0];
			valid = hc->xmm[1];
		} else {
			p = input(cpu, hc->ingpa, 32);
			if (!p)
				return ST_INVALID_INPUT;
			memcpy(&format, p + 16, 8);
			memcpy(&valid, p + 24, 8);
		}
		s.all = format != SET_SPARSE_4K;
		if (hc->var_cnt != __builtin_popcountll(valid))
			return ST_INVALID_INPUT;
		if (!s.all && !hc->var_cnt)
			goto done;
		if (!s.all && sparse_set(cpu, hc, 2, 32, valid, &s))
			return ST_INVALID_INPUT;
	}
	n = atomic_load(&vm->nr_vcpus);
	for (i = 0; i < n; i++) {
		struct x86_cpu *t = nth_cpu(vm, i);

		if (t && in_set(&s, t))
			flush_one(cpu, t);
	}
	count(cpu, &cpu->m.hv.nr_flush_hcalls,
	      "HvCallFlushVirtualAddress{Space,List}(Ex)");
done:
	/* every flush is a full one: all reps are complete */
	return ST_SUCCESS | (u64)hc->rep_cnt << 32;
}

/* Hand the call to user space; its result comes with the next KVM_RUN. */
static int to_user(struct x86_cpu *cpu, const struct hcall *hc, u32 len)
{
	struct kvm_run *run = cpu->run;

	run->exit_reason = KVM_EXIT_HYPERV;
	memset(&run->hyperv, 0, sizeof(run->hyperv));
	run->hyperv.type = KVM_EXIT_HYPERV_HCALL;
	run->hyperv.u.hcall.input = hc->param;
	run->hyperv.u.hcall.params[0] = hc->ingpa;
	run->hyperv.u.hcall.params[1] = hc->outgpa;
	cpu->m.hv.wait = X86_HV_WAIT_HCALL;
	cpu->m.hv.hcall_len = len;
	cpu->io_wait = X86_WAIT_HV;
	return X86_EXIT;
}

static void set_result(struct x86_cpu *cpu, u64 r)
{
	if (cpu->mode == X86_MODE_LONG64) {
		cpu->gpr[X86_RAX] = r;
	} else {
		cpu->gpr[X86_RDX] = r >> 32;
		cpu->gpr[X86_RAX] = (u32)r;
	}
}

void x86_hv_hcall_complete(struct x86_cpu *cpu)
{
	/* as kvm_skip_emulated_instruction: from where RIP is now */
	set_result(cpu, cpu->run->hyperv.u.hcall.result);
	cpu->rip += cpu->m.hv.hcall_len;
	if (cpu->mode != X86_MODE_LONG64)
		cpu->rip &= 0xffffffffULL;
}

/* The debugger calls: user space's if SynDBG is on and uses hypercalls. */
static int debug_call(struct x86_cpu *cpu, const struct hcall *hc, u64 *ret)
{
	struct x86_hv_vm *vm = &x86_cpu_vm(cpu)->m.hv;
	u64 opts;

	if (hc->code != HVCALL_RESET_DEBUG && hc->fast) {
		*ret = ST_INVALID_PARAMETER;
		return 0;
	}
	if (!(x86_hv_cpuid_reg(cpu, 0x40000082, 0) & SYNDBG_ALLOW_KERNEL)) {
		*ret = ST_INVALID_CODE;
		return 0;
	}
	pthread_mutex_lock(&vm->lock);
	opts = vm->syndbg_options;
	pthread_mutex_unlock(&vm->lock);
	if (!(opts & SYNDBG_USE_HCALLS)) {
		*ret = ST_OPERATION_DENIED;
		return 0;
	}
	return 1;
}

/* Dispatch a decoded call: 1 exits to user space, else *ret holds it. */
static int serve(struct x86_cpu *cpu, struct hcall *hc, u64 *ret)
{
	switch (hc->code) {
	case HVCALL_SPIN_WAIT:
		if (hc->rep || hc->var_cnt) {
			*ret = ST_INVALID_INPUT;
			return 0;
		}
		sched_yield();
		return 0;
	case HVCALL_SIGNAL_EVENT:
		if (hc->rep || hc->var_cnt) {
			*ret = ST_INVALID_INPUT;
			return 0;
		}
		*ret = x86_hv_signal_event(cpu, hc->ingpa, hc->fast);
		if (*ret != ST_INVALID_PORT_ID)
			return 0;
		/* no eventfd for it: user space may know it */
		/* fall through */
	case HVCALL_POST_MESSAGE:
		if (hc->rep || hc->var_cnt || !cpu->m.hv.synic_active) {
			*ret = ST_INVALID_INPUT;
			return 0;
		}
		return 1;
	case HVCALL_FLUSH_LIST:
	case HVCALL_FLUSH_LIST_EX:
		if ((hc->code == HVCALL_FLUSH_LIST && hc->var_cnt) ||
		    !hc->rep_cnt || hc->rep_idx) {
			*ret = ST_INVALID_INPUT;
			return 0;
		}
		*ret = flush_tlb(cpu, hc);
		return 0;
	case HVCALL_FLUSH_SPACE:
	case HVCALL_FLUSH_SPACE_EX:
		if ((hc->code == HVCALL_FLUSH_SPACE && hc->var_cnt) ||
		    hc->rep) {
			*ret = ST_INVALID_INPUT;
			return 0;
		}
		*ret = flush_tlb(cpu, hc);
		return 0;
	case HVCALL_SEND_IPI:
	case HVCALL_SEND_IPI_EX:
		if ((hc->code == HVCALL_SEND_IPI && hc->var_cnt) || hc->rep) {
			*ret = ST_INVALID_INPUT;
			return 0;
		}
		*ret = send_ipi(cpu, hc);
		return 0;
	case HVCALL_POST_DEBUG:
	case HVCALL_RETRIEVE_DEBUG:
	case HVCALL_RESET_DEBUG:
		return debug_call(cpu, hc, ret);
	default:
		*ret = ST_INVALID_CODE;
		return 0;
	}
}

static void decode(struct x86_cpu *cpu, struct hcall *hc)
{
	const u64 *g = cpu->gpr;
	int r;

	memset(hc, 0, sizeof(*hc));
	if (cpu->mode == X86_MODE_LONG64) {
		hc->param = g[X86_RCX];
		hc->ingpa = g[X86_RDX];
		hc->outgpa = g[X86_R8];
	} else {
		hc->param = g[X86_RDX] << 32 | (u32)g[X86_RAX];
		hc->ingpa = g[X86_RBX] << 32 | (u32)g[X86_RCX];
		hc->outgpa = g[X86_RDI] << 32 | (u32)g[X86_RSI];
	}
	hc->code = (u16)hc->param;
	hc->var_cnt = (u16)((hc->param >> 17) & 0x3ff);
	hc->fast = hc->param & CTL_FAST;
	hc->rep_cnt = (u16)((hc->param >> 32) & 0xfff);
	hc->rep_idx = (u16)((hc->param >> 48) & 0xfff);
	hc->rep = hc->rep_cnt || hc->rep_idx;
	for (r = 0; r < XMM_REGS; r++) {
		memcpy(&hc->xmm[2 * r], cpu->fpu.xmm[r], 8);
		memcpy(&hc->xmm[2 * r + 1], cpu->fpu.xmm[r] + 8, 8);
	}
}

int x86_hv_hypercall(struct x86_cpu *cpu, u32 len)
{
	struct hcall hc;
	u64 ret = ST_SUCCESS;

	/* #UD above CPL 0 and in real mode, per the Hyper-V spec */
	if (x86_cpl(cpu) != 0 || !(cpu->cr0 & X86_CR0_PE))
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	decode(cpu, &hc);
	count(cpu, &cpu->m.hv.nr_hcalls, "Hyper-V hypercalls");
	if (!call_allowed(cpu, hc.code)) {
		ret = ST_ACCESS_DENIED;
	} else if (hc.param & CTL_RSVD) {
		ret = ST_INVALID_INPUT;
	} else {
		if (hc.fast && xmm_call(hc.code) && cpu->m.hv.enforce_cpuid &&
		    !(x86_hv_cpuid_reg(cpu, 0x40000003, 3) & F_XMM_INPUT))
			return x86_raise(cpu, X86_UD, X86_NO_ERROR);
		if (serve(cpu, &hc, &ret))
			return to_user(cpu, &hc, len);
	}
	set_result(cpu, ret);
	return X86_OK;
}
