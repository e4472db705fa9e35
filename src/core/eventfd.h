/* SPDX-License-Identifier: MIT */
/* irqfd and ioeventfd (eventfd.c), used by the VM ioctls and vm.c. */
#ifndef KVMU_EVENTFD_H
#define KVMU_EVENTFD_H

#include "kvmu_int.h"

/* Flags KVM_IOEVENTFD accepts (KVM_IOEVENTFD_VALID_FLAG_MASK: bits 0-4). */
#define KVMU_IOEVENTFD_VALID_FLAGS	0x1fU

/* Set up and tear down a VM's irqfds and ioeventfds (stops its thread). */
int kvmu_eventfd_vm_init(struct kvmu_vm *vm);
void kvmu_eventfd_vm_destroy(struct kvmu_vm *vm);
/* KVM_IRQFD and KVM_IOEVENTFD after the copy-in: kvm_irqfd/kvm_ioeventfd. */
int kvmu_irqfd(struct kvmu_vm *vm, const struct kvm_irqfd *a);
int kvmu_ioeventfd(struct kvmu_vm *vm, const struct kvm_ioeventfd *a);
/* Tear down irqfds whose eventfd the program has closed (also periodic). */
void kvmu_eventfd_reap(struct kvmu_vm *vm);
void kvmu_eventfd_reap_locked(struct kvmu_eventfds *ev);
/* 0 when fd is an eventfd, -EBADF when closed, -EINVAL otherwise. */
int kvmu_eventfd_get_kind(int fd);
/* Our duplicate of eventfd fd: -EBADF, -EINVAL when not an eventfd. */
int kvmu_eventfd_get(int fd);

#endif /* KVMU_EVENTFD_H */
