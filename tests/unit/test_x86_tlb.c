// SPDX-License-Identifier: MIT
/*
 * The x86 software TLB's flush rules, seen from a 64-bit CPL-0 guest that
 * rewrites its own page tables without (or with) invalidating: a MOV to
 * CR3 keeps global translations and drops the others, INVLPG drops one
 * page (global or not) and no other, toggling CR4.PGE drops global ones,
 * a memory-slot change drops the host pointers the TLB holds, and a data
 * translation never lets an instruction fetch past NX.  Keeping a stale
 * translation is what the architecture allows (SDM 4.10.4.3), not what
 * it promises, so the checks of what survives run on kvmu only; each
 * engine (blocks, interpreter) runs them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "x86_guest.h"

#define VAL_A	0xaaaa0000aaaa0000ULL	/* at PHYS_A */
#define VAL_B	0xbbbb0000bbbb0000ULL	/* at PHYS_B */
#define PHYS_A	0x120000UL
#define PHYS_B	0x121000UL
#define SLOT1	0x300000UL		/* a second one-page slot */
#define PTE_P	1ULL
#define PTE_W	2ULL
#define PTE_G	0x100ULL
#define PTE_NX	(1ULL << 63)

/* four guest routines, at GLOB, PGE, SLOTC and NX */
static const uint8_t code[] = {
	/* glob: read 0x100000 (G), 0x101000, 0x102000 (G), all -> A;
	 * repoint them to B; mov cr3; rbx = [0x100000], rcx = [0x101000];
	 * invlpg [0x100000]; rdx = [0x100000], rsi = [0x102000]; hlt */
	0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x10, 0x00,
	0x48, 0x8b, 0x04, 0x25, 0x00, 0x10, 0x10, 0x00,
	0x48, 0x8b, 0x04, 0x25, 0x00, 0x20, 0x10, 0x00,
	0x48, 0xc7, 0xc0, 0x03, 0x11, 0x12, 0x00,
	0x48, 0x89, 0x04, 0x25, 0x00, 0x48, 0x00, 0x00,
	0x48, 0x89, 0x04, 0x25, 0x10, 0x48, 0x00, 0x00,
	0x48, 0xc7, 0xc0, 0x03, 0x10, 0x12, 0x00,
	0x48, 0x89, 0x04, 0x25, 0x08, 0x48, 0x00, 0x00,
	0x0f, 0x20, 0xd8, 0x0f, 0x22, 0xd8,
	0x48, 0x8b, 0x1c, 0x25, 0x00, 0x00, 0x10, 0x00,
	0x48, 0x8b, 0x0c, 0x25, 0x00, 0x10, 0x10, 0x00,
	0x0f, 0x01, 0x3c, 0x25, 0x00, 0x00, 0x10, 0x00,
	0x48, 0x8b, 0x14, 0x25, 0x00, 0x00, 0x10, 0x00,
	0x48, 0x8b, 0x34, 0x25, 0x00, 0x20, 0x10, 0x00,
	0xf4,
	/* pge: read 0x100000 (G, A); repoint to B; clear and set
	 * CR4.PGE; rbx = [0x100000]; hlt */
	0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x10, 0x00,
	0x48, 0xc7, 0xc0, 0x03, 0x11, 0x12, 0x00,
	0x48, 0x89, 0x04, 0x25, 0x00, 0x48, 0x00, 0x00,
	0x0f, 0x20, 0xe0,
	0x48, 0x25, 0x7f, 0xff, 0xff, 0xff,
	0x0f, 0x22, 0xe0,
	0x48, 0x0d, 0x80, 0x00, 0x00, 0x00,
	0x0f, 0x22, 0xe0,
	0x48, 0x8b, 0x1c, 0x25, 0x00, 0x00, 0x10, 0x00,
	0xf4,
	/* slot1: rax = [0x103000]; hlt; rbx = [0x103000]; hlt */
	0x48, 0x8b, 0x04, 0x25, 0x00, 0x30, 0x10, 0x00,
	0xf4,
	0x48, 0x8b, 0x1c, 0x25, 0x00, 0x30, 0x10, 0x00,
	0xf4,
	/* nx: rax = [0x104000]; jmp 0x104000 (NX: #PF) */
	0x48, 0x8b, 0x04, 0x25, 0x00, 0x40, 0x10, 0x00,
	0x48, 0xc7, 0xc0, 0x00, 0x40, 0x10, 0x00,
	0xff, 0xe0,
};
#define GLOB	0x00
#define PGE	0x6d
#define SLOTC	0xa2
#define NX	0xb4

/* A CPL-0 long-mode guest at off in code, PGE and NXE on, and the test
 * pages 0x100000-0x104000 mapped as the cases expect. */
static void setup(struct tguest *g, const char *engine, unsigned int off)
{
	uint64_t *pt, a = VAL_A, b = VAL_B;
	struct kvm_sregs s;

	setenv("KVMU_ENGINE", engine, 1); /* read by vCPU creation */
	assert_int_equal(tg_create(g, &tg_kvmu), 0);
	tg_put(g, TG_CODE, code, sizeof(code));
	tg_put(g, PHYS_A, &a, sizeof(a));
	tg_put(g, PHYS_B, &b, sizeof(b));
	assert_int_equal(tg_long_mode(g, TG_CODE + off, TG_STACK_TOP), 0);
	pt = (uint64_t *)(g->mem + TG_PT);
	pt[0x100] = PHYS_A | PTE_P | PTE_W | PTE_G;
	pt[0x101] = PHYS_A | PTE_P | PTE_W;
	pt[0x102] = PHYS_A | PTE_P | PTE_W | PTE_G;
	pt[0x103] = SLOT1 | PTE_P | PTE_W;
	pt[0x104] = PHYS_A | PTE_P | PTE_W | PTE_NX;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	s.cr4 |= 0x80;		/* PGE */
	s.efer |= 0x800;	/* NXE */
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_SREGS, &s), 0);
}

static void run_hlt(struct tguest *g, struct kvm_regs *r)
{
	assert_int_equal(tg_run(g, 4), KVM_EXIT_HLT);
	assert_int_equal(tg_get_regs(g, r), 0);
}

static void check_global(const char *engine)
{
	struct kvm_regs r;
	struct tguest g;

	setup(&g, engine, GLOB);
	run_hlt(&g, &r);
	assert_true(r.rbx == VAL_A);	/* global: kept by the CR3 write */
	assert_true(r.rcx == VAL_B);	/* not global: dropped */
	assert_true(r.rdx == VAL_B);	/* INVLPG dropped the global page */
	assert_true(r.rsi == VAL_A);	/* ... and only that page */
	tg_destroy(&g);
}

static void check_pge(const char *engine)
{
	struct kvm_regs r;
	struct tguest g;

	setup(&g, engine, PGE);
	run_hlt(&g, &r);
	assert_true(r.rbx == VAL_B);	/* the PGE toggle flushed it */
	tg_destroy(&g);
}

static void set_slot1(struct tguest *g, void *host, uint32_t size)
{
	struct kvm_userspace_memory_region m = {
		.slot = 1, .guest_phys_addr = SLOT1,
		.memory_size = size, .userspace_addr = (uintptr_t)host,
	};

	assert_int_equal(tg_ioctl(g, g->vm, KVM_SET_USER_MEMORY_REGION, &m),
			 0);
}

static void check_slot(const char *engine)
{
	uint64_t *x, *y;
	struct kvm_regs r;
	struct tguest g;

	x = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	y = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(x != MAP_FAILED && y != MAP_FAILED);
	*x = VAL_A;
	*y = VAL_B;
	setup(&g, engine, SLOTC);
	set_slot1(&g, x, 4096);
	run_hlt(&g, &r);
	assert_true(r.rax == VAL_A);
	/* the VMM replaces the slot's memory: the TLB's pointer must go */
	set_slot1(&g, x, 0);
	set_slot1(&g, y, 4096);
	munmap(x, 4096);
	run_hlt(&g, &r);
	assert_true(r.rbx == VAL_B);
	tg_destroy(&g);
	munmap(y, 4096);
}

static void check_nx(const char *engine)
{
	struct kvm_regs r;
	struct tguest g;

	setup(&g, engine, NX);
	run_hlt(&g, &r);
	assert_int_equal(tg_exception_at(r.rip), 14);	/* #PF */
	tg_destroy(&g);
}

static void test_global(void **state)
{
	(void)state;
	check_global("block");
	check_global("interp");
}

static void test_pge(void **state)
{
	(void)state;
	check_pge("block");
	check_pge("interp");
}

static void test_slot(void **state)
{
	(void)state;
	check_slot("block");
	check_slot("interp");
}

static void test_nx(void **state)
{
	(void)state;
	check_nx("block");
	check_nx("interp");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_global),
		cmocka_unit_test(test_pge),
		cmocka_unit_test(test_slot),
		cmocka_unit_test(test_nx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
