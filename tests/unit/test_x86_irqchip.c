// SPDX-License-Identifier: MIT
/*
 * The in-kernel irqchip end to end through the API: guests (32-bit flat
 * protected mode, x86_irqchip_guest.S) that take timer interrupts from
 * the LAPIC timer, from the PIT through the IOAPIC and through the PIC,
 * sleep in HLT until an MSI sent from another thread, bring an AP up with
 * INIT/SIPI, and send fixed IPIs around a ring of 8 vCPUs on 8 threads;
 * the ioctls' errno, GET/SET round trips of every state struct and the
 * MP-state transitions; KVM_GUESTDBG_BLOCKIRQ holding a pending interrupt.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include <linux/kvm.h>
#include "kvmu/kvmu.h"
#include "x86_irqchip_guest.h"

#define MEM_SIZE	0x200000UL
#define GDT		0x500
#define IDT		0x1000
#define STUBS		0x2000		/* 16 bytes per vector */
#define COMMON		0x3000
#define VEC_COUNT(v)	(0x5000 + 4 * (v))
#define CPU_COUNT(c)	(0x5800 + 4 * (c))
#define AP_FLAG		0x6000
#define EOI_MODE	0x6f00		/* 0: LAPIC EOI, 1: PIC EOI */
#define RING_MASK	0x6f04
#define AP_CODE		0x8000
#define CODE		0x10000
#define STACK		0x80000		/* vCPU i: STACK + 0x1000 i */
#define MAX_CPUS	8

struct mvm {
	int sys, vm, n;
	int vcpu[MAX_CPUS];
	struct kvm_run *run[MAX_CPUS];
	size_t run_size;
	uint8_t *mem;
};

static uint32_t *w32(struct mvm *m, uint64_t gpa)
{
	return (uint32_t *)(m->mem + gpa);
}

static void put(struct mvm *m, uint64_t gpa, const void *p, size_t n)
{
	memcpy(m->mem + gpa, p, n);
}

/* GDT, an IDT whose every vector pushes its number and joins common. */
static void tables(struct mvm *m)
{
	static const uint64_t gdt[] = {
		0, 0x00cf9a000000ffffULL, 0x00cf92000000ffffULL,
	};
	int v;

	put(m, GDT, gdt, sizeof(gdt));
	for (v = 0; v < 256; v++) {
		uint8_t *s = m->mem + STUBS + 16 * v;
		uint32_t h = STUBS + 16 * (uint32_t)v;
		int32_t rel = (int32_t)(COMMON - (h + 10));
		uint64_t gate = (h & 0xffff) | (0x8ULL << 16) |
				(0x8eULL << 40) | ((uint64_t)(h >> 16) << 48);

		s[0] = 0x68;			/* push imm32 */
		memcpy(s + 1, &v, 4);
		s[5] = 0xe9;			/* jmp rel32 */
		memcpy(s + 6, &rel, 4);
		memcpy(m->mem + IDT + 8 * v, &gate, 8);
	}
	put(m, COMMON, g_common, sizeof(g_common));
}

static void prot_mode(struct mvm *m, int i, uint32_t rip)
{
	struct kvm_sregs s;
	struct kvm_regs r = { .rip = rip, .rsp = STACK + 0x1000 * i + 0x1000,
			      .rflags = 2 };
	struct kvm_segment cs = { .limit = 0xffffffff, .selector = 8,
				  .type = 11, .present = 1, .db = 1, .s = 1,
				  .g = 1 };

	assert_int_equal(kvmu_ioctl(m->vcpu[i], KVM_GET_SREGS, &s), 0);
	s.cs = cs;
	cs.selector = 0x10;
	cs.type = 3;
	s.ds = s.es = s.fs = s.gs = s.ss = cs;
	s.gdt.base = GDT;
	s.gdt.limit = 23;
	s.idt.base = IDT;
	s.idt.limit = 256 * 8 - 1;
	s.cr0 = 0x11;
	assert_int_equal(kvmu_ioctl(m->vcpu[i], KVM_SET_SREGS, &s), 0);
	assert_int_equal(kvmu_ioctl(m->vcpu[i], KVM_SET_REGS, &r), 0);
}

static void mvm_create(struct mvm *m, int ncpu, bool irqchip, bool pit)
{
	struct kvm_userspace_memory_region r = { 0 };
	struct kvm_pit_config pc = { 0 };
	int i;

	memset(m, 0, sizeof(*m));
	m->n = ncpu;
	m->sys = kvmu_open(KVMU_ARCH_X86_64, 0);
	assert_true(m->sys >= 0);
	m->vm = kvmu_ioctl(m->sys, KVM_CREATE_VM, 0);
	assert_true(m->vm >= 0);
	if (irqchip)
		assert_int_equal(kvmu_ioctl(m->vm, KVM_CREATE_IRQCHIP, 0), 0);
	if (pit)
		assert_int_equal(kvmu_ioctl(m->vm, KVM_CREATE_PIT2, &pc), 0);
	m->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m->mem != MAP_FAILED);
	r.memory_size = MEM_SIZE;
	r.userspace_addr = (uintptr_t)m->mem;
	assert_int_equal(kvmu_ioctl(m->vm, KVM_SET_USER_MEMORY_REGION, &r),
			 0);
	m->run_size = (size_t)kvmu_ioctl(m->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	for (i = 0; i < ncpu; i++) {
		m->vcpu[i] = kvmu_ioctl(m->vm, KVM_CREATE_VCPU, i);
		assert_true(m->vcpu[i] >= 0);
		m->run[i] = mmap(NULL, m->run_size, PROT_READ | PROT_WRITE,
				 MAP_SHARED, m->vcpu[i], 0);
		assert_true(m->run[i] != MAP_FAILED);
	}
	tables(m);
}

static void mvm_destroy(struct mvm *m)
{
	int i;

	for (i = 0; i < m->n; i++) {
		munmap(m->run[i], m->run_size);
		close(m->vcpu[i]);
	}
	munmap(m->mem, MEM_SIZE);
	close(m->vm);
	close(m->sys);
}

/* KVM_RUN until an exit to user space that is not EAGAIN/INTR. */
static int run(struct mvm *m, int i)
{
	for (;;) {
		int r = kvmu_ioctl(m->vcpu[i], KVM_RUN, 0);

		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r < 0)
			return -errno;
		return (int)m->run[i]->exit_reason;
	}
}

static void expect_out(struct mvm *m, int i, int port)
{
	assert_int_equal(run(m, i), KVM_EXIT_IO);
	assert_int_equal(m->run[i]->io.direction, KVM_EXIT_IO_OUT);
	assert_int_equal(m->run[i]->io.port, port);
}

static void test_lapic_timer(void **state)
{
	struct mvm m;

	(void)state;
	mvm_create(&m, 1, true, false);
	put(&m, CODE, g_lapic_timer, sizeof(g_lapic_timer));
	prot_mode(&m, 0, CODE);
	expect_out(&m, 0, 0xf4);
	/* a tick may land on the jmp between IRET and CLI */
	assert_true(*w32(&m, VEC_COUNT(0x40)) >= 3);
	assert_int_equal(*w32(&m, CPU_COUNT(0)), *w32(&m, VEC_COUNT(0x40)));
	mvm_destroy(&m);
}

/* The supported CPUID into the vCPU (TSC-deadline, x2APIC bits). */
static void supported_cpuid(struct mvm *m, int i)
{
	struct {
		struct kvm_cpuid2 h;
		struct kvm_cpuid_entry2 e[64];
	} c = { .h.nent = 64 };

	assert_int_equal(kvmu_ioctl(m->sys, KVM_GET_SUPPORTED_CPUID, &c), 0);
	assert_int_equal(kvmu_ioctl(m->vcpu[i], KVM_SET_CPUID2, &c), 0);
}

static void test_tsc_deadline(void **state)
{
	struct mvm m;

	(void)state;
	mvm_create(&m, 1, true, false);
	assert_int_equal(kvmu_ioctl(m.sys, KVM_CHECK_EXTENSION,
				    KVM_CAP_TSC_DEADLINE_TIMER), 1);
	supported_cpuid(&m, 0);
	put(&m, CODE, g_tsc_deadline, sizeof(g_tsc_deadline));
	prot_mode(&m, 0, CODE);
	expect_out(&m, 0, 0xf4);
	assert_int_equal(*w32(&m, VEC_COUNT(0x42)), 1);
	/* armed (far away): reads back what was written */
	assert_true(*w32(&m, 0x6f14) != 0);
	assert_int_equal(*w32(&m, 0x6f08), *w32(&m, 0x6f10));
	assert_int_equal(*w32(&m, 0x6f18), *w32(&m, 0x6f14));
	assert_int_equal(*w32(&m, 0x6f0c), 0);	/* fired: cleared */
	mvm_destroy(&m);
}

static void test_pit_ioapic(void **state)
{
	struct mvm m;
	struct kvm_pit_state2 ps;

	(void)state;
	mvm_create(&m, 1, true, true);
	put(&m, CODE, g_pit_ioapic, sizeof(g_pit_ioapic));
	prot_mode(&m, 0, CODE);
	expect_out(&m, 0, 0xf4);
	/* a tick may land on the jmp between IRET and CLI */
	assert_true(*w32(&m, VEC_COUNT(0x41)) >= 3);
	assert_int_equal(kvmu_ioctl(m.vm, KVM_GET_PIT2, &ps), 0);
	assert_int_equal(ps.channels[0].mode, 2);
	assert_int_equal(ps.channels[0].count, 1193);
	assert_int_equal(ps.channels[0].rw_mode, 3);
	mvm_destroy(&m);
}

static void test_pit_pic(void **state)
{
	struct mvm m;
	struct kvm_irqchip c = { .chip_id = KVM_IRQCHIP_PIC_MASTER };

	(void)state;
	mvm_create(&m, 1, true, true);
	*w32(&m, EOI_MODE) = 1;
	put(&m, CODE, g_pit_pic, sizeof(g_pit_pic));
	prot_mode(&m, 0, CODE);
	expect_out(&m, 0, 0xf4);
	/* a tick may land on the jmp between IRET and CLI */
	assert_true(*w32(&m, VEC_COUNT(0x50)) >= 3);
	assert_int_equal(kvmu_ioctl(m.vm, KVM_GET_IRQCHIP, &c), 0);
	assert_int_equal(c.chip.pic.irq_base, 0x50);
	assert_int_equal(c.chip.pic.imr, 0xfe);
	mvm_destroy(&m);
}

struct th {
	struct mvm *m;
	int i, port, ret;
};

static void *vcpu_thread(void *p)
{
	struct th *t = p;

	t->ret = run(t->m, t->i);
	if (t->ret == KVM_EXIT_IO)
		t->port = t->m->run[t->i]->io.port;
	return NULL;
}

static void test_halt_wakes_on_msi(void **state)
{
	struct mvm m;
	struct th t;
	pthread_t tid;
	struct kvm_msi msi = { .address_lo = 0xfee00000, .data = 0x45 };
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	struct kvm_mp_state mp;

	(void)state;
	mvm_create(&m, 1, true, false);
	put(&m, CODE, g_halt_msi, sizeof(g_halt_msi));
	prot_mode(&m, 0, CODE);
	t = (struct th){ .m = &m, .i = 0 };
	assert_int_equal(pthread_create(&tid, NULL, vcpu_thread, &t), 0);
	nanosleep(&ts, NULL);
	/* asleep in HLT, or not yet there: either way it waits for this */
	assert_true(kvmu_ioctl(m.vm, KVM_SIGNAL_MSI, &msi) >= 0);
	pthread_join(tid, NULL);
	assert_int_equal(t.ret, KVM_EXIT_IO);
	assert_int_equal(t.port, 0xf4);
	assert_int_equal(*w32(&m, VEC_COUNT(0x45)), 1);
	assert_int_equal(kvmu_ioctl(m.vcpu[0], KVM_GET_MP_STATE, &mp), 0);
	assert_int_equal(mp.mp_state, KVM_MP_STATE_RUNNABLE);
	mvm_destroy(&m);
}

/*
 * A level irqfd with a resamplefd on GSI 10: the guest's EOI reaches the
 * resampler (kvmu_irq_ack), which lowers the line before the IOAPIC looks
 * again, so the interrupt is taken once and nothing stays pending.
 */
static void test_irqfd_resample(void **state)
{
	struct mvm m;
	int efd = eventfd(0, EFD_CLOEXEC);
	int rfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct kvm_irqfd irqfd = { .fd = (uint32_t)efd, .gsi = 10,
				   .flags = KVM_IRQFD_FLAG_RESAMPLE,
				   .resamplefd = (uint32_t)rfd };
	struct kvm_lapic_state l;
	uint64_t one = 1, got = 0;

	(void)state;
	assert_true(efd >= 0 && rfd >= 0);
	mvm_create(&m, 1, true, false);
	assert_int_equal(kvmu_ioctl(m.vm, KVM_IRQFD, &irqfd), 0);
	assert_int_equal(write(efd, &one, 8), 8);
	put(&m, CODE, g_irqfd_level, sizeof(g_irqfd_level));
	prot_mode(&m, 0, CODE);
	expect_out(&m, 0, 0xf4);
	assert_int_equal(*w32(&m, VEC_COUNT(0x46)), 1);
	assert_int_equal(read(rfd, &got, 8), 8);
	assert_int_equal(got, 1);
	assert_int_equal(kvmu_ioctl(m.vcpu[0], KVM_GET_LAPIC, &l), 0);
	/* IRR of vector 0x46 (word 2, bit 6) is clear: no second delivery */
	assert_int_equal(*(uint32_t *)(l.regs + 0x200 + 0x20) & (1u << 6), 0);
	irqfd.flags |= KVM_IRQFD_FLAG_DEASSIGN;
	assert_int_equal(kvmu_ioctl(m.vm, KVM_IRQFD, &irqfd), 0);
	mvm_destroy(&m);
	close(efd);
	close(rfd);
}

static void test_init_sipi(void **state)
{
	struct mvm m;
	struct th t[2];
	pthread_t tid[2];
	struct kvm_mp_state mp;
	struct kvm_sregs s;
	int i;

	(void)state;
	mvm_create(&m, 2, true, false);
	assert_int_equal(kvmu_ioctl(m.vcpu[1], KVM_GET_MP_STATE, &mp), 0);
	assert_int_equal(mp.mp_state, KVM_MP_STATE_UNINITIALIZED);
	put(&m, CODE, g_init_sipi, sizeof(g_init_sipi));
	put(&m, AP_CODE, g_ap16, sizeof(g_ap16));
	prot_mode(&m, 0, CODE);
	for (i = 0; i < 2; i++) {
		t[i] = (struct th){ .m = &m, .i = i };
		assert_int_equal(pthread_create(&tid[i], NULL, vcpu_thread,
						&t[i]), 0);
	}
	for (i = 0; i < 2; i++)
		pthread_join(tid[i], NULL);
	assert_int_equal(t[0].ret, KVM_EXIT_IO);
	assert_int_equal(t[0].port, 0xf4);
	assert_int_equal(t[1].ret, KVM_EXIT_IO);
	assert_int_equal(t[1].port, 0xf5);
	assert_int_equal(*w32(&m, AP_FLAG), 0x1234);
	assert_int_equal(kvmu_ioctl(m.vcpu[1], KVM_GET_SREGS, &s), 0);
	assert_int_equal(s.cs.selector, 0x0800);
	assert_int_equal(s.cs.base, 0x8000);
	mvm_destroy(&m);
}

static void test_ipi_ring(void **state)
{
	struct mvm m;
	struct th t[MAX_CPUS];
	pthread_t tid[MAX_CPUS];
	struct kvm_mp_state run_state = { KVM_MP_STATE_RUNNABLE };
	int i;

	(void)state;
	mvm_create(&m, MAX_CPUS, true, false);
	*w32(&m, RING_MASK) = MAX_CPUS - 1;
	put(&m, CODE, g_ipi_ring, sizeof(g_ipi_ring));
	for (i = 0; i < MAX_CPUS; i++) {
		prot_mode(&m, i, CODE);
		assert_int_equal(kvmu_ioctl(m.vcpu[i], KVM_SET_MP_STATE,
					    &run_state), 0);
	}
	for (i = 0; i < MAX_CPUS; i++) {
		t[i] = (struct th){ .m = &m, .i = i };
		assert_int_equal(pthread_create(&tid[i], NULL, vcpu_thread,
						&t[i]), 0);
	}
	for (i = 0; i < MAX_CPUS; i++)
		pthread_join(tid[i], NULL);
	for (i = 0; i < MAX_CPUS; i++) {
		assert_int_equal(t[i].ret, KVM_EXIT_IO);
		assert_int_equal(t[i].port, 0xf4);
		assert_int_equal(*w32(&m, CPU_COUNT(i)), 1);
	}
	assert_int_equal(*w32(&m, VEC_COUNT(0x60)), MAX_CPUS);
	mvm_destroy(&m);
}

static void test_errno(void **state)
{
	struct mvm m;
	struct kvm_irqchip c = { .chip_id = 3 };
	struct kvm_lapic_state ls;
	struct kvm_pit_config pc = { 0 };
	struct kvm_pit_state2 ps;
	struct kvm_interrupt irq = { .irq = 0x30 };
	struct kvm_enable_cap cap = { .cap = KVM_CAP_SPLIT_IRQCHIP };
	struct kvm_mp_state mp = { 99 };

	(void)state;
	mvm_create(&m, 1, false, false);
	assert_int_equal(kvmu_ioctl(m.vm, KVM_GET_IRQCHIP, &c), -1);
	assert_int_equal(errno, ENXIO);
	assert_int_equal(kvmu_ioctl(m.vcpu[0], KVM_GET_LAPIC, &ls), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(kvmu_ioctl(m.vm, KVM_CREATE_PIT2, &pc), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(kvmu_ioctl(m.vm, KVM_GET_PIT2, &ps), -1);
	assert_int_equal(errno, ENXIO);
	assert_int_equal(kvmu_ioctl(m.vm, KVM_CREATE_IRQCHIP, 0), -1);
	assert_int_equal(errno, EINVAL);	/* a vCPU exists */
	assert_int_equal(kvmu_ioctl(m.vm, KVM_SET_BOOT_CPU_ID, 1), -1);
	assert_int_equal(errno, EBUSY);
	mp.mp_state = KVM_MP_STATE_HALTED;
	assert_int_equal(kvmu_ioctl(m.vcpu[0], KVM_SET_MP_STATE, &mp), -1);
	assert_int_equal(errno, EINVAL);
	mvm_destroy(&m);

	mvm_create(&m, 1, true, true);
	assert_int_equal(kvmu_ioctl(m.vm, KVM_CREATE_IRQCHIP, 0), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(kvmu_ioctl(m.vm, KVM_CREATE_PIT2, &pc), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(kvmu_ioctl(m.vm, KVM_GET_IRQCHIP, &c), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(kvmu_ioctl(m.vcpu[0], KVM_INTERRUPT, &irq), -1);
	assert_int_equal(errno, ENXIO);
	assert_int_equal(kvmu_ioctl(m.vm, KVM_ENABLE_CAP, &cap), -1);
	assert_int_equal(errno, EEXIST);
	mp.mp_state = 99;
	assert_int_equal(kvmu_ioctl(m.vcpu[0], KVM_SET_MP_STATE, &mp), -1);
	assert_int_equal(errno, EINVAL);
	mvm_destroy(&m);

	m.sys = kvmu_open(KVMU_ARCH_X86_64, 0);
	m.vm = kvmu_ioctl(m.sys, KVM_CREATE_VM, 0);
	cap.args[0] = 49;
	assert_int_equal(kvmu_ioctl(m.vm, KVM_ENABLE_CAP, &cap), -1);
	assert_int_equal(errno, EINVAL);
	cap.args[0] = 24;
	assert_int_equal(kvmu_ioctl(m.vm, KVM_ENABLE_CAP, &cap), 0);
	assert_int_equal(kvmu_ioctl(m.vm, KVM_CREATE_IRQCHIP, 0), -1);
	assert_int_equal(errno, EEXIST);
	c.chip_id = 0;
	assert_int_equal(kvmu_ioctl(m.vm, KVM_GET_IRQCHIP, &c), -1);
	assert_int_equal(errno, ENXIO);		/* split: no PIC here */
	assert_int_equal(kvmu_ioctl(m.sys, KVM_CHECK_EXTENSION,
				    KVM_CAP_IRQCHIP), 1);
	close(m.vm);
	close(m.sys);
}

static void test_state_round_trips(void **state)
{
	struct mvm m;
	struct kvm_irqchip c, c2;
	struct kvm_lapic_state l, l2;
	struct kvm_pit_state2 p, p2;
	struct kvm_pit_state q;
	struct kvm_mp_state mp;
	static const uint32_t mps[] = {
		KVM_MP_STATE_UNINITIALIZED, KVM_MP_STATE_INIT_RECEIVED,
		KVM_MP_STATE_HALTED, KVM_MP_STATE_RUNNABLE,
	};
	unsigned int i;

	(void)state;
	mvm_create(&m, 2, true, true);
	for (i = 0; i < 3; i++) {
		memset(&c, 0, sizeof(c));
		c.chip_id = i;
		assert_int_equal(kvmu_ioctl(m.vm, KVM_GET_IRQCHIP, &c), 0);
		if (i < 2) {
			c.chip.pic.imr = 0x5a;
			c.chip.pic.irq_base = 0x78;
		} else {
			assert_int_equal(c.chip.ioapic.base_address,
					 0xfec00000);
			c.chip.ioapic.redirtbl[5].bits = 0x0300000000018035ULL;
			c.chip.ioapic.id = 7;
		}
		assert_int_equal(kvmu_ioctl(m.vm, KVM_SET_IRQCHIP, &c), 0);
		memset(&c2, 0, sizeof(c2));
		c2.chip_id = i;
		assert_int_equal(kvmu_ioctl(m.vm, KVM_GET_IRQCHIP, &c2), 0);
		assert_memory_equal(&c, &c2, sizeof(c));
	}
	assert_int_equal(kvmu_ioctl(m.vcpu[1], KVM_GET_LAPIC, &l), 0);
	assert_int_equal(*(uint32_t *)(l.regs + 0x20), 1u << 24);	/* ID */
	assert_int_equal(*(uint32_t *)(l.regs + 0x30), 0x50014);	/* LVR */
	assert_int_equal(*(uint32_t *)(l.regs + 0xf0), 0xff);		/* SVR */
	assert_int_equal(*(uint32_t *)(l.regs + 0x350), 0x10000);	/* AP LVT0 */
	*(uint32_t *)(l.regs + 0x80) = 0x20;			/* TPR */
	*(uint32_t *)(l.regs + 0x200 + 0x10) = 0x4;		/* IRR 34 */
	assert_int_equal(kvmu_ioctl(m.vcpu[1], KVM_SET_LAPIC, &l), 0);
	assert_int_equal(kvmu_ioctl(m.vcpu[1], KVM_GET_LAPIC, &l2), 0);
	assert_memory_equal(&l, &l2, sizeof(l));
	assert_int_equal(kvmu_ioctl(m.vm, KVM_GET_PIT2, &p), 0);
	assert_int_equal(p.channels[0].mode, 0xff);	/* KVM's reset */
	assert_int_equal(p.channels[0].count, 0x10000);
	p.channels[2].mode = 3;
	p.channels[2].count = 1000;
	p.flags = KVM_PIT_FLAGS_HPET_LEGACY;
	assert_int_equal(kvmu_ioctl(m.vm, KVM_SET_PIT2, &p), 0);
	assert_int_equal(kvmu_ioctl(m.vm, KVM_GET_PIT2, &p2), 0);
	assert_int_equal(p2.channels[2].mode, 3);
	assert_int_equal(p2.channels[2].count, 1000);
	assert_int_equal(p2.flags, KVM_PIT_FLAGS_HPET_LEGACY);
	assert_int_equal(kvmu_ioctl(m.vm, KVM_GET_PIT, &q), 0);
	assert_int_equal(q.channels[2].count, 1000);
	q.channels[1].count = 77;
	assert_int_equal(kvmu_ioctl(m.vm, KVM_SET_PIT, &q), 0);
	assert_int_equal(kvmu_ioctl(m.vm, KVM_GET_PIT2, &p2), 0);
	assert_int_equal(p2.channels[1].count, 77);
	assert_int_equal(p2.flags, KVM_PIT_FLAGS_HPET_LEGACY);
	for (i = 0; i < 4; i++) {
		mp.mp_state = mps[i];
		assert_int_equal(kvmu_ioctl(m.vcpu[1], KVM_SET_MP_STATE, &mp),
				 0);
		assert_int_equal(kvmu_ioctl(m.vcpu[1], KVM_GET_MP_STATE, &mp),
				 0);
		assert_int_equal(mp.mp_state, mps[i]);
	}
	/* SIPI_RECEIVED is INIT_RECEIVED with a SIPI pending: it runs */
	mp.mp_state = KVM_MP_STATE_SIPI_RECEIVED;
	assert_int_equal(kvmu_ioctl(m.vcpu[1], KVM_SET_MP_STATE, &mp), 0);
	assert_int_equal(kvmu_ioctl(m.vcpu[1], KVM_GET_MP_STATE, &mp), 0);
	assert_int_equal(mp.mp_state, KVM_MP_STATE_RUNNABLE);
	mvm_destroy(&m);
}

/*
 * KVM_GUESTDBG_BLOCKIRQ: a self-IPI stays pending across STI while the
 * debugger blocks interrupts, and is taken once the flag is cleared.
 */
static void test_guestdbg_blockirq(void **state)
{
	static const uint8_t code[] = {
		0xc7, 0x05, 0xf0, 0x00, 0xe0, 0xfe, 0xff, 0x01, 0x00, 0x00,
		0xc7, 0x05, 0x00, 0x03, 0xe0, 0xfe, 0x40, 0x40, 0x04, 0x00,
		0xfb, 0x90, 0x90, 0x90, 0x90, 0xfa,	/* sti, nop x4, cli */
		0xe6, 0xf4,				/* out 0xf4 */
		0xfb, 0x90, 0x90, 0xfa,			/* sti, nop x2, cli */
		0xe6, 0xf5,				/* out 0xf5 */
	};
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_BLOCKIRQ,
	};
	struct mvm m;

	(void)state;
	mvm_create(&m, 1, true, false);
	put(&m, CODE, code, sizeof(code));
	prot_mode(&m, 0, CODE);
	assert_int_equal(kvmu_ioctl(m.vcpu[0], KVM_SET_GUEST_DEBUG, &dbg), 0);
	expect_out(&m, 0, 0xf4);
	assert_int_equal(*w32(&m, VEC_COUNT(0x40)), 0);
	dbg.control = 0;
	assert_int_equal(kvmu_ioctl(m.vcpu[0], KVM_SET_GUEST_DEBUG, &dbg), 0);
	expect_out(&m, 0, 0xf5);
	assert_int_equal(*w32(&m, VEC_COUNT(0x40)), 1);
	mvm_destroy(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lapic_timer),
		cmocka_unit_test(test_tsc_deadline),
		cmocka_unit_test(test_pit_ioapic),
		cmocka_unit_test(test_pit_pic),
		cmocka_unit_test(test_halt_wakes_on_msi),
		cmocka_unit_test(test_irqfd_resample),
		cmocka_unit_test(test_init_sipi),
		cmocka_unit_test(test_ipi_ring),
		cmocka_unit_test(test_errno),
		cmocka_unit_test(test_state_round_trips),
		cmocka_unit_test(test_guestdbg_blockirq),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
