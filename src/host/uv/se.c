// SPDX-License-Identifier: MIT
/*
 * The Secure Execution header and page cryptography (se.h).  Key slots:
 * ECDH on secp521r1 between a fresh customer key and each host key, the
 * raw X coordinate hashed with a big-endian counter 1 (SHA-256) into the
 * key that AES-256-GCM-wraps the header protection key; the slot is found
 * by the SHA-256 of the host key's padded X||Y.  The header itself is
 * AES-256-GCM with its plaintext fields as additional data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include "host/uv/se.h"
#include "host/uv/uv.h"

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	while (n--) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

int se_gcm(const uint8_t key[32], const uint8_t iv[12], const uint8_t *aad,
	   size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
	   uint8_t tag[16], int enc)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, ok;

	if (!c)
		return -ENOMEM;
	ok = EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv, enc) &&
	     (!aad_len || EVP_CipherUpdate(c, NULL, &n, aad, (int)aad_len)) &&
	     (!len || EVP_CipherUpdate(c, out, &n, in, (int)len));
	if (ok && !enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag);
	if (ok)
		ok = EVP_CipherFinal_ex(c, out + len, &n);
	if (ok && enc)
		ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
	EVP_CIPHER_CTX_free(c);
	if (!ok && !enc && len)
		memset(out, 0, len);	/* never hand out unverified text */
	return ok ? 0 : enc ? -EIO : -EBADMSG;
}

int se_xts_page(const uint8_t key[64], const uint8_t tweak[16],
		const uint8_t *in, uint8_t *out, int enc)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n, ok;

	if (!c)
		return -ENOMEM;
	ok = EVP_CipherInit_ex(c, EVP_aes_256_xts(), NULL, key, tweak, enc) &&
	     EVP_CipherUpdate(c, out, &n, in, 4096) &&
	     EVP_CipherFinal_ex(c, out + n, &n);
	EVP_CIPHER_CTX_free(c);
	return ok ? 0 : -EIO;
}

void se_tweak(uint8_t t[16], uint64_t prefix, uint64_t offset)
{
	put_be(t, prefix, 8);
	put_be(t + 8, offset, 8);
}

int se_digests_init(struct se_digests *d)
{
	memset(d, 0, sizeof(*d));
	d->pld = EVP_MD_CTX_new();
	d->ald = EVP_MD_CTX_new();
	d->tld = EVP_MD_CTX_new();
	if (!d->pld || !d->ald || !d->tld ||
	    !EVP_DigestInit_ex(d->pld, EVP_sha512(), NULL) ||
	    !EVP_DigestInit_ex(d->ald, EVP_sha512(), NULL) ||
	    !EVP_DigestInit_ex(d->tld, EVP_sha512(), NULL)) {
		se_digests_free(d);
		return -ENOMEM;
	}
	return 0;
}

int se_digests_page(struct se_digests *d, const uint8_t *ct, uint64_t addr,
		    const uint8_t tweak[16])
{
	uint8_t a[8];

	put_be(a, addr, 8);
	if (!EVP_DigestUpdate(d->pld, ct, 4096) ||
	    !EVP_DigestUpdate(d->ald, a, 8) ||
	    !EVP_DigestUpdate(d->tld, tweak, 16))
		return -EIO;
	d->nep++;
	return 0;
}

int se_digests_final(struct se_digests *d, uint8_t *pld, uint8_t *ald,
		     uint8_t *tld)
{
	if (!EVP_DigestFinal_ex(d->pld, pld, NULL) ||
	    !EVP_DigestFinal_ex(d->ald, ald, NULL) ||
	    !EVP_DigestFinal_ex(d->tld, tld, NULL))
		return -EIO;
	return 0;
}

void se_digests_free(struct se_digests *d)
{
	EVP_MD_CTX_free(d->pld);
	EVP_MD_CTX_free(d->ald);
	EVP_MD_CTX_free(d->tld);
	d->pld = d->ald = d->tld = NULL;
}

/* The public point of key as padded X and Y (80 bytes each). */
static int key_xy(EVP_PKEY *key, uint8_t *x, uint8_t *y)
{
	uint8_t pt[1 + 2 * 66];
	size_t n = 0;

	if (!EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pt,
					     sizeof(pt), &n) ||
	    n != sizeof(pt) || pt[0] != 4)
		return -EINVAL;
	memset(x, 0, SE_COORD_LEN);
	memset(y, 0, SE_COORD_LEN);
	memcpy(x + SE_COORD_LEN - 66, pt + 1, 66);
	memcpy(y + SE_COORD_LEN - 66, pt + 67, 66);
	return 0;
}

int se_key_hash(EVP_PKEY *pub, uint8_t hash[32])
{
	uint8_t xy[2 * SE_COORD_LEN];

	if (key_xy(pub, xy, xy + SE_COORD_LEN))
		return -EINVAL;
	return EVP_Digest(xy, sizeof(xy), hash, NULL, EVP_sha256(), NULL) ?
	       0 : -EIO;
}

EVP_PKEY *se_pub_from_xy(const uint8_t *x, const uint8_t *y)
{
	uint8_t pt[1 + 2 * 66];
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *chk = NULL;
	EVP_PKEY *key = NULL;
	size_t i;

	for (i = 0; i < SE_COORD_LEN - 66; i++)
		if (x[i] || y[i])
			goto out;		/* does not fit P-521 */
	pt[0] = 4;
	memcpy(pt + 1, x + SE_COORD_LEN - 66, 66);
	memcpy(pt + 67, y + SE_COORD_LEN - 66, 66);
	if (!b || !OSSL_PARAM_BLD_push_utf8_string(b,
			OSSL_PKEY_PARAM_GROUP_NAME, "P-521", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pt,
					      sizeof(pt)) ||
	    !(params = OSSL_PARAM_BLD_to_param(b)) ||
	    !(ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto out;
	chk = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	if (!chk || EVP_PKEY_public_check(chk) <= 0) {
		EVP_PKEY_free(key);
		key = NULL;
	}
out:
	EVP_PKEY_CTX_free(chk);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	return key;
}

/* SHA-256(ECDH(priv, pub).x || 00 00 00 01): the key-slot wrapping key. */
static int slot_key(EVP_PKEY *priv, EVP_PKEY *pub, uint8_t key[32])
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(priv, NULL);
	uint8_t z[66 + 4];
	size_t n = 66;
	int ok;

	ok = c && EVP_PKEY_derive_init(c) > 0 &&
	     EVP_PKEY_derive_set_peer(c, pub) > 0 &&
	     EVP_PKEY_derive(c, z, &n) > 0 && n == 66;
	EVP_PKEY_CTX_free(c);
	if (!ok)
		return -EINVAL;
	put_be(z + 66, 1, 4);
	ok = EVP_Digest(z, sizeof(z), key, NULL, EVP_sha256(), NULL);
	OPENSSL_cleanse(z, sizeof(z));
	return ok ? 0 : -EIO;
}

static void put_secrets(uint8_t *b, const struct se_secrets *s)
{
	memset(b, 0, SE_SEA_V1);
	memcpy(b, s->cck, 32);
	memcpy(b + 32, s->xts, 64);
	put_be(b + 96, s->psw_mask, 8);
	put_be(b + 104, s->psw_addr, 8);
	put_be(b + 112, s->scf, 8);
	/* b + 120: noi = 0, reserved */
}

static int build_slots(uint8_t *h, EVP_PKEY *const *hosts, size_t n,
		       EVP_PKEY *cust, const uint8_t prot[32])
{
	static const uint8_t zero_iv[12];
	uint8_t key[32], *slot;
	size_t i;

	for (i = 0; i < n; i++) {
		slot = h + SE_OFF_SLOTS + i * SE_SLOT_LEN;
		if (se_key_hash(hosts[i], slot) ||
		    slot_key(cust, hosts[i], key) ||
		    se_gcm(key, zero_iv, NULL, 0, prot, 32, slot + 32,
			   slot + 64, 1))
			return -EINVAL;
	}
	OPENSSL_cleanse(key, sizeof(key));
	return 0;
}

int se_hdr_build(EVP_PKEY *const *hosts, size_t n, const struct se_plain *p,
		 const struct se_secrets *s, uint8_t **out, size_t *len)
{
	size_t size = se_hdr_size(n), aad = SE_OFF_SLOTS + n * SE_SLOT_LEN;
	uint8_t prot[32], sea[SE_SEA_V1], *h;
	EVP_PKEY *cust = NULL;
	int rc = -EINVAL;

	if (!n || size > SE_HDR_MAX)
		return -E2BIG;
	h = calloc(1, size);
	if (!h)
		return -ENOMEM;
	put_be(h, SE_MAGIC, 8);
	put_be(h + 8, SE_VERSION, 4);
	put_be(h + 0x0c, size, 4);
	put_be(h + SE_OFF_NKS, n, 8);
	put_be(h + SE_OFF_SEA, SE_SEA_V1, 8);
	put_be(h + SE_OFF_NEP, p->nep, 8);
	put_be(h + SE_OFF_PCF, p->pcf, 8);
	memcpy(h + SE_OFF_PLD, p->pld, 64);
	memcpy(h + SE_OFF_ALD, p->ald, 64);
	memcpy(h + SE_OFF_TLD, p->tld, 64);
	put_secrets(sea, s);
	if (RAND_bytes(h + SE_OFF_IV, 12) != 1 || RAND_bytes(prot, 32) != 1)
		goto out;
	cust = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	if (!cust || key_xy(cust, h + SE_OFF_CUSTPUB,
			    h + SE_OFF_CUSTPUB + SE_COORD_LEN) ||
	    build_slots(h, hosts, n, cust, prot) ||
	    se_gcm(prot, h + SE_OFF_IV, h, aad, sea, SE_SEA_V1, h + aad,
		   h + aad + SE_SEA_V1, 1))
		goto out;
	*out = h;
	*len = size;
	h = NULL;
	rc = 0;
out:
	OPENSSL_cleanse(prot, sizeof(prot));
	OPENSSL_cleanse(sea, sizeof(sea));
	EVP_PKEY_free(cust);
	free(h);
	return rc;
}

#define FAIL(r, why) do { *rrc = (why); return (r); } while (0)

/* Find our key slot and unwrap the protection key. */
static uint16_t open_slot(const uint8_t *hdr, uint64_t nks, EVP_PKEY *host,
			  uint8_t prot[32], uint16_t *rrc)
{
	static const uint8_t zero_iv[12];
	uint8_t hash[32], key[32], tag[16];
	const uint8_t *slot = NULL;
	EVP_PKEY *cust;
	uint64_t i;
	int bad;

	if (se_key_hash(host, hash))
		FAIL(UVC_RC_HOSTKEY, UVC_RRC_NO_SLOT);
	for (i = 0; i < nks && !slot; i++)
		if (!memcmp(hdr + SE_OFF_SLOTS + i * SE_SLOT_LEN, hash, 32))
			slot = hdr + SE_OFF_SLOTS + i * SE_SLOT_LEN;
	if (!slot)
		FAIL(UVC_RC_HOSTKEY, UVC_RRC_NO_SLOT);
	cust = se_pub_from_xy(hdr + SE_OFF_CUSTPUB,
			      hdr + SE_OFF_CUSTPUB + SE_COORD_LEN);
	if (!cust)
		FAIL(UVC_RC_HOSTKEY, UVC_RRC_CUST_KEY);
	bad = slot_key(host, cust, key);
	EVP_PKEY_free(cust);
	memcpy(tag, slot + 64, 16);
	if (!bad)
		bad = se_gcm(key, zero_iv, NULL, 0, slot + 32, 32, prot, tag,
			     0);
	OPENSSL_cleanse(key, sizeof(key));
	/* a slot that names us but does not unwrap: wrong customer key */
	if (bad)
		FAIL(UVC_RC_HOSTKEY, UVC_RRC_CUST_KEY);
	return UVC_RC_EXECUTED;
}

static uint16_t check_plain(const uint8_t *hdr, size_t len, uint64_t *nks,
			    uint16_t *rrc)
{
	uint64_t sea;

	if (len < SE_OFF_SLOTS || len > SE_HDR_MAX)
		FAIL(UVC_RC_HDR_CORRUPT, UVC_RRC_HDR_LEN);
	if (get_be(hdr, 8) != SE_MAGIC || get_be(hdr + 8, 4) != SE_VERSION)
		FAIL(UVC_RC_HDR_VERSION, UVC_RRC_VERSION);
	if (get_be(hdr + 0x0c, 4) != len)
		FAIL(UVC_RC_HDR_CORRUPT, UVC_RRC_HDR_LEN);
	*nks = get_be(hdr + SE_OFF_NKS, 8);
	if (!*nks)
		FAIL(UVC_RC_HDR_CORRUPT, UVC_RRC_NO_KEYSLOTS);
	sea = get_be(hdr + SE_OFF_SEA, 8);
	if (*nks > SE_HDR_MAX / SE_SLOT_LEN || sea != SE_SEA_V1 ||
	    se_hdr_size(*nks) != len)
		FAIL(UVC_RC_HDR_CORRUPT, UVC_RRC_SEA);
	if (get_be(hdr + SE_OFF_PCF, 8) & ~SE_PCF_SUPPORTED)
		FAIL(UVC_RC_PCF, UVC_RRC_PCF);
	return UVC_RC_EXECUTED;
}

uint16_t se_hdr_open(const uint8_t *hdr, size_t len, EVP_PKEY *host,
		     struct se_plain *p, struct se_secrets *s, uint16_t *rrc)
{
	uint8_t prot[32], sea[SE_SEA_V1], tag[16];
	uint64_t nks = 0;
	size_t aad;
	uint16_t rc;
	int bad;

	*rrc = 0;
	rc = check_plain(hdr, len, &nks, rrc);
	if (rc == UVC_RC_EXECUTED)
		rc = open_slot(hdr, nks, host, prot, rrc);
	if (rc != UVC_RC_EXECUTED)
		return rc;
	aad = SE_OFF_SLOTS + nks * SE_SLOT_LEN;
	memcpy(tag, hdr + aad + SE_SEA_V1, 16);
	bad = se_gcm(prot, hdr + SE_OFF_IV, hdr, aad, hdr + aad, SE_SEA_V1,
		     sea, tag, 0);
	OPENSSL_cleanse(prot, sizeof(prot));
	if (bad)
		FAIL(UVC_RC_HDR_CORRUPT, UVC_RRC_HDR_TAG);
	rc = UVC_RC_EXECUTED;
	if (get_be(sea + 112, 8) & ~SE_SCF_SUPPORTED)
		rc = UVC_RC_SCF;
	else if (get_be(sea + 120, 4))	/* optional items: none in v1 */
		rc = UVC_RC_HDR_CORRUPT, *rrc = UVC_RRC_SEA;
	if (rc == UVC_RC_EXECUTED) {
		memcpy(s->cck, sea, 32);
		memcpy(s->xts, sea + 32, 64);
		s->psw_mask = get_be(sea + 96, 8);
		s->psw_addr = get_be(sea + 104, 8);
		s->scf = get_be(sea + 112, 8);
		p->nep = get_be(hdr + SE_OFF_NEP, 8);
		p->pcf = get_be(hdr + SE_OFF_PCF, 8);
		memcpy(p->pld, hdr + SE_OFF_PLD, 64);
		memcpy(p->ald, hdr + SE_OFF_ALD, 64);
		memcpy(p->tld, hdr + SE_OFF_TLD, 64);
	}
	OPENSSL_cleanse(sea, sizeof(sea));
	return rc;
}
