/* SPDX-License-Identifier: MIT */
/*
 * Executes UD2 in 64-bit mode without an IDT of its own: kvmu's firmware
 * IDT reports "unhandled exception 6 (#UD)" and `kvmu run` exits with 4.
 */
	.code64
	.section .text
	.globl _start
_start:
	ud2
	.section .note.GNU-stack, "", @progbits
