// SPDX-License-Identifier: MIT
/*
 * The local APIC's guest-visible registers: reset values, read-only and
 * reserved bits, TPR/PPR and the interrupt the CPU may take, EOI with the
 * level flag, ICR messages and destination matching (physical, flat and
 * cluster logical, x2APIC cluster, shorthands, broadcast), SVR disable
 * masking the LVTs, x2APIC MSRs and base transitions, the timer modes
 * and current count, and garbage in every register.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/irqchip.h"

struct ctx {
	struct x86_lapic a;
	struct x86_lapic_env env;
	struct x86_apic_irq ipi;
	int nipi, eoi_vec, eoi_level, kicks;
};

static void ipi(void *o, struct x86_lapic *src, const struct x86_apic_irq *m)
{
	struct ctx *c = o;

	(void)src;
	c->ipi = *m;
	c->nipi++;
}

static void eoi(void *o, struct x86_lapic *a, int v, bool level)
{
	struct ctx *c = o;

	(void)a;
	c->eoi_vec = v;
	c->eoi_level = level;
}

static void kick(void *o, struct x86_lapic *a)
{
	(void)a;
	((struct ctx *)o)->kicks++;
}

static void setup(struct ctx *c, u32 id, bool bsp)
{
	memset(c, 0, sizeof(*c));
	c->env = (struct x86_lapic_env){ .opaque = c, .ipi = ipi, .eoi = eoi,
					 .kick = kick };
	pthread_mutex_init(&c->a.lock, NULL);
	c->a.env = &c->env;
	c->a.vcpu_id = id;
	x86_lapic_reset(&c->a, false, bsp);
}

static u32 rd(struct ctx *c, u32 off, u64 now)
{
	u32 v = 0;

	assert_int_equal(x86_lapic_mmio_read(&c->a, now, off, 4, &v), 0);
	return v;
}

static void wr(struct ctx *c, u32 off, u32 v, u64 now)
{
	assert_int_equal(x86_lapic_mmio_write(&c->a, now, off, 4, &v), 0);
}

static void test_reset_and_bits(void **state)
{
	struct ctx c;

	(void)state;
	setup(&c, 3, true);
	assert_int_equal(c.a.base, 0xfee00900);
	assert_int_equal(rd(&c, 0x20, 0), 3u << 24);
	assert_int_equal(rd(&c, 0x30, 0), 0x50014);
	assert_int_equal(rd(&c, 0xe0, 0), 0xffffffff);
	assert_int_equal(rd(&c, 0xf0, 0), 0xff);
	assert_int_equal(rd(&c, 0x350, 0), 0x700);	/* BSP LINT0 ExtINT */
	assert_int_equal(rd(&c, 0x360, 0), 0x10000);
	assert_true(x86_lapic_accepts_pic(&c.a));
	wr(&c, 0x30, 0, 0);				/* read-only */
	assert_int_equal(rd(&c, 0x30, 0), 0x50014);
	/* SVR disabled: LVT writes keep the mask */
	wr(&c, 0x360, 0x400, 0);
	assert_int_equal(rd(&c, 0x360, 0), 0x10400);
	wr(&c, 0xf0, 0x1ff, 0);
	wr(&c, 0x360, 0xffffffff, 0);
	/* KVM keeps the delivery-status bit of LVTs as written */
	assert_int_equal(rd(&c, 0x360, 0), 0x1f7ff);
	wr(&c, 0xf0, 0xff, 0);			/* disable masks them all */
	assert_int_equal(rd(&c, 0x350, 0), 0x10700);
	assert_false(x86_lapic_accepts_pic(&c.a));
	/* odd sizes and offsets are dropped; sub-word reads work */
	{
		u8 b = 0;

		x86_lapic_mmio_read(&c.a, 0, 0x23, 1, &b);
		assert_int_equal(b, 3);
	}
	wr(&c, 0xd0, 0xff123456, 0);
	assert_int_equal(rd(&c, 0xd0, 0), 0xff000000);
}

static void test_priority_and_eoi(void **state)
{
	struct ctx c;
	struct x86_apic_irq m = { .vector = 0x51, .level = 1 };

	(void)state;
	setup(&c, 0, true);
	wr(&c, 0xf0, 0x1ff, 0);
	assert_int_equal(x86_lapic_accept(&c.a, &m), 1);
	assert_true(c.kicks > 0);
	m.vector = 0x92;
	m.trig_mode = 1;
	x86_lapic_accept(&c.a, &m);
	assert_int_equal(x86_lapic_has_interrupt(&c.a), 0x92);
	wr(&c, 0x80, 0x90, 0);			/* TPR masks class 9 */
	assert_int_equal(x86_lapic_has_interrupt(&c.a), -1);
	assert_int_equal(x86_lapic_get_cr8(&c.a), 9);
	x86_lapic_set_cr8(&c.a, 0);
	assert_int_equal(x86_lapic_has_interrupt(&c.a), 0x92);
	x86_lapic_ack(&c.a, 0x92);
	assert_int_equal(rd(&c, 0xa0, 0), 0x90);	/* PPR from ISR */
	assert_int_equal(x86_lapic_has_interrupt(&c.a), -1);
	assert_int_equal(rd(&c, 0x100 + 0x10 * 4, 0), 1u << (0x92 - 128));
	wr(&c, 0xb0, 0, 0);
	assert_int_equal(c.eoi_vec, 0x92);
	assert_int_equal(c.eoi_level, 1);
	assert_int_equal(x86_lapic_has_interrupt(&c.a), 0x51);
	x86_lapic_ack(&c.a, 0x51);
	wr(&c, 0xb0, 0, 0);
	assert_int_equal(c.eoi_vec, 0x51);
	assert_int_equal(c.eoi_level, 0);
	/* NMI, INIT and SIPI are flagged for the vCPU */
	m = (struct x86_apic_irq){ .delivery_mode = X86_DM_NMI };
	x86_lapic_accept(&c.a, &m);
	assert_int_equal(atomic_load(&c.a.nmi), 1);
	m = (struct x86_apic_irq){ .delivery_mode = X86_DM_INIT, .level = 1 };
	x86_lapic_accept(&c.a, &m);
	m = (struct x86_apic_irq){ .delivery_mode = X86_DM_SIPI, .vector = 9 };
	x86_lapic_accept(&c.a, &m);
	assert_int_equal(atomic_load(&c.a.pending), X86_APIC_INIT | X86_APIC_SIPI);
	assert_int_equal(c.a.sipi_vector, 9);
}

static void test_icr_and_match(void **state)
{
	struct ctx c, d;
	struct x86_apic_irq m = { 0 };

	(void)state;
	setup(&c, 1, false);
	setup(&d, 2, false);
	wr(&c, 0x310, 0x02000000, 0);
	wr(&c, 0x300, 0x000c4831, 0);	/* all-but-self, logical, level */
	assert_int_equal(c.nipi, 1);
	assert_int_equal(c.ipi.vector, 0x31);
	assert_int_equal(c.ipi.shorthand, X86_SH_ALL_BUT_SELF);
	assert_int_equal(c.ipi.dest, 2);
	assert_int_equal(c.ipi.dest_mode, 1);
	assert_int_equal(rd(&c, 0x300, 0) & 0x1000, 0);	/* idle */
	/* physical */
	m.dest = 2;
	assert_true(x86_lapic_match(&d.a, &c.a, &m));
	assert_false(x86_lapic_match(&c.a, &c.a, &m));
	m.dest = 0xff;
	assert_true(x86_lapic_match(&c.a, &c.a, &m));
	/* flat logical */
	wr(&d, 0xd0, 0x04000000, 0);
	m = (struct x86_apic_irq){ .dest = 0x06, .dest_mode = 1 };
	assert_true(x86_lapic_match(&d.a, &c.a, &m));
	m.dest = 0x01;
	assert_false(x86_lapic_match(&d.a, &c.a, &m));
	/* cluster: cluster 2, member bit 1 */
	wr(&d, 0xe0, 0x0fffffff, 0);
	wr(&d, 0xd0, 0x21000000, 0);
	m.dest = 0x21;
	assert_true(x86_lapic_match(&d.a, &c.a, &m));
	m.dest = 0x11;
	assert_false(x86_lapic_match(&d.a, &c.a, &m));
	/* shorthands */
	m.shorthand = X86_SH_SELF;
	assert_true(x86_lapic_match(&c.a, &c.a, &m));
	assert_false(x86_lapic_match(&d.a, &c.a, &m));
	m.shorthand = X86_SH_ALL;
	assert_true(x86_lapic_match(&d.a, &c.a, &m));
}

static void test_x2apic(void **state)
{
	struct ctx c;
	u64 v = 0;

	(void)state;
	setup(&c, 0x23, false);
	/* x2APIC MSRs fault in xAPIC mode */
	assert_int_equal(x86_lapic_msr_read(&c.a, 0, 0x802, &v), -1);
	/* disabled -> x2APIC is refused to the guest, EXTD alone invalid */
	assert_int_equal(x86_lapic_set_base(&c.a, 0xfee00000ULL | (1 << 10),
					    false), -1);
	assert_int_equal(x86_lapic_set_base(&c.a, 0xfee00c00ULL, false), 0);
	assert_true(x86_lapic_x2apic(&c.a));
	assert_int_equal(x86_lapic_msr_read(&c.a, 0, 0x802, &v), 0);
	assert_int_equal(v, 0x23);
	assert_int_equal(x86_lapic_msr_read(&c.a, 0, 0x80d, &v), 0);
	assert_int_equal(v, (2u << 16) | (1u << 3));	/* cluster LDR */
	assert_int_equal(x86_lapic_msr_write(&c.a, 0, 0x802, 5), -1);
	assert_int_equal(x86_lapic_msr_write(&c.a, 0, 0x80e, 0), -1); /* DFR */
	assert_int_equal(x86_lapic_msr_write(&c.a, 0, 0x808, 1ULL << 32), -1);
	assert_int_equal(x86_lapic_msr_write(&c.a, 0, 0x830,
					     (7ULL << 32) | 0x4041), 0);
	assert_int_equal(c.ipi.dest, 7);
	assert_int_equal(c.ipi.vector, 0x41);
	assert_int_equal(x86_lapic_msr_write(&c.a, 0, 0x83f, 0x42), 0);
	assert_int_equal(c.ipi.shorthand, X86_SH_SELF);
	/* xAPIC MMIO reads all-ones in x2APIC mode (KVM's quirk) */
	{
		u32 w = 0;

		x86_lapic_mmio_read(&c.a, 0, 0x20, 4, &w);
		assert_int_equal(w, 0xffffffff);
	}
	/* x2APIC -> xAPIC directly faults for the guest */
	assert_int_equal(x86_lapic_set_base(&c.a, 0xfee00800ULL, false), -1);
	assert_int_equal(x86_lapic_set_base(&c.a, 0xfee00000ULL, false), 0);
}

static void test_timer(void **state)
{
	struct ctx c;
	u64 t0 = 1000000000ULL;

	(void)state;
	setup(&c, 0, true);
	wr(&c, 0xf0, 0x1ff, t0);
	wr(&c, 0x3e0, 0x3, t0);			/* divide by 16 */
	wr(&c, 0x320, 0x20033, t0);		/* periodic, vector 0x33 */
	wr(&c, 0x380, 100000, t0);		/* 1.6 ms */
	assert_int_equal(rd(&c, 0x390, t0 + 16000), 99000);
	assert_int_equal(x86_lapic_timer(&c.a, t0 + 1000), t0 + 1600000);
	assert_int_equal(x86_lapic_has_interrupt(&c.a), -1);
	/* three periods late: one interrupt, next deadline in step */
	assert_int_equal(x86_lapic_timer(&c.a, t0 + 5000000),
			 t0 + 4 * 1600000);
	assert_int_equal(x86_lapic_has_interrupt(&c.a), 0x33);
	/* one-shot: expires once, count reads 0 afterwards */
	wr(&c, 0x320, 0x34, t0);
	wr(&c, 0x380, 10, t0);
	x86_lapic_timer(&c.a, t0 + 1000);
	assert_int_equal(c.a.deadline_ns, 0);
	assert_int_equal(rd(&c, 0x390, t0 + 1000), 0);
	/* a tiny periodic count is clamped to 200 us */
	wr(&c, 0x320, 0x20035, t0);
	wr(&c, 0x3e0, 0xb, t0);
	wr(&c, 0x380, 1, t0);
	assert_int_equal(c.a.period_ns, 200000);
	/* TSC-deadline mode needs CPUID: without it bit 18 is dropped */
	wr(&c, 0x320, 0x40036, t0);
	assert_int_equal(rd(&c, 0x320, t0), 0x36);
}

/* The guest's TSC for the deadline tests: 1 GHz, 1 tick per ns from 0. */
static u64 tsc_now;

static u64 tsc(void *o, struct x86_lapic *a, u32 *khz)
{
	(void)o;
	(void)a;
	*khz = 1000000;
	return tsc_now;
}

/*
 * kvm-unit-tests' apic test: switching one-shot <-> periodic keeps TMICT
 * and the running count (the mode at expiry decides on a reload); only
 * a switch to or from TSC-deadline clears TMICT.  A deadline already
 * passed raises the interrupt at the write, not at a later poll.
 */
static void test_timer_mode_switch(void **state)
{
	struct ctx c;
	u64 t0 = 1000000000ULL;

	(void)state;
	setup(&c, 0, true);
	c.env.tsc = tsc;
	c.a.tsc_deadline_ok = true;
	wr(&c, 0xf0, 0x1ff, t0);
	wr(&c, 0x3e0, 0xb, t0);			/* divide by 1: 1 ns a count */
	wr(&c, 0x320, 0x33, t0);		/* one-shot */
	wr(&c, 0x380, 1000000, t0);
	wr(&c, 0x320, 0x20033, t0 + 600000);	/* now periodic */
	assert_int_equal(rd(&c, 0x380, t0 + 600000), 1000000);
	assert_int_equal(rd(&c, 0x390, t0 + 600000), 400000);
	/* expiry reloads: the count wraps to the initial count */
	assert_int_equal(rd(&c, 0x390, t0 + 1100000), 900000);
	assert_int_equal(x86_lapic_timer(&c.a, t0 + 1100000), t0 + 2000000);
	assert_int_equal(x86_lapic_has_interrupt(&c.a), 0x33);
	x86_lapic_ack(&c.a, 0x33);
	wr(&c, 0xb0, 0, t0 + 1100000);
	/* back to one-shot: counts down from where it is, then stops */
	wr(&c, 0x320, 0x33, t0 + 1500000);
	assert_int_equal(rd(&c, 0x390, t0 + 1500000), 500000);
	assert_int_equal(x86_lapic_timer(&c.a, t0 + 2000000), 0);
	assert_int_equal(rd(&c, 0x390, t0 + 2500000), 0);
	assert_int_equal(rd(&c, 0x380, t0 + 2500000), 1000000);
	/* to TSC-deadline: TMICT cleared */
	wr(&c, 0x320, 0x40034, t0 + 2500000);
	assert_int_equal(rd(&c, 0x380, t0 + 2500000), 0);
	x86_lapic_ack(&c.a, 0x33);
	wr(&c, 0xb0, 0, t0 + 2500000);
	/* a deadline in the past: pending as soon as it is written */
	tsc_now = 5000;
	x86_lapic_set_tscdeadline(&c.a, t0 + 2600000, 4000);
	assert_int_equal(x86_lapic_has_interrupt(&c.a), 0x34);
	assert_int_equal(x86_lapic_get_tscdeadline(&c.a), 0);
	/* a future one is not */
	x86_lapic_ack(&c.a, 0x34);
	wr(&c, 0xb0, 0, t0 + 2600000);
	x86_lapic_set_tscdeadline(&c.a, t0 + 2600000, 9000);
	assert_int_equal(x86_lapic_has_interrupt(&c.a), -1);
	assert_int_equal(x86_lapic_get_tscdeadline(&c.a), 9000);
}

static void test_garbage(void **state)
{
	struct ctx c;
	struct kvm_lapic_state s;
	u32 x = 7, v;
	u64 q;
	int i;

	(void)state;
	setup(&c, 0, true);
	for (i = 0; i < 50000; i++) {
		x = x * 1103515245 + 12345;
		v = x ^ (x >> 9) ^ (x << 13);
		if (x & 1)
			x86_lapic_mmio_write(&c.a, (u64)i * 1000,
					     (x >> 3) & 0xfff, 4, &v);
		else
			x86_lapic_mmio_read(&c.a, (u64)i * 1000,
					    (x >> 3) & 0xfff, 1 << ((x >> 15) & 2), &v);
		if ((x & 0xe) == 0xe) {
			q = ((u64)v << 20) | (x & 0xfff);
			x86_lapic_set_base(&c.a, q & ~0x2ffULL, x & 0x10);
			x86_lapic_msr_write(&c.a, 0, 0x800 + ((x >> 8) & 0xff),
					    v);
			x86_lapic_msr_read(&c.a, 0, 0x800 + ((x >> 8) & 0xff), &q);
		}
		x86_lapic_timer(&c.a, (u64)i * 1000);
		if (x86_lapic_has_interrupt(&c.a) >= 0)
			x86_lapic_ack(&c.a, x86_lapic_has_interrupt(&c.a));
	}
	memset(&s, 0xa5, sizeof(s));
	assert_int_equal(x86_lapic_set_state(&c.a, 0, &s), 0);
	x86_lapic_get_state(&c.a, 0, &s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_and_bits),
		cmocka_unit_test(test_priority_and_eoi),
		cmocka_unit_test(test_icr_and_match),
		cmocka_unit_test(test_x2apic),
		cmocka_unit_test(test_timer),
		cmocka_unit_test(test_timer_mode_switch),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
