/* SPDX-License-Identifier: MIT */
/* The arm64 differential tester's sequence generator (gen.c). */
#ifndef KVMU_DIFF_ARM64_GEN_H
#define KVMU_DIFF_ARM64_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"

struct da_seq {
	uint64_t x[31];
	uint64_t nzcv;
	uint64_t d[32];		/* low halves of v0-v31 */
	uint32_t code[DA_SLOT / 4];
	uint32_t len;		/* words, LIT included */
	uint32_t epi;		/* index of the epilogue */
	uint32_t lit;		/* index of LIT (initial x30) */
	uint32_t insns;		/* body instructions */
	uint8_t data[DA_DATA_SIZE];
};

/* Sequence index of seed (at most maxlen body instructions, and pairs). */
void da_gen(uint64_t seed, uint64_t index, int maxlen, struct da_seq *q);

#endif
