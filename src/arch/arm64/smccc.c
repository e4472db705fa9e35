// SPDX-License-Identifier: MIT
/*
 * SMCCC calls from the guest (HVC and SMC at EL1) and the per-VM SMCCC
 * filter (KVM_ARM_VM_SMCCC_CTRL / KVM_ARM_VM_SMCCC_FILTER), as
 * Documentation/virt/kvm/devices/vm.rst and arch/arm64/kvm/hypercalls.c
 * define them: ranges may not overlap or wrap, the Arm architecture ranges
 * are reserved (HANDLE), pad must be zero, no change once a vCPU ran.
 * HANDLE runs kvmu's own services (SMCCC_VERSION, ARCH_FEATURES, PSCI in
 * psci.c), DENY answers SMCCC_RET_NOT_SUPPORTED, FWD_TO_USER exits with
 * KVM_EXIT_HYPERCALL (nr = function id, KVM_HYPERCALL_EXIT_SMC for SMC)
 * and the guest resumes after the call with whatever x0-x17 user space
 * wrote through ONE_REG.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arm64.h"
#include "psci.h"

#define SMC32_ARCH_BEGIN	0x80000000U
#define SMC32_ARCH_END		0x8000ffffU
#define SMC64_ARCH_BEGIN	0xc0000000U
#define SMC64_ARCH_END		0xc000ffffU

#define SMCCC_VERSION		0x80000000U
#define SMCCC_ARCH_FEATURES	0x80000001U
#define SMCCC_WORKAROUND_1	0x80008000U
#define SMCCC_WORKAROUND_2	0x80007fffU
#define SMCCC_WORKAROUND_3	0x80003fffU
#define SMCCC_VERSION_1_1	0x10001
#define SMCCC_RET_NOT_SUPPORTED	(-1LL)
#define SMCCC_RET_NOT_REQUIRED	(-2LL)
#define SMCCC_WA_UNAFFECTED	1

void arm64_filter_free(struct arm64_vm *vm)
{
	free(vm->filters);
	vm->filters = NULL;
	vm->nr_filters = 0;
}

/* Insert [base, end]; -EEXIST on overlap.  Called under vm->lock. */
static int filter_insert(struct arm64_vm *vm, u32 base, u32 end, u8 action)
{
	struct arm64_filter *f;
	int i, at = 0;

	for (i = 0; i < vm->nr_filters; i++) {
		f = &vm->filters[i];
		if (!(end < f->base || base > f->end))
			return -EEXIST;
		if (f->base < base)
			at = i + 1;
	}
	f = realloc(vm->filters, sizeof(*f) * (size_t)(vm->nr_filters + 1));
	if (!f)
		return -ENOMEM;
	vm->filters = f;
	memmove(&f[at + 1], &f[at], sizeof(*f) * (size_t)(vm->nr_filters - at));
	f[at] = (struct arm64_filter){ base, end, action };
	vm->nr_filters++;
	return 0;
}

static int set_filter(struct kvmu_vm *kvm, u64 uaddr)
{
	struct arm64_vm *vm = arm64_vm(kvm);
	struct kvmu_smccc_filter f;
	u32 end;
	size_t i;
	int rc;

	rc = kvmu_copy_from_user(&f, uaddr, sizeof(f));
	if (rc)
		return rc;
	for (i = 0; i < sizeof(f.pad); i++)
		if (f.pad[i])
			return -EINVAL;
	end = f.base + f.nr_functions - 1;
	if (!f.nr_functions || end < f.base ||
	    f.action > KVMU_SMCCC_FILTER_FWD_TO_USER)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	if (__atomic_load_n(&kvm->vcpu_has_run, __ATOMIC_RELAXED)) {
		rc = -EBUSY;
	} else {
		rc = 0;
		if (!vm->filter_on) {
			rc = filter_insert(vm, SMC32_ARCH_BEGIN, SMC32_ARCH_END,
					   KVMU_SMCCC_FILTER_HANDLE);
			if (!rc)
				rc = filter_insert(vm, SMC64_ARCH_BEGIN,
					SMC64_ARCH_END, KVMU_SMCCC_FILTER_HANDLE);
			vm->filter_on = !rc;
		}
		if (!rc)
			rc = filter_insert(vm, f.base, end, f.action);
	}
	pthread_mutex_unlock(&vm->lock);
	return rc;
}

int arm64_vm_attr(struct kvmu_vm *kvm, const struct kvm_device_attr *a,
		  bool set)
{
	if (a->group != KVMU_ARM_VM_SMCCC_CTRL ||
	    a->attr != KVMU_ARM_VM_SMCCC_FILTER)
		return -ENXIO;
	return set ? set_filter(kvm, a->addr) : 0;
}

/* The filter's action for fn; HANDLE where no range says otherwise. */
static u8 filter_action(struct arm64_vm *vm, u32 fn)
{
	int lo = 0, hi, mid;

	if (!vm->filter_on)
		return KVMU_SMCCC_FILTER_HANDLE;
	hi = vm->nr_filters - 1;
	while (lo <= hi) {
		mid = (lo + hi) / 2;
		if (fn < vm->filters[mid].base)
			hi = mid - 1;
		else if (fn > vm->filters[mid].end)
			lo = mid + 1;
		else
			return vm->filters[mid].action;
	}
	return KVMU_SMCCC_FILTER_HANDLE;
}

static s64 arch_features(u32 feature)
{
	switch (feature) {
	case SMCCC_ARCH_FEATURES:
		return 0;
	case SMCCC_WORKAROUND_1:
	case SMCCC_WORKAROUND_3:
		return SMCCC_WA_UNAFFECTED;	/* ID_AA64PFR0: CSV2, CSV3 */
	case SMCCC_WORKAROUND_2:
		return SMCCC_RET_NOT_REQUIRED;
	default:
		return SMCCC_RET_NOT_SUPPORTED;
	}
}

static void set_ret(struct a64_cpu *c, s64 r)
{
	c->x[0] = (u64)r;
	c->x[1] = c->x[2] = c->x[3] = 0;
}

static void hypercall_exit(struct a64_cpu *c, u32 fn, bool smc)
{
	struct kvmu_arm64_hypercall *h = (void *)&c->run->hypercall;

	c->run->exit_reason = KVM_EXIT_HYPERCALL;
	memset(h, 0, sizeof(*h));
	h->nr = fn;
	/* KVM_HYPERCALL_EXIT_16BIT is for 16-bit T32 traps: never here */
	h->flags = smc ? KVMU_HYPERCALL_EXIT_SMC : 0;
}

int arm64_smccc_call(struct a64_cpu *c, bool smc, u16 imm)
{
	u32 fn = (u32)c->x[0];
	u8 action;

	/* SMC with a nonzero immediate is reserved (DEN0028 2.9) */
	if (smc && imm) {
		c->x[0] = ~0ULL;
		return 0;
	}
	/* the lock orders this against a KVM_SET_DEVICE_ATTR racing the
	 * first KVM_RUN of another vCPU */
	pthread_mutex_lock(&c->vm->lock);
	action = filter_action(c->vm, fn);
	pthread_mutex_unlock(&c->vm->lock);
	switch (action) {
	case KVMU_SMCCC_FILTER_DENY:
		set_ret(c, SMCCC_RET_NOT_SUPPORTED);
		return 0;
	case KVMU_SMCCC_FILTER_FWD_TO_USER:
		hypercall_exit(c, fn, smc);
		return A64_EXIT;
	}
	switch (fn) {
	case SMCCC_VERSION:
		set_ret(c, SMCCC_VERSION_1_1);
		return 0;
	case SMCCC_ARCH_FEATURES:
		set_ret(c, arch_features((u32)c->x[1]));
		return 0;
	default:
		return arm64_psci_call(c, fn);
	}
}
