// SPDX-License-Identifier: MIT
/*
 * Privileged and semiprivileged control instructions: PSW and control
 * registers, prefix, CPU identity, clocks and timers, storage keys, DAT
 * maintenance (IPTE, PTLB, CSP), TPROT, LRA, TB and PFMF.
 */
#include <string.h>

#include "s390.h"

#define CR0_EXTRACT	BIT64(36)	/* extraction-authority control */

static int aligned(u64 a, unsigned int n)
{
	return a & (n - 1) ? PGM_SPECIFICATION : 0;
}

int op_lpsw(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = s390_ea(c, 0, d->b1, d->d1), v;

	TRY(aligned(a, 8));
	TRY(s390_rd64(c, a, &v));
	if (!(v & BIT64(12)))
		return PGM_SPECIFICATION;
	c->mask = (v & 0xffffffff00000000ULL & ~BIT64(12)) |
		  (v & 0x80000000ULL ? PSW_BA : 0);
	c->addr = v & 0x7fffffffULL;
	return 0;
}

int op_lpswe(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = s390_ea(c, 0, d->b2, d->d2);
	u8 b[16];

	TRY(aligned(a, 8));
	TRY(s390_read(c, a, b, 16));
	c->mask = be64(b);
	c->addr = be64(b + 8);
	return 0;
}

int op_ssm(struct s390_cpu *c, struct s390_dec *d)
{
	u8 v;

	TRY(s390_rd8(c, s390_ea(c, 0, d->b1, d->d1), &v));
	if (v & 0xb8)
		return PGM_SPECIFICATION;
	c->mask = (c->mask & ~(0xffULL << 56)) | (u64)v << 56;
	return 0;
}

static int store_then_mask(struct s390_cpu *c, struct s390_dec *d, bool or)
{
	u8 old = (u8)(c->mask >> 56), v = or ? old | (u8)d->ui2 :
					     old & (u8)d->ui2;

	TRY(s390_wr8(c, s390_ea(c, 0, d->b1, d->d1), old));
	if (v & 0xb8)
		return PGM_SPECIFICATION;
	c->mask = (c->mask & ~(0xffULL << 56)) | (u64)v << 56;
	return 0;
}

int op_stnsm(struct s390_cpu *c, struct s390_dec *d)
{
	return store_then_mask(c, d, false);
}

int op_stosm(struct s390_cpu *c, struct s390_dec *d)
{
	return store_then_mask(c, d, true);
}

/* LCTL(G)/STCTL(G): control registers r1..r3 (wrapping), w bytes each. */
static int ctl_multiple(struct s390_cpu *c, struct s390_dec *d,
			unsigned int w, bool store)
{
	unsigned int n = (unsigned int)((d->r3 - d->r1) & 15) + 1, i;
	u64 a = s390_ea(c, 0, d->b2, d->d2);
	u8 b[16 * 8];

	TRY(aligned(a, w));
	if (!store)
		TRY(s390_read(c, a, b, n * w));
	for (i = 0; i < n; i++) {
		int r = (d->r1 + (int)i) & 15;

		if (store && w == 8)
			put_be64(b + i * 8, c->crs[r]);
		else if (store)
			put_be32(b + i * 4, (u32)c->crs[r]);
		else if (w == 8)
			c->crs[r] = be64(b + i * 8);
		else
			c->crs[r] = (c->crs[r] & ~0xffffffffULL) |
				    be32(b + i * 4);
	}
	if (store)
		return s390_write(c, a, b, n * w);
	s390_tlb_flush(c);
	return 0;
}

int op_lctl(struct s390_cpu *c, struct s390_dec *d)
{
	return ctl_multiple(c, d, 4, false);
}

int op_lctlg(struct s390_cpu *c, struct s390_dec *d)
{
	return ctl_multiple(c, d, 8, false);
}

int op_stctl(struct s390_cpu *c, struct s390_dec *d)
{
	return ctl_multiple(c, d, 4, true);
}

int op_stctg(struct s390_cpu *c, struct s390_dec *d)
{
	return ctl_multiple(c, d, 8, true);
}

static u64 op2_addr(struct s390_cpu *c, struct s390_dec *d)
{
	return s390_ea(c, 0, d->b2, d->d2);
}

int op_spx(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = op2_addr(c, d);
	u32 v;

	TRY(aligned(a, 4));
	TRY(s390_rd32(c, a, &v));
	v &= 0x7fffe000u;
	if (!s390_abs_host(c->kvm, v, 0x2000, NULL))
		return PGM_ADDRESSING;
	c->prefix = v;
	s390_tlb_flush(c);
	return 0;
}

int op_stpx(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = op2_addr(c, d);

	TRY(aligned(a, 4));
	return s390_wr32(c, a, c->prefix);
}

int op_stidp(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = op2_addr(c, d);

	TRY(aligned(a, 8));
	return s390_wr64(c, a, c->vm->cpuid);
}

int op_stap(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = op2_addr(c, d);

	TRY(aligned(a, 2));
	return s390_wr16(c, a, c->cpu_addr);
}

int op_stfl(struct s390_cpu *c, struct s390_dec *d KVMU_UNUSED)
{
	u8 b[4];

	put_be32(b, (u32)(c->vm->fac[0] >> 32));
	return s390_lc_write(c, LC_STFL, b, 4) ? PGM_ADDRESSING : 0;
}

int op_sck(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = op2_addr(c, d), v;

	TRY(aligned(a, 8));
	TRY(s390_rd64(c, a, &v));
	s390_vm_set_tod(c->vm, v);
	s390_set_cc(c, 0);
	return 0;
}

int op_sckc(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = op2_addr(c, d);

	TRY(aligned(a, 8));
	return s390_rd64(c, a, &c->ckc);
}

int op_stckc(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = op2_addr(c, d);

	TRY(aligned(a, 8));
	return s390_wr64(c, a, c->ckc);
}

int op_spt(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = op2_addr(c, d), v;

	TRY(aligned(a, 8));
	TRY(s390_rd64(c, a, &v));
	s390_set_cputm(c, v);
	return 0;
}

int op_stpt(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a = op2_addr(c, d);

	TRY(aligned(a, 8));
	return s390_wr64(c, a, s390_cputm(c));
}

int op_spka(struct s390_cpu *c, struct s390_dec *d)
{
	u64 key = (op2_addr(c, d) >> 4) & 0xf;

	if ((c->mask & PSW_PSTATE) && !(c->crs[3] & BIT64(32 + key)))
		return PGM_PRIVILEGED;
	c->mask = (c->mask & ~PSW_KEY) | key << PSW_KEY_SHIFT;
	return 0;
}

int op_ipk(struct s390_cpu *c, struct s390_dec *d KVMU_UNUSED)
{
	if ((c->mask & PSW_PSTATE) && !(c->crs[0] & CR0_EXTRACT))
		return PGM_PRIVILEGED;
	c->gprs[2] = (c->gprs[2] & ~0xffULL) |
		     ((c->mask & PSW_KEY) >> PSW_KEY_SHIFT) << 4;
	return 0;
}

int op_sac(struct s390_cpu *c, struct s390_dec *d)
{
	static const u64 as[4] = { PSW_AS_PRIMARY, PSW_AS_SECONDARY,
				   PSW_AS_AR, PSW_AS_HOME };
	unsigned int m = (unsigned int)(op2_addr(c, d) >> 8) & 0xf;

	if (m > 3)
		return PGM_SPECIFICATION;
	if (m == 3 && (c->mask & PSW_PSTATE))
		return PGM_PRIVILEGED;
	c->mask = (c->mask & ~PSW_AS) | as[m];
	return 0;
}

/* The absolute frame of real address r, or PGM_ADDRESSING. */
static int frame(struct s390_cpu *c, u64 r, u64 *abs)
{
	*abs = s390_real_to_abs(c->prefix, s390_wrap(c, r) & ~0xfffULL);
	return s390_abs_host(c->kvm, *abs, 4096, NULL) ? 0 : PGM_ADDRESSING;
}

int op_iske(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a;

	TRY(frame(c, c->gprs[d->r2], &a));
	atomic_store(&c->vm->skeys_enabled, true);
	c->gprs[d->r1] = (c->gprs[d->r1] & ~0xffULL) |
			 s390_key_get(c->vm, a);
	return 0;
}

int op_sske(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a;

	TRY(frame(c, c->gprs[d->r2], &a));
	atomic_store(&c->vm->skeys_enabled, true);
	return s390_key_set(c->vm, a, (u8)c->gprs[d->r1]) ? PGM_ADDRESSING : 0;
}

int op_ivsk(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a;

	if ((c->mask & PSW_PSTATE) && !(c->crs[0] & CR0_EXTRACT))
		return PGM_PRIVILEGED;
	TRY(s390_translate(c, s390_wrap(c, c->gprs[d->r2]), ACC_FETCH, &a,
			   NULL));
	if (!s390_abs_host(c->kvm, a, 1, NULL))
		return PGM_ADDRESSING;
	atomic_store(&c->vm->skeys_enabled, true);
	c->gprs[d->r1] = (c->gprs[d->r1] & ~0xffULL) |
			 (s390_key_get(c->vm, a) & 0xf8);
	return 0;
}

int op_rrbe(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a;
	u8 k;

	TRY(frame(c, c->gprs[d->r2], &a));
	atomic_store(&c->vm->skeys_enabled, true);
	k = s390_key_get(c->vm, a);
	s390_key_set(c->vm, a, k & ~0x04);
	s390_set_cc(c, (k >> 1) & 3);
	return 0;
}

int op_ipte(struct s390_cpu *c, struct s390_dec *d)
{
	u64 pte = (c->gprs[d->r1] & ~0x7ffULL) +
		  ((c->gprs[d->r2] >> 12) & 0xff) * 8;
	u8 b[8];

	if (s390_abs_read(c, pte, b, 8))
		return PGM_ADDRESSING;
	b[6] |= 0x04;			/* PTE bit 53: invalid */
	s390_abs_write(c, pte, b, 8);
	s390_tlb_flush(c);
	return 0;
}

int op_ptlb(struct s390_cpu *c, struct s390_dec *d KVMU_UNUSED)
{
	s390_tlb_flush(c);
	return 0;
}

/* CSP/CSPG: compare and swap, then purge the TLB when r2 bit 63 is set. */
static int csp(struct s390_cpu *c, struct s390_dec *d, unsigned int w)
{
	u64 a = s390_real_to_abs(c->prefix, c->gprs[d->r2] & ~(u64)(w - 1));
	u64 old = c->gprs[d->r1], new = c->gprs[d->r1 + 1], cur;
	u8 b[8];

	if (d->r1 & 1)
		return PGM_SPECIFICATION;
	if (s390_abs_read(c, a, b, w))
		return PGM_ADDRESSING;
	cur = w == 4 ? be32(b) : be64(b);
	if (w == 4)
		old = (u32)old;
	if (cur != old) {
		if (w == 4)
			set_lo(c, d->r1, cur);
		else
			c->gprs[d->r1] = cur;
		s390_set_cc(c, 1);
		return 0;
	}
	if (w == 4)
		put_be32(b, (u32)new);
	else
		put_be64(b, new);
	s390_abs_write(c, a, b, w);
	if (c->gprs[d->r2] & 1)
		s390_tlb_flush(c);
	s390_set_cc(c, 0);
	return 0;
}

int op_csp(struct s390_cpu *c, struct s390_dec *d)
{
	return csp(c, d, 4);
}

int op_cspg(struct s390_cpu *c, struct s390_dec *d)
{
	return csp(c, d, 8);
}

int op_tprot(struct s390_cpu *c, struct s390_dec *d)
{
	u64 la = s390_ea(c, 0, d->b1, d->d1), a;
	u8 key = (op2_addr(c, d) >> 4) & 0xf, sk;
	bool prot, fetch, store;

	if (s390_translate(c, la, ACC_FETCH, &a, &prot)) {
		s390_set_cc(c, 3);
		return 0;
	}
	if (!s390_abs_host(c->kvm, a, 1, NULL))
		return PGM_ADDRESSING;
	sk = s390_key_get(c->vm, a);
	fetch = !key || (sk >> 4) == key || !(sk & 0x08);
	store = !prot && (!key || (sk >> 4) == key);
	s390_set_cc(c, store ? 0 : fetch ? 1 : 2);
	return 0;
}

/* LRA, LRAY, LRAG: translate as if DAT were on; cc 3 when it fails. */
int op_lra(struct s390_cpu *c, struct s390_dec *d)
{
	u64 la = s390_ea(c, d->x2, d->b2, d->d2), mask = c->mask, a;
	u32 prefix = c->prefix;
	int rc;

	c->mask |= PSW_DAT;
	c->prefix = 0;		/* report the real address, not absolute */
	rc = s390_translate(c, la, ACC_FETCH, &a, NULL);
	c->mask = mask;
	c->prefix = prefix;
	if (rc) {
		set_lo(c, d->r1, 0x80000000u | (u32)rc);
		s390_set_cc(c, 3);
		return 0;
	}
	if (d->in->op2 == 0x03 || (c->mask & PSW_EA))
		c->gprs[d->r1] = a;
	else
		set_lo(c, d->r1, a);
	s390_set_cc(c, 0);
	return 0;
}

int op_tb(struct s390_cpu *c, struct s390_dec *d)
{
	u64 a;
	u8 *p;

	TRY(frame(c, c->gprs[d->r2], &a));
	p = s390_abs_data(c->kvm, a, 4096, NULL);
	if (!p)
		return PGM_ADDRESSING;
	memset(p, 0, 4096);
	s390_set_cc(c, 0);
	return 0;
}

int op_pfmf(struct s390_cpu *c, struct s390_dec *d)
{
	u64 ctl = c->gprs[d->r1], r = c->gprs[d->r2], end, a;
	unsigned int fsc = (unsigned int)(ctl >> 18) & 3;	/* bits 44-45 */

	if (fsc > 1)
		return PGM_SPECIFICATION;
	end = fsc ? (r | 0xfffffULL) + 1 : (r & ~0xfffULL) + 4096;
	for (r &= ~0xfffULL; r < end; r += 4096) {
		TRY(frame(c, r, &a));
		if (ctl & BIT64(46)) {
			atomic_store(&c->vm->skeys_enabled, true);
			s390_key_set(c->vm, a, (u8)ctl & 0xf8);
		}
		if (ctl & BIT64(47)) {
			u8 *p = s390_abs_data(c->kvm, a, 4096, NULL);

			if (!p)
				return PGM_ADDRESSING;
			memset(p, 0, 4096);
		}
	}
	if (fsc)
		c->gprs[d->r2] = (c->mask & PSW_EA) ? end :
			(c->gprs[d->r2] & ~0xffffffffULL) | (u32)end;
	return 0;
}
