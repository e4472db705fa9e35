// SPDX-License-Identifier: MIT
/*
 * The AdvSIMD instructions kvmu implements: the moves, bitwise, add/sub,
 * multiply(-accumulate), permute, shift-by-immediate and two-register
 * forms that aarch64-linux-gnu-gcc -O2 (its loop vectoriser included)
 * emits for plain C.  Everything else of AdvSIMD is UNDEFINED here
 * (docs/arm64.md).  Elements are little-endian lanes of the 128-bit V
 * registers; a 64-bit (Q = 0) result clears the upper half.
 */
#include "arm64.h"

static void vset_q(struct a64_cpu *c, unsigned int d, __uint128_t v, bool q)
{
	c->v[d] = q ? v : (u64)v;
}

static u64 replicate32(u64 v)
{
	return (v & 0xffffffffULL) * 0x100000001ULL;
}

static u64 replicate16(u64 v)
{
	return (v & 0xffff) * 0x0001000100010001ULL;
}

/* AdvSIMDExpandImm; false for a reserved encoding. */
static bool simd_imm(unsigned int op, unsigned int cmode, u64 imm8, u64 *r)
{
	unsigned int i;

	switch (cmode >> 1) {
	case 0: case 1: case 2: case 3:
		*r = replicate32(imm8 << (8 * (cmode >> 1)));
		return true;
	case 4: case 5:
		*r = replicate16(imm8 << (8 * ((cmode >> 1) & 1)));
		return true;
	case 6:
		*r = replicate32((cmode & 1) ? (imm8 << 16 | 0xffff) :
				 (imm8 << 8 | 0xff));
		return true;
	}
	if (cmode == 14 && !op) {
		*r = imm8 * 0x0101010101010101ULL;
		return true;
	}
	if (cmode == 14) {
		*r = 0;
		for (i = 0; i < 8; i++)
			if (imm8 & (1u << i))
				*r |= 0xffULL << (8 * i);
		return true;
	}
	if (!op) {				/* FMOV (vector), single */
		*r = replicate32(a64_fimm((unsigned int)imm8, false));
		return true;
	}
	*r = a64_fimm((unsigned int)imm8, true);	/* double, Q only */
	return true;
}

int op_simd_movi(struct a64_cpu *c, u32 insn)
{
	bool q = insn & BIT(30), op = insn & BIT(29);
	unsigned int cmode = BITS(insn, 15, 12), d = insn & 31;
	u64 imm8 = BITS(insn, 18, 16) << 5 | BITS(insn, 9, 5), r;
	bool orr_bic = (cmode < 12) && (cmode & 1);
	__uint128_t v;

	if (cmode == 15 && op && !q)
		return a64_undef(c, insn);
	simd_imm(op, cmode, imm8, &r);
	v = (__uint128_t)r << 64 | r;
	if (orr_bic)
		v = op ? c->v[d] & ~v : c->v[d] | v;	/* BIC / ORR */
	else if (op && cmode < 14)
		v = ~v;					/* MVNI */
	vset_q(c, d, v, q);
	return 0;
}

static u64 elem(__uint128_t v, unsigned int i, unsigned int esz)
{
	u64 m = esz == 64 ? ~0ULL : (1ULL << esz) - 1;

	return (u64)(v >> (i * esz)) & m;
}

static __uint128_t set_elem(__uint128_t v, unsigned int i, unsigned int esz,
			    u64 x)
{
	__uint128_t m = (esz == 64 ? (__uint128_t)~0ULL :
			 (__uint128_t)((1ULL << esz) - 1)) << (i * esz);

	return (v & ~m) | (((__uint128_t)x << (i * esz)) & m);
}

int op_simd_copy(struct a64_cpu *c, u32 insn)
{
	bool q = insn & BIT(30), op = insn & BIT(29);
	unsigned int imm5 = BITS(insn, 20, 16), imm4 = BITS(insn, 14, 11);
	unsigned int d = insn & 31, n = BITS(insn, 9, 5), i;
	unsigned int sz = (unsigned int)__builtin_ctz(imm5 | 0x10);
	unsigned int esz = 8u << sz, idx = imm5 >> (sz + 1);
	__uint128_t v = 0;
	u64 x;

	if (!(imm5 & 0xf) || sz > 3)
		return a64_undef(c, insn);
	if (op) {					/* INS (element) */
		x = elem(c->v[n], imm4 >> sz, esz);
		c->v[d] = set_elem(c->v[d], idx, esz, x);
		return 0;
	}
	switch (imm4) {
	case 0: case 1:					/* DUP */
		if (sz == 3 && !q)
			return a64_undef(c, insn);
		x = imm4 ? a64_x(c, n) : elem(c->v[n], idx, esz);
		for (i = 0; i < 128 / esz; i++)
			v = set_elem(v, i, esz, x);
		vset_q(c, d, v, q);
		return 0;
	case 3:						/* INS (general) */
		c->v[d] = set_elem(c->v[d], idx, esz, a64_x(c, n));
		return 0;
	case 5: case 7:					/* SMOV, UMOV */
		x = elem(c->v[n], idx, esz);
		if (imm4 == 5 ? (sz >= 2u + q) : (q != (sz == 3)))
			return a64_undef(c, insn);
		if (imm4 == 5)
			x = (u64)sext(x, esz);
		a64_set_x(c, d, q ? x : (u32)x);
		return 0;
	default:
		return a64_undef(c, insn);
	}
}

int op_simd_logic(struct a64_cpu *c, u32 insn)
{
	bool q = insn & BIT(30), u = insn & BIT(29);
	unsigned int size = BITS(insn, 23, 22), d = insn & 31;
	__uint128_t a = c->v[BITS(insn, 9, 5)], b = c->v[BITS(insn, 20, 16)];
	__uint128_t dv = c->v[d], r;

	switch (u << 2 | size) {
	case 0: r = a & b; break;
	case 1: r = a & ~b; break;
	case 2: r = a | b; break;
	case 3: r = a | ~b; break;
	case 4: r = a ^ b; break;
	case 5: r = (dv & a) | (~dv & b); break;	/* BSL */
	case 6: r = (dv & ~b) | (a & b); break;		/* BIT */
	default: r = (dv & b) | (a & ~b); break;	/* BIF */
	}
	vset_q(c, d, r, q);
	return 0;
}

int op_simd_addsub(struct a64_cpu *c, u32 insn)
{
	bool q = insn & BIT(30), sub = insn & BIT(29);
	unsigned int esz = 8u << BITS(insn, 23, 22), i;
	__uint128_t a = c->v[BITS(insn, 9, 5)], b = c->v[BITS(insn, 20, 16)];
	__uint128_t r = 0;

	if (esz == 64 && !q)
		return a64_undef(c, insn);
	for (i = 0; i < 128 / esz; i++)
		r = set_elem(r, i, esz, sub ? elem(a, i, esz) - elem(b, i, esz)
			     : elem(a, i, esz) + elem(b, i, esz));
	vset_q(c, insn & 31, r, q);
	return 0;
}

/* UZP1/2, TRN1/2, ZIP1/2 */
int op_simd_perm(struct a64_cpu *c, u32 insn)
{
	bool q = insn & BIT(30);
	unsigned int esz = 8u << BITS(insn, 23, 22), op = BITS(insn, 14, 12);
	unsigned int ne = (q ? 128 : 64) / esz, i, part = op >> 2;
	__uint128_t n = c->v[BITS(insn, 9, 5)], m = c->v[BITS(insn, 20, 16)];
	__uint128_t r = 0;
	u64 x;

	if ((esz == 64 && !q) || !(op & 3))
		return a64_undef(c, insn);
	for (i = 0; i < ne; i++) {
		switch (op & 3) {
		case 1: {			/* UZP */
			unsigned int k = 2 * i + part;

			x = k < ne ? elem(n, k, esz) : elem(m, k - ne, esz);
			break;
		}
		case 2:				/* TRN */
			x = elem((i & 1) ? m : n, (i & ~1u) + part, esz);
			break;
		default:			/* ZIP */
			x = elem((i & 1) ? m : n, part * ne / 2 + i / 2, esz);
			break;
		}
		r = set_elem(r, i, esz, x);
	}
	vset_q(c, insn & 31, r, q);
	return 0;
}

/* Shift by immediate: SSHR, USHR, SSRA, USRA, SHL, SHRN, S/USHLL. */
int op_simd_shift(struct a64_cpu *c, u32 insn)
{
	bool q = insn & BIT(30), u = insn & BIT(29);
	unsigned int immh = BITS(insn, 22, 19), op = BITS(insn, 15, 11);
	unsigned int sz = 31 - (unsigned int)__builtin_clz(immh), i, ne;
	unsigned int esz = 8u << sz, immhb = BITS(insn, 22, 16);
	unsigned int rsh = 2 * esz - immhb, lsh = immhb - esz;
	__uint128_t n = c->v[BITS(insn, 9, 5)], d = c->v[insn & 31], r = 0;
	u64 x;

	if (sz == 3 && !q && op != 16 && op != 20)
		return a64_undef(c, insn);
	switch (op) {
	case 0: case 2:				/* [SU]SHR, [SU]SRA */
		for (i = 0; i < 128 / esz; i++) {
			x = elem(n, i, esz);
			x = u ? (rsh >= 64 ? 0 : x >> rsh) :
			    (u64)(sext(x, esz) >> (rsh > 63 ? 63 : rsh));
			if (op == 2)
				x += elem(d, i, esz);
			r = set_elem(r, i, esz, x);
		}
		break;
	case 10:				/* SHL */
		if (u)
			return a64_undef(c, insn);
		for (i = 0; i < 128 / esz; i++)
			r = set_elem(r, i, esz, elem(n, i, esz) << lsh);
		break;
	case 16:				/* SHRN, SHRN2 */
		if (u || sz == 3)
			return a64_undef(c, insn);
		ne = 64 / esz;
		r = q ? (u64)d : 0;
		for (i = 0; i < ne; i++)
			r = set_elem(r, i + (q ? ne : 0), esz,
				     elem(n, i, 2 * esz) >> rsh);
		c->v[insn & 31] = r;
		return 0;
	case 20:				/* [SU]SHLL, [SU]SHLL2 */
		if (sz == 3)
			return a64_undef(c, insn);
		ne = 64 / esz;
		for (i = 0; i < ne; i++) {
			x = elem(n, i + (q ? ne : 0), esz);
			if (!u)
				x = (u64)sext(x, esz);
			r = set_elem(r, i, 2 * esz, x << lsh);
		}
		c->v[insn & 31] = r;
		return 0;
	default:
		return a64_undef(c, insn);
	}
	vset_q(c, insn & 31, r, q);
	return 0;
}

/* Two-register miscellaneous: XTN(2), NOT, NEG, ABS, CNT. */
int op_simd_misc2(struct a64_cpu *c, u32 insn)
{
	bool q = insn & BIT(30), u = insn & BIT(29);
	unsigned int sz = BITS(insn, 23, 22), op = BITS(insn, 16, 12);
	unsigned int esz = 8u << sz, i, ne;
	__uint128_t n = c->v[BITS(insn, 9, 5)], r = 0;
	u64 x;

	if (op == 18 && !u) {			/* XTN, XTN2 */
		if (sz == 3)
			return a64_undef(c, insn);
		ne = 64 / esz;
		r = q ? (u64)c->v[insn & 31] : 0;
		for (i = 0; i < ne; i++)
			r = set_elem(r, i + (q ? ne : 0), esz,
				     elem(n, i, 2 * esz));
		c->v[insn & 31] = r;
		return 0;
	}
	if (sz == 3 && !q)
		return a64_undef(c, insn);
	for (i = 0; i < 128 / esz; i++) {
		x = elem(n, i, esz);
		if (op == 5 && u && sz == 0)
			x = ~x;				/* NOT */
		else if (op == 5 && !u && sz == 0)
			x = (u64)__builtin_popcountll(x);	/* CNT */
		else if (op == 11 && u)
			x = -x;				/* NEG */
		else if (op == 11)
			x = sext(x, esz) < 0 ? -x : x;	/* ABS */
		else
			return a64_undef(c, insn);
		r = set_elem(r, i, esz, x);
	}
	vset_q(c, insn & 31, r, q);
	return 0;
}

/* MUL, MLA, MLS (vector, integer) */
int op_simd_mul(struct a64_cpu *c, u32 insn)
{
	bool q = insn & BIT(30), u = insn & BIT(29), acc = !(insn & BIT(11));
	unsigned int esz = 8u << BITS(insn, 23, 22), i;
	__uint128_t a = c->v[BITS(insn, 9, 5)], b = c->v[BITS(insn, 20, 16)];
	__uint128_t d = c->v[insn & 31], r = 0;
	u64 p;

	if (esz == 64)
		return a64_undef(c, insn);
	for (i = 0; i < 128 / esz; i++) {
		p = elem(a, i, esz) * elem(b, i, esz);
		if (acc)
			p = u ? elem(d, i, esz) - p : elem(d, i, esz) + p;
		r = set_elem(r, i, esz, p);
	}
	vset_q(c, insn & 31, r, q);
	return 0;
}
