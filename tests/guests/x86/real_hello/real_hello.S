/* SPDX-License-Identifier: MIT */
/*
 * A flat real-mode image for `kvmu run` (loaded at 0000:7C00): says hello
 * through the debug console with a string OUTSB and through COM1 after
 * polling its line status, then halts with interrupts off (status 0).
 */
	.code16
	.section .text
	.globl _start
_start:
	cli
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	$0xE9, %dx
	movw	$msg1, %si
	movw	$msg1_end - msg1, %cx
	cld
	rep outsb

	movw	$msg2, %si
1:	lodsb
	testb	%al, %al
	jz	3f
	movb	%al, %bl
	movw	$0x3FD, %dx
2:	inb	%dx, %al			/* wait for an empty THR */
	testb	$0x20, %al
	jz	2b
	movb	%bl, %al
	movw	$0x3F8, %dx
	outb	%al, %dx
	jmp	1b
3:	hlt
	jmp	3b

msg1:	.ascii	"real mode: hello via debugcon\n"
msg1_end:
msg2:	.asciz	"real mode: hello via COM1\n"
	.section .note.GNU-stack, "", @progbits
