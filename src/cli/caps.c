// SPDX-License-Identifier: MIT
/*
 * `kvmu caps`: the value KVM_CHECK_EXTENSION gives for every capability,
 * on the system fd and on a VM fd (the kernel answers some per VM).
 */
#include <errno.h>
#include <getopt.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <kvmu/kvmu.h>

#include "cli.h"

/* Above the highest capability number any kernel has assigned so far. */
#define CAP_SCAN_MAX	1024

static int usage(FILE *f)
{
	char archs[64];

	fprintf(f,
"usage: kvmu caps [--arch ARCH] [--all]\n\n"
"List the KVM capabilities kvmu reports: for each, its number, its name\n"
"and what KVM_CHECK_EXTENSION returns on the system fd and on a VM fd.\n\n"
"  --arch ARCH   one of %s (default x86_64)\n"
"  --all         also list the capabilities reported as 0\n",
		cli_arch_list(archs, sizeof(archs)));
	return f == stdout ? 0 : 2;
}

static int bad_arg(const char *what, const char *arg)
{
	fprintf(stderr, "kvmu caps: %s '%s'\n(`kvmu caps --help` for usage)\n",
		what, arg);
	return 2;
}

/*
 * x86 VMs answer the VM-planes RFC's capabilities (docs/planes.md), whose
 * numbers mainline later gave to arm64 capabilities kvmu's x86 lacks.
 */
static const char *cap_name(int arch, long cap)
{
	if (arch == KVMU_ARCH_X86_64 && cap == 239)
		return "PLANES";
	if (arch == KVMU_ARCH_X86_64 && cap == 240)
		return "PLANES_FPU";
	return kvmu_cap_name(cap);
}

static void print_cap(int arch, long cap, int sys_fd, int vm_fd, bool all)
{
	const char *name = cap_name(arch, cap);
	int s = kvmu_ioctl(sys_fd, KVM_CHECK_EXTENSION, cap);
	int v = vm_fd >= 0 ? kvmu_ioctl(vm_fd, KVM_CHECK_EXTENSION, cap) : 0;
	char vbuf[16];

	if (s < 0)
		s = 0;
	if (v < 0)
		v = 0;
	if (!all && !s && !v)
		return;
	if (!name && !s && !v)
		return;
	if (vm_fd >= 0)
		snprintf(vbuf, sizeof(vbuf), "%d", v);
	else
		snprintf(vbuf, sizeof(vbuf), "-");
	printf("%4ld  %-36s %10d %10s\n", cap, name ? name : "?", s, vbuf);
}

int kvmu_cli_caps(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "arch", required_argument, NULL, 'a' },
		{ "all", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int arch = KVMU_ARCH_X86_64, c, sys_fd, vm_fd;
	bool all = false;
	long cap;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			arch = kvmu_arch_from_name(optarg);
			if (arch < 0)
				return bad_arg("unknown architecture", optarg);
			break;
		case 'A':
			all = true;
			break;
		case 'h':
			return usage(stdout);
		case ':':
			return bad_arg("missing argument to", argv[optind - 1]);
		default:
			return bad_arg("unknown option", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return bad_arg("unexpected argument", argv[optind]);
	sys_fd = kvmu_open(arch, KVMU_OPEN_CLOEXEC);
	if (sys_fd < 0) {
		fprintf(stderr, "kvmu caps: %s: %s\n",
			kvmu_arch_name(arch), strerror(errno));
		return 1;
	}
	vm_fd = kvmu_ioctl(sys_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0)
		fprintf(stderr, "kvmu caps: KVM_CREATE_VM: %s (VM column "
			"left out)\n", strerror(errno));
	printf("%4s  %-36s %10s %10s\n", "NR", "CAPABILITY", "SYSTEM", "VM");
	for (cap = 0; cap < CAP_SCAN_MAX; cap++)
		print_cap(arch, cap, sys_fd, vm_fd, all);
	if (vm_fd >= 0)
		close(vm_fd);
	close(sys_fd);
	return 0;
}
