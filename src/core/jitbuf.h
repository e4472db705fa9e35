/* SPDX-License-Identifier: MIT */
/*
 * A buffer for host code made at run time (a JIT back end), arch-neutral.
 * W^X by a dual mapping: one memfd mapped twice, read-write where code is
 * written and read-execute where it runs, so no page is ever writable and
 * executable in the same mapping and no mprotect is needed per block.
 * Bounded: when full, the whole buffer is flushed and its generation
 * bumped; a user keeps the generation with each code pointer and treats a
 * pointer of another generation as gone.  One buffer per vCPU, no locking.
 */
#ifndef KVMU_JITBUF_H
#define KVMU_JITBUF_H

#include <stddef.h>

#include "kvmu_int.h"

struct kvmu_jitbuf {
	u8 *rw;			/* writable view */
	u8 *rx;			/* executable view of the same pages */
	size_t size;		/* bytes in each view */
	size_t used;		/* bytes handed out */
	u32 gen;		/* bumped by every flush */
};

/* Map a buffer of size bytes (a multiple of the page size); 0 or -errno. */
int kvmu_jitbuf_init(struct kvmu_jitbuf *jb, size_t size);

/* Unmap the buffer (safe on a zeroed or already released one). */
void kvmu_jitbuf_fini(struct kvmu_jitbuf *jb);

/* Where the next code may be written, and *room its free bytes. */
static inline u8 *kvmu_jitbuf_cursor(struct kvmu_jitbuf *jb, size_t *room)
{
	*room = jb->size - jb->used;
	return jb->rw + jb->used;
}

/* Keep len bytes written at the cursor; returns their executable address. */
const void *kvmu_jitbuf_commit(struct kvmu_jitbuf *jb, size_t len);

/* Drop all code: every pointer handed out so far is void. */
void kvmu_jitbuf_flush(struct kvmu_jitbuf *jb);

#endif /* KVMU_JITBUF_H */
