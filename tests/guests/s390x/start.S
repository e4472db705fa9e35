/* SPDX-License-Identifier: MIT */
/*
 * Entry of the freestanding s390x test guests: 64-bit mode, DAT off, at
 * the link address (0x10000).  Sets up a stack, calls main() and hands
 * its return value to the VMM with the kvmu console's exit call
 * (DIAGNOSE X'500', GR1 = 0x101, GR2 = code; see docs/s390x.md).
 */
	.section .text.start, "ax"
	.globl	_start
_start:
	larl	%r15, stack_top
	aghi	%r15, -160
	xc	0(8,%r15), 0(%r15)
	brasl	%r14, main
	lghi	%r1, 0x101
	diag	%r0, %r0, 0x500
0:	j	0b

	.section .bss
	.balign	8
	.space	65536
stack_top:

	.section .note.GNU-stack, "", @progbits
