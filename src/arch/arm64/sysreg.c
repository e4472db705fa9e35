// SPDX-License-Identifier: MIT
/*
 * System registers and system instructions: MRS/MSR through the table in
 * sysreg.def with the EL0 rules (UNDEFINED, or a trap to EL1 with EC 0x18
 * where an enable bit of SCTLR_EL1 or CNTKCTL_EL1 governs), the registers
 * whose value lives elsewhere (PSTATE fields, the counter and timers),
 * SYS (AT, TLBI, DC, IC) and the ONE_REG view of the same table.
 */
#include <errno.h>
#include <pthread.h>

#include "arm64.h"

#define SRF_ONE		0x01
#define SRF_RO		0x02
#define SRF_WO		0x04
#define SRF_EL0R	0x08
#define SRF_EL0W	0x10
#define SRF_SPEC	0x20
#define SRF_GIC		0x40

#define KEY(op0, op1, crn, crm, op2) \
	((op0) << 14 | (op1) << 11 | (crn) << 7 | (crm) << 3 | (op2))

static const struct sysreg {
	const char *name;
	u16 key;
	u8 flags;
	u64 reset;
} sysregs[SR_NR] = {
#define SYSREG(n, op0, op1, crn, crm, op2, fl, rst) \
	[SR_##n] = { #n, KEY(op0, op1, crn, crm, op2), fl, rst },
#include "sysreg.def"
#undef SYSREG
};

static u8 index_tab[65536];		/* register + 1, 0 = none */
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

static void build_index(void)
{
	unsigned int i;

	for (i = 0; i < SR_NR; i++)
		index_tab[sysregs[i].key] = (u8)(i + 1);
}

static int lookup(unsigned int key)
{
	pthread_once(&index_once, build_index);
	return (int)index_tab[key & 0xffff] - 1;
}

#define SCTLR_RES1	0x30d00800ULL

void a64_sysreg_reset(struct a64_cpu *c)
{
	u64 mpidr = c->sr[SR_MPIDR_EL1];
	unsigned int i;

	for (i = 0; i < SR_NR; i++)
		c->sr[i] = sysregs[i].reset;
	if (mpidr)
		c->sr[SR_MPIDR_EL1] = mpidr;
}

static u64 timer_ctl(struct a64_cpu *c, int idx, u64 cval)
{
	u64 ctl = c->sr[idx] & 3;

	if ((ctl & 1) && a64_counter(c) >= cval)
		ctl |= 4;		/* ISTATUS */
	return ctl;
}

static u64 get_spec(struct a64_cpu *c, int idx)
{
	u32 l = atomic_load(&c->lines);

	switch (idx) {
	case SR_SPSR_EL1: return c->spsr[0];
	case SR_ELR_EL1: return c->elr_el1;
	case SR_SP_EL0: return c->sp_el0;
	case SR_SPSEL: return c->pstate & 1;
	case SR_CURRENTEL: return c->pstate & 0xc;
	case SR_NZCV: return c->pstate & PST_NZCV;
	case SR_DAIF: return c->pstate & PST_DAIF;
	case SR_FPCR: return c->fpcr;
	case SR_FPSR: return c->fpsr;
	case SR_ISR_EL1:
		return ((l & 1) ? PST_I : 0) | ((l & 2) ? PST_F : 0) |
		       (c->serror_pending ? PST_A : 0);
	case SR_CNTPCT_EL0:
	case SR_CNTVCT_EL0: return a64_counter(c);
	case SR_CNTP_TVAL_EL0:
		return (u32)(c->sr[SR_CNTP_CVAL_EL0] - a64_counter(c));
	case SR_CNTV_TVAL_EL0:
		return (u32)(c->sr[SR_CNTV_CVAL_EL0] - a64_counter(c));
	default: return 0;
	}
}

static void set_spec(struct a64_cpu *c, int idx, u64 v)
{
	switch (idx) {
	case SR_SPSR_EL1: c->spsr[0] = v; break;
	case SR_ELR_EL1: c->elr_el1 = v; break;
	case SR_SP_EL0: c->sp_el0 = v; break;
	case SR_SPSEL: c->pstate = (c->pstate & ~1ULL) | (v & 1); break;
	case SR_NZCV:
		c->pstate = (c->pstate & ~PST_NZCV) | (v & PST_NZCV);
		break;
	case SR_DAIF:
		c->pstate = (c->pstate & ~PST_DAIF) | (v & PST_DAIF);
		break;
	case SR_FPCR: c->fpcr = (u32)v & 0x07ff9f00; break;
	case SR_FPSR: c->fpsr = (u32)v & 0xf800009f; break;
	case SR_CNTP_TVAL_EL0:
		c->sr[SR_CNTP_CVAL_EL0] = a64_counter(c) + (u64)(s32)v;
		break;
	case SR_CNTV_TVAL_EL0:
		c->sr[SR_CNTV_CVAL_EL0] = a64_counter(c) + (u64)(s32)v;
		break;
	default: break;
	}
	if (idx == SR_CNTP_TVAL_EL0 || idx == SR_CNTV_TVAL_EL0)
		a64_timer_sync(c);
}

static u64 sr_read(struct a64_cpu *c, int idx)
{
	if (sysregs[idx].flags & SRF_SPEC)
		return get_spec(c, idx);
	switch (idx) {
	case SR_CNTP_CTL_EL0:
		return timer_ctl(c, idx, c->sr[SR_CNTP_CVAL_EL0]);
	case SR_CNTV_CTL_EL0:
		return timer_ctl(c, idx, c->sr[SR_CNTV_CVAL_EL0]);
	case SR_ID_AA64PFR0_EL1:
		/* GIC = 1: the system-register interface of a GICv3 */
		return c->sr[idx] | (vgic_of(c->kvm) ? 1ULL << 24 : 0);
	case SR_DCZID_EL0:
		return c->sr[idx] | ((a64_el(c) == 0 &&
			!(c->sr[SR_SCTLR_EL1] & BIT(14))) ? 0x10 : 0);
	default:
		return c->sr[idx];
	}
}

static void sr_write(struct a64_cpu *c, int idx, u64 v)
{
	if (sysregs[idx].flags & SRF_SPEC) {
		set_spec(c, idx, v);
		return;
	}
	switch (idx) {
	case SR_SCTLR_EL1:
		v |= SCTLR_RES1;
		/* fall through */
	case SR_TTBR0_EL1: case SR_TTBR1_EL1: case SR_TCR_EL1:
	case SR_MAIR_EL1:
		a64_tlb_flush(c);
		break;
	case SR_CNTP_CTL_EL0: case SR_CNTV_CTL_EL0:
		c->sr[idx] = v & 3;
		a64_timer_sync(c);	/* a masked timer drops its PPI at once */
		return;
	case SR_CNTP_CVAL_EL0: case SR_CNTV_CVAL_EL0:
		c->sr[idx] = v;
		a64_timer_sync(c);
		return;
	case SR_OSLAR_EL1:
		c->sr[SR_OSLSR_EL1] = (c->sr[SR_OSLSR_EL1] & ~2ULL) |
				      ((v & 1) << 1);
		return;
	}
	c->sr[idx] = v;
}

/* The EL0 enable that governs idx, true when access is allowed. */
static bool el0_enabled(struct a64_cpu *c, int idx)
{
	u64 k = c->sr[SR_CNTKCTL_EL1], s = c->sr[SR_SCTLR_EL1];

	switch (idx) {
	case SR_CTR_EL0: return s & BIT(15);		/* UCT */
	case SR_DAIF: return s & BIT(9);		/* UMA */
	case SR_CNTFRQ_EL0: return k & 3;
	case SR_CNTPCT_EL0: return k & 1;
	case SR_CNTVCT_EL0: return k & 2;
	case SR_CNTP_TVAL_EL0: case SR_CNTP_CTL_EL0: case SR_CNTP_CVAL_EL0:
		return k & BIT(9);
	case SR_CNTV_TVAL_EL0: case SR_CNTV_CTL_EL0: case SR_CNTV_CVAL_EL0:
		return k & BIT(8);
	default: return true;
	}
}

static int trap_sys64(struct a64_cpu *c, u32 insn, bool read)
{
	u32 iss = BITS(insn, 20, 19) << 20 | BITS(insn, 7, 5) << 17 |
		  BITS(insn, 18, 16) << 14 | BITS(insn, 15, 12) << 10 |
		  BITS(insn, 4, 0) << 5 | BITS(insn, 11, 8) << 1 | read;

	return a64_sync_exc(c, (u32)EC_SYS64 << 26 | iss, 0, false);
}

static bool fp_reg(int idx)
{
	return idx == SR_FPCR || idx == SR_FPSR;
}

/* An ICC_* register: the GIC's, UNDEFINED when the VM has none. */
static int gic_reg(struct a64_cpu *c, u32 insn, int idx, bool read,
		   unsigned int rt)
{
	u64 v = read ? 0 : a64_x(c, rt);

	if (vgic_sysreg(c, idx, read, &v))
		return a64_undef(c, insn);
	if (read)
		a64_set_x(c, rt, v);
	return 0;
}

static int mrs_msr(struct a64_cpu *c, u32 insn)
{
	bool read = insn & BIT(21), el0 = a64_el(c) == 0;
	unsigned int key = BITS(insn, 20, 5), rt = insn & 31;
	int idx = lookup(key);
	u8 fl;

	if (idx < 0) {
		/* the reserved ID space reads as zero at EL1 */
		if (read && !el0 && (key >> 7) == (3 << 7 | 0 << 4 | 0))
			return a64_set_x(c, rt, 0), 0;
		return a64_undef(c, insn);
	}
	fl = sysregs[idx].flags;
	if ((read && (fl & SRF_WO)) || (!read && (fl & SRF_RO)))
		return a64_undef(c, insn);
	if (el0 && !(fl & (read ? SRF_EL0R : SRF_EL0W)))
		return a64_undef(c, insn);
	if (el0 && !el0_enabled(c, idx))
		return trap_sys64(c, insn, read);
	if (fp_reg(idx) && (BITS(c->sr[SR_CPACR_EL1], 21, 20) != 3) &&
	    (el0 || !(c->sr[SR_CPACR_EL1] & BIT(20))))
		return a64_sync_exc(c, EC_FP << 26, 0, false);
	if (fl & SRF_GIC)
		return gic_reg(c, insn, idx, read, rt);
	if (read)
		a64_set_x(c, rt, sr_read(c, idx));
	else
		sr_write(c, idx, a64_x(c, rt));
	return 0;
}

/* DC ZVA: zero the 64-byte block. */
static int dc_zva(struct a64_cpu *c, u64 va)
{
	static const u8 zero[64];

	return a64_write(c, va & ~63ULL, zero, 64, 0);
}

static int sys_insn(struct a64_cpu *c, u32 insn)
{
	unsigned int op1 = BITS(insn, 18, 16), crn = BITS(insn, 15, 12);
	unsigned int crm = BITS(insn, 11, 8), op2 = BITS(insn, 7, 5);
	bool el0 = a64_el(c) == 0;
	u64 xt = a64_x(c, insn & 31);

	if (insn & BIT(21))			/* SYSL */
		return a64_undef(c, insn);
	if (crn == 8 && op1 == 0 && !el0) {	/* TLBI */
		a64_tlb_flush(c);
		return 0;
	}
	if (crn != 7)
		return a64_undef(c, insn);
	if (op1 == 0 && crm == 8 && op2 < 4 && !el0) {
		a64_at(c, xt, op2 & 1 ? ACC_WRITE : ACC_READ, op2 >= 2);
		return 0;
	}
	if (op1 == 3 && crm == 4 && op2 == 1) {	/* DC ZVA */
		if (el0 && !(c->sr[SR_SCTLR_EL1] & BIT(14)))
			return trap_sys64(c, insn, false);
		return dc_zva(c, xt);
	}
	if (op1 == 3 && (crm == 5 || crm == 10 || crm == 11 || crm == 12 ||
			 crm == 14) && op2 == 1) {	/* IC IVAU, DC C*VA* */
		if (el0 && !(c->sr[SR_SCTLR_EL1] & BIT(26)))
			return trap_sys64(c, insn, false);
		return 0;
	}
	if (op1 == 0 && !el0 && ((crm == 1 && op2 == 0) ||
	    (crm == 5 && op2 == 0) || (crm == 6 && (op2 == 1 || op2 == 2)) ||
	    (crm == 10 && op2 == 2) || (crm == 14 && op2 == 2)))
		return 0;		/* IC IALLU(IS), DC by set/way, IVAC */
	return a64_undef(c, insn);
}

int a64_op_sysreg(struct a64_cpu *c, u32 insn)
{
	if (BITS(insn, 20, 19) == 1)
		return sys_insn(c, insn);
	return mrs_msr(c, insn);
}

/* ---- the ONE_REG view ---- */

/* KVM swaps the ids of the virtual timer's CVAL and counter. */
#define KEY_TIMER_CVAL	KEY(3, 3, 14, 0, 2)
#define KEY_TIMER_CNT	KEY(3, 3, 14, 3, 2)

static u64 one_reg_id(int idx)
{
	unsigned int key = sysregs[idx].key;

	if (idx == SR_CNTV_CVAL_EL0)
		key = KEY_TIMER_CVAL;
	else if (idx == SR_CNTVCT_EL0)
		key = KEY_TIMER_CNT;
	return KVMU_REG_ARM64 | KVM_REG_SIZE_U64 | KVMU_REG_ARM64_SYSREG | key;
}

int a64_sysreg_from_id(u64 id)
{
	unsigned int key = id & 0xffff;
	int idx;

	if ((id & ~0xffffULL) != (KVMU_REG_ARM64 | KVM_REG_SIZE_U64 |
				  KVMU_REG_ARM64_SYSREG))
		return -1;
	if (key == KEY_TIMER_CVAL)
		return SR_CNTV_CVAL_EL0;
	if (key == KEY_TIMER_CNT)
		return SR_CNTVCT_EL0;
	idx = lookup(key);
	if (idx < 0 || (!(sysregs[idx].flags & SRF_ONE) &&
			idx != SR_CNTPCT_EL0))
		return -1;
	return idx;
}

unsigned int a64_sysreg_list(u64 *ids, unsigned int max)
{
	unsigned int i, n = 0;

	for (i = 0; i < SR_NR; i++) {
		if (!(sysregs[i].flags & SRF_ONE) &&
		    i != SR_CNTVCT_EL0 && i != SR_CNTPCT_EL0)
			continue;
		if (ids && n < max)
			ids[n] = one_reg_id((int)i);
		n++;
	}
	return n;
}

int a64_sysreg_get(struct a64_cpu *c, int idx, u64 *v)
{
	*v = sr_read(c, idx);
	return 0;
}

int a64_sysreg_set(struct a64_cpu *c, int idx, u64 v)
{
	struct arm64_vm *vm = c->vm;

	switch (idx) {
	case SR_MPIDR_EL1:
		c->sr[idx] = v;
		return 0;
	case SR_CNTVCT_EL0:
	case SR_CNTPCT_EL0:
		/* the counter is VM-wide: move its zero point */
		__atomic_store_n(&vm->cnt_base_ns, vm->cnt_base_ns +
				 a64_counter(c) - v, __ATOMIC_RELAXED);
		return 0;
	case SR_OSLSR_EL1:
		c->sr[idx] = (v & 2) | 8;
		return 0;
	}
	if (sysregs[idx].flags & SRF_RO)
		return v == sr_read(c, idx) ? 0 : -EINVAL;
	sr_write(c, idx, v);
	return 0;
}
