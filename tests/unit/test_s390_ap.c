// SPDX-License-Identifier: MIT
/*
 * The AP instructions executed by guest code on the s390x CPU, against
 * an in-process host model (adapters 05 CCA, 06 accelerator, 07 EP11;
 * domains 0x04, 0x47, 0xab, 0xff): TAPQ over every APQN shows exactly the
 * attached matrix, QCI the guest's masks, CRYCB formats 0 and 1 truncate
 * them, the T bit needs facility 15, problem state and the AQIC
 * specification checks raise their exceptions, ZAPQ/RAPQ drop work,
 * NQAP/DQAP run type-50 RSA ME and CRT requests checked against OpenSSL,
 * a second attach is refused and a detach leaves nothing usable.  APIE
 * off sends the instructions to user space.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "s390_ap_test_util.h"

struct fixture {
	struct aphost host;
	struct apvm a;
	struct kvmu_host_matrix m;	/* attached: 05-07 x 04, ab; adm 04 */
	struct kvmu_ap *ap;
	char src[4096];
	struct rsa_key key;
};

static const int apids[] = { 5, 6, 7, -1 }, apqis[] = { 4, 0xab, -1 },
	adms[] = { 4, -1 };

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	aphost_open(&f->host, ap_test_config);
	if (apvm_open(&f->a))
		return -1;
	matrix_of(&f->m, apids, apqis, adms);
	assert_int_equal(kvmu_ap_open(f->host.h, &f->m, &f->ap), 0);
	assert_int_equal(s390_crypto_attach_ap(f->a.vm, f->ap, &f->m, NULL),
			 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	s390_crypto_detach_ap(f->a.vm, f->ap);
	kvmu_ap_close(f->ap);
	apvm_close(&f->a);
	aphost_close(&f->host);
	if (f->key.pkey)
		EVP_PKEY_free(f->key.pkey);
	free(f);
	return 0;
}

static int run_ok(struct fixture *f, const char *src)
{
	unsigned int pgm;
	int how = apvm_run(&f->a, src, PSW_64, &pgm);

	if (how != DONE)
		fprintf(stderr, "ended %d, program code %#x\n", how, pgm);
	assert_int_equal(how, DONE);
	return 0;
}

/* Run src and expect program interruption code pgm. */
static void run_pgm(struct fixture *f, const char *src, uint64_t mask,
		    unsigned int pgm)
{
	unsigned int got;

	assert_int_equal(apvm_run(&f->a, src, mask, &got), INTERRUPTED);
	assert_int_equal(got, pgm);
}

/* One PQAP with GR0, GR1, GR2 given; CC and registers stay in the run. */
static void pqap(struct fixture *f, uint32_t gr0, uint64_t gr1,
		 uint64_t gr2)
{
	snprintf(f->src, sizeof(f->src),
		 " llilf %%r0,0x%x\n llihf %%r1,0x%x\n oilf %%r1,0x%x\n"
		 " llihf %%r2,0x%x\n oilf %%r2,0x%x\n"
		 " .insn rre,0xb2af0000,0,0\n",
		 gr0, (unsigned int)(gr1 >> 32), (unsigned int)gr1,
		 (unsigned int)(gr2 >> 32), (unsigned int)gr2);
	run_ok(f, f->src);
}

static bool in_matrix(const struct kvmu_host_matrix *m, unsigned int apqn)
{
	unsigned int a = apqn >> 8, d = apqn & 0xff;

	return (m->apm.w[a / 64] & BIT64(a % 64)) &&
	       (m->aqm.w[d / 64] & BIT64(d % 64));
}

/* TAPQ over all 65536 APQNs: CC 0 exactly on m, RC 0x01 elsewhere. */
static void check_scan(struct fixture *f, const struct kvmu_host_matrix *m)
{
	const uint8_t *cc = f->a.v.mem + TAB_CC, *rc = f->a.v.mem + TAB_RC;
	unsigned int n = 0;

	tapq_scan_src(f->src, sizeof(f->src), 0);
	memset(f->a.v.mem + TAB_CC, 0xee, 0x20000);
	run_ok(f, f->src);
	for (unsigned int q = 0; q < 0x10000; q++) {
		bool want = m && in_matrix(m, q);

		if (cc[q] != (want ? 0 : 3) || rc[q] != (want ? 0 : 1))
			fail_msg("APQN %04x: cc %u rc %#x", q, cc[q], rc[q]);
		n += want;
	}
	if (m)
		assert_int_equal(n, 6);
}

static void test_apie_off_intercepts(void **state)
{
	struct fixture *f = *state;
	struct kvmu_s390_run *run = f->a.v.run;
	static const uint16_t ipa[] = { 0xb2af, 0xb2ad, 0xb2ae };
	static const char *const insn[] = {
		".insn rre,0xb2af0000,0,0", ".insn rre,0xb2ad0000,%r4,%r6",
		".insn rre,0xb2ae0000,%r4,%r6",
	};
	unsigned int pgm;

	s390_vm(f->a.vm)->crycb.apie = false;
	for (int i = 0; i < 3; i++) {
		/* problem state too: the interception comes first */
		assert_int_equal(apvm_run(&f->a, insn[i],
					  PSW_64 | PSW_PROBLEM, &pgm),
				 OTHER_EXIT);
		assert_int_equal(run->exit_reason, KVM_EXIT_S390_SIEIC);
		assert_int_equal(run->s390_sieic.icptcode, 4);
		assert_int_equal(run->s390_sieic.ipa, ipa[i]);
		assert_int_equal(run->s390_sieic.ipb, i ? 0x00460000 : 0);
		assert_int_equal(run->psw_addr, CODE + 4);
	}
}

static void test_tapq_scan(void **state)
{
	struct fixture *f = *state;

	check_scan(f, &f->m);
	/* an empty queue: E set, nothing else; GR2 has type and depth */
	pqap(f, FC_TAPQ | KVMU_AP_APQN(6, 0xab), 0, 0);
	assert_int_equal(apvm_cc(&f->a), 0);
	assert_int_equal((uint32_t)gr(&f->a, 1), KVMU_AP_ST_EMPTY);
	assert_int_equal(gr(&f->a, 2), 0x0b000007);
	/* a queue of the machine outside the matrix */
	pqap(f, FC_TAPQ | KVMU_AP_APQN(6, 0x47), 0xffffffff00000000ULL, 0);
	assert_int_equal(apvm_cc(&f->a), 3);
	assert_int_equal(gr(&f->a, 1), 0xffffffff00010000ULL);
}

static void test_t_bit(void **state)
{
	struct fixture *f = *state;

	/* accelerator, 4K ME and CRT, APXA; type 11; nd 0xff; qd 7 */
	pqap(f, FC_TAPQ | T_BIT | KVMU_AP_APQN(6, 4), 0, 0);
	assert_int_equal(apvm_cc(&f->a), 0);
	assert_int_equal(gr(&f->a, 2), 0x6a0000000bff0007ULL);
	/* CCA coprocessor: D instead of A */
	pqap(f, FC_TAPQ | T_BIT | KVMU_AP_APQN(5, 4), 0, 0);
	assert_int_equal(gr(&f->a, 2), 0x720000000bff0007ULL);
	/* EP11 coprocessor of type 13 (CEX7) */
	pqap(f, FC_TAPQ | T_BIT | KVMU_AP_APQN(7, 0xab), 0, 0);
	assert_int_equal(gr(&f->a, 2), 0x060000000dff0007ULL);
	apvm_fac(&f->a, 15, false);
	snprintf(f->src, sizeof(f->src), " llilf %%r0,0x%x\n"
		 " .insn rre,0xb2af0000,0,0\n", T_BIT | KVMU_AP_APQN(6, 4));
	run_pgm(f, f->src, PSW_64, PGM_SPECIFICATION);
	/* without T the facility is not needed */
	pqap(f, FC_TAPQ | KVMU_AP_APQN(6, 4), 0, 0);
	assert_int_equal(apvm_cc(&f->a), 0);
}

static void check_qci(struct fixture *f, const uint8_t *apm, size_t apm_n,
		      const uint8_t *aqm, size_t aqm_n, const uint8_t *adm,
		      size_t adm_n, uint8_t flags)
{
	uint8_t want[128] = { 0 };

	want[0] = flags;
	if (flags) {
		want[4] = 0xff;		/* na */
		want[5] = 0xff;		/* nd */
	}
	if (apm_n)	/* no masks at all: NULL, 0 */
		memcpy(want + 0x10, apm, apm_n);
	if (aqm_n)
		memcpy(want + 0x30, aqm, aqm_n);
	if (adm_n)
		memcpy(want + 0x50, adm, adm_n);
	memset(f->a.v.mem + QCI_BLK, 0xee, 128);
	pqap(f, FC_QCI, 0, QCI_BLK);
	assert_int_equal(apvm_cc(&f->a), 0);
	assert_memory_equal(f->a.v.mem + QCI_BLK, want, 128);
}

static const uint8_t apm_567[] = { 0x07 };			/* 5, 6, 7 */
static const uint8_t aqm_4ab[] = { 0x08, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10 };	/* 4, 0xab */
static const uint8_t adm_4[] = { 0x08 };

static void test_qci(void **state)
{
	static const uint8_t other_fc[] = { 5, 6, 7, 8, 0xff };
	struct fixture *f = *state;

	check_qci(f, apm_567, 1, aqm_4ab, sizeof(aqm_4ab), adm_4, 1, 0x40);
	/* facility 12 gates QCI */
	apvm_fac(&f->a, 12, false);
	snprintf(f->src, sizeof(f->src), " llilf %%r0,0x%x\n llilf %%r2,0x%x\n"
		 " .insn rre,0xb2af0000,0,0\n", FC_QCI, QCI_BLK);
	run_pgm(f, f->src, PSW_64, PGM_SPECIFICATION);
	/* other function codes: QACT, 6, BAPQ, AAPQ, 0xff */
	for (size_t i = 0; i < sizeof(other_fc); i++) {
		snprintf(f->src, sizeof(f->src), " llilf %%r0,0x%x\n"
			 " .insn rre,0xb2af0000,0,0\n",
			 (unsigned int)other_fc[i] << 24 | 0x0604);
		run_pgm(f, f->src, PSW_64, PGM_SPECIFICATION);
	}
}

/* Formats 0 and 1: APIDs 0-63, APQIs 0-15; wider APQNs: specification. */
static void test_formats_0_1(void **state)
{
	struct fixture *f = *state;
	const uint8_t *cc = f->a.v.mem + TAB_CC;
	struct kvmu_host_matrix wide = f->m;

	/* ids just past the reach of APCB0 in every mask */
	wide.apm.w[1] |= BIT64(0);		/* APID 64 */
	wide.aqm.w[0] |= BIT64(16);		/* APQI 16 */
	wide.adm.w[0] |= BIT64(16);
	for (unsigned int fmt = 0; fmt < 2; fmt++) {
		s390_crypto_detach_ap(f->a.vm, f->ap);
		s390_vm(f->a.vm)->crycb.format = (u8)fmt;
		assert_int_equal(s390_crypto_attach_ap(f->a.vm, f->ap, &wide,
						       NULL), 0);
		check_qci(f, apm_567, 1, aqm_4ab, 2, adm_4, 1, 0);
		snprintf(f->src, sizeof(f->src),
			 " lghi %%r6,0\n llilf %%r7,0x%x\n"
			 "0: lgr %%r0,%%r6\n tmll %%r6,0xf0\n jnz 1f\n"
			 " .insn rre,0xb2af0000,0,0\n ipm %%r3\n"
			 " srl %%r3,28\n stc %%r3,0(%%r6,%%r7)\n"
			 "1: aghi %%r6,1\n cgfi %%r6,0x4000\n jl 0b\n",
			 TAB_CC);
		memset(f->a.v.mem + TAB_CC, 0xee, 0x4000);
		run_ok(f, f->src);
		for (unsigned int q = 0; q < 0x4000; q++) {
			unsigned int want = q == 0x0504 || q == 0x0604 ||
					    q == 0x0704 ? 0 : 3;

			if ((q & 0xf0) == 0)
				assert_int_equal(cc[q], want);
		}
		/* 06.00ab is attached but out of reach: specification */
		snprintf(f->src, sizeof(f->src), " llilf %%r0,0x%x\n"
			 " .insn rre,0xb2af0000,0,0\n", KVMU_AP_APQN(6, 0xab));
		run_pgm(f, f->src, PSW_64, PGM_SPECIFICATION);
		snprintf(f->src, sizeof(f->src), " llilf %%r0,0x%x\n"
			 " .insn rre,0xb2ae0000,%%r4,%%r6\n",
			 KVMU_AP_APQN(0x40, 4) | KVMU_AP_GR0_DQAP);
		run_pgm(f, f->src, PSW_64, PGM_SPECIFICATION);
	}
}

static void test_privileged(void **state)
{
	struct fixture *f = *state;
	static const char *const insn[] = {
		" .insn rre,0xb2af0000,0,0", " .insn rre,0xb2ad0000,%r4,%r6",
		" .insn rre,0xb2ae0000,%r4,%r6",
	};

	for (int i = 0; i < 3; i++)
		run_pgm(f, insn[i], PSW_64 | PSW_PROBLEM, PGM_PRIVILEGED);
	/* odd register pairs */
	run_pgm(f, " .insn rre,0xb2ad0000,%r5,%r6", PSW_64,
		PGM_SPECIFICATION);
	run_pgm(f, " .insn rre,0xb2ae0000,%r4,%r7", PSW_64,
		PGM_SPECIFICATION);
}

/* handle_pqap's checks, in its order. */
static void test_aqic_spec(void **state)
{
	struct fixture *f = *state;
	uint64_t ir = 1ULL << 47;
	static const uint32_t bad[] = {
		FC_AQIC | 0x00400000 | 0x0604,	/* bit 41 */
		FC_AQIC | 0x00010000 | 0x0604,	/* bit 47 */
	};

	for (size_t i = 0; i < 2; i++) {
		snprintf(f->src, sizeof(f->src), " llilf %%r0,0x%x\n"
			 " .insn rre,0xb2af0000,0,0\n", bad[i]);
		run_pgm(f, f->src, PSW_64, PGM_SPECIFICATION);
	}
	snprintf(f->src, sizeof(f->src), " llilf %%r0,0x%x\n"
		 " .insn rre,0xb2af0000,0,0\n", FC_AQIC | 0x0604);
	run_pgm(f, f->src, PSW_64 | PSW_PROBLEM, PGM_PRIVILEGED);
	apvm_fac(&f->a, 65, false);
	run_pgm(f, f->src, PSW_64, PGM_SPECIFICATION);
	apvm_fac(&f->a, 65, true);
	s390_vm(f->a.vm)->crycb.format = 1;
	snprintf(f->src, sizeof(f->src), " llilf %%r0,0x%x\n"
		 " .insn rre,0xb2af0000,0,0\n", FC_AQIC | 0x06ab);
	run_pgm(f, f->src, PSW_64, PGM_SPECIFICATION);
	s390_vm(f->a.vm)->crycb.format = 2;
	/* working: enable, again (0x07), bad NIB (0x06), not ours (0x01) */
	pqap(f, FC_AQIC | 0x06ab, ir | 3, NIB);
	assert_int_equal(apvm_cc(&f->a), 0);
	assert_int_equal((uint32_t)gr(&f->a, 1),
			 KVMU_AP_ST_EMPTY | KVMU_AP_ST_IRQ);
	pqap(f, FC_AQIC | 0x06ab, ir | 3, NIB);
	assert_int_equal(apvm_cc(&f->a), 3);
	assert_int_equal(KVMU_AP_ST_RC(gr(&f->a, 1)), 0x07);
	pqap(f, FC_AQIC | 0x0604, ir, 0x7fff0000);
	assert_int_equal(KVMU_AP_ST_RC(gr(&f->a, 1)), 0x06);
	pqap(f, FC_AQIC | 0x0647, ir, NIB);
	assert_int_equal(apvm_cc(&f->a), 3);
	assert_int_equal(KVMU_AP_ST_RC(gr(&f->a, 1)), 0x01);
	pqap(f, FC_AQIC | 0x06ab, 0, 0);
	assert_int_equal(apvm_cc(&f->a), 0);
	assert_int_equal((uint32_t)gr(&f->a, 1), KVMU_AP_ST_EMPTY);
}

/* An ME request: textbook RSA, 65^17 mod 3233 = 2790. */
static size_t small_me(uint8_t *buf)
{
	const uint8_t n[2] = { 0x0c, 0xa1 }, e[2] = { 0, 17 },
		m[2] = { 0, 65 };

	return t50_build_me(buf, 2, n, e, m);
}

static void test_reset_and_notify(void **state)
{
	struct fixture *f = *state;
	uint8_t *mem = f->a.v.mem;
	size_t len = small_me(mem + REQ);
	uint32_t fc[2] = { FC_ZAPQ, FC_RAPQ };

	for (int i = 0; i < 2; i++) {
		pqap(f, FC_AQIC | 0x0604, 1ULL << 47, NIB);
		mem[NIB] = 0;
		/* NQAP, no DQAP: the reply waits; the NIB is set */
		nqap_dqap_src(f->src, sizeof(f->src), 0x0604, 1, len, 0);
		run_ok(f, f->src);
		assert_int_equal(gr(&f->a, 9), 0);
		assert_int_equal(mem[NIB], 0x80);
		pqap(f, FC_TAPQ | 0x0604, 0, 0);
		assert_int_equal((uint32_t)gr(&f->a, 1),
				 KVMU_AP_ST_REPLIES | KVMU_AP_ST_IRQ);
		pqap(f, fc[i] | 0x0604, 0, 0);
		assert_int_equal(apvm_cc(&f->a), 0);
		pqap(f, FC_TAPQ | 0x0604, 0, 0);
		assert_int_equal((uint32_t)gr(&f->a, 1), KVMU_AP_ST_EMPTY);
		snprintf(f->src, sizeof(f->src), " llilf %%r0,0x%x\n"
			 " lghi %%r4,0\n lghi %%r5,0\n llilf %%r6,0x%x\n"
			 " llilf %%r7,512\n .insn rre,0xb2ae0000,%%r4,%%r6\n",
			 0x0604 | KVMU_AP_GR0_DQAP, RBUF);
		run_ok(f, f->src);
		assert_int_equal(apvm_cc(&f->a), 3);
		assert_int_equal((uint32_t)gr(&f->a, 1),
				 KVMU_AP_ST_EMPTY | 0x100000);
	}
	/* a reset on another APQN answers 0x01 */
	pqap(f, FC_ZAPQ | 0x0647, 0, 0);
	assert_int_equal(apvm_cc(&f->a), 3);
	assert_int_equal(KVMU_AP_ST_RC(gr(&f->a, 1)), 1);
}

/* The type-80 reply at RBUF against OpenSSL's raw RSA of msg. */
static void check_reply(struct fixture *f, const uint8_t *msg, size_t field)
{
	const uint8_t *rp = f->a.v.mem + RBUF;
	uint8_t want[512];

	rsa_raw(&f->key, true, msg, want);
	assert_int_equal(rp[1], 0x80);
	assert_int_equal(get16(rp + 2), 16 + field);
	assert_memory_equal(rp + 16 + field - f->key.mod_len, want,
			    f->key.mod_len);
}

static void test_rsa(void **state)
{
	struct fixture *f = *state;
	uint8_t msg[512], *mem = f->a.v.mem;
	const uint8_t *parts[5];
	size_t len, rlen = 16 + 256;

	rsa_key_gen(&f->key, 2048);
	for (int i = 0; i < 5; i++)
		parts[i] = f->key.part[i];
	rsa_msg(&f->key, msg, 7);
	/* ME with d: the private operation, 784 bytes over two pages */
	len = t50_build_me(mem + REQ, f->key.mod_len, f->key.n, f->key.d,
			   msg);
	nqap_dqap_src(f->src, sizeof(f->src), 0x06ab, 0x1122334455667788ULL,
		      len, 4096);
	run_ok(f, f->src);
	assert_int_equal(gr(&f->a, 9), 0);
	assert_int_equal(KVMU_AP_ST_RC(gr(&f->a, 11)), 0);
	assert_int_equal(gr(&f->a, 10), 0);
	assert_int_equal(gr(&f->a, 4), 0x11223344);
	assert_int_equal(gr(&f->a, 5), 0x55667788);
	assert_int_equal(gr(&f->a, 6), RBUF + rlen);
	assert_int_equal(gr(&f->a, 7), 4096 - rlen);
	assert_int_equal(gr(&f->a, 2), 0);
	check_reply(f, msg, 256);
	/* CRT, dequeued in two parts: CC 1 with 172 bytes to come */
	len = t50_build_crt(mem + REQ, f->key.mod_len, parts, msg);
	memset(mem + RBUF, 0, 512);
	nqap_dqap_src(f->src, sizeof(f->src), 0x06ab, 9, len, 100);
	run_ok(f, f->src);
	assert_int_equal(gr(&f->a, 9), 0);
	assert_int_equal(gr(&f->a, 10), 1);
	assert_int_equal(gr(&f->a, 2), rlen - 100);
	assert_int_equal(gr(&f->a, 7), 0);
	snprintf(f->src, sizeof(f->src), " llilf %%r6,0x%x\n llilf %%r7,512\n"
		 " lghi %%r2,0\n .insn rre,0xb2ae0000,%%r4,%%r6\n",
		 RBUF + 100);
	/* GR0 and the PSMID registers stay as the first DQAP left them */
	run_ok(f, f->src);
	assert_int_equal(apvm_cc(&f->a), 0);
	assert_int_equal(gr(&f->a, 2), 0);
	assert_int_equal(gr(&f->a, 5), 9);
	check_reply(f, msg, 256);
	/* a CCA coprocessor takes no type 50: type-82 reply code 0x20 */
	nqap_dqap_src(f->src, sizeof(f->src), 0x0504, 3, len, 512);
	run_ok(f, f->src);
	assert_int_equal(gr(&f->a, 10), 0);
	assert_int_equal(mem[RBUF + 1], 0x82);
	assert_int_equal(mem[RBUF + 4], 0x20);
}

/*
 * NQAP across the end of storage: the first page goes to the queue and
 * the instruction ends with CC 2; reissued, it takes the addressing
 * exception with nothing consumed.  Too long a message: RC 0x15.
 */
static void test_nqap_partial(void **state)
{
	struct fixture *f = *state;
	size_t len = small_me(f->a.v.mem + REQ);

	memcpy(f->a.v.mem + S390_MEM - 0x100, f->a.v.mem + REQ, 0x100);
	snprintf(f->src, sizeof(f->src), " llilf %%r0,0x%x\n lghi %%r4,0\n"
		 " lghi %%r5,1\n llilf %%r6,0x%lx\n llilf %%r7,0x%zx\n"
		 " .insn rre,0xb2ad0000,%%r4,%%r6\n",
		 0x0604 | KVMU_AP_GR0_NQAP_LAST, S390_MEM - 0x100, len);
	run_ok(f, f->src);
	assert_int_equal(apvm_cc(&f->a), 2);
	assert_int_equal(gr(&f->a, 6), S390_MEM);
	assert_int_equal(gr(&f->a, 7), len - 0x100);
	run_pgm(f, " .insn rre,0xb2ad0000,%r4,%r6", PSW_64, PGM_ADDRESSING);
	assert_int_equal(gr(&f->a, 6), S390_MEM);
	/* 64 KiB: refused once 12 KiB are exceeded */
	snprintf(f->src, sizeof(f->src), " llilf %%r0,0x%x\n lghi %%r4,0\n"
		 " lghi %%r5,2\n llilf %%r6,0x%x\n llilf %%r7,0x10000\n"
		 "0: .insn rre,0xb2ad0000,%%r4,%%r6\n brc 2,0b\n",
		 0x06ab | KVMU_AP_GR0_NQAP_LAST, REQ);
	run_ok(f, f->src);
	assert_int_equal(apvm_cc(&f->a), 3);
	assert_int_equal(KVMU_AP_ST_RC(gr(&f->a, 1)), 0x15);
	/* and another guest's queue: 0x01 before any byte is taken */
	snprintf(f->src, sizeof(f->src), " llilf %%r0,0x%x\n lghi %%r4,0\n"
		 " lghi %%r5,2\n llilf %%r6,0x%x\n llilf %%r7,0x%zx\n"
		 " .insn rre,0xb2ad0000,%%r4,%%r6\n",
		 0x0647 | KVMU_AP_GR0_NQAP_LAST, REQ, len);
	run_ok(f, f->src);
	assert_int_equal(apvm_cc(&f->a), 3);
	assert_int_equal(KVMU_AP_ST_RC(gr(&f->a, 1)), 0x01);
	assert_int_equal(gr(&f->a, 7), len);
}

static void test_attach_detach(void **state)
{
	struct fixture *f = *state;
	struct kvmu_ap *ap2;

	assert_int_equal(kvmu_ap_open(f->host.h, NULL, &ap2), 0);
	assert_int_equal(s390_crypto_attach_ap(f->a.vm, ap2, &f->m, NULL),
			 -EPERM);
	assert_int_equal(s390_crypto_attach_ap(f->a.vm, f->ap, &f->m, NULL),
			 -EPERM);
	/* detaching queues that are not attached changes nothing */
	s390_crypto_detach_ap(f->a.vm, ap2);
	pqap(f, FC_TAPQ | 0x0604, 0, 0);
	assert_int_equal(apvm_cc(&f->a), 0);
	s390_crypto_detach_ap(f->a.vm, f->ap);
	check_scan(f, NULL);
	/* empty masks; the machine's APXA and maxima stay (format 2) */
	check_qci(f, NULL, 0, NULL, 0, NULL, 0, 0x40);
	pqap(f, FC_AQIC | 0x0604, 1ULL << 47, NIB);
	assert_int_equal(KVMU_AP_ST_RC(gr(&f->a, 1)), 1);
	/* and the other queues can come in now */
	assert_int_equal(s390_crypto_attach_ap(f->a.vm, ap2, &f->m, NULL), 0);
	pqap(f, FC_TAPQ | 0x0604, 0, 0);
	assert_int_equal(apvm_cc(&f->a), 0);
	s390_crypto_detach_ap(f->a.vm, ap2);
	kvmu_ap_close(ap2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_apie_off_intercepts),
		T(test_tapq_scan),
		T(test_t_bit),
		T(test_qci),
		T(test_formats_0_1),
		T(test_privileged),
		T(test_aqic_spec),
		T(test_reset_and_notify),
		T(test_rsa),
		T(test_nqap_partial),
		T(test_attach_detach),
#undef T
	};

	if (!s390_have_toolchain()) {
		printf("skip: s390x-linux-gnu-as not installed\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
