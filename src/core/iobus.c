// SPDX-License-Identifier: MIT
/*
 * The in-kernel I/O bus.  Each bus (MMIO, PIO) is a published, immutable
 * array of ranges sorted by address, so vCPUs look devices up without a
 * lock.  A writer builds a new array, publishes it and, before freeing the
 * old one, waits until no access that may have loaded it is still running.
 *
 * Readers announce themselves in a per-vCPU sequence count (odd while
 * inside an access) stored before they load the array; the writer stores
 * the new array before reading the counts.  With both sequentially
 * consistent, either the reader sees the new array or the writer sees the
 * reader inside and waits for its count to move.  Accesses that do not
 * come from a vCPU use one per-VM counter instead.
 *
 * Matching follows kvm_io_bus_cmp: an access matches a range that wholly
 * contains it, and a range of length 0 matches any access starting at its
 * address.  Several ranges may match; they are offered the access in
 * address order until one does not answer -EOPNOTSUPP.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "kvmu_int.h"

struct kvmu_io_range {
	u64 addr;
	u32 len;
	bool eventfd;
	struct kvmu_io_dev *dev;
};

struct kvmu_io_bus {
	int nr;
	int nr_eventfd;
	u64 max_span;			/* longest range (0-length counts 1) */
	struct kvmu_io_range r[];
};

/* The vCPU whose access this thread is inside, and its anonymous depth. */
static _Thread_local struct kvmu_vcpu *bus_self;
static _Thread_local int anon_depth;
static _Thread_local struct kvmu_vm *anon_vm;

static u64 span(const struct kvmu_io_range *r)
{
	return r->len ? r->len : 1;
}

static bool range_match(const struct kvmu_io_range *r, u64 addr, u32 len)
{
	if (!r->len)
		return addr == r->addr;
	return addr >= r->addr && addr + len >= addr &&
	       addr + len <= r->addr + r->len;
}

/* Wait until no access may still hold old (not one of our own). */
static void bus_sync(struct kvmu_vm *vm)
{
	int i, n = atomic_load(&vm->nr_vcpus);

	for (i = 0; i < n; i++) {
		struct kvmu_vcpu *v = vm->vcpus[i];
		unsigned int s;

		if (!v || v == bus_self)
			continue;
		s = atomic_load(&v->bus_seq);
		while ((s & 1) && atomic_load(&v->bus_seq) == s)
			sched_yield();
	}
	while (atomic_load(&vm->bus_anon) > (anon_vm == vm ? anon_depth : 0))
		sched_yield();
}

static void bus_publish(struct kvmu_vm *vm, enum kvmu_bus_kind bus,
			struct kvmu_io_bus *nb)
{
	struct kvmu_io_bus *old = atomic_load(&vm->buses[bus]);

	atomic_store(&vm->buses[bus], nb);
	bus_sync(vm);
	free(old);
}

static int bus_add(struct kvmu_vm *vm, enum kvmu_bus_kind bus, u64 addr,
		   u32 len, struct kvmu_io_dev *dev, bool eventfd)
{
	struct kvmu_io_bus *old, *nb;
	int n, i, pos, ret = 0;

	if ((unsigned int)bus >= KVMU_BUS_NR || !dev || !dev->ops)
		return -EINVAL;
	if (len && addr + len < addr)
		return -EINVAL;
	pthread_mutex_lock(&vm->bus_lock);
	old = atomic_load(&vm->buses[bus]);
	n = old ? old->nr : 0;
	/* every registration checks, but ioeventfds do not count */
	if (old && old->nr - old->nr_eventfd > KVMU_NR_IOBUS_DEVS - 1) {
		ret = -ENOSPC;
		goto out;
	}
	nb = malloc(sizeof(*nb) + (size_t)(n + 1) * sizeof(nb->r[0]));
	if (!nb) {
		ret = -ENOMEM;
		goto out;
	}
	for (pos = 0; pos < n; pos++)
		if (old->r[pos].addr > addr ||
		    (old->r[pos].addr == addr && old->r[pos].len > len))
			break;
	for (i = 0; i < pos; i++)
		nb->r[i] = old->r[i];
	nb->r[pos] = (struct kvmu_io_range){ addr, len, eventfd, dev };
	for (i = pos; i < n; i++)
		nb->r[i + 1] = old->r[i];
	nb->nr = n + 1;
	nb->nr_eventfd = (old ? old->nr_eventfd : 0) + eventfd;
	nb->max_span = old && old->max_span > span(&nb->r[pos]) ?
		       old->max_span : span(&nb->r[pos]);
	bus_publish(vm, bus, nb);
out:
	pthread_mutex_unlock(&vm->bus_lock);
	return ret;
}

int kvmu_io_bus_register(struct kvmu_vm *vm, enum kvmu_bus_kind bus,
			 u64 addr, u32 len, struct kvmu_io_dev *dev)
{
	return bus_add(vm, bus, addr, len, dev, false);
}

int kvmu_io_bus_register_eventfd(struct kvmu_vm *vm, enum kvmu_bus_kind bus,
				 u64 addr, u32 len, struct kvmu_io_dev *dev)
{
	return bus_add(vm, bus, addr, len, dev, true);
}

int kvmu_io_bus_unregister(struct kvmu_vm *vm, enum kvmu_bus_kind bus,
			   struct kvmu_io_dev *dev)
{
	struct kvmu_io_bus *old, *nb;
	int i, j = 0, ret = 0;

	if ((unsigned int)bus >= KVMU_BUS_NR)
		return -EINVAL;
	pthread_mutex_lock(&vm->bus_lock);
	old = atomic_load(&vm->buses[bus]);
	ret = -ENOENT;
	if (!old)
		goto out;
	ret = -ENOMEM;
	nb = malloc(sizeof(*nb) + (size_t)old->nr * sizeof(nb->r[0]));
	if (!nb)
		goto out;
	nb->nr_eventfd = 0;
	nb->max_span = 0;
	for (i = 0; i < old->nr; i++) {
		if (old->r[i].dev == dev)
			continue;
		nb->r[j] = old->r[i];
		nb->nr_eventfd += nb->r[j].eventfd;
		if (span(&nb->r[j]) > nb->max_span)
			nb->max_span = span(&nb->r[j]);
		j++;
	}
	nb->nr = j;
	ret = -ENOENT;
	if (j == old->nr) {
		free(nb);
		goto out;
	}
	bus_publish(vm, bus, nb);
	ret = 0;
out:
	pthread_mutex_unlock(&vm->bus_lock);
	return ret;
}

/* First range that may contain addr: start > addr - max_span. */
static int first_candidate(const struct kvmu_io_bus *b, u64 addr)
{
	u64 low = addr >= b->max_span ? addr - b->max_span + 1 : 0;
	int lo = 0, hi = b->nr;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (b->r[mid].addr < low)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Enter a read-side section: returns the bus array to use (may be NULL). */
static struct kvmu_io_bus *bus_enter(struct kvmu_vm *vm,
				     struct kvmu_vcpu *vcpu,
				     enum kvmu_bus_kind bus)
{
	if (!vcpu) {
		if (!anon_depth++)
			anon_vm = vm;
		atomic_fetch_add(&vm->bus_anon, 1);
	} else if (!vcpu->bus_depth++)
		atomic_fetch_add(&vcpu->bus_seq, 1);
	return atomic_load(&vm->buses[bus]);
}

static void bus_leave(struct kvmu_vm *vm, struct kvmu_vcpu *vcpu)
{
	if (!vcpu) {
		if (!--anon_depth)
			anon_vm = NULL;
		atomic_fetch_sub(&vm->bus_anon, 1);
	} else if (!--vcpu->bus_depth)
		atomic_fetch_add(&vcpu->bus_seq, 1);
}

static int bus_access(struct kvmu_vm *vm, struct kvmu_vcpu *vcpu,
		      enum kvmu_bus_kind bus, u64 addr, u32 len, void *rval,
		      const void *wval)
{
	struct kvmu_vcpu *prev = bus_self;
	struct kvmu_io_bus *b;
	int i, ret = -EOPNOTSUPP;

	if ((unsigned int)bus >= KVMU_BUS_NR ||
	    !atomic_load_explicit(&vm->buses[bus], memory_order_relaxed))
		return -EOPNOTSUPP;
	b = bus_enter(vm, vcpu, bus);
	bus_self = vcpu;
	for (i = b ? first_candidate(b, addr) : 0;
	     b && i < b->nr && b->r[i].addr <= addr && ret == -EOPNOTSUPP;
	     i++) {
		struct kvmu_io_dev *d = b->r[i].dev;

		if (!range_match(&b->r[i], addr, len))
			continue;
		if (wval && d->ops->write)
			ret = d->ops->write(d, vcpu, addr, len, wval);
		else if (!wval && d->ops->read)
			ret = d->ops->read(d, vcpu, addr, len, rval);
	}
	bus_self = prev;
	bus_leave(vm, vcpu);
	return ret;
}

int kvmu_io_bus_read(struct kvmu_vm *vm, struct kvmu_vcpu *vcpu,
		     enum kvmu_bus_kind bus, u64 addr, u32 len, void *val)
{
	return bus_access(vm, vcpu, bus, addr, len, val, NULL);
}

int kvmu_io_bus_write(struct kvmu_vm *vm, struct kvmu_vcpu *vcpu,
		      enum kvmu_bus_kind bus, u64 addr, u32 len,
		      const void *val)
{
	return bus_access(vm, vcpu, bus, addr, len, NULL, val);
}

void kvmu_io_bus_destroy(struct kvmu_vm *vm)
{
	int b;

	for (b = 0; b < KVMU_BUS_NR; b++) {
		free(atomic_load(&vm->buses[b]));
		atomic_store(&vm->buses[b], NULL);
	}
}
