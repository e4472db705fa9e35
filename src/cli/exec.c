// SPDX-License-Identifier: MIT
/*
 * `kvmu exec [--arch A] [--trace] -- PROGRAM [ARGS...]`: run an unmodified
 * KVM program on kvmu by preloading libkvmu-preload.so.  A program the
 * shim cannot enter (statically linked, another ELF class or machine,
 * set-user-ID) would silently use the host's /dev/kvm instead, so we
 * refuse it with a message rather than run it.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <kvmu/kvmu.h>

#include "cli.h"

#define SHIM_NAME "libkvmu-preload.so"

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#elif defined(__s390x__)
#define HOST_MACHINE EM_S390
#else
#define HOST_MACHINE EM_NONE
#endif

static int usage(FILE *f)
{
	char archs[64];

	fprintf(f,
"usage: kvmu exec [--arch ARCH] [--trace] [--] PROGRAM [ARGS...]\n\n"
"Run PROGRAM, an ordinary program written for /dev/kvm, on kvmu: the\n"
"kvmu shim (" SHIM_NAME ") is preloaded, so its open(\"/dev/kvm\") and\n"
"its ioctls on KVM file descriptors are served by kvmu.  PROGRAM must be\n"
"dynamically linked.\n\n"
"  --arch ARCH   guest architecture of every /dev/kvm the program opens\n"
"                (KVMU_ARCH): one of %s; default the host's\n"
"  --trace       print one line per KVM ioctl on stderr (KVMU_TRACE=1)\n\n"
"The shim is looked for in $KVMU_PRELOAD, next to the kvmu binary and in\n"
"../lib from it (an installed PREFIX/bin/kvmu uses PREFIX/lib).\n",
		cli_arch_list(archs, sizeof(archs)));
	return f == stdout ? 0 : 2;
}

static int refuse(const char *prog, const char *why)
{
	fprintf(stderr,
		"kvmu exec: %s %s.\n"
		"The kvmu shim cannot be preloaded into it, so it would talk to "
		"the host's\n/dev/kvm instead of kvmu; not running it.  Use a "
		"dynamically linked build,\nor link the program with libkvmu "
		"(kvmu_open/kvmu_ioctl).\n", prog, why);
	return 2;
}

/* The preload library: $KVMU_PRELOAD, <exe dir>/, <exe dir>/../lib/. */
static int find_shim(char *buf, size_t len)
{
	static const char *const rel[] = { "", "/../lib" };
	const char *env = getenv("KVMU_PRELOAD");
	char exe[PATH_MAX];
	ssize_t n;
	size_t i;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return access(buf, R_OK);
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -1;
	exe[n] = '\0';
	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s", exe);
		if ((size_t)snprintf(buf, len, "%s%s/" SHIM_NAME, dirname(dir),
				     rel[i]) < len && !access(buf, R_OK))
			return 0;
	}
	return -1;
}

/* Where execvp would find prog; -1 with errno when nowhere. */
static int resolve(const char *prog, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save;
	int err = ENOENT;

	if (strchr(prog, '/')) {
		snprintf(buf, len, "%s", prog);
		return access(buf, X_OK);
	}
	copy = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	if (!copy)
		return -1;
	for (dir = strtok_r(copy, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(buf, len, "%s/%s", *dir ? dir : ".", prog);
		if (!access(buf, X_OK)) {
			free(copy);
			return 0;
		}
		if (errno == EACCES)
			err = EACCES;
	}
	free(copy);
	errno = err;
	return -1;
}

/* Does the 64-bit ELF image on fd ask for a program interpreter? */
static int has_interp(int fd, const Elf64_Ehdr *eh)
{
	Elf64_Phdr ph;
	int i;

	for (i = 0; i < eh->e_phnum; i++) {
		off_t off = (off_t)eh->e_phoff + (off_t)i * eh->e_phentsize;

		if (pread(fd, &ph, sizeof(ph), off) != (ssize_t)sizeof(ph))
			return 0;
		if (ph.p_type == PT_INTERP)
			return 1;
	}
	return 0;
}

/* Why the shim cannot enter path, or NULL when it can (or not an ELF). */
static const char *why_not_preloadable(const char *path)
{
	const char *why = NULL;
	struct stat st;
	Elf64_Ehdr eh;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;	/* execv will report it */
	if (!fstat(fd, &st) &&
	    (((st.st_mode & S_ISUID) && st.st_uid != getuid()) ||
	     ((st.st_mode & S_ISGID) && st.st_gid != getgid())))
		why = "is set-user-ID or set-group-ID (the loader ignores "
		      "LD_PRELOAD for it)";
	else if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
		 memcmp(eh.e_ident, ELFMAG, SELFMAG))
		why = NULL;	/* a script: its interpreter gets the shim */
	else if (eh.e_ident[EI_CLASS] != ELFCLASS64 ||
		 eh.e_machine != HOST_MACHINE)
		why = "is built for another ELF class or machine than the "
		      "kvmu shim";
	else if (!has_interp(fd, &eh))
		why = "is statically linked";
	close(fd);
	return why;
}

/* LD_PRELOAD keeps what the caller preloads (sanitizer runtimes first). */
static int set_env(const char *shim, const char *arch, int trace)
{
	const char *old = getenv("LD_PRELOAD");
	char *val;
	int ret;

	if (old && *old) {
		if (asprintf(&val, "%s %s", old, shim) < 0)
			return -1;
	} else if (!(val = strdup(shim))) {
		return -1;
	}
	ret = setenv("LD_PRELOAD", val, 1);
	free(val);
	if (!ret && arch)
		ret = setenv("KVMU_ARCH", arch, 1);
	if (!ret && trace)
		ret = setenv("KVMU_TRACE", "1", 1);
	return ret;
}

static int parse(int argc, char **argv, const char **arch, int *trace)
{
	static const struct option opts[] = {
		{ "arch", required_argument, NULL, 'a' },
		{ "trace", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char archs[64];
	int c, a;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+a:th", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			a = kvmu_arch_from_name(optarg);
			if (a < 0 || !cli_arch_runs(a)) {
				fprintf(stderr, "kvmu exec: %s architecture "
					"'%s' (this build runs %s)\n",
					a < 0 ? "unknown" : "unsupported",
					optarg, cli_arch_list(archs,
							      sizeof(archs)));
				return -2;
			}
			*arch = kvmu_arch_name((enum kvmu_arch)a);
			break;
		case 't':
			*trace = 1;
			break;
		case 'h':
			return -1;
		default:
			return -2;
		}
	}
	return optind;
}

int kvmu_cli_exec(int argc, char **argv)
{
	char shim[PATH_MAX], prog[PATH_MAX];
	const char *arch = NULL, *why;
	int trace = 0, i = parse(argc, argv, &arch, &trace);

	if (i == -1)
		return usage(stdout);
	if (i < 0 || i >= argc)
		return usage(stderr);
	if (find_shim(shim, sizeof(shim))) {
		fprintf(stderr, "kvmu exec: cannot find " SHIM_NAME " (set "
			"KVMU_PRELOAD to its path)\n");
		return 2;
	}
	if (strpbrk(shim, " :")) {
		fprintf(stderr, "kvmu exec: the shim's path '%s' contains a "
			"space or ':', which LD_PRELOAD cannot carry\n", shim);
		return 2;
	}
	if (resolve(argv[i], prog, sizeof(prog))) {
		fprintf(stderr, "kvmu exec: %s: %s\n", argv[i], strerror(errno));
		return errno == ENOENT ? 127 : 126;
	}
	why = why_not_preloadable(prog);
	if (why)
		return refuse(argv[i], why);
	if (set_env(shim, arch, trace)) {
		perror("kvmu exec: setenv");
		return 2;
	}
	execv(prog, argv + i);
	fprintf(stderr, "kvmu exec: %s: %s\n", argv[i], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
