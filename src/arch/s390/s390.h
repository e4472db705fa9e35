/* SPDX-License-Identifier: MIT */
/*
 * The s390x software CPU and the s390 KVM interface: private declarations.
 *
 * Conventions: bit n of a 64-bit z/Architecture register is 1ULL << (63-n)
 * (the PoP numbers bits from the left).  Instruction handlers and storage
 * accessors return 0, a program-interruption code (> 0, < 0x10000), or
 * S390_EXIT when they filled kvm_run and the run loop must return.
 */
#ifndef KVMU_S390_H
#define KVMU_S390_H

#include "kvmu_int.h"
#include "kvmu/abi/s390.h"
#include "kvmu/host.h"
#include "tblock.h"

#define BIT64(n)	(1ULL << (63 - (n)))

/* PSW mask */
#define PSW_PER		BIT64(1)
#define PSW_DAT		BIT64(5)
#define PSW_IO		BIT64(6)
#define PSW_EXT		BIT64(7)
#define PSW_KEY_SHIFT	52
#define PSW_KEY		(0xfULL << PSW_KEY_SHIFT)
#define PSW_MCHK	BIT64(13)
#define PSW_WAIT	BIT64(14)
#define PSW_PSTATE	BIT64(15)
#define PSW_AS_SHIFT	46
#define PSW_AS		(3ULL << PSW_AS_SHIFT)
#define PSW_AS_PRIMARY	0ULL
#define PSW_AS_AR	(1ULL << PSW_AS_SHIFT)
#define PSW_AS_SECONDARY (2ULL << PSW_AS_SHIFT)
#define PSW_AS_HOME	(3ULL << PSW_AS_SHIFT)
#define PSW_CC_SHIFT	44
#define PSW_PM_SHIFT	40
#define PSW_PM_FIXOVF	BIT64(20)
#define PSW_EA		BIT64(31)
#define PSW_BA		BIT64(32)
/* bits that must be zero in a z/Architecture PSW (bit 12 included) */
#define PSW_INVALID	(BIT64(0) | (0x7ULL << 59) | BIT64(12) | \
			 (0x7fULL << 33) | 0x7fffffffULL)

/* control-register bits */
#define CR0_LAP		BIT64(35)	/* low-address protection */
#define CR0_FPO		BIT64(38)	/* fetch-protection override */
#define CR0_SPO		BIT64(39)	/* storage-protection override */
#define CR0_EDAT	BIT64(40)
#define CR0_EMERG	BIT64(49)
#define CR0_EXTCALL	BIT64(50)
#define CR0_CKC		BIT64(52)
#define CR0_CPUTM	BIT64(53)
#define CR0_SERVICE	BIT64(54)
#define CR0_INITIAL	0xe0ULL
#define CR14_INITIAL	0xc2000000ULL

/* program-interruption codes */
enum {
	PGM_OPERATION = 0x01, PGM_PRIVILEGED = 0x02, PGM_EXECUTE = 0x03,
	PGM_PROTECTION = 0x04, PGM_ADDRESSING = 0x05,
	PGM_SPECIFICATION = 0x06, PGM_DATA = 0x07, PGM_FIXOVF = 0x08,
	PGM_FIXDIV = 0x09, PGM_SEGMENT = 0x10, PGM_PAGE = 0x11,
	PGM_TRANS_SPEC = 0x12, PGM_SPECIAL_OP = 0x13,
	PGM_ASCE_TYPE = 0x38, PGM_REGION1 = 0x39, PGM_REGION2 = 0x3a,
	PGM_REGION3 = 0x3b,
};

#define S390_EXIT	0x10000		/* kvm_run is filled: leave KVM_RUN */

/* lowcore offsets (absolute address = prefix + offset) */
enum {
	LC_EXT_PARAMS = 0x80, LC_EXT_CPU_ADDR = 0x84, LC_EXT_INT_CODE = 0x86,
	LC_SVC_ILC = 0x88, LC_SVC_CODE = 0x8a, LC_PGM_ILC = 0x8c,
	LC_PGM_CODE = 0x8e, LC_DATA_EXC_CODE = 0x90, LC_EXC_ACCESS_ID = 0xa0,
	LC_TRANS_EXC_CODE = 0xa8, LC_SUBCHANNEL_ID = 0xb8,
	LC_IO_INT_PARM = 0xbc, LC_IO_INT_WORD = 0xc0, LC_STFL = 0xc8,
	LC_RESTART_OLD = 0x120, LC_EXT_OLD = 0x130, LC_SVC_OLD = 0x140,
	LC_PGM_OLD = 0x150, LC_MCK_OLD = 0x160, LC_IO_OLD = 0x170,
	LC_RESTART_NEW = 0x1a0, LC_EXT_NEW = 0x1b0, LC_SVC_NEW = 0x1c0,
	LC_PGM_NEW = 0x1d0, LC_MCK_NEW = 0x1e0, LC_IO_NEW = 0x1f0,
};

/* External-interruption codes */
#define EXT_CKC		0x1004
#define EXT_CPUTM	0x1005
#define EXT_EMERG	0x1201
#define EXT_EXTCALL	0x1202
#define EXT_SERVICE	0x2401

/* facility bits of the default CPU model (STFLE numbering) */
enum {
	FAC_NONE = 0, FAC_ZARCH = 1, FAC_STFLE = 7, FAC_EDAT1 = 8,
	FAC_LDISP = 18, FAC_EIMM = 21, FAC_STCKF = 25, FAC_GIE = 34,
	FAC_EXECX = 35, FAC_FPSE = 41,
};

/* instruction formats: where operands sit, where the extended opcode is */
enum s390_fmt {
	F_E, F_I, F_RR, F_RRE, F_RRF, F_RX, F_RXE, F_RXF, F_RXY, F_RS,
	F_RSY, F_RSL, F_RI, F_RIL, F_RIE, F_RIS, F_RRS, F_SI, F_SIY, F_SIL,
	F_S, F_SS, F_SSE, F_SSF, F_RSI, F_NR
};

/* where the second operand of a table line comes from (s390_src2) */
enum s390_opnd {
	O_NONE, O_R32, O_R64, O_R32S, O_R16S, O_R16Z, O_R8S, O_R8Z,
	O_I, O_U,
	O_M8S, O_M8Z, O_M16S, O_M16Z, O_M32, O_M32S, O_M64,
	O_RL16S, O_RL16Z, O_RL32, O_RL32S, O_RL64,
};

/* flags of a table line */
#define IF_PRIV		0x1	/* privileged: problem state -> PGM 0x02 */

struct s390_cpu;
struct s390_dec;
typedef int (*s390_op_fn)(struct s390_cpu *c, struct s390_dec *d);

struct s390_insn {
	const char *name;
	u8 op;			/* first byte */
	u8 op2;			/* extended opcode (byte/nibble), format says */
	u8 fmt;			/* enum s390_fmt */
	u8 fac;			/* gating facility, 0 = always */
	u8 flags;
	u8 opnd;		/* enum s390_opnd */
	s390_op_fn fn;
};

/* A decoded instruction: every field a format defines. */
struct s390_dec {
	const struct s390_insn *in;
	u64 ia;			/* its address (EX: the target's) */
	u64 raw;		/* bytes 0..5, left-aligned in 48 bits */
	u8 ilen;
	u8 r1, r2, r3, x2, b1, b2, m3, m4;
	u8 l1, l2;		/* SS lengths (length code, not +1) */
	u8 i3, i4, i5;		/* RIE-f */
	s32 d1, d2;		/* displacements (20-bit signed for ..Y) */
	s64 i2;			/* immediate, sign-extended */
	u64 ui2;		/* immediate, zero-extended */
	s64 ri;			/* relative offset in halfwords */
};

/* One page of the software TLB. */
struct s390_tlbe {
	u64 tag;		/* logical page | context, 0 = empty */
	u64 abs;		/* absolute page */
	u8 *host;		/* host address of the page */
	const struct kvmu_memslot *slot;
};

#define S390_TLB_SIZE	256

/* pending local interrupts (bit numbers in s390_cpu.irqs) */
enum {
	IRQ_PGM, IRQ_RESTART, IRQ_EMERG, IRQ_EXTCALL, IRQ_CKC, IRQ_CPUTM,
	IRQ_STOP, IRQ_PREFIX,
};

struct s390_vm;

struct s390_cpu {
	/* architected state */
	u64 gprs[16];
	u64 fprs[16];
	u32 acrs[16];
	u64 crs[16];
	u32 fpc;
	u64 mask, addr;		/* the PSW */
	u32 prefix;
	u64 todpr, cputm, ckc, pp, gbea, pft, pfs, pfc, diag318;
	u64 cputm_ns;		/* host time cputm was last stored */
	u16 cpu_addr;

	/* the instruction being executed */
	u64 ia;
	u8 ilen;
	u64 teid;		/* translation-exception identification */
	u8 exc_access_id;
	u32 dxc;		/* data-exception code */

	/* last interception (for program injection rewinds) */
	u8 icptcode;
	u16 ipa;
	u32 ipb;

	/* run state */
	bool stopped;
	bool exec_active;	/* executing the target of EX/EXRL */
	/* translated blocks (block.c) */
	bool blocks_on;		/* KVMU_ENGINE is not "interp" */
	bool block_stop;	/* a store hit the running block's page */
	u64 code_page;		/* absolute page of the running block | 1 */
	struct kvmu_tblocks blocks;
	struct s390_tlbe tlb[2][S390_TLB_SIZE];	/* [0] fetch, [1] store */

	/* local interrupts, set by other threads under irq_lock */
	pthread_mutex_t irq_lock;
	_Atomic u32 irqs;
	struct kvm_s390_pgm_info pgm;
	u16 extcall_src;
	u64 emerg_src[4];	/* bitmap of CPU addresses */
	u32 stop_flags;
	u32 new_prefix;

	/* Protected Virtualization (pv_cpu.c) */
	u64 pv_cpu;		/* UV CPU handle, 0: not protected */
	s8 pv_map[16];		/* kvm_run GR n shows guest GR pv_map[n] */
	u16 pv_out;		/* kvm_run GRs that answer the intercept */
	u8 *sida;		/* secure instruction data area, 4 KiB */
	u64 sida_abs;		/* guest storage the SIDA goes back to */
	u32 sida_len;		/* bytes to copy back, 0: none */

	struct kvmu_vcpu *vcpu;
	struct kvmu_vm *kvm;
	struct s390_vm *vm;
	struct kvmu_s390_run *run;
};

/*
 * The crypto control block: what the kernel keeps in the SIE CRYCB and
 * kvm->arch.crypto.  Masks are 256 bits, MSB-0 (bit n of w[n / 64] is
 * BIT64(n % 64)), as struct kvmu_host_mask.  Guarded by s390_vm.lock.
 */
struct s390_crycb {
	u8 format;		/* CRYCB format 0, 1 or 2 (from the CPU model) */
	bool apie;		/* AP instructions interpreted (ECA.APIE) */
	bool aes_kw, dea_kw;	/* key wrapping enabled (ECB3 AES/DEA) */
	u8 aes_wk[32];		/* AES wrapping key mask */
	u8 dea_wk[24];		/* DEA wrapping key mask */
	u64 apm[4], aqm[4], adm[4];
	struct kvmu_host_mdev *mdev;	/* the attached vfio_ap mdev, or NULL */
	struct kvmu_ap *ap;		/* its queues */
	u64 gen;		/* host generation the masks were taken at */
};

/* Floating (VM-wide) interrupts. */
struct s390_vm {
	pthread_mutex_t lock;
	bool user_sigp, user_stsi, user_instr0, css_support, irqchip;
	bool user_cpu_state_ctrl;
	_Atomic bool skeys_enabled;
	_Atomic bool service_pending;
	u32 service_param;
	u64 tod_epoch;		/* guest TOD - host TOD */
	u64 cpuid;
	u64 fac[4];		/* STFLE facility list (256 bits) */
	u8 **keys;		/* storage keys, two levels by absolute frame */
	struct s390_crycb crycb;
	/* floating I/O interruptions (io.c): FIFO per ISC, under lock */
	struct s390_io_irq *io[8];
	u32 nr_io;
	_Atomic u32 io_pending;	/* bit n: ISC n has one queued */

	/* CPU model (cpumodel.c); set only while no vCPU exists */
	u64 fac_mask[4];	/* machine facilities the model may use */
	u16 ibc;
	u64 uv_feat;		/* PROCESSOR_UV_FEAT_GUEST */
	u64 feat[16];		/* PROCESSOR_FEAT, MSB-0 */
	u8 subfunc[2048];	/* PROCESSOR_SUBFUNC query blocks */

	/* MEM_CTRL and MIGRATION (attr.c, cmma.c) */
	u64 mem_limit;		/* what LIMIT_SIZE reads: the initial limit */
	u64 asce_limit;		/* last address the guest ASCE can map */
	bool use_cmma;		/* ENABLE_CMMA: ESSA is available */
	_Atomic bool uses_cmm;	/* the guest (or SET_CMMA_BITS) used CMMA */
	_Atomic bool migration_mode;
	_Atomic u64 cmma_dirty;	/* pages with unsent CMMA state */
	u8 **cmma;		/* CMMA state by absolute frame, as keys */
	/* read: an AP instruction uses crycb.ap; write: attach, detach */
	pthread_rwlock_t ap_lock;
	_Atomic u64 ap_refresh_ns;	/* CLOCK_MONOTONIC of the last refresh */

	/* Protected Virtualization (pv.c); changes under pv_lock */
	pthread_mutex_t pv_lock;
	_Atomic u64 pv_handle;	/* UV guest handle, 0: not protected */
	u64 pv_aside;		/* set aside by ASYNC_CLEANUP_PREPARE */
	_Atomic bool pv_dumping;
	/* order: vCPU mutex, then pv_lock; pv_run_lock is innermost */
	pthread_mutex_t pv_run_lock;
	int pv_running;		/* vCPUs inside KVM_RUN, under pv_run_lock */
};

/* facilities the CPU model adds (cpumodel.c, cpacf.c) */
enum { FAC_MSA = 17, FAC_MSA3 = 76, FAC_MEF = 139 };

#define S390_KEYS_L2_SHIFT	16
#define S390_KEYS_L1_SIZE	(1UL << 16)	/* frames below 2^32: 16 TiB */

static inline struct s390_cpu *s390_cpu(struct kvmu_vcpu *vcpu)
{
	return vcpu->arch_data;
}

static inline struct s390_vm *s390_vm(struct kvmu_vm *vm)
{
	return vm->arch_data;
}

/* Once a vCPU exists the CPU model and memory setup are fixed (EBUSY). */
static inline bool s390_vcpus_exist(struct kvmu_vm *kvm)
{
	return atomic_load(&kvm->nr_vcpus) != 0;
}

static inline bool s390_fac(const struct s390_vm *vm, unsigned int nr)
{
	return nr < 256 && (vm->fac[nr / 64] & BIT64(nr % 64));
}

static inline unsigned int s390_cc(const struct s390_cpu *c)
{
	return (unsigned int)(c->mask >> PSW_CC_SHIFT) & 3;
}

static inline void s390_set_cc(struct s390_cpu *c, unsigned int cc)
{
	c->mask = (c->mask & ~(3ULL << PSW_CC_SHIFT)) |
		  ((u64)(cc & 3) << PSW_CC_SHIFT);
}

/* Wrap an address to the current addressing mode. */
static inline u64 s390_wrap(const struct s390_cpu *c, u64 a)
{
	if (c->mask & PSW_EA)
		return a;
	return a & (c->mask & PSW_BA ? 0x7fffffffULL : 0xffffffULL);
}

static inline u64 s390_ea(const struct s390_cpu *c, u8 x, u8 b, s64 d)
{
	u64 a = (u64)d;

	if (x)
		a += c->gprs[x];
	if (b)
		a += c->gprs[b];
	return s390_wrap(c, a);
}

static inline u16 be16(const u8 *p)
{
	return (u16)(p[0] << 8 | p[1]);
}

static inline u32 be32(const u8 *p)
{
	return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static inline u64 be64(const u8 *p)
{
	return (u64)be32(p) << 32 | be32(p + 4);
}

static inline void put_be16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

static inline void put_be32(u8 *p, u32 v)
{
	put_be16(p, (u16)(v >> 16));
	put_be16(p + 2, (u16)v);
}

static inline void put_be64(u8 *p, u64 v)
{
	put_be32(p, (u32)(v >> 32));
	put_be32(p + 4, (u32)v);
}

#define TRY(x) do { int _r = (x); if (_r) return _r; } while (0)

/* ---- mem.c: storage access ---- */
enum s390_acc { ACC_FETCH, ACC_STORE, ACC_IFETCH };

/* Absolute address to host pointer; NULL when outside every slot. */
u8 *s390_abs_host(struct kvmu_vm *vm, u64 abs, u64 len,
		  const struct kvmu_memslot **slot);
/*
 * The same for data the guest (or the SIE for it) reads or writes: a
 * protected guest's page comes from the Ultravisor (len must then stay
 * within the page).  Existence checks and host accesses use
 * s390_abs_host(), which a protected guest's VMM would see: the slot.
 */
u8 *s390_abs_data(struct kvmu_vm *vm, u64 abs, u64 len,
		  const struct kvmu_memslot **slot);
/* Real to absolute (prefixing). */
u64 s390_real_to_abs(u32 prefix, u64 real);
/*
 * Access len bytes at logical address la (any length, any pages) with the
 * given access key (0-15, or -1 for the PSW key), copying to/from buf; buf
 * NULL only checks.  Nothing is stored unless every page is accessible.
 */
int s390_access(struct s390_cpu *c, u64 la, void *buf, u64 len,
		enum s390_acc acc, int key);
/* s390_read/write, s390_rd8..64, s390_wr8..64: memfast.h (inline). */
/* Translate a logical address with DAT (no key check); *abs on success. */
int s390_translate(struct s390_cpu *c, u64 la, enum s390_acc acc, u64 *abs,
		   bool *dat_prot);
/* Read/write absolute storage (lowcore, interruptions); 0 or -EFAULT. */
int s390_abs_read(struct s390_cpu *c, u64 abs, void *buf, u64 len);
int s390_abs_write(struct s390_cpu *c, u64 abs, const void *buf, u64 len);
int s390_lc_read(struct s390_cpu *c, u32 off, void *buf, u64 len);
int s390_lc_write(struct s390_cpu *c, u32 off, const void *buf, u64 len);
void s390_tlb_flush(struct s390_cpu *c);

/* ---- keys.c: storage keys ---- */
/*
 * The byte of absolute frame `frame` in a two-level per-frame table (keys,
 * CMMA state); the second level is allocated when alloc is set.  NULL
 * past the table or when allocation fails.  Safe against other vCPUs.
 */
u8 *s390_frame_byte(u8 **table, u64 frame, bool alloc);
/* Free a per-frame table and set it to NULL. */
void s390_frame_table_free(u8 ***table);
/* The key of an absolute frame (ACC 4 bits, F, R, C; bit 7 unused). */
u8 s390_key_get(struct s390_vm *vm, u64 abs);
int s390_key_set(struct s390_vm *vm, u64 abs, u8 key);
void s390_key_or(struct s390_vm *vm, u64 abs, u8 bits);
void s390_keys_free(struct s390_vm *vm);

/* ---- cpu.c: decode and execute ---- */
int s390_cpu_run(struct s390_cpu *c);
const struct s390_insn *s390_lookup(const u8 *b);
unsigned int s390_ilen(u8 op);
/* Decode the instruction in bytes b (ilen bytes valid) into d. */
void s390_decode(const struct s390_insn *in, const u8 *b,
		 struct s390_dec *d);
/* Execute one decoded instruction (facility and privilege checks). */
int s390_execute(struct s390_cpu *c, struct s390_dec *d);
/* One instruction at the PSW, its exceptions delivered: 0, S390_EXIT or
 * -errno. */
int s390_step(struct s390_cpu *c);
/* A PSW the CPU may fetch with (no specification exception). */
bool s390_psw_valid(u64 mask, u64 addr);
/* Program-interruption codes that nullify (the PSW points back). */
bool s390_nullifying(int code);
/* Load a new PSW, checking it; returns PGM_SPECIFICATION when invalid. */
int s390_load_psw(struct s390_cpu *c, u64 mask, u64 addr);
/* The guest TOD clock of a VM: the host's plus the epoch difference. */
u64 s390_vm_tod(struct s390_vm *vm);
/* Set the VM's guest TOD clock to tod (moves the epoch difference). */
void s390_vm_set_tod(struct s390_vm *vm, u64 tod);
/* The guest TOD clock as CPU c sees it. */
u64 s390_tod(struct s390_cpu *c);
/* The host TOD clock (no epoch), what the guest's epoch is relative to. */
u64 s390_host_tod(void);
u64 s390_cputm(struct s390_cpu *c);
void s390_set_cputm(struct s390_cpu *c, u64 v);
/* Fill a KVM_EXIT_S390_SIEIC exit; returns S390_EXIT. */
int s390_exit_sieic(struct s390_cpu *c, u8 code, u16 ipa, u32 ipb);
/* Prepare an instruction intercept exit to user space. */
int s390_intercept(struct s390_cpu *c, struct s390_dec *d);

/* The storage second operand (O_M*, O_RL*) of s390_src2(). */
int s390_src_mem(struct s390_cpu *c, struct s390_dec *d, u64 *v);
/* Fetch the second operand as the table line's opnd says (inline: each
 * handler gets its own copy of the switch, which predicts better). */
static inline int s390_src2(struct s390_cpu *c, struct s390_dec *d, u64 *v)
{
	u64 r = c->gprs[d->r2];

	switch (d->in->opnd) {
	case O_R32:
		*v = (u32)r;
		return 0;
	case O_R64:
		*v = r;
		return 0;
	case O_R32S:
		*v = (u64)(s32)r;
		return 0;
	case O_R16S:
		*v = (u64)(s16)r;
		return 0;
	case O_R16Z:
		*v = (u16)r;
		return 0;
	case O_R8S:
		*v = (u64)(s8)r;
		return 0;
	case O_R8Z:
		*v = (u8)r;
		return 0;
	case O_I:
		*v = (u64)d->i2;
		return 0;
	case O_U:
		*v = d->ui2;
		return 0;
	default:
		return s390_src_mem(c, d, v);
	}
}
/* The relative-long address ia + 2 * ri. */
static inline u64 s390_rel(struct s390_cpu *c, struct s390_dec *d)
{
	return s390_wrap(c, d->ia + (u64)(d->ri * 2));
}
/* The condition code of a comparison: 0 equal, 1 low, 2 high.  Without
 * branches: the operands of hot loops are data (a CRC bit, a sieve byte),
 * and a mispredicted branch costs more than the handler. */
static inline unsigned int s390_cc_cmp(bool lt, bool gt)
{
	return (unsigned int)lt | (unsigned int)gt << 1;
}
/* The signed condition code of a result. */
static inline unsigned int s390_cc_signed(s64 v)
{
	return s390_cc_cmp(v < 0, v > 0);
}
static inline void set_lo(struct s390_cpu *c, int r, u64 v)
{
	c->gprs[r] = (c->gprs[r] & 0xffffffff00000000ULL) | (u32)v;
}
static inline void set_hi(struct s390_cpu *c, int r, u64 v)
{
	c->gprs[r] = (c->gprs[r] & 0xffffffffULL) | (u64)(u32)v << 32;
}

/* ---- block.c: translated blocks (docs/engine.md) ---- */
/* Read KVMU_ENGINE: blocks unless it says "interp". */
void s390_blocks_init(struct s390_cpu *c);
/* Drop every block (slot changes); free the cache (vCPU teardown). */
void s390_blocks_flush(struct s390_cpu *c);
void s390_blocks_free(struct s390_cpu *c);
/* A KVM_RUN begins: the VMM may have written guest memory (links void). */
void s390_blocks_new_run(struct s390_cpu *c);
/* Run one block at the PSW (or one instruction); the s390_step contract. */
int s390_block_run(struct s390_cpu *c);

/* ---- irq.c ---- */
/* Deliver the highest-priority enabled interrupt; 1 when one was. */
int s390_deliver_irqs(struct s390_cpu *c);
/* Store the current PSW (address addr) at lowcore old, load new. */
int s390_swap_psw(struct s390_cpu *c, u32 old, u32 new, u64 addr);
/* Deliver a program interruption for the current instruction. */
int s390_program_irq(struct s390_cpu *c, u16 code, bool nullify);
bool s390_irq_pending_enabled(struct s390_cpu *c);
int s390_inject_vcpu(struct s390_cpu *c, const struct kvm_s390_irq *irq);
int s390_inject_vm(struct kvmu_vm *vm, const struct kvm_s390_interrupt *i);
void s390_clear_local_irqs(struct s390_cpu *c);
/* SIGP handled in-kernel; S390_EXIT when user space must. */
int s390_sigp(struct s390_cpu *c, struct s390_dec *d);
struct s390_cpu *s390_cpu_by_addr(struct kvmu_vm *vm, u16 addr);

/* ---- io.c: floating I/O interruptions ---- */
struct s390_io_irq;
/* True for a KVM_S390_INTERRUPT type that names an I/O interruption. */
bool s390_io_type(u32 type);
/* Queue one I/O interruption (KVM_S390_INTERRUPT); 0 or -errno. */
int s390_io_inject(struct kvmu_vm *kvm, const struct kvm_s390_interrupt *i);
/* An I/O interruption is queued that this CPU's PSW and CR6 enable. */
bool s390_io_ready(struct s390_cpu *c);
/* Take and deliver one enabled I/O interruption: 1, 0 (none), -errno. */
int s390_io_deliver(struct s390_cpu *c);
/* Free every queued I/O interruption of the VM. */
void s390_io_free(struct s390_vm *vm);

/* ---- vcpu_ops.c ---- */
void s390_initial_reset(struct s390_cpu *c);
void s390_vcpu_start(struct s390_cpu *c);
void s390_vcpu_stop(struct s390_cpu *c);

/* ---- ap.c: the AP instructions and the CRYCB ---- */
/*
 * Take the queues ap with the matrix m into the CRYCB (filtered by its
 * format); mdev (NULL for kvmu_ap_open() queues) is refreshed for hot
 * plug.  -EPERM when queues are already attached, -EINVAL for NULL.
 */
int s390_crypto_attach_ap(struct kvmu_vm *vm, struct kvmu_ap *ap,
			  const struct kvmu_host_matrix *m,
			  struct kvmu_host_mdev *mdev);
/* Clear the masks and forget ap if it is the attached one. */
void s390_crypto_detach_ap(struct kvmu_vm *vm, struct kvmu_ap *ap);
/* kvmu_arch_ops.vfio_attach/.vfio_detach for a vfio_ap mdev. */
int s390_vfio_attach(struct kvmu_vm *vm, struct kvmu_host_mdev *mdev);
void s390_vfio_detach(struct kvmu_vm *vm, struct kvmu_host_mdev *mdev);

/* ---- op_*.c: the instruction handlers named in insn.def ---- */
#define INSN(name, op, op2, fmt, fn, opnd, fac, fl) \
	int fn(struct s390_cpu *c, struct s390_dec *d);
#include "insn.def"
#undef INSN

extern const struct s390_insn s390_insns[];
extern const size_t s390_nr_insns;

/* ---- cpumodel.c: the CPU_MODEL attributes ---- */
/* Fill the default model (facilities, cpuid, subfunctions) at VM creation. */
void s390_cpumodel_init(struct s390_vm *vm);
/* Recompute crycb.format from facility 76 (MSAX3); caller holds vm->lock. */
void s390_crycb_update_format(struct s390_vm *vm);
/*
 * The 128-bit query block of the instruction whose subfunctions sit at
 * offset off: the processor model's, limited to what kvmu executes.
 */
void s390_subfunc_query(const struct s390_vm *vm, size_t off, u8 blk[16]);
/* CPU_MODEL group: get, set, has (0 or -errno). */
int s390_cpumodel_get(struct kvmu_vm *kvm, const struct kvm_device_attr *a);
int s390_cpumodel_set(struct kvmu_vm *kvm, const struct kvm_device_attr *a);
int s390_cpumodel_has(const struct kvm_device_attr *a);

/* ---- cmma.c: collaborative memory management ---- */
/* The CMMA byte of an absolute frame (usage state | 0x40 nodat). */
u8 s390_cmma_get(struct s390_vm *vm, u64 abs);
/* Every frame back to stable (CLR_CMMA). */
void s390_cmma_reset(struct s390_vm *vm);
/* MIGRATION START with CMMA: mark every slot page dirty; 0 or -errno. */
int s390_cmma_start_migration(struct kvmu_vm *kvm);
/* Release the CMMA state table (VM teardown). */
void s390_cmma_free(struct s390_vm *vm);

/* ---- pv.c, pv_cpu.c: Protected Virtualization (docs/s390-pv.md) ---- */
#define S390_SIDA_SIZE	4096

static inline bool s390_pv(struct s390_vm *vm)
{
	return atomic_load_explicit(&vm->pv_handle, memory_order_acquire);
}
/* The page a protected guest sees at absolute page abs: 0, -EFAULT. */
int s390_pv_page(struct kvmu_vm *kvm, u64 abs, u8 **host);
/* Register (or drop) the vCPU with the UV when its VM is protected. */
int s390_pv_vcpu_create(struct s390_cpu *c, u16 *rc, u16 *rrc);
int s390_pv_vcpu_destroy(struct s390_cpu *c, u16 *rc, u16 *rrc);
/* KVM_RUN of a protected vCPU: entry (-EINVAL while dumping) and exit. */
int s390_pv_run_enter(struct s390_cpu *c);
void s390_pv_run_exit(struct s390_cpu *c);
/* The instruction intercept a protected guest's VMM sees (0x68). */
int s390_pv_intercept(struct s390_cpu *c, struct s390_dec *d);
/* KVM_SET_MP_STATE and the CPU resets of a protected vCPU. */
int s390_pv_set_mp_state(struct s390_cpu *c, u32 state);
int s390_pv_cpu_reset(struct s390_cpu *c, u16 cmd);
/* KVM_S390_MEM_OP SIDA_READ/SIDA_WRITE. */
long s390_pv_sida_op(struct s390_cpu *c, const struct kvm_s390_mem_op *m);
/* Free a VM's protected state at VM teardown. */
void s390_pv_vm_destroy(struct kvmu_vm *kvm);

/* ---- attr.c ---- */
/* Check a new memslot against the MEM_CTRL limit; 0 or -EINVAL. */
int s390_attr_check_memslot(struct kvmu_vm *kvm,
			    const struct kvm_userspace_memory_region *r);
/* The ASCE limit (last address) gmap would choose for a memory limit. */
u64 s390_asce_limit(u64 limit);

#include "memfast.h"

#endif /* KVMU_S390_H */
