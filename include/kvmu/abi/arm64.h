/* SPDX-License-Identifier: MIT */
/*
 * The arm64 KVM ABI, declared for any host.  The host's <linux/kvm.h> has
 * the arch-neutral structs (kvm_one_reg, kvm_reg_list, kvm_device_attr,
 * kvm_run's exit union) but its asm/kvm.h is the host's, so the arm64
 * kvm_regs, kvm_vcpu_init, kvm_smccc_filter and the register-id encoding
 * are declared here under kvmu_arm64_ / KVMU_ARM64_ names.  Layouts and
 * numbers follow arch/arm64/include/uapi/asm/kvm.h; the asserts pin every
 * offset and ioctl number a VMM relies on.
 */
#ifndef KVMU_ABI_ARM64_H
#define KVMU_ABI_ARM64_H

#include <linux/kvm.h>
#include <stddef.h>

struct kvmu_arm64_user_pt_regs {
	__u64 regs[31];
	__u64 sp;
	__u64 pc;
	__u64 pstate;
};

struct kvmu_arm64_fpsimd {
	__uint128_t vregs[32];
	__u32 fpsr;
	__u32 fpcr;
	__u32 reserved[2];
};

#define KVMU_ARM64_NR_SPSR	5

/* struct kvm_regs of arm64: what KVM_REG_ARM_CORE ids index (in u32s). */
struct kvmu_arm64_regs {
	struct kvmu_arm64_user_pt_regs regs;
	__u64 sp_el1;
	__u64 elr_el1;
	__u64 spsr[KVMU_ARM64_NR_SPSR];
	struct kvmu_arm64_fpsimd fp_regs;
};
_Static_assert(offsetof(struct kvmu_arm64_regs, sp_el1) == 272, "kvm_regs");
_Static_assert(offsetof(struct kvmu_arm64_regs, fp_regs) == 336, "kvm_regs");
_Static_assert(sizeof(struct kvmu_arm64_regs) == 864, "kvm_regs");

struct kvmu_arm64_vcpu_init {
	__u32 target;
	__u32 features[7];
};
_Static_assert(sizeof(struct kvmu_arm64_vcpu_init) == 32, "vcpu_init");

#define KVMU_ARM_VCPU_INIT \
	_IOW(KVMIO, 0xae, struct kvmu_arm64_vcpu_init)
#define KVMU_ARM_PREFERRED_TARGET \
	_IOR(KVMIO, 0xaf, struct kvmu_arm64_vcpu_init)
_Static_assert(KVMU_ARM_VCPU_INIT == 0x4020aeae, "ioctl number");
_Static_assert(KVMU_ARM_PREFERRED_TARGET == 0x8020aeaf, "ioctl number");
_Static_assert(KVM_GET_REG_LIST == 0xc008aeb0, "ioctl number");

/* Targets: KVM answers GENERIC_V8 whatever the host core is. */
#define KVMU_ARM_TARGET_GENERIC_V8	5

/* kvm_vcpu_init.features[0] bits */
#define KVMU_ARM_VCPU_POWER_OFF		0
#define KVMU_ARM_VCPU_EL1_32BIT		1
#define KVMU_ARM_VCPU_PSCI_0_2		2
#define KVMU_ARM_VCPU_PMU_V3		3
#define KVMU_ARM_VCPU_SVE		4
#define KVMU_ARM_VCPU_PTRAUTH_ADDRESS	5
#define KVMU_ARM_VCPU_PTRAUTH_GENERIC	6
#define KVMU_ARM_VCPU_HAS_EL2		7
#define KVMU_ARM_VCPU_HAS_EL2_E2H0	8
#define KVMU_ARM_VCPU_MAX_FEATURES	9

/* Register ids (KVM_GET/SET_ONE_REG) */
#define KVMU_REG_ARM64			0x6000000000000000ULL
#define KVMU_REG_ARM_COPROC_MASK	0x000000000FFF0000ULL
#define KVMU_REG_ARM_CORE		(0x0010ULL << 16)
#define KVMU_REG_ARM_DEMUX		(0x0011ULL << 16)
#define KVMU_REG_ARM64_SYSREG		(0x0013ULL << 16)
#define KVMU_REG_ARM_FW			(0x0014ULL << 16)
#define KVMU_REG_ARM64_SVE		(0x0015ULL << 16)
#define KVMU_REG_ARM_FW_FEAT_BMAP	(0x0016ULL << 16)
#define KVMU_REG_ARM_CORE_REG(f) \
	(offsetof(struct kvmu_arm64_regs, f) / sizeof(__u32))
#define KVMU_REG_ARM64_CORE(size, f) \
	(KVMU_REG_ARM64 | (size) | KVMU_REG_ARM_CORE | KVMU_REG_ARM_CORE_REG(f))
#define KVMU_REG_ARM64_SYSREG_ID(op0, op1, crn, crm, op2) \
	(KVMU_REG_ARM64 | KVM_REG_SIZE_U64 | KVMU_REG_ARM64_SYSREG | \
	 ((__u64)(op0) << 14) | ((__u64)(op1) << 11) | \
	 ((__u64)(crn) << 7) | ((__u64)(crm) << 3) | (__u64)(op2))
#define KVMU_REG_ARM_FW_REG(r) \
	(KVMU_REG_ARM64 | KVM_REG_SIZE_U64 | KVMU_REG_ARM_FW | ((r) & 0xffff))
#define KVMU_REG_ARM_PSCI_VERSION	KVMU_REG_ARM_FW_REG(0)
#define KVMU_REG_ARM_SMCCC_WA1		KVMU_REG_ARM_FW_REG(1)
#define KVMU_REG_ARM_SMCCC_WA2		KVMU_REG_ARM_FW_REG(2)
#define KVMU_REG_ARM_SMCCC_WA3		KVMU_REG_ARM_FW_REG(3)
/* the timer registers' ids (sys_regs numbering, special meaning) */
#define KVMU_REG_ARM_TIMER_CTL		KVMU_REG_ARM64_SYSREG_ID(3, 3, 14, 3, 1)
#define KVMU_REG_ARM_TIMER_CNT		KVMU_REG_ARM64_SYSREG_ID(3, 3, 14, 3, 2)
#define KVMU_REG_ARM_TIMER_CVAL		KVMU_REG_ARM64_SYSREG_ID(3, 3, 14, 0, 2)
_Static_assert(KVMU_REG_ARM64_CORE(KVM_REG_SIZE_U64, regs.pc) ==
	       0x6030000000100040ULL, "core pc id");

/* Machine type of KVM_CREATE_VM */
#define KVMU_VM_TYPE_ARM_IPA_SIZE_MASK	0xffULL
#define KVMU_VM_TYPE_ARM_IPA_SIZE(x)	((x) & KVMU_VM_TYPE_ARM_IPA_SIZE_MASK)

/* VM attributes: the SMCCC filter (Documentation/virt/kvm/devices/vm.rst) */
#define KVMU_ARM_VM_SMCCC_CTRL		0
#define KVMU_ARM_VM_SMCCC_FILTER	0

enum kvmu_smccc_filter_action {
	KVMU_SMCCC_FILTER_HANDLE = 0,
	KVMU_SMCCC_FILTER_DENY = 1,
	KVMU_SMCCC_FILTER_FWD_TO_USER = 2,
};

struct kvmu_smccc_filter {
	__u32 base;
	__u32 nr_functions;
	__u8 action;
	__u8 pad[15];
};
_Static_assert(sizeof(struct kvmu_smccc_filter) == 24, "smccc filter");

/* run->hypercall.flags for forwarded SMCCC calls */
#define KVMU_HYPERCALL_EXIT_SMC		(1U << 0)
#define KVMU_HYPERCALL_EXIT_16BIT	(1U << 1)

/* kvm_run.hypercall as arm64 fills it (6.1 headers name flags longmode) */
struct kvmu_arm64_hypercall {
	__u64 nr;
	__u64 args[6];
	__u64 ret;
	__u64 flags;
};
_Static_assert(offsetof(struct kvm_run, hypercall) == 32, "run hypercall");
_Static_assert(sizeof(struct kvmu_arm64_hypercall) == 72, "hypercall");

/* KVM_IRQ_LINE irq field on arm64 */
#define KVMU_ARM_IRQ_TYPE_SHIFT		24
#define KVMU_ARM_IRQ_TYPE_MASK		0xf
#define KVMU_ARM_IRQ_VCPU2_SHIFT	28
#define KVMU_ARM_IRQ_VCPU2_MASK		0xf
#define KVMU_ARM_IRQ_VCPU_SHIFT		16
#define KVMU_ARM_IRQ_VCPU_MASK		0xff
#define KVMU_ARM_IRQ_NUM_MASK		0xffff
#define KVMU_ARM_IRQ_TYPE_CPU		0
#define KVMU_ARM_IRQ_TYPE_SPI		1
#define KVMU_ARM_IRQ_TYPE_PPI		2
#define KVMU_ARM_IRQ_CPU_IRQ		0
#define KVMU_ARM_IRQ_CPU_FIQ		1

/*
 * The in-kernel GICv3 device (Documentation/virt/kvm/devices/arm-vgic-v3.rst,
 * the numbers of arm64's asm/kvm.h): attribute groups, address types,
 * the redistributor-region attribute layout and the control attributes.
 */
#define KVMU_VGIC_V3_ADDR_TYPE_DIST		2
#define KVMU_VGIC_V3_ADDR_TYPE_REDIST		3
#define KVMU_VGIC_ITS_ADDR_TYPE			4
#define KVMU_VGIC_V3_ADDR_TYPE_REDIST_REGION	5
#define KVMU_VGIC_V3_DIST_SIZE			0x10000ULL
#define KVMU_VGIC_V3_REDIST_SIZE		0x20000ULL
#define KVMU_VGIC_V3_RDIST_INDEX_MASK		0xfffULL
#define KVMU_VGIC_V3_RDIST_FLAGS_SHIFT		12
#define KVMU_VGIC_V3_RDIST_FLAGS_MASK		0xfULL
#define KVMU_VGIC_V3_RDIST_BASE_MASK		0x000fffffffff0000ULL
#define KVMU_VGIC_V3_RDIST_COUNT_SHIFT		52
#define KVMU_DEV_ARM_VGIC_GRP_ADDR		0
#define KVMU_DEV_ARM_VGIC_GRP_DIST_REGS		1
#define KVMU_DEV_ARM_VGIC_GRP_NR_IRQS		3
#define KVMU_DEV_ARM_VGIC_GRP_CTRL		4
#define KVMU_DEV_ARM_VGIC_GRP_REDIST_REGS	5
#define KVMU_DEV_ARM_VGIC_GRP_CPU_SYSREGS	6
#define KVMU_DEV_ARM_VGIC_GRP_LEVEL_INFO	7
#define KVMU_DEV_ARM_VGIC_V3_MPIDR_SHIFT	32
#define KVMU_DEV_ARM_VGIC_OFFSET_MASK		0xffffffffULL
#define KVMU_DEV_ARM_VGIC_SYSREG_INSTR_MASK	0xffffULL
#define KVMU_DEV_ARM_VGIC_LINE_LEVEL_INFO_SHIFT	10
#define KVMU_DEV_ARM_VGIC_LINE_LEVEL_INFO_MASK	0x3fffffULL
#define KVMU_DEV_ARM_VGIC_LINE_LEVEL_INTID_MASK	0x3ffULL
#define KVMU_VGIC_LEVEL_INFO_LINE_LEVEL		0
#define KVMU_DEV_ARM_VGIC_CTRL_INIT		0
#define KVMU_DEV_ARM_VGIC_SAVE_PENDING_TABLES	3

/* struct kvm_vcpu_events of arm64 (KVM_GET/SET_VCPU_EVENTS) */
struct kvmu_arm64_vcpu_events {
	struct {
		__u8 serror_pending;
		__u8 serror_has_esr;
		__u8 ext_dabt_pending;
		__u8 pad[5];
		__u64 serror_esr;
	} exception;
	__u32 reserved[12];
};
_Static_assert(sizeof(struct kvmu_arm64_vcpu_events) == 64, "vcpu events");
#define KVMU_ARM64_GET_VCPU_EVENTS \
	_IOR(KVMIO, 0x9f, struct kvmu_arm64_vcpu_events)
#define KVMU_ARM64_SET_VCPU_EVENTS \
	_IOW(KVMIO, 0xa0, struct kvmu_arm64_vcpu_events)
_Static_assert(KVMU_ARM64_GET_VCPU_EVENTS == 0x8040ae9f, "ioctl number");

/* capability numbers Debian 12's headers may lack */
#ifndef KVM_CAP_ARM_SYSTEM_SUSPEND
#define KVM_CAP_ARM_SYSTEM_SUSPEND	216
#endif

#endif /* KVMU_ABI_ARM64_H */
