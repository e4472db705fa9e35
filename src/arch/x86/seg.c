// SPDX-License-Identifier: MIT
/*
 * Segment descriptors: reading them from the GDT/LDT, loading data and
 * stack segment registers with the checks of the SDM (MOV/POP Sreg, LDS
 * and friends), and far JMP/CALL/RET through code-segment descriptors.
 * Call gates and task switches are not implemented: they report an
 * emulation failure so that a guest needing them is visible.
 */
#include <string.h>

#include "arch/x86/x86_int.h"

#define DESC_S		(1ULL << 44)
#define DESC_P		(1ULL << 47)
#define DESC_L		(1ULL << 53)
#define DESC_DB		(1ULL << 54)

static u8 desc_type(u64 d)
{
	return (u8)((d >> 40) & 15);
}

static u8 desc_dpl(u64 d)
{
	return (u8)((d >> 45) & 3);
}

static enum x86_status desc_addr(struct x86_cpu *cpu, u16 sel, u32 size,
				 int vec, u64 *lin)
{
	const struct x86_dtable *t = &cpu->gdtr;
	struct x86_dtable ldt;
	u32 off = sel & ~7U;

	if (sel & 4) {
		if (cpu->seg[X86_LDTR].unusable)
			return x86_raise(cpu, vec, sel & ~3);
		ldt.base = cpu->seg[X86_LDTR].base;
		ldt.limit = (u16)cpu->seg[X86_LDTR].limit;
		if (cpu->seg[X86_LDTR].limit > 0xffff)
			ldt.limit = 0xffff;
		t = &ldt;
		if (off + size - 1 > cpu->seg[X86_LDTR].limit)
			return x86_raise(cpu, vec, sel & ~3);
	} else if (off + size - 1 > t->limit) {
		return x86_raise(cpu, vec, sel & ~3);
	}
	*lin = t->base + off;
	if (cpu->mode != X86_MODE_LONG64)
		*lin &= 0xffffffffULL;
	return X86_OK;
}

enum x86_status x86_read_desc(struct x86_cpu *cpu, u16 sel, u64 *desc,
			      int vec)
{
	enum x86_status st;
	u64 lin;

	st = desc_addr(cpu, sel, 8, vec, &lin);
	if (st != X86_OK)
		return st;
	return x86_read_lin(cpu, lin, desc, 8, X86_ACC_READ | X86_ACC_IMPLICIT);
}

enum x86_status x86_read_desc16(struct x86_cpu *cpu, u16 sel, u64 d[2],
				int vec)
{
	enum x86_status st;
	u64 lin;

	st = desc_addr(cpu, sel, 16, vec, &lin);
	if (st != X86_OK)
		return st;
	return x86_read_lin(cpu, lin, d, 16, X86_ACC_READ | X86_ACC_IMPLICIT);
}

void x86_desc_to_seg(struct x86_seg *s, u64 d, u16 sel)
{
	u32 limit = (u32)((d & 0xffff) | ((d >> 32) & 0xf0000));

	memset(s, 0, sizeof(*s));
	s->sel = sel;
	s->base = ((d >> 16) & 0xffffff) | (((d >> 56) & 0xff) << 24);
	s->g = (d >> 55) & 1;
	s->limit = s->g ? (limit << 12) | 0xfff : limit;
	s->type = desc_type(d);
	s->s = (d >> 44) & 1;
	s->dpl = desc_dpl(d);
	s->present = (d >> 47) & 1;
	s->avl = (d >> 52) & 1;
	s->l = (d >> 53) & 1;
	s->db = (d >> 54) & 1;
}

void x86_desc_set_accessed(struct x86_cpu *cpu, u16 sel, u64 desc)
{
	u8 b = (u8)(((desc >> 40) & 0xff) | 1);
	u64 lin;

	if (desc & (1ULL << 40))
		return;
	if (desc_addr(cpu, sel, 8, X86_GP, &lin) == X86_OK)
		x86_write_lin(cpu, lin + 5, &b, 1, X86_ACC_IMPLICIT);
}

void x86_set_cs(struct x86_cpu *cpu, const struct x86_seg *cs)
{
	cpu->seg[X86_CS] = *cs;
	x86_update_mode(cpu);
}

static void null_seg(struct x86_cpu *cpu, int sreg, u16 sel)
{
	struct x86_seg *s = &cpu->seg[sreg];

	memset(s, 0, sizeof(*s));
	s->sel = sel;
	s->unusable = 1;
}

/* Protected-mode load of DS/ES/FS/GS/SS (SDM: MOV Sreg). */
static enum x86_status load_prot(struct x86_cpu *cpu, int sreg, u16 sel)
{
	int cpl = x86_cpl(cpu), rpl = sel & 3;
	enum x86_status st;
	u64 d;

	if (!(sel & ~3)) {
		if (sreg == X86_SS && (cpu->mode != X86_MODE_LONG64 ||
				       rpl != cpl))
			return x86_raise(cpu, X86_GP, 0);
		null_seg(cpu, sreg, sel);
		return X86_OK;
	}
	st = x86_read_desc(cpu, sel, &d, X86_GP);
	if (st != X86_OK)
		return st;
	if (sreg == X86_SS) {
		/* writable data, RPL = DPL = CPL */
		if (!(d & DESC_S) || (desc_type(d) & 0xa) != 2 || rpl != cpl ||
		    desc_dpl(d) != cpl)
			return x86_raise(cpu, X86_GP, sel & ~3);
		if (!(d & DESC_P))
			return x86_raise(cpu, X86_SS_VEC, sel & ~3);
	} else {
		u8 t = desc_type(d);

		/* data or readable code; privilege unless conforming code */
		if (!(d & DESC_S) || (t & 0xa) == 8)
			return x86_raise(cpu, X86_GP, sel & ~3);
		if ((!(t & 8) || !(t & 4)) &&
		    (rpl > desc_dpl(d) || cpl > desc_dpl(d)))
			return x86_raise(cpu, X86_GP, sel & ~3);
		if (!(d & DESC_P))
			return x86_raise(cpu, X86_NP, sel & ~3);
	}
	x86_desc_set_accessed(cpu, sel, d);
	x86_desc_to_seg(&cpu->seg[sreg], d | (1ULL << 40), sel);
	return X86_OK;
}

enum x86_status x86_load_seg(struct x86_cpu *cpu, int sreg, u16 sel)
{
	struct x86_seg *s;

	if (sreg == X86_CS || sreg >= X86_TR)
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	if (sreg == X86_SS)
		cpu->interrupt_shadow |= KVM_X86_SHADOW_INT_MOV_SS;
	if (cpu->cr0 & X86_CR0_PE && !(cpu->rflags & X86_VM))
		return load_prot(cpu, sreg, sel);
	/* real and virtual-8086 mode: base = sel << 4, the rest kept */
	s = &cpu->seg[sreg];
	s->sel = sel;
	s->base = (u64)sel << 4;
	if (cpu->rflags & X86_VM) {
		s->limit = 0xffff;
		s->type = 3;
		s->present = s->s = 1;
		s->dpl = 3;
		s->db = s->g = s->l = 0;
		s->unusable = 0;
	}
	return X86_OK;
}
