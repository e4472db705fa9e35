// SPDX-License-Identifier: MIT
/*
 * A program a user writes against the installed or the build-tree kvmu:
 * only <kvmu/kvmu.h> and <linux/kvm.h>.  It runs a real-mode guest that
 * writes 0x5a to port 0x10, adds 1 with a 32-bit ADD, writes the sum to
 * port 0x11 and halts, and prints "ok" when every exit was as expected.
 *
 * Built with -DCLASH (and -rdynamic), it also defines functions named like
 * kvmu's internals.  Were they exported by libkvmu.so, the executable's
 * definitions would take over KVM_RUN, the CPU or the dispatcher; each one
 * therefore counts its calls, and any call is a failure.
 */
#include <kvmu/kvmu.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define CODE	0x1000
#define MEM	0x10000

static const uint8_t guest[] = {
	0xb0, 0x5a,				/* mov al,0x5a */
	0xe6, 0x10,				/* out 0x10,al */
	0x66, 0x05, 0x01, 0x00, 0x00, 0x00,	/* add eax,1 */
	0xe6, 0x11,				/* out 0x11,al */
	0xf4,					/* hlt */
};

#ifdef CLASH
static int hijacked;

#define INTERNAL(name) \
	long name(void); \
	long name(void) { hijacked++; return -1; }
INTERNAL(vcpu_run)
INTERNAL(x86_step)
INTERNAL(op_add32)
INTERNAL(vm_create_vcpu)
INTERNAL(vm_set_memory_region)
INTERNAL(sys_create_vm)
INTERNAL(kvmu_vcpu_create)
INTERNAL(kvmu_memslot_find)
INTERNAL(kvmu_obj_get)
INTERNAL(kvmu_copy_from_user)
#endif

static int fail(const char *what)
{
	perror(what);
	return 1;
}

/* One KVM_RUN that must end in a 1-byte OUT of value to port. */
static int expect_out(int vcpu, struct kvm_run *run, unsigned int port,
		      unsigned int value)
{
	const uint8_t *data;

	if (kvmu_ioctl(vcpu, KVM_RUN, 0) < 0)
		return fail("KVM_RUN");
	data = (const uint8_t *)run + run->io.data_offset;
	if (run->exit_reason != KVM_EXIT_IO ||
	    run->io.direction != KVM_EXIT_IO_OUT || run->io.port != port ||
	    run->io.size != 1 || *data != value) {
		fprintf(stderr, "exit %u port %#x value %#x, want OUT %#x %#x\n",
			run->exit_reason, run->io.port, *data, port, value);
		return 1;
	}
	return 0;
}

static int setup(int vm, int vcpu)
{
	static uint8_t mem[MEM] __attribute__((aligned(4096)));
	struct kvm_userspace_memory_region slot = {
		.memory_size = MEM, .userspace_addr = (uintptr_t)mem,
	};
	struct kvm_regs regs = { .rip = CODE, .rflags = 2 };
	struct kvm_sregs sregs;

	memcpy(mem + CODE, guest, sizeof(guest));
	if (kvmu_ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");
	if (kvmu_ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (kvmu_ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	if (kvmu_ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return fail("KVM_SET_REGS");
	return 0;
}

int main(void)
{
	int sys = kvmu_open(KVMU_ARCH_X86_64, 0);
	int vm, vcpu, size;
	struct kvm_run *run;

	if (sys < 0)
		return fail("kvmu_open");
	vm = kvmu_ioctl(sys, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	vcpu = kvmu_ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	size = kvmu_ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
		   vcpu, 0);
	if (size < 0 || run == MAP_FAILED)
		return fail("mmap of the vCPU");
	if (setup(vm, vcpu) || expect_out(vcpu, run, 0x10, 0x5a) ||
	    expect_out(vcpu, run, 0x11, 0x5b))
		return 1;
	if (kvmu_ioctl(vcpu, KVM_RUN, 0) < 0)
		return fail("KVM_RUN");
	if (run->exit_reason != KVM_EXIT_HLT) {
		fprintf(stderr, "exit %u, want HLT\n", run->exit_reason);
		return 1;
	}
#ifdef CLASH
	if (hijacked) {
		fprintf(stderr, "the program's internal-named functions were "
			"called %d times\n", hijacked);
		return 1;
	}
#endif
	printf("ok\n");
	return 0;
}
