// SPDX-License-Identifier: MIT
/*
 * Shifts and rotates, double shifts, bit tests, bit scans and counts,
 * byte swaps.  Where the SDM leaves a flag undefined we produce what the
 * AMD/Intel hardware behind /dev/kvm produces where that was cheap to
 * match (see the comments); the differential tester masks the rest.
 */
#include "arch/x86/exec_int.h"

typedef unsigned __int128 u128;

/* Set CF/OF and SF/ZF/PF from r; AF is cleared (undefined by the SDM). */
static void shift_flags(struct x86_cpu *cpu, u64 r, int size, u64 cf, u64 of)
{
	x86_flags_logic(cpu, r, size);
	cpu->rflags |= (cf ? X86_CF : 0) | (of ? X86_OF_ : 0);
}

/* Rotates change only CF and OF. */
static void rot_flags(struct x86_cpu *cpu, u64 cf, u64 of)
{
	cpu->rflags = (cpu->rflags & ~(X86_CF | X86_OF_)) |
		      (cf ? X86_CF : 0) | (of ? X86_OF_ : 0);
}

static u64 sh_shl(struct x86_cpu *cpu, u64 v, u64 c, u64 aux, int size)
{
	int bits = size * 8;
	u64 r = (v << c) & x86_mask(size);
	u64 cf = c <= (u64)bits ? (v >> (bits - c)) & 1 : 0;

	(void)aux;
	shift_flags(cpu, r, size, cf, x86_msb(r, size) ^ cf);
	return r;
}

static u64 sh_shr(struct x86_cpu *cpu, u64 v, u64 c, u64 aux, int size)
{
	u64 r = v >> c;

	(void)aux;
	shift_flags(cpu, r, size, (v >> (c - 1)) & 1, x86_msb(v, size));
	return r;
}

static u64 sh_sar(struct x86_cpu *cpu, u64 v, u64 c, u64 aux, int size)
{
	s64 sv = x86_sext(v, size);
	u64 r = (u64)(sv >> c) & x86_mask(size);

	(void)aux;
	shift_flags(cpu, r, size, (u64)(sv >> (c - 1)) & 1, 0);
	return r;
}

static u64 rotl(u64 v, unsigned int r, int size)
{
	int bits = size * 8;

	return r ? ((v << r) | (v >> (bits - r))) & x86_mask(size) : v;
}

static u64 sh_rol(struct x86_cpu *cpu, u64 v, u64 c, u64 aux, int size)
{
	u64 r = rotl(v, (unsigned int)(c % (u64)(size * 8)), size);

	(void)aux;
	rot_flags(cpu, r & 1, x86_msb(r, size) ^ (r & 1));
	return r;
}

static u64 sh_ror(struct x86_cpu *cpu, u64 v, u64 c, u64 aux, int size)
{
	int bits = size * 8;
	u64 r = rotl(v, (unsigned int)((bits - c % bits) % bits), size);

	(void)aux;
	rot_flags(cpu, x86_msb(r, size),
		  x86_msb(r, size) ^ ((r >> (bits - 2)) & 1));
	return r;
}

/* RCL/RCR rotate through CF: a (bits+1)-bit rotate, count mod bits+1. */
static u64 rc_count(u64 c, int size)
{
	return size == 1 ? c % 9 : size == 2 ? c % 17 : c;
}

static u64 sh_rcl(struct x86_cpu *cpu, u64 v, u64 c, u64 aux, int size)
{
	u64 cf = cpu->rflags & X86_CF ? 1 : 0, n = rc_count(c, size), out;

	(void)aux;
	if (!n)
		return v;
	for (; n; n--) {
		out = x86_msb(v, size);
		v = ((v << 1) | cf) & x86_mask(size);
		cf = out;
	}
	rot_flags(cpu, cf, x86_msb(v, size) ^ cf);
	return v;
}

static u64 sh_rcr(struct x86_cpu *cpu, u64 v, u64 c, u64 aux, int size)
{
	u64 cf = cpu->rflags & X86_CF ? 1 : 0, n = rc_count(c, size), out;
	int bits = size * 8;

	(void)aux;
	if (!n)
		return v;
	for (; n; n--) {
		out = v & 1;
		v = (v >> 1) | (cf << (bits - 1));
		cf = out;
	}
	rot_flags(cpu, cf, x86_msb(v, size) ^ ((v >> (bits - 2)) & 1));
	return v;
}

/* Count masked to 5 bits (6 for 64-bit operands); 0 changes nothing. */
static enum x86_status shift(struct x86_cpu *cpu, const struct x86_insn *in,
			     int cnt_op, x86_rmw_fn fn, u64 aux)
{
	enum x86_status st;
	u64 c, v;

	x86_op_read(cpu, in, cnt_op, &c);
	c &= in->op[0].size == 8 ? 63 : 31;
	if (!c) {
		/* a register is still written (32-bit: zero-extended) */
		st = x86_op_read(cpu, in, 0, &v);
		if (st == X86_OK && in->op[0].kind == X86_OP_REG)
			x86_op_write(cpu, in, 0, v);
		return st;
	}
	return x86_rmw(cpu, in, 0, false, fn, c, aux, NULL);
}

#define SHIFT(name)							\
	X86_HANDLER(x86_i_##name)					\
	{								\
		return shift(cpu, in, 1, sh_##name, 0);			\
	}
SHIFT(shl)
SHIFT(shr)
SHIFT(sar)
SHIFT(rol)
SHIFT(ror)
SHIFT(rcl)
SHIFT(rcr)

/*
 * SHLD/SHRD.  A 16-bit operand with a count above 16 gives an undefined
 * result; we shift through DEST:SRC:DEST as Intel does.
 */
static u64 sh_shld(struct x86_cpu *cpu, u64 d, u64 c, u64 s, int size)
{
	int bits = size * 8, wb = size == 2 ? 48 : 2 * bits;
	u128 w = ((u128)d << bits) | s;
	u64 r, cf;

	if (size == 2)
		w = (w << 16) | d;
	r = (u64)((w << c) >> (wb - bits)) & x86_mask(size);
	cf = (u64)(w >> (wb - c)) & 1;
	shift_flags(cpu, r, size, cf, x86_msb(r, size) ^ x86_msb(d, size));
	return r;
}

static u64 sh_shrd(struct x86_cpu *cpu, u64 d, u64 c, u64 s, int size)
{
	int bits = size * 8;
	u128 w = ((u128)s << bits) | d;
	u64 r;

	if (size == 2)
		w |= (u128)d << 32;
	r = (u64)(w >> c) & x86_mask(size);
	shift_flags(cpu, r, size, (u64)(w >> (c - 1)) & 1,
		    x86_msb(r, size) ^ x86_msb(d, size));
	return r;
}

X86_HANDLER(x86_i_shld)
{
	u64 s;

	x86_op_read(cpu, in, 1, &s);
	return shift(cpu, in, 2, sh_shld, s);
}

X86_HANDLER(x86_i_shrd)
{
	u64 s;

	x86_op_read(cpu, in, 1, &s);
	return shift(cpu, in, 2, sh_shrd, s);
}

/* ---- bit tests: CF = the bit; the others are left as they were ---- */

static u64 bt_set_cf(struct x86_cpu *cpu, u64 v, u64 bit)
{
	cpu->rflags = (cpu->rflags & ~X86_CF) | ((v >> bit) & 1);
	return 1ULL << bit;
}

static u64 bit_bt(struct x86_cpu *cpu, u64 v, u64 bit, u64 aux, int size)
{
	(void)aux;
	(void)size;
	bt_set_cf(cpu, v, bit);
	return v;
}

static u64 bit_bts(struct x86_cpu *cpu, u64 v, u64 bit, u64 aux, int size)
{
	(void)aux;
	(void)size;
	return v | bt_set_cf(cpu, v, bit);
}

static u64 bit_btr(struct x86_cpu *cpu, u64 v, u64 bit, u64 aux, int size)
{
	(void)aux;
	(void)size;
	return v & ~bt_set_cf(cpu, v, bit);
}

static u64 bit_btc(struct x86_cpu *cpu, u64 v, u64 bit, u64 aux, int size)
{
	(void)aux;
	(void)size;
	return v ^ bt_set_cf(cpu, v, bit);
}

/*
 * With a register bit offset and a memory operand the offset is signed
 * and selects any operand-sized word of the bit string around the
 * address; an immediate offset is taken modulo the operand size.
 */
static enum x86_status bit_test(struct x86_cpu *cpu,
				const struct x86_insn *in, x86_rmw_fn fn)
{
	const struct x86_operand *op = &in->op[0];
	int size = op->size, bits = size * 8;
	enum x86_status st;
	s64 off;
	u64 o, ea, v;

	x86_op_read(cpu, in, 1, &o);
	if (op->kind != X86_OP_MEM || in->op[1].kind == X86_OP_IMM) {
		o &= (u64)(bits - 1);
		if (fn != bit_bt)
			return x86_rmw(cpu, in, 0, false, fn, o, 0, NULL);
		st = x86_op_read(cpu, in, 0, &v);
		if (st == X86_OK)
			bit_bt(cpu, v, o, 0, size);
		return st;
	}
	off = x86_sext(o, size);
	ea = x86_ea(cpu, in, op) + (u64)((off >> (bits == 64 ? 6 :
					  bits == 32 ? 5 : 4)) * size);
	ea &= x86_mask(in->addrsize);
	o = (u64)off & (u64)(bits - 1);
	if (fn != bit_bt)
		return x86_rmw_mem(cpu, in->lock, op->seg, ea, size, fn, o, 0,
				   NULL);
	v = 0;
	st = x86_read(cpu, op->seg, ea, &v, (u32)size);
	if (st == X86_OK)
		bit_bt(cpu, v, o, 0, size);
	return st;
}

X86_HANDLER(x86_i_bt)
{
	return bit_test(cpu, in, bit_bt);
}

X86_HANDLER(x86_i_bts)
{
	return bit_test(cpu, in, bit_bts);
}

X86_HANDLER(x86_i_btr)
{
	return bit_test(cpu, in, bit_btr);
}

X86_HANDLER(x86_i_btc)
{
	return bit_test(cpu, in, bit_btc);
}
