/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the general-purpose instruction unit tests: run a few bytes
 * of code in a long-mode kvmu guest (CPL 0) from given registers up to the
 * HLT appended to them, or to the exception stub they fault into.
 */
#ifndef KVMU_TESTS_X86_INT_UTIL_H
#define KVMU_TESTS_X86_INT_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "x86_guest.h"

#define FL_CF	0x001ULL
#define FL_PF	0x004ULL
#define FL_AF	0x010ULL
#define FL_ZF	0x040ULL
#define FL_SF	0x080ULL
#define FL_DF	0x400ULL
#define FL_OF	0x800ULL
#define FL_ALL	(FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

static inline int xi_setup(void **state)
{
	struct tguest *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	assert_int_equal(tg_create(g, &tg_kvmu), 0);
	assert_int_equal(tg_set_supported_cpuid(g), 0);
	assert_int_equal(tg_long_mode(g, TG_CODE, TG_STACK_TOP), 0);
	*state = g;
	return 0;
}

static inline int xi_teardown(void **state)
{
	tg_destroy(*state);
	free(*state);
	return 0;
}

/*
 * Run code (HLT appended) from regs r; r gets the final registers.
 * Returns the exception vector taken, or -1 when the code reached its HLT.
 */
static inline int xi_run(struct tguest *g, const uint8_t *code, size_t len,
			 struct kvm_regs *r)
{
	int exit;

	tg_put(g, TG_CODE, code, len);
	g->mem[TG_CODE + len] = 0xf4;
	r->rip = TG_CODE;
	if (!r->rsp)
		r->rsp = TG_STACK_TOP;
	r->rflags |= 2;
	assert_int_equal(tg_set_regs(g, r), 0);
	exit = tg_run(g, 16);
	assert_int_equal(exit, KVM_EXIT_HLT);
	assert_int_equal(tg_get_regs(g, r), 0);
	if (r->rip == TG_CODE + len + 1)
		return -1;
	return tg_exception_at(r->rip);
}

#endif /* KVMU_TESTS_X86_INT_UTIL_H */
