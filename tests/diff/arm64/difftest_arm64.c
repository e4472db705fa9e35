// SPDX-License-Identifier: MIT
/*
 * The arm64 differential tester: random EL0 sequences (gen.c) run on
 * kvmu's AArch64 CPU and under qemu-aarch64 (harness.c) from the same
 * x0-x30, NZCV and data area at the same addresses; x0-x30, NZCV and the
 * data area are compared afterwards.  On kvmu the sequence runs at EL0
 * with the MMU on (an identity map, Normal memory, as user space has)
 * and ends with SVC #0; the EL1 vector parks x0 in TPIDR_EL1 and makes a
 * forwarded SMCCC call (KVM_EXIT_HYPERCALL).  A writer process feeds qemu
 * while this process reads qemu's answers and runs kvmu.  Exit 0 when
 * nothing diverged, 1 on a divergence, 2 on an error, 77 when qemu-aarch64
 * or the harness is missing.
 *
 *   difftest-arm64 -H harness.elf [-q qemu-aarch64] [-n N] [-s SEED]
 *                  [-l MAXLEN] [-m MAXSHOWN] [-d INDEX]
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <kvmu/kvmu.h>
#include <kvmu/abi/arm64.h>

#include "gen.h"

#define RAM_SIZE	0x400000UL
#define VEC_PA		(DA_DATA + 0x200000)
#define VEC_VA		(0x40000000UL + VEC_PA)	/* EL1-only alias */
#define PT_PA		(DA_DATA + 0x300000)
#define FWD_FN		0xc3000010U
#define EC_SVC64	0x15

struct opts {
	const char *qemu, *harness;
	unsigned long n;
	uint64_t seed;
	int maxlen, maxshown;
	long dump;
};

struct kv {
	int sys, vm, vcpu;
	struct kvm_run *run;
	uint8_t *ram;
};

#define CORE(f) KVMU_REG_ARM64_CORE(KVM_REG_SIZE_U64, f)

static int set_reg(struct kv *k, uint64_t id, uint64_t v)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&v };

	return kvmu_ioctl(k->vcpu, KVM_SET_ONE_REG, &r);
}

static uint64_t get_reg(struct kv *k, uint64_t id)
{
	uint64_t v = 0;
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)&v };

	kvmu_ioctl(k->vcpu, KVM_GET_ONE_REG, &r);
	return v;
}

static uint64_t vid(int n)
{
	return KVMU_REG_ARM64 | KVM_REG_SIZE_U128 | KVMU_REG_ARM_CORE |
	       (offsetof(struct kvmu_arm64_regs, fp_regs.vregs) / 4 +
		(uint64_t)n * 4);
}

static void set_vreg(struct kv *k, int n, uint64_t lo)
{
	__uint128_t v = lo;
	struct kvm_one_reg r = { .id = vid(n), .addr = (uintptr_t)&v };

	kvmu_ioctl(k->vcpu, KVM_SET_ONE_REG, &r);
}

static uint64_t get_vreg(struct kv *k, int n)
{
	__uint128_t v = 0;
	struct kvm_one_reg r = { .id = vid(n), .addr = (uintptr_t)&v };

	kvmu_ioctl(k->vcpu, KVM_GET_ONE_REG, &r);
	return (uint64_t)v;
}

#define FPSR_ID KVMU_REG_ARM64_CORE(KVM_REG_SIZE_U32, fp_regs.fpsr)

static void set_fpsr(struct kv *k, uint32_t v)
{
	struct kvm_one_reg r = { .id = FPSR_ID, .addr = (uintptr_t)&v };

	kvmu_ioctl(k->vcpu, KVM_SET_ONE_REG, &r);
}

static uint64_t get_fpsr(struct kv *k)
{
	uint32_t v = 0;
	struct kvm_one_reg r = { .id = FPSR_ID, .addr = (uintptr_t)&v };

	kvmu_ioctl(k->vcpu, KVM_GET_ONE_REG, &r);
	return v;
}

static uint64_t xid(int n)
{
	return KVMU_REG_ARM64 | KVM_REG_SIZE_U64 | KVMU_REG_ARM_CORE |
	       (uint64_t)n * 2;
}

#define SYSREG(a, b, c, d, e) KVMU_REG_ARM64_SYSREG_ID(a, b, c, d, e)

static int kv_regs_setup(struct kv *k)
{
	static const uint32_t vec[] = {
		0xd518d080,	/* msr tpidr_el1, x0 */
		0xd2800200,	/* mov x0, #0x10 */
		0xf2b86000,	/* movk x0, #0xc300, lsl #16 */
		0xd4000002,	/* hvc #0 */
	};
	uint64_t *pt = (uint64_t *)(k->ram + (PT_PA - DA_DATA));

	pt[0] = 0x741;		/* 0-1 GiB: block, AF, inner shareable, EL0 RW */
	pt[1] = 0x701;		/* 1-2 GiB: the same RAM, EL1 only */
	memcpy(k->ram + (VEC_PA - DA_DATA) + 0x400, vec, sizeof(vec));
	return set_reg(k, SYSREG(3, 0, 10, 2, 0), 0xff) ||	/* MAIR */
	       set_reg(k, SYSREG(3, 0, 2, 0, 2), 25 | 1u << 23) || /* TCR */
	       set_reg(k, SYSREG(3, 0, 2, 0, 0), PT_PA) ||	/* TTBR0 */
	       set_reg(k, SYSREG(3, 0, 12, 0, 0), VEC_VA) ||	/* VBAR */
	       set_reg(k, SYSREG(3, 0, 1, 0, 2), 3u << 20) ||	/* CPACR */
	       set_reg(k, SYSREG(3, 0, 1, 0, 0), 0x30d00801);	/* SCTLR */
}

static int kv_open(struct kv *k)
{
	struct kvmu_arm64_vcpu_init init = {
		.target = KVMU_ARM_TARGET_GENERIC_V8,
		.features = { 1u << KVMU_ARM_VCPU_PSCI_0_2 },
	};
	struct kvmu_smccc_filter f = { FWD_FN, 1,
				       KVMU_SMCCC_FILTER_FWD_TO_USER, { 0 } };
	struct kvm_device_attr a = { .group = KVMU_ARM_VM_SMCCC_CTRL,
		.attr = KVMU_ARM_VM_SMCCC_FILTER, .addr = (uintptr_t)&f };
	struct kvm_userspace_memory_region r = { .slot = 0,
		.guest_phys_addr = DA_DATA, .memory_size = RAM_SIZE };

	k->sys = kvmu_open(KVMU_ARCH_ARM64, 0);
	k->vm = kvmu_ioctl(k->sys, KVM_CREATE_VM, 0);
	k->ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (k->sys < 0 || k->vm < 0 || k->ram == MAP_FAILED)
		return -1;
	r.userspace_addr = (uintptr_t)k->ram;
	k->vcpu = kvmu_ioctl(k->vm, KVM_CREATE_VCPU, 0);
	if (k->vcpu < 0 || kvmu_ioctl(k->vm, KVM_SET_USER_MEMORY_REGION, &r) ||
	    kvmu_ioctl(k->vm, KVM_SET_DEVICE_ATTR, &a) ||
	    kvmu_ioctl(k->vcpu, KVMU_ARM_VCPU_INIT, &init))
		return -1;
	k->run = mmap(NULL, (size_t)kvmu_ioctl(k->sys, KVM_GET_VCPU_MMAP_SIZE,
		      0), PROT_READ | PROT_WRITE, MAP_SHARED, k->vcpu, 0);
	if (k->run == MAP_FAILED)
		return -1;
	return kv_regs_setup(k);
}

static uint64_t slot_addr(uint64_t i)
{
	return DA_CODE + (i % DA_RING) * DA_SLOT;
}

/* Run q on kvmu; 0, or -1 with why in *why. */
static int kv_run(struct kv *k, const struct da_seq *q, uint64_t i,
		  struct da_out *o, char *why, size_t wlen)
{
	uint64_t addr = slot_addr(i), esr, elr;
	int n;

	memcpy(k->ram + (addr - DA_DATA), q->code, q->len * 4);
	memcpy(k->ram, q->data, DA_DATA_SIZE);
	for (n = 0; n < 31; n++)
		set_reg(k, xid(n), q->x[n]);
	for (n = 0; n < 32; n++)
		set_vreg(k, n, q->d[n]);
	set_fpsr(k, 0);
	set_reg(k, CORE(regs.pc), addr);
	set_reg(k, CORE(regs.pstate), q->nzcv);		/* EL0t */
	if (kvmu_ioctl(k->vcpu, KVM_RUN, 0) ||
	    k->run->exit_reason != KVM_EXIT_HYPERCALL ||
	    k->run->hypercall.nr != FWD_FN) {
		snprintf(why, wlen, "KVM_RUN: %s, exit %u", strerror(errno),
			 k->run->exit_reason);
		return -1;
	}
	esr = get_reg(k, SYSREG(3, 0, 5, 2, 0));
	elr = get_reg(k, CORE(elr_el1));
	if (esr >> 26 != EC_SVC64 || elr != addr + 4 * (q->epi + 1)) {
		snprintf(why, wlen, "kvmu took an exception: ESR %#" PRIx64
			 " ELR %#" PRIx64 " (insn %" PRId64 ")", esr, elr,
			 (int64_t)(elr - addr) / 4);
		return -1;
	}
	o->x[0] = get_reg(k, SYSREG(3, 0, 13, 0, 4));	/* TPIDR_EL1 */
	for (n = 1; n < 31; n++)
		o->x[n] = get_reg(k, xid(n));
	o->nzcv = get_reg(k, CORE(regs.pstate)) & 0xf0000000ULL;
	for (n = 0; n < 32; n++)
		o->d[n] = get_vreg(k, n);
	o->fpsr = get_fpsr(k);
	memcpy(o->data, k->ram, DA_DATA_SIZE);
	return 0;
}

static void encode(const struct da_seq *q, uint64_t i, struct da_in *in)
{
	memset(in, 0, sizeof(*in));
	memcpy(in->x, q->x, sizeof(in->x));
	in->nzcv = q->nzcv;
	memcpy(in->d, q->d, sizeof(in->d));
	in->fpsr = 0;
	in->addr = slot_addr(i);
	in->len = q->len;
	in->epi = q->epi;
	memcpy(in->code, q->code, q->len * 4);
	memcpy(in->data, q->data, DA_DATA_SIZE);
}

static int write_full(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	ssize_t r;

	while (n) {
		r = write(fd, b, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static int read_full(int fd, void *p, size_t n)
{
	uint8_t *b = p;
	ssize_t r;

	while (n) {
		r = read(fd, b, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

/* The writer process: every record, in order, into qemu's stdin. */
static void writer(const struct opts *o, int fd)
{
	static struct da_seq q;
	static struct da_in in;
	unsigned long i;

	for (i = 0; i < o->n; i++) {
		da_gen(o->seed, i, o->maxlen, &q);
		encode(&q, i, &in);
		if (write_full(fd, &in, sizeof(in)))
			_exit(1);
	}
	_exit(0);
}

static pid_t spawn(const struct opts *o, int *to, int *from, pid_t *wpid)
{
	int in[2], out[2];
	pid_t q;

	if (pipe(in) || pipe(out))
		return -1;
	q = fork();
	if (q == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execlp(o->qemu, o->qemu, o->harness, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	*wpid = fork();
	if (*wpid == 0) {
		close(out[0]);
		writer(o, in[1]);
	}
	close(in[1]);
	*to = -1;
	*from = out[0];
	return q;
}

static void show(const struct da_seq *q, uint64_t i, const struct da_out *a,
		 const struct da_out *b, const char *why)
{
	uint32_t n;

	printf("DIVERGENCE sequence %" PRIu64 ": %s\n  code:", i, why);
	for (n = 1; n < q->epi; n++)
		printf(" %08x", q->code[n]);
	printf("\n");
	for (n = 0; a && b && n < 31; n++)
		if (a->x[n] != b->x[n])
			printf("  x%u: qemu %#" PRIx64 " kvmu %#" PRIx64 "\n",
			       n, a->x[n], b->x[n]);
	if (a && b && a->nzcv != b->nzcv)
		printf("  nzcv: qemu %#" PRIx64 " kvmu %#" PRIx64 "\n",
		       a->nzcv, b->nzcv);
	for (n = 0; a && b && n < 32; n++)
		if (a->d[n] != b->d[n])
			printf("  d%u: qemu %#" PRIx64 " kvmu %#" PRIx64 "\n",
			       n, a->d[n], b->d[n]);
	if (a && b && a->fpsr != b->fpsr)
		printf("  fpsr: qemu %#" PRIx64 " kvmu %#" PRIx64 "\n",
		       a->fpsr, b->fpsr);
	for (n = 0; a && b && n < DA_DATA_SIZE; n++)
		if (a->data[n] != b->data[n]) {
			printf("  data[%u]: qemu %02x kvmu %02x\n", n,
			       a->data[n], b->data[n]);
			break;
		}
}

static int parse(int argc, char **argv, struct opts *o)
{
	int c;

	*o = (struct opts){ "qemu-aarch64", NULL, 1000, 1, 40, 10, -1 };
	while ((c = getopt(argc, argv, "H:q:n:s:l:m:d:")) != -1) {
		switch (c) {
		case 'H': o->harness = optarg; break;
		case 'q': o->qemu = optarg; break;
		case 'n': o->n = strtoul(optarg, NULL, 0); break;
		case 's': o->seed = strtoull(optarg, NULL, 0); break;
		case 'l': o->maxlen = atoi(optarg); break;
		case 'm': o->maxshown = atoi(optarg); break;
		case 'd': o->dump = atol(optarg); break;
		default: return -1;
		}
	}
	if (o->maxlen < 1 || o->maxlen > DA_MAX_INSNS)
		return -1;
	return 0;
}

static int have(const char *prog)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return !system(cmd);
}

static int dump(const struct opts *o)
{
	struct da_seq q;
	uint32_t n;

	da_gen(o->seed, (uint64_t)o->dump, o->maxlen, &q);
	for (n = 0; n < q.len; n++)
		printf("%08x\n", q.code[n]);
	return 0;
}

int main(int argc, char **argv)
{
	static struct da_seq q;
	struct da_out qo, ko;
	unsigned long i, diverged = 0, insns = 0;
	struct opts o;
	struct kv k;
	int to, from, status;
	pid_t qpid, wpid;
	char why[160];

	if (parse(argc, argv, &o)) {
		fprintf(stderr, "usage: difftest-arm64 -H harness.elf [-q qemu]"
			" [-n N] [-s SEED] [-l MAXLEN] [-m MAXSHOWN] [-d I]\n");
		return 2;
	}
	if (o.dump >= 0)
		return dump(&o);
	if (!o.harness || access(o.harness, R_OK) || !have(o.qemu)) {
		printf("SKIP: %s or the harness is missing\n", o.qemu);
		return 77;
	}
	signal(SIGPIPE, SIG_IGN);
	if (kv_open(&k)) {
		perror("kvmu arm64 VM");
		return 2;
	}
	qpid = spawn(&o, &to, &from, &wpid);
	if (qpid < 0)
		return 2;
	for (i = 0; i < o.n; i++) {
		if (read_full(from, &qo, sizeof(qo))) {
			fprintf(stderr, "qemu-aarch64 stopped at sequence %lu\n",
				i);
			return 2;
		}
		da_gen(o.seed, i, o.maxlen, &q);
		insns += q.insns;
		if (kv_run(&k, &q, i, &ko, why, sizeof(why))) {
			if (diverged++ < (unsigned long)o.maxshown)
				show(&q, i, NULL, NULL, why);
			continue;
		}
		if (memcmp(&qo, &ko, sizeof(qo)) &&
		    diverged++ < (unsigned long)o.maxshown)
			show(&q, i, &qo, &ko, "state differs");
	}
	close(from);
	waitpid(wpid, &status, 0);
	waitpid(qpid, &status, 0);
	printf("difftest-arm64: %lu sequences, %lu instructions, seed %" PRIu64
	       ", %lu diverged\n", o.n, insns, o.seed, diverged);
	return diverged ? 1 : 0;
}
