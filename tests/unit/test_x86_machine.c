// SPDX-License-Identifier: MIT
/*
 * The x86 machine side through the public API: page-fault error codes,
 * CR2 and accessed/dirty bits, #DF and triple fault, MMIO read completion,
 * read-only slots, vCPU events with exception payloads, single step and
 * software breakpoints.  Guests are byte arrays run in long mode set up
 * through SET_SREGS (identity map of 1 GiB: 4K pages below 2M, then 2M).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/kvm.h>
#include "kvmu/kvmu.h"

#define MEM	0x200000UL
#define GDT	0x500
#define PML4	0x1000
#define PDPT	0x2000
#define PD	0x3000
#define PT	0x4000
#define IDT	0x6000
#define STUBS	0x8000		/* vector v: hlt at STUBS + 16 v */
#define CODE	0x10000
#define STACK	0x80000
#define MMIO	0x40000000UL	/* beyond the 1 GiB map: see pd_2m */

struct vm {
	int sys, vm, vcpu;
	struct kvm_run *run;
	uint8_t *mem;
};

static uint64_t *q(struct vm *v, uint64_t gpa)
{
	return (uint64_t *)(v->mem + gpa);
}

static void tables(struct vm *v)
{
	uint64_t i;

	*q(v, PML4) = PDPT | 3;
	*q(v, PDPT) = PD | 3;
	*q(v, PD) = PT | 3;
	for (i = 1; i < 512; i++)	/* 2M pages up to 1G */
		*q(v, PD + 8 * i) = (i << 21) | 0x83;
	for (i = 0; i < 512; i++)
		*q(v, PT + 8 * i) = (i << 12) | 3;
	*q(v, GDT + 8) = 0x00209a0000000000ULL;		/* 64-bit code */
	*q(v, GDT + 16) = 0x00cf92000000ffffULL;	/* data */
	for (i = 0; i < 32; i++) {
		uint64_t h = STUBS + 16 * i;

		v->mem[h] = 0xf4;
		*q(v, IDT + 16 * i) = (h & 0xffff) | (8ULL << 16) |
				      (0x8eULL << 40) | ((h >> 16) << 48);
		*q(v, IDT + 16 * i + 8) = 0;
	}
}

static void seg(struct kvm_segment *s, uint16_t sel, int code)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = code ? 11 : 3;
	s->present = s->s = s->g = 1;
	s->l = code;
	s->db = !code;
}

static void setup(struct vm *v, const void *code, size_t n)
{
	struct kvm_userspace_memory_region r = { 0 };
	struct kvm_regs regs = { .rip = CODE, .rsp = STACK, .rflags = 2 };
	struct kvm_sregs s;

	v->sys = kvmu_open(KVMU_ARCH_X86_64, 0);
	assert_true(v->sys >= 0);
	v->vm = kvmu_ioctl(v->sys, KVM_CREATE_VM, 0);
	assert_true(v->vm >= 0);
	v->mem = mmap(NULL, MEM, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(v->mem != MAP_FAILED);
	r.memory_size = MEM;
	r.userspace_addr = (uintptr_t)v->mem;
	assert_int_equal(kvmu_ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &r), 0);
	v->vcpu = kvmu_ioctl(v->vm, KVM_CREATE_VCPU, 0);
	assert_true(v->vcpu >= 0);
	v->run = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	assert_true(v->run != MAP_FAILED);
	tables(v);
	memcpy(v->mem + CODE, code, n);
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_GET_SREGS, &s), 0);
	seg(&s.cs, 8, 1);
	seg(&s.ds, 16, 0);
	s.es = s.fs = s.gs = s.ss = s.ds;
	memset(&s.tr, 0, sizeof(s.tr));
	s.tr.limit = 0x67;
	s.tr.type = 11;
	s.tr.present = 1;
	s.gdt.base = GDT;
	s.gdt.limit = 23;
	s.idt.base = IDT;
	s.idt.limit = 32 * 16 - 1;
	s.cr0 = 0x80010033;
	s.cr3 = PML4;
	s.cr4 = 0x20;
	s.efer = 0xd00;		/* NXE LMA LME */
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_SET_SREGS, &s), 0);
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_SET_REGS, &regs), 0);
}

static void teardown(struct vm *v)
{
	munmap(v->run, 3 * 4096);
	munmap(v->mem, MEM);
	close(v->vcpu);
	close(v->vm);
	close(v->sys);
}

static int run(struct vm *v)
{
	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_RUN, 0), 0);
	return (int)v->run->exit_reason;
}

static uint64_t rip(struct vm *v)
{
	struct kvm_regs r;

	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_GET_REGS, &r), 0);
	return r.rip;
}

static uint64_t cr2(struct vm *v)
{
	struct kvm_sregs s;

	assert_int_equal(kvmu_ioctl(v->vcpu, KVM_GET_SREGS, &s), 0);
	return s.cr2;
}

/* After a HLT in stub v, rip is one past it. */
#define AT_STUB(v) (STUBS + 16 * (v) + 1)

static void test_pf_codes_and_ad(void **state)
{
	/* read 0x5000, write 0x9000, then write the read-only page 0xa000 */
	static const uint8_t code[] = {
		0x8a, 0x04, 0x25, 0x00, 0x50, 0x00, 0x00,	/* read */
		0xc6, 0x04, 0x25, 0x00, 0x90, 0x00, 0x00, 0x01, /* write */
		0xc6, 0x04, 0x25, 0x00, 0xa0, 0x00, 0x00, 0x01, /* RO wr */
	};
	struct vm v;

	(void)state;
	setup(&v, code, sizeof(code));
	*q(&v, PT + 8 * 0xa) = 0xa000 | 1;		/* read-only */
	assert_int_equal(run(&v), KVM_EXIT_HLT);
	assert_int_equal(rip(&v), AT_STUB(14));
	assert_int_equal(cr2(&v), 0xa000);
	/* error code P|W on the stack */
	assert_int_equal(*q(&v, STACK - 48), 3);
	assert_true(*q(&v, PT + 8 * 5) & 0x20);		/* A */
	assert_false(*q(&v, PT + 8 * 5) & 0x40);	/* no D on a read */
	assert_true(*q(&v, PT + 8 * 9) & 0x40);		/* D */
	assert_true(*q(&v, PML4) & 0x20);
	teardown(&v);
}

static void test_pf_not_present_user_nx(void **state)
{
	static const uint8_t code[] = { 0xff, 0x24, 0x25, 0x00, 0x50, 0x00,
					0x00 };	/* jmp [0x5000] */
	struct vm v;

	(void)state;
	setup(&v, code, sizeof(code));
	*q(&v, 0x5000) = 0xb000;
	*q(&v, PT + 8 * 0xb) = 0xb000 | 3 | (1ULL << 63);	/* NX */
	assert_int_equal(run(&v), KVM_EXIT_HLT);
	assert_int_equal(rip(&v), AT_STUB(14));
	assert_int_equal(cr2(&v), 0xb000);
	assert_int_equal(*q(&v, STACK - 48), 0x11);	/* P | I/D */
	teardown(&v);
}

static void test_double_and_triple_fault(void **state)
{
	static const uint8_t code[] = { 0x8a, 0x04, 0x25, 0x00, 0xc0, 0x00,
					0x00 };	/* mov al,[0xc000] */
	struct kvm_sregs s;
	struct vm v;

	(void)state;
	setup(&v, code, sizeof(code));
	*q(&v, PT + 8 * 0xc) = 0;			/* #PF */
	*q(&v, IDT + 16 * 14) &= ~(1ULL << 47);		/* gate absent: #NP */
	assert_int_equal(run(&v), KVM_EXIT_HLT);
	assert_int_equal(rip(&v), AT_STUB(8));
	teardown(&v);

	setup(&v, code, sizeof(code));
	*q(&v, PT + 8 * 0xc) = 0;
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_GET_SREGS, &s), 0);
	s.idt.limit = 0;				/* every vector #GPs */
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_SET_SREGS, &s), 0);
	assert_int_equal(run(&v), KVM_EXIT_SHUTDOWN);
	teardown(&v);
}

static void test_mmio_read_completion(void **state)
{
	/* mov eax,[MMIO]; hlt */
	static const uint8_t code[] = { 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00,
					0x40, 0xf4 };
	struct kvm_regs r;
	struct vm v;

	(void)state;
	setup(&v, code, sizeof(code));
	*q(&v, PDPT + 8) = 0x40000000 | 0x83;		/* 1G page at 1G */
	assert_int_equal(run(&v), KVM_EXIT_MMIO);
	assert_int_equal(v.run->mmio.phys_addr, MMIO);
	assert_int_equal(v.run->mmio.len, 4);
	assert_false(v.run->mmio.is_write);
	assert_int_equal(rip(&v), CODE);		/* not retired yet */
	memcpy(v.run->mmio.data, "\x11\x22\x33\x44", 4);
	assert_int_equal(run(&v), KVM_EXIT_HLT);
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_GET_REGS, &r), 0);
	assert_int_equal(r.rax, 0x44332211);
	teardown(&v);
}

static void test_events_payload(void **state)
{
	static const uint8_t code[] = { 0xf4 };
	struct kvm_enable_cap cap = { .cap = KVM_CAP_EXCEPTION_PAYLOAD,
				      .args = { 1 } };
	struct kvm_vcpu_events e;
	struct vm v;

	(void)state;
	setup(&v, code, sizeof(code));
	memset(&e, 0, sizeof(e));
	e.flags = KVM_VCPUEVENT_VALID_PAYLOAD;
	e.exception.pending = 1;
	e.exception.nr = 14;
	e.exception.has_error_code = 1;
	e.exception.error_code = 2;
	e.exception_has_payload = 1;
	e.exception_payload = 0x1234;
	/* the payload flag needs the capability */
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_SET_VCPU_EVENTS, &e), -1);
	assert_int_equal(kvmu_ioctl(v.vm, KVM_ENABLE_CAP, &cap), 0);
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_SET_VCPU_EVENTS, &e), 0);
	memset(&e, 0, sizeof(e));
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_GET_VCPU_EVENTS, &e), 0);
	assert_true(e.exception.pending);
	assert_false(e.exception.injected);
	assert_true(e.exception_has_payload);
	assert_int_equal(e.exception_payload, 0x1234);
	assert_int_equal(cr2(&v), 0);			/* not yet delivered */
	assert_int_equal(run(&v), KVM_EXIT_HLT);
	assert_int_equal(rip(&v), AT_STUB(14));
	assert_int_equal(cr2(&v), 0x1234);
	assert_int_equal(*q(&v, STACK - 48), 2);
	teardown(&v);
}

static void test_single_step_and_int3(void **state)
{
	/* nop; nop; int3; hlt */
	static const uint8_t code[] = { 0x90, 0x90, 0xcc, 0xf4 };
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP,
	};
	struct vm v;

	(void)state;
	setup(&v, code, sizeof(code));
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_SET_GUEST_DEBUG, &dbg), 0);
	assert_int_equal(run(&v), KVM_EXIT_DEBUG);
	assert_int_equal(v.run->debug.arch.exception, 1);
	assert_int_equal(v.run->debug.arch.pc, CODE + 1);
	assert_int_equal(v.run->debug.arch.dr6, 0xffff4ff0);
	dbg.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_SET_GUEST_DEBUG, &dbg), 0);
	assert_int_equal(run(&v), KVM_EXIT_DEBUG);
	assert_int_equal(v.run->debug.arch.exception, 3);
	assert_int_equal(v.run->debug.arch.pc, CODE + 2);
	assert_int_equal(rip(&v), CODE + 2);
	teardown(&v);
}

static void test_fail_entry_and_emulation_failure(void **state)
{
	/* encls: SGX is not modelled, so the instruction is not emulated */
	static const uint8_t code[] = { 0x0f, 0x01, 0xcf };
	struct kvm_sregs s;
	struct vm v;

	(void)state;
	setup(&v, code, sizeof(code));
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_GET_SREGS, &s), 0);
	s.cs.db = 1;		/* L and D together: VM entry fails */
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_SET_SREGS, &s), 0);
	assert_int_equal(run(&v), KVM_EXIT_FAIL_ENTRY);
	s.cs.db = 0;
	assert_int_equal(kvmu_ioctl(v.vcpu, KVM_SET_SREGS, &s), 0);
	assert_int_equal(run(&v), KVM_EXIT_INTERNAL_ERROR);
	assert_int_equal(v.run->emulation_failure.suberror,
			 KVM_INTERNAL_ERROR_EMULATION);
	assert_int_equal(v.run->emulation_failure.insn_size, 3);
	teardown(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pf_codes_and_ad),
		cmocka_unit_test(test_pf_not_present_user_nx),
		cmocka_unit_test(test_double_and_triple_fault),
		cmocka_unit_test(test_mmio_read_completion),
		cmocka_unit_test(test_events_payload),
		cmocka_unit_test(test_single_step_and_int3),
		cmocka_unit_test(test_fail_entry_and_emulation_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
