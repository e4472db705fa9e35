/* SPDX-License-Identifier: MIT */
/*
 * The kvmu console of the s390x test guests (docs/s390x.md): DIAGNOSE
 * X'500' with GR1 = 0x100 writes GR3 bytes at real address GR2 to the
 * VMM's console; GR1 = 0x101 ends the guest with exit code GR2.  Built
 * with -DKVMU_LINUX_USER, the same calls are Linux write(2) (bench).
 */
#ifndef S390_GUEST_CONSOLE_H
#define S390_GUEST_CONSOLE_H

#ifdef KVMU_LINUX_USER
/* The same console as a Linux program: write(2) to standard output. */
static inline void console_write(const char *s, unsigned long n)
{
	register unsigned long r2 asm("2") = 1;
	register unsigned long r3 asm("3") = (unsigned long)s;
	register unsigned long r4 asm("4") = n;

	asm volatile("svc 4" : "+d"(r2) : "d"(r3), "d"(r4) : "memory", "cc");
}
#else
static inline void console_write(const char *s, unsigned long n)
{
	register unsigned long r1 asm("1") = 0x100;
	register unsigned long r2 asm("2") = (unsigned long)s;
	register unsigned long r3 asm("3") = n;

	asm volatile("diag %%r0,%%r0,0x500" : "+d"(r2)
		     : "d"(r1), "d"(r3) : "memory", "cc");
}
#endif

#include "../common/console_fmt.h"

#endif
