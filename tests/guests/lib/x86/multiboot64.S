/* SPDX-License-Identifier: MIT */
/*
 * Multiboot 1 entry for 64-bit freestanding guests.
 *
 * A multiboot loader (QEMU -kernel, kvmu run) enters _start in 32-bit
 * protected mode with paging off, EAX = 0x2BADB002 and EBX = the multiboot
 * information.  We do what a small kernel does: identity-map the first
 * 4 GiB with 2 MiB pages, enable PAE and long mode, load a 64-bit GDT and
 * an IDT whose handlers report the exception, then call
 * guest_main(magic, info) in C and pass its result to guest_exit().
 */
#define MB_MAGIC	0x1BADB002
#define MB_FLAGS	0x00000003	/* page-aligned modules, memory info */
#define EFER		0xC0000080

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl	$stack_top, %esp
	movl	%eax, mb_magic
	movl	%ebx, mb_info

	/* PML4[0] -> PDPT; PDPT[0..3] -> the four page directories. */
	movl	$pdpt + 3, pml4
	movl	$pd + 3, %eax
	xorl	%ecx, %ecx
1:	movl	%eax, pdpt(, %ecx, 8)
	addl	$4096, %eax
	incl	%ecx
	cmpl	$4, %ecx
	jne	1b

	/* 2048 entries of 2 MiB: present, writable, large page. */
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$0x83, %eax
	movl	%eax, pd(, %ecx, 8)
	incl	%ecx
	cmpl	$2048, %ecx
	jne	2b

	movl	%cr4, %eax
	orl	$0x20, %eax			/* PAE */
	movl	%eax, %cr4
	movl	$pml4, %eax
	movl	%eax, %cr3
	movl	$EFER, %ecx
	rdmsr
	orl	$0x100, %eax			/* LME */
	wrmsr
	movl	%cr0, %eax
	orl	$0x80000001, %eax		/* PG | PE */
	movl	%eax, %cr0
	lgdt	gdt_desc
	ljmp	$0x08, $long_entry

	.code64
long_entry:
	movl	$0x10, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	movq	$stack_top, %rsp
	call	idt_setup
	movl	mb_magic(%rip), %edi
	movl	mb_info(%rip), %esi
	call	guest_main
	movl	%eax, %edi
	call	guest_exit
3:	cli
	hlt
	jmp	3b

/*
 * One stub per exception vector: push a zero error code where the CPU
 * pushes none, then the vector, and join the C handler.
 */
.macro	vec n
	.balign 16
vec_\n:
	.if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21)
	.else
	pushq	$0
	.endif
	pushq	$\n
	jmp	vec_common
.endm

	.balign 16
vec_first:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vec	\n
	.endr
	.irp	n, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	vec	\n
	.endr

vec_common:
	movq	%rsp, %rdi			/* struct guest_frame * */
	andq	$-16, %rsp
	call	guest_exception
4:	cli
	hlt
	jmp	4b

/* Fill 32 interrupt gates (present, DPL 0, 64-bit) and load the IDT. */
idt_setup:
	leaq	idt(%rip), %rdi
	leaq	vec_first(%rip), %rsi
	xorl	%ecx, %ecx
5:	movq	%rsi, %rax
	movw	%ax, (%rdi)			/* offset 15:0 */
	movw	$0x08, 2(%rdi)			/* selector */
	movw	$0x8E00, 4(%rdi)		/* P, DPL 0, interrupt gate */
	shrq	$16, %rax
	movw	%ax, 6(%rdi)			/* offset 31:16 */
	shrq	$16, %rax
	movl	%eax, 8(%rdi)			/* offset 63:32 */
	movl	$0, 12(%rdi)
	addq	$16, %rdi
	addq	$16, %rsi
	incl	%ecx
	cmpl	$32, %ecx
	jne	5b
	lidt	idt_desc(%rip)
	ret

	.section .rodata
	.balign 8
gdt:
	.quad	0
	.quad	0x00AF9A000000FFFF		/* 0x08: 64-bit code */
	.quad	0x00CF92000000FFFF		/* 0x10: data */
gdt_end:
	.balign 8
	.word	0
gdt_desc:
	.word	gdt_end - gdt - 1
	.long	gdt
	.balign 8
	.word	0
idt_desc:
	.word	32 * 16 - 1
	.quad	idt

	.section .bss
	.balign 4096
pml4:	.skip	4096
pdpt:	.skip	4096
pd:	.skip	4 * 4096
idt:	.skip	32 * 16
	.balign 16
	.skip	65536
stack_top:
	.globl	mb_magic, mb_info
mb_magic: .skip 4
mb_info: .skip 4
	.section .note.GNU-stack, "", @progbits
