/* SPDX-License-Identifier: MIT */
/*
 * Entered by `kvmu run` directly in 64-bit mode (flat binary with
 * --mode long at 1 MiB, or as an ELF64): checks the firmware's state
 * (paging, long mode, a usable stack), greets through the debug console
 * and leaves through the exit port with 0x2A (status 85).
 */
	.code64
	.section .text
	.globl _start
_start:
	leaq	msg(%rip), %rsi
	movq	%cr0, %rax
	btq	$31, %rax			/* paging on */
	jnc	bad
	movl	$0xC0000080, %ecx
	rdmsr
	btl	$10, %eax			/* EFER.LMA */
	jnc	bad
	pushq	$0x1234				/* the stack works */
	popq	%rax
	cmpq	$0x1234, %rax
	jne	bad
	movl	$msg_end - msg, %ecx
	movw	$0xE9, %dx
	rep outsb
	movl	$0x2A, %eax
	movw	$0xF4, %dx
	outl	%eax, %dx
1:	hlt
	jmp	1b
bad:	ud2

	.section .rodata
msg:	.ascii	"long mode: hello from a 64-bit flat image\n"
msg_end:
	.section .note.GNU-stack, "", @progbits
