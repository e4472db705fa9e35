/* SPDX-License-Identifier: MIT */
/*
 * The differential tester's generator: random 64-bit instruction sequences
 * from a table of templates.  Each template knows which arithmetic flags
 * its instructions read, define, and leave architecturally undefined; the
 * generator tracks that through the sequence (guarding a flag read of an
 * undefined flag with a CMP that defines all six) so that the final RFLAGS
 * can be compared with exactly the flags that are still undefined masked.
 */
#ifndef KVMU_DIFF_GEN_H
#define KVMU_DIFF_GEN_H

#include <stddef.h>
#include <stdint.h>

/* Guest layout (see tests/lib/x86_guest.h): R15 holds DATA. */
#define GEN_DATA_SIZE	0x4000u	/* four pages of random data */
#define GEN_STACK_CMP	0x1000u	/* bytes below the stack top */
#define GEN_CODE_MAX	4096u

/* Flag bits as in RFLAGS. */
#define F_CF	0x001u
#define F_PF	0x004u
#define F_AF	0x010u
#define F_ZF	0x040u
#define F_SF	0x080u
#define F_OF	0x800u
#define F_ALL	(F_CF | F_PF | F_AF | F_ZF | F_SF | F_OF)

/* Features the kvmu guest CPUID offers (instructions are gated on them). */
#define FEAT_POPCNT	0x01u
#define FEAT_MOVBE	0x02u
#define FEAT_CX16	0x04u
#define FEAT_LAHF	0x08u
#define FEAT_ABM	0x10u
#define FEAT_BMI1	0x20u

struct gen {
	uint8_t code[GEN_CODE_MAX];
	size_t len;
	uint32_t undef;		/* flags undefined at this point */
	int depth;		/* bytes pushed by the sequence */
	int in_block;		/* inside a branch/loop/call body */
	uint16_t keep;		/* GPRs the current body must not write */
	uint32_t feat;
	uint64_t rng;
	int ninsn;
	const char *last;	/* template name, for statistics */
};

uint64_t gen_rand(struct gen *g);
/* Generate one sequence of n templates (code ends with OUT 0xe9, al). */
void gen_sequence(struct gen *g, int n);

#endif /* KVMU_DIFF_GEN_H */
