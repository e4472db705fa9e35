// SPDX-License-Identifier: MIT
/*
 * Loads and stores that are not plain second-operand loads: stores,
 * load/store multiple, insert/store characters under mask, byte-reversed
 * forms, access registers, floating-point registers and the FPC, and
 * address generation (LA, LAY, LARL).
 */
#include "s390.h"

/* The storage operand address of an RX/RXY store or a relative store. */
static int store_addr(struct s390_cpu *c, struct s390_dec *d, unsigned n,
		      u64 *a)
{
	if (d->in->fmt == F_RIL) {
		*a = s390_rel(c, d);
		return *a & (n - 1) ? PGM_SPECIFICATION : 0;
	}
	*a = s390_ea(c, d->x2, d->b2, d->d2);
	return 0;
}

int op_st8(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a;

	TRY(store_addr(c, d, 1, &a));
	return s390_wr8(c, a, (u8)c->gprs[d->r1]);
}

int op_st16(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a;

	TRY(store_addr(c, d, 2, &a));
	return s390_wr16(c, a, (u16)c->gprs[d->r1]);
}

int op_st32(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a;

	TRY(store_addr(c, d, 4, &a));
	return s390_wr32(c, a, (u32)c->gprs[d->r1]);
}

int op_st64(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a;

	TRY(store_addr(c, d, 8, &a));
	return s390_wr64(c, a, c->gprs[d->r1]);
}

int op_la(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = s390_ea(c, d->x2, d->b2, d->d2);

	if (c->mask & PSW_EA)
		c->gprs[d->r1] = a;
	else
		set_lo(c, d->r1, a);
	return 0;
}

/*
 * LOAD ADDRESS EXTENDED: LAY, plus access register R1 naming the space
 * the PSW's address-space control selects (primary 0, secondary 1, home
 * 2, AR mode: the base register's access register).
 */
int op_laey(struct s390_cpu *c, struct s390_dec *d)
{
	switch (c->mask & PSW_AS) {
	case PSW_AS_PRIMARY:
		c->acrs[d->r1] = 0;
		break;
	case PSW_AS_SECONDARY:
		c->acrs[d->r1] = 1;
		break;
	case PSW_AS_HOME:
		c->acrs[d->r1] = 2;
		break;
	default:
		c->acrs[d->r1] = d->b2 ? c->acrs[d->b2] : 0;
	}
	return op_la(c, d);
}

/*
 * EXTRACT CPU ATTRIBUTE: this CPU describes no caches.  The topology
 * summary (attribute 0) says "no cache" at every level; every other
 * attribute of a level without a cache reads as all ones.
 */
int op_ecag(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = s390_ea(c, 0, d->b2, d->d2);

	c->gprs[d->r1] = ((a >> 4) & 0xf) == 0 ? 0 : ~0ULL;
	return 0;
}

int op_larl(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = s390_rel(c, d);

	if (c->mask & PSW_EA)
		c->gprs[d->r1] = a;
	else
		set_lo(c, d->r1, a);
	return 0;
}

/* kind: 0 low words, 1 high words, 2 whole registers */
static int load_multiple(struct s390_cpu *c, struct s390_dec *d, int kind,
			 bool store)
{
	unsigned int n = (unsigned int)((d->r3 - d->r1) & 15) + 1, i;
	unsigned int w = kind == 2 ? 8 : 4;
	u64 a = s390_ea(c, 0, d->b2, d->d2);
	u8 b[16 * 8];

	if (!store)
		TRY(s390_read(c, a, b, (u64)n * w));
	for (i = 0; i < n; i++) {
		int r = (d->r1 + (int)i) & 15;

		if (store && kind == 2)
			put_be64(b + i * 8, c->gprs[r]);
		else if (store)
			put_be32(b + i * 4,
				 (u32)(c->gprs[r] >> (kind ? 32 : 0)));
		else if (kind == 2)
			c->gprs[r] = be64(b + i * 8);
		else if (kind == 1)
			set_hi(c, r, be32(b + i * 4));
		else
			set_lo(c, r, be32(b + i * 4));
	}
	return store ? s390_write(c, a, b, (u64)n * w) : 0;
}

int op_lm(struct s390_cpu *c, struct s390_dec *d)
{
	return load_multiple(c, d, 0, false);
}

int op_lmh(struct s390_cpu *c, struct s390_dec *d)
{
	return load_multiple(c, d, 1, false);
}

int op_lmg(struct s390_cpu *c, struct s390_dec *d)
{
	return load_multiple(c, d, 2, false);
}

int op_stm(struct s390_cpu *c, struct s390_dec *d)
{
	return load_multiple(c, d, 0, true);
}

int op_stmh(struct s390_cpu *c, struct s390_dec *d)
{
	return load_multiple(c, d, 1, true);
}

int op_stmg(struct s390_cpu *c, struct s390_dec *d)
{
	return load_multiple(c, d, 2, true);
}

int op_ic(struct s390_cpu *c, struct s390_dec *d)
{
	u8 v;

	TRY(s390_rd8(c, s390_ea(c, d->x2, d->b2, d->d2), &v));
	c->gprs[d->r1] = (c->gprs[d->r1] & ~0xffULL) | v;
	return 0;
}

/* ICM/ICMH: insert bytes under mask into the word at bit offset sh. */
static int icm(struct s390_cpu *c, struct s390_dec *d, unsigned int sh)
{
	unsigned int n = (unsigned int)__builtin_popcount(d->m3), i, k = 0;
	u64 a = s390_ea(c, 0, d->b2, d->d2), r = c->gprs[d->r1], ins = 0;
	u8 b[4];

	TRY(s390_read(c, a, b, n));
	for (i = 0; i < 4; i++) {
		unsigned int pos = sh + (3 - i) * 8;

		if (!(d->m3 & (8 >> i)))
			continue;
		r = (r & ~(0xffULL << pos)) | (u64)b[k] << pos;
		ins = ins << 8 | b[k++];
	}
	c->gprs[d->r1] = r;
	if (!n || !ins)
		s390_set_cc(c, 0);
	else
		s390_set_cc(c, b[0] & 0x80 ? 1 : 2);
	return 0;
}

int op_icm(struct s390_cpu *c, struct s390_dec *d)
{
	return icm(c, d, 0);
}

int op_icmh(struct s390_cpu *c, struct s390_dec *d)
{
	return icm(c, d, 32);
}

/* The bytes of a register word selected by mask m3; returns the count. */
static unsigned int masked_bytes(struct s390_cpu *c, struct s390_dec *d,
				 unsigned int sh, u8 *b)
{
	unsigned int i, k = 0;

	for (i = 0; i < 4; i++)
		if (d->m3 & (8 >> i))
			b[k++] = (u8)(c->gprs[d->r1] >> (sh + (3 - i) * 8));
	return k;
}

static int stcm(struct s390_cpu *c, struct s390_dec *d, unsigned int sh)
{
	u8 b[4];
	unsigned int n = masked_bytes(c, d, sh, b);

	return s390_write(c, s390_ea(c, 0, d->b2, d->d2), b, n);
}

int op_stcm(struct s390_cpu *c, struct s390_dec *d)
{
	return stcm(c, d, 0);
}

int op_stcmh(struct s390_cpu *c, struct s390_dec *d)
{
	return stcm(c, d, 32);
}

static int clm(struct s390_cpu *c, struct s390_dec *d, unsigned int sh)
{
	u8 r[4], m[4];
	unsigned int n = masked_bytes(c, d, sh, r), i;

	TRY(s390_read(c, s390_ea(c, 0, d->b2, d->d2), m, n));
	for (i = 0; i < n; i++) {
		if (r[i] != m[i]) {
			s390_set_cc(c, r[i] < m[i] ? 1 : 2);
			return 0;
		}
	}
	s390_set_cc(c, 0);
	return 0;
}

int op_clm(struct s390_cpu *c, struct s390_dec *d)
{
	return clm(c, d, 0);
}

int op_clmh(struct s390_cpu *c, struct s390_dec *d)
{
	return clm(c, d, 32);
}

int op_mvi(struct s390_cpu *c, struct s390_dec *d)
{
	return s390_wr8(c, s390_ea(c, 0, d->b1, d->d1), (u8)d->ui2);
}

int op_mvhhi(struct s390_cpu *c, struct s390_dec *d)
{
	return s390_wr16(c, s390_ea(c, 0, d->b1, d->d1), (u16)d->i2);
}

int op_mvhi(struct s390_cpu *c, struct s390_dec *d)
{
	return s390_wr32(c, s390_ea(c, 0, d->b1, d->d1), (u32)d->i2);
}

int op_mvghi(struct s390_cpu *c, struct s390_dec *d)
{
	return s390_wr64(c, s390_ea(c, 0, d->b1, d->d1), (u64)d->i2);
}

int op_lrvr(struct s390_cpu *c, struct s390_dec *d)
{
	set_lo(c, d->r1, __builtin_bswap32((u32)c->gprs[d->r2]));
	return 0;
}

int op_lrvgr(struct s390_cpu *c, struct s390_dec *d)
{
	c->gprs[d->r1] = __builtin_bswap64(c->gprs[d->r2]);
	return 0;
}

int op_lrv(struct s390_cpu *c, struct s390_dec *d)
{
	u32 v;

	TRY(s390_rd32(c, s390_ea(c, d->x2, d->b2, d->d2), &v));
	set_lo(c, d->r1, __builtin_bswap32(v));
	return 0;
}

int op_lrvg(struct s390_cpu *c, struct s390_dec *d)
{
	u64 v;

	TRY(s390_rd64(c, s390_ea(c, d->x2, d->b2, d->d2), &v));
	c->gprs[d->r1] = __builtin_bswap64(v);
	return 0;
}

int op_lrvh(struct s390_cpu *c, struct s390_dec *d)
{
	u16 v;

	TRY(s390_rd16(c, s390_ea(c, d->x2, d->b2, d->d2), &v));
	c->gprs[d->r1] = (c->gprs[d->r1] & ~0xffffULL) |
			 __builtin_bswap16(v);
	return 0;
}

int op_strv(struct s390_cpu *c, struct s390_dec *d)
{
	return s390_wr32(c, s390_ea(c, d->x2, d->b2, d->d2),
			 __builtin_bswap32((u32)c->gprs[d->r1]));
}

int op_strvg(struct s390_cpu *c, struct s390_dec *d)
{
	return s390_wr64(c, s390_ea(c, d->x2, d->b2, d->d2),
			 __builtin_bswap64(c->gprs[d->r1]));
}

int op_strvh(struct s390_cpu *c, struct s390_dec *d)
{
	return s390_wr16(c, s390_ea(c, d->x2, d->b2, d->d2),
			 __builtin_bswap16((u16)c->gprs[d->r1]));
}

static int access_multiple(struct s390_cpu *c, struct s390_dec *d,
			   bool store)
{
	unsigned int n = (unsigned int)((d->r3 - d->r1) & 15) + 1, i;
	u64 a = s390_ea(c, 0, d->b2, d->d2);
	u8 b[64];

	if (a & 3)
		return PGM_SPECIFICATION;
	if (!store)
		TRY(s390_read(c, a, b, n * 4));
	for (i = 0; i < n; i++) {
		int r = (d->r1 + (int)i) & 15;

		if (store)
			put_be32(b + i * 4, c->acrs[r]);
		else
			c->acrs[r] = be32(b + i * 4);
	}
	return store ? s390_write(c, a, b, n * 4) : 0;
}

int op_lam(struct s390_cpu *c, struct s390_dec *d)
{
	return access_multiple(c, d, false);
}

int op_stam(struct s390_cpu *c, struct s390_dec *d)
{
	return access_multiple(c, d, true);
}

int op_ear(struct s390_cpu *c, struct s390_dec *d)
{
	set_lo(c, d->r1, c->acrs[d->r2]);
	return 0;
}

int op_sar(struct s390_cpu *c, struct s390_dec *d)
{
	c->acrs[d->r1] = (u32)c->gprs[d->r2];
	return 0;
}

/* ---- floating-point registers (moves only) and the FPC ---- */

#define FPR_HI(v)	((v) & 0xffffffff00000000ULL)

int op_ld(struct s390_cpu *c, struct s390_dec *d)
{
	return s390_rd64(c, s390_ea(c, d->x2, d->b2, d->d2), &c->fprs[d->r1]);
}

int op_le(struct s390_cpu *c, struct s390_dec *d)
{
	u32 v;

	TRY(s390_rd32(c, s390_ea(c, d->x2, d->b2, d->d2), &v));
	c->fprs[d->r1] = (c->fprs[d->r1] & 0xffffffffULL) | (u64)v << 32;
	return 0;
}

int op_std(struct s390_cpu *c, struct s390_dec *d)
{
	return s390_wr64(c, s390_ea(c, d->x2, d->b2, d->d2), c->fprs[d->r1]);
}

int op_ste(struct s390_cpu *c, struct s390_dec *d)
{
	return s390_wr32(c, s390_ea(c, d->x2, d->b2, d->d2),
			 (u32)(c->fprs[d->r1] >> 32));
}

int op_ldr(struct s390_cpu *c, struct s390_dec *d)
{
	c->fprs[d->r1] = c->fprs[d->r2];
	return 0;
}

int op_ler(struct s390_cpu *c, struct s390_dec *d)
{
	c->fprs[d->r1] = (c->fprs[d->r1] & 0xffffffffULL) |
			 FPR_HI(c->fprs[d->r2]);
	return 0;
}

int op_lzdr(struct s390_cpu *c, struct s390_dec *d)
{
	c->fprs[d->r1] = 0;
	return 0;
}

int op_lzer(struct s390_cpu *c, struct s390_dec *d)
{
	c->fprs[d->r1] &= 0xffffffffULL;
	return 0;
}

int op_ldgr(struct s390_cpu *c, struct s390_dec *d)
{
	c->fprs[d->r1] = c->gprs[d->r2];
	return 0;
}

int op_lgdr(struct s390_cpu *c, struct s390_dec *d)
{
	c->gprs[d->r1] = c->fprs[d->r2];
	return 0;
}

/* CPSDR R1,R3,R2: sign of R3, rest of R2. */
int op_cpsdr(struct s390_cpu *c, struct s390_dec *d)
{
	c->fprs[d->r1] = (c->fprs[d->r2] & ~BIT64(0)) |
			 (c->fprs[d->r3] & BIT64(0));
	return 0;
}

int op_lcdfr(struct s390_cpu *c, struct s390_dec *d)
{
	c->fprs[d->r1] = c->fprs[d->r2] ^ BIT64(0);
	return 0;
}

int op_lndfr(struct s390_cpu *c, struct s390_dec *d)
{
	c->fprs[d->r1] = c->fprs[d->r2] | BIT64(0);
	return 0;
}

int op_lpdfr(struct s390_cpu *c, struct s390_dec *d)
{
	c->fprs[d->r1] = c->fprs[d->r2] & ~BIT64(0);
	return 0;
}

static bool fpc_ok(u32 v)
{
	return !(v & ~0xf8f8ff07u) && ((v & 7) < 4 || (v & 7) == 7);
}

int op_efpc(struct s390_cpu *c, struct s390_dec *d)
{
	set_lo(c, d->r1, c->fpc);
	return 0;
}

int op_sfpc(struct s390_cpu *c, struct s390_dec *d)
{
	u32 v = (u32)c->gprs[d->r1];

	if (!fpc_ok(v))
		return PGM_SPECIFICATION;
	c->fpc = v;
	return 0;
}

int op_stfpc(struct s390_cpu *c, struct s390_dec *d)
{
	return s390_wr32(c, s390_ea(c, 0, d->b2, d->d2), c->fpc);
}

int op_lfpc(struct s390_cpu *c, struct s390_dec *d)
{
	u32 v;

	TRY(s390_rd32(c, s390_ea(c, 0, d->b2, d->d2), &v));
	if (!fpc_ok(v))
		return PGM_SPECIFICATION;
	c->fpc = v;
	return 0;
}
