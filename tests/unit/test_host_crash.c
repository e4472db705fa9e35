// SPDX-License-Identifier: MIT
/*
 * Crash safety: a writer process changing the host state in a tight loop
 * is killed with SIGKILL at random instants.  After every kill the state
 * must be whole (it parses, ends with "end", holds every mdev), its
 * generation never goes back, the invariant holds, and the lock died with
 * the writer.  The state is made large (hundreds of mdevs) so that kills
 * land inside the write as well as between writes.
 * KVMU_HOST_CRASH_ROUNDS sets the number of kills (default 60).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/wait.h>
#include <time.h>
#include <cmocka.h>

#include "test_host_util.h"

#define NMDEV 300

static void uuid_of(int i, char *out)
{
	snprintf(out, 37, "00000000-0000-4000-8000-%012d", i);
}

static void writer(const char *dir, unsigned int seed)
{
	struct kvmu_host *h;
	char uuid[37], val[16];

	srand(seed);
	if (kvmu_host_open(dir, 0, &h))
		_exit(2);
	for (;;) {
		uuid_of(rand() % NMDEV, uuid);
		snprintf(val, sizeof(val), "%d", rand() % 256);
		mdev_echo(h, uuid, rand() % 2 ? "assign_control_domain" :
			  "unassign_control_domain", val);
		if (rand() % 4 == 0)
			host_echo(h, "bus/ap/apmask", rand() % 2 ? "+7" : "-7");
	}
}

static unsigned long long state_generation(const char *dir, bool *whole)
{
	unsigned long long gen = 0;
	char path[128], line[512], last[512] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/state", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "generation %llu", &gen);
		memcpy(last, line, sizeof(line));
	}
	fclose(f);
	*whole = !strcmp(last, "end\n");
	return gen;
}

static void test_crash(void **state)
{
	const char *env = getenv("KVMU_HOST_CRASH_ROUNDS");
	int rounds = env ? atoi(env) : 60, i, status;
	unsigned long long gen, prev = 0;
	char *dir = host_tmpdir(), uuid[37], path[128];
	int mid_write = 0;
	struct kvmu_host *h;
	bool whole;

	(void)state;
	srand((unsigned int)time(NULL));
	assert_int_equal(kvmu_host_open(dir, 0, &h), 0);
	for (i = 0; i < NMDEV; i++) {
		uuid_of(i, uuid);
		assert_int_equal(host_echo(h, TYPE "create", uuid), 0);
	}
	for (i = 0; i < rounds; i++) {
		pid_t pid = fork();
		struct timespec ts = { 0, (rand() % 20000) * 1000L };

		if (!pid)
			writer(dir, (unsigned int)rand());
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		/* a left-over state.new: the kill landed inside a write */
		snprintf(path, sizeof(path), "%s/state.new", dir);
		mid_write += !unlink(path);
		gen = state_generation(dir, &whole);
		assert_true(whole);
		assert_true(gen >= prev);
		prev = gen;
		/* the lock died with the writer: this write goes through */
		assert_int_equal(host_echo(h, "bus/ap/config_time", "30"), 0);
		assert_int_equal(kvmu_host_mdev_count(h), NMDEV);
		assert_int_equal(kvmu_host_check(h, NULL, 0), 0);
	}
	fprintf(stderr, "%d kills (%d inside a write), final generation %llu\n",
		rounds, mid_write, prev);
	assert_true(prev > (unsigned long long)rounds);
	kvmu_host_close(h);
	host_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
