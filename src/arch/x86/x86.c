// SPDX-License-Identifier: MIT
/*
 * The x86 architecture table: VM and vCPU life cycle, capabilities, and
 * the VM ioctls.  vCPU state ioctls live in regs.c and events.c, CPUID and
 * MSR ioctls in cpuid.c and msr.c, KVM_RUN in run.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/x86/x86_int.h"
#include "handlers.h"
#include "arch/x86/irqchip.h"

#define X86_NR_MEMSLOTS		32764
#define X86_MAX_VCPUS		1024
#define X86_MAX_VCPU_ID		4096

static int x86_vm_init(struct kvmu_vm *vm, unsigned long type)
{
	struct x86_vm *xv;

	if (type != 0)		/* KVM_X86_DEFAULT_VM only */
		return -EINVAL;
	xv = calloc(1, sizeof(*xv));
	if (!xv)
		return -ENOMEM;
	xv->platform_info = true;	/* KVM's default */
	vm->arch_data = xv;
	x86_vm_clock_init(vm);
	x86_hv_vm_init(&xv->m.hv);
	vm->nr_as = 2;			/* normal and SMM, as KVM reports */
	vm->max_vcpus = X86_MAX_VCPUS;
	vm->max_vcpu_id = X86_MAX_VCPU_ID;
	return 0;
}

static void x86_vm_destroy(struct kvmu_vm *vm)
{
	x86_irqchip_vm_destroy(vm);
	if (vm->arch_data) {
		pthread_mutex_destroy(&x86_vm_of(vm)->m.tsc_lock);
		x86_hv_vm_destroy(&x86_vm_of(vm)->m.hv);
		x86_msr_filter_free(vm);
	}
	free(vm->arch_data);
	vm->arch_data = NULL;
}

static int x86_vm_enable_cap(struct kvmu_vm *vm,
			     const struct kvm_enable_cap *c)
{
	struct x86_vm *xv = x86_vm_of(vm);

	if (c->flags)
		return -EINVAL;
	switch (c->cap) {
	case KVM_CAP_EXCEPTION_PAYLOAD:
		xv->exception_payload = c->args[0] != 0;
		return 0;
	case KVM_CAP_MSR_PLATFORM_INFO:
		xv->platform_info = c->args[0] != 0;
		return 0;
	case KVM_CAP_X86_TRIPLE_FAULT_EVENT:
		xv->triple_fault_event = c->args[0] != 0;
		return 0;
	case KVM_CAP_SPLIT_IRQCHIP:
		return x86_irqchip_enable_split(vm, c->args[0]);
	case KVMU_CAP_PLANES_FPU:
		return kvmu_x86_plane_ops.enable_fpu(vm, c->args[0]);
	default:
		return x86_machine_enable_cap(vm, c);
	}
}

static long x86_check_extension(struct kvmu_vm *vm, long cap)
{
	long ncpu;

	switch (cap) {
	case KVM_CAP_HLT:
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_MP_STATE:
	case KVM_CAP_USER_NMI:
	case KVM_CAP_SET_GUEST_DEBUG:
	case KVM_CAP_SET_IDENTITY_MAP_ADDR:
	case KVM_CAP_VCPU_EVENTS:
	case KVM_CAP_DEBUGREGS:
	case KVM_CAP_ENABLE_CAP:
	case KVM_CAP_XSAVE:
	case KVM_CAP_XCRS:
	case KVM_CAP_READONLY_MEM:
	case KVM_CAP_EXT_EMUL_CPUID:
	case KVM_CAP_GET_MSR_FEATURES:
	case KVM_CAP_MSR_PLATFORM_INFO:
	case KVM_CAP_EXCEPTION_PAYLOAD:
	case KVM_CAP_SREGS2:
	case KVM_CAP_X86_TRIPLE_FAULT_EVENT:
		return 1;
	case KVM_CAP_IRQCHIP:		/* the in-kernel irqchip (irqchip.c) */
	case KVM_CAP_PIT:
	case KVM_CAP_PIT2:
	case KVM_CAP_PIT_STATE2:
	case KVM_CAP_SPLIT_IRQCHIP:
	case KVM_CAP_SET_BOOT_CPU_ID:
	case KVM_CAP_TSC_DEADLINE_TIMER:
		return 1;
	case KVM_CAP_XSAVE2:
		return X86_XSAVE_SIZE;
	case KVM_CAP_NR_VCPUS:
		ncpu = sysconf(_SC_NPROCESSORS_ONLN);
		return ncpu < 1 ? 1 : ncpu > X86_MAX_VCPUS ? X86_MAX_VCPUS :
								ncpu;
	case KVM_CAP_MAX_VCPUS:
		return X86_MAX_VCPUS;
	case KVM_CAP_MAX_VCPU_ID:
		return X86_MAX_VCPU_ID;
	case KVM_CAP_NR_MEMSLOTS:
		return X86_NR_MEMSLOTS;
	default:
		return x86_machine_check_extension(vm, cap);
	}
}

/* The state KVM gives a vCPU at creation (kvm_vcpu_reset, init_event=0). */
static void reset_seg(struct x86_seg *s, u16 sel, u64 base, u8 type, u8 sys)
{
	memset(s, 0, sizeof(*s));
	s->sel = sel;
	s->base = base;
	s->limit = 0xffff;
	s->type = type;
	s->present = 1;
	s->s = !sys;
}

void x86_cpu_reset(struct x86_cpu *cpu)
{
	int i;

	memset(cpu->gpr, 0, sizeof(cpu->gpr));
	cpu->gpr[X86_RDX] = 0x600;	/* CPUID.1.EAX before any SET_CPUID2 */
	cpu->rip = 0xfff0;
	cpu->rflags = 2;
	for (i = 0; i < X86_TR; i++)
		reset_seg(&cpu->seg[i], 0, 0, 3, 0);
	reset_seg(&cpu->seg[X86_CS], 0xf000, 0xffff0000, 11, 0);
	reset_seg(&cpu->seg[X86_TR], 0, 0, 11, 1);
	reset_seg(&cpu->seg[X86_LDTR], 0, 0, 2, 1);
	cpu->gdtr.base = cpu->idtr.base = 0;
	cpu->gdtr.limit = cpu->idtr.limit = 0xffff;
	cpu->cr0 = X86_CR0_ET | X86_CR0_NW | X86_CR0_CD;
	cpu->cr2 = cpu->cr3 = cpu->cr4 = cpu->cr8 = cpu->efer = 0;
	cpu->apic_base = 0xfee00000ULL | (1ULL << 11) |
			 (x86_is_bsp(cpu->vcpu) ? 1ULL << 8 : 0);
	cpu->xcr0 = 1;
	memset(cpu->dr, 0, sizeof(cpu->dr));
	cpu->dr[6] = X86_DR6_ACTIVE_LOW;
	cpu->dr[7] = X86_DR7_FIXED;
	memset(&cpu->fpu, 0, sizeof(cpu->fpu));
	cpu->fpu.fcw = 0x37f;
	cpu->fpu.ftw = 0xffff;
	cpu->fpu.mxcsr = 0x1f80;
	cpu->pat = 0x0007040600070406ULL;
	cpu->misc_enable = 1;		/* fast strings, as KVM sets */
	cpu->mp_state = KVM_MP_STATE_RUNNABLE;
	x86_update_mode(cpu);
}

static int x86_vcpu_init(struct kvmu_vcpu *vcpu)
{
	struct x86_cpu *cpu = calloc(1, sizeof(*cpu));
	int ret;

	if (!cpu)
		return -ENOMEM;
	cpu->vcpu = vcpu;
	cpu->run = (struct kvm_run *)vcpu->run;
	ret = x86_decode_init(cpu);
	if (ret) {
		free(cpu);
		return ret;
	}
	vcpu->arch_data = cpu;
	x86_cpu_reset(cpu);
	x86_machine_cpu_init(cpu);
	x86_tlb_flush(cpu);
	ret = x86_irqchip_vcpu_init(cpu);
	if (ret) {
		x86_decode_fini(cpu);
		free(cpu);
		vcpu->arch_data = NULL;
	}
	return ret;
}

static void x86_vcpu_destroy(struct kvmu_vcpu *vcpu)
{
	struct x86_cpu *cpu = vcpu->arch_data;

	if (!cpu)
		return;
	x86_irqchip_vcpu_destroy(cpu);
	x86_decode_fini(cpu);
	free(cpu);
	vcpu->arch_data = NULL;
}

long x86_vm_set_tss_addr(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;

	/* kvm_vm_ioctl_set_tss_addr: the three pages must fit below 4G */
	if (r->uarg > (u32)(-3 * (s64)KVMU_PAGE_SIZE))
		return -EINVAL;
	x86_vm_of(vm)->tss_addr = r->uarg;
	return 0;
}

long x86_vm_set_identity_map_addr(struct kvmu_obj *obj,
				  struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;
	int ret = 0;

	pthread_mutex_lock(&vm->lock);
	if (atomic_load(&vm->nr_vcpus))
		ret = -EINVAL;	/* only before the first vCPU */
	else
		x86_vm_of(vm)->identity_map_addr = *(u64 *)r->karg;
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

long x86_vcpu_enable_cap(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	/* KVM_CAP_ENFORCE_PV_FEATURE_CPUID and Hyper-V's (hyperv.c) */
	return x86_machine_vcpu_enable_cap(x86_obj_cpu(obj), r->karg);
}

#define KVMU_IOCTL(req, kind, mode, fn) \
	{ req, KVMU_OBJ_##kind, KVMU_ARG_##mode, #req, fn },
static const struct kvmu_ioctl_desc x86_ioctls[] = {
#include "arch/x86/ioctls.def"
#include "irq_ioctls.def"
#include "plane_ioctls.def"
};
#undef KVMU_IOCTL

const struct kvmu_arch_ops kvmu_x86_ops = {
	.arch = KVMU_ARCH_X86_64,
	.name = "x86_64",
	.vcpu_mmap_pages = 3,
	.pio_page = 1,
	.coalesced_page = 2,
	.ioctls = x86_ioctls,
	.nr_ioctls = ARRAY_SIZE(x86_ioctls),
	.check_extension = x86_check_extension,
	.vm_init = x86_vm_init,
	.vm_destroy = x86_vm_destroy,
	.vm_enable_cap = x86_vm_enable_cap,
	.vcpu_init = x86_vcpu_init,
	.vcpu_destroy = x86_vcpu_destroy,
	.vcpu_run = x86_vcpu_run,
	.irqchip_capable = true,
	.has_irq_line = true,
	.memory_fault_exit = true,
	.iobus_pio = true,
	.iobus_mmio = true,
	.irqchip_pins = { 8, 8, 24 },	/* PIC master, PIC slave, IOAPIC */
	.planes = &kvmu_x86_plane_ops,
};
