// SPDX-License-Identifier: MIT
/*
 * The s390x architecture for the kvmu core: VM and vCPU setup, the
 * capabilities kvmu really implements, KVM_ENABLE_CAP, memory-slot rules
 * and the ioctl table (ioctls.def).  Behaviour follows
 * arch/s390/kvm/kvm-s390.c; see docs/s390x.md for the choices made.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "s390.h"
#include "s390_handlers.h"

#define S390_MAX_VCPUS		248	/* ESCA slots */
#define S390_MEM_OP_MAX		65536

#define KVMU_IOCTL(req, kind, mode, fn) \
	{ req, KVMU_OBJ_##kind, KVMU_ARG_##mode, #req, fn },
static const struct kvmu_ioctl_desc s390_ioctls[] = {
#include "ioctls.def"
};
#undef KVMU_IOCTL

/* The default CPU model's facilities: what the CPU implements. */
static const u8 default_facilities[] = {
	0, FAC_ZARCH, 2, FAC_STFLE, FAC_EDAT1, FAC_LDISP, 19, FAC_EIMM,
	FAC_STCKF, FAC_GIE, FAC_EXECX, FAC_FPSE,
	12, 15, 65,	/* AP: QCI, APFT, AP interruptions (ap.c) */
};

static long nr_host_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n;
}

static long s390_check_extension(struct kvmu_vm *vm KVMU_UNUSED, long cap)
{
	switch (cap) {
	case KVM_CAP_S390_PSW:
	case KVM_CAP_S390_GMAP:
	case KVM_CAP_SYNC_REGS:
	case KVM_CAP_ONE_REG:
	case KVM_CAP_ENABLE_CAP:
	case KVM_CAP_S390_CSS_SUPPORT:
	case KVM_CAP_MP_STATE:
	case KVM_CAP_S390_INJECT_IRQ:
	case KVM_CAP_S390_USER_SIGP:
	case KVM_CAP_S390_USER_STSI:
	case KVM_CAP_S390_SKEYS:
	case KVM_CAP_S390_USER_INSTR0:
	case KVM_CAP_S390_VCPU_RESETS:
	case KVM_CAP_S390_MEM_OP_EXTENSION:
	case KVM_CAP_VM_ATTRIBUTES:
	case KVM_CAP_S390_CMMA_MIGRATION:
	case KVM_CAP_S390_PROTECTED:		/* the UV model: src/host/uv */
	case KVM_CAP_S390_PROTECTED_DUMP:	/* all four dump calls */
	case KVM_CAP_S390_PROTECTED_ASYNC_DISABLE: /* async_destroy on */
		return 1;
	case KVM_CAP_S390_MEM_OP:
		return S390_MEM_OP_MAX;
	case KVM_CAP_NR_VCPUS:
		return nr_host_cpus() < S390_MAX_VCPUS ? nr_host_cpus() :
		       S390_MAX_VCPUS;
	case KVM_CAP_MAX_VCPUS:
	case KVM_CAP_MAX_VCPU_ID:
		return S390_MAX_VCPUS;
	default:
		return 0;
	}
}

static int s390_vm_init(struct kvmu_vm *kvm, unsigned long type)
{
	struct s390_vm *vm;
	size_t i;

	/* KVM_VM_S390_UCONTROL needs CAP_SYS_ADMIN and is not modelled */
	if (type)
		return -EINVAL;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return -ENOMEM;
	vm->keys = calloc(S390_KEYS_L1_SIZE, sizeof(*vm->keys));
	vm->cmma = calloc(S390_KEYS_L1_SIZE, sizeof(*vm->cmma));
	if (!vm->keys || !vm->cmma) {
		free(vm->keys);
		free(vm->cmma);
		free(vm);
		return -ENOMEM;
	}
	pthread_mutex_init(&vm->lock, NULL);
	pthread_mutex_init(&vm->pv_lock, NULL);
	pthread_mutex_init(&vm->pv_run_lock, NULL);
	pthread_rwlock_init(&vm->ap_lock, NULL);
	for (i = 0; i < ARRAY_SIZE(default_facilities); i++)
		vm->fac[default_facilities[i] / 64] |=
			BIT64(default_facilities[i] % 64);
	vm->cpuid = 0xff00000020970000ULL;	/* version ff, z10 EC */
	s390_cpumodel_init(vm);
	vm->mem_limit = 0xfffffffffffff000ULL;	/* TASK_SIZE_MAX */
	vm->asce_limit = s390_asce_limit(vm->mem_limit);
	kvm->arch_data = vm;
	kvm->nr_as = 1;
	kvm->max_vcpus = S390_MAX_VCPUS;
	kvm->max_vcpu_id = S390_MAX_VCPUS;
	return 0;
}

static void s390_vm_destroy(struct kvmu_vm *kvm)
{
	struct s390_vm *vm = s390_vm(kvm);

	if (!vm)
		return;
	s390_pv_vm_destroy(kvm);
	s390_keys_free(vm);
	s390_io_free(vm);
	s390_cmma_free(vm);
	pthread_rwlock_destroy(&vm->ap_lock);
	pthread_mutex_destroy(&vm->pv_lock);
	pthread_mutex_destroy(&vm->pv_run_lock);
	pthread_mutex_destroy(&vm->lock);
	free(vm);
	kvm->arch_data = NULL;
}

static int s390_vm_enable_cap(struct kvmu_vm *kvm,
			      const struct kvm_enable_cap *c)
{
	struct s390_vm *vm = s390_vm(kvm);

	switch (c->cap) {
	case KVM_CAP_S390_IRQCHIP:
		vm->irqchip = true;
		return 0;
	case KVM_CAP_S390_USER_SIGP:
		vm->user_sigp = true;
		return 0;
	case KVM_CAP_S390_USER_STSI:
		vm->user_stsi = true;
		return 0;
	case KVM_CAP_S390_USER_INSTR0:
		vm->user_instr0 = true;
		return 0;
	case KVM_CAP_S390_VECTOR_REGISTERS:
	case KVM_CAP_S390_RI:
	case KVM_CAP_S390_GS:
	case KVM_CAP_S390_HPAGE_1M:
		return s390_vcpus_exist(kvm) ? -EBUSY : -EINVAL;
	default:
		return -EINVAL;
	}
}

/*
 * s390 slots: no read-only memory; 1 MiB aligned user address and size;
 * below the memory limit (attr.c).
 */
static int s390_prepare_memslot(struct kvmu_vm *vm,
				const struct kvm_userspace_memory_region *r)
{
	if (r->flags & KVM_MEM_READONLY)
		return -EINVAL;
	if (s390_pv(s390_vm(vm)))	/* memslots are frozen while protected */
		return -EINVAL;
	if ((r->userspace_addr | r->memory_size) & 0xfffffULL)
		return -EINVAL;
	return s390_attr_check_memslot(vm, r);
}

static int s390_vcpu_init(struct kvmu_vcpu *vcpu)
{
	struct s390_cpu *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	pthread_mutex_init(&c->irq_lock, NULL);
	c->vcpu = vcpu;
	c->kvm = vcpu->vm;
	c->vm = s390_vm(vcpu->vm);
	c->run = (struct kvmu_s390_run *)vcpu->run;
	c->cpu_addr = (u16)vcpu->id;
	s390_blocks_init(c);
	vcpu->arch_data = c;
	c->run->kvm_valid_regs = KVMU_SYNC_PREFIX | KVMU_SYNC_GPRS |
		KVMU_SYNC_ACRS | KVMU_SYNC_CRS | KVMU_SYNC_ARCH0 |
		KVMU_SYNC_PFAULT | KVMU_SYNC_DIAG318 | KVMU_SYNC_FPRS;
	s390_initial_reset(c);
	c->stopped = true;
	pthread_mutex_lock(&c->vm->pv_lock);
	if (s390_pv(c->vm)) {		/* a new vCPU of a protected VM */
		u16 rc, rrc;
		int r = s390_pv_vcpu_create(c, &rc, &rrc);

		if (r) {
			pthread_mutex_unlock(&c->vm->pv_lock);
			free(c->sida);
			free(c);
			vcpu->arch_data = NULL;
			return r;
		}
	}
	pthread_mutex_unlock(&c->vm->pv_lock);
	return 0;
}

static void s390_vcpu_destroy(struct kvmu_vcpu *vcpu)
{
	struct s390_cpu *c = s390_cpu(vcpu);

	u16 rc, rrc;

	if (!c)
		return;
	s390_pv_vcpu_destroy(c, &rc, &rrc);
	pthread_mutex_destroy(&c->irq_lock);
	s390_blocks_free(c);
	free(c->sida);
	free(c);
	vcpu->arch_data = NULL;
}

long s390_sys_enable_sie(struct kvmu_obj *obj KVMU_UNUSED,
			 struct kvmu_ioctl_req *r KVMU_UNUSED)
{
	return 0;
}

long s390_vm_interrupt(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return s390_inject_vm((struct kvmu_vm *)obj, r->karg);
}

long s390_vcpu_enable_cap(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vcpu *vcpu = (struct kvmu_vcpu *)obj;
	const struct kvm_enable_cap *c = r->karg;

	if (c->flags)
		return -EINVAL;
	if (c->cap == KVM_CAP_S390_CSS_SUPPORT) {
		s390_vm(vcpu->vm)->css_support = true;
		return 0;
	}
	return -EINVAL;
}

const struct kvmu_arch_ops kvmu_s390_ops = {
	.arch = KVMU_ARCH_S390X,
	.name = "s390x",
	.vcpu_mmap_pages = 1,
	.coalesced_page = 0,
	.pio_page = 0,
	.unknown_vcpu_errno = ENOTTY,
	.ioctls = s390_ioctls,
	.nr_ioctls = ARRAY_SIZE(s390_ioctls),
	.check_extension = s390_check_extension,
	.vm_init = s390_vm_init,
	.vm_destroy = s390_vm_destroy,
	.vm_enable_cap = s390_vm_enable_cap,
	.vcpu_init = s390_vcpu_init,
	.vcpu_destroy = s390_vcpu_destroy,
	.vcpu_run = s390_vcpu_run,
	.prepare_memslot = s390_prepare_memslot,
	.vfio_attach = s390_vfio_attach,
	.vfio_detach = s390_vfio_detach,
	.single_as = true,	/* no SMM-like second space: the cap reads 0 */
};
