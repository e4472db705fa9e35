// SPDX-License-Identifier: MIT
/*
 * Which paths name the KVM device, and the existence checks programs make
 * before opening it.  On a host without /dev/kvm, access() and stat() of
 * it answer as if the node existed (a character device 10:232, mode 0666),
 * so that a program's "is KVM available?" test agrees with what open()
 * will do.  Where the node exists the real answers stand, except that a
 * permission refusal is lifted: kvmu needs no access to the real device.
 *
 * Covered: access, faccessat, euidaccess/eaccess, stat, lstat, fstatat and
 * their 64 variants (glibc >= 2.33 exports these), and the __xstat family
 * that binaries built against older glibc call.  Not covered: statx().
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "shim_int.h"

#define KVM_PATH "/dev/kvm"

_Static_assert(sizeof(struct stat) == sizeof(struct stat64),
	       "stat and stat64 share one layout on 64-bit Linux");

/* The directory dirfd names, or the working directory, into buf. */
static int dir_path(int dirfd, char *buf, size_t len)
{
	char proc[32];
	ssize_t n;

	if (dirfd == AT_FDCWD)
		return getcwd(buf, len) ? 0 : -1;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", dirfd);
	n = readlink(proc, buf, len - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/*
 * Only names whose last component is "kvm" are resolved, so that opening
 * any other file costs one string compare.  The directory part is
 * resolved (a missing /dev/kvm has no target to resolve) and the result
 * compared with /dev/kvm.
 */
int shim_is_kvm_path(int dirfd, const char *path)
{
	char full[PATH_MAX], real[PATH_MAX];
	const char *base;
	size_t n;

	if (!path)
		return 0;
	if (!strcmp(path, KVM_PATH))
		return 1;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strcmp(base, "kvm"))
		return 0;
	if (path[0] == '/') {
		n = (size_t)(base - path);
		if (n >= sizeof(full))
			return 0;
		memcpy(full, path, n);
		full[n] = '\0';
	} else {
		if (dir_path(dirfd, full, sizeof(full)))
			return 0;
		n = strlen(full);
		if (snprintf(full + n, sizeof(full) - n, "/%.*s",
			     (int)(base - path), path) >= (int)(sizeof(full) - n))
			return 0;
	}
	if (!realpath(full, real))
		return 0;
	return !strcmp(real, "/dev");
}

/* What access() answers for the device when the real check failed. */
static int kvm_access(int mode, int real_ret, int real_errno)
{
	if (real_ret == 0 || (real_errno != ENOENT && real_errno != EACCES)) {
		errno = real_errno;
		return real_ret;
	}
	if (mode & X_OK) {
		errno = EACCES;
		return -1;
	}
	return 0;
}

int access(const char *path, int mode)
{
	int ret = REAL(access)(path, mode);

	if (ret && shim_is_kvm_path(AT_FDCWD, path))
		return kvm_access(mode, ret, errno);
	return ret;
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
	int ret = REAL(faccessat)(dirfd, path, mode, flags);

	if (ret && shim_is_kvm_path(dirfd, path))
		return kvm_access(mode, ret, errno);
	return ret;
}

int euidaccess(const char *path, int mode)
{
	int ret = REAL(euidaccess)(path, mode);

	if (ret && shim_is_kvm_path(AT_FDCWD, path))
		return kvm_access(mode, ret, errno);
	return ret;
}

int eaccess(const char *path, int mode)
{
	return euidaccess(path, mode);
}

/* The node devtmpfs would show for /dev/kvm. */
static int kvm_stat(struct stat *st, int real_ret, int real_errno)
{
	if (real_ret == 0 || real_errno != ENOENT) {
		errno = real_errno;
		return real_ret;
	}
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0666;
	st->st_nlink = 1;
	st->st_rdev = makedev(10, 232);
	st->st_blksize = 4096;
	return 0;
}

int stat(const char *path, struct stat *st)
{
	int ret = REAL(stat)(path, st);

	if (ret && shim_is_kvm_path(AT_FDCWD, path))
		return kvm_stat(st, ret, errno);
	return ret;
}

int lstat(const char *path, struct stat *st)
{
	int ret = REAL(lstat)(path, st);

	if (ret && shim_is_kvm_path(AT_FDCWD, path))
		return kvm_stat(st, ret, errno);
	return ret;
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	int ret = REAL(fstatat)(dirfd, path, st, flags);

	if (ret && shim_is_kvm_path(dirfd, path))
		return kvm_stat(st, ret, errno);
	return ret;
}

int stat64(const char *path, struct stat64 *st)
{
	return stat(path, (struct stat *)st);
}

int lstat64(const char *path, struct stat64 *st)
{
	return lstat(path, (struct stat *)st);
}

int fstatat64(int dirfd, const char *path, struct stat64 *st, int flags)
{
	return fstatat(dirfd, path, (struct stat *)st, flags);
}

/*
 * Binaries built against glibc < 2.33 call these.  On 64-bit Linux every
 * version number they accept means the one struct stat layout.
 */
int __xstat(int ver, const char *path, struct stat *st);
int __lxstat(int ver, const char *path, struct stat *st);
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st,
	       int flags);
int __xstat64(int ver, const char *path, struct stat *st);
int __lxstat64(int ver, const char *path, struct stat *st);
int __fxstatat64(int ver, int dirfd, const char *path, struct stat *st,
		 int flags);

int __xstat(int ver, const char *path, struct stat *st)
{
	(void)ver;
	return stat(path, st);
}

int __lxstat(int ver, const char *path, struct stat *st)
{
	(void)ver;
	return lstat(path, st);
}

int __fxstatat(int ver, int dirfd, const char *path, struct stat *st,
	       int flags)
{
	(void)ver;
	return fstatat(dirfd, path, st, flags);
}

int __xstat64(int ver, const char *path, struct stat *st)
{
	(void)ver;
	return stat(path, st);
}

int __lxstat64(int ver, const char *path, struct stat *st)
{
	(void)ver;
	return lstat(path, st);
}

int __fxstatat64(int ver, int dirfd, const char *path, struct stat *st,
		 int flags)
{
	(void)ver;
	return fstatat(dirfd, path, st, flags);
}
