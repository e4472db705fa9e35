// SPDX-License-Identifier: MIT
/*
 * A guest that dies: it prints a line, then executes UDF #0 (an undefined
 * instruction) with no vector table of its own.  `kvmu run` must report
 * the synchronous exception (EC 0) and exit with status 4
 * (tests/shell/cli_run_arm64.sh).
 */
#include "console.h"

int main(void)
{
	puts_("about to execute UDF #0\n");
	asm volatile("udf #0" ::: "memory");
	puts_("not reached\n");
	return 0;
}
