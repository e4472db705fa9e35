// SPDX-License-Identifier: MIT
/*
 * The kvmu demo guest: real work in freestanding C.  It hashes a 1 MiB
 * pseudo-random buffer with SHA-256 and counts the primes below two
 * million with a sieve, checks both against known answers, prints through
 * the debug console and leaves through the exit port.  The same image
 * boots under `kvmu run` and `qemu-system-x86_64 -kernel`.
 */
#include "demo.h"

#define BUF_SIZE	(1u << 20)
#define PRIMES_BELOW	2000000u
#define PRIMES_EXPECTED	148933u

static const char abc_digest[] =
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char buf_digest[] =
	"d824bde2acff5ab2065ba06b8133ea91c785a26fe88eef60187986abd9e6fa5e";

static uint8_t buf[BUF_SIZE];

static void hex(char out[65], const uint8_t d[32])
{
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = "0123456789abcdef"[d[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
	}
	out[64] = '\0';
}

/* Hash data and compare with the expected hex digest; 0 when equal. */
static int check_sha(const char *what, const void *data, size_t len,
		     const char *want)
{
	uint8_t d[32];
	char got[65];
	int bad;

	sha256(data, len, d);
	hex(got, d);
	bad = memcmp(got, want, 64) != 0;
	guest_printf("sha256(%s) = %s %s\n", what, got, bad ? "MISMATCH" : "ok");
	return bad;
}

static void fill(uint8_t *p, size_t n)
{
	uint32_t x = 0x12345678;
	size_t i;

	/* The C library's classic LCG, the high bits of each step. */
	for (i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

int guest_main(uint32_t magic, uint32_t info)
{
	unsigned int primes;
	int bad = 0;

	guest_printf("kvmu demo: 64-bit guest up (multiboot magic %#x, "
		     "info at %#x)\n", magic, info);
	bad |= check_sha("\"abc\"", "abc", 3, abc_digest);
	fill(buf, BUF_SIZE);
	bad |= check_sha("1 MiB", buf, BUF_SIZE, buf_digest);
	primes = count_primes(PRIMES_BELOW);
	guest_printf("primes below %u: %u %s\n", PRIMES_BELOW, primes,
		     primes == PRIMES_EXPECTED ? "ok" : "MISMATCH");
	bad |= primes != PRIMES_EXPECTED;
	guest_puts(bad ? "demo: FAILED\n" : "demo: all results correct\n");
	return bad ? GUEST_FAIL : GUEST_PASS;
}
