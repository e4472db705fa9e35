// SPDX-License-Identifier: MIT
/* kvmu: dispatch to a subcommand from a table. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", kvmu_cli_run, "boot a guest image on a software CPU" },
	{ "caps", kvmu_cli_caps, "list the KVM capabilities kvmu reports" },
	{ "exec", kvmu_cli_exec, "run an unmodified KVM program on kvmu" },
	{ "host", kvmu_cli_host, "administer the simulated s390 host" },
	{ "pvimg", kvmu_cli_pvimg, "build an s390 Secure Execution image" },
};

static int usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: kvmu COMMAND [ARGS...]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-6s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n`kvmu COMMAND --help` describes each command.\n");
	return f == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help"))
		return usage(stdout);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "kvmu: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
