// SPDX-License-Identifier: MIT
/*
 * The fuzzer's s390 Protected Virtualization operation: an s390 VM with
 * 1 MiB of memory and a vCPU, then a fuzzed sequence of
 * KVM_S390_PV_COMMAND (every command, fuzzed flags and data),
 * KVM_S390_PV_CPU_COMMAND, SIDA KVM_S390_MEM_OP, KVM_SET_MP_STATE,
 * ONE_REG, KVM_RUN and guest bytes; everything is closed at the end.
 * Pointers inside the data structs point into the arena or are bad ones:
 * kvmu writes through them, as the kernel would.
 */
#define _GNU_SOURCE
#include "fz.h"
#include "kvmu/abi/s390.h"

#define S390_MEM	0x100000UL

static u8 *s390_mem;	/* 1 MiB aligned, as s390 slots want */
static char host_dir[] = "/tmp/kvmu-fuzz-uv-XXXXXX";

/* The host key made for the fuzzer's UV goes with the process. */
static void remove_host_dir(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", host_dir);
	if (system(cmd))
		fprintf(stderr, "fz_s390: could not remove %s\n", host_dir);
}

static void s390_init(void)
{
	u8 *p;

	if (s390_mem)
		return;
	/* SET_SEC_PARMS makes the UV load a host key: not the machine's */
	if (mkdtemp(host_dir)) {
		setenv("KVMU_HOST_DIR", host_dir, 1);
		atexit(remove_host_dir);
	}
	p = mmap(NULL, 2 * S390_MEM, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		abort();
	s390_mem = (u8 *)(((uintptr_t)p + S390_MEM - 1) & ~(S390_MEM - 1));
}

/* A pointer for a data field: into the arena (fuzzed bytes) or bad. */
static u64 data_ptr(struct fdp *f, size_t len, bool *bad)
{
	int k = pick_ptr(f);

	*bad = k != PTR_GOOD;
	if (!*bad)
		fill(f, arena_tail(len), len);
	return make_ptr(k, len);
}

static void pv_command(struct fdp *f, int vm)
{
	struct kvm_pv_cmd *c = (void *)G.arena;
	struct kvm_s390_pv_dmp *d;
	u32 cmd = pick(f, 13);
	bool bad = false;
	int r;

	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	c->flags = pick(f, 16) ? 0 : (u32)take(f, 4);
	switch (cmd) {
	case KVM_PV_SET_SEC_PARMS:
	case KVM_PV_UNPACK:
	case KVM_PV_INFO:
		c->data = data_ptr(f, 24 + pick(f, 64), &bad);
		if (cmd == KVM_PV_SET_SEC_PARMS && !bad && pick(f, 2)) {
			/* a header in the arena, of fuzzed length */
			u64 *sp = (u64 *)arena_tail(16);

			fill(f, G.arena + 64, 1024);
			sp[0] = (u64)(uintptr_t)(G.arena + 64);
			sp[1] = pick(f, 2) ? 0x280 : take(f, 2);
			c->data = (u64)(uintptr_t)sp;
		}
		break;
	case KVM_PV_DUMP:
		c->data = data_ptr(f, sizeof(*d), &bad);
		if (!bad) {
			d = (void *)(uintptr_t)c->data;
			d->buff_addr = (u64)(uintptr_t)(G.arena + 64);
			d->buff_len %= ARENA_SIZE / 2;
			d->subcmd %= 5;
		}
		break;
	default:
		c->data = take(f, 8);
	}
	if (pick(f, 16) == 0) {
		int k = pick_ptr(f);

		r = xioctl(vm, KVM_S390_PV_COMMAND, make_ptr(k, 32));
		if (k != PTR_GOOD)
			expect_fail(r, KVM_S390_PV_COMMAND, ptr_names[k]);
		return;
	}
	xioctl(vm, KVM_S390_PV_COMMAND, (unsigned long)c);
}

static void vcpu_op(struct fdp *f, int cpu, struct kvm_run *run)
{
	struct kvm_pv_cmd *c = (void *)G.arena;
	struct kvm_s390_pv_dmp *d = (void *)(G.arena + 64);
	struct kvm_s390_mem_op *m = (void *)G.arena;
	struct kvm_mp_state *mp = (void *)G.arena;
	int r;

	switch (pick(f, 5)) {
	case 0:
		memset(c, 0, sizeof(*c));
		c->cmd = pick(f, 4) ? KVM_PV_DUMP : pick(f, 12);
		c->data = (u64)(uintptr_t)d;
		fill(f, d, sizeof(*d));
		d->buff_addr = (u64)(uintptr_t)(G.arena + 128);
		d->buff_len = pick(f, 2) ? 0x1000 : d->buff_len % 0x2000;
		d->subcmd = pick(f, 4) ? KVM_PV_DUMP_CPU : d->subcmd;
		xioctl(cpu, KVM_S390_PV_CPU_COMMAND, (unsigned long)c);
		break;
	case 1:
		memset(m, 0, sizeof(*m));
		m->op = pick(f, 6);
		m->size = pick(f, 2) ? pick(f, 4097) : (u32)take(f, 4);
		m->sida_offset = pick(f, 2) ? pick(f, 4097) : (u32)take(f, 4);
		m->flags = pick(f, 8) ? 0 : take(f, 8);
		m->buf = (u64)(uintptr_t)(G.arena + PG);
		if (m->size > ARENA_SIZE - PG && m->op < 4)
			m->size = ARENA_SIZE - PG;
		xioctl(cpu, KVM_S390_MEM_OP, (unsigned long)m);
		break;
	case 2:
		mp->mp_state = pick(f, 12);
		xioctl(cpu, KVM_SET_MP_STATE, (unsigned long)mp);
		break;
	case 3:
		r = xioctl(cpu, pick(f, 2) ? KVM_GET_ONE_REG : KVM_SET_ONE_REG,
			   make_ptr(PTR_NULL, 16));
		expect_fail(r, KVM_GET_ONE_REG, "NULL");
		break;
	default:
		timed_ioctl(cpu, run, KVM_RUN, 0);
	}
}

void op_s390_pv(struct fz *z, struct fdp *f)
{
	struct kvm_userspace_memory_region *r = (void *)arena_tail(32);
	int sys, vm, cpu, n;
	struct kvm_run *run;

	(void)z;
	s390_init();
	sys = kvmu_open(KVMU_ARCH_S390X, 0);
	vm = sys < 0 ? -1 : kvmu_ioctl(sys, KVM_CREATE_VM, 0);
	*r = (struct kvm_userspace_memory_region){
		.memory_size = S390_MEM,
		.userspace_addr = (u64)(uintptr_t)s390_mem,
	};
	if (vm < 0 || kvmu_ioctl(vm, KVM_SET_USER_MEMORY_REGION,
				 (unsigned long)r))
		fz_fail("s390 VM: errno %d", errno);
	fill(f, s390_mem + 0x10000, pick(f, 64));	/* some guest code */
	cpu = kvmu_ioctl(vm, KVM_CREATE_VCPU, 0);
	run = cpu < 0 ? MAP_FAILED : mmap(NULL, PG, PROT_READ | PROT_WRITE,
					  MAP_SHARED, cpu, 0);
	if (run == MAP_FAILED)
		fz_fail("s390 vCPU: errno %d", errno);
	for (n = 1 + pick(f, 16); n--;) {
		if (pick(f, 2))
			pv_command(f, vm);
		else
			vcpu_op(f, cpu, run);
	}
	munmap(run, PG);
	close(cpu);
	close(vm);
	close(sys);
	memset(s390_mem, 0, S390_MEM);
}
