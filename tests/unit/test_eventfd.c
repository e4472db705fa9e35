// SPDX-License-Identifier: MIT
/*
 * The generic interrupt ioctls through kvmu_ioctl: KVM_IRQ_LINE(_STATUS),
 * KVM_SET_GSI_ROUTING, KVM_SIGNAL_MSI, KVM_IRQFD (with resample, closing
 * the eventfd, injection from other threads) and KVM_IOEVENTFD (guest
 * writes signalling eventfds with no exit, from a vCPU on another thread),
 * each errno case in the kernel's order.  A recording irqchip stands in
 * for the arch's, installed through the routing core.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "kvmu_int.h"
#include "eventfd.h"
#include "x86_guest.h"

#define WAIT_LOOPS 50000	/* x 100 us: a bound, not a timing */

/* ---- a recording irqchip ---- */

struct rec {
	atomic_int up[8], down[8];	/* by pin of chip 2 */
	atomic_int src1_up, src1_down;
	atomic_int msis;
	int msi_ret;
};
static struct rec rec;

static int rec_set_pin(struct kvmu_vm *vm, u32 irqchip, u32 pin, int level,
		       int source_id)
{
	(void)vm;
	if (irqchip != 2 || pin >= 8)
		return 0;
	if (source_id == KVMU_IRQFD_RESAMPLE_IRQ_SOURCE_ID)
		atomic_fetch_add(level ? &rec.src1_up : &rec.src1_down, 1);
	else
		atomic_fetch_add(level ? &rec.up[pin] : &rec.down[pin], 1);
	return 1;
}

static int rec_msi(struct kvmu_vm *vm, const struct kvm_msi *msi)
{
	(void)vm;
	(void)msi;
	atomic_fetch_add(&rec.msis, 1);
	return rec.msi_ret;
}

static const struct kvmu_irqchip_ops rec_ops = { rec_set_pin, rec_msi };

struct t {
	int sys, vm;
	struct kvmu_vm *kvm;
};

static int call(int fd, unsigned long req, const void *arg)
{
	return kvmu_ioctl(fd, req, arg) < 0 ? -errno : 0;
}

static void t_open(struct t *t, bool chip)
{
	struct kvm_irq_routing_entry e[8];
	struct kvmu_obj *obj;
	int i;

	memset(&rec, 0, sizeof(rec));
	rec.msi_ret = 1;
	t->sys = kvmu_open(KVMU_ARCH_X86_64, 0);
	assert_true(t->sys >= 0);
	t->vm = kvmu_ioctl(t->sys, KVM_CREATE_VM, 0);
	assert_true(t->vm >= 0);
	assert_int_equal(kvmu_obj_get(t->vm, &obj), 0);
	t->kvm = (struct kvmu_vm *)obj;
	kvmu_obj_put(obj);	/* the fd keeps it */
	for (i = 0; i < 8; i++) {
		memset(&e[i], 0, sizeof(e[i]));
		e[i].gsi = (u32)i;
		e[i].type = KVM_IRQ_ROUTING_IRQCHIP;
		e[i].u.irqchip.irqchip = 2;
		e[i].u.irqchip.pin = (u32)i;
	}
	if (chip)
		assert_int_equal(kvmu_irq_install(t->kvm, &rec_ops, NULL, e, 8),
				 0);
}

static void t_close(struct t *t)
{
	close(t->vm);
	close(t->sys);
}

static void wait_for(atomic_int *c, int n)
{
	int i;

	for (i = 0; i < WAIT_LOOPS && atomic_load(c) < n; i++)
		usleep(100);
	assert_true(atomic_load(c) >= n);
}

static u64 read_efd(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	u64 v = 0;

	if (poll(&p, 1, timeout_ms) == 1)
		assert_int_equal(read(fd, &v, sizeof(v)), sizeof(v));
	return v;
}

/* ---- without an irqchip, and on an arch without these ---- */

static void no_irqchip(void **state)
{
	struct kvm_irq_level l = { .irq = 1, .level = 1 };
	struct kvm_irq_routing rt = { 0 };
	struct kvm_msi msi = { .address_lo = 0xfee00000 };
	struct kvm_irqfd f = { 0 };
	int efd = eventfd(0, 0), pfd[2];
	struct t t;

	(void)state;
	assert_int_equal(pipe(pfd), 0);
	t_open(&t, false);
	assert_int_equal(call(t.vm, KVM_IRQ_LINE, &l), -ENXIO);
	assert_int_equal(call(t.vm, KVM_IRQ_LINE_STATUS, &l), -ENXIO);
	assert_int_equal(call(t.vm, KVM_IRQ_LINE, (void *)8), -EFAULT);
	assert_int_equal(call(t.vm, KVM_SET_GSI_ROUTING, &rt), -EINVAL);
	assert_int_equal(call(t.vm, KVM_SET_GSI_ROUTING, (void *)8), -EFAULT);
	assert_int_equal(call(t.vm, KVM_SIGNAL_MSI, &msi), -EINVAL);
	f.fd = (u32)efd;
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), -EINVAL);
	f.flags = 4;
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), -EINVAL);
	/* deassign needs no irqchip: fd checks, then nothing to do */
	f.flags = KVM_IRQFD_FLAG_DEASSIGN;
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), 0);
	f.fd = 9999;
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), -EBADF);
	f.fd = (u32)pfd[0];
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), -EINVAL);
	/* the tracer names them (from the tables that dispatch them) */
	assert_string_equal(kvmu_ioctl_name(KVMU_ARCH_X86_64, KVM_IRQFD),
			    "KVM_IRQFD");
	assert_string_equal(kvmu_ioctl_name(KVMU_ARCH_X86_64,
					    KVM_SET_GSI_ROUTING),
			    "KVM_SET_GSI_ROUTING");
	assert_int_equal(kvmu_ioctl(t.vm, KVM_CHECK_EXTENSION,
				    KVM_CAP_IOEVENTFD), 1);
	assert_int_equal(kvmu_ioctl(t.vm, KVM_CHECK_EXTENSION,
				    KVM_CAP_IOEVENTFD_ANY_LENGTH), 1);
	assert_int_equal(kvmu_ioctl(t.vm, KVM_CHECK_EXTENSION,
				    KVM_CAP_IRQ_ROUTING),
			 kvmu_x86_ops.irqchip_capable ? 4096 : 0);
	t_close(&t);
	close(efd);
	close(pfd[0]);
	close(pfd[1]);
}

static void s390_has_none(void **state)
{
	struct kvm_irq_level l = { 0 };
	struct kvm_ioeventfd io = { 0 };
	int sys, vm;

	(void)state;
	sys = kvmu_open(KVMU_ARCH_S390X, 0);
	if (sys < 0)
		skip();
	vm = kvmu_ioctl(sys, KVM_CREATE_VM, 0);
	assert_true(vm >= 0);
	assert_int_equal(call(vm, KVM_IRQ_LINE, &l), -ENOTTY);
	assert_int_equal(call(vm, KVM_IOEVENTFD, &io), -ENOTTY);
	assert_int_equal(kvmu_ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD),
			 0);
	assert_int_equal(kvmu_ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD), 0);
	assert_int_equal(kvmu_ioctl(vm, KVM_CHECK_EXTENSION,
				    KVM_CAP_IRQ_ROUTING), 0);
	close(vm);
	close(sys);
}

/* ---- IRQ_LINE, routing, MSI ---- */

static void irq_line(void **state)
{
	struct kvm_irq_level l = { .irq = 3, .level = 1 };
	struct t t;

	(void)state;
	t_open(&t, true);
	assert_int_equal(call(t.vm, KVM_IRQ_LINE, &l), 0);
	assert_int_equal(atomic_load(&rec.up[3]), 1);
	l.level = 0;
	assert_int_equal(call(t.vm, KVM_IRQ_LINE_STATUS, &l), 0);
	assert_int_equal(l.status, 1);
	assert_int_equal(atomic_load(&rec.down[3]), 1);
	l.irq = 100;	/* no route */
	assert_int_equal(call(t.vm, KVM_IRQ_LINE_STATUS, &l), 0);
	assert_int_equal(l.status, -1);
	assert_int_equal(call(t.vm, KVM_IRQ_LINE_STATUS, (void *)8), -EFAULT);
	t_close(&t);
}

static int set_routing(int vm, const struct kvm_irq_routing_entry *e, u32 n,
		       u32 flags)
{
	struct kvm_irq_routing *r = calloc(1, sizeof(*r) + n * sizeof(*e));
	int ret;

	r->nr = n;
	r->flags = flags;
	if (n)
		memcpy(r->entries, e, n * sizeof(*e));
	ret = call(vm, KVM_SET_GSI_ROUTING, r);
	free(r);
	return ret;
}

static void gsi_routing(void **state)
{
	struct kvm_irq_routing_entry *e = calloc(4097, sizeof(*e));
	struct kvm_irq_routing *hdr;
	u8 *pg;
	struct kvm_irq_level l = { .irq = 4000, .level = 1 };
	struct t t;
	u32 i;

	(void)state;
	t_open(&t, true);
	for (i = 0; i < 4097; i++) {
		e[i].gsi = i;
		e[i].type = KVM_IRQ_ROUTING_MSI;
		e[i].u.msi.address_lo = 0xfee00000;
		e[i].u.msi.data = i & 0xff;
	}
	assert_int_equal(set_routing(t.vm, e, 4097, 0), -EINVAL);
	assert_int_equal(set_routing(t.vm, e, 4096, 0), 0);
	assert_int_equal(call(t.vm, KVM_IRQ_LINE, &l), 0);
	assert_int_equal(atomic_load(&rec.msis), 1);
	assert_int_equal(set_routing(t.vm, e, 1, 1), -EINVAL);
	assert_int_equal(set_routing(t.vm, NULL, 0, 0), 0);
	/* entries beyond the header unreadable (header ends a mapping) */
	pg = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(pg != MAP_FAILED);
	munmap(pg + 4096, 4096);
	hdr = (struct kvm_irq_routing *)(pg + 4096 - sizeof(*hdr));
	hdr->nr = 1;
	hdr->flags = 0;
	assert_int_equal(call(t.vm, KVM_SET_GSI_ROUTING, hdr), -EFAULT);
	munmap(pg, 4096);
	e[0].gsi = 4096;
	assert_int_equal(set_routing(t.vm, e, 1, 0), -EINVAL);
	e[0].gsi = 0;
	e[0].flags = 2;
	assert_int_equal(set_routing(t.vm, e, 1, 0), -EINVAL);
	e[0].flags = KVM_MSI_VALID_DEVID;
	assert_int_equal(set_routing(t.vm, e, 1, 0), 0);
	e[0].type = KVM_IRQ_ROUTING_IRQCHIP;
	e[0].flags = 0;
	e[0].u.irqchip.irqchip = 0;
	e[0].u.irqchip.pin = 8;
	assert_int_equal(set_routing(t.vm, e, 1, 0), -EINVAL);
	e[0].u.irqchip.irqchip = 2;
	e[0].u.irqchip.pin = 24;
	assert_int_equal(set_routing(t.vm, e, 1, 0), -EINVAL);
	e[0].u.irqchip.pin = 23;
	assert_int_equal(set_routing(t.vm, e, 1, 0), 0);
	e[0].type = 5;	/* S390_ADAPTER: not on x86 */
	assert_int_equal(set_routing(t.vm, e, 1, 0), -EINVAL);
	t_close(&t);
	free(e);
}

static void signal_msi(void **state)
{
	struct kvm_msi m = { .address_lo = 0xfee00000, .data = 0x30 };
	struct t t;

	(void)state;
	t_open(&t, true);
	assert_int_equal(kvmu_ioctl(t.vm, KVM_SIGNAL_MSI, &m), 1);
	m.flags = KVM_MSI_VALID_DEVID;
	assert_int_equal(kvmu_ioctl(t.vm, KVM_SIGNAL_MSI, &m), 1);
	m.flags = 2;
	assert_int_equal(call(t.vm, KVM_SIGNAL_MSI, &m), -EINVAL);
	m.flags = 0;
	rec.msi_ret = -1;	/* no destination: the kernel's -1 is EPERM */
	assert_int_equal(call(t.vm, KVM_SIGNAL_MSI, &m), -EPERM);
	rec.msi_ret = 0;
	assert_int_equal(kvmu_ioctl(t.vm, KVM_SIGNAL_MSI, &m), 0);
	assert_int_equal(call(t.vm, KVM_SIGNAL_MSI, (void *)8), -EFAULT);
	t_close(&t);
}

/* ---- irqfd ---- */

static void irqfd_errors(void **state)
{
	struct kvm_irqfd f = { .gsi = 2 };
	int a = eventfd(0, 0), b = eventfd(0, 0), pfd[2];
	struct t t;

	(void)state;
	assert_int_equal(pipe(pfd), 0);
	t_open(&t, true);
	f.fd = 9999;
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), -EBADF);
	f.fd = (u32)pfd[0];
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), -EINVAL);
	f.fd = (u32)a;
	f.flags = KVM_IRQFD_FLAG_RESAMPLE;
	f.resamplefd = 9999;
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), -EBADF);
	f.resamplefd = (u32)pfd[1];
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), -EINVAL);
	f.flags = 0;
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), 0);
	/* the same eventfd again, for any gsi: EBUSY */
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), -EBUSY);
	f.gsi = 5;
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), -EBUSY);
	/* a dup of it is the same file */
	f.fd = (u32)dup(a);
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), -EBUSY);
	close((int)f.fd);
	f.fd = (u32)b;
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), 0);
	/* deassign: wrong gsi leaves it, right gsi removes it */
	f.fd = (u32)a;
	f.gsi = 3;
	f.flags = KVM_IRQFD_FLAG_DEASSIGN;
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), 0);
	f.flags = 0;
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), -EBUSY);
	f.gsi = 2;
	f.flags = KVM_IRQFD_FLAG_DEASSIGN;
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), 0);
	f.flags = 0;
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), 0);
	/* closing the VM with irqfds assigned tears them down */
	t_close(&t);
	close(a);
	close(b);
	close(pfd[0]);
	close(pfd[1]);
}

static void irqfd_inject(void **state)
{
	struct kvm_irqfd f = { .gsi = 4 }, g = { .gsi = 6 };
	int a = eventfd(0, 0), b = eventfd(0, 0);
	u64 one = 1;
	struct t t;

	(void)state;
	t_open(&t, true);
	f.fd = (u32)a;
	g.fd = (u32)b;
	/* a count pending before the assign is delivered (irqfd_assign) */
	assert_int_equal(write(a, &one, 8), 8);
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), 0);
	wait_for(&rec.up[4], 1);
	wait_for(&rec.down[4], 1);	/* an edge: raised and lowered */
	assert_int_equal(write(a, &one, 8), 8);
	wait_for(&rec.up[4], 2);
	/* deassigned: a's writes no longer reach the gsi */
	f.flags = KVM_IRQFD_FLAG_DEASSIGN;
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), 0);
	assert_int_equal(call(t.vm, KVM_IRQFD, &g), 0);
	assert_int_equal(write(a, &one, 8), 8);
	assert_int_equal(write(b, &one, 8), 8);
	wait_for(&rec.up[6], 1);
	assert_int_equal(atomic_load(&rec.up[4]), 2);
	t_close(&t);
	close(a);
	close(b);
}

static void irqfd_resample(void **state)
{
	struct kvm_irqfd f = { .gsi = 5, .flags = KVM_IRQFD_FLAG_RESAMPLE };
	int a = eventfd(0, 0), r = eventfd(0, EFD_NONBLOCK);
	u64 one = 1;
	struct t t;

	(void)state;
	t_open(&t, true);
	f.fd = (u32)a;
	f.resamplefd = (u32)r;
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), 0);
	assert_int_equal(write(a, &one, 8), 8);
	wait_for(&rec.src1_up, 1);	/* level, resample source */
	assert_int_equal(atomic_load(&rec.src1_down), 0);
	/* the guest EOIs: line lowered, resamplefd told */
	kvmu_irq_ack(t.kvm, 2, 5);
	assert_int_equal(atomic_load(&rec.src1_down), 1);
	assert_int_equal(read_efd(r, 5000), 1);
	kvmu_irq_ack(t.kvm, 2, 4);	/* another pin: nobody */
	assert_int_equal(read_efd(r, 0), 0);
	/* the program closes the eventfd: the irqfd goes, line lowered */
	close(a);
	kvmu_eventfd_reap(t.kvm);
	assert_int_equal(atomic_load(&rec.src1_down), 2);
	kvmu_irq_ack(t.kvm, 2, 5);
	assert_int_equal(read_efd(r, 0), 0);
	t_close(&t);
	close(r);
}

static const struct kvmu_irqchip_ops split_ops = { NULL, rec_msi };

/* A split irqchip (MSI only): resampling is refused, plain irqfds work. */
static void irqfd_split(void **state)
{
	struct kvm_irqfd f = { .gsi = 1, .flags = KVM_IRQFD_FLAG_RESAMPLE };
	int a = eventfd(0, 0), r = eventfd(0, 0);
	struct t t;

	(void)state;
	t_open(&t, false);
	assert_int_equal(kvmu_irq_install(t.kvm, &split_ops, NULL, NULL, 0), 0);
	f.fd = (u32)a;
	f.resamplefd = (u32)r;
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), -EINVAL);
	f.flags = 0;
	assert_int_equal(call(t.vm, KVM_IRQFD, &f), 0);
	t_close(&t);
	close(a);
	close(r);
}

/* Threads signal irqfds while the main thread assigns and deassigns. */
struct sig_arg {
	int fd, n;
	atomic_int *seen;
};

static void *signaller(void *p)
{
	struct sig_arg *s = p;
	u64 one = 1;
	int i;

	for (i = 0; i < s->n; i++) {
		int before = atomic_load(s->seen);

		if (write(s->fd, &one, 8) != 8)
			return NULL;	/* the join's check fails */
		while (atomic_load(s->seen) == before)
			usleep(50);
	}
	return NULL;
}

static void irqfd_threads(void **state)
{
	struct sig_arg s[4];
	pthread_t th[4];
	struct t t;
	int i, k;

	(void)state;
	t_open(&t, true);
	for (i = 0; i < 4; i++) {
		struct kvm_irqfd f = { .gsi = (u32)i };

		s[i].fd = eventfd(0, 0);
		s[i].n = 50;
		s[i].seen = &rec.up[i];
		f.fd = (u32)s[i].fd;
		assert_int_equal(call(t.vm, KVM_IRQFD, &f), 0);
		assert_int_equal(pthread_create(&th[i], NULL, signaller, &s[i]),
				 0);
	}
	/* churn another irqfd meanwhile */
	for (k = 0; k < 50; k++) {
		struct kvm_irqfd f = { .gsi = 7 };
		int e = eventfd(0, 0);

		f.fd = (u32)e;
		assert_int_equal(call(t.vm, KVM_IRQFD, &f), 0);
		f.flags = KVM_IRQFD_FLAG_DEASSIGN;
		assert_int_equal(call(t.vm, KVM_IRQFD, &f), 0);
		close(e);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_true(atomic_load(&rec.up[i]) >= 50);
	}
	t_close(&t);
	for (i = 0; i < 4; i++)
		close(s[i].fd);
}

/* ---- ioeventfd ---- */

static int ioev(int vm, u64 addr, u32 len, int fd, u32 flags, u64 dm)
{
	struct kvm_ioeventfd a = { .datamatch = dm, .addr = addr, .len = len,
				   .fd = fd, .flags = flags };

	return call(vm, KVM_IOEVENTFD, &a);
}

static void ioeventfd_errors(void **state)
{
	const u32 PIO = KVM_IOEVENTFD_FLAG_PIO, DM = KVM_IOEVENTFD_FLAG_DATAMATCH;
	const u32 DE = KVM_IOEVENTFD_FLAG_DEASSIGN;
	int a = eventfd(0, 0), b = eventfd(0, 0), pfd[2];
	struct t t;

	(void)state;
	assert_int_equal(pipe(pfd), 0);
	t_open(&t, false);	/* needs no irqchip */
	assert_int_equal(ioev(t.vm, 0x10, 3, a, PIO, 0), -EINVAL);
	assert_int_equal(ioev(t.vm, ~0ULL - 1, 4, a, 0, 0), -EINVAL);
	assert_int_equal(ioev(t.vm, 0x10, 4, a, 0x20, 0), -EINVAL);
	assert_int_equal(ioev(t.vm, 0x10, 0, a, PIO | DM, 0), -EINVAL);
	assert_int_equal(ioev(t.vm, 0x10, 4, 9999, PIO, 0), -EBADF);
	assert_int_equal(ioev(t.vm, 0x10, 4, pfd[0], PIO, 0), -EINVAL);
	assert_int_equal(call(t.vm, KVM_IOEVENTFD, (void *)8), -EFAULT);
	assert_int_equal(ioev(t.vm, 0x10, 4, a, PIO | DM, 1), 0);
	assert_int_equal(ioev(t.vm, 0x10, 4, b, PIO | DM, 2), 0);
	/* duplicates: same datamatch, a wildcard, a zero length */
	assert_int_equal(ioev(t.vm, 0x10, 4, b, PIO | DM, 1), -EEXIST);
	assert_int_equal(ioev(t.vm, 0x10, 4, b, PIO, 0), -EEXIST);
	assert_int_equal(ioev(t.vm, 0x10, 0, b, PIO, 0), -EEXIST);
	/* other length, other bus: fine */
	assert_int_equal(ioev(t.vm, 0x10, 2, b, PIO, 0), 0);
	assert_int_equal(ioev(t.vm, 0x10, 4, b, 0, 0), 0);
	assert_int_equal(ioev(t.vm, 0x10, 8, b, DM, 7), 0);
	/* CCW_NOTIFY is its own bus; FAST_MMIO (bit 4) is a valid flag */
	assert_int_equal(ioev(t.vm, 0x10, 4, b, 8, 0), 0);
	assert_int_equal(ioev(t.vm, 0x20, 4, b, 0x10, 0), 0);
	/* deassign: must match bus, addr, len, datamatch and file */
	assert_int_equal(ioev(t.vm, 0x10, 4, a, PIO | DM | DE, 2), -ENOENT);
	assert_int_equal(ioev(t.vm, 0x10, 4, a, PIO | DE, 1), -ENOENT);
	assert_int_equal(ioev(t.vm, 0x10, 4, 9999, PIO | DM | DE, 1), -EBADF);
	assert_int_equal(ioev(t.vm, 0x10, 4, a, PIO | DM | DE, 1), 0);
	assert_int_equal(ioev(t.vm, 0x10, 4, a, PIO | DM | DE, 1), -ENOENT);
	assert_int_equal(ioev(t.vm, 0x10, 4, a, PIO, 0), -EEXIST);
	assert_int_equal(ioev(t.vm, 0x10, 4, b, PIO | DM | DE, 2), 0);
	assert_int_equal(ioev(t.vm, 0x10, 4, a, PIO, 0), 0);
	t_close(&t);	/* teardown with ioeventfds registered */
	close(a);
	close(b);
	close(pfd[0]);
	close(pfd[1]);
}

/*
 * A guest on its own thread: 100 x OUT 0x600 (datamatch 0x5a), then one
 * OUT 0x600 of 0x33 (no match: exits), then 100 x 2-byte MMIO writes to
 * 0x100000 (length-0 ioeventfd), HLT.
 */
static const u8 guest_code[] = {
	0xb9, 0x64, 0x00, 0x00, 0x00,		/* mov ecx, 100 */
	0x66, 0xba, 0x00, 0x06,			/* mov dx, 0x600 */
	0xb0, 0x5a,				/* l: mov al, 0x5a */
	0xee,					/* out dx, al */
	0xe2, 0xfb,				/* loop l */
	0xb0, 0x33,				/* mov al, 0x33 */
	0xee,					/* out dx, al */
	0xb9, 0x64, 0x00, 0x00, 0x00,		/* mov ecx, 100 */
	0x66, 0xc7, 0x04, 0x25, 0x00, 0x00, 0x10, 0x00,
	0x34, 0x12,				/* m: mov word [0x100000], 0x1234 */
	0xe2, 0xf4,				/* loop m */
	0xf4,					/* hlt */
};

static void *vcpu_thread(void *p)
{
	struct tguest *g = p;
	long exits = 0;

	for (;;) {
		if (tg_ioctl(g, g->vcpu, KVM_RUN, NULL))
			return (void *)-1L;
		if (g->run->exit_reason == KVM_EXIT_HLT)
			return (void *)exits;
		exits++;
	}
}

static void ioeventfd_guest(void **state)
{
	struct kvm_userspace_memory_region r = { 0 };
	int pio = eventfd(0, EFD_NONBLOCK), mmio = eventfd(0, EFD_NONBLOCK);
	u64 got_pio = 0, got_mmio = 0;
	struct tguest g;
	pthread_t th;
	void *exits;

	(void)state;
	assert_int_equal(tg_create(&g, &tg_kvmu), 0);
	assert_int_equal(tg_long_mode(&g, TG_CODE, TG_STACK_TOP), 0);
	assert_int_equal(tg_ioctl(&g, g.vm, KVM_SET_USER_MEMORY_REGION, &r), 0);
	r.memory_size = 0x100000;
	r.userspace_addr = (u64)(uintptr_t)g.mem;
	assert_int_equal(tg_ioctl(&g, g.vm, KVM_SET_USER_MEMORY_REGION, &r), 0);
	tg_put(&g, TG_CODE, guest_code, sizeof(guest_code));
	assert_int_equal(ioev(g.vm, 0x600, 1, pio, KVM_IOEVENTFD_FLAG_PIO |
			      KVM_IOEVENTFD_FLAG_DATAMATCH, 0x5a), 0);
	assert_int_equal(ioev(g.vm, 0x100000, 0, mmio, 0, 0), 0);
	assert_int_equal(pthread_create(&th, NULL, vcpu_thread, &g), 0);
	/* read while the guest runs: the counts add up to the writes */
	while (got_pio < 100 || got_mmio < 100) {
		struct pollfd p[2] = { { .fd = pio, .events = POLLIN },
				       { .fd = mmio, .events = POLLIN } };

		assert_true(poll(p, 2, 10000) > 0);
		got_pio += read_efd(pio, 0);
		got_mmio += read_efd(mmio, 0);
	}
	pthread_join(th, &exits);
	assert_int_equal((long)exits, 1);	/* only the OUT of 0x33 */
	assert_int_equal(got_pio, 100);
	assert_int_equal(got_mmio, 100);
	assert_int_equal(read_efd(pio, 0) + read_efd(mmio, 0), 0);
	tg_destroy(&g);
	close(pio);
	close(mmio);
}

/*
 * The ioeventfd comes and goes while a guest on another thread writes
 * its port 20000 times: each write is counted exactly once, either by the
 * eventfd or as a user exit (the bus's unregister waits for accesses in
 * flight, so none is lost or counted twice).
 */
static const u8 churn_code[] = {
	0xb9, 0x20, 0x4e, 0x00, 0x00,		/* mov ecx, 20000 */
	0x66, 0xba, 0x00, 0x07,			/* mov dx, 0x700 */
	0xb0, 0x01,				/* l: mov al, 1 */
	0xee,					/* out dx, al */
	0xe2, 0xfb,				/* loop l */
	0xf4,					/* hlt */
};

static atomic_bool churn_done;

static void *churn_vcpu(void *p)
{
	struct tguest *g = p;
	long exits = 0;

	for (;;) {
		if (tg_ioctl(g, g->vcpu, KVM_RUN, NULL))
			break;
		if (g->run->exit_reason == KVM_EXIT_HLT)
			break;
		if (g->run->exit_reason == KVM_EXIT_IO &&
		    g->run->io.port == 0x700)
			exits++;
	}
	atomic_store(&churn_done, true);
	return (void *)exits;
}

static void ioeventfd_churn(void **state)
{
	int efd = eventfd(0, EFD_NONBLOCK), k = 0;
	struct tguest g;
	u64 got = 0;
	void *exits;
	pthread_t th;

	(void)state;
	assert_int_equal(tg_create(&g, &tg_kvmu), 0);
	assert_int_equal(tg_long_mode(&g, TG_CODE, TG_STACK_TOP), 0);
	tg_put(&g, TG_CODE, churn_code, sizeof(churn_code));
	atomic_store(&churn_done, false);
	assert_int_equal(pthread_create(&th, NULL, churn_vcpu, &g), 0);
	while (!atomic_load(&churn_done)) {
		const u32 P = KVM_IOEVENTFD_FLAG_PIO;

		const u32 DM = KVM_IOEVENTFD_FLAG_DATAMATCH;
		const u32 DE = KVM_IOEVENTFD_FLAG_DEASSIGN;

		assert_int_equal(ioev(g.vm, 0x700, 1, efd, P, 0), 0);
		assert_int_equal(ioev(g.vm, 0x700, 1, efd, P | DM, 1), -EEXIST);
		assert_int_equal(ioev(g.vm, 0x708 + (u64)(k % 4), 4, efd, P, 0),
				 0);
		assert_int_equal(ioev(g.vm, 0x708 + (u64)(k % 4), 4, efd,
				      P | DE, 0), 0);
		assert_int_equal(ioev(g.vm, 0x700, 1, efd, P | DE, 0), 0);
		got += read_efd(efd, 0);
		k++;
	}
	pthread_join(th, &exits);
	got += read_efd(efd, 0);
	assert_true((long)exits >= 0);
	assert_int_equal(got + (u64)(long)exits, 20000);
	tg_destroy(&g);
	close(efd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_irqchip),
		cmocka_unit_test(s390_has_none),
		cmocka_unit_test(irq_line),
		cmocka_unit_test(gsi_routing),
		cmocka_unit_test(signal_msi),
		cmocka_unit_test(irqfd_errors),
		cmocka_unit_test(irqfd_inject),
		cmocka_unit_test(irqfd_resample),
		cmocka_unit_test(irqfd_split),
		cmocka_unit_test(irqfd_threads),
		cmocka_unit_test(ioeventfd_errors),
		cmocka_unit_test(ioeventfd_guest),
		cmocka_unit_test(ioeventfd_churn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
