// SPDX-License-Identifier: MIT
/*
 * General-purpose data movement and flag instructions, and the table of
 * every general-purpose handler (x86_ops_int): the handlers themselves are
 * spread over exec_arith.c, exec_muldiv.c, exec_bits.c, exec_scan.c,
 * exec_bcd.c and this file; X86_INT_OPS in exec_int.h lists them.
 */
#include "arch/x86/exec_int.h"

static bool is_crdr(const struct x86_operand *op)
{
	return op->kind == X86_OP_REG &&
	       (op->rclass == X86_RC_CR || op->rclass == X86_RC_DR);
}

/* MOV; Zydis also names the segment, control and debug moves MOV. */
X86_HANDLER(x86_i_mov)
{
	const struct x86_operand *d = &in->op[0];
	enum x86_status st;
	u64 v;

	if (is_crdr(d) || is_crdr(&in->op[1]))
		return x86_mov_crdr(cpu, in);
	st = x86_src(cpu, in, 1, d->size, &v);
	if (st != X86_OK)
		return st;
	if (d->kind == X86_OP_REG && d->rclass == X86_RC_SEG) {
		if (d->reg == X86_CS)
			return x86_ud(cpu);
		return x86_load_seg(cpu, d->reg, (u16)v);
	}
	return x86_op_write(cpu, in, 0, v);
}

X86_HANDLER(x86_i_movzx)
{
	enum x86_status st;
	u64 v;

	st = x86_op_read(cpu, in, 1, &v);
	if (st != X86_OK)
		return st;
	return x86_op_write(cpu, in, 0, v);
}

X86_HANDLER(x86_i_movsx)
{
	enum x86_status st;
	u64 v;

	st = x86_op_read(cpu, in, 1, &v);
	if (st != X86_OK)
		return st;
	return x86_op_write(cpu, in, 0, (u64)x86_sext(v, in->op[1].size));
}

X86_HANDLER(x86_i_movsxd)
{
	return x86_i_movsx(cpu, in);
}

/* LEA: the effective address, truncated to the address then operand size. */
X86_HANDLER(x86_i_lea)
{
	if (in->op[1].kind != X86_OP_MEM)
		return x86_ud(cpu);
	return x86_op_write(cpu, in, 0, x86_ea(cpu, in, &in->op[1]));
}

/*
 * CMOVcc reads its source even when the condition is false (a bad address
 * faults either way), and a 32-bit destination is zero-extended either way.
 */
X86_HANDLER(x86_i_cmov)
{
	enum x86_status st;
	u64 s, d;

	st = x86_op_read(cpu, in, 1, &s);
	if (st != X86_OK)
		return st;
	if (!x86_cond(cpu, in->cc))
		x86_op_read(cpu, in, 0, &d);
	else
		d = s;
	return x86_op_write(cpu, in, 0, d);
}

X86_HANDLER(x86_i_setcc)
{
	return x86_op_write(cpu, in, 0, x86_cond(cpu, in->cc));
}

/* CBW/CWDE/CDQE: sign-extend the lower half of the accumulator. */
X86_HANDLER(x86_i_cbw)
{
	int size = in->opsize;
	u64 v = x86_gpr_get(cpu, X86_RAX, size / 2, false);

	x86_gpr_set(cpu, X86_RAX, size, false, (u64)x86_sext(v, size / 2));
	return X86_OK;
}

/* CWD/CDQ/CQO: rDX = the sign of rAX, replicated. */
X86_HANDLER(x86_i_cwd)
{
	int size = in->opsize;
	u64 v = x86_gpr_get(cpu, X86_RAX, size, false);

	x86_gpr_set(cpu, X86_RDX, size, false,
		    x86_msb(v, size) ? ~0ULL : 0);
	return X86_OK;
}

#define LAHF_MASK (X86_SF | X86_ZF | X86_AF | X86_PF_ | X86_CF)

/* LAHF/SAHF exist in 64-bit mode only with CPUID LAHF-LM. */
X86_HANDLER(x86_i_lahf)
{
	if (cpu->mode == X86_MODE_LONG64 && !X86_FEAT_LAHF_LM(cpu))
		return x86_ud(cpu);
	x86_gpr_set(cpu, X86_RSP, 1, true, (cpu->rflags & LAHF_MASK) | 2);
	return X86_OK;
}

X86_HANDLER(x86_i_sahf)
{
	if (cpu->mode == X86_MODE_LONG64 && !X86_FEAT_LAHF_LM(cpu))
		return x86_ud(cpu);
	cpu->rflags = (cpu->rflags & ~LAHF_MASK) |
		      (x86_gpr_get(cpu, X86_RSP, 1, true) & LAHF_MASK);
	return X86_OK;
}

#define FLAG_OP(name, expr)						\
	X86_HANDLER(x86_i_##name)					\
	{								\
		(void)in;						\
		cpu->rflags = expr;					\
		return X86_OK;						\
	}
FLAG_OP(clc, cpu->rflags & ~X86_CF)
FLAG_OP(stc, cpu->rflags | X86_CF)
FLAG_OP(cmc, cpu->rflags ^ X86_CF)
FLAG_OP(cld, cpu->rflags & ~X86_DF_)
FLAG_OP(std, cpu->rflags | X86_DF_)

/* NOP, multi-byte NOP (no memory access), PAUSE, ENDBR32/64. */
X86_HANDLER(x86_i_nop)
{
	(void)cpu;
	(void)in;
	return X86_OK;
}

/* XLAT: AL = seg:[rBX + AL], the segment overridable. */
X86_HANDLER(x86_i_xlat)
{
	const struct x86_operand *op = &in->op[0];
	u64 ea = (cpu->gpr[X86_RBX] + (cpu->gpr[X86_RAX] & 0xff)) &
		 x86_mask(in->addrsize);
	enum x86_status st;
	u8 v;

	st = x86_read(cpu, op->kind == X86_OP_MEM ? op->seg : X86_DS, ea,
		      &v, 1);
	if (st != X86_OK)
		return st;
	x86_gpr_set(cpu, X86_RAX, 1, false, v);
	return X86_OK;
}

/* BOUND: #BR unless lower <= index <= upper (signed, operand size). */
X86_HANDLER(x86_i_bound)
{
	const struct x86_operand *m = &in->op[1];
	int size = in->op[0].size;
	enum x86_status st;
	u64 idx, lo = 0, hi = 0, ea;

	if (cpu->mode == X86_MODE_LONG64 || m->kind != X86_OP_MEM)
		return x86_ud(cpu);
	ea = x86_ea(cpu, in, m);
	st = x86_read(cpu, m->seg, ea, &lo, (u32)size);
	if (st == X86_OK)
		st = x86_read(cpu, m->seg, (ea + (u64)size) &
			      x86_mask(in->addrsize), &hi, (u32)size);
	if (st != X86_OK)
		return st;
	x86_op_read(cpu, in, 0, &idx);
	if (x86_sext(idx, size) < x86_sext(lo, size) ||
	    x86_sext(idx, size) > x86_sext(hi, size))
		return x86_raise(cpu, X86_BR, X86_NO_ERROR);
	return X86_OK;
}

#define X86_INT_ENTRY(mn, name) { ZYDIS_MNEMONIC_##mn, x86_i_##name },

const struct x86_op_entry x86_ops_int[] = {
	X86_INT_OPS(X86_INT_ENTRY)
	{ 0, NULL },
};
