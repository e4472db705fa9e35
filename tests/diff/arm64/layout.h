/* SPDX-License-Identifier: MIT */
/*
 * The arm64 differential tester's shared layout: guest addresses both
 * runners use (identical, so ADR/ADRP results and literal loads compare
 * directly) and the records the host exchanges with the qemu-aarch64
 * harness (little-endian on both sides).
 *
 * A code slot is: "ldr x30, LIT", the body, one epilogue instruction
 * (a branch back into the harness under qemu, SVC #0 under kvmu), LIT
 * (the initial x30).  x27 (a small index) and x28 (the data base) are
 * never written by a body; SP is never used.
 */
#ifndef KVMU_DIFF_ARM64_LAYOUT_H
#define KVMU_DIFF_ARM64_LAYOUT_H

#include <stdint.h>

#define DA_DATA		0x02000000UL	/* data area */
#define DA_DATA_SIZE	512u		/* compared bytes */
#define DA_BASE		(DA_DATA + 256)	/* x28 */
#define DA_CODE		0x02100000UL	/* ring of code slots */
#define DA_SLOT		1024u
#define DA_RING		1024u		/* slots: 1 MiB */
#define DA_MAX_INSNS	200		/* body instructions at most */

struct da_in {
	uint64_t x[31];
	uint64_t nzcv;		/* bits 31:28 */
	uint64_t d[32];		/* low halves of v0-v31 (upper halves 0) */
	uint64_t fpsr;
	uint64_t addr;		/* code slot */
	uint64_t len;		/* words of code, LIT included */
	uint64_t epi;		/* index of the epilogue word */
	uint32_t code[DA_SLOT / 4];
	uint8_t data[DA_DATA_SIZE];
};

struct da_out {
	uint64_t x[31];
	uint64_t nzcv;
	uint64_t d[32];
	uint64_t fpsr;
	uint8_t data[DA_DATA_SIZE];
};

#endif
