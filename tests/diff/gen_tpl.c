// SPDX-License-Identifier: MIT
/*
 * The templates of the differential tester's generator and the weighted
 * table they are drawn from (helpers in gen.c, flag model in gen.h).
 */
#include <Zydis/Zydis.h>
#include <stdbool.h>
#include <string.h>

#include "gen_int.h"

/* ---- arithmetic and logic ---- */

static const ZydisMnemonic alu_mn[8] = {
	ZYDIS_MNEMONIC_ADD, ZYDIS_MNEMONIC_OR, ZYDIS_MNEMONIC_ADC,
	ZYDIS_MNEMONIC_SBB, ZYDIS_MNEMONIC_AND, ZYDIS_MNEMONIC_SUB,
	ZYDIS_MNEMONIC_XOR, ZYDIS_MNEMONIC_CMP,
};

/* Two-operand form: 0 r,r  1 r,m  2 m,r  3 r,imm  4 m,imm. */
static int two_ops(struct gen *g, ZydisMnemonic mn, int size, int form,
		   bool may_lock, bool imm_ok)
{
	ZydisInstructionAttributes lk = 0;
	ZydisEncoderOperand d, s;

	if (!imm_ok && form >= 3)
		form -= 3;
	if (form == 2 || form == 4) {
		d = M(g, size);
		if (may_lock && rnd(g, 3) == 0)
			lk = ZYDIS_ATTRIB_HAS_LOCK;
	} else {
		d = R(reg(size, dst_reg(g)));
	}
	if (form >= 3)
		s = I(imm_for(g, size));
	else if (form == 1)
		s = M(g, size);
	else
		s = R(reg(size, (int)rnd(g, 16)));
	ZydisEncoderOperand ops[2] = { d, s };
	return emitv(g, mn, lk, 2, ops);
}

static int t_alu(struct gen *g)
{
	int k = (int)rnd(g, 8), size = any_size(g);
	ZydisMnemonic mn = alu_mn[k];
	bool logic = mn == ZYDIS_MNEMONIC_OR || mn == ZYDIS_MNEMONIC_AND ||
		     mn == ZYDIS_MNEMONIC_XOR;

	if (mn == ZYDIS_MNEMONIC_ADC || mn == ZYDIS_MNEMONIC_SBB)
		need(g, F_CF);
	if (two_ops(g, mn, size, (int)rnd(g, 5), mn != ZYDIS_MNEMONIC_CMP,
		    true))
		return -1;
	fx(g, logic ? F_ALL & ~F_AF : F_ALL, logic ? F_AF : 0);
	return 0;
}

static int t_test(struct gen *g)
{
	static const int forms[] = { 0, 2, 3, 4 };

	if (two_ops(g, ZYDIS_MNEMONIC_TEST, any_size(g), forms[rnd(g, 4)],
		    false, true))
		return -1;
	fx(g, F_ALL & ~F_AF, F_AF);
	return 0;
}

static int t_unary(struct gen *g)
{
	static const ZydisMnemonic mn[4] = {
		ZYDIS_MNEMONIC_INC, ZYDIS_MNEMONIC_DEC, ZYDIS_MNEMONIC_NEG,
		ZYDIS_MNEMONIC_NOT,
	};
	static const uint32_t def[4] = {
		F_ALL & ~F_CF, F_ALL & ~F_CF, F_ALL, 0,
	};
	int k = (int)rnd(g, 4), size = any_size(g);
	ZydisInstructionAttributes lk = 0;
	ZydisEncoderOperand d;

	if (rnd(g, 2)) {
		d = M(g, size);
		lk = rnd(g, 2) ? ZYDIS_ATTRIB_HAS_LOCK : 0;
	} else {
		d = R(reg(size, dst_reg(g)));
	}
	if (emitv(g, mn[k], lk, 1, &d))
		return -1;
	fx(g, def[k], 0);
	return 0;
}

/* MUL/IMUL: CF and OF defined, SF ZF AF PF undefined. */
static int t_mul(struct gen *g)
{
	int size = any_size(g), form = (int)rnd(g, 4);
	ZydisEncoderOperand s = rnd(g, 2) ? M(g, size) :
				R(reg(size, (int)rnd(g, 16)));
	int r;

	if (form == 0)
		r = EMIT(g, MUL, 0, s);
	else if (form == 1 || size == 1)
		r = EMIT(g, IMUL, 0, s);
	else if (form == 2)
		r = EMIT(g, IMUL, 0, R(reg(size, dst_reg(g))), s);
	else
		r = EMIT(g, IMUL, 0, R(reg(size, dst_reg(g))), s,
			 I(imm_for(g, size)));
	fx(g, F_CF | F_OF, F_SF | F_ZF | F_AF | F_PF);
	return r;
}

/*
 * DIV/IDIV with operands that cannot fault: unsigned with a zero high
 * half and an odd divisor; signed with a sign-extended dividend and an
 * even divisor of magnitude >= 2 (never 0 or -1).  All flags undefined.
 */
static int t_div(struct gen *g)
{
	int size = any_size(g), dr = dst_reg_not(g, 1u << RAX | 1u << RDX);
	bool sgn = rnd(g, 2), mem = rnd(g, 2);
	ZydisEncoderOperand s = mem ? M(g, size) : R(reg(size, dr));

	if (sgn) {
		EMIT(g, AND, 0, s, I(-2));
		EMIT(g, OR, 0, s, I(2));
		if (size == 1)
			EMIT0(g, CBW);
		else if (size == 2)
			EMIT0(g, CWD);
		else if (size == 4)
			EMIT0(g, CDQ);
		else
			EMIT0(g, CQO);
	} else {
		EMIT(g, OR, 0, s, I(1));
		if (size == 1)
			EMIT(g, MOVZX, 0, R(ZYDIS_REGISTER_EAX),
			     R(ZYDIS_REGISTER_AL));
		else
			EMIT(g, XOR, 0, R(ZYDIS_REGISTER_EDX),
			     R(ZYDIS_REGISTER_EDX));
	}
	if (emitv(g, sgn ? ZYDIS_MNEMONIC_IDIV : ZYDIS_MNEMONIC_DIV, 0, 1,
		  &s))
		return -1;
	fx(g, 0, F_ALL);
	return 0;
}

/* ---- shifts and rotates ---- */

static const ZydisMnemonic sh_mn[7] = {
	ZYDIS_MNEMONIC_SHL, ZYDIS_MNEMONIC_SHR, ZYDIS_MNEMONIC_SAR,
	ZYDIS_MNEMONIC_ROL, ZYDIS_MNEMONIC_ROR, ZYDIS_MNEMONIC_RCL,
	ZYDIS_MNEMONIC_RCR,
};

static unsigned int count_value(struct gen *g, int bits)
{
	switch (rnd(g, 4)) {
	case 0:
		return rnd(g, 2);
	case 1:
		return rnd(g, (unsigned int)bits + 3);
	default:
		return rnd(g, 256);
	}
}

/* Emit "mov cl, c" unless RCX must be kept; false if impossible. */
static bool set_cl(struct gen *g, unsigned int c)
{
	if ((g->keep >> RCX) & 1)
		return false;
	if (EMIT(g, MOV, 0, R(ZYDIS_REGISTER_CL), I((int8_t)c)))
		return false;
	return true;
}

static void shift_fx(struct gen *g, int k, int bits, unsigned int mc)
{
	uint32_t of1 = mc == 1 ? F_OF : 0, ofu = mc == 1 ? 0 : F_OF;

	if (!mc)
		return;
	if (k < 3)
		fx(g, F_SF | F_ZF | F_PF | of1 |
		   ((int)mc < bits ? F_CF : 0),
		   F_AF | ofu | ((int)mc >= bits ? F_CF : 0));
	else
		fx(g, F_CF | of1, ofu);
}

static int t_shift(struct gen *g)
{
	int k = (int)rnd(g, 7), size = any_size(g), bits = size * 8;
	int form = (int)rnd(g, 3);
	unsigned int c = form == 0 ? 1 : count_value(g, bits);
	unsigned int mc = c & (size == 8 ? 63 : 31);
	ZydisEncoderOperand d = rnd(g, 3) ? R(reg(size, dst_reg(g))) :
				M(g, size);

	if (k >= 5)
		need(g, F_CF);
	if (form == 2 && set_cl(g, c)) {
		if (emitv(g, sh_mn[k], 0, 2,
			  (ZydisEncoderOperand[]){ d, R(ZYDIS_REGISTER_CL) }))
			return -1;
	} else if (emitv(g, sh_mn[k], 0, 2,
			 (ZydisEncoderOperand[]){ d, I(c) })) {
		return -1;
	}
	shift_fx(g, k, bits, mc);
	return 0;
}

/* SHLD/SHRD; a 16-bit count above 16 is undefined: not generated. */
static int t_shd(struct gen *g)
{
	int size = wide_size(g), bits = size * 8;
	unsigned int c = count_value(g, bits), mc;
	ZydisMnemonic mn = rnd(g, 2) ? ZYDIS_MNEMONIC_SHLD :
				       ZYDIS_MNEMONIC_SHRD;
	ZydisEncoderOperand d = rnd(g, 3) ? R(reg(size, dst_reg(g))) :
				M(g, size);
	ZydisEncoderOperand s = R(reg(size, (int)rnd(g, 16)));

	if (size == 2)
		c %= 17;
	mc = c & (size == 8 ? 63 : 31);
	if (rnd(g, 2) && set_cl(g, c)) {
		if (emitv(g, mn, 0, 3, (ZydisEncoderOperand[]){
				  d, s, R(ZYDIS_REGISTER_CL) }))
			return -1;
	} else if (emitv(g, mn, 0, 3, (ZydisEncoderOperand[]){ d, s, I(c) })) {
		return -1;
	}
	if (mc)
		fx(g, F_SF | F_ZF | F_PF | F_CF | (mc == 1 ? F_OF : 0),
		   F_AF | (mc == 1 ? 0 : F_OF));
	return 0;
}

/* ---- bit tests, scans, counts, swaps ---- */

static int t_bt(struct gen *g)
{
	static const ZydisMnemonic mn[4] = {
		ZYDIS_MNEMONIC_BT, ZYDIS_MNEMONIC_BTS, ZYDIS_MNEMONIC_BTR,
		ZYDIS_MNEMONIC_BTC,
	};
	int k = (int)rnd(g, 4), size = wide_size(g), form = (int)rnd(g, 4);
	ZydisInstructionAttributes lk = 0;
	ZydisEncoderOperand d, s;
	int r;

	if (form >= 2 && k && rnd(g, 2))
		lk = ZYDIS_ATTRIB_HAS_LOCK;
	if (form == 3) {
		/* register bit offset into memory: +-4 KiB around the middle */
		r = dst_reg(g);
		EMIT(g, MOV, 0, R(reg(size == 2 ? 2 : 4, r)),
		     I((int16_t)(gen_rand(g) & 0xffff)));
		if (size == 8)
			EMIT(g, MOVSXD, 0, R(reg(8, r)), R(reg(4, r)));
		else if (size == 4)
			EMIT(g, MOVSX, 0, R(reg(4, r)), R(reg(2, r)));
		d = Mat(size, 0x1800 + rnd(g, 0x800));
		s = R(reg(size, r));
	} else {
		d = form == 2 ? M(g, size) : R(reg(size, dst_reg(g)));
		s = form == 0 ? R(reg(size, (int)rnd(g, 16))) :
				I(rnd(g, 256));
		if (form == 0 && d.type == ZYDIS_OPERAND_TYPE_MEMORY)
			s = I(rnd(g, 256));
	}
	if (emitv(g, mn[k], lk, 2, (ZydisEncoderOperand[]){ d, s }))
		return -1;
	fx(g, F_CF, F_OF | F_SF | F_AF | F_PF);
	return 0;
}

/* BSF/BSR; sometimes with a zero source (ZF=1, destination unchanged). */
static int t_bsf(struct gen *g)
{
	int size = wide_size(g), sr = (int)rnd(g, 16);
	ZydisEncoderOperand s = rnd(g, 2) ? M(g, size) : R(reg(size, sr));

	if (rnd(g, 4) == 0) {
		if (s.type == ZYDIS_OPERAND_TYPE_MEMORY)
			EMIT(g, MOV, 0, s, I(0));
		else if (sr != RSP && sr != 15 && !((g->keep >> sr) & 1))
			EMIT(g, MOV, 0, s, I(0));
	}
	if (emitv(g, rnd(g, 2) ? ZYDIS_MNEMONIC_BSF : ZYDIS_MNEMONIC_BSR, 0, 2,
		  (ZydisEncoderOperand[]){ R(reg(size, dst_reg(g))), s }))
		return -1;
	fx(g, F_ZF, F_CF | F_OF | F_SF | F_AF | F_PF);
	return 0;
}

static int t_cnt(struct gen *g)
{
	int size = wide_size(g), k = (int)rnd(g, 3);
	ZydisEncoderOperand s = rnd(g, 2) ? M(g, size) :
				R(reg(size, (int)rnd(g, 16)));
	ZydisEncoderOperand d = R(reg(size, dst_reg(g)));
	static const ZydisMnemonic mn[3] = {
		ZYDIS_MNEMONIC_POPCNT, ZYDIS_MNEMONIC_TZCNT,
		ZYDIS_MNEMONIC_LZCNT,
	};
	static const uint32_t feat[3] = { FEAT_POPCNT, FEAT_BMI1, FEAT_ABM };

	if (!(g->feat & feat[k]))
		return -1;
	if (rnd(g, 5) == 0 && s.type == ZYDIS_OPERAND_TYPE_MEMORY)
		EMIT(g, MOV, 0, s, I(0));
	if (emitv(g, mn[k], 0, 2, (ZydisEncoderOperand[]){ d, s }))
		return -1;
	if (k == 0)
		fx(g, F_ALL, 0);
	else
		fx(g, F_CF | F_ZF, F_OF | F_SF | F_AF | F_PF);
	return 0;
}

static int t_swap(struct gen *g)
{
	int size = wide_size(g);

	if (rnd(g, 2) || !(g->feat & FEAT_MOVBE))
		return EMIT(g, BSWAP, 0, R(reg(rnd(g, 2) ? 4 : 8, dst_reg(g))));
	if (rnd(g, 2))
		return EMIT(g, MOVBE, 0, R(reg(size, dst_reg(g))), M(g, size));
	return EMIT(g, MOVBE, 0, M(g, size), R(reg(size, (int)rnd(g, 16))));
}

/* ---- moves, exchanges, compare-exchanges ---- */

static int t_mov(struct gen *g)
{
	int size = any_size(g), form = (int)rnd(g, 6);

	if (form == 5)	/* mov r64, imm64 */
		return EMIT(g, MOV, 0, R(reg(8, dst_reg(g))),
			    I((int64_t)gen_rand(g)));
	return two_ops(g, ZYDIS_MNEMONIC_MOV, size, form, false, true);
}

static int t_movx(struct gen *g)
{
	int k = (int)rnd(g, 5), ss = k < 2 ? 1 : k < 4 ? 2 : 4;
	int ds = ss == 4 ? 8 : ss * 2 << rnd(g, ss == 1 ? 3 : 2);
	ZydisEncoderOperand s = rnd(g, 2) ? M(g, ss) :
				R(reg(ss, (int)rnd(g, 16)));
	ZydisMnemonic mn = k == 4 ? ZYDIS_MNEMONIC_MOVSXD :
			   (k & 1) ? ZYDIS_MNEMONIC_MOVSX :
				     ZYDIS_MNEMONIC_MOVZX;

	if (ds > 8)
		ds = 8;
	return emitv(g, mn, 0, 2,
		     (ZydisEncoderOperand[]){ R(reg(ds, dst_reg(g))), s });
}

/* LEA computes addresses from any registers; it touches no memory. */
static int t_lea(struct gen *g)
{
	int as = rnd(g, 3) ? 8 : 4, base = (int)rnd(g, 17) - 1;
	int idx = (int)rnd(g, 17) - 1;
	ZydisEncoderOperand m;

	memset(&m, 0, sizeof(m));
	m.type = ZYDIS_OPERAND_TYPE_MEMORY;
	m.mem.base = base < 0 ? ZYDIS_REGISTER_NONE : reg(as, base);
	m.mem.index = idx < 0 || idx == RSP ? ZYDIS_REGISTER_NONE :
		      reg(as, idx);
	m.mem.scale = m.mem.index ? (ZyanU8)(1 << rnd(g, 4)) : 0;
	m.mem.displacement = (int32_t)value(g);
	m.mem.size = (ZyanU16)as;
	return EMIT(g, LEA, 0, R(reg(wide_size(g), dst_reg(g))), m);
}

static int t_xchg(struct gen *g)
{
	int size = any_size(g), k = (int)rnd(g, 3);
	ZydisInstructionAttributes lk = rnd(g, 2) ? ZYDIS_ATTRIB_HAS_LOCK : 0;
	ZydisEncoderOperand d = rnd(g, 2) ? M(g, size) :
				R(reg(size, dst_reg(g)));
	ZydisEncoderOperand s = R(reg(size, dst_reg(g)));

	if (d.type != ZYDIS_OPERAND_TYPE_MEMORY)
		lk = 0;
	if (k == 0)
		return emitv(g, ZYDIS_MNEMONIC_XCHG, lk, 2,
			     (ZydisEncoderOperand[]){ d, s });
	if (emitv(g, k == 1 ? ZYDIS_MNEMONIC_XADD : ZYDIS_MNEMONIC_CMPXCHG,
		  lk, 2, (ZydisEncoderOperand[]){ d, s }))
		return -1;
	fx(g, F_ALL, 0);
	return 0;
}

/* CMPXCHG8B/16B, made to succeed half of the time. */
static int t_cx8(struct gen *g)
{
	bool wide = (g->feat & FEAT_CX16) && rnd(g, 2);
	int size = wide ? 8 : 4;
	int64_t d = rnd(g, GEN_DATA_SIZE - 16) & ~(int64_t)(wide ? 15 : 7);
	ZydisInstructionAttributes lk = rnd(g, 2) ? ZYDIS_ATTRIB_HAS_LOCK : 0;

	if (!wide && rnd(g, 4) == 0)
		d |= rnd(g, 8);
	if (rnd(g, 2)) {
		EMIT(g, MOV, 0, R(reg(size, RAX)), Mat(size, d));
		EMIT(g, MOV, 0, R(reg(size, RDX)), Mat(size, d + size));
	}
	if (emitv(g, wide ? ZYDIS_MNEMONIC_CMPXCHG16B :
			    ZYDIS_MNEMONIC_CMPXCHG8B, lk, 1,
		  (ZydisEncoderOperand[]){ Mat(size * 2, d) }))
		return -1;
	fx(g, F_ZF, 0);
	return 0;
}

#define CC_LIST(p)							\
	{ ZYDIS_MNEMONIC_##p##O, ZYDIS_MNEMONIC_##p##NO,		\
	  ZYDIS_MNEMONIC_##p##B, ZYDIS_MNEMONIC_##p##NB,		\
	  ZYDIS_MNEMONIC_##p##Z, ZYDIS_MNEMONIC_##p##NZ,		\
	  ZYDIS_MNEMONIC_##p##BE, ZYDIS_MNEMONIC_##p##NBE,		\
	  ZYDIS_MNEMONIC_##p##S, ZYDIS_MNEMONIC_##p##NS,		\
	  ZYDIS_MNEMONIC_##p##P, ZYDIS_MNEMONIC_##p##NP,		\
	  ZYDIS_MNEMONIC_##p##L, ZYDIS_MNEMONIC_##p##NL,		\
	  ZYDIS_MNEMONIC_##p##LE, ZYDIS_MNEMONIC_##p##NLE }

static const ZydisMnemonic cmov_mn[16] = CC_LIST(CMOV);
static const ZydisMnemonic set_mn[16] = CC_LIST(SET);

static int t_cmov(struct gen *g)
{
	int cc = (int)rnd(g, 16), size = wide_size(g);
	ZydisEncoderOperand s = rnd(g, 2) ? M(g, size) :
				R(reg(size, (int)rnd(g, 16)));

	need(g, cc_reads[cc]);
	return emitv(g, cmov_mn[cc], 0, 2, (ZydisEncoderOperand[]){
			     R(reg(size, dst_reg(g))), s });
}

static int t_setcc(struct gen *g)
{
	int cc = (int)rnd(g, 16);
	ZydisEncoderOperand d = rnd(g, 3) ? R(reg(1, dst_reg(g))) : M(g, 1);

	need(g, cc_reads[cc]);
	return emitv(g, set_mn[cc], 0, 1, &d);
}

/* CBW..CQO, LAHF/SAHF, flag instructions, NOPs. */
static int t_misc(struct gen *g)
{
	static const ZydisMnemonic conv[6] = {
		ZYDIS_MNEMONIC_CBW, ZYDIS_MNEMONIC_CWDE, ZYDIS_MNEMONIC_CDQE,
		ZYDIS_MNEMONIC_CWD, ZYDIS_MNEMONIC_CDQ, ZYDIS_MNEMONIC_CQO,
	};
	static const uint8_t fl[5] = { 0xf8, 0xf9, 0xf5, 0xfc, 0xfd };
	unsigned int k = rnd(g, 10);

	if (k < 4 && !((g->keep >> RDX) & 1))
		return emitv(g, conv[rnd(g, 6)], 0, 0, NULL);
	if (k < 6 && (g->feat & FEAT_LAHF)) {
		if (rnd(g, 2)) {
			need(g, F_ALL & ~F_OF);
			return EMIT0(g, LAHF);
		}
		fx(g, F_ALL & ~F_OF, 0);
		return EMIT0(g, SAHF);
	}
	k = rnd(g, 5);
	if (k == 2)
		need(g, F_CF);
	raw1(g, fl[k]);
	if (k < 3)
		fx(g, F_CF, 0);
	return 0;
}

static int t_nop(struct gen *g)
{
	static const uint8_t nops[][10] = {
		{ 1, 0x90 }, { 2, 0x66, 0x90 }, { 3, 0x0f, 0x1f, 0x00 },
		{ 4, 0x0f, 0x1f, 0x40, 0x00 },
		{ 5, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 6, 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 7, 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
		{ 8, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
		{ 2, 0xf3, 0x90 }, { 4, 0xf3, 0x0f, 0x1e, 0xfa },
	};
	const uint8_t *n = nops[rnd(g, sizeof(nops) / sizeof(nops[0]))];

	raw(g, n + 1, n[0]);
	return 0;
}

/* ---- stack (balanced: never pops what the sequence did not push) ---- */

static int t_stack(struct gen *g)
{
	int size = rnd(g, 4) ? 8 : 2;
	ZydisEncoderOperand o;

	if (g->in_block)
		return -1;
	if (g->depth >= size && rnd(g, 2)) {
		o = rnd(g, 3) ? R(reg(size, dst_reg(g))) : M(g, size);
		if (emitv(g, ZYDIS_MNEMONIC_POP, 0, 1, &o))
			return -1;
		g->depth -= size;
		return 0;
	}
	if (g->depth > 256)
		return -1;
	switch (rnd(g, 3)) {
	case 0:
		o = R(reg(size, (int)rnd(g, 16)));
		break;
	case 1:
		o = M(g, size);
		break;
	default:
		o = I(size == 2 ? (int16_t)value(g) : (int32_t)value(g));
		break;
	}
	if (emitv(g, ZYDIS_MNEMONIC_PUSH, 0, 1, &o))
		return -1;
	g->depth += size;
	return 0;
}

static int t_xlat(struct gen *g)
{
	if ((g->keep >> RBX) & 1)
		return -1;
	EMIT(g, LEA, 0, R(ZYDIS_REGISTER_RBX),
	     Mat(8, rnd(g, GEN_DATA_SIZE - 256)));
	raw1(g, 0xd7);
	return 0;
}

/*
 * MOVS/CMPS/SCAS/LODS/STOS of any size, with or without REP/REPE/REPNE,
 * either direction, 64- or 32-bit addressing, sometimes an FS/GS override
 * on the source (their bases are 0).  rSI/rDI/rCX are set so that the
 * whole run stays inside the data area.
 */
static int t_str(struct gen *g)
{
	static const uint8_t op[5] = { 0xa4, 0xa6, 0xae, 0xac, 0xaa };
	int k = (int)rnd(g, 5), size = any_size(g), as = rnd(g, 4) ? 8 : 4;
	int rep = (int)rnd(g, 4), n = (int)rnd(g, 33), span, down;
	uint8_t b[8];
	size_t len = 0;
	int64_t lo;

	if (g->keep)
		return -1;
	if (rep == 3 || !rep)
		n = rep ? n : 1;
	span = n * size;
	down = (int)rnd(g, 2);
	raw1(g, down ? 0xfd : 0xfc);
	lo = rnd(g, GEN_DATA_SIZE - 16 - (unsigned int)span);
	EMIT(g, LEA, 0, R(reg(as, RSI)),
	     Mat(8, down ? lo + span - size : lo));
	lo = rnd(g, GEN_DATA_SIZE - 16 - (unsigned int)span);
	EMIT(g, LEA, 0, R(reg(as, RDI)),
	     Mat(8, down ? lo + span - size : lo));
	if (rep)
		EMIT(g, MOV, 0, R(ZYDIS_REGISTER_ECX), I(rep ? n : 0));
	if (rnd(g, 5) == 0)
		b[len++] = rnd(g, 2) ? 0x64 : 0x65;
	if (as == 4)
		b[len++] = 0x67;
	if (rep == 1)
		b[len++] = 0xf3;
	else if (rep == 2)
		b[len++] = 0xf2;
	if (size == 2)
		b[len++] = 0x66;
	if (size == 8)
		b[len++] = 0x48;
	b[len++] = (uint8_t)(op[k] + (size > 1));
	raw(g, b, len);
	if ((k == 1 || k == 2) && (!rep || n))
		fx(g, F_ALL, 0);
	return 0;
}

/* ---- control flow ---- */

static int gen_one(struct gen *g);

/* A body of 1-3 templates that does not touch the stack. */
static void body(struct gen *g, int max)
{
	int i, n = 1 + (int)rnd(g, (unsigned int)max);

	g->in_block++;
	for (i = 0; i < n; i++)
		gen_one(g);
	g->in_block--;
}

/* Jcc/JMP/JRCXZ forward over a body; flags after: either path's. */
static int t_jcc(struct gen *g)
{
	int cc = (int)rnd(g, 16), k = (int)rnd(g, 6);
	uint32_t before;
	size_t at;

	if (g->in_block > 1)
		return -1;
	if (k < 4) {
		need(g, cc_reads[cc]);
		raw1(g, (uint8_t)(0x70 + cc));
	} else {
		raw1(g, k == 4 ? 0xeb : 0xe3);
	}
	raw1(g, 0);
	at = g->len;
	before = g->undef;
	body(g, 3);
	if (g->len - at > 127) {
		g->len = at - 2;	/* too far for rel8: drop it all */
		g->undef = before;
		return -1;
	}
	g->code[at - 1] = (uint8_t)(g->len - at);
	if (k == 4)
		g->undef = before;	/* the body never runs */
	else
		g->undef |= before;
	return 0;
}

/*
 * mov ecx, n; L: body; LOOP/LOOPE/LOOPNE L.  The body starts from "all
 * flags undefined", so its flag reads are guarded whatever the iteration.
 */
static int t_loop(struct gen *g)
{
	int k = (int)rnd(g, 3);
	uint16_t keep = g->keep;
	size_t top;

	if (g->in_block || (g->keep >> RCX) & 1)
		return -1;
	EMIT(g, MOV, 0, R(ZYDIS_REGISTER_ECX), I(1 + rnd(g, 4)));
	top = g->len;
	g->keep |= 1u << RCX;
	g->undef = F_ALL;
	body(g, 2);
	if (k)
		need(g, F_ZF);
	g->keep = keep;
	if (g->len - top > 120)
		return -1;	/* leaves a harmless straight-line body */
	raw1(g, (uint8_t)(0xe2 - k));
	raw1(g, (uint8_t)(-(int)(g->len + 1 - top)));
	return 0;
}

/* push imm; call L1; jmp L2; L1: body; ret 8; L2:  (or without imm) */
static int t_call(struct gen *g)
{
	static const uint8_t call[5] = { 0xe8, 2, 0, 0, 0 };
	bool imm = rnd(g, 2);
	size_t at;

	if (g->in_block)
		return -1;
	if (imm)
		EMIT(g, PUSH, 0, I((int8_t)gen_rand(g)));
	raw(g, call, sizeof(call));
	raw1(g, 0xeb);
	raw1(g, 0);
	at = g->len;
	body(g, 2);
	if (imm)
		raw(g, (const uint8_t[]){ 0xc2, 8, 0 }, 3);
	else
		raw1(g, 0xc3);
	if (g->len - at > 127)
		return -1;	/* cannot happen with two templates */
	g->code[at - 1] = (uint8_t)(g->len - at);
	return 0;
}

/* lea rbp, [rsp-N]; enter size, level; body; leave */
static int t_enter(struct gen *g)
{
	ZydisEncoderOperand m;

	if (g->in_block || (g->keep >> RBP) & 1)
		return -1;
	memset(&m, 0, sizeof(m));
	m.type = ZYDIS_OPERAND_TYPE_MEMORY;
	m.mem.base = ZYDIS_REGISTER_RSP;
	m.mem.displacement = -8 * (int)(1 + rnd(g, 16));
	m.mem.size = 8;
	EMIT(g, LEA, 0, R(ZYDIS_REGISTER_RBP), m);
	EMIT(g, ENTER, 0, I(8 * rnd(g, 8)), I(rnd(g, 4)));
	g->keep |= 1u << RBP;
	body(g, 2);
	g->keep &= (uint16_t)~(1u << RBP);
	raw1(g, 0xc9);
	return 0;
}

/* ---- the table ---- */

static const struct tpl {
	const char *name;
	int (*fn)(struct gen *g);
	int weight;
} tpls[] = {
	{ "alu", t_alu, 12 }, { "test", t_test, 3 }, { "unary", t_unary, 4 },
	{ "mul", t_mul, 4 }, { "div", t_div, 3 }, { "shift", t_shift, 10 },
	{ "shd", t_shd, 4 }, { "bt", t_bt, 4 }, { "bsf", t_bsf, 3 },
	{ "cnt", t_cnt, 3 }, { "swap", t_swap, 2 }, { "mov", t_mov, 5 },
	{ "movx", t_movx, 3 }, { "lea", t_lea, 3 }, { "xchg", t_xchg, 4 },
	{ "cx8", t_cx8, 2 }, { "cmov", t_cmov, 3 }, { "setcc", t_setcc, 3 },
	{ "misc", t_misc, 4 }, { "nop", t_nop, 1 }, { "stack", t_stack, 4 },
	{ "xlat", t_xlat, 1 }, { "str", t_str, 5 }, { "jcc", t_jcc, 4 },
	{ "loop", t_loop, 2 }, { "call", t_call, 2 }, { "enter", t_enter, 1 },
};

static int gen_one(struct gen *g)
{
	int total = 0, r, tries;
	size_t i, len;
	uint32_t undef;

	for (i = 0; i < sizeof(tpls) / sizeof(tpls[0]); i++)
		total += tpls[i].weight;
	for (tries = 0; tries < 8; tries++) {
		r = (int)rnd(g, (unsigned int)total);
		for (i = 0; r >= tpls[i].weight; i++)
			r -= tpls[i].weight;
		len = g->len;
		undef = g->undef;
		if (tpls[i].fn(g) == 0) {
			g->last = tpls[i].name;
			return 0;
		}
		g->len = len;	/* a template that could not be encoded */
		g->undef = undef;
	}
	return -1;
}

void gen_sequence(struct gen *g, int n)
{
	int i;

	g->len = 0;
	g->undef = 0;
	g->depth = 0;
	g->in_block = 0;
	g->keep = 0;
	g->ninsn = 0;
	for (i = 0; i < n && g->len < GEN_CODE_MAX - 512; i++)
		gen_one(g);
	/* the end: OUT (allowed by IOPL 3) exits to user space */
	raw(g, (const uint8_t[]){ 0xe6, 0xe9 }, 2);
}
