/* SPDX-License-Identifier: MIT */
/*
 * The simulated host's durable state lives in files that several
 * processes share (every kvmu process is a view of one "machine"); they
 * serialize on lock files with flock.
 */
#ifndef KVMU_HOST_LOCKFILE_H
#define KVMU_HOST_LOCKFILE_H

#include <sys/types.h>

/* Open (creating with mode) and flock(how) path; the fd, or -errno. */
int kvmu_lockfile_take(const char *path, mode_t mode, int how);

#endif
