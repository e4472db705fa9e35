// SPDX-License-Identifier: MIT
/*
 * x87 bookkeeping: the gate every x87 instruction passes (#NM, deferred
 * #MF, FIP/FOP/FDP), compares and classification, register moves (FXCH,
 * FCMOVcc, FFREE, FINCSTP/FDECSTP), and the control and status words.
 */
#include <math.h>
#include <string.h>

#include "arch/x86/fpu.h"

int fpu_classify_tag(const u8 st[10])
{
	u16 exp = (u16)((st[8] | (st[9] << 8)) & 0x7fff);
	u64 mant;

	memcpy(&mant, st, 8);
	if (exp == 0x7fff)
		return TAG_SPECIAL;
	if (exp == 0)
		return mant ? TAG_SPECIAL : TAG_ZERO;
	/* an unnormal (integer bit clear) is an unsupported format */
	return (mant >> 63) ? TAG_VALID : TAG_SPECIAL;
}

void fpu_update_es(struct x86_fpu_state *f)
{
	if (f->fsw & ~f->fcw & FSW_EXC)
		f->fsw |= FSW_ES | FSW_B;
	else
		f->fsw &= (u16)~(FSW_ES | FSW_B);
}

void fpu_init(struct x86_fpu_state *f)
{
	f->fcw = FCW_INIT;
	f->fsw = 0;
	f->ftw = 0xffff;
	f->fop = 0;
	f->fip = 0;
	f->fdp = 0;
}

/* FOP: the low 3 bits of the D8-DF opcode byte and the ModRM byte. */
static u16 fpu_opcode(const struct x86_insn *in)
{
	int i;

	for (i = 0; i + 1 < in->len; i++)
		if ((in->bytes[i] & 0xf8) == 0xd8)
			return (u16)(((in->bytes[i] & 7) << 8) | in->bytes[i + 1]);
	return 0;
}

enum x86_status fpu_gate_x87(struct x86_cpu *cpu, const struct x86_insn *in,
			     int kind)
{
	struct x86_fpu_state *f = &cpu->fpu;
	int i;

	if (in->lock)
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	if (cpu->cr0 & (X86_CR0_EM | X86_CR0_TS))
		return x86_raise(cpu, X86_NM, X86_NO_ERROR);
	if (kind == FPU_CTL)
		return X86_OK;
	/* an unmasked exception of an earlier instruction is due now;
	 * with CR0.NE clear it would go out on FERR#, which kvmu ignores */
	if ((f->fsw & FSW_ES) && (cpu->cr0 & X86_CR0_NE))
		return x86_raise(cpu, X86_MF, X86_NO_ERROR);
	f->fip = cpu->rip;
	f->fop = fpu_opcode(in);
	for (i = 0; i < in->nops; i++)
		if (in->op[i].kind == X86_OP_MEM)
			f->fdp = x86_ea(cpu, in, &in->op[i]);
	return X86_OK;
}

/* ---- compares ---- */

struct cmp_kind {
	u16 mnemonic;
	u8 unordered, pops, eflags, isint;
};

static const struct cmp_kind cmp_kinds[] = {
	{ ZYDIS_MNEMONIC_FCOM, 0, 0, 0, 0 },
	{ ZYDIS_MNEMONIC_FCOMP, 0, 1, 0, 0 },
	{ ZYDIS_MNEMONIC_FCOMPP, 0, 2, 0, 0 },
	{ ZYDIS_MNEMONIC_FUCOM, 1, 0, 0, 0 },
	{ ZYDIS_MNEMONIC_FUCOMP, 1, 1, 0, 0 },
	{ ZYDIS_MNEMONIC_FUCOMPP, 1, 2, 0, 0 },
	{ ZYDIS_MNEMONIC_FICOM, 0, 0, 0, 1 },
	{ ZYDIS_MNEMONIC_FICOMP, 0, 1, 0, 1 },
	{ ZYDIS_MNEMONIC_FCOMI, 0, 0, 1, 0 },
	{ ZYDIS_MNEMONIC_FCOMIP, 0, 1, 1, 0 },
	{ ZYDIS_MNEMONIC_FUCOMI, 1, 0, 1, 0 },
	{ ZYDIS_MNEMONIC_FUCOMIP, 1, 1, 1, 0 },
	{ ZYDIS_MNEMONIC_FTST, 0, 0, 0, 0 },
};

/* The register compared with ST0: the highest ST(i) operand, ST1 for the
 * double-pop forms. */
static int cmp_source(const struct x86_insn *in, const struct cmp_kind *k)
{
	int i, si = k->pops == 2 ? 1 : 0;

	for (i = 0; i < in->nops; i++)
		if (in->op[i].kind == X86_OP_REG &&
		    in->op[i].rclass == X86_RC_ST && in->op[i].reg > si)
			si = in->op[i].reg;
	return si;
}

/* Write the C3/C2/C0 result (sw) to FSW or to ZF/PF/CF; C1 = 0. */
static void cmp_result(struct x86_cpu *cpu, const struct cmp_kind *k, u16 sw)
{
	struct x86_fpu_state *f = &cpu->fpu;

	f->fsw &= ~FSW_C1;
	if (!k->eflags) {
		f->fsw = (u16)((f->fsw & ~FSW_CC) |
			       (sw & (FSW_C0 | FSW_C2 | FSW_C3)));
		return;
	}
	cpu->rflags &= ~X86_ARITH_FLAGS;
	cpu->rflags |= (sw & FSW_C3 ? X86_ZF : 0) |
		       (sw & FSW_C2 ? X86_PF_ : 0) | (sw & FSW_C0 ? X86_CF : 0);
}

static enum x86_status op_fcompare(struct x86_cpu *cpu,
				   const struct x86_insn *in)
{
	struct x86_fpu_state *f = &cpu->fpu;
	const struct cmp_kind *k = cmp_kinds;
	bool mem = in->nops && in->op[0].kind == X86_OP_MEM;
	long double b = 0, r;
	enum x86_status st;
	u16 sw = 0;
	int si = 0;

	while (k->mnemonic != in->mnemonic)
		k++;
	if (k->eflags && !x86_has_feature(cpu, 1, 0, 3, 15))
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	st = fpu_gate_x87(cpu, in, FPU_ARITH);
	if (st != X86_OK)
		return st;
	if (mem) {
		st = fpu_load_mem(cpu, in, &in->op[0], k->isint, &b, &sw);
		if (st != X86_OK)
			return st;
	} else if (in->mnemonic != ZYDIS_MNEMONIC_FTST) {
		si = cmp_source(in, k);
		b = st_get(f, si);
	}
	if (st_empty(f, 0) || st_empty(f, si)) {
		if (!stack_fault(f, false))
			return X86_OK;
		sw = FSW_C0 | FSW_C2 | FSW_C3;
	} else {
		sw = (u16)(fh_bin(k->unordered ? FH_UCOM : FH_COM, f->fcw,
				  st_get(f, 0), b, &r) | (sw & FSW_EXC));
		if (fpu_merge(f, sw, 0))
			return X86_OK;
	}
	cmp_result(cpu, k, sw);
	if (k->pops >= 1)
		fpu_pop(f);
	if (k->pops == 2)
		fpu_pop(f);
	return X86_OK;
}

/* FXAM: C3 C2 C0 classify ST0, C1 is its sign. */
static enum x86_status op_fxam(struct x86_cpu *cpu, const struct x86_insn *in)
{
	struct x86_fpu_state *f = &cpu->fpu;
	const u8 *p = f->st[st_phys(f, 0)];
	u16 exp = (u16)((p[8] | (p[9] << 8)) & 0x7fff), cc;
	enum x86_status st;
	u64 mant;

	st = fpu_gate_x87(cpu, in, FPU_ARITH);
	if (st != X86_OK)
		return st;
	memcpy(&mant, p, 8);
	if (st_empty(f, 0))
		cc = FSW_C3 | FSW_C0;
	else if (exp == 0)
		cc = mant ? FSW_C3 | FSW_C2 : FSW_C3;
	else if (!(mant >> 63))
		cc = 0;				/* unsupported */
	else if (exp == 0x7fff)
		cc = (mant << 1) ? FSW_C0 : FSW_C2 | FSW_C0;
	else
		cc = FSW_C2;
	if (p[9] & 0x80)
		cc |= FSW_C1;
	f->fsw = (u16)((f->fsw & ~FSW_CC) | cc);
	return X86_OK;
}

/* ---- register moves ---- */

static enum x86_status op_fxch(struct x86_cpu *cpu, const struct x86_insn *in)
{
	struct x86_fpu_state *f = &cpu->fpu;
	int i = in->op[0].reg, t0, ti;
	enum x86_status st;
	u8 tmp[10];

	st = fpu_gate_x87(cpu, in, FPU_ARITH);
	if (st != X86_OK)
		return st;
	if (st_empty(f, 0) || st_empty(f, i)) {
		if (!stack_fault(f, false))
			return X86_OK;
		if (st_empty(f, 0))
			st_set(f, 0, st_indefinite());
		if (st_empty(f, i))
			st_set(f, i, st_indefinite());
	} else {
		f->fsw &= ~FSW_C1;
	}
	t0 = st_tag(f, 0);
	ti = st_tag(f, i);
	memcpy(tmp, f->st[st_phys(f, 0)], 10);
	memcpy(f->st[st_phys(f, 0)], f->st[st_phys(f, i)], 10);
	memcpy(f->st[st_phys(f, i)], tmp, 10);
	st_set_tag(f, 0, ti);
	st_set_tag(f, i, t0);
	return X86_OK;
}

static const struct {
	u16 mnemonic;
	u8 cc;			/* Jcc condition code */
} fcmov_cc[] = {
	{ ZYDIS_MNEMONIC_FCMOVB, 2 }, { ZYDIS_MNEMONIC_FCMOVNB, 3 },
	{ ZYDIS_MNEMONIC_FCMOVE, 4 }, { ZYDIS_MNEMONIC_FCMOVNE, 5 },
	{ ZYDIS_MNEMONIC_FCMOVBE, 6 }, { ZYDIS_MNEMONIC_FCMOVNBE, 7 },
	{ ZYDIS_MNEMONIC_FCMOVU, 10 }, { ZYDIS_MNEMONIC_FCMOVNU, 11 },
};

static enum x86_status op_fcmov(struct x86_cpu *cpu, const struct x86_insn *in)
{
	struct x86_fpu_state *f = &cpu->fpu;
	int i = in->op[1].reg, cc = 0;
	enum x86_status st;
	size_t k;

	if (!x86_has_feature(cpu, 1, 0, 3, 15))
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	st = fpu_gate_x87(cpu, in, FPU_ARITH);
	if (st != X86_OK)
		return st;
	for (k = 0; k < ARRAY_SIZE(fcmov_cc); k++)
		if (fcmov_cc[k].mnemonic == in->mnemonic)
			cc = fcmov_cc[k].cc;
	if (st_empty(f, 0) || st_empty(f, i)) {
		if (stack_fault(f, false))
			st_set(f, 0, st_indefinite());
		return X86_OK;
	}
	if (x86_cond(cpu, cc)) {
		memcpy(f->st[st_phys(f, 0)], f->st[st_phys(f, i)], 10);
		st_set_tag(f, 0, st_tag(f, i));
	}
	return X86_OK;
}

static enum x86_status op_ffree(struct x86_cpu *cpu, const struct x86_insn *in)
{
	enum x86_status st = fpu_gate_x87(cpu, in, FPU_ARITH);

	if (st != X86_OK)
		return st;
	st_set_tag(&cpu->fpu, in->op[0].reg, TAG_EMPTY);
	if (in->mnemonic == ZYDIS_MNEMONIC_FFREEP)
		fpu_set_top(&cpu->fpu, fpu_top(&cpu->fpu) + 1);
	return X86_OK;
}

static enum x86_status op_fincdec(struct x86_cpu *cpu,
				  const struct x86_insn *in)
{
	struct x86_fpu_state *f = &cpu->fpu;
	enum x86_status st = fpu_gate_x87(cpu, in, FPU_ARITH);

	if (st != X86_OK)
		return st;
	fpu_set_top(f, fpu_top(f) +
		    (in->mnemonic == ZYDIS_MNEMONIC_FINCSTP ? 1 : -1));
	f->fsw &= ~FSW_C1;
	return X86_OK;
}

static enum x86_status op_fnop(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return fpu_gate_x87(cpu, in, FPU_ARITH);
}

/* FWAIT: #NM only when CR0.MP and CR0.TS; reports a pending #MF. */
static enum x86_status op_fwait(struct x86_cpu *cpu, const struct x86_insn *in)
{
	u64 both = X86_CR0_MP | X86_CR0_TS;

	(void)in;
	if ((cpu->cr0 & both) == both)
		return x86_raise(cpu, X86_NM, X86_NO_ERROR);
	if ((cpu->fpu.fsw & FSW_ES) && (cpu->cr0 & X86_CR0_NE))
		return x86_raise(cpu, X86_MF, X86_NO_ERROR);
	return X86_OK;
}

/* ---- control and status words ---- */

static enum x86_status op_fldcw(struct x86_cpu *cpu, const struct x86_insn *in)
{
	enum x86_status st = fpu_gate_x87(cpu, in, FPU_CTL);
	u64 v;

	if (st != X86_OK)
		return st;
	st = x86_op_read(cpu, in, 0, &v);
	if (st != X86_OK)
		return st;
	/* bit 6 reads as one, bits 13-15 as zero */
	cpu->fpu.fcw = (u16)((v & 0x1f7f) | 0x40);
	fpu_update_es(&cpu->fpu);
	return X86_OK;
}

static enum x86_status op_fnstcw_sw(struct x86_cpu *cpu,
				    const struct x86_insn *in)
{
	enum x86_status st = fpu_gate_x87(cpu, in, FPU_CTL);

	if (st != X86_OK)
		return st;
	return x86_op_write(cpu, in, 0, in->mnemonic == ZYDIS_MNEMONIC_FNSTCW ?
				      cpu->fpu.fcw : cpu->fpu.fsw);
}

static enum x86_status op_fnclex(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	enum x86_status st = fpu_gate_x87(cpu, in, FPU_CTL);

	if (st != X86_OK)
		return st;
	cpu->fpu.fsw &= (u16)~(FSW_EXC | FSW_SF | FSW_ES | FSW_B);
	return X86_OK;
}

static enum x86_status op_fninit(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	enum x86_status st = fpu_gate_x87(cpu, in, FPU_CTL);

	if (st != X86_OK)
		return st;
	fpu_init(&cpu->fpu);
	return X86_OK;
}

const struct x86_op_entry x86_ops_fpu_misc[] = {
	{ ZYDIS_MNEMONIC_FCOM, op_fcompare },
	{ ZYDIS_MNEMONIC_FCOMP, op_fcompare },
	{ ZYDIS_MNEMONIC_FCOMPP, op_fcompare },
	{ ZYDIS_MNEMONIC_FUCOM, op_fcompare },
	{ ZYDIS_MNEMONIC_FUCOMP, op_fcompare },
	{ ZYDIS_MNEMONIC_FUCOMPP, op_fcompare },
	{ ZYDIS_MNEMONIC_FICOM, op_fcompare },
	{ ZYDIS_MNEMONIC_FICOMP, op_fcompare },
	{ ZYDIS_MNEMONIC_FCOMI, op_fcompare },
	{ ZYDIS_MNEMONIC_FCOMIP, op_fcompare },
	{ ZYDIS_MNEMONIC_FUCOMI, op_fcompare },
	{ ZYDIS_MNEMONIC_FUCOMIP, op_fcompare },
	{ ZYDIS_MNEMONIC_FTST, op_fcompare },
	{ ZYDIS_MNEMONIC_FXAM, op_fxam },
	{ ZYDIS_MNEMONIC_FXCH, op_fxch },
	{ ZYDIS_MNEMONIC_FCMOVB, op_fcmov }, { ZYDIS_MNEMONIC_FCMOVNB, op_fcmov },
	{ ZYDIS_MNEMONIC_FCMOVE, op_fcmov }, { ZYDIS_MNEMONIC_FCMOVNE, op_fcmov },
	{ ZYDIS_MNEMONIC_FCMOVBE, op_fcmov },
	{ ZYDIS_MNEMONIC_FCMOVNBE, op_fcmov },
	{ ZYDIS_MNEMONIC_FCMOVU, op_fcmov }, { ZYDIS_MNEMONIC_FCMOVNU, op_fcmov },
	{ ZYDIS_MNEMONIC_FFREE, op_ffree }, { ZYDIS_MNEMONIC_FFREEP, op_ffree },
	{ ZYDIS_MNEMONIC_FINCSTP, op_fincdec },
	{ ZYDIS_MNEMONIC_FDECSTP, op_fincdec },
	{ ZYDIS_MNEMONIC_FNOP, op_fnop }, { ZYDIS_MNEMONIC_FWAIT, op_fwait },
	{ ZYDIS_MNEMONIC_FLDCW, op_fldcw },
	{ ZYDIS_MNEMONIC_FNSTCW, op_fnstcw_sw },
	{ ZYDIS_MNEMONIC_FNSTSW, op_fnstcw_sw },
	{ ZYDIS_MNEMONIC_FNCLEX, op_fnclex },
	{ ZYDIS_MNEMONIC_FNINIT, op_fninit },
	{ 0, NULL }
};
