/* SPDX-License-Identifier: MIT */
/*
 * The in-kernel GICv3 of arm64 VMs (KVM_DEV_TYPE_ARM_VGIC_V3): the model
 * the guest sees (distributor, one redistributor per vCPU, the ICC_*
 * system-register CPU interface), its KVM device attributes and the
 * generic timer's PPIs.  Behaviour and errnos follow
 * Documentation/virt/kvm/devices/arm-vgic-v3.rst and arch/arm64/kvm/vgic/.
 *
 * Locking: one mutex per GIC (struct vgic.lock) guards all interrupt and
 * CPU-interface state of every vCPU; a vCPU's IRQ/FIQ inputs are the
 * atomic a64_cpu.lines, recomputed under that lock after every change.
 */
#ifndef KVMU_ARM64_VGIC_H
#define KVMU_ARM64_VGIC_H

#include <pthread.h>
#include <stdbool.h>

#define VGIC_NR_SGIS		16
#define VGIC_NR_PRIVATE		32
#define VGIC_DEFAULT_IRQS	256	/* VGIC_NR_IRQS_LEGACY */
#define VGIC_MAX_RESERVED	1023
#define VGIC_NR_PINS		988	/* KVM_IRQCHIP_NUM_PINS: 1020 - 32 */
#define VGIC_PRI_MASK		0xf8	/* 5 priority bits, as KVM */
#define VGIC_SPURIOUS		1023
#define VGIC_UNDEF		(~0ULL)
#define VGIC_PPI_VTIMER		27	/* KVM's default timer PPIs */
#define VGIC_PPI_PTIMER		30
#define VGIC_IMP_REV		3	/* GICD_IIDR revision KVM reports */

struct a64_cpu;
struct kvmu_vm;

/* One interrupt's state. */
struct vgic_irq {
	u8 prio;		/* upper 5 bits only */
	u8 group;		/* 0: FIQ, 1: IRQ (GICD_CTLR.DS = 1) */
	bool enabled;
	bool latch;		/* pending latch (edge, ISPENDR, SGIs) */
	bool level;		/* input line, level-sensitive only */
	bool active;
	bool edge;		/* ICFGR: edge-triggered */
	bool timer;		/* owned by the arch timer (KVM_IRQ_LINE: EPERM) */
	u32 mpidr;		/* SPIs: GICD_IROUTER Aff2.Aff1.Aff0 */
};

/* The per-vCPU part: private interrupts, redistributor, CPU interface. */
struct vgic_cpu {
	struct vgic_irq irq[VGIC_NR_PRIVATE];
	u64 rd_base;		/* VGIC_UNDEF: no redistributor yet */
	int rdreg;		/* region index, -1: none */
	u32 rdreg_slot;		/* position inside that region */
	struct kvmu_io_dev rd_dev;
	bool rd_registered;
	u32 pmr, bpr0, bpr1, ctlr, igrpen[2], ap[2];
	bool timer_level[2];	/* last output of the virtual/physical timer */
};

/* A redistributor region (REDIST: one legacy region of count 0). */
struct vgic_region {
	u64 base;
	u32 count;
	u32 index;
	u32 free;		/* redistributors handed out */
};

struct vgic {
	pthread_mutex_t lock;
	struct kvmu_vm *kvm;
	bool initialized;	/* KVM_DEV_ARM_VGIC_CTRL_INIT done */
	bool ready;		/* resources mapped at the first KVM_RUN */
	bool enabled;		/* GICD_CTLR.EnableGrp1 (gates both groups) */
	u32 nr_spis;
	u32 rev;		/* GICD_IIDR revision */
	u64 dist_base;
	u32 nr_regions, cap_regions;
	struct vgic_region *regions;	/* by index */
	struct vgic_irq *spis;		/* nr_spis of them once initialized */
	struct kvmu_io_dev dist_dev;
	bool dist_registered;
};

/* ---- vgic.c: the interrupt model and the CPU interface ---- */

/* The GIC of the VM, or NULL (no KVM_CREATE_DEVICE yet). */
struct vgic *vgic_of(struct kvmu_vm *kvm);
/* vCPU by index / by MPIDR affinity; NULL when none. */
struct a64_cpu *vgic_cpu_at(struct kvmu_vm *kvm, int i);
struct a64_cpu *vgic_cpu_by_mpidr(struct kvmu_vm *kvm, u64 mpidr);
/* The state of intid as seen from c (private ones are c's); lock held. */
struct vgic_irq *vgic_irq(struct vgic *g, struct a64_cpu *c, u32 intid);
/* Is intid pending (latch, or a raised level-sensitive line)? */
bool vgic_irq_pending(const struct vgic_irq *irq);
/* Recompute c's IRQ/FIQ inputs (lock held); wakes c on a new signal. */
void vgic_update(struct vgic *g, struct a64_cpu *c);
/* Recompute every vCPU's inputs (lock held). */
void vgic_update_all(struct vgic *g);
/* Recompute the vCPU(s) intid can signal to (lock held). */
void vgic_update_irq(struct vgic *g, struct a64_cpu *c, u32 intid);
/*
 * kvm_vgic_inject_irq: drive intid (c for private ones, NULL for SPIs)
 * to level; timer: the arch timer's own injection.  -EBUSY before
 * CTRL_INIT, -EINVAL for an unknown intid, -EPERM for a timer PPI.
 */
int vgic_inject(struct vgic *g, struct a64_cpu *c, u32 intid, bool level,
		bool timer);
/* Reset c's private interrupts and CPU interface (vgic_init, lock held). */
void vgic_cpu_reset(struct a64_cpu *c);
/* Guest MRS/MSR of an ICC_* register (sysreg.def index idx). */
int vgic_sysreg(struct a64_cpu *c, int idx, bool read, u64 *val);
/* KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS: 0, -ENXIO (no such register), -EINVAL. */
int vgic_sysreg_uaccess(struct a64_cpu *c, u32 key, bool write, u64 *val);

/* ---- vgic_mmio.c: distributor and redistributor registers ---- */

/*
 * One 32-bit-or-narrower access at off of the distributor (rd NULL) or
 * of rd's redistributor.  uaccess: the KVM_{GET,SET}_DEVICE_ATTR view.
 * 0, or -ENXIO when no register is there for a user access (a guest
 * access to nothing reads as zero and ignores writes).  Lock held.
 */
int vgic_mmio(struct vgic *g, struct a64_cpu *vc, struct a64_cpu *rd,
	      u32 off, u32 len, u64 *val, bool write, bool uaccess);
/* Is there a 32-bit-accessible register at off (has_attr)? */
bool vgic_mmio_has(struct vgic *g, bool dist, u32 off);
/* The I/O bus callbacks of the distributor and redistributor frames. */
extern const struct kvmu_io_dev_ops vgic_dist_io_ops;
extern const struct kvmu_io_dev_ops vgic_rd_io_ops;
/* GICR_TYPER.Last: is c's the last redistributor of its region run? */
bool vgic_rd_is_last(struct vgic *g, struct a64_cpu *c);

/* ---- vgic_dev.c: the KVM device ---- */

extern const struct kvmu_device_ops vgic_v3_device_ops;
/* A vCPU is being created (KVM_CREATE_VCPU): -EBUSY after CTRL_INIT. */
int vgic_vcpu_create(struct a64_cpu *c);
/* The first KVM_RUN: map the GIC (kvm_vgic_map_resources), or -errno. */
int vgic_map_resources(struct kvmu_vm *kvm);
/* KVM_IRQ_LINE of type SPI/PPI with the GIC present. */
int vgic_irq_line(struct kvmu_vm *kvm, u32 type, int vcpu_id, u32 num,
		  bool level);
/* Free the VM's GIC (VM teardown). */
void vgic_destroy(struct kvmu_vm *kvm);

/* ---- timer.c: the generic timer's interrupt outputs ---- */

/* Drive the timers' PPIs from their CTL/CVAL and the counter. */
void a64_timer_sync(struct a64_cpu *c);
/* CLOCK_MONOTONIC ns when an enabled, unmasked timer fires; 0: none. */
u64 a64_timer_deadline(struct a64_cpu *c);

#endif /* KVMU_ARM64_VGIC_H */
