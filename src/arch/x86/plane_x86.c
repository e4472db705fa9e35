// SPDX-License-Identifier: MIT
/*
 * The x86 side of VM planes (April 2025 RFC): which ioctls a plane vCPU
 * serves, CPUID inherited from plane 0, the shared FPU of
 * KVM_CAP_PLANES_FPU, pending events for req_exit_planes, KVM_SIGNAL_MSI
 * on a plane fd, and the per-plane memory attribute checks on guest
 * accesses.  Each plane vCPU has a whole struct x86_cpu of its own
 * (registers, control registers, MSRs, local APIC, events, caches).
 */
#include <errno.h>
#include <string.h>

#include "arch/x86/x86_int.h"
#include "arch/x86/irqchip.h"
#include "plane.h"

/* The RFC's list for non-zero planes; everything else is EINVAL. */
static const unsigned int plane_vcpu_ioctls[] = {
	KVM_GET_DEBUGREGS, KVM_SET_DEBUGREGS,
	KVM_GET_FPU, KVM_SET_FPU,
	KVM_GET_LAPIC, KVM_SET_LAPIC,
	KVM_GET_MSRS, KVM_SET_MSRS,
	KVM_GET_NESTED_STATE, KVM_SET_NESTED_STATE,
	KVM_GET_ONE_REG, KVM_SET_ONE_REG,
	KVM_GET_REGS, KVM_SET_REGS,
	KVM_GET_SREGS, KVM_SET_SREGS,
	KVM_GET_SREGS2, KVM_SET_SREGS2,
	KVM_GET_VCPU_EVENTS, KVM_SET_VCPU_EVENTS,
	KVM_GET_XCRS, KVM_SET_XCRS,
	KVM_GET_XSAVE, KVM_GET_XSAVE2, KVM_SET_XSAVE,
	KVM_GET_REG_LIST, KVM_TRANSLATE,
};

/* The ioctls that read or write FPU state (a shared FPU follows them). */
static const unsigned int fpu_ioctls[] = {
	KVM_GET_FPU, KVM_SET_FPU, KVM_GET_XSAVE, KVM_GET_XSAVE2,
	KVM_SET_XSAVE,
};

static bool in_list(const unsigned int *l, size_t n, unsigned int cmd)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (l[i] == cmd)
			return true;
	return false;
}

static bool x86_plane_vcpu_ioctl_ok(unsigned int cmd)
{
	return in_list(plane_vcpu_ioctls, ARRAY_SIZE(plane_vcpu_ioctls), cmd);
}

/* CPUID is plane 0's: copied at creation, then locked as after KVM_RUN. */
static int x86_plane_vcpu_init(struct kvmu_vcpu *v, struct kvmu_vcpu *vcpu0)
{
	struct x86_cpu *cpu = x86_cpu_of(v), *c0 = x86_cpu_of(vcpu0);

	memcpy(cpu->cpuid, c0->cpuid, sizeof(cpu->cpuid));
	cpu->nr_cpuid = c0->nr_cpuid;
	cpu->cpuid_set = c0->cpuid_set;
	cpu->maxphy = 0;
	cpu->has_run = c0->has_run = true;
	if (cpu->apic)
		cpu->apic->tsc_deadline_ok = c0->apic && c0->apic->tsc_deadline_ok;
	x86_tlb_flush(cpu);
	return 0;
}

/*
 * With KVM_CAP_PLANES_FPU the planes of an id share one FPU: the plane
 * that last ran or touched it holds the current copy, which moves to the
 * next plane that needs it.  PKRU would stay per plane; kvmu's guests
 * have no PKU (XCR0 is x87|SSE), so there is no PKRU to keep apart.
 */
static void x86_plane_sync(struct kvmu_vcpu *v, unsigned int cmd)
{
	struct kvmu_vcpu *v0 = kvmu_vcpu_runner(v);
	struct kvmu_vcpu_planes *pl = v0->planes;
	struct kvmu_vcpu *owner;

	if (!pl || !v->vm->planes || !v->vm->planes->fpu_shared)
		return;
	if (cmd && !in_list(fpu_ioctls, ARRAY_SIZE(fpu_ioctls), cmd))
		return;
	if (pl->fpu_owner == v->plane)
		return;
	owner = pl->v[pl->fpu_owner];
	if (owner)
		x86_cpu_of(v)->fpu = x86_cpu_of(owner)->fpu;
	pl->fpu_owner = v->plane;
}

static int x86_plane_enable_fpu(struct kvmu_vm *vm, u64 arg)
{
	struct kvmu_vm_planes *vp;

	if (arg > 1)
		return -EINVAL;
	vp = kvmu_vm_planes_get(vm);	/* the caller holds vm->lock */
	if (!vp)
		return -ENOMEM;
	if (vp->nr_plane_vcpus)
		return -EBUSY;		/* only before any plane vCPU */
	vp->fpu_shared = arg;
	return 0;
}

static bool x86_plane_pending(struct kvmu_vcpu *v)
{
	struct x86_cpu *cpu = x86_cpu_of(v);

	if (!cpu)
		return false;
	if (cpu->nmi_pending || cpu->interrupt.injected)
		return true;
	if (!cpu->apic)
		return cpu->pending_extint >= 0;
	return atomic_load(&cpu->apic->nmi) ||
	       x86_lapic_has_interrupt(cpu->apic) >= 0;
}

u64 x86_plane_timers(struct x86_cpu *cpu, u64 now)
{
	struct kvmu_vcpu *v0 = kvmu_vcpu_runner(cpu->vcpu);
	u16 req = cpu->vcpu->plane_req;
	u64 next = 0;
	int i;

	/*
	 * Only the planes req_exit_planes names: the others' timers
	 * catch up when they next run, as a halted vCPU's do.
	 */
	for (i = 0; req && i < KVMU_MAX_PLANES; i++, req >>= 1) {
		struct kvmu_vcpu *v = (req & 1) ? kvmu_plane_vcpu(v0, i) : NULL;
		struct x86_cpu *c = v ? x86_cpu_of(v) : NULL;
		u64 d;

		if (!c || !c->apic || c == cpu)
			continue;
		d = x86_lapic_timer(c->apic, now);
		if (d && (!next || d < next))
			next = d;
	}
	return next;
}

/* KVM_SIGNAL_MSI on a plane fd: that plane's local APICs only. */
static int x86_plane_msi(struct kvmu_vm *vm, int plane,
			 const struct kvm_msi *m)
{
	struct x86_apic_irq irq = {
		.dest = (m->address_lo >> 12) & 0xff,
		.dest_mode = (m->address_lo >> 2) & 1,
		.vector = (u8)m->data,
		.delivery_mode = (m->data >> 8) & 7,
		.trig_mode = (m->data >> 15) & 1,
		.level = 1,
	};
	int i, n = atomic_load(&vm->nr_vcpus), ret = -1;
	bool lowest = irq.delivery_mode == X86_DM_LOWEST;

	for (i = 0; i < n; i++) {
		struct kvmu_vcpu *v = vm->vcpus[i];
		struct x86_cpu *cpu;

		v = v ? kvmu_plane_vcpu(v, plane) : NULL;
		cpu = v ? x86_cpu_of(v) : NULL;
		if (!cpu || !cpu->apic || !x86_lapic_hw_enabled(cpu->apic) ||
		    !x86_lapic_match(cpu->apic, NULL, &irq))
			continue;
		ret = (ret < 0 ? 0 : ret) + x86_lapic_accept(cpu->apic, &irq);
		if (lowest)
			break;		/* the first match, as a hash would */
	}
	return ret;
}

/* ---- memory attributes on guest accesses ---- */

void x86_plane_attrs_refresh(struct x86_cpu *cpu)
{
	cpu->mem_attrs = kvmu_memattr_any(cpu->vcpu->vm, cpu->vcpu->plane);
}

bool x86_plane_page_restricted(struct x86_cpu *cpu, u64 gpa)
{
	return kvmu_memattr_get(cpu->vcpu->vm, cpu->vcpu->plane, gpa) != 0;
}

/* The exit flag of an access acc to gpa the plane may not make, or 0. */
static u64 denied(struct x86_cpu *cpu, u64 gpa, int acc)
{
	u64 a = kvmu_memattr_get(cpu->vcpu->vm, cpu->vcpu->plane, gpa);

	if (likely(!a))
		return 0;
	switch (acc & 3) {
	case X86_ACC_WRITE:
		return a & KVMU_MEMORY_ATTRIBUTE_NW ?
		       KVMU_MEMORY_EXIT_FLAG_WRITE : 0;
	case X86_ACC_EXEC:
		return a & KVMU_MEMORY_ATTRIBUTE_NX ?
		       KVMU_MEMORY_EXIT_FLAG_EXEC : 0;
	default:
		return a & KVMU_MEMORY_ATTRIBUTE_NR ?
		       KVMU_MEMORY_EXIT_FLAG_READ : 0;
	}
}

enum x86_status x86_plane_mem_check(struct x86_cpu *cpu, u64 gpa, int acc)
{
	u64 flag = denied(cpu, gpa, acc), *mf;

	if (!flag)
		return X86_OK;
	/* KVM_EXIT_MEMORY_FAULT {flags, gpa, size}; KVM_RUN gives EFAULT */
	mf = (u64 *)((u8 *)cpu->run + KVMU_RUN_EXIT_OFFSET);
	cpu->run->exit_reason = KVM_EXIT_MEMORY_FAULT;
	mf[0] = flag;
	mf[1] = gpa & ~(KVMU_PAGE_SIZE - 1);
	mf[2] = KVMU_PAGE_SIZE;
	cpu->mem_fault = true;
	return X86_EXIT;
}

static bool page_denied(struct x86_cpu *cpu, u64 gpa, int acc, bool report)
{
	if (report)
		return x86_plane_mem_check(cpu, gpa, acc) != X86_OK;
	return denied(cpu, gpa, acc) != 0;
}

bool x86_plane_kernel_denied(struct x86_cpu *cpu, u64 gpa, u32 len, int acc,
			     bool report)
{
	u64 last = gpa + (len ? len - 1 : 0);

	/* mem_attrs is the run loop's copy; an ioctl may come before it */
	if (likely(!cpu->mem_attrs) &&
	    !kvmu_memattr_any(cpu->vcpu->vm, cpu->vcpu->plane))
		return false;
	if (page_denied(cpu, gpa, acc, report))
		return true;
	return ((last ^ gpa) >> 12) && page_denied(cpu, last, acc, report);
}

const struct kvmu_plane_ops kvmu_x86_plane_ops = {
	.nr_planes = KVMU_MAX_PLANES,
	.mem_attributes = KVMU_MEMORY_ATTRIBUTE_NR | KVMU_MEMORY_ATTRIBUTE_NW |
			  KVMU_MEMORY_ATTRIBUTE_NX,
	.vcpu_ioctl_ok = x86_plane_vcpu_ioctl_ok,
	.vcpu_init = x86_plane_vcpu_init,
	.sync = x86_plane_sync,
	.pending = x86_plane_pending,
	.msi = x86_plane_msi,
	.enable_fpu = x86_plane_enable_fpu,
};
