// SPDX-License-Identifier: MIT
/*
 * The JIT: host x86-64 code for the straight part of a hot translated
 * block (block.c), emitted directly from the decoded instructions.
 *
 * Register-only integer work (MOV, the two-operand ALU, INC/DEC/NEG/NOT,
 * shifts and rotates by an immediate, MOVZX/MOVSX, LEA) becomes inline
 * host instructions on the guest registers in struct x86_cpu.  Every
 * other instruction (memory operands, PUSH/POP, SSE, MUL/DIV...) becomes
 * a call to the handler the block engine would call (the specialised one
 * of fast.c where the decoder picked it, which takes the software-TLB
 * fast path and falls back to the generic handler), with the guest rip
 * written back first and the status and the block-stop conditions
 * checked after, exactly as run_straight does.  So a fault or exit can
 * only happen in a call, where rip, registers and flags are exact, and
 * the C wrapper retires and counts as for the block engine.
 *
 * Flags: an inline instruction computes the guest's arithmetic flags on
 * the host (the same operation at the same size) and stores them into
 * cpu->rflags only when a later instruction of the block, a call, or the
 * block's end may read them (a backward liveness pass over the block:
 * lazy flags at block granularity).  Where the architecture leaves a flag
 * undefined, it is set as the generic handlers set it (see fast.c).
 */
#include <stddef.h>

#include "arch/x86/fastmem.h"
#include "arch/x86/jit.h"
#include "arch/x86/jit_emit.h"

#define CPU(f)		((u32)offsetof(struct x86_cpu, f))
#define ARITH		((u16)X86_ARITH_FLAGS)
#define LAHF_BITS	0xd5	/* SF ZF AF PF CF as LAHF puts them in AH */

enum jkind { J_CALL, J_MOV, J_ALU, J_UNARY, J_SHIFT, J_EXT, J_LEA };

/* How an instruction is emitted: the host operation and its flags. */
struct jrule {
	u16 mn;		/* ZydisMnemonic */
	u8 kind;	/* enum jkind */
	u8 op;		/* ALU: /digit of 0x00-0x38; unary, shift: ModRM.reg */
	u16 writes;	/* flags written */
	u16 val;	/* of them, the LAHF bits taken from the host */
	u16 reads;	/* flags read */
	u8 mem;		/* 1 + index of the memory operand, 0: none */
};

#define ALU(m, o, v, r) { ZYDIS_MNEMONIC_##m, J_ALU, o, ARITH, v, r, 0 }
#define UN(m, o, w) { ZYDIS_MNEMONIC_##m, J_UNARY, o, w, (w) & LAHF_BITS, 0, 0 }
#define SH(m, o) { ZYDIS_MNEMONIC_##m, J_SHIFT, o, ARITH, 0, 0, 0 }
#define OTHER(m, k) { ZYDIS_MNEMONIC_##m, k, 0, 0, 0, 0, 0 }

enum { OP_TEST = 8 };	/* not in the 0x00-0x38 group */

static const struct jrule rules[] = {
	OTHER(MOV, J_MOV),
	ALU(ADD, 0, 0xd5, 0), ALU(OR, 1, 0xc5, 0),
	ALU(ADC, 2, 0xd5, X86_CF), ALU(SBB, 3, 0xd5, X86_CF),
	ALU(AND, 4, 0xc5, 0), ALU(SUB, 5, 0xd5, 0),
	ALU(XOR, 6, 0xc5, 0), ALU(CMP, 7, 0xd5, 0),
	ALU(TEST, OP_TEST, 0xc5, 0),
	UN(INC, 0, ARITH & ~X86_CF), UN(DEC, 1, ARITH & ~X86_CF),
	UN(NOT, 2, 0), UN(NEG, 3, ARITH),
	SH(ROL, 0), SH(ROR, 1), SH(SHL, 4), SH(SHR, 5), SH(SAR, 7),
	OTHER(MOVZX, J_EXT), OTHER(MOVSX, J_EXT), OTHER(MOVSXD, J_EXT),
	OTHER(LEA, J_LEA),
};

static bool gpr_op(const struct x86_operand *o)
{
	return o->kind == X86_OP_REG && o->rclass == X86_RC_GPR &&
	       (o->size == 1 || o->size == 2 || o->size == 4 || o->size == 8);
}

/* Offset of a GPR operand's bytes in struct x86_cpu. */
static u32 gpr_disp(const struct x86_operand *o)
{
	if (o->high8)
		return CPU(gpr) + 8 * (u32)(o->reg - 4) + 1;
	return CPU(gpr) + 8 * (u32)o->reg;
}

/* A memory operand the inline path reaches (x86_tlb_fast, one access). */
static bool mem_op(const struct x86_operand *o)
{
	return o->kind == X86_OP_MEM && o->visible &&
	       (o->size == 1 || o->size == 2 || o->size == 4 ||
		o->size == 8) && o->base <= 16 && o->index < 16 &&
	       (o->index < 0 || o->scale == 1 || o->scale == 2 ||
		o->scale == 4 || o->scale == 8);
}

/* MOV and the ALU: r/m, r/m/imm of one size, at most one in memory;
 * sets *mem (1 + the memory operand's index, or 0). */
static bool shape_two(const struct x86_insn *in, u8 *mem)
{
	const struct x86_operand *d = &in->op[0], *s = &in->op[1];

	if (in->nops < 2 || !d->visible || !s->visible)
		return false;
	if (mem_op(d) && (s->kind == X86_OP_IMM ||
			  (gpr_op(s) && s->size == d->size))) {
		*mem = 1;
		return true;
	}
	if (!gpr_op(d))
		return false;
	if (mem_op(s) && s->size == d->size)
		*mem = 2;
	return *mem || s->kind == X86_OP_IMM ||
	       (gpr_op(s) && s->size == d->size);
}

/* Does the operand shape fit the rule's inline form?  Sets r->mem. */
static bool shape_ok(const struct x86_insn *in, struct jrule *r)
{
	const struct x86_operand *d = &in->op[0], *s = &in->op[1];

	if (r->kind == J_MOV || r->kind == J_ALU)
		return shape_two(in, &r->mem);
	if (in->nops < 1 || !d->visible)
		return false;
	if (r->kind == J_UNARY && mem_op(d)) {
		r->mem = 1;
		return true;
	}
	if (!gpr_op(d))
		return false;
	if (r->kind == J_EXT && in->nops >= 2 && mem_op(s) && s->size <= 4 &&
	    d->size >= 2) {
		r->mem = 2;
		return true;
	}
	switch (r->kind) {
	case J_UNARY:
		return true;
	case J_SHIFT:
		return in->nops >= 2 && s->kind == X86_OP_IMM && !d->high8 &&
		       (d->size == 4 || d->size == 8);
	case J_EXT:
		return in->nops >= 2 && gpr_op(s) && s->size <= 4 &&
		       d->size >= 2;
	case J_LEA:
		return in->nops >= 2 && s->kind == X86_OP_MEM &&
		       d->size >= 2 && (s->scale == 1 || s->scale == 2 ||
					s->scale == 4 || s->scale == 8 ||
					s->index < 0);
	default:
		return false;
	}
}

/* The rule for in, with writes adjusted to the instruction; kind J_CALL
 * when it is not emitted inline. */
static struct jrule classify(const struct x86_insn *in)
{
	struct jrule call = { 0, J_CALL, 0, 0, 0, 0, 0 }, r;
	size_t i;

	if (!in->fn || in->lock || in->rep || in->mode != X86_MODE_LONG64)
		return call;
	for (i = 0; i < ARRAY_SIZE(rules); i++) {
		if (rules[i].mn != in->mnemonic)
			continue;
		r = rules[i];
		if (!shape_ok(in, &r))
			return call;
		if (r.kind == J_SHIFT) {
			u64 c = in->op[1].imm & (in->op[0].size == 8 ? 63 : 31);

			if (!c)
				r.writes = 0;
			else if (r.op <= 1)		/* ROL, ROR */
				r.writes = X86_CF | X86_OF_;
		}
		return r;
	}
	return call;
}

/* ---- flags ---- */

/* cpu->rflags = cpu->rflags & ~mask | eax (eax holds only mask bits). */
static void emit_merge(struct jit_emit *e, u16 mask)
{
	e_load(e, 8, H_RCX, CPU(rflags));
	E(e, 0x48, 0x81, 0xe1);			/* and rcx, ~mask */
	e_u32(e, ~(u32)mask);
	E(e, 0x48, 0x09, 0xc1);			/* or rcx, rax */
	e_store(e, 8, H_RCX, CPU(rflags));
}

/* Right after the host operation: the host's flags, val of the LAHF bits
 * and OF, into the guest's rflags under mask. */
static void emit_flags(struct jit_emit *e, u16 val, u16 mask)
{
	E(e, 0x9f, 0x0f, 0x90, 0xc0);		/* lahf; seto al */
	E(e, 0x0f, 0xb6, 0xc8);			/* movzx ecx, al */
	E(e, 0xc1, 0xe1, 0x0b);			/* shl ecx, 11 */
	E(e, 0x0f, 0xb6, 0xc4);			/* movzx eax, ah */
	e_b(e, 0x25);				/* and eax, val */
	e_u32(e, val);
	if (mask & X86_OF_)
		E(e, 0x09, 0xc8);		/* or eax, ecx */
	emit_merge(e, mask);
}

/* ---- operations ---- */

/* rcx = the source operand s at size (only the low size bytes count). */
static void load_src(struct jit_emit *e, const struct x86_operand *s,
		     int size)
{
	if (s->kind == X86_OP_IMM)
		e_mov_imm(e, H_RCX, s->imm & x86_mask(size));
	else
		e_load(e, size, H_RCX, gpr_disp(s));
}

/* The GPR operand d = rdx, with the size's semantics. */
static void store_rdx(struct jit_emit *e, const struct x86_operand *d)
{
	if (d->size == 4) {
		E(e, 0x89, 0xd2);		/* mov edx, edx */
		e_store(e, 8, H_RDX, gpr_disp(d));
	} else {
		e_store(e, d->size, H_RDX, gpr_disp(d));
	}
}

static void emit_mov(struct jit_emit *e, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->op[0];

	load_src(e, &in->op[1], d->size);
	/* a 32-bit source in rcx is already zero-extended */
	e_store(e, d->size == 4 ? 8 : d->size, H_RCX, gpr_disp(d));
}

static bool alu_writes(const struct jrule *r)
{
	return r->op != 7 && r->op != OP_TEST;
}

static u8 alu_op8(const struct jrule *r)
{
	return r->op == OP_TEST ? 0x84 : (u8)(r->op << 3);
}

/* CF of the guest into the host's CF (ADC, SBB). */
static void load_cf(struct jit_emit *e, const struct jrule *r)
{
	if (r->reads & X86_CF) {
		E(e, 0x0f, 0xba, 0xa3);		/* bt dword [rbx+rflags], 0 */
		e_u32(e, CPU(rflags));
		e_b(e, 0);
	}
}

/* The ALU on a GPR destination with the source in rcx. */
static void emit_alu_rcx(struct jit_emit *e, const struct x86_insn *in,
			 const struct jrule *r, bool flags)
{
	const struct x86_operand *d = &in->op[0];
	bool wr = alu_writes(r);
	u8 op8 = alu_op8(r);
	int size = d->size;

	load_cf(e, r);
	if (size == 4) {
		e_load(e, 4, H_RDX, gpr_disp(d));
		e_rr(e, 4, op8, op8 + 1, H_RCX, H_RDX);	/* op edx, ecx */
		if (wr)
			e_store(e, 8, H_RDX, gpr_disp(d));
	} else {
		e_mem(e, size, op8, op8 + 1, H_RCX, gpr_disp(d));
	}
	if (flags)
		emit_flags(e, r->val, r->writes);
}

static void emit_alu(struct jit_emit *e, const struct x86_insn *in,
		     const struct jrule *r, bool flags)
{
	load_src(e, &in->op[1], in->op[0].size);
	emit_alu_rcx(e, in, r, flags);
}

static void emit_unary(struct jit_emit *e, const struct x86_insn *in,
		       const struct jrule *r, bool flags)
{
	const struct x86_operand *d = &in->op[0];
	u8 op8 = r->op <= 1 ? 0xfe : 0xf6;

	if (d->size == 4) {
		e_load(e, 4, H_RDX, gpr_disp(d));
		e_rr(e, 4, op8, op8 + 1, r->op, H_RDX);
		e_store(e, 8, H_RDX, gpr_disp(d));
	} else {
		e_mem(e, d->size, op8, op8 + 1, r->op, gpr_disp(d));
	}
	if (flags && r->writes)
		emit_flags(e, r->val, r->writes);
}

/* OF of a shift or rotate by c != 0 into eax bit 11, CF and the LAHF
 * bits the generic handler keeps into eax (the result is in rdx, the
 * source's sign in cl for SHR). */
static void shift_flags(struct jit_emit *e, u8 op, int bits)
{
	if (op <= 1) {				/* ROL, ROR: CF and OF only */
		if (op == 0) {			/* CF first: shr clobbers it */
			E(e, 0x0f, 0x92, 0xc0);	/* setc al */
			E(e, 0x0f, 0xb6, 0xc0);	/* movzx eax, al */
		}
		E(e, 0x48, 0x89, 0xd1);		/* mov rcx, rdx */
		E(e, 0x48, 0xc1, 0xe9);		/* shr rcx, bits - 1 - op */
		e_b(e, (u8)(bits - 1 - op));
		if (op == 1) {
			E(e, 0x89, 0xc8);	/* mov eax, ecx */
			E(e, 0xd1, 0xe8);	/* shr eax, 1 */
			E(e, 0x83, 0xe0, 0x01);	/* and eax, 1 */
		}
		E(e, 0x31, 0xc1);		/* xor ecx, eax */
	} else {
		E(e, 0x9f, 0x0f, 0xb6, 0xc4);	/* lahf; movzx eax, ah */
		E(e, 0x25);			/* and eax, SF ZF PF CF */
		e_u32(e, 0xc5);
		if (op == 4) {			/* SHL: OF = SF ^ CF */
			E(e, 0x89, 0xc1);	/* mov ecx, eax */
			E(e, 0xc1, 0xe9, 0x07);	/* shr ecx, 7 */
			E(e, 0x31, 0xc1);	/* xor ecx, eax */
		} else if (op == 7) {		/* SAR: OF = 0 */
			E(e, 0x31, 0xc9);	/* xor ecx, ecx */
		}				/* SHR: cl = old sign */
	}
	E(e, 0x83, 0xe1, 0x01);			/* and ecx, 1 */
	E(e, 0xc1, 0xe1, 0x0b);			/* shl ecx, 11 */
	E(e, 0x09, 0xc8);			/* or eax, ecx */
}

static void emit_shift(struct jit_emit *e, const struct x86_insn *in,
		       const struct jrule *r, bool flags)
{
	const struct x86_operand *d = &in->op[0];
	int size = d->size, bits = size * 8;
	u8 c = (u8)(in->op[1].imm & (size == 8 ? 63 : 31));

	e_load(e, size, H_RDX, gpr_disp(d));
	if (c) {
		if (r->op == 5 && flags) {	/* SHR: keep the old sign */
			E(e, 0x48, 0x89, 0xd1);	/* mov rcx, rdx */
			E(e, 0x48, 0xc1, 0xe9);	/* shr rcx, bits - 1 */
			e_b(e, (u8)(bits - 1));
		}
		e_rr(e, size, 0xc1, 0xc1, r->op, H_RDX);	/* op rdx, c */
		e_b(e, c);
		if (flags) {
			shift_flags(e, r->op, bits);
			emit_merge(e, r->writes);
		}
	}
	/* even a count of 0 writes (zero-extends) a 32-bit register */
	e_store(e, 8, H_RDX, gpr_disp(d));
}

/* MOVZX/MOVSX(D) into rdx from the GPR source (disp >= 0: [rbx+disp])
 * or from [rax] (disp < 0), then into the destination. */
static void emit_ext_at(struct jit_emit *e, const struct x86_insn *in,
			s64 disp)
{
	const struct x86_operand *s = &in->op[1];
	bool sx = in->mnemonic != ZYDIS_MNEMONIC_MOVZX;

	if (s->size == 4) {
		if (sx)
			E(e, 0x48, 0x63);	/* movsxd rdx, dword */
		else
			e_b(e, 0x8b);		/* mov edx, dword */
	} else {
		if (sx)
			e_b(e, 0x48);
		e_b(e, 0x0f);
		e_b(e, (u8)((sx ? 0xbe : 0xb6) + (s->size == 2)));
	}
	if (disp < 0) {
		e_b(e, (u8)(H_RDX << 3));	/* [rax] */
	} else {
		e_b(e, (u8)(0x80 | (H_RDX << 3) | H_RBX));
		e_u32(e, (u32)disp);
	}
	store_rdx(e, &in->op[0]);
}

static void emit_ext(struct jit_emit *e, const struct x86_insn *in)
{
	emit_ext_at(e, in, gpr_disp(&in->op[1]));
}

/* rdx = disp + base + index * scale of m, at the address size. */
static void emit_ea(struct jit_emit *e, const struct x86_insn *in,
		    const struct x86_operand *m, u32 off)
{
	static const u8 log2[9] = { 0, 0, 1, 0, 2, 0, 0, 0, 3 };

	if (m->base == 16) {
		e_rdx_rip(e, off + in->len + (u64)m->disp);
	} else {
		e_mov_imm(e, H_RDX, (u64)m->disp);
		if (m->base >= 0) {
			E(e, 0x48, 0x03, 0x93);	/* add rdx, [rbx + gpr] */
			e_u32(e, CPU(gpr) + 8 * (u32)m->base);
		}
	}
	if (m->index >= 0) {
		e_load(e, 8, H_RCX, CPU(gpr) + 8 * (u32)m->index);
		E(e, 0x48, 0xc1, 0xe1);		/* shl rcx, log2 scale */
		e_b(e, log2[m->scale]);
		E(e, 0x48, 0x01, 0xca);		/* add rdx, rcx */
	}
	if (in->addrsize == 4)
		E(e, 0x89, 0xd2);		/* mov edx, edx */
	else if (in->addrsize == 2)
		E(e, 0x0f, 0xb7, 0xd2);		/* movzx edx, dx */
}

static void emit_lea(struct jit_emit *e, const struct x86_insn *in, u32 off)
{
	emit_ea(e, in, &in->op[1], off);
	store_rdx(e, &in->op[0]);
}

/* After instruction i stored (the next one at next): end the block
 * there if the store hit the block's page (x86_code_store). */
static void emit_stop_check(struct jit_emit *e, u32 i, u32 next)
{
	u8 *go;

	E(e, 0x80, 0xbb);			/* cmp byte [block_stop], 0 */
	e_u32(e, CPU(block_stop));
	e_b(e, 0);
	go = e_jcc8(e, 0x4);			/* jz go */
	e_set_rip(e, CPU(rip), next);
	e_return(e, (i + 1) << 8 | X86_JIT_STOP, false);
	e_patch8(e, go);
}

/* A call to the handler of in (instruction i at offset off, the next one
 * at next), then the checks run_straight makes. */
static void emit_call(struct jit_emit *e, const struct x86_insn *in, u32 i,
		      u32 off, u32 next)
{
	u8 *ok, *stop, *go;

	e_set_rip(e, CPU(rip), off);
	E(e, 0x48, 0x89, 0xdf);			/* mov rdi, rbx */
	E(e, 0x48, 0xbe);			/* mov rsi, in */
	e_u64(e, (u64)(uintptr_t)in);
	E(e, 0x48, 0xb8);			/* mov rax, fn */
	e_u64(e, (u64)(uintptr_t)in->fn);
	E(e, 0xff, 0xd0, 0x85, 0xc0);		/* call rax; test eax, eax */
	ok = e_jcc8(e, 0x4);			/* jz ok */
	e_return(e, i << 8, true);		/* status | i << 8 */
	e_patch8(e, ok);
	E(e, 0x83, 0xbb);			/* cmp dword [nr_mmio_writes], 0 */
	e_u32(e, CPU(nr_mmio_writes));
	e_b(e, 0);
	stop = e_jcc8(e, 0x5);			/* jnz stop */
	E(e, 0x80, 0xbb);			/* cmp byte [block_stop], 0 */
	e_u32(e, CPU(block_stop));
	e_b(e, 0);
	go = e_jcc8(e, 0x4);			/* jz go */
	e_patch8(e, stop);
	e_set_rip(e, CPU(rip), next);
	e_return(e, (i + 1) << 8 | X86_JIT_STOP, false);
	e_patch8(e, go);
}

/* ---- memory operands ---- */

/* Host pointer of [lin, lin+size) on the software-TLB fast path, or NULL
 * (the handler then does the access: walk, fault, MMIO, breakpoints).
 * Called from JIT code; the TLB layout stays the TLB's business. */
static u8 *jit_mem(struct x86_cpu *cpu, u64 lin, u32 size, u32 wr)
{
	if (!x86_canonical(lin) || x86_dbg_armed(cpu))
		return NULL;
	return x86_tlb_fast(cpu, lin, size, wr);
}

/* rax = jit_mem(linear address of m); returns the jz to the slow path. */
static u8 *emit_tlb(struct jit_emit *e, const struct x86_insn *in,
		    const struct x86_operand *m, u32 off, bool wr)
{
	emit_ea(e, in, m, off);
	if (m->seg == X86_FS || m->seg == X86_GS) {
		E(e, 0x48, 0x03, 0x93);		/* add rdx, [seg base] */
		e_u32(e, CPU(seg) + m->seg * (u32)sizeof(struct x86_seg) +
			 (u32)offsetof(struct x86_seg, base));
	}
	E(e, 0x48, 0x89, 0xd6, 0x48, 0x89, 0xdf); /* mov rsi, rdx; rdi, rbx */
	e_b(e, 0xba);				/* mov edx, size */
	e_u32(e, m->size);
	e_b(e, 0xb9);				/* mov ecx, wr */
	e_u32(e, wr);
	E(e, 0x48, 0xb8);			/* mov rax, jit_mem */
	e_u64(e, (u64)(uintptr_t)jit_mem);
	E(e, 0xff, 0xd0, 0x48, 0x85, 0xc0);	/* call rax; test rax, rax */
	return e_jcc32(e, 0x4);			/* jz slow */
}

/* op8/op at the size with ModRM to [rax] and reg field reg. */
static void e_at_rax(struct jit_emit *e, int size, u8 op8, u8 op, int reg)
{
	e_size(e, size);
	e_b(e, size == 1 ? op8 : op);
	e_b(e, (u8)(reg << 3));
}

/* The access itself, rax pointing at the memory operand. */
static void emit_mem_body(struct jit_emit *e, const struct x86_insn *in,
			  const struct jrule *r, bool flags)
{
	const struct x86_operand *d = &in->op[0], *s = &in->op[1];

	if (r->kind == J_EXT) {
		emit_ext_at(e, in, -1);
	} else if (r->mem == 2) {		/* MOV/ALU reg, [rax] */
		e_at_rax(e, d->size, 0x8a, 0x8b, H_RCX);
		if (r->kind == J_MOV)
			e_store(e, d->size == 4 ? 8 : d->size, H_RCX,
				gpr_disp(d));
		else
			emit_alu_rcx(e, in, r, flags);
	} else if (r->kind == J_UNARY) {
		u8 op8 = r->op <= 1 ? 0xfe : 0xf6;

		e_at_rax(e, d->size, op8, op8 + 1, r->op);
		if (flags && r->writes)
			emit_flags(e, r->val, r->writes);
	} else {				/* MOV/ALU [rax], reg/imm */
		load_src(e, s, d->size);
		if (r->kind == J_MOV) {
			e_at_rax(e, d->size, 0x88, 0x89, H_RCX);
			return;
		}
		load_cf(e, r);
		e_at_rax(e, d->size, alu_op8(r), alu_op8(r) + 1, H_RCX);
		if (flags)
			emit_flags(e, r->val, r->writes);
	}
}

/* Does the inline access of rule r write its memory operand? */
static bool mem_writes(const struct jrule *r)
{
	return r->mem == 1 && (r->kind != J_ALU || alu_writes(r));
}

/* An instruction with a memory operand: the TLB fast path inline, the
 * handler (with its faults and exits) when it misses. */
static void emit_memop(struct jit_emit *e, const struct x86_insn *in,
		       const struct jrule *r, bool flags, u32 i, u32 off)
{
	bool wr = mem_writes(r);
	u8 *slow, *done;

	slow = emit_tlb(e, in, &in->op[r->mem - 1], off, wr);
	emit_mem_body(e, in, r, flags);
	if (wr)
		emit_stop_check(e, i, off + in->len);
	done = e_jmp32(e);
	e_patch32(e, slow);
	emit_call(e, in, i, off, off + in->len);
	e_patch32(e, done);
}

static void emit_one(struct jit_emit *e, const struct x86_insn *in,
		     const struct jrule *r, bool flags, u32 i, u32 off)
{
	if (r->mem) {
		emit_memop(e, in, r, flags, i, off);
		return;
	}
	switch (r->kind) {
	case J_MOV: emit_mov(e, in); break;
	case J_ALU: emit_alu(e, in, r, flags); break;
	case J_UNARY: emit_unary(e, in, r, flags); break;
	case J_SHIFT: emit_shift(e, in, r, flags); break;
	case J_EXT: emit_ext(e, in); break;
	case J_LEA: emit_lea(e, in, off); break;
	default: emit_call(e, in, i, off, off + in->len); break;
	}
}

/* Emit in[0..n) at the buffer's cursor; false: no room. */
static bool emit_block(struct jit_emit *e, const struct x86_insn *in, u32 n)
{
	struct jrule r[64];
	bool need[64];
	u16 live = ARITH;
	u32 i, off = 0;

	if (n > ARRAY_SIZE(r))
		return false;
	/* backward: which flags a later instruction or the exit reads */
	for (i = n; i-- > 0;) {
		r[i] = classify(&in[i]);
		need[i] = false;
		if (r[i].kind == J_CALL) {
			live = ARITH;	/* a handler may read them, or fault */
			continue;
		}
		need[i] = (r[i].writes & live) != 0;
		live = (u16)((live & ~r[i].writes) | r[i].reads);
		if (r[i].mem)
			live = ARITH;	/* its slow path is a handler */
	}
	e_prologue(e);
	for (i = 0; i < n; i++) {
		emit_one(e, &in[i], &r[i], need[i], i, off);
		off += in[i].len;
	}
	e_set_rip(e, CPU(rip), off);
	e_return(e, n << 8, false);
	return !e->full;
}

x86_jit_fn x86_jit_compile(struct kvmu_jitbuf *jb, const struct x86_insn *in,
			   u32 n)
{
	struct jit_emit e;
	size_t room;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		e.p = kvmu_jitbuf_cursor(jb, &room);
		e.end = e.p + room;
		e.full = false;
		if (emit_block(&e, in, n))
			return (x86_jit_fn)kvmu_jitbuf_commit(
				jb, (size_t)(e.p - (e.end - room)));
		kvmu_jitbuf_flush(jb);
	}
	return NULL;
}
