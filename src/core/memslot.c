// SPDX-License-Identifier: MIT
/*
 * Memory slots.  Readers (vCPUs) never lock: each address space has a
 * published, immutable snapshot.  A writer builds a new snapshot, publishes
 * it, and waits until every running vCPU has passed a check point before
 * freeing the old one, so a vCPU sees the old or the new layout, never a
 * torn one, and no vCPU touches a slot after the ioctl removing it returns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "kvmu_int.h"

#define KVMU_USER_MEM_SLOTS 32764
#define KVMU_TASK_SIZE_MAX ((1ULL << 47) - KVMU_PAGE_SIZE)

/* The chunk that holds (or would hold) gpa: the last starting at or below. */
static int chunk_of(const struct kvmu_memslot_top *top, int n, u64 gpa)
{
	int lo = 0, hi = n - 1;

	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;

		if (top[mid].first <= gpa)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* Index in c of the first slot starting above gpa. */
static int upper(const struct kvmu_memslot_chunk *c, u64 gpa)
{
	int lo = 0, hi = c->nr;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (c->slots[mid].gpa <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct kvmu_memslot *kvmu_memslot_find(struct kvmu_vm *vm, int as,
					     u64 gpa)
{
	struct kvmu_memslots *s =
		atomic_load_explicit(&vm->slots[as], memory_order_acquire);
	const struct kvmu_memslot_chunk *c;
	const struct kvmu_memslot *m;
	int i;

	if (!s || !s->nr_chunks)
		return NULL;
	c = s->top[chunk_of(s->top, s->nr_chunks, gpa)].c;
	i = upper(c, gpa);
	if (!i)
		return NULL;
	m = &c->slots[i - 1];
	return gpa - m->gpa < m->size ? m : NULL;
}

const struct kvmu_memslot *kvmu_memslots_nth(const struct kvmu_memslots *s,
					     int i)
{
	int lo = 0, hi = s->nr_chunks - 1;

	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;

		if (s->top[mid].before <= i)
			lo = mid;
		else
			hi = mid - 1;
	}
	return &s->top[lo].c->slots[i - s->top[lo].before];
}

void kvmu_memslot_mark_dirty(const struct kvmu_memslot *slot, u64 gpa)
{
	u64 page;

	if (!slot->dirty)
		return;
	page = (gpa - slot->gpa) >> KVMU_PAGE_SHIFT;
	atomic_fetch_or_explicit(&slot->dirty[page / 64], 1UL << (page % 64),
				 memory_order_relaxed);
}

/* The writer's copy of slot id (slots_lock held), or NULL. */
static struct kvmu_memslot *find_id(struct kvmu_vm *vm, int as, u16 id)
{
	struct kvmu_memslot *m = vm->slot_ids[as];

	return m && m[id].size ? &m[id] : NULL;
}

/* Does [gpa, gpa+size) meet a slot other than id?  Slots never overlap. */
static bool overlaps(struct kvmu_memslots *s, u16 id, u64 gpa, u64 size)
{
	const struct kvmu_memslot_chunk *c;
	int k, i, n;

	if (!s || !s->nr_chunks)
		return false;
	k = chunk_of(s->top, s->nr_chunks, gpa + size - 1);
	c = s->top[k].c;
	/* the last two slots starting below the end: one may be id itself */
	i = s->top[k].before + upper(c, gpa + size - 1);
	for (n = 0; n < 2 && i > 0; n++) {
		const struct kvmu_memslot *m = kvmu_memslots_nth(s, --i);

		if (m->id == id)
			continue;
		return m->gpa + m->size > gpa;
	}
	return false;
}

/* Wait until no running vCPU can still hold pointers into old. */
static void synchronize_vcpus(struct kvmu_vm *vm, u64 gen)
{
	int i, n = atomic_load(&vm->nr_vcpus);

	for (i = 0; i < n; i++) {
		struct kvmu_vcpu *v = vm->vcpus[i];

		if (!v || pthread_equal(atomic_load(&v->run_thread),
					pthread_self()))
			continue;
		/* a sleeping vCPU holds no slot (kvmu_vcpu_block) */
		while (atomic_load(&v->in_run) && !atomic_load(&v->sleeping) &&
		       atomic_load_explicit(&v->seen_generation,
					    memory_order_acquire) < gen) {
			atomic_store(&v->kick, true);
			sched_yield();
		}
	}
}

/*
 * One change of a snapshot: the slot leaving (if any) is removed and the
 * one arriving (if any) inserted, in copies of the chunks they touch.
 */
struct edit {
	struct kvmu_memslot_top *top;
	int n;
	struct kvmu_memslot_chunk *fresh[4], *retired[2];
	int nr_fresh, nr_retired;
};

static struct kvmu_memslot_chunk *new_chunk(struct edit *e)
{
	struct kvmu_memslot_chunk *c = malloc(sizeof(*c));

	if (c)
		e->fresh[e->nr_fresh++] = c;
	return c;
}

/* Chunk k, copied first unless this edit made it. */
static struct kvmu_memslot_chunk *own(struct edit *e, int k)
{
	struct kvmu_memslot_chunk *old = e->top[k].c, *c;
	int i;

	for (i = 0; i < e->nr_fresh; i++)
		if (e->fresh[i] == old)
			return old;
	c = new_chunk(e);
	if (!c)
		return NULL;
	memcpy(c, old, offsetof(struct kvmu_memslot_chunk, slots) +
			   (size_t)old->nr * sizeof(old->slots[0]));
	e->retired[e->nr_retired++] = old;
	e->top[k].c = c;
	return c;
}

static int edit_remove(struct edit *e, u64 gpa)
{
	int k = chunk_of(e->top, e->n, gpa), i;
	struct kvmu_memslot_chunk *c = own(e, k);

	if (!c)
		return -ENOMEM;
	i = upper(c, gpa) - 1;
	memmove(&c->slots[i], &c->slots[i + 1],
		(size_t)(c->nr - i - 1) * sizeof(c->slots[0]));
	if (--c->nr) {
		e->top[k].first = c->slots[0].gpa;
		return 0;
	}
	/* an empty chunk leaves the index (freed with the edit's leftovers) */
	memmove(&e->top[k], &e->top[k + 1],
		(size_t)(e->n - k - 1) * sizeof(e->top[0]));
	e->n--;
	return 0;
}

static int edit_insert(struct edit *e, const struct kvmu_memslot *m)
{
	struct kvmu_memslot_chunk *c, *c2;
	int k, i, half = KVMU_SLOT_CHUNK / 2;

	if (!e->n) {
		c = new_chunk(e);
		if (!c)
			return -ENOMEM;
		c->nr = 0;
		e->top[0] = (struct kvmu_memslot_top){ m->gpa, 0, c };
		e->n = 1;
	}
	k = chunk_of(e->top, e->n, m->gpa);
	c = own(e, k);
	if (!c)
		return -ENOMEM;
	i = upper(c, m->gpa);
	if (c->nr == KVMU_SLOT_CHUNK) {
		/* full: the upper half moves to a new chunk after it */
		c2 = new_chunk(e);
		if (!c2)
			return -ENOMEM;
		c2->nr = KVMU_SLOT_CHUNK - half;
		memcpy(c2->slots, &c->slots[half],
		       (size_t)c2->nr * sizeof(c->slots[0]));
		c->nr = half;
		memmove(&e->top[k + 2], &e->top[k + 1],
			(size_t)(e->n - k - 1) * sizeof(e->top[0]));
		e->top[k + 1] = (struct kvmu_memslot_top){ c2->slots[0].gpa, 0,
							   c2 };
		e->n++;
		if (i > half) {
			c = c2;
			i -= half;
			k++;
		}
	}
	memmove(&c->slots[i + 1], &c->slots[i],
		(size_t)(c->nr - i) * sizeof(c->slots[0]));
	c->slots[i] = *m;
	c->nr++;
	e->top[k].first = c->slots[0].gpa;
	return 0;
}

/* Free the chunks an edit made that are not in its result (or all). */
static void edit_drop_fresh(struct edit *e, bool all)
{
	int i, k;

	for (i = 0; i < e->nr_fresh; i++) {
		bool used = false;

		for (k = 0; !all && k < e->n && !used; k++)
			used = e->top[k].c == e->fresh[i];
		if (!used)
			free(e->fresh[i]);
	}
}

static void free_snapshot(struct kvmu_memslots *s)
{
	int k;

	for (k = 0; s && k < s->nr_chunks; k++)
		free(s->top[k].c);
	free(s);
}

static _Atomic(unsigned long) *alloc_dirty(u64 size, bool set, size_t *longs)
{
	u64 pages = size >> KVMU_PAGE_SHIFT;
	size_t n = (size_t)((pages + 63) / 64);
	_Atomic(unsigned long) *b = calloc(n ? n : 1, sizeof(*b));
	size_t i;

	*longs = n;
	if (!b || !set)
		return b;
	/* a word at a time: per bit, a 2^31-page slot took half a minute */
	for (i = 0; i < pages / 64; i++)
		atomic_init(&b[i], ~0UL);
	if (pages % 64)
		atomic_init(&b[i], (1UL << (pages % 64)) - 1);
	return b;
}

/* Build the snapshot after old where *gone leaves and *nw arrives. */
static struct kvmu_memslots *build(struct kvmu_memslots *old,
				   const struct kvmu_memslot *gone,
				   const struct kvmu_memslot *nw,
				   struct edit *e)
{
	int n = old ? old->nr_chunks : 0, k, before = 0, ret = 0;
	struct kvmu_memslots *s;

	s = malloc(sizeof(*s) + (size_t)(n + 2) * sizeof(s->top[0]));
	if (!s)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->top = s->top;
	e->n = n;
	if (n)
		memcpy(s->top, old->top, (size_t)n * sizeof(s->top[0]));
	if (gone)
		ret = edit_remove(e, gone->gpa);
	if (!ret && nw)
		ret = edit_insert(e, nw);
	if (ret) {
		edit_drop_fresh(e, true);
		free(s);
		return NULL;
	}
	edit_drop_fresh(e, false);
	for (k = 0; k < e->n; k++) {
		s->top[k].before = before;
		before += s->top[k].c->nr;
	}
	s->nr_chunks = e->n;
	s->nr = before;
	return s;
}

/* Publish the snapshot where slot *gone (if any) is replaced by *nw. */
static int publish(struct kvmu_vm *vm, int as, const struct kvmu_memslot *gone,
		   const struct kvmu_memslot *nw)
{
	struct kvmu_memslots *old = atomic_load(&vm->slots[as]), *s;
	struct edit e;
	int i;

	s = build(old, gone, nw, &e);
	if (!s)
		return -ENOMEM;
	s->generation = vm->slots_generation + 1;
	/*
	 * Pointer first, generation second: a vCPU that has seen the new
	 * generation (acquire) then loads the new pointer.  Both stores are
	 * sequentially consistent so that synchronize_vcpus()'s reads of
	 * in_run cannot pass them: a vCPU that enters KVM_RUN after we read
	 * its in_run as false sees the new snapshot.
	 */
	atomic_store(&vm->slots[as], s);
	__atomic_store_n(&vm->slots_generation, s->generation,
			 __ATOMIC_SEQ_CST);
	synchronize_vcpus(vm, s->generation);
	for (i = 0; i < e.nr_retired; i++)
		free(e.retired[i]);
	free(old);
	if (gone && gone->dirty && (!nw || nw->dirty != gone->dirty))
		free((void *)gone->dirty);
	return 0;
}

static int check_region(struct kvmu_vm *vm,
			const struct kvm_userspace_memory_region *r,
			bool region2)
{
	u32 valid = KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY;
	unsigned int as = r->slot >> 16;
	u16 id = (u16)r->slot;

	if (id >= KVMU_USER_MEM_SLOTS)
		return -EINVAL;
	(void)region2;	/* no guest_memfd: KVM_MEM_GUEST_MEMFD is invalid */
	if (r->flags & ~valid)
		return -EINVAL;
	if ((r->memory_size | r->guest_phys_addr) & (KVMU_PAGE_SIZE - 1))
		return -EINVAL;
	if ((r->userspace_addr & (KVMU_PAGE_SIZE - 1)) ||
	    r->userspace_addr + r->memory_size < r->userspace_addr ||
	    r->userspace_addr + r->memory_size > KVMU_TASK_SIZE_MAX)
		return -EINVAL;
	if (as >= (unsigned int)vm->nr_as)
		return -EINVAL;
	if (r->guest_phys_addr + r->memory_size < r->guest_phys_addr)
		return -EINVAL;
	if ((r->memory_size >> KVMU_PAGE_SHIFT) > KVMU_MEM_MAX_NR_PAGES)
		return -EINVAL;
	return 0;
}

static int set_locked(struct kvmu_vm *vm,
		      const struct kvm_userspace_memory_region *r)
{
	int as = (int)(r->slot >> 16), ret;
	struct kvmu_memslots *cur = atomic_load(&vm->slots[as]);
	struct kvmu_memslot *old, gone, nw;
	bool log = r->flags & KVM_MEM_LOG_DIRTY_PAGES;

	if (!vm->slot_ids[as]) {
		vm->slot_ids[as] = calloc(KVMU_USER_MEM_SLOTS,
					  sizeof(struct kvmu_memslot));
		if (!vm->slot_ids[as])
			return -ENOMEM;
	}
	old = find_id(vm, as, (u16)r->slot);
	if (old)
		gone = *old;
	if (!r->memory_size) {
		if (!old)
			return -EINVAL;
		ret = publish(vm, as, &gone, NULL);
		if (!ret)
			memset(old, 0, sizeof(*old));
		return ret;
	}
	if (old) {
		if (r->userspace_addr != old->hva ||
		    r->memory_size != old->size ||
		    ((r->flags ^ old->flags) & KVM_MEM_READONLY))
			return -EINVAL;
		if (r->guest_phys_addr == old->gpa && r->flags == old->flags)
			return 0;
	}
	if ((!old || r->guest_phys_addr != old->gpa) &&
	    overlaps(cur, (u16)r->slot, r->guest_phys_addr, r->memory_size))
		return -EEXIST;
	if (vm->obj.arch->prepare_memslot) {
		ret = vm->obj.arch->prepare_memslot(vm, r);
		if (ret)
			return ret;
	}
	nw = (struct kvmu_memslot){
		.gpa = r->guest_phys_addr, .size = r->memory_size,
		.hva = r->userspace_addr, .flags = r->flags,
		.id = (u16)r->slot, .as_id = (u16)as,
	};
	if (log && old && old->dirty && old->gpa == nw.gpa) {
		nw.dirty = old->dirty;
		nw.dirty_longs = old->dirty_longs;
	} else if (log) {
		nw.dirty = alloc_dirty(nw.size, vm->dirty_initially_set,
				       &nw.dirty_longs);
		if (!nw.dirty)
			return -ENOMEM;
	}
	ret = publish(vm, as, old ? &gone : NULL, &nw);
	if (!ret)
		vm->slot_ids[as][(u16)r->slot] = nw;
	else if (nw.dirty && (!old || nw.dirty != old->dirty))
		free((void *)nw.dirty);
	return ret;
}

int kvmu_memslot_set(struct kvmu_vm *vm,
		     const struct kvm_userspace_memory_region *r, bool region2)
{
	int ret = check_region(vm, r, region2);

	if (ret)
		return ret;
	pthread_mutex_lock(&vm->slots_lock);
	ret = set_locked(vm, r);
	pthread_mutex_unlock(&vm->slots_lock);
	return ret;
}

static const struct kvmu_memslot *log_slot(struct kvmu_vm *vm, u32 slot,
					   int *err)
{
	unsigned int as = slot >> 16;
	const struct kvmu_memslot *m;

	*err = -EINVAL;
	if (as >= (unsigned int)vm->nr_as || (u16)slot >= KVMU_USER_MEM_SLOTS)
		return NULL;
	m = find_id(vm, (int)as, (u16)slot);
	*err = -ENOENT;
	return m && m->dirty ? m : NULL;
}

int kvmu_memslot_get_dirty_log(struct kvmu_vm *vm, struct kvm_dirty_log *d)
{
	const struct kvmu_memslot *m;
	unsigned long *buf;
	size_t i;
	int ret;

	pthread_mutex_lock(&vm->slots_lock);
	m = log_slot(vm, d->slot, &ret);
	if (!m)
		goto out;
	ret = -ENOMEM;
	buf = malloc(m->dirty_longs * sizeof(*buf));
	if (!buf)
		goto out;
	for (i = 0; i < m->dirty_longs; i++)
		buf[i] = vm->manual_dirty_protect ? atomic_load(&m->dirty[i]) :
			 atomic_exchange(&m->dirty[i], 0UL);
	ret = kvmu_copy_to_user((unsigned long)d->dirty_bitmap, buf,
				m->dirty_longs * sizeof(*buf));
	free(buf);
out:
	pthread_mutex_unlock(&vm->slots_lock);
	return ret;
}

int kvmu_memslot_clear_dirty_log(struct kvmu_vm *vm,
				 const struct kvm_clear_dirty_log *c)
{
	const struct kvmu_memslot *m;
	unsigned long *buf;
	u64 npages, i, nlongs;
	int ret;

	if (c->first_page & 63)
		return -EINVAL;
	pthread_mutex_lock(&vm->slots_lock);
	m = log_slot(vm, c->slot, &ret);
	if (!m)
		goto out;
	npages = m->size >> KVMU_PAGE_SHIFT;
	ret = -EINVAL;
	if (c->first_page > npages || c->num_pages > npages - c->first_page ||
	    (c->num_pages < npages - c->first_page && (c->num_pages & 63)))
		goto out;
	nlongs = (c->num_pages + 63) / 64;
	ret = -ENOMEM;
	buf = calloc(nlongs ? nlongs : 1, sizeof(*buf));
	if (!buf)
		goto out;
	ret = kvmu_copy_from_user(buf, (unsigned long)c->dirty_bitmap,
				  nlongs * sizeof(*buf));
	for (i = 0; !ret && i < nlongs; i++)
		atomic_fetch_and(&m->dirty[c->first_page / 64 + i], ~buf[i]);
	free(buf);
out:
	pthread_mutex_unlock(&vm->slots_lock);
	return ret;
}

void kvmu_memslot_free_all(struct kvmu_vm *vm)
{
	struct kvmu_memslots *s;
	int as, i;

	for (as = 0; as < KVMU_MAX_AS; as++) {
		s = atomic_load(&vm->slots[as]);
		for (i = 0; s && i < s->nr; i++)
			free((void *)kvmu_memslots_nth(s, i)->dirty);
		free_snapshot(s);
		atomic_store(&vm->slots[as], NULL);
		free(vm->slot_ids[as]);
		vm->slot_ids[as] = NULL;
	}
}

/*
 * Something every vCPU caches with its translations changed (memory
 * attributes): as a memslot change does, move the generation on and wait
 * until no running vCPU can still use what it cached before.
 */
void kvmu_memslot_resync(struct kvmu_vm *vm)
{
	u64 gen;

	pthread_mutex_lock(&vm->slots_lock);
	gen = vm->slots_generation + 1;
	__atomic_store_n(&vm->slots_generation, gen, __ATOMIC_SEQ_CST);
	synchronize_vcpus(vm, gen);
	pthread_mutex_unlock(&vm->slots_lock);
}
