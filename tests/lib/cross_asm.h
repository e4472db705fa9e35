/* SPDX-License-Identifier: MIT */
/*
 * Guest code for the non-x86 unit tests, assembled at test time with
 * Debian's cross binutils (s390x-linux-gnu-as, aarch64-linux-gnu-as), so
 * a test's instructions stay readable next to what it checks.
 */
#ifndef KVMU_TESTS_CROSS_ASM_H
#define KVMU_TESTS_CROSS_ASM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Assemble src with <triple>-as asflags and copy the .text bytes (at most
 * room) to dst; 0, or -1 if a step failed or the code is empty.
 */
int cross_asm(const char *triple, const char *asflags, const char *src,
	      uint8_t *dst, size_t room);

#endif
