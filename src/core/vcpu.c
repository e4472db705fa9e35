// SPDX-License-Identifier: MIT
/*
 * The vCPU object and the architecture-neutral half of KVM_RUN.
 *
 * Signals follow the kernel: during KVM_RUN the thread's mask is the one
 * set with KVM_SET_SIGNAL_MASK (or the caller's own), and a signal that
 * mask lets through makes KVM_RUN return -EINTR with KVM_EXIT_INTR; the
 * signal is then delivered under the caller's mask as the ioctl returns.
 * While the guest runs we block every asynchronous signal and poll for
 * pending ones at check points, so a handler never interrupts the software
 * CPU halfway through an instruction.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "kvmu_int.h"
#include "handlers.h"

/* Check points between two sigpending() calls. */
#define KVMU_SIGNAL_POLL 64

static void vcpu_destroy(struct kvmu_obj *obj)
{
	struct kvmu_vcpu *vcpu = (struct kvmu_vcpu *)obj;

	if (obj->arch->vcpu_destroy)
		obj->arch->vcpu_destroy(vcpu);
	if (vcpu->map)
		munmap(vcpu->map, vcpu->map_size);
	/* the system call itself: the shim's close() would reap again */
	if (vcpu->wake_fd >= 0)
		syscall(SYS_close, vcpu->wake_fd);
	if (vcpu->sig_fd >= 0)
		syscall(SYS_close, vcpu->sig_fd);
	kvmu_stats_free(&vcpu->stats_fd);
	pthread_mutex_destroy(&vcpu->mutex);
	kvmu_obj_put(&vcpu->vm->obj);
	free(vcpu);
}

static bool id_taken(struct kvmu_vm *vm, int id)
{
	int i, n = atomic_load(&vm->nr_vcpus);

	for (i = 0; i < n; i++)
		if (vm->vcpus[i] && vm->vcpus[i]->id == id)
			return true;
	return false;
}

static int vcpu_map(struct kvmu_vcpu *vcpu, int fd)
{
	vcpu->map_size = vcpu->obj.arch->vcpu_mmap_pages * KVMU_PAGE_SIZE;
	vcpu->map = mmap(NULL, vcpu->map_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
	if (vcpu->map == MAP_FAILED) {
		vcpu->map = NULL;
		return -errno;
	}
	vcpu->run = vcpu->map;
	return 0;
}

static int vcpu_setup(struct kvmu_vm *vm, struct kvmu_vcpu *vcpu)
{
	char name[32];
	int fd, ret;

	snprintf(name, sizeof(name), "kvm-vcpu:%d", vcpu->id);
	fd = kvmu_obj_install(&vcpu->obj, name,
			      vm->obj.arch->vcpu_mmap_pages * KVMU_PAGE_SIZE,
			      1);
	if (fd < 0)
		return fd;
	ret = vcpu_map(vcpu, fd);
	if (!ret)
		ret = vm->obj.arch->vcpu_init(vcpu);
	if (ret) {
		/*
		 * Out of the table before the descriptor goes.  When the mmap
		 * failed nothing else holds the memfd: its close evicts it at
		 * once, and a reap (the one below or another thread's) found
		 * the half-made vCPU, destroyed it and dropped its VM
		 * reference, then our caller freed it again.
		 */
		vcpu->obj.destroy = NULL;
		kvmu_obj_closed(&vcpu->obj);
		close(fd);
		kvmu_obj_reap();
		return ret;
	}
	return fd;
}

int kvmu_vcpu_create(struct kvmu_vm *vm, unsigned long id)
{
	struct kvmu_vcpu *vcpu;
	int fd;

	if (id >= (unsigned long)vm->max_vcpu_id)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	fd = -EINVAL;
	if (atomic_load(&vm->nr_vcpus) >= vm->max_vcpus)
		goto out;
	fd = -EEXIST;
	if (id_taken(vm, (int)id))
		goto out;
	fd = -ENOMEM;
	vcpu = calloc(1, sizeof(*vcpu));
	if (!vcpu)
		goto out;
	vcpu->obj.kind = KVMU_OBJ_VCPU;
	vcpu->obj.arch = vm->obj.arch;
	vcpu->obj.destroy = vcpu_destroy;
	vcpu->vm = vm;
	vcpu->id = (int)id;
	vcpu->index = atomic_load(&vm->nr_vcpus);
	vcpu->wake_fd = -1;
	vcpu->sig_fd = -1;
	pthread_mutex_init(&vcpu->mutex, NULL);
	kvmu_obj_ref(&vm->obj);
	fd = vcpu_setup(vm, vcpu);
	if (fd < 0) {
		/* vcpu_setup took it out of the object table */
		if (vcpu->map)
			munmap(vcpu->map, vcpu->map_size);
		kvmu_obj_put(&vm->obj);
		pthread_mutex_destroy(&vcpu->mutex);
		free(vcpu);
		goto out;
	}
	vm->vcpus[vcpu->index] = vcpu;
	atomic_fetch_add(&vm->nr_vcpus, 1);
out:
	pthread_mutex_unlock(&vm->lock);
	return fd;
}

void *kvmu_vcpu_pio_data(struct kvmu_vcpu *vcpu)
{
	return (u8 *)vcpu->map + vcpu->obj.arch->pio_page * KVMU_PAGE_SIZE;
}

/* A signal the run mask lets through is pending for this thread. */
static bool signal_pending(struct kvmu_vcpu *vcpu)
{
	sigset_t p;
	int s;

	if (sigpending(&p))
		return false;
	for (s = 1; s < NSIG; s++)
		if (sigismember(&p, s) == 1 &&
		    sigismember(&vcpu->run_mask, s) != 1)
			return true;
	return false;
}

/* Acknowledge the current memslot generation (the writer waits on it). */
static void observe_slots(struct kvmu_vcpu *vcpu)
{
	u64 gen = __atomic_load_n(&vcpu->vm->slots_generation,
				  __ATOMIC_ACQUIRE);

	if (atomic_load_explicit(&vcpu->seen_generation,
				 memory_order_relaxed) != gen) {
		vcpu->slots_changed = true;
		atomic_store_explicit(&vcpu->seen_generation, gen,
				      memory_order_release);
	}
}

bool kvmu_vcpu_slots_changed(struct kvmu_vcpu *vcpu)
{
	if (unlikely(vcpu->plane0)) {
		/* the runner acknowledges; each plane flushes its own caches */
		u64 gen = __atomic_load_n(&vcpu->vm->slots_generation,
					  __ATOMIC_ACQUIRE);

		observe_slots(vcpu->plane0);
		if (atomic_load(&vcpu->seen_generation) == gen)
			return false;
		atomic_store(&vcpu->seen_generation, gen);
		return true;
	}
	observe_slots(vcpu);
	if (!vcpu->slots_changed)
		return false;
	vcpu->slots_changed = false;
	return true;
}

bool kvmu_vcpu_should_exit(struct kvmu_vcpu *vcpu)
{
	vcpu = kvmu_vcpu_runner(vcpu);
	observe_slots(vcpu);
	if (atomic_exchange_explicit(&vcpu->kick, false, memory_order_acq_rel))
		return signal_pending(vcpu) ||
		       __atomic_load_n(&vcpu->run->immediate_exit,
				       __ATOMIC_RELAXED);
	if (__atomic_load_n(&vcpu->run->immediate_exit, __ATOMIC_RELAXED))
		return true;
	if (++vcpu->poll_count < KVMU_SIGNAL_POLL)
		return false;
	vcpu->poll_count = 0;
	return signal_pending(vcpu);
}

u64 kvmu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

/*
 * Sleeping.  A sleeper polls an eventfd (wakes) and a signalfd of the
 * signals this run lets through: those stay blocked and pending, so they
 * are delivered as KVM_RUN returns, exactly as when the guest runs.  A
 * wake is a flag first and an eventfd write only when the vCPU sleeps;
 * the sleeper sets `sleeping` before it looks at the flag, so either it
 * sees the flag or the waker sees it sleeping (both sequentially
 * consistent): no wake is lost.
 */
static int block_prepare(struct kvmu_vcpu *vcpu)
{
	sigset_t m;
	int s;

	if (vcpu->wake_fd < 0) {
		vcpu->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (vcpu->wake_fd < 0)
			return -errno;
	}
	sigemptyset(&m);
	for (s = 1; s < NSIG; s++)
		if (sigismember(&vcpu->run_mask, s) != 1 && s != SIGKILL &&
		    s != SIGSTOP)
			sigaddset(&m, s);
	if (vcpu->sig_fd >= 0 && !memcmp(&m, &vcpu->sig_fd_mask, sizeof(m)))
		return 0;
	s = signalfd(vcpu->sig_fd, &m, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s < 0)
		return -errno;
	vcpu->sig_fd = s;
	vcpu->sig_fd_mask = m;
	return 0;
}

static void drain(int fd)
{
	u64 v;

	while (read(fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
		;
}

/* One poll until deadline: 1 woken/timed out, 0 look again, -EINTR. */
static int block_once(struct kvmu_vcpu *vcpu, u64 deadline_ns)
{
	struct pollfd p[2] = { { .fd = vcpu->wake_fd, .events = POLLIN },
			       { .fd = vcpu->sig_fd, .events = POLLIN } };
	struct timespec ts, *tp = NULL;
	u64 now;

	if (atomic_load(&vcpu->wake_pending) ||
	    atomic_load_explicit(&vcpu->kick, memory_order_relaxed))
		return 1;
	if (__atomic_load_n(&vcpu->run->immediate_exit, __ATOMIC_RELAXED))
		return -EINTR;
	if (deadline_ns) {
		now = kvmu_now_ns();
		if (now >= deadline_ns)
			return 1;
		ts.tv_sec = (time_t)((deadline_ns - now) / 1000000000ULL);
		ts.tv_nsec = (long)((deadline_ns - now) % 1000000000ULL);
		tp = &ts;
	}
	if (ppoll(p, 2, tp, NULL) < 0)
		return errno == EINTR ? 0 : -errno;
	if (p[1].revents)
		return -EINTR;
	if (p[0].revents)
		drain(vcpu->wake_fd);
	return 0;
}

int kvmu_vcpu_block(struct kvmu_vcpu *vcpu, u64 deadline_ns)
{
	int ret;

	vcpu = kvmu_vcpu_runner(vcpu);
	ret = block_prepare(vcpu);

	if (ret)
		return ret;
	atomic_store(&vcpu->sleeping, true);
	drain(vcpu->wake_fd);
	do
		ret = block_once(vcpu, deadline_ns);
	while (!ret);
	atomic_store(&vcpu->sleeping, false);
	return ret < 0 ? ret : 0;
}

void kvmu_vcpu_wake(struct kvmu_vcpu *vcpu)
{
	u64 one = 1;

	vcpu = kvmu_vcpu_runner(vcpu);
	atomic_store(&vcpu->wake_pending, true);
	if (atomic_load(&vcpu->sleeping) &&
	    write(vcpu->wake_fd, &one, sizeof(one)) < 0)
		return;	/* the counter is full: the sleeper is awake */
}

bool kvmu_vcpu_take_wake(struct kvmu_vcpu *vcpu)
{
	vcpu = kvmu_vcpu_runner(vcpu);
	if (!atomic_load_explicit(&vcpu->wake_pending, memory_order_relaxed))
		return false;
	return atomic_exchange(&vcpu->wake_pending, false);
}

/* Block asynchronous signals; synchronous ones must still crash. */
static void block_async(sigset_t *old)
{
	sigset_t all;

	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	sigdelset(&all, SIGBUS);
	sigdelset(&all, SIGFPE);
	sigdelset(&all, SIGILL);
	sigdelset(&all, SIGTRAP);
	pthread_sigmask(SIG_SETMASK, &all, old);
}

/*
 * The thread was cancelled inside KVM_RUN (glibc's cancel signal gets
 * through pthread_sigmask; xapic_ipi_test cancels asynchronously): it no
 * longer runs the vCPU, so memslot changes must not wait for it.
 */
static void run_cancelled(void *p)
{
	struct kvmu_vcpu *vcpu = p;

	kvmu_fault_disarm();
	atomic_store(&vcpu->in_run, false);
}

/*
 * Run the arch loop on plane (the vCPU itself, or the plane vCPU
 * kvm_run->plane names); a fault on slot memory comes back as -EFAULT.
 */
static int run_guarded(struct kvmu_vcpu *vcpu, struct kvmu_vcpu *plane)
{
	struct kvmu_fault_frame f;
	int ret;

	if (sigsetjmp(f.jb, 0))
		return kvmu_fault_recover(&f);
	kvmu_fault_arm(&f, vcpu);
	pthread_cleanup_push(run_cancelled, vcpu);
	ret = vcpu->obj.arch->vcpu_run(plane);
	pthread_cleanup_pop(0);
	kvmu_fault_disarm();
	return ret;
}

/* Pick the plane kvm_run->plane names (plane.c) and run it. */
static int plane_run(struct kvmu_vcpu *vcpu)
{
	struct kvmu_vcpu *plane = vcpu;
	int ret;

	if (likely(!vcpu->obj.arch->planes))
		return run_guarded(vcpu, vcpu);
	ret = kvmu_plane_enter(vcpu, &plane);
	if (ret)
		return ret > 0 ? 0 : ret;
	return run_guarded(vcpu, plane);
}

long vcpu_run(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vcpu *vcpu = (struct kvmu_vcpu *)obj;
	unsigned int reason;
	sigset_t saved;
	u64 t0;
	int ret;

	if (r->uarg)
		return -EINVAL;
	if (obj->arch->vcpu_run_check) {
		ret = obj->arch->vcpu_run_check(vcpu);
		if (ret)
			return ret;
	}
	t0 = kvmu_now_ns();
	block_async(&saved);
	vcpu->run_mask = vcpu->has_sigmask ? vcpu->sigmask : saved;
	vcpu->immediate = __atomic_load_n(&vcpu->run->immediate_exit,
					  __ATOMIC_ACQUIRE);
	/* written once: vCPU threads must not share a written cache line */
	if (!__atomic_load_n(&vcpu->vm->vcpu_has_run, __ATOMIC_RELAXED))
		__atomic_store_n(&vcpu->vm->vcpu_has_run, true,
				 __ATOMIC_RELAXED);
	atomic_store(&vcpu->run_thread, pthread_self());
	atomic_store(&vcpu->in_run, true);
	vcpu->poll_count = KVMU_SIGNAL_POLL;	/* look at signals at once */
	ret = plane_run(vcpu);
	atomic_store(&vcpu->in_run, false);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	reason = vcpu->run->exit_reason;
	if (reason < ARRAY_SIZE(vcpu->stats.exits))
		vcpu->stats.exits[reason]++;
	vcpu->stats.run_ns += kvmu_now_ns() - t0;
	kvmu_stats_vcpu_refresh(vcpu);
	return ret;
}

long vcpu_set_signal_mask(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vcpu *vcpu = (struct kvmu_vcpu *)obj;
	u32 len;
	u64 bits;
	int ret, s;

	if (!r->uarg) {
		vcpu->has_sigmask = false;
		return 0;
	}
	ret = kvmu_copy_from_user(&len, r->uarg, sizeof(len));
	if (ret)
		return ret;
	if (len != sizeof(bits))
		return -EINVAL;
	ret = kvmu_copy_from_user(&bits, r->uarg + sizeof(len), sizeof(bits));
	if (ret)
		return ret;
	sigemptyset(&vcpu->sigmask);
	for (s = 1; s <= 64 && s < NSIG; s++)
		if (bits & (1ULL << (s - 1)))
			sigaddset(&vcpu->sigmask, s);
	sigdelset(&vcpu->sigmask, SIGKILL);
	sigdelset(&vcpu->sigmask, SIGSTOP);
	vcpu->has_sigmask = true;
	return 0;
}

int kvmu_vcpu_stats(int vcpu_fd, struct kvmu_vcpu_stats *out)
{
	struct kvmu_obj *obj;
	int ret = kvmu_obj_get(vcpu_fd, &obj);

	if (ret) {
		errno = -ret;
		return -1;
	}
	if (obj->kind != KVMU_OBJ_VCPU) {
		kvmu_obj_put(obj);
		errno = EINVAL;
		return -1;
	}
	*out = ((struct kvmu_vcpu *)obj)->stats;
	kvmu_obj_put(obj);
	return 0;
}
