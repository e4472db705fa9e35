// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "host/common/lockfile.h"

int kvmu_lockfile_take(const char *path, mode_t mode, int how)
{
	int fd, rc;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	/* A signal while waiting for another process is not a failure. */
	while ((rc = flock(fd, how)) < 0 && errno == EINTR)
		;
	if (rc < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}
