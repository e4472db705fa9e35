// SPDX-License-Identifier: MIT
/*
 * The debug facilities as kvm-unit-tests' debug.flat checks them, against
 * the SDM/APM and KVM: RF in the frame of faults, TF single-step, DR0-DR3
 * breakpoints in the guest and through KVM_SET_GUEST_DEBUG(USE_HW_BP),
 * general detect (DR7.GD), MOV SS blocking of single-step and data
 * breakpoints, HLT ended by its single-step #DB, single-step over SYSCALL
 * and SYSRET on the TF they leave.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>

#include "x86_fidelity_util.h"

/* ---- RF in exception frames ---- */

static void test_rf_in_fault_frame(void **state)
{
	static const uint8_t ud2[] = { 0x0f, 0x0b };
	static const uint8_t int3[] = { 0xcc };
	struct tguest *g = *state;
	struct kvm_regs r = { 0 };

	assert_int_equal(xi_run(g, ud2, sizeof(ud2), &r), X86_UD_VEC);
	assert_int_equal(stack_q(g, r.rsp, 0), TG_CODE);
	assert_true(stack_q(g, r.rsp, 2) & RF);		/* fault */
	assert_false(r.rflags & RF);			/* cleared on entry */
	r = (struct kvm_regs){ 0 };
	assert_int_equal(xi_run(g, int3, sizeof(int3), &r), 3);
	assert_false(stack_q(g, r.rsp, 2) & RF);	/* trap */
}

/* ---- TF single-step ---- */

/* POPF sets TF: the trap comes after the next instruction, with BS. */
static void test_tf_single_step(void **state)
{
	static const uint8_t c[] = {
		0x9c,					/* pushfq */
		0x48, 0x81, 0x0c, 0x24, 0x00, 0x01, 0, 0, /* orq $TF,(%rsp) */
		0x9d,					/* popfq */
		0x90,					/* nop: traps */
		0x90,
	};
	struct tguest *g = *state;
	struct kvm_regs r = { 0 };

	assert_int_equal(xi_run(g, c, sizeof(c), &r), 1);
	assert_int_equal(stack_q(g, r.rsp, 0), TG_CODE + 11);
	assert_true(stack_q(g, r.rsp, 2) & TF);
	assert_false(stack_q(g, r.rsp, 2) & RF);
	assert_int_equal(get_dr6(g) & 0x400f, 0x4000);
	assert_false(r.rflags & TF);			/* handler runs */
}

/* REP STOSB with TF: one trap per iteration, RIP at the instruction. */
static void test_tf_rep_iteration(void **state)
{
	static const uint8_t c[] = { 0xf3, 0xaa };
	struct tguest *g = *state;
	struct kvm_regs r = { .rcx = 3, .rdi = D, .rflags = TF };

	assert_int_equal(xi_run(g, c, sizeof(c), &r), 1);
	assert_int_equal(stack_q(g, r.rsp, 0), TG_CODE);
	assert_int_equal(r.rcx, 2);
	assert_int_equal(r.rdi, D + 1);
}

/* ---- DR0-DR3 in the guest ---- */

/*
 * An instruction breakpoint faults before the instruction, without RF in
 * the frame; returning with RF set (as a handler does) runs it once.
 */
static void test_insn_breakpoint_and_rf(void **state)
{
	static const uint8_t c[] = { 0x90, 0x90, 0x90 };
	static const uint8_t iretq[] = { 0x48, 0xcf };
	struct tguest *g = *state;
	struct kvm_regs r = { 0 };
	uint64_t fl;

	set_dr(g, 0, TG_CODE + 1, 0x401);		/* L0, execute */
	assert_int_equal(xi_run(g, c, sizeof(c), &r), 1);
	assert_int_equal(stack_q(g, r.rsp, 0), TG_CODE + 1);
	assert_false(stack_q(g, r.rsp, 2) & RF);
	assert_int_equal(get_dr6(g) & 0x400f, 1);
	/* the #DB stub goes on with IRETQ, the frame's RF set */
	tg_put(g, TG_EXC_STUB(1) + 1, iretq, sizeof(iretq));
	fl = stack_q(g, r.rsp, 2) | RF;
	memcpy(g->mem + r.rsp + 16, &fl, 8);
	assert_int_equal(tg_run(g, 4), KVM_EXIT_HLT);
	assert_int_equal(tg_get_regs(g, &r), 0);
	assert_int_equal(r.rip, TG_CODE + 4);		/* reached its HLT */
	assert_false(r.rflags & RF);			/* cleared after one */
}

static void test_insn_breakpoint_refires_without_rf(void **state)
{
	static const uint8_t c[] = { 0x90, 0x90 };
	static const uint8_t iretq[] = { 0x48, 0xcf };
	struct tguest *g = *state;
	struct kvm_regs r = { 0 };

	set_dr(g, 0, TG_CODE + 1, 0x402);		/* G0, execute */
	assert_int_equal(xi_run(g, c, sizeof(c), &r), 1);
	tg_put(g, TG_EXC_STUB(1) + 1, iretq, sizeof(iretq));
	assert_int_equal(tg_run(g, 4), KVM_EXIT_HLT);
	assert_int_equal(tg_get_regs(g, &r), 0);
	assert_int_equal(tg_exception_at(r.rip), 1);
	assert_int_equal(stack_q(g, r.rsp, 0), TG_CODE + 1);
}

/* Data breakpoints: LEN 4 covers an aligned dword, RW 01 writes only. */
static void test_data_breakpoints(void **state)
{
	static const uint8_t st[] = { 0x89, 0x03, 0x90 };	/* mov %eax,(%rbx) */
	static const uint8_t ld[] = { 0x8b, 0x03, 0x90 };	/* mov (%rbx),%eax */
	uint64_t w4 = 0x400 | (1 << 3) | (1ULL << 20) | (3ULL << 22);
	uint64_t rw4 = 0x400 | (1 << 3) | (3ULL << 20) | (3ULL << 22);
	struct tguest *g = *state;
	struct kvm_regs r = { .rbx = D + 6 };

	set_dr(g, 1, D + 4, w4);
	assert_int_equal(xi_run(g, st, sizeof(st), &r), 1);
	assert_int_equal(stack_q(g, r.rsp, 0), TG_CODE + 2);	/* trap */
	assert_int_equal(get_dr6(g) & 0x400f, 2);
	r = (struct kvm_regs){ .rbx = D + 6 };
	set_dr(g, 1, D + 4, w4);
	assert_int_equal(xi_run(g, ld, sizeof(ld), &r), -1);	/* a read */
	r = (struct kvm_regs){ .rbx = D + 6 };
	set_dr(g, 1, D + 4, rw4);
	assert_int_equal(xi_run(g, ld, sizeof(ld), &r), 1);
	r = (struct kvm_regs){ .rbx = D + 8 };			/* next dword */
	set_dr(g, 1, D + 4, rw4);
	assert_int_equal(xi_run(g, ld, sizeof(ld), &r), -1);
	r = (struct kvm_regs){ .rbx = D + 8 };
	set_dr(g, 1, D + 4, rw4 & ~0xffULL);			/* disabled */
	assert_int_equal(xi_run(g, st, sizeof(st), &r), -1);
}

/* ---- KVM_SET_GUEST_DEBUG with KVM_GUESTDBG_USE_HW_BP ---- */

static void test_hw_bp_exits(void **state)
{
	static const uint8_t c[] = { 0x90, 0x89, 0x03, 0x90 };
	struct tguest *g = *state;
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
	};
	struct kvm_regs r = { .rbx = D };

	dbg.arch.debugreg[0] = TG_CODE + 1;
	dbg.arch.debugreg[2] = D;
	dbg.arch.debugreg[7] = 0x400 | 1 | (1 << 4) | (1ULL << 24);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_GUEST_DEBUG, &dbg), 0);
	put_code(g, c, sizeof(c), &r);
	run_to(g, KVM_EXIT_DEBUG);			/* DR0: before insn */
	assert_int_equal(g->run->debug.arch.exception, 1);
	assert_int_equal(g->run->debug.arch.pc, TG_CODE + 1);
	assert_int_equal(g->run->debug.arch.dr6 & 0xf, 1);
	assert_int_equal(g->run->debug.arch.dr7, dbg.arch.debugreg[7]);
	/* the debugger steps over it as gdb does: RF, then run */
	assert_int_equal(tg_get_regs(g, &r), 0);
	r.rflags |= RF;
	assert_int_equal(tg_set_regs(g, &r), 0);
	run_to(g, KVM_EXIT_DEBUG);			/* DR2: after write */
	assert_int_equal(g->run->debug.arch.pc, TG_CODE + 3);
	assert_int_equal(g->run->debug.arch.dr6 & 0xf, 4);
	/* the guest's own DR6 is untouched: the debugger took the #DB */
	assert_int_equal(get_dr6(g) & 0xf, 0);
	dbg.control = 0;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_GUEST_DEBUG, &dbg), 0);
	run_to(g, KVM_EXIT_HLT);
}

/*
 * DR7.GD: MOV from DR0 faults with DR6.BD (RIP at the MOV) and the #DB
 * handler is entered with GD clear; under KVM_GUESTDBG_USE_HW_BP it
 * leaves KVM_RUN as KVM_EXIT_DEBUG with DR6.BD instead.
 */
static void test_general_detect(void **state)
{
	static const uint8_t c[] = { 0x0f, 0x21, 0xc0, 0x90 };	/* mov %dr0,%rax */
	struct tguest *g = *state;
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
	};
	struct kvm_debugregs d;
	struct kvm_regs r = { 0 };

	set_dr(g, 0, 0, 0x400 | (1ULL << 13));
	assert_int_equal(xi_run(g, c, sizeof(c), &r), 1);
	assert_int_equal(stack_q(g, r.rsp, 0), TG_CODE);	/* a fault */
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_DEBUGREGS, &d), 0);
	assert_int_equal(d.dr6 & (1ULL << 13), 1ULL << 13);
	assert_int_equal(d.dr7 & (1ULL << 13), 0);
	/* the debugger's DR7.GD */
	set_dr(g, 0, 0, 0x400);
	dbg.arch.debugreg[7] = 0x400 | (1ULL << 13);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_GUEST_DEBUG, &dbg), 0);
	r = (struct kvm_regs){ 0 };
	put_code(g, c, sizeof(c), &r);
	run_to(g, KVM_EXIT_DEBUG);
	assert_int_equal(g->run->debug.arch.exception, 1);
	assert_int_equal(g->run->debug.arch.pc, TG_CODE);
	assert_int_equal(g->run->debug.arch.dr6, 0xffff2ff0);
	dbg.control = 0;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_GUEST_DEBUG, &dbg), 0);
	run_to(g, KVM_EXIT_HLT);
}

/* ---- MOV SS blocking and HLT under single-step (debug.flat) ---- */

/* MOV SS with TF: no trap after it; the next instruction traps, once. */
static void test_movss_blocks_single_step(void **state)
{
	static const uint8_t c[] = {
		0x9c,					/* pushfq */
		0x48, 0x81, 0x0c, 0x24, 0x00, 0x01, 0, 0, /* orq $TF,(%rsp) */
		0x8c, 0xd0,				/* mov %ss,%eax */
		0x9d,					/* popfq */
		0x8e, 0xd0,				/* mov %eax,%ss */
		0x90,					/* nop: traps */
		0x90,
	};
	struct tguest *g = *state;
	struct kvm_regs r = { 0 };

	assert_int_equal(xi_run(g, c, sizeof(c), &r), 1);
	assert_int_equal(stack_q(g, r.rsp, 0), TG_CODE + 15);
	assert_int_equal(get_dr6(g) & 0x400f, 0x4000);
}

/*
 * A data breakpoint hit by MOV SS waits one instruction; ICEBP there
 * raises the only #DB (kvm-unit-tests "MOV SS + watchpoint + ICEBP").
 */
static void test_movss_watchpoint_icebp(void **state)
{
	static const uint8_t c[] = {
		0x8e, 0x14, 0x25, 0x00, 0x00, 0x04, 0x00, /* mov D,%ss */
		0xf1,					/* icebp */
	};
	struct tguest *g = *state;
	struct kvm_regs r = { 0 };
	uint16_t ss = 0x10;

	memcpy(g->mem + D, &ss, 2);
	set_dr(g, 0, D, 0x400 | 1 | (3ULL << 16) | (3ULL << 18));
	assert_int_equal(xi_run(g, c, sizeof(c), &r), 1);
	assert_int_equal(stack_q(g, r.rsp, 0), TG_CODE + 8);
	/* the stub's HLT ran in the handler: no second #DB frame below */
	assert_int_equal(r.rsp, TG_STACK_TOP - 40);
}

static void no_op_handler(int sig)
{
	(void)sig;
}

/*
 * HLT with TF under the in-kernel irqchip: the single-step #DB ends the
 * halt (kvm_vcpu_has_events), with RIP after the HLT.  The #DB stub is
 * an OUT, so the handler leaves KVM_RUN; an alarm only keeps a broken
 * build from sleeping forever (KVM_RUN then fails with EINTR).
 */
static void test_hlt_single_step_irqchip(void **state)
{
	static const uint8_t c[] = {
		0x9c,					/* pushfq */
		0x48, 0x81, 0x0c, 0x24, 0x00, 0x01, 0, 0, /* orq $TF,(%rsp) */
		0x9d,					/* popfq */
		0xf4,					/* hlt: traps after */
	};
	static const uint8_t out[] = { 0xe6, 0x80 };
	struct sigaction sa = { .sa_handler = no_op_handler }, old;
	struct tguest g;
	struct kvm_regs r = { .rflags = 2 };
	uint64_t rip;

	(void)state;
	assert_int_equal(tg_create_irqchip(&g, &tg_kvmu), 0);
	assert_int_equal(tg_set_supported_cpuid(&g), 0);
	assert_int_equal(tg_long_mode(&g, TG_CODE, TG_STACK_TOP), 0);
	tg_put(&g, TG_EXC_STUB(1), out, sizeof(out));
	tg_put(&g, TG_CODE, c, sizeof(c));
	r.rip = TG_CODE;
	r.rsp = TG_STACK_TOP;
	assert_int_equal(tg_set_regs(&g, &r), 0);
	sigaction(SIGALRM, &sa, &old);
	alarm(30);
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_RUN, NULL), 0);
	alarm(0);
	sigaction(SIGALRM, &old, NULL);
	assert_int_equal(g.run->exit_reason, KVM_EXIT_IO);
	assert_int_equal(tg_get_regs(&g, &r), 0);
	memcpy(&rip, g.mem + r.rsp, 8);
	assert_int_equal(rip, TG_CODE + sizeof(c));
	tg_destroy(&g);
}

/* ---- SYSCALL/SYSRET single-step: the TF they leave counts ---- */

static void syscall_msrs(struct tguest *g, uint64_t sfmask)
{
	struct kvm_sregs s;

	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	s.efer |= 1;					/* SCE */
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_SREGS, &s), 0);
	/* SYSCALL CS 0x08; SYSRET base 0x20: CS 0x33, SS 0x2b */
	set_msr(g, 0xc0000081, (0x0020ULL << 48) | (0x0008ULL << 32));
	set_msr(g, 0xc0000082, D + 0x100);		/* LSTAR */
	set_msr(g, 0xc0000084, sfmask);
	g->mem[D + 0x100] = 0xf4;
}

/*
 * kvm-unit-tests' "syscall TF handling": SYSCALL with TF set and TF in
 * SFMASK takes no single-step trap (KVM checks TF after SYSCALL); with
 * TF left set the trap comes at the entry point.
 */
static void test_syscall_tf_masked(void **state)
{
	static const uint8_t c[] = {
		0x9c,					/* pushfq */
		0x48, 0x81, 0x0c, 0x24, 0x00, 0x01, 0, 0, /* orq $TF,(%rsp) */
		0x9d,					/* popfq */
		0x0f, 0x05,				/* syscall */
	};
	struct tguest *g = *state;
	struct kvm_regs r = { 0 };

	syscall_msrs(g, TF | 0x200);
	put_code(g, c, sizeof(c), &r);
	run_to(g, KVM_EXIT_HLT);
	assert_int_equal(tg_get_regs(g, &r), 0);
	assert_int_equal(r.rip, D + 0x101);		/* no #DB */
	assert_true(r.r11 & TF);
	syscall_msrs(g, 0x200);
	r = (struct kvm_regs){ 0 };
	assert_int_equal(xi_run(g, c, sizeof(c), &r), 1);
	assert_int_equal(stack_q(g, r.rsp, 0), D + 0x100);
}

/* SYSRET setting TF from R11 traps before the first user instruction. */
static void test_sysret_tf_traps(void **state)
{
	static const uint8_t c[] = { 0x48, 0x0f, 0x07 };	/* sysretq */
	static const uint8_t user[] = { 0xf4 };		/* hlt: #GP at CPL 3 */
	struct tguest *g = *state;
	struct kvm_sregs s;
	struct kvm_regs r = { .rcx = TG_CODE + 0x100, .r11 = TF | 2 };

	assert_int_equal(tg_user_mode(g, TG_CODE, TG_STACK_TOP), 0);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	s.cs.selector = 0x8;
	s.cs.dpl = 0;
	s.ss.selector = 0x10;
	s.ss.dpl = 0;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_SREGS, &s), 0);
	syscall_msrs(g, 0);
	tg_put(g, TG_CODE + 0x100, user, sizeof(user));
	put_code(g, c, sizeof(c), &r);
	run_to(g, KVM_EXIT_HLT);
	assert_int_equal(tg_get_regs(g, &r), 0);
	assert_int_equal(tg_exception_at(r.rip), 1);
	assert_int_equal(stack_q(g, r.rsp, 0), TG_CODE + 0x100);
	assert_int_equal(stack_q(g, r.rsp, 1), 0x33);	/* user CS */
	assert_true(stack_q(g, r.rsp, 2) & TF);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, xi_setup, xi_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_rf_in_fault_frame),
		T(test_tf_single_step), T(test_tf_rep_iteration),
		T(test_insn_breakpoint_and_rf),
		T(test_insn_breakpoint_refires_without_rf),
		T(test_data_breakpoints), T(test_hw_bp_exits),
		T(test_general_detect),
		T(test_syscall_tf_masked), T(test_sysret_tf_traps),
		T(test_movss_blocks_single_step),
		T(test_movss_watchpoint_icebp),
		cmocka_unit_test(test_hlt_single_step_irqchip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
