// SPDX-License-Identifier: MIT
/*
 * x86 capabilities and ioctls of the machine around the CPU: MAX_VCPU_ID,
 * the MMU page budget, SYNC_REGS, PV feature enforcement, machine checks
 * (KVM_X86_SETUP_MCE / SET_MCE).  x86.c asks here for what it does not
 * answer itself.
 */
#include <errno.h>
#include <string.h>

#include "arch/x86/x86_int.h"

#define MIN_MMU_PAGES		64	/* KVM_MIN_ALLOC_MMU_PAGES */
#define MMU_PERMILLE		20	/* KVM_PERMILLE_MMU_PAGES */
#define SYNC_VALID		(KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | \
				 KVM_SYNC_X86_EVENTS)
#define MCG_CTL_P		(1ULL << 8)
#define MCG_SER_P		(1ULL << 24)
#define MCE_CAP_SUPPORTED	(MCG_CTL_P | MCG_SER_P)
#define MCG_STATUS_MCIP		(1ULL << 2)
#define MCI_STATUS_VAL		(1ULL << 63)
#define MCI_STATUS_OVER		(1ULL << 62)
#define MCI_STATUS_UC		(1ULL << 61)
/*
 * The KVM quirks kvmu can turn off (KVM_CAP_DISABLE_QUIRKS2): only those
 * whose quirk-free behaviour it models; KVM 6.1 offers seven.
 */
#define X86_QUIRKS_DISABLABLE	(KVM_X86_QUIRK_FIX_HYPERCALL_INSN | \
				 KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS)

long x86_machine_check_extension(struct kvmu_vm *vm KVMU_UNUSED, long cap)
{
	switch (cap) {
	case KVM_CAP_MMU_SHADOW_CACHE_CONTROL:
	case KVM_CAP_GET_TSC_KHZ:
	case KVM_CAP_TSC_CONTROL:
	case KVM_CAP_VM_TSC_CONTROL:
	case KVM_CAP_CLOCKSOURCE:
	case KVM_CAP_ENFORCE_PV_FEATURE_CPUID:
	case KVM_CAP_X86_USER_SPACE_MSR:
	case KVM_CAP_X86_MSR_FILTER:
	case KVM_CAP_VCPU_ATTRIBUTES:
		return 1;
	case KVM_CAP_ADJUST_CLOCK:
		return KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME |
		       KVM_CLOCK_HOST_TSC;
	case KVM_CAP_SYNC_REGS:
		return SYNC_VALID;
	case KVM_CAP_MCE:
		return X86_MCE_BANKS;
	case KVM_CAP_DISABLE_QUIRKS2:
		return X86_QUIRKS_DISABLABLE;
	default:
		return x86_hv_check_extension(cap);
	}
}

/* kvm_vm_ioctl_enable_cap(KVM_CAP_MAX_VCPU_ID): fixed once, or at vCPU 0. */
static int enable_max_vcpu_id(struct kvmu_vm *vm, u64 want)
{
	struct x86_machine_vm *m = &x86_vm_of(vm)->m;
	u64 cur = m->max_vcpu_ids;

	if (want > KVMU_MAX_VCPU_ID)
		return -EINVAL;
	if (!cur && atomic_load(&vm->nr_vcpus))
		cur = KVMU_MAX_VCPU_ID;
	if (cur == want)
		return 0;
	if (cur)
		return -EINVAL;
	m->max_vcpu_ids = (u32)want;
	vm->max_vcpu_id = (int)want;
	return 0;
}

int x86_machine_enable_cap(struct kvmu_vm *vm, const struct kvm_enable_cap *c)
{
	switch (c->cap) {
	case KVM_CAP_MAX_VCPU_ID:
		return enable_max_vcpu_id(vm, c->args[0]);
	case KVM_CAP_X86_USER_SPACE_MSR:
		return x86_msr_user_space_enable(vm, c->args[0]);
	case KVM_CAP_DISABLE_QUIRKS2:
		if (c->args[0] & ~X86_QUIRKS_DISABLABLE)
			return -EINVAL;
		x86_vm_of(vm)->m.disabled_quirks = c->args[0];
		return 0;
	default:
		return -EINVAL;
	}
}

long x86_machine_vcpu_enable_cap(struct x86_cpu *cpu,
				 const struct kvm_enable_cap *c)
{
	if (c->flags)
		return -EINVAL;
	switch (c->cap) {
	case KVM_CAP_ENFORCE_PV_FEATURE_CPUID:
		cpu->m.enforce_pv_cpuid = c->args[0] != 0;
		return 0;
	default: {
		long r = x86_hv_vcpu_enable_cap(cpu, c);

		return r == 1 ? -EINVAL : r;
	}
	}
}

/* ---- KVM_SET/GET_NR_MMU_PAGES: a budget KVM keeps; kvmu has no shadow
 * pages to bound, so the number is only stored and reported ---- */

long x86_vm_set_nr_mmu_pages(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;

	if (r->uarg < MIN_MMU_PAGES)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	x86_vm_of(vm)->m.nr_mmu_pages = r->uarg > 0xffffffffUL ?
					0xffffffffU : (u32)r->uarg;
	pthread_mutex_unlock(&vm->lock);
	return 0;
}

/* kvm_mmu_calculate_default_mmu_pages */
long x86_vm_get_nr_mmu_pages(struct kvmu_obj *obj,
			     struct kvmu_ioctl_req *r KVMU_UNUSED)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;
	struct kvmu_memslots *s;
	u64 pages = 0;
	int as, i;

	if (x86_vm_of(vm)->m.nr_mmu_pages)
		return x86_vm_of(vm)->m.nr_mmu_pages;
	pthread_mutex_lock(&vm->slots_lock);
	for (as = 0; as < vm->nr_as; as++) {
		s = atomic_load(&vm->slots[as]);
		for (i = 0; s && i < s->nr; i++)
			pages += kvmu_memslots_nth(s, i)->size >>
				 KVMU_PAGE_SHIFT;
	}
	pthread_mutex_unlock(&vm->slots_lock);
	pages = pages * MMU_PERMILLE / 1000;
	return pages < MIN_MMU_PAGES ? MIN_MMU_PAGES :
	       pages > 0x7fffffff ? 0x7fffffff : (long)pages;
}

/* ---- KVM_CAP_SYNC_REGS: kvm_run->s.regs, as sync_regs/store_regs ---- */

static long call(struct x86_cpu *cpu, kvmu_ioctl_fn fn, void *arg)
{
	struct kvmu_ioctl_req r = { .karg = arg };

	return fn(&cpu->vcpu->obj, &r);
}

int x86_sync_regs_in(struct x86_cpu *cpu)
{
	struct kvm_run *run = cpu->run;

	if ((run->kvm_valid_regs & ~(u64)SYNC_VALID) ||
	    (run->kvm_dirty_regs & ~(u64)SYNC_VALID))
		return -EINVAL;
	if (run->kvm_dirty_regs & KVM_SYNC_X86_REGS) {
		call(cpu, x86_set_regs, &run->s.regs.regs);
		run->kvm_dirty_regs &= ~(u64)KVM_SYNC_X86_REGS;
	}
	if (run->kvm_dirty_regs & KVM_SYNC_X86_SREGS) {
		if (call(cpu, x86_set_sregs, &run->s.regs.sregs))
			return -EINVAL;
		run->kvm_dirty_regs &= ~(u64)KVM_SYNC_X86_SREGS;
	}
	if (run->kvm_dirty_regs & KVM_SYNC_X86_EVENTS) {
		if (call(cpu, x86_set_vcpu_events, &run->s.regs.events))
			return -EINVAL;
		run->kvm_dirty_regs &= ~(u64)KVM_SYNC_X86_EVENTS;
	}
	return 0;
}

void x86_sync_regs_out(struct x86_cpu *cpu)
{
	struct kvm_run *run = cpu->run;

	if (run->kvm_valid_regs & KVM_SYNC_X86_REGS)
		call(cpu, x86_get_regs, &run->s.regs.regs);
	if (run->kvm_valid_regs & KVM_SYNC_X86_SREGS)
		call(cpu, x86_get_sregs, &run->s.regs.sregs);
	if (run->kvm_valid_regs & KVM_SYNC_X86_EVENTS)
		call(cpu, x86_get_vcpu_events, &run->s.regs.events);
}

/* ---- machine checks ---- */

long x86_sys_get_mce_cap(struct kvmu_obj *obj KVMU_UNUSED,
			 struct kvmu_ioctl_req *r)
{
	*(u64 *)r->karg = MCE_CAP_SUPPORTED;
	return 0;
}

/* kvm_vcpu_ioctl_x86_setup_mce */
long x86_setup_mce(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	u64 cap = *(u64 *)r->karg;
	u32 banks = cap & 0xff, b;

	if (!banks || banks > X86_MCE_BANKS)
		return -EINVAL;
	if (cap & ~(MCE_CAP_SUPPORTED | 0xff | 0xff0000))
		return -EINVAL;
	cpu->m.mcg_cap = cap;
	if (cap & MCG_CTL_P)
		cpu->m.mcg_ctl = ~0ULL;
	for (b = 0; b < banks; b++)
		cpu->m.mce_banks[4 * b] = ~0ULL;
	return 0;
}

/* kvm_vcpu_ioctl_x86_set_mce: log into the bank, raise #MC if uncorrected */
long x86_set_mce(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	struct kvm_x86_mce *mce = r->karg;
	u64 cap = cpu->m.mcg_cap, *b;
	bool uc = mce->status & MCI_STATUS_UC;

	if (mce->bank >= (cap & 0xff) || !(mce->status & MCI_STATUS_VAL))
		return -EINVAL;
	b = &cpu->m.mce_banks[4 * mce->bank];
	/* reporting of uncorrected errors disabled by MCG_CTL or MCi_CTL */
	if (uc && (((cap & MCG_CTL_P) && cpu->m.mcg_ctl != ~0ULL) ||
		   b[0] != ~0ULL))
		return 0;
	if (uc) {
		if ((cpu->m.mcg_status & MCG_STATUS_MCIP) ||
		    !(cpu->cr4 & (1ULL << 6))) {
			cpu->triple_fault = true;	/* CR4.MCE clear: shutdown */
			return 0;
		}
		if (b[1] & MCI_STATUS_VAL)
			mce->status |= MCI_STATUS_OVER;
		b[2] = mce->addr;
		b[3] = mce->misc;
		cpu->m.mcg_status = mce->mcg_status;
		b[1] = mce->status;
		x86_queue_exception(cpu, X86_MC, false, 0, false, 0);
	} else if (!(b[1] & MCI_STATUS_VAL) || !(b[1] & MCI_STATUS_UC)) {
		if (b[1] & MCI_STATUS_VAL)
			mce->status |= MCI_STATUS_OVER;
		b[2] = mce->addr;
		b[3] = mce->misc;
		b[1] = mce->status;
	} else {
		b[1] |= MCI_STATUS_OVER;
	}
	return 0;
}
