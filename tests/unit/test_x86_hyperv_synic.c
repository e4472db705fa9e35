// SPDX-License-Identifier: MIT
/*
 * The SynIC's connections, as QEMU's hyperv-testdev and VMBus use them:
 * KVM_IRQ_ROUTING_HV_SINT routes (checks, delivery by KVM_IRQ_LINE_STATUS
 * and by an irqfd written from this thread while the irqfd thread
 * delivers, the resamplefd told on EOM and on the EOI of the SINT's
 * vector), SINT auto-EOI (the vector is taken without an ISR bit), and
 * KVM_HYPERV_EVENTFD (its errors, and HvCallSignalEvent signalling the
 * bound eventfd in kvmu while unbound ids still exit to user space).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "kvmu/kvmu.h"
#include "x86_hv_util.h"

#define HV_EOM		0x40000084U
#define HV_SINT0	0x40000090U
#define SINT_AUTO_EOI	(1ULL << 17)
#define SINT_MASKED	(1ULL << 16)
#define VEC_A		0x52	/* SINT 3 */
#define VEC_B		0x53	/* SINT 4 */
#define GSI_A		30	/* HV_SINT vcpu 0 sint 3 */
#define GSI_MASKED	31	/* vcpu 0 sint 5 (masked) */
#define GSI_NO_VP	32	/* vcpu 7: no such VP */
#define GSI_BAD_SINT	33	/* sint 16 */
#define GSI_B		34	/* vcpu 0 sint 4 */
#define HC_SIGNAL	0x5dULL
#define HC_FAST		(1ULL << 16)
#define HANDLER		(TG_CODE + 0x800)
#define POLL_MAX	600000	/* x 100 us: only a hang trips this */

static void synic_on(struct tguest *g)
{
	struct kvm_enable_cap ec = { .cap = KVM_CAP_HYPERV_SYNIC2 };

	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_ENABLE_CAP, &ec), 0);
}

static void sint_route(struct kvm_irq_routing_entry *e, uint32_t gsi,
		       uint32_t vp, uint32_t sint)
{
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_HV_SINT;
	e->u.hv_sint.vcpu = vp;
	e->u.hv_sint.sint = sint;
}

static int set_routes(struct tguest *g, const struct kvm_irq_routing_entry *e,
		      uint32_t n)
{
	struct {
		struct kvm_irq_routing h;
		struct kvm_irq_routing_entry e[8];
	} r;

	memset(&r, 0, sizeof(r));
	r.h.nr = n;
	memcpy(r.e, e, n * sizeof(*e));
	return tg_ioctl(g, g->vm, KVM_SET_GSI_ROUTING, &r);
}

static void standard_routes(struct tguest *g)
{
	struct kvm_irq_routing_entry e[5];

	sint_route(&e[0], GSI_A, 0, 3);
	sint_route(&e[1], GSI_MASKED, 0, 5);
	sint_route(&e[2], GSI_NO_VP, 7, 0);
	sint_route(&e[3], GSI_BAD_SINT, 0, 16);
	sint_route(&e[4], GSI_B, 0, 4);
	assert_int_equal(set_routes(g, e, 5), 0);
}

static int line_status(struct tguest *g, uint32_t gsi, uint32_t level)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };

	assert_int_equal(tg_ioctl(g, g->vm, KVM_IRQ_LINE_STATUS, &l), 0);
	return (int)l.status;
}

static void lapic_bit(struct tguest *g, int base, int vec, bool on)
{
	struct kvm_lapic_state ls;
	uint32_t w;
	int off = base + 0x10 * (vec / 32);

	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_LAPIC, &ls), 0);
	memcpy(&w, &ls.regs[off], 4);
	w = on ? w | 1U << (vec % 32) : w & ~(1U << (vec % 32));
	memcpy(&ls.regs[off], &w, 4);
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_LAPIC, &ls), 0);
}

static bool isr(struct tguest *g, int vec)
{
	struct kvm_lapic_state ls;
	uint32_t w;

	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_LAPIC, &ls), 0);
	memcpy(&w, &ls.regs[0x100 + 0x10 * (vec / 32)], 4);
	return (w >> (vec % 32)) & 1;
}

/* The routes' own checks, and delivery by KVM_IRQ_LINE_STATUS. */
static void test_sint_routes(void **state)
{
	struct tguest *g = *state;
	struct kvm_irq_routing_entry e[2];

	/* flags must be 0; an HV_SINT gsi takes no second entry */
	sint_route(&e[0], 3, 0, 0);
	e[0].flags = 1;
	assert_int_equal(set_routes(g, e, 1), -1);
	assert_int_equal(errno, EINVAL);
	sint_route(&e[0], 3, 0, 0);
	sint_route(&e[1], 3, 0, 1);
	assert_int_equal(set_routes(g, e, 2), -1);
	assert_int_equal(errno, EINVAL);
	standard_routes(g);
	/* no SynIC yet: not delivered */
	assert_int_equal(line_status(g, GSI_A, 1), -1);
	synic_on(g);
	assert_int_equal(line_status(g, GSI_A, 1), -1);	/* SINT masked */
	assert_int_equal(hv_wrmsr(g, HV_SINT0 + 3, VEC_A), -1);
	assert_int_equal(line_status(g, GSI_A, 0), -1);	/* level 0 */
	assert_false(hv_irr(g, g->vcpu, VEC_A));
	assert_int_equal(line_status(g, GSI_A, 1), 1);
	assert_true(hv_irr(g, g->vcpu, VEC_A));
	assert_int_equal(line_status(g, GSI_MASKED, 1), -1);
	assert_int_equal(line_status(g, GSI_NO_VP, 1), -1);
	assert_int_equal(line_status(g, GSI_BAD_SINT, 1), -1);
	/* the SINT follows the VP index, not the vCPU's position */
	assert_int_equal(hv_host_set(g, g->vcpu, HV_VP_INDEX, 7), 1);
	assert_int_equal(hv_wrmsr(g, HV_SINT0 + 0, VEC_B), -1);
	assert_false(hv_irr(g, g->vcpu, VEC_B));
	assert_int_equal(line_status(g, GSI_NO_VP, 1), 1);
	assert_true(hv_irr(g, g->vcpu, VEC_B));
	assert_int_equal(line_status(g, GSI_A, 1), -1);	/* VP 0 is gone */
}

static void wait_irr(struct tguest *g, int vec)
{
	int i;

	for (i = 0; i < POLL_MAX && !hv_irr(g, g->vcpu, vec); i++)
		usleep(100);
	assert_true(hv_irr(g, g->vcpu, vec));
}

static uint64_t take(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, 8) != 8)
		return 0;
	return v;
}

/* An irqfd with a resamplefd on an HV_SINT gsi; EOM and EOI tell it. */
static void test_sint_irqfd_resample(void **state)
{
	struct tguest *g = *state;
	int efd = eventfd(0, EFD_CLOEXEC), rfd;
	struct kvm_irqfd a = { .gsi = GSI_A };

	rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(efd >= 0 && rfd >= 0);
	standard_routes(g);
	synic_on(g);
	assert_int_equal(hv_wrmsr(g, HV_SINT0 + 3, VEC_A), -1);
	a.fd = (uint32_t)efd;
	a.flags = KVM_IRQFD_FLAG_RESAMPLE;
	a.resamplefd = (uint32_t)rfd;
	assert_int_equal(tg_ioctl(g, g->vm, KVM_IRQFD, &a), 0);
	assert_int_equal(eventfd_write(efd, 1), 0);
	wait_irr(g, VEC_A);
	assert_int_equal(take(rfd), 0);
	/* EOM acknowledges every SINT, so the resamplefd is told */
	assert_int_equal(hv_wrmsr(g, HV_EOM, 0), -1);
	assert_int_equal(take(rfd), 1);
	/* the EOI of the SINT's vector does too (kvm_hv_synic_send_eoi) */
	lapic_bit(g, 0x200, VEC_A, false);
	lapic_bit(g, 0x100, VEC_A, true);
	assert_int_equal(hv_wrmsr(g, HV_EOI, 0), -1);
	assert_false(isr(g, VEC_A));
	assert_int_equal(take(rfd), 1);
	/* another vector's EOI does not */
	lapic_bit(g, 0x100, 0x70, true);
	assert_int_equal(hv_wrmsr(g, HV_EOI, 0), -1);
	assert_int_equal(take(rfd), 0);
	a.flags = KVM_IRQFD_FLAG_DEASSIGN;
	assert_int_equal(tg_ioctl(g, g->vm, KVM_IRQFD, &a), 0);
	close(efd);
	close(rfd);
}

static void set_gate(struct tguest *g, int vec, uint64_t handler)
{
	uint64_t lo = (handler & 0xffff) | (0x8ULL << 16) | (0x8eULL << 40) |
		      ((handler >> 16 & 0xffff) << 48);
	uint64_t hi = handler >> 32;

	memcpy(g->mem + TG_IDT + 16 * vec, &lo, 8);
	memcpy(g->mem + TG_IDT + 16 * vec + 8, &hi, 8);
}

/* Take the pending SINT interrupt: sti; nop; nop; the handler OUTs. */
static void take_interrupt(struct tguest *g, int vec)
{
	static const uint8_t code[] = { 0xfb, 0x90, 0x90 };
	static const uint8_t handler[] = { 0xe6, HV_DONE_PORT };
	struct kvm_regs r = { 0 };

	tg_put(g, HANDLER, handler, sizeof(handler));
	set_gate(g, vec, HANDLER);
	assert_int_equal(hv_run(g, code, sizeof(code), &r), -1);
	/* in the handler (at or past its OUT, as PIO exits leave RIP) */
	assert_true(r.rip >= HANDLER && r.rip <= HANDLER + sizeof(handler));
	assert_false(hv_irr(g, g->vcpu, vec));
}

/* A SINT with auto-EOI is taken without an ISR bit; others set it. */
static void test_sint_auto_eoi(void **state)
{
	struct tguest *g = *state;
	struct kvm_sregs s;

	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_GET_SREGS, &s), 0);
	s.idt.limit = 256 * 16 - 1;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_SET_SREGS, &s), 0);
	standard_routes(g);
	synic_on(g);
	assert_int_equal(hv_wrmsr(g, HV_SINT0 + 3, VEC_A | SINT_AUTO_EOI), -1);
	assert_int_equal(hv_wrmsr(g, HV_SINT0 + 4, VEC_B), -1);
	assert_int_equal(line_status(g, GSI_A, 1), 1);
	take_interrupt(g, VEC_A);
	assert_false(isr(g, VEC_A));
	assert_int_equal(line_status(g, GSI_B, 1), 1);
	take_interrupt(g, VEC_B);
	assert_true(isr(g, VEC_B));
	/* a masked SINT's vector is an ordinary vector again */
	assert_int_equal(hv_wrmsr(g, HV_SINT0 + 3, SINT_MASKED |
				  SINT_AUTO_EOI | VEC_A), -1);
	assert_int_equal(hv_wrmsr(g, HV_EOI, 0), -1);		/* VEC_B */
	lapic_bit(g, 0x200, VEC_A, true);
	take_interrupt(g, VEC_A);
	assert_true(isr(g, VEC_A));
}

static int hv_eventfd(struct tguest *g, uint32_t id, int fd, uint32_t flags)
{
	struct kvm_hyperv_eventfd a = { .conn_id = id, .fd = fd,
					.flags = flags };

	return tg_ioctl(g, g->vm, KVM_HYPERV_EVENTFD, &a);
}

static void test_hyperv_eventfd_ioctl(void **state)
{
	struct tguest *g = *state;
	int efd = eventfd(0, EFD_CLOEXEC), p[2];

	assert_true(efd >= 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(kvmu_ioctl(g->sys, KVM_CHECK_EXTENSION,
				    KVM_CAP_HYPERV_EVENTFD), 1);
	assert_int_equal(hv_eventfd(g, 0x1000000, efd, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(hv_eventfd(g, 5, efd, 2), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(hv_eventfd(g, 5, -1, 0), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(hv_eventfd(g, 5, p[0], 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(hv_eventfd(g, 5, efd, 1), -1);	/* not bound */
	assert_int_equal(errno, ENOENT);
	assert_int_equal(hv_eventfd(g, 5, efd, 0), 0);
	assert_int_equal(hv_eventfd(g, 5, efd, 0), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(hv_eventfd(g, 0xffffff, efd, 0), 0);
	assert_int_equal(hv_eventfd(g, 5, -1, 1), 0);	/* fd not needed */
	assert_int_equal(hv_eventfd(g, 5, efd, 1), -1);
	assert_int_equal(errno, ENOENT);
	close(p[0]);
	close(p[1]);
	close(efd);	/* the VM keeps its own reference to id 0xffffff */
}

/* HvCallSignalEvent: bound ids in kvmu, others to user space. */
static void test_signal_event(void **state)
{
	static const uint8_t vmcall[] = { 0x0f, 0x01, 0xc1 };
	struct tguest *g = *state;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	uint64_t five = 5;
	struct kvm_regs r;

	assert_true(efd >= 0);
	assert_int_equal(hv_host_set(g, g->vcpu, HV_OS_ID, LINUX_OS_ID), 1);
	assert_int_equal(hv_eventfd(g, 5, efd, 0), 0);
	/* without SynIC a bound id is still served; others are refused */
	assert_int_equal(hv_call(g, HC_SIGNAL | HC_FAST, 5, 0), 0);
	assert_int_equal(take(efd), 1);
	assert_int_equal(hv_call(g, HC_SIGNAL | HC_FAST, 6, 0), 3);
	synic_on(g);
	/* fast, then slow (the id in memory) */
	assert_int_equal(hv_call(g, HC_SIGNAL | HC_FAST, 5, 0), 0);
	assert_int_equal(hv_call(g, HC_SIGNAL | HC_FAST, 5, 0), 0);
	assert_int_equal(take(efd), 2);
	tg_put(g, TG_DATA, &five, 8);
	assert_int_equal(hv_call(g, HC_SIGNAL, TG_DATA, 0), 0);
	assert_int_equal(take(efd), 1);
	assert_int_equal(hv_call(g, HC_SIGNAL, TG_DATA + 4, 0), 4);	/* align */
	assert_int_equal(hv_call(g, HC_SIGNAL, TG_DATA + 0xffc, 0), 4);
	assert_int_equal(hv_call(g, HC_SIGNAL | HC_FAST, 5 | 1U << 24, 0), 3);
	assert_int_equal(hv_call(g, HC_SIGNAL | HC_FAST | 1ULL << 32, 5, 0),
			 3);	/* rep count */
	assert_int_equal(take(efd), 0);
	/* a flag number, or an unbound id: user space may serve it */
	r = (struct kvm_regs){ .rcx = HC_SIGNAL | HC_FAST, .rdx = 6 };
	assert_int_equal(hv_run(g, vmcall, sizeof(vmcall), &r),
			 -2 - KVM_EXIT_HYPERV);
	assert_int_equal(g->run->hyperv.type, KVM_EXIT_HYPERV_HCALL);
	assert_int_equal(g->run->hyperv.u.hcall.params[0], 6);
	g->run->hyperv.u.hcall.result = 0;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), 0);
	r = (struct kvm_regs){ .rcx = HC_SIGNAL | HC_FAST,
			       .rdx = 5 | 1ULL << 32 };
	assert_int_equal(hv_run(g, vmcall, sizeof(vmcall), &r),
			 -2 - KVM_EXIT_HYPERV);
	g->run->hyperv.u.hcall.result = 0;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), 0);
	/* unbound again: the id goes to user space too */
	assert_int_equal(hv_eventfd(g, 5, -1, 1), 0);
	r = (struct kvm_regs){ .rcx = HC_SIGNAL | HC_FAST, .rdx = 5 };
	assert_int_equal(hv_run(g, vmcall, sizeof(vmcall), &r),
			 -2 - KVM_EXIT_HYPERV);
	g->run->hyperv.u.hcall.result = 0;
	assert_int_equal(tg_ioctl(g, g->vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(take(efd), 0);
	close(efd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		HV_TEST(test_sint_routes),
		HV_TEST(test_sint_irqfd_resample),
		HV_TEST(test_sint_auto_eoi),
		HV_TEST(test_hyperv_eventfd_ioctl),
		HV_TEST(test_signal_event),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
