// SPDX-License-Identifier: MIT
/*
 * Arithmetic flags, computed eagerly from the operands and the result.
 * (Lazy evaluation is a later optimisation; these functions are the one
 * place it would change.)
 */
#include "arch/x86/cpu.h"

static u64 parity(u64 res)
{
	return __builtin_parity((unsigned int)(res & 0xff)) ? 0 : X86_PF_;
}

static u64 szp(u64 res, int size)
{
	u64 f = parity(res);

	res &= x86_mask(size);
	if (!res)
		f |= X86_ZF;
	if (res >> (size * 8 - 1))
		f |= X86_SF;
	return f;
}

void x86_flags_szp(struct x86_cpu *cpu, u64 res, int size)
{
	cpu->rflags = (cpu->rflags & ~(X86_SF | X86_ZF | X86_PF_)) |
		      szp(res, size);
}

void x86_flags_add(struct x86_cpu *cpu, u64 a, u64 b, u64 carry_in,
		   u64 res, int size)
{
	u64 m = x86_mask(size), sign = 1ULL << (size * 8 - 1);
	u64 f = szp(res, size);

	a &= m;
	b &= m;
	res &= m;
	if (res < a || (carry_in && res == a))
		f |= X86_CF;
	if ((a ^ b ^ res) & 0x10)
		f |= X86_AF;
	if ((~(a ^ b) & (a ^ res)) & sign)
		f |= X86_OF_;
	cpu->rflags = (cpu->rflags & ~X86_ARITH_FLAGS) | f;
}

void x86_flags_sub(struct x86_cpu *cpu, u64 a, u64 b, u64 borrow_in,
		   u64 res, int size)
{
	u64 m = x86_mask(size), sign = 1ULL << (size * 8 - 1);
	u64 f = szp(res, size);

	a &= m;
	b &= m;
	res &= m;
	if (a < b || (borrow_in && a == b))
		f |= X86_CF;
	if ((a ^ b ^ res) & 0x10)
		f |= X86_AF;
	if (((a ^ b) & (a ^ res)) & sign)
		f |= X86_OF_;
	cpu->rflags = (cpu->rflags & ~X86_ARITH_FLAGS) | f;
}

void x86_flags_logic(struct x86_cpu *cpu, u64 res, int size)
{
	cpu->rflags = (cpu->rflags & ~X86_ARITH_FLAGS) | szp(res, size);
}

bool x86_cond(const struct x86_cpu *cpu, int cc)
{
	return x86_flags_cond(cpu->rflags, cc);
}
