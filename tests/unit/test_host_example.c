// SPDX-License-Identifier: MIT
/*
 * The vfio-ap documentation's example, end to end through the C API:
 * secure the eight queues (both mask syntaxes), create three mdevs,
 * configure Guest1..Guest3, read matrix and control_domains; the invalid
 * configurations fail with the kernel's errno and change nothing; a guest
 * holds an mdev and dies; the state survives reopening.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "test_host_util.h"
#include "host/fs/tree.h"

#define U1 "0fe903a0-a323-44db-9daf-134c68627d61"
#define U2 "62177883-f1bb-47f0-914d-32a22e3a8804"
#define U3 "cef03c3c-903d-4ecc-9a83-40694cb8aee4"

#define APMASK_DOC \
	"0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n"
#define AQMASK_DOC \
	"0xf7fffffffffffffffeffffffffffffffffffffffffeffffffffffffffffffffe\n"

struct fixture {
	char *dir;
	struct kvmu_host *h;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->dir = host_tmpdir();
	assert_int_equal(kvmu_host_open(f->dir, 0, &f->h), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	kvmu_host_close(f->h);
	host_rmdir(f->dir);
	free(f);
	return 0;
}

static void count_entry(void *arg, const char *name, int kind)
{
	(void)name;
	(void)kind;
	(*(int *)arg)++;
}

/* Step 2 of the example, relative or absolute syntax. */
static void secure_queues(struct kvmu_host *h, bool relative)
{
	if (relative) {
		assert_int_equal(host_echo(h, "bus/ap/apmask", "-5,-6"), 0);
		assert_int_equal(host_echo(h, "bus/ap/aqmask",
					   "-4,-0x47,-0xab,-0xff"), 0);
	} else {
		assert_int_equal(kvmu_host_write_str(h, "bus/ap/apmask",
						     APMASK_DOC), 0);
		assert_int_equal(kvmu_host_write_str(h, "bus/ap/aqmask",
						     AQMASK_DOC), 0);
	}
	assert_string_equal(host_cat(h, "bus/ap/apmask"), APMASK_DOC);
	assert_string_equal(host_cat(h, "bus/ap/aqmask"), AQMASK_DOC);
}

static int vfio_ap_queues(struct kvmu_host *h)
{
	static const char *const q[] = { "05.0004", "05.0047", "05.00ab",
		"05.00ff", "06.0004", "06.0047", "06.00ab", "06.00ff" };
	char path[64];
	size_t i;
	int n = 0;

	for (i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "bus/ap/devices/card%.2s/%s/status",
			 q[i], q[i]);
		n += !strcmp(host_cat(h, path), "unassigned\n");
	}
	return n;
}

static void test_secure_both_ways(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(host_cat(f->h, "bus/ap/apmask"), "0x"
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n");
	assert_int_equal(vfio_ap_queues(f->h), 0);
	secure_queues(f->h, true);
	assert_int_equal(vfio_ap_queues(f->h), 8);
	assert_int_equal(kvmu_host_init(f->h, kvmu_host_default_config(),
					NULL, 0), 0);
	assert_int_equal(vfio_ap_queues(f->h), 0);
	secure_queues(f->h, false);
	assert_int_equal(vfio_ap_queues(f->h), 8);
	assert_string_equal(host_cat(f->h, "bus/ap/devices/card05/hwtype"),
			    "11\n");
	/* the CEX3C has no device at all */
	assert_int_equal(kvmu_host_read(f->h, "bus/ap/devices/card03/hwtype",
					(char[8]){ 0 }, 8), -ENOENT);
}

/* Steps 3 and 4: three mdevs configured as Guest1..Guest3. */
static void configure_guests(struct kvmu_host *h)
{
	secure_queues(h, true);
	assert_int_equal(host_echo(h, TYPE "create", U1), 0);
	assert_int_equal(host_echo(h, TYPE "create", U2), 0);
	assert_int_equal(host_echo(h, TYPE "create", U3), 0);
	assert_string_equal(host_cat(h, TYPE "available_instances"),
			    "65533\n");
	assert_int_equal(mdev_echo(h, U1, "assign_adapter", "5"), 0);
	assert_int_equal(mdev_echo(h, U1, "assign_adapter", "6"), 0);
	assert_int_equal(mdev_echo(h, U1, "assign_domain", "4"), 0);
	assert_int_equal(mdev_echo(h, U1, "assign_domain", "0xab"), 0);
	assert_int_equal(mdev_echo(h, U2, "assign_adapter", "5"), 0);
	assert_int_equal(mdev_echo(h, U2, "assign_domain", "0x47"), 0);
	assert_int_equal(mdev_echo(h, U2, "assign_domain", "0xff"), 0);
	assert_int_equal(mdev_echo(h, U3, "assign_adapter", "6"), 0);
	assert_int_equal(mdev_echo(h, U3, "assign_domain", "0x47"), 0);
	assert_int_equal(mdev_echo(h, U3, "assign_domain", "0xff"), 0);
}

static void test_guests(void **state)
{
	struct fixture *f = *state;
	int n = 0;

	configure_guests(f->h);
	assert_string_equal(mdev_cat(f->h, U1, "matrix"),
			    "05.0004\n05.00ab\n06.0004\n06.00ab\n");
	assert_string_equal(mdev_cat(f->h, U2, "matrix"), "05.0047\n05.00ff\n");
	assert_string_equal(mdev_cat(f->h, U3, "matrix"), "06.0047\n06.00ff\n");
	assert_string_equal(mdev_cat(f->h, U1, "guest_matrix"),
			    "05.0004\n05.00ab\n06.0004\n06.00ab\n");
	assert_string_equal(mdev_cat(f->h, U1, "control_domains"), "");
	assert_int_equal(mdev_echo(f->h, U1, "assign_control_domain", "0xab"),
			 0);
	assert_int_equal(mdev_echo(f->h, U1, "assign_control_domain", "4"), 0);
	assert_string_equal(mdev_cat(f->h, U1, "control_domains"),
			    "0004\n00ab\n");
	assert_string_equal(host_cat(f->h, "bus/ap/devices/05.0047/status"),
			    "assigned\n");
	assert_int_equal(ap_tree_readdir(f->h, "bus/ap/drivers/vfio_ap",
					 count_entry, &n), 0);
	assert_int_equal(n, 8);
	assert_int_equal(kvmu_host_check(f->h, NULL, 0), 0);
}

static void test_invalid(void **state)
{
	struct fixture *f = *state;
	char log[4096];
	FILE *lf;
	size_t len;

	configure_guests(f->h);
	/* Guest3 may not take 06.00ab from Guest1 */
	assert_int_equal(mdev_echo(f->h, U3, "assign_domain", "0xab"),
			 -EADDRINUSE);
	assert_string_equal(mdev_cat(f->h, U3, "matrix"), "06.0047\n06.00ff\n");
	/* the doc's Example 3: adapters 1,2 x domains 5,6 then 1 x 6,7 */
	assert_int_equal(host_echo(f->h, "bus/ap/apmask", "-1,-2"), 0);
	assert_int_equal(host_echo(f->h, TYPE "create",
				   "11111111-2222-3333-4444-555555555555"), 0);
	assert_int_equal(host_echo(f->h, TYPE "create",
				   "11111111-2222-3333-4444-666666666666"), 0);
#define G1 "11111111-2222-3333-4444-555555555555"
#define G2 "11111111-2222-3333-4444-666666666666"
	assert_int_equal(mdev_echo(f->h, G1, "ap_config",
		"0x6,0x06,0x0"), 0);	/* adapters 1,2; domains 5,6 */
	assert_string_equal(mdev_cat(f->h, G1, "matrix"),
			    "01.0005\n01.0006\n02.0005\n02.0006\n");
	assert_int_equal(mdev_echo(f->h, G2, "assign_adapter", "1"), 0);
	assert_int_equal(mdev_echo(f->h, G2, "assign_domain", "6"),
			 -EADDRINUSE);
	assert_int_equal(mdev_echo(f->h, G2, "assign_domain", "7"), 0);
	assert_string_equal(mdev_cat(f->h, G2, "matrix"), "01.0007\n");
	/* over-provisioned: adapters 1 and 2 do not exist, no guest sees them */
	assert_string_equal(mdev_cat(f->h, G2, "guest_matrix"), "");
	/* host-reserved queues: EADDRNOTAVAIL */
	assert_int_equal(mdev_echo(f->h, G2, "assign_adapter", "7"),
			 -EADDRNOTAVAIL);
	assert_string_equal(mdev_cat(f->h, G2, "matrix"), "01.0007\n");
	/* handing an assigned queue back to the host: EBUSY, mask unchanged */
	/* (both bits must be set to reserve a queue: +5 alone frees nothing) */
	assert_int_equal(host_echo(f->h, "bus/ap/apmask", "+5"), 0);
	assert_int_equal(host_echo(f->h, "bus/ap/aqmask", "+4"), -EBUSY);
	assert_int_equal(host_echo(f->h, "bus/ap/aqmask", "0xff"), -EBUSY);
	assert_int_equal(host_echo(f->h, "bus/ap/aqmask", "+0x100"), -EINVAL);
	assert_string_equal(host_cat(f->h, "bus/ap/aqmask"), AQMASK_DOC);
	assert_int_equal(host_echo(f->h, "bus/ap/apmask", "0x"
		"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
		-EBUSY);	/* 01.0005 (G1) back to the host */
	assert_int_equal(host_echo(f->h, "bus/ap/apmask", "-5"), 0);
	assert_int_equal(kvmu_host_check(f->h, NULL, 0), 0);
	/* the kernel's warnings are in the log */
	snprintf(log, sizeof(log), "%s/log", kvmu_host_dir(f->h));
	lf = fopen(log, "r");
	assert_non_null(lf);
	len = fread(log, 1, sizeof(log) - 1, lf);
	log[len] = 0;
	fclose(lf);
	assert_non_null(strstr(log, "vfio_ap_mdev " U3 ": Userspace may not "
		"assign queue 06.00ab to mdev: already assigned to " U1));
	assert_non_null(strstr(log, "vfio_ap_mdev " U1 ": Can not reserve "
		"queue 05.0004 for host driver: in use by mdev"));
	assert_non_null(strstr(log, "vfio_ap_mdev " G1 ": Can not reserve "
		"queue 01.0005 for host driver: in use by mdev"));
}

static const struct {
	const char *attr, *value;
	int rc;
} errno_cases[] = {
	{ "assign_adapter", "256", -ENODEV },
	{ "assign_adapter", "0x100", -ENODEV },
	{ "assign_adapter", "abc", -EINVAL },
	{ "assign_adapter", "08", -EINVAL },
	{ "assign_adapter", "-1", -EINVAL },
	{ "assign_adapter", "99999999999999999999", -ERANGE },
	{ "assign_domain", "0x1ff", -ENODEV },
	{ "unassign_domain", "256", -ENODEV },
	{ "unassign_domain", "0xff", 0 },	/* not assigned: no-op */
	{ "assign_control_domain", "256", -ENODEV },
	{ "assign_control_domain", "0x47", 0 },
	{ "unassign_control_domain", "x", -EINVAL },
	{ "ap_config", "0x1", -EINVAL },		/* fewer than three */
	{ "ap_config", "0x1,0x2,0xg", -EINVAL },
	{ "remove", "abc", -EINVAL },
	{ "remove", "0", 0 },			/* 0: nothing happens */
	{ "matrix", "1", -EACCES },
};

static void test_errnos(void **state)
{
	struct fixture *f = *state;
	char path[128];

	assert_int_equal(host_echo(f->h, TYPE "create", U1), 0);
	assert_int_equal(host_echo(f->h, TYPE "create", U1), -EEXIST);
	assert_int_equal(host_echo(f->h, TYPE "create",
				   "0FE903A0-A323-44DB-9DAF-134C68627D61"),
			 -EEXIST);
	assert_int_equal(host_echo(f->h, TYPE "create", "1234"), -EINVAL);
	assert_int_equal(kvmu_host_write_str(f->h, TYPE "create", U2 "\n\n"),
			 -EINVAL);
	assert_int_equal(host_echo(f->h, TYPE "create",
				   "62177883-f1bb-47f0-914d-32a22e3a880x"),
			 -EINVAL);
	for (size_t i = 0; i < sizeof(errno_cases) / sizeof(errno_cases[0]);
	     i++) {
		int rc = mdev_echo(f->h, U1, errno_cases[i].attr,
				   errno_cases[i].value);

		if (rc != errno_cases[i].rc)
			fail_msg("echo %s > %s: %d, want %d",
				 errno_cases[i].value, errno_cases[i].attr, rc,
				 errno_cases[i].rc);
	}
	assert_string_equal(mdev_cat(f->h, U1, "ap_config"),
		"0x0000000000000000000000000000000000000000000000000000000000000000,"
		"0x0000000000000000000000000000000000000000000000000000000000000000,"
		"0x0000000000000000010000000000000000000000000000000000000000000000\n");
	assert_int_equal(host_echo(f->h, "bus/ap/ap_max_domain_id", "3"),
			 -EACCES);
	snprintf(path, sizeof(path), MATRIX "%s/nope", U1);
	assert_int_equal(host_echo(f->h, path, "1"), -ENOENT);
	assert_int_equal(mdev_echo(f->h, U1, "remove", "1"), 0);
	assert_int_equal(mdev_echo(f->h, U1, "remove", "1"), -ENOENT);
}

/* apxa off: ids above 63 / 15 are out of range. */
static void test_no_apxa(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(kvmu_host_init(f->h, "apxa off\nadapter 1 CEX8 ep11\n"
					"usage-domains 0-15\n", NULL, 0), 0);
	assert_string_equal(host_cat(f->h, "bus/ap/ap_max_adapter_id"), "63\n");
	assert_string_equal(host_cat(f->h, "bus/ap/ap_max_domain_id"), "15\n");
	assert_int_equal(host_echo(f->h, TYPE "create", U1), 0);
	assert_int_equal(mdev_echo(f->h, U1, "assign_adapter", "64"), -ENODEV);
	assert_int_equal(mdev_echo(f->h, U1, "assign_domain", "16"), -ENODEV);
	assert_int_equal(mdev_echo(f->h, U1, "ap_config", "0x0,0x00008,0x0"),
			 -ENODEV);
	assert_int_equal(mdev_echo(f->h, U1, "ap_config", "0x4,0x0004,0x0"),
			 -EADDRNOTAVAIL);
	assert_int_equal(host_echo(f->h, "bus/ap/aqmask", "-0-15"), 0);
	assert_int_equal(mdev_echo(f->h, U1, "ap_config", "0x4,0x0004,0x0"),
			 0);
	assert_string_equal(mdev_cat(f->h, U1, "matrix"), "01.000d\n");
}

/* A guest holds U1: in use, hot unplug, reset, remove refused; death frees. */
static void test_guest_side(void **state)
{
	struct fixture *f = *state;
	struct kvmu_host_matrix m;
	struct kvmu_host_mdev *md, *md2;
	uint64_t gen1, gen2;
	pid_t pid;
	int status;

	configure_guests(f->h);
	assert_int_equal(kvmu_host_mdev_open(f->h, U1, &md), 0);
	assert_int_equal(kvmu_host_mdev_open(f->h, U1, &md2), -EBUSY);
	assert_int_equal(kvmu_host_mdev_open(f->h, "nope", &md2), -ENODEV);
	assert_string_equal(host_cat(f->h, "bus/ap/devices/05.0004/status"),
			    "in use\n");
	assert_int_equal(mdev_echo(f->h, U1, "remove", "1"), -EBUSY);
	assert_int_equal(kvmu_host_mdev_guest_matrix(md, &m, &gen1), 0);
	assert_int_equal(m.apm.w[0], 0x0600000000000000ULL);
	/* hot unplug of domain 0xab: the guest sees it at once */
	assert_int_equal(mdev_echo(f->h, U1, "unassign_domain", "0xab"), 0);
	assert_int_equal(kvmu_host_mdev_guest_matrix(md, &m, &gen2), 0);
	assert_true(gen2 > gen1);
	assert_int_equal(m.aqm.w[2], 0);
	assert_int_equal(kvmu_host_mdev_reset(md), 0);
	kvmu_host_mdev_release(md);
	assert_string_equal(host_cat(f->h, "bus/ap/devices/05.0004/status"),
			    "assigned\n");
	/* a guest that dies without releasing frees the mdev */
	pid = fork();
	if (!pid) {
		if (kvmu_host_mdev_open(f->h, U2, &md))
			_exit(1);
		kill(getpid(), SIGKILL);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(mdev_echo(f->h, U2, "remove", "1"), 0);
	assert_int_equal(kvmu_host_mdev_count(f->h), 2);
}

/* The state is durable: a new handle sees what the old one did. */
static void test_durable(void **state)
{
	struct fixture *f = *state;
	struct kvmu_host *h2;

	configure_guests(f->h);
	assert_int_equal(kvmu_host_open(f->dir, 0, &h2), 0);
	assert_string_equal(mdev_cat(h2, U2, "matrix"), "05.0047\n05.00ff\n");
	assert_string_equal(host_cat(h2, "bus/ap/apmask"), APMASK_DOC);
	kvmu_host_close(h2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_secure_both_ways, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_guests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errnos, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_apxa, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guest_side, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_durable, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
