// SPDX-License-Identifier: MIT
/*
 * MSR accesses handed to user space: KVM_X86_SET_MSR_FILTER (which guest
 * RDMSR/WRMSR the kernel side may serve) and KVM_CAP_X86_USER_SPACE_MSR
 * (which failures become KVM_EXIT_X86_RDMSR/WRMSR instead of #GP), with
 * kvm_msr_allowed's and kvm_msr_user_space's rules.
 *
 * An access that exits leaves the instruction un-retired; on the next
 * KVM_RUN it executes again and takes user space's answer (msr.data, or
 * msr.error for #GP) instead of asking again.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/x86_int.h"

#define MAX_RANGES	KVM_MSR_FILTER_MAX_RANGES
#define MAX_BITMAP	KVM_MSR_FILTER_MAX_BITMAP_SIZE
#define REASONS		(KVM_MSR_EXIT_REASON_INVAL | \
			 KVM_MSR_EXIT_REASON_UNKNOWN | \
			 KVM_MSR_EXIT_REASON_FILTER)

struct x86_msr_range {
	u32 flags, base, nmsrs;
	u8 bitmap[MAX_BITMAP];
};

struct x86_msr_filter {
	bool default_allow;
	int count;
	struct x86_msr_range r[MAX_RANGES];
};

static pthread_rwlock_t filter_lock = PTHREAD_RWLOCK_INITIALIZER;

void x86_msr_filter_free(struct kvmu_vm *vm)
{
	free(x86_vm_of(vm)->m.msr_filter);
	x86_vm_of(vm)->m.msr_filter = NULL;
}

/* kvm_add_msr_filter */
static int add_range(struct x86_msr_filter *f,
		     const struct kvm_msr_filter_range *u)
{
	struct x86_msr_range *r;
	size_t size;
	int ret;

	if (!u->nmsrs)
		return 0;
	if (u->flags & ~(u32)(KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE))
		return -EINVAL;
	if (!u->flags)
		return -EINVAL;
	size = ((u64)u->nmsrs + 63) / 64 * 8;
	if (!size || size > MAX_BITMAP)
		return -EINVAL;
	r = &f->r[f->count];
	memset(r->bitmap, 0, sizeof(r->bitmap));
	ret = kvmu_copy_from_user(r->bitmap, (unsigned long)u->bitmap, size);
	if (ret)
		return ret;
	r->flags = u->flags;
	r->base = u->base;
	r->nmsrs = u->nmsrs;
	f->count++;
	return 0;
}

long x86_vm_set_msr_filter(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;
	const struct kvm_msr_filter *u = r->karg;
	struct x86_msr_filter *f, *old;
	bool empty = true;
	int i, ret;

	if (u->flags & ~(u32)KVM_MSR_FILTER_DEFAULT_DENY)
		return -EINVAL;
	for (i = 0; i < MAX_RANGES; i++)
		empty &= !u->ranges[i].nmsrs;
	if (empty && (u->flags & KVM_MSR_FILTER_DEFAULT_DENY))
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->default_allow = !(u->flags & KVM_MSR_FILTER_DEFAULT_DENY);
	for (i = 0; i < MAX_RANGES; i++) {
		ret = add_range(f, &u->ranges[i]);
		if (ret) {
			free(f);
			return ret;
		}
	}
	/* as kvm: an empty default-allow filter is no filter at all */
	if (empty && f->default_allow) {
		free(f);
		f = NULL;
	}
	pthread_rwlock_wrlock(&filter_lock);
	old = x86_vm_of(vm)->m.msr_filter;
	x86_vm_of(vm)->m.msr_filter = f;
	pthread_rwlock_unlock(&filter_lock);
	free(old);
	return 0;
}

int x86_msr_user_space_enable(struct kvmu_vm *vm, u64 mask)
{
	if (mask & ~(u64)REASONS)
		return -EINVAL;
	x86_vm_of(vm)->m.user_space_msr_mask = (u32)mask;
	return 0;
}

/* kvm_msr_allowed: the x2APIC range is never filtered. */
static bool allowed(struct x86_cpu *cpu, u32 index, u32 type)
{
	const struct x86_msr_filter *f;
	bool ok = true;
	int i;

	if (index >= 0x800 && index <= 0x8ff)
		return true;
	pthread_rwlock_rdlock(&filter_lock);
	f = x86_cpu_vm(cpu)->m.msr_filter;
	if (f) {
		ok = f->default_allow;
		for (i = 0; i < f->count; i++) {
			const struct x86_msr_range *r = &f->r[i];
			u32 bit = index - r->base;

			if (index >= r->base && bit < r->nmsrs &&
			    (r->flags & type)) {
				ok = (r->bitmap[bit / 8] >> (bit % 8)) & 1;
				break;
			}
		}
	}
	pthread_rwlock_unlock(&filter_lock);
	return ok;
}

/*
 * A reply user space gave for this very access: 0 (taken, *val holds a
 * read's data), -1 (#GP), or 1 (none pending).
 */
static int take_reply(struct x86_cpu *cpu, u32 index, bool write, u64 *val)
{
	struct x86_msr_reply *p = &cpu->m.msr_reply;

	if (!p->valid || p->index != index || p->write != write)
		return 1;
	p->valid = false;
	if (p->error)
		return -1;
	if (!write)
		*val = p->data;
	return 0;
}

/* kvm_msr_user_space: 1 exit to user space, -1 #GP. */
static int to_user(struct x86_cpu *cpu, u32 index, bool write, u64 data,
		   u32 reason)
{
	struct kvm_run *run = cpu->run;

	if (!(x86_cpu_vm(cpu)->m.user_space_msr_mask & reason))
		return -1;
	run->exit_reason = write ? KVM_EXIT_X86_WRMSR : KVM_EXIT_X86_RDMSR;
	memset(&run->msr, 0, sizeof(run->msr));
	run->msr.reason = reason;
	run->msr.index = index;
	run->msr.data = data;
	cpu->m.msr_reply = (struct x86_msr_reply){ .index = index,
						   .write = write };
	cpu->io_wait = X86_WAIT_MSR;
	return 1;
}

/* Not filtered, but refused: a known MSR (INVAL) or none at all (UNKNOWN). */
static u32 fail_reason(struct x86_cpu *cpu, u32 index)
{
	u64 v;

	return x86_msr_get_host(cpu, index, &v) ? KVM_MSR_EXIT_REASON_UNKNOWN :
						  KVM_MSR_EXIT_REASON_INVAL;
}

int x86_msr_guest_read(struct x86_cpu *cpu, u32 index, u64 *val)
{
	int ret = take_reply(cpu, index, false, val);

	if (ret <= 0)
		return ret;
	if (!allowed(cpu, index, KVM_MSR_FILTER_READ))
		return to_user(cpu, index, false, 0,
			       KVM_MSR_EXIT_REASON_FILTER);
	if (!x86_msr_read(cpu, index, val))
		return 0;
	return to_user(cpu, index, false, 0, fail_reason(cpu, index));
}

int x86_msr_guest_write(struct x86_cpu *cpu, u32 index, u64 val)
{
	int ret = take_reply(cpu, index, true, &val);

	if (ret <= 0)
		return ret;
	if (!allowed(cpu, index, KVM_MSR_FILTER_WRITE))
		return to_user(cpu, index, true, val,
			       KVM_MSR_EXIT_REASON_FILTER);
	if (!x86_msr_write(cpu, index, val))
		return 0;
	return to_user(cpu, index, true, val, fail_reason(cpu, index));
}

void x86_msr_user_done(struct x86_cpu *cpu)
{
	struct x86_msr_reply *p = &cpu->m.msr_reply;

	p->valid = true;
	p->error = cpu->run->msr.error != 0;
	p->data = cpu->run->msr.data;
}
