// SPDX-License-Identifier: MIT
/*
 * Translated blocks for the s390x CPU: the instructions from the PSW
 * address to the first unconditional branch, call, PSW-changing or
 * privileged instruction, within one page and at most BLOCK_MAX long,
 * decoded once and run in a row.  Blocks live in the core's block cache
 * (tblock.h), keyed by the absolute address of their first byte and
 * confirmed at every entry by comparing their bytes with storage.
 *
 * Nothing in the PSW changes how z/Architecture bytes decode (the
 * addressing mode only wraps addresses, which the handlers do at run
 * time; the facility list is fixed once a vCPU exists), so the mode word
 * of the key is 0.  The logical address a block runs at is the PSW's:
 * the same code mapped twice is one block.
 *
 * A block stops early, after the instruction that did it, when that
 * instruction branched (the PSW address is not the next one), changed
 * the PSW mask other than the condition code, faulted, exited to user
 * space, or stored into the block's own page (s390_code_store).  So
 * faults, exits and self-modifying code are exact at instruction
 * boundaries, and a conditional branch that is not taken runs on.
 * Interruptions, kicks and timers are looked at between blocks only (the
 * run loop, cpu.c): an instruction that could enable an interruption
 * (SSM, STOSM, LPSW(E), LCTL(G), SPX ...) is privileged or changes the
 * mask, and ends its block.  See docs/engine.md.
 */
#include <stdlib.h>
#include <string.h>

#include "s390.h"

#define BLOCK_SLOTS	2048	/* direct-mapped, power of two */
#define BLOCK_MAX	32	/* instructions per block */
#define SELF_LOOP_MAX	16	/* runs of a loop block without a lookup */
#define PSW_CC_MASK	(3ULL << PSW_CC_SHIFT)

void s390_blocks_init(struct s390_cpu *c)
{
	const char *e = getenv("KVMU_ENGINE");

	c->blocks_on = !e || strcmp(e, "interp");
}

void s390_blocks_free(struct s390_cpu *c)
{
	kvmu_tblocks_free(&c->blocks);
}

void s390_blocks_flush(struct s390_cpu *c)
{
	kvmu_tblocks_flush(&c->blocks);
}

/* A decoded instruction and what the block loop calls. */
struct s390_brec {
	s390_op_fn fn;
	bool priv;		/* IF_PRIV */
	struct s390_dec d;
};

/* Relative branches (they change nothing but the PSW address and, for
 * the counting ones, a GPR); a backward one closes a loop. */
static bool rel_branch(const struct s390_dec *d)
{
	static const s390_op_fn rel[] = {
		op_brc, op_brct, op_brctg, op_brxh, op_brxle, op_brxhg,
		op_brxlg, op_crj, op_cgrj, op_clrj, op_clgrj, op_cij, op_cgij,
		op_clij, op_clgij,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rel); i++)
		if (d->in->fn == rel[i])
			return true;
	return false;
}

/* Instructions after which decoding stops: where the next one is not
 * (likely) the next bytes, or the PSW or control state changes. */
static bool ends_block(const struct s390_dec *d)
{
	static const s390_op_fn ends[] = {
		op_balr, op_bal, op_basr, op_bas, op_bras, op_bsm, op_bassm,
		op_ex, op_exrl, op_svc, op_sam, op_spm, op_sac, op_spka,
		op_diag, op_sigp, op_servc, op_stsi, op_io,
	};
	s390_op_fn fn = d->in->fn;
	size_t i;

	if (d->in->flags & IF_PRIV)
		return true;
	if ((fn == op_bcr || fn == op_bc || fn == op_brc) && d->r1 == 15)
		return true;
	for (i = 0; i < ARRAY_SIZE(ends); i++)
		if (fn == ends[i])
			return true;
	/* decoding stops at a backward branch: a loop is exactly one block
	 * (what follows it runs once) */
	return rel_branch(d) && d->ri <= 0;
}

/* Decode a new block from the bytes at p (page offset off); NULL when not
 * even its first instruction can be in one (the caller steps it).  An
 * instruction whose facility the CPU model lacks is never in a block
 * (its operation exception comes from s390_step); the list is fixed
 * once a vCPU exists. */
static struct kvmu_tblock *build(struct s390_cpu *c, const u8 *p, u64 off)
{
	u8 buf[BLOCK_MAX * 6];
	struct s390_brec rec[BLOCK_MAX];
	struct s390_dec *d = NULL;
	u32 n = 0, pos = 0, avail = (u32)(4096 - off), len;
	const struct s390_insn *in;
	struct kvmu_tblock *b;

	/* decode from a private copy: the guest may be rewriting p */
	if (avail > sizeof(buf))
		avail = sizeof(buf);
	memcpy(buf, p, avail);
	while (n < BLOCK_MAX && pos + 2 <= avail) {
		len = s390_ilen(buf[pos]);
		if (pos + len > avail)
			break;
		in = s390_lookup(buf + pos);
		if (!in || (in->fac && !s390_fac(c->vm, in->fac)))
			break;
		d = &rec[n].d;
		s390_decode(in, buf + pos, d);
		rec[n].fn = in->fn;
		rec[n].priv = in->flags & IF_PRIV;
		n++;
		pos += len;
		if (ends_block(d))
			break;
	}
	if (!n)
		return NULL;
	b = kvmu_tblock_new(sizeof(rec[0]), n, buf, pos);
	if (!b)
		return NULL;
	memcpy(b->rec, rec, sizeof(rec[0]) * n);
	b->loop = rel_branch(d);
	return b;
}

/*
 * Run the block's instructions from the PSW; the s390_step() contract.
 * Only an instruction that ends its block (ends_block) changes the PSW
 * mask other than the CC, so the mask needs no check inside the loop.
 *
 * A block whose last instruction is a relative branch back to its own
 * start (a loop) runs again without the lookup and the compare, at most
 * SELF_LOOP_MAX times per entry: nothing in it changed the mask or the
 * translation, a guest store into its page stops it (block_stop), and a
 * write or an interruption from another thread is seen within that
 * bound, as between any two blocks.
 */
static int exec(struct s390_cpu *c, struct kvmu_tblock *b, u64 abs)
{
	struct s390_brec *first = (struct s390_brec *)(void *)b->rec;
	struct s390_brec *r = first, *end = first + b->n;
	u64 ia, next, start = c->addr, count = 0;
	unsigned int reps = 0;
	int rc = 0;

	c->code_page = abs | 1;
	c->block_stop = false;
	for (;;) {
		ia = c->addr;
		c->ia = ia;
		c->ilen = r->d.ilen;
		next = s390_wrap(c, ia + r->d.ilen);
		c->addr = next;
		r->d.ia = ia;
		count++;
		if (unlikely(r->priv && (c->mask & PSW_PSTATE)))
			rc = PGM_PRIVILEGED;
		else
			rc = r->fn(c, &r->d);
		if (unlikely(rc)) {
			if (rc > 0 && rc < S390_EXIT)
				rc = s390_program_irq(c, (u16)rc,
						      s390_nullifying(rc));
			break;
		}
		if (unlikely(c->block_stop))
			break;
		if (c->addr != next) {
			if (c->addr != start || !b->loop ||
			    ++reps >= SELF_LOOP_MAX)
				break;
			r = first;
			continue;
		}
		if (++r == end)
			break;
	}
	c->code_page = 0;
	c->vcpu->stats.instructions += count;
	return rc;
}

int s390_block_run(struct s390_cpu *c)
{
	const struct s390_tlbe *t;
	struct kvmu_tblock *b;
	u64 off, key;

	if (!c->blocks_on || !s390_psw_valid(c->mask, c->addr) ||
	    (c->addr & 1) || (c->mask & PSW_KEY) ||
	    atomic_load_explicit(&c->vm->skeys_enabled,
				 memory_order_relaxed))
		return s390_step(c);
	t = s390_tlb_hit(c, c->addr, 0);
	if (!t) {
		/* translate (and fill the TLB) without fetching anything */
		if (s390_access(c, c->addr, NULL, 2, ACC_IFETCH, -1))
			return s390_step(c);
		t = s390_tlb_hit(c, c->addr, 0);
		if (!t)
			return s390_step(c);
	}
	if (!c->blocks.slot && kvmu_tblocks_init(&c->blocks, BLOCK_SLOTS))
		return s390_step(c);
	off = c->addr & 0xfff;
	key = kvmu_tblock_key(t->abs + off, 0);
	b = kvmu_tblocks_find(&c->blocks, key, t->host + off);
	if (!b) {
		b = build(c, t->host + off, off);
		if (!b)
			return s390_step(c);
		kvmu_tblocks_insert(&c->blocks, key, b);
	}
	return exec(c, b, t->abs);
}
