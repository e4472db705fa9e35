/* SPDX-License-Identifier: MIT */
/*
 * Private interface of the host model: the machine configuration, the
 * durable state, the AP bus and vfio_ap rules, and the helpers they share.
 */
#ifndef KVMU_HOST_AP_INT_H
#define KVMU_HOST_AP_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include "kvmu/host.h"

#define AP_BITS		256
#define AP_MAX_INSTANCES 65536	/* MAX_ZDEV_ENTRIES_EXT: 256 * 256 */
#define AP_UUID_LEN	36
#define AP_TYPE_CEX4	10
#define AP_TYPE_CEX8	14
#define AP_SHOW_MAX	65536	/* the largest attribute we ever print */

typedef struct kvmu_host_mask ap_mask;

enum ap_mode { AP_MODE_ACCEL, AP_MODE_CCA, AP_MODE_EP11 };

/* The simulated machine: what QCI and TAPQ would report. */
struct ap_config {
	bool apxa;
	unsigned int na, nd;		/* highest adapter / domain id */
	ap_mask apm, aqm, adm;		/* adapters, usage, control domains */
	uint8_t hwtype[AP_BITS];	/* raw TAPQ type per adapter */
	uint8_t mode[AP_BITS];		/* enum ap_mode per adapter */
	ap_mask boot_apmask, boot_aqmask; /* ap.apmask= / ap.aqmask= */
};

struct ap_mdev {
	char uuid[AP_UUID_LEN + 1];	/* lowercase, the device name */
	struct kvmu_host_matrix m;	/* what the administrator assigned */
	uint64_t seq;			/* creation number, for iommu_group */
};

/* Counters of one queue; only queues that were ever touched are kept. */
struct ap_qctr {
	uint16_t apqn;
	uint64_t resets;
	uint64_t requests;
};

struct ap_state {
	struct ap_config cfg;
	ap_mask apmask, aqmask;		/* /sys/bus/ap/apmask, aqmask */
	uint64_t gen;			/* grows on every committed change */
	uint64_t scans;
	uint64_t next_seq;
	int ap_domain;
	int config_time;
	struct ap_mdev *mdev;
	unsigned int n_mdev, cap_mdev;
	struct ap_qctr *q;
	unsigned int n_q, cap_q;
	/* runtime only, never saved */
	struct kvmu_host *host;
	bool dirty;
};

/* ---- masks (MSB-first bit numbering, as the s390 architecture) ---- */

static inline bool mask_test(const ap_mask *m, unsigned int n)
{
	return (m->w[n >> 6] >> (63 - (n & 63))) & 1;
}

static inline void mask_set(ap_mask *m, unsigned int n)
{
	m->w[n >> 6] |= 1ULL << (63 - (n & 63));
}

static inline void mask_clear(ap_mask *m, unsigned int n)
{
	m->w[n >> 6] &= ~(1ULL << (63 - (n & 63)));
}

static inline bool mask_empty(const ap_mask *m)
{
	return !(m->w[0] | m->w[1] | m->w[2] | m->w[3]);
}

static inline bool mask_eq(const ap_mask *a, const ap_mask *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* r = a & b (r may alias); returns true when r is non-empty. */
static inline bool mask_and(ap_mask *r, const ap_mask *a, const ap_mask *b)
{
	for (int i = 0; i < 4; i++)
		r->w[i] = a->w[i] & b->w[i];
	return !mask_empty(r);
}

/* r = a & ~b; returns true when r is non-empty. */
static inline bool mask_andnot(ap_mask *r, const ap_mask *a, const ap_mask *b)
{
	for (int i = 0; i < 4; i++)
		r->w[i] = a->w[i] & ~b->w[i];
	return !mask_empty(r);
}

static inline void mask_fill(ap_mask *m)
{
	memset(m, 0xff, sizeof(*m));
}

#define for_each_bit(bit, m) \
	for ((bit) = 0; (bit) < AP_BITS; (bit)++) \
		if (mask_test((m), (bit)))

/* "0x" + 64 lowercase hex digits, NUL-terminated (67 bytes). */
void ap_mask_fmt(const ap_mask *m, char out[67]);

/* ---- parsing (parse.c): the kernel's number and mask syntaxes ---- */

/* kstrtoul(s, 0): base 0, optional '+', one trailing '\n'. */
int ap_kstrtoul(const char *s, unsigned long *out);
/* ap_hex2bitmap(): absolute hex mask into a zeroed *m. */
int ap_hex2bitmap(const char *s, ap_mask *m);
/* modify_bitmap(): "+N,-A-B,..." applied to *m. */
int ap_modify_bitmap(const char *s, ap_mask *m);
/* ap_parse_bitmap_str(): either syntax; *out starts from *cur. */
int ap_parse_mask(const char *s, const ap_mask *cur, ap_mask *out);
/* uuid_is_valid(): 8-4-4-4-12 hex digits. */
bool ap_uuid_valid(const char *s);
/* A config list "4,0x47,0-15" into *m (numbers via kstrtoul rules). */
int ap_parse_list(const char *s, ap_mask *m);
/* Print the set bits of *m as a list with ranges, "0-7,71,171". */
void ap_list_fmt(const ap_mask *m, char *out, size_t size);

/* ---- configuration and state text (config.c) ---- */

int ap_config_parse(const char *text, struct ap_state *st, bool state_file,
		    char *err, size_t errlen);
int ap_state_format(const struct ap_state *st, FILE *f);
void ap_state_boot(struct ap_state *st);
void ap_state_free(struct ap_state *st);
const char *ap_type_name(unsigned int hwtype, unsigned int mode, char *buf);
const char *ap_mode_name(unsigned int mode);

/* ---- the store (state.c) ---- */

typedef int (*ap_txn_fn)(struct ap_state *st, void *arg);
/* Run fn on the current state under the host lock; save when dirty. */
int ap_update(struct kvmu_host *h, ap_txn_fn fn, void *arg);
/* Run fn on the current state under a shared lock; never saves. */
int ap_view(struct kvmu_host *h, ap_txn_fn fn, void *arg);
/* The kernel log: a line to the host log file (and stderr if asked). */
void ap_log(struct ap_state *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Whether mdev uuid is open by a live guest process (pid in *pid). */
bool ap_mdev_in_use(struct kvmu_host *h, const char *uuid, pid_t *pid);
void ap_mdev_forget(struct kvmu_host *h, const char *uuid);
/* Ask the guest holding uuid to let go (its VFIO device's request irq). */
void ap_mdev_request(struct kvmu_host *h, const char *uuid);
struct ap_qctr *ap_qctr_get(struct ap_state *st, unsigned int apid,
			    unsigned int apqi, bool create);

/* ---- AP bus rules (bus.c) ---- */

unsigned int ap_max_adapter_id(const struct ap_config *c);
unsigned int ap_max_domain_id(const struct ap_config *c);
bool ap_card_exists(const struct ap_state *st, unsigned int apid);
bool ap_queue_exists(const struct ap_state *st, unsigned int apid,
		     unsigned int apqi);
bool ap_queue_reserved(const struct ap_state *st, unsigned int apid,
		       unsigned int apqi);
int ap_store_apmask(struct ap_state *st, const char *buf);
int ap_store_aqmask(struct ap_state *st, const char *buf);
void ap_queue_reset(struct ap_state *st, unsigned int apid, unsigned int apqi);

/* ---- vfio_ap (vfio_ap/mdev.c) ---- */

unsigned int vfio_ap_apm_max(const struct ap_config *c);
unsigned int vfio_ap_aqm_max(const struct ap_config *c);
struct ap_mdev *vfio_ap_find(struct ap_state *st, const char *uuid);
/* The owner of APQN (apid, apqi), or NULL. */
struct ap_mdev *vfio_ap_owner(struct ap_state *st, unsigned int apid,
			      unsigned int apqi);
void vfio_ap_guest_matrix(const struct ap_state *st, const struct ap_mdev *md,
			  struct kvmu_host_matrix *out);
/* in_use() callback of the AP bus: -EADDRINUSE if any APQN is in an mdev. */
int vfio_ap_resource_in_use(struct ap_state *st, const ap_mask *apm,
			    const ap_mask *aqm);
void vfio_ap_reset_queues(struct ap_state *st, const struct ap_mdev *md);
/*
 * The mdev's iommu_group number: its creation number, so stable and never
 * reused, like the kernel's (an ida, lowest free) only while nothing is
 * removed.
 */
static inline int ap_mdev_iommu_group(const struct ap_mdev *md)
{
	return (int)(md->seq & 0x3fffffff);
}

/* An output buffer for attribute show functions. */
struct ap_buf {
	char *p;
	size_t len, size;
};
void ap_printf(struct ap_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vfio_ap_matrix_show(const struct ap_state *st, const ap_mask *apm,
			 const ap_mask *aqm, struct ap_buf *b);

/* A resolved place in the tree (fs/tree.c) that attributes act on. */
struct ap_node {
	int kind;			/* enum in tree.c */
	int dir;			/* directory type */
	const struct ap_attr *attr;	/* for files */
	unsigned int apid, apqi;
	struct ap_mdev *md;
	char link[256];			/* for symlinks: the target */
};

/*
 * One sysfs attribute.  store() gets the written bytes NUL-terminated (as
 * sysfs passes them) and returns 0 or the kernel's -errno.
 */
struct ap_attr {
	const char *name;
	unsigned short mode;
	int (*show)(struct ap_state *st, const struct ap_node *n,
		    struct ap_buf *b);
	int (*store)(struct ap_state *st, const struct ap_node *n,
		     const char *buf, size_t len);
};

/* NULL-name-terminated attribute tables, in the kernel's order. */
extern const struct ap_attr ap_bus_attrs[];
extern const struct ap_attr ap_card_attrs[];
extern const struct ap_attr ap_queue_attrs[];
extern const struct ap_attr vfio_ap_matrix_attrs[];
extern const struct ap_attr vfio_ap_type_attrs[];
extern const struct ap_attr vfio_ap_mdev_attrs[];

/* The driver a queue is bound to: "cex4queue", "vfio_ap" or NULL. */
const char *ap_queue_driver(const struct ap_state *st, unsigned int apid,
			    unsigned int apqi);
int ap_mdev_hold(struct kvmu_host *h, const char *uuid);

#endif
