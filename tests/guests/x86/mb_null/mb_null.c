// SPDX-License-Identifier: MIT
/*
 * The smallest multiboot guest: enter long mode through the runtime and
 * leave at once with GUEST_PASS.  A boot smoke test, and the start-up
 * baseline of bench/run.sh.
 */
#include "guest.h"

int guest_main(uint32_t magic, uint32_t info)
{
	(void)info;
	return magic == 0x2BADB002 ? GUEST_PASS : GUEST_FAIL;
}
