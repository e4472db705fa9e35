// SPDX-License-Identifier: MIT
/*
 * The s390x generator: random values, the table, and the layout of one
 * sequence in its slot:
 *
 *   prologue  LARL 1,DS_IN; L 2,128(1); SPM 2; LMG 0,15,0(1)
 *   body      the random table lines
 *   epilogue  STGRL 1,DS_SAVE+8; LARL 1,DS_SAVE; STMG 2,15,16(1);
 *             STG 0,0(1); IPM 2; ST 2,128(1); LGRL 1,DS_RET; BR 1
 *   tail      EX/EXRL targets
 *
 * SPM sets the CC and the program mask (0, see init_state) before LMG
 * loads all sixteen GPRs.
 */
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"

const struct ds_line ds_lines[] = {
#define X(n, k, o, e, a, b) { #n, k, o, e, a, b },
#include "gen_table.h"
#undef X
};
const size_t ds_nlines = sizeof(ds_lines) / sizeof(ds_lines[0]);
_Static_assert(sizeof(ds_lines) / sizeof(ds_lines[0]) <=
	       sizeof(((struct ds_gen *)0)->uses) / sizeof(unsigned long),
	       "ds_gen.uses too small");

size_t ds_table_size(void)
{
	return ds_nlines;
}

const char *ds_table_name(size_t i)
{
	return ds_lines[i].name;
}

void ds_gen_init(struct ds_gen *g, uint64_t seed)
{
	memset(g, 0, sizeof(*g));
	g->rng = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
}

uint64_t ds_rand(struct ds_gen *g)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 0x2545f4914f6cdd1dULL;
}

/* Register and memory values: edges of the 8/16/32/64-bit ranges often. */
uint64_t ds_value(struct ds_gen *g)
{
	static const uint64_t edge[] = {
		0, 1, ~0ULL, 0x7fffffff, 0x80000000, 0xffffffff,
		0x7fffffffffffffffULL, 0x8000000000000000ULL, 0x7fff, 0x8000,
		0xffff, 0x7f, 0x80, 0xff, 0xffffffff80000000ULL, 2,
	};
	uint64_t r = ds_rand(g);

	switch (ds_rand(g) % 8) {
	case 0:
		return edge[r % 16];
	case 1:
		return (uint64_t)((int64_t)(r % 33) - 16);
	case 2:
		return (uint64_t)(int64_t)(int32_t)r;
	case 3:
		return (uint32_t)r;
	case 4:
		return edge[r % 16] + (r >> 60) - 8;
	default:
		return r;
	}
}

unsigned ds_reg(struct ds_gen *g, int cls)
{
	static const uint8_t pairs[] = { 0, 2, 4, 6, 8, 10, 14 };
	unsigned r;

	switch (cls) {
	case RP:
		/* now and then an odd register: a specification exception */
		r = ds_rand(g) % 256;
		return r ? pairs[r % 7] : 1 + 2 * (unsigned)(ds_rand(g) % 7);
	case R0:
		return 0;
	case RW:
		do
			r = (unsigned)(ds_rand(g) % 16);
		while (r == DS_BASE_REG);
		return r;
	default:
		return (unsigned)(ds_rand(g) % 16);
	}
}

static size_t slot_end(const struct ds_seq *s)
{
	return s->n ? s->insn[s->n - 1].off + s->insn[s->n - 1].len : 0;
}

int ds_put(struct ds_build *b, const char *name, const uint8_t *p, int len,
	   unsigned flags)
{
	struct ds_seq *s = b->s;
	size_t off = slot_end(s);
	struct ds_insn *in = &s->insn[s->n];

	if (s->n >= DS_MAX_INSNS || off + (size_t)len > DS_SLOT) {
		fprintf(stderr, "s390 difftest: sequence overflow\n");
		exit(2);
	}
	memcpy(s->code + off, p, (size_t)len);
	in->name = name;
	in->off = (uint16_t)off;
	in->len = (uint8_t)len;
	in->flags = (uint8_t)(flags | (b->tail ? DS_I_TAIL : 0));
	in->target = (int16_t)(s->n + 1);	/* minimum, for branches */
	in->abs = 0;
	s->len = off + (size_t)len;
	return s->n++;
}

static void put_abs(struct ds_build *b, const char *name, const uint8_t *p,
		    int len, uint64_t abs)
{
	int i = ds_put(b, name, p, len, DS_I_ABS | DS_I_INNER);

	b->s->insn[i].abs = abs;
}

static void prologue(struct ds_build *b)
{
	static const uint8_t larl[6] = { 0xc0, 0x10 };
	static const uint8_t l[4] = { 0x58, 0x20, 0x10, 0x80 };
	static const uint8_t spm[2] = { 0x04, 0x20 };
	static const uint8_t lmg[6] = { 0xeb, 0x0f, 0x10, 0x00, 0x00, 0x04 };

	put_abs(b, "LARL", larl, 6, DS_IN);
	ds_put(b, "L", l, 4, DS_I_INNER);
	ds_put(b, "SPM", spm, 2, DS_I_INNER);
	ds_put(b, "LMG", lmg, 6, DS_I_INNER);
}

static void epilogue(struct ds_build *b)
{
	static const uint8_t stgrl[6] = { 0xc4, 0x1b }, larl[6] = { 0xc0, 0x10 };
	static const uint8_t stmg[6] = { 0xeb, 0x2f, 0x10, 0x10, 0x00, 0x24 };
	static const uint8_t stg[6] = { 0xe3, 0x00, 0x10, 0x00, 0x00, 0x24 };
	static const uint8_t ipm[4] = { 0xb2, 0x22, 0x00, 0x20 };
	static const uint8_t st[4] = { 0x50, 0x20, 0x10, 0x80 };
	static const uint8_t lgrl[6] = { 0xc4, 0x18 }, br[2] = { 0x07, 0xf1 };
	int first = b->s->n;

	put_abs(b, "STGRL", stgrl, 6, DS_SAVE + 8);
	b->s->insn[first].flags &= (uint8_t)~DS_I_INNER;  /* a target */
	put_abs(b, "LARL", larl, 6, DS_SAVE);
	ds_put(b, "STMG", stmg, 6, DS_I_INNER);
	ds_put(b, "STG", stg, 6, DS_I_INNER);
	ds_put(b, "IPM", ipm, 4, DS_I_INNER);
	ds_put(b, "ST", st, 4, DS_I_INNER);
	put_abs(b, "LGRL", lgrl, 6, DS_RET);
	ds_put(b, "BR", br, 2, DS_I_INNER);
}

static void init_state(struct ds_gen *g, struct ds_seq *s)
{
	unsigned i;

	for (i = 0; i < 16; i++)
		s->gprs[i] = ds_value(g);
	s->gprs[DS_BASE_REG] = DS_DATA;
	s->cc = ds_rand(g) % 4;
	/*
	 * The program mask stays 0: qemu-s390x 7.2 never raises
	 * fixed-point-overflow exceptions (docs/s390x-difftest.md).
	 */
	s->pm = 0;
	for (i = 0; i < DS_DATA_SIZE; i++) {
		uint64_t r = ds_rand(g);

		/* zeros end strings; small values meet SRST's characters */
		s->data[i] = (uint8_t)(r % 8 == 0 ? 0 : r % 8 == 1 ? r >> 8 & 3 :
				       r % 8 == 2 ? 0xff : r >> 16);
	}
}

/* Choose each forward branch's target among the legal landing places. */
static void resolve(struct ds_gen *g, struct ds_seq *s)
{
	int i, j, n;

	for (i = s->body_first; i < s->body_end; i++) {
		struct ds_insn *in = &s->insn[i];

		if ((in->flags & (DS_I_BRANCH | DS_I_FIXED)) != DS_I_BRANCH)
			continue;
		for (n = 0, j = in->target; j <= s->body_end; j++)
			n += !(s->insn[j].flags & DS_I_INNER);
		n = (int)(ds_rand(g) % (uint64_t)n);
		for (j = in->target; ; j++)
			if (!(s->insn[j].flags & DS_I_INNER) && !n--)
				break;
		in->target = (int16_t)j;
	}
}

static void patch(struct ds_seq *s)
{
	int i;

	for (i = 0; i < s->n; i++) {
		const struct ds_insn *in = &s->insn[i];
		uint64_t at = s->addr + in->off, to;
		uint8_t *p = s->code + in->off + 2;
		int64_t rel;

		if (!(in->flags & (DS_I_BRANCH | DS_I_ABS)))
			continue;
		to = in->flags & DS_I_ABS ? in->abs :
		     s->addr + s->insn[in->target].off;
		rel = ((int64_t)to - (int64_t)at) / 2;
		if (in->flags & DS_I_REL16) {
			p[0] = (uint8_t)(rel >> 8);
			p[1] = (uint8_t)rel;
		} else {
			p[0] = (uint8_t)(rel >> 24);
			p[1] = (uint8_t)(rel >> 16);
			p[2] = (uint8_t)(rel >> 8);
			p[3] = (uint8_t)rel;
		}
	}
}

static void tail(struct ds_build *b, const int *at, const int *r1, int n)
{
	const struct ds_line *l;
	int k;

	b->tail = 1;
	for (k = 0; k < n; k++) {
		do
			l = &ds_lines[ds_rand(b->g) % ds_nlines];
		while (!ds_ex_ok(l, r1[k]));
		b->tail_r1 = r1[k];
		b->s->insn[at[k]].target = (int16_t)b->s->n;
		ds_emit(b, l);
	}
}

void ds_gen_seq(struct ds_gen *g, struct ds_seq *s, uint64_t addr, int ninsn)
{
	struct ds_build b = { .g = g, .s = s };
	int at[DS_MAX_INSNS], r1[DS_MAX_INSNS], nex = 0, k;

	memset(s->code, 0, sizeof(s->code));
	s->addr = addr;
	s->n = 0;
	s->len = 0;
	init_state(g, s);
	prologue(&b);
	s->body_first = s->n;
	for (k = 0; k < ninsn; k++) {
		size_t li = ds_rand(g) % ds_nlines;

		g->uses[li]++;
		b.exrl_at = -1;
		b.tail_r1 = 0;
		ds_emit(&b, &ds_lines[li]);
		if (b.exrl_at >= 0) {
			at[nex] = b.exrl_at;
			r1[nex++] = b.tail_r1;
		}
	}
	s->body_end = s->n;
	epilogue(&b);
	tail(&b, at, r1, nex);
	resolve(g, s);
	patch(s);
}

void ds_dump(const struct ds_seq *s, FILE *f)
{
	int i, k;

	for (i = 0; i < s->n; i++) {
		const struct ds_insn *in = &s->insn[i];
		const char *part = i < s->body_first ? "pro" :
				   i < s->body_end ? "   " :
				   in->flags & DS_I_TAIL ? "ex " : "epi";

		fprintf(f, "  %s %#8llx  %-7s", part,
			(unsigned long long)(s->addr + in->off), in->name);
		for (k = 0; k < in->len; k++)
			fprintf(f, "%s%02x", k & 1 ? "" : " ",
				s->code[in->off + k]);
		if (in->flags & DS_I_BRANCH)
			fprintf(f, "   -> %#llx", (unsigned long long)
				(s->addr + s->insn[in->target].off));
		fputc('\n', f);
	}
}
