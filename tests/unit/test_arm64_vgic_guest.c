// SPDX-License-Identifier: MIT
/*
 * The GICv3 as a guest sees it, with guest code assembled at test time by
 * Debian's aarch64-linux-gnu-as (exit 77 without it): two vCPUs, each on
 * its own thread; vCPU 0 enables the distributor and its redistributor's
 * PPIs, takes a virtual timer interrupt (PPI 27) and a physical one (PPI
 * 30) out of WFI, an SPI the VMM raised with KVM_IRQ_LINE, and an edge
 * SPI through KVM_IRQFD, then sends SGI 1 to vCPU 1 (ICC_SGI1R_EL1,
 * affinity routing), which sleeps in WFI until it takes it.  Each handler
 * acknowledges with ICC_IAR1_EL1 and ends with ICC_EOIR1_EL1.  vCPU 1's
 * last store goes to an ioeventfd on the MMIO bus instead of exiting.
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
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "kvmu/kvmu.h"
#include "kvmu/abi/arm64.h"
#include "cross_asm.h"

#define MEM		0x200000UL
#define MMIO		0x10000000UL
#define GICD		0x08000000UL
#define GICR		0x080a0000UL

static int assemble(uint8_t *dst, size_t room, const char *src)
{
	return cross_asm("aarch64-linux-gnu", "-march=armv8-a", src, dst, room);
}

/*
 * Vectors at 0: the IRQ entry (current EL, SPx) counts each interrupt in
 * x20 + (its index below), masks the timer that fired, disables the
 * level SPI, and ends the interrupt.
 */
static const char *const vectors =
	".balign 2048\n"
	".skip 0x280\n"
	"mrs x10, icc_iar1_el1\n"
	"cmp x10, #27; b.ne 1f; add x20, x20, #1; mov x11, #3;"
	"msr cntv_ctl_el0, x11; b 9f\n"
	"1: cmp x10, #30; b.ne 2f; add x21, x21, #1; mov x11, #3;"
	"msr cntp_ctl_el0, x11; b 9f\n"
	"2: cmp x10, #40; b.ne 3f; add x22, x22, #1; mov x11, #0x08000000;"
	"mov w12, #0x100; str w12, [x11, #0x184]; b 9f\n"
	"3: cmp x10, #41; b.ne 4f; add x23, x23, #1; b 9f\n"
	"4: cmp x10, #1; b.ne 5f; add x24, x24, #1; b 9f\n"
	"5: add x25, x25, #1\n"
	"9: msr icc_eoir1_el1, x10; eret\n";

/* CPU interface on, interrupts unmasked (both vCPUs). */
#define CPUIF \
	"mov x0, #0; msr vbar_el1, x0\n" \
	"mov x2, #0xf0; msr icc_pmr_el1, x2\n" \
	"mov x2, #1; msr icc_igrpen1_el1, x2; isb\n"

static const char *const cpu0 =
	CPUIF
	"mov x1, #0x08000000; mov w2, #2; str w2, [x1]\n"	/* GICD_CTLR */
	"mov w2, #0x300; str w2, [x1, #0x104]\n"	/* SPI 40, 41 on */
	"mov w2, #0x80000; str w2, [x1, #0xc08]\n"	/* SPI 41 edge */
	"mov x3, #0x080b0000; mov w2, #0x48000000; str w2, [x3, #0x100]\n"
	"msr daifclr, #2\n"
	/* the virtual timer in 1 ms */
	"mov x2, #0x4240; movk x2, #0xf, lsl #16; msr cntv_tval_el0, x2;"
	"mov x2, #1; msr cntv_ctl_el0, x2\n"
	"1: cbnz x20, 11f; wfi; b 1b; 11:\n"
	/* the physical timer, by CVAL */
	"mrs x2, cntpct_el0; add x2, x2, #0x100000; msr cntp_cval_el0, x2;"
	"mov x2, #1; msr cntp_ctl_el0, x2\n"
	"2: cbnz x21, 21f; wfi; b 2b; 21:\n"
	/* tell the VMM, which raises SPI 40 and fires the irqfd */
	"mov x9, #0x10000000; str x20, [x9]\n"
	"3: cbnz x22, 31f; wfi; b 3b; 31:\n"
	"4: cbnz x23, 41f; wfi; b 4b; 41:\n"
	/* SGI 1 to Aff0 = 1 */
	"mov x2, #0x01000000; orr x2, x2, #2; msr icc_sgi1r_el1, x2; isb\n"
	"mov x9, #0x10000000; str x21, [x9, #8]\n";

static const char *const cpu1 =
	CPUIF
	"msr daifclr, #2\n"
	"1: cbnz x24, 11f; wfi; b 1b; 11:\n"
	"mrs x26, icc_rpr_el1\n"
	"mov x9, #0x10000000; str x24, [x9, #0x40]\n"	/* ioeventfd */
	"str x24, [x9, #0x10]\n";

struct gvm {
	int sys, vm, gic, vcpu[2];
	struct kvm_run *run[2];
	uint8_t *mem;
};

static uint64_t reg(int fd, uint64_t id, int set, uint64_t v)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&v };

	assert_int_equal(kvmu_ioctl(fd, set ? KVM_SET_ONE_REG :
				    KVM_GET_ONE_REG, &r), 0);
	return v;
}

#define CORE(f) KVMU_REG_ARM64_CORE(KVM_REG_SIZE_U64, f)

static void gic_attr(int fd, uint32_t grp, uint64_t a, void *val)
{
	struct kvm_device_attr d = { .group = grp, .attr = a,
				     .addr = (uintptr_t)val };

	assert_int_equal(kvmu_ioctl(fd, KVM_SET_DEVICE_ATTR, &d), 0);
}

static void setup(struct gvm *v)
{
	struct kvm_userspace_memory_region r = { .slot = 0,
						 .memory_size = MEM };
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	struct kvmu_arm64_vcpu_init init = {
		.target = KVMU_ARM_TARGET_GENERIC_V8,
		.features = { 1u << KVMU_ARM_VCPU_PSCI_0_2 },
	};
	uint64_t a;
	int i, size;

	v->sys = kvmu_open(KVMU_ARCH_ARM64, 0);
	v->vm = kvmu_ioctl(v->sys, KVM_CREATE_VM, 0);
	v->mem = mmap(NULL, MEM, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r.userspace_addr = (uintptr_t)v->mem;
	assert_int_equal(kvmu_ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &r), 0);
	size = kvmu_ioctl(v->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	for (i = 0; i < 2; i++) {
		v->vcpu[i] = kvmu_ioctl(v->vm, KVM_CREATE_VCPU, i);
		assert_int_equal(kvmu_ioctl(v->vcpu[i], KVMU_ARM_VCPU_INIT,
					    &init), 0);
		v->run[i] = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, v->vcpu[i], 0);
		assert_true(v->run[i] != MAP_FAILED);
	}
	assert_int_equal(kvmu_ioctl(v->vm, KVM_CREATE_DEVICE, &cd), 0);
	v->gic = (int)cd.fd;
	a = GICD;
	gic_attr(v->gic, KVMU_DEV_ARM_VGIC_GRP_ADDR,
		 KVMU_VGIC_V3_ADDR_TYPE_DIST, &a);
	a = GICR;
	gic_attr(v->gic, KVMU_DEV_ARM_VGIC_GRP_ADDR,
		 KVMU_VGIC_V3_ADDR_TYPE_REDIST, &a);
	gic_attr(v->gic, KVMU_DEV_ARM_VGIC_GRP_CTRL,
		 KVMU_DEV_ARM_VGIC_CTRL_INIT, NULL);
}

static void *run1(void *p)
{
	struct gvm *v = p;

	return (void *)(intptr_t)kvmu_ioctl(v->vcpu[1], KVM_RUN, 0);
}

static void expect_mark(struct gvm *v, int i, uint64_t off)
{
	assert_int_equal(v->run[i]->exit_reason, KVM_EXIT_MMIO);
	assert_int_equal(v->run[i]->mmio.phys_addr, MMIO + off);
}

static void test_gic_guest(void **state)
{
	struct kvm_irq_level spi = { .irq = KVMU_ARM_IRQ_TYPE_SPI <<
				     KVMU_ARM_IRQ_TYPE_SHIFT | 40, .level = 1 };
	struct kvm_irqfd irqfd = { .gsi = 9 };	/* SPI 41 */
	struct kvm_ioeventfd io = { .addr = MMIO + 0x40, .len = 8 };
	struct gvm v = { 0 };
	uint64_t one = 1;
	pthread_t t;
	void *ret;

	(void)state;
	if (system("aarch64-linux-gnu-as --version >/dev/null 2>&1"))
		exit(77);
	setup(&v);
	assert_int_equal(assemble(v.mem, 0x1000, vectors), 0);
	assert_int_equal(assemble(v.mem + 0x1000, 0x1000, cpu0), 0);
	assert_int_equal(assemble(v.mem + 0x2000, 0x1000, cpu1), 0);
	reg(v.vcpu[0], CORE(regs.pc), 1, 0x1000);
	reg(v.vcpu[1], CORE(regs.pc), 1, 0x2000);
	io.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_int_equal(kvmu_ioctl(v.vm, KVM_IOEVENTFD, &io), 0);
	assert_int_equal(pthread_create(&t, NULL, run1, &v), 0);
	/* both timers fired and were taken */
	assert_int_equal(kvmu_ioctl(v.vcpu[0], KVM_RUN, 0), 0);
	expect_mark(&v, 0, 0);
	assert_int_equal(reg(v.vcpu[0], CORE(regs.regs[20]), 0, 0), 1);
	assert_int_equal(reg(v.vcpu[0], CORE(regs.regs[21]), 0, 0), 1);
	/* a level SPI from the VMM, an edge SPI from an irqfd */
	assert_int_equal(kvmu_ioctl(v.vm, KVM_IRQ_LINE, &spi), 0);
	irqfd.fd = (uint32_t)eventfd(0, EFD_CLOEXEC);
	assert_int_equal(kvmu_ioctl(v.vm, KVM_IRQFD, &irqfd), 0);
	assert_int_equal(write((int)irqfd.fd, &one, sizeof(one)), 8);
	assert_int_equal(kvmu_ioctl(v.vcpu[0], KVM_RUN, 0), 0);
	expect_mark(&v, 0, 8);
	assert_int_equal(reg(v.vcpu[0], CORE(regs.regs[22]), 0, 0), 1);
	assert_int_equal(reg(v.vcpu[0], CORE(regs.regs[23]), 0, 0), 1);
	assert_int_equal(reg(v.vcpu[0], CORE(regs.regs[25]), 0, 0), 0);
	/* vCPU 1 woke for the SGI; it ran at priority 0 (RPR idle again) */
	pthread_join(t, &ret);
	assert_int_equal((intptr_t)ret, 0);
	expect_mark(&v, 1, 0x10);
	assert_int_equal(reg(v.vcpu[1], CORE(regs.regs[24]), 0, 0), 1);
	assert_int_equal(reg(v.vcpu[1], CORE(regs.regs[26]), 0, 0), 0xff);
	assert_int_equal(reg(v.vcpu[1], CORE(regs.regs[25]), 0, 0), 0);
	/* the store to the ioeventfd's address signalled it, no exit */
	assert_int_equal(read(io.fd, &one, sizeof(one)), 8);
	assert_int_equal(one, 1);
	close(io.fd);
	close((int)irqfd.fd);
	close(v.gic);
	close(v.vcpu[0]);
	close(v.vcpu[1]);
	close(v.vm);
	close(v.sys);
	munmap(v.mem, MEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gic_guest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
