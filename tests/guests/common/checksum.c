// SPDX-License-Identifier: MIT
/*
 * A C-compiled guest for s390x and arm64 (each architecture's console.h,
 * start.S and cross compiler, see the build.sh beside them): CRC-32 of a
 * generated buffer, a 64-bit Fibonacci number, a sort and a division
 * table, printed on the architecture's console.  The unit test
 * test_s390_guest.c computes the same values on the host and compares;
 * tests/shell/cli_run_arm64.sh checks the arm64 build prints them too.
 */
#include "console.h"

void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);

void *memset(void *d, int c, unsigned long n)
{
	unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
	unsigned char *p = d;
	const unsigned char *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

static unsigned char buf[4096];
static int arr[64];

static unsigned int crc32(const unsigned char *p, unsigned long n)
{
	unsigned int c = 0xffffffffu;
	int k;

	while (n--) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & -(c & 1));
	}
	return ~c;
}

static unsigned long fib(int n)
{
	unsigned long a = 0, b = 1, t;

	while (n--) {
		t = a + b;
		a = b;
		b = t;
	}
	return a;
}

static void sort(int *a, int n)
{
	int i, j, t;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && a[j - 1] > a[j]; j--) {
			t = a[j];
			a[j] = a[j - 1];
			a[j - 1] = t;
		}
}

int main(void)
{
	unsigned long i, acc = 0;
	long q = 0;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + (i >> 3));
	for (i = 0; i < 64; i++)
		arr[i] = (int)((i * 2654435761u) % 1000) - 500;
	sort(arr, 64);
	for (i = 0; i < 64; i++)
		acc = acc * 31 + (unsigned long)(long)arr[i];
	for (i = 1; i < 100; i++)
		q += (long)(1000000007L / (long)i) % (long)(i + 3);
	puts_("crc32=");
	puthex(crc32(buf, sizeof(buf)), 8);
	puts_(" fib90=");
	puthex(fib(90), 16);
	puts_(" sort=");
	puthex(acc, 16);
	puts_(" div=");
	puthex((unsigned long)q, 8);
	puts_("\n");
	return 7;
}
