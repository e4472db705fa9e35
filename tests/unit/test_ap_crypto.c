// SPDX-License-Identifier: MIT
/*
 * The accelerator's type-50 requests, built the way the kernel's zcrypt
 * msgtype50 builds them, checked against OpenSSL doing the same raw RSA
 * operation itself: ME and CRT for 512- to 4096-bit keys (every format
 * MEB1-3 and CRB1-3, odd key lengths too), a fixed-key known-answer
 * vector, the type-82 replies for malformed and unsupported requests, and
 * random garbage that must never make the card read outside the message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ap_test_util.h"
#include "host/ap/ap_int.h"
#include "host/ap/ap_queue.h"

#define MAXMSG 1808

/* A 1024-bit key and c = m^65537 mod n, computed by Python's pow(). */
static const char KAT_N[] =
	"aa44cc21bd4885356e185509e84f22ba498a3bec12fda6fcafc70976cf85f5c7"
	"e11e9e037e6ddfb353c5c3dbad3b487fe91002ff4224ef2e46ab037c1ded2259"
	"13735d688d5d2136efe541f27d03cebf20ca1122f87d549e8dd080bf1d6d7a12"
	"9afcbbaa5031e422a45bd23a5eaaba6d99028ff2404b1f6d2987531ab8e48025";
static const char KAT_D[] =
	"6b1d7ec216ff21763c7da839e460ac7b3f3a6c7a16746671feef1b20186bb0f4"
	"7ec6312807887dbba60efb291ef0f5aa2a67bd4af244a4079bc3881cb402f3a0"
	"c96d21c99253c1ff19e5015c93bd167f3b56ae66d193408b428759eefdcdc8f7"
	"62f972c5c35febf221f2231c39cbcf8a8e0a1de18e3accb63dac42b2bd72d71d";
static const char KAT_P[] =
	"d2ea3e1445f87a264ff3a7de95ac9ec620e610e232226ec5d813d9ea23d9b367"
	"0da7fbc0df0ee1ce3b97f8fc95cbcc2a9c7cec459ce44cd8a2805940a921144b";
static const char KAT_Q[] =
	"ceaa4c033aacb567250e6f973408627b916f716e7e53e174139c3fc4e69f33d3"
	"c1d4bf84f6a179fe5672373270e462f3053c50ad802cae06b806fe07d5c5974f";
static const char KAT_DP[] =
	"636f3d9f2f31aadcbf1abf0ca801bec4e7a3af58048cc92e8ae528fa42b692e6"
	"c5c069670f8223a0a7e5c8e3c3f755a4cd2bf3f409b8742639ce4ac5ba36b72b";
static const char KAT_DQ[] =
	"02e2a7cb07bfaf8cb01cc27c16f2e3051ca3b4aeb93ecc9005521225da9e7067"
	"cd75fdf28a4af8dc0f32eb085e41220c888f2e052e1bf196106db0904570cbcb";
static const char KAT_U[] =
	"8e941fca25fa660a081e0700a10b2db2bca3aa720fbd7d6a206ae8285c5002b1"
	"ade68c1a994f7eec92df9a6fdc42796bac89f117e6807d11c3b3587a3c3310a4";
static const char KAT_M[] =
	"000000000000000000000000000000000000000000000000000000006b766d75"
	"206b6e6f776e2d616e7377657220766563746f7220666f722074686520747970"
	"652d353020616363656c657261746f722e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e"
	"2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e";
static const char KAT_C[] =
	"9172cbe6b5a36c0fbf62216e9540e3195cb6817ed43b38f5e8d5be034a7fa6db"
	"69bab19cc4fa6917d1dae6dbde01192a8b5865f82de9caa54f6d0d4be21424cb"
	"695c5b6b8e527472f66ec8b5a761d017f3081518bd417aed53e53ef5942f8e7a"
	"8a838cf501edc83092b648cf40f8898ff280c064a9d7d9d462d368324edf626c";

static int request(unsigned int mode, const uint8_t *msg, size_t len,
		   uint8_t *reply)
{
	int n = ap_crypto_request(mode, msg, len, reply);

	assert_true(n > 0 && n <= AP_REPLY_MAX);
	return n;
}

/* A type-80 reply: header, then the result right-aligned in its field. */
static void check_t80(const uint8_t *reply, int n, size_t field,
		      const uint8_t *want, size_t mod_len)
{
	assert_int_equal(n, 16 + field);
	assert_int_equal(reply[0], 0);
	assert_int_equal(reply[1], AP_TYPE80);
	assert_int_equal(reply[2] << 8 | reply[3], 16 + field);
	assert_int_equal(reply[4], 0);
	for (size_t i = 16; i < 16 + field - mod_len; i++)
		assert_int_equal(reply[i], 0);
	/* what zcrypt's convert_type80() hands to the caller */
	assert_memory_equal(reply + n - mod_len, want, mod_len);
}

static void check_t82(const uint8_t *reply, int n, uint8_t code)
{
	assert_int_equal(n, 8);
	assert_int_equal(reply[1], AP_TYPE82);
	assert_int_equal(reply[4], code);
}

static size_t field_of(size_t mod_len)
{
	return mod_len <= 128 ? 128 : mod_len <= 256 ? 256 : 512;
}

/* ME with e and with d, and CRT, against OpenSSL's raw RSA. */
static void check_key(const struct rsa_key *k, unsigned int seed)
{
	static uint8_t msg[MAXMSG], reply[AP_REPLY_MAX];
	uint8_t m[512], want[512];
	size_t len;
	int n;

	rsa_msg(k, m, seed);
	len = t50_build_me(msg, k->mod_len, k->n, k->e, m);
	n = request(AP_MODE_ACCEL, msg, len, reply);
	rsa_raw(k, false, m, want);
	check_t80(reply, n, field_of(k->mod_len), want, k->mod_len);

	len = t50_build_me(msg, k->mod_len, k->n, k->d, m);
	n = request(AP_MODE_ACCEL, msg, len, reply);
	rsa_raw(k, true, m, want);
	check_t80(reply, n, field_of(k->mod_len), want, k->mod_len);

	len = t50_build_crt(msg, k->mod_len,
			    (const uint8_t *const *)(const void *)
			    (const uint8_t *[5]){ k->part[0], k->part[1],
			    k->part[2], k->part[3], k->part[4] }, m);
	n = request(AP_MODE_ACCEL, msg, len, reply);
	check_t80(reply, n, field_of(k->mod_len), want, k->mod_len);
}

static void test_rsa_sizes(void **state)
{
	/* 512/768: MEB1/CRB1 with short operands; 1032: odd half length */
	static const unsigned int bits[] = { 512, 768, 1024, 1032, 1536,
					     2048, 3072, 4096 };
	(void)state;
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		struct rsa_key k;

		rsa_key_gen(&k, bits[i]);
		for (unsigned int s = 0; s < 3; s++)
			check_key(&k, s * 7919 + bits[i]);
		EVP_PKEY_free(k.pkey);
	}
}

static void test_known_answer(void **state)
{
	static uint8_t msg[MAXMSG], reply[AP_REPLY_MAX];
	uint8_t n[128], d[128], e[128] = { 0 }, m[128], c[128], part[5][64];
	const uint8_t *parts[5] = { part[0], part[1], part[2], part[3],
				    part[4] };
	const char *hex[5] = { KAT_P, KAT_Q, KAT_DP, KAT_DQ, KAT_U };
	size_t len;
	int r;

	(void)state;
	hex2bin(KAT_N, n, 128);
	hex2bin(KAT_D, d, 128);
	hex2bin(KAT_M, m, 128);
	hex2bin(KAT_C, c, 128);
	for (int i = 0; i < 5; i++)
		hex2bin(hex[i], part[i], 64);
	e[125] = 1, e[127] = 1;		/* 65537 */
	len = t50_build_me(msg, 128, n, e, m);
	assert_int_equal(len, 400);
	r = request(AP_MODE_ACCEL, msg, len, reply);
	check_t80(reply, r, 128, c, 128);
	len = t50_build_me(msg, 128, n, d, c);
	r = request(AP_MODE_ACCEL, msg, len, reply);
	check_t80(reply, r, 128, m, 128);
	len = t50_build_crt(msg, 128, parts, c);
	assert_int_equal(len, 464);
	r = request(AP_MODE_ACCEL, msg, len, reply);
	check_t80(reply, r, 128, m, 128);
}

/* Textbook RSA (p 61, q 53, e 17, d 2753): 65 -> 2790 -> 65. */
static void test_textbook(void **state)
{
	static uint8_t msg[MAXMSG], reply[AP_REPLY_MAX];
	const uint8_t n[2] = { 0x0c, 0xa1 }, e[2] = { 0, 17 },
		d[2] = { 0x0a, 0xc1 }, m[2] = { 0, 65 }, c[2] = { 0x0a, 0xe6 };
	const uint8_t p[1] = { 61 }, q[1] = { 53 }, dp[1] = { 53 },
		dq[1] = { 49 }, u[1] = { 38 };
	const uint8_t *parts[5] = { p, q, dp, dq, u };
	int r;

	(void)state;
	r = request(AP_MODE_ACCEL, msg, t50_build_me(msg, 2, n, e, m), reply);
	check_t80(reply, r, 128, c, 2);
	r = request(AP_MODE_ACCEL, msg, t50_build_me(msg, 2, n, d, c), reply);
	check_t80(reply, r, 128, m, 2);
	r = request(AP_MODE_ACCEL, msg, t50_build_crt(msg, 2, parts, c),
		    reply);
	check_t80(reply, r, 128, m, 2);
}

/* A valid MEB1 request to damage: n = 3233 (odd), e = 17, m = 65. */
static size_t small_me(uint8_t *msg)
{
	const uint8_t n[2] = { 0x0c, 0xa1 }, e[2] = { 0, 17 },
		m[2] = { 0, 65 };

	return t50_build_me(msg, 2, n, e, m);
}

static void test_malformed(void **state)
{
	static uint8_t msg[MAXMSG], reply[AP_REPLY_MAX];
	size_t len;
	int r;

	(void)state;
	len = small_me(msg);
	put_be16(msg + 2, 399);			/* length field vs. length */
	check_t82(reply, request(AP_MODE_ACCEL, msg, len, reply), 0x23);
	len = small_me(msg);
	check_t82(reply, request(AP_MODE_ACCEL, msg, len - 1, reply), 0x23);
	put_be16(msg + 2, 401);			/* consistent but wrong */
	msg[400] = 0;
	check_t82(reply, request(AP_MODE_ACCEL, msg, 401, reply), 0x23);
	len = small_me(msg);
	put_be16(msg + 8, 0x0004);		/* unknown key block */
	check_t82(reply, request(AP_MODE_ACCEL, msg, len, reply), 0x29);
	for (int b = 0; b < 16; b++) {		/* reserved header bytes */
		if (b == 1 || b == 2 || b == 3 || b == 5 || b == 8 || b == 9)
			continue;
		len = small_me(msg);
		msg[b] = 0x01;
		check_t82(reply, request(AP_MODE_ACCEL, msg, len, reply),
			  0x24);
	}
	len = small_me(msg);
	msg[5] = 0xff;				/* "ignored" */
	r = request(AP_MODE_ACCEL, msg, len, reply);
	assert_int_equal(reply[1], AP_TYPE80);
	assert_int_equal(reply[r - 1], 0xe6);
	len = small_me(msg);
	msg[16 + 128 + 127] = 0xa0;		/* even modulus */
	check_t82(reply, request(AP_MODE_ACCEL, msg, len, reply), 0x85);
	memset(msg + 16 + 128, 0, 128);		/* zero modulus */
	check_t82(reply, request(AP_MODE_ACCEL, msg, len, reply), 0x82);
	len = small_me(msg);
	msg[16 + 256 + 126] = 0x0c;		/* message >= modulus */
	msg[16 + 256 + 127] = 0xa1;
	check_t82(reply, request(AP_MODE_ACCEL, msg, len, reply), 0x82);
	check_t82(reply, request(AP_MODE_ACCEL, msg, 7, reply), 0x23);
	check_t82(reply, request(AP_MODE_ACCEL, msg, 0, reply), 0x23);
}

static void test_crt_operands(void **state)
{
	static uint8_t msg[MAXMSG], reply[AP_REPLY_MAX];
	const uint8_t p[1] = { 61 }, q[1] = { 53 }, dp[1] = { 53 },
		dq[1] = { 49 }, u[1] = { 38 }, even[1] = { 52 }, zero[1] = { 0 },
		c[2] = { 0x0a, 0xe6 }, big[2] = { 0x0c, 0xa1 };
	const uint8_t *ok[5] = { p, q, dp, dq, u };
	const uint8_t *bad_q[5] = { p, even, dp, dq, u };
	const uint8_t *zero_p[5] = { zero, q, dp, dq, u };

	(void)state;
	check_t82(reply, request(AP_MODE_ACCEL, msg,
				 t50_build_crt(msg, 2, bad_q, c), reply), 0x85);
	check_t82(reply, request(AP_MODE_ACCEL, msg,
				 t50_build_crt(msg, 2, zero_p, c), reply),
		  0x82);
	check_t82(reply, request(AP_MODE_ACCEL, msg,
				 t50_build_crt(msg, 2, ok, big), reply), 0x82);
}

/* What each kind of card says to requests it cannot serve. */
static void test_unsupported(void **state)
{
	static uint8_t msg[MAXMSG], reply[AP_REPLY_MAX];
	size_t len = small_me(msg);

	(void)state;
	check_t82(reply, request(AP_MODE_CCA, msg, len, reply), 0x20);
	check_t82(reply, request(AP_MODE_EP11, msg, len, reply), 0x20);
	memset(msg, 0, 64);
	msg[1] = 0x06;				/* a CPRB request */
	check_t82(reply, request(AP_MODE_CCA, msg, 64, reply), 0x8b);
	check_t82(reply, request(AP_MODE_EP11, msg, 64, reply), 0x8b);
	check_t82(reply, request(AP_MODE_ACCEL, msg, 64, reply), 0x20);
	msg[1] = 0x04;				/* PCICA, long gone */
	check_t82(reply, request(AP_MODE_ACCEL, msg, 64, reply), 0x20);
}

/*
 * Garbage of every length with valid-looking headers: the card answers
 * without reading past the message (the sanitizer build checks that the
 * copies live in exactly-sized heap buffers).
 */
static void test_garbage(void **state)
{
	static const uint16_t codes[] = { 1, 2, 3, 0x11, 0x12, 0x13, 7 };
	uint8_t reply[AP_REPLY_MAX];
	unsigned int x = 12345;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		size_t len = (x = x * 1103515245 + 12345) % 1900;
		uint8_t *msg = malloc(len ? len : 1);
		int n;

		for (size_t j = 0; j < len; j++)
			msg[j] = (uint8_t)((x = x * 1103515245 + 12345) >> 16);
		if (len >= 16 && (i & 1)) {
			memset(msg, 0, 16);
			msg[1] = 0x50;
			put_be16(msg + 2, (unsigned int)len);
			put_be16(msg + 8, codes[i % 7]);
		}
		n = ap_crypto_request(i % 3, msg, len, reply);
		assert_true(n == 8 || (n > 16 && reply[1] == AP_TYPE80));
		free(msg);
	}
}

/* The same request end to end through an accelerator's queue. */
static void test_through_queue(void **state)
{
	static uint8_t msg[MAXMSG], reply[AP_REPLY_MAX];
	struct kvmu_ap_result r;
	struct kvmu_host *h;
	struct kvmu_ap *ap;
	char *dir = host_tmpdir();
	uint64_t gr0 = KVMU_AP_APQN(6, 0x47);
	size_t len = small_me(msg);

	(void)state;
	assert_int_equal(kvmu_host_open(dir, 0, &h), 0);
	assert_int_equal(kvmu_host_init(h, ap_test_config, NULL, 0), 0);
	assert_int_equal(kvmu_ap_open(h, NULL, &ap), 0);
	assert_int_equal(kvmu_ap_nqap(ap, gr0 | KVMU_AP_GR0_NQAP_LAST,
				      0x1122334455667788ULL, msg, len, 0, &r),
			 0);
	assert_int_equal(r.cc, 0);
	assert_int_equal(kvmu_ap_dqap(ap, gr0 | KVMU_AP_GR0_DQAP, reply,
				      sizeof(reply), &r), 0);
	assert_int_equal(r.cc, 0);
	assert_int_equal(r.psmid, 0x1122334455667788ULL);
	check_t80(reply, (int)r.done, 128, (const uint8_t[]){ 0x0a, 0xe6 }, 2);
	kvmu_ap_close(ap);
	kvmu_host_close(h);
	host_rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_textbook),
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_rsa_sizes),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_crt_operands),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_through_queue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
