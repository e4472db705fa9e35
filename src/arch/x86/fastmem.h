/* SPDX-License-Identifier: MIT */
/*
 * The memory hot path shared by mem.c and the specialised handlers
 * (fast.c): a software-TLB hit on a RAM page, within the page, with the
 * permission, dirty-log and self-modifying-code checks of mem.c.
 */
#ifndef KVMU_X86_FASTMEM_H
#define KVMU_X86_FASTMEM_H

#include <string.h>

#include "arch/x86/x86_int.h"

/* Host pointer of [lin, lin+size) if one TLB entry maps it to RAM with the
 * access allowed and nothing left to record but the dirty log and the
 * code-store hook (done here); NULL: take the full path (which faults,
 * walks, exits to MMIO as the architecture says). */
static inline u8 *x86_tlb_fast(struct x86_cpu *cpu, u64 lin, u32 size,
			       bool wr)
{
	struct x86_tlb_entry *e = &cpu->tlb[(lin >> 12) % X86_TLB_SIZE];

	if (e->vpage != ((lin & ~0xfffULL) | 1) || !e->host ||
	    ((lin & 0xfff) + size > KVMU_PAGE_SIZE))
		return NULL;
	if (x86_cpl(cpu) == 3 && !e->user)
		return NULL;
	if (wr) {
		if (!e->dirty || e->ro_slot ||
		    (!e->write && (x86_cpl(cpu) == 3 ||
				   (cpu->cr0 & X86_CR0_WP))))
			return NULL;
		if (e->slot->dirty)
			kvmu_memslot_mark_dirty(e->slot, e->ppage);
		x86_code_store(cpu, e->ppage, 1);
	}
	return e->host + (lin & 0xfff);
}

/*
 * Loads and stores of 1, 2, 4 or 8 bytes at a host pointer.  Aligned
 * accesses are single-copy atomic on x86 (SDM 9.1.1): other vCPU threads
 * never see half of a store, so those are one relaxed atomic access.
 */
static inline u64 x86_host_load(const u8 *p, u32 size)
{
	u64 v = 0;

	switch (size) {
	case 1:
		return *p;
	case 2:
		if (!((uintptr_t)p & 1))
			return __atomic_load_n((const u16 *)p,
					       __ATOMIC_RELAXED);
		break;
	case 4:
		if (!((uintptr_t)p & 3))
			return __atomic_load_n((const u32 *)p,
					       __ATOMIC_RELAXED);
		break;
	default:
		if (!((uintptr_t)p & 7))
			return __atomic_load_n((const u64 *)p,
					       __ATOMIC_RELAXED);
		break;
	}
	memcpy(&v, p, size);
	return v;
}

static inline void x86_host_store(u8 *p, u64 v, u32 size)
{
	switch (size) {
	case 1:
		*p = (u8)v;
		return;
	case 2:
		if (!((uintptr_t)p & 1)) {
			__atomic_store_n((u16 *)p, (u16)v, __ATOMIC_RELAXED);
			return;
		}
		break;
	case 4:
		if (!((uintptr_t)p & 3)) {
			__atomic_store_n((u32 *)p, (u32)v, __ATOMIC_RELAXED);
			return;
		}
		break;
	default:
		if (!((uintptr_t)p & 7)) {
			__atomic_store_n((u64 *)p, v, __ATOMIC_RELAXED);
			return;
		}
		break;
	}
	memcpy(p, &v, size);
}

#endif /* KVMU_X86_FASTMEM_H */
