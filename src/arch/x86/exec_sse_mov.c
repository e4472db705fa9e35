// SPDX-License-Identifier: MIT
/*
 * SSE/SSE2/MMX data movement: 128-bit loads and stores (alignment checked
 * where the instruction requires it), scalar and half-register moves,
 * MOVD/MOVQ between XMM, MMX, general registers and memory, EMMS, and the
 * cache-control instructions, which kvmu executes as ordering no-ops
 * (every guest access is already sequentially consistent on one vCPU).
 */
#include <string.h>
#include <x86intrin.h>

#include "arch/x86/fpu.h"

static bool is_xmm(const struct x86_operand *op)
{
	return op->kind == X86_OP_REG && op->rclass == X86_RC_XMM;
}

static bool is_mmx(const struct x86_operand *op)
{
	return op->kind == X86_OP_REG && op->rclass == X86_RC_MMX;
}

static enum x86_status store(struct x86_cpu *cpu, const struct x86_insn *in,
			     const u8 *v, u32 size)
{
	const struct x86_operand *op = &in->op[0];

	return x86_write(cpu, op->seg, x86_ea(cpu, in, op), v, size);
}

/* MOVAPS/MOVAPD/MOVDQA, MOVUPS/MOVUPD/MOVDQU, MOVNTPS/MOVNTPD/MOVNTDQ. */
static enum x86_status op_mov128(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	u16 m = in->mnemonic;
	bool align = m != ZYDIS_MNEMONIC_MOVUPS && m != ZYDIS_MNEMONIC_MOVUPD &&
		     m != ZYDIS_MNEMONIC_MOVDQU;
	bool sse1 = m == ZYDIS_MNEMONIC_MOVAPS || m == ZYDIS_MNEMONIC_MOVUPS ||
		    m == ZYDIS_MNEMONIC_MOVNTPS;
	enum x86_status st = sse_gate(cpu, in, sse1 ? SSE_BIT : SSE2_BIT);
	u8 v[16];

	if (st != X86_OK)
		return st;
	if (in->op[0].kind == X86_OP_MEM) {
		if (align && fpu_misaligned(cpu, in, &in->op[0], 16))
			return x86_raise(cpu, X86_GP, 0);
		return store(cpu, in, cpu->fpu.xmm[in->op[1].reg], 16);
	}
	st = sse_read(cpu, in, 1, v, align);
	if (st != X86_OK)
		return st;
	memcpy(cpu->fpu.xmm[in->op[0].reg], v, 16);
	return X86_OK;
}

/* MOVSS/MOVSD: register to register keeps the upper part, a load clears
 * it, a store writes the low element. */
enum x86_status sse_mov_scalar(struct x86_cpu *cpu, const struct x86_insn *in,
			       u32 size, int bit)
{
	enum x86_status st = sse_gate(cpu, in, bit);
	u8 v[16];

	if (st != X86_OK)
		return st;
	if (in->op[0].kind == X86_OP_MEM)
		return store(cpu, in, cpu->fpu.xmm[in->op[1].reg], size);
	if (in->op[1].kind == X86_OP_MEM) {
		st = sse_read(cpu, in, 1, v, false);
		if (st != X86_OK)
			return st;
		memcpy(cpu->fpu.xmm[in->op[0].reg], v, 16);
		return X86_OK;
	}
	memcpy(cpu->fpu.xmm[in->op[0].reg], cpu->fpu.xmm[in->op[1].reg], size);
	return X86_OK;
}

static enum x86_status op_movss(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return sse_mov_scalar(cpu, in, 4, SSE_BIT);
}

/* MOVLPS/MOVLPD/MOVHPS/MOVHPD (memory), MOVHLPS/MOVLHPS (registers). */
static enum x86_status op_movhalf(struct x86_cpu *cpu,
				  const struct x86_insn *in)
{
	u16 m = in->mnemonic;
	bool pd = m == ZYDIS_MNEMONIC_MOVLPD || m == ZYDIS_MNEMONIC_MOVHPD;
	int half = m == ZYDIS_MNEMONIC_MOVHPS || m == ZYDIS_MNEMONIC_MOVHPD ?
			   8 : 0;
	enum x86_status st = sse_gate(cpu, in, pd ? SSE2_BIT : SSE_BIT);
	u8 *d, *s;

	if (st != X86_OK)
		return st;
	if (in->op[0].kind == X86_OP_MEM)
		return store(cpu, in, cpu->fpu.xmm[in->op[1].reg] + half, 8);
	d = cpu->fpu.xmm[in->op[0].reg];
	if (in->op[1].kind == X86_OP_MEM)
		return x86_read(cpu, in->op[1].seg,
				x86_ea(cpu, in, &in->op[1]), d + half, 8);
	s = cpu->fpu.xmm[in->op[1].reg];
	if (m == ZYDIS_MNEMONIC_MOVHLPS)
		memmove(d, s + 8, 8);
	else
		memmove(d + 8, s, 8);
	return X86_OK;
}

static enum x86_status movdq_gate(struct x86_cpu *cpu,
				  const struct x86_insn *in)
{
	bool mmx = is_mmx(&in->op[0]) || is_mmx(&in->op[1]);
	bool xmm = is_xmm(&in->op[0]) || is_xmm(&in->op[1]);
	enum x86_status st;

	if (!mmx)
		return sse_gate(cpu, in, SSE2_BIT);
	if (!xmm)
		return mmx_gate(cpu, in, in->mnemonic == ZYDIS_MNEMONIC_MOVNTQ ?
					   SSE_BIT : MMX_BIT);
	/* MOVQ2DQ, MOVDQ2Q */
	st = sse_gate(cpu, in, SSE2_BIT);
	return st != X86_OK ? st : mmx_gate(cpu, in, SSE2_BIT);
}

/* MOVD, MOVQ, MOVQ2DQ, MOVDQ2Q: the source's size, zero-extended into a
 * register destination. */
static enum x86_status op_movdq(struct x86_cpu *cpu, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->op[0];
	enum x86_status st = movdq_gate(cpu, in);
	u32 n = in->op[1].size;
	u8 v[16];
	u64 q;

	if (st != X86_OK)
		return st;
	st = sse_read(cpu, in, 1, v, false);
	if (st != X86_OK)
		return st;
	if (n < 16)
		memset(v + n, 0, 16 - n);
	if (d->kind == X86_OP_MEM)
		return store(cpu, in, v, d->size);
	if (d->kind == X86_OP_REG && d->rclass == X86_RC_GPR) {
		memcpy(&q, v, 8);
		return x86_op_write(cpu, in, 0, q);
	}
	vec_put(cpu, d, v);
	return X86_OK;
}

/* MASKMOVQ, MASKMOVDQU: store the bytes whose mask byte has its top bit
 * set to DS:rDI (segment override allowed). */
static enum x86_status op_maskmov(struct x86_cpu *cpu,
				  const struct x86_insn *in)
{
	bool mmx = is_mmx(&in->op[0]);
	const struct x86_operand *mem = &in->op[2];
	u64 ea, m = x86_mask(in->addrsize);
	enum x86_status st;
	u8 v[16], k[16];
	int i;

	st = mmx ? mmx_gate(cpu, in, SSE_BIT) : sse_gate(cpu, in, SSE2_BIT);
	if (st != X86_OK)
		return st;
	vec_get(cpu, &in->op[0], v);
	vec_get(cpu, &in->op[1], k);
	ea = x86_ea(cpu, in, mem);
	for (i = 0; i < (mmx ? 8 : 16); i++) {
		if (!(k[i] & 0x80))
			continue;
		st = x86_write(cpu, mem->seg, (ea + (u64)i) & m, &v[i], 1);
		if (st != X86_OK)
			return st;
	}
	return X86_OK;
}

/* MOVNTI: a general-register store, SSE2 but no SSE state involved. */
static enum x86_status op_movnti(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	enum x86_status st;
	u64 v;

	if (in->lock || !x86_has_feature(cpu, 1, 0, 3, SSE2_BIT))
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	st = x86_op_read(cpu, in, 1, &v);
	if (st != X86_OK)
		return st;
	return x86_op_write(cpu, in, 0, v);
}

/* EMMS: every x87 register empty; unlike other MMX instructions it
 * leaves TOP alone. */
static enum x86_status op_emms(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (in->lock || (cpu->cr0 & X86_CR0_EM) ||
	    !x86_has_feature(cpu, 1, 0, 3, MMX_BIT))
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	if (cpu->cr0 & X86_CR0_TS)
		return x86_raise(cpu, X86_NM, X86_NO_ERROR);
	if ((cpu->fpu.fsw & FSW_ES) && (cpu->cr0 & X86_CR0_NE))
		return x86_raise(cpu, X86_MF, X86_NO_ERROR);
	cpu->fpu.ftw = 0xffff;
	return X86_OK;
}

/* ---- cache control and ordering ---- */

static enum x86_status op_fence(struct x86_cpu *cpu, const struct x86_insn *in)
{
	int bit = in->mnemonic == ZYDIS_MNEMONIC_SFENCE ? SSE_BIT : SSE2_BIT;

	if (in->lock || !x86_has_feature(cpu, 1, 0, 3, bit))
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	/*
	 * Other vCPUs are other host threads: the guest's ordering needs
	 * the host's fence (MFENCE orders stores before later loads;
	 * LFENCE keeps RDTSC after earlier loads).
	 */
	if (in->mnemonic == ZYDIS_MNEMONIC_MFENCE)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	else if (in->mnemonic == ZYDIS_MNEMONIC_LFENCE)
		_mm_lfence();
	else
		_mm_sfence();
	return X86_OK;
}

static enum x86_status op_prefetch(struct x86_cpu *cpu,
				   const struct x86_insn *in)
{
	if (in->lock)
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	return X86_OK;	/* a hint: never faults */
}

/* CLFLUSH checks its address like a byte read (it can fault). */
static enum x86_status op_clflush(struct x86_cpu *cpu,
				  const struct x86_insn *in)
{
	const struct x86_operand *op = &in->op[0];
	enum x86_status st;
	u64 lin, gpa;

	if (in->lock || !x86_has_feature(cpu, 1, 0, 3, 19))
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	st = x86_seg_linear(cpu, op->seg, x86_ea(cpu, in, op), 1,
			    X86_ACC_READ, &lin);
	if (st != X86_OK)
		return st;
	return x86_translate(cpu, lin, X86_ACC_READ, &gpa);
}

const struct x86_op_entry x86_ops_sse_mov[] = {
	{ ZYDIS_MNEMONIC_MOVAPS, op_mov128 }, { ZYDIS_MNEMONIC_MOVAPD, op_mov128 },
	{ ZYDIS_MNEMONIC_MOVDQA, op_mov128 }, { ZYDIS_MNEMONIC_MOVUPS, op_mov128 },
	{ ZYDIS_MNEMONIC_MOVUPD, op_mov128 }, { ZYDIS_MNEMONIC_MOVDQU, op_mov128 },
	{ ZYDIS_MNEMONIC_MOVNTPS, op_mov128 },
	{ ZYDIS_MNEMONIC_MOVNTPD, op_mov128 },
	{ ZYDIS_MNEMONIC_MOVNTDQ, op_mov128 },
	{ ZYDIS_MNEMONIC_MOVSS, op_movss },
	{ ZYDIS_MNEMONIC_MOVLPS, op_movhalf }, { ZYDIS_MNEMONIC_MOVLPD, op_movhalf },
	{ ZYDIS_MNEMONIC_MOVHPS, op_movhalf }, { ZYDIS_MNEMONIC_MOVHPD, op_movhalf },
	{ ZYDIS_MNEMONIC_MOVHLPS, op_movhalf },
	{ ZYDIS_MNEMONIC_MOVLHPS, op_movhalf },
	{ ZYDIS_MNEMONIC_MOVD, op_movdq }, { ZYDIS_MNEMONIC_MOVQ, op_movdq },
	{ ZYDIS_MNEMONIC_MOVQ2DQ, op_movdq }, { ZYDIS_MNEMONIC_MOVDQ2Q, op_movdq },
	{ ZYDIS_MNEMONIC_MOVNTQ, op_movdq },
	{ ZYDIS_MNEMONIC_MASKMOVQ, op_maskmov },
	{ ZYDIS_MNEMONIC_MASKMOVDQU, op_maskmov },
	{ ZYDIS_MNEMONIC_MOVNTI, op_movnti },
	{ ZYDIS_MNEMONIC_EMMS, op_emms },
	{ ZYDIS_MNEMONIC_LFENCE, op_fence }, { ZYDIS_MNEMONIC_SFENCE, op_fence },
	{ ZYDIS_MNEMONIC_MFENCE, op_fence },
	{ ZYDIS_MNEMONIC_PREFETCHT0, op_prefetch },
	{ ZYDIS_MNEMONIC_PREFETCHT1, op_prefetch },
	{ ZYDIS_MNEMONIC_PREFETCHT2, op_prefetch },
	{ ZYDIS_MNEMONIC_PREFETCHNTA, op_prefetch },
	{ ZYDIS_MNEMONIC_PREFETCHW, op_prefetch },
	{ ZYDIS_MNEMONIC_CLFLUSH, op_clflush },
	{ 0, NULL }
};
