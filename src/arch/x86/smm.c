// SPDX-License-Identifier: MIT
/*
 * System-management mode as KVM emulates it (arch/x86/kvm/x86.c
 * enter_smm, emulate.c em_rsm): an SMI (a local APIC message with
 * delivery mode SMI, KVM_SMI, or KVM_SET_VCPU_EVENTS) is taken at an
 * instruction boundary outside SMM; the state is saved in the AMD64
 * layout (revision 0x00020064) at SMBASE + 0xfe00 and the vCPU enters
 * at SMBASE:0x8000 with 4 GiB real-mode segments, paging and protection
 * off, NMIs blocked; RSM loads the saved state back.  An SMI arriving in
 * SMM stays pending until RSM.
 *
 * In SMM the vCPU sees memory address space 1 (the SMRAM view,
 * kvm_arch_vcpu_memslots_id).  Only guests whose CPUID offers long mode
 * are served (KVM then always uses the 64-bit layout); for the others
 * the SMI stays pending and is never taken.  KVM_CAP_X86_SMM is not
 * reported yet: QEMU would then turn SMM on for its firmware (SeaBIOS
 * relocates SMBASE through an SMI), which has not been tried.
 */
#include <errno.h>
#include <string.h>

#include "arch/x86/x86_int.h"

#define SMRAM_SAVE	0xfe00		/* the save area: SMBASE + 0xfe00 */
#define SMRAM_SIZE	0x200
#define SMM_REVISION_64	0x00020064u
#define X86_CR4_PCIDE	(1ULL << 17)

/* Offsets in the 512-byte save area (the manuals give 0x7exx-0x7fxx). */
#define S_SEG(n)	(0x00 + (n) * 16)	/* ES CS SS DS FS GS */
#define S_GDTR		0x60
#define S_LDTR		0x70
#define S_IDTR		0x80
#define S_TR		0x90
#define S_EFER		0xd0
#define S_REVISION	0xfc
#define S_SMBASE	0x100
#define S_CR4		0x148
#define S_CR3		0x150
#define S_CR0		0x158
#define S_DR7		0x160
#define S_DR6		0x168
#define S_RFLAGS	0x170
#define S_RIP		0x178
#define S_GPR(i)	(0x1f8 - (i) * 8)	/* RAX at the top */

static void put16(u8 *b, u32 off, u16 v) { memcpy(b + off, &v, 2); }
static void put32(u8 *b, u32 off, u32 v) { memcpy(b + off, &v, 4); }
static void put64(u8 *b, u32 off, u64 v) { memcpy(b + off, &v, 8); }

static u16 get16(const u8 *b, u32 off)
{
	u16 v;

	memcpy(&v, b + off, 2);
	return v;
}

static u32 get32(const u8 *b, u32 off)
{
	u32 v;

	memcpy(&v, b + off, 4);
	return v;
}

static u64 get64(const u8 *b, u32 off)
{
	u64 v;

	memcpy(&v, b + off, 8);
	return v;
}

/* Descriptor attribute bits 8-23 as a 16-bit word (flags >> 8). */
static u16 seg_attr(const struct x86_seg *s)
{
	bool p = s->present && !s->unusable;

	return (u16)((s->type & 15) | (s->s & 1) << 4 | (s->dpl & 3) << 5 |
		     (u16)p << 7 | (s->avl & 1) << 12 | (s->l & 1) << 13 |
		     (s->db & 1) << 14 | (s->g & 1) << 15);
}

/* A segment of the save area: selector, attributes, limit, base. */
static void save_seg(u8 *b, u32 off, const struct x86_seg *s)
{
	put16(b, off, s->sel);
	put16(b, off + 2, seg_attr(s));
	put32(b, off + 4, s->limit);
	put64(b, off + 8, s->base);
}

/* As the emulator's set_segment of a descriptor built from the area. */
static void load_seg(const u8 *b, u32 off, struct x86_seg *s)
{
	u16 a = get16(b, off + 2);
	u32 limit = get32(b, off + 4) & 0xfffff;

	s->sel = get16(b, off);
	s->type = a & 15;
	s->s = (a >> 4) & 1;
	s->dpl = (a >> 5) & 3;
	s->present = (a >> 7) & 1;
	s->avl = (a >> 12) & 1;
	s->l = (a >> 13) & 1;
	s->db = (a >> 14) & 1;
	s->g = (a >> 15) & 1;
	s->limit = s->g ? (limit << 12) | 0xfff : limit;
	s->base = get64(b, off + 8);
	s->unusable = !s->present;
}

static void save_state(struct x86_cpu *cpu, u8 *b)
{
	int i;

	for (i = 0; i < 16; i++)
		put64(b, S_GPR(i), cpu->gpr[i]);
	put64(b, S_RIP, cpu->rip);
	put32(b, S_RFLAGS, (u32)cpu->rflags);
	put64(b, S_DR6, cpu->dr[6]);
	put64(b, S_DR7, cpu->dr[7]);
	put64(b, S_CR0, cpu->cr0);
	put64(b, S_CR3, cpu->cr3);
	put64(b, S_CR4, cpu->cr4);
	put32(b, S_SMBASE, (u32)cpu->m.smbase);
	put32(b, S_REVISION, SMM_REVISION_64);
	put64(b, S_EFER, cpu->efer);
	save_seg(b, S_TR, &cpu->seg[X86_TR]);
	put32(b, S_IDTR + 4, cpu->idtr.limit);
	put64(b, S_IDTR + 8, cpu->idtr.base);
	save_seg(b, S_LDTR, &cpu->seg[X86_LDTR]);
	put32(b, S_GDTR + 4, cpu->gdtr.limit);
	put64(b, S_GDTR + 8, cpu->gdtr.base);
	for (i = X86_ES; i <= X86_GS; i++)
		save_seg(b, S_SEG(i), &cpu->seg[i]);
}

static void state_changed(struct x86_cpu *cpu)
{
	x86_update_mode(cpu);
	x86_tlb_flush(cpu);
	x86_decode_flush(cpu);
}

/* The 4 GiB real-mode segment SMM starts with (type 3, as KVM). */
static void smm_seg(struct x86_seg *s, u16 sel, u64 base)
{
	memset(s, 0, sizeof(*s));
	s->sel = sel;
	s->base = base;
	s->limit = 0xffffffff;
	s->type = 3;
	s->s = 1;
	s->g = 1;
	s->present = 1;
}

/* enter_smm: save, then the SMM entry state; false: no SMRAM there. */
static bool enter_smm(struct x86_cpu *cpu)
{
	u64 base = cpu->m.smbase & 0xffffffffULL;
	u8 buf[SMRAM_SIZE];
	u8 *p;
	int i;

	memset(buf, 0, sizeof(buf));
	save_state(cpu, buf);
	/* written after kvm_smm_changed: into SMRAM (address space 1) */
	cpu->m.smm = true;
	x86_tlb_flush(cpu);
	p = x86_phys_ptr(cpu, base + SMRAM_SAVE, SMRAM_SIZE, true);
	if (!p)
		return false;
	memcpy(p, buf, sizeof(buf));
	cpu->m.smm_inside_nmi = cpu->nmi_masked;
	cpu->nmi_masked = true;
	cpu->rflags = 2;
	cpu->rip = 0x8000;
	cpu->cr0 &= ~(X86_CR0_PE | X86_CR0_EM | X86_CR0_TS | X86_CR0_PG);
	cpu->cr4 = 0;
	cpu->idtr.base = 0;
	cpu->idtr.limit = 0;
	cpu->dr[7] = X86_DR7_FIXED;
	smm_seg(&cpu->seg[X86_CS], (u16)(base >> 4), base);
	for (i = X86_ES; i <= X86_GS; i++)
		if (i != X86_CS)
			smm_seg(&cpu->seg[i], 0, 0);
	cpu->efer = 0;
	cpu->halted = false;
	if (cpu->mp_state == KVM_MP_STATE_HALTED)
		cpu->mp_state = KVM_MP_STATE_RUNNABLE;
	state_changed(cpu);
	return true;
}

bool x86_smm_take_smi(struct x86_cpu *cpu)
{
	if (!cpu->m.smi_pending || cpu->m.smm ||
	    !x86_guest_has(cpu, 0x80000001, 0, 3, 29))
		return false;
	cpu->m.smi_pending = false;
	if (!enter_smm(cpu))
		cpu->triple_fault = true;	/* KVM: the write failed */
	return true;
}

/* rsm_enter_protected_mode with the checks of its CR writes. */
static bool load_control(struct x86_cpu *cpu, u64 cr0, u64 cr3, u64 cr4,
			 u64 efer)
{
	bool lme = efer & X86_EFER_LME;

	if ((cr0 >> 32) || ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE)) ||
	    ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD)))
		return false;
	if (lme && (cr0 & X86_CR0_PG) && !(cr4 & X86_CR4_PAE))
		return false;
	if ((cr4 & X86_CR4_PCIDE) && !(lme && (cr0 & X86_CR0_PG)))
		return false;
	cpu->efer = efer & ~X86_EFER_LMA;
	cpu->cr3 = cr3;
	cpu->cr4 = cr4;
	cpu->cr0 = cr0;
	if (lme && (cr0 & X86_CR0_PG))
		cpu->efer |= X86_EFER_LMA;
	if (x86_is_pae_paging(cpu) && !x86_load_pdptrs(cpu))
		return false;
	return true;
}

/* emulator_leave_smm with rsm_load_state_64; false: shutdown. */
static bool leave_smm(struct x86_cpu *cpu, const u8 *b)
{
	int i;

	for (i = 0; i < 16; i++)
		cpu->gpr[i] = get64(b, S_GPR(i));
	cpu->rip = get64(b, S_RIP);
	cpu->rflags = get32(b, S_RFLAGS) | 2;
	if (get64(b, S_DR6) >> 32 || get64(b, S_DR7) >> 32)
		return false;
	cpu->dr[6] = get64(b, S_DR6);
	cpu->dr[7] = get64(b, S_DR7);
	cpu->m.smbase = get32(b, S_SMBASE);
	load_seg(b, S_TR, &cpu->seg[X86_TR]);
	cpu->idtr.limit = (u16)get32(b, S_IDTR + 4);
	cpu->idtr.base = get64(b, S_IDTR + 8);
	load_seg(b, S_LDTR, &cpu->seg[X86_LDTR]);
	cpu->gdtr.limit = (u16)get32(b, S_GDTR + 4);
	cpu->gdtr.base = get64(b, S_GDTR + 8);
	if (!load_control(cpu, get64(b, S_CR0), get64(b, S_CR3),
			  get64(b, S_CR4), get64(b, S_EFER)))
		return false;
	for (i = X86_ES; i <= X86_GS; i++)
		load_seg(b, S_SEG(i), &cpu->seg[i]);
	return true;
}

/* RSM (0F AA): #UD outside SMM. */
static enum x86_status h_rsm(struct x86_cpu *cpu, const struct x86_insn *in)
{
	u64 base = cpu->m.smbase & 0xffffffffULL;
	u8 buf[SMRAM_SIZE];
	const u8 *p;

	if (!cpu->m.smm)
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	p = x86_phys_ptr(cpu, base + SMRAM_SAVE, SMRAM_SIZE, false);
	if (!p)		/* KVM's read_phys fails: emulation failure */
		return x86_emulation_failure(cpu, in);
	memcpy(buf, p, sizeof(buf));
	if (!cpu->m.smm_inside_nmi)
		cpu->nmi_masked = false;
	cpu->m.smm = false;
	cpu->m.smm_inside_nmi = false;
	if (!leave_smm(cpu, buf))
		cpu->triple_fault = true;
	state_changed(cpu);
	cpu->block_stop = true;
	return X86_JUMP;
}

void x86_smm_set_state(struct x86_cpu *cpu, bool smm, bool pending,
		       bool inside_nmi)
{
	if (cpu->m.smm != smm) {
		cpu->m.smm = smm;
		x86_tlb_flush(cpu);
		x86_decode_flush(cpu);
	}
	cpu->m.smi_pending = pending;
	if (smm)
		cpu->m.smm_inside_nmi = inside_nmi;
}

long x86_smi_ioctl(struct kvmu_obj *obj, struct kvmu_ioctl_req *r KVMU_UNUSED)
{
	x86_obj_cpu(obj)->m.smi_pending = true;
	return 0;
}

const struct x86_op_entry x86_ops_smm[] = {
	{ ZYDIS_MNEMONIC_RSM, h_rsm },
	{ 0, NULL },
};
