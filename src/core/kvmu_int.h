/* SPDX-License-Identifier: MIT */
/*
 * kvmu internals: the object model shared by the core and the architectures.
 * Every function returns 0 or a negative errno unless it says otherwise.
 */
#ifndef KVMU_INT_H
#define KVMU_INT_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kvmu/kvmu.h"
#include "kvmu/abi/kvm_common.h"
#include "kvmu/abi/planes.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define KVMU_PAGE_SIZE		4096ULL
#define KVMU_PAGE_SHIFT		12
#define KVMU_MAX_VCPUS		1024
#define KVMU_MAX_VCPU_ID	4096
#define KVMU_MAX_AS		2
#define KVMU_MAX_COALESCED_ZONES 1000
#define KVMU_MEM_MAX_NR_PAGES	((1ULL << 31) - 1)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define KVMU_UNUSED __attribute__((unused))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

enum kvmu_kind {
	KVMU_OBJ_SYSTEM,
	KVMU_OBJ_VM,
	KVMU_OBJ_VCPU,
	KVMU_OBJ_DEVICE,
	KVMU_OBJ_PLANE,
	KVMU_OBJ_STATS,
	KVMU_OBJ_VFIO_CONTAINER,	/* /dev/vfio/vfio (src/vfio/) */
	KVMU_OBJ_VFIO_GROUP,		/* /dev/vfio/<N> */
	KVMU_OBJ_VFIO_DEVICE,		/* VFIO_GROUP_GET_DEVICE_FD */
	KVMU_OBJ_NR
};

struct kvmu_obj;
struct kvmu_vm;
struct kvmu_vcpu;
struct kvmu_arch_ops;
struct kvmu_host_mdev;
struct kvmu_device;
struct kvmu_io_bus;
struct kvmu_irq;
struct kvmu_eventfds;

#include "iobus.h"
#include "irq.h"

/* How the ioctl dispatcher moves an argument between caller and handler. */
enum kvmu_argmode {
	KVMU_ARG_VAL,		/* arg is a value, passed through */
	KVMU_ARG_IN,		/* copy _IOC_SIZE bytes in */
	KVMU_ARG_OUT,		/* copy _IOC_SIZE bytes out on success */
	KVMU_ARG_INOUT,		/* both */
	KVMU_ARG_PTR,		/* handler copies itself (variable length) */
};

/* One ioctl request as the handler sees it. */
struct kvmu_ioctl_req {
	unsigned int cmd;
	unsigned long uarg;	/* the caller's argument (value or pointer) */
	void *karg;		/* kernel-side copy for IN/OUT/INOUT modes */
};

typedef long (*kvmu_ioctl_fn)(struct kvmu_obj *obj, struct kvmu_ioctl_req *r);

/* One line of an ioctl table (generated from the .def lists). */
struct kvmu_ioctl_desc {
	unsigned int cmd;
	u8 kind;		/* enum kvmu_kind */
	u8 mode;		/* enum kvmu_argmode */
	const char *name;
	kvmu_ioctl_fn fn;
};

/* Every fd-backed object starts with this header. */
struct kvmu_obj {
	enum kvmu_kind kind;
	atomic_int refs;
	int watch;			/* inotify watch of the fd's inode */
	dev_t dev;
	ino_t ino;
	pid_t owner;			/* creating process; others get EIO */
	const struct kvmu_arch_ops *arch;
	struct kvmu_obj *hash_next;
	void (*destroy)(struct kvmu_obj *obj);	/* last reference dropped */
	void (*closed)(struct kvmu_obj *obj);	/* every fd and mapping gone */
};

/* A memory slot; immutable once published in a kvmu_memslots snapshot. */
struct kvmu_memslot {
	u64 gpa;
	u64 size;
	u64 hva;
	u32 flags;
	u16 id;
	u16 as_id;
	_Atomic(unsigned long) *dirty;	/* dirty bitmap (shared across snapshots) */
	size_t dirty_longs;
};

/*
 * A published, read-only view of one address space's slots, sorted by gpa:
 * chunks of up to KVMU_SLOT_CHUNK slots, so that a change copies one or two
 * chunks and the chunk index, not every slot (the kernel's 32764 slots).
 * Unchanged chunks are shared between snapshots.
 */
#define KVMU_SLOT_CHUNK 64
struct kvmu_memslot_chunk {
	int nr;
	struct kvmu_memslot slots[KVMU_SLOT_CHUNK];
};
struct kvmu_memslot_top {
	u64 first;			/* gpa of the chunk's first slot */
	int before;			/* slots in the chunks before this */
	struct kvmu_memslot_chunk *c;
};
struct kvmu_memslots {
	u64 generation;
	int nr;				/* slots */
	int nr_chunks;			/* none of them empty */
	struct kvmu_memslot_top top[];
};

/* A binary statistics block (stats.c): one memfd, its data mapped. */
struct kvmu_stats {
	int fd;
	void *map;
	size_t map_size;
	u64 *data;
};

struct kvmu_coalesced_zone {
	u64 addr;
	u32 size;
	u32 pio;
};

struct kvmu_vm {
	struct kvmu_obj obj;
	pthread_mutex_t lock;		/* vCPU creation, caps, zones */
	pthread_mutex_t slots_lock;	/* memslot writers */
	unsigned long type;
	_Atomic(struct kvmu_memslots *) slots[KVMU_MAX_AS];
	struct kvmu_memslot *slot_ids[KVMU_MAX_AS]; /* by id, under slots_lock */
	u64 slots_generation;
	struct kvmu_vcpu *vcpus[KVMU_MAX_VCPUS];
	atomic_int nr_vcpus;
	int max_vcpus;
	int max_vcpu_id;
	int nr_as;			/* address spaces (x86: 2, for SMM) */
	bool manual_dirty_protect;
	bool dirty_initially_set;	/* KVM_DIRTY_LOG_INITIALLY_SET */
	bool vcpu_has_run;
	int nr_zones;
	struct kvmu_coalesced_zone zones[KVMU_MAX_COALESCED_ZONES];
	pthread_mutex_t ring_lock;	/* coalesced ring writers */
	struct kvmu_device *devices;	/* KVM_CREATE_DEVICE, under lock */
	pthread_mutex_t bus_lock;	/* I/O bus writers */
	_Atomic(struct kvmu_io_bus *) buses[KVMU_BUS_NR]; /* published */
	atomic_int bus_anon;		/* bus accesses not from a vCPU */
	struct kvmu_irq *irq;		/* routing, irqchip ops (irq.c) */
	struct kvmu_eventfds *eventfds;	/* irqfds, ioeventfds (eventfd.c) */
	struct kvmu_stats stats_fd;	/* KVM_GET_STATS_FD, under lock */
	struct kvmu_vm_planes *planes;	/* plane.c, under lock; NULL: none */
	void *arch_data;
};

struct kvmu_vcpu {
	struct kvmu_obj obj;
	struct kvmu_vm *vm;
	int id;
	int index;			/* position in vm->vcpus */
	void *map;			/* our mapping of the fd: run page + more */
	size_t map_size;
	struct kvmu_run_hdr *run;	/* == map */
	pthread_mutex_t mutex;		/* serialises the vCPU's ioctls */
	bool has_sigmask;
	sigset_t sigmask;		/* KVM_SET_SIGNAL_MASK */
	sigset_t run_mask;		/* signals that interrupt this KVM_RUN */
	bool immediate;			/* immediate_exit was set at entry */
	unsigned int poll_count;	/* check points since the last sigpending */
	atomic_bool kick;		/* leave the run loop at the next check */
	atomic_bool in_run;
	_Atomic(pthread_t) run_thread;
	struct kvmu_vcpu_stats stats;
	_Atomic u64 seen_generation;	/* memslot generation last observed */
	bool slots_changed;		/* arch must drop cached translations */
	atomic_uint bus_seq;		/* odd while inside an I/O bus access */
	unsigned int bus_depth;		/* nesting of bus accesses */
	atomic_bool wake_pending;	/* kvmu_vcpu_wake() not yet taken */
	atomic_bool sleeping;		/* inside kvmu_vcpu_block() */
	int wake_fd;			/* eventfd a sleeper polls, -1: none */
	int sig_fd;			/* signalfd of the run mask, -1: none */
	sigset_t sig_fd_mask;
	struct kvmu_stats stats_fd;	/* KVM_GET_STATS_FD */
	/*
	 * Planes (plane.c): a plane vCPU is a vCPU whose runner is the
	 * plane-0 vCPU of its id; it shares the runner's kvm_run page, its
	 * kicks, sleeps and signal mask.  planes is NULL until the first
	 * KVM_CREATE_VCPU_PLANE for this id.
	 */
	struct kvmu_vcpu *plane0;	/* NULL on plane 0 */
	struct kvmu_vcpu_planes *planes;
	u8 plane;
	u16 plane_req;			/* req_exit_planes of this run */
	void *arch_data;
};

/* What an architecture brings to planes (plane.c); NULL: plane 0 only. */
struct kvmu_plane_ops {
	int nr_planes;			/* KVM_CAP_PLANES */
	u64 mem_attributes;		/* KVM_CAP_MEMORY_ATTRIBUTES */
	/* ioctl cmd allowed on a plane vCPU fd (others: EINVAL) */
	bool (*vcpu_ioctl_ok)(unsigned int cmd);
	/* plane 0's vCPU refuses cmd once it has planes (-errno or 0) */
	int (*vcpu0_ioctl_check)(struct kvmu_vcpu *vcpu0, unsigned int cmd);
	/* a new plane vCPU: copy what plane 0 owns (CPUID) */
	int (*vcpu_init)(struct kvmu_vcpu *v, struct kvmu_vcpu *vcpu0);
	/* before running v or serving cmd on it (0: KVM_RUN): shared FPU */
	void (*sync)(struct kvmu_vcpu *v, unsigned int cmd);
	/* does v (any plane) have an interrupt or NMI pending? */
	bool (*pending)(struct kvmu_vcpu *v);
	/* KVM_SIGNAL_MSI to the plane's local APICs */
	int (*msi)(struct kvmu_vm *vm, int plane, const struct kvm_msi *m);
	/* KVM_CAP_PLANES_FPU */
	int (*enable_fpu)(struct kvmu_vm *vm, u64 arg);
	/* memory attributes of the plane changed: drop cached translations */
	void (*attrs_changed)(struct kvmu_vm *vm, int plane);
};

/* The per-architecture operations; one const instance per architecture. */
struct kvmu_arch_ops {
	enum kvmu_arch arch;
	const char *name;
	unsigned int vcpu_mmap_pages;	/* KVM_GET_VCPU_MMAP_SIZE / page size */
	unsigned int coalesced_page;	/* page offset of the ring, 0: none */
	unsigned int pio_page;		/* page offset of PIO data, 0: none */
	unsigned int unknown_vcpu_errno; /* unknown vCPU ioctl, 0: EINVAL */
	unsigned int unknown_vm_errno;	/* unknown VM ioctl, 0: ENOTTY */
	const struct kvmu_ioctl_desc *ioctls;	/* arch ioctl table */
	size_t nr_ioctls;
	/* KVM_CHECK_EXTENSION: vm is NULL on the system fd; 0 = unsupported */
	long (*check_extension)(struct kvmu_vm *vm, long cap);
	int (*vm_init)(struct kvmu_vm *vm, unsigned long type);
	void (*vm_destroy)(struct kvmu_vm *vm);
	/* KVM_ENABLE_CAP on the VM for caps the core does not own */
	int (*vm_enable_cap)(struct kvmu_vm *vm, const struct kvm_enable_cap *c);
	int (*vcpu_init)(struct kvmu_vcpu *vcpu);
	void (*vcpu_destroy)(struct kvmu_vcpu *vcpu);
	/* run the guest until an exit; returns 0 (exit set) or -errno */
	int (*vcpu_run)(struct kvmu_vcpu *vcpu);
	/*
	 * May KVM_RUN start (NULL: yes)?  -errno refuses before the VM counts
	 * as having run (arm64: ENOEXEC before KVM_ARM_VCPU_INIT).
	 */
	int (*vcpu_run_check)(struct kvmu_vcpu *vcpu);
	/* validate a new memslot layout (arch restrictions); may be NULL */
	int (*prepare_memslot)(struct kvmu_vm *vm,
			       const struct kvm_userspace_memory_region *r);
	/*
	 * A vfio_ap mdev joined (attach) or left (detach) the VM through its
	 * KVM_DEV_TYPE_VFIO device, as the kernel's group notifier tells
	 * vfio_ap: s390 takes the mdev's queues into its CRYCB.  attach
	 * returns -EPERM when the VM already has an mdev; the mdev stays
	 * owned by its VFIO device.  NULL: the arch has no such devices.
	 */
	int (*vfio_attach)(struct kvmu_vm *vm, struct kvmu_host_mdev *mdev);
	void (*vfio_detach)(struct kvmu_vm *vm, struct kvmu_host_mdev *mdev);
	/*
	 * The generic interrupt ioctls: irqchip_capable turns on the routing,
	 * irqfd and MSI capabilities (KVM_CREATE_IRQCHIP works); irqchip_pins
	 * gives the pins of each irqchip number routes may name (0: no such
	 * chip); has_irq_line: KVM_IRQ_LINE exists (__KVM_HAVE_IRQ_LINE);
	 * iobus_pio/iobus_mmio: the CPU offers those accesses to the I/O bus,
	 * so ioeventfds work.
	 */
	bool irqchip_capable;
	bool has_irq_line;
	/* a fault on slot memory fills KVM_EXIT_MEMORY_FAULT (else EFAULT only) */
	bool memory_fault_exit;
	bool iobus_pio;
	bool iobus_mmio;
	u16 irqchip_pins[KVMU_NR_IRQCHIPS];
	/*
	 * KVM_MAX_NR_ADDRESS_SPACES is 1: KVM_CAP_MULTI_ADDRESS_SPACE is not
	 * compiled in and reads 0 on every fd (arm64).
	 */
	bool single_as;
	/*
	 * The arch's KVM_CREATE_DEVICE types (kvm_register_device_ops), by
	 * type number; consulted before the core's; NULL entries: none.
	 */
	const struct kvmu_device_ops *const *device_types;
	unsigned int nr_device_types;
	const struct kvmu_plane_ops *planes;	/* NULL: plane 0 only */
};

/* ---- object.c: fds, lookup, lifetime ---- */

/* Create the fd for obj (a memfd called name, size bytes); returns fd. */
int kvmu_obj_install(struct kvmu_obj *obj, const char *name, size_t size,
		     int cloexec);
/* Find the live object behind fd and take a reference; -EBADF/-ENOTTY. */
int kvmu_obj_get(int fd, struct kvmu_obj **out);
/* Take another reference on obj. */
void kvmu_obj_ref(struct kvmu_obj *obj);
/* Drop a reference; destroy() runs when the last one goes. */
void kvmu_obj_put(struct kvmu_obj *obj);
/* Every descriptor of obj is gone: unlink it and drop the fd's reference. */
void kvmu_obj_closed(struct kvmu_obj *obj);
/* This process's pid, kept current across fork() without a system call. */
pid_t kvmu_pid(void);
/* Release objects whose descriptors and mappings have all gone. */
void kvmu_obj_reap(void);
/* The architecture ops for arch, or NULL when this build lacks it. */
const struct kvmu_arch_ops *kvmu_arch_lookup(enum kvmu_arch arch);

/* ---- uaccess.c: the user-pointer boundary ---- */

/* Copy len bytes from the caller's address uptr; -EFAULT when unmapped. */
int kvmu_copy_from_user(void *dst, unsigned long uptr, size_t len);
/* Copy len bytes to the caller's address uptr; -EFAULT when unmapped. */
int kvmu_copy_to_user(unsigned long uptr, const void *src, size_t len);

/* ---- ioctl.c: the registry of object kinds ---- */

/*
 * What an object kind brings to the dispatcher: its ioctl table (lines
 * of other kinds in it are ignored), the errno of a request it does not
 * know (or a function computing it) and its name for the tracer.  The
 * core's own kinds (system, VM, vCPU, device, ...) are built in; a
 * family (VFIO) registers its kinds before it creates its first object.
 */
struct kvmu_kind_ops {
	const char *name;
	const struct kvmu_ioctl_desc *ioctls;
	size_t nr_ioctls;
	int unknown_errno;		/* positive */
	long (*unknown)(struct kvmu_obj *obj);	/* -errno; NULL: the above */
};
/* Register the ops of kind (once; later calls are ignored). */
void kvmu_kind_register(enum kvmu_kind kind, const struct kvmu_kind_ops *ops);
/* The kind's name for traces ("?" when unregistered). */
const char *kvmu_kind_name(enum kvmu_kind kind);

/* Dispatch cmd on obj through the core and arch tables. */
long kvmu_obj_ioctl(struct kvmu_obj *obj, unsigned int cmd, unsigned long arg);

/* ---- vm.c / memslot.c ---- */

/* Create a VM of the given machine type; returns its fd. */
int kvmu_vm_create(const struct kvmu_arch_ops *arch, unsigned long type);
/* The i-th slot (0 <= i < s->nr) of snapshot s in gpa order. */
const struct kvmu_memslot *kvmu_memslots_nth(const struct kvmu_memslots *s,
					     int i);
/* The slot containing gpa in address space as, or NULL (lock-free). */
const struct kvmu_memslot *kvmu_memslot_find(struct kvmu_vm *vm, int as,
					     u64 gpa);
/* Mark the page of gpa dirty in slot when dirty logging is on. */
void kvmu_memslot_mark_dirty(const struct kvmu_memslot *slot, u64 gpa);
/* Apply KVM_SET_USER_MEMORY_REGION(2) semantics. */
int kvmu_memslot_set(struct kvmu_vm *vm,
		     const struct kvm_userspace_memory_region *r,
		     bool region2);
/* KVM_GET_DIRTY_LOG / KVM_CLEAR_DIRTY_LOG. */
int kvmu_memslot_get_dirty_log(struct kvmu_vm *vm, struct kvm_dirty_log *d);
int kvmu_memslot_clear_dirty_log(struct kvmu_vm *vm,
				 const struct kvm_clear_dirty_log *c);
/* Free VMs whose fd is closed once no vCPU fd or mapping remains. */
void kvmu_vm_reap_zombies(void);
/* Free every slot snapshot (VM teardown). */
void kvmu_memslot_free_all(struct kvmu_vm *vm);

/* ---- device.c: KVM_CREATE_DEVICE and the device fds ---- */

/* One device type: the kernel's struct kvm_device_ops, trimmed. */
struct kvmu_device_ops {
	const char *name;
	/* called under vm->lock; -errno refuses (e.g. -EBUSY: one per VM) */
	int (*create)(struct kvmu_device *dev);
	/* the device fd is gone (kvm_device_release) */
	void (*release)(struct kvmu_device *dev);
	/* NULL: the kernel's -EPERM for that accessor */
	int (*set_attr)(struct kvmu_device *dev, const struct kvm_device_attr *a);
	int (*get_attr)(struct kvmu_device *dev, const struct kvm_device_attr *a);
	int (*has_attr)(struct kvmu_device *dev, const struct kvm_device_attr *a);
};

struct kvmu_device {
	struct kvmu_obj obj;
	struct kvmu_vm *vm;		/* holds a reference, as kvm_get_kvm */
	const struct kvmu_device_ops *ops;
	struct kvmu_device *next;	/* vm->devices */
	void *priv;
};

/* The KVM VFIO device (src/vfio/kvm_vfio.c). */
extern const struct kvmu_device_ops kvmu_kvm_vfio_ops;

/* ---- coalesced.c ---- */

/* Register or unregister a coalesced MMIO/PIO zone. */
int kvmu_coalesced_register(struct kvmu_vm *vm,
			    const struct kvm_coalesced_mmio_zone *z);
int kvmu_coalesced_unregister(struct kvmu_vm *vm,
			      const struct kvm_coalesced_mmio_zone *z);
/*
 * Try to queue a guest write to addr into vcpu's coalesced ring.  Returns
 * 1 when queued (no exit needed), 0 when the write must exit normally.
 */
int kvmu_coalesced_write(struct kvmu_vcpu *vcpu, u64 addr, const void *data,
			 u32 len, bool pio);

/* ---- vcpu.c ---- */

/* Create vCPU id in vm; returns its fd. */
int kvmu_vcpu_create(struct kvmu_vm *vm, unsigned long id);
/*
 * Called by arch run loops at block boundaries: true when the vCPU must
 * leave (signal pending, kick, immediate_exit).  Cheap.
 */
bool kvmu_vcpu_should_exit(struct kvmu_vcpu *vcpu);
/*
 * True once after each memslot change the vCPU has not yet acted on: the
 * arch must then drop cached translations before touching guest memory.
 */
bool kvmu_vcpu_slots_changed(struct kvmu_vcpu *vcpu);
/* Point in the page after kvm_run that KVM reserves for PIO data. */
void *kvmu_vcpu_pio_data(struct kvmu_vcpu *vcpu);
/*
 * Sleep in KVM_RUN until kvmu_vcpu_wake(), deadline_ns (CLOCK_MONOTONIC,
 * 0 = none), immediate_exit or a signal that must interrupt this run.
 * Uses no CPU while asleep.  0: woken or timed out; -EINTR: leave KVM_RUN
 * (the caller sets KVM_EXIT_INTR).  The arch must call
 * kvmu_vcpu_slots_changed() before touching guest memory again.
 */
int kvmu_vcpu_block(struct kvmu_vcpu *vcpu, u64 deadline_ns);
/*
 * From any thread: wake vcpu if it sleeps in kvmu_vcpu_block, else make
 * its run loop look at its events at the next block boundary.
 */
void kvmu_vcpu_wake(struct kvmu_vcpu *vcpu);
/* True once after kvmu_vcpu_wake(): the arch looks at its events then. */
bool kvmu_vcpu_take_wake(struct kvmu_vcpu *vcpu);
/* CLOCK_MONOTONIC now in ns (timers, deadlines). */
u64 kvmu_now_ns(void);

/* ---- fault.c: guest accesses to unmapped slot memory ---- */

#include <setjmp.h>

/* Where KVM_RUN resumes when a guest access faults on slot memory. */
struct kvmu_fault_frame {
	sigjmp_buf jb;
	struct kvmu_vcpu *vcpu;
	u64 gpa;			/* guest-physical address that faulted */
};
/* Catch slot-memory faults of this thread while vcpu runs (frame f). */
void kvmu_fault_arm(struct kvmu_fault_frame *f, struct kvmu_vcpu *vcpu);
/* Stop catching faults for this thread. */
void kvmu_fault_disarm(void);
/* lock is held across guest accesses (NULL: none): released on a fault. */
void kvmu_fault_hold(pthread_mutex_t *lock);
/* After the jump: release held locks, fill the exit; returns -EFAULT. */
int kvmu_fault_recover(struct kvmu_fault_frame *f);

/* ---- stats.c: KVM_GET_STATS_FD ---- */

/* Copy the vCPU's counters into its stats block (after KVM_RUN). */
void kvmu_stats_vcpu_refresh(struct kvmu_vcpu *vcpu);
/* Unmap and close a stats block (VM or vCPU teardown). */
void kvmu_stats_free(struct kvmu_stats *s);

/* ---- plane.c / memattr.c: VM planes ---- */

struct kvmu_vm_planes;
struct kvmu_vcpu_planes;
/* The vCPU whose thread, kicks and kvm_run page v uses (v on plane 0). */
static inline struct kvmu_vcpu *kvmu_vcpu_runner(struct kvmu_vcpu *v)
{
	return v->plane0 ? v->plane0 : v;
}
/* KVM_CAP_PLANES and friends for vm (NULL: system fd); *known as caps.c. */
long kvmu_plane_check_extension(const struct kvmu_arch_ops *arch,
				struct kvmu_vm *vm, long cap, bool *known);
/* KVM_RUN's plane: the vCPU to run for kvm_run->plane; 1: exit set. */
int kvmu_plane_enter(struct kvmu_vcpu *vcpu0, struct kvmu_vcpu **run);
/* An ioctl on a vCPU that has planes: 0 go on, else -errno. */
int kvmu_plane_vcpu_ioctl_check(struct kvmu_vcpu *vcpu, unsigned int cmd);
/* During a run: a plane req_exit_planes names has an event; exit set. */
bool kvmu_plane_event_exit(struct kvmu_vcpu *v);
/* The plane vCPU of plane p for vcpu0's id, or NULL. */
struct kvmu_vcpu *kvmu_plane_vcpu(struct kvmu_vcpu *vcpu0, int p);
/* VM teardown: drop the plane objects and attributes. */
void kvmu_planes_vm_destroy(struct kvmu_vm *vm);
/* Memory attributes of gpa's page for plane (0 when none); lock-free. */
u64 kvmu_memattr_get(struct kvmu_vm *vm, int plane, u64 gpa);
/* Does plane have any restricting attribute (fast test)? */
bool kvmu_memattr_any(struct kvmu_vm *vm, int plane);
/* KVM_SET_MEMORY_ATTRIBUTES for plane. */
int kvmu_memattr_set(struct kvmu_vm *vm, int plane,
		     const struct kvm_memory_attributes *a);
/* Make running vCPUs drop cached translations before returning. */
void kvmu_memslot_resync(struct kvmu_vm *vm);

/* ---- caps.c ---- */

/* Capabilities answered by the generic code (vm may be NULL). */
long kvmu_check_extension_generic(const struct kvmu_arch_ops *arch,
				  struct kvmu_vm *vm, long cap, bool *known);

/* ---- trace.c ---- */

/* Print one trace line when tracing is on. */
void kvmu_trace_ioctl(struct kvmu_obj *obj, unsigned int cmd,
		      unsigned long arg, long ret);
extern void *kvmu_trace_stream;

/* The architecture tables (defined where each architecture lives). */
extern const struct kvmu_arch_ops kvmu_x86_ops;
extern const struct kvmu_arch_ops kvmu_s390_ops;
extern const struct kvmu_arch_ops kvmu_arm64_ops;

#endif /* KVMU_INT_H */
