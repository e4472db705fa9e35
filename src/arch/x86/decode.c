// SPDX-License-Identifier: MIT
/*
 * Instruction fetch and decode.  Zydis turns bytes into a full description;
 * we keep a compact form (struct x86_insn) in a direct-mapped cache keyed by
 * guest-physical address and mode.  A hit is confirmed by comparing the
 * instruction bytes fetched now with the cached ones, which makes
 * self-modifying code and remapped pages safe without write tracking.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/cpu.h"

static const struct {
	ZydisMachineMode mode;
	ZydisStackWidth stack;
} zydis_modes[] = {
	[X86_MODE_REAL] = { ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16 },
	[X86_MODE_VM86] = { ZYDIS_MACHINE_MODE_REAL_16, ZYDIS_STACK_WIDTH_16 },
	[X86_MODE_PROT16] = { ZYDIS_MACHINE_MODE_LEGACY_16,
			      ZYDIS_STACK_WIDTH_16 },
	[X86_MODE_PROT32] = { ZYDIS_MACHINE_MODE_LEGACY_32,
			      ZYDIS_STACK_WIDTH_32 },
	[X86_MODE_COMPAT16] = { ZYDIS_MACHINE_MODE_LONG_COMPAT_16,
				ZYDIS_STACK_WIDTH_16 },
	[X86_MODE_COMPAT32] = { ZYDIS_MACHINE_MODE_LONG_COMPAT_32,
				ZYDIS_STACK_WIDTH_32 },
	[X86_MODE_LONG64] = { ZYDIS_MACHINE_MODE_LONG_64,
			      ZYDIS_STACK_WIDTH_64 },
};

static const struct x86_op_entry *const op_tables[] = {
	x86_ops_int, x86_ops_ctl, x86_ops_str, x86_ops_sys,
	x86_ops_io, x86_ops_fpu, x86_ops_sse,
	x86_ops_fpu_misc, x86_ops_fpu_env, x86_ops_sse_int, x86_ops_sse_mov,
	x86_ops_hyper, x86_ops_smm,
};

static x86_handler handlers[ZYDIS_MNEMONIC_MAX_VALUE + 1];
static pthread_once_t handlers_once = PTHREAD_ONCE_INIT;

static void build_handlers(void)
{
	const struct x86_op_entry *e;
	size_t t;

	for (t = 0; t < ARRAY_SIZE(op_tables); t++)
		for (e = op_tables[t]; e->fn; e++)
			if (e->mnemonic <= ZYDIS_MNEMONIC_MAX_VALUE)
				handlers[e->mnemonic] = e->fn;
}

x86_handler x86_handler_for(u16 mnemonic)
{
	pthread_once(&handlers_once, build_handlers);
	return mnemonic <= ZYDIS_MNEMONIC_MAX_VALUE ? handlers[mnemonic] :
						      NULL;
}

int x86_decode_init(struct x86_cpu *cpu)
{
	size_t m;

	for (m = 0; m < ARRAY_SIZE(zydis_modes); m++)
		if (ZYAN_FAILED(ZydisDecoderInit(&cpu->decoder[m],
						 zydis_modes[m].mode,
						 zydis_modes[m].stack)))
			return -EINVAL;
	cpu->dcache = calloc(X86_DECODE_CACHE, sizeof(*cpu->dcache));
	cpu->dcache_tag = calloc(X86_DECODE_CACHE, sizeof(*cpu->dcache_tag));
	if (!cpu->dcache || !cpu->dcache_tag || x86_block_init(cpu)) {
		x86_decode_fini(cpu);
		return -ENOMEM;
	}
	return 0;
}

void x86_decode_fini(struct x86_cpu *cpu)
{
	free(cpu->dcache);
	free(cpu->dcache_tag);
	x86_block_fini(cpu);
	cpu->dcache = NULL;
	cpu->dcache_tag = NULL;
}

void x86_decode_flush(struct x86_cpu *cpu)
{
	if (cpu->dcache_tag)
		memset(cpu->dcache_tag, 0, X86_DECODE_CACHE *
		       sizeof(*cpu->dcache_tag));
	x86_block_flush(cpu);
}

/* Map a Zydis register to our register class and index. */
static void conv_reg(struct x86_operand *o, ZydisRegister r)
{
	ZydisRegisterClass c = ZydisRegisterGetClass(r);
	ZydisRegister big;

	o->kind = X86_OP_REG;
	switch (c) {
	case ZYDIS_REGCLASS_GPR8:
	case ZYDIS_REGCLASS_GPR16:
	case ZYDIS_REGCLASS_GPR32:
	case ZYDIS_REGCLASS_GPR64:
		o->rclass = X86_RC_GPR;
		o->high8 = r >= ZYDIS_REGISTER_AH && r <= ZYDIS_REGISTER_BH;
		big = ZydisRegisterGetLargestEnclosing(
			ZYDIS_MACHINE_MODE_LONG_64, r);
		/* x86_gpr_get() wants AH..BH as 4..7 with high8 set */
		o->reg = (u8)(big - ZYDIS_REGISTER_RAX + (o->high8 ? 4 : 0));
		return;
	case ZYDIS_REGCLASS_SEGMENT:
		o->rclass = X86_RC_SEG;
		break;
	case ZYDIS_REGCLASS_CONTROL:
		o->rclass = X86_RC_CR;
		break;
	case ZYDIS_REGCLASS_DEBUG:
		o->rclass = X86_RC_DR;
		break;
	case ZYDIS_REGCLASS_X87:
		o->rclass = X86_RC_ST;
		break;
	case ZYDIS_REGCLASS_MMX:
		o->rclass = X86_RC_MMX;
		break;
	case ZYDIS_REGCLASS_XMM:
		o->rclass = X86_RC_XMM;
		break;
	case ZYDIS_REGCLASS_FLAGS:
		o->rclass = X86_RC_FLAGS;
		break;
	case ZYDIS_REGCLASS_IP:
		o->rclass = X86_RC_IP;
		break;
	default:
		o->rclass = X86_RC_OTHER;
		o->reg = (u8)r;
		return;
	}
	o->reg = (u8)ZydisRegisterGetId(r);
}

static s8 conv_gpr(ZydisRegister r)
{
	if (r == ZYDIS_REGISTER_NONE)
		return -1;
	if (r == ZYDIS_REGISTER_RIP || r == ZYDIS_REGISTER_EIP ||
	    r == ZYDIS_REGISTER_IP)
		return 16;
	return (s8)(ZydisRegisterGetLargestEnclosing(
			    ZYDIS_MACHINE_MODE_LONG_64, r) - ZYDIS_REGISTER_RAX);
}

static void conv_operand(struct x86_operand *o, const ZydisDecodedOperand *z)
{
	memset(o, 0, sizeof(*o));
	o->size = (u8)((z->size + 7) / 8);
	o->visible = z->visibility == ZYDIS_OPERAND_VISIBILITY_EXPLICIT;
	o->write = !!(z->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE);
	o->base = o->index = -1;
	switch (z->type) {
	case ZYDIS_OPERAND_TYPE_REGISTER:
		conv_reg(o, z->reg.value);
		break;
	case ZYDIS_OPERAND_TYPE_MEMORY:
		o->kind = X86_OP_MEM;
		o->seg = z->mem.segment == ZYDIS_REGISTER_NONE ? X86_DS :
			 (u8)ZydisRegisterGetId(z->mem.segment);
		o->base = conv_gpr(z->mem.base);
		o->index = conv_gpr(z->mem.index);
		o->scale = z->mem.scale;
		o->disp = z->mem.disp.value;
		break;
	case ZYDIS_OPERAND_TYPE_IMMEDIATE:
		o->kind = X86_OP_IMM;
		o->imm = z->imm.is_signed ? (u64)z->imm.value.s :
					    z->imm.value.u;
		o->rel = z->imm.is_relative;
		break;
	case ZYDIS_OPERAND_TYPE_POINTER:
		o->kind = X86_OP_PTR;
		o->imm = z->ptr.offset;
		o->ptr_seg = z->ptr.segment;
		break;
	default:
		break;
	}
}

static u8 cond_code(const ZydisDecodedInstruction *z)
{
	bool jcc8 = z->opcode_map == ZYDIS_OPCODE_MAP_DEFAULT &&
		    (z->opcode & 0xf0) == 0x70;
	bool map0f = z->opcode_map == ZYDIS_OPCODE_MAP_0F &&
		     ((z->opcode & 0xf0) == 0x80 ||
		      (z->opcode & 0xf0) == 0x90 ||
		      (z->opcode & 0xf0) == 0x40);

	return jcc8 || map0f ? z->opcode & 0xf : 0;
}

static void fill_insn(struct x86_insn *in, const ZydisDecodedInstruction *z,
		      const ZydisDecodedOperand *ops, const u8 *bytes,
		      enum x86_mode mode)
{
	int i, n = z->operand_count < 4 ? z->operand_count : 4;

	memset(in, 0, sizeof(*in));
	in->mnemonic = (u16)z->mnemonic;
	in->fn = x86_handler_for(in->mnemonic);
	in->len = z->length;
	in->opsize = z->operand_width / 8;
	in->addrsize = z->address_width / 8;
	in->nops = (u8)n;
	if (z->attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE))
		in->rep = X86_REP;
	else if (z->attributes & ZYDIS_ATTRIB_HAS_REPNE)
		in->rep = X86_REPNE;
	in->lock = !!(z->attributes & ZYDIS_ATTRIB_HAS_LOCK);
	in->cc = cond_code(z);
	in->opcode = z->opcode;
	in->opcode_map = (u8)z->opcode_map;
	in->modrm_reg = z->raw.modrm.reg;
	in->mode = (u8)mode;
	memcpy(in->bytes, bytes, z->length);
	for (i = 0; i < n; i++)
		conv_operand(&in->op[i], &ops[i]);
}

/* An instruction fetch from outside guest RAM: KVM cannot emulate it. */
static enum x86_status fetch_failed(struct x86_cpu *cpu)
{
	cpu->run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	cpu->run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	cpu->run->internal.ndata = 0;
	return X86_EXIT;
}

/* Fetch up to 15 bytes at lin; *avail is how many could be read. */
static enum x86_status fetch_bytes(struct x86_cpu *cpu, u64 lin, u8 *buf,
				   u32 *avail, u64 *gpa0,
				   enum x86_status *late)
{
	enum x86_status st;
	u64 gpa, next;
	u32 first;
	u8 *p;

	st = x86_translate(cpu, lin, X86_ACC_EXEC, &gpa);
	if (st != X86_OK)
		return st;
	first = (u32)(KVMU_PAGE_SIZE - (lin & (KVMU_PAGE_SIZE - 1)));
	if (first > 15)
		first = 15;
	p = x86_phys_ptr(cpu, gpa, first, false);
	if (!p)
		return fetch_failed(cpu);
	memcpy(buf, p, first);
	*gpa0 = gpa;
	*avail = first;
	*late = X86_OK;
	if (first == 15)
		return X86_OK;
	/* the instruction may continue on the next page */
	*late = x86_translate(cpu, lin + first, X86_ACC_EXEC, &next);
	if (*late != X86_OK)
		return X86_OK;
	p = x86_phys_ptr(cpu, next, 15 - first, false);
	if (!p) {
		*late = fetch_failed(cpu);
		return X86_OK;
	}
	memcpy(buf + first, p, 15 - first);
	*avail = 15;
	return X86_OK;
}

static enum x86_status decode_new(struct x86_cpu *cpu, struct x86_insn *in,
				  const u8 *buf, u32 avail,
				  enum x86_status late)
{
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	ZydisDecodedInstruction z;
	ZyanStatus zs;

	zs = ZydisDecoderDecodeFull(&cpu->decoder[cpu->mode], buf, avail, &z,
				    ops);
	if (zs == ZYDIS_STATUS_NO_MORE_DATA && late != X86_OK)
		return late;	/* the bytes on the next page were needed */
	if (ZYAN_FAILED(zs))
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	fill_insn(in, &z, ops, buf, cpu->mode);
	if (x86_engine_fast(cpu))
		x86_fast_pick(in);
	return X86_OK;
}

bool x86_decode_bytes(struct x86_cpu *cpu, const u8 *buf, u32 avail,
		      enum x86_mode mode, struct x86_insn *in)
{
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	ZydisDecodedInstruction z;

	if (ZYAN_FAILED(ZydisDecoderDecodeFull(&cpu->decoder[mode], buf, avail,
					       &z, ops)))
		return false;
	fill_insn(in, &z, ops, buf, mode);
	if (x86_engine_fast(cpu))
		x86_fast_pick(in);
	return true;
}

/* Same first len bytes?  Both buffers have 16 readable bytes. */
static inline bool same_bytes(const u8 *a, const u8 *b, unsigned int len)
{
	u64 a0, b0, a1, b1, m;

	memcpy(&a0, a, 8);
	memcpy(&b0, b, 8);
	if (len <= 8) {
		m = len == 8 ? ~0ULL : (1ULL << (len * 8)) - 1;
		return !((a0 ^ b0) & m);
	}
	memcpy(&a1, a + 8, 8);
	memcpy(&b1, b + 8, 8);
	m = len == 16 ? ~0ULL : (1ULL << ((len - 8) * 8)) - 1;
	return a0 == b0 && !((a1 ^ b1) & m);
}

/* A decode-cache miss: decode into slot. */
static __attribute__((noinline)) enum x86_status
cache_fill(struct x86_cpu *cpu, u32 slot, u64 tag, const u8 *bytes,
	   u32 avail, enum x86_status late)
{
	enum x86_status st;

	cpu->dcache_tag[slot] = 0;
	st = decode_new(cpu, &cpu->dcache[slot], bytes, avail, late);
	if (st == X86_OK)
		cpu->dcache_tag[slot] = tag;
	return st;
}

/* Look gpa up in the decode cache, decoding bytes on a miss.  Inline: it
 * is the interpreter's hot path. */
static inline __attribute__((always_inline)) enum x86_status
cache_lookup(struct x86_cpu *cpu, u64 gpa, const u8 *bytes, u32 avail,
	     enum x86_status late, const struct x86_insn **out)
{
	u64 tag = (gpa << 4) | ((u64)cpu->mode << 1) | 1;
	u32 slot = (u32)((gpa ^ (gpa >> 12)) & (X86_DECODE_CACHE - 1));
	struct x86_insn *in = &cpu->dcache[slot];
	enum x86_status st;

	if (__builtin_expect(cpu->dcache_tag[slot] != tag || in->len > avail ||
			     !same_bytes(in->bytes, bytes, in->len), 0)) {
		st = cache_fill(cpu, slot, tag, bytes, avail, late);
		if (st != X86_OK)
			return st;
	}
	*out = in;
	return X86_OK;
}

/* Remember the code page of a successful fetch from RAM. */
static void fetch_page_fill(struct x86_cpu *cpu, u64 lin, u64 gpa)
{
	u8 *host = x86_phys_ptr(cpu, gpa & ~(KVMU_PAGE_SIZE - 1),
				(u32)KVMU_PAGE_SIZE, false);

	if (!host)
		return;
	cpu->fetch_vpage = (lin & ~(KVMU_PAGE_SIZE - 1)) | 1;
	cpu->fetch_gpage = gpa & ~(KVMU_PAGE_SIZE - 1);
	cpu->fetch_host = host;
	cpu->fetch_mode = (u8)cpu->mode;
	cpu->fetch_cpl = (u8)x86_cpl(cpu);
}

bool x86_fetch_page_hit(struct x86_cpu *cpu, u64 lin)
{
	const struct x86_tlb_entry *e = &cpu->tlb[(lin >> 12) % X86_TLB_SIZE];
	int cpl = x86_cpl(cpu);

	/* an instruction fetch is a user access at CPL 3 (SDM 4.6.1);
	 * restricted plane pages check each access: leave them to the walk */
	if (e->vpage != ((lin & ~0xfffULL) | 1) || !e->host || e->nx ||
	    (cpl == 3 && !e->user) || cpu->mem_attrs)
		return false;
	cpu->fetch_vpage = e->vpage;
	cpu->fetch_gpage = e->ppage;
	cpu->fetch_host = e->host;
	cpu->fetch_mode = (u8)cpu->mode;
	cpu->fetch_cpl = (u8)cpl;
	return true;
}

/* Fetch from memory (not the current code page), decode, and make the
 * page the current code page. */
static __attribute__((noinline)) enum x86_status
fetch_slow(struct x86_cpu *cpu, u64 lin, const struct x86_insn **out)
{
	enum x86_status st, late = X86_OK;
	u8 buf[16] = { 0 };
	u32 avail;
	u64 gpa;

	st = fetch_bytes(cpu, lin, buf, &avail, &gpa, &late);
	if (st != X86_OK)
		return st;
	st = cache_lookup(cpu, gpa, buf, avail, late, out);
	if (st == X86_OK)
		fetch_page_fill(cpu, lin, gpa);
	return st;
}

enum x86_status x86_fetch_decode(struct x86_cpu *cpu,
				 const struct x86_insn **out)
{
	enum x86_status st;
	u64 lin, off;

	if (cpu->mode == X86_MODE_LONG64) {
		lin = cpu->rip;
	} else {
		st = x86_seg_linear(cpu, X86_CS, cpu->rip, 1, X86_ACC_EXEC,
				    &lin);
		if (st != X86_OK)
			return st;
	}
	off = lin & (KVMU_PAGE_SIZE - 1);
	if (cpu->fetch_vpage == ((lin - off) | 1) && off <= 4096 - 16 &&
	    cpu->fetch_mode == cpu->mode && cpu->fetch_cpl == x86_cpl(cpu)) {
		st = cache_lookup(cpu, cpu->fetch_gpage + off,
				  cpu->fetch_host + off, 15, X86_OK, out);
	} else {
		st = fetch_slow(cpu, lin, out);
	}
	if (st != X86_OK)
		return st;
	/* the whole instruction must lie within the CS limit */
	if ((*out)->len > 1 && cpu->mode != X86_MODE_LONG64)
		return x86_seg_linear(cpu, X86_CS, cpu->rip, (*out)->len,
				      X86_ACC_EXEC, &lin);
	return X86_OK;
}
