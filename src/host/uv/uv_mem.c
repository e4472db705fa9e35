// SPDX-License-Identifier: MIT
/*
 * Secure storage.  A secure page's plaintext lives only here, in memory
 * the UV owns; the memory slot page the VMM mapped then holds what the
 * host may see: the image ciphertext right after unpack, and after an
 * export AES-256-GCM ciphertext under a key only this configuration has,
 * the IV being the page's address and an export counter, the tag kept
 * here.  Import (the guest's next access) decrypts and authenticates, so
 * a host write to an exported page is detected, and the plaintext never
 * reaches the slot unless the guest shares the page (UVC 0x1000).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "host/uv/uv_int.h"

#define UVC_RC_NOT_MAPPED	0x010a	/* Linux: -ENXIO */

static void put_be(uint8_t *p, uint64_t v, int n)
{
	while (n--) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

struct uv_page *uv_page(struct uv_cfg *c, uint64_t gfn, bool alloc)
{
	uint64_t i = gfn / UV_L2_PAGES;

	if (gfn >= c->stor_len / 4096)
		return NULL;
	if (!c->pages[i] && alloc)
		c->pages[i] = calloc(UV_L2_PAGES, sizeof(struct uv_page));
	return c->pages[i] ? &c->pages[i][gfn % UV_L2_PAGES] : NULL;
}

static void drop_plain(struct uv_page *pg)
{
	if (pg->plain)
		OPENSSL_cleanse(pg->plain, 4096);
	free(pg->plain);
	pg->plain = NULL;
}

/* Take the plaintext away from a page a running vCPU may still map. */
static void retire_plain(struct uv_cfg *c, struct uv_page *pg)
{
	uint8_t **n;

	if (!pg->plain)
		return;
	OPENSSL_cleanse(pg->plain, 4096);
	if (c->nr_retired == c->cap_retired) {
		n = realloc(c->retired, (c->cap_retired * 2 + 16) * sizeof(*n));
		if (!n)
			return;		/* kept: leaked rather than unsafe */
		c->retired = n;
		c->cap_retired = c->cap_retired * 2 + 16;
	}
	c->retired[c->nr_retired++] = pg->plain;
	pg->plain = NULL;
}

void uv_page_destroy(struct uv_cfg *c, struct uv_page *pg)
{
	retire_plain(c, pg);
	pg->state = UV_PG_HOST;
}

void uv_retired_free(struct uv_cfg *c)
{
	size_t i;

	for (i = 0; i < c->nr_retired; i++)
		free(c->retired[i]);
	c->nr_retired = 0;
}

void uv_pages_free(struct uv_cfg *c)
{
	size_t i, j;

	for (i = 0; c->pages && i < c->l1; i++) {
		for (j = 0; c->pages[i] && j < UV_L2_PAGES; j++)
			drop_plain(&c->pages[i][j]);
		free(c->pages[i]);
	}
	free(c->pages);
	c->pages = NULL;
}

static uint8_t *host_page(struct uv_cfg *c, uint64_t gfn)
{
	return c->mem.host_page ? c->mem.host_page(c->mem.opaque, gfn << 12) :
	       NULL;
}

/* Remember a page made secure, for the next export-all. */
static int mark_used(struct uv_cfg *c, uint64_t gfn, struct uv_page *pg)
{
	uint64_t *n;

	if (pg->used)
		return 0;
	if (c->nr_used == c->cap_used) {
		n = realloc(c->used, (c->cap_used * 2 + 64) * sizeof(*n));
		if (!n)
			return -ENOMEM;
		c->used = n;
		c->cap_used = c->cap_used * 2 + 64;
	}
	c->used[c->nr_used++] = gfn;
	pg->used = true;
	return 0;
}

static void export_iv(uint8_t iv[12], uint64_t gfn, uint32_t seq)
{
	put_be(iv, gfn, 8);
	put_be(iv + 8, seq, 4);
}

/* Make pg secure with plain as its content (ownership passes). */
static uint16_t make_secure(struct uv_cfg *c, uint64_t gfn,
			    struct uv_page *pg, uint8_t *plain)
{
	if (mark_used(c, gfn, pg)) {
		free(plain);
		return UVC_RC_NO_RESUME;
	}
	pg->plain = plain;
	pg->state = UV_PG_SECURE;
	c->st.secure_pages++;
	return UVC_RC_EXECUTED;
}

/* Bring an exported page back: authenticate and decrypt the slot page. */
static uint16_t import_exported(struct uv_cfg *c, uint64_t gfn,
				struct uv_page *pg, const uint8_t *host)
{
	uint8_t iv[12], *plain = aligned_alloc(4096, 4096);

	if (!plain)
		return UVC_RC_NO_RESUME;
	export_iv(iv, gfn, pg->seq);
	if (se_gcm(c->page_key, iv, NULL, 0, host, 4096, plain, pg->tag, 0)) {
		free(plain);
		c->st.integrity_failures++;
		return UVC_RC_PAGE_INTEGRITY;
	}
	c->st.imports++;
	c->st.secure_pages--;		/* make_secure counts it again */
	return make_secure(c, gfn, pg, plain);
}

uint16_t uv_export(struct uv_cfg *c, uint64_t gfn, struct uv_page *pg)
{
	uint8_t iv[12], *host = host_page(c, gfn);

	if (!host)
		return UVC_RC_NOT_MAPPED;
	pg->seq++;
	export_iv(iv, gfn, pg->seq);
	if (se_gcm(c->page_key, iv, NULL, 0, pg->plain, 4096, host, pg->tag,
		   1))
		return UVC_RC_NO_RESUME;
	retire_plain(c, pg);
	pg->state = UV_PG_EXPORTED;
	c->st.exports++;
	return UVC_RC_EXECUTED;
}

/* A page becomes the guest's (import): from host, shared or exported. */
static uint16_t to_secure(struct uv_cfg *c, uint64_t gfn, struct uv_page *pg)
{
	uint8_t *host = host_page(c, gfn), *plain;

	if (!host)
		return UVC_RC_NOT_MAPPED;
	if (pg->state == UV_PG_SECURE)
		return UVC_RC_EXECUTED;
	if (pg->state == UV_PG_EXPORTED)
		return import_exported(c, gfn, pg, host);
	plain = aligned_alloc(4096, 4096);
	if (!plain)
		return UVC_RC_NO_RESUME;
	memcpy(plain, host, 4096);
	return make_secure(c, gfn, pg, plain);
}

uint16_t uv_import(struct uv_cfg *c, uint64_t gaddr, uint16_t *rrc)
{
	struct uv_page *pg = uv_page(c, gaddr >> 12, true);

	(void)rrc;
	if (!pg)
		return UVC_RC_INV_ADDR;
	if (pg->state == UV_PG_SHARED)
		return UVC_RC_EXECUTED;
	return to_secure(c, gaddr >> 12, pg);
}

uint16_t uv_unpack(struct uv_cfg *c, uint64_t gaddr, uint64_t tw0,
		   uint64_t tw1, uint16_t *rrc)
{
	uint64_t gfn = gaddr >> 12;
	struct uv_page *pg = (gaddr & 0xfff) ? NULL : uv_page(c, gfn, true);
	uint8_t tweak[16], *host, *plain;

	(void)rrc;
	if (!pg)
		return UVC_RC_INV_ADDR;
	host = host_page(c, gfn);
	if (!host)
		return UVC_RC_NOT_MAPPED;
	if (pg->state != UV_PG_HOST)
		return UVC_RC_INV_STATE;	/* unpacked twice */
	se_tweak(tweak, tw0, tw1);
	if (se_digests_page(&c->dig, host, gaddr, tweak))
		return UVC_RC_NO_RESUME;
	plain = aligned_alloc(4096, 4096);
	if (!plain)
		return UVC_RC_NO_RESUME;
	if (c->hdr.pcf & SE_PCF_NO_ENCRYPTION)
		memcpy(plain, host, 4096);
	else if (se_xts_page(c->sec.xts, tweak, host, plain, 0)) {
		free(plain);
		return UVC_RC_NO_RESUME;
	}
	return make_secure(c, gfn, pg, plain);
}

uint16_t uv_share(struct uv_cfg *c, uint64_t gaddr, bool share)
{
	uint64_t gfn = gaddr >> 12;
	struct uv_page *pg = uv_page(c, gfn, true);
	uint8_t *host = host_page(c, gfn);
	uint16_t rc;

	if (!pg || !host)
		return UVC_RC_INV_ADDR;
	if (!share) {
		if (pg->state != UV_PG_SHARED)
			return UVC_RC_EXECUTED;
		pg->state = UV_PG_HOST;	/* secure again, content kept */
		return to_secure(c, gfn, pg);
	}
	if (pg->state == UV_PG_SHARED)
		return UVC_RC_EXECUTED;
	rc = to_secure(c, gfn, pg);	/* exported: authenticate first */
	if (rc != UVC_RC_EXECUTED)
		return rc;
	/* the guest chose to show this page: its content goes out */
	memcpy(host, pg->plain, 4096);
	retire_plain(c, pg);
	pg->state = UV_PG_SHARED;
	c->st.secure_pages--;
	return UVC_RC_EXECUTED;
}

void uv_unshare_all(struct uv_cfg *c)
{
	size_t i, j;

	for (i = 0; i < c->l1; i++)
		for (j = 0; c->pages[i] && j < UV_L2_PAGES; j++)
			if (c->pages[i][j].state == UV_PG_SHARED)
				c->pages[i][j].state = UV_PG_HOST;
}

struct uv_cfg *uv_find_host_page(uint64_t paddr, uint64_t *gfn)
{
	struct uv_cfg *c;
	uint64_t h, i, j;

	paddr &= ~0xfffULL;
	for (h = 1; h <= UV_MAX_GUESTS; h++) {
		/* any generation: scan the table slot by probing */
		c = uv_cfg_find_slot(h);
		if (!c)
			continue;
		pthread_mutex_lock(&c->lock);
		for (i = 0; i < c->l1; i++) {
			for (j = 0; c->pages[i] && j < UV_L2_PAGES; j++) {
				if (c->pages[i][j].state == UV_PG_HOST ||
				    (uint64_t)(uintptr_t)host_page(c,
					i * UV_L2_PAGES + j) != paddr)
					continue;
				*gfn = i * UV_L2_PAGES + j;
				pthread_mutex_unlock(&c->lock);
				return c;
			}
		}
		pthread_mutex_unlock(&c->lock);
		uv_cfg_put(c);
	}
	return NULL;
}

int kvmu_uv_guest_page(uint64_t handle, uint64_t gaddr, uint8_t **out)
{
	struct uv_cfg *c = uv_cfg_get(handle);
	uint64_t gfn = gaddr >> 12;
	struct uv_page *pg;
	uint16_t rc;
	int ret = 0;

	if (!c)
		return -ENXIO;
	pthread_mutex_lock(&c->lock);
	pg = uv_page(c, gfn, true);
	if (!pg || !host_page(c, gfn)) {
		ret = -ENXIO;
	} else if (pg->state == UV_PG_SHARED) {
		*out = host_page(c, gfn);
	} else {
		rc = to_secure(c, gfn, pg);
		if (rc == UVC_RC_EXECUTED)
			*out = pg->plain;
		else
			ret = rc == UVC_RC_PAGE_INTEGRITY ? -EFAULT : -ENOMEM;
	}
	pthread_mutex_unlock(&c->lock);
	uv_cfg_put(c);
	return ret;
}

void kvmu_uv_export_all(uint64_t handle)
{
	struct uv_cfg *c = uv_cfg_get(handle);
	struct uv_page *pg;
	size_t i;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->nr_used; i++) {
		pg = uv_page(c, c->used[i], false);
		if (!pg)
			continue;
		if (pg->state == UV_PG_SECURE)
			uv_export(c, c->used[i], pg);
		pg->used = false;
	}
	c->nr_used = 0;
	uv_retired_free(c);		/* no vCPU runs: no TLB holds them */
	pthread_mutex_unlock(&c->lock);
	uv_cfg_put(c);
}

/* Encrypt len bytes of in under the customer communication key. */
static int dump_seal(struct uv_cfg *c, const uint8_t *in, size_t len,
		     uint8_t *out)
{
	if (RAND_bytes(out, 12) != 1)
		return -EIO;
	return se_gcm(c->sec.cck, out, NULL, 0, in, len, out + 12,
		      out + 12 + len, 1);
}

static uint16_t dump_stor(struct uv_cfg *c, uint8_t *cb, uint8_t *buf)
{
	uint64_t gaddr = get_be(cb + 0x20, 8), i;
	struct uv_page *pg;

	if (gaddr & 0xfffff)
		return UVC_RC_INV_ADDR;
	memset(buf, 0, UV_DUMP_STOR_PER_1M);
	for (i = 0; i < 256; i++) {
		pg = uv_page(c, (gaddr >> 12) + i, false);
		if (!pg && (gaddr >> 12) + i >= c->stor_len / 4096)
			return UVC_RC_INV_ADDR;
		buf[i * 16] = pg ? pg->state : UV_PG_HOST;
		put_be(buf + i * 16 + 8, pg ? pg->seq : 0, 8);
	}
	put_be(cb + 0x20, gaddr + (1ULL << 20), 8);
	return UVC_RC_EXECUTED;
}

uint16_t uv_cmd_dump(uint8_t *cb, uint16_t *rrc)
{
	uint16_t cmd = (uint16_t)get_be(cb + 2, 2), rc = UVC_RC_EXECUTED;
	uint64_t h = get_be(cb + 0x18, 8);
	uint8_t *buf = (uint8_t *)(uintptr_t)get_be(cb + 0x28, 8);
	const uint8_t *src = (const uint8_t *)(uintptr_t)get_be(cb + 0x20, 8);
	static const uint8_t done[32] = "kvmu secure dump complete";
	struct uv_cfg *c = uv_cfg_get(cmd == UVC_CMD_DUMP_CPU ? h >> 8 : h);

	(void)rrc;
	if (!c)
		return cmd == UVC_CMD_DUMP_CPU ? UVC_RC_INV_CHANDLE :
		       UVC_RC_INV_GHANDLE;
	pthread_mutex_lock(&c->lock);
	if (!c->dumping)
		rc = UVC_RC_INV_STATE;
	else if (!buf)
		rc = UVC_RC_INV_ADDR;
	else if (cmd == UVC_CMD_DUMP_CONF_STOR_STATE)
		rc = dump_stor(c, cb, buf);
	else if (cmd == UVC_CMD_DUMP_CPU)	/* the SIE's status save */
		rc = !src || dump_seal(c, src, 0x200, buf) ?
		     UVC_RC_INV_ADDR : UVC_RC_EXECUTED;
	else if (dump_seal(c, done, sizeof(done), buf))
		rc = UVC_RC_NO_RESUME;
	else
		c->dumping = false;
	pthread_mutex_unlock(&c->lock);
	uv_cfg_put(c);
	return rc;
}

void uv_pages_destroy(struct uv_cfg *c)
{
	struct uv_page *pg;
	uint8_t *host;
	size_t i, j;

	for (i = 0; i < c->l1; i++) {
		for (j = 0; c->pages[i] && j < UV_L2_PAGES; j++) {
			pg = &c->pages[i][j];
			if (pg->state != UV_PG_SECURE &&
			    pg->state != UV_PG_EXPORTED)
				continue;
			host = host_page(c, i * UV_L2_PAGES + j);
			if (host)
				memset(host, 0, 4096);
			retire_plain(c, pg);
			pg->state = UV_PG_HOST;
		}
	}
}
