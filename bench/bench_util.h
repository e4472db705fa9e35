/* SPDX-License-Identifier: MIT */
/*
 * What the benchmark programs share.  Each defines BENCH_NAME (its name
 * in failure messages) before including this.  They are programs, not
 * library code: a failure ends the run, and bench/run.sh reports it.
 */
#ifndef KVMU_BENCH_UTIL_H
#define KVMU_BENCH_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include <linux/kvm.h>

/*
 * Built twice: with -DKVMU against libkvmu, without it against the
 * kernel's /dev/kvm (the peer column).
 */
#ifdef KVMU
#include <kvmu/kvmu.h>

#define KVM_OPEN()	kvmu_open(KVMU_ARCH_X86_64, 0)
#define KVM_IOCTL(fd, req, arg) \
	kvmu_ioctl((fd), (unsigned long)(req), (unsigned long)(arg))
#else
#define KVM_OPEN()	open("/dev/kvm", O_RDWR | O_CLOEXEC)
#define KVM_IOCTL(fd, req, arg) \
	ioctl((fd), (unsigned long)(req), (unsigned long)(arg))
#endif

/* A VM of two vCPUs, for the benchmarks that send between them. */
struct bvm {
	int sys, vm, vcpu[2];
	struct kvm_run *run[2];
	size_t run_size;
	uint8_t *ram;
};

static inline void die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", BENCH_NAME, what, strerror(errno));
	exit(1);
}

static inline double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

#endif
