/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the x87/SSE unit tests: a long-mode guest (tests/lib's
 * x86_guest) with CR4.OSFXSR/OSXMMEXCPT and the FPU/SSE CPUID bits set,
 * code "snippets" assembled into the test binary, and a way to run the
 * same snippet natively on the host for a differential check.
 *
 * A snippet addresses its data through %rbx (TG_DATA in the guest, a
 * host buffer natively), may clobber rax, rcx, rdx, rsi, rdi, r8-r11, the
 * x87 and XMM/MMX registers and MXCSR, and ends in RET.  In the guest it
 * runs from a stub at TG_CODE: mov $TG_DATA, %ebx; call snippet; hlt.
 */
#ifndef KVMU_TESTS_X86_FPU_UTIL_H
#define KVMU_TESTS_X86_FPU_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "x86_guest.h"

#define SNIPPET(name, body)						\
	asm(".pushsection .text.kvmu_snippets,\"ax\"\n"			\
	    ".globl " #name "_start\n" #name "_start:\n"		\
	    body "\n\tret\n"						\
	    ".globl " #name "_end\n" #name "_end:\n"			\
	    ".popsection\n");						\
	extern const uint8_t name##_start[], name##_end[]

#define SNIP(name)	name##_start, (size_t)(name##_end - name##_start)

#define DATA_SIZE	0x1000
#define SNIP_AT		(TG_CODE + 0x100)

#define CR4_OSFXSR	(1ULL << 9)
#define CR4_OSXMMEXCPT	(1ULL << 10)
#define CR4_OSXSAVE	(1ULL << 18)

/* CPUID 1 EDX: FPU CMOV MMX FXSR SSE SSE2 CLFSH; ECX: XSAVE. */
#define FPU_EDX_BITS	((1u << 0) | (1u << 15) | (1u << 23) | (1u << 24) | \
			 (1u << 25) | (1u << 26) | (1u << 19))

/* Set CPUID: the supported table, leaf 1 EDX |= edx_set & ~edx_clear. */
static inline int fg_cpuid(struct tguest *g, uint32_t edx_set,
			   uint32_t edx_clear, uint32_t ecx_set)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + 128 *
				      sizeof(struct kvm_cpuid_entry2));
	uint32_t i;
	int r;

	if (!c)
		return -1;
	c->nent = 128;
	if (tg_ioctl(g, g->sys, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		free(c);
		return -1;
	}
	for (i = 0; i < c->nent; i++) {
		if (c->entries[i].function != 1)
			continue;
		c->entries[i].edx |= edx_set;
		c->entries[i].edx &= ~edx_clear;
		c->entries[i].ecx |= ecx_set;
	}
	r = tg_ioctl(g, g->vcpu, KVM_SET_CPUID2, c);
	free(c);
	return r;
}

static inline int fg_sregs(struct tguest *g, uint64_t cr0_set,
			   uint64_t cr0_clear, uint64_t cr4_set)
{
	struct kvm_sregs s;

	if (tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s) < 0)
		return -1;
	s.cr0 = (s.cr0 | cr0_set) & ~cr0_clear;
	s.cr4 |= cr4_set;
	return tg_ioctl(g, g->vcpu, KVM_SET_SREGS, &s);
}

/*
 * A long-mode kvmu guest with SSE enabled; skips when kvmu cannot run.
 * (The reference here is the host CPU itself, not /dev/kvm: kvm_pvm
 * emulates a non-PVM guest's ring-0 code with KVM's instruction emulator,
 * which fails on most SSE instructions.)
 */
static inline void fg_create(struct tguest *g)
{
	memset(g, 0, sizeof(*g));
	g->sys = g->vm = g->vcpu = -1;
	if (tg_create(g, &tg_kvmu) < 0)
		skip();
	assert_int_equal(fg_cpuid(g, FPU_EDX_BITS, 0, 0), 0);
	assert_int_equal(tg_long_mode(g, TG_CODE, TG_STACK_TOP), 0);
	assert_int_equal(fg_sregs(g, 0, 0, CR4_OSFXSR | CR4_OSXMMEXCPT), 0);
}

/* Load the stub and the snippet, the data, and run to the HLT.  Returns
 * the vector of the exception the snippet raised, or -1 when it ended at
 * the stub's own HLT. */
static inline int fg_run(struct tguest *g, const uint8_t *code, size_t len,
			 const void *data)
{
	uint8_t stub[11] = { 0xbb, 0, 0, 0, 0, 0xe8, 0, 0, 0, 0, 0xf4 };
	uint32_t base = (uint32_t)TG_DATA;
	int32_t rel = (int32_t)(SNIP_AT - (TG_CODE + 10));
	struct kvm_regs r;

	memcpy(stub + 1, &base, 4);
	memcpy(stub + 6, &rel, 4);
	tg_put(g, TG_CODE, stub, sizeof(stub));
	tg_put(g, SNIP_AT, code, len);
	tg_put(g, TG_DATA, data, DATA_SIZE);
	assert_int_equal(tg_get_regs(g, &r), 0);
	r.rip = TG_CODE;
	r.rsp = TG_STACK_TOP;
	r.rflags = 2;
	assert_int_equal(tg_set_regs(g, &r), 0);
	assert_int_equal(tg_run(g, 1000), KVM_EXIT_HLT);
	assert_int_equal(tg_get_regs(g, &r), 0);
	if (r.rip == TG_CODE + sizeof(stub))
		return -1;
	return tg_exception_at(r.rip);
}

/* Run a snippet natively with %rbx = data; the host's x87/SSE state is
 * saved and restored around it, the red zone is stepped over. */
static inline void fg_host_run(const uint8_t *code, void *data)
{
	static uint8_t save[512] __attribute__((aligned(16)));

	asm volatile("fxsave %0" : "=m"(save));
	asm volatile("push %%rbx\n\t"
		     "sub $128, %%rsp\n\t"
		     "mov %1, %%rbx\n\t"
		     "call *%0\n\t"
		     "add $128, %%rsp\n\t"
		     "pop %%rbx"
		     : "+r"(code), "+r"(data)
		     :
		     : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10",
		       "r11", "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3",
		       "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
		       "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	asm volatile("fxrstor %0" : : "m"(save));
}

/* Compare guest and host data, ignoring the ranges in skip[] (pairs of
 * offset, length; end with a length of 0). */
static inline void fg_compare(const uint8_t *guest, const uint8_t *host,
			      size_t from, size_t to, const size_t *skip)
{
	size_t i, k;
	int bad = 0;

	for (i = from; i < to; i++) {
		for (k = 0; skip && skip[k + 1]; k += 2)
			if (i >= skip[k] && i < skip[k] + skip[k + 1])
				break;
		if (skip && skip[k + 1])
			continue;
		if (guest[i] != host[i]) {
			if (bad++ < 16)
				print_error("offset %#zx: guest %02x host %02x\n",
					    i, guest[i], host[i]);
		}
	}
	assert_int_equal(bad, 0);
}

#endif /* KVMU_TESTS_X86_FPU_UTIL_H */
