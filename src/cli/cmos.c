// SPDX-License-Identifier: MIT
/*
 * The CMOS RTC of `kvmu run` x86 guests, as much as a booting Linux reads:
 * the time of day from the host clock (UTC, BCD, 24-hour), status
 * registers A-D saying the clock is valid and never mid-update, and the
 * rest of the 128 bytes as plain RAM.  No alarm or periodic interrupt.
 */
#include <time.h>

#include "uart.h"

static uint8_t bcd(int v)
{
	return (uint8_t)((v / 10) << 4 | (v % 10));
}

static uint8_t cmos_time(unsigned int reg)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	switch (reg) {
	case 0x00: return bcd(tm.tm_sec);
	case 0x02: return bcd(tm.tm_min);
	case 0x04: return bcd(tm.tm_hour);
	case 0x06: return bcd(tm.tm_wday + 1);
	case 0x07: return bcd(tm.tm_mday);
	case 0x08: return bcd(tm.tm_mon + 1);
	case 0x09: return bcd(tm.tm_year % 100);
	default: return bcd((tm.tm_year + 1900) / 100);	/* 0x32 */
	}
}

uint8_t cmos_read(struct cmos *c, unsigned int port)
{
	unsigned int reg = c->index & 0x7F;

	if (port == 0x70)
		return 0xFF;
	switch (reg) {
	case 0x00: case 0x02: case 0x04: case 0x06: case 0x07: case 0x08:
	case 0x09: case 0x32:
		return cmos_time(reg);
	case 0x0A: return 0x26;		/* 32.768 kHz, 1024 Hz, no UIP */
	case 0x0B: return 0x02;		/* 24-hour, BCD, no interrupts */
	case 0x0C: return 0x00;
	case 0x0D: return 0x80;		/* valid RAM and time */
	default: return c->ram[reg];
	}
}

void cmos_write(struct cmos *c, unsigned int port, uint8_t v)
{
	if (port == 0x70)
		c->index = v;
	else
		c->ram[c->index & 0x7F] = v;	/* the clock stays the host's */
}
