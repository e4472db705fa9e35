/* SPDX-License-Identifier: MIT */
/*
 * The architecture-neutral KVM ABI, plus what Debian 12's <linux/kvm.h>
 * (v6.1) lacks.  Numbers and layouts are the kernel's (its uapi
 * <linux/kvm.h> and Documentation/virt/kvm/api.rst); the definitions are
 * written here from those facts, with size checks.
 */
#ifndef KVMU_ABI_KVM_COMMON_H
#define KVMU_ABI_KVM_COMMON_H

#include <linux/kvm.h>
#include <stddef.h>

/* The fields at the start of struct kvm_run every architecture shares. */
struct kvmu_run_hdr {
	__u8 request_interrupt_window;
	__u8 immediate_exit;
	__u8 padding1[6];
	__u32 exit_reason;
	__u8 ready_for_interrupt_injection;
	__u8 if_flag;
	__u16 flags;
};
_Static_assert(offsetof(struct kvmu_run_hdr, exit_reason) == 8, "run hdr");
_Static_assert(offsetof(struct kvm_run, immediate_exit) == 1, "run hdr");

/* KVM_SET_USER_MEMORY_REGION2 and friends (Linux 6.8). */
#ifndef KVM_SET_USER_MEMORY_REGION2
struct kvm_userspace_memory_region2 {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 guest_memfd_offset;
	__u32 guest_memfd;
	__u32 pad1;
	__u64 pad2[14];
};
#define KVM_SET_USER_MEMORY_REGION2 \
	_IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)
#endif
_Static_assert(sizeof(struct kvm_userspace_memory_region2) == 160, "region2");

#ifndef KVM_MEM_GUEST_MEMFD
#define KVM_MEM_GUEST_MEMFD	(1UL << 2)
#endif
#ifndef KVM_CAP_USER_MEMORY2
#define KVM_CAP_USER_MEMORY2	231
#endif
#ifndef KVM_CAP_MEMORY_FAULT_INFO
#define KVM_CAP_MEMORY_FAULT_INFO 232
#endif
#ifndef KVM_CAP_MEMORY_ATTRIBUTES
#define KVM_CAP_MEMORY_ATTRIBUTES 233
#endif
#ifndef KVM_CAP_GUEST_MEMFD
#define KVM_CAP_GUEST_MEMFD	234
#endif
#ifndef KVM_CAP_VM_TYPES
#define KVM_CAP_VM_TYPES	235
#endif
#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT	39
#endif
#ifndef KVM_EXIT_NOTIFY
#define KVM_EXIT_NOTIFY		37
#endif

/* Page offset of the coalesced ring for architectures the host is not. */
#define KVMU_NO_COALESCED_PAGE	0

#endif /* KVMU_ABI_KVM_COMMON_H */
