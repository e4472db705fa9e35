// SPDX-License-Identifier: MIT
/*
 * The kernel's input syntaxes as the host model parses them: kstrtoul()
 * base 0 (vfio_ap attributes), the absolute and relative AP mask syntaxes
 * (apmask/aqmask, ap_config), UUIDs (create) and config lists.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "host/ap/ap_int.h"

static const struct {
	const char *in;
	int rc;
	unsigned long val;
} kstrtoul_cases[] = {
	{ "5", 0, 5 }, { "5\n", 0, 5 }, { "+5", 0, 5 }, { "0x05", 0, 5 },
	{ "0xab", 0, 171 }, { "0XAB\n", 0, 171 }, { "0xAb", 0, 171 },
	{ "010", 0, 8 }, { "0", 0, 0 }, { "0\n", 0, 0 }, { "00", 0, 0 },
	{ "255", 0, 255 }, { "18446744073709551615", 0, ~0UL },
	{ "0xffffffffffffffff", 0, ~0UL },
	{ "08", -EINVAL, 0 },		/* leading 0 is octal */
	{ "0x", -EINVAL, 0 },		/* "0" then a stray 'x' */
	{ "0xg", -EINVAL, 0 },
	{ "", -EINVAL, 0 }, { "\n", -EINVAL, 0 }, { "+", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 }, { " 5", -EINVAL, 0 }, { "5 ", -EINVAL, 0 },
	{ "5\n\n", -EINVAL, 0 }, { "5x", -EINVAL, 0 }, { "++5", -EINVAL, 0 },
	{ "abc", -EINVAL, 0 }, { "1e3", -EINVAL, 0 },
	{ "18446744073709551616", -ERANGE, 0 },
	{ "0x10000000000000000", -ERANGE, 0 },
	{ "99999999999999999999x", -ERANGE, 0 }, /* overflow wins */
};

static void test_kstrtoul(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(kstrtoul_cases) /
	     sizeof(kstrtoul_cases[0]); i++) {
		unsigned long v = 12345;
		int rc = ap_kstrtoul(kstrtoul_cases[i].in, &v);

		if (rc != kstrtoul_cases[i].rc)
			fail_msg("kstrtoul(\"%s\") = %d, want %d",
				 kstrtoul_cases[i].in, rc,
				 kstrtoul_cases[i].rc);
		if (!rc)
			assert_int_equal(v, kstrtoul_cases[i].val);
	}
}

static const char *fmt(const ap_mask *m)
{
	static char s[67];

	ap_mask_fmt(m, s);
	return s;
}

#define ZERO "0000000000000000000000000000000000000000000000000000000000000000"
#define ONES "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

static const struct {
	const char *in;
	int rc;
	const char *out;	/* the 64 hex digits after "0x" */
} abs_cases[] = {
	{ "0x41", 0, "41" "00000000000000000000000000000000000000000000000000000000000000" },
	{ "0x41\n", 0, "41" "00000000000000000000000000000000000000000000000000000000000000" },
	{ "41", 0, "41" "00000000000000000000000000000000000000000000000000000000000000" },
	{ "x41", 0, "41" "00000000000000000000000000000000000000000000000000000000000000" },
	{ "0xffff", 0, "ffff" "000000000000000000000000000000000000000000000000000000000000" },
	{ "0x8", 0, "8" "000000000000000000000000000000000000000000000000000000000000000" },
	{ "0x" ONES, 0, ONES },
	{ "0x" ONES "\n", 0, ONES },
	{ "0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	  0, "f9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" },
	{ "0x", 0, ZERO }, { "", 0, ZERO }, { "\n", 0, ZERO },
	{ "0x" ONES "f", -EINVAL, NULL },	/* longer than 256 bits */
	{ "0x" ONES "0", -EINVAL, NULL },
	{ "0X41", -EINVAL, NULL },		/* only lowercase 0x */
	{ "0x4g", -EINVAL, NULL }, { "0x41 ", -EINVAL, NULL },
	{ "0x41\n\n", -EINVAL, NULL }, { " 0x41", -EINVAL, NULL },
	{ "0x0x41", -EINVAL, NULL },
};

static void test_hex2bitmap(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(abs_cases) / sizeof(abs_cases[0]); i++) {
		ap_mask m;
		int rc = ap_hex2bitmap(abs_cases[i].in, &m);

		if (rc != abs_cases[i].rc)
			fail_msg("hex2bitmap(\"%s\") = %d", abs_cases[i].in, rc);
		if (!rc)
			assert_string_equal(fmt(&m) + 2, abs_cases[i].out);
	}
}

static const struct {
	const char *in;
	int rc;
	const char *out;	/* applied to an all-ones mask */
} rel_cases[] = {
	{ "-5,-6", 0, "f9" "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" },
	{ "-5,-6\n", 0, "f9" "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" },
	{ "-4,-0x47,-0xab,-0xff", 0,
	  "f7fffffffffffffffeffffffffffffffffffffffffeffffffffffffffffffffe" },
	{ "-0-255", 0, ZERO },
	{ "-0-255,+1-16,+0x80", 0,
	  "7fff8000000000000000000000000000" "80000000000000000000000000000000" },
	{ "-0-255,+0,-6,+0x47,-0xf0", 0,
	  "8000000000000000010000000000000000000000000000000000000000000000" },
	{ "-010", 0, "ff7f" "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" },
	{ "-0-255,+255", 0, "0000000000000000000000000000000000000000000000000000000000000001" },
	{ "-1,,-2,\n", 0, "9f" "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" },
	{ "-0-255,+5-5", 0, "04" "00000000000000000000000000000000000000000000000000000000000000" },
	{ "-0-255,+0-255,-128", 0,
	  "ffffffffffffffffffffffffffffffff" "7fffffffffffffffffffffffffffffff" },
	{ "+256", -EINVAL, NULL }, { "-0x100", -EINVAL, NULL },
	{ "+", -EINVAL, NULL }, { "-", -EINVAL, NULL },
	{ "+5-3", -EINVAL, NULL },		/* a > z */
	{ "+5-", -EINVAL, NULL }, { "+5-256", -EINVAL, NULL },
	{ "+5;+6", -EINVAL, NULL }, { "+5 ", -EINVAL, NULL },
	{ "+5,6", -EINVAL, NULL },		/* every term needs a sign */
	{ "+0x", -EINVAL, NULL },		/* "0" then a stray 'x' */
	{ "+abc", -EINVAL, NULL }, { "+08", -EINVAL, NULL },
	{ "+99999999999999999999", -EINVAL, NULL },
};

static void test_modify_bitmap(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rel_cases) / sizeof(rel_cases[0]); i++) {
		ap_mask cur, out;
		int rc;

		mask_fill(&cur);
		rc = ap_parse_mask(rel_cases[i].in, &cur, &out);
		if (rc != rel_cases[i].rc)
			fail_msg("parse_mask(\"%s\") = %d", rel_cases[i].in, rc);
		if (!rc)
			assert_string_equal(fmt(&out) + 2, rel_cases[i].out);
	}
}

/* simple_strtoul() wraps silently: 2^64 + 5 is bit 5, as in the kernel. */
static void test_relative_wraps(void **state)
{
	ap_mask cur = { { 0 } }, out;

	(void)state;
	assert_int_equal(ap_parse_mask("+18446744073709551621", &cur, &out), 0);
	assert_true(mask_test(&out, 5));
}

static void test_uuid(void **state)
{
	(void)state;
	assert_true(ap_uuid_valid("62177883-f1bb-47f0-914d-32a22e3a8804"));
	assert_true(ap_uuid_valid("62177883-F1BB-47F0-914D-32A22E3A8804"));
	assert_false(ap_uuid_valid("62177883f1bb-47f0-914d-32a22e3a88041"));
	assert_false(ap_uuid_valid("62177883-f1bb-47f0-914d-32a22e3a88g4"));
	assert_false(ap_uuid_valid("62177883-f1bb-47f0-914d-32a22e3a880"));
}

static void test_list(void **state)
{
	ap_mask m;
	char s[256];

	(void)state;
	assert_int_equal(ap_parse_list("0-7,0x47,0x54,0xab,0xff", &m), 0);
	ap_list_fmt(&m, s, sizeof(s));
	assert_string_equal(s, "0-7,71,84,171,255");
	assert_int_equal(ap_parse_list("none", &m), 0);
	assert_true(mask_empty(&m));
	assert_int_equal(ap_parse_list("256", &m), -EINVAL);
	assert_int_equal(ap_parse_list("5-3", &m), -EINVAL);
	assert_int_equal(ap_parse_list("1,", &m), -EINVAL);
	assert_int_equal(ap_parse_list("x", &m), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kstrtoul),
		cmocka_unit_test(test_hex2bitmap),
		cmocka_unit_test(test_modify_bitmap),
		cmocka_unit_test(test_relative_wraps),
		cmocka_unit_test(test_uuid),
		cmocka_unit_test(test_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
