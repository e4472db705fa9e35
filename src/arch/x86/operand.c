// SPDX-License-Identifier: MIT
/* Operand access for instruction handlers: registers, memory, immediates. */
#include <string.h>

#include "arch/x86/cpu.h"

static u64 addr_reg(const struct x86_cpu *cpu, const struct x86_insn *in,
		    int r)
{
	if (r == 16)
		return cpu->rip + in->len;
	return cpu->gpr[r];
}

u64 x86_ea(const struct x86_cpu *cpu, const struct x86_insn *in,
	   const struct x86_operand *op)
{
	u64 ea = (u64)op->disp;

	if (op->base >= 0)
		ea += addr_reg(cpu, in, op->base);
	if (op->index >= 0)
		ea += addr_reg(cpu, in, op->index) * op->scale;
	return ea & x86_mask(in->addrsize);
}

u64 x86_branch_target(const struct x86_cpu *cpu, const struct x86_insn *in,
		      int n)
{
	u64 t = cpu->rip + in->len + in->op[n].imm;

	return t & x86_mask(in->opsize);
}

static u64 seg_read(const struct x86_cpu *cpu, int reg)
{
	return reg < X86_NR_SEGS ? cpu->seg[reg].sel : 0;
}

enum x86_status x86_op_read_any(struct x86_cpu *cpu,
				const struct x86_insn *in, int n, u64 *val)
{
	const struct x86_operand *op = &in->op[n];
	enum x86_status st;
	u64 v = 0;

	switch (op->kind) {
	case X86_OP_REG:
		if (op->rclass == X86_RC_GPR)
			v = x86_gpr_get(cpu, op->reg, op->size, op->high8);
		else if (op->rclass == X86_RC_SEG)
			v = seg_read(cpu, op->reg);
		else if (op->rclass == X86_RC_FLAGS)
			v = cpu->rflags;
		else if (op->rclass == X86_RC_IP)
			v = cpu->rip;
		break;
	case X86_OP_MEM:
		st = x86_read(cpu, op->seg, x86_ea(cpu, in, op), &v,
			      op->size > 8 ? 8 : op->size);
		if (st != X86_OK)
			return st;
		break;
	case X86_OP_IMM:
	case X86_OP_PTR:
		v = op->imm;
		break;
	default:
		break;
	}
	*val = v & x86_mask(op->size ? op->size : 8);
	return X86_OK;
}

enum x86_status x86_op_write_any(struct x86_cpu *cpu,
				 const struct x86_insn *in, int n, u64 val)
{
	const struct x86_operand *op = &in->op[n];

	switch (op->kind) {
	case X86_OP_REG:
		if (op->rclass == X86_RC_GPR)
			x86_gpr_set(cpu, op->reg, op->size, op->high8, val);
		else if (op->rclass == X86_RC_FLAGS)
			cpu->rflags = (val & x86_mask(op->size)) | 2;
		return X86_OK;
	case X86_OP_MEM:
		return x86_write(cpu, op->seg, x86_ea(cpu, in, op), &val,
				 op->size > 8 ? 8 : op->size);
	default:
		return X86_OK;
	}
}

int x86_stack_size(const struct x86_cpu *cpu)
{
	if (cpu->mode == X86_MODE_LONG64)
		return 8;
	if (cpu->mode == X86_MODE_REAL || cpu->mode == X86_MODE_VM86)
		return 2;
	return cpu->seg[X86_SS].db ? 4 : 2;
}

enum x86_status x86_push(struct x86_cpu *cpu, u64 val, int size)
{
	int ss = x86_stack_size(cpu);
	u64 mask = x86_mask(ss);
	u64 rsp = (cpu->gpr[X86_RSP] - (u64)size) & mask;
	enum x86_status st;

	st = x86_write(cpu, X86_SS, rsp, &val, (u32)size);
	if (st != X86_OK)
		return st;
	cpu->gpr[X86_RSP] = (cpu->gpr[X86_RSP] & ~mask) | rsp;
	return X86_OK;
}

enum x86_status x86_pop(struct x86_cpu *cpu, u64 *val, int size)
{
	int ss = x86_stack_size(cpu);
	u64 mask = x86_mask(ss);
	u64 rsp = cpu->gpr[X86_RSP] & mask;
	enum x86_status st;
	u64 v = 0;

	st = x86_read(cpu, X86_SS, rsp, &v, (u32)size);
	if (st != X86_OK)
		return st;
	*val = v & x86_mask(size);
	cpu->gpr[X86_RSP] = (cpu->gpr[X86_RSP] & ~mask) |
			    ((rsp + (u64)size) & mask);
	return X86_OK;
}
