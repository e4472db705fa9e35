// SPDX-License-Identifier: MIT
/*
 * The generator's helpers: random numbers and values, registers and
 * operands, encoding (Zydis's encoder; raw bytes where the templates in
 * gen_tpl.c want a specific form), and the flag model.  R15 holds the
 * data area and is never written; RSP is only moved by balanced stack
 * templates.
 */
#include <Zydis/Zydis.h>
#include <stdbool.h>
#include <string.h>

#include "gen_int.h"

uint64_t gen_rand(struct gen *g)
{
	uint64_t x = g->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	g->rng = x;
	return x * 0x2545f4914f6cdd1dULL;
}

unsigned int rnd(struct gen *g, unsigned int n)
{
	return (unsigned int)(gen_rand(g) % n);
}

static const ZydisRegister gprs[4][16] = {
	{ ZYDIS_REGISTER_AL, ZYDIS_REGISTER_CL, ZYDIS_REGISTER_DL,
	  ZYDIS_REGISTER_BL, ZYDIS_REGISTER_SPL, ZYDIS_REGISTER_BPL,
	  ZYDIS_REGISTER_SIL, ZYDIS_REGISTER_DIL, ZYDIS_REGISTER_R8B,
	  ZYDIS_REGISTER_R9B, ZYDIS_REGISTER_R10B, ZYDIS_REGISTER_R11B,
	  ZYDIS_REGISTER_R12B, ZYDIS_REGISTER_R13B, ZYDIS_REGISTER_R14B,
	  ZYDIS_REGISTER_R15B },
	{ ZYDIS_REGISTER_AX, ZYDIS_REGISTER_CX, ZYDIS_REGISTER_DX,
	  ZYDIS_REGISTER_BX, ZYDIS_REGISTER_SP, ZYDIS_REGISTER_BP,
	  ZYDIS_REGISTER_SI, ZYDIS_REGISTER_DI, ZYDIS_REGISTER_R8W,
	  ZYDIS_REGISTER_R9W, ZYDIS_REGISTER_R10W, ZYDIS_REGISTER_R11W,
	  ZYDIS_REGISTER_R12W, ZYDIS_REGISTER_R13W, ZYDIS_REGISTER_R14W,
	  ZYDIS_REGISTER_R15W },
	{ ZYDIS_REGISTER_EAX, ZYDIS_REGISTER_ECX, ZYDIS_REGISTER_EDX,
	  ZYDIS_REGISTER_EBX, ZYDIS_REGISTER_ESP, ZYDIS_REGISTER_EBP,
	  ZYDIS_REGISTER_ESI, ZYDIS_REGISTER_EDI, ZYDIS_REGISTER_R8D,
	  ZYDIS_REGISTER_R9D, ZYDIS_REGISTER_R10D, ZYDIS_REGISTER_R11D,
	  ZYDIS_REGISTER_R12D, ZYDIS_REGISTER_R13D, ZYDIS_REGISTER_R14D,
	  ZYDIS_REGISTER_R15D },
	{ ZYDIS_REGISTER_RAX, ZYDIS_REGISTER_RCX, ZYDIS_REGISTER_RDX,
	  ZYDIS_REGISTER_RBX, ZYDIS_REGISTER_RSP, ZYDIS_REGISTER_RBP,
	  ZYDIS_REGISTER_RSI, ZYDIS_REGISTER_RDI, ZYDIS_REGISTER_R8,
	  ZYDIS_REGISTER_R9, ZYDIS_REGISTER_R10, ZYDIS_REGISTER_R11,
	  ZYDIS_REGISTER_R12, ZYDIS_REGISTER_R13, ZYDIS_REGISTER_R14,
	  ZYDIS_REGISTER_R15 },
};

ZydisRegister reg(int size, int i)
{
	return gprs[size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3][i];
}

/* A writable register: never RSP or R15, nor one the body must keep. */
int dst_reg(struct gen *g)
{
	int r;

	do
		r = (int)rnd(g, 16);
	while (r == RSP || r == 15 || ((g->keep >> r) & 1));
	return r;
}

/* A destination register other than the ones in mask. */
int dst_reg_not(struct gen *g, unsigned int mask)
{
	int r;

	do
		r = dst_reg(g);
	while ((mask >> r) & 1);
	return r;
}

int any_size(struct gen *g)
{
	return 1 << rnd(g, 4);
}

int wide_size(struct gen *g)
{
	return 2 << rnd(g, 3);
}

/* Values near the edges that flags care about, or anything. */
int64_t value(struct gen *g)
{
	static const int64_t edge[] = {
		0, 1, -1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
		0x7fffffff, -0x7fffffffLL - 1, 0xffffffffLL, 9, 0x99, 0x0f,
	};

	if (rnd(g, 3) == 0)
		return edge[rnd(g, sizeof(edge) / sizeof(edge[0]))];
	return (int64_t)gen_rand(g);
}

/* An immediate that fits a sign-extended imm32 (imm8/16 for small ops). */
int64_t imm_for(struct gen *g, int size)
{
	int64_t v = value(g);

	if (size == 1)
		return (int8_t)v;
	if (size == 2)
		return (int16_t)v;
	return (int32_t)v;
}

ZydisEncoderOperand R(ZydisRegister r)
{
	ZydisEncoderOperand o;

	memset(&o, 0, sizeof(o));
	o.type = ZYDIS_OPERAND_TYPE_REGISTER;
	o.reg.value = r;
	return o;
}

ZydisEncoderOperand I(int64_t v)
{
	ZydisEncoderOperand o;

	memset(&o, 0, sizeof(o));
	o.type = ZYDIS_OPERAND_TYPE_IMMEDIATE;
	o.imm.s = v;
	return o;
}

ZydisEncoderOperand Mat(int size, int64_t disp)
{
	ZydisEncoderOperand o;

	memset(&o, 0, sizeof(o));
	o.type = ZYDIS_OPERAND_TYPE_MEMORY;
	o.mem.base = ZYDIS_REGISTER_R15;
	o.mem.displacement = disp;
	o.mem.size = (ZyanU16)size;
	return o;
}

/* A data operand anywhere in the data area, sometimes misaligned. */
ZydisEncoderOperand M(struct gen *g, int size)
{
	int64_t d = rnd(g, GEN_DATA_SIZE - 16);

	if (rnd(g, 4))
		d &= ~(int64_t)(size - 1);
	return Mat(size, d);
}

void raw(struct gen *g, const uint8_t *b, size_t n)
{
	memcpy(g->code + g->len, b, n);
	g->len += n;
	g->ninsn++;
}

void raw1(struct gen *g, uint8_t b)
{
	raw(g, &b, 1);
}

int emitv(struct gen *g, ZydisMnemonic mn, ZydisInstructionAttributes p,
		 int n, const ZydisEncoderOperand *ops)
{
	ZydisEncoderRequest r;
	ZyanUSize len = ZYDIS_MAX_INSTRUCTION_LENGTH;

	memset(&r, 0, sizeof(r));
	r.machine_mode = ZYDIS_MACHINE_MODE_LONG_64;
	r.mnemonic = mn;
	r.prefixes = p;
	r.operand_count = (ZyanU8)n;
	if (n)
		memcpy(r.operands, ops, (size_t)n * sizeof(*ops));
	if (ZYAN_FAILED(ZydisEncoderEncodeInstruction(&r, g->code + g->len,
						      &len)))
		return -1;
	g->len += len;
	g->ninsn++;
	return 0;
}

/* Flags: def become defined, undef become undefined, the rest stay. */
void fx(struct gen *g, uint32_t def, uint32_t undef)
{
	g->undef = (g->undef & ~def) | undef;
}

/* Before reading flags rd: define them all with a CMP if needed. */
void need(struct gen *g, uint32_t rd)
{
	if (!(g->undef & rd))
		return;
	EMIT(g, CMP, 0, R(reg(8, (int)rnd(g, 16))), R(reg(8, (int)rnd(g, 16))));
	g->undef = 0;
}

const uint32_t cc_reads[16] = {
	F_OF, F_OF, F_CF, F_CF, F_ZF, F_ZF, F_CF | F_ZF, F_CF | F_ZF,
	F_SF, F_SF, F_PF, F_PF, F_SF | F_OF, F_SF | F_OF,
	F_ZF | F_SF | F_OF, F_ZF | F_SF | F_OF,
};
