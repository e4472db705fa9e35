// SPDX-License-Identifier: MIT
/*
 * Storage keys, one byte per 4 KiB absolute frame: access-control bits
 * 0-3, fetch protection, reference and change, as ISKE returns them
 * (bit 7 is always zero).  A two-level table allocated on first use keeps
 * a VM with sparse memory cheap; frames past the table read as key 0.
 */
#include <errno.h>
#include <stdlib.h>

#include "s390.h"

#define L2_SIZE (1UL << S390_KEYS_L2_SHIFT)

static u8 *leaf(struct s390_vm *vm, u64 abs, bool alloc)
{
	u64 frame = abs >> 12, top = frame >> S390_KEYS_L2_SHIFT;
	u8 *l2;

	if (top >= S390_KEYS_L1_SIZE)
		return NULL;
	if (!vm->keys)
		return NULL;
	l2 = __atomic_load_n(&vm->keys[top], __ATOMIC_ACQUIRE);
	if (!l2 && alloc) {
		u8 *n = calloc(L2_SIZE, 1);

		if (!n)
			return NULL;
		if (!__atomic_compare_exchange_n(&vm->keys[top], &l2, n, false,
						 __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			free(n);
		else
			l2 = n;
	}
	return l2 ? &l2[frame & (L2_SIZE - 1)] : NULL;
}

u8 s390_key_get(struct s390_vm *vm, u64 abs)
{
	u8 *k = leaf(vm, abs, false);

	return k ? __atomic_load_n(k, __ATOMIC_RELAXED) : 0;
}

int s390_key_set(struct s390_vm *vm, u64 abs, u8 key)
{
	u8 *k = leaf(vm, abs, true);

	if (!k)
		return -ENOMEM;
	__atomic_store_n(k, key & 0xfe, __ATOMIC_RELAXED);
	return 0;
}

void s390_key_or(struct s390_vm *vm, u64 abs, u8 bits)
{
	u8 *k = leaf(vm, abs, true);

	if (k && (*k & bits) != bits)
		__atomic_fetch_or(k, bits, __ATOMIC_RELAXED);
}

void s390_keys_free(struct s390_vm *vm)
{
	size_t i;

	if (!vm->keys)
		return;
	for (i = 0; i < S390_KEYS_L1_SIZE; i++)
		free(vm->keys[i]);
	free(vm->keys);
	vm->keys = NULL;
}
