// SPDX-License-Identifier: MIT
/*
 * Exceptions and interrupts: queueing with KVM's double-fault rules
 * (kvm_multiple_exception), payloads (CR2 for #PF, DR6 for #DB) applied
 * at delivery, and delivery through the real-mode IVT or the protected /
 * long-mode IDT, with the stack switch from the TSS (RSP0-2, IST).
 */
#include <string.h>

#include "arch/x86/x86_int.h"

enum { EXC_BENIGN, EXC_CONTRIB, EXC_PF };

static int exc_class(int v)
{
	switch (v) {
	case X86_PF:
		return EXC_PF;
	case X86_DE: case X86_TS: case X86_NP: case X86_SS_VEC: case X86_GP:
		return EXC_CONTRIB;
	default:
		return EXC_BENIGN;
	}
}

void x86_queue_exception(struct x86_cpu *cpu, int vector, bool has_error,
			 u32 error, bool has_payload, u64 payload)
{
	struct x86_event *e = &cpu->exception;
	int c1, c2;

	if (e->pending || e->injected) {
		if (e->nr == X86_DF) {
			cpu->triple_fault = true;
			return;
		}
		c1 = exc_class(e->nr);
		c2 = exc_class(vector);
		if ((c1 == EXC_CONTRIB && c2 == EXC_CONTRIB) ||
		    (c1 == EXC_PF && c2 != EXC_BENIGN)) {
			vector = X86_DF;
			has_error = true;
			error = 0;
			has_payload = false;
			payload = 0;
		}
	}
	e->pending = true;
	e->injected = false;
	e->nr = (u8)vector;
	e->has_error = has_error;
	e->error = error;
	e->has_payload = has_payload;
	e->payload = payload;
}

enum x86_status x86_raise(struct x86_cpu *cpu, int vector, int error)
{
	x86_queue_exception(cpu, vector, error != X86_NO_ERROR,
			    error == X86_NO_ERROR ? 0 : (u32)error, false, 0);
	return X86_FAULT;
}

enum x86_status x86_raise_pf(struct x86_cpu *cpu, u64 addr, u32 error)
{
	x86_queue_exception(cpu, X86_PF, true, error, true, addr);
	return X86_FAULT;
}

void x86_deliver_payload(struct x86_cpu *cpu)
{
	struct x86_event *e = &cpu->exception;

	if (!e->has_payload)
		return;
	if (e->nr == X86_PF) {
		cpu->cr2 = e->payload;
	} else if (e->nr == X86_DB) {
		/* kvm_deliver_exception_payload: active-low bits flip */
		cpu->dr[6] &= ~0xfULL;
		cpu->dr[6] |= X86_DR6_ACTIVE_LOW;
		cpu->dr[6] |= e->payload;
		cpu->dr[6] ^= e->payload & X86_DR6_ACTIVE_LOW;
		cpu->dr[6] &= ~(1ULL << 12);
	}
	e->has_payload = false;
	e->payload = 0;
}

bool x86_ready_for_injection(const struct x86_cpu *cpu)
{
	return (cpu->rflags & X86_IF) && !cpu->interrupt_shadow &&
	       !cpu->interrupt.injected && !cpu->exception.injected &&
	       !cpu->exception.pending && !cpu->nmi_injected;
}

/* ---- real mode ---- */

static enum x86_status deliver_real(struct x86_cpu *cpu, int vector,
				    u64 next_rip)
{
	u16 frame[3], ivt[2];
	u64 sp = cpu->gpr[X86_RSP], lin;
	enum x86_status st;

	if ((u32)vector * 4 + 3 > cpu->idtr.limit)
		return x86_raise(cpu, X86_GP, 0);
	st = x86_read_lin(cpu, cpu->idtr.base + (u64)vector * 4, ivt, 4,
			  X86_ACC_READ | X86_ACC_IMPLICIT);
	if (st != X86_OK)
		return st;
	frame[0] = (u16)next_rip;
	frame[1] = cpu->seg[X86_CS].sel;
	frame[2] = (u16)cpu->rflags;
	sp = (sp - 6) & 0xffff;
	st = x86_seg_linear(cpu, X86_SS, sp, 6, X86_ACC_WRITE, &lin);
	if (st != X86_OK)
		return st;
	st = x86_write_lin(cpu, lin, frame, 6, X86_ACC_WRITE);
	if (st != X86_OK)
		return st;
	cpu->gpr[X86_RSP] = (cpu->gpr[X86_RSP] & ~0xffffULL) | sp;
	cpu->rflags &= ~(X86_IF | X86_TF | X86_AC_ | X86_RF);
	cpu->seg[X86_CS].sel = ivt[1];
	cpu->seg[X86_CS].base = (u64)ivt[1] << 4;
	cpu->rip = ivt[0];
	return X86_OK;
}

/* ---- protected and long mode ---- */

struct gate {
	u64 off;
	u16 sel;
	u8 type, dpl, ist;
	bool present;
};

static enum x86_status read_gate(struct x86_cpu *cpu, int vector, u32 ext,
				 struct gate *g)
{
	bool lm = cpu->efer & X86_EFER_LMA;
	u32 size = lm ? 16 : 8, err = (u32)vector * 8 + 2 + ext;
	enum x86_status st;
	u64 d[2] = { 0, 0 };

	if ((u32)vector * size + size - 1 > cpu->idtr.limit)
		return x86_raise(cpu, X86_GP, (int)err);
	st = x86_read_lin(cpu, cpu->idtr.base + (u64)vector * size, d, size,
			  X86_ACC_READ | X86_ACC_IMPLICIT);
	if (st != X86_OK)
		return st;
	g->off = (d[0] & 0xffff) | ((d[0] >> 32) & 0xffff0000ULL) |
		 (lm ? d[1] << 32 : 0);
	g->sel = (u16)(d[0] >> 16);
	g->type = (u8)((d[0] >> 40) & 0x1f);	/* S bit included */
	g->dpl = (u8)((d[0] >> 45) & 3);
	g->present = (d[0] >> 47) & 1;
	g->ist = lm ? (u8)((d[0] >> 32) & 7) : 0;
	if (lm ? (g->type != 14 && g->type != 15) :
		 (g->type != 6 && g->type != 7 && g->type != 14 &&
		  g->type != 15 && g->type != 5))
		return x86_raise(cpu, X86_GP, (int)err);
	return X86_OK;
}

/* New SS:RSP for privilege level dpl (or IST slot ist) from the TSS. */
static enum x86_status tss_stack(struct x86_cpu *cpu, int dpl, int ist,
				 u16 *ss, u64 *sp)
{
	const struct x86_seg *tr = &cpu->seg[X86_TR];
	bool lm = cpu->efer & X86_EFER_LMA;
	bool t32 = tr->type == 9 || tr->type == 11;
	u64 off, v = 0;
	u32 size;
	enum x86_status st;
	u16 s = 0;

	if (lm) {
		off = ist ? 0x24 + 8 * (u64)(ist - 1) : 4 + 8 * (u64)dpl;
		size = 8;
	} else {
		off = t32 ? 4 + 8 * (u64)dpl : 2 + 4 * (u64)dpl;
		size = t32 ? 4 : 2;
	}
	if (tr->unusable || off + size - 1 + (lm ? 0 : size) > tr->limit)
		return x86_raise(cpu, X86_TS, tr->sel & ~3);
	st = x86_read_lin(cpu, tr->base + off, &v, size,
			  X86_ACC_READ | X86_ACC_IMPLICIT);
	if (st == X86_OK && !lm)
		st = x86_read_lin(cpu, tr->base + off + size, &s, 2,
				  X86_ACC_READ | X86_ACC_IMPLICIT);
	if (st != X86_OK)
		return st;
	*sp = v;
	*ss = lm ? (u16)dpl : s;
	return X86_OK;
}

/* Load and check the new stack segment of a privilege change. */
static enum x86_status new_ss(struct x86_cpu *cpu, u16 sel, int dpl,
			      struct x86_seg *ss)
{
	enum x86_status st;
	u64 d;

	if (cpu->efer & X86_EFER_LMA) {
		memset(ss, 0, sizeof(*ss));
		ss->sel = (u16)dpl;
		ss->unusable = 1;
		ss->dpl = (u8)dpl;
		return X86_OK;
	}
	if (!(sel & ~3))
		return x86_raise(cpu, X86_TS, sel & ~3);
	st = x86_read_desc(cpu, sel, &d, X86_TS);
	if (st != X86_OK)
		return st;
	x86_desc_to_seg(ss, d, sel);
	if ((sel & 3) != dpl || ss->dpl != dpl || !ss->s || (ss->type & 0xa) != 2)
		return x86_raise(cpu, X86_TS, sel & ~3);
	if (!ss->present)
		return x86_raise(cpu, X86_SS_VEC, sel & ~3);
	return X86_OK;
}

struct frame {
	u64 w[6];
	int n;
};

static void frame_push(struct frame *f, u64 v)
{
	f->w[f->n++] = v;
}

/* Write the frame (pushed in order) below sp on stack segment ss. */
static enum x86_status write_frame(struct x86_cpu *cpu, struct x86_seg *ss,
				   u64 *sp, const struct frame *f, int size,
				   int cpl)
{
	u8 buf[48];
	u64 base, lin, top = *sp;
	u32 len = (u32)(f->n * size);
	int i, acc = X86_ACC_WRITE | (cpl < 3 ? X86_ACC_IMPLICIT : 0);

	for (i = 0; i < f->n; i++)
		memcpy(buf + len - (u32)(i + 1) * (u32)size, &f->w[i],
		       (size_t)size);
	if (cpu->efer & X86_EFER_LMA && size == 8) {
		top -= len;
		if (!x86_canonical(top) || !x86_canonical(top + len - 1))
			return x86_raise(cpu, X86_SS_VEC, 0);
		lin = top;
	} else {
		u64 mask = ss->db ? 0xffffffffULL : 0xffffULL;

		top = (top - len) & mask;
		base = ss->base;
		if (!ss->unusable && !(ss->type & 4) &&
		    top + len - 1 > ss->limit)
			return x86_raise(cpu, X86_SS_VEC, 0);
		lin = (base + top) & 0xffffffffULL;
		top |= *sp & ~mask;
	}
	if (x86_write_lin(cpu, lin, buf, len, acc) != X86_OK)
		return X86_FAULT;
	*sp = top;
	return X86_OK;
}

static enum x86_status target_cs(struct x86_cpu *cpu, const struct gate *g,
				 u32 ext, struct x86_seg *cs, u64 *desc)
{
	enum x86_status st;

	if (!(g->sel & ~3))
		return x86_raise(cpu, X86_GP, (int)ext);
	st = x86_read_desc(cpu, g->sel, desc, X86_GP);
	if (st != X86_OK)
		return st;
	x86_desc_to_seg(cs, *desc, g->sel);
	if (!cs->s || !(cs->type & 8) || cs->dpl > x86_cpl(cpu))
		return x86_raise(cpu, X86_GP, (int)((g->sel & ~3) + ext));
	if ((cpu->efer & X86_EFER_LMA) && (!cs->l || cs->db))
		return x86_raise(cpu, X86_GP, (int)((g->sel & ~3) + ext));
	if (!cs->present)
		return x86_raise(cpu, X86_NP, (int)((g->sel & ~3) + ext));
	return X86_OK;
}

static enum x86_status deliver_prot(struct x86_cpu *cpu, int vector,
				    int error, bool soft, u64 next_rip)
{
	bool lm = cpu->efer & X86_EFER_LMA;
	int cpl = x86_cpl(cpu), new_cpl, size;
	u32 ext = soft ? 0 : 1;
	struct x86_seg cs, ss = cpu->seg[X86_SS];
	u64 sp = cpu->gpr[X86_RSP], desc;
	struct frame f = { .n = 0 };
	enum x86_status st;
	struct gate g = { 0 };
	u16 ss_sel = 0;

	if (cpu->rflags & X86_VM)
		return x86_emulation_failure(cpu, NULL);
	st = read_gate(cpu, vector, ext, &g);
	if (st != X86_OK)
		return st;
	if (soft && g.dpl < cpl)
		return x86_raise(cpu, X86_GP, vector * 8 + 2);
	if (!g.present)
		return x86_raise(cpu, X86_NP, (int)(vector * 8 + 2 + ext));
	if (g.type == 5)
		return x86_emulation_failure(cpu, NULL);	/* task gate */
	st = target_cs(cpu, &g, ext, &cs, &desc);
	if (st != X86_OK)
		return st;
	new_cpl = (cs.type & 4) ? cpl : cs.dpl;
	size = lm ? 8 : (g.type & 8) ? 4 : 2;
	if (new_cpl < cpl || (lm && g.ist)) {
		st = tss_stack(cpu, new_cpl, g.ist, &ss_sel, &sp);
		if (st == X86_OK && new_cpl < cpl)
			st = new_ss(cpu, ss_sel, new_cpl, &ss);
		if (st != X86_OK)
			return st;
	}
	if (lm)
		sp &= ~0xfULL;
	if (new_cpl < cpl || lm) {
		frame_push(&f, cpu->seg[X86_SS].sel);
		frame_push(&f, cpu->gpr[X86_RSP]);
	}
	frame_push(&f, cpu->rflags);
	frame_push(&f, cpu->seg[X86_CS].sel);
	frame_push(&f, next_rip);
	if (error != X86_NO_ERROR)
		frame_push(&f, (u32)error);
	st = write_frame(cpu, &ss, &sp, &f, size, new_cpl);
	if (st != X86_OK)
		return st;
	x86_desc_set_accessed(cpu, g.sel, desc);
	cs.type |= 1;
	cs.sel = (u16)((g.sel & ~3) | new_cpl);
	cs.dpl = cs.dpl;
	if (new_cpl < cpl)
		cpu->seg[X86_SS] = ss;
	cpu->gpr[X86_RSP] = sp;
	cpu->rflags &= ~(X86_TF | X86_NT | X86_RF | X86_VM);
	if (!(g.type & 1))
		cpu->rflags &= ~X86_IF;
	cpu->rip = lm ? g.off : g.off & (size == 2 ? 0xffff : 0xffffffff);
	x86_set_cs(cpu, &cs);
	return X86_OK;
}

enum x86_status x86_deliver(struct x86_cpu *cpu, int vector, int error,
			    bool soft, u64 next_rip)
{
	if (!(cpu->cr0 & X86_CR0_PE))
		return deliver_real(cpu, vector, next_rip);
	return deliver_prot(cpu, vector, error, soft, next_rip);
}

static enum x86_status shutdown(struct x86_cpu *cpu)
{
	cpu->triple_fault = false;
	cpu->exception.pending = cpu->exception.injected = false;
	cpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return X86_EXIT;
}

/*
 * Faults push RF=1 so that the return does not hit an instruction
 * breakpoint again (SDM 17.3.1.1); KVM's inject_pending_event sets RF
 * for every vector of class fault, #DB counting as a trap.
 */
static bool exc_is_fault(int v)
{
	return v != X86_DB && v != X86_BP && v != X86_OF && v != X86_DF &&
	       v != X86_MC && v != X86_NMI;
}

/* Deliver the queued exception, looping while delivery itself faults. */
static enum x86_status deliver_exception(struct x86_cpu *cpu)
{
	struct x86_event *e = &cpu->exception;
	enum x86_status st;
	int err;

	while (e->pending || e->injected) {
		if (cpu->triple_fault)
			return shutdown(cpu);
		/* entering the #DB handler clears DR7.GD (SDM 17.2.4) */
		if (e->pending && e->nr == X86_DB)
			cpu->dr[7] &= ~X86_DR7_GD;
		x86_deliver_payload(cpu);
		e->pending = false;
		e->injected = true;
		err = e->has_error && (cpu->cr0 & X86_CR0_PE) ?
		      (int)e->error : X86_NO_ERROR;
		if (exc_is_fault(e->nr))
			cpu->rflags |= X86_RF;
		st = x86_deliver(cpu, e->nr, err, false, cpu->rip);
		if (st == X86_EXIT)
			return st;
		if (st == X86_OK)
			e->injected = false;
		if (cpu->triple_fault)
			return shutdown(cpu);
	}
	return X86_OK;
}

enum x86_status x86_deliver_events(struct x86_cpu *cpu)
{
	enum x86_status st;

	if (cpu->triple_fault)
		return shutdown(cpu);
	if (cpu->exception.pending || cpu->exception.injected)
		return deliver_exception(cpu);
	/* inject_pending_event: an SMI before NMIs and interrupts */
	if (unlikely(cpu->m.smi_pending) && !cpu->nmi_injected &&
	    !cpu->interrupt.injected && x86_smm_take_smi(cpu))
		return X86_OK;
	/* a new NMI waits while the debugger blocks events (BLOCKIRQ) */
	if (cpu->nmi_injected || (cpu->nr_nmi && !cpu->nmi_masked &&
				  !cpu->interrupt_shadow &&
				  !(cpu->guest_debug & KVM_GUESTDBG_BLOCKIRQ))) {
		if (!cpu->nmi_injected)
			cpu->nr_nmi--;
		cpu->nmi_injected = true;
		st = x86_deliver(cpu, X86_NMI, X86_NO_ERROR, false, cpu->rip);
		if (st == X86_EXIT)
			return st;
		cpu->nmi_injected = false;
		cpu->nmi_masked = true;
		cpu->halted = false;
		return st == X86_OK ? X86_OK : deliver_exception(cpu);
	}
	if (cpu->interrupt.injected) {
		st = x86_deliver(cpu, cpu->interrupt.nr, X86_NO_ERROR,
				 cpu->interrupt_soft, cpu->rip);
		if (st == X86_EXIT)
			return st;
		cpu->interrupt.injected = false;
		cpu->halted = false;
		return st == X86_OK ? X86_OK : deliver_exception(cpu);
	}
	return X86_OK;
}
