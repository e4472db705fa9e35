// SPDX-License-Identifier: MIT
/*
 * File operations on the tree, each one transaction on the host state:
 * reads under the shared lock, writes under the exclusive one.  Shared by
 * the C API (kvmu_host_read/write) and the FUSE file system.
 */
#include <errno.h>
#include <stdlib.h>

#include "host/fs/tree.h"

struct op {
	const char *path;
	/* read */
	char *out;
	size_t size;
	/* write */
	const char *in;
	size_t len;
	/* stat, readdir, readlink */
	struct ap_tree_stat *st;
	ap_tree_fill fill;
	void *arg;
};

static int do_stat(struct ap_state *st, void *arg)
{
	struct op *op = arg;
	struct ap_node n;
	int rc = ap_tree_resolve(st, op->path, &n);

	if (rc)
		return rc;
	op->st->kind = n.kind;
	op->st->mode = n.kind == AP_NODE_DIR ? 0755 : n.kind == AP_NODE_LINK ?
		0777 : n.attr->mode;
	return 0;
}

int ap_tree_stat(struct kvmu_host *h, const char *path,
		 struct ap_tree_stat *out)
{
	struct op op = { .path = path, .st = out };

	return ap_view(h, do_stat, &op);
}

static int do_readdir(struct ap_state *st, void *arg)
{
	struct op *op = arg;
	struct ap_node n;
	int rc = ap_tree_resolve(st, op->path, &n);

	if (rc)
		return rc;
	if (n.kind != AP_NODE_DIR)
		return -ENOTDIR;
	ap_tree_list(st, &n, op->fill, op->arg);
	return 0;
}

int ap_tree_readdir(struct kvmu_host *h, const char *path, ap_tree_fill fill,
		    void *arg)
{
	struct op op = { .path = path, .fill = fill, .arg = arg };

	return ap_view(h, do_readdir, &op);
}

static int do_readlink(struct ap_state *st, void *arg)
{
	struct op *op = arg;
	struct ap_node n;
	int rc = ap_tree_resolve(st, op->path, &n);

	if (rc)
		return rc;
	if (n.kind != AP_NODE_LINK)
		return -EINVAL;
	snprintf(op->out, op->size, "%s", n.link);
	return 0;
}

int ap_tree_readlink(struct kvmu_host *h, const char *path, char *buf,
		     size_t size)
{
	struct op op = { .path = path, .out = buf, .size = size };

	return ap_view(h, do_readlink, &op);
}

static int resolve_file(struct ap_state *st, const char *path,
			struct ap_node *n)
{
	int rc = ap_tree_resolve(st, path, n);

	if (rc)
		return rc;
	if (n->kind == AP_NODE_DIR)
		return -EISDIR;
	if (n->kind == AP_NODE_LINK)
		return -EINVAL;	/* the tree's own links all lead to dirs */
	return 0;
}

static int do_read(struct ap_state *st, void *arg)
{
	struct op *op = arg;
	struct ap_buf b;
	struct ap_node n;
	int rc = resolve_file(st, op->path, &n);

	if (rc)
		return rc;
	if (!n.attr->show)
		return -EACCES;
	b = (struct ap_buf){ .p = malloc(AP_SHOW_MAX), .size = AP_SHOW_MAX };
	if (!b.p)
		return -ENOMEM;
	rc = n.attr->show(st, &n, &b);
	if (!rc && b.len > op->size)
		rc = -ERANGE;
	if (!rc) {
		memcpy(op->out, b.p, b.len);
		rc = (int)b.len;
	}
	free(b.p);
	return rc;
}

ssize_t kvmu_host_read(struct kvmu_host *host, const char *path, char *buf,
		       size_t size)
{
	struct op op = { .path = path, .out = buf, .size = size };

	return ap_view(host, do_read, &op);
}

static int do_write(struct ap_state *st, void *arg)
{
	struct op *op = arg;
	struct ap_node n;
	char *copy;
	int rc = resolve_file(st, op->path, &n);

	if (rc)
		return rc;
	if (!n.attr->store)
		return -EACCES;
	/* sysfs hands store() a NUL-terminated copy of the bytes */
	copy = malloc(op->len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, op->in, op->len);
	copy[op->len] = 0;
	rc = n.attr->store(st, &n, copy, op->len);
	free(copy);
	return rc;
}

ssize_t kvmu_host_write(struct kvmu_host *host, const char *path,
			const char *buf, size_t len)
{
	struct op op = { .path = path, .in = buf, .len = len };
	int rc;

	if (len > AP_WRITE_MAX)
		return -E2BIG;
	if (!len) {
		/* sysfs ignores an empty write, but the file must exist */
		struct ap_tree_stat st;

		rc = ap_tree_stat(host, path, &st);
		return rc ? rc : 0;
	}
	rc = ap_update(host, do_write, &op);
	return rc < 0 ? rc : (ssize_t)len;
}

int kvmu_host_write_str(struct kvmu_host *host, const char *path,
			const char *str)
{
	ssize_t rc = kvmu_host_write(host, path, str, strlen(str));

	return rc < 0 ? (int)rc : 0;
}
