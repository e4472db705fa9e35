// SPDX-License-Identifier: MIT
/*
 * The local-APIC side of the KVM_HC_SEND_IPI and KVM_HC_KICK_CPU
 * hypercalls (exec_hyper.c) while kvmu has no in-kernel local APIC: what
 * KVM does for a VM without one (no APIC map): SEND_IPI reaches nobody and
 * answers -KVM_EOPNOTSUPP, KICK_CPU wakes nobody.  The in-kernel irqchip
 * replaces this file with the real delivery.
 */
#include <errno.h>

#include "arch/x86/x86_int.h"

long x86_lapic_pv_send_ipi(struct x86_cpu *cpu KVMU_UNUSED,
			   u64 bitmap_lo KVMU_UNUSED,
			   u64 bitmap_hi KVMU_UNUSED, u32 min KVMU_UNUSED,
			   u64 icr KVMU_UNUSED, bool op64 KVMU_UNUSED)
{
	return -EOPNOTSUPP;
}

void x86_lapic_pv_kick(struct x86_cpu *cpu KVMU_UNUSED,
		       u32 apic_id KVMU_UNUSED)
{
}
