// SPDX-License-Identifier: MIT
/*
 * The SynIC's connections to the rest of the VM, as arch/x86/kvm/hyperv.c
 * makes them:
 *  - KVM_IRQ_ROUTING_HV_SINT routes: raising such a GSI (KVM_IRQ_LINE,
 *    an irqfd) raises SINT n of the vCPU with VP index v, i.e. its vector
 *    on that vCPU's local APIC (kvm_hv_set_sint).  When the guest is done
 *    with the SINT (EOM, or an EOI of its vector) the GSI is acknowledged,
 *    so a resampling irqfd on it tells user space (kvm_hv_notify_acked_sint);
 *    QEMU posts its next SynIC message then.
 *  - KVM_HYPERV_EVENTFD: HvCallSignalEvent for a connection id bound to an
 *    eventfd signals it in kvmu, without a KVM_EXIT_HYPERV_HCALL.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "arch/x86/x86_int.h"
#include "arch/x86/irqchip.h"
#include "eventfd.h"

#define SINT_MASKED		(1ULL << 16)
#define CONN_ID_MASK		0x00ffffffU	/* KVM_HYPERV_CONN_ID_MASK */
#define EVENTFD_DEASSIGN	1U		/* KVM_HYPERV_EVENTFD_DEASSIGN */

#define ST_SUCCESS		0
#define ST_INVALID_INPUT	3
#define ST_INVALID_ALIGNMENT	4
#define ST_INVALID_PORT_ID	17

/* ---- HV_SINT routes ---- */

/* get_vcpu_by_vpidx: the vCPU at that position first, else a search. */
static struct x86_cpu *cpu_by_vp(struct kvmu_vm *vm, u32 vp)
{
	int i, n = atomic_load(&vm->nr_vcpus);
	struct x86_cpu *c;

	if (vp < (u32)n && vm->vcpus[vp]) {
		c = x86_cpu_of(vm->vcpus[vp]);
		if (atomic_load(&c->m.hv.vp_index) == vp)
			return c;
	}
	for (i = 0; i < n; i++) {
		if (!vm->vcpus[i])
			continue;
		c = x86_cpu_of(vm->vcpus[i]);
		if (atomic_load(&c->m.hv.vp_index) == vp)
			return c;
	}
	return NULL;
}

int x86_hv_sint_route_check(struct kvmu_vm *vm KVMU_UNUSED,
			    const struct kvm_irq_routing_entry *e)
{
	/* kvm_set_routing_entry takes any vcpu and sint; delivery checks */
	return e->type == KVM_IRQ_ROUTING_HV_SINT ? 0 : -EINVAL;
}

/* kvm_hv_synic_set_irq: kvm_set_irq's returns (>0 delivered, <0 not). */
int x86_hv_synic_set_irq(struct kvmu_vm *vm, u32 vp, u32 sint)
{
	struct x86_cpu *cpu = cpu_by_vp(vm, vp);
	struct x86_apic_irq irq = { .delivery_mode = 0 /* fixed */ };
	u64 sv;

	if (!cpu || !__atomic_load_n(&cpu->m.hv.synic_active, __ATOMIC_ACQUIRE))
		return -EINVAL;
	if (sint >= X86_HV_SINTS)
		return -EINVAL;
	sv = atomic_load(&cpu->m.hv.sint[sint]);
	if (sv & SINT_MASKED)
		return -ENOENT;
	irq.vector = (u8)sv;
	if (!cpu->apic)
		return -1;
	return x86_lapic_accept(cpu->apic, &irq);
}

int x86_hv_sint_route_set(struct kvmu_vm *vm,
			  const struct kvm_irq_routing_entry *e, int level)
{
	if (e->type != KVM_IRQ_ROUTING_HV_SINT || !level)
		return -1;
	return x86_hv_synic_set_irq(vm, e->u.hv_sint.vcpu, e->u.hv_sint.sint);
}

void x86_hv_sint_route_ack(struct x86_cpu *cpu, u32 sint)
{
	struct kvmu_vm *vm = cpu->vcpu->vm;
	struct kvm_irq_routing_hv_sint key;
	int gsi;

	if (!kvmu_irq_has_acks(vm))
		return;
	key.vcpu = atomic_load(&cpu->m.hv.vp_index);
	key.sint = sint;
	gsi = kvmu_irq_route_gsi(vm, KVM_IRQ_ROUTING_HV_SINT, &key,
				 sizeof(key));
	if (gsi >= 0)
		kvmu_irq_ack_gsi(vm, (u32)gsi);
}

/* ---- KVM_HYPERV_EVENTFD ---- */

static struct x86_hv_conn *conn_find(struct x86_hv_vm *hv, u32 id)
{
	u32 i;

	for (i = 0; i < hv->nr_conns; i++)
		if (hv->conns[i].id == id)
			return &hv->conns[i];
	return NULL;
}

static int conn_assign(struct x86_hv_vm *hv, u32 id, int ufd)
{
	struct x86_hv_conn *c;
	int fd = kvmu_eventfd_get(ufd);

	if (fd < 0)
		return fd;
	pthread_mutex_lock(&hv->lock);
	if (conn_find(hv, id)) {
		pthread_mutex_unlock(&hv->lock);
		syscall(SYS_close, fd);
		return -EEXIST;
	}
	if (hv->nr_conns == hv->cap_conns) {
		u32 cap = hv->cap_conns ? 2 * hv->cap_conns : 8;

		c = realloc(hv->conns, cap * sizeof(*c));
		if (!c) {
			pthread_mutex_unlock(&hv->lock);
			syscall(SYS_close, fd);
			return -ENOMEM;
		}
		hv->conns = c;
		hv->cap_conns = cap;
	}
	hv->conns[hv->nr_conns].id = id;
	hv->conns[hv->nr_conns].fd = fd;
	hv->nr_conns++;
	pthread_mutex_unlock(&hv->lock);
	return 0;
}

static int conn_deassign(struct x86_hv_vm *hv, u32 id)
{
	struct x86_hv_conn *c;
	int fd;

	pthread_mutex_lock(&hv->lock);
	c = conn_find(hv, id);
	if (!c) {
		pthread_mutex_unlock(&hv->lock);
		return -ENOENT;
	}
	fd = c->fd;
	*c = hv->conns[--hv->nr_conns];
	pthread_mutex_unlock(&hv->lock);
	/* a signal in flight wrote under the lock: fd is unused now */
	syscall(SYS_close, fd);
	return 0;
}

long x86_vm_hyperv_eventfd(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_hv_vm *hv = &x86_vm_of((struct kvmu_vm *)obj)->m.hv;
	const struct kvm_hyperv_eventfd *a = r->karg;

	if (a->conn_id & ~CONN_ID_MASK)
		return -EINVAL;
	if (a->flags == EVENTFD_DEASSIGN)
		return conn_deassign(hv, a->conn_id);
	if (a->flags)
		return -EINVAL;
	return conn_assign(hv, a->conn_id, a->fd);
}

void x86_hv_conns_free(struct x86_hv_vm *hv)
{
	u32 i;

	for (i = 0; i < hv->nr_conns; i++)
		syscall(SYS_close, hv->conns[i].fd);
	free(hv->conns);
	hv->conns = NULL;
	hv->nr_conns = hv->cap_conns = 0;
}

/* kvm_hvcall_signal_event: a Hyper-V status; INVALID_PORT_ID: unbound. */
u64 x86_hv_signal_event(struct x86_cpu *cpu, u64 in, bool fast)
{
	struct x86_hv_vm *hv = &x86_cpu_vm(cpu)->m.hv;
	struct x86_hv_conn *c;
	u64 one = 1, st = ST_INVALID_PORT_ID;
	u8 *p;

	if (!fast) {
		/* the parameter is a u64 at an aligned gpa within a page */
		if ((in & 7) || (in & 0xfff) + 8 > 4096)
			return ST_INVALID_ALIGNMENT;
		p = x86_phys_ptr(cpu, in, 8, false);
		if (!p)
			return ST_INVALID_ALIGNMENT;
		memcpy(&in, p, 8);
	}
	/* a flag number (bits 32-47) is not looked up, as in KVM */
	if (in & 0xffff00000000ULL)
		return ST_INVALID_PORT_ID;
	if (in & ~(u64)CONN_ID_MASK)
		return ST_INVALID_INPUT;
	pthread_mutex_lock(&hv->lock);
	c = conn_find(hv, (u32)in);
	if (c) {
		/* eventfd_signal: a saturated counter drops the signal */
		if (write(c->fd, &one, sizeof(one)) < 0)
			one = 0;
		st = ST_SUCCESS;
	}
	pthread_mutex_unlock(&hv->lock);
	return st;
}
