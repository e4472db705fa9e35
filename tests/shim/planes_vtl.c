// SPDX-License-Identifier: MIT
/*
 * A small VTL-aware VMM on KVM VM planes (the April 2025 RFC's API), as an
 * ordinary /dev/kvm program: no kvmu header, the RFC's numbers declared
 * here as a VMM built against that series' <linux/kvm.h> would have them.
 * Run under the shim (tests/shell/shim_planes.sh); tests/unit/
 * test_planes_vtl.c builds the same source against the library.
 *
 * Plane 1 plays VTL1 (the secure kernel), plane 0 VTL0.  VTL1 boots first
 * and asks, by hypercall (OUT 0x20), that two pages be write-protected for
 * VTL0; the VMM sets the no-write attribute on plane 0 (VM fd).  VTL0
 * writes both pages: each write exits with KVM_EXIT_MEMORY_FAULT, the VMM
 * switches to plane 1 at its handler with the faulting address in BX,
 * VTL1 gives its verdict (OUT 0x22): allow (the VMM lifts the protection
 * and VTL0's write retries) or deny (the VMM skips VTL0's instruction).
 * Prints the transcript; exit 0 on success, 77 when there are no planes.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* The RFC's ABI (kvm.git planes-20250401). */
#define RFC_CAP_PLANES		239
#define RFC_CREATE_PLANE	_IO(KVMIO, 0xd6)
#define RFC_CREATE_VCPU_PLANE	_IO(KVMIO, 0xd7)
#define RFC_EXIT_MEMORY_FAULT	39
#define RFC_MEMATTR_NW		(1ULL << 1)	/* Hyper-V VSM RFC */
#define RFC_FAULT_WRITE		(1ULL << 1)
struct rfc_memory_attributes {
	uint64_t address, size, attributes, flags;
};
#define RFC_SET_MEMORY_ATTRIBUTES \
	_IOW(KVMIO, 0xd2, struct rfc_memory_attributes)

#ifdef VTL_LIBKVMU
#include <kvmu/kvmu.h>
#define vtl_open_kvm() kvmu_open(KVMU_ARCH_X86_64, KVMU_OPEN_CLOEXEC)
#define vtl_ioctl kvmu_ioctl
#else
#define vtl_open_kvm() open("/dev/kvm", O_RDWR | O_CLOEXEC)
#define vtl_ioctl ioctl
#endif

#define MEM_SIZE	0x10000UL
#define VTL0_CODE	0x1000
#define VTL1_BOOT	0x2000
#define VTL1_HANDLER	0x2100
#define PAGE_A		0x5000		/* VTL1 allows writes here */
#define PAGE_B		0x6000		/* ... and denies them here */

static const uint8_t vtl0_code[] = {
	0xc6, 0x06, 0x00, 0x50, 0x41,	/* mov byte [0x5000], 0x41 */
	0xc6, 0x06, 0x00, 0x60, 0x42,	/* mov byte [0x6000], 0x42 */
	0xa0, 0x00, 0x50,		/* mov al, [0x5000] */
	0xe6, 0x10,			/* out 0x10, al: done */
};

static const uint8_t vtl1_boot[] = {
	0xb8, 0x00, 0x50, 0xe7, 0x20,	/* mov ax, 0x5000; out 0x20, ax */
	0xb8, 0x00, 0x60, 0xe7, 0x20,	/* mov ax, 0x6000; out 0x20, ax */
	0xe6, 0x21,			/* out 0x21, al: enter VTL0 */
};

static const uint8_t vtl1_handler[] = {
	0x81, 0xfb, 0x00, 0x50,		/* cmp bx, 0x5000 */
	0x75, 0x04,			/* jne deny */
	0xb0, 0x01,			/* mov al, 1 */
	0xeb, 0x02,			/* jmp report */
	0xb0, 0x00,			/* deny: mov al, 0 */
	0xe6, 0x22,			/* report: out 0x22, al */
};

struct vmm {
	int kvm, vm, vcpu, plane, vcpu1;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
	uint64_t fault_gpa;
	FILE *out;
};

static int vtl_fail(struct vmm *v, const char *what)
{
	fprintf(v->out, "FAIL: %s: %s\n", what, strerror(errno));
	return 1;
}

/* Real mode at rip with flat CS; other registers as given. */
static int real_mode(struct vmm *v, int fd, uint64_t rip, uint64_t rbx)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	if (vtl_ioctl(fd, KVM_GET_SREGS, &s) < 0)
		return -1;
	s.cs.base = 0;
	s.cs.selector = 0;
	if (vtl_ioctl(fd, KVM_SET_SREGS, &s) < 0)
		return -1;
	memset(&r, 0, sizeof(r));
	r.rip = rip;
	r.rbx = rbx;
	r.rsp = 0x8000;
	r.rflags = 2;
	(void)v;
	return vtl_ioctl(fd, KVM_SET_REGS, &r);
}

static int protect(struct vmm *v, uint64_t gpa, uint64_t attrs)
{
	struct rfc_memory_attributes a = { gpa, 0x1000, attrs, 0 };

	/* plane 0's attributes live on the VM fd */
	return vtl_ioctl(v->vm, RFC_SET_MEMORY_ATTRIBUTES, &a);
}

static int setup(struct vmm *v)
{
	struct kvm_userspace_memory_region r = { 0 };
	int n;

	v->kvm = vtl_open_kvm();
	if (v->kvm < 0)
		return vtl_fail(v, "open");
	if (vtl_ioctl(v->kvm, KVM_CHECK_EXTENSION, RFC_CAP_PLANES) < 2) {
		fprintf(v->out, "SKIP: no VM planes here\n");
		return 77;
	}
	v->vm = vtl_ioctl(v->kvm, KVM_CREATE_VM, 0);
	v->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->vm < 0 || v->mem == MAP_FAILED)
		return vtl_fail(v, "VM");
	memcpy(v->mem + VTL0_CODE, vtl0_code, sizeof(vtl0_code));
	memcpy(v->mem + VTL1_BOOT, vtl1_boot, sizeof(vtl1_boot));
	memcpy(v->mem + VTL1_HANDLER, vtl1_handler, sizeof(vtl1_handler));
	r.memory_size = MEM_SIZE;
	r.userspace_addr = (uintptr_t)v->mem;
	if (vtl_ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		return vtl_fail(v, "memory");
	v->vcpu = vtl_ioctl(v->vm, KVM_CREATE_VCPU, 0);
	v->plane = vtl_ioctl(v->vm, RFC_CREATE_PLANE, 1);
	if (v->vcpu < 0 || v->plane < 0)
		return vtl_fail(v, "vCPU / plane");
	v->vcpu1 = vtl_ioctl(v->plane, RFC_CREATE_VCPU_PLANE, v->vcpu);
	if (v->vcpu1 < 0)
		return vtl_fail(v, "KVM_CREATE_VCPU_PLANE");
	n = vtl_ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	v->run_size = n > 0 ? (size_t)n : 0;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	if (n <= 0 || v->run == MAP_FAILED)
		return vtl_fail(v, "kvm_run");
	if (real_mode(v, v->vcpu, VTL0_CODE, 0) < 0 ||
	    real_mode(v, v->vcpu1, VTL1_BOOT, 0) < 0)
		return vtl_fail(v, "registers");
	return 0;
}

/* kvm_run->plane at offset 2, as the RFC moved it into padding1. */
static void set_plane(struct vmm *v, int plane)
{
	((uint8_t *)v->run)[2] = (uint8_t)plane;
}

/* VTL0 touched a page VTL1 protects: VTL1 decides. */
static int on_fault(struct vmm *v)
{
	uint64_t *mf = (uint64_t *)((uint8_t *)v->run + 32);

	if (v->run->exit_reason != RFC_EXIT_MEMORY_FAULT ||
	    mf[0] != RFC_FAULT_WRITE)
		return vtl_fail(v, "unexpected fault");
	v->fault_gpa = mf[1];
	fprintf(v->out, "vtl0: write to %#llx faults, to vtl1\n",
		(unsigned long long)v->fault_gpa);
	if (real_mode(v, v->vcpu1, VTL1_HANDLER, v->fault_gpa) < 0)
		return vtl_fail(v, "VTL1 entry");
	set_plane(v, 1);
	return 0;
}

static int verdict(struct vmm *v, uint8_t allow)
{
	struct kvm_regs r;

	fprintf(v->out, "vtl1: %s %#llx\n", allow ? "allow" : "deny",
		(unsigned long long)v->fault_gpa);
	if (allow)
		return protect(v, v->fault_gpa, 0);
	/* denied: VTL0's 5-byte store is skipped */
	if (vtl_ioctl(v->vcpu, KVM_GET_REGS, &r) < 0)
		return -1;
	r.rip += 5;
	return vtl_ioctl(v->vcpu, KVM_SET_REGS, &r);
}

/* One port exit; 1 when VTL0 is done. */
static int on_io(struct vmm *v, int plane)
{
	uint8_t *d = (uint8_t *)v->run + v->run->io.data_offset;
	uint16_t val = (uint16_t)(d[0] | (v->run->io.size > 1 ? d[1] << 8 : 0));

	switch (v->run->io.port | plane << 8) {
	case 0x120:
		fprintf(v->out, "vtl1: protect %#x from vtl0 writes\n", val);
		return protect(v, val, RFC_MEMATTR_NW) < 0 ?
		       vtl_fail(v, "protect") : 0;
	case 0x121:
		fprintf(v->out, "vmm: enter vtl0\n");
		set_plane(v, 0);
		return 0;
	case 0x122:
		set_plane(v, 0);
		return verdict(v, (uint8_t)val) < 0 ? vtl_fail(v, "verdict") : 0;
	case 0x010:
		fprintf(v->out, "vtl0: done, read %#x\n", val & 0xff);
		return 2;
	default:
		errno = EPROTO;
		return vtl_fail(v, "unexpected port");
	}
}

static int vmm_loop(struct vmm *v)
{
	int i, r;

	set_plane(v, 1);
	for (i = 0; i < 32; i++) {
		int plane = ((uint8_t *)v->run)[2];

		if (vtl_ioctl(v->vcpu, KVM_RUN, 0) < 0) {
			if (errno != EFAULT || plane != 0)
				return vtl_fail(v, "KVM_RUN");
			if (on_fault(v))
				return 1;
			continue;
		}
		if (((uint8_t *)v->run)[2] != plane) {
			errno = EPROTO;
			return vtl_fail(v, "kvm_run->plane changed");
		}
		if (v->run->exit_reason != KVM_EXIT_IO)
			return vtl_fail(v, "exit");
		r = on_io(v, plane);
		if (r == 2)
			return 0;
		if (r)
			return r;
	}
	errno = ELOOP;
	return vtl_fail(v, "too many exits");
}

static int vtl_demo(FILE *out)
{
	struct vmm v = { .kvm = -1, .vm = -1, .vcpu = -1, .plane = -1,
			 .vcpu1 = -1, .run = MAP_FAILED, .mem = MAP_FAILED,
			 .out = out };
	int r = setup(&v);

	if (!r)
		r = vmm_loop(&v);
	if (!r) {
		fprintf(out, "memory: %#x=%#x %#x=%#x\n", PAGE_A,
			v.mem[PAGE_A], PAGE_B, v.mem[PAGE_B]);
		r = v.mem[PAGE_A] == 0x41 && v.mem[PAGE_B] == 0 ? 0 : 1;
	}
	if (v.run != MAP_FAILED)
		munmap(v.run, v.run_size);
	if (v.mem != MAP_FAILED)
		munmap(v.mem, MEM_SIZE);
	if (v.vcpu1 >= 0)
		close(v.vcpu1);
	if (v.plane >= 0)
		close(v.plane);
	if (v.vcpu >= 0)
		close(v.vcpu);
	if (v.vm >= 0)
		close(v.vm);
	if (v.kvm >= 0)
		close(v.kvm);
	return r;
}

#ifndef VTL_LIBKVMU
int main(void)
{
	return vtl_demo(stdout);
}
#endif
