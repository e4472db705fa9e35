// SPDX-License-Identifier: MIT
/*
 * AArch64 memory: stage-1 translation of the EL1&0 regime (4K, 16K and
 * 64K granules, 25- to 48-bit VAs through TCR_EL1.TxSZ, hierarchical and
 * leaf permissions, the access flag, WXN, TBI), a small software TLB, the
 * memslot lookup and KVM's treatment of accesses outside every memslot:
 * an MMIO exit with the data when the instruction has a valid syndrome,
 * KVM_EXIT_ARM_NISV or -ENOSYS when not, an external abort for fetches and
 * table walks.  Every host address comes from a memslot bounded by its
 * size, so a guest never reaches other host memory.
 */
#include <errno.h>
#include <string.h>

#include "arm64.h"

#define PA_BITS		48
#define GENMASK(h, l)	(((~0ULL) >> (63 - (h))) & ~((1ULL << (l)) - 1))

void a64_tlb_flush(struct a64_cpu *c)
{
	memset(c->tlb, 0, sizeof(c->tlb));
}

u8 *a64_phys(struct kvmu_vm *kvm, u64 pa, u64 len,
	     const struct kvmu_memslot **slot)
{
	const struct kvmu_memslot *m;

	if (pa >> arm64_vm(kvm)->ipa_bits)
		return NULL;
	m = kvmu_memslot_find(kvm, 0, pa);
	if (!m || len > m->size - (pa - m->gpa))
		return NULL;
	if (slot)
		*slot = m;
	return (u8 *)(uintptr_t)(m->hva + (pa - m->gpa));
}

/* Report a fault on va as the data or instruction abort it is. */
static int abort_exc(struct a64_cpu *c, u64 va, unsigned int acc, u32 fsc)
{
	bool low = a64_el(c) == 0;
	u32 esr;

	if (ACC_KIND(acc) == ACC_FETCH)
		esr = (u32)(low ? EC_IABT_LOW : EC_IABT_CUR) << 26 | fsc;
	else
		esr = (u32)(low ? EC_DABT_LOW : EC_DABT_CUR) << 26 | fsc |
		      (ACC_KIND(acc) == ACC_WRITE ? BIT(6) : 0);
	return a64_sync_exc(c, esr, va, true);
}

struct walk {
	u64 pa;			/* of the 4K page */
	u8 perm;
	u8 level;
	bool dev;
};

static unsigned int granule_shift(u64 tcr, bool hi)
{
	unsigned int tg = hi ? BITS(tcr, 31, 30) : BITS(tcr, 15, 14);

	if (hi)
		return tg == 1 ? 14 : tg == 3 ? 16 : 12;
	return tg == 1 ? 16 : tg == 2 ? 14 : 12;
}

static u8 leaf_perm(struct a64_cpu *c, u64 d, unsigned int apt, bool uxnt,
		    bool pxnt)
{
	unsigned int ap = BITS(d, 7, 6);
	bool r0 = ap & 1, w1 = !(ap & 2), w0 = (ap & 1) && !(ap & 2);
	bool x0, x1;

	if (apt & 1)
		r0 = w0 = false;
	if (apt & 2)
		w1 = w0 = false;
	x0 = !(d & BIT(54)) && !uxnt;
	x1 = !(d & BIT(53)) && !pxnt && !w0;
	if (c->sr[SR_SCTLR_EL1] & BIT(19)) {	/* WXN */
		x0 = x0 && !w0;
		x1 = x1 && !w1;
	}
	return TLB_R1 | (w1 ? TLB_W1 : 0) | (x1 ? TLB_X1 : 0) |
	       (r0 ? TLB_R0 : 0) | (w0 ? TLB_W0 : 0) | (x0 ? TLB_X0 : 0);
}

static bool block_ok(unsigned int gs, unsigned int lvl)
{
	return gs == 12 ? (lvl == 1 || lvl == 2) : lvl == 2;
}

/* Walk the tables for va; 0 or a fault status code (with level). */
static u32 walk(struct a64_cpu *c, u64 va, bool fetch, struct walk *w)
{
	u64 tcr = c->sr[SR_TCR_EL1], m, table, d = 0;
	bool hi = (va >> 55) & 1, uxnt = false, pxnt = false;
	unsigned int tsz = hi ? BITS(tcr, 21, 16) : BITS(tcr, 5, 0);
	unsigned int gs = granule_shift(tcr, hi), stride = gs - 3;
	unsigned int vab, lvl, apt = 0, shift, bits;
	bool tbi = !fetch && (tcr & (hi ? BIT(38) : BIT(37)));
	u8 *p;

	tsz = tsz < 16 ? 16 : tsz > 39 ? 39 : tsz;
	vab = 64 - tsz;
	m = tbi ? GENMASK(55, vab) : GENMASK(63, vab);
	if ((va & m) != (hi ? m : 0) || (tcr & (hi ? BIT(23) : BIT(7))))
		return FSC_TRANS;
	lvl = 4 - (vab - gs + stride - 1) / stride;
	table = c->sr[hi ? SR_TTBR1_EL1 : SR_TTBR0_EL1] & GENMASK(47, 1);
	for (;; lvl++) {
		shift = gs + stride * (3 - lvl);
		bits = vab - shift < stride ? vab - shift : stride;
		table &= ~7ULL;
		p = a64_phys(c->kvm, table + ((va >> shift) &
				((1ULL << bits) - 1)) * 8, 8, NULL);
		if (!p)
			return FSC_EXT | 0x4 | lvl;	/* on the walk */
		memcpy(&d, p, 8);
		if (!(d & 1))
			return FSC_TRANS | lvl;
		if (lvl == 3 || !(d & 2))
			break;
		apt |= BITS(d, 62, 61);
		uxnt |= (d >> 60) & 1;
		pxnt |= (d >> 59) & 1;
		table = d & GENMASK(47, gs);
	}
	if (lvl == 3 ? !(d & 2) : !block_ok(gs, lvl))
		return FSC_TRANS | lvl;
	if (!(d & BIT(10)))
		return FSC_ACCESS | lvl;
	w->pa = ((d & GENMASK(47, shift)) | (va & GENMASK(shift - 1, 0))) &
		~0xfffULL;
	w->perm = leaf_perm(c, d, apt, uxnt, pxnt);
	w->level = (u8)lvl;
	w->dev = !((c->sr[SR_MAIR_EL1] >> (8 * BITS(d, 4, 2))) & 0xf0);
	return 0;
}

/* Fill the TLB entry for va; 0 or an exception. */
static int fill(struct a64_cpu *c, u64 va, unsigned int acc,
		struct a64_tlbe *e)
{
	struct walk w = { .perm = 0x3f, .dev = ACC_KIND(acc) != ACC_FETCH };
	const struct kvmu_memslot *slot = NULL;
	u32 fsc;

	if (c->sr[SR_SCTLR_EL1] & 1) {
		fsc = walk(c, va, ACC_KIND(acc) == ACC_FETCH, &w);
		if (fsc)
			return abort_exc(c, va, acc, fsc);
	} else {
		if (va >> PA_BITS)
			return abort_exc(c, va, acc, FSC_ADDR_SIZE);
		w.pa = va & ~0xfffULL;
	}
	e->tag = (va & ~0xfffULL) | 1;
	e->pa = w.pa;
	e->perm = w.perm;
	e->level = w.level;
	e->dev = w.dev;
	e->host = a64_phys(c->kvm, w.pa, 4096, &slot);
	e->slot = slot;
	e->ro = slot && (slot->flags & KVM_MEM_READONLY);
	return 0;
}

static u8 need_perm(struct a64_cpu *c, unsigned int acc)
{
	bool el0 = a64_el(c) == 0 || (acc & ACC_UNPRIV);
	static const u8 p[2][3] = {
		{ TLB_R1, TLB_W1, TLB_X1 }, { TLB_R0, TLB_W0, TLB_X0 },
	};

	return p[el0][ACC_KIND(acc)];
}

/* Translate va (one page); sets *e to its TLB entry. */
static int translate(struct a64_cpu *c, u64 va, unsigned int acc,
		     struct a64_tlbe **e)
{
	struct a64_tlbe *t = &c->tlb[(va >> 12) % A64_TLB_SIZE];
	int rc;

	if (t->tag != ((va & ~0xfffULL) | 1)) {
		rc = fill(c, va, acc, t);
		if (rc) {
			t->tag = 0;
			return rc;
		}
	}
	if (!(t->perm & need_perm(c, acc)))
		return abort_exc(c, va, acc, FSC_PERM | t->level);
	*e = t;
	return 0;
}

/* The IPA outside every memslot: an external abort for fetches. */
int a64_fetch(struct a64_cpu *c, u64 pc, u32 *insn)
{
	struct a64_tlbe *e;
	int rc = translate(c, pc, ACC_FETCH, &e);

	if (rc)
		return rc;
	if (!e->host)
		return abort_exc(c, pc, ACC_FETCH, FSC_EXT);
	memcpy(insn, e->host + (pc & 0xfff), 4);
	return 0;
}

static bool misaligned(struct a64_cpu *c, const struct a64_tlbe *e, u64 va,
		       unsigned int size)
{
	if (!(va & (size - 1)) || size > 8)
		return false;
	return e->dev || (c->sr[SR_SCTLR_EL1] & BIT(1));
}

/* No valid syndrome (pair, writeback, SIMD): what KVM does then. */
static int nisv_exit(struct a64_cpu *c, u64 pa, bool write)
{
	/* either way the instruction has not executed */
	c->pc = c->ipc;
	if (!c->vm->nisv_to_user)
		return -ENOSYS;
	c->run->exit_reason = KVM_EXIT_ARM_NISV;
	c->run->arm_nisv.esr_iss = (write ? BIT(6) : 0) | FSC_TRANS | 3;
	c->run->arm_nisv.fault_ipa = pa;
	c->pc = c->ipc;
	return A64_EXIT;
}

/* An IPA beyond the VM's IPA size: KVM injects an address size fault. */
static int check_ipa(struct a64_cpu *c, u64 va, u64 pa, unsigned int acc)
{
	if (pa >> c->vm->ipa_bits)
		return abort_exc(c, va, acc, FSC_ADDR_SIZE);
	return 0;
}

/* Access within one page. */
static int access_page(struct a64_cpu *c, u64 va, void *buf,
		       unsigned int size, unsigned int acc)
{
	bool write = ACC_KIND(acc) == ACC_WRITE;
	struct a64_tlbe *e;
	int rc = translate(c, va, acc, &e);
	u64 pa;

	if (rc)
		return rc;
	if (misaligned(c, e, va, size))
		return abort_exc(c, va, acc, FSC_ALIGN);
	pa = e->pa | (va & 0xfff);
	if (!e->host || (write && e->ro)) {
		rc = check_ipa(c, va, pa, acc);
		return rc ? rc : nisv_exit(c, pa, write);
	}
	if (write) {
		memcpy(e->host + (va & 0xfff), buf, size);
		kvmu_memslot_mark_dirty(e->slot, pa);
	} else {
		memcpy(buf, e->host + (va & 0xfff), size);
	}
	return 0;
}

static int access(struct a64_cpu *c, u64 va, void *buf, unsigned int size,
		  unsigned int acc)
{
	unsigned int first = 0x1000 - (va & 0xfff);
	int rc;

	if (first >= size)
		return access_page(c, va, buf, size, acc);
	/* page crossing: both pages must translate before either is hit */
	rc = access_page(c, va, buf, first, acc);
	if (rc)
		return rc;
	return access_page(c, va + first, (u8 *)buf + first, size - first,
			   acc);
}

int a64_read(struct a64_cpu *c, u64 va, void *buf, unsigned int size,
	     unsigned int acc)
{
	return access(c, va, buf, size, acc);
}

int a64_write(struct a64_cpu *c, u64 va, const void *buf, unsigned int size,
	      unsigned int acc)
{
	return access(c, va, (void *)buf, size, acc | ACC_WRITE);
}

static void set_loaded(struct a64_cpu *c, unsigned int rt, u64 v,
		       unsigned int size, bool sign, bool wide)
{
	if (sign)
		v = (u64)sext(v, size * 8);
	if (wide)
		a64_set_x(c, rt, v);
	else
		a64_set_w(c, rt, v);
}

/* The MMIO exit KVM makes for an access with a valid syndrome. */
static int mmio_exit(struct a64_cpu *c, u64 pa, unsigned int size, u64 val,
		     bool write)
{
	struct kvm_run *run = c->run;

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = pa;
	run->mmio.len = size;
	run->mmio.is_write = write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (write)
		memcpy(run->mmio.data, &val, size);
	c->mmio.pending = true;
	c->pc = c->ipc;
	return A64_EXIT;
}

int a64_ld_reg(struct a64_cpu *c, u64 va, unsigned int size, unsigned int rt,
	       bool sign, bool wide, unsigned int acc)
{
	u64 v = 0, pa;
	struct a64_tlbe *e;
	int rc;

	if (((va & 0xfff) + size) > 0x1000) {
		rc = access(c, va, &v, size, acc);
		if (!rc)
			set_loaded(c, rt, v, size, sign, wide);
		return rc;
	}
	rc = translate(c, va, acc, &e);
	if (rc)
		return rc;
	if (misaligned(c, e, va, size))
		return abort_exc(c, va, acc, FSC_ALIGN);
	pa = e->pa | (va & 0xfff);
	if (!e->host) {
		rc = check_ipa(c, va, pa, acc);
		if (rc)
			return rc;
		/* in-kernel devices first (the GIC), as io_mem_abort */
		if (!kvmu_io_bus_read(c->kvm, c->vcpu, KVMU_BUS_MMIO, pa, size,
				      &v)) {
			set_loaded(c, rt, v, size, sign, wide);
			return 0;
		}
		c->mmio = (struct a64_mmio){ true, (u8)rt, (u8)size, sign,
					     wide };
		return mmio_exit(c, pa, size, 0, false);
	}
	memcpy(&v, e->host + (va & 0xfff), size);
	set_loaded(c, rt, v, size, sign, wide);
	return 0;
}

int a64_st_reg(struct a64_cpu *c, u64 va, unsigned int size, u64 val,
	       unsigned int acc)
{
	struct a64_tlbe *e;
	u64 pa;
	int rc;

	if (((va & 0xfff) + size) > 0x1000)
		return access(c, va, &val, size, acc | ACC_WRITE);
	rc = translate(c, va, acc | ACC_WRITE, &e);
	if (rc)
		return rc;
	if (misaligned(c, e, va, size))
		return abort_exc(c, va, acc | ACC_WRITE, FSC_ALIGN);
	pa = e->pa | (va & 0xfff);
	if (!e->host || e->ro) {
		rc = check_ipa(c, va, pa, acc | ACC_WRITE);
		if (rc)
			return rc;
		if (!kvmu_io_bus_write(c->kvm, c->vcpu, KVMU_BUS_MMIO, pa,
				       size, &val))
			return 0;
		if (kvmu_coalesced_write(c->vcpu, pa, &val, size, false))
			return 0;
		c->mmio = (struct a64_mmio){ true, 31, (u8)size, false,
					     false };
		return mmio_exit(c, pa, size, val, true);
	}
	memcpy(e->host + (va & 0xfff), &val, size);
	kvmu_memslot_mark_dirty(e->slot, pa);
	return 0;
}

void a64_mmio_complete(struct a64_cpu *c)
{
	u64 v = 0;

	if (!c->mmio.pending)
		return;
	c->mmio.pending = false;
	if (!c->run->mmio.is_write) {
		memcpy(&v, c->run->mmio.data, c->mmio.size);
		set_loaded(c, c->mmio.rt, v, c->mmio.size, c->mmio.sign,
			   c->mmio.wide);
	}
	c->pc += 4;
}

void a64_at(struct a64_cpu *c, u64 va, unsigned int acc, bool el0)
{
	struct walk w = { .perm = 0x3f };
	u32 fsc = 0;
	u8 need;

	if (c->sr[SR_SCTLR_EL1] & 1)
		fsc = walk(c, va, false, &w);
	else
		w.pa = va & ~0xfffULL;
	need = el0 ? (acc == ACC_WRITE ? TLB_W0 : TLB_R0) :
		     (acc == ACC_WRITE ? TLB_W1 : TLB_R1);
	if (!fsc && !(w.perm & need))
		fsc = FSC_PERM | w.level;
	if (fsc)
		c->sr[SR_PAR_EL1] = 1 | (u64)fsc << 1;
	else
		c->sr[SR_PAR_EL1] = (w.pa & GENMASK(47, 12)) |
				    (w.dev ? 0ULL : 0xffULL << 56);
}

int a64_host_ptr(struct a64_cpu *c, u64 va, unsigned int size,
		 unsigned int acc, u8 **p)
{
	bool write = ACC_KIND(acc) == ACC_WRITE;
	struct a64_tlbe *e;
	int rc;

	if (va & (size - 1))
		return abort_exc(c, va, acc, FSC_ALIGN);
	rc = translate(c, va, acc, &e);
	if (rc)
		return rc;
	if (!e->host || (write && e->ro)) {
		u64 pa = e->pa | (va & 0xfff);

		rc = check_ipa(c, va, pa, acc);
		return rc ? rc : nisv_exit(c, pa, write);
	}
	if (write)
		kvmu_memslot_mark_dirty(e->slot, e->pa);
	*p = e->host + (va & 0xfff);
	return 0;
}
