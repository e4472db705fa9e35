// SPDX-License-Identifier: MIT
/*
 * Coalesced MMIO/PIO.  Guest writes into a registered zone are queued in a
 * ring instead of exiting.  The kernel has one ring per VM, visible at page
 * KVM_COALESCED_MMIO_PAGE_OFFSET of every vCPU mapping.  Our vCPU fds are
 * separate memfds, so the VM's ring is mirrored into each vCPU's ring page:
 * entries and `last` are written to all of them, and the consumer's `first`
 * is taken from whichever page the program advanced.
 */
#include <errno.h>
#include <string.h>

#include "kvmu_int.h"

#define RING_MAX ((KVMU_PAGE_SIZE - sizeof(struct kvm_coalesced_mmio_ring)) / \
		  sizeof(struct kvm_coalesced_mmio))

static struct kvm_coalesced_mmio_ring *ring_of(struct kvmu_vcpu *v)
{
	unsigned int page = v->obj.arch->coalesced_page;

	return (void *)((u8 *)v->map + page * KVMU_PAGE_SIZE);
}

static bool zone_match(const struct kvmu_coalesced_zone *z, u64 addr,
		       u32 len, bool pio)
{
	return z->pio == pio && addr + len >= addr && addr >= z->addr &&
	       addr + len <= z->addr + z->size;
}

int kvmu_coalesced_register(struct kvmu_vm *vm,
			    const struct kvm_coalesced_mmio_zone *z)
{
	int ret = 0;

	if (!vm->obj.arch->coalesced_page)
		return -ENOTTY;
	if (z->pio > 1)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	if (vm->nr_zones >= KVMU_MAX_COALESCED_ZONES) {
		ret = -ENOSPC;
	} else {
		vm->zones[vm->nr_zones].addr = z->addr;
		vm->zones[vm->nr_zones].size = z->size;
		vm->zones[vm->nr_zones].pio = z->pio;
		vm->nr_zones++;
	}
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

int kvmu_coalesced_unregister(struct kvmu_vm *vm,
			      const struct kvm_coalesced_mmio_zone *z)
{
	int i;

	if (!vm->obj.arch->coalesced_page)
		return -ENOTTY;
	if (z->pio > 1)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	/* like the kernel: drop every zone that contains the given range */
	for (i = 0; i < vm->nr_zones;) {
		struct kvmu_coalesced_zone *c = &vm->zones[i];

		if (zone_match(c, z->addr, z->size, z->pio))
			*c = vm->zones[--vm->nr_zones];
		else
			i++;
	}
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

/* The consumer's `first`: the page whose value moved since last time. */
static u32 ring_first(struct kvmu_vm *vm, u32 known)
{
	int i, n = atomic_load(&vm->nr_vcpus);
	u32 f = known;

	for (i = 0; i < n; i++) {
		u32 v = __atomic_load_n(&ring_of(vm->vcpus[i])->first,
					__ATOMIC_ACQUIRE);

		if (v != known && v < RING_MAX)
			f = v;
	}
	return f;
}

/* Bring every mirror's `first` to f unless its reader moved it meanwhile. */
static void ring_sync_first(struct kvmu_vm *vm, u32 f)
{
	int i, n = atomic_load(&vm->nr_vcpus);

	for (i = 0; i < n; i++) {
		u32 *p = &ring_of(vm->vcpus[i])->first;
		u32 cur = __atomic_load_n(p, __ATOMIC_ACQUIRE);

		if (cur != f)
			__atomic_compare_exchange_n(p, &cur, f, false,
						    __ATOMIC_ACQ_REL,
						    __ATOMIC_ACQUIRE);
	}
}

int kvmu_coalesced_write(struct kvmu_vcpu *vcpu, u64 addr, const void *data,
			 u32 len, bool pio)
{
	struct kvmu_vm *vm = vcpu->vm;
	struct kvm_coalesced_mmio *e;
	int i, n, hit = 0;
	u32 first, last;

	if (!vm->nr_zones || len > 8)
		return 0;
	for (i = 0; i < vm->nr_zones && !hit; i++)
		hit = zone_match(&vm->zones[i], addr, len, pio);
	if (!hit)
		return 0;
	pthread_mutex_lock(&vm->ring_lock);
	last = ring_of(vcpu)->last % RING_MAX;
	first = ring_first(vm, ring_of(vcpu)->first);
	if ((last + 1) % RING_MAX == first) {
		pthread_mutex_unlock(&vm->ring_lock);
		return 0;	/* full: fall back to an ordinary exit */
	}
	ring_sync_first(vm, first);
	n = atomic_load(&vm->nr_vcpus);
	for (i = 0; i < n; i++) {
		struct kvm_coalesced_mmio_ring *r = ring_of(vm->vcpus[i]);

		e = &r->coalesced_mmio[last];
		e->phys_addr = addr;
		e->len = len;
		e->pio = pio;
		memset(e->data, 0, sizeof(e->data));
		memcpy(e->data, data, len);
		__atomic_store_n(&r->last, (last + 1) % RING_MAX,
				 __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&vm->ring_lock);
	return 1;
}
