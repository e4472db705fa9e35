// SPDX-License-Identifier: MIT
/*
 * String instructions MOVS/CMPS/SCAS/LODS/STOS in all element sizes, with
 * REP/REPE/REPNE.  rSI/rDI/rCX are updated after every element, so a fault
 * or an MMIO exit in the middle leaves exactly the state the hardware
 * leaves and the instruction resumes from there.  A REP instruction runs a
 * bounded batch of elements per step and then returns X86_JUMP with rip
 * unchanged: the run loop gets to look at pending events and exits in
 * between, as the hardware takes interrupts between iterations.
 *
 * Over MMIO, KVM's emulator leaves to user space once per element: a read
 * exits before the element and the rerun finds the data, a write exits
 * after the element retired.  So an element that queued an MMIO write
 * ends the batch (rCX/rSI/rDI already past it), and every retired element
 * drops the MMIO reads it consumed: any count runs in bounded state.
 */
#include "arch/x86/exec_int.h"

/* Elements per step; with TF set the trap comes after every element. */
#define STR_BATCH 1024

enum str_kind { STR_MOVS, STR_CMPS, STR_SCAS, STR_LODS, STR_STOS };

struct str_ctx {
	enum str_kind kind;
	int size;		/* element size */
	int asz;		/* address size */
	int src_seg;		/* DS or the override (ES:rDI is fixed) */
	u64 step;		/* +size or -size by DF */
};

static void advance(struct x86_cpu *cpu, const struct str_ctx *c, int reg)
{
	x86_gpr_set(cpu, reg, c->asz, false, cpu->gpr[reg] + c->step);
}

static u64 addr(const struct x86_cpu *cpu, const struct str_ctx *c, int reg)
{
	return cpu->gpr[reg] & x86_mask(c->asz);
}

/* One element; all reads come before the write. */
static enum x86_status str_one(struct x86_cpu *cpu, const struct str_ctx *c)
{
	u64 a = 0, b = 0, acc = cpu->gpr[X86_RAX] & x86_mask(c->size);
	enum x86_status st = X86_OK;
	u32 n = (u32)c->size;

	if (c->kind == STR_MOVS || c->kind == STR_CMPS ||
	    c->kind == STR_LODS)
		st = x86_read(cpu, c->src_seg, addr(cpu, c, X86_RSI), &a, n);
	if (st == X86_OK && (c->kind == STR_CMPS || c->kind == STR_SCAS))
		st = x86_read(cpu, X86_ES, addr(cpu, c, X86_RDI), &b, n);
	if (st == X86_OK && c->kind == STR_MOVS)
		st = x86_write(cpu, X86_ES, addr(cpu, c, X86_RDI), &a, n);
	if (st == X86_OK && c->kind == STR_STOS)
		st = x86_write(cpu, X86_ES, addr(cpu, c, X86_RDI), &acc, n);
	if (st != X86_OK)
		return st;
	switch (c->kind) {
	case STR_CMPS:
		x86_flags_sub(cpu, a, b, 0, a - b, c->size);
		break;
	case STR_SCAS:
		x86_flags_sub(cpu, acc, b, 0, acc - b, c->size);
		break;
	case STR_LODS:
		x86_gpr_set(cpu, X86_RAX, c->size, false, a);
		break;
	default:
		break;
	}
	if (c->kind != STR_SCAS && c->kind != STR_STOS)
		advance(cpu, c, X86_RSI);
	if (c->kind != STR_LODS)
		advance(cpu, c, X86_RDI);
	return X86_OK;
}

/* The source segment: the memory operand based on rSI, if any. */
static int source_seg(const struct x86_insn *in)
{
	int i;

	for (i = 0; i < in->nops; i++)
		if (in->op[i].kind == X86_OP_MEM &&
		    in->op[i].base == X86_RSI)
			return in->op[i].seg;
	return X86_DS;
}

static enum x86_status str_rep(struct x86_cpu *cpu, const struct x86_insn *in,
			       const struct str_ctx *c)
{
	bool cond = c->kind == STR_CMPS || c->kind == STR_SCAS;
	int batch = cpu->rflags & X86_TF ? 1 : STR_BATCH;
	enum x86_status st;
	u64 n;

	for (; batch > 0; batch--) {
		n = cpu->gpr[X86_RCX] & x86_mask(c->asz);
		if (!n)
			return X86_OK;
		st = str_one(cpu, c);
		if (st != X86_OK)
			return st;
		cpu->nr_mmio_done = 0;	/* this element retired */
		x86_gpr_set(cpu, X86_RCX, c->asz, false, n - 1);
		if (n == 1)
			return X86_OK;
		if (cond && !!(cpu->rflags & X86_ZF) != (in->rep == X86_REP))
			return X86_OK;
		if (cpu->nr_mmio_writes || cpu->dbg_hits)
			break;	/* its write exit or #DB trap comes first */
	}
	cpu->dbg_resume = true;	/* no instruction breakpoint again */
	cpu->dbg_resume_rip = cpu->rip;
	return X86_JUMP;	/* rip unchanged: continue next step */
}

static enum x86_status str_exec(struct x86_cpu *cpu,
				const struct x86_insn *in, enum str_kind kind)
{
	struct str_ctx c = {
		.kind = kind,
		.size = in->opsize,
		.asz = in->addrsize,
		.src_seg = source_seg(in),
	};

	/* the element size: Zydis reports it as the operand width */
	c.step = cpu->rflags & X86_DF_ ? -(u64)c.size : (u64)c.size;
	if (!in->rep)
		return str_one(cpu, &c);
	return str_rep(cpu, in, &c);
}

#define STR_OP(name, kind)						\
	static enum x86_status op_##name(struct x86_cpu *cpu,		\
					 const struct x86_insn *in)	\
	{								\
		return str_exec(cpu, in, kind);				\
	}
STR_OP(movs, STR_MOVS)
STR_OP(cmps, STR_CMPS)
STR_OP(scas, STR_SCAS)
STR_OP(lods, STR_LODS)
STR_OP(stos, STR_STOS)

/*
 * Zydis names the SSE2 scalar-double MOVSD and CMPSD like the string
 * instructions.  Whichever table ends up owning the mnemonic, its handler
 * passes the other form on to the other table; this is our half.
 */
static enum x86_status sse_form(struct x86_cpu *cpu,
				const struct x86_insn *in)
{
	const struct x86_op_entry *e;

	for (e = x86_ops_sse; e->fn; e++)
		if (e->mnemonic == in->mnemonic)
			return e->fn(cpu, in);
	return x86_ud(cpu);
}

static bool is_xmm_form(const struct x86_insn *in)
{
	return (in->op[0].kind == X86_OP_REG &&
		in->op[0].rclass == X86_RC_XMM) ||
	       (in->op[1].kind == X86_OP_REG &&
		in->op[1].rclass == X86_RC_XMM);
}

static enum x86_status op_movsd(struct x86_cpu *cpu,
				const struct x86_insn *in)
{
	return is_xmm_form(in) ? sse_form(cpu, in) :
				 str_exec(cpu, in, STR_MOVS);
}

static enum x86_status op_cmpsd(struct x86_cpu *cpu,
				const struct x86_insn *in)
{
	return is_xmm_form(in) ? sse_form(cpu, in) :
				 str_exec(cpu, in, STR_CMPS);
}

const struct x86_op_entry x86_ops_str[] = {
	{ ZYDIS_MNEMONIC_MOVSB, op_movs }, { ZYDIS_MNEMONIC_MOVSW, op_movs },
	{ ZYDIS_MNEMONIC_MOVSD, op_movsd }, { ZYDIS_MNEMONIC_MOVSQ, op_movs },
	{ ZYDIS_MNEMONIC_CMPSB, op_cmps }, { ZYDIS_MNEMONIC_CMPSW, op_cmps },
	{ ZYDIS_MNEMONIC_CMPSD, op_cmpsd }, { ZYDIS_MNEMONIC_CMPSQ, op_cmps },
	{ ZYDIS_MNEMONIC_SCASB, op_scas }, { ZYDIS_MNEMONIC_SCASW, op_scas },
	{ ZYDIS_MNEMONIC_SCASD, op_scas }, { ZYDIS_MNEMONIC_SCASQ, op_scas },
	{ ZYDIS_MNEMONIC_LODSB, op_lods }, { ZYDIS_MNEMONIC_LODSW, op_lods },
	{ ZYDIS_MNEMONIC_LODSD, op_lods }, { ZYDIS_MNEMONIC_LODSQ, op_lods },
	{ ZYDIS_MNEMONIC_STOSB, op_stos }, { ZYDIS_MNEMONIC_STOSW, op_stos },
	{ ZYDIS_MNEMONIC_STOSD, op_stos }, { ZYDIS_MNEMONIC_STOSQ, op_stos },
	{ 0, NULL },
};
