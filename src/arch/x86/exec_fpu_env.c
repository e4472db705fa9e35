// SPDX-License-Identifier: MIT
/*
 * Saving and restoring floating-point state: FNSTENV/FLDENV, FNSAVE/FRSTOR,
 * FXSAVE/FXRSTOR (the 512-byte image, 32- and 64-bit layouts), XSAVE,
 * XSAVEOPT and XRSTOR (standard form, x87 and SSE components), and
 * LDMXCSR/STMXCSR.  Images are built or read whole before anything is
 * committed: a fault on any page of the area leaves memory and registers
 * as they were.  FCS and FDS are stored as zero, as on processors that
 * deprecate them.
 */
#include <string.h>

#include "arch/x86/fpu.h"

#define XFEATURE_X87	1ULL
#define XFEATURE_SSE	2ULL
#define XSAVE_SIZE	576	/* legacy area + header */

static void put16(u8 *p, u64 v) { memcpy(p, &v, 2); }
static void put32(u8 *p, u64 v) { memcpy(p, &v, 4); }
static u16 get16(const u8 *p) { u16 v; memcpy(&v, p, 2); return v; }
static u32 get32(const u8 *p) { u32 v; memcpy(&v, p, 4); return v; }
static u64 get64(const u8 *p) { u64 v; memcpy(&v, p, 8); return v; }

/* The first memory operand of an instruction. */
static const struct x86_operand *mem_op(const struct x86_insn *in)
{
	return &in->op[0];
}

/* Move len bytes between buf and the memory operand, 16 at a time; writes
 * are preceded by a probe of both ends (areas span at most two pages). */
static enum x86_status block_io(struct x86_cpu *cpu, const struct x86_insn *in,
				u8 *buf, u32 len, bool write)
{
	const struct x86_operand *op = mem_op(in);
	u64 ea = x86_ea(cpu, in, op), lin, gpa, m = x86_mask(in->addrsize);
	enum x86_status st;
	u32 off, n;

	if (write) {
		st = x86_seg_linear(cpu, op->seg, ea, len, X86_ACC_WRITE, &lin);
		if (st == X86_OK)
			st = x86_translate(cpu, lin, X86_ACC_WRITE, &gpa);
		if (st == X86_OK)
			st = x86_translate(cpu, lin + len - 1, X86_ACC_WRITE,
					   &gpa);
		if (st != X86_OK)
			return st;
	}
	for (off = 0; off < len; off += n) {
		n = len - off < 16 ? len - off : 16;
		st = write ? x86_write(cpu, op->seg, (ea + off) & m, buf + off, n)
			   : x86_read(cpu, op->seg, (ea + off) & m, buf + off, n);
		if (st != X86_OK)
			return st;
	}
	return X86_OK;
}

/* ---- FNSTENV / FLDENV / FNSAVE / FRSTOR ---- */

static bool real_format(const struct x86_cpu *cpu)
{
	return cpu->mode == X86_MODE_REAL || cpu->mode == X86_MODE_VM86;
}

/* The environment image: 14 bytes (16-bit operand size) or 28. */
static u32 env_store(const struct x86_cpu *cpu, const struct x86_insn *in,
		     u8 *b)
{
	const struct x86_fpu_state *f = &cpu->fpu;
	u64 ip = f->fip, dp = f->fdp;

	if (in->opsize == 2) {
		put16(b, f->fcw);
		put16(b + 2, f->fsw);
		put16(b + 4, f->ftw);
		put16(b + 6, ip);
		put16(b + 8, real_format(cpu) ?
			     ((ip >> 4) & 0xf000) | f->fop : 0);
		put16(b + 10, dp);
		put16(b + 12, real_format(cpu) ? (dp >> 4) & 0xf000 : 0);
		return 14;
	}
	/* reserved upper halves read as ones */
	put32(b, 0xffff0000u | f->fcw);
	put32(b + 4, 0xffff0000u | f->fsw);
	put32(b + 8, 0xffff0000u | f->ftw);
	if (real_format(cpu)) {
		put32(b + 12, 0xffff0000u | (ip & 0xffff));
		put32(b + 16, ((ip & 0xffff0000u) >> 4) | f->fop);
		put32(b + 20, 0xffff0000u | (dp & 0xffff));
		put32(b + 24, (dp & 0xffff0000u) >> 4);
	} else {
		put32(b + 12, ip);
		put32(b + 16, (u32)f->fop << 16);
		put32(b + 20, dp);
		put32(b + 24, 0xffff0000u);
	}
	return 28;
}

/* Tags from a tag word as loaded: only "empty" is taken from memory, the
 * others follow the register contents, as on processors that keep the
 * abridged tag internally. */
static u16 tags_from(const struct x86_fpu_state *f, u16 loaded)
{
	u16 ftw = 0;
	int p, t;

	for (p = 0; p < 8; p++) {
		t = ((loaded >> (2 * p)) & 3) == TAG_EMPTY ?
			    TAG_EMPTY : fpu_classify_tag(f->st[p]);
		ftw |= (u16)(t << (2 * p));
	}
	return ftw;
}

static u32 env_load(struct x86_fpu_state *f, const struct x86_cpu *cpu,
		    const struct x86_insn *in, const u8 *b, u16 *ftw)
{
	bool real = real_format(cpu);

	f->fcw = (u16)((get16(b) & 0x1f7f) | 0x40);
	if (in->opsize == 2) {
		f->fsw = get16(b + 2);
		*ftw = get16(b + 4);
		f->fip = get16(b + 6) | (real ? (u64)(get16(b + 8) & 0xf000)
						<< 4 : 0);
		f->fop = real ? get16(b + 8) & 0x7ff : 0;
		f->fdp = get16(b + 10) | (real ? (u64)(get16(b + 12) & 0xf000)
						 << 4 : 0);
		return 14;
	}
	f->fsw = get16(b + 4);
	*ftw = get16(b + 8);
	if (real) {
		f->fip = (get32(b + 12) & 0xffff) |
			 ((get32(b + 16) << 4) & 0xffff0000u);
		f->fop = get32(b + 16) & 0x7ff;
		f->fdp = (get32(b + 20) & 0xffff) |
			 ((get32(b + 24) << 4) & 0xffff0000u);
	} else {
		f->fip = get32(b + 12);
		f->fop = (get32(b + 16) >> 16) & 0x7ff;
		f->fdp = get32(b + 20);
	}
	return 28;
}

static enum x86_status op_fnstenv(struct x86_cpu *cpu,
				  const struct x86_insn *in)
{
	struct x86_fpu_state *f = &cpu->fpu;
	bool save = in->mnemonic == ZYDIS_MNEMONIC_FNSAVE;
	enum x86_status st;
	u8 b[108];
	u32 n, i;

	st = fpu_gate_x87(cpu, in, FPU_CTL);
	if (st != X86_OK)
		return st;
	n = env_store(cpu, in, b);
	for (i = 0; save && i < 8; i++, n += 10)
		memcpy(b + n, f->st[st_phys(f, (int)i)], 10);
	st = block_io(cpu, in, b, n, true);
	if (st != X86_OK)
		return st;
	if (save) {
		fpu_init(f);
	} else {
		f->fcw |= FSW_EXC;
		fpu_update_es(f);
	}
	return X86_OK;
}

static enum x86_status op_fldenv(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	struct x86_fpu_state *f = &cpu->fpu, nf = cpu->fpu;
	bool rstor = in->mnemonic == ZYDIS_MNEMONIC_FRSTOR;
	enum x86_status st;
	u8 b[108];
	u32 n, i;
	u16 ftw;

	st = fpu_gate_x87(cpu, in, FPU_CTL);
	if (st != X86_OK)
		return st;
	n = in->opsize == 2 ? 14 : 28;
	st = block_io(cpu, in, b, rstor ? n + 80 : n, false);
	if (st != X86_OK)
		return st;
	env_load(&nf, cpu, in, b, &ftw);
	/* the image holds ST(0)..ST(7) relative to the new TOP */
	for (i = 0; rstor && i < 8; i++)
		memcpy(nf.st[st_phys(&nf, (int)i)], b + n + 10 * i, 10);
	nf.ftw = tags_from(&nf, ftw);
	fpu_update_es(&nf);
	*f = nf;
	return X86_OK;
}

/* ---- FXSAVE / FXRSTOR ---- */

static bool wide_ip(const struct x86_insn *in)
{
	return in->mnemonic == ZYDIS_MNEMONIC_FXSAVE64 ||
	       in->mnemonic == ZYDIS_MNEMONIC_FXRSTOR64 ||
	       in->mnemonic == ZYDIS_MNEMONIC_XSAVE64 ||
	       in->mnemonic == ZYDIS_MNEMONIC_XSAVEOPT64 ||
	       in->mnemonic == ZYDIS_MNEMONIC_XRSTOR64;
}

static int nr_xmm(const struct x86_cpu *cpu)
{
	return cpu->mode == X86_MODE_LONG64 ? 16 : 8;
}

/* The x87 part of the legacy area: bytes 0-23 and 32-159. */
static void fx_store_x87(const struct x86_cpu *cpu, const struct x86_insn *in,
			 u8 *b)
{
	const struct x86_fpu_state *f = &cpu->fpu;
	u8 abridged = 0;
	int i;

	for (i = 0; i < 8; i++)
		if (((f->ftw >> (2 * i)) & 3) != TAG_EMPTY)
			abridged |= (u8)(1 << i);
	put16(b, f->fcw);
	put16(b + 2, f->fsw);
	b[4] = abridged;
	b[5] = 0;
	put16(b + 6, f->fop);
	if (wide_ip(in)) {
		memcpy(b + 8, &f->fip, 8);
		memcpy(b + 16, &f->fdp, 8);
	} else {
		put32(b + 8, f->fip);
		put32(b + 12, 0);
		put32(b + 16, f->fdp);
		put32(b + 20, 0);
	}
	for (i = 0; i < 8; i++) {
		memcpy(b + 32 + 16 * i, f->st[st_phys(f, i)], 10);
		memset(b + 42 + 16 * i, 0, 6);
	}
}

static void fx_load_x87(struct x86_fpu_state *f, const struct x86_insn *in,
			const u8 *b)
{
	u16 ftw = 0;
	int i;

	f->fcw = (u16)((get16(b) & 0x1f7f) | 0x40);
	f->fsw = get16(b + 2);
	f->fop = get16(b + 6) & 0x7ff;
	f->fip = wide_ip(in) ? get64(b + 8) : get32(b + 8);
	f->fdp = wide_ip(in) ? get64(b + 16) : get32(b + 16);
	for (i = 0; i < 8; i++)
		memcpy(f->st[st_phys(f, i)], b + 32 + 16 * i, 10);
	for (i = 0; i < 8; i++)
		if (!(b[4] & (1 << i)))
			ftw |= (u16)(TAG_EMPTY << (2 * i));
	f->ftw = tags_from(f, ftw);
	fpu_update_es(f);
}

static enum x86_status fx_gate(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (!x86_has_feature(cpu, 1, 0, 3, FXSR_BIT) || in->lock)
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	if (cpu->cr0 & (X86_CR0_EM | X86_CR0_TS))
		return x86_raise(cpu, X86_NM, X86_NO_ERROR);
	if (fpu_misaligned(cpu, in, mem_op(in), 16))
		return x86_raise(cpu, X86_GP, 0);
	return X86_OK;
}

static enum x86_status op_fxsave(struct x86_cpu *cpu, const struct x86_insn *in)
{
	enum x86_status st = fx_gate(cpu, in);
	u32 n = 160 + 16 * (u32)nr_xmm(cpu);
	u8 b[416];

	if (st != X86_OK)
		return st;
	fx_store_x87(cpu, in, b);
	put32(b + 24, cpu->fpu.mxcsr);
	put32(b + 28, MXCSR_MASK);
	memcpy(b + 160, cpu->fpu.xmm, n - 160);
	return block_io(cpu, in, b, n, true);
}

static enum x86_status op_fxrstor(struct x86_cpu *cpu,
				  const struct x86_insn *in)
{
	enum x86_status st = fx_gate(cpu, in);
	u32 n = 160 + 16 * (u32)nr_xmm(cpu);
	struct x86_fpu_state nf = cpu->fpu;
	u8 b[416];

	if (st != X86_OK)
		return st;
	st = block_io(cpu, in, b, n, false);
	if (st != X86_OK)
		return st;
	if (get32(b + 24) & ~MXCSR_MASK)
		return x86_raise(cpu, X86_GP, 0);
	fx_load_x87(&nf, in, b);
	nf.mxcsr = get32(b + 24);
	memcpy(nf.xmm, b + 160, n - 160);
	cpu->fpu = nf;
	return X86_OK;
}

/* ---- XSAVE / XSAVEOPT / XRSTOR (standard form) ---- */

static enum x86_status xsave_gate(struct x86_cpu *cpu,
				  const struct x86_insn *in, u64 *rfbm)
{
	bool opt = in->mnemonic == ZYDIS_MNEMONIC_XSAVEOPT ||
		   in->mnemonic == ZYDIS_MNEMONIC_XSAVEOPT64;

	if (!x86_has_feature(cpu, 1, 0, 2, 26) ||
	    !(cpu->cr4 & X86_CR4_OSXSAVE) || in->lock ||
	    (opt && !x86_has_feature(cpu, 0xd, 1, 0, 0)))
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	if (cpu->cr0 & X86_CR0_TS)
		return x86_raise(cpu, X86_NM, X86_NO_ERROR);
	if (fpu_misaligned(cpu, in, mem_op(in), 64))
		return x86_raise(cpu, X86_GP, 0);
	*rfbm = cpu->xcr0 & ((cpu->gpr[X86_RDX] << 32) |
			     (u32)cpu->gpr[X86_RAX]);
	return X86_OK;
}

/*
 * XSAVE writes only the parts of the legacy area that RFBM selects, and of
 * the header only XSTATE_BV; XINUSE is reported as 1 for both components,
 * which the architecture permits.  The untouched bytes are read first so
 * that one block write covers the area.
 */
static enum x86_status op_xsave(struct x86_cpu *cpu, const struct x86_insn *in)
{
	enum x86_status st;
	u8 b[XSAVE_SIZE], x87[160];
	u64 rfbm, bv;

	st = xsave_gate(cpu, in, &rfbm);
	if (st != X86_OK)
		return st;
	st = block_io(cpu, in, b, XSAVE_SIZE, false);
	if (st != X86_OK)
		return st;
	if (rfbm & XFEATURE_X87) {
		fx_store_x87(cpu, in, x87);
		memcpy(b, x87, 24);
		memcpy(b + 32, x87 + 32, 128);
	}
	if (rfbm & XFEATURE_SSE) {
		put32(b + 24, cpu->fpu.mxcsr);
		put32(b + 28, MXCSR_MASK);
		memcpy(b + 160, cpu->fpu.xmm, 16 * (size_t)nr_xmm(cpu));
	}
	bv = get64(b + 512) | (rfbm & (XFEATURE_X87 | XFEATURE_SSE));
	memcpy(b + 512, &bv, 8);
	return block_io(cpu, in, b, XSAVE_SIZE, true);
}

static enum x86_status op_xrstor(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	struct x86_fpu_state nf = cpu->fpu;
	enum x86_status st;
	u8 b[XSAVE_SIZE];
	u64 rfbm, bv;

	st = xsave_gate(cpu, in, &rfbm);
	if (st != X86_OK)
		return st;
	st = block_io(cpu, in, b, XSAVE_SIZE, false);
	if (st != X86_OK)
		return st;
	bv = get64(b + 512);
	/* no compacted form; XCOMP_BV and the reserved header bytes are 0 */
	if ((bv & ~cpu->xcr0) || get64(b + 520) || get64(b + 528) ||
	    ((rfbm & XFEATURE_SSE) && (get32(b + 24) & ~MXCSR_MASK)))
		return x86_raise(cpu, X86_GP, 0);
	if (rfbm & XFEATURE_X87) {
		if (bv & XFEATURE_X87) {
			fx_load_x87(&nf, in, b);
		} else {
			fpu_init(&nf);
			memset(nf.st, 0, sizeof(nf.st));
		}
	}
	if (rfbm & XFEATURE_SSE) {
		nf.mxcsr = get32(b + 24);
		if (bv & XFEATURE_SSE)
			memcpy(nf.xmm, b + 160, 16 * (size_t)nr_xmm(cpu));
		else
			memset(nf.xmm, 0, 16 * (size_t)nr_xmm(cpu));
	}
	cpu->fpu = nf;
	return X86_OK;
}

/* ---- MXCSR ---- */

static enum x86_status op_ldmxcsr(struct x86_cpu *cpu,
				  const struct x86_insn *in)
{
	enum x86_status st = sse_gate(cpu, in, SSE_BIT);
	u64 v;

	if (st != X86_OK)
		return st;
	st = x86_op_read(cpu, in, 0, &v);
	if (st != X86_OK)
		return st;
	if (v & ~(u64)MXCSR_MASK)
		return x86_raise(cpu, X86_GP, 0);
	cpu->fpu.mxcsr = (u32)v;
	return X86_OK;
}

static enum x86_status op_stmxcsr(struct x86_cpu *cpu,
				  const struct x86_insn *in)
{
	enum x86_status st = sse_gate(cpu, in, SSE_BIT);

	if (st != X86_OK)
		return st;
	return x86_op_write(cpu, in, 0, cpu->fpu.mxcsr);
}

const struct x86_op_entry x86_ops_fpu_env[] = {
	{ ZYDIS_MNEMONIC_FNSTENV, op_fnstenv },
	{ ZYDIS_MNEMONIC_FNSAVE, op_fnstenv },
	{ ZYDIS_MNEMONIC_FLDENV, op_fldenv },
	{ ZYDIS_MNEMONIC_FRSTOR, op_fldenv },
	{ ZYDIS_MNEMONIC_FXSAVE, op_fxsave },
	{ ZYDIS_MNEMONIC_FXSAVE64, op_fxsave },
	{ ZYDIS_MNEMONIC_FXRSTOR, op_fxrstor },
	{ ZYDIS_MNEMONIC_FXRSTOR64, op_fxrstor },
	{ ZYDIS_MNEMONIC_XSAVE, op_xsave }, { ZYDIS_MNEMONIC_XSAVE64, op_xsave },
	{ ZYDIS_MNEMONIC_XSAVEOPT, op_xsave },
	{ ZYDIS_MNEMONIC_XSAVEOPT64, op_xsave },
	{ ZYDIS_MNEMONIC_XRSTOR, op_xrstor },
	{ ZYDIS_MNEMONIC_XRSTOR64, op_xrstor },
	{ ZYDIS_MNEMONIC_LDMXCSR, op_ldmxcsr },
	{ ZYDIS_MNEMONIC_STMXCSR, op_stmxcsr },
	{ 0, NULL }
};
