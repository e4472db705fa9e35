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
#define CHAIN_MAX	32	/* blocks run through links in a row */
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
	u64 next;		/* the PSW address after it (relocate) */
	bool priv;		/* IF_PRIV (only ever the last record) */
	struct s390_dec d;
};

/* What precedes the records: the logical address and addressing mode the
 * records' addresses are for, and whether the block may rerun itself. */
struct s390_link {
	u64 la;			/* PSW address it was taken for */
	u64 gen;		/* cache generation it is valid in */
	struct kvmu_tblock *b;
};

struct s390_bhead {
	u64 la;
	u64 amode;
	u64 next_la;		/* the address after the last record */
	bool loop;
	bool chain;		/* may continue through a link (run_chain) */
	struct s390_link link[2];	/* [1]: to next_la, [0]: elsewhere */
};

/* build() gives the header the room of one record */
_Static_assert(sizeof(struct s390_bhead) <= sizeof(struct s390_brec),
	       "block header larger than a record");

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
	/* BCR m,0: no branch, but BCR 14/15,0 serialize (cross-modified
	 * code must be seen after them: the chain ends, the next entry
	 * compares) */
	if (fn == op_bcr && d->r2 == 0)
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
	struct s390_bhead *h;

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
	/* the header takes the place of one record (it is smaller) */
	b = kvmu_tblock_new(sizeof(rec[0]), n + 1, buf, pos);
	if (!b)
		return NULL;
	b->n = n;
	h = (struct s390_bhead *)(void *)b->rec;
	memset(h, 0, sizeof(*h));
	h->link[0].la = h->link[1].la = 1;	/* no link yet */
	h->loop = rel_branch(d);
	h->chain = rel_branch(d) || !ends_block(d);
	h->la = 1;		/* odd: no PSW address, relocate first */
	memcpy(h + 1, rec, sizeof(rec[0]) * n);
	return b;
}

/*
 * Give the records the logical addresses they run at: a block is keyed by
 * absolute address, so the same code reached through another mapping or
 * addressing mode runs here with its addresses rewritten first.
 */
static void relocate(struct s390_cpu *c, struct s390_bhead *h,
		     struct s390_brec *r, u32 n)
{
	u64 ia = c->addr;
	u32 i;

	h->la = c->addr;
	h->amode = c->mask & (PSW_EA | PSW_BA);
	for (i = 0; i < n; i++, r++) {
		r->d.ia = ia;
		ia = s390_wrap(c, ia + r->d.ilen);
		r->next = ia;
	}
	h->next_la = ia;
}

/*
 * Run the block's instructions from the PSW; the s390_step() contract.
 * Only an instruction that ends its block (ends_block) changes the PSW
 * mask other than the CC or reads the instruction address and length the
 * CPU keeps for interruptions (c->ia, c->ilen: SVC, BAL), so those are
 * set for the last record only, and for one that faults.
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
	struct s390_bhead *h = (struct s390_bhead *)(void *)b->rec;
	struct s390_brec *first = (struct s390_brec *)(h + 1);
	struct s390_brec *r = first, *last = first + b->n - 1;
	u64 count = 0;
	unsigned int reps = 0;
	int rc = 0;

	if (unlikely(h->la != c->addr ||
		     h->amode != (c->mask & (PSW_EA | PSW_BA))))
		relocate(c, h, first, b->n);
	c->code_page = abs | 1;
	c->block_stop = false;
	for (;;) {
		c->addr = r->next;
		count++;
		if (r == last) {
			c->ia = r->d.ia;
			c->ilen = r->d.ilen;
			if (r->priv && (c->mask & PSW_PSTATE)) {
				rc = s390_program_irq(c, PGM_PRIVILEGED, false);
				break;
			}
		}
		rc = r->fn(c, &r->d);
		if (unlikely(rc)) {
			c->ia = r->d.ia;
			c->ilen = r->d.ilen;
			if (rc > 0 && rc < S390_EXIT)
				rc = s390_program_irq(c, (u16)rc,
						      s390_nullifying(rc));
			break;
		}
		if (unlikely(c->block_stop))
			break;
		if (c->addr != r->next) {
			if (c->addr != h->la || !h->loop ||
			    ++reps >= SELF_LOOP_MAX)
				break;
			r = first;
			continue;
		}
		if (r++ == last)
			break;
	}
	c->code_page = 0;
	c->vcpu->stats.instructions += count;
	return rc;
}

/*
 * The block at the PSW address within the page of the block h just ran,
 * through h's link when it is of this cache generation, else looked up
 * (with the compare) and linked; NULL to leave it to the run loop.
 */
static struct kvmu_tblock *chain(struct s390_cpu *c, struct s390_bhead *h,
				 u64 abs, const u8 *host)
{
	struct s390_link *l = &h->link[c->addr == h->next_la];
	u64 off = c->addr & 0xfff;
	struct kvmu_tblock *b;

	if (l->la == c->addr && l->gen == c->blocks.gen)
		return l->b;
	b = kvmu_tblocks_find(&c->blocks, kvmu_tblock_key(abs + off, 0),
			      host + off);
	if (b) {
		l->la = c->addr;
		l->gen = c->blocks.gen;
		l->b = b;
	}
	return b;
}

/*
 * Blocks of one page run one after the other through their links,
 * without the lookup and the compare, up to CHAIN_MAX of them: that is
 * exact for this CPU's own stores (a store into the page stops the
 * chain), for the VMM's writes between KVM_RUNs (a KVM_RUN starts a new
 * cache generation, which drops every link) and for writes by other
 * threads within the bound, as for the self-loop.  Only a block that
 * ended in a relative branch or ran out (not in ends_block) chains: the
 * PSW mask and the translation are then those it started with.
 */
static int run_chain(struct s390_cpu *c, struct kvmu_tblock *b, u64 abs,
		     const u8 *host)
{
	struct s390_bhead *h;
	unsigned int n;
	int rc;

	for (n = 0;; n++) {
		rc = exec(c, b, abs);
		h = (struct s390_bhead *)(void *)b->rec;
		if (rc || c->block_stop || !h->chain || n >= CHAIN_MAX ||
		    (c->addr ^ h->la) >> 12)
			return rc;
		b = chain(c, h, abs, host);
		if (!b)
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
	return run_chain(c, b, t->abs, t->host);
}

void s390_blocks_new_run(struct s390_cpu *c)
{
	kvmu_tblocks_new_gen(&c->blocks);
}
