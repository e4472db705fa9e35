/* SPDX-License-Identifier: MIT */
/*
 * The x86 JIT: host x86-64 code for the straight part of a translated
 * block (every instruction but the last).  See jit.c and docs/engine.md.
 */
#ifndef KVMU_X86_JIT_H
#define KVMU_X86_JIT_H

#include "arch/x86/x86_int.h"
#include "core/jitbuf.h"

/*
 * Host code for a block: runs from guest rip (the block's first
 * instruction) and returns i << 8 | stop | status, where i is the number
 * of instructions retired, status (enum x86_status) that of instruction i
 * when not X86_OK (it is then unretired or for x86_insn_status to
 * retire), and stop (X86_JIT_STOP) set when instruction i - 1 stored into
 * the block's page or queued an MMIO write.  cpu->rip is that of
 * instruction i on return.
 */
typedef u64 (*x86_jit_fn)(struct x86_cpu *cpu, u64 rip);

#define X86_JIT_STOP	0x10
#define X86_JIT_STATUS	0x0f

/* Compile in[0..n) (64-bit mode, n >= 1) into jb; NULL: no room even
 * after a flush of jb. */
x86_jit_fn x86_jit_compile(struct kvmu_jitbuf *jb, const struct x86_insn *in,
			   u32 n);

#endif /* KVMU_X86_JIT_H */
