/* SPDX-License-Identifier: MIT */
/*
 * One decoded instruction: run its handler and retire it (advance rip,
 * count it) or leave it unretired for a fault or an exit, the same for
 * x86_step (run.c) and translated blocks (block.c).  Inline so that the
 * block loop pays no call per instruction; per-instruction semantics
 * belong here and nowhere else.
 */
#ifndef KVMU_X86_STEP_H
#define KVMU_X86_STEP_H

#include "arch/x86/x86_int.h"

/* rip past in, wrapped to the code segment's address size. */
static inline void x86_advance_rip(struct x86_cpu *cpu,
				   const struct x86_insn *in)
{
	u64 rip = cpu->rip + in->len;

	if (cpu->mode != X86_MODE_LONG64)
		rip &= cpu->seg[X86_CS].db && cpu->mode != X86_MODE_REAL &&
		       cpu->mode != X86_MODE_VM86 ? 0xffffffffULL : 0xffffULL;
	cpu->rip = rip;
}

/* Count a retired instruction. */
static inline void x86_retired(struct x86_cpu *cpu)
{
	cpu->nr_mmio_done = 0;
	cpu->icount++;
	cpu->vcpu->stats.instructions++;
}

/* After the handler of in returned st (not X86_OK): retire it or leave
 * it unretired; shadow is the interrupt shadow it started with. */
static inline void x86_insn_status(struct x86_cpu *cpu,
				   const struct x86_insn *in,
				   enum x86_status st, u8 shadow)
{
	switch (st) {
	case X86_OK:
	case X86_EXIT_RETIRED:
		x86_advance_rip(cpu, in);
		/* fall through */
	case X86_JUMP:
		x86_retired(cpu);
		break;
	case X86_FAULT:
		cpu->nr_mmio_writes = 0;
		cpu->nr_mmio_done = 0;
		cpu->interrupt_shadow = shadow;
		break;
	case X86_EXIT:
		cpu->io_lin_rip = cpu->seg[X86_CS].base + cpu->rip;
		/* not retired: it runs again, so forget its writes */
		if (cpu->io_wait == X86_WAIT_MMIO_READ ||
		    cpu->io_wait == X86_WAIT_PIO_IN)
			cpu->nr_mmio_writes = 0;
		break;
	}
}

/* Execute the decoded instruction in at rip; returns its status. */
static inline enum x86_status x86_exec_insn(struct x86_cpu *cpu,
					    const struct x86_insn *in)
{
	enum x86_status st;
	u8 shadow = cpu->interrupt_shadow;

	cpu->interrupt_shadow = 0;
	st = in->fn ? in->fn(cpu, in) : x86_emulation_failure(cpu, in);
	/* the common case first */
	if (__builtin_expect(st == X86_OK, 1)) {
		x86_advance_rip(cpu, in);
		x86_retired(cpu);
		return st;
	}
	x86_insn_status(cpu, in, st, shadow);
	return st;
}

#endif /* KVMU_X86_STEP_H */
