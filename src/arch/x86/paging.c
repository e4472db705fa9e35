// SPDX-License-Identifier: MIT
/*
 * Linear to guest-physical translation: 32-bit paging (with PSE), PAE and
 * 4-level paging; permission, reserved-bit and accessed/dirty handling as
 * the SDM (vol. 3, ch. 4) specifies, and a small direct-mapped TLB.  The
 * TLB keeps the raw permissions of the walk; they are checked against
 * CPL, CR0.WP and the access on every hit.  A TLB entry allows writes
 * without a walk only once the walk has set the dirty bit.
 */
#include <string.h>

#include "arch/x86/x86_int.h"

#define PTE_P	(1ULL << 0)
#define PTE_W	(1ULL << 1)
#define PTE_U	(1ULL << 2)
#define PTE_A	(1ULL << 5)
#define PTE_D	(1ULL << 6)
#define PTE_PS	(1ULL << 7)
#define PTE_G	(1ULL << 8)
#define PTE_NX	(1ULL << 63)

#define PF_P	1U
#define PF_W	2U
#define PF_U	4U
#define PF_RSVD	8U
#define PF_I	16U

struct walk {
	u64 gpa;		/* translated address */
	u64 pte_gpa[4];		/* entries used, for A/D updates */
	u64 pte_val[4];		/* their values as the walk read them */
	u8 pte_size;		/* 4 or 8 */
	int levels;
	bool user, write, nx;
	u32 fault;		/* error code when !ok */
	bool ok;
	bool check;		/* the plane's memory attributes apply */
	bool memfault;		/* !ok: they stopped a table read */
};

void x86_tlb_flush(struct x86_cpu *cpu)
{
	memset(cpu->tlb, 0, sizeof(cpu->tlb));
	cpu->slot_last = NULL;
	cpu->fetch_vpage = 0;
	x86_plane_attrs_refresh(cpu);
}

void x86_tlb_flush_nonglobal(struct x86_cpu *cpu)
{
	struct x86_tlb_entry *e;

	for (e = cpu->tlb; e < cpu->tlb + X86_TLB_SIZE; e++)
		if (!e->global)
			e->vpage = 0;
	cpu->fetch_vpage = 0;
}

void x86_tlb_flush_page(struct x86_cpu *cpu, u64 lin)
{
	struct x86_tlb_entry *e = &cpu->tlb[(lin >> 12) % X86_TLB_SIZE];

	if ((e->vpage & ~1ULL) == (lin & ~0xfffULL))
		e->vpage = 0;
	cpu->fetch_vpage = 0;
}

bool x86_is_pae_paging(const struct x86_cpu *cpu)
{
	return (cpu->cr0 & X86_CR0_PG) && (cpu->cr4 & X86_CR4_PAE) &&
	       !(cpu->efer & X86_EFER_LMA);
}

/* Address bits at and above MAXPHYADDR, up to bit 51. */
static u64 rsvd_phys(struct x86_cpu *cpu)
{
	int m = x86_maxphyaddr(cpu);

	return m >= 52 ? 0 : ((1ULL << 52) - 1) & ~((1ULL << m) - 1);
}

/* A table entry; w (NULL: none) says whether the walk checks attributes. */
static bool read_pte(struct x86_cpu *cpu, struct walk *w, u64 gpa, int size,
		     u64 *pte)
{
	u8 *p;

	*pte = 0;
	if (w && unlikely(w->check) &&
	    x86_plane_kernel_denied(cpu, gpa, (u32)size, X86_ACC_READ, true)) {
		w->memfault = true;	/* an exit, not a #PF */
		return false;
	}
	p = x86_phys_ptr(cpu, gpa, (u32)size, false);
	if (!p)
		return false;
	/* other vCPUs set accessed/dirty bits atomically: read atomically */
	if (size == 8 && !((uintptr_t)p & 7))
		*pte = __atomic_load_n((u64 *)p, __ATOMIC_RELAXED);
	else if (size == 4 && !((uintptr_t)p & 3))
		*pte = __atomic_load_n((u32 *)p, __ATOMIC_RELAXED);
	else
		memcpy(pte, p, (size_t)size);
	return true;
}

/*
 * The PDPTE loads of a MOV to CR0/CR3/CR4 under PAE paging read the page
 * that cr3 names on the plane's behalf: X86_EXIT (KVM_EXIT_MEMORY_FAULT,
 * the instruction not retired) where its attributes forbid the read.
 */
enum x86_status x86_pdptrs_allowed(struct x86_cpu *cpu, u64 cr3)
{
	if (likely(!cpu->mem_attrs))
		return X86_OK;
	return x86_plane_kernel_denied(cpu, cr3 & 0xffffffe0ULL, 32,
				       X86_ACC_READ, true) ? X86_EXIT : X86_OK;
}

bool x86_load_pdptrs(struct x86_cpu *cpu)
{
	u64 base = cpu->cr3 & 0xffffffe0ULL, v[4];
	u64 rsvd = rsvd_phys(cpu) | 0x1e6ULL | PTE_NX;
	int i;

	for (i = 0; i < 4; i++) {
		if (!read_pte(cpu, NULL, base + 8 * (u64)i, 8, &v[i]))
			return false;
		if ((v[i] & PTE_P) && (v[i] & rsvd))
			return false;
	}
	memcpy(cpu->pdptr, v, sizeof(v));
	return true;
}

static void fault(struct walk *w, u32 code)
{
	w->ok = false;
	w->fault = code;
}

/* Reserved bits of a present entry at level lvl (1 = PTE) in 64-bit PTEs. */
static u64 rsvd_bits(struct x86_cpu *cpu, int lvl, u64 pte, bool lm)
{
	u64 r = rsvd_phys(cpu);

	if (!(cpu->efer & X86_EFER_NXE))
		r |= PTE_NX;
	if (lm && lvl == 4)
		r |= PTE_PS;
	if (lvl == 3 && (pte & PTE_PS))
		r |= 0x3fffe000ULL;		/* 1G page: bits 29:13 */
	if (lvl == 2 && (pte & PTE_PS))
		r |= 0x1fe000ULL;		/* 2M page: bits 20:13 */
	return r;
}

/* One level of a 64-bit-entry walk; returns false at the leaf or fault. */
static bool step64(struct x86_cpu *cpu, struct walk *w, int lvl, u64 *table,
		   u64 lin, bool lm)
{
	int shift = 12 + 9 * (lvl - 1);
	u64 gpa = (*table & 0x000ffffffffff000ULL) + ((lin >> shift) & 511) * 8;
	u64 pte;

	w->pte_gpa[w->levels++] = gpa;
	if (!read_pte(cpu, w, gpa, 8, &pte) || !(pte & PTE_P)) {
		fault(w, 0);
		return false;
	}
	w->pte_val[w->levels - 1] = pte;
	if (pte & rsvd_bits(cpu, lvl, pte, lm)) {
		fault(w, PF_P | PF_RSVD);
		return false;
	}
	w->user &= !!(pte & PTE_U);
	w->write &= !!(pte & PTE_W);
	w->nx |= (pte & PTE_NX) && (cpu->efer & X86_EFER_NXE);
	if (lvl == 1 || (lvl <= 3 && lvl >= 2 && (pte & PTE_PS) &&
			 (lm || lvl == 2))) {
		u64 mask = (1ULL << shift) - 1;

		w->gpa = (pte & 0x000ffffffffff000ULL & ~mask) | (lin & mask);
		return false;
	}
	*table = pte;
	return true;
}

static void walk64(struct x86_cpu *cpu, struct walk *w, u64 lin)
{
	bool lm = cpu->efer & X86_EFER_LMA;
	int lvl = lm ? 4 : 2;
	u64 table = cpu->cr3;

	w->pte_size = 8;
	if (!lm) {
		u64 pdpte = cpu->pdptr[(lin >> 30) & 3];

		if (!(pdpte & PTE_P)) {
			fault(w, 0);
			return;
		}
		table = pdpte;
	}
	while (step64(cpu, w, lvl, &table, lin, lm))
		lvl--;
}

static void walk32(struct x86_cpu *cpu, struct walk *w, u64 lin)
{
	u64 gpa = (cpu->cr3 & 0xfffff000ULL) + ((lin >> 22) & 1023) * 4;
	u64 pde, pte;

	w->pte_size = 4;
	w->pte_gpa[w->levels++] = gpa;
	if (!read_pte(cpu, w, gpa, 4, &pde) || !(pde & PTE_P))
		return fault(w, 0);
	w->pte_val[0] = pde;
	w->user &= !!(pde & PTE_U);
	w->write &= !!(pde & PTE_W);
	if ((pde & PTE_PS) && (cpu->cr4 & X86_CR4_PSE)) {
		u64 hi = ((pde >> 13) & 0xff) << 32;

		if ((pde & (1ULL << 21)) || (hi & rsvd_phys(cpu)))
			return fault(w, PF_P | PF_RSVD);
		w->gpa = hi | (pde & 0xffc00000ULL) | (lin & 0x3fffff);
		return;
	}
	gpa = (pde & 0xfffff000ULL) + ((lin >> 12) & 1023) * 4;
	w->pte_gpa[w->levels++] = gpa;
	if (!read_pte(cpu, w, gpa, 4, &pte) || !(pte & PTE_P))
		return fault(w, 0);
	w->pte_val[1] = pte;
	w->user &= !!(pte & PTE_U);
	w->write &= !!(pte & PTE_W);
	w->gpa = (pte & 0xfffff000ULL) | (lin & 0xfff);
}

static void walk(struct x86_cpu *cpu, struct walk *w, u64 lin, bool check)
{
	memset(w, 0, sizeof(*w));
	w->ok = true;
	w->check = check;
	w->user = w->write = true;
	if (cpu->cr4 & X86_CR4_PAE)
		walk64(cpu, w, lin);
	else
		walk32(cpu, w, lin & 0xffffffffULL);
}

bool x86_walk_peek(struct x86_cpu *cpu, u64 lin, u64 *gpa)
{
	struct walk w;

	if (!(cpu->cr0 & X86_CR0_PG)) {
		*gpa = (cpu->efer & X86_EFER_LMA) ? lin : lin & 0xffffffffULL;
		return true;
	}
	walk(cpu, &w, lin, false);
	*gpa = w.gpa;
	return w.ok;
}

/* Does the access violate the walk's permissions?  0 or PF_P. */
static bool denied(struct x86_cpu *cpu, bool user_ok, bool write_ok, bool nx,
		   int acc)
{
	bool user = (acc & X86_ACC_USER) ||
		    (x86_cpl(cpu) == 3 && !(acc & X86_ACC_IMPLICIT));
	int kind = acc & 3;

	if (user && !user_ok)
		return true;
	if (kind == X86_ACC_WRITE && !write_ok &&
	    (user || (cpu->cr0 & X86_CR0_WP)))
		return true;
	return kind == X86_ACC_EXEC && nx;
}

static u32 access_bits(struct x86_cpu *cpu, int acc)
{
	u32 e = 0;

	if ((acc & 3) == X86_ACC_WRITE)
		e |= PF_W;
	if ((acc & X86_ACC_USER) ||
	    (x86_cpl(cpu) == 3 && !(acc & X86_ACC_IMPLICIT)))
		e |= PF_U;
	if ((acc & 3) == X86_ACC_EXEC && (cpu->cr4 & X86_CR4_PAE) &&
	    (cpu->efer & X86_EFER_NXE))
		e |= PF_I;
	return e;
}

/*
 * The walker's A/D updates are writes of the plane: stopped (an exit)
 * where its attributes forbid writing a table that needs a bit set.
 */
static bool ad_denied(struct x86_cpu *cpu, struct walk *w, bool write)
{
	int i;

	for (i = 0; i < w->levels; i++) {
		u64 bits = PTE_A | (write && i == w->levels - 1 ? PTE_D : 0);
		u64 pte;

		if (read_pte(cpu, NULL, w->pte_gpa[i], w->pte_size, &pte) &&
		    (pte & bits) != bits &&
		    x86_plane_kernel_denied(cpu, w->pte_gpa[i], w->pte_size,
					    X86_ACC_WRITE, true))
			return true;
	}
	return false;
}

/*
 * Set A on every entry used and D on the leaf for writes; entries the walk
 * read with the bits already set are not written (as the processor, which
 * sets them only when clear).  Returns whether the translation may be
 * cached as dirty: a write, or a leaf whose D the walk found set (SDM
 * 4.10.2.2 lets the TLB cache D as read).
 */
static bool set_ad(struct x86_cpu *cpu, struct walk *w, bool write)
{
	int i;

	for (i = 0; i < w->levels; i++) {
		u64 bits = PTE_A | (write && i == w->levels - 1 ? PTE_D : 0);
		u8 *p;
		u32 v32;
		u64 v;

		if ((w->pte_val[i] & bits) == bits)
			continue;
		p = x86_phys_ptr(cpu, w->pte_gpa[i], w->pte_size, true);
		if (!p)
			continue;	/* read-only slot: leave it */
		/* page tables are aligned (the walk masks the low bits) */
		if (w->pte_size == 4) {
			v32 = __atomic_load_n((u32 *)p, __ATOMIC_RELAXED);
			if ((v32 & bits) != bits)
				__atomic_or_fetch((u32 *)p, (u32)bits,
						  __ATOMIC_RELAXED);
		} else {
			v = __atomic_load_n((u64 *)p, __ATOMIC_RELAXED);
			if ((v & bits) != bits)
				__atomic_or_fetch((u64 *)p, bits,
						  __ATOMIC_RELAXED);
		}
	}
	/* a 2M/4M/1G leaf is at a higher level: D goes on that entry */
	return write || (w->levels && (w->pte_val[w->levels - 1] & PTE_D));
}

static void tlb_fill(struct x86_cpu *cpu, u64 lin, u64 gpa, const struct walk *w,
		     bool dirty)
{
	struct x86_tlb_entry *e = &cpu->tlb[(lin >> 12) % X86_TLB_SIZE];
	const struct kvmu_memslot *slot;
	u64 page = gpa & ~0xfffULL;

	slot = x86_slot_of(cpu, page);
	e->vpage = (lin & ~0xfffULL) | 1;
	e->ppage = page;
	e->slot = slot;
	e->host = slot ? (u8 *)(uintptr_t)(slot->hva + (page - slot->gpa)) :
			 NULL;
	if (unlikely(cpu->mem_attrs) && x86_plane_page_restricted(cpu, page))
		e->host = NULL;		/* every access checks (translate) */
	e->ro_slot = slot && (slot->flags & KVM_MEM_READONLY);
	e->user = w->user;
	e->write = w->write;
	e->nx = w->nx;
	e->dirty = dirty;
	/* only a leaf has G (bit 8); without paging there is no walk */
	e->global = w->levels && (cpu->cr4 & X86_CR4_PGE) &&
		    (w->pte_val[w->levels - 1] & PTE_G);
}

enum x86_status x86_translate(struct x86_cpu *cpu, u64 lin, int acc,
			      u64 *gpa)
{
	struct x86_tlb_entry *e = &cpu->tlb[(lin >> 12) % X86_TLB_SIZE];
	bool wr = (acc & 3) == X86_ACC_WRITE;
	struct walk w;

	if (e->vpage == ((lin & ~0xfffULL) | 1) &&
	    !denied(cpu, e->user, e->write, e->nx, acc) &&
	    (!wr || e->dirty)) {
		*gpa = e->ppage | (lin & 0xfff);
		return unlikely(cpu->mem_attrs) ?
		       x86_plane_mem_check(cpu, *gpa, acc) : X86_OK;
	}
	if (!(cpu->cr0 & X86_CR0_PG)) {
		memset(&w, 0, sizeof(w));
		w.user = w.write = true;
		w.gpa = (cpu->efer & X86_EFER_LMA) ? lin : lin & 0xffffffffULL;
		tlb_fill(cpu, lin, w.gpa, &w, true);
		*gpa = w.gpa;
		return unlikely(cpu->mem_attrs) ?
		       x86_plane_mem_check(cpu, *gpa, acc) : X86_OK;
	}
	walk(cpu, &w, lin, cpu->mem_attrs);
	if (unlikely(w.memfault))
		return X86_EXIT;	/* the walker may not read a table */
	if (!w.ok)
		return x86_raise_pf(cpu, lin, w.fault | access_bits(cpu, acc));
	if (denied(cpu, w.user, w.write, w.nx, acc))
		return x86_raise_pf(cpu, lin, PF_P | access_bits(cpu, acc));
	if (unlikely(cpu->mem_attrs) && ad_denied(cpu, &w, wr))
		return X86_EXIT;
	tlb_fill(cpu, lin, w.gpa, &w, set_ad(cpu, &w, wr));
	*gpa = w.gpa;
	return unlikely(cpu->mem_attrs) ?
	       x86_plane_mem_check(cpu, *gpa, acc) : X86_OK;
}
