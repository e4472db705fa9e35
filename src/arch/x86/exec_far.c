// SPDX-License-Identifier: MIT
/*
 * Far JMP/CALL/RET through code-segment descriptors (for exec_ctl.c's
 * handlers) and the fast system calls SYSCALL/SYSRET/SYSENTER/SYSEXIT.
 * Call gates and task switches report an emulation failure.
 */
#include <string.h>

#include "arch/x86/exec_sys.h"

static enum x86_status gp(struct x86_cpu *cpu, int err)
{
	return x86_raise(cpu, X86_GP, err);
}

static bool real_like(const struct x86_cpu *cpu)
{
	return !(cpu->cr0 & X86_CR0_PE) || (cpu->rflags & X86_VM);
}

/* Check a far JMP/CALL target code segment (same privilege only). */
static enum x86_status far_target(struct x86_cpu *cpu,
				  const struct x86_insn *in, u16 sel,
				  struct x86_seg *cs, u64 *d)
{
	int cpl = x86_cpl(cpu);
	enum x86_status st;

	if (!(sel & ~3))
		return gp(cpu, 0);
	st = x86_read_desc(cpu, sel, d, X86_GP);
	if (st != X86_OK)
		return st;
	x86_desc_to_seg(cs, *d, sel);
	if (!cs->s)
		return x86_emulation_failure(cpu, in);	/* gate or TSS */
	if (!(cs->type & 8))
		return gp(cpu, sel & ~3);
	if ((cs->type & 4) ? cs->dpl > cpl :
			     ((sel & 3) > cpl || cs->dpl != cpl))
		return gp(cpu, sel & ~3);
	if ((cpu->efer & X86_EFER_LMA) && cs->l && cs->db)
		return gp(cpu, sel & ~3);
	if (!cs->present)
		return x86_raise(cpu, X86_NP, sel & ~3);
	cs->sel = (u16)((sel & ~3) | cpl);
	cs->type |= 1;
	return X86_OK;
}

static enum x86_status far_go(struct x86_cpu *cpu, struct x86_seg *cs,
			      u16 sel, u64 d, u64 off, int size)
{
	if (!(cs->l && (cpu->efer & X86_EFER_LMA))) {
		off &= x86_mask(size > 4 ? 4 : size);
		if (off > cs->limit)
			return gp(cpu, 0);
	} else if (!x86_canonical(off)) {
		return gp(cpu, 0);
	}
	x86_desc_set_accessed(cpu, sel, d);
	cpu->rip = off;
	x86_set_cs(cpu, cs);
	return X86_JUMP;
}

static void real_go(struct x86_cpu *cpu, u16 sel, u64 off, int size)
{
	cpu->seg[X86_CS].sel = sel;
	cpu->seg[X86_CS].base = (u64)sel << 4;
	cpu->rip = off & x86_mask(size);
}

enum x86_status x86_far_jmp(struct x86_cpu *cpu, const struct x86_insn *in,
			    u16 sel, u64 off)
{
	struct x86_seg cs;
	enum x86_status st;
	u64 d;

	if (real_like(cpu)) {
		real_go(cpu, sel, off, in->opsize);
		return X86_JUMP;
	}
	st = far_target(cpu, in, sel, &cs, &d);
	if (st != X86_OK)
		return st;
	return far_go(cpu, &cs, sel, d, off, in->opsize);
}

enum x86_status x86_far_call(struct x86_cpu *cpu, const struct x86_insn *in,
			     u16 sel, u64 off)
{
	u64 save = cpu->gpr[X86_RSP], d = 0, next = cpu->rip + in->len;
	int size = in->opsize;
	struct x86_seg cs;
	enum x86_status st;

	if (!real_like(cpu)) {
		st = far_target(cpu, in, sel, &cs, &d);
		if (st != X86_OK)
			return st;
	}
	st = x86_push(cpu, cpu->seg[X86_CS].sel, size);
	if (st == X86_OK)
		st = x86_push(cpu, next, size);
	if (st != X86_OK) {
		cpu->gpr[X86_RSP] = save;
		return st;
	}
	if (real_like(cpu)) {
		real_go(cpu, sel, off, size);
		return X86_JUMP;
	}
	st = far_go(cpu, &cs, sel, d, off, size);
	if (st != X86_JUMP)
		cpu->gpr[X86_RSP] = save;
	return st;
}

static void add_sp(struct x86_cpu *cpu, const struct x86_seg *ss, u64 n)
{
	u64 m = cpu->mode == X86_MODE_LONG64 ? ~0ULL :
		ss->db ? 0xffffffffULL : 0xffffULL;

	cpu->gpr[X86_RSP] = (cpu->gpr[X86_RSP] & ~m) |
			    ((cpu->gpr[X86_RSP] + n) & m);
}

enum x86_status x86_far_ret(struct x86_cpu *cpu, const struct x86_insn *in,
			    u16 imm)
{
	u64 save = cpu->gpr[X86_RSP], ip, sel, sp, ss, d;
	int size = in->opsize, cpl = x86_cpl(cpu), rpl;
	struct x86_seg cs, nss;
	enum x86_status st;

	st = x86_pop(cpu, &ip, size);
	if (st == X86_OK)
		st = x86_pop(cpu, &sel, size);
	if (st != X86_OK)
		goto fail;
	if (real_like(cpu)) {
		real_go(cpu, (u16)sel, ip, size);
		add_sp(cpu, &cpu->seg[X86_SS], imm);
		return X86_JUMP;
	}
	rpl = (int)(sel & 3);
	st = x86_read_desc(cpu, (u16)sel, &d, X86_GP);
	if (st != X86_OK)
		goto fail;
	x86_desc_to_seg(&cs, d, (u16)sel);
	if (!(sel & ~3) || !cs.s || !(cs.type & 8) || rpl < cpl ||
	    ((cs.type & 4) ? cs.dpl > rpl : cs.dpl != rpl)) {
		st = gp(cpu, (int)(sel & ~3));
		goto fail;
	}
	if (!cs.present) {
		st = x86_raise(cpu, X86_NP, (int)(sel & ~3));
		goto fail;
	}
	add_sp(cpu, &cpu->seg[X86_SS], imm);
	if (rpl > cpl) {
		st = x86_pop(cpu, &sp, size);
		if (st == X86_OK)
			st = x86_pop(cpu, &ss, size);
		if (st == X86_OK && !(ss & ~3))
			st = gp(cpu, 0);
		if (st == X86_OK)
			st = x86_read_desc(cpu, (u16)ss, &d, X86_GP);
		if (st != X86_OK)
			goto fail;
		x86_desc_to_seg(&nss, d, (u16)ss);
		if ((ss & 3) != (u64)rpl || !nss.s || (nss.type & 0xa) != 2 ||
		    nss.dpl != rpl || !nss.present) {
			st = gp(cpu, (int)(ss & ~3));
			goto fail;
		}
		cpu->seg[X86_SS] = nss;
		cpu->gpr[X86_RSP] = sp;
		add_sp(cpu, &nss, imm);
	}
	cpu->rip = (cs.l && (cpu->efer & X86_EFER_LMA)) ? ip :
		   ip & x86_mask(size > 4 ? 4 : size);
	x86_set_cs(cpu, &cs);
	return X86_JUMP;
fail:
	cpu->gpr[X86_RSP] = save;
	return st;
}

/* ---- SYSCALL, SYSRET, SYSENTER, SYSEXIT ---- */

static void flat_seg(struct x86_seg *s, u16 sel, bool code, bool l, int dpl)
{
	memset(s, 0, sizeof(*s));
	s->sel = sel;
	s->limit = 0xffffffff;
	s->g = 1;
	s->s = 1;
	s->present = 1;
	s->dpl = (u8)dpl;
	s->type = code ? 11 : 3;
	s->l = l;
	s->db = !l;
}

/*
 * SYSCALL: 64-bit mode always; compatibility and legacy protected mode
 * only with an AMD vendor (Intel: #UD), as KVM's em_syscall.  Long mode
 * enters 64-bit CS at LSTAR (CSTAR from compatibility mode) with R11 =
 * RFLAGS and SFMASK applied; legacy mode enters at STAR[31:0].
 */
enum x86_status x86_h_syscall(struct x86_cpu *cpu, const struct x86_insn *in)
{
	u16 sel = (u16)((cpu->star >> 32) & 0xfffc);
	bool lma = cpu->efer & X86_EFER_LMA;
	bool m64 = cpu->mode == X86_MODE_LONG64;
	struct x86_seg cs;
	u64 next = cpu->rip + in->len;

	if (cpu->mode == X86_MODE_REAL || cpu->mode == X86_MODE_VM86 ||
	    (!m64 && !x86_guest_amd(cpu)) || !(cpu->efer & X86_EFER_SCE))
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	cpu->gpr[X86_RCX] = m64 ? next : (u32)next;
	flat_seg(&cs, sel, true, lma, 0);
	flat_seg(&cpu->seg[X86_SS], (u16)(sel + 8), false, false, 0);
	if (lma) {
		cpu->gpr[X86_R11] = cpu->rflags & ~X86_RF;
		cpu->rflags &= ~(cpu->sfmask | X86_RF);
		cpu->rip = m64 ? cpu->lstar : cpu->cstar;
	} else {
		cpu->rflags &= ~(X86_VM | X86_IF | X86_RF);
		cpu->rip = (u32)cpu->star;
	}
	cpu->rflags |= 2;
	x86_set_cs(cpu, &cs);
	x86_dbg_tf_after(cpu);
	return X86_JUMP;
}

enum x86_status x86_h_sysret(struct x86_cpu *cpu, const struct x86_insn *in)
{
	u16 base = (u16)(cpu->star >> 48);
	bool q = in->opsize == 8;
	struct x86_seg cs;

	if (!(cpu->efer & X86_EFER_SCE) || !(cpu->efer & X86_EFER_LMA))
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	if (x86_cpl(cpu) != 0)
		return gp(cpu, 0);
	if (q && !x86_canonical(cpu->gpr[X86_RCX]))
		return gp(cpu, 0);
	flat_seg(&cs, (u16)((q ? base + 16 : base) | 3), true, q, 3);
	flat_seg(&cpu->seg[X86_SS], (u16)((base + 8) | 3), false, false, 3);
	cpu->rflags = (cpu->gpr[X86_R11] & 0x3c7fd7ULL) | 2;
	cpu->rip = q ? cpu->gpr[X86_RCX] : (u32)cpu->gpr[X86_RCX];
	x86_set_cs(cpu, &cs);
	x86_dbg_tf_after(cpu);
	return X86_JUMP;
}

enum x86_status x86_h_sysenter(struct x86_cpu *cpu,
			       const struct x86_insn *in KVMU_UNUSED)
{
	u16 sel = (u16)(cpu->sysenter_cs & 0xfffc);
	bool lm = cpu->efer & X86_EFER_LMA;
	struct x86_seg cs;

	if (!(cpu->cr0 & X86_CR0_PE) || !sel)
		return gp(cpu, 0);
	cpu->rflags &= ~(X86_VM | X86_IF | X86_RF);
	flat_seg(&cs, sel, true, lm, 0);
	flat_seg(&cpu->seg[X86_SS], (u16)(sel + 8), false, false, 0);
	cpu->gpr[X86_RSP] = lm ? cpu->sysenter_esp : (u32)cpu->sysenter_esp;
	cpu->rip = lm ? cpu->sysenter_eip : (u32)cpu->sysenter_eip;
	x86_set_cs(cpu, &cs);
	return X86_JUMP;
}

enum x86_status x86_h_sysexit(struct x86_cpu *cpu, const struct x86_insn *in)
{
	u16 sel = (u16)(cpu->sysenter_cs & 0xfffc);
	bool q = in->opsize == 8;
	struct x86_seg cs;

	if (!(cpu->cr0 & X86_CR0_PE) || x86_cpl(cpu) != 0 || !sel)
		return gp(cpu, 0);
	if (q && (!x86_canonical(cpu->gpr[X86_RDX]) ||
		  !x86_canonical(cpu->gpr[X86_RCX])))
		return gp(cpu, 0);
	flat_seg(&cs, (u16)((sel + (q ? 32 : 16)) | 3), true, q, 3);
	flat_seg(&cpu->seg[X86_SS], (u16)((sel + (q ? 40 : 24)) | 3), false,
		 false, 3);
	cpu->gpr[X86_RSP] = q ? cpu->gpr[X86_RCX] : (u32)cpu->gpr[X86_RCX];
	cpu->rip = q ? cpu->gpr[X86_RDX] : (u32)cpu->gpr[X86_RDX];
	x86_set_cs(cpu, &cs);
	return X86_JUMP;
}
