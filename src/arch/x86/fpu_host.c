// SPDX-License-Identifier: MIT
/*
 * Floating-point arithmetic on the host FPU (see fpu.h): each operation
 * runs the very instruction the guest executed, under the guest's FCW or
 * MXCSR with all exceptions masked, and hands back the status flags the
 * host produced.  One asm statement covers "clear flags, operate, read
 * flags" so that the compiler cannot move other floating-point work into
 * the window; the host's own control words are restored afterwards.
 */
#include <string.h>

#include "arch/x86/fpu.h"

#if !defined(__x86_64__)
#error "fpu_host.c computes on the host x87/SSE units: x86-64 hosts only"
#endif

/* ---- x87 ---- */

struct x87_host {
	u16 cw, sw;
	u8 env[28];
};

/* Save the host control word (and status, if it has sticky flags that
 * fnclex would lose), then load the guest's with exceptions masked. */
static void x87_enter(struct x87_host *h, u16 guest_cw)
{
	u16 cw = guest_cw | FSW_EXC;

	asm volatile("fnstcw %0\n\tfnstsw %1" : "=m"(h->cw), "=m"(h->sw));
	if (h->sw & FSW_EXC)
		asm volatile("fnstenv %0" : "=m"(h->env));
	asm volatile("fldcw %0" : : "m"(cw));
}

static void x87_leave(struct x87_host *h)
{
	if (h->sw & FSW_EXC)
		asm volatile("fldenv %0" : : "m"(h->env));
	else
		asm volatile("fnclex\n\tfldcw %0" : : "m"(h->cw));
}

#define X87_BIN(insn)							\
	asm volatile("fnclex\n\t" insn "\n\tfnstsw %[sw]"		\
		     : "+t"(a), [sw] "=m"(sw) : "u"(b))
/* Operations that combine st1 and st0 into st1 and pop. */
#define X87_POP(insn)							\
	asm volatile("fnclex\n\t" insn "\n\tfnstsw %[sw]"		\
		     : "=t"(a), [sw] "=m"(sw) : "0"(a), "u"(b) : "st(1)")

u16 fh_bin(int op, u16 cw, long double a, long double b, long double *r)
{
	struct x87_host h;
	u16 sw = 0;

	x87_enter(&h, cw);
	switch (op) {
	case FH_ADD: X87_BIN("fadd %%st(1), %%st"); break;
	case FH_SUB: X87_BIN("fsub %%st(1), %%st"); break;
	case FH_SUBR: X87_BIN("fsubr %%st(1), %%st"); break;
	case FH_MUL: X87_BIN("fmul %%st(1), %%st"); break;
	case FH_DIV: X87_BIN("fdiv %%st(1), %%st"); break;
	case FH_DIVR: X87_BIN("fdivr %%st(1), %%st"); break;
	case FH_PREM: X87_BIN("fprem"); break;
	case FH_PREM1: X87_BIN("fprem1"); break;
	case FH_SCALE: X87_BIN("fscale"); break;
	case FH_PATAN: X87_POP("fpatan"); break;
	case FH_YL2X: X87_POP("fyl2x"); break;
	case FH_YL2XP1: X87_POP("fyl2xp1"); break;
	case FH_COM:
		asm volatile("fnclex\n\tfcom %%st(1)\n\tfnstsw %0"
			     : "=m"(sw) : "t"(a), "u"(b));
		break;
	case FH_UCOM:
		asm volatile("fnclex\n\tfucom %%st(1)\n\tfnstsw %0"
			     : "=m"(sw) : "t"(a), "u"(b));
		break;
	}
	x87_leave(&h);
	*r = a;
	return sw;
}

#define X87_UN(insn)							\
	asm volatile("fnclex\n\t" insn "\n\tfnstsw %[sw]"		\
		     : "+t"(a), [sw] "=m"(sw))
#define X87_CONST(insn)							\
	asm volatile("fnclex\n\t" insn "\n\tfnstsw %[sw]"		\
		     : "=t"(a), [sw] "=m"(sw))

u16 fh_un(int op, u16 cw, long double a, long double *r)
{
	struct x87_host h;
	u16 sw = 0;

	x87_enter(&h, cw);
	switch (op) {
	case FH_SQRT: X87_UN("fsqrt"); break;
	case FH_RNDINT: X87_UN("frndint"); break;
	case FH_SIN: X87_UN("fsin"); break;
	case FH_COS: X87_UN("fcos"); break;
	case FH_F2XM1: X87_UN("f2xm1"); break;
	case FH_LD1: X87_CONST("fld1"); break;
	case FH_LDL2T: X87_CONST("fldl2t"); break;
	case FH_LDL2E: X87_CONST("fldl2e"); break;
	case FH_LDPI: X87_CONST("fldpi"); break;
	case FH_LDLG2: X87_CONST("fldlg2"); break;
	case FH_LDLN2: X87_CONST("fldln2"); break;
	case FH_LDZ: X87_CONST("fldz"); break;
	}
	x87_leave(&h);
	*r = a;
	return sw;
}

u16 fh_xtract(u16 cw, long double a, long double *sig, long double *exp)
{
	struct x87_host h;
	long double s, e;
	u16 sw;

	x87_enter(&h, cw);
	asm volatile("fnclex\n\tfxtract\n\tfnstsw %[sw]"
		     : "=t"(s), "=u"(e), [sw] "=m"(sw) : "0"(a));
	x87_leave(&h);
	*sig = s;
	*exp = e;
	return sw;
}

/* The caller has excluded |a| >= 2^63, where nothing is pushed. */
u16 fh_ptan(u16 cw, long double a, long double *tan)
{
	struct x87_host h;
	long double one, t;
	u16 sw;

	x87_enter(&h, cw);
	asm volatile("fnclex\n\tfptan\n\tfnstsw %[sw]"
		     : "=t"(one), "=u"(t), [sw] "=m"(sw) : "0"(a));
	x87_leave(&h);
	(void)one;
	*tan = t;
	return sw;
}

u16 fh_sincos(u16 cw, long double a, long double *s, long double *c)
{
	struct x87_host h;
	long double sn, cs;
	u16 sw;

	x87_enter(&h, cw);
	asm volatile("fnclex\n\tfsincos\n\tfnstsw %[sw]"
		     : "=t"(cs), "=u"(sn), [sw] "=m"(sw) : "0"(a));
	x87_leave(&h);
	*s = sn;
	*c = cs;
	return sw;
}

u16 fh_load_float(u16 cw, const void *mem, int size, long double *r)
{
	struct x87_host h;
	long double v;
	float f;
	double d;
	u16 sw;

	x87_enter(&h, cw);
	if (size == 4) {
		memcpy(&f, mem, 4);
		asm volatile("fnclex\n\tflds %[m]\n\tfnstsw %[sw]"
			     : "=t"(v), [sw] "=m"(sw) : [m] "m"(f));
	} else {
		memcpy(&d, mem, 8);
		asm volatile("fnclex\n\tfldl %[m]\n\tfnstsw %[sw]"
			     : "=t"(v), [sw] "=m"(sw) : [m] "m"(d));
	}
	x87_leave(&h);
	*r = v;
	return sw;
}

u16 fh_store_float(u16 cw, long double a, void *mem, int size)
{
	struct x87_host h;
	float f;
	double d;
	u16 sw;

	x87_enter(&h, cw);
	if (size == 4)
		asm volatile("fnclex\n\tfsts %[m]\n\tfnstsw %[sw]"
			     : [m] "=m"(f), [sw] "=m"(sw) : "t"(a));
	else
		asm volatile("fnclex\n\tfstl %[m]\n\tfnstsw %[sw]"
			     : [m] "=m"(d), [sw] "=m"(sw) : "t"(a));
	x87_leave(&h);
	if (size == 4)
		memcpy(mem, &f, 4);
	else
		memcpy(mem, &d, 8);
	return sw;
}

/* "fld %st(0)" duplicates the input so that the popping forms leave the
 * compiler's view of the register stack intact. */
#define X87_IST(insn, var)						\
	asm volatile("fnclex\n\tfld %%st(0)\n\t" insn " %[m]\n\t"	\
		     "fnstsw %[sw]" : [m] "=m"(var), [sw] "=m"(sw) : "t"(a))

u16 fh_store_int(u16 cw, long double a, void *mem, int size, bool trunc)
{
	struct x87_host h;
	s16 w = 0;
	s32 l = 0;
	s64 q = 0;
	u16 sw = 0;

	x87_enter(&h, cw);
	switch (size * 2 + trunc) {
	case 4: X87_IST("fistps", w); break;
	case 5: X87_IST("fisttps", w); break;
	case 8: X87_IST("fistpl", l); break;
	case 9: X87_IST("fisttpl", l); break;
	case 16: X87_IST("fistpll", q); break;
	case 17: X87_IST("fisttpll", q); break;
	}
	x87_leave(&h);
	if (size == 2)
		memcpy(mem, &w, 2);
	else if (size == 4)
		memcpy(mem, &l, 4);
	else
		memcpy(mem, &q, 8);
	return sw;
}

/* ---- SSE ---- */

typedef float v4sf __attribute__((vector_size(16)));

/* The MXCSR the host runs guest work under: guest rounding, DAZ and FTZ,
 * every exception masked, no flags. */
static u32 sse_cw(u32 guest)
{
	return (guest & (MXCSR_RC | MXCSR_DAZ | MXCSR_FTZ)) | MXCSR_MASKS;
}

#define SSE_ASM(insn)							\
	asm volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t" insn		\
		     " %[s], %[d]\n\tstmxcsr %[o]\n\tldmxcsr %[h]"	\
		     : [d] "+x"(d), [o] "=m"(o), [h] "=m"(h)		\
		     : [s] "x"(s), [g] "m"(g))
#define SSE_CASE(op, insn)	case op: SSE_ASM(insn); break

u32 sh_op(int op, u32 mxcsr, u8 dst[16], const u8 src[16])
{
	u32 g = sse_cw(mxcsr), o = 0, h;
	v4sf d, s;

	memcpy(&d, dst, 16);
	memcpy(&s, src, 16);
	switch (op) {
	SSE_CASE(SH_ADDPS, "addps"); SSE_CASE(SH_ADDPD, "addpd");
	SSE_CASE(SH_ADDSS, "addss"); SSE_CASE(SH_ADDSD, "addsd");
	SSE_CASE(SH_SUBPS, "subps"); SSE_CASE(SH_SUBPD, "subpd");
	SSE_CASE(SH_SUBSS, "subss"); SSE_CASE(SH_SUBSD, "subsd");
	SSE_CASE(SH_MULPS, "mulps"); SSE_CASE(SH_MULPD, "mulpd");
	SSE_CASE(SH_MULSS, "mulss"); SSE_CASE(SH_MULSD, "mulsd");
	SSE_CASE(SH_DIVPS, "divps"); SSE_CASE(SH_DIVPD, "divpd");
	SSE_CASE(SH_DIVSS, "divss"); SSE_CASE(SH_DIVSD, "divsd");
	SSE_CASE(SH_MINPS, "minps"); SSE_CASE(SH_MINPD, "minpd");
	SSE_CASE(SH_MINSS, "minss"); SSE_CASE(SH_MINSD, "minsd");
	SSE_CASE(SH_MAXPS, "maxps"); SSE_CASE(SH_MAXPD, "maxpd");
	SSE_CASE(SH_MAXSS, "maxss"); SSE_CASE(SH_MAXSD, "maxsd");
	SSE_CASE(SH_SQRTPS, "sqrtps"); SSE_CASE(SH_SQRTPD, "sqrtpd");
	SSE_CASE(SH_SQRTSS, "sqrtss"); SSE_CASE(SH_SQRTSD, "sqrtsd");
	SSE_CASE(SH_CVTSS2SD, "cvtss2sd"); SSE_CASE(SH_CVTSD2SS, "cvtsd2ss");
	SSE_CASE(SH_CVTDQ2PS, "cvtdq2ps"); SSE_CASE(SH_CVTPS2DQ, "cvtps2dq");
	SSE_CASE(SH_CVTTPS2DQ, "cvttps2dq");
	SSE_CASE(SH_CVTDQ2PD, "cvtdq2pd"); SSE_CASE(SH_CVTPD2DQ, "cvtpd2dq");
	SSE_CASE(SH_CVTTPD2DQ, "cvttpd2dq");
	SSE_CASE(SH_CVTPS2PD, "cvtps2pd"); SSE_CASE(SH_CVTPD2PS, "cvtpd2ps");
	SSE_CASE(SH_RCPPS, "rcpps"); SSE_CASE(SH_RCPSS, "rcpss");
	SSE_CASE(SH_RSQRTPS, "rsqrtps"); SSE_CASE(SH_RSQRTSS, "rsqrtss");
	default:
		return 0;
	}
	memcpy(dst, &d, 16);
	return o & MXCSR_FLAGS;
}

#define CMP_CASES(insn)							\
	SSE_CASE(0, insn " $0,"); SSE_CASE(1, insn " $1,");		\
	SSE_CASE(2, insn " $2,"); SSE_CASE(3, insn " $3,");		\
	SSE_CASE(4, insn " $4,"); SSE_CASE(5, insn " $5,");		\
	SSE_CASE(6, insn " $6,"); SSE_CASE(7, insn " $7,")

u32 sh_cmp(int op, int pred, u32 mxcsr, u8 dst[16], const u8 src[16])
{
	u32 g = sse_cw(mxcsr), o = 0, h;
	v4sf d, s;

	memcpy(&d, dst, 16);
	memcpy(&s, src, 16);
	switch (op) {
	case SH_CMPPS:
		switch (pred & 7) { CMP_CASES("cmpps"); }
		break;
	case SH_CMPPD:
		switch (pred & 7) { CMP_CASES("cmppd"); }
		break;
	case SH_CMPSS:
		switch (pred & 7) { CMP_CASES("cmpss"); }
		break;
	default:
		switch (pred & 7) { CMP_CASES("cmpsd"); }
		break;
	}
	memcpy(dst, &d, 16);
	return o & MXCSR_FLAGS;
}

#define COMI_ASM(insn)							\
	asm volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t" insn		\
		     " %[b], %[a]\n\tsetz %[z]\n\tsetp %[p]\n\t"	\
		     "setc %[c]\n\tstmxcsr %[o]\n\tldmxcsr %[h]"	\
		     : [z] "=r"(z), [p] "=r"(p), [c] "=r"(c),		\
		       [o] "=m"(o), [h] "=m"(h)				\
		     : [a] "x"(va), [b] "x"(vb), [g] "m"(g) : "cc")

u32 sh_comi(int op, u32 mxcsr, const u8 a[16], const u8 b[16], u64 *rflags)
{
	u32 g = sse_cw(mxcsr), o = 0, h;
	u8 z = 0, p = 0, c = 0;
	v4sf va, vb;

	memcpy(&va, a, 16);
	memcpy(&vb, b, 16);
	switch (op) {
	case SH_COMISS: COMI_ASM("comiss"); break;
	case SH_UCOMISS: COMI_ASM("ucomiss"); break;
	case SH_COMISD: COMI_ASM("comisd"); break;
	default: COMI_ASM("ucomisd"); break;
	}
	*rflags = (*rflags & ~X86_ARITH_FLAGS) | (z ? X86_ZF : 0) |
		  (p ? X86_PF_ : 0) | (c ? X86_CF : 0);
	return o & MXCSR_FLAGS;
}

#define CVT2SI_ASM(insn, reg)						\
	asm volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t" insn		\
		     " %[s], %" reg "[r]\n\tstmxcsr %[o]\n\tldmxcsr %[h]" \
		     : [r] "=r"(r), [o] "=m"(o), [h] "=m"(h)		\
		     : [s] "x"(s), [g] "m"(g))

u32 sh_cvt2si(bool dbl, bool trunc, int size, u32 mxcsr, const u8 src[16],
	      u64 *out)
{
	u32 g = sse_cw(mxcsr), o = 0, h;
	u64 r = 0;
	v4sf s;

	memcpy(&s, src, 16);
	switch ((dbl << 2) | (trunc << 1) | (size == 8)) {
	case 0: CVT2SI_ASM("cvtss2si", "k"); break;
	case 1: CVT2SI_ASM("cvtss2si", "q"); break;
	case 2: CVT2SI_ASM("cvttss2si", "k"); break;
	case 3: CVT2SI_ASM("cvttss2si", "q"); break;
	case 4: CVT2SI_ASM("cvtsd2si", "k"); break;
	case 5: CVT2SI_ASM("cvtsd2si", "q"); break;
	case 6: CVT2SI_ASM("cvttsd2si", "k"); break;
	default: CVT2SI_ASM("cvttsd2si", "q"); break;
	}
	*out = size == 8 ? r : (u32)r;
	return o & MXCSR_FLAGS;
}

#define CVTSI2_ASM(insn, reg)						\
	asm volatile("stmxcsr %[h]\n\tldmxcsr %[g]\n\t" insn		\
		     " %" reg "[v], %[d]\n\tstmxcsr %[o]\n\tldmxcsr %[h]" \
		     : [d] "+x"(d), [o] "=m"(o), [h] "=m"(h)		\
		     : [v] "r"(v), [g] "m"(g))

u32 sh_cvtsi2(bool dbl, int size, u32 mxcsr, u64 v, u8 dst[16])
{
	u32 g = sse_cw(mxcsr), o = 0, h;
	v4sf d;

	memcpy(&d, dst, 16);
	switch ((dbl << 1) | (size == 8)) {
	case 0: CVTSI2_ASM("cvtsi2ssl", "k"); break;
	case 1: CVTSI2_ASM("cvtsi2ssq", "q"); break;
	case 2: CVTSI2_ASM("cvtsi2sdl", "k"); break;
	default: CVTSI2_ASM("cvtsi2sdq", "q"); break;
	}
	memcpy(dst, &d, 16);
	return o & MXCSR_FLAGS;
}
