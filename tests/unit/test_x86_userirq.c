// SPDX-License-Identifier: MIT
/*
 * A user-space interrupt controller (no KVM_CREATE_IRQCHIP), as QEMU's
 * kernel_irqchip=off drives it: kvm_run's if_flag and
 * ready_for_interrupt_injection, request_interrupt_window and
 * KVM_EXIT_IRQ_WINDOW_OPEN, KVM_INTERRUPT (queued until the guest can
 * take it; a second one before that replaces the first, as
 * kvm_queue_interrupt), cr8 and apic_base in kvm_run, HLT exiting to user
 * space.  Run on kvmu, and on /dev/kvm when it is usable.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "x86_guest.h"

#define VEC		0x31
#define HANDLER		(TG_CODE + 0x100)

static const uint8_t code[] = {
	0xfa,			/* 0: cli */
	0xe6, 0x10,		/* 1: out 0x10,al: IF=0 here */
	0xfb,			/* 3: sti */
	0x90,			/* 4: nop (in the STI shadow) */
	0x90,			/* 5: nop */
	0xe6, 0x11,		/* 6: out 0x11,al */
	0xf4,			/* 8: hlt */
	0xeb, 0xfe,		/* 9: jmp . */
};

/* out VEC,al; iretq */
static const uint8_t handler[] = { 0xe6, VEC, 0x48, 0xcf };

/* A 64-bit interrupt gate for vector v, and the IDT limit to cover it. */
static int add_gate(struct tguest *g, int v, uint64_t rip)
{
	uint64_t lo = (rip & 0xffff) | (0x8ULL << 16) | (0x8eULL << 40) |
		      ((rip >> 16 & 0xffff) << 48);
	uint64_t hi = rip >> 32;
	struct kvm_sregs s;

	memcpy(g->mem + TG_IDT + 16 * v, &lo, 8);
	memcpy(g->mem + TG_IDT + 16 * v + 8, &hi, 8);
	if (tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s) < 0)
		return -1;
	s.idt.limit = 256 * 16 - 1;
	return tg_ioctl(g, g->vcpu, KVM_SET_SREGS, &s);
}

static int run_once(struct tguest *g)
{
	if (tg_ioctl(g, g->vcpu, KVM_RUN, NULL) < 0)
		return -1;
	return (int)g->run->exit_reason;
}

static uint64_t rip_of(struct tguest *g)
{
	struct kvm_regs r;

	assert_int_equal(tg_get_regs(g, &r), 0);
	return r.rip;
}

/* cr8 and apic_base travel through kvm_run without an in-kernel LAPIC. */
static void check_cr8(struct tguest *g)
{
	struct kvm_sregs s;

	g->run->cr8 = 16;	/* kvm_set_cr8 refuses bits above 3 */
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), -1);
	assert_int_equal(errno, EINVAL);
	g->run->cr8 = 3;
	assert_int_equal(run_once(g), KVM_EXIT_IO);
	assert_int_equal(g->run->io.port, 0x10);
	assert_int_equal(g->run->cr8, 3);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	assert_int_equal(s.cr8, 3);
	assert_int_equal(g->run->apic_base, s.apic_base);
	g->run->cr8 = 0;
}

static void check_backend(const struct tg_backend *be)
{
	struct kvm_interrupt irq = { .irq = 256 };
	struct kvm_vcpu_events ev;
	struct kvm_regs r;
	struct tguest g;
	uint64_t ret;

	if (tg_create(&g, be) < 0) {
		assert_ptr_equal(be, &tg_kvm);	/* only /dev/kvm may be absent */
		return;
	}
	tg_put(&g, TG_CODE, code, sizeof(code));
	tg_put(&g, HANDLER, handler, sizeof(handler));
	assert_int_equal(tg_long_mode(&g, TG_CODE, TG_STACK_TOP), 0);
	assert_int_equal(add_gate(&g, VEC, HANDLER), 0);

	/* IF=0: not ready, and KVM_INTERRUPT checks the vector first */
	check_cr8(&g);
	assert_int_equal(g.run->if_flag, 0);
	assert_int_equal(g.run->ready_for_interrupt_injection, 0);
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_INTERRUPT, &irq), -1);
	assert_int_equal(errno, EINVAL);

	/* the window opens once STI and its shadow are past */
	g.run->request_interrupt_window = 1;
	assert_int_equal(run_once(&g), KVM_EXIT_IRQ_WINDOW_OPEN);
	assert_int_equal(g.run->if_flag, 1);
	assert_int_equal(g.run->ready_for_interrupt_injection, 1);
	ret = rip_of(&g);
	assert_int_equal(ret, TG_CODE + 5);	/* after the shadowed NOP */

	/* queued, not yet taken; a second KVM_INTERRUPT replaces it */
	irq.irq = 0x30;
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_INTERRUPT, &irq), 0);
	irq.irq = VEC;
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_INTERRUPT, &irq), 0);
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_GET_VCPU_EVENTS, &ev), 0);
	assert_int_equal(ev.interrupt.injected, 1);
	assert_int_equal(ev.interrupt.nr, VEC);

	/* taken at once through the IDT: the gate cleared IF */
	g.run->request_interrupt_window = 0;
	assert_int_equal(run_once(&g), KVM_EXIT_IO);
	assert_int_equal(g.run->io.port, VEC);
	assert_int_equal(g.run->if_flag, 0);
	assert_int_equal(g.run->ready_for_interrupt_injection, 0);
	assert_int_equal(tg_get_regs(&g, &r), 0);
	assert_int_equal(*(uint64_t *)(g.mem + r.rsp), ret);
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_GET_VCPU_EVENTS, &ev), 0);
	assert_int_equal(ev.interrupt.injected, 0);

	/* IRETQ back; nothing queued, so ready again */
	assert_int_equal(run_once(&g), KVM_EXIT_IO);
	assert_int_equal(g.run->io.port, 0x11);
	assert_int_equal(g.run->if_flag, 1);
	assert_int_equal(g.run->ready_for_interrupt_injection, 1);

	/* no in-kernel LAPIC: HLT is the VMM's */
	assert_int_equal(run_once(&g), KVM_EXIT_HLT);
	assert_int_equal(rip_of(&g), TG_CODE + 9);
	tg_destroy(&g);
}

/* An interrupt queued while IF=0 waits; the window exit does not come. */
static void check_pending(const struct tg_backend *be)
{
	struct kvm_interrupt irq = { .irq = VEC };
	struct tguest g;

	if (tg_create(&g, be) < 0) {
		assert_ptr_equal(be, &tg_kvm);
		return;
	}
	tg_put(&g, TG_CODE, code, sizeof(code));
	tg_put(&g, HANDLER, handler, sizeof(handler));
	assert_int_equal(tg_long_mode(&g, TG_CODE, TG_STACK_TOP), 0);
	assert_int_equal(add_gate(&g, VEC, HANDLER), 0);
	assert_int_equal(run_once(&g), KVM_EXIT_IO);	/* out 0x10, IF=0 */
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_INTERRUPT, &irq), 0);
	/* STI, then the handler runs right after the shadow */
	assert_int_equal(run_once(&g), KVM_EXIT_IO);
	assert_int_equal(g.run->io.port, VEC);
	assert_int_equal(run_once(&g), KVM_EXIT_IO);
	assert_int_equal(g.run->io.port, 0x11);
	tg_destroy(&g);
}

static void test_kvmu(void **state)
{
	(void)state;
	check_backend(&tg_kvmu);
	check_pending(&tg_kvmu);
}

static void test_kernel(void **state)
{
	(void)state;
	check_backend(&tg_kvm);
	check_pending(&tg_kvm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kvmu),
		cmocka_unit_test(test_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
