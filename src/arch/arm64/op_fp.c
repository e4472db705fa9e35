// SPDX-License-Identifier: MIT
/*
 * A64 scalar floating point (single and double precision; half precision
 * is UNDEFINED here), in the FP registers and in conversions with the
 * general ones; AdvSIMD is in op_simd.c.  Arithmetic runs on the host's IEEE 754 unit under
 * FPCR.RMode; the Arm NaN rules (signalling first, Rn before Rm, FPCR.DN,
 * the positive default NaN) are applied here, and the host's exception
 * flags become FPSR's cumulative bits.  FPCR.FZ (flush to zero) and trapped
 * floating-point exceptions are not implemented (docs/arm64.md).
 */
#include <fenv.h>
#include <math.h>
#include <string.h>

#include "arm64.h"

#define DNAN64	0x7ff8000000000000ULL
#define DNAN32	0x7fc00000U

/* The scalar type field: 0 single, 1 double; others UNDEFINED here. */
static bool fp_type(u32 insn, bool *dbl)
{
	unsigned int t = BITS(insn, 23, 22);

	*dbl = t == 1;
	return t < 2;
}

static u64 vget(struct a64_cpu *c, unsigned int n, bool dbl)
{
	return dbl ? (u64)c->v[n] : (u32)c->v[n];
}

static void vset(struct a64_cpu *c, unsigned int d, u64 v, bool dbl)
{
	c->v[d] = dbl ? v : (u32)v;
}

static double as_d(u64 v) { double d; memcpy(&d, &v, 8); return d; }
static float as_f(u64 v) { float f; u32 w = (u32)v; memcpy(&f, &w, 4);
			   return f; }
static u64 from_d(double d) { u64 v; memcpy(&v, &d, 8); return v; }
static u64 from_f(float f) { u32 v; memcpy(&v, &f, 4); return v; }

static bool is_nan(u64 v, bool dbl)
{
	return dbl ? isnan(as_d(v)) : isnan(as_f(v));
}

static bool is_snan(u64 v, bool dbl)
{
	return is_nan(v, dbl) && !(v & (dbl ? BIT(51) : BIT(22)));
}

static u64 quiet(u64 v, bool dbl)
{
	return v | (dbl ? BIT(51) : BIT(22));
}

static u64 dnan(bool dbl)
{
	return dbl ? DNAN64 : DNAN32;
}

/* FPProcessNaNs: true when a NaN operand decides the result. */
static bool nan_rules(struct a64_cpu *c, u64 a, u64 b, bool dbl, u64 *r)
{
	bool sa = is_snan(a, dbl), sb = is_snan(b, dbl);

	if (!is_nan(a, dbl) && !is_nan(b, dbl))
		return false;
	if (sa || sb)
		c->fpsr |= 1;			/* IOC */
	if (sa)
		*r = quiet(a, dbl);
	else if (sb)
		*r = quiet(b, dbl);
	else
		*r = is_nan(a, dbl) ? a : b;
	if (c->fpcr & BIT(25))			/* DN */
		*r = dnan(dbl);
	return true;
}

/* FPProcessNaNs3 for FMADD and friends: operand order a, n, m. */
static bool nan3(struct a64_cpu *c, u64 a, u64 n, u64 m, bool dbl, u64 *r)
{
	const u64 ops[3] = { a, n, m };
	int i;

	for (i = 0; i < 3; i++)
		if (is_snan(ops[i], dbl))
			return nan_rules(c, ops[i], ops[i], dbl, r);
	for (i = 0; i < 3; i++)
		if (is_nan(ops[i], dbl))
			return nan_rules(c, ops[i], ops[i], dbl, r);
	return false;
}

static const int rmodes[4] = { FE_TONEAREST, FE_UPWARD, FE_DOWNWARD,
			       FE_TOWARDZERO };

static void fp_begin(struct a64_cpu *c, int mode)
{
	feclearexcept(FE_ALL_EXCEPT);
	fesetround(mode >= 0 ? rmodes[mode] : rmodes[BITS(c->fpcr, 23, 22)]);
}

/*
 * The compiler does not order FP arithmetic against the fenv calls (it
 * takes fma(), sqrt() and the operators for pure): pin the inputs after a
 * rounding-mode change and the result before the flags are read.
 */
#define FP_ORDER(v) __asm__ volatile("" : "+m"(v) : : "memory")

/* Fold the host's flags into FPSR; returns this operation's flags. */
static u32 fp_end(struct a64_cpu *c)
{
	int e = fetestexcept(FE_ALL_EXCEPT);
	u32 f = (e & FE_INVALID ? 1 : 0) | (e & FE_DIVBYZERO ? 2 : 0) |
		(e & FE_OVERFLOW ? 4 : 0) | (e & FE_UNDERFLOW ? 8 : 0) |
		(e & FE_INEXACT ? 16 : 0);

	c->fpsr |= f;
	fesetround(FE_TONEAREST);
	return f;
}

/*
 * Arm detects tininess before rounding, the host after: an inexact result
 * rounded to the smallest normal from below (its round-towards-zero value
 * rz is smaller) underflowed on Arm.
 */
static void tiny(struct a64_cpu *c, u32 flags, u64 r, u64 rz, bool dbl)
{
	u64 sign = dbl ? BIT(63) : BIT(31), min = dbl ? BIT(52) : BIT(23);

	if ((flags & 16) && (r & ~sign) == min && (rz & ~sign) < min)
		c->fpsr |= 8;
}

static bool is_inf(u64 v, bool dbl)
{
	return dbl ? isinf(as_d(v)) : isinf(as_f(v));
}

static bool is_zero(u64 v, bool dbl)
{
	return !(v & ~(dbl ? BIT(63) : BIT(31)));
}

/* A NaN the host made from numbers is Arm's positive default NaN. */
static u64 fix_nan(u64 r, bool dbl)
{
	return is_nan(r, dbl) ? dnan(dbl) : r;
}

static u64 arith(unsigned int op, u64 a, u64 b, bool dbl)
{
	if (dbl) {
		double x = as_d(a), y = as_d(b);

		switch (op) {
		case 0: return from_d(x * y);
		case 1: return from_d(x / y);
		case 2: return from_d(x + y);
		case 3: return from_d(x - y);
		default: return from_d(-(x * y));
		}
	}
	float x = as_f(a), y = as_f(b);

	switch (op) {
	case 0: return from_f(x * y);
	case 1: return from_f(x / y);
	case 2: return from_f(x + y);
	case 3: return from_f(x - y);
	default: return from_f(-(x * y));
	}
}

static u64 minmax(unsigned int op, u64 a, u64 b, bool dbl)
{
	double x = dbl ? as_d(a) : as_f(a), y = dbl ? as_d(b) : as_f(b);
	bool max = !(op & 1);

	if (x == y && x == 0)		/* +0 vs -0 */
		return max ? (a & b) : (a | b);
	return (max ? x > y : x < y) ? a : b;
}

int op_fp_dp2(struct a64_cpu *c, u32 insn)
{
	unsigned int op = BITS(insn, 15, 12), d = insn & 31;
	bool dbl;
	u64 a, b, r, rz;
	u32 f;

	if (!fp_type(insn, &dbl) || op > 8 || (insn & BIT(31)))
		return a64_undef(c, insn);
	a = vget(c, BITS(insn, 9, 5), dbl);
	b = vget(c, BITS(insn, 20, 16), dbl);
	if (op >= 6 && op <= 7) {	/* FMAXNM/FMINNM: a QNaN loses */
		if (is_nan(a, dbl) && !is_snan(a, dbl) && !is_nan(b, dbl))
			a = b;
		else if (is_nan(b, dbl) && !is_snan(b, dbl) &&
			 !is_nan(a, dbl))
			b = a;
	}
	if (nan_rules(c, a, b, dbl, &r)) {
		/* FNMUL negates whatever FPMul gave, a NaN too */
		vset(c, d, op == 8 ? r ^ (dbl ? BIT(63) : BIT(31)) : r, dbl);
		return 0;
	}
	if (op >= 4 && op <= 7) {
		vset(c, d, minmax(op, a, b, dbl), dbl);
		return 0;
	}
	fp_begin(c, -1);
	FP_ORDER(a);
	FP_ORDER(b);
	r = fix_nan(arith(op == 8 ? 0 : op, a, b, dbl), dbl);
	FP_ORDER(r);
	f = fp_end(c);
	if (f & 16) {
		fesetround(FE_TOWARDZERO);
		FP_ORDER(a);
		FP_ORDER(b);
		rz = arith(op == 8 ? 0 : op, a, b, dbl);
		FP_ORDER(rz);
		fesetround(FE_TONEAREST);
		tiny(c, f, r, rz, dbl);
	}
	vset(c, d, op == 8 ? r ^ (dbl ? BIT(63) : BIT(31)) : r, dbl);
	return 0;
}

static u64 round_int(u64 a, bool dbl, int mode, bool exact)
{
	double x = dbl ? as_d(a) : as_f(a), r;

	if (mode == 4)				/* ties away */
		r = round(x);
	else
		r = exact ? rint(x) : nearbyint(x);
	(void)mode;
	return dbl ? from_d(r) : from_f((float)r);
}

static int fp_dp1_frint(struct a64_cpu *c, unsigned int op, u64 a, bool dbl,
			u64 *r)
{
	static const int mode[8] = { 0, 1, 2, 3, 4, -2, -1, -1 };
	int m = mode[op & 7];
	u32 old;

	if (m == -2)
		return -1;
	if (is_nan(a, dbl)) {
		nan_rules(c, a, a, dbl, r);
		return 0;
	}
	old = c->fpsr;
	fp_begin(c, m == 4 ? 0 : m);
	FP_ORDER(a);
	*r = round_int(a, dbl, m, op == 14);
	FP_ORDER(*r);
	fp_end(c);
	if (op != 14)			/* only FRINTX signals inexact */
		c->fpsr = old | ((c->fpsr & ~old) & ~16U);
	return 0;
}

int op_fp_dp1(struct a64_cpu *c, u32 insn)
{
	unsigned int op = BITS(insn, 20, 15), d = insn & 31;
	bool dbl;
	u64 a, r = 0, rz;
	u32 f;

	if (!fp_type(insn, &dbl) || (insn & BIT(31)))
		return a64_undef(c, insn);
	a = vget(c, BITS(insn, 9, 5), dbl);
	switch (op) {
	case 0: r = a; break;
	case 1: r = a & ~(dbl ? BIT(63) : BIT(31)); break;
	case 2: r = a ^ (dbl ? BIT(63) : BIT(31)); break;
	case 3:
		if (nan_rules(c, a, a, dbl, &r))
			break;
		fp_begin(c, -1);
		FP_ORDER(a);
		r = fix_nan(dbl ? from_d(sqrt(as_d(a))) :
			    from_f(sqrtf(as_f(a))), dbl);
		FP_ORDER(r);
		fp_end(c);
		break;
	case 4: case 5:			/* FCVT between single and double */
		if ((op == 5) == dbl)
			return a64_undef(c, insn);
		if (is_nan(a, dbl)) {
			c->fpsr |= is_snan(a, dbl) ? 1 : 0;
			r = (c->fpcr & BIT(25)) ? dnan(!dbl) : dbl ?
			    ((a >> 63) << 31 | 0x7fc00000 |
			     ((a >> 29) & 0x3fffff)) :
			    ((a >> 31) << 63 | 0x7ff8000000000000ULL |
			     (a & 0x3fffff) << 29);
		} else {
			fp_begin(c, -1);
			FP_ORDER(a);
			r = dbl ? from_f((float)as_d(a)) : from_d(as_f(a));
			FP_ORDER(r);
			f = fp_end(c);
			if (dbl && (f & 16)) {
				fesetround(FE_TOWARDZERO);
				FP_ORDER(a);
				rz = from_f((float)as_d(a));
				FP_ORDER(rz);
				fesetround(FE_TONEAREST);
				tiny(c, f, r, rz, false);
			}
		}
		vset(c, d, r, !dbl);
		return 0;
	default:
		if (op < 8 || op > 15 || fp_dp1_frint(c, op, a, dbl, &r))
			return a64_undef(c, insn);
	}
	vset(c, d, r, dbl);
	return 0;
}

static void fcmp_flags(struct a64_cpu *c, u64 a, u64 b, bool dbl, bool e)
{
	double x = dbl ? as_d(a) : as_f(a), y = dbl ? as_d(b) : as_f(b);
	u64 f;

	if (isnan(x) || isnan(y)) {
		if (e || is_snan(a, dbl) || is_snan(b, dbl))
			c->fpsr |= 1;
		f = 0x3;
	} else {
		f = x == y ? 0x6 : x < y ? 0x8 : 0x2;
	}
	c->pstate = (c->pstate & ~PST_NZCV) | f << 28;
}

int op_fp_cmp(struct a64_cpu *c, u32 insn)
{
	unsigned int opc = insn & 31;
	bool dbl;
	u64 a, b;

	if (!fp_type(insn, &dbl) || (opc & 7) || BITS(insn, 15, 14) ||
	    (insn & BIT(31)))
		return a64_undef(c, insn);
	a = vget(c, BITS(insn, 9, 5), dbl);
	b = (opc & 8) ? 0 : vget(c, BITS(insn, 20, 16), dbl);
	fcmp_flags(c, a, b, dbl, opc & 16);
	return 0;
}

int op_fp_ccmp(struct a64_cpu *c, u32 insn)
{
	bool dbl;

	if (!fp_type(insn, &dbl) || (insn & BIT(31)))
		return a64_undef(c, insn);
	if (!a64_cond(c, BITS(insn, 15, 12))) {
		c->pstate = (c->pstate & ~PST_NZCV) | (u64)(insn & 15) << 28;
		return 0;
	}
	fcmp_flags(c, vget(c, BITS(insn, 9, 5), dbl),
		   vget(c, BITS(insn, 20, 16), dbl), dbl, insn & 16);
	return 0;
}

int op_fp_csel(struct a64_cpu *c, u32 insn)
{
	bool dbl;
	unsigned int n = BITS(insn, 9, 5), m = BITS(insn, 20, 16);

	if (!fp_type(insn, &dbl) || (insn & BIT(31)))
		return a64_undef(c, insn);
	vset(c, insn & 31, vget(c, a64_cond(c, BITS(insn, 15, 12)) ? n : m,
				dbl), dbl);
	return 0;
}

/* VFPExpandImm */
u64 a64_fimm(unsigned int imm8, bool dbl)
{
	u64 sign = imm8 >> 7, b6 = (imm8 >> 6) & 1, frac = imm8 & 0x3f;

	if (dbl)
		return sign << 63 | (b6 ? 0xffULL : 0x100ULL) << 54 |
		       frac << 48;
	return sign << 31 | (b6 ? 0x1fULL : 0x20ULL) << 25 | frac << 19;
}

int op_fp_imm(struct a64_cpu *c, u32 insn)
{
	bool dbl;

	if (!fp_type(insn, &dbl) || BITS(insn, 9, 5) || (insn & BIT(31)))
		return a64_undef(c, insn);
	vset(c, insn & 31, a64_fimm(BITS(insn, 20, 13), dbl), dbl);
	return 0;
}

static u64 fused(u64 n, u64 m, u64 a, bool dbl)
{
	if (dbl)
		return from_d(fma(as_d(n), as_d(m), as_d(a)));
	return from_f(fmaf(as_f(n), as_f(m), as_f(a)));
}

int op_fp_dp3(struct a64_cpu *c, u32 insn)
{
	bool dbl, o1 = insn & BIT(21), o0 = insn & BIT(15);
	u64 a, n, m, r, rz;
	u32 f;

	if (!fp_type(insn, &dbl) || (insn & BIT(31)))
		return a64_undef(c, insn);
	n = vget(c, BITS(insn, 9, 5), dbl);
	m = vget(c, BITS(insn, 20, 16), dbl);
	a = vget(c, BITS(insn, 14, 10), dbl);
	/* the negations come first: a NaN operand keeps the flipped sign */
	if (o1)
		a ^= dbl ? BIT(63) : BIT(31);
	if (o0 != o1)
		n ^= dbl ? BIT(63) : BIT(31);
	/* FPMulAdd: a quiet NaN addend with inf * 0 is invalid */
	if (is_nan(a, dbl) && !is_snan(a, dbl) &&
	    ((is_inf(n, dbl) && is_zero(m, dbl)) ||
	     (is_zero(n, dbl) && is_inf(m, dbl)))) {
		c->fpsr |= 1;
		vset(c, insn & 31, dnan(dbl), dbl);
		return 0;
	}
	if (nan3(c, a, n, m, dbl, &r)) {
		vset(c, insn & 31, r, dbl);
		return 0;
	}
	fp_begin(c, -1);
	FP_ORDER(n);
	FP_ORDER(m);
	FP_ORDER(a);
	r = fused(n, m, a, dbl);
	FP_ORDER(r);
	f = fp_end(c);
	if (f & 16) {
		fesetround(FE_TOWARDZERO);
		FP_ORDER(n);
		FP_ORDER(m);
		FP_ORDER(a);
		rz = fused(n, m, a, dbl);
		FP_ORDER(rz);
		fesetround(FE_TONEAREST);
		tiny(c, f, r, rz, dbl);
	}
	vset(c, insn & 31, fix_nan(r, dbl), dbl);
	return 0;
}

/* FCVTZS/FCVTZU and the other rounding conversions to integer. */
static u64 fp_to_int(struct a64_cpu *c, u64 a, bool dbl, bool sf, bool uns,
		     int mode)
{
	double x = dbl ? as_d(a) : as_f(a), lim_hi, lim_lo, r;
	u32 old;

	if (isnan(x)) {
		c->fpsr |= 1;
		return 0;
	}
	old = c->fpsr;
	fp_begin(c, mode == 4 ? 0 : mode);
	FP_ORDER(x);
	r = mode == 4 ? round(x) : nearbyint(x);
	FP_ORDER(r);
	fp_end(c);
	c->fpsr = old;
	lim_hi = uns ? (sf ? 18446744073709551616.0 : 4294967296.0) :
		       (sf ? 9223372036854775808.0 : 2147483648.0);
	lim_lo = uns ? 0 : -lim_hi;
	if (r != x && !(r >= lim_hi || r < lim_lo))
		c->fpsr |= 16;
	if (r >= lim_hi || r < lim_lo) {
		c->fpsr |= 1;
		if (r < lim_lo)
			return uns ? 0 : (sf ? (u64)INT64_MIN :
					  (u32)INT32_MIN);
		return uns ? (sf ? ~0ULL : 0xffffffffULL) :
			     (sf ? (u64)INT64_MAX : 0x7fffffffULL);
	}
	if (uns)
		return sf ? (u64)r : (u32)r;
	return sf ? (u64)(s64)r : (u32)(s32)r;
}

static u64 int_to_fp(struct a64_cpu *c, u64 v, bool sf, bool uns, bool dbl)
{
	u64 r;

	fp_begin(c, -1);
	FP_ORDER(v);
	if (!sf)
		v = uns ? (u32)v : (u64)(s64)(s32)v;
	if (dbl)
		r = from_d(uns ? (double)v : (double)(s64)v);
	else
		r = from_f(uns ? (float)v : (float)(s64)v);
	FP_ORDER(r);
	fp_end(c);
	return r;
}

int op_fp_int(struct a64_cpu *c, u32 insn)
{
	bool sf = insn >> 31, dbl;
	unsigned int rmode = BITS(insn, 20, 19), opc = BITS(insn, 18, 16);
	unsigned int type = BITS(insn, 23, 22), n = BITS(insn, 9, 5);
	unsigned int d = insn & 31;
	static const int conv_mode[4] = { 0, 1, 2, 3 };

	if (insn & BIT(29))
		return a64_undef(c, insn);
	if (opc >= 6) {				/* FMOV general */
		bool to_fp = opc == 7;

		if (rmode == 1 && type == 2 && sf) {	/* Vn.D[1] */
			if (to_fp)
				c->v[d] = (c->v[d] & ~0ULL) |
					  (__uint128_t)a64_x(c, n) << 64;
			else
				a64_set_x(c, d, (u64)(c->v[n] >> 64));
			return 0;
		}
		if (rmode || type >= 2 || sf != (type == 1))
			return a64_undef(c, insn);
		if (to_fp)
			vset(c, d, a64_x(c, n), sf);
		else
			a64_set_x(c, d, vget(c, n, sf));
		return 0;
	}
	if (!fp_type(insn, &dbl))
		return a64_undef(c, insn);
	if ((opc == 2 || opc == 3) && rmode == 0) {	/* SCVTF/UCVTF */
		vset(c, d, int_to_fp(c, a64_x(c, n), sf, opc == 3, dbl), dbl);
		return 0;
	}
	if (opc == 0 || opc == 1) {		/* FCVT{N,P,M,Z}{S,U} */
		u64 r = fp_to_int(c, vget(c, n, dbl), dbl, sf, opc == 1,
				  conv_mode[rmode]);

		a64_set_x(c, d, sf ? r : (u32)r);
		return 0;
	}
	if ((opc == 4 || opc == 5) && rmode == 0) {	/* FCVTA{S,U} */
		u64 r = fp_to_int(c, vget(c, n, dbl), dbl, sf, opc == 5, 4);

		a64_set_x(c, d, sf ? r : (u32)r);
		return 0;
	}
	return a64_undef(c, insn);
}

/* SCVTF/UCVTF (scalar, integer in a SIMD&FP register) */
int op_fp_cvtf_scalar(struct a64_cpu *c, u32 insn)
{
	bool dbl = insn & BIT(22), uns = insn & BIT(29);

	vset(c, insn & 31, int_to_fp(c, vget(c, BITS(insn, 9, 5), dbl), dbl,
				     uns, dbl), dbl);
	return 0;
}

/* FCVTZS/FCVTZU (scalar, integer result in a SIMD&FP register) */
int op_fp_cvtz_scalar(struct a64_cpu *c, u32 insn)
{
	bool dbl = insn & BIT(22), uns = insn & BIT(29);
	u64 r = fp_to_int(c, vget(c, BITS(insn, 9, 5), dbl), dbl, dbl, uns, 3);

	vset(c, insn & 31, r, dbl);
	return 0;
}
