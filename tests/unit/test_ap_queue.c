// SPDX-License-Identifier: MIT
/*
 * The AP queue model through the C API the CPU uses: TAPQ with and
 * without the T bit, RAPQ/ZAPQ, AQIC and its notifications, QCI, NQAP and
 * DQAP whole and in chunks and parts, every response code the model
 * gives, deferred adapters (pending requests, queue full, reset in
 * progress), adapter failures, and the mdev path: only the guest matrix
 * is usable, resets and hot unplug zeroize, another guest's queue is
 * RC 0x01.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ap_test_util.h"

#define U1 "0fe903a0-a323-44db-9daf-134c68627d61"
#define U2 "62177883-f1bb-47f0-914d-32a22e3a8804"

#define Q6_47	KVMU_AP_APQN(6, 0x47)
#define LAST	KVMU_AP_GR0_NQAP_LAST
#define DQ	KVMU_AP_GR0_DQAP
#define RC(r)	KVMU_AP_ST_RC((r).status)

struct fixture {
	char *dir;
	struct kvmu_host *h;
	struct kvmu_ap *ap;	/* every queue of the machine */
	uint8_t msg[400];	/* textbook ME request: 65^17 mod 3233 */
	size_t len;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const uint8_t n[2] = { 0x0c, 0xa1 }, e[2] = { 0, 17 },
		m[2] = { 0, 65 };

	f->dir = host_tmpdir();
	assert_int_equal(kvmu_host_open(f->dir, 0, &f->h), 0);
	assert_int_equal(kvmu_host_init(f->h, ap_test_config, NULL, 0), 0);
	assert_int_equal(kvmu_ap_open(f->h, NULL, &f->ap), 0);
	f->len = t50_build_me(f->msg, 2, n, e, m);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	kvmu_ap_close(f->ap);
	kvmu_host_close(f->h);
	host_rmdir(f->dir);
	free(f);
	return 0;
}

static void send_req(struct kvmu_ap *ap, uint64_t apqn, uint64_t psmid,
		     const struct fixture *f, unsigned int want_rc)
{
	struct kvmu_ap_result r;

	assert_int_equal(kvmu_ap_nqap(ap, apqn | LAST, psmid, f->msg, f->len,
				      0, &r), 0);
	assert_int_equal(RC(r), want_rc);
	assert_int_equal(r.cc, want_rc ? 3 : 0);
}

/* Dequeue one whole reply; its PSMID, or ~0 with *rc set. */
static uint64_t recv_reply(struct kvmu_ap *ap, uint64_t apqn,
			   unsigned int *rc)
{
	uint8_t buf[1024];
	struct kvmu_ap_result r;

	assert_int_equal(kvmu_ap_dqap(ap, apqn | DQ, buf, sizeof(buf), &r),
			 0);
	*rc = RC(r);
	if (*rc)
		return ~0ULL;
	assert_int_equal(r.cc, 0);
	assert_int_equal(r.done, 144);
	assert_int_equal(buf[1], 0x80);
	assert_int_equal(buf[142] << 8 | buf[143], 2790);
	return r.psmid;
}

static void test_tapq(void **state)
{
	struct fixture *f = *state;
	struct kvmu_ap_result r;

	assert_int_equal(kvmu_ap_tapq(f->ap, Q6_47 | KVMU_AP_GR0_T, &r), 0);
	assert_int_equal(r.cc, 0);
	assert_int_equal(r.status, KVMU_AP_ST_EMPTY);
	/* A, mex4k, crt4k, APXA; type 11; nd 255; qd 7 */
	assert_int_equal(r.gr2, 0x6a0000000bff0007ULL);
	assert_int_equal(kvmu_ap_tapq(f->ap, KVMU_AP_APQN(5, 4) |
				      KVMU_AP_GR0_T, &r), 0);
	assert_int_equal(r.gr2 >> 56, 0x72);	/* D, mex4k, crt4k, APXA */
	assert_int_equal(kvmu_ap_tapq(f->ap, KVMU_AP_APQN(7, 0xff) |
				      KVMU_AP_GR0_T, &r), 0);
	assert_int_equal(r.gr2, 0x060000000dff0007ULL);	/* X, APXA; CEX7 */
	assert_int_equal(kvmu_ap_tapq(f->ap, Q6_47, &r), 0);
	assert_int_equal(r.gr2, 0x000000000b000007ULL);	/* no T: type, qd */
	/* no such domain, no such adapter */
	assert_int_equal(kvmu_ap_tapq(f->ap, KVMU_AP_APQN(6, 5), &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_Q_NOT_AVAIL);
	assert_int_equal(r.cc, 3);
	assert_int_equal(r.status, 0x00010000);
	assert_int_equal(r.gr2, 0);
	assert_int_equal(kvmu_ap_tapq(f->ap, KVMU_AP_APQN(0x10, 4), &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_Q_NOT_AVAIL);
}

static void test_enqueue_dequeue(void **state)
{
	struct fixture *f = *state;
	struct kvmu_ap_result r;
	unsigned int rc;

	send_req(f->ap, Q6_47, 0x100000001ULL, f, 0);
	send_req(f->ap, Q6_47, 0x100000002ULL, f, 0);
	assert_int_equal(kvmu_ap_tapq(f->ap, Q6_47, &r), 0);
	assert_int_equal(r.status, KVMU_AP_ST_REPLIES);
	assert_int_equal(recv_reply(f->ap, Q6_47, &rc), 0x100000001ULL);
	assert_int_equal(recv_reply(f->ap, Q6_47, &rc), 0x100000002ULL);
	assert_int_equal(recv_reply(f->ap, Q6_47, &rc), ~0ULL);
	assert_int_equal(rc, KVMU_AP_RC_NO_PENDING_REPLY);
	assert_int_equal(kvmu_ap_dqap(f->ap, Q6_47 | DQ, f->msg, 10, &r), 0);
	assert_int_equal(r.status, KVMU_AP_ST_EMPTY | 0x00100000);
	assert_int_equal(r.cc, 3);
	/* queues are independent */
	send_req(f->ap, KVMU_AP_APQN(6, 4), 7, f, 0);
	assert_int_equal(recv_reply(f->ap, Q6_47, &rc), ~0ULL);
	assert_int_equal(recv_reply(f->ap, KVMU_AP_APQN(6, 4), &rc), 7);
}

/* NQAP in chunks (segment boundaries) and in parts (L bit clear). */
static void test_nqap_chunks(void **state)
{
	struct fixture *f = *state;
	struct kvmu_ap_result r;
	unsigned int rc;

	for (size_t off = 0; off < f->len; off += 64) {
		size_t n = f->len - off < 64 ? f->len - off : 64;
		int more = off + n < f->len;

		assert_int_equal(kvmu_ap_nqap(f->ap, Q6_47 | LAST, 9,
					      f->msg + off, n, more, &r), 0);
		assert_int_equal(r.done, n);
		assert_int_equal(r.cc, more ? 2 : 0);
		assert_int_equal(RC(r), 0);
	}
	assert_int_equal(recv_reply(f->ap, Q6_47, &rc), 9);
	/* two parts: the first without the last-part bit */
	assert_int_equal(kvmu_ap_nqap(f->ap, Q6_47, 10, f->msg, 100, 0, &r),
			 0);
	assert_int_equal(r.cc, 1);
	assert_int_equal(recv_reply(f->ap, Q6_47, &rc), ~0ULL);
	assert_int_equal(kvmu_ap_nqap(f->ap, Q6_47 | LAST, 11, f->msg + 100,
				      f->len - 100, 0, &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_NO_FIRST_PART);
	assert_int_equal(r.cc, 3);
	assert_int_equal(kvmu_ap_nqap(f->ap, Q6_47 | LAST, 10, f->msg + 100,
				      f->len - 100, 0, &r), 0);
	assert_int_equal(r.cc, 0);
	assert_int_equal(recv_reply(f->ap, Q6_47, &rc), 10);
}

/* DQAP into a small buffer: CC 1 and the residual length until done. */
static void test_dqap_chunks(void **state)
{
	struct fixture *f = *state;
	struct kvmu_ap_result r;
	uint8_t whole[144], chunk[50];
	size_t got = 0;

	send_req(f->ap, Q6_47, 0xabcdef0012345678ULL, f, 0);
	do {
		assert_int_equal(kvmu_ap_dqap(f->ap, Q6_47 | DQ, chunk,
					      sizeof(chunk), &r), 0);
		assert_int_equal(RC(r), 0);
		memcpy(whole + got, chunk, r.done);
		got += r.done;
		assert_int_equal(r.gr2, 144 - got);
		assert_int_equal(r.cc, got < 144 ? 1 : 0);
		assert_int_equal(r.psmid, 0xabcdef0012345678ULL);
		if (got < 144)
			assert_int_equal(r.gr0, Q6_47 | DQ);
	} while (r.cc == 1);
	assert_int_equal(got, 144);
	assert_int_equal(whole[1], 0x80);
	assert_int_equal(whole[142] << 8 | whole[143], 2790);
	assert_int_equal(r.status, KVMU_AP_ST_EMPTY);
	/* a zero-length buffer takes nothing and loses nothing */
	send_req(f->ap, Q6_47, 1, f, 0);
	assert_int_equal(kvmu_ap_dqap(f->ap, Q6_47 | DQ, chunk, 0, &r), 0);
	assert_int_equal(r.cc, 1);
	assert_int_equal(r.gr2, 144);
}

static void test_limits(void **state)
{
	struct fixture *f = *state;
	struct kvmu_ap_result r;
	uint8_t *big = calloc(1, KVMU_AP_MAX_MSG + 1);

	assert_int_equal(kvmu_ap_nqap(f->ap, Q6_47 | LAST, 1, big,
				      KVMU_AP_MAX_MSG + 1, 0, &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_MESSAGE_TOO_BIG);
	/* the limit applies to the sum of the parts */
	assert_int_equal(kvmu_ap_nqap(f->ap, Q6_47, 2, big, 8192, 0, &r), 0);
	assert_int_equal(r.cc, 1);
	assert_int_equal(kvmu_ap_nqap(f->ap, Q6_47 | LAST, 2, big, 8192, 0,
				      &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_MESSAGE_TOO_BIG);
	assert_int_equal(r.status & KVMU_AP_ST_EMPTY, KVMU_AP_ST_EMPTY);
	/* exactly the limit is a request (a malformed one: type 82) */
	assert_int_equal(kvmu_ap_nqap(f->ap, Q6_47 | LAST, 3, big,
				      KVMU_AP_MAX_MSG, 0, &r), 0);
	assert_int_equal(r.cc, 0);
	assert_int_equal(kvmu_ap_dqap(f->ap, Q6_47 | DQ, big, 64, &r), 0);
	assert_int_equal(r.done, 8);
	assert_int_equal(big[1], 0x82);
	/* the special-command bit needs a facility the model lacks */
	assert_int_equal(kvmu_ap_nqap(f->ap, Q6_47 | LAST | KVMU_AP_GR0_F, 4,
				      f->msg, f->len, 0, &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_REQ_FAC_NOT_INST);
	free(big);
}

/* Deferred adapter: pending requests, queue full, reset in progress. */
static void test_deferred(void **state)
{
	struct fixture *f = *state;
	struct kvmu_ap_result r;
	unsigned int rc, i;

	kvmu_ap_set_flags(f->ap, KVMU_AP_DEFER);
	for (i = 0; i < 8; i++)
		send_req(f->ap, Q6_47, 100 + i, f, 0);
	assert_int_equal(kvmu_ap_tapq(f->ap, Q6_47, &r), 0);
	assert_int_equal(r.status, KVMU_AP_ST_FULL);
	send_req(f->ap, Q6_47, 108, f, KVMU_AP_RC_Q_FULL);
	/* requests pending, no reply yet: RC 0x10 without E */
	assert_int_equal(kvmu_ap_dqap(f->ap, Q6_47 | DQ, f->msg, 0, &r), 0);
	assert_int_equal(r.status, KVMU_AP_ST_FULL | 0x00100000);
	assert_int_equal(kvmu_ap_process(f->ap, 3), 3);
	assert_int_equal(recv_reply(f->ap, Q6_47, &rc), 100);
	assert_int_equal(kvmu_ap_process(f->ap, 0), 5);
	for (i = 1; i < 8; i++)
		assert_int_equal(recv_reply(f->ap, Q6_47, &rc), 100 + i);
	/* RAPQ drops everything and takes until the adapter runs */
	send_req(f->ap, Q6_47, 200, f, 0);
	assert_int_equal(kvmu_ap_reset(f->ap, Q6_47 | 1u << 24, &r), 0);
	assert_int_equal(r.cc, 0);
	assert_int_equal(r.status, KVMU_AP_ST_EMPTY);
	assert_int_equal(kvmu_ap_tapq(f->ap, Q6_47, &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_RESET_IN_PROGRESS);
	send_req(f->ap, Q6_47, 201, f, KVMU_AP_RC_RESET_IN_PROGRESS);
	assert_int_equal(recv_reply(f->ap, Q6_47, &rc), ~0ULL);
	assert_int_equal(rc, KVMU_AP_RC_RESET_IN_PROGRESS);
	assert_int_equal(kvmu_ap_aqic(f->ap, Q6_47, 1ULL << 47, 0x1000, 1,
				      &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_RESET_IN_PROGRESS);
	assert_int_equal(kvmu_ap_process(f->ap, 0), 1);
	assert_int_equal(kvmu_ap_tapq(f->ap, Q6_47, &r), 0);
	assert_int_equal(r.status, KVMU_AP_ST_EMPTY);
	assert_int_equal(kvmu_ap_reset(f->ap, Q6_47 | 3u << 24, &r), -EINVAL);
}

struct notes {
	unsigned int n, apqn, isc;
	uint64_t nib;
};

static void on_reply(void *opaque, unsigned int apqn, unsigned int isc,
		     uint64_t nib)
{
	struct notes *nt = opaque;

	nt->n++;
	nt->apqn = apqn;
	nt->isc = isc;
	nt->nib = nib;
}

static void test_aqic(void **state)
{
	struct fixture *f = *state;
	struct kvmu_ap_result r;
	struct notes nt = { 0 };
	uint64_t ir = 1ULL << 47;
	unsigned int rc;

	kvmu_ap_set_notify(f->ap, on_reply, &nt);
	assert_int_equal(kvmu_ap_aqic(f->ap, Q6_47, ir | 3, 0x2000, 0, &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_INVALID_ADDRESS);
	assert_int_equal(kvmu_ap_aqic(f->ap, Q6_47, ir | 3, 0, 1, &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_INVALID_ADDRESS);
	assert_int_equal(kvmu_ap_aqic(f->ap, Q6_47, ir | 3, 0x2000, 1, &r), 0);
	assert_int_equal(r.cc, 0);
	assert_int_equal(r.status, KVMU_AP_ST_EMPTY | KVMU_AP_ST_IRQ);
	assert_int_equal(kvmu_ap_aqic(f->ap, Q6_47, ir | 3, 0x2000, 1, &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_OTHERWISE_CHANGED);
	send_req(f->ap, Q6_47, 5, f, 0);
	assert_int_equal(nt.n, 1);
	assert_int_equal(nt.apqn, Q6_47);
	assert_int_equal(nt.isc, 3);
	assert_int_equal(nt.nib, 0x2000);
	assert_int_equal(recv_reply(f->ap, Q6_47, &rc), 5);
	/* deferred replies notify when they arrive */
	kvmu_ap_set_flags(f->ap, KVMU_AP_DEFER);
	send_req(f->ap, Q6_47, 6, f, 0);
	assert_int_equal(nt.n, 1);
	assert_int_equal(kvmu_ap_process(f->ap, 0), 1);
	assert_int_equal(nt.n, 2);
	kvmu_ap_set_flags(f->ap, 0);
	/* disable, then ZAPQ also switches interruptions off */
	assert_int_equal(kvmu_ap_aqic(f->ap, Q6_47, 0, 0, 0, &r), 0);
	assert_int_equal(r.status, KVMU_AP_ST_REPLIES);
	assert_int_equal(kvmu_ap_aqic(f->ap, Q6_47, 0, 0, 0, &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_OTHERWISE_CHANGED);
	send_req(f->ap, Q6_47, 7, f, 0);
	assert_int_equal(nt.n, 2);
	assert_int_equal(kvmu_ap_aqic(f->ap, Q6_47, ir, 0x3000, 1, &r), 0);
	assert_int_equal(kvmu_ap_reset(f->ap, Q6_47 | 2u << 24, &r), 0);
	assert_int_equal(r.status, KVMU_AP_ST_EMPTY);
}

static void test_adapter_states(void **state)
{
	struct fixture *f = *state;
	struct kvmu_ap_result r;
	unsigned int rc;

	send_req(f->ap, Q6_47, 1, f, 0);
	assert_int_equal(kvmu_ap_set_adapter(f->ap, 6,
					     KVMU_AP_ADAPTER_DECONFIGURED), 0);
	assert_int_equal(kvmu_ap_tapq(f->ap, Q6_47 | KVMU_AP_GR0_T, &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_DECONFIGURED);
	assert_int_equal(r.gr2 >> 24 & 0xff, 11);	/* still identified */
	send_req(f->ap, Q6_47, 2, f, KVMU_AP_RC_DECONFIGURED);
	assert_int_equal(kvmu_ap_reset(f->ap, Q6_47 | 2u << 24, &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_DECONFIGURED);
	assert_int_equal(kvmu_ap_set_adapter(f->ap, 6,
					     KVMU_AP_ADAPTER_CHECKSTOPPED), 0);
	assert_int_equal(recv_reply(f->ap, Q6_47, &rc), ~0ULL);
	assert_int_equal(rc, KVMU_AP_RC_CHECKSTOPPED);
	assert_int_equal(kvmu_ap_set_adapter(f->ap, 6,
					     KVMU_AP_ADAPTER_ONLINE), 0);
	/* the reply was lost with the adapter */
	assert_int_equal(recv_reply(f->ap, Q6_47, &rc), ~0ULL);
	assert_int_equal(rc, KVMU_AP_RC_NO_PENDING_REPLY);
	assert_int_equal(kvmu_ap_set_adapter(f->ap, 256, 0), -EINVAL);
	assert_int_equal(kvmu_ap_set_adapter(f->ap, 6, 3), -EINVAL);
}

static void test_qci(void **state)
{
	struct fixture *f = *state;
	struct kvmu_host_matrix m = { { { 0 } } };
	struct kvmu_ap_result r;
	uint8_t info[KVMU_AP_QCI_LEN], want[KVMU_AP_QCI_LEN] = { 0 };

	assert_int_equal(kvmu_ap_qci(f->ap, NULL, info, &r), 0);
	assert_int_equal(r.cc, 0);
	want[0] = 0x40;
	want[4] = 255;
	want[5] = 255;
	want[0x10] = 0x07;			/* adapters 5, 6, 7 */
	want[0x30] = 0x08;			/* domain 4 */
	want[0x30 + 8] = 0x01;			/* 0x47 */
	want[0x30 + 21] = 0x10;			/* 0xab */
	want[0x30 + 31] = 0x01;			/* 0xff */
	memset(want + 0x50, 0xff, 32);		/* ADM: the open's all */
	assert_memory_equal(info, want, sizeof(want));
	/* the masks the CPU takes from the guest's CRYCB */
	m.apm.w[0] = 1ULL << 57;		/* adapter 6 */
	m.aqm.w[1] = 1ULL << 56;		/* domain 0x47 */
	m.adm.w[0] = 0xffffULL << 48;
	assert_int_equal(kvmu_ap_qci(f->ap, &m, info, &r), 0);
	memset(want + 0x10, 0, 0x60);
	want[0x10] = 0x02;
	want[0x30 + 8] = 0x01;
	want[0x50] = want[0x51] = 0xff;
	assert_memory_equal(info, want, sizeof(want));
}

/* A test set over part of the machine: the rest is RC 0x01. */
static void test_restricted_open(void **state)
{
	struct fixture *f = *state;
	struct kvmu_host_matrix m = { { { 0 } } };
	struct kvmu_ap_result r;
	struct kvmu_ap *ap;

	m.apm.w[0] = 1ULL << 57 | 1ULL << 40;	/* 6 and 23 (absent) */
	m.aqm.w[0] = 1ULL << 59;		/* 4 */
	assert_int_equal(kvmu_ap_open(f->h, &m, &ap), 0);
	assert_int_equal(kvmu_ap_tapq(ap, KVMU_AP_APQN(6, 4), &r), 0);
	assert_int_equal(r.cc, 0);
	assert_int_equal(kvmu_ap_tapq(ap, KVMU_AP_APQN(23, 4), &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_Q_NOT_AVAIL);
	assert_int_equal(kvmu_ap_tapq(ap, Q6_47, &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_Q_NOT_AVAIL);
	send_req(ap, Q6_47, 1, f, KVMU_AP_RC_Q_NOT_AVAIL);
	assert_int_equal(kvmu_ap_aqic(ap, Q6_47, 0, 0, 0, &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_Q_NOT_AVAIL);
	assert_int_equal(kvmu_ap_reset(ap, Q6_47 | 2u << 24, &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_Q_NOT_AVAIL);
	kvmu_ap_close(ap);
	assert_int_equal(kvmu_ap_open(NULL, NULL, &ap), -EINVAL);
}

static void make_guests(struct kvmu_host *h)
{
	assert_int_equal(host_echo(h, "bus/ap/apmask", "-5,-6,-7"), 0);
	assert_int_equal(host_echo(h, "bus/ap/aqmask", "-4,-0x47"), 0);
	assert_int_equal(host_echo(h, TYPE "create", U1), 0);
	assert_int_equal(host_echo(h, TYPE "create", U2), 0);
	assert_int_equal(mdev_echo(h, U1, "assign_adapter", "6"), 0);
	assert_int_equal(mdev_echo(h, U1, "assign_domain", "4"), 0);
	assert_int_equal(mdev_echo(h, U1, "assign_domain", "0x47"), 0);
	assert_int_equal(mdev_echo(h, U2, "assign_adapter", "5"), 0);
	assert_int_equal(mdev_echo(h, U2, "assign_domain", "4"), 0);
}

/* The mdev path: guest matrix gating, zeroize on reset/unplug/release. */
static void test_mdev(void **state)
{
	struct fixture *f = *state;
	struct kvmu_host_mdev *md1, *md2;
	struct kvmu_ap_result r;
	struct kvmu_ap *ap;
	uint8_t info[KVMU_AP_QCI_LEN];
	unsigned int rc;

	make_guests(f->h);
	assert_int_equal(kvmu_host_mdev_open(f->h, U1, &md1), 0);
	assert_int_equal(kvmu_host_mdev_open(f->h, U2, &md2), 0);
	ap = kvmu_host_mdev_ap(md1);
	assert_non_null(ap);
	assert_int_equal(kvmu_ap_tapq(ap, Q6_47, &r), 0);
	assert_int_equal(r.cc, 0);
	/* U2's queue, an unassigned domain, a reserved queue */
	assert_int_equal(kvmu_ap_tapq(ap, KVMU_AP_APQN(5, 4), &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_Q_NOT_AVAIL);
	assert_int_equal(kvmu_ap_tapq(ap, KVMU_AP_APQN(6, 0xab), &r), 0);
	assert_int_equal(RC(r), KVMU_AP_RC_Q_NOT_AVAIL);
	send_req(kvmu_host_mdev_ap(md2), Q6_47, 1, f, KVMU_AP_RC_Q_NOT_AVAIL);
	assert_int_equal(kvmu_ap_qci(ap, NULL, info, &r), 0);
	assert_int_equal(info[0x10], 0x02);
	assert_int_equal(info[0x30], 0x08);
	assert_int_equal(info[0x38], 0x01);
	/* VFIO_DEVICE_RESET zeroizes */
	send_req(ap, Q6_47, 1, f, 0);
	assert_int_equal(kvmu_host_mdev_reset(md1), 0);
	assert_int_equal(recv_reply(ap, Q6_47, &rc), ~0ULL);
	assert_int_equal(rc, KVMU_AP_RC_NO_PENDING_REPLY);
	/* hot unplug and plug again: the queue was reset in between */
	send_req(ap, Q6_47, 2, f, 0);
	assert_int_equal(mdev_echo(f->h, U1, "unassign_domain", "0x47"), 0);
	assert_int_equal(recv_reply(ap, Q6_47, &rc), ~0ULL);
	assert_int_equal(rc, KVMU_AP_RC_Q_NOT_AVAIL);
	assert_int_equal(mdev_echo(f->h, U1, "assign_domain", "0x47"), 0);
	assert_int_equal(recv_reply(ap, Q6_47, &rc), ~0ULL);
	assert_int_equal(rc, KVMU_AP_RC_NO_PENDING_REPLY);
	/* another domain's work survives what happened to 0x47 */
	send_req(ap, KVMU_AP_APQN(6, 4), 3, f, 0);
	assert_int_equal(recv_reply(ap, KVMU_AP_APQN(6, 4), &rc), 3);
	kvmu_ap_close(ap);		/* not ours to free: a no-op */
	send_req(ap, Q6_47, 4, f, 0);
	kvmu_host_mdev_release(md1);
	/* a new open starts from empty queues */
	assert_int_equal(kvmu_host_mdev_open(f->h, U1, &md1), 0);
	assert_int_equal(recv_reply(kvmu_host_mdev_ap(md1), Q6_47, &rc),
			 ~0ULL);
	assert_int_equal(rc, KVMU_AP_RC_NO_PENDING_REPLY);
	kvmu_host_mdev_release(md1);
	kvmu_host_mdev_release(md2);
}

/* The mdev vanishing under an open handle leaves nothing usable. */
static void test_mdev_removed(void **state)
{
	struct fixture *f = *state;
	struct kvmu_host_mdev *md;
	struct kvmu_ap_result r;

	make_guests(f->h);
	assert_int_equal(kvmu_host_mdev_open(f->h, U2, &md), 0);
	assert_int_equal(kvmu_ap_tapq(kvmu_host_mdev_ap(md),
				      KVMU_AP_APQN(5, 4), &r), 0);
	assert_int_equal(r.cc, 0);
	kvmu_host_mdev_release(md);
	assert_int_equal(mdev_echo(f->h, U2, "remove", "1"), 0);
	assert_int_equal(kvmu_host_mdev_open(f->h, U2, &md), -ENODEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tapq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enqueue_dequeue, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nqap_chunks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dqap_chunks, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deferred, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_aqic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adapter_states, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_qci, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restricted_open, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mdev, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mdev_removed, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
