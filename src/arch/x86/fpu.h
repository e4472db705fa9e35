/* SPDX-License-Identifier: MIT */
/*
 * x87 and SSE internals shared by exec_fpu*.c, exec_sse*.c and fpu_host.c.
 *
 * Floating-point arithmetic is done by the host FPU: kvmu runs on x86-64,
 * where long double is the x87 80-bit format and float/double are the SSE
 * formats, so the host computes bit-exact results (rounding, precision
 * control, NaN propagation, DAZ/FTZ, the exception flags) when it runs the
 * same operation under the guest's FCW or MXCSR with every exception
 * masked.  fpu_host.c is the only file that knows this; a port to another
 * host replaces it with a soft-float implementation of the same functions.
 */
#ifndef KVMU_X86_FPU_H
#define KVMU_X86_FPU_H

#include <string.h>

#include "arch/x86/cpu.h"

/* FSW bits. */
#define FSW_IE	0x0001
#define FSW_DE	0x0002
#define FSW_ZE	0x0004
#define FSW_OE	0x0008
#define FSW_UE	0x0010
#define FSW_PE	0x0020
#define FSW_SF	0x0040
#define FSW_ES	0x0080
#define FSW_C0	0x0100
#define FSW_C1	0x0200
#define FSW_C2	0x0400
#define FSW_TOP	0x3800
#define FSW_C3	0x4000
#define FSW_B	0x8000
#define FSW_EXC	0x003f
#define FSW_CC	(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)
/* Exceptions detected before the result exists: the destination is kept. */
#define FSW_PRE	(FSW_IE | FSW_DE | FSW_ZE)

/* Tags of the full tag word. */
enum { TAG_VALID, TAG_ZERO, TAG_SPECIAL, TAG_EMPTY };

/* MXCSR bits. */
#define MXCSR_IE	0x0001
#define MXCSR_DE	0x0002
#define MXCSR_ZE	0x0004
#define MXCSR_FLAGS	0x003f
#define MXCSR_DAZ	0x0040
#define MXCSR_MASKS	0x1f80
#define MXCSR_RC	0x6000
#define MXCSR_FTZ	0x8000
#define MXCSR_MASK	0xffffu	/* MXCSR_MASK of FXSAVE: DAZ supported */
#define MXCSR_PRE	(MXCSR_IE | MXCSR_DE | MXCSR_ZE)

#define FCW_INIT	0x037f
#define MXCSR_INIT	0x1f80

/* ---- fpu_host.c: x87 operations on the host FPU ---- */

/* Binary x87 operations: st0 = a op b, results in *r. */
enum fh_op {
	FH_ADD, FH_SUB, FH_SUBR, FH_MUL, FH_DIV, FH_DIVR,
	FH_PREM, FH_PREM1, FH_SCALE,	/* st0 op st1, st1 kept */
	FH_PATAN, FH_YL2X, FH_YL2XP1,	/* st1 op st0, popped: result */
	FH_COM, FH_UCOM,		/* compare: only the flags */
};
/* Unary x87 operations on st0. */
enum fh_un {
	FH_SQRT, FH_RNDINT, FH_SIN, FH_COS, FH_F2XM1,
	FH_LD1, FH_LDL2T, FH_LDL2E, FH_LDPI, FH_LDLG2, FH_LDLN2, FH_LDZ,
};

/*
 * Each returns the host FSW after the operation (exception flags, C0-C3)
 * run with control word cw with every exception masked.
 */
u16 fh_bin(int op, u16 cw, long double a, long double b, long double *r);
u16 fh_un(int op, u16 cw, long double a, long double *r);
u16 fh_xtract(u16 cw, long double a, long double *sig, long double *exp);
u16 fh_ptan(u16 cw, long double a, long double *tan);
u16 fh_sincos(u16 cw, long double a, long double *s, long double *c);
/* Loads and stores with format conversion (size 4 or 8 bytes, float). */
u16 fh_load_float(u16 cw, const void *mem, int size, long double *r);
u16 fh_store_float(u16 cw, long double a, void *mem, int size);
/* Integer stores (size 2, 4, 8); trunc: FISTTP. */
u16 fh_store_int(u16 cw, long double a, void *mem, int size, bool trunc);

/* ---- fpu_host.c: SSE operations on the host ---- */

/* Operations with a 128-bit destination and source (xmm, xmm). */
enum sh_op {
	SH_ADDPS, SH_ADDPD, SH_ADDSS, SH_ADDSD,
	SH_SUBPS, SH_SUBPD, SH_SUBSS, SH_SUBSD,
	SH_MULPS, SH_MULPD, SH_MULSS, SH_MULSD,
	SH_DIVPS, SH_DIVPD, SH_DIVSS, SH_DIVSD,
	SH_MINPS, SH_MINPD, SH_MINSS, SH_MINSD,
	SH_MAXPS, SH_MAXPD, SH_MAXSS, SH_MAXSD,
	SH_SQRTPS, SH_SQRTPD, SH_SQRTSS, SH_SQRTSD,
	SH_CVTSS2SD, SH_CVTSD2SS, SH_CVTDQ2PS, SH_CVTPS2DQ, SH_CVTTPS2DQ,
	SH_CVTDQ2PD, SH_CVTPD2DQ, SH_CVTTPD2DQ, SH_CVTPS2PD, SH_CVTPD2PS,
	SH_RCPPS, SH_RCPSS, SH_RSQRTPS, SH_RSQRTSS,
	SH_NR_OPS
};
/* Compares: pred 0-7 (EQ LT LE UNORD NEQ NLT NLE ORD). */
enum sh_cmp { SH_CMPPS, SH_CMPPD, SH_CMPSS, SH_CMPSD };
/* COMISS/UCOMISS/COMISD/UCOMISD: RFLAGS ZF/PF/CF in *rflags. */
enum sh_comi { SH_COMISS, SH_UCOMISS, SH_COMISD, SH_UCOMISD };

/* Each returns the host MXCSR flags (bits 0-5) of the operation. */
u32 sh_op(int op, u32 mxcsr, u8 d[16], const u8 s[16]);
u32 sh_cmp(int op, int pred, u32 mxcsr, u8 d[16], const u8 s[16]);
u32 sh_comi(int op, u32 mxcsr, const u8 a[16], const u8 b[16],
	    u64 *rflags);
/* CVT(T)SS2SI/CVT(T)SD2SI: dbl selects SD, size 4/8 the integer. */
u32 sh_cvt2si(bool dbl, bool trunc, int size, u32 mxcsr, const u8 s[16],
	      u64 *out);
/* CVTSI2SS/CVTSI2SD of a size 4/8 integer into the low element of d. */
u32 sh_cvtsi2(bool dbl, int size, u32 mxcsr, u64 v, u8 d[16]);

/* ---- the x87 register stack ---- */

union fpu_ld80 {
	long double ld;
	u8 b[16];
};

static inline int fpu_top(const struct x86_fpu_state *f)
{
	return (f->fsw >> 11) & 7;
}

static inline int st_phys(const struct x86_fpu_state *f, int i)
{
	return (fpu_top(f) + i) & 7;
}

static inline int st_tag(const struct x86_fpu_state *f, int i)
{
	return (f->ftw >> (2 * st_phys(f, i))) & 3;
}

static inline void st_set_tag(struct x86_fpu_state *f, int i, int tag)
{
	int p = 2 * st_phys(f, i);

	f->ftw = (u16)((f->ftw & ~(3u << p)) | ((unsigned)tag << p));
}

static inline bool st_empty(const struct x86_fpu_state *f, int i)
{
	return st_tag(f, i) == TAG_EMPTY;
}

static inline long double st_from_bytes(const u8 *p)
{
	union fpu_ld80 u = { 0 };

	memcpy(u.b, p, 10);
	return u.ld;
}

static inline long double st_get(const struct x86_fpu_state *f, int i)
{
	return st_from_bytes(f->st[st_phys(f, i)]);
}

/* Tag of a register value (its 80 bits), as FXRSTOR recomputes it. */
int fpu_classify_tag(const u8 st[10]);

static inline void st_set(struct x86_fpu_state *f, int i, long double v)
{
	union fpu_ld80 u = { .ld = v };
	u8 *p = f->st[st_phys(f, i)];

	memcpy(p, u.b, 10);
	st_set_tag(f, i, fpu_classify_tag(p));
}

/* The QNaN "real indefinite" a masked invalid operation produces. */
static inline long double st_indefinite(void)
{
	static const u8 b[10] = { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff };

	return st_from_bytes(b);
}

static inline void fpu_set_top(struct x86_fpu_state *f, int top)
{
	f->fsw = (u16)((f->fsw & ~FSW_TOP) | ((top & 7) << 11));
}

static inline void fpu_push(struct x86_fpu_state *f, long double v)
{
	fpu_set_top(f, fpu_top(f) - 1);
	st_set(f, 0, v);
}

static inline void fpu_pop(struct x86_fpu_state *f)
{
	st_set_tag(f, 0, TAG_EMPTY);
	fpu_set_top(f, fpu_top(f) + 1);
}

/* Recompute FSW.ES and FSW.B from the flags and the masks. */
void fpu_update_es(struct x86_fpu_state *f);

/*
 * Stack underflow (overflow = false) or overflow: IE and SF, C1 tells
 * which.  Returns true when IE is masked: the caller then goes on with
 * the indefinite as its result.
 */
static inline bool stack_fault(struct x86_fpu_state *f, bool overflow)
{
	f->fsw = (u16)((f->fsw & ~FSW_C1) | FSW_IE | FSW_SF |
		       (overflow ? FSW_C1 : 0));
	fpu_update_es(f);
	return f->fcw & FSW_IE;
}

/*
 * Merge the host status sw of an operation: its exception flags, and the
 * condition bits in cc.  Returns true when an unmasked pre-computation
 * exception means the destination must stay as it is; then only those
 * flags are recorded, as the operation did not complete.
 */
static inline bool fpu_merge(struct x86_fpu_state *f, u16 sw, u16 cc)
{
	u16 pre = sw & FSW_PRE;

	if (pre & ~f->fcw) {
		f->fsw |= pre;
	} else {
		f->fsw = (u16)((f->fsw & ~cc) | (sw & cc) | (sw & FSW_EXC));
	}
	fpu_update_es(f);
	return pre & ~f->fcw;
}

/* FNINIT. */
void fpu_init(struct x86_fpu_state *f);

/* A float (m32/m64/m80) or integer (m16/m32/m64) memory source operand,
 * converted to extended precision; *sw gets the conversion's flags. */
enum x86_status fpu_load_mem(struct x86_cpu *cpu, const struct x86_insn *in,
			     const struct x86_operand *op, bool isint,
			     long double *v, u16 *sw);

/*
 * Gates.  fpu_gate_x87: #UD (LOCK), #NM (CR0.EM/TS), then for FPU_ARITH
 * a pending #MF and the FIP/FOP/FDP update.  FPU_CTL is for the control
 * instructions (FN*, FLDCW, FLDENV, FRSTOR), which the SDM lists without
 * #MF: they neither report nor record.  sse_gate: CPUID bit, #UD (EM,
 * OSFXSR, LOCK), #NM (TS).  Return X86_OK or the fault status.
 */
enum { FPU_ARITH, FPU_CTL };
enum x86_status fpu_gate_x87(struct x86_cpu *cpu, const struct x86_insn *in,
			     int kind);
enum x86_status sse_gate(struct x86_cpu *cpu, const struct x86_insn *in,
			 int edx_bit);

#define SSE_BIT	25
#define SSE2_BIT 26
#define FXSR_BIT 24
#define MMX_BIT	23
#define NONE_BIT (-1)	/* no such form: #UD */

/* ---- exec_sse.c: shared SSE helpers ---- */

/* Read operand n (XMM register or memory of the operand's size) as 16
 * bytes, zero-filled; align: m128 must be 16-byte aligned (#GP). */
enum x86_status sse_read(struct x86_cpu *cpu, const struct x86_insn *in,
			 int n, u8 out[16], bool align);
/* Raise #XM (CR4.OSXMMEXCPT) or #UD for unmasked SIMD exceptions in flags
 * after merging them into MXCSR; true when the result must be dropped. */
bool sse_exceptions(struct x86_cpu *cpu, u32 flags, enum x86_status *st);

/* exec_sse_int.c: instructions with XMM or MMX register forms. */
int vec_width(const struct x86_insn *in);	/* 8: MMX, 16: XMM */
/* MMX gate: #UD (feature bit < 0 or clear, EM), #NM (TS), pending #MF;
 * then the x87 to MMX transition (TOP = 0, all registers in use). */
enum x86_status mmx_gate(struct x86_cpu *cpu, const struct x86_insn *in,
			 int bit);
enum x86_status vec_gate(struct x86_cpu *cpu, const struct x86_insn *in,
			 int xmm_bit, int mmx_bit);
/* Register operand contents (8 or 16 bytes); MMX writes set the
 * exponent bits of the aliased x87 register to all ones. */
void vec_get(const struct x86_cpu *cpu, const struct x86_operand *op,
	     u8 *out);
void vec_put(struct x86_cpu *cpu, const struct x86_operand *op,
	     const u8 *v);

/* exec_sse_mov.c: MOVSS/MOVSD (size 4/8) with the feature bit. */
enum x86_status sse_mov_scalar(struct x86_cpu *cpu, const struct x86_insn *in,
			       u32 size, int bit);

/* Whether the linear address of memory operand op is misaligned. */
bool fpu_misaligned(const struct x86_cpu *cpu, const struct x86_insn *in,
		    const struct x86_operand *op, u64 align);

#endif /* KVMU_X86_FPU_H */
