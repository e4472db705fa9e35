// SPDX-License-Identifier: MIT
/* The fuzzer's operations on memory slots, vCPU state, system and VM ioctls. */
#define _GNU_SOURCE
#include "fz.h"


/* ---- memory slots ---- */

static const u64 slot_ids[] = {
	0, 1, 2, 3, 0x10000, 0x10001, 0x20000, 32763, 32764, 0xffff, 0x7fff,
	509, 510,
};
static const u64 gpas[] = {
	0, 0, 0x10000, 0x100000, 0xfee00000, 0xfffff000, 1ULL << 40,
	1ULL << 52, ~0ULL - 0xfff, 0x800, 0xc0000, 0xf0000,
};
static const u64 sizes[] = {
	POOL_SIZE, POOL_SIZE, PG, 2 * PG, 16 * PG, 0, 0x800, 1ULL << 30,
	0x7fffffffULL * PG, 0x80000000ULL * PG, ~0ULL - 0xfff, RO_PAGES * PG,
};
static const u64 slot_flags[] = {
	0, 0, KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY,
	KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY, KVM_MEM_GUEST_MEMFD, 8,
};

u64 pick_hva(struct fdp *f)
{
	switch (pick(f, 12)) {
	case 0: return (u64)(uintptr_t)G.ro;
	case 1: return (u64)(uintptr_t)G.none;
	case 2: return (u64)(uintptr_t)G.canary_lo;
	case 3: return 0;
	case 4: return (u64)(uintptr_t)G.pool + 0x800;
	case 5: return (1ULL << 47) - PG;
	case 6: return take(f, 8) & ~(PG - 1);
	case 7: return (u64)(uintptr_t)G.pool + pick(f, POOL_PAGES) * PG;
	default: return (u64)(uintptr_t)G.pool;
	}
}

/* Guest accesses through this slot stay inside memory the guest may own. */
bool slot_safe(u64 hva, u64 size, u32 flags)
{
	u64 pool = (u64)(uintptr_t)G.pool, ro = (u64)(uintptr_t)G.ro;

	if (hva >= pool && size <= POOL_SIZE && hva - pool <= POOL_SIZE - size)
		return true;
	return (flags & KVM_MEM_READONLY) && hva >= ro &&
	       size <= RO_PAGES * PG && hva - ro <= RO_PAGES * PG - size;
}

int set_region(int vm, const struct kvm_userspace_memory_region2 *r,
		      bool two)
{
	struct kvm_userspace_memory_region *r1;
	struct kvm_userspace_memory_region2 *r2;

	r1 = (void *)arena_tail(sizeof(*r1));
	r2 = (void *)arena_tail(sizeof(*r2));
	if (two) {
		*r2 = *r;
		return xioctl(vm, KVM_SET_USER_MEMORY_REGION2,
			      (unsigned long)r2);
	}
	memcpy(r1, r, sizeof(*r1));	/* region2 starts with region */
	return xioctl(vm, KVM_SET_USER_MEMORY_REGION, (unsigned long)r1);
}

void drop_unsafe_slot(int vm, struct kvm_userspace_memory_region2 *r)
{
	if (G.bad_hva || !r->memory_size ||
	    slot_safe(r->userspace_addr, r->memory_size, r->flags))
		return;
	r->memory_size = 0;
	if (set_region(vm, r, false))
		fz_fail("deleting slot %#x failed: errno %d", r->slot, errno);
}

void op_memslot(struct fz *z, struct fdp *f)
{
	struct kvm_userspace_memory_region2 r = { 0 };
	int vm = pick_fd(f, z->vm, MAX_VMS), kind = pick(f, 8);

	if (vm < 0)
		return;
	r.slot = (u32)CHOOSE(f, slot_ids);
	r.flags = (u32)CHOOSE(f, slot_flags);
	r.guest_phys_addr = CHOOSE(f, gpas);
	r.memory_size = CHOOSE(f, sizes);
	r.userspace_addr = pick_hva(f);
	if (kind == 7) {	/* region2's extra fields, which must be 0 */
		r.guest_memfd = (u32)take(f, 1);
		r.pad2[take(f, 1) % 14] = take(f, 1);
	}
	if (kind == 6) {
		expect_fail(xioctl(vm, KVM_SET_USER_MEMORY_REGION,
				   make_ptr(PTR_NONE, 0)),
			    KVM_SET_USER_MEMORY_REGION, "PROT_NONE");
		return;
	}
	if (!set_region(vm, &r, kind >= 4))
		drop_unsafe_slot(vm, &r);
}

/* ---- vCPU state ---- */

struct getset {
	unsigned long get, set;
};

static const struct getset vcpu_state[] = {
	{ KVM_GET_REGS, KVM_SET_REGS },
	{ KVM_GET_SREGS, KVM_SET_SREGS },
	{ KVM_GET_SREGS2, KVM_SET_SREGS2 },
	{ KVM_GET_FPU, KVM_SET_FPU },
	{ KVM_GET_XSAVE, KVM_SET_XSAVE },
	{ KVM_GET_XSAVE2, KVM_SET_XSAVE },
	{ KVM_GET_XCRS, KVM_SET_XCRS },
	{ KVM_GET_DEBUGREGS, KVM_SET_DEBUGREGS },
	{ KVM_GET_VCPU_EVENTS, KVM_SET_VCPU_EVENTS },
	{ KVM_GET_MP_STATE, KVM_SET_MP_STATE },
	{ KVM_GET_LAPIC, KVM_SET_LAPIC },
};

/* Overwrite a few fields of a valid state: deeper than random bytes. */
void mutate(struct fdp *f, u8 *buf, size_t size)
{
	unsigned int n = 1 + pick(f, 6);
	size_t off, len;

	while (n--) {
		off = take(f, 2) % size;
		len = 1 + pick(f, 8);
		if (len > size - off)
			len = size - off;
		if (pick(f, 4))
			fill(f, buf + off, len);
		else
			memset(buf + off, pick(f, 2) ? 0xff : 0, len);
	}
}

/* GET into a buffer that ends at a guard page, mutate, SET it back. */
void op_state(struct fz *z, struct fdp *f)
{
	struct fz_vcpu *c = pick_vcpu(z, f);
	const struct getset *gs = &vcpu_state[pick(f, ARRAY_SIZE(vcpu_state))];
	size_t size = _IOC_SIZE(gs->set);
	u8 *buf = arena_tail(size);
	int r, how = pick(f, 4);

	if (!c)
		return;
	r = xioctl(c->fd, gs->get,
		   (unsigned long)arena_tail(_IOC_SIZE(gs->get)));
	if (r && errno == EFAULT && gs->get != KVM_GET_XSAVE2)
		fz_fail("%s wrote past its %lu-byte argument",
			kvmu_ioctl_name(KVMU_ARCH_X86_64, gs->get),
			_IOC_SIZE(gs->get));
	if (how == 0)
		return;
	if (how == 1 || r)
		fill(f, buf, size);
	else
		mutate(f, buf, size);
	xioctl(c->fd, gs->set, (unsigned long)buf);
}

/* Typed requests on bad pointers: never a success. */
void op_badptr(struct fz *z, struct fdp *f)
{
	const struct getset *gs = &vcpu_state[pick(f, ARRAY_SIZE(vcpu_state))];
	unsigned long req = pick(f, 2) ? gs->get : gs->set;
	struct fz_vcpu *c = pick_vcpu(z, f);
	int kind = 1 + (int)pick(f, PTR_NR - 1), r;
	size_t size = _IOC_SIZE(req);

	if (!c)
		return;
	if (kind == PTR_SHORT)
		fill(f, arena_tail(size), size);
	r = xioctl(c->fd, req, make_ptr(kind, size));
	/* reading a read-only page is fine; writing it is not */
	if (kind != PTR_RO || (_IOC_DIR(req) & _IOC_READ))
		expect_fail(r, req, ptr_names[kind]);
}

static const u64 msr_idx[] = {
	0x10, 0x1b, 0x3a, 0x8b, 0xce, 0xfe, 0x174, 0x175, 0x176, 0x179,
	0x17a, 0x1a0, 0x1d9, 0x200, 0x277, 0x2ff, 0x400, 0x480, 0x6e0,
	0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
	0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103, 0xc0010000,
	0x4b564d00, 0x40000000, 0x0, 0xffffffff, 0x800,
};

/* struct kvm_msrs with n entries and a header count that may lie. */
void op_msrs(struct fz *z, struct fdp *f)
{
	static const u64 counts[] = { 0, 1, 256, 257, 1000, 0x7fffffff,
				      0xffffffff, 4096 };
	unsigned int n = pick(f, 17), i, how = pick(f, 4);
	size_t len = sizeof(struct kvm_msrs) + n * sizeof(struct kvm_msr_entry);
	struct kvm_msrs *m = (void *)arena_tail(len);
	struct fz_vcpu *c = pick_vcpu(z, f);
	int fd = how == 3 ? pick_fd(f, z->sys, MAX_SYS) : c ? c->fd : -1;
	unsigned long req = how == 1 ? KVM_SET_MSRS : KVM_GET_MSRS;
	int r;

	if (fd < 0)
		return;
	m->nmsrs = pick(f, 4) ? n : (u32)CHOOSE(f, counts);
	m->pad = pick(f, 8) ? 0 : (u32)take(f, 4);
	for (i = 0; i < n; i++) {
		m->entries[i].index = (u32)CHOOSE(f, msr_idx);
		m->entries[i].reserved = 0;
		m->entries[i].data = CHOOSE(f, any_vals);
	}
	r = xioctl(fd, req, (unsigned long)m);
	if (r >= 0 && (u32)r > m->nmsrs)
		fz_fail("MSR ioctl did %d of %u entries", r, m->nmsrs);
}

/* KVM_GET_SUPPORTED_CPUID into the arena, then GET/SET_CPUID2 from it. */
void op_cpuid(struct fz *z, struct fdp *f)
{
	static const u64 counts[] = { 0, 1, 2, 16, 64, 80, 100, 256, 257,
				      0xffffffff };
	size_t room = (ARENA_SIZE - sizeof(struct kvm_cpuid2)) /
		      sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *cp = (void *)G.arena;
	struct fz_vcpu *c = pick_vcpu(z, f);
	int sys = pick_fd(f, z->sys, MAX_SYS), how = pick(f, 4), r;
	unsigned long req;
	u32 asked;

	cp->nent = (u32)CHOOSE(f, counts);
	if (sys >= 0 && how != 3) {
		req = pick(f, 4) ? KVM_GET_SUPPORTED_CPUID :
				   KVM_GET_EMULATED_CPUID;
		asked = cp->nent;
		r = xioctl(sys, req, (unsigned long)cp);
		if (!r && cp->nent > asked)
			fz_fail("CPUID list of %u entries in room for %u",
				cp->nent, asked);
	}
	if (!c)
		return;
	if (how == 3)
		fill(f, cp->entries,
		     (size_t)pick(f, 8) * sizeof(cp->entries[0]));
	else if (cp->nent <= room && cp->nent)
		mutate(f, (u8 *)cp->entries, cp->nent * sizeof(cp->entries[0]));
	if (pick(f, 4) == 0)
		cp->nent = (u32)CHOOSE(f, counts);
	req = pick(f, 3) ? KVM_SET_CPUID2 : KVM_GET_CPUID2;
	xioctl(c->fd, req, (unsigned long)cp);
}

/* ---- system and VM ioctls ---- */

static const u64 caps[] = {
	KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, KVM_CAP_EXCEPTION_PAYLOAD,
	KVM_CAP_MSR_PLATFORM_INFO, KVM_CAP_X86_TRIPLE_FAULT_EVENT,
	KVM_CAP_COALESCED_MMIO, KVM_CAP_COALESCED_PIO, KVM_CAP_NR_VCPUS,
	KVM_CAP_MAX_VCPUS, KVM_CAP_MAX_VCPU_ID, KVM_CAP_NR_MEMSLOTS,
	KVM_CAP_MULTI_ADDRESS_SPACE, KVM_CAP_XSAVE2, KVM_CAP_SPLIT_IRQCHIP,
	KVM_CAP_X2APIC_API, KVM_CAP_HLT, KVM_CAP_DIRTY_LOG_RING, 0, 1000,
	KVM_CAP_MAX_VCPU_ID, KVM_CAP_X86_USER_SPACE_MSR,
	KVM_CAP_ENFORCE_PV_FEATURE_CPUID, KVM_CAP_SYNC_REGS, KVM_CAP_MCE,
};

/* KVM_GET_MSR_INDEX_LIST and KVM_GET_MSR_FEATURE_INDEX_LIST. */
void msr_list(struct fdp *f, int sys, unsigned long req)
{
	static const u64 counts[] = { 0, 1, 8, 64, 1023, 1024, 0xffffffff };
	struct kvm_msr_list *l = (void *)G.arena;
	int kind = pick_ptr(f), r;
	u32 asked;

	l->nmsrs = (u32)CHOOSE(f, counts);
	asked = l->nmsrs;
	if (kind != PTR_GOOD) {
		expect_fail(xioctl(sys, req, make_ptr(kind, 4)), req,
			    ptr_names[kind]);
		return;
	}
	r = xioctl(sys, req, (unsigned long)l);
	if (!r && l->nmsrs > asked)
		fz_fail("MSR list of %u entries in room for %u", l->nmsrs,
			asked);
	if (r && errno == E2BIG && l->nmsrs <= asked)
		fz_fail("E2BIG but the %u MSRs fit in %u", l->nmsrs, asked);
}

void op_sys(struct fz *z, struct fdp *f)
{
	int sys = pick_fd(f, z->sys, MAX_SYS);
	unsigned long arg = pick(f, 4) ? 0 : CHOOSE(f, any_vals);
	int r;

	if (sys < 0)
		return;
	switch (pick(f, 6)) {
	case 0:
		r = xioctl(sys, KVM_GET_API_VERSION, arg);
		if (!arg && r != 12)
			fz_fail("KVM_GET_API_VERSION = %d", r);
		break;
	case 1:
		r = xioctl(sys, KVM_GET_VCPU_MMAP_SIZE, arg);
		if (!arg && r != (int)G.map_size)
			fz_fail("KVM_GET_VCPU_MMAP_SIZE changed to %d", r);
		break;
	case 2:
		xioctl(sys, KVM_CHECK_EXTENSION, CHOOSE(f, caps));
		break;
	case 3:
		msr_list(f, sys, KVM_GET_MSR_INDEX_LIST);
		break;
	case 4:
		msr_list(f, sys, KVM_GET_MSR_FEATURE_INDEX_LIST);
		break;
	default:
		xioctl(sys, KVM_CHECK_EXTENSION, take(f, 2));
		break;
	}
}

void enable_cap(struct fdp *f, int fd)
{
	struct kvm_enable_cap *c = (void *)arena_tail(sizeof(*c));
	static const u64 args[] = { 0, 1, 2, 3, 4, ~0ULL };
	int i;

	memset(c, 0, sizeof(*c));
	c->cap = (u32)CHOOSE(f, caps);
	c->flags = pick(f, 8) ? 0 : (u32)take(f, 4);
	for (i = 0; i < 4; i++)
		c->args[i] = pick(f, 2) ? CHOOSE(f, args) : 0;
	xioctl(fd, KVM_ENABLE_CAP, (unsigned long)c);
}

void op_vm(struct fz *z, struct fdp *f)
{
	int vm = pick_fd(f, z->vm, MAX_VMS), kind;
	struct fz_vcpu *c;
	u64 *p;

	if (vm < 0)
		return;
	switch (pick(f, 5)) {
	case 0:
		enable_cap(f, vm);
		break;
	case 1:
		xioctl(vm, KVM_CHECK_EXTENSION, CHOOSE(f, caps));
		break;
	case 2:
		xioctl(vm, KVM_SET_TSS_ADDR, CHOOSE(f, any_vals));
		break;
	case 3:
		kind = pick_ptr(f);
		p = (u64 *)arena_tail(8);
		*p = CHOOSE(f, any_vals);
		xioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, make_ptr(kind, 8));
		break;
	default:
		c = pick_vcpu(z, f);
		if (c)
			enable_cap(f, c->fd);
		break;
	}
}

void op_coalesced(struct fz *z, struct fdp *f)
{
	static const u64 addrs[] = { 0x3f8, 0x80, 0xe9, 0x10000, 0x100000,
				     0xfee00000, 0, ~0ULL - 3, CODE_GPA };
	struct kvm_coalesced_mmio_zone *zn = (void *)arena_tail(sizeof(*zn));
	int vm = pick_fd(f, z->vm, MAX_VMS), kind = pick_ptr(f);
	unsigned long req;

	if (vm < 0)
		return;
	req = pick(f, 3) ? KVM_REGISTER_COALESCED_MMIO :
			   KVM_UNREGISTER_COALESCED_MMIO;
	zn->addr = CHOOSE(f, addrs);
	zn->size = (u32)CHOOSE(f, any_vals);
	zn->pio = pick(f, 8) ? pick(f, 2) : (u32)take(f, 4);
	if (kind != PTR_GOOD && kind != PTR_RO)
		expect_fail(xioctl(vm, req, make_ptr(kind, sizeof(*zn))), req,
			    ptr_names[kind]);
	else
		xioctl(vm, req, make_ptr(kind, sizeof(*zn)));
}

/* KVM_GET_DIRTY_LOG / KVM_CLEAR_DIRTY_LOG with the bitmap anywhere. */
void op_dirty(struct fz *z, struct fdp *f)
{
	static const u64 pages[] = { 0, 1, 63, 64, 128, POOL_PAGES, 4096,
				     0xffffffff };
	struct kvm_clear_dirty_log *cl = (void *)arena_tail(sizeof(*cl));
	struct kvm_dirty_log *dl = (void *)arena_tail(sizeof(*dl));
	int vm = pick_fd(f, z->vm, MAX_VMS), kind = pick_ptr(f);
	size_t len = 8 * (1 + pick(f, 4));
	/* the bitmap sits before the struct, ending where it starts */
	unsigned long bm = kind == PTR_GOOD ?
		(unsigned long)(G.arena + ARENA_SIZE - 64 - len) :
		make_ptr(kind, len);
	u32 slot = (u32)CHOOSE(f, slot_ids);

	if (vm < 0)
		return;
	if (pick(f, 2)) {
		memset(dl, 0, sizeof(*dl));
		dl->slot = slot;
		dl->dirty_bitmap = (void *)bm;
		xioctl(vm, KVM_GET_DIRTY_LOG, (unsigned long)dl);
		return;
	}
	memset(cl, 0, sizeof(*cl));
	cl->slot = slot;
	cl->first_page = CHOOSE(f, pages);
	cl->num_pages = (u32)CHOOSE(f, pages);
	cl->dirty_bitmap = (void *)bm;
	xioctl(vm, KVM_CLEAR_DIRTY_LOG, (unsigned long)cl);
}

/* ---- vCPU odds and ends ---- */

void op_vcpu_misc(struct fz *z, struct fdp *f)
{
	static const u64 lin[] = { 0, CODE_GPA, 0x1000, 0xfffffffffffff000ULL,
				   0x7ffffffff000ULL, 0x800000000000ULL,
				   POOL_SIZE, 0xfffff000 };
	struct kvm_translation *t = (void *)arena_tail(sizeof(*t));
	struct kvm_guest_debug *d = (void *)arena_tail(sizeof(*d));
	struct kvm_interrupt *irq = (void *)arena_tail(sizeof(*irq));
	struct fz_vcpu *c = pick_vcpu(z, f);

	if (!c)
		return;
	switch (pick(f, 4)) {
	case 0:
		memset(t, 0, sizeof(*t));
		t->linear_address = CHOOSE(f, lin);
		if (!xioctl(c->fd, KVM_TRANSLATE, (unsigned long)t) &&
		    t->valid > 1)
			fz_fail("KVM_TRANSLATE valid = %u", t->valid);
		break;
	case 1:
		irq->irq = pick(f, 4) ? pick(f, 256) : (u32)take(f, 4);
		xioctl(c->fd, KVM_INTERRUPT, (unsigned long)irq);
		break;
	case 2:
		xioctl(c->fd, pick(f, 2) ? KVM_NMI : KVM_SMI, 0);
		break;
	default:
		memset(d, 0, sizeof(*d));
		d->control = pick(f, 4) ? (u32)pick(f, 8) |
			     (pick(f, 2) ? KVM_GUESTDBG_ENABLE : 0) :
			     (u32)take(f, 4);
		if (pick(f, 2))
			fill(f, &d->arch, sizeof(d->arch));
		xioctl(c->fd, KVM_SET_GUEST_DEBUG, (unsigned long)d);
		break;
	}
}

/* Guest code: fuzzed bytes at the entry point or anywhere in the pool. */
void op_code(struct fdp *f)
{
	size_t len = 1 + pick(f, 64);
	size_t off = pick(f, 4) ? CODE_GPA : take(f, 2) % POOL_SIZE;

	if (len > POOL_SIZE - off)
		len = POOL_SIZE - off;
	fill(f, G.pool + off, len);
}

/* Scribble on the shared kvm_run pages, as a buggy or hostile VMM may. */
void op_scribble(struct fz *z, struct fdp *f)
{
	static const u64 offs[] = {
		0, 1, 8, 16, offsetof(struct kvm_run, io),
		offsetof(struct kvm_run, io) + 8,
		offsetof(struct kvm_run, mmio),
		offsetof(struct kvm_run, mmio) + 16,
		offsetof(struct kvm_run, kvm_valid_regs), 2 * PG, 2 * PG + 4,
		PG, 2 * PG + 8,
	};
	struct fz_vcpu *c = pick_vcpu(z, f);
	size_t off, len = 1 + pick(f, 16);

	if (!c)
		return;
	off = (size_t)CHOOSE(f, offs) % G.map_size;
	if (len > G.map_size - off)
		len = G.map_size - off;
	fill(f, (u8 *)c->run + off, len);
}

void op_close(struct fz *z, struct fdp *f)
{
	unsigned int i = pick(f, MAX_VCPUS);
	struct fz_vcpu *c;

	switch (pick(f, 4)) {
	case 0:
		if (z->sys[i % MAX_SYS] >= 0)
			close(z->sys[i % MAX_SYS]);
		z->sys[i % MAX_SYS] = -1;
		break;
	case 1:
		if (z->vm[i % MAX_VMS] >= 0)
			close(z->vm[i % MAX_VMS]);
		z->vm[i % MAX_VMS] = -1;
		break;
	default:	/* the fd, the mapping, or both */
		c = &z->cpu[i];
		if (c->fd >= 0 && pick(f, 3)) {
			close(c->fd);
			c->fd = -1;
		}
		if (c->run && pick(f, 2)) {
			munmap(c->run, G.map_size);
			c->run = NULL;
		}
		break;
	}
}

/* Objects are found by inode: a dup must behave as the original. */
void op_dup(struct fz *z, struct fdp *f)
{
	unsigned int i = pick(f, MAX_VCPUS);
	int *fd = pick(f, 2) ? &z->vm[i % MAX_VMS] : &z->cpu[i].fd;
	int nfd;

	if (*fd < 0)
		return;
	nfd = fcntl(*fd, F_DUPFD_CLOEXEC, 3 + pick(f, 64));
	if (nfd < 0)
		return;
	if (!kvmu_is_object(nfd))
		fz_fail("dup of a kvmu fd is not an object");
	close(*fd);
	*fd = nfd;
}

