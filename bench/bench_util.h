/* SPDX-License-Identifier: MIT */
/*
 * What the benchmark programs share.  Each defines BENCH_NAME (its name
 * in failure messages) before including this.  They are programs, not
 * library code: a failure ends the run, and bench/run.sh reports it.
 */
#ifndef KVMU_BENCH_UTIL_H
#define KVMU_BENCH_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/kvm.h>

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
