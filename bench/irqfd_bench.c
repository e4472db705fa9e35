// SPDX-License-Identifier: MIT
/*
 * irqfd to guest handler latency, built by bench/run.sh like irq_bench.c
 * (with -DKVMU against libkvmu, without it against /dev/kvm):
 *
 *   irqfd_bench msi N      an eventfd bound by KVM_IRQFD to a GSI routed
 *                          to an MSI (vector 0x62)
 *   irqfd_bench ioapic N   the same GSI routed to IOAPIC pin 10 instead
 *                          (edge, vector 0x63)
 *
 * One vCPU halts with interrupts on (its own thread); this thread writes
 * the eventfd and spins until the guest's handler has counted the
 * interrupt in memory, N times after a warm-up.  Prints the mean and the
 * median round trip in ns.  Real-mode guest bytes from the assembly in
 * the comments (as --32, .code16).  Exit 77 when the backend is absent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define BENCH_NAME "irqfd_bench"
#include "bench_util.h"

#define RAM_SIZE	(1UL << 20)
#define COUNT_MSI	0x500
#define COUNT_IOAPIC	0x504
#define GSI		24
#define PIN		10
#define VEC_MSI		0x62
#define VEC_IOAPIC	0x63
#define WARMUP		100

/* at 0x1000: x2APIC SVR on (wrmsr 0x80f, 0x1ff); sti; for (;;) hlt */
static const uint8_t g_idle[] = {
	0x66, 0xb9, 0x0f, 0x08, 0x00, 0x00, 0x66, 0xb8, 0xff, 0x01, 0x00, 0x00,
	0x66, 0x31, 0xd2, 0x0f, 0x30, 0xfb, 0xf4, 0xeb, 0xfd,
};
/*
 * at 0x3000, vector 0x62: incl 0x500; EOI (wrmsr 0x80b, 0); iret
 * at 0x3014, vector 0x63: incl 0x504; EOI; iret
 */
static const uint8_t g_handlers[] = {
	0x66, 0xff, 0x06, 0x00, 0x05, 0x66, 0xb9, 0x0b, 0x08, 0x00, 0x00, 0x66,
	0x31, 0xc0, 0x66, 0x31, 0xd2, 0x0f, 0x30, 0xcf,
	0x66, 0xff, 0x06, 0x04, 0x05, 0x66, 0xb9, 0x0b, 0x08, 0x00, 0x00, 0x66,
	0x31, 0xc0, 0x66, 0x31, 0xd2, 0x0f, 0x30, 0xcf,
};

static void vcpu_up(struct bvm *v)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} msrs = { .h.nmsrs = 1, .e.index = 0x1b, .e.data = 0xfee00d00ULL };
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 2, .rsp = 0x8000 };
	struct kvm_sregs s;

	bench_vcpu_create(v, 0);
	if (KVM_IOCTL(v->vcpu[0], KVM_GET_SREGS, &s) < 0)
		die("KVM_GET_SREGS");
	s.cs.base = 0;
	s.cs.selector = 0;
	if (KVM_IOCTL(v->vcpu[0], KVM_SET_SREGS, &s) < 0 ||
	    KVM_IOCTL(v->vcpu[0], KVM_SET_REGS, &regs) < 0 ||
	    KVM_IOCTL(v->vcpu[0], KVM_SET_MSRS, &msrs) != 1)
		die("vCPU state");
}

/* GSI -> MSI to APIC 0 (msi) or -> IOAPIC pin 10 programmed for it. */
static void route(struct bvm *v, int msi)
{
	struct {
		struct kvm_irq_routing h;
		struct kvm_irq_routing_entry e;
	} r;
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };

	memset(&r, 0, sizeof(r));
	r.h.nr = 1;
	r.e.gsi = GSI;
	if (msi) {
		r.e.type = KVM_IRQ_ROUTING_MSI;
		r.e.u.msi.address_lo = 0xfee00000;	/* APIC 0, physical */
		r.e.u.msi.data = VEC_MSI;		/* fixed, edge */
	} else {
		r.e.type = KVM_IRQ_ROUTING_IRQCHIP;
		r.e.u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
		r.e.u.irqchip.pin = PIN;
	}
	if (KVM_IOCTL(v->vm, KVM_SET_GSI_ROUTING, &r) < 0)
		die("KVM_SET_GSI_ROUTING");
	if (msi)
		return;
	if (KVM_IOCTL(v->vm, KVM_GET_IRQCHIP, &chip) < 0)
		die("KVM_GET_IRQCHIP");
	/* edge, fixed, physical destination APIC 0, unmasked */
	chip.chip.ioapic.redirtbl[PIN].bits = VEC_IOAPIC;
	if (KVM_IOCTL(v->vm, KVM_SET_IRQCHIP, &chip) < 0)
		die("KVM_SET_IRQCHIP");
}

static int vm_up(struct bvm *v, int msi)
{
	uint32_t ivt62 = 0x3000, ivt63 = 0x3014;
	struct kvm_irqfd irqfd = { .gsi = GSI };
	int efd;

	bench_vm_irqchip(v, RAM_SIZE);
	memcpy(v->ram + VEC_MSI * 4, &ivt62, 4);
	memcpy(v->ram + VEC_IOAPIC * 4, &ivt63, 4);
	memcpy(v->ram + 0x1000, g_idle, sizeof(g_idle));
	memcpy(v->ram + 0x3000, g_handlers, sizeof(g_handlers));
	vcpu_up(v);
	route(v, msi);
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		die("eventfd");
	irqfd.fd = (uint32_t)efd;
	if (KVM_IOCTL(v->vm, KVM_IRQFD, &irqfd) < 0)
		die("KVM_IRQFD");
	return efd;
}

static void *vcpu_thread(void *p)
{
	struct bvm *v = p;

	/* runs until the process exits: its halts sleep */
	for (;;)
		if (KVM_IOCTL(v->vcpu[0], KVM_RUN, 0) < 0 && errno != EINTR &&
		    errno != EAGAIN)
			die("KVM_RUN");
	return NULL;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One eventfd write until the handler counted it; ns. */
static double round_trip(int efd, volatile uint32_t *count)
{
	uint32_t want = *count + 1;
	double t0 = now_ns();

	if (eventfd_write(efd, 1) < 0)
		die("eventfd_write");
	while (__atomic_load_n(count, __ATOMIC_ACQUIRE) != want)
		sched_yield();	/* two cores: let the vCPU have one */
	return now_ns() - t0;
}

static void bench(int msi, long n)
{
	volatile uint32_t *count;
	double *t, sum = 0;
	struct bvm v;
	pthread_t th;
	int efd;
	long i;

	efd = vm_up(&v, msi);
	count = (volatile uint32_t *)(v.ram + (msi ? COUNT_MSI : COUNT_IOAPIC));
	t = calloc((size_t)n, sizeof(*t));
	if (!t)
		die("calloc");
	if (pthread_create(&th, NULL, vcpu_thread, &v))
		die("pthread_create");
	for (i = 0; i < WARMUP; i++)
		round_trip(efd, count);
	for (i = 0; i < n; i++) {
		t[i] = round_trip(efd, count);
		sum += t[i];
	}
	qsort(t, (size_t)n, sizeof(*t), cmp_d);
	printf("mean_ns %.1f\nmedian_ns %.1f\n", sum / n, t[n / 2]);
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 0;

	if (argc != 3 || n <= 0 || (strcmp(argv[1], "msi") &&
				    strcmp(argv[1], "ioapic"))) {
		fprintf(stderr, "usage: irqfd_bench msi|ioapic N\n");
		return 2;
	}
	bench(!strcmp(argv[1], "msi"), n);
	fflush(stdout);
	_exit(0);		/* the vCPU thread sleeps on */
}
