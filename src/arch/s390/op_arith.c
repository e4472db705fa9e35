// SPDX-License-Identifier: MIT
/*
 * Fixed-point arithmetic: loads with sign/zero extension, add, subtract
 * (signed, logical, with carry/borrow), multiply, divide, compare.  The
 * second operand comes from s390_src2() as the table line says, so one
 * handler serves a family's RR, RRE, RX, RXY, RI and RIL forms.
 */
#include "s390.h"

int s390_src_mem(struct s390_cpu *c, struct s390_dec *d, u64 *v)
{
	static const u8 size[] = {
		[O_M8S] = 1, [O_M8Z] = 1, [O_M16S] = 2, [O_M16Z] = 2,
		[O_M32] = 4, [O_M32S] = 4, [O_M64] = 8, [O_RL16S] = 2,
		[O_RL16Z] = 2, [O_RL32] = 4, [O_RL32S] = 4, [O_RL64] = 8,
	};
	u8 k = d->in->opnd, n = size[k], b[8];
	u64 a;

	if (k >= O_RL16S) {
		a = s390_rel(c, d);
		if (a & (n - 1))
			return PGM_SPECIFICATION;
	} else {
		a = s390_ea(c, d->x2, d->b2, d->d2);
	}
	TRY(s390_read(c, a, b, n));
	switch (k) {
	case O_M8S:
		*v = (u64)(s8)b[0];
		break;
	case O_M8Z:
		*v = b[0];
		break;
	case O_M16S: case O_RL16S:
		*v = (u64)(s16)be16(b);
		break;
	case O_M16Z: case O_RL16Z:
		*v = be16(b);
		break;
	case O_M32: case O_RL32:
		*v = be32(b);
		break;
	case O_M32S: case O_RL32S:
		*v = (u64)(s32)be32(b);
		break;
	default:
		*v = be64(b);
	}
	return 0;
}

static int fixovf(struct s390_cpu *c)
{
	s390_set_cc(c, 3);
	return c->mask & PSW_PM_FIXOVF ? PGM_FIXOVF : 0;
}

int op_ld32(struct s390_cpu *c, struct s390_dec *d)
{
	u64 v;

	TRY(s390_src2(c, d, &v));
	set_lo(c, d->r1, v);
	return 0;
}

int op_ld64(struct s390_cpu *c, struct s390_dec *d)
{
	u64 v;

	TRY(s390_src2(c, d, &v));
	c->gprs[d->r1] = v;
	return 0;
}

int op_lt32(struct s390_cpu *c, struct s390_dec *d)
{
	TRY(op_ld32(c, d));
	s390_set_cc(c, s390_cc_signed((s32)c->gprs[d->r1]));
	return 0;
}

int op_lt64(struct s390_cpu *c, struct s390_dec *d)
{
	TRY(op_ld64(c, d));
	s390_set_cc(c, s390_cc_signed((s64)c->gprs[d->r1]));
	return 0;
}

/* LCR, LNR, LPR and their 64-bit forms: how = 'c', 'n' or 'p'. */
static int load_sign(struct s390_cpu *c, struct s390_dec *d, bool w64,
		     char how)
{
	s64 min = w64 ? INT64_MIN : INT32_MIN, v, r;
	u64 u;

	TRY(s390_src2(c, d, &u));
	v = w64 ? (s64)u : (s32)u;
	if (how == 'n')
		r = v > 0 ? -v : v;
	else if (how == 'p' && v >= 0)
		r = v;
	else
		r = v == min ? min : -v;
	if (w64)
		c->gprs[d->r1] = (u64)r;
	else
		set_lo(c, d->r1, (u64)r);
	if (how != 'n' && v == min)
		return fixovf(c);
	s390_set_cc(c, s390_cc_signed(r));
	return 0;
}

int op_lc32(struct s390_cpu *c, struct s390_dec *d)
{
	return load_sign(c, d, false, 'c');
}

int op_lc64(struct s390_cpu *c, struct s390_dec *d)
{
	return load_sign(c, d, true, 'c');
}

int op_ln32(struct s390_cpu *c, struct s390_dec *d)
{
	return load_sign(c, d, false, 'n');
}

int op_ln64(struct s390_cpu *c, struct s390_dec *d)
{
	return load_sign(c, d, true, 'n');
}

int op_lp32(struct s390_cpu *c, struct s390_dec *d)
{
	return load_sign(c, d, false, 'p');
}

int op_lp64(struct s390_cpu *c, struct s390_dec *d)
{
	return load_sign(c, d, true, 'p');
}

/* Signed add/subtract of v to register r; sub negates. */
static int add_signed(struct s390_cpu *c, int r, u64 v, bool w64, bool sub)
{
	bool o;

	if (w64) {
		s64 a = (s64)c->gprs[r], res;

		o = sub ? __builtin_sub_overflow(a, (s64)v, &res) :
			  __builtin_add_overflow(a, (s64)v, &res);
		c->gprs[r] = (u64)res;
		s390_set_cc(c, s390_cc_signed(res));
	} else {
		s32 a = (s32)c->gprs[r], res;

		o = sub ? __builtin_sub_overflow(a, (s32)v, &res) :
			  __builtin_add_overflow(a, (s32)v, &res);
		set_lo(c, r, (u64)(u32)res);
		s390_set_cc(c, s390_cc_signed(res));
	}
	return o ? fixovf(c) : 0;
}

/* Logical add of a, b and carry-in ci; returns the result, sets cc. */
static u64 add_logical(struct s390_cpu *c, u64 a, u64 b, unsigned int ci,
		       bool w64)
{
	u64 r, carry;

	if (w64) {
		unsigned __int128 s = (unsigned __int128)a + b + ci;

		r = (u64)s;
		carry = (u64)(s >> 64);
	} else {
		u64 s = (u64)(u32)a + (u32)b + ci;

		r = (u32)s;
		carry = s >> 32;
	}
	s390_set_cc(c, (r != 0) | (unsigned int)(carry << 1));
	return r;
}

static void put(struct s390_cpu *c, int r, u64 v, bool w64)
{
	if (w64)
		c->gprs[r] = v;
	else
		set_lo(c, r, v);
}

/* kind: 0 signed add, 1 signed sub, 2 logical add, 3 logical sub,
 * 4 add with carry, 5 subtract with borrow */
static int arith(struct s390_cpu *c, struct s390_dec *d, int kind, bool w64)
{
	u64 v, a = c->gprs[d->r1];
	unsigned int carry = s390_cc(c) >> 1;

	TRY(s390_src2(c, d, &v));
	switch (kind) {
	case 0:
	case 1:
		return add_signed(c, d->r1, v, w64, kind == 1);
	case 2:
		put(c, d->r1, add_logical(c, a, v, 0, w64), w64);
		break;
	case 3:
		put(c, d->r1, add_logical(c, a, ~v, 1, w64), w64);
		break;
	case 4:
		put(c, d->r1, add_logical(c, a, v, carry, w64), w64);
		break;
	default:
		put(c, d->r1, add_logical(c, a, ~v, carry, w64), w64);
	}
	return 0;
}

#define ARITH(name, kind, w64) \
int name(struct s390_cpu *c, struct s390_dec *d) \
{ \
	return arith(c, d, kind, w64); \
}
ARITH(op_add32, 0, false)
ARITH(op_add64, 0, true)
ARITH(op_sub32, 1, false)
ARITH(op_sub64, 1, true)
ARITH(op_addl32, 2, false)
ARITH(op_addl64, 2, true)
ARITH(op_subl32, 3, false)
ARITH(op_subl64, 3, true)
ARITH(op_addc32, 4, false)
ARITH(op_addc64, 4, true)
ARITH(op_subb32, 5, false)
ARITH(op_subb64, 5, true)

/* ASI, AGSI, ALSI, ALGSI: add a signed byte immediate to storage. */
static int add_storage(struct s390_cpu *c, struct s390_dec *d, bool w64,
		       bool logical)
{
	u64 a = s390_ea(c, 0, d->b1, d->d1), v;
	u32 v32;
	int ovf = 0;

	if (w64) {
		TRY(s390_rd64(c, a, &v));
	} else {
		TRY(s390_rd32(c, a, &v32));
		v = v32;
	}
	if (logical) {
		v = add_logical(c, v, (u64)d->i2, 0, w64);
	} else {
		if (w64) {
			s64 r;

			ovf = __builtin_add_overflow((s64)v, d->i2, &r);
			v = (u64)r;
			s390_set_cc(c, s390_cc_signed(r));
		} else {
			s32 r;

			ovf = __builtin_add_overflow((s32)v, (s32)d->i2, &r);
			v = (u32)r;
			s390_set_cc(c, s390_cc_signed(r));
		}
	}
	TRY(w64 ? s390_wr64(c, a, v) : s390_wr32(c, a, (u32)v));
	return ovf ? fixovf(c) : 0;
}

int op_asi(struct s390_cpu *c, struct s390_dec *d)
{
	return add_storage(c, d, false, false);
}

int op_agsi(struct s390_cpu *c, struct s390_dec *d)
{
	return add_storage(c, d, true, false);
}

int op_alsi(struct s390_cpu *c, struct s390_dec *d)
{
	return add_storage(c, d, false, true);
}

int op_algsi(struct s390_cpu *c, struct s390_dec *d)
{
	return add_storage(c, d, true, true);
}

int op_ms32(struct s390_cpu *c, struct s390_dec *d)
{
	u64 v;

	TRY(s390_src2(c, d, &v));
	set_lo(c, d->r1, (u32)((u32)c->gprs[d->r1] * (u32)v));
	return 0;
}

int op_ms64(struct s390_cpu *c, struct s390_dec *d)
{
	u64 v;

	TRY(s390_src2(c, d, &v));
	c->gprs[d->r1] *= v;
	return 0;
}

/* M, MR, MFY: signed 32x32 -> 64 into the even/odd pair. */
int op_m32(struct s390_cpu *c, struct s390_dec *d)
{
	u64 v;
	s64 p;

	if (d->r1 & 1)
		return PGM_SPECIFICATION;
	TRY(s390_src2(c, d, &v));
	p = (s64)(s32)c->gprs[d->r1 + 1] * (s32)v;
	set_lo(c, d->r1, (u64)p >> 32);
	set_lo(c, d->r1 + 1, (u64)p);
	return 0;
}

int op_ml32(struct s390_cpu *c, struct s390_dec *d)
{
	u64 v, p;

	if (d->r1 & 1)
		return PGM_SPECIFICATION;
	TRY(s390_src2(c, d, &v));
	p = (u64)(u32)c->gprs[d->r1 + 1] * (u32)v;
	set_lo(c, d->r1, p >> 32);
	set_lo(c, d->r1 + 1, p);
	return 0;
}

int op_ml64(struct s390_cpu *c, struct s390_dec *d)
{
	unsigned __int128 p;
	u64 v;

	if (d->r1 & 1)
		return PGM_SPECIFICATION;
	TRY(s390_src2(c, d, &v));
	p = (unsigned __int128)c->gprs[d->r1 + 1] * v;
	c->gprs[d->r1] = (u64)(p >> 64);
	c->gprs[d->r1 + 1] = (u64)p;
	return 0;
}

int op_d32(struct s390_cpu *c, struct s390_dec *d)
{
	s64 n, q, dv;
	u64 v;

	if (d->r1 & 1)
		return PGM_SPECIFICATION;
	TRY(s390_src2(c, d, &v));
	dv = (s32)v;
	n = (s64)((u64)(u32)c->gprs[d->r1] << 32 | (u32)c->gprs[d->r1 + 1]);
	if (!dv || (n == INT64_MIN && dv == -1))
		return PGM_FIXDIV;
	q = n / dv;
	if (q > INT32_MAX || q < INT32_MIN)
		return PGM_FIXDIV;
	set_lo(c, d->r1, (u64)(n % dv));
	set_lo(c, d->r1 + 1, (u64)q);
	return 0;
}

int op_dl32(struct s390_cpu *c, struct s390_dec *d)
{
	u64 n, v;

	if (d->r1 & 1)
		return PGM_SPECIFICATION;
	TRY(s390_src2(c, d, &v));
	v = (u32)v;
	n = (u64)(u32)c->gprs[d->r1] << 32 | (u32)c->gprs[d->r1 + 1];
	if (!v || n / v > UINT32_MAX)
		return PGM_FIXDIV;
	set_lo(c, d->r1, n % v);
	set_lo(c, d->r1 + 1, n / v);
	return 0;
}

int op_dl64(struct s390_cpu *c, struct s390_dec *d)
{
	unsigned __int128 n;
	u64 v;

	if (d->r1 & 1)
		return PGM_SPECIFICATION;
	TRY(s390_src2(c, d, &v));
	n = (unsigned __int128)c->gprs[d->r1] << 64 | c->gprs[d->r1 + 1];
	if (!v || (n / v) >> 64)
		return PGM_FIXDIV;
	c->gprs[d->r1] = (u64)(n % v);
	c->gprs[d->r1 + 1] = (u64)(n / v);
	return 0;
}

int op_dsg(struct s390_cpu *c, struct s390_dec *d)
{
	s64 n, dv;
	u64 v;

	if (d->r1 & 1)
		return PGM_SPECIFICATION;
	TRY(s390_src2(c, d, &v));
	dv = (s64)v;
	n = (s64)c->gprs[d->r1 + 1];
	if (!dv || (n == INT64_MIN && dv == -1))
		return PGM_FIXDIV;
	c->gprs[d->r1] = (u64)(n % dv);
	c->gprs[d->r1 + 1] = (u64)(n / dv);
	return 0;
}

static unsigned int cmp_cc(bool lt, bool gt)
{
	return s390_cc_cmp(lt, gt);
}

int op_cmp32(struct s390_cpu *c, struct s390_dec *d)
{
	s32 a = (s32)c->gprs[d->r1], b;
	u64 v;

	TRY(s390_src2(c, d, &v));
	b = (s32)v;
	s390_set_cc(c, cmp_cc(a < b, a > b));
	return 0;
}

int op_cmp64(struct s390_cpu *c, struct s390_dec *d)
{
	s64 a = (s64)c->gprs[d->r1], b;
	u64 v;

	TRY(s390_src2(c, d, &v));
	b = (s64)v;
	s390_set_cc(c, cmp_cc(a < b, a > b));
	return 0;
}

int op_cmpl32(struct s390_cpu *c, struct s390_dec *d)
{
	u32 a = (u32)c->gprs[d->r1], b;
	u64 v;

	TRY(s390_src2(c, d, &v));
	b = (u32)v;
	s390_set_cc(c, cmp_cc(a < b, a > b));
	return 0;
}

int op_cmpl64(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = c->gprs[d->r1], b;

	TRY(s390_src2(c, d, &b));
	s390_set_cc(c, cmp_cc(a < b, a > b));
	return 0;
}
