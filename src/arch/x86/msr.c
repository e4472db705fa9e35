// SPDX-License-Identifier: MIT
/*
 * Model-specific registers: the guest's RDMSR/WRMSR, the KVM_GET/SET_MSRS
 * ioctls (host-initiated: they may set what the guest may not), and the
 * system-wide MSR lists.  An MSR kvmu does not model raises #GP in the
 * guest and stops a KVM_GET/SET_MSRS batch.
 */
#include <errno.h>
#include <string.h>

#include "arch/x86/x86_int.h"
#include "arch/x86/irqchip.h"

#define MSR_TSC			0x10
#define MSR_PLATFORM_ID		0x17
#define MSR_APIC_BASE		0x1b
#define MSR_UCODE_REV		0x8b
#define MSR_PLATFORM_INFO	0xce
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176
#define MSR_MISC_ENABLE		0x1a0
#define MSR_PAT			0x277
#define MSR_MTRR_DEF_TYPE	0x2ff
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SFMASK		0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_TSC_AUX		0xc0000103

/* KVM_GET_MSR_INDEX_LIST: the MSRs a VMM saves and restores. */
static const u32 msr_list[] = {
	MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP, MSR_STAR,
	MSR_CSTAR, MSR_KERNEL_GS_BASE, MSR_SFMASK, MSR_LSTAR, MSR_TSC,
	MSR_TSC_AUX, MSR_EFER, MSR_PAT, MSR_APIC_BASE, MSR_MISC_ENABLE,
	0x6e0 /* IA32_TSC_DEADLINE: the LAPIC's (irqchip_vcpu.c) */,
	MSR_PLATFORM_INFO, MSR_MTRR_DEF_TYPE, MSR_FS_BASE, MSR_GS_BASE,
};

/* KVM_GET_MSR_FEATURE_INDEX_LIST. */
static const u32 feature_list[] = { MSR_UCODE_REV };

static bool efer_ok(struct x86_cpu *cpu, u64 v, bool host)
{
	if (v & ~(X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE))
		return false;
	if ((v & X86_EFER_NXE) && !x86_has_feature(cpu, 0x80000001, 0, 3, 20))
		return false;
	if ((v & X86_EFER_LME) && !x86_has_feature(cpu, 0x80000001, 0, 3, 29))
		return false;
	/* the guest cannot toggle LME with paging on */
	return host || !(cpu->cr0 & X86_CR0_PG) ||
	       !((v ^ cpu->efer) & X86_EFER_LME);
}

/* 0, or -1 when the MSR does not exist. */
static int msr_get(struct x86_cpu *cpu, u32 i, u64 *v, bool host)
{
	switch (i) {
	case MSR_TSC: *v = x86_tsc_msr_read(cpu); return 0;
	case MSR_PLATFORM_ID: *v = 0; return 0;
	case MSR_APIC_BASE: *v = cpu->apic_base; return 0;
	case MSR_UCODE_REV: *v = 0x100000000ULL; return 0;
	case MSR_PLATFORM_INFO:
		if (!host && !x86_cpu_vm(cpu)->platform_info)
			return -1;
		*v = cpu->m.platform_info;
		return 0;
	case MSR_SYSENTER_CS: *v = cpu->sysenter_cs; return 0;
	case MSR_SYSENTER_ESP: *v = cpu->sysenter_esp; return 0;
	case MSR_SYSENTER_EIP: *v = cpu->sysenter_eip; return 0;
	case MSR_MISC_ENABLE: *v = cpu->misc_enable; return 0;
	case MSR_PAT: *v = cpu->pat; return 0;
	case MSR_MTRR_DEF_TYPE: *v = cpu->mtrr_def_type; return 0;
	case MSR_EFER: *v = cpu->efer; return 0;
	case MSR_STAR: *v = cpu->star; return 0;
	case MSR_LSTAR: *v = cpu->lstar; return 0;
	case MSR_CSTAR: *v = cpu->cstar; return 0;
	case MSR_SFMASK: *v = cpu->sfmask; return 0;
	case MSR_FS_BASE: *v = cpu->seg[X86_FS].base; return 0;
	case MSR_GS_BASE: *v = cpu->seg[X86_GS].base; return 0;
	case MSR_KERNEL_GS_BASE: *v = cpu->kernel_gs_base; return 0;
	case MSR_TSC_AUX: *v = cpu->tsc_aux; return 0;
	default: return x86_msr_ext_get(cpu, i, v, host);
	}
}

static bool pat_ok(u64 v)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = (u8)(v >> (8 * i));

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

static int msr_set_seg(struct x86_cpu *cpu, u32 i, u64 v)
{
	if (!x86_canonical(v))
		return -1;
	if (i == MSR_FS_BASE)
		cpu->seg[X86_FS].base = v;
	else if (i == MSR_GS_BASE)
		cpu->seg[X86_GS].base = v;
	else if (i == MSR_KERNEL_GS_BASE)
		cpu->kernel_gs_base = v;
	else if (i == MSR_LSTAR)
		cpu->lstar = v;
	else
		cpu->cstar = v;
	return 0;
}

static int msr_set(struct x86_cpu *cpu, u32 i, u64 v, bool host)
{
	switch (i) {
	case MSR_TSC: x86_tsc_msr_write(cpu, v, host); return 0;
	case MSR_APIC_BASE:
		if (v & ((~0ULL << x86_maxphyaddr(cpu)) | 0x2ff | (1ULL << 10)))
			return -1;
		cpu->apic_base = v;
		return 0;
	case MSR_UCODE_REV: return host ? 0 : -1;
	case MSR_PLATFORM_INFO:
		if (!host)
			return -1;
		cpu->m.platform_info = v;
		return 0;
	case MSR_SYSENTER_CS: cpu->sysenter_cs = v & 0xffff; return 0;
	case MSR_SYSENTER_ESP: cpu->sysenter_esp = v; return 0;
	case MSR_SYSENTER_EIP: cpu->sysenter_eip = v; return 0;
	case MSR_MISC_ENABLE: cpu->misc_enable = v; return 0;
	case MSR_PAT:
		if (!pat_ok(v))
			return -1;
		cpu->pat = v;
		return 0;
	case MSR_MTRR_DEF_TYPE:
		if (v & ~0xcffULL)
			return -1;
		cpu->mtrr_def_type = v;
		return 0;
	case MSR_EFER:
		if (!efer_ok(cpu, v, host))
			return -1;
		/* LMA is the processor's: the guest cannot write it */
		if (!host)
			v = (v & ~X86_EFER_LMA) | (cpu->efer & X86_EFER_LMA);
		cpu->efer = v;
		x86_tlb_flush(cpu);
		x86_update_mode(cpu);
		return 0;
	case MSR_STAR: cpu->star = v; return 0;
	case MSR_SFMASK: cpu->sfmask = v & 0xffffffffULL; return 0;
	case MSR_LSTAR: case MSR_CSTAR: case MSR_FS_BASE: case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
		return msr_set_seg(cpu, i, v);
	case MSR_TSC_AUX:
		if (v >> 32)
			return -1;
		cpu->tsc_aux = v;
		return 0;
	default:
		return x86_msr_ext_set(cpu, i, v, host) ? -1 : 0;
	}
}

/* The in-kernel LAPIC's MSRs first (irqchip_vcpu.c), then ours. */
int x86_msr_read(struct x86_cpu *cpu, u32 index, u64 *val)
{
	int r = x86_irqchip_msr_get(cpu, index, val, false);

	return r <= 0 ? r : msr_get(cpu, index, val, false);
}

int x86_msr_write(struct x86_cpu *cpu, u32 index, u64 val)
{
	int r = x86_irqchip_msr_set(cpu, index, val, false);

	return r <= 0 ? r : msr_set(cpu, index, val, false);
}

int x86_msr_get_host(struct x86_cpu *cpu, u32 index, u64 *val)
{
	int r = x86_irqchip_msr_get(cpu, index, val, true);

	return r <= 0 ? r : msr_get(cpu, index, val, true);
}

int x86_msr_set_host(struct x86_cpu *cpu, u32 index, u64 val)
{
	int r = x86_irqchip_msr_set(cpu, index, val, true);

	return r <= 0 ? r : msr_set(cpu, index, val, true);
}

/* msr_io: a kvm_msrs header, entries processed until the first failure. */
static long msr_io(struct kvmu_ioctl_req *r, struct x86_cpu *cpu, bool set)
{
	struct kvm_msr_entry e[X86_MAX_IO_MSRS];
	struct kvm_msrs hdr;
	u32 i;
	int ret;

	ret = kvmu_copy_from_user(&hdr, r->uarg, sizeof(hdr));
	if (ret)
		return ret;
	if (hdr.nmsrs >= X86_MAX_IO_MSRS)
		return -E2BIG;
	ret = kvmu_copy_from_user(e, r->uarg + sizeof(hdr),
				  hdr.nmsrs * sizeof(e[0]));
	if (ret)
		return ret;
	for (i = 0; i < hdr.nmsrs; i++) {
		if (!cpu)
			ret = e[i].index == MSR_UCODE_REV ?
			      (e[i].data = 0x100000000ULL, 0) :
			      x86_msr_feature_get(e[i].index,
						  (u64 *)&e[i].data);
		else if (set)
			ret = x86_msr_set_host(cpu, e[i].index, e[i].data);
		else
			ret = x86_msr_get_host(cpu, e[i].index,
					       (u64 *)&e[i].data);
		if (ret)
			break;
	}
	if (!set) {
		ret = kvmu_copy_to_user(r->uarg + sizeof(hdr), e,
					hdr.nmsrs * sizeof(e[0]));
		if (ret)
			return ret;
	}
	return (long)i;
}

long x86_get_msrs(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return msr_io(r, x86_obj_cpu(obj), false);
}

long x86_set_msrs(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return msr_io(r, x86_obj_cpu(obj), true);
}

long x86_sys_get_msrs(struct kvmu_obj *obj KVMU_UNUSED,
		      struct kvmu_ioctl_req *r)
{
	return msr_io(r, NULL, false);
}

static long list_out(struct kvmu_ioctl_req *r, const u32 *list, u32 n)
{
	struct kvm_msr_list hdr;
	u32 want;
	int ret;

	ret = kvmu_copy_from_user(&hdr, r->uarg, sizeof(hdr));
	if (ret)
		return ret;
	want = hdr.nmsrs;
	hdr.nmsrs = n;
	ret = kvmu_copy_to_user(r->uarg, &hdr, sizeof(hdr));
	if (ret)
		return ret;
	if (want < n)
		return -E2BIG;
	return kvmu_copy_to_user(r->uarg + sizeof(hdr), list, n * sizeof(u32));
}

long x86_sys_get_msr_index_list(struct kvmu_obj *obj KVMU_UNUSED,
				struct kvmu_ioctl_req *r)
{
	u32 l[ARRAY_SIZE(msr_list) + 64];

	memcpy(l, msr_list, sizeof(msr_list));
	return list_out(r, l, ARRAY_SIZE(msr_list) +
		x86_msr_ext_list(l + ARRAY_SIZE(msr_list), 64));
}

long x86_sys_get_msr_feature_list(struct kvmu_obj *obj KVMU_UNUSED,
				  struct kvmu_ioctl_req *r)
{
	u32 l[ARRAY_SIZE(feature_list) + 16];

	memcpy(l, feature_list, sizeof(feature_list));
	return list_out(r, l, ARRAY_SIZE(feature_list) +
		x86_msr_ext_feature_list(l + ARRAY_SIZE(feature_list), 16));
}
