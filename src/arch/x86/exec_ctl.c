// SPDX-License-Identifier: MIT
/*
 * Near control transfers and the general-purpose stack instructions:
 * JMP/Jcc/JrCXZ/LOOPcc, CALL/RET near, PUSH/POP, PUSHA/POPA, ENTER/LEAVE.
 * Far forms share their mnemonics with the near ones in Zydis; they are
 * recognised here and handed to the segment code (x86_far_*).
 *
 * A transfer checks its target before changing anything: outside the CS
 * limit (or non-canonical in 64-bit mode) it is #GP(0) with the old rip,
 * rsp and rcx.  Stack instructions restore rsp when a later step faults.
 */
#include "arch/x86/exec_int.h"

static bool canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

static enum x86_status check_target(struct x86_cpu *cpu, u64 target)
{
	if (cpu->mode == X86_MODE_LONG64)
		return canonical(target) ? X86_OK : x86_gp0(cpu);
	return target <= cpu->seg[X86_CS].limit ? X86_OK : x86_gp0(cpu);
}

static enum x86_status jump_to(struct x86_cpu *cpu, u64 target)
{
	enum x86_status st = check_target(cpu, target);

	if (st != X86_OK)
		return st;
	cpu->rip = target;
	return X86_JUMP;
}

/* Near target of JMP/CALL operand 0: relative, or absolute in r/m. */
static enum x86_status near_target(struct x86_cpu *cpu,
				   const struct x86_insn *in, u64 *t)
{
	enum x86_status st;

	if (in->op[0].kind == X86_OP_IMM) {
		*t = x86_branch_target(cpu, in, 0);
		return X86_OK;
	}
	st = x86_op_read(cpu, in, 0, t);
	*t &= x86_mask(in->opsize);
	return st;
}

/* A far pointer operand: ptr16:16/32 immediate or m16:16/32/64. */
static bool far_form(const struct x86_insn *in)
{
	return in->op[0].kind == X86_OP_PTR ||
	       (in->op[0].kind == X86_OP_MEM && in->opcode == 0xff &&
		(in->modrm_reg == 3 || in->modrm_reg == 5));
}

static enum x86_status far_operand(struct x86_cpu *cpu,
				   const struct x86_insn *in, u16 *sel,
				   u64 *off)
{
	const struct x86_operand *op = &in->op[0];
	int osz = op->size - 2;
	enum x86_status st;
	u64 ea;

	*off = 0;
	*sel = 0;
	if (op->kind == X86_OP_PTR) {
		*off = op->imm;
		*sel = op->ptr_seg;
		return X86_OK;
	}
	ea = x86_ea(cpu, in, op);
	st = x86_read(cpu, op->seg, ea, off, (u32)osz);
	if (st == X86_OK)
		st = x86_read(cpu, op->seg, (ea + (u64)osz) &
			      x86_mask(in->addrsize), sel, 2);
	return st;
}

static enum x86_status op_jmp(struct x86_cpu *cpu, const struct x86_insn *in)
{
	enum x86_status st;
	u64 t;
	u16 sel;

	if (far_form(in)) {
		st = far_operand(cpu, in, &sel, &t);
		return st != X86_OK ? st : x86_far_jmp(cpu, in, sel, t);
	}
	st = near_target(cpu, in, &t);
	return st != X86_OK ? st : jump_to(cpu, t);
}

static enum x86_status op_jcc(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (!x86_cond(cpu, in->cc))
		return X86_OK;
	return jump_to(cpu, x86_branch_target(cpu, in, 0));
}

/* JCXZ/JECXZ/JRCXZ test the count register of the address size. */
static enum x86_status op_jrcxz(struct x86_cpu *cpu,
				const struct x86_insn *in)
{
	if (cpu->gpr[X86_RCX] & x86_mask(in->addrsize))
		return X86_OK;
	return jump_to(cpu, x86_branch_target(cpu, in, 0));
}

/* LOOP/LOOPE/LOOPNE: decrement rCX (address size) without touching flags. */
static enum x86_status loop_common(struct x86_cpu *cpu,
				   const struct x86_insn *in, int zf_want)
{
	u64 m = x86_mask(in->addrsize);
	u64 c = (cpu->gpr[X86_RCX] - 1) & m;
	bool zf = cpu->rflags & X86_ZF, take = c != 0;
	enum x86_status st = X86_OK;

	if (zf_want >= 0)
		take = take && zf == (bool)zf_want;
	if (take)
		st = check_target(cpu, x86_branch_target(cpu, in, 0));
	if (st != X86_OK)
		return st;
	x86_gpr_set(cpu, X86_RCX, in->addrsize, false, c);
	if (!take)
		return X86_OK;
	cpu->rip = x86_branch_target(cpu, in, 0);
	return X86_JUMP;
}

static enum x86_status op_loop(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return loop_common(cpu, in, -1);
}

static enum x86_status op_loope(struct x86_cpu *cpu,
				const struct x86_insn *in)
{
	return loop_common(cpu, in, 1);
}

static enum x86_status op_loopne(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	return loop_common(cpu, in, 0);
}

static enum x86_status op_call(struct x86_cpu *cpu, const struct x86_insn *in)
{
	enum x86_status st;
	u64 t;
	u16 sel;

	if (far_form(in)) {
		st = far_operand(cpu, in, &sel, &t);
		return st != X86_OK ? st : x86_far_call(cpu, in, sel, t);
	}
	st = near_target(cpu, in, &t);
	if (st == X86_OK)
		st = check_target(cpu, t);
	if (st == X86_OK)
		st = x86_push(cpu, (cpu->rip + in->len) & x86_mask(in->opsize),
			      in->opsize);
	if (st != X86_OK)
		return st;
	cpu->rip = t;
	return X86_JUMP;
}

/* RET [imm16]; far RET (opcodes CA/CB) belongs to the segment code. */
static enum x86_status op_ret(struct x86_cpu *cpu, const struct x86_insn *in)
{
	u16 imm = in->op[0].kind == X86_OP_IMM ? (u16)in->op[0].imm : 0;
	u64 rsp = cpu->gpr[X86_RSP], t, m;
	enum x86_status st;

	if (in->opcode == 0xca || in->opcode == 0xcb)
		return x86_far_ret(cpu, in, imm);
	st = x86_pop(cpu, &t, in->opsize);
	if (st == X86_OK)
		st = check_target(cpu, t);
	if (st != X86_OK) {
		cpu->gpr[X86_RSP] = rsp;
		return st;
	}
	m = x86_mask(x86_stack_size(cpu));
	cpu->gpr[X86_RSP] = (cpu->gpr[X86_RSP] & ~m) |
			    ((cpu->gpr[X86_RSP] + imm) & m);
	cpu->rip = t;
	return X86_JUMP;
}

/* ---- stack ---- */

/*
 * PUSH r/m/imm/Sreg.  A segment register with a 32/64-bit operand size is
 * pushed zero-extended (AMD; recent Intel parts write only 16 bits).
 */
static enum x86_status op_push(struct x86_cpu *cpu, const struct x86_insn *in)
{
	const struct x86_operand *op = &in->op[0];
	enum x86_status st;
	u64 v;

	if (op->kind == X86_OP_REG && op->rclass == X86_RC_SEG)
		v = cpu->seg[op->reg].sel;
	else if ((st = x86_src(cpu, in, 0, in->opsize, &v)) != X86_OK)
		return st;
	return x86_push(cpu, v, in->opsize);
}

/* POP r/m/Sreg: a memory destination is addressed with the new rsp. */
static enum x86_status op_pop(struct x86_cpu *cpu, const struct x86_insn *in)
{
	const struct x86_operand *op = &in->op[0];
	u64 rsp = cpu->gpr[X86_RSP], v;
	enum x86_status st;

	st = x86_pop(cpu, &v, in->opsize);
	if (st != X86_OK)
		return st;
	if (op->kind == X86_OP_REG && op->rclass == X86_RC_SEG)
		st = x86_load_seg(cpu, op->reg, (u16)v);
	else
		st = x86_op_write(cpu, in, 0, v);
	if (st != X86_OK)
		cpu->gpr[X86_RSP] = rsp;
	return st;
}

/* PUSHA/PUSHAD: AX CX DX BX, SP as it was before, BP SI DI. */
static enum x86_status op_pusha(struct x86_cpu *cpu,
				const struct x86_insn *in)
{
	int size = in->opsize, r;
	u64 rsp = cpu->gpr[X86_RSP];
	enum x86_status st;

	for (r = X86_RAX; r <= X86_RDI; r++) {
		st = x86_push(cpu, (r == X86_RSP ? rsp : cpu->gpr[r]) &
			      x86_mask(size), size);
		if (st != X86_OK) {
			cpu->gpr[X86_RSP] = rsp;
			return st;
		}
	}
	return X86_OK;
}

/* POPA/POPAD: the reverse order, the saved SP discarded. */
static enum x86_status op_popa(struct x86_cpu *cpu, const struct x86_insn *in)
{
	int size = in->opsize, r;
	u64 rsp = cpu->gpr[X86_RSP], v[8];
	enum x86_status st;

	for (r = X86_RDI; r >= X86_RAX; r--) {
		st = x86_pop(cpu, &v[r], size);
		if (st != X86_OK) {
			cpu->gpr[X86_RSP] = rsp;
			return st;
		}
	}
	for (r = X86_RAX; r <= X86_RDI; r++)
		if (r != X86_RSP)
			x86_gpr_set(cpu, r, size, false, v[r]);
	return X86_OK;
}

/* The display of ENTER with a nesting level: copies of outer frame ptrs. */
static enum x86_status enter_nested(struct x86_cpu *cpu, int size, int level,
				    u64 frame)
{
	u64 m = x86_mask(x86_stack_size(cpu)), bp = cpu->gpr[X86_RBP], v;
	enum x86_status st;
	int i;

	for (i = 1; i < level; i++) {
		bp = (bp - (u64)size) & m;
		v = 0;
		st = x86_read(cpu, X86_SS, bp, &v, (u32)size);
		if (st == X86_OK)
			st = x86_push(cpu, v, size);
		if (st != X86_OK)
			return st;
	}
	return x86_push(cpu, frame, size);
}

static enum x86_status op_enter(struct x86_cpu *cpu,
				const struct x86_insn *in)
{
	int size = in->opsize, ss = x86_stack_size(cpu);
	int level = (int)(in->op[1].imm & 31);
	u64 alloc = in->op[0].imm & 0xffff, m = x86_mask(ss);
	u64 rsp = cpu->gpr[X86_RSP], frame;
	enum x86_status st;

	st = x86_push(cpu, cpu->gpr[X86_RBP] & x86_mask(size), size);
	frame = cpu->gpr[X86_RSP] & m;
	if (st == X86_OK && level)
		st = enter_nested(cpu, size, level, frame);
	if (st != X86_OK) {
		cpu->gpr[X86_RSP] = rsp;
		return st;
	}
	x86_gpr_set(cpu, X86_RBP, ss, false, frame);
	cpu->gpr[X86_RSP] = (cpu->gpr[X86_RSP] & ~m) |
			    ((cpu->gpr[X86_RSP] - alloc) & m);
	return X86_OK;
}

/* LEAVE: rSP = rBP (stack size), then pop rBP (operand size). */
static enum x86_status op_leave(struct x86_cpu *cpu,
				const struct x86_insn *in)
{
	u64 m = x86_mask(x86_stack_size(cpu)), rsp = cpu->gpr[X86_RSP], v;
	enum x86_status st;

	cpu->gpr[X86_RSP] = (rsp & ~m) | (cpu->gpr[X86_RBP] & m);
	st = x86_pop(cpu, &v, in->opsize);
	if (st != X86_OK) {
		cpu->gpr[X86_RSP] = rsp;
		return st;
	}
	x86_gpr_set(cpu, X86_RBP, in->opsize, false, v);
	return X86_OK;
}

const struct x86_op_entry x86_ops_ctl[] = {
	{ ZYDIS_MNEMONIC_JMP, op_jmp },
	{ ZYDIS_MNEMONIC_JO, op_jcc }, { ZYDIS_MNEMONIC_JNO, op_jcc },
	{ ZYDIS_MNEMONIC_JB, op_jcc }, { ZYDIS_MNEMONIC_JNB, op_jcc },
	{ ZYDIS_MNEMONIC_JZ, op_jcc }, { ZYDIS_MNEMONIC_JNZ, op_jcc },
	{ ZYDIS_MNEMONIC_JBE, op_jcc }, { ZYDIS_MNEMONIC_JNBE, op_jcc },
	{ ZYDIS_MNEMONIC_JS, op_jcc }, { ZYDIS_MNEMONIC_JNS, op_jcc },
	{ ZYDIS_MNEMONIC_JP, op_jcc }, { ZYDIS_MNEMONIC_JNP, op_jcc },
	{ ZYDIS_MNEMONIC_JL, op_jcc }, { ZYDIS_MNEMONIC_JNL, op_jcc },
	{ ZYDIS_MNEMONIC_JLE, op_jcc }, { ZYDIS_MNEMONIC_JNLE, op_jcc },
	{ ZYDIS_MNEMONIC_JCXZ, op_jrcxz }, { ZYDIS_MNEMONIC_JECXZ, op_jrcxz },
	{ ZYDIS_MNEMONIC_JRCXZ, op_jrcxz },
	{ ZYDIS_MNEMONIC_LOOP, op_loop }, { ZYDIS_MNEMONIC_LOOPE, op_loope },
	{ ZYDIS_MNEMONIC_LOOPNE, op_loopne },
	{ ZYDIS_MNEMONIC_CALL, op_call },
	{ ZYDIS_MNEMONIC_RET, op_ret },
	{ ZYDIS_MNEMONIC_PUSH, op_push }, { ZYDIS_MNEMONIC_POP, op_pop },
	{ ZYDIS_MNEMONIC_PUSHA, op_pusha }, { ZYDIS_MNEMONIC_PUSHAD, op_pusha },
	{ ZYDIS_MNEMONIC_POPA, op_popa }, { ZYDIS_MNEMONIC_POPAD, op_popa },
	{ ZYDIS_MNEMONIC_ENTER, op_enter }, { ZYDIS_MNEMONIC_LEAVE, op_leave },
	{ 0, NULL },
};
