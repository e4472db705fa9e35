// SPDX-License-Identifier: MIT
/*
 * The AArch64 CPU: decode through the table in insn.def, the fetch-execute
 * loop, exception entry and return (VBAR_EL1 vectors), IRQ/FIQ/SError
 * delivery, WFI, the generic counter and the architectural reset.
 *
 * Lookup: the 11 top bits of an instruction pick a bucket listing the
 * table lines whose mask and value agree with them; the first line of the
 * bucket that matches the whole word wins.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "arm64.h"
#include "psci.h"

static const struct a64_insn a64_insns[] = {
#define A64(name, mask, value, gate, fn) { #name, mask, value, gate, fn },
#include "insn.def"
#undef A64
};

#define NR_BUCKETS	2048
#define BUCKET_MAX	8
static u8 buckets[NR_BUCKETS][BUCKET_MAX];	/* line + 1, 0 ends */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
	unsigned int b, i, n;

	for (b = 0; b < NR_BUCKETS; b++) {
		u32 top = (u32)b << 21;

		for (i = 0, n = 0; i < ARRAY_SIZE(a64_insns); i++) {
			const struct a64_insn *in = &a64_insns[i];

			if (((top ^ in->value) & in->mask & 0xffe00000) == 0 &&
			    n < BUCKET_MAX - 1)
				buckets[b][n++] = (u8)(i + 1);
		}
	}
}

static const struct a64_insn *lookup(u32 insn)
{
	const u8 *l = buckets[insn >> 21];

	for (; *l; l++) {
		const struct a64_insn *in = &a64_insns[*l - 1];

		if ((insn & in->mask) == in->value)
			return in;
	}
	return NULL;
}

bool a64_cond(const struct a64_cpu *c, unsigned int cond)
{
	u64 p = c->pstate;
	bool n = p & PST_N, z = p & PST_Z, cf = p & PST_C, v = p & PST_V;
	bool r;

	switch (cond >> 1) {
	case 0: r = z; break;
	case 1: r = cf; break;
	case 2: r = n; break;
	case 3: r = v; break;
	case 4: r = cf && !z; break;
	case 5: r = n == v; break;
	case 6: r = n == v && !z; break;
	default: return true;
	}
	return (cond & 1) ? !r : r;
}

/* Enter EL1 at VBAR_EL1 + the vector for kind, returning to ret. */
static int take(struct a64_cpu *c, unsigned int kind, u64 ret)
{
	u64 off;

	if (a64_el(c) == 0)
		off = 0x400;
	else
		off = (c->pstate & 1) ? 0x200 : 0;
	c->spsr[0] = c->pstate;
	c->elr_el1 = ret;
	c->pstate = (c->pstate & PST_NZCV) | PST_DAIF | PST_EL1h;
	c->pc = (c->sr[SR_VBAR_EL1] & ~0x7ffULL) + off + kind;
	c->excl_valid = false;
	return A64_EXC;
}

int a64_sync_exc(struct a64_cpu *c, u32 esr, u64 far, bool has_far)
{
	c->sr[SR_ESR_EL1] = esr | BIT(25);
	if (has_far)
		c->sr[SR_FAR_EL1] = far;
	return take(c, VEC_SYNC, c->ipc);
}

int a64_undef(struct a64_cpu *c, u32 insn KVMU_UNUSED)
{
	return a64_sync_exc(c, EC_UNKNOWN << 26, 0, false);
}

void a64_eret(struct a64_cpu *c)
{
	u64 spsr = c->spsr[0];
	unsigned int m = spsr & PST_M;

	c->pc = c->elr_el1;
	c->excl_valid = false;
	if ((spsr & BIT(4)) || (m != PST_EL0t && m != PST_EL1t &&
				m != PST_EL1h)) {
		/* illegal exception return: stay, set PSTATE.IL */
		c->pstate = (spsr & (PST_NZCV | PST_DAIF)) |
			    (c->pstate & PST_M) | PST_IL;
		return;
	}
	c->pstate = spsr & (PST_NZCV | PST_DAIF | PST_M | PST_IL | PST_SS);
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

u64 a64_counter(struct a64_cpu *c)
{
	return now_ns() - __atomic_load_n(&c->vm->cnt_base_ns,
					  __ATOMIC_RELAXED);
}

/* Pending asynchronous exception that PSTATE lets through, or 0. */
static unsigned int pending_async(struct a64_cpu *c)
{
	u32 l = atomic_load_explicit(&c->lines, memory_order_relaxed);

	if (c->serror_pending && !(c->pstate & PST_A))
		return VEC_SERR | 1;
	if ((l & 2) && !(c->pstate & PST_F))
		return VEC_FIQ | 1;
	if ((l & 1) && !(c->pstate & PST_I))
		return VEC_IRQ | 1;
	return 0;
}

static int deliver_async(struct a64_cpu *c, unsigned int p)
{
	unsigned int kind = p & ~1u;

	if (kind == VEC_SERR) {
		c->serror_pending = false;
		c->sr[SR_ESR_EL1] = (u64)EC_SERROR << 26 | BIT(25) |
				    (c->serror_esr & 0x1ffffff);
	}
	return take(c, kind, c->pc);
}

void a64_reset(struct a64_cpu *c)
{
	memset(c->x, 0, sizeof(c->x));
	memset(c->v, 0, sizeof(c->v));
	memset(c->spsr, 0, sizeof(c->spsr));
	c->sp_el0 = c->sp_el1 = c->pc = c->elr_el1 = 0;
	c->fpsr = c->fpcr = 0;
	c->pstate = PST_RESET;
	c->excl_valid = false;
	c->mmio.pending = false;
	c->serror_pending = false;
	a64_sysreg_reset(c);
	a64_tlb_flush(c);
}

static bool fp_trapped(const struct a64_cpu *c)
{
	unsigned int fpen = (c->sr[SR_CPACR_EL1] >> 20) & 3;

	return fpen == 0 || fpen == 2 || (fpen == 1 && a64_el(c) == 0);
}

/* One instruction, with its exceptions taken. */
static int step(struct a64_cpu *c)
{
	const struct a64_insn *in;
	u32 insn;
	int rc;

	c->ipc = c->pc;
	if (unlikely(c->pstate & PST_IL))
		return a64_sync_exc(c, EC_ILLEGAL << 26, 0, false);
	if (unlikely(c->pc & 3))
		return a64_sync_exc(c, EC_PC_ALIGN << 26, c->pc, true);
	rc = a64_fetch(c, c->pc, &insn);
	if (rc)
		return rc;
	c->pc += 4;
	c->vcpu->stats.instructions++;
	in = lookup(insn);
	if (!in)
		return a64_undef(c, insn);
	if (in->gate == G_FP && fp_trapped(c))
		return a64_sync_exc(c, EC_FP << 26, 0, false);
	return in->fn(c, insn);
}

/*
 * WFI: sleep (kvmu_vcpu_block) until an interrupt is signalled, an SError
 * is pending or the core wants out; a timer that will fire bounds the
 * sleep.  Whoever raises an input wakes the vCPU (kvmu_vcpu_wake).
 */
static int wait_for_irq(struct a64_cpu *c)
{
	int rc;

	for (;;) {
		kvmu_vcpu_take_wake(c->vcpu);
		a64_timer_sync(c);
		if (atomic_load(&c->lines) || c->serror_pending ||
		    kvmu_vcpu_should_exit(c->vcpu))
			return 0;
		rc = kvmu_vcpu_block(c->vcpu, a64_timer_deadline(c));
		if (rc) {
			c->run->exit_reason = KVM_EXIT_INTR;
			return rc;
		}
	}
}

int a64_op_wfi(struct a64_cpu *c)
{
	if (a64_el(c) == 0 && !(c->sr[SR_SCTLR_EL1] & BIT(16)))
		return a64_sync_exc(c, EC_WFX << 26 | 1u << 24 | 0xe << 20,
				    0, false);
	return A64_WFI;
}

int a64_cpu_run(struct a64_cpu *c)
{
	unsigned int n, p;
	int rc;

	pthread_once(&tables_once, build_tables);
	for (;;) {
		if (kvmu_vcpu_should_exit(c->vcpu)) {
			c->run->exit_reason = KVM_EXIT_INTR;
			return -EINTR;
		}
		if (kvmu_vcpu_slots_changed(c->vcpu))
			a64_tlb_flush(c);
		if (atomic_load(&c->power) != PWR_ON) {
			rc = arm64_psci_wait_on(c);
			if (rc)
				return rc;
			continue;
		}
		a64_timer_sync(c);
		for (n = 0; n < 4096; n++) {
			p = pending_async(c);
			rc = p ? deliver_async(c, p) : step(c);
			if (rc == A64_EXIT)
				return 0;
			if (rc < 0)
				return rc;
			if (rc == A64_WFI) {
				rc = wait_for_irq(c);
				if (rc < 0)
					return rc;
				break;
			}
			if (rc == A64_STOP)
				break;
		}
	}
}
