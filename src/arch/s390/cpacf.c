// SPDX-License-Identifier: MIT
/*
 * The CP Assist for Cryptographic Functions as far as kvmu implements it:
 * the query function (function code 0) of KM, KMC, KIMD, KLMD, KMAC
 * (facility 17, MSA) and PCKMO (facility 76, MSA3).  Query stores the
 * 128-bit block of installed functions: the processor model's
 * subfunctions (CPU_MODEL PROCESSOR_SUBFUNC) limited to what kvmu
 * executes, which is query alone.  Any other function code is a
 * specification exception, as for a function that is not installed.
 */
#include <stddef.h>

#include "s390.h"

/* Where each instruction's block sits in kvmu_s390_vm_cpu_subfunc. */
static const struct {
	u8 op2;			/* second opcode byte (B9xx) */
	u8 modifier;		/* GR0 bit 56 is the decipher modifier */
	u8 r1_pair;		/* R1 names an even-odd pair */
	size_t off;
} cpacf_insns[] = {
	{ 0x2e, 1, 1, offsetof(struct kvmu_s390_vm_cpu_subfunc, km) },
	{ 0x2f, 1, 1, offsetof(struct kvmu_s390_vm_cpu_subfunc, kmc) },
	{ 0x3e, 0, 0, offsetof(struct kvmu_s390_vm_cpu_subfunc, kimd) },
	{ 0x3f, 0, 0, offsetof(struct kvmu_s390_vm_cpu_subfunc, klmd) },
	{ 0x1e, 0, 0, offsetof(struct kvmu_s390_vm_cpu_subfunc, kmac) },
	{ 0x28, 0, 0, offsetof(struct kvmu_s390_vm_cpu_subfunc, pckmo) },
};

#define OP_PCKMO	0x28

int op_cpacf(struct s390_cpu *c, struct s390_dec *d)
{
	unsigned int fc = (unsigned int)c->gprs[0] & 0x7f;
	u8 blk[16];
	size_t k;

	for (k = 0; k < ARRAY_SIZE(cpacf_insns); k++)
		if (cpacf_insns[k].op2 == d->in->op2)
			break;
	if (k == ARRAY_SIZE(cpacf_insns))
		return PGM_OPERATION;
	if ((c->gprs[0] & 0x80) && !cpacf_insns[k].modifier)
		return PGM_SPECIFICATION;
	if (d->in->op2 != OP_PCKMO) {
		if (!d->r2 || (d->r2 & 1))
			return PGM_SPECIFICATION;
		if (cpacf_insns[k].r1_pair && (!d->r1 || (d->r1 & 1)))
			return PGM_SPECIFICATION;
	}
	s390_subfunc_query(c->vm, cpacf_insns[k].off, blk);
	/* only query runs; it is "not installed" when bit 0 is off */
	if (fc != 0 || !(blk[0] & 0x80))
		return PGM_SPECIFICATION;
	TRY(s390_write(c, s390_wrap(c, c->gprs[1]), blk, sizeof(blk)));
	s390_set_cc(c, 0);
	return 0;
}
