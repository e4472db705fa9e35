/* SPDX-License-Identifier: MIT */
/*
 * The AArch64 software CPU and the arm64 KVM interface: private
 * declarations.
 *
 * Conventions: instruction handlers and memory accessors return 0
 * (continue), A64_EXC (an exception was taken: PC is at the vector) or
 * A64_EXIT (kvm_run is filled and the run loop must return), or a negative
 * errno that KVM_RUN returns.
 */
#ifndef KVMU_ARM64_H
#define KVMU_ARM64_H

#include "kvmu_int.h"
#include "kvmu/abi/arm64.h"
#include "vgic.h"

#define A64_EXC		1
#define A64_EXIT	2
#define A64_WFI		3	/* WFI with nothing pending: sleep */
#define A64_STOP	4	/* the vCPU powered itself off */

#define BIT(n)		(1ULL << (n))
#define BITS(v, hi, lo)	(((v) >> (lo)) & ((1ULL << ((hi) - (lo) + 1)) - 1))

/* PSTATE as SPSR_EL1 lays it out */
#define PST_N		BIT(31)
#define PST_Z		BIT(30)
#define PST_C		BIT(29)
#define PST_V		BIT(28)
#define PST_NZCV	(0xfULL << 28)
#define PST_SS		BIT(21)
#define PST_IL		BIT(20)
#define PST_D		BIT(9)
#define PST_A		BIT(8)
#define PST_I		BIT(7)
#define PST_F		BIT(6)
#define PST_DAIF	(0xfULL << 6)
#define PST_M		0x1fULL
#define PST_EL0t	0x0
#define PST_EL1t	0x4
#define PST_EL1h	0x5
#define PST_RESET	(PST_DAIF | PST_EL1h)

/* exception classes (ESR_ELx.EC) */
enum {
	EC_UNKNOWN = 0x00, EC_WFX = 0x01, EC_FP = 0x07, EC_ILLEGAL = 0x0e,
	EC_SVC64 = 0x15, EC_HVC64 = 0x16, EC_SMC64 = 0x17, EC_SYS64 = 0x18,
	EC_IABT_LOW = 0x20, EC_IABT_CUR = 0x21, EC_PC_ALIGN = 0x22,
	EC_DABT_LOW = 0x24, EC_DABT_CUR = 0x25, EC_SP_ALIGN = 0x26,
	EC_SERROR = 0x2f, EC_BRK = 0x3c,
};

/* fault status codes (ISS.DFSC/IFSC) without the level */
enum {
	FSC_ADDR_SIZE = 0x00, FSC_TRANS = 0x04, FSC_ACCESS = 0x08,
	FSC_PERM = 0x0c, FSC_EXT = 0x10, FSC_ALIGN = 0x21,
};

/* kinds of memory access */
enum a64_acc {
	ACC_READ = 0, ACC_WRITE = 1, ACC_FETCH = 2,
};
#define ACC_UNPRIV	0x10	/* LDTR/STTR: checked as EL0 */
#define ACC_KIND(a)	((a) & 3)

/* vector offsets */
enum { VEC_SYNC = 0x000, VEC_IRQ = 0x080, VEC_FIQ = 0x100, VEC_SERR = 0x180 };

/* feature gates of decode-table lines */
enum a64_gate {
	G_BASE,		/* always */
	G_FP,		/* FP/AdvSIMD: CPACR_EL1.FPEN traps */
};

struct a64_cpu;
typedef int (*a64_fn)(struct a64_cpu *c, u32 insn);

/* One line of the decode table (insn.def). */
struct a64_insn {
	const char *name;
	u32 mask;
	u32 value;
	u8 gate;		/* enum a64_gate */
	a64_fn fn;
};

/* One 4 KiB page of the software TLB (stage 1 and the memslot lookup). */
struct a64_tlbe {
	u64 tag;		/* va page | 1, 0 = empty */
	u64 pa;			/* physical page */
	u8 *host;		/* host page when RAM, else NULL (MMIO) */
	const struct kvmu_memslot *slot;
	u8 perm;		/* TLB_R1 ... */
	u8 level;		/* for permission faults */
	bool dev;		/* Device memory: unaligned accesses fault */
	bool ro;		/* read-only slot: writes are MMIO */
};
#define TLB_R1	0x01
#define TLB_W1	0x02
#define TLB_X1	0x04
#define TLB_R0	0x08
#define TLB_W0	0x10
#define TLB_X0	0x20
#define A64_TLB_SIZE	256

/* A data access that left KVM_RUN for user space (MMIO). */
struct a64_mmio {
	bool pending;		/* a load waits for run->mmio.data */
	u8 rt;
	u8 size;		/* bytes */
	bool sign;		/* sign-extend into ... */
	bool wide;		/* ... 64 bits (else 32) */
};

enum a64_sysreg_idx {
#define SYSREG(name, op0, op1, crn, crm, op2, fl, reset) SR_##name,
#include "sysreg.def"
#undef SYSREG
	SR_NR
};

struct arm64_vm;

struct a64_cpu {
	/* architected state */
	u64 x[31];
	u64 sp_el0, sp_el1;
	u64 pc;
	u64 pstate;
	__uint128_t v[32];
	u32 fpsr, fpcr;
	u64 elr_el1;
	u64 spsr[KVMU_ARM64_NR_SPSR];
	u64 sr[SR_NR];		/* system registers, sysreg.def order */

	/* exclusive monitor */
	bool excl_valid;
	u64 excl_addr;
	u8 excl_size;
	u64 excl_val[2];	/* what the load-exclusive saw */

	/* the instruction being executed */
	u64 ipc;
	struct a64_mmio mmio;

	/* vCPU life cycle (KVM_ARM_VCPU_INIT, PSCI) */
	bool initialized;
	u32 features;
	_Atomic int power;	/* enum a64_power */
	u64 on_entry, on_ctx;	/* PSCI CPU_ON arguments */

	/* interrupt lines (KVM_IRQ_LINE type CPU) and SError */
	_Atomic u32 lines;	/* bit 0 IRQ, bit 1 FIQ */
	bool serror_pending;
	u64 serror_esr;
	bool dabt_pending;	/* KVM_SET_VCPU_EVENTS ext_dabt_pending */
	struct vgic_cpu gic;	/* GICv3 state (vgic.c), under the GIC's lock */

	struct a64_tlbe tlb[A64_TLB_SIZE];
	struct kvmu_vcpu *vcpu;
	struct kvmu_vm *kvm;
	struct arm64_vm *vm;
	struct kvm_run *run;
};

/* PSCI power state; CLAIM: a CPU_ON caller is writing the entry point */
enum a64_power { PWR_ON, PWR_OFF, PWR_ON_CLAIM, PWR_ON_PENDING };

/* One SMCCC filter range. */
struct arm64_filter {
	u32 base, end;
	u8 action;
};

struct arm64_vm {
	pthread_mutex_t lock;		/* config: features, filter */
	unsigned int ipa_bits;
	bool nisv_to_user;		/* KVM_CAP_ARM_NISV_TO_USER */
	bool features_set;		/* first KVM_ARM_VCPU_INIT done */
	u32 features;
	bool filter_on;			/* a filter was written */
	int nr_filters;
	struct arm64_filter *filters;	/* sorted by base */
	u64 cnt_base_ns;		/* counter zero point */
	u32 psci_version;		/* KVM_REG_ARM_PSCI_VERSION */
	struct vgic *_Atomic gic;	/* KVM_DEV_TYPE_ARM_VGIC_V3, or NULL */
};

#define ARM64_IPA_LIMIT		48
#define ARM64_IPA_DEFAULT	40
#define ARM64_IPA_MIN		32
#define ARM64_MAX_VCPUS		512

static inline struct a64_cpu *a64_cpu(struct kvmu_vcpu *vcpu)
{
	return vcpu->arch_data;
}

static inline struct arm64_vm *arm64_vm(struct kvmu_vm *kvm)
{
	return kvm->arch_data;
}

/* registers: x31 is XZR or SP as the encoding says */
static inline u64 a64_x(struct a64_cpu *c, unsigned int n)
{
	return n == 31 ? 0 : c->x[n];
}

static inline void a64_set_x(struct a64_cpu *c, unsigned int n, u64 v)
{
	if (n != 31)
		c->x[n] = v;
}

static inline void a64_set_w(struct a64_cpu *c, unsigned int n, u64 v)
{
	a64_set_x(c, n, (u32)v);
}

static inline unsigned int a64_el(const struct a64_cpu *c)
{
	return (c->pstate >> 2) & 3;
}

static inline u64 *a64_sp_ptr(struct a64_cpu *c)
{
	return (c->pstate & 1) ? &c->sp_el1 : &c->sp_el0;
}

static inline u64 a64_xsp(struct a64_cpu *c, unsigned int n)
{
	return n == 31 ? *a64_sp_ptr(c) : c->x[n];
}

static inline void a64_set_xsp(struct a64_cpu *c, unsigned int n, u64 v)
{
	if (n == 31)
		*a64_sp_ptr(c) = v;
	else
		c->x[n] = v;
}

static inline s64 sext(u64 v, unsigned int bits)
{
	return (s64)(v << (64 - bits)) >> (64 - bits);
}

/* ---- cpu.c ---- */
/* Run until an exit; 0 with kvm_run filled, or -errno. */
int a64_cpu_run(struct a64_cpu *c);
/* Take a synchronous exception to EL1 with syndrome esr (ELR = ipc). */
int a64_sync_exc(struct a64_cpu *c, u32 esr, u64 far, bool has_far);
/* UNDEFINED instruction. */
int a64_undef(struct a64_cpu *c, u32 insn);
/* Return from an exception (ERET). */
void a64_eret(struct a64_cpu *c);
/* Reset the architected state (KVM_ARM_VCPU_INIT, PSCI CPU_ON). */
void a64_reset(struct a64_cpu *c);
/* WFI (from op_hint): trap at EL0 unless SCTLR_EL1.nTWI, else sleep. */
int a64_op_wfi(struct a64_cpu *c);
/* Condition code test for B.cond, CSEL, CCMP. */
bool a64_cond(const struct a64_cpu *c, unsigned int cond);
/* The generic counter (CNTVCT) of the VM. */
u64 a64_counter(struct a64_cpu *c);
#define A64_CNTFRQ	1000000000ULL

/* ---- mmu.c ---- */
/* Guest virtual access of size bytes; data in host order (LE guest). */
int a64_read(struct a64_cpu *c, u64 va, void *buf, unsigned int size,
	     unsigned int acc);
int a64_write(struct a64_cpu *c, u64 va, const void *buf, unsigned int size,
	      unsigned int acc);
/*
 * A single-register load or store that may go to MMIO: on a miss of
 * every memslot, exit to user space with the syndrome KVM would have.
 */
int a64_ld_reg(struct a64_cpu *c, u64 va, unsigned int size, unsigned int rt,
	       bool sign, bool wide, unsigned int acc);
int a64_st_reg(struct a64_cpu *c, u64 va, unsigned int size, u64 val,
	       unsigned int acc);
/*
 * Host address of an aligned naturally sized access (exclusives); an
 * alignment fault when misaligned, a NISV exit when not RAM.
 */
int a64_host_ptr(struct a64_cpu *c, u64 va, unsigned int size,
		 unsigned int acc, u8 **p);
/* Instruction fetch at pc. */
int a64_fetch(struct a64_cpu *c, u64 pc, u32 *insn);
/* AT S1E1R/W etc.: translate va and fill PAR_EL1. */
void a64_at(struct a64_cpu *c, u64 va, unsigned int acc, bool el0);
/* Host address of guest-physical [pa, pa+len) in RAM, or NULL. */
u8 *a64_phys(struct kvmu_vm *kvm, u64 pa, u64 len,
	     const struct kvmu_memslot **slot);
void a64_tlb_flush(struct a64_cpu *c);
/* Complete a pending MMIO load from run->mmio.data. */
void a64_mmio_complete(struct a64_cpu *c);

/* ---- sysreg.c ---- */
/* MRS/MSR/SYS/SYSL execution. */
int a64_op_sysreg(struct a64_cpu *c, u32 insn);
/* System register index for a ONE_REG id, or -1. */
int a64_sysreg_from_id(u64 id);
/* Number of system registers exposed to ONE_REG and their ids. */
unsigned int a64_sysreg_list(u64 *ids, unsigned int max);
/* ONE_REG access to system register idx. */
int a64_sysreg_get(struct a64_cpu *c, int idx, u64 *v);
int a64_sysreg_set(struct a64_cpu *c, int idx, u64 v);
/* Reset values. */
void a64_sysreg_reset(struct a64_cpu *c);

/* ---- op_fp.c ---- */
/* VFPExpandImm: the FMOV (immediate) value of imm8. */
u64 a64_fimm(unsigned int imm8, bool dbl);

/* ---- smccc.c ---- */
/* An HVC or SMC reached "EL2": filter, PSCI, forwarding. */
int arm64_smccc_call(struct a64_cpu *c, bool smc, u16 imm);
/* KVM_{SET,HAS}_DEVICE_ATTR on the VM. */
int arm64_vm_attr(struct kvmu_vm *kvm, const struct kvm_device_attr *a,
		  bool set);
void arm64_filter_free(struct arm64_vm *vm);

/* ---- vcpu_ops.c ---- */
int arm64_vcpu_run(struct kvmu_vcpu *vcpu);

/* instruction handlers named in insn.def */
#define A64(name, mask, value, gate, fn) int fn(struct a64_cpu *c, u32 insn);
#include "insn.def"
#undef A64

#endif /* KVMU_ARM64_H */
