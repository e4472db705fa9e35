/* SPDX-License-Identifier: MIT */
/*
 * kvmu: the Linux KVM user-space API, implemented in a user-space library.
 *
 * A program uses kvmu exactly as it would use /dev/kvm: kvmu_open() stands
 * for open("/dev/kvm") and kvmu_ioctl() for ioctl(2).  Every object (system,
 * VM, vCPU, device) is a real file descriptor: close() releases it, dup(),
 * fork() and poll() behave, and mmap() of a vCPU fd gives its struct kvm_run.
 */
#ifndef KVMU_KVMU_H
#define KVMU_KVMU_H

#include <kvmu/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Guest architectures.  KVMU_ARCH_HOST picks the host's own. */
enum kvmu_arch {
	KVMU_ARCH_HOST = 0,
	KVMU_ARCH_X86_64 = 1,
	KVMU_ARCH_S390X = 2,
	KVMU_ARCH_ARM64 = 3,
};

/* Flags for kvmu_open(). */
#define KVMU_OPEN_CLOEXEC	0x1	/* the system fd is close-on-exec */

/*
 * Open a kvmu system object, the equivalent of open("/dev/kvm", O_RDWR).
 * Returns a file descriptor, or -1 with errno set (EOPNOTSUPP for an
 * architecture this build cannot run, EINVAL for unknown flags).
 */
KVMU_API
int kvmu_open(enum kvmu_arch arch, int flags);

/*
 * ioctl(2) on a kvmu object: same arguments, same return value, same errno
 * as the kernel's KVM fds (-1 and errno on error).  A descriptor that is not
 * a kvmu object fails with ENOTTY (EBADF when it is not open at all).
 */
KVMU_API
int kvmu_ioctl(int fd, unsigned long request, ...);

/* Nonzero when fd refers to a live kvmu object of this process. */
KVMU_API
int kvmu_is_object(int fd);

/* Parse "x86_64", "s390x", "arm64" (and aliases); -1 when unknown. */
KVMU_API
int kvmu_arch_from_name(const char *name);

/* The canonical name of an architecture ("x86_64", "s390x", "arm64"). */
KVMU_API
const char *kvmu_arch_name(enum kvmu_arch arch);

/* Name of a KVM ioctl request for arch ("KVM_RUN"), or NULL. */
KVMU_API
const char *kvmu_ioctl_name(enum kvmu_arch arch, unsigned long request);

/* Name of capability cap without the KVM_CAP_ prefix, or NULL. */
KVMU_API
const char *kvmu_cap_name(long cap);

/* Name of exit reason nr without the KVM_EXIT_ prefix, or NULL. */
KVMU_API
const char *kvmu_exit_name(unsigned int nr);

/*
 * Enable or disable the ioctl trace (one strace-like line per KVM ioctl on
 * stream, NULL to disable).  KVMU_TRACE=1 in the environment enables it on
 * stderr at the first kvmu_open().
 */
KVMU_API
void kvmu_trace_set(void *stream);

/* Per-vCPU execution statistics, as printed by `kvmu run --stats`. */
struct kvmu_vcpu_stats {
	unsigned long long instructions;	/* guest instructions retired */
	unsigned long long exits[64];		/* KVM_RUN returns by exit reason */
	unsigned long long run_ns;		/* time spent inside KVM_RUN */
};

/* Copy the statistics of the vCPU behind vcpu_fd; 0 or -1 with errno. */
KVMU_API
int kvmu_vcpu_stats(int vcpu_fd, struct kvmu_vcpu_stats *out);

#ifdef __cplusplus
}
#endif
#endif /* KVMU_KVMU_H */
