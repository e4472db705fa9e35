// SPDX-License-Identifier: MIT
/*
 * x87, SSE, SSE2 and MMX on kvmu, checked against the host CPU: each
 * snippet runs natively and in a long-mode kvmu guest on the same input
 * data, and every byte it stores (results, status words, FNSAVE and
 * FXSAVE images) must agree, except the instruction and data pointers,
 * which name different addresses on the two sides.
 */
#include <math.h>

#include "x86_fpu_util.h"

/* ---- input data (offsets from %rbx) ---- */

static void init_data(uint8_t *d)
{
	static const double dv[] = { 1.5, 2.25, -3.0e300, 7.0 };
	static const double vec_a[] = { 1.5, -2.5 }, vec_b[] = { 3.0, 0.0 };
	static const uint16_t fcw[] = { 0x037f, 0x077f, 0x0b7f, 0x0f7f,
					0x007f, 0x027f };
	static const uint32_t mxcsr[] = { 0x1f80, 0x3f80, 0x5f80, 0x7f80,
					  0x9fc0 };
	float vec_c[] = { 1.0f, -0.0f, NAN, 3.4e38f };
	float vec_d[] = { 2.0f, 5.0f, 1.0f, 10.0f };
	long double ld = 1e-4000L;
	float f = 0.1f, fm = -2.5f;
	uint32_t snan = 0x7f800001;
	int32_t i32 = -123456;
	int16_t i16[] = { 300, -7 };
	int64_t i64 = 0x0123456789abcdefLL;
	double den = 1e-310, qnan = NAN;
	uint64_t count[2] = { 5, 0 };
	int i;

	memset(d, 0, DATA_SIZE);
	memcpy(d + 0x00, dv, sizeof(dv));
	memcpy(d + 0x20, &f, 4);
	memcpy(d + 0x24, &i32, 4);
	memcpy(d + 0x28, i16, 4);
	memcpy(d + 0x30, &ld, 10);
	memcpy(d + 0x40, &i64, 8);
	memcpy(d + 0x48, &den, 8);
	memcpy(d + 0x50, &qnan, 8);
	memcpy(d + 0x58, &snan, 4);
	memcpy(d + 0x5c, &fm, 4);
	memcpy(d + 0x60, fcw, sizeof(fcw));
	memcpy(d + 0x70, mxcsr, sizeof(mxcsr));
	memcpy(d + 0x90, count, 16);
	memcpy(d + 0xa0, vec_a, 16);
	memcpy(d + 0xb0, vec_b, 16);
	memcpy(d + 0xc0, vec_c, 16);
	memcpy(d + 0xd0, vec_d, 16);
	for (i = 0; i < 32; i++)	/* two integer vectors, mixed signs */
		d[0xe0 + i] = (uint8_t)(i * 0x4d + 0x93 - (i & 1) * 0x71);
}

/* ---- snippets ---- */

SNIPPET(x87_arith,
	"fninit\n"
	"fldl 0x00(%rbx); faddl 0x08(%rbx); fmuls 0x20(%rbx)\n"
	"fstpl 0x100(%rbx)\n"
	"fildl 0x24(%rbx); fidivs 0x28(%rbx); fstpt 0x108(%rbx)\n"
	"fnstsw 0x112(%rbx)\n"
	"fldt 0x30(%rbx); fmul %st(0), %st; fstpt 0x118(%rbx)\n"
	"fnstsw 0x122(%rbx); fnclex\n"
	"fldl 0x10(%rbx); fmul %st(0), %st; fstl 0x128(%rbx)\n"
	"fistpl 0x130(%rbx); fnstsw 0x134(%rbx); fnclex\n"
	"fldcw 0x68(%rbx); fldl 0x00(%rbx); fdivl 0x18(%rbx)\n"
	"fstpt 0x138(%rbx)\n"
	"fldcw 0x6a(%rbx); fldl 0x00(%rbx); fdivl 0x18(%rbx)\n"
	"fstpt 0x148(%rbx)\n"
	"fldcw 0x62(%rbx); flds 0x5c(%rbx); frndint; fstps 0x158(%rbx)\n"
	"fldpi; fstpt 0x160(%rbx); fldl 0x00(%rbx); fistps 0x16a(%rbx)\n"
	"fldcw 0x64(%rbx); flds 0x5c(%rbx); frndint; fstps 0x16c(%rbx)\n"
	"fldpi; fstpt 0x170(%rbx); fldl 0x00(%rbx); fistpl 0x17a(%rbx)\n"
	"fldcw 0x66(%rbx); flds 0x5c(%rbx); frndint; fstps 0x180(%rbx)\n"
	"fldl2e; fstpt 0x184(%rbx)\n"
	"fildll 0x40(%rbx); fld1; fdivrp; fstpl 0x190(%rbx)\n"
	"fldcw 0x60(%rbx); fnclex\n"
	"fldl 0x08(%rbx); fldl 0x00(%rbx)\n"
	"fcom %st(1); fnstsw %ax; mov %ax, 0x198(%rbx)\n"
	"fcomi %st(1), %st; setb 0x19a(%rbx); sete 0x19b(%rbx)\n"
	"setp 0x19c(%rbx)\n"
	"fxch; fucomi %st(1), %st; setb 0x19d(%rbx); sete 0x19e(%rbx)\n"
	"fcompp; fnstsw 0x1a0(%rbx)\n"
	"fldl 0x50(%rbx); fldz; fucomip %st(1), %st; setp 0x1a2(%rbx)\n"
	"fcoms 0x20(%rbx); fnstsw 0x1a4(%rbx); fstp %st(0); fnclex\n"
	"fldz; ftst; fnstsw 0x1a6(%rbx); fstp %st(0)\n"
	"fxam; fnstsw 0x1a8(%rbx)\n"
	"fldl 0x48(%rbx); fxam; fnstsw 0x1aa(%rbx)\n"
	"fldl 0x50(%rbx); fxam; fnstsw 0x1ac(%rbx)\n"
	"fld1; fchs; fxam; fnstsw 0x1ae(%rbx)\n"
	"fldz; fabs; fxam; fnstsw 0x1b0(%rbx); fninit\n"
	"fldl 0x08(%rbx); fsqrt; fstpt 0x1b8(%rbx)\n"
	"fldl 0x18(%rbx); fldl 0x00(%rbx); fscale; fstpt 0x1c8(%rbx)\n"
	"fstp %st(0)\n"
	"fldl 0x08(%rbx); fldl 0x18(%rbx); fprem; fnstsw 0x1d2(%rbx)\n"
	"fstpt 0x1d8(%rbx); fstp %st(0)\n"
	"fldl 0x08(%rbx); fldl 0x18(%rbx); fprem1; fnstsw 0x1e2(%rbx)\n"
	"fstpt 0x1e8(%rbx); fstp %st(0)\n"
	"fldl 0x18(%rbx); fxtract; fstpt 0x1f8(%rbx); fstpt 0x208(%rbx)\n"
	"fldl 0x00(%rbx); fsin; fstpt 0x218(%rbx)\n"
	"fldl 0x00(%rbx); fcos; fstpt 0x228(%rbx)\n"
	"fldl 0x00(%rbx); fptan; fstpt 0x238(%rbx); fstpt 0x248(%rbx)\n"
	"fldl 0x00(%rbx); fsincos; fstpt 0x258(%rbx); fstpt 0x268(%rbx)\n"
	"fldl 0x08(%rbx); fldl 0x00(%rbx); fpatan; fstpt 0x278(%rbx)\n"
	"flds 0x20(%rbx); f2xm1; fstpt 0x288(%rbx)\n"
	"fldl 0x08(%rbx); fldl 0x18(%rbx); fyl2x; fstpt 0x298(%rbx)\n"
	"fld1; flds 0x20(%rbx); fyl2xp1; fstpt 0x2a8(%rbx)\n"
	"fnstsw 0x2b2(%rbx)\n"
	"fildll 0x40(%rbx); fistpll 0x2b8(%rbx)\n"
	"filds 0x2a(%rbx); fistps 0x2c0(%rbx)\n"
	"fildl 0x24(%rbx); fbstp 0x2c4(%rbx)\n"
	"fbld 0x2c4(%rbx); fistpl 0x2d0(%rbx)\n"
	"fldz; fld1; xor %eax, %eax; fcmove %st(1), %st\n"
	"fstpl 0x2d8(%rbx); fstp %st(0)\n"
	"fldz; fld1; cmp $1, %eax; fcmovnb %st(1), %st\n"
	"fstpl 0x2e0(%rbx); fstp %st(0)\n"
	"fninit; fld1; fld1; fld1; fld1; fld1; fld1; fld1; fld1; fld1\n"
	"fnstsw 0x2e8(%rbx); fstpl 0x2f0(%rbx)\n"
	"fninit; fstpl 0x2f8(%rbx); fnstsw 0x300(%rbx)\n"
	"fninit; fadd %st(1), %st; fnstsw 0x302(%rbx)\n"
	"fninit; flds 0x58(%rbx); fnstsw 0x304(%rbx); fstpl 0x328(%rbx)\n"
	"fldl 0x00(%rbx); fldl 0x08(%rbx); ffree %st(1); fincstp\n"
	"fdecstp; fxch %st(2)\n"
	"fnstenv 0x308(%rbx); fldcw 0x60(%rbx)\n"
	"fldl 0x10(%rbx); fnsave 0xa00(%rbx); frstor 0xa00(%rbx)\n"
	"fnsave 0xa80(%rbx)");

/* Byte ranges that differ by nature: FIP/FCS/FOP/FDP/FDS. */
static const size_t x87_skip[] = {
	0x314, 16, 0xa0c, 16, 0xa8c, 16, 0, 0
};

#define SSE_OP(op, src, dst, off)					\
	"movapd " dst "_IN, %xmm2; " op " " src ", %xmm2; "		\
	"movupd %xmm2, " #off "(%rbx)\n"

SNIPPET(sse_fp,
	"fninit; fldz; fldz; fldz; fldz; fldz; fldz; fldz; fldz\n"
	"fninit; ldmxcsr 0x70(%rbx)\n"
	".irp r,5,6,7,8,9,10,11,12,13,14,15\n"
	"pxor %xmm\\r, %xmm\\r\n"
	".endr\n"
	"movapd 0xa0(%rbx), %xmm0; movapd 0xb0(%rbx), %xmm1\n"
	"movaps 0xc0(%rbx), %xmm3; movaps 0xd0(%rbx), %xmm4\n"
	"movapd %xmm0, %xmm2; addpd %xmm1, %xmm2; movapd %xmm2, 0x100(%rbx)\n"
	"movapd %xmm0, %xmm2; subpd 0xb0(%rbx), %xmm2\n"
	"movupd %xmm2, 0x110(%rbx)\n"
	"movapd %xmm0, %xmm2; mulpd %xmm1, %xmm2; movapd %xmm2, 0x120(%rbx)\n"
	"movapd %xmm0, %xmm2; divpd %xmm1, %xmm2; movapd %xmm2, 0x130(%rbx)\n"
	"stmxcsr 0x140(%rbx); ldmxcsr 0x70(%rbx)\n"
	"movapd %xmm0, %xmm2; minpd %xmm1, %xmm2; movapd %xmm2, 0x150(%rbx)\n"
	"movapd %xmm0, %xmm2; maxpd %xmm1, %xmm2; movapd %xmm2, 0x160(%rbx)\n"
	"sqrtpd %xmm0, %xmm2; movapd %xmm2, 0x170(%rbx)\n"
	"stmxcsr 0x180(%rbx); ldmxcsr 0x70(%rbx)\n"
	"movaps %xmm3, %xmm2; addps %xmm4, %xmm2; movaps %xmm2, 0x190(%rbx)\n"
	"movaps %xmm3, %xmm2; subps %xmm4, %xmm2; movaps %xmm2, 0x1a0(%rbx)\n"
	"movaps %xmm3, %xmm2; mulps %xmm4, %xmm2; movaps %xmm2, 0x1b0(%rbx)\n"
	"movaps %xmm3, %xmm2; divps %xmm4, %xmm2; movaps %xmm2, 0x1c0(%rbx)\n"
	"movaps %xmm3, %xmm2; minps %xmm4, %xmm2; movaps %xmm2, 0x1d0(%rbx)\n"
	"movaps %xmm4, %xmm2; maxps %xmm3, %xmm2; movaps %xmm2, 0x1e0(%rbx)\n"
	"sqrtps %xmm4, %xmm2; movaps %xmm2, 0x1f0(%rbx)\n"
	"rcpps %xmm4, %xmm2; movaps %xmm2, 0x200(%rbx)\n"
	"rsqrtss %xmm4, %xmm2; movaps %xmm2, 0x210(%rbx)\n"
	"stmxcsr 0x220(%rbx); ldmxcsr 0x70(%rbx)\n"
	"movaps %xmm3, %xmm2; addss %xmm4, %xmm2; movaps %xmm2, 0x230(%rbx)\n"
	"movaps %xmm3, %xmm2; divss 0xd4(%rbx), %xmm2\n"
	"movaps %xmm2, 0x240(%rbx)\n"
	"movapd %xmm0, %xmm2; mulsd 0x10(%rbx), %xmm2\n"
	"movapd %xmm2, 0x250(%rbx)\n"
	"movapd %xmm0, %xmm2; sqrtsd %xmm1, %xmm2; movapd %xmm2, 0x260(%rbx)\n"
	"movapd %xmm0, %xmm2; subsd %xmm1, %xmm2; movapd %xmm2, 0x270(%rbx)\n"
	"stmxcsr 0x280(%rbx); ldmxcsr 0x70(%rbx)\n"
	".irp k,0,1,2,3,4,5,6,7\n"
	"movaps %xmm3, %xmm2; cmpps $\\k, %xmm4, %xmm2\n"
	"movaps %xmm2, 0x290+16*\\k(%rbx)\n"
	"movapd %xmm0, %xmm2; cmppd $\\k, %xmm1, %xmm2\n"
	"movapd %xmm2, 0x310+16*\\k(%rbx)\n"
	"movaps %xmm3, %xmm2; cmpss $\\k, 0xc8(%rbx), %xmm2\n"
	"movaps %xmm2, 0x390+16*\\k(%rbx)\n"
	"movapd %xmm1, %xmm2; cmpsd $\\k, %xmm0, %xmm2\n"
	"movapd %xmm2, 0x410+16*\\k(%rbx)\n"
	".endr\n"
	"stmxcsr 0x490(%rbx); ldmxcsr 0x70(%rbx)\n"
	"comisd %xmm1, %xmm0; pushfq; pop %rax; and $0x8d5, %eax\n"
	"mov %eax, 0x494(%rbx)\n"
	"movsd 0x50(%rbx), %xmm6; ucomisd %xmm6, %xmm0; pushfq; pop %rax\n"
	"and $0x8d5, %eax; mov %eax, 0x498(%rbx)\n"
	"comiss %xmm4, %xmm3; pushfq; pop %rax; and $0x8d5, %eax\n"
	"mov %eax, 0x49c(%rbx)\n"
	"ucomiss 0xd8(%rbx), %xmm3; pushfq; pop %rax; and $0x8d5, %eax\n"
	"mov %eax, 0x4a0(%rbx)\n"
	"stmxcsr 0x4a4(%rbx); ldmxcsr 0x70(%rbx)\n"
	"cvtsd2si 0x10(%rbx), %rax; mov %rax, 0x4a8(%rbx)\n"
	"cvttsd2si 0x00(%rbx), %eax; mov %eax, 0x4b0(%rbx)\n"
	"cvtsd2si %xmm0, %eax; mov %eax, 0x4b4(%rbx)\n"
	"cvtss2si %xmm4, %rax; mov %rax, 0x4b8(%rbx)\n"
	"cvttss2si 0x5c(%rbx), %eax; mov %eax, 0x4c0(%rbx)\n"
	"ldmxcsr 0x74(%rbx); cvtsd2si %xmm0, %rax; mov %rax, 0x4c8(%rbx)\n"
	"cvtps2dq 0xd0(%rbx), %xmm2; movdqa %xmm2, 0x4d0(%rbx)\n"
	"ldmxcsr 0x78(%rbx); cvtsd2si %xmm0, %rax; mov %rax, 0x4e0(%rbx)\n"
	"cvtpd2dq %xmm0, %xmm2; movdqa %xmm2, 0x4f0(%rbx)\n"
	"ldmxcsr 0x7c(%rbx); cvtsd2ss 0x10(%rbx), %xmm7\n"
	"movaps %xmm7, 0x500(%rbx); stmxcsr 0x510(%rbx)\n"
	"ldmxcsr 0x70(%rbx)\n"
	"mov $-12345678901, %rax; cvtsi2sd %rax, %xmm7; cvtsi2ss %eax, %xmm8\n"
	"cvtsi2sdl 0x24(%rbx), %xmm9; cvtsi2ssq %rax, %xmm10\n"
	"movapd %xmm7, 0x520(%rbx); movaps %xmm8, 0x530(%rbx)\n"
	"movapd %xmm9, 0x540(%rbx); movaps %xmm10, 0x550(%rbx)\n"
	"cvtss2sd 0x20(%rbx), %xmm10; movapd %xmm10, 0x560(%rbx)\n"
	"cvtsd2ss %xmm0, %xmm11; movaps %xmm11, 0x570(%rbx)\n"
	"cvtdq2ps 0xe0(%rbx), %xmm2; movaps %xmm2, 0x580(%rbx)\n"
	"cvttps2dq 0xc0(%rbx), %xmm2; movaps %xmm2, 0x590(%rbx)\n"
	"cvtdq2pd 0xe0(%rbx), %xmm2; movaps %xmm2, 0x5a0(%rbx)\n"
	"cvttpd2dq %xmm0, %xmm2; movaps %xmm2, 0x5b0(%rbx)\n"
	"cvtps2pd 0xc0(%rbx), %xmm2; movaps %xmm2, 0x5c0(%rbx)\n"
	"cvtpd2ps %xmm0, %xmm2; movaps %xmm2, 0x5d0(%rbx)\n"
	"stmxcsr 0x5e0(%rbx)\n"
	"ldmxcsr 0x80(%rbx); movsd 0x48(%rbx), %xmm12\n"
	"mulsd 0x00(%rbx), %xmm12; movsd %xmm12, 0x5e8(%rbx)\n"
	"stmxcsr 0x5f0(%rbx); ldmxcsr 0x70(%rbx)\n"
	"movsd 0x48(%rbx), %xmm12; mulsd 0x00(%rbx), %xmm12\n"
	"movsd %xmm12, 0x5f8(%rbx); stmxcsr 0x600(%rbx)\n"
	"movaps %xmm3, %xmm2; shufps $0x1b, %xmm4, %xmm2\n"
	"movaps %xmm2, 0x610(%rbx)\n"
	"movapd %xmm0, %xmm2; shufpd $1, %xmm1, %xmm2\n"
	"movapd %xmm2, 0x620(%rbx)\n"
	"movaps %xmm3, %xmm2; unpcklps %xmm4, %xmm2\n"
	"movaps %xmm2, 0x630(%rbx)\n"
	"movaps %xmm3, %xmm2; unpckhps 0xd0(%rbx), %xmm2\n"
	"movaps %xmm2, 0x640(%rbx)\n"
	"movapd %xmm0, %xmm2; unpcklpd %xmm1, %xmm2\n"
	"movapd %xmm2, 0x650(%rbx)\n"
	"movapd %xmm0, %xmm2; unpckhpd %xmm1, %xmm2\n"
	"movapd %xmm2, 0x660(%rbx)\n"
	"movmskps %xmm3, %eax; mov %eax, 0x670(%rbx)\n"
	"movmskpd %xmm0, %rcx; mov %rcx, 0x678(%rbx)\n"
	"movaps %xmm3, %xmm2; andps %xmm4, %xmm2; movaps %xmm2, 0x680(%rbx)\n"
	"movaps %xmm3, %xmm2; andnps %xmm4, %xmm2; movaps %xmm2, 0x690(%rbx)\n"
	"movapd %xmm0, %xmm2; orpd %xmm1, %xmm2; movapd %xmm2, 0x6a0(%rbx)\n"
	"movapd %xmm0, %xmm2; xorpd 0xb0(%rbx), %xmm2\n"
	"movapd %xmm2, 0x6b0(%rbx)\n"
	"movaps %xmm3, %xmm2; movss %xmm4, %xmm2; movaps %xmm2, 0x6c0(%rbx)\n"
	"movaps %xmm3, %xmm2; movss 0xd4(%rbx), %xmm2\n"
	"movaps %xmm2, 0x6d0(%rbx); movss %xmm4, 0x6e0(%rbx)\n"
	"movapd %xmm0, %xmm2; movsd %xmm1, %xmm2; movapd %xmm2, 0x6f0(%rbx)\n"
	"movsd 0x08(%rbx), %xmm2; movapd %xmm2, 0x700(%rbx)\n"
	"movsd %xmm0, 0x710(%rbx)\n"
	"movaps %xmm3, %xmm2; movlps 0xa0(%rbx), %xmm2; movhps 0xb0(%rbx), %xmm2\n"
	"movaps %xmm2, 0x720(%rbx); movhps %xmm2, 0x730(%rbx)\n"
	"movlps %xmm2, 0x738(%rbx)\n"
	"movaps %xmm3, %xmm2; movhlps %xmm4, %xmm2; movaps %xmm2, 0x740(%rbx)\n"
	"movaps %xmm3, %xmm2; movlhps %xmm4, %xmm2; movaps %xmm2, 0x750(%rbx)\n"
	"movapd %xmm0, %xmm2; movlpd 0xb8(%rbx), %xmm2\n"
	"movhpd 0x08(%rbx), %xmm2; movapd %xmm2, 0x760(%rbx)\n"
	"movhpd %xmm2, 0x770(%rbx); movlpd %xmm2, 0x778(%rbx)\n"
	"movd %xmm3, %eax; mov %eax, 0x780(%rbx); movd %eax, %xmm2\n"
	"movdqa %xmm2, 0x790(%rbx); movq %xmm0, %rax; mov %rax, 0x7a0(%rbx)\n"
	"movq %rax, %xmm2; movdqa %xmm2, 0x7b0(%rbx)\n"
	"movq %xmm3, %xmm2; movdqa %xmm2, 0x7c0(%rbx)\n"
	"movq 0xa8(%rbx), %xmm2; movdqa %xmm2, 0x7d0(%rbx)\n"
	"movq %xmm4, 0x7e0(%rbx); movd 0xc4(%rbx), %xmm2\n"
	"movdqu %xmm2, 0x7e8(%rbx); movd %xmm4, 0x7f8(%rbx)\n"
	"movnti %rax, 0x800(%rbx); movntps %xmm3, 0x810(%rbx)\n"
	"movntdq %xmm4, 0x820(%rbx); movdqu 0xa8(%rbx), %xmm2\n"
	"movups %xmm2, 0x831(%rbx); sfence; lfence; mfence\n"
	"prefetcht0 (%rbx); prefetchnta 0x40(%rbx); clflush 0x80(%rbx)\n"
	"fxsave 0xc00(%rbx)");

static const size_t sse_skip[] = { 0xc08, 16, 0xc1c, 4, 0, 0 };

#define PINT(op)							\
	"movdqa 0xe0(%rbx), %xmm0; " op " 0xf0(%rbx), %xmm0\n"		\
	"movdqa %xmm0, pi_off(%rbx)\n.set pi_off, pi_off+16\n"
#define PINT_R(op)							\
	"movdqa 0xf0(%rbx), %xmm0; " op ", %xmm0\n"			\
	"movdqa %xmm0, pi_off(%rbx)\n.set pi_off, pi_off+16\n"

SNIPPET(sse_int,
	".set pi_off, 0x100\n"
	PINT("paddb") PINT("paddw") PINT("paddd") PINT("paddq")
	PINT("psubb") PINT("psubw") PINT("psubd") PINT("psubq")
	PINT("paddsb") PINT("paddsw") PINT("psubsb") PINT("psubsw")
	PINT("paddusb") PINT("paddusw") PINT("psubusb") PINT("psubusw")
	PINT("pmullw") PINT("pmulhw") PINT("pmulhuw") PINT("pmuludq")
	PINT("pmaddwd") PINT("pand") PINT("pandn") PINT("por") PINT("pxor")
	PINT("pcmpeqb") PINT("pcmpeqw") PINT("pcmpeqd") PINT("pcmpgtb")
	PINT("pcmpgtw") PINT("pcmpgtd") PINT("pavgb") PINT("pavgw")
	PINT("pminub") PINT("pmaxub") PINT("pminsw") PINT("pmaxsw")
	PINT("psadbw") PINT("packsswb") PINT("packssdw") PINT("packuswb")
	PINT("punpcklbw") PINT("punpcklwd") PINT("punpckldq")
	PINT("punpcklqdq") PINT("punpckhbw") PINT("punpckhwd")
	PINT("punpckhdq") PINT("punpckhqdq")
	PINT("psllw") PINT("pslld") PINT("psllq") PINT("psrlw")
	PINT("psrld") PINT("psrlq") PINT("psraw") PINT("psrad")
	PINT_R("psllw 0x90(%rbx)") PINT_R("psrad 0x90(%rbx)")
	PINT_R("psllw $3") PINT_R("pslld $31") PINT_R("psllq $33")
	PINT_R("psrlw $15") PINT_R("psrld $7") PINT_R("psrlq $64")
	PINT_R("psraw $9") PINT_R("psrad $40")
	PINT_R("pslldq $3") PINT_R("psrldq $5") PINT_R("pslldq $17")
	PINT_R("pshufd $0x1b, %xmm0") PINT_R("pshuflw $0x39, %xmm0")
	PINT_R("pshufhw $0x8d, %xmm0")
	"pextrw $5, %xmm0, %eax; mov %eax, 0x600(%rbx)\n"
	"pinsrw $3, 0x28(%rbx), %xmm0; pinsrw $6, %eax, %xmm0\n"
	"movdqa %xmm0, 0x610(%rbx)\n"
	"pmovmskb %xmm0, %eax; mov %eax, 0x620(%rbx)\n"
	"fninit\n"
	".irp r,0,1,2,3,4,5,6,7\n"
	"movq 0xe0+\\r*2(%rbx), %mm\\r\n"
	".endr\n"
	"movq 0xe0(%rbx), %mm0; movq 0xe8(%rbx), %mm1\n"
	"paddb %mm1, %mm0; movq %mm0, 0x628(%rbx)\n"
	"pmullw 0xf0(%rbx), %mm1; movq %mm1, 0x630(%rbx)\n"
	"psrlq $4, %mm1; movq %mm1, 0x638(%rbx)\n"
	"punpcklbw 0xf0(%rbx), %mm1; movq %mm1, 0x640(%rbx)\n"
	"pshufw $0x4e, %mm1, %mm2; movq %mm2, 0x648(%rbx)\n"
	"pmovmskb %mm2, %eax; mov %eax, 0x650(%rbx)\n"
	"pextrw $2, %mm2, %ecx; mov %ecx, 0x654(%rbx)\n"
	"mov $0x12345678, %eax; movd %eax, %mm3; movq %mm3, 0x658(%rbx)\n"
	"movq2dq %mm2, %xmm5; movdqa %xmm5, 0x660(%rbx)\n"
	"movdq2q %xmm0, %mm4; movq %mm4, %rax; mov %rax, 0x670(%rbx)\n"
	"fnstenv 0x680(%rbx); emms; fnstenv 0x6a0(%rbx)\n"
	"fldcw 0x60(%rbx)\n"
	"movd %mm3, %ecx; mov %ecx, 0x6c0(%rbx)\n"
	"movq 0xe0(%rbx), %mm0; movq 0xf0(%rbx), %mm1\n"
	"lea 0x6c8(%rbx), %rdi; maskmovq %mm1, %mm0; movntq %mm1, 0x6d0(%rbx)\n"
	"movdqa 0xe0(%rbx), %xmm0; lea 0x6e0(%rbx), %rdi\n"
	"maskmovdqu %xmm0, %xmm0\n"
	"cvtpi2ps %mm1, %xmm0; movdqa %xmm0, 0x6f0(%rbx)\n"
	"cvtpi2pd 0xe8(%rbx), %xmm0; movdqa %xmm0, 0x700(%rbx)\n"
	"cvtps2pi 0xd0(%rbx), %mm2; movq %mm2, 0x710(%rbx)\n"
	"cvttps2pi 0xc0(%rbx), %mm2; movq %mm2, 0x718(%rbx)\n"
	"cvtpd2pi 0xa0(%rbx), %mm2; movq %mm2, 0x720(%rbx)\n"
	"cvttpd2pi 0xa0(%rbx), %mm2; movq %mm2, 0x728(%rbx)\n"
	"stmxcsr 0x730(%rbx); emms");

static const size_t int_skip[] = { 0x68c, 16, 0x6ac, 16, 0, 0 };

/* ---- the checks ---- */

static void differential(const uint8_t *code, size_t len, const size_t *skip)
{
	static uint8_t host[DATA_SIZE] __attribute__((aligned(64)));
	struct tguest g;
	int vec;

	fg_create(&g);
	init_data(host);
	tg_put(&g, TG_DATA, host, DATA_SIZE);
	vec = fg_run(&g, code, len, host);
	if (vec >= 0)
		fail_msg("guest raised exception %d", vec);
	fg_host_run(code, host);
	fg_compare(g.mem + TG_DATA, host, 0, DATA_SIZE, skip);
	/* the snippet did store its results (not both sides untouched) */
	init_data(host);
	assert_memory_not_equal(g.mem + TG_DATA + 0x100, host + 0x100, 0x100);
	tg_destroy(&g);
}

static void test_x87_vs_host(void **state)
{
	(void)state;
	differential(SNIP(x87_arith), x87_skip);
}

static void test_sse_fp_vs_host(void **state)
{
	(void)state;
	differential(SNIP(sse_fp), sse_skip);
}

static void test_sse_int_vs_host(void **state)
{
	(void)state;
	differential(SNIP(sse_int), int_skip);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_x87_vs_host),
		cmocka_unit_test(test_sse_fp_vs_host),
		cmocka_unit_test(test_sse_int_vs_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
