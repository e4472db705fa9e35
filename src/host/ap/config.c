// SPDX-License-Identifier: MIT
/*
 * The machine configuration file and the state file share one line syntax:
 * "keyword arg...", '#' starts a comment.  The keywords are a table; the
 * state file adds runtime keywords (masks, mdevs, counters) and must end
 * with "end", so a truncated file can never pass for a valid one.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <strings.h>

#include "host/ap/ap_int.h"

#define MAX_ARGS 8

struct cfg_ctx {
	struct ap_state *st;
	bool ended;
	char *err;
	size_t errlen;
};

typedef int (*kw_fn)(struct cfg_ctx *c, int argc, char **argv);

static int fail(struct cfg_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct cfg_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int num(const char *s, unsigned long max, unsigned long *v)
{
	return ap_kstrtoul(s, v) || *v > max ? -EINVAL : 0;
}

static int u64num(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end || end == s ? -EINVAL : 0;
}

/* Adapter type names: the raw TAPQ type and the mode it implies. */
static const struct {
	const char *name;
	unsigned int hwtype;
	int mode;		/* -1: the mode is given separately */
} type_names[] = {
	{ "CEX2A", 6, AP_MODE_ACCEL }, { "CEX2C", 7, AP_MODE_CCA },
	{ "CEX3A", 8, AP_MODE_ACCEL }, { "CEX3C", 9, AP_MODE_CCA },
	{ "CEX4", 10, -1 }, { "CEX5", 11, -1 }, { "CEX6", 12, -1 },
	{ "CEX7", 13, -1 }, { "CEX8", 14, -1 },
};

static const char *const mode_names[] = {
	[AP_MODE_ACCEL] = "accel", [AP_MODE_CCA] = "cca",
	[AP_MODE_EP11] = "ep11",
};

const char *ap_mode_name(unsigned int mode)
{
	static const char *const pretty[] = {
		[AP_MODE_ACCEL] = "Accelerator", [AP_MODE_CCA] = "CCA-Coproc",
		[AP_MODE_EP11] = "EP11-Coproc",
	};
	return mode < 3 ? pretty[mode] : "?";
}

const char *ap_type_name(unsigned int hwtype, unsigned int mode, char *buf)
{
	static const char suffix[] = { 'A', 'C', 'P' };

	if (hwtype >= 10)
		sprintf(buf, "CEX%u%c", hwtype - 6, suffix[mode % 3]);
	else if (hwtype >= 6)
		sprintf(buf, "CEX%u%c", (hwtype - 2) / 2, hwtype & 1 ? 'C' : 'A');
	else
		sprintf(buf, "type%u", hwtype);
	return buf;
}

static int kw_apxa(struct cfg_ctx *c, int argc, char **argv)
{
	(void)argc;
	if (strcmp(argv[1], "on") && strcmp(argv[1], "off"))
		return fail(c, "apxa: expected on or off");
	c->st->cfg.apxa = !strcmp(argv[1], "on");
	return 0;
}

static int kw_max(struct cfg_ctx *c, int argc, char **argv)
{
	unsigned long v;

	(void)argc;
	if (num(argv[1], 255, &v))
		return fail(c, "%s: expected 0..255", argv[0]);
	if (!strcmp(argv[0], "max-adapter-id"))
		c->st->cfg.na = v;
	else
		c->st->cfg.nd = v;
	return 0;
}

static int kw_adapter(struct cfg_ctx *c, int argc, char **argv)
{
	struct ap_config *cfg = &c->st->cfg;
	unsigned long id, type = 0;
	int mode = -1;
	size_t i;

	if (num(argv[1], 255, &id))
		return fail(c, "adapter: bad id '%s'", argv[1]);
	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (!strcasecmp(argv[2], type_names[i].name)) {
			type = type_names[i].hwtype;
			mode = type_names[i].mode;
		}
	if (!type && (num(argv[2], 255, &type) || !type))
		return fail(c, "adapter: bad type '%s'", argv[2]);
	for (i = 0; argc > 3 && i < 3; i++)
		if (!strcasecmp(argv[3], mode_names[i]))
			mode = (int)i;
	if (mode < 0)
		return fail(c, "adapter %s: mode accel, cca or ep11 needed",
			    argv[1]);
	mask_set(&cfg->apm, id);
	cfg->hwtype[id] = type;
	cfg->mode[id] = mode;
	return 0;
}

static int kw_domains(struct cfg_ctx *c, int argc, char **argv)
{
	ap_mask m;

	(void)argc;
	if (ap_parse_list(argv[1], &m))
		return fail(c, "%s: bad list '%s'", argv[0], argv[1]);
	if (!strcmp(argv[0], "usage-domains"))
		c->st->cfg.aqm = m;
	else
		c->st->cfg.adm = m;
	return 0;
}

/* ap.apmask= / ap.aqmask=: start from zero, then apply the string. */
static int kw_bootmask(struct cfg_ctx *c, int argc, char **argv)
{
	ap_mask zero = { { 0 } }, *m;

	(void)argc;
	m = !strcmp(argv[0], "apmask") ? &c->st->cfg.boot_apmask :
		&c->st->cfg.boot_aqmask;
	if (ap_parse_mask(argv[1], &zero, m))
		return fail(c, "%s: bad mask '%s'", argv[0], argv[1]);
	return 0;
}

static int kw_busmask(struct cfg_ctx *c, int argc, char **argv)
{
	ap_mask *m = !strcmp(argv[0], "bus-apmask") ? &c->st->apmask :
		&c->st->aqmask;

	(void)argc;
	return ap_hex2bitmap(argv[1], m) ? fail(c, "bad %s", argv[0]) : 0;
}

static int kw_counter(struct cfg_ctx *c, int argc, char **argv)
{
	struct ap_state *st = c->st;
	uint64_t v;

	(void)argc;
	if (u64num(argv[1], &v))
		return fail(c, "bad %s", argv[0]);
	if (!strcmp(argv[0], "generation"))
		st->gen = v;
	else if (!strcmp(argv[0], "scans"))
		st->scans = v;
	else if (!strcmp(argv[0], "next-seq"))
		st->next_seq = v;
	else if (!strcmp(argv[0], "config-time"))
		st->config_time = (int)v;
	else
		st->ap_domain = (int)v - 1;	/* stored +1: -1 is "none" */
	return 0;
}

static int kw_mdev(struct cfg_ctx *c, int argc, char **argv)
{
	struct ap_state *st = c->st;
	struct ap_mdev *md;

	(void)argc;
	if (strlen(argv[1]) != AP_UUID_LEN || !ap_uuid_valid(argv[1]))
		return fail(c, "mdev: bad uuid");
	if (st->n_mdev == st->cap_mdev) {
		unsigned int cap = st->cap_mdev ? st->cap_mdev * 2 : 16;
		void *p = realloc(st->mdev, cap * sizeof(*st->mdev));

		if (!p)
			return -ENOMEM;
		st->mdev = p;
		st->cap_mdev = cap;
	}
	md = &st->mdev[st->n_mdev];
	memset(md, 0, sizeof(*md));
	memcpy(md->uuid, argv[1], AP_UUID_LEN + 1);
	if (u64num(argv[2], &md->seq) || ap_hex2bitmap(argv[3], &md->m.apm) ||
	    ap_hex2bitmap(argv[4], &md->m.aqm) ||
	    ap_hex2bitmap(argv[5], &md->m.adm))
		return fail(c, "mdev %s: bad record", argv[1]);
	st->n_mdev++;
	return 0;
}

static int kw_queue(struct cfg_ctx *c, int argc, char **argv)
{
	unsigned int apid, apqi;
	struct ap_qctr *q;
	char tail;

	(void)argc;
	if (sscanf(argv[1], "%2x.%4x%c", &apid, &apqi, &tail) != 2 ||
	    apid > 255 || apqi > 255)
		return fail(c, "queue: bad apqn '%s'", argv[1]);
	q = ap_qctr_get(c->st, apid, apqi, true);
	if (!q)
		return -ENOMEM;
	if (u64num(argv[2], &q->resets) || u64num(argv[3], &q->requests))
		return fail(c, "queue %s: bad counters", argv[1]);
	return 0;
}

static int kw_end(struct cfg_ctx *c, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	c->ended = true;
	return 0;
}

static const struct keyword {
	const char *name;
	int min_args, max_args;	/* not counting the keyword */
	bool state_only;
	kw_fn fn;
} keywords[] = {
	{ "apxa", 1, 1, false, kw_apxa },
	{ "max-adapter-id", 1, 1, false, kw_max },
	{ "max-domain-id", 1, 1, false, kw_max },
	{ "adapter", 2, 3, false, kw_adapter },
	{ "usage-domains", 1, 1, false, kw_domains },
	{ "control-domains", 1, 1, false, kw_domains },
	{ "apmask", 1, 1, false, kw_bootmask },
	{ "aqmask", 1, 1, false, kw_bootmask },
	{ "bus-apmask", 1, 1, true, kw_busmask },
	{ "bus-aqmask", 1, 1, true, kw_busmask },
	{ "generation", 1, 1, true, kw_counter },
	{ "scans", 1, 1, true, kw_counter },
	{ "next-seq", 1, 1, true, kw_counter },
	{ "config-time", 1, 1, true, kw_counter },
	{ "ap-domain", 1, 1, true, kw_counter },
	{ "mdev", 5, 5, true, kw_mdev },
	{ "queue", 3, 3, true, kw_queue },
	{ "end", 0, 0, true, kw_end },
};

static int parse_line(struct cfg_ctx *c, char *line, bool state_file)
{
	char *argv[MAX_ARGS + 1], *save = NULL, *tok;
	int argc = 0;
	size_t i;

	line[strcspn(line, "#")] = 0;
	for (tok = strtok_r(line, " \t\r", &save); tok && argc <= MAX_ARGS;
	     tok = strtok_r(NULL, " \t\r", &save))
		argv[argc++] = tok;
	if (!argc)
		return 0;
	if (c->ended)
		return fail(c, "text after 'end'");
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++) {
		const struct keyword *k = &keywords[i];

		if (strcmp(argv[0], k->name) || (k->state_only && !state_file))
			continue;
		if (argc - 1 < k->min_args || argc - 1 > k->max_args)
			return fail(c, "%s: wrong number of arguments", k->name);
		return k->fn(c, argc, argv);
	}
	return fail(c, "unknown keyword '%s'", argv[0]);
}

static void config_defaults(struct ap_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->apxa = true;
	cfg->na = 255;
	cfg->nd = 255;
	mask_fill(&cfg->boot_apmask);
	mask_fill(&cfg->boot_aqmask);
}

int ap_config_parse(const char *text, struct ap_state *st, bool state_file,
		    char *err, size_t errlen)
{
	struct cfg_ctx c = { .st = st, .err = err, .errlen = errlen };
	char *copy = strdup(text), *line, *save = NULL;
	int lineno = 0, rc = 0;

	if (!copy)
		return -ENOMEM;
	config_defaults(&st->cfg);
	st->n_mdev = st->n_q = 0;
	st->ap_domain = -1;
	st->config_time = 30;
	/* strsep, not strtok: empty lines count for error line numbers */
	for (save = copy; !rc && (line = strsep(&save, "\n")); ) {
		lineno++;
		rc = parse_line(&c, line, state_file);
	}
	if (!rc && state_file && !c.ended)
		rc = fail(&c, "state file is incomplete (no 'end')");
	else if (rc == -EINVAL && err && errlen) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", err);
		snprintf(err, errlen, "line %d: %s", lineno, msg);
	}
	free(copy);
	return rc;
}

void ap_state_boot(struct ap_state *st)
{
	st->apmask = st->cfg.boot_apmask;
	st->aqmask = st->cfg.boot_aqmask;
	st->n_mdev = 0;
	st->n_q = 0;
	st->ap_domain = -1;
	st->config_time = 30;
	st->dirty = true;
}

void ap_state_free(struct ap_state *st)
{
	free(st->mdev);
	free(st->q);
	st->mdev = NULL;
	st->q = NULL;
	st->n_mdev = st->cap_mdev = st->n_q = st->cap_q = 0;
}

static void format_config(const struct ap_config *cfg, FILE *f)
{
	char list[1024], m[67];
	unsigned int i;

	fprintf(f, "apxa %s\nmax-adapter-id %u\nmax-domain-id %u\n",
		cfg->apxa ? "on" : "off", cfg->na, cfg->nd);
	for_each_bit(i, &cfg->apm)
		fprintf(f, "adapter 0x%02x %u %s\n", i, cfg->hwtype[i],
			mode_names[cfg->mode[i] % 3]);
	ap_list_fmt(&cfg->aqm, list, sizeof(list));
	fprintf(f, "usage-domains %s\n", list);
	ap_list_fmt(&cfg->adm, list, sizeof(list));
	fprintf(f, "control-domains %s\n", list);
	ap_mask_fmt(&cfg->boot_apmask, m);
	fprintf(f, "apmask %s\n", m);
	ap_mask_fmt(&cfg->boot_aqmask, m);
	fprintf(f, "aqmask %s\n", m);
}

int ap_state_format(const struct ap_state *st, FILE *f)
{
	char a[67], q[67], d[67];
	unsigned int i;

	fprintf(f, "# kvmu host state: written by kvmu, do not edit\n");
	format_config(&st->cfg, f);
	ap_mask_fmt(&st->apmask, a);
	ap_mask_fmt(&st->aqmask, q);
	fprintf(f, "bus-apmask %s\nbus-aqmask %s\n", a, q);
	fprintf(f, "generation %llu\nscans %llu\nnext-seq %llu\n"
		"config-time %d\nap-domain %d\n",
		(unsigned long long)st->gen, (unsigned long long)st->scans,
		(unsigned long long)st->next_seq, st->config_time,
		st->ap_domain + 1);
	for (i = 0; i < st->n_mdev; i++) {
		const struct ap_mdev *md = &st->mdev[i];

		ap_mask_fmt(&md->m.apm, a);
		ap_mask_fmt(&md->m.aqm, q);
		ap_mask_fmt(&md->m.adm, d);
		fprintf(f, "mdev %s %llu %s %s %s\n", md->uuid,
			(unsigned long long)md->seq, a, q, d);
	}
	for (i = 0; i < st->n_q; i++)
		fprintf(f, "queue %02x.%04x %llu %llu\n", st->q[i].apqn >> 8,
			st->q[i].apqn & 0xff,
			(unsigned long long)st->q[i].resets,
			(unsigned long long)st->q[i].requests);
	fprintf(f, "end\n");
	return ferror(f) ? -EIO : 0;
}

/*
 * The vfio-ap documentation's example machine.  Its walk-through binds
 * exactly eight queues to vfio_ap after "-5,-6" / "-4,-0x47,-0xab,-0xff",
 * so the machine has no other queues: the other adapter is a CEX3C (too
 * old for a device, let alone vfio_ap) and extra domains are control-only.
 */
static const char default_config[] =
	"# kvmu host: the vfio-ap documentation's example machine\n"
	"apxa on\n"
	"max-adapter-id 255\n"
	"max-domain-id 255\n"
	"#       id    type   mode\n"
	"adapter 0x03  CEX3C            # hwtype 9: no device, not vfio_ap\n"
	"adapter 0x05  CEX5   cca\n"
	"adapter 0x06  CEX5   accel\n"
	"usage-domains   0x04,0x47,0xab,0xff\n"
	"control-domains 0-15,0x47,0xab,0xff\n";

const char *kvmu_host_default_config(void)
{
	return default_config;
}
