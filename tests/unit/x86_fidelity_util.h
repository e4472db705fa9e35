/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the CPU-fidelity tests (test_x86_fidelity.c, test_x86_debug.c):
 * the vCPU's CPUID and vendor, MSRs, debug registers, code placement and
 * runs, on the tguest of x86_int_util.h.
 */
#ifndef KVMU_TESTS_X86_FIDELITY_UTIL_H
#define KVMU_TESTS_X86_FIDELITY_UTIL_H

#include <stdbool.h>

#include "x86_int_util.h"

#define D		TG_DATA
#define RF		(1ULL << 16)
#define TF		(1ULL << 8)
#define X86_UD_VEC	6


static inline struct kvm_cpuid2 *get_cpuid(struct tguest *g)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
				      256 * sizeof(c->entries[0]));

	assert_non_null(c);
	c->nent = 256;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_CPUID2, c), 0);
	return c;
}

static inline struct kvm_cpuid_entry2 *leaf(struct kvm_cpuid2 *c,
					    uint32_t fn, uint32_t idx)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn &&
		    c->entries[i].index == idx)
			return &c->entries[i];
	fail_msg("no CPUID leaf %#x.%u", fn, idx);
	return NULL;
}

static inline void set_vendor(struct tguest *g, bool amd)
{
	struct kvm_cpuid2 *c = get_cpuid(g);
	struct kvm_cpuid_entry2 *e = leaf(c, 0, 0);

	/* "AuthenticAMD" / "GenuineIntel" in EBX EDX ECX */
	e->ebx = amd ? 0x68747541 : 0x756e6547;
	e->edx = amd ? 0x69746e65 : 0x49656e69;
	e->ecx = amd ? 0x444d4163 : 0x6c65746e;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_CPUID2, c), 0);
	free(c);
}

static inline void set_msr(struct tguest *g, uint32_t idx, uint64_t v)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = { .h.nmsrs = 1, .e.index = idx, .e.data = v };

	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_MSRS, &m), 1);
}

static inline uint64_t stack_q(struct tguest *g, uint64_t rsp, int i)
{
	uint64_t v;

	memcpy(&v, g->mem + rsp + 8 * (uint64_t)i, 8);
	return v;
}

static inline void set_dr(struct tguest *g, int n, uint64_t addr, uint64_t dr7)
{
	struct kvm_debugregs d;

	memset(&d, 0, sizeof(d));
	d.db[n] = addr;
	d.dr6 = 0xffff0ff0;
	d.dr7 = dr7;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_DEBUGREGS, &d), 0);
}

static inline uint64_t get_dr6(struct tguest *g)
{
	struct kvm_debugregs d;

	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_DEBUGREGS, &d), 0);
	return d.dr6;
}

static inline void put_code(struct tguest *g, const uint8_t *c,
			    size_t len, struct kvm_regs *r)
{
	tg_put(g, TG_CODE, c, len);
	g->mem[TG_CODE + len] = 0xf4;
	r->rip = TG_CODE;
	if (!r->rsp)
		r->rsp = TG_STACK_TOP;
	r->rflags |= 2;
	assert_int_equal(tg_set_regs(g, r), 0);
}

static inline void run_to(struct tguest *g, uint32_t reason)
{
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(g->run->exit_reason, reason);
}

#endif
