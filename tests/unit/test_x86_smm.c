// SPDX-License-Identifier: MIT
/*
 * System-management mode as KVM emulates it (the selftest smm_test): an
 * SMI from KVM_SMI or a self-IPI with delivery mode SMI enters SMM at
 * SMBASE:0x8000 through address space 1 with the AMD64 save area at
 * SMBASE + 0xfe00; KVM_RUN reports KVM_RUN_X86_SMM; the events carry the
 * SMM state across a save/restore; RSM returns to long mode with every
 * register back; RSM outside SMM is #UD.
 */
#include <errno.h>

#include "x86_int_util.h"

#define SMBASE		0x100000ULL	/* SMRAM: 1 MiB, inside the 2 MiB */
#define SMM_AS1_SLOT	((1U << 16) | 1)
#define MSR_SMBASE	0x9e

/* SMM entry code (real mode, 16-bit): mov $0xfe,%al; out %al,$0x80; rsm */
static const uint8_t handler[] = { 0xb0, 0xfe, 0xe6, 0x80, 0x0f, 0xaa };

static void set_smbase(struct tguest *g, uint64_t v)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m = { .h.nmsrs = 1, .e.index = MSR_SMBASE, .e.data = v };

	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_MSRS, &m), 1);
}

/* The guest's RAM in address space 1 too, as QEMU maps it for SMM. */
static void map_smram(struct tguest *g)
{
	struct kvm_userspace_memory_region r = {
		.slot = SMM_AS1_SLOT, .guest_phys_addr = 0,
		.memory_size = g->mem_size,
		.userspace_addr = (uint64_t)(uintptr_t)g->mem,
	};

	assert_int_equal(tg_ioctl(g, g->vm, KVM_SET_USER_MEMORY_REGION, &r),
			 0);
	set_smbase(g, SMBASE);
	tg_put(g, SMBASE + 0x8000, handler, sizeof(handler));
}

static uint32_t rd32(struct tguest *g, uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, g->mem + gpa, 4);
	return v;
}

static uint64_t rd64(struct tguest *g, uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, g->mem + gpa, 8);
	return v;
}

/* In SMM at the handler's OUT: the entry state and the save area. */
static void check_in_smm(struct tguest *g, uint64_t rip)
{
	struct kvm_vcpu_events ev;
	struct kvm_sregs s;
	struct kvm_regs r;

	assert_int_equal(g->run->exit_reason, KVM_EXIT_IO);
	assert_int_equal(g->run->io.port, 0x80);
	assert_true(g->run->flags & KVM_RUN_X86_SMM);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_VCPU_EVENTS, &ev), 0);
	assert_true(ev.flags & KVM_VCPUEVENT_VALID_SMM);
	assert_int_equal(ev.smi.smm, 1);
	assert_int_equal(ev.smi.pending, 0);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	assert_int_equal(s.cs.base, SMBASE);
	assert_int_equal(s.cs.selector, (SMBASE >> 4) & 0xffff);
	assert_int_equal(s.cr0 & 0x80000001, 0);	/* PG, PE off */
	assert_int_equal(s.efer & 0x500, 0);		/* LME, LMA off */
	assert_int_equal(s.idt.limit, 0);
	assert_int_equal(tg_get_regs(g, &r), 0);
	assert_int_equal(r.rax & 0xff, 0xfe);
	/* AMD64 save area: revision, SMBASE, RIP, RAX, EFER */
	assert_int_equal(rd32(g, SMBASE + 0xfefc), 0x00020064);
	assert_int_equal(rd32(g, SMBASE + 0xff00), SMBASE);
	assert_int_equal(rd64(g, SMBASE + 0xff78), rip);
	assert_int_equal(rd64(g, SMBASE + 0xfff8), 0x1234);
	assert_true(rd64(g, SMBASE + 0xfed0) & 0x400);	/* LMA saved */
}

static void check_back(struct tguest *g, uint64_t rip)
{
	struct kvm_vcpu_events ev;
	struct kvm_sregs s;
	struct kvm_regs r;

	assert_int_equal(g->run->exit_reason, KVM_EXIT_HLT);
	assert_false(g->run->flags & KVM_RUN_X86_SMM);
	assert_int_equal(tg_get_regs(g, &r), 0);
	assert_int_equal(r.rip, rip);
	assert_int_equal(r.rax, 0x1234);		/* restored by RSM */
	assert_int_equal(r.rbx, 0x5678);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	assert_int_equal(s.cs.l, 1);
	assert_true(s.efer & 0x400);
	assert_int_equal(s.cs.selector, 0x8);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_VCPU_EVENTS, &ev), 0);
	assert_int_equal(ev.smi.smm, 0);
}

/* KVM_SMI: SMM entry at the next instruction boundary, RSM back. */
static void test_smi_ioctl_and_rsm(void **state)
{
	static const uint8_t c[] = { 0x90, 0xf4 };	/* nop; hlt */
	struct tguest *g = *state;
	struct kvm_regs r = { .rax = 0x1234, .rbx = 0x5678, .rflags = 2,
			      .rip = TG_CODE, .rsp = TG_STACK_TOP };

	map_smram(g);
	tg_put(g, TG_CODE, c, sizeof(c));
	assert_int_equal(tg_set_regs(g, &r), 0);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SMI, NULL), 0);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), 0);
	check_in_smm(g, TG_CODE);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), 0);
	check_back(g, TG_CODE + 2);
}

/*
 * A self-IPI with delivery mode SMI (x2APIC ICR), and the SMM state
 * carried by KVM_GET/SET_VCPU_EVENTS (smm_test saves and restores the
 * vCPU while in SMM): leaving SMM through the events makes RSM #UD,
 * entering it again makes RSM legal.  The guest ends with an OUT: HLT
 * would sleep with an in-kernel LAPIC.
 */
static void test_self_smi_and_events(void **state)
{
	static const uint8_t c[] = {
		0xb9, 0x1b, 0x00, 0x00, 0x00,		/* mov $0x1b,%ecx */
		0x0f, 0x32,				/* rdmsr */
		0x0d, 0x00, 0x0c, 0x00, 0x00,		/* or $0xc00,%eax */
		0x0f, 0x30,				/* wrmsr: x2APIC */
		0xb9, 0x30, 0x08, 0x00, 0x00,		/* mov $0x830,%ecx */
		0xb8, 0x00, 0x42, 0x04, 0x00,		/* self, assert, SMI */
		0x31, 0xd2,				/* xor %edx,%edx */
		0x0f, 0x30,				/* wrmsr: ICR */
		0xe6, 0x81,				/* out %al,$0x81 */
	};
	struct tguest g;
	struct kvm_vcpu_events ev;
	struct kvm_regs r = { .rflags = 2, .rip = TG_CODE,
			      .rsp = TG_STACK_TOP };

	(void)state;
	assert_int_equal(tg_create_irqchip(&g, &tg_kvmu), 0);
	assert_int_equal(tg_set_supported_cpuid(&g), 0);
	assert_int_equal(tg_long_mode(&g, TG_CODE, TG_STACK_TOP), 0);
	map_smram(&g);
	tg_put(&g, TG_CODE, c, sizeof(c));
	assert_int_equal(tg_set_regs(&g, &r), 0);
	/* the SMI is taken right after the ICR write */
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(g.run->exit_reason, KVM_EXIT_IO);
	assert_int_equal(g.run->io.port, 0x80);
	assert_true(g.run->flags & KVM_RUN_X86_SMM);
	assert_int_equal(rd64(&g, SMBASE + 0xff78), TG_CODE + 28);
	assert_int_equal(rd64(&g, SMBASE + 0xfff8), 0x44200);	/* RAX */
	/* out of SMM by the events, and back in */
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_GET_VCPU_EVENTS, &ev), 0);
	ev.smi.smm = 0;
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_SET_VCPU_EVENTS, &ev), 0);
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_GET_VCPU_EVENTS, &ev), 0);
	assert_int_equal(ev.smi.smm, 0);
	ev.smi.smm = 1;
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_SET_VCPU_EVENTS, &ev), 0);
	/* RSM restores long mode; the OUT after the ICR write exits */
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(g.run->exit_reason, KVM_EXIT_IO);
	assert_int_equal(g.run->io.port, 0x81);
	assert_false(g.run->flags & KVM_RUN_X86_SMM);
	assert_int_equal(tg_get_regs(&g, &r), 0);
	assert_int_equal(r.rax, 0x44200);
	tg_destroy(&g);
}

/* RSM outside SMM raises #UD. */
static void test_rsm_outside_smm_ud(void **state)
{
	static const uint8_t c[] = { 0x0f, 0xaa };
	struct kvm_regs r = { 0 };

	assert_int_equal(xi_run(*state, c, sizeof(c), &r), 6);
}

/* An SMI without SMRAM where the save area goes: a triple fault. */
static void test_smi_without_smram(void **state)
{
	struct tguest *g = *state;
	struct kvm_regs r = { .rflags = 2, .rip = TG_CODE,
			      .rsp = TG_STACK_TOP };

	set_smbase(g, 0x10000000);		/* nothing mapped there */
	g->mem[TG_CODE] = 0xf4;
	assert_int_equal(tg_set_regs(g, &r), 0);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SMI, NULL), 0);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(g->run->exit_reason, KVM_EXIT_SHUTDOWN);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, xi_setup, xi_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_smi_ioctl_and_rsm),
		cmocka_unit_test(test_self_smi_and_events),
		T(test_rsm_outside_smm_ud),
		T(test_smi_without_smram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
