// SPDX-License-Identifier: MIT
/*
 * The host API beyond files: listing mdevs, the invariant check, (re)init
 * from a configuration, and the guest side (open an mdev for a guest, read
 * its guest matrix, reset its queues, release it).
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "host/ap/ap_int.h"
#include "host/ap/ap_queue.h"

struct kvmu_host_mdev {
	struct kvmu_host *host;		/* our own handle: outlives the caller's */
	char uuid[AP_UUID_LEN + 1];
	int fd;				/* holds the in-use flock */
	struct kvmu_ap *ap;		/* the guest's queues (this process) */
};

struct q {
	const char *uuid;
	int index;
	char *out;
	struct kvmu_host_matrix *m;
	uint64_t *gen;
	int fd;
	const char *text;
	char *err;
	size_t errlen;
};

static int count_fn(struct ap_state *st, void *arg)
{
	(void)arg;
	return (int)st->n_mdev;
}

int kvmu_host_mdev_count(struct kvmu_host *host)
{
	return ap_view(host, count_fn, NULL);
}

static int uuid_fn(struct ap_state *st, void *arg)
{
	struct q *q = arg;

	if (q->index < 0 || (unsigned int)q->index >= st->n_mdev)
		return -ENOENT;
	memcpy(q->out, st->mdev[q->index].uuid, AP_UUID_LEN + 1);
	return 0;
}

int kvmu_host_mdev_uuid(struct kvmu_host *host, int i, char uuid[37])
{
	struct q q = { .index = i, .out = uuid };

	return ap_view(host, uuid_fn, &q);
}

static int matrix_fn(struct ap_state *st, void *arg)
{
	struct q *q = arg;
	struct ap_mdev *md = vfio_ap_find(st, q->uuid);

	if (!md)
		return -ENODEV;
	*q->m = md->m;
	return 0;
}

int kvmu_host_mdev_matrix(struct kvmu_host *host, const char *uuid,
			  struct kvmu_host_matrix *out)
{
	struct q q = { .uuid = uuid, .m = out };

	return ap_view(host, matrix_fn, &q);
}

static int group_fn(struct ap_state *st, void *arg)
{
	struct q *q = arg;
	struct ap_mdev *md = vfio_ap_find(st, q->uuid);

	if (!md)
		return -ENODEV;
	return ap_mdev_iommu_group(md);
}

int kvmu_host_mdev_iommu_group(struct kvmu_host *host, const char *uuid)
{
	struct q q = { .uuid = uuid };

	return ap_view(host, group_fn, &q);
}

static int group_mdev_fn(struct ap_state *st, void *arg)
{
	struct q *q = arg;
	unsigned int i;

	for (i = 0; i < st->n_mdev; i++)
		if (ap_mdev_iommu_group(&st->mdev[i]) == q->index) {
			memcpy(q->out, st->mdev[i].uuid, AP_UUID_LEN + 1);
			return 0;
		}
	return -ENOENT;
}

int kvmu_host_iommu_group_mdev(struct kvmu_host *host, int group,
			       char uuid[37])
{
	struct q q = { .index = group, .out = uuid };

	if (group < 0)
		return -ENOENT;
	return ap_view(host, group_mdev_fn, &q);
}

static int check_fn(struct ap_state *st, void *arg)
{
	struct q *q = arg;
	unsigned int i, j;
	ap_mask a, d;

	for (i = 0; i < st->n_mdev; i++) {
		const struct ap_mdev *m = &st->mdev[i];

		if (mask_and(&a, &m->m.apm, &st->apmask) &&
		    mask_and(&d, &m->m.aqm, &st->aqmask)) {
			snprintf(q->err, q->errlen, "mdev %s holds a queue "
				 "reserved for the host", m->uuid);
			return -EUCLEAN;
		}
		for (j = i + 1; j < st->n_mdev; j++)
			if (mask_and(&a, &m->m.apm, &st->mdev[j].m.apm) &&
			    mask_and(&d, &m->m.aqm, &st->mdev[j].m.aqm)) {
				snprintf(q->err, q->errlen, "mdevs %s and %s "
					 "share a queue", m->uuid,
					 st->mdev[j].uuid);
				return -EUCLEAN;
			}
	}
	return 0;
}

int kvmu_host_check(struct kvmu_host *host, char *why, size_t whylen)
{
	char dummy[1];
	struct q q = { .err = why ? why : dummy, .errlen = why ? whylen : 1 };

	return ap_view(host, check_fn, &q);
}

static int init_fn(struct ap_state *st, void *arg)
{
	struct q *q = arg;
	struct ap_state fresh = { .host = st->host };
	unsigned int i;
	int rc;

	rc = ap_config_parse(q->text, &fresh, false, q->err, q->errlen);
	ap_state_free(&fresh);
	if (rc)
		return rc;
	for (i = 0; i < st->n_mdev; i++)
		if (ap_mdev_in_use(st->host, st->mdev[i].uuid, NULL)) {
			snprintf(q->err, q->errlen, "mdev %s is in use",
				 st->mdev[i].uuid);
			return -EBUSY;
		}
	for (i = 0; i < st->n_mdev; i++)
		ap_mdev_forget(st->host, st->mdev[i].uuid);
	st->cfg = fresh.cfg;
	ap_state_boot(st);
	st->scans = 0;
	return 0;
}

int kvmu_host_init(struct kvmu_host *host, const char *config, char *err,
		   size_t errlen)
{
	char dummy[1];
	struct q q = { .text = config, .err = err ? err : dummy,
		       .errlen = err ? errlen : 1 };

	return ap_update(host, init_fn, &q);
}

/* ---- the guest side ---- */

static int open_fn(struct ap_state *st, void *arg)
{
	struct q *q = arg;

	if (!vfio_ap_find(st, q->uuid))
		return -ENODEV;
	q->fd = ap_mdev_hold(st->host, q->uuid);
	return q->fd < 0 ? q->fd : 0;
}

int kvmu_host_mdev_open(struct kvmu_host *host, const char *uuid,
			struct kvmu_host_mdev **out)
{
	struct kvmu_host_mdev *m;
	struct q q = { .uuid = uuid, .fd = -1 };
	int rc;

	if (strlen(uuid) != AP_UUID_LEN || !ap_uuid_valid(uuid))
		return -ENODEV;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (int i = 0; i <= AP_UUID_LEN; i++)
		m->uuid[i] = (char)(uuid[i] >= 'A' && uuid[i] <= 'F' ?
				    uuid[i] + 32 : uuid[i]);
	q.uuid = m->uuid;
	rc = kvmu_host_open(kvmu_host_dir(host), 0, &m->host);
	if (!rc)
		rc = ap_queues_new_mdev(m->host, m->uuid, &m->ap);
	if (!rc)
		rc = ap_update(m->host, open_fn, &q);
	if (rc) {
		ap_queues_free(m->ap);
		kvmu_host_close(m->host);
		free(m);
		return rc;
	}
	m->fd = q.fd;
	*out = m;
	return 0;
}

static int guest_fn(struct ap_state *st, void *arg)
{
	struct q *q = arg;
	struct ap_mdev *md = vfio_ap_find(st, q->uuid);

	if (!md)
		return -ENODEV;
	vfio_ap_guest_matrix(st, md, q->m);
	if (q->gen)
		*q->gen = st->gen;
	return 0;
}

int kvmu_host_mdev_guest_matrix(struct kvmu_host_mdev *mdev,
				struct kvmu_host_matrix *out, uint64_t *gen)
{
	struct q q = { .uuid = mdev->uuid, .m = out, .gen = gen };

	return ap_view(mdev->host, guest_fn, &q);
}

/* VFIO_DEVICE_RESET: ZAPQ every queue linked to the mdev. */
static int reset_fn(struct ap_state *st, void *arg)
{
	struct q *q = arg;
	struct ap_mdev *md = vfio_ap_find(st, q->uuid);

	if (!md)
		return -ENODEV;
	vfio_ap_reset_queues(st, md);
	if (q->fd >= 0) {
		/* close_device: drop the in-use lock inside the host lock */
		close(q->fd);
		q->fd = -1;
	}
	return 0;
}

int kvmu_host_mdev_reset(struct kvmu_host_mdev *mdev)
{
	struct q q = { .uuid = mdev->uuid, .fd = -1 };

	/* the requests and replies live here, not in the host state */
	ap_queues_zeroize(mdev->ap);
	return ap_update(mdev->host, reset_fn, &q);
}

struct kvmu_ap *kvmu_host_mdev_ap(struct kvmu_host_mdev *mdev)
{
	return mdev->ap;
}

void kvmu_host_mdev_release(struct kvmu_host_mdev *mdev)
{
	struct q q;

	if (!mdev)
		return;
	q = (struct q){ .uuid = mdev->uuid, .fd = mdev->fd };
	ap_update(mdev->host, reset_fn, &q);
	if (q.fd >= 0)
		close(q.fd);
	ap_queues_free(mdev->ap);	/* zeroizes */
	kvmu_host_close(mdev->host);
	free(mdev);
}
