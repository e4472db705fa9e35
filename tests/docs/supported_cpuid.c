// SPDX-License-Identifier: MIT
/*
 * Print what KVM_GET_SUPPORTED_CPUID reports on kvmu's x86_64 system fd,
 * one entry a line: "function index eax ebx ecx edx" in hex.  The docs
 * tests check the CPUID tables of docs/x86-cpu.md against it.
 */
#include <kvmu/kvmu.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_ENTRIES 256

int main(void)
{
	struct kvm_cpuid2 *c;
	int sys = kvmu_open(KVMU_ARCH_X86_64, 0);
	unsigned int i;

	c = calloc(1, sizeof(*c) + MAX_ENTRIES * sizeof(c->entries[0]));
	if (sys < 0 || !c)
		return 1;
	c->nent = MAX_ENTRIES;
	if (kvmu_ioctl(sys, KVM_GET_SUPPORTED_CPUID, c) < 0) {
		perror("KVM_GET_SUPPORTED_CPUID");
		return 1;
	}
	for (i = 0; i < c->nent; i++)
		printf("%#x %#x %#x %#x %#x %#x\n", c->entries[i].function,
		       c->entries[i].index, c->entries[i].eax,
		       c->entries[i].ebx, c->entries[i].ecx, c->entries[i].edx);
	free(c);
	return 0;
}
