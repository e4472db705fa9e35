// SPDX-License-Identifier: MIT
/*
 * The vfio_ap driver: the matrix parent device, its one mdev type
 * (vfio_ap-passthrough) and the per-mdev attributes, with the kernel's
 * validation order, errno and log lines (vfio_ap_ops.c, mdev_sysfs.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "host/ap/ap_int.h"

#define N __attribute__((unused)) const struct ap_node *n

unsigned int vfio_ap_apm_max(const struct ap_config *c)
{
	return c->apxa ? c->na : 63;
}

unsigned int vfio_ap_aqm_max(const struct ap_config *c)
{
	return c->apxa ? c->nd : 15;
}

struct ap_mdev *vfio_ap_find(struct ap_state *st, const char *uuid)
{
	unsigned int i;

	for (i = 0; i < st->n_mdev; i++)
		if (!strcasecmp(st->mdev[i].uuid, uuid))
			return &st->mdev[i];
	return NULL;
}

struct ap_mdev *vfio_ap_owner(struct ap_state *st, unsigned int apid,
			      unsigned int apqi)
{
	unsigned int i;

	for (i = 0; i < st->n_mdev; i++)
		if (mask_test(&st->mdev[i].m.apm, apid) &&
		    mask_test(&st->mdev[i].m.aqm, apqi))
			return &st->mdev[i];
	return NULL;
}

/*
 * The guest matrix (vfio_ap_mdev_filter_matrix): the assignment within the
 * host configuration, minus every adapter with a queue that is not bound
 * to vfio_ap (the architecture cannot drop a single APQN).  Queue resets
 * always succeed here, so a pure function of the state gives the kernel's
 * shadow APCB.
 */
void vfio_ap_guest_matrix(const struct ap_state *st, const struct ap_mdev *md,
			  struct kvmu_host_matrix *out)
{
	const struct ap_config *c = &st->cfg;
	unsigned int a, d;

	mask_and(&out->apm, &md->m.apm, &c->apm);
	mask_and(&out->aqm, &md->m.aqm, &c->aqm);
	mask_and(&out->adm, &md->m.adm, &c->adm);
	for_each_bit(a, &out->apm) {
		if (a > vfio_ap_apm_max(c)) {
			mask_clear(&out->apm, a);
			continue;
		}
		for_each_bit(d, &out->aqm) {
			const char *drv = ap_queue_driver(st, a, d);

			if (d > vfio_ap_aqm_max(c) || !drv ||
			    strcmp(drv, "vfio_ap")) {
				mask_clear(&out->apm, a);
				break;
			}
		}
	}
	for_each_bit(d, &out->aqm)
		if (d > vfio_ap_aqm_max(c))
			mask_clear(&out->aqm, d);
	for_each_bit(d, &out->adm)
		if (d > vfio_ap_aqm_max(c))
			mask_clear(&out->adm, d);
}

static void log_pairs(struct ap_state *st, const char *uuid, const ap_mask *apm,
		      const ap_mask *aqm, const char *other)
{
	unsigned int a, d;

	for_each_bit(a, apm)
		for_each_bit(d, aqm) {
			if (other)
				ap_log(st, "vfio_ap_mdev %s: Userspace may not "
				       "assign queue %02x.%04x to mdev: already "
				       "assigned to %s", uuid, a, d, other);
			else
				ap_log(st, "vfio_ap_mdev %s: Can not reserve "
				       "queue %02x.%04x for host driver: in use "
				       "by mdev", uuid, a, d);
		}
}

/* vfio_ap_mdev_verify_no_sharing(): the first other mdev that overlaps. */
static int verify_no_sharing(struct ap_state *st, const struct ap_mdev *self,
			     const ap_mask *apm, const ap_mask *aqm)
{
	ap_mask a, q;
	unsigned int i;

	for (i = 0; i < st->n_mdev; i++) {
		const struct ap_mdev *other = &st->mdev[i];

		if (other == self || !mask_and(&a, apm, &other->m.apm) ||
		    !mask_and(&q, aqm, &other->m.aqm))
			continue;
		if (self)
			log_pairs(st, self->uuid, &a, &q, other->uuid);
		else
			log_pairs(st, other->uuid, &a, &q, NULL);
		return -EADDRINUSE;
	}
	return 0;
}

int vfio_ap_resource_in_use(struct ap_state *st, const ap_mask *apm,
			    const ap_mask *aqm)
{
	return verify_no_sharing(st, NULL, apm, aqm);
}

/* vfio_ap_mdev_validate_masks(): host reservation first, then sharing. */
static int validate_masks(struct ap_state *st, const struct ap_mdev *md)
{
	ap_mask a, q;

	if (mask_and(&a, &md->m.apm, &st->apmask) &&
	    mask_and(&q, &md->m.aqm, &st->aqmask))
		return -EADDRNOTAVAIL;
	return verify_no_sharing(st, md, &md->m.apm, &md->m.aqm);
}

/* ZAPQ every queue of apm x aqm that exists and is bound to vfio_ap. */
static void reset_apqns(struct ap_state *st, const ap_mask *apm,
			const ap_mask *aqm)
{
	unsigned int a, d;

	for_each_bit(a, apm)
		for_each_bit(d, aqm) {
			const char *drv = ap_queue_driver(st, a, d);

			if (drv && !strcmp(drv, "vfio_ap"))
				ap_queue_reset(st, a, d);
		}
}

void vfio_ap_reset_queues(struct ap_state *st, const struct ap_mdev *md)
{
	reset_apqns(st, &md->m.apm, &md->m.aqm);
}

/* ---- assign / unassign ---- */

enum which { APM, AQM, ADM };

static int assign(struct ap_state *st, struct ap_mdev *md, enum which w,
		  bool on, const char *buf)
{
	ap_mask *m = w == APM ? &md->m.apm : w == AQM ? &md->m.aqm : &md->m.adm;
	unsigned int max = w == APM ? vfio_ap_apm_max(&st->cfg) :
		vfio_ap_aqm_max(&st->cfg);
	struct kvmu_host_matrix g;
	unsigned long id;
	int rc;

	rc = ap_kstrtoul(buf, &id);
	if (rc)
		return rc;
	if (id > max)
		return -ENODEV;
	if (mask_test(m, id) == on)
		return 0;
	if (!on) {
		/* hot unplug: queues that were in the guest get reset */
		ap_mask one = { { 0 } };

		vfio_ap_guest_matrix(st, md, &g);
		mask_set(&one, id);
		if (w == APM && mask_test(&g.apm, id))
			reset_apqns(st, &one, &g.aqm);
		else if (w == AQM && mask_test(&g.aqm, id))
			reset_apqns(st, &g.apm, &one);
		mask_clear(m, id);
		st->dirty = true;
		return 0;
	}
	mask_set(m, id);
	if (w != ADM) {
		rc = validate_masks(st, md);
		if (rc) {
			mask_clear(m, id);
			return rc;
		}
	}
	st->dirty = true;
	return 0;
}

#define ASSIGN_STORE(fn, w, on)						\
static int fn(struct ap_state *st, const struct ap_node *n,		\
	      const char *buf, size_t len)				\
{									\
	(void)len;							\
	return assign(st, n->md, w, on, buf);				\
}
ASSIGN_STORE(assign_adapter_store, APM, true)
ASSIGN_STORE(unassign_adapter_store, APM, false)
ASSIGN_STORE(assign_domain_store, AQM, true)
ASSIGN_STORE(unassign_domain_store, AQM, false)
ASSIGN_STORE(assign_cdom_store, ADM, true)
ASSIGN_STORE(unassign_cdom_store, ADM, false)

/* ---- shows ---- */

/* vfio_ap_mdev_matrix_show(): pairs, or "05." / ".0047" when one is empty. */
void vfio_ap_matrix_show(const struct ap_state *st, const ap_mask *apm,
			 const ap_mask *aqm, struct ap_buf *b)
{
	unsigned int amax = vfio_ap_apm_max(&st->cfg);
	unsigned int qmax = vfio_ap_aqm_max(&st->cfg);
	unsigned int a, d, na = 0, nq = 0;

	for (a = 0; a <= amax; a++)
		na += mask_test(apm, a);
	for (d = 0; d <= qmax; d++)
		nq += mask_test(aqm, d);
	if (na && nq) {
		for (a = 0; a <= amax; a++)
			for (d = 0; d <= qmax && mask_test(apm, a); d++)
				if (mask_test(aqm, d))
					ap_printf(b, "%02x.%04x\n", a, d);
	} else if (na) {
		for (a = 0; a <= amax; a++)
			if (mask_test(apm, a))
				ap_printf(b, "%02x.\n", a);
	} else if (nq) {
		for (d = 0; d <= qmax; d++)
			if (mask_test(aqm, d))
				ap_printf(b, ".%04x\n", d);
	}
}

static int matrix_show(struct ap_state *st, const struct ap_node *n,
		       struct ap_buf *b)
{
	vfio_ap_matrix_show(st, &n->md->m.apm, &n->md->m.aqm, b);
	return 0;
}

static int guest_matrix_show(struct ap_state *st, const struct ap_node *n,
			     struct ap_buf *b)
{
	struct kvmu_host_matrix g;

	vfio_ap_guest_matrix(st, n->md, &g);
	vfio_ap_matrix_show(st, &g.apm, &g.aqm, b);
	return 0;
}

static int control_domains_show(struct ap_state *st, const struct ap_node *n,
				struct ap_buf *b)
{
	unsigned int d;

	for (d = 0; d <= vfio_ap_aqm_max(&st->cfg); d++)
		if (mask_test(&n->md->m.adm, d))
			ap_printf(b, "%04x\n", d);
	return 0;
}

static int ap_config_show(struct ap_state *st, const struct ap_node *n,
			  struct ap_buf *b)
{
	char a[67], q[67], d[67];

	(void)st;
	ap_mask_fmt(&n->md->m.apm, a);
	ap_mask_fmt(&n->md->m.aqm, q);
	ap_mask_fmt(&n->md->m.adm, d);
	ap_printf(b, "%s,%s,%s\n", a, q, d);
	return 0;
}

/* ---- ap_config store: one-shot replace of all three masks ---- */

#define AP_CONFIG_STRLEN 201	/* three "0x" + 64 digits + separators */

static int parse_token(char **rest, ap_mask *m)
{
	char *tok = strsep(rest, ",\n");

	return tok ? ap_hex2bitmap(tok, m) : -EINVAL;
}

static bool over_max(const struct ap_state *st, const struct kvmu_host_matrix *m)
{
	unsigned int i;

	for_each_bit(i, &m->apm)
		if (i > vfio_ap_apm_max(&st->cfg))
			return true;
	for_each_bit(i, &m->aqm)
		if (i > vfio_ap_aqm_max(&st->cfg))
			return true;
	for_each_bit(i, &m->adm)
		if (i > vfio_ap_aqm_max(&st->cfg))
			return true;
	return false;
}

static int ap_config_store(struct ap_state *st, const struct ap_node *n,
			   const char *buf, size_t len)
{
	struct ap_mdev *md = n->md;
	struct kvmu_host_matrix old = md->m, nm, g;
	char *copy = strndup(buf, AP_CONFIG_STRLEN), *rest = copy;
	ap_mask gone;
	int rc;

	(void)len;
	if (!copy)
		return -ENOMEM;
	rc = parse_token(&rest, &nm.apm) || parse_token(&rest, &nm.aqm) ||
	     parse_token(&rest, &nm.adm) ? -EINVAL : 0;
	free(copy);
	if (rc)
		return rc;
	vfio_ap_guest_matrix(st, md, &g);
	md->m = nm;
	rc = validate_masks(st, md);
	if (!rc && over_max(st, &nm))
		rc = -ENODEV;
	if (rc) {
		md->m = old;
		return rc;
	}
	/* hot unplug: reset what leaves the guest, adapters then domains */
	if (mask_andnot(&gone, &g.apm, &nm.apm))
		reset_apqns(st, &gone, &g.aqm);
	if (mask_andnot(&gone, &g.aqm, &nm.aqm))
		reset_apqns(st, &g.apm, &gone);
	st->dirty = true;
	return 0;
}

/* ---- mdev core: create and remove ---- */

static int create_store(struct ap_state *st, N, const char *buf, size_t len)
{
	struct ap_mdev *md;
	char uuid[AP_UUID_LEN + 1];
	int i;

	if (len < AP_UUID_LEN || len > AP_UUID_LEN + 1 || !ap_uuid_valid(buf))
		return -EINVAL;
	for (i = 0; i < AP_UUID_LEN; i++)
		uuid[i] = (char)tolower((unsigned char)buf[i]);
	uuid[AP_UUID_LEN] = 0;
	if (vfio_ap_find(st, uuid))
		return -EEXIST;
	if (st->n_mdev >= AP_MAX_INSTANCES)
		return -EUSERS;
	if (st->n_mdev == st->cap_mdev) {
		unsigned int cap = st->cap_mdev ? st->cap_mdev * 2 : 16;
		void *p = realloc(st->mdev, cap * sizeof(*st->mdev));

		if (!p)
			return -ENOMEM;
		st->mdev = p;
		st->cap_mdev = cap;
	}
	md = &st->mdev[st->n_mdev++];
	memset(md, 0, sizeof(*md));
	memcpy(md->uuid, uuid, sizeof(uuid));
	md->seq = st->next_seq++;
	ap_mdev_forget(st->host, uuid);	/* a stale in-use file of a past mdev */
	st->dirty = true;
	return 0;
}

/*
 * The kernel blocks a remove while a guest has the device open and asks
 * the guest (request eventfd) to let go; a model cannot block a shell
 * forever, so it refuses with EBUSY, logs why, and still relays the
 * request to the guest's VFIO device (see docs/vfio.md).
 */
static int remove_store(struct ap_state *st, const struct ap_node *n,
			const char *buf, size_t len)
{
	struct ap_mdev *md = n->md;
	unsigned long val;
	pid_t pid = 0;
	int rc;

	(void)len;
	rc = ap_kstrtoul(buf, &val);
	if (rc || !val)
		return rc;
	if (ap_mdev_in_use(st->host, md->uuid, &pid)) {
		ap_log(st, "vfio_ap_mdev %s: remove refused: in use by a guest "
		       "(pid %ld)", md->uuid, (long)pid);
		ap_mdev_request(st->host, md->uuid);
		return -EBUSY;
	}
	vfio_ap_reset_queues(st, md);
	ap_mdev_forget(st->host, md->uuid);
	memmove(md, md + 1, (st->mdev + st->n_mdev - md - 1) * sizeof(*md));
	st->n_mdev--;
	st->dirty = true;
	return 0;
}

static int name_show(struct ap_state *st, N, struct ap_buf *b)
{
	(void)st;
	ap_printf(b, "VFIO AP Passthrough Device\n");
	return 0;
}

static int device_api_show(struct ap_state *st, N, struct ap_buf *b)
{
	(void)st;
	ap_printf(b, "vfio-ap\n");
	return 0;
}

static int available_show(struct ap_state *st, N, struct ap_buf *b)
{
	ap_printf(b, "%u\n", AP_MAX_INSTANCES - st->n_mdev);
	return 0;
}

static int features_show(struct ap_state *st, N, struct ap_buf *b)
{
	(void)st;
	ap_printf(b, "guest_matrix hotplug ap_config\n");
	return 0;
}

const struct ap_attr vfio_ap_matrix_attrs[] = {
	{ "features", 0444, features_show, NULL },
	{ NULL },
};

const struct ap_attr vfio_ap_type_attrs[] = {
	{ "name", 0444, name_show, NULL },
	{ "device_api", 0444, device_api_show, NULL },
	{ "available_instances", 0444, available_show, NULL },
	{ "create", 0200, NULL, create_store },
	{ NULL },
};

const struct ap_attr vfio_ap_mdev_attrs[] = {
	{ "assign_adapter", 0200, NULL, assign_adapter_store },
	{ "unassign_adapter", 0200, NULL, unassign_adapter_store },
	{ "assign_domain", 0200, NULL, assign_domain_store },
	{ "unassign_domain", 0200, NULL, unassign_domain_store },
	{ "assign_control_domain", 0200, NULL, assign_cdom_store },
	{ "unassign_control_domain", 0200, NULL, unassign_cdom_store },
	{ "ap_config", 0644, ap_config_show, ap_config_store },
	{ "control_domains", 0444, control_domains_show, NULL },
	{ "matrix", 0444, matrix_show, NULL },
	{ "guest_matrix", 0444, guest_matrix_show, NULL },
	{ "remove", 0200, NULL, remove_store },
	{ NULL },
};
