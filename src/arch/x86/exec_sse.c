// SPDX-License-Identifier: MIT
/*
 * SSE and SSE2 floating point: arithmetic, compares, conversions, and the
 * gate every SSE instruction passes.  The arithmetic runs on the host
 * (fpu_host.c) under the guest's MXCSR; the flags it reports are merged
 * into MXCSR, and an unmasked one raises #XM (#UD without
 * CR4.OSXMMEXCPT) with the destination unchanged, as SIMD exceptions are
 * precise.
 */
#include <string.h>

#include "arch/x86/fpu.h"

enum x86_status sse_gate(struct x86_cpu *cpu, const struct x86_insn *in,
			 int edx_bit)
{
	if (in->lock || (cpu->cr0 & X86_CR0_EM) ||
	    !(cpu->cr4 & X86_CR4_OSFXSR) ||
	    !x86_has_feature(cpu, 1, 0, 3, edx_bit))
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	if (cpu->cr0 & X86_CR0_TS)
		return x86_raise(cpu, X86_NM, X86_NO_ERROR);
	return X86_OK;
}

bool fpu_misaligned(const struct x86_cpu *cpu, const struct x86_insn *in,
		    const struct x86_operand *op, u64 align)
{
	u64 ea = x86_ea(cpu, in, op);

	/* in 64-bit mode only FS and GS have a base */
	if (cpu->mode != X86_MODE_LONG64 || op->seg >= X86_FS)
		ea += cpu->seg[op->seg].base;
	return ea & (align - 1);
}

enum x86_status sse_read(struct x86_cpu *cpu, const struct x86_insn *in,
			 int n, u8 out[16], bool align)
{
	const struct x86_operand *op = &in->op[n];
	enum x86_status st;
	u64 v;

	memset(out, 0, 16);
	if (op->kind == X86_OP_MEM) {
		if (align && op->size == 16 && fpu_misaligned(cpu, in, op, 16))
			return x86_raise(cpu, X86_GP, 0);
		return x86_read(cpu, op->seg, x86_ea(cpu, in, op), out,
				op->size);
	}
	if (op->kind == X86_OP_REG && op->rclass == X86_RC_XMM) {
		memcpy(out, cpu->fpu.xmm[op->reg], 16);
		return X86_OK;
	}
	if (op->kind == X86_OP_REG && op->rclass == X86_RC_MMX) {
		memcpy(out, cpu->fpu.st[op->reg & 7], 8);
		return X86_OK;
	}
	/* GPR or immediate */
	st = x86_op_read(cpu, in, n, &v);
	if (st == X86_OK)
		memcpy(out, &v, 8);
	return st;
}

bool sse_exceptions(struct x86_cpu *cpu, u32 flags, enum x86_status *st)
{
	u32 *m = &cpu->fpu.mxcsr;
	u32 unmasked = flags & ~(*m >> 7) & MXCSR_FLAGS;

	/* an unmasked pre-computation exception: no result, no late flags */
	if (unmasked & MXCSR_PRE)
		flags &= MXCSR_PRE;
	*m |= flags & MXCSR_FLAGS;
	if (!unmasked)
		return false;
	*st = x86_raise(cpu, (cpu->cr4 & X86_CR4_OSXMMEXCPT) ? X86_XM : X86_UD,
			X86_NO_ERROR);
	return true;
}

/* ---- xmm = xmm op xmm/mem, computed by the host ---- */

static enum x86_status sse_fp(struct x86_cpu *cpu, const struct x86_insn *in,
			      int op, int bit)
{
	enum x86_status st = sse_gate(cpu, in, bit);
	u8 d[16], s[16];
	u32 flags;

	if (st != X86_OK)
		return st;
	st = sse_read(cpu, in, 1, s, true);
	if (st != X86_OK)
		return st;
	memcpy(d, cpu->fpu.xmm[in->op[0].reg], 16);
	flags = sh_op(op, cpu->fpu.mxcsr, d, s);
	if (sse_exceptions(cpu, flags, &st))
		return st;
	memcpy(cpu->fpu.xmm[in->op[0].reg], d, 16);
	return X86_OK;
}

/* One list: mnemonic (= host operation) and the CPUID bit it needs. */
#define SSE_FP_OPS(X)							\
	X(ADDPS, SSE) X(ADDPD, SSE2) X(ADDSS, SSE) X(ADDSD, SSE2)	\
	X(SUBPS, SSE) X(SUBPD, SSE2) X(SUBSS, SSE) X(SUBSD, SSE2)	\
	X(MULPS, SSE) X(MULPD, SSE2) X(MULSS, SSE) X(MULSD, SSE2)	\
	X(DIVPS, SSE) X(DIVPD, SSE2) X(DIVSS, SSE) X(DIVSD, SSE2)	\
	X(MINPS, SSE) X(MINPD, SSE2) X(MINSS, SSE) X(MINSD, SSE2)	\
	X(MAXPS, SSE) X(MAXPD, SSE2) X(MAXSS, SSE) X(MAXSD, SSE2)	\
	X(SQRTPS, SSE) X(SQRTPD, SSE2) X(SQRTSS, SSE) X(SQRTSD, SSE2)	\
	X(CVTSS2SD, SSE2) X(CVTSD2SS, SSE2) X(CVTDQ2PS, SSE2)		\
	X(CVTPS2DQ, SSE2) X(CVTTPS2DQ, SSE2) X(CVTDQ2PD, SSE2)		\
	X(CVTPD2DQ, SSE2) X(CVTTPD2DQ, SSE2) X(CVTPS2PD, SSE2)		\
	X(CVTPD2PS, SSE2) X(RCPPS, SSE) X(RCPSS, SSE) X(RSQRTPS, SSE)	\
	X(RSQRTSS, SSE)

#define SSE_FP_FN(m, bit)						\
	static enum x86_status op_##m(struct x86_cpu *cpu,		\
				      const struct x86_insn *in)	\
	{								\
		return sse_fp(cpu, in, SH_##m, bit##_BIT);		\
	}
SSE_FP_OPS(SSE_FP_FN)

/* ---- compares ---- */

static enum x86_status sse_cmp(struct x86_cpu *cpu, const struct x86_insn *in,
			       int op, int bit)
{
	enum x86_status st = sse_gate(cpu, in, bit);
	u8 d[16], s[16];
	u32 flags;

	if (st != X86_OK)
		return st;
	st = sse_read(cpu, in, 1, s, true);
	if (st != X86_OK)
		return st;
	memcpy(d, cpu->fpu.xmm[in->op[0].reg], 16);
	flags = sh_cmp(op, (int)in->op[2].imm, cpu->fpu.mxcsr, d, s);
	if (sse_exceptions(cpu, flags, &st))
		return st;
	memcpy(cpu->fpu.xmm[in->op[0].reg], d, 16);
	return X86_OK;
}

static enum x86_status op_cmpps(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return sse_cmp(cpu, in, SH_CMPPS, SSE_BIT);
}

static enum x86_status op_cmppd(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return sse_cmp(cpu, in, SH_CMPPD, SSE2_BIT);
}

static enum x86_status op_cmpss(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return sse_cmp(cpu, in, SH_CMPSS, SSE_BIT);
}

/* The string instruction of the same name, from the integer tables. */
static enum x86_status string_form(struct x86_cpu *cpu,
				   const struct x86_insn *in)
{
	const struct x86_op_entry *e;

	for (e = x86_ops_str; e->fn; e++)
		if (e->mnemonic == in->mnemonic)
			return e->fn(cpu, in);
	return x86_raise(cpu, X86_UD, X86_NO_ERROR);
}

static bool xmm_form(const struct x86_insn *in)
{
	return (in->op[0].kind == X86_OP_REG &&
		in->op[0].rclass == X86_RC_XMM) ||
	       (in->op[1].kind == X86_OP_REG &&
		in->op[1].rclass == X86_RC_XMM);
}

/* Likewise MOVSD. */
static enum x86_status op_movsd(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (!xmm_form(in))
		return string_form(cpu, in);
	return sse_mov_scalar(cpu, in, 8, SSE2_BIT);
}

/* Zydis calls SSE2 CMPSD and the string CMPSD alike (see exec_str.c). */
static enum x86_status op_cmpsd(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (!xmm_form(in))
		return string_form(cpu, in);
	return sse_cmp(cpu, in, SH_CMPSD, SSE2_BIT);
}

static enum x86_status sse_comi(struct x86_cpu *cpu, const struct x86_insn *in,
				int op, int bit)
{
	enum x86_status st = sse_gate(cpu, in, bit);
	u8 a[16], b[16];
	u64 rflags = cpu->rflags;
	u32 flags;

	if (st != X86_OK)
		return st;
	st = sse_read(cpu, in, 1, b, true);
	if (st != X86_OK)
		return st;
	memcpy(a, cpu->fpu.xmm[in->op[0].reg], 16);
	flags = sh_comi(op, cpu->fpu.mxcsr, a, b, &rflags);
	if (sse_exceptions(cpu, flags, &st))
		return st;
	cpu->rflags = rflags;
	return X86_OK;
}

static enum x86_status op_comiss(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	return sse_comi(cpu, in, SH_COMISS, SSE_BIT);
}

static enum x86_status op_ucomiss(struct x86_cpu *cpu,
				  const struct x86_insn *in)
{
	return sse_comi(cpu, in, SH_UCOMISS, SSE_BIT);
}

static enum x86_status op_comisd(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	return sse_comi(cpu, in, SH_COMISD, SSE2_BIT);
}

static enum x86_status op_ucomisd(struct x86_cpu *cpu,
				  const struct x86_insn *in)
{
	return sse_comi(cpu, in, SH_UCOMISD, SSE2_BIT);
}

/* ---- conversions with a general-purpose register ---- */

/* CVT(T)SS2SI, CVT(T)SD2SI: r32/r64 from xmm/m32/m64. */
static enum x86_status op_cvt2si(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	u16 m = in->mnemonic;
	bool dbl = m == ZYDIS_MNEMONIC_CVTSD2SI || m == ZYDIS_MNEMONIC_CVTTSD2SI;
	bool trunc = m == ZYDIS_MNEMONIC_CVTTSS2SI ||
		     m == ZYDIS_MNEMONIC_CVTTSD2SI;
	enum x86_status st = sse_gate(cpu, in, dbl ? SSE2_BIT : SSE_BIT);
	u8 s[16];
	u32 flags;
	u64 v;

	if (st != X86_OK)
		return st;
	st = sse_read(cpu, in, 1, s, false);
	if (st != X86_OK)
		return st;
	flags = sh_cvt2si(dbl, trunc, in->op[0].size, cpu->fpu.mxcsr, s, &v);
	if (sse_exceptions(cpu, flags, &st))
		return st;
	return x86_op_write(cpu, in, 0, v);
}

/* CVTSI2SS, CVTSI2SD: low element from r/m32 or r/m64. */
static enum x86_status op_cvtsi2(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	bool dbl = in->mnemonic == ZYDIS_MNEMONIC_CVTSI2SD;
	enum x86_status st = sse_gate(cpu, in, dbl ? SSE2_BIT : SSE_BIT);
	u8 d[16];
	u32 flags;
	u64 v;

	if (st != X86_OK)
		return st;
	st = x86_op_read(cpu, in, 1, &v);
	if (st != X86_OK)
		return st;
	memcpy(d, cpu->fpu.xmm[in->op[0].reg], 16);
	flags = sh_cvtsi2(dbl, in->op[1].size, cpu->fpu.mxcsr, v, d);
	if (sse_exceptions(cpu, flags, &st))
		return st;
	memcpy(cpu->fpu.xmm[in->op[0].reg], d, 16);
	return X86_OK;
}

/* CVTPI2PS, CVT(T)PS2PI, CVTPI2PD, CVT(T)PD2PI: two elements between an
 * MMX register (or m64) and XMM, through the host's packed conversion. */
static const struct {
	u16 mnemonic;
	u8 op, to_mmx, bit;
} cvtpi[] = {
	{ ZYDIS_MNEMONIC_CVTPI2PS, SH_CVTDQ2PS, 0, SSE_BIT },
	{ ZYDIS_MNEMONIC_CVTPS2PI, SH_CVTPS2DQ, 1, SSE_BIT },
	{ ZYDIS_MNEMONIC_CVTTPS2PI, SH_CVTTPS2DQ, 1, SSE_BIT },
	{ ZYDIS_MNEMONIC_CVTPI2PD, SH_CVTDQ2PD, 0, SSE2_BIT },
	{ ZYDIS_MNEMONIC_CVTPD2PI, SH_CVTPD2DQ, 1, SSE2_BIT },
	{ ZYDIS_MNEMONIC_CVTTPD2PI, SH_CVTTPD2DQ, 1, SSE2_BIT },
};

static enum x86_status op_cvtpi(struct x86_cpu *cpu, const struct x86_insn *in)
{
	u8 s[16], r[16] = { 0 };
	enum x86_status st;
	size_t k = 0;
	u32 flags;

	while (cvtpi[k].mnemonic != in->mnemonic)
		k++;
	st = sse_gate(cpu, in, cvtpi[k].bit);
	/* only an MMX register operand switches the x87 unit to MMX */
	if (st == X86_OK && vec_width(in) == 8)
		st = mmx_gate(cpu, in, cvtpi[k].bit);
	if (st != X86_OK)
		return st;
	st = sse_read(cpu, in, 1, s, true);
	if (st != X86_OK)
		return st;
	if (cvtpi[k].op == SH_CVTPS2DQ || cvtpi[k].op == SH_CVTTPS2DQ)
		memset(s + 8, 0, 8);	/* the upper floats are not sources */
	flags = sh_op(cvtpi[k].op, cpu->fpu.mxcsr, r, s);
	if (sse_exceptions(cpu, flags, &st))
		return st;
	if (cvtpi[k].to_mmx)
		vec_put(cpu, &in->op[0], r);
	else
		memcpy(cpu->fpu.xmm[in->op[0].reg], r,
		       cvtpi[k].op == SH_CVTDQ2PS ? 8 : 16);
	return X86_OK;
}

#define SSE_FP_ENTRY(m, bit)	{ ZYDIS_MNEMONIC_##m, op_##m },

const struct x86_op_entry x86_ops_sse[] = {
	SSE_FP_OPS(SSE_FP_ENTRY)
	{ ZYDIS_MNEMONIC_CMPPS, op_cmpps }, { ZYDIS_MNEMONIC_CMPPD, op_cmppd },
	{ ZYDIS_MNEMONIC_CMPSS, op_cmpss }, { ZYDIS_MNEMONIC_CMPSD, op_cmpsd },
	{ ZYDIS_MNEMONIC_MOVSD, op_movsd },
	{ ZYDIS_MNEMONIC_COMISS, op_comiss },
	{ ZYDIS_MNEMONIC_UCOMISS, op_ucomiss },
	{ ZYDIS_MNEMONIC_COMISD, op_comisd },
	{ ZYDIS_MNEMONIC_UCOMISD, op_ucomisd },
	{ ZYDIS_MNEMONIC_CVTSS2SI, op_cvt2si },
	{ ZYDIS_MNEMONIC_CVTTSS2SI, op_cvt2si },
	{ ZYDIS_MNEMONIC_CVTSD2SI, op_cvt2si },
	{ ZYDIS_MNEMONIC_CVTTSD2SI, op_cvt2si },
	{ ZYDIS_MNEMONIC_CVTSI2SS, op_cvtsi2 },
	{ ZYDIS_MNEMONIC_CVTSI2SD, op_cvtsi2 },
	{ ZYDIS_MNEMONIC_CVTPI2PS, op_cvtpi }, { ZYDIS_MNEMONIC_CVTPS2PI, op_cvtpi },
	{ ZYDIS_MNEMONIC_CVTTPS2PI, op_cvtpi },
	{ ZYDIS_MNEMONIC_CVTPI2PD, op_cvtpi }, { ZYDIS_MNEMONIC_CVTPD2PI, op_cvtpi },
	{ ZYDIS_MNEMONIC_CVTTPD2PI, op_cvtpi },
	{ 0, NULL }
};
