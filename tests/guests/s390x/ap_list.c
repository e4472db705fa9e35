// SPDX-License-Identifier: MIT
/*
 * A C-compiled s390x guest that lists its AP configuration: PQAP(QCI)
 * for the masks, then TAPQ (with the T bit) for every APQN they name,
 * printed on the kvmu console.  tests/unit/test_s390_ap_guests.c runs it
 * on a VM with a vfio_ap mdev attached and checks the listing.
 */
#include "console.h"
#include "ap.h"

static unsigned char qci[128] __attribute__((aligned(8)));

static int bit(const unsigned char *mask, unsigned int n)
{
	return mask[n / 8] & (0x80 >> (n % 8));
}

static void put_mask(const char *name, const unsigned char *m)
{
	int i;

	puts_(name);
	for (i = 0; i < 32; i++)
		puthex(m[i], 2);
	puts_("\n");
}

int main(void)
{
	unsigned int a, d, st;
	unsigned long info;
	int cc;

	if (ap_qci(qci)) {
		puts_("qci failed\n");
		return 1;
	}
	puts_("apxa=");
	puthex(qci[0] >> 6 & 1, 1);
	puts_(" na=");
	puthex(qci[4], 2);
	puts_(" nd=");
	puthex(qci[5], 2);
	puts_("\n");
	put_mask("apm ", qci + 0x10);
	put_mask("aqm ", qci + 0x30);
	put_mask("adm ", qci + 0x50);
	for (a = 0; a < 256; a++)
		for (d = 0; bit(qci + 0x10, a) && d < 256; d++) {
			if (!bit(qci + 0x30, d))
				continue;
			cc = ap_tapq(a << 8 | d, &st, &info);
			puthex(a, 2);
			puts_(".");
			puthex(d, 4);
			puts_(" cc=");
			puthex((unsigned long)cc, 1);
			puts_(" st=");
			puthex(st, 8);
			puts_(" hw=");
			puthex(info, 16);
			puts_("\n");
		}
	return 0;
}
