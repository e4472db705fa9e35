// SPDX-License-Identifier: MIT
/*
 * Logical operations, immediates on register halves and words, storage
 * immediates (SI/SIY/SIL), shifts and rotates, RISBG and friends, FLOGR,
 * and the z10 compare-and-branch/compare-and-trap family.
 */
#include "s390.h"

enum { L_AND, L_OR, L_XOR };

static u64 logic(u64 a, u64 b, int op)
{
	return op == L_AND ? a & b : op == L_OR ? a | b : a ^ b;
}

static int logic_reg(struct s390_cpu *c, struct s390_dec *d, int op,
		     bool w64)
{
	u64 v, r;

	TRY(s390_src2(c, d, &v));
	r = logic(c->gprs[d->r1], v, op);
	if (w64) {
		c->gprs[d->r1] = r;
	} else {
		r = (u32)r;
		set_lo(c, d->r1, r);
	}
	s390_set_cc(c, r != 0);
	return 0;
}

#define LOGIC(name, op, w64) \
int name(struct s390_cpu *c, struct s390_dec *d) \
{ \
	return logic_reg(c, d, op, w64); \
}
LOGIC(op_and32, L_AND, false)
LOGIC(op_and64, L_AND, true)
LOGIC(op_or32, L_OR, false)
LOGIC(op_or64, L_OR, true)
LOGIC(op_xor32, L_XOR, false)
LOGIC(op_xor64, L_XOR, true)

/* Position of a halfword immediate from the low 2 bits of op2. */
static unsigned int half_shift(const struct s390_dec *d)
{
	return (3 - (d->in->op2 & 3)) * 16;
}

/* Even RIL op2 selects the high word, odd the low word. */
static unsigned int word_shift(const struct s390_dec *d)
{
	return d->in->op2 & 1 ? 0 : 32;
}

static void logic_imm(struct s390_cpu *c, struct s390_dec *d,
		      unsigned int sh, u64 width, int op)
{
	u64 m = width << sh, imm = (d->ui2 << sh) & m, r = c->gprs[d->r1];

	if (op == L_AND)
		imm |= ~m;
	r = logic(r, imm, op);
	c->gprs[d->r1] = r;
	s390_set_cc(c, (r & m) != 0);
}

int op_ni16(struct s390_cpu *c, struct s390_dec *d)
{
	logic_imm(c, d, half_shift(d), 0xffff, L_AND);
	return 0;
}

int op_oi16(struct s390_cpu *c, struct s390_dec *d)
{
	logic_imm(c, d, half_shift(d), 0xffff, L_OR);
	return 0;
}

int op_ni32(struct s390_cpu *c, struct s390_dec *d)
{
	logic_imm(c, d, word_shift(d), 0xffffffff, L_AND);
	return 0;
}

int op_oi32(struct s390_cpu *c, struct s390_dec *d)
{
	logic_imm(c, d, word_shift(d), 0xffffffff, L_OR);
	return 0;
}

int op_xi32(struct s390_cpu *c, struct s390_dec *d)
{
	logic_imm(c, d, word_shift(d), 0xffffffff, L_XOR);
	return 0;
}

int op_lli16(struct s390_cpu *c, struct s390_dec *d)
{
	c->gprs[d->r1] = d->ui2 << half_shift(d);
	return 0;
}

int op_lli32(struct s390_cpu *c, struct s390_dec *d)
{
	c->gprs[d->r1] = d->ui2 << word_shift(d);
	return 0;
}

static void insert(struct s390_cpu *c, int r, u64 v, unsigned int sh,
		   u64 width)
{
	c->gprs[r] = (c->gprs[r] & ~(width << sh)) | (v & width) << sh;
}

int op_ii16(struct s390_cpu *c, struct s390_dec *d)
{
	insert(c, d->r1, d->ui2, half_shift(d), 0xffff);
	return 0;
}

int op_ii32(struct s390_cpu *c, struct s390_dec *d)
{
	insert(c, d->r1, d->ui2, word_shift(d), 0xffffffff);
	return 0;
}

/* The condition code of TEST UNDER MASK for selected bits v of mask m. */
static unsigned int tm_cc(u64 v, u64 m)
{
	u64 top;

	if (!(v & m))
		return 0;
	if ((v & m) == m)
		return 3;
	top = 1ULL << (63 - __builtin_clzll(m));
	return v & top ? 2 : 1;
}

int op_tmi(struct s390_cpu *c, struct s390_dec *d)
{
	static const u8 shift[4] = { 16, 0, 48, 32 };
	unsigned int sh = shift[d->in->op2 & 3];
	u64 m = d->ui2, v = (c->gprs[d->r1] >> sh) & 0xffff;

	s390_set_cc(c, m ? tm_cc(v, m) : 0);
	return 0;
}

/* SI/SIY storage-immediate byte operations. */
static int si_op(struct s390_cpu *c, struct s390_dec *d, int op)
{
	u64 a = s390_ea(c, 0, d->b1, d->d1);
	u8 v;

	TRY(s390_rd8(c, a, &v));
	v = (u8)logic(v, d->ui2, op);
	TRY(s390_wr8(c, a, v));
	s390_set_cc(c, v != 0);
	return 0;
}

int op_ni(struct s390_cpu *c, struct s390_dec *d)
{
	return si_op(c, d, L_AND);
}

int op_oi(struct s390_cpu *c, struct s390_dec *d)
{
	return si_op(c, d, L_OR);
}

int op_xi(struct s390_cpu *c, struct s390_dec *d)
{
	return si_op(c, d, L_XOR);
}

int op_tm(struct s390_cpu *c, struct s390_dec *d)
{
	u8 v;

	TRY(s390_rd8(c, s390_ea(c, 0, d->b1, d->d1), &v));
	/* unlike TMLL & co., mixed bits are CC 1 whatever the leftmost */
	v &= (u8)d->ui2;
	s390_set_cc(c, !v ? 0 : v == d->ui2 ? 3 : 1);
	return 0;
}

int op_cli(struct s390_cpu *c, struct s390_dec *d)
{
	u8 v;

	TRY(s390_rd8(c, s390_ea(c, 0, d->b1, d->d1), &v));
	s390_set_cc(c, s390_cc_cmp(v < d->ui2, v > d->ui2));
	return 0;
}

/* SIL compares: storage operand of n bytes against the immediate. */
static int sil_cmp(struct s390_cpu *c, struct s390_dec *d, int n, bool sgn)
{
	u64 a = s390_ea(c, 0, d->b1, d->d1), v;
	u8 b[8];

	TRY(s390_read(c, a, b, (u64)n));
	v = n == 2 ? be16(b) : n == 4 ? be32(b) : be64(b);
	if (sgn) {
		s64 x = n == 2 ? (s16)v : n == 4 ? (s32)v : (s64)v;

		s390_set_cc(c, s390_cc_cmp(x < d->i2, x > d->i2));
	} else {
		s390_set_cc(c, s390_cc_cmp(v < d->ui2, v > d->ui2));
	}
	return 0;
}

int op_chhsi(struct s390_cpu *c, struct s390_dec *d)
{
	return sil_cmp(c, d, 2, true);
}

int op_chsi(struct s390_cpu *c, struct s390_dec *d)
{
	return sil_cmp(c, d, 4, true);
}

int op_cghsi(struct s390_cpu *c, struct s390_dec *d)
{
	return sil_cmp(c, d, 8, true);
}

int op_clhhsi(struct s390_cpu *c, struct s390_dec *d)
{
	return sil_cmp(c, d, 2, false);
}

int op_clfhsi(struct s390_cpu *c, struct s390_dec *d)
{
	return sil_cmp(c, d, 4, false);
}

int op_clghsi(struct s390_cpu *c, struct s390_dec *d)
{
	return sil_cmp(c, d, 8, false);
}

/* ---- compare and branch / trap ---- */

enum { CB_JUMP, CB_BRANCH, CB_TRAP };

static int cmp_act(struct s390_cpu *c, struct s390_dec *d, u64 a, u64 b,
		   bool sgn, u8 mask, int act)
{
	unsigned int cc;

	if (sgn)
		cc = (s64)a < (s64)b ? 1 : (s64)a > (s64)b ? 2 : 0;
	else
		cc = a < b ? 1 : a > b ? 2 : 0;
	if (!(mask & (8 >> cc)))
		return 0;
	if (act == CB_TRAP) {
		c->dxc = 0xff;
		return PGM_DATA;
	}
	c->addr = act == CB_JUMP ? s390_rel(c, d) :
				   s390_ea(c, 0, d->b2, d->d2);
	return 0;
}

static u64 r32(struct s390_cpu *c, int r, bool sgn)
{
	return sgn ? (u64)(s32)c->gprs[r] : (u32)c->gprs[r];
}

#define CB_RR(name, w64, sgn, act) \
int name(struct s390_cpu *c, struct s390_dec *d) \
{ \
	u64 a = w64 ? c->gprs[d->r1] : r32(c, d->r1, sgn); \
	u64 b = w64 ? c->gprs[d->r2] : r32(c, d->r2, sgn); \
	return cmp_act(c, d, a, b, sgn, d->m3, act); \
}
CB_RR(op_crj, false, true, CB_JUMP)
CB_RR(op_cgrj, true, true, CB_JUMP)
CB_RR(op_clrj, false, false, CB_JUMP)
CB_RR(op_clgrj, true, false, CB_JUMP)
CB_RR(op_crb, false, true, CB_BRANCH)
CB_RR(op_cgrb, true, true, CB_BRANCH)
CB_RR(op_clrb, false, false, CB_BRANCH)
CB_RR(op_clgrb, true, false, CB_BRANCH)
CB_RR(op_crt, false, true, CB_TRAP)
CB_RR(op_cgrt, true, true, CB_TRAP)
CB_RR(op_clrt, false, false, CB_TRAP)
CB_RR(op_clgrt, true, false, CB_TRAP)

/* RIE-c (..IJ): mask at bits 12-15, 8-bit immediate at bits 32-39. */
#define CB_IJ(name, w64, sgn) \
int name(struct s390_cpu *c, struct s390_dec *d) \
{ \
	u64 a = w64 ? c->gprs[d->r1] : r32(c, d->r1, sgn); \
	u64 b = sgn ? (u64)(s8)d->i5 : d->i5; \
	return cmp_act(c, d, a, b, sgn, d->r2, CB_JUMP); \
}
CB_IJ(op_cij, false, true)
CB_IJ(op_cgij, true, true)
CB_IJ(op_clij, false, false)
CB_IJ(op_clgij, true, false)

/* RIS (..IB): mask at bits 12-15, 8-bit immediate, branch to b4+d4. */
#define CB_IB(name, w64, sgn) \
int name(struct s390_cpu *c, struct s390_dec *d) \
{ \
	u64 a = w64 ? c->gprs[d->r1] : r32(c, d->r1, sgn); \
	u64 b = sgn ? (u64)d->i2 : d->ui2; \
	return cmp_act(c, d, a, b, sgn, d->m3, CB_BRANCH); \
}
CB_IB(op_cib, false, true)
CB_IB(op_cgib, true, true)
CB_IB(op_clib, false, false)
CB_IB(op_clgib, true, false)

/* RIE-a (..IT): 16-bit immediate, mask at bits 32-35. */
#define CB_IT(name, w64, sgn) \
int name(struct s390_cpu *c, struct s390_dec *d) \
{ \
	u64 a = w64 ? c->gprs[d->r1] : r32(c, d->r1, sgn); \
	u64 b = sgn ? (u64)d->i2 : d->ui2; \
	return cmp_act(c, d, a, b, sgn, d->m3, CB_TRAP); \
}
CB_IT(op_cit, false, true)
CB_IT(op_cgit, true, true)
CB_IT(op_clfit, false, false)
CB_IT(op_clgit, true, false)

/* ---- shifts and rotates ---- */

static unsigned int shift_count(struct s390_cpu *c, struct s390_dec *d)
{
	return (unsigned int)(s390_ea(c, 0, d->b2, d->d2) & 63);
}

static u64 shl(u64 v, unsigned int n)
{
	return n >= 64 ? 0 : v << n;
}

static u64 shr(u64 v, unsigned int n)
{
	return n >= 64 ? 0 : v >> n;
}

/* Arithmetic left shift of a width-bit value; *ovf when bits are lost. */
static u64 sla(u64 v, unsigned int n, unsigned int width, bool *ovf)
{
	u64 sign = 1ULL << (width - 1), num = v & (sign - 1);
	unsigned int i;

	*ovf = false;
	for (i = 0; i < n; i++) {
		if (!!(num & (sign >> 1)) != !!(v & sign))
			*ovf = true;
		num = (num << 1) & (sign - 1);
	}
	return (v & sign) | num;
}

int op_sll(struct s390_cpu *c, struct s390_dec *d)
{
	set_lo(c, d->r1, shl((u32)c->gprs[d->r1], shift_count(c, d)));
	return 0;
}

int op_srl(struct s390_cpu *c, struct s390_dec *d)
{
	set_lo(c, d->r1, shr((u32)c->gprs[d->r1], shift_count(c, d)));
	return 0;
}

int op_sllg(struct s390_cpu *c, struct s390_dec *d)
{
	c->gprs[d->r1] = shl(c->gprs[d->r3], shift_count(c, d));
	return 0;
}

int op_srlg(struct s390_cpu *c, struct s390_dec *d)
{
	c->gprs[d->r1] = shr(c->gprs[d->r3], shift_count(c, d));
	return 0;
}

static int sla_result(struct s390_cpu *c, s64 r, bool ovf)
{
	if (ovf) {
		s390_set_cc(c, 3);
		return c->mask & PSW_PM_FIXOVF ? PGM_FIXOVF : 0;
	}
	s390_set_cc(c, s390_cc_signed(r));
	return 0;
}

int op_sla(struct s390_cpu *c, struct s390_dec *d)
{
	bool ovf;
	u64 r = sla((u32)c->gprs[d->r1], shift_count(c, d), 32, &ovf);

	set_lo(c, d->r1, r);
	return sla_result(c, (s32)r, ovf);
}

int op_slag(struct s390_cpu *c, struct s390_dec *d)
{
	bool ovf;
	u64 r = sla(c->gprs[d->r3], shift_count(c, d), 64, &ovf);

	c->gprs[d->r1] = r;
	return sla_result(c, (s64)r, ovf);
}

int op_sra(struct s390_cpu *c, struct s390_dec *d)
{
	unsigned int n = shift_count(c, d);
	s32 r = (s32)c->gprs[d->r1] >> (n > 31 ? 31 : n);

	set_lo(c, d->r1, (u32)r);
	s390_set_cc(c, s390_cc_signed(r));
	return 0;
}

int op_srag(struct s390_cpu *c, struct s390_dec *d)
{
	unsigned int n = shift_count(c, d);
	s64 r = (s64)c->gprs[d->r3] >> n;

	c->gprs[d->r1] = (u64)r;
	s390_set_cc(c, s390_cc_signed(r));
	return 0;
}

/* The even/odd pair r1, r1+1 as one 64-bit value. */
static u64 pair(struct s390_cpu *c, int r)
{
	return (u64)(u32)c->gprs[r] << 32 | (u32)c->gprs[r + 1];
}

static void set_pair(struct s390_cpu *c, int r, u64 v)
{
	set_lo(c, r, v >> 32);
	set_lo(c, r + 1, v);
}

int op_sldl(struct s390_cpu *c, struct s390_dec *d)
{
	if (d->r1 & 1)
		return PGM_SPECIFICATION;
	set_pair(c, d->r1, shl(pair(c, d->r1), shift_count(c, d)));
	return 0;
}

int op_srdl(struct s390_cpu *c, struct s390_dec *d)
{
	if (d->r1 & 1)
		return PGM_SPECIFICATION;
	set_pair(c, d->r1, shr(pair(c, d->r1), shift_count(c, d)));
	return 0;
}

int op_slda(struct s390_cpu *c, struct s390_dec *d)
{
	bool ovf;
	u64 r;

	if (d->r1 & 1)
		return PGM_SPECIFICATION;
	r = sla(pair(c, d->r1), shift_count(c, d), 64, &ovf);
	set_pair(c, d->r1, r);
	return sla_result(c, (s64)r, ovf);
}

int op_srda(struct s390_cpu *c, struct s390_dec *d)
{
	s64 r;

	if (d->r1 & 1)
		return PGM_SPECIFICATION;
	r = (s64)pair(c, d->r1) >> shift_count(c, d);
	set_pair(c, d->r1, (u64)r);
	s390_set_cc(c, s390_cc_signed(r));
	return 0;
}

int op_rll(struct s390_cpu *c, struct s390_dec *d)
{
	unsigned int n = shift_count(c, d) & 31;
	u32 v = (u32)c->gprs[d->r3];

	set_lo(c, d->r1, n ? (v << n | v >> (32 - n)) : v);
	return 0;
}

int op_rllg(struct s390_cpu *c, struct s390_dec *d)
{
	unsigned int n = shift_count(c, d);
	u64 v = c->gprs[d->r3];

	c->gprs[d->r1] = n ? (v << n | v >> (64 - n)) : v;
	return 0;
}

/* ---- rotate then <op> selected bits ---- */

static u64 bit_range(unsigned int start, unsigned int end)
{
	u64 a = ~0ULL >> start, b = ~0ULL << (63 - end);

	return start <= end ? a & b : a | b;
}

static u64 rotated(struct s390_cpu *c, struct s390_dec *d)
{
	unsigned int n = d->i5 & 63;
	u64 v = c->gprs[d->r2];

	return n ? (v << n | v >> (64 - n)) : v;
}

int op_risbg(struct s390_cpu *c, struct s390_dec *d)
{
	u64 m = bit_range(d->i3 & 63, d->i4 & 63), r = rotated(c, d);

	if (d->i4 & 0x80)
		r &= m;
	else
		r = (c->gprs[d->r1] & ~m) | (r & m);
	c->gprs[d->r1] = r;
	s390_set_cc(c, s390_cc_signed((s64)r));
	return 0;
}

static int rxsbg_family(struct s390_cpu *c, struct s390_dec *d, int op)
{
	u64 m = bit_range(d->i3 & 63, d->i4 & 63);
	u64 r = logic(c->gprs[d->r1], rotated(c, d), op) & m;

	s390_set_cc(c, r != 0);
	if (!(d->i3 & 0x80))
		c->gprs[d->r1] = (c->gprs[d->r1] & ~m) | r;
	return 0;
}

int op_rnsbg(struct s390_cpu *c, struct s390_dec *d)
{
	return rxsbg_family(c, d, L_AND);
}

int op_rosbg(struct s390_cpu *c, struct s390_dec *d)
{
	return rxsbg_family(c, d, L_OR);
}

int op_rxsbg(struct s390_cpu *c, struct s390_dec *d)
{
	return rxsbg_family(c, d, L_XOR);
}

int op_flogr(struct s390_cpu *c, struct s390_dec *d)
{
	u64 v = c->gprs[d->r2];

	if (d->r1 & 1)
		return PGM_SPECIFICATION;
	if (!v) {
		c->gprs[d->r1] = 64;
		c->gprs[d->r1 + 1] = 0;
		s390_set_cc(c, 0);
		return 0;
	}
	c->gprs[d->r1] = (u64)__builtin_clzll(v);
	c->gprs[d->r1 + 1] = v & ~(1ULL << (63 - __builtin_clzll(v)));
	s390_set_cc(c, 2);
	return 0;
}
