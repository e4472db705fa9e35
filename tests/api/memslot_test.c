// SPDX-License-Identifier: MIT
/*
 * KVM_SET_USER_MEMORY_REGION(2): every check of __kvm_set_memory_region in
 * the order the kernel makes it, then create/modify/move/delete, then the
 * argument checks of GET_DIRTY_LOG and CLEAR_DIRTY_LOG.  The cases form a
 * script: each runs on the slots the previous ones left.
 */
#include "kvm_api.h"

#define MEM_SIZE	(1UL << 20)
#define V2		1		/* use KVM_SET_USER_MEMORY_REGION2 */
#define HVA_KERNEL	(~0ULL)		/* a kernel address: fails access_ok */
#define HVA_ODD		(~1ULL)		/* mem + 0x10: misaligned */
#define LOG		KVM_MEM_LOG_DIRTY_PAGES
#define RO		KVM_MEM_READONLY

struct slot_case {
	const char *label;
	int v2;
	__u32 slot;
	__u32 flags;
	__u64 gpa;
	__u64 size;
	__u64 hva;		/* offset into mem, or HVA_* */
	__u64 gmem_offset;	/* region2 only */
};

static const struct slot_case cases[] = {
	/* 1. flags */
	{ "flags bit 3", 0, 0, 1u << 3, 0, 0x10000, 0 },
	{ "flags bit 16", 0, 0, 1u << 16, 0, 0x10000, 0 },
	{ "v1 GUEST_MEMFD", 0, 0, KVM_MEM_GUEST_MEMFD, 0, 0x10000, 0 },
	{ "v2 GUEST_MEMFD|LOG_DIRTY", V2, 0, KVM_MEM_GUEST_MEMFD | LOG, 0,
	  0x10000, 0 },
	/* 2. and 3. alignment */
	{ "size not page aligned", 0, 0, 0, 0, 0x10001, 0 },
	{ "size 0x800", 0, 0, 0, 0, 0x800, 0 },
	{ "gpa not page aligned", 0, 0, 0, 0x10, 0x10000, 0 },
	{ "hva not page aligned", 0, 0, 0, 0, 0x10000, HVA_ODD },
	{ "hva in kernel space", 0, 0, 0, 0, 0x10000, HVA_KERNEL },
	/* 5. ids */
	{ "slot id 32764", 0, 32764, 0, 0, 0x10000, 0 },
	{ "slot id 0xffff", 0, 0xffff, 0, 0, 0x10000, 0 },
	{ "address space 2", 0, 2u << 16, 0, 0, 0x10000, 0 },
	{ "slot id 32763 create", 0, 32763, 0, 0xf0000000, 0x1000, 0 },
	{ "slot id 32763 delete", 0, 32763, 0, 0xf0000000, 0, 0 },
	/* 6. and 7. wrap, size */
	{ "gpa+size wraps", 0, 0, 0, 0xfffffffffffff000ULL, 0x2000, 0 },
	{ "2^32 pages", 0, 0, 0, 0, 1ULL << 44, 0 },
	/* create, overlap */
	{ "delete missing slot 5", 0, 5, 0, 0, 0, 0 },
	{ "create slot 0 [0,64K)", 0, 0, 0, 0, 0x10000, 0 },
	{ "slot 1 overlaps tail", 0, 1, 0, 0x8000, 0x10000, 0x10000 },
	{ "slot 1 overlaps head", V2, 1, 0, 0, 0x1000, 0x10000 },
	{ "slot 1 inside slot 0", 0, 1, 0, 0x4000, 0x1000, 0x10000 },
	{ "slot 1 covers slot 0", 0, 1, 0, 0, 0x20000, 0x10000 },
	{ "slot 1 adjacent [64K,128K)", V2, 1, 0, 0x10000, 0x10000,
	  0x10000 },
	{ "slot 2 shares hva of 0", 0, 2, 0, 0x40000, 0x10000, 0 },
	{ "delete slot 2", 0, 2, 0, 0x40000, 0, 0 },
	/* modify */
	{ "slot 0 identical", 0, 0, 0, 0, 0x10000, 0 },
	{ "slot 0 new hva", 0, 0, 0, 0, 0x10000, 0x20000 },
	{ "slot 0 grow", 0, 0, 0, 0, 0x20000, 0 },
	{ "slot 0 shrink", 0, 0, 0, 0, 0x8000, 0 },
	{ "slot 0 set READONLY", 0, 0, RO, 0, 0x10000, 0 },
	{ "slot 0 set LOG_DIRTY", 0, 0, LOG, 0, 0x10000, 0 },
	{ "slot 0 clear LOG_DIRTY", V2, 0, 0, 0, 0x10000, 0 },
	{ "slot 0 move onto slot 1", 0, 0, 0, 0x18000, 0x10000, 0 },
	{ "slot 0 move to 1M", 0, 0, 0, 0x100000, 0x10000, 0 },
	{ "slot 0 move and LOG_DIRTY", 0, 0, LOG, 0x200000, 0x10000, 0 },
	{ "slot 0 back to 0", 0, 0, 0, 0, 0x10000, 0 },
	{ "delete slot 0", 0, 0, 0, 0, 0, 0 },
	{ "delete slot 0 again", 0, 0, 0, 0, 0, 0 },
	{ "recreate slot 0 READONLY", 0, 0, RO, 0, 0x10000, 0x40000 },
	{ "slot 0 clear READONLY", 0, 0, 0, 0, 0x10000, 0x40000 },
	{ "slot 3 LOG_DIRTY|READONLY", 0, 3, LOG | RO, 0x80000, 0x4000,
	  0x80000 },
	/* region2 extras: the memfd offset is only checked with the flag */
	{ "v2 odd gmem offset, no flag", V2, 4, 0, 0xa0000, 0x1000, 0xa0000,
	  0x123 },
	{ "v2 delete slot 4", V2, 4, 0, 0xa0000, 0, 0xa0000 },
	{ "delete with bad hva", 0, 3, 0, 0x80000, 0, HVA_ODD },
};

static long set_region(int vm, const struct slot_case *c, uint8_t *mem)
{
	struct kvm_userspace_memory_region2 r2 = {
		.slot = c->slot, .flags = c->flags, .guest_phys_addr = c->gpa,
		.memory_size = c->size,
		.guest_memfd_offset = c->gmem_offset,
	};
	struct kvm_userspace_memory_region r1;

	if (c->hva == HVA_KERNEL)
		r2.userspace_addr = 0xffff888000000000ULL;
	else if (c->hva == HVA_ODD)
		r2.userspace_addr = (uintptr_t)mem + 0x10;
	else
		r2.userspace_addr = (uintptr_t)mem + c->hva;
	if (c->v2)
		return KVM_IOCTL(vm, KVM_SET_USER_MEMORY_REGION2, &r2);
	memcpy(&r1, &r2, sizeof(r1));
	return KVM_IOCTL(vm, KVM_SET_USER_MEMORY_REGION, &r1);
}

static void test_regions(int vm, uint8_t *mem)
{
	size_t i;

	T("== set user memory region\n");
	for (i = 0; i < ARRAY_LEN(cases); i++)
		CALL(cases[i].label, set_region(vm, &cases[i], mem));
}

static long get_log(int vm, __u32 slot, void *bitmap)
{
	struct kvm_dirty_log l = { .slot = slot, .dirty_bitmap = bitmap };

	return KVM_IOCTL(vm, KVM_GET_DIRTY_LOG, &l);
}

static long clear_log(int vm, __u32 slot, __u64 first, __u32 num,
		      void *bitmap)
{
	struct kvm_clear_dirty_log l = {
		.slot = slot, .first_page = first, .num_pages = num,
		.dirty_bitmap = bitmap,
	};

	return KVM_IOCTL(vm, KVM_CLEAR_DIRTY_LOG, &l);
}

/* Slot 0: no LOG_DIRTY; slot 3: LOG_DIRTY, 4 pages; slot 6: 128 pages. */
static void test_dirty_log(int vm, uint8_t *mem)
{
	static uint64_t bm[4];

	set_slot(vm, 6, LOG, 0x400000, 128 * PAGE, mem + 0x80000);
	T("== get dirty log\n");
	CALL("GET slot 0 (no LOG_DIRTY)", get_log(vm, 0, bm));
	CALL("GET slot 7 (missing)", get_log(vm, 7, bm));
	CALL("GET slot 32764", get_log(vm, 32764, bm));
	CALL("GET as 2 slot 3", get_log(vm, (2u << 16) | 3, bm));
	CALL("GET slot 3", get_log(vm, 3, bm));
	CALL("GET slot 3 NULL bitmap", get_log(vm, 3, NULL));
	T("== clear dirty log (manual protect not enabled)\n");
	CALL("CLEAR slot 0 (no LOG_DIRTY)", clear_log(vm, 0, 0, 16, bm));
	CALL("CLEAR slot 7 (missing)", clear_log(vm, 7, 0, 4, bm));
	CALL("CLEAR slot 32764", clear_log(vm, 32764, 0, 4, bm));
	CALL("CLEAR slot 6 first_page 1", clear_log(vm, 6, 1, 64, bm));
	CALL("CLEAR slot 6 first_page 64", clear_log(vm, 6, 64, 64, bm));
	CALL("CLEAR slot 6 first_page 128", clear_log(vm, 6, 128, 0, bm));
	CALL("CLEAR slot 6 first_page 192", clear_log(vm, 6, 192, 0, bm));
	CALL("CLEAR slot 6 129 pages", clear_log(vm, 6, 0, 129, bm));
	CALL("CLEAR slot 6 65 pages at 64", clear_log(vm, 6, 64, 65, bm));
	CALL("CLEAR slot 6 10 pages (not to end)", clear_log(vm, 6, 0, 10,
							   bm));
	CALL("CLEAR slot 6 0 pages", clear_log(vm, 6, 0, 0, bm));
	CALL("CLEAR slot 6 all", clear_log(vm, 6, 0, 128, bm));
	CALL("CLEAR slot 6 upper half", clear_log(vm, 6, 64, 64, bm));
	CALL("CLEAR slot 3 all 4 pages", clear_log(vm, 3, 0, 4, bm));
	CALL("CLEAR slot 3 2 pages", clear_log(vm, 3, 0, 2, bm));
}

int main(void)
{
	struct tvm t;
	uint8_t *mem;

	setvbuf(stdout, NULL, _IOLBF, 0);
	tvm_create(&t, 0);
	REQUIRE_CAP(t.sys, USER_MEMORY2);
	REQUIRE_CAP(t.sys, READONLY_MEM);
	mem = alloc_guest(MEM_SIZE);
	CALL("CHECK_EXTENSION(NR_MEMSLOTS)",
	     KVM_IOCTL(t.vm, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS));
	test_regions(t.vm, mem);
	test_dirty_log(t.vm, mem);
	tvm_destroy(&t);
	munmap(mem, MEM_SIZE);
	return 0;
}
