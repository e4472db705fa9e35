// SPDX-License-Identifier: MIT
/*
 * Time: the guest TSC (the host's, scaled to the vCPU's kHz, plus an
 * offset; a new vCPU starts at 0), IA32_TSC_ADJUST, KVM_GET/SET_TSC_KHZ,
 * and kvmclock (the pvclock page, the wall clock, KVM_GET/SET_CLOCK).
 *
 * kvmclock nanoseconds are derived from the host TSC itself, so what the
 * guest computes from its pvclock page and RDTSC matches KVM_GET_CLOCK
 * exactly, as with KVM's master clock.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include "arch/x86/x86_int.h"

#define NSEC_PER_SEC		1000000000ULL
#define PVCLOCK_TSC_STABLE	1
#define X86_TSC_KHZ_MAX		0x7fffffffU

static pthread_once_t calib_once = PTHREAD_ONCE_INIT;
static u32 host_khz;
static u64 ref_tsc, ref_ns;		/* one (host TSC, CLOCK_BOOTTIME) pair */

static u64 clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (u64)ts.tv_sec * NSEC_PER_SEC + (u64)ts.tv_nsec;
}

/* Measure the host TSC against CLOCK_MONOTONIC_RAW over ~20 ms. */
static void calibrate(void)
{
	struct timespec d = { 0, 20000000 };
	u64 t0, t1, c0, c1;

	t0 = clock_ns(CLOCK_MONOTONIC_RAW);
	c0 = __rdtsc();
	nanosleep(&d, NULL);
	t1 = clock_ns(CLOCK_MONOTONIC_RAW);
	c1 = __rdtsc();
	host_khz = t1 > t0 ? (u32)((c1 - c0) * 1000000ULL / (t1 - t0)) : 0;
	if (!host_khz)
		host_khz = 1000000;	/* no usable clock: claim 1 GHz */
	ref_ns = clock_ns(CLOCK_BOOTTIME);
	ref_tsc = __rdtsc();
}

u32 x86_host_tsc_khz(void)
{
	pthread_once(&calib_once, calibrate);
	return host_khz;
}

/*
 * Host nanoseconds (kvmclock's base) at host TSC value tsc.  The delta is
 * signed: a TSC read before the first calibration (which samples ref_tsc
 * ~20 ms later) is older than ref_tsc, and as an unsigned difference it
 * became ~2^64 ticks, the -2^63 ns warp kvm-unit-tests' kvmclock_test saw.
 */
static u64 host_ns_at(u64 tsc)
{
	s64 d = (s64)(tsc - ref_tsc);

	x86_host_tsc_khz();
	return ref_ns + (u64)(s64)((__int128)d * 1000000 / host_khz);
}

/* Host TSC now, read after the calibration (so never before ref_tsc). */
static u64 host_tsc(void)
{
	x86_host_tsc_khz();
	return __rdtsc();
}

static u64 scale(struct x86_cpu *cpu, u64 host)
{
	u32 k = cpu->m.tsc_khz;

	if (!k || k == x86_host_tsc_khz())
		return host;
	return (u64)((unsigned __int128)host * k / host_khz);
}

u64 x86_guest_tsc_at(struct x86_cpu *cpu, u64 host)
{
	return scale(cpu, host) + (u64)cpu->tsc_offset;
}

u64 x86_guest_tsc(struct x86_cpu *cpu)
{
	return x86_guest_tsc_at(cpu, host_tsc());
}

/*
 * kvm_synchronize_tsc: a write of 0 (vCPU creation) or of a value within
 * a second of what the last write predicts joins the VM's current offset,
 * so the TSCs of vCPUs created together agree.
 */
static void tsc_sync(struct x86_cpu *cpu, u64 data)
{
	struct x86_machine_vm *m = &x86_cpu_vm(cpu)->m;
	u64 host = host_tsc(), ns = host_ns_at(host), khz = cpu->m.tsc_khz;
	bool sync = false;

	pthread_mutex_lock(&m->tsc_lock);
	if (m->tsc_written && m->last_tsc_khz == khz) {
		u64 exp = m->last_tsc_write +
			  (ns - m->last_tsc_host_ns) * khz / 1000000ULL;
		u64 hz = khz * 1000ULL;

		sync = data == 0 || (data < exp + hz && data + hz > exp);
	}
	if (sync)
		cpu->tsc_offset = (u64)m->cur_tsc_offset;
	else
		cpu->tsc_offset = data - scale(cpu, host);
	m->cur_tsc_offset = (s64)cpu->tsc_offset;
	m->last_tsc_write = data;
	m->last_tsc_host_ns = ns;
	m->last_tsc_khz = (u32)khz;
	m->tsc_written = true;
	pthread_mutex_unlock(&m->tsc_lock);
}

void x86_tsc_init(struct x86_cpu *cpu)
{
	struct x86_machine_vm *m = &x86_cpu_vm(cpu)->m;

	cpu->m.tsc_khz = m->default_tsc_khz ? m->default_tsc_khz :
					      x86_host_tsc_khz();
	tsc_sync(cpu, 0);
}

u64 x86_tsc_msr_read(struct x86_cpu *cpu)
{
	return x86_guest_tsc(cpu);
}

void x86_tsc_msr_write(struct x86_cpu *cpu, u64 v, bool host)
{
	s64 adj;

	if (host) {
		tsc_sync(cpu, v);
		return;
	}
	/* a guest write moves the offset and IA32_TSC_ADJUST alike */
	adj = (s64)(v - x86_guest_tsc(cpu));
	cpu->tsc_offset += (u64)adj;
	cpu->m.tsc_adjust += adj;
	x86_kvmclock_update(cpu);	/* KVM_REQ_CLOCK_UPDATE */
}

int x86_tsc_adjust_write(struct x86_cpu *cpu, u64 v, bool host)
{
	/* KVM ignores the write when the CPUID lacks TSC_ADJUST */
	if (!x86_guest_has(cpu, 7, 0, 1, 1))
		return 0;
	if (!host)
		cpu->tsc_offset += v - (u64)cpu->m.tsc_adjust;
	cpu->m.tsc_adjust = (s64)v;
	x86_kvmclock_update(cpu);
	return 0;
}

/* ---- KVM_GET/SET_TSC_KHZ (vCPU, and the VM default) ---- */

long x86_get_tsc_khz(struct kvmu_obj *obj, struct kvmu_ioctl_req *r KVMU_UNUSED)
{
	return x86_obj_cpu(obj)->m.tsc_khz;
}

long x86_set_tsc_khz(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	u64 now = x86_guest_tsc(cpu);
	u32 khz = (u32)r->uarg;

	if (khz >= X86_TSC_KHZ_MAX)
		return -EINVAL;
	if (!khz)
		khz = x86_host_tsc_khz();
	/* keep the guest's TSC continuous across the change of rate */
	cpu->m.tsc_khz = khz;
	cpu->tsc_offset = now - scale(cpu, host_tsc());
	return 0;
}

long x86_vm_get_tsc_khz(struct kvmu_obj *obj,
			struct kvmu_ioctl_req *r KVMU_UNUSED)
{
	struct x86_vm *xv = x86_vm_of((struct kvmu_vm *)obj);

	return xv->m.default_tsc_khz ? xv->m.default_tsc_khz :
				       x86_host_tsc_khz();
}

long x86_vm_set_tsc_khz(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;
	u32 khz = (u32)r->uarg;
	int ret = -EINVAL;

	if (khz >= X86_TSC_KHZ_MAX)
		return -EINVAL;
	pthread_mutex_lock(&vm->lock);
	if (!atomic_load(&vm->nr_vcpus)) {
		x86_vm_of(vm)->m.default_tsc_khz = khz ? khz :
						   x86_host_tsc_khz();
		ret = 0;
	}
	pthread_mutex_unlock(&vm->lock);
	return ret;
}

/* ---- kvmclock ---- */

/*
 * kvmclock runs on one (host TSC, ns) pair per VM, as KVM's master clock:
 * every vCPU's pvclock page is that pair seen through the vCPU's TSC, so
 * all vCPUs (and KVM_GET_CLOCK) compute one function of the TSC, and a
 * clock read on one vCPU never goes behind a read on another.
 */
void x86_vm_clock_init(struct kvmu_vm *vm)
{
	struct x86_machine_vm *m = &x86_vm_of(vm)->m;

	pthread_mutex_init(&m->tsc_lock, NULL);
	/* a new VM's kvmclock starts at 0, as kvm_arch_init_vm */
	m->master_tsc = host_tsc();
	m->master_ns = 0;
}

/* kvm_get_time_scale: ns = ((tsc << shift) * mul) >> 32, mul >= 2^31. */
static void time_scale(u32 khz, s8 *shift, u32 *mul)
{
	u64 hz = (u64)khz * 1000ULL;
	unsigned __int128 m;
	int s = 0;

	m = ((unsigned __int128)NSEC_PER_SEC << 32) / hz;
	while (m >= (1ULL << 32)) {
		m >>= 1;
		s++;
	}
	while (m < (1ULL << 31) && s > -31) {
		m <<= 1;
		s--;
	}
	*shift = (s8)s;
	*mul = (u32)m;
}

/* pvclock_scale_delta, the guest's own arithmetic. */
static u64 pv_scale(u64 delta, u32 mul, s8 shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (u64)(((unsigned __int128)delta * mul) >> 32);
}

/* kvmclock ns now, by the pvclock formula at the host rate; *host: TSC. */
static u64 kvmclock_now(struct x86_machine_vm *m, u64 *host)
{
	u64 ns;
	u32 mul;
	s8 shift;

	time_scale(x86_host_tsc_khz(), &shift, &mul);
	/* the TSC is read under the lock: never older than master_tsc */
	pthread_mutex_lock(&m->tsc_lock);
	*host = __rdtsc();
	ns = m->master_ns + pv_scale(*host - m->master_tsc, mul, shift);
	pthread_mutex_unlock(&m->tsc_lock);
	return ns;
}

u64 x86_kvmclock_ns(struct kvmu_vm *vm)
{
	u64 host;

	return kvmclock_now(&x86_vm_of(vm)->m, &host);
}

/* Guest-physical bytes at gpa, or NULL when not plain RAM of one slot. */
static u8 *guest_ram(struct x86_cpu *cpu, u64 gpa, u32 len)
{
	const struct kvmu_memslot *s = kvmu_memslot_find(cpu->vcpu->vm, 0, gpa);

	if (!s || (s->flags & KVM_MEM_READONLY) || gpa + len > s->gpa + s->size)
		return NULL;
	kvmu_memslot_mark_dirty(s, gpa);
	return (u8 *)(uintptr_t)(s->hva + (gpa - s->gpa));
}

static int kvmclock_write(struct x86_cpu *cpu, bool report);

int x86_kvmclock_update(struct x86_cpu *cpu)
{
	return kvmclock_write(cpu, true);
}

/*
 * struct pvclock_vcpu_time_info, written as the kernel does: version odd,
 * data, version even.  Not written where the plane may not write the page
 * (report: KVM_EXIT_MEMORY_FAULT filled, -EFAULT).
 */
static int kvmclock_write(struct x86_cpu *cpu, bool report)
{
	struct x86_machine_vm *m = &x86_cpu_vm(cpu)->m;
	u64 tsc, ns;
	_Atomic u32 *ver;
	u32 mul;
	s8 shift;
	u8 *p;

	if (!cpu->m.pv_time_enabled)
		return 0;
	if (x86_plane_kernel_denied(cpu, cpu->m.pvclock_gpa, 32, X86_ACC_WRITE,
				    report))
		return -EFAULT;
	p = guest_ram(cpu, cpu->m.pvclock_gpa, 32);
	if (!p)
		return 0;
	pthread_mutex_lock(&m->tsc_lock);
	tsc = x86_guest_tsc_at(cpu, m->master_tsc);
	ns = m->master_ns;
	pthread_mutex_unlock(&m->tsc_lock);
	time_scale(cpu->m.tsc_khz, &shift, &mul);
	ver = (_Atomic u32 *)p;
	atomic_store(ver, (atomic_load(ver) + 1) | 1);
	memcpy(p + 8, &tsc, 8);
	memcpy(p + 16, &ns, 8);
	memcpy(p + 24, &mul, 4);
	p[28] = (u8)shift;
	p[29] = PVCLOCK_TSC_STABLE;
	atomic_store(ver, atomic_load(ver) + 1);
	return 0;
}

int x86_kvmclock_system_time(struct x86_cpu *cpu, u64 v)
{
	cpu->m.system_time = v;
	cpu->m.pv_time_enabled = v & 1;
	cpu->m.pvclock_gpa = v & ~1ULL;
	/* a forbidden page is reported by the next KVM_RUN's update */
	kvmclock_write(cpu, false);
	return 0;
}

/* struct pvclock_wall_clock: version, sec, nsec of the kvmclock epoch. */
int x86_kvmclock_wall_clock(struct x86_cpu *cpu, u64 gpa)
{
	struct kvmu_vm *vm = cpu->vcpu->vm;
	u64 real = clock_ns(CLOCK_REALTIME), kns = x86_kvmclock_ns(vm);
	u64 boot = real - kns;
	u32 sec = (u32)(boot / NSEC_PER_SEC), nsec = (u32)(boot % NSEC_PER_SEC);
	_Atomic u32 *ver;
	u8 *p;

	x86_vm_of(vm)->m.wall_clock_gpa = gpa;
	p = guest_ram(cpu, gpa, 12);
	if (!p)
		return 0;
	ver = (_Atomic u32 *)p;
	atomic_store(ver, (atomic_load(ver) + 1) | 1);
	memcpy(p + 4, &sec, 4);
	memcpy(p + 8, &nsec, 4);
	atomic_store(ver, atomic_load(ver) + 1);
	return 0;
}

/* ---- KVM_GET_CLOCK / KVM_SET_CLOCK (KVM_CAP_ADJUST_CLOCK) ---- */

long x86_vm_get_clock(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;
	struct kvm_clock_data *d = r->karg;
	u64 host;

	memset(d, 0, sizeof(*d));
	d->realtime = clock_ns(CLOCK_REALTIME);
	d->clock = kvmclock_now(&x86_vm_of(vm)->m, &host);
	d->host_tsc = host;
	d->flags = KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME |
		   KVM_CLOCK_HOST_TSC;
	return 0;
}

long x86_vm_set_clock(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct kvmu_vm *vm = (struct kvmu_vm *)obj;
	const struct kvm_clock_data *d = r->karg;
	struct x86_machine_vm *m = &x86_vm_of(vm)->m;
	u64 clock = d->clock;

	if (d->flags & ~(KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC |
			 KVM_CLOCK_TSC_STABLE))
		return -EINVAL;
	/* REALTIME: advance by the real time that passed since the sample */
	if (d->flags & KVM_CLOCK_REALTIME) {
		u64 real = clock_ns(CLOCK_REALTIME);

		if (real > d->realtime)
			clock += real - d->realtime;
	}
	/* each vCPU rewrites its pvclock page at its next entry */
	pthread_mutex_lock(&m->tsc_lock);
	m->master_tsc = host_tsc();
	m->master_ns = clock;
	pthread_mutex_unlock(&m->tsc_lock);
	x86_hv_clock_changed(vm);	/* and the Hyper-V TSC page */
	return 0;
}

/* ---- vCPU attributes: KVM_VCPU_TSC_CTRL / KVM_VCPU_TSC_OFFSET ---- */

static long tsc_attr(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	struct x86_cpu *cpu = x86_obj_cpu(obj);
	struct kvm_device_attr a;
	struct x86_machine_vm *m;
	u64 off;
	int ret;

	ret = kvmu_copy_from_user(&a, r->uarg, sizeof(a));
	if (ret)
		return ret;
	if (a.group != KVM_VCPU_TSC_CTRL || a.attr != KVM_VCPU_TSC_OFFSET)
		return -ENXIO;
	if (r->cmd == KVM_HAS_DEVICE_ATTR)
		return 0;
	if (r->cmd == KVM_GET_DEVICE_ATTR)
		return kvmu_copy_to_user(a.addr, &cpu->tsc_offset, 8);
	ret = kvmu_copy_from_user(&off, a.addr, 8);
	if (ret)
		return ret;
	/* as kvm_arch_tsc_set_attr: the VM's offset follows */
	m = &x86_cpu_vm(cpu)->m;
	pthread_mutex_lock(&m->tsc_lock);
	cpu->tsc_offset = off;
	m->cur_tsc_offset = (s64)off;
	m->last_tsc_host_ns = host_ns_at(host_tsc());
	m->last_tsc_write = x86_guest_tsc(cpu);
	m->last_tsc_khz = cpu->m.tsc_khz;
	m->tsc_written = true;
	pthread_mutex_unlock(&m->tsc_lock);
	return 0;
}

long x86_vcpu_has_attr(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return tsc_attr(obj, r);
}

long x86_vcpu_get_attr(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return tsc_attr(obj, r);
}

long x86_vcpu_set_attr(struct kvmu_obj *obj, struct kvmu_ioctl_req *r)
{
	return tsc_attr(obj, r);
}
