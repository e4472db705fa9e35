/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the AP queue and adapter tests: type-50 requests built the
 * way the kernel's zcrypt msgtype50 builds them (header, key block type,
 * operands right-aligned in fixed fields), RSA keys from OpenSSL, and a
 * test machine with one adapter of each mode.
 */
#ifndef AP_TEST_UTIL_H
#define AP_TEST_UTIL_H

#include <stdint.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "test_host_util.h"

/* 05 CCA, 06 accelerator, 07 EP11; four usage domains. */
static const char ap_test_config[] =
	"apxa on\nmax-adapter-id 255\nmax-domain-id 255\n"
	"adapter 0x05 CEX5 cca\nadapter 0x06 CEX5 accel\n"
	"adapter 0x07 CEX7 ep11\n"
	"usage-domains 0x04,0x47,0xab,0xff\ncontrol-domains 0-15\n";

static inline void put_be16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Right-align len bytes of src at the end of field[size]. */
static inline void right_align(uint8_t *field, size_t size,
			       const uint8_t *src, size_t len)
{
	memcpy(field + size - len, src, len);
}

/*
 * ICAMEX_msg_to_type50MEX_msg(): mod_len (the request's input length)
 * picks MEB1/2/3; modulus, exponent and message are mod_len bytes each.
 * Returns the message length (0: mod_len too big).
 */
static inline size_t t50_build_me(uint8_t *buf, size_t mod_len,
				  const uint8_t *mod, const uint8_t *exp,
				  const uint8_t *msg)
{
	size_t s = mod_len <= 128 ? 128 : mod_len <= 256 ? 256 : 512;
	unsigned int code = s == 128 ? 1 : s == 256 ? 2 : 3;
	size_t len = 16 + 3 * s;

	if (mod_len > 512)
		return 0;
	memset(buf, 0, len);
	buf[1] = 0x50;
	put_be16(buf + 2, (unsigned int)len);
	put_be16(buf + 8, code);
	right_align(buf + 16, s, exp, mod_len);
	right_align(buf + 16 + s, s, mod, mod_len);
	right_align(buf + 16 + 2 * s, s, msg, mod_len);
	return len;
}

/* ICACRT_msg_to_type50CRT_msg(): parts of (mod_len + 1) / 2 bytes. */
static inline size_t t50_build_crt(uint8_t *buf, size_t mod_len,
				   const uint8_t *const part[5],
				   const uint8_t *msg)
{
	size_t s = mod_len <= 128 ? 128 : mod_len <= 256 ? 256 : 512;
	size_t h = s / 2, short_len = (mod_len + 1) / 2;
	unsigned int code = s == 128 ? 0x11 : s == 256 ? 0x12 : 0x13;
	size_t len = 16 + 5 * h + s;

	if (mod_len > 512)
		return 0;
	memset(buf, 0, len);
	buf[1] = 0x50;
	put_be16(buf + 2, (unsigned int)len);
	put_be16(buf + 8, code);
	for (int i = 0; i < 5; i++)	/* p, q, dp, dq, u */
		right_align(buf + 16 + i * h, h, part[i], short_len);
	right_align(buf + 16 + 5 * h, s, msg, mod_len);
	return len;
}

/* An RSA key as the byte strings a caller of zcrypt holds. */
struct rsa_key {
	EVP_PKEY *pkey;
	size_t mod_len, short_len;
	uint8_t n[512], e[512], d[512];
	uint8_t part[5][256];		/* p, q, dp, dq, u = q^-1 mod p */
};

static inline void bn_param(EVP_PKEY *k, const char *name, uint8_t *out,
			    size_t len)
{
	BIGNUM *bn = NULL;

	if (!EVP_PKEY_get_bn_param(k, name, &bn) ||
	    BN_bn2binpad(bn, out, (int)len) < 0) {
		fprintf(stderr, "cannot get %s\n", name);
		exit(1);
	}
	BN_free(bn);
}

static inline void rsa_key_load(struct rsa_key *k, EVP_PKEY *pkey)
{
	static const char *const names[5] = {
		OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2,
		OSSL_PKEY_PARAM_RSA_EXPONENT1, OSSL_PKEY_PARAM_RSA_EXPONENT2,
		OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};

	k->pkey = pkey;
	k->mod_len = (size_t)EVP_PKEY_get_size(pkey);
	k->short_len = (k->mod_len + 1) / 2;
	bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, k->n, k->mod_len);
	bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, k->e, k->mod_len);
	bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, k->d, k->mod_len);
	for (int i = 0; i < 5; i++)
		bn_param(pkey, names[i], k->part[i], k->short_len);
}

static inline void rsa_key_gen(struct rsa_key *k, unsigned int bits)
{
	EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);

	if (!pkey) {
		fprintf(stderr, "RSA keygen %u failed\n", bits);
		exit(1);
	}
	rsa_key_load(k, pkey);
}

/*
 * The same operation done by OpenSSL itself: raw RSA (no padding), the
 * private operation for d, the public one for e.
 */
static inline void rsa_raw(const struct rsa_key *k, bool private_op,
			   const uint8_t *in, uint8_t *out)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k->pkey, NULL);
	size_t outlen = k->mod_len;
	int ok;

	ok = c && (private_op ? EVP_PKEY_decrypt_init(c) :
		   EVP_PKEY_encrypt_init(c)) > 0 &&
	     EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING) > 0;
	if (ok)
		ok = (private_op ? EVP_PKEY_decrypt(c, out, &outlen, in,
						    k->mod_len) :
		      EVP_PKEY_encrypt(c, out, &outlen, in, k->mod_len)) > 0;
	EVP_PKEY_CTX_free(c);
	if (!ok || outlen != k->mod_len) {
		fprintf(stderr, "OpenSSL raw RSA failed\n");
		exit(1);
	}
}

/* A message below the modulus: random bytes with a zero top byte. */
static inline void rsa_msg(const struct rsa_key *k, uint8_t *m,
			   unsigned int seed)
{
	for (size_t i = 0; i < k->mod_len; i++)
		m[i] = (uint8_t)((seed + i) * 2654435761u >> 13);
	m[0] = 0;
}

static inline void hex2bin(const char *hex, uint8_t *out, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned int v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			exit(1);
		out[i] = (uint8_t)v;
	}
}

#endif
