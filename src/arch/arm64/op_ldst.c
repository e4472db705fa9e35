// SPDX-License-Identifier: MIT
/*
 * A64 loads and stores: single registers (unsigned offset, unscaled,
 * pre/post-indexed, unprivileged, register offset, literal), pairs, and
 * the exclusive and acquire/release class; general and SIMD&FP registers.
 * Single general-register forms without writeback carry a valid syndrome,
 * so outside RAM they exit to user space as KVM_EXIT_MMIO; the others take
 * KVM's no-syndrome path (mmu.c).  Store-exclusive is a compare-and-swap
 * against the value the load-exclusive saw, so it is atomic against other
 * vCPUs' exclusives and plain stores that change the value.
 */
#include <string.h>

#include "arm64.h"

static pthread_mutex_t pair_lock = PTHREAD_MUTEX_INITIALIZER;

/* SP as a base: the stack alignment check of SCTLR_EL1.SA/SA0. */
static int base_reg(struct a64_cpu *c, unsigned int n, u64 *base)
{
	*base = a64_xsp(c, n);
	if (n == 31 && (*base & 15) &&
	    (c->sr[SR_SCTLR_EL1] & (a64_el(c) ? BIT(3) : BIT(4))))
		return a64_sync_exc(c, (u32)EC_SP_ALIGN << 26, 0, false);
	return 0;
}

static void set_vreg(struct a64_cpu *c, unsigned int t, const void *buf,
		     unsigned int size)
{
	__uint128_t v = 0;

	memcpy(&v, buf, size);
	c->v[t] = v;
}

/* One register of size bytes: general (sign/wide per opc) or SIMD&FP. */
struct ldst {
	unsigned int size;
	bool load, vreg, sign, wide, prfm;
};

/* Decode size/V/opc of the single-register classes; false: UNDEFINED. */
static bool decode_single(u32 insn, struct ldst *l)
{
	unsigned int size = BITS(insn, 31, 30), opc = BITS(insn, 23, 22);

	memset(l, 0, sizeof(*l));
	l->vreg = insn & BIT(26);
	if (l->vreg) {
		if (opc >= 2 && size)
			return false;
		l->size = opc >= 2 ? 16 : 1u << size;
		l->load = opc & 1;
		return true;
	}
	l->size = 1u << size;
	l->load = opc != 0;
	l->wide = size == 3 || opc == 2;
	if (opc == 2 && size == 3)
		l->prfm = true;
	else if (opc == 2)
		l->sign = true;
	else if (opc == 3) {
		if (size >= 2)
			return false;
		l->sign = true;
		l->wide = false;
	}
	return true;
}

static unsigned int scale_of(const struct ldst *l)
{
	return (unsigned int)__builtin_ctz(l->size);
}

/* Do the access; syndrome says whether an MMIO exit may carry it. */
static int do_single(struct a64_cpu *c, const struct ldst *l, unsigned int t,
		     u64 addr, bool syndrome, unsigned int acc)
{
	u8 buf[16] = { 0 };
	u64 v = 0;
	int rc;

	if (l->prfm)
		return 0;
	if (!l->vreg && syndrome) {
		if (l->load)
			return a64_ld_reg(c, addr, l->size, t, l->sign, l->wide,
					  acc);
		return a64_st_reg(c, addr, l->size, a64_x(c, t), acc);
	}
	if (l->load) {
		rc = a64_read(c, addr, buf, l->size, acc);
		if (rc)
			return rc;
		if (l->vreg) {
			set_vreg(c, t, buf, l->size);
		} else {
			memcpy(&v, buf, l->size);
			if (l->sign)
				v = (u64)sext(v, l->size * 8);
			a64_set_x(c, t, l->wide ? v : (u32)v);
		}
		return 0;
	}
	if (l->vreg)
		memcpy(buf, &c->v[t], l->size);
	else
		v = a64_x(c, t), memcpy(buf, &v, l->size);
	return a64_write(c, addr, buf, l->size, acc);
}

int op_ldst_uimm(struct a64_cpu *c, u32 insn)
{
	struct ldst l;
	u64 base;
	int rc;

	if (!decode_single(insn, &l))
		return a64_undef(c, insn);
	rc = base_reg(c, BITS(insn, 9, 5), &base);
	if (rc)
		return rc;
	return do_single(c, &l, insn & 31,
			 base + (BITS(insn, 21, 10) << scale_of(&l)), true, 0);
}

int op_ldst_imm9(struct a64_cpu *c, u32 insn)
{
	unsigned int kind = BITS(insn, 11, 10), n = BITS(insn, 9, 5);
	s64 off = sext(BITS(insn, 20, 12), 9);
	unsigned int acc = 0;
	struct ldst l;
	u64 base, addr;
	int rc;

	if (!decode_single(insn, &l) || (l.prfm && kind != 0))
		return a64_undef(c, insn);
	if (kind == 2) {		/* LDTR/STTR */
		if (l.vreg)
			return a64_undef(c, insn);
		acc = ACC_UNPRIV;
	}
	rc = base_reg(c, n, &base);
	if (rc)
		return rc;
	addr = kind == 1 ? base : base + (u64)off;
	rc = do_single(c, &l, insn & 31, addr, kind == 0 || kind == 2, acc);
	if (rc == 0 && (kind == 1 || kind == 3))
		a64_set_xsp(c, n, base + (u64)off);
	return rc;
}

int op_ldst_regoff(struct a64_cpu *c, u32 insn)
{
	unsigned int opt = BITS(insn, 15, 13), sh;
	struct ldst l;
	u64 base, m;
	int rc;

	if (!decode_single(insn, &l) || !(opt & 2))
		return a64_undef(c, insn);
	sh = (insn & BIT(12)) ? scale_of(&l) : 0;
	m = a64_x(c, BITS(insn, 20, 16));
	if (opt == 2)
		m = (u32)m;
	else if (opt == 6)
		m = (u64)(s64)(s32)m;
	rc = base_reg(c, BITS(insn, 9, 5), &base);
	if (rc)
		return rc;
	return do_single(c, &l, insn & 31, base + (m << sh), true, 0);
}

int op_ld_lit(struct a64_cpu *c, u32 insn)
{
	unsigned int opc = BITS(insn, 31, 30);
	u64 addr = c->ipc + (u64)(sext(BITS(insn, 23, 5), 19) * 4);
	struct ldst l = { .load = true };

	if (insn & BIT(26)) {
		if (opc == 3)
			return a64_undef(c, insn);
		l.vreg = true;
		l.size = 4u << opc;
	} else if (opc == 3) {
		return 0;		/* PRFM (literal) */
	} else {
		l.size = opc == 0 ? 4 : opc == 1 ? 8 : 4;
		l.sign = opc == 2;
		l.wide = opc != 0;
	}
	return do_single(c, &l, insn & 31, addr, true, 0);
}

int op_ldst_pair(struct a64_cpu *c, u32 insn)
{
	unsigned int opc = BITS(insn, 31, 30), type = BITS(insn, 24, 23);
	unsigned int n = BITS(insn, 9, 5), t = insn & 31;
	unsigned int t2 = BITS(insn, 14, 10), size, i;
	bool vreg = insn & BIT(26), load = insn & BIT(22), sign = false;
	u8 buf[32] = { 0 };
	u64 base, addr, v;
	s64 off;
	int rc;

	if (opc == 3 || (!vreg && opc == 1 && !load))
		return a64_undef(c, insn);
	if (vreg) {
		size = 4u << opc;
	} else {
		size = opc == 2 ? 8 : 4;
		sign = opc == 1;
	}
	off = sext(BITS(insn, 21, 15), 7) * (s64)size;
	rc = base_reg(c, n, &base);
	if (rc)
		return rc;
	addr = type == 1 ? base : base + (u64)off;
	if (!load) {
		for (i = 0; i < 2; i++) {
			v = a64_x(c, i ? t2 : t);
			memcpy(buf + i * size, vreg ? (void *)&c->v[i ? t2 : t]
			       : (void *)&v, size);
		}
		rc = a64_write(c, addr, buf, 2 * size, 0);
	} else {
		rc = a64_read(c, addr, buf, 2 * size, 0);
		for (i = 0; !rc && i < 2; i++) {
			if (vreg) {
				set_vreg(c, i ? t2 : t, buf + i * size, size);
				continue;
			}
			v = 0;
			memcpy(&v, buf + i * size, size);
			if (sign)
				v = (u64)(s64)(s32)v;
			a64_set_x(c, i ? t2 : t, v);
		}
	}
	if (rc == 0 && (type == 1 || type == 3))
		a64_set_xsp(c, n, base + (u64)off);
	return rc;
}

/* LDAR/STLR: single register, aligned, with a valid syndrome. */
static int acq_rel(struct a64_cpu *c, u32 insn, u64 addr, unsigned int size)
{
	bool load = insn & BIT(22);

	if (addr & (size - 1))
		return a64_sync_exc(c, (u32)(a64_el(c) ? EC_DABT_CUR :
				EC_DABT_LOW) << 26 | FSC_ALIGN |
				(load ? 0 : BIT(6)), addr, true);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (load)
		return a64_ld_reg(c, addr, size, insn & 31, false, size == 8,
				  0);
	return a64_st_reg(c, addr, size, a64_x(c, insn & 31), 0);
}

static int load_excl(struct a64_cpu *c, u32 insn, u64 addr,
		     unsigned int size, bool pair)
{
	unsigned int t = insn & 31, t2 = BITS(insn, 14, 10);
	unsigned int total = pair ? size * 2 : size;
	u64 v[2] = { 0, 0 };
	u8 *p;
	int rc = a64_host_ptr(c, addr, total, ACC_READ, &p);

	if (rc)
		return rc;
	if (total <= 8) {
		switch (total) {
		case 1: v[0] = __atomic_load_n(p, __ATOMIC_SEQ_CST); break;
		case 2: v[0] = __atomic_load_n((u16 *)p, __ATOMIC_SEQ_CST);
			break;
		case 4: v[0] = __atomic_load_n((u32 *)p, __ATOMIC_SEQ_CST);
			break;
		default: v[0] = __atomic_load_n((u64 *)p, __ATOMIC_SEQ_CST);
		}
	} else {
		pthread_mutex_lock(&pair_lock);
		memcpy(v, p, 16);
		pthread_mutex_unlock(&pair_lock);
	}
	c->excl_valid = true;
	c->excl_addr = addr;
	c->excl_size = (u8)total;
	c->excl_val[0] = v[0];
	c->excl_val[1] = v[1];
	if (pair && size == 4) {
		a64_set_w(c, t, v[0]);
		a64_set_w(c, t2, v[0] >> 32);
	} else {
		a64_set_x(c, t, v[0]);
		if (pair)
			a64_set_x(c, t2, v[1]);
	}
	return 0;
}

static bool cas_n(u8 *p, unsigned int size, u64 old, u64 nw)
{
	switch (size) {
	case 1: { u8 o = (u8)old; return __atomic_compare_exchange_n(p, &o,
			(u8)nw, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); }
	case 2: { u16 o = (u16)old; return __atomic_compare_exchange_n(
			(u16 *)p, &o, (u16)nw, false, __ATOMIC_SEQ_CST,
			__ATOMIC_SEQ_CST); }
	case 4: { u32 o = (u32)old; return __atomic_compare_exchange_n(
			(u32 *)p, &o, (u32)nw, false, __ATOMIC_SEQ_CST,
			__ATOMIC_SEQ_CST); }
	default: return __atomic_compare_exchange_n((u64 *)p, &old, nw, false,
			__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
	}
}

static int store_excl(struct a64_cpu *c, u32 insn, u64 addr,
		      unsigned int size, bool pair)
{
	unsigned int t = insn & 31, t2 = BITS(insn, 14, 10);
	unsigned int s = BITS(insn, 20, 16), total = pair ? size * 2 : size;
	u64 nw[2] = { a64_x(c, t), pair ? a64_x(c, t2) : 0 };
	bool ok = false;
	u8 *p;
	int rc = a64_host_ptr(c, addr, total, ACC_WRITE, &p);

	if (rc)
		return rc;
	if (pair && size == 4)
		nw[0] = (u32)nw[0] | nw[1] << 32;
	if (c->excl_valid && c->excl_addr == addr && c->excl_size == total) {
		if (total <= 8) {
			ok = cas_n(p, total, c->excl_val[0], nw[0]);
		} else {
			pthread_mutex_lock(&pair_lock);
			ok = !memcmp(p, c->excl_val, 16);
			if (ok)
				memcpy(p, nw, 16);
			pthread_mutex_unlock(&pair_lock);
		}
	}
	c->excl_valid = false;
	a64_set_w(c, s, ok ? 0 : 1);
	return 0;
}

int op_ldst_excl(struct a64_cpu *c, u32 insn)
{
	unsigned int size = 1u << BITS(insn, 31, 30);
	bool o2 = insn & BIT(23), o1 = insn & BIT(21), load = insn & BIT(22);
	u64 addr;
	int rc = base_reg(c, BITS(insn, 9, 5), &addr);

	if (rc)
		return rc;
	if (o2) {
		if (o1 || !(insn & BIT(15)))	/* CAS, LDLAR/STLLR */
			return a64_undef(c, insn);
		return acq_rel(c, insn, addr, size);
	}
	if (o1 && size < 4)
		return a64_undef(c, insn);
	if (insn & BIT(15))
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (load)
		return load_excl(c, insn, addr, size, o1);
	return store_excl(c, insn, addr, size, o1);
}
