// SPDX-License-Identifier: MIT
/*
 * A guest that halts the s390 way: it prints a line and loads a disabled
 * wait PSW (wait bit on, every interruption masked), which `kvmu run`
 * treats as a clean end, status 0 (tests/shell/cli_run_s390.sh).
 */
#include "console.h"

static const unsigned long wait_psw[2] __attribute__((aligned(8))) = {
	0x0002000180000000UL, 0x12340UL
};

int main(void)
{
	puts_("halting with a disabled wait\n");
	asm volatile("lpswe %0" : : "Q"(wait_psw) : "memory");
	return 1;
}
