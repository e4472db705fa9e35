/* SPDX-License-Identifier: MIT */
/*
 * The s390x differential tester's shared layout: the guest addresses both
 * runners use (identical, so link addresses, LARL results and relative-long
 * operands compare directly) and the batch records the host sends to the
 * qemu-s390x harness and gets back.  Records are big-endian: the harness
 * runs as an s390x program and reads them natively.
 */
#ifndef KVMU_DIFF_S390_LAYOUT_H
#define KVMU_DIFF_S390_LAYOUT_H

#include <stdint.h>

#define DS_DATA		0x20000000UL	/* data area, base register R13 */
#define DS_DATA_SIZE	512u		/* compared bytes */
#define DS_IN		(DS_DATA + 0x1000)	/* GPRs to load, CC word */
#define DS_SAVE		(DS_DATA + 0x1100)	/* GPRs, IPM word at end */
#define DS_RET		(DS_DATA + 0x1200)	/* where the epilogue goes */
#define DS_MAP_SIZE	0x10000u
#define DS_CODE		0x20100000UL	/* ring of code slots */
#define DS_SLOT		512u
#define DS_RING		2048u		/* slots: 1 MiB */
#define DS_BASE_REG	13

/* end classes: 0 = reached the epilogue, else a program-interruption code */
#define DS_END		0

struct ds_in {
	uint64_t addr;		/* code slot */
	uint64_t cc;		/* CC << 4 | program mask */
	uint64_t gprs[16];
	uint8_t code[DS_SLOT];
	uint8_t data[DS_DATA_SIZE];
};

struct ds_out {
	uint64_t gprs[16];
	uint64_t cc;
	uint64_t cls;		/* DS_END or a program-interruption code */
	uint64_t addr;		/* PSW address after a program exception */
	uint64_t pad;
	uint8_t data[DS_DATA_SIZE];
};

#endif
