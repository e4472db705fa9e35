/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the VM-plane tests (test_planes*.c): a long-mode guest with
 * plane 1 and vCPU 0 in both planes, through the library.
 */
#ifndef PLANES_UTIL_H
#define PLANES_UTIL_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <kvmu/kvmu.h>
#include "kvmu/abi/planes.h"
#include "x86_guest.h"

#define A_CODE	(TG_CODE)		/* plane 0's code */
#define B_CODE	(TG_CODE + 0x1000)	/* plane 1's code */
#define PAGE_P	(TG_DATA)		/* a data page */
#define PAGE_Q	(TG_DATA + 0x1000)	/* a code page for NX */

struct pl {
	struct tguest g;
	int plane, pvcpu;		/* plane 1's fd and vCPU fd */
};

static inline int io(struct pl *p, int fd, unsigned long req, void *arg)
{
	return tg_ioctl(&p->g, fd, req, arg);
}

static inline long ioval(struct pl *p, int fd, unsigned long req,
			 unsigned long v)
{
	return tg_ioctl(&p->g, fd, req, (void *)v);
}

static inline struct kvmu_run_planes *runp(struct pl *p)
{
	return (struct kvmu_run_planes *)p->g.run;
}

static inline void set_rip(struct pl *p, int fd, uint64_t rip);

/* Plane 1 and vCPU 0 in it, starting in plane 0's mode at its own code. */
static inline void add_plane1(struct pl *p)
{
	struct kvm_sregs s;

	assert_int_equal(tg_long_mode(&p->g, A_CODE, TG_STACK_TOP), 0);
	p->plane = (int)ioval(p, p->g.vm, KVM_CREATE_PLANE, 1);
	assert_true(p->plane >= 0);
	p->pvcpu = (int)ioval(p, p->plane, KVM_CREATE_VCPU_PLANE,
			      (unsigned long)p->g.vcpu);
	assert_true(p->pvcpu >= 0);
	assert_int_equal(io(p, p->g.vcpu, KVM_GET_SREGS, &s), 0);
	assert_int_equal(io(p, p->pvcpu, KVM_SET_SREGS, &s), 0);
	set_rip(p, p->pvcpu, B_CODE);
}

/* A VM with plane 1 and vCPU 0 in both planes, in long mode at CPL 0. */
static inline void setup(struct pl *p, bool irqchip, bool fpu_shared)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_PLANES_FPU,
				      .args = { 1 } };

	assert_int_equal(irqchip ? tg_create_irqchip(&p->g, &tg_kvmu) :
				   tg_create(&p->g, &tg_kvmu), 0);
	if (fpu_shared)
		assert_int_equal(io(p, p->g.vm, KVM_ENABLE_CAP, &cap), 0);
	add_plane1(p);
}

/* The same with the supported CPUID set on plane 0 first (inherited). */
static inline void setup_cpuid(struct pl *p, bool irqchip)
{
	assert_int_equal(irqchip ? tg_create_irqchip(&p->g, &tg_kvmu) :
				   tg_create(&p->g, &tg_kvmu), 0);
	assert_int_equal(tg_set_supported_cpuid(&p->g), 0);
	add_plane1(p);
}

static inline void teardown(struct pl *p)
{
	close(p->pvcpu);
	close(p->plane);
	tg_destroy(&p->g);
}

static inline void set_rip(struct pl *p, int fd, uint64_t rip)
{
	struct kvm_regs r;

	memset(&r, 0, sizeof(r));
	r.rip = rip;
	r.rsp = TG_STACK_TOP - 0x100;
	r.rflags = 2;
	assert_int_equal(io(p, fd, KVM_SET_REGS, &r), 0);
}

/* KVM_RUN on plane `plane`; the exit reason, or -errno. */
static inline int run_plane(struct pl *p, int plane)
{
	runp(p)->plane = (uint8_t)plane;
	if (io(p, p->g.vcpu, KVM_RUN, NULL) < 0)
		return -errno;
	assert_int_equal(runp(p)->plane, plane);
	return (int)p->g.run->exit_reason;
}

static inline uint64_t rax_of(struct pl *p, int fd)
{
	struct kvm_regs r;

	assert_int_equal(io(p, fd, KVM_GET_REGS, &r), 0);
	return r.rax;
}

static inline void expect_err(long ret, int err)
{
	assert_int_equal(ret, -1);
	assert_int_equal(errno, err);
}

/* mov eax, imm32; out 0x10+plane, al */
static inline void put_mark(struct pl *p, uint64_t gpa, uint32_t v,
			    uint8_t port)
{
	uint8_t c[] = { 0xb8, (uint8_t)v, (uint8_t)(v >> 8),
			(uint8_t)(v >> 16), (uint8_t)(v >> 24), 0xe6, port };

	tg_put(&p->g, gpa, c, sizeof(c));
}

static inline void lapic_enable(struct pl *p, int fd)
{
	struct kvm_lapic_state s;
	uint32_t *svr;

	assert_int_equal(io(p, fd, KVM_GET_LAPIC, &s), 0);
	svr = (uint32_t *)&s.regs[0xf0];
	*svr |= 0x1ff;
	assert_int_equal(io(p, fd, KVM_SET_LAPIC, &s), 0);
}

static inline bool irr_has(struct pl *p, int fd, int vec)
{
	struct kvm_lapic_state s;
	uint32_t w;

	assert_int_equal(io(p, fd, KVM_GET_LAPIC, &s), 0);
	memcpy(&w, &s.regs[0x200 + (vec / 32) * 0x10], 4);
	return w & (1u << (vec % 32));
}

static inline void msi(struct pl *p, int fd, int vec)
{
	struct kvm_msi m = { .address_lo = 0xfee00000, .data = (uint32_t)vec };

	assert_int_equal(io(p, fd, KVM_SIGNAL_MSI, &m), 1);
}

/* Map the xAPIC page (a 2 MiB page at 0xfee00000, uncached). */
static inline void map_apic(struct pl *p)
{
	uint64_t pdpte = 0x5000 | 3, pde = 0xfee00000ULL | 0x93;

	memcpy(p->g.mem + TG_PDPT + 3 * 8, &pdpte, 8);
	memcpy(p->g.mem + 0x5000 + 0x1f7 * 8, &pde, 8);
}

static inline int set_attr(struct pl *p, int fd, uint64_t gpa, uint64_t size,
		    uint64_t attrs)
{
	struct kvm_memory_attributes a = { .address = gpa, .size = size,
					   .attributes = attrs };

	return io(p, fd, KVM_SET_MEMORY_ATTRIBUTES, &a);
}

/* The access faults: KVM_RUN fails with EFAULT and a memory-fault exit. */
static inline void expect_fault(struct pl *p, int plane, uint64_t gpa,
			 uint64_t flags)
{
	uint64_t *mf = (uint64_t *)((uint8_t *)p->g.run + 32);

	assert_int_equal(run_plane(p, plane), -EFAULT);
	assert_int_equal(p->g.run->exit_reason, KVM_EXIT_MEMORY_FAULT);
	assert_int_equal(mf[0], flags);
	assert_int_equal(mf[1], gpa);
	assert_int_equal(mf[2], 4096);
}

/* mov byte [PAGE_P+8], 0x5a; mov al, [PAGE_P]; out 0x10, al */
static inline void put_write_read(struct pl *p, uint64_t gpa, uint8_t port)
{
	uint8_t c[] = { 0xc6, 0x04, 0x25, 0, 0, 0, 0, 0x5a,
			0x8a, 0x04, 0x25, 0, 0, 0, 0, 0xe6, port };
	uint32_t w = PAGE_P + 8, r = PAGE_P;

	memcpy(c + 3, &w, 4);
	memcpy(c + 11, &r, 4);
	tg_put(&p->g, gpa, c, sizeof(c));
}

#endif
