// SPDX-License-Identifier: MIT
/*
 * A64 branches, exception generation and the system class: B/BL,
 * conditional and compare/test branches, BR/BLR/RET/ERET, SVC/HVC/SMC/BRK,
 * hints (WFI, WFE, YIELD, ...), barriers and CLREX, MSR to PSTATE fields.
 * HVC and SMC from EL1 go to the hypervisor: kvmu's SMCCC handling
 * (smccc.c), as KVM traps them.
 */
#include "arm64.h"

int op_b(struct a64_cpu *c, u32 insn)
{
	if (insn & BIT(31))
		c->x[30] = c->pc;
	c->pc = c->ipc + (u64)(sext(insn & 0x3ffffff, 26) * 4);
	return 0;
}

int op_cbz(struct a64_cpu *c, u32 insn)
{
	u64 v = a64_x(c, insn & 31);
	bool nz = insn & BIT(24);

	if (!(insn >> 31))
		v = (u32)v;
	if ((v != 0) == nz)
		c->pc = c->ipc + (u64)(sext(BITS(insn, 23, 5), 19) * 4);
	return 0;
}

int op_tbz(struct a64_cpu *c, u32 insn)
{
	unsigned int bit = BITS(insn, 31, 31) << 5 | BITS(insn, 23, 19);
	bool set = (a64_x(c, insn & 31) >> bit) & 1;

	if (set == !!(insn & BIT(24)))
		c->pc = c->ipc + (u64)(sext(BITS(insn, 18, 5), 14) * 4);
	return 0;
}

int op_bcond(struct a64_cpu *c, u32 insn)
{
	if (a64_cond(c, insn & 15))
		c->pc = c->ipc + (u64)(sext(BITS(insn, 23, 5), 19) * 4);
	return 0;
}

int op_exc(struct a64_cpu *c, u32 insn)
{
	unsigned int opc = BITS(insn, 23, 21), ll = insn & 3;
	u16 imm = (u16)BITS(insn, 20, 5);
	bool el0 = a64_el(c) == 0;

	if (BITS(insn, 4, 2))
		return a64_undef(c, insn);
	if (opc == 0 && ll == 1) {
		/* SVC returns to the next instruction */
		c->ipc = c->pc;
		return a64_sync_exc(c, (u32)EC_SVC64 << 26 | imm, 0, false);
	}
	if (opc == 0 && (ll == 2 || ll == 3)) {
		if (el0)
			return a64_undef(c, insn);
		return arm64_smccc_call(c, ll == 3, imm);
	}
	if (opc == 1 && ll == 0)
		return a64_sync_exc(c, (u32)EC_BRK << 26 | imm, 0, false);
	return a64_undef(c, insn);
}

int op_hint(struct a64_cpu *c, u32 insn)
{
	unsigned int h = BITS(insn, 11, 5);

	if (h == 3)
		return a64_op_wfi(c);
	if (h == 2 && a64_el(c) == 0 && !(c->sr[SR_SCTLR_EL1] & BIT(18)))
		return a64_sync_exc(c, (u32)EC_WFX << 26 | 1u << 24 |
				    0xe << 20 | 1, 0, false);
	/* NOP, YIELD, WFE (KVM yields), SEV, SEVL and the other hints */
	return 0;
}

int op_barrier(struct a64_cpu *c, u32 insn)
{
	switch (BITS(insn, 7, 5)) {
	case 2:
		c->excl_valid = false;
		return 0;
	case 4: case 5: case 6: case 7:
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		return 0;
	default:
		return a64_undef(c, insn);
	}
}

int op_msr_imm(struct a64_cpu *c, u32 insn)
{
	unsigned int op1 = BITS(insn, 18, 16), op2 = BITS(insn, 7, 5);
	u64 crm = BITS(insn, 11, 8);

	if (op1 == 0 && op2 == 5 && a64_el(c) == 1) {	/* SPSel */
		c->pstate = (c->pstate & ~1ULL) | (crm & 1);
		return 0;
	}
	if (op1 == 3 && (op2 == 6 || op2 == 7)) {	/* DAIFSet/Clr */
		if (a64_el(c) == 0 && !(c->sr[SR_SCTLR_EL1] & BIT(9)))
			return a64_sync_exc(c, (u32)EC_SYS64 << 26 |
				0u << 20 | op2 << 17 | op1 << 14 | 4 << 10 |
				31 << 5 | (u32)crm << 1, 0, false);
		if (op2 == 6)
			c->pstate |= crm << 6;
		else
			c->pstate &= ~(crm << 6);
		return 0;
	}
	return a64_undef(c, insn);
}

int op_br(struct a64_cpu *c, u32 insn)
{
	unsigned int opc = BITS(insn, 24, 21), rn = BITS(insn, 9, 5);
	u64 target = a64_x(c, rn);

	if (BITS(insn, 20, 16) != 31 || BITS(insn, 15, 10) || (insn & 31))
		return a64_undef(c, insn);
	switch (opc) {
	case 0: case 2:			/* BR, RET */
		c->pc = target;
		return 0;
	case 1:				/* BLR */
		c->x[30] = c->pc;
		c->pc = target;
		return 0;
	case 4:				/* ERET */
		if (rn != 31 || a64_el(c) == 0)
			return a64_undef(c, insn);
		a64_eret(c);
		return 0;
	default:
		return a64_undef(c, insn);
	}
}
