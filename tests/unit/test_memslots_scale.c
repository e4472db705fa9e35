// SPDX-License-Identifier: MIT
/*
 * Memory slots at the kernel's limit: 32764 slots added (ascending,
 * descending and shuffled), moved, flagged and deleted, with every lookup
 * checked against a plain model after each phase.  The slot index is
 * chunked (KVMU_SLOT_CHUNK), so this also crosses every split and empty
 * chunk path.  Count-based: its speed is measured by `make bench`.
 * Under ASan it took 427 s (nice, load 12) of the runner's default 600 s:
 * run.sh timeout: 1800
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "kvmu_int.h"

#define NSLOTS 32764
#define PG 4096UL

struct model {
	u64 gpa[NSLOTS];	/* 0: absent (gpas start at 1 page) */
};

static int vm_fd, sys_fd;
static struct kvmu_vm *vm;
static u8 *mem;
static struct model mdl;
static u32 order[NSLOTS];

static int set(u32 slot, u64 gpa, u64 size, u32 flags)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (u64)(uintptr_t)mem + slot * PG,
	};

	return kvmu_ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r) ? -errno : 0;
}

/* Every slot found where the model says, nothing between them. */
static void check(void)
{
	struct kvmu_memslots *s = atomic_load(&vm->slots[0]);
	int nr = 0, i;
	u64 prev = 0;
	u32 id;

	for (id = 0; id < NSLOTS; id++) {
		const struct kvmu_memslot *m;

		if (!mdl.gpa[id])
			continue;
		nr++;
		m = kvmu_memslot_find(vm, 0, mdl.gpa[id] + 123);
		assert_non_null(m);
		assert_int_equal(m->id, id);
		assert_int_equal(m->gpa, mdl.gpa[id]);
		/* the page after each slot is a hole (gpas are 2 pages apart) */
		assert_null(kvmu_memslot_find(vm, 0, mdl.gpa[id] + PG));
	}
	assert_int_equal(s ? s->nr : 0, nr);
	for (i = 0; i < nr; i++) {
		const struct kvmu_memslot *m = kvmu_memslots_nth(s, i);

		assert_true(m->gpa > prev);
		assert_int_equal(mdl.gpa[m->id], m->gpa);
		prev = m->gpa;
	}
	assert_null(kvmu_memslot_find(vm, 0, 0));
}

static void shuffle(u32 seed)
{
	u32 i;

	for (i = 0; i < NSLOTS; i++)
		order[i] = i;
	for (i = NSLOTS - 1; i > 0; i--) {
		u32 j, t;

		seed = seed * 1103515245u + 12345u;
		j = (seed >> 8) % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
}

static int setup(void **state)
{
	struct kvmu_obj *obj;

	(void)state;
	sys_fd = kvmu_open(KVMU_ARCH_X86_64, 0);
	vm_fd = kvmu_ioctl(sys_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0 || kvmu_obj_get(vm_fd, &obj))
		return -1;
	vm = (struct kvmu_vm *)obj;
	kvmu_obj_put(obj);
	mem = mmap(NULL, NSLOTS * PG, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	memset(&mdl, 0, sizeof(mdl));
	return mem == MAP_FAILED ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	close(vm_fd);
	close(sys_fd);
	munmap(mem, NSLOTS * PG);
	return 0;
}

/* gpa of slot id in layout `pass`: ascending ids, 2 pages apart, shifted */
static u64 gpa_of(u32 id, u32 pass)
{
	return (2ULL * id + 1 + pass * 4ULL * NSLOTS) * PG;
}

static void add_all(u32 pass, int how)
{
	u32 i;

	if (how == 2)
		shuffle(pass + 7);
	for (i = 0; i < NSLOTS; i++) {
		u32 id = how == 0 ? i : how == 1 ? NSLOTS - 1 - i : order[i];

		assert_int_equal(set(id, gpa_of(id, pass), PG, 0), 0);
		mdl.gpa[id] = gpa_of(id, pass);
	}
	check();
}

static void delete_all(u32 seed)
{
	u32 i;

	shuffle(seed);
	for (i = 0; i < NSLOTS; i++) {
		assert_int_equal(set(order[i], 0, 0, 0), 0);
		mdl.gpa[order[i]] = 0;
		if (i == NSLOTS / 2)
			check();
	}
	check();
	assert_int_equal(set(0, 0, 0, 0), -EINVAL);	/* already gone */
}

static void scale_add_delete(void **state)
{
	(void)state;
	add_all(0, 0);
	/* the limit: slot ids stop at 32763 */
	assert_int_equal(set(NSLOTS, gpa_of(0, 3), PG, 0), -EINVAL);
	/* an overlap with any of them is refused */
	assert_int_equal(set(5, gpa_of(9, 0), PG, 0), -EEXIST);
	delete_all(1);
	add_all(1, 1);
	delete_all(2);
	add_all(2, 2);
	delete_all(3);
}

static void scale_move_and_flags(void **state)
{
	u32 i;

	(void)state;
	add_all(0, 2);
	/* move every slot, in shuffled order, to a disjoint range */
	shuffle(99);
	for (i = 0; i < NSLOTS; i++) {
		u32 id = order[i];

		assert_int_equal(set(id, gpa_of(id, 1), PG, 0), 0);
		mdl.gpa[id] = gpa_of(id, 1);
	}
	check();
	/* dirty logging on for every slot, in place */
	for (i = 0; i < NSLOTS; i++) {
		assert_int_equal(set(i, gpa_of(i, 1), PG,
				     KVM_MEM_LOG_DIRTY_PAGES), 0);
	}
	check();
	/* and off again on every other one */
	for (i = 0; i < NSLOTS; i += 2)
		assert_int_equal(set(i, gpa_of(i, 1), PG, 0), 0);
	check();
	assert_non_null(kvmu_memslot_find(vm, 0, gpa_of(1, 1))->dirty);
	assert_null(kvmu_memslot_find(vm, 0, gpa_of(2, 1))->dirty);
	delete_all(5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(scale_add_delete, setup,
						teardown),
		cmocka_unit_test_setup_teardown(scale_move_and_flags, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
