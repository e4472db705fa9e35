// SPDX-License-Identifier: MIT
/*
 * PSCI 0.2 to 1.1 for vCPUs initialised with KVM_ARM_VCPU_PSCI_0_2, as
 * arch/arm64/kvm/psci.c answers: CPU_ON/OFF/SUSPEND, AFFINITY_INFO,
 * MIGRATE_INFO_TYPE, PSCI_FEATURES, and SYSTEM_OFF/RESET/RESET2 as
 * KVM_EXIT_SYSTEM_EVENT.  The SMC32 calls see 32-bit arguments.  PSCI 0.1
 * (vCPUs without the feature) is not implemented: every call answers
 * NOT_SUPPORTED.
 */
#include <errno.h>
#include <time.h>

#include "psci.h"

#define FN32(n)		(0x84000000U + (n))
#define FN64(n)		(0xc4000000U + (n))
enum {
	PSCI_FN_VERSION = 0, PSCI_FN_CPU_SUSPEND = 1, PSCI_FN_CPU_OFF = 2,
	PSCI_FN_CPU_ON = 3, PSCI_FN_AFFINITY_INFO = 4, PSCI_FN_MIGRATE = 5,
	PSCI_FN_MIGRATE_INFO_TYPE = 6, PSCI_FN_MIGRATE_INFO_UP_CPU = 7,
	PSCI_FN_SYSTEM_OFF = 8, PSCI_FN_SYSTEM_RESET = 9,
	PSCI_FN_FEATURES = 10, PSCI_FN_SYSTEM_SUSPEND = 14,
	PSCI_FN_SYSTEM_RESET2 = 18,
};

#define PSCI_SUCCESS		0
#define PSCI_NOT_SUPPORTED	(-1)
#define PSCI_INVALID_PARAMS	(-2)
#define PSCI_ALREADY_ON		(-4)
#define PSCI_INTERNAL_FAILURE	(-6)
#define PSCI_TOS_MP		2
#define AFF_ON			0
#define AFF_OFF			1
#define MPIDR_HWID		0xff00ffffffULL
#define RESET2_WARM		0
#define RESET2_VENDOR		0x80000000U
#define SMCCC_VERSION_FN	0x80000000U

static u64 mpidr_of(struct a64_cpu *c)
{
	return __atomic_load_n(&c->sr[SR_MPIDR_EL1], __ATOMIC_RELAXED) &
	       MPIDR_HWID;
}

static struct a64_cpu *vcpu_at(struct kvmu_vm *kvm, int i)
{
	struct kvmu_vcpu *v = kvm->vcpus[i];

	return v ? a64_cpu(v) : NULL;
}

static s64 cpu_on(struct a64_cpu *c, u64 target, u64 entry, u64 ctx)
{
	int i, n = atomic_load(&c->kvm->nr_vcpus);
	struct a64_cpu *t;
	int off = PWR_OFF;

	for (i = 0; i < n; i++) {
		t = vcpu_at(c->kvm, i);
		if (!t || mpidr_of(t) != (target & MPIDR_HWID))
			continue;
		if (!atomic_compare_exchange_strong(&t->power, &off,
						    PWR_ON_CLAIM))
			return PSCI_ALREADY_ON;
		t->on_entry = entry;
		t->on_ctx = ctx;
		atomic_store(&t->power, PWR_ON_PENDING);
		kvmu_vcpu_wake(t->vcpu);
		return PSCI_SUCCESS;
	}
	return PSCI_INVALID_PARAMS;
}

static s64 affinity_info(struct a64_cpu *c, u64 target, u64 level)
{
	static const u64 masks[4] = { MPIDR_HWID, MPIDR_HWID & ~0xffULL,
				      MPIDR_HWID & ~0xffffULL,
				      MPIDR_HWID & ~0xffffffULL };
	int i, n = atomic_load(&c->kvm->nr_vcpus);
	struct a64_cpu *t;

	if (level > 3)
		return PSCI_INVALID_PARAMS;
	for (i = 0; i < n; i++) {
		t = vcpu_at(c->kvm, i);
		if (t && (mpidr_of(t) & masks[level]) ==
			 (target & masks[level]) &&
		    atomic_load(&t->power) != PWR_OFF)
			return AFF_ON;
	}
	return AFF_OFF;
}

/* Every vCPU stops; user space gets the event (kvm_prepare_system_event). */
static int system_event(struct a64_cpu *c, u32 type, u64 flags)
{
	int i, n = atomic_load(&c->kvm->nr_vcpus);
	struct a64_cpu *t;

	for (i = 0; i < n; i++) {
		t = vcpu_at(c->kvm, i);
		if (t)
			atomic_store(&t->power, PWR_OFF);
	}
	c->run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	c->run->system_event.type = type;
	c->run->system_event.ndata = 1;
	c->run->system_event.data[0] = flags;
	return A64_EXIT;
}

static s64 features(struct a64_cpu *c, u32 fn)
{
	switch (fn) {
	case FN32(PSCI_FN_VERSION): case FN32(PSCI_FN_CPU_SUSPEND):
	case FN64(PSCI_FN_CPU_SUSPEND): case FN32(PSCI_FN_CPU_OFF):
	case FN32(PSCI_FN_CPU_ON): case FN64(PSCI_FN_CPU_ON):
	case FN32(PSCI_FN_AFFINITY_INFO): case FN64(PSCI_FN_AFFINITY_INFO):
	case FN32(PSCI_FN_MIGRATE_INFO_TYPE): case FN32(PSCI_FN_SYSTEM_OFF):
	case FN32(PSCI_FN_SYSTEM_RESET): case FN32(PSCI_FN_FEATURES):
	case SMCCC_VERSION_FN:
		return PSCI_SUCCESS;
	case FN32(PSCI_FN_SYSTEM_RESET2): case FN64(PSCI_FN_SYSTEM_RESET2):
		return c->vm->psci_version >= PSCI_VERSION_1_1 ?
		       PSCI_SUCCESS : PSCI_NOT_SUPPORTED;
	default:
		return PSCI_NOT_SUPPORTED;
	}
}

static void ret(struct a64_cpu *c, s64 v)
{
	c->x[0] = (u64)v;
	c->x[1] = c->x[2] = c->x[3] = 0;
}

/* SYSTEM_OFF and friends: x0 reads INTERNAL_FAILURE if resumed. */
static int system_call(struct a64_cpu *c, unsigned int n, u64 a1)
{
	if (n == PSCI_FN_SYSTEM_OFF || n == PSCI_FN_SYSTEM_RESET) {
		ret(c, PSCI_INTERNAL_FAILURE);
		return system_event(c, n == PSCI_FN_SYSTEM_OFF ?
				    KVM_SYSTEM_EVENT_SHUTDOWN :
				    KVM_SYSTEM_EVENT_RESET, 0);
	}
	/* SYSTEM_RESET2: x1/x2 stay for user space to read */
	if (a1 <= RESET2_WARM || a1 >= RESET2_VENDOR) {
		c->x[0] = (u64)(s64)PSCI_INTERNAL_FAILURE;
		return system_event(c, KVM_SYSTEM_EVENT_RESET, 1);
	}
	ret(c, PSCI_INVALID_PARAMS);
	return 0;
}

static struct timespec wfi_tick = { 0, 200000 };

int arm64_psci_call(struct a64_cpu *c, u32 fn)
{
	bool f64 = fn & BIT(30);
	unsigned int n = fn & 0xffff;
	u32 ver = c->vm->psci_version;
	u64 a1 = c->x[1], a2 = c->x[2], a3 = c->x[3];

	if (!(c->features & BIT(KVMU_ARM_VCPU_PSCI_0_2)) ||
	    (fn & ~(BIT(30) | 0xffffULL)) != 0x84000000U) {
		ret(c, PSCI_NOT_SUPPORTED);
		return 0;
	}
	if (!f64)
		a1 = (u32)a1, a2 = (u32)a2, a3 = (u32)a3;
	switch (fn) {
	case FN32(PSCI_FN_VERSION):
		ret(c, ver);
		return 0;
	case FN32(PSCI_FN_CPU_SUSPEND): case FN64(PSCI_FN_CPU_SUSPEND):
		/* as KVM: a WFI */
		if (!atomic_load(&c->lines))
			nanosleep(&wfi_tick, NULL);
		ret(c, PSCI_SUCCESS);
		return 0;
	case FN32(PSCI_FN_CPU_OFF):
		atomic_store(&c->power, PWR_OFF);
		ret(c, PSCI_SUCCESS);
		return A64_STOP;
	case FN32(PSCI_FN_CPU_ON): case FN64(PSCI_FN_CPU_ON):
		ret(c, cpu_on(c, a1, a2, a3));
		return 0;
	case FN32(PSCI_FN_AFFINITY_INFO): case FN64(PSCI_FN_AFFINITY_INFO):
		ret(c, affinity_info(c, a1, a2));
		return 0;
	case FN32(PSCI_FN_MIGRATE_INFO_TYPE):
		ret(c, PSCI_TOS_MP);
		return 0;
	case FN32(PSCI_FN_SYSTEM_OFF): case FN32(PSCI_FN_SYSTEM_RESET):
		return system_call(c, n, a1);
	case FN32(PSCI_FN_FEATURES):
		ret(c, ver >= PSCI_VERSION_1_0 ? features(c, (u32)a1) :
		    PSCI_NOT_SUPPORTED);
		return 0;
	case FN32(PSCI_FN_SYSTEM_RESET2): case FN64(PSCI_FN_SYSTEM_RESET2):
		if (ver >= PSCI_VERSION_1_1)
			return system_call(c, n, a1);
		break;
	}
	ret(c, PSCI_NOT_SUPPORTED);
	return 0;
}

void arm64_psci_power_off(struct a64_cpu *c)
{
	atomic_store(&c->power, PWR_OFF);
}

int arm64_psci_wait_on(struct a64_cpu *c)
{
	u64 mpidr;
	int p, rc;

	for (;;) {
		/* take the wake first: a CPU_ON after the load wakes us */
		kvmu_vcpu_take_wake(c->vcpu);
		p = atomic_load(&c->power);
		if (p != PWR_OFF && p != PWR_ON_CLAIM)
			break;
		if (kvmu_vcpu_should_exit(c->vcpu)) {
			c->run->exit_reason = KVM_EXIT_INTR;
			return -EINTR;
		}
		if (p == PWR_ON_CLAIM) {	/* over in a few instructions */
			nanosleep(&wfi_tick, NULL);
			continue;
		}
		rc = kvmu_vcpu_block(c->vcpu, 0);
		if (rc) {
			c->run->exit_reason = KVM_EXIT_INTR;
			return rc;
		}
	}
	if (atomic_load(&c->power) == PWR_ON_PENDING) {
		mpidr = c->sr[SR_MPIDR_EL1];
		a64_reset(c);
		c->sr[SR_MPIDR_EL1] = mpidr;
		c->pc = c->on_entry;
		c->x[0] = c->on_ctx;
		atomic_store(&c->power, PWR_ON);
	}
	return 0;
}
