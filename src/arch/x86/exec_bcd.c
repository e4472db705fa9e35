// SPDX-License-Identifier: MIT
/*
 * The legacy BCD adjustments DAA/DAS/AAA/AAS/AAM/AAD, following the SDM's
 * pseudo-code.  They do not exist in 64-bit mode (#UD; the decoder already
 * refuses their opcodes there, the check is belt and braces).
 */
#include "arch/x86/exec_int.h"

static bool bcd_invalid(const struct x86_cpu *cpu)
{
	return cpu->mode == X86_MODE_LONG64;
}

static u64 get_al(const struct x86_cpu *cpu)
{
	return cpu->gpr[X86_RAX] & 0xff;
}

static void set_flag(struct x86_cpu *cpu, u64 flag, bool on)
{
	cpu->rflags = on ? cpu->rflags | flag : cpu->rflags & ~flag;
}

X86_HANDLER(x86_i_daa)
{
	u64 al = get_al(cpu), old_al = al;
	bool old_cf = cpu->rflags & X86_CF, cf = false;

	(void)in;
	if (bcd_invalid(cpu))
		return x86_ud(cpu);
	if ((al & 0xf) > 9 || (cpu->rflags & X86_AF)) {
		cf = old_cf || al + 6 > 0xff;
		al = (al + 6) & 0xff;
		set_flag(cpu, X86_AF, true);
	} else {
		set_flag(cpu, X86_AF, false);
	}
	if (old_al > 0x99 || old_cf) {
		al = (al + 0x60) & 0xff;
		cf = true;
	}
	x86_gpr_set(cpu, X86_RAX, 1, false, al);
	x86_flags_szp(cpu, al, 1);
	set_flag(cpu, X86_CF, cf);
	return X86_OK;
}

X86_HANDLER(x86_i_das)
{
	u64 al = get_al(cpu), old_al = al;
	bool old_cf = cpu->rflags & X86_CF, cf = false;

	(void)in;
	if (bcd_invalid(cpu))
		return x86_ud(cpu);
	if ((al & 0xf) > 9 || (cpu->rflags & X86_AF)) {
		cf = old_cf || al < 6;
		al = (al - 6) & 0xff;
		set_flag(cpu, X86_AF, true);
	} else {
		set_flag(cpu, X86_AF, false);
	}
	if (old_al > 0x99 || old_cf) {
		al = (al - 0x60) & 0xff;
		cf = true;
	}
	x86_gpr_set(cpu, X86_RAX, 1, false, al);
	x86_flags_szp(cpu, al, 1);
	set_flag(cpu, X86_CF, cf);
	return X86_OK;
}

/* AAA/AAS: adjust AX after an unpacked-BCD add/subtract. */
static enum x86_status ascii_adjust(struct x86_cpu *cpu, bool sub)
{
	u64 ax = x86_gpr_get(cpu, X86_RAX, 2, false);
	bool adj = (ax & 0xf) > 9 || (cpu->rflags & X86_AF);

	if (bcd_invalid(cpu))
		return x86_ud(cpu);
	if (adj && !sub)
		ax += 0x106;
	else if (adj)
		ax = ((ax - 6) & 0xff) | (((ax >> 8) - 1) & 0xff) << 8;
	x86_gpr_set(cpu, X86_RAX, 2, false, ax & 0xff0f);
	set_flag(cpu, X86_AF, adj);
	set_flag(cpu, X86_CF, adj);
	return X86_OK;
}

X86_HANDLER(x86_i_aaa)
{
	(void)in;
	return ascii_adjust(cpu, false);
}

X86_HANDLER(x86_i_aas)
{
	(void)in;
	return ascii_adjust(cpu, true);
}

/* AAM imm8: AH = AL / imm, AL = AL % imm; #DE for imm 0. */
X86_HANDLER(x86_i_aam)
{
	u64 base = in->op[0].imm & 0xff, al = get_al(cpu);

	if (bcd_invalid(cpu))
		return x86_ud(cpu);
	if (!base)
		return x86_raise(cpu, X86_DE, X86_NO_ERROR);
	x86_gpr_set(cpu, X86_RAX, 2, false, ((al / base) << 8) | al % base);
	x86_flags_szp(cpu, al % base, 1);
	return X86_OK;
}

/* AAD imm8: AL = AL + AH * imm, AH = 0. */
X86_HANDLER(x86_i_aad)
{
	u64 base = in->op[0].imm & 0xff, ax = x86_gpr_get(cpu, X86_RAX, 2,
							   false);
	u64 al = ((ax & 0xff) + (ax >> 8) * base) & 0xff;

	if (bcd_invalid(cpu))
		return x86_ud(cpu);
	x86_gpr_set(cpu, X86_RAX, 2, false, al);
	x86_flags_szp(cpu, al, 1);
	return X86_OK;
}

/* SALC (d6, undocumented): AL = CF ? 0xff : 0; flags unchanged. */
X86_HANDLER(x86_i_salc)
{
	if (bcd_invalid(cpu))
		return x86_ud(cpu);
	x86_gpr_set(cpu, X86_RAX, 1, false,
		    (cpu->rflags & X86_CF) ? 0xff : 0);
	return X86_OK;
}
