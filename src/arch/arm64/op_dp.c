// SPDX-License-Identifier: MIT
/*
 * A64 integer data processing: the immediate classes (ADR, add/sub,
 * logical, move wide, bitfield, extract) and the register classes
 * (logical and add/sub shifted, add/sub extended, ADC/SBC, conditional
 * compare and select, one-, two- and three-source).  32-bit forms (sf = 0)
 * compute in 64 bits and write the low word zero-extended.
 */
#include "arm64.h"

static u64 mask_sf(bool sf, u64 v)
{
	return sf ? v : (u32)v;
}

static void set_nzcv(struct a64_cpu *c, u64 nzcv)
{
	c->pstate = (c->pstate & ~PST_NZCV) | (nzcv << 28);
}

/* AddWithCarry of the Arm ARM: result, NZCV into *flags. */
static u64 add_carry(bool sf, u64 x, u64 y, unsigned int carry, u64 *flags)
{
	u64 r, n, z, cf, v;

	if (sf) {
		unsigned __int128 u = (unsigned __int128)x + y + carry;

		r = (u64)u;
		cf = (u64)(u >> 64);
		v = ((~(x ^ y) & (x ^ r)) >> 63) & 1;
		n = r >> 63;
	} else {
		u64 u = (u64)(u32)x + (u32)y + carry;

		r = (u32)u;
		cf = u >> 32;
		v = ((~(x ^ y) & (x ^ r)) >> 31) & 1;
		n = (r >> 31) & 1;
	}
	z = r == 0;
	*flags = n << 3 | z << 2 | cf << 1 | v;
	return r;
}

static u64 ror(u64 v, unsigned int sh, unsigned int width)
{
	u64 m = width == 64 ? ~0ULL : (1ULL << width) - 1;

	sh %= width;
	v &= m;
	return sh ? ((v >> sh) | (v << (width - sh))) & m : v;
}

static u64 replicate(u64 v, unsigned int esize)
{
	unsigned int i;
	u64 r = 0;

	for (i = 0; i < 64; i += esize)
		r |= v << i;
	return r;
}

/* DecodeBitMasks; false for a reserved encoding. */
static bool bit_masks(unsigned int n, unsigned int imms, unsigned int immr,
		      bool imm, unsigned int width, u64 *wm, u64 *tm)
{
	unsigned int v = (n << 6) | (~imms & 0x3f);
	unsigned int len, esize, levels, s, r, d;
	u64 welem, telem, emask;

	if (!v)
		return false;
	len = 31 - (unsigned int)__builtin_clz(v);
	if (len < 1)
		return false;
	levels = (1u << len) - 1;
	if (imm && (imms & levels) == levels)
		return false;
	s = imms & levels;
	r = immr & levels;
	d = (s - r) & levels;
	esize = 1u << len;
	emask = esize == 64 ? ~0ULL : (1ULL << esize) - 1;
	welem = (s + 1 == 64) ? ~0ULL : (1ULL << (s + 1)) - 1;
	telem = (d + 1 == 64) ? ~0ULL : (1ULL << (d + 1)) - 1;
	*wm = replicate(ror(welem & emask, r, esize), esize);
	*tm = replicate(telem & emask, esize);
	if (width == 32) {
		*wm = (u32)*wm;
		*tm = (u32)*tm;
	}
	return true;
}

int op_adr(struct a64_cpu *c, u32 insn)
{
	s64 imm = sext(BITS(insn, 23, 5) << 2 | BITS(insn, 30, 29), 21);

	if (insn & BIT(31))
		a64_set_x(c, insn & 31, (c->ipc & ~0xfffULL) +
			  (u64)(imm * 4096));
	else
		a64_set_x(c, insn & 31, c->ipc + (u64)imm);
	return 0;
}

/* Shared tail of the add/sub classes. */
static void addsub(struct a64_cpu *c, u32 insn, u64 a, u64 b, bool rd_sp)
{
	bool sf = insn >> 31, sub = insn & BIT(30), s = insn & BIT(29);
	unsigned int rd = insn & 31;
	u64 flags, r;

	r = add_carry(sf, a, sub ? ~b : b, sub, &flags);
	if (s) {
		set_nzcv(c, flags);
		a64_set_x(c, rd, r);
	} else if (rd_sp) {
		a64_set_xsp(c, rd, r);
	} else {
		a64_set_x(c, rd, r);
	}
}

int op_addsub_imm(struct a64_cpu *c, u32 insn)
{
	u64 imm = BITS(insn, 21, 10) << ((insn & BIT(22)) ? 12 : 0);

	addsub(c, insn, a64_xsp(c, BITS(insn, 9, 5)), imm, true);
	return 0;
}

static void logic(struct a64_cpu *c, u32 insn, u64 a, u64 b, bool rd_sp)
{
	bool sf = insn >> 31;
	unsigned int opc = BITS(insn, 30, 29), rd = insn & 31;
	u64 r;

	switch (opc) {
	case 0: r = a & b; break;
	case 1: r = a | b; break;
	case 2: r = a ^ b; break;
	default: r = a & b; break;
	}
	r = mask_sf(sf, r);
	if (opc == 3) {
		set_nzcv(c, ((sf ? r >> 63 : (r >> 31) & 1) << 3) |
			 (u64)(r == 0) << 2);
		a64_set_x(c, rd, r);
	} else if (rd_sp) {
		a64_set_xsp(c, rd, r);
	} else {
		a64_set_x(c, rd, r);
	}
}

int op_log_imm(struct a64_cpu *c, u32 insn)
{
	bool sf = insn >> 31;
	u64 wm, tm;

	if (!sf && (insn & BIT(22)))
		return a64_undef(c, insn);
	if (!bit_masks(BITS(insn, 22, 22), BITS(insn, 15, 10),
		       BITS(insn, 21, 16), true, sf ? 64 : 32, &wm, &tm))
		return a64_undef(c, insn);
	logic(c, insn, a64_x(c, BITS(insn, 9, 5)), wm, true);
	return 0;
}

int op_movw(struct a64_cpu *c, u32 insn)
{
	bool sf = insn >> 31;
	unsigned int opc = BITS(insn, 30, 29), hw = BITS(insn, 22, 21);
	unsigned int rd = insn & 31, sh = hw * 16;
	u64 imm = BITS(insn, 20, 5), r;

	if (opc == 1 || (!sf && hw >= 2))
		return a64_undef(c, insn);
	if (opc == 3)
		r = (a64_x(c, rd) & ~(0xffffULL << sh)) | imm << sh;
	else if (opc == 0)
		r = ~(imm << sh);
	else
		r = imm << sh;
	a64_set_x(c, rd, mask_sf(sf, r));
	return 0;
}

int op_bfm(struct a64_cpu *c, u32 insn)
{
	bool sf = insn >> 31;
	unsigned int opc = BITS(insn, 30, 29), n = BITS(insn, 22, 22);
	unsigned int immr = BITS(insn, 21, 16), imms = BITS(insn, 15, 10);
	unsigned int rd = insn & 31, width = sf ? 64 : 32;
	u64 wm, tm, src, dst, bot, top;

	if (opc == 3 || n != sf || (!sf && ((immr | imms) & 32)))
		return a64_undef(c, insn);
	if (!bit_masks(n, imms, immr, false, width, &wm, &tm))
		return a64_undef(c, insn);
	src = mask_sf(sf, a64_x(c, BITS(insn, 9, 5)));
	dst = opc == 1 ? a64_x(c, rd) : 0;
	bot = (dst & ~wm) | (ror(src, immr, width) & wm);
	top = opc == 0 ? (((src >> imms) & 1) ? ~0ULL : 0) : dst;
	a64_set_x(c, rd, mask_sf(sf, (top & ~tm) | (bot & tm)));
	return 0;
}

int op_extr(struct a64_cpu *c, u32 insn)
{
	bool sf = insn >> 31;
	unsigned int lsb = BITS(insn, 15, 10);
	u64 hi = a64_x(c, BITS(insn, 9, 5)), lo = a64_x(c, BITS(insn, 20, 16));
	u64 r;

	if (BITS(insn, 22, 22) != sf || (insn & BIT(21)) ||
	    (!sf && (lsb & 32)))
		return a64_undef(c, insn);
	if (sf)
		r = lsb ? (lo >> lsb) | (hi << (64 - lsb)) : lo;
	else
		r = (u32)((((u64)(u32)hi << 32) | (u32)lo) >> lsb);
	a64_set_x(c, insn & 31, r);
	return 0;
}

static u64 shift_reg(u64 v, unsigned int type, unsigned int amt, bool sf)
{
	unsigned int w = sf ? 64 : 32;

	v = mask_sf(sf, v);
	switch (type) {
	case 0: return mask_sf(sf, v << amt);
	case 1: return v >> amt;
	case 2: return sf ? (u64)((s64)v >> amt) :
			    (u32)((s32)(u32)v >> amt);
	default: return ror(v, amt, w);
	}
}

int op_log_reg(struct a64_cpu *c, u32 insn)
{
	bool sf = insn >> 31;
	unsigned int amt = BITS(insn, 15, 10);
	u64 b;

	if (!sf && (amt & 32))
		return a64_undef(c, insn);
	b = shift_reg(a64_x(c, BITS(insn, 20, 16)), BITS(insn, 23, 22), amt,
		      sf);
	if (insn & BIT(21))
		b = ~b;
	logic(c, insn, a64_x(c, BITS(insn, 9, 5)), b, false);
	return 0;
}

int op_addsub_reg(struct a64_cpu *c, u32 insn)
{
	bool sf = insn >> 31;
	unsigned int amt = BITS(insn, 15, 10), type = BITS(insn, 23, 22);

	if (type == 3 || (!sf && (amt & 32)))
		return a64_undef(c, insn);
	addsub(c, insn, a64_x(c, BITS(insn, 9, 5)),
	       shift_reg(a64_x(c, BITS(insn, 20, 16)), type, amt, sf), false);
	return 0;
}

static u64 extend_reg(u64 v, unsigned int option, unsigned int sh)
{
	switch (option & 7) {
	case 0: v = (u8)v; break;
	case 1: v = (u16)v; break;
	case 2: v = (u32)v; break;
	case 4: v = (u64)(s8)v; break;
	case 5: v = (u64)(s16)v; break;
	case 6: v = (u64)(s32)v; break;
	default: break;
	}
	return v << sh;
}

int op_addsub_ext(struct a64_cpu *c, u32 insn)
{
	unsigned int sh = BITS(insn, 12, 10);

	if (BITS(insn, 23, 22) || sh > 4)
		return a64_undef(c, insn);
	addsub(c, insn, a64_xsp(c, BITS(insn, 9, 5)),
	       extend_reg(a64_x(c, BITS(insn, 20, 16)), BITS(insn, 15, 13), sh),
	       !(insn & BIT(29)));
	return 0;
}

int op_adc(struct a64_cpu *c, u32 insn)
{
	bool sf = insn >> 31, sub = insn & BIT(30);
	u64 b = a64_x(c, BITS(insn, 20, 16)), flags, r;

	r = add_carry(sf, a64_x(c, BITS(insn, 9, 5)), sub ? ~b : b,
		      (c->pstate & PST_C) ? 1 : 0, &flags);
	if (insn & BIT(29))
		set_nzcv(c, flags);
	a64_set_x(c, insn & 31, r);
	return 0;
}

int op_ccmp(struct a64_cpu *c, u32 insn)
{
	bool sf = insn >> 31, sub = insn & BIT(30);
	u64 b, flags;

	if (!(insn & BIT(29)))
		return a64_undef(c, insn);
	if (!a64_cond(c, BITS(insn, 15, 12))) {
		set_nzcv(c, insn & 15);
		return 0;
	}
	b = (insn & BIT(11)) ? BITS(insn, 20, 16) :
			       a64_x(c, BITS(insn, 20, 16));
	add_carry(sf, a64_x(c, BITS(insn, 9, 5)), sub ? ~b : b, sub, &flags);
	set_nzcv(c, flags);
	return 0;
}

int op_csel(struct a64_cpu *c, u32 insn)
{
	bool sf = insn >> 31;
	unsigned int op = BITS(insn, 30, 30) << 1 | BITS(insn, 10, 10);
	u64 r;

	if (insn & BIT(29))
		return a64_undef(c, insn);
	if (a64_cond(c, BITS(insn, 15, 12))) {
		r = a64_x(c, BITS(insn, 9, 5));
	} else {
		r = a64_x(c, BITS(insn, 20, 16));
		if (op == 1)
			r++;
		else if (op == 2)
			r = ~r;
		else if (op == 3)
			r = -r;
	}
	a64_set_x(c, insn & 31, mask_sf(sf, r));
	return 0;
}

static u64 divide(bool sf, bool sgn, u64 a, u64 b)
{
	if (!b)
		return 0;
	if (!sgn)
		return sf ? a / b : (u32)a / (u32)b;
	if (sf)
		return ((s64)a == INT64_MIN && (s64)b == -1) ? a :
			(u64)((s64)a / (s64)b);
	return ((s32)a == INT32_MIN && (s32)b == -1) ? (u32)a :
		(u32)((s32)a / (s32)b);
}

int op_dp2(struct a64_cpu *c, u32 insn)
{
	bool sf = insn >> 31;
	unsigned int opc = BITS(insn, 15, 10), w = sf ? 64 : 32;
	u64 a = mask_sf(sf, a64_x(c, BITS(insn, 9, 5)));
	u64 b = a64_x(c, BITS(insn, 20, 16)), r;

	if (insn & BIT(29))
		return a64_undef(c, insn);
	switch (opc) {
	case 2: case 3: r = divide(sf, opc == 3, a, mask_sf(sf, b)); break;
	case 8: case 9: case 10: case 11:
		r = shift_reg(a, opc - 8, (unsigned int)(b % w), sf);
		break;
	default: return a64_undef(c, insn);
	}
	a64_set_x(c, insn & 31, mask_sf(sf, r));
	return 0;
}

static u64 rev_bytes(u64 v, unsigned int chunk)
{
	u64 r = 0;
	unsigned int i, j;

	for (i = 0; i < 64; i += chunk)
		for (j = 0; j < chunk; j += 8)
			r |= ((v >> (i + j)) & 0xff) << (i + chunk - 8 - j);
	return r;
}

int op_dp1(struct a64_cpu *c, u32 insn)
{
	bool sf = insn >> 31;
	unsigned int opc = BITS(insn, 15, 10), w = sf ? 64 : 32, i;
	u64 a = mask_sf(sf, a64_x(c, BITS(insn, 9, 5))), r = 0;

	if ((insn & BIT(29)) || BITS(insn, 20, 16))
		return a64_undef(c, insn);
	switch (opc) {
	case 0:
		for (i = 0; i < w; i++)
			r |= ((a >> i) & 1) << (w - 1 - i);
		break;
	case 1: r = rev_bytes(a, 16); break;
	case 2: r = rev_bytes(a, 32); break;
	case 3:
		if (!sf)
			return a64_undef(c, insn);
		r = rev_bytes(a, 64);
		break;
	case 4: r = a ? (u64)__builtin_clzll(a) - (64 - w) : w; break;
	case 5:
		a = sf ? a : (u64)(s64)(s32)a;
		r = (u64)__builtin_clrsbll((long long)a) - (64 - w);
		break;
	default: return a64_undef(c, insn);
	}
	a64_set_x(c, insn & 31, mask_sf(sf, r));
	return 0;
}

int op_dp3(struct a64_cpu *c, u32 insn)
{
	bool sf = insn >> 31, sub = insn & BIT(15);
	unsigned int op31 = BITS(insn, 23, 21);
	u64 n = a64_x(c, BITS(insn, 9, 5)), m = a64_x(c, BITS(insn, 20, 16));
	u64 a = a64_x(c, BITS(insn, 14, 10)), p, r;

	if (BITS(insn, 30, 29) || (!sf && op31))
		return a64_undef(c, insn);
	switch (op31) {
	case 0: p = n * m; break;
	case 1: p = (u64)((s64)(s32)n * (s64)(s32)m); break;
	case 5: p = (u64)(u32)n * (u32)m; break;
	case 2: case 6:
		if (sub)
			return a64_undef(c, insn);
		r = op31 == 2 ?
		    (u64)(((__int128)(s64)n * (s64)m) >> 64) :
		    (u64)(((unsigned __int128)n * m) >> 64);
		a64_set_x(c, insn & 31, r);
		return 0;
	default: return a64_undef(c, insn);
	}
	r = sub ? a - p : a + p;
	a64_set_x(c, insn & 31, mask_sf(sf, r));
	return 0;
}
