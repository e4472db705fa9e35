// SPDX-License-Identifier: MIT
/*
 * The guest architectures this build runs, as the library answers them:
 * what kvmu_open() accepts, not what the enum names.  The subcommands'
 * help offers exactly these.
 */
#include <stdio.h>
#include <unistd.h>

#include <kvmu/kvmu.h>

#include "cli.h"

bool cli_arch_runs(int arch)
{
	int fd = kvmu_open((enum kvmu_arch)arch, KVMU_OPEN_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

const char *cli_arch_list(char *buf, size_t len)
{
	const char *name;
	size_t n = 0;
	int a;

	buf[0] = 0;
	for (a = KVMU_ARCH_HOST + 1; (name = kvmu_arch_name(a)); a++) {
		if (cli_arch_runs(a) && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      n ? ", " : "", name);
	}
	return buf;
}
