// SPDX-License-Identifier: MIT
/*
 * The two cascaded 8259A PICs as KVM's i8259.c models them: edge/level
 * per ELCR, ICW1-4 initialisation, OCW1 mask, OCW2 EOIs and rotation,
 * OCW3 register select, poll and special mask, auto-EOI, special fully
 * nested mode, the slave on master pin 2.  Ports 0x20/0x21, 0xa0/0xa1 and
 * the ELCRs 0x4d0/0x4d1.  ISR bits cleared by an EOI are reported to the
 * ack callback after the lock is dropped (irqfd resample may re-enter).
 */
#include <errno.h>
#include <string.h>

#include "arch/x86/irqchip.h"

/* Which ELCR bits exist: master IRQ 0-2 and slave IRQ 8, 13 are edge. */
static const u8 elcr_mask[2] = { 0xf8, 0xde };

/* Update one chip's IRR for a new pin level; as the result convention. */
static int chip_set(struct kvm_pic_state *s, int pin, int level)
{
	u8 bit = (u8)(1u << pin);
	int ret = 1;

	if (s->elcr & bit) {
		if (level) {
			ret = !(s->irr & bit);
			s->irr |= bit;
			s->last_irr |= bit;
		} else {
			s->irr &= (u8)~bit;
			s->last_irr &= (u8)~bit;
		}
	} else if (level) {
		if (!(s->last_irr & bit)) {	/* a rising edge */
			ret = !(s->irr & bit);
			s->irr |= bit;
		}
		s->last_irr |= bit;
	} else {
		s->last_irr &= (u8)~bit;
	}
	return (s->imr & bit) ? -1 : ret;
}

/* Priority (0 highest) of the best bit of mask after rotation, 8: none. */
static int priority_of(const struct kvm_pic_state *s, u8 mask)
{
	int p;

	if (!mask)
		return 8;
	for (p = 0; !(mask & (1u << ((p + s->priority_add) & 7))); p++)
		;
	return p;
}

/* The pin this chip would present now, or -1. */
static int chip_irq(const struct kvm_pic_state *s, bool master)
{
	int p, cur;
	u8 in_service = s->isr;

	p = priority_of(s, s->irr & (u8)~s->imr);
	if (p == 8)
		return -1;
	/* a cascaded slave request may nest in fully nested mode */
	if (master && s->special_fully_nested_mode)
		in_service &= (u8)~(1u << 2);
	if (s->special_mask)
		in_service &= (u8)~s->imr;
	cur = priority_of(s, in_service);
	return p < cur ? (p + s->priority_add) & 7 : -1;
}

static void update(struct x86_pic *p)
{
	bool was = atomic_load(&p->output);
	bool now;

	/* a slave request is a fresh edge on master pin 2 each time */
	if (chip_irq(&p->chip[1], false) >= 0) {
		chip_set(&p->chip[0], 2, 1);
		chip_set(&p->chip[0], 2, 0);
	}
	now = chip_irq(&p->chip[0], true) >= 0;
	atomic_store(&p->output, now);
	if (now && !was && p->kick)
		p->kick(p->opaque);
}

static void clear_isr(struct x86_pic *p, int chip, int pin)
{
	p->chip[chip].isr &= (u8)~(1u << pin);
	if (chip == 1 || pin != 2)
		p->acked |= (u16)(1u << (pin + 8 * chip));
}

/*
 * Drop the lock, then tell the ack callback what was EOIed (an irqfd
 * resampler may lower its line there, as KVM's notifiers run before the
 * PIC is evaluated again), then evaluate the output once more.
 */
static void unlock(struct x86_pic *p)
{
	u16 acked = p->acked;
	int i;

	p->acked = 0;
	pthread_mutex_unlock(&p->lock);
	if (!acked || !p->ack)
		return;
	for (i = 0; i < X86_PIC_PINS; i++)
		if (acked & (1u << i))
			p->ack(p->opaque, i);
	pthread_mutex_lock(&p->lock);
	update(p);
	p->acked = 0;
	pthread_mutex_unlock(&p->lock);
}

static void chip_reset(struct x86_pic *p, int chip)
{
	struct kvm_pic_state *s = &p->chip[chip];
	u8 isr = s->isr;
	int i;

	s->last_irr = 0;
	s->irr &= s->elcr;
	s->imr = 0;
	s->priority_add = 0;
	s->special_mask = 0;
	s->read_reg_select = 0;
	if (!s->init4) {
		s->special_fully_nested_mode = 0;
		s->auto_eoi = 0;
	}
	s->init_state = 1;
	for (i = 0; i < 8; i++)
		if (isr & (1u << i))
			clear_isr(p, chip, i);
}

void x86_pic_init(struct x86_pic *p)
{
	int i;

	memset(p->chip, 0, sizeof(p->chip));
	memset(p->lines, 0, sizeof(p->lines));
	atomic_store(&p->output, false);
	p->acked = 0;
	for (i = 0; i < 2; i++) {
		p->chip[i].elcr_mask = elcr_mask[i];
		chip_reset(p, i);
		p->chip[i].init_state = 0;
	}
	p->acked = 0;
}

int x86_pic_set_irq(struct x86_pic *p, int irq, int source, int level)
{
	int ret;

	if (irq < 0 || irq >= X86_PIC_PINS || source < 0 || source > 31)
		return -EINVAL;
	pthread_mutex_lock(&p->lock);
	if (level)
		p->lines[irq] |= 1u << source;
	else
		p->lines[irq] &= ~(1u << source);
	ret = chip_set(&p->chip[irq >> 3], irq & 7, p->lines[irq] != 0);
	update(p);
	unlock(p);
	return ret;
}

/* Acknowledge pin of chip: ISR set (or auto-EOI), edge IRR cleared. */
static void intack(struct x86_pic *p, int chip, int pin)
{
	struct kvm_pic_state *s = &p->chip[chip];

	s->isr |= (u8)(1u << pin);
	if (s->auto_eoi) {
		if (s->rotate_on_auto_eoi)
			s->priority_add = (u8)((pin + 1) & 7);
		clear_isr(p, chip, pin);
	}
	if (!(s->elcr & (1u << pin)))
		s->irr &= (u8)~(1u << pin);
}

int x86_pic_read_irq(struct x86_pic *p)
{
	int irq, irq2, vec;

	pthread_mutex_lock(&p->lock);
	irq = chip_irq(&p->chip[0], true);
	if (irq >= 0) {
		intack(p, 0, irq);
		if (irq == 2) {
			irq2 = chip_irq(&p->chip[1], false);
			if (irq2 >= 0)
				intack(p, 1, irq2);
			else
				irq2 = 7;	/* spurious on the slave */
			vec = p->chip[1].irq_base + irq2;
		} else {
			vec = p->chip[0].irq_base + irq;
		}
	} else {
		vec = p->chip[0].irq_base + 7;	/* spurious */
	}
	update(p);
	unlock(p);
	return vec;
}

static void write_ocw2(struct x86_pic *p, int chip, u8 val)
{
	struct kvm_pic_state *s = &p->chip[chip];
	int cmd = val >> 5, pri, pin;

	switch (cmd) {
	case 0: case 4:		/* rotate in auto-EOI mode: clear / set */
		s->rotate_on_auto_eoi = (u8)(cmd >> 2);
		break;
	case 1: case 5:		/* non-specific EOI (and rotate) */
		pri = priority_of(s, s->isr);
		if (pri == 8)
			break;
		pin = (pri + s->priority_add) & 7;
		if (cmd == 5)
			s->priority_add = (u8)((pin + 1) & 7);
		clear_isr(p, chip, pin);
		update(p);
		break;
	case 3:			/* specific EOI */
		clear_isr(p, chip, val & 7);
		update(p);
		break;
	case 6:			/* set priority */
		s->priority_add = (u8)((val + 1) & 7);
		update(p);
		break;
	case 7:			/* rotate on specific EOI */
		pin = val & 7;
		s->priority_add = (u8)((pin + 1) & 7);
		clear_isr(p, chip, pin);
		update(p);
		break;
	default:		/* 2: no operation */
		break;
	}
}

static void write_even(struct x86_pic *p, int chip, u8 val)
{
	struct kvm_pic_state *s = &p->chip[chip];

	if (val & 0x10) {		/* ICW1 */
		s->init4 = val & 1;
		/* single mode and level mode of ICW1 are ignored, as KVM */
		chip_reset(p, chip);
		update(p);
	} else if (val & 0x08) {	/* OCW3 */
		if (val & 0x04)
			s->poll = 1;
		if (val & 0x02)
			s->read_reg_select = val & 1;
		if (val & 0x40)
			s->special_mask = (val >> 5) & 1;
	} else {
		write_ocw2(p, chip, val);
	}
}

static void write_odd(struct x86_pic *p, int chip, u8 val)
{
	struct kvm_pic_state *s = &p->chip[chip];

	switch (s->init_state) {
	case 0:				/* OCW1: the mask */
		s->imr = val;
		update(p);
		break;
	case 1:				/* ICW2: vector base */
		s->irq_base = val & 0xf8;
		s->init_state = 2;
		break;
	case 2:				/* ICW3: cascade wiring, ignored */
		s->init_state = s->init4 ? 3 : 0;
		break;
	default:			/* ICW4 */
		s->special_fully_nested_mode = (val >> 4) & 1;
		s->auto_eoi = (val >> 1) & 1;
		s->init_state = 0;
		break;
	}
}

/* OCW3 poll: acknowledge as an INTA would, return 0x80 | pin or 7. */
static u8 poll_read(struct x86_pic *p, int chip)
{
	struct kvm_pic_state *s = &p->chip[chip];
	int pin = chip_irq(s, chip == 0);

	if (pin < 0) {
		update(p);
		return 0x07;
	}
	if (chip == 1) {
		p->chip[0].isr &= (u8)~(1u << 2);
		p->chip[0].irr &= (u8)~(1u << 2);
	}
	s->irr &= (u8)~(1u << pin);
	clear_isr(p, chip, pin);
	if (chip == 1 || pin != 2)
		update(p);
	return (u8)(0x80 | pin);
}

static u8 read_port(struct x86_pic *p, int chip, bool odd)
{
	struct kvm_pic_state *s = &p->chip[chip];

	if (s->poll) {
		s->poll = 0;
		return poll_read(p, chip);
	}
	if (odd)
		return s->imr;
	return s->read_reg_select ? s->isr : s->irr;
}

int x86_pic_pio(struct x86_pic *p, u16 port, bool write, u8 *val)
{
	int chip;

	switch (port) {
	case 0x20: case 0x21: chip = 0; break;
	case 0xa0: case 0xa1: chip = 1; break;
	case 0x4d0: case 0x4d1:
		chip = port & 1;
		pthread_mutex_lock(&p->lock);
		if (write)
			p->chip[chip].elcr = *val & p->chip[chip].elcr_mask;
		else
			*val = p->chip[chip].elcr;
		pthread_mutex_unlock(&p->lock);
		return 0;
	default:
		return -EOPNOTSUPP;
	}
	pthread_mutex_lock(&p->lock);
	if (!write)
		*val = read_port(p, chip, port & 1);
	else if (port & 1)
		write_odd(p, chip, *val);
	else
		write_even(p, chip, *val);
	unlock(p);
	return 0;
}

void x86_pic_get(struct x86_pic *p, int chip, struct kvm_pic_state *s)
{
	pthread_mutex_lock(&p->lock);
	*s = p->chip[chip & 1];
	pthread_mutex_unlock(&p->lock);
}

void x86_pic_set(struct x86_pic *p, int chip, const struct kvm_pic_state *s)
{
	pthread_mutex_lock(&p->lock);
	p->chip[chip & 1] = *s;
	update(p);
	unlock(p);
}
