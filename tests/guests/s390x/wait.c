// SPDX-License-Identifier: MIT
/*
 * A guest that waits for an interruption that never comes: it prints a
 * line and loads an enabled wait PSW (I/O and external interruptions
 * enabled, none pending), so its vCPU idles inside KVM_RUN until the VMM
 * stops it (tests/shell/cli_run_signals.sh).
 */
#include "console.h"

static const unsigned long wait_psw[2] __attribute__((aligned(8))) = {
	0x0302000180000000UL, 0x12340UL
};

int main(void)
{
	puts_("waiting with interruptions enabled\n");
	asm volatile("lpswe %0" : : "Q"(wait_psw) : "memory");
	return 1;
}
