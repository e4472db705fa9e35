// SPDX-License-Identifier: MIT
/*
 * Per-plane memory attributes (KVM_SET_MEMORY_ATTRIBUTES on the VM fd for
 * plane 0, on a plane fd for the others).  The planes RFC moves the
 * attribute array into each plane; the restrictions themselves are the
 * Hyper-V VSM RFC's no-read/no-write/no-execute bits.  A page that cannot
 * be read can be neither written nor executed (as EPT has no write-only
 * pages), so NR comes with NW and NX.  PRIVATE needs guest_memfd, which
 * kvmu does not have: it is refused as an unsupported bit.
 *
 * Readers are vCPUs filling a TLB entry (rare); a change waits until every
 * running vCPU has dropped what it cached (kvmu_memslot_resync), so it
 * applies before the ioctl returns.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plane.h"

#define KVMU_MAX_ATTR_RANGES 65536
#define ATTR_RWX (KVMU_MEMORY_ATTRIBUTE_NR | KVMU_MEMORY_ATTRIBUTE_NW | \
		  KVMU_MEMORY_ATTRIBUTE_NX)

void kvmu_memattr_init(struct kvmu_memattr *m)
{
	pthread_rwlock_init(&m->lock, NULL);
	m->r = NULL;
	m->n = m->cap = 0;
	atomic_store(&m->any, false);
}

void kvmu_memattr_fini(struct kvmu_memattr *m)
{
	free(m->r);
	m->r = NULL;
	pthread_rwlock_destroy(&m->lock);
}

static struct kvmu_memattr *attrs_of(struct kvmu_vm *vm, int plane)
{
	struct kvmu_vm_planes *p = __atomic_load_n(&vm->planes,
						   __ATOMIC_ACQUIRE);

	if (!p || plane < 0 || plane >= KVMU_MAX_PLANES)
		return NULL;
	return &p->attrs[plane];
}

bool kvmu_memattr_any(struct kvmu_vm *vm, int plane)
{
	struct kvmu_memattr *m = attrs_of(vm, plane);

	return m && atomic_load_explicit(&m->any, memory_order_acquire);
}

u64 kvmu_memattr_get(struct kvmu_vm *vm, int plane, u64 gpa)
{
	struct kvmu_memattr *m = attrs_of(vm, plane);
	int lo = 0, hi;
	u64 v = 0;

	if (!m || !atomic_load_explicit(&m->any, memory_order_acquire))
		return 0;
	pthread_rwlock_rdlock(&m->lock);
	hi = m->n;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (m->r[mid].end <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->n && m->r[lo].start <= gpa)
		v = m->r[lo].attrs;
	pthread_rwlock_unlock(&m->lock);
	return v;
}

static int reserve(struct kvmu_memattr *m, int more)
{
	struct kvmu_attr_range *r;
	int cap;

	if (m->n + more <= m->cap)
		return 0;
	if (m->n + more > KVMU_MAX_ATTR_RANGES)
		return -ENOMEM;
	cap = m->cap ? m->cap * 2 : 16;
	while (cap < m->n + more)
		cap *= 2;
	r = realloc(m->r, (size_t)cap * sizeof(*r));
	if (!r)
		return -ENOMEM;
	m->r = r;
	m->cap = cap;
	return 0;
}

/* Replace whatever covers [start, end) by attrs (0: nothing); locked. */
static int apply(struct kvmu_memattr *m, u64 start, u64 end, u64 attrs)
{
	struct kvmu_attr_range *out;
	int i, n = 0, ret;

	ret = reserve(m, 3);
	if (ret)
		return ret;
	out = malloc((size_t)(m->n + 3) * sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (i = 0; i < m->n && m->r[i].end <= start; i++)
		out[n++] = m->r[i];
	if (i < m->n && m->r[i].start < start) {
		out[n] = m->r[i];
		out[n++].end = start;
	}
	if (attrs)
		out[n++] = (struct kvmu_attr_range){ start, end, attrs };
	for (; i < m->n && m->r[i].start < end; i++)
		if (m->r[i].end > end) {
			out[n] = m->r[i];
			out[n++].start = end;
		}
	for (; i < m->n; i++)
		out[n++] = m->r[i];
	memcpy(m->r, out, (size_t)n * sizeof(*out));
	free(out);
	m->n = n;
	return 0;
}

/* kvm_vm_ioctl_set_mem_attributes' checks, plus the VSM RFC's rules. */
static int check(struct kvmu_vm *vm, int plane,
		 const struct kvm_memory_attributes *a)
{
	u64 supported = vm->obj.arch->planes ?
			vm->obj.arch->planes->mem_attributes : 0;

	if (a->flags || (a->attributes & ~supported))
		return -EINVAL;
	if (!a->size || a->address + a->size < a->address)
		return -EINVAL;
	if ((a->address | a->size) & (KVMU_PAGE_SIZE - 1))
		return -EINVAL;
	if ((a->attributes & KVMU_MEMORY_ATTRIBUTE_NR) &&
	    (a->attributes & ATTR_RWX) != ATTR_RWX)
		return -EINVAL;
	(void)plane;
	return 0;
}

int kvmu_memattr_set(struct kvmu_vm *vm, int plane,
		     const struct kvm_memory_attributes *a)
{
	struct kvmu_memattr *m;
	int ret = check(vm, plane, a);

	if (ret)
		return ret;
	pthread_mutex_lock(&vm->lock);
	m = kvmu_vm_planes_get(vm) ? attrs_of(vm, plane) : NULL;
	pthread_mutex_unlock(&vm->lock);
	if (!m)
		return -ENOMEM;
	pthread_rwlock_wrlock(&m->lock);
	ret = apply(m, a->address, a->address + a->size, a->attributes);
	atomic_store_explicit(&m->any, m->n > 0, memory_order_release);
	pthread_rwlock_unlock(&m->lock);
	if (ret)
		return ret;
	if (vm->obj.arch->planes->attrs_changed)
		vm->obj.arch->planes->attrs_changed(vm, plane);
	kvmu_memslot_resync(vm);
	return 0;
}
