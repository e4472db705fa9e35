// SPDX-License-Identifier: MIT
/*
 * Collaborative memory management (CMMA): the guest's EXTRACT AND SET
 * STORAGE ATTRIBUTES (ESSA) and the CMMA migration ioctls
 * KVM_S390_GET/SET_CMMA_BITS.  One byte per 4 KiB absolute frame holds
 * what the kernel keeps in the PGSTE: the block-usage state (bits 0-1:
 * stable 0, unused 1, potentially volatile 2, volatile 3), NODAT (0x40)
 * and, for migration, "not yet sent" (0x80, the kernel's second dirty
 * bitmap).  kvmu never discards a page, so every page stays resident and
 * its content survives any usage state, which the architecture allows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "s390.h"
#include "s390_handlers.h"

#define L2_SIZE		(1UL << S390_KEYS_L2_SHIFT)
#define CMMA_USAGE	0x03
#define CMMA_NODAT	0x40
#define CMMA_VALUES	(CMMA_USAGE | CMMA_NODAT)
#define CMMA_DIRTY	0x80
#define CMMA_SIZE_MAX	(1U << 20)	/* KVM_S390_SKEYS_MAX */
#define BIT_DISTANCE	16		/* 2 * sizeof(void *) */

/* ESSA operation request codes (M3) */
enum {
	ESSA_GET_STATE, ESSA_SET_STABLE, ESSA_SET_UNUSED, ESSA_SET_VOLATILE,
	ESSA_SET_POT_VOLATILE, ESSA_SET_STABLE_RESIDENT,
	ESSA_SET_STABLE_IF_RESIDENT,
};
enum { USAGE_STABLE, USAGE_UNUSED, USAGE_POT_VOLATILE, USAGE_VOLATILE };

static u8 *leaf(struct s390_vm *vm, u64 frame, bool alloc)
{
	return s390_frame_byte(vm->cmma, frame, alloc);
}

u8 s390_cmma_get(struct s390_vm *vm, u64 abs)
{
	u8 *p = leaf(vm, abs >> 12, false);

	return p ? __atomic_load_n(p, __ATOMIC_RELAXED) & CMMA_VALUES : 0;
}

/* Replace the bits of mask with val; returns the old byte or -ENOMEM. */
static int update(struct s390_vm *vm, u64 frame, u8 mask, u8 val)
{
	u8 *p = leaf(vm, frame, true), old, nw;

	if (!p)
		return -ENOMEM;
	old = __atomic_load_n(p, __ATOMIC_RELAXED);
	do {
		nw = (u8)((old & ~mask) | (val & mask));
	} while (!__atomic_compare_exchange_n(p, &old, nw, true,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return old;
}

/* Mark a frame's state unsent; counts it once. */
static void mark_dirty(struct s390_vm *vm, u64 frame)
{
	int old = update(vm, frame, CMMA_DIRTY, CMMA_DIRTY);

	if (old >= 0 && !(old & CMMA_DIRTY))
		atomic_fetch_add(&vm->cmma_dirty, 1);
}

static bool test_clear_dirty(struct s390_vm *vm, u64 frame)
{
	u8 *p = leaf(vm, frame, false);

	if (!p || !(__atomic_fetch_and(p, (u8)~CMMA_DIRTY, __ATOMIC_RELAXED) &
		    CMMA_DIRTY))
		return false;
	atomic_fetch_sub(&vm->cmma_dirty, 1);
	return true;
}

void s390_cmma_reset(struct s390_vm *vm)
{
	size_t i, j;

	for (i = 0; vm->cmma && i < S390_KEYS_L1_SIZE; i++) {
		u8 *l2 = __atomic_load_n(&vm->cmma[i], __ATOMIC_ACQUIRE);

		for (j = 0; l2 && j < L2_SIZE; j++)
			__atomic_fetch_and(&l2[j], (u8)~CMMA_VALUES,
					   __ATOMIC_RELAXED);
	}
}

void s390_cmma_free(struct s390_vm *vm)
{
	s390_frame_table_free(&vm->cmma);
}

int s390_cmma_start_migration(struct kvmu_vm *kvm)
{
	struct s390_vm *vm = s390_vm(kvm);
	struct kvmu_memslots *s = atomic_load(&kvm->slots[0]);
	u64 f, n = 0;
	int i;

	/* the kernel keeps the bitmap next to the slot's dirty log */
	for (i = 0; i < s->nr; i++)
		if (!(kvmu_memslots_nth(s, i)->flags & KVM_MEM_LOG_DIRTY_PAGES))
			return -EINVAL;
	for (i = 0; i < s->nr; i++) {
		const struct kvmu_memslot *m = kvmu_memslots_nth(s, i);

		for (f = m->gpa >> 12; f < (m->gpa + m->size) >> 12; f++)
			if (update(vm, f, CMMA_DIRTY, CMMA_DIRTY) < 0)
				return -ENOMEM;
		n += m->size >> 12;
	}
	atomic_store(&vm->cmma_dirty, n);
	return 0;
}

/* The usage state an ORC leaves; pages are always resident here. */
static u8 essa_new_state(u8 old, unsigned int orc)
{
	u8 usage = old & CMMA_USAGE;

	switch (orc) {
	case ESSA_SET_STABLE:
		return USAGE_STABLE;		/* also clears NODAT */
	case ESSA_SET_UNUSED:
		usage = USAGE_UNUSED;
		break;
	case ESSA_SET_VOLATILE:
		usage = USAGE_VOLATILE;
		break;
	case ESSA_SET_POT_VOLATILE:
		usage = USAGE_POT_VOLATILE;
		break;
	case ESSA_SET_STABLE_RESIDENT:
	case ESSA_SET_STABLE_IF_RESIDENT:
		usage = USAGE_STABLE;
		break;
	}
	return (u8)((old & CMMA_NODAT) | usage);
}

/*
 * ESSA R1,R2,M3: as handle_essa, an operation exception unless CMMA was
 * enabled, privileged, M3 an ORC up to 6 (7 needs facility 147).  R1 gets
 * the state before: usage << 2, block content 0 (resident), 0x20 NODAT.
 */
int op_essa(struct s390_cpu *c, struct s390_dec *d)
{
	struct s390_vm *vm = c->vm;
	u64 frame = c->gprs[d->r2] >> 12;
	int old;

	if (!vm->use_cmma)
		return PGM_OPERATION;
	if (c->mask & PSW_PSTATE)
		return PGM_PRIVILEGED;
	if (d->m3 > ESSA_SET_STABLE_IF_RESIDENT)
		return PGM_SPECIFICATION;
	if (!s390_abs_host(c->kvm, frame << 12, 4096, NULL))
		return PGM_ADDRESSING;
	old = update(vm, frame, 0, 0);
	if (old < 0)
		return PGM_ADDRESSING;
	update(vm, frame, CMMA_VALUES, essa_new_state((u8)old, d->m3));
	atomic_store(&vm->uses_cmm, true);
	if (d->m3 != ESSA_GET_STATE && atomic_load(&vm->migration_mode))
		mark_dirty(vm, frame);
	c->gprs[d->r1] = (u64)((old & CMMA_USAGE) << 2) |
			 (old & CMMA_NODAT ? 0x20 : 0);
	return 0;
}

/* ---- KVM_S390_GET/SET_CMMA_BITS ---- */

static bool in_slot(struct kvmu_vm *kvm, u64 gfn)
{
	return gfn < (1ULL << 52) && kvmu_memslot_find(kvm, 0, gfn << 12);
}

/* One past the last frame of the highest slot. */
static u64 mem_end(const struct kvmu_memslots *s)
{
	const struct kvmu_memslot *m = kvmu_memslots_nth(s, s->nr - 1);

	return (m->gpa + m->size) >> 12;
}

/*
 * The first unsent frame at or after gfn, searching from the lowest slot
 * when gfn lies past the highest (the kernel wraps there); mem_end when
 * there is none.
 */
static u64 next_dirty(struct kvmu_vm *kvm, const struct kvmu_memslots *s,
		      u64 gfn)
{
	struct s390_vm *vm = s390_vm(kvm);
	u64 end = mem_end(s), f;
	int i;

	if (gfn >= end)
		gfn = 0;
	for (i = 0; i < s->nr; i++) {
		const struct kvmu_memslot *m = kvmu_memslots_nth(s, i);
		u64 last = (m->gpa + m->size) >> 12;

		for (f = gfn > m->gpa >> 12 ? gfn : m->gpa >> 12; f < last; f++) {
			u8 *p = leaf(vm, f, false);

			if (p && (__atomic_load_n(p, __ATOMIC_RELAXED) &
				  CMMA_DIRTY))
				return f;
		}
	}
	return end;
}

static int peek_cmma(struct kvmu_vm *kvm, struct kvm_s390_cmma_log *l,
		     u8 *val, u32 bufsize)
{
	u64 gfn = l->start_gfn;

	for (l->count = 0; l->count < bufsize; gfn++) {
		/* an error only when not even the first frame exists */
		if (!in_slot(kvm, gfn))
			return l->count ? 0 : -EFAULT;
		val[l->count++] = s390_cmma_get(s390_vm(kvm), gfn << 12);
	}
	return 0;
}

/* Unsent states from the next unsent frame on, as kvm_s390_get_cmma. */
static void get_cmma(struct kvmu_vm *kvm, struct kvm_s390_cmma_log *l,
		     u8 *val, u32 bufsize)
{
	struct s390_vm *vm = s390_vm(kvm);
	const struct kvmu_memslots *s = atomic_load(&kvm->slots[0]);
	u64 cur, next, end;

	l->count = 0;
	if (!s || !s->nr)
		return;
	end = mem_end(s);
	cur = next_dirty(kvm, s, l->start_gfn);
	l->start_gfn = cur;
	next = next_dirty(kvm, s, cur + 1);
	while (l->count < bufsize && in_slot(kvm, cur)) {
		test_clear_dirty(vm, cur);
		val[l->count++] = s390_cmma_get(vm, cur << 12);
		/* a long clean run costs more than a new block: stop */
		if (next > cur + BIT_DISTANCE)
			return;
		if (cur == next)
			next = next_dirty(kvm, s, cur + 1);
		if (next >= end || next - l->start_gfn >= bufsize)
			return;
		cur++;
	}
}

long s390_vm_get_cmma_bits(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *kvm = (struct kvmu_vm *)obj;
	struct s390_vm *vm = s390_vm(kvm);
	struct kvm_s390_cmma_log *l = r->karg;
	bool peek = l->flags & KVM_S390_CMMA_PEEK;
	u32 bufsize = l->count < CMMA_SIZE_MAX ? l->count : CMMA_SIZE_MAX;
	u8 *val;
	int ret = 0;

	if (!vm->use_cmma)
		return -ENXIO;
	if (l->flags & ~KVM_S390_CMMA_PEEK)
		return -EINVAL;
	if (!peek && !atomic_load(&vm->migration_mode))
		return -EINVAL;
	if (!bufsize || !atomic_load(&vm->uses_cmm) ||
	    (!peek && !atomic_load(&vm->cmma_dirty))) {
		memset(l, 0, sizeof(*l));
		return 0;
	}
	val = malloc(bufsize);
	if (!val)
		return -ENOMEM;
	pthread_mutex_lock(&kvm->slots_lock);
	if (peek)
		ret = peek_cmma(kvm, l, val, bufsize);
	else
		get_cmma(kvm, l, val, bufsize);
	pthread_mutex_unlock(&kvm->slots_lock);
	l->remaining = atomic_load(&vm->migration_mode) ?
		       atomic_load(&vm->cmma_dirty) : 0;
	if (kvmu_copy_to_user(l->values, val, l->count))
		ret = -EFAULT;
	free(val);
	return ret;
}

long s390_vm_set_cmma_bits(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *kvm = (struct kvmu_vm *)obj;
	struct s390_vm *vm = s390_vm(kvm);
	const struct kvm_s390_cmma_log *l = r->karg;
	/* the mask is in PGSTE bit positions: usage 0x03, NODAT 0x40 << 24 */
	u8 mask = (u8)(l->mask >> 24) & CMMA_VALUES;
	u8 *val;
	u32 i;
	int ret = 0;

	if (!vm->use_cmma)
		return -ENXIO;
	if (l->flags)
		return -EINVAL;
	if (l->count > CMMA_SIZE_MAX)
		return -EINVAL;
	if (!l->count)
		return 0;
	val = malloc(l->count);
	if (!val)
		return -ENOMEM;
	ret = kvmu_copy_from_user(val, l->values, l->count);
	if (ret)
		goto out;
	pthread_mutex_lock(&kvm->slots_lock);
	for (i = 0; i < l->count && !ret; i++) {
		if (!in_slot(kvm, l->start_gfn + i))
			ret = -EFAULT;
		else if (update(vm, l->start_gfn + i, mask, val[i]) < 0)
			ret = -ENOMEM;
	}
	pthread_mutex_unlock(&kvm->slots_lock);
	/* even a partial write counts as the guest using CMMA */
	atomic_store(&vm->uses_cmm, true);
out:
	free(val);
	return ret;
}
