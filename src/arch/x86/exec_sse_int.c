// SPDX-License-Identifier: MIT
/*
 * Packed integer SSE2 (and the MMX register forms of the same opcodes):
 * element-wise arithmetic from one table of small element functions,
 * shifts, packs, unpacks, shuffles and the mask extractions.  The bitwise
 * float operations (ANDPS...) are the same 64-bit lane functions.
 */
#include <string.h>

#include "arch/x86/fpu.h"

/* ---- elements ---- */

static u64 el_get(const u8 *v, int i, int es)
{
	u64 x = 0;

	memcpy(&x, v + i * es, (size_t)es);
	return x;
}

static void el_set(u8 *v, int i, int es, u64 x)
{
	memcpy(v + i * es, &x, (size_t)es);
}

static u64 sat_s(s64 v, int es)
{
	s64 max = (s64)(x86_mask(es) >> 1), min = -max - 1;

	return (u64)(v > max ? max : v < min ? min : v) & x86_mask(es);
}

static u64 sat_u(s64 v, int es)
{
	s64 max = (s64)x86_mask(es);

	return (u64)(v > max ? max : v < 0 ? 0 : v);
}

#define SX(v) x86_sext(v, es)

static u64 p_add(u64 a, u64 b, int es) { (void)es; return a + b; }
static u64 p_sub(u64 a, u64 b, int es) { (void)es; return a - b; }
static u64 p_adds(u64 a, u64 b, int es) { return sat_s(SX(a) + SX(b), es); }
static u64 p_subs(u64 a, u64 b, int es) { return sat_s(SX(a) - SX(b), es); }
static u64 p_addus(u64 a, u64 b, int es) { return sat_u((s64)(a + b), es); }
static u64 p_subus(u64 a, u64 b, int es)
{
	return sat_u((s64)a - (s64)b, es);
}
static u64 p_mullo(u64 a, u64 b, int es) { (void)es; return a * b; }
static u64 p_mulhi(u64 a, u64 b, int es)
{
	return (u64)(SX(a) * SX(b)) >> 16;
}
static u64 p_mulhu(u64 a, u64 b, int es) { (void)es; return (a * b) >> 16; }
static u64 p_muludq(u64 a, u64 b, int es)
{
	(void)es;
	return (a & 0xffffffffu) * (b & 0xffffffffu);
}
static u64 p_maddwd(u64 a, u64 b, int es)
{
	(void)es;
	return (u64)((s64)(s16)a * (s16)b + (s64)(s16)(a >> 16) *
		     (s16)(b >> 16));
}
static u64 p_and(u64 a, u64 b, int es) { (void)es; return a & b; }
static u64 p_andn(u64 a, u64 b, int es) { (void)es; return ~a & b; }
static u64 p_or(u64 a, u64 b, int es) { (void)es; return a | b; }
static u64 p_xor(u64 a, u64 b, int es) { (void)es; return a ^ b; }
static u64 p_cmpeq(u64 a, u64 b, int es) { return a == b ? x86_mask(es) : 0; }
static u64 p_cmpgt(u64 a, u64 b, int es)
{
	return SX(a) > SX(b) ? x86_mask(es) : 0;
}
static u64 p_avg(u64 a, u64 b, int es) { (void)es; return (a + b + 1) >> 1; }
static u64 p_minu(u64 a, u64 b, int es) { (void)es; return a < b ? a : b; }
static u64 p_maxu(u64 a, u64 b, int es) { (void)es; return a > b ? a : b; }
static u64 p_mins(u64 a, u64 b, int es) { return SX(a) < SX(b) ? a : b; }
static u64 p_maxs(u64 a, u64 b, int es) { return SX(a) > SX(b) ? a : b; }
static u64 p_sadbw(u64 a, u64 b, int es)
{
	u64 sum = 0;
	int i, x, y;

	(void)es;
	for (i = 0; i < 8; i++) {
		x = (int)((a >> (8 * i)) & 0xff);
		y = (int)((b >> (8 * i)) & 0xff);
		sum += (u64)(x > y ? x - y : y - x);
	}
	return sum;
}

struct pbin {
	u8 es;			/* element size in bytes */
	s8 xmm_bit, mmx_bit;	/* CPUID 1.EDX bits; -1: no such form */
	u64 (*fn)(u64 a, u64 b, int es);
};


/* mnemonic, element size, XMM feature, MMX feature, element function */
#define PBIN_OPS(X)							\
	X(PADDB, 1, SSE2, MMX, p_add) X(PADDW, 2, SSE2, MMX, p_add)	\
	X(PADDD, 4, SSE2, MMX, p_add) X(PADDQ, 8, SSE2, SSE2, p_add)	\
	X(PSUBB, 1, SSE2, MMX, p_sub) X(PSUBW, 2, SSE2, MMX, p_sub)	\
	X(PSUBD, 4, SSE2, MMX, p_sub) X(PSUBQ, 8, SSE2, SSE2, p_sub)	\
	X(PADDSB, 1, SSE2, MMX, p_adds) X(PADDSW, 2, SSE2, MMX, p_adds) \
	X(PSUBSB, 1, SSE2, MMX, p_subs) X(PSUBSW, 2, SSE2, MMX, p_subs) \
	X(PADDUSB, 1, SSE2, MMX, p_addus)				\
	X(PADDUSW, 2, SSE2, MMX, p_addus)				\
	X(PSUBUSB, 1, SSE2, MMX, p_subus)				\
	X(PSUBUSW, 2, SSE2, MMX, p_subus)				\
	X(PMULLW, 2, SSE2, MMX, p_mullo) X(PMULHW, 2, SSE2, MMX, p_mulhi) \
	X(PMULHUW, 2, SSE2, SSE, p_mulhu)				\
	X(PMULUDQ, 8, SSE2, SSE2, p_muludq)				\
	X(PMADDWD, 4, SSE2, MMX, p_maddwd)				\
	X(PAND, 8, SSE2, MMX, p_and) X(PANDN, 8, SSE2, MMX, p_andn)	\
	X(POR, 8, SSE2, MMX, p_or) X(PXOR, 8, SSE2, MMX, p_xor)		\
	X(ANDPS, 8, SSE, NONE, p_and) X(ANDPD, 8, SSE2, NONE, p_and)	\
	X(ANDNPS, 8, SSE, NONE, p_andn) X(ANDNPD, 8, SSE2, NONE, p_andn) \
	X(ORPS, 8, SSE, NONE, p_or) X(ORPD, 8, SSE2, NONE, p_or)	\
	X(XORPS, 8, SSE, NONE, p_xor) X(XORPD, 8, SSE2, NONE, p_xor)	\
	X(PCMPEQB, 1, SSE2, MMX, p_cmpeq) X(PCMPEQW, 2, SSE2, MMX, p_cmpeq) \
	X(PCMPEQD, 4, SSE2, MMX, p_cmpeq) X(PCMPGTB, 1, SSE2, MMX, p_cmpgt) \
	X(PCMPGTW, 2, SSE2, MMX, p_cmpgt) X(PCMPGTD, 4, SSE2, MMX, p_cmpgt) \
	X(PAVGB, 1, SSE2, SSE, p_avg) X(PAVGW, 2, SSE2, SSE, p_avg)	\
	X(PMINUB, 1, SSE2, SSE, p_minu) X(PMAXUB, 1, SSE2, SSE, p_maxu) \
	X(PMINSW, 2, SSE2, SSE, p_mins) X(PMAXSW, 2, SSE2, SSE, p_maxs) \
	X(PSADBW, 8, SSE2, SSE, p_sadbw)

/* ---- operands: XMM or MMX ---- */

static bool is_mmx(const struct x86_operand *op)
{
	return op->kind == X86_OP_REG && op->rclass == X86_RC_MMX;
}

/* Width of the instruction's vector registers: 8 (MMX) or 16 (XMM). */
int vec_width(const struct x86_insn *in)
{
	return is_mmx(&in->op[0]) || is_mmx(&in->op[1]) ? 8 : 16;
}

enum x86_status mmx_gate(struct x86_cpu *cpu, const struct x86_insn *in,
			 int bit)
{
	struct x86_fpu_state *f = &cpu->fpu;

	if (bit < 0 || in->lock || (cpu->cr0 & X86_CR0_EM) ||
	    !x86_has_feature(cpu, 1, 0, 3, bit))
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	if (cpu->cr0 & X86_CR0_TS)
		return x86_raise(cpu, X86_NM, X86_NO_ERROR);
	if ((f->fsw & FSW_ES) && (cpu->cr0 & X86_CR0_NE))
		return x86_raise(cpu, X86_MF, X86_NO_ERROR);
	/* x87 to MMX transition: TOP = 0, every register in use */
	fpu_set_top(f, 0);
	f->ftw = 0;
	for (int p = 0; p < 8; p++)
		f->ftw |= (u16)(fpu_classify_tag(f->st[p]) << (2 * p));
	return X86_OK;
}

enum x86_status vec_gate(struct x86_cpu *cpu, const struct x86_insn *in,
			 int xmm_bit, int mmx_bit)
{
	if (vec_width(in) == 8)
		return mmx_gate(cpu, in, mmx_bit);
	return sse_gate(cpu, in, xmm_bit);
}

void vec_get(const struct x86_cpu *cpu, const struct x86_operand *op, u8 *out)
{
	if (is_mmx(op))
		memcpy(out, cpu->fpu.st[op->reg & 7], 8);
	else
		memcpy(out, cpu->fpu.xmm[op->reg], 16);
}

/* Write a register operand; an MMX write sets the exponent to all ones. */
void vec_put(struct x86_cpu *cpu, const struct x86_operand *op,
	     const u8 *v)
{
	u8 *p;

	if (!is_mmx(op)) {
		memcpy(cpu->fpu.xmm[op->reg], v, 16);
		return;
	}
	p = cpu->fpu.st[op->reg & 7];
	memcpy(p, v, 8);
	p[8] = p[9] = 0xff;
	cpu->fpu.ftw = (u16)((cpu->fpu.ftw & ~(3u << (2 * (op->reg & 7)))) |
			     (TAG_SPECIAL << (2 * (op->reg & 7))));
}

/* Gate, then destination register and source operand (aligned m128). */
static enum x86_status vec_begin(struct x86_cpu *cpu,
				 const struct x86_insn *in, int xmm_bit,
				 int mmx_bit, u8 *d, u8 *s)
{
	enum x86_status st = vec_gate(cpu, in, xmm_bit, mmx_bit);

	if (st != X86_OK)
		return st;
	st = sse_read(cpu, in, 1, s, true);
	if (st != X86_OK)
		return st;
	memset(d, 0, 16);
	vec_get(cpu, &in->op[0], d);
	return X86_OK;
}

static enum x86_status pbin(struct x86_cpu *cpu, const struct x86_insn *in,
			    const struct pbin *p)
{
	u8 d[16], s[16];
	enum x86_status st;
	int i, n;

	st = vec_begin(cpu, in, p->xmm_bit, p->mmx_bit, d, s);
	if (st != X86_OK)
		return st;
	n = vec_width(in) / p->es;
	for (i = 0; i < n; i++)
		el_set(d, i, p->es, p->fn(el_get(d, i, p->es),
					  el_get(s, i, p->es), p->es));
	vec_put(cpu, &in->op[0], d);
	return X86_OK;
}

#define PBIN_FN(m, es, xb, mb, fn)					\
	static enum x86_status op_##m(struct x86_cpu *cpu,		\
				      const struct x86_insn *in)	\
	{								\
		static const struct pbin p = { es, xb##_BIT, mb##_BIT, fn }; \
		return pbin(cpu, in, &p);				\
	}
PBIN_OPS(PBIN_FN)

/* ---- shifts ---- */

static int shift_es(u16 m)
{
	switch (m) {
	case ZYDIS_MNEMONIC_PSLLW: case ZYDIS_MNEMONIC_PSRLW:
	case ZYDIS_MNEMONIC_PSRAW:
		return 2;
	case ZYDIS_MNEMONIC_PSLLD: case ZYDIS_MNEMONIC_PSRLD:
	case ZYDIS_MNEMONIC_PSRAD:
		return 4;
	default:
		return 8;
	}
}

static u64 shift_el(u16 m, u64 v, u64 count, int es)
{
	int bits = es * 8;

	switch (m) {
	case ZYDIS_MNEMONIC_PSRAW: case ZYDIS_MNEMONIC_PSRAD:
		return (u64)(x86_sext(v, es) >> (count >= (u64)bits ?
						 bits - 1 : (int)count));
	case ZYDIS_MNEMONIC_PSLLW: case ZYDIS_MNEMONIC_PSLLD:
	case ZYDIS_MNEMONIC_PSLLQ:
		return count >= (u64)bits ? 0 : v << count;
	default:
		return count >= (u64)bits ? 0 : v >> count;
	}
}

/* PSLL/PSRL/PSRA W/D/Q by an immediate or by the low quadword of the
 * source operand. */
static enum x86_status op_pshift(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	int es = shift_es(in->mnemonic), i, n;
	u8 d[16], s[16];
	enum x86_status st;
	u64 count;

	st = vec_begin(cpu, in, SSE2_BIT, MMX_BIT, d, s);
	if (st != X86_OK)
		return st;
	memcpy(&count, s, 8);
	n = vec_width(in) / es;
	for (i = 0; i < n; i++)
		el_set(d, i, es, shift_el(in->mnemonic, el_get(d, i, es),
					  count, es));
	vec_put(cpu, &in->op[0], d);
	return X86_OK;
}

/* PSLLDQ/PSRLDQ: whole-register byte shifts. */
static enum x86_status op_pshiftdq(struct x86_cpu *cpu,
				   const struct x86_insn *in)
{
	enum x86_status st = sse_gate(cpu, in, SSE2_BIT);
	u8 *x = cpu->fpu.xmm[in->op[0].reg], r[16] = { 0 };
	u64 n = in->op[1].imm & 0xff;

	if (st != X86_OK)
		return st;
	if (n < 16) {
		if (in->mnemonic == ZYDIS_MNEMONIC_PSLLDQ)
			memcpy(r + n, x, 16 - n);
		else
			memcpy(r, x + n, 16 - n);
	}
	memcpy(x, r, 16);
	return X86_OK;
}

/* ---- packs and unpacks ---- */

static enum x86_status op_pack(struct x86_cpu *cpu, const struct x86_insn *in)
{
	bool dw = in->mnemonic == ZYDIS_MNEMONIC_PACKSSDW;
	bool us = in->mnemonic == ZYDIS_MNEMONIC_PACKUSWB;
	int es = dw ? 4 : 2, n, i;
	u8 d[16], s[16], r[16];
	enum x86_status st;
	s64 v;

	st = vec_begin(cpu, in, SSE2_BIT, MMX_BIT, d, s);
	if (st != X86_OK)
		return st;
	n = vec_width(in) / es;
	for (i = 0; i < 2 * n; i++) {
		v = x86_sext(el_get(i < n ? d : s, i % n, es), es);
		el_set(r, i, es / 2, us ? sat_u(v, 1) : sat_s(v, es / 2));
	}
	vec_put(cpu, &in->op[0], r);
	return X86_OK;
}

struct unpack {
	u16 mnemonic;
	u8 es, high;
	s8 xmm_bit, mmx_bit;
};

static const struct unpack unpacks[] = {
	{ ZYDIS_MNEMONIC_PUNPCKLBW, 1, 0, SSE2_BIT, MMX_BIT },
	{ ZYDIS_MNEMONIC_PUNPCKLWD, 2, 0, SSE2_BIT, MMX_BIT },
	{ ZYDIS_MNEMONIC_PUNPCKLDQ, 4, 0, SSE2_BIT, MMX_BIT },
	{ ZYDIS_MNEMONIC_PUNPCKLQDQ, 8, 0, SSE2_BIT, NONE_BIT },
	{ ZYDIS_MNEMONIC_PUNPCKHBW, 1, 1, SSE2_BIT, MMX_BIT },
	{ ZYDIS_MNEMONIC_PUNPCKHWD, 2, 1, SSE2_BIT, MMX_BIT },
	{ ZYDIS_MNEMONIC_PUNPCKHDQ, 4, 1, SSE2_BIT, MMX_BIT },
	{ ZYDIS_MNEMONIC_PUNPCKHQDQ, 8, 1, SSE2_BIT, NONE_BIT },
	{ ZYDIS_MNEMONIC_UNPCKLPS, 4, 0, SSE_BIT, NONE_BIT },
	{ ZYDIS_MNEMONIC_UNPCKHPS, 4, 1, SSE_BIT, NONE_BIT },
	{ ZYDIS_MNEMONIC_UNPCKLPD, 8, 0, SSE2_BIT, NONE_BIT },
	{ ZYDIS_MNEMONIC_UNPCKHPD, 8, 1, SSE2_BIT, NONE_BIT },
};

/* Interleave the low (or high) halves of destination and source. */
static enum x86_status op_unpack(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	const struct unpack *u = unpacks;
	u8 d[16], s[16], r[16];
	enum x86_status st;
	int i, half;

	while (u->mnemonic != in->mnemonic)
		u++;
	st = vec_begin(cpu, in, u->xmm_bit, u->mmx_bit, d, s);
	if (st != X86_OK)
		return st;
	half = vec_width(in) / u->es / 2;
	for (i = 0; i < half; i++) {
		el_set(r, 2 * i, u->es, el_get(d, i + u->high * half, u->es));
		el_set(r, 2 * i + 1, u->es,
		       el_get(s, i + u->high * half, u->es));
	}
	vec_put(cpu, &in->op[0], r);
	return X86_OK;
}

/* ---- shuffles ---- */

static enum x86_status op_pshuf(struct x86_cpu *cpu, const struct x86_insn *in)
{
	u16 m = in->mnemonic;
	int imm = (int)in->op[2].imm, i, base, es = 2;
	u8 s[16], r[16];
	enum x86_status st;

	st = vec_gate(cpu, in, SSE2_BIT, SSE_BIT);
	if (st != X86_OK)
		return st;
	st = sse_read(cpu, in, 1, s, true);
	if (st != X86_OK)
		return st;
	memcpy(r, s, 16);
	if (m == ZYDIS_MNEMONIC_PSHUFD)
		es = 4;
	base = m == ZYDIS_MNEMONIC_PSHUFHW ? 4 : 0;
	for (i = 0; i < 4; i++)
		el_set(r, base + i, es,
		       el_get(s, base + ((imm >> (2 * i)) & 3), es));
	vec_put(cpu, &in->op[0], r);
	return X86_OK;
}

static enum x86_status op_shufp(struct x86_cpu *cpu, const struct x86_insn *in)
{
	bool pd = in->mnemonic == ZYDIS_MNEMONIC_SHUFPD;
	int imm = (int)in->op[2].imm;
	u8 d[16], s[16], r[16];
	enum x86_status st;

	st = vec_begin(cpu, in, pd ? SSE2_BIT : SSE_BIT, NONE_BIT, d, s);
	if (st != X86_OK)
		return st;
	if (pd) {
		el_set(r, 0, 8, el_get(d, imm & 1, 8));
		el_set(r, 1, 8, el_get(s, (imm >> 1) & 1, 8));
	} else {
		el_set(r, 0, 4, el_get(d, imm & 3, 4));
		el_set(r, 1, 4, el_get(d, (imm >> 2) & 3, 4));
		el_set(r, 2, 4, el_get(s, (imm >> 4) & 3, 4));
		el_set(r, 3, 4, el_get(s, (imm >> 6) & 3, 4));
	}
	vec_put(cpu, &in->op[0], r);
	return X86_OK;
}

/* ---- to and from general-purpose registers ---- */

/* PMOVMSKB, MOVMSKPS, MOVMSKPD: the sign bits of the elements. */
static enum x86_status op_movmsk(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	u16 m = in->mnemonic;
	int es = m == ZYDIS_MNEMONIC_MOVMSKPS ? 4 :
		 m == ZYDIS_MNEMONIC_MOVMSKPD ? 8 : 1;
	int xb = m == ZYDIS_MNEMONIC_MOVMSKPS ? SSE_BIT : SSE2_BIT;
	enum x86_status st;
	u8 s[16] = { 0 };
	u64 mask = 0;
	int i, n;

	st = vec_gate(cpu, in, xb, SSE_BIT);
	if (st != X86_OK)
		return st;
	vec_get(cpu, &in->op[1], s);
	n = vec_width(in) / es;
	for (i = 0; i < n; i++)
		mask |= (u64)(s[i * es + es - 1] >> 7) << i;
	return x86_op_write(cpu, in, 0, mask);
}

static enum x86_status op_pextrw(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	enum x86_status st = vec_gate(cpu, in, SSE2_BIT, SSE_BIT);
	int n = vec_width(in) / 2;
	u8 s[16] = { 0 };

	if (st != X86_OK)
		return st;
	vec_get(cpu, &in->op[1], s);
	return x86_op_write(cpu, in, 0,
			    el_get(s, (int)in->op[2].imm & (n - 1), 2));
}

static enum x86_status op_pinsrw(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	enum x86_status st = vec_gate(cpu, in, SSE2_BIT, SSE_BIT);
	int n = vec_width(in) / 2;
	u8 d[16] = { 0 };
	u64 v;

	if (st != X86_OK)
		return st;
	st = x86_op_read(cpu, in, 1, &v);
	if (st != X86_OK)
		return st;
	vec_get(cpu, &in->op[0], d);
	el_set(d, (int)in->op[2].imm & (n - 1), 2, v);
	vec_put(cpu, &in->op[0], d);
	return X86_OK;
}

#define PBIN_ENTRY(m, es, xb, mb, fn)	{ ZYDIS_MNEMONIC_##m, op_##m },

const struct x86_op_entry x86_ops_sse_int[] = {
	PBIN_OPS(PBIN_ENTRY)
	{ ZYDIS_MNEMONIC_PSLLW, op_pshift }, { ZYDIS_MNEMONIC_PSLLD, op_pshift },
	{ ZYDIS_MNEMONIC_PSLLQ, op_pshift }, { ZYDIS_MNEMONIC_PSRLW, op_pshift },
	{ ZYDIS_MNEMONIC_PSRLD, op_pshift }, { ZYDIS_MNEMONIC_PSRLQ, op_pshift },
	{ ZYDIS_MNEMONIC_PSRAW, op_pshift }, { ZYDIS_MNEMONIC_PSRAD, op_pshift },
	{ ZYDIS_MNEMONIC_PSLLDQ, op_pshiftdq },
	{ ZYDIS_MNEMONIC_PSRLDQ, op_pshiftdq },
	{ ZYDIS_MNEMONIC_PACKSSWB, op_pack }, { ZYDIS_MNEMONIC_PACKSSDW, op_pack },
	{ ZYDIS_MNEMONIC_PACKUSWB, op_pack },
	{ ZYDIS_MNEMONIC_PUNPCKLBW, op_unpack },
	{ ZYDIS_MNEMONIC_PUNPCKLWD, op_unpack },
	{ ZYDIS_MNEMONIC_PUNPCKLDQ, op_unpack },
	{ ZYDIS_MNEMONIC_PUNPCKLQDQ, op_unpack },
	{ ZYDIS_MNEMONIC_PUNPCKHBW, op_unpack },
	{ ZYDIS_MNEMONIC_PUNPCKHWD, op_unpack },
	{ ZYDIS_MNEMONIC_PUNPCKHDQ, op_unpack },
	{ ZYDIS_MNEMONIC_PUNPCKHQDQ, op_unpack },
	{ ZYDIS_MNEMONIC_UNPCKLPS, op_unpack },
	{ ZYDIS_MNEMONIC_UNPCKHPS, op_unpack },
	{ ZYDIS_MNEMONIC_UNPCKLPD, op_unpack },
	{ ZYDIS_MNEMONIC_UNPCKHPD, op_unpack },
	{ ZYDIS_MNEMONIC_PSHUFD, op_pshuf }, { ZYDIS_MNEMONIC_PSHUFLW, op_pshuf },
	{ ZYDIS_MNEMONIC_PSHUFHW, op_pshuf }, { ZYDIS_MNEMONIC_PSHUFW, op_pshuf },
	{ ZYDIS_MNEMONIC_SHUFPS, op_shufp }, { ZYDIS_MNEMONIC_SHUFPD, op_shufp },
	{ ZYDIS_MNEMONIC_PMOVMSKB, op_movmsk },
	{ ZYDIS_MNEMONIC_MOVMSKPS, op_movmsk },
	{ ZYDIS_MNEMONIC_MOVMSKPD, op_movmsk },
	{ ZYDIS_MNEMONIC_PEXTRW, op_pextrw }, { ZYDIS_MNEMONIC_PINSRW, op_pinsrw },
	{ 0, NULL }
};
