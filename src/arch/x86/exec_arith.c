// SPDX-License-Identifier: MIT
/*
 * Integer arithmetic: ADD/ADC/SUB/SBB/CMP/AND/OR/XOR/TEST, INC/DEC,
 * NEG/NOT, MUL/IMUL/DIV/IDIV, XCHG, XADD, CMPXCHG, CMPXCHG8B/16B.
 * Every read-modify-write goes through x86_rmw() so that LOCK works the
 * same way everywhere.
 */
#include "arch/x86/exec_int.h"

/* ---- the ALU steps, as x86_rmw_fn ---- */

static u64 alu_add(struct x86_cpu *cpu, u64 a, u64 b, u64 aux, int size)
{
	u64 r = a + b;

	(void)aux;
	x86_flags_add(cpu, a, b, 0, r, size);
	return r;
}

static u64 alu_adc(struct x86_cpu *cpu, u64 a, u64 b, u64 aux, int size)
{
	u64 c = cpu->rflags & X86_CF ? 1 : 0, r = a + b + c;

	(void)aux;
	x86_flags_add(cpu, a, b, c, r, size);
	return r;
}

static u64 alu_sub(struct x86_cpu *cpu, u64 a, u64 b, u64 aux, int size)
{
	u64 r = a - b;

	(void)aux;
	x86_flags_sub(cpu, a, b, 0, r, size);
	return r;
}

static u64 alu_sbb(struct x86_cpu *cpu, u64 a, u64 b, u64 aux, int size)
{
	u64 c = cpu->rflags & X86_CF ? 1 : 0, r = a - b - c;

	(void)aux;
	x86_flags_sub(cpu, a, b, c, r, size);
	return r;
}

static u64 alu_and(struct x86_cpu *cpu, u64 a, u64 b, u64 aux, int size)
{
	(void)aux;
	x86_flags_logic(cpu, a & b, size);
	return a & b;
}

static u64 alu_or(struct x86_cpu *cpu, u64 a, u64 b, u64 aux, int size)
{
	(void)aux;
	x86_flags_logic(cpu, a | b, size);
	return a | b;
}

static u64 alu_xor(struct x86_cpu *cpu, u64 a, u64 b, u64 aux, int size)
{
	(void)aux;
	x86_flags_logic(cpu, a ^ b, size);
	return a ^ b;
}

/* INC/DEC keep CF: compute as ADD/SUB of 1, then put CF back. */
static u64 alu_inc(struct x86_cpu *cpu, u64 a, u64 b, u64 aux, int size)
{
	u64 cf = cpu->rflags & X86_CF;

	(void)b;
	(void)aux;
	x86_flags_add(cpu, a, 1, 0, a + 1, size);
	cpu->rflags = (cpu->rflags & ~X86_CF) | cf;
	return a + 1;
}

static u64 alu_dec(struct x86_cpu *cpu, u64 a, u64 b, u64 aux, int size)
{
	u64 cf = cpu->rflags & X86_CF;

	(void)b;
	(void)aux;
	x86_flags_sub(cpu, a, 1, 0, a - 1, size);
	cpu->rflags = (cpu->rflags & ~X86_CF) | cf;
	return a - 1;
}

static u64 alu_neg(struct x86_cpu *cpu, u64 a, u64 b, u64 aux, int size)
{
	(void)b;
	(void)aux;
	x86_flags_sub(cpu, 0, a, 0, -a, size);
	return -a;
}

static u64 alu_not(struct x86_cpu *cpu, u64 a, u64 b, u64 aux, int size)
{
	(void)cpu;
	(void)b;
	(void)aux;
	(void)size;
	return ~a;
}

static u64 alu_mov(struct x86_cpu *cpu, u64 a, u64 b, u64 aux, int size)
{
	(void)cpu;
	(void)a;
	(void)aux;
	(void)size;
	return b;
}

/* ---- two-operand ALU instructions ---- */

static enum x86_status alu2(struct x86_cpu *cpu, const struct x86_insn *in,
			    x86_rmw_fn fn)
{
	enum x86_status st;
	u64 b;

	st = x86_src(cpu, in, 1, in->op[0].size, &b);
	if (st != X86_OK)
		return st;
	return x86_rmw(cpu, in, 0, false, fn, b, 0, NULL);
}

/* CMP and TEST only read: no write, so no write fault either. */
static enum x86_status alu2_ro(struct x86_cpu *cpu,
			       const struct x86_insn *in, x86_rmw_fn fn)
{
	enum x86_status st;
	u64 a, b;

	st = x86_op_read(cpu, in, 0, &a);
	if (st == X86_OK)
		st = x86_src(cpu, in, 1, in->op[0].size, &b);
	if (st != X86_OK)
		return st;
	fn(cpu, a, b, 0, in->op[0].size);
	return X86_OK;
}

#define ALU2(name, fn)							\
	X86_HANDLER(x86_i_##name)					\
	{								\
		return alu2(cpu, in, fn);				\
	}
ALU2(add, alu_add)
ALU2(adc, alu_adc)
ALU2(sub, alu_sub)
ALU2(sbb, alu_sbb)
ALU2(and, alu_and)
ALU2(or, alu_or)
ALU2(xor, alu_xor)

#define ALU1(name, fn)							\
	X86_HANDLER(x86_i_##name)					\
	{								\
		return x86_rmw(cpu, in, 0, false, fn, 0, 0, NULL);	\
	}
ALU1(inc, alu_inc)
ALU1(dec, alu_dec)
ALU1(neg, alu_neg)
ALU1(not, alu_not)

X86_HANDLER(x86_i_cmp)
{
	return alu2_ro(cpu, in, alu_sub);
}

X86_HANDLER(x86_i_test)
{
	return alu2_ro(cpu, in, alu_and);
}

/* ---- exchanges ---- */

/* XCHG with memory is locked whether or not it has the prefix. */
X86_HANDLER(x86_i_xchg)
{
	int m = in->op[0].kind == X86_OP_MEM ? 0 : 1;
	int r = 1 - m;
	enum x86_status st;
	u64 a, b;

	x86_op_read(cpu, in, r, &b);
	if (in->op[m].kind == X86_OP_MEM) {
		st = x86_rmw(cpu, in, m, true, alu_mov, b, 0, &a);
		if (st != X86_OK)
			return st;
	} else {
		x86_op_read(cpu, in, m, &a);
		x86_op_write(cpu, in, m, b);
	}
	x86_op_write(cpu, in, r, a);
	return X86_OK;
}

/* XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP (DEST written last). */
X86_HANDLER(x86_i_xadd)
{
	enum x86_status st;
	u64 a, b;

	x86_op_read(cpu, in, 1, &b);
	if (in->op[0].kind == X86_OP_MEM) {
		st = x86_rmw(cpu, in, 0, false, alu_add, b, 0, &a);
		if (st != X86_OK)
			return st;
		x86_op_write(cpu, in, 1, a);
		return X86_OK;
	}
	x86_op_read(cpu, in, 0, &a);
	x86_op_write(cpu, in, 1, a);
	x86_op_write(cpu, in, 0, alu_add(cpu, a, b, 0, in->op[0].size));
	return X86_OK;
}

/*
 * CMPXCHG compares the accumulator with DEST.  A memory destination is
 * written back with its own value on a mismatch (the SDM's locked cycle);
 * a register destination is then left alone, upper half included: a
 * 32-bit one is not zero-extended (AMD hardware, the /dev/kvm oracle).
 */
static u64 alu_cmpxchg(struct x86_cpu *cpu, u64 old, u64 src, u64 acc,
		       int size)
{
	x86_flags_sub(cpu, acc, old, 0, acc - old, size);
	return acc == old ? src : old;
}

X86_HANDLER(x86_i_cmpxchg)
{
	int size = in->op[0].size;
	enum x86_status st;
	u64 src, acc, old;

	x86_op_read(cpu, in, 1, &src);
	acc = x86_gpr_get(cpu, X86_RAX, size, false);
	if (in->op[0].kind == X86_OP_REG) {
		x86_op_read(cpu, in, 0, &old);
		alu_cmpxchg(cpu, old, src, acc, size);
		if (old == acc)
			x86_op_write(cpu, in, 0, src);
	} else {
		st = x86_rmw(cpu, in, 0, false, alu_cmpxchg, src, acc, &old);
		if (st != X86_OK)
			return st;
	}
	if (old != acc)
		x86_gpr_set(cpu, X86_RAX, size, false, old);
	return X86_OK;
}
