// SPDX-License-Identifier: MIT
/*
 * Widening multiply and divide (MUL/IMUL/DIV/IDIV), and the double-width
 * compare-exchanges CMPXCHG8B/16B.  The accumulator pair is AL:AH for byte
 * operands and rDX:rAX otherwise.
 */
#include "arch/x86/exec_int.h"

typedef unsigned __int128 u128;
typedef __int128 s128;

/* Write a double-width result: AX for bytes, rDX:rAX otherwise. */
static void acc_pair_set(struct x86_cpu *cpu, int size, u64 lo, u64 hi)
{
	if (size == 1) {
		x86_gpr_set(cpu, X86_RAX, 2, false, (lo & 0xff) | (hi << 8));
		return;
	}
	x86_gpr_set(cpu, X86_RAX, size, false, lo);
	x86_gpr_set(cpu, X86_RDX, size, false, hi);
}

static u128 acc_pair_get(const struct x86_cpu *cpu, int size)
{
	if (size == 1)
		return x86_gpr_get(cpu, X86_RAX, 2, false);
	return ((u128)x86_gpr_get(cpu, X86_RDX, size, false) << (size * 8)) |
	       x86_gpr_get(cpu, X86_RAX, size, false);
}

/*
 * After a multiply CF = OF = "the high half is significant"; SF, ZF, AF
 * and PF are undefined.  We set SF/ZF/PF from the low half and clear AF,
 * which is what the AMD hardware our oracle runs on does.
 */
static void mul_flags(struct x86_cpu *cpu, u64 lo, bool overflow, int size)
{
	x86_flags_logic(cpu, lo, size);
	if (overflow)
		cpu->rflags |= X86_CF | X86_OF_;
}

X86_HANDLER(x86_i_mul)
{
	int size = in->op[0].size;
	enum x86_status st;
	u64 a, b, lo, hi;
	u128 r;

	st = x86_op_read(cpu, in, 0, &b);
	if (st != X86_OK)
		return st;
	a = x86_gpr_get(cpu, X86_RAX, size, false);
	r = (u128)a * b;
	lo = (u64)r & x86_mask(size);
	hi = (u64)(r >> (size * 8)) & x86_mask(size);
	acc_pair_set(cpu, size, lo, hi);
	mul_flags(cpu, lo, hi != 0, size);
	return X86_OK;
}

/* Signed product of a and b, both sign-extended from size bytes. */
static u64 imul_step(struct x86_cpu *cpu, u64 a, u64 b, int size, u64 *hi)
{
	s128 r = (s128)x86_sext(a, size) * x86_sext(b, size);
	u64 lo = (u64)r & x86_mask(size);

	*hi = (u64)(r >> (size * 8)) & x86_mask(size);
	mul_flags(cpu, lo, (s128)x86_sext(lo, size) != r, size);
	return lo;
}

X86_HANDLER(x86_i_imul)
{
	int size = in->op[0].size, n = in->op[2].kind == X86_OP_IMM ? 3 : 2;
	enum x86_status st;
	u64 a, b, lo, hi;

	if (!in->op[1].visible) {	/* one operand: rDX:rAX = rAX * src */
		st = x86_op_read(cpu, in, 0, &b);
		if (st != X86_OK)
			return st;
		a = x86_gpr_get(cpu, X86_RAX, size, false);
		lo = imul_step(cpu, a, b, size, &hi);
		acc_pair_set(cpu, size, lo, hi);
		return X86_OK;
	}
	/* two operands: dst *= src; three: dst = src * imm */
	st = x86_op_read(cpu, in, 1, &a);
	if (st != X86_OK)
		return st;
	if (n == 3)
		b = in->op[2].imm & x86_mask(size);
	else
		x86_op_read(cpu, in, 0, &b);
	x86_op_write(cpu, in, 0, imul_step(cpu, a, b, size, &hi));
	return X86_OK;
}

/* DIV: #DE on a zero divisor or a quotient that does not fit. */
X86_HANDLER(x86_i_div)
{
	int size = in->op[0].size;
	enum x86_status st;
	u128 n, q;
	u64 d;

	st = x86_op_read(cpu, in, 0, &d);
	if (st != X86_OK)
		return st;
	if (!d)
		return x86_raise(cpu, X86_DE, X86_NO_ERROR);
	n = acc_pair_get(cpu, size);
	q = n / d;
	if (q > x86_mask(size))
		return x86_raise(cpu, X86_DE, X86_NO_ERROR);
	acc_pair_set(cpu, size, (u64)q, (u64)(n % d));
	return X86_OK;
}

X86_HANDLER(x86_i_idiv)
{
	int size = in->op[0].size, bits = size * 8;
	s128 n, q, r, qmax = ((s128)1 << (bits - 1)) - 1;
	enum x86_status st;
	u128 un;
	s64 d;
	u64 v;

	st = x86_op_read(cpu, in, 0, &v);
	if (st != X86_OK)
		return st;
	d = x86_sext(v, size);
	if (!d)
		return x86_raise(cpu, X86_DE, X86_NO_ERROR);
	un = acc_pair_get(cpu, size);
	/* sign-extend the 2*bits-wide dividend; INT128_MIN / -1 traps in C */
	n = bits == 64 ? (s128)un :
	    (s128)(un << (128 - 2 * bits)) >> (128 - 2 * bits);
	if (bits == 64 && un == (u128)1 << 127)
		return x86_raise(cpu, X86_DE, X86_NO_ERROR);
	q = n / d;
	r = n % d;
	if (q > qmax || q < -qmax - 1)
		return x86_raise(cpu, X86_DE, X86_NO_ERROR);
	acc_pair_set(cpu, size, (u64)q & x86_mask(size),
		     (u64)r & x86_mask(size));
	return X86_OK;
}

/* ---- CMPXCHG8B / CMPXCHG16B ---- */

static u64 alu_cx8(struct x86_cpu *cpu, u64 old, u64 src, u64 cmp, int size)
{
	(void)size;
	cpu->rflags &= ~X86_ZF;
	if (old != cmp)
		return old;
	cpu->rflags |= X86_ZF;
	return src;
}

X86_HANDLER(x86_i_cmpxchg8b)
{
	u64 cmp = (cpu->gpr[X86_RDX] << 32) | (u32)cpu->gpr[X86_RAX];
	u64 src = (cpu->gpr[X86_RCX] << 32) | (u32)cpu->gpr[X86_RBX];
	enum x86_status st;
	u64 old;

	if (in->op[0].kind != X86_OP_MEM)
		return x86_ud(cpu);
	st = x86_rmw_mem(cpu, in->lock, in->op[0].seg,
			 x86_ea(cpu, in, &in->op[0]), 8, alu_cx8, src, cmp,
			 &old);
	if (st != X86_OK)
		return st;
	/* a mismatch loads EDX:EAX: 32-bit writes clear the upper halves */
	if (old != cmp) {
		cpu->gpr[X86_RAX] = (u32)old;
		cpu->gpr[X86_RDX] = old >> 32;
	}
	return X86_OK;
}

static bool cas16(void *host, u64 *cmp, const u64 *src)
{
#if defined(__x86_64__)
	u64 *p = host;
	bool ok;

	asm volatile("lock cmpxchg16b %1"
		     : "=@ccz"(ok), "+m"(*(volatile u64(*)[2])p),
		       "+a"(cmp[0]), "+d"(cmp[1])
		     : "b"(src[0]), "c"(src[1])
		     : "memory");
	return ok;
#else
	u128 c = ((u128)cmp[1] << 64) | cmp[0];
	u128 s = ((u128)src[1] << 64) | src[0];
	bool ok = __atomic_compare_exchange_n((u128 *)host, &c, s, false,
					      __ATOMIC_SEQ_CST,
					      __ATOMIC_SEQ_CST);

	cmp[0] = (u64)c;
	cmp[1] = (u64)(c >> 64);
	return ok;
#endif
}

/* The non-atomic path: read all 16 bytes, then write them. */
static enum x86_status cx16_plain(struct x86_cpu *cpu, int seg, u64 ea,
				  u64 *cmp, const u64 *src, bool *ok)
{
	enum x86_status st;
	u64 old[2];

	st = x86_read(cpu, seg, ea, old, 16);
	if (st != X86_OK)
		return st;
	*ok = old[0] == cmp[0] && old[1] == cmp[1];
	st = x86_write(cpu, seg, ea, *ok ? src : old, 16);
	if (st != X86_OK)
		return st;
	cmp[0] = old[0];
	cmp[1] = old[1];
	return X86_OK;
}

X86_HANDLER(x86_i_cmpxchg16b)
{
	u64 cmp[2] = { cpu->gpr[X86_RAX], cpu->gpr[X86_RDX] };
	u64 src[2] = { cpu->gpr[X86_RBX], cpu->gpr[X86_RCX] };
	const struct x86_operand *op = &in->op[0];
	u64 ea = x86_ea(cpu, in, op);
	enum x86_status st;
	void *host = NULL;
	u64 lin;
	bool ok;

	if (op->kind != X86_OP_MEM || !X86_FEAT_CX16(cpu))
		return x86_ud(cpu);
	/* the alignment check is on the linear address, before paging */
	st = x86_seg_linear(cpu, op->seg, ea, 16, X86_ACC_WRITE, &lin);
	if (st != X86_OK)
		return st;
	if (lin & 15)
		return x86_gp0(cpu);
	if (in->lock) {
		st = x86_atomic_ptr(cpu, op->seg, ea, 16, &host);
		if (st != X86_OK)
			return st;
	}
	if (host) {
		ok = cas16(host, cmp, src);
	} else {
		st = cx16_plain(cpu, op->seg, ea, cmp, src, &ok);
		if (st != X86_OK)
			return st;
	}
	cpu->rflags = (cpu->rflags & ~X86_ZF) | (ok ? X86_ZF : 0);
	cpu->gpr[X86_RAX] = cmp[0];
	cpu->gpr[X86_RDX] = cmp[1];
	return X86_OK;
}
