// SPDX-License-Identifier: MIT
/*
 * An ordinary multi-threaded /dev/kvm program, one thread per vCPU as QEMU
 * and kvmtool run them, checking what the shim and the core must get right:
 *   - vCPU 0 spins in the guest; SIGUSR1, blocked in the thread but let
 *     through by KVM_SET_SIGNAL_MASK, is sent with pthread_kill: KVM_RUN
 *     returns -1 EINTR / KVM_EXIT_INTR and the signal stays pending;
 *   - vCPU 1 spins; a SIGUSR2 handler sets immediate_exit (QEMU's kick):
 *     KVM_RUN returns EINTR, and the next KVM_RUN returns EINTR at once;
 *   - vCPU 2 executes HLT.  With no in-kernel irqchip KVM_RUN returns
 *     KVM_EXIT_HLT at once (KVM halts in the kernel only with an in-kernel
 *     LAPIC); the thread then waits in user space until kicked;
 *   - vCPU 3 reads guest-physical 0x20000 in a loop while memory slot 1 is
 *     added there, deleted, and added again with other contents: it sees
 *     MMIO exits, then the slot's data, never anything else;
 *   - the other vCPUs run OUT loops, each checking its own counter.
 * Exit status 0 when every check passes; the lines printed are a log, not
 * a transcript (counts and latencies vary).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define NR_VCPUS	6
#define MEM_SIZE	0x10000
#define SLOT1_GPA	0x20000
#define KICKS		3
#define WAIT_NS		(20 * 1000000000LL)

enum role { SPIN_MASK, SPIN_HANDLER, HALT, MEMREAD, LOOP };

static const uint8_t code_loop[] = { 0xe6, 0x10, 0x40, 0xeb, 0xfb };
static const uint8_t code_spin[] = { 0xeb, 0xfe };
static const uint8_t code_hlt[] = { 0xf4, 0xe6, 0x12, 0xeb, 0xfb };
static const uint8_t code_mem[] = { 0xa1, 0x00, 0x00, 0xe7, 0x11, 0xeb, 0xf9 };

struct vcpu {
	int id, fd;
	enum role role;
	struct kvm_run *run;
	pthread_t thread;
	atomic_long exits, intr, hlt, mmio, seen_beef, seen_cafe, errors;
	atomic_int halted;
	long long max_kick_ns;
};

static int sys_fd, vm_fd;
static size_t run_size;
static uint8_t *mem, *slot1;
static struct vcpu vcpus[NR_VCPUS];
static atomic_int stop;
static atomic_int failures;
static __thread struct kvm_run *my_run;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void fail(const char *fmt, const char *what, long v)
{
	printf("FAIL: ");
	printf(fmt, what, v);
	printf("\n");
	atomic_fetch_add(&failures, 1);
}

static void die(const char *what)
{
	printf("FATAL: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void on_usr2(int sig)
{
	(void)sig;
	if (my_run)
		__atomic_store_n(&my_run->immediate_exit, 1, __ATOMIC_RELAXED);
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void set_slot(int slot, uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = (uint32_t)slot, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)hva,
	};

	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r))
		die("KVM_SET_USER_MEMORY_REGION");
}

static void setup_vcpu(struct vcpu *v)
{
	static const uint16_t entry[] = {
		[SPIN_MASK] = 0x1100, [SPIN_HANDLER] = 0x1100,
		[HALT] = 0x1200, [MEMREAD] = 0x1300, [LOOP] = 0x1000,
	};
	struct kvm_sregs s;
	struct kvm_regs r;

	v->fd = ioctl(vm_fd, KVM_CREATE_VCPU, v->id);
	if (v->fd < 0)
		die("KVM_CREATE_VCPU");
	v->run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->fd, 0);
	if (v->run == MAP_FAILED)
		die("mmap vcpu");
	if (ioctl(v->fd, KVM_GET_SREGS, &s))
		die("KVM_GET_SREGS");
	s.cs.base = 0;
	s.cs.selector = 0;
	s.ds = s.es = s.fs = s.gs = s.ss = s.cs;
	s.ds.type = s.es.type = s.fs.type = s.gs.type = s.ss.type = 3;
	if (v->role == MEMREAD) {
		s.ds.selector = SLOT1_GPA >> 4;
		s.ds.base = SLOT1_GPA;
	}
	if (ioctl(v->fd, KVM_SET_SREGS, &s))
		die("KVM_SET_SREGS");
	memset(&r, 0, sizeof(r));
	r.rip = entry[v->role];
	r.rsp = 0x8000;
	r.rflags = 2;
	if (ioctl(v->fd, KVM_SET_REGS, &r))
		die("KVM_SET_REGS");
}

/* vCPU 0: SIGUSR1 blocked in the thread, unblocked inside KVM_RUN. */
static void mask_setup(struct vcpu *v)
{
	struct {
		struct kvm_signal_mask m;
		uint64_t bits;
	} km = { .m.len = 8, .bits = 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (ioctl(v->fd, KVM_SET_SIGNAL_MASK, &km))
		die("KVM_SET_SIGNAL_MASK");
}

static void take_usr1(void)
{
	struct timespec ts = { 5, 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigtimedwait(&set, NULL, &ts) != SIGUSR1)
		fail("%s: SIGUSR1 was not left pending%ld", "", 0);
}

/* One exit of a spinning vCPU: only a kick may end KVM_RUN. */
static void spin_exit(struct vcpu *v, int ret, int err)
{
	if (ret != -1 || err != EINTR || v->run->exit_reason != KVM_EXIT_INTR) {
		fail("vcpu %s: unexpected KVM_RUN result, exit reason %ld",
		     v->role == SPIN_MASK ? "0" : "1", v->run->exit_reason);
		return;
	}
	if (v->role == SPIN_MASK) {
		take_usr1();
	} else {
		/* the handler set immediate_exit: KVM_RUN must not enter */
		if (!v->run->immediate_exit)
			fail("%s: handler did not run before KVM_RUN returned%ld",
			     "vcpu 1", 0);
		errno = 0;
		ret = ioctl(v->fd, KVM_RUN, 0);
		if (ret != -1 || errno != EINTR ||
		    v->run->exit_reason != KVM_EXIT_INTR)
			fail("%s: immediate_exit ignored (ret %ld)", "vcpu 1",
			     ret);
		v->run->immediate_exit = 0;
	}
	atomic_fetch_add(&v->intr, 1);
}

static void halt_exit(struct vcpu *v)
{
	sigset_t set;
	int sig;

	if (v->run->exit_reason == KVM_EXIT_IO && v->run->io.port == 0x12)
		return;
	if (v->run->exit_reason != KVM_EXIT_HLT) {
		fail("%s: exit reason %ld", "vcpu 2", v->run->exit_reason);
		return;
	}
	atomic_fetch_add(&v->hlt, 1);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	atomic_store(&v->halted, 1);
	sigwait(&set, &sig);	/* the VMM's own halt: sleep until kicked */
	atomic_store(&v->halted, 0);
}

static void mem_exit(struct vcpu *v)
{
	struct kvm_run *r = v->run;
	uint16_t val;

	if (r->exit_reason == KVM_EXIT_MMIO && !r->mmio.is_write &&
	    r->mmio.phys_addr == SLOT1_GPA && r->mmio.len == 2) {
		memset(r->mmio.data, 0, sizeof(r->mmio.data));
		atomic_fetch_add(&v->mmio, 1);
		return;
	}
	if (r->exit_reason != KVM_EXIT_IO || r->io.port != 0x11 ||
	    r->io.size != 2) {
		fail("%s: exit reason %ld", "vcpu 3", r->exit_reason);
		return;
	}
	memcpy(&val, (uint8_t *)r + r->io.data_offset, 2);
	if (val == 0xbeef)
		atomic_fetch_add(&v->seen_beef, 1);
	else if (val == 0xcafe)
		atomic_fetch_add(&v->seen_cafe, 1);
	else if (val != 0)
		fail("%s: read %#lx from gpa 0x20000", "vcpu 3", val);
}

static void loop_exit(struct vcpu *v, uint8_t *expect)
{
	struct kvm_run *r = v->run;
	uint8_t val;

	if (r->exit_reason != KVM_EXIT_IO || r->io.port != 0x10 ||
	    r->io.direction != KVM_EXIT_IO_OUT || r->io.size != 1) {
		fail("loop vcpu %s: exit reason %ld", "", r->exit_reason);
		return;
	}
	val = *((uint8_t *)r + r->io.data_offset);
	if (val != *expect)
		atomic_fetch_add(&v->errors, 1);
	*expect = (uint8_t)(val + 1);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	uint8_t expect = 0;
	int ret, err;

	my_run = v->run;
	if (v->role == SPIN_MASK)
		mask_setup(v);
	while (!atomic_load(&stop)) {
		errno = 0;
		ret = ioctl(v->fd, KVM_RUN, 0);
		err = errno;
		atomic_fetch_add(&v->exits, 1);
		if (v->role == SPIN_MASK || v->role == SPIN_HANDLER)
			spin_exit(v, ret, err);
		else if (ret)
			fail("KVM_RUN failed: %s%ld", strerror(err), 0);
		else if (v->role == HALT)
			halt_exit(v);
		else if (v->role == MEMREAD)
			mem_exit(v);
		else
			loop_exit(v, &expect);
	}
	return NULL;
}

/* Wait until *ctr exceeds base; returns the wait in ns, -1 on timeout. */
static long long wait_above(atomic_long *ctr, long base)
{
	long long t0 = now_ns();

	while (atomic_load(ctr) <= base) {
		if (now_ns() - t0 > WAIT_NS)
			return -1;
		usleep(100);
	}
	return now_ns() - t0;
}

static void kick_test(struct vcpu *v, int sig, const char *what)
{
	long long t, max = 0;
	int i;

	for (i = 0; i < KICKS; i++) {
		long base = atomic_load(&v->intr);

		usleep(20000);	/* let it get back into the guest */
		pthread_kill(v->thread, sig);
		t = wait_above(&v->intr, base);
		if (t < 0) {
			fail("%s: no KVM_EXIT_INTR after kick %ld", what, i);
			return;
		}
		if (t > max)
			max = t;
	}
	printf("ok: %s: %d kicks, slowest %lld us\n", what, KICKS, max / 1000);
}

static void halt_test(struct vcpu *v)
{
	int i;

	for (i = 0; i < KICKS; i++) {
		long base = atomic_load(&v->hlt);
		long long t0 = now_ns();

		while (!atomic_load(&v->halted) && now_ns() - t0 < WAIT_NS)
			usleep(100);
		if (!atomic_load(&v->halted)) {
			fail("%s: never reported KVM_EXIT_HLT%ld", "vcpu 2", 0);
			return;
		}
		pthread_kill(v->thread, SIGUSR1);
		if (wait_above(&v->hlt, base) < 0) {
			fail("%s: no HLT after kick %ld", "vcpu 2", i);
			return;
		}
	}
	printf("ok: HLT exits to user space; %d halts kicked\n", KICKS);
}

static void slot_test(struct vcpu *v)
{
	if (wait_above(&v->mmio, 10) < 0)
		return fail("%s: no MMIO exits before the slot%ld", "vcpu 3", 0);
	*(uint16_t *)slot1 = 0xbeef;
	set_slot(1, SLOT1_GPA, 0x1000, slot1);
	if (wait_above(&v->seen_beef, 10) < 0)
		return fail("%s: never read the new slot%ld", "vcpu 3", 0);
	set_slot(1, SLOT1_GPA, 0, slot1);	/* delete */
	if (wait_above(&v->mmio, atomic_load(&v->mmio) + 10) < 0)
		return fail("%s: no MMIO after deleting the slot%ld", "vcpu 3",
			    0);
	*(uint16_t *)(slot1 + 0x1000) = 0xcafe;
	set_slot(1, SLOT1_GPA, 0x1000, slot1 + 0x1000);
	if (wait_above(&v->seen_cafe, 10) < 0)
		return fail("%s: never read the re-added slot%ld", "vcpu 3", 0);
	printf("ok: memory slot added, deleted, re-added while running\n");
}

static void setup(void)
{
	struct sigaction sa = { .sa_handler = on_usr2 };
	long sz;
	int i;

	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (sys_fd < 0) {
		printf("SKIP: cannot open /dev/kvm: %s\n", strerror(errno));
		exit(77);
	}
	vm_fd = ioctl(sys_fd, KVM_CREATE_VM, 0);
	sz = ioctl(sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm_fd < 0 || sz <= 0)
		die("KVM_CREATE_VM");
	run_size = (size_t)sz;
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	slot1 = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || slot1 == MAP_FAILED)
		die("mmap");
	memcpy(mem + 0x1000, code_loop, sizeof(code_loop));
	memcpy(mem + 0x1100, code_spin, sizeof(code_spin));
	memcpy(mem + 0x1200, code_hlt, sizeof(code_hlt));
	memcpy(mem + 0x1300, code_mem, sizeof(code_mem));
	set_slot(0, 0, MEM_SIZE, mem);
	for (i = 0; i < NR_VCPUS; i++) {
		vcpus[i].id = i;
		vcpus[i].role = i < LOOP ? (enum role)i : LOOP;
		setup_vcpu(&vcpus[i]);
	}
}

static void finish(void)
{
	int i;

	atomic_store(&stop, 1);
	for (i = 0; i < NR_VCPUS; i++) {
		struct vcpu *v = &vcpus[i];

		/* spinning and halted vCPUs leave KVM_RUN when kicked */
		while (pthread_tryjoin_np(v->thread, NULL) == EBUSY) {
			if (v->role == SPIN_MASK || v->role == HALT)
				pthread_kill(v->thread, SIGUSR1);
			else if (v->role == SPIN_HANDLER)
				pthread_kill(v->thread, SIGUSR2);
			usleep(1000);
		}
	}
	for (i = LOOP; i < NR_VCPUS; i++) {
		if (atomic_load(&vcpus[i].exits) < 10)
			fail("loop vcpu %s: only %ld exits", "",
			     atomic_load(&vcpus[i].exits));
		if (atomic_load(&vcpus[i].errors))
			fail("loop vcpu %s: %ld out-of-sequence values", "",
			     atomic_load(&vcpus[i].errors));
	}
}

int main(void)
{
	sigset_t set;
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(120);	/* a hang fails the test instead of blocking make */
	setup();
	/* only the vCPU threads take the kicks */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (i = 0; i < NR_VCPUS; i++) {
		if (vcpus[i].role == SPIN_HANDLER || vcpus[i].role == LOOP)
			pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		pthread_create(&vcpus[i].thread, NULL, vcpu_thread, &vcpus[i]);
		pthread_sigmask(SIG_BLOCK, &set, NULL);
	}
	kick_test(&vcpus[SPIN_MASK], SIGUSR1,
		  "pthread_kill + KVM_SET_SIGNAL_MASK");
	kick_test(&vcpus[SPIN_HANDLER], SIGUSR2,
		  "signal handler setting immediate_exit");
	halt_test(&vcpus[HALT]);
	slot_test(&vcpus[MEMREAD]);
	finish();
	for (i = LOOP; i < NR_VCPUS; i++)
		printf("loop vcpu %d: %ld exits\n", i,
		       atomic_load(&vcpus[i].exits));
	printf("%s\n", atomic_load(&failures) ? "FAILED" : "PASSED");
	return atomic_load(&failures) ? 1 : 0;
}
