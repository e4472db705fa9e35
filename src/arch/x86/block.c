// SPDX-License-Identifier: MIT
/*
 * Translated blocks: the instructions from rip to the first one that may
 * change what the run loop has to look at between instructions (a branch,
 * anything touching mode, paging, interrupt or debug state, an exit to
 * user space), within one guest page, decoded once and run in a row.
 *
 * A block is a pure function of its bytes and the decoding mode, so it is
 * keyed by guest-physical address and mode and confirmed at every entry by
 * comparing its bytes with guest memory: whatever wrote them (the guest,
 * another vCPU, the VMM through its own mapping, a new memory slot) the
 * compare sees it.  A store to the running block's page ends the block
 * after the storing instruction (x86_code_store, called by mem.c), so the
 * next instruction is fetched again: self-modifying code inside a block.
 *
 * Events, kicks and exits are looked at by the run loop between blocks
 * only; that is exact because a block continues only past instructions
 * that cannot make an event deliverable and that did not fault, exit or
 * queue an MMIO write.  See docs/engine.md.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/irqchip.h"
#include "arch/x86/jit.h"
#include "arch/x86/step.h"

#define BLOCK_SLOTS	4096	/* direct-mapped, power of two */
#define BLOCK_MAX	32	/* instructions per block */
#define CHAIN_MAX	8	/* blocks run back to back per unit */
#define JIT_HOT		16	/* entries before a block gets host code */
#define JIT_LOOPS	16	/* runs of a self-looping JIT block per entry */
#define JIT_BUF		(4u << 20)	/* host code per vCPU, flushed whole */

struct x86_block {
	u64 key;		/* gpa << 4 | mode << 1 | 1 */
	u16 len;		/* bytes covered */
	u16 n;			/* instructions; 0: step instead */
	bool chain;		/* the last one lets the next block follow */
	bool loops;		/* it ends in a JMP/Jcc rel (may loop to itself) */
	u32 hits;		/* entries, counted towards JIT_HOT */
	u32 jit_gen;		/* jitbuf generation of jit */
	x86_jit_fn jit;		/* host code of insn[0..n-1), or NULL */
	const u8 *bytes;	/* copy of the bytes, after insn[n] */
	struct x86_insn insn[];
};

struct x86_blocks {
	bool on;			/* blocks: KVMU_ENGINE is not "interp"/"ref" */
	bool fast;			/* fast.c handlers: not "ref" */
	bool jit;			/* unset or "jit" (and jb usable) */
	u32 jit_hot;			/* KVMU_JIT_HOT, default JIT_HOT */
	struct kvmu_jitbuf jb;		/* mapped at the first compile */
	struct x86_block *slot[BLOCK_SLOTS];
};

/* Instructions a block may run past: they change only GPRs, memory,
 * arithmetic flags, DF, x87/SSE state, or fault.  Everything else ends
 * the block (it runs as the block's last instruction). */
static const u16 straight_list[] = {
	ZYDIS_MNEMONIC_MOV, ZYDIS_MNEMONIC_MOVZX, ZYDIS_MNEMONIC_MOVSX,
	ZYDIS_MNEMONIC_MOVSXD, ZYDIS_MNEMONIC_LEA, ZYDIS_MNEMONIC_ADD,
	ZYDIS_MNEMONIC_ADC, ZYDIS_MNEMONIC_SUB, ZYDIS_MNEMONIC_SBB,
	ZYDIS_MNEMONIC_CMP, ZYDIS_MNEMONIC_AND, ZYDIS_MNEMONIC_OR,
	ZYDIS_MNEMONIC_XOR, ZYDIS_MNEMONIC_TEST, ZYDIS_MNEMONIC_NOT,
	ZYDIS_MNEMONIC_NEG, ZYDIS_MNEMONIC_INC, ZYDIS_MNEMONIC_DEC,
	ZYDIS_MNEMONIC_SHL, ZYDIS_MNEMONIC_SHR, ZYDIS_MNEMONIC_SAR,
	ZYDIS_MNEMONIC_ROL, ZYDIS_MNEMONIC_ROR, ZYDIS_MNEMONIC_RCL,
	ZYDIS_MNEMONIC_RCR, ZYDIS_MNEMONIC_SHLD, ZYDIS_MNEMONIC_SHRD,
	ZYDIS_MNEMONIC_MUL, ZYDIS_MNEMONIC_IMUL, ZYDIS_MNEMONIC_DIV,
	ZYDIS_MNEMONIC_IDIV, ZYDIS_MNEMONIC_PUSH, ZYDIS_MNEMONIC_POP,
	ZYDIS_MNEMONIC_XCHG, ZYDIS_MNEMONIC_BSWAP, ZYDIS_MNEMONIC_BT,
	ZYDIS_MNEMONIC_BTS, ZYDIS_MNEMONIC_BTR, ZYDIS_MNEMONIC_BTC,
	ZYDIS_MNEMONIC_BSF, ZYDIS_MNEMONIC_BSR, ZYDIS_MNEMONIC_CBW,
	ZYDIS_MNEMONIC_CWDE, ZYDIS_MNEMONIC_CDQE, ZYDIS_MNEMONIC_CWD,
	ZYDIS_MNEMONIC_CDQ, ZYDIS_MNEMONIC_CQO, ZYDIS_MNEMONIC_NOP,
	ZYDIS_MNEMONIC_CLC, ZYDIS_MNEMONIC_STC, ZYDIS_MNEMONIC_CMC,
	ZYDIS_MNEMONIC_CLD, ZYDIS_MNEMONIC_STD, ZYDIS_MNEMONIC_XADD,
	ZYDIS_MNEMONIC_CMPXCHG, ZYDIS_MNEMONIC_LAHF, ZYDIS_MNEMONIC_SAHF,
	ZYDIS_MNEMONIC_ENTER, ZYDIS_MNEMONIC_LEAVE,
	ZYDIS_MNEMONIC_SETB, ZYDIS_MNEMONIC_SETBE, ZYDIS_MNEMONIC_SETL,
	ZYDIS_MNEMONIC_SETLE, ZYDIS_MNEMONIC_SETNB, ZYDIS_MNEMONIC_SETNBE,
	ZYDIS_MNEMONIC_SETNL, ZYDIS_MNEMONIC_SETNLE, ZYDIS_MNEMONIC_SETNO,
	ZYDIS_MNEMONIC_SETNP, ZYDIS_MNEMONIC_SETNS, ZYDIS_MNEMONIC_SETNZ,
	ZYDIS_MNEMONIC_SETO, ZYDIS_MNEMONIC_SETP, ZYDIS_MNEMONIC_SETS,
	ZYDIS_MNEMONIC_SETZ, ZYDIS_MNEMONIC_CMOVB, ZYDIS_MNEMONIC_CMOVBE,
	ZYDIS_MNEMONIC_CMOVL, ZYDIS_MNEMONIC_CMOVLE, ZYDIS_MNEMONIC_CMOVNB,
	ZYDIS_MNEMONIC_CMOVNBE, ZYDIS_MNEMONIC_CMOVNL, ZYDIS_MNEMONIC_CMOVNLE,
	ZYDIS_MNEMONIC_CMOVNO, ZYDIS_MNEMONIC_CMOVNP, ZYDIS_MNEMONIC_CMOVNS,
	ZYDIS_MNEMONIC_CMOVNZ, ZYDIS_MNEMONIC_CMOVO, ZYDIS_MNEMONIC_CMOVP,
	ZYDIS_MNEMONIC_CMOVS, ZYDIS_MNEMONIC_CMOVZ,
	ZYDIS_MNEMONIC_MOVD, ZYDIS_MNEMONIC_MOVQ, ZYDIS_MNEMONIC_MOVDQA,
	ZYDIS_MNEMONIC_MOVDQU, ZYDIS_MNEMONIC_MOVAPS, ZYDIS_MNEMONIC_MOVUPS,
	ZYDIS_MNEMONIC_MOVAPD, ZYDIS_MNEMONIC_MOVUPD, ZYDIS_MNEMONIC_PXOR,
};

static bool straight[ZYDIS_MNEMONIC_MAX_VALUE + 1];
static pthread_once_t straight_once = PTHREAD_ONCE_INIT;

static void build_straight(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(straight_list); i++)
		straight[straight_list[i]] = true;
}

/* Can the block go on after in?  Not if it names a segment, control or
 * debug register (MOV SS, POP SS, MOV CRn: mode, shadow, paging). */
static bool goes_on(const struct x86_insn *in)
{
	int i;

	if (!in->fn || !straight[in->mnemonic])
		return false;
	for (i = 0; i < in->nops; i++) {
		const struct x86_operand *o = &in->op[i];

		if (o->kind == X86_OP_REG && o->rclass != X86_RC_GPR &&
		    o->rclass != X86_RC_FLAGS && o->rclass != X86_RC_XMM &&
		    o->rclass != X86_RC_MMX && o->rclass != X86_RC_ST)
			return false;
	}
	return true;
}

/* Near transfers (not the far forms that share their mnemonics). */
static bool near_branch(const struct x86_insn *in)
{
	switch (in->mnemonic) {
	case ZYDIS_MNEMONIC_JMP:
	case ZYDIS_MNEMONIC_CALL:
		return in->op[0].kind != X86_OP_PTR &&
		       !(in->op[0].kind == X86_OP_MEM && in->opcode == 0xff &&
			 (in->modrm_reg == 3 || in->modrm_reg == 5));
	case ZYDIS_MNEMONIC_RET:
		return in->opcode != 0xca && in->opcode != 0xcb;
	case ZYDIS_MNEMONIC_JCXZ: case ZYDIS_MNEMONIC_JECXZ:
	case ZYDIS_MNEMONIC_JRCXZ: case ZYDIS_MNEMONIC_LOOP:
	case ZYDIS_MNEMONIC_LOOPE: case ZYDIS_MNEMONIC_LOOPNE:
		return true;
	default:
		return x86_is_jcc(in->mnemonic);
	}
}

/* May the next block follow the one ending with in without a look by
 * the run loop?  Straight instructions and near transfers. */
static bool in_chain(const struct x86_insn *in)
{
	return in->fn && (goes_on(in) || near_branch(in));
}

int x86_block_init(struct x86_cpu *cpu)
{
	const char *e = getenv("KVMU_ENGINE");

	pthread_once(&straight_once, build_straight);
	cpu->blocks = calloc(1, sizeof(*cpu->blocks));
	if (!cpu->blocks)
		return -ENOMEM;
	cpu->blocks->on = !(e && (!strcmp(e, "interp") || !strcmp(e, "ref")));
	cpu->blocks->fast = !(e && !strcmp(e, "ref"));
	/* the JIT is the default; KVMU_ENGINE=block turns it off */
	cpu->blocks->jit = !e || !*e || !strcmp(e, "jit");
	e = getenv("KVMU_JIT_HOT");
	cpu->blocks->jit_hot = e ? (u32)strtoul(e, NULL, 0) : JIT_HOT;
	return 0;
}

bool x86_engine_fast(const struct x86_cpu *cpu)
{
	return cpu->blocks && cpu->blocks->fast;
}

void x86_block_flush(struct x86_cpu *cpu)
{
	size_t i;

	if (!cpu->blocks)
		return;
	for (i = 0; i < BLOCK_SLOTS; i++) {
		free(cpu->blocks->slot[i]);
		cpu->blocks->slot[i] = NULL;
	}
	if (cpu->blocks->jb.rw)
		kvmu_jitbuf_flush(&cpu->blocks->jb);
}

void x86_block_fini(struct x86_cpu *cpu)
{
	x86_block_flush(cpu);
	kvmu_jitbuf_fini(&cpu->blocks->jb);
	free(cpu->blocks);
	cpu->blocks = NULL;
}

/* Decode the block at host[off..] (guest-physical gpa); NULL: no memory. */
static struct x86_block *translate(struct x86_cpu *cpu, u64 key,
				   const u8 *host, u32 off)
{
	struct x86_insn tmp[BLOCK_MAX];
	struct x86_block *b;
	u32 pos = off, n = 0;

	while (n < BLOCK_MAX && pos < KVMU_PAGE_SIZE) {
		/* an instruction reaching into the next page is stepped */
		if (!x86_decode_bytes(cpu, host + pos,
				      (u32)KVMU_PAGE_SIZE - pos, cpu->mode,
				      &tmp[n]))
			break;
		pos += tmp[n].len;
		if (!goes_on(&tmp[n++]))
			break;
	}
	b = malloc(sizeof(*b) + n * sizeof(b->insn[0]) + (pos - off));
	if (!b)
		return NULL;
	b->key = key;
	b->n = (u16)n;
	b->chain = n && in_chain(&tmp[n - 1]);
	b->loops = n && (tmp[n - 1].mnemonic == ZYDIS_MNEMONIC_JMP ||
			 x86_is_jcc(tmp[n - 1].mnemonic)) &&
		   tmp[n - 1].op[0].kind == X86_OP_IMM && tmp[n - 1].op[0].rel;
	b->hits = 0;
	b->jit = NULL;
	b->len = (u16)(pos - off);
	memcpy(b->insn, tmp, n * sizeof(b->insn[0]));
	memcpy((u8 *)&b->insn[n], host + off, pos - off);
	b->bytes = (const u8 *)&b->insn[n];
	return b;
}

/* Are the block's bytes still those at p?  Most blocks are short: compare
 * eight bytes at a time without a library call. */
static inline bool same_code(const struct x86_block *b, const u8 *p)
{
	const u8 *q = b->bytes;
	u32 len = b->len;
	u64 x, y;

	for (; len >= 8; len -= 8, p += 8, q += 8) {
		memcpy(&x, p, 8);
		memcpy(&y, q, 8);
		if (x != y)
			return false;
	}
	for (; len; len--)
		if (*p++ != *q++)
			return false;
	return true;
}

/* The block for gpa in the current mode, translated again if stale. */
static struct x86_block *lookup(struct x86_cpu *cpu, u64 gpa, const u8 *host,
				u32 off)
{
	u64 key = (gpa << 4) | ((u64)cpu->mode << 1) | 1;
	u32 h = (u32)((gpa ^ (gpa >> 12) ^ cpu->mode) & (BLOCK_SLOTS - 1));
	struct x86_block **slot = &cpu->blocks->slot[h];
	struct x86_block *b = *slot;

	if (b && b->key == key && same_code(b, host + off))
		return b;
	free(b);
	*slot = b = translate(cpu, key, host, off);
	return b;
}

/* State that needs x86_step's debug bookkeeping (and the run loop's
 * attention between single instructions). */
static bool debug_state(const struct x86_cpu *cpu)
{
	return cpu->interrupt_shadow || (cpu->rflags & (X86_TF | X86_RF)) ||
	       cpu->guest_debug || ((cpu->dr[7] | cpu->hw_bp[7]) & 0xff) ||
	       cpu->mode != cpu->fetch_mode;
}

static bool step_only(const struct x86_cpu *cpu)
{
	return !cpu->blocks->on || debug_state(cpu);
}

/*
 * The interpreter's step when no debug state is live: x86_step without
 * the instruction-breakpoint and trap bookkeeping, which would find
 * nothing (no TF, RF, DR7 or debugger breakpoints, guest debugging).
 */
static enum x86_status interp_step(struct x86_cpu *cpu)
{
	const struct x86_insn *in;
	enum x86_status st;

	if (debug_state(cpu))
		return x86_step(cpu);
	/* what x86_dbg_before leaves when nothing is armed */
	cpu->dbg_resume = false;
	cpu->dbg_hits = 0;
	cpu->dbg_tf = cpu->dbg_rf = false;
	st = x86_fetch_decode(cpu, &in);
	if (st != X86_OK)
		return st;
	return x86_exec_insn(cpu, in);
}

/* Linear address of rip if the whole block [rip, rip+len) is fetchable
 * without a CS fault; false: let x86_step fetch (and fault). */
static bool code_linear(const struct x86_cpu *cpu, u64 *lin)
{
	const struct x86_seg *cs = &cpu->seg[X86_CS];

	if (cpu->mode == X86_MODE_LONG64) {
		*lin = cpu->rip;
		return true;
	}
	if (cs->unusable && cpu->mode != X86_MODE_REAL &&
	    cpu->mode != X86_MODE_VM86)
		return false;
	*lin = (cs->base + cpu->rip) & 0xffffffffULL;
	return true;
}

static bool within_cs(const struct x86_cpu *cpu, u32 len)
{
	const struct x86_seg *cs = &cpu->seg[X86_CS];
	u64 last = cpu->rip + len - 1;
	u64 ipmask;

	if (cpu->mode == X86_MODE_LONG64)
		return true;
	ipmask = cs->db && cpu->mode != X86_MODE_REAL &&
		 cpu->mode != X86_MODE_VM86 ? 0xffffffffULL : 0xffffULL;
	return last <= cs->limit && last <= ipmask;
}

/*
 * Run the block's instructions but the last, which alone may change mode,
 * rip wrap or interrupt state (the block's entry guaranteed no interrupt
 * shadow, TF or breakpoints; straight instructions keep it so, and do not
 * read icount).  Retire them as x86_exec_insn does, counting once at the
 * end.  Returns the index of the instruction to run next (n - 1: the
 * last, run by the caller), or n with *st set when the block ended early.
 */
static u32 straight_end(struct x86_cpu *cpu, const struct x86_block *b,
			u32 i, enum x86_status s, bool stop,
			enum x86_status *st)
{
	if (i) {
		cpu->nr_mmio_done = 0;
		cpu->icount += i;
		cpu->vcpu->stats.instructions += i;
	}
	if (i == b->n - 1u && s == X86_OK && !stop)
		return i;
	if (s != X86_OK)
		x86_insn_status(cpu, &b->insn[i], s, 0);
	*st = s;
	return b->n;
}

static u32 run_straight(struct x86_cpu *cpu, const struct x86_block *b,
			enum x86_status *st)
{
	u64 ipmask = ~0ULL, rip = cpu->rip;
	u32 i, last = b->n - 1;
	const struct x86_insn *in = b->insn;
	enum x86_status s = X86_OK;
	bool stop = false;

	if (cpu->mode != X86_MODE_LONG64)
		ipmask = cpu->seg[X86_CS].db && cpu->mode != X86_MODE_REAL &&
			 cpu->mode != X86_MODE_VM86 ? 0xffffffffULL : 0xffffULL;
	for (i = 0; i < last; i++) {
		in = &b->insn[i];
		s = in->fn(cpu, in);
		if (__builtin_expect(s != X86_OK, 0))
			break;
		rip = (rip + in->len) & ipmask;
		cpu->rip = rip;
		if (__builtin_expect(cpu->nr_mmio_writes || cpu->block_stop,
				     0)) {
			stop = true;
			i++;
			break;
		}
	}
	return straight_end(cpu, b, i, s, stop, st);
}

/* Host code for the block's straight part once it is hot (the default
 * engine or KVMU_ENGINE=jit, 64-bit mode); NULL: run_straight. */
static x86_jit_fn jit_code(struct x86_cpu *cpu, struct x86_block *b)
{
	struct x86_blocks *bs = cpu->blocks;

	if (b->jit && b->jit_gen == bs->jb.gen)
		return b->jit;
	if (!bs->jit || b->n < 2 || cpu->mode != X86_MODE_LONG64 ||
	    ++b->hits < bs->jit_hot)
		return NULL;
	if (!bs->jb.rw && kvmu_jitbuf_init(&bs->jb, JIT_BUF) < 0) {
		bs->jit = false;	/* no memfd or no exec mapping */
		return NULL;
	}
	b->jit = x86_jit_compile(&bs->jb, b->insn, b->n - 1u);
	b->jit_gen = bs->jb.gen;
	b->hits = 0;
	return b->jit;
}

/* run_straight through the block's host code (see x86_jit_fn). */
static u32 run_jit(struct x86_cpu *cpu, const struct x86_block *b,
		   x86_jit_fn fn, enum x86_status *st)
{
	u64 r = fn(cpu, cpu->rip);

	return straight_end(cpu, b, (u32)(r >> 8),
			    (enum x86_status)(r & X86_JIT_STATUS),
			    r & X86_JIT_STOP, st);
}

/* Nothing stops the next block after one that ran to its end: no store
 * into the running block's page, no queued MMIO write, nothing posted by
 * another thread (the in-kernel APIC's attention flag). */
static bool may_go_on(const struct x86_cpu *cpu)
{
	return !cpu->block_stop && !cpu->nr_mmio_writes &&
	       !(cpu->apic && atomic_load_explicit(&cpu->apic->attention,
						   memory_order_relaxed));
}

/* Run one block (or one instruction); *chain: the run loop need not look
 * at anything before the next block (see x86_block_exec).  A JIT block
 * that jumps back to its own start runs again at once, up to JIT_LOOPS
 * times, without the lookup and byte compare: only the guest's stores
 * could change it then, and those to its page stop it (block_stop). */
static enum x86_status block_once(struct x86_cpu *cpu, bool *chain)
{
	struct x86_block *b;
	enum x86_status st = X86_OK;
	x86_jit_fn fn;
	u64 lin, off, rip;
	u32 i, n, k;
	bool again;

	*chain = false;
	if (!cpu->blocks->on)
		return interp_step(cpu);
	if (step_only(cpu) || !code_linear(cpu, &lin))
		return x86_step(cpu);
	off = lin & (KVMU_PAGE_SIZE - 1);
	/* the code page x86_step last fetched from, same mode and CPL */
	if ((cpu->fetch_vpage != ((lin - off) | 1) ||
	     cpu->fetch_cpl != x86_cpl(cpu)) && !x86_fetch_page_hit(cpu, lin))
		return x86_step(cpu);
	b = lookup(cpu, cpu->fetch_gpage + off, cpu->fetch_host, (u32)off);
	if (!b || !b->n || !within_cs(cpu, b->len))
		return x86_step(cpu);
	cpu->code_gpage = cpu->fetch_gpage | 1;
	cpu->block_stop = false;
	/* b may be freed by its last instruction (a flush): keep n, chain */
	n = b->n;
	for (k = 0, rip = cpu->rip;; k++) {
		fn = jit_code(cpu, b);
		i = fn ? run_jit(cpu, b, fn, &st) : run_straight(cpu, b, &st);
		if (i != n - 1)
			break;
		*chain = b->chain;
		again = fn && b->loops;	/* a JMP/Jcc frees nothing */
		st = x86_exec_insn(cpu, &b->insn[i]);
		if (!again || st != X86_JUMP || cpu->rip != rip ||
		    k + 1 >= JIT_LOOPS || !may_go_on(cpu))
			break;
	}
	cpu->code_gpage = 0;
	return st;
}

/*
 * Blocks run back to back while the one that ended was complete and ended
 * in a near jump, call, return or a straight instruction: those change
 * nothing the run loop looks at between units (interrupt flag and shadow,
 * pending events, TF, CR8, queued MMIO writes), so the loop would find
 * nothing new, except what another thread posts (the in-kernel APIC's
 * attention flag: looked at here; kicks and signals: seen at most
 * CHAIN_MAX times later than before: at most 64 units of 8 x 32).
 */
enum x86_status x86_block_exec(struct x86_cpu *cpu)
{
	enum x86_status st;
	unsigned int k = 0;
	bool chain;

	do {
		st = block_once(cpu, &chain);
	} while (chain && ++k < CHAIN_MAX &&
		 (st == X86_OK || st == X86_JUMP) && may_go_on(cpu));
	return st;
}
