// SPDX-License-Identifier: MIT
/*
 * The s390x generator's encoders, one per kind of table line.  Memory
 * operands address the data area through R13 (never written), aligned
 * where the architecture demands it (else a specification exception the
 * two runners need not agree on) and inside DS_DATA_SIZE.  Instructions
 * that take addresses in registers come as templates that load those
 * registers first; their inner instructions are never branch targets.
 */
#include "gen_int.h"

#define B DS_BASE_REG
#define SZ DS_DATA_SIZE

static uint32_t rnd(struct ds_build *b, uint32_t n)
{
	return (uint32_t)(ds_rand(b->g) % n);
}

/* A displacement for width bytes; aligned always if must, else mostly. */
static unsigned disp(struct ds_build *b, unsigned width, int must)
{
	unsigned d = rnd(b, SZ - width + 1);

	if (must || rnd(b, 4))
		d &= ~(width - 1);
	return d;
}

static int16_t imm16(struct ds_build *b)
{
	static const int16_t odd[] = { 0, 1, -1, 0x7fff, -0x8000, 2, -2, 63 };

	return rnd(b, 3) ? (int16_t)ds_value(b->g) : odd[rnd(b, 8)];
}

static void be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	be16(p, v >> 16);
	be16(p + 2, v);
}

static unsigned reg(struct ds_build *b, int cls)
{
	return ds_reg(b->g, cls);
}

static void put_rx(struct ds_build *b, unsigned r1, unsigned x, unsigned bb,
		   unsigned d, unsigned flags)
{
	const struct ds_line *l = b->line;
	uint8_t p[6] = { l->op, (uint8_t)(r1 << 4 | x),
			 (uint8_t)(bb << 4 | (d >> 8 & 15)), (uint8_t)d,
			 (uint8_t)(d >> 12), l->ext };

	ds_put(b, l->name, p, l->kind == K_RX || !l->ext ? 4 : 6, flags);
}

static void e_rr(struct ds_build *b, const struct ds_line *l)
{
	uint8_t p[4] = { l->op, l->ext, 0, 0 };
	unsigned r = reg(b, l->a) << 4 | reg(b, l->b);

	if (l->kind == K_RR) {
		p[1] = (uint8_t)r;
		ds_put(b, l->name, p, 2, 0);
	} else {
		p[3] = (uint8_t)r;
		ds_put(b, l->name, p, 4, 0);
	}
}

static void e_rx(struct ds_build *b, const struct ds_line *l)
{
	unsigned d = disp(b, l->b, 0);
	int xb = rnd(b, 4) == 0;	/* the index register instead */

	put_rx(b, reg(b, l->a), xb ? B : 0, xb ? 0 : B, d, 0);
}

static void e_la(struct ds_build *b, const struct ds_line *l)
{
	unsigned d = (unsigned)ds_rand(b->g) & (l->b ? 0xfffff : 0xfff);

	put_rx(b, reg(b, RW), reg(b, RA), reg(b, RA), d, 0);
}

static void e_ri(struct ds_build *b, const struct ds_line *l)
{
	uint8_t p[6] = { l->op, (uint8_t)(reg(b, l->a) << 4 | l->ext) };
	int rl = l->kind == K_RIL;

	uint32_t v = rnd(b, 3) ? (uint32_t)ds_value(b->g) :
		     (uint32_t)(int32_t)imm16(b);

	/*
	 * qemu-s390x 7.2 doubles LARL's I2 in 32 bits: offsets of 2 GiB or
	 * more wrap (docs/s390x-difftest.md).  Keep |I2| below 2^30.
	 */
	if (l->op == 0xc0 && l->ext == 0x00)
		v = (uint32_t)((int32_t)(v << 2) >> 2);
	if (!rl)
		be16(p + 2, (uint16_t)v);
	else
		be32(p + 2, v);
	ds_put(b, l->name, p, rl ? 6 : 4, 0);
}

static void e_rld(struct ds_build *b, const struct ds_line *l)
{
	uint8_t p[6] = { l->op, (uint8_t)(reg(b, l->a) << 4 | l->ext) };
	int i = ds_put(b, l->name, p, 6, DS_I_ABS);

	b->s->insn[i].abs = DS_DATA + disp(b, l->b, 1);
}

static void e_sh(struct ds_build *b, const struct ds_line *l)
{
	unsigned bb = rnd(b, 3) ? 0 : reg(b, RA);
	unsigned d = (unsigned)ds_rand(b->g) & (rnd(b, 2) ? 0x3f : 0xfff);
	unsigned r3 = l->kind == K_SHY ? reg(b, RA) : 0;

	if (l->kind == K_SHY && rnd(b, 2))
		d |= (unsigned)(ds_rand(b->g) & 0xff000);
	put_rx(b, reg(b, l->a), r3, bb, d, 0);
}

static void e_rsbg(struct ds_build *b, const struct ds_line *l)
{
	uint8_t flag = rnd(b, 2) ? 0x80 : 0;
	uint8_t p[6] = { l->op, (uint8_t)(reg(b, RW) << 4 | reg(b, RA)),
			 (uint8_t)rnd(b, 64), (uint8_t)rnd(b, 64),
			 (uint8_t)rnd(b, 64), l->ext };

	/*
	 * RISBG's flag is I4's zero-remaining bit.  R*SBG's test-results
	 * bit (I3 bit 0) makes qemu-s390x 7.2 abort ("tcg fatal error"):
	 * never set (docs/s390x-difftest.md).
	 */
	if (l->ext == 0x55)
		p[3] |= flag;
	ds_put(b, l->name, p, 6, 0);
}

/* LM/STM/ICM/STCM/CLM/CS/CDS families: a says which (table comment). */
static void e_lm(struct ds_build *b, const struct ds_line *l)
{
	unsigned r1, r3, size = l->b, must = 0;

	switch (l->a) {
	case 0:		/* store multiple: any range */
	case 1:		/* load multiple: the range must skip R13 */
		do
			r1 = reg(b, RA);
		while (l->a && r1 == B);
		r3 = (r1 + rnd(b, l->a ? (unsigned)((B - r1) & 15) : 16)) & 15;
		size *= ((r3 - r1) & 15) + 1;
		break;
	case 2:
	case 3:		/* characters under mask */
		r1 = reg(b, l->a == 2 ? RW : RA);
		r3 = rnd(b, 16);
		break;
	case 4:		/* compare and swap */
		r1 = reg(b, RW);
		r3 = reg(b, RA);
		must = 1;
		break;
	default:	/* compare double and swap: even pairs */
		r1 = reg(b, RP);
		r3 = reg(b, RP);
		must = 1;
		/* qemu-s390x 7.2 accepts odd ones for CDSG: keep them even */
		if (l->ext == 0x3e) {
			r1 = r1 == 13 ? 14 : r1 & ~1u;	/* not R12-R13 */
			r3 &= ~1u;
		}
	}
	put_rx(b, r1, r3, B, disp(b, size, must), 0);
}

static void e_si(struct ds_build *b, const struct ds_line *l)
{
	unsigned d = disp(b, l->b, 0);
	uint8_t p[6] = { l->op, (uint8_t)ds_rand(b->g),
			 (uint8_t)(B << 4 | d >> 8), (uint8_t)d, 0, l->ext };

	if (rnd(b, 3) == 0)
		p[1] = (uint8_t)imm16(b);
	ds_put(b, l->name, p, l->kind == K_SI ? 4 : 6, 0);
}

static void e_sil(struct ds_build *b, const struct ds_line *l)
{
	unsigned d = disp(b, l->b, 0);
	uint8_t p[6] = { l->op, l->ext, (uint8_t)(B << 4 | d >> 8),
			 (uint8_t)d };

	be16(p + 4, (uint16_t)imm16(b));
	ds_put(b, l->name, p, 6, 0);
}

static void e_ss(struct ds_build *b, const struct ds_line *l)
{
	/* EX with R1 != 0 ORs a length of up to 255 in: room for 256 */
	unsigned len = b->tail_r1 ? 0 : rnd(b, 2) ? rnd(b, 16) : rnd(b, 256);
	unsigned room = b->tail_r1 ? 256 : len + 1, d1, d2;
	uint8_t p[6] = { l->op, (uint8_t)len };

	if (l->a) {	/* TR, TRT: the table is the upper 256 bytes */
		d1 = rnd(b, 256 - room + 1);
		d2 = 256;
	} else {
		d1 = rnd(b, SZ - room + 1);
		d2 = rnd(b, SZ - room + 1);
	}
	p[2] = (uint8_t)(B << 4 | d1 >> 8);
	p[3] = (uint8_t)d1;
	p[4] = (uint8_t)(B << 4 | d2 >> 8);
	p[5] = (uint8_t)d2;
	if (l->op == 0xdc) {
		/*
		 * qemu-s390x 7.2's TR sets the CC to a stale value unless
		 * the CC was just computed: an IPM first computes it there
		 * (docs/s390x-difftest.md); EX targets never are TR.
		 */
		uint8_t ipm[4] = { 0xb2, 0x22, 0, (uint8_t)(reg(b, RW) << 4) };

		ds_put(b, "IPM", ipm, 4, 0);
		ds_put(b, l->name, p, 6, DS_I_INNER);
		return;
	}
	ds_put(b, l->name, p, 6, 0);
}

static void e_e(struct ds_build *b, const struct ds_line *l)
{
	uint8_t p[2] = { l->op, l->ext };

	ds_put(b, l->name, p, 2, 0);
}

void ds_emit_setup(struct ds_build *b, const struct ds_line *l);
void ds_emit_branch(struct ds_build *b, const struct ds_line *l);

static void (*const emit_kind[K_NKINDS])(struct ds_build *,
					 const struct ds_line *) = {
	[K_RR] = e_rr, [K_RRE] = e_rr, [K_RX] = e_rx, [K_RXY] = e_rx,
	[K_LA] = e_la, [K_RI] = e_ri, [K_RIL] = e_ri, [K_RLD] = e_rld,
	[K_SH] = e_sh, [K_SHY] = e_sh, [K_RSBG] = e_rsbg, [K_LM] = e_lm,
	[K_LMY] = e_lm, [K_SI] = e_si, [K_SIY] = e_si, [K_SIL] = e_sil,
	[K_SS] = e_ss, [K_E] = e_e,
	[K_LONG] = ds_emit_setup, [K_STR] = ds_emit_setup,
	[K_FP] = ds_emit_setup,
	[K_BRC] = ds_emit_branch, [K_BRR] = ds_emit_branch,
	[K_BRX] = ds_emit_branch, [K_CRJ] = ds_emit_branch,
	[K_BREG] = ds_emit_branch, [K_EXRL] = ds_emit_branch,
};

void ds_emit(struct ds_build *b, const struct ds_line *l)
{
	b->line = l;
	emit_kind[l->kind](b, l);
}

int ds_ex_ok(const struct ds_line *l, int r1)
{
	if (l->kind >= K_LONG && l->kind != K_E)
		return 0;	/* templates and branches */
	if (l->kind == K_SS && l->op == 0xdc)
		return 0;	/* TR: see e_ss() */
	if (r1)		/* byte 1 is ORed: only a length or an immediate */
		return l->kind == K_SS || l->kind == K_SI;
	return 1;
}
