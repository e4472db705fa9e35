// SPDX-License-Identifier: MIT
/*
 * Micro-benchmarks of the KVM API, built twice by bench/run.sh: with
 * -DKVMU against libkvmu (kvmu_open/kvmu_ioctl), without it against the
 * real /dev/kvm.  Same source, same work, so the two are comparable.
 *
 *   kvm_bench pio N      KVM_RUN round trips of a guest looping on OUT
 *   kvm_bench create N   VM + memory slot + vCPU (+ mmap) creation
 *   kvm_bench slots N    N one-page memory slots added, moved, deleted
 *   kvm_bench planes N   plane switch round trips: plane 0 exits on OUT,
 *                        plane 1 runs to its OUT, plane 0 again (the VM
 *                        planes RFC; exit 77 where KVM has no planes)
 *
 * Prints one "name value" line; exit 77 when the backend is absent.
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

#define BENCH_NAME "kvm_bench"
#include "bench_util.h"

#define RAM_SIZE	(2UL << 20)
#define CODE_AT		0x1000

struct vm {
	int sys, vm, vcpu, run_size;
	struct kvm_run *run;
};

static void vm_up(struct vm *v, int sys, void *ram)
{
	struct kvm_userspace_memory_region slot = {
		.memory_size = RAM_SIZE, .userspace_addr = (uintptr_t)ram,
	};

	v->sys = sys;
	v->vm = KVM_IOCTL(sys, KVM_CREATE_VM, 0);
	if (v->vm < 0)
		die("KVM_CREATE_VM");
	if (KVM_IOCTL(v->vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	v->vcpu = KVM_IOCTL(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		die("KVM_CREATE_VCPU");
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	if (v->run == MAP_FAILED)
		die("mmap vcpu");
}

static void vm_down(struct vm *v)
{
	munmap(v->run, v->run_size);
	close(v->vcpu);
	close(v->vm);
}

/* Real mode at 0000:1000: mov dx, 0x10; 1: out dx, al; jmp 1b. */
static void pio_guest(struct vm *v, uint8_t *ram)
{
	static const uint8_t code[] = { 0xBA, 0x10, 0x00, 0xEE, 0xEB, 0xFD };
	struct kvm_regs regs = { .rip = CODE_AT, .rflags = 2 };
	struct kvm_sregs sregs;

	memcpy(ram + CODE_AT, code, sizeof(code));
	if (KVM_IOCTL(v->vcpu, KVM_GET_SREGS, &sregs) < 0)
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (KVM_IOCTL(v->vcpu, KVM_SET_SREGS, &sregs) < 0 ||
	    KVM_IOCTL(v->vcpu, KVM_SET_REGS, &regs) < 0)
		die("setting registers");
}

static double bench_pio(int sys, uint8_t *ram, long n)
{
	struct vm v = { .run_size = KVM_IOCTL(sys, KVM_GET_VCPU_MMAP_SIZE, 0) };
	double t0 = 0;
	long i;

	vm_up(&v, sys, ram);
	pio_guest(&v, ram);
	for (i = -n / 10 - 1; i < n; i++) {	/* the first tenth warms up */
		if (!i)
			t0 = now_ns();
		if (KVM_IOCTL(v.vcpu, KVM_RUN, 0) < 0)
			die("KVM_RUN");
		if (v.run->exit_reason != KVM_EXIT_IO || v.run->io.port != 0x10) {
			fprintf(stderr, "kvm_bench: unexpected exit %u\n",
				v.run->exit_reason);
			exit(1);
		}
	}
	t0 = (now_ns() - t0) / n;
	vm_down(&v);
	return t0;
}

/* The planes RFC's numbers (include/kvmu/abi/planes.h). */
#define BENCH_CAP_PLANES	239
#define BENCH_CREATE_PLANE	_IO(KVMIO, 0xd6)
#define BENCH_CREATE_VCPU_PLANE	_IO(KVMIO, 0xd7)

/* One exit of the expected port on the given plane (kvm_run offset 2). */
static void run_on(struct vm *v, int plane, uint16_t port)
{
	((uint8_t *)v->run)[2] = (uint8_t)plane;
	if (KVM_IOCTL(v->vcpu, KVM_RUN, 0) < 0)
		die("KVM_RUN");
	if (v->run->exit_reason != KVM_EXIT_IO || v->run->io.port != port) {
		fprintf(stderr, "kvm_bench: unexpected exit %u\n",
			v->run->exit_reason);
		exit(1);
	}
}

static double bench_planes(int sys, uint8_t *ram, long n)
{
	/* plane 1: mov dx, 0x11; 1: out dx, al; jmp 1b */
	static const uint8_t code1[] = { 0xBA, 0x11, 0x00, 0xEE, 0xEB, 0xFD };
	struct vm v = { .run_size = KVM_IOCTL(sys, KVM_GET_VCPU_MMAP_SIZE, 0) };
	struct kvm_regs regs = { .rip = CODE_AT + 0x100, .rflags = 2 };
	struct kvm_sregs sregs;
	int plane, vcpu1;
	double t0 = 0;
	long i;

	if (KVM_IOCTL(sys, KVM_CHECK_EXTENSION, BENCH_CAP_PLANES) < 2)
		exit(77);
	vm_up(&v, sys, ram);
	pio_guest(&v, ram);
	memcpy(ram + CODE_AT + 0x100, code1, sizeof(code1));
	plane = KVM_IOCTL(v.vm, BENCH_CREATE_PLANE, 1);
	vcpu1 = plane < 0 ? -1 :
		KVM_IOCTL(plane, BENCH_CREATE_VCPU_PLANE, v.vcpu);
	if (vcpu1 < 0 || KVM_IOCTL(v.vcpu, KVM_GET_SREGS, &sregs) < 0 ||
	    KVM_IOCTL(vcpu1, KVM_SET_SREGS, &sregs) < 0 ||
	    KVM_IOCTL(vcpu1, KVM_SET_REGS, &regs) < 0)
		die("plane 1");
	for (i = -n / 10 - 1; i < n; i++) {
		if (!i)
			t0 = now_ns();
		run_on(&v, 0, 0x10);
		run_on(&v, 1, 0x11);
	}
	t0 = (now_ns() - t0) / n;
	close(vcpu1);
	close(plane);
	vm_down(&v);
	return t0;
}

static double bench_create(int sys, uint8_t *ram, long n)
{
	struct vm v = { .run_size = KVM_IOCTL(sys, KVM_GET_VCPU_MMAP_SIZE, 0) };
	double t0 = now_ns();
	long i;

	for (i = 0; i < n; i++) {
		vm_up(&v, sys, ram);
		vm_down(&v);
	}
	return (now_ns() - t0) / n;
}

static int set_slot(int vm, uint32_t id, uint64_t gpa, uint64_t size,
		    uint8_t *mem)
{
	struct kvm_userspace_memory_region r = {
		.slot = id, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)mem + id * 4096UL,
	};

	return KVM_IOCTL(vm, KVM_SET_USER_MEMORY_REGION, &r);
}

/* Total ns for N slots: added (ascending), moved, deleted. */
static double bench_slots(int sys, long n)
{
	uint8_t *mem = mmap(NULL, n * 4096UL, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	int vm = KVM_IOCTL(sys, KVM_CREATE_VM, 0);
	double t0 = now_ns();
	long i;

	if (mem == MAP_FAILED || vm < 0)
		die("slots setup");
	for (i = 0; i < n; i++)
		if (set_slot(vm, i, 0x100000000UL + i * 8192UL, 4096, mem))
			die("slot add");
	for (i = 0; i < n; i++)
		if (set_slot(vm, i, 0x100000000UL + i * 8192UL + 4096, 4096,
			     mem))
			die("slot move");
	for (i = 0; i < n; i++)
		if (set_slot(vm, i, 0, 0, mem))
			die("slot delete");
	t0 = now_ns() - t0;
	close(vm);
	munmap(mem, n * 4096UL);
	return t0;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 0;
	uint8_t *ram;
	int sys;

	if (argc != 3 || n <= 0 || (strcmp(argv[1], "pio") &&
				    strcmp(argv[1], "create") &&
				    strcmp(argv[1], "planes") &&
				    strcmp(argv[1], "slots"))) {
		fprintf(stderr, "usage: kvm_bench pio|create|slots|planes N\n");
		return 2;
	}
	sys = KVM_OPEN();
	if (sys < 0) {
		fprintf(stderr, "kvm_bench: no KVM: %s\n", strerror(errno));
		return 77;
	}
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap");
	if (!strcmp(argv[1], "pio"))
		printf("pio_ns %.1f\n", bench_pio(sys, ram, n));
	else if (!strcmp(argv[1], "planes"))
		printf("planes_ns %.1f\n", bench_planes(sys, ram, n));
	else if (!strcmp(argv[1], "slots"))
		printf("slots_ns %.1f\n", bench_slots(sys, n));
	else
		printf("create_ns %.1f\n", bench_create(sys, ram, n));
	return 0;
}
