/* SPDX-License-Identifier: MIT */
/*
 * Writes to 8 GiB, which kvmu's identity map (4 GiB, or the RAM size)
 * leaves unmapped, without an IDT of its own: kvmu's firmware IDT reports
 * "unhandled exception 14 (#PF)", and `kvmu run` exits with status 4 after
 * printing the error code (2: a write to a not-present page) and CR2.
 */
	.code64
	.section .text
	.globl _start
_start:
	movabsq	$0x200000000, %rax
	movl	$1, (%rax)
	hlt
	.section .note.GNU-stack, "", @progbits
