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
#include <sys/mman.h>
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

/*
 * Open KVM (exit 77 where there is none: the row is skipped), create a VM
 * with the in-kernel irqchip and one slot of ram_size bytes at GPA 0.
 */
static inline void bench_vm_irqchip(struct bvm *v, size_t ram_size)
{
	struct kvm_userspace_memory_region slot = { .memory_size = ram_size };

	v->sys = KVM_OPEN();
	if (v->sys < 0) {
		fprintf(stderr, "%s: no KVM: %s\n", BENCH_NAME, strerror(errno));
		exit(77);
	}
	v->run_size = (size_t)KVM_IOCTL(v->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	v->vm = KVM_IOCTL(v->sys, KVM_CREATE_VM, 0);
	if (v->vm < 0 || KVM_IOCTL(v->vm, KVM_CREATE_IRQCHIP, 0) < 0)
		die("KVM_CREATE_VM/IRQCHIP");
	v->ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->ram == MAP_FAILED)
		die("mmap");
	slot.userspace_addr = (uintptr_t)v->ram;
	if (KVM_IOCTL(v->vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
}

/* vCPU i of v with its kvm_run mapped (v->vcpu[i], v->run[i]). */
static inline void bench_vcpu_create(struct bvm *v, int i)
{
	v->vcpu[i] = KVM_IOCTL(v->vm, KVM_CREATE_VCPU, i);
	if (v->vcpu[i] < 0)
		die("KVM_CREATE_VCPU");
	v->run[i] = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, v->vcpu[i], 0);
	if (v->run[i] == MAP_FAILED)
		die("mmap");
}

static inline double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

#endif
