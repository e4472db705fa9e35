/* SPDX-License-Identifier: MIT */
/* Helpers shared by gen.c and gen_tpl.c (the generator's inside). */
#ifndef KVMU_DIFF_GEN_INT_H
#define KVMU_DIFF_GEN_INT_H

#include <Zydis/Zydis.h>
#include <stdbool.h>

#include "gen.h"

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI };

unsigned int rnd(struct gen *g, unsigned int n);
/* The GPR of size bytes with index i (SPL..DIL for 4-7 at size 1). */
ZydisRegister reg(int size, int i);
/* A writable register: never RSP or R15, nor one the body must keep. */
int dst_reg(struct gen *g);
int dst_reg_not(struct gen *g, unsigned int mask);
int any_size(struct gen *g);
int wide_size(struct gen *g);
/* Values near the edges that flags care about, or anything. */
int64_t value(struct gen *g);
/* An immediate that fits a sign-extended imm32 (imm8/16 for small ops). */
int64_t imm_for(struct gen *g, int size);
ZydisEncoderOperand R(ZydisRegister r);
ZydisEncoderOperand I(int64_t v);
/* [r15 + disp] of size bytes (LEA: the address size, 8). */
ZydisEncoderOperand Mat(int size, int64_t disp);
/* A data operand anywhere in the data area, sometimes misaligned. */
ZydisEncoderOperand M(struct gen *g, int size);
void raw(struct gen *g, const uint8_t *b, size_t n);
void raw1(struct gen *g, uint8_t b);
int emitv(struct gen *g, ZydisMnemonic mn, ZydisInstructionAttributes p,
	  int n, const ZydisEncoderOperand *ops);
/* Flags: def become defined, undef become undefined, the rest stay. */
void fx(struct gen *g, uint32_t def, uint32_t undef);
/* Before reading flags rd: define them all with a CMP if needed. */
void need(struct gen *g, uint32_t rd);
/* The flags condition code cc (Jcc order) reads. */
extern const uint32_t cc_reads[16];

#define EMIT(g, mn, p, ...)						\
	emitv((g), ZYDIS_MNEMONIC_##mn, (p),				\
	      (int)(sizeof((ZydisEncoderOperand[]){ __VA_ARGS__ }) /	\
		    sizeof(ZydisEncoderOperand)),			\
	      (ZydisEncoderOperand[]){ __VA_ARGS__ })
#define EMIT0(g, mn) emitv((g), ZYDIS_MNEMONIC_##mn, 0, 0, NULL)

#endif /* KVMU_DIFF_GEN_INT_H */
