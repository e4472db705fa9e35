// SPDX-License-Identifier: MIT
/*
 * An ordinary program that asks the CPU, as kvmtool does before it opens
 * /dev/kvm: vendor (leaf 0), then VMX (leaf 1 ECX bit 5) on Intel or SVM
 * (leaf 0x80000001 ECX bit 2) on AMD.  Prints "virt=0|1 faulting=0|1",
 * faulting being whether this thread's cpuid faults (ARCH_GET_CPUID).
 */
#include <cpuid.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ARCH_GET_CPUID 0x1011

int main(void)
{
	unsigned int a, b, c, d, virt = 0;
	long on;

	__cpuid(0, a, b, c, d);
	if (b == 0x756e6547) {			/* GenuineIntel */
		__cpuid(1, a, b, c, d);
		virt = !!(c & (1U << 5));
	} else if (b == 0x68747541) {		/* AuthenticAMD */
		__cpuid(0x80000001, a, b, c, d);
		virt = !!(c & (1U << 2));
	}
	on = syscall(SYS_arch_prctl, ARCH_GET_CPUID, 0);
	printf("virt=%u faulting=%d\n", virt, on == 0);
	return 0;
}
