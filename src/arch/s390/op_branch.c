// SPDX-License-Identifier: MIT
/*
 * Branches (on condition, and link, on count, on index), EXECUTE,
 * SUPERVISOR CALL, PSW fields visible in problem state (IPM, SPM, EPSW,
 * addressing mode), the TOD clock stores and STFLE.
 */
#include "s390.h"

static bool cond(struct s390_cpu *c, u8 mask)
{
	return mask & (8 >> s390_cc(c));
}

/* The link information BAS and BRAS store. */
static void link_bas(struct s390_cpu *c, int r)
{
	if (c->mask & PSW_EA)
		c->gprs[r] = c->addr;
	else if (c->mask & PSW_BA)
		set_lo(c, r, 0x80000000u | c->addr);
	else
		set_lo(c, r, c->addr & 0xffffff);
}

/* BAL links the ILC, condition code and program mask in 24-bit mode. */
static void link_bal(struct s390_cpu *c, int r)
{
	u32 info;

	if (c->mask & (PSW_EA | PSW_BA)) {
		link_bas(c, r);
		return;
	}
	info = (u32)(c->ilen / 2) << 30 | s390_cc(c) << 28 |
	       (u32)((c->mask >> PSW_PM_SHIFT) & 0xf) << 24;
	set_lo(c, r, info | (c->addr & 0xffffff));
}

int op_bcr(struct s390_cpu *c, struct s390_dec *d)
{
	if (d->r2 && cond(c, d->r1))
		c->addr = s390_wrap(c, c->gprs[d->r2]);
	return 0;
}

int op_bc(struct s390_cpu *c, struct s390_dec *d)
{
	if (cond(c, d->r1))
		c->addr = s390_ea(c, d->x2, d->b2, d->d2);
	return 0;
}

int op_brc(struct s390_cpu *c, struct s390_dec *d)
{
	if (cond(c, d->r1))
		c->addr = s390_rel(c, d);
	return 0;
}

int op_balr(struct s390_cpu *c, struct s390_dec *d)
{
	u64 t = s390_wrap(c, c->gprs[d->r2]);

	link_bal(c, d->r1);
	if (d->r2)
		c->addr = t;
	return 0;
}

int op_bal(struct s390_cpu *c, struct s390_dec *d)
{
	u64 t = s390_ea(c, d->x2, d->b2, d->d2);

	link_bal(c, d->r1);
	c->addr = t;
	return 0;
}

int op_basr(struct s390_cpu *c, struct s390_dec *d)
{
	u64 t = s390_wrap(c, c->gprs[d->r2]);

	link_bas(c, d->r1);
	if (d->r2)
		c->addr = t;
	return 0;
}

int op_bas(struct s390_cpu *c, struct s390_dec *d)
{
	u64 t = s390_ea(c, d->x2, d->b2, d->d2);

	link_bas(c, d->r1);
	c->addr = t;
	return 0;
}

int op_bras(struct s390_cpu *c, struct s390_dec *d)
{
	link_bas(c, d->r1);
	c->addr = s390_rel(c, d);
	return 0;
}

/* Decrement the low word (or whole register); true when nonzero. */
static bool count32(struct s390_cpu *c, int r)
{
	u32 v = (u32)c->gprs[r] - 1;

	set_lo(c, r, v);
	return v != 0;
}

static bool count64(struct s390_cpu *c, int r)
{
	return --c->gprs[r] != 0;
}

int op_bctr(struct s390_cpu *c, struct s390_dec *d)
{
	u64 t = s390_wrap(c, c->gprs[d->r2]);

	if (count32(c, d->r1) && d->r2)
		c->addr = t;
	return 0;
}

int op_bctgr(struct s390_cpu *c, struct s390_dec *d)
{
	u64 t = s390_wrap(c, c->gprs[d->r2]);

	if (count64(c, d->r1) && d->r2)
		c->addr = t;
	return 0;
}

int op_bct(struct s390_cpu *c, struct s390_dec *d)
{
	u64 t = s390_ea(c, d->x2, d->b2, d->d2);

	if (count32(c, d->r1))
		c->addr = t;
	return 0;
}

int op_bctg(struct s390_cpu *c, struct s390_dec *d)
{
	u64 t = s390_ea(c, d->x2, d->b2, d->d2);

	if (count64(c, d->r1))
		c->addr = t;
	return 0;
}

int op_brct(struct s390_cpu *c, struct s390_dec *d)
{
	if (count32(c, d->r1))
		c->addr = s390_rel(c, d);
	return 0;
}

int op_brctg(struct s390_cpu *c, struct s390_dec *d)
{
	if (count64(c, d->r1))
		c->addr = s390_rel(c, d);
	return 0;
}

/* BXH/BXLE family: r1 += r3, compare with the odd register of r3. */
static bool index_step(struct s390_cpu *c, struct s390_dec *d, bool w64,
		       bool high)
{
	if (w64) {
		s64 inc = (s64)c->gprs[d->r3], cmp = (s64)c->gprs[d->r3 | 1];
		s64 v = (s64)((u64)c->gprs[d->r1] + (u64)inc);

		c->gprs[d->r1] = (u64)v;
		return high ? v > cmp : v <= cmp;
	} else {
		s32 inc = (s32)c->gprs[d->r3], cmp = (s32)c->gprs[d->r3 | 1];
		s32 v = (s32)((u32)c->gprs[d->r1] + (u32)inc);

		set_lo(c, d->r1, (u32)v);
		return high ? v > cmp : v <= cmp;
	}
}

#define BX(name, w64, high, rel) \
int name(struct s390_cpu *c, struct s390_dec *d) \
{ \
	u64 t = rel ? s390_rel(c, d) : s390_ea(c, 0, d->b2, d->d2); \
	if (index_step(c, d, w64, high)) \
		c->addr = t; \
	return 0; \
}
BX(op_bxh, false, true, false)
BX(op_bxle, false, false, false)
BX(op_bxhg, true, true, false)
BX(op_bxleg, true, false, false)
BX(op_brxh, false, true, true)
BX(op_brxle, false, false, true)
BX(op_brxhg, true, true, true)
BX(op_brxlg, true, false, true)

/* Set the addressing mode and address from a BSM/BASSM operand. */
static void branch_mode(struct s390_cpu *c, u64 r)
{
	c->mask &= ~(PSW_EA | PSW_BA);
	if (r & 1) {
		c->mask |= PSW_EA | PSW_BA;
		c->addr = r & ~1ULL;
	} else if (r & 0x80000000ULL) {
		c->mask |= PSW_BA;
		c->addr = r & 0x7fffffff;
	} else {
		c->addr = r & 0xffffff;
	}
}

int op_bsm(struct s390_cpu *c, struct s390_dec *d)
{
	u64 t = c->gprs[d->r2];

	if (d->r1) {
		if (c->mask & PSW_EA)
			c->gprs[d->r1] |= 1;
		else
			c->gprs[d->r1] = (c->gprs[d->r1] & ~0x80000000ULL) |
					 (c->mask & PSW_BA ? 0x80000000ULL : 0);
	}
	if (d->r2)
		branch_mode(c, t);
	return 0;
}

int op_bassm(struct s390_cpu *c, struct s390_dec *d)
{
	u64 t = c->gprs[d->r2];

	if (c->mask & PSW_EA)
		c->gprs[d->r1] = c->addr | 1;
	else
		link_bas(c, d->r1);
	if (d->r2)
		branch_mode(c, t);
	return 0;
}

/* Run the instruction at a (EX, EXRL), its byte 1 ORed with r1. */
static int execute_at(struct s390_cpu *c, struct s390_dec *d, u64 a)
{
	struct s390_dec t;
	u8 b[6] = { 0 };

	if (a & 1)
		return PGM_SPECIFICATION;
	TRY(s390_access(c, a, b, 2, ACC_IFETCH, -1));
	if (s390_ilen(b[0]) > 2)
		TRY(s390_access(c, s390_wrap(c, a + 2), b + 2,
				s390_ilen(b[0]) - 2, ACC_IFETCH, -1));
	if (d->r1)
		b[1] |= (u8)c->gprs[d->r1];
	t.in = s390_lookup(b);
	if (!t.in)
		return PGM_OPERATION;
	if (t.in->fn == op_ex || t.in->fn == op_exrl)
		return PGM_EXECUTE;
	s390_decode(t.in, b, &t);
	t.ia = a;
	return s390_execute(c, &t);
}

int op_ex(struct s390_cpu *c, struct s390_dec *d)
{
	return execute_at(c, d, s390_ea(c, d->x2, d->b2, d->d2));
}

int op_exrl(struct s390_cpu *c, struct s390_dec *d)
{
	return execute_at(c, d, s390_rel(c, d));
}

int op_svc(struct s390_cpu *c, struct s390_dec *d)
{
	u8 b[4];

	put_be16(b, c->ilen);
	put_be16(b + 2, (u16)d->ui2);
	if (s390_lc_write(c, LC_SVC_ILC, b, 4))
		return s390_exit_sieic(c, 0x20, 0, 0);
	return s390_swap_psw(c, LC_SVC_OLD, LC_SVC_NEW, c->addr);
}

int op_ipm(struct s390_cpu *c, struct s390_dec *d)
{
	u64 byte = (u64)s390_cc(c) << 4 | ((c->mask >> PSW_PM_SHIFT) & 0xf);

	c->gprs[d->r1] = (c->gprs[d->r1] & ~0xff000000ULL) | byte << 24;
	return 0;
}

int op_spm(struct s390_cpu *c, struct s390_dec *d)
{
	u64 v = c->gprs[d->r1] >> 24;

	s390_set_cc(c, (unsigned int)(v >> 4) & 3);
	c->mask = (c->mask & ~(0xfULL << PSW_PM_SHIFT)) |
		  (v & 0xf) << PSW_PM_SHIFT;
	return 0;
}

int op_epsw(struct s390_cpu *c, struct s390_dec *d)
{
	set_lo(c, d->r1, c->mask >> 32);
	if (d->r2)
		set_lo(c, d->r2, c->mask);
	return 0;
}

int op_tam(struct s390_cpu *c, struct s390_dec *d KVMU_UNUSED)
{
	s390_set_cc(c, c->mask & PSW_EA ? 3 : c->mask & PSW_BA ? 1 : 0);
	return 0;
}

int op_sam(struct s390_cpu *c, struct s390_dec *d)
{
	u8 m = d->in->op2;

	if ((m == 0x0c && c->addr > 0xffffff) ||
	    (m == 0x0d && c->addr > 0x7fffffff))
		return PGM_SPECIFICATION;
	c->mask &= ~(PSW_EA | PSW_BA);
	if (m >= 0x0d)
		c->mask |= PSW_BA;
	if (m == 0x0e)
		c->mask |= PSW_EA;
	return 0;
}

int op_nop(struct s390_cpu *c KVMU_UNUSED, struct s390_dec *d KVMU_UNUSED)
{
	return 0;
}

int op_stck(struct s390_cpu *c, struct s390_dec *d)
{
	TRY(s390_wr64(c, s390_ea(c, 0, d->b2, d->d2), s390_tod(c)));
	s390_set_cc(c, 0);
	return 0;
}

int op_stcke(struct s390_cpu *c, struct s390_dec *d)
{
	u8 b[16] = { 0 };

	put_be64(b + 1, s390_tod(c));
	put_be16(b + 14, (u16)c->todpr);
	TRY(s390_write(c, s390_ea(c, 0, d->b2, d->d2), b, 16));
	s390_set_cc(c, 0);
	return 0;
}

int op_stfle(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = s390_ea(c, 0, d->b2, d->d2);
	unsigned int have = 1, want = (unsigned int)(c->gprs[0] & 0xff) + 1;
	unsigned int i, n;
	u8 b[4 * 8];

	if (a & 7)
		return PGM_SPECIFICATION;
	for (i = 0; i < 4; i++)
		if (c->vm->fac[i])
			have = i + 1;
	n = want < have ? want : have;
	for (i = 0; i < n; i++)
		put_be64(b + i * 8, c->vm->fac[i]);
	TRY(s390_write(c, a, b, n * 8));
	c->gprs[0] = (c->gprs[0] & ~0xffULL) | (have - 1);
	s390_set_cc(c, want >= have ? 0 : 3);
	return 0;
}
