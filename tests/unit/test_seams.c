// SPDX-License-Identifier: MIT
/*
 * The seams the in-kernel devices plug into: the I/O bus (lookup,
 * overlapping devices, the device limit, a guest's PIO and MMIO served
 * without a user exit), the interrupt routing core (delivery through
 * routes, kvm_set_irq's return convention, ack notifiers) and a vCPU's
 * sleep and wake (no lost wake, deadline, signal, wake from a thread).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "kvmu_int.h"
#include "x86_guest.h"

/* ---- a test device ---- */

struct tdev {
	struct kvmu_io_dev dev;
	u64 match;		/* only this address, 0: any */
	int reads, writes;
	u64 last_addr, last_val;
	u32 last_len;
	u64 read_val;
	struct kvmu_vcpu *last_vcpu;
};

static int tdev_read(struct kvmu_io_dev *d, struct kvmu_vcpu *vcpu, u64 addr,
		     u32 len, void *val)
{
	struct tdev *t = d->priv;

	if (t->match && addr != t->match)
		return -EOPNOTSUPP;
	t->reads++;
	t->last_addr = addr;
	t->last_len = len;
	t->last_vcpu = vcpu;
	memcpy(val, &t->read_val, len);
	return 0;
}

static int tdev_write(struct kvmu_io_dev *d, struct kvmu_vcpu *vcpu, u64 addr,
		      u32 len, const void *val)
{
	struct tdev *t = d->priv;

	if (t->match && addr != t->match)
		return -EOPNOTSUPP;
	t->writes++;
	t->last_addr = addr;
	t->last_len = len;
	t->last_vcpu = vcpu;
	t->last_val = 0;
	memcpy(&t->last_val, val, len);
	return 0;
}

static const struct kvmu_io_dev_ops tdev_ops = { tdev_read, tdev_write };

static void tdev_init(struct tdev *t)
{
	memset(t, 0, sizeof(*t));
	t->dev.ops = &tdev_ops;
	t->dev.priv = t;
}

/* A VM (and the object behind it) on kvmu. */
struct tvm {
	int sys, fd;
	struct kvmu_vm *vm;
};

static void tvm_open(struct tvm *v)
{
	struct kvmu_obj *obj;

	v->sys = kvmu_open(KVMU_ARCH_X86_64, 0);
	assert_true(v->sys >= 0);
	v->fd = kvmu_ioctl(v->sys, KVM_CREATE_VM, 0);
	assert_true(v->fd >= 0);
	assert_int_equal(kvmu_obj_get(v->fd, &obj), 0);
	v->vm = (struct kvmu_vm *)obj;
}

static void tvm_close(struct tvm *v)
{
	kvmu_obj_put(&v->vm->obj);
	close(v->fd);
	close(v->sys);
}

static void bus_lookup(void **state)
{
	struct tdev a, b, c;
	struct tvm v;
	u64 val = 0;	/* accesses of up to 8 bytes */

	(void)state;
	tvm_open(&v);
	tdev_init(&a);
	tdev_init(&b);
	tdev_init(&c);
	assert_int_equal(kvmu_io_bus_read(v.vm, NULL, KVMU_BUS_PIO, 0x100, 1,
					  &val), -EOPNOTSUPP);
	a.read_val = 0xa5;
	assert_int_equal(kvmu_io_bus_register(v.vm, KVMU_BUS_PIO, 0x100, 8,
					      &a.dev), 0);
	assert_int_equal(kvmu_io_bus_read(v.vm, NULL, KVMU_BUS_PIO, 0x104, 4,
					  &val), 0);
	assert_int_equal(val, 0xa5);
	/* straddling the end, outside, other bus: not a's */
	assert_int_equal(kvmu_io_bus_read(v.vm, NULL, KVMU_BUS_PIO, 0x106, 4,
					  &val), -EOPNOTSUPP);
	assert_int_equal(kvmu_io_bus_read(v.vm, NULL, KVMU_BUS_PIO, 0xff, 1,
					  &val), -EOPNOTSUPP);
	assert_int_equal(kvmu_io_bus_write(v.vm, NULL, KVMU_BUS_MMIO, 0x100, 1,
					   &val), -EOPNOTSUPP);
	/* b overlaps a but declines everything except 0x102: a gets 0x101 */
	b.match = 0x102;
	assert_int_equal(kvmu_io_bus_register(v.vm, KVMU_BUS_PIO, 0x100, 4,
					      &b.dev), 0);
	val = 7;
	assert_int_equal(kvmu_io_bus_write(v.vm, NULL, KVMU_BUS_PIO, 0x102, 1,
					   &val), 0);
	assert_int_equal(b.writes, 1);
	assert_int_equal(a.writes, 0);
	assert_int_equal(kvmu_io_bus_write(v.vm, NULL, KVMU_BUS_PIO, 0x101, 1,
					   &val), 0);
	assert_int_equal(a.writes, 1);
	/* length 0: the address alone, any access length */
	assert_int_equal(kvmu_io_bus_register(v.vm, KVMU_BUS_MMIO, 0x2000, 0,
					      &c.dev), 0);
	assert_int_equal(kvmu_io_bus_write(v.vm, NULL, KVMU_BUS_MMIO, 0x2000, 8,
					   &val), 0);
	assert_int_equal(c.last_len, 8);
	assert_int_equal(kvmu_io_bus_write(v.vm, NULL, KVMU_BUS_MMIO, 0x2001, 1,
					   &val), -EOPNOTSUPP);
	/* unregister: gone at once, twice is -ENOENT */
	assert_int_equal(kvmu_io_bus_unregister(v.vm, KVMU_BUS_PIO, &a.dev), 0);
	assert_int_equal(kvmu_io_bus_write(v.vm, NULL, KVMU_BUS_PIO, 0x101, 1,
					   &val), -EOPNOTSUPP);
	assert_int_equal(kvmu_io_bus_unregister(v.vm, KVMU_BUS_PIO, &a.dev),
			 -ENOENT);
	assert_int_equal(kvmu_io_bus_register(v.vm, KVMU_BUS_NR, 0, 1, &a.dev),
			 -EINVAL);
	tvm_close(&v);
}

static void bus_limit(void **state)
{
	static struct tdev d[KVMU_NR_IOBUS_DEVS + 8];
	struct tvm v;
	int i;

	(void)state;
	tvm_open(&v);
	/* ioeventfds do not count (kvm_io_bus's ioeventfd_count) */
	for (i = 0; i < 5; i++) {
		tdev_init(&d[KVMU_NR_IOBUS_DEVS + i]);
		assert_int_equal(kvmu_io_bus_register_eventfd(v.vm,
				KVMU_BUS_MMIO, 0x100 * (u64)i, 4,
				&d[KVMU_NR_IOBUS_DEVS + i].dev), 0);
	}
	for (i = 0; i < KVMU_NR_IOBUS_DEVS; i++) {
		tdev_init(&d[i]);
		assert_int_equal(kvmu_io_bus_register(v.vm, KVMU_BUS_MMIO,
						      0x1000 * (u64)i + 8, 4,
						      &d[i].dev), 0);
	}
	/* full: devices and ioeventfds alike are refused */
	tdev_init(&d[KVMU_NR_IOBUS_DEVS + 5]);
	assert_int_equal(kvmu_io_bus_register(v.vm, KVMU_BUS_MMIO, 0, 4,
				&d[KVMU_NR_IOBUS_DEVS + 5].dev), -ENOSPC);
	assert_int_equal(kvmu_io_bus_register_eventfd(v.vm, KVMU_BUS_MMIO, 0, 4,
				&d[KVMU_NR_IOBUS_DEVS + 5].dev), -ENOSPC);
	/* every one still found by binary search */
	for (i = 0; i < KVMU_NR_IOBUS_DEVS; i += 97) {
		u32 x = 0;

		assert_int_equal(kvmu_io_bus_write(v.vm, NULL, KVMU_BUS_MMIO,
						   0x1000 * (u64)i + 10, 2, &x),
				 0);
		assert_int_equal(d[i].writes, 1);
	}
	tvm_close(&v);
}

/* A guest's OUT/IN and MMIO write/read go to bus devices, no user exit. */
static void bus_guest(void **state)
{
	static const u8 code[] = {
		0xba, 0x10, 0x05, 0x00, 0x00,		/* mov edx, 0x510 */
		0xb8, 0x44, 0x33, 0x22, 0x11,		/* mov eax, 0x11223344 */
		0xef,					/* out dx, eax */
		0xed,					/* in eax, dx */
		0x89, 0x04, 0x25, 0x00, 0x00, 0x04, 0x00, /* mov [0x40000], eax */
		0xc7, 0x04, 0x25, 0x00, 0x00, 0x10, 0x00,
		0xdd, 0xcc, 0xbb, 0xaa,		/* mov dword [0x100000], imm */
		0x8b, 0x04, 0x25, 0x08, 0x00, 0x10, 0x00, /* mov eax, [0x100008] */
		0x89, 0x04, 0x25, 0x04, 0x00, 0x04, 0x00, /* mov [0x40004], eax */
		0xf4,					/* hlt */
	};
	struct kvm_userspace_memory_region r = { 0 };
	struct kvmu_obj *obj;
	struct tdev pio, mmio;
	struct tguest g;
	u32 out[2];

	(void)state;
	assert_int_equal(tg_create(&g, &tg_kvmu), 0);
	assert_int_equal(tg_long_mode(&g, TG_CODE, TG_STACK_TOP), 0);
	/* RAM below 1 MiB only: 0x100000 stays mapped by the page tables */
	r.memory_size = 0;
	assert_int_equal(tg_ioctl(&g, g.vm, KVM_SET_USER_MEMORY_REGION, &r), 0);
	r.memory_size = 0x100000;
	r.userspace_addr = (u64)(uintptr_t)g.mem;
	assert_int_equal(tg_ioctl(&g, g.vm, KVM_SET_USER_MEMORY_REGION, &r), 0);
	tg_put(&g, TG_CODE, code, sizeof(code));
	assert_int_equal(kvmu_obj_get(g.vm, &obj), 0);
	tdev_init(&pio);
	tdev_init(&mmio);
	pio.read_val = 0x55667788;
	mmio.read_val = 0x99aabbcc;
	assert_int_equal(kvmu_io_bus_register((struct kvmu_vm *)obj,
					      KVMU_BUS_PIO, 0x510, 4,
					      &pio.dev), 0);
	assert_int_equal(kvmu_io_bus_register((struct kvmu_vm *)obj,
					      KVMU_BUS_MMIO, 0x100000, 0x1000,
					      &mmio.dev), 0);
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(g.run->exit_reason, KVM_EXIT_HLT);
	assert_int_equal(pio.writes, 1);
	assert_int_equal(pio.last_val, 0x11223344);
	assert_int_equal(pio.reads, 1);
	assert_non_null(pio.last_vcpu);
	assert_int_equal(mmio.writes, 1);
	assert_int_equal(mmio.last_val, 0xaabbccdd);
	assert_int_equal(mmio.last_addr, 0x100008);	/* the read came last */
	memcpy(out, g.mem + TG_DATA, sizeof(out));
	assert_int_equal(out[0], 0x55667788);
	assert_int_equal(out[1], 0x99aabbcc);
	/* without the devices the same accesses exit */
	assert_int_equal(kvmu_io_bus_unregister((struct kvmu_vm *)obj,
						KVMU_BUS_PIO, &pio.dev), 0);
	{
		struct kvm_regs regs;

		assert_int_equal(tg_get_regs(&g, &regs), 0);
		regs.rip = TG_CODE;
		assert_int_equal(tg_set_regs(&g, &regs), 0);
	}
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_RUN, NULL), 0);
	assert_int_equal(g.run->exit_reason, KVM_EXIT_IO);
	kvmu_obj_put(obj);
	tg_destroy(&g);
}

/* ---- routing ---- */

struct tchip {
	int calls, msis;
	u32 chip[8], pin[8];
	int level[8], source[8];
	struct kvm_msi msi;
	int ret;
};
static struct tchip chip;

static int chip_set_pin(struct kvmu_vm *vm, u32 irqchip, u32 pin, int level,
			int source_id)
{
	(void)vm;
	if (chip.calls < 8) {
		chip.chip[chip.calls] = irqchip;
		chip.pin[chip.calls] = pin;
		chip.level[chip.calls] = level;
		chip.source[chip.calls] = source_id;
	}
	chip.calls++;
	return chip.ret;
}

static int chip_msi(struct kvmu_vm *vm, const struct kvm_msi *msi)
{
	(void)vm;
	chip.msis++;
	chip.msi = *msi;
	return 1;
}

static const struct kvmu_irqchip_ops chip_ops = { chip_set_pin, chip_msi };
static const struct kvmu_irqchip_ops split_ops = { NULL, chip_msi };

static struct kvm_irq_routing_entry pin_route(u32 gsi, u32 irqchip, u32 pin)
{
	struct kvm_irq_routing_entry e = { .gsi = gsi,
					   .type = KVM_IRQ_ROUTING_IRQCHIP };

	e.u.irqchip.irqchip = irqchip;
	e.u.irqchip.pin = pin;
	return e;
}

static struct kvm_irq_routing_entry msi_route(u32 gsi, u32 data)
{
	struct kvm_irq_routing_entry e = { .gsi = gsi,
					   .type = KVM_IRQ_ROUTING_MSI };

	e.u.msi.address_lo = 0xfee00000;
	e.u.msi.data = data;
	return e;
}

static void routing_deliver(void **state)
{
	struct kvm_irq_routing_entry def[3] = {
		pin_route(0, 0, 2), pin_route(0, 2, 2), msi_route(5, 0x41),
	};
	struct tvm v;

	(void)state;
	tvm_open(&v);
	memset(&chip, 0, sizeof(chip));
	assert_false(kvmu_irq_in_kernel(v.vm));
	assert_null(kvmu_irq_priv(v.vm));
	assert_int_equal(kvmu_irq_set(v.vm, 0, 0, 1), -ENXIO);
	assert_int_equal(kvmu_irq_install(v.vm, &chip_ops, &chip, def, 3), 0);
	assert_ptr_equal(kvmu_irq_priv(v.vm), &chip);
	assert_int_equal(kvmu_irq_install(v.vm, &chip_ops, &chip, def, 3),
			 -EEXIST);
	/* both entries of gsi 0, results summed */
	chip.ret = 1;
	assert_int_equal(kvmu_irq_set(v.vm, 0, 0, 1), 2);
	assert_int_equal(chip.calls, 2);
	assert_true((chip.chip[0] == 2 && chip.chip[1] == 0) ||
		    (chip.chip[0] == 0 && chip.chip[1] == 2));
	assert_int_equal(chip.pin[0], 2);
	/* negative results are skipped; all negative: -1 */
	chip.ret = -EINVAL;
	assert_int_equal(kvmu_irq_set(v.vm, 0, 0, 1), -1);
	chip.ret = 0;
	assert_int_equal(kvmu_irq_set(v.vm, 0, 0, 0), 0);
	/* unrouted gsi: -1 */
	assert_int_equal(kvmu_irq_set(v.vm, 0, 1, 1), -1);
	assert_int_equal(kvmu_irq_set(v.vm, 0, 4095, 1), -1);
	/* MSI route: fires on level 1 only */
	assert_int_equal(kvmu_irq_set(v.vm, 0, 5, 0), -1);
	assert_int_equal(chip.msis, 0);
	assert_int_equal(kvmu_irq_set(v.vm, 0, 5, 1), 1);
	assert_int_equal(chip.msi.data, 0x41);
	assert_int_equal(chip.msi.address_lo, 0xfee00000);
	assert_int_equal(kvmu_irq_chip_gsi(v.vm, 2, 2), 0);
	assert_int_equal(kvmu_irq_chip_gsi(v.vm, 2, 3), -1);
	tvm_close(&v);
}

static void routing_validate(void **state)
{
	struct kvm_irq_routing_entry e[2];
	struct tvm v, s;

	(void)state;
	tvm_open(&v);
	/* no irqchip: routing cannot be set */
	e[0] = pin_route(0, 0, 0);
	assert_int_equal(kvmu_irq_set_routing(v.vm, e, 1), -EINVAL);
	assert_int_equal(kvmu_irq_install(v.vm, &chip_ops, NULL, NULL, 0), 0);
	assert_int_equal(kvmu_irq_set_routing(v.vm, e, 1), 0);
	e[0] = pin_route(KVMU_MAX_IRQ_ROUTES - 1, 2, 23);
	assert_int_equal(kvmu_irq_set_routing(v.vm, e, 1), 0);
	e[0] = pin_route(KVMU_MAX_IRQ_ROUTES, 2, 0);
	assert_int_equal(kvmu_irq_set_routing(v.vm, e, 1), -EINVAL);
	e[0] = pin_route(1, 0, 8);	/* PIC pins < 8 */
	assert_int_equal(kvmu_irq_set_routing(v.vm, e, 1), -EINVAL);
	e[0] = pin_route(1, 1, 8);
	assert_int_equal(kvmu_irq_set_routing(v.vm, e, 1), -EINVAL);
	e[0] = pin_route(1, 2, 24);	/* IOAPIC pins < 24 */
	assert_int_equal(kvmu_irq_set_routing(v.vm, e, 1), -EINVAL);
	e[0] = pin_route(1, 3, 0);	/* no fourth irqchip */
	assert_int_equal(kvmu_irq_set_routing(v.vm, e, 1), -EINVAL);
	e[0] = pin_route(1, 0, 1);
	e[0].flags = 1;
	assert_int_equal(kvmu_irq_set_routing(v.vm, e, 1), -EINVAL);
	e[0] = msi_route(1, 0);
	e[0].flags = KVM_MSI_VALID_DEVID;
	assert_int_equal(kvmu_irq_set_routing(v.vm, e, 1), 0);
	e[0].flags = 2;
	assert_int_equal(kvmu_irq_set_routing(v.vm, e, 1), -EINVAL);
	e[0] = msi_route(1, 0);
	e[0].type = 99;
	assert_int_equal(kvmu_irq_set_routing(v.vm, e, 1), -EINVAL);
	/* one pin per irqchip per gsi; MSI alone */
	e[0] = pin_route(3, 2, 3);
	e[1] = pin_route(3, 2, 4);
	assert_int_equal(kvmu_irq_set_routing(v.vm, e, 2), -EINVAL);
	e[1] = msi_route(3, 0);
	assert_int_equal(kvmu_irq_set_routing(v.vm, e, 2), -EINVAL);
	e[0] = msi_route(3, 1);
	assert_int_equal(kvmu_irq_set_routing(v.vm, e, 2), -EINVAL);
	e[0] = pin_route(3, 0, 3);
	e[1] = pin_route(3, 2, 3);
	assert_int_equal(kvmu_irq_set_routing(v.vm, e, 2), 0);
	/* a failed update keeps the old table */
	e[0] = pin_route(3, 2, 99);
	assert_int_equal(kvmu_irq_set_routing(v.vm, e, 1), -EINVAL);
	assert_int_equal(kvmu_irq_chip_gsi(v.vm, 0, 3), 3);
	tvm_close(&v);
	/* split irqchip: MSI routes only */
	tvm_open(&s);
	assert_int_equal(kvmu_irq_install(s.vm, &split_ops, NULL, NULL, 0), 0);
	e[0] = pin_route(0, 2, 0);
	assert_int_equal(kvmu_irq_set_routing(s.vm, e, 1), -EINVAL);
	e[0] = msi_route(0, 0x30);
	assert_int_equal(kvmu_irq_set_routing(s.vm, e, 1), 0);
	tvm_close(&s);
}

static int acked;
static void ack_fn(struct kvmu_irq_ack_notifier *n)
{
	acked += (int)n->gsi + 1;
}

static void routing_ack(void **state)
{
	struct kvm_irq_routing_entry e = pin_route(9, 2, 9);
	struct kvmu_irq_ack_notifier n = { .gsi = 9, .fn = ack_fn };
	struct tvm v;

	(void)state;
	tvm_open(&v);
	assert_int_equal(kvmu_irq_install(v.vm, &chip_ops, NULL, &e, 1), 0);
	acked = 0;
	kvmu_irq_ack(v.vm, 2, 9);
	assert_int_equal(acked, 0);
	kvmu_irq_register_ack(v.vm, &n);
	kvmu_irq_ack(v.vm, 2, 9);
	assert_int_equal(acked, 10);
	kvmu_irq_ack(v.vm, 2, 8);	/* no route: nobody */
	kvmu_irq_ack(v.vm, 0, 9);
	assert_int_equal(acked, 10);
	kvmu_irq_unregister_ack(v.vm, &n);
	kvmu_irq_ack(v.vm, 2, 9);
	assert_int_equal(acked, 10);
	tvm_close(&v);
}

/* ---- sleeping and waking ---- */

struct tvcpu {
	struct tvm v;
	int fd;
	struct kvmu_vcpu *vcpu;
};

static void tvcpu_open(struct tvcpu *t)
{
	struct kvmu_obj *obj;

	tvm_open(&t->v);
	t->fd = kvmu_ioctl(t->v.fd, KVM_CREATE_VCPU, 0);
	assert_true(t->fd >= 0);
	assert_int_equal(kvmu_obj_get(t->fd, &obj), 0);
	t->vcpu = (struct kvmu_vcpu *)obj;
	sigemptyset(&t->vcpu->run_mask);
}

static void tvcpu_close(struct tvcpu *t)
{
	kvmu_obj_put(&t->vcpu->obj);
	close(t->fd);
	tvm_close(&t->v);
}

static void *waker(void *p)
{
	struct kvmu_vcpu *vcpu = p;

	while (!atomic_load(&vcpu->sleeping))
		usleep(1000);
	usleep(20000);
	kvmu_vcpu_wake(vcpu);
	return NULL;
}

static void block_wake(void **state)
{
	struct tvcpu t;
	pthread_t th;
	u64 t0;

	(void)state;
	tvcpu_open(&t);
	assert_false(kvmu_vcpu_take_wake(t.vcpu));
	/* a wake before the sleep is not lost */
	kvmu_vcpu_wake(t.vcpu);
	assert_int_equal(kvmu_vcpu_block(t.vcpu, 0), 0);
	assert_true(kvmu_vcpu_take_wake(t.vcpu));
	assert_false(kvmu_vcpu_take_wake(t.vcpu));
	/* a deadline in the past or near returns */
	assert_int_equal(kvmu_vcpu_block(t.vcpu, 1), 0);
	t0 = kvmu_now_ns();
	assert_int_equal(kvmu_vcpu_block(t.vcpu, t0 + 10000000), 0);
	assert_true(kvmu_now_ns() >= t0 + 10000000);
	assert_false(kvmu_vcpu_take_wake(t.vcpu));
	/* a wake from another thread ends a sleep without deadline */
	assert_int_equal(pthread_create(&th, NULL, waker, t.vcpu), 0);
	assert_int_equal(kvmu_vcpu_block(t.vcpu, 0), 0);
	assert_true(kvmu_vcpu_take_wake(t.vcpu));
	pthread_join(th, NULL);
	assert_false(atomic_load(&t.vcpu->sleeping));
	tvcpu_close(&t);
}

static void block_signal(void **state)
{
	sigset_t m, old;
	struct tvcpu t;
	int sig;

	(void)state;
	tvcpu_open(&t);
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &m, &old);
	/* SIGUSR1 in the run mask: it does not interrupt */
	sigaddset(&t.vcpu->run_mask, SIGUSR1);
	pthread_kill(pthread_self(), SIGUSR1);
	assert_int_equal(kvmu_vcpu_block(t.vcpu, kvmu_now_ns() + 5000000), 0);
	/* let through by the run mask: -EINTR, the signal stays pending */
	sigemptyset(&t.vcpu->run_mask);
	assert_int_equal(kvmu_vcpu_block(t.vcpu, 0), -EINTR);
	assert_int_equal(sigwait(&m, &sig), 0);
	assert_int_equal(sig, SIGUSR1);
	/* immediate_exit */
	t.vcpu->run->immediate_exit = 1;
	assert_int_equal(kvmu_vcpu_block(t.vcpu, 0), -EINTR);
	t.vcpu->run->immediate_exit = 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	tvcpu_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bus_lookup),
		cmocka_unit_test(bus_limit),
		cmocka_unit_test(bus_guest),
		cmocka_unit_test(routing_deliver),
		cmocka_unit_test(routing_validate),
		cmocka_unit_test(routing_ack),
		cmocka_unit_test(block_wake),
		cmocka_unit_test(block_signal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
