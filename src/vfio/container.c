// SPDX-License-Identifier: MIT
/*
 * The VFIO container, /dev/vfio/vfio, with the one IOMMU driver a vfio_ap
 * mdev group can use: type1 (v1 and v2).  An mdev's group is an
 * "emulated IOMMU" group, so the container has no IOMMU domain: the
 * kernel then keeps DMA mappings as bookkeeping only, pins nothing and
 * reports an empty IOVA range list.  kvmu does the same, with the
 * kernel's checks and errno (container.c, vfio_iommu_type1.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "vfio_int.h"
#include "handlers.h"

#define VFIO_PGSIZE		4096ULL
#define VFIO_PGSIZE_BITMAP	(~(VFIO_PGSIZE - 1))	/* PAGE_MASK */
#define VFIO_DMA_ENTRY_LIMIT	65535u			/* dma_entry_limit */
/* DIRTY_BITMAP_BYTES(INT_MAX pages) */
#define VFIO_DIRTY_BITMAP_MAX	((((u64)INT_MAX + 63) & ~63ULL) / 8)

#define offsetofend(t, m) (offsetof(t, m) + sizeof(((t *)0)->m))

static struct kvmu_vfio_container *to_container(struct kvmu_obj *obj)
{
	return (struct kvmu_vfio_container *)obj;
}

static void container_destroy(struct kvmu_obj *obj)
{
	struct kvmu_vfio_container *c = to_container(obj);

	pthread_mutex_destroy(&c->lock);
	free(c->dma);
	free(c);
}

int kvmu_vfio_container_open(int cloexec)
{
	struct kvmu_vfio_container *c = calloc(1, sizeof(*c));
	int fd;

	if (!c)
		return -ENOMEM;
	c->obj.kind = KVMU_OBJ_VFIO_CONTAINER;
	c->obj.destroy = container_destroy;
	pthread_mutex_init(&c->lock, NULL);
	fd = kvmu_obj_install(&c->obj, "vfio", 0, cloexec);
	if (fd < 0)
		container_destroy(&c->obj);
	return fd;
}

int kvmu_vfio_container_attach(struct kvmu_vfio_container *c)
{
	pthread_mutex_lock(&c->lock);
	c->nr_groups++;
	pthread_mutex_unlock(&c->lock);
	kvmu_obj_ref(&c->obj);
	return 0;
}

/* Detaching the last group deprivileges the container: no IOMMU. */
void kvmu_vfio_container_detach(struct kvmu_vfio_container *c)
{
	pthread_mutex_lock(&c->lock);
	if (--c->nr_groups == 0 && c->iommu) {
		c->iommu = 0;
		c->nr_dma = 0;
		c->dirty_tracking = false;
	}
	pthread_mutex_unlock(&c->lock);
	kvmu_obj_put(&c->obj);
}

bool kvmu_vfio_container_has_iommu(struct kvmu_vfio_container *c)
{
	bool ret;

	pthread_mutex_lock(&c->lock);
	ret = c->iommu != 0;
	pthread_mutex_unlock(&c->lock);
	return ret;
}

long kvmu_vfio_container_unknown(struct kvmu_obj *obj)
{
	/* unknown requests pass to the IOMMU driver, if there is one */
	return kvmu_vfio_container_has_iommu(to_container(obj)) ? -ENOTTY :
		-EINVAL;
}

long vfio_get_api_version(struct kvmu_obj *obj KVMU_UNUSED,
			  struct kvmu_ioctl_req *r KVMU_UNUSED)
{
	return VFIO_API_VERSION;
}

/* vfio_iommu_type1_check_extension(); iommu: a type is set. */
static long type1_extension(bool iommu, unsigned long ext)
{
	switch (ext) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	case VFIO_UPDATE_VADDR:
		return 0;	/* never with an mdev (emulated) group */
	case VFIO_DMA_CC_IOMMU:
		return iommu;	/* no domain can lack cache coherency */
	default:
		return 0;
	}
}

long vfio_check_extension(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return type1_extension(kvmu_vfio_container_has_iommu(to_container(obj)),
			       r->uarg);
}

long vfio_set_iommu(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vfio_container *c = to_container(obj);
	long ret;

	pthread_mutex_lock(&c->lock);
	if (!c->nr_groups || c->iommu)
		ret = -EINVAL;
	else if (type1_extension(false, r->uarg) <= 0)
		ret = -ENODEV;		/* no driver offers it */
	else if (r->uarg != VFIO_TYPE1_IOMMU && r->uarg != VFIO_TYPE1v2_IOMMU)
		ret = -EINVAL;		/* type1's open() refuses */
	else {
		c->iommu = r->uarg;
		c->dma_avail = VFIO_DMA_ENTRY_LIMIT;
		ret = 0;
	}
	pthread_mutex_unlock(&c->lock);
	return ret;
}

/* ---- VFIO_IOMMU_GET_INFO ---- */

/* A capability header (struct vfio_info_cap_header). */
static void cap_header(u8 *p, u16 id, u16 version, u32 next)
{
	memcpy(p, &id, 2);
	memcpy(p + 2, &version, 2);
	memcpy(p + 4, &next, 4);
}

/* The migration and DMA-available capabilities, chained after info. */
static size_t build_caps(u8 *buf, unsigned int avail)
{
	size_t base = sizeof(struct vfio_iommu_type1_info);
	u32 flags = 0;
	u64 pg = VFIO_PGSIZE, max = VFIO_DIRTY_BITMAP_MAX;

	/* each capability is padded to 8 bytes, as vfio_info_cap_add() */
	cap_header(buf, VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION, 1, base + 32);
	memcpy(buf + 8, &flags, 4);
	memcpy(buf + 16, &pg, 8);
	memcpy(buf + 24, &max, 8);
	cap_header(buf + 32, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, 1, 0);
	memcpy(buf + 40, &avail, 4);
	return 48;
}

long vfio_iommu_get_info(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vfio_container *c = to_container(obj);
	struct vfio_iommu_type1_info info = { 0 };
	size_t minsz = offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	u8 caps[48] = { 0 };
	size_t ncaps;
	int ret;

	if (!kvmu_vfio_container_has_iommu(c))
		return -EINVAL;
	ret = kvmu_copy_from_user(&info, r->uarg, minsz);
	if (ret)
		return ret;
	if (info.argsz < minsz)
		return -EINVAL;
	minsz = info.argsz < sizeof(info) ? info.argsz : sizeof(info);
	info.flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info.iova_pgsizes = VFIO_PGSIZE_BITMAP;
	pthread_mutex_lock(&c->lock);
	ncaps = build_caps(caps, c->dma_avail);
	pthread_mutex_unlock(&c->lock);
	if (info.argsz < sizeof(info) + ncaps) {
		info.argsz = sizeof(info) + ncaps;
	} else {
		ret = kvmu_copy_to_user(r->uarg + sizeof(info), caps, ncaps);
		if (ret)
			return ret;
		info.cap_offset = sizeof(info);
	}
	return kvmu_copy_to_user(r->uarg, &info, minsz);
}

/* ---- MAP / UNMAP ---- */

/* The first mapping overlapping [iova, iova + size), or NULL. */
static struct kvmu_vfio_dma *find_dma(struct kvmu_vfio_container *c,
				      u64 iova, u64 size)
{
	unsigned int i;

	for (i = 0; i < c->nr_dma; i++) {
		struct kvmu_vfio_dma *d = &c->dma[i];

		if (d->iova < iova + size && iova < d->iova + d->size)
			return d;
	}
	return NULL;
}

/* The mapping containing iova (size 0 means "the byte iova"). */
static struct kvmu_vfio_dma *find_at(struct kvmu_vfio_container *c, u64 iova)
{
	return find_dma(c, iova, 1);
}

static int insert_dma(struct kvmu_vfio_container *c,
		      const struct vfio_iommu_type1_dma_map *m)
{
	unsigned int i;

	if (c->nr_dma == c->cap_dma) {
		unsigned int cap = c->cap_dma ? c->cap_dma * 2 : 16;
		void *p = realloc(c->dma, cap * sizeof(*c->dma));

		if (!p)
			return -ENOMEM;
		c->dma = p;
		c->cap_dma = cap;
	}
	for (i = 0; i < c->nr_dma && c->dma[i].iova < m->iova; i++)
		;
	memmove(&c->dma[i + 1], &c->dma[i], (c->nr_dma - i) * sizeof(*c->dma));
	c->dma[i] = (struct kvmu_vfio_dma){ m->iova, m->size, m->vaddr };
	c->nr_dma++;
	c->dma_avail--;
	return 0;
}

static int do_map(struct kvmu_vfio_container *c,
		  const struct vfio_iommu_type1_dma_map *m)
{
	bool set_vaddr = m->flags & VFIO_DMA_MAP_FLAG_VADDR;
	bool prot = m->flags & (VFIO_DMA_MAP_FLAG_READ |
				VFIO_DMA_MAP_FLAG_WRITE);
	struct kvmu_vfio_dma *d;

	if (prot == set_vaddr)
		return -EINVAL;
	if (!m->size || (m->size | m->iova | m->vaddr) & (VFIO_PGSIZE - 1))
		return -EINVAL;
	if (m->iova + m->size - 1 < m->iova ||
	    m->vaddr + m->size - 1 < m->vaddr)
		return -EINVAL;
	d = find_dma(c, m->iova, m->size);
	if (set_vaddr)	/* no vaddr is ever invalidated with an mdev */
		return d ? -EINVAL : -ENOENT;
	if (d)
		return -EEXIST;
	if (!c->dma_avail)
		return -ENOSPC;
	return insert_dma(c, m);
}

long vfio_iommu_map_dma(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vfio_container *c = to_container(obj);
	struct vfio_iommu_type1_dma_map m;
	const u32 mask = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE |
			 VFIO_DMA_MAP_FLAG_VADDR;
	long ret;

	if (!kvmu_vfio_container_has_iommu(c))
		return -EINVAL;
	ret = kvmu_copy_from_user(&m, r->uarg, sizeof(m));
	if (ret)
		return ret;
	if (m.argsz < sizeof(m) || m.flags & ~mask)
		return -EINVAL;
	pthread_mutex_lock(&c->lock);
	ret = do_map(c, &m);
	pthread_mutex_unlock(&c->lock);
	return ret;
}

/* DIRTY_BITMAP_BYTES(): whole u64 words of bits. */
static u64 bitmap_bytes(u64 npages)
{
	return ((npages + 63) & ~63ULL) / 8;
}

static int verify_bitmap_size(u64 npages, u64 bytes)
{
	if (!npages || !bytes || bytes > VFIO_DIRTY_BITMAP_MAX ||
	    bytes < bitmap_bytes(npages))
		return -EINVAL;
	return 0;
}

/*
 * Report a mapping clean: nothing is ever pinned or written through an
 * mdev-only container, so its pages' bits are cleared in the caller's
 * bitmap (word by word, leaving other bits alone).
 */
static int clear_user_bits(u64 bitmap, u64 first, u64 nbits)
{
	u64 w, bit;
	int ret;

	for (bit = first; bit < first + nbits; bit = (bit | 63) + 1) {
		unsigned long at = bitmap + (bit / 64) * 8;
		u64 lo = bit & 63, n = first + nbits - bit;
		u64 m = n >= 64 - lo ? ~0ULL << lo :
			((1ULL << n) - 1) << lo;

		ret = kvmu_copy_from_user(&w, at, 8);
		if (!ret) {
			w &= ~m;
			ret = kvmu_copy_to_user(at, &w, 8);
		}
		if (ret)
			return ret;
	}
	return 0;
}

/* The fixed part of struct vfio_iommu_type1_dma_unmap (data[] dropped). */
struct unmap_hdr {
	u32 argsz;
	u32 flags;
	u64 iova;
	u64 size;
};
_Static_assert(sizeof(struct unmap_hdr) ==
	       sizeof(struct vfio_iommu_type1_dma_unmap), "unmap layout");
_Static_assert(offsetof(struct unmap_hdr, size) ==
	       offsetof(struct vfio_iommu_type1_dma_unmap, size), "unmap size");

struct unmap_req {
	struct unmap_hdr u;
	struct vfio_bitmap bm;
};

/* v2 refuses a range that bisects a mapping. */
static bool bisects(struct kvmu_vfio_container *c, u64 iova, u64 size)
{
	struct kvmu_vfio_dma *d = find_at(c, iova);

	if (d && d->iova != iova)
		return true;
	d = find_at(c, iova + size - 1);
	return d && d->iova + d->size != iova + size;
}

static int check_unmap(struct kvmu_vfio_container *c, struct unmap_req *q,
		       u64 *size)
{
	struct unmap_hdr *u = &q->u;

	if (u->flags & VFIO_DMA_UNMAP_FLAG_VADDR)
		return -EBUSY;		/* an mdev is present */
	if (u->iova & (VFIO_PGSIZE - 1))
		return -EINVAL;
	*size = u->size;
	if (u->flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (u->iova || u->size)
			return -EINVAL;
		*size = ~0ULL;
	} else if (!u->size || u->size & (VFIO_PGSIZE - 1) ||
		   u->iova + u->size - 1 < u->iova) {
		return -EINVAL;
	}
	if ((u->flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) &&
	    (!c->dirty_tracking || q->bm.pgsize != VFIO_PGSIZE))
		return -EINVAL;
	if (c->iommu == VFIO_TYPE1v2_IOMMU &&
	    !(u->flags & VFIO_DMA_UNMAP_FLAG_ALL) && bisects(c, u->iova, *size))
		return -EINVAL;
	return 0;
}

static int do_unmap(struct kvmu_vfio_container *c, struct unmap_req *q)
{
	u64 iova = q->u.iova, size, unmapped = 0;
	unsigned int i = 0;
	int ret;

	ret = check_unmap(c, q, &size);
	while (!ret && i < c->nr_dma) {
		struct kvmu_vfio_dma *d = &c->dma[i];

		if (d->iova + d->size <= iova) {
			i++;
			continue;
		}
		/* v1 unmaps whole mappings that start inside the range */
		if (d->iova - iova >= size ||
		    (c->iommu != VFIO_TYPE1v2_IOMMU && iova > d->iova))
			break;
		if (q->u.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP)
			ret = clear_user_bits((uintptr_t)q->bm.data,
					      (d->iova - iova) / VFIO_PGSIZE,
					      d->size / VFIO_PGSIZE);
		if (ret)
			break;
		unmapped += d->size;
		memmove(d, d + 1, (--c->nr_dma - i) * sizeof(*d));
		c->dma_avail++;
	}
	q->u.size = unmapped;
	return ret;
}

long vfio_iommu_unmap_dma(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vfio_container *c = to_container(obj);
	const u32 mask = VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP |
			 VFIO_DMA_UNMAP_FLAG_ALL | VFIO_DMA_UNMAP_FLAG_VADDR;
	const size_t minsz = sizeof(struct vfio_iommu_type1_dma_unmap);
	struct unmap_req q = { 0 };
	long ret;

	if (!kvmu_vfio_container_has_iommu(c))
		return -EINVAL;
	ret = kvmu_copy_from_user(&q.u, r->uarg, minsz);
	if (ret)
		return ret;
	if (q.u.argsz < minsz || q.u.flags & ~mask)
		return -EINVAL;
	if (q.u.flags & VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP) {
		if (q.u.flags & (VFIO_DMA_UNMAP_FLAG_ALL |
				 VFIO_DMA_UNMAP_FLAG_VADDR) ||
		    q.u.argsz < minsz + sizeof(q.bm))
			return -EINVAL;
		ret = kvmu_copy_from_user(&q.bm, r->uarg + minsz,
					  sizeof(q.bm));
		if (ret)
			return ret;
		if (!q.bm.pgsize)
			return -EINVAL;
		ret = verify_bitmap_size(q.u.size >> __builtin_ctzll(q.bm.pgsize),
					 q.bm.size);
		if (ret)
			return ret;
	}
	pthread_mutex_lock(&c->lock);
	ret = do_unmap(c, &q);
	pthread_mutex_unlock(&c->lock);
	if (ret)
		return ret;
	return kvmu_copy_to_user(r->uarg, &q.u, minsz);
}

/* ---- VFIO_IOMMU_DIRTY_PAGES ---- */

static int get_bitmap(struct kvmu_vfio_container *c,
		      const struct vfio_iommu_type1_dirty_bitmap_get *g)
{
	unsigned int i;
	int ret;

	if (g->iova & (VFIO_PGSIZE - 1) || !g->size ||
	    g->size & (VFIO_PGSIZE - 1) || !c->dirty_tracking ||
	    bisects(c, g->iova, g->size))
		return -EINVAL;
	for (i = 0; i < c->nr_dma; i++) {
		const struct kvmu_vfio_dma *d = &c->dma[i];

		if (d->iova < g->iova || d->iova - g->iova >= g->size)
			continue;
		ret = clear_user_bits((uintptr_t)g->bitmap.data,
				      (d->iova - g->iova) / VFIO_PGSIZE,
				      d->size / VFIO_PGSIZE);
		if (ret)
			return ret;
	}
	return 0;
}

long vfio_iommu_dirty_pages(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vfio_container *c = to_container(obj);
	struct vfio_iommu_type1_dirty_bitmap d;
	struct vfio_iommu_type1_dirty_bitmap_get g;
	const u32 mask = VFIO_IOMMU_DIRTY_PAGES_FLAG_START |
			 VFIO_IOMMU_DIRTY_PAGES_FLAG_STOP |
			 VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP;
	long ret;

	pthread_mutex_lock(&c->lock);
	if (!c->iommu)
		ret = -EINVAL;
	else if (c->iommu != VFIO_TYPE1v2_IOMMU)
		ret = -EACCES;
	else
		ret = kvmu_copy_from_user(&d, r->uarg, sizeof(d));
	if (ret)
		goto out;
	ret = -EINVAL;
	if (d.argsz < sizeof(d) || d.flags & ~mask ||
	    __builtin_popcount(d.flags) != 1)
		goto out;
	if (d.flags != VFIO_IOMMU_DIRTY_PAGES_FLAG_GET_BITMAP) {
		c->dirty_tracking = d.flags == VFIO_IOMMU_DIRTY_PAGES_FLAG_START;
		ret = 0;
		goto out;
	}
	if (d.argsz - sizeof(d) < sizeof(g))
		goto out;
	ret = kvmu_copy_from_user(&g, r->uarg + sizeof(d), sizeof(g));
	if (ret)
		goto out;
	ret = -EINVAL;
	if (g.iova + g.size < g.iova || !g.bitmap.pgsize ||
	    verify_bitmap_size(g.size >> __builtin_ctzll(g.bitmap.pgsize),
			       g.bitmap.size) ||
	    g.bitmap.pgsize != VFIO_PGSIZE)
		goto out;
	ret = get_bitmap(c, &g);
out:
	pthread_mutex_unlock(&c->lock);
	return ret;
}
