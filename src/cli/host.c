// SPDX-License-Identifier: MIT
/*
 * `kvmu host`: administer the simulated s390 host (AP bus, vfio_ap).
 * Every subcommand is a thin layer over include/kvmu/host.h; writes go
 * through the same sysfs-style files as the FUSE tree, so errors are the
 * kernel's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "kvmu/host.h"
#include "host/uv/uv.h"

#define MDEV_DIR "devices/vfio_ap/matrix"
#define TYPE_DIR MDEV_DIR "/mdev_supported_types/vfio_ap-passthrough"

static const char usage_text[] =
"usage: kvmu host [--dir DIR] COMMAND [ARGS]\n"
"\n"
"The simulated s390 host: AP adapters, the AP bus masks, the vfio_ap\n"
"driver and its matrix mediated devices.  State lives in DIR (default\n"
"$KVMU_HOST_DIR, else /var/lib/kvmu) and is shared by all processes.\n"
"\n"
"commands:\n"
"  mount [-f] [-d] MOUNTPOINT   serve the sysfs-shaped tree with FUSE\n"
"                               (-f: stay in the foreground, -d: debug)\n"
"  list | lszcrypt              cards and queues: type, mode, driver, mdev\n"
"  init [CONFIG]                boot the host from CONFIG (default: the\n"
"                               bundled machine); removes every mdev\n"
"  config [--default]           print the machine configuration\n"
"  apmask [VALUE]               show or write /sys/bus/ap/apmask\n"
"  aqmask [VALUE]               show or write /sys/bus/ap/aqmask\n"
"  mdev list                    mdevs with their matrix and user\n"
"  mdev create [UUID]           create an mdev (a new UUID if none)\n"
"  mdev remove UUID             remove it\n"
"  mdev assign UUID KIND ID     KIND: adapter, domain, control-domain\n"
"  mdev unassign UUID KIND ID\n"
"  mdev show UUID               matrix, guest_matrix, control_domains\n"
"  mdev hold UUID [SECONDS]     open it as a guest would, until killed\n"
"  mdev group UUID              its iommu_group: the N of /dev/vfio/N\n"
"  read PATH                    cat a file of the tree (bus/ap/apmask)\n"
"  write PATH VALUE             echo VALUE into it\n"
"  check                        verify no APQN is shared or host-reserved\n"
"  log                          print the kernel-style log\n"
"  hostkey [--new]              print the Ultravisor's host-key document\n"
"                               (X.509, PEM) for `kvmu pvimg create -k`;\n"
"                               --new: replace the key (a new machine)\n";

static int report(const char *what, const char *path, int rc)
{
	fprintf(stderr, "kvmu host: %s %s: %s (%s)\n", what, path,
		strerror(-rc), strerrorname_np(-rc) ?: "?");
	return 1;
}

static int cat(struct kvmu_host *h, const char *path)
{
	static char buf[65536];
	ssize_t n = kvmu_host_read(h, path, buf, sizeof(buf));

	if (n < 0)
		return report("read", path, (int)n);
	fwrite(buf, 1, (size_t)n, stdout);
	return 0;
}

/* Like `echo VALUE > PATH`: the value gets a trailing newline. */
static int echo(struct kvmu_host *h, const char *path, const char *value)
{
	char buf[4200];
	ssize_t rc;

	snprintf(buf, sizeof(buf), "%s\n", value);
	rc = kvmu_host_write(h, path, buf, strlen(buf));
	return rc < 0 ? report("write", path, (int)rc) : 0;
}

static int read_str(struct kvmu_host *h, const char *path, char *buf,
		    size_t size)
{
	ssize_t n = kvmu_host_read(h, path, buf, size - 1);

	buf[n < 0 ? 0 : n] = 0;
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = 0;
	return n < 0 ? (int)n : 0;
}

static int cmd_mount(struct kvmu_host *h, int argc, char **argv)
{
	int fg = 0, debug = 0, i;
	const char *mp = NULL;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--foreground"))
			fg = 1;
		else if (!strcmp(argv[i], "-d") || !strcmp(argv[i], "--debug"))
			debug = fg = 1;
		else if (!mp)
			mp = argv[i];
		else
			return 2;
	}
	if (!mp)
		return 2;
	return kvmu_host_fuse_main(h, mp, fg, debug) ? 1 : 0;
}

/* The mdev (if any) whose matrix holds APQN "05.0004". */
static void owner_of(struct kvmu_host *h, unsigned int a, unsigned int d,
		     char *out)
{
	struct kvmu_host_matrix m;
	char uuid[37];
	int i, n = kvmu_host_mdev_count(h);

	strcpy(out, "-");
	for (i = 0; i < n; i++) {
		if (kvmu_host_mdev_uuid(h, i, uuid) ||
		    kvmu_host_mdev_matrix(h, uuid, &m))
			continue;
		if ((m.apm.w[a / 64] >> (63 - a % 64) & 1) &&
		    (m.aqm.w[d / 64] >> (63 - d % 64) & 1))
			strcpy(out, uuid);
	}
}

/* A queue shows "status" when bound to vfio_ap, "online" to cex4queue. */
static void list_queues(struct kvmu_host *h, unsigned int a, const char *type,
			const char *mode)
{
	char path[128], owner[40], status[32];
	const char *drv;
	unsigned int d;

	for (d = 0; d < 256; d++) {
		snprintf(path, sizeof(path),
			 "devices/ap/card%02x/%02x.%04x/status", a, a, d);
		if (!read_str(h, path, status, sizeof(status))) {
			drv = "vfio_ap";
			owner_of(h, a, d, owner);
		} else {
			snprintf(path, sizeof(path),
				 "devices/ap/card%02x/%02x.%04x/online", a, a,
				 d);
			if (read_str(h, path, status, sizeof(status)))
				continue;
			drv = "cex4queue";
			strcpy(status, "online");
			strcpy(owner, "-");
		}
		printf("%02x.%04x     %-6s %-12s %-10s %-10s %s\n", a, d, type,
		       mode, status, drv, owner);
	}
}

static int cmd_list(struct kvmu_host *h, int argc, char **argv)
{
	static const char *const modes[] = { "A", "Accelerator", "C",
		"CCA-Coproc", "P", "EP11-Coproc" };
	char path[128], type[32], adapters[80], mode[16];
	unsigned int a;

	(void)argc;
	(void)argv;
	printf("CARD.DOMAIN TYPE   MODE         STATUS     DRIVER     MDEV\n");
	for (a = 0; a < 256; a++) {
		snprintf(path, sizeof(path), "devices/ap/card%02x/type", a);
		if (read_str(h, path, type, sizeof(type)))
			continue;
		strcpy(mode, "?");
		for (int i = 0; i < 6; i += 2)
			if (type[strlen(type) - 1] == modes[i][0])
				strcpy(mode, modes[i + 1]);
		printf("%02x          %-6s %-12s %-10s %-10s -\n", a, type, mode,
		       "online", "cex4card");
		list_queues(h, a, type, mode);
	}
	/* adapters the bus ignores: configured, but older than CEX4 */
	read_str(h, "bus/ap/ap_adapter_mask", adapters, sizeof(adapters));
	for (a = 0; a < 256; a++) {
		unsigned int nib = (unsigned int)(strchr("0123456789abcdef",
					adapters[2 + a / 4]) - "0123456789abcdef");

		snprintf(path, sizeof(path), "devices/ap/card%02x/type", a);
		if ((nib >> (3 - a % 4) & 1) && read_str(h, path, type, 32))
			printf("%02x          (configured, no device: type "
			       "older than CEX4, not usable by vfio_ap)\n", a);
	}
	return 0;
}

static int read_file(const char *path, char **out)
{
	FILE *f = fopen(path, "r");
	size_t len;

	if (!f)
		return -errno;
	*out = calloc(1, 1 << 20);
	len = *out ? fread(*out, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	if (!*out)
		return -ENOMEM;
	(*out)[len] = 0;
	return 0;
}

static int cmd_init(struct kvmu_host *h, int argc, char **argv)
{
	char *text = NULL, err[256] = "";
	int rc;

	if (argc > 1 && (rc = read_file(argv[1], &text)))
		return report("read", argv[1], rc);
	rc = kvmu_host_init(h, text ? text : kvmu_host_default_config(), err,
			    sizeof(err));
	free(text);
	if (rc) {
		fprintf(stderr, "kvmu host: init: %s\n", err[0] ? err :
			strerror(-rc));
		return 1;
	}
	printf("host %s booted: %s\n", kvmu_host_dir(h),
	       argc > 1 ? argv[1] : "default configuration");
	return 0;
}

static int cmd_config(struct kvmu_host *h, int argc, char **argv)
{
	char path[4200], *text, *end;
	int rc;

	if (argc > 1 && !strcmp(argv[1], "--default")) {
		fputs(kvmu_host_default_config(), stdout);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/state", kvmu_host_dir(h));
	rc = read_file(path, &text);
	if (rc)
		return report("read", path, rc);
	/* the configuration part of the state file is config syntax */
	end = strstr(text, "bus-apmask");
	if (end)
		*end = 0;
	fputs(text, stdout);
	free(text);
	return 0;
}

static int cmd_mask(struct kvmu_host *h, int argc, char **argv)
{
	char path[32];

	snprintf(path, sizeof(path), "bus/ap/%s", argv[0]);
	if (argc > 1 && echo(h, path, argv[1]))
		return 1;
	return cat(h, path);
}

static int mdev_list(struct kvmu_host *h)
{
	char uuid[37], path[128], buf[8192];
	int i, n = kvmu_host_mdev_count(h);

	for (i = 0; i < n; i++) {
		if (kvmu_host_mdev_uuid(h, i, uuid))
			continue;
		snprintf(path, sizeof(path), MDEV_DIR "/%s/matrix", uuid);
		read_str(h, path, buf, sizeof(buf));
		for (char *p = buf; (p = strchr(p, '\n')); )
			*p = ' ';
		printf("%s  matrix: %s\n", uuid, buf[0] ? buf : "(empty)");
	}
	if (!n)
		printf("no mdevs\n");
	return 0;
}

static int new_uuid(char *out)
{
	int fd = open("/proc/sys/kernel/random/uuid", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, out, 36) : -1;

	if (fd >= 0)
		close(fd);
	out[36] = 0;
	return n == 36 ? 0 : -EIO;
}

static int mdev_hold(struct kvmu_host *h, const char *uuid, int secs)
{
	struct kvmu_host_mdev *m;
	int rc = kvmu_host_mdev_open(h, uuid, &m);

	if (rc)
		return report("open", uuid, rc);
	printf("holding %s as a guest (pid %ld)\n", uuid, (long)getpid());
	fflush(stdout);
	if (secs > 0)
		sleep((unsigned int)secs);
	else
		pause();
	kvmu_host_mdev_release(m);
	return 0;
}

static const struct {
	const char *kind, *attr;
} kinds[] = {
	{ "adapter", "adapter" }, { "domain", "domain" },
	{ "control-domain", "control_domain" },
};

static int mdev_assign(struct kvmu_host *h, int argc, char **argv)
{
	char path[160];
	size_t i;

	if (argc < 5)
		return 2;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(argv[3], kinds[i].kind)) {
			snprintf(path, sizeof(path), MDEV_DIR "/%s/%s_%s",
				 argv[2], argv[1], kinds[i].attr);
			return echo(h, path, argv[4]);
		}
	return 2;
}

static int cmd_mdev(struct kvmu_host *h, int argc, char **argv)
{
	char path[160], uuid[40];

	if (argc < 2 || !strcmp(argv[1], "list"))
		return mdev_list(h);
	if (!strcmp(argv[1], "create")) {
		if (argc > 2)
			snprintf(uuid, sizeof(uuid), "%s", argv[2]);
		else if (new_uuid(uuid))
			return report("create", "uuid", -EIO);
		if (echo(h, TYPE_DIR "/create", uuid))
			return 1;
		printf("%s\n", uuid);
		return 0;
	}
	if (argc < 3)
		return 2;
	if (!strcmp(argv[1], "remove")) {
		snprintf(path, sizeof(path), MDEV_DIR "/%s/remove", argv[2]);
		return echo(h, path, "1");
	}
	if (!strcmp(argv[1], "assign") || !strcmp(argv[1], "unassign"))
		return mdev_assign(h, argc, argv);
	if (!strcmp(argv[1], "group")) {
		int g = kvmu_host_mdev_iommu_group(h, argv[2]);

		if (g < 0)
			return report("group", argv[2], g);
		printf("%d\n", g);
		return 0;
	}
	if (!strcmp(argv[1], "hold"))
		return mdev_hold(h, argv[2], argc > 3 ? atoi(argv[3]) : 0);
	if (!strcmp(argv[1], "show")) {
		static const char *const files[] = { "matrix", "guest_matrix",
			"control_domains", "ap_config" };

		for (size_t i = 0; i < 4; i++) {
			snprintf(path, sizeof(path), MDEV_DIR "/%s/%s",
				 argv[2], files[i]);
			printf("%s:\n", files[i]);
			if (cat(h, path))
				return 1;
		}
		return 0;
	}
	return 2;
}

static int cmd_read(struct kvmu_host *h, int argc, char **argv)
{
	return argc < 2 ? 2 : cat(h, argv[1]);
}

static int cmd_write(struct kvmu_host *h, int argc, char **argv)
{
	return argc < 3 ? 2 : echo(h, argv[1], argv[2]);
}

static int cmd_check(struct kvmu_host *h, int argc, char **argv)
{
	char why[256];
	int rc = kvmu_host_check(h, why, sizeof(why));

	(void)argc;
	(void)argv;
	printf("%s\n", rc ? why : "ok: no APQN shared, none reserved twice");
	return rc ? 1 : 0;
}

static int cmd_log(struct kvmu_host *h, int argc, char **argv)
{
	char path[4200], *text;
	int rc;

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "%s/log", kvmu_host_dir(h));
	rc = read_file(path, &text);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return report("read", path, rc);
	fputs(text, stdout);
	free(text);
	return 0;
}

/* The host key of the simulated Ultravisor (src/host/uv/hostkey.c). */
static int cmd_hostkey(struct kvmu_host *h, int argc, char **argv)
{
	char *pem;
	size_t len;
	int rc = 0;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--new")))
		return 2;
	if (argc == 2)
		rc = kvmu_uv_hostkey_regenerate(kvmu_host_dir(h));
	if (!rc)
		rc = kvmu_uv_hostkey_document(kvmu_host_dir(h), &pem, &len);
	if (rc)
		return report("host key in", kvmu_host_dir(h), rc);
	fwrite(pem, 1, len, stdout);
	free(pem);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct kvmu_host *h, int argc, char **argv);
} cmds[] = {
	{ "hostkey", cmd_hostkey },
	{ "mount", cmd_mount }, { "list", cmd_list }, { "lszcrypt", cmd_list },
	{ "init", cmd_init }, { "config", cmd_config },
	{ "apmask", cmd_mask }, { "aqmask", cmd_mask }, { "mdev", cmd_mdev },
	{ "read", cmd_read }, { "write", cmd_write }, { "check", cmd_check },
	{ "log", cmd_log },
};

int kvmu_cli_host(int argc, char **argv)
{
	const char *dir = NULL;
	struct kvmu_host *h;
	size_t i;
	int rc;

	argc--, argv++;
	if (argc >= 2 && !strcmp(argv[0], "--dir")) {
		dir = argv[1];
		argc -= 2, argv += 2;
	}
	if (!argc || !strcmp(argv[0], "--help") || !strcmp(argv[0], "-h")) {
		fputs(usage_text, argc ? stdout : stderr);
		return argc ? 0 : 2;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[0], cmds[i].name))
			break;
	if (i == sizeof(cmds) / sizeof(cmds[0])) {
		fprintf(stderr, "kvmu host: unknown command '%s'\n%s", argv[0],
			usage_text);
		return 2;
	}
	rc = kvmu_host_open(dir, !strcmp(argv[0], "mount") ?
			    KVMU_HOST_LOG_STDERR : 0, &h);
	if (rc)
		return report("open", dir ? dir : "host directory", rc);
	rc = cmds[i].fn(h, argc, argv);
	kvmu_host_close(h);
	if (rc == 2)
		fprintf(stderr, "kvmu host %s: bad arguments (see kvmu host "
			"--help)\n", argv[0]);
	return rc;
}
