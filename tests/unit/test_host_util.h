/* SPDX-License-Identifier: MIT */
/* Helpers for the host model tests: a private host directory per test. */
#ifndef TEST_HOST_UTIL_H
#define TEST_HOST_UTIL_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvmu/host.h"

/* A fresh temporary host directory (tmpfs when there is one). */
static inline char *host_tmpdir(void)
{
	const char *base = access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm";
	char *dir = malloc(64);

	snprintf(dir, 64, "%s/kvmu-host-test.XXXXXX", base);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	return dir;
}

static inline void host_rmdir(char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
	free(dir);
}

/* Read a file of the tree as a string ("" on error). */
static inline const char *host_cat(struct kvmu_host *h, const char *path)
{
	static char buf[65536];
	ssize_t n = kvmu_host_read(h, path, buf, sizeof(buf) - 1);

	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

/* `echo VALUE > PATH`: 0 or the kernel's -errno. */
static inline int host_echo(struct kvmu_host *h, const char *path,
			    const char *value)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s\n", value);
	return kvmu_host_write_str(h, path, buf);
}

#define MATRIX "devices/vfio_ap/matrix/"
#define TYPE MATRIX "mdev_supported_types/vfio_ap-passthrough/"

/* echo into devices/vfio_ap/matrix/<uuid>/<attr> */
static inline int mdev_echo(struct kvmu_host *h, const char *uuid,
			    const char *attr, const char *value)
{
	char path[160];

	snprintf(path, sizeof(path), MATRIX "%s/%s", uuid, attr);
	return host_echo(h, path, value);
}

static inline const char *mdev_cat(struct kvmu_host *h, const char *uuid,
				   const char *attr)
{
	char path[160];

	snprintf(path, sizeof(path), MATRIX "%s/%s", uuid, attr);
	return host_cat(h, path);
}

#endif
