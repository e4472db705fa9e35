// SPDX-License-Identifier: MIT
/*
 * Faults on guest memory.  A memory slot is the program's own mapping; the
 * program may give an address that is not mapped (or PROT_NONE), or unmap
 * it later.  The kernel then fails KVM_RUN with EFAULT.  Our software CPUs
 * touch slot memory directly, so such an access raises SIGSEGV or SIGBUS
 * in the vCPU thread: a handler recognises an address inside a slot of the
 * VM that thread is running, and jumps back to KVM_RUN, which returns
 * -EFAULT.  Any other fault is passed to the handler that was there before
 * (or the default action), so genuine crashes stay crashes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "kvmu_int.h"

static struct sigaction old_segv, old_bus;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static _Thread_local struct kvmu_fault_frame *current_frame;
static _Thread_local pthread_mutex_t *held_lock;

/* Slot of the running VM that contains host address a, or NULL. */
static const struct kvmu_memslot *slot_of_hva(struct kvmu_vm *vm, u64 a)
{
	int as, i;

	for (as = 0; as < KVMU_MAX_AS; as++) {
		struct kvmu_memslots *s = atomic_load_explicit(
			&vm->slots[as], memory_order_acquire);

		for (i = 0; s && i < s->nr; i++) {
			const struct kvmu_memslot *m = kvmu_memslots_nth(s, i);

			if (a - m->hva < m->size)
				return m;
		}
	}
	return NULL;
}

static void chain(int sig, siginfo_t *si, void *uc)
{
	struct sigaction *old = sig == SIGSEGV ? &old_segv : &old_bus;

	if ((old->sa_flags & SA_SIGINFO) && old->sa_sigaction) {
		old->sa_sigaction(sig, si, uc);
	} else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
	} else {
		/* the faulting access runs again and takes the default */
		signal(sig, SIG_DFL);
	}
}

static void fault_handler(int sig, siginfo_t *si, void *uc)
{
	struct kvmu_fault_frame *f = current_frame;
	const struct kvmu_memslot *m;

	if (f && (m = slot_of_hva(f->vcpu->vm, (u64)(uintptr_t)si->si_addr))) {
		f->gpa = m->gpa + ((u64)(uintptr_t)si->si_addr - m->hva);
		current_frame = NULL;
		siglongjmp(f->jb, 1);
	}
	chain(sig, si, uc);
}

static void install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
}

void kvmu_fault_arm(struct kvmu_fault_frame *f, struct kvmu_vcpu *vcpu)
{
	pthread_once(&install_once, install);
	f->vcpu = vcpu;
	f->gpa = 0;
	held_lock = NULL;
	current_frame = f;
}

void kvmu_fault_disarm(void)
{
	current_frame = NULL;
}

void kvmu_fault_hold(pthread_mutex_t *lock)
{
	held_lock = lock;
}

int kvmu_fault_recover(struct kvmu_fault_frame *f)
{
	struct kvmu_vcpu *vcpu = f->vcpu;

	if (held_lock) {
		pthread_mutex_unlock(held_lock);
		held_lock = NULL;
	}
	if (vcpu->obj.arch->memory_fault_exit) {
		/* KVM_EXIT_MEMORY_FAULT: flags, gpa, size at the exit union */
		u64 *mf = (u64 *)((u8 *)vcpu->map + 32);

		vcpu->run->exit_reason = KVM_EXIT_MEMORY_FAULT;
		mf[0] = 0;
		mf[1] = f->gpa & ~(KVMU_PAGE_SIZE - 1);
		mf[2] = KVMU_PAGE_SIZE;
	}
	return -EFAULT;
}
