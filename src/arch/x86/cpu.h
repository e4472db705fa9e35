/* SPDX-License-Identifier: MIT */
/*
 * The x86-64 software CPU: architectural state, the decoded-instruction
 * form, and the contracts between the run loop, the MMU, the decoder and
 * the instruction handlers.
 *
 * Handlers return an enum x86_status.  A handler that faults calls
 * x86_raise() and returns its result without changing any state the
 * architecture says a faulting instruction leaves alone; the run loop
 * delivers the exception.  Memory reads that reach MMIO or port input
 * return X86_EXIT before any side effect: the instruction runs again from
 * scratch on the next KVM_RUN and then finds the data user space supplied.
 */
#ifndef KVMU_X86_CPU_H
#define KVMU_X86_CPU_H

#include <Zydis/Zydis.h>

#include "kvmu_int.h"
#include "arch/x86/machine.h"

enum x86_status {
	X86_OK = 0,		/* retired; rip advanced by the run loop */
	X86_JUMP,		/* retired; the handler has set rip */
	X86_FAULT,		/* an exception is pending (x86_raise) */
	X86_EXIT,		/* leave KVM_RUN: run->exit_reason is set */
	X86_EXIT_RETIRED,	/* like X86_EXIT, instruction completed */
};

/* Segment registers, in the encoding order of the ISA. */
enum x86_sreg {
	X86_ES, X86_CS, X86_SS, X86_DS, X86_FS, X86_GS, X86_TR, X86_LDTR,
	X86_NR_SEGS
};

enum x86_gpr {
	X86_RAX, X86_RCX, X86_RDX, X86_RBX, X86_RSP, X86_RBP, X86_RSI, X86_RDI,
	X86_R8, X86_R9, X86_R10, X86_R11, X86_R12, X86_R13, X86_R14, X86_R15,
};

/* Exception vectors. */
enum x86_vector {
	X86_DE = 0, X86_DB = 1, X86_NMI = 2, X86_BP = 3, X86_OF = 4,
	X86_BR = 5, X86_UD = 6, X86_NM = 7, X86_DF = 8, X86_TS = 10,
	X86_NP = 11, X86_SS_VEC = 12, X86_GP = 13, X86_PF = 14, X86_MF = 16,
	X86_AC = 17, X86_MC = 18, X86_XM = 19,
};

#define X86_NO_ERROR	(-1)	/* x86_raise(): no error code */

/* RFLAGS bits. */
#define X86_CF	(1ULL << 0)
#define X86_PF_	(1ULL << 2)
#define X86_AF	(1ULL << 4)
#define X86_ZF	(1ULL << 6)
#define X86_SF	(1ULL << 7)
#define X86_TF	(1ULL << 8)
#define X86_IF	(1ULL << 9)
#define X86_DF_	(1ULL << 10)
#define X86_OF_	(1ULL << 11)
#define X86_IOPL (3ULL << 12)
#define X86_NT	(1ULL << 14)
#define X86_RF	(1ULL << 16)
#define X86_VM	(1ULL << 17)
#define X86_AC_	(1ULL << 18)
#define X86_VIF	(1ULL << 19)
#define X86_VIP	(1ULL << 20)
#define X86_ID	(1ULL << 21)
#define X86_ARITH_FLAGS (X86_CF | X86_PF_ | X86_AF | X86_ZF | X86_SF | X86_OF_)

/* Control-register and EFER bits the core looks at. */
#define X86_CR0_PE	(1ULL << 0)
#define X86_CR0_MP	(1ULL << 1)
#define X86_CR0_EM	(1ULL << 2)
#define X86_CR0_TS	(1ULL << 3)
#define X86_CR0_ET	(1ULL << 4)
#define X86_CR0_NE	(1ULL << 5)
#define X86_CR0_WP	(1ULL << 16)
#define X86_CR0_AM	(1ULL << 18)
#define X86_CR0_NW	(1ULL << 29)
#define X86_CR0_CD	(1ULL << 30)
#define X86_CR0_PG	(1ULL << 31)
#define X86_CR4_PSE	(1ULL << 4)
#define X86_CR4_PAE	(1ULL << 5)
#define X86_CR4_PGE	(1ULL << 7)
#define X86_CR4_OSFXSR	(1ULL << 9)
#define X86_CR4_OSXMMEXCPT (1ULL << 10)
#define X86_CR4_OSXSAVE	(1ULL << 18)
#define X86_EFER_SCE	(1ULL << 0)
#define X86_EFER_LME	(1ULL << 8)
#define X86_EFER_LMA	(1ULL << 10)
#define X86_EFER_NXE	(1ULL << 11)

/* A segment register with its hidden part (the KVM view of it). */
struct x86_seg {
	u64 base;
	u32 limit;
	u16 sel;
	u8 type, present, dpl, db, s, l, g, avl, unusable;
};

struct x86_dtable {
	u64 base;
	u16 limit;
};

/* One operand of a decoded instruction. */
enum x86_opkind { X86_OP_NONE, X86_OP_REG, X86_OP_MEM, X86_OP_IMM,
		  X86_OP_PTR };

/* Register classes of X86_OP_REG operands. */
enum x86_regclass {
	X86_RC_GPR,	/* index 0-15; high8 for AH/CH/DH/BH */
	X86_RC_SEG,	/* enum x86_sreg */
	X86_RC_CR, X86_RC_DR,
	X86_RC_ST,	/* x87 stack slot relative to TOP */
	X86_RC_MMX, X86_RC_XMM,
	X86_RC_FLAGS, X86_RC_IP, X86_RC_OTHER,
};

struct x86_operand {
	u8 kind;		/* enum x86_opkind */
	u8 size;		/* bytes (memory: access size) */
	u8 rclass;		/* enum x86_regclass */
	u8 reg;			/* index within the class */
	u8 high8;		/* AH, CH, DH, BH */
	u8 seg;			/* memory: enum x86_sreg */
	s8 base, index;		/* memory: GPR or -1; base 16 = RIP */
	u8 scale;
	u8 visible;		/* explicit in the encoding */
	u8 write;		/* written by the instruction */
	u8 rel;			/* immediate is a relative branch offset */
	s64 disp;
	u64 imm;		/* immediate, or far-pointer offset */
	u16 ptr_seg;		/* far pointer selector */
};

struct x86_cpu;
struct x86_insn;

typedef enum x86_status (*x86_handler)(struct x86_cpu *cpu,
				       const struct x86_insn *in);

/* A decoded instruction, as kept in the decode cache. */
struct x86_insn {
	x86_handler fn;
	u16 mnemonic;		/* ZydisMnemonic */
	u8 len;
	u8 opsize;		/* operand size in bytes: 2, 4, 8 */
	u8 addrsize;		/* address size in bytes: 2, 4, 8 */
	u8 nops;		/* operands used (visible + hidden) */
	u8 rep;			/* 0, X86_REP (REP/REPE), X86_REPNE */
	u8 lock;
	u8 cc;			/* condition code (Jcc/SETcc/CMOVcc) 0-15 */
	u8 opcode;		/* last opcode byte */
	u8 opcode_map;		/* ZydisOpcodeMap */
	u8 modrm_reg;		/* ModRM.reg (group decoding) */
	u8 mode;		/* enum x86_mode at decode */
	u8 bytes[16];		/* raw encoding (cache validation) */
	struct x86_operand op[4];
};

#define X86_REP		1
#define X86_REPNE	2

enum x86_mode { X86_MODE_REAL, X86_MODE_VM86, X86_MODE_PROT16,
		X86_MODE_PROT32, X86_MODE_COMPAT16, X86_MODE_COMPAT32,
		X86_MODE_LONG64 };

/* A pending or injected event, as KVM_GET/SET_VCPU_EVENTS carries it. */
struct x86_event {
	bool pending;		/* not yet delivered (exception only) */
	bool injected;		/* being delivered */
	u8 nr;
	bool has_error;
	u32 error;
	bool has_payload;
	u64 payload;		/* #PF: CR2; #DB: DR6 bits */
};

/* MMIO/PIO handshakes with user space. */
struct x86_io_pending {
	bool valid;		/* user space has supplied read data */
	bool is_pio;
	u64 addr;
	u32 len;
	u8 data[8];
};

#define X86_MAX_CPUID 256
#define X86_DECODE_CACHE 4096
#define X86_TLB_SIZE 2048

struct x86_tlb_entry {
	u64 vpage;		/* linear page | 1 when valid */
	u64 ppage;		/* guest-physical page */
	u8 *host;		/* host pointer of the page, NULL: MMIO/RO */
	u8 user, write, nx;	/* permissions of the walk */
	u8 ro_slot;		/* slot is read-only: writes exit */
	u8 dirty;		/* D is set: writes need no walk */
	u8 global;		/* G with CR4.PGE: kept by CR3 writes */
	const struct kvmu_memslot *slot;	/* NULL: MMIO */
};

struct x86_fpu_state {
	u8 st[8][10];		/* 80-bit registers, physical order */
	u16 fcw, fsw, ftw;	/* ftw: full 2-bit tag word */
	u16 fop;
	u64 fip, fdp;
	u32 mxcsr;
	u8 xmm[16][16];
};

struct x86_cpu {
	u64 gpr[16];
	u64 rip;
	u64 rflags;
	struct x86_seg seg[X86_NR_SEGS];
	struct x86_dtable gdtr, idtr;
	u64 cr0, cr2, cr3, cr4, cr8, efer, apic_base, xcr0;
	u64 dr[8];
	struct x86_fpu_state fpu;

	/* MSRs kvmu models */
	u64 star, lstar, cstar, sfmask, kernel_gs_base;
	u64 sysenter_cs, sysenter_esp, sysenter_eip;
	u64 tsc_offset, tsc_aux, pat, misc_enable, spec_ctrl;
	u64 mtrr_def_type;

	/* events */
	struct x86_event exception;
	struct x86_event interrupt;	/* KVM_INTERRUPT / injected IRQ */
	bool interrupt_soft;
	u8 interrupt_shadow;		/* STI / MOV SS blocking */
	bool nmi_pending, nmi_injected, nmi_masked;
	bool halted;
	u32 mp_state;
	struct x86_lapic *apic;		/* in-kernel local APIC, or NULL */
	u64 apic_cr8;			/* CR8 the APIC's TPR last matched */
	bool apic_want;			/* an interrupt waits for IF */
	u64 apic_icount;		/* icount at the last timer check */
	int pending_extint;		/* split: KVM_INTERRUPT vector, -1 */
	bool triple_fault;
	int fault_depth;		/* nested delivery: #DF, triple */

	/* KVM configuration */
	struct kvm_cpuid_entry2 cpuid[X86_MAX_CPUID];
	int nr_cpuid;
	bool cpuid_set;
	u32 guest_debug;		/* KVM_GUESTDBG_* */
	u64 hw_bp[8];			/* debugger's DR0-3, DR7 (USE_HW_BP) */

	/* debug.c: #DB conditions of the instruction in flight */
	u64 dbg_hits;			/* DR6 B0-B3 of data breakpoints */
	u64 dbg_dr6;			/* trap of the retired instruction */
	bool dbg_tf, dbg_rf;		/* TF and RF when it started */
	bool dbg_resume;		/* a REP continues: no insn bp check */
	u64 dbg_resume_rip;		/* ... at this rip */
	u64 dbg_movss;			/* data hits held by MOV SS blocking */
	bool exception_payload;		/* VM has KVM_CAP_EXCEPTION_PAYLOAD */

	/* user-space I/O handshakes */
	struct x86_io_pending io;
	u64 io_lin_rip;			/* CS.base + rip when the exit left */
	u64 mmio_write_queue[4][3];	/* addr, len, data of extra writes */
	int nr_mmio_writes;
	u8 io_wait;			/* enum x86_io_wait: exit to complete */
	struct x86_io_pending mmio_done[4];	/* reads completed, this insn */
	int nr_mmio_done;
	u8 pio_data[1024];		/* INS read-ahead, as KVM's */
	u32 pio_pos, pio_end;
	bool out_done;			/* OUT exit consumed: retire on rerun */

	/* misc state (mem.c, run.c) */
	u64 pdptr[4];			/* PAE PDPTRs, loaded with CR3 */
	bool has_run;			/* entered the guest once (CPUID lock) */
	bool check_entry;		/* state set by ioctl: entry checks */
	bool nmi_window_pending;	/* NMI queued by KVM_NMI */
	u8 nr_nmi;			/* KVM_NMI count not yet delivered */

	/* mode and caches */
	enum x86_mode mode;
	ZydisDecoder decoder[X86_MODE_LONG64 + 1];
	struct x86_tlb_entry tlb[X86_TLB_SIZE];
	/* the slot of the last guest-physical lookup (mem.c), flushed with
	 * the TLB (which slot changes flush); slot_as: its address space */
	const struct kvmu_memslot *slot_last;
	int slot_as;
	u64 slot_gen;	/* the slots' generation slot_last was found in */
	u8 maxphy;			/* MAXPHYADDR from CPUID; 0: unknown */
	/* the code page instructions are fetched from (fast path) */
	u64 fetch_vpage;		/* linear page | 1 when valid */
	u64 fetch_gpage;
	u8 *fetch_host;
	u8 fetch_mode, fetch_cpl;
	struct x86_insn *dcache;	/* X86_DECODE_CACHE entries */
	u64 *dcache_tag;		/* physical address | mode */
	/* translated blocks (block.c) */
	struct x86_blocks *blocks;
	u64 code_gpage;			/* page of the running block | 1 */
	bool block_stop;		/* end the running block after this */
	/* planes (plane_x86.c): memory attributes of this plane */
	bool mem_attrs;			/* some page is restricted: check */
	bool mem_fault;			/* KVM_EXIT_MEMORY_FAULT: EFAULT */

	struct kvmu_vcpu *vcpu;
	struct kvm_run *run;
	u64 icount;
	struct x86_machine_cpu m;	/* machine.h: TSC, kvmclock, MSRs */
};

/* ---- run.c ---- */

/* The vCPU's x86 state. */
static inline struct x86_cpu *x86_cpu_of(struct kvmu_vcpu *vcpu)
{
	return vcpu->arch_data;
}
/* KVM_RUN for x86: execute until an exit; 0 or -errno. */
int x86_vcpu_run(struct kvmu_vcpu *vcpu);
/* Execute one instruction at rip; returns its status. */
enum x86_status x86_step(struct x86_cpu *cpu);
/* Recompute cpu->mode from CR0/EFER/CS/RFLAGS after a change. */
void x86_update_mode(struct x86_cpu *cpu);

/* ---- except.c ---- */

/* Make vector pending (error X86_NO_ERROR if none); returns X86_FAULT. */
enum x86_status x86_raise(struct x86_cpu *cpu, int vector, int error);
/* #PF with its CR2 payload; returns X86_FAULT. */
enum x86_status x86_raise_pf(struct x86_cpu *cpu, u64 addr, u32 error);
/* Deliver the pending exception/NMI/interrupt if any; X86_OK/X86_EXIT. */
enum x86_status x86_deliver_events(struct x86_cpu *cpu);
/* Deliver an interrupt or exception through the IVT/IDT now. */
enum x86_status x86_deliver(struct x86_cpu *cpu, int vector, int error,
			    bool soft, u64 next_rip);

/* ---- mem.c: guest memory ---- */

/* Access kinds for translation. */
#define X86_ACC_READ	0
#define X86_ACC_WRITE	1
#define X86_ACC_EXEC	2
#define X86_ACC_USER	4	/* force a user-mode check (CPL 3) */
#define X86_ACC_IMPLICIT 8	/* supervisor access (descriptor tables) */

/* Linear address of seg:off with limit/permission checks (raises). */
enum x86_status x86_seg_linear(struct x86_cpu *cpu, int seg, u64 off,
			       u32 size, int acc, u64 *lin);
/* Translate a linear address to guest-physical (raises #PF). */
enum x86_status x86_translate(struct x86_cpu *cpu, u64 lin, int acc,
			      u64 *gpa);
/* Read size bytes (1..16) at seg:off into val. */
enum x86_status x86_read(struct x86_cpu *cpu, int seg, u64 off, void *val,
			 u32 size);
/* Write size bytes (1..16) at seg:off. */
enum x86_status x86_write(struct x86_cpu *cpu, int seg, u64 off,
			  const void *val, u32 size);
/* Linear-address variants (descriptor tables, IDT, page tables). */
enum x86_status x86_read_lin(struct x86_cpu *cpu, u64 lin, void *val,
			     u32 size, int acc);
enum x86_status x86_write_lin(struct x86_cpu *cpu, u64 lin, const void *val,
			      u32 size, int acc);
/* Guest-physical access; MMIO exits as KVM does. */
enum x86_status x86_read_phys(struct x86_cpu *cpu, u64 gpa, void *val,
			      u32 size);
enum x86_status x86_write_phys(struct x86_cpu *cpu, u64 gpa,
			       const void *val, u32 size);
/* The slot holding gpa in the vCPU's address space (cached), NULL: none. */
const struct kvmu_memslot *x86_slot_of(struct x86_cpu *cpu, u64 gpa);
/* Host pointer for [gpa, gpa+size) inside one slot, NULL if none. */
u8 *x86_phys_ptr(struct x86_cpu *cpu, u64 gpa, u32 size, bool write);
/* Make lin's page the code page if a TLB entry maps it to RAM and allows
 * the fetch at the current CPL (no walk, no fault); false: fetch as usual. */
bool x86_fetch_page_hit(struct x86_cpu *cpu, u64 lin);
/* Drop every cached translation (CR3/CR0/CR4 writes, memslot changes). */
void x86_tlb_flush(struct x86_cpu *cpu);
/* Drop every translation but global ones (MOV to CR3, SDM 4.10.4.1). */
void x86_tlb_flush_nonglobal(struct x86_cpu *cpu);
/* Drop the translation of one linear page (INVLPG). */
void x86_tlb_flush_page(struct x86_cpu *cpu, u64 lin);
/* Current privilege level. */
static inline int x86_cpl(const struct x86_cpu *cpu)
{
	if (!(cpu->cr0 & X86_CR0_PE))
		return 0;
	if (cpu->rflags & X86_VM)
		return 3;
	return cpu->seg[X86_CS].sel & 3;
}

/* ---- seg.c, exec_far.c, exec_sys.c: segments, far transfers, CR/DR ---- */

/* Load segment register sreg (not CS) with selector sel: MOV/POP/LxS. */
enum x86_status x86_load_seg(struct x86_cpu *cpu, int sreg, u16 sel);
/* Far JMP/CALL to sel:off (ptr16:xx operand or m16:xx), all modes. */
enum x86_status x86_far_jmp(struct x86_cpu *cpu, const struct x86_insn *in,
			    u16 sel, u64 off);
enum x86_status x86_far_call(struct x86_cpu *cpu, const struct x86_insn *in,
			     u16 sel, u64 off);
/* Far RET (RETF imm16): pops with in->opsize, then releases imm bytes. */
enum x86_status x86_far_ret(struct x86_cpu *cpu, const struct x86_insn *in,
			    u16 imm);
/* MOV to/from CRn or DRn (Zydis calls these MOV too). */
enum x86_status x86_mov_crdr(struct x86_cpu *cpu, const struct x86_insn *in);

/* ---- operand.c ---- */

/* Effective (segment-relative) address of a memory operand. */
u64 x86_ea(const struct x86_cpu *cpu, const struct x86_insn *in,
	   const struct x86_operand *op);
/* x86_op_read/x86_op_write for every operand kind (the inline ones below
 * handle full GPRs and immediates themselves). */
enum x86_status x86_op_read_any(struct x86_cpu *cpu,
				const struct x86_insn *in, int n, u64 *val);
enum x86_status x86_op_write_any(struct x86_cpu *cpu,
				 const struct x86_insn *in, int n, u64 val);
/* Target of a relative branch operand n: next rip + offset, masked. */
u64 x86_branch_target(const struct x86_cpu *cpu, const struct x86_insn *in,
		      int n);
/* Push/pop on the stack with the current stack size (raises #SS/#PF). */
enum x86_status x86_push(struct x86_cpu *cpu, u64 val, int size);
enum x86_status x86_pop(struct x86_cpu *cpu, u64 *val, int size);
/* Stack address size in bytes (SS.B, or 8 in 64-bit mode). */
int x86_stack_size(const struct x86_cpu *cpu);
/* Mask of an operand size in bytes. */
static inline u64 x86_mask(int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}
/* Sign-extend the low size bytes of v. */
static inline s64 x86_sext(u64 v, int size)
{
	int sh = 64 - size * 8;

	return size >= 8 ? (s64)v : (s64)(v << sh) >> sh;
}

/* Read/write a GPR of size bytes (high8: AH..BH). */
static inline u64 x86_gpr_get(const struct x86_cpu *cpu, int reg, int size,
			      bool high8)
{
	if (high8)
		return (cpu->gpr[reg - 4] >> 8) & 0xff;
	return cpu->gpr[reg] & x86_mask(size);
}

static inline void x86_gpr_set(struct x86_cpu *cpu, int reg, int size,
			       bool high8, u64 v)
{
	u64 *r;

	if (high8) {
		r = &cpu->gpr[reg - 4];
		*r = (*r & ~0xff00ULL) | ((v & 0xff) << 8);
		return;
	}
	r = &cpu->gpr[reg];
	if (size == 4 || size == 8)	/* 32-bit writes zero-extend */
		*r = v & x86_mask(size);
	else
		*r = (*r & ~x86_mask(size)) | (v & x86_mask(size));
}

/* Read operand n (register, memory, immediate) zero-extended into *val.
 * Inline for the operands most instructions have: GPRs and immediates. */
static inline enum x86_status x86_op_read(struct x86_cpu *cpu,
					  const struct x86_insn *in, int n,
					  u64 *val)
{
	const struct x86_operand *op = &in->op[n];

	if (op->kind == X86_OP_REG && op->rclass == X86_RC_GPR && op->size) {
		*val = x86_gpr_get(cpu, op->reg, op->size, op->high8);
		return X86_OK;
	}
	if (op->kind == X86_OP_IMM) {
		*val = op->imm & x86_mask(op->size ? op->size : 8);
		return X86_OK;
	}
	return x86_op_read_any(cpu, in, n, val);
}

/* Write operand n with the size's semantics (32-bit GPR writes zero-extend). */
static inline enum x86_status x86_op_write(struct x86_cpu *cpu,
					   const struct x86_insn *in, int n,
					   u64 val)
{
	const struct x86_operand *op = &in->op[n];

	if (op->kind == X86_OP_REG && op->rclass == X86_RC_GPR) {
		x86_gpr_set(cpu, op->reg, op->size, op->high8, val);
		return X86_OK;
	}
	return x86_op_write_any(cpu, in, n, val);
}

/* ---- flags.c ---- */

/* Set the arithmetic flags after an ADD/ADC (carry_in 0/1). */
void x86_flags_add(struct x86_cpu *cpu, u64 a, u64 b, u64 carry_in,
		   u64 res, int size);
/* Set the arithmetic flags after a SUB/SBB/CMP/NEG. */
void x86_flags_sub(struct x86_cpu *cpu, u64 a, u64 b, u64 borrow_in,
		   u64 res, int size);
/* Flags after AND/OR/XOR/TEST: CF=OF=0, SF/ZF/PF from res, AF cleared. */
void x86_flags_logic(struct x86_cpu *cpu, u64 res, int size);
/* Set SF, ZF and PF from res; other flags untouched. */
void x86_flags_szp(struct x86_cpu *cpu, u64 res, int size);
/* Condition code cc (0..15, Jcc encoding order) against RFLAGS. */
bool x86_cond(const struct x86_cpu *cpu, int cc);

/* Condition cc (Jcc/SETcc/CMOVcc encoding order) on the flags f. */
static inline bool x86_flags_cond(u64 f, int cc)
{
	bool sf = f & X86_SF, of = f & X86_OF_, zf = f & X86_ZF, r;

	switch (cc >> 1) {
	case 0: r = of; break;
	case 1: r = f & X86_CF; break;
	case 2: r = zf; break;
	case 3: r = (f & X86_CF) || zf; break;
	case 4: r = sf; break;
	case 5: r = f & X86_PF_; break;
	case 6: r = sf != of; break;
	default: r = zf || sf != of; break;
	}
	return (cc & 1) ? !r : r;
}

/* ---- decode.c ---- */

/* Decode (or find in the cache) the instruction at cs:rip. */
enum x86_status x86_fetch_decode(struct x86_cpu *cpu,
				 const struct x86_insn **out);
/* Create the decoders and the cache; 0 or -ENOMEM. */
int x86_decode_init(struct x86_cpu *cpu);
void x86_decode_fini(struct x86_cpu *cpu);
/* Forget cached decodes (self-modifying code, mode changes). */
void x86_decode_flush(struct x86_cpu *cpu);

/* Decode the instruction in buf[0..avail) for mode into in; false if
 * it is invalid or needs more bytes (nothing is raised). */
bool x86_decode_bytes(struct x86_cpu *cpu, const u8 *buf, u32 avail,
		      enum x86_mode mode, struct x86_insn *in);

/* ---- fast.c: handlers specialised by operand shape ---- */

/* Replace in->fn by a specialised handler if in has a shape fast.c
 * covers (the generic handler stays its fallback and definition). */
void x86_fast_pick(struct x86_insn *in);
/* Is mn one of the sixteen conditional near jumps (Jcc)? */
bool x86_is_jcc(u16 mn);

/* ---- block.c: translated blocks ---- */

/* Specialised handlers are in use (KVMU_ENGINE is not "ref"). */
bool x86_engine_fast(const struct x86_cpu *cpu);

/* Run the translated block at rip (or one instruction); like x86_step. */
enum x86_status x86_block_exec(struct x86_cpu *cpu);
/* Allocate the block cache (KVMU_ENGINE picks the engine); 0/-ENOMEM. */
int x86_block_init(struct x86_cpu *cpu);
void x86_block_fini(struct x86_cpu *cpu);
/* Forget every translated block. */
void x86_block_flush(struct x86_cpu *cpu);
/* End the running translated block after the current instruction: for
 * anything done in-process that the run loop must look at before the next
 * instruction (an in-process device that changed interrupt state, ...). */
static inline void x86_block_stop(struct x86_cpu *cpu)
{
	cpu->block_stop = true;
}
/* A store to guest-physical [gpa, gpa+size): end the running block if
 * it hits the block's page (self-modifying code).  Every path that writes
 * guest RAM through a host pointer calls this (mem.c). */
static inline void x86_code_store(struct x86_cpu *cpu, u64 gpa, u64 size)
{
	u64 page = cpu->code_gpage >> 12;

	if (cpu->code_gpage && (gpa >> 12) <= page &&
	    ((gpa + size - 1) >> 12) >= page)
		cpu->block_stop = true;
}

/* ---- exec tables: one per instruction group file ---- */

struct x86_op_entry {
	u16 mnemonic;		/* ZydisMnemonic */
	x86_handler fn;
};

/* Each exec_*.c file defines one table, ended by { 0, NULL }. */
extern const struct x86_op_entry x86_ops_int[];	/* exec_int.c */
extern const struct x86_op_entry x86_ops_ctl[];	/* exec_ctl.c */
extern const struct x86_op_entry x86_ops_str[];	/* exec_str.c */
extern const struct x86_op_entry x86_ops_sys[];	/* exec_sys.c */
extern const struct x86_op_entry x86_ops_io[];	/* exec_io.c */
extern const struct x86_op_entry x86_ops_hyper[];	/* exec_hyper.c */
extern const struct x86_op_entry x86_ops_smm[];	/* smm.c */
extern const struct x86_op_entry x86_ops_fpu[];	/* exec_fpu.c */
extern const struct x86_op_entry x86_ops_sse[];	/* exec_sse.c */
extern const struct x86_op_entry x86_ops_fpu_misc[];	/* exec_fpu_misc.c */
extern const struct x86_op_entry x86_ops_fpu_env[];	/* exec_fpu_env.c */
extern const struct x86_op_entry x86_ops_sse_int[];	/* exec_sse_int.c */
extern const struct x86_op_entry x86_ops_sse_mov[];	/* exec_sse_mov.c */

/* The handler for a mnemonic, or NULL (the instruction raises #UD). */
x86_handler x86_handler_for(u16 mnemonic);

/* ---- io.c: exits to user space ---- */

/* Port input of count items of size bytes into buf; X86_EXIT until data. */
enum x86_status x86_pio_in(struct x86_cpu *cpu, u16 port, int size,
			   u32 count, void *buf);
/* Port output; the exit happens after the instruction retires. */
enum x86_status x86_pio_out(struct x86_cpu *cpu, u16 port, int size,
			    u32 count, const void *buf);

/* ---- cpuid.c / msr.c ---- */

/* CPUID leaf/subleaf as the guest sees it (the VMM's table). */
void x86_cpuid(struct x86_cpu *cpu, u32 leaf, u32 sub, u32 out[4]);
/* Guest-visible feature test: CPUID bit `bit` of register reg (0=eax..3=edx). */
bool x86_has_feature(struct x86_cpu *cpu, u32 leaf, u32 sub, int reg,
		     int bit);
/* Guest RDMSR/WRMSR: 0, or -1 when the access raises #GP. */
int x86_msr_read(struct x86_cpu *cpu, u32 index, u64 *val);
int x86_msr_write(struct x86_cpu *cpu, u32 index, u64 val);

#endif /* KVMU_X86_CPU_H */
