// SPDX-License-Identifier: MIT
/*
 * Benchmarks of the in-kernel irqchip, built by bench/run.sh like
 * kvm_bench.c (with -DKVMU against libkvmu, without it against /dev/kvm):
 *
 *   irq_bench ipi N      IPI round trips between two vCPUs on two threads
 *                        (x2APIC ICR writes, the answer sent from the
 *                        handler); prints ns per round trip
 *   irq_bench halt MS    a vCPU halted with IF=0 for MS ms: the process's
 *                        CPU time (getrusage) over wall time, in percent
 *
 * Guests run in real mode; their bytes come from the assembly in the
 * comments (as --32, .code16).  Exit 77 when the backend is absent.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define BENCH_NAME "irq_bench"
#include "bench_util.h"

#define RAM_SIZE	(1UL << 20)
#define FLAG		0x500		/* cpu0: answer seen */
#define COUNT		0x504		/* round trips left */

/*
 * cpu0 at 0x1000: SVR on; loop { flag = 0; ICR = APIC 1, vector 0x60;
 * cli; while (!flag) { sti; hlt; cli } if (!--count) out 0x10 }
 */
static const uint8_t g_cpu0[] = {
	0x66, 0xb9, 0x0f, 0x08, 0x00, 0x00, 0x66, 0xb8, 0xff, 0x01, 0x00, 0x00,
	0x66, 0x31, 0xd2, 0x0f, 0x30, 0xc6, 0x06, 0x00, 0x05, 0x00, 0x66, 0xb9,
	0x30, 0x08, 0x00, 0x00, 0x66, 0xba, 0x01, 0x00, 0x00, 0x00, 0x66, 0xb8,
	0x60, 0x40, 0x00, 0x00, 0x0f, 0x30, 0xfa, 0x80, 0x3e, 0x00, 0x05, 0x00,
	0x75, 0x04, 0xfb, 0xf4, 0xeb, 0xf4, 0x66, 0xff, 0x0e, 0x04, 0x05, 0x75,
	0xd4, 0xe6, 0x10, 0xeb, 0xd0,
};
/* cpu1 at 0x2000: SVR on; sti; for (;;) hlt */
static const uint8_t g_cpu1[] = {
	0x66, 0xb9, 0x0f, 0x08, 0x00, 0x00, 0x66, 0xb8, 0xff, 0x01, 0x00, 0x00,
	0x66, 0x31, 0xd2, 0x0f, 0x30, 0xfb, 0xf4, 0xeb, 0xfd,
};
/* vector 0x61 at 0x3000 (cpu0): flag = 1; EOI; iret */
static const uint8_t g_h0[] = {
	0xc6, 0x06, 0x00, 0x05, 0x01, 0x66, 0xb9, 0x0b, 0x08, 0x00, 0x00, 0x66,
	0x31, 0xc0, 0x66, 0x31, 0xd2, 0x0f, 0x30, 0xcf,
};
/* vector 0x60 at 0x3100 (cpu1): ICR = APIC 0, vector 0x61; EOI; iret */
static const uint8_t g_h1[] = {
	0x66, 0xb9, 0x30, 0x08, 0x00, 0x00, 0x66, 0x31, 0xd2, 0x66, 0xb8, 0x61,
	0x40, 0x00, 0x00, 0x0f, 0x30, 0x66, 0xb9, 0x0b, 0x08, 0x00, 0x00, 0x66,
	0x31, 0xc0, 0x0f, 0x30, 0xcf,
};
/* at 0x4000: cli; for (;;) hlt */
static const uint8_t g_halt[] = {
	0xfa, 0xf4, 0xeb, 0xfd,
};

/* Real mode at 0:rip, x2APIC on (host write of IA32_APIC_BASE). */
static void vcpu_up(struct bvm *v, int i, uint16_t rip)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} msrs = { .h.nmsrs = 1, .e.index = 0x1b,
		   .e.data = 0xfee00c00ULL | (i ? 0 : 0x100) };
	struct kvm_regs regs = { .rip = rip, .rflags = 2, .rsp = 0x8000 };
	struct kvm_mp_state mp = { KVM_MP_STATE_RUNNABLE };
	struct kvm_sregs s;

	bench_vcpu_create(v, i);
	if (KVM_IOCTL(v->vcpu[i], KVM_GET_SREGS, &s) < 0)
		die("KVM_GET_SREGS");
	s.cs.base = 0;
	s.cs.selector = 0;
	if (KVM_IOCTL(v->vcpu[i], KVM_SET_SREGS, &s) < 0 ||
	    KVM_IOCTL(v->vcpu[i], KVM_SET_REGS, &regs) < 0 ||
	    KVM_IOCTL(v->vcpu[i], KVM_SET_MSRS, &msrs) != 1 ||
	    KVM_IOCTL(v->vcpu[i], KVM_SET_MP_STATE, &mp) < 0)
		die("vCPU state");
}

static void vm_up(struct bvm *v, int ncpu)
{
	uint32_t ivt60 = 0x3100, ivt61 = 0x3000;
	int i;

	bench_vm_irqchip(v, RAM_SIZE);
	memcpy(v->ram + 0x60 * 4, &ivt60, 4);
	memcpy(v->ram + 0x61 * 4, &ivt61, 4);
	memcpy(v->ram + 0x1000, g_cpu0, sizeof(g_cpu0));
	memcpy(v->ram + 0x2000, g_cpu1, sizeof(g_cpu1));
	memcpy(v->ram + 0x3000, g_h0, sizeof(g_h0));
	memcpy(v->ram + 0x3100, g_h1, sizeof(g_h1));
	memcpy(v->ram + 0x4000, g_halt, sizeof(g_halt));
	for (i = 0; i < ncpu; i++)
		vcpu_up(v, i, ncpu == 1 ? 0x4000 : i ? 0x2000 : 0x1000);
}

static void *cpu1_thread(void *p)
{
	struct bvm *v = p;

	/* runs until the process exits: its halts sleep */
	for (;;)
		if (KVM_IOCTL(v->vcpu[1], KVM_RUN, 0) < 0 && errno != EINTR &&
		    errno != EAGAIN)
			die("KVM_RUN cpu1");
	return NULL;
}

static double bench_ipi(long n)
{
	struct bvm v;
	pthread_t t;
	double t0;

	vm_up(&v, 2);
	if (pthread_create(&t, NULL, cpu1_thread, &v))
		die("pthread_create");
	*(uint32_t *)(v.ram + COUNT) = (uint32_t)(n / 10 + 1);	/* warm-up */
	if (KVM_IOCTL(v.vcpu[0], KVM_RUN, 0) < 0 ||
	    v.run[0]->exit_reason != KVM_EXIT_IO)
		die("warm-up run");
	*(uint32_t *)(v.ram + COUNT) = (uint32_t)n;
	t0 = now_ns();
	if (KVM_IOCTL(v.vcpu[0], KVM_RUN, 0) < 0 ||
	    v.run[0]->exit_reason != KVM_EXIT_IO)
		die("KVM_RUN cpu0");
	return (now_ns() - t0) / n;
}

static void *halt_thread(void *p)
{
	struct bvm *v = p;

	KVM_IOCTL(v->vcpu[0], KVM_RUN, 0);
	return NULL;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double bench_halt(long ms)
{
	struct timespec settle = { 0, 100 * 1000 * 1000 };
	struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };
	struct bvm v;
	pthread_t t;
	double c0, w0;

	vm_up(&v, 1);
	if (pthread_create(&t, NULL, halt_thread, &v))
		die("pthread_create");
	nanosleep(&settle, NULL);
	c0 = cpu_s();
	w0 = now_ns();
	nanosleep(&d, NULL);
	return 100.0 * (cpu_s() - c0) / ((now_ns() - w0) / 1e9);
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 0;

	if (argc != 3 || n <= 0 || (strcmp(argv[1], "ipi") &&
				    strcmp(argv[1], "halt"))) {
		fprintf(stderr, "usage: irq_bench ipi N | halt MS\n");
		return 2;
	}
	if (!strcmp(argv[1], "ipi"))
		printf("ipi_ns %.1f\n", bench_ipi(n));
	else
		printf("halt_cpu_pct %.2f\n", bench_halt(n));
	fflush(stdout);
	_exit(0);		/* the vCPU threads sleep on */
}
