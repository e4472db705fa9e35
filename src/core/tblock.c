// SPDX-License-Identifier: MIT
/*
 * The translated-block cache (tblock.h): allocation, insertion and
 * flushing.  The lookup with its byte compare is inline in the header.
 */
#include <errno.h>
#include <stdlib.h>

#include "tblock.h"

int kvmu_tblocks_init(struct kvmu_tblocks *tc, u32 nslots)
{
	if (!nslots || (nslots & (nslots - 1)))
		return -EINVAL;
	tc->slot = calloc(nslots, sizeof(*tc->slot));
	if (!tc->slot)
		return -ENOMEM;
	tc->mask = nslots - 1;
	return 0;
}

void kvmu_tblocks_flush(struct kvmu_tblocks *tc)
{
	u32 i;

	tc->gen++;
	if (!tc->slot)
		return;
	for (i = 0; i <= tc->mask; i++) {
		free(tc->slot[i]);
		tc->slot[i] = NULL;
	}
}

void kvmu_tblocks_free(struct kvmu_tblocks *tc)
{
	kvmu_tblocks_flush(tc);
	free(tc->slot);
	tc->slot = NULL;
	tc->mask = 0;
}

struct kvmu_tblock *kvmu_tblock_new(size_t rec_size, u32 n, const u8 *host,
				    u32 len)
{
	size_t recs = rec_size * n;
	struct kvmu_tblock *b = malloc(sizeof(*b) + recs + len);

	if (!b)
		return NULL;
	b->key = 0;
	b->n = n;
	b->len = len;
	memcpy(b->rec + recs, host, len);
	b->bytes = b->rec + recs;
	return b;
}

void kvmu_tblocks_insert(struct kvmu_tblocks *tc, u64 key,
			 struct kvmu_tblock *b)
{
	struct kvmu_tblock **s = &tc->slot[kvmu_tblocks_index(tc, key)];

	free(*s);
	tc->gen++;
	b->key = key;
	*s = b;
}
