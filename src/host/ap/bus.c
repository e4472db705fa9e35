// SPDX-License-Identifier: MIT
/*
 * The AP bus: which card and queue devices exist, which driver each queue
 * binds to, and the /sys/bus/ap attributes.  Bindings are a function of
 * the configuration and the masks, so they are "recomputed on every mask
 * change" simply by never being stored.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

#include "host/ap/ap_int.h"

void ap_printf(struct ap_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len >= b->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len = b->len + n < b->size ? b->len + n : b->size;
}

/* ap_max_adapter_id / ap_max_domain_id: QCI's value with APXA, else 63/15. */
unsigned int ap_max_adapter_id(const struct ap_config *c)
{
	return c->apxa && c->na ? c->na : 63;
}

unsigned int ap_max_domain_id(const struct ap_config *c)
{
	return c->apxa && c->nd ? c->nd : 15;
}

/*
 * A card device exists for a configured adapter of type CEX4 or newer
 * within the id range that has at least one configured usage domain; the
 * kernel creates nothing for older types.
 */
bool ap_card_exists(const struct ap_state *st, unsigned int apid)
{
	const struct ap_config *c = &st->cfg;
	unsigned int d;

	if (apid > ap_max_adapter_id(c) || !mask_test(&c->apm, apid) ||
	    c->hwtype[apid] < AP_TYPE_CEX4)
		return false;
	for (d = 0; d <= ap_max_domain_id(c); d++)
		if (mask_test(&c->aqm, d))
			return true;
	return false;
}

bool ap_queue_exists(const struct ap_state *st, unsigned int apid,
		     unsigned int apqi)
{
	return ap_card_exists(st, apid) && apqi <= ap_max_domain_id(&st->cfg) &&
	       mask_test(&st->cfg.aqm, apqi);
}

/* Reserved for the host's default drivers: apmask AND aqmask bit set. */
bool ap_queue_reserved(const struct ap_state *st, unsigned int apid,
		       unsigned int apqi)
{
	return mask_test(&st->apmask, apid) && mask_test(&st->aqmask, apqi);
}

const char *ap_queue_driver(const struct ap_state *st, unsigned int apid,
			    unsigned int apqi)
{
	if (!ap_queue_exists(st, apid, apqi))
		return NULL;
	/* vfio_ap takes types 10..14 only, which is all a card can be here */
	return ap_queue_reserved(st, apid, apqi) ? "cex4queue" : "vfio_ap";
}

void ap_queue_reset(struct ap_state *st, unsigned int apid, unsigned int apqi)
{
	struct ap_qctr *q = ap_qctr_get(st, apid, apqi, true);

	if (q) {
		q->resets++;
		st->dirty = true;
	}
}

/* apmask_store(): only bits newly handed to the host are checked. */
int ap_store_apmask(struct ap_state *st, const char *buf)
{
	ap_mask newm, reserved;
	int rc;

	rc = ap_parse_mask(buf, &st->apmask, &newm);
	if (rc || mask_eq(&newm, &st->apmask))
		return rc;
	if (mask_andnot(&reserved, &newm, &st->apmask) &&
	    vfio_ap_resource_in_use(st, &reserved, &st->aqmask))
		return -EBUSY;
	st->apmask = newm;
	st->dirty = true;
	return 0;
}

int ap_store_aqmask(struct ap_state *st, const char *buf)
{
	ap_mask newm, reserved;
	int rc;

	rc = ap_parse_mask(buf, &st->aqmask, &newm);
	if (rc || mask_eq(&newm, &st->aqmask))
		return rc;
	if (mask_andnot(&reserved, &newm, &st->aqmask) &&
	    vfio_ap_resource_in_use(st, &st->apmask, &reserved))
		return -EBUSY;
	st->aqmask = newm;
	st->dirty = true;
	return 0;
}

/* ---- /sys/bus/ap attributes ---- */

#define N __attribute__((unused)) const struct ap_node *n

static void show_mask(const ap_mask *m, struct ap_buf *b)
{
	char s[67];

	ap_mask_fmt(m, s);
	ap_printf(b, "%s\n", s);
}

static int ap_domain_show(struct ap_state *st, N, struct ap_buf *b)
{
	ap_printf(b, "%d\n", st->ap_domain);
	return 0;
}

static int ap_domain_store(struct ap_state *st, N, const char *buf,
			   size_t len)
{
	int dom;

	(void)len;
	if (sscanf(buf, "%i", &dom) != 1 || dom < 0 ||
	    dom > (int)ap_max_domain_id(&st->cfg) ||
	    !mask_test(&st->aqmask, dom))
		return -EINVAL;
	st->ap_domain = dom;
	st->dirty = true;
	return 0;
}

static int cdm_show(struct ap_state *st, N, struct ap_buf *b)
{
	show_mask(&st->cfg.adm, b);
	return 0;
}

static int udm_show(struct ap_state *st, N, struct ap_buf *b)
{
	show_mask(&st->cfg.aqm, b);
	return 0;
}

static int am_show(struct ap_state *st, N, struct ap_buf *b)
{
	show_mask(&st->cfg.apm, b);
	return 0;
}

static int config_time_show(struct ap_state *st, N, struct ap_buf *b)
{
	ap_printf(b, "%d\n", st->config_time);
	return 0;
}

static int config_time_store(struct ap_state *st, N, const char *buf,
			     size_t len)
{
	int t;

	(void)len;
	if (sscanf(buf, "%d", &t) != 1 || t < 5 || t > 120)
		return -EINVAL;
	st->config_time = t;
	st->dirty = true;
	return 0;
}

static int zero_show(struct ap_state *st, N, struct ap_buf *b)
{
	(void)st;
	ap_printf(b, "0\n");
	return 0;
}

static int one_show(struct ap_state *st, N, struct ap_buf *b)
{
	(void)st;
	ap_printf(b, "1\n");
	return 0;
}

/* The model has no poll thread; a valid write is accepted and ignored. */
static int poll_thread_store(struct ap_state *st, N, const char *buf,
			     size_t len)
{
	int flag;

	(void)st;
	(void)len;
	return sscanf(buf, "%d", &flag) == 1 ? 0 : -EINVAL;
}

static int poll_timeout_show(struct ap_state *st, N, struct ap_buf *b)
{
	(void)st;
	ap_printf(b, "250000\n");
	return 0;
}

static int poll_timeout_store(struct ap_state *st, N, const char *buf,
			      size_t len)
{
	unsigned long long t;

	(void)st;
	(void)len;
	if (sscanf(buf, "%llu", &t) != 1 || t < 1 || t > 120000000000ULL)
		return -EINVAL;
	return 0;
}

static int max_domain_show(struct ap_state *st, N, struct ap_buf *b)
{
	ap_printf(b, "%u\n", ap_max_domain_id(&st->cfg));
	return 0;
}

static int max_adapter_show(struct ap_state *st, N, struct ap_buf *b)
{
	ap_printf(b, "%u\n", ap_max_adapter_id(&st->cfg));
	return 0;
}

static int apmask_show(struct ap_state *st, N, struct ap_buf *b)
{
	show_mask(&st->apmask, b);
	return 0;
}

static int apmask_store(struct ap_state *st, N, const char *buf, size_t len)
{
	(void)len;
	return ap_store_apmask(st, buf);
}

static int aqmask_show(struct ap_state *st, N, struct ap_buf *b)
{
	show_mask(&st->aqmask, b);
	return 0;
}

static int aqmask_store(struct ap_state *st, N, const char *buf, size_t len)
{
	(void)len;
	return ap_store_aqmask(st, buf);
}

static int scans_show(struct ap_state *st, N, struct ap_buf *b)
{
	ap_printf(b, "%llu\n", (unsigned long long)st->scans + 1);
	return 0;
}

/* Any write forces a rescan; the only visible effect is the counter. */
static int scans_store(struct ap_state *st, N, const char *buf, size_t len)
{
	(void)buf;
	(void)len;
	st->scans++;
	st->dirty = true;
	return 0;
}

static int bindings_show(struct ap_state *st, N, struct ap_buf *b)
{
	unsigned int a, d, apqns = 0;

	for (a = 0; a < AP_BITS; a++)
		for (d = 0; d < AP_BITS; d++)
			apqns += ap_queue_exists(st, a, d);
	/* every queue binds to cex4queue or vfio_ap: always complete */
	ap_printf(b, "%u/%u (complete)\n", apqns, apqns);
	return 0;
}

static int features_show(struct ap_state *st, N, struct ap_buf *b)
{
	ap_printf(b, "APSC%s QACT RC8A\n", st->cfg.apxa ? " APXA" : "");
	return 0;
}

const struct ap_attr ap_bus_attrs[] = {
	{ "ap_domain", 0644, ap_domain_show, ap_domain_store },
	{ "ap_control_domain_mask", 0444, cdm_show, NULL },
	{ "ap_usage_domain_mask", 0444, udm_show, NULL },
	{ "ap_adapter_mask", 0444, am_show, NULL },
	{ "config_time", 0644, config_time_show, config_time_store },
	{ "poll_thread", 0644, zero_show, poll_thread_store },
	{ "ap_interrupts", 0444, one_show, NULL },
	{ "poll_timeout", 0644, poll_timeout_show, poll_timeout_store },
	{ "ap_max_domain_id", 0444, max_domain_show, NULL },
	{ "ap_max_adapter_id", 0444, max_adapter_show, NULL },
	{ "apmask", 0644, apmask_show, apmask_store },
	{ "aqmask", 0644, aqmask_show, aqmask_store },
	{ "scans", 0644, scans_show, scans_store },
	{ "bindings", 0444, bindings_show, NULL },
	{ "features", 0444, features_show, NULL },
	{ NULL },
};

/* ---- card and queue attributes ---- */

/* TAPQ facility bits (MSB-first): per mode, plus APXA. [inferred] */
static unsigned int ap_functions(const struct ap_state *st, unsigned int id)
{
	static const unsigned int by_mode[] = {
		[AP_MODE_ACCEL] = 0x68000000, [AP_MODE_CCA] = 0x70000000,
		[AP_MODE_EP11] = 0x04000000,
	};
	return by_mode[st->cfg.mode[id] % 3] | (st->cfg.apxa ? 0x02000000 : 0);
}

static int hwtype_show(struct ap_state *st, const struct ap_node *n,
		       struct ap_buf *b)
{
	ap_printf(b, "%u\n", st->cfg.hwtype[n->apid]);
	return 0;
}

static int depth_show(struct ap_state *st, N, struct ap_buf *b)
{
	(void)st;
	ap_printf(b, "8\n");
	return 0;
}

static int functions_show(struct ap_state *st, const struct ap_node *n,
			  struct ap_buf *b)
{
	ap_printf(b, "0x%08X\n", ap_functions(st, n->apid));
	return 0;
}

static int card_requests_show(struct ap_state *st, const struct ap_node *n,
			      struct ap_buf *b)
{
	unsigned long long sum = 0;
	unsigned int i;

	for (i = 0; i < st->n_q; i++)
		if (st->q[i].apqn >> 8 == n->apid)
			sum += st->q[i].requests;
	ap_printf(b, "%llu\n", sum);
	return 0;
}

static int modalias_show(struct ap_state *st, const struct ap_node *n,
			 struct ap_buf *b)
{
	ap_printf(b, "ap:t%02X\n", st->cfg.hwtype[n->apid]);
	return 0;
}

static int max_msg_show(struct ap_state *st, N, struct ap_buf *b)
{
	(void)st;
	ap_printf(b, "12288\n");
	return 0;
}

static int type_show(struct ap_state *st, const struct ap_node *n,
		     struct ap_buf *b)
{
	char t[16];

	ap_printf(b, "%s\n", ap_type_name(st->cfg.hwtype[n->apid],
					  st->cfg.mode[n->apid], t));
	return 0;
}

const struct ap_attr ap_card_attrs[] = {
	{ "hwtype", 0444, hwtype_show, NULL },
	{ "raw_hwtype", 0444, hwtype_show, NULL },
	{ "depth", 0444, depth_show, NULL },
	{ "ap_functions", 0444, functions_show, NULL },
	{ "request_count", 0444, card_requests_show, NULL },
	{ "requestq_count", 0444, zero_show, NULL },
	{ "pendingq_count", 0444, zero_show, NULL },
	{ "modalias", 0444, modalias_show, NULL },
	{ "config", 0444, one_show, NULL },
	{ "chkstop", 0444, zero_show, NULL },
	{ "max_msg_size", 0444, max_msg_show, NULL },
	{ "type", 0444, type_show, NULL },
	{ "online", 0444, one_show, NULL },
	{ "load", 0444, zero_show, NULL },
	{ NULL },
};

static int queue_requests_show(struct ap_state *st, const struct ap_node *n,
			       struct ap_buf *b)
{
	struct ap_qctr *q = ap_qctr_get(st, n->apid, n->apqi, false);

	ap_printf(b, "%llu\n", q ? (unsigned long long)q->requests : 0ULL);
	return 0;
}

static int reset_show(struct ap_state *st, N, struct ap_buf *b)
{
	(void)st;
	ap_printf(b, "No Reset Timer set.\n");
	return 0;
}

/* Any write resets the queue (RAPQ); resets always complete at once. */
static int reset_store(struct ap_state *st, const struct ap_node *n,
		       const char *buf, size_t len)
{
	(void)buf;
	(void)len;
	ap_queue_reset(st, n->apid, n->apqi);
	return 0;
}

static int interrupt_show(struct ap_state *st, N, struct ap_buf *b)
{
	(void)st;
	ap_printf(b, "Interrupts disabled.\n");
	return 0;
}

/* vfio_ap's queue status: unassigned, assigned, or in use by a guest. */
static int status_show(struct ap_state *st, const struct ap_node *n,
		       struct ap_buf *b)
{
	struct ap_mdev *md = vfio_ap_owner(st, n->apid, n->apqi);
	struct kvmu_host_matrix g;

	if (!md) {
		ap_printf(b, "unassigned\n");
		return 0;
	}
	vfio_ap_guest_matrix(st, md, &g);
	if (ap_mdev_in_use(st->host, md->uuid, NULL) &&
	    mask_test(&g.apm, n->apid) && mask_test(&g.aqm, n->apqi))
		ap_printf(b, "in use\n");
	else
		ap_printf(b, "assigned\n");
	return 0;
}

/* The last two are alternatives: tree.c shows the one of the driver. */
const struct ap_attr ap_queue_attrs[] = {
	{ "request_count", 0444, queue_requests_show, NULL },
	{ "requestq_count", 0444, zero_show, NULL },
	{ "pendingq_count", 0444, zero_show, NULL },
	{ "reset", 0644, reset_show, reset_store },
	{ "interrupt", 0444, interrupt_show, NULL },
	{ "config", 0444, one_show, NULL },
	{ "chkstop", 0444, zero_show, NULL },
	{ "ap_functions", 0444, functions_show, NULL },
	{ "online", 0444, one_show, NULL },
	{ "status", 0444, status_show, NULL },
	{ NULL },
};
