// SPDX-License-Identifier: MIT
/*
 * The durable host state.  One text file, <dir>/state, is the whole truth;
 * every process reads it under a shared flock on <dir>/lock and changes it
 * under an exclusive one by writing <dir>/state.new, fsync, rename, fsync
 * of the directory.  A writer killed at any instant leaves the old or the
 * new file, and the lock dies with its holder.
 *
 * An mdev opened by a guest holds an exclusive flock on <dir>/inuse/<uuid>
 * for as long as it is open; the kernel drops the lock when the process
 * dies, so "in use" never outlives its guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host/ap/ap_int.h"
#include "host/common/lockfile.h"

#define DEFAULT_DIR	"/var/lib/kvmu"
#define STATE_MAX	(64u << 20)

struct kvmu_host {
	char *dir;
	int flags;
	int log_fd;
};

static int path_of(const struct kvmu_host *h, const char *name, char *buf,
		   size_t size)
{
	if ((size_t)snprintf(buf, size, "%s/%s", h->dir, name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

static int lock_host(const struct kvmu_host *h, int how)
{
	char path[4096];
	int rc;

	rc = path_of(h, "lock", path, sizeof(path));
	if (rc)
		return rc;
	return kvmu_lockfile_take(path, 0644, how);
}

static int read_all(int fd, char **out)
{
	size_t len = 0, cap = 8192;
	char *buf = malloc(cap + 1);
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	while ((n = read(fd, buf + len, cap - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || len + n > STATE_MAX) {
			free(buf);
			return n < 0 ? -errno : -EFBIG;
		}
		len += n;
		if (len == cap) {
			char *p = realloc(buf, cap * 2 + 1);

			if (!p) {
				free(buf);
				return -ENOMEM;
			}
			buf = p;
			cap *= 2;
		}
	}
	buf[len] = 0;
	*out = buf;
	return 0;
}

/* Load the state; a host without one boots the default machine (1). */
static int load(struct kvmu_host *h, struct ap_state *st)
{
	char path[4096], err[256], *text = NULL;
	int fd, rc;

	rc = path_of(h, "state", path, sizeof(path));
	if (rc)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		rc = ap_config_parse(kvmu_host_default_config(), st, false,
				     NULL, 0);
		ap_state_boot(st);
		return rc ? rc : 1;
	}
	if (fd < 0)
		return -errno;
	rc = read_all(fd, &text);
	close(fd);
	if (rc)
		return rc;
	rc = ap_config_parse(text, st, true, err, sizeof(err));
	free(text);
	if (rc == -EINVAL) {
		fprintf(stderr, "kvmu: %s: %s\n", path, err);
		return -EIO;
	}
	return rc;
}

static int save(struct kvmu_host *h, const struct ap_state *st)
{
	char tmp[4096], path[4096];
	FILE *f;
	int fd, rc;

	if (path_of(h, "state.new", tmp, sizeof(tmp)) ||
	    path_of(h, "state", path, sizeof(path)))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return -ENOMEM;
	}
	rc = ap_state_format(st, f);
	if (!rc && (fflush(f) || fsync(fd)))
		rc = -errno;
	if (fclose(f) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
	if (!rc) {
		/* the rename itself must reach the disk, too */
		fd = open(h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
	}
	return rc;
}

static int txn(struct kvmu_host *h, ap_txn_fn fn, void *arg, bool write)
{
	struct ap_state st = { .host = h };
	int lock, rc;

	lock = lock_host(h, write ? LOCK_EX : LOCK_SH);
	if (lock < 0)
		return lock;
	rc = load(h, &st);
	if (rc >= 0) {
		st.dirty = rc == 1;
		rc = fn(&st, arg);
	}
	if (write && rc >= 0 && st.dirty) {
		int rc2;

		st.gen++;
		rc2 = save(h, &st);
		if (rc2)
			rc = rc2;
	}
	ap_state_free(&st);
	close(lock);
	return rc;
}

int ap_update(struct kvmu_host *h, ap_txn_fn fn, void *arg)
{
	return txn(h, fn, arg, true);
}

int ap_view(struct kvmu_host *h, ap_txn_fn fn, void *arg)
{
	return txn(h, fn, arg, false);
}

void ap_log(struct ap_state *st, const char *fmt, ...)
{
	struct kvmu_host *h = st->host;
	char line[1024], stamp[64];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sizeof(line), "%s.%06ld ", stamp,
		     ts.tv_nsec / 1000);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	strcat(line, "\n");
	/* one write(2) per line keeps O_APPEND lines whole; a failing log
	 * must not fail the operation it describes */
	if (h->log_fd >= 0 && write(h->log_fd, line, strlen(line)) < 0)
		(void)0;
	if (h->flags & KVMU_HOST_LOG_STDERR)
		fputs(line + n, stderr);
}

static int inuse_path(struct kvmu_host *h, const char *uuid, char *buf,
		      size_t size)
{
	char name[64];

	snprintf(name, sizeof(name), "inuse/%s", uuid);
	return path_of(h, name, buf, size);
}

bool ap_mdev_in_use(struct kvmu_host *h, const char *uuid, pid_t *pid)
{
	char path[4096], buf[32] = "";
	bool busy = false;
	int fd;

	if (inuse_path(h, uuid, path, sizeof(path)))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
		busy = errno == EWOULDBLOCK;
		if (busy && pid && pread(fd, buf, sizeof(buf) - 1, 0) > 0)
			*pid = (pid_t)atol(buf);
	}
	close(fd);
	return busy;
}

void ap_mdev_forget(struct kvmu_host *h, const char *uuid)
{
	char path[4096];

	if (!inuse_path(h, uuid, path, sizeof(path)))
		unlink(path);
}

/*
 * Touch the in-use file: the holder's VFIO device watches it and relays
 * the request to user space (vfio_ap_mdev_request).
 */
void ap_mdev_request(struct kvmu_host *h, const char *uuid)
{
	char path[4096];

	if (!inuse_path(h, uuid, path, sizeof(path)))
		utimensat(AT_FDCWD, path, NULL, 0);
}

/* Take the in-use lock for uuid: the fd, or -EBUSY when held elsewhere. */
int ap_mdev_hold(struct kvmu_host *h, const char *uuid)
{
	char path[4096], buf[32];
	int fd, n;

	if (inuse_path(h, uuid, path, sizeof(path)))
		return -ENAMETOOLONG;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int rc = errno == EWOULDBLOCK ? -EBUSY : -errno;

		close(fd);
		return rc;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, buf, n, 0) != n) {
		close(fd);
		return -EIO;
	}
	return fd;
}

struct ap_qctr *ap_qctr_get(struct ap_state *st, unsigned int apid,
			    unsigned int apqi, bool create)
{
	uint16_t apqn = (uint16_t)(apid << 8 | apqi);
	unsigned int i;

	for (i = 0; i < st->n_q; i++)
		if (st->q[i].apqn == apqn)
			return &st->q[i];
	if (!create)
		return NULL;
	if (st->n_q == st->cap_q) {
		unsigned int cap = st->cap_q ? st->cap_q * 2 : 32;
		void *p = realloc(st->q, cap * sizeof(*st->q));

		if (!p)
			return NULL;
		st->q = p;
		st->cap_q = cap;
	}
	st->q[st->n_q] = (struct ap_qctr){ .apqn = apqn };
	return &st->q[st->n_q++];
}

static int mkdir_p(const char *dir)
{
	char tmp[4096];
	size_t i, len = strlen(dir);

	if (len >= sizeof(tmp))
		return -ENAMETOOLONG;
	memcpy(tmp, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (tmp[i] != '/' && tmp[i])
			continue;
		tmp[i] = 0;
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		tmp[i] = dir[i];
	}
	return 0;
}

static int touch(struct ap_state *st, void *arg)
{
	(void)st;
	(void)arg;
	return 0;
}

int kvmu_host_open(const char *dir, int flags, struct kvmu_host **out)
{
	struct kvmu_host *h;
	char path[4096];
	int rc;

	if (!dir)
		dir = getenv("KVMU_HOST_DIR");
	if (!dir || !*dir)
		dir = DEFAULT_DIR;
	h = calloc(1, sizeof(*h));
	if (!h || !(h->dir = strdup(dir))) {
		free(h);
		return -ENOMEM;
	}
	h->flags = flags;
	h->log_fd = -1;
	rc = mkdir_p(dir);
	if (!rc)
		rc = path_of(h, "inuse", path, sizeof(path));
	if (!rc && mkdir(path, 0755) < 0 && errno != EEXIST)
		rc = -errno;
	if (!rc && !path_of(h, "log", path, sizeof(path)))
		h->log_fd = open(path, O_WRONLY | O_APPEND | O_CREAT |
				 O_CLOEXEC, 0644);
	if (!rc)
		rc = ap_update(h, touch, NULL);	/* boot a fresh host */
	if (rc) {
		kvmu_host_close(h);
		return rc;
	}
	*out = h;
	return 0;
}

void kvmu_host_close(struct kvmu_host *host)
{
	if (!host)
		return;
	if (host->log_fd >= 0)
		close(host->log_fd);
	free(host->dir);
	free(host);
}

const char *kvmu_host_dir(const struct kvmu_host *host)
{
	return host->dir;
}
