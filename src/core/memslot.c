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

const struct kvmu_memslot *kvmu_memslot_find(struct kvmu_vm *vm, int as,
					     u64 gpa)
{
	struct kvmu_memslots *s =
		atomic_load_explicit(&vm->slots[as], memory_order_acquire);
	int lo = 0, hi;

	if (!s)
		return NULL;
	hi = s->nr - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		const struct kvmu_memslot *m = &s->slots[mid];

		if (gpa < m->gpa)
			hi = mid - 1;
		else if (gpa - m->gpa >= m->size)
			lo = mid + 1;
		else
			return m;
	}
	return NULL;
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

static struct kvmu_memslot *find_id(struct kvmu_memslots *s, u16 id)
{
	int i;

	for (i = 0; s && i < s->nr; i++)
		if (s->slots[i].id == id)
			return &s->slots[i];
	return NULL;
}

static bool overlaps(struct kvmu_memslots *s, u16 id, u64 gpa, u64 size)
{
	int i;

	for (i = 0; s && i < s->nr; i++) {
		const struct kvmu_memslot *m = &s->slots[i];

		if (m->id != id && gpa < m->gpa + m->size && m->gpa < gpa + size)
			return true;
	}
	return false;
}

static int cmp_gpa(const void *a, const void *b)
{
	const struct kvmu_memslot *x = a, *y = b;

	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
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

static void free_retired(struct kvmu_memslots *old, struct kvmu_memslots *new)
{
	int i;

	for (i = 0; old && i < old->nr; i++) {
		struct kvmu_memslot *m = &old->slots[i];
		struct kvmu_memslot *n = find_id(new, m->id);

		if (m->dirty && (!n || n->dirty != m->dirty))
			free((void *)m->dirty);
	}
	free(old);
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

/* Build and publish the snapshot where slot id becomes *nw (NULL: gone). */
static int publish(struct kvmu_vm *vm, int as, u16 id,
		   const struct kvmu_memslot *nw)
{
	struct kvmu_memslots *old = atomic_load(&vm->slots[as]), *s;
	int n = old ? old->nr : 0, i, j = 0;

	s = malloc(sizeof(*s) + (size_t)(n + 1) * sizeof(s->slots[0]));
	if (!s)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (old->slots[i].id != id)
			s->slots[j++] = old->slots[i];
	if (nw)
		s->slots[j++] = *nw;
	s->nr = j;
	qsort(s->slots, (size_t)j, sizeof(s->slots[0]), cmp_gpa);
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
	free_retired(old, s);
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
	int as = (int)(r->slot >> 16);
	struct kvmu_memslots *cur = atomic_load(&vm->slots[as]);
	struct kvmu_memslot *old = find_id(cur, (u16)r->slot), nw;
	bool log = r->flags & KVM_MEM_LOG_DIRTY_PAGES;

	if (!r->memory_size)
		return old ? publish(vm, as, (u16)r->slot, NULL) : -EINVAL;
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
		int ret = vm->obj.arch->prepare_memslot(vm, r);

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
	return publish(vm, as, (u16)r->slot, &nw);
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
	m = find_id(atomic_load(&vm->slots[as]), (u16)slot);
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
	int as;

	for (as = 0; as < KVMU_MAX_AS; as++) {
		free_retired(atomic_load(&vm->slots[as]), NULL);
		atomic_store(&vm->slots[as], NULL);
	}
}
