// SPDX-License-Identifier: MIT
/*
 * vCPU register ioctls: REGS, SREGS, SREGS2, FPU, XSAVE, XCRS, DEBUGREGS,
 * MP_STATE and TRANSLATE, with the checks and normalisations of KVM on
 * VMX with unrestricted guest (kvm_is_valid_sregs, vmx_set_segment).
 */
#include <errno.h>
#include <string.h>

#include "arch/x86/x86_int.h"
#include "arch/x86/irqchip.h"

long x86_get_regs(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	struct kvm_regs *k = r->karg;

	k->rax = cpu->gpr[X86_RAX];
	k->rbx = cpu->gpr[X86_RBX];
	k->rcx = cpu->gpr[X86_RCX];
	k->rdx = cpu->gpr[X86_RDX];
	k->rsi = cpu->gpr[X86_RSI];
	k->rdi = cpu->gpr[X86_RDI];
	k->rsp = cpu->gpr[X86_RSP];
	k->rbp = cpu->gpr[X86_RBP];
	memcpy(&k->r8, &cpu->gpr[X86_R8], 8 * sizeof(u64));
	k->rip = cpu->rip;
	k->rflags = cpu->rflags;
	return 0;
}

long x86_set_regs(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	const struct kvm_regs *k = r->karg;

	cpu->gpr[X86_RAX] = k->rax;
	cpu->gpr[X86_RBX] = k->rbx;
	cpu->gpr[X86_RCX] = k->rcx;
	cpu->gpr[X86_RDX] = k->rdx;
	cpu->gpr[X86_RSI] = k->rsi;
	cpu->gpr[X86_RDI] = k->rdi;
	cpu->gpr[X86_RSP] = k->rsp;
	cpu->gpr[X86_RBP] = k->rbp;
	memcpy(&cpu->gpr[X86_R8], &k->r8, 8 * sizeof(u64));
	cpu->rip = k->rip;
	cpu->rflags = k->rflags | 2;
	/* __set_regs drops a pending (not yet injected) exception */
	cpu->exception.pending = false;
	cpu->check_entry = true;
	x86_update_mode(cpu);
	return 0;
}

void x86_seg_from_kvm(struct x86_seg *s, const struct kvm_segment *k,
		      int sreg)
{
	s->base = k->base;
	s->limit = k->limit;
	s->sel = k->selector;
	if (k->unusable || !k->present) {
		/* VMX keeps only "unusable"; the rest of the AR bytes go */
		s->type = s->present = s->dpl = s->db = s->s = 0;
		s->l = s->g = s->avl = 0;
		s->unusable = 1;
		return;
	}
	/* unrestricted guest: KVM sets the accessed bit (not on LDTR) */
	s->type = (k->type & 15) | (sreg != X86_LDTR ? 1 : 0);
	s->present = 1;
	s->dpl = k->dpl & 3;
	s->db = k->db & 1;
	s->s = k->s & 1;
	s->l = k->l & 1;
	s->g = k->g & 1;
	s->avl = k->avl & 1;
	s->unusable = 0;
}

void x86_seg_to_kvm(struct kvm_segment *k, const struct x86_seg *s)
{
	memset(k, 0, sizeof(*k));
	k->base = s->base;
	k->limit = s->limit;
	k->selector = s->sel;
	k->type = s->type;
	k->present = s->present;
	k->dpl = s->dpl;
	k->db = s->db;
	k->s = s->s;
	k->l = s->l;
	k->g = s->g;
	k->avl = s->avl;
	k->unusable = s->unusable;
}

/* kvm_sregs order: cs ds es fs gs ss tr ldt */
static const int sregs_order[8] = {
	X86_CS, X86_DS, X86_ES, X86_FS, X86_GS, X86_SS, X86_TR, X86_LDTR
};

/* The part of kvm_sregs and kvm_sregs2 they share (up to apic_base). */
static void get_common(struct x86_cpu *cpu, struct kvm_sregs *k)
{
	struct kvm_segment *segs = &k->cs;
	int i;

	for (i = 0; i < 8; i++)
		x86_seg_to_kvm(&segs[i], &cpu->seg[sregs_order[i]]);
	k->gdt.base = cpu->gdtr.base;
	k->gdt.limit = cpu->gdtr.limit;
	k->idt.base = cpu->idtr.base;
	k->idt.limit = cpu->idtr.limit;
	k->cr0 = cpu->cr0;
	k->cr2 = cpu->cr2;
	k->cr3 = cpu->cr3;
	k->cr4 = cpu->cr4;
	k->cr8 = cpu->cr8;
	k->efer = cpu->efer;
	k->apic_base = cpu->apic_base;
}

/*
 * CR4 bits KVM accepts (VME and PVI always, as KVM does); once the VMM has
 * set a CPUID table, OSXSAVE also needs its XSAVE bit.  Before
 * KVM_SET_CPUID2 KVM checks only what the host supports.
 */
#define X86_CR4_VALID	0x407ffULL

static bool valid_cr4(struct x86_cpu *cpu, u64 cr4)
{
	if (cr4 & ~X86_CR4_VALID)
		return false;
	if ((cr4 & X86_CR4_OSXSAVE) && cpu->cpuid_set &&
	    !x86_guest_has(cpu, 1, 0, 2, 26))
		return false;
	return true;
}

static bool valid_cr0(u64 cr0)
{
	if (cr0 >> 32)
		return false;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return false;
	return !((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE));
}

static bool valid_sregs(struct x86_cpu *cpu, const struct kvm_sregs *k)
{
	if ((k->efer & X86_EFER_LME) && (k->cr0 & X86_CR0_PG)) {
		if (!(k->cr4 & X86_CR4_PAE) || !(k->efer & X86_EFER_LMA))
			return false;
		if (k->cr3 >> x86_maxphyaddr(cpu))
			return false;
	} else if ((k->efer & X86_EFER_LMA) || k->cs.l) {
		return false;
	}
	return valid_cr4(cpu, k->cr4) && valid_cr0(k->cr0);
}

static bool valid_apic_base(struct x86_cpu *cpu, u64 v)
{
	u64 rsvd = (~0ULL << x86_maxphyaddr(cpu)) | 0x2ff | (1ULL << 10);

	return !(v & rsvd);
}

static int set_common(struct x86_cpu *cpu, const struct kvm_sregs *k)
{
	const struct kvm_segment *segs = &k->cs;
	int i;

	if (!valid_sregs(cpu, k) ||
	    (!cpu->apic && !valid_apic_base(cpu, k->apic_base)))
		return -EINVAL;
	/* an in-kernel LAPIC follows the base (kvm_set_apic_base) */
	if (cpu->apic && x86_irqchip_msr_set(cpu, 0x1b, k->apic_base, true))
		return -EINVAL;
	cpu->apic_base = k->apic_base;
	cpu->idtr.base = k->idt.base;
	cpu->idtr.limit = k->idt.limit;
	cpu->gdtr.base = k->gdt.base;
	cpu->gdtr.limit = k->gdt.limit;
	cpu->cr2 = k->cr2;
	cpu->cr3 = k->cr3;
	if (!(k->cr8 >> 4))
		cpu->cr8 = k->cr8;
	cpu->efer = k->efer;
	cpu->cr0 = k->cr0;
	cpu->cr4 = k->cr4;
	for (i = 0; i < 8; i++)
		x86_seg_from_kvm(&cpu->seg[sregs_order[i]], &segs[i],
				 sregs_order[i]);
	cpu->check_entry = true;
	x86_update_mode(cpu);
	x86_tlb_flush(cpu);
	x86_decode_flush(cpu);
	return 0;
}

long x86_get_sregs(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	struct kvm_sregs *k = r->karg;

	get_common(cpu, k);
	memset(k->interrupt_bitmap, 0, sizeof(k->interrupt_bitmap));
	if (cpu->interrupt.injected && !cpu->interrupt_soft)
		k->interrupt_bitmap[cpu->interrupt.nr / 64] |=
			1ULL << (cpu->interrupt.nr % 64);
	return 0;
}

long x86_set_sregs(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	const struct kvm_sregs *k = r->karg;
	int ret, v;

	ret = set_common(cpu, k);
	if (ret)
		return ret;
	if (x86_is_pae_paging(cpu))
		x86_load_pdptrs(cpu);
	for (v = 0; v < 256; v++) {
		if (k->interrupt_bitmap[v / 64] & (1ULL << (v % 64))) {
			cpu->interrupt.injected = true;
			cpu->interrupt.nr = (u8)v;
			cpu->interrupt_soft = false;
			break;
		}
	}
	return 0;
}

long x86_get_sregs2(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	struct kvm_sregs2 *k = r->karg;

	get_common(cpu, (struct kvm_sregs *)k);
	k->flags = 0;
	memset(k->pdptrs, 0, sizeof(k->pdptrs));
	if (x86_is_pae_paging(cpu)) {
		memcpy(k->pdptrs, cpu->pdptr, sizeof(k->pdptrs));
		k->flags = KVM_SREGS2_FLAGS_PDPTRS_VALID;
	}
	return 0;
}

long x86_set_sregs2(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	const struct kvm_sregs2 *k = r->karg;
	bool valid = k->flags & KVM_SREGS2_FLAGS_PDPTRS_VALID;
	bool pae = (k->cr0 & X86_CR0_PG) && (k->cr4 & X86_CR4_PAE) &&
		   !(k->efer & X86_EFER_LMA);
	int ret;

	if (k->flags & ~(u64)KVM_SREGS2_FLAGS_PDPTRS_VALID)
		return -EINVAL;
	if (valid && !pae)
		return -EINVAL;
	ret = set_common(cpu, (const struct kvm_sregs *)k);
	if (ret)
		return ret;
	if (valid)
		memcpy(cpu->pdptr, k->pdptrs, sizeof(cpu->pdptr));
	else if (x86_is_pae_paging(cpu))
		x86_load_pdptrs(cpu);
	return 0;
}

/* ---- x87/SSE state ---- */

static int fpu_top(const struct x86_cpu *cpu)
{
	return (cpu->fpu.fsw >> 11) & 7;
}

static u8 abridged_tag(const struct x86_cpu *cpu)
{
	u8 t = 0;
	int i;

	for (i = 0; i < 8; i++)
		if (((cpu->fpu.ftw >> (2 * i)) & 3) != 3)
			t |= (u8)(1 << i);
	return t;
}

/* Full 2-bit tag of an 80-bit value: valid 0, zero 1, special 2. */
static u16 classify(const u8 *v)
{
	u16 exp = (u16)((v[9] << 8 | v[8]) & 0x7fff);
	u64 mant;

	memcpy(&mant, v, 8);
	if (exp == 0x7fff)
		return 2;
	if (exp == 0)
		return mant ? 2 : 1;
	return (mant >> 63) ? 0 : 2;
}

static void set_abridged_tag(struct x86_cpu *cpu, u8 t)
{
	u16 ftw = 0;
	int i;

	for (i = 0; i < 8; i++)
		ftw |= (u16)(((t >> i) & 1 ? classify(cpu->fpu.st[i]) : 3)
			     << (2 * i));
	cpu->fpu.ftw = ftw;
}

long x86_get_fpu(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	struct kvm_fpu *k = r->karg;
	int i, top = fpu_top(cpu);

	memset(k, 0, sizeof(*k));
	for (i = 0; i < 8; i++)
		memcpy(k->fpr[i], cpu->fpu.st[(top + i) & 7], 10);
	k->fcw = cpu->fpu.fcw;
	k->fsw = cpu->fpu.fsw;
	k->ftwx = abridged_tag(cpu);
	k->last_opcode = cpu->fpu.fop;
	k->last_ip = cpu->fpu.fip;
	k->last_dp = cpu->fpu.fdp;
	memcpy(k->xmm, cpu->fpu.xmm, sizeof(k->xmm));
	k->mxcsr = cpu->fpu.mxcsr;
	return 0;
}

long x86_set_fpu(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	const struct kvm_fpu *k = r->karg;
	int i, top = (k->fsw >> 11) & 7;

	for (i = 0; i < 8; i++)
		memcpy(cpu->fpu.st[(top + i) & 7], k->fpr[i], 10);
	cpu->fpu.fcw = k->fcw;
	cpu->fpu.fsw = k->fsw;
	set_abridged_tag(cpu, k->ftwx);
	cpu->fpu.fop = k->last_opcode;
	cpu->fpu.fip = k->last_ip;
	cpu->fpu.fdp = k->last_dp;
	memcpy(cpu->fpu.xmm, k->xmm, sizeof(k->xmm));
	cpu->fpu.mxcsr = k->mxcsr;
	return 0;
}

/* Offsets in the XSAVE legacy region and header. */
#define XS_FCW		0
#define XS_FSW		2
#define XS_FTW		4
#define XS_FOP		6
#define XS_FIP		8
#define XS_FDP		16
#define XS_MXCSR	24
#define XS_MXCSR_MASK	28
#define XS_ST		32
#define XS_XMM		160
#define XS_BV		512
#define XS_COMP		520
#define XS_HDR_END	576
#define X86_MXCSR_MASK	0xffffU

long x86_get_xsave(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	u8 *x = r->karg;
	u32 mask = X86_MXCSR_MASK;
	u64 bv = X86_XCR0_SUPPORTED;
	int i, top = fpu_top(cpu);

	memset(x, 0, X86_XSAVE_SIZE);
	memcpy(x + XS_FCW, &cpu->fpu.fcw, 2);
	memcpy(x + XS_FSW, &cpu->fpu.fsw, 2);
	x[XS_FTW] = abridged_tag(cpu);
	memcpy(x + XS_FOP, &cpu->fpu.fop, 2);
	memcpy(x + XS_FIP, &cpu->fpu.fip, 8);
	memcpy(x + XS_FDP, &cpu->fpu.fdp, 8);
	memcpy(x + XS_MXCSR, &cpu->fpu.mxcsr, 4);
	memcpy(x + XS_MXCSR_MASK, &mask, 4);
	for (i = 0; i < 8; i++)
		memcpy(x + XS_ST + 16 * i, cpu->fpu.st[(top + i) & 7], 10);
	memcpy(x + XS_XMM, cpu->fpu.xmm, sizeof(cpu->fpu.xmm));
	memcpy(x + XS_BV, &bv, 8);
	return 0;
}

static bool zero_bytes(const u8 *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

long x86_set_xsave(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	const u8 *x = r->karg;
	u64 bv, comp;
	u32 mxcsr;
	int i, top;

	memcpy(&bv, x + XS_BV, 8);
	memcpy(&comp, x + XS_COMP, 8);
	memcpy(&mxcsr, x + XS_MXCSR, 4);
	if ((bv & ~X86_XCR0_SUPPORTED) || comp ||
	    !zero_bytes(x + XS_COMP + 8, XS_HDR_END - XS_COMP - 8))
		return -EINVAL;
	if ((bv & 2) && (mxcsr & ~X86_MXCSR_MASK))
		return -EINVAL;
	if (bv & 1) {
		memcpy(&cpu->fpu.fcw, x + XS_FCW, 2);
		memcpy(&cpu->fpu.fsw, x + XS_FSW, 2);
		memcpy(&cpu->fpu.fop, x + XS_FOP, 2);
		memcpy(&cpu->fpu.fip, x + XS_FIP, 8);
		memcpy(&cpu->fpu.fdp, x + XS_FDP, 8);
		top = fpu_top(cpu);
		for (i = 0; i < 8; i++)
			memcpy(cpu->fpu.st[(top + i) & 7], x + XS_ST + 16 * i,
			       10);
		set_abridged_tag(cpu, x[XS_FTW]);
	} else {
		memset(cpu->fpu.st, 0, sizeof(cpu->fpu.st));
		cpu->fpu.fcw = 0x37f;
		cpu->fpu.fsw = cpu->fpu.fop = 0;
		cpu->fpu.ftw = 0xffff;
		cpu->fpu.fip = cpu->fpu.fdp = 0;
	}
	if (bv & 2) {
		memcpy(cpu->fpu.xmm, x + XS_XMM, sizeof(cpu->fpu.xmm));
		cpu->fpu.mxcsr = mxcsr;
	} else {
		memset(cpu->fpu.xmm, 0, sizeof(cpu->fpu.xmm));
		cpu->fpu.mxcsr = 0x1f80;
	}
	return 0;
}

long x86_get_xcrs(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	struct kvm_xcrs *k = r->karg;

	memset(k, 0, sizeof(*k));
	k->nr_xcrs = 1;
	k->xcrs[0].xcr = 0;
	k->xcrs[0].value = cpu->xcr0;
	return 0;
}

long x86_set_xcrs(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	const struct kvm_xcrs *k = r->karg;
	u32 i;

	if (k->nr_xcrs > KVM_MAX_XCRS || k->flags)
		return -EINVAL;
	for (i = 0; i < k->nr_xcrs; i++) {
		u64 v = k->xcrs[i].value;

		if (k->xcrs[i].xcr != 0)
			continue;
		/* __kvm_set_xcr: x87 always on, only what we implement */
		if (!(v & 1) || (v & ~X86_XCR0_SUPPORTED))
			return -EINVAL;
		cpu->xcr0 = v;
		break;
	}
	return 0;
}

long x86_get_debugregs(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	struct kvm_debugregs *k = r->karg;

	memset(k, 0, sizeof(*k));
	memcpy(k->db, cpu->dr, sizeof(k->db));
	k->dr6 = cpu->dr[6];
	k->dr7 = cpu->dr[7];
	return 0;
}

long x86_set_debugregs(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	const struct kvm_debugregs *k = r->karg;

	if (k->flags || (k->dr6 >> 32) || (k->dr7 >> 32))
		return -EINVAL;
	memcpy(cpu->dr, k->db, sizeof(k->db));
	cpu->dr[6] = k->dr6;
	cpu->dr[7] = k->dr7;
	return 0;
}

long x86_get_mp_state(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvm_mp_state *k = r->karg;
	struct x86_cpu *cpu = x86_obj_cpu(obj);

	k->mp_state = cpu->apic ? x86_irqchip_get_mp_state(cpu) :
				  cpu->mp_state;
	return 0;
}

long x86_set_mp_state(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	const struct kvm_mp_state *k = r->karg;

	if (x86_obj_cpu(obj)->apic)
		return x86_irqchip_set_mp_state(x86_obj_cpu(obj), k->mp_state);
	/* without an in-kernel local APIC only RUNNABLE is accepted */
	if (k->mp_state != KVM_MP_STATE_RUNNABLE)
		return -EINVAL;
	x86_obj_cpu(obj)->mp_state = k->mp_state;
	return 0;
}

long x86_translate_ioctl(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	struct kvm_translation *t = r->karg;
	u64 gpa;

	if (x86_walk_peek(cpu, t->linear_address, &gpa)) {
		t->physical_address = gpa;
		t->valid = 1;
	} else {
		t->physical_address = ~0ULL;
		t->valid = 0;
	}
	t->writeable = 1;
	t->usermode = 0;
	return 0;
}
