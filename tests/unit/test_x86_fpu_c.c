// SPDX-License-Identifier: MIT
/*
 * Compiled C on kvmu: two small functions, built by the host compiler
 * with this file (scalar double arithmetic through SSE2, long double
 * through the x87), are copied into a long-mode guest and run there; their
 * results must equal what the same machine code computes on the host.
 *
 * The functions live alone in their own section, take every constant
 * from their input array (so that the code has no RIP-relative loads and
 * runs at any address; no negation either, which would load a sign mask),
 * and are kept free of instrumentation.
 */
#include "x86_fpu_util.h"

#ifdef __CET__
#define NO_CF	__attribute__((nocf_check))	/* no ENDBR64 */
#else
#define NO_CF
#endif
#define GUEST_FN							\
	NO_CF __attribute__((noinline, noipa, no_stack_protector,	\
			     no_sanitize("address", "undefined"),	\
			     section("kvmu_guest_fn")))

extern const uint8_t __start_kvmu_guest_fn[], __stop_kvmu_guest_fn[];

#define N_IN	24

/* Horner-like recurrences, divisions, square roots by Newton steps,
 * conversions both ways and data-dependent branches. */
GUEST_FN void guest_double(const double *in, double *out, long n)
{
	double acc = in[0], s = in[1], half = in[2], r;
	long i, k;
	float f;

	for (i = 3; i < n; i++) {
		double x = in[i];

		acc = acc * x + s / (x - acc);
		if (acc > s)
			s = s + acc * half;
		else
			s = s - x / (acc + half);
		r = x * x;
		for (k = 0; k < 8; k++)		/* Newton: |x| */
			r = half * (r + x * x / r);
		f = (float)(acc / (s + r));
		out[i] = acc + (double)f;
		out[n + i] = (double)(long)(r * s) + (double)i * half;
	}
	out[0] = acc;
	out[1] = s;
	out[2] = (double)(int)(acc > s ? acc - s : s - acc);
}

GUEST_FN void guest_ldouble(const long double *in, long double *out,
			    long n)
{
	long double acc = in[0], s = in[1], half = in[2];
	long i;

	for (i = 3; i < n; i++) {
		long double x = in[i];

		acc = acc * x + s / (x - acc);
		s = acc > s ? s + acc * half : s - x / (acc + half);
		out[i] = acc;
		out[n + i] = (long double)(long)(s * half) + x;
	}
	out[0] = acc;
	out[1] = s;
}

/* lea (%rbx),%rdi; lea off(%rbx),%rsi; mov $n,%edx; jmp fn */
static size_t call_stub(uint8_t *p, uint32_t out_off, uint32_t n,
			size_t fn_off)
{
	static const uint8_t head[] = { 0x48, 0x8d, 0x3b, 0x48, 0x8d, 0xb3 };
	int32_t rel;

	memcpy(p, head, sizeof(head));
	memcpy(p + 6, &out_off, 4);
	p[10] = 0xba;
	memcpy(p + 11, &n, 4);
	p[15] = 0xe9;
	rel = (int32_t)(fn_off - 20);
	memcpy(p + 16, &rel, 4);
	return 20;
}

static void run_fn(const void *fn, const void *in, size_t in_size,
		   void *host_out, size_t out_size)
{
	static uint8_t code[4096], data[DATA_SIZE];
	size_t len = (size_t)(__stop_kvmu_guest_fn - __start_kvmu_guest_fn);
	size_t fn_off = 64 + (size_t)((const uint8_t *)fn -
				      __start_kvmu_guest_fn);
	struct tguest g;

#ifdef __SANITIZE_THREAD__
	/* TSan calls into its runtime even from uninstrumented functions */
	skip();
#endif
	assert_true(64 + len <= sizeof(code));
	memset(code, 0xcc, sizeof(code));
	call_stub(code, 0x800, N_IN, fn_off);
	memcpy(code + 64, __start_kvmu_guest_fn, len);
	memset(data, 0, sizeof(data));
	memcpy(data, in, in_size);
	fg_create(&g);
	assert_int_equal(fg_run(&g, code, 64 + len, data), -1);
	assert_memory_equal(g.mem + TG_DATA + 0x800, host_out, out_size);
	tg_destroy(&g);
}

static void test_c_double(void **state)
{
	double in[N_IN], out[2 * N_IN] = { 0 };
	int i;

	(void)state;
	in[0] = 0.75;
	in[1] = -3.5;
	in[2] = 0.5;
	for (i = 3; i < N_IN; i++)
		in[i] = (i % 3 ? 1.0 : -1.0) * (i * 1.37 + 1.0 / i);
	guest_double(in, out, N_IN);
	run_fn((const void *)guest_double, in, sizeof(in), out, sizeof(out));
}

static void test_c_long_double(void **state)
{
	long double in[N_IN], out[2 * N_IN];
	int i;

	(void)state;
	memset(in, 0, sizeof(in));	/* padding bytes compare too */
	memset(out, 0, sizeof(out));
	in[0] = 0.75L;
	in[1] = -3.5L;
	in[2] = 0.5L;
	for (i = 3; i < N_IN; i++)
		in[i] = (i % 3 ? 1.0L : -1.0L) * (i * 1.37L + 1.0L / i);
	guest_ldouble(in, out, N_IN);
	run_fn((const void *)guest_ldouble, in, sizeof(in), out, sizeof(out));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_c_double),
		cmocka_unit_test(test_c_long_double),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
