// SPDX-License-Identifier: MIT
/*
 * A C-compiled s390x guest run end to end: tests/guests/common/checksum.c,
 * built by tests/guests/s390x/build.sh with s390x-linux-gnu-gcc -march=z10,
 * loaded at 0x10000 and started in 64-bit mode with DAT off.  The test is
 * the VMM side of the kvmu console (DIAGNOSE X'500', docs/s390x.md) and
 * compares what the guest prints with the same values computed here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "s390_test_util.h"

#define LOAD	0x10000

static char out[256];
static size_t out_len;

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

static void expected(char *e, size_t n)
{
	static unsigned char buf[4096];
	int arr[64], i, j, t;
	unsigned long a = 0, b = 1, acc = 0;
	long q = 0;

	for (i = 0; i < 4096; i++)
		buf[i] = (unsigned char)(i * 7 + (i >> 3));
	for (i = 0; i < 90; i++) {
		unsigned long s = a + b;

		a = b;
		b = s;
	}
	for (i = 0; i < 64; i++)
		arr[i] = (int)(((unsigned long)i * 2654435761u) % 1000) - 500;
	for (i = 1; i < 64; i++)
		for (j = i; j > 0 && arr[j - 1] > arr[j]; j--) {
			t = arr[j];
			arr[j] = arr[j - 1];
			arr[j - 1] = t;
		}
	for (i = 0; i < 64; i++)
		acc = acc * 31 + (unsigned long)(long)arr[i];
	for (i = 1; i < 100; i++)
		q += (1000000007L / i) % (i + 3);
	snprintf(e, n, "crc32=%08x fib90=%016lx sort=%016lx div=%08lx\n",
		 crc32(buf, sizeof(buf)), a, acc, (unsigned long)q & 0xffffffff);
}

/* The VMM side of the console; returns the guest's exit code or -1. */
static int console(struct s390vm *v)
{
	__u64 *g = v->run->s.regs.gprs;

	for (;;) {
		if (s390_run(v))
			return -1;
		if (v->run->exit_reason != KVM_EXIT_S390_SIEIC ||
		    (v->run->s390_sieic.ipa >> 8) != 0x83 ||
		    (v->run->s390_sieic.ipb >> 16) != 0x0500)
			return -1;
		if (g[1] == 0x101)
			return (int)g[2];
		if (g[1] != 0x100 || g[2] + g[3] > S390_MEM ||
		    out_len + g[3] >= sizeof(out))
			return -1;
		memcpy(out + out_len, v->mem + g[2], g[3]);
		out_len += g[3];
		g[2] = 0;
	}
}

static void test_checksum_guest(void **state)
{
	struct s390vm v = { 0 };
	char cmd[512], path[256], want[256];
	const char *b = getenv("BUILD");
	FILE *f;
	size_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/guests/s390x", b ? b : "build");
	snprintf(cmd, sizeof(cmd), "sh tests/guests/s390x/build.sh %s", path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(s390vm_open(&v), 0);
	strncat(path, "/checksum.bin", sizeof(path) - strlen(path) - 1);
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(v.mem + LOAD, 1, S390_MEM - LOAD, f);
	fclose(f);
	assert_true(n > 0);
	assert_int_equal(s390_psw(&v, PSW_64, LOAD), 0);
	assert_int_equal(console(&v), 7);
	expected(want, sizeof(want));
	out[out_len] = 0;
	assert_string_equal(out, want);
	s390vm_close(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum_guest),
	};

	if (system("s390x-linux-gnu-gcc --version >/dev/null 2>&1")) {
		printf("skip: s390x-linux-gnu-gcc not installed\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
