/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the Hyper-V unit tests: a long-mode kvmu guest with the
 * in-kernel irqchip and the Hyper-V CPUID leaves of
 * KVM_GET_SUPPORTED_HV_CPUID; code runs up to an OUT to port 0x80 (done)
 * or to the exception stub it faults into, rewritten to OUT the vector to
 * port 0x81 (a HLT would sleep with an in-kernel LAPIC).
 */
#ifndef KVMU_TESTS_X86_HV_UTIL_H
#define KVMU_TESTS_X86_HV_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "x86_guest.h"

#define HV_OS_ID	0x40000000U
#define HV_HYPERCALL	0x40000001U
#define HV_VP_INDEX	0x40000002U
#define HV_EOI		0x40000070U
#define LINUX_OS_ID	(0x8100ULL << 48)
#define HV_DONE_PORT	0x80
#define HV_EXC_PORT	0x81

static inline struct kvm_cpuid2 *hv_cpuid_alloc(void)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
				      256 * sizeof(c->entries[0]));

	assert_non_null(c);
	c->nent = 256;
	return c;
}

/* The vCPU's CPUID: supported leaves minus 0x400000xx, plus Hyper-V's. */
static inline void hv_set_cpuid(struct tguest *g, int vcpu_fd)
{
	struct kvm_cpuid2 *sys = hv_cpuid_alloc(), *hv = hv_cpuid_alloc();
	uint32_t i, n = 0;

	assert_int_equal(tg_ioctl(g, g->sys, KVM_GET_SUPPORTED_CPUID, sys), 0);
	assert_int_equal(tg_ioctl(g, g->sys, KVM_GET_SUPPORTED_HV_CPUID, hv),
			 0);
	for (i = 0; i < sys->nent; i++)
		if (sys->entries[i].function < 0x40000000 ||
		    sys->entries[i].function >= 0x40000100)
			sys->entries[n++] = sys->entries[i];
	assert_true(n + hv->nent <= 256);
	memcpy(&sys->entries[n], hv->entries, hv->nent * sizeof(hv->entries[0]));
	sys->nent = n + hv->nent;
	assert_int_equal(tg_ioctl(g, vcpu_fd, KVM_SET_CPUID2, sys), 0);
	free(sys);
	free(hv);
}

/* Host KVM_SET_MSRS / KVM_GET_MSRS of one MSR; the ioctl's count. */
static inline int hv_host_set(struct tguest *g, int fd, uint32_t idx,
			      uint64_t v)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = { .h.nmsrs = 1, .e.index = idx, .e.data = v };

	return tg_ioctl(g, fd, KVM_SET_MSRS, &m);
}

static inline uint64_t hv_host_get(struct tguest *g, int fd, uint32_t idx)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = { .h.nmsrs = 1, .e.index = idx };

	assert_int_equal(tg_ioctl(g, fd, KVM_GET_MSRS, &m), 1);
	return m.e.data;
}

/* Exception stubs OUT their vector to port 0x81. */
static inline void hv_exc_stubs(struct tguest *g)
{
	int v;

	for (v = 0; v < 32; v++) {
		uint8_t s[4] = { 0xb0, (uint8_t)v, 0xe6, HV_EXC_PORT };

		tg_put(g, TG_EXC_STUB(v), s, sizeof(s));
	}
}

/* Software-enable the local APIC of vcpu_fd (SVR bit 8). */
static inline void hv_apic_enable(struct tguest *g, int vcpu_fd)
{
	struct kvm_lapic_state ls;

	assert_int_equal(tg_ioctl(g, vcpu_fd, KVM_GET_LAPIC, &ls), 0);
	ls.regs[0xf1] |= 1;
	assert_int_equal(tg_ioctl(g, vcpu_fd, KVM_SET_LAPIC, &ls), 0);
}

/* IRR bit of vector on vcpu_fd's local APIC. */
static inline bool hv_irr(struct tguest *g, int vcpu_fd, int vector)
{
	struct kvm_lapic_state ls;
	uint32_t w;

	assert_int_equal(tg_ioctl(g, vcpu_fd, KVM_GET_LAPIC, &ls), 0);
	memcpy(&w, &ls.regs[0x200 + 0x10 * (vector / 32)], 4);
	return (w >> (vector % 32)) & 1;
}

/* A fresh irqchip guest in long mode with the Hyper-V CPUID. */
static inline void hv_guest(struct tguest *g, bool hv_cpuid)
{
	assert_int_equal(tg_create_irqchip(g, &tg_kvmu), 0);
	if (hv_cpuid)
		hv_set_cpuid(g, g->vcpu);
	else
		assert_int_equal(tg_set_supported_cpuid(g), 0);
	assert_int_equal(tg_long_mode(g, TG_CODE, TG_STACK_TOP), 0);
	hv_exc_stubs(g);
	hv_apic_enable(g, g->vcpu);
}

/*
 * Run code (OUT 0x80 appended) from regs r; r gets the final registers.
 * Returns the exception vector, -1 when the code completed, or -2 - the
 * exit reason for any other exit (left in g->run).
 */
/* cmocka group fixtures: a Hyper-V guest (hv_guest(g, true)) per test. */
static inline int hv_setup(void **state)
{
	struct tguest *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	hv_guest(g, true);
	*state = g;
	return 0;
}

static inline int hv_teardown(void **state)
{
	tg_destroy(*state);
	free(*state);
	return 0;
}

/* A cmocka test entry with those fixtures. */
#define HV_TEST(f)	cmocka_unit_test_setup_teardown(f, hv_setup, hv_teardown)

static inline int hv_run(struct tguest *g, const uint8_t *code, size_t len,
			 struct kvm_regs *r)
{
	static const uint8_t out[] = { 0xe6, HV_DONE_PORT };

	tg_put(g, TG_CODE, code, len);
	tg_put(g, TG_CODE + len, out, sizeof(out));
	r->rip = TG_CODE;
	if (!r->rsp)
		r->rsp = TG_STACK_TOP;
	r->rflags |= 2;
	assert_int_equal(tg_set_regs(g, r), 0);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(tg_get_regs(g, r), 0);
	if (g->run->exit_reason != KVM_EXIT_IO)
		return -2 - (int)g->run->exit_reason;
	if (g->run->io.port == HV_EXC_PORT)
		return (int)(r->rax & 0xff);
	assert_int_equal(g->run->io.port, HV_DONE_PORT);
	return -1;
}

/* Guest RDMSR/WRMSR: -1 done, else the exception vector. */
static inline int hv_rdmsr(struct tguest *g, uint32_t idx, uint64_t *v)
{
	static const uint8_t c[] = { 0x0f, 0x32 };
	struct kvm_regs r = { .rcx = idx };
	int e = hv_run(g, c, sizeof(c), &r);

	*v = (r.rdx << 32) | (uint32_t)r.rax;
	return e;
}

static inline int hv_wrmsr(struct tguest *g, uint32_t idx, uint64_t v)
{
	static const uint8_t c[] = { 0x0f, 0x30 };
	struct kvm_regs r = { .rcx = idx, .rax = (uint32_t)v, .rdx = v >> 32 };

	return hv_run(g, c, sizeof(c), &r);
}

/* VMCALL with control, input, output (64-bit convention); RAX back. */
static inline uint64_t hv_call(struct tguest *g, uint64_t ctl, uint64_t in,
			       uint64_t out)
{
	static const uint8_t c[] = { 0x0f, 0x01, 0xc1 };
	struct kvm_regs r = { .rcx = ctl, .rdx = in, .r8 = out };

	assert_int_equal(hv_run(g, c, sizeof(c), &r), -1);
	return r.rax;
}

/* XMM0-XMM5 of the vCPU from twelve 64-bit halves (low, high, ...). */
static inline void hv_set_xmm(struct tguest *g, int fd, const uint64_t *q)
{
	struct kvm_fpu f;
	int i;

	assert_int_equal(tg_ioctl(g, fd, KVM_GET_FPU, &f), 0);
	for (i = 0; i < 6; i++) {
		memcpy(&f.xmm[i][0], &q[2 * i], 8);
		memcpy(&f.xmm[i][8], &q[2 * i + 1], 8);
	}
	assert_int_equal(tg_ioctl(g, fd, KVM_SET_FPU, &f), 0);
}

#endif /* KVMU_TESTS_X86_HV_UTIL_H */
