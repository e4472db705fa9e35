// SPDX-License-Identifier: MIT
/*
 * IN, OUT, INS and OUTS (with REP).  In protected mode an access with
 * CPL > IOPL (and in virtual-8086 mode) is allowed only when the TSS I/O
 * permission bitmap clears every bit of the accessed ports.
 */
#include <string.h>

#include "arch/x86/x86_int.h"

/* TSS I/O bitmap check (SDM vol. 1, 19.5.2). */
static enum x86_status io_allowed(struct x86_cpu *cpu, u16 port, int size)
{
	const struct x86_seg *tr = &cpu->seg[X86_TR];
	enum x86_status st;
	u16 base, bits;
	int iopl = (int)((cpu->rflags & X86_IOPL) >> 12);

	if (!(cpu->cr0 & X86_CR0_PE) ||
	    (!(cpu->rflags & X86_VM) && x86_cpl(cpu) <= iopl))
		return X86_OK;
	if (tr->unusable || (tr->type & 7) != 3 || !(tr->type & 8) ||
	    tr->limit < 103)
		return x86_raise(cpu, X86_GP, 0);
	st = x86_read_lin(cpu, tr->base + 102, &base, 2,
			  X86_ACC_READ | X86_ACC_IMPLICIT);
	if (st != X86_OK)
		return st;
	if ((u32)base + port / 8 + 1 > tr->limit)
		return x86_raise(cpu, X86_GP, 0);
	st = x86_read_lin(cpu, tr->base + base + port / 8, &bits, 2,
			  X86_ACC_READ | X86_ACC_IMPLICIT);
	if (st != X86_OK)
		return st;
	if ((bits >> (port & 7)) & ((1U << size) - 1))
		return x86_raise(cpu, X86_GP, 0);
	return X86_OK;
}

/* The port operand: an immediate or DX. */
static u16 port_of(const struct x86_cpu *cpu, const struct x86_operand *op)
{
	if (op->kind == X86_OP_IMM)
		return (u16)op->imm;
	return (u16)cpu->gpr[X86_RDX];
}

static enum x86_status h_in(struct x86_cpu *cpu, const struct x86_insn *in)
{
	int size = in->op[0].size;
	u16 port = port_of(cpu, &in->op[1]);
	enum x86_status st = io_allowed(cpu, port, size);
	u64 v = 0;

	if (st != X86_OK)
		return st;
	st = x86_pio_in(cpu, port, size, 1, &v);
	if (st != X86_OK)
		return st;
	x86_gpr_set(cpu, X86_RAX, size, false, v);
	return X86_OK;
}

static enum x86_status h_out(struct x86_cpu *cpu, const struct x86_insn *in)
{
	int size = in->op[1].size;
	u16 port = port_of(cpu, &in->op[0]);
	enum x86_status st = io_allowed(cpu, port, size);
	u64 v = cpu->gpr[X86_RAX];

	if (st != X86_OK)
		return st;
	return x86_pio_out_fast(cpu, port, size, &v);
}

static u64 reg_get(const struct x86_cpu *cpu, int r, int asize)
{
	return cpu->gpr[r] & x86_mask(asize);
}

static void reg_add(struct x86_cpu *cpu, int r, int asize, s64 d)
{
	u64 m = x86_mask(asize);

	if (asize == 4)
		cpu->gpr[r] = (cpu->gpr[r] + (u64)d) & m;
	else
		cpu->gpr[r] = (cpu->gpr[r] & ~m) | ((cpu->gpr[r] + (u64)d) & m);
}

/* Elements KVM's emulator asks for at once (pio_in_emulated). */
static u32 ins_batch(const struct x86_cpu *cpu, const struct x86_insn *in,
		     int size)
{
	u64 rdi = cpu->gpr[X86_RDI];
	u32 in_page, n, count = 1;

	if (in->rep)
		count = (u32)reg_get(cpu, X86_RCX, in->addrsize);
	in_page = (cpu->rflags & X86_DF_) ? (u32)(rdi & 0xfff) :
					   (u32)(0x1000 - (rdi & 0xfff));
	n = in_page;
	if (n > 1024 / (u32)size)
		n = 1024 / (u32)size;
	if (n > count)
		n = count;
	return n ? n : 1;
}

static enum x86_status h_ins(struct x86_cpu *cpu, const struct x86_insn *in)
{
	int size = in->op[0].size, as = in->addrsize;
	u16 port = (u16)cpu->gpr[X86_RDX];
	s64 step = (cpu->rflags & X86_DF_) ? -size : size;
	enum x86_status st = io_allowed(cpu, port, size);
	u64 v, lin, gpa;

	if (st != X86_OK)
		return st;
	for (;;) {
		if (in->rep && !reg_get(cpu, X86_RCX, as)) {
			cpu->pio_pos = cpu->pio_end = 0;
			return X86_OK;
		}
		/* check the destination before consuming the input */
		st = x86_seg_linear(cpu, X86_ES, reg_get(cpu, X86_RDI, as),
				    (u32)size, X86_ACC_WRITE, &lin);
		if (st == X86_OK)
			st = x86_translate(cpu, lin, X86_ACC_WRITE, &gpa);
		if (st != X86_OK)
			return st;
		v = 0;
		st = x86_pio_ins(cpu, port, size, ins_batch(cpu, in, size), &v);
		if (st != X86_OK)
			return st;
		st = x86_write(cpu, X86_ES, reg_get(cpu, X86_RDI, as), &v,
			       (u32)size);
		if (st != X86_OK)
			return st;
		reg_add(cpu, X86_RDI, as, step);
		if (!in->rep)
			return X86_OK;
		reg_add(cpu, X86_RCX, as, -1);
		/* an MMIO destination: one write exit per element */
		if (cpu->nr_mmio_writes && reg_get(cpu, X86_RCX, as))
			return X86_JUMP;
	}
}

static enum x86_status h_outs(struct x86_cpu *cpu, const struct x86_insn *in)
{
	const struct x86_operand *src = &in->op[1];
	int size = src->size, as = in->addrsize;
	u16 port = (u16)cpu->gpr[X86_RDX];
	s64 step = (cpu->rflags & X86_DF_) ? -size : size;
	enum x86_status st = io_allowed(cpu, port, size);
	u64 v = 0;

	if (st != X86_OK)
		return st;
	if (src->kind != X86_OP_MEM)
		src = &in->op[0];
	for (;;) {
		if (in->rep && !reg_get(cpu, X86_RCX, as))
			return X86_OK;
		st = x86_read(cpu, src->seg, reg_get(cpu, X86_RSI, as), &v,
			      (u32)size);
		if (st != X86_OK)
			return st;
		st = x86_pio_out(cpu, port, size, 1, &v);
		cpu->nr_mmio_done = 0;	/* the element's MMIO read is spent */
		reg_add(cpu, X86_RSI, as, step);
		if (in->rep)
			reg_add(cpu, X86_RCX, as, -1);
		if (st == X86_OK && in->rep)
			continue;	/* queued in a coalesced zone */
		/* one element per exit; RIP moves once the count is done */
		if (st == X86_EXIT_RETIRED && in->rep &&
		    reg_get(cpu, X86_RCX, as))
			return X86_EXIT;
		return st;
	}
}

const struct x86_op_entry x86_ops_io[] = {
	{ ZYDIS_MNEMONIC_IN, h_in },
	{ ZYDIS_MNEMONIC_OUT, h_out },
	{ ZYDIS_MNEMONIC_INSB, h_ins },
	{ ZYDIS_MNEMONIC_INSW, h_ins },
	{ ZYDIS_MNEMONIC_INSD, h_ins },
	{ ZYDIS_MNEMONIC_OUTSB, h_outs },
	{ ZYDIS_MNEMONIC_OUTSW, h_outs },
	{ ZYDIS_MNEMONIC_OUTSD, h_outs },
	{ 0, NULL },
};
