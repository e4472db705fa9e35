// SPDX-License-Identifier: MIT
/*
 * KVM_RUN for x86, in the order of kvm_arch_vcpu_ioctl_run: take cr8
 * from kvm_run, complete the user-space I/O the last exit asked for (the
 * waiting instruction runs again and finds its data), honour
 * immediate_exit, check the guest state as VM entry would, then deliver
 * events and execute until an exit.  The kvm_run x86 fields are updated
 * on every return, as post_kvm_run_save does.
 */
#include <errno.h>
#include <string.h>

#include "arch/x86/x86_int.h"
#include "arch/x86/irqchip.h"
#include "arch/x86/step.h"

/* Units (blocks or single instructions) between two should-exit checks. */
#define X86_CHECK_EVERY 64

void x86_update_mode(struct x86_cpu *cpu)
{
	const struct x86_seg *cs = &cpu->seg[X86_CS];
	enum x86_mode m;

	if (!(cpu->cr0 & X86_CR0_PE))
		m = X86_MODE_REAL;
	else if (cpu->rflags & X86_VM)
		m = X86_MODE_VM86;
	else if (cpu->efer & X86_EFER_LMA)
		m = cs->l ? X86_MODE_LONG64 :
		    cs->db ? X86_MODE_COMPAT32 : X86_MODE_COMPAT16;
	else
		m = cs->db ? X86_MODE_PROT32 : X86_MODE_PROT16;
	cpu->mode = m;
}

void x86_post_run(struct x86_cpu *cpu)
{
	struct kvm_run *run = cpu->run;

	run->if_flag = !!(cpu->rflags & X86_IF);
	run->cr8 = cpu->cr8;
	run->apic_base = cpu->apic_base;
	run->ready_for_interrupt_injection = x86_ready_for_injection(cpu);
	run->flags = cpu->m.smm ? KVM_RUN_X86_SMM : 0;
	if (cpu->apic)
		x86_irqchip_post_run(cpu);
}

enum x86_status x86_emulation_failure(struct x86_cpu *cpu,
				      const struct x86_insn *in)
{
	struct kvm_run *run = cpu->run;

	/* handle_emulation_failure: #UD outside ring 0 */
	if (x86_cpl(cpu) > 0)
		return x86_raise(cpu, X86_UD, X86_NO_ERROR);
	memset(&run->internal, 0, sizeof(run->internal));
	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->emulation_failure.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run->emulation_failure.flags = 0;
	run->emulation_failure.ndata = 1 + 5;
	if (in && in->len) {
		run->emulation_failure.flags =
			KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES;
		run->emulation_failure.insn_size = in->len;
		memset(run->emulation_failure.insn_bytes, 0x90,
		       sizeof(run->emulation_failure.insn_bytes));
		memcpy(run->emulation_failure.insn_bytes, in->bytes, in->len);
		run->emulation_failure.ndata = 3 + 5;
	}
	return X86_EXIT;
}

enum x86_status x86_step(struct x86_cpu *cpu)
{
	const struct x86_insn *in;
	enum x86_status st;

	st = x86_dbg_before(cpu);
	if (st != X86_OK)
		return st;
	st = x86_fetch_decode(cpu, &in);
	if (st != X86_OK)
		return st;
	/*
	 * Blocks run only without TF, RF, DR7 breakpoints or guest debug
	 * (block.c), so the debug bookkeeping of a retired instruction is
	 * needed here alone.
	 */
	st = x86_exec_insn(cpu, in);
	if (st == X86_OK || st == X86_EXIT_RETIRED || st == X86_JUMP)
		x86_dbg_retired(cpu, in);
	return st;
}

/* VM-entry checks on guest state (SDM 26.3.1, unrestricted guest). */
static bool seg_limit_ok(const struct x86_seg *s)
{
	if ((s->limit & 0xfff) != 0xfff && s->g)
		return false;
	return !(s->limit > 0xfffff && !s->g);
}

static bool segs_ok(const struct x86_cpu *cpu, bool lma)
{
	const struct x86_seg *cs = &cpu->seg[X86_CS], *ss = &cpu->seg[X86_SS];
	const struct x86_seg *tr = &cpu->seg[X86_TR];
	int i;

	if (cs->unusable || !cs->s || !seg_limit_ok(cs) ||
	    !(cs->type == 3 || (cs->type & 9) == 9))
		return false;
	if (lma && cs->l && cs->db)
		return false;
	if (!ss->unusable && (!ss->s || (ss->type != 3 && ss->type != 7) ||
			      !seg_limit_ok(ss)))
		return false;
	for (i = 0; i < X86_TR; i++) {
		const struct x86_seg *s = &cpu->seg[i];

		if (i == X86_CS || i == X86_SS || s->unusable)
			continue;
		if (!s->s || ((s->type & 8) && !(s->type & 2)) ||
		    !seg_limit_ok(s))
			return false;
	}
	if (tr->unusable || tr->s || !seg_limit_ok(tr) ||
	    !(tr->type == 11 || (!lma && tr->type == 3)))
		return false;
	tr = &cpu->seg[X86_LDTR];
	return tr->unusable || (tr->type == 2 && !tr->s && seg_limit_ok(tr));
}

static bool entry_ok(const struct x86_cpu *cpu)
{
	bool lma = cpu->efer & X86_EFER_LMA;

	if (cpu->efer & ~(X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA |
			  X86_EFER_NXE))
		return false;
	if (lma && (!(cpu->efer & X86_EFER_LME) || !(cpu->cr0 & X86_CR0_PG)))
		return false;
	if (!(cpu->rflags & 2) || (cpu->rflags & 0xffffffffffc08028ULL))
		return false;
	if (lma && (cpu->rflags & X86_VM))
		return false;
	if (!(lma && cpu->seg[X86_CS].l) && (cpu->rip >> 32))
		return false;
	return segs_ok(cpu, lma);
}

static enum x86_status fail_entry(struct x86_cpu *cpu)
{
	cpu->run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	/* VMX: entry failure (bit 31) for invalid guest state (33) */
	cpu->run->fail_entry.hardware_entry_failure_reason = 0x80000021ULL;
	cpu->run->fail_entry.cpu = 0;
	return X86_EXIT;
}

static enum x86_status debug_exit(struct x86_cpu *cpu, int vector,
				  u64 dr6)
{
	struct kvm_run *run = cpu->run;

	run->exit_reason = KVM_EXIT_DEBUG;
	run->debug.arch.exception = (u32)vector;
	run->debug.arch.pc = cpu->seg[X86_CS].base + cpu->rip;
	if (vector == X86_DB) {
		run->debug.arch.dr6 = dr6;
		run->debug.arch.dr7 = cpu->dr[7];
	}
	return X86_EXIT;
}

static bool single_step(const struct x86_cpu *cpu)
{
	return (cpu->guest_debug & (KVM_GUESTDBG_ENABLE |
				    KVM_GUESTDBG_SINGLESTEP)) ==
	       (KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP);
}

/* After a step: what the loop must do (exit to user space or go on). */
static bool after_step(struct x86_cpu *cpu, enum x86_status st)
{
	if (st == X86_EXIT)
		return true;
	if (st == X86_FAULT)
		return false;
	if (cpu->dbg_dr6 && x86_dbg_after(cpu))
		return true;
	if (cpu->nr_mmio_writes && x86_mmio_next_write(cpu))
		return true;
	if (st == X86_EXIT_RETIRED)
		return true;
	if (single_step(cpu)) {
		debug_exit(cpu, X86_DB, X86_DR6_ACTIVE_LOW | X86_DR6_BS);
		return true;
	}
	return false;
}

static bool irq_window(struct x86_cpu *cpu)
{
	if (!cpu->run->request_interrupt_window ||
	    !x86_ready_for_injection(cpu))
		return false;
	if (cpu->apic && !x86_irqchip_window_ok(cpu))
		return false;
	cpu->run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
	return true;
}

/*
 * The in-kernel irqchip at a block boundary: sleep while not runnable,
 * take events when something changed or an interrupt waits for IF.
 * 0: go on; 1: an exit is set; -EINTR: leave KVM_RUN.
 */
static int irqchip_step(struct x86_cpu *cpu)
{
	int r;

	if (unlikely(cpu->mp_state != KVM_MP_STATE_RUNNABLE)) {
		r = x86_irqchip_block(cpu);
		if (r < 0)
			cpu->run->exit_reason = KVM_EXIT_INTR;
		return r;
	}
	if (atomic_load_explicit(&cpu->apic->attention, memory_order_relaxed) ||
	    (cpu->apic_want && (cpu->rflags & X86_IF)) ||
	    cpu->cr8 != cpu->apic_cr8)
		return x86_irqchip_events(cpu);
	return 0;
}

/* Execute until an exit; 0 or -EINTR. */
static int run_loop(struct x86_cpu *cpu)
{
	struct kvmu_vcpu *vcpu = cpu->vcpu;
	unsigned int n = X86_CHECK_EVERY;
	enum x86_status st;

	cpu->run->exit_reason = KVM_EXIT_UNKNOWN;	/* as vcpu_run */
	for (;;) {
		/* req_exit_planes: look when halted and at check points */
		if (unlikely(vcpu->plane_req) &&
		    (!n || cpu->mp_state != KVM_MP_STATE_RUNNABLE) &&
		    kvmu_plane_event_exit(vcpu))
			return 0;
		/* a signal pending at entry stops us before any instruction */
		if (++n >= X86_CHECK_EVERY) {
			n = 0;
			if (kvmu_vcpu_should_exit(vcpu)) {
				cpu->run->exit_reason = KVM_EXIT_INTR;
				return -EINTR;
			}
			if (kvmu_vcpu_slots_changed(vcpu)) {
				x86_tlb_flush(cpu);
				x86_decode_flush(cpu);
			}
			if (cpu->apic && x86_irqchip_timers(cpu))
				return 0;	/* the VAPIC page: an exit */
		}
		if (cpu->apic) {
			int r = irqchip_step(cpu);

			if (r)
				return r < 0 ? r : 0;
		}
		if (x86_deliver_events(cpu) == X86_EXIT)
			return 0;
		if (irq_window(cpu))
			return 0;
		if (unlikely(x86_hv_flush_wanted(&cpu->m.hv)))
			x86_hv_flush_self(cpu);	/* a remote Hyper-V flush */
		st = x86_block_exec(cpu);
		if (after_step(cpu, st))
			return 0;
	}
}

static void sync_slots(struct kvmu_vcpu *vcpu, struct x86_cpu *cpu)
{
	if (kvmu_vcpu_slots_changed(vcpu)) {
		x86_tlb_flush(cpu);
		x86_decode_flush(cpu);
	}
}

/* Finish what the last exit started; 1: an exit is set, 0: go on. */
static int complete_userspace(struct x86_cpu *cpu)
{
	enum x86_status st;

	if (cpu->io_wait == X86_WAIT_NONE)
		return 0;
	if (cpu->io_wait == X86_WAIT_MMIO_WRITE)
		return x86_mmio_next_write(cpu) ? 1 : 0;
	if (cpu->io_wait == X86_WAIT_HV) {
		x86_hv_complete(cpu);	/* the VMM's hypercall result */
		return 0;
	}
	/*
	 * Like complete_fast_pio_in/out: if the VMM moved the guest (e.g.
	 * KVM_SET_REGS) while the port access was pending, drop it.
	 */
	if ((cpu->io_wait == X86_WAIT_PIO_IN ||
	     cpu->io_wait == X86_WAIT_PIO_OUT) &&
	    cpu->io_lin_rip != cpu->seg[X86_CS].base + cpu->rip) {
		cpu->io_wait = X86_WAIT_NONE;
		return 0;
	}
	if (cpu->io_wait == X86_WAIT_MSR)
		x86_msr_user_done(cpu);
	x86_io_complete(cpu);
	st = x86_step(cpu);
	if (st == X86_FAULT)
		return 0;
	return after_step(cpu, st) ? 1 : 0;
}

int x86_vcpu_run(struct kvmu_vcpu *vcpu)
{
	struct x86_cpu *cpu = x86_cpu_of(vcpu);
	int ret = 0;

	sync_slots(vcpu, cpu);
	ret = x86_sync_regs_in(cpu);
	if (ret)
		goto out;
	if (unlikely(x86_kvmclock_update(cpu))) {
		cpu->mem_fault = false;	/* the exit is filled; nothing ran */
		ret = -EFAULT;
		goto out;
	}
	x86_hv_entry(cpu);
	if (cpu->apic && cpu->mp_state == KVM_MP_STATE_UNINITIALIZED) {
		ret = x86_irqchip_wait_init(cpu);
		goto out;
	}
	/* with an in-kernel LAPIC, CR8 is the TPR's, not kvm_run's */
	if (!cpu->apic && (cpu->run->cr8 >> 4)) {
		ret = -EINVAL;
		goto out;
	}
	if (!cpu->apic)
		cpu->cr8 = cpu->run->cr8;
	if (complete_userspace(cpu))
		goto out;
	if (vcpu->immediate) {
		ret = -EINTR;
		goto out;
	}
	if (cpu->check_entry) {
		if (!entry_ok(cpu)) {
			fail_entry(cpu);
			goto out;
		}
		cpu->check_entry = false;
	}
	cpu->has_run = true;
	ret = run_loop(cpu);
	if (unlikely(cpu->mem_fault)) {
		/*
		 * A plane's memory attributes stopped an access.  A fetch
		 * check of a page the instruction turned out not to reach
		 * is overwritten by the exit that really ended the run.
		 */
		cpu->mem_fault = false;
		if (cpu->run->exit_reason == KVM_EXIT_MEMORY_FAULT)
			ret = -EFAULT;
	}
out:
	x86_sync_regs_out(cpu);
	x86_post_run(cpu);
	return ret;
}
