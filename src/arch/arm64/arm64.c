// SPDX-License-Identifier: MIT
/*
 * The arm64 architecture for the kvmu core: the machine type (IPA size),
 * the capabilities kvmu really implements, KVM_ENABLE_CAP, memory-slot
 * rules, the VM ioctls (preferred target, the SMCCC filter attribute,
 * KVM_IRQ_LINE in the arm encoding) and the ioctl table (ioctls.def), the
 * device types (the GICv3, vgic_dev.c).  Behaviour follows
 * arch/arm64/kvm/{arm,mmu}.c; see docs/arm64.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "arm64.h"
#include "arm64_handlers.h"
#include "psci.h"

#define KVMU_IOCTL(req, kind, mode, fn) \
	{ req, KVMU_OBJ_##kind, KVMU_ARG_##mode, #req, fn },
static const struct kvmu_ioctl_desc arm64_ioctls[] = {
#include "ioctls.def"
};
#undef KVMU_IOCTL

static long nr_host_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n;
}

static long arm64_check_extension(struct kvmu_vm *vm, long cap)
{
	switch (cap) {
	case KVM_CAP_IRQCHIP:		/* a GICv3 can be created */
	case KVM_CAP_ONE_REG:
	case KVM_CAP_ARM_PSCI:
	case KVM_CAP_ARM_PSCI_0_2:
	case KVM_CAP_READONLY_MEM:
	case KVM_CAP_MP_STATE:
	case KVM_CAP_VCPU_EVENTS:
	case KVM_CAP_ARM_IRQ_LINE_LAYOUT_2:
	case KVM_CAP_ARM_NISV_TO_USER:
	case KVM_CAP_ARM_INJECT_EXT_DABT:
	case KVM_CAP_VM_ATTRIBUTES:
		return 1;
	case KVM_CAP_ARM_VM_IPA_SIZE:
		return ARM64_IPA_LIMIT;
	case KVM_CAP_MSI_DEVID:
		/* msis_require_devid: only an ITS sets it */
		return vm ? 0 : -EINVAL;
	case KVM_CAP_NR_VCPUS:
		return nr_host_cpus() < ARM64_MAX_VCPUS ? nr_host_cpus() :
		       ARM64_MAX_VCPUS;
	case KVM_CAP_MAX_VCPUS:
	case KVM_CAP_MAX_VCPU_ID:
		return ARM64_MAX_VCPUS;
	default:
		return 0;
	}
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

/* KVM_VM_TYPE_ARM_IPA_SIZE(n): 32 <= n <= the limit, 0 for 40 bits. */
static int arm64_vm_init(struct kvmu_vm *kvm, unsigned long type)
{
	unsigned int bits = (unsigned int)KVMU_VM_TYPE_ARM_IPA_SIZE(type);
	struct arm64_vm *vm;

	if (type & ~KVMU_VM_TYPE_ARM_IPA_SIZE_MASK)
		return -EINVAL;
	if (!bits)
		bits = ARM64_IPA_DEFAULT;
	if (bits > ARM64_IPA_LIMIT || bits < ARM64_IPA_MIN)
		return -EINVAL;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	pthread_mutex_init(&vm->lock, NULL);
	vm->ipa_bits = bits;
	vm->cnt_base_ns = now_ns();
	vm->psci_version = PSCI_VERSION_1_1;
	kvm->arch_data = vm;
	kvm->nr_as = 1;
	kvm->max_vcpus = ARM64_MAX_VCPUS;
	kvm->max_vcpu_id = ARM64_MAX_VCPUS;
	return 0;
}

static void arm64_vm_destroy(struct kvmu_vm *kvm)
{
	struct arm64_vm *vm = arm64_vm(kvm);

	if (!vm)
		return;
	vgic_destroy(kvm);
	arm64_filter_free(vm);
	pthread_mutex_destroy(&vm->lock);
	free(vm);
	kvm->arch_data = NULL;
}

static int arm64_vm_enable_cap(struct kvmu_vm *kvm,
			       const struct kvm_enable_cap *c)
{
	switch (c->cap) {
	case KVM_CAP_ARM_NISV_TO_USER:
		arm64_vm(kvm)->nisv_to_user = true;
		return 0;
	default:
		return -EINVAL;
	}
}

/* A slot must lie inside the IPA space (mmu.c: -EFAULT). */
static int arm64_prepare_memslot(struct kvmu_vm *kvm,
				 const struct kvm_userspace_memory_region *r)
{
	u64 end = r->guest_phys_addr + r->memory_size;

	if (r->memory_size && end > 1ULL << arm64_vm(kvm)->ipa_bits)
		return -EFAULT;
	return 0;
}

/* MPIDR_EL1 as reset_mpidr() builds it from the vCPU id. */
static u64 mpidr_of_id(int id)
{
	u64 u = (u64)id;

	return BIT(31) | (u & 0xf) | ((u >> 4) & 0xff) << 8 |
	       ((u >> 12) & 0xff) << 16;
}

static int arm64_vcpu_init_obj(struct kvmu_vcpu *vcpu)
{
	struct a64_cpu *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	c->vcpu = vcpu;
	c->kvm = vcpu->vm;
	c->vm = arm64_vm(vcpu->vm);
	c->run = (struct kvm_run *)vcpu->run;
	c->sr[SR_MPIDR_EL1] = mpidr_of_id(vcpu->id);
	atomic_init(&c->power, PWR_ON);
	a64_reset(c);
	ret = vgic_vcpu_create(c);	/* EBUSY once the GIC is initialised */
	if (ret) {
		free(c);
		return ret;
	}
	vcpu->arch_data = c;
	return 0;
}

/* kvm_arch_vcpu_run_pid_change: the GIC is mapped at the first run. */
static int arm64_vcpu_run_check(struct kvmu_vcpu *vcpu)
{
	if (!a64_cpu(vcpu)->initialized)
		return -ENOEXEC;
	return vgic_map_resources(vcpu->vm);
}

static void arm64_vcpu_destroy(struct kvmu_vcpu *vcpu)
{
	free(vcpu->arch_data);
	vcpu->arch_data = NULL;
}

long arm64_vm_set_attr(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return arm64_vm_attr((struct kvmu_vm *)obj, r->karg, true);
}

long arm64_vm_has_attr(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return arm64_vm_attr((struct kvmu_vm *)obj, r->karg, false);
}

/* The vCPU with id, or NULL. */
static struct a64_cpu *cpu_by_id(struct kvmu_vm *kvm, int id)
{
	int i, n = atomic_load(&kvm->nr_vcpus);

	for (i = 0; i < n; i++)
		if (kvm->vcpus[i] && kvm->vcpus[i]->id == id)
			return a64_cpu(kvm->vcpus[i]);
	return NULL;
}

/*
 * kvm_vm_ioctl_irq_line: type CPU drives a vCPU's IRQ or FIQ input when
 * there is no in-kernel GIC; SPI and PPI need the GIC (ENXIO without).
 */
static long irq_line(struct kvmu_vm *kvm, const struct kvm_irq_level *l)
{
	u32 irq = l->irq, type = (irq >> KVMU_ARM_IRQ_TYPE_SHIFT) & 0xf;
	u32 num = irq & KVMU_ARM_IRQ_NUM_MASK, bit;
	int id = (int)(((irq >> KVMU_ARM_IRQ_VCPU2_SHIFT) & 0xf) << 8 |
		       ((irq >> KVMU_ARM_IRQ_VCPU_SHIFT) & 0xff));
	bool gic = vgic_of(kvm) != NULL;
	struct a64_cpu *c;

	switch (type) {
	case KVMU_ARM_IRQ_TYPE_CPU:
		if (gic)
			return -ENXIO;
		c = cpu_by_id(kvm, id);
		if (!c || num > KVMU_ARM_IRQ_CPU_FIQ)
			return -EINVAL;
		bit = 1u << num;
		if (l->level)
			atomic_fetch_or(&c->lines, bit);
		else
			atomic_fetch_and(&c->lines, ~bit);
		kvmu_vcpu_wake(c->vcpu);
		return 0;
	case KVMU_ARM_IRQ_TYPE_SPI:
	case KVMU_ARM_IRQ_TYPE_PPI:
		if (!gic)
			return -ENXIO;
		return vgic_irq_line(kvm, type, id, num, l->level != 0);
	default:
		return -EINVAL;
	}
}

long arm64_irq_line(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvm_irq_level l;
	long ret = kvmu_copy_from_user(&l, r->uarg, sizeof(l));

	if (ret)
		return ret;
	ret = irq_line((struct kvmu_vm *)obj, &l);
	/* KVM_IRQ_LINE_STATUS copies the struct back as it came (arm64) */
	if (!ret && r->cmd == KVM_IRQ_LINE_STATUS)
		ret = kvmu_copy_to_user(r->uarg, &l, sizeof(l));
	return ret;
}

/* KVM_CREATE_IRQCHIP makes a GICv2, which kvmu (a GICv3 host) lacks. */
long arm64_create_irqchip(struct kvmu_obj *obj KVMU_UNUSED,
			  struct kvmu_ioctl_req *r KVMU_UNUSED)
{
	return -ENODEV;
}

static const struct kvmu_device_ops *const arm64_devices[] = {
	[KVM_DEV_TYPE_ARM_VGIC_V3] = &vgic_v3_device_ops,
};

const struct kvmu_arch_ops kvmu_arm64_ops = {
	.arch = KVMU_ARCH_ARM64,
	.name = "arm64",
	.vcpu_mmap_pages = 2,		/* kvm_run + the coalesced ring */
	.coalesced_page = 1,
	.pio_page = 0,
	.unknown_vcpu_errno = 0,	/* EINVAL, as kvm_arch_vcpu_ioctl */
	.unknown_vm_errno = EINVAL,	/* as kvm_arch_vm_ioctl */
	.ioctls = arm64_ioctls,
	.nr_ioctls = ARRAY_SIZE(arm64_ioctls),
	.check_extension = arm64_check_extension,
	.vm_init = arm64_vm_init,
	.vm_destroy = arm64_vm_destroy,
	.vm_enable_cap = arm64_vm_enable_cap,
	.vcpu_init = arm64_vcpu_init_obj,
	.vcpu_destroy = arm64_vcpu_destroy,
	.vcpu_run = arm64_vcpu_run,
	.vcpu_run_check = arm64_vcpu_run_check,
	.prepare_memslot = arm64_prepare_memslot,
	.irqchip_capable = true,	/* routing, irqfd: through the GIC */
	.iobus_mmio = true,		/* the GIC, ioeventfds */
	.irqchip_pins = { VGIC_NR_PINS },	/* KVM_IRQCHIP_NUM_PINS */
	.single_as = true,
	.device_types = arm64_devices,
	.nr_device_types = ARRAY_SIZE(arm64_devices),
};
