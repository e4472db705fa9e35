// SPDX-License-Identifier: MIT
/*
 * x87/SSE exceptions and gates on kvmu: deferred #MF, #XM or #UD for an
 * unmasked SIMD exception, #NM (CR0.TS/EM), #UD (CR4.OSFXSR, CPUID),
 * #GP (alignment, MXCSR reserved bits), the state KVM_GET_FPU reports,
 * and XSAVE/XRSTOR of the x87 and SSE components.
 */
#include "x86_fpu_util.h"

#define X86_MF 16
#define X86_XM 19
#define X86_NM 7
#define X86_UD 6
#define X86_GP 13

static uint8_t data[DATA_SIZE] __attribute__((aligned(64)));

static void init_data(void)
{
	static const uint16_t fcw_ze = 0x037b;		/* ZE unmasked */
	static const uint32_t mx_ze = 0x1d80, mx_bad = 0x10000, mx = 0x1f80;
	static const double one = 1.0, zero = 0.0;

	memset(data, 0, sizeof(data));
	memcpy(data + 0x00, &fcw_ze, 2);
	memcpy(data + 0x04, &mx_ze, 4);
	memcpy(data + 0x08, &mx_bad, 4);
	memcpy(data + 0x0c, &mx, 4);
	memcpy(data + 0x10, &one, 8);
	memcpy(data + 0x18, &zero, 8);
}

/* The return address of the exception frame (no error code). */
static uint64_t frame_rip(struct tguest *g, int has_error)
{
	struct kvm_regs r;
	uint64_t rip;

	assert_int_equal(tg_get_regs(g, &r), 0);
	memcpy(&rip, g->mem + r.rsp + (has_error ? 8 : 0), 8);
	return rip;
}

SNIPPET(mf_deferred,
	"fninit; fldcw 0x00(%rbx); fld1; fldz; fdivrp\n"
	"mov $1, %eax\n"
	"fld1");

static void test_mf_deferred(void **state)
{
	struct kvm_fpu fpu;
	struct tguest g;

	(void)state;
	fg_create(&g);
	init_data();
	/* the division completes without a fault; the next FLD1 faults */
	assert_int_equal(fg_run(&g, SNIP(mf_deferred), data), X86_MF);
	assert_int_equal(frame_rip(&g, 0),
			 SNIP_AT + (size_t)(mf_deferred_end -
					    mf_deferred_start) - 3);
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_GET_FPU, &fpu), 0);
	assert_int_equal(fpu.fsw & 0x38ff, (6 << 11) | 0x84);	/* ZE ES */
	assert_int_equal(fpu.ftwx, 0xc0);	/* nothing popped */
	tg_destroy(&g);
}

SNIPPET(xm_unmasked,
	"ldmxcsr 0x04(%rbx); movsd 0x10(%rbx), %xmm0\n"
	"divsd 0x18(%rbx), %xmm0");

static void test_xm(void **state)
{
	struct kvm_sregs s;
	struct kvm_fpu fpu;
	struct tguest g;
	double d;

	(void)state;
	fg_create(&g);
	init_data();
	assert_int_equal(fg_run(&g, SNIP(xm_unmasked), data), X86_XM);
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_GET_FPU, &fpu), 0);
	assert_int_equal(fpu.mxcsr, 0x1d84);		/* ZE set */
	memcpy(&d, fpu.xmm[0], 8);
	assert_true(d == 1.0);				/* not written */
	/* without CR4.OSXMMEXCPT the same exception is #UD */
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_GET_SREGS, &s), 0);
	s.cr4 &= ~CR4_OSXMMEXCPT;
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_SET_SREGS, &s), 0);
	assert_int_equal(fg_run(&g, SNIP(xm_unmasked), data), X86_UD);
	tg_destroy(&g);
}

SNIPPET(sse_addps, "xorps %xmm1, %xmm1; addps %xmm1, %xmm0");
SNIPPET(sse2_addpd, "addpd %xmm1, %xmm0");
SNIPPET(x87_fld1, "fninit; fld1");
SNIPPET(do_fwait, "fwait");

static void test_nm_ud_gates(void **state)
{
	struct tguest g;

	(void)state;
	init_data();
	fg_create(&g);
	assert_int_equal(fg_run(&g, SNIP(sse_addps), data), -1);
	assert_int_equal(fg_sregs(&g, 1 << 3, 0, 0), 0);	/* CR0.TS */
	assert_int_equal(fg_run(&g, SNIP(sse_addps), data), X86_NM);
	assert_int_equal(fg_run(&g, SNIP(x87_fld1), data), X86_NM);
	assert_int_equal(fg_run(&g, SNIP(do_fwait), data), X86_NM);
	assert_int_equal(fg_sregs(&g, 1 << 2, 1 << 3, 0), 0);	/* EM, !TS */
	assert_int_equal(fg_run(&g, SNIP(x87_fld1), data), X86_NM);
	assert_int_equal(fg_run(&g, SNIP(sse_addps), data), X86_UD);
	assert_int_equal(fg_run(&g, SNIP(do_fwait), data), -1);
	tg_destroy(&g);

	/* CR4.OSFXSR clear: SSE is #UD, x87 is fine */
	fg_create(&g);
	{
		struct kvm_sregs s;

		assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_GET_SREGS, &s), 0);
		s.cr4 &= ~CR4_OSFXSR;
		assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_SET_SREGS, &s), 0);
	}
	assert_int_equal(fg_run(&g, SNIP(sse_addps), data), X86_UD);
	assert_int_equal(fg_run(&g, SNIP(x87_fld1), data), -1);
	tg_destroy(&g);

	/* CPUID without SSE2: SSE2 is #UD, SSE is not */
	fg_create(&g);
	assert_int_equal(fg_cpuid(&g, 0, 1u << 26, 0), 0);
	assert_int_equal(fg_run(&g, SNIP(sse2_addpd), data), X86_UD);
	assert_int_equal(fg_run(&g, SNIP(sse_addps), data), -1);
	tg_destroy(&g);
}

SNIPPET(gp_movaps, "movaps 0x18(%rbx), %xmm0");
SNIPPET(gp_addps, "addps 0x28(%rbx), %xmm0");
SNIPPET(ok_movups, "movups 0x18(%rbx), %xmm0; addss 0x14(%rbx), %xmm0");
SNIPPET(gp_ldmxcsr, "ldmxcsr 0x08(%rbx)");
SNIPPET(gp_fxsave, "fxsave 0x108(%rbx)");

static void test_gp(void **state)
{
	struct tguest g;

	(void)state;
	init_data();
	fg_create(&g);
	assert_int_equal(fg_run(&g, SNIP(gp_movaps), data), X86_GP);
	assert_int_equal(fg_run(&g, SNIP(gp_addps), data), X86_GP);
	assert_int_equal(fg_run(&g, SNIP(ok_movups), data), -1);
	assert_int_equal(fg_run(&g, SNIP(gp_ldmxcsr), data), X86_GP);
	assert_int_equal(fg_run(&g, SNIP(gp_fxsave), data), X86_GP);
	tg_destroy(&g);
}

SNIPPET(state_for_get_fpu,
	"fninit; fld1; fldpi; fldcw 0x00(%rbx)\n"
	"ldmxcsr 0x0c(%rbx); movsd 0x10(%rbx), %xmm3");

static void test_get_fpu(void **state)
{
	long double pi = 0, one = 0;
	struct kvm_fpu fpu;
	struct tguest g;
	double d;

	(void)state;
	init_data();
	fg_create(&g);
	assert_int_equal(fg_run(&g, SNIP(state_for_get_fpu), data), -1);
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_GET_FPU, &fpu), 0);
	memcpy(&pi, fpu.fpr[0], 10);
	memcpy(&one, fpu.fpr[1], 10);
	assert_true(pi == 3.14159265358979323846264338327950288L);
	assert_true(one == 1.0L);
	assert_int_equal(fpu.fcw, 0x037b);
	assert_int_equal((fpu.fsw >> 11) & 7, 6);
	assert_int_equal(fpu.ftwx, 0xc0);
	assert_int_equal(fpu.mxcsr, 0x1f80);
	memcpy(&d, fpu.xmm[3], 8);
	assert_true(d == 1.0);
	tg_destroy(&g);
}

/* XCR0 = x87 | SSE, then XSAVE, scribble, XRSTOR, XSAVE again. */
SNIPPET(xsave_cycle,
	"xor %ecx, %ecx; mov $3, %eax; xor %edx, %edx; xsetbv\n"
	"fninit; fld1; movsd 0x10(%rbx), %xmm5\n"
	"mov $3, %eax; xor %edx, %edx; xsave 0x400(%rbx)\n"
	"fninit; xorps %xmm5, %xmm5\n"
	"mov $3, %eax; xrstor 0x400(%rbx)\n"
	"movsd %xmm5, 0x20(%rbx); fstpl 0x28(%rbx)\n"
	"mov $2, %eax; xsave 0x800(%rbx)\n"
	/* XSTATE_BV without SSE: XRSTOR puts XMM in its initial state */
	"movq $1, 0x600(%rbx); mov $3, %eax; xrstor 0x400(%rbx)\n"
	"movsd %xmm5, 0x30(%rbx)");

static void test_xsave(void **state)
{
	struct tguest g;
	uint64_t bv;
	double d;
	uint16_t fcw;

	(void)state;
	init_data();
	fg_create(&g);
	assert_int_equal(fg_cpuid(&g, FPU_EDX_BITS, 0, 1u << 26), 0);
	assert_int_equal(fg_sregs(&g, 0, 0, CR4_OSXSAVE), 0);
	assert_int_equal(fg_run(&g, SNIP(xsave_cycle), data), -1);
	/* XSAVE sets XSTATE_BV bits of RFBM only (memory was zero) */
	memcpy(&bv, g.mem + TG_DATA + 0x800 + 512, 8);
	assert_int_equal(bv, 2);
	memcpy(&d, g.mem + TG_DATA + 0x20, 8);
	assert_true(d == 1.0);
	memcpy(&d, g.mem + TG_DATA + 0x28, 8);
	assert_true(d == 1.0);
	/* RFBM = SSE only: the x87 part of the legacy area is untouched */
	memcpy(&fcw, g.mem + TG_DATA + 0x800, 2);
	assert_int_equal(fcw, 0);
	assert_int_equal(g.mem[TG_DATA + 0x800 + 24], 0x80);	/* MXCSR */
	memcpy(&d, g.mem + TG_DATA + 0x30, 8);
	assert_true(d == 0.0);
	tg_destroy(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mf_deferred),
		cmocka_unit_test(test_xm),
		cmocka_unit_test(test_nm_ud_gates),
		cmocka_unit_test(test_gp),
		cmocka_unit_test(test_get_fpu),
		cmocka_unit_test(test_xsave),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
