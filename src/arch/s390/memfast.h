/* SPDX-License-Identifier: MIT */
/*
 * The fast path of s390x storage access (included by s390.h): a hit in
 * the software TLB is a host pointer the access may use directly when
 * none of the checks the slow path (mem.c) makes per access can refuse
 * or record anything: PSW key 0 (key-controlled protection passes),
 * storage keys not in use (no reference/change bits to set), not the
 * low-address pages of a store while low-address protection is on, and
 * the access within one page.  DAT protection and the slot are folded
 * into the TLB entry itself (a store entry exists only for a writable
 * page).  Stores then mark the dirty log and the running block's page
 * exactly as the slow path does.  Anything else goes to s390_access().
 */
#ifndef KVMU_S390_MEMFAST_H
#define KVMU_S390_MEMFAST_H

/* The TLB tag of logical address la in the current translation mode. */
static inline u64 s390_tlb_tag(const struct s390_cpu *c, u64 la)
{
	u64 ctx = (c->mask & PSW_DAT) ? 1 | ((c->mask & PSW_AS) >> 45) : 0;

	return (la & ~0xfffULL) | ctx | 8;
}

/* The TLB entry for la (w: store entries), or NULL on a miss. */
static inline const struct s390_tlbe *s390_tlb_hit(const struct s390_cpu *c,
						   u64 la, int w)
{
	const struct s390_tlbe *t = &c->tlb[w][(la >> 12) % S390_TLB_SIZE];

	return t->tag == s390_tlb_tag(c, la) ? t : NULL;
}

/*
 * A store to absolute [abs, abs+len) within one page: end the running
 * block after this instruction if it hits the block's page (self-
 * modifying code; the next block entry compares the bytes again).
 */
static inline void s390_code_store(struct s390_cpu *c, u64 abs)
{
	if (unlikely(c->code_page && (abs >> 12) == (c->code_page >> 12)))
		c->block_stop = true;
}

/* The TLB entry an access of len bytes at la may use directly, or NULL. */
static inline const struct s390_tlbe *s390_fast(struct s390_cpu *c, u64 la,
						u64 len, int w)
{
	if (unlikely((la & 0xfff) + len > 4096 || (c->mask & PSW_KEY)))
		return NULL;
	if (w && unlikely(la < 8192) && (c->crs[0] & CR0_LAP))
		return NULL;
	if (atomic_load_explicit(&c->vm->skeys_enabled, memory_order_relaxed))
		return NULL;
	return s390_tlb_hit(c, la, w);
}

/* After a direct store through t: the dirty log and the block check. */
static inline void s390_fast_stored(struct s390_cpu *c,
				    const struct s390_tlbe *t)
{
	if (t->slot->dirty)
		kvmu_memslot_mark_dirty(t->slot, t->abs);
	s390_code_store(c, t->abs);
}

static inline int s390_read(struct s390_cpu *c, u64 la, void *buf, u64 len)
{
	const struct s390_tlbe *t = s390_fast(c, la, len, 0);

	if (!t)
		return s390_access(c, la, buf, len, ACC_FETCH, -1);
	memcpy(buf, t->host + (la & 0xfff), len);
	return 0;
}

static inline int s390_write(struct s390_cpu *c, u64 la, const void *buf,
			     u64 len)
{
	const struct s390_tlbe *t = s390_fast(c, la, len, 1);

	if (!t)
		return s390_access(c, la, (void *)buf, len, ACC_STORE, -1);
	memcpy(t->host + (la & 0xfff), buf, len);
	s390_fast_stored(c, t);
	return 0;
}

static inline int s390_rd8(struct s390_cpu *c, u64 la, u8 *v)
{
	return s390_read(c, la, v, 1);
}

static inline int s390_rd16(struct s390_cpu *c, u64 la, u16 *v)
{
	u8 b[2];

	TRY(s390_read(c, la, b, 2));
	*v = be16(b);
	return 0;
}

static inline int s390_rd32(struct s390_cpu *c, u64 la, u32 *v)
{
	u8 b[4];

	TRY(s390_read(c, la, b, 4));
	*v = be32(b);
	return 0;
}

static inline int s390_rd64(struct s390_cpu *c, u64 la, u64 *v)
{
	u8 b[8];

	TRY(s390_read(c, la, b, 8));
	*v = be64(b);
	return 0;
}

static inline int s390_wr8(struct s390_cpu *c, u64 la, u8 v)
{
	return s390_write(c, la, &v, 1);
}

static inline int s390_wr16(struct s390_cpu *c, u64 la, u16 v)
{
	u8 b[2];

	put_be16(b, v);
	return s390_write(c, la, b, 2);
}

static inline int s390_wr32(struct s390_cpu *c, u64 la, u32 v)
{
	u8 b[4];

	put_be32(b, v);
	return s390_write(c, la, b, 4);
}

static inline int s390_wr64(struct s390_cpu *c, u64 la, u64 v)
{
	u8 b[8];

	put_be64(b, v);
	return s390_write(c, la, b, 8);
}

#endif /* KVMU_S390_MEMFAST_H */
