// SPDX-License-Identifier: MIT
/*
 * The VTL-aware VMM of tests/shim/planes_vtl.c built against the library
 * (kvmu_open/kvmu_ioctl) instead of /dev/kvm: the same source, the same
 * transcript (tests/shim/expected/planes_vtl.txt).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#define VTL_LIBKVMU
#include "../shim/planes_vtl.c"

static void test_vtl_demo(void **state)
{
	char *buf = NULL, want[1024];
	size_t len = 0, n;
	FILE *f = open_memstream(&buf, &len), *exp;

	(void)state;
	assert_non_null(f);
	assert_int_equal(vtl_demo(f), 0);
	fclose(f);
	exp = fopen("tests/shim/expected/planes_vtl.txt", "r")	/* from the top */;
	assert_non_null(exp);
	n = fread(want, 1, sizeof(want) - 1, exp);
	fclose(exp);
	want[n] = 0;
	assert_string_equal(buf, want);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vtl_demo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
