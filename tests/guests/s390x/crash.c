// SPDX-License-Identifier: MIT
/*
 * A guest that dies: it prints a line, then executes opcode 0x0000, an
 * operation exception with no handler installed.  `kvmu run` must report
 * the program interruption (code 1, old PSW past the instruction) and
 * exit with status 4 (tests/shell/cli_run_s390.sh).
 */
#include "console.h"

int main(void)
{
	puts_("about to execute opcode 0000\n");
	asm volatile(".short 0x0000" ::: "memory");
	puts_("not reached\n");
	return 0;
}
