/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the s390x tests: a VM with one vCPU and 2 MiB at guest
 * address 0, guest code assembled at test time with Debian's
 * s390x-linux-gnu-as (the tests skip, exit 77, without it), big-endian
 * guest storage accessors.
 */
#ifndef KVMU_S390_TEST_UTIL_H
#define KVMU_S390_TEST_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvmu/kvmu.h"
#include "kvmu/abi/s390.h"
#include "cross_asm.h"

#define S390_MEM	0x200000UL

struct s390vm {
	int sys, vm, vcpu;
	struct kvmu_s390_run *run;
	uint8_t *mem;
};

static inline int s390_have_toolchain(void)
{
	return !system("s390x-linux-gnu-as --version >/dev/null 2>&1");
}

static inline void *s390_alloc(size_t size)
{
	/* slots want 1 MiB aligned user addresses on s390 */
	uint8_t *p = mmap(NULL, size + 0x100000, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	return (void *)(((uintptr_t)p + 0xfffff) & ~0xfffffUL);
}

static inline int s390vm_open(struct s390vm *v)
{
	struct kvm_userspace_memory_region r = { 0 };

	v->sys = kvmu_open(KVMU_ARCH_S390X, 0);
	if (v->sys < 0)
		return -1;
	v->vm = kvmu_ioctl(v->sys, KVM_CREATE_VM, 0);
	v->mem = s390_alloc(S390_MEM);
	if (v->vm < 0 || !v->mem)
		return -1;
	r.memory_size = S390_MEM;
	r.userspace_addr = (uintptr_t)v->mem;
	if (kvmu_ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &r))
		return -1;
	v->vcpu = kvmu_ioctl(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		return -1;
	v->run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	return v->run == MAP_FAILED ? -1 : 0;
}

static inline void s390vm_close(struct s390vm *v)
{
	munmap(v->run, 4096);
	close(v->vcpu);
	close(v->vm);
	close(v->sys);
}

static inline void put64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static inline uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Assemble src and place the bytes at guest address gpa; 0 or -1. */
static inline int s390_asm(struct s390vm *v, uint64_t gpa, const char *src)
{
	return cross_asm("s390x-linux-gnu", "-march=z10", src, v->mem + gpa,
			 S390_MEM - gpa);
}

#define PSW_64		0x0000000180000000ULL	/* EA + BA */
#define PSW_DAT_ON	0x0400000000000000ULL
#define PSW_EXT_ON	0x0100000000000000ULL
#define PSW_PROBLEM	0x0001000000000000ULL
#define PSW_WAIT_ON	0x0002000000000000ULL

static inline int s390_psw(struct s390vm *v, uint64_t mask, uint64_t addr)
{
	struct kvm_s390_psw psw = { .mask = mask, .addr = addr };

	return kvmu_ioctl(v->vcpu, KVM_S390_SET_INITIAL_PSW, &psw);
}

/* Put a 16-byte PSW into lowcore at off (new PSWs). */
static inline void s390_lc_psw(struct s390vm *v, uint32_t off, uint64_t mask,
			       uint64_t addr)
{
	put64(v->mem + off, mask);
	put64(v->mem + off + 8, addr);
}

static inline int s390_run(struct s390vm *v)
{
	return kvmu_ioctl(v->vcpu, KVM_RUN, 0);
}

#endif
