/* SPDX-License-Identifier: MIT */
/* The ioctl fuzzer's shared harness: input, memory, objects, checks. */
#ifndef KVMU_FUZZ_FZ_H
#define KVMU_FUZZ_FZ_H

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
struct fz_globals {
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
};
extern struct fz_globals G;

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

/* A pointer argument: valid (ending at a guard page) or a bad one. */
enum { PTR_GOOD, PTR_NULL, PTR_NONE, PTR_RO, PTR_NONCANON, PTR_SMALL,
       PTR_KERNEL, PTR_SHORT, PTR_NR };

/* Pick one value of a table from the input. */
#define CHOOSE(f, tab) choose((f), (tab), ARRAY_SIZE(tab))

/* Values worth trying for any integer field (16 of them). */
extern const u64 any_vals[16];
/* Names of the PTR_* kinds, for traces. */
extern const char *const ptr_names[PTR_NR];

/* Set by the KVM_RUN timer's signal handler. */
extern volatile sig_atomic_t ticked;

/*
 * fz_harness.c: input decoding (take/pick/fill/choose read the program),
 * ioctls checked for sane results, the harness's memory and canaries, the
 * KVM_RUN timer, resource accounting, and object creation and lookup.
 */
void __attribute__((noreturn, format(printf, 1, 2)))
fz_fail(const char *fmt, ...);
u64 take(struct fdp *f, unsigned int bytes);
unsigned int pick(struct fdp *f, unsigned int n);
void fill(struct fdp *f, void *dst, size_t len);
u64 choose(struct fdp *f, const u64 *tab, size_t n);
bool sane_errno(int e);
int xioctl(int fd, unsigned long req, unsigned long arg);
void expect_fail(int r, unsigned long req, const char *why);
u8 *arena_tail(size_t len);
unsigned long make_ptr(int kind, size_t len);
int pick_ptr(struct fdp *f);
void pool_reset(void);
void check_canaries(void);
void map_region(u8 *p, size_t pages, int prot);
void memory_init(void);
void tick(int sig);
void timer_setup(void);
void timer_arm(long ns);
int timed_ioctl(int fd, struct kvm_run *run, unsigned long req,
		       unsigned long arg);
int count_fds(void);
int count_vcpu_maps(void);
void reap(void);
int slot_free(const int *fds, int n);
int pick_fd(struct fdp *f, const int *fds, int n);
struct fz_vcpu *pick_vcpu(struct fz *z, struct fdp *f);
bool is_ours(const struct fz *z, int fd);
int open_sys(struct fz *z);
int create_vm(struct fz *z, int sys, unsigned long type);
struct fz_vcpu *create_vcpu(struct fz *z, int vm, unsigned long id);
void close_all(struct fz *z);

/* fz_ops.c: the program's operations on slots, vCPU state and VMs. */
u64 pick_hva(struct fdp *f);
bool slot_safe(u64 hva, u64 size, u32 flags);
int set_region(int vm, const struct kvm_userspace_memory_region2 *r,
		      bool two);
void drop_unsafe_slot(int vm, struct kvm_userspace_memory_region2 *r);
void op_memslot(struct fz *z, struct fdp *f);
void mutate(struct fdp *f, u8 *buf, size_t size);
void op_state(struct fz *z, struct fdp *f);
void op_badptr(struct fz *z, struct fdp *f);
void op_msrs(struct fz *z, struct fdp *f);
void op_cpuid(struct fz *z, struct fdp *f);
void msr_list(struct fdp *f, int sys, unsigned long req);
void op_sys(struct fz *z, struct fdp *f);
void enable_cap(struct fdp *f, int fd);
void op_vm(struct fz *z, struct fdp *f);
void op_coalesced(struct fz *z, struct fdp *f);
void op_dirty(struct fz *z, struct fdp *f);
void op_irq(struct fz *z, struct fdp *f);
void op_planes(struct fz *z, struct fdp *f);	/* fz_planes.c */
void op_vcpu_misc(struct fz *z, struct fdp *f);
void op_code(struct fdp *f);
void op_scribble(struct fz *z, struct fdp *f);
void op_close(struct fz *z, struct fdp *f);
void op_dup(struct fz *z, struct fdp *f);
/* fz_machine.c: clocks, MSR filter, MCE, MMU pages, stats fds. */
void op_machine(struct fz *z, struct fdp *f);

/* fz_hyperv.c: Hyper-V CPUID, capabilities and synthetic MSRs. */
void op_hyperv(struct fz *z, struct fdp *f);

/* fz_irqchip.c: the x86 in-kernel irqchip, PIT and LAPIC state. */
void op_irqchip(struct fz *z, struct fdp *f);
/* fz_s390.c: an s390 VM driven through Protected Virtualization. */
void op_s390_pv(struct fz *z, struct fdp *f);
/* fz_arm64.c: an arm64 system and its ioctls, opened and closed here */
void op_arm64(struct fz *z, struct fdp *f);

#endif
