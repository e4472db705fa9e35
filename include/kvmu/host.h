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

#include <kvmu/export.h>

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
KVMU_API
int kvmu_host_open(const char *dir, int flags, struct kvmu_host **out);

/* Close a host handle (NULL is allowed).  Open mdev handles stay valid. */
KVMU_API
void kvmu_host_close(struct kvmu_host *host);

/* The directory this handle uses (owned by the handle). */
KVMU_API
const char *kvmu_host_dir(const struct kvmu_host *host);

/* The text of the bundled default configuration (static storage). */
KVMU_API
const char *kvmu_host_default_config(void);

/*
 * Replace the machine configuration and reset the host to its boot state
 * (masks from the config, no mdevs) from config text.  -EINVAL with a
 * message in err (if non-NULL, errlen bytes) on a syntax error; -EBUSY if
 * an mdev is open by a guest.
 */
KVMU_API
int kvmu_host_init(struct kvmu_host *host, const char *config,
		   char *err, size_t errlen);

/*
 * Read the sysfs-style file at path (relative to the tree root, e.g.
 * "bus/ap/apmask") into buf.  Returns the length (the full content is
 * at most 64 KiB) or -ENOENT, -EISDIR, -EACCES (write-only), -ERANGE
 * (buf too small).
 */
KVMU_API
ssize_t kvmu_host_read(struct kvmu_host *host, const char *path,
		       char *buf, size_t size);

/*
 * Write len bytes to the sysfs-style file at path, as `echo` would.
 * Returns len or the kernel's -errno (-EINVAL, -EBUSY, -EADDRINUSE ...);
 * a failed write changes nothing.
 */
KVMU_API
ssize_t kvmu_host_write(struct kvmu_host *host, const char *path,
			const char *buf, size_t len);

/* Convenience: kvmu_host_write() of a NUL-terminated string; 0 or -errno. */
KVMU_API
int kvmu_host_write_str(struct kvmu_host *host, const char *path,
			const char *str);

/* Number of mdevs, and the lowercase UUID of the i-th (creation order). */
KVMU_API
int kvmu_host_mdev_count(struct kvmu_host *host);
KVMU_API
int kvmu_host_mdev_uuid(struct kvmu_host *host, int i, char uuid[37]);

/*
 * The iommu_group of mdev uuid (the N of /dev/vfio/N and of the mdev's
 * iommu_group link): stable for the mdev's life, never reused.  -ENODEV.
 */
KVMU_API
int kvmu_host_mdev_iommu_group(struct kvmu_host *host, const char *uuid);

/* The mdev whose iommu_group is group: its UUID into uuid; -ENOENT. */
KVMU_API
int kvmu_host_iommu_group_mdev(struct kvmu_host *host, int group,
			       char uuid[37]);

/* The assigned matrix of mdev uuid (what `matrix` shows); -ENODEV. */
KVMU_API
int kvmu_host_mdev_matrix(struct kvmu_host *host, const char *uuid,
			  struct kvmu_host_matrix *out);

/*
 * Check the exclusivity invariant over the whole state: no APQN in two
 * mdevs, no mdev APQN reserved for the host.  0 or -EUCLEAN, with the
 * first violation described in why (if non-NULL).
 */
KVMU_API
int kvmu_host_check(struct kvmu_host *host, char *why, size_t whylen);

/* ---- the guest side (used by a VMM that passes an mdev through) ---- */

/*
 * Open mdev uuid for a guest: marks it in use until release or until this
 * process dies.  -ENODEV (no such mdev), -EBUSY (already open elsewhere).
 */
KVMU_API
int kvmu_host_mdev_open(struct kvmu_host *host, const char *uuid,
			struct kvmu_host_mdev **out);

/*
 * The matrix the guest sees now (assignment filtered by the host
 * configuration and vfio_ap bindings; changes are hot plug/unplug).
 * gen (if non-NULL) gets the host state generation, which grows on every
 * change.  -ENODEV if the mdev vanished.
 */
KVMU_API
int kvmu_host_mdev_guest_matrix(struct kvmu_host_mdev *mdev,
				struct kvmu_host_matrix *out, uint64_t *gen);

/* Reset and zeroize every queue linked to the mdev (ZAPQ).  0 or -errno. */
KVMU_API
int kvmu_host_mdev_reset(struct kvmu_host_mdev *mdev);

/* Release the mdev (resets its queues) and free the handle; NULL is ok. */

/*
 * The AP queues of the mdev's guest (see "AP queues" below), created with
 * the handle, zeroized by kvmu_host_mdev_reset() and freed on release.
 */
KVMU_API
struct kvmu_ap *kvmu_host_mdev_ap(struct kvmu_host_mdev *mdev);
KVMU_API
void kvmu_host_mdev_release(struct kvmu_host_mdev *mdev);

/* ==== AP queues and adapter cryptography ====
 *
 * The queues of the simulated adapters as the AP instructions see them:
 * PQAP (TAPQ, RAPQ, ZAPQ, AQIC, QCI), NQAP and DQAP.  A struct kvmu_ap is
 * a set of queues in this process (requests and replies never go to the
 * shared host state).  It comes from an mdev (kvmu_host_mdev_ap(): only the
 * mdev's live guest matrix is usable, anything else answers RC 0x01) or,
 * for tests and tools, from kvmu_ap_open() over a fixed matrix.
 *
 * The CPU decodes the instruction, checks privilege, facilities and the
 * CRYCB, then moves bytes: registers in, a struct kvmu_ap_result out
 * (status word for GR1 bits 32-63, condition code, GR2, PSMID, bytes
 * done).  Accelerators answer type-50 RSA requests (ME and CRT) with
 * type-80 replies computed with OpenSSL; everything else gets the type-82
 * error reply documented in docs/s390-crypto-passthrough.md.
 *
 * Functions return 0 when the instruction completed (whatever its
 * response code) and -errno only for misuse (-EINVAL) or -ENOMEM.
 */
struct kvmu_ap;

/* The AP queue status word (GR1 bits 32-63), bit 0 = 0x80000000. */
#define KVMU_AP_ST_EMPTY	0x80000000u	/* E: no request, no reply */
#define KVMU_AP_ST_REPLIES	0x40000000u	/* R: replies waiting */
#define KVMU_AP_ST_FULL		0x20000000u	/* F: queue full */
#define KVMU_AP_ST_IRQ		0x01000000u	/* I: interruptions enabled */
#define KVMU_AP_ST_RC(st)	(((st) >> 16) & 0xff)	/* response code */

/* Response codes (the reference sheet, section 3.2). */
#define KVMU_AP_RC_NORMAL		0x00
#define KVMU_AP_RC_Q_NOT_AVAIL		0x01
#define KVMU_AP_RC_RESET_IN_PROGRESS	0x02
#define KVMU_AP_RC_DECONFIGURED		0x03
#define KVMU_AP_RC_CHECKSTOPPED		0x04
#define KVMU_AP_RC_BUSY			0x05
#define KVMU_AP_RC_INVALID_ADDRESS	0x06
#define KVMU_AP_RC_OTHERWISE_CHANGED	0x07
#define KVMU_AP_RC_Q_FULL		0x10	/* NQAP */
#define KVMU_AP_RC_NO_PENDING_REPLY	0x10	/* DQAP */
#define KVMU_AP_RC_NO_FIRST_PART	0x13
#define KVMU_AP_RC_MESSAGE_TOO_BIG	0x15
#define KVMU_AP_RC_REQ_FAC_NOT_INST	0x16

/* GR0 fields (64-bit register values, as the instructions define them). */
#define KVMU_AP_GR0_FC(gr0)	(((gr0) >> 24) & 0xff)	/* PQAP function */
#define KVMU_AP_GR0_T		0x00800000u	/* TAPQ: facility info */
#define KVMU_AP_GR0_F		0x00400000u	/* RAPQ/ZAPQ full; NQAP special */
#define KVMU_AP_GR0_NQAP_LAST	0x40000000u	/* NQAP: last part */
#define KVMU_AP_GR0_DQAP	0x80000000u	/* DQAP: what Linux sets */
#define KVMU_AP_GR0_APQN(gr0)	((unsigned int)(gr0) & 0xffff)
#define KVMU_AP_APQN(apid, apqi) ((unsigned int)(apid) << 8 | (apqi))

#define KVMU_AP_QCI_LEN		128	/* struct ap_config_info */
#define KVMU_AP_MAX_MSG		12288	/* NQAP limit (RC 0x15 beyond) */

/* What an instruction leaves for the CPU to store. */
struct kvmu_ap_result {
	uint32_t status;	/* GR1 bits 32-63 */
	int cc;			/* condition code */
	uint64_t gr0;		/* DQAP: GR0 to keep for a partial reply */
	uint64_t gr2;		/* TAPQ: adapter info; DQAP: residual length */
	uint64_t psmid;		/* DQAP: R1 pair (even = high 32 bits) */
	size_t done;		/* NQAP: bytes consumed; DQAP: bytes stored */
};

/* Open test queues over host's adapters restricted to m (NULL: all). */
KVMU_API
int kvmu_ap_open(struct kvmu_host *host, const struct kvmu_host_matrix *m,
		 struct kvmu_ap **out);

/* Free queues from kvmu_ap_open() (NULL is ok; not for mdev queues). */
KVMU_API
void kvmu_ap_close(struct kvmu_ap *ap);

/* Flags for kvmu_ap_set_flags(). */
#define KVMU_AP_DEFER	0x1	/* requests and resets wait for _process() */

/* Set flags: 0 = the adapters answer at once (the default). */
KVMU_API
void kvmu_ap_set_flags(struct kvmu_ap *ap, unsigned int flags);

/*
 * Complete up to max (0: all) deferred requests and resets, oldest first.
 * Returns the number completed.
 */
KVMU_API
int kvmu_ap_process(struct kvmu_ap *ap, unsigned int max);

/*
 * Called (outside any lock) when a reply arrives on a queue whose
 * interruptions are enabled: the CPU sets the byte at nib and makes an
 * adapter interruption of isc pending.
 */
typedef void (*kvmu_ap_notify_fn)(void *opaque, unsigned int apqn,
				  unsigned int isc, uint64_t nib);
KVMU_API
void kvmu_ap_set_notify(struct kvmu_ap *ap, kvmu_ap_notify_fn fn,
			void *opaque);

/* Adapter states for kvmu_ap_set_adapter() (an SCLP or machine event). */
enum kvmu_ap_adapter_state {
	KVMU_AP_ADAPTER_ONLINE,
	KVMU_AP_ADAPTER_DECONFIGURED,	/* RC 0x03 */
	KVMU_AP_ADAPTER_CHECKSTOPPED,	/* RC 0x04; pending work is lost */
};
/* Put adapter apid in state s (this process only).  0 or -EINVAL. */
KVMU_API
int kvmu_ap_set_adapter(struct kvmu_ap *ap, unsigned int apid,
			enum kvmu_ap_adapter_state s);

/* PQAP(TAPQ): GR0 (with the T bit: adapter info in r->gr2). */
KVMU_API
int kvmu_ap_tapq(struct kvmu_ap *ap, uint64_t gr0, struct kvmu_ap_result *r);

/* PQAP(RAPQ) or PQAP(ZAPQ) by GR0's function code: drop all work. */
KVMU_API
int kvmu_ap_reset(struct kvmu_ap *ap, uint64_t gr0, struct kvmu_ap_result *r);

/*
 * PQAP(AQIC): GR1 IR bit (bit 16) enables with ISC gr1 & 7 and the
 * notification byte at gr2; nib_ok says gr2 is usable guest storage.
 */
KVMU_API
int kvmu_ap_aqic(struct kvmu_ap *ap, uint64_t gr0, uint64_t gr1,
		 uint64_t gr2, int nib_ok, struct kvmu_ap_result *r);

/*
 * PQAP(QCI): the 128-byte info block for masks m (the guest's CRYCB;
 * NULL: this queue set's own matrix).  CC 0; the CPU stores info at GR2.
 */
KVMU_API
int kvmu_ap_qci(struct kvmu_ap *ap, const struct kvmu_host_matrix *m,
		uint8_t info[KVMU_AP_QCI_LEN], struct kvmu_ap_result *r);

/*
 * NQAP: len bytes of the message at msg.  more: the operand goes on past
 * this chunk (CC 2, call again with the rest).  With the GR0 last-part bit
 * the request is queued once the operand ends; without it the part is
 * kept (CC 1) for the next NQAP of the same PSMID.
 */
KVMU_API
int kvmu_ap_nqap(struct kvmu_ap *ap, uint64_t gr0, uint64_t psmid,
		 const void *msg, size_t len, int more,
		 struct kvmu_ap_result *r);

/*
 * DQAP: store up to len bytes of the oldest reply at buf.  CC 0: the
 * reply is complete (r->psmid, removed); CC 1: r->gr2 bytes remain for
 * the next DQAP; CC 3 with RC 0x10: no reply yet (E tells whether any
 * request is still pending).
 */
KVMU_API
int kvmu_ap_dqap(struct kvmu_ap *ap, uint64_t gr0, void *buf, size_t len,
		 struct kvmu_ap_result *r);

/* ---- the file system ---- */

/*
 * Serve the tree at mountpoint with FUSE until unmounted or signalled.
 * foreground: do not daemonize.  Returns 0 or -errno (mount failure).
 */
KVMU_API
int kvmu_host_fuse_main(struct kvmu_host *host, const char *mountpoint,
			int foreground, int debug);

#ifdef __cplusplus
}
#endif

#endif
