// SPDX-License-Identifier: MIT
/*
 * Capabilities every architecture answers the same way.  A capability is
 * reported only where kvmu implements it; everything else is left to the
 * architecture, which answers 0 for what it lacks.
 */
#include "kvmu_int.h"

long kvmu_check_extension_generic(const struct kvmu_arch_ops *arch,
				  struct kvmu_vm *vm, long cap, bool *known)
{

	*known = true;
	switch (cap) {
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
	case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
	case KVM_CAP_INTERNAL_ERROR_DATA:
	case KVM_CAP_CHECK_EXTENSION_VM:
	case KVM_CAP_ENABLE_CAP_VM:
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_SYNC_MMU:
	case KVM_CAP_USER_MEMORY2:
	case KVM_CAP_DEVICE_CTRL:
	case KVM_CAP_BINARY_STATS_FD:
		return 1;
	case KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2:
		return KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE |
		       KVM_DIRTY_LOG_INITIALLY_SET;
	case KVM_CAP_MULTI_ADDRESS_SPACE:
		if (arch->single_as)
			return 0;
		return vm ? vm->nr_as : KVMU_MAX_AS;
	case KVM_CAP_COALESCED_MMIO:
		return (long)arch->coalesced_page;
	case KVM_CAP_COALESCED_PIO:
		return arch->coalesced_page ? 1 : 0;
	case KVM_CAP_IRQ_ROUTING:
		return arch->irqchip_capable ? KVMU_MAX_IRQ_ROUTES : 0;
	case KVM_CAP_IRQFD:
	case KVM_CAP_IRQFD_RESAMPLE:
	case KVM_CAP_SIGNAL_MSI:
		return arch->irqchip_capable;
	case KVM_CAP_IRQ_INJECT_STATUS:
		return arch->irqchip_capable && arch->has_irq_line;
	case KVM_CAP_IOEVENTFD:
	case KVM_CAP_IOEVENTFD_ANY_LENGTH:
		return arch->iobus_pio || arch->iobus_mmio;
	case KVM_CAP_IOEVENTFD_NO_LENGTH:
		/* x86.c's answer; arm64's kernel does not report it */
		return arch->iobus_pio;
	default:
		return kvmu_plane_check_extension(arch, vm, cap, known);
	}
}
