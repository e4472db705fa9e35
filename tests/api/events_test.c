// SPDX-License-Identifier: MIT
/*
 * KVM_GET/SET_VCPU_EVENTS with and without KVM_CAP_EXCEPTION_PAYLOAD, and
 * KVM_CAP_MSR_PLATFORM_INFO, on a long-mode guest whose IDT handlers report
 * through OUT: port 0x80 the vector, 0x81 CR2, 0x82 the error code, 0x84
 * the saved RIP.  Expected behaviour: api.rst ("KVM_GET_VCPU_EVENTS",
 * "KVM_CAP_EXCEPTION_PAYLOAD", "KVM_CAP_MSR_PLATFORM_INFO").
 */
#include "kvm_api.h"

#define MAIN_HLT	0x10000
#define MAIN_RDMSR	0x10100
#define HANDLER(k)	(0x9000 + 0x100 * (k))
#define STACK		0x70000
#define OLD_CR2		0x1234000ULL

static const uint8_t main_hlt[] = {
	0xf4,                                   /* hlt */
};

static const uint8_t main_rdmsr[] = {
	0xb9, 0xce, 0x00, 0x00, 0x00,           /* mov ecx,0xce */
	0x0f, 0x32,                             /* rdmsr */
	0xe7, 0x90,                             /* out 0x90,eax */
	0x89, 0xd0,                             /* mov eax,edx */
	0xe7, 0x91,                             /* out 0x91,eax */
	0xf4,                                   /* hlt */
};

static const uint8_t handler_pf[] = {
	0xb0, 0x0e,                             /* mov al,0xe */
	0xe6, 0x80,                             /* out 0x80,al */
	0x0f, 0x20, 0xd0,                       /* mov rax,cr2 */
	0xe7, 0x81,                             /* out 0x81,eax */
	0x48, 0x8b, 0x04, 0x24,                 /* mov rax,qword [rsp] */
	0xe7, 0x82,                             /* out 0x82,eax */
	0x48, 0x8b, 0x44, 0x24, 0x08,           /* mov rax,qword [rsp+0x8] */
	0xe7, 0x84,                             /* out 0x84,eax */
	0xf4,                                   /* hlt */
};

static const uint8_t handler_gp[] = {
	0xb0, 0x0d,                             /* mov al,0xd */
	0xe6, 0x80,                             /* out 0x80,al */
	0x48, 0x8b, 0x04, 0x24,                 /* mov rax,qword [rsp] */
	0xe7, 0x82,                             /* out 0x82,eax */
	0x48, 0x8b, 0x44, 0x24, 0x08,           /* mov rax,qword [rsp+0x8] */
	0xe7, 0x84,                             /* out 0x84,eax */
	0xf4,                                   /* hlt */
};

static const uint8_t handler_other[] = {
	0xb0, 0xff,                             /* mov al,0xff */
	0xe6, 0x80,                             /* out 0x80,al */
	0xf4,                                   /* hlt */
};

static void setup(struct tvm *t)
{
	struct kvm_sregs s;

	tvm_create(t, 2UL << 20);
	REQUIRE_CAP(t->sys, VCPU_EVENTS);
	REQUIRE_CAP(t->sys, EXCEPTION_PAYLOAD);
	REQUIRE_CAP(t->sys, MSR_PLATFORM_INFO);
	tvm_add_vcpu(t, 0);
	put_code(t, MAIN_HLT, main_hlt, sizeof(main_hlt));
	put_code(t, MAIN_RDMSR, main_rdmsr, sizeof(main_rdmsr));
	put_code(t, HANDLER(0), handler_pf, sizeof(handler_pf));
	put_code(t, HANDLER(1), handler_gp, sizeof(handler_gp));
	put_code(t, HANDLER(2), handler_other, sizeof(handler_other));
	tvm_long_mode(t, HANDLER(2), MAIN_HLT, STACK);
	lm_set_gate(t, 14, HANDLER(0));
	lm_set_gate(t, 13, HANDLER(1));
	get_sregs(t, &s);
	s.cr2 = OLD_CR2;
	if (KVM_IOCTL(t->vcpu, KVM_SET_SREGS, &s) < 0)
		die("KVM_SET_SREGS");
}

/*
 * KVM_SET_REGS drops a pending (not yet injected) exception, so the
 * registers are always set before the events.
 */
static void set_rip(struct tvm *t, uint64_t rip)
{
	struct kvm_regs r = { .rip = rip, .rsp = STACK, .rflags = 2 };

	if (KVM_IOCTL(t->vcpu, KVM_SET_REGS, &r) < 0)
		die("KVM_SET_REGS");
}

static void run_at(struct tvm *t, uint64_t rip)
{
	set_rip(t, rip);
	run_to_hlt(t, 8);
}

static void show_events(struct tvm *t)
{
	struct kvm_vcpu_events e;
	struct kvm_sregs s;

	memset(&e, 0xcc, sizeof(e));
	if (CALL("GET_VCPU_EVENTS", KVM_IOCTL(t->vcpu, KVM_GET_VCPU_EVENTS,
					      &e)) < 0)
		return;
	get_sregs(t, &s);
	/* nr, error code and payload are only meaningful while valid. */
	T("  exception injected=%u pending=%u", e.exception.injected,
	  e.exception.pending);
	if (e.exception.injected || e.exception.pending)
		T(" nr=%u has_error_code=%u error_code=0x%x", e.exception.nr,
		  e.exception.has_error_code, e.exception.error_code);
	T("\n  has_payload=%u", e.exception_has_payload);
	if (e.exception_has_payload)
		T(" payload=0x%llx", e.exception_payload);
	T(" flags=0x%x cr2=0x%llx\n", e.flags, s.cr2);
	T("  interrupt injected=%u shadow=%u\n", e.interrupt.injected,
	  e.interrupt.shadow);
	T("  nmi injected=%u pending=%u masked=%u smm=%u\n", e.nmi.injected,
	  e.nmi.pending, e.nmi.masked, e.smi.smm);
}

/* SET_VCPU_EVENTS of one exception, everything else from GET. */
static long set_exc(struct tvm *t, __u32 flags, int injected, int pending,
		    int nr, __u32 error_code, int has_payload, __u64 payload)
{
	struct kvm_vcpu_events e;

	if (KVM_IOCTL(t->vcpu, KVM_GET_VCPU_EVENTS, &e) < 0)
		die("KVM_GET_VCPU_EVENTS");
	e.flags = flags;
	e.exception.injected = (__u8)injected;
	e.exception.pending = (__u8)pending;
	e.exception.nr = (__u8)nr;
	e.exception.has_error_code = nr == 13 || nr == 14;
	e.exception.error_code = error_code;
	e.exception_has_payload = (__u8)has_payload;
	e.exception_payload = payload;
	return KVM_IOCTL(t->vcpu, KVM_SET_VCPU_EVENTS, &e);
}

static long enable_cap(struct tvm *t, __u32 cap, __u32 flags, __u64 arg)
{
	struct kvm_enable_cap c = { .cap = cap, .flags = flags,
				    .args = { arg } };

	return KVM_IOCTL(t->vm, KVM_ENABLE_CAP, &c);
}

#define PAYLOAD		KVM_VCPUEVENT_VALID_PAYLOAD

static void test_legacy(struct tvm *t)
{
	T("== events without EXCEPTION_PAYLOAD\n");
	show_events(t);
	CALL("SET flags=0x40", set_exc(t, 0x40, 0, 0, 0, 0, 0, 0));
	CALL("SET VALID_PAYLOAD", set_exc(t, PAYLOAD, 0, 0, 0, 0, 0, 0));
	CALL("SET VALID_TRIPLE_FAULT", set_exc(t, 0x20, 0, 0, 0, 0, 0, 0));
	CALL("SET injected nr=2 (NMI)", set_exc(t, 0, 1, 0, 2, 0, 0, 0));
	CALL("SET injected nr=32", set_exc(t, 0, 1, 0, 32, 0, 0, 0));
	CALL("SET pending nr=32 (pending ignored)",
	     set_exc(t, 0, 0, 1, 32, 0, 0, 0));
	CALL("SET pending #PF (pending ignored)",
	     set_exc(t, 0, 0, 1, 14, 2, 0, 0));
	show_events(t);
	CALL("SET injected #PF err=2", set_exc(t, 0, 1, 0, 14, 2, 0, 0));
	show_events(t);
	run_at(t, MAIN_HLT);
	show_events(t);
}

static void test_payload(struct tvm *t)
{
	T("== events with EXCEPTION_PAYLOAD\n");
	CALL("ENABLE_CAP(EXCEPTION_PAYLOAD, flags=1)",
	     enable_cap(t, KVM_CAP_EXCEPTION_PAYLOAD, 1, 1));
	CALL("ENABLE_CAP(EXCEPTION_PAYLOAD, 1)",
	     enable_cap(t, KVM_CAP_EXCEPTION_PAYLOAD, 0, 1));
	show_events(t);
	set_rip(t, MAIN_HLT);
	CALL("SET pending #PF payload=0xdead000",
	     set_exc(t, PAYLOAD, 0, 1, 14, 0, 1, 0xdead000));
	show_events(t);
	run_to_hlt(t, 8);
	show_events(t);
	CALL("SET injected+pending #GP", set_exc(t, PAYLOAD, 1, 1, 13, 0, 0,
						 0));
	show_events(t);
	set_rip(t, MAIN_HLT);
	T("after SET_REGS:\n");
	show_events(t);
	CALL("SET injected #GP with payload",
	     set_exc(t, PAYLOAD, 1, 0, 13, 0, 1, 0x55));
	show_events(t);
	CALL("SET injected #GP without VALID_PAYLOAD",
	     set_exc(t, 0, 1, 1, 13, 0x18, 1, 0x55));
	show_events(t);
	run_at(t, MAIN_HLT);
}

static void test_platform_info(struct tvm *t)
{
	T("== MSR_PLATFORM_INFO\n");
	CALL("ENABLE_CAP(MSR_PLATFORM_INFO, flags=1)",
	     enable_cap(t, KVM_CAP_MSR_PLATFORM_INFO, 1, 0));
	T("default (enabled):\n");
	run_at(t, MAIN_RDMSR);
	CALL("ENABLE_CAP(MSR_PLATFORM_INFO, 0)",
	     enable_cap(t, KVM_CAP_MSR_PLATFORM_INFO, 0, 0));
	run_at(t, MAIN_RDMSR);
	CALL("ENABLE_CAP(MSR_PLATFORM_INFO, 1)",
	     enable_cap(t, KVM_CAP_MSR_PLATFORM_INFO, 0, 1));
	run_at(t, MAIN_RDMSR);
}

int main(void)
{
	struct tvm t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	setup(&t);
	test_legacy(&t);
	test_payload(&t);
	tvm_destroy(&t);
	setup(&t);
	test_platform_info(&t);
	tvm_destroy(&t);
	return 0;
}
