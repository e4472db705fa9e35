/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the s390x AP instruction tests: an s390x VM whose CRYCB the
 * test reaches directly (format, APIE, facilities; the VM attributes that
 * will set them are another piece of work), a host model in a private
 * directory, guest code assembled at test time that ends with DIAGNOSE
 * X'502' ("done"), every new PSW leading to DIAGNOSE X'501' ("an
 * interruption was taken"), and type-50 requests from ap_test_util.h.
 */
#ifndef S390_AP_TEST_UTIL_H
#define S390_AP_TEST_UTIL_H

/* s390.h and ap_test_util.h both define a put_be16() of their own */
#define put_be16 s390_int_put_be16
#include "arch/s390/s390.h"
#undef put_be16

#include "s390_test_util.h"
#include "ap_test_util.h"

#define CODE		0x10000
#define STUB		0x2000		/* diag 0,0,0x501 */
#define NIB		0x3000		/* AQIC notification byte */
#define QCI_BLK		0x3100		/* PQAP(QCI) info block */
#define REQ		0x30f00		/* request, over a page end */
#define RBUF		0x40f80		/* reply buffer, likewise */
#define TAB_CC		0x100000	/* per-APQN condition codes */
#define TAB_RC		0x110000	/* per-APQN response codes */

#define FC_TAPQ		0x00000000u
#define FC_RAPQ		0x01000000u
#define FC_ZAPQ		0x02000000u
#define FC_AQIC		0x03000000u
#define FC_QCI		0x04000000u
#define T_BIT		0x00800000u

struct apvm {
	struct s390vm v;
	struct kvmu_vm *vm;	/* the VM behind v.vm */
};

/* The VM behind a VM fd; the fd keeps it alive. */
static inline struct kvmu_vm *vm_of_fd(int fd)
{
	struct kvmu_obj *obj;

	if (kvmu_obj_get(fd, &obj))
		return NULL;
	kvmu_obj_put(obj);
	return (struct kvmu_vm *)obj;
}

/* A VM with APIE on and the lowcore's new PSWs leading to the stub. */
static inline int apvm_open(struct apvm *a)
{
	static const uint32_t new_psw[] = { 0x1a0, 0x1b0, 0x1c0, 0x1d0,
					    0x1e0, 0x1f0 };

	if (s390vm_open(&a->v))
		return -1;
	a->vm = vm_of_fd(a->v.vm);
	if (!a->vm)
		return -1;
	for (size_t i = 0; i < sizeof(new_psw) / sizeof(new_psw[0]); i++)
		s390_lc_psw(&a->v, new_psw[i], PSW_64, STUB);
	put64(a->v.mem + STUB, 0x8300050100000000ULL);
	s390_vm(a->vm)->crycb.apie = true;
	return 0;
}

static inline void apvm_close(struct apvm *a)
{
	s390vm_close(&a->v);
}

/* Facility nr of the VM on or off (the CPU model's job later). */
static inline void apvm_fac(struct apvm *a, unsigned int nr, bool on)
{
	uint64_t *w = &s390_vm(a->vm)->fac[nr / 64];

	*w = on ? *w | BIT64(nr % 64) : *w & ~BIT64(nr % 64);
}

/* A matrix from lists of ids (-1 ends each list). */
static inline void matrix_of(struct kvmu_host_matrix *m, const int *apids,
			     const int *apqis, const int *adms)
{
	memset(m, 0, sizeof(*m));
	for (; *apids >= 0; apids++)
		m->apm.w[*apids / 64] |= BIT64(*apids % 64);
	for (; *apqis >= 0; apqis++)
		m->aqm.w[*apqis / 64] |= BIT64(*apqis % 64);
	for (; *adms >= 0; adms++)
		m->adm.w[*adms / 64] |= BIT64(*adms % 64);
}

/* Outcome of running guest code. */
enum { DONE, INTERRUPTED, OTHER_EXIT };

/*
 * Assemble src at CODE, run it with PSW mask `mask` and say how it ended;
 * *pgm gets the program-interruption code (0: none).
 */
static inline int apvm_run(struct apvm *a, const char *src, uint64_t mask,
			   unsigned int *pgm)
{
	char code[8192];
	struct kvmu_s390_run *run = a->v.run;

	snprintf(code, sizeof(code), "%s\n diag %%r0,%%r0,0x502\n", src);
	memset(a->v.mem + LC_PGM_CODE, 0, 2);
	if (s390_asm(&a->v, CODE, code))
		return -1;
	run->psw_mask = mask;
	run->psw_addr = CODE;
	if (s390_run(&a->v))
		return -1;
	*pgm = get16(a->v.mem + LC_PGM_CODE);
	if (run->exit_reason != KVM_EXIT_S390_SIEIC || run->s390_sieic.ipa !=
	    0x8300)
		return OTHER_EXIT;
	return run->s390_sieic.ipb == 0x05010000 ? INTERRUPTED :
	       run->s390_sieic.ipb == 0x05020000 ? DONE : OTHER_EXIT;
}

static inline unsigned int apvm_cc(const struct apvm *a)
{
	return (unsigned int)(a->v.run->psw_mask >> 44) & 3;
}

static inline uint64_t gr(const struct apvm *a, int r)
{
	return a->v.run->s.regs.gprs[r];
}

/*
 * Guest code: TAPQ (GR0 flags | APQN) for every APQN from 0 to
 * 0xffff, storing CC at TAB_CC + APQN and the response code at TAB_RC +
 * APQN.
 */
static inline void tapq_scan_src(char *buf, size_t n, uint32_t flags)
{
	snprintf(buf, n,
		 " lghi %%r6,0\n llilf %%r7,0x%x\n llilf %%r8,0x%x\n"
		 "0: llilf %%r0,0x%x\n ogr %%r0,%%r6\n"
		 " .insn rre,0xb2af0000,0,0\n ipm %%r3\n srl %%r3,28\n"
		 " stc %%r3,0(%%r6,%%r7)\n srlg %%r4,%%r1,16\n"
		 " stc %%r4,0(%%r6,%%r8)\n aghi %%r6,1\n"
		 " cgfi %%r6,0x10000\n jl 0b\n",
		 TAB_CC, TAB_RC, flags);
}

/*
 * Guest code: NQAP of len bytes at REQ to apqn (last part, PSMID
 * psmid), reissued on CC 2, CC kept in GR9; then DQAP into RBUF for
 * buflen bytes, reissued on CC 2, CC kept in GR10.
 */
static inline void nqap_dqap_src(char *buf, size_t n, unsigned int apqn,
				 uint64_t psmid, size_t len, size_t buflen)
{
	snprintf(buf, n,
		 " llilf %%r0,0x%x\n llilf %%r4,0x%x\n llilf %%r5,0x%x\n"
		 " llilf %%r6,0x%x\n llilf %%r7,0x%zx\n"
		 "0: .insn rre,0xb2ad0000,%%r4,%%r6\n brc 2,0b\n"
		 " ipm %%r9\n srl %%r9,28\n lgr %%r11,%%r1\n"
		 " llilf %%r0,0x%x\n lghi %%r4,0\n lghi %%r5,0\n"
		 " llilf %%r6,0x%x\n llilf %%r7,0x%zx\n lghi %%r2,0\n"
		 "1: .insn rre,0xb2ae0000,%%r4,%%r6\n brc 2,1b\n"
		 " ipm %%r10\n srl %%r10,28\n",
		 apqn | KVMU_AP_GR0_NQAP_LAST, (unsigned int)(psmid >> 32),
		 (unsigned int)psmid, REQ, len, apqn | KVMU_AP_GR0_DQAP,
		 RBUF, buflen);
}

/* A host in a private directory with machine config. */
struct aphost {
	char *dir;
	struct kvmu_host *h;
};

static inline void aphost_open(struct aphost *h, const char *config)
{
	h->dir = host_tmpdir();
	if (kvmu_host_open(h->dir, 0, &h->h) ||
	    kvmu_host_init(h->h, config, NULL, 0)) {
		fprintf(stderr, "host setup failed\n");
		exit(1);
	}
}

static inline void aphost_close(struct aphost *h)
{
	kvmu_host_close(h->h);
	host_rmdir(h->dir);
}

#endif
