// SPDX-License-Identifier: MIT
/*
 * The fuzzer's operations on the x86 in-kernel irqchip: creating it (full
 * or split), the PIT, the boot CPU id, and GET/mutate/SET of the PIC,
 * IOAPIC, PIT and LAPIC state structs.
 */
#define _GNU_SOURCE
#include "fz.h"

static const u64 chip_ids[] = { 0, 1, 2, 3, 0xffffffff };
static const u64 pit_flags[] = { 0, KVM_PIT_SPEAKER_DUMMY, 2, ~0ULL };
static const u64 boot_ids[] = { 0, 1, 4095, 4096, 4097, ~0ULL };

/* GET into a tail buffer, mutate, SET back (the struct is size bytes). */
static void getset(struct fdp *f, int fd, unsigned long get,
		   unsigned long set, size_t size, u32 chip)
{
	u8 *buf = arena_tail(size);

	if (chip != ~0u)
		memcpy(buf, &chip, 4);		/* chip_id leads kvm_irqchip */
	if (xioctl(fd, get, (unsigned long)buf) || pick(f, 2))
		fill(f, buf, size);
	else
		mutate(f, buf, size);
	if (chip != ~0u && pick(f, 2))
		memcpy(buf, &chip, 4);
	xioctl(fd, set, (unsigned long)buf);
}

void op_irqchip(struct fz *z, struct fdp *f)
{
	int vm = pick_fd(f, z->vm, MAX_VMS);
	struct kvm_pit_config *pc;
	struct kvm_enable_cap *cap;
	struct fz_vcpu *c;

	if (vm < 0)
		return;
	switch (pick(f, 8)) {
	case 0:
		xioctl(vm, KVM_CREATE_IRQCHIP, 0);
		break;
	case 1:
		cap = (void *)arena_tail(sizeof(*cap));
		memset(cap, 0, sizeof(*cap));
		cap->cap = KVM_CAP_SPLIT_IRQCHIP;
		cap->args[0] = take(f, 1);
		xioctl(vm, KVM_ENABLE_CAP, (unsigned long)cap);
		break;
	case 2:
		pc = (void *)arena_tail(sizeof(*pc));
		memset(pc, 0, sizeof(*pc));
		pc->flags = (u32)CHOOSE(f, pit_flags);
		xioctl(vm, pick(f, 2) ? KVM_CREATE_PIT2 : KVM_CREATE_PIT,
		       pick(f, 2) ? (unsigned long)pc : 0);
		break;
	case 3:
		xioctl(vm, KVM_SET_BOOT_CPU_ID, CHOOSE(f, boot_ids));
		break;
	case 4:
		getset(f, vm, KVM_GET_IRQCHIP, KVM_SET_IRQCHIP,
		       sizeof(struct kvm_irqchip), (u32)CHOOSE(f, chip_ids));
		break;
	case 5:
		getset(f, vm, KVM_GET_PIT2, KVM_SET_PIT2,
		       sizeof(struct kvm_pit_state2), ~0u);
		break;
	case 6:
		getset(f, vm, KVM_GET_PIT, KVM_SET_PIT,
		       sizeof(struct kvm_pit_state), ~0u);
		break;
	default:
		c = pick_vcpu(z, f);
		if (c)
			getset(f, c->fd, KVM_GET_LAPIC, KVM_SET_LAPIC,
			       sizeof(struct kvm_lapic_state), ~0u);
		break;
	}
}
