// SPDX-License-Identifier: MIT
/*
 * Debug exceptions (SDM 17.2-17.3): the single-step trap of RFLAGS.TF and
 * the breakpoints of DR0-DR3 under DR7 (L/G enables, R/W 00 execute, 01
 * write, 11 read/write, LEN 1/2/4/8 bytes).  An instruction breakpoint is
 * a fault taken before the instruction unless RFLAGS.RF is set; RF is
 * cleared once an instruction retires.  Data breakpoints and single-step
 * are traps taken after the instruction, DR6 B0-B3/BS saying which.
 *
 * With KVM_SET_GUEST_DEBUG(KVM_GUESTDBG_USE_HW_BP) the debugger's
 * debugreg[0-3,7] replace the guest's, and a hit leaves KVM_RUN as
 * KVM_EXIT_DEBUG (exception 1, dr6, dr7, pc) instead of reaching the
 * guest, as KVM's handle_exception_nmi does.  General detect (DR7.GD):
 * a MOV to or from a debug register faults with DR6.BD, or leaves
 * KVM_RUN the same way, as KVM's handle_dr.  I/O breakpoints (R/W 10)
 * are not modelled.
 */
#include <string.h>

#include "arch/x86/x86_int.h"

#define DR7_RW(dr7, i)	(((dr7) >> (16 + 4 * (i))) & 3)
#define DR7_LEN(dr7, i)	(((dr7) >> (18 + 4 * (i))) & 3)
#define DR6_B_MASK	0xfULL

static bool to_user(const struct x86_cpu *cpu)
{
	return (cpu->guest_debug & (KVM_GUESTDBG_ENABLE |
				    KVM_GUESTDBG_USE_HW_BP)) ==
	       (KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP);
}

/* The DR7 and DR0-DR3 in force: the debugger's or the guest's. */
static u64 eff_dr7(const struct x86_cpu *cpu)
{
	return to_user(cpu) ? cpu->hw_bp[7] : cpu->dr[7];
}

static u64 eff_dr(const struct x86_cpu *cpu, int i)
{
	return to_user(cpu) ? cpu->hw_bp[i] : cpu->dr[i];
}

static bool bp_enabled(u64 dr7, int i)
{
	return (dr7 >> (2 * i)) & 3;
}

void x86_dbg_access(struct x86_cpu *cpu, u64 lin, u32 size, bool write)
{
	static const u8 len_bytes[4] = { 1, 2, 8, 4 };
	u64 dr7 = eff_dr7(cpu), lo, n;
	int i, rw;

	for (i = 0; i < 4; i++) {
		if (!bp_enabled(dr7, i))
			continue;
		rw = (int)DR7_RW(dr7, i);
		if (rw == 0 || rw == 2 || (rw == 1 && !write))
			continue;
		n = len_bytes[DR7_LEN(dr7, i)];
		lo = eff_dr(cpu, i) & ~(n - 1);	/* aligned, as the CPU */
		if (lin < lo + n && lo < lin + size)
			cpu->dbg_hits |= 1ULL << i;
	}
}

/* Leave KVM_RUN for the debugger: KVM_EXIT_DEBUG with vector #DB. */
static void debug_exit(struct x86_cpu *cpu, u64 dr6)
{
	struct kvm_run *run = cpu->run;

	run->exit_reason = KVM_EXIT_DEBUG;
	run->debug.arch.exception = X86_DB;
	run->debug.arch.pc = cpu->seg[X86_CS].base + cpu->rip;
	run->debug.arch.dr6 = dr6 | X86_DR6_ACTIVE_LOW;
	run->debug.arch.dr7 = eff_dr7(cpu);
}

enum x86_status x86_dbg_before(struct x86_cpu *cpu)
{
	u64 dr7 = eff_dr7(cpu), lin, hits = 0;
	bool resume = cpu->dbg_resume && cpu->dbg_resume_rip == cpu->rip;
	int i;

	cpu->dbg_hits = 0;
	cpu->dbg_resume = false;
	cpu->dbg_tf = cpu->rflags & X86_TF;
	cpu->dbg_rf = cpu->rflags & X86_RF;
	if (!(dr7 & 0xff) || cpu->dbg_rf || resume)
		return X86_OK;
	lin = cpu->seg[X86_CS].base + cpu->rip;
	if (cpu->mode != X86_MODE_LONG64)
		lin &= 0xffffffffULL;
	for (i = 0; i < 4; i++)
		if (bp_enabled(dr7, i) && DR7_RW(dr7, i) == 0 &&
		    eff_dr(cpu, i) == lin)
			hits |= 1ULL << i;
	if (!hits)
		return X86_OK;
	if (to_user(cpu)) {
		debug_exit(cpu, hits);
		return X86_EXIT;
	}
	/* a fault: RIP stays at the instruction, RF not set (17.3.1.1) */
	x86_queue_exception(cpu, X86_DB, false, 0, true, hits);
	return X86_FAULT;
}

/* INT n, INT3, INTO and INT1 clear TF on their way: no trap after them. */
static bool soft_int(const struct x86_insn *in)
{
	return in && (in->mnemonic == ZYDIS_MNEMONIC_INT ||
		      in->mnemonic == ZYDIS_MNEMONIC_INT3 ||
		      in->mnemonic == ZYDIS_MNEMONIC_INTO ||
		      in->mnemonic == ZYDIS_MNEMONIC_INT1);
}

void x86_dbg_retired(struct x86_cpu *cpu, const struct x86_insn *in)
{
	u64 dr6 = cpu->dbg_hits | cpu->dbg_movss;

	/* ICEBP's own #DB, already delivered, takes the held ones along */
	if (cpu->dbg_movss && in && in->mnemonic == ZYDIS_MNEMONIC_INT1)
		dr6 &= ~cpu->dbg_movss;
	cpu->dbg_movss = 0;
	if (cpu->dbg_rf)
		cpu->rflags &= ~X86_RF;
	if (cpu->interrupt_shadow & KVM_X86_SHADOW_INT_MOV_SS) {
		/*
		 * MOV SS / POP SS block #DBs for one instruction (SDM
		 * 6.8.3): its single-step trap is dropped (the next
		 * instruction still runs with TF and traps), data hits
		 * wait until after the next instruction
		 */
		cpu->dbg_movss = dr6;
		dr6 = 0;
	} else if (cpu->dbg_tf && !soft_int(in)) {
		dr6 |= X86_DR6_BS;
	}
	cpu->dbg_hits = 0;
	cpu->dbg_tf = false;
	cpu->dbg_dr6 = dr6;
}

void x86_dbg_tf_after(struct x86_cpu *cpu)
{
	bool tf = cpu->rflags & X86_TF;

	if (!cpu->code_gpage) {
		cpu->dbg_tf = tf;	/* x86_step's x86_dbg_retired uses it */
		return;
	}
	/* in a block (TF was clear): no retire bookkeeping runs there */
	if (tf)
		cpu->dbg_dr6 |= X86_DR6_BS;
}

bool x86_dbg_after(struct x86_cpu *cpu)
{
	u64 dr6 = cpu->dbg_dr6;

	cpu->dbg_dr6 = 0;
	if (!dr6)
		return false;
	if (to_user(cpu)) {
		debug_exit(cpu, dr6);
		/* the instruction's MMIO writes still go out, next */
		if (cpu->nr_mmio_writes)
			cpu->io_wait = X86_WAIT_MMIO_WRITE;
		return true;
	}
	x86_queue_exception(cpu, X86_DB, false, 0, true, dr6);
	return false;
}

enum x86_status x86_dbg_general_detect(struct x86_cpu *cpu)
{
	if (!(eff_dr7(cpu) & X86_DR7_GD))
		return X86_OK;
	if (to_user(cpu)) {
		debug_exit(cpu, X86_DR6_BD);
		return X86_EXIT;
	}
	/* fault-like, RF not set; delivery clears DR7.GD (17.2.4) */
	x86_queue_exception(cpu, X86_DB, false, 0, true, X86_DR6_BD);
	return X86_FAULT;
}

void x86_dbg_set_hw_bp(struct x86_cpu *cpu, const __u64 *debugreg)
{
	if (debugreg)
		memcpy(cpu->hw_bp, debugreg, sizeof(cpu->hw_bp));
	else
		memset(cpu->hw_bp, 0, sizeof(cpu->hw_bp));
}
