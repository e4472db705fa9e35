// SPDX-License-Identifier: MIT
/*
 * The qemu-aarch64 side of the arm64 differential tester: a freestanding
 * static AArch64 program that reads struct da_in records from stdin until
 * EOF and writes one struct da_out per record.  Each sequence is copied
 * into its code slot with its epilogue patched into a branch to save_regs,
 * the data area is filled, and enter() loads x0-x30 and NZCV and branches
 * to the slot; save_regs stores them back and returns from enter().
 * CLREX before each sequence: an exclusive monitor left open by the last
 * one must not decide the next (kvmu's exception entry closes it too).
 */
#include <stddef.h>
#include "layout.h"

#define NR_read		63
#define NR_write	64
#define NR_exit_group	94
#define NR_mmap		222

void enter(uint64_t *regs);
extern char save_regs[];
uint64_t out_regs[65];

static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;

	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2),
			 "r"(x3), "r"(x4), "r"(x5) : "memory", "cc");
	return x0;
}

__asm__(
"	.text\n"
"	.globl _start\n"
"_start:	mov	x29, #0\n"
"	bl	main\n"
"	mov	x8, #94\n"
"	svc	0\n"
"	.globl enter\n"
"enter:	stp	x29, x30, [sp, #-160]!\n"
"	stp	d8, d9, [sp, #96]\n	stp	d10, d11, [sp, #112]\n"
"	stp	d12, d13, [sp, #128]\n	stp	d14, d15, [sp, #144]\n"
"	stp	x19, x20, [sp, #16]\n"
"	stp	x21, x22, [sp, #32]\n"
"	stp	x23, x24, [sp, #48]\n"
"	stp	x25, x26, [sp, #64]\n"
"	stp	x27, x28, [sp, #80]\n"
"	clrex\n"
"	mov	x30, x0\n"
"	ldr	x2, [x30, #248]\n"
"	msr	nzcv, x2\n"
"	msr	fpcr, xzr\n"
"	ldr	x2, [x30, #520]\n"
"	msr	fpsr, x2\n"
"	add	x2, x30, #264\n"
"	ldp	d0, d1, [x2, #0]\n	ldp	d2, d3, [x2, #16]\n"
"	ldp	d4, d5, [x2, #32]\n	ldp	d6, d7, [x2, #48]\n"
"	ldp	d8, d9, [x2, #64]\n	ldp	d10, d11, [x2, #80]\n"
"	ldp	d12, d13, [x2, #96]\n	ldp	d14, d15, [x2, #112]\n"
"	ldp	d16, d17, [x2, #128]\n	ldp	d18, d19, [x2, #144]\n"
"	ldp	d20, d21, [x2, #160]\n	ldp	d22, d23, [x2, #176]\n"
"	ldp	d24, d25, [x2, #192]\n	ldp	d26, d27, [x2, #208]\n"
"	ldp	d28, d29, [x2, #224]\n	ldp	d30, d31, [x2, #240]\n"
"	ldp	x0, x1, [x30, #0]\n"
"	ldp	x2, x3, [x30, #16]\n"
"	ldp	x4, x5, [x30, #32]\n"
"	ldp	x6, x7, [x30, #48]\n"
"	ldp	x8, x9, [x30, #64]\n"
"	ldp	x10, x11, [x30, #80]\n"
"	ldp	x12, x13, [x30, #96]\n"
"	ldp	x14, x15, [x30, #112]\n"
"	ldp	x16, x17, [x30, #128]\n"
"	ldp	x18, x19, [x30, #144]\n"
"	ldp	x20, x21, [x30, #160]\n"
"	ldp	x22, x23, [x30, #176]\n"
"	ldp	x24, x25, [x30, #192]\n"
"	ldp	x26, x27, [x30, #208]\n"
"	ldp	x28, x29, [x30, #224]\n"
"	ldr	x30, [x30, #256]\n"
"	br	x30\n"
"	.globl save_regs\n"
"save_regs:\n"
"	stp	x0, x1, [sp, #-16]!\n"
"	adrp	x0, out_regs\n"
"	add	x0, x0, :lo12:out_regs\n"
"	stp	x2, x3, [x0, #16]\n"
"	stp	x4, x5, [x0, #32]\n"
"	stp	x6, x7, [x0, #48]\n"
"	stp	x8, x9, [x0, #64]\n"
"	stp	x10, x11, [x0, #80]\n"
"	stp	x12, x13, [x0, #96]\n"
"	stp	x14, x15, [x0, #112]\n"
"	stp	x16, x17, [x0, #128]\n"
"	stp	x18, x19, [x0, #144]\n"
"	stp	x20, x21, [x0, #160]\n"
"	stp	x22, x23, [x0, #176]\n"
"	stp	x24, x25, [x0, #192]\n"
"	stp	x26, x27, [x0, #208]\n"
"	stp	x28, x29, [x0, #224]\n"
"	str	x30, [x0, #240]\n"
"	mrs	x1, nzcv\n"
"	str	x1, [x0, #248]\n"
"	mrs	x1, fpsr\n"
"	str	x1, [x0, #512]\n"
"	add	x1, x0, #256\n"
"	stp	d0, d1, [x1, #0]\n	stp	d2, d3, [x1, #16]\n"
"	stp	d4, d5, [x1, #32]\n	stp	d6, d7, [x1, #48]\n"
"	stp	d8, d9, [x1, #64]\n	stp	d10, d11, [x1, #80]\n"
"	stp	d12, d13, [x1, #96]\n	stp	d14, d15, [x1, #112]\n"
"	stp	d16, d17, [x1, #128]\n	stp	d18, d19, [x1, #144]\n"
"	stp	d20, d21, [x1, #160]\n	stp	d22, d23, [x1, #176]\n"
"	stp	d24, d25, [x1, #192]\n	stp	d26, d27, [x1, #208]\n"
"	stp	d28, d29, [x1, #224]\n	stp	d30, d31, [x1, #240]\n"
"	ldp	x2, x3, [sp], #16\n"
"	stp	x2, x3, [x0, #0]\n"
"	ldp	x19, x20, [sp, #16]\n"
"	ldp	x21, x22, [sp, #32]\n"
"	ldp	x23, x24, [sp, #48]\n"
"	ldp	x25, x26, [sp, #64]\n"
"	ldp	x27, x28, [sp, #80]\n"
"	ldp	d8, d9, [sp, #96]\n	ldp	d10, d11, [sp, #112]\n"
"	ldp	d12, d13, [sp, #128]\n	ldp	d14, d15, [sp, #144]\n"
"	ldp	x29, x30, [sp], #160\n"
"	ret\n");

static void *copy(void *d, const void *s, size_t n)
{
	volatile uint8_t *dp = d;
	const uint8_t *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

static int read_full(void *p, size_t n)
{
	uint8_t *b = p;
	long r;

	while (n) {
		r = sys6(NR_read, 0, (long)b, (long)n, 0, 0, 0);
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

static void write_full(const void *p, size_t n)
{
	const uint8_t *b = p;
	long r;

	while (n) {
		r = sys6(NR_write, 1, (long)b, (long)n, 0, 0, 0);
		if (r <= 0)
			sys6(NR_exit_group, 3, 0, 0, 0, 0, 0);
		b += r;
		n -= (size_t)r;
	}
}

static struct da_in in;
static struct da_out out;
static uint64_t regs[66];

int main(void)
{
	uint32_t *slot, epi;
	size_t i;

	/* PROT_READ|WRITE|EXEC, MAP_PRIVATE|ANONYMOUS|FIXED */
	if (sys6(NR_mmap, DA_DATA, 0x1000, 3, 0x32, -1, 0) != (long)DA_DATA ||
	    sys6(NR_mmap, DA_CODE, DA_SLOT * DA_RING, 7, 0x32, -1, 0) !=
	    (long)DA_CODE)
		return 2;
	while (!read_full(&in, sizeof(in))) {
		slot = (uint32_t *)in.addr;
		copy(slot, in.code, in.len * 4);
		epi = 0x14000000u | (uint32_t)(((uint64_t)save_regs -
			(uint64_t)&slot[in.epi]) >> 2 & 0x3ffffff);
		copy(&slot[in.epi], &epi, 4);
		/* qemu-user notices code writes itself; this is for real CPUs */
		__asm__ volatile("dsb ish\n\tisb" ::: "memory");
		copy((void *)DA_DATA, in.data, DA_DATA_SIZE);
		for (i = 0; i < 31; i++)
			regs[i] = in.x[i];
		regs[31] = in.nzcv;
		regs[32] = in.addr;
		for (i = 0; i < 32; i++)
			regs[33 + i] = in.d[i];
		regs[65] = in.fpsr;
		enter(regs);
		for (i = 0; i < 31; i++)
			out.x[i] = out_regs[i];
		out.nzcv = out_regs[31];
		for (i = 0; i < 32; i++)
			out.d[i] = out_regs[32 + i];
		out.fpsr = out_regs[64];
		copy(out.data, (void *)DA_DATA, DA_DATA_SIZE);
		write_full(&out, sizeof(out));
	}
	return 0;
}
