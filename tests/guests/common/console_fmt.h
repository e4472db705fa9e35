/* SPDX-License-Identifier: MIT */
/*
 * What the guests print with, for every architecture: included by each
 * architecture's console.h after its console_write(s, n).
 */
#ifndef KVMU_GUEST_CONSOLE_FMT_H
#define KVMU_GUEST_CONSOLE_FMT_H

static inline unsigned long strlen_(const char *s)
{
	unsigned long n = 0;

	while (s[n])
		n++;
	return n;
}

static inline void puts_(const char *s)
{
	console_write(s, strlen_(s));
}

static inline void puthex(unsigned long v, int digits)
{
	char b[16];
	int i;

	for (i = digits - 1; i >= 0; i--, v >>= 4)
		b[i] = "0123456789abcdef"[v & 15];
	console_write(b, (unsigned long)digits);
}

#endif
