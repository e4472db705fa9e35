// SPDX-License-Identifier: MIT
/*
 * Storage-to-storage operations (MVC, NC, OC, XC, CLC, MVN, MVZ, TR, TRT),
 * the long and string forms (MVCL, CLCL, MVST, CLST, SRST) and the
 * compare-and-swap family.  SS operations are defined byte by byte from
 * left to right, so an overlapping destination sees the bytes already
 * stored (MVC d+1(255),d propagates a byte): the loops below do the same.
 */
#include <string.h>

#include "s390.h"

enum { SS_MOVE, SS_AND, SS_OR, SS_XOR, SS_NUM, SS_ZONE };

static u8 ss_byte(u8 dst, u8 src, int op)
{
	switch (op) {
	case SS_AND:
		return dst & src;
	case SS_OR:
		return dst | src;
	case SS_XOR:
		return dst ^ src;
	case SS_NUM:
		return (u8)((dst & 0xf0) | (src & 0x0f));
	case SS_ZONE:
		return (u8)((dst & 0x0f) | (src & 0xf0));
	default:
		return src;
	}
}

static int ss_op(struct s390_cpu *c, struct s390_dec *d, int op)
{
	u64 a1 = s390_ea(c, 0, d->b1, d->d1), a2 = s390_ea(c, 0, d->b2, d->d2);
	unsigned int n = d->l1 + 1u, i;
	u8 dst[256], src[256], nz = 0;

	TRY(s390_read(c, a2, src, n));
	if (op != SS_MOVE)
		TRY(s390_read(c, a1, dst, n));
	for (i = 0; i < n; i++) {
		u64 s = a2 + i;
		u8 v = src[i];

		/* a source byte already overwritten by this instruction */
		if (s >= a1 && s < a1 + i)
			v = dst[s - a1];
		dst[i] = ss_byte(dst[i], v, op);
		nz |= dst[i];
	}
	TRY(s390_write(c, a1, dst, n));
	if (op == SS_AND || op == SS_OR || op == SS_XOR)
		s390_set_cc(c, nz != 0);
	return 0;
}

int op_mvc(struct s390_cpu *c, struct s390_dec *d)
{
	return ss_op(c, d, SS_MOVE);
}

int op_nc(struct s390_cpu *c, struct s390_dec *d)
{
	return ss_op(c, d, SS_AND);
}

int op_oc(struct s390_cpu *c, struct s390_dec *d)
{
	return ss_op(c, d, SS_OR);
}

int op_xc(struct s390_cpu *c, struct s390_dec *d)
{
	return ss_op(c, d, SS_XOR);
}

int op_mvn(struct s390_cpu *c, struct s390_dec *d)
{
	return ss_op(c, d, SS_NUM);
}

int op_mvz(struct s390_cpu *c, struct s390_dec *d)
{
	return ss_op(c, d, SS_ZONE);
}

static unsigned int cmp_bytes(const u8 *a, const u8 *b, size_t n)
{
	int r = memcmp(a, b, n);

	return r < 0 ? 1 : r > 0 ? 2 : 0;
}

int op_clc(struct s390_cpu *c, struct s390_dec *d)
{
	u8 a[256], b[256];
	unsigned int n = d->l1 + 1u;

	TRY(s390_read(c, s390_ea(c, 0, d->b1, d->d1), a, n));
	TRY(s390_read(c, s390_ea(c, 0, d->b2, d->d2), b, n));
	s390_set_cc(c, cmp_bytes(a, b, n));
	return 0;
}

int op_tr(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a1 = s390_ea(c, 0, d->b1, d->d1), a2 = s390_ea(c, 0, d->b2, d->d2);
	unsigned int n = d->l1 + 1u, i;
	u8 b[256];

	TRY(s390_read(c, a1, b, n));
	TRY(s390_access(c, a1, NULL, n, ACC_STORE, -1));
	for (i = 0; i < n; i++)
		TRY(s390_rd8(c, s390_wrap(c, a2 + b[i]), &b[i]));
	return s390_write(c, a1, b, n);
}

int op_trt(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a1 = s390_ea(c, 0, d->b1, d->d1), a2 = s390_ea(c, 0, d->b2, d->d2);
	unsigned int n = d->l1 + 1u, i;
	u8 b[256], f;

	TRY(s390_read(c, a1, b, n));
	for (i = 0; i < n; i++) {
		TRY(s390_rd8(c, s390_wrap(c, a2 + b[i]), &f));
		if (!f)
			continue;
		if (c->mask & PSW_EA)
			c->gprs[1] = a1 + i;
		else if (c->mask & PSW_BA)
			set_lo(c, 1, s390_wrap(c, a1 + i));
		else
			c->gprs[1] = (c->gprs[1] & ~0xffffffULL) |
				     s390_wrap(c, a1 + i);
		c->gprs[2] = (c->gprs[2] & ~0xffULL) | f;
		s390_set_cc(c, i == n - 1 ? 2 : 1);
		return 0;
	}
	s390_set_cc(c, 0);
	return 0;
}

/* Write back an address register in the current addressing mode. */
static void set_addr(struct s390_cpu *c, int r, u64 a)
{
	if (c->mask & PSW_EA)
		c->gprs[r] = a;
	else if (c->mask & PSW_BA)
		set_lo(c, r, a & 0x7fffffff);
	else
		c->gprs[r] = (c->gprs[r] & ~0xffffffULL) | (a & 0xffffff);
}

/* MVCL and CLCL: 24-bit lengths in the odd registers, pad byte in r2+1. */
static int long_op(struct s390_cpu *c, struct s390_dec *d, bool cmp)
{
	u64 a1 = s390_wrap(c, c->gprs[d->r1]);
	u64 a2 = s390_wrap(c, c->gprs[d->r2]);
	u32 l1 = c->gprs[d->r1 + 1] & 0xffffff;
	u32 l2 = c->gprs[d->r2 + 1] & 0xffffff;
	u8 pad = (u8)(c->gprs[d->r2 + 1] >> 24), x, y;
	u32 lmin = l1 < l2 ? l1 : l2;
	unsigned int cc = 0;

	if ((d->r1 | d->r2) & 1)
		return PGM_SPECIFICATION;
	if (!cmp && lmin > 1 && a2 < a1 && a1 < a2 + lmin) {
		s390_set_cc(c, 3);	/* destructive overlap: nothing moved */
		return 0;
	}
	if (!cmp)
		cc = l1 == l2 ? 0 : l1 < l2 ? 1 : 2;
	while (l1 || (cmp && l2)) {
		y = pad;
		if (l2)
			TRY(s390_rd8(c, a2, &y));
		if (cmp) {
			x = pad;
			if (l1)
				TRY(s390_rd8(c, a1, &x));
			if (x != y) {
				cc = x < y ? 1 : 2;
				break;
			}
		} else {
			TRY(s390_wr8(c, a1, y));
		}
		if (l1) {
			a1 = s390_wrap(c, a1 + 1);
			l1--;
		}
		if (l2) {
			a2 = s390_wrap(c, a2 + 1);
			l2--;
		}
	}
	set_addr(c, d->r1, a1);
	set_addr(c, d->r2, a2);
	c->gprs[d->r1 + 1] = (c->gprs[d->r1 + 1] & ~0xffffffULL) | l1;
	c->gprs[d->r2 + 1] = (c->gprs[d->r2 + 1] & ~0xffffffULL) | l2;
	s390_set_cc(c, cc);
	return 0;
}

int op_mvcl(struct s390_cpu *c, struct s390_dec *d)
{
	return long_op(c, d, false);
}

int op_clcl(struct s390_cpu *c, struct s390_dec *d)
{
	return long_op(c, d, true);
}

/* A CPU-determined number of bytes per execution of the string ops. */
#define STRING_CHUNK 256

int op_mvst(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a1 = s390_wrap(c, c->gprs[d->r1]);
	u64 a2 = s390_wrap(c, c->gprs[d->r2]);
	u8 end = (u8)c->gprs[0], v;
	int i;

	if (c->gprs[0] & 0xffffff00ULL)
		return PGM_SPECIFICATION;
	for (i = 0; i < STRING_CHUNK; i++) {
		TRY(s390_rd8(c, s390_wrap(c, a2 + (u64)i), &v));
		TRY(s390_wr8(c, s390_wrap(c, a1 + (u64)i), v));
		if (v == end) {
			set_addr(c, d->r1, a1 + (u64)i);
			s390_set_cc(c, 1);
			return 0;
		}
	}
	set_addr(c, d->r1, a1 + STRING_CHUNK);
	set_addr(c, d->r2, a2 + STRING_CHUNK);
	s390_set_cc(c, 3);
	return 0;
}

int op_clst(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a1 = s390_wrap(c, c->gprs[d->r1]);
	u64 a2 = s390_wrap(c, c->gprs[d->r2]);
	u8 end = (u8)c->gprs[0], x, y;
	int i;

	if (c->gprs[0] & 0xffffff00ULL)
		return PGM_SPECIFICATION;
	for (i = 0; i < STRING_CHUNK; i++) {
		TRY(s390_rd8(c, s390_wrap(c, a1 + (u64)i), &x));
		TRY(s390_rd8(c, s390_wrap(c, a2 + (u64)i), &y));
		if (x == end && y == end) {
			s390_set_cc(c, 0);
			return 0;
		}
		if (x == end || y == end || x != y) {
			s390_set_cc(c, y == end ? 2 : x == end ? 1 :
				       x < y ? 1 : 2);
			set_addr(c, d->r1, a1 + (u64)i);
			set_addr(c, d->r2, a2 + (u64)i);
			return 0;
		}
	}
	set_addr(c, d->r1, a1 + STRING_CHUNK);
	set_addr(c, d->r2, a2 + STRING_CHUNK);
	s390_set_cc(c, 3);
	return 0;
}

int op_srst(struct s390_cpu *c, struct s390_dec *d)
{
	u64 end = s390_wrap(c, c->gprs[d->r1]);
	u64 a = s390_wrap(c, c->gprs[d->r2]);
	u8 ch = (u8)c->gprs[0], v;
	int i;

	if (c->gprs[0] & 0xffffff00ULL)
		return PGM_SPECIFICATION;
	for (i = 0; i < STRING_CHUNK; i++, a = s390_wrap(c, a + 1)) {
		if (a == end) {
			s390_set_cc(c, 2);
			return 0;
		}
		TRY(s390_rd8(c, a, &v));
		if (v == ch) {
			set_addr(c, d->r1, a);
			s390_set_cc(c, 1);
			return 0;
		}
	}
	set_addr(c, d->r2, a);
	s390_set_cc(c, 3);
	return 0;
}

/*
 * Compare and swap of nregs registers of w bytes each (CS: 1x4, CSG: 1x8,
 * CDS: 2x4, CDSG: 2x8).  The VM lock makes it atomic against the compare-
 * and-swaps of other vCPUs, which is what guest locks rely on.
 */
static int cas(struct s390_cpu *c, struct s390_dec *d, unsigned int nregs,
	       unsigned int w)
{
	u64 a = s390_ea(c, 0, d->b2, d->d2);
	unsigned int n = nregs * w, i;
	u8 old[16], cur[16], new[16];
	int rc = 0;

	if ((a & (n - 1)) || (nregs == 2 && ((d->r1 | d->r3) & 1)))
		return PGM_SPECIFICATION;
	for (i = 0; i < nregs; i++) {
		if (w == 4) {
			put_be32(old + i * 4, (u32)c->gprs[d->r1 + i]);
			put_be32(new + i * 4, (u32)c->gprs[d->r3 + i]);
		} else {
			put_be64(old + i * 8, c->gprs[d->r1 + i]);
			put_be64(new + i * 8, c->gprs[d->r3 + i]);
		}
	}
	pthread_mutex_lock(&c->vm->lock);
	kvmu_fault_hold(&c->vm->lock);
	rc = s390_access(c, a, NULL, n, ACC_STORE, -1);
	if (!rc)
		rc = s390_read(c, a, cur, n);
	if (!rc && !memcmp(old, cur, n))
		rc = s390_write(c, a, new, n);
	kvmu_fault_hold(NULL);
	pthread_mutex_unlock(&c->vm->lock);
	if (rc)
		return rc;
	if (!memcmp(old, cur, n)) {
		s390_set_cc(c, 0);
		return 0;
	}
	for (i = 0; i < nregs; i++) {
		if (w == 4)
			set_lo(c, d->r1 + (int)i, be32(cur + i * 4));
		else
			c->gprs[d->r1 + i] = be64(cur + i * 8);
	}
	s390_set_cc(c, 1);
	return 0;
}

int op_cs(struct s390_cpu *c, struct s390_dec *d)
{
	return cas(c, d, 1, 4);
}

int op_csg(struct s390_cpu *c, struct s390_dec *d)
{
	return cas(c, d, 1, 8);
}

int op_cds(struct s390_cpu *c, struct s390_dec *d)
{
	return cas(c, d, 2, 4);
}

int op_cdsg(struct s390_cpu *c, struct s390_dec *d)
{
	return cas(c, d, 2, 8);
}
