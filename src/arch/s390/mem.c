// SPDX-License-Identifier: MIT
/*
 * s390x storage: absolute storage through the memory slots, prefixing,
 * dynamic address translation (region, segment and page tables; 1 MiB
 * frames with EDAT-1), low-address, DAT and key-controlled protection, and
 * a small software TLB.  Every host address comes from a memslot lookup
 * bounded by the slot's size, so a guest can never reach other host memory.
 */
#include <errno.h>
#include <string.h>

#include "s390.h"

#define PAGE_MASK_4K	(~0xfffULL)

u8 *s390_abs_host(struct kvmu_vm *vm, u64 abs, u64 len,
		  const struct kvmu_memslot **slot)
{
	const struct kvmu_memslot *m = kvmu_memslot_find(vm, 0, abs);

	if (!m || len > m->size - (abs - m->gpa))
		return NULL;
	if (slot)
		*slot = m;
	return (u8 *)(uintptr_t)(m->hva + (abs - m->gpa));
}

u8 *s390_abs_data(struct kvmu_vm *vm, u64 abs, u64 len,
		  const struct kvmu_memslot **slot)
{
	u8 *p = s390_abs_host(vm, abs, len, slot);

	if (!p || !s390_pv(s390_vm(vm)))
		return p;
	/* a protected guest's page lives in the UV: one page at a time */
	if ((abs & 0xfff) + len > 4096 ||
	    s390_pv_page(vm, abs & ~0xfffULL, &p))
		return NULL;
	return p + (abs & 0xfff);
}

u64 s390_real_to_abs(u32 prefix, u64 real)
{
	u64 p = prefix;

	if (real < 0x2000)
		return real + p;
	if (real >= p && real < p + 0x2000)
		return real - p;
	return real;
}

void s390_tlb_flush(struct s390_cpu *c)
{
	memset(c->tlb, 0, sizeof(c->tlb));
}

/* Read one 8-byte DAT table entry at absolute address a. */
static int table_entry(struct s390_cpu *c, u64 a, u64 *e)
{
	u8 *p = s390_abs_data(c->kvm, a, 8, NULL);

	if (!p)
		return PGM_ADDRESSING;
	*e = be64(p);
	return 0;
}

/* The ASCE the current address space uses, and its 2-bit id. */
static u64 current_asce(struct s390_cpu *c, u64 *id)
{
	switch (c->mask & PSW_AS) {
	case PSW_AS_SECONDARY:
		*id = 2;
		return c->crs[7];
	case PSW_AS_HOME:
		*id = 3;
		return c->crs[13];
	default:
		/* AR mode is treated as primary (ALET 0 only) */
		*id = c->mask & PSW_AS ? 1 : 0;
		return c->crs[1];
	}
}

/* Walk region tables from level lvl (3: first .. 1: third) to segment. */
static int walk_regions(struct s390_cpu *c, u64 la, int lvl, u64 origin,
			u64 *sto, bool *prot)
{
	static const u8 codes[4] = { 0, PGM_REGION3, PGM_REGION2,
				     PGM_REGION1 };
	u64 e, idx, next;

	for (; lvl >= 1; lvl--) {
		idx = (la >> (20 + 11 * lvl)) & 0x7ff;
		TRY(table_entry(c, origin + idx * 8, &e));
		if (e & 0x20)
			return codes[lvl];
		if (((e >> 2) & 3) != (u64)lvl)
			return PGM_TRANS_SPEC;
		if (e & 0x200)
			*prot = true;
		next = (la >> (20 + 11 * (lvl - 1))) & 0x7ff;
		if ((next >> 9) < ((e >> 6) & 3) || (next >> 9) > (e & 3))
			return lvl > 1 ? codes[lvl - 1] : PGM_SEGMENT;
		origin = e & PAGE_MASK_4K;
	}
	*sto = origin;
	return 0;
}

/* Find the first table of asce and check the address fits it. */
static int asce_start(struct s390_cpu *c, u64 asce, u64 la, u64 *sto,
		      bool *prot)
{
	static const u8 codes[4] = { PGM_SEGMENT, PGM_REGION3, PGM_REGION2,
				     PGM_REGION1 };
	int dt = (int)((asce >> 2) & 3);
	u64 top = (la >> (20 + 11 * dt)) & 0x7ff;

	if (dt < 3 && (la >> (31 + 11 * dt)))
		return PGM_ASCE_TYPE;
	if ((top >> 9) > (asce & 3))
		return codes[dt];
	return walk_regions(c, la, dt, asce & PAGE_MASK_4K, sto, prot);
}

/* DAT proper: logical address to real address. */
static int dat(struct s390_cpu *c, u64 la, u64 *real, bool *prot)
{
	u64 id, asce = current_asce(c, &id), sto = 0, ste, pte;

	c->teid = (la & PAGE_MASK_4K) | id;
	if (asce & 0x20) {			/* real-space designation */
		*real = la;
		return 0;
	}
	TRY(asce_start(c, asce, la, &sto, prot));
	TRY(table_entry(c, sto + ((la >> 20) & 0x7ff) * 8, &ste));
	if (ste & 0x20)
		return PGM_SEGMENT;
	if (ste & 0xc)
		return PGM_TRANS_SPEC;
	if (ste & 0x200)
		*prot = true;
	if ((ste & 0x400) && (c->crs[0] & CR0_EDAT) &&
	    s390_fac(c->vm, FAC_EDAT1)) {
		*real = (ste & ~0xfffffULL) | (la & 0xfffff);
		return 0;
	}
	TRY(table_entry(c, (ste & ~0x7ffULL) + ((la >> 12) & 0xff) * 8,
			&pte));
	if (pte & 0x400)
		return PGM_PAGE;
	if (pte & 0x800)
		return PGM_TRANS_SPEC;
	if (pte & 0x200)
		*prot = true;
	*real = (pte & PAGE_MASK_4K) | (la & 0xfff);
	return 0;
}

int s390_translate(struct s390_cpu *c, u64 la, enum s390_acc acc, u64 *abs,
		   bool *dat_prot)
{
	bool prot = false;
	u64 real = la;

	(void)acc;
	if (c->mask & PSW_DAT)
		TRY(dat(c, la, &real, &prot));
	*abs = s390_real_to_abs(c->prefix, real);
	if (dat_prot)
		*dat_prot = prot;
	return 0;
}

static bool low_address(u64 la)
{
	return la < 512 || (la >= 4096 && la < 4096 + 512);
}

/* Key-controlled protection for one access to frame abs. */
static int check_key(struct s390_cpu *c, u64 abs, u64 la, enum s390_acc acc,
		     int key)
{
	u8 sk = s390_key_get(c->vm, abs), acc_ctl = sk >> 4;

	if (!key || acc_ctl == key)
		return 0;
	if ((c->crs[0] & CR0_SPO) && acc_ctl == 9)
		return 0;
	if (acc != ACC_STORE) {
		if (!(sk & 0x08))
			return 0;
		if ((c->crs[0] & CR0_FPO) && la < 2048)
			return 0;
	}
	c->teid = (la & PAGE_MASK_4K) | 4;	/* ESOP: b61 set */
	return PGM_PROTECTION;
}

/* Resolve the page of la: host page address, absolute page. */
static int page(struct s390_cpu *c, u64 la, enum s390_acc acc, u8 **host,
		u64 *abs, const struct kvmu_memslot **slot)
{
	int w = acc == ACC_STORE;
	u64 tag = s390_tlb_tag(c, la), a;
	struct s390_tlbe *t = &c->tlb[w][(la >> 12) % S390_TLB_SIZE];
	bool prot;

	if (t->tag == tag) {
		*host = t->host;
		*abs = t->abs;
		*slot = t->slot;
		return 0;
	}
	TRY(s390_translate(c, la, acc, &a, &prot));
	if (w && prot) {
		c->teid = (la & PAGE_MASK_4K) | 4 | (c->teid & 3);
		return PGM_PROTECTION;
	}
	a &= PAGE_MASK_4K;
	*host = s390_abs_host(c->kvm, a, 4096, slot);
	if (!*host)
		return PGM_ADDRESSING;
	if (s390_pv(c->vm))		/* 0, PGM_ADDRESSING or -EFAULT */
		TRY(s390_pv_page(c->kvm, a, host));
	*abs = a;
	*t = (struct s390_tlbe){ .tag = tag, .abs = a, .host = *host,
				 .slot = *slot };
	return 0;
}

struct span {
	u8 *host;
	u64 abs;
	u64 n;
	const struct kvmu_memslot *slot;
};

/* Check one page-bounded piece of an access and resolve it. */
static int piece(struct s390_cpu *c, u64 la, u64 n, enum s390_acc acc,
		 int key, struct span *s)
{
	u8 *h;

	if (acc == ACC_STORE && (c->crs[0] & CR0_LAP) && low_address(la)) {
		c->teid = la & PAGE_MASK_4K;
		return PGM_PROTECTION;
	}
	TRY(page(c, la, acc, &h, &s->abs, &s->slot));
	if (key)
		TRY(check_key(c, s->abs, la, acc, key));
	s->host = h + (la & 0xfff);
	s->n = n;
	return 0;
}

static void mark(struct s390_cpu *c, const struct span *s, enum s390_acc acc)
{
	if (atomic_load_explicit(&c->vm->skeys_enabled,
				 memory_order_relaxed))
		s390_key_or(c->vm, s->abs, acc == ACC_STORE ? 0x06 : 0x04);
	if (acc == ACC_STORE) {
		kvmu_memslot_mark_dirty(s->slot, s->abs);
		s390_code_store(c, s->abs);
	}
}

/* Up to 4 KiB + 4 KiB per call: the pieces are checked before any copy. */
static int access_chunk(struct s390_cpu *c, u64 la, u8 *buf, u64 len,
			enum s390_acc acc, int key)
{
	struct span s[2];
	u64 first = 4096 - (la & 0xfff), la2;
	int i, n = 1;

	if (first >= len) {
		TRY(piece(c, la, len, acc, key, &s[0]));
	} else {
		la2 = s390_wrap(c, la + first);
		TRY(piece(c, la, first, acc, key, &s[0]));
		TRY(piece(c, la2, len - first, acc, key, &s[1]));
		n = 2;
	}
	for (i = 0; i < n; i++) {
		if (buf && acc == ACC_STORE)
			memcpy(s[i].host, buf, s[i].n);
		else if (buf)
			memcpy(buf, s[i].host, s[i].n);
		if (buf) {
			buf += s[i].n;
			mark(c, &s[i], acc);
		}
	}
	return 0;
}

int s390_access(struct s390_cpu *c, u64 la, void *buf, u64 len,
		enum s390_acc acc, int key)
{
	u8 *p = buf;

	if (key < 0)
		key = (int)((c->mask & PSW_KEY) >> PSW_KEY_SHIFT);
	while (len) {
		u64 n = len > 4096 ? 4096 : len;

		TRY(access_chunk(c, la, p, n, acc, key));
		la = s390_wrap(c, la + n);
		if (p)
			p += n;
		len -= n;
	}
	return 0;
}

/* Absolute storage page by page: a protected guest's pages are apart. */
static int abs_copy(struct s390_cpu *c, u64 abs, u8 *buf, u64 len,
		    bool store)
{
	const struct kvmu_memslot *slot;
	u64 n;
	u8 *p;

	if (!s390_abs_host(c->kvm, abs, len, NULL))
		return -EFAULT;
	for (; len; abs += n, buf += n, len -= n) {
		n = 4096 - (abs & 0xfff);
		n = n > len ? len : n;
		p = s390_abs_data(c->kvm, abs, n, &slot);
		if (!p)
			return -EFAULT;
		if (store) {
			memcpy(p, buf, n);
			kvmu_memslot_mark_dirty(slot, abs);
			s390_code_store(c, abs);
		} else {
			memcpy(buf, p, n);
		}
	}
	return 0;
}

int s390_abs_read(struct s390_cpu *c, u64 abs, void *buf, u64 len)
{
	return abs_copy(c, abs, buf, len, false);
}

int s390_abs_write(struct s390_cpu *c, u64 abs, const void *buf, u64 len)
{
	return abs_copy(c, abs, (u8 *)buf, len, true);
}

int s390_lc_read(struct s390_cpu *c, u32 off, void *buf, u64 len)
{
	return s390_abs_read(c, (u64)c->prefix + off, buf, len);
}

int s390_lc_write(struct s390_cpu *c, u32 off, const void *buf, u64 len)
{
	return s390_abs_write(c, (u64)c->prefix + off, buf, len);
}
