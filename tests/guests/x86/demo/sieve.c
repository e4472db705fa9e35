// SPDX-License-Identifier: MIT
/* Sieve of Eratosthenes over odd numbers, one byte per candidate. */
#include "demo.h"

#define SIEVE_MAX	(16u << 20)

static uint8_t composite[SIEVE_MAX / 2];

unsigned int count_primes(unsigned int below)
{
	unsigned int n = 0, i, j, half;

	if (below > SIEVE_MAX)
		return 0;
	if (below <= 2)
		return 0;
	half = below / 2;	/* composite[i] stands for 2 * i + 1 */
	memset(composite, 0, half);
	for (i = 1; (2 * i + 1) * (2 * i + 1) < below; i++) {
		if (composite[i])
			continue;
		for (j = (2 * i + 1) * (2 * i + 1) / 2; j < half; j += 2 * i + 1)
			composite[j] = 1;
	}
	for (i = 1; i < half; i++)
		n += !composite[i];
	return n + 1;	/* and 2 */
}
