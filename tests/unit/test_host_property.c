// SPDX-License-Identifier: MIT
/*
 * Property test: several processes apply random assign / unassign /
 * create / remove / ap_config / mask / guest-open operations to one host at
 * once.  After every step each process checks the invariant on the shared
 * state: no APQN in two mdevs, no mdev APQN reserved for the host.  Every
 * errno must be one the kernel can return for that operation.
 * KVMU_HOST_PROP_OPS sets the operations per process (default 1500).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "test_host_util.h"

#define NPROC 4

static const char *const uuids[] = {
	"00000000-0000-4000-8000-000000000001",
	"00000000-0000-4000-8000-000000000002",
	"00000000-0000-4000-8000-000000000003",
	"00000000-0000-4000-8000-000000000004",
	"00000000-0000-4000-8000-000000000005",
	"00000000-0000-4000-8000-000000000006",
};
static const char *const ids[] = { "0", "3", "5", "6", "7", "4", "0x47",
	"0xab", "0xff", "300" };
static const char *const attrs[] = { "assign_adapter", "unassign_adapter",
	"assign_domain", "unassign_domain", "assign_control_domain",
	"unassign_control_domain" };

#define PICK(a) ((a)[rand() % (int)(sizeof(a) / sizeof((a)[0]))])

/* How often each interesting outcome happened, per worker. */
static int seen_ok, seen_inuse, seen_notavail, seen_busy;

static bool allowed(int rc, const int *ok)
{
	seen_ok += rc == 0;
	seen_inuse += rc == -EADDRINUSE;
	seen_notavail += rc == -EADDRNOTAVAIL;
	seen_busy += rc == -EBUSY;
	for (; *ok != 1; ok++)
		if (rc == *ok)
			return true;
	return false;
}

static const int assign_ok[] = { 0, -EADDRINUSE, -EADDRNOTAVAIL, -ENODEV,
	-ENOENT, 1 };
static const int mask_ok[] = { 0, -EBUSY, 1 };
static const int create_ok[] = { 0, -EEXIST, 1 };
static const int remove_ok[] = { 0, -ENOENT, -EBUSY, 1 };
static const int open_ok[] = { 0, -ENODEV, -EBUSY, 1 };

/* One random operation; its errno must be in the allowed list. */
static int random_op(struct kvmu_host *h, struct kvmu_host_mdev **held)
{
	const char *u = PICK(uuids);
	char val[256];
	int rc, r = rand() % 100;

	if (r < 50) {
		rc = mdev_echo(h, u, PICK(attrs), PICK(ids));
		return allowed(rc, assign_ok) ? 0 : rc;
	}
	if (r < 62) {
		snprintf(val, sizeof(val), "%c%s", rand() % 2 ? '+' : '-',
			 PICK(ids) );
		if (!strcmp(val + 1, "300"))
			val[1] = '1', val[2] = 0;
		rc = host_echo(h, rand() % 2 ? "bus/ap/apmask" :
			       "bus/ap/aqmask", val);
		return allowed(rc, mask_ok) ? 0 : rc;
	}
	if (r < 74) {
		rc = host_echo(h, TYPE "create", u);
		return allowed(rc, create_ok) ? 0 : rc;
	}
	if (r < 80) {
		rc = mdev_echo(h, u, "remove", "1");
		return allowed(rc, remove_ok) ? 0 : rc;
	}
	if (r < 90) {
		/* a random APM/AQM/ADM triple over the interesting ids */
		snprintf(val, sizeof(val), "0x%x,0x%x%x,0x%x", rand() % 16,
			 rand() % 16, rand() % 16, rand() % 16);
		rc = mdev_echo(h, u, "ap_config", val);
		return allowed(rc, assign_ok) ? 0 : rc;
	}
	if (*held) {
		kvmu_host_mdev_release(*held);
		*held = NULL;
		return 0;
	}
	rc = kvmu_host_mdev_open(h, u, held);
	return allowed(rc, open_ok) ? 0 : rc;
}

static int worker(const char *dir, int seed, int ops)
{
	struct kvmu_host_mdev *held = NULL;
	struct kvmu_host *h;
	char why[256];
	int i, rc;

	srand((unsigned int)seed);
	if (kvmu_host_open(dir, 0, &h))
		return 2;
	for (i = 0; i < ops; i++) {
		rc = random_op(h, &held);
		if (rc) {
			fprintf(stderr, "worker %d op %d: unexpected %d\n",
				seed, i, rc);
			return 3;
		}
		if (kvmu_host_check(h, why, sizeof(why))) {
			fprintf(stderr, "worker %d op %d: %s\n", seed, i, why);
			return 4;
		}
	}
	kvmu_host_mdev_release(held);
	kvmu_host_close(h);
	fprintf(stderr, "worker %d: %d ok, %d EADDRINUSE, %d EADDRNOTAVAIL, "
		"%d EBUSY\n", seed, seen_ok, seen_inuse, seen_notavail,
		seen_busy);
	return 0;
}

static void test_property(void **state)
{
	const char *env = getenv("KVMU_HOST_PROP_OPS");
	int ops = env ? atoi(env) : 1500, i, status;
	char *dir = host_tmpdir();
	struct kvmu_host *h;
	pid_t pid[NPROC];

	(void)state;
	assert_int_equal(kvmu_host_open(dir, 0, &h), 0);
	/* start from the documentation's secured queues */
	assert_int_equal(host_echo(h, "bus/ap/apmask", "-5,-6"), 0);
	assert_int_equal(host_echo(h, "bus/ap/aqmask", "-4,-0x47,-0xab,-0xff"),
			 0);
	for (i = 0; i < NPROC; i++) {
		pid[i] = fork();
		if (!pid[i])
			_exit(worker(dir, i + 1, ops));
	}
	for (i = 0; i < NPROC; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(kvmu_host_check(h, NULL, 0), 0);
	/* the work really happened: many committed changes */
	{
		char path[128], line[128];
		FILE *f;
		unsigned long long gen = 0;

		snprintf(path, sizeof(path), "%s/state", dir);
		f = fopen(path, "r");
		assert_non_null(f);
		while (fgets(line, sizeof(line), f))
			sscanf(line, "generation %llu", &gen);
		fclose(f);
		fprintf(stderr, "%d processes x %d ops: %llu commits\n", NPROC,
			ops, gen);
		assert_true(gen > (unsigned long long)ops);
	}
	/* every guest died or released: nothing is in use any more */
	for (i = 0; i < kvmu_host_mdev_count(h); i++) {
		char uuid[37];

		assert_int_equal(kvmu_host_mdev_uuid(h, i, uuid), 0);
		assert_int_equal(mdev_echo(h, uuid, "remove", "1"), 0);
		i--;
	}
	kvmu_host_close(h);
	host_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_property),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
