// SPDX-License-Identifier: MIT
/*
 * KVM_S390_PV_COMMAND on the VM fd: the KVM side of Protected
 * Virtualization, as arch/s390/kvm/pv.c drives the Ultravisor.  Each
 * command builds the UVCB the kernel builds, calls the UV model
 * (src/host/uv) and copies rc/rrc back; the errno of every misuse is the
 * kernel's (docs/s390-pv.md has the table).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/uv/uv.h"
#include "s390.h"
#include "s390_handlers.h"

#define PV_HDR_MAX	8192		/* SET_SEC_PARMS: 2 pages */

/* A UVCB of len bytes for cmd. */
static void uvcb_init(u8 *cb, u16 len, u16 cmd)
{
	memset(cb, 0, len);
	put_be16(cb, len);
	put_be16(cb + 2, cmd);
}

/* Call the UV; rc/rrc to the caller's; 0 when executed. */
static int uv(u8 *cb, u16 *rc, u16 *rrc)
{
	int cc = kvmu_uv_call(cb);

	if (rc)
		*rc = be16(cb + 4);
	if (rrc)
		*rrc = be16(cb + 6);
	return cc;
}

/* A no-data call on a handle (verify, prepare reset, destroy, ...). */
static int uv_nodata(u64 handle, u16 cmd, u16 *rc, u16 *rrc)
{
	u8 cb[0x20];

	uvcb_init(cb, sizeof(cb), cmd);
	put_be64(cb + 0x18, handle);
	return uv(cb, rc, rrc) ? -EINVAL : 0;
}

/* The UV's view of guest storage: the memory slot pages. */
static u8 *host_page(void *opaque, u64 gaddr)
{
	const struct kvmu_memslot *m = kvmu_memslot_find(opaque, 0, gaddr);

	if (!m)
		return NULL;
	return (u8 *)(uintptr_t)(m->hva + ((gaddr & ~0xfffULL) - m->gpa));
}

/* Guest storage length: the end of the highest slot, in whole MiB. */
static u64 guest_len(struct kvmu_vm *kvm)
{
	struct kvmu_memslots *s = atomic_load(&kvm->slots[0]);
	const struct kvmu_memslot *m;
	u64 end = 0;
	int i;

	for (i = 0; s && i < s->nr; i++) {
		m = kvmu_memslots_nth(s, i);
		if (m->gpa + m->size > end)
			end = m->gpa + m->size;
	}
	end = (end + 0xfffff) & ~0xfffffULL;
	return end ? end : 1ULL << 20;
}

/* (Un)register vCPU i with the UV under its mutex, as the kernel does. */
static int vcpu_pv(struct kvmu_vm *kvm, int i, bool on, u16 *rc, u16 *rrc)
{
	struct kvmu_vcpu *v = kvm->vcpus[i];
	int r;

	if (!v || !v->arch_data)
		return 0;
	pthread_mutex_lock(&v->mutex);
	r = on ? s390_pv_vcpu_create(s390_cpu(v), rc, rrc) :
		 s390_pv_vcpu_destroy(s390_cpu(v), rc, rrc);
	pthread_mutex_unlock(&v->mutex);
	return r;
}

/* Take every vCPU out of the UV; the first failure's codes are kept. */
static int cpus_from_pv(struct kvmu_vm *kvm, u16 *rc, u16 *rrc)
{
	int i, n = atomic_load(&kvm->nr_vcpus), ret = 0;
	u16 r, rr;

	for (i = 0; i < n; i++) {
		if (!vcpu_pv(kvm, i, false, &r, &rr) || ret)
			continue;
		*rc = r;
		*rrc = rr;
		ret = -EIO;
	}
	return ret;
}

static int destroy_conf(u64 handle, u16 cmd, u16 *rc, u16 *rrc)
{
	if (!handle)
		return 0;
	return uv_nodata(handle, cmd, rc, rrc) ? -EIO : 0;
}

static int pv_enable(struct kvmu_vm *kvm, struct kvm_pv_cmd *cmd)
{
	struct s390_vm *vm = s390_vm(kvm);
	struct kvmu_uv_mem mem = { host_page, kvm };
	u8 cb[0x58];
	u16 rc, rrc;
	u64 h;
	int i, n;

	if (s390_pv(vm))
		return -EINVAL;
	uvcb_init(cb, sizeof(cb), 0x0100);
	put_be64(cb + 0x40, guest_len(kvm));
	if (uv(cb, &cmd->rc, &cmd->rrc))
		return -EIO;
	h = be64(cb + 0x18);
	kvmu_uv_set_mem(h, &mem);
	atomic_store(&vm->pv_handle, h);
	n = atomic_load(&kvm->nr_vcpus);
	for (i = 0; i < n; i++) {
		if (!vcpu_pv(kvm, i, true, &cmd->rc, &cmd->rrc))
			continue;
		cpus_from_pv(kvm, &rc, &rrc);
		atomic_store(&vm->pv_handle, 0);
		destroy_conf(h, 0x0101, &rc, &rrc);
		return -EIO;
	}
	return 0;
}

static int pv_disable(struct kvmu_vm *kvm, struct kvm_pv_cmd *cmd)
{
	struct s390_vm *vm = s390_vm(kvm);
	u64 h = atomic_load(&vm->pv_handle);
	int r;

	if (!h)
		return -EINVAL;
	r = cpus_from_pv(kvm, &cmd->rc, &cmd->rrc);
	if (r)
		return r;
	atomic_store(&vm->pv_handle, 0);
	vm->pv_dumping = false;
	r = destroy_conf(h, 0x0101, &cmd->rc, &cmd->rrc);
	if (!r && vm->pv_aside) {
		r = destroy_conf(vm->pv_aside, 0x0102, &cmd->rc, &cmd->rrc);
		vm->pv_aside = 0;
	}
	return r;
}

static int pv_set_sec_parms(struct kvmu_vm *kvm, struct kvm_pv_cmd *cmd)
{
	struct kvm_s390_pv_sec_parm p;
	u8 cb[0x30], *hdr;
	int r;

	if (!s390_pv(s390_vm(kvm)))
		return -EINVAL;
	if (kvmu_copy_from_user(&p, cmd->data, sizeof(p)))
		return -EFAULT;
	if (p.length > PV_HDR_MAX)
		return -EINVAL;
	hdr = malloc(p.length ? p.length : 1);
	if (!hdr)
		return -ENOMEM;
	if (kvmu_copy_from_user(hdr, p.origin, p.length)) {
		free(hdr);
		return -EFAULT;
	}
	uvcb_init(cb, sizeof(cb), 0x0300);
	put_be64(cb + 0x18, s390_vm(kvm)->pv_handle);
	put_be64(cb + 0x20, (u64)(uintptr_t)hdr);
	put_be32(cb + 0x28, (u32)p.length);
	r = uv(cb, &cmd->rc, &cmd->rrc) ? -EINVAL : 0;
	free(hdr);
	return r;
}

static int pv_unpack(struct kvmu_vm *kvm, struct kvm_pv_cmd *cmd)
{
	struct kvm_s390_pv_unp u;
	u8 cb[0x38];
	u64 off;

	if (!s390_pv(s390_vm(kvm)))
		return -EINVAL;
	if (kvmu_copy_from_user(&u, cmd->data, sizeof(u)))
		return -EFAULT;
	if ((u.addr | u.size) & 0xfff || !u.size || u.addr + u.size < u.addr)
		return -EINVAL;
	for (off = 0; off < u.size; off += 4096) {
		uvcb_init(cb, sizeof(cb), 0x0301);
		put_be64(cb + 0x18, s390_vm(kvm)->pv_handle);
		put_be64(cb + 0x20, u.addr + off);
		put_be64(cb + 0x28, u.tweak);
		put_be64(cb + 0x30, off);
		if (uv(cb, &cmd->rc, &cmd->rrc))
			return -EINVAL;
	}
	return 0;
}

/* VERIFY, PREP_RESET, UNSHARE_ALL: one no-data call on the config. */
static int pv_simple(struct kvmu_vm *kvm, struct kvm_pv_cmd *cmd, u16 uvc)
{
	u64 h = s390_vm(kvm)->pv_handle;

	if (!h)
		return -EINVAL;
	return uv_nodata(h, uvc, &cmd->rc, &cmd->rrc);
}

static int pv_info(struct kvm_pv_cmd *cmd)
{
	struct kvm_s390_pv_info info = { 0 };
	u8 cb[0x120];
	u32 need;
	int i;

	if (kvmu_copy_from_user(&info.header, cmd->data, sizeof(info.header)))
		return -EFAULT;
	if (info.header.len_max < sizeof(info.header))
		return -EINVAL;
	uvcb_init(cb, sizeof(cb), 0x0001);
	uv(cb, NULL, NULL);
	if (info.header.id == KVM_PV_INFO_VM) {
		need = sizeof(info.header) + sizeof(info.vm);
		for (i = 0; i < 4; i++)
			info.vm.inst_calls_list[i] = be64(cb + 0x10 + i * 8);
		info.vm.max_cpus = be16(cb + 0x9e) + 1ULL;
		info.vm.max_guests = be32(cb + 0x7c);
		info.vm.max_guest_addr = be64(cb + 0x80);
		info.vm.feature_indication = be64(cb + 0xa0);
	} else if (info.header.id == KVM_PV_INFO_DUMP) {
		need = sizeof(info.header) + sizeof(info.dump);
		info.dump.dump_cpu_buffer_len = be64(cb + 0x68);
		info.dump.dump_config_mem_buffer_per_1m = be64(cb + 0xc8);
		info.dump.dump_config_finalize_len = be64(cb + 0xd0);
	} else {
		return -EINVAL;
	}
	if (info.header.len_max < need)
		return -EINVAL;
	info.header.len_written = need;
	return kvmu_copy_to_user(cmd->data, &info, need);
}

/* DUMP_CONFIG_STOR_STATE: as many MiB of page states as buff_len holds. */
static int dump_stor(struct kvmu_vm *kvm, struct kvm_s390_pv_dmp *d,
		     struct kvm_pv_cmd *cmd)
{
	u8 cb[0x30], buf[UV_DUMP_STOR_PER_1M];
	u64 n = d->buff_len / UV_DUMP_STOR_PER_1M, i;

	if (!n || (d->gaddr & 0xfffff))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		uvcb_init(cb, sizeof(cb), 0x0401);
		put_be64(cb + 0x18, s390_vm(kvm)->pv_handle);
		put_be64(cb + 0x20, d->gaddr);
		put_be64(cb + 0x28, (u64)(uintptr_t)buf);
		if (uv(cb, &cmd->rc, &cmd->rrc))
			return i ? 0 : -EINVAL;	/* stopped early */
		if (kvmu_copy_to_user(d->buff_addr + i * sizeof(buf), buf,
				      sizeof(buf)))
			return -EFAULT;
		d->gaddr = be64(cb + 0x20);
	}
	return 0;
}

static int dump_complete(struct kvmu_vm *kvm, struct kvm_s390_pv_dmp *d,
			 struct kvm_pv_cmd *cmd)
{
	u8 cb[0x30], buf[UV_DUMP_FINAL_LEN];

	if (d->buff_len < UV_DUMP_FINAL_LEN)
		return -EINVAL;
	uvcb_init(cb, sizeof(cb), 0x0403);
	put_be64(cb + 0x18, s390_vm(kvm)->pv_handle);
	put_be64(cb + 0x28, (u64)(uintptr_t)buf);
	if (uv(cb, &cmd->rc, &cmd->rrc))
		return -EINVAL;
	s390_vm(kvm)->pv_dumping = false;
	return kvmu_copy_to_user(d->buff_addr, buf, sizeof(buf));
}

static int pv_dump(struct kvmu_vm *kvm, struct kvm_pv_cmd *cmd)
{
	struct s390_vm *vm = s390_vm(kvm);
	struct kvm_s390_pv_dmp d;
	int r;

	if (!s390_pv(vm))
		return -EINVAL;
	if (kvmu_copy_from_user(&d, cmd->data, sizeof(d)))
		return -EFAULT;
	switch (d.subcmd) {
	case KVM_PV_DUMP_INIT:
		if (vm->pv_dumping)
			return -EINVAL;
		r = uv_nodata(vm->pv_handle, 0x0400, &cmd->rc, &cmd->rrc);
		if (!r)
			vm->pv_dumping = true;
		return r;
	case KVM_PV_DUMP_CONFIG_STOR_STATE:
		r = vm->pv_dumping ? dump_stor(kvm, &d, cmd) : -EINVAL;
		break;
	case KVM_PV_DUMP_COMPLETE:
		r = vm->pv_dumping ? dump_complete(kvm, &d, cmd) : -EINVAL;
		break;
	default:			/* DUMP_CPU is a vCPU command */
		return -ENOTTY;
	}
	if (kvmu_copy_to_user(cmd->data, &d, sizeof(d)))
		return -EFAULT;
	return r;
}

static int pv_aside(struct kvmu_vm *kvm, struct kvm_pv_cmd *cmd)
{
	struct s390_vm *vm = s390_vm(kvm);
	u64 h = vm->pv_handle;
	int r;

	if (!h || vm->pv_aside)
		return -EINVAL;
	r = cpus_from_pv(kvm, &cmd->rc, &cmd->rrc);
	if (r)
		return r;
	vm->pv_aside = h;
	vm->pv_dumping = false;
	atomic_store(&vm->pv_handle, 0);
	return 0;
}

static int pv_cleanup(struct kvmu_vm *kvm, struct kvm_pv_cmd *cmd)
{
	struct s390_vm *vm = s390_vm(kvm);
	u64 h;

	pthread_mutex_lock(&vm->pv_lock);
	h = vm->pv_aside;
	vm->pv_aside = 0;
	pthread_mutex_unlock(&vm->pv_lock);
	if (!h)
		return -EINVAL;
	/* destroy-fast runs without the VM lock, as the kernel's */
	return destroy_conf(h, 0x0102, &cmd->rc, &cmd->rrc);
}

static int pv_command(struct kvmu_vm *kvm, struct kvm_pv_cmd *cmd)
{
	struct s390_vm *vm = s390_vm(kvm);
	int r;

	if (cmd->cmd == KVMU_PV_ASYNC_CLEANUP_PERFORM)
		return pv_cleanup(kvm, cmd);
	pthread_mutex_lock(&vm->pv_lock);
	switch (cmd->cmd) {
	case KVM_PV_ENABLE:
		r = pv_enable(kvm, cmd);
		break;
	case KVM_PV_DISABLE:
		r = pv_disable(kvm, cmd);
		break;
	case KVM_PV_SET_SEC_PARMS:
		r = pv_set_sec_parms(kvm, cmd);
		break;
	case KVM_PV_UNPACK:
		r = pv_unpack(kvm, cmd);
		break;
	case KVM_PV_VERIFY:
		r = pv_simple(kvm, cmd, 0x0302);
		break;
	case KVM_PV_PREP_RESET:
		r = pv_simple(kvm, cmd, 0x0320);
		break;
	case KVM_PV_UNSHARE_ALL:
		r = pv_simple(kvm, cmd, 0x0340);
		break;
	case KVM_PV_INFO:
		r = pv_info(cmd);
		break;
	case KVM_PV_DUMP:
		r = pv_dump(kvm, cmd);
		break;
	case KVMU_PV_ASYNC_CLEANUP_PREPARE:
		r = pv_aside(kvm, cmd);
		break;
	default:
		r = -ENOTTY;
	}
	pthread_mutex_unlock(&vm->pv_lock);
	return r;
}

long s390_vm_pv_command(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *kvm = (struct kvmu_vm *)obj;
	struct kvm_pv_cmd cmd;
	long ret;

	/* first of all, even when the command then fails */
	s390_vm(kvm)->user_cpu_state_ctrl = true;
	if (kvmu_copy_from_user(&cmd, r->uarg, sizeof(cmd)))
		return -EFAULT;
	if (cmd.flags)
		return -EINVAL;
	ret = pv_command(kvm, &cmd);
	if (kvmu_copy_to_user(r->uarg, &cmd, sizeof(cmd)))
		return -EFAULT;
	return ret;
}

void s390_pv_vm_destroy(struct kvmu_vm *kvm)
{
	static const struct kvmu_uv_mem gone;
	struct s390_vm *vm = s390_vm(kvm);
	u16 rc, rrc;
	u64 h = vm->pv_handle;

	/* the VMM's memory may be unmapped by now: the UV must not touch it */
	if (h)
		kvmu_uv_set_mem(h, &gone);
	if (vm->pv_aside)
		kvmu_uv_set_mem(vm->pv_aside, &gone);
	/* every vCPU (each holds a VM reference) has left the UV already */
	atomic_store(&vm->pv_handle, 0);
	destroy_conf(h, 0x0101, &rc, &rrc);
	destroy_conf(vm->pv_aside, 0x0102, &rc, &rrc);
	vm->pv_aside = 0;
}

/* The CPU state in the store-status layout, for the UV's dump. */
static void cpu_status(struct s390_cpu *c, u8 *b)
{
	int i;

	memset(b, 0, 0x200);
	for (i = 0; i < 16; i++) {
		put_be64(b + i * 8, c->fprs[i]);
		put_be64(b + 0x80 + i * 8, c->gprs[i]);
		put_be32(b + 0x140 + i * 4, c->acrs[i]);
		put_be64(b + 0x180 + i * 8, c->crs[i]);
	}
	put_be64(b + 0x100, c->mask);
	put_be64(b + 0x108, c->addr);
	put_be32(b + 0x118, c->prefix);
	put_be32(b + 0x11c, c->fpc);
	put_be32(b + 0x124, (u32)c->todpr);
	put_be64(b + 0x130, c->ckc >> 8);
}

static int dump_cpu(struct s390_cpu *c, struct kvm_s390_pv_dmp *d,
		    struct kvm_pv_cmd *cmd)
{
	u8 cb[0x30], status[0x200], *buf;
	int r;

	if (d->subcmd != KVM_PV_DUMP_CPU || d->buff_len != UV_CPU_DUMP_LEN)
		return -EINVAL;
	buf = calloc(1, UV_CPU_DUMP_LEN);
	if (!buf)
		return -ENOMEM;
	cpu_status(c, status);
	uvcb_init(cb, sizeof(cb), 0x0402);
	put_be64(cb + 0x18, c->pv_cpu);
	put_be64(cb + 0x20, (u64)(uintptr_t)status);
	put_be64(cb + 0x28, (u64)(uintptr_t)buf);
	r = uv(cb, &cmd->rc, &cmd->rrc) ? -EINVAL :
	    kvmu_copy_to_user(d->buff_addr, buf, UV_CPU_DUMP_LEN);
	memset(status, 0, sizeof(status));
	free(buf);
	return r;
}

long s390_vcpu_pv_command(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct s390_cpu *c = s390_cpu((struct kvmu_vcpu *)obj);
	struct kvm_s390_pv_dmp d;
	struct kvm_pv_cmd cmd;
	int ret;

	if (kvmu_copy_from_user(&cmd, r->uarg, sizeof(cmd)))
		return -EFAULT;
	if (cmd.flags || cmd.cmd != KVM_PV_DUMP || !c->vm->pv_dumping)
		return -EINVAL;
	if (kvmu_copy_from_user(&d, cmd.data, sizeof(d)))
		return -EFAULT;
	ret = dump_cpu(c, &d, &cmd);
	/* rc and rrc go back whatever happened */
	if (kvmu_copy_to_user(r->uarg + 4, &cmd.rc, 4))
		return -EFAULT;
	return ret;
}
