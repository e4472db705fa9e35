// SPDX-License-Identifier: MIT
/*
 * The IOAPIC's guest-visible registers: ID/version/arbitration, the
 * redirection table through IOREGSEL/IOWIN with its read-only bits, edge
 * and level delivery, remote IRR and the EOI that re-delivers a level
 * line still high, masking, the EOI register, and garbage.
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
	struct x86_ioapic io;
	struct x86_apic_irq last;
	int delivered, accept;
	u32 acked;
};

static int deliver(void *o, const struct x86_apic_irq *m)
{
	struct ctx *c = o;

	c->last = *m;
	c->delivered++;
	return c->accept;
}

static void ack(void *o, int pin)
{
	((struct ctx *)o)->acked |= 1u << pin;
}

static void setup(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->io.lock, NULL);
	c->io.opaque = c;
	c->io.deliver = deliver;
	c->io.ack = ack;
	c->accept = 1;
	x86_ioapic_init(&c->io);
}

static void wr(struct ctx *c, u32 reg, u32 v)
{
	assert_int_equal(x86_ioapic_write(&c->io, 0, 4, &reg), 0);
	assert_int_equal(x86_ioapic_write(&c->io, 0x10, 4, &v), 0);
}

static u32 rd(struct ctx *c, u32 reg)
{
	u32 v = 0;

	assert_int_equal(x86_ioapic_write(&c->io, 0, 4, &reg), 0);
	assert_int_equal(x86_ioapic_read(&c->io, 0x10, 4, &v), 0);
	return v;
}

static void test_ids_and_table(void **state)
{
	struct ctx c;

	(void)state;
	setup(&c);
	assert_int_equal(rd(&c, 1), 0x170011);
	wr(&c, 0, 0x0f000000);
	assert_int_equal(rd(&c, 0), 0x0f000000);
	assert_int_equal(rd(&c, 2), 0x0f000000);
	wr(&c, 1, 0);				/* read-only */
	assert_int_equal(rd(&c, 1), 0x170011);
	assert_int_equal(rd(&c, 0x10), 0x10000);	/* masked at reset */
	/* delivery status and remote IRR cannot be written */
	wr(&c, 0x12, 0xffffffff);
	assert_int_equal(rd(&c, 0x12) & 0x5000, 0);
	wr(&c, 0x13, 0xab000000);
	assert_int_equal(rd(&c, 0x13), 0xab000000);
	assert_int_equal(rd(&c, 0x10 + 2 * 24), 0xffffffff);	/* no pin */
}

static void test_edge_and_level(void **state)
{
	struct ctx c;
	struct kvm_ioapic_state s;

	(void)state;
	setup(&c);
	assert_int_equal(x86_ioapic_set_irq(&c.io, 3, 0, 1), -1); /* masked */
	wr(&c, 0x10 + 2 * 4, 0x31);		/* pin 4: edge, vector 0x31 */
	wr(&c, 0x11 + 2 * 4, 0x02000000);
	assert_int_equal(x86_ioapic_set_irq(&c.io, 4, 0, 1), 1);
	assert_int_equal(c.last.vector, 0x31);
	assert_int_equal(c.last.dest, 2);
	assert_int_equal(c.last.trig_mode, 0);
	assert_int_equal(x86_ioapic_set_irq(&c.io, 4, 0, 1), 0); /* no edge */
	x86_ioapic_set_irq(&c.io, 4, 0, 0);
	assert_int_equal(x86_ioapic_set_irq(&c.io, 4, 0, 1), 1);
	assert_int_equal(c.delivered, 2);
	/* pin 9 level: remote IRR holds it until the EOI */
	wr(&c, 0x10 + 2 * 9, 0x8000 | 0x4000 | 0x52);
	assert_int_equal(x86_ioapic_set_irq(&c.io, 9, 0, 1), 1);
	assert_int_equal(rd(&c, 0x10 + 2 * 9) & 0x4000, 0x4000);
	assert_int_equal(x86_ioapic_set_irq(&c.io, 9, 0, 1), -1);
	x86_ioapic_eoi(&c.io, -1, 0x52, true);	/* still high: again */
	assert_int_equal(c.delivered, 4);
	assert_int_equal(c.acked, 1u << 9);
	x86_ioapic_set_irq(&c.io, 9, 0, 0);
	x86_ioapic_eoi(&c.io, -1, 0x52, true);
	assert_int_equal(c.delivered, 4);
	assert_int_equal(rd(&c, 0x10 + 2 * 9) & 0x4000, 0);
	/* the EOI register of the version 0x20 IOAPIC, as KVM accepts it */
	x86_ioapic_set_irq(&c.io, 9, 0, 1);
	{
		u32 v = 0x52;

		x86_ioapic_write(&c.io, 0x40, 4, &v);
	}
	assert_int_equal(c.delivered, 6);
	x86_ioapic_get(&c.io, &s);
	/* pin 3 (masked) waits; pin 4 (edge, delivered) is hidden */
	assert_int_equal(s.irr, (1u << 9) | (1u << 3));
	assert_int_equal(s.base_address, X86_IOAPIC_BASE);
	s.redirtbl[9].bits |= 1ULL << 16;	/* masked by SET */
	x86_ioapic_set(&c.io, &s);
	assert_int_equal(rd(&c, 0x10 + 2 * 9) & 0x10000, 0x10000);
}

static void test_garbage(void **state)
{
	struct ctx c;
	u32 x = 99;
	u64 v;
	int i;

	(void)state;
	setup(&c);
	for (i = 0; i < 20000; i++) {
		x = x * 1103515245 + 12345;
		v = x ^ ((u64)x << 7);
		if (x & 1)
			x86_ioapic_write(&c.io, (x >> 4) & 0xff, 1 << ((x >> 12) & 3),
					 &v);
		else
			x86_ioapic_read(&c.io, (x >> 4) & 0xff, 1 << ((x >> 12) & 3),
					&v);
		x86_ioapic_set_irq(&c.io, (int)((x >> 8) % 24), (int)((x >> 5) & 3),
				   (x >> 3) & 1);
		if ((x & 0x30) == 0x30)
			x86_ioapic_eoi(&c.io, -1, (int)((x >> 16) & 0xff),
				       x & 0x40);
	}
	assert_int_equal(x86_ioapic_read(&c.io, 0, 3, &v), -EOPNOTSUPP);
	assert_int_equal(x86_ioapic_set_irq(&c.io, 24, 0, 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_and_table),
		cmocka_unit_test(test_edge_and_level),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
