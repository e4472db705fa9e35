/* SPDX-License-Identifier: MIT */
/* In-kernel PSCI of the arm64 KVM interface (psci.c). */
#ifndef KVMU_ARM64_PSCI_H
#define KVMU_ARM64_PSCI_H

#include "arm64.h"

#define PSCI_VERSION_0_1	0x1
#define PSCI_VERSION_0_2	0x2
#define PSCI_VERSION_1_0	0x10000
#define PSCI_VERSION_1_1	0x10001

/* A HANDLEd SMCCC call that is not an SMCCC arch call: PSCI or -1. */
int arm64_psci_call(struct a64_cpu *c, u32 fn);
/* Power a vCPU that KVM_ARM_VCPU_INIT asked to start off. */
void arm64_psci_power_off(struct a64_cpu *c);
/* A powered-off vCPU in KVM_RUN: wait for CPU_ON; 0, or -EINTR. */
int arm64_psci_wait_on(struct a64_cpu *c);

#endif
