// SPDX-License-Identifier: MIT
/*
 * Hyper-V enlightenments on one vCPU: KVM_GET_SUPPORTED_HV_CPUID and the
 * capabilities, every synthetic MSR (guest and host access, the Hyper-V
 * CPUID gate and ENFORCE_CPUID), the hypercall page, the reference
 * counter and TSC page, SynIC exits and synthetic timers, and the
 * hypercall conventions (status codes, rep counts, exits to user space,
 * the 32-bit caller).  Cross-vCPU IPIs: test_x86_hyperv_ipi.c.
 */
#include <errno.h>

#include "x86_hv_util.h"

#define HV_RESET	0x40000003U
#define HV_VP_RUNTIME	0x40000010U
#define HV_TIME_REF	0x40000020U
#define HV_REF_TSC	0x40000021U
#define HV_TSC_FREQ	0x40000022U
#define HV_APIC_FREQ	0x40000023U
#define HV_ICR		0x40000071U
#define HV_TPR		0x40000072U
#define HV_VP_ASSIST	0x40000073U
#define HV_SCONTROL	0x40000080U
#define HV_SVERSION	0x40000081U
#define HV_SIEFP	0x40000082U
#define HV_SIMP		0x40000083U
#define HV_EOM		0x40000084U
#define HV_SINT0	0x40000090U
#define HV_STIMER0_CFG	0x400000b0U
#define HV_STIMER0_CNT	0x400000b1U
#define HV_SYNDBG_CTL	0x400000f1U
#define HV_CRASH_P0	0x40000100U
#define HV_CRASH_CTL	0x40000105U
#define HV_REENLIGHT	0x40000106U
#define HV_TSC_EMUL_ST	0x40000108U
#define GP		13
#define UD		6

static struct kvm_cpuid_entry2 *find(struct kvm_cpuid2 *c, uint32_t fn)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn)
			return &c->entries[i];
	fail_msg("no leaf %#x", fn);
	return NULL;
}

/* Ten leaves as KVM 6.1; E2BIG below ten; the vCPU form knows its LAPIC. */
static void test_supported_hv_cpuid(void **state)
{
	struct kvm_cpuid2 *c = hv_cpuid_alloc(), small = { .nent = 9 };
	struct tguest *g = *state, g2;
	struct kvm_cpuid_entry2 *e;

	assert_int_equal(tg_ioctl(g, g->sys, KVM_GET_SUPPORTED_HV_CPUID, c), 0);
	assert_int_equal(c->nent, 10);
	e = find(c, 0x40000000);
	assert_int_equal(e->eax, 0x40000082);
	assert_memory_equal(&e->ebx, "Linux KVM Hv", 12);
	assert_int_equal(find(c, 0x40000001)->eax, 0x31237648);
	assert_true(find(c, 0x40000003)->edx & (1U << 19));	/* direct */
	assert_true(find(c, 0x40000004)->eax & (1U << 10));	/* cluster */
	assert_true(find(c, 0x4000000a)->eax & (1U << 19));
	assert_int_equal(find(c, 0x40000004)->ebx, 0xfff);
	assert_int_equal(tg_ioctl(g, g->sys, KVM_GET_SUPPORTED_HV_CPUID,
				  &small), -1);
	assert_int_equal(errno, E2BIG);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SUPPORTED_HV_CPUID,
				  &small), -1);
	assert_int_equal(errno, E2BIG);
	/* a vCPU without an in-kernel LAPIC: no direct timers, no cluster
	 * IPIs */
	assert_int_equal(tg_create(&g2, &tg_kvmu), 0);
	c->nent = 256;
	assert_int_equal(tg_ioctl(&g2, g2.vcpu, KVM_GET_SUPPORTED_HV_CPUID,
				  c), 0);
	assert_false(find(c, 0x40000003)->edx & (1U << 19));
	assert_false(find(c, 0x40000004)->eax & (1U << 10));
	tg_destroy(&g2);
	free(c);
}

static void test_caps(void **state)
{
	static const long caps[] = {
		KVM_CAP_HYPERV, KVM_CAP_HYPERV_VAPIC, KVM_CAP_HYPERV_SPIN,
		KVM_CAP_HYPERV_TIME, KVM_CAP_HYPERV_SYNIC,
		KVM_CAP_HYPERV_SYNIC2, KVM_CAP_HYPERV_VP_INDEX,
		KVM_CAP_HYPERV_TLBFLUSH, KVM_CAP_HYPERV_SEND_IPI,
		KVM_CAP_HYPERV_CPUID, KVM_CAP_HYPERV_ENFORCE_CPUID,
		KVM_CAP_SYS_HYPERV_CPUID, KVM_CAP_HYPERV_EVENTFD,
	};
	struct tguest *g = *state;
	struct kvm_enable_cap ec = { .cap = KVM_CAP_HYPERV_SYNIC2,
				     .args[0] = 1 };
	size_t i;

	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		assert_int_equal(tg_ioctl(g, g->sys, KVM_CHECK_EXTENSION,
					  (void *)caps[i]), 1);
	/* no enlightened VMCS: not reported */
	assert_int_equal(tg_ioctl(g, g->sys, KVM_CHECK_EXTENSION,
			 (void *)(long)KVM_CAP_HYPERV_ENLIGHTENED_VMCS), 0);
	/* SYNIC2 takes no argument */
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_ENABLE_CAP, &ec), -1);
	assert_int_equal(errno, EINVAL);
}

/* SynIC needs the in-kernel irqchip. */
static void test_synic_needs_irqchip(void **state)
{
	struct kvm_enable_cap ec = { .cap = KVM_CAP_HYPERV_SYNIC };
	struct tguest g;

	(void)state;
	assert_int_equal(tg_create(&g, &tg_kvmu), 0);
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_ENABLE_CAP, &ec), -1);
	assert_int_equal(errno, EINVAL);
	tg_destroy(&g);
}

/* Without "Hv#1" in CPUID the guest gets #GP; the host still reaches
 * them (kvm_hv_get/set_msr_common). */
static void test_msrs_need_hv_cpuid(void **state)
{
	struct tguest g;
	uint64_t v;

	(void)state;
	hv_guest(&g, false);
	assert_int_equal(hv_rdmsr(&g, HV_OS_ID, &v), GP);
	assert_int_equal(hv_wrmsr(&g, HV_OS_ID, LINUX_OS_ID), GP);
	assert_int_equal(hv_host_set(&g, g.vcpu, HV_OS_ID, LINUX_OS_ID), 1);
	assert_int_equal(hv_host_get(&g, g.vcpu, HV_OS_ID), LINUX_OS_ID);
	tg_destroy(&g);
}

static void set_vendor(struct tguest *g, bool amd)
{
	struct kvm_cpuid2 *c = hv_cpuid_alloc();
	struct kvm_cpuid_entry2 *e;

	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_CPUID2, c), 0);
	e = find(c, 0);
	/* "AuthenticAMD" / "GenuineIntel" in EBX EDX ECX */
	e->ebx = amd ? 0x68747541 : 0x756e6547;
	e->edx = amd ? 0x69746e65 : 0x49656e69;
	e->ecx = amd ? 0x444d4163 : 0x6c65746e;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_CPUID2, c), 0);
	free(c);
}

/* The hypercall page: VMCALL (Intel) or VMMCALL (AMD) and RET, only once
 * the OS id is set; an OS id of 0 disables it again. */
static void hypercall_page(struct tguest *g, bool amd)
{
	const uint8_t stub[] = { 0x0f, 0x01, amd ? 0xd9 : 0xc1, 0xc3 };
	uint64_t v;

	set_vendor(g, amd);
	assert_int_equal(hv_wrmsr(g, HV_HYPERCALL, TG_DATA | 1), -1);
	assert_int_equal(hv_rdmsr(g, HV_HYPERCALL, &v), -1);
	assert_int_equal(v, 0);		/* OS id not set: ignored */
	assert_int_equal(hv_wrmsr(g, HV_OS_ID, LINUX_OS_ID), -1);
	assert_int_equal(hv_rdmsr(g, HV_OS_ID, &v), -1);
	assert_int_equal(v, LINUX_OS_ID);
	assert_int_equal(hv_wrmsr(g, HV_HYPERCALL, TG_DATA | 1), -1);
	assert_memory_equal(g->mem + TG_DATA, stub, sizeof(stub));
	assert_int_equal(hv_rdmsr(g, HV_HYPERCALL, &v), -1);
	assert_int_equal(v, TG_DATA | 1);
	/* outside RAM: #GP */
	assert_int_equal(hv_wrmsr(g, HV_HYPERCALL, 0x100000000ULL | 1), GP);
	assert_int_equal(hv_wrmsr(g, HV_OS_ID, 0), -1);
	assert_int_equal(hv_rdmsr(g, HV_HYPERCALL, &v), -1);
	assert_int_equal(v, TG_DATA);	/* enable bit dropped */
}

static void test_hypercall_page(void **state)
{
	struct tguest g;

	(void)state;
	hv_guest(&g, true);
	hypercall_page(&g, false);
	tg_destroy(&g);
	hv_guest(&g, true);
	hypercall_page(&g, true);
	tg_destroy(&g);
}

static void test_vp_index_runtime(void **state)
{
	struct tguest *g = *state;
	uint64_t v, w;

	assert_int_equal(hv_rdmsr(g, HV_VP_INDEX, &v), -1);
	assert_int_equal(v, 0);		/* the vCPU's position */
	assert_int_equal(hv_wrmsr(g, HV_VP_INDEX, 5), GP);
	assert_int_equal(hv_host_set(g, g->vcpu, HV_VP_INDEX, 1023), 1);
	assert_int_equal(hv_rdmsr(g, HV_VP_INDEX, &v), -1);
	assert_int_equal(v, 1023);
	assert_int_equal(hv_host_set(g, g->vcpu, HV_VP_INDEX, 1024), 0);
	/* VP runtime: host-settable base, read-only to the guest */
	assert_int_equal(hv_host_set(g, g->vcpu, HV_VP_RUNTIME, 1ULL << 40), 1);
	assert_int_equal(hv_rdmsr(g, HV_VP_RUNTIME, &v), -1);
	assert_true(v >= 1ULL << 40);
	assert_int_equal(hv_rdmsr(g, HV_VP_RUNTIME, &w), -1);
	assert_true(w >= v);
	assert_int_equal(hv_wrmsr(g, HV_VP_RUNTIME, 1), GP);
}

static void test_frequencies(void **state)
{
	struct tguest *g = *state;
	long khz = tg_ioctl(g, g->vcpu, KVM_GET_TSC_KHZ, NULL);
	uint64_t v;

	assert_true(khz > 0);
	assert_int_equal(hv_rdmsr(g, HV_TSC_FREQ, &v), -1);
	assert_int_equal(v, (uint64_t)khz * 1000);
	assert_int_equal(hv_rdmsr(g, HV_APIC_FREQ, &v), -1);
	assert_int_equal(v, 1000000000ULL);
	assert_int_equal(hv_wrmsr(g, HV_TSC_FREQ, 1), GP);
	assert_int_equal(hv_host_set(g, g->vcpu, HV_TSC_FREQ, 1), 1);
}

/* The reference counter ticks; the TSC page agrees with it. */
static void test_ref_counter_tsc_page(void **state)
{
	struct tguest *g = *state;
	uint64_t t1, t2, scale, tsc;
	uint32_t seq;
	int64_t off;

	assert_int_equal(hv_rdmsr(g, HV_TIME_REF, &t1), -1);
	assert_int_equal(hv_rdmsr(g, HV_TIME_REF, &t2), -1);
	assert_true(t2 >= t1);
	assert_int_equal(hv_wrmsr(g, HV_TIME_REF, 1), GP);
	/* enabled: a sequence, a scale, an offset before the next insn */
	assert_int_equal(hv_wrmsr(g, HV_REF_TSC, TG_DATA | 1), -1);
	memcpy(&seq, g->mem + TG_DATA, 4);
	memcpy(&scale, g->mem + TG_DATA + 8, 8);
	memcpy(&off, g->mem + TG_DATA + 16, 8);
	assert_true(seq != 0 && scale != 0);
	tsc = hv_host_get(g, g->vcpu, 0x10);
	t1 = (uint64_t)(((unsigned __int128)tsc * scale) >> 64) + (uint64_t)off;
	t2 = hv_host_get(g, g->vcpu, HV_TIME_REF);
	assert_true(t2 >= t1);
	/* disabled: the page is left alone */
	memset(g->mem + TG_DATA, 0, 24);
	assert_int_equal(hv_wrmsr(g, HV_REF_TSC, TG_DATA), -1);
	assert_int_equal(g->mem[TG_DATA], 0);
}

static void test_crash_reset(void **state)
{
	struct tguest *g = *state;
	uint64_t v;

	assert_int_equal(hv_wrmsr(g, HV_CRASH_P0 + 4, 0x1234), -1);
	assert_int_equal(hv_rdmsr(g, HV_CRASH_P0 + 4, &v), -1);
	assert_int_equal(v, 0x1234);
	assert_int_equal(hv_host_set(g, g->vcpu, HV_CRASH_CTL, ~0ULL), 1);
	assert_int_equal(hv_rdmsr(g, HV_CRASH_CTL, &v), -1);
	assert_int_equal(v, 1ULL << 63);	/* CRASH_NOTIFY only */
	assert_int_equal(hv_wrmsr(g, HV_CRASH_CTL, 1ULL << 63),
			 -2 - KVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(g->run->system_event.type, KVM_SYSTEM_EVENT_CRASH);
	assert_int_equal(hv_rdmsr(g, HV_RESET, &v), -1);
	assert_int_equal(v, 0);
	assert_int_equal(hv_wrmsr(g, HV_RESET, 0), -1);
	assert_int_equal(hv_wrmsr(g, HV_RESET, 1), -2 - KVM_EXIT_SYSTEM_EVENT);
	assert_int_equal(g->run->system_event.type, KVM_SYSTEM_EVENT_RESET);
	assert_int_equal(hv_wrmsr(g, HV_REENLIGHT, 0x100ff), -1);
	assert_int_equal(hv_rdmsr(g, HV_REENLIGHT, &v), -1);
	assert_int_equal(v, 0x100ff);
	assert_int_equal(hv_wrmsr(g, HV_TSC_EMUL_ST, 1), GP);
	assert_int_equal(hv_wrmsr(g, HV_TSC_EMUL_ST, 0), -1);
	/* the debugger MSRs need SynDBG in CPUID 0x40000082: granted */
	assert_int_equal(hv_wrmsr(g, HV_SYNDBG_CTL, 1),
			 -2 - KVM_EXIT_HYPERV);
	assert_int_equal(g->run->hyperv.type, KVM_EXIT_HYPERV_SYNDBG);
	assert_int_equal(g->run->hyperv.u.syndbg.control, 1);
}

/* EOI, ICR, TPR reach the LAPIC; the assist page's first word clears. */
static void test_apic_msrs(void **state)
{
	struct tguest *g = *state;
	struct kvm_lapic_state ls;
	uint64_t v;

	assert_int_equal(hv_wrmsr(g, HV_TPR, 0x20), -1);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_LAPIC, &ls), 0);
	assert_int_equal((uint8_t)ls.regs[0x80], 0x20);
	assert_int_equal(hv_rdmsr(g, HV_TPR, &v), -1);
	assert_int_equal(v, 0x20);
	assert_int_equal(hv_wrmsr(g, HV_TPR, 1ULL << 32), GP);
	/* a fixed IPI to APIC 0 (this vCPU), destination in bits 63:56 */
	assert_int_equal(hv_wrmsr(g, HV_ICR, 0x4050), -1);
	assert_true(hv_irr(g, g->vcpu, 0x50));
	assert_int_equal(hv_rdmsr(g, HV_ICR, &v), -1);
	assert_int_equal(v & 0xff, 0x50);
	assert_int_equal(hv_rdmsr(g, HV_EOI, &v), GP);	/* write-only */
	assert_int_equal(hv_wrmsr(g, HV_EOI, 0), -1);
	memset(g->mem + TG_DATA, 0xaa, 8);
	assert_int_equal(hv_wrmsr(g, HV_VP_ASSIST, TG_DATA | 1), -1);
	assert_int_equal(g->mem[TG_DATA], 0);
	assert_int_equal(g->mem[TG_DATA + 4], 0xaa);
	assert_int_equal(hv_rdmsr(g, HV_VP_ASSIST, &v), -1);
	assert_int_equal(v, TG_DATA | 1);
}

static void synic_on(struct tguest *g, bool synic2)
{
	struct kvm_enable_cap ec = {
		.cap = synic2 ? KVM_CAP_HYPERV_SYNIC2 : KVM_CAP_HYPERV_SYNIC,
	};

	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_ENABLE_CAP, &ec), 0);
}

static void test_synic(void **state)
{
	struct tguest *g = *state;
	uint64_t v;

	assert_int_equal(hv_rdmsr(g, HV_SCONTROL, &v), GP);	/* inactive */
	assert_int_equal(hv_wrmsr(g, HV_STIMER0_CFG, 0), GP);
	synic_on(g, false);
	assert_int_equal(hv_rdmsr(g, HV_SCONTROL, &v), -1);
	assert_int_equal(v, 1);
	assert_int_equal(hv_rdmsr(g, HV_SVERSION, &v), -1);
	assert_int_equal(v, 1);
	assert_int_equal(hv_wrmsr(g, HV_SVERSION, 2), GP);
	assert_int_equal(hv_rdmsr(g, HV_SINT0 + 3, &v), -1);
	assert_int_equal(v, 1ULL << 16);			/* masked */
	assert_int_equal(hv_wrmsr(g, HV_SINT0 + 3, 0x0f), GP);
	assert_int_equal(hv_wrmsr(g, HV_SINT0 + 3, 0x10000 | 0x0f), -1);
	assert_int_equal(hv_wrmsr(g, HV_SINT0 + 3, 0x41), -1);
	/* SIMP: cleared (SYNIC, not SYNIC2), then an exit to user space */
	memset(g->mem + TG_DATA, 0xaa, 4096);
	assert_int_equal(hv_wrmsr(g, HV_SIMP, TG_DATA | 1),
			 -2 - KVM_EXIT_HYPERV);
	assert_int_equal(g->run->hyperv.type, KVM_EXIT_HYPERV_SYNIC);
	assert_int_equal(g->run->hyperv.u.synic.msr, HV_SIMP);
	assert_int_equal(g->run->hyperv.u.synic.msg_page, TG_DATA | 1);
	assert_int_equal(g->mem[TG_DATA + 4095], 0);
	assert_int_equal(hv_wrmsr(g, HV_SIEFP, (TG_DATA + 0x1000) | 1),
			 -2 - KVM_EXIT_HYPERV);
	assert_int_equal(g->run->hyperv.u.synic.evt_page,
			 (TG_DATA + 0x1000) | 1);
	assert_int_equal(hv_wrmsr(g, HV_EOM, 0), -1);
	assert_int_equal(hv_rdmsr(g, HV_EOM, &v), -1);
	assert_int_equal(v, 0);
}

/*
 * Timers: a one-shot with a count already past expires at once.  Direct
 * mode raises its APIC vector; message mode writes HVMSG_TIMER_EXPIRED
 * into its SINT's slot and raises the SINT's vector.  The guest spins a
 * little after arming, so the vCPU's timer check runs.
 */
static void test_stimers(void **state)
{
	/* wrmsr config; mov ecx, count msr; mov eax, 1; xor edx, edx; wrmsr;
	 * mov ecx, 20000; loop $ */
	static const uint8_t arm[] = {
		0x0f, 0x30, 0xb9, 0xb1, 0x00, 0x00, 0x40, 0xb8, 0x01, 0x00,
		0x00, 0x00, 0x31, 0xd2, 0x0f, 0x30, 0xb9, 0x20, 0x4e, 0x00,
		0x00, 0xe2, 0xfe,
	};
	struct tguest *g = *state;
	uint32_t type, idx;
	struct kvm_regs r;
	uint64_t v;

	synic_on(g, true);
	/* direct mode, vector 0x60 */
	r = (struct kvm_regs){ .rcx = HV_STIMER0_CFG,
			       .rax = 1 | 0x60 << 4 | 1 << 12 };
	assert_int_equal(hv_run(g, arm, sizeof(arm), &r), -1);
	assert_true(hv_irr(g, g->vcpu, 0x60));
	assert_int_equal(hv_rdmsr(g, HV_STIMER0_CFG, &v), -1);
	assert_false(v & 1);		/* a one-shot disables itself */
	assert_int_equal(hv_rdmsr(g, HV_STIMER0_CNT, &v), -1);
	assert_int_equal(v, 1);
	/* message mode on SINT 2 (vector 0x61), SYNIC2: page not cleared */
	assert_int_equal(hv_wrmsr(g, HV_SINT0 + 2, 0x61), -1);
	memset(g->mem + TG_DATA, 0, 4096);
	assert_int_equal(hv_wrmsr(g, HV_SIMP, TG_DATA | 1),
			 -2 - KVM_EXIT_HYPERV);
	r = (struct kvm_regs){ .rcx = HV_STIMER0_CFG, .rax = 1 | 2 << 16 };
	assert_int_equal(hv_run(g, arm, sizeof(arm), &r), -1);
	memcpy(&type, g->mem + TG_DATA + 2 * 256, 4);
	memcpy(&idx, g->mem + TG_DATA + 2 * 256 + 16, 4);
	assert_int_equal(type, 0x80000010);
	assert_int_equal(g->mem[TG_DATA + 2 * 256 + 4], 24);
	assert_int_equal(idx, 0);
	assert_true(hv_irr(g, g->vcpu, 0x61));
	/* the slot is busy: the next expiry sets msg_pending and waits */
	r = (struct kvm_regs){ .rcx = HV_STIMER0_CFG, .rax = 1 | 2 << 16 };
	assert_int_equal(hv_run(g, arm, sizeof(arm), &r), -1);
	assert_int_equal(g->mem[TG_DATA + 2 * 256 + 5] & 1, 1);
	/* direct mode under ENFORCE_CPUID without its CPUID bit: #GP is
	 * in test_enforce_cpuid via hyperv_features; STIMER count 0 stops */
	assert_int_equal(hv_wrmsr(g, HV_STIMER0_CNT, 0), -1);
	assert_int_equal(hv_rdmsr(g, HV_STIMER0_CFG, &v), -1);
	assert_false(v & 1);
}

/* ENFORCE_CPUID: a feature the guest CPUID lacks is #GP. */
static void test_enforce_cpuid(void **state)
{
	struct kvm_enable_cap ec = { .cap = KVM_CAP_HYPERV_ENFORCE_CPUID,
				     .args[0] = 1 };
	struct kvm_cpuid2 *c = hv_cpuid_alloc();
	struct tguest *g = *state;
	uint64_t v;

	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_CPUID2, c), 0);
	find(c, 0x40000003)->eax &= ~1U;	/* no VP runtime */
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_CPUID2, c), 0);
	assert_int_equal(hv_rdmsr(g, HV_VP_RUNTIME, &v), -1);	/* not yet */
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_ENABLE_CAP, &ec), 0);
	assert_int_equal(hv_rdmsr(g, HV_VP_RUNTIME, &v), GP);
	assert_int_equal(hv_rdmsr(g, HV_TIME_REF, &v), -1);	/* granted */
	free(c);
}

/* ---- hypercalls ---- */

#define HC_FLUSH_SPACE	0x0002ULL
#define HC_FLUSH_LIST	0x0003ULL
#define HC_SPIN		0x0008ULL
#define HC_FLUSH_SPACE_EX 0x0013ULL
#define HC_FLUSH_LIST_EX 0x0014ULL
#define HC_POST_MESSAGE	0x005cULL
#define FAST		(1ULL << 16)
#define REPS(n)		((uint64_t)(n) << 32)
#define VAR(n)		((uint64_t)(n) << 17)

static void hv_on(struct tguest *g)
{
	assert_int_equal(hv_host_set(g, g->vcpu, HV_OS_ID, LINUX_OS_ID), 1);
}

static void test_hcall_status(void **state)
{
	struct tguest *g = *state;

	/* OS id 0: VMCALL stays KVM's hypercall (-KVM_ENOSYS) */
	assert_int_equal(hv_call(g, 0xbeef, 0, 0), (uint64_t)-1000);
	hv_on(g);
	assert_int_equal(hv_call(g, 0xbeef, 0, 0), 2);	/* invalid code */
	assert_int_equal(hv_call(g, HC_SPIN, 0, 0), 0);
	assert_int_equal(hv_call(g, HC_SPIN | REPS(1), 0, 0), 3);
	assert_int_equal(hv_call(g, HC_SPIN | (1ULL << 27), 0, 0), 3);	/* rsvd */
	/* POST_MESSAGE without SynIC: invalid input, no exit */
	assert_int_equal(hv_call(g, HC_POST_MESSAGE, TG_DATA, 0), 3);
}

static void test_hcall_flush(void **state)
{
	struct tguest *g = *state;
	uint64_t in[4] = { 0, 1 /* all processors */, 0, 0x1000 };

	hv_on(g);
	tg_put(g, TG_DATA, in, sizeof(in));
	assert_int_equal(hv_call(g, HC_FLUSH_SPACE, TG_DATA, 0), 0);
	assert_int_equal(hv_call(g, HC_FLUSH_SPACE | REPS(1), TG_DATA, 0), 3);
	assert_int_equal(hv_call(g, HC_FLUSH_SPACE | VAR(1), TG_DATA, 0), 3);
	/* list: reps completed = rep count */
	assert_int_equal(hv_call(g, HC_FLUSH_LIST | REPS(5), TG_DATA, 0),
			 REPS(5));
	assert_int_equal(hv_call(g, HC_FLUSH_LIST, TG_DATA, 0), 3);
	assert_int_equal(hv_call(g, HC_FLUSH_LIST | REPS(5) | (1ULL << 48),
				 TG_DATA, 0), 3);
	/* fast: address space in RDX, flags in R8, mask in XMM0 */
	assert_int_equal(hv_call(g, HC_FLUSH_SPACE | FAST, 0, 1), 0);
	/* Ex: var_cnt must match the bank mask; input outside RAM */
	in[2] = 0;			/* format sparse */
	in[3] = 1;			/* bank 0 valid */
	tg_put(g, TG_DATA, in, sizeof(in));
	assert_int_equal(hv_call(g, HC_FLUSH_SPACE_EX, TG_DATA, 0), 3);
	assert_int_equal(hv_call(g, HC_FLUSH_SPACE_EX | VAR(1), TG_DATA, 0),
			 0);
	assert_int_equal(hv_call(g, HC_FLUSH_LIST_EX | VAR(1) | REPS(2),
				 TG_DATA, 0), REPS(2));
	assert_int_equal(hv_call(g, HC_FLUSH_SPACE, 1ULL << 40, 0), 3);
}

/* Calls KVM leaves to user space: KVM_EXIT_HYPERV_HCALL, then the VMM's
 * result in RAX and RIP past the VMCALL on the next KVM_RUN. */
static void test_hcall_user_exit(void **state)
{
	static const uint8_t c[] = { 0x0f, 0x01, 0xc1 };
	struct tguest *g = *state;
	struct kvm_regs r = { .rcx = HC_POST_MESSAGE, .rdx = TG_DATA,
			      .r8 = TG_DATA + 0x100 };

	hv_on(g);
	synic_on(g, true);
	assert_int_equal(hv_run(g, c, sizeof(c), &r), -2 - KVM_EXIT_HYPERV);
	assert_int_equal(g->run->hyperv.type, KVM_EXIT_HYPERV_HCALL);
	assert_int_equal(g->run->hyperv.u.hcall.input, HC_POST_MESSAGE);
	assert_int_equal(g->run->hyperv.u.hcall.params[0], TG_DATA);
	assert_int_equal(g->run->hyperv.u.hcall.params[1], TG_DATA + 0x100);
	assert_int_equal(r.rip, TG_CODE);	/* not retired yet */
	g->run->hyperv.u.hcall.result = 0x1234;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(g->run->exit_reason, KVM_EXIT_IO);
	assert_int_equal(tg_get_regs(g, &r), 0);
	assert_int_equal(r.rax, 0x1234);
}

/* #UD above CPL 0. */
static void test_hcall_cpl3_ud(void **state)
{
	static const uint8_t c[] = { 0x0f, 0x01, 0xc1, 0xe6, 0x80 };
	struct tguest *g = *state;
	struct kvm_regs r;

	hv_on(g);
	assert_int_equal(tg_user_mode(g, TG_CODE, TG_STACK_TOP), 0);
	hv_exc_stubs(g);
	tg_put(g, TG_CODE, c, sizeof(c));
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(g->run->exit_reason, KVM_EXIT_IO);
	assert_int_equal(g->run->io.port, HV_EXC_PORT);
	assert_int_equal(tg_get_regs(g, &r), 0);
	assert_int_equal(r.rax & 0xff, UD);
}

/*
 * 32-bit caller (compatibility mode): control EDX:EAX, input EBX:ECX,
 * result EDX:EAX.  RCX holds what a 64-bit reading would take for the
 * control word, so only the 32-bit reading gives these answers.
 */
static void test_hcall_32bit(void **state)
{
	static const uint8_t c[] = { 0x0f, 0x01, 0xc1 };
	struct tguest *g = *state;
	struct kvm_sregs s;
	struct kvm_regs r = { .rax = 0xbeef, .rcx = HC_SPIN,
			      .rdx = 0xffffffff00000000ULL };

	hv_on(g);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	s.cs.l = 0;
	s.cs.db = 1;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_SREGS, &s), 0);
	assert_int_equal(hv_run(g, c, sizeof(c), &r), -1);
	assert_int_equal((uint32_t)r.rax, 2);	/* 0xbeef: invalid code */
	assert_int_equal((uint32_t)r.rdx, 0);	/* result's high half */
	tg_put(g, TG_DATA, (uint64_t[]){ 0, 1, 0 }, 24);
	r = (struct kvm_regs){ .rax = HC_FLUSH_LIST, .rdx = 3 /* reps */,
			       .rcx = TG_DATA, .rbx = 0 };
	assert_int_equal(hv_run(g, c, sizeof(c), &r), -1);
	assert_int_equal((uint32_t)r.rax, 0);
	assert_int_equal((uint32_t)r.rdx, 3);	/* reps completed */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		HV_TEST(test_supported_hv_cpuid),
		HV_TEST(test_caps),
		cmocka_unit_test(test_synic_needs_irqchip),
		cmocka_unit_test(test_msrs_need_hv_cpuid),
		cmocka_unit_test(test_hypercall_page),
		HV_TEST(test_vp_index_runtime),
		HV_TEST(test_frequencies),
		HV_TEST(test_ref_counter_tsc_page),
		HV_TEST(test_crash_reset),
		HV_TEST(test_apic_msrs),
		HV_TEST(test_synic),
		HV_TEST(test_stimers),
		HV_TEST(test_enforce_cpuid),
		HV_TEST(test_hcall_status),
		HV_TEST(test_hcall_flush),
		HV_TEST(test_hcall_user_exit),
		HV_TEST(test_hcall_cpl3_ud),
		HV_TEST(test_hcall_32bit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
