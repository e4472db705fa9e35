// SPDX-License-Identifier: MIT
/*
 * The sysfs-shaped tree: paths as the kernel lays them out under /sys,
 * resolved against one snapshot of the host state.  Directories are a
 * table of fixed children plus, for some, children computed from the state
 * (cards, queues, mdevs, driver bindings); files are attribute tables;
 * symlinks are relative, so the tree works wherever it is mounted.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

#include "host/ap/ap_int.h"
#include "host/fs/tree.h"

enum dir {
	D_ROOT, D_BUS, D_BUS_AP, D_BUS_AP_DEVICES, D_BUS_AP_DRIVERS,
	D_DRV_CARD, D_DRV_QUEUE, D_DRV_VFIO, D_BUS_MDEV, D_BUS_MDEV_DEVICES,
	D_BUS_MATRIX, D_BUS_MATRIX_DEVICES, D_CLASS, D_CLASS_MDEV_BUS,
	D_DEVICES, D_DEVICES_AP, D_CARD, D_QUEUE, D_VFIO_AP, D_MATRIX,
	D_TYPES, D_TYPE, D_TYPE_DEVICES, D_MDEV, D_KERNEL, D_IOMMU_GROUPS,
	D_IOMMU_GROUP, D_IOMMU_GROUP_DEVICES,
};

static const struct {
	enum dir parent;
	const char *name;
	enum dir child;
} fixed_dirs[] = {
	{ D_ROOT, "bus", D_BUS }, { D_ROOT, "class", D_CLASS },
	{ D_ROOT, "devices", D_DEVICES },
	{ D_BUS, "ap", D_BUS_AP }, { D_BUS, "matrix", D_BUS_MATRIX },
	{ D_BUS, "mdev", D_BUS_MDEV },
	{ D_BUS_AP, "devices", D_BUS_AP_DEVICES },
	{ D_BUS_AP, "drivers", D_BUS_AP_DRIVERS },
	{ D_BUS_AP_DRIVERS, "cex4card", D_DRV_CARD },
	{ D_BUS_AP_DRIVERS, "cex4queue", D_DRV_QUEUE },
	{ D_BUS_AP_DRIVERS, "vfio_ap", D_DRV_VFIO },
	{ D_BUS_MDEV, "devices", D_BUS_MDEV_DEVICES },
	{ D_BUS_MATRIX, "devices", D_BUS_MATRIX_DEVICES },
	{ D_CLASS, "mdev_bus", D_CLASS_MDEV_BUS },
	{ D_DEVICES, "ap", D_DEVICES_AP },
	{ D_DEVICES, "vfio_ap", D_VFIO_AP },
	{ D_VFIO_AP, "matrix", D_MATRIX },
	{ D_MATRIX, "mdev_supported_types", D_TYPES },
	{ D_TYPES, "vfio_ap-passthrough", D_TYPE },
	{ D_TYPE, "devices", D_TYPE_DEVICES },
	{ D_ROOT, "kernel", D_KERNEL },
	{ D_KERNEL, "iommu_groups", D_IOMMU_GROUPS },
	{ D_IOMMU_GROUP, "devices", D_IOMMU_GROUP_DEVICES },
};

static const struct {
	enum dir parent;
	const char *name;
	const char *target;
} fixed_links[] = {
	{ D_CLASS_MDEV_BUS, "matrix", "../../devices/vfio_ap/matrix" },
	{ D_BUS_MATRIX_DEVICES, "matrix", "../../../devices/vfio_ap/matrix" },
	{ D_CARD, "driver", "../../../bus/ap/drivers/cex4card" },
	{ D_MDEV, "mdev_type", "../mdev_supported_types/vfio_ap-passthrough" },
};

/* An mdev's group has no IOMMU, hence no reserved region. */
static int reserved_regions_show(struct ap_state *st, const struct ap_node *n,
				 struct ap_buf *b)
{
	(void)st;
	(void)n;
	(void)b;
	return 0;
}

static const struct ap_attr iommu_group_attrs[] = {
	{ "reserved_regions", 0444, reserved_regions_show, NULL },
	{ NULL },
};

static const struct ap_attr *dir_attrs(enum dir d)
{
	switch (d) {
	case D_BUS_AP: return ap_bus_attrs;
	case D_CARD: return ap_card_attrs;
	case D_QUEUE: return ap_queue_attrs;
	case D_MATRIX: return vfio_ap_matrix_attrs;
	case D_TYPE: return vfio_ap_type_attrs;
	case D_MDEV: return vfio_ap_mdev_attrs;
	case D_IOMMU_GROUP: return iommu_group_attrs;
	default: return NULL;
	}
}

/* A queue shows zcrypt's "online" or vfio_ap's "status", by driver. */
static bool attr_visible(const struct ap_state *st, const struct ap_node *n,
			 const struct ap_attr *a)
{
	const char *drv;

	if (n->dir != D_QUEUE)
		return true;
	drv = ap_queue_driver(st, n->apid, n->apqi);
	if (!strcmp(a->name, "online"))
		return !strcmp(drv, "cex4queue");
	if (!strcmp(a->name, "status"))
		return !strcmp(drv, "vfio_ap");
	return true;
}

static bool parse_card(const char *s, unsigned int *apid)
{
	char canon[16];

	if (sscanf(s, "card%2x", apid) != 1)
		return false;
	snprintf(canon, sizeof(canon), "card%02x", *apid);
	return !strcmp(canon, s);
}

static bool parse_queue(const char *s, unsigned int *apid, unsigned int *apqi)
{
	char canon[16];

	if (sscanf(s, "%2x.%4x", apid, apqi) != 2 || *apqi > 255)
		return false;
	snprintf(canon, sizeof(canon), "%02x.%04x", *apid, *apqi);
	return !strcmp(canon, s);
}

static void set_link(struct ap_node *n, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_link(struct ap_node *n, const char *fmt, ...)
{
	va_list ap;

	n->kind = AP_NODE_LINK;
	va_start(ap, fmt);
	vsnprintf(n->link, sizeof(n->link), fmt, ap);
	va_end(ap);
}

static void set_dir(struct ap_node *n, enum dir d)
{
	n->kind = AP_NODE_DIR;
	n->dir = d;
}

/* Bound to driver dir d (cex4card lists cards, the others queues). */
static bool bound_to(const struct ap_state *st, enum dir d, unsigned int apid,
		     unsigned int apqi)
{
	const char *drv = ap_queue_driver(st, apid, apqi);

	if (!drv)
		return false;
	return d == D_DRV_QUEUE ? !strcmp(drv, "cex4queue") :
		!strcmp(drv, "vfio_ap");
}

/* An mdev by its lowercase UUID: its directory or one of its links. */
static int lookup_mdev(struct ap_state *st, struct ap_node *n,
		       const char *name)
{
	struct ap_mdev *md;

	md = strlen(name) == AP_UUID_LEN ? vfio_ap_find(st, name) : NULL;
	if (!md || strcmp(md->uuid, name))
		return -ENOENT;
	n->md = md;
	switch (n->dir) {
	case D_MATRIX:
		set_dir(n, D_MDEV);
		return 0;
	case D_BUS_MDEV_DEVICES:
		set_link(n, "../../../devices/vfio_ap/matrix/%s", name);
		return 0;
	case D_TYPE_DEVICES:
		set_link(n, "../../../%s", name);
		return 0;
	default:
		return -ENOENT;
	}
}

/* kernel/iommu_groups/<N>: the mdev with that group, by canonical name. */
static int lookup_iommu_group(struct ap_state *st, struct ap_node *n,
			      const char *name)
{
	char canon[16];
	unsigned int i;

	for (i = 0; i < st->n_mdev; i++) {
		snprintf(canon, sizeof(canon), "%d",
			 ap_mdev_iommu_group(&st->mdev[i]));
		if (!strcmp(canon, name)) {
			n->md = &st->mdev[i];
			set_dir(n, D_IOMMU_GROUP);
			return 0;
		}
	}
	return -ENOENT;
}

/* The links between an mdev and its iommu_group, both ways. */
static int lookup_group_link(struct ap_node *n, const char *name)
{
	if (n->dir == D_MDEV && !strcmp(name, "iommu_group")) {
		set_link(n, "../../../../kernel/iommu_groups/%d",
			 ap_mdev_iommu_group(n->md));
		return 0;
	}
	if (n->dir == D_IOMMU_GROUP_DEVICES && !strcmp(name, n->md->uuid)) {
		set_link(n, "../../../../devices/vfio_ap/matrix/%s", name);
		return 0;
	}
	return -ENOENT;
}

/* Children that depend on the state; 0 when found, -ENOENT if not. */
static int lookup_dynamic(struct ap_state *st, struct ap_node *n,
			  const char *name)
{
	unsigned int a, q;

	switch (n->dir) {
	case D_BUS_AP_DEVICES:
		if (parse_card(name, &a) && ap_card_exists(st, a)) {
			set_link(n, "../../../devices/ap/%s", name);
			return 0;
		}
		if (parse_queue(name, &a, &q) && ap_queue_exists(st, a, q)) {
			set_link(n, "../../../devices/ap/card%02x/%s", a, name);
			return 0;
		}
		return -ENOENT;
	case D_DRV_CARD:
		if (parse_card(name, &a) && ap_card_exists(st, a)) {
			set_link(n, "../../../../devices/ap/%s", name);
			return 0;
		}
		return -ENOENT;
	case D_DRV_QUEUE:
	case D_DRV_VFIO:
		if (parse_queue(name, &a, &q) && bound_to(st, n->dir, a, q)) {
			set_link(n, "../../../../devices/ap/card%02x/%s", a,
				 name);
			return 0;
		}
		return -ENOENT;
	case D_DEVICES_AP:
		if (!parse_card(name, &a) || !ap_card_exists(st, a))
			return -ENOENT;
		n->apid = a;
		set_dir(n, D_CARD);
		return 0;
	case D_CARD:
		if (!parse_queue(name, &a, &q) || a != n->apid ||
		    !ap_queue_exists(st, a, q))
			return -ENOENT;
		n->apqi = q;
		set_dir(n, D_QUEUE);
		return 0;
	case D_IOMMU_GROUPS:
		return lookup_iommu_group(st, n, name);
	case D_MDEV:
	case D_IOMMU_GROUP_DEVICES:
		return lookup_group_link(n, name);
	case D_QUEUE:
		if (strcmp(name, "driver"))
			return -ENOENT;
		set_link(n, "../../../../bus/ap/drivers/%s",
			 ap_queue_driver(st, n->apid, n->apqi));
		return 0;
	default:
		return lookup_mdev(st, n, name);
	}
}

static int lookup(struct ap_state *st, struct ap_node *n, const char *name)
{
	const struct ap_attr *a = dir_attrs(n->dir);
	size_t i;

	for (i = 0; i < sizeof(fixed_dirs) / sizeof(fixed_dirs[0]); i++)
		if (fixed_dirs[i].parent == (enum dir)n->dir &&
		    !strcmp(fixed_dirs[i].name, name)) {
			set_dir(n, fixed_dirs[i].child);
			return 0;
		}
	for (i = 0; i < sizeof(fixed_links) / sizeof(fixed_links[0]); i++)
		if (fixed_links[i].parent == (enum dir)n->dir &&
		    !strcmp(fixed_links[i].name, name)) {
			set_link(n, "%s", fixed_links[i].target);
			return 0;
		}
	for (; a && a->name; a++)
		if (!strcmp(a->name, name) && attr_visible(st, n, a)) {
			n->kind = AP_NODE_FILE;
			n->attr = a;
			return 0;
		}
	return lookup_dynamic(st, n, name);
}

#define MAX_DEPTH 32

/* Split path into components, applying ".." and "."; -ENOENT if too deep. */
static int push_path(char comp[][64], int *depth, const char *path)
{
	while (*path) {
		size_t len = strcspn(path, "/");

		if (len >= 64)
			return -ENAMETOOLONG;
		if (len == 2 && !strncmp(path, "..", 2)) {
			if (*depth > 0)
				(*depth)--;
		} else if (len && !(len == 1 && *path == '.')) {
			if (*depth >= MAX_DEPTH)
				return -ENOENT;
			memcpy(comp[*depth], path, len);
			comp[(*depth)++][len] = 0;
		}
		path += len;
		path += *path == '/';
	}
	return 0;
}

/*
 * Resolve path; symlinks in the middle are followed (as the VFS would),
 * the last component is not (FUSE asks for the link itself).
 */
int ap_tree_resolve(struct ap_state *st, const char *path, struct ap_node *n)
{
	char comp[MAX_DEPTH][64];
	int depth = 0, i, hops = 0, rc;

	rc = push_path(comp, &depth, path);
restart:
	memset(n, 0, sizeof(*n));
	set_dir(n, D_ROOT);
	for (i = 0; !rc && i < depth; i++) {
		if (n->kind != AP_NODE_DIR)
			return -ENOTDIR;
		rc = lookup(st, n, comp[i]);
		if (rc || n->kind != AP_NODE_LINK || i == depth - 1)
			continue;
		{
			char rest[MAX_DEPTH][64], target[sizeof(n->link)];
			int nrest = depth - i - 1, j;

			if (++hops > 8)
				return -ELOOP;
			memcpy(rest, comp[i + 1], sizeof(rest[0]) * nrest);
			memcpy(target, n->link, sizeof(target));
			depth = i;	/* the link's directory */
			rc = push_path(comp, &depth, target);
			for (j = 0; !rc && j < nrest; j++) {
				if (depth >= MAX_DEPTH)
					return -ENOENT;
				memcpy(comp[depth++], rest[j], 64);
			}
			if (rc)
				return rc;
			goto restart;
		}
	}
	return rc;
}

/* Queue links: all queues, or those bound to the driver of directory n. */
static void list_queues(struct ap_state *st, const struct ap_node *n,
			ap_tree_fill fill, void *arg)
{
	unsigned int a, q;
	char name[16];

	for (a = 0; a < AP_BITS; a++)
		for (q = 0; q < AP_BITS; q++) {
			if (!ap_queue_exists(st, a, q) ||
			    (n->dir != D_BUS_AP_DEVICES &&
			     !bound_to(st, n->dir, a, q)))
				continue;
			snprintf(name, sizeof(name), "%02x.%04x", a, q);
			fill(arg, name, AP_NODE_LINK);
		}
}

/* List a directory: fixed dirs, links, visible attributes, then dynamic. */
void ap_tree_list(struct ap_state *st, const struct ap_node *n,
		  ap_tree_fill fill, void *arg)
{
	const struct ap_attr *a = dir_attrs(n->dir);
	unsigned int i, q;
	char name[48];

	for (i = 0; i < sizeof(fixed_dirs) / sizeof(fixed_dirs[0]); i++)
		if (fixed_dirs[i].parent == (enum dir)n->dir)
			fill(arg, fixed_dirs[i].name, AP_NODE_DIR);
	for (i = 0; i < sizeof(fixed_links) / sizeof(fixed_links[0]); i++)
		if (fixed_links[i].parent == (enum dir)n->dir)
			fill(arg, fixed_links[i].name, AP_NODE_LINK);
	for (; a && a->name; a++)
		if (attr_visible(st, n, a))
			fill(arg, a->name, AP_NODE_FILE);
	switch (n->dir) {
	case D_BUS_AP_DEVICES:
	case D_DEVICES_AP:
	case D_DRV_CARD:
		for (i = 0; i < AP_BITS; i++) {
			if (!ap_card_exists(st, i))
				continue;
			snprintf(name, sizeof(name), "card%02x", i);
			fill(arg, name, n->dir == D_DEVICES_AP ? AP_NODE_DIR :
			     AP_NODE_LINK);
		}
		if (n->dir != D_BUS_AP_DEVICES)
			break;
		/* fall through */
	case D_DRV_QUEUE:
	case D_DRV_VFIO:
		list_queues(st, n, fill, arg);
		break;
	case D_CARD:
		for (q = 0; q < AP_BITS; q++)
			if (ap_queue_exists(st, n->apid, q)) {
				snprintf(name, sizeof(name), "%02x.%04x",
					 n->apid, q);
				fill(arg, name, AP_NODE_DIR);
			}
		break;
	case D_QUEUE:
		fill(arg, "driver", AP_NODE_LINK);
		break;
	case D_MATRIX:
	case D_BUS_MDEV_DEVICES:
	case D_TYPE_DEVICES:
		for (i = 0; i < st->n_mdev; i++)
			fill(arg, st->mdev[i].uuid, n->dir == D_MATRIX ?
			     AP_NODE_DIR : AP_NODE_LINK);
		break;
	case D_MDEV:
		fill(arg, "iommu_group", AP_NODE_LINK);
		break;
	case D_IOMMU_GROUPS:
		for (i = 0; i < st->n_mdev; i++) {
			snprintf(name, sizeof(name), "%d",
				 ap_mdev_iommu_group(&st->mdev[i]));
			fill(arg, name, AP_NODE_DIR);
		}
		break;
	case D_IOMMU_GROUP_DEVICES:
		fill(arg, n->md->uuid, AP_NODE_LINK);
		break;
	default:
		break;
	}
}
