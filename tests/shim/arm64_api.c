// SPDX-License-Identifier: MIT
/*
 * An ordinary /dev/kvm program written against the arm64 ABI
 * (<linux/kvm.h> and <asm/kvm.h> of Debian's linux-libc-dev-arm64-cross),
 * run on x86 under the shim with KVMU_ARCH=arm64 (tests/shell/shim_arm64.sh).
 * It checks every answer the kernel gives for the IPA-size machine types,
 * memslots beyond the IPA space, KVM_ARM_VCPU_INIT, ONE_REG and REG_LIST,
 * and the SMCCC filter (the cases of the kernel's smccc_filter selftest
 * and the errno table of Documentation/virt/kvm/devices/vm.rst); then runs
 * a guest whose HVC and SMC in a forwarded range exit with the right nr
 * and flags, whose denied call reads SMCCC_RET_NOT_SUPPORTED, whose MMIO
 * store and load exit with their data, and whose PSCI SYSTEM_OFF ends the
 * run.  Prints one line per failed check and "arm64_api: N checks ok".
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/kvm.h>

/* what Debian 12's (6.1) arm64 headers lack */
#ifndef KVM_ARM_VM_SMCCC_CTRL
#define KVM_ARM_VM_SMCCC_CTRL		0
#define KVM_ARM_VM_SMCCC_FILTER		0
#define KVM_SMCCC_FILTER_HANDLE		0
#define KVM_SMCCC_FILTER_DENY		1
#define KVM_SMCCC_FILTER_FWD_TO_USER	2
struct kvm_smccc_filter {
	__u32 base;
	__u32 nr_functions;
	__u8 action;
	__u8 pad[15];
};
#endif
#ifndef KVM_HYPERCALL_EXIT_SMC
#define KVM_HYPERCALL_EXIT_SMC		(1U << 0)
#endif

#define ARM_SMCCC_ARCH_WORKAROUND_1	0x80008000U
#define SMC64_ARCH_BASE			0xc0000000U
#define FWD_BASE			0xc3000000U
#define RAM_GPA				0x40000000ULL
#define RAM_SIZE			0x10000ULL
#define UART				0x09000000ULL

static int checks, failures;

#define CHECK(cond, ...) do {						\
	checks++;							\
	if (!(cond)) {							\
		failures++;						\
		printf("FAIL line %d: ", __LINE__);			\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	}								\
} while (0)

/* errno of a failed call, 0 on success */
static int err(int rc)
{
	return rc < 0 ? errno : 0;
}

static int kvm;

static int create_vm(unsigned long type)
{
	return ioctl(kvm, KVM_CREATE_VM, type);
}

static int slot(int vm, uint64_t gpa, uint64_t size, void *mem)
{
	struct kvm_userspace_memory_region r = {
		.slot = 0, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)mem,
	};

	return err(ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r));
}

static void test_ipa(void *mem)
{
	int limit = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_ARM_VM_IPA_SIZE);
	int vm;

	CHECK(limit >= 40, "IPA limit %d", limit);
	CHECK(err(create_vm(KVM_VM_TYPE_ARM_IPA_SIZE(31))) == EINVAL, "31");
	CHECK(err(create_vm(KVM_VM_TYPE_ARM_IPA_SIZE(limit + 1))) == EINVAL,
	      "limit + 1");
	CHECK(err(create_vm(0x100)) == EINVAL, "bits above the mask");
	vm = create_vm(KVM_VM_TYPE_ARM_IPA_SIZE(limit));
	CHECK(vm >= 0, "IPA limit type: %s", strerror(errno));
	close(vm);
	vm = create_vm(KVM_VM_TYPE_ARM_IPA_SIZE(32));
	CHECK(vm >= 0, "32 bits: %s", strerror(errno));
	CHECK(slot(vm, (1ULL << 32) - RAM_SIZE, RAM_SIZE, mem) == 0,
	      "slot ending at 4 GiB");
	CHECK(slot(vm, 1ULL << 32, 0, mem) == 0, "delete");
	CHECK(slot(vm, (1ULL << 32) - 0x1000, RAM_SIZE, mem) == EFAULT,
	      "slot crossing the IPA limit");
	CHECK(slot(vm, 1ULL << 32, RAM_SIZE, mem) == EFAULT,
	      "slot above the IPA limit");
	close(vm);
	vm = create_vm(0);	/* the legacy 40 bits */
	CHECK(vm >= 0, "type 0: %s", strerror(errno));
	CHECK(slot(vm, (1ULL << 40) - RAM_SIZE, RAM_SIZE, mem) == 0,
	      "type 0: slot ending at 1 TiB");
	CHECK(slot(vm, 1ULL << 40, 0, mem) == 0, "delete");
	CHECK(slot(vm, 1ULL << 40, RAM_SIZE, mem) == EFAULT,
	      "type 0: slot at 1 TiB");
	close(vm);
}

static int vcpu_init(int vcpu, uint32_t f0, uint32_t f1, uint32_t target)
{
	struct kvm_vcpu_init init = { .target = target };

	init.features[0] = f0;
	init.features[1] = f1;
	return err(ioctl(vcpu, KVM_ARM_VCPU_INIT, &init));
}

static uint64_t core_id(uint64_t size, uint64_t off_bytes)
{
	return KVM_REG_ARM64 | size | KVM_REG_ARM_CORE | (off_bytes / 4);
}

#define CORE64(field) \
	core_id(KVM_REG_SIZE_U64, offsetof(struct kvm_regs, field))

static int get_reg(int vcpu, uint64_t id, void *v)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)v };

	return err(ioctl(vcpu, KVM_GET_ONE_REG, &r));
}

static int set_reg(int vcpu, uint64_t id, uint64_t v)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&v };

	return err(ioctl(vcpu, KVM_SET_ONE_REG, &r));
}

static void test_init(int vm, int vcpu)
{
	struct kvm_vcpu_init pref;
	uint64_t v = 0;
	int v2;

	CHECK(ioctl(vm, KVM_ARM_PREFERRED_TARGET, &pref) == 0 &&
	      pref.target == KVM_ARM_TARGET_GENERIC_V8, "preferred target");
	CHECK(get_reg(vcpu, CORE64(regs.pc), &v) == ENOEXEC,
	      "ONE_REG before INIT");
	CHECK(err(ioctl(vcpu, KVM_RUN, 0)) == ENOEXEC, "RUN before INIT");
	CHECK(vcpu_init(vcpu, 0, 0, 0) == EINVAL, "target 0");
	CHECK(vcpu_init(vcpu, 1u << KVM_ARM_VCPU_EL1_32BIT, 0, 5) == EINVAL,
	      "EL1_32BIT");
	CHECK(vcpu_init(vcpu, 1u << KVM_ARM_VCPU_SVE, 0, 5) == EINVAL, "SVE");
	CHECK(vcpu_init(vcpu, 1u << KVM_ARM_VCPU_PMU_V3, 0, 5) == EINVAL,
	      "PMU");
	CHECK(vcpu_init(vcpu, 1u << KVM_ARM_VCPU_PTRAUTH_ADDRESS, 0, 5) ==
	      EINVAL, "ptrauth");
	CHECK(vcpu_init(vcpu, 1u << 20, 0, 5) == ENOENT, "undefined bit");
	CHECK(vcpu_init(vcpu, 0, 1, 5) == ENOENT, "features[1]");
	CHECK(vcpu_init(vcpu, 1u << KVM_ARM_VCPU_PSCI_0_2, 0, 5) == 0,
	      "PSCI 0.2");
	v2 = ioctl(vm, KVM_CREATE_VCPU, 1);
	CHECK(vcpu_init(v2, 0, 0, 5) == EINVAL, "other features, same VM");
	CHECK(vcpu_init(v2, (1u << KVM_ARM_VCPU_PSCI_0_2) |
			(1u << KVM_ARM_VCPU_POWER_OFF), 0, 5) == 0,
	      "POWER_OFF is not a VM feature");
	close(v2);
}

static void test_one_reg(int vcpu)
{
	struct kvm_reg_list hdr = { .n = 0 }, *list;
	uint64_t v = 0, pc_u32 = core_id(KVM_REG_SIZE_U32,
					 offsetof(struct kvm_regs, regs.pc));

	CHECK(set_reg(vcpu, CORE64(regs.pc), 0x1234) == 0, "set pc");
	CHECK(get_reg(vcpu, CORE64(regs.pc), &v) == 0 && v == 0x1234,
	      "get pc %#llx", (unsigned long long)v);
	CHECK(get_reg(vcpu, pc_u32, &v) == EINVAL, "pc as u32");
	CHECK(get_reg(vcpu, core_id(KVM_REG_SIZE_U64, 4), &v) == EINVAL,
	      "misaligned core offset");
	CHECK(get_reg(vcpu, core_id(KVM_REG_SIZE_U64, 2000), &v) == ENOENT,
	      "core offset beyond kvm_regs");
	CHECK(set_reg(vcpu, CORE64(regs.pstate), 0x3c9) == EINVAL,
	      "pstate EL2h");
	CHECK(set_reg(vcpu, CORE64(regs.pstate), 0x3c5) == 0, "pstate EL1h");
	CHECK(get_reg(vcpu, ARM64_SYS_REG(3, 0, 15, 15, 7), &v) == ENOENT,
	      "unknown system register");
	CHECK(get_reg(vcpu, KVM_REG_ARM_PSCI_VERSION, &v) == 0 &&
	      v == 0x10001, "PSCI version %#llx", (unsigned long long)v);
	CHECK(set_reg(vcpu, KVM_REG_ARM_PSCI_VERSION, 1) == EINVAL,
	      "PSCI 0.1 with PSCI_0_2");
	CHECK(set_reg(vcpu, KVM_REG_ARM_PSCI_VERSION, 0x10000) == 0,
	      "PSCI 1.0");
	CHECK(set_reg(vcpu, KVM_REG_ARM_PSCI_VERSION, 0x10001) == 0,
	      "PSCI 1.1");
	CHECK(get_reg(vcpu, ARM64_SYS_REG(3, 0, 0, 0, 5), &v) == 0 &&
	      v == 0x80000000, "MPIDR %#llx", (unsigned long long)v);
	CHECK(err(ioctl(vcpu, KVM_GET_REG_LIST, &hdr)) == E2BIG && hdr.n > 80,
	      "reg list size %llu", (unsigned long long)hdr.n);
	list = calloc(1, sizeof(*list) + hdr.n * sizeof(uint64_t));
	list->n = hdr.n;
	CHECK(ioctl(vcpu, KVM_GET_REG_LIST, list) == 0 &&
	      list->reg[0] == core_id(KVM_REG_SIZE_U64, 0), "reg list");
	free(list);
}

static int set_filter(int vm, uint32_t base, uint32_t nr, uint8_t action,
		      uint8_t pad0)
{
	struct kvm_smccc_filter f = { base, nr, action, { pad0 } };
	struct kvm_device_attr a = {
		.group = KVM_ARM_VM_SMCCC_CTRL, .attr = KVM_ARM_VM_SMCCC_FILTER,
		.addr = (uintptr_t)&f,
	};

	return err(ioctl(vm, KVM_SET_DEVICE_ATTR, &a));
}

static int has_attr(int vm, uint32_t group, uint64_t attr)
{
	struct kvm_device_attr a = { .group = group, .attr = attr };

	return err(ioctl(vm, KVM_HAS_DEVICE_ATTR, &a));
}

static void test_filter(int vm)
{
	const uint8_t deny = KVM_SMCCC_FILTER_DENY;

	CHECK(has_attr(vm, 0, 0) == 0, "has filter");
	CHECK(has_attr(vm, 0, 1) == ENXIO, "attr 1");
	CHECK(has_attr(vm, 1, 0) == ENXIO, "group 1");
	{
		struct kvm_device_attr a = { 0 };

		CHECK(err(ioctl(vm, KVM_GET_DEVICE_ATTR, &a)) == EINVAL,
		      "GET_DEVICE_ATTR is no arm64 VM ioctl");
	}
	CHECK(set_filter(vm, FWD_BASE, 1, deny, 1) == EINVAL, "pad");
	CHECK(set_filter(vm, FWD_BASE, 0, deny, 0) == EINVAL, "nr 0");
	CHECK(set_filter(vm, 0xffffffffU, 2, deny, 0) == EINVAL, "overflow");
	CHECK(set_filter(vm, FWD_BASE, 1, 3, 0) == EINVAL, "action 3");
	CHECK(set_filter(vm, ARM_SMCCC_ARCH_WORKAROUND_1, 1, deny, 0) ==
	      EEXIST, "WORKAROUND_1 is reserved");
	CHECK(set_filter(vm, SMC64_ARCH_BASE, 1, deny, 0) == EEXIST,
	      "SMC64 arch range is reserved");
	CHECK(set_filter(vm, FWD_BASE, 0x100, KVM_SMCCC_FILTER_FWD_TO_USER,
			 0) == 0, "forward range");
	CHECK(set_filter(vm, FWD_BASE + 0xff, 2, deny, 0) == EEXIST,
	      "overlap");
	CHECK(set_filter(vm, FWD_BASE + 0x100, 1, deny, 0) == 0, "deny one");
}

static const uint32_t guest[] = {
	0xd2800200, 0xf2b86000, 0xd4000002, 0xaa0003e5, /* x0=fwd+0x10 hvc */
	0xd2800400, 0xf2b86000, 0xd4000003, 0xaa0003e6, /* x0=fwd+0x20 smc */
	0xd2802000, 0xf2b86000, 0xd4000002, 0xaa0003e7, /* denied hvc */
	0xd2800000, 0xf2b00000, 0xd4000002, 0xaa0003e8, /* SMCCC_VERSION */
	0xd2a12001, 0x52800822, 0x39000022,		/* strb w2, [UART] */
	0xb9400424,					/* ldr w4, [x1,#4] */
	0xd2800100, 0xf2b08000, 0xd4000002,		/* PSCI SYSTEM_OFF */
	0x14000000,
};

static uint64_t xreg(int vcpu, int n)
{
	uint64_t v = 0;

	get_reg(vcpu, CORE64(regs.regs[n]), &v);
	return v;
}

static void test_guest(int vm, int vcpu, struct kvm_run *run, void *mem)
{
	uint64_t pc = 0;

	memcpy(mem, guest, sizeof(guest));
	CHECK(slot(vm, RAM_GPA, RAM_SIZE, mem) == 0, "RAM");
	set_reg(vcpu, CORE64(regs.pc), RAM_GPA);
	CHECK(ioctl(vcpu, KVM_RUN, 0) == 0 &&
	      run->exit_reason == KVM_EXIT_HYPERCALL &&
	      run->hypercall.nr == FWD_BASE + 0x10 &&
	      run->hypercall.args[0] == 0 && run->hypercall.longmode == 0,
	      "HVC forwarded: exit %u nr %#llx", run->exit_reason,
	      (unsigned long long)run->hypercall.nr);
	get_reg(vcpu, CORE64(regs.pc), &pc);
	CHECK(pc == RAM_GPA + 12, "PC after the HVC: %#llx",
	      (unsigned long long)pc);
	set_reg(vcpu, CORE64(regs.regs[0]), 0xabc);
	CHECK(ioctl(vcpu, KVM_RUN, 0) == 0 &&
	      run->exit_reason == KVM_EXIT_HYPERCALL &&
	      run->hypercall.nr == FWD_BASE + 0x20 &&
	      run->hypercall.longmode == KVM_HYPERCALL_EXIT_SMC,
	      "SMC forwarded: flags %#x", run->hypercall.longmode);
	set_reg(vcpu, CORE64(regs.regs[0]), 0xdef);
	CHECK(ioctl(vcpu, KVM_RUN, 0) == 0 &&
	      run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write &&
	      run->mmio.phys_addr == UART && run->mmio.len == 1 &&
	      run->mmio.data[0] == 0x41, "MMIO store");
	CHECK(ioctl(vcpu, KVM_RUN, 0) == 0 &&
	      run->exit_reason == KVM_EXIT_MMIO && !run->mmio.is_write &&
	      run->mmio.phys_addr == UART + 4 && run->mmio.len == 4,
	      "MMIO load");
	memcpy(run->mmio.data, "\x44\x33\x22\x11", 4);
	CHECK(ioctl(vcpu, KVM_RUN, 0) == 0 &&
	      run->exit_reason == KVM_EXIT_SYSTEM_EVENT &&
	      run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN,
	      "SYSTEM_OFF: exit %u", run->exit_reason);
	CHECK(xreg(vcpu, 5) == 0xabc && xreg(vcpu, 6) == 0xdef,
	      "VMM results seen by the guest");
	CHECK(xreg(vcpu, 7) == ~0ULL, "denied call: %#llx",
	      (unsigned long long)xreg(vcpu, 7));
	CHECK(xreg(vcpu, 8) == 0x10001, "SMCCC_VERSION");
	CHECK(xreg(vcpu, 4) == 0x11223344, "MMIO load data");
	CHECK(set_filter(vm, 0x82000000, 1, KVM_SMCCC_FILTER_DENY, 0) == EBUSY,
	      "filter after a vCPU ran");
}

/* The in-kernel GICv3 with the real header's numbers (arm-vgic-v3.rst). */
static int gic_attr(int fd, unsigned long req, uint32_t grp, uint64_t a,
		    void *val)
{
	struct kvm_device_attr d = { .group = grp, .attr = a,
				     .addr = (uintptr_t)val };

	return ioctl(fd, req, &d) ? errno : 0;
}

static void test_gic(void)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	struct kvm_create_device its = { .type = KVM_DEV_TYPE_ARM_VGIC_ITS };
	struct kvm_irq_level l = {
		.irq = KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | 40,
		.level = 1 };
	int vm = create_vm(0), vcpu = ioctl(vm, KVM_CREATE_VCPU, 0), gic;
	uint64_t a, sre = 0;
	uint32_t v = 0;

	CHECK(ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) == 1, "IRQCHIP");
	CHECK(ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_MULTI_ADDRESS_SPACE) ==
	      0, "MULTI_ADDRESS_SPACE is not an arm64 capability");
	CHECK(vcpu_init(vcpu, 1u << KVM_ARM_VCPU_PSCI_0_2, 0, 5) == 0, "init");
	CHECK(err(ioctl(vm, KVM_IRQ_LINE, &l)) == ENXIO, "SPI without a GIC");
	CHECK(ioctl(vm, KVM_CREATE_DEVICE, &cd) == 0, "GICv3: %s",
	      strerror(errno));
	gic = (int)cd.fd;
	CHECK(err(ioctl(vm, KVM_CREATE_DEVICE, &cd)) == EEXIST, "second GIC");
	CHECK(err(ioctl(vm, KVM_CREATE_DEVICE, &its)) == ENODEV, "no ITS");
	a = 0x1000;
	CHECK(gic_attr(gic, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
		       KVM_VGIC_V3_ADDR_TYPE_DIST, &a) == EINVAL, "DIST align");
	a = 0x08000000;
	CHECK(gic_attr(gic, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
		       KVM_VGIC_V3_ADDR_TYPE_DIST, &a) == 0, "DIST");
	a = 0x080a0000;
	CHECK(gic_attr(gic, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_ADDR,
		       KVM_VGIC_V3_ADDR_TYPE_REDIST, &a) == 0, "REDIST");
	CHECK(gic_attr(gic, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
		       0, &v) == EBUSY, "registers before CTRL_INIT");
	CHECK(gic_attr(gic, KVM_SET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_CTRL,
		       KVM_DEV_ARM_VGIC_CTRL_INIT, NULL) == 0, "CTRL_INIT");
	CHECK(gic_attr(gic, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_NR_IRQS,
		       0, &v) == 0 && v == 256, "NR_IRQS %u", v);
	CHECK(gic_attr(gic, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_DIST_REGS,
		       0xffe8, &v) == 0 && v == 0x3b, "GICD_PIDR2 %#x", v);
	CHECK(gic_attr(gic, KVM_GET_DEVICE_ATTR,
		       KVM_DEV_ARM_VGIC_GRP_REDIST_REGS, 8, &v) == 0 &&
	      v == 0x10, "GICR_TYPER of the only vCPU: Last %#x", v);
	CHECK(gic_attr(gic, KVM_GET_DEVICE_ATTR,
		       KVM_DEV_ARM_VGIC_GRP_CPU_SYSREGS, 0xc665, &sre) == 0 &&
	      sre == 7, "ICC_SRE_EL1 %#llx", (unsigned long long)sre);
	CHECK(ioctl(vm, KVM_IRQ_LINE, &l) == 0, "SPI 40: %s", strerror(errno));
	CHECK(gic_attr(gic, KVM_GET_DEVICE_ATTR, KVM_DEV_ARM_VGIC_GRP_LEVEL_INFO,
		       32, &v) == 0 && v == 1u << 8, "line level %#x", v);
	close(gic);
	close(vcpu);
	close(vm);
}

int main(void)
{
	struct kvm_run *run;
	void *mem;
	int vm, vcpu;

	setvbuf(stdout, NULL, _IONBF, 0);
	kvm = open("/dev/kvm", O_RDWR);
	if (kvm < 0) {
		perror("/dev/kvm");
		return 1;
	}
	mem = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	test_ipa(mem);
	vm = create_vm(0);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	run = mmap(NULL, ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0),
		   PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	CHECK(vm >= 0 && vcpu >= 0 && run != MAP_FAILED, "VM and vCPU");
	test_init(vm, vcpu);
	test_one_reg(vcpu);
	test_filter(vm);
	test_guest(vm, vcpu, run, mem);
	test_gic();
	printf("arm64_api: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
