/* SPDX-License-Identifier: MIT */
/*
 * VM planes: no released kernel has them.  Numbers and layouts follow the
 * April 2025 RFC "[RFC PATCH 00/29] KVM: VM planes" (Paolo Bonzini, kvm.git
 * branch planes-20250401), the only generation with numbers, a kvm_run
 * contract and selftests.  The no-read/no-write/no-execute memory
 * attributes come from the June 2024 Hyper-V VSM RFC (that series' bit
 * values), since the planes RFC adds none.  docs/planes.md lists where the
 * October 2024 document and the June 2026 series differ.
 */
#ifndef KVMU_ABI_PLANES_H
#define KVMU_ABI_PLANES_H

#include <linux/kvm.h>
#include <stddef.h>

#include "kvmu/abi/kvm_common.h"

/* Capabilities (RFC numbers; mainline later reused 239/240 for arm64). */
#define KVMU_CAP_PLANES		239	/* number of planes (x86: 16) */
#define KVMU_CAP_PLANES_FPU	240	/* ENABLE_CAP args[0]=1: shared FPU */

/* The RFC moved KVM_EXIT_TDX to 41 to give planes 40. */
#define KVMU_EXIT_PLANE_EVENT	40

/* VM fd, arg = plane id: returns a plane fd ("kvm-plane"). */
#define KVMU_CREATE_PLANE	_IO(KVMIO, 0xd6)
/* plane fd, arg = fd of a plane-0 vCPU: returns that vCPU's plane fd. */
#define KVMU_CREATE_VCPU_PLANE	_IO(KVMIO, 0xd7)

#define KVMU_MAX_PLANES		16

/* KVM_EXIT_PLANE_EVENT causes. */
#define KVMU_PLANE_EVENT_INTERRUPT	1

/*
 * The first 8 bytes of kvm_run with the RFC's fields in what upstream
 * calls padding1: plane (in: the plane KVM_RUN enters; out: the plane
 * that exited), suspended_planes (out: planes suspended to reach the
 * running one), req_exit_planes (in: an interrupt becoming pending for one
 * of these planes exits with KVM_EXIT_PLANE_EVENT).
 */
struct kvmu_run_planes {
	__u8 request_interrupt_window;
	__u8 immediate_exit;
	__u8 plane;
	__u8 padding1;
	__u16 suspended_planes;
	__u16 req_exit_planes;
	__u32 exit_reason;
};
_Static_assert(offsetof(struct kvmu_run_planes, plane) == 2, "plane");
_Static_assert(offsetof(struct kvmu_run_planes, suspended_planes) == 4,
	       "suspended_planes");
_Static_assert(offsetof(struct kvmu_run_planes, req_exit_planes) == 6,
	       "req_exit_planes");
_Static_assert(offsetof(struct kvmu_run_planes, exit_reason) ==
	       offsetof(struct kvm_run, exit_reason), "exit_reason");

/* The KVM_EXIT_PLANE_EVENT member of the kvm_run exit union (run + 32). */
struct kvmu_plane_event_exit {
	__u16 cause;			/* KVMU_PLANE_EVENT_* */
	__u16 pending_event_planes;	/* planes with an event pending */
	__u16 target;			/* req_exit_planes & pending, a mask */
	__u16 padding;
	__u32 flags;
	__u64 extra[8];
};
_Static_assert(sizeof(struct kvmu_plane_event_exit) == 80, "plane event");
_Static_assert(offsetof(struct kvmu_plane_event_exit, flags) == 8, "flags");
_Static_assert(offsetof(struct kvmu_plane_event_exit, extra) == 16, "extra");

/* The exit union's offset: the plane event sits there. */
#define KVMU_RUN_EXIT_OFFSET	32
_Static_assert(offsetof(struct kvm_run, hw) == KVMU_RUN_EXIT_OFFSET, "union");

static inline struct kvmu_plane_event_exit *
kvmu_run_plane_event(void *run)
{
	return (struct kvmu_plane_event_exit *)((char *)run +
						KVMU_RUN_EXIT_OFFSET);
}

/* The RFC's own names, for programs written against its headers. */
#ifndef KVM_CAP_PLANES
#define KVM_CAP_PLANES			KVMU_CAP_PLANES
#define KVM_CAP_PLANES_FPU		KVMU_CAP_PLANES_FPU
#define KVM_CREATE_PLANE		KVMU_CREATE_PLANE
#define KVM_CREATE_VCPU_PLANE		KVMU_CREATE_VCPU_PLANE
#define KVM_PLANE_EVENT_INTERRUPT	KVMU_PLANE_EVENT_INTERRUPT
#endif
#ifndef KVM_EXIT_PLANE_EVENT
#define KVM_EXIT_PLANE_EVENT		KVMU_EXIT_PLANE_EVENT
#endif

/* KVM_SET_MEMORY_ATTRIBUTES (Linux 6.8 numbers). */
#ifndef KVM_SET_MEMORY_ATTRIBUTES
struct kvm_memory_attributes {
	__u64 address;
	__u64 size;
	__u64 attributes;
	__u64 flags;
};
#define KVM_SET_MEMORY_ATTRIBUTES \
	_IOW(KVMIO, 0xd2, struct kvm_memory_attributes)
#endif
_Static_assert(sizeof(struct kvm_memory_attributes) == 32, "attributes");
#ifndef KVM_MEMORY_ATTRIBUTE_PRIVATE
#define KVM_MEMORY_ATTRIBUTE_PRIVATE	(1ULL << 3)
#endif
/* The Hyper-V VSM RFC's access restrictions; NR needs NW and NX too. */
#define KVMU_MEMORY_ATTRIBUTE_NR	(1ULL << 0)
#define KVMU_MEMORY_ATTRIBUTE_NW	(1ULL << 1)
#define KVMU_MEMORY_ATTRIBUTE_NX	(1ULL << 2)

/* KVM_EXIT_MEMORY_FAULT flags (Linux 6.8; the RWX bits follow VSM). */
#ifndef KVM_MEMORY_EXIT_FLAG_PRIVATE
#define KVM_MEMORY_EXIT_FLAG_PRIVATE	(1ULL << 3)
#endif
#define KVMU_MEMORY_EXIT_FLAG_READ	(1ULL << 0)
#define KVMU_MEMORY_EXIT_FLAG_WRITE	(1ULL << 1)
#define KVMU_MEMORY_EXIT_FLAG_EXEC	(1ULL << 2)

#endif /* KVMU_ABI_PLANES_H */
