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

/* Relative branches: a backward one closes a loop, and decoding stops
 * there so the loop is exactly one block (what follows runs once). */
static bool backward_branch(const struct s390_dec *d)
{
	static const s390_op_fn rel[] = {
		op_brc, op_brct, op_brctg, op_brxh, op_brxle, op_brxhg,
		op_brxlg, op_crj, op_cgrj, op_clrj, op_clgrj, op_cij, op_cgij,
		op_clij, op_clgij,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(rel); i++)
		if (d->in->fn == rel[i])
			return d->ri <= 0;
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
	return backward_branch(d);
}

/* Decode a new block from the bytes at p (page offset off); NULL when not
 * even its first instruction can be in one (the caller steps it).  An
 * instruction whose facility the CPU model lacks is never in a block
 * (its operation exception comes from s390_step); the list is fixed
 * once a vCPU exists. */
static struct kvmu_tblock *build(struct s390_cpu *c, const u8 *p, u64 off)
{
	u8 buf[BLOCK_MAX * 6];
	struct s390_dec dec[BLOCK_MAX];
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
		s390_decode(in, buf + pos, &dec[n]);
		pos += len;
		if (ends_block(&dec[n++]))
			break;
	}
	if (!n)
		return NULL;
	b = kvmu_tblock_new(sizeof(dec[0]), n, buf, pos);
	if (b)
		memcpy(b->rec, dec, sizeof(dec[0]) * n);
	return b;
}

/* Run the block's instructions from the PSW; the step() contract. */
static int exec(struct s390_cpu *c, struct kvmu_tblock *b, u64 abs)
{
	struct s390_dec *d = (struct s390_dec *)(void *)b->rec;
	u32 i, n = b->n;
	u64 ia, next, mask;
	int rc = 0;

	c->code_page = abs | 1;
	c->block_stop = false;
	for (i = 0; i < n; i++, d++) {
		ia = c->addr;
		mask = c->mask;
		c->ia = ia;
		c->ilen = d->ilen;
		next = s390_wrap(c, ia + d->ilen);
		c->addr = next;
		d->ia = ia;
		if (unlikely((d->in->flags & IF_PRIV) &&
			     (c->mask & PSW_PSTATE)))
			rc = PGM_PRIVILEGED;
		else
			rc = d->in->fn(c, d);
		if (unlikely(rc)) {
			if (rc > 0 && rc < S390_EXIT)
				rc = s390_program_irq(c, (u16)rc,
						      s390_nullifying(rc));
			i++;
			break;
		}
		if (c->addr != next || ((c->mask ^ mask) & ~PSW_CC_MASK) ||
		    c->block_stop) {
			i++;
			break;
		}
	}
	c->code_page = 0;
	c->vcpu->stats.instructions += i;
	return rc;
}

/* Nothing is pending that the run loop would deliver. */
static bool irqs_idle(struct s390_cpu *c)
{
	return !atomic_load_explicit(&c->irqs, memory_order_relaxed) &&
	       !atomic_load_explicit(&c->vm->service_pending,
				     memory_order_relaxed) &&
	       !atomic_load_explicit(&c->vm->io_pending, memory_order_relaxed);
}

/*
 * A block that branched back to its own start (a loop) runs again without
 * the lookup and the compare, while the PSW mask (but the CC) and the
 * page's translation are unchanged, nothing is pending and the guest did
 * not store into the page, at most SELF_LOOP_MAX times: a write by another
 * thread is seen within that bound, as between any two blocks.
 */
static int exec_loop(struct s390_cpu *c, struct kvmu_tblock *b,
		     const struct s390_tlbe *t)
{
	u64 start = c->addr, mask = c->mask, abs = t->abs;
	const u8 *host = t->host;
	int reps, rc;

	for (reps = 0;; reps++) {
		rc = exec(c, b, abs);
		if (rc || c->addr != start || c->block_stop ||
		    ((c->mask ^ mask) & ~PSW_CC_MASK) ||
		    reps >= SELF_LOOP_MAX || !irqs_idle(c))
			return rc;
		t = s390_tlb_hit(c, start, 0);
		if (!t || t->abs != abs || t->host != host)
			return 0;
	}
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
	return exec_loop(c, b, t);
}
