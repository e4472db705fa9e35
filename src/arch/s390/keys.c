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

u8 *s390_frame_byte(u8 **table, u64 frame, bool alloc)
{
	u64 top = frame >> S390_KEYS_L2_SHIFT;
	u8 *l2;

	if (top >= S390_KEYS_L1_SIZE || !table)
		return NULL;
	l2 = __atomic_load_n(&table[top], __ATOMIC_ACQUIRE);
	if (!l2 && alloc) {
		u8 *n = calloc(L2_SIZE, 1);

		if (!n)
			return NULL;
		/* another vCPU may have won the race: use its page */
		if (!__atomic_compare_exchange_n(&table[top], &l2, n, false,
						 __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			free(n);
		else
			l2 = n;
	}
	return l2 ? &l2[frame & (L2_SIZE - 1)] : NULL;
}

void s390_frame_table_free(u8 ***table)
{
	size_t i;

	if (!*table)
		return;
	for (i = 0; i < S390_KEYS_L1_SIZE; i++)
		free((*table)[i]);
	free(*table);
	*table = NULL;
}

static u8 *leaf(struct s390_vm *vm, u64 abs, bool alloc)
{
	return s390_frame_byte(vm->keys, abs >> 12, alloc);
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
	s390_frame_table_free(&vm->keys);
}
