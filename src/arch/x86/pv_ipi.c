// SPDX-License-Identifier: MIT
/*
 * The local-APIC side of the KVM_HC_SEND_IPI and KVM_HC_KICK_CPU
 * hypercalls (exec_hyper.c), as kvm_pv_send_ipi() does it: the ICR gives
 * vector, delivery and trigger mode (a destination mode or shorthand is
 * -KVM_EINVAL), and every set bit n of the two bitmap words is a physical
 * destination, APIC ID min + n for the low word and min + 32 (64 for a
 * 64-bit caller, modulo 2^32) + n for the high one, IDs above the
 * highest of the VM's APIC map (at least 255) skipped; the answer is how
 * many local APICs accepted.  Without an in-kernel local APIC KVM has no APIC map and this
 * answers -KVM_EOPNOTSUPP.
 */
#include <errno.h>

#include "arch/x86/x86_int.h"
#include "arch/x86/irqchip.h"

#define ICR_VECTOR	0xffULL
#define ICR_MODE	(7ULL << 8)
#define ICR_DEST_LOGICAL (1ULL << 11)
#define ICR_LEVEL	(1ULL << 14)
#define ICR_TRIGGER	(1ULL << 15)
#define ICR_SHORTHAND	(3ULL << 18)

/*
 * The highest APIC ID of KVM's APIC map: at least 255 (room for any xAPIC
 * ID), else the largest vCPU ID that has a local APIC.
 */
static u32 max_apic_id(struct kvmu_vm *vm)
{
	int i, n = atomic_load(&vm->nr_vcpus);
	u32 max = 255;

	for (i = 0; i < n; i++) {
		struct kvmu_vcpu *v = vm->vcpus[i];

		if (v && x86_cpu_of(v) && x86_cpu_of(v)->apic &&
		    (u32)v->id > max)
			max = (u32)v->id;
	}
	return max;
}

/*
 * Each set bit of bits: APIC ID first + bit, for IDs up to the map's
 * highest (a first beyond it reaches nobody); returns the APICs reached.
 */
static long send_word(struct kvmu_vm *vm, struct x86_apic_irq *irq,
		      u64 bits, u32 first)
{
	u32 max = max_apic_id(vm);
	long count = 0;
	int r;

	if (first > max)
		return 0;
	for (; bits; bits &= bits - 1) {
		u64 id = (u64)first + (u64)__builtin_ctzll(bits);

		if (id > max)
			break;
		irq->dest = (u32)id;
		r = x86_irqchip_deliver(vm, irq);
		if (r > 0)
			count += r;
	}
	return count;
}

long x86_lapic_pv_send_ipi(struct x86_cpu *cpu, u64 bitmap_lo, u64 bitmap_hi,
			   u32 min, u64 icr, bool op64)
{
	struct kvmu_vm *vm = cpu->vcpu->vm;
	struct x86_apic_irq irq = {
		.vector = (u8)(icr & ICR_VECTOR),
		.delivery_mode = (u8)((icr & ICR_MODE) >> 8),
		.level = !!(icr & ICR_LEVEL),
		.trig_mode = !!(icr & ICR_TRIGGER),
		.plane = cpu->vcpu->plane,	/* the caller's plane's APICs */
	};
	u64 cluster = op64 ? 64 : 32;

	if (!x86_vm_of(vm)->irqchip)
		return -EOPNOTSUPP;
	if (icr & (ICR_DEST_LOGICAL | ICR_SHORTHAND))
		return -EINVAL;
	if (!op64) {
		bitmap_lo &= 0xffffffffULL;
		bitmap_hi &= 0xffffffffULL;
	}
	/* min is a u32 in KVM: the high word's first ID wraps */
	return send_word(vm, &irq, bitmap_lo, min) +
	       send_word(vm, &irq, bitmap_hi, (u32)(min + cluster));
}

/*
 * KVM sets pv_unhalted on the vCPU with that APIC ID so that its halt
 * ends.  kvmu does not offer KVM_FEATURE_PV_UNHALT in CPUID 0x40000001,
 * so guests do not wait for the kick: it reaches nobody, and the answer
 * is 0 as in KVM.
 */
void x86_lapic_pv_kick(struct x86_cpu *cpu KVMU_UNUSED,
		       u32 apic_id KVMU_UNUSED)
{
}
