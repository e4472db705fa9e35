// SPDX-License-Identifier: MIT
/*
 * The IOAPIC as KVM's ioapic.c models it: version 0x11, 24 pins, the
 * IOREGSEL/IOWIN window and the EOI register, redirection entries with
 * read-only delivery status and remote IRR, edge pins delivered on a
 * rising line, level pins held in remote IRR until the local APIC's EOI
 * and delivered again while the line stays high.  Not modelled: the
 * storm throttle KVM applies after 10000 back-to-back level re-asserts.
 */
#include <errno.h>
#include <string.h>

#include "arch/x86/irqchip.h"

#define IOAPIC_VERSION	0x11
#define REG_SELECT	0x00
#define REG_WINDOW	0x10
#define REG_EOI		0x40

#define RTE_VECTOR(e)	((u8)(e))
#define RTE_DM(e)	((u8)(((e) >> 8) & 7))
#define RTE_DESTMODE(e)	((u8)(((e) >> 11) & 1))
#define RTE_STATUS	(1ULL << 12)
#define RTE_REMOTE_IRR	(1ULL << 14)
#define RTE_LEVEL	(1ULL << 15)
#define RTE_MASKED	(1ULL << 16)
#define RTE_DEST(e)	((u8)((e) >> 56))

static __u64 *rte(struct x86_ioapic *io, int pin)
{
	return &io->s.redirtbl[pin].bits;
}

void x86_ioapic_init(struct x86_ioapic *io)
{
	int i;

	memset(&io->s, 0, sizeof(io->s));
	memset(io->lines, 0, sizeof(io->lines));
	io->irr_delivered = 0;
	io->s.base_address = X86_IOAPIC_BASE;
	for (i = 0; i < X86_IOAPIC_PINS; i++)
		*rte(io, i) = RTE_MASKED;
}

/* Send pin's message; >0 delivered, -1 masked or remote IRR pending. */
static int service(struct x86_ioapic *io, int pin)
{
	__u64 *e = rte(io, pin);
	struct x86_apic_irq m;
	int ret;

	if ((*e & RTE_MASKED) ||
	    ((*e & RTE_LEVEL) && (*e & RTE_REMOTE_IRR)))
		return -1;
	m = (struct x86_apic_irq){
		.dest = RTE_DEST(*e), .vector = RTE_VECTOR(*e),
		.delivery_mode = RTE_DM(*e), .dest_mode = RTE_DESTMODE(*e),
		.trig_mode = !!(*e & RTE_LEVEL), .level = 1,
		.plane = __atomic_load_n(&io->pin_plane[pin], __ATOMIC_RELAXED),
	};
	/* an edge stays in IRR until the line drops; GET hides it */
	if (!(*e & RTE_LEVEL))
		io->irr_delivered |= 1u << pin;
	ret = io->deliver ? io->deliver(io->opaque, &m) : 0;
	if (ret > 0 && (*e & RTE_LEVEL))
		*e |= RTE_REMOTE_IRR;
	return ret;
}

int x86_ioapic_set_irq(struct x86_ioapic *io, int pin, int source, int level)
{
	u32 bit = 1u << pin, old;
	int ret;

	if (pin < 0 || pin >= X86_IOAPIC_PINS || source < 0 || source > 31)
		return -EINVAL;
	pthread_mutex_lock(&io->lock);
	if (level)
		io->lines[pin] |= 1u << source;
	else
		io->lines[pin] &= ~(1u << source);
	if (!io->lines[pin]) {
		io->s.irr &= ~bit;
		ret = 1;
		goto out;
	}
	old = io->s.irr;
	io->s.irr |= bit;
	if (!(*rte(io, pin) & RTE_LEVEL)) {
		io->irr_delivered &= ~bit;
		if (old == io->s.irr) {		/* already pending: coalesced */
			ret = 0;
			goto out;
		}
	}
	ret = service(io, pin);
out:
	pthread_mutex_unlock(&io->lock);
	return ret;
}

static u32 read_indirect(struct x86_ioapic *io)
{
	u32 sel = io->s.ioregsel;
	u64 e;

	switch (sel) {
	case 0x00: case 0x02:	/* ID, arbitration ID */
		return (io->s.id & 0xf) << 24;
	case 0x01:
		return IOAPIC_VERSION | ((X86_IOAPIC_PINS - 1) << 16);
	}
	if (sel < 0x10 || (sel - 0x10) / 2 >= X86_IOAPIC_PINS)
		return 0xffffffff;
	e = *rte(io, (int)(sel - 0x10) / 2);
	return (sel & 1) ? (u32)(e >> 32) : (u32)e;
}

static void write_rte(struct x86_ioapic *io, int pin, u32 val, bool hi)
{
	__u64 *e = rte(io, pin), keep = *e & (RTE_STATUS | RTE_REMOTE_IRR);

	if (hi)
		*e = (*e & 0xffffffffULL) | ((u64)val << 32);
	else
		*e = (*e & ~0xffffffffULL) | val;
	*e = (*e & ~(RTE_STATUS | RTE_REMOTE_IRR)) | keep;
	/* an edge entry has no remote IRR (Linux relies on this as an EOI) */
	if (!(*e & RTE_LEVEL))
		*e &= ~RTE_REMOTE_IRR;
	if ((*e & RTE_LEVEL) && (io->s.irr & (1u << pin)) &&
	    !(*e & (RTE_MASKED | RTE_REMOTE_IRR)))
		service(io, pin);
}

static void write_indirect(struct x86_ioapic *io, u32 val)
{
	u32 sel = io->s.ioregsel;

	if (sel == 0x00) {
		io->s.id = (val >> 24) & 0xf;
		return;
	}
	if (sel < 0x10 || (sel - 0x10) / 2 >= X86_IOAPIC_PINS)
		return;		/* version and arbitration are read-only */
	write_rte(io, (int)(sel - 0x10) / 2, val, sel & 1);
}

int x86_ioapic_read(struct x86_ioapic *io, u64 off, u32 len, void *val)
{
	u64 r = 0;

	if (len != 1 && len != 2 && len != 4 && len != 8)
		return -EOPNOTSUPP;
	pthread_mutex_lock(&io->lock);
	switch (off & 0xff) {
	case REG_SELECT:
		r = io->s.ioregsel;
		break;
	case REG_WINDOW:
		r = read_indirect(io);
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&io->lock);
	memcpy(val, &r, len);
	return 0;
}

/*
 * An EOI of vector, as __kvm_ioapic_update_eoi: per pin of that vector,
 * the ack notifiers first (unlocked: an irqfd resampler lowers its line
 * there), then remote IRR cleared and the pin delivered again if its
 * line is still high.
 */
void x86_ioapic_eoi(struct x86_ioapic *io, int plane, int vector,
		    bool level)
{
	int i;

	for (i = 0; i < X86_IOAPIC_PINS; i++) {
		__u64 *e = rte(io, i);
		bool match;

		pthread_mutex_lock(&io->lock);
		match = RTE_VECTOR(*e) == vector &&
			(plane < 0 || plane == __atomic_load_n(
				&io->pin_plane[i], __ATOMIC_RELAXED));
		pthread_mutex_unlock(&io->lock);
		if (!match)
			continue;
		if (io->ack)
			io->ack(io->opaque, i);
		if (!level)
			continue;
		pthread_mutex_lock(&io->lock);
		if (*e & RTE_LEVEL) {
			*e &= ~RTE_REMOTE_IRR;
			if (!(*e & RTE_MASKED) && (io->s.irr & (1u << i)))
				service(io, i);
		}
		pthread_mutex_unlock(&io->lock);
	}
}

int x86_ioapic_write(struct x86_ioapic *io, u64 off, u32 len,
		     const void *val)
{
	u32 data = 0;
	int eoi = -1;

	switch (len) {
	case 8: case 4: memcpy(&data, val, 4); break;
	case 2: memcpy(&data, val, 2); break;
	case 1: memcpy(&data, val, 1); break;
	default: return -EOPNOTSUPP;
	}
	pthread_mutex_lock(&io->lock);
	switch (off & 0xff) {
	case REG_SELECT:
		io->s.ioregsel = data & 0xff;
		break;
	case REG_WINDOW:
		write_indirect(io, data);
		break;
	case REG_EOI:
		eoi = (int)(data & 0xff);
		break;
	default:
		break;
	}
	pthread_mutex_unlock(&io->lock);
	if (eoi >= 0)
		x86_ioapic_eoi(io, -1, eoi, true);
	return 0;
}

void x86_ioapic_get(struct x86_ioapic *io, struct kvm_ioapic_state *s)
{
	pthread_mutex_lock(&io->lock);
	*s = io->s;
	/* edge pins already delivered are not pending (kvm_get_ioapic) */
	s->irr &= ~io->irr_delivered;
	pthread_mutex_unlock(&io->lock);
}

void x86_ioapic_set(struct x86_ioapic *io, const struct kvm_ioapic_state *s)
{
	int i;

	pthread_mutex_lock(&io->lock);
	io->s = *s;
	io->irr_delivered = 0;
	/* kvm_set_ioapic: deliver what the new state leaves pending */
	for (i = 0; i < X86_IOAPIC_PINS; i++)
		if (io->s.irr & (1u << i))
			service(io, i);
	pthread_mutex_unlock(&io->lock);
}
