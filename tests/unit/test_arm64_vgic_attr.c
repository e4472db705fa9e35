// SPDX-License-Identifier: MIT
/*
 * KVM_DEV_TYPE_ARM_VGIC_V3 through the public API: the device attribute
 * errnos of the kernel's vgic_init selftest (tools/testing/selftests/kvm/
 * aarch64/vgic_init.c: device creation, DIST/REDIST and REDIST_REGION
 * addresses, GICR_TYPER and its Last bit, the checks of the first
 * KVM_RUN), plus NR_IRQS, CTRL, CPU_SYSREGS, LEVEL_INFO, KVM_IRQ_LINE in
 * the arm encoding and the capabilities an arm64 kernel with a GICv3
 * reports.  The default VM has a 40-bit IPA space.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "kvmu/kvmu.h"
#include "kvmu/abi/arm64.h"

#define NR_VCPUS	4
#define MAX_PHYS	(1ULL << 40)
#define GRP_ADDR	KVMU_DEV_ARM_VGIC_GRP_ADDR
#define DIST		KVMU_VGIC_V3_ADDR_TYPE_DIST
#define REDIST		KVMU_VGIC_V3_ADDR_TYPE_REDIST
#define REGION		KVMU_VGIC_V3_ADDR_TYPE_REDIST_REGION
#define GICR_TYPER	0x8
#define REG_OFFSET(vcpu, off)	(((uint64_t)(vcpu) << 32) | (off))
#define RATTR(count, base, flags, index) \
	(((uint64_t)(count) << 52) | ((uint64_t)((base) >> 16) << 16) | \
	 ((uint64_t)(flags) << 12) | (index))

struct vg {
	int sys, vm, gic;
	int vcpu[8];
	uint8_t *mem;
};

static int attr(int fd, unsigned long req, uint32_t grp, uint64_t a,
		void *val)
{
	struct kvm_device_attr d = { .group = grp, .attr = a,
				     .addr = (uintptr_t)val };

	return kvmu_ioctl(fd, req, &d);
}

#define SET(fd, g, a, v)	attr(fd, KVM_SET_DEVICE_ATTR, g, a, v)
#define GET(fd, g, a, v)	attr(fd, KVM_GET_DEVICE_ATTR, g, a, v)
#define HAS(fd, g, a)		attr(fd, KVM_HAS_DEVICE_ATTR, g, a, NULL)

static void expect_err(int ret, int err)
{
	assert_int_equal(ret, -1);
	assert_int_equal(errno, err);
}

static int create_dev(int vm, uint32_t type, uint32_t flags)
{
	struct kvm_create_device cd = { .type = type, .flags = flags };
	int ret = kvmu_ioctl(vm, KVM_CREATE_DEVICE, &cd);

	return ret < 0 ? ret : (int)cd.fd;
}

static int vcpu_init(int fd)
{
	struct kvmu_arm64_vcpu_init init = {
		.target = KVMU_ARM_TARGET_GENERIC_V8,
		.features = { 1u << KVMU_ARM_VCPU_PSCI_0_2 },
	};

	return kvmu_ioctl(fd, KVMU_ARM_VCPU_INIT, &init);
}

static void add_vcpu(struct vg *v, int id)
{
	v->vcpu[id] = kvmu_ioctl(v->vm, KVM_CREATE_VCPU, id);
	assert_true(v->vcpu[id] >= 0);
	assert_int_equal(vcpu_init(v->vcpu[id]), 0);
}

/* A VM with RAM at 0x80000000 whose guest stores to MMIO and loops. */
static struct vg *vm_new(int nr_vcpus, int with_gic)
{
	struct kvm_userspace_memory_region r = {
		.slot = 0, .guest_phys_addr = 0x80000000,
		.memory_size = 0x10000 };
	struct vg *v = calloc(1, sizeof(*v));
	struct kvm_one_reg pc;
	uint64_t entry = 0x80000000;
	int i;

	v->sys = kvmu_open(KVMU_ARCH_ARM64, 0);
	v->vm = kvmu_ioctl(v->sys, KVM_CREATE_VM, 0);
	assert_true(v->vm >= 0);
	v->mem = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* str xzr, [x9] with x9 = 0 (MMIO), then b . */
	((uint32_t *)v->mem)[0] = 0xf900013f;
	((uint32_t *)v->mem)[1] = 0x14000000;
	r.userspace_addr = (uintptr_t)v->mem;
	assert_int_equal(kvmu_ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &r), 0);
	for (i = 0; i < nr_vcpus; i++) {
		add_vcpu(v, i);
		pc.id = KVMU_REG_ARM64_CORE(KVM_REG_SIZE_U64, regs.pc);
		pc.addr = (uintptr_t)&entry;
		assert_int_equal(kvmu_ioctl(v->vcpu[i], KVM_SET_ONE_REG, &pc),
				 0);
	}
	v->gic = with_gic ? create_dev(v->vm, KVM_DEV_TYPE_ARM_VGIC_V3, 0) :
		 -1;
	if (with_gic)
		assert_true(v->gic >= 0);
	return v;
}

static void vm_free(struct vg *v)
{
	int i;

	for (i = 0; i < 8; i++)
		if (v->vcpu[i] > 0)
			close(v->vcpu[i]);
	if (v->gic >= 0)
		close(v->gic);
	close(v->vm);
	close(v->sys);
	munmap(v->mem, 0x10000);
	free(v);
}

static int run(struct vg *v, int i)
{
	int ret;

	/* x9 is 0: the first instruction stores to IPA 0 (MMIO) */
	ret = kvmu_ioctl(v->vcpu[i], KVM_RUN, 0);
	return ret ? -errno : 0;
}

/* test_kvm_device */
static void test_device(void **state)
{
	struct vg *v = vm_new(NR_VCPUS, 0);

	(void)state;
	expect_err(create_dev(v->vm, 0, KVM_CREATE_DEVICE_TEST), ENODEV);
	assert_int_equal(create_dev(v->vm, KVM_DEV_TYPE_ARM_VGIC_V3,
				    KVM_CREATE_DEVICE_TEST), 0);
	expect_err(create_dev(v->vm, KVM_DEV_TYPE_ARM_VGIC_V2,
			      KVM_CREATE_DEVICE_TEST), ENODEV);
	expect_err(create_dev(v->vm, KVM_DEV_TYPE_ARM_VGIC_ITS, 0), ENODEV);
	v->gic = create_dev(v->vm, KVM_DEV_TYPE_ARM_VGIC_V3, 0);
	assert_true(v->gic >= 0);
	expect_err(create_dev(v->vm, KVM_DEV_TYPE_ARM_VGIC_V3, 0), EEXIST);
	expect_err(kvmu_ioctl(v->vm, KVM_CREATE_IRQCHIP, 0), ENODEV);
	vm_free(v);
	/* kvm_vgic_create: not once a vCPU has run */
	v = vm_new(1, 0);
	assert_int_equal(run(v, 0), 0);
	expect_err(create_dev(v->vm, KVM_DEV_TYPE_ARM_VGIC_V3, 0), EBUSY);
	vm_free(v);
}

/* subtest_dist_rdist (GICv3) */
static void dist_rdist(struct vg *v)
{
	uint64_t addr;

	assert_int_equal(HAS(v->gic, GRP_ADDR, DIST), 0);
	assert_int_equal(HAS(v->gic, GRP_ADDR, REDIST), 0);
	expect_err(HAS(v->gic, GRP_ADDR, (uint64_t)-1), ENXIO);
	addr = 0x1000;
	expect_err(SET(v->gic, GRP_ADDR, DIST, &addr), EINVAL);
	expect_err(SET(v->gic, GRP_ADDR, REDIST, &addr), EINVAL);
	addr = MAX_PHYS;
	expect_err(SET(v->gic, GRP_ADDR, DIST, &addr), E2BIG);
	expect_err(SET(v->gic, GRP_ADDR, REDIST, &addr), E2BIG);
	addr = MAX_PHYS - 0x10000;
	expect_err(SET(v->gic, GRP_ADDR, REDIST, &addr), E2BIG);
	addr = 0;
	assert_int_equal(SET(v->gic, GRP_ADDR, REDIST, &addr), 0);
	addr = 0xE0000;
	expect_err(SET(v->gic, GRP_ADDR, REDIST, &addr), EEXIST);
	addr = RATTR(NR_VCPUS, 0x100000, 0, 0);
	expect_err(SET(v->gic, GRP_ADDR, REGION, &addr), EINVAL);
	/* overlapping DIST/REDIST: found at the first KVM_RUN */
	addr = NR_VCPUS * 0x20000 - 0x10000;
	assert_int_equal(SET(v->gic, GRP_ADDR, DIST, &addr), 0);
	addr = 0x10000;
	expect_err(SET(v->gic, GRP_ADDR, DIST, &addr), EEXIST);
}

static void test_vcpus_then_vgic(void **state)
{
	struct vg *v = vm_new(NR_VCPUS, 1);

	(void)state;
	dist_rdist(v);
	assert_int_equal(run(v, 3), -EINVAL);
	vm_free(v);
}

static void test_vgic_then_vcpus(void **state)
{
	struct vg *v = vm_new(1, 1);
	int i;

	(void)state;
	dist_rdist(v);
	for (i = 1; i < NR_VCPUS; i++)
		add_vcpu(v, i);
	assert_int_equal(run(v, 3), -EINVAL);
	vm_free(v);
}

/* subtest_v3_redist_regions */
static void redist_regions(struct vg *v)
{
	uint64_t addr;

	assert_int_equal(HAS(v->gic, GRP_ADDR, REGION), 0);
	addr = RATTR(NR_VCPUS, 0x100000, 2, 0);
	expect_err(SET(v->gic, GRP_ADDR, REGION, &addr), EINVAL);
	addr = RATTR(0, 0x100000, 0, 0);
	expect_err(SET(v->gic, GRP_ADDR, REGION, &addr), EINVAL);
	addr = RATTR(2, 0x200000, 0, 1);
	expect_err(SET(v->gic, GRP_ADDR, REGION, &addr), EINVAL);
	addr = RATTR(2, 0x201000, 0, 1);
	expect_err(SET(v->gic, GRP_ADDR, REGION, &addr), EINVAL);
	addr = RATTR(2, 0x200000, 0, 0);
	assert_int_equal(SET(v->gic, GRP_ADDR, REGION, &addr), 0);
	addr = RATTR(2, 0x200000, 0, 1);
	expect_err(SET(v->gic, GRP_ADDR, REGION, &addr), EINVAL);
	addr = RATTR(1, 0x210000, 0, 2);
	expect_err(SET(v->gic, GRP_ADDR, REGION, &addr), EINVAL);
	addr = RATTR(1, 0x240000, 0, 2);
	expect_err(SET(v->gic, GRP_ADDR, REGION, &addr), EINVAL);
	addr = RATTR(1, 0x240000, 0, 1);
	assert_int_equal(SET(v->gic, GRP_ADDR, REGION, &addr), 0);
	addr = RATTR(1, MAX_PHYS, 0, 2);
	expect_err(SET(v->gic, GRP_ADDR, REGION, &addr), E2BIG);
	addr = RATTR(2, MAX_PHYS - 0x30000, 0, 2);
	expect_err(SET(v->gic, GRP_ADDR, REGION, &addr), E2BIG);
	addr = 0x260000;
	expect_err(SET(v->gic, GRP_ADDR, REDIST, &addr), EINVAL);
	addr = RATTR(0, 0, 0, 0);
	assert_int_equal(GET(v->gic, GRP_ADDR, REGION, &addr), 0);
	assert_int_equal(addr, RATTR(2, 0x200000, 0, 0));
	addr = RATTR(0, 0, 0, 1);
	assert_int_equal(GET(v->gic, GRP_ADDR, REGION, &addr), 0);
	assert_int_equal(addr, RATTR(1, 0x240000, 0, 1));
	addr = RATTR(0, 0, 0, 2);
	expect_err(GET(v->gic, GRP_ADDR, REGION, &addr), ENOENT);
	addr = 0x260000;
	assert_int_equal(SET(v->gic, GRP_ADDR, DIST, &addr), 0);
	addr = RATTR(1, 0x260000, 0, 2);
	expect_err(SET(v->gic, GRP_ADDR, REGION, &addr), EINVAL);
}

static void test_new_redist_regions(void **state)
{
	uint64_t addr;
	struct vg *v;

	(void)state;
	v = vm_new(NR_VCPUS, 1);
	redist_regions(v);
	assert_int_equal(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_CTRL,
			     KVMU_DEV_ARM_VGIC_CTRL_INIT, NULL), 0);
	assert_int_equal(run(v, 3), -ENXIO);
	vm_free(v);

	v = vm_new(NR_VCPUS, 1);
	redist_regions(v);
	addr = RATTR(1, 0x280000, 0, 2);
	assert_int_equal(SET(v->gic, GRP_ADDR, REGION, &addr), 0);
	assert_int_equal(run(v, 3), -EBUSY);
	vm_free(v);

	v = vm_new(NR_VCPUS, 1);
	redist_regions(v);
	expect_err(SET(v->gic, GRP_ADDR, REGION, NULL), EFAULT);
	addr = RATTR(1, 0x280000, 0, 2);
	assert_int_equal(SET(v->gic, GRP_ADDR, REGION, &addr), 0);
	assert_int_equal(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_CTRL,
			     KVMU_DEV_ARM_VGIC_CTRL_INIT, NULL), 0);
	assert_int_equal(run(v, 3), 0);
	vm_free(v);
}

static void typer(struct vg *v, int vcpu, uint32_t want)
{
	uint32_t val = 0xdead;

	assert_int_equal(GET(v->gic, KVMU_DEV_ARM_VGIC_GRP_REDIST_REGS,
			     REG_OFFSET(vcpu, GICR_TYPER), &val), 0);
	assert_int_equal(val, want);
}

static void test_typer_accesses(void **state)
{
	struct vg *v = vm_new(0, 1);
	uint64_t addr;
	uint32_t val;
	int i;

	(void)state;
	add_vcpu(v, 3);
	expect_err(GET(v->gic, KVMU_DEV_ARM_VGIC_GRP_REDIST_REGS,
		       REG_OFFSET(1, GICR_TYPER), &val), EINVAL);
	add_vcpu(v, 1);
	expect_err(GET(v->gic, KVMU_DEV_ARM_VGIC_GRP_REDIST_REGS,
		       REG_OFFSET(1, GICR_TYPER), &val), EBUSY);
	add_vcpu(v, 2);
	add_vcpu(v, 0);
	assert_int_equal(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_CTRL,
			     KVMU_DEV_ARM_VGIC_CTRL_INIT, NULL), 0);
	/* no vCPU may come after the GIC is initialised */
	expect_err(kvmu_ioctl(v->vm, KVM_CREATE_VCPU, 5), EBUSY);
	for (i = 0; i < NR_VCPUS; i++)
		typer(v, i, (uint32_t)i * 0x100);
	/* creation order is 3, 1, 2, 0 */
	addr = RATTR(2, 0x200000, 0, 0);
	assert_int_equal(SET(v->gic, GRP_ADDR, REGION, &addr), 0);
	typer(v, 3, 0x300);
	typer(v, 1, 0x110);
	addr = RATTR(10, 0x100000, 0, 1);
	expect_err(SET(v->gic, GRP_ADDR, REGION, &addr), EINVAL);
	typer(v, 2, 0x200);
	typer(v, 0, 0x000);
	addr = RATTR(10, 0x20000, 0, 1);
	assert_int_equal(SET(v->gic, GRP_ADDR, REGION, &addr), 0);
	typer(v, 2, 0x200);
	typer(v, 0, 0x010);
	vm_free(v);
}

static void test_last_bit(void **state)
{
	static const int ids[] = { 0, 3, 5, 4, 1, 2 };
	struct vg *v = vm_new(0, 1);
	uint64_t addr;
	int i;

	(void)state;
	for (i = 0; i < 6; i++)
		add_vcpu(v, ids[i]);
	assert_int_equal(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_CTRL,
			     KVMU_DEV_ARM_VGIC_CTRL_INIT, NULL), 0);
	addr = RATTR(2, 0x100000, 0, 0);
	assert_int_equal(SET(v->gic, GRP_ADDR, REGION, &addr), 0);
	addr = RATTR(2, 0x240000, 0, 1);
	assert_int_equal(SET(v->gic, GRP_ADDR, REGION, &addr), 0);
	addr = RATTR(2, 0x200000, 0, 2);
	assert_int_equal(SET(v->gic, GRP_ADDR, REGION, &addr), 0);
	typer(v, 0, 0x000);
	typer(v, 3, 0x310);
	typer(v, 5, 0x500);
	typer(v, 4, 0x410);
	typer(v, 1, 0x100);
	typer(v, 2, 0x200);
	vm_free(v);

	v = vm_new(0, 1);
	for (i = 0; i < 6; i++)
		add_vcpu(v, ids[i]);
	assert_int_equal(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_CTRL,
			     KVMU_DEV_ARM_VGIC_CTRL_INIT, NULL), 0);
	addr = 0x10000;
	assert_int_equal(SET(v->gic, GRP_ADDR, REDIST, &addr), 0);
	typer(v, 0, 0x000);
	typer(v, 3, 0x300);
	typer(v, 5, 0x500);
	typer(v, 1, 0x100);
	typer(v, 2, 0x210);
	vm_free(v);
}

static void test_ipa_check_at_run(void **state)
{
	struct vg *v = vm_new(1, 1);
	uint64_t addr;
	int i;

	(void)state;
	addr = MAX_PHYS - 3 * 0x20000;
	assert_int_equal(SET(v->gic, GRP_ADDR, REDIST, &addr), 0);
	addr = 0;
	assert_int_equal(SET(v->gic, GRP_ADDR, DIST, &addr), 0);
	for (i = 1; i < NR_VCPUS; i++)
		add_vcpu(v, i);
	assert_int_equal(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_CTRL,
			     KVMU_DEV_ARM_VGIC_CTRL_INIT, NULL), 0);
	assert_int_equal(run(v, 2), -EINVAL);
	vm_free(v);
}

/* NR_IRQS, CTRL, the register groups, LEVEL_INFO. */
static void test_groups(void **state)
{
	struct vg *v = vm_new(2, 1);
	uint32_t n = 0, val;
	uint64_t sre = 0, ctlr;

	(void)state;
	assert_int_equal(GET(v->gic, KVMU_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &n), 0);
	assert_int_equal(n, 32);
	n = 48;
	expect_err(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &n), EINVAL);
	n = 1024;
	expect_err(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &n), EINVAL);
	n = 70;
	expect_err(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &n), EINVAL);
	expect_err(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_NR_IRQS, 0, NULL),
		   EFAULT);
	n = 128;
	assert_int_equal(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &n), 0);
	expect_err(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &n), EBUSY);
	expect_err(HAS(v->gic, KVMU_DEV_ARM_VGIC_GRP_CTRL, 1), ENXIO);
	assert_int_equal(HAS(v->gic, KVMU_DEV_ARM_VGIC_GRP_CTRL,
			     KVMU_DEV_ARM_VGIC_SAVE_PENDING_TABLES), 0);
	expect_err(GET(v->gic, KVMU_DEV_ARM_VGIC_GRP_CTRL, 0, &n), ENXIO);
	expect_err(HAS(v->gic, 8, 0), ENXIO);	/* ITS_REGS */
	/* registers need CTRL_INIT */
	expect_err(GET(v->gic, KVMU_DEV_ARM_VGIC_GRP_DIST_REGS, 0, &val),
		   EBUSY);
	assert_int_equal(HAS(v->gic, KVMU_DEV_ARM_VGIC_GRP_DIST_REGS, 0x100),
			 0);
	expect_err(HAS(v->gic, KVMU_DEV_ARM_VGIC_GRP_DIST_REGS, 0x102), ENXIO);
	/* SPI 127 has registers, 128 not (128 interrupts) */
	assert_int_equal(HAS(v->gic, KVMU_DEV_ARM_VGIC_GRP_DIST_REGS,
			     0x400 + 124), 0);
	expect_err(HAS(v->gic, KVMU_DEV_ARM_VGIC_GRP_DIST_REGS, 0x400 + 128),
		   ENXIO);
	expect_err(HAS(v->gic, KVMU_DEV_ARM_VGIC_GRP_REDIST_REGS,
		       REG_OFFSET(7, 0)), EINVAL);
	assert_int_equal(HAS(v->gic, KVMU_DEV_ARM_VGIC_GRP_REDIST_REGS,
			     REG_OFFSET(1, 0x10100)), 0);
	assert_int_equal(HAS(v->gic, KVMU_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
			     REG_OFFSET(1, 0xc665)), 0);	/* ICC_SRE */
	expect_err(HAS(v->gic, KVMU_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
		       REG_OFFSET(1, 0xc660)), ENXIO);	/* ICC_IAR1 */
	assert_int_equal(HAS(v->gic, KVMU_DEV_ARM_VGIC_GRP_LEVEL_INFO, 0), 0);
	expect_err(HAS(v->gic, KVMU_DEV_ARM_VGIC_GRP_LEVEL_INFO, 1 << 10),
		   ENXIO);
	assert_int_equal(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_CTRL,
			     KVMU_DEV_ARM_VGIC_CTRL_INIT, NULL), 0);
	assert_int_equal(GET(v->gic, KVMU_DEV_ARM_VGIC_GRP_DIST_REGS, 4,
			     &val), 0);
	assert_int_equal(val, 3 | 9 << 19);	/* GICD_TYPER */
	assert_int_equal(GET(v->gic, KVMU_DEV_ARM_VGIC_GRP_DIST_REGS, 0xffe8,
			     &val), 0);
	assert_int_equal(val, 0x3b);
	val = 1u << 4;				/* ISENABLER: SPI 36 */
	assert_int_equal(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_DIST_REGS, 0x104,
			     &val), 0);
	val = 0;
	assert_int_equal(GET(v->gic, KVMU_DEV_ARM_VGIC_GRP_DIST_REGS, 0x184,
			     &val), 0);
	assert_int_equal(val, 1u << 4);
	assert_int_equal(GET(v->gic, KVMU_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
			     REG_OFFSET(0, 0xc665), &sre), 0);
	assert_int_equal(sre, 7);
	sre = 0;
	expect_err(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
		       REG_OFFSET(0, 0xc665), &sre), EINVAL);
	assert_int_equal(GET(v->gic, KVMU_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
			     REG_OFFSET(0, 0xc664), &ctlr), 0);
	ctlr ^= 1ULL << 8;			/* PRIbits is read-only */
	expect_err(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_CPU_SYSREGS,
		       REG_OFFSET(0, 0xc664), &ctlr), EINVAL);
	val = 0xffffffff;
	assert_int_equal(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_LEVEL_INFO,
			     REG_OFFSET(1, 32), &val), 0);
	assert_int_equal(GET(v->gic, KVMU_DEV_ARM_VGIC_GRP_LEVEL_INFO,
			     REG_OFFSET(1, 32), &val), 0);
	assert_int_equal(val, 0xffffffff);
	expect_err(GET(v->gic, KVMU_DEV_ARM_VGIC_GRP_LEVEL_INFO,
		       REG_OFFSET(1, 33), &val), EINVAL);
	vm_free(v);
}

static int irq_line(int vm, uint32_t type, uint32_t vcpu, uint32_t num,
		    uint32_t level)
{
	struct kvm_irq_level l = {
		.irq = type << KVMU_ARM_IRQ_TYPE_SHIFT |
		       vcpu << KVMU_ARM_IRQ_VCPU_SHIFT | num,
		.level = level };

	return kvmu_ioctl(vm, KVM_IRQ_LINE, &l);
}

static void test_irq_line_and_caps(void **state)
{
	struct vg *v = vm_new(2, 0);
	uint64_t addr;

	(void)state;
	assert_int_equal(kvmu_ioctl(v->sys, KVM_CHECK_EXTENSION,
				    KVM_CAP_IRQCHIP), 1);
	assert_int_equal(kvmu_ioctl(v->sys, KVM_CHECK_EXTENSION,
				    KVM_CAP_MULTI_ADDRESS_SPACE), 0);
	assert_int_equal(kvmu_ioctl(v->vm, KVM_CHECK_EXTENSION,
				    KVM_CAP_MULTI_ADDRESS_SPACE), 0);
	expect_err(kvmu_ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_MSI_DEVID),
		   EINVAL);
	assert_int_equal(kvmu_ioctl(v->vm, KVM_CHECK_EXTENSION,
				    KVM_CAP_MSI_DEVID), 0);
	assert_int_equal(kvmu_ioctl(v->vm, KVM_CHECK_EXTENSION,
				    KVM_CAP_IRQ_ROUTING), 4096);
	expect_err(irq_line(v->vm, KVMU_ARM_IRQ_TYPE_SPI, 0, 40, 1), ENXIO);
	expect_err(irq_line(v->vm, KVMU_ARM_IRQ_TYPE_PPI, 0, 20, 1), ENXIO);
	assert_int_equal(irq_line(v->vm, KVMU_ARM_IRQ_TYPE_CPU, 1, 0, 1), 0);
	v->gic = create_dev(v->vm, KVM_DEV_TYPE_ARM_VGIC_V3, 0);
	assert_true(v->gic >= 0);
	expect_err(irq_line(v->vm, KVMU_ARM_IRQ_TYPE_CPU, 1, 0, 1), ENXIO);
	expect_err(irq_line(v->vm, KVMU_ARM_IRQ_TYPE_SPI, 0, 40, 1), EBUSY);
	expect_err(irq_line(v->vm, 3, 0, 40, 1), EINVAL);
	addr = 0x100000;
	assert_int_equal(SET(v->gic, GRP_ADDR, DIST, &addr), 0);
	addr = 0x200000;
	assert_int_equal(SET(v->gic, GRP_ADDR, REDIST, &addr), 0);
	assert_int_equal(SET(v->gic, KVMU_DEV_ARM_VGIC_GRP_CTRL,
			     KVMU_DEV_ARM_VGIC_CTRL_INIT, NULL), 0);
	expect_err(irq_line(v->vm, KVMU_ARM_IRQ_TYPE_SPI, 0, 31, 1), EINVAL);
	expect_err(irq_line(v->vm, KVMU_ARM_IRQ_TYPE_SPI, 0, 256, 1), EINVAL);
	assert_int_equal(irq_line(v->vm, KVMU_ARM_IRQ_TYPE_SPI, 0, 255, 1), 0);
	expect_err(irq_line(v->vm, KVMU_ARM_IRQ_TYPE_PPI, 9, 20, 1), EINVAL);
	expect_err(irq_line(v->vm, KVMU_ARM_IRQ_TYPE_PPI, 1, 15, 1), EINVAL);
	expect_err(irq_line(v->vm, KVMU_ARM_IRQ_TYPE_PPI, 1, 32, 1), EINVAL);
	assert_int_equal(irq_line(v->vm, KVMU_ARM_IRQ_TYPE_PPI, 1, 27, 1), 0);
	assert_int_equal(run(v, 0), 0);		/* maps the GIC */
	/* the timer owns its PPIs once the vCPUs run */
	expect_err(irq_line(v->vm, KVMU_ARM_IRQ_TYPE_PPI, 1, 27, 0), EPERM);
	assert_int_equal(irq_line(v->vm, KVMU_ARM_IRQ_TYPE_PPI, 1, 20, 1), 0);
	/* no ITS: MSIs have nowhere to go */
	expect_err(kvmu_ioctl(v->vm, KVM_SIGNAL_MSI,
			      &(struct kvm_msi){ .data = 1 }), ENODEV);
	vm_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_device),
		cmocka_unit_test(test_vcpus_then_vgic),
		cmocka_unit_test(test_vgic_then_vcpus),
		cmocka_unit_test(test_new_redist_regions),
		cmocka_unit_test(test_typer_accesses),
		cmocka_unit_test(test_last_bit),
		cmocka_unit_test(test_ipa_check_at_run),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_irq_line_and_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
