// SPDX-License-Identifier: MIT
/*
 * The instructions KVM intercepts: DIAGNOSE (0x44/0x9c yield, 0x10
 * release, 0x308 IPL functions handled; the rest, 0x500 included, go to
 * user space), SIGNAL PROCESSOR, SERVICE CALL (always user space: the VMM
 * implements the SCLP), STORE SYSTEM INFORMATION (with the
 * KVM_EXIT_S390_STSI exit when user space asked for it) and the channel
 * subsystem instructions (user space with KVM_CAP_S390_CSS_SUPPORT,
 * condition code 3 without, as the kernel does).
 */
#include <string.h>

#include "s390.h"

static int diag_ipl(struct s390_cpu *c, struct s390_dec *d)
{
	u64 sub = c->gprs[d->r3] & 0xffff;
	struct kvmu_s390_run *run = c->run;

	/* a protected guest's load-normal-dump goes to user space (refused) */
	if (sub != 3 && (sub != 4 || c->pv_cpu))
		return s390_intercept(c, d);
	c->icptcode = KVMU_S390_ICPT_INST;
	c->ipa = (u16)(d->raw >> 32);
	c->ipb = (u32)d->raw;
	if (!c->vm->user_cpu_state_ctrl)
		s390_vcpu_stop(c);
	run->s390_reset_flags = (sub == 3 ? KVM_S390_RESET_CLEAR : 0) |
		KVM_S390_RESET_SUBSYSTEM | KVM_S390_RESET_IPL |
		KVM_S390_RESET_CPU_INIT;
	run->exit_reason = KVM_EXIT_S390_RESET;
	return S390_EXIT;
}

int op_diag(struct s390_cpu *c, struct s390_dec *d)
{
	switch (s390_ea(c, 0, d->b2, d->d2) & 0xffff) {
	case 0x10:		/* release pages: nothing to give back */
	case 0x44:		/* time-slice end */
	case 0x9c:		/* directed yield */
		return 0;
	case 0x308:
		return diag_ipl(c, d);
	default:
		return s390_intercept(c, d);
	}
}

int op_sigp(struct s390_cpu *c, struct s390_dec *d)
{
	return s390_sigp(c, d);
}

int op_servc(struct s390_cpu *c, struct s390_dec *d)
{
	return s390_intercept(c, d);
}

/* EBCDIC for the upper-case letters, digits and blanks STSI stores. */
static void ebcdic(u8 *dst, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char ch = *s ? *s++ : ' ';

		if (ch >= 'A' && ch <= 'I')
			dst[i] = (u8)(0xc1 + ch - 'A');
		else if (ch >= 'J' && ch <= 'R')
			dst[i] = (u8)(0xd1 + ch - 'J');
		else if (ch >= 'S' && ch <= 'Z')
			dst[i] = (u8)(0xe2 + ch - 'S');
		else if (ch >= '0' && ch <= '9')
			dst[i] = (u8)(0xf0 + ch - '0');
		else
			dst[i] = 0x40;
	}
}

/* Fill a SYSIB; false when (fc, sel1, sel2) names none. */
static bool sysib(struct s390_cpu *c, unsigned int fc, unsigned int s1,
		  unsigned int s2, u8 *b)
{
	int n = atomic_load(&c->kvm->nr_vcpus);

	memset(b, 0, 4096);
	if (fc == 1 && s1 == 1 && s2 == 1) {
		ebcdic(b + 32, "IBM", 16);	/* manufacturer */
		ebcdic(b + 48, "2097", 4);	/* type */
		ebcdic(b + 64, "KVMU", 16);	/* capacity model */
		ebcdic(b + 80, "0000000000000000", 16);	/* sequence */
		ebcdic(b + 96, "KVMU", 4);	/* plant */
		return true;
	}
	if ((fc == 1 || fc == 2) && s1 == 2 && (s2 == 1 || s2 == 2)) {
		put_be16(b + (s2 == 1 ? 30 : 32), (u16)n);
		return true;
	}
	if (fc == 3 && s1 == 2 && s2 == 2) {
		b[31] = 1;			/* one VM level */
		put_be16(b + 36, (u16)n);	/* total CPUs */
		put_be16(b + 38, (u16)n);	/* configured */
		ebcdic(b + 56, "KVMUGUES", 8);	/* name */
		ebcdic(b + 64, "KVM", 16);	/* control program id */
		return true;
	}
	return false;
}

int op_stsi(struct s390_cpu *c, struct s390_dec *d)
{
	unsigned int fc = (unsigned int)(c->gprs[0] >> 28) & 0xf;
	unsigned int s1 = (unsigned int)c->gprs[0] & 0xff;
	unsigned int s2 = (unsigned int)c->gprs[1] & 0xffff;
	u64 a = s390_ea(c, 0, d->b2, d->d2);
	u8 b[4096];

	if ((c->gprs[0] & 0x0fffff00ULL) || (c->gprs[1] & 0xffff0000ULL))
		return PGM_SPECIFICATION;
	if (fc == 0) {
		set_lo(c, 0, 3u << 28);		/* current level: VM */
		s390_set_cc(c, 0);
		return 0;
	}
	if (a & 0xfff)
		return PGM_SPECIFICATION;
	if (fc > 3 || !sysib(c, fc, s1, s2, b)) {
		s390_set_cc(c, 3);
		return 0;
	}
	TRY(s390_write(c, a, b, sizeof(b)));
	s390_set_cc(c, 0);
	set_lo(c, 0, 0);
	if (!c->vm->user_stsi)
		return 0;
	c->run->exit_reason = KVM_EXIT_S390_STSI;
	c->run->s390_stsi = (struct kvmu_s390_stsi_exit){
		.addr = a, .ar = d->b2, .fc = (u8)fc, .sel1 = (u8)s1,
		.sel2 = (u16)s2,
	};
	return S390_EXIT;
}

int op_io(struct s390_cpu *c, struct s390_dec *d)
{
	if (c->vm->css_support)
		return s390_intercept(c, d);
	s390_set_cc(c, 3);
	return 0;
}
