// SPDX-License-Identifier: MIT
/*
 * libFuzzer target over kvmu's ioctl surface.
 *
 * The input is a small program: one byte picks an operation (open a
 * system fd, create a VM or vCPU, set a memory slot, get/mutate/set vCPU
 * state, MSRs, CPUID, dirty log, coalesced zones, write guest code and
 * KVM_RUN it, raw ioctls with odd requests and pointers, close, dup,
 * scribble on the kvm_run page...), the bytes after it are its arguments.
 * Running out of bytes reads as zeros, so every prefix is a program.
 *
 * What must hold, whatever the input: every call returns >= 0, or -1 with
 * an errno a kernel could give; a bad pointer never succeeds; exits carry
 * sane fields; nothing outside the guest memory slots changes (canary
 * pages around the pool); and once everything is closed and reaped, no
 * descriptor or vCPU mapping remains.  ASan, UBSan and LeakSanitizer
 * catch the rest.
 *
 * Guest memory is a fixed pool this harness owns.  A memory slot whose
 * userspace_addr is not inside it (unmapped, read-only, harness memory)
 * is legal for KVM: the kernel answers EFAULT when the guest touches it.
 * kvmu would touch the address directly, so by default such a slot is
 * deleted right after its creation is checked; KVMU_FUZZ_BAD_HVA=1 keeps
 * it (and the guest may then crash the harness: see docs/fuzzing.md).
 *
 * Every KVM_RUN terminates: a per-thread POSIX timer sends a real-time
 * signal after RUN_SLICE_NS, and the signal mask given to
 * KVM_SET_SIGNAL_MASK never blocks it, so KVM_RUN returns EINTR.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "kvmu/kvmu.h"
#include "kvmu/abi/kvm_common.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#define PG		4096UL
#define POOL_PAGES	32
#define POOL_SIZE	(POOL_PAGES * PG)
#define RO_PAGES	2
#define ARENA_PAGES	4
#define ARENA_SIZE	(ARENA_PAGES * PG)
#define MAX_SYS		2
#define MAX_VMS		3
#define MAX_VCPUS	4
#define MAX_STEPS	256
#define MAX_RUNS	32
#define RUN_SLICE_NS	2000000L
#define CANARY		0x5a
#define CODE_GPA	0x8000UL
#define STACK_GPA	0x1f000UL
#define CLOSED_FD	999	/* never open in this process */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#ifndef KVM_CAP_X86_TRIPLE_FAULT_EVENT
#define KVM_CAP_X86_TRIPLE_FAULT_EVENT 218
#endif

/*
 * The harness's memory, in page order:
 * guard | canary | pool | canary | ro | guard | arena | guard
 */
static struct {
	u8 *base;
	size_t len;
	u8 *canary_lo, *pool, *canary_hi, *ro, *none, *arena, *none2;
	size_t map_size;	/* KVM_GET_VCPU_MMAP_SIZE */
	long ring_page;		/* KVM_CAP_COALESCED_MMIO */
	int null_fd;		/* an fd that is not a kvmu object */
	timer_t timer;
	pid_t timer_tid;
	int tick_sig;
	bool bad_hva;		/* KVMU_FUZZ_BAD_HVA=1 */
	bool trace;		/* KVMU_FUZZ_TRACE=1: print every step */
} G;

/* The input, read front to back; exhausted input reads as zeros. */
struct fdp {
	const u8 *p;
	size_t n;
};

struct fz_vcpu {
	int fd;
	struct kvm_run *run;	/* our mapping; may outlive fd */
};

struct fz {
	struct fdp in;
	int sys[MAX_SYS];
	int vm[MAX_VMS];
	struct fz_vcpu cpu[MAX_VCPUS];
	int runs;
};

static void __attribute__((noreturn, format(printf, 1, 2)))
fz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "fuzz_ioctl: invariant broken: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

/* ---- the input ---- */

static u64 take(struct fdp *f, unsigned int bytes)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < bytes && f->n; i++, f->p++, f->n--)
		v |= (u64)*f->p << (8 * i);
	return v;
}

static unsigned int pick(struct fdp *f, unsigned int n)
{
	return n ? (unsigned int)(take(f, n > 256 ? 2 : 1) % n) : 0;
}

static void fill(struct fdp *f, void *dst, size_t len)
{
	size_t k = len < f->n ? len : f->n;

	memcpy(dst, f->p, k);
	memset((u8 *)dst + k, 0, len - k);
	f->p += k;
	f->n -= k;
}

/* Mostly a value from tab, sometimes eight raw bytes. */
static u64 choose(struct fdp *f, const u64 *tab, size_t n)
{
	unsigned int b = (unsigned int)take(f, 1);

	if (b < 224)
		return tab[b % n];
	return take(f, 8);
}

#define CHOOSE(f, tab) choose((f), (tab), ARRAY_SIZE(tab))

static const u64 any_vals[] = {
	0, 1, 2, 0xff, 0x1000, 0xfff, 0x7fffffff, 0x80000000, 0xffffffff,
	0x100000000ULL, 1ULL << 47, 0x8000000000000000ULL, ~0ULL,
	~0ULL - 0xfff, 0x10, 0x40,
};

/* ---- checked ioctls ---- */

static bool sane_errno(int e)
{
	switch (e) {
	case EPERM: case ENOENT: case EINTR: case EIO: case ENXIO:
	case E2BIG: case EBADF: case EAGAIN: case ENOMEM: case EACCES:
	case EFAULT: case EBUSY: case EEXIST: case ENODEV: case EINVAL:
	case ENFILE: case EMFILE: case ENOTTY: case ENOSPC: case ERANGE:
	case ENOSYS: case EOPNOTSUPP: case ENOBUFS:
		return true;
	default:
		return false;
	}
}

static int xioctl(int fd, unsigned long req, unsigned long arg)
{
	const char *name = kvmu_ioctl_name(KVMU_ARCH_X86_64, req);
	int r;

	errno = 0;
	r = kvmu_ioctl(fd, req, arg);
	if (G.trace)
		fprintf(stderr, "  %s(%d, %#lx) = %d%s%s\n", name ? name : "?",
			fd, arg, r, r < 0 ? " " : "",
			r < 0 ? strerrorname_np(errno) : "");
	if (r < -1 || (r == -1 && !sane_errno(errno)))
		fz_fail("ioctl(%d, %#lx %s, %#lx) = %d, errno %d", fd, req,
			name ? name : "?", arg, r, errno);
	return r;
}

/* A request whose argument must be memory: a bad pointer cannot succeed. */
static void expect_fail(int r, unsigned long req, const char *why)
{
	if (r != -1)
		fz_fail("%s %#lx with %s pointer returned %d",
			kvmu_ioctl_name(KVMU_ARCH_X86_64, req), req, why, r);
}

/* ---- harness memory ---- */

static u8 *arena_tail(size_t len)
{
	return G.arena + ARENA_SIZE - (len < ARENA_SIZE ? len : ARENA_SIZE);
}

/* A pointer argument: valid (ending at a guard page) or a bad one. */
enum { PTR_GOOD, PTR_NULL, PTR_NONE, PTR_RO, PTR_NONCANON, PTR_SMALL,
       PTR_KERNEL, PTR_SHORT, PTR_NR };

static const char *const ptr_names[PTR_NR] = {
	"good", "NULL", "PROT_NONE", "read-only", "non-canonical", "small",
	"kernel", "short",
};

static unsigned long make_ptr(int kind, size_t len)
{
	switch (kind) {
	case PTR_NULL:
		return 0;
	case PTR_NONE:
		return (unsigned long)G.none;
	case PTR_RO:
		return (unsigned long)G.ro;
	case PTR_NONCANON:
		return 0x800000000000UL;
	case PTR_SMALL:
		return 0x100;
	case PTR_KERNEL:
		return 0xffff880000000000UL;
	case PTR_SHORT:	/* the last bytes run into the guard page */
		return (unsigned long)arena_tail(len) + (len > 1 ? len / 2 : 1);
	default:
		return (unsigned long)arena_tail(len);
	}
}

/* Mostly good pointers: the bad ones are cheap to find for the fuzzer. */
static int pick_ptr(struct fdp *f)
{
	unsigned int b = pick(f, 32);

	return b < PTR_NR ? (int)b : PTR_GOOD;
}

static void pool_reset(void)
{
	memset(G.canary_lo, CANARY, PG);
	memset(G.canary_hi, CANARY, PG);
	memset(G.pool, 0xf4, POOL_SIZE);	/* HLT everywhere */
	memset(G.arena, 0, ARENA_SIZE);
}

static void check_canaries(void)
{
	size_t i;

	for (i = 0; i < PG; i++)
		if (G.canary_lo[i] != CANARY || G.canary_hi[i] != CANARY)
			fz_fail("canary page next to guest memory changed at "
				"+%zu", i);
}

static void map_region(u8 *p, size_t pages, int prot)
{
	if (mprotect(p, pages * PG, prot))
		abort();
}

static void memory_init(void)
{
	u8 *p;

	G.len = (1 + 1 + POOL_PAGES + 1 + RO_PAGES + 1 + ARENA_PAGES + 1) * PG;
	G.base = mmap(NULL, G.len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (G.base == MAP_FAILED)
		abort();
	p = G.base + PG;
	G.canary_lo = p;
	G.pool = p + PG;
	G.canary_hi = G.pool + POOL_SIZE;
	G.ro = G.canary_hi + PG;
	G.none = G.ro + RO_PAGES * PG;
	G.arena = G.none + PG;
	G.none2 = G.arena + ARENA_SIZE;
	map_region(G.canary_lo, POOL_PAGES + 2 + RO_PAGES,
		   PROT_READ | PROT_WRITE);
	map_region(G.arena, ARENA_PAGES, PROT_READ | PROT_WRITE);
	memset(G.ro, 0xf4, RO_PAGES * PG);
	map_region(G.ro, RO_PAGES, PROT_READ);
}

/* ---- the KVM_RUN timer ---- */

/* The run page the timer stops, while a KVM_RUN is under way. */
static struct kvm_run *volatile tick_run;
static volatile sig_atomic_t ticked;

/*
 * A tick that lands before KVM_RUN has blocked signals is consumed here,
 * not seen pending by the run loop: immediate_exit covers that window.
 */
static void tick(int sig)
{
	(void)sig;
	ticked = 1;
	if (tick_run)
		tick_run->immediate_exit = 1;
}

/* libFuzzer owns SIGALRM and SIGUSR1/2: use a real-time signal. */
static void timer_setup(void)
{
	struct sigaction sa = { .sa_handler = tick, .sa_flags = SA_RESTART };
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID };
	sigset_t s;

	if (G.timer_tid == gettid())
		return;
	if (G.timer_tid)
		timer_delete(G.timer);
	G.tick_sig = SIGRTMIN + 4;
	sigemptyset(&sa.sa_mask);
	sigaction(G.tick_sig, &sa, NULL);
	sigemptyset(&s);
	sigaddset(&s, G.tick_sig);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	sev.sigev_signo = G.tick_sig;
	sev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &G.timer))
		abort();
	G.timer_tid = gettid();
}

/* Periodic, so that a lost tick cannot leave a KVM_RUN running. */
static void timer_arm(long ns)
{
	struct itimerspec it = { .it_value = { 0, ns },
				 .it_interval = { 0, ns } };

	timer_settime(G.timer, 0, &it, NULL);
}

/* A request that may run the guest, stopped after RUN_SLICE_NS. */
static int timed_ioctl(int fd, struct kvm_run *run, unsigned long req,
		       unsigned long arg)
{
	int r;

	ticked = 0;
	tick_run = run;
	timer_arm(RUN_SLICE_NS);
	r = xioctl(fd, req, arg);
	timer_arm(0);
	tick_run = NULL;
	return r;
}

/* ---- resource accounting ---- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

/* Mappings of vCPU memfds: kvmu's own one goes when the vCPU is freed. */
static int count_vcpu_maps(void)
{
	FILE *m = fopen("/proc/self/maps", "re");
	char line[512];
	int n = 0;

	if (!m)
		return -1;
	while (fgets(line, sizeof(line), m))
		n += strstr(line, "memfd:kvm-vcpu") != NULL;
	fclose(m);
	return n;
}

/* kvmu frees closed objects at its next kvmu_open(): make one happen. */
static void reap(void)
{
	int fd = kvmu_open(KVMU_ARCH_X86_64, 0);

	if (fd < 0)
		fz_fail("kvmu_open failed: errno %d", errno);
	close(fd);
}

/* ---- objects ---- */

static int slot_free(const int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (fds[i] < 0)
			return i;
	return -1;
}

/* One of the live fds of fds[n], or -1 when none is open. */
static int pick_fd(struct fdp *f, const int *fds, int n)
{
	int i, start = (int)pick(f, (unsigned int)n);

	for (i = 0; i < n; i++)
		if (fds[(start + i) % n] >= 0)
			return fds[(start + i) % n];
	return -1;
}

static struct fz_vcpu *pick_vcpu(struct fz *z, struct fdp *f)
{
	int i, start = (int)pick(f, MAX_VCPUS);

	for (i = 0; i < MAX_VCPUS; i++) {
		struct fz_vcpu *c = &z->cpu[(start + i) % MAX_VCPUS];

		if (c->fd >= 0 && c->run)
			return c;
	}
	return NULL;
}

static bool is_ours(const struct fz *z, int fd)
{
	int i;

	for (i = 0; i < MAX_SYS; i++)
		if (z->sys[i] == fd)
			return true;
	for (i = 0; i < MAX_VMS; i++)
		if (z->vm[i] == fd)
			return true;
	for (i = 0; i < MAX_VCPUS; i++)
		if (z->cpu[i].fd == fd)
			return true;
	return fd == G.null_fd;
}

static int open_sys(struct fz *z)
{
	int i = slot_free(z->sys, MAX_SYS), fd;

	if (i < 0)
		return z->sys[0];
	fd = kvmu_open(KVMU_ARCH_X86_64, 0);
	if (fd < 0)
		fz_fail("kvmu_open: errno %d", errno);
	z->sys[i] = fd;
	return fd;
}

static int create_vm(struct fz *z, int sys, unsigned long type)
{
	int i = slot_free(z->vm, MAX_VMS), fd;

	fd = xioctl(sys, KVM_CREATE_VM, type);
	if (fd < 0)
		return -1;
	if (!kvmu_is_object(fd))
		fz_fail("KVM_CREATE_VM returned %d, not a kvmu object", fd);
	if (i < 0) {	/* no room: the creation alone was the test */
		close(fd);
		return -1;
	}
	z->vm[i] = fd;
	return fd;
}

static struct fz_vcpu *create_vcpu(struct fz *z, int vm, unsigned long id)
{
	struct fz_vcpu *c = NULL;
	int i, fd;
	void *m;

	fd = xioctl(vm, KVM_CREATE_VCPU, id);
	if (fd < 0)
		return NULL;
	for (i = 0; i < MAX_VCPUS && !c; i++)
		if (z->cpu[i].fd < 0 && !z->cpu[i].run)
			c = &z->cpu[i];
	if (!c) {
		close(fd);
		return NULL;
	}
	m = mmap(NULL, G.map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		fz_fail("mmap of a vCPU fd failed: errno %d", errno);
	c->fd = fd;
	c->run = m;
	return c;
}

static void close_all(struct fz *z)
{
	int i;

	for (i = 0; i < MAX_VCPUS; i++) {
		if (z->cpu[i].run)
			munmap(z->cpu[i].run, G.map_size);
		if (z->cpu[i].fd >= 0)
			close(z->cpu[i].fd);
	}
	for (i = 0; i < MAX_VMS; i++)
		if (z->vm[i] >= 0)
			close(z->vm[i]);
	for (i = 0; i < MAX_SYS; i++)
		if (z->sys[i] >= 0)
			close(z->sys[i]);
}

/* ---- memory slots ---- */

static const u64 slot_ids[] = {
	0, 1, 2, 3, 0x10000, 0x10001, 0x20000, 32763, 32764, 0xffff, 0x7fff,
	509, 510,
};
static const u64 gpas[] = {
	0, 0, 0x10000, 0x100000, 0xfee00000, 0xfffff000, 1ULL << 40,
	1ULL << 52, ~0ULL - 0xfff, 0x800, 0xc0000, 0xf0000,
};
static const u64 sizes[] = {
	POOL_SIZE, POOL_SIZE, PG, 2 * PG, 16 * PG, 0, 0x800, 1ULL << 30,
	0x7fffffffULL * PG, 0x80000000ULL * PG, ~0ULL - 0xfff, RO_PAGES * PG,
};
static const u64 slot_flags[] = {
	0, 0, KVM_MEM_LOG_DIRTY_PAGES, KVM_MEM_READONLY,
	KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY, KVM_MEM_GUEST_MEMFD, 8,
};

static u64 pick_hva(struct fdp *f)
{
	switch (pick(f, 12)) {
	case 0: return (u64)(uintptr_t)G.ro;
	case 1: return (u64)(uintptr_t)G.none;
	case 2: return (u64)(uintptr_t)G.canary_lo;
	case 3: return 0;
	case 4: return (u64)(uintptr_t)G.pool + 0x800;
	case 5: return (1ULL << 47) - PG;
	case 6: return take(f, 8) & ~(PG - 1);
	case 7: return (u64)(uintptr_t)G.pool + pick(f, POOL_PAGES) * PG;
	default: return (u64)(uintptr_t)G.pool;
	}
}

/* Guest accesses through this slot stay inside memory the guest may own. */
static bool slot_safe(u64 hva, u64 size, u32 flags)
{
	u64 pool = (u64)(uintptr_t)G.pool, ro = (u64)(uintptr_t)G.ro;

	if (hva >= pool && size <= POOL_SIZE && hva - pool <= POOL_SIZE - size)
		return true;
	return (flags & KVM_MEM_READONLY) && hva >= ro &&
	       size <= RO_PAGES * PG && hva - ro <= RO_PAGES * PG - size;
}

static int set_region(int vm, const struct kvm_userspace_memory_region2 *r,
		      bool two)
{
	struct kvm_userspace_memory_region *r1;
	struct kvm_userspace_memory_region2 *r2;

	r1 = (void *)arena_tail(sizeof(*r1));
	r2 = (void *)arena_tail(sizeof(*r2));
	if (two) {
		*r2 = *r;
		return xioctl(vm, KVM_SET_USER_MEMORY_REGION2,
			      (unsigned long)r2);
	}
	memcpy(r1, r, sizeof(*r1));	/* region2 starts with region */
	return xioctl(vm, KVM_SET_USER_MEMORY_REGION, (unsigned long)r1);
}

static void drop_unsafe_slot(int vm, struct kvm_userspace_memory_region2 *r)
{
	if (G.bad_hva || !r->memory_size ||
	    slot_safe(r->userspace_addr, r->memory_size, r->flags))
		return;
	r->memory_size = 0;
	if (set_region(vm, r, false))
		fz_fail("deleting slot %#x failed: errno %d", r->slot, errno);
}

static void op_memslot(struct fz *z, struct fdp *f)
{
	struct kvm_userspace_memory_region2 r = { 0 };
	int vm = pick_fd(f, z->vm, MAX_VMS), kind = pick(f, 8);

	if (vm < 0)
		return;
	r.slot = (u32)CHOOSE(f, slot_ids);
	r.flags = (u32)CHOOSE(f, slot_flags);
	r.guest_phys_addr = CHOOSE(f, gpas);
	r.memory_size = CHOOSE(f, sizes);
	r.userspace_addr = pick_hva(f);
	if (kind == 7) {	/* region2's extra fields, which must be 0 */
		r.guest_memfd = (u32)take(f, 1);
		r.pad2[take(f, 1) % 14] = take(f, 1);
	}
	if (kind == 6) {
		expect_fail(xioctl(vm, KVM_SET_USER_MEMORY_REGION,
				   make_ptr(PTR_NONE, 0)),
			    KVM_SET_USER_MEMORY_REGION, "PROT_NONE");
		return;
	}
	if (!set_region(vm, &r, kind >= 4))
		drop_unsafe_slot(vm, &r);
}

/* ---- vCPU state ---- */

struct getset {
	unsigned long get, set;
};

static const struct getset vcpu_state[] = {
	{ KVM_GET_REGS, KVM_SET_REGS },
	{ KVM_GET_SREGS, KVM_SET_SREGS },
	{ KVM_GET_SREGS2, KVM_SET_SREGS2 },
	{ KVM_GET_FPU, KVM_SET_FPU },
	{ KVM_GET_XSAVE, KVM_SET_XSAVE },
	{ KVM_GET_XSAVE2, KVM_SET_XSAVE },
	{ KVM_GET_XCRS, KVM_SET_XCRS },
	{ KVM_GET_DEBUGREGS, KVM_SET_DEBUGREGS },
	{ KVM_GET_VCPU_EVENTS, KVM_SET_VCPU_EVENTS },
	{ KVM_GET_MP_STATE, KVM_SET_MP_STATE },
};

/* Overwrite a few fields of a valid state: deeper than random bytes. */
static void mutate(struct fdp *f, u8 *buf, size_t size)
{
	unsigned int n = 1 + pick(f, 6);
	size_t off, len;

	while (n--) {
		off = take(f, 2) % size;
		len = 1 + pick(f, 8);
		if (len > size - off)
			len = size - off;
		if (pick(f, 4))
			fill(f, buf + off, len);
		else
			memset(buf + off, pick(f, 2) ? 0xff : 0, len);
	}
}

/* GET into a buffer that ends at a guard page, mutate, SET it back. */
static void op_state(struct fz *z, struct fdp *f)
{
	struct fz_vcpu *c = pick_vcpu(z, f);
	const struct getset *gs = &vcpu_state[pick(f, ARRAY_SIZE(vcpu_state))];
	size_t size = _IOC_SIZE(gs->set);
	u8 *buf = arena_tail(size);
	int r, how = pick(f, 4);

	if (!c)
		return;
	r = xioctl(c->fd, gs->get,
		   (unsigned long)arena_tail(_IOC_SIZE(gs->get)));
	if (r && errno == EFAULT && gs->get != KVM_GET_XSAVE2)
		fz_fail("%s wrote past its %lu-byte argument",
			kvmu_ioctl_name(KVMU_ARCH_X86_64, gs->get),
			_IOC_SIZE(gs->get));
	if (how == 0)
		return;
	if (how == 1 || r)
		fill(f, buf, size);
	else
		mutate(f, buf, size);
	xioctl(c->fd, gs->set, (unsigned long)buf);
}

/* Typed requests on bad pointers: never a success. */
static void op_badptr(struct fz *z, struct fdp *f)
{
	const struct getset *gs = &vcpu_state[pick(f, ARRAY_SIZE(vcpu_state))];
	unsigned long req = pick(f, 2) ? gs->get : gs->set;
	struct fz_vcpu *c = pick_vcpu(z, f);
	int kind = 1 + (int)pick(f, PTR_NR - 1), r;
	size_t size = _IOC_SIZE(req);

	if (!c)
		return;
	if (kind == PTR_SHORT)
		fill(f, arena_tail(size), size);
	r = xioctl(c->fd, req, make_ptr(kind, size));
	/* reading a read-only page is fine; writing it is not */
	if (kind != PTR_RO || (_IOC_DIR(req) & _IOC_READ))
		expect_fail(r, req, ptr_names[kind]);
}

static const u64 msr_idx[] = {
	0x10, 0x1b, 0x3a, 0x8b, 0xce, 0xfe, 0x174, 0x175, 0x176, 0x179,
	0x17a, 0x1a0, 0x1d9, 0x200, 0x277, 0x2ff, 0x400, 0x480, 0x6e0,
	0xc0000080, 0xc0000081, 0xc0000082, 0xc0000083, 0xc0000084,
	0xc0000100, 0xc0000101, 0xc0000102, 0xc0000103, 0xc0010000,
	0x4b564d00, 0x40000000, 0x0, 0xffffffff, 0x800,
};

/* struct kvm_msrs with n entries and a header count that may lie. */
static void op_msrs(struct fz *z, struct fdp *f)
{
	static const u64 counts[] = { 0, 1, 256, 257, 1000, 0x7fffffff,
				      0xffffffff, 4096 };
	unsigned int n = pick(f, 17), i, how = pick(f, 4);
	size_t len = sizeof(struct kvm_msrs) + n * sizeof(struct kvm_msr_entry);
	struct kvm_msrs *m = (void *)arena_tail(len);
	struct fz_vcpu *c = pick_vcpu(z, f);
	int fd = how == 3 ? pick_fd(f, z->sys, MAX_SYS) : c ? c->fd : -1;
	unsigned long req = how == 1 ? KVM_SET_MSRS : KVM_GET_MSRS;
	int r;

	if (fd < 0)
		return;
	m->nmsrs = pick(f, 4) ? n : (u32)CHOOSE(f, counts);
	m->pad = pick(f, 8) ? 0 : (u32)take(f, 4);
	for (i = 0; i < n; i++) {
		m->entries[i].index = (u32)CHOOSE(f, msr_idx);
		m->entries[i].reserved = 0;
		m->entries[i].data = CHOOSE(f, any_vals);
	}
	r = xioctl(fd, req, (unsigned long)m);
	if (r >= 0 && (u32)r > m->nmsrs)
		fz_fail("MSR ioctl did %d of %u entries", r, m->nmsrs);
}

/* KVM_GET_SUPPORTED_CPUID into the arena, then GET/SET_CPUID2 from it. */
static void op_cpuid(struct fz *z, struct fdp *f)
{
	static const u64 counts[] = { 0, 1, 2, 16, 64, 80, 100, 256, 257,
				      0xffffffff };
	size_t room = (ARENA_SIZE - sizeof(struct kvm_cpuid2)) /
		      sizeof(struct kvm_cpuid_entry2);
	struct kvm_cpuid2 *cp = (void *)G.arena;
	struct fz_vcpu *c = pick_vcpu(z, f);
	int sys = pick_fd(f, z->sys, MAX_SYS), how = pick(f, 4), r;
	unsigned long req;
	u32 asked;

	cp->nent = (u32)CHOOSE(f, counts);
	if (sys >= 0 && how != 3) {
		req = pick(f, 4) ? KVM_GET_SUPPORTED_CPUID :
				   KVM_GET_EMULATED_CPUID;
		asked = cp->nent;
		r = xioctl(sys, req, (unsigned long)cp);
		if (!r && cp->nent > asked)
			fz_fail("CPUID list of %u entries in room for %u",
				cp->nent, asked);
	}
	if (!c)
		return;
	if (how == 3)
		fill(f, cp->entries,
		     (size_t)pick(f, 8) * sizeof(cp->entries[0]));
	else if (cp->nent <= room && cp->nent)
		mutate(f, (u8 *)cp->entries, cp->nent * sizeof(cp->entries[0]));
	if (pick(f, 4) == 0)
		cp->nent = (u32)CHOOSE(f, counts);
	req = pick(f, 3) ? KVM_SET_CPUID2 : KVM_GET_CPUID2;
	xioctl(c->fd, req, (unsigned long)cp);
}

/* ---- system and VM ioctls ---- */

static const u64 caps[] = {
	KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, KVM_CAP_EXCEPTION_PAYLOAD,
	KVM_CAP_MSR_PLATFORM_INFO, KVM_CAP_X86_TRIPLE_FAULT_EVENT,
	KVM_CAP_COALESCED_MMIO, KVM_CAP_COALESCED_PIO, KVM_CAP_NR_VCPUS,
	KVM_CAP_MAX_VCPUS, KVM_CAP_MAX_VCPU_ID, KVM_CAP_NR_MEMSLOTS,
	KVM_CAP_MULTI_ADDRESS_SPACE, KVM_CAP_XSAVE2, KVM_CAP_SPLIT_IRQCHIP,
	KVM_CAP_X2APIC_API, KVM_CAP_HLT, KVM_CAP_DIRTY_LOG_RING, 0, 1000,
};

/* KVM_GET_MSR_INDEX_LIST and KVM_GET_MSR_FEATURE_INDEX_LIST. */
static void msr_list(struct fdp *f, int sys, unsigned long req)
{
	static const u64 counts[] = { 0, 1, 8, 64, 1023, 1024, 0xffffffff };
	struct kvm_msr_list *l = (void *)G.arena;
	int kind = pick_ptr(f), r;
	u32 asked;

	l->nmsrs = (u32)CHOOSE(f, counts);
	asked = l->nmsrs;
	if (kind != PTR_GOOD) {
		expect_fail(xioctl(sys, req, make_ptr(kind, 4)), req,
			    ptr_names[kind]);
		return;
	}
	r = xioctl(sys, req, (unsigned long)l);
	if (!r && l->nmsrs > asked)
		fz_fail("MSR list of %u entries in room for %u", l->nmsrs,
			asked);
	if (r && errno == E2BIG && l->nmsrs <= asked)
		fz_fail("E2BIG but the %u MSRs fit in %u", l->nmsrs, asked);
}

static void op_sys(struct fz *z, struct fdp *f)
{
	int sys = pick_fd(f, z->sys, MAX_SYS);
	unsigned long arg = pick(f, 4) ? 0 : CHOOSE(f, any_vals);
	int r;

	if (sys < 0)
		return;
	switch (pick(f, 6)) {
	case 0:
		r = xioctl(sys, KVM_GET_API_VERSION, arg);
		if (!arg && r != 12)
			fz_fail("KVM_GET_API_VERSION = %d", r);
		break;
	case 1:
		r = xioctl(sys, KVM_GET_VCPU_MMAP_SIZE, arg);
		if (!arg && r != (int)G.map_size)
			fz_fail("KVM_GET_VCPU_MMAP_SIZE changed to %d", r);
		break;
	case 2:
		xioctl(sys, KVM_CHECK_EXTENSION, CHOOSE(f, caps));
		break;
	case 3:
		msr_list(f, sys, KVM_GET_MSR_INDEX_LIST);
		break;
	case 4:
		msr_list(f, sys, KVM_GET_MSR_FEATURE_INDEX_LIST);
		break;
	default:
		xioctl(sys, KVM_CHECK_EXTENSION, take(f, 2));
		break;
	}
}

static void enable_cap(struct fdp *f, int fd)
{
	struct kvm_enable_cap *c = (void *)arena_tail(sizeof(*c));
	static const u64 args[] = { 0, 1, 2, 3, 4, ~0ULL };
	int i;

	memset(c, 0, sizeof(*c));
	c->cap = (u32)CHOOSE(f, caps);
	c->flags = pick(f, 8) ? 0 : (u32)take(f, 4);
	for (i = 0; i < 4; i++)
		c->args[i] = pick(f, 2) ? CHOOSE(f, args) : 0;
	xioctl(fd, KVM_ENABLE_CAP, (unsigned long)c);
}

static void op_vm(struct fz *z, struct fdp *f)
{
	int vm = pick_fd(f, z->vm, MAX_VMS), kind;
	struct fz_vcpu *c;
	u64 *p;

	if (vm < 0)
		return;
	switch (pick(f, 5)) {
	case 0:
		enable_cap(f, vm);
		break;
	case 1:
		xioctl(vm, KVM_CHECK_EXTENSION, CHOOSE(f, caps));
		break;
	case 2:
		xioctl(vm, KVM_SET_TSS_ADDR, CHOOSE(f, any_vals));
		break;
	case 3:
		kind = pick_ptr(f);
		p = (u64 *)arena_tail(8);
		*p = CHOOSE(f, any_vals);
		xioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, make_ptr(kind, 8));
		break;
	default:
		c = pick_vcpu(z, f);
		if (c)
			enable_cap(f, c->fd);
		break;
	}
}

static void op_coalesced(struct fz *z, struct fdp *f)
{
	static const u64 addrs[] = { 0x3f8, 0x80, 0xe9, 0x10000, 0x100000,
				     0xfee00000, 0, ~0ULL - 3, CODE_GPA };
	struct kvm_coalesced_mmio_zone *zn = (void *)arena_tail(sizeof(*zn));
	int vm = pick_fd(f, z->vm, MAX_VMS), kind = pick_ptr(f);
	unsigned long req;

	if (vm < 0)
		return;
	req = pick(f, 3) ? KVM_REGISTER_COALESCED_MMIO :
			   KVM_UNREGISTER_COALESCED_MMIO;
	zn->addr = CHOOSE(f, addrs);
	zn->size = (u32)CHOOSE(f, any_vals);
	zn->pio = pick(f, 8) ? pick(f, 2) : (u32)take(f, 4);
	if (kind != PTR_GOOD && kind != PTR_RO)
		expect_fail(xioctl(vm, req, make_ptr(kind, sizeof(*zn))), req,
			    ptr_names[kind]);
	else
		xioctl(vm, req, make_ptr(kind, sizeof(*zn)));
}

/* KVM_GET_DIRTY_LOG / KVM_CLEAR_DIRTY_LOG with the bitmap anywhere. */
static void op_dirty(struct fz *z, struct fdp *f)
{
	static const u64 pages[] = { 0, 1, 63, 64, 128, POOL_PAGES, 4096,
				     0xffffffff };
	struct kvm_clear_dirty_log *cl = (void *)arena_tail(sizeof(*cl));
	struct kvm_dirty_log *dl = (void *)arena_tail(sizeof(*dl));
	int vm = pick_fd(f, z->vm, MAX_VMS), kind = pick_ptr(f);
	size_t len = 8 * (1 + pick(f, 4));
	/* the bitmap sits before the struct, ending where it starts */
	unsigned long bm = kind == PTR_GOOD ?
		(unsigned long)(G.arena + ARENA_SIZE - 64 - len) :
		make_ptr(kind, len);
	u32 slot = (u32)CHOOSE(f, slot_ids);

	if (vm < 0)
		return;
	if (pick(f, 2)) {
		memset(dl, 0, sizeof(*dl));
		dl->slot = slot;
		dl->dirty_bitmap = (void *)bm;
		xioctl(vm, KVM_GET_DIRTY_LOG, (unsigned long)dl);
		return;
	}
	memset(cl, 0, sizeof(*cl));
	cl->slot = slot;
	cl->first_page = CHOOSE(f, pages);
	cl->num_pages = (u32)CHOOSE(f, pages);
	cl->dirty_bitmap = (void *)bm;
	xioctl(vm, KVM_CLEAR_DIRTY_LOG, (unsigned long)cl);
}

/* ---- vCPU odds and ends ---- */

static void op_vcpu_misc(struct fz *z, struct fdp *f)
{
	static const u64 lin[] = { 0, CODE_GPA, 0x1000, 0xfffffffffffff000ULL,
				   0x7ffffffff000ULL, 0x800000000000ULL,
				   POOL_SIZE, 0xfffff000 };
	struct kvm_translation *t = (void *)arena_tail(sizeof(*t));
	struct kvm_guest_debug *d = (void *)arena_tail(sizeof(*d));
	struct kvm_interrupt *irq = (void *)arena_tail(sizeof(*irq));
	struct fz_vcpu *c = pick_vcpu(z, f);

	if (!c)
		return;
	switch (pick(f, 4)) {
	case 0:
		memset(t, 0, sizeof(*t));
		t->linear_address = CHOOSE(f, lin);
		if (!xioctl(c->fd, KVM_TRANSLATE, (unsigned long)t) &&
		    t->valid > 1)
			fz_fail("KVM_TRANSLATE valid = %u", t->valid);
		break;
	case 1:
		irq->irq = pick(f, 4) ? pick(f, 256) : (u32)take(f, 4);
		xioctl(c->fd, KVM_INTERRUPT, (unsigned long)irq);
		break;
	case 2:
		xioctl(c->fd, KVM_NMI, 0);
		break;
	default:
		memset(d, 0, sizeof(*d));
		d->control = pick(f, 4) ? (u32)pick(f, 8) |
			     (pick(f, 2) ? KVM_GUESTDBG_ENABLE : 0) :
			     (u32)take(f, 4);
		if (pick(f, 2))
			fill(f, &d->arch, sizeof(d->arch));
		xioctl(c->fd, KVM_SET_GUEST_DEBUG, (unsigned long)d);
		break;
	}
}

/* Guest code: fuzzed bytes at the entry point or anywhere in the pool. */
static void op_code(struct fdp *f)
{
	size_t len = 1 + pick(f, 64);
	size_t off = pick(f, 4) ? CODE_GPA : take(f, 2) % POOL_SIZE;

	if (len > POOL_SIZE - off)
		len = POOL_SIZE - off;
	fill(f, G.pool + off, len);
}

/* Scribble on the shared kvm_run pages, as a buggy or hostile VMM may. */
static void op_scribble(struct fz *z, struct fdp *f)
{
	static const u64 offs[] = {
		0, 1, 8, 16, offsetof(struct kvm_run, io),
		offsetof(struct kvm_run, io) + 8,
		offsetof(struct kvm_run, mmio),
		offsetof(struct kvm_run, mmio) + 16,
		offsetof(struct kvm_run, kvm_valid_regs), 2 * PG, 2 * PG + 4,
		PG, 2 * PG + 8,
	};
	struct fz_vcpu *c = pick_vcpu(z, f);
	size_t off, len = 1 + pick(f, 16);

	if (!c)
		return;
	off = (size_t)CHOOSE(f, offs) % G.map_size;
	if (len > G.map_size - off)
		len = G.map_size - off;
	fill(f, (u8 *)c->run + off, len);
}

static void op_close(struct fz *z, struct fdp *f)
{
	unsigned int i = pick(f, MAX_VCPUS);
	struct fz_vcpu *c;

	switch (pick(f, 4)) {
	case 0:
		if (z->sys[i % MAX_SYS] >= 0)
			close(z->sys[i % MAX_SYS]);
		z->sys[i % MAX_SYS] = -1;
		break;
	case 1:
		if (z->vm[i % MAX_VMS] >= 0)
			close(z->vm[i % MAX_VMS]);
		z->vm[i % MAX_VMS] = -1;
		break;
	default:	/* the fd, the mapping, or both */
		c = &z->cpu[i];
		if (c->fd >= 0 && pick(f, 3)) {
			close(c->fd);
			c->fd = -1;
		}
		if (c->run && pick(f, 2)) {
			munmap(c->run, G.map_size);
			c->run = NULL;
		}
		break;
	}
}

/* Objects are found by inode: a dup must behave as the original. */
static void op_dup(struct fz *z, struct fdp *f)
{
	unsigned int i = pick(f, MAX_VCPUS);
	int *fd = pick(f, 2) ? &z->vm[i % MAX_VMS] : &z->cpu[i].fd;
	int nfd;

	if (*fd < 0)
		return;
	nfd = fcntl(*fd, F_DUPFD_CLOEXEC, 3 + pick(f, 64));
	if (nfd < 0)
		return;
	if (!kvmu_is_object(nfd))
		fz_fail("dup of a kvmu fd is not an object");
	close(*fd);
	*fd = nfd;
}

/* ---- KVM_RUN ---- */

/* Any mask the fuzzer likes, except one blocking the timer's signal. */
static void set_run_sigmask(struct fdp *f, int fd)
{
	struct {
		u32 len;
		u8 bits[8];
	} __attribute__((packed)) *m = (void *)arena_tail(12);
	u64 bits;

	switch (pick(f, 8)) {
	case 0:
		xioctl(fd, KVM_SET_SIGNAL_MASK, 0);
		break;
	case 1:
		m->len = pick(f, 2) ? (u32)take(f, 4) : 4;
		if (m->len == 8)	/* only case 2 may set a mask */
			m->len = 0;
		if (!xioctl(fd, KVM_SET_SIGNAL_MASK, (unsigned long)m) &&
		    m->len != 8)
			fz_fail("KVM_SET_SIGNAL_MASK took len %u", m->len);
		break;
	case 2:
		bits = take(f, 8) & ~(1ULL << (G.tick_sig - 1));
		m->len = 8;
		memcpy(m->bits, &bits, 8);
		if (xioctl(fd, KVM_SET_SIGNAL_MASK, (unsigned long)m))
			fz_fail("KVM_SET_SIGNAL_MASK failed: errno %d", errno);
		break;
	default:
		break;		/* keep the previous (safe) mask */
	}
}

static void check_io_exit(const struct kvm_run *run)
{
	u64 end = run->io.data_offset + (u64)run->io.size * run->io.count;

	if ((run->io.size != 1 && run->io.size != 2 && run->io.size != 4) ||
	    run->io.direction > KVM_EXIT_IO_OUT || !run->io.count ||
	    run->io.data_offset < sizeof(*run) || end > G.map_size)
		fz_fail("bad KVM_EXIT_IO: dir %u size %u port %#x count %u "
			"offset %llu", run->io.direction, run->io.size,
			run->io.port, run->io.count,
			(unsigned long long)run->io.data_offset);
}

/* Check the exit and answer it; true when the guest may go on. */
static bool handle_exit(struct fdp *f, struct kvm_run *run)
{
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		check_io_exit(run);
		if (run->io.direction == KVM_EXIT_IO_IN)
			fill(f, (u8 *)run + run->io.data_offset,
			     (size_t)run->io.size * run->io.count);
		return true;
	case KVM_EXIT_MMIO:
		if (!run->mmio.len || run->mmio.len > 8 ||
		    run->mmio.is_write > 1)
			fz_fail("bad KVM_EXIT_MMIO: len %u write %u",
				run->mmio.len, run->mmio.is_write);
		if (!run->mmio.is_write)
			fill(f, run->mmio.data, run->mmio.len);
		return true;
	case KVM_EXIT_INTERNAL_ERROR:
		if (run->internal.ndata > ARRAY_SIZE(run->internal.data))
			fz_fail("KVM_EXIT_INTERNAL_ERROR ndata %u",
				run->internal.ndata);
		return false;
	case KVM_EXIT_HLT: case KVM_EXIT_SHUTDOWN: case KVM_EXIT_INTR:
	case KVM_EXIT_DEBUG: case KVM_EXIT_FAIL_ENTRY:
	case KVM_EXIT_SYSTEM_EVENT: case KVM_EXIT_IRQ_WINDOW_OPEN:
		return false;
	default:
		if (run->exit_reason > KVM_EXIT_MEMORY_FAULT)
			fz_fail("unknown exit reason %u", run->exit_reason);
		return false;
	}
}

static void op_run(struct fz *z, struct fdp *f)
{
	struct fz_vcpu *c = pick_vcpu(z, f);
	unsigned int n = 1 + pick(f, 8);
	bool imm;
	int r;

	if (!c)
		return;
	while (n-- && z->runs++ < MAX_RUNS) {
		set_run_sigmask(f, c->fd);
		imm = pick(f, 16) == 0;
		c->run->immediate_exit = imm;
		c->run->request_interrupt_window = pick(f, 16) == 0;
		r = timed_ioctl(c->fd, c->run, KVM_RUN, 0);
		if (G.trace && !r)
			fprintf(stderr, "  exit %s\n",
				kvmu_exit_name(c->run->exit_reason));
		/* immediate_exit leaves exit_reason alone, as in the kernel */
		if (r && errno == EINTR && !imm && !ticked &&
		    c->run->exit_reason != KVM_EXIT_INTR)
			fz_fail("KVM_RUN EINTR with exit reason %u",
				c->run->exit_reason);
		if (r || !handle_exit(f, c->run))
			break;
	}
}

/* ---- raw ioctls ---- */

static const u64 raw_reqs[] = {
	KVM_GET_API_VERSION, KVM_CREATE_VM, KVM_CHECK_EXTENSION,
	KVM_GET_VCPU_MMAP_SIZE, KVM_GET_SUPPORTED_CPUID, KVM_GET_EMULATED_CPUID,
	KVM_GET_MSR_INDEX_LIST, KVM_GET_MSR_FEATURE_INDEX_LIST, KVM_GET_MSRS,
	KVM_SET_MSRS, KVM_CREATE_VCPU, KVM_ENABLE_CAP,
	KVM_CLEAR_DIRTY_LOG, KVM_REGISTER_COALESCED_MMIO,
	KVM_UNREGISTER_COALESCED_MMIO, KVM_SET_TSS_ADDR,
	KVM_SET_IDENTITY_MAP_ADDR, KVM_RUN, KVM_GET_REGS, KVM_SET_REGS,
	KVM_GET_SREGS, KVM_SET_SREGS, KVM_GET_SREGS2, KVM_SET_SREGS2,
	KVM_GET_FPU, KVM_SET_FPU, KVM_GET_XSAVE, KVM_GET_XSAVE2, KVM_SET_XSAVE,
	KVM_GET_XCRS, KVM_SET_XCRS, KVM_GET_DEBUGREGS, KVM_SET_DEBUGREGS,
	KVM_SET_CPUID2, KVM_GET_CPUID2, KVM_GET_VCPU_EVENTS,
	KVM_SET_VCPU_EVENTS, KVM_GET_MP_STATE, KVM_SET_MP_STATE,
	KVM_TRANSLATE, KVM_INTERRUPT, KVM_NMI, KVM_SET_GUEST_DEBUG,
	KVM_CREATE_IRQCHIP, KVM_IRQ_LINE, KVM_GET_LAPIC, KVM_SET_LAPIC,
	KVM_SET_CLOCK, KVM_GET_CLOCK, KVM_SET_TSC_KHZ, KVM_GET_TSC_KHZ,
	KVM_SMI, KVM_KVMCLOCK_CTRL, KVM_GET_NESTED_STATE, KVM_X86_SET_MCE,
	KVM_SET_CPUID, KVM_GET_DIRTY_LOG, KVM_SET_USER_MEMORY_REGION,
};

/*
 * Requests whose argument holds pointers kvmu writes through or memory it
 * maps for the guest: random bytes there would be random pointers into
 * this process, which the kernel would honour too.  The typed operations
 * exercise them; the signal mask must keep the timer's signal.
 */
static bool raw_forbidden(unsigned int req)
{
	return req == (unsigned int)KVM_GET_DIRTY_LOG ||
	       req == (unsigned int)KVM_SET_USER_MEMORY_REGION ||
	       req == (unsigned int)KVM_SET_USER_MEMORY_REGION2 ||
	       req == (unsigned int)KVM_SET_SIGNAL_MASK ||
	       req == (unsigned int)KVM_GET_ONE_REG ||
	       req == (unsigned int)KVM_SET_ONE_REG ||
	       req == (unsigned int)KVM_MEMORY_ENCRYPT_OP;
}

static unsigned long raw_request(struct fdp *f)
{
	u64 req = CHOOSE(f, raw_reqs);

	switch (pick(f, 8)) {
	case 0:		/* another size */
		return (req & ~((u64)_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
		       (take(f, 2) & _IOC_SIZEMASK) << _IOC_SIZESHIFT;
	case 1:		/* another direction */
		return req ^ ((u64)pick(f, 4) << _IOC_DIRSHIFT);
	case 2:
		return (unsigned long)take(f, 4);
	case 3:		/* the upper half is not part of the request */
		return req | (take(f, 4) << 32);
	default:
		return req;
	}
}

/* A raw argument: the arena with fuzzed bytes, a bad pointer, a number. */
static unsigned long raw_arg(struct fdp *f)
{
	unsigned int k = pick(f, 16);

	if (k < PTR_NR && k != PTR_GOOD)
		return make_ptr((int)k, 64);
	if (k == PTR_NR)
		return pick(f, 64);
	fill(f, G.arena, 256 + pick(f, 8) * 512);
	return (unsigned long)(G.arena + (pick(f, 4) ? 0 : pick(f, 64)));
}

static int raw_target(struct fz *z, struct fdp *f)
{
	unsigned int kind = pick(f, 8), i = pick(f, MAX_VCPUS);

	switch (kind) {
	case 0: return z->sys[i % MAX_SYS];
	case 1: case 2: return z->vm[i % MAX_VMS];
	case 3: return G.null_fd;
	case 4: return CLOSED_FD;
	default: return z->cpu[i].fd;
	}
}

/* The run page behind a vCPU fd, if we have it mapped. */
static struct kvm_run *run_of(struct fz *z, int fd)
{
	int i;

	for (i = 0; i < MAX_VCPUS; i++)
		if (fd >= 0 && z->cpu[i].fd == fd)
			return z->cpu[i].run;
	return NULL;
}

static void op_raw(struct fz *z, struct fdp *f)
{
	int fd = raw_target(z, f), r;
	unsigned long req = raw_request(f), arg = raw_arg(f);
	struct kvm_run *run = run_of(z, fd);

	if (raw_forbidden((unsigned int)req))
		return;
	/* KVM_RUN needs the run page to be stopped for sure */
	if ((unsigned int)req == (unsigned int)KVM_RUN && !run)
		return;
	r = timed_ioctl(fd, run, req, arg);
	if (fd == G.null_fd && (r != -1 || errno != ENOTTY))
		fz_fail("ioctl on a non-kvmu fd: %d errno %d", r, errno);
	if ((fd == CLOSED_FD || fd < 0) && (r != -1 || errno != EBADF))
		fz_fail("ioctl on a closed fd: %d errno %d", r, errno);
	/* a request that made a new object: we own its fd now */
	if (r > 2 && !is_ours(z, r) && kvmu_is_object(r))
		close(r);
}

/* ---- a ready-made machine: what most seeds start with ---- */

static void flat_seg(struct kvm_segment *s, u16 sel, u8 type, bool l)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = !l;
	s->l = l;
	s->g = 1;
}

/* Identity-map the first 2M with one large page, tables in the pool. */
static void long_mode(struct kvm_sregs *s)
{
	u64 *pml4 = (u64 *)(G.pool + 0x1000), *pdpt = (u64 *)(G.pool + 0x2000);
	u64 *pd = (u64 *)(G.pool + 0x3000);

	memset(G.pool + 0x1000, 0, 0x3000);
	pml4[0] = 0x2000 | 3;
	pdpt[0] = 0x3000 | 3;
	pd[0] = 0x83;
	flat_seg(&s->cs, 8, 11, true);
	flat_seg(&s->ds, 16, 3, false);
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->cr3 = 0x1000;
	s->cr4 = 0x20;			/* PAE */
	s->cr0 = 0x80000011;		/* PG | ET | PE */
	s->efer = 0x500;		/* LMA | LME */
}

static void set_mode(struct fdp *f, int fd)
{
	struct kvm_sregs *s = (void *)arena_tail(sizeof(*s));
	struct kvm_regs *r = (void *)arena_tail(sizeof(*r));
	unsigned int mode = pick(f, 3);

	if (xioctl(fd, KVM_GET_SREGS, (unsigned long)s))
		return;
	if (mode == 0) {		/* real mode at 0:CODE_GPA */
		s->cs.base = 0;
		s->cs.selector = 0;
	} else if (mode == 1) {		/* flat 32-bit protected mode */
		flat_seg(&s->cs, 8, 11, false);
		flat_seg(&s->ds, 16, 3, false);
		s->es = s->fs = s->gs = s->ss = s->ds;
		s->cr0 |= 1;
	} else {
		long_mode(s);
	}
	s->idt.base = 0x4000;
	s->idt.limit = pick(f, 2) ? 0xfff : 0x3ff;
	xioctl(fd, KVM_SET_SREGS, (unsigned long)s);
	memset(r, 0, sizeof(*r));
	r->rip = CODE_GPA;
	r->rsp = STACK_GPA;
	r->rflags = 2;
	xioctl(fd, KVM_SET_REGS, (unsigned long)r);
}

/* System fd, VM, vCPU 0, the pool at gpa 0, a mode and registers. */
static void op_setup(struct fz *z, struct fdp *f)
{
	struct kvm_userspace_memory_region2 r = { 0 };
	int sys = open_sys(z), vm = pick_fd(f, z->vm, MAX_VMS);
	struct fz_vcpu *c;

	if (vm < 0)
		vm = create_vm(z, sys, 0);
	if (vm < 0)
		return;
	r.flags = pick(f, 2) ? KVM_MEM_LOG_DIRTY_PAGES : 0;
	r.memory_size = POOL_SIZE;
	r.userspace_addr = (u64)(uintptr_t)G.pool;
	set_region(vm, &r, false);
	c = create_vcpu(z, vm, pick(f, 4));
	if (c)
		set_mode(f, c->fd);
}

static void op_create(struct fz *z, struct fdp *f)
{
	static const u64 types[] = { 0, 0, 1, 2, 3, 4, 0x100, ~0UL };
	static const u64 ids[] = { 0, 1, 2, 3, 4095, 4096, 1023, 1024,
				   ~0UL, 0x80000000 };
	int sys = pick_fd(f, z->sys, MAX_SYS), vm;

	switch (pick(f, 3)) {
	case 0:
		open_sys(z);
		break;
	case 1:
		if (sys >= 0)
			create_vm(z, sys, CHOOSE(f, types));
		break;
	default:
		vm = pick_fd(f, z->vm, MAX_VMS);
		if (vm >= 0)
			create_vcpu(z, vm, CHOOSE(f, ids));
		break;
	}
}

/* ---- the program ---- */

typedef void (*fz_op)(struct fz *z, struct fdp *f);

static void op_code_z(struct fz *z, struct fdp *f)
{
	(void)z;
	op_code(f);
}

static const fz_op ops[] = {
	op_setup, op_create, op_memslot, op_state, op_badptr, op_msrs,
	op_cpuid, op_sys, op_vm, op_coalesced, op_dirty, op_vcpu_misc,
	op_code_z, op_run, op_raw, op_close, op_dup, op_scribble,
	op_run, op_state,
};

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *e = getenv("KVMU_FUZZ_BAD_HVA");
	int sys;

	(void)argc;
	(void)argv;
	G.bad_hva = e && !strcmp(e, "1");
	e = getenv("KVMU_FUZZ_TRACE");
	G.trace = e && !strcmp(e, "1");
	memory_init();
	G.null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	sys = kvmu_open(KVMU_ARCH_X86_64, 0);
	if (sys < 0 || G.null_fd < 0)
		abort();
	G.map_size = (size_t)kvmu_ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	G.ring_page = kvmu_ioctl(sys, KVM_CHECK_EXTENSION,
				 KVM_CAP_COALESCED_MMIO);
	close(sys);
	if (G.map_size < PG || G.map_size > 64 * PG)
		abort();
	reap();
	return 0;
}

static void run_program(struct fz *z)
{
	int steps;

	unsigned int op;

	for (steps = 0; z->in.n && steps < MAX_STEPS; steps++) {
		op = pick(&z->in, ARRAY_SIZE(ops));
		if (G.trace)
			fprintf(stderr, "step %d: op %u\n", steps, op);
		ops[op](z, &z->in);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fz z = { .in = { data, size } };
	int fds, maps, i;

	timer_setup();
	for (i = 0; i < MAX_SYS; i++)
		z.sys[i] = -1;
	for (i = 0; i < MAX_VMS; i++)
		z.vm[i] = -1;
	for (i = 0; i < MAX_VCPUS; i++)
		z.cpu[i].fd = -1;
	pool_reset();
	fds = count_fds();
	run_program(&z);
	close_all(&z);
	reap();
	check_canaries();
	if (count_fds() != fds)
		fz_fail("%d fds before the program, %d after", fds,
			count_fds());
	maps = count_vcpu_maps();
	if (maps)
		fz_fail("%d vCPU mappings left after every fd was closed",
			maps);
	return 0;
}
