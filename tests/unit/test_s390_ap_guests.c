// SPDX-License-Identifier: MIT
/*
 * The crypto pass-through walk-through's three guests
 * (docs/s390-crypto-passthrough.md): three VMs, each attached through
 * the vfio_attach hook to one of the three mdevs.  Each sees exactly its
 * own queues (TAPQ over every APQN, QCI), uses them (RSA on its
 * accelerator queues against OpenSSL), and another guest's queue answers
 * RC 0x01; hot unplug and plug reach the guest; a second mdev is refused;
 * detach leaves nothing.  Then the C guests tests/guests/s390x/ap_list.c
 * and ap_rsa.c run on an attached VM through the kvmu console.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "s390_ap_test_util.h"

#define U1 "0fe903a0-a323-44db-9daf-134c68627d61"
#define U2 "62177883-f1bb-47f0-914d-32a22e3a8804"
#define U3 "cef03c3c-903d-4ecc-9a83-40694cb8aee4"

#define NG	3

struct fixture {
	struct aphost host;
	struct apvm g[NG];
	struct kvmu_host_mdev *md[NG];
	char src[4096];
};

/* Guest i's queues, as the walk-through assigns them. */
static const unsigned int own[NG][5] = {
	{ 0x0504, 0x05ab, 0x0604, 0x06ab, 0 },
	{ 0x0547, 0x05ff, 0 },
	{ 0x0647, 0x06ff, 0 },
};
static const char *const uuid[NG] = { U1, U2, U3 };

static int mdev_write(struct kvmu_host *h, const char *u, const char *attr,
		      const char *v)
{
	char path[160];

	snprintf(path, sizeof(path), MATRIX "%s/%s", u, attr);
	return host_echo(h, path, v);
}

/* The walk-through: secure the eight queues, three mdevs, assignments. */
static void configure(struct kvmu_host *h)
{
	static const char *const steps[][3] = {
		{ U1, "assign_adapter", "5" }, { U1, "assign_adapter", "6" },
		{ U1, "assign_domain", "4" }, { U1, "assign_domain", "0xab" },
		{ U2, "assign_adapter", "5" }, { U2, "assign_domain", "0x47" },
		{ U2, "assign_domain", "0xff" },
		{ U3, "assign_adapter", "6" }, { U3, "assign_domain", "0x47" },
		{ U3, "assign_domain", "0xff" },
	};

	assert_int_equal(host_echo(h, "bus/ap/apmask", "-5,-6"), 0);
	assert_int_equal(host_echo(h, "bus/ap/aqmask",
				   "-4,-0x47,-0xab,-0xff"), 0);
	for (int i = 0; i < NG; i++)
		assert_int_equal(host_echo(h, TYPE "create", uuid[i]), 0);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		assert_int_equal(mdev_write(h, steps[i][0], steps[i][1],
					    steps[i][2]), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	aphost_open(&f->host, kvmu_host_default_config());
	configure(f->host.h);
	for (int i = 0; i < NG; i++) {
		if (apvm_open(&f->g[i]))
			return -1;
		assert_int_equal(kvmu_host_mdev_open(f->host.h, uuid[i],
						     &f->md[i]), 0);
		assert_int_equal(kvmu_s390_ops.vfio_attach(f->g[i].vm,
							   f->md[i]), 0);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < NG; i++) {
		/* as the VFIO layer will: detach, then release (resets) */
		kvmu_s390_ops.vfio_detach(f->g[i].vm, f->md[i]);
		kvmu_host_mdev_release(f->md[i]);
		apvm_close(&f->g[i]);
	}
	aphost_close(&f->host);
	free(f);
	return 0;
}

static void run_ok(struct apvm *a, const char *src)
{
	unsigned int pgm;

	assert_int_equal(apvm_run(a, src, PSW_64, &pgm), DONE);
}

static bool owns(int i, unsigned int apqn)
{
	for (int k = 0; own[i][k]; k++)
		if (own[i][k] == apqn)
			return true;
	return false;
}

/* TAPQ over every APQN: CC 0 exactly on guest i's queues (but domain
 * gone, when >= 0). */
static void check_scan(struct fixture *f, int i, int gone)
{
	struct apvm *a = &f->g[i];
	const uint8_t *cc = a->v.mem + TAB_CC, *rc = a->v.mem + TAB_RC;

	tapq_scan_src(f->src, sizeof(f->src), 0);
	memset(a->v.mem + TAB_CC, 0xee, 0x20000);
	run_ok(a, f->src);
	for (unsigned int q = 0; q < 0x10000; q++) {
		bool want = owns(i, q) && (int)(q & 0xff) != gone;

		if (cc[q] != (want ? 0 : 3) || rc[q] != (want ? 0 : 1))
			fail_msg("guest %d APQN %04x: cc %u rc %#x", i + 1, q,
				 cc[q], rc[q]);
	}
}

/* RSA ME (public exponent) on apqn from guest a, against OpenSSL. */
static void rsa_me(struct fixture *f, struct apvm *a, unsigned int apqn,
		   const struct rsa_key *k, unsigned int want_rc)
{
	uint8_t msg[512], want[512], *mem = a->v.mem;
	size_t len;

	rsa_msg(k, msg, apqn);
	len = t50_build_me(mem + REQ, k->mod_len, k->n, k->e, msg);
	memset(mem + RBUF, 0, 1024);
	nqap_dqap_src(f->src, sizeof(f->src), apqn, apqn, len, 1024);
	run_ok(a, f->src);
	assert_int_equal(KVMU_AP_ST_RC(gr(a, 11)), want_rc);
	if (want_rc) {
		assert_int_equal(gr(a, 9), 3);
		return;
	}
	assert_int_equal(gr(a, 9), 0);
	assert_int_equal(gr(a, 10), 0);
	assert_int_equal(gr(a, 5), apqn);
	rsa_raw(k, false, msg, want);
	assert_int_equal(mem[RBUF + 1], 0x80);
	assert_memory_equal(mem + RBUF + 16 + 128 - k->mod_len, want,
			    k->mod_len);
}

static void test_three_guests(void **state)
{
	struct fixture *f = *state;
	struct rsa_key k;

	rsa_key_gen(&k, 1024);
	for (int i = 0; i < NG; i++)
		check_scan(f, i, -1);
	/* the accelerator (adapter 6) queues work for their owners */
	rsa_me(f, &f->g[0], 0x0604, &k, 0);
	rsa_me(f, &f->g[0], 0x06ab, &k, 0);
	rsa_me(f, &f->g[2], 0x0647, &k, 0);
	rsa_me(f, &f->g[2], 0x06ff, &k, 0);
	/* and nobody else's */
	rsa_me(f, &f->g[0], 0x0647, &k, 1);
	rsa_me(f, &f->g[2], 0x0604, &k, 1);
	rsa_me(f, &f->g[1], 0x06ff, &k, 1);
	/* guest 2 has only the CCA coprocessor: it answers type 50 with a
	 * type-82 reply (0x20), through NQAP/DQAP on its own queue */
	nqap_dqap_src(f->src, sizeof(f->src), 0x0547, 1,
		      t50_build_me(f->g[1].v.mem + REQ, k.mod_len, k.n, k.e,
				   k.n), 512);
	run_ok(&f->g[1], f->src);
	assert_int_equal(gr(&f->g[1], 9), 0);
	assert_int_equal(gr(&f->g[1], 10), 0);
	assert_int_equal(f->g[1].v.mem[RBUF + 1], 0x82);
	assert_int_equal(f->g[1].v.mem[RBUF + 4], 0x20);
	EVP_PKEY_free(k.pkey);
}

static const uint8_t qci_g1[3][32] = {
	{ 0x06 },				/* adapters 5, 6 */
	{ 0x08, [21] = 0x10 },			/* domains 4, 0xab */
	{ 0 },					/* no control domains */
};

static void check_qci(struct apvm *a, const uint8_t m[3][32])
{
	uint8_t *blk = a->v.mem + QCI_BLK;
	char src[256];

	snprintf(src, sizeof(src), " llilf %%r0,0x%x\n llilf %%r2,0x%x\n"
		 " .insn rre,0xb2af0000,0,0\n", FC_QCI, QCI_BLK);
	run_ok(a, src);
	assert_int_equal(apvm_cc(a), 0);
	assert_int_equal(blk[0], 0x40);		/* APXA */
	for (int i = 0; i < 3; i++)
		assert_memory_equal(blk + 0x10 + 0x20 * i, m[i], 32);
}

/* Hot unplug and plug of domain 0xab of guest 1; then detach. */
static void test_hotplug_detach(void **state)
{
	struct fixture *f = *state;
	uint8_t m[3][32];

	check_qci(&f->g[0], qci_g1);
	assert_int_equal(mdev_write(f->host.h, U1, "unassign_domain", "0xab"),
			 0);
	/* an unplug is seen at once, before any refresh */
	check_scan(f, 0, 0xab);
	memcpy(m, qci_g1, sizeof(m));
	m[1][21] = 0;
	check_qci(&f->g[0], (const uint8_t (*)[32])m);
	assert_int_equal(mdev_write(f->host.h, U1, "assign_domain", "0xab"),
			 0);
	assert_int_equal(mdev_write(f->host.h, U1, "assign_control_domain",
				    "0xab"), 0);
	/* a plug is seen at the next QCI (or a miss a millisecond later) */
	memcpy(m, qci_g1, sizeof(m));
	m[2][21] = 0x10;
	check_qci(&f->g[0], (const uint8_t (*)[32])m);
	check_scan(f, 0, -1);
	/* one mdev per VM */
	assert_int_equal(kvmu_s390_ops.vfio_attach(f->g[0].vm, f->md[1]),
			 -EPERM);
	kvmu_s390_ops.vfio_detach(f->g[0].vm, f->md[0]);
	check_scan(f, 1, -1);	/* the others are untouched */
	tapq_scan_src(f->src, sizeof(f->src), 0);
	run_ok(&f->g[0], f->src);
	for (unsigned int q = 0; q < 0x10000; q++)
		assert_int_equal(f->g[0].v.mem[TAB_CC + q], 3);
}

/* ---- the C guests ---- */

static char out[8192];
static size_t out_len;

/* The VMM side of the kvmu console; the guest's exit code or -1. */
static int console(struct s390vm *v)
{
	__u64 *g = v->run->s.regs.gprs;

	out_len = 0;
	for (;;) {
		if (s390_run(v))
			return -1;
		if (v->run->exit_reason != KVM_EXIT_S390_SIEIC ||
		    (v->run->s390_sieic.ipa >> 8) != 0x83 ||
		    (v->run->s390_sieic.ipb >> 16) != 0x0500)
			return -1;
		if (g[1] == 0x101) {
			out[out_len] = 0;
			return (int)g[2];
		}
		if (g[1] != 0x100 || g[2] + g[3] > S390_MEM ||
		    out_len + g[3] >= sizeof(out))
			return -1;
		memcpy(out + out_len, v->mem + g[2], g[3]);
		out_len += g[3];
		g[2] = 0;
	}
}

static int run_guest(struct apvm *a, const char *name)
{
	char path[256];
	const char *b = getenv("BUILD");
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/guests/s390x/%s.bin", b ? b : "build",
		 name);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	n = fread(a->v.mem + CODE, 1, S390_MEM - CODE, fp);
	fclose(fp);
	assert_true(n > 0);
	assert_int_equal(s390_psw(&a->v, PSW_64, CODE), 0);
	return console(&a->v);
}

/* runs of zero digits in the masks ap_list prints */
#define Z20	"00000000000000000000"
#define Z40	Z20 Z20
#define Z62	Z40 Z20 "00"

static void test_ap_list_guest(void **state)
{
	struct fixture *f = *state;
	static const char want[] =
		"apxa=1 na=ff nd=ff\n"
		"apm 06" Z62 "\n"
		"aqm 08" Z40 "10" Z20 "\n"
		"adm 00" Z62 "\n"
		"05.0004 cc=0 st=80000000 hw=720000000bff0007\n"
		"05.00ab cc=0 st=80000000 hw=720000000bff0007\n"
		"06.0004 cc=0 st=80000000 hw=6a0000000bff0007\n"
		"06.00ab cc=0 st=80000000 hw=6a0000000bff0007\n";

	assert_int_equal(run_guest(&f->g[0], "ap_list"), 0);
	assert_string_equal(out, want);
	assert_int_equal(run_guest(&f->g[2], "ap_list"), 0);
	assert_non_null(strstr(out, "06.0047 cc=0"));
	assert_null(strstr(out, "06.0004"));
}

/* What ap_rsa.c computes: its operands, and the power with OpenSSL. */
static void rsa_expected(char *buf, size_t n)
{
	uint8_t nb[128], mb[128], r[128];
	BIGNUM *bn, *bm, *be, *br;
	BN_CTX *ctx = BN_CTX_new();
	size_t off;

	for (int i = 0; i < 128; i++) {
		nb[i] = (uint8_t)(i * 37 + 11);
		mb[i] = (uint8_t)(i * 73 + 5);
	}
	nb[0] |= 0x80;
	nb[127] |= 1;
	mb[0] = 0;
	bn = BN_bin2bn(nb, 128, NULL);
	bm = BN_bin2bn(mb, 128, NULL);
	be = BN_new();
	br = BN_new();
	assert_true(BN_set_word(be, 65537));
	assert_true(BN_mod_exp(br, bm, be, bn, ctx));
	assert_int_equal(BN_bn2binpad(br, r, 128), 128);
	off = (size_t)snprintf(buf, n, "apqn=0604 cc=0 psmid=4b564d55 "
			       "type=80 len=0090\nresult=");
	for (int i = 0; i < 128; i++)
		off += (size_t)snprintf(buf + off, n - off, "%02x", r[i]);
	snprintf(buf + off, n - off, "\n");
	BN_free(bn);
	BN_free(bm);
	BN_free(be);
	BN_free(br);
	BN_CTX_free(ctx);
}

static void test_ap_rsa_guest(void **state)
{
	struct fixture *f = *state;
	char want[512];

	rsa_expected(want, sizeof(want));
	assert_int_equal(run_guest(&f->g[0], "ap_rsa"), 0);
	assert_string_equal(out, want);
	/* guest 2 has no accelerator */
	assert_int_equal(run_guest(&f->g[1], "ap_rsa"), 1);
	assert_string_equal(out, "no accelerator\n");
}

static int build_guests(void)
{
	char cmd[512];
	const char *b = getenv("BUILD");

	snprintf(cmd, sizeof(cmd), "sh tests/guests/s390x/build.sh "
		 "%s/guests/s390x", b ? b : "build");
	return system(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_three_guests),
		T(test_hotplug_detach),
		T(test_ap_list_guest),
		T(test_ap_rsa_guest),
#undef T
	};

	if (!s390_have_toolchain() ||
	    system("s390x-linux-gnu-gcc --version >/dev/null 2>&1")) {
		printf("skip: s390x cross toolchain not installed\n");
		return 77;
	}
	if (build_guests())
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
