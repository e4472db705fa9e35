// SPDX-License-Identifier: MIT
/*
 * Guest memory: segmentation (real, protected, compatibility and 64-bit
 * modes), accesses split at page boundaries, and guest-physical access
 * through the memory slots.  Whatever is outside the slots, and writes to
 * read-only slots, is MMIO: offered to the VM's MMIO bus (in-kernel devices,
 * ioeventfds) first, else it goes to user space as KVM_EXIT_MMIO: a read
 * leaves the instruction unretired until the next KVM_RUN supplies the
 * data (cpu->mmio_done); writes are queued and handed out once the
 * instruction has retired, one fragment of at most 8 bytes per exit.  REP
 * string instructions retire element by element (exec_str.c, exec_io.c),
 * so the queue and the completed reads stay bounded at any count.
 */
#include <string.h>

#include "arch/x86/fastmem.h"

static enum x86_status seg_fault(struct x86_cpu *cpu, int seg)
{
	return x86_raise(cpu, seg == X86_SS ? X86_SS_VEC : X86_GP, 0);
}

/* Limit and type checks of a protected-mode segment. */
static enum x86_status prot_check(struct x86_cpu *cpu, int seg, u64 off,
				  u32 size, int acc)
{
	const struct x86_seg *s = &cpu->seg[seg];
	u64 last = off + size - 1, max;
	int kind = acc & 3;

	if (s->unusable)
		return seg_fault(cpu, seg);
	if (kind == X86_ACC_WRITE && ((s->type & 8) || !(s->type & 2)))
		return seg_fault(cpu, seg);
	if (kind == X86_ACC_READ && (s->type & 8) && !(s->type & 2))
		return seg_fault(cpu, seg);
	if (!(s->type & 8) && (s->type & 4)) {
		/* expand-down: valid offsets are (limit, max] */
		max = s->db ? 0xffffffffULL : 0xffffULL;
		if (off <= s->limit || last > max)
			return seg_fault(cpu, seg);
		return X86_OK;
	}
	if (last > s->limit || last < off)
		return seg_fault(cpu, seg);
	return X86_OK;
}

enum x86_status x86_seg_linear(struct x86_cpu *cpu, int seg, u64 off,
			       u32 size, int acc, u64 *lin)
{
	const struct x86_seg *s = &cpu->seg[seg];
	enum x86_status st;
	u64 a;

	if (cpu->mode == X86_MODE_LONG64) {
		a = off + (seg == X86_FS || seg == X86_GS ? s->base : 0);
		if (!x86_canonical(a) || !x86_canonical(a + size - 1))
			return seg_fault(cpu, seg);
		*lin = a;
		return X86_OK;
	}
	if (cpu->mode == X86_MODE_REAL || cpu->mode == X86_MODE_VM86) {
		if (off + size - 1 > s->limit)
			return seg_fault(cpu, seg);
	} else {
		st = prot_check(cpu, seg, off, size, acc);
		if (st != X86_OK)
			return st;
	}
	*lin = (s->base + off) & 0xffffffffULL;
	return X86_OK;
}

/*
 * The slot of gpa.  Page walks and fetches look up the same few slots
 * again and again: the last one found is remembered, with the slots'
 * generation.  A running vCPU acknowledges every slot change before the
 * old slots are freed, but an ioctl outside KVM_RUN (KVM_TRANSLATE, say)
 * does not: the generation tells it that the remembered slot may be gone.
 */
const struct kvmu_memslot *x86_slot_of(struct x86_cpu *cpu, u64 gpa)
{
	/* kvm_arch_vcpu_memslots_id: SMM sees address space 1 */
	int as = cpu->m.smm;
	struct kvmu_vm *vm = cpu->vcpu->vm;
	u64 gen = __atomic_load_n(&vm->slots_generation, __ATOMIC_ACQUIRE);
	const struct kvmu_memslot *m = cpu->slot_last;

	if (m && cpu->slot_gen == gen && cpu->slot_as == as &&
	    gpa - m->gpa < m->size)
		return m;
	m = kvmu_memslot_find(vm, as, gpa);
	if (m) {
		cpu->slot_last = m;
		cpu->slot_as = as;
		cpu->slot_gen = gen;
	}
	return m;
}

u8 *x86_phys_ptr(struct x86_cpu *cpu, u64 gpa, u32 size, bool write)
{
	const struct kvmu_memslot *m = x86_slot_of(cpu, gpa);

	if (!m || gpa + size > m->gpa + m->size || gpa + size < gpa)
		return NULL;
	/*
	 * The plane may not read/write it: an in-kernel access (Hyper-V
	 * pages, SMM state save) is not made, as on a read-only slot.
	 * Guest accesses have exited in x86_translate before this.
	 */
	if (x86_plane_kernel_denied(cpu, gpa, size,
				    write ? X86_ACC_WRITE : X86_ACC_READ, false))
		return NULL;
	if (write) {
		if (m->flags & KVM_MEM_READONLY)
			return NULL;
		kvmu_memslot_mark_dirty(m, gpa);
		if (((gpa + size - 1) ^ gpa) >> KVMU_PAGE_SHIFT)
			kvmu_memslot_mark_dirty(m, gpa + size - 1);
		x86_code_store(cpu, gpa, size);
	}
	return (u8 *)(uintptr_t)(m->hva + (gpa - m->gpa));
}

/* A completed MMIO read of this instruction, consumed once. */
static bool mmio_done(struct x86_cpu *cpu, u64 gpa, u32 len, void *val)
{
	int i;

	for (i = 0; i < cpu->nr_mmio_done; i++) {
		struct x86_io_pending *d = &cpu->mmio_done[i];

		if (d->valid && d->addr == gpa && d->len == len) {
			memcpy(val, d->data, len);
			d->valid = false;
			return true;
		}
	}
	return false;
}

static enum x86_status mmio_read(struct x86_cpu *cpu, u64 gpa, u8 *val,
				 u32 size)
{
	struct kvm_run *run = cpu->run;
	u32 n;

	for (; size; size -= n, gpa += n, val += n) {
		n = size > 8 ? 8 : size;
		if (mmio_done(cpu, gpa, n, val) ||
		    !kvmu_io_bus_read(cpu->vcpu->vm, cpu->vcpu, KVMU_BUS_MMIO,
				      gpa, n, val))
			continue;
		run->exit_reason = KVM_EXIT_MMIO;
		run->mmio.phys_addr = gpa;
		run->mmio.len = n;
		run->mmio.is_write = 0;
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
		cpu->io.valid = false;
		cpu->io.is_pio = false;
		cpu->io.addr = gpa;
		cpu->io.len = n;
		cpu->io_wait = X86_WAIT_MMIO_READ;
		return X86_EXIT;
	}
	return X86_OK;
}

static enum x86_status mmio_write(struct x86_cpu *cpu, u64 gpa,
				  const u8 *val, u32 size)
{
	u32 n;

	for (; size; size -= n, gpa += n, val += n) {
		u64 *q, data = 0;

		n = size > 8 ? 8 : size;
		memcpy(&data, val, n);
		if (!kvmu_io_bus_write(cpu->vcpu->vm, cpu->vcpu, KVMU_BUS_MMIO,
				       gpa, n, val) ||
		    kvmu_coalesced_write(cpu->vcpu, gpa, val, n, false))
			continue;
		if (cpu->nr_mmio_writes >= (int)ARRAY_SIZE(cpu->mmio_write_queue))
			return x86_emulation_failure(cpu, NULL);
		q = cpu->mmio_write_queue[cpu->nr_mmio_writes++];
		q[0] = gpa;
		q[1] = n;
		q[2] = data;
	}
	return X86_OK;
}

bool x86_mmio_next_write(struct x86_cpu *cpu)
{
	struct kvm_run *run = cpu->run;
	u64 *q = cpu->mmio_write_queue[0];

	if (!cpu->nr_mmio_writes)
		return false;
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = q[0];
	run->mmio.len = (u32)q[1];
	run->mmio.is_write = 1;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	memcpy(run->mmio.data, &q[2], 8);
	cpu->nr_mmio_writes--;
	memmove(cpu->mmio_write_queue[0], cpu->mmio_write_queue[1],
		(size_t)cpu->nr_mmio_writes * sizeof(cpu->mmio_write_queue[0]));
	cpu->io_wait = cpu->nr_mmio_writes ? X86_WAIT_MMIO_WRITE :
					     X86_WAIT_NONE;
	return true;
}

/*
 * Aligned accesses of 2, 4 and 8 bytes are single-copy atomic on x86
 * (SDM 9.1.1): other vCPU threads must never see half of a store.
 * memcpy makes no such promise, so these go through one atomic access.
 */
static void copy_in(void *val, const u8 *p, u32 size)
{
	if (size == 8 && !((uintptr_t)p & 7)) {
		u64 v = __atomic_load_n((const u64 *)p, __ATOMIC_RELAXED);

		memcpy(val, &v, 8);
	} else if (size == 4 && !((uintptr_t)p & 3)) {
		u32 v = __atomic_load_n((const u32 *)p, __ATOMIC_RELAXED);

		memcpy(val, &v, 4);
	} else if (size == 2 && !((uintptr_t)p & 1)) {
		u16 v = __atomic_load_n((const u16 *)p, __ATOMIC_RELAXED);

		memcpy(val, &v, 2);
	} else {
		memcpy(val, p, size);
	}
}

static void copy_out(u8 *p, const void *val, u32 size)
{
	u64 v = 0;

	if (size == 8 && !((uintptr_t)p & 7)) {
		memcpy(&v, val, 8);
		__atomic_store_n((u64 *)p, v, __ATOMIC_RELAXED);
	} else if (size == 4 && !((uintptr_t)p & 3)) {
		memcpy(&v, val, 4);
		__atomic_store_n((u32 *)p, (u32)v, __ATOMIC_RELAXED);
	} else if (size == 2 && !((uintptr_t)p & 1)) {
		memcpy(&v, val, 2);
		__atomic_store_n((u16 *)p, (u16)v, __ATOMIC_RELAXED);
	} else {
		memcpy(p, val, size);
	}
}

/* Split [gpa, gpa+size) by slot; RAM pieces copied, the rest is MMIO. */
enum x86_status x86_read_phys(struct x86_cpu *cpu, u64 gpa, void *val,
			      u32 size)
{
	u8 *out = val;

	while (size) {
		const struct kvmu_memslot *m = x86_slot_of(cpu, gpa);
		u32 n = size;

		if (!m)
			return mmio_read(cpu, gpa, out, size);
		if (gpa + n > m->gpa + m->size)
			n = (u32)(m->gpa + m->size - gpa);
		copy_in(out, (u8 *)(uintptr_t)(m->hva + (gpa - m->gpa)), n);
		out += n;
		gpa += n;
		size -= n;
	}
	return X86_OK;
}

enum x86_status x86_write_phys(struct x86_cpu *cpu, u64 gpa,
			       const void *val, u32 size)
{
	const u8 *in = val;

	while (size) {
		const struct kvmu_memslot *m = x86_slot_of(cpu, gpa);
		u32 n = size;

		if (!m)
			return mmio_write(cpu, gpa, in, size);
		if (gpa + n > m->gpa + m->size)
			n = (u32)(m->gpa + m->size - gpa);
		if (m->flags & KVM_MEM_READONLY) {
			enum x86_status st = mmio_write(cpu, gpa, in, n);

			if (st != X86_OK)
				return st;
		} else {
			copy_out((u8 *)(uintptr_t)(m->hva + (gpa - m->gpa)),
				 in, n);
			kvmu_memslot_mark_dirty(m, gpa);
			kvmu_memslot_mark_dirty(m, gpa + n - 1);
			x86_code_store(cpu, gpa, n);
		}
		in += n;
		gpa += n;
		size -= n;
	}
	return X86_OK;
}

/* Translate both pages of an access before touching either. */
static enum x86_status translate2(struct x86_cpu *cpu, u64 lin, u32 size,
				  int acc, u64 gpa[2], u32 *first)
{
	u32 in_page = (u32)(KVMU_PAGE_SIZE - (lin & (KVMU_PAGE_SIZE - 1)));
	enum x86_status st;
	u64 lin2;

	*first = size <= in_page ? size : in_page;
	st = x86_translate(cpu, lin, acc, &gpa[0]);
	if (st != X86_OK || *first == size)
		return st;
	lin2 = lin + *first;
	if (cpu->mode != X86_MODE_LONG64)
		lin2 &= 0xffffffffULL;
	return x86_translate(cpu, lin2, acc, &gpa[1]);
}

enum x86_status x86_read_lin(struct x86_cpu *cpu, u64 lin, void *val,
			     u32 size, int acc)
{
	enum x86_status st;
	u64 gpa[2];
	u32 first;
	u8 *p;

	if (x86_dbg_armed(cpu) && !(acc & (X86_ACC_IMPLICIT | X86_ACC_EXEC)))
		x86_dbg_access(cpu, lin, size, false);
	if (!(acc & (X86_ACC_USER | X86_ACC_IMPLICIT)) && (acc & 3) == 0) {
		p = x86_tlb_fast(cpu, lin, size, false);
		if (p) {
			copy_in(val, p, size);
			return X86_OK;
		}
	}
	st = translate2(cpu, lin, size, acc, gpa, &first);
	if (st != X86_OK)
		return st;
	st = x86_read_phys(cpu, gpa[0], val, first);
	if (st != X86_OK || first == size)
		return st;
	return x86_read_phys(cpu, gpa[1], (u8 *)val + first, size - first);
}

enum x86_status x86_write_lin(struct x86_cpu *cpu, u64 lin, const void *val,
			      u32 size, int acc)
{
	enum x86_status st;
	u64 gpa[2];
	u32 first;
	u8 *p;

	acc = (acc & ~3) | X86_ACC_WRITE;
	if (x86_dbg_armed(cpu) && !(acc & X86_ACC_IMPLICIT))
		x86_dbg_access(cpu, lin, size, true);
	if (!(acc & (X86_ACC_USER | X86_ACC_IMPLICIT))) {
		p = x86_tlb_fast(cpu, lin, size, true);
		if (p) {
			copy_out(p, val, size);
			return X86_OK;
		}
	}
	st = translate2(cpu, lin, size, acc, gpa, &first);
	if (st != X86_OK)
		return st;
	st = x86_write_phys(cpu, gpa[0], val, first);
	if (st != X86_OK || first == size)
		return st;
	return x86_write_phys(cpu, gpa[1], (const u8 *)val + first,
			      size - first);
}

enum x86_status x86_read(struct x86_cpu *cpu, int seg, u64 off, void *val,
			 u32 size)
{
	enum x86_status st;
	u64 lin;

	st = x86_seg_linear(cpu, seg, off, size, X86_ACC_READ, &lin);
	if (st != X86_OK)
		return st;
	return x86_read_lin(cpu, lin, val, size, X86_ACC_READ);
}

enum x86_status x86_write(struct x86_cpu *cpu, int seg, u64 off,
			  const void *val, u32 size)
{
	enum x86_status st;
	u64 lin;

	st = x86_seg_linear(cpu, seg, off, size, X86_ACC_WRITE, &lin);
	if (st != X86_OK)
		return st;
	return x86_write_lin(cpu, lin, val, size, X86_ACC_WRITE);
}
