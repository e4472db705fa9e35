/* SPDX-License-Identifier: MIT */
/*
 * A flat multiboot image using the a.out kludge (header flag 16: load and
 * entry addresses in the header), as `kvmu run` and QEMU's -kernel load
 * it.  In 32-bit protected mode it checks the loader's promises (magic in
 * EAX, flat segments, paging off, the info's memory map flag), prints
 * through port 0xE9 and leaves through port 0xF4 with 0x15 (status 43),
 * or 0x16 (status 45) when a check fails.
 */
#define MB_MAGIC	0x1BADB002
#define MB_FLAGS	0x00010002	/* memory info, a.out kludge */

	.code32
	.section .text
	.globl	_start
header:
	.long	MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
	.long	header, header, load_end, bss_end, _start
_start:
	movl	$stack_top, %esp
	cmpl	$0x2BADB002, %eax
	jne	bad
	testl	$0x40, (%ebx)			/* mmap_* valid */
	jz	bad
	movl	%cr0, %eax
	btl	$31, %eax			/* paging off */
	jc	bad
	movl	$msg, %esi
	movl	$msg_end - msg, %ecx
	movw	$0xE9, %dx
	cld
	rep outsb
	movl	$0x15, %eax
	jmp	out
bad:	movl	$0x16, %eax
out:	movw	$0xF4, %dx
	outl	%eax, %dx
	hlt

msg:	.ascii	"multiboot a.out kludge: hello from 32-bit protected mode\n"
msg_end:
load_end:
	.section .bss
	.skip	4096
stack_top:
bss_end:
	.section .note.GNU-stack, "", @progbits
