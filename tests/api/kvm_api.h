/* SPDX-License-Identifier: MIT */
/*
 * Portability layer of the API tests.  Every test is compiled twice: with
 * -DKVMU it talks to kvmu (kvmu_open/kvmu_ioctl), without it to the real
 * /dev/kvm.  Both builds print a transcript on stdout that must be byte
 * identical, so nothing host-dependent (fd numbers, pointers, CPUID, TSC,
 * MSR lists) may ever be printed.
 *
 * Nothing here may depend on kvmu's internals: the plain build is an
 * ordinary KVM program built against the system <linux/kvm.h>.
 */
#ifndef KVMU_TESTS_KVM_API_H
#define KVMU_TESTS_KVM_API_H

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef KVMU
#include <kvmu/kvmu.h>
#define KVM_OPEN()	kvmu_open(KVMU_ARCH_X86_64, 0)
#define KVM_IOCTL(fd, req, arg) \
	kvmu_ioctl((fd), (unsigned long)(req), (unsigned long)(arg))
#define KVM_SIDE	"kvmu"
#else
#define KVM_OPEN()	open("/dev/kvm", O_RDWR | O_CLOEXEC)
#define KVM_IOCTL(fd, req, arg) \
	ioctl((fd), (unsigned long)(req), (unsigned long)(arg))
#define KVM_SIDE	"kvm"
#endif

/* What Debian 12's v6.1 <linux/kvm.h> lacks (numbers from Linux 6.8+). */
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
#ifndef KVM_CAP_USER_MEMORY2
#define KVM_CAP_USER_MEMORY2	231
#endif
#ifndef KVM_MEM_GUEST_MEMFD
#define KVM_MEM_GUEST_MEMFD	(1UL << 2)
#endif

#define PAGE	4096UL
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* One transcript line. */
#define T(...) printf(__VA_ARGS__)

static inline void die(const char *what)
{
	printf("FATAL: %s: %s\n", what, strerror(errno));
	exit(1);
}

static inline const char *errno_name(int e)
{
	static const struct { int e; const char *n; } tab[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" },
		{ EIO, "EIO" }, { ENXIO, "ENXIO" }, { E2BIG, "E2BIG" },
		{ EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },
		{ ENOSPC, "ENOSPC" }, { ENOTTY, "ENOTTY" }, { ERANGE, "ERANGE" },
		{ ENOSYS, "ENOSYS" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ ENOEXEC, "ENOEXEC" }, { EMFILE, "EMFILE" },
	};
	static char buf[16];
	size_t i;

	for (i = 0; i < ARRAY_LEN(tab); i++)
		if (tab[i].e == e)
			return tab[i].n;
	snprintf(buf, sizeof(buf), "errno%d", e);
	return buf;
}

/*
 * Print "label -> ret" or "label -> -1 ENAME".  CALL() clears errno before
 * the expression so that a stale errno never leaks into a line.
 */
static inline long show_ret(const char *label, long ret)
{
	int e = errno;

	if (ret == -1)
		T("%s -> -1 %s\n", label, errno_name(e));
	else
		T("%s -> %ld\n", label, ret);
	errno = e;
	return ret;
}
#define CALL(label, expr) show_ret((label), (errno = 0, (long)(expr)))

/* Print a line for a value that is only checked for a property. */
#define SHOW(label, fmt, ...) T("%s: " fmt "\n", (label), __VA_ARGS__)

/* Open the system fd; exit 77 (skip) when the plain build has no /dev/kvm. */
static inline int kvm_open_or_skip(void)
{
	int fd = KVM_OPEN();

	if (fd < 0) {
		printf("SKIP: cannot open " KVM_SIDE ": %s\n", strerror(errno));
		exit(77);
	}
	return fd;
}

/*
 * Skip (exit 77) when the system fd lacks a capability the test needs, as
 * the kernel selftests do.  Prints nothing when present, so transcripts
 * do not depend on it; tests/shell/api_transcripts.sh fails a kvmu skip.
 */
static inline void require_cap(int sys, long cap, const char *name)
{
	if (KVM_IOCTL(sys, KVM_CHECK_EXTENSION, cap) <= 0) {
		printf("SKIP: " KVM_SIDE " lacks KVM_CAP_%s\n", name);
		exit(77);
	}
}
#define REQUIRE_CAP(sys, cap) require_cap((sys), KVM_CAP_##cap, #cap)

/* A VM with one anonymous memslot at gpa 0 and (optionally) one vCPU. */
struct tvm {
	int sys, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
	size_t mem_size;
};

static inline void *alloc_guest(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		die("mmap guest memory");
	return p;
}

static inline void set_slot(int vm, unsigned int slot, unsigned int flags,
			    uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)hva,
	};

	if (KVM_IOCTL(vm, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
}

static inline void tvm_create(struct tvm *t, size_t mem_size)
{
	memset(t, 0, sizeof(*t));
	t->vcpu = -1;
	t->sys = kvm_open_or_skip();
	t->vm = KVM_IOCTL(t->sys, KVM_CREATE_VM, 0);
	if (t->vm < 0)
		die("KVM_CREATE_VM");
	if (mem_size) {
		t->mem = alloc_guest(mem_size);
		t->mem_size = mem_size;
		set_slot(t->vm, 0, 0, 0, mem_size, t->mem);
	}
}

static inline void tvm_add_vcpu(struct tvm *t, unsigned long id)
{
	long sz = KVM_IOCTL(t->sys, KVM_GET_VCPU_MMAP_SIZE, 0);

	t->vcpu = KVM_IOCTL(t->vm, KVM_CREATE_VCPU, id);
	if (t->vcpu < 0)
		die("KVM_CREATE_VCPU");
	if (sz < (long)PAGE)
		die("KVM_GET_VCPU_MMAP_SIZE");
	t->run_size = (size_t)sz;
	t->run = mmap(NULL, t->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      t->vcpu, 0);
	if (t->run == MAP_FAILED)
		die("mmap vcpu");
}

static inline void tvm_destroy(struct tvm *t)
{
	if (t->run)
		munmap(t->run, t->run_size);
	if (t->vcpu >= 0)
		close(t->vcpu);
	close(t->vm);
	close(t->sys);
	if (t->mem)
		munmap(t->mem, t->mem_size);
}

/* Real mode at cs:ip = 0:entry, flat segments from address 0. */
static inline void tvm_real_mode(struct tvm *t, uint64_t entry, uint64_t sp)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	if (KVM_IOCTL(t->vcpu, KVM_GET_SREGS, &s) < 0)
		die("KVM_GET_SREGS");
	s.cs.base = 0;
	s.cs.selector = 0;
	s.ds = s.es = s.fs = s.gs = s.ss = s.cs;
	s.ds.type = s.es.type = s.fs.type = s.gs.type = s.ss.type = 3;
	if (KVM_IOCTL(t->vcpu, KVM_SET_SREGS, &s) < 0)
		die("KVM_SET_SREGS");
	memset(&r, 0, sizeof(r));
	r.rip = entry;
	r.rsp = sp;
	r.rflags = 2;
	if (KVM_IOCTL(t->vcpu, KVM_SET_REGS, &r) < 0)
		die("KVM_SET_REGS");
}

/*
 * Long mode set up the way a VMM does it, through SET_SREGS, with the
 * tables in guest RAM (the slot at gpa 0 must cover 2 MiB): 4-level
 * identity paging of [0, 2M) with 4K pages, a GDT with a 64-bit code
 * segment (0x8) and a data segment (0x10), an IDT of 32 interrupt gates.
 */
static inline void get_sregs(struct tvm *t, struct kvm_sregs *s);

#define LM_GDT		0x500
#define LM_PML4		0x1000
#define LM_PDPT		0x2000
#define LM_PD		0x3000
#define LM_PT		0x4000
#define LM_IDT		0x6000
#define LM_TSS		0x7000
#define PTE_P		1ULL
#define PTE_W		2ULL

static inline void lm_set_pte(struct tvm *t, uint64_t gpa, uint64_t flags)
{
	uint64_t *pt = (uint64_t *)(t->mem + LM_PT);

	pt[gpa >> 12] = (gpa & ~0xfffULL) | flags;
}

static inline void lm_set_gate(struct tvm *t, int vec, uint64_t handler)
{
	uint8_t *g = t->mem + LM_IDT + 16 * vec;
	uint64_t lo = (handler & 0xffff) | (0x8ULL << 16) | (0x8eULL << 40) |
		      ((handler >> 16 & 0xffff) << 48);
	uint64_t hi = handler >> 32;

	memcpy(g, &lo, 8);
	memcpy(g + 8, &hi, 8);
}

static inline void lm_tables(struct tvm *t, uint64_t handler)
{
	static const uint64_t gdt[] = {
		0, 0x00af9a000000ffffULL, 0x00cf92000000ffffULL,
	};
	uint64_t *pml4 = (uint64_t *)(t->mem + LM_PML4);
	uint64_t *pdpt = (uint64_t *)(t->mem + LM_PDPT);
	uint64_t *pd = (uint64_t *)(t->mem + LM_PD);
	int i;

	memcpy(t->mem + LM_GDT, gdt, sizeof(gdt));
	pml4[0] = LM_PDPT | PTE_P | PTE_W;
	pdpt[0] = LM_PD | PTE_P | PTE_W;
	pd[0] = LM_PT | PTE_P | PTE_W;
	for (i = 0; i < 512; i++)
		lm_set_pte(t, (uint64_t)i << 12, PTE_P | PTE_W);
	for (i = 0; i < 32; i++)
		lm_set_gate(t, i, handler);
}

static inline void lm_segment(struct kvm_segment *s, __u16 sel, __u8 type)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->db = type == 11 ? 0 : 1;
	s->l = type == 11;
}

/* Enter long mode at entry with every vector going to handler. */
static inline void tvm_long_mode(struct tvm *t, uint64_t handler,
				 uint64_t entry, uint64_t sp)
{
	struct kvm_regs r = { .rip = entry, .rsp = sp, .rflags = 2 };
	struct kvm_sregs s;

	lm_tables(t, handler);
	get_sregs(t, &s);
	lm_segment(&s.cs, 0x8, 11);
	lm_segment(&s.ds, 0x10, 3);
	s.es = s.fs = s.gs = s.ss = s.ds;
	memset(&s.tr, 0, sizeof(s.tr));
	s.tr.base = LM_TSS;
	s.tr.limit = 0x67;
	s.tr.selector = 0x18;
	s.tr.type = 11;
	s.tr.present = 1;
	memset(&s.ldt, 0, sizeof(s.ldt));
	s.ldt.unusable = 1;
	s.gdt.base = LM_GDT;
	s.gdt.limit = 0x17;
	s.idt.base = LM_IDT;
	s.idt.limit = 32 * 16 - 1;
	s.cr0 = 0x80010033;	/* PG WP NE ET MP PE */
	s.cr3 = LM_PML4;
	s.cr4 = 0x20;		/* PAE */
	s.efer = 0x500;		/* LMA LME */
	if (KVM_IOCTL(t->vcpu, KVM_SET_SREGS, &s) < 0)
		die("KVM_SET_SREGS long mode");
	if (KVM_IOCTL(t->vcpu, KVM_SET_REGS, &r) < 0)
		die("KVM_SET_REGS");
}

/* Copy code to gpa. */
static inline void put_code(struct tvm *t, uint64_t gpa, const uint8_t *c,
			    size_t n)
{
	memcpy(t->mem + gpa, c, n);
}

static inline const char *exit_name(unsigned int nr)
{
	static const char *const names[] = {
		"UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT",
		"MMIO", "IRQ_WINDOW_OPEN", "SHUTDOWN", "FAIL_ENTRY", "INTR",
		"SET_TPR", "TPR_ACCESS", "S390_SIEIC", "S390_RESET", "DCR",
		"NMI", "INTERNAL_ERROR",
	};
	static char buf[24];

	if (nr < ARRAY_LEN(names))
		return names[nr];
	snprintf(buf, sizeof(buf), "exit%u", nr);
	return buf;
}

static inline void print_bytes(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		T("%s%02x", i ? " " : "", p[i]);
}

/*
 * Print an exit with the fields that define it.  For IN the data bytes
 * are what the kernel left there before user space filled them: not part
 * of the contract, so only OUT data is printed.
 */
static inline void print_exit(const struct kvm_run *run)
{
	T("exit %s", exit_name(run->exit_reason));
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		T(" %s size=%u port=0x%x count=%u data_offset=%llu",
		  run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
		  run->io.size, run->io.port, run->io.count,
		  (unsigned long long)run->io.data_offset);
		if (run->io.direction == KVM_EXIT_IO_OUT) {
			T(" data=");
			print_bytes((const uint8_t *)run + run->io.data_offset,
				    (size_t)run->io.size * run->io.count);
		}
		break;
	case KVM_EXIT_MMIO:
		T(" %s addr=0x%llx len=%u", run->mmio.is_write ? "write" : "read",
		  (unsigned long long)run->mmio.phys_addr, run->mmio.len);
		if (run->mmio.is_write) {
			T(" data=");
			print_bytes(run->mmio.data,
				    run->mmio.len <= 8 ? run->mmio.len : 8);
		}
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		T(" suberror=%u", run->internal.suberror);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		T(" reason=0x%llx", (unsigned long long)
		  run->fail_entry.hardware_entry_failure_reason);
		break;
	default:
		break;
	}
	T("\n");
}

/* KVM_RUN once and print the result and the exit. */
static inline long run_once(struct tvm *t)
{
	long r;

	errno = 0;
	r = KVM_IOCTL(t->vcpu, KVM_RUN, 0);
	if (r < 0)
		T("KVM_RUN -> -1 %s, ", errno_name(errno));
	print_exit(t->run);
	return r;
}

/* Fill the data of an IN exit with bytes start, start+1, ... */
static inline void fill_in_data(struct kvm_run *run, uint8_t start)
{
	uint8_t *p = (uint8_t *)run + run->io.data_offset;
	size_t i, n = (size_t)run->io.size * run->io.count;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(start + i);
}

/*
 * Run until HLT, anything unexpected, or max exits.  IN data and MMIO read
 * data are answered with counting patterns (0xa0.., 0xb0..) that are
 * printed, so the guest's echo of them can be checked in the transcript.
 * Returns the last exit reason, or -1 when KVM_RUN failed.
 */
static inline int run_to_hlt(struct tvm *t, int max)
{
	uint8_t in_seed = 0xa0, mmio_seed = 0xb0;
	struct kvm_run *run = t->run;
	int i;

	for (i = 0; i < max; i++) {
		if (run_once(t) < 0)
			return -1;
		if (run->exit_reason == KVM_EXIT_IO &&
		    run->io.direction == KVM_EXIT_IO_IN) {
			fill_in_data(run, in_seed);
			T("  fill ");
			print_bytes((uint8_t *)run + run->io.data_offset,
				    (size_t)run->io.size * run->io.count);
			T("\n");
			in_seed += 0x10;
		} else if (run->exit_reason == KVM_EXIT_MMIO &&
			   !run->mmio.is_write) {
			for (unsigned int k = 0; k < 8; k++)
				run->mmio.data[k] = (uint8_t)(mmio_seed + k);
			T("  fill ");
			print_bytes(run->mmio.data, run->mmio.len);
			T("\n");
			mmio_seed += 0x10;
		} else if (run->exit_reason != KVM_EXIT_IO &&
			   run->exit_reason != KVM_EXIT_MMIO) {
			return (int)run->exit_reason;
		}
	}
	T("too many exits\n");
	return -1;
}

static inline void get_regs(struct tvm *t, struct kvm_regs *r)
{
	if (KVM_IOCTL(t->vcpu, KVM_GET_REGS, r) < 0)
		die("KVM_GET_REGS");
}

static inline void get_sregs(struct tvm *t, struct kvm_sregs *s)
{
	if (KVM_IOCTL(t->vcpu, KVM_GET_SREGS, s) < 0)
		die("KVM_GET_SREGS");
}

#endif /* KVMU_TESTS_KVM_API_H */
