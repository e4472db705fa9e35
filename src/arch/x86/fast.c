// SPDX-License-Identifier: MIT
/*
 * Specialised handlers for the operand shapes that dominate integer code:
 * MOV/MOVZX/MOVSX/LEA, the two-operand ALU, INC/DEC/NEG/NOT, shifts and
 * rotates by an immediate or CL, PUSH/POP of a 64-bit register, on
 * general-purpose registers, immediates and memory reached through a
 * software-TLB hit in 64-bit mode.
 *
 * The decoder picks one of these (x86_fast_pick) in place of the generic
 * handler when the instruction has such a shape.  Each does the whole
 * instruction or nothing: any case it does not cover at run time (a TLB
 * miss, MMIO, another mode, armed data breakpoints, a segment check)
 * hands the instruction, untouched, to the generic handler, which then
 * faults or exits exactly as before.  So the generic handlers stay the
 * definition, and KVMU_ENGINE=ref (no specialised handlers) is the
 * reference the engine difftest compares against.
 *
 * The ALU takes its arithmetic flags from the host: the same instruction
 * on the host computes CF, PF, AF, ZF, SF and OF as the guest's; where
 * the architecture leaves one undefined (AF after a logical operation)
 * it is masked to what the generic handler produces.
 */
#include "arch/x86/exec_int.h"
#include "arch/x86/fastmem.h"

/* ---- operands ---- */

static inline u64 f_ea(const struct x86_cpu *cpu, const struct x86_insn *in,
		       const struct x86_operand *op)
{
	u64 ea = (u64)op->disp;

	if (op->base >= 0)
		ea += op->base == 16 ? cpu->rip + in->len : cpu->gpr[op->base];
	if (op->index >= 0)
		ea += cpu->gpr[op->index] * op->scale;
	return ea & x86_mask(in->addrsize);
}

/* Host pointer of memory operand op, or NULL: the generic path decides. */
static __attribute__((always_inline)) inline u8 *f_mem(struct x86_cpu *cpu, const struct x86_insn *in,
			const struct x86_operand *op, bool wr)
{
	u64 lin;

	if (cpu->mode != X86_MODE_LONG64 || x86_dbg_armed(cpu))
		return NULL;
	lin = f_ea(cpu, in, op);
	if (op->seg == X86_FS || op->seg == X86_GS)
		lin += cpu->seg[op->seg].base;
	if (!x86_canonical(lin))
		return NULL;
	return x86_tlb_fast(cpu, lin, op->size, wr);
}

/* Operand n as a value of size bytes; false: not on the fast path. */
static __attribute__((always_inline)) inline bool f_read(struct x86_cpu *cpu, const struct x86_insn *in,
			  int n, int size, u64 *v)
{
	const struct x86_operand *op = &in->op[n];
	const u8 *p;

	if (op->kind == X86_OP_REG) {
		*v = x86_gpr_get(cpu, op->reg, op->size, op->high8);
		return true;
	}
	if (op->kind == X86_OP_IMM) {
		*v = op->imm & x86_mask(size);
		return true;
	}
	p = f_mem(cpu, in, op, false);
	if (!p)
		return false;
	*v = x86_host_load(p, op->size);
	return true;
}

static inline void f_setreg(struct x86_cpu *cpu, const struct x86_operand *o,
			    u64 v)
{
	x86_gpr_set(cpu, o->reg, o->size, o->high8, v);
}

static inline void f_flags(struct x86_cpu *cpu, u64 f, u64 mask)
{
	cpu->rflags = (cpu->rflags & ~mask) | (f & mask);
}

/* ---- the ALU on the host ---- */

enum { A_ADD, A_OR, A_ADC, A_SBB, A_AND, A_SUB, A_XOR, A_CMP, A_TEST,
       A_INC, A_DEC, A_NEG };

/*
 * op on the host at the operand size; *fl gets the host's CF, PF, AF, ZF
 * and SF (LAHF) and OF (SETO) after it.  CF is loaded from cin first
 * (ADC, SBB).  LAHF is in every x86-64 CPU kvmu runs on (LAHF_LM), and
 * is much cheaper than PUSHF.
 */
#define HOST2(mn, a, b, cin, fl)					\
	do {								\
		u64 ax_;						\
		bool of_;						\
		asm("btl $0, %k4\n\t" mn "\n\tlahf"			\
		    : "+r"(a), "=a"(ax_), "=@cco"(of_)			\
		    : "r"(b), "r"(cin) : "cc");				\
		fl = ((ax_ >> 8) & 0xd5) | (of_ ? X86_OF_ : 0);		\
	} while (0)

#define HOST_SIZES(name, a, b, cin, fl, size)				\
	do {								\
		switch (size) {						\
		case 1: HOST2(name "b %b3, %b0", a, b, cin, fl); break;	\
		case 2: HOST2(name "w %w3, %w0", a, b, cin, fl); break;	\
		case 4: HOST2(name "l %k3, %k0", a, b, cin, fl); break;	\
		default: HOST2(name "q %3, %0", a, b, cin, fl); break;	\
		}							\
	} while (0)

#define HOST1(name, a, b, cin, fl, size)				\
	do {								\
		(void)b;						\
		switch (size) {						\
		case 1: HOST2(name "b %b0", a, b, cin, fl); break;	\
		case 2: HOST2(name "w %w0", a, b, cin, fl); break;	\
		case 4: HOST2(name "l %k0", a, b, cin, fl); break;	\
		default: HOST2(name "q %0", a, b, cin, fl); break;	\
		}							\
	} while (0)

static __attribute__((always_inline)) inline u64 host_alu(int op, int size, u64 a, u64 b, u64 cin, u64 *fl)
{
	u64 f = 0;

	switch (op) {
	case A_ADD: HOST_SIZES("add", a, b, cin, f, size); break;
	case A_OR: HOST_SIZES("or", a, b, cin, f, size); break;
	case A_ADC: HOST_SIZES("adc", a, b, cin, f, size); break;
	case A_SBB: HOST_SIZES("sbb", a, b, cin, f, size); break;
	case A_AND: HOST_SIZES("and", a, b, cin, f, size); break;
	case A_SUB: HOST_SIZES("sub", a, b, cin, f, size); break;
	case A_XOR: HOST_SIZES("xor", a, b, cin, f, size); break;
	case A_CMP: HOST_SIZES("cmp", a, b, cin, f, size); break;
	case A_TEST: HOST_SIZES("test", a, b, cin, f, size); break;
	case A_INC: HOST1("inc", a, b, cin, f, size); break;
	case A_DEC: HOST1("dec", a, b, cin, f, size); break;
	default: HOST1("neg", a, b, cin, f, size); break;
	}
	*fl = f;
	return a;
}

/* Set the flags an ALU operation defines from the host's f, as the
 * generic handlers set them: logical operations clear AF (undefined),
 * INC and DEC keep CF. */
static inline void alu_flags(struct x86_cpu *cpu, int op, u64 f)
{
	switch (op) {
	case A_OR: case A_AND: case A_XOR: case A_TEST:
		f_flags(cpu, f & ~X86_AF, X86_ARITH_FLAGS);
		break;
	case A_INC: case A_DEC:
		f_flags(cpu, f, X86_ARITH_FLAGS & ~X86_CF);
		break;
	default:
		f_flags(cpu, f, X86_ARITH_FLAGS);
		break;
	}
}

/* dst op= src; dst is a GPR or memory.  Writes unless CMP/TEST. */
static __attribute__((always_inline)) inline enum x86_status alu2(struct x86_cpu *cpu,
				   const struct x86_insn *in, int op,
				   x86_handler generic)
{
	const struct x86_operand *d = &in->op[0];
	bool wr = op != A_CMP && op != A_TEST;
	int size = d->size;
	u64 a, b, r, f;
	u8 *p = NULL;

	if (!f_read(cpu, in, 1, size, &b))
		return generic(cpu, in);
	if (d->kind == X86_OP_REG) {
		a = x86_gpr_get(cpu, d->reg, size, d->high8);
	} else {
		p = f_mem(cpu, in, d, wr);
		if (!p)
			return generic(cpu, in);
		a = x86_host_load(p, size);
	}
	r = host_alu(op, size, a, b, cpu->rflags & X86_CF, &f);
	if (wr) {
		if (p)
			x86_host_store(p, r, size);
		else
			f_setreg(cpu, d, r);
	}
	alu_flags(cpu, op, f);
	return X86_OK;
}

/* INC/DEC/NEG/NOT on a GPR or memory. */
static __attribute__((always_inline)) inline enum x86_status alu1(struct x86_cpu *cpu,
				   const struct x86_insn *in, int op,
				   x86_handler generic)
{
	const struct x86_operand *d = &in->op[0];
	int size = d->size;
	u64 a, r, f = 0;
	u8 *p = NULL;

	if (d->kind == X86_OP_REG) {
		a = x86_gpr_get(cpu, d->reg, size, d->high8);
	} else {
		p = f_mem(cpu, in, d, true);
		if (!p)
			return generic(cpu, in);
		a = x86_host_load(p, size);
	}
	if (op < 0)
		r = ~a;		/* NOT: no flags */
	else
		r = host_alu(op, size, a, 0, 0, &f);
	if (p)
		x86_host_store(p, r, size);
	else
		f_setreg(cpu, d, r);
	if (op >= 0)
		alu_flags(cpu, op, f);
	return X86_OK;
}

/* The same with no memory operand: no memory path, a small function. */
static __attribute__((always_inline)) inline enum x86_status
alu2_reg(struct x86_cpu *cpu, const struct x86_insn *in, int op)
{
	const struct x86_operand *d = &in->op[0], *s = &in->op[1];
	int size = d->size;
	u64 a, b, r, f;

	b = s->kind == X86_OP_IMM ? s->imm & x86_mask(size) :
				    x86_gpr_get(cpu, s->reg, s->size, s->high8);
	a = x86_gpr_get(cpu, d->reg, size, d->high8);
	r = host_alu(op, size, a, b, cpu->rflags & X86_CF, &f);
	if (op != A_CMP && op != A_TEST)
		f_setreg(cpu, d, r);
	alu_flags(cpu, op, f);
	return X86_OK;
}

#define FAST_ALU2(name, op)						\
	static enum x86_status f_##name(struct x86_cpu *cpu,		\
					const struct x86_insn *in)	\
	{								\
		return alu2(cpu, in, op, x86_i_##name);			\
	}								\
	static enum x86_status f_##name##_r(struct x86_cpu *cpu,	\
					    const struct x86_insn *in)	\
	{								\
		return alu2_reg(cpu, in, op);				\
	}
FAST_ALU2(add, A_ADD)
FAST_ALU2(or, A_OR)
FAST_ALU2(adc, A_ADC)
FAST_ALU2(sbb, A_SBB)
FAST_ALU2(and, A_AND)
FAST_ALU2(sub, A_SUB)
FAST_ALU2(xor, A_XOR)
FAST_ALU2(cmp, A_CMP)
FAST_ALU2(test, A_TEST)

#define FAST_ALU1(name, op)						\
	static enum x86_status f_##name(struct x86_cpu *cpu,		\
					const struct x86_insn *in)	\
	{								\
		return alu1(cpu, in, op, x86_i_##name);			\
	}
FAST_ALU1(inc, A_INC)
FAST_ALU1(dec, A_DEC)
FAST_ALU1(neg, A_NEG)
FAST_ALU1(not, -1)

/* ---- data movement ---- */

static enum x86_status f_mov_r(struct x86_cpu *cpu,
			       const struct x86_insn *in)
{
	const struct x86_operand *d = &in->op[0], *s = &in->op[1];

	f_setreg(cpu, d, s->kind == X86_OP_IMM ? s->imm & x86_mask(d->size) :
		 x86_gpr_get(cpu, s->reg, s->size, s->high8));
	return X86_OK;
}

static enum x86_status f_mov(struct x86_cpu *cpu, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->op[0];
	u64 v;
	u8 *p;

	if (!f_read(cpu, in, 1, d->size, &v))
		return x86_i_mov(cpu, in);
	if (d->kind == X86_OP_REG) {
		f_setreg(cpu, d, v);
		return X86_OK;
	}
	p = f_mem(cpu, in, d, true);
	if (!p)
		return x86_i_mov(cpu, in);
	x86_host_store(p, v, d->size);
	return X86_OK;
}

static enum x86_status f_movzx(struct x86_cpu *cpu, const struct x86_insn *in)
{
	u64 v;

	if (!f_read(cpu, in, 1, in->op[1].size, &v))
		return x86_i_movzx(cpu, in);
	f_setreg(cpu, &in->op[0], v);
	return X86_OK;
}

static enum x86_status f_movsx(struct x86_cpu *cpu, const struct x86_insn *in)
{
	u64 v;

	if (!f_read(cpu, in, 1, in->op[1].size, &v))
		return x86_i_movsx(cpu, in);
	f_setreg(cpu, &in->op[0], (u64)x86_sext(v, in->op[1].size));
	return X86_OK;
}

static enum x86_status f_lea(struct x86_cpu *cpu, const struct x86_insn *in)
{
	f_setreg(cpu, &in->op[0], f_ea(cpu, in, &in->op[1]));
	return X86_OK;
}

/* PUSH r64/imm and POP r64 in 64-bit mode (SS base 0, 8-byte slots). */
static enum x86_status f_push(struct x86_cpu *cpu, const struct x86_insn *in)
{
	u64 v, sp = cpu->gpr[X86_RSP] - 8;
	u8 *p;

	if (cpu->mode != X86_MODE_LONG64 || x86_dbg_armed(cpu) ||
	    !x86_canonical(sp))
		return x86_handler_for(in->mnemonic)(cpu, in);
	p = x86_tlb_fast(cpu, sp, 8, true);
	if (!p)
		return x86_handler_for(in->mnemonic)(cpu, in);
	v = in->op[0].kind == X86_OP_IMM ? in->op[0].imm :
					   cpu->gpr[in->op[0].reg];
	x86_host_store(p, v, 8);
	cpu->gpr[X86_RSP] = sp;
	return X86_OK;
}

static enum x86_status f_pop(struct x86_cpu *cpu, const struct x86_insn *in)
{
	u64 sp = cpu->gpr[X86_RSP];
	u8 *p;

	if (cpu->mode != X86_MODE_LONG64 || x86_dbg_armed(cpu) ||
	    !x86_canonical(sp))
		return x86_handler_for(in->mnemonic)(cpu, in);
	p = x86_tlb_fast(cpu, sp, 8, false);
	if (!p)
		return x86_handler_for(in->mnemonic)(cpu, in);
	cpu->gpr[X86_RSP] = sp + 8;
	cpu->gpr[in->op[0].reg] = x86_host_load(p, 8);
	return X86_OK;
}

/* ---- shifts and rotates of a 32/64-bit GPR (flags as exec_bits.c) ---- */

static inline u64 szp(u64 r, int size)
{
	u64 f = __builtin_parity((unsigned int)(r & 0xff)) ? 0 : X86_PF_;

	if (!r)
		f |= X86_ZF;
	if (r >> (size * 8 - 1))
		f |= X86_SF;
	return f;
}

enum { S_SHL, S_SHR, S_SAR, S_ROL, S_ROR };

static __attribute__((always_inline)) inline enum x86_status shift(struct x86_cpu *cpu,
				    const struct x86_insn *in, int op)
{
	const struct x86_operand *d = &in->op[0];
	int size = d->size, bits = size * 8;
	u64 m = x86_mask(size), v = cpu->gpr[d->reg] & m, r, cf, of;
	u64 c = in->op[1].kind == X86_OP_IMM ? in->op[1].imm :
					       cpu->gpr[X86_RCX];

	c &= size == 8 ? 63 : 31;
	if (!c) {
		/* a 32-bit register is still written (zero-extended) */
		f_setreg(cpu, d, v);
		return X86_OK;
	}
	switch (op) {
	case S_SHL:
		r = (v << c) & m;
		cf = (v >> (bits - c)) & 1;
		of = (r >> (bits - 1)) ^ cf;
		break;
	case S_SHR:
		r = v >> c;
		cf = (v >> (c - 1)) & 1;
		of = v >> (bits - 1);
		break;
	case S_SAR:
		r = (u64)(x86_sext(v, size) >> c) & m;
		cf = (u64)(x86_sext(v, size) >> (c - 1)) & 1;
		of = 0;
		break;
	case S_ROL:
		r = ((v << c) | (v >> (bits - c))) & m;
		cf = r & 1;
		f_setreg(cpu, d, r);
		f_flags(cpu, (cf ? X86_CF : 0) |
			((r >> (bits - 1)) ^ cf ? X86_OF_ : 0),
			X86_CF | X86_OF_);
		return X86_OK;
	default:
		r = ((v >> c) | (v << (bits - c))) & m;
		cf = r >> (bits - 1);
		f_setreg(cpu, d, r);
		f_flags(cpu, (cf ? X86_CF : 0) |
			((cf ^ (r >> (bits - 2))) & 1 ? X86_OF_ : 0),
			X86_CF | X86_OF_);
		return X86_OK;
	}
	f_setreg(cpu, d, r);
	f_flags(cpu, szp(r, size) | (cf ? X86_CF : 0) | (of ? X86_OF_ : 0),
		X86_ARITH_FLAGS);
	return X86_OK;
}

#define FAST_SHIFT(name, op)						\
	static enum x86_status f_##name(struct x86_cpu *cpu,		\
					const struct x86_insn *in)	\
	{								\
		return shift(cpu, in, op);				\
	}
FAST_SHIFT(shl, S_SHL)
FAST_SHIFT(shr, S_SHR)
FAST_SHIFT(sar, S_SAR)
FAST_SHIFT(rol, S_ROL)
FAST_SHIFT(ror, S_ROR)

/* ---- Jcc rel ---- */

/* Taken: the target must be canonical (64-bit) or within the CS limit,
 * else the generic handler raises #GP with nothing changed. */
static enum x86_status f_jcc(struct x86_cpu *cpu, const struct x86_insn *in)
{
	u64 t;

	if (!x86_flags_cond(cpu->rflags, in->cc))
		return X86_OK;
	t = (cpu->rip + in->len + in->op[0].imm) & x86_mask(in->opsize);
	if (cpu->mode == X86_MODE_LONG64 ? !x86_canonical(t) :
	    t > cpu->seg[X86_CS].limit)
		return x86_handler_for(in->mnemonic)(cpu, in);
	cpu->rip = t;
	return X86_JUMP;
}

bool x86_is_jcc(u16 mn)
{
	switch (mn) {
	case ZYDIS_MNEMONIC_JO: case ZYDIS_MNEMONIC_JNO:
	case ZYDIS_MNEMONIC_JB: case ZYDIS_MNEMONIC_JNB:
	case ZYDIS_MNEMONIC_JZ: case ZYDIS_MNEMONIC_JNZ:
	case ZYDIS_MNEMONIC_JBE: case ZYDIS_MNEMONIC_JNBE:
	case ZYDIS_MNEMONIC_JS: case ZYDIS_MNEMONIC_JNS:
	case ZYDIS_MNEMONIC_JP: case ZYDIS_MNEMONIC_JNP:
	case ZYDIS_MNEMONIC_JL: case ZYDIS_MNEMONIC_JNL:
	case ZYDIS_MNEMONIC_JLE: case ZYDIS_MNEMONIC_JNLE:
		return true;
	default:
		return false;
	}
}

/* ---- picking ---- */

static bool is_gpr(const struct x86_operand *o)
{
	return o->kind == X86_OP_REG && o->rclass == X86_RC_GPR && o->size;
}

static bool is_rm(const struct x86_operand *o)
{
	return is_gpr(o) || (o->kind == X86_OP_MEM && o->size <= 8 &&
			     o->size && !(o->size & (o->size - 1)));
}

static bool is_src(const struct x86_operand *o)
{
	return is_rm(o) || o->kind == X86_OP_IMM;
}

/* Two explicit operands: r/m, r/m/imm, not both memory. */
static bool two_ops(const struct x86_insn *in)
{
	return in->nops >= 2 && in->op[0].visible && in->op[1].visible &&
	       is_rm(&in->op[0]) && is_src(&in->op[1]) &&
	       !(in->op[0].kind == X86_OP_MEM && in->op[1].kind == X86_OP_MEM);
}

static x86_handler pick_alu_reg(const struct x86_insn *in)
{
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_ADD: return f_add_r;
	case ZYDIS_MNEMONIC_OR: return f_or_r;
	case ZYDIS_MNEMONIC_ADC: return f_adc_r;
	case ZYDIS_MNEMONIC_SBB: return f_sbb_r;
	case ZYDIS_MNEMONIC_AND: return f_and_r;
	case ZYDIS_MNEMONIC_SUB: return f_sub_r;
	case ZYDIS_MNEMONIC_XOR: return f_xor_r;
	case ZYDIS_MNEMONIC_CMP: return f_cmp_r;
	case ZYDIS_MNEMONIC_TEST: return f_test_r;
	case ZYDIS_MNEMONIC_MOV: return f_mov_r;
	default: return NULL;
	}
}

static x86_handler pick_alu(const struct x86_insn *in)
{
	if (!two_ops(in))
		return NULL;
	if (in->op[0].kind != X86_OP_MEM && in->op[1].kind != X86_OP_MEM)
		return pick_alu_reg(in);
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_ADD: return f_add;
	case ZYDIS_MNEMONIC_OR: return f_or;
	case ZYDIS_MNEMONIC_ADC: return f_adc;
	case ZYDIS_MNEMONIC_SBB: return f_sbb;
	case ZYDIS_MNEMONIC_AND: return f_and;
	case ZYDIS_MNEMONIC_SUB: return f_sub;
	case ZYDIS_MNEMONIC_XOR: return f_xor;
	case ZYDIS_MNEMONIC_CMP: return f_cmp;
	case ZYDIS_MNEMONIC_TEST: return f_test;
	case ZYDIS_MNEMONIC_MOV: return f_mov;
	default: return NULL;
	}
}

static x86_handler pick_one(const struct x86_insn *in)
{
	if (in->nops < 1 || !in->op[0].visible || !is_rm(&in->op[0]))
		return NULL;
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_INC: return f_inc;
	case ZYDIS_MNEMONIC_DEC: return f_dec;
	case ZYDIS_MNEMONIC_NEG: return f_neg;
	case ZYDIS_MNEMONIC_NOT: return f_not;
	default: return NULL;
	}
}

static x86_handler pick_shift(const struct x86_insn *in)
{
	const struct x86_operand *d = &in->op[0], *c = &in->op[1];

	if (in->nops < 2 || !is_gpr(d) || d->high8 ||
	    (d->size != 4 && d->size != 8) ||
	    !(c->kind == X86_OP_IMM ||
	      (is_gpr(c) && c->reg == X86_RCX && !c->high8)))
		return NULL;
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_SHL: return f_shl;
	case ZYDIS_MNEMONIC_SHR: return f_shr;
	case ZYDIS_MNEMONIC_SAR: return f_sar;
	case ZYDIS_MNEMONIC_ROL: return f_rol;
	case ZYDIS_MNEMONIC_ROR: return f_ror;
	default: return NULL;
	}
}

static x86_handler pick_move(const struct x86_insn *in)
{
	const struct x86_operand *d = &in->op[0], *s = &in->op[1];

	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_MOVZX:
		return in->nops >= 2 && is_gpr(d) && is_rm(s) ? f_movzx : NULL;
	case ZYDIS_MNEMONIC_MOVSX:
	case ZYDIS_MNEMONIC_MOVSXD:
		return in->nops >= 2 && is_gpr(d) && is_rm(s) ? f_movsx : NULL;
	case ZYDIS_MNEMONIC_LEA:
		return in->nops >= 2 && is_gpr(d) && s->kind == X86_OP_MEM ?
		       f_lea : NULL;
	case ZYDIS_MNEMONIC_PUSH:
		return in->mode == X86_MODE_LONG64 && in->opsize == 8 &&
		       d->visible && (is_gpr(d) || d->kind == X86_OP_IMM) ?
		       f_push : NULL;
	case ZYDIS_MNEMONIC_POP:
		return in->mode == X86_MODE_LONG64 && in->opsize == 8 &&
		       d->visible && is_gpr(d) && d->size == 8 &&
		       d->reg != X86_RSP ? f_pop : NULL;
	default:
		return NULL;
	}
}

void x86_fast_pick(struct x86_insn *in)
{
	x86_handler fn;

	if (!in->fn || in->lock || in->rep)
		return;
	fn = pick_alu(in);
	if (!fn)
		fn = pick_one(in);
	if (!fn)
		fn = pick_shift(in);
	if (!fn)
		fn = pick_move(in);
	if (!fn && x86_is_jcc(in->mnemonic) && in->op[0].kind == X86_OP_IMM &&
	    in->op[0].rel)
		fn = f_jcc;
	if (fn)
		in->fn = fn;
}
