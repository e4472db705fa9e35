/* SPDX-License-Identifier: MIT */
/*
 * Entry of an s390x test program built as a static Linux executable (for
 * qemu-s390x): the kernel gave us a stack in GR15; call main() and pass
 * its return value to exit(2).
 */
	.section .text.start, "ax"
	.globl	_start
_start:
	aghi	%r15, -160
	xc	0(8,%r15), 0(%r15)
	brasl	%r14, main
	svc	1
0:	j	0b

	.section .note.GNU-stack, "", @progbits
