// SPDX-License-Identifier: MIT
/*
 * `kvmu run --arch arm64`: boot a little-endian ELF64 AArch64 image and be
 * its VMM, through the public API and the arm64 KVM ABI only.
 *
 * The vCPUs are initialised as KVM_ARM_PREFERRED_TARGET says, with PSCI
 * 0.2; vCPU 0 starts at the image's entry at EL1h, MMU off, DAIF masked,
 * the others (--smp) are powered off until PSCI CPU_ON.  RAM is one slot
 * at guest-physical 0.  Devices (docs/arm64.md):
 *   - an in-kernel GICv3 (KVM_DEV_TYPE_ARM_VGIC_V3): distributor at
 *     0x1000010000, redistributors from 0x1000100000 (128 KiB each, vCPU
 *     order); the timers' PPIs are 27 (virtual) and 30 (physical);
 *   - a PL011 UART at 0x1000000000 (above the largest RAM): UARTDR writes
 *     go to stdout, UARTFR reads "transmit FIFO empty, receive empty";
 *   - SMCCC function 0xC3000001 (an OEM service call, forwarded to user
 *     space by the SMCCC filter) ends the run with status (x1 << 1) | 1;
 *   - PSCI SYSTEM_OFF ends the run with status 0 (in-kernel PSCI);
 *   - VBAR_EL1 starts at a kvmu vector table at 0: each of its 16 entries
 *     makes the forwarded call 0xC3000100 + its index, so an exception the
 *     guest has no handler for ends the run with a report (status 4).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <kvmu/kvmu.h>
#include <kvmu/abi/arm64.h>

#include "run.h"

#define UART_BASE	0x1000000000ULL
#define UART_SIZE	0x1000ULL
#define UARTDR		0x000
#define UARTFR		0x018
#define UARTFR_TXFE	0x80
#define UARTFR_RXFE	0x10
#define FN_BASE		0xc3000000U	/* the forwarded range */
#define FN_EXIT		0xc3000001U
#define FN_VECTOR	0xc3000100U
#define NR_FNS		0x200
#define GICD_BASE	0x1000010000ULL
#define GICR_BASE	0x1000100000ULL

static const char *const vec_names[16] = {
	"current EL, SP_EL0: synchronous", "current EL, SP_EL0: IRQ",
	"current EL, SP_EL0: FIQ", "current EL, SP_EL0: SError",
	"current EL, SP_ELx: synchronous", "current EL, SP_ELx: IRQ",
	"current EL, SP_ELx: FIQ", "current EL, SP_ELx: SError",
	"lower EL: synchronous", "lower EL: IRQ", "lower EL: FIQ",
	"lower EL: SError", "lower EL (AArch32): synchronous",
	"lower EL (AArch32): IRQ", "lower EL (AArch32): FIQ",
	"lower EL (AArch32): SError",
};

static uint64_t core_id(size_t off)
{
	return KVMU_REG_ARM64 | KVM_REG_SIZE_U64 | KVMU_REG_ARM_CORE |
	       off / 4;
}

static int set_reg(int fd, uint64_t id, uint64_t v)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&v };

	return kvmu_ioctl(fd, KVM_SET_ONE_REG, &r);
}

static uint64_t get_reg(int fd, uint64_t id)
{
	uint64_t v = 0;
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&v };

	kvmu_ioctl(fd, KVM_GET_ONE_REG, &r);
	return v;
}

#define CORE(f) core_id(offsetof(struct kvmu_arm64_regs, f))

/* The kvmu vector table at 0: mov x0, #fn; movk x0, #0xc300, lsl 16; hvc */
static void write_vectors(struct guest_ram *ram)
{
	unsigned int i;
	uint32_t w[3];

	for (i = 0; i < 16; i++) {
		w[0] = 0xd2800000 | (0x100 + i) << 5;
		w[1] = 0xf2b86000;
		w[2] = 0xd4000002;
		memcpy(ram->mem + i * 0x80, w, sizeof(w));
	}
}

static int forward_range(struct run_vm *vm)
{
	struct kvmu_smccc_filter f = { FN_BASE, NR_FNS,
				       KVMU_SMCCC_FILTER_FWD_TO_USER, { 0 } };
	struct kvm_device_attr a = { .group = KVMU_ARM_VM_SMCCC_CTRL,
		.attr = KVMU_ARM_VM_SMCCC_FILTER, .addr = (uintptr_t)&f };

	if (kvmu_ioctl(vm->vm_fd, KVM_SET_DEVICE_ATTR, &a) < 0)
		return run_sys_error("KVM_SET_DEVICE_ATTR (SMCCC filter)");
	return 0;
}

static int gic_attr(int fd, uint32_t group, uint64_t attr, uint64_t *val)
{
	struct kvm_device_attr a = { .group = group, .attr = attr,
				     .addr = (uintptr_t)val };

	return kvmu_ioctl(fd, KVM_SET_DEVICE_ATTR, &a);
}

/* Before the vCPUs: the GICv3 and where it lives (as QEMU's virt). */
static int arm64_vm_setup(struct run_vm *vm, const struct run_options *o)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = GICD_BASE, redist = GICR_BASE;

	(void)o;
	if (kvmu_ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &cd) < 0)
		return run_sys_error("KVM_CREATE_DEVICE (GICv3)");
	vm->dev = (void *)(uintptr_t)(cd.fd + 1);
	if (gic_attr((int)cd.fd, KVMU_DEV_ARM_VGIC_GRP_ADDR,
		     KVMU_VGIC_V3_ADDR_TYPE_DIST, &dist) < 0 ||
	    gic_attr((int)cd.fd, KVMU_DEV_ARM_VGIC_GRP_ADDR,
		     KVMU_VGIC_V3_ADDR_TYPE_REDIST, &redist) < 0)
		return run_sys_error("KVM_SET_DEVICE_ATTR (GIC addresses)");
	return 0;
}

static int gic_fd(struct run_vm *vm)
{
	return (int)(uintptr_t)vm->dev - 1;
}

static int arm64_boot(struct run_vm *vm, const struct run_options *o)
{
	struct kvmu_arm64_vcpu_init init, off;
	struct boot b;
	int i;

	if (load_image_arm64(o->image, &vm->ram, &b) < 0)
		return -1;
	if (kvmu_ioctl(vm->vm_fd, KVMU_ARM_PREFERRED_TARGET, &init) < 0)
		return run_sys_error("KVM_ARM_PREFERRED_TARGET");
	init.features[0] |= 1u << KVMU_ARM_VCPU_PSCI_0_2;
	off = init;
	off.features[0] |= 1u << KVMU_ARM_VCPU_POWER_OFF;
	for (i = 0; i < vm->nr_vcpus; i++)
		if (kvmu_ioctl(vm->vcpus[i].fd, KVMU_ARM_VCPU_INIT,
			       i ? &off : &init) < 0)
			return run_sys_error("KVM_ARM_VCPU_INIT");
	/* every vCPU exists: the GIC can be initialised */
	if (gic_attr(gic_fd(vm), KVMU_DEV_ARM_VGIC_GRP_CTRL,
		     KVMU_DEV_ARM_VGIC_CTRL_INIT, NULL) < 0)
		return run_sys_error("KVM_SET_DEVICE_ATTR (GIC CTRL_INIT)");
	write_vectors(&vm->ram);
	if (forward_range(vm) < 0 ||
	    set_reg(vm->vcpu_fd, CORE(regs.pc), b.entry) < 0 ||
	    set_reg(vm->vcpu_fd, KVMU_REG_ARM64_SYSREG_ID(3, 0, 12, 0, 0),
		    0) < 0)
		return run_sys_error("KVM_SET_ONE_REG");
	return 0;
}

static void uart(struct run_vm *vm, struct kvm_run *r)
{
	uint64_t off = r->mmio.phys_addr - UART_BASE;

	if (r->mmio.is_write) {
		if (off == UARTDR)
			putchar(r->mmio.data[0]);
		return;
	}
	memset(r->mmio.data, 0, sizeof(r->mmio.data));
	if (off == UARTFR)
		r->mmio.data[0] = UARTFR_TXFE | UARTFR_RXFE;
	(void)vm;
}

static void mmio(struct run_vm *vm, int fd, struct kvm_run *r)
{
	if (r->mmio.phys_addr >= UART_BASE &&
	    r->mmio.phys_addr < UART_BASE + UART_SIZE) {
		uart(vm, r);
		return;
	}
	run_guest_failed(vm, "%s of %u bytes at %#llx: no device there "
			 "(PC %#" PRIx64 ")", r->mmio.is_write ? "write" :
			 "read", r->mmio.len,
			 (unsigned long long)r->mmio.phys_addr,
			 get_reg(fd, CORE(regs.pc)));
}

static void crash_report(struct run_vm *vm, int fd, unsigned int v)
{
	uint64_t esr = get_reg(fd, KVMU_REG_ARM64_SYSREG_ID(3, 0, 5, 2, 0));
	uint64_t far = get_reg(fd, KVMU_REG_ARM64_SYSREG_ID(3, 0, 6, 0, 0));

	run_guest_failed(vm, "unhandled exception (%s): ESR %#" PRIx64
			 " (EC %#" PRIx64 "), ELR %#" PRIx64 ", FAR %#" PRIx64,
			 vec_names[v], esr, esr >> 26,
			 get_reg(fd, CORE(elr_el1)), far);
}

static void hypercall(struct run_vm *vm, int fd, struct kvm_run *r)
{
	uint64_t nr = r->hypercall.nr;

	if (nr == FN_EXIT) {
		run_end(vm, (int)(((get_reg(fd, CORE(regs.regs[1])) << 1) |
				   1) & 0xff));
	} else if (nr >= FN_VECTOR && nr < FN_VECTOR + 16) {
		crash_report(vm, fd, (unsigned int)(nr - FN_VECTOR));
	} else {
		/* an unassigned function of the range: SMCCC "unknown" */
		set_reg(fd, CORE(regs.regs[0]), ~0ULL);
	}
}

/* The exit of vCPU c (on c's thread). */
static void arm64_handle_exit(struct run_vm *vm, struct run_vcpu *c)
{
	struct kvm_run *r = c->run;

	switch (r->exit_reason) {
	case KVM_EXIT_MMIO:
		pthread_mutex_lock(&vm->lock);	/* one console */
		mmio(vm, c->fd, r);
		pthread_mutex_unlock(&vm->lock);
		break;
	case KVM_EXIT_HYPERCALL:
		hypercall(vm, c->fd, r);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		if (r->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN) {
			run_end(vm, 0);
		} else {
			run_guest_failed(vm, "system event %u (reset)",
					 r->system_event.type);
		}
		break;
	default:
		run_guest_failed(vm, "unexpected exit %u (%s)", r->exit_reason,
				 kvmu_exit_name(r->exit_reason) ?
				 kvmu_exit_name(r->exit_reason) : "?");
	}
}

static void arm64_cleanup(struct run_vm *vm)
{
	if (vm->dev)
		close(gic_fd(vm));
	vm->dev = NULL;
}

const struct run_arch run_arm64 = {
	.arch = KVMU_ARCH_ARM64,
	.ram_align = 4096,
	.vm_setup = arm64_vm_setup,
	.boot = arm64_boot,
	.handle_exit = arm64_handle_exit,
	.cleanup = arm64_cleanup,
};
