// SPDX-License-Identifier: MIT
/*
 * CPU behaviour kvm-unit-tests checks, each against the SDM/APM and KVM:
 * the KVM hypercall (VMCALL/VMMCALL: results, CPL 3, the other vendor's
 * form patched), INVPCID/RDPRU/RDPMC refused as the CPUID says, legacy
 * performance counters, SYSCALL from compatibility mode by vendor, IRETQ
 * to CPL 3 keeping the hidden GS base, LTR/LLDT refusing non-canonical
 * bases, SALC.  The debug facilities are in test_x86_debug.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <unistd.h>

#include "x86_fidelity_util.h"

/* ---- hypercalls ---- */

static const uint8_t vmcall[] = { 0x0f, 0x01, 0xc1 };
static const uint8_t vmmcall[] = { 0x0f, 0x01, 0xd9 };

static uint64_t hcall(struct tguest *g, const uint8_t *insn, uint64_t nr)
{
	struct kvm_regs r = { .rax = nr, .rbx = 1, .rcx = 2, .rdx = 3 };

	assert_int_equal(xi_run(g, insn, 3, &r), -1);
	return r.rax;
}

static void test_hypercall_numbers(void **state)
{
	struct tguest *g = *state;

	set_vendor(g, false);
	assert_int_equal(hcall(g, vmcall, 1), 0);	/* VAPIC_POLL_IRQ */
	assert_int_equal(hcall(g, vmcall, 5), 0);	/* KICK_CPU */
	assert_int_equal(hcall(g, vmcall, 11), 0);	/* SCHED_YIELD */
	/* SEND_IPI without an in-kernel LAPIC, CLOCK_PAIRING: EOPNOTSUPP */
	assert_int_equal(hcall(g, vmcall, 10), (uint64_t)-95);
	assert_int_equal(hcall(g, vmcall, 9), (uint64_t)-95);
	/* MAP_GPA_RANGE without its exit enabled, unknown numbers */
	assert_int_equal(hcall(g, vmcall, 12), (uint64_t)-1000);
	assert_int_equal(hcall(g, vmcall, 0), (uint64_t)-1000);
	assert_int_equal(hcall(g, vmcall, 4242), (uint64_t)-1000);
	/* 64-bit mode: the whole RAX is the number */
	assert_int_equal(hcall(g, vmcall, 0x100000001ULL), (uint64_t)-1000);
}

/* VMCALL then OUT to port 0x80: with an in-kernel LAPIC HLT would sleep. */
static uint64_t hcall_out(struct tguest *g, struct kvm_regs *r)
{
	static const uint8_t c[] = { 0x0f, 0x01, 0xc1, 0xe6, 0x80 };

	tg_put(g, TG_CODE, c, sizeof(c));
	r->rip = TG_CODE;
	r->rsp = TG_STACK_TOP;
	r->rflags = 2;
	assert_int_equal(tg_set_regs(g, r), 0);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(g->run->exit_reason, KVM_EXIT_IO);
	assert_int_equal(tg_get_regs(g, r), 0);
	return r->rax;
}

/*
 * KVM_HC_SEND_IPI with the in-kernel irqchip (kvm_pv_send_ipi): bit n of
 * RBX is APIC ID RDX + n; the answer counts the APICs that accepted, a
 * shorthand or logical destination is -KVM_EINVAL, an absent ID reaches
 * nobody, and the vector lands in the destination's IRR.
 */
static void test_pv_send_ipi_irqchip(void **state)
{
	struct kvm_lapic_state ls;
	struct tguest g;
	struct kvm_regs r;
	uint32_t irr;

	(void)state;
	assert_int_equal(tg_create_irqchip(&g, &tg_kvmu), 0);
	assert_int_equal(tg_set_supported_cpuid(&g), 0);
	assert_int_equal(tg_long_mode(&g, TG_CODE, TG_STACK_TOP), 0);
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_GET_LAPIC, &ls), 0);
	ls.regs[0xf0] |= 0x1;		/* SVR: software enable (bit 8) */
	ls.regs[0xf1] |= 0x1;
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_SET_LAPIC, &ls), 0);
	set_vendor(&g, false);
	r = (struct kvm_regs){ .rax = 10, .rbx = 1, .rdx = 0, .rsi = 0x40 };
	assert_int_equal(hcall_out(&g, &r), 1);	/* APIC 0 (self) accepted */
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_GET_LAPIC, &ls), 0);
	memcpy(&irr, &ls.regs[0x200 + 0x20], 4);	/* IRR[63:32] */
	assert_true(irr & 1);			/* vector 0x40 */
	r = (struct kvm_regs){ .rax = 10, .rbx = 2, .rdx = 0, .rsi = 0x41 };
	assert_int_equal(hcall_out(&g, &r), 0);	/* no APIC ID 1 */
	r = (struct kvm_regs){ .rax = 10, .rbx = 1, .rsi = 0x40 | 3 << 18 };
	assert_int_equal(hcall_out(&g, &r), (uint64_t)-22); /* -KVM_EINVAL */
	/*
	 * kvm-unit-tests' "PV IPIs testing": min 0xffffffff is above the
	 * APIC map's highest ID, so nobody is reached (not the x2APIC
	 * broadcast ID), and the high word's first ID wraps to 63.
	 */
	r = (struct kvm_regs){ .rax = 10, .rbx = 0xffffffff, .rcx = 0,
			       .rdx = 0xffffffff, .rsi = 0x42 };
	assert_int_equal(hcall_out(&g, &r), 0);
	r = (struct kvm_regs){ .rax = 10, .rbx = 1, .rcx = 1,
			       .rdx = 0xffffffc0, .rsi = 0x42 };
	assert_int_equal(hcall_out(&g, &r), 1);	/* only (u32)(min + 64) = 0 */
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_GET_LAPIC, &ls), 0);
	memcpy(&irr, &ls.regs[0x200 + 0x20], 4);
	assert_true(irr & 4);			/* vector 0x42 */
	tg_destroy(&g);
}

/*
 * KVM_CAP_ENFORCE_PV_FEATURE_CPUID: KICK_CPU, SEND_IPI and SCHED_YIELD
 * answer -KVM_ENOSYS unless CPUID 0x40000001 EAX has PV_UNHALT (7),
 * PV_SEND_IPI (11), PV_SCHED_YIELD (13); ungated calls stay served.
 */
static void test_hypercall_pv_gate(void **state)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_ENFORCE_PV_FEATURE_CPUID, .args[0] = 1,
	};
	struct tguest *g = *state;
	struct kvm_cpuid2 *c;

	set_vendor(g, false);
	/* KVM refuses a different CPUID after KVM_RUN: set it once */
	c = get_cpuid(g);
	leaf(c, 0x40000001, 0)->eax = (1U << 7) | (1U << 13);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_CPUID2, c), 0);
	free(c);
	/* not enforced: SEND_IPI served (no in-kernel LAPIC: EOPNOTSUPP) */
	assert_int_equal(hcall(g, vmcall, 10), (uint64_t)-95);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_ENABLE_CAP, &cap), 0);
	assert_int_equal(hcall(g, vmcall, 10), (uint64_t)-1000);
	assert_int_equal(hcall(g, vmcall, 5), 0);	/* PV_UNHALT set */
	assert_int_equal(hcall(g, vmcall, 11), 0);	/* PV_SCHED_YIELD set */
	assert_int_equal(hcall(g, vmcall, 1), 0);	/* ungated */
	cap.args[0] = 0;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_ENABLE_CAP, &cap), 0);
	assert_int_equal(hcall(g, vmcall, 10), (uint64_t)-95);
}

/* Intel vendor: VMMCALL is rewritten to VMCALL, then served. */
static void test_vmmcall_on_intel_patched(void **state)
{
	struct tguest *g = *state;

	set_vendor(g, false);
	assert_int_equal(hcall(g, vmmcall, 4242), (uint64_t)-1000);
	assert_memory_equal(g->mem + TG_CODE, vmcall, 3);
}

/*
 * KVM_CAP_DISABLE_QUIRKS2 with KVM_X86_QUIRK_FIX_HYPERCALL_INSN (the
 * selftest fix_hypercall_test): the other vendor's hypercall is a plain
 * #UD, left unpatched; quirks kvmu cannot turn off are refused.
 */
static void test_fix_hypercall_quirk_disabled(void **state)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_DISABLE_QUIRKS2 };
	struct tguest *g = *state;
	struct kvm_regs r = { .rax = 11 };

	assert_int_equal(tg_ioctl(g, g->vm, KVM_CHECK_EXTENSION,
				  (void *)(uintptr_t)KVM_CAP_DISABLE_QUIRKS2),
			 KVM_X86_QUIRK_FIX_HYPERCALL_INSN |
			 KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS);
	cap.args[0] = KVM_X86_QUIRK_LINT0_REENABLED;
	assert_int_equal(tg_ioctl(g, g->vm, KVM_ENABLE_CAP, &cap), -1);
	assert_int_equal(errno, EINVAL);
	cap.args[0] = KVM_X86_QUIRK_FIX_HYPERCALL_INSN;
	assert_int_equal(tg_ioctl(g, g->vm, KVM_ENABLE_CAP, &cap), 0);
	set_vendor(g, false);
	assert_int_equal(xi_run(g, vmmcall, 3, &r), X86_UD_VEC);
	assert_memory_equal(g->mem + TG_CODE, vmmcall, 3);
	r = (struct kvm_regs){ .rax = 11 };
	assert_int_equal(xi_run(g, vmcall, 3, &r), -1);	/* native */
	assert_int_equal(r.rax, 0);
}

/*
 * MONITOR/MWAIT are NOPs at CPL 0 while KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS
 * holds (the default); with it disabled and no MONITOR in CPUID, #UD.
 */
static void test_monitor_mwait_quirk(void **state)
{
	static const uint8_t c[] = {
		0x0f, 0x01, 0xc8,			/* monitor */
		0x0f, 0x01, 0xc9,			/* mwait */
	};
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_DISABLE_QUIRKS2,
		.args[0] = KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS,
	};
	struct tguest *g = *state;
	struct kvm_regs r = { .rax = TG_DATA };
	uint32_t id[4];

	assert_int_equal(tg_supported_cpuid(g, 1, 0, id), 0);
	assert_false(id[2] & (1U << 3));		/* no MONITOR */
	assert_int_equal(xi_run(g, c, sizeof(c), &r), -1);
	assert_int_equal(tg_ioctl(g, g->vm, KVM_ENABLE_CAP, &cap), 0);
	r = (struct kvm_regs){ .rax = TG_DATA };
	assert_int_equal(xi_run(g, c, sizeof(c), &r), X86_UD_VEC);
	assert_int_equal(r.rip, TG_EXC_STUB(X86_UD_VEC) + 1);
}

static void test_vmcall_on_amd_patched(void **state)
{
	struct tguest *g = *state;

	set_vendor(g, true);
	assert_int_equal(hcall(g, vmcall, 1), 0);
	assert_memory_equal(g->mem + TG_CODE, vmmcall, 3);
	assert_int_equal(hcall(g, vmmcall, 4242), (uint64_t)-1000);
}

/* CPL 3: no #UD, RAX = -KVM_EPERM. */
static void test_hypercall_cpl3_eperm(void **state)
{
	static const uint8_t c[] = { 0x0f, 0x01, 0xc1, 0xe6, 0x80 };
	struct tguest *g = *state;
	struct kvm_regs r;

	set_vendor(g, false);
	assert_int_equal(tg_user_mode(g, TG_CODE, TG_STACK_TOP), 0);
	tg_put(g, TG_CODE, c, sizeof(c));
	assert_int_equal(tg_get_regs(g, &r), 0);
	r.rax = 1;
	assert_int_equal(tg_set_regs(g, &r), 0);
	run_to(g, KVM_EXIT_IO);
	assert_int_equal(tg_get_regs(g, &r), 0);
	assert_int_equal(r.rax, (uint64_t)-1);
}

/* ---- INVPCID, RDPRU, RDPMC ---- */

static void set_invpcid(struct tguest *g, bool on)
{
	struct kvm_cpuid2 *c = get_cpuid(g);
	struct kvm_cpuid_entry2 *e = leaf(c, 7, 0);

	e->ebx = on ? e->ebx | (1U << 10) : e->ebx & ~(1U << 10);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_CPUID2, c), 0);
	free(c);
}

static void test_invpcid_by_cpuid(void **state)
{
	static const uint8_t c[] = { 0x66, 0x0f, 0x38, 0x82, 0x03 };
	struct tguest *g = *state;
	struct kvm_regs r = { .rax = 2, .rbx = D };

	memset(g->mem + D, 0, 16);
	set_invpcid(g, false);
	assert_int_equal(xi_run(g, c, sizeof(c), &r), X86_UD_VEC);
}

static void test_invpcid_types(void **state)
{
	static const uint8_t c[] = { 0x66, 0x0f, 0x38, 0x82, 0x03 };
	struct tguest *g = *state;
	struct kvm_regs r = { .rax = 2, .rbx = D };

	memset(g->mem + D, 0, 16);
	set_invpcid(g, true);
	assert_int_equal(xi_run(g, c, sizeof(c), &r), -1);
	r = (struct kvm_regs){ .rax = 4, .rbx = D };
	assert_int_equal(xi_run(g, c, sizeof(c), &r), 13);
	g->mem[D + 1] = 0x10;		/* PCID 4096: reserved */
	r = (struct kvm_regs){ .rax = 1, .rbx = D };
	assert_int_equal(xi_run(g, c, sizeof(c), &r), 13);
}

static void test_rdpru_ud_rdpmc_gp(void **state)
{
	static const uint8_t rdpru[] = { 0x0f, 0x01, 0xfd };
	static const uint8_t rdpmc[] = { 0x0f, 0x33 };
	struct tguest *g = *state;
	struct kvm_regs r = { .rcx = 0 };

	assert_int_equal(xi_run(g, rdpru, sizeof(rdpru), &r), X86_UD_VEC);
	r = (struct kvm_regs){ .rcx = 0 };
	assert_int_equal(xi_run(g, rdpmc, sizeof(rdpmc), &r), 13);
	r = (struct kvm_regs){ .rcx = 0x40000000 };
	assert_int_equal(xi_run(g, rdpmc, sizeof(rdpmc), &r), 13);
}

/*
 * Without a PMU KVM drops every guest write to the legacy counters and
 * event selects (AMD 0xc0010000-7, P6 0xc1/0xc2/0x186/0x187) and reads
 * them as 0: kvm-unit-tests' pmu wrote an event select and took #GP.
 */
static void test_legacy_perfctr_writes_dropped(void **state)
{
	static const uint8_t c[] = {
		0x0f, 0x30,				/* wrmsr */
		0x0f, 0x32,				/* rdmsr */
	};
	static const uint32_t msrs[] = { 0xc0010000, 0xc0010007, 0xc1, 0xc2,
					 0x186, 0x187 };
	struct tguest *g = *state;
	struct kvm_regs r;
	size_t i;

	for (i = 0; i < sizeof(msrs) / sizeof(msrs[0]); i++) {
		r = (struct kvm_regs){ .rcx = msrs[i], .rax = 0x430076,
				       .rdx = 0x1 };
		assert_int_equal(xi_run(g, c, sizeof(c), &r), -1);
		assert_int_equal(r.rax, 0);
		assert_int_equal(r.rdx, 0);
	}
}

/* ---- SYSCALL from compatibility mode ---- */

static void compat_syscall(struct tguest *g, bool amd)
{
	static const uint8_t c[] = { 0x0f, 0x05 };
	uint64_t compat_cs = 0x00cf9a000000ffffULL;	/* 0x38: D, DPL 0 */
	struct kvm_sregs s;
	struct kvm_regs r = { .rflags = 0x202 };

	set_vendor(g, amd);
	memcpy(g->mem + TG_GDT + 0x38, &compat_cs, 8);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	s.gdt.limit = 8 * 8 - 1;
	s.cs.selector = 0x38;
	s.cs.l = 0;
	s.cs.db = 1;
	s.efer |= 1;					/* SCE */
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_SREGS, &s), 0);
	set_msr(g, 0xc0000081, 0x0008ULL << 32);	/* STAR: CS 0x08 */
	set_msr(g, 0xc0000082, D + 0x100);		/* LSTAR */
	set_msr(g, 0xc0000083, D + 0x200);		/* CSTAR */
	set_msr(g, 0xc0000084, 0x200);			/* SFMASK: IF */
	g->mem[D + 0x100] = 0xf4;
	g->mem[D + 0x200] = 0xf4;
	put_code(g, c, sizeof(c), &r);
	run_to(g, KVM_EXIT_HLT);
	assert_int_equal(tg_get_regs(g, &r), 0);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	if (!amd) {
		assert_int_equal(tg_exception_at(r.rip), X86_UD_VEC);
		return;
	}
	assert_int_equal(r.rip, D + 0x201);		/* CSTAR */
	assert_int_equal(r.rcx, TG_CODE + 2);
	assert_int_equal(r.r11 & 0x200, 0x200);
	assert_false(r.rflags & 0x200);			/* SFMASK */
	assert_int_equal(s.cs.selector, 0x08);
	assert_int_equal(s.cs.l, 1);
	assert_int_equal(s.ss.selector, 0x10);
}

static void test_syscall_compat_amd(void **state)
{
	compat_syscall(*state, true);
}

static void test_syscall_compat_intel_ud(void **state)
{
	compat_syscall(*state, false);
}

/* ---- IRETQ to CPL 3 and the hidden GS base ---- */

static void test_iretq_keeps_gs_base(void **state)
{
	static const uint8_t c[] = {
		0x6a, 0x2b,				/* push $0x2b */
		0x68, 0x00, 0x00, 0x07, 0x00,		/* push $0x70000 */
		0x9c,					/* pushfq */
		0x6a, 0x33,				/* push $0x33 */
		0x68, 0x00, 0x01, 0x01, 0x00,		/* push $0x10100 */
		0x48, 0xcf,				/* iretq */
	};
	static const uint8_t user[] = { 0xe6, 0x80 };	/* out %al,$0x80 */
	struct tguest *g = *state;
	struct kvm_sregs s;
	struct kvm_regs r = { .rflags = 0x3002 };

	/* user pages and TSS from tg_user_mode, then back to CPL 0 */
	assert_int_equal(tg_user_mode(g, TG_CODE, TG_STACK_TOP), 0);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	s.cs.selector = 0x8;
	s.cs.dpl = 0;
	s.ss.selector = 0x10;
	s.ss.dpl = 0;
	s.ds = s.es = s.fs = s.ss;
	s.gs = s.ss;
	s.gs.base = 0x123456789000ULL;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_SREGS, &s), 0);
	tg_put(g, TG_CODE + 0x100, user, sizeof(user));
	put_code(g, c, sizeof(c), &r);
	run_to(g, KVM_EXIT_IO);
	assert_int_equal(tg_get_regs(g, &r), 0);
	assert_int_equal(r.rip, TG_CODE + 0x100);	/* OUT: RIP at it */
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	assert_int_equal(s.cs.selector, 0x33);
	assert_int_equal(s.gs.selector, 0);		/* nulled */
	assert_int_equal(s.gs.base, 0x123456789000ULL);	/* kept */
}

/* ---- LTR / LLDT with a non-canonical base ---- */

static void sys_desc(struct tguest *g, int sel, uint8_t type, uint32_t hi)
{
	uint64_t lo = 0x67 | ((uint64_t)(0x80 | type) << 40) | (0x9000ULL << 16);
	uint64_t h = hi;

	memcpy(g->mem + TG_GDT + sel, &lo, 8);
	memcpy(g->mem + TG_GDT + sel + 8, &h, 8);
}

static void load_sys(void **state, uint8_t modrm, uint8_t type)
{
	const uint8_t c[] = { 0x0f, 0x00, modrm };	/* ltr/lldt %ax */
	struct tguest *g = *state;
	struct kvm_sregs s;
	struct kvm_regs r = { .rax = 0x38 };

	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	s.gdt.limit = 10 * 8 - 1;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_SREGS, &s), 0);
	sys_desc(g, 0x38, type, 0x80000000);		/* bit 63 alone */
	assert_int_equal(xi_run(g, c, sizeof(c), &r), 13);
	assert_int_equal(stack_q(g, r.rsp, 0), 0x38);	/* error code */
	sys_desc(g, 0x38, type, 0xffff8000);		/* canonical */
	r = (struct kvm_regs){ .rax = 0x38 };
	assert_int_equal(xi_run(g, c, sizeof(c), &r), -1);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	if (type == 9)
		assert_int_equal(s.tr.base, 0xffff800000009000ULL);
	else
		assert_int_equal(s.ldt.base, 0xffff800000009000ULL);
}

static void test_ltr_noncanonical(void **s) { load_sys(s, 0xd8, 9); }
static void test_lldt_noncanonical(void **s) { load_sys(s, 0xd0, 2); }


/* ---- SALC (realmode.flat) ---- */

static void test_salc(void **state)
{
	static const uint8_t c[] = { 0xf9, 0xd6, 0x88, 0xc3, 0xf8, 0xd6 };
	uint64_t compat_cs = 0x00cf9a000000ffffULL;
	struct tguest *g = *state;
	struct kvm_regs r = { .rax = 0x1234, .rbx = 0 };
	struct kvm_sregs s;

	assert_int_equal(xi_run(g, c, 2, &r), X86_UD_VEC);	/* 64-bit */
	memcpy(g->mem + TG_GDT + 0x38, &compat_cs, 8);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	s.gdt.limit = 8 * 8 - 1;
	s.cs.selector = 0x38;
	s.cs.l = 0;
	s.cs.db = 1;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_SREGS, &s), 0);
	r = (struct kvm_regs){ .rax = 0x1234 };
	put_code(g, c, sizeof(c), &r);
	run_to(g, KVM_EXIT_HLT);
	assert_int_equal(tg_get_regs(g, &r), 0);
	assert_int_equal(r.rip, TG_CODE + sizeof(c) + 1);
	assert_int_equal(r.rbx & 0xff, 0xff);		/* CF=1 */
	assert_int_equal(r.rax, 0x1200);		/* CF=0, AH kept */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, xi_setup, xi_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_hypercall_numbers), T(test_hypercall_pv_gate),
		cmocka_unit_test(test_pv_send_ipi_irqchip),
		T(test_vmmcall_on_intel_patched),
		T(test_vmcall_on_amd_patched), T(test_hypercall_cpl3_eperm),
		T(test_fix_hypercall_quirk_disabled),
		T(test_monitor_mwait_quirk),
		T(test_invpcid_by_cpuid), T(test_invpcid_types),
		T(test_rdpru_ud_rdpmc_gp), T(test_legacy_perfctr_writes_dropped),
		T(test_syscall_compat_amd), T(test_syscall_compat_intel_ud),
		T(test_iretq_keeps_gs_base), T(test_ltr_noncanonical),
		T(test_lldt_noncanonical), T(test_salc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
