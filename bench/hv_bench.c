// SPDX-License-Identifier: MIT
/*
 * The paravirtual IPI against the x2APIC ICR write, built by bench/run.sh
 * like irq_bench.c (with -DKVMU against libkvmu, without it against
 * /dev/kvm):
 *
 *   hv_bench icr N     IPI round trips between two vCPUs on two threads,
 *                      each IPI an x2APIC ICR write (WRMSR 0x830)
 *   hv_bench hv N      the same, each IPI a fast
 *                      HvCallSendSyntheticClusterIpi hypercall (VMCALL)
 *
 * Both print ns per round trip.  The guests run in 32-bit flat protected
 * mode (a Hyper-V hypercall #UDs in real mode) with x2APIC on; cpu0 sends
 * vector 0x60 to cpu1, whose handler answers with 0x61.  The bytes are
 * hand-assembled from the comments.  Exit 77 when the backend is absent.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define BENCH_NAME "hv_bench"
#include "bench_util.h"

#define RAM_SIZE	(1UL << 20)
#define FLAG		0x500		/* cpu0: answer seen */
#define COUNT		0x504		/* round trips left */
#define GDT		0x5000
#define IDT		0x6000

/* mov ecx, 0x80f; mov eax, 0x1ff; xor edx, edx; wrmsr (SVR on) */
static const uint8_t svr_on[] = {
	0xb9, 0x0f, 0x08, 0x00, 0x00, 0xb8, 0xff, 0x01, 0x00, 0x00, 0x31, 0xd2,
	0x0f, 0x30,
};
/* mov ecx, 0x80b; xor eax, eax; xor edx, edx; wrmsr; iretd (EOI) */
static const uint8_t eoi_iret[] = {
	0xb9, 0x0b, 0x08, 0x00, 0x00, 0x31, 0xc0, 0x31, 0xd2, 0x0f, 0x30, 0xcf,
};

/* An IPI of vector vec to APIC ID / VP index dest: 17 or 24 bytes. */
static size_t send(uint8_t *p, bool hv, uint8_t vec, uint8_t dest)
{
	if (!hv) {
		/* mov ecx, 0x830; mov edx, dest; mov eax, 0x4000|vec; wrmsr */
		const uint8_t c[] = {
			0xb9, 0x30, 0x08, 0x00, 0x00, 0xba, dest, 0, 0, 0,
			0xb8, vec, 0x40, 0x00, 0x00, 0x0f, 0x30,
		};

		memcpy(p, c, sizeof(c));
		return sizeof(c);
	}
	/* EDX:EAX = fast | 0x0b; EBX:ECX = vector; EDI:ESI = VP mask */
	const uint8_t c[] = {
		0xb8, 0x0b, 0x00, 0x01, 0x00, 0x31, 0xd2,	/* eax, edx */
		0xb9, vec, 0x00, 0x00, 0x00, 0x31, 0xdb,	/* ecx, ebx */
		0xbe, (uint8_t)(1U << dest), 0, 0, 0, 0x31, 0xff, /* esi, edi */
		0x0f, 0x01, 0xc1,				/* vmcall */
	};

	memcpy(p, c, sizeof(c));
	return sizeof(c);
}

/*
 * cpu0 at 0x1000: SVR on; loop: byte [FLAG] = 0; send 0x60 to 1; cli;
 * wait: cmp byte [FLAG], 0; jne done; sti; hlt; jmp wait;
 * done: dec dword [COUNT]; jnz loop; out 0x10, al; jmp loop
 */
static void put_cpu0(uint8_t *ram, bool hv)
{
	uint8_t *p = ram + 0x1000, *loop, *wait;

	memcpy(p, svr_on, sizeof(svr_on));
	p += sizeof(svr_on);
	loop = p;
	memcpy(p, (uint8_t[]){ 0xc6, 0x05, 0x00, 0x05, 0, 0, 0x00 }, 7);
	p += 7;
	p += send(p, hv, 0x60, 1);
	*p++ = 0xfa;
	wait = p;
	memcpy(p, (uint8_t[]){ 0x80, 0x3d, 0x00, 0x05, 0, 0, 0x00,
			       0x75, 0x04, 0xfb, 0xf4, 0xeb, 0x00 }, 13);
	p[12] = (uint8_t)(wait - (p + 13));
	p += 13;
	memcpy(p, (uint8_t[]){ 0xff, 0x0d, 0x04, 0x05, 0, 0, 0x75, 0x00 }, 8);
	p[7] = (uint8_t)(loop - (p + 8));
	p += 8;
	memcpy(p, (uint8_t[]){ 0xe6, 0x10, 0xeb, 0x00 }, 4);
	p[3] = (uint8_t)(loop - (p + 4));
}

/* cpu1 at 0x2000: SVR on; sti; for (;;) hlt.  Handlers: 0x61 at 0x3000
 * (cpu0: byte [FLAG] = 1; EOI), 0x60 at 0x3100 (cpu1: send 0x61; EOI). */
static void put_code(uint8_t *ram, bool hv)
{
	uint8_t *p;

	put_cpu0(ram, hv);
	p = ram + 0x2000;
	memcpy(p, svr_on, sizeof(svr_on));
	memcpy(p + sizeof(svr_on), (uint8_t[]){ 0xfb, 0xf4, 0xeb, 0xfd }, 4);
	p = ram + 0x3000;
	memcpy(p, (uint8_t[]){ 0xc6, 0x05, 0x00, 0x05, 0, 0, 0x01 }, 7);
	memcpy(p + 7, eoi_iret, sizeof(eoi_iret));
	p = ram + 0x3100;
	p += send(p, hv, 0x61, 0);
	memcpy(p, eoi_iret, sizeof(eoi_iret));
}

/* Flat 32-bit GDT (code 0x08, data 0x10) and the two interrupt gates. */
static void put_tables(uint8_t *ram)
{
	static const uint64_t gdt[] = { 0, 0x00cf9a000000ffffULL,
					0x00cf92000000ffffULL };
	uint64_t g60 = 0x00008e0000083100ULL, g61 = 0x00008e0000083000ULL;

	memcpy(ram + GDT, gdt, sizeof(gdt));
	memcpy(ram + IDT + 0x60 * 8, &g60, 8);
	memcpy(ram + IDT + 0x61 * 8, &g61, 8);
}

static void seg(struct kvm_segment *s, uint16_t sel, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->db = 1;
	s->s = 1;
	s->g = 1;
}

/* The CPUID KVM supports plus its Hyper-V leaves (hv) as the guest's. */
static void set_cpuid(struct bvm *v, int fd, bool hv)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + 256 *
				      sizeof(struct kvm_cpuid_entry2));
	struct kvm_cpuid2 *h = calloc(1, sizeof(*h) + 16 *
				      sizeof(struct kvm_cpuid_entry2));
	uint32_t i, n = 0;

	if (!c || !h)
		die("calloc");
	c->nent = 256;
	h->nent = 16;
	if (KVM_IOCTL(v->sys, KVM_GET_SUPPORTED_CPUID, c) < 0)
		die("KVM_GET_SUPPORTED_CPUID");
	if (hv) {
		if (KVM_IOCTL(v->sys, KVM_GET_SUPPORTED_HV_CPUID, h) < 0)
			die("KVM_GET_SUPPORTED_HV_CPUID");
		for (i = 0; i < c->nent; i++)
			if (c->entries[i].function < 0x40000000 ||
			    c->entries[i].function >= 0x40000100)
				c->entries[n++] = c->entries[i];
		memcpy(&c->entries[n], h->entries, h->nent * sizeof(h->entries[0]));
		c->nent = n + h->nent;
	}
	if (KVM_IOCTL(fd, KVM_SET_CPUID2, c) < 0)
		die("KVM_SET_CPUID2");
	free(c);
	free(h);
}

static void vcpu_up(struct bvm *v, int i, bool hv)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e[2];
	} msrs = { .h.nmsrs = hv ? 2 : 1, .e[0].index = 0x1b,
		   .e[0].data = 0xfee00c00ULL | (i ? 0 : 0x100),
		   .e[1].index = 0x40000000, .e[1].data = 0x8100ULL << 48 };
	struct kvm_regs regs = { .rip = i ? 0x2000 : 0x1000, .rflags = 2,
				 .rsp = i ? 0x7000 : 0x8000 };
	struct kvm_mp_state mp = { KVM_MP_STATE_RUNNABLE };
	struct kvm_sregs s;

	bench_vcpu_create(v, i);
	set_cpuid(v, v->vcpu[i], hv);
	if (KVM_IOCTL(v->vcpu[i], KVM_GET_SREGS, &s) < 0)
		die("KVM_GET_SREGS");
	seg(&s.cs, 0x08, 11);
	seg(&s.ds, 0x10, 3);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.gdt.base = GDT;
	s.gdt.limit = 23;
	s.idt.base = IDT;
	s.idt.limit = 256 * 8 - 1;
	s.cr0 = 0x11;			/* PE, ET */
	if (KVM_IOCTL(v->vcpu[i], KVM_SET_SREGS, &s) < 0 ||
	    KVM_IOCTL(v->vcpu[i], KVM_SET_REGS, &regs) < 0 ||
	    KVM_IOCTL(v->vcpu[i], KVM_SET_MSRS, &msrs) != (int)msrs.h.nmsrs ||
	    KVM_IOCTL(v->vcpu[i], KVM_SET_MP_STATE, &mp) < 0)
		die("vCPU state");
}

static void vm_up(struct bvm *v, bool hv)
{
	bench_vm_irqchip(v, RAM_SIZE);
	if (hv && KVM_IOCTL(v->sys, KVM_CHECK_EXTENSION,
			    KVM_CAP_HYPERV_SEND_IPI) <= 0) {
		fprintf(stderr, "hv_bench: no KVM_CAP_HYPERV_SEND_IPI\n");
		exit(77);
	}
	put_tables(v->ram);
	put_code(v->ram, hv);
	vcpu_up(v, 0, hv);
	vcpu_up(v, 1, hv);
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

static void run0(struct bvm *v, const char *what)
{
	if (KVM_IOCTL(v->vcpu[0], KVM_RUN, 0) < 0)
		die(what);
	if (v->run[0]->exit_reason != KVM_EXIT_IO) {
		fprintf(stderr, "hv_bench: %s: exit %u\n", what,
			v->run[0]->exit_reason);
		exit(1);
	}
}

static double bench(long n, bool hv)
{
	struct bvm v;
	pthread_t t;
	double t0;

	vm_up(&v, hv);
	if (pthread_create(&t, NULL, cpu1_thread, &v))
		die("pthread_create");
	*(uint32_t *)(v.ram + COUNT) = (uint32_t)(n / 10 + 1);	/* warm-up */
	run0(&v, "warm-up run");
	*(uint32_t *)(v.ram + COUNT) = (uint32_t)n;
	t0 = now_ns();
	run0(&v, "KVM_RUN cpu0");
	return (now_ns() - t0) / n;
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 0;

	if (argc != 3 || n <= 0 || (strcmp(argv[1], "icr") &&
				    strcmp(argv[1], "hv"))) {
		fprintf(stderr, "usage: hv_bench icr|hv N\n");
		return 2;
	}
	printf("%s_ns %.1f\n", argv[1], bench(n, !strcmp(argv[1], "hv")));
	fflush(stdout);
	_exit(0);		/* the vCPU thread sleeps on */
}
