// SPDX-License-Identifier: MIT
/*
 * The kvmu side of the s390x differential tester: one VM, one vCPU, the
 * lowcore in slot 0 and the data area and code ring in slot 1 at the
 * addresses the qemu-s390x harness uses.  A sequence runs in the problem
 * state, 64-bit mode, DAT off.  Its epilogue branches to the address at
 * DS_RET, a DIAGNOSE: privileged in the problem state, so the program
 * new PSW (supervisor state) takes the CPU to a DIAGNOSE X'501' that exits
 * to us.  Any other program interruption on the way arrives the same way,
 * with its code and old PSW in the lowcore.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvmu/kvmu.h"
#include "kvmu/abi/s390.h"
#include "kvmu_run.h"

#define LOW_SIZE	0x100000UL
#define HI_SIZE		0x200000UL
#define STUB		0x2000u		/* DIAGNOSE X'501': exit */
#define END		0x3000u		/* DIAGNOSE X'500': PGM 2 */
#define PSW_64		0x0000000180000000ULL
#define PSW_PROBLEM	0x0001000000000000ULL

struct kr {
	int sys, vm, vcpu;
	struct kvmu_s390_run *run;
	uint8_t *low, *hi;
};

static void put_be(uint8_t *p, uint64_t v, int n)
{
	while (n--) {
		p[n] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

/* 1 MiB aligned anonymous memory (s390 slots want it) */
static uint8_t *alloc_mb(size_t size)
{
	uint8_t *p = mmap(NULL, size + 0x100000, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	return (uint8_t *)(((uintptr_t)p + 0xfffff) & ~0xfffffUL);
}

static int add_slot(struct kr *k, int slot, uint64_t gpa, uint8_t *mem,
		    size_t size)
{
	struct kvm_userspace_memory_region r = {
		.slot = (uint32_t)slot, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uintptr_t)mem,
	};

	return kvmu_ioctl(k->vm, KVM_SET_USER_MEMORY_REGION, &r);
}

struct kr *kr_open(void)
{
	struct kr *k = calloc(1, sizeof(*k));
	unsigned off;

	if (!k)
		return NULL;
	k->sys = kvmu_open(KVMU_ARCH_S390X, 0);
	k->vm = k->sys < 0 ? -1 : kvmu_ioctl(k->sys, KVM_CREATE_VM, 0);
	k->low = alloc_mb(LOW_SIZE);
	k->hi = alloc_mb(HI_SIZE);
	if (k->vm < 0 || !k->low || !k->hi ||
	    add_slot(k, 0, 0, k->low, LOW_SIZE) ||
	    add_slot(k, 1, DS_DATA, k->hi, HI_SIZE))
		goto fail;
	k->vcpu = kvmu_ioctl(k->vm, KVM_CREATE_VCPU, 0);
	if (k->vcpu < 0)
		goto fail;
	k->run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
		      k->vcpu, 0);
	if (k->run == MAP_FAILED)
		goto fail;
	/* every new PSW: supervisor state, 64-bit, to the exit stub */
	for (off = 0x1a0; off <= 0x1f0; off += 0x10) {
		put_be(k->low + off, PSW_64, 8);
		put_be(k->low + off + 8, STUB, 8);
	}
	put_be(k->low + STUB, 0x83000501, 4);
	put_be(k->low + END, 0x83000500, 4);
	put_be(k->hi + (DS_RET - DS_DATA), END, 8);
	return k;
fail:
	fprintf(stderr, "s390 difftest: cannot set up the kvmu VM\n");
	free(k);
	return NULL;
}

void kr_close(struct kr *k)
{
	munmap(k->run, 4096);
	close(k->vcpu);
	close(k->vm);
	close(k->sys);
	free(k);
}

static void load(struct kr *k, const struct ds_seq *s)
{
	uint8_t *in = k->hi + (DS_IN - DS_DATA);
	int i;

	memcpy(k->hi + (s->addr - DS_DATA), s->code, DS_SLOT);
	for (i = 0; i < 16; i++)
		put_be(in + 8 * i, s->gprs[i], 8);
	put_be(in + 128, (s->cc << 4 | s->pm) << 24, 4);
	memcpy(k->hi, s->data, DS_DATA_SIZE);
	memset(k->low + 0x8c, 0, 4);
}

int kr_run(struct kr *k, const struct ds_seq *s, struct ds_out *o)
{
	const uint8_t *save = k->hi + (DS_SAVE - DS_DATA);
	uint64_t mask, addr;
	unsigned code;
	int i;

	load(k, s);
	k->run->psw_mask = PSW_64 | PSW_PROBLEM;
	k->run->psw_addr = s->addr;
	if (kvmu_ioctl(k->vcpu, KVM_RUN, 0) ||
	    k->run->exit_reason != KVM_EXIT_S390_SIEIC ||
	    k->run->s390_sieic.ipa != 0x8300 ||
	    k->run->s390_sieic.ipb != 0x05010000)
		return -1;
	code = (unsigned)get_be(k->low + 0x8e, 2);
	mask = get_be(k->low + 0x150, 8);
	addr = get_be(k->low + 0x158, 8);
	memcpy(o->data, k->hi, DS_DATA_SIZE);
	o->pad = 0;
	if (code == 2 && addr == END + 4) {
		for (i = 0; i < 16; i++)
			o->gprs[i] = get_be(save + 8 * i, 8);
		o->cc = get_be(save + 128, 4) >> 28 & 3;
		o->cls = DS_END;
		o->addr = 0;
		return 0;
	}
	for (i = 0; i < 16; i++)
		o->gprs[i] = k->run->s.regs.gprs[i];
	o->cc = mask >> 44 & 3;
	o->cls = code;
	o->addr = addr;
	return 0;
}
