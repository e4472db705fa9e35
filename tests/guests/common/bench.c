// SPDX-License-Identifier: MIT
/*
 * The s390x and arm64 benchmark workload (bench/run.sh): CRC-32 over a
 * buffer, a sieve of Eratosthenes and an insertion sort, about 50 million
 * instructions.  Built twice per architecture from this one file: as a
 * kvmu guest (start.S, the architecture's console) and, with
 * -DKVMU_LINUX_USER, as a static Linux program for qemu-s390x or
 * qemu-aarch64 (start_linux.S, write/exit system calls), so both peers
 * execute the same instructions.  It prints its results so the two runs
 * can be checked against each other.
 */
#include "console.h"

#define BUF	16384
#define SIEVE	400000
#define SORT	600

static unsigned char buf[BUF];
static unsigned char composite[SIEVE];
static int arr[SORT];

static unsigned int crc32(const unsigned char *p, unsigned long n,
			  unsigned int c)
{
	int k;

	while (n--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return c;
}

static unsigned long sieve(void)
{
	unsigned long i, j, n = 0;

	for (i = 2; i < SIEVE; i++) {
		if (composite[i])
			continue;
		n++;
		for (j = i * i; j < SIEVE; j += i)
			composite[j] = 1;
	}
	return n;
}

static unsigned long sort(void)
{
	unsigned long acc = 0;
	int i, j, t;

	for (i = 0; i < SORT; i++)
		arr[i] = (int)(((unsigned long)i * 2654435761u) % 100000);
	for (i = 1; i < SORT; i++)
		for (j = i; j > 0 && arr[j - 1] > arr[j]; j--) {
			t = arr[j];
			arr[j] = arr[j - 1];
			arr[j - 1] = t;
		}
	for (i = 0; i < SORT; i++)
		acc = acc * 31 + (unsigned long)arr[i];
	return acc;
}

int main(void)
{
	unsigned int c = 0xffffffffu;
	int i;

	for (i = 0; i < BUF; i++)
		buf[i] = (unsigned char)(i * 13 + (i >> 5));
	for (i = 0; i < 32; i++)
		c = crc32(buf, BUF, c);
	puts_("crc32=");
	puthex(~c, 8);
	puts_(" primes=");
	puthex(sieve(), 8);
	puts_(" sort=");
	puthex(sort(), 16);
	puts_("\n");
	return 0;
}
