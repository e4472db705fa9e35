// SPDX-License-Identifier: MIT
/*
 * What a simulated adapter does with a request message: accelerators run
 * the type-50 RSA requests the kernel's zcrypt driver builds (modular
 * exponentiation and CRT, 1024/2048/4096-bit blocks) with OpenSSL's BN
 * arithmetic and answer with a type-80 reply; everything they cannot serve
 * gets a type-82 error reply with the reply code a card gives.
 *
 * All operands are big-endian, right-aligned and zero-padded in fixed
 * fields; the message is validated in full before any arithmetic, and
 * every access is within the message length checked against the table.
 */
#include <errno.h>
#include <string.h>

#include <openssl/bn.h>

#include "host/ap/ap_int.h"
#include "host/ap/ap_queue.h"

#define T50_TYPE	0x50
#define T6_TYPE		0x06	/* CCA CPRB and EP11 requests */
#define T50_HDR		16	/* type50_hdr (8) + keyblock type + 6 */
#define T80_HDR		16

enum t50_field { F_EXP, F_MOD, F_MSG, F_P, F_Q, F_DP, F_DQ, F_U, F_MAX };

struct t50_span {
	uint16_t off, size;
};

/* One key block format: the code at offset 8 and where each operand is. */
struct t50_format {
	uint16_t code;
	const char *name;
	uint16_t len;		/* the whole message */
	uint16_t out;		/* result field size of the type-80 reply */
	struct t50_span f[F_MAX];	/* size 0: not in this format */
};

static const struct t50_format t50_formats[] = {
	{ 0x0001, "MEB1", 400, 128,
	  { [F_EXP] = { 16, 128 }, [F_MOD] = { 144, 128 },
	    [F_MSG] = { 272, 128 } } },
	{ 0x0002, "MEB2", 784, 256,
	  { [F_EXP] = { 16, 256 }, [F_MOD] = { 272, 256 },
	    [F_MSG] = { 528, 256 } } },
	{ 0x0003, "MEB3", 1552, 512,
	  { [F_EXP] = { 16, 512 }, [F_MOD] = { 528, 512 },
	    [F_MSG] = { 1040, 512 } } },
	{ 0x0011, "CRB1", 464, 128,
	  { [F_P] = { 16, 64 }, [F_Q] = { 80, 64 }, [F_DP] = { 144, 64 },
	    [F_DQ] = { 208, 64 }, [F_U] = { 272, 64 },
	    [F_MSG] = { 336, 128 } } },
	{ 0x0012, "CRB2", 912, 256,
	  { [F_P] = { 16, 128 }, [F_Q] = { 144, 128 }, [F_DP] = { 272, 128 },
	    [F_DQ] = { 400, 128 }, [F_U] = { 528, 128 },
	    [F_MSG] = { 656, 256 } } },
	{ 0x0013, "CRB3", 1808, 512,
	  { [F_P] = { 16, 256 }, [F_Q] = { 272, 256 }, [F_DP] = { 528, 256 },
	    [F_DQ] = { 784, 256 }, [F_U] = { 1040, 256 },
	    [F_MSG] = { 1296, 512 } } },
};

/* Reserved header bytes that must be zero (byte 5 is "ignored"). */
static const uint8_t t50_reserved[] = { 0, 4, 6, 7, 10, 11, 12, 13, 14, 15 };

static int error_reply(uint8_t *reply, uint8_t code)
{
	memset(reply, 0, 8);
	reply[1] = AP_TYPE82;
	reply[4] = code;
	return 8;
}

static unsigned int be16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static const struct t50_format *t50_lookup(unsigned int code)
{
	for (size_t i = 0; i < sizeof(t50_formats) / sizeof(t50_formats[0]);
	     i++)
		if (t50_formats[i].code == code)
			return &t50_formats[i];
	return NULL;
}

/* The header checks in the order a card reports them; 0 when valid. */
static int t50_check(const uint8_t *msg, size_t len,
		     const struct t50_format **fmt)
{
	if (len < T50_HDR || be16(msg + 2) != len)
		return REP82_INVALID_MSG_LEN;
	*fmt = t50_lookup(be16(msg + 8));
	if (!*fmt)
		return REP82_FORMAT_FIELD;
	if ((*fmt)->len != len)
		return REP82_INVALID_MSG_LEN;
	for (size_t i = 0; i < sizeof(t50_reserved); i++)
		if (msg[t50_reserved[i]])
			return REP82_RESERVED_FIELD;
	return 0;
}

struct bn_set {
	BN_CTX *ctx;
	BIGNUM *v[F_MAX];
	BIGNUM *r, *t;
};

static void bn_set_free(struct bn_set *s)
{
	for (int i = 0; i < F_MAX; i++)
		BN_clear_free(s->v[i]);
	BN_clear_free(s->r);
	BN_clear_free(s->t);
	BN_CTX_free(s->ctx);
}

/* Load the operands of fmt; secret ones are marked constant-time. */
static int bn_set_load(struct bn_set *s, const struct t50_format *fmt,
		       const uint8_t *msg)
{
	memset(s, 0, sizeof(*s));
	s->ctx = BN_CTX_secure_new();
	s->r = BN_secure_new();
	s->t = BN_secure_new();
	if (!s->ctx || !s->r || !s->t)
		return -ENOMEM;
	BN_set_flags(s->r, BN_FLG_CONSTTIME);
	BN_set_flags(s->t, BN_FLG_CONSTTIME);
	for (int i = 0; i < F_MAX; i++) {
		if (!fmt->f[i].size)
			continue;
		s->v[i] = BN_secure_new();
		if (!s->v[i] ||
		    !BN_bin2bn(msg + fmt->f[i].off, fmt->f[i].size, s->v[i]))
			return -ENOMEM;
		if (i != F_MOD)
			BN_set_flags(s->v[i], BN_FLG_CONSTTIME);
	}
	return 0;
}

/* A modulus (or prime) the card accepts: non-zero and odd. */
static int modulus_check(const BIGNUM *m)
{
	if (BN_is_zero(m))
		return REP82_OPERAND_INVALID;
	return BN_is_odd(m) ? 0 : REP82_EVEN_MOD_IN_OPND;
}

/* r = msg ^ exp mod mod; > 0: a reply code for bad operands. */
static int t50_me(struct bn_set *s)
{
	int rc = modulus_check(s->v[F_MOD]);

	if (rc)
		return rc;
	if (BN_cmp(s->v[F_MSG], s->v[F_MOD]) >= 0)
		return REP82_OPERAND_INVALID;
	if (!BN_mod_exp_mont_consttime(s->r, s->v[F_MSG], s->v[F_EXP],
				       s->v[F_MOD], s->ctx, NULL))
		return -ENOMEM;
	return 0;
}

/*
 * PKCS #1 CRT with u = q^-1 mod p: m1 = c^dp mod p, m2 = c^dq mod q,
 * r = m2 + q * (u * (m1 - m2) mod p).  The card does not check that the
 * parts belong together; neither do we.
 */
static int t50_crt(struct bn_set *s)
{
	BIGNUM **v = s->v;
	int rc = modulus_check(v[F_P]);

	if (!rc)
		rc = modulus_check(v[F_Q]);
	if (rc)
		return rc;
	if (!BN_mul(s->t, v[F_P], v[F_Q], s->ctx))
		return -ENOMEM;
	if (BN_cmp(v[F_MSG], s->t) >= 0)
		return REP82_OPERAND_INVALID;
	/* v[F_EXP], v[F_MOD] are unused in CRT formats: scratch */
	v[F_EXP] = BN_secure_new();
	v[F_MOD] = BN_secure_new();
	if (!v[F_EXP] || !v[F_MOD])
		return -ENOMEM;
	BN_set_flags(v[F_EXP], BN_FLG_CONSTTIME);
	BN_set_flags(v[F_MOD], BN_FLG_CONSTTIME);
	if (!BN_nnmod(s->t, v[F_MSG], v[F_P], s->ctx) ||
	    !BN_mod_exp_mont_consttime(v[F_EXP], s->t, v[F_DP], v[F_P],
				       s->ctx, NULL) ||
	    !BN_nnmod(s->t, v[F_MSG], v[F_Q], s->ctx) ||
	    !BN_mod_exp_mont_consttime(v[F_MOD], s->t, v[F_DQ], v[F_Q],
				       s->ctx, NULL) ||
	    !BN_mod_sub(s->t, v[F_EXP], v[F_MOD], v[F_P], s->ctx) ||
	    !BN_mod_mul(s->t, s->t, v[F_U], v[F_P], s->ctx) ||
	    !BN_mul(s->r, s->t, v[F_Q], s->ctx) ||
	    !BN_add(s->r, s->r, v[F_MOD]))
		return -ENOMEM;
	return 0;
}

static int type50(const uint8_t *msg, size_t len, uint8_t *reply)
{
	const struct t50_format *fmt = NULL;
	struct bn_set s;
	int rc = t50_check(msg, len, &fmt);

	if (rc)
		return error_reply(reply, (uint8_t)rc);
	rc = bn_set_load(&s, fmt, msg);
	if (!rc)
		rc = fmt->f[F_MOD].size ? t50_me(&s) : t50_crt(&s);
	/* the result is below the modulus, so it fits the field */
	if (!rc && BN_bn2binpad(s.r, reply + T80_HDR, fmt->out) < 0)
		rc = -ENOMEM;
	bn_set_free(&s);
	if (rc > 0)
		return error_reply(reply, (uint8_t)rc);
	if (rc < 0)
		return rc;
	memset(reply, 0, T80_HDR);
	reply[1] = AP_TYPE80;
	reply[2] = (uint8_t)((T80_HDR + fmt->out) >> 8);
	reply[3] = (uint8_t)(T80_HDR + fmt->out);
	return T80_HDR + fmt->out;
}

int ap_crypto_request(unsigned int mode, const uint8_t *msg, size_t len,
		      uint8_t *reply)
{
	uint8_t type = len >= 2 ? msg[1] : 0;

	if (len < 8)
		return error_reply(reply, REP82_INVALID_MSG_LEN);
	if (type == T50_TYPE && mode == AP_MODE_ACCEL)
		return type50(msg, len, reply);
	/* coprocessors would run CPRBs; this model has no CCA or EP11 */
	if (type == T6_TYPE && mode != AP_MODE_ACCEL)
		return error_reply(reply, REP82_FILTERED);
	return error_reply(reply, REP82_MESSAGE_TYPE);
}
