// SPDX-License-Identifier: MIT
/*
 * The 8259 pair as a guest programs it through its ports: ICW1-4, mask,
 * INTA vectors and priority, cascade through the slave, EOI forms and
 * the ack callback, auto-EOI, poll, ELCR level pins, special mask, and
 * garbage written to every port.
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
	struct x86_pic pic;
	int kicks;
	u32 acked;
};

static void kick(void *o)
{
	((struct ctx *)o)->kicks++;
}

static void ack(void *o, int irq)
{
	((struct ctx *)o)->acked |= 1u << irq;
}

static void out(struct ctx *c, u16 port, u8 v)
{
	assert_int_equal(x86_pic_pio(&c->pic, port, true, &v), 0);
}

static u8 in(struct ctx *c, u16 port)
{
	u8 v = 0;

	assert_int_equal(x86_pic_pio(&c->pic, port, false, &v), 0);
	return v;
}

/* The usual BIOS/Linux programming: vectors 0x20 and 0x28, cascade. */
static void setup(struct ctx *c, bool aeoi)
{
	memset(c, 0, sizeof(*c));
	pthread_mutex_init(&c->pic.lock, NULL);
	c->pic.opaque = c;
	c->pic.kick = kick;
	c->pic.ack = ack;
	x86_pic_init(&c->pic);
	out(c, 0x20, 0x11);
	out(c, 0x21, 0x20);
	out(c, 0x21, 0x04);
	out(c, 0x21, aeoi ? 0x03 : 0x01);
	out(c, 0xa0, 0x11);
	out(c, 0xa1, 0x28);
	out(c, 0xa1, 0x02);
	out(c, 0xa1, aeoi ? 0x03 : 0x01);
	out(c, 0x21, 0x00);
	out(c, 0xa1, 0x00);
}

static void test_init_and_inta(void **state)
{
	struct ctx c;

	(void)state;
	setup(&c, false);
	assert_false(atomic_load(&c.pic.output));
	assert_int_equal(x86_pic_set_irq(&c.pic, 1, 0, 1), 1);
	assert_true(atomic_load(&c.pic.output));
	assert_int_equal(c.kicks, 1);
	assert_int_equal(in(&c, 0x20), 0x02);		/* IRR */
	assert_int_equal(x86_pic_read_irq(&c.pic), 0x21);
	assert_false(atomic_load(&c.pic.output));
	out(&c, 0x20, 0x0b);				/* OCW3: read ISR */
	assert_int_equal(in(&c, 0x20), 0x02);
	/* the same edge again while high: no new request */
	assert_int_equal(x86_pic_set_irq(&c.pic, 1, 0, 1), 1);
	assert_false(atomic_load(&c.pic.output));
	out(&c, 0x20, 0x20);				/* non-specific EOI */
	assert_int_equal(in(&c, 0x20), 0x00);
	assert_int_equal(c.acked, 1u << 1);
	/* nothing pending: INTA gives the spurious IRQ 7 */
	assert_int_equal(x86_pic_read_irq(&c.pic), 0x27);
}

static void test_priority_and_cascade(void **state)
{
	struct ctx c;

	(void)state;
	setup(&c, false);
	x86_pic_set_irq(&c.pic, 12, 0, 1);
	x86_pic_set_irq(&c.pic, 4, 0, 1);
	assert_int_equal(x86_pic_read_irq(&c.pic), 0x2c);	/* pin 2 wins */
	/* IRQ 4 is below IRQ 2 (in service): held back */
	assert_false(atomic_load(&c.pic.output));
	out(&c, 0xa0, 0x20);
	out(&c, 0x20, 0x20);
	assert_int_equal(c.acked, 1u << 12);
	assert_true(atomic_load(&c.pic.output));
	assert_int_equal(x86_pic_read_irq(&c.pic), 0x24);
	out(&c, 0x20, 0x64);				/* specific EOI 4 */
	assert_int_equal(c.acked, (1u << 12) | (1u << 4));
	/* mask: a masked pin reports -1 and raises nothing */
	out(&c, 0x21, 0x01);
	assert_int_equal(in(&c, 0x21), 0x01);
	assert_int_equal(x86_pic_set_irq(&c.pic, 0, 0, 1), -1);
	assert_false(atomic_load(&c.pic.output));
	out(&c, 0x21, 0x00);
	assert_true(atomic_load(&c.pic.output));
}

static void test_auto_eoi_poll_level(void **state)
{
	struct ctx c;

	(void)state;
	setup(&c, true);
	x86_pic_set_irq(&c.pic, 3, 0, 1);
	assert_int_equal(x86_pic_read_irq(&c.pic), 0x23);
	out(&c, 0x20, 0x0b);
	assert_int_equal(in(&c, 0x20), 0);		/* auto-EOI: ISR clear */
	assert_int_equal(c.acked, 1u << 3);
	/* poll mode: the byte is 0x80 | pin, and it acknowledges */
	x86_pic_set_irq(&c.pic, 5, 0, 1);
	out(&c, 0x20, 0x0c);
	assert_int_equal(in(&c, 0x20), 0x85);
	out(&c, 0x20, 0x0c);
	assert_int_equal(in(&c, 0x20), 0x07);
	/* ELCR: IRQ 10 level-triggered stays requested until lowered */
	out(&c, 0x4d1, 0xff);
	assert_int_equal(in(&c, 0x4d1), 0xde);
	x86_pic_set_irq(&c.pic, 10, 0, 1);
	assert_int_equal(x86_pic_read_irq(&c.pic), 0x2a);
	assert_true(atomic_load(&c.pic.output));	/* still asserted */
	x86_pic_set_irq(&c.pic, 10, 0, 0);
	/* the cascade edge already latched on the master: spurious 15 */
	assert_int_equal(x86_pic_read_irq(&c.pic), 0x2f);
	assert_false(atomic_load(&c.pic.output));
	/* two sources share a line: low only when both are */
	x86_pic_set_irq(&c.pic, 10, 0, 1);
	x86_pic_set_irq(&c.pic, 10, 1, 1);
	x86_pic_set_irq(&c.pic, 10, 0, 0);
	assert_true(atomic_load(&c.pic.output));
	assert_int_equal(x86_pic_read_irq(&c.pic), 0x2a);
	x86_pic_set_irq(&c.pic, 10, 1, 0);
	x86_pic_read_irq(&c.pic);
	assert_false(atomic_load(&c.pic.output));
}

static void test_special_mask_rotate_state(void **state)
{
	struct ctx c;
	struct kvm_pic_state s;

	(void)state;
	setup(&c, false);
	x86_pic_set_irq(&c.pic, 1, 0, 1);
	assert_int_equal(x86_pic_read_irq(&c.pic), 0x21);
	x86_pic_set_irq(&c.pic, 6, 0, 1);
	assert_false(atomic_load(&c.pic.output));	/* 1 in service */
	out(&c, 0x20, 0x68);		/* special mask on (no re-evaluation) */
	assert_false(atomic_load(&c.pic.output));
	out(&c, 0x21, 0x02);				/* mask 1 */
	assert_true(atomic_load(&c.pic.output));
	out(&c, 0x20, 0x48);				/* off */
	out(&c, 0x20, 0xc4);				/* lowest = 4 */
	x86_pic_get(&c.pic, 0, &s);
	assert_int_equal(s.priority_add, 5);
	assert_int_equal(s.irq_base, 0x20);
	assert_int_equal(s.elcr_mask, 0xf8);
	s.imr = 0xaa;
	x86_pic_set(&c.pic, 0, &s);
	assert_int_equal(in(&c, 0x21), 0xaa);
}

static void test_garbage(void **state)
{
	struct ctx c;
	static const u16 ports[] = { 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1 };
	u32 x = 12345;
	int i, j;
	u8 v;

	(void)state;
	setup(&c, false);
	for (i = 0; i < 20000; i++) {
		x = x * 1103515245 + 12345;
		v = (u8)(x >> 16);
		j = (int)((x >> 8) % 6);
		x86_pic_pio(&c.pic, ports[j], (x >> 4) & 1, &v);
		x86_pic_set_irq(&c.pic, (int)((x >> 3) % 16), 0, (x >> 2) & 1);
		if (atomic_load(&c.pic.output))
			x86_pic_read_irq(&c.pic);
	}
	v = 0;
	assert_int_equal(x86_pic_pio(&c.pic, 0x22, false, &v), -EOPNOTSUPP);
	assert_int_equal(x86_pic_set_irq(&c.pic, 16, 0, 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_and_inta),
		cmocka_unit_test(test_priority_and_cascade),
		cmocka_unit_test(test_auto_eoi_poll_level),
		cmocka_unit_test(test_special_mask_rotate_state),
		cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
