/* SPDX-License-Identifier: MIT */
/*
 * The s390x differential tester's generator: random problem-state
 * sequences from a table (gen_table.h), wrapped in a prologue that loads
 * the GPRs and the CC from DS_IN and an epilogue that stores them to
 * DS_SAVE and leaves through the address at DS_RET.
 */
#ifndef KVMU_DIFF_S390_GEN_H
#define KVMU_DIFF_S390_GEN_H

#include <stddef.h>
#include <stdio.h>
#include "layout.h"

#define DS_MAX_INSNS	96

struct ds_insn {
	const char *name;
	uint16_t off;		/* from the slot start */
	uint8_t len;
	uint8_t flags;		/* DS_I_* */
	int16_t target;		/* branch: insn index; -1 none */
	uint64_t abs;		/* relative-long operand: absolute target */
};

#define DS_I_BRANCH	0x01	/* relative field at byte 2 -> insn target */
#define DS_I_ABS	0x02	/* relative field at byte 2 -> abs */
#define DS_I_INNER	0x04	/* inside a template: no branch lands here */
#define DS_I_REL16	0x08	/* the relative field is 16 bits, else 32 */
#define DS_I_TAIL	0x10	/* an EXRL target after the epilogue */
#define DS_I_FIXED	0x20	/* the branch target is set: an EX target */

struct ds_seq {
	uint64_t addr;		/* slot address */
	uint64_t gprs[16];
	uint64_t cc, pm;	/* condition code, program mask */
	uint8_t data[DS_DATA_SIZE];
	uint8_t code[DS_SLOT];
	size_t len;
	int n, body_first, body_end;	/* insn indexes: body, epilogue */
	struct ds_insn insn[DS_MAX_INSNS];
};

struct ds_gen {
	uint64_t rng;
	unsigned long uses[512];	/* per table line */
};

void ds_gen_init(struct ds_gen *g, uint64_t seed);
uint64_t ds_rand(struct ds_gen *g);
/* One sequence of about ninsn table lines for slot address addr. */
void ds_gen_seq(struct ds_gen *g, struct ds_seq *s, uint64_t addr, int ninsn);
void ds_dump(const struct ds_seq *s, FILE *f);
size_t ds_table_size(void);
const char *ds_table_name(size_t i);

#endif
