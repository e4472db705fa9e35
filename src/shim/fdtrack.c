// SPDX-License-Identifier: MIT
/*
 * Which descriptors may be kvmu objects, kept right across close(), dup(),
 * dup2(), dup3() and fcntl(F_DUPFD*).  The bitmap only decides whether an
 * ioctl() that is not a KVM request pays for an object lookup, so a stale
 * bit costs time, never correctness (see shim_int.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#include "shim_int.h"
#include "kvmu/kvmu.h"
#include "kvmu_int.h"

#define BITS_PER_LONG (8 * sizeof(long))

unsigned long shim_fd_bits[SHIM_MAX_FD / (8 * sizeof(long))];

void shim_fd_set(int fd)
{
	unsigned int u = (unsigned int)fd;

	if (u < SHIM_MAX_FD)
		__atomic_fetch_or(&shim_fd_bits[u / BITS_PER_LONG],
				  1UL << (u % BITS_PER_LONG), __ATOMIC_RELAXED);
}

void shim_fd_clear(int fd)
{
	unsigned int u = (unsigned int)fd;

	if (u < SHIM_MAX_FD && shim_fd_maybe(fd))
		__atomic_fetch_and(&shim_fd_bits[u / BITS_PER_LONG],
				   ~(1UL << (u % BITS_PER_LONG)),
				   __ATOMIC_RELAXED);
}

void shim_fd_copy(int oldfd, int newfd)
{
	if (shim_fd_maybe(oldfd))
		shim_fd_set(newfd);
	else
		shim_fd_clear(newfd);
}

/*
 * Clear before closing: once the number is free another thread may get
 * it for a new kvmu object and set the bit, which we must not undo.
 */
SHIM_ENTRY
int close(int fd)
{
	int maybe = shim_fd_maybe(fd), ret, err;

	shim_fd_clear(fd);
	ret = REAL(close)(fd);
	if (maybe && !ret) {
		/*
		 * Release what this close let go now, as the kernel's
		 * release does: a VFIO device's mdev, a KVM VFIO device's
		 * groups.  (Without the shim it happens at the next call.)
		 */
		err = errno;
		kvmu_obj_reap();
		errno = err;
	}
	return ret;
}

SHIM_ENTRY
int dup(int fd)
{
	int nfd = REAL(dup)(fd);

	if (nfd >= 0)
		shim_fd_copy(fd, nfd);
	return nfd;
}

SHIM_ENTRY
int dup2(int fd, int fd2)
{
	int ret = REAL(dup2)(fd, fd2);

	if (ret >= 0 && fd != fd2)
		shim_fd_copy(fd, ret);
	return ret;
}

SHIM_ENTRY
int dup3(int fd, int fd2, int flags)
{
	int ret = REAL(dup3)(fd, fd2, flags);

	if (ret >= 0)
		shim_fd_copy(fd, ret);
	return ret;
}

/*
 * fcntl's third argument is an int or a pointer depending on cmd; like
 * glibc we pass it on as a pointer-sized value, which covers both.
 */
static int fcntl_common(int (*real)(int, int, ...), int fd, int cmd,
			void *arg)
{
	int ret = real(fd, cmd, arg);

	if (ret >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		shim_fd_copy(fd, ret);
	return ret;
}

SHIM_ENTRY
int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_common(REAL(fcntl), fd, cmd, arg);
}

SHIM_ENTRY
int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, cmd);
	arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_common(REAL(fcntl64) ? REAL(fcntl64) : REAL(fcntl),
			    fd, cmd, arg);
}
