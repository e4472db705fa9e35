// SPDX-License-Identifier: MIT
/*
 * VM planes: interrupts to planes other than 0 (GSI routes naming their
 * plane in kvm_irq_routing_entry.pad, irqfds, IOAPIC pins and their EOIs,
 * KVM_HC_SEND_IPI and x2APIC IPIs staying in the sender's plane), another
 * plane's APIC timer as a plane event while a plane runs or halts, and
 * kvm_run->suspended_planes.  The choices the RFC leaves open are in
 * docs/planes.md.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>

#include "planes_util.h"

#define KVM_HC_SEND_IPI_NR	10

/* A VM with an irqchip, the supported CPUID, plane 1 and both APICs on. */
static void setup_irq(struct pl *p)
{
	setup_cpuid(p, true);
	lapic_enable(p, p->g.vcpu);
	lapic_enable(p, p->pvcpu);
}

struct routes {
	struct kvm_irq_routing h;
	struct kvm_irq_routing_entry e[4];
};

static struct kvm_irq_routing_entry msi_route(uint32_t gsi, int vec,
					      uint32_t plane)
{
	struct kvm_irq_routing_entry e = {
		.gsi = gsi, .type = KVM_IRQ_ROUTING_MSI, .pad = plane,
		.u.msi = { .address_lo = 0xfee00000, .data = (uint32_t)vec },
	};

	return e;
}

static struct kvm_irq_routing_entry pin_route(uint32_t gsi, uint32_t chip,
					      uint32_t pin, uint32_t plane)
{
	struct kvm_irq_routing_entry e = {
		.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP, .pad = plane,
		.u.irqchip = { .irqchip = chip, .pin = pin },
	};

	return e;
}

static int set_routes(struct pl *p, struct routes *r, uint32_t n)
{
	r->h.nr = n;
	r->h.flags = 0;
	return io(p, p->g.vm, KVM_SET_GSI_ROUTING, r);
}

static int irq_line(struct pl *p, uint32_t gsi, uint32_t level)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };

	return io(p, p->g.vm, KVM_IRQ_LINE, &l);
}

/* MSI routes reach the plane their pad names; bad planes are EINVAL. */
static void test_route_msi_plane(void **state)
{
	struct routes r;
	struct pl p;

	(void)state;
	setup_irq(&p);
	r.e[0] = msi_route(10, 0x40, 1);
	r.e[1] = msi_route(11, 0x41, 0);
	assert_int_equal(set_routes(&p, &r, 2), 0);
	assert_int_equal(irq_line(&p, 10, 1), 0);
	assert_true(irr_has(&p, p.pvcpu, 0x40));
	assert_false(irr_has(&p, p.g.vcpu, 0x40));
	assert_int_equal(irq_line(&p, 11, 1), 0);
	assert_true(irr_has(&p, p.g.vcpu, 0x41));
	assert_false(irr_has(&p, p.pvcpu, 0x41));
	/* a plane past the last; a PIC pin outside plane 0 */
	r.e[0] = msi_route(10, 0x40, 16);
	expect_err(set_routes(&p, &r, 1), EINVAL);
	r.e[0] = pin_route(3, KVM_IRQCHIP_PIC_MASTER, 3, 1);
	expect_err(set_routes(&p, &r, 1), EINVAL);
	/* a plane without vCPUs yet is accepted; nothing is delivered */
	r.e[0] = msi_route(12, 0x42, 5);
	assert_int_equal(set_routes(&p, &r, 1), 0);
	assert_int_equal(irq_line(&p, 12, 1), 0);
	assert_false(irr_has(&p, p.pvcpu, 0x42));
	assert_false(irr_has(&p, p.g.vcpu, 0x42));
	teardown(&p);
}

/* An irqfd on a route of plane 1 raises plane 1's IRR. */
static void test_irqfd_plane(void **state)
{
	struct kvm_irqfd f = { .gsi = 10 };
	uint64_t one = 1;
	struct routes r;
	struct pl p;
	int i, efd;

	(void)state;
	setup_irq(&p);
	r.e[0] = msi_route(10, 0x44, 1);
	assert_int_equal(set_routes(&p, &r, 1), 0);
	efd = eventfd(0, EFD_CLOEXEC);
	assert_true(efd >= 0);
	f.fd = (uint32_t)efd;
	assert_int_equal(io(&p, p.g.vm, KVM_IRQFD, &f), 0);
	assert_int_equal(write(efd, &one, 8), 8);
	/* the irqfd thread delivers it: wait for it, not for a time */
	for (i = 0; i < 10000 && !irr_has(&p, p.pvcpu, 0x44); i++)
		usleep(1000);
	assert_true(irr_has(&p, p.pvcpu, 0x44));
	assert_false(irr_has(&p, p.g.vcpu, 0x44));
	f.flags = KVM_IRQFD_FLAG_DEASSIGN;
	assert_int_equal(io(&p, p.g.vm, KVM_IRQFD, &f), 0);
	close(efd);
	teardown(&p);
}

/* IOAPIC pin (edge or level) to APIC 0, vector vec, unmasked. */
static void ioapic_pin(struct pl *p, int pin, int vec, bool level)
{
	struct kvm_irqchip c = { .chip_id = KVM_IRQCHIP_IOAPIC };

	assert_int_equal(io(p, p->g.vm, KVM_GET_IRQCHIP, &c), 0);
	c.chip.ioapic.redirtbl[pin].bits = (uint64_t)vec |
					   (level ? 1ULL << 15 : 0);
	assert_int_equal(io(p, p->g.vm, KVM_SET_IRQCHIP, &c), 0);
}

static bool remote_irr(struct pl *p, int pin)
{
	struct kvm_irqchip c = { .chip_id = KVM_IRQCHIP_IOAPIC };

	assert_int_equal(io(p, p->g.vm, KVM_GET_IRQCHIP, &c), 0);
	return c.chip.ioapic.redirtbl[pin].fields.remote_irr;
}

/* Vectors up to 0xff in both planes' IDTs; vec's gate at handler. */
static void idt_gate(struct pl *p, int vec, uint64_t handler)
{
	uint64_t lo = (handler & 0xffff) | (0x8ULL << 16) | (0x8eULL << 40) |
		      ((handler >> 16 & 0xffff) << 48);
	uint64_t hi = handler >> 32;
	struct kvm_sregs s;

	memcpy(p->g.mem + TG_IDT + 16 * vec, &lo, 8);
	memcpy(p->g.mem + TG_IDT + 16 * vec + 8, &hi, 8);
	assert_int_equal(io(p, p->g.vcpu, KVM_GET_SREGS, &s), 0);
	s.idt.limit = 256 * 16 - 1;
	assert_int_equal(io(p, p->g.vcpu, KVM_SET_SREGS, &s), 0);
	assert_int_equal(io(p, p->pvcpu, KVM_GET_SREGS, &s), 0);
	s.idt.limit = 256 * 16 - 1;
	assert_int_equal(io(p, p->pvcpu, KVM_SET_SREGS, &s), 0);
}

/* sti; hlt; jmp -3 (waits for interrupts) */
static const uint8_t sti_hlt[] = { 0xfb, 0xf4, 0xeb, 0xfd };
/* mov ebx, 0xfee000b0; mov dword [rbx], 0 (EOI); out port, al; iretq */
static void put_eoi_handler(struct pl *p, uint64_t gpa, uint8_t port)
{
	uint8_t c[] = { 0xbb, 0xb0, 0x00, 0xe0, 0xfe, 0xc7, 0x03, 0, 0, 0, 0,
			0xe6, port, 0x48, 0xcf };

	tg_put(&p->g, gpa, c, sizeof(c));
}

/*
 * IOAPIC pins take the plane of their route; a level pin's remote IRR is
 * cleared only by an EOI in that plane.
 */
static void test_ioapic_plane(void **state)
{
	struct routes r;
	struct pl p;

	(void)state;
	setup_irq(&p);
	map_apic(&p);
	ioapic_pin(&p, 5, 0x45, false);
	ioapic_pin(&p, 7, 0x47, true);
	r.e[0] = pin_route(5, KVM_IRQCHIP_IOAPIC, 5, 1);
	r.e[1] = pin_route(7, KVM_IRQCHIP_IOAPIC, 7, 1);
	assert_int_equal(set_routes(&p, &r, 2), 0);
	assert_int_equal(irq_line(&p, 5, 1), 0);
	assert_int_equal(irq_line(&p, 5, 0), 0);
	assert_true(irr_has(&p, p.pvcpu, 0x45));
	assert_false(irr_has(&p, p.g.vcpu, 0x45));
	/* level: plane 1 has it, remote IRR set until plane 1 EOIs */
	assert_int_equal(irq_line(&p, 7, 1), 0);
	assert_true(irr_has(&p, p.pvcpu, 0x47));
	assert_false(irr_has(&p, p.g.vcpu, 0x47));
	assert_true(remote_irr(&p, 7));
	assert_int_equal(irq_line(&p, 7, 0), 0);
	/* plane 0 EOIs a level 0x47 of its own (an MSI): the pin stays */
	idt_gate(&p, 0x47, TG_CODE + 0x800);
	idt_gate(&p, 0x45, TG_CODE + 0x900);
	put_eoi_handler(&p, TG_CODE + 0x800, 0x30);
	put_eoi_handler(&p, TG_CODE + 0x900, 0x31);
	{
		struct kvm_msi m = { .address_lo = 0xfee00000,
				     .data = 0x47 | 1u << 15 | 1u << 14 };

		assert_int_equal(io(&p, p.g.vm, KVM_SIGNAL_MSI, &m), 1);
	}
	tg_put(&p.g, A_CODE, sti_hlt, sizeof(sti_hlt));
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_IO);
	assert_int_equal(p.g.run->io.port, 0x30);
	assert_true(remote_irr(&p, 7));
	/* plane 1 takes 0x47 (higher than 0x45) and EOIs it: cleared */
	tg_put(&p.g, B_CODE, sti_hlt, sizeof(sti_hlt));
	assert_int_equal(run_plane(&p, 1), KVM_EXIT_IO);
	assert_int_equal(p.g.run->io.port, 0x30);
	assert_false(remote_irr(&p, 7));
	teardown(&p);
}

/* KVM_HC_SEND_IPI from plane 1: plane 1's APIC 0 gets it. */
static void test_pv_ipi_plane(void **state)
{
	static const uint8_t c[] = {
		0xb8, KVM_HC_SEND_IPI_NR, 0, 0, 0,	/* mov eax, 10 */
		0xbb, 1, 0, 0, 0,			/* mov ebx, 1 */
		0x31, 0xc9,				/* xor ecx, ecx */
		0x31, 0xd2,				/* xor edx, edx */
		0xbe, 0x52, 0, 0, 0,			/* mov esi, 0x52 */
		0x0f, 0x01, 0xc1,			/* vmcall */
		0xe6, 0x11,				/* out 0x11, al */
	};
	struct pl p;

	(void)state;
	setup_irq(&p);
	tg_put(&p.g, B_CODE, c, sizeof(c));
	assert_int_equal(run_plane(&p, 1), KVM_EXIT_IO);
	assert_int_equal(p.g.run->io.port, 0x11);
	assert_int_equal(rax_of(&p, p.pvcpu), 1);	/* one APIC */
	assert_true(irr_has(&p, p.pvcpu, 0x52));
	assert_false(irr_has(&p, p.g.vcpu, 0x52));
	teardown(&p);
}

/* An x2APIC ICR write in plane 1 reaches plane 1's APICs only. */
static void test_x2apic_ipi_plane(void **state)
{
	static const uint8_t c[] = {
		0xb9, 0x1b, 0, 0, 0,		/* mov ecx, 0x1b */
		0x0f, 0x32,			/* rdmsr */
		0x0d, 0x00, 0x0c, 0, 0,		/* or eax, 0xc00 */
		0x0f, 0x30,			/* wrmsr: x2APIC on */
		0xb9, 0x30, 0x08, 0, 0,		/* mov ecx, 0x830 */
		0xb8, 0x53, 0x40, 0, 0,		/* mov eax, 0x4053 */
		0x31, 0xd2,			/* xor edx, edx: APIC 0 */
		0x0f, 0x30,			/* wrmsr: ICR */
		0xe6, 0x11,			/* out 0x11, al */
	};
	struct pl p;

	(void)state;
	setup_irq(&p);
	tg_put(&p.g, B_CODE, c, sizeof(c));
	assert_int_equal(run_plane(&p, 1), KVM_EXIT_IO);
	assert_int_equal(p.g.run->io.port, 0x11);
	assert_true(irr_has(&p, p.pvcpu, 0x53));
	assert_false(irr_has(&p, p.g.vcpu, 0x53));
	teardown(&p);
}

/* Plane 1's APIC timer: one-shot, vector 0x60, ns nanoseconds away. */
static void arm_timer(struct pl *p, uint32_t ns)
{
	struct kvm_lapic_state s;
	uint32_t lvtt = 0x60, div = 0xb, tmict = ns;	/* divide by 1 */

	assert_int_equal(io(p, p->pvcpu, KVM_GET_LAPIC, &s), 0);
	memcpy(&s.regs[0x320], &lvtt, 4);
	memcpy(&s.regs[0x3e0], &div, 4);
	memcpy(&s.regs[0x380], &tmict, 4);
	assert_int_equal(io(p, p->pvcpu, KVM_SET_LAPIC, &s), 0);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * A safety net, not a timing assertion: if the timer never became a
 * plane event, SIGALRM ends KVM_RUN (EINTR) and the test fails.
 */
static void watchdog(bool on)
{
	struct sigaction sa = { .sa_handler = on_alarm };

	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
	alarm(on ? 30 : 0);
}

static void timer_event(const uint8_t *code, size_t len)
{
	struct kvmu_plane_event_exit *ev;
	struct pl p;

	setup_irq(&p);
	tg_put(&p.g, A_CODE, code, len);
	ev = kvmu_run_plane_event(p.g.run);
	arm_timer(&p, 2000000);
	runp(&p)->req_exit_planes = 1u << 1;
	watchdog(true);
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_PLANE_EVENT);
	watchdog(false);
	assert_int_equal(ev->cause, KVM_PLANE_EVENT_INTERRUPT);
	assert_int_equal(ev->pending_event_planes, 1u << 1);
	assert_int_equal(ev->target, 1u << 1);
	assert_true(irr_has(&p, p.pvcpu, 0x60));
	assert_false(irr_has(&p, p.g.vcpu, 0x60));
	runp(&p)->req_exit_planes = 0;
	teardown(&p);
}

/* plane 0 spins: plane 1's timer ends the run when it fires */
static void test_timer_event_running(void **state)
{
	static const uint8_t spin[] = { 0xeb, 0xfe };	/* jmp $ */

	(void)state;
	timer_event(spin, sizeof(spin));
}

/* plane 0 halted with IF=0: only plane 1's timer can end the run */
static void test_timer_event_halted(void **state)
{
	static const uint8_t hlt[] = { 0xfa, 0xf4, 0xeb, 0xfd };

	(void)state;
	timer_event(hlt, sizeof(hlt));
}

/*
 * suspended_planes: a switch to a higher plane suspends the one that
 * ran; running a plane resumes it and drops the planes above it.
 */
static void test_suspended_planes(void **state)
{
	struct kvm_sregs s;
	struct pl p;
	int plane2, pv2;

	(void)state;
	setup(&p, true, false);
	plane2 = (int)ioval(&p, p.g.vm, KVM_CREATE_PLANE, 2);
	assert_true(plane2 >= 0);
	pv2 = (int)ioval(&p, plane2, KVM_CREATE_VCPU_PLANE,
			 (unsigned long)p.g.vcpu);
	assert_true(pv2 >= 0);
	assert_int_equal(io(&p, p.g.vcpu, KVM_GET_SREGS, &s), 0);
	assert_int_equal(io(&p, pv2, KVM_SET_SREGS, &s), 0);
	put_mark(&p, A_CODE, 0, 0x10);
	put_mark(&p, B_CODE, 1, 0x11);
	put_mark(&p, B_CODE + 0x100, 2, 0x12);
	set_rip(&p, pv2, B_CODE + 0x100);
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_IO);
	assert_int_equal(runp(&p)->suspended_planes, 0);
	assert_int_equal(run_plane(&p, 1), KVM_EXIT_IO);
	assert_int_equal(runp(&p)->suspended_planes, 1u << 0);
	assert_int_equal(run_plane(&p, 2), KVM_EXIT_IO);
	assert_int_equal(runp(&p)->suspended_planes, 1u << 0 | 1u << 1);
	/* back to 1: plane 2 no longer suspended anything */
	set_rip(&p, p.pvcpu, B_CODE);
	assert_int_equal(run_plane(&p, 1), KVM_EXIT_IO);
	assert_int_equal(runp(&p)->suspended_planes, 1u << 0);
	/* an event at entry runs nothing: the chain stays */
	lapic_enable(&p, p.g.vcpu);
	msi(&p, p.g.vm, 0x41);
	runp(&p)->req_exit_planes = 1u << 0;
	assert_int_equal(run_plane(&p, 2), KVM_EXIT_PLANE_EVENT);
	assert_int_equal(runp(&p)->suspended_planes, 1u << 0);
	runp(&p)->req_exit_planes = 0;
	/* plane 0 resumes: nothing is suspended */
	set_rip(&p, p.g.vcpu, A_CODE);
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_IO);
	assert_int_equal(runp(&p)->suspended_planes, 0);
	close(pv2);
	close(plane2);
	teardown(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_msi_plane),
		cmocka_unit_test(test_irqfd_plane),
		cmocka_unit_test(test_ioapic_plane),
		cmocka_unit_test(test_pv_ipi_plane),
		cmocka_unit_test(test_x2apic_ipi_plane),
		cmocka_unit_test(test_timer_event_running),
		cmocka_unit_test(test_timer_event_halted),
		cmocka_unit_test(test_suspended_planes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
