// SPDX-License-Identifier: MIT
/*
 * The program's own CPUID, as on a KVM host.  VMMs such as kvmtool run
 * `cpuid` themselves before opening /dev/kvm and give up without VMX
 * (Intel) or SVM (AMD).  Where the kernel offers CPUID faulting
 * (arch_prctl(ARCH_SET_CPUID, 0)), every `cpuid` of the process then
 * raises SIGSEGV (si_code SI_KERNEL, RIP at the instruction); the handler
 * answers with the host's values plus the virtualization bit of the
 * host's vendor, and moves RIP past the two bytes.  Any other SIGSEGV goes
 * on to the handler that was there before.
 *
 * The setting is per thread, inherited by threads and children created
 * afterwards and dropped by execve (where the shim is loaded again).
 * KVMU_CPUID_FAULTING=0 turns it off.  Without kernel support, nothing
 * changes; with KVMU_TRACE set, the shim says so once on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "shim_int.h"

#if defined(__x86_64__)
#include <cpuid.h>

#define ARCH_SET_CPUID_		0x1012
#define CPUID_VMX		(1U << 5)	/* leaf 1, ECX */
#define CPUID_SVM		(1U << 2)	/* leaf 0x80000001, ECX */

enum vendor { VENDOR_OTHER, VENDOR_INTEL, VENDOR_AMD };

static struct sigaction old_segv;
static enum vendor host_vendor;

static int set_faulting(bool on)
{
	return (int)syscall(SYS_arch_prctl, ARCH_SET_CPUID_, on ? 0 : 1);
}

static enum vendor vendor_of(uint32_t ebx)
{
	if (ebx == 0x756e6547)			/* "Genu"ineIntel */
		return VENDOR_INTEL;
	if (ebx == 0x68747541 || ebx == 0x6f677948) /* "Auth", "Hygo" */
		return VENDOR_AMD;
	return VENDOR_OTHER;
}

/* CPUID leaf.sub of the host, plus the virtualization bit. */
static void answer(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	int saved = errno;

	/* our own cpuid would fault too: allow it for this one */
	set_faulting(false);
	__cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
	set_faulting(true);
	errno = saved;
	if (leaf == 1 && host_vendor == VENDOR_INTEL)
		r[2] |= CPUID_VMX;
	if (leaf == 0x80000001 && host_vendor == VENDOR_AMD)
		r[2] |= CPUID_SVM;
}

/* Answer the cpuid that raised this SIGSEGV; false if it was not one. */
static bool emulate(const siginfo_t *si, ucontext_t *uc)
{
	greg_t *g = uc->uc_mcontext.gregs;
	const uint8_t *ip = (const uint8_t *)(uintptr_t)g[REG_RIP];
	uint32_t r[4];

	/* a #GP of the kernel's own making, at a two-byte 0f a2 */
	if (si->si_code != SI_KERNEL || ip[0] != 0x0f || ip[1] != 0xa2)
		return false;
	answer((uint32_t)g[REG_RAX], (uint32_t)g[REG_RCX], r);
	g[REG_RAX] = r[0];
	g[REG_RBX] = r[1];
	g[REG_RCX] = r[2];
	g[REG_RDX] = r[3];
	g[REG_RIP] += 2;
	return true;
}

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	if (emulate(si, ctx))
		return;
	if (old_segv.sa_flags & SA_SIGINFO) {
		old_segv.sa_sigaction(sig, si, ctx);
	} else if (old_segv.sa_handler != SIG_DFL &&
		   old_segv.sa_handler != SIG_IGN) {
		old_segv.sa_handler(sig);
	} else {
		/* back to the default: the fault recurs and kills as usual */
		signal(SIGSEGV, SIG_DFL);
	}
}

static bool wanted(void)
{
	const char *v = getenv("KVMU_CPUID_FAULTING");

	return !v || strcmp(v, "0") != 0;
}

static bool tracing(void)
{
	const char *v = getenv("KVMU_TRACE");

	return v && *v && strcmp(v, "0") != 0;
}

void shim_cpuid_init(void)
{
	struct sigaction sa;
	uint32_t r[4];

	if (!wanted())
		return;
	__cpuid(0, r[0], r[1], r[2], r[3]);
	host_vendor = vendor_of(r[1]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &old_segv) < 0)
		return;
	if (set_faulting(true) == 0)
		return;
	if (tracing())
		fprintf(stderr, "kvmu shim: no CPUID faulting here (%s); the "
			"program's cpuid sees the host CPU as it is\n",
			strerror(errno));
	sigaction(SIGSEGV, &old_segv, NULL);
}

#else

void shim_cpuid_init(void)
{
}

#endif
