// SPDX-License-Identifier: MIT
/*
 * Host code buffer for JIT back ends: a memfd mapped read-write and
 * read-execute (see jitbuf.h for why a dual mapping).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/jitbuf.h"

int kvmu_jitbuf_init(struct kvmu_jitbuf *jb, size_t size)
{
	int fd, err = 0;

	jb->rw = jb->rx = NULL;
	jb->size = jb->used = 0;
	fd = memfd_create("kvmu-jit", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) < 0) {
		err = -errno;
		goto out;
	}
	jb->rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (jb->rw == MAP_FAILED) {
		err = -errno;
		jb->rw = NULL;
		goto out;
	}
	jb->rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	if (jb->rx == MAP_FAILED) {
		err = -errno;
		munmap(jb->rw, size);
		jb->rw = jb->rx = NULL;
		goto out;
	}
	jb->size = size;
out:
	close(fd);
	return err;
}

void kvmu_jitbuf_fini(struct kvmu_jitbuf *jb)
{
	if (jb->rw)
		munmap(jb->rw, jb->size);
	if (jb->rx)
		munmap(jb->rx, jb->size);
	jb->rw = jb->rx = NULL;
	jb->size = jb->used = 0;
}

const void *kvmu_jitbuf_commit(struct kvmu_jitbuf *jb, size_t len)
{
	const void *code = jb->rx + jb->used;

	/* 16-byte aligned starts for the host's instruction fetch */
	jb->used += (len + 15) & ~(size_t)15;
	if (jb->used > jb->size)
		jb->used = jb->size;
	return code;
}

void kvmu_jitbuf_flush(struct kvmu_jitbuf *jb)
{
	jb->used = 0;
	jb->gen++;
}
