// SPDX-License-Identifier: MIT
/*
 * Random EL0 instruction sequences for the arm64 differential tester: one
 * encoder per A64 class (data processing immediate and register, loads
 * and stores of every addressing form, pairs, exclusives, acquire/release,
 * literal loads, forward branches, ADR/ADRP), fields drawn at random and
 * then kept inside what is architecturally defined (no UNPREDICTABLE or
 * UNDEFINED encodings: the two runners need not agree on those) and
 * inside the data area.  Sequence i of seed s is always the same.
 */
#include <string.h>

#include "gen.h"

static uint64_t next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static uint32_t rnd(uint64_t *s, uint32_t n)
{
	return (uint32_t)(next(s) % n);
}

/* registers a body may write: not x27/x28 (index, base), not SP */
static uint32_t dst(uint64_t *s, bool zr)
{
	static const uint8_t r[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
				     13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
				     23, 24, 25, 26, 29, 30 };

	if (zr && !rnd(s, 16))
		return 31;
	return r[rnd(s, sizeof(r))];
}

static uint32_t src(uint64_t *s, bool zr)
{
	if (zr && !rnd(s, 16))
		return 31;
	return rnd(s, 31);
}

static uint64_t value(uint64_t *s)
{
	switch (rnd(s, 8)) {
	case 0: return 0;
	case 1: return rnd(s, 256);
	case 2: return ~0ULL - rnd(s, 4);
	case 3: return 1ULL << rnd(s, 64);
	case 4: return 0x80000000ULL + rnd(s, 3) - 1;
	case 5: return (uint64_t)(int64_t)(int32_t)next(s);
	default: return next(s);
	}
}

/* DecodeBitMasks would accept these fields (logical immediate) */
static bool bitmask_ok(uint32_t sf, uint32_t n, uint32_t imms)
{
	uint32_t v = (n << 6) | (~imms & 0x3f), len, levels;

	if (!sf && n)
		return false;
	if (!v)
		return false;
	len = 31 - (uint32_t)__builtin_clz(v);
	if (len < 1)
		return false;
	levels = (1u << len) - 1;
	return (imms & levels) != levels;
}

static uint32_t g_addsub_imm(uint64_t *s)
{
	uint32_t sf = rnd(s, 2), S = rnd(s, 2);

	return sf << 31 | rnd(s, 2) << 30 | S << 29 | 0x11000000 |
	       rnd(s, 2) << 22 | rnd(s, 4096) << 10 | src(s, false) << 5 |
	       dst(s, S);
}

static uint32_t g_log_imm(uint64_t *s)
{
	uint32_t sf, n, imms, opc;

	do {
		sf = rnd(s, 2);
		n = sf ? rnd(s, 2) : 0;
		imms = rnd(s, 64);
	} while (!bitmask_ok(sf, n, imms));
	opc = rnd(s, 4);
	return sf << 31 | opc << 29 | 0x12000000 | n << 22 |
	       rnd(s, sf ? 64 : 32) << 16 | imms << 10 | src(s, true) << 5 |
	       dst(s, opc == 3);
}

static uint32_t g_movw(uint64_t *s)
{
	static const uint32_t opc[] = { 0, 2, 3 };
	uint32_t sf = rnd(s, 2);

	return sf << 31 | opc[rnd(s, 3)] << 29 | 0x12800000 |
	       rnd(s, sf ? 4 : 2) << 21 | rnd(s, 65536) << 5 | dst(s, true);
}

static uint32_t g_bfm(uint64_t *s)
{
	uint32_t sf = rnd(s, 2), w = sf ? 64 : 32;

	return sf << 31 | rnd(s, 3) << 29 | 0x13000000 | sf << 22 |
	       rnd(s, w) << 16 | rnd(s, w) << 10 | src(s, true) << 5 |
	       dst(s, true);
}

static uint32_t g_extr(uint64_t *s)
{
	uint32_t sf = rnd(s, 2);

	return sf << 31 | 0x13800000 | sf << 22 | src(s, true) << 16 |
	       rnd(s, sf ? 64 : 32) << 10 | src(s, true) << 5 | dst(s, true);
}

static uint32_t g_log_reg(uint64_t *s)
{
	uint32_t sf = rnd(s, 2);

	return sf << 31 | rnd(s, 4) << 29 | 0x0a000000 | rnd(s, 4) << 22 |
	       rnd(s, 2) << 21 | src(s, true) << 16 |
	       rnd(s, sf ? 64 : 32) << 10 | src(s, true) << 5 | dst(s, true);
}

static uint32_t g_addsub_reg(uint64_t *s)
{
	uint32_t sf = rnd(s, 2);

	return sf << 31 | rnd(s, 4) << 29 | 0x0b000000 | rnd(s, 3) << 22 |
	       src(s, true) << 16 | rnd(s, sf ? 64 : 32) << 10 |
	       src(s, true) << 5 | dst(s, true);
}

static uint32_t g_addsub_ext(uint64_t *s)
{
	uint32_t S = rnd(s, 2);

	return rnd(s, 2) << 31 | rnd(s, 2) << 30 | S << 29 | 0x0b200000 |
	       src(s, true) << 16 | rnd(s, 8) << 13 | rnd(s, 5) << 10 |
	       src(s, false) << 5 | dst(s, S);
}

static uint32_t g_adc(uint64_t *s)
{
	return rnd(s, 2) << 31 | rnd(s, 4) << 29 | 0x1a000000 |
	       src(s, true) << 16 | src(s, true) << 5 | dst(s, true);
}

static uint32_t g_ccmp(uint64_t *s)
{
	uint32_t imm = rnd(s, 2);

	return rnd(s, 2) << 31 | rnd(s, 2) << 30 | 1u << 29 | 0x1a400000 |
	       (imm ? rnd(s, 32) : src(s, true)) << 16 | rnd(s, 16) << 12 |
	       imm << 11 | src(s, true) << 5 | rnd(s, 16);
}

static uint32_t g_csel(uint64_t *s)
{
	return rnd(s, 2) << 31 | rnd(s, 2) << 30 | 0x1a800000 |
	       src(s, true) << 16 | rnd(s, 16) << 12 | rnd(s, 2) << 10 |
	       src(s, true) << 5 | dst(s, true);
}

static uint32_t g_dp2(uint64_t *s)
{
	static const uint32_t op[] = { 2, 3, 8, 9, 10, 11 };

	return rnd(s, 2) << 31 | 0x1ac00000 | src(s, true) << 16 |
	       op[rnd(s, 6)] << 10 | src(s, true) << 5 | dst(s, true);
}

static uint32_t g_dp1(uint64_t *s)
{
	uint32_t sf = rnd(s, 2), op = rnd(s, 6);

	if (op == 3 && !sf)
		op = 2;
	return sf << 31 | 0x5ac00000 | op << 10 | src(s, true) << 5 |
	       dst(s, true);
}

static uint32_t g_dp3(uint64_t *s)
{
	static const uint32_t op31[] = { 0, 1, 5, 2, 6 };
	uint32_t sf = rnd(s, 2), op = sf ? op31[rnd(s, 5)] : 0;
	uint32_t o0 = (op == 2 || op == 6) ? 0 : rnd(s, 2);
	uint32_t ra = (op == 2 || op == 6) ? 31 : src(s, true);

	return sf << 31 | 0x1b000000 | op << 21 | src(s, true) << 16 |
	       o0 << 15 | ra << 10 | src(s, true) << 5 | dst(s, true);
}

/* size and opc of a general-register single load/store */
static void ls_kind(uint64_t *s, uint32_t *size, uint32_t *opc)
{
	*size = rnd(s, 4);
	*opc = rnd(s, 4);
	if (*opc == 3 && *size >= 2)
		*opc = 1;
	if (*opc == 2 && *size == 3)
		*opc = 0;
}

static uint32_t ls_rt(uint64_t *s, uint32_t opc, uint32_t avoid)
{
	uint32_t t;

	do
		t = opc ? dst(s, true) : src(s, true);
	while (t == avoid);
	return t;
}

static uint32_t g_ld_uimm(uint64_t *s)
{
	uint32_t size, opc;

	ls_kind(s, &size, &opc);
	return size << 30 | 0x39000000 | opc << 22 |
	       rnd(s, 256u >> size) << 10 | 28u << 5 | ls_rt(s, opc, 99);
}

static uint32_t g_ld_regoff(uint64_t *s)
{
	static const uint32_t opt[] = { 2, 3, 6, 7 };
	uint32_t size, opc;

	ls_kind(s, &size, &opc);
	return size << 30 | 0x38200800 | opc << 22 | 27u << 16 |
	       opt[rnd(s, 4)] << 13 | rnd(s, 2) << 12 | 28u << 5 |
	       ls_rt(s, opc, 99);
}

/* unscaled/unprivileged from x28, or pre/post-index on x25 */
static int g_ld_imm9(uint64_t *s, uint32_t *out)
{
	uint32_t size, opc, kind = rnd(s, 4), n = 28, k = 0;
	int32_t imm = (int32_t)rnd(s, 512) - 256;

	ls_kind(s, &size, &opc);
	if (kind == 1 || kind == 3) {
		k = rnd(s, 256);
		out[0] = 0x91000000 | k << 10 | 28u << 5 | 25;	/* add x25 */
		n = 25;
	}
	out[n == 25] = size << 30 | 0x38000000 | opc << 22 |
		((uint32_t)imm & 0x1ff) << 12 | kind << 10 | n << 5 |
		ls_rt(s, opc, n == 25 ? 25 : 99);
	return n == 25 ? 2 : 1;
}

static int g_pair(uint64_t *s, uint32_t *out)
{
	uint32_t opc = rnd(s, 3), type = rnd(s, 4), l = rnd(s, 2), n = 28;
	uint32_t sz = opc == 2 ? 8 : 4, t, t2, k = 0;
	int32_t imm = ((int32_t)rnd(s, 512) - 256) / (int32_t)sz;

	if (opc == 1)
		l = 1;			/* LDPSW; STGP is not ours */
	if (type == 0 && opc == 1)
		type = 2;
	if (type == 1 || type == 3) {
		k = rnd(s, 256);
		out[0] = 0x91000000 | k << 10 | 28u << 5 | 25;
		n = 25;
	}
	do {
		t = ls_rt(s, l, n);
		t2 = ls_rt(s, l, n);
	} while (l && t == t2);
	out[n == 25] = opc << 30 | 0x28000000 | type << 23 | l << 22 |
		((uint32_t)imm & 0x7f) << 15 | t2 << 10 | n << 5 | t;
	return n == 25 ? 2 : 1;
}

/* LDXR/LDAXR (+ STXR/STLXR most of the time), pairs, LDAR/STLR */
static int g_excl(uint64_t *s, uint32_t *out)
{
	uint32_t size = rnd(s, 4), pair = size >= 2 && rnd(s, 3) == 0;
	uint32_t t = dst(s, false), t2 = 31, st, rs, l = rnd(s, 2);

	if (rnd(s, 4) == 0) {			/* LDAR or STLR */
		out[0] = size << 30 | 0x08800000 | l << 22 | 31u << 16 |
			 1u << 15 | 31u << 10 | 28u << 5 |
			 (l ? t : src(s, true));
		return 1;
	}
	if (pair)
		do
			t2 = dst(s, false);
		while (t2 == t);
	out[0] = size << 30 | 0x08400000 | pair << 21 | 31u << 16 |
		 rnd(s, 2) << 15 | t2 << 10 | 28u << 5 | t;
	if (rnd(s, 5) == 0)
		return 1;
	st = src(s, false);
	do
		rs = dst(s, false);
	while (rs == st || rs == t2 || (pair && rs == t));
	out[1] = size << 30 | 0x08000000 | pair << 21 | rs << 16 |
		 rnd(s, 2) << 15 | (pair ? t : 31) << 10 | 28u << 5 | st;
	return 2;
}

/* forward branches over the next instruction (+8) */
static uint32_t g_branch(uint64_t *s)
{
	switch (rnd(s, 4)) {
	case 0: return 0x54000040 | rnd(s, 16);		/* B.cond */
	case 1: return rnd(s, 2) << 31 | 0x34000040 | rnd(s, 2) << 24 |
		       src(s, true);				/* CBZ */
	case 2: return rnd(s, 2) << 31 | 0x36000040 | rnd(s, 2) << 24 |
		       rnd(s, 32) << 19 | src(s, true);		/* TBZ */
	default: return 0x14000002;				/* B */
	}
}

static uint32_t g_adr(uint64_t *s)
{
	return rnd(s, 2) << 31 | rnd(s, 4) << 29 | 0x10000000 |
	       rnd(s, 1u << 19) << 5 | dst(s, true);
}

/* ---- floating point ---- */

static uint64_t fvalue(uint64_t *s)
{
	static const uint64_t d[] = {
		0, 0x8000000000000000ULL, 0x3ff0000000000000ULL,
		0xbff8000000000000ULL, 0x7ff0000000000000ULL,
		0xfff0000000000000ULL, 0x7ff8000000000001ULL,
		0x7ff0000000000001ULL, 0x0000000000000001ULL,
		0x7fefffffffffffffULL, 0x0010000000000000ULL,
		0x4330000000000000ULL, 0x43e0000000000000ULL,
		0xc1e0000000000000ULL, 0x3fe0000000000000ULL,
	};
	static const uint32_t f[] = {
		0, 0x80000000, 0x3f800000, 0xbfc00000, 0x7f800000, 0xff800000,
		0x7fc00001, 0x7f800001, 0x00000001, 0x7f7fffff, 0x00800000,
		0x4f000000, 0x3f000000, 0xcf000000,
	};
	uint64_t hi = next(s) & 0xffffffff00000000ULL;

	switch (rnd(s, 6)) {
	case 0: return d[rnd(s, sizeof(d) / 8)];
	case 1: return hi | f[rnd(s, sizeof(f) / 4)];
	case 2: return hi | (uint32_t)next(s);
	case 3: {			/* a double near 1 or a small integer */
		uint64_t e = 0x3f0 + rnd(s, 0x60);

		return e << 52 | (next(s) & 0xfffffffffffffULL);
	}
	case 4: return hi | ((uint32_t)(0x38 + rnd(s, 0x30)) << 23 |
			     (rnd(s, 1u << 23)));
	default: return next(s);
	}
}

static uint32_t fr(uint64_t *s)
{
	return rnd(s, 32);
}

static uint32_t g_fp(uint64_t *s)
{
	uint32_t t = rnd(s, 2), op;

	switch (rnd(s, 9)) {
	case 0: return 0x1e200800 | t << 22 | fr(s) << 16 | rnd(s, 9) << 12 |
		       fr(s) << 5 | fr(s);			/* dp2 */
	case 1:
		op = rnd(s, 12);
		op = op < 4 ? op : op == 4 ? (t ? 4 : 5) : op + 3;
		if (op == 13)
			op = 14;
		return 0x1e204000 | t << 22 | op << 15 | fr(s) << 5 | fr(s);
	case 2: op = rnd(s, 4) << 3;
		return 0x1e202000 | t << 22 | (op & 8 ? 0 : fr(s)) << 16 |
		       fr(s) << 5 | op;				/* fcmp */
	case 3: return 0x1e200c00 | t << 22 | fr(s) << 16 | rnd(s, 16) << 12 |
		       fr(s) << 5 | fr(s);			/* fcsel */
	case 4: return 0x1e200400 | t << 22 | fr(s) << 16 | rnd(s, 16) << 12 |
		       fr(s) << 5 | rnd(s, 2) << 4 | rnd(s, 16);	/* fccmp */
	case 5: return 0x1f000000 | t << 22 | rnd(s, 2) << 21 | fr(s) << 16 |
		       rnd(s, 2) << 15 | fr(s) << 10 | fr(s) << 5 | fr(s);
	case 6: return 0x1e201000 | t << 22 | rnd(s, 256) << 13 | fr(s);
	case 7: {			/* conversions to and from integers */
		uint32_t sf = rnd(s, 2), k = rnd(s, 4);

		if (k == 0)		/* SCVTF/UCVTF */
			return sf << 31 | 0x1e220000 | t << 22 |
			       rnd(s, 2) << 16 | src(s, true) << 5 | fr(s);
		if (k == 1)		/* FCVTAS/AU */
			return sf << 31 | 0x1e240000 | t << 22 |
			       rnd(s, 2) << 16 | fr(s) << 5 | dst(s, true);
		if (k == 2 && rnd(s, 2))	/* FMOV to general */
			return sf << 31 | 0x1e260000 | sf << 22 |
			       fr(s) << 5 | dst(s, true);
		if (k == 2)		/* FMOV from general */
			return sf << 31 | 0x1e270000 | sf << 22 |
			       src(s, true) << 5 | fr(s);
		return sf << 31 | 0x1e200000 | t << 22 | rnd(s, 4) << 19 |
		       rnd(s, 2) << 16 | fr(s) << 5 | dst(s, true);
	}
	default:			/* LDR/STR S, D, Q at x28 */
		op = rnd(s, 3);
		if (op == 2)
			return 0x3d800000 | rnd(s, 2) << 22 |
			       rnd(s, 16) << 10 | 28u << 5 | fr(s);
		return (2 + op) << 30 | 0x3d000000 | rnd(s, 2) << 22 |
		       rnd(s, 256u >> (2 + op)) << 10 | 28u << 5 | fr(s);
	}
}

enum { K_IMM, K_LOG_IMM, K_MOVW, K_BFM, K_EXTR, K_LOG_REG, K_ADDSUB,
       K_EXT, K_ADC, K_CCMP, K_CSEL, K_DP2, K_DP1, K_DP3, K_UIMM, K_REGOFF,
       K_IMM9, K_PAIR, K_EXCL, K_BRANCH, K_ADR, K_FP, K_FP2, K_LIT,
       K_NR };

/* One encoding class's instructions at c[i]; returns the new i. */
static int gen_one(uint64_t *st, uint32_t *c, int i, uint8_t *lit)
{
	uint32_t k = rnd(st, K_NR);

	switch (k) {
	case K_IMM: c[i++] = g_addsub_imm(st); break;
	case K_LOG_IMM: c[i++] = g_log_imm(st); break;
	case K_MOVW: c[i++] = g_movw(st); break;
	case K_BFM: c[i++] = g_bfm(st); break;
	case K_EXTR: c[i++] = g_extr(st); break;
	case K_LOG_REG: c[i++] = g_log_reg(st); break;
	case K_ADDSUB: c[i++] = g_addsub_reg(st); break;
	case K_EXT: c[i++] = g_addsub_ext(st); break;
	case K_ADC: c[i++] = g_adc(st); break;
	case K_CCMP: c[i++] = g_ccmp(st); break;
	case K_CSEL: c[i++] = g_csel(st); break;
	case K_DP2: c[i++] = g_dp2(st); break;
	case K_DP1: c[i++] = g_dp1(st); break;
	case K_DP3: c[i++] = g_dp3(st); break;
	case K_UIMM: c[i++] = g_ld_uimm(st); break;
	case K_REGOFF: c[i++] = g_ld_regoff(st); break;
	case K_IMM9: i += g_ld_imm9(st, &c[i]); break;
	case K_PAIR: i += g_pair(st, &c[i]); break;
	case K_EXCL: i += g_excl(st, &c[i]); break;
	case K_BRANCH:
		/* never over the epilogue */
		c[i++] = g_branch(st);
		c[i++] = g_addsub_imm(st);
		break;
	case K_ADR: c[i++] = g_adr(st); break;
	case K_FP: case K_FP2: c[i++] = g_fp(st); break;
	default:		/* LDR (literal) of LIT, below */
		lit[i] = (uint8_t)(1 + rnd(st, 3));
		c[i++] = dst(st, true);
		break;
	}
	return i;
}

void da_gen(uint64_t seed, uint64_t index, int maxlen, struct da_seq *q)
{
	uint64_t st = seed * 0x9e3779b97f4a7c15ULL ^ (index + 1) * 0xbf58476d1ce4e5b9ULL;
	int n, i = 0, len;
	uint32_t *c = q->code;
	uint8_t lit[DA_SLOT / 4] = { 0 };	/* opc + 1 of literal loads */

	if (!st)
		st = 1;
	memset(q, 0, sizeof(*q));
	for (n = 0; n < 31; n++)
		q->x[n] = value(&st);
	q->x[27] = rnd(&st, 16);
	for (n = 0; n < 32; n++)
		q->d[n] = fvalue(&st);
	q->x[28] = DA_BASE;
	q->nzcv = (uint64_t)rnd(&st, 16) << 28;
	for (n = 0; n < (int)DA_DATA_SIZE; n++)
		q->data[n] = (uint8_t)next(&st);
	len = 1 + rnd(&st, (uint32_t)maxlen);
	c[i++] = 0;			/* ldr x30, LIT: set below */
	while (i <= len)
		i = gen_one(&st, c, i, lit);
	q->epi = (uint32_t)i;
	c[i++] = 0xd4000001;		/* SVC #0: the kvmu epilogue */
	if (i & 1)
		c[i++] = 0xd503201f;	/* NOP: LIT is 8-byte aligned */
	q->lit = (uint32_t)i;
	memcpy(&c[i], &q->x[30], 8);
	q->len = (uint32_t)i + 2;
	c[0] = 0x58000000 | (q->lit << 5) | 30;	/* ldr x30, LIT */
	for (n = 1; n < (int)q->epi; n++)
		if (lit[n])
			c[n] |= (uint32_t)(lit[n] - 1) << 30 | 0x18000000 |
				(q->lit - (uint32_t)n) << 5;
	q->insns = q->epi - 1;
}
