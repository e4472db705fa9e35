/* SPDX-License-Identifier: MIT */
/*
 * The console and exit of the arm64 test guests under `kvmu run --arch
 * arm64` (docs/arm64.md): a PL011 UART at 0x1000000000, SMCCC call
 * 0xC3000001 with the exit code in x1, PSCI SYSTEM_OFF (0x84000008).
 * Built with -DKVMU_LINUX_USER, output is write(2) instead (start_linux.S),
 * so the same program runs under qemu-aarch64 as the reference.
 */
#ifndef ARM64_GUEST_CONSOLE_H
#define ARM64_GUEST_CONSOLE_H

#define UART		0x1000000000UL
#define UARTFR_TXFF	0x20

#ifdef KVMU_LINUX_USER
/* The same console as a Linux program (qemu-aarch64): write(2). */
static inline void putc_(char c)
{
	register long x0 asm("x0") = 1;
	register long x1 asm("x1") = (long)&c;
	register long x2 asm("x2") = 1;
	register long x8 asm("x8") = 64;

	asm volatile("svc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x8)
		     : "memory");
}
#else
static inline void putc_(char c)
{
	volatile unsigned int *dr = (volatile unsigned int *)UART;
	volatile unsigned int *fr = (volatile unsigned int *)(UART + 0x18);

	while (*fr & UARTFR_TXFF)
		;
	*dr = (unsigned char)c;
}
#endif

static inline void console_write(const char *s, unsigned long n)
{
	while (n--)
		putc_(*s++);
}

#include "../common/console_fmt.h"

/* An SMCCC call: function fn, argument a1 (x2, x3 zero); returns x0. */
static inline unsigned long smccc(unsigned long fn, unsigned long a1)
{
	register unsigned long x0 asm("x0") = fn;
	register unsigned long x1 asm("x1") = a1;
	register unsigned long x2 asm("x2") = 0;
	register unsigned long x3 asm("x3") = 0;

	asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
		     : : "memory");
	return x0;
}

static inline void psci_system_off(void)
{
	smccc(0x84000008UL, 0);
}

#endif
