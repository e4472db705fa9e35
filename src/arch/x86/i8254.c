// SPDX-License-Identifier: MIT
/*
 * The 8254 PIT as KVM's i8254.c models it: three channels at 1.193182
 * MHz, counter modes 0-5 read back from the time since the count was
 * loaded, latch and read-back commands, LSB/MSB/word access, the gate of
 * channel 2 and the speaker bits of port 0x61.  Channel 0 drives IRQ0 (an
 * edge through the VM's routing) in modes 0-4; a periodic rate is at most
 * one tick per 200 us, as KVM clamps it.  Ticks the vCPUs could not see
 * in time coalesce into one interrupt (KVM by default re-injects each
 * lost tick; see docs/x86-irqchip.md).  Times are CLOCK_MONOTONIC ns.
 */
#include <errno.h>
#include <string.h>

#include "arch/x86/irqchip.h"

#define MIN_PERIOD_NS	200000ULL
enum { RW_LSB = 1, RW_MSB = 2, RW_WORD0 = 3, RW_WORD1 = 4 };

/* PIT clocks elapsed since the channel's count was loaded. */
static u64 elapsed(const struct kvm_pit_channel_state *c, u64 now)
{
	u64 ns = now > (u64)c->count_load_time ?
		 now - (u64)c->count_load_time : 0;

	return (u64)((unsigned __int128)ns * X86_PIT_HZ / 1000000000ULL);
}

static u32 get_count(const struct kvm_pit_channel_state *c, u64 now)
{
	u64 d = elapsed(c, now), n = c->count ? c->count : 0x10000;

	switch (c->mode) {
	case 0: case 1: case 4: case 5:
		return (u32)((n - d) & 0xffff);
	case 3:
		return (u32)(n - (2 * d) % n);
	default:
		return (u32)(n - d % n);
	}
}

static int get_out(const struct kvm_pit_channel_state *c, u64 now)
{
	u64 d = elapsed(c, now), n = c->count ? c->count : 0x10000;

	switch (c->mode) {
	case 0: return d >= n;
	case 1: return d < n;
	case 2: return d % n == 0 && d != 0;
	case 3: return d % n < ((n + 1) >> 1);
	default: return d == n;		/* 4, 5 */
	}
}

static void timer_arm(struct x86_pit *p, u64 now)
{
	const struct kvm_pit_channel_state *c = &p->ch[0];
	u64 ns = (u64)((unsigned __int128)c->count * 1000000000ULL /
		       X86_PIT_HZ);

	p->period_ns = 0;
	if ((p->flags & KVM_PIT_FLAGS_HPET_LEGACY) || c->mode > 4 ||
	    !p->irq) {
		atomic_store(&p->next_ns, 0);
		return;
	}
	if (c->mode == 2 || c->mode == 3) {
		if (ns < MIN_PERIOD_NS)
			ns = MIN_PERIOD_NS;
		p->period_ns = ns;
	}
	atomic_store(&p->next_ns, now + (ns ? ns : 1));
}

static void load_count(struct x86_pit *p, int ch, u32 val, u64 now)
{
	p->ch[ch].count = val ? val : 0x10000;
	p->ch[ch].count_load_time = (s64)now;
	if (ch == 0)
		timer_arm(p, now);
}

void x86_pit_init(struct x86_pit *p, u64 now)
{
	int i;

	memset(p->ch, 0, sizeof(p->ch));
	p->flags = 0;
	p->speaker = 0;
	atomic_store(&p->next_ns, 0);
	p->period_ns = 0;
	for (i = 0; i < 3; i++) {
		p->ch[i].mode = 0xff;	/* no timer until programmed */
		p->ch[i].gate = i != 2;
		load_count(p, i, 0, now);
	}
}

static void latch_count(struct kvm_pit_channel_state *c, u64 now)
{
	if (c->count_latched)
		return;
	c->latched_count = (u16)get_count(c, now);
	c->count_latched = c->rw_mode;
}

static void latch_status(struct kvm_pit_channel_state *c, u64 now)
{
	if (c->status_latched)
		return;
	c->status = (u8)((get_out(c, now) << 7) | (c->rw_mode << 4) |
			 (c->mode << 1) | c->bcd);
	c->status_latched = 1;
}

static void write_control(struct x86_pit *p, u8 val, u64 now)
{
	int ch = val >> 6, i;
	struct kvm_pit_channel_state *c;

	if (ch == 3) {				/* read-back */
		for (i = 0; i < 3; i++) {
			if (!(val & (2 << i)))
				continue;
			if (!(val & 0x20))
				latch_count(&p->ch[i], now);
			if (!(val & 0x10))
				latch_status(&p->ch[i], now);
		}
		return;
	}
	c = &p->ch[ch];
	if (!((val >> 4) & 3)) {
		latch_count(c, now);
		return;
	}
	c->rw_mode = (val >> 4) & 3;
	c->read_state = c->rw_mode;
	c->write_state = c->rw_mode;
	c->mode = (val >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;
	c->bcd = val & 1;
}

static void write_counter(struct x86_pit *p, int ch, u8 val, u64 now)
{
	struct kvm_pit_channel_state *c = &p->ch[ch];

	switch (c->write_state) {
	default:
	case RW_LSB:
		load_count(p, ch, val, now);
		break;
	case RW_MSB:
		load_count(p, ch, (u32)val << 8, now);
		break;
	case RW_WORD0:
		c->write_latch = val;
		c->write_state = RW_WORD1;
		break;
	case RW_WORD1:
		load_count(p, ch, c->write_latch | ((u32)val << 8), now);
		c->write_state = RW_WORD0;
		break;
	}
}

static u8 read_counter(struct kvm_pit_channel_state *c, u64 now)
{
	u32 n;

	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	switch (c->count_latched) {
	case RW_LSB:
		c->count_latched = 0;
		return (u8)c->latched_count;
	case RW_MSB:
		c->count_latched = 0;
		return (u8)(c->latched_count >> 8);
	case RW_WORD0:
		c->count_latched = RW_MSB;
		return (u8)c->latched_count;
	default:
		break;
	}
	n = get_count(c, now);
	switch (c->read_state) {
	case RW_MSB:
		return (u8)(n >> 8);
	case RW_WORD0:
		c->read_state = RW_WORD1;
		return (u8)n;
	case RW_WORD1:
		c->read_state = RW_WORD0;
		return (u8)(n >> 8);
	default:
		return (u8)n;
	}
}

static void set_gate2(struct x86_pit *p, u8 val, u64 now)
{
	struct kvm_pit_channel_state *c = &p->ch[2];

	/* modes 1, 2, 3 and 5 restart counting on a rising gate */
	if (c->mode != 0 && c->mode != 4 && c->gate < val)
		c->count_load_time = (s64)now;
	c->gate = val;
}

int x86_pit_pio(struct x86_pit *p, u64 now, u16 port, bool write, u8 *val)
{
	if (port != 0x61 && (port < 0x40 || port > 0x43))
		return -EOPNOTSUPP;
	pthread_mutex_lock(&p->lock);
	if (port == 0x61) {
		if (write) {
			p->speaker = (*val >> 1) & 1;
			set_gate2(p, *val & 1, now);
		} else {
			*val = (u8)((p->speaker << 1) | p->ch[2].gate |
				    (get_out(&p->ch[2], now) << 5) |
				    (((now >> 14) & 1) << 4));
		}
	} else if (port == 0x43) {
		if (write)
			write_control(p, *val, now);
		else
			*val = 0;	/* write-only */
	} else if (write) {
		write_counter(p, port - 0x40, *val, now);
	} else {
		*val = read_counter(&p->ch[port - 0x40], now);
	}
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void x86_pit_tick(struct x86_pit *p, u64 now)
{
	u64 next = atomic_load(&p->next_ns);
	bool fire = false;

	if (!next || now < next)
		return;
	pthread_mutex_lock(&p->lock);
	next = atomic_load(&p->next_ns);
	if (next && now >= next) {
		fire = true;
		if (p->period_ns)
			next += p->period_ns *
				(1 + (now - next) / p->period_ns);
		else
			next = 0;
		atomic_store(&p->next_ns, next);
	}
	pthread_mutex_unlock(&p->lock);
	if (fire && p->irq)
		p->irq(p->opaque);
}

void x86_pit_get(struct x86_pit *p, u64 now KVMU_UNUSED,
		 struct kvm_pit_state2 *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&p->lock);
	memcpy(s->channels, p->ch, sizeof(s->channels));
	s->flags = p->flags;
	if (p->speaker)
		s->flags |= KVM_PIT_FLAGS_SPEAKER_DATA_ON;
	pthread_mutex_unlock(&p->lock);
}

void x86_pit_set(struct x86_pit *p, u64 now, const struct kvm_pit_state2 *s)
{
	int i;

	pthread_mutex_lock(&p->lock);
	memcpy(p->ch, s->channels, sizeof(p->ch));
	p->flags = s->flags & KVM_PIT_FLAGS_HPET_LEGACY;
	p->speaker = !!(s->flags & KVM_PIT_FLAGS_SPEAKER_DATA_ON);
	/* counts reload now; a mode above 4 leaves channel 0 silent */
	for (i = 0; i < 3; i++)
		load_count(p, i, p->ch[i].count, now);
	pthread_mutex_unlock(&p->lock);
}
