// SPDX-License-Identifier: MIT
/*
 * x87 arithmetic: loads and stores, the basic operations, compares and the
 * transcendental instructions.  The register stack lives in cpu->fpu in
 * physical order; ST(i) is st[(TOP + i) & 7].  Every handler checks the
 * stack (underflow on an empty source, overflow on a full push) before it
 * computes, hands the arithmetic to the host FPU (fpu_host.c) and commits
 * registers, tags and FSW only when no unmasked pre-computation exception
 * (invalid, denormal, divide by zero) occurred: such an exception leaves
 * the destination and TOP alone and is reported, as on hardware, by #MF
 * at the next waiting x87 instruction (fpu_gate_x87).
 */
#include <math.h>
#include <string.h>

#include "arch/x86/fpu.h"

/* ---- operands ---- */

enum x86_status fpu_load_mem(struct x86_cpu *cpu, const struct x86_insn *in,
			     const struct x86_operand *op, bool isint,
			     long double *v, u16 *sw)
{
	enum x86_status st;
	u8 buf[10] = { 0 };
	u64 raw;

	st = x86_read(cpu, op->seg, x86_ea(cpu, in, op), buf, op->size);
	if (st != X86_OK)
		return st;
	*sw = 0;
	if (isint) {
		memcpy(&raw, buf, 8);
		*v = (long double)x86_sext(raw, op->size);
	} else if (op->size == 10) {
		*v = st_from_bytes(buf);
	} else {
		*sw = fh_load_float(cpu->fpu.fcw, buf, op->size, v);
	}
	return X86_OK;
}

/* The ST(i) operands of a register-form instruction. */
static int st_operand(const struct x86_insn *in, int n)
{
	return in->op[n].kind == X86_OP_REG && in->op[n].rclass == X86_RC_ST ?
		       in->op[n].reg : 0;
}

/* ---- loads ---- */

static enum x86_status op_fld(struct x86_cpu *cpu, const struct x86_insn *in)
{
	struct x86_fpu_state *f = &cpu->fpu;
	const struct x86_operand *op = &in->op[0];
	bool isint = in->mnemonic == ZYDIS_MNEMONIC_FILD;
	enum x86_status st;
	long double v;
	u16 sw = 0;

	st = fpu_gate_x87(cpu, in, FPU_ARITH);
	if (st != X86_OK)
		return st;
	if (op->kind == X86_OP_MEM) {
		st = fpu_load_mem(cpu, in, op, isint, &v, &sw);
		if (st != X86_OK)
			return st;
	} else {
		if (st_empty(f, op->reg)) {
			if (stack_fault(f, false))
				fpu_push(f, st_indefinite());
			return X86_OK;
		}
		v = st_get(f, op->reg);
	}
	if (!st_empty(f, 7)) {
		if (stack_fault(f, true))
			fpu_push(f, st_indefinite());
		return X86_OK;
	}
	if (fpu_merge(f, sw, 0))
		return X86_OK;
	f->fsw &= ~FSW_C1;
	fpu_push(f, v);
	return X86_OK;
}

static enum x86_status op_fldconst(struct x86_cpu *cpu,
				   const struct x86_insn *in)
{
	struct x86_fpu_state *f = &cpu->fpu;
	enum x86_status st;
	long double v;
	int which;

	st = fpu_gate_x87(cpu, in, FPU_ARITH);
	if (st != X86_OK)
		return st;
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_FLD1: which = FH_LD1; break;
	case ZYDIS_MNEMONIC_FLDL2T: which = FH_LDL2T; break;
	case ZYDIS_MNEMONIC_FLDL2E: which = FH_LDL2E; break;
	case ZYDIS_MNEMONIC_FLDPI: which = FH_LDPI; break;
	case ZYDIS_MNEMONIC_FLDLG2: which = FH_LDLG2; break;
	case ZYDIS_MNEMONIC_FLDLN2: which = FH_LDLN2; break;
	default: which = FH_LDZ; break;
	}
	if (!st_empty(f, 7)) {
		if (stack_fault(f, true))
			fpu_push(f, st_indefinite());
		return X86_OK;
	}
	/* the constants are rounded by FCW.RC, so the host loads them */
	fh_un(which, f->fcw, 0, &v);
	f->fsw &= ~FSW_C1;
	fpu_push(f, v);
	return X86_OK;
}

/* FBLD: 18 packed BCD digits and a sign byte. */
static enum x86_status op_fbld(struct x86_cpu *cpu, const struct x86_insn *in)
{
	struct x86_fpu_state *f = &cpu->fpu;
	enum x86_status st;
	u8 b[10];
	s64 v = 0;
	int i;

	st = fpu_gate_x87(cpu, in, FPU_ARITH);
	if (st != X86_OK)
		return st;
	st = x86_read(cpu, in->op[0].seg, x86_ea(cpu, in, &in->op[0]), b, 10);
	if (st != X86_OK)
		return st;
	for (i = 8; i >= 0; i--)
		v = v * 100 + (b[i] >> 4) * 10 + (b[i] & 15);
	if (!st_empty(f, 7)) {
		if (stack_fault(f, true))
			fpu_push(f, st_indefinite());
		return X86_OK;
	}
	f->fsw &= ~FSW_C1;
	fpu_push(f, (b[9] & 0x80) ? -(long double)v : (long double)v);
	return X86_OK;
}

/* ---- stores ---- */

/* The memory image of ST0 for FST/FIST/FISTTP of op->size bytes. */
static u16 store_image(struct x86_fpu_state *f, const struct x86_insn *in,
		       const struct x86_operand *op, u8 *buf)
{
	long double v = st_get(f, 0);

	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_FIST:
	case ZYDIS_MNEMONIC_FISTP:
		return fh_store_int(f->fcw, v, buf, op->size, false);
	case ZYDIS_MNEMONIC_FISTTP:
		return fh_store_int(f->fcw, v, buf, op->size, true);
	default:
		if (op->size == 10) {
			memcpy(buf, f->st[st_phys(f, 0)], 10);
			return 0;
		}
		return fh_store_float(f->fcw, v, buf, op->size);
	}
}

/* What a masked stack underflow stores: the indefinite of the format. */
static void indefinite_image(const struct x86_insn *in, int size, u8 *buf)
{
	static const u8 ind80[10] = { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff };
	bool isint = in->mnemonic != ZYDIS_MNEMONIC_FST &&
		     in->mnemonic != ZYDIS_MNEMONIC_FSTP;
	u64 v;

	if (isint)
		v = 1ULL << (size * 8 - 1);
	else if (size == 4)
		v = 0xffc00000u;
	else
		v = 0xfff8000000000000ULL;
	if (size == 10)
		memcpy(buf, ind80, 10);
	else
		memcpy(buf, &v, 8);
}

/* FST/FSTP ST(i): an exact copy, no exceptions beyond the stack. */
static enum x86_status fst_reg(struct x86_fpu_state *f, int i, bool pop)
{
	if (st_empty(f, 0)) {
		if (!stack_fault(f, false))
			return X86_OK;
		st_set(f, i, st_indefinite());
	} else {
		f->fsw &= ~FSW_C1;
		memcpy(f->st[st_phys(f, i)], f->st[st_phys(f, 0)], 10);
		st_set_tag(f, i, st_tag(f, 0));
	}
	if (pop)
		fpu_pop(f);
	return X86_OK;
}

static enum x86_status op_fst(struct x86_cpu *cpu, const struct x86_insn *in)
{
	struct x86_fpu_state *f = &cpu->fpu;
	const struct x86_operand *op = &in->op[0];
	bool pop = in->mnemonic == ZYDIS_MNEMONIC_FSTP ||
		   in->mnemonic == ZYDIS_MNEMONIC_FISTP ||
		   in->mnemonic == ZYDIS_MNEMONIC_FISTTP;
	bool empty = st_empty(f, 0);
	enum x86_status st;
	u8 buf[16] = { 0 };
	u16 sw = 0;

	st = fpu_gate_x87(cpu, in, FPU_ARITH);
	if (st != X86_OK)
		return st;
	if (op->kind == X86_OP_REG)
		return fst_reg(f, op->reg, pop);
	if (empty) {
		if (!(f->fcw & FSW_IE)) {
			stack_fault(f, false);
			return X86_OK;
		}
		indefinite_image(in, op->size, buf);
	} else {
		sw = store_image(f, in, op, buf);
		/* unmasked overflow/underflow also leave memory alone */
		if (sw & ~f->fcw & (FSW_PRE | FSW_OE | FSW_UE)) {
			fpu_merge(f, sw & FSW_EXC, 0);
			return X86_OK;
		}
	}
	st = x86_write(cpu, op->seg, x86_ea(cpu, in, op), buf, op->size);
	if (st != X86_OK)
		return st;
	if (empty)
		stack_fault(f, false);
	else
		fpu_merge(f, sw, FSW_C1);
	if (pop)
		fpu_pop(f);
	return X86_OK;
}

/* FISTTP is SSE3. */
static enum x86_status op_fisttp(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	if (!x86_has_feature(cpu, 1, 0, 2, 0))
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	return op_fst(cpu, in);
}

/* FBSTP: round to an integer, store 18 BCD digits, pop. */
static enum x86_status op_fbstp(struct x86_cpu *cpu, const struct x86_insn *in)
{
	static const u8 ind[10] = { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff };
	struct x86_fpu_state *f = &cpu->fpu;
	enum x86_status st;
	long double v;
	u8 b[10] = { 0 };
	u16 sw = 0;
	u64 m;
	int i;

	st = fpu_gate_x87(cpu, in, FPU_ARITH);
	if (st != X86_OK)
		return st;
	if (st_empty(f, 0)) {
		sw = FSW_IE | FSW_SF;
	} else {
		sw = fh_un(FH_RNDINT, f->fcw, st_get(f, 0), &v);
		if (isnan(v) || fabsl(v) >= 1e18L)
			sw = FSW_IE;
	}
	if (sw & FSW_IE & ~f->fcw) {
		f->fsw |= sw & (FSW_IE | FSW_SF);
		fpu_update_es(f);
		return X86_OK;
	}
	if (sw & FSW_IE) {
		memcpy(b, ind, 10);
	} else {
		m = (u64)fabsl(v);
		for (i = 0; i < 9; i++, m /= 100)
			b[i] = (u8)((m % 10) | ((m / 10 % 10) << 4));
		b[9] = signbit(v) ? 0x80 : 0;
	}
	st = x86_write(cpu, in->op[0].seg, x86_ea(cpu, in, &in->op[0]), b, 10);
	if (st != X86_OK)
		return st;
	if (sw & FSW_SF)
		stack_fault(f, false);
	else
		fpu_merge(f, sw, FSW_C1);
	fpu_pop(f);
	return X86_OK;
}

/* ---- arithmetic ---- */

static int arith_op(u16 mnemonic)
{
	switch (mnemonic) {
	case ZYDIS_MNEMONIC_FADD: case ZYDIS_MNEMONIC_FADDP:
	case ZYDIS_MNEMONIC_FIADD:
		return FH_ADD;
	case ZYDIS_MNEMONIC_FSUB: case ZYDIS_MNEMONIC_FSUBP:
	case ZYDIS_MNEMONIC_FISUB:
		return FH_SUB;
	case ZYDIS_MNEMONIC_FSUBR: case ZYDIS_MNEMONIC_FSUBRP:
	case ZYDIS_MNEMONIC_FISUBR:
		return FH_SUBR;
	case ZYDIS_MNEMONIC_FMUL: case ZYDIS_MNEMONIC_FMULP:
	case ZYDIS_MNEMONIC_FIMUL:
		return FH_MUL;
	case ZYDIS_MNEMONIC_FDIV: case ZYDIS_MNEMONIC_FDIVP:
	case ZYDIS_MNEMONIC_FIDIV:
		return FH_DIV;
	default:
		return FH_DIVR;
	}
}

static bool is_fi(u16 m)
{
	return m == ZYDIS_MNEMONIC_FIADD || m == ZYDIS_MNEMONIC_FISUB ||
	       m == ZYDIS_MNEMONIC_FISUBR || m == ZYDIS_MNEMONIC_FIMUL ||
	       m == ZYDIS_MNEMONIC_FIDIV || m == ZYDIS_MNEMONIC_FIDIVR ||
	       m == ZYDIS_MNEMONIC_FICOM || m == ZYDIS_MNEMONIC_FICOMP;
}

static bool is_pop(u16 m)
{
	return m == ZYDIS_MNEMONIC_FADDP || m == ZYDIS_MNEMONIC_FSUBP ||
	       m == ZYDIS_MNEMONIC_FSUBRP || m == ZYDIS_MNEMONIC_FMULP ||
	       m == ZYDIS_MNEMONIC_FDIVP || m == ZYDIS_MNEMONIC_FDIVRP;
}

/* FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR in all forms: dest = dest op src. */
static enum x86_status op_farith(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	struct x86_fpu_state *f = &cpu->fpu;
	bool pop = is_pop(in->mnemonic);
	int di = 0, si = 0;
	enum x86_status st;
	long double b = 0, r;
	u16 sw = 0;

	st = fpu_gate_x87(cpu, in, FPU_ARITH);
	if (st != X86_OK)
		return st;
	if (in->op[0].kind == X86_OP_MEM) {
		st = fpu_load_mem(cpu, in, &in->op[0], is_fi(in->mnemonic), &b,
			      &sw);
		if (st != X86_OK)
			return st;
	} else {
		di = st_operand(in, 0);
		si = st_operand(in, 1);
	}
	if (st_empty(f, di) || st_empty(f, si)) {
		if (stack_fault(f, false)) {
			st_set(f, di, st_indefinite());
			if (pop)
				fpu_pop(f);
		}
		return X86_OK;
	}
	if (in->op[0].kind != X86_OP_MEM)
		b = st_get(f, si);
	sw = (u16)(fh_bin(arith_op(in->mnemonic), f->fcw, st_get(f, di), b,
			  &r) | (sw & FSW_EXC));
	if (fpu_merge(f, sw, FSW_C1))
		return X86_OK;
	st_set(f, di, r);
	if (pop)
		fpu_pop(f);
	return X86_OK;
}

static enum x86_status op_fchs_fabs(struct x86_cpu *cpu,
				    const struct x86_insn *in)
{
	struct x86_fpu_state *f = &cpu->fpu;
	enum x86_status st;
	u8 *sign;

	st = fpu_gate_x87(cpu, in, FPU_ARITH);
	if (st != X86_OK)
		return st;
	if (st_empty(f, 0)) {
		if (stack_fault(f, false))
			st_set(f, 0, st_indefinite());
		return X86_OK;
	}
	/* sign-bit operations: no exceptions, NaNs untouched otherwise */
	sign = &f->st[st_phys(f, 0)][9];
	if (in->mnemonic == ZYDIS_MNEMONIC_FCHS)
		*sign ^= 0x80;
	else
		*sign &= 0x7f;
	f->fsw &= ~FSW_C1;
	return X86_OK;
}

/* One-operand operations on ST0 computed by the host. */
static enum x86_status op_funary(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	struct x86_fpu_state *f = &cpu->fpu;
	enum x86_status st;
	long double r;
	u16 sw, cc = FSW_C1;
	int op;

	st = fpu_gate_x87(cpu, in, FPU_ARITH);
	if (st != X86_OK)
		return st;
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_FSQRT: op = FH_SQRT; break;
	case ZYDIS_MNEMONIC_FRNDINT: op = FH_RNDINT; break;
	case ZYDIS_MNEMONIC_F2XM1: op = FH_F2XM1; break;
	case ZYDIS_MNEMONIC_FSIN: op = FH_SIN; cc |= FSW_C2; break;
	default: op = FH_COS; cc |= FSW_C2; break;
	}
	if (st_empty(f, 0)) {
		if (stack_fault(f, false))
			st_set(f, 0, st_indefinite());
		return X86_OK;
	}
	sw = fh_un(op, f->fcw, st_get(f, 0), &r);
	if (fpu_merge(f, sw, cc))
		return X86_OK;
	st_set(f, 0, r);
	return X86_OK;
}

/* FPREM, FPREM1, FSCALE: ST0 = f(ST0, ST1). */
static enum x86_status op_fbin01(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	struct x86_fpu_state *f = &cpu->fpu;
	enum x86_status st;
	long double r;
	u16 sw, cc = FSW_C1;
	int op = FH_SCALE;

	st = fpu_gate_x87(cpu, in, FPU_ARITH);
	if (st != X86_OK)
		return st;
	if (in->mnemonic != ZYDIS_MNEMONIC_FSCALE) {
		op = in->mnemonic == ZYDIS_MNEMONIC_FPREM ? FH_PREM : FH_PREM1;
		cc = FSW_CC;
	}
	if (st_empty(f, 0) || st_empty(f, 1)) {
		if (stack_fault(f, false))
			st_set(f, 0, st_indefinite());
		return X86_OK;
	}
	sw = fh_bin(op, f->fcw, st_get(f, 0), st_get(f, 1), &r);
	if (fpu_merge(f, sw, cc))
		return X86_OK;
	st_set(f, 0, r);
	return X86_OK;
}

/* FPATAN, FYL2X, FYL2XP1: ST1 = f(ST1, ST0), pop. */
static enum x86_status op_fbinpop(struct x86_cpu *cpu,
				  const struct x86_insn *in)
{
	struct x86_fpu_state *f = &cpu->fpu;
	enum x86_status st;
	long double r;
	int op = FH_PATAN;
	u16 sw;

	st = fpu_gate_x87(cpu, in, FPU_ARITH);
	if (st != X86_OK)
		return st;
	if (in->mnemonic == ZYDIS_MNEMONIC_FYL2X)
		op = FH_YL2X;
	else if (in->mnemonic == ZYDIS_MNEMONIC_FYL2XP1)
		op = FH_YL2XP1;
	if (st_empty(f, 0) || st_empty(f, 1)) {
		if (stack_fault(f, false)) {
			st_set(f, 1, st_indefinite());
			fpu_pop(f);
		}
		return X86_OK;
	}
	sw = fh_bin(op, f->fcw, st_get(f, 0), st_get(f, 1), &r);
	if (fpu_merge(f, sw, FSW_C1))
		return X86_OK;
	st_set(f, 1, r);
	fpu_pop(f);
	return X86_OK;
}

/* |x| >= 2^63: FPTAN/FSINCOS leave ST0 alone and set C2. */
static bool trig_out_of_range(long double v)
{
	return isfinite(v) && fabsl(v) >= 0x1p63L;
}

/* FXTRACT, FPTAN, FSINCOS: replace ST0 and push a second result. */
static enum x86_status op_fpush2(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	struct x86_fpu_state *f = &cpu->fpu;
	long double a, r0 = 1.0L, r1 = 0;
	enum x86_status st;
	u16 sw, cc = FSW_C1 | FSW_C2;

	st = fpu_gate_x87(cpu, in, FPU_ARITH);
	if (st != X86_OK)
		return st;
	if (st_empty(f, 0) || !st_empty(f, 7)) {
		if (stack_fault(f, !st_empty(f, 0))) {
			st_set(f, 0, st_indefinite());
			fpu_push(f, st_indefinite());
		}
		return X86_OK;
	}
	a = st_get(f, 0);
	if (in->mnemonic != ZYDIS_MNEMONIC_FXTRACT && trig_out_of_range(a)) {
		f->fsw |= FSW_C2;
		return X86_OK;
	}
	if (in->mnemonic == ZYDIS_MNEMONIC_FXTRACT) {
		sw = fh_xtract(f->fcw, a, &r0, &r1);
		cc = FSW_C1;
	} else if (in->mnemonic == ZYDIS_MNEMONIC_FPTAN) {
		sw = fh_ptan(f->fcw, a, &r1);
	} else {
		sw = fh_sincos(f->fcw, a, &r1, &r0);
	}
	if (fpu_merge(f, sw, cc))
		return X86_OK;
	/* ST1 gets the first result (exponent, tangent, sine) */
	st_set(f, 0, r1);
	fpu_push(f, r0);
	return X86_OK;
}

const struct x86_op_entry x86_ops_fpu[] = {
	{ ZYDIS_MNEMONIC_FLD, op_fld }, { ZYDIS_MNEMONIC_FILD, op_fld },
	{ ZYDIS_MNEMONIC_FLD1, op_fldconst },
	{ ZYDIS_MNEMONIC_FLDZ, op_fldconst },
	{ ZYDIS_MNEMONIC_FLDPI, op_fldconst },
	{ ZYDIS_MNEMONIC_FLDL2E, op_fldconst },
	{ ZYDIS_MNEMONIC_FLDL2T, op_fldconst },
	{ ZYDIS_MNEMONIC_FLDLG2, op_fldconst },
	{ ZYDIS_MNEMONIC_FLDLN2, op_fldconst },
	{ ZYDIS_MNEMONIC_FBLD, op_fbld }, { ZYDIS_MNEMONIC_FBSTP, op_fbstp },
	{ ZYDIS_MNEMONIC_FST, op_fst }, { ZYDIS_MNEMONIC_FSTP, op_fst },
	{ ZYDIS_MNEMONIC_FIST, op_fst }, { ZYDIS_MNEMONIC_FISTP, op_fst },
	{ ZYDIS_MNEMONIC_FISTTP, op_fisttp },
	{ ZYDIS_MNEMONIC_FADD, op_farith }, { ZYDIS_MNEMONIC_FADDP, op_farith },
	{ ZYDIS_MNEMONIC_FIADD, op_farith }, { ZYDIS_MNEMONIC_FSUB, op_farith },
	{ ZYDIS_MNEMONIC_FSUBP, op_farith }, { ZYDIS_MNEMONIC_FISUB, op_farith },
	{ ZYDIS_MNEMONIC_FSUBR, op_farith },
	{ ZYDIS_MNEMONIC_FSUBRP, op_farith },
	{ ZYDIS_MNEMONIC_FISUBR, op_farith }, { ZYDIS_MNEMONIC_FMUL, op_farith },
	{ ZYDIS_MNEMONIC_FMULP, op_farith }, { ZYDIS_MNEMONIC_FIMUL, op_farith },
	{ ZYDIS_MNEMONIC_FDIV, op_farith }, { ZYDIS_MNEMONIC_FDIVP, op_farith },
	{ ZYDIS_MNEMONIC_FIDIV, op_farith }, { ZYDIS_MNEMONIC_FDIVR, op_farith },
	{ ZYDIS_MNEMONIC_FDIVRP, op_farith },
	{ ZYDIS_MNEMONIC_FIDIVR, op_farith },
	{ ZYDIS_MNEMONIC_FCHS, op_fchs_fabs },
	{ ZYDIS_MNEMONIC_FABS, op_fchs_fabs },
	{ ZYDIS_MNEMONIC_FSQRT, op_funary }, { ZYDIS_MNEMONIC_FRNDINT, op_funary },
	{ ZYDIS_MNEMONIC_F2XM1, op_funary }, { ZYDIS_MNEMONIC_FSIN, op_funary },
	{ ZYDIS_MNEMONIC_FCOS, op_funary },
	{ ZYDIS_MNEMONIC_FPREM, op_fbin01 }, { ZYDIS_MNEMONIC_FPREM1, op_fbin01 },
	{ ZYDIS_MNEMONIC_FSCALE, op_fbin01 },
	{ ZYDIS_MNEMONIC_FPATAN, op_fbinpop }, { ZYDIS_MNEMONIC_FYL2X, op_fbinpop },
	{ ZYDIS_MNEMONIC_FYL2XP1, op_fbinpop },
	{ ZYDIS_MNEMONIC_FXTRACT, op_fpush2 }, { ZYDIS_MNEMONIC_FPTAN, op_fpush2 },
	{ ZYDIS_MNEMONIC_FSINCOS, op_fpush2 },
	{ 0, NULL }
};
