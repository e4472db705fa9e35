// SPDX-License-Identifier: MIT
/* The fuzzer's harness: input decoding, checked ioctls, memory, timer, objects. */
#define _GNU_SOURCE
#include "fz.h"

struct fz_globals G;

void __attribute__((noreturn, format(printf, 1, 2)))
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

u64 take(struct fdp *f, unsigned int bytes)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < bytes && f->n; i++, f->p++, f->n--)
		v |= (u64)*f->p << (8 * i);
	return v;
}

unsigned int pick(struct fdp *f, unsigned int n)
{
	return n ? (unsigned int)(take(f, n > 256 ? 2 : 1) % n) : 0;
}

void fill(struct fdp *f, void *dst, size_t len)
{
	size_t k = len < f->n ? len : f->n;

	memcpy(dst, f->p, k);
	memset((u8 *)dst + k, 0, len - k);
	f->p += k;
	f->n -= k;
}

/* Mostly a value from tab, sometimes eight raw bytes. */
u64 choose(struct fdp *f, const u64 *tab, size_t n)
{
	unsigned int b = (unsigned int)take(f, 1);

	if (b < 224)
		return tab[b % n];
	return take(f, 8);
}

/* Values worth trying for any integer field. */
const u64 any_vals[] = {
	0, 1, 2, 0xff, 0x1000, 0xfff, 0x7fffffff, 0x80000000, 0xffffffff,
	0x100000000ULL, 1ULL << 47, 0x8000000000000000ULL, ~0ULL,
	~0ULL - 0xfff, 0x10, 0x40,
};

/* ---- checked ioctls ---- */

bool sane_errno(int e)
{
	switch (e) {
	case EPERM: case ENOENT: case EINTR: case EIO: case ENXIO:
	case E2BIG: case EBADF: case EAGAIN: case ENOMEM: case EACCES:
	case EFAULT: case EBUSY: case EEXIST: case ENODEV: case EINVAL:
	case ENFILE: case EMFILE: case ENOTTY: case ENOSPC: case ERANGE:
	case ENOSYS: case EOPNOTSUPP: case ENOBUFS:
	case ENOEXEC:		/* arm64: a vCPU before KVM_ARM_VCPU_INIT */
		return true;
	default:
		return false;
	}
}

int xioctl(int fd, unsigned long req, unsigned long arg)
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
void expect_fail(int r, unsigned long req, const char *why)
{
	if (r != -1)
		fz_fail("%s %#lx with %s pointer returned %d",
			kvmu_ioctl_name(KVMU_ARCH_X86_64, req), req, why, r);
}

/* ---- harness memory ---- */

u8 *arena_tail(size_t len)
{
	return G.arena + ARENA_SIZE - (len < ARENA_SIZE ? len : ARENA_SIZE);
}


const char *const ptr_names[PTR_NR] = {
	"good", "NULL", "PROT_NONE", "read-only", "non-canonical", "small",
	"kernel", "short",
};

unsigned long make_ptr(int kind, size_t len)
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
int pick_ptr(struct fdp *f)
{
	unsigned int b = pick(f, 32);

	return b < PTR_NR ? (int)b : PTR_GOOD;
}

void pool_reset(void)
{
	memset(G.canary_lo, CANARY, PG);
	memset(G.canary_hi, CANARY, PG);
	memset(G.pool, 0xf4, POOL_SIZE);	/* HLT everywhere */
	memset(G.arena, 0, ARENA_SIZE);
}

void check_canaries(void)
{
	size_t i;

	for (i = 0; i < PG; i++)
		if (G.canary_lo[i] != CANARY || G.canary_hi[i] != CANARY)
			fz_fail("canary page next to guest memory changed at "
				"+%zu", i);
}

void map_region(u8 *p, size_t pages, int prot)
{
	if (mprotect(p, pages * PG, prot))
		abort();
}

void memory_init(void)
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
volatile sig_atomic_t ticked;

/*
 * A tick that lands before KVM_RUN has blocked signals is consumed here,
 * not seen pending by the run loop: immediate_exit covers that window.
 */
void tick(int sig)
{
	(void)sig;
	ticked = 1;
	if (tick_run)
		tick_run->immediate_exit = 1;
}

/* libFuzzer owns SIGALRM and SIGUSR1/2: use a real-time signal. */
void timer_setup(void)
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
void timer_arm(long ns)
{
	struct itimerspec it = { .it_value = { 0, ns },
				 .it_interval = { 0, ns } };

	timer_settime(G.timer, 0, &it, NULL);
}

/* A request that may run the guest, stopped after RUN_SLICE_NS. */
int timed_ioctl(int fd, struct kvm_run *run, unsigned long req,
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

int count_fds(void)
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
int count_vcpu_maps(void)
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
void reap(void)
{
	int fd = kvmu_open(KVMU_ARCH_X86_64, 0);

	if (fd < 0)
		fz_fail("kvmu_open failed: errno %d", errno);
	close(fd);
}

/* ---- objects ---- */

int slot_free(const int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (fds[i] < 0)
			return i;
	return -1;
}

/* One of the live fds of fds[n], or -1 when none is open. */
int pick_fd(struct fdp *f, const int *fds, int n)
{
	int i, start = (int)pick(f, (unsigned int)n);

	for (i = 0; i < n; i++)
		if (fds[(start + i) % n] >= 0)
			return fds[(start + i) % n];
	return -1;
}

struct fz_vcpu *pick_vcpu(struct fz *z, struct fdp *f)
{
	int i, start = (int)pick(f, MAX_VCPUS);

	for (i = 0; i < MAX_VCPUS; i++) {
		struct fz_vcpu *c = &z->cpu[(start + i) % MAX_VCPUS];

		if (c->fd >= 0 && c->run)
			return c;
	}
	return NULL;
}

bool is_ours(const struct fz *z, int fd)
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

int open_sys(struct fz *z)
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

int create_vm(struct fz *z, int sys, unsigned long type)
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

struct fz_vcpu *create_vcpu(struct fz *z, int vm, unsigned long id)
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

void close_all(struct fz *z)
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
