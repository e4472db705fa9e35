/* SPDX-License-Identifier: MIT */
/* The s390x generator's internals: table, builder and emitters. */
#ifndef KVMU_DIFF_S390_GEN_INT_H
#define KVMU_DIFF_S390_GEN_INT_H

#include "gen.h"

enum ds_kind {
	K_RR, K_RRE, K_RX, K_RXY, K_LA, K_RI, K_RIL, K_RLD, K_SH, K_SHY,
	K_RSBG, K_LM, K_LMY, K_SI, K_SIY, K_SIL, K_SS, K_LONG, K_STR, K_FP,
	K_BRC, K_BRR, K_BRX, K_CRJ, K_BREG, K_EXRL, K_E, K_NKINDS
};

/* register classes and immediate kinds of the table's a/b columns */
enum { RA = 100, RW, RP, R0, IS };

struct ds_line {
	const char *name;
	uint8_t kind, op, ext, a, b;
};

struct ds_build {
	struct ds_gen *g;
	struct ds_seq *s;
	const struct ds_line *line;
	int tail;		/* emitting an EX target: one insn, no setup */
	int tail_r1;		/* the executing R1 (0: byte 1 untouched) */
	int exrl_at;		/* insn index of a pending EX/EXRL */
};

extern const struct ds_line ds_lines[];
extern const size_t ds_nlines;

uint64_t ds_value(struct ds_gen *g);
unsigned ds_reg(struct ds_gen *g, int cls);
/* Append one instruction of len bytes; returns its index. */
int ds_put(struct ds_build *b, const char *name, const uint8_t *p, int len,
	   unsigned flags);
/* Emit table line l (with its set-up instructions unless b->tail). */
void ds_emit(struct ds_build *b, const struct ds_line *l);
/* May line l be the target of EX/EXRL with R1 r1? */
int ds_ex_ok(const struct ds_line *l, int r1);

#endif
