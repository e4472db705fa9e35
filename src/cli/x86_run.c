// SPDX-License-Identifier: MIT
/*
 * `kvmu run` for x86-64 guests: the boot state (x86_boot.c does the
 * firmware tables, x86_linux.c the Linux boot protocol) and the devices.
 * The debug console at port 0xE9 and a transmit-only 16550 at 0x3F8
 * (uart.c, IRQ 4 when the in-kernel irqchip exists) print to stdout; the
 * CMOS clock reads the host's; a write to port 0xF4 (QEMU's
 * isa-debug-exit) ends the run with status (value << 1) | 1; a reset
 * (0xFE to port 0x64, or port 0xCF9) and a HLT that exits end it with
 * status 0.  Exits of several vCPUs meet the devices under vm->lock.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kvmu/kvmu.h>

#include "run.h"
#include "uart.h"

#define PORT_DEBUGCON	0xE9
#define PORT_EXIT	0xF4
#define PORT_COM1	0x3F8
#define PORT_CMOS	0x70
#define PORT_KBD_CMD	0x64
#define PORT_RESET	0xCF9
#define IRQ_COM1	4
#define EFER_LMA_BIT	(1ULL << 10)

struct x86_dev {
	struct uart com1;
	struct cmos cmos;
	uint16_t pm1_en;	/* ACPI PM1 enable: kept, never acted on */
	bool irqchip;		/* the in-kernel PIC, IOAPIC, LAPICs and PIT */
};

static struct x86_dev *x86_dev(struct run_vm *vm)
{
	return vm->dev;
}

static uint32_t get_le(const uint8_t *p, unsigned int size)
{
	uint32_t v = 0;

	while (size--)
		v = v << 8 | p[size];
	return v;
}

/*
 * The ACPI PM registers the FADT names: no event is ever pending, the
 * system is in ACPI mode (SCI_EN), and the PM timer counts at 3.579545
 * MHz from the host's monotonic clock (a reference Linux calibrates the
 * TSC against).  The enable register keeps what is written (no event is
 * ever raised); other writes are ignored.
 */
static void acpi_pm_read(struct x86_dev *d, unsigned int off, uint8_t *data,
			 unsigned int size)
{
	struct timespec ts;
	uint64_t v = 0;

	if (off == 2 || off == 3)
		v = d->pm1_en >> (off - 2) * 8;
	if (off == 4)
		v = 1;					/* SCI_EN */
	if (off >= 8) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		v = ((uint64_t)ts.tv_sec * 3579545ULL +
		     (uint64_t)ts.tv_nsec * 3579545ULL / 1000000000ULL) &
		    0xFFFFFF;
		v >>= (off - 8) * 8;
	}
	memcpy(data, &v, size > 8 ? 8 : size);
}

/* A reset through the keyboard controller or the PCI reset register. */
static bool reset_write(uint16_t port, uint8_t v)
{
	return (port == PORT_KBD_CMD && v == 0xFE) ||
	       (port == PORT_RESET && (v & 0x04));
}

/* One element of a (possibly string) port access, under vm->lock. */
static void pio_one(struct run_vm *vm, uint16_t port, bool out, uint8_t *data,
		    unsigned int size)
{
	struct x86_dev *d = x86_dev(vm);

	if (out && port == PORT_EXIT) {
		run_end(vm, (int)((get_le(data, size) << 1) | 1));
	} else if (out && reset_write(port, data[0])) {
		fflush(stdout);
		fprintf(stderr, "kvmu run: the guest reset the machine; "
			"stopping\n");
		run_end(vm, 0);
	} else if (port >= ACPI_PM_BASE && port < ACPI_PM_BASE + 12) {
		if (!out)
			acpi_pm_read(d, port - ACPI_PM_BASE, data, size);
		else if (port == ACPI_PM_BASE + 2)
			d->pm1_en = (uint16_t)get_le(data, size > 2 ? 2 : size);
	} else if (port == PORT_CMOS || port == PORT_CMOS + 1) {
		if (out)
			cmos_write(&d->cmos, port, data[0]);
		else
			memset(data, cmos_read(&d->cmos, port), size);
	} else if (port == PORT_DEBUGCON) {
		if (out)
			putchar(data[0]);
		else
			memset(data, PORT_DEBUGCON, size);
	} else if (port >= PORT_COM1 && port < PORT_COM1 + 8) {
		if (out)
			uart_write(&d->com1, port - PORT_COM1, data[0]);
		else
			memset(data, uart_read(&d->com1, port - PORT_COM1),
			       size);
	} else if (!out) {
		memset(data, 0xFF, size);	/* nothing there: open bus */
	}
}

static void handle_io(struct run_vm *vm, struct kvm_run *r)
{
	uint8_t *data = (uint8_t *)r + r->io.data_offset;
	uint32_t i;

	pthread_mutex_lock(&vm->lock);
	for (i = 0; i < r->io.count && !vm->done; i++, data += r->io.size)
		pio_one(vm, r->io.port, r->io.direction == KVM_EXIT_IO_OUT,
			data, r->io.size);
	pthread_mutex_unlock(&vm->lock);
}

static void handle_mmio(struct kvm_run *r)
{
	/* No MMIO devices: reads see open bus, writes are dropped. */
	if (!r->mmio.is_write)
		memset(r->mmio.data, 0xFF, sizeof(r->mmio.data));
}

/* ---- ends of the run ---- */

/* Read a guest-physical qword (identity-mapped firmware stacks only). */
static bool read_phys64(struct run_vm *vm, uint64_t a, uint64_t *v)
{
	if (a > vm->ram.size || vm->ram.size - a < 8)
		return false;
	memcpy(v, vm->ram.mem + a, 8);
	return true;
}

/* A HLT inside a firmware stub: an exception the guest did not handle. */
static void report_stub(struct run_vm *vm, int v, struct kvm_regs *regs,
			struct kvm_sregs *sregs)
{
	bool err = v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21;
	uint64_t sp = regs->rsp, code = 0, rip = 0;
	char ec[40];

	if (!(sregs->efer & EFER_LMA_BIT)) {
		run_guest_failed(vm, "unhandled real-mode interrupt %d%s%s%s", v,
				 *x86_vector_name(v) ? " (" : "",
				 x86_vector_name(v),
				 *x86_vector_name(v) ? ")" : "");
		return;
	}
	if (err)
		read_phys64(vm, sp, &code), sp += 8;
	if (!read_phys64(vm, sp, &rip))
		rip = ~0ULL;
	snprintf(ec, sizeof(ec), ", error code %#llx",
		 (unsigned long long)code);
	run_guest_failed(vm, "unhandled exception %d (%s)%s at rip %#llx, "
			 "cr2 %#llx", v, x86_vector_name(v), err ? ec : "",
			 (unsigned long long)rip, (unsigned long long)sregs->cr2);
}

static void handle_hlt(struct run_vm *vm, struct run_vcpu *c)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int v;

	if (kvmu_ioctl(c->fd, KVM_GET_REGS, &regs) < 0 ||
	    kvmu_ioctl(c->fd, KVM_GET_SREGS, &sregs) < 0) {
		run_guest_failed(vm, "reading registers: %s", strerror(errno));
		return;
	}
	v = x86_stub_vector(sregs.cs.base + regs.rip - 1);
	if (v >= 0) {
		report_stub(vm, v, &regs, &sregs);
		return;
	}
	/* Nothing could ever wake the guest: there is no interrupt source. */
	if (regs.rflags & (1 << 9)) {
		fflush(stdout);
		fprintf(stderr, "kvmu run: guest halted with interrupts "
			"enabled; no device can wake it, stopping\n");
	}
	run_end(vm, 0);
}

/* KVM_INTERNAL_ERROR_EMULATION: name the instruction kvmu gave up on. */
static void emulation_failure(struct run_vm *vm, struct run_vcpu *c)
{
	struct kvm_run *r = c->run;
	struct kvm_regs regs = { 0 };
	char buf[64];
	int i, len = 0, n = 0;

	if (r->internal.ndata >= 2 && (r->emulation_failure.flags &
	    KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES))
		n = r->emulation_failure.insn_size;
	if (n > (int)sizeof(r->emulation_failure.insn_bytes))
		n = sizeof(r->emulation_failure.insn_bytes);
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		len += snprintf(buf + len, sizeof(buf) - len, " %02x",
				r->emulation_failure.insn_bytes[i]);
	kvmu_ioctl(c->fd, KVM_GET_REGS, &regs);
	run_guest_failed(vm, "emulation failure at rip %#llx%s%s",
			 (unsigned long long)regs.rip, n ? ", instruction" : "",
			 buf);
}

static void handle_internal(struct run_vm *vm, struct run_vcpu *c)
{
	struct kvm_run *r = c->run;
	uint32_t i, n = r->internal.ndata;
	char buf[256];
	int len = 0;

	if (r->internal.suberror == KVM_INTERNAL_ERROR_EMULATION) {
		emulation_failure(vm, c);
		return;
	}
	if (n > sizeof(r->internal.data) / sizeof(r->internal.data[0]))
		n = sizeof(r->internal.data) / sizeof(r->internal.data[0]);
	buf[0] = '\0';
	for (i = 0; i < n && len < (int)sizeof(buf) - 20; i++)
		len += snprintf(buf + len, sizeof(buf) - len, " %#llx",
				(unsigned long long)r->internal.data[i]);
	run_guest_failed(vm, "internal error, suberror %u%s%s",
			 r->internal.suberror, n ? ", data" : "", buf);
}

static void x86_handle_exit(struct run_vm *vm, struct run_vcpu *c)
{
	struct kvm_run *r = c->run;

	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(vm, r);
		break;
	case KVM_EXIT_MMIO:
		handle_mmio(r);
		break;
	case KVM_EXIT_HLT:
		handle_hlt(vm, c);
		break;
	case KVM_EXIT_INTR:
		break;
	case KVM_EXIT_SHUTDOWN:
		run_guest_failed(vm, "guest shut down (triple fault)");
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		handle_internal(vm, c);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		run_guest_failed(vm, "entry failed, reason %#llx",
				 (unsigned long long)
				 r->fail_entry.hardware_entry_failure_reason);
		break;
	default:
		run_guest_failed(vm, "unexpected exit %u (%s)", r->exit_reason,
				 kvmu_exit_name(r->exit_reason) ?
				 kvmu_exit_name(r->exit_reason) : "?");
	}
}

/*
 * QEMU's routing (kvm_pc_setup_irq_routing): ISA IRQs 0-15 to the PICs
 * (not the cascade), GSI 0 to IOAPIC pin 2, which is what the MADT's
 * override tells the guest, and GSIs 1-23 to their own pins.
 */
static int set_routing(int vm_fd)
{
	struct {
		struct kvm_irq_routing r;
		struct kvm_irq_routing_entry e[40];
	} t = { 0 };
	struct kvm_irq_routing_entry *e = t.e;
	uint32_t i;

	for (i = 0; i < 16; i++, e++) {
		if (i == 2) {
			e--;
			continue;
		}
		e->gsi = i;
		e->type = KVM_IRQ_ROUTING_IRQCHIP;
		e->u.irqchip.irqchip = i < 8 ? KVM_IRQCHIP_PIC_MASTER :
					       KVM_IRQCHIP_PIC_SLAVE;
		e->u.irqchip.pin = i & 7;
	}
	for (i = 0; i < 24; i++, e++) {
		if (i == 2) {
			e--;
			continue;
		}
		e->gsi = i;
		e->type = KVM_IRQ_ROUTING_IRQCHIP;
		e->u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		e->u.irqchip.pin = i ? i : 2;
	}
	t.r.nr = (uint32_t)(e - t.e);
	if (kvmu_ioctl(vm_fd, KVM_SET_GSI_ROUTING, &t) < 0)
		return run_sys_error("KVM_SET_GSI_ROUTING");
	return 0;
}

/*
 * A Linux guest or more than one vCPU needs the in-kernel interrupt
 * controllers and PIT, created before the vCPUs as QEMU does.
 */
static int x86_vm_setup(struct run_vm *vm, const struct run_options *o)
{
	struct kvm_pit_config pit = { .flags = 0 };
	struct x86_dev *d;
	bool is_linux = x86_linux_image(o->image);

	d = calloc(1, sizeof(*d));
	if (!d)
		return run_sys_error("allocating devices");
	vm->dev = d;
	uart_init(&d->com1, -1, IRQ_COM1);
	if (o->smp == 1 && !is_linux)
		return 0;
	if (kvmu_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) <= 0 ||
	    kvmu_ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_PIT2) <= 0) {
		fprintf(stderr, "kvmu run: %s needs the in-kernel irqchip and "
			"PIT, which this kvmu does not offer\n",
			is_linux ? "a Linux guest" : "--smp");
		return -1;
	}
	if (kvmu_ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return run_sys_error("KVM_CREATE_IRQCHIP");
	if (set_routing(vm->vm_fd) < 0)
		return -1;
	if (kvmu_ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return run_sys_error("KVM_CREATE_PIT2");
	d->irqchip = true;
	uart_init(&d->com1, vm->vm_fd, IRQ_COM1);
	return 0;
}

static int x86_run_boot(struct run_vm *vm, const struct run_options *o)
{
	struct boot b;
	int i;

	/* What Intel KVM needs for real mode; harmless elsewhere. */
	kvmu_ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, 0xFFFBD000UL);
	if (x86_linux_image(o->image))
		return x86_linux_boot(vm, o);
	if (load_image(o->image, o->mode, &vm->ram, &b) < 0)
		return -1;
	/* --smp: the others wait for INIT/SIPI with the CPUID they need */
	for (i = 1; i < vm->nr_vcpus; i++)
		if (x86_setup_cpuid(vm->sys_fd, vm->vcpus[i].fd,
				    (unsigned int)i) < 0)
			return -1;
	return x86_boot(vm->sys_fd, vm->vcpu_fd, &vm->ram, &b);
}

static void x86_cleanup(struct run_vm *vm)
{
	free(vm->dev);
	vm->dev = NULL;
}

const struct run_arch run_x86 = {
	.arch = KVMU_ARCH_X86_64,
	.ram_align = 4096,
	.vm_setup = x86_vm_setup,
	.boot = x86_run_boot,
	.handle_exit = x86_handle_exit,
	.cleanup = x86_cleanup,
};
