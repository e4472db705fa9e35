// SPDX-License-Identifier: MIT
/*
 * VM planes: per-plane memory attributes on the accesses the emulated
 * hardware makes for a plane (page-table reads and accessed/dirty
 * updates, the kvmclock page, the VAPIC page), attribute changes reaching
 * a running vCPU's TLB, decoded instructions and translated blocks with
 * both engines, and no PKU (so no PKRU to keep per plane).
 */
#include <pthread.h>
#include <stdlib.h>

#include "planes_util.h"

#define PTE_A	(1ULL << 5)
#define PTE_D	(1ULL << 6)
#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01

static uint64_t *pte_of(struct pl *p, uint64_t gpa)
{
	return (uint64_t *)(p->g.mem + TG_PT) + (gpa >> 12);
}

/* The walker may not read a table page: an exit with its address. */
static void test_walk_read(void **state)
{
	struct kvm_regs r;
	struct pl p;

	(void)state;
	setup(&p, false, false);
	put_mark(&p, A_CODE, 1, 0x10);
	put_mark(&p, B_CODE, 2, 0x11);
	assert_int_equal(set_attr(&p, p.g.vm, TG_PT, 4096, 7), 0);
	expect_fault(&p, 0, TG_PT, KVMU_MEMORY_EXIT_FLAG_READ);
	assert_int_equal(io(&p, p.g.vcpu, KVM_GET_REGS, &r), 0);
	assert_int_equal(r.rip, A_CODE);
	/* plane 1 walks the same tables freely */
	assert_int_equal(run_plane(&p, 1), KVM_EXIT_IO);
	assert_int_equal(p.g.run->io.port, 0x11);
	assert_int_equal(set_attr(&p, p.g.vm, TG_PT, 4096, 0), 0);
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_IO);
	assert_int_equal(p.g.run->io.port, 0x10);
	teardown(&p);
}

/*
 * The walker's accessed/dirty updates are writes: stopped on a table the
 * plane may not write, but only when a bit has to be set.
 */
static void test_walk_ad(void **state)
{
	uint64_t *code, *data;
	struct pl p;

	(void)state;
	setup(&p, false, false);
	put_write_read(&p, A_CODE, 0x10);
	code = pte_of(&p, A_CODE);
	data = pte_of(&p, PAGE_P);
	assert_int_equal(*code & PTE_A, 0);
	assert_int_equal(set_attr(&p, p.g.vm, TG_PT, 4096,
				  KVMU_MEMORY_ATTRIBUTE_NW), 0);
	/* the fetch needs A on the code page's PTE */
	expect_fault(&p, 0, TG_PT, KVMU_MEMORY_EXIT_FLAG_WRITE);
	assert_int_equal(*code & PTE_A, 0);
	/* A set by hand: the fetch goes on, the write needs D */
	*code |= PTE_A;
	*data |= PTE_A;
	expect_fault(&p, 0, TG_PT, KVMU_MEMORY_EXIT_FLAG_WRITE);
	assert_int_equal(p.g.mem[PAGE_P + 8], 0);
	assert_int_equal(*data & PTE_D, 0);
	*data |= PTE_D;
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_IO);
	assert_int_equal(p.g.mem[PAGE_P + 8], 0x5a);
	teardown(&p);
}

static void set_msr(struct pl *p, int fd, uint32_t index, uint64_t v)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = { .h.nmsrs = 1, .e = { .index = index, .data = v } };

	assert_int_equal(io(p, fd, KVM_SET_MSRS, &m), 1);
}

/* kvmclock: the update at KVM_RUN is a write of the plane. */
static void test_kvmclock(void **state)
{
	uint32_t ver;
	struct pl p;

	(void)state;
	setup_cpuid(&p, false);
	put_mark(&p, A_CODE, 1, 0x10);
	put_mark(&p, B_CODE, 2, 0x11);
	assert_int_equal(set_attr(&p, p.g.vm, PAGE_P, 4096,
				  KVMU_MEMORY_ATTRIBUTE_NW), 0);
	/* enabling it does not write the page: the next KVM_RUN reports */
	set_msr(&p, p.g.vcpu, MSR_KVM_SYSTEM_TIME_NEW, PAGE_P | 1);
	memcpy(&ver, p.g.mem + PAGE_P, 4);
	assert_int_equal(ver, 0);
	expect_fault(&p, 0, PAGE_P, KVMU_MEMORY_EXIT_FLAG_WRITE);
	assert_int_equal(rax_of(&p, p.g.vcpu), 0);	/* nothing ran */
	memcpy(&ver, p.g.mem + PAGE_P, 4);
	assert_int_equal(ver, 0);
	/* plane 1's kvmclock is its own (off) */
	assert_int_equal(run_plane(&p, 1), KVM_EXIT_IO);
	assert_int_equal(set_attr(&p, p.g.vm, PAGE_P, 4096, 0), 0);
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_IO);
	memcpy(&ver, p.g.mem + PAGE_P, 4);
	assert_true(ver != 0 && !(ver & 1));
	teardown(&p);
}

/* The VAPIC page's TPR/IRR summary is written for the plane. */
static void test_vapic(void **state)
{
	static const uint8_t spin[] = { 0xeb, 0xfe };	/* jmp $ */
	struct kvm_vapic_addr va = { .vapic_addr = PAGE_P };
	struct pl p;

	(void)state;
	setup(&p, true, false);
	lapic_enable(&p, p.g.vcpu);
	tg_put(&p.g, A_CODE, spin, sizeof(spin));
	assert_int_equal(io(&p, p.g.vcpu, KVM_SET_VAPIC_ADDR, &va), 0);
	assert_int_equal(set_attr(&p, p.g.vm, PAGE_P, 4096,
				  KVMU_MEMORY_ATTRIBUTE_NW), 0);
	expect_fault(&p, 0, PAGE_P, KVMU_MEMORY_EXIT_FLAG_WRITE);
	teardown(&p);
}

struct looper {
	struct pl *p;
	int ret;
};

static void *run_thread(void *arg)
{
	struct looper *l = arg;

	l->ret = run_plane(l->p, 0);
	return NULL;
}

/*
 * A change reaches a running vCPU before the ioctl returns: its TLB
 * (no-write on the page it increments) or its decoded and translated
 * code (no-execute on the loop's own page), with engine (NULL: blocks).
 */
static void attr_running(const char *engine, uint64_t page, uint64_t attr,
			 uint64_t flag)
{
	/* 1: inc qword [PAGE_P]; jmp 1 */
	uint8_t c[] = { 0x48, 0xff, 0x04, 0x25, 0, 0, 0, 0, 0xeb, 0xf6 };
	uint64_t *mf, seen, now;
	uint32_t a = PAGE_P;
	struct looper l;
	pthread_t t;
	struct pl p;

	if (engine)
		assert_int_equal(setenv("KVMU_ENGINE", engine, 1), 0);
	else
		assert_int_equal(unsetenv("KVMU_ENGINE"), 0);
	memcpy(c + 4, &a, 4);
	setup(&p, false, false);		/* vCPUs read KVMU_ENGINE */
	assert_int_equal(unsetenv("KVMU_ENGINE"), 0);
	tg_put(&p.g, A_CODE, c, sizeof(c));
	l.p = &p;
	assert_int_equal(pthread_create(&t, NULL, run_thread, &l), 0);
	while (__atomic_load_n((uint64_t *)&p.g.mem[PAGE_P],
			       __ATOMIC_ACQUIRE) < 1000)
		usleep(1000);
	assert_int_equal(set_attr(&p, p.g.vm, page, 4096, attr), 0);
	seen = __atomic_load_n((uint64_t *)&p.g.mem[PAGE_P], __ATOMIC_ACQUIRE);
	assert_int_equal(pthread_join(t, NULL), 0);
	now = __atomic_load_n((uint64_t *)&p.g.mem[PAGE_P], __ATOMIC_ACQUIRE);
	assert_int_equal(l.ret, -EFAULT);
	assert_int_equal(seen, now);
	mf = (uint64_t *)((uint8_t *)p.g.run + 32);
	assert_int_equal(mf[0], flag);
	assert_int_equal(mf[1], page);
	teardown(&p);
}

static void test_running_nw_blocks(void **state)
{
	(void)state;
	attr_running(NULL, PAGE_P, KVMU_MEMORY_ATTRIBUTE_NW,
		     KVMU_MEMORY_EXIT_FLAG_WRITE);
}

static void test_running_nw_interp(void **state)
{
	(void)state;
	attr_running("interp", PAGE_P, KVMU_MEMORY_ATTRIBUTE_NW,
		     KVMU_MEMORY_EXIT_FLAG_WRITE);
}

static void test_running_nx_blocks(void **state)
{
	(void)state;
	attr_running(NULL, A_CODE, KVMU_MEMORY_ATTRIBUTE_NX,
		     KVMU_MEMORY_EXIT_FLAG_EXEC);
}

static void test_running_nx_interp(void **state)
{
	(void)state;
	attr_running("interp", A_CODE, KVMU_MEMORY_ATTRIBUTE_NX,
		     KVMU_MEMORY_EXIT_FLAG_EXEC);
}

/*
 * kvmu's x86 CPU has no protection keys: CPUID.7.0:ECX.PKU/OSPKE and
 * XCR0.PKRU are 0 and CR4.PKE is reserved (#GP), in every plane, so
 * there is no PKRU for KVM_CAP_PLANES_FPU to share or keep apart.
 */
static void test_no_pku(void **state)
{
	/* mov rax, cr4; bts rax, 22; mov cr4, rax; out 0x11, al */
	static const uint8_t c[] = { 0x0f, 0x20, 0xe0, 0x48, 0x0f, 0xba, 0xe8,
				     22, 0x0f, 0x22, 0xe0, 0xe6, 0x11 };
	uint32_t r[4];
	struct kvm_regs regs;
	struct pl p;

	(void)state;
	setup_cpuid(&p, false);
	assert_int_equal(tg_supported_cpuid(&p.g, 7, 0, r), 0);
	assert_int_equal(r[2] & (3u << 3), 0);		/* PKU, OSPKE */
	if (tg_supported_cpuid(&p.g, 0xd, 0, r) == 0)
		assert_int_equal(r[0] & (1u << 9), 0);	/* XCR0.PKRU */
	tg_put(&p.g, B_CODE, c, sizeof(c));
	assert_int_equal(run_plane(&p, 1), KVM_EXIT_HLT);
	assert_int_equal(io(&p, p.pvcpu, KVM_GET_REGS, &regs), 0);
	assert_int_equal(tg_exception_at(regs.rip), 13);
	teardown(&p);
}

/*
 * Under PAE paging a MOV to CR3 loads the four PDPTEs: a read of the new
 * table's page on the plane's behalf, so an exit where that is forbidden
 * (the MOV not retired, CR3 unchanged), the load once it is allowed.
 */
#define PAE_PDPT1	0x50000UL
#define PAE_PD		0x51000UL
#define PAE_PDPT2	0x52000UL

static void test_pae_pdptrs(void **state)
{
	/* mov eax, PAE_PDPT2; mov cr3, eax; out 0x10, al */
	uint8_t c[] = { 0xb8, 0, 0, 0, 0, 0x0f, 0x22, 0xd8, 0xe6, 0x10 };
	uint64_t pdpte = PAE_PD | 1, pde = 0x83;	/* 2 MiB, P RW PS */
	uint32_t t = PAE_PDPT2;
	struct kvm_sregs s;
	struct pl p;

	(void)state;
	setup(&p, false, false);
	memcpy(c + 1, &t, 4);
	tg_put(&p.g, A_CODE, c, sizeof(c));
	tg_put(&p.g, PAE_PDPT1, &pdpte, 8);
	tg_put(&p.g, PAE_PDPT2, &pdpte, 8);
	tg_put(&p.g, PAE_PD, &pde, 8);
	/* plane 0: 32-bit protected mode, PAE paging, no long mode */
	assert_int_equal(io(&p, p.g.vcpu, KVM_GET_SREGS, &s), 0);
	s.cs.l = 0;
	s.cs.db = s.ds.db = s.ss.db = s.es.db = 1;
	s.efer = 0;
	s.cr3 = PAE_PDPT1;
	assert_int_equal(io(&p, p.g.vcpu, KVM_SET_SREGS, &s), 0);
	set_rip(&p, p.g.vcpu, A_CODE);
	/* no-read: the sheet's rule makes it no-write, no-exec too */
	assert_int_equal(set_attr(&p, p.g.vm, PAE_PDPT2, 4096, 7), 0);
	expect_fault(&p, 0, PAE_PDPT2, KVMU_MEMORY_EXIT_FLAG_READ);
	assert_int_equal(io(&p, p.g.vcpu, KVM_GET_SREGS, &s), 0);
	assert_int_equal(s.cr3, PAE_PDPT1);
	assert_int_equal(set_attr(&p, p.g.vm, PAE_PDPT2, 4096, 0), 0);
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_IO);
	assert_int_equal(p.g.run->io.port, 0x10);
	assert_int_equal(io(&p, p.g.vcpu, KVM_GET_SREGS, &s), 0);
	assert_int_equal(s.cr3, PAE_PDPT2);
	teardown(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_read),
		cmocka_unit_test(test_walk_ad),
		cmocka_unit_test(test_kvmclock),
		cmocka_unit_test(test_vapic),
		cmocka_unit_test(test_running_nw_blocks),
		cmocka_unit_test(test_running_nw_interp),
		cmocka_unit_test(test_running_nx_blocks),
		cmocka_unit_test(test_running_nx_interp),
		cmocka_unit_test(test_no_pku),
		cmocka_unit_test(test_pae_pdptrs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
