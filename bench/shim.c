// SPDX-License-Identifier: MIT
/*
 * What the LD_PRELOAD shim costs, built twice by bench/shim.sh: plain (an
 * ordinary /dev/kvm program, run with and without the shim) and with
 * -DKVMU against libkvmu (the library called directly).
 *
 *   shim_bench ioctl N   ioctl(FIONREAD) on a pipe: a descriptor that is
 *                        not kvmu's, the shim's pass-through path
 *   shim_bench pio N     KVM_RUN round trips of a guest looping on OUT
 *
 * Prints "name nanoseconds-per-operation" (the best of three rounds).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define BENCH_NAME "shim_bench"
#include "bench_util.h"

#define ROUNDS 3

static double bench_ioctl(long n)
{
	int p[2], avail;
	double t0;
	long i;

	if (pipe(p))
		die("pipe");
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (ioctl(p[0], FIONREAD, &avail))
			die("FIONREAD");
	t0 = (now_ns() - t0) / (double)n;
	close(p[0]);
	close(p[1]);
	return t0;
}

/* A real-mode vCPU at 0:0x1000 looping on "out 0x10, al". */
static int pio_vcpu(struct kvm_run **run)
{
	static const uint8_t code[] = { 0xe6, 0x10, 0xeb, 0xfc };
	struct kvm_userspace_memory_region slot = { .memory_size = 0x10000 };
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 2 };
	struct kvm_sregs sregs;
	int sys, vm, vcpu, size;
	uint8_t *ram;

	sys = KVM_OPEN();
	if (sys < 0)
		die("open /dev/kvm");
	vm = KVM_IOCTL(sys, KVM_CREATE_VM, 0);
	size = KVM_IOCTL(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	ram = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm < 0 || size <= 0 || ram == MAP_FAILED)
		die("VM set-up");
	memcpy(ram + 0x1000, code, sizeof(code));
	slot.userspace_addr = (uintptr_t)ram;
	if (KVM_IOCTL(vm, KVM_SET_USER_MEMORY_REGION, &slot))
		die("KVM_SET_USER_MEMORY_REGION");
	vcpu = KVM_IOCTL(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0 || KVM_IOCTL(vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_CREATE_VCPU");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (KVM_IOCTL(vcpu, KVM_SET_SREGS, &sregs) ||
	    KVM_IOCTL(vcpu, KVM_SET_REGS, &regs))
		die("KVM_SET_SREGS");
	*run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED,
		    vcpu, 0);
	if (*run == MAP_FAILED)
		die("mmap vcpu");
	return vcpu;
}

static double bench_pio(long n)
{
	static int vcpu = -1;
	static struct kvm_run *run;
	double t0;
	long i;

	if (vcpu < 0)
		vcpu = pio_vcpu(&run);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (KVM_IOCTL(vcpu, KVM_RUN, 0) ||
		    run->exit_reason != KVM_EXIT_IO)
			die("KVM_RUN");
	return (now_ns() - t0) / (double)n;
}

int main(int argc, char **argv)
{
	double best = 0, t;
	long n;
	int r;

	if (argc != 3 || (strcmp(argv[1], "ioctl") && strcmp(argv[1], "pio"))) {
		fprintf(stderr, "usage: shim_bench ioctl|pio N\n");
		return 2;
	}
	n = atol(argv[2]);
	if (n <= 0)
		return 2;
	for (r = 0; r < ROUNDS; r++) {
		t = argv[1][0] == 'i' ? bench_ioctl(n) : bench_pio(n);
		if (!r || t < best)
			best = t;
	}
	printf("%s %.1f\n", argv[1], best);
	return 0;
}
