/* SPDX-License-Identifier: MIT */
/*
 * kvmu host model: the simulated s390 machine outside any one VM.
 *
 * It holds the AP (crypto adapter) configuration, the AP bus masks that
 * reserve queues for the host's default drivers, and the vfio_ap "matrix"
 * mediated devices (mdevs) that hand adapters and domains to guests.  The
 * state is one file under a host directory (default /var/lib/kvmu, or
 * $KVMU_HOST_DIR), shared by every process on the machine, updated under
 * a lock by write-new + fsync + rename, so it is never torn.
 *
 * Every function returns 0 (or a length) on success and -errno on error;
 * the errno of a sysfs-style write is exactly the kernel's.
 */
#ifndef KVMU_HOST_H
#define KVMU_HOST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A 256-bit AP mask, bit 0 = the most significant bit of w[0] (as s390). */
struct kvmu_host_mask {
	uint64_t w[4];
};

/* Adapters (APM), usage domains (AQM) and control domains (ADM). */
struct kvmu_host_matrix {
	struct kvmu_host_mask apm;
	struct kvmu_host_mask aqm;
	struct kvmu_host_mask adm;
};

struct kvmu_host;		/* an open host directory */
struct kvmu_host_mdev;		/* an mdev opened for a guest */

/* Flags for kvmu_host_open(). */
#define KVMU_HOST_LOG_STDERR	0x1	/* also echo kernel log lines to stderr */

/*
 * Open the host at dir (NULL: $KVMU_HOST_DIR, else /var/lib/kvmu), creating
 * the directory and, when absent, the state from the bundled default
 * machine.  -ENOMEM, or the errno of mkdir/open.
 */
int kvmu_host_open(const char *dir, int flags, struct kvmu_host **out);

/* Close a host handle (NULL is allowed).  Open mdev handles stay valid. */
void kvmu_host_close(struct kvmu_host *host);

/* The directory this handle uses (owned by the handle). */
const char *kvmu_host_dir(const struct kvmu_host *host);

/* The text of the bundled default configuration (static storage). */
const char *kvmu_host_default_config(void);

/*
 * Replace the machine configuration and reset the host to its boot state
 * (masks from the config, no mdevs) from config text.  -EINVAL with a
 * message in err (if non-NULL, errlen bytes) on a syntax error; -EBUSY if
 * an mdev is open by a guest.
 */
int kvmu_host_init(struct kvmu_host *host, const char *config,
		   char *err, size_t errlen);

/*
 * Read the sysfs-style file at path (relative to the tree root, e.g.
 * "bus/ap/apmask") into buf.  Returns the length (the full content is
 * at most 64 KiB) or -ENOENT, -EISDIR, -EACCES (write-only), -ERANGE
 * (buf too small).
 */
ssize_t kvmu_host_read(struct kvmu_host *host, const char *path,
		       char *buf, size_t size);

/*
 * Write len bytes to the sysfs-style file at path, as `echo` would.
 * Returns len or the kernel's -errno (-EINVAL, -EBUSY, -EADDRINUSE ...);
 * a failed write changes nothing.
 */
ssize_t kvmu_host_write(struct kvmu_host *host, const char *path,
			const char *buf, size_t len);

/* Convenience: kvmu_host_write() of a NUL-terminated string; 0 or -errno. */
int kvmu_host_write_str(struct kvmu_host *host, const char *path,
			const char *str);

/* Number of mdevs, and the lowercase UUID of the i-th (creation order). */
int kvmu_host_mdev_count(struct kvmu_host *host);
int kvmu_host_mdev_uuid(struct kvmu_host *host, int i, char uuid[37]);

/* The assigned matrix of mdev uuid (what `matrix` shows); -ENODEV. */
int kvmu_host_mdev_matrix(struct kvmu_host *host, const char *uuid,
			  struct kvmu_host_matrix *out);

/*
 * Check the exclusivity invariant over the whole state: no APQN in two
 * mdevs, no mdev APQN reserved for the host.  0 or -EUCLEAN, with the
 * first violation described in why (if non-NULL).
 */
int kvmu_host_check(struct kvmu_host *host, char *why, size_t whylen);

/* ---- the guest side (used by a VMM that passes an mdev through) ---- */

/*
 * Open mdev uuid for a guest: marks it in use until release or until this
 * process dies.  -ENODEV (no such mdev), -EBUSY (already open elsewhere).
 */
int kvmu_host_mdev_open(struct kvmu_host *host, const char *uuid,
			struct kvmu_host_mdev **out);

/*
 * The matrix the guest sees now (assignment filtered by the host
 * configuration and vfio_ap bindings; changes are hot plug/unplug).
 * gen (if non-NULL) gets the host state generation, which grows on every
 * change.  -ENODEV if the mdev vanished.
 */
int kvmu_host_mdev_guest_matrix(struct kvmu_host_mdev *mdev,
				struct kvmu_host_matrix *out, uint64_t *gen);

/* Reset and zeroize every queue linked to the mdev (ZAPQ).  0 or -errno. */
int kvmu_host_mdev_reset(struct kvmu_host_mdev *mdev);

/* Release the mdev (resets its queues) and free the handle; NULL is ok. */
void kvmu_host_mdev_release(struct kvmu_host_mdev *mdev);

/* ---- the file system ---- */

/*
 * Serve the tree at mountpoint with FUSE until unmounted or signalled.
 * foreground: do not daemonize.  Returns 0 or -errno (mount failure).
 */
int kvmu_host_fuse_main(struct kvmu_host *host, const char *mountpoint,
			int foreground, int debug);

#ifdef __cplusplus
}
#endif

#endif
