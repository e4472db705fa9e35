// SPDX-License-Identifier: MIT
/*
 * The s390x generator's templates: the long and string instructions with
 * their address registers loaded (and, for the strings, a terminator
 * stored so both CPUs finish within the data area: MVST, CLST and SRST
 * may stop after a CPU-determined number of bytes, which would differ),
 * and the branches.  Branch targets are resolved in gen.c once the
 * sequence is laid out: forward, onto an instruction that starts a
 * template, or onto the epilogue.
 */
#include "gen_int.h"

#define B DS_BASE_REG

static uint32_t rnd(struct ds_build *b, uint32_t n)
{
	return (uint32_t)(ds_rand(b->g) % n);
}

static int put(struct ds_build *b, const char *name, uint8_t *p, int len,
	       int first)
{
	return ds_put(b, name, p, len, first ? 0 : DS_I_INNER);
}

static void la(struct ds_build *b, unsigned r, unsigned d, int first)
{
	uint8_t p[4] = { 0x41, (uint8_t)(r << 4), (uint8_t)(B << 4 | d >> 8),
			 (uint8_t)d };

	put(b, "LA", p, 4, first);
}

static void lgfi(struct ds_build *b, unsigned r, uint32_t v)
{
	uint8_t p[6] = { 0xc0, (uint8_t)(r << 4 | 1), (uint8_t)(v >> 24),
			 (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	put(b, "LGFI", p, 6, 0);
}

static void mvi(struct ds_build *b, unsigned d, unsigned v)
{
	uint8_t p[4] = { 0x92, (uint8_t)v, (uint8_t)(B << 4 | d >> 8),
			 (uint8_t)d };

	put(b, "MVI", p, 4, 0);
}

/* Two distinct registers for addresses, neither R0 (the terminator). */
static void two_regs(struct ds_build *b, unsigned *r1, unsigned *r2)
{
	do
		*r1 = ds_reg(b->g, RW);
	while (!*r1);
	do
		*r2 = ds_reg(b->g, RW);
	while (!*r2 || *r2 == *r1);
}

static void e_long(struct ds_build *b, const struct ds_line *l)
{
	static const uint8_t pairs[] = { 0, 2, 4, 6, 8, 10 };
	unsigned e1 = pairs[rnd(b, 6)], e2, d1, d2, n1, n2;
	uint8_t p[2] = { l->op };

	do
		e2 = pairs[rnd(b, 6)];
	while (e2 == e1);
	d1 = rnd(b, DS_DATA_SIZE);
	d2 = rnd(b, DS_DATA_SIZE);
	n1 = rnd(b, DS_DATA_SIZE - d1 + 1);
	n2 = rnd(b, DS_DATA_SIZE - d2 + 1);
	if (rnd(b, 2))		/* equal lengths are the common case */
		n1 = n2 = rnd(b, DS_DATA_SIZE - (d1 > d2 ? d1 : d2) + 1);
	la(b, e1, d1, 1);
	lgfi(b, e1 + 1, rnd(b, 256) << 24 | n1);
	la(b, e2, d2, 0);
	lgfi(b, e2 + 1, rnd(b, 256) << 24 | n2);
	p[1] = (uint8_t)(e1 << 4 | e2);
	put(b, l->name, p, 2, 0);
}

static void e_str(struct ds_build *b, const struct ds_line *l)
{
	uint8_t p[4] = { l->op, l->ext, 0, 0 }, lghi[4] = { 0xa7, 0x09 };
	unsigned term = rnd(b, 3), r1, r2, d1, d2;

	two_regs(b, &r1, &r2);
	lghi[3] = (uint8_t)term;
	put(b, "LGHI", lghi, 4, 1);
	if (l->ext == 0x5e) {		/* SRST: end R1, start R2 */
		/* at most 256 bytes: kvmu's CPU-determined amount */
		d2 = rnd(b, DS_DATA_SIZE);
		d1 = d2 + rnd(b, DS_DATA_SIZE - d2 < 256 ?
			      DS_DATA_SIZE - d2 + 1 : 257);
	} else if (l->ext == 0x55) {	/* MVST: no overlap */
		d1 = rnd(b, 190);
		d2 = 256 + rnd(b, 192);
		mvi(b, d2 + rnd(b, 64), term);
	} else {
		d1 = rnd(b, DS_DATA_SIZE - 64);
		d2 = rnd(b, DS_DATA_SIZE - 64);
		mvi(b, d1 + rnd(b, 64), term);
		mvi(b, d2 + rnd(b, 64), term);
	}
	la(b, r1, d1, 0);
	la(b, r2, d2, 0);
	p[3] = (uint8_t)(r1 << 4 | r2);
	put(b, l->name, p, 4, 0);
}

static void fpr_gpr(struct ds_build *b, uint8_t ext, unsigned r1,
		    unsigned r2, int first)
{
	uint8_t p[4] = { 0xb3, ext, 0, (uint8_t)(r1 << 4 | r2) };

	put(b, ext == 0xc1 ? "LDGR" : "LGDR", p, 4, first);
}

/*
 * FPR moves: LDGR random GPRs into the FPRs the instruction uses, run it,
 * LGDR the result back (the tester compares GPRs).  a is the format:
 * 0 RR, 1 RRE, 2 RRF (CPSDR), 3 load RX/RXY, 4 store RX/RXY.
 */
static void e_fp(struct ds_build *b, const struct ds_line *l)
{
	unsigned f1 = rnd(b, 16), f2 = rnd(b, 16), f3 = rnd(b, 16);
	uint8_t p[6] = { l->op, (uint8_t)(f1 << 4 | f2), 0, 0, 0, l->ext };
	unsigned d = rnd(b, DS_DATA_SIZE - 7);
	int len = l->op == 0xed ? 6 : l->a < 1 ? 2 : 4;

	fpr_gpr(b, 0xc1, f1, ds_reg(b->g, RA), 1);
	fpr_gpr(b, 0xc1, f2, ds_reg(b->g, RA), 0);
	fpr_gpr(b, 0xc1, f3, ds_reg(b->g, RA), 0);
	if (l->a == 1 || l->a == 2) {
		p[1] = l->ext;
		p[2] = (uint8_t)(l->a == 2 ? f3 << 4 : 0);
		p[3] = (uint8_t)(f1 << 4 | f2);
	} else if (l->a >= 3) {
		p[1] = (uint8_t)(f1 << 4);
		p[2] = (uint8_t)(B << 4 | d >> 8);
		p[3] = (uint8_t)d;
	}
	put(b, l->name, p, len, 0);
	if (l->a != 4)
		fpr_gpr(b, 0xcd, ds_reg(b->g, RW), f1, 0);
}

void ds_emit_setup(struct ds_build *b, const struct ds_line *l)
{
	if (l->kind == K_LONG)
		e_long(b, l);
	else if (l->kind == K_FP)
		e_fp(b, l);
	else
		e_str(b, l);
}

/* A relative branch: the field at byte 2 is resolved later. */
static void rel(struct ds_build *b, uint8_t *p, int len, int first)
{
	unsigned f = DS_I_BRANCH | (len == 6 && p[0] == 0xc0 ? 0 :
				   len == 6 && p[0] == 0xc6 ? 0 : DS_I_REL16);

	ds_put(b, b->line->name, p, len, f | (first ? 0 : DS_I_INNER));
}

/*
 * LARL the target, then branch through the register.  b is the format:
 * 0 RR, 1 RX, 2 RRE, 3 RS (BXH), 4 RSY (BXHG), 5 RRS (CRB), 6 RIS (CIB);
 * a = 0: R1 is a mask or only read, else R1 is written.
 */
static void e_breg(struct ds_build *b, const struct ds_line *l)
{
	uint8_t larl[6] = { 0xc0 }, p[6] = { l->op, 0, 0, 0, 0, l->ext };
	unsigned rt, r1 = l->a ? ds_reg(b->g, RW) : rnd(b, 16);
	unsigned r2 = rnd(b, 16), m = rnd(b, 16);
	static const uint8_t len[7] = { 2, 4, 4, 4, 6, 6, 6 };
	int i;

	do
		rt = ds_reg(b->g, RW);
	while (!rt);
	larl[1] = (uint8_t)(rt << 4);
	i = ds_put(b, "LARL", larl, 6, DS_I_BRANCH);
	b->s->insn[i].target = (int16_t)(i + 2);	/* past the branch */
	switch (l->b) {
	case 0:
		p[1] = (uint8_t)(r1 << 4 | rt);
		break;
	case 2:
		p[1] = l->ext;
		p[3] = (uint8_t)(r1 << 4 | rt);
		break;
	case 5:		/* compare and branch: R1, R2, M3 */
		p[4] = (uint8_t)(m << 4);
		/* fall through */
	default:	/* R1, X2 or R3, B2 (or R1, M3, B4, I2) */
		p[1] = (uint8_t)(r1 << 4 | (l->b == 1 ? 0 :
					    l->b == 6 ? m : r2));
		p[2] = (uint8_t)(rt << 4);
		if (l->b == 6)
			p[4] = (uint8_t)ds_value(b->g);
	}
	put(b, l->name, p, len[l->b], 0);
}

static void e_exrl(struct ds_build *b, const struct ds_line *l)
{
	uint8_t p[6] = { l->op };
	unsigned r1 = rnd(b, 2) ? ds_reg(b->g, RA) : 0, rt;
	int i;

	if (l->b == 0) {
		p[1] = (uint8_t)(r1 << 4);
		i = ds_put(b, l->name, p, 6, DS_I_BRANCH);
	} else {
		uint8_t larl[6] = { 0xc0 };

		do
			rt = ds_reg(b->g, RW);
		while (!rt);
		larl[1] = (uint8_t)(rt << 4);
		i = ds_put(b, "LARL", larl, 6, DS_I_BRANCH);
		p[1] = (uint8_t)(r1 << 4);
		p[2] = (uint8_t)(rt << 4);
		put(b, l->name, p, 4, 0);
	}
	b->s->insn[i].flags |= DS_I_FIXED;	/* the tail, see gen.c */
	b->tail_r1 = (int)r1;
	b->exrl_at = i;
}

void ds_emit_branch(struct ds_build *b, const struct ds_line *l)
{
	uint8_t p[6] = { l->op, 0, 0, 0, 0, l->ext };
	unsigned m = rnd(b, 16), r1 = ds_reg(b->g, RW), r2 = rnd(b, 16);

	switch (l->kind) {
	case K_BRC:
	case K_BRR:
		p[1] = (uint8_t)((l->kind == K_BRC ? m : r1) << 4 |
				 (l->ext & 15));
		rel(b, p, l->b ? 6 : 4, 1);
		break;
	case K_BRX:
		p[1] = (uint8_t)(r1 << 4 | r2);
		rel(b, p, l->b ? 6 : 4, 1);
		break;
	case K_CRJ:
		p[1] = (uint8_t)(rnd(b, 16) << 4 | (l->b ? m : r2));
		p[4] = l->b ? (uint8_t)ds_value(b->g) : (uint8_t)(m << 4);
		rel(b, p, 6, 1);
		break;
	case K_BREG:
		e_breg(b, l);
		break;
	default:
		e_exrl(b, l);
	}
}
