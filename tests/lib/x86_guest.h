/* SPDX-License-Identifier: MIT */
/*
 * Small x86-64 guests for tests, on kvmu or on the real /dev/kvm: a VM with
 * one RAM slot at gpa 0, one vCPU, long mode set up through SET_SREGS the
 * way a VMM does it (identity paging of the first 2 MiB with 4K pages, a
 * flat GDT, an IDT whose vector v enters a one-byte HLT stub at
 * TG_EXC_STUB(v)), and run-until-HLT.  Every function returns 0 or -1 with
 * errno set; nothing prints.
 */
#ifndef KVMU_TESTS_X86_GUEST_H
#define KVMU_TESTS_X86_GUEST_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

/* Which KVM: kvmu through kvmu_open/kvmu_ioctl, or the kernel's. */
struct tg_backend {
	const char *name;
	int (*open)(void);
	int (*ioctl)(int fd, unsigned long req, void *arg);
};

extern const struct tg_backend tg_kvmu;
extern const struct tg_backend tg_kvm;

/* Guest-physical layout (the tables live below TG_CODE). */
#define TG_MEM_SIZE	0x200000UL	/* 2 MiB, all identity-mapped */
#define TG_GDT		0x0500UL
#define TG_PML4		0x1000UL
#define TG_PDPT		0x2000UL
#define TG_PD		0x3000UL
#define TG_PT		0x4000UL
#define TG_IDT		0x6000UL
#define TG_TSS		0x7000UL
#define TG_EXC		0x8000UL	/* 32 HLT stubs, 16 bytes apart */
#define TG_EXC_STUB(v)	(TG_EXC + 16UL * (v))
#define TG_CODE		0x10000UL
#define TG_DATA		0x40000UL
#define TG_STACK_TOP	0x80000UL
#define TG_KSTACK_TOP	0x90000UL	/* TSS.RSP0 in user mode */

struct tguest {
	const struct tg_backend *be;
	int sys, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
	size_t mem_size;
};

/* Create VM + slot + vCPU; -1 with errno when the backend is unusable. */
int tg_create(struct tguest *g, const struct tg_backend *be);
/* The same with KVM_CREATE_IRQCHIP before the vCPU. */
int tg_create_irqchip(struct tguest *g, const struct tg_backend *be);
void tg_destroy(struct tguest *g);
/* Set the vCPU's CPUID to the backend's supported CPUID. */
int tg_set_supported_cpuid(struct tguest *g);
/* Look up a supported CPUID leaf; 0 and out[] filled, or -1. */
int tg_supported_cpuid(struct tguest *g, uint32_t leaf, uint32_t idx,
		       uint32_t out[4]);
/* Tables in memory and long-mode sregs; registers: rip/rsp given. */
int tg_long_mode(struct tguest *g, uint64_t rip, uint64_t rsp);
/*
 * The same, then CPL 3 with IOPL 3 (user pages, user segments 0x33/0x2b,
 * TSS.RSP0 = TG_KSTACK_TOP): OUT ends a test without a privileged HLT.
 * On kvm_pvm, CPL-0 guest code runs in KVM's instruction emulator while
 * CPL-3 code runs on the CPU (see docs/), hence this mode.
 */
int tg_user_mode(struct tguest *g, uint64_t rip, uint64_t rsp);
int tg_ioctl(struct tguest *g, int fd, unsigned long req, void *arg);
int tg_get_regs(struct tguest *g, struct kvm_regs *r);
int tg_set_regs(struct tguest *g, const struct kvm_regs *r);
/*
 * KVM_RUN until an exit other than IO/MMIO (IN and MMIO reads get zeroes),
 * at most max_exits times; returns the last exit reason or -1.
 */
int tg_run(struct tguest *g, int max_exits);
/* The vector whose stub a HLT exit at rip came from, or -1. */
int tg_exception_at(uint64_t rip);
/* Copy bytes into guest memory. */
void tg_put(struct tguest *g, uint64_t gpa, const void *p, size_t n);

#endif /* KVMU_TESTS_X86_GUEST_H */
