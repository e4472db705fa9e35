/* SPDX-License-Identifier: MIT */
/*
 * The translated-block cache shared by the software CPUs: a direct-mapped
 * table of blocks keyed by guest-physical address and an architecture
 * mode word, each holding the architecture's decoded records and a copy
 * of the guest bytes they were decoded from.  A block is a pure function
 * of its bytes and its mode, so a lookup confirms it by comparing the
 * copy with guest memory: whoever wrote the bytes (the guest, another
 * vCPU, the VMM through its own mapping) the compare sees it.  One cache
 * per vCPU; no locking.  See docs/engine.md.
 */
#ifndef KVMU_TBLOCK_H
#define KVMU_TBLOCK_H

#include <stddef.h>
#include <string.h>

#include "kvmu_int.h"

struct kvmu_tblock {
	u64 key;		/* kvmu_tblock_key(); 0 = empty */
	u32 len;		/* guest bytes covered */
	u32 n;			/* records */
	const u8 *bytes;	/* copy of the guest bytes, after the records */
	/* the architecture's records follow (max_align_t aligned) */
	_Alignas(max_align_t) unsigned char rec[];
};

struct kvmu_tblocks {
	u32 mask;		/* slots - 1 (power of two), 0: not set up */
	u64 gen;		/* generation: links of another one are void */
	struct kvmu_tblock **slot;
};

/* The key of a block at guest-physical gpa (< 2^51) decoded in mode
 * (0..4095); never 0. */
static inline u64 kvmu_tblock_key(u64 gpa, unsigned int mode)
{
	return gpa << 13 | (u64)(mode & 0xfff) << 1 | 1;
}

/* Allocate a cache of nslots (power of two) slots; 0 or -ENOMEM. */
int kvmu_tblocks_init(struct kvmu_tblocks *tc, u32 nslots);
/* Free every block and the table; the cache is left unset. */
void kvmu_tblocks_free(struct kvmu_tblocks *tc);
/* Drop every block (memory-slot changes, resets). */
void kvmu_tblocks_flush(struct kvmu_tblocks *tc);
/*
 * A new block of n records of rec_size bytes and a copy of len guest bytes
 * at host; NULL when memory runs out.  The caller fills the records and
 * hands it to kvmu_tblocks_insert().
 */
struct kvmu_tblock *kvmu_tblock_new(size_t rec_size, u32 n, const u8 *host,
				    u32 len);
/*
 * Start a new generation: an architecture's direct links between blocks
 * (taken without the compare) are valid within one generation only.
 * Every insertion and flush starts one (a linked block may be gone); the
 * architecture starts one where guest memory may have changed behind the
 * vCPU's back (the VMM between two KVM_RUNs).
 */
static inline void kvmu_tblocks_new_gen(struct kvmu_tblocks *tc)
{
	tc->gen++;
}

/* Put b in its slot (freeing the previous occupant) under key. */
void kvmu_tblocks_insert(struct kvmu_tblocks *tc, u64 key,
			 struct kvmu_tblock *b);

static inline u32 kvmu_tblocks_index(const struct kvmu_tblocks *tc, u64 key)
{
	u64 h = key >> 14;	/* gpa >> 1: instructions are 2-aligned */

	return (u32)(h ^ h >> 11) & tc->mask;
}

/* Do len bytes at a and b match?  Eight at a time: blocks are short. */
static inline bool kvmu_tblock_same(const u8 *a, const u8 *b, u32 len)
{
	u64 x, y;
	u32 i;

	if (len < 8)
		return !memcmp(a, b, len);
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return false;
	}
	if (i == len)
		return true;
	memcpy(&x, a + len - 8, 8);	/* the tail, overlapping */
	memcpy(&y, b + len - 8, 8);
	return x == y;
}

/*
 * The block of key whose bytes still equal the guest bytes at host, or
 * NULL (none, another key, or stale).  host must have the block's length
 * readable, which a block within one guest page guarantees.
 */
static inline struct kvmu_tblock *kvmu_tblocks_find(struct kvmu_tblocks *tc,
						    u64 key, const u8 *host)
{
	struct kvmu_tblock *b = tc->slot[kvmu_tblocks_index(tc, key)];

	if (!b || b->key != key || !kvmu_tblock_same(b->bytes, host, b->len))
		return NULL;
	return b;
}

#endif /* KVMU_TBLOCK_H */
