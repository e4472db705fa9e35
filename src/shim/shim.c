// SPDX-License-Identifier: MIT
/*
 * The LD_PRELOAD shim: an unmodified program's open("/dev/kvm") gets a
 * kvmu system object, and its ioctl() on kvmu's descriptors goes to the
 * library.  Everything else passes straight to libc: an ioctl() on another
 * descriptor costs one test of the request type and one bit.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "shim_int.h"
#include "kvmu_int.h"
#include "kvmu/abi/vfio.h"
#include "kvmu/vfio.h"

void kvmu_shim_fd_created(int fd);

struct shim_real shim_real;

static const struct {
	const char *name;
	size_t off;
} real_syms[] = {
#define SYM(field, sym) { sym, offsetof(struct shim_real, field) }
	SYM(open, "open"), SYM(open64, "open64"), SYM(openat, "openat"),
	SYM(openat64, "openat64"), SYM(open_2, "__open_2"),
	SYM(open64_2, "__open64_2"), SYM(openat_2, "__openat_2"),
	SYM(openat64_2, "__openat64_2"), SYM(ioctl, "ioctl"),
	SYM(close, "close"), SYM(dup, "dup"), SYM(dup2, "dup2"),
	SYM(dup3, "dup3"), SYM(fcntl, "fcntl"), SYM(fcntl64, "fcntl64"),
	SYM(access, "access"), SYM(faccessat, "faccessat"),
	SYM(euidaccess, "euidaccess"), SYM(stat, "stat"),
	SYM(lstat, "lstat"), SYM(fstatat, "fstatat"),
#undef SYM
};

/*
 * Every thread that races here stores the same values, so no lock is
 * needed; the stores are atomic so that REAL() may read them unlocked.
 */
void shim_resolve(void)
{
	size_t i;

	for (i = 0; i < sizeof(real_syms) / sizeof(real_syms[0]); i++) {
		void **slot = (void **)((char *)&shim_real + real_syms[i].off);
		void *p = dlsym(RTLD_NEXT, real_syms[i].name);

		if (p)
			__atomic_store_n(slot, p, __ATOMIC_RELAXED);
	}
}

__attribute__((constructor)) static void shim_init(void)
{
	shim_resolve();
	shim_cpuid_init();
}

/*
 * Requests the VFS answers itself, before any driver sees them: they act
 * on the open file, so the kernel does the same on a memfd as on a KVM fd.
 */
static int vfs_request(unsigned long req)
{
	return req == FIOCLEX || req == FIONCLEX || req == FIONBIO ||
	       req == FIOASYNC;
}

/* The slow path: fd may be a kvmu object. */
static int kvmu_path(int fd, unsigned long req, unsigned long arg)
{
	struct kvmu_obj *obj;
	long ret;

	ret = kvmu_obj_get(fd, &obj);
	if (ret) {
		if (ret == -ENOTTY)
			shim_fd_clear(fd);	/* not ours after all */
		return REAL(ioctl)(fd, req, arg);
	}
	shim_fd_set(fd);	/* e.g. received in a way we did not see */
	if (vfs_request(req)) {
		kvmu_obj_put(obj);
		return REAL(ioctl)(fd, req, arg);
	}
	ret = kvmu_obj_ioctl(obj, (unsigned int)req, arg);
	if (kvmu_trace_stream)
		kvmu_trace_ioctl(obj, (unsigned int)req, arg, ret);
	kvmu_obj_put(obj);
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return (int)ret;
}

/*
 * glibc declares ioctl(int, unsigned long, ...); the one optional argument
 * is an integer or a pointer, passed on as an unsigned long either way.
 */
SHIM_ENTRY
int ioctl(int fd, unsigned long req, ...)
{
	unsigned long arg;
	va_list ap;

	va_start(ap, req);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	if (likely(_IOC_TYPE(req) != KVMIO && _IOC_TYPE(req) != VFIO_TYPE &&
		   !shim_fd_maybe(fd)))
		return REAL(ioctl)(fd, req, arg);
	return kvmu_path(fd, req, arg);
}

/* KVMU_ARCH, parsed once; -1 when it names nothing we know. */
static int shim_arch(void)
{
	const char *s = getenv("KVMU_ARCH");
	int arch;

	if (!s || !*s)
		return KVMU_ARCH_HOST;
	arch = kvmu_arch_from_name(s);
	if (arch < 0)
		fprintf(stderr, "kvmu: unknown KVMU_ARCH '%s'\n", s);
	return arch;
}

/* A device node is not a directory and exists already (O_CREAT|O_EXCL). */
static int node_open_check(int flags)
{
	if (flags & O_DIRECTORY) {
		errno = ENOTDIR;
		return -1;
	}
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
		errno = EEXIST;
		return -1;
	}
	return 0;
}

/*
 * open("/dev/kvm") with the kernel's answers for the flags that do not
 * reach the driver.  A build without the requested architecture answers
 * like a host without KVM support: the device does not exist.
 */
static int kvm_open(int flags)
{
	int arch, fd;

	if (node_open_check(flags))
		return -1;
	arch = shim_arch();
	if (arch < 0) {
		errno = ENOENT;
		return -1;
	}
	fd = kvmu_open((enum kvmu_arch)arch,
		       flags & O_CLOEXEC ? KVMU_OPEN_CLOEXEC : 0);
	if (fd < 0 && errno == EOPNOTSUPP) {
		fprintf(stderr, "kvmu: this build cannot run %s guests\n",
			kvmu_arch_name((enum kvmu_arch)arch) ?: "?");
		errno = ENOENT;
	}
	return fd;
}

/* open() of a /dev/vfio node: the same checks as for /dev/kvm. */
static int vfio_open(const char *canon, int flags)
{
	if (node_open_check(flags))
		return -1;
	return kvmu_vfio_open(canon, flags);
}

/*
 * O_PATH opens name the node; they never reach the driver.  Returns 1
 * for /dev/kvm, 2 for a VFIO node (canonical name in canon), else 0.
 */
static int kvmu_node(int dirfd, const char *path, int flags, char *canon)
{
	if (flags & O_PATH)
		return 0;
	if (shim_is_kvm_path(dirfd, path))
		return 1;
	return shim_vfio_path(dirfd, path, canon) ? 2 : 0;
}

static int node_open(int node, const char *canon, int flags)
{
	return node == 1 ? kvm_open(flags) : vfio_open(canon, flags);
}

static unsigned int open_mode(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, unsigned int) : 0;
}

/* Which of libc's open functions the program called: the one passed on. */
enum real_open { REAL_OPEN, REAL_OPEN64, REAL_OPENAT, REAL_OPENAT64 };

static int real_open(enum real_open which, int dirfd, const char *path,
		     int flags, unsigned int mode)
{
	switch (which) {
	case REAL_OPEN:
		return REAL(open)(path, flags, mode);
	case REAL_OPEN64:
		return REAL(open64)(path, flags, mode);
	case REAL_OPENAT:
		return REAL(openat)(dirfd, path, flags, mode);
	default:
		return REAL(openat64)(dirfd, path, flags, mode);
	}
}

static int open_any(enum real_open which, int dirfd, const char *path,
		    int flags, va_list ap)
{
	unsigned int mode = open_mode(flags, ap);
	char canon[PATH_MAX];
	int node = kvmu_node(dirfd, path, flags, canon);

	if (node)
		return node_open(node, canon, flags);
	return real_open(which, dirfd, path, flags, mode);
}

SHIM_ENTRY
int open(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = open_any(REAL_OPEN, AT_FDCWD, path, flags, ap);
	va_end(ap);
	return fd;
}

SHIM_ENTRY
int open64(const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = open_any(REAL_OPEN64, AT_FDCWD, path, flags, ap);
	va_end(ap);
	return fd;
}

SHIM_ENTRY
int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = open_any(REAL_OPENAT, dirfd, path, flags, ap);
	va_end(ap);
	return fd;
}

SHIM_ENTRY
int openat64(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	int fd;

	va_start(ap, flags);
	fd = open_any(REAL_OPENAT64, dirfd, path, flags, ap);
	va_end(ap);
	return fd;
}

/*
 * The _FORTIFY_SOURCE entry points: libc's own checks stay in force (a
 * call that creates a file is never a kvmu node and goes to libc, which
 * refuses it for want of a mode).
 */
static int open_fortify(enum real_open which, int dirfd, const char *path,
			int flags)
{
	char canon[PATH_MAX];
	int node;

	node = flags & (O_CREAT | O_TMPFILE) ? 0 :
		kvmu_node(dirfd, path, flags, canon);
	if (node)
		return node_open(node, canon, flags);
	switch (which) {
	case REAL_OPEN:
		return REAL(open_2)(path, flags);
	case REAL_OPEN64:
		return REAL(open64_2)(path, flags);
	case REAL_OPENAT:
		return REAL(openat_2)(dirfd, path, flags);
	default:
		return REAL(openat64_2)(dirfd, path, flags);
	}
}

SHIM_ENTRY
int __open_2(const char *path, int flags)
{
	return open_fortify(REAL_OPEN, AT_FDCWD, path, flags);
}

SHIM_ENTRY
int __open64_2(const char *path, int flags)
{
	return open_fortify(REAL_OPEN64, AT_FDCWD, path, flags);
}

SHIM_ENTRY
int __openat_2(int dirfd, const char *path, int flags)
{
	return open_fortify(REAL_OPENAT, dirfd, path, flags);
}

SHIM_ENTRY
int __openat64_2(int dirfd, const char *path, int flags)
{
	return open_fortify(REAL_OPENAT64, dirfd, path, flags);
}

/* Called by the library for every object descriptor it creates. */
void kvmu_shim_fd_created(int fd)
{
	shim_fd_set(fd);
}
