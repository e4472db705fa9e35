// SPDX-License-Identifier: MIT
/*
 * The arm64 vCPU through the public API, with guest code assembled at test
 * time by Debian's aarch64-linux-gnu-as (exit 77 without it): PSCI CPU_ON
 * from one vCPU starting a powered-off one at its entry with its context
 * id, AFFINITY_INFO before and after; KVM_IRQ_LINE (CPU IRQ) taken at the
 * VBAR_EL1 IRQ vector once unmasked, and waking a WFI; SError injected by
 * KVM_SET_VCPU_EVENTS; writes to a read-only slot as MMIO exits; a store
 * pair outside RAM (no valid syndrome) as -ENOSYS, then KVM_EXIT_ARM_NISV
 * once KVM_CAP_ARM_NISV_TO_USER is on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "kvmu/kvmu.h"
#include "kvmu/abi/arm64.h"
#include "cross_asm.h"

#define MEM		0x200000UL
#define RO_GPA		0x400000UL
#define MMIO		0x10000000UL

struct avm {
	int sys, vm, vcpu[2];
	struct kvm_run *run[2];
	uint8_t *mem, *ro;
};

static int assemble(uint8_t *dst, size_t room, const char *src)
{
	return cross_asm("aarch64-linux-gnu", "", src, dst, room);
}

#define CORE(f) KVMU_REG_ARM64_CORE(KVM_REG_SIZE_U64, f)

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

static int vcpu_init(int fd, uint32_t features)
{
	struct kvmu_arm64_vcpu_init init = {
		.target = KVMU_ARM_TARGET_GENERIC_V8,
		.features = { features | 1u << KVMU_ARM_VCPU_PSCI_0_2 },
	};

	return kvmu_ioctl(fd, KVMU_ARM_VCPU_INIT, &init);
}

static int setup(void **state)
{
	struct kvm_userspace_memory_region r = { .slot = 0,
						 .memory_size = MEM };
	struct avm *v = calloc(1, sizeof(*v));
	int i, size;

	if (system("aarch64-linux-gnu-as --version >/dev/null 2>&1"))
		exit(77);
	v->sys = kvmu_open(KVMU_ARCH_ARM64, 0);
	v->vm = kvmu_ioctl(v->sys, KVM_CREATE_VM, 0);
	v->mem = mmap(NULL, MEM, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	v->ro = mmap(NULL, 0x1000, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r.userspace_addr = (uintptr_t)v->mem;
	assert_int_equal(kvmu_ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &r), 0);
	r = (struct kvm_userspace_memory_region){ .slot = 1,
		.flags = KVM_MEM_READONLY, .guest_phys_addr = RO_GPA,
		.memory_size = 0x1000, .userspace_addr = (uintptr_t)v->ro };
	assert_int_equal(kvmu_ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &r), 0);
	size = kvmu_ioctl(v->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	for (i = 0; i < 2; i++) {
		v->vcpu[i] = kvmu_ioctl(v->vm, KVM_CREATE_VCPU, i);
		v->run[i] = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, v->vcpu[i], 0);
		assert_true(v->run[i] != MAP_FAILED);
	}
	*state = v;
	return 0;
}

static int teardown(void **state)
{
	struct avm *v = *state;

	close(v->vcpu[0]);
	close(v->vcpu[1]);
	close(v->vm);
	close(v->sys);
	free(v);
	return 0;
}

static int run(struct avm *v, int i)
{
	return kvmu_ioctl(v->vcpu[i], KVM_RUN, 0);
}

static void *run_thread(void *p)
{
	struct avm *v = p;

	return (void *)(intptr_t)run(v, 1);
}

/* vCPU 0 starts vCPU 1 (powered off by VCPU_INIT) with PSCI CPU_ON. */
static void test_cpu_on(void **state)
{
	struct avm *v = *state;
	pthread_t t;
	void *ret;

	assert_int_equal(assemble(v->mem + 0x1000, 0x1000,
		"mov x0, #4; movk x0, #0xc400, lsl #16; mov x1, #1; mov x2, #0;"
		"hvc #0; mov x20, x0\n"			/* AFFINITY_INFO: off */
		"mov x0, #3; movk x0, #0xc400, lsl #16; mov x1, #1;"
		"mov x2, #0x2000; mov x3, #0x1234; hvc #0; mov x21, x0\n"
		"mov x0, #3; movk x0, #0xc400, lsl #16; mov x1, #1;"
		"mov x2, #0x2000; hvc #0; mov x22, x0\n" /* ALREADY_ON */
		"mov x5, #0x3000\n"
		"1: ldr x6, [x5]; cbz x6, 1b\n"
		"mov x1, #0x10000000; str x6, [x1]\n"), 0);
	assert_int_equal(assemble(v->mem + 0x2000, 0x1000,
		"mov x5, #0x3000; str x0, [x5]; mov x1, #0x10000000;"
		"str x0, [x1, #8]\n"), 0);
	assert_int_equal(vcpu_init(v->vcpu[0], 0), 0);
	assert_int_equal(vcpu_init(v->vcpu[1], 1u << KVMU_ARM_VCPU_POWER_OFF),
			 0);
	struct kvm_mp_state mp;

	assert_int_equal(kvmu_ioctl(v->vcpu[1], KVM_GET_MP_STATE, &mp), 0);
	assert_int_equal(mp.mp_state, KVM_MP_STATE_STOPPED);
	set_reg(v->vcpu[0], CORE(regs.pc), 0x1000);
	assert_int_equal(pthread_create(&t, NULL, run_thread, v), 0);
	assert_int_equal(run(v, 0), 0);
	assert_int_equal(v->run[0]->exit_reason, KVM_EXIT_MMIO);
	assert_int_equal(v->run[0]->mmio.phys_addr, MMIO);
	pthread_join(t, &ret);
	assert_int_equal((intptr_t)ret, 0);
	assert_int_equal(v->run[1]->exit_reason, KVM_EXIT_MMIO);
	assert_int_equal(v->run[1]->mmio.phys_addr, MMIO + 8);
	assert_int_equal(*(uint64_t *)v->run[1]->mmio.data, 0x1234);
	assert_int_equal(get_reg(v->vcpu[0], CORE(regs.regs[20])), 1);
	assert_int_equal(get_reg(v->vcpu[0], CORE(regs.regs[21])), 0);
	assert_int_equal(get_reg(v->vcpu[0], CORE(regs.regs[22])),
			 (uint64_t)-4);
	/* CPU_ON reset the target: EL1h, DAIF masked */
	assert_int_equal(get_reg(v->vcpu[1], CORE(regs.pstate)) & 0x3cf,
			 0x3c5);
}

/* IRQ vector (current EL, SPx: VBAR + 0x280) stores a mark via MMIO. */
static const char *const vectors =
	".balign 2048\nvec:\n"
	".skip 0x280\n"
	"mov x9, #0x10000000; mov x10, #0x77; str x10, [x9, #0x10];"
	"mov x10, #0; str x10, [x9, #0x10]; eret\n"
	".balign 0x80\n"
	".skip 0x80\n"				/* SError at 0x380 */
	"mov x9, #0x10000000; mrs x10, esr_el1; str x10, [x9, #0x18]; eret\n";

static void irq_line(struct avm *v, int level)
{
	struct kvm_irq_level l = { .irq = KVMU_ARM_IRQ_TYPE_CPU <<
				   KVMU_ARM_IRQ_TYPE_SHIFT | 0, .level =
				   (uint32_t)level };

	assert_int_equal(kvmu_ioctl(v->vm, KVM_IRQ_LINE, &l), 0);
}

static void test_irq(void **state)
{
	struct avm *v = *state;
	struct kvm_irq_level bad = { .irq = KVMU_ARM_IRQ_TYPE_SPI <<
				     KVMU_ARM_IRQ_TYPE_SHIFT | 40, .level = 1 };

	assert_int_equal(assemble(v->mem, 0x1000, vectors), 0);
	assert_int_equal(assemble(v->mem + 0x1000, 0x1000,
		"mov x0, #0; msr vbar_el1, x0; isb\n"
		"msr daifclr, #2\n"
		"msr daifset, #2\n"
		"mov x9, #0x10000000; mov x10, #0x55; str x10, [x9]\n"
		"wfi\n"
		"mov x10, #0x66; str x10, [x9]\n"), 0);
	assert_int_equal(vcpu_init(v->vcpu[0], 0), 0);
	set_reg(v->vcpu[0], CORE(regs.pc), 0x1000);
	assert_int_equal(kvmu_ioctl(v->vm, KVM_IRQ_LINE, &bad), -1);
	assert_int_equal(errno, ENXIO);
	irq_line(v, 1);
	assert_int_equal(run(v, 0), 0);		/* taken at once */
	assert_int_equal(v->run[0]->mmio.phys_addr, MMIO + 0x10);
	assert_int_equal(v->run[0]->mmio.data[0], 0x77);
	irq_line(v, 0);
	assert_int_equal(run(v, 0), 0);
	assert_int_equal(v->run[0]->mmio.data[0], 0);
	assert_int_equal(run(v, 0), 0);		/* back after ERET */
	assert_int_equal(v->run[0]->mmio.data[0], 0x55);
	assert_int_equal(get_reg(v->vcpu[0], CORE(elr_el1)), 0x1000 + 4 * 4);
	/* WFI with the line low sleeps; a level wakes it even masked */
	irq_line(v, 1);
	assert_int_equal(run(v, 0), 0);
	assert_int_equal(v->run[0]->mmio.data[0], 0x66);
}

static void test_serror(void **state)
{
	struct avm *v = *state;
	struct kvmu_arm64_vcpu_events ev = { 0 };

	assert_int_equal(assemble(v->mem, 0x1000, vectors), 0);
	assert_int_equal(assemble(v->mem + 0x1000, 0x1000,
		"mov x0, #0; msr vbar_el1, x0; isb\n"
		"msr daifclr, #4\n"
		"mov x9, #0x10000000; str xzr, [x9]\n"), 0);
	assert_int_equal(vcpu_init(v->vcpu[0], 0), 0);
	set_reg(v->vcpu[0], CORE(regs.pc), 0x1000);
	ev.exception.serror_pending = 1;
	ev.exception.serror_has_esr = 1;
	assert_int_equal(kvmu_ioctl(v->vcpu[0], KVMU_ARM64_SET_VCPU_EVENTS,
				    &ev), -1);
	assert_int_equal(errno, EINVAL);	/* no RAS extension */
	ev.exception.serror_has_esr = 0;
	ev.reserved[3] = 1;
	assert_int_equal(kvmu_ioctl(v->vcpu[0], KVMU_ARM64_SET_VCPU_EVENTS,
				    &ev), -1);
	ev.reserved[3] = 0;
	assert_int_equal(kvmu_ioctl(v->vcpu[0], KVMU_ARM64_SET_VCPU_EVENTS,
				    &ev), 0);
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(kvmu_ioctl(v->vcpu[0], KVMU_ARM64_GET_VCPU_EVENTS,
				    &ev), 0);
	assert_int_equal(ev.exception.serror_pending, 1);
	assert_int_equal(run(v, 0), 0);
	assert_int_equal(v->run[0]->mmio.phys_addr, MMIO + 0x18);
	assert_int_equal(*(uint64_t *)v->run[0]->mmio.data >> 26, 0x2f);
}

static void test_ro_and_nisv(void **state)
{
	struct avm *v = *state;
	struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_NISV_TO_USER };

	v->ro[8] = 0x42;
	assert_int_equal(assemble(v->mem + 0x1000, 0x1000,
		"mov x9, #0x400000; ldrb w1, [x9, #8]; mov x2, #0x99;"
		"strb w2, [x9, #8]\n"
		"mov x3, #0x10000000; stp x1, x2, [x3, #0x20]\n"), 0);
	assert_int_equal(vcpu_init(v->vcpu[0], 0), 0);
	set_reg(v->vcpu[0], CORE(regs.pc), 0x1000);
	assert_int_equal(run(v, 0), 0);
	assert_int_equal(v->run[0]->exit_reason, KVM_EXIT_MMIO);
	assert_true(v->run[0]->mmio.is_write);
	assert_int_equal(v->run[0]->mmio.phys_addr, RO_GPA + 8);
	assert_int_equal(v->run[0]->mmio.data[0], 0x99);
	assert_int_equal(v->ro[8], 0x42);
	assert_int_equal(get_reg(v->vcpu[0], CORE(regs.regs[1])), 0x42);
	/* a store pair has no valid syndrome */
	assert_int_equal(run(v, 0), -1);
	assert_int_equal(errno, ENOSYS);
	assert_int_equal(kvmu_ioctl(v->vm, KVM_ENABLE_CAP, &cap), 0);
	assert_int_equal(run(v, 0), 0);
	assert_int_equal(v->run[0]->exit_reason, KVM_EXIT_ARM_NISV);
	assert_int_equal(v->run[0]->arm_nisv.fault_ipa, MMIO + 0x20);
	assert_true(v->run[0]->arm_nisv.esr_iss & (1 << 6));	/* WnR */
	/* the PC stays on the instruction for the VMM to emulate */
	assert_int_equal(get_reg(v->vcpu[0], CORE(regs.pc)), 0x1000 + 5 * 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cpu_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_irq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serror, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ro_and_nisv, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
