// SPDX-License-Identifier: MIT
/*
 * System instructions: control and debug registers, descriptor-table
 * registers, MSRs, CPUID, TSC, TLB and cache control, HLT, CLI/STI and
 * XCR0; the table x86_ops_sys also names the handlers of exec_flow.c.
 * Privileged instructions raise #GP(0) at CPL > 0.
 */
#include <string.h>
#include <x86intrin.h>

#include "arch/x86/x86_int.h"
#include "arch/x86/exec_sys.h"
#include "arch/x86/irqchip.h"

static enum x86_status gp0(struct x86_cpu *cpu)
{
	return x86_raise(cpu, X86_GP, 0);
}

static enum x86_status ud(struct x86_cpu *cpu)
{
	return x86_raise(cpu, X86_UD, X86_NO_ERROR);
}

/* CPL 0 required (and not virtual-8086 mode). */
static bool priv(const struct x86_cpu *cpu)
{
	return x86_cpl(cpu) == 0;
}

static u64 reg_val(const struct x86_cpu *cpu, const struct x86_operand *op)
{
	return cpu->gpr[op->reg];
}

/* ---- MOV CRn / DRn ---- */

static enum x86_status set_cr0(struct x86_cpu *cpu, u64 v)
{
	u64 old = cpu->cr0, old_efer = cpu->efer;

	v |= X86_CR0_ET;
	if (v >> 32)
		return gp0(cpu);
	if ((v & X86_CR0_PG) && !(v & X86_CR0_PE))
		return gp0(cpu);
	if ((v & X86_CR0_NW) && !(v & X86_CR0_CD))
		return gp0(cpu);
	if ((v & X86_CR0_PG) && !(old & X86_CR0_PG) &&
	    (cpu->efer & X86_EFER_LME)) {
		if (!(cpu->cr4 & X86_CR4_PAE) || cpu->seg[X86_CS].l)
			return gp0(cpu);
		cpu->efer |= X86_EFER_LMA;
	}
	if (!(v & X86_CR0_PG) && (old & X86_CR0_PG) &&
	    (cpu->efer & X86_EFER_LMA)) {
		if (cpu->mode == X86_MODE_LONG64)
			return gp0(cpu);
		cpu->efer &= ~X86_EFER_LMA;
	}
	cpu->cr0 = v;
	if (((old ^ v) & (X86_CR0_PG | X86_CR0_PE | X86_CR0_WP)) &&
	    x86_is_pae_paging(cpu) && x86_pdptrs_allowed(cpu, cpu->cr3)) {
		cpu->cr0 = old;
		cpu->efer = old_efer;
		return X86_EXIT;
	}
	if (((old ^ v) & (X86_CR0_PG | X86_CR0_PE | X86_CR0_WP)) &&
	    x86_is_pae_paging(cpu) && !x86_load_pdptrs(cpu)) {
		cpu->cr0 = old;
		return gp0(cpu);
	}
	if ((old ^ v) & (X86_CR0_PG | X86_CR0_PE | X86_CR0_WP)) {
		x86_tlb_flush(cpu);
		x86_update_mode(cpu);
	}
	return X86_OK;
}

static enum x86_status set_cr3(struct x86_cpu *cpu, u64 v)
{
	if ((cpu->efer & X86_EFER_LMA) && (v >> x86_maxphyaddr(cpu)))
		return gp0(cpu);
	if (x86_is_pae_paging(cpu) && x86_pdptrs_allowed(cpu, v))
		return X86_EXIT;
	cpu->cr3 = v;
	if (x86_is_pae_paging(cpu) && !x86_load_pdptrs(cpu))
		return gp0(cpu);
	/* global entries exist only while CR4.PGE is set, and they stay */
	x86_tlb_flush_nonglobal(cpu);
	return X86_OK;
}

#define CR4_VALID	0x407fcULL

static enum x86_status set_cr4(struct x86_cpu *cpu, u64 v)
{
	u64 old = cpu->cr4;

	if ((v & ~CR4_VALID) ||
	    ((v & X86_CR4_OSXSAVE) && !x86_guest_has(cpu, 1, 0, 2, 26)))
		return gp0(cpu);
	if ((cpu->efer & X86_EFER_LMA) && !(v & X86_CR4_PAE))
		return gp0(cpu);
	cpu->cr4 = v;
	if (((old ^ v) & (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE)) &&
	    x86_is_pae_paging(cpu) && x86_pdptrs_allowed(cpu, cpu->cr3)) {
		cpu->cr4 = old;
		return X86_EXIT;
	}
	if (((old ^ v) & (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE)) &&
	    x86_is_pae_paging(cpu) && !x86_load_pdptrs(cpu)) {
		cpu->cr4 = old;
		return gp0(cpu);
	}
	if ((old ^ v) & (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE))
		x86_tlb_flush(cpu);
	return X86_OK;
}

static enum x86_status write_cr(struct x86_cpu *cpu, int n, u64 v)
{
	switch (n) {
	case 0:
		return set_cr0(cpu, v);
	case 2:
		cpu->cr2 = v;
		return X86_OK;
	case 3:
		return set_cr3(cpu, v);
	case 4:
		return set_cr4(cpu, v);
	case 8:
		if (v >> 4)
			return gp0(cpu);
		cpu->cr8 = v;
		return X86_OK;
	default:
		return ud(cpu);
	}
}

static bool read_cr(const struct x86_cpu *cpu, int n, u64 *v)
{
	switch (n) {
	case 0: *v = cpu->cr0; return true;
	case 2: *v = cpu->cr2; return true;
	case 3: *v = cpu->cr3; return true;
	case 4: *v = cpu->cr4; return true;
	case 8: *v = cpu->cr8; return true;
	default: return false;
	}
}

static enum x86_status mov_dr(struct x86_cpu *cpu, int n, bool to_dr,
			      const struct x86_operand *gpr, int size)
{
	enum x86_status st;
	u64 v;

	if (n == 4 || n == 5) {
		if (cpu->cr4 & (1ULL << 3))	/* CR4.DE */
			return ud(cpu);
		n += 2;
	}
	st = x86_dbg_general_detect(cpu);
	if (st != X86_OK)
		return st;
	if (!to_dr) {
		x86_gpr_set(cpu, gpr->reg, size, false, cpu->dr[n]);
		return X86_OK;
	}
	v = reg_val(cpu, gpr) & x86_mask(size);
	if ((n == 6 || n == 7) && (v >> 32))
		return gp0(cpu);
	if (n == 6)
		v = (v & 0x1e80fULL) | X86_DR6_ACTIVE_LOW;
	else if (n == 7)
		v = (v & 0xffff2bffULL) | X86_DR7_FIXED;
	cpu->dr[n] = v;
	return X86_OK;
}

enum x86_status x86_mov_crdr(struct x86_cpu *cpu, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->op[0], *s = &in->op[1];
	bool to_sys = d->kind == X86_OP_REG &&
		      (d->rclass == X86_RC_CR || d->rclass == X86_RC_DR);
	const struct x86_operand *sys = to_sys ? d : s, *gpr = to_sys ? s : d;
	int size = cpu->mode == X86_MODE_LONG64 ? 8 : 4;
	u64 v;

	if (!priv(cpu) || (cpu->rflags & X86_VM))
		return gp0(cpu);
	if (sys->rclass == X86_RC_DR)
		return mov_dr(cpu, sys->reg, to_sys, gpr, size);
	if (to_sys)
		return write_cr(cpu, sys->reg, reg_val(cpu, gpr) & x86_mask(size));
	if (!read_cr(cpu, sys->reg, &v))
		return ud(cpu);
	x86_gpr_set(cpu, gpr->reg, size, false, v);
	return X86_OK;
}

static enum x86_status h_lmsw(struct x86_cpu *cpu, const struct x86_insn *in)
{
	enum x86_status st;
	u64 v;

	if (!priv(cpu))
		return gp0(cpu);
	st = x86_op_read(cpu, in, 0, &v);
	if (st != X86_OK)
		return st;
	/* PE can be set but not cleared */
	v = (cpu->cr0 & ~0xeULL) | (v & 0xf) | (cpu->cr0 & X86_CR0_PE);
	return set_cr0(cpu, v);
}

static enum x86_status h_smsw(struct x86_cpu *cpu, const struct x86_insn *in)
{
	const struct x86_operand *d = &in->op[0];

	if (d->kind == X86_OP_MEM)
		return x86_op_write(cpu, in, 0, cpu->cr0 & 0xffff);
	return x86_op_write(cpu, in, 0, cpu->cr0);
}

static enum x86_status h_clts(struct x86_cpu *cpu,
			      const struct x86_insn *in KVMU_UNUSED)
{
	if (!priv(cpu))
		return gp0(cpu);
	cpu->cr0 &= ~X86_CR0_TS;
	return X86_OK;
}

/* ---- descriptor-table registers ---- */

static const struct x86_operand *mem_op(const struct x86_insn *in)
{
	int i;

	for (i = 0; i < in->nops; i++)
		if (in->op[i].kind == X86_OP_MEM)
			return &in->op[i];
	return NULL;
}

static enum x86_status load_dt(struct x86_cpu *cpu, const struct x86_insn *in,
			       struct x86_dtable *t)
{
	const struct x86_operand *m = mem_op(in);
	bool lm = cpu->mode == X86_MODE_LONG64;
	enum x86_status st;
	u64 ea, base = 0;
	u16 limit;

	if (!m)
		return ud(cpu);
	if (!priv(cpu))
		return gp0(cpu);
	ea = x86_ea(cpu, in, m);
	st = x86_read(cpu, m->seg, ea, &limit, 2);
	if (st == X86_OK)
		st = x86_read(cpu, m->seg, (ea + 2) & x86_mask(in->addrsize),
			      &base, lm ? 8 : 4);
	if (st != X86_OK)
		return st;
	if (!lm && in->opsize == 2)
		base &= 0xffffff;
	if (lm && !x86_canonical(base))
		return gp0(cpu);
	t->base = base;
	t->limit = limit;
	return X86_OK;
}

static enum x86_status store_dt(struct x86_cpu *cpu,
				const struct x86_insn *in,
				const struct x86_dtable *t)
{
	const struct x86_operand *m = mem_op(in);
	bool lm = cpu->mode == X86_MODE_LONG64;
	u8 buf[10];
	u64 base = t->base;

	if (!m)
		return ud(cpu);
	memcpy(buf, &t->limit, 2);
	memcpy(buf + 2, &base, 8);
	return x86_write(cpu, m->seg, x86_ea(cpu, in, m), buf, lm ? 10 : 6);
}

static enum x86_status h_lgdt(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return load_dt(cpu, in, &cpu->gdtr);
}

static enum x86_status h_lidt(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return load_dt(cpu, in, &cpu->idtr);
}

static enum x86_status h_sgdt(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return store_dt(cpu, in, &cpu->gdtr);
}

static enum x86_status h_sidt(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return store_dt(cpu, in, &cpu->idtr);
}

/* LLDT / LTR: a system descriptor from the GDT. */
static enum x86_status load_sys_seg(struct x86_cpu *cpu,
				    const struct x86_insn *in, int sreg)
{
	bool lm = cpu->efer & X86_EFER_LMA;
	struct x86_seg s;
	enum x86_status st;
	u64 d[2] = { 0, 0 }, v;
	u16 sel;

	if (!(cpu->cr0 & X86_CR0_PE) || (cpu->rflags & X86_VM))
		return ud(cpu);
	if (!priv(cpu))
		return gp0(cpu);
	st = x86_op_read(cpu, in, 0, &v);
	if (st != X86_OK)
		return st;
	sel = (u16)v;
	if (!(sel & ~3) && sreg == X86_LDTR) {
		memset(&cpu->seg[X86_LDTR], 0, sizeof(s));
		cpu->seg[X86_LDTR].sel = sel;
		cpu->seg[X86_LDTR].unusable = 1;
		return X86_OK;
	}
	if (!(sel & ~3) || (sel & 4))
		return x86_raise(cpu, X86_GP, sel & ~7);
	st = lm ? x86_read_desc16(cpu, sel, d, X86_GP) :
		  x86_read_desc(cpu, sel, &d[0], X86_GP);
	if (st != X86_OK)
		return st;
	x86_desc_to_seg(&s, d[0], sel);
	if (s.s || (sreg == X86_LDTR && s.type != 2) ||
	    (sreg == X86_TR && s.type != 9 && (lm || s.type != 1)))
		return x86_raise(cpu, X86_GP, sel & ~7);
	if (!s.present)
		return x86_raise(cpu, X86_NP, sel & ~7);
	if (lm)
		s.base |= (d[1] & 0xffffffffULL) << 32;
	if (lm && !x86_canonical(s.base))
		return x86_raise(cpu, X86_GP, sel & ~7);
	if (sreg == X86_TR) {
		u8 b = (u8)((d[0] >> 40) | 2);
		u64 lin = cpu->gdtr.base + (sel & ~7) + 5;

		st = x86_write_lin(cpu, lin, &b, 1, X86_ACC_IMPLICIT);
		if (st != X86_OK)
			return st;
		s.type |= 2;
	}
	cpu->seg[sreg] = s;
	return X86_OK;
}

static enum x86_status h_lldt(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return load_sys_seg(cpu, in, X86_LDTR);
}

static enum x86_status h_ltr(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return load_sys_seg(cpu, in, X86_TR);
}

static enum x86_status store_sel(struct x86_cpu *cpu,
				 const struct x86_insn *in, int sreg)
{
	if (!(cpu->cr0 & X86_CR0_PE) || (cpu->rflags & X86_VM))
		return ud(cpu);
	return x86_op_write(cpu, in, 0, cpu->seg[sreg].sel);
}

static enum x86_status h_sldt(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return store_sel(cpu, in, X86_LDTR);
}

static enum x86_status h_str(struct x86_cpu *cpu, const struct x86_insn *in)
{
	return store_sel(cpu, in, X86_TR);
}

/* ---- MSRs, CPUID, TSC ---- */

static enum x86_status h_rdmsr(struct x86_cpu *cpu,
			       const struct x86_insn *in KVMU_UNUSED)
{
	u64 v;
	int ret;

	if (!priv(cpu))
		return gp0(cpu);
	ret = x86_msr_guest_read(cpu, (u32)cpu->gpr[X86_RCX], &v);
	if (ret > 0)
		return X86_EXIT;	/* KVM_EXIT_X86_RDMSR */
	if (ret)
		return gp0(cpu);
	cpu->gpr[X86_RAX] = (u32)v;
	cpu->gpr[X86_RDX] = v >> 32;
	return X86_OK;
}

static enum x86_status h_wrmsr(struct x86_cpu *cpu,
			       const struct x86_insn *in KVMU_UNUSED)
{
	u64 v = (cpu->gpr[X86_RDX] << 32) | (u32)cpu->gpr[X86_RAX];
	int ret;

	if (!priv(cpu))
		return gp0(cpu);
	ret = x86_msr_guest_write(cpu, (u32)cpu->gpr[X86_RCX], v);
	if (ret > 0)
		return X86_EXIT;	/* KVM_EXIT_X86_WRMSR */
	if (ret)
		return gp0(cpu);
	/* a Hyper-V MSR may ask for an exit once it retired */
	return (enum x86_status)x86_hv_after_wrmsr(cpu);
}

static enum x86_status h_cpuid(struct x86_cpu *cpu,
			       const struct x86_insn *in KVMU_UNUSED)
{
	u32 r[4];

	x86_cpuid(cpu, (u32)cpu->gpr[X86_RAX], (u32)cpu->gpr[X86_RCX], r);
	cpu->gpr[X86_RAX] = r[0];
	cpu->gpr[X86_RBX] = r[1];
	cpu->gpr[X86_RCX] = r[2];
	cpu->gpr[X86_RDX] = r[3];
	return X86_OK;
}

static enum x86_status h_rdtsc(struct x86_cpu *cpu,
			       const struct x86_insn *in KVMU_UNUSED)
{
	u64 v;

	if ((cpu->cr4 & (1ULL << 2)) && !priv(cpu))	/* CR4.TSD */
		return gp0(cpu);
	x86_msr_read(cpu, 0x10, &v);
	cpu->gpr[X86_RAX] = (u32)v;
	cpu->gpr[X86_RDX] = v >> 32;
	return X86_OK;
}

static enum x86_status h_rdtscp(struct x86_cpu *cpu, const struct x86_insn *in)
{
	enum x86_status st;

	if (!x86_has_feature(cpu, 0x80000001, 0, 3, 27))
		return ud(cpu);
	st = h_rdtsc(cpu, in);
	if (st == X86_OK)
		cpu->gpr[X86_RCX] = (u32)cpu->tsc_aux;
	return st;
}

static enum x86_status h_invlpg(struct x86_cpu *cpu, const struct x86_insn *in)
{
	const struct x86_operand *m = mem_op(in);
	u64 lin;

	if (!m)
		return ud(cpu);
	if (!priv(cpu))
		return gp0(cpu);
	lin = x86_ea(cpu, in, m);
	if (cpu->mode != X86_MODE_LONG64 || m->seg == X86_FS ||
	    m->seg == X86_GS)
		lin += cpu->seg[m->seg].base;
	if (cpu->mode != X86_MODE_LONG64)
		lin &= 0xffffffffULL;
	x86_tlb_flush_page(cpu, lin);
	return X86_OK;
}

static enum x86_status h_wbinvd(struct x86_cpu *cpu,
				const struct x86_insn *in KVMU_UNUSED)
{
	return priv(cpu) ? X86_OK : gp0(cpu);
}

static enum x86_status h_hlt(struct x86_cpu *cpu,
			     const struct x86_insn *in KVMU_UNUSED)
{
	if (!priv(cpu))
		return gp0(cpu);
	/* an in-kernel LAPIC sleeps in KVM_RUN; else user space sees HLT */
	if (cpu->apic) {
		x86_irqchip_halt(cpu);
		return X86_OK;
	}
	cpu->run->exit_reason = KVM_EXIT_HLT;
	return X86_EXIT_RETIRED;
}

static bool iopl_ok(const struct x86_cpu *cpu)
{
	int iopl = (int)((cpu->rflags & X86_IOPL) >> 12);

	if (!(cpu->cr0 & X86_CR0_PE))
		return true;
	if (cpu->rflags & X86_VM)
		return iopl == 3;
	return x86_cpl(cpu) <= iopl;
}

static enum x86_status h_cli(struct x86_cpu *cpu,
			     const struct x86_insn *in KVMU_UNUSED)
{
	if (!iopl_ok(cpu))
		return gp0(cpu);
	cpu->rflags &= ~X86_IF;
	return X86_OK;
}

static enum x86_status h_sti(struct x86_cpu *cpu,
			     const struct x86_insn *in KVMU_UNUSED)
{
	if (!iopl_ok(cpu))
		return gp0(cpu);
	if (!(cpu->rflags & X86_IF))
		cpu->interrupt_shadow |= KVM_X86_SHADOW_INT_STI;
	cpu->rflags |= X86_IF;
	return X86_OK;
}

static enum x86_status h_xgetbv(struct x86_cpu *cpu,
				const struct x86_insn *in KVMU_UNUSED)
{
	if (!(cpu->cr4 & X86_CR4_OSXSAVE))
		return ud(cpu);
	if ((u32)cpu->gpr[X86_RCX] != 0)
		return gp0(cpu);
	cpu->gpr[X86_RAX] = (u32)cpu->xcr0;
	cpu->gpr[X86_RDX] = cpu->xcr0 >> 32;
	return X86_OK;
}

static enum x86_status h_xsetbv(struct x86_cpu *cpu,
				const struct x86_insn *in KVMU_UNUSED)
{
	u64 v = (cpu->gpr[X86_RDX] << 32) | (u32)cpu->gpr[X86_RAX];

	if (!(cpu->cr4 & X86_CR4_OSXSAVE))
		return ud(cpu);
	if (!priv(cpu) || (u32)cpu->gpr[X86_RCX] != 0 || !(v & 1) ||
	    (v & ~X86_XCR0_SUPPORTED))
		return gp0(cpu);
	cpu->xcr0 = v;
	return X86_OK;
}

static enum x86_status h_swapgs(struct x86_cpu *cpu,
				const struct x86_insn *in KVMU_UNUSED)
{
	u64 t;

	if (cpu->mode != X86_MODE_LONG64)
		return ud(cpu);
	if (!priv(cpu))
		return gp0(cpu);
	t = cpu->seg[X86_GS].base;
	cpu->seg[X86_GS].base = cpu->kernel_gs_base;
	cpu->kernel_gs_base = t;
	return X86_OK;
}

static enum x86_status h_nop(struct x86_cpu *cpu KVMU_UNUSED,
			     const struct x86_insn *in KVMU_UNUSED)
{
	return X86_OK;
}

/* UD0/UD1/UD2 exist to raise #UD. */
static enum x86_status h_ud(struct x86_cpu *cpu,
			    const struct x86_insn *in KVMU_UNUSED)
{
	return ud(cpu);
}

const struct x86_op_entry x86_ops_sys[] = {
	{ ZYDIS_MNEMONIC_LMSW, h_lmsw },
	{ ZYDIS_MNEMONIC_SMSW, h_smsw },
	{ ZYDIS_MNEMONIC_CLTS, h_clts },
	{ ZYDIS_MNEMONIC_LGDT, h_lgdt },
	{ ZYDIS_MNEMONIC_LIDT, h_lidt },
	{ ZYDIS_MNEMONIC_SGDT, h_sgdt },
	{ ZYDIS_MNEMONIC_SIDT, h_sidt },
	{ ZYDIS_MNEMONIC_LLDT, h_lldt },
	{ ZYDIS_MNEMONIC_LTR, h_ltr },
	{ ZYDIS_MNEMONIC_SLDT, h_sldt },
	{ ZYDIS_MNEMONIC_STR, h_str },
	{ ZYDIS_MNEMONIC_RDMSR, h_rdmsr },
	{ ZYDIS_MNEMONIC_WRMSR, h_wrmsr },
	{ ZYDIS_MNEMONIC_CPUID, h_cpuid },
	{ ZYDIS_MNEMONIC_RDTSC, h_rdtsc },
	{ ZYDIS_MNEMONIC_RDTSCP, h_rdtscp },
	{ ZYDIS_MNEMONIC_INVLPG, h_invlpg },
	{ ZYDIS_MNEMONIC_WBINVD, h_wbinvd },
	{ ZYDIS_MNEMONIC_INVD, h_wbinvd },
	{ ZYDIS_MNEMONIC_HLT, h_hlt },
	{ ZYDIS_MNEMONIC_CLI, h_cli },
	{ ZYDIS_MNEMONIC_STI, h_sti },
	{ ZYDIS_MNEMONIC_XGETBV, h_xgetbv },
	{ ZYDIS_MNEMONIC_XSETBV, h_xsetbv },
	{ ZYDIS_MNEMONIC_SWAPGS, h_swapgs },
	{ ZYDIS_MNEMONIC_PAUSE, h_nop },
	{ ZYDIS_MNEMONIC_UD0, h_ud },
	{ ZYDIS_MNEMONIC_UD1, h_ud },
	{ ZYDIS_MNEMONIC_UD2, h_ud },
	X86_FLOW_OPS
	{ 0, NULL },
};
