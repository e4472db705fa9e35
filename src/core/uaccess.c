// SPDX-License-Identifier: MIT
/*
 * The user-pointer boundary.  The kernel answers EFAULT for an argument
 * pointer into unmapped memory; a plain memcpy would crash the caller
 * instead.  process_vm_readv/writev on our own pid make the same check in
 * the kernel and fail cleanly with EFAULT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "kvmu_int.h"

static pid_t self_pid(void)
{
	static _Thread_local pid_t cached;
	static _Thread_local pid_t seen_ppid;

	/* getpid() changes across fork; refresh when the parent changes */
	if (!cached || seen_ppid != getppid()) {
		cached = getpid();
		seen_ppid = getppid();
	}
	return cached;
}

int kvmu_copy_from_user(void *dst, unsigned long uptr, size_t len)
{
	struct iovec local = { dst, len };
	struct iovec remote = { (void *)uptr, len };
	ssize_t n;

	if (!len)
		return 0;
	if (!uptr)
		return -EFAULT;
	n = process_vm_readv(self_pid(), &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && errno == EPERM) {
		/* no ptrace rights over ourselves (odd LSMs): plain copy */
		memcpy(dst, (const void *)uptr, len);
		return 0;
	}
	return -EFAULT;
}

int kvmu_copy_to_user(unsigned long uptr, const void *src, size_t len)
{
	struct iovec local = { (void *)src, len };
	struct iovec remote = { (void *)uptr, len };
	ssize_t n;

	if (!len)
		return 0;
	if (!uptr)
		return -EFAULT;
	n = process_vm_writev(self_pid(), &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && errno == EPERM) {
		memcpy((void *)uptr, src, len);
		return 0;
	}
	return -EFAULT;
}
