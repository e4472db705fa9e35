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

#if defined(__SANITIZE_ADDRESS__)
#define KVMU_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KVMU_ASAN 1
#endif
#endif

#ifdef KVMU_ASAN
#include <sanitizer/asan_interface.h>

/*
 * process_vm_readv/writev move the bytes inside the kernel, where ASan
 * cannot see them: check the library's side of the copy here, so that an
 * overrun of a kvmu buffer is still reported.
 */
static void asan_check(const void *p, size_t len, int is_write)
{
	void *bad = __asan_region_is_poisoned((void *)p, len);

	if (bad)
		__asan_report_error(__builtin_return_address(0),
				    __builtin_frame_address(0),
				    __builtin_frame_address(0), bad, is_write,
				    len - (size_t)((const char *)bad -
						   (const char *)p));
}
#else
static inline void asan_check(const void *p KVMU_UNUSED,
			      size_t len KVMU_UNUSED, int is_write KVMU_UNUSED)
{
}
#endif

int kvmu_copy_from_user(void *dst, unsigned long uptr, size_t len)
{
	struct iovec local = { dst, len };
	struct iovec remote = { (void *)uptr, len };
	ssize_t n;

	if (!len)
		return 0;
	if (!uptr)
		return -EFAULT;
	asan_check(dst, len, 1);
	n = process_vm_readv(kvmu_pid(), &local, 1, &remote, 1, 0);
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
	asan_check(src, len, 0);
	n = process_vm_writev(kvmu_pid(), &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n < 0 && errno == EPERM) {
		memcpy((void *)uptr, src, len);
		return 0;
	}
	return -EFAULT;
}
