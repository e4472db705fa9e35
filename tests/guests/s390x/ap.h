/* SPDX-License-Identifier: MIT */
/*
 * The AP instructions for the s390x test guests: PQAP(QCI), PQAP(TAPQ)
 * with the T bit, NQAP and DQAP, as thin wrappers that return the
 * condition code (docs/s390x.md, "AP instructions").
 */
#ifndef S390_GUEST_AP_H
#define S390_GUEST_AP_H

#define AP_NQAP_LAST	0x40000000ul
#define AP_DQAP		0x80000000ul
#define AP_TBIT		0x00800000ul
#define AP_RC(st)	(((st) >> 16) & 0xff)

/* PQAP(QCI): the 128-byte configuration information at blk. */
static inline int ap_qci(unsigned char *blk)
{
	register unsigned long r0 asm("0") = 4ul << 24;
	register unsigned long r2 asm("2") = (unsigned long)blk;
	int cc;

	asm volatile(".insn rre,0xb2af0000,0,0\n ipm %0\n srl %0,28"
		     : "=d"(cc) : "d"(r0), "d"(r2) : "cc", "memory", "1");
	return cc;
}

/* PQAP(TAPQ) with the T bit: status word and adapter information. */
static inline int ap_tapq(unsigned int apqn, unsigned int *status,
			  unsigned long *info)
{
	register unsigned long r0 asm("0") = apqn | AP_TBIT;
	register unsigned long r1 asm("1") = 0;
	register unsigned long r2 asm("2") = 0;
	int cc;

	asm volatile(".insn rre,0xb2af0000,0,0\n ipm %0\n srl %0,28"
		     : "=d"(cc), "+d"(r1), "+d"(r2) : "d"(r0) : "cc");
	*status = (unsigned int)r1;
	*info = r2;
	return cc;
}

/* NQAP of a whole request, reissued while partially complete (CC 2). */
static inline int ap_nqap(unsigned int apqn, unsigned long psmid,
			  const void *msg, unsigned long len,
			  unsigned int *status)
{
	register unsigned long r0 asm("0") = apqn | AP_NQAP_LAST;
	register unsigned long r1 asm("1") = 0;
	register unsigned long r4 asm("4") = psmid >> 32;
	register unsigned long r5 asm("5") = psmid & 0xffffffffu;
	register unsigned long r6 asm("6") = (unsigned long)msg;
	register unsigned long r7 asm("7") = len;
	int cc;

	asm volatile("0: .insn rre,0xb2ad0000,%[r4],%[r6]\n brc 2,0b\n"
		     " ipm %[cc]\n srl %[cc],28"
		     : [cc] "=d"(cc), "+d"(r1), [r6] "+d"(r6), "+d"(r7)
		     : "d"(r0), [r4] "d"(r4), "d"(r5) : "cc", "memory");
	*status = (unsigned int)r1;
	return cc;
}

/* DQAP into buf; *len gets the bytes stored, *psmid the reply's id. */
static inline int ap_dqap(unsigned int apqn, unsigned long *psmid,
			  void *buf, unsigned long *len,
			  unsigned int *status)
{
	register unsigned long r0 asm("0") = apqn | AP_DQAP;
	register unsigned long r1 asm("1") = 0;
	register unsigned long r2 asm("2") = 0;
	register unsigned long r4 asm("4") = 0;
	register unsigned long r5 asm("5") = 0;
	register unsigned long r6 asm("6") = (unsigned long)buf;
	register unsigned long r7 asm("7") = *len;
	int cc;

	asm volatile("0: .insn rre,0xb2ae0000,%[r4],%[r6]\n brc 2,0b\n"
		     " ipm %[cc]\n srl %[cc],28"
		     : [cc] "=d"(cc), "+d"(r0), "+d"(r1), "+d"(r2),
		       [r4] "+d"(r4), "+d"(r5), [r6] "+d"(r6), "+d"(r7)
		     : : "cc", "memory");
	*len -= r7;
	*psmid = r4 << 32 | r5;
	*status = (unsigned int)r1;
	return cc;
}

#endif
