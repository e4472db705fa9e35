// SPDX-License-Identifier: MIT
/*
 * Control transfers through the system: INT n / INT3 / INTO / INT1, IRET
 * in every mode, PUSHF/POPF with the IOPL rules, LDS and friends, and
 * the segment inspection instructions LAR/LSL/VERR/VERW.
 */
#include <string.h>

#include "arch/x86/exec_sys.h"

static enum x86_status gp0(struct x86_cpu *cpu)
{
	return x86_raise(cpu, X86_GP, 0);
}

static int iopl(const struct x86_cpu *cpu)
{
	return (int)((cpu->rflags & X86_IOPL) >> 12);
}

static enum x86_status soft_int(struct x86_cpu *cpu,
				const struct x86_insn *in, int vector)
{
	enum x86_status st;

	if ((cpu->rflags & X86_VM) && iopl(cpu) < 3)
		return gp0(cpu);
	st = x86_deliver(cpu, vector, X86_NO_ERROR, true, cpu->rip + in->len);
	return st == X86_OK ? X86_JUMP : st;
}

enum x86_status x86_h_int(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return soft_int(cpu, in, (u8)in->op[0].imm);
}

enum x86_status x86_h_int3(struct x86_cpu *cpu, const struct x86_insn *in)
{
	u32 sw = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
	struct kvm_run *run = cpu->run;

	if ((cpu->guest_debug & sw) == sw) {
		/* handle_exception_nmi: #BP to the debugger, RIP at INT3 */
		run->exit_reason = KVM_EXIT_DEBUG;
		run->debug.arch.exception = X86_BP;
		run->debug.arch.pc = cpu->seg[X86_CS].base + cpu->rip;
		return X86_EXIT;
	}
	return soft_int(cpu, in, X86_BP);
}

enum x86_status x86_h_into(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if (!(cpu->rflags & X86_OF_))
		return X86_OK;
	return soft_int(cpu, in, X86_OF);
}

enum x86_status x86_h_int1(struct x86_cpu *cpu, const struct x86_insn *in)
{
	enum x86_status st;

	/* ICEBP: a #DB without the gate DPL check */
	st = x86_deliver(cpu, X86_DB, X86_NO_ERROR, false, cpu->rip + in->len);
	return st == X86_OK ? X86_JUMP : st;
}

/* Flags POPF/IRET may change at the current privilege. */
static u64 flags_mask(const struct x86_cpu *cpu, int size)
{
	u64 m = X86_ARITH_FLAGS | X86_TF | X86_DF_ | X86_NT | X86_AC_ | X86_ID;

	if (!(cpu->cr0 & X86_CR0_PE) || x86_cpl(cpu) == 0)
		m |= X86_IOPL | X86_IF;
	else if (x86_cpl(cpu) <= iopl(cpu))
		m |= X86_IF;
	return m & x86_mask(size);
}

enum x86_status x86_h_pushf(struct x86_cpu *cpu, const struct x86_insn *in)
{
	if ((cpu->rflags & X86_VM) && iopl(cpu) < 3)
		return gp0(cpu);
	return x86_push(cpu, cpu->rflags & ~(X86_VM | X86_RF), in->opsize);
}

enum x86_status x86_h_popf(struct x86_cpu *cpu, const struct x86_insn *in)
{
	enum x86_status st;
	u64 v, m;

	if ((cpu->rflags & X86_VM) && iopl(cpu) < 3)
		return gp0(cpu);
	m = flags_mask(cpu, in->opsize);
	st = x86_pop(cpu, &v, in->opsize);
	if (st != X86_OK)
		return st;
	cpu->rflags = (cpu->rflags & ~m) | (v & m) | 2;
	return X86_OK;
}

/* ---- IRET ---- */

static enum x86_status iret_real(struct x86_cpu *cpu, int size)
{
	enum x86_status st;
	u64 ip, cs, fl, m;

	st = x86_pop(cpu, &ip, size);
	if (st == X86_OK)
		st = x86_pop(cpu, &cs, size);
	if (st == X86_OK)
		st = x86_pop(cpu, &fl, size);
	if (st != X86_OK)
		return st;
	m = flags_mask(cpu, size);
	cpu->rflags = (cpu->rflags & ~m) | (fl & m) | 2;
	cpu->seg[X86_CS].sel = (u16)cs;
	cpu->seg[X86_CS].base = (cs & 0xffff) << 4;
	cpu->rip = ip & x86_mask(size);
	return X86_JUMP;
}

/*
 * Segment registers a return to an outer level must not keep.  In long
 * mode the hardware only nulls the selector and marks the register
 * unusable: the hidden FS/GS bases (loaded by WRMSR) survive, and
 * 64-bit code at CPL 3 keeps using them.
 */
static void drop_inner_segs(struct x86_cpu *cpu, int cpl)
{
	static const int segs[] = { X86_ES, X86_DS, X86_FS, X86_GS };
	bool lma = cpu->efer & X86_EFER_LMA;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		struct x86_seg *s = &cpu->seg[segs[i]];
		u64 base = s->base;

		if (!s->unusable && s->dpl < cpl &&
		    ((s->type & 8) == 0 || !(s->type & 4))) {
			memset(s, 0, sizeof(*s));
			s->unusable = 1;
			if (lma)
				s->base = base;
		}
	}
}

/* Return to sel:ip with flags fl (and sp/ss for an outer level). */
static enum x86_status iret_prot(struct x86_cpu *cpu,
				 const struct x86_insn *in)
{
	int size = in->opsize, cpl = x86_cpl(cpu), rpl;
	bool lm = cpu->mode == X86_MODE_LONG64;
	u64 ip, cs = 0, fl, sp = 0, ss = 0, save = cpu->gpr[X86_RSP], m, d;
	struct x86_seg ncs, nss;
	enum x86_status st;

	if (cpu->rflags & X86_NT || (cpu->rflags & X86_VM))
		return x86_emulation_failure(cpu, in);
	st = x86_pop(cpu, &ip, size);
	if (st == X86_OK)
		st = x86_pop(cpu, &cs, size);
	if (st == X86_OK)
		st = x86_pop(cpu, &fl, size);
	rpl = (int)(cs & 3);
	if (st == X86_OK && (lm || rpl > cpl))
		st = x86_pop(cpu, &sp, size);
	if (st == X86_OK && (lm || rpl > cpl))
		st = x86_pop(cpu, &ss, size);
	if (st == X86_OK && (fl & X86_VM) && cpl == 0 && !lm)
		st = x86_emulation_failure(cpu, in);	/* to virtual-8086 */
	if (st != X86_OK)
		goto fail;
	if (!(cs & ~3)) {
		st = gp0(cpu);
		goto fail;
	}
	st = x86_read_desc(cpu, (u16)cs, &d, X86_GP);
	if (st != X86_OK)
		goto fail;
	x86_desc_to_seg(&ncs, d, (u16)cs);
	if (!ncs.s || !(ncs.type & 8) || rpl < cpl ||
	    ((ncs.type & 4) ? ncs.dpl > rpl : ncs.dpl != rpl) ||
	    (lm && ncs.l && ncs.db)) {
		st = x86_raise(cpu, X86_GP, (int)(cs & ~3));
		goto fail;
	}
	if (!ncs.present) {
		st = x86_raise(cpu, X86_NP, (int)(cs & ~3));
		goto fail;
	}
	nss = cpu->seg[X86_SS];
	if (lm || rpl > cpl) {
		if (!(ss & ~3) && lm && (rpl != 3 || ncs.l)) {
			memset(&nss, 0, sizeof(nss));
			nss.sel = (u16)ss;
			nss.unusable = 1;
			nss.dpl = (u8)rpl;
		} else {
			if (!(ss & ~3) || (ss & 3) != (u64)rpl) {
				st = x86_raise(cpu, X86_GP, (int)(ss & ~3));
				goto fail;
			}
			st = x86_read_desc(cpu, (u16)ss, &d, X86_GP);
			if (st != X86_OK)
				goto fail;
			x86_desc_to_seg(&nss, d, (u16)ss);
			if (!nss.s || (nss.type & 0xa) != 2 || nss.dpl != rpl) {
				st = x86_raise(cpu, X86_GP, (int)(ss & ~3));
				goto fail;
			}
			if (!nss.present) {
				st = x86_raise(cpu, X86_SS_VEC, (int)(ss & ~3));
				goto fail;
			}
		}
	}
	m = flags_mask(cpu, size);
	cpu->rflags = (cpu->rflags & ~m) | (fl & m) | 2;
	/* RF comes from the frame: a fault handler returns with RF=1 */
	if (size >= 4)
		cpu->rflags = (cpu->rflags & ~X86_RF) | (fl & X86_RF);
	if (lm || rpl > cpl) {
		cpu->seg[X86_SS] = nss;
		cpu->gpr[X86_RSP] = nss.db || lm ? sp : (save & ~0xffffULL) |
							(sp & 0xffff);
		if (rpl > cpl)
			drop_inner_segs(cpu, rpl);
	}
	cpu->rip = ncs.l ? ip : ip & x86_mask(size > 4 ? 4 : size);
	x86_set_cs(cpu, &ncs);
	return X86_JUMP;
fail:
	cpu->gpr[X86_RSP] = save;
	return st;
}

enum x86_status x86_h_iret(struct x86_cpu *cpu, const struct x86_insn *in)
{
	enum x86_status st;

	if (!(cpu->cr0 & X86_CR0_PE))
		st = iret_real(cpu, in->opsize);
	else
		st = iret_prot(cpu, in);
	if (st == X86_JUMP)
		cpu->nmi_masked = false;	/* IRET ends NMI blocking */
	return st;
}

/* ---- LDS, LES, LFS, LGS, LSS ---- */

enum x86_status x86_h_lxs(struct x86_cpu *cpu, const struct x86_insn *in)
{
	static const struct { u16 m; u8 seg; } map[] = {
		{ ZYDIS_MNEMONIC_LDS, X86_DS }, { ZYDIS_MNEMONIC_LES, X86_ES },
		{ ZYDIS_MNEMONIC_LFS, X86_FS }, { ZYDIS_MNEMONIC_LGS, X86_GS },
		{ ZYDIS_MNEMONIC_LSS, X86_SS },
	};
	const struct x86_operand *m = &in->op[1];
	int size = in->opsize, seg = X86_DS;
	enum x86_status st;
	u64 ea, off = 0;
	u16 sel;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (map[i].m == in->mnemonic)
			seg = map[i].seg;
	if (m->kind != X86_OP_MEM)
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	ea = x86_ea(cpu, in, m);
	st = x86_read(cpu, m->seg, ea, &off, (u32)size);
	if (st == X86_OK)
		st = x86_read(cpu, m->seg, (ea + (u64)size) &
			      x86_mask(in->addrsize), &sel, 2);
	if (st == X86_OK)
		st = x86_load_seg(cpu, seg, sel);
	if (st != X86_OK)
		return st;
	x86_gpr_set(cpu, in->op[0].reg, size, false, off);
	return X86_OK;
}

/* ---- LAR, LSL, VERR, VERW ---- */

/* The descriptor of sel if visible at CPL/RPL; false: ZF cleared. */
static bool visible_desc(struct x86_cpu *cpu, u16 sel, u64 *d,
			 enum x86_status *st, bool sys_ok)
{
	struct x86_seg s;
	u64 save = cpu->exception.pending;

	*st = X86_OK;
	if (!(sel & ~3))
		return false;
	*st = x86_read_desc(cpu, sel, d, X86_GP);
	if (*st == X86_FAULT && !save &&
	    cpu->exception.nr == X86_GP) {
		/* a selector beyond the table only clears ZF */
		cpu->exception.pending = false;
		*st = X86_OK;
		return false;
	}
	if (*st != X86_OK)
		return false;
	x86_desc_to_seg(&s, *d, sel);
	if (!s.s && !sys_ok)
		return false;
	if (s.s && (s.type & 0xc) == 0xc)
		return true;		/* conforming code */
	return s.dpl >= x86_cpl(cpu) && s.dpl >= (sel & 3);
}

static bool sys_type_ok(u64 d, bool lsl, bool lm)
{
	u8 t = (u8)((d >> 40) & 15);

	if ((d >> 44) & 1)
		return true;
	if (lm)
		return t == 2 || t == 9 || t == 11 || (!lsl && t == 12);
	return t == 1 || t == 2 || t == 3 || t == 9 || t == 11 ||
	       (!lsl && (t == 4 || t == 5 || t == 12));
}

static enum x86_status lar_lsl(struct x86_cpu *cpu, const struct x86_insn *in,
			       bool lsl)
{
	enum x86_status st;
	struct x86_seg s;
	u64 v, d = 0;

	if (!(cpu->cr0 & X86_CR0_PE) || (cpu->rflags & X86_VM))
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	st = x86_op_read(cpu, in, 1, &v);
	if (st != X86_OK)
		return st;
	if (!visible_desc(cpu, (u16)v, &d, &st, true) ||
	    !sys_type_ok(d, lsl, cpu->efer & X86_EFER_LMA)) {
		cpu->rflags &= ~X86_ZF;
		return st;
	}
	x86_desc_to_seg(&s, d, (u16)v);
	cpu->rflags |= X86_ZF;
	v = lsl ? s.limit : (d >> 32) & 0x00f0ff00ULL;
	x86_gpr_set(cpu, in->op[0].reg, in->op[0].size, false, v);
	return X86_OK;
}

enum x86_status x86_h_lar(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return lar_lsl(cpu, in, false);
}

enum x86_status x86_h_lsl(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return lar_lsl(cpu, in, true);
}

static enum x86_status verx(struct x86_cpu *cpu, const struct x86_insn *in,
			    bool write)
{
	enum x86_status st;
	u64 v, d = 0;
	u8 t;

	if (!(cpu->cr0 & X86_CR0_PE) || (cpu->rflags & X86_VM))
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	st = x86_op_read(cpu, in, 0, &v);
	if (st != X86_OK)
		return st;
	cpu->rflags &= ~X86_ZF;
	if (!visible_desc(cpu, (u16)v, &d, &st, false))
		return st;
	t = (u8)((d >> 40) & 15);
	if (write ? (!(t & 8) && (t & 2)) : (!(t & 8) || (t & 2)))
		cpu->rflags |= X86_ZF;
	return X86_OK;
}

enum x86_status x86_h_verr(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return verx(cpu, in, false);
}

enum x86_status x86_h_verw(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return verx(cpu, in, true);
}
