// SPDX-License-Identifier: MIT
/*
 * vCPU creation and the vCPU fd: ids, the mapping, the architectural reset
 * state, GET/SET_REGS, SET_SIGNAL_MASK and the argument and immediate_exit
 * rules of KVM_RUN.
 */
#include <signal.h>

#include "kvm_api.h"

static void test_create(struct tvm *t)
{
	long max = KVM_IOCTL(t->sys, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID);
	long fd;

	T("== create vcpu\n");
	SHOW("MAX_VCPU_ID > 0", "%d", max > 0);
	CALL("CREATE_VCPU(0) again", KVM_IOCTL(t->vm, KVM_CREATE_VCPU, 0));
	CALL("CREATE_VCPU(MAX_VCPU_ID)",
	     KVM_IOCTL(t->vm, KVM_CREATE_VCPU, max));
	CALL("CREATE_VCPU(0x7fffffff)",
	     KVM_IOCTL(t->vm, KVM_CREATE_VCPU, 0x7fffffffUL));
	CALL("CREATE_VCPU(1 << 32)", KVM_IOCTL(t->vm, KVM_CREATE_VCPU,
					       1UL << 32));
	CALL("CREATE_VCPU(-1)", KVM_IOCTL(t->vm, KVM_CREATE_VCPU, ~0UL));
	fd = KVM_IOCTL(t->vm, KVM_CREATE_VCPU, 1);
	SHOW("CREATE_VCPU(1) >= 0", "%d", fd >= 0);
	if (fd >= 0)
		close((int)fd);
	/* The kernel keeps a vCPU until its VM dies, even with no fd. */
	CALL("CREATE_VCPU(1) after close", KVM_IOCTL(t->vm, KVM_CREATE_VCPU,
						     1));
	fd = KVM_IOCTL(t->vm, KVM_CREATE_VCPU, max - 1);
	SHOW("CREATE_VCPU(MAX_VCPU_ID - 1) >= 0", "%d", fd >= 0);
	if (fd >= 0)
		close((int)fd);
}

static void test_mmap(struct tvm *t)
{
	void *p;
	int i;

	T("== mmap of the vcpu fd\n");
	SHOW("mmap size", "%zu", t->run_size);
	for (i = 1; i <= 2; i++) {
		p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			 t->vcpu, (off_t)(i * PAGE));
		SHOW(i == 1 ? "mmap page 1 (PIO)" : "mmap page 2 (ring)", "%s",
		     p == MAP_FAILED ? errno_name(errno) : "ok");
		if (p != MAP_FAILED)
			munmap(p, PAGE);
	}
	/* A second mapping of page 0 is the same kvm_run. */
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, t->vcpu, 0);
	if (p == MAP_FAILED)
		die("mmap vcpu again");
	((struct kvm_run *)p)->immediate_exit = 1;
	SHOW("second mapping shares immediate_exit", "%d",
	     t->run->immediate_exit);
	((struct kvm_run *)p)->immediate_exit = 0;
	munmap(p, PAGE);
}

/* The INIT state of the SDM (vol. 3, table 10-1) as KVM reports it. */
static void test_reset_state(struct tvm *t)
{
	struct kvm_sregs s;
	struct kvm_regs r;

	T("== reset state\n");
	get_regs(t, &r);
	get_sregs(t, &s);
	T("rip=0x%llx rflags=0x%llx rsp=0x%llx\n", r.rip, r.rflags, r.rsp);
	T("cs sel=0x%x base=0x%llx limit=0x%x type=%u\n", s.cs.selector,
	  s.cs.base, s.cs.limit, s.cs.type);
	T("ds sel=0x%x base=0x%llx limit=0x%x type=%u\n", s.ds.selector,
	  s.ds.base, s.ds.limit, s.ds.type);
	T("cr0=0x%llx cr2=0x%llx cr3=0x%llx cr4=0x%llx efer=0x%llx\n",
	  s.cr0, s.cr2, s.cr3, s.cr4, s.efer);
	T("gdt base=0x%llx limit=0x%x idt base=0x%llx limit=0x%x\n",
	  s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit);
}

static void test_regs(struct tvm *t)
{
	struct kvm_regs r, g;
	__u64 *v = &r.rax;
	int i;

	T("== GET/SET_REGS\n");
	for (i = 0; i < 16; i++)
		v[i] = 0x1111111111111111ULL * (__u64)(i + 1);
	r.rip = 0x1234;
	r.rflags = 0;	/* bit 1 is fixed to 1 by the CPU */
	CALL("SET_REGS", KVM_IOCTL(t->vcpu, KVM_SET_REGS, &r));
	CALL("GET_REGS", KVM_IOCTL(t->vcpu, KVM_GET_REGS, &g));
	SHOW("GPRs round trip", "%d", !memcmp(&r, &g, 16 * sizeof(__u64)));
	T("rip=0x%llx rflags=0x%llx\n", g.rip, g.rflags);
	r.rflags = 0x246;
	CALL("SET_REGS rflags=0x246", KVM_IOCTL(t->vcpu, KVM_SET_REGS, &r));
	get_regs(t, &g);
	T("rflags=0x%llx\n", g.rflags);
	CALL("GET_REGS NULL", KVM_IOCTL(t->vcpu, KVM_GET_REGS, NULL));
	CALL("SET_REGS NULL", KVM_IOCTL(t->vcpu, KVM_SET_REGS, NULL));
}

static long set_mask(struct tvm *t, __u32 len)
{
	struct {
		struct kvm_signal_mask m;
		uint8_t set[128];
	} a;

	memset(&a, 0, sizeof(a));
	a.m.len = len;
	return KVM_IOCTL(t->vcpu, KVM_SET_SIGNAL_MASK, &a);
}

static void test_signal_mask(struct tvm *t)
{
	T("== SET_SIGNAL_MASK\n");
	CALL("len 0", set_mask(t, 0));
	CALL("len 4", set_mask(t, 4));
	CALL("len 8", set_mask(t, 8));
	CALL("len 16", set_mask(t, 16));
	CALL("len 128", set_mask(t, 128));
	CALL("NULL", KVM_IOCTL(t->vcpu, KVM_SET_SIGNAL_MASK, NULL));
}

/*
 * immediate_exit makes KVM_RUN return EINTR before anything else; x86's
 * kvm_arch_vcpu_ioctl_run does not write exit_reason on that path (only a
 * pending signal sets KVM_EXIT_INTR), so the poison must survive.
 */
static void test_run(struct tvm *t)
{
	T("== KVM_RUN\n");
	t->run->immediate_exit = 1;
	CALL("KVM_RUN(1)", KVM_IOCTL(t->vcpu, KVM_RUN, 1));
	t->run->exit_reason = 0xdead;
	CALL("KVM_RUN immediate_exit=1", KVM_IOCTL(t->vcpu, KVM_RUN, 0));
	T("exit_reason=%s\n", exit_name(t->run->exit_reason));
	t->run->immediate_exit = 0xff;
	t->run->exit_reason = 0xdead;
	CALL("KVM_RUN immediate_exit=0xff", KVM_IOCTL(t->vcpu, KVM_RUN, 0));
	T("exit_reason=%s immediate_exit=%u\n", exit_name(t->run->exit_reason),
	  t->run->immediate_exit);
	t->run->immediate_exit = 0;
}

static volatile sig_atomic_t handled;

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

/* KVM_SET_SIGNAL_MASK with an 8-byte kernel sigset (sigset[] at offset 4). */
static long set_mask64(struct tvm *t, uint64_t set)
{
	uint8_t buf[sizeof(struct kvm_signal_mask) + 8];
	struct kvm_signal_mask *m = (struct kvm_signal_mask *)buf;

	m->len = 8;
	memcpy(m->sigset, &set, 8);
	return KVM_IOCTL(t->vcpu, KVM_SET_SIGNAL_MASK, m);
}

/*
 * A signal blocked in the thread but not in the vCPU's mask interrupts
 * KVM_RUN with KVM_EXIT_INTR; the thread's mask is back in place when
 * KVM_RUN returns, so the signal is still pending and was not handled.
 */
static void test_signal_run(struct tvm *t)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigset_t usr1, pend;

	T("== KVM_RUN with a pending signal the vcpu mask allows\n");
	t->mem[0x1000] = 0xf4;	/* hlt */
	t->mem[0x1001] = 0xf4;	/* hlt */
	tvm_real_mode(t, 0x1000, 0x8000);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	raise(SIGUSR1);
	CALL("SET_SIGNAL_MASK {}", set_mask64(t, 0));
	t->run->exit_reason = 0xdead;
	CALL("KVM_RUN", KVM_IOCTL(t->vcpu, KVM_RUN, 0));
	T("exit_reason=%s\n", exit_name(t->run->exit_reason));
	sigpending(&pend);
	SHOW("SIGUSR1 still pending", "%d", sigismember(&pend, SIGUSR1));
	SHOW("handler ran", "%d", (int)handled);
	/* With the signal blocked in the vcpu mask too, the guest runs. */
	CALL("SET_SIGNAL_MASK {SIGUSR1}", set_mask64(t, 1ULL << (SIGUSR1 - 1)));
	run_once(t);
	CALL("SET_SIGNAL_MASK NULL", KVM_IOCTL(t->vcpu, KVM_SET_SIGNAL_MASK,
					       NULL));
	run_once(t);
	sigwaitinfo(&usr1, NULL);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	SHOW("handler ran", "%d", (int)handled);
}

/* Real mode at 0x1100: an MMIO read, a PIO read, HLT. */
static const uint8_t io_guest[] = {
	0xb8, 0x00, 0x20,			/* mov ax,0x2000 */
	0x8e, 0xc0,				/* mov es,ax */
	0x26, 0x66, 0xa1, 0x08, 0x00,		/* mov eax,es:0x8 */
	0x66, 0xe5, 0x20,			/* in eax,0x20 */
	0xf4,					/* hlt */
};

static void complete_with_immediate_exit(struct tvm *t)
{
	struct kvm_regs r;

	t->run->immediate_exit = 1;
	CALL("KVM_RUN immediate_exit=1", KVM_IOCTL(t->vcpu, KVM_RUN, 0));
	t->run->immediate_exit = 0;
	get_regs(t, &r);
	T("rax=0x%llx rip=0x%llx\n", r.rax, r.rip);
}

/*
 * api.rst: immediate_exit lets user space complete a pending MMIO or PIO
 * read without re-entering the guest; the register is written, the
 * instruction retired, and KVM_RUN returns EINTR.
 */
static void test_complete_io(struct tvm *t)
{
	T("== completing MMIO/PIO reads with immediate_exit\n");
	memcpy(t->mem + 0x1100, io_guest, sizeof(io_guest));
	tvm_real_mode(t, 0x1100, 0x8000);
	run_once(t);
	memcpy(t->run->mmio.data, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	complete_with_immediate_exit(t);
	run_once(t);
	fill_in_data(t->run, 0xa0);
	complete_with_immediate_exit(t);
	run_once(t);
}

int main(void)
{
	struct tvm t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	tvm_create(&t, 0x10000);
	REQUIRE_CAP(t.sys, IMMEDIATE_EXIT);
	tvm_add_vcpu(&t, 0);
	test_reset_state(&t);
	test_create(&t);
	test_mmap(&t);
	test_regs(&t);
	test_signal_mask(&t);
	test_run(&t);
	test_signal_run(&t);
	test_complete_io(&t);
	tvm_destroy(&t);
	return 0;
}
