// SPDX-License-Identifier: MIT
/*
 * System-fd ioctls: API version, mmap size, VM types, capabilities both a
 * correct kvmu and the kernel must answer alike, unknown requests on each
 * kind of fd, and the E2BIG contract of the variable-length x86 lists.
 */
#include "kvm_api.h"

static void test_versions(int sys)
{
	T("== api version, mmap size\n");
	CALL("KVM_GET_API_VERSION(0)", KVM_IOCTL(sys, KVM_GET_API_VERSION, 0));
	CALL("KVM_GET_API_VERSION(1)", KVM_IOCTL(sys, KVM_GET_API_VERSION, 1));
	CALL("KVM_GET_VCPU_MMAP_SIZE(0)",
	     KVM_IOCTL(sys, KVM_GET_VCPU_MMAP_SIZE, 0));
	CALL("KVM_GET_VCPU_MMAP_SIZE(1)",
	     KVM_IOCTL(sys, KVM_GET_VCPU_MMAP_SIZE, 1));
}

static void test_vm_types(int sys)
{
	/* Types the host x86 KVM never accepts for a plain VM. */
	static const unsigned long bad[] = { 0x100, 0x80000000UL, ~0UL };
	char label[64];
	size_t i;
	long fd;

	T("== create vm\n");
	fd = KVM_IOCTL(sys, KVM_CREATE_VM, 0);
	SHOW("KVM_CREATE_VM(0) >= 0", "%d", fd >= 0);
	if (fd >= 0)
		close((int)fd);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		snprintf(label, sizeof(label), "KVM_CREATE_VM(0x%lx)", bad[i]);
		fd = CALL(label, KVM_IOCTL(sys, KVM_CREATE_VM, bad[i]));
		if (fd >= 0)
			close((int)fd);
	}
}

static const struct {
	const char *name;
	long cap;
} caps[] = {
	{ "USER_MEMORY", KVM_CAP_USER_MEMORY },
	{ "IMMEDIATE_EXIT", KVM_CAP_IMMEDIATE_EXIT },
	{ "COALESCED_MMIO", KVM_CAP_COALESCED_MMIO },
	{ "COALESCED_PIO", KVM_CAP_COALESCED_PIO },
	{ "READONLY_MEM", KVM_CAP_READONLY_MEM },
	{ "MANUAL_DIRTY_LOG_PROTECT2", KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 },
	{ "CHECK_EXTENSION_VM", KVM_CAP_CHECK_EXTENSION_VM },
	{ "ENABLE_CAP_VM", KVM_CAP_ENABLE_CAP_VM },
	{ "SET_TSS_ADDR", KVM_CAP_SET_TSS_ADDR },
	{ "EXCEPTION_PAYLOAD", KVM_CAP_EXCEPTION_PAYLOAD },
	{ "MSR_PLATFORM_INFO", KVM_CAP_MSR_PLATFORM_INFO },
	{ "USER_MEMORY2", KVM_CAP_USER_MEMORY2 },
	{ "unknown 4000", 4000 },
	{ "unknown -1", -1 },
};

/* Ask on both the system fd and a VM fd: the two must agree here. */
static void test_caps(int sys, int vm)
{
	char label[80];
	size_t i;

	T("== check extension (system, vm)\n");
	for (i = 0; i < ARRAY_LEN(caps); i++) {
		snprintf(label, sizeof(label), "sys CHECK_EXTENSION(%s)",
			 caps[i].name);
		CALL(label, KVM_IOCTL(sys, KVM_CHECK_EXTENSION, caps[i].cap));
		snprintf(label, sizeof(label), "vm  CHECK_EXTENSION(%s)",
			 caps[i].name);
		CALL(label, KVM_IOCTL(vm, KVM_CHECK_EXTENSION, caps[i].cap));
	}
}

static void test_unknown(int sys, int vm, int vcpu)
{
	/* An unused KVMIO number, and a request of another type (TCGETS). */
	const unsigned long nr = _IO(KVMIO, 0xfe), tty = 0x5401;
	const unsigned long vcpu_only = KVM_RUN, vm_only = KVM_CREATE_VCPU;

	T("== unknown requests\n");
	CALL("sys _IO(KVMIO,0xfe)", KVM_IOCTL(sys, nr, 0));
	CALL("vm  _IO(KVMIO,0xfe)", KVM_IOCTL(vm, nr, 0));
	CALL("vcpu _IO(KVMIO,0xfe)", KVM_IOCTL(vcpu, nr, 0));
	CALL("sys TCGETS", KVM_IOCTL(sys, tty, 0));
	CALL("vm  TCGETS", KVM_IOCTL(vm, tty, 0));
	CALL("vcpu TCGETS", KVM_IOCTL(vcpu, tty, 0));
	CALL("sys KVM_RUN", KVM_IOCTL(sys, vcpu_only, 0));
	CALL("vm  KVM_RUN", KVM_IOCTL(vm, vcpu_only, 0));
	CALL("vcpu KVM_CREATE_VCPU", KVM_IOCTL(vcpu, vm_only, 0));
	CALL("sys KVM_CREATE_VCPU", KVM_IOCTL(sys, vm_only, 0));
}

static void test_msr_list(int sys)
{
	struct kvm_msr_list *l = calloc(1, sizeof(*l) + 4 * sizeof(__u32));

	if (!l)
		die("calloc");
	T("== GET_MSR_INDEX_LIST\n");
	l->nmsrs = 0;
	CALL("nmsrs=0", KVM_IOCTL(sys, KVM_GET_MSR_INDEX_LIST, l));
	SHOW("nmsrs written back (>0)", "%d", l->nmsrs > 0);
	l->nmsrs = 1;
	CALL("nmsrs=1", KVM_IOCTL(sys, KVM_GET_MSR_INDEX_LIST, l));
	SHOW("nmsrs written back (>1)", "%d", l->nmsrs > 1);
	free(l);
}

static void test_cpuid(int sys)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) +
				      2 * sizeof(struct kvm_cpuid_entry2));
	struct kvm_cpuid2 *big;
	const __u32 cap = 256;

	if (!c)
		die("calloc");
	T("== GET_SUPPORTED_CPUID\n");
	c->nent = 1;
	CALL("nent=1", KVM_IOCTL(sys, KVM_GET_SUPPORTED_CPUID, c));
	SHOW("nent unchanged", "%d", c->nent == 1);
	big = calloc(1, sizeof(*big) + cap * sizeof(struct kvm_cpuid_entry2));
	if (!big)
		die("calloc");
	big->nent = cap;
	CALL("nent=256", KVM_IOCTL(sys, KVM_GET_SUPPORTED_CPUID, big));
	SHOW("nent in 2..255", "%d", big->nent >= 2 && big->nent < cap);
	free(big);
	free(c);
}

int main(void)
{
	struct tvm t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	tvm_create(&t, 0);
	tvm_add_vcpu(&t, 0);
	test_versions(t.sys);
	test_vm_types(t.sys);
	test_caps(t.sys, t.vm);
	test_unknown(t.sys, t.vm, t.vcpu);
	test_msr_list(t.sys);
	test_cpuid(t.sys);
	tvm_destroy(&t);
	return 0;
}
