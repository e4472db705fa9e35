// SPDX-License-Identifier: MIT
/*
 * Interrupts of a plane other than 0, as an ordinary /dev/kvm program on
 * the April 2025 planes RFC's API (numbers declared here), run under the
 * shim by tests/shell/shim_planes_irq.sh:
 *  - plane 1's local APIC timer fires while plane 0 spins: with
 *    req_exit_planes naming plane 1, KVM_RUN ends with
 *    KVM_EXIT_PLANE_EVENT when it fires;
 *  - an irqfd on a GSI route whose pad names plane 1 (kvmu's choice where
 *    the RFC is silent, docs/planes.md) raises plane 1's IRR only;
 *  - running plane 1 after plane 0 reports plane 0 in suspended_planes.
 * Prints the transcript; exit 0 on success, 77 when there are no planes.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

/* The RFC's ABI (kvm.git planes-20250401). */
#define RFC_CAP_PLANES		239
#define RFC_CREATE_PLANE	_IO(KVMIO, 0xd6)
#define RFC_CREATE_VCPU_PLANE	_IO(KVMIO, 0xd7)
#define RFC_EXIT_PLANE_EVENT	40
#define RUN_PLANE(run)		(((uint8_t *)(run))[2])
#define RUN_SUSPENDED(run)	(*(uint16_t *)((uint8_t *)(run) + 4))
#define RUN_REQ_EXIT(run)	(*(uint16_t *)((uint8_t *)(run) + 6))
struct rfc_plane_event {
	uint16_t cause, pending_event_planes, target, pad;
	uint32_t flags, pad2;
	uint64_t extra[8];
};

#define MEM_SIZE	0x10000UL
#define CODE0		0x1000		/* plane 0: jmp $ */
#define CODE1		0x2000		/* plane 1: out 0x11, al */

struct vmm {
	int kvm, vm, vcpu, plane, vcpu1;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
};

static int fail(const char *what)
{
	printf("FAIL: %s: %s\n", what, strerror(errno));
	return 1;
}

static int real_mode(int fd, uint64_t rip)
{
	struct kvm_regs r = { .rip = rip, .rsp = 0x8000, .rflags = 2 };
	struct kvm_sregs s;

	if (ioctl(fd, KVM_GET_SREGS, &s) < 0)
		return -1;
	s.cs.base = 0;
	s.cs.selector = 0;
	if (ioctl(fd, KVM_SET_SREGS, &s) < 0)
		return -1;
	return ioctl(fd, KVM_SET_REGS, &r);
}

/* Software-enable the local APIC of fd; timer: one-shot vector 0x60. */
static int lapic(int fd, uint32_t tmict)
{
	struct kvm_lapic_state s;
	uint32_t svr = 0x1ff, lvtt = 0x60, div = 0xb;

	if (ioctl(fd, KVM_GET_LAPIC, &s) < 0)
		return -1;
	memcpy(&s.regs[0xf0], &svr, 4);
	if (tmict) {
		memcpy(&s.regs[0x320], &lvtt, 4);
		memcpy(&s.regs[0x3e0], &div, 4);
		memcpy(&s.regs[0x380], &tmict, 4);
	}
	return ioctl(fd, KVM_SET_LAPIC, &s);
}

static int irr(int fd, int vec)
{
	struct kvm_lapic_state s;
	uint32_t w;

	if (ioctl(fd, KVM_GET_LAPIC, &s) < 0)
		return -1;
	memcpy(&w, &s.regs[0x200 + (vec / 32) * 0x10], 4);
	return !!(w & (1u << (vec % 32)));
}

static int setup(struct vmm *v)
{
	struct kvm_userspace_memory_region r = { 0 };
	static const uint8_t spin[] = { 0xeb, 0xfe };
	static const uint8_t out[] = { 0xe6, 0x11, 0xeb, 0xfc };

	v->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (v->kvm < 0)
		return fail("open");
	if (ioctl(v->kvm, KVM_CHECK_EXTENSION, RFC_CAP_PLANES) < 2) {
		printf("SKIP: no VM planes\n");
		return 77;
	}
	v->vm = ioctl(v->kvm, KVM_CREATE_VM, 0);
	v->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->vm < 0 || v->mem == MAP_FAILED)
		return fail("VM");
	memcpy(v->mem + CODE0, spin, sizeof(spin));
	memcpy(v->mem + CODE1, out, sizeof(out));
	r.memory_size = MEM_SIZE;
	r.userspace_addr = (uintptr_t)v->mem;
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &r) < 0 ||
	    ioctl(v->vm, KVM_CREATE_IRQCHIP, 0) < 0)
		return fail("memory, irqchip");
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	v->run_size = (size_t)ioctl(v->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	if (v->vcpu < 0 || v->run == MAP_FAILED)
		return fail("vCPU");
	v->plane = ioctl(v->vm, RFC_CREATE_PLANE, 1);
	v->vcpu1 = v->plane < 0 ? -1 :
		   ioctl(v->plane, RFC_CREATE_VCPU_PLANE, v->vcpu);
	if (v->vcpu1 < 0)
		return fail("plane 1");
	if (real_mode(v->vcpu, CODE0) < 0 || real_mode(v->vcpu1, CODE1) < 0 ||
	    lapic(v->vcpu, 0) < 0)
		return fail("registers");
	return 0;
}

/* Plane 0 spins; plane 1's timer (2 ms) ends its run as a plane event. */
static int timer_event(struct vmm *v)
{
	struct rfc_plane_event *ev = (void *)&v->run->hw;

	if (lapic(v->vcpu1, 2000000) < 0)
		return fail("plane 1 timer");
	RUN_PLANE(v->run) = 0;
	RUN_REQ_EXIT(v->run) = 1u << 1;
	if (ioctl(v->vcpu, KVM_RUN, 0) < 0)
		return fail("KVM_RUN");
	RUN_REQ_EXIT(v->run) = 0;
	printf("timer: exit=%u plane=%u cause=%u pending=%#x target=%#x "
	       "plane1.irr[0x60]=%d plane0.irr[0x60]=%d\n",
	       v->run->exit_reason, RUN_PLANE(v->run), ev->cause,
	       ev->pending_event_planes, ev->target, irr(v->vcpu1, 0x60),
	       irr(v->vcpu, 0x60));
	return v->run->exit_reason == RFC_EXIT_PLANE_EVENT ? 0 : 1;
}

/* An irqfd on GSI 10, routed as an MSI (vector 0x40) to plane 1. */
static int irqfd_plane(struct vmm *v)
{
	struct {
		struct kvm_irq_routing h;
		struct kvm_irq_routing_entry e[1];
	} rt = { .h.nr = 1 };
	struct kvm_irqfd f = { .gsi = 10 };
	uint64_t one = 1;
	int efd, i;

	rt.e[0].gsi = 10;
	rt.e[0].type = KVM_IRQ_ROUTING_MSI;
	rt.e[0].pad = 1;		/* the plane */
	rt.e[0].u.msi.address_lo = 0xfee00000;
	rt.e[0].u.msi.data = 0x40;
	efd = eventfd(0, EFD_CLOEXEC);
	f.fd = (uint32_t)efd;
	if (efd < 0 || ioctl(v->vm, KVM_SET_GSI_ROUTING, &rt) < 0 ||
	    ioctl(v->vm, KVM_IRQFD, &f) < 0)
		return fail("irqfd");
	if (write(efd, &one, 8) != 8)
		return fail("eventfd");
	for (i = 0; i < 10000 && irr(v->vcpu1, 0x40) == 0; i++)
		usleep(1000);
	printf("irqfd: plane1.irr[0x40]=%d plane0.irr[0x40]=%d\n",
	       irr(v->vcpu1, 0x40), irr(v->vcpu, 0x40));
	f.flags = KVM_IRQFD_FLAG_DEASSIGN;
	ioctl(v->vm, KVM_IRQFD, &f);
	close(efd);
	return 0;
}

/* Plane 1 runs after plane 0: plane 0 is suspended. */
static int switch_plane(struct vmm *v)
{
	RUN_PLANE(v->run) = 1;
	if (ioctl(v->vcpu, KVM_RUN, 0) < 0)
		return fail("KVM_RUN plane 1");
	printf("switch: exit=%u plane=%u port=%#x suspended_planes=%#x\n",
	       v->run->exit_reason, RUN_PLANE(v->run), v->run->io.port,
	       RUN_SUSPENDED(v->run));
	return 0;
}

int main(void)
{
	struct vmm v = { .kvm = -1, .vm = -1, .vcpu = -1, .plane = -1,
			 .vcpu1 = -1, .run = MAP_FAILED, .mem = MAP_FAILED };
	int r = setup(&v);

	if (!r)
		r = timer_event(&v);
	if (!r)
		r = irqfd_plane(&v);
	if (!r)
		r = switch_plane(&v);
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
