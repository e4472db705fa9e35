// SPDX-License-Identifier: MIT
/*
 * VM planes on kvmu, one test per fact of the April 2025 RFC's selftests
 * (tools/testing/selftests/kvm/plane_test.c and x86/plane_test.c, as the
 * reference sheet lists them), plus the per-plane memory attributes.
 * Through the library (kvmu_open/kvmu_ioctl); no kernel has planes.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <kvmu/kvmu.h>
#include "kvmu/abi/planes.h"
#include "x86_guest.h"
#include "planes_util.h"

/* ---- plane_test.c (generic) ---- */

static void test_caps(void **state)
{
	struct pl p;

	(void)state;
	setup(&p, false, false);
	assert_int_equal(ioval(&p, p.g.sys, KVM_CHECK_EXTENSION,
			       KVM_CAP_PLANES), 16);
	assert_int_equal(ioval(&p, p.g.vm, KVM_CHECK_EXTENSION,
			       KVM_CAP_PLANES), 16);
	assert_int_equal(ioval(&p, p.g.vm, KVM_CHECK_EXTENSION,
			       KVM_CAP_PLANES_FPU), 1);
	assert_int_equal(ioval(&p, p.g.vm, KVM_CHECK_EXTENSION,
			       KVM_CAP_MEMORY_ATTRIBUTES), 7);
	/* a plane fd answers three capabilities, and PLANES reads 0 */
	assert_int_equal(ioval(&p, p.plane, KVM_CHECK_EXTENSION,
			       KVM_CAP_PLANES), 0);
	assert_int_equal(ioval(&p, p.plane, KVM_CHECK_EXTENSION,
			       KVM_CAP_SIGNAL_MSI), 1);
	assert_int_equal(ioval(&p, p.plane, KVM_CHECK_EXTENSION,
			       KVM_CAP_CHECK_EXTENSION_VM), 1);
	assert_int_equal(ioval(&p, p.plane, KVM_CHECK_EXTENSION,
			       KVM_CAP_MEMORY_ATTRIBUTES), 7);
	assert_int_equal(ioval(&p, p.plane, KVM_CHECK_EXTENSION,
			       KVM_CAP_USER_MEMORY), 0);
	teardown(&p);
}

static void test_create_errors(void **state)
{
	struct pl p, q;

	(void)state;
	setup(&p, false, false);
	expect_err(ioval(&p, p.g.vm, KVM_CREATE_PLANE, 1), EEXIST);
	expect_err(ioval(&p, p.g.vm, KVM_CREATE_PLANE, 0), EEXIST);
	expect_err(ioval(&p, p.g.vm, KVM_CREATE_PLANE, 16), EINVAL);
	expect_err(ioval(&p, p.g.vm, KVM_CREATE_PLANE, ~0UL), EINVAL);
	/* a duplicate, a closed fd, fds that are no plane-0 vCPU */
	expect_err(ioval(&p, p.plane, KVM_CREATE_VCPU_PLANE,
			 (unsigned long)p.g.vcpu), EEXIST);
	expect_err(ioval(&p, p.plane, KVM_CREATE_VCPU_PLANE, 4000), EBADF);
	expect_err(ioval(&p, p.plane, KVM_CREATE_VCPU_PLANE,
			 (unsigned long)p.g.vm), EINVAL);
	expect_err(ioval(&p, p.plane, KVM_CREATE_VCPU_PLANE,
			 (unsigned long)p.plane), EINVAL);
	expect_err(ioval(&p, p.plane, KVM_CREATE_VCPU_PLANE,
			 (unsigned long)p.pvcpu), EINVAL);
	expect_err(ioval(&p, p.plane, KVM_CREATE_VCPU_PLANE, 0), EINVAL);
	assert_int_equal(tg_create(&q.g, &tg_kvmu), 0);
	expect_err(ioval(&p, p.plane, KVM_CREATE_VCPU_PLANE,
			 (unsigned long)q.g.vcpu), EINVAL);
	tg_destroy(&q.g);
	/* the VM fd does not know the plane-fd request */
	expect_err(ioval(&p, p.g.vm, KVM_CREATE_VCPU_PLANE,
			 (unsigned long)p.g.vcpu), ENOTTY);
	teardown(&p);
}

static void test_plane_fd_ioctls(void **state)
{
	struct kvm_userspace_memory_region r = { 0 };
	struct pl p;

	(void)state;
	setup(&p, false, false);
	expect_err(io(&p, p.plane, KVM_RUN, NULL), ENOTTY);
	expect_err(ioval(&p, p.plane, KVM_CREATE_VCPU, 1), ENOTTY);
	expect_err(io(&p, p.plane, KVM_SET_USER_MEMORY_REGION, &r), ENOTTY);
	expect_err(ioval(&p, p.plane, KVM_CREATE_PLANE, 2), ENOTTY);
	expect_err(io(&p, p.plane, KVM_GET_REGS, &r), ENOTTY);
	teardown(&p);
}

static void test_plane_vcpu_ioctls(void **state)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
	struct kvm_lapic_state lapic;
	struct kvm_vcpu_events ev;
	struct kvm_debugregs dr;
	struct kvm_xcrs xcrs;
	struct kvm_translation tr = { .linear_address = A_CODE };
	struct {
		struct kvm_cpuid2 h;
		struct kvm_cpuid_entry2 e[4];
	} cpuid = { .h.nent = 4 };
	struct pl p;

	(void)state;
	setup(&p, true, false);
	assert_int_equal(io(&p, p.pvcpu, KVM_GET_REGS, &regs), 0);
	assert_int_equal(io(&p, p.pvcpu, KVM_GET_SREGS, &sregs), 0);
	assert_int_equal(io(&p, p.pvcpu, KVM_GET_FPU, &fpu), 0);
	assert_int_equal(io(&p, p.pvcpu, KVM_GET_LAPIC, &lapic), 0);
	assert_int_equal(io(&p, p.pvcpu, KVM_GET_VCPU_EVENTS, &ev), 0);
	assert_int_equal(io(&p, p.pvcpu, KVM_GET_DEBUGREGS, &dr), 0);
	assert_int_equal(io(&p, p.pvcpu, KVM_GET_XCRS, &xcrs), 0);
	assert_int_equal(io(&p, p.pvcpu, KVM_TRANSLATE, &tr), 0);
	assert_int_equal(tr.valid, 1);
	/* everything else: EINVAL, KVM_RUN and CPUID included */
	expect_err(io(&p, p.pvcpu, KVM_RUN, NULL), EINVAL);
	expect_err(io(&p, p.pvcpu, KVM_GET_CPUID2, &cpuid), EINVAL);
	expect_err(io(&p, p.pvcpu, KVM_SET_CPUID2, &cpuid), EINVAL);
	expect_err(io(&p, p.pvcpu, KVM_NMI, NULL), EINVAL);
	expect_err(io(&p, p.pvcpu, KVM_GET_MP_STATE, &regs), EINVAL);
	expect_err(io(&p, p.pvcpu, KVM_SET_SIGNAL_MASK, NULL), EINVAL);
	expect_err(ioval(&p, p.pvcpu, KVM_GET_STATS_FD, 0), EINVAL);
	teardown(&p);
}

static void test_plane_vcpu_mmap_sigbus(void **state)
{
	struct pl p;
	pid_t pid;
	int st;

	(void)state;
	setup(&p, false, false);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		volatile uint8_t *m;

		signal(SIGBUS, SIG_DFL);	/* not cmocka's handler */
		m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
			 p.pvcpu, 0);

		if (m == MAP_FAILED)
			_exit(3);
		(void)m[0];		/* no kvm_run page behind a plane vCPU */
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGBUS);
	teardown(&p);
}

static void test_cpuid_locked(void **state)
{
	struct {
		struct kvm_cpuid2 h;
		struct kvm_cpuid_entry2 e[128];
	} c = { .h.nent = 128 }, d;
	struct tguest g;
	int plane, pv;

	(void)state;
	assert_int_equal(tg_create(&g, &tg_kvmu), 0);
	assert_int_equal(tg_set_supported_cpuid(&g), 0);
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_GET_CPUID2, &c), 0);
	assert_true(c.h.nent > 1);
	plane = tg_ioctl(&g, g.vm, KVM_CREATE_PLANE, (void *)1UL);
	assert_true(plane >= 0);
	pv = tg_ioctl(&g, plane, KVM_CREATE_VCPU_PLANE,
		      (void *)(unsigned long)g.vcpu);
	assert_true(pv >= 0);
	/* the same table is still accepted, another one is not */
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_SET_CPUID2, &c), 0);
	d = c;
	d.h.nent = c.h.nent - 1;
	assert_int_equal(tg_ioctl(&g, g.vcpu, KVM_SET_CPUID2, &d), -1);
	assert_int_equal(errno, EINVAL);
	close(pv);
	close(plane);
	tg_destroy(&g);
}

/* ---- x86/plane_test.c ---- */

static void test_regs_independent(void **state)
{
	struct pl p;

	(void)state;
	setup(&p, false, false);
	put_mark(&p, A_CODE, 0xaaaa, 0x10);
	put_mark(&p, B_CODE, 0xbbbb, 0x11);
	assert_int_equal(run_plane(&p, 1), KVM_EXIT_IO);
	assert_int_equal(p.g.run->io.port, 0x11);
	assert_int_equal(rax_of(&p, p.pvcpu), 0xbbbb);
	assert_int_not_equal(rax_of(&p, p.g.vcpu), 0xbbbb);
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_IO);
	assert_int_equal(p.g.run->io.port, 0x10);
	assert_int_equal(rax_of(&p, p.g.vcpu), 0xaaaa);
	assert_int_equal(rax_of(&p, p.pvcpu), 0xbbbb);
	/* a plane without a vCPU, and one past the last */
	assert_int_equal(run_plane(&p, 2), -EINVAL);
	assert_int_equal(run_plane(&p, 16), -EINVAL);
	teardown(&p);
}

/* fldcw [rip+2]; out 0x10, al; dw cw */
static void put_fldcw(struct pl *p, uint64_t gpa, uint16_t cw)
{
	uint8_t c[] = { 0xd9, 0x2d, 0x02, 0, 0, 0, 0xe6, 0x10,
			(uint8_t)cw, (uint8_t)(cw >> 8) };

	tg_put(&p->g, gpa, c, sizeof(c));
}

static uint16_t fcw_of(struct pl *p, int fd)
{
	struct kvm_fpu f;

	assert_int_equal(io(p, fd, KVM_GET_FPU, &f), 0);
	return f.fcw;
}

static void test_fpu_separate(void **state)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_PLANES_FPU,
				      .args = { 1 } };
	struct pl p;

	(void)state;
	setup(&p, false, false);
	put_fldcw(&p, A_CODE, 0x027f);
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_IO);
	assert_int_equal(fcw_of(&p, p.g.vcpu), 0x027f);
	assert_int_equal(fcw_of(&p, p.pvcpu), 0x037f);
	/* too late once plane vCPUs exist */
	expect_err(io(&p, p.g.vm, KVM_ENABLE_CAP, &cap), EBUSY);
	teardown(&p);
}

static void test_fpu_shared(void **state)
{
	struct kvm_fpu f;
	struct pl p;

	(void)state;
	setup(&p, false, true);
	put_fldcw(&p, A_CODE, 0x027f);
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_IO);
	assert_int_equal(fcw_of(&p, p.pvcpu), 0x027f);
	/* and back: plane 1's change is plane 0's */
	assert_int_equal(io(&p, p.pvcpu, KVM_GET_FPU, &f), 0);
	f.fcw = 0x007f;
	assert_int_equal(io(&p, p.pvcpu, KVM_SET_FPU, &f), 0);
	assert_int_equal(fcw_of(&p, p.g.vcpu), 0x007f);
	put_fldcw(&p, B_CODE, 0x017f);
	assert_int_equal(run_plane(&p, 1), KVM_EXIT_IO);
	assert_int_equal(fcw_of(&p, p.g.vcpu), 0x017f);
	/* registers stay per plane */
	assert_int_not_equal(rax_of(&p, p.g.vcpu), 0x1234567);
	teardown(&p);
}

static void test_msi_plane(void **state)
{
	struct pl p;

	(void)state;
	setup(&p, true, false);
	lapic_enable(&p, p.g.vcpu);
	lapic_enable(&p, p.pvcpu);
	msi(&p, p.plane, 0x40);
	assert_true(irr_has(&p, p.pvcpu, 0x40));
	assert_false(irr_has(&p, p.g.vcpu, 0x40));
	msi(&p, p.g.vm, 0x41);
	assert_true(irr_has(&p, p.g.vcpu, 0x41));
	assert_false(irr_has(&p, p.pvcpu, 0x41));
	teardown(&p);
}

/* An IPI that plane 1 sends reaches plane 1's APICs only. */
static void test_ipi_plane(void **state)
{
	static const uint8_t ipi[] = {
		0xbb, 0x00, 0x03, 0xe0, 0xfe,		/* mov ebx, 0xfee00300 */
		0xc7, 0x43, 0x10, 0, 0, 0, 0,		/* ICR high: APIC 0 */
		0xc7, 0x03, 0x50, 0x40, 0, 0,		/* ICR low: fixed 0x50 */
		0xe6, 0x11,				/* out 0x11, al */
	};
	struct pl p;

	(void)state;
	setup(&p, true, false);
	map_apic(&p);
	lapic_enable(&p, p.g.vcpu);
	lapic_enable(&p, p.pvcpu);
	tg_put(&p.g, B_CODE, ipi, sizeof(ipi));
	assert_int_equal(run_plane(&p, 1), KVM_EXIT_IO);
	assert_int_equal(p.g.run->io.port, 0x11);
	assert_true(irr_has(&p, p.pvcpu, 0x50));
	assert_false(irr_has(&p, p.g.vcpu, 0x50));
	teardown(&p);
}

static void test_req_exit_planes(void **state)
{
	struct kvmu_plane_event_exit *ev;
	struct pl p;

	(void)state;
	setup(&p, true, false);
	lapic_enable(&p, p.g.vcpu);
	lapic_enable(&p, p.pvcpu);
	put_mark(&p, A_CODE, 1, 0x10);
	put_mark(&p, B_CODE, 2, 0x11);
	ev = kvmu_run_plane_event(p.g.run);
	msi(&p, p.plane, 0x40);
	/* not asked for: plane 0 runs */
	runp(&p)->req_exit_planes = 0;
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_IO);
	set_rip(&p, p.g.vcpu, A_CODE);
	/* asked for another plane: no event there, plane 0 runs */
	runp(&p)->req_exit_planes = 1u << 2;
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_IO);
	set_rip(&p, p.g.vcpu, A_CODE);
	/* asked for plane 1: the exit comes at entry */
	runp(&p)->req_exit_planes = 1u << 1;
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_PLANE_EVENT);
	assert_int_equal(ev->cause, KVM_PLANE_EVENT_INTERRUPT);
	assert_int_equal(ev->pending_event_planes, 1u << 1);
	assert_int_equal(ev->target, 1u << 1);
	assert_int_equal(rax_of(&p, p.g.vcpu), 0);	/* nothing ran */
	/* plane 0 pending too: its own bit is ignored and not reported */
	msi(&p, p.g.vm, 0x41);
	runp(&p)->req_exit_planes = 0x3;
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_PLANE_EVENT);
	assert_int_equal(ev->pending_event_planes, 1u << 1);
	assert_int_equal(ev->target, 1u << 1);
	/* running plane 1 with its own bit asked: it runs */
	runp(&p)->req_exit_planes = 1u << 1;
	assert_int_equal(run_plane(&p, 1), KVM_EXIT_IO);
	assert_int_equal(p.g.run->io.port, 0x11);
	/* from plane 1, plane 0's pending interrupt is an event */
	set_rip(&p, p.pvcpu, B_CODE);
	runp(&p)->req_exit_planes = 0x3;
	assert_int_equal(run_plane(&p, 1), KVM_EXIT_PLANE_EVENT);
	assert_int_equal(ev->pending_event_planes, 1u << 0);
	assert_int_equal(ev->target, 1u << 0);
	runp(&p)->req_exit_planes = 0;
	teardown(&p);
}

static void *send_later(void *arg)
{
	struct pl *p = arg;
	struct kvm_msi m = { .address_lo = 0xfee00000, .data = 0x40 };

	usleep(20000);
	tg_ioctl(&p->g, p->plane, KVM_SIGNAL_MSI, &m);
	return NULL;
}

/* plane 0 halted with IF=0: only the plane event can end KVM_RUN */
static void test_event_while_halted(void **state)
{
	static const uint8_t hlt[] = { 0xfa, 0xf4, 0xeb, 0xfd };
	struct kvmu_plane_event_exit *ev;
	pthread_t t;
	struct pl p;

	(void)state;
	setup(&p, true, false);
	lapic_enable(&p, p.g.vcpu);
	lapic_enable(&p, p.pvcpu);
	tg_put(&p.g, A_CODE, hlt, sizeof(hlt));
	runp(&p)->req_exit_planes = 1u << 1;
	assert_int_equal(pthread_create(&t, NULL, send_later, &p), 0);
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_PLANE_EVENT);
	assert_int_equal(pthread_join(t, NULL), 0);
	ev = kvmu_run_plane_event(p.g.run);
	assert_int_equal(ev->target, 1u << 1);
	teardown(&p);
}

/* ---- per-plane memory attributes ---- */

static void test_attr_errors(void **state)
{
	struct kvm_memory_attributes a = { .address = PAGE_P, .size = 4096,
					   .flags = 1 };
	struct pl p;

	(void)state;
	setup(&p, false, false);
	expect_err(io(&p, p.g.vm, KVM_SET_MEMORY_ATTRIBUTES, &a), EINVAL);
	expect_err(set_attr(&p, p.g.vm, PAGE_P + 1, 4096, 2), EINVAL);
	expect_err(set_attr(&p, p.g.vm, PAGE_P, 100, 2), EINVAL);
	expect_err(set_attr(&p, p.g.vm, PAGE_P, 0, 2), EINVAL);
	expect_err(set_attr(&p, p.g.vm, ~0xfffULL, 0x2000, 2), EINVAL);
	expect_err(set_attr(&p, p.g.vm, PAGE_P, 4096, 1 << 4), EINVAL);
	/* no read implies no write and no execute */
	expect_err(set_attr(&p, p.g.vm, PAGE_P, 4096, 1), EINVAL);
	expect_err(set_attr(&p, p.g.vm, PAGE_P, 4096, 3), EINVAL);
	/* PRIVATE: never on a plane fd; kvmu has no guest_memfd at all */
	expect_err(set_attr(&p, p.plane, PAGE_P, 4096,
			    KVM_MEMORY_ATTRIBUTE_PRIVATE), EINVAL);
	expect_err(set_attr(&p, p.g.vm, PAGE_P, 4096,
			    KVM_MEMORY_ATTRIBUTE_PRIVATE), EINVAL);
	assert_int_equal(set_attr(&p, p.g.vm, PAGE_P, 4096, 7), 0);
	assert_int_equal(set_attr(&p, p.plane, PAGE_P, 4096, 2), 0);
	assert_int_equal(set_attr(&p, p.plane, PAGE_P, 4096, 0), 0);
	teardown(&p);
}

static void test_attr_write(void **state)
{
	struct kvm_regs r;
	struct pl p;

	(void)state;
	setup(&p, false, false);
	put_write_read(&p, A_CODE, 0x10);
	put_write_read(&p, B_CODE, 0x11);
	assert_int_equal(set_attr(&p, p.g.vm, PAGE_P, 4096,
				  KVMU_MEMORY_ATTRIBUTE_NW), 0);
	expect_fault(&p, 0, PAGE_P, KVMU_MEMORY_EXIT_FLAG_WRITE);
	assert_int_equal(p.g.mem[PAGE_P + 8], 0);
	assert_int_equal(io(&p, p.g.vcpu, KVM_GET_REGS, &r), 0);
	assert_int_equal(r.rip, A_CODE);	/* not retired */
	/* plane 1's attributes are its own: it writes */
	assert_int_equal(run_plane(&p, 1), KVM_EXIT_IO);
	assert_int_equal(p.g.mem[PAGE_P + 8], 0x5a);
	/* allowed again: plane 0's write retries and goes through */
	p.g.mem[PAGE_P + 8] = 0;
	assert_int_equal(set_attr(&p, p.g.vm, PAGE_P, 4096, 0), 0);
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_IO);
	assert_int_equal(p.g.mem[PAGE_P + 8], 0x5a);
	teardown(&p);
}

static void test_attr_read_exec(void **state)
{
	uint8_t jmp_q[5] = { 0xe9 };
	static const uint8_t out[] = { 0xe6, 0x12 };
	int32_t rel = (int32_t)(PAGE_Q - (B_CODE + 0x105));
	struct pl p;

	(void)state;
	setup(&p, false, false);
	put_write_read(&p, A_CODE, 0x10);
	/* no-read (hence no-write, no-exec) on the plane-1 fd: plane 1 only */
	put_write_read(&p, B_CODE, 0x11);
	assert_int_equal(set_attr(&p, p.plane, PAGE_P, 4096, 7), 0);
	expect_fault(&p, 1, PAGE_P, KVMU_MEMORY_EXIT_FLAG_WRITE);
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_IO);
	/* a read-only restriction on plane 1: the read faults */
	assert_int_equal(set_attr(&p, p.plane, PAGE_P, 4096, 7), 0);
	set_rip(&p, p.pvcpu, B_CODE + 8);
	expect_fault(&p, 1, PAGE_P, KVMU_MEMORY_EXIT_FLAG_READ);
	/* no-execute: the jump lands, the fetch faults */
	memcpy(jmp_q + 1, &rel, 4);
	tg_put(&p.g, B_CODE + 0x100, jmp_q, sizeof(jmp_q));
	tg_put(&p.g, PAGE_Q, out, sizeof(out));
	set_rip(&p, p.pvcpu, B_CODE + 0x100);
	assert_int_equal(set_attr(&p, p.plane, PAGE_Q, 4096,
				  KVMU_MEMORY_ATTRIBUTE_NX), 0);
	expect_fault(&p, 1, PAGE_Q, KVMU_MEMORY_EXIT_FLAG_EXEC);
	/* readable and writable still: plane 1 reads it */
	assert_int_equal(set_attr(&p, p.plane, PAGE_Q, 4096, 0), 0);
	assert_int_equal(run_plane(&p, 1), KVM_EXIT_IO);
	assert_int_equal(p.g.run->io.port, 0x12);
	teardown(&p);
}

/* An instruction ending where a no-execute page starts runs. */
static void test_attr_fetch_edge(void **state)
{
	static const uint8_t out[] = { 0xe6, 0x10 };
	struct pl p;

	(void)state;
	setup(&p, false, false);
	tg_put(&p.g, B_CODE - 2, out, sizeof(out));
	set_rip(&p, p.g.vcpu, B_CODE - 2);
	assert_int_equal(set_attr(&p, p.g.vm, B_CODE, 4096,
				  KVMU_MEMORY_ATTRIBUTE_NX), 0);
	assert_int_equal(run_plane(&p, 0), KVM_EXIT_IO);
	assert_int_equal(p.g.run->io.port, 0x10);
	/* the next instruction is on that page: its fetch faults */
	expect_fault(&p, 0, B_CODE, KVMU_MEMORY_EXIT_FLAG_EXEC);
	teardown(&p);
}

struct looper {
	struct pl *p;
	int ret;
};

static void *run_loop_thread(void *arg)
{
	struct looper *l = arg;

	l->ret = run_plane(l->p, 0);
	return NULL;
}

/* A change applies to a running vCPU before the ioctl returns. */
static void test_attr_running(void **state)
{
	/* 1: inc qword [PAGE_P]; jmp 1 */
	uint8_t c[] = { 0x48, 0xff, 0x04, 0x25, 0, 0, 0, 0, 0xeb, 0xf6 };
	uint32_t a = PAGE_P;
	struct looper l;
	uint64_t seen, now;
	pthread_t t;
	struct pl p;

	(void)state;
	memcpy(c + 4, &a, 4);
	setup(&p, false, false);
	tg_put(&p.g, A_CODE, c, sizeof(c));
	l.p = &p;
	assert_int_equal(pthread_create(&t, NULL, run_loop_thread, &l), 0);
	while (!__atomic_load_n((uint64_t *)&p.g.mem[PAGE_P], __ATOMIC_ACQUIRE))
		usleep(1000);
	assert_int_equal(set_attr(&p, p.g.vm, PAGE_P, 4096,
				  KVMU_MEMORY_ATTRIBUTE_NW), 0);
	seen = __atomic_load_n((uint64_t *)&p.g.mem[PAGE_P], __ATOMIC_ACQUIRE);
	assert_int_equal(pthread_join(t, NULL), 0);
	now = __atomic_load_n((uint64_t *)&p.g.mem[PAGE_P], __ATOMIC_ACQUIRE);
	assert_int_equal(l.ret, -EFAULT);
	assert_int_equal(seen, now);
	teardown(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_plane_fd_ioctls),
		cmocka_unit_test(test_plane_vcpu_ioctls),
		cmocka_unit_test(test_plane_vcpu_mmap_sigbus),
		cmocka_unit_test(test_cpuid_locked),
		cmocka_unit_test(test_regs_independent),
		cmocka_unit_test(test_fpu_separate),
		cmocka_unit_test(test_fpu_shared),
		cmocka_unit_test(test_msi_plane),
		cmocka_unit_test(test_ipi_plane),
		cmocka_unit_test(test_req_exit_planes),
		cmocka_unit_test(test_event_while_halted),
		cmocka_unit_test(test_attr_errors),
		cmocka_unit_test(test_attr_write),
		cmocka_unit_test(test_attr_read_exec),
		cmocka_unit_test(test_attr_fetch_edge),
		cmocka_unit_test(test_attr_running),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
