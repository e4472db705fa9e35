/* SPDX-License-Identifier: MIT */
/*
 * The x86 in-kernel interrupt controllers and timers: two 8259 PICs, the
 * IOAPIC, a local APIC per vCPU and the 8254 PIT.  Each device model is a
 * state machine in its own file whose guest-visible registers behave as
 * arch/x86/kvm/{i8259,ioapic,lapic,i8254}.c; their state structs are the
 * kernel's ABI structs, so KVM_GET/SET_* copy them.  Devices talk to the
 * outside through callbacks (set by irqchip.c, or by a unit test).
 */
#ifndef KVMU_X86_IRQCHIP_H
#define KVMU_X86_IRQCHIP_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "kvmu_int.h"

/* ---- one interrupt message for the local APICs (kvm_lapic_irq) ---- */
enum {
	X86_DM_FIXED = 0, X86_DM_LOWEST = 1, X86_DM_SMI = 2,
	X86_DM_REMRD = 3, X86_DM_NMI = 4, X86_DM_INIT = 5,
	X86_DM_SIPI = 6, X86_DM_EXTINT = 7,
};
enum { X86_SH_NONE, X86_SH_SELF, X86_SH_ALL, X86_SH_ALL_BUT_SELF };

struct x86_apic_irq {
	u32 dest;		/* 8 bits (xAPIC, IOAPIC, MSI) or 32 (x2APIC) */
	u8 vector;
	u8 delivery_mode;	/* X86_DM_* */
	u8 dest_mode;		/* 0 physical, 1 logical */
	u8 trig_mode;		/* 0 edge, 1 level */
	u8 level;
	u8 shorthand;		/* X86_SH_* */
	u8 plane;		/* whose APICs, when no APIC sends it */
};

/* ---- i8259.c: the master and slave PICs ---- */
#define X86_PIC_PINS 16

struct x86_pic {
	pthread_mutex_t lock;
	struct kvm_pic_state chip[2];	/* 0 master, 1 slave */
	u32 lines[X86_PIC_PINS];	/* level per source id (bitmap) */
	atomic_bool output;		/* INTR to the CPUs */
	u16 acked;			/* ISR bits cleared: notify unlocked */
	void *opaque;
	void (*kick)(void *opaque);	/* INTR rose: wake LINT0 acceptors */
	void (*ack)(void *opaque, int irq);	/* irq 0-15 was EOIed */
};

/* Power-on state (both chips reset, ELCR masks as the kernel). */
void x86_pic_init(struct x86_pic *p);
/* Drive pin irq (0-15) for source; >0 delivered, 0 coalesced, -1 masked. */
int x86_pic_set_irq(struct x86_pic *p, int irq, int source, int level);
/* INTA cycle: the vector the CPU takes now (spurious 7/15 if none). */
int x86_pic_read_irq(struct x86_pic *p);
/* A port access (0x20/0x21/0xa0/0xa1/0x4d0/0x4d1); -EOPNOTSUPP: other. */
int x86_pic_pio(struct x86_pic *p, u16 port, bool write, u8 *val);
/* KVM_GET/SET_IRQCHIP for chip 0 (master) or 1 (slave). */
void x86_pic_get(struct x86_pic *p, int chip, struct kvm_pic_state *s);
void x86_pic_set(struct x86_pic *p, int chip, const struct kvm_pic_state *s);

/* ---- ioapic.c ---- */
#define X86_IOAPIC_PINS 24
#define X86_IOAPIC_BASE 0xfec00000ULL

struct x86_ioapic {
	pthread_mutex_t lock;
	struct kvm_ioapic_state s;
	u32 lines[X86_IOAPIC_PINS];
	u32 irr_delivered;
	u8 pin_plane[X86_IOAPIC_PINS];	/* the plane of each pin's route */
	void *opaque;
	/* to the local APICs, under the IOAPIC lock; >0 delivered, 0 none */
	int (*deliver)(void *opaque, const struct x86_apic_irq *irq);
	void (*ack)(void *opaque, int pin);	/* unlocked */
};

void x86_ioapic_init(struct x86_ioapic *io);
/* Drive pin for source; >0 delivered, 0 coalesced, -1 masked/blocked. */
int x86_ioapic_set_irq(struct x86_ioapic *io, int pin, int source, int level);
/* MMIO at offset from the base; 0, or -EOPNOTSUPP for a bad size. */
int x86_ioapic_read(struct x86_ioapic *io, u64 off, u32 len, void *val);
int x86_ioapic_write(struct x86_ioapic *io, u64 off, u32 len,
		     const void *val);
/*
 * A local APIC of plane (-1: any, the IOAPIC's own EOI register) EOIed
 * vector (level: TMR was set).
 */
void x86_ioapic_eoi(struct x86_ioapic *io, int plane, int vector,
		    bool level);
void x86_ioapic_get(struct x86_ioapic *io, struct kvm_ioapic_state *s);
void x86_ioapic_set(struct x86_ioapic *io, const struct kvm_ioapic_state *s);

/* ---- i8254.c: the PIT ---- */
struct x86_pit {
	pthread_mutex_t lock;
	struct kvm_pit_channel_state ch[3];
	u32 flags;		/* KVM_PIT_FLAGS_* (HPET legacy, speaker) */
	u32 speaker;		/* port 0x61 bits 0-1 */
	_Atomic u64 next_ns;	/* next channel 0 tick, 0 = none */
	u64 period_ns;		/* mode 2/3: 0 one-shot */
	void *opaque;
	void (*irq)(void *opaque);	/* IRQ0 edge, unlocked */
};

void x86_pit_init(struct x86_pit *p, u64 now);
/* Ports 0x40-0x43 and 0x61; -EOPNOTSUPP for other ports. */
int x86_pit_pio(struct x86_pit *p, u64 now, u16 port, bool write, u8 *val);
/* Channel 0 ticks due at now: fires irq() once for them (coalesced). */
void x86_pit_tick(struct x86_pit *p, u64 now);
void x86_pit_get(struct x86_pit *p, u64 now, struct kvm_pit_state2 *s);
void x86_pit_set(struct x86_pit *p, u64 now, const struct kvm_pit_state2 *s);

#define X86_PIT_HZ 1193182ULL

/* ---- lapic.c: the local APIC of one vCPU ---- */
#define X86_APIC_DEFAULT_BASE 0xfee00000ULL
#define X86_APIC_BASE_BSP	(1ULL << 8)
#define X86_APIC_BASE_EXTD	(1ULL << 10)
#define X86_APIC_BASE_ENABLE	(1ULL << 11)

struct x86_lapic;

/* What a local APIC needs from its machine (irqchip.c or a test). */
struct x86_lapic_env {
	void *opaque;
	/* deliver an IPI (ICR write) to the machine's APICs */
	void (*ipi)(void *opaque, struct x86_lapic *src,
		    const struct x86_apic_irq *irq);
	/* EOI of vector; level when its TMR bit was set */
	void (*eoi)(void *opaque, struct x86_lapic *apic, int vector,
		    bool level);
	/* something for this APIC's vCPU changed: wake it */
	void (*kick)(void *opaque, struct x86_lapic *apic);
	/* guest TSC now and its rate in kHz (TSC-deadline timer) */
	u64 (*tsc)(void *opaque, struct x86_lapic *apic, u32 *khz);
};

enum { X86_APIC_INIT = 1, X86_APIC_SIPI = 2 };

struct x86_lapic {
	pthread_mutex_t lock;		/* regs; other threads deliver */
	u32 regs[256];			/* the 1 KiB register page */
	u64 base;			/* IA32_APIC_BASE */
	u32 vcpu_id;
	bool tsc_deadline_ok;		/* guest CPUID has TSC-deadline */
	const struct x86_lapic_env *env;
	void *owner;			/* the vCPU (struct x86_cpu) */
	atomic_bool attention;		/* events changed since last look */
	atomic_uint nmi;		/* NMIs delivered, not yet taken */
	atomic_bool smi;		/* an SMI delivered, not yet taken */
	atomic_uint pending;		/* X86_APIC_INIT / X86_APIC_SIPI */
	u8 sipi_vector;
	int eoi_exit;			/* split: vector + 1 for an exit */
	u64 vapic_addr;			/* KVM_SET_VAPIC_ADDR, 0: none */
	/* the timer: owned by the vCPU thread (or the ioctl holding it) */
	u64 deadline_ns;		/* next expiry, 0 none */
	u64 period_ns;			/* periodic, 0 otherwise */
	u64 start_ns;			/* TMICT load time */
	u64 tscdeadline;
	u32 divide;
};

/* Reset as at power-on (bsp: LINT0 ExtINT, BSP flag in the base). */
void x86_lapic_reset(struct x86_lapic *a, bool init_event, bool bsp);
/* xAPIC MMIO at offset (0-0xfff); 0, or -EOPNOTSUPP not handled. */
int x86_lapic_mmio_read(struct x86_lapic *a, u64 now, u32 off, u32 len,
			void *val);
int x86_lapic_mmio_write(struct x86_lapic *a, u64 now, u32 off, u32 len,
			 const void *val);
/* x2APIC MSR 0x800-0x8ff; 0, or -1 for #GP. */
int x86_lapic_msr_read(struct x86_lapic *a, u64 now, u32 msr, u64 *val);
int x86_lapic_msr_write(struct x86_lapic *a, u64 now, u32 msr, u64 val);
/* IA32_APIC_BASE write (mode transitions); -1 for #GP. */
int x86_lapic_set_base(struct x86_lapic *a, u64 val, bool host);
/* Accept an interrupt message already routed here; 1 taken, 0 not. */
int x86_lapic_accept(struct x86_lapic *a, const struct x86_apic_irq *irq);
/* The message addresses this APIC (src: the sender, NULL for I/O). */
bool x86_lapic_match(struct x86_lapic *a, struct x86_lapic *src,
		     const struct x86_apic_irq *irq);
/* Highest vector deliverable now (above PPR), or -1. */
int x86_lapic_has_interrupt(struct x86_lapic *a);
/* Move vector from IRR to ISR (interrupt acknowledge). */
void x86_lapic_ack(struct x86_lapic *a, int vector);
/* The same, but not into ISR when !in_service (a Hyper-V auto-EOI SINT). */
void x86_lapic_ack_eoi(struct x86_lapic *a, int vector, bool in_service);
/* LVT0 takes the PIC's INTR (ExtINT unmasked, or the APIC off). */
bool x86_lapic_accepts_pic(struct x86_lapic *a);
/* Run the timer up to now: inject expiries; returns next deadline or 0. */
u64 x86_lapic_timer(struct x86_lapic *a, u64 now);
/* TPR from CR8 writes, CR8 value for reads. */
void x86_lapic_set_cr8(struct x86_lapic *a, u64 cr8);
u64 x86_lapic_get_cr8(struct x86_lapic *a);
/* IA32_TSC_DEADLINE. */
u64 x86_lapic_get_tscdeadline(struct x86_lapic *a);
void x86_lapic_set_tscdeadline(struct x86_lapic *a, u64 now, u64 val);
/* KVM_GET/SET_LAPIC (x2APIC ID in the kernel's legacy format). */
void x86_lapic_get_state(struct x86_lapic *a, u64 now,
			 struct kvm_lapic_state *s);
int x86_lapic_set_state(struct x86_lapic *a, u64 now,
			const struct kvm_lapic_state *s);
/* The APIC ID as destinations see it (8 bits in xAPIC mode). */
u32 x86_lapic_id(const struct x86_lapic *a);
static inline bool x86_lapic_x2apic(const struct x86_lapic *a)
{
	return (a->base & (X86_APIC_BASE_EXTD | X86_APIC_BASE_ENABLE)) ==
	       (X86_APIC_BASE_EXTD | X86_APIC_BASE_ENABLE);
}
static inline bool x86_lapic_hw_enabled(const struct x86_lapic *a)
{
	return a->base & X86_APIC_BASE_ENABLE;
}

/* ---- irqchip.c: the VM's controllers and their ioctls ---- */
#define X86_PIT_SOURCE_ID 2		/* after user space and resampler */
#define X86_MAX_APIC_BASES 8		/* distinct LAPIC MMIO pages */

struct x86_cpu;

struct x86_irqchip {
	struct kvmu_vm *vm;
	bool split;			/* KVM_CAP_SPLIT_IRQCHIP: LAPICs only */
	u32 reserved_pins;		/* split: IOAPIC pins user space has */
	struct x86_pic pic;
	struct x86_ioapic ioapic;
	struct x86_pit *pit;		/* KVM_CREATE_PIT2, NULL before */
	struct x86_lapic_env env;
	struct kvmu_io_dev pic_dev, ioapic_dev, pit_dev, speaker_dev;
	struct kvmu_io_dev apic_dev;
	pthread_mutex_t base_lock;	/* apic_bases */
	u64 apic_bases[X86_MAX_APIC_BASES];
	int nr_apic_bases;
};

/* Deliver m to the VM's local APICs: accepting APICs, -1 none matched,
 * -ENXIO without an in-kernel irqchip (kvm_irq_delivery_to_apic). */
int x86_irqchip_deliver(struct kvmu_vm *vm, const struct x86_apic_irq *m);

/* The per-vCPU side (called by x86.c, run.c, msr.c, events.c, regs.c). */
int x86_irqchip_vcpu_init(struct x86_cpu *cpu);
void x86_irqchip_vcpu_destroy(struct x86_cpu *cpu);
void x86_irqchip_vm_destroy(struct kvmu_vm *vm);
/* Pending events into the CPU; 1: an exit is set (or -EINTR), else 0. */
int x86_irqchip_events(struct x86_cpu *cpu);
/* A MOV to CR8 since the APIC last looked: into its TPR. */
void x86_irqchip_sync_cr8(struct x86_cpu *cpu);
/*
 * Timers due now and the VAPIC page (every few blocks); true: the plane
 * may not access the VAPIC page, KVM_EXIT_MEMORY_FAULT is filled.
 */
bool x86_irqchip_timers(struct x86_cpu *cpu);
/* Sleep while the vCPU is not runnable; 0 go on, -EINTR leave. */
int x86_irqchip_block(struct x86_cpu *cpu);
/* KVM_RUN of an UNINITIALIZED AP: one sleep, then -EAGAIN or -EINTR. */
int x86_irqchip_wait_init(struct x86_cpu *cpu);
/* HLT with an in-kernel LAPIC. */
void x86_irqchip_halt(struct x86_cpu *cpu);
/* APIC MSRs (0x1b, 0x6e0, 0x800-0x8ff): 1 not ours, 0 done, -1 #GP. */
int x86_irqchip_msr_get(struct x86_cpu *cpu, u32 msr, u64 *v, bool host);
int x86_irqchip_msr_set(struct x86_cpu *cpu, u32 msr, u64 v, bool host);
/* KVM_INTERRUPT when an irqchip exists: the kernel's errno. */
long x86_irqchip_interrupt(struct x86_cpu *cpu, u32 irq);
/* MP state with an in-kernel LAPIC. */
u32 x86_irqchip_get_mp_state(struct x86_cpu *cpu);
long x86_irqchip_set_mp_state(struct x86_cpu *cpu, u32 state);
/* kvm_run fields the irqchip changes (ready_for_interrupt_injection). */
void x86_irqchip_post_run(struct x86_cpu *cpu);
/* May a user-space irqchip get KVM_EXIT_IRQ_WINDOW_OPEN now? */
bool x86_irqchip_window_ok(struct x86_cpu *cpu);
/* KVM_ENABLE_CAP(KVM_CAP_SPLIT_IRQCHIP). */
int x86_irqchip_enable_split(struct kvmu_vm *vm, u64 pins);
/* The LAPIC MMIO page at base goes on the bus (relocation). */
void x86_irqchip_map_base(struct x86_irqchip *c, u64 base);
/* Leaf 1 bits of KVM_GET_SUPPORTED_CPUID the irqchip provides. */
void x86_irqchip_cpuid(u32 r[4]);
/* Is vcpu the boot processor (KVM_SET_BOOT_CPU_ID)? */
bool x86_is_bsp(struct kvmu_vcpu *vcpu);

#endif /* KVMU_X86_IRQCHIP_H */
