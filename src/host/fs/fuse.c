// SPDX-License-Identifier: MIT
/*
 * The tree as a FUSE file system.  Every request is one transaction on the
 * shared state file, so any number of mounts, CLI runs and guests see one
 * host.  Write handlers return the kernel's -errno, which the shell prints
 * ("write error: Address already in use").  Attribute and entry caching are
 * off and files are direct-I/O: every cat and echo reaches the model.
 */
#define FUSE_USE_VERSION 31

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "host/fs/tree.h"

static struct kvmu_host *host_of(void)
{
	return fuse_get_context()->private_data;
}

static int fs_getattr(const char *path, struct stat *sb,
		      struct fuse_file_info *fi)
{
	struct ap_tree_stat ts;
	char link[256];
	int rc;

	(void)fi;
	rc = ap_tree_stat(host_of(), path, &ts);
	if (rc)
		return rc;
	memset(sb, 0, sizeof(*sb));
	sb->st_uid = getuid();
	sb->st_gid = getgid();
	sb->st_mtime = sb->st_atime = sb->st_ctime = time(NULL);
	switch (ts.kind) {
	case AP_NODE_DIR:
		sb->st_mode = S_IFDIR | ts.mode;
		sb->st_nlink = 2;
		break;
	case AP_NODE_LINK:
		sb->st_mode = S_IFLNK | 0777;
		sb->st_nlink = 1;
		if (!ap_tree_readlink(host_of(), path, link, sizeof(link)))
			sb->st_size = (off_t)strlen(link);
		break;
	default:
		sb->st_mode = S_IFREG | ts.mode;
		sb->st_nlink = 1;
		sb->st_size = 4096;	/* what sysfs reports */
		break;
	}
	return 0;
}

static int fs_readlink(const char *path, char *buf, size_t size)
{
	return ap_tree_readlink(host_of(), path, buf, size);
}

struct fill_ctx {
	void *buf;
	fuse_fill_dir_t filler;
};

static void fill_one(void *arg, const char *name, int kind)
{
	struct fill_ctx *c = arg;

	(void)kind;
	c->filler(c->buf, name, NULL, 0, 0);
}

static int fs_readdir(const char *path, void *buf, fuse_fill_dir_t filler,
		      off_t off, struct fuse_file_info *fi,
		      enum fuse_readdir_flags flags)
{
	struct fill_ctx c = { buf, filler };

	(void)off;
	(void)fi;
	(void)flags;
	filler(buf, ".", NULL, 0, 0);
	filler(buf, "..", NULL, 0, 0);
	return ap_tree_readdir(host_of(), path, fill_one, &c);
}

/* kernfs refuses at open time what the attribute cannot do: EACCES. */
static int fs_open(const char *path, struct fuse_file_info *fi)
{
	struct ap_tree_stat ts;
	int acc = fi->flags & O_ACCMODE, rc;

	rc = ap_tree_stat(host_of(), path, &ts);
	if (rc)
		return rc;
	if (ts.kind == AP_NODE_DIR)
		return -EISDIR;
	if ((acc != O_RDONLY && !(ts.mode & 0200)) ||
	    (acc != O_WRONLY && !(ts.mode & 0444)))
		return -EACCES;
	fi->direct_io = 1;
	return 0;
}

static int fs_read(const char *path, char *buf, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	char *content = malloc(AP_SHOW_MAX);
	ssize_t len;

	(void)fi;
	if (!content)
		return -ENOMEM;
	len = kvmu_host_read(host_of(), path, content, AP_SHOW_MAX);
	if (len >= 0) {
		if (off >= len) {
			len = 0;
		} else {
			len -= off;
			if ((size_t)len > size)
				len = (ssize_t)size;
			memcpy(buf, content + off, (size_t)len);
		}
	}
	free(content);
	return (int)len;
}

static int fs_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	(void)off;
	(void)fi;
	return (int)kvmu_host_write(host_of(), path, buf, size);
}

/* `echo > file` opens with O_TRUNC: sysfs ignores it, and so do we. */
static int fs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct ap_tree_stat ts;

	(void)size;
	(void)fi;
	return ap_tree_stat(host_of(), path, &ts);
}

static void *fs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	(void)conn;
	cfg->entry_timeout = 0;
	cfg->attr_timeout = 0;
	cfg->negative_timeout = 0;
	cfg->use_ino = 0;
	return fuse_get_context()->private_data;
}

static const struct fuse_operations fs_ops = {
	.init = fs_init,
	.getattr = fs_getattr,
	.readlink = fs_readlink,
	.readdir = fs_readdir,
	.open = fs_open,
	.read = fs_read,
	.write = fs_write,
	.truncate = fs_truncate,
};

int kvmu_host_fuse_main(struct kvmu_host *host, const char *mountpoint,
			int foreground, int debug)
{
	char *argv[16];
	int argc = 0, rc;

	argv[argc++] = "kvmu-host";
	argv[argc++] = (char *)mountpoint;
	argv[argc++] = "-s";	/* one thread: requests are serialized anyway */
	argv[argc++] = "-o";
	argv[argc++] = geteuid() == 0 ?
		"fsname=kvmu-host,subtype=kvmu,allow_other" :
		"fsname=kvmu-host,subtype=kvmu";
	if (foreground)
		argv[argc++] = "-f";
	if (debug)
		argv[argc++] = "-d";
	argv[argc] = NULL;
	rc = fuse_main(argc, argv, &fs_ops, host);
	return rc ? -EIO : 0;
}
