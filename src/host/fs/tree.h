/* SPDX-License-Identifier: MIT */
/* The sysfs-shaped tree over the host state (tree.c, ops.c). */
#ifndef KVMU_HOST_FS_TREE_H
#define KVMU_HOST_FS_TREE_H

#include "host/ap/ap_int.h"

enum { AP_NODE_DIR = 1, AP_NODE_FILE, AP_NODE_LINK };

#define AP_WRITE_MAX	4096	/* kernfs: a sysfs store sees one page */

typedef void (*ap_tree_fill)(void *arg, const char *name, int kind);

/* Resolve path (relative to the tree root) in one state snapshot. */
int ap_tree_resolve(struct ap_state *st, const char *path, struct ap_node *n);
/* Call fill for every entry of directory n. */
void ap_tree_list(struct ap_state *st, const struct ap_node *n,
		  ap_tree_fill fill, void *arg);

/* What stat needs: the kind and the permission bits. */
struct ap_tree_stat {
	int kind;
	unsigned int mode;
};

/* Each runs in its own transaction; 0 or -errno (-ENOENT ...). */
int ap_tree_stat(struct kvmu_host *h, const char *path,
		 struct ap_tree_stat *out);
int ap_tree_readdir(struct kvmu_host *h, const char *path, ap_tree_fill fill,
		    void *arg);
int ap_tree_readlink(struct kvmu_host *h, const char *path, char *buf,
		     size_t size);

#endif
