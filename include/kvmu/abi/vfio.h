/* SPDX-License-Identifier: MIT */
/*
 * The VFIO and KVM-VFIO ABI that Debian 12's headers (v6.1) lack.  The
 * numbers are the kernel's (include/uapi/linux/vfio.h, kvm.h); everything
 * else comes from the system <linux/vfio.h>.
 */
#ifndef KVMU_ABI_VFIO_H
#define KVMU_ABI_VFIO_H

#include <linux/kvm.h>
#include <linux/vfio.h>

/* KVM_DEV_TYPE_VFIO attribute group: v6.6 renamed GROUP to FILE. */
#ifndef KVM_DEV_VFIO_FILE
#define KVM_DEV_VFIO_FILE		1
#define KVM_DEV_VFIO_FILE_ADD		1
#define KVM_DEV_VFIO_FILE_DEL		2
#endif

/* vfio_ap interrupt indexes: the request (v6.8) and config-change (v6.15). */
#ifndef VFIO_AP_REQ_IRQ_INDEX
#define VFIO_AP_REQ_IRQ_INDEX		0
#define VFIO_AP_CFG_CHG_IRQ_INDEX	1
#define VFIO_AP_NUM_IRQS		2
#endif

#endif /* KVMU_ABI_VFIO_H */
