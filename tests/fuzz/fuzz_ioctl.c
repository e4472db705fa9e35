// SPDX-License-Identifier: MIT
/*
 * libFuzzer target over kvmu's ioctl surface.
 *
 * The input is a small program: one byte picks an operation (open a
 * system fd, create a VM or vCPU, set a memory slot, get/mutate/set vCPU
 * state, MSRs, CPUID, dirty log, coalesced zones, write guest code and
 * KVM_RUN it, interrupt routing, irqfds and ioeventfds on real eventfds,
 * raw ioctls with odd requests and pointers, close, dup,
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
#include "fz.h"

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
	KVM_GET_IRQCHIP, KVM_SET_IRQCHIP, KVM_CREATE_PIT, KVM_CREATE_PIT2,
	KVM_GET_PIT, KVM_SET_PIT, KVM_GET_PIT2, KVM_SET_PIT2,
	KVM_SET_BOOT_CPU_ID,
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
	op_run, op_state, op_irq, op_machine, op_irqchip, op_s390_pv,
	op_arm64, op_hyperv, op_planes,
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

