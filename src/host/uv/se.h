/* SPDX-License-Identifier: MIT */
/*
 * The Secure Execution image format (docs/s390-pv.md, the layout of
 * s390-tools' pvimg): the SE header v1 with its key slots, AES-256-GCM
 * protection and the AES-256-XTS component pages with their digests.  The
 * Ultravisor opens headers with the host's private key; `kvmu pvimg`
 * builds them from host-key documents.  OpenSSL does the cryptography.
 */
#ifndef KVMU_HOST_UV_SE_H
#define KVMU_HOST_UV_SE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define SE_MAGIC		0x49424d5365634578ULL	/* "IBMSecEx" */
#define SE_VERSION		0x00000100u
#define SE_OFF_IV		0x010
#define SE_OFF_NKS		0x020
#define SE_OFF_SEA		0x028
#define SE_OFF_NEP		0x030
#define SE_OFF_PCF		0x038
#define SE_OFF_CUSTPUB		0x040
#define SE_OFF_PLD		0x0e0
#define SE_OFF_ALD		0x120
#define SE_OFF_TLD		0x160
#define SE_OFF_SLOTS		0x1a0
#define SE_SLOT_LEN		80
#define SE_SEA_V1		128	/* CCK, XTS key, PSW, SCF, NOI */
#define SE_TAG_LEN		16
#define SE_COORD_LEN		80	/* P-521 coordinate, left-padded */
#define SE_HDR_MAX		8192

/* PCF / SCF bits (MSB-0 numbering in a u64) */
#define SE_BIT(n)		(1ULL << (63 - (n)))
#define SE_PCF_ALLOW_DUMP	SE_BIT(34)
#define SE_PCF_NO_ENCRYPTION	SE_BIT(35)
#define SE_PCF_SUPPORTED	(SE_PCF_ALLOW_DUMP | SE_PCF_NO_ENCRYPTION)
#define SE_SCF_SUPPORTED	0ULL

/* The plaintext part of a header that the UV checks unpack against. */
struct se_plain {
	uint64_t nep, pcf;
	uint8_t pld[64], ald[64], tld[64];
};

/* The encrypted part: what only the UV learns. */
struct se_secrets {
	uint8_t cck[32];
	uint8_t xts[64];
	uint64_t psw_mask, psw_addr;
	uint64_t scf;
};

/* Running digests over unpacked (or packed) pages. */
struct se_digests {
	EVP_MD_CTX *pld, *ald, *tld;
	uint64_t nep;
};

/* The size of a header with nks key slots. */
static inline size_t se_hdr_size(size_t nks)
{
	return SE_OFF_SLOTS + nks * SE_SLOT_LEN + SE_SEA_V1 + SE_TAG_LEN;
}

/*
 * Build a header for the host public keys hosts[0..n): a fresh customer
 * key, one key slot each, the plaintext part p and secrets s encrypted.
 * *out is malloc'd (*len bytes).  0 or -errno.
 */
int se_hdr_build(EVP_PKEY *const *hosts, size_t n, const struct se_plain *p,
		 const struct se_secrets *s, uint8_t **out, size_t *len);

/*
 * Open a header of len bytes with the host private key: the UV's check
 * of UVC_CMD_SET_SEC_CONF_PARAMS.  Returns the UV rc (UVC_RC_EXECUTED on
 * success) and sets *rrc; never fails on malformed input otherwise.
 */
uint16_t se_hdr_open(const uint8_t *hdr, size_t len, EVP_PKEY *host,
		     struct se_plain *p, struct se_secrets *s, uint16_t *rrc);

/* The 32-byte key-slot hash of a P-521 public key; 0 or -errno. */
int se_key_hash(EVP_PKEY *pub, uint8_t hash[32]);

/* Start digests; 0 or -ENOMEM.  se_digests_free() always. */
int se_digests_init(struct se_digests *d);
/* Account one page: its ciphertext, address and 16-byte tweak. */
int se_digests_page(struct se_digests *d, const uint8_t *ct, uint64_t addr,
		    const uint8_t tweak[16]);
/* Finish into pld/ald/tld (64 bytes each). */
int se_digests_final(struct se_digests *d, uint8_t *pld, uint8_t *ald,
		     uint8_t *tld);
void se_digests_free(struct se_digests *d);

/* The 16-byte page tweak: prefix (big-endian) then the byte offset. */
void se_tweak(uint8_t t[16], uint64_t prefix, uint64_t offset);

/* AES-256-XTS one 4 KiB page in place (enc 1) or out (enc 0); 0/-EIO. */
int se_xts_page(const uint8_t key[64], const uint8_t tweak[16],
		const uint8_t *in, uint8_t *out, int enc);

/* AES-256-GCM with a 12-byte IV; decrypt returns -EBADMSG on a bad tag. */
int se_gcm(const uint8_t key[32], const uint8_t iv[12], const uint8_t *aad,
	   size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
	   uint8_t tag[16], int enc);

/* A P-521 public key from 80-byte padded X and Y; NULL when invalid. */
EVP_PKEY *se_pub_from_xy(const uint8_t *x, const uint8_t *y);

#endif /* KVMU_HOST_UV_SE_H */
