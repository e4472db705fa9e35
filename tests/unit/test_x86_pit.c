// SPDX-License-Identifier: MIT
/*
 * The 8254 PIT's guest-visible behaviour at chosen instants: counter
 * reads in modes 0, 2 and 3 (LSB/MSB/word access), latch and read-back
 * status, the gate and output of channel 2 on port 0x61, channel 0's
 * IRQ0 ticks (periodic, one-shot, coalesced when late, clamped to 200 us,
 * off in HPET legacy mode), state round trips, and garbage on the ports.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "arch/x86/irqchip.h"

#define T0 5000000000ULL

struct ctx {
	struct x86_pit p;
	int irqs;
};

static void irq(void *o)
{
	((struct ctx *)o)->irqs++;
}

static void setup(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->p.lock, NULL);
	c->p.opaque = c;
	c->p.irq = irq;
	x86_pit_init(&c->p, T0);
}

static void out(struct ctx *c, u16 port, u8 v, u64 now)
{
	assert_int_equal(x86_pit_pio(&c->p, now, port, true, &v), 0);
}

static u8 in(struct ctx *c, u16 port, u64 now)
{
	u8 v = 0;

	assert_int_equal(x86_pit_pio(&c->p, now, port, false, &v), 0);
	return v;
}

/* ns for n PIT clocks */
static u64 clk(u64 n)
{
	return n * 1000000000ULL / X86_PIT_HZ + 1;
}

static void test_counting(void **state)
{
	struct ctx c;
	u32 lo;

	(void)state;
	setup(&c);
	assert_int_equal(atomic_load(&c.p.next_ns), 0);	/* reset: none */
	out(&c, 0x43, 0xb0, T0);		/* ch2, word, mode 0 */
	out(&c, 0x42, 0x00, T0);
	out(&c, 0x42, 0x10, T0);		/* 0x1000 */
	out(&c, 0x43, 0x80, T0 + clk(0x100));	/* latch ch2 */
	assert_int_equal(in(&c, 0x42, T0 + clk(0x800)), 0x00);
	assert_int_equal(in(&c, 0x42, T0 + clk(0x800)), 0x0f);
	/* unlatched: the live count */
	assert_int_equal(in(&c, 0x42, T0 + clk(0x200)), 0x00);
	assert_int_equal(in(&c, 0x42, T0 + clk(0x200)), 0x0e);
	/* read-back: status of ch2 (out low before terminal count) */
	out(&c, 0x43, 0xe8, T0 + clk(0x10));
	assert_int_equal(in(&c, 0x42, T0), 0x30);
	/* mode 0 output rises at terminal count, seen on port 0x61 */
	assert_int_equal(in(&c, 0x61, T0 + clk(0x1001)) & 0x20, 0x20);
	out(&c, 0x61, 0x03, T0);
	assert_int_equal(in(&c, 0x61, T0) & 3, 3);
	/* mode 3 counts down by two */
	out(&c, 0x43, 0xb6, T0);
	out(&c, 0x42, 100, T0);
	out(&c, 0x42, 0, T0);
	out(&c, 0x43, 0x80, T0 + clk(10));
	lo = in(&c, 0x42, T0);
	assert_int_equal(lo | (in(&c, 0x42, T0) << 8), 80);
	assert_int_equal(x86_pit_pio(&c.p, T0, 0x44, false, &(u8){ 0 }),
			 -EOPNOTSUPP);
}

static void test_irq0(void **state)
{
	struct ctx c;
	struct kvm_pit_state2 s;
	u64 next;

	(void)state;
	setup(&c);
	out(&c, 0x43, 0x34, T0);		/* ch0, word, mode 2 */
	out(&c, 0x40, 0xa9, T0);
	out(&c, 0x40, 0x04, T0);		/* 1193: ~1 ms */
	next = atomic_load(&c.p.next_ns);
	assert_true(next > T0 + 999000 && next < T0 + 1001000);
	x86_pit_tick(&c.p, next - 1);
	assert_int_equal(c.irqs, 0);
	x86_pit_tick(&c.p, next);
	assert_int_equal(c.irqs, 1);
	x86_pit_tick(&c.p, next + 10 * c.p.period_ns);	/* late: one */
	assert_int_equal(c.irqs, 2);
	assert_true(atomic_load(&c.p.next_ns) > next + 10 * c.p.period_ns);
	/* mode 0: one tick only */
	out(&c, 0x43, 0x30, T0);
	out(&c, 0x40, 0x10, T0);
	out(&c, 0x40, 0x00, T0);
	x86_pit_tick(&c.p, T0 + 1000000);
	x86_pit_tick(&c.p, T0 + 2000000);
	assert_int_equal(c.irqs, 3);
	assert_int_equal(atomic_load(&c.p.next_ns), 0);
	/* a count of 2 in mode 2 is held at 200 us */
	out(&c, 0x43, 0x34, T0);
	out(&c, 0x40, 2, T0);
	out(&c, 0x40, 0, T0);
	assert_int_equal(c.p.period_ns, 200000);
	/* HPET legacy mode silences channel 0 */
	x86_pit_get(&c.p, T0, &s);
	s.flags = KVM_PIT_FLAGS_HPET_LEGACY;
	x86_pit_set(&c.p, T0, &s);
	assert_int_equal(atomic_load(&c.p.next_ns), 0);
	x86_pit_get(&c.p, T0, &s);
	assert_int_equal(s.flags, KVM_PIT_FLAGS_HPET_LEGACY);
	assert_int_equal(s.channels[0].count, 2);
	assert_int_equal(s.channels[0].mode, 2);
}

static void test_garbage(void **state)
{
	struct ctx c;
	struct kvm_pit_state2 s;
	u32 x = 3;
	int i;
	u8 v;

	(void)state;
	setup(&c);
	for (i = 0; i < 30000; i++) {
		x = x * 1103515245 + 12345;
		v = (u8)(x >> 11);
		x86_pit_pio(&c.p, T0 + (u64)i * 5000,
			    (x & 0x10) ? 0x61 : (u16)(0x40 + ((x >> 5) & 3)),
			    x & 1, &v);
		x86_pit_tick(&c.p, T0 + (u64)i * 5000);
	}
	memset(&s, 0xff, sizeof(s));
	x86_pit_set(&c.p, T0, &s);
	x86_pit_tick(&c.p, T0 + 1000000000000ULL);
	for (i = 0; i < 3; i++)
		in(&c, (u16)(0x40 + i), T0 + 7777);
	memset(&s, 0, sizeof(s));
	x86_pit_set(&c.p, T0, &s);
	x86_pit_get(&c.p, T0, &s);
	assert_int_equal(s.channels[0].count, 0x10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counting),
		cmocka_unit_test(test_irq0),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
