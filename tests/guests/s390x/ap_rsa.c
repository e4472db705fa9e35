// SPDX-License-Identifier: MIT
/*
 * A C-compiled s390x guest that does one RSA modular exponentiation on a
 * crypto adapter: it finds its first accelerator queue (QCI, then TAPQ
 * with the T bit), builds a type-50 MEB1 request (zcrypt's layout,
 * docs/s390-crypto-passthrough.md) with a 1024-bit modulus, sends it
 * with NQAP, takes the type-80 reply with DQAP and prints the result.
 * tests/unit/test_s390_ap_guests.c computes the same power with OpenSSL.
 */
#include "console.h"
#include "ap.h"

void *memset(void *d, int c, unsigned long n);

void *memset(void *d, int c, unsigned long n)
{
	unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

#define MOD_LEN	128
#define ACCEL	0x0800000000000000ul	/* TAPQ GR2 bit 4 */

static unsigned char qci[128] __attribute__((aligned(8)));
static unsigned char req[16 + 3 * MOD_LEN], rep[16 + MOD_LEN + 64];

/* The operands the test recomputes: an odd modulus, e = 65537, m < n. */
static void build_request(void)
{
	unsigned char *e = req + 16, *n = e + MOD_LEN, *m = n + MOD_LEN;
	int i;

	memset(req, 0, sizeof(req));
	req[1] = 0x50;
	req[2] = sizeof(req) >> 8;
	req[3] = sizeof(req) & 0xff;
	req[9] = 0x01;			/* MEB1 */
	e[MOD_LEN - 3] = 0x01;
	e[MOD_LEN - 1] = 0x01;
	for (i = 0; i < MOD_LEN; i++) {
		n[i] = (unsigned char)(i * 37 + 11);
		m[i] = (unsigned char)(i * 73 + 5);
	}
	n[0] |= 0x80;
	n[MOD_LEN - 1] |= 1;
	m[0] = 0;
}

static int find_accel(unsigned int *apqn)
{
	unsigned int a, d, st;
	unsigned long info;

	for (a = 0; a < 256; a++)
		for (d = 0; d < 256; d++) {
			if (!(qci[0x10 + a / 8] & (0x80 >> (a % 8))) ||
			    !(qci[0x30 + d / 8] & (0x80 >> (d % 8))))
				continue;
			if (!ap_tapq(a << 8 | d, &st, &info) &&
			    (info & ACCEL)) {
				*apqn = a << 8 | d;
				return 0;
			}
		}
	return -1;
}

int main(void)
{
	unsigned long psmid, len = sizeof(rep);
	unsigned int apqn, st;
	int cc, i;

	if (ap_qci(qci) || find_accel(&apqn)) {
		puts_("no accelerator\n");
		return 1;
	}
	build_request();
	cc = ap_nqap(apqn, 0x4b564d55, req, sizeof(req), &st);
	if (cc) {
		puts_("nqap cc=");
		puthex((unsigned long)cc, 1);
		puts_("\n");
		return 2;
	}
	/* poll until the adapter answered (it does at once here) */
	do
		cc = ap_dqap(apqn, &psmid, rep, &len, &st);
	while (cc == 3 && AP_RC(st) == 0x10 && !(st & 0x80000000u));
	puts_("apqn=");
	puthex(apqn, 4);
	puts_(" cc=");
	puthex((unsigned long)cc, 1);
	puts_(" psmid=");
	puthex(psmid, 8);
	puts_(" type=");
	puthex(rep[1], 2);
	puts_(" len=");
	puthex(len, 4);
	puts_("\nresult=");
	for (i = 0; i < MOD_LEN; i++)
		puthex(rep[16 + i], 2);
	puts_("\n");
	return cc;
}
