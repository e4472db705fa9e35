// SPDX-License-Identifier: MIT
/*
 * A guest that powers off the PSCI way: it prints a line and calls
 * SYSTEM_OFF, which KVM handles in the kernel (KVM_EXIT_SYSTEM_EVENT);
 * `kvmu run` ends with status 0 (tests/shell/cli_run_arm64.sh).
 */
#include "console.h"

int main(void)
{
	puts_("PSCI SYSTEM_OFF\n");
	psci_system_off();
	puts_("not reached\n");
	return 1;
}
