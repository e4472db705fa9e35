// SPDX-License-Identifier: MIT
/*
 * Floating point as aarch64-linux-gnu-gcc -O2 compiles plain C: double
 * and float arithmetic, fused multiply-add (contracted), square root,
 * conversions both ways, comparisons, min/max, rounding.  The results are
 * printed as bit patterns; tests/shell/cli_run_arm64.sh compares them with
 * the same program under qemu-aarch64.
 */
#include "console.h"

static volatile double vd[8] = { 1.5, -2.25, 3.0e10, 1e-300, 0.1, 7.0,
				 -0.0, 123456.789 };
static volatile float vf[4] = { 1.25f, -3.5f, 1e30f, 0.3f };

static unsigned long bits(double d)
{
	union { double d; unsigned long u; } x = { d };

	return x.u;
}

static void out(const char *name, unsigned long v)
{
	puts_(name);
	puts_("=");
	puthex(v, 16);
	puts_("\n");
}

int main(void)
{
	double s = 0, p = 1, m = vd[0];
	float f = 0;
	long l = 0;
	int i;

	for (i = 1; i <= 1000; i++)
		s += 1.0 / ((double)i * i);
	for (i = 0; i < 8; i++) {
		p = p * vd[i] + vd[(i + 3) & 7];
		m = vd[i] > m ? vd[i] : m;
		l += (long)(vd[i] * 3.7);
	}
	for (i = 0; i < 4; i++)
		f += vf[i] * vf[(i + 1) & 3] - (float)i;
	out("zeta2", bits(s));
	out("poly", bits(p));
	out("max", bits(m));
	out("conv", (unsigned long)l);
	out("float", bits((double)f));
	out("sqrt", bits(__builtin_sqrt(vd[7])));
	out("u2d", bits((double)(unsigned long)vd[2]));
	out("div0", bits(vd[0] / (vd[6] + vd[6])));
	out("cmp", (unsigned long)((vd[1] < vd[0]) << 2 | (vd[4] == 0.1) << 1 |
				   (vd[6] == 0.0)));
	out("trunc", (unsigned long)(int)vf[1] ^ (unsigned long)(unsigned)vf[0]);
	return 0;
}
