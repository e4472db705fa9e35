/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the general-purpose instruction files (exec_int.c,
 * exec_arith.c, exec_bits.c, exec_ctl.c, exec_str.c).  Not part of the
 * contract in cpu.h: only these files use them.
 */
#ifndef KVMU_X86_EXEC_INT_H
#define KVMU_X86_EXEC_INT_H

#include "arch/x86/cpu.h"

/*
 * Read source operand n as a value of size bytes.  Immediates are kept
 * sign-extended by the decoder, so an imm8 of "add rax, -1" must be
 * truncated to the destination size, not to its encoded size.
 */
static inline enum x86_status x86_src(struct x86_cpu *cpu,
				      const struct x86_insn *in, int n,
				      int size, u64 *v)
{
	if (in->op[n].kind == X86_OP_IMM) {
		*v = in->op[n].imm & x86_mask(size);
		return X86_OK;
	}
	return x86_op_read(cpu, in, n, v);
}

static inline enum x86_status x86_ud(struct x86_cpu *cpu)
{
	return x86_raise(cpu, X86_UD, X86_NO_ERROR);
}

static inline enum x86_status x86_gp0(struct x86_cpu *cpu)
{
	return x86_raise(cpu, X86_GP, 0);
}

static inline u64 x86_msb(u64 v, int size)
{
	return (v >> (size * 8 - 1)) & 1;
}

/* CPUID feature bits the general-purpose instructions are gated on. */
#define X86_FEAT_LAHF_LM(c)	x86_has_feature((c), 0x80000001, 0, 2, 0)
#define X86_FEAT_ABM(c)		x86_has_feature((c), 0x80000001, 0, 2, 5)
#define X86_FEAT_CX16(c)	x86_has_feature((c), 1, 0, 2, 13)
#define X86_FEAT_MOVBE(c)	x86_has_feature((c), 1, 0, 2, 22)
#define X86_FEAT_POPCNT(c)	x86_has_feature((c), 1, 0, 2, 23)
#define X86_FEAT_BMI1(c)	x86_has_feature((c), 7, 0, 1, 3)

/*
 * A read-modify-write step: returns the new value from the old one and the
 * arguments, and sets the arithmetic flags in cpu->rflags.  It may run more
 * than once under LOCK (a lost compare-and-swap race), always starting from
 * the same RFLAGS.
 */
typedef u64 (*x86_rmw_fn)(struct x86_cpu *cpu, u64 old, u64 src, u64 aux,
			  int size);

/*
 * Read-modify-write of operand n (register or memory) through fn.  Memory
 * is atomic when the instruction has LOCK or `atomic` is set (XCHG): the
 * update then runs as a compare-and-swap on the host page.  On a fault
 * nothing, flags included, has changed.  *old (may be NULL) gets the value
 * before the update.
 */
enum x86_status x86_rmw(struct x86_cpu *cpu, const struct x86_insn *in,
			int n, bool atomic, x86_rmw_fn fn, u64 src, u64 aux,
			u64 *old);
/* The same on memory at seg:ea of size bytes (BT with a bit offset). */
enum x86_status x86_rmw_mem(struct x86_cpu *cpu, bool atomic, int seg,
			    u64 ea, int size, x86_rmw_fn fn, u64 src, u64 aux,
			    u64 *old);
/* Host pointer of a writable, naturally aligned seg:ea, or NULL. */
enum x86_status x86_atomic_ptr(struct x86_cpu *cpu, int seg, u64 ea,
			       int size, void **host);

/* Handlers of x86_ops_int live in several files; one list names them all. */
#define X86_HANDLER(name)						\
	enum x86_status name(struct x86_cpu *cpu,			\
			     const struct x86_insn *in KVMU_UNUSED)

#define X86_INT_OPS(X)							\
	/* exec_arith.c */						\
	X(ADD, add) X(ADC, adc) X(SUB, sub) X(SBB, sbb) X(AND, and)	\
	X(OR, or) X(XOR, xor) X(CMP, cmp) X(TEST, test) X(INC, inc)	\
	X(DEC, dec) X(NEG, neg) X(NOT, not) X(XCHG, xchg) X(XADD, xadd)	\
	X(CMPXCHG, cmpxchg)						\
	/* exec_muldiv.c */						\
	X(MUL, mul) X(IMUL, imul) X(DIV, div) X(IDIV, idiv)		\
	X(CMPXCHG8B, cmpxchg8b) X(CMPXCHG16B, cmpxchg16b)		\
	/* exec_bits.c */						\
	X(SHL, shl) X(SHR, shr) X(SAR, sar) X(ROL, rol) X(ROR, ror)	\
	X(RCL, rcl) X(RCR, rcr) X(SHLD, shld) X(SHRD, shrd)		\
	X(BT, bt) X(BTS, bts) X(BTR, btr) X(BTC, btc)			\
	X(BSF, bsf) X(BSR, bsr) X(TZCNT, tzcnt) X(LZCNT, lzcnt)		\
	X(POPCNT, popcnt) X(BSWAP, bswap) X(MOVBE, movbe)		\
	/* exec_int.c */						\
	X(MOV, mov) X(MOVZX, movzx) X(MOVSX, movsx) X(MOVSXD, movsxd)	\
	X(LEA, lea) X(CMOVO, cmov) X(CMOVNO, cmov) X(CMOVB, cmov)	\
	X(CMOVNB, cmov) X(CMOVZ, cmov) X(CMOVNZ, cmov) X(CMOVBE, cmov)	\
	X(CMOVNBE, cmov) X(CMOVS, cmov) X(CMOVNS, cmov) X(CMOVP, cmov)	\
	X(CMOVNP, cmov) X(CMOVL, cmov) X(CMOVNL, cmov) X(CMOVLE, cmov)	\
	X(CMOVNLE, cmov) X(SETO, setcc) X(SETNO, setcc) X(SETB, setcc)	\
	X(SETNB, setcc) X(SETZ, setcc) X(SETNZ, setcc) X(SETBE, setcc)	\
	X(SETNBE, setcc) X(SETS, setcc) X(SETNS, setcc) X(SETP, setcc)	\
	X(SETNP, setcc) X(SETL, setcc) X(SETNL, setcc) X(SETLE, setcc)	\
	X(SETNLE, setcc) X(CBW, cbw) X(CWDE, cbw) X(CDQE, cbw)		\
	X(CWD, cwd) X(CDQ, cwd) X(CQO, cwd) X(LAHF, lahf) X(SAHF, sahf)	\
	X(CLC, clc) X(STC, stc) X(CMC, cmc) X(CLD, cld) X(STD, std)	\
	X(NOP, nop) X(PAUSE, nop) X(ENDBR64, nop) X(ENDBR32, nop)	\
	X(XLAT, xlat) X(BOUND, bound)					\
	/* exec_bcd.c */						\
	X(DAA, daa) X(DAS, das) X(AAA, aaa) X(AAS, aas) X(AAM, aam)	\
	X(AAD, aad) X(SALC, salc)

#define X86_INT_DECL(mn, name) X86_HANDLER(x86_i_##name);
X86_INT_OPS(X86_INT_DECL)

#endif /* KVMU_X86_EXEC_INT_H */
