/* SPDX-License-Identifier: MIT */
/*
 * Private to the x86 machine side (ioctls, MMU, events, I/O): what the
 * instruction handlers of other files do not need.
 */
#ifndef KVMU_X86_INT_H
#define KVMU_X86_INT_H

#include "arch/x86/cpu.h"

/* Per-VM x86 state (KVM's kvm->arch). */
struct x86_vm {
	bool exception_payload;		/* KVM_CAP_EXCEPTION_PAYLOAD */
	bool platform_info;		/* guest may read MSR_PLATFORM_INFO */
	bool triple_fault_event;	/* KVM_CAP_X86_TRIPLE_FAULT_EVENT */
	u64 tss_addr;
	u64 identity_map_addr;
	struct x86_irqchip *irqchip;	/* in-kernel irqchip (irqchip.c) */
	u32 bsp_vcpu_id;		/* KVM_SET_BOOT_CPU_ID */
	struct x86_machine_vm m;	/* machine.h */
};

static inline struct x86_vm *x86_vm_of(struct kvmu_vm *vm)
{
	return vm->arch_data;
}

static inline struct x86_vm *x86_cpu_vm(struct x86_cpu *cpu)
{
	return cpu->vcpu->vm->arch_data;
}

/* What the instruction waiting for user space needs (cpu->io_wait). */
enum x86_io_wait {
	X86_WAIT_NONE,
	X86_WAIT_MMIO_READ,	/* run->mmio.data holds the value */
	X86_WAIT_PIO_IN,	/* PIO page holds count * size bytes */
	X86_WAIT_PIO_OUT,	/* OUT: retire on the next KVM_RUN */
	X86_WAIT_MMIO_WRITE,	/* more write fragments to hand out */
	X86_WAIT_MSR,		/* run->msr holds user space's answer */
	X86_WAIT_HV,		/* a Hyper-V exit: run->hyperv answers */
};

/* KVM's constants that Debian 12's headers may lack. */
#ifndef KVM_CAP_X86_TRIPLE_FAULT_EVENT
#define KVM_CAP_X86_TRIPLE_FAULT_EVENT 218
#endif
#ifndef KVM_CAP_SREGS2
#define KVM_CAP_SREGS2 200
#endif
#ifndef KVM_CAP_XSAVE2
#define KVM_CAP_XSAVE2 208
#endif
#ifndef KVM_VCPUEVENT_VALID_TRIPLE_FAULT
#define KVM_VCPUEVENT_VALID_TRIPLE_FAULT 0x00000020
#endif
#define X86_DR6_ACTIVE_LOW	0xffff0ff0ULL
#define X86_DR6_BS		(1ULL << 14)
#define X86_DR6_BD		(1ULL << 13)
#define X86_DR7_GD		(1ULL << 13)
#define X86_DR7_FIXED		0x400ULL
#define X86_XSAVE_SIZE		4096
#define X86_XCR0_SUPPORTED	0x3ULL	/* x87 | SSE */
#define X86_MAX_IO_MSRS		256

#define KVMU_IOCTL(req, kind, mode, fn) \
	long fn(struct kvmu_obj *obj, struct kvmu_ioctl_req *r);
#include "arch/x86/ioctls.def"
#undef KVMU_IOCTL

static inline struct x86_cpu *x86_obj_cpu(struct kvmu_obj *obj)
{
	return ((struct kvmu_vcpu *)obj)->arch_data;
}

/* x86.c */
void x86_cpu_reset(struct x86_cpu *cpu);

/* regs.c */
void x86_seg_from_kvm(struct x86_seg *s, const struct kvm_segment *k,
		      int sreg);
void x86_seg_to_kvm(struct kvm_segment *k, const struct x86_seg *s);

/* cpuid.c */
int x86_supported_cpuid(struct kvm_cpuid_entry2 *e, int max);
/* The VMM's CPUID table only (KVM's guest_cpuid_has). */
bool x86_guest_has(struct x86_cpu *cpu, u32 leaf, u32 sub, int reg, int bit);
/* Physical-address width the guest sees (CPUID 0x80000008). */
int x86_maxphyaddr(struct x86_cpu *cpu);

/* msr.c */
int x86_msr_get_host(struct x86_cpu *cpu, u32 index, u64 *val);
int x86_msr_set_host(struct x86_cpu *cpu, u32 index, u64 val);

/* mem.c / paging.c */
/* Walk without side effects (KVM_TRANSLATE); false when unmapped. */
bool x86_walk_peek(struct x86_cpu *cpu, u64 lin, u64 *gpa);
/* Load the PAE PDPTRs from CR3; false when one is invalid. */
bool x86_load_pdptrs(struct x86_cpu *cpu);
/* X86_OK, or X86_EXIT (memory fault) where the plane may not read cr3's PDPT */
enum x86_status x86_pdptrs_allowed(struct x86_cpu *cpu, u64 cr3);
bool x86_is_pae_paging(const struct x86_cpu *cpu);
/* Canonical in 48-bit linear space. */
static inline bool x86_canonical(u64 a)
{
	return (u64)((s64)(a << 16) >> 16) == a;
}

/* smm.c */
/* Enter SMM if an SMI waits and may be taken now; true if it was. */
bool x86_smm_take_smi(struct x86_cpu *cpu);
/* KVM_SET_VCPU_EVENTS' smi fields (kvm_smm_changed on a change). */
void x86_smm_set_state(struct x86_cpu *cpu, bool smm, bool pending,
		       bool inside_nmi);

/* except.c */
/* Queue an exception as KVM's kvm_multiple_exception does. */
void x86_queue_exception(struct x86_cpu *cpu, int vector, bool has_error,
			 u32 error, bool has_payload, u64 payload);
/* Apply a pending exception's payload to CR2 / DR6. */
void x86_deliver_payload(struct x86_cpu *cpu);
/* Maskable interrupts could be taken now (IF, no shadow, nothing queued). */
bool x86_ready_for_injection(const struct x86_cpu *cpu);

/* seg.c: descriptors */
/* Read the 8-byte descriptor for sel (GDT/LDT); error code sel & ~3. */
enum x86_status x86_read_desc(struct x86_cpu *cpu, u16 sel, u64 *desc,
			      int vec);
/* Read a 16-byte system descriptor (long mode TSS/LDT). */
enum x86_status x86_read_desc16(struct x86_cpu *cpu, u16 sel, u64 d[2],
				int vec);
/* Fill a segment register from a descriptor. */
void x86_desc_to_seg(struct x86_seg *s, u64 desc, u16 sel);
/* Set the accessed bit of the descriptor of sel in memory. */
void x86_desc_set_accessed(struct x86_cpu *cpu, u16 sel, u64 desc);
/* Commit a new CS (mode and decode state follow). */
void x86_set_cs(struct x86_cpu *cpu, const struct x86_seg *cs);

/* io.c */
/* Take the data user space supplied for the instruction waiting on it. */
void x86_io_complete(struct x86_cpu *cpu);
/* One element of INS, with KVM's read-ahead batching of up to batch. */
enum x86_status x86_pio_ins(struct x86_cpu *cpu, u16 port, int size,
			    u32 batch, void *val);
/* OUT (not string): exit with RIP unchanged, retire on the next run. */
enum x86_status x86_pio_out_fast(struct x86_cpu *cpu, u16 port, int size,
				 const void *buf);
/* Hand the next queued MMIO write fragment to user space; false: none. */
bool x86_mmio_next_write(struct x86_cpu *cpu);

/* run.c */
/* Report an instruction kvmu cannot execute (KVM's emulation failure). */
enum x86_status x86_emulation_failure(struct x86_cpu *cpu,
				      const struct x86_insn *in);
/* Update run->if_flag, cr8, apic_base, ready_for_interrupt_injection. */
void x86_post_run(struct x86_cpu *cpu);

/* The guest's CPUID vendor is AMD's (or Hygon's): AMD forms apply. */
bool x86_guest_amd(struct x86_cpu *cpu);

/* ---- debug.c: TF single-step, DR0-DR3 breakpoints ---- */

/* A data breakpoint is armed (guest DR7 or the debugger's): check accesses. */
static inline bool x86_dbg_armed(const struct x86_cpu *cpu)
{
	return (cpu->dr[7] | cpu->hw_bp[7]) & 0xff;
}
/* Note the data breakpoints a read or write of [lin, lin+size) hits. */
void x86_dbg_access(struct x86_cpu *cpu, u64 lin, u32 size, bool write);
/* Before an instruction: its instruction breakpoint; X86_OK, _FAULT, _EXIT. */
enum x86_status x86_dbg_before(struct x86_cpu *cpu);
/* The instruction in retired: clear RF, collect its #DB trap conditions. */
void x86_dbg_retired(struct x86_cpu *cpu, const struct x86_insn *in);
/* SYSCALL, SYSRET: single-step on the TF they leave, not the one they
 * found (KVM's x86_emulate_instruction since the CVE-2017-7518 fix). */
void x86_dbg_tf_after(struct x86_cpu *cpu);
/* Raise the collected #DB trap; true when it left as KVM_EXIT_DEBUG. */
bool x86_dbg_after(struct x86_cpu *cpu);
/* A MOV to/from a DR under DR7.GD: X86_OK, or #DB (BD) _FAULT / _EXIT. */
enum x86_status x86_dbg_general_detect(struct x86_cpu *cpu);
/* The debugger's debugreg[8] (KVM_GUESTDBG_USE_HW_BP), NULL: none. */
void x86_dbg_set_hw_bp(struct x86_cpu *cpu, const __u64 *debugreg);

/* ---- plane_x86.c: VM planes ---- */

extern const struct kvmu_plane_ops kvmu_x86_plane_ops;
/* Re-read whether this plane has restricted pages (after a flush). */
void x86_plane_attrs_refresh(struct x86_cpu *cpu);
/* The page of gpa is restricted for this plane: keep it out of fast paths. */
bool x86_plane_page_restricted(struct x86_cpu *cpu, u64 gpa);
/*
 * Run the due local APIC timers of the other planes req_exit_planes names
 * (their expiry is a plane event); returns their next deadline, 0: none.
 */
u64 x86_plane_timers(struct x86_cpu *cpu, u64 now);
/*
 * An access acc (X86_ACC_*) of len bytes (a page at most) at gpa that
 * the emulated hardware makes on the plane's behalf (page-table walker,
 * kvmclock, VAPIC, Hyper-V pages): true when the plane's attributes
 * forbid it; with report, the KVM_EXIT_MEMORY_FAULT exit is filled
 * (cpu->mem_fault).
 */
bool x86_plane_kernel_denied(struct x86_cpu *cpu, u64 gpa, u32 len, int acc,
			     bool report);
/* acc (X86_ACC_*) to gpa allowed by the plane's attributes, or X86_EXIT. */
enum x86_status x86_plane_mem_check(struct x86_cpu *cpu, u64 gpa, int acc);

/* ---- pv_ipi.c: the LAPIC side of KVM's PV IPI hypercalls ---- */

/*
 * KVM_HC_SEND_IPI: send the fixed-mode IPI icr to every APIC ID min + n
 * with bit n set in the 128-bit bitmap (lo, hi; 32-bit halves unless
 * op64); the number of vCPUs reached, or -EOPNOTSUPP (KVM_EOPNOTSUPP) when
 * the VM has no in-kernel local APIC, as KVM answers.
 */
long x86_lapic_pv_send_ipi(struct x86_cpu *cpu, u64 bitmap_lo, u64 bitmap_hi,
			   u32 min, u64 icr, bool op64);
/* KVM_HC_KICK_CPU: wake the halted vCPU with this APIC ID, if any. */
void x86_lapic_pv_kick(struct x86_cpu *cpu, u32 apic_id);

#endif /* KVMU_X86_INT_H */
