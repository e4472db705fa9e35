// SPDX-License-Identifier: MIT
/*
 * The Ultravisor's call interface: one table line per UV command (code,
 * smallest UVCB, handler), big-endian UVCBs as the kernel builds them
 * (arch/s390/include/asm/uv.h offsets), rc/rrc written back.  The
 * configurations live in a process-wide table; a handle is the table
 * index plus a generation, so a stale handle is refused (rc 0x0020).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "host/uv/uv_int.h"

#define UV_MAX_STOR	(1ULL << 42)	/* 4 TiB: max guest address + 1 */

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static struct uv_cfg *table[UV_MAX_GUESTS];
static uint32_t generation;

static uint64_t rd(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

static void wr(uint8_t *p, uint64_t v, int n)
{
	while (n--) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

struct uv_cfg *uv_cfg_get(uint64_t handle)
{
	uint64_t i = (handle & 0xffffffffULL) - 1;
	struct uv_cfg *c = NULL;

	pthread_mutex_lock(&table_lock);
	if (i < UV_MAX_GUESTS && table[i] && table[i]->handle == handle &&
	    !table[i]->dead) {
		c = table[i];
		c->refs++;
	}
	pthread_mutex_unlock(&table_lock);
	return c;
}

struct uv_cfg *uv_cfg_find_slot(uint64_t slot)
{
	struct uv_cfg *c = NULL;

	pthread_mutex_lock(&table_lock);
	if (slot - 1 < UV_MAX_GUESTS && table[slot - 1] &&
	    !table[slot - 1]->dead) {
		c = table[slot - 1];
		c->refs++;
	}
	pthread_mutex_unlock(&table_lock);
	return c;
}

void uv_cfg_put(struct uv_cfg *c)
{
	bool last;

	pthread_mutex_lock(&table_lock);
	last = --c->refs == 0 && c->dead;
	pthread_mutex_unlock(&table_lock);
	if (!last)
		return;
	uv_pages_free(c);
	uv_retired_free(c);
	free(c->retired);
	se_digests_free(&c->dig);
	OPENSSL_cleanse(&c->sec, sizeof(c->sec));
	OPENSSL_cleanse(c->page_key, sizeof(c->page_key));
	pthread_mutex_destroy(&c->lock);
	free(c->used);
	free(c);
}

/* The configuration and CPU slot of a CPU handle. */
static struct uv_cfg *cpu_get(uint64_t handle, struct uv_cpu **cpu)
{
	struct uv_cfg *c = uv_cfg_get(handle >> 8);
	uint64_t slot = (handle & 0xff) - 1;

	if (c && slot < UV_MAX_CPUS && c->cpus[slot].handle == handle) {
		*cpu = &c->cpus[slot];
		return c;
	}
	if (c)
		uv_cfg_put(c);
	return NULL;
}

/* ---- the commands: each returns the rc, may set *rrc ---- */

static uint16_t cmd_query(uint8_t *cb, uint16_t *rrc)
{
	static const uint8_t calls[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11,
					 13, 14, 15, 16, 17, 18, 19, 20, 21,
					 22, 23, 24, 25, 26, 27 };
	size_t i;

	(void)rrc;
	for (i = 0; i < sizeof(calls); i++)
		cb[0x10 + calls[i] / 8] |= (uint8_t)(0x80 >> (calls[i] % 8));
	wr(cb + 0x68, UV_CPU_DUMP_LEN, 8);	/* guest CPU storage */
	wr(cb + 0x7c, UV_MAX_GUESTS, 4);
	wr(cb + 0x80, UV_MAX_STOR - 1, 8);
	wr(cb + 0x9e, UV_MAX_CPUS - 1, 2);
	wr(cb + 0xb0, 1, 8);			/* SE header version 0x100 */
	wr(cb + 0xb8, SE_PCF_SUPPORTED, 8);
	wr(cb + 0xc8, UV_DUMP_STOR_PER_1M, 8);
	wr(cb + 0xd0, UV_DUMP_FINAL_LEN, 8);
	return UVC_RC_EXECUTED;
}

static uint16_t cmd_create_conf(uint8_t *cb, uint16_t *rrc)
{
	uint64_t len = rd(cb + 0x40, 8), i;
	struct uv_cfg *c;

	(void)rrc;
	if (rd(cb + 0x38, 8) || !len || len > UV_MAX_STOR || (len & 0xfffff))
		return UVC_RC_INV_ADDR;
	c = calloc(1, sizeof(*c));
	if (!c)
		return UVC_RC_NO_RESUME;
	c->stor_len = len;
	c->l1 = (len / 4096 + UV_L2_PAGES - 1) / UV_L2_PAGES;
	c->pages = calloc(c->l1, sizeof(*c->pages));
	if (!c->pages || RAND_bytes(c->page_key, 32) != 1) {
		free(c->pages);
		free(c);
		return UVC_RC_NO_RESUME;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_lock(&table_lock);
	for (i = 0; i < UV_MAX_GUESTS && table[i]; i++)
		;
	if (i < UV_MAX_GUESTS) {
		c->handle = (uint64_t)++generation << 32 | (i + 1);
		c->handle &= 0xffffffffffULL;	/* room for CPU slots */
		c->refs = 1;
		table[i] = c;
	}
	pthread_mutex_unlock(&table_lock);
	if (i == UV_MAX_GUESTS) {
		c->dead = true;
		c->refs = 1;
		uv_cfg_put(c);
		return UVC_RC_NO_RESUME | UVC_RC_NEED_DESTROY;
	}
	wr(cb + 0x18, c->handle, 8);
	return UVC_RC_EXECUTED;
}

static uint16_t cmd_destroy_conf(uint8_t *cb, uint16_t *rrc)
{
	struct uv_cfg *c = uv_cfg_get(rd(cb + 0x18, 8));
	uint64_t i;

	(void)rrc;
	if (!c)
		return UVC_RC_INV_GHANDLE;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < UV_MAX_CPUS; i++)
		if (c->cpus[i].handle)
			break;
	pthread_mutex_unlock(&c->lock);
	if (i < UV_MAX_CPUS) {
		uv_cfg_put(c);
		return UVC_RC_INV_STATE;	/* secure CPUs still exist */
	}
	pthread_mutex_lock(&c->lock);
	uv_pages_destroy(c);		/* no plaintext, no export left */
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_lock(&table_lock);
	table[(c->handle & 0xffffffffULL) - 1] = NULL;
	c->dead = true;
	c->refs--;				/* the table's reference */
	pthread_mutex_unlock(&table_lock);
	uv_cfg_put(c);
	return UVC_RC_EXECUTED;
}

static uint16_t cmd_create_cpu(uint8_t *cb, uint16_t *rrc)
{
	struct uv_cfg *c = uv_cfg_get(rd(cb + 0x20, 8));
	uint16_t addr = (uint16_t)rd(cb + 0x36, 2), rc = UVC_RC_EXECUTED;
	uint64_t i, free_slot = UV_MAX_CPUS;

	(void)rrc;
	if (!c)
		return UVC_RC_INV_GHANDLE;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < UV_MAX_CPUS; i++) {
		if (c->cpus[i].handle && c->cpus[i].addr == addr)
			rc = UVC_RC_INV_STATE;
		if (!c->cpus[i].handle && free_slot == UV_MAX_CPUS)
			free_slot = i;
	}
	if (addr >= UV_MAX_CPUS || free_slot == UV_MAX_CPUS)
		rc = UVC_RC_INV_ADDR;
	if (rc == UVC_RC_EXECUTED) {
		c->cpus[free_slot] = (struct uv_cpu){
			.handle = c->handle << 8 | (free_slot + 1),
			.addr = addr, .state = UV_CPU_STOPPED,
		};
		wr(cb + 0x18, c->cpus[free_slot].handle, 8);
	}
	pthread_mutex_unlock(&c->lock);
	uv_cfg_put(c);
	return rc;
}

static uint16_t cmd_destroy_cpu(uint8_t *cb, uint16_t *rrc)
{
	struct uv_cpu *cpu;
	struct uv_cfg *c = cpu_get(rd(cb + 0x18, 8), &cpu);

	(void)rrc;
	if (!c)
		return UVC_RC_INV_CHANDLE;
	pthread_mutex_lock(&c->lock);
	memset(cpu, 0, sizeof(*cpu));
	pthread_mutex_unlock(&c->lock);
	uv_cfg_put(c);
	return UVC_RC_EXECUTED;
}

static uint16_t conf_set_parms(struct uv_cfg *c, uint8_t *cb, uint16_t *rrc)
{
	const uint8_t *hdr = (const uint8_t *)(uintptr_t)rd(cb + 0x20, 8);
	uint64_t len = rd(cb + 0x28, 4);
	EVP_PKEY *key = NULL;
	uint16_t rc;

	if (c->phase != CFG_NEW) {
		rc = UVC_RC_INV_STATE;
	} else if (!hdr || len > UV_HDR_MAX) {
		rc = UVC_RC_HDR_CORRUPT;
		*rrc = UVC_RRC_HDR_LEN;
	} else if (uv_hostkey_load(NULL, &key)) {
		rc = UVC_RC_HOSTKEY;	/* no host key installed */
		*rrc = UVC_RRC_NO_SLOT;
	} else {
		rc = se_hdr_open(hdr, len, key, &c->hdr, &c->sec, rrc);
	}
	EVP_PKEY_free(key);
	if (rc == UVC_RC_EXECUTED && se_digests_init(&c->dig))
		rc = UVC_RC_NO_RESUME;
	if (rc == UVC_RC_EXECUTED)
		c->phase = CFG_PARAMS;
	return rc;
}

static uint16_t conf_unpack(struct uv_cfg *c, uint8_t *cb, uint16_t *rrc)
{
	return c->phase != CFG_PARAMS ? UVC_RC_INV_STATE :
	       uv_unpack(c, rd(cb + 0x20, 8), rd(cb + 0x28, 8),
			 rd(cb + 0x30, 8), rrc);
}

/* Compare the unpacked pages with the header: count, then ALD/PLD/TLD. */
static uint16_t verify(struct uv_cfg *c, uint16_t *rrc)
{
	uint8_t pld[64], ald[64], tld[64];

	if (se_digests_final(&c->dig, pld, ald, tld))
		return UVC_RC_NO_RESUME;
	if (c->dig.nep != c->hdr.nep)
		*rrc = UVC_RRC_NEP;
	else if (CRYPTO_memcmp(ald, c->hdr.ald, 64))
		*rrc = UVC_RRC_ALD;
	else if (CRYPTO_memcmp(pld, c->hdr.pld, 64))
		*rrc = UVC_RRC_PLD;
	else if (CRYPTO_memcmp(tld, c->hdr.tld, 64))
		*rrc = UVC_RRC_TLD;
	return *rrc ? UVC_RC_IMG_MISMATCH : UVC_RC_EXECUTED;
}

static uint16_t conf_verify(struct uv_cfg *c, uint8_t *cb, uint16_t *rrc)
{
	uint16_t rc;

	(void)cb;
	rc = c->phase != CFG_PARAMS ? UVC_RC_INV_STATE : verify(c, rrc);
	se_digests_free(&c->dig);
	if (rc == UVC_RC_EXECUTED)
		c->phase = CFG_VERIFIED;
	else if (c->phase == CFG_PARAMS && se_digests_init(&c->dig))
		rc = UVC_RC_NO_RESUME;	/* a failed verify starts again */
	return rc;
}

/* Conf calls without data: prepare reset, unshare all, dump init. */
static uint16_t conf_simple(struct uv_cfg *c, uint8_t *cb, uint16_t *rrc)
{
	uint16_t cmd = (uint16_t)rd(cb + 2, 2), rc = UVC_RC_EXECUTED;

	(void)rrc;
	if (cmd == UVC_CMD_PREPARE_RESET || cmd == UVC_CMD_SET_UNSHARE_ALL)
		uv_unshare_all(c);
	if (cmd == UVC_CMD_DUMP_INIT) {
		if (c->phase != CFG_VERIFIED ||
		    !(c->hdr.pcf & SE_PCF_ALLOW_DUMP))
			rc = UVC_RC_INV_STATE;
		else if (c->dumping)
			rc = UVC_RC_INV_STATE;
		else
			c->dumping = true;
	}
	return rc;
}

static uint16_t cmd_cpu_state(uint8_t *cb, uint16_t *rrc)
{
	uint16_t cmd = (uint16_t)rd(cb + 2, 2), rc = UVC_RC_EXECUTED;
	uint8_t st = cb[0x27];
	struct uv_cpu *cpu;
	struct uv_cfg *c = cpu_get(rd(cb + 0x18, 8), &cpu);

	(void)rrc;
	if (!c)
		return UVC_RC_INV_CHANDLE;
	pthread_mutex_lock(&c->lock);
	if (cmd != UVC_CMD_CPU_SET_STATE) {
		cpu->load_pending = false;	/* a reset */
	} else if (st == UV_CPU_OPERATING_LOAD) {
		if (c->phase != CFG_VERIFIED)
			rc = UVC_RC_INV_STATE;
		else
			cpu->load_pending = true;
		cpu->state = st;
	} else if (st == UV_CPU_OPERATING || st == UV_CPU_STOPPED ||
		   st == UV_CPU_CHECK_STOP) {
		cpu->state = st;
	} else {
		rc = UVC_RC_INV_STATE;
	}
	pthread_mutex_unlock(&c->lock);
	uv_cfg_put(c);
	return rc;
}

static uint16_t conf_conv_to(struct uv_cfg *c, uint8_t *cb, uint16_t *rrc)
{
	return uv_import(c, rd(cb + 0x20, 8), rrc);
}

/* Export, destroy, pin or unpin the secure page at a host address. */
static uint16_t cmd_host_page(uint8_t *cb, uint16_t *rrc)
{
	uint16_t cmd = (uint16_t)rd(cb + 2, 2), rc = UVC_RC_EXECUTED;
	uint64_t gfn;
	struct uv_cfg *c = uv_find_host_page(rd(cb + 0x18, 8), &gfn);
	struct uv_page *pg;

	(void)rrc;
	if (!c)
		return cmd == UVC_CMD_CONV_FROM_SEC_STOR ?
		       UVC_RC_EXECUTED : UVC_RC_INV_ADDR;
	pthread_mutex_lock(&c->lock);
	pg = uv_page(c, gfn, false);
	if (cmd == UVC_CMD_CONV_FROM_SEC_STOR) {
		if (pg && pg->state == UV_PG_SECURE)
			rc = uv_export(c, gfn, pg);
	} else if (cmd == UVC_CMD_DESTR_SEC_STOR) {
		if (pg && pg->state != UV_PG_SHARED && c->mem.host_page) {
			uint8_t *host = c->mem.host_page(c->mem.opaque,
							 gfn << 12);

			if (pg->state == UV_PG_SECURE)
				c->st.secure_pages--;
			uv_page_destroy(c, pg);
			if (host)
				memset(host, 0, 4096);
		}
	} else if (!pg || pg->state != UV_PG_SHARED) {
		rc = UVC_RC_INV_STATE;	/* pin/unpin: shared pages only */
	}
	pthread_mutex_unlock(&c->lock);
	uv_cfg_put(c);
	return rc;
}

/*
 * A command on one secure configuration, named by the guest handle at
 * 0x18: conf runs with the configuration held and locked; fn, when the
 * command finds its objects itself.
 */
static const struct {
	uint16_t cmd, min_len;
	uint16_t (*fn)(uint8_t *cb, uint16_t *rrc);
	uint16_t (*conf)(struct uv_cfg *c, uint8_t *cb, uint16_t *rrc);
} cmds[] = {
	{ UVC_CMD_QUI,			0x120,	cmd_query },
	{ UVC_CMD_CREATE_SEC_CONF,	0x58,	cmd_create_conf },
	{ UVC_CMD_DESTROY_SEC_CONF,	0x20,	cmd_destroy_conf },
	{ UVC_CMD_DESTROY_SEC_CONF_FAST, 0x20,	cmd_destroy_conf },
	{ UVC_CMD_CREATE_SEC_CPU,	0x40,	cmd_create_cpu },
	{ UVC_CMD_DESTROY_SEC_CPU,	0x20,	cmd_destroy_cpu },
	{ UVC_CMD_CONV_TO_SEC_STOR,	0x28,	NULL, conf_conv_to },
	{ UVC_CMD_CONV_FROM_SEC_STOR,	0x20,	cmd_host_page },
	{ UVC_CMD_DESTR_SEC_STOR,	0x20,	cmd_host_page },
	{ UVC_CMD_SET_SEC_CONF_PARAMS,	0x30,	NULL, conf_set_parms },
	{ UVC_CMD_UNPACK_IMG,		0x38,	NULL, conf_unpack },
	{ UVC_CMD_VERIFY_IMG,		0x20,	NULL, conf_verify },
	{ UVC_CMD_CPU_RESET,		0x20,	cmd_cpu_state },
	{ UVC_CMD_CPU_RESET_INITIAL,	0x20,	cmd_cpu_state },
	{ UVC_CMD_CPU_RESET_CLEAR,	0x20,	cmd_cpu_state },
	{ UVC_CMD_CPU_SET_STATE,	0x28,	cmd_cpu_state },
	{ UVC_CMD_PREPARE_RESET,	0x20,	NULL, conf_simple },
	{ UVC_CMD_SET_UNSHARE_ALL,	0x20,	NULL, conf_simple },
	{ UVC_CMD_PIN_PAGE_SHARED,	0x20,	cmd_host_page },
	{ UVC_CMD_UNPIN_PAGE_SHARED,	0x20,	cmd_host_page },
	{ UVC_CMD_DUMP_INIT,		0x20,	NULL, conf_simple },
	{ UVC_CMD_DUMP_CONF_STOR_STATE,	0x30,	uv_cmd_dump },
	{ UVC_CMD_DUMP_CPU,		0x30,	uv_cmd_dump },
	{ UVC_CMD_DUMP_COMPLETE,	0x30,	uv_cmd_dump },
};

static uint16_t on_conf(uint8_t *cb, uint16_t *rrc,
		       uint16_t (*conf)(struct uv_cfg *, uint8_t *, uint16_t *))
{
	struct uv_cfg *c = uv_cfg_get(rd(cb + 0x18, 8));
	uint16_t rc;

	if (!c)
		return UVC_RC_INV_GHANDLE;
	pthread_mutex_lock(&c->lock);
	rc = conf(c, cb, rrc);
	pthread_mutex_unlock(&c->lock);
	uv_cfg_put(c);
	return rc;
}

int kvmu_uv_call(void *uvcb)
{
	uint8_t *cb = uvcb;
	uint16_t len, cmd, rc = UVC_RC_INV_CMD, rrc = 0;
	size_t i;

	if (!cb)
		return 1;
	len = (uint16_t)rd(cb, 2);
	cmd = (uint16_t)rd(cb + 2, 2);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (cmds[i].cmd != cmd)
			continue;
		if (len < cmds[i].min_len)
			rc = UVC_RC_INV_LEN;
		else if (cmds[i].conf)
			rc = on_conf(cb, &rrc, cmds[i].conf);
		else
			rc = cmds[i].fn(cb, &rrc);
		break;
	}
	wr(cb + 4, rc, 2);
	wr(cb + 6, rrc, 2);
	return rc == UVC_RC_EXECUTED ? 0 : 1;
}

int kvmu_uv_guest_call(uint64_t handle, uint8_t *cb, size_t len)
{
	uint16_t cmd = (uint16_t)rd(cb + 2, 2), rc = UVC_RC_INV_CMD;
	struct uv_cfg *c;

	if (len < 0x20 || rd(cb, 2) < 0x20) {
		rc = UVC_RC_INV_LEN;
	} else if (cmd == UVC_CMD_SET_SHARED_ACCESS ||
		   cmd == UVC_CMD_REMOVE_SHARED_ACCESS) {
		c = uv_cfg_get(handle);
		rc = UVC_RC_INV_GHANDLE;
		if (c) {
			pthread_mutex_lock(&c->lock);
			rc = uv_share(c, rd(cb + 0x18, 8),
				      cmd == UVC_CMD_SET_SHARED_ACCESS);
			pthread_mutex_unlock(&c->lock);
			uv_cfg_put(c);
		}
	}
	wr(cb + 4, rc, 2);
	wr(cb + 6, 0, 2);
	return rc == UVC_RC_EXECUTED ? 0 : 1;
}

int kvmu_uv_set_mem(uint64_t handle, const struct kvmu_uv_mem *mem)
{
	struct uv_cfg *c = uv_cfg_get(handle);

	if (!c)
		return -ENOENT;
	pthread_mutex_lock(&c->lock);
	c->mem = *mem;
	pthread_mutex_unlock(&c->lock);
	uv_cfg_put(c);
	return 0;
}

int kvmu_uv_cpu_take_load(uint64_t cpu_handle, uint64_t *mask,
			  uint64_t *addr)
{
	struct uv_cpu *cpu;
	struct uv_cfg *c = cpu_get(cpu_handle, &cpu);
	int rc = 0;

	if (!c)
		return -ENOENT;
	pthread_mutex_lock(&c->lock);
	if (cpu->load_pending && c->phase == CFG_VERIFIED) {
		*mask = c->sec.psw_mask;
		*addr = c->sec.psw_addr;
		cpu->load_pending = false;
		rc = 1;
	}
	pthread_mutex_unlock(&c->lock);
	uv_cfg_put(c);
	return rc;
}

int kvmu_uv_stats(uint64_t handle, struct kvmu_uv_stats *st)
{
	struct uv_cfg *c = uv_cfg_get(handle);

	if (!c)
		return -ENOENT;
	pthread_mutex_lock(&c->lock);
	*st = c->st;
	pthread_mutex_unlock(&c->lock);
	uv_cfg_put(c);
	return 0;
}
