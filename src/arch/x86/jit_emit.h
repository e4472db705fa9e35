/* SPDX-License-Identifier: MIT */
/*
 * Host x86-64 machine-code emission for the JIT (jit.c): a byte cursor
 * and the few encodings it needs.  Guest state is reached through RBX
 * (struct x86_cpu *) with a 32-bit displacement; the working registers
 * are RAX, RCX and RDX; R12 holds the guest rip of the block's first
 * instruction.  Nothing here knows the guest; it is the host back end.
 */
#ifndef KVMU_X86_JIT_EMIT_H
#define KVMU_X86_JIT_EMIT_H

#include <stdbool.h>
#include <string.h>

#include "kvmu_int.h"

enum { H_RAX, H_RCX, H_RDX, H_RBX };

struct jit_emit {
	u8 *p, *end;
	bool full;		/* ran out of room: the code is unusable */
};

static inline void e_b(struct jit_emit *e, u8 b)
{
	if (e->p < e->end)
		*e->p++ = b;
	else
		e->full = true;
}

static inline void e_bytes(struct jit_emit *e, const u8 *b, size_t n)
{
	while (n--)
		e_b(e, *b++);
}

#define E(e, ...)							\
	do {								\
		static const u8 b_[] = { __VA_ARGS__ };			\
		e_bytes(e, b_, sizeof(b_));				\
	} while (0)

static inline void e_u32(struct jit_emit *e, u32 v)
{
	int i;

	for (i = 0; i < 4; i++)
		e_b(e, (u8)(v >> (8 * i)));
}

static inline void e_u64(struct jit_emit *e, u64 v)
{
	e_u32(e, (u32)v);
	e_u32(e, (u32)(v >> 32));
}

static inline bool fits_s32(u64 v)
{
	return (s64)v == (s64)(s32)v;
}

/* Prefixes for an operation of size bytes on registers 0-7. */
static inline void e_size(struct jit_emit *e, int size)
{
	if (size == 2)
		e_b(e, 0x66);
	else if (size == 8)
		e_b(e, 0x48);
}

/* op8/op at the size, ModRM to [rbx + disp] with reg field reg. */
static inline void e_mem(struct jit_emit *e, int size, u8 op8, u8 op,
			 int reg, u32 disp)
{
	e_size(e, size);
	e_b(e, size == 1 ? op8 : op);
	e_b(e, (u8)(0x80 | (reg << 3) | H_RBX));
	e_u32(e, disp);
}

/* op8/op at the size, register-direct ModRM (rm, reg). */
static inline void e_rr(struct jit_emit *e, int size, u8 op8, u8 op,
			int reg, int rm)
{
	e_size(e, size);
	e_b(e, size == 1 ? op8 : op);
	e_b(e, (u8)(0xc0 | (reg << 3) | rm));
}

/* mov reg, imm (64-bit register, sign-extended imm32 when it fits). */
static inline void e_mov_imm(struct jit_emit *e, int reg, u64 v)
{
	if (fits_s32(v)) {
		E(e, 0x48, 0xc7);
		e_b(e, (u8)(0xc0 | reg));
		e_u32(e, (u32)v);
	} else {
		e_b(e, 0x48);
		e_b(e, (u8)(0xb8 | reg));
		e_u64(e, v);
	}
}

/* Loads and stores of size bytes between reg and [rbx + disp]. */
static inline void e_load(struct jit_emit *e, int size, int reg, u32 disp)
{
	e_mem(e, size, 0x8a, 0x8b, reg, disp);
}

static inline void e_store(struct jit_emit *e, int size, int reg, u32 disp)
{
	e_mem(e, size, 0x88, 0x89, reg, disp);
}

/* rdx = r12 + v; rax as scratch for a v beyond 32 bits. */
static inline void e_rdx_rip(struct jit_emit *e, u64 v)
{
	E(e, 0x4c, 0x89, 0xe2);			/* mov rdx, r12 */
	if (fits_s32(v)) {
		E(e, 0x48, 0x81, 0xc2);		/* add rdx, imm32 */
		e_u32(e, (u32)v);
	} else {
		e_mov_imm(e, H_RCX, v);
		E(e, 0x48, 0x01, 0xca);		/* add rdx, rcx */
	}
}

/* [rbx + disp] = r12 + off (the guest rip of an instruction). */
static inline void e_set_rip(struct jit_emit *e, u32 disp, u32 off)
{
	E(e, 0x49, 0x8d, 0x84, 0x24);		/* lea rax, [r12 + off] */
	e_u32(e, off);
	E(e, 0x48, 0x89, 0x83);			/* mov [rbx + disp], rax */
	e_u32(e, disp);
}

static inline void e_prologue(struct jit_emit *e)
{
	/* push rbx; push r12; push rbp (16-byte aligned calls);
	 * mov rbx, rdi; mov r12, rsi */
	E(e, 0x53, 0x41, 0x54, 0x55, 0x48, 0x89, 0xfb, 0x49, 0x89, 0xf4);
}

/* return eax = v, or eax |= v when or_eax (a status already in eax). */
static inline void e_return(struct jit_emit *e, u32 v, bool or_eax)
{
	e_b(e, or_eax ? 0x0d : 0xb8);
	e_u32(e, v);
	E(e, 0x5d, 0x41, 0x5c, 0x5b, 0xc3);	/* pop rbp, r12, rbx; ret */
}

/* A forward jcc rel8 whose target is set later by e_patch8. */
static inline u8 *e_jcc8(struct jit_emit *e, u8 cc)
{
	e_b(e, (u8)(0x70 | cc));
	e_b(e, 0);
	return e->full ? NULL : e->p - 1;
}

static inline void e_patch8(struct jit_emit *e, u8 *at)
{
	if (!at || e->full)
		return;
	if (e->p - at - 1 > 127)
		e->full = true;	/* cannot happen with our stubs; refuse */
	else
		*at = (u8)(e->p - at - 1);
}

/* Forward jcc rel32 / jmp rel32, target set later by e_patch32. */
static inline u8 *e_jcc32(struct jit_emit *e, u8 cc)
{
	e_b(e, 0x0f);
	e_b(e, (u8)(0x80 | cc));
	e_u32(e, 0);
	return e->full ? NULL : e->p - 4;
}

static inline u8 *e_jmp32(struct jit_emit *e)
{
	e_b(e, 0xe9);
	e_u32(e, 0);
	return e->full ? NULL : e->p - 4;
}

static inline void e_patch32(struct jit_emit *e, u8 *at)
{
	u32 rel;

	if (!at || e->full)
		return;
	rel = (u32)(e->p - at - 4);
	memcpy(at, &rel, 4);
}

#endif /* KVMU_X86_JIT_EMIT_H */
