// SPDX-License-Identifier: MIT
/*
 * The AP queues of the simulated adapters, as the AP instructions see
 * them.  Each usable APQN has a queue of at most AP_QD entries: requests
 * the adapter has not answered yet and replies the program has not
 * dequeued.  Requests arrive by NQAP (whole or in parts), are answered by
 * crypto.c (at once, or when kvmu_ap_process() runs with KVMU_AP_DEFER),
 * and leave by DQAP (whole or in chunks).  RAPQ/ZAPQ drop everything and
 * switch interruptions off.
 *
 * Queue contents live in this process only.  For an mdev, every
 * instruction re-reads the live guest matrix from the host state (hot
 * unplug is seen at once) and the durable reset counter of the APQN:
 * when another path reset the queue (VFIO reset, unassign, unplug,
 * release) since we last looked, our copy is zeroized too.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "host/ap/ap_int.h"
#include "host/ap/ap_queue.h"

#define AP_QD		8	/* entries per queue; TAPQ reports qd = 7 */
#define AP_NOTES	32	/* notifications collected per batch */

/* TAPQ GR2 facility bits, MSB-first in 64 bits (sheet 2.7). */
#define HW_BIT(n)	(1ULL << (63 - (n)))
#define HW_MEX4K	HW_BIT(1)
#define HW_CRT4K	HW_BIT(2)
#define HW_CCA		HW_BIT(3)
#define HW_ACCEL	HW_BIT(4)
#define HW_EP11		HW_BIT(5)
#define HW_APXA		HW_BIT(6)

#define AQIC_IR		(1ULL << 47)	/* GR1 bit 16 */

struct ap_msg {
	uint64_t psmid;
	uint8_t *data;
	size_t len, off;	/* off: bytes already dequeued */
	uint8_t mode;		/* the adapter's mode when enqueued */
};

struct ap_q {
	struct ap_msg req[AP_QD], rep[AP_QD];	/* FIFOs, oldest first */
	unsigned int n_req, n_rep;
	struct ap_msg part;	/* NQAP parts so far (data NULL: none) */
	bool resetting;		/* KVMU_AP_DEFER: reset not done yet */
	bool irq;
	uint8_t isc;
	uint64_t nib;
	uint64_t resets_seen;	/* durable reset counter we last saw */
};

struct kvmu_ap {
	pthread_mutex_t lock;
	struct kvmu_host *host;
	const char *uuid;	/* NULL: a test set over m */
	struct ap_config cfg;	/* snapshot at open */
	struct kvmu_host_matrix m;	/* test set: the usable matrix */
	unsigned int flags;
	uint8_t adapter[AP_BITS];	/* enum kvmu_ap_adapter_state */
	struct ap_q **q[AP_BITS];	/* [apid][apqi], allocated lazily */
	kvmu_ap_notify_fn notify;
	void *opaque;
};

/* What the host state says about one APQN right now. */
struct ap_gate {
	bool usable;
	uint8_t mode;
	uint8_t hwtype;
	uint64_t resets;
	struct kvmu_host_matrix m;
};

struct ap_note {
	unsigned int apqn, isc;
	uint64_t nib;
};

struct ap_notes {
	unsigned int n;
	struct ap_note v[AP_NOTES];
};

/* ---- reading the host state ---- */

struct view_arg {
	struct kvmu_ap *ap;
	unsigned int apid, apqi;
	struct ap_gate *g;
};

static int gate_fn(struct ap_state *st, void *arg)
{
	struct view_arg *va = arg;
	struct ap_mdev *md = vfio_ap_find(st, va->ap->uuid);
	struct ap_qctr *c;

	memset(va->g, 0, sizeof(*va->g));
	if (!md)
		return 0;	/* the mdev is gone: nothing is usable */
	vfio_ap_guest_matrix(st, md, &va->g->m);
	va->g->usable = mask_test(&va->g->m.apm, va->apid) &&
			mask_test(&va->g->m.aqm, va->apqi);
	va->g->hwtype = st->cfg.hwtype[va->apid];
	va->g->mode = st->cfg.mode[va->apid];
	c = ap_qctr_get(st, va->apid, va->apqi, false);
	va->g->resets = c ? c->resets : 0;
	return 0;
}

static int gate(struct kvmu_ap *ap, unsigned int apid, unsigned int apqi,
		struct ap_gate *g)
{
	struct view_arg va = { ap, apid, apqi, g };

	if (ap->uuid)
		return ap_view(ap->host, gate_fn, &va);
	memset(g, 0, sizeof(*g));
	g->m = ap->m;
	g->usable = mask_test(&ap->m.apm, apid) && mask_test(&ap->m.aqm, apqi);
	g->hwtype = ap->cfg.hwtype[apid];
	g->mode = ap->cfg.mode[apid];
	return 0;
}

/* The queues that exist on the machine, restricted to *want. */
static int snapshot_fn(struct ap_state *st, void *arg)
{
	struct kvmu_ap *ap = arg;
	const struct kvmu_host_matrix *want = &ap->m;
	struct kvmu_host_matrix m = { { { 0 } } };
	unsigned int i;

	ap->cfg = st->cfg;
	for_each_bit(i, &want->apm)
		if (ap_card_exists(st, i))
			mask_set(&m.apm, i);
	for_each_bit(i, &want->aqm)
		if (i <= ap_max_domain_id(&st->cfg) &&
		    mask_test(&st->cfg.aqm, i))
			mask_set(&m.aqm, i);
	m.adm = want->adm;
	ap->m = m;
	return 0;
}

/* ---- the queues ---- */

static void msg_free(struct ap_msg *m)
{
	if (m->data) {
		/* requests carry key material: never leave it in the heap */
		explicit_bzero(m->data, m->len);
		free(m->data);
	}
	memset(m, 0, sizeof(*m));
}

/* RAPQ/ZAPQ: drop requests, replies and parts; interruptions off. */
static void q_clear(struct ap_q *q)
{
	for (unsigned int i = 0; i < q->n_req; i++)
		msg_free(&q->req[i]);
	for (unsigned int i = 0; i < q->n_rep; i++)
		msg_free(&q->rep[i]);
	msg_free(&q->part);
	q->n_req = q->n_rep = 0;
	q->irq = false;
	q->isc = 0;
	q->nib = 0;
	q->resetting = false;
}

static unsigned int q_used(const struct ap_q *q)
{
	return q->n_req + q->n_rep + (q->part.data ? 1 : 0);
}

static uint32_t q_status(const struct ap_q *q, unsigned int rc)
{
	uint32_t st = (uint32_t)rc << 16;

	if (!q)
		return st;
	if (!q->n_req && !q->n_rep)
		st |= KVMU_AP_ST_EMPTY;
	if (q->n_rep)
		st |= KVMU_AP_ST_REPLIES;
	if (q_used(q) >= AP_QD)
		st |= KVMU_AP_ST_FULL;
	if (q->irq)
		st |= KVMU_AP_ST_IRQ;
	return st;
}

static struct ap_q *q_get(struct kvmu_ap *ap, unsigned int apid,
			  unsigned int apqi, const struct ap_gate *g)
{
	struct ap_q *q;

	if (!ap->q[apid]) {
		ap->q[apid] = calloc(AP_BITS, sizeof(*ap->q[apid]));
		if (!ap->q[apid])
			return NULL;
	}
	q = ap->q[apid][apqi];
	if (!q) {
		q = calloc(1, sizeof(*q));
		if (!q)
			return NULL;
		q->resets_seen = g->resets;
		ap->q[apid][apqi] = q;
	} else if (q->resets_seen != g->resets) {
		/* reset elsewhere (VFIO reset, unplug): zeroized there too */
		q_clear(q);
		q->resets_seen = g->resets;
	}
	return q;
}

/*
 * The common start of every queue instruction: the APQN must be usable
 * (RC 0x01 otherwise) and its adapter healthy.  Returns the response code
 * (0: *qp is the queue) or -errno; *g gets the gate.
 */
static int q_enter(struct kvmu_ap *ap, uint64_t gr0, struct ap_q **qp,
		   struct ap_gate *g)
{
	unsigned int apqn = KVMU_AP_GR0_APQN(gr0);
	unsigned int apid = apqn >> 8, apqi = apqn & 0xff;
	int rc = gate(ap, apid, apqi, g);

	*qp = NULL;
	if (rc)
		return rc;
	if (!g->usable)
		return KVMU_AP_RC_Q_NOT_AVAIL;
	if (ap->adapter[apid] == KVMU_AP_ADAPTER_DECONFIGURED)
		return KVMU_AP_RC_DECONFIGURED;
	if (ap->adapter[apid] == KVMU_AP_ADAPTER_CHECKSTOPPED)
		return KVMU_AP_RC_CHECKSTOPPED;
	*qp = q_get(ap, apid, apqi, g);
	return *qp ? 0 : -ENOMEM;
}

static int finish(struct kvmu_ap_result *r, const struct ap_q *q, int rc)
{
	if (rc < 0)
		return rc;
	r->status = q_status(rc == KVMU_AP_RC_Q_NOT_AVAIL ||
			     rc == KVMU_AP_RC_DECONFIGURED ||
			     rc == KVMU_AP_RC_CHECKSTOPPED ? NULL : q,
			     (unsigned int)rc);
	r->cc = rc ? 3 : 0;
	return 0;
}

/* The adapter answers the oldest request of q. */
static int q_run_one(struct ap_q *q, unsigned int apqn, struct ap_notes *nt)
{
	uint8_t reply[AP_REPLY_MAX];
	struct ap_msg *rq = &q->req[0], *rp;
	int len = ap_crypto_request(rq->mode, rq->data, rq->len, reply);

	if (len < 0)
		return len;
	rp = &q->rep[q->n_rep];
	rp->data = malloc((size_t)len);
	if (!rp->data)
		return -ENOMEM;
	memcpy(rp->data, reply, (size_t)len);
	explicit_bzero(reply, sizeof(reply));
	rp->len = (size_t)len;
	rp->off = 0;
	rp->psmid = rq->psmid;
	q->n_rep++;
	msg_free(rq);
	memmove(&q->req[0], &q->req[1], --q->n_req * sizeof(q->req[0]));
	memset(&q->req[q->n_req], 0, sizeof(q->req[0]));
	if (q->irq && nt->n < AP_NOTES)
		nt->v[nt->n++] = (struct ap_note){ apqn, q->isc, q->nib };
	return 0;
}

static void notify(struct kvmu_ap *ap, const struct ap_notes *nt)
{
	kvmu_ap_notify_fn fn = ap->notify;
	void *opaque = ap->opaque;

	pthread_mutex_unlock(&ap->lock);
	for (unsigned int i = 0; fn && i < nt->n; i++)
		fn(opaque, nt->v[i].apqn, nt->v[i].isc, nt->v[i].nib);
}

/* ---- opening and closing ---- */

static struct kvmu_ap *ap_alloc(struct kvmu_host *host, const char *uuid)
{
	struct kvmu_ap *ap = calloc(1, sizeof(*ap));

	if (!ap)
		return NULL;
	pthread_mutex_init(&ap->lock, NULL);
	ap->host = host;
	ap->uuid = uuid;
	return ap;
}

int kvmu_ap_open(struct kvmu_host *host, const struct kvmu_host_matrix *m,
		 struct kvmu_ap **out)
{
	struct kvmu_ap *ap;
	int rc;

	if (!host || !out)
		return -EINVAL;
	ap = ap_alloc(host, NULL);
	if (!ap)
		return -ENOMEM;
	if (m)
		ap->m = *m;
	else
		memset(&ap->m, 0xff, sizeof(ap->m));
	rc = ap_view(host, snapshot_fn, ap);
	if (rc) {
		ap_queues_free(ap);
		return rc;
	}
	*out = ap;
	return 0;
}

int ap_queues_new_mdev(struct kvmu_host *host, const char *uuid,
		       struct kvmu_ap **out)
{
	struct kvmu_ap *ap = ap_alloc(host, uuid);
	int rc;

	if (!ap)
		return -ENOMEM;
	/* only the configuration is kept; the matrix is read each time */
	rc = ap_view(host, snapshot_fn, ap);
	memset(&ap->m, 0, sizeof(ap->m));
	if (rc) {
		ap_queues_free(ap);
		return rc;
	}
	*out = ap;
	return 0;
}

void ap_queues_zeroize(struct kvmu_ap *ap)
{
	if (!ap)
		return;
	pthread_mutex_lock(&ap->lock);
	for (unsigned int a = 0; a < AP_BITS; a++)
		for (unsigned int d = 0; ap->q[a] && d < AP_BITS; d++)
			if (ap->q[a][d])
				q_clear(ap->q[a][d]);
	pthread_mutex_unlock(&ap->lock);
}

void ap_queues_free(struct kvmu_ap *ap)
{
	if (!ap)
		return;
	ap_queues_zeroize(ap);
	for (unsigned int a = 0; a < AP_BITS; a++) {
		for (unsigned int d = 0; ap->q[a] && d < AP_BITS; d++)
			free(ap->q[a][d]);
		free(ap->q[a]);
	}
	pthread_mutex_destroy(&ap->lock);
	free(ap);
}

void kvmu_ap_close(struct kvmu_ap *ap)
{
	/* mdev queues belong to their mdev handle */
	if (ap && !ap->uuid)
		ap_queues_free(ap);
}

void kvmu_ap_set_flags(struct kvmu_ap *ap, unsigned int flags)
{
	pthread_mutex_lock(&ap->lock);
	ap->flags = flags;
	pthread_mutex_unlock(&ap->lock);
}

void kvmu_ap_set_notify(struct kvmu_ap *ap, kvmu_ap_notify_fn fn,
			void *opaque)
{
	pthread_mutex_lock(&ap->lock);
	ap->notify = fn;
	ap->opaque = opaque;
	pthread_mutex_unlock(&ap->lock);
}

int kvmu_ap_set_adapter(struct kvmu_ap *ap, unsigned int apid,
			enum kvmu_ap_adapter_state s)
{
	if (apid >= AP_BITS || s > KVMU_AP_ADAPTER_CHECKSTOPPED)
		return -EINVAL;
	pthread_mutex_lock(&ap->lock);
	ap->adapter[apid] = (uint8_t)s;
	/* a deconfigured or checkstopped adapter loses its queues' work */
	for (unsigned int d = 0; s && ap->q[apid] && d < AP_BITS; d++)
		if (ap->q[apid][d])
			q_clear(ap->q[apid][d]);
	pthread_mutex_unlock(&ap->lock);
	return 0;
}

/* Complete deferred resets, then requests, up to max in total. */
static int process_locked(struct kvmu_ap *ap, unsigned int max,
			  struct ap_notes *nt, int *err)
{
	unsigned int a, d, done = 0;

	for (a = 0; a < AP_BITS; a++)
		for (d = 0; ap->q[a] && d < AP_BITS; d++) {
			struct ap_q *q = ap->q[a][d];

			if (q && q->resetting && (!max || done < max)) {
				q->resetting = false;
				done++;
			}
		}
	for (a = 0; a < AP_BITS; a++)
		for (d = 0; ap->q[a] && d < AP_BITS; d++) {
			struct ap_q *q = ap->q[a][d];

			while (q && q->n_req && (!max || done < max) &&
			       nt->n < AP_NOTES) {
				*err = q_run_one(q, KVMU_AP_APQN(a, d), nt);
				if (*err)
					return (int)done;
				done++;
			}
		}
	return (int)done;
}

int kvmu_ap_process(struct kvmu_ap *ap, unsigned int max)
{
	int total = 0, n, err = 0;

	/* notifications are delivered unlocked, one batch at a time */
	do {
		struct ap_notes nt = { 0 };

		pthread_mutex_lock(&ap->lock);
		n = process_locked(ap, max ? max - (unsigned int)total : 0,
				   &nt, &err);
		notify(ap, &nt);	/* unlocks */
		total += n;
	} while (!err && n > 0 && (!max || (unsigned int)total < max));
	return err ? err : total;
}

/* ---- the instructions ---- */

static uint64_t tapq_info(const struct kvmu_ap *ap, const struct ap_gate *g,
			  bool tbit)
{
	uint64_t info = (uint64_t)g->hwtype << 24 | (AP_QD - 1);

	if (!tbit)
		return info;	/* type and depth, as before APFT */
	switch (g->mode) {
	case AP_MODE_ACCEL:
		info |= HW_ACCEL | HW_MEX4K | HW_CRT4K;
		break;
	case AP_MODE_CCA:
		info |= HW_CCA | HW_MEX4K | HW_CRT4K;
		break;
	default:
		info |= HW_EP11;
		break;
	}
	if (ap->cfg.apxa)
		info |= HW_APXA;
	/* nd in bits 40-47; ml (bits 52-55) 0: the 12 KiB default */
	info |= (uint64_t)ap_max_domain_id(&ap->cfg) << 16;
	return info;
}

int kvmu_ap_tapq(struct kvmu_ap *ap, uint64_t gr0, struct kvmu_ap_result *r)
{
	struct ap_gate g;
	struct ap_q *q;
	int rc;

	memset(r, 0, sizeof(*r));
	pthread_mutex_lock(&ap->lock);
	rc = q_enter(ap, gr0, &q, &g);
	/* the adapter's identity is known even when it is not healthy */
	if (rc == 0 || rc == KVMU_AP_RC_DECONFIGURED ||
	    rc == KVMU_AP_RC_CHECKSTOPPED)
		r->gr2 = tapq_info(ap, &g, gr0 & KVMU_AP_GR0_T);
	if (rc == 0 && q->resetting)
		rc = KVMU_AP_RC_RESET_IN_PROGRESS;
	rc = finish(r, q, rc);
	pthread_mutex_unlock(&ap->lock);
	return rc;
}

int kvmu_ap_reset(struct kvmu_ap *ap, uint64_t gr0, struct kvmu_ap_result *r)
{
	unsigned int fc = KVMU_AP_GR0_FC(gr0);
	struct ap_gate g;
	struct ap_q *q;
	int rc;

	memset(r, 0, sizeof(*r));
	if (fc != 1 && fc != 2)
		return -EINVAL;
	pthread_mutex_lock(&ap->lock);
	rc = q_enter(ap, gr0, &q, &g);
	if (rc == 0) {
		/* RAPQ and ZAPQ differ only in key material: none here */
		q_clear(q);
		q->resetting = ap->flags & KVMU_AP_DEFER;
	}
	rc = finish(r, q, rc);
	pthread_mutex_unlock(&ap->lock);
	return rc;
}

static int aqic_locked(struct ap_q *q, uint64_t gr1, uint64_t gr2,
		       int nib_ok)
{
	bool enable = gr1 & AQIC_IR;

	if (q->resetting)
		return KVMU_AP_RC_RESET_IN_PROGRESS;
	if (enable == q->irq)
		return KVMU_AP_RC_OTHERWISE_CHANGED;
	if (enable && (!nib_ok || !gr2))
		return KVMU_AP_RC_INVALID_ADDRESS;
	q->irq = enable;
	q->isc = enable ? (uint8_t)(gr1 & 7) : 0;
	q->nib = enable ? gr2 : 0;
	return 0;
}

int kvmu_ap_aqic(struct kvmu_ap *ap, uint64_t gr0, uint64_t gr1,
		 uint64_t gr2, int nib_ok, struct kvmu_ap_result *r)
{
	struct ap_gate g;
	struct ap_q *q;
	int rc;

	memset(r, 0, sizeof(*r));
	pthread_mutex_lock(&ap->lock);
	rc = q_enter(ap, gr0, &q, &g);
	if (rc == 0)
		rc = aqic_locked(q, gr1, gr2, nib_ok);
	rc = finish(r, q, rc);
	pthread_mutex_unlock(&ap->lock);
	return rc;
}

static void put_mask(uint8_t *p, const struct kvmu_host_mask *m)
{
	for (int w = 0; w < 4; w++)
		for (int b = 0; b < 8; b++)
			p[w * 8 + b] = (uint8_t)(m->w[w] >> (56 - 8 * b));
}

int kvmu_ap_qci(struct kvmu_ap *ap, const struct kvmu_host_matrix *m,
		uint8_t info[KVMU_AP_QCI_LEN], struct kvmu_ap_result *r)
{
	struct ap_gate g;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	memset(info, 0, KVMU_AP_QCI_LEN);
	pthread_mutex_lock(&ap->lock);
	if (!m) {
		rc = gate(ap, 0, 0, &g);
		m = &g.m;
	}
	if (!rc) {
		if (ap->cfg.apxa) {
			info[0] = 0x40;		/* N: APXA */
			info[4] = (uint8_t)ap_max_adapter_id(&ap->cfg);
			info[5] = (uint8_t)ap_max_domain_id(&ap->cfg);
		}
		put_mask(info + 0x10, &m->apm);
		put_mask(info + 0x30, &m->aqm);
		put_mask(info + 0x50, &m->adm);
	}
	pthread_mutex_unlock(&ap->lock);
	return rc;
}

/* Add a chunk to the request being assembled; a response code. */
static int nqap_chunk(struct ap_q *q, uint64_t gr0, uint64_t psmid,
		      const void *msg, size_t len, uint8_t mode)
{
	if (q->resetting)
		return KVMU_AP_RC_RESET_IN_PROGRESS;
	/* the special-command bit asks for a facility we do not model */
	if (gr0 & KVMU_AP_GR0_F)
		return KVMU_AP_RC_REQ_FAC_NOT_INST;
	if (q->part.data && q->part.psmid != psmid)
		return KVMU_AP_RC_NO_FIRST_PART;
	if (!q->part.data) {
		if (q_used(q) >= AP_QD)
			return KVMU_AP_RC_Q_FULL;
		q->part.data = malloc(KVMU_AP_MAX_MSG);
		if (!q->part.data)
			return -ENOMEM;
		q->part.psmid = psmid;
		q->part.mode = mode;
	}
	if (len > KVMU_AP_MAX_MSG - q->part.len) {
		msg_free(&q->part);	/* the whole request is refused */
		return KVMU_AP_RC_MESSAGE_TOO_BIG;
	}
	memcpy(q->part.data + q->part.len, msg, len);
	q->part.len += len;
	return 0;
}

int kvmu_ap_nqap(struct kvmu_ap *ap, uint64_t gr0, uint64_t psmid,
		 const void *msg, size_t len, int more,
		 struct kvmu_ap_result *r)
{
	struct ap_notes nt = { 0 };
	struct ap_gate g;
	struct ap_q *q;
	int rc, err = 0;

	memset(r, 0, sizeof(*r));
	if (!msg && len)
		return -EINVAL;
	pthread_mutex_lock(&ap->lock);
	rc = q_enter(ap, gr0, &q, &g);
	if (rc == 0)
		rc = nqap_chunk(q, gr0, psmid, msg, len, g.mode);
	if (rc == 0) {
		r->done = len;
		if (!more && (gr0 & KVMU_AP_GR0_NQAP_LAST)) {
			q->req[q->n_req++] = q->part;
			memset(&q->part, 0, sizeof(q->part));
			if (!(ap->flags & KVMU_AP_DEFER))
				err = q_run_one(q, KVMU_AP_GR0_APQN(gr0), &nt);
		}
	}
	rc = finish(r, q, err ? err : rc);
	if (rc == 0 && KVMU_AP_ST_RC(r->status) == 0)
		r->cc = more ? 2 : (gr0 & KVMU_AP_GR0_NQAP_LAST) ? 0 : 1;
	notify(ap, &nt);	/* unlocks */
	return rc;
}

int kvmu_ap_dqap(struct kvmu_ap *ap, uint64_t gr0, void *buf, size_t len,
		 struct kvmu_ap_result *r)
{
	struct ap_gate g;
	struct ap_msg *rp;
	struct ap_q *q;
	size_t n;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!buf && len)
		return -EINVAL;
	pthread_mutex_lock(&ap->lock);
	rc = q_enter(ap, gr0, &q, &g);
	if (rc == 0 && q->resetting)
		rc = KVMU_AP_RC_RESET_IN_PROGRESS;
	else if (rc == 0 && !q->n_rep)
		rc = KVMU_AP_RC_NO_PENDING_REPLY;
	if (rc != 0) {
		rc = finish(r, q, rc);
		pthread_mutex_unlock(&ap->lock);
		return rc;
	}
	rp = &q->rep[0];
	n = rp->len - rp->off < len ? rp->len - rp->off : len;
	memcpy(buf, rp->data + rp->off, n);
	rp->off += n;
	r->done = n;
	r->psmid = rp->psmid;
	r->gr0 = gr0;
	r->gr2 = rp->len - rp->off;
	if (!r->gr2) {
		msg_free(rp);
		memmove(&q->rep[0], &q->rep[1], --q->n_rep * sizeof(*rp));
		memset(&q->rep[q->n_rep], 0, sizeof(*rp));
	}
	finish(r, q, 0);
	r->cc = r->gr2 ? 1 : 0;
	pthread_mutex_unlock(&ap->lock);
	return 0;
}
