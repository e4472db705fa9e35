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
#include "kvmu/host.h"
#include "kvmu/vfio.h"

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
 * The directory part of path (up to its last component, base), made
 * absolute against dirfd, into full (len bytes).  0 or -1 (too long).
 */
static int dir_part(int dirfd, const char *path, const char *base,
		    char *full, size_t len)
{
	size_t n;

	if (path[0] == '/') {
		n = (size_t)(base - path);
		if (n >= len)
			return -1;
		memcpy(full, path, n);
		full[n] = '\0';
		return 0;
	}
	if (dir_path(dirfd, full, len))
		return -1;
	n = strlen(full);
	if (snprintf(full + n, len - n, "/%.*s", (int)(base - path), path) >=
	    (int)(len - n))
		return -1;
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

	if (!path)
		return 0;
	if (!strcmp(path, KVM_PATH))
		return 1;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (strcmp(base, "kvm"))
		return 0;
	if (dir_part(dirfd, path, base, full, sizeof(full)))
		return 0;
	if (!realpath(full, real))
		return 0;
	return !strcmp(real, "/dev");
}

/* A VFIO node name: "vfio" or a group number (the cheap first test). */
static int vfio_name(const char *base)
{
	if (!strcmp(base, "vfio"))
		return 1;
	if (!*base)
		return 0;
	for (; *base; base++)
		if (*base < '0' || *base > '9')
			return 0;
	return 1;
}

/* Is directory dir /dev/vfio, existing or not (a host without VFIO)? */
static int is_vfio_dir(char *dir)
{
	char real[PATH_MAX], *slash;

	if (realpath(dir, real))
		return !strcmp(real, "/dev/vfio");
	slash = strrchr(dir, '/');
	if (!slash || strcmp(slash + 1, "vfio"))
		return 0;
	*slash = '\0';
	return realpath(*dir ? dir : "/", real) && !strcmp(real, "/dev");
}

/*
 * A VFIO node kvmu serves: /dev/vfio/vfio or /dev/vfio/<N>, literally or
 * through a directory that resolves to /dev/vfio.  The canonical name
 * goes to canon (PATH_MAX bytes).
 */
int shim_vfio_path(int dirfd, const char *path, char *canon)
{
	char full[PATH_MAX];
	const char *base;
	size_t n;

	if (!path)
		return 0;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (!vfio_name(base))
		return 0;
	if (dir_part(dirfd, path, base, full, sizeof(full)))
		return 0;
	n = strlen(full);
	while (n > 1 && full[n - 1] == '/')
		full[--n] = '\0';
	if (!is_vfio_dir(full))
		return 0;
	snprintf(canon, PATH_MAX, "/dev/vfio/%s", base);
	return 1;
}

/*
 * Does the VFIO node canon exist for kvmu?  The container always does; a
 * group when the host model has an mdev with that iommu_group.
 */
static int vfio_node_exists(const char *canon)
{
	struct kvmu_host *h;
	char uuid[37];
	int ok;

	if (!strcmp(canon, "/dev/vfio/vfio"))
		return 1;
	if (kvmu_host_open(NULL, 0, &h))
		return 0;
	ok = !kvmu_host_iommu_group_mdev(h, atoi(canon + strlen("/dev/vfio/")),
					 uuid);
	kvmu_host_close(h);
	return ok;
}

/* 1 (and the canonical name) when path is a VFIO node kvmu has. */
static int is_vfio_node(int dirfd, const char *path, char *canon)
{
	return shim_vfio_path(dirfd, path, canon) && vfio_node_exists(canon);
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

SHIM_ENTRY
int access(const char *path, int mode)
{
	char canon[PATH_MAX];
	int err;
	int ret = REAL(access)(path, mode);

	if (ret && shim_is_kvm_path(AT_FDCWD, path))
		return kvm_access(mode, ret, errno);
	if (ret && (err = errno, is_vfio_node(AT_FDCWD, path, canon)))
		return kvm_access(mode, ret, err);
	return ret;
}

SHIM_ENTRY
int faccessat(int dirfd, const char *path, int mode, int flags)
{
	char canon[PATH_MAX];
	int err;
	int ret = REAL(faccessat)(dirfd, path, mode, flags);

	if (ret && shim_is_kvm_path(dirfd, path))
		return kvm_access(mode, ret, errno);
	if (ret && (err = errno, is_vfio_node(dirfd, path, canon)))
		return kvm_access(mode, ret, err);
	return ret;
}

SHIM_ENTRY
int euidaccess(const char *path, int mode)
{
	char canon[PATH_MAX];
	int err;
	int ret = REAL(euidaccess)(path, mode);

	if (ret && shim_is_kvm_path(AT_FDCWD, path))
		return kvm_access(mode, ret, errno);
	if (ret && (err = errno, is_vfio_node(AT_FDCWD, path, canon)))
		return kvm_access(mode, ret, err);
	return ret;
}

SHIM_ENTRY
int eaccess(const char *path, int mode)
{
	return euidaccess(path, mode);
}

/*
 * The device number of a VFIO node: the container is misc 10:196; group
 * nodes have a dynamic major (241 is typical) and the group as minor.
 */
static dev_t vfio_rdev(const char *canon)
{
	if (!strcmp(canon, "/dev/vfio/vfio"))
		return makedev(10, 196);
	return makedev(241, (unsigned int)atoi(canon + strlen("/dev/vfio/")));
}

/* The node devtmpfs would show for /dev/kvm (or a VFIO node). */
static int kvm_stat(struct stat *st, int real_ret, int real_errno,
		    dev_t rdev)
{
	if (real_ret == 0 || real_errno != ENOENT) {
		errno = real_errno;
		return real_ret;
	}
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFCHR | 0666;
	st->st_nlink = 1;
	st->st_rdev = rdev;
	st->st_blksize = 4096;
	return 0;
}

SHIM_ENTRY
int stat(const char *path, struct stat *st)
{
	char canon[PATH_MAX];
	int err;
	int ret = REAL(stat)(path, st);

	if (ret && shim_is_kvm_path(AT_FDCWD, path))
		return kvm_stat(st, ret, errno, makedev(10, 232));
	if (ret && (err = errno, is_vfio_node(AT_FDCWD, path, canon)))
		return kvm_stat(st, ret, err, vfio_rdev(canon));
	return ret;
}

SHIM_ENTRY
int lstat(const char *path, struct stat *st)
{
	char canon[PATH_MAX];
	int err;
	int ret = REAL(lstat)(path, st);

	if (ret && shim_is_kvm_path(AT_FDCWD, path))
		return kvm_stat(st, ret, errno, makedev(10, 232));
	if (ret && (err = errno, is_vfio_node(AT_FDCWD, path, canon)))
		return kvm_stat(st, ret, err, vfio_rdev(canon));
	return ret;
}

SHIM_ENTRY
int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	char canon[PATH_MAX];
	int err;
	int ret = REAL(fstatat)(dirfd, path, st, flags);

	if (ret && shim_is_kvm_path(dirfd, path))
		return kvm_stat(st, ret, errno, makedev(10, 232));
	if (ret && (err = errno, is_vfio_node(dirfd, path, canon)))
		return kvm_stat(st, ret, err, vfio_rdev(canon));
	return ret;
}

SHIM_ENTRY
int stat64(const char *path, struct stat64 *st)
{
	return stat(path, (struct stat *)st);
}

SHIM_ENTRY
int lstat64(const char *path, struct stat64 *st)
{
	return lstat(path, (struct stat *)st);
}

SHIM_ENTRY
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

SHIM_ENTRY
int __xstat(int ver, const char *path, struct stat *st)
{
	(void)ver;
	return stat(path, st);
}

SHIM_ENTRY
int __lxstat(int ver, const char *path, struct stat *st)
{
	(void)ver;
	return lstat(path, st);
}

SHIM_ENTRY
int __fxstatat(int ver, int dirfd, const char *path, struct stat *st,
	       int flags)
{
	(void)ver;
	return fstatat(dirfd, path, st, flags);
}

/* The 64 variants are the same functions under a second name. */
SHIM_ENTRY
int __xstat64(int ver, const char *path, struct stat *st)
	__attribute__((alias("__xstat")));
SHIM_ENTRY
int __lxstat64(int ver, const char *path, struct stat *st)
	__attribute__((alias("__lxstat")));
SHIM_ENTRY
int __fxstatat64(int ver, int dirfd, const char *path, struct stat *st,
		 int flags) __attribute__((alias("__fxstatat")));
