// SPDX-License-Identifier: MIT
/*
 * vCPU events: KVM_GET/SET_VCPU_EVENTS with KVM_CAP_EXCEPTION_PAYLOAD
 * (pending vs injected exceptions, payloads), KVM_INTERRUPT for a
 * user-space interrupt controller, KVM_NMI and KVM_SET_GUEST_DEBUG; the
 * semantics of kvm_vcpu_ioctl_x86_{get,set}_vcpu_events.
 */
#include <errno.h>
#include <string.h>

#include "arch/x86/x86_int.h"
#include "arch/x86/irqchip.h"

#define EVENT_FLAGS (KVM_VCPUEVENT_VALID_NMI_PENDING |			\
		     KVM_VCPUEVENT_VALID_SIPI_VECTOR |			\
		     KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM |	\
		     KVM_VCPUEVENT_VALID_PAYLOAD |				\
		     KVM_VCPUEVENT_VALID_TRIPLE_FAULT)

/* Software exceptions carry no instruction length: not reported. */
static bool soft_exception(int nr)
{
	return nr == X86_BP || nr == X86_OF;
}

long x86_get_vcpu_events(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	struct x86_vm *xv = x86_cpu_vm(cpu);
	struct kvm_vcpu_events *k = r->karg;
	struct x86_event *e = &cpu->exception;

	if (!xv->exception_payload && e->pending && e->has_payload)
		x86_deliver_payload(cpu);
	memset(k, 0, sizeof(*k));
	if (!soft_exception(e->nr)) {
		k->exception.injected = e->injected;
		k->exception.pending = e->pending;
		if (!xv->exception_payload)
			k->exception.injected |= e->pending;
	}
	k->exception.nr = e->nr;
	k->exception.has_error_code = e->has_error;
	k->exception.error_code = e->error;
	k->exception_has_payload = e->has_payload;
	k->exception_payload = e->payload;
	k->interrupt.injected = cpu->interrupt.injected && !cpu->interrupt_soft;
	k->interrupt.nr = cpu->interrupt.nr;
	k->interrupt.shadow = cpu->interrupt_shadow;
	k->nmi.injected = cpu->nmi_injected;
	k->nmi.pending = cpu->nr_nmi;
	k->nmi.masked = cpu->nmi_masked;
	k->smi.smm = cpu->m.smm;
	k->smi.pending = cpu->m.smi_pending;
	k->smi.smm_inside_nmi = cpu->m.smm_inside_nmi;
	k->flags = KVM_VCPUEVENT_VALID_NMI_PENDING |
		   KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM;
	if (xv->exception_payload)
		k->flags |= KVM_VCPUEVENT_VALID_PAYLOAD;
	if (xv->triple_fault_event) {
		k->flags |= KVM_VCPUEVENT_VALID_TRIPLE_FAULT;
		((u8 *)k)[28] = cpu->triple_fault;	/* triple_fault.pending */
	}
	return 0;
}

long x86_set_vcpu_events(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	struct x86_vm *xv = x86_cpu_vm(cpu);
	struct kvm_vcpu_events *k = r->karg;
	struct x86_event *e = &cpu->exception;

	if (k->flags & ~EVENT_FLAGS)
		return -EINVAL;
	if (k->flags & KVM_VCPUEVENT_VALID_PAYLOAD) {
		if (!xv->exception_payload)
			return -EINVAL;
		if (k->exception.pending)
			k->exception.injected = 0;
		else
			k->exception_has_payload = 0;
	} else {
		k->exception.pending = 0;
		k->exception_has_payload = 0;
	}
	if ((k->exception.injected || k->exception.pending) &&
	    (k->exception.nr > 31 || k->exception.nr == X86_NMI))
		return -EINVAL;
	if ((k->flags & KVM_VCPUEVENT_VALID_TRIPLE_FAULT) &&
	    !xv->triple_fault_event)
		return -EINVAL;
	e->injected = k->exception.injected;
	e->pending = k->exception.pending;
	e->nr = k->exception.nr;
	e->has_error = k->exception.has_error_code;
	e->error = k->exception.error_code;
	e->has_payload = k->exception_has_payload;
	e->payload = k->exception_payload;
	cpu->interrupt.injected = k->interrupt.injected;
	cpu->interrupt.nr = k->interrupt.nr;
	cpu->interrupt_soft = k->interrupt.soft;
	if (k->flags & KVM_VCPUEVENT_VALID_SHADOW)
		cpu->interrupt_shadow = k->interrupt.shadow &
			(KVM_X86_SHADOW_INT_MOV_SS | KVM_X86_SHADOW_INT_STI);
	cpu->nmi_injected = k->nmi.injected;
	if (k->flags & KVM_VCPUEVENT_VALID_NMI_PENDING)
		cpu->nr_nmi = k->nmi.pending ? 1 : 0;
	cpu->nmi_masked = k->nmi.masked;
	if (k->flags & KVM_VCPUEVENT_VALID_TRIPLE_FAULT)
		cpu->triple_fault = ((u8 *)k)[28] != 0;
	if (k->flags & KVM_VCPUEVENT_VALID_SMM)
		x86_smm_set_state(cpu, k->smi.smm, k->smi.pending,
				  k->smi.smm_inside_nmi);
	return 0;
}

long x86_interrupt_ioctl(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	const struct kvm_interrupt *k = r->karg;

	if (k->irq >= 256)
		return -EINVAL;
	if (kvmu_irq_in_kernel(cpu->vcpu->vm))
		return x86_irqchip_interrupt(cpu, k->irq);
	/*
	 * kvm_queue_interrupt: a vector not yet delivered is replaced (a
	 * VMM asks only while ready_for_interrupt_injection reads 1).
	 */
	cpu->interrupt.injected = true;
	cpu->interrupt.nr = (u8)k->irq;
	cpu->interrupt_soft = false;
	return 0;
}

long x86_nmi_ioctl(struct kvmu_obj *obj, struct kvmu_ioctl_req *r KVMU_UNUSED)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);

	/* process_nmi: at most two, one if one is already in service */
	if (cpu->nr_nmi < ((cpu->nmi_masked || cpu->nmi_injected) ? 1 : 2))
		cpu->nr_nmi++;
	return 0;
}

#define GUESTDBG_VALID (KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP |	\
			KVM_GUESTDBG_USE_SW_BP | KVM_GUESTDBG_USE_HW_BP |	\
			KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP |	\
			KVM_GUESTDBG_BLOCKIRQ)

long x86_set_guest_debug(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	const struct kvm_guest_debug *g = r->karg;
	u32 ctl = g->control;

	if (ctl & ~GUESTDBG_VALID)
		return -EINVAL;
	if (ctl & (KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP)) {
		if (cpu->exception.pending || cpu->exception.injected)
			return -EBUSY;
		x86_queue_exception(cpu, (ctl & KVM_GUESTDBG_INJECT_DB) ?
				    X86_DB : X86_BP, false, 0, false, 0);
	}
	if (!(ctl & KVM_GUESTDBG_ENABLE))
		ctl = 0;
	cpu->guest_debug = ctl;
	x86_dbg_set_hw_bp(cpu, (ctl & KVM_GUESTDBG_USE_HW_BP) ?
			  g->arch.debugreg : NULL);
	return 0;
}
