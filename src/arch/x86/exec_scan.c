// SPDX-License-Identifier: MIT
/*
 * Bit scans and counts (BSF/BSR/TZCNT/LZCNT/POPCNT) and byte swaps
 * (BSWAP/MOVBE), with their CPUID gates: the encodings of TZCNT and LZCNT
 * are REP-prefixed BSF/BSR, so a CPU without BMI1/ABM runs them as
 * BSF/BSR, while POPCNT and MOVBE raise #UD without their feature bit.
 */
#include "arch/x86/exec_int.h"

/*
 * BSF/BSR with a zero source set ZF and leave the destination unchanged
 * (no zero-extension of a 32-bit register either), as AMD documents and
 * Intel does.  CF, OF, SF, AF and PF are undefined: we leave them alone.
 */
static enum x86_status bit_scan(struct x86_cpu *cpu,
				const struct x86_insn *in, bool reverse)
{
	enum x86_status st;
	u64 v;

	st = x86_op_read(cpu, in, 1, &v);
	if (st != X86_OK)
		return st;
	if (!v) {
		cpu->rflags |= X86_ZF;
		return X86_OK;
	}
	cpu->rflags &= ~X86_ZF;
	x86_op_write(cpu, in, 0, reverse ? 63 - (u64)__builtin_clzll(v) :
					 (u64)__builtin_ctzll(v));
	return X86_OK;
}

X86_HANDLER(x86_i_bsf)
{
	return bit_scan(cpu, in, false);
}

X86_HANDLER(x86_i_bsr)
{
	return bit_scan(cpu, in, true);
}

/* TZCNT/LZCNT: CF = (source is zero), ZF = (count is zero). */
static enum x86_status bit_count(struct x86_cpu *cpu,
				 const struct x86_insn *in, bool leading)
{
	int size = in->op[0].size, bits = size * 8;
	enum x86_status st;
	u64 v, n;

	st = x86_op_read(cpu, in, 1, &v);
	if (st != X86_OK)
		return st;
	if (!v)
		n = (u64)bits;
	else if (leading)
		n = (u64)(__builtin_clzll(v) - (64 - bits));
	else
		n = (u64)__builtin_ctzll(v);
	x86_op_write(cpu, in, 0, n);
	cpu->rflags &= ~(X86_CF | X86_ZF);
	cpu->rflags |= (v ? 0 : X86_CF) | (n ? 0 : X86_ZF);
	return X86_OK;
}

X86_HANDLER(x86_i_tzcnt)
{
	if (!X86_FEAT_BMI1(cpu))
		return bit_scan(cpu, in, false);
	return bit_count(cpu, in, false);
}

X86_HANDLER(x86_i_lzcnt)
{
	if (!X86_FEAT_ABM(cpu))
		return bit_scan(cpu, in, true);
	return bit_count(cpu, in, true);
}

/* POPCNT clears OF, SF, AF, CF and PF and sets ZF for a zero source. */
X86_HANDLER(x86_i_popcnt)
{
	enum x86_status st;
	u64 v;

	if (!X86_FEAT_POPCNT(cpu))
		return x86_ud(cpu);
	st = x86_op_read(cpu, in, 1, &v);
	if (st != X86_OK)
		return st;
	x86_op_write(cpu, in, 0, (u64)__builtin_popcountll(v));
	cpu->rflags = (cpu->rflags & ~X86_ARITH_FLAGS) | (v ? 0 : X86_ZF);
	return X86_OK;
}

static u64 bswap(u64 v, int size)
{
	switch (size) {
	case 2:
		return __builtin_bswap16((u16)v);
	case 4:
		return __builtin_bswap32((u32)v);
	default:
		return __builtin_bswap64(v);
	}
}

/* BSWAP of a 16-bit register is undefined; the hardware writes zero. */
X86_HANDLER(x86_i_bswap)
{
	int size = in->op[0].size;
	u64 v;

	x86_op_read(cpu, in, 0, &v);
	x86_op_write(cpu, in, 0, size == 2 ? 0 : bswap(v, size));
	return X86_OK;
}

X86_HANDLER(x86_i_movbe)
{
	enum x86_status st;
	u64 v;

	if (!X86_FEAT_MOVBE(cpu))
		return x86_ud(cpu);
	st = x86_op_read(cpu, in, 1, &v);
	if (st != X86_OK)
		return st;
	return x86_op_write(cpu, in, 0, bswap(v, in->op[0].size));
}
